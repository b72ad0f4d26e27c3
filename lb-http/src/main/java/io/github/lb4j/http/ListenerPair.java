package io.github.lb4j.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two listeners of one route ({@link Route.Builder#listener} called twice or more), each told every step in the
 * order they were added. A listener that ignores a call ({@link CallListener#NONE}) is left out of it, and one that
 * throws does not keep the other from being told (the throw still reaches {@link CallEvents}, which logs it).
 *
 * <p>Thread-safety: immutable; as thread-safe as the two listeners.
 */
final class ListenerPair implements RouteListener {

    private static final Logger log = LoggerFactory.getLogger(ListenerPair.class);

    private final RouteListener first;
    private final RouteListener second;

    ListenerPair(RouteListener first, RouteListener second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public CallListener callStarted(Route route, HttpRequestView request) {
        CallListener a;
        try {
            a = first.callStarted(route, request);
        } catch (RuntimeException e) {
            log.warn("route '{}': listener {} threw on a call start; the call goes on without it", route.name,
                    first, e);
            a = CallListener.NONE;
        }
        CallListener b = second.callStarted(route, request);
        if (a == null || a == CallListener.NONE) {
            return b;
        }
        if (b == null || b == CallListener.NONE) {
            return a;
        }
        return new Both(a, b);
    }

    @Override
    public String toString() {
        return first + ", " + second;
    }

    private static final class Both implements CallListener {
        private final CallListener a;
        private final CallListener b;

        Both(CallListener a, CallListener b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void attemptStarted(Attempt attempt, RouteListener.AttemptKind kind) {
            try {
                a.attemptStarted(attempt, kind);
            } finally {
                b.attemptStarted(attempt, kind);
            }
        }

        @Override
        public void budgetRefused(RouteListener.AttemptKind kind) {
            try {
                a.budgetRefused(kind);
            } finally {
                b.budgetRefused(kind);
            }
        }

        @Override
        public void perTryTimeout(Attempt attempt) {
            try {
                a.perTryTimeout(attempt);
            } finally {
                b.perTryTimeout(attempt);
            }
        }

        @Override
        public void callFinished(RouteListener.Outcome outcome, Throwable failure, long durationNanos) {
            try {
                a.callFinished(outcome, failure, durationNanos);
            } finally {
                b.callFinished(outcome, failure, durationNanos);
            }
        }
    }
}
