package io.github.lb4j.http;

import io.github.lb4j.core.Ticker;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's side of its route's {@link RouteListener}: the {@link CallListener} it was given, when the call started,
 * and the guard that reports the end once. Exists only for a route with a listener ({@link #start} returns null
 * otherwise), so a route without one allocates nothing for it. A listener that throws is logged and ignored.
 *
 * <p>Thread-safety: the steps are called one at a time by the call's engine; {@link #finished} may race with a
 * cancellation and reports whichever comes first.
 */
final class CallEvents {

    private static final Logger log = LoggerFactory.getLogger(CallEvents.class);
    private static final AtomicIntegerFieldUpdater<CallEvents> DONE =
            AtomicIntegerFieldUpdater.newUpdater(CallEvents.class, "done");

    private final Route route;
    private final CallListener listener;
    private final Ticker ticker;
    private final long startNanos;
    private volatile int done;

    private CallEvents(Route route, CallListener listener, Ticker ticker) {
        this.route = route;
        this.listener = listener;
        this.ticker = ticker;
        this.startNanos = ticker.read();
    }

    /** @return the events of a call just started, or null when its route has no listener or ignores it */
    static CallEvents start(Route route, Ticker ticker, HttpRequestView request) {
        RouteListener routeListener = route.listener;
        if (routeListener == null) {
            return null;
        }
        CallListener listener;
        try {
            listener = routeListener.callStarted(route, request);
        } catch (RuntimeException e) {
            log.warn("route '{}': listener {} threw on a call start; the call goes on without it", route.name,
                    routeListener, e);
            return null;
        }
        return listener == null || listener == CallListener.NONE ? null : new CallEvents(route, listener, ticker);
    }

    void attemptStarted(Attempt attempt, RouteListener.AttemptKind kind) {
        try {
            listener.attemptStarted(attempt, kind);
        } catch (RuntimeException e) {
            threw("an attempt", e);
        }
    }

    void budgetRefused(RouteListener.AttemptKind kind) {
        try {
            listener.budgetRefused(kind);
        } catch (RuntimeException e) {
            threw("a budget refusal", e);
        }
    }

    void perTryTimeout(Attempt attempt) {
        try {
            listener.perTryTimeout(attempt);
        } catch (RuntimeException e) {
            threw("a per-try timeout", e);
        }
    }

    /** A response was handed over; {@code failure}: whether the route's classifier counts it as one. */
    void delivered(boolean failure) {
        finished(failure ? RouteListener.Outcome.FAILURE : RouteListener.Outcome.SUCCESS, null);
    }

    /** The call failed with {@code thrown}; {@code canceled}: whether the caller canceled it. */
    void failed(Throwable thrown, boolean canceled) {
        boolean cancel = canceled || thrown instanceof CancellationException;
        finished(cancel ? RouteListener.Outcome.CANCELED : RouteListener.Outcome.ERROR, thrown);
    }

    private void finished(RouteListener.Outcome outcome, Throwable failure) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            listener.callFinished(outcome, failure, ticker.read() - startNanos);
        } catch (RuntimeException e) {
            threw("the call's end", e);
        }
    }

    private void threw(String step, RuntimeException e) {
        log.warn("route '{}': call listener {} threw on {}; the call goes on", route.name, listener, step, e);
    }
}
