package io.github.lb4j.httpclient5;

import io.github.lb4j.http.ResponseOutcome;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Holds a backend's in-flight slot until the response entity is read to its end, closed (directly, through its
 * stream, or by closing the response, which closes its entity), or written out, then reports the attempt's outcome:
 * the classified one, or a failure if reading fails. {@link ResponseOutcome} keeps only its first report, so a
 * second close changes nothing.
 *
 * <p>Thread-safety: like any entity, for one thread at a time.
 */
final class ReportingEntity extends HttpEntityWrapper {

    private final ResponseOutcome outcome;
    /** The delegate's stream last wrapped, and its wrapper: a non-repeatable entity returns the same stream. */
    private InputStream unwrapped;
    private InputStream content;

    ReportingEntity(HttpEntity delegate, ResponseOutcome outcome) {
        super(delegate);
        this.outcome = outcome;
    }

    @Override
    public InputStream getContent() throws IOException {
        InputStream raw;
        try {
            raw = super.getContent();
        } catch (IOException | RuntimeException e) {
            outcome.failed(e);
            throw e;
        }
        if (content == null || raw != unwrapped) {
            unwrapped = raw;
            content = raw == null ? null : new Reporting(raw);
        }
        if (raw == null) {
            outcome.finished();
        }
        return content;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try {
            super.writeTo(out);
        } catch (IOException | RuntimeException e) {
            outcome.failed(e);
            throw e;
        }
        outcome.finished();
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            outcome.finished();
        }
    }

    /** The content stream: EOF or close finishes the outcome, a read failure fails it. */
    private final class Reporting extends FilterInputStream {

        Reporting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = in.read();
            } catch (IOException | RuntimeException e) {
                outcome.failed(e);
                throw e;
            }
            if (b == -1) {
                outcome.finished();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(buffer, off, len);
            } catch (IOException | RuntimeException e) {
                outcome.failed(e);
                throw e;
            }
            if (n == -1) {
                outcome.finished();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                outcome.finished();
            }
        }
    }
}
