package io.github.lb4j.http;

import java.io.IOException;

/** The failure reported for a response classified as failed; cheap (no stack trace). */
final class StatusFailure extends IOException {

    private static final long serialVersionUID = 1L;

    StatusFailure(int code, String backendId) {
        super("HTTP " + code + " from " + backendId);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
