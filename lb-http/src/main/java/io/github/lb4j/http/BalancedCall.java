package io.github.lb4j.http;

import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.internal.Backoff;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One balanced call: the retry loop and the decisions it is made of, each a small named step, in the manner of
 * OkHttp's {@code RetryAndFollowUpInterceptor}. {@link #execute()} is the synchronous loop;
 * {@link AsyncBalancedCall} drives the same steps from callbacks.
 *
 * <p>A route with a per-try timeout or hedging is driven by {@link RacingCall} instead (for a synchronous
 * exchange too, unless it cannot run attempts concurrently): it uses the same steps, and a per-try timeout becomes a
 * {@link PerTryTimeoutException} that {@link #recover} treats like any read timeout. For an exchange that does not
 * {@linkplain HttpExchange#supportsConcurrentAttempts support concurrent attempts}, {@link #send} bounds the attempt
 * on the caller's thread through {@link HttpExchange#cancel(Attempt)}.
 *
 * <p>Thread-safety: confined to one call; an asynchronous or racing call touches it from one event at a time.
 */
final class BalancedCall<R> {

    private static final Logger log = LoggerFactory.getLogger(BalancedCall.class);

    /** How often a retry backoff checks whether its call was canceled or timed out. */
    private static final long CANCEL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final HttpBalancer.RouteRuntime state;
    final Route route;
    private final HttpExchange<R> exchange;
    private final RandomGenerator random;
    private final RequestContext base;
    private final int maxAttempts;
    /** The route listener's view of this call; null when the route has none (nothing is allocated for it). */
    private final CallEvents events;
    /** Ids of the backends tried so far, excluded from the next pick; null until the first retry. */
    private List<String> tried;
    /** Failures of earlier attempts, attached to the one thrown; null until the first retry. */
    private List<Exception> earlier;

    BalancedCall(HttpBalancer.RouteRuntime state, HttpExchange<R> exchange, RandomGenerator random) {
        this.state = state;
        this.route = state.route;
        this.exchange = exchange;
        this.random = random;
        this.base = context(exchange, route, random);
        this.maxAttempts = base.pinnedBackendId() != null ? 1 : route.maxAttempts;
        this.events = CallEvents.start(route, state.ticker, exchange.request());
    }

    /** Runs the call on the calling thread; its end is told to the route's listener, if any. */
    R execute() throws IOException {
        if (events == null) {
            return run();
        }
        try {
            return run();
        } catch (IOException | RuntimeException | Error e) {
            failed(e);
            throw e;
        }
    }

    /** The synchronous loop: one attempt per turn until a response is delivered or a failure is thrown. */
    private R run() throws IOException {
        if (route.racing() && exchange.supportsConcurrentAttempts()) {
            return RacingCall.sync(this, exchange, state).await();
        }
        Selection selection = firstSelection();
        for (int n = 1; ; n++) {
            Attempt attempt = new Attempt(n, selection);
            attemptStarted(attempt, n == 1 ? RouteListener.AttemptKind.FIRST : RouteListener.AttemptKind.RETRY);
            R response;
            try {
                response = send(attempt);
            } catch (IOException e) {
                selection.failure(e);
                selection = backoff(n, recover(attempt, e));
                continue;
            } catch (RuntimeException | Error e) {
                selection.failure(e);
                throw e;
            }
            HttpResponseView view = exchange.view(response);
            Throwable failure = classify(attempt, response, view);
            Selection next = retryOnStatus(attempt, response, view, failure);
            if (next == null) {
                return deliver(response, selection, failure);
            }
            selection = backoff(n, next);
        }
    }

    /**
     * Sends one attempt. The one place an attempt is started synchronously: a per-try timeout (issue 15) bounds
     * this call and cancels the attempt when it expires, failing it with a timeout that {@link #recover} then
     * treats like any read timeout.
     */
    private R send(Attempt attempt) throws IOException {
        if (route.perTryTimeoutNanos == 0) {
            return exchange.send(attempt);
        }
        // An exchange that cannot run attempts concurrently: the attempt stays on this thread and the timer aborts
        // it through cancel(Attempt) (a no-op unless the adapter implements it; then only its own timeouts help).
        AtomicBoolean expired = new AtomicBoolean();
        Runnable timer = state.timer.schedule(() -> {
            expired.set(true);
            exchange.cancel(attempt);
        }, route.perTryTimeoutNanos);
        try {
            return exchange.send(attempt);
        } catch (IOException e) {
            if (expired.get()) {
                PerTryTimeoutException timeout = perTryTimeout(attempt);
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        } finally {
            timer.run();
        }
    }

    /** The failure of an attempt whose per-try timeout expired (and the listener told). */
    PerTryTimeoutException perTryTimeout(Attempt attempt) {
        if (events != null) {
            events.perTryTimeout(attempt);
        }
        return new PerTryTimeoutException(route.name, attempt.backend().id(),
                TimeUnit.NANOSECONDS.toMillis(route.perTryTimeoutNanos));
    }

    /** The hash key or pin: a context the application attached wins, then the route's hash-key source. */
    private static RequestContext context(HttpExchange<?> exchange, Route route, RandomGenerator random) {
        RequestContext attached = exchange.context();
        if (attached != null) {
            return attached;
        }
        return route.contextOf(exchange.request(), random);
    }

    /** Records the call in the retry budget and picks the first backend. */
    Selection firstSelection() throws IOException {
        state.budget.deposit();
        try {
            return route.pool.select(base);
        } catch (NoBackendAvailableException e) {
            throw new NoBackendAvailableIOException(e);
        } catch (IllegalStateException e) {
            // The pool was closed: fail the call with the client's exception type, so async callbacks report it.
            throw new IOException("route '" + route.name + "': " + e.getMessage(), e);
        }
    }

    /**
     * After an attempt failed with {@code e} (already reported): the selection for the next attempt, or
     * {@code e} thrown with the earlier failures attached when the call must not or cannot go on.
     */
    Selection recover(Attempt attempt, IOException e) throws IOException {
        return recover(attempt, e, attempt.number());
    }

    /** As {@link #recover(Attempt, IOException)}, after {@code attempts} attempts that count (hedges do not). */
    Selection recover(Attempt attempt, IOException e, int attempts) throws IOException {
        if (attempts >= maxAttempts || exchange.isCanceled() || !mayResend(maybeSent(attempt, e))) {
            throw withSuppressed(e);
        }
        earlier = add(earlier, e);
        tried = add(tried, attempt.backend().id());
        Selection next = nextSelection(true, RouteListener.AttemptKind.RETRY);
        if (next == null) {
            throw withSuppressed(e); // skips e itself
        }
        log.debug("route '{}': attempt {} of {} on {} failed ({}); retrying on {}", route.name, attempt.number(),
                maxAttempts, attempt.backend().id(), e.getClass().getSimpleName(), next.backend().id());
        return next;
    }

    /**
     * The failure to report for a response (null: a success), by the route's classifier. A classifier that throws
     * fails the call: the response is discarded and the backend charged, since nothing else can be reported.
     */
    Throwable classify(Attempt attempt, R response, HttpResponseView view) {
        RetryAfter.Overloaded overloaded = route.honorRetryAfter
                ? RetryAfter.of(view, attempt.backend().id(), route.name) : null;
        if (overloaded != null) {
            return overloaded; // the backend's own word on its state wins over the route's classifier
        }
        try {
            return route.failure.test(view) ? new StatusFailure(view.status(), attempt.backend().id()) : null;
        } catch (RuntimeException e) {
            exchange.discard(response);
            attempt.selection().failure(e);
            throw e;
        }
    }

    /**
     * After a response: the selection for the next attempt when the route retries its status and a retry is
     * possible (the response is then discarded and its outcome reported); null to deliver the response.
     */
    Selection retryOnStatus(Attempt attempt, R response, HttpResponseView view, Throwable failure) {
        return retryOnStatus(attempt, response, view, failure, attempt.number());
    }

    /** As {@link #retryOnStatus(Attempt, Object, HttpResponseView, Throwable)} after {@code attempts} that count. */
    Selection retryOnStatus(Attempt attempt, R response, HttpResponseView view, Throwable failure, int attempts) {
        int code = view.status();
        if (!route.retryStatuses.get(code) || attempts >= maxAttempts || exchange.isCanceled()
                || !mayResend(true)) {
            return null;
        }
        tried = add(tried, attempt.backend().id());
        if (failure instanceof RetryAfter.Overloaded) {
            // Reported before the next pick, so the backend has left the snapshot: with every other backend
            // excluded, the exclusion of tried backends is waived, and would otherwise send the retry straight back.
            new ResponseOutcome(attempt.selection(), failure).finished();
        }
        Selection next = nextSelection(false, RouteListener.AttemptKind.RETRY);
        if (next == null) {
            return null;
        }
        exchange.discard(response);
        new ResponseOutcome(attempt.selection(), failure).finished();
        earlier = add(earlier, failure != null ? (Exception) failure : new StatusFailure(code, attempt.backend().id()));
        log.debug("route '{}': attempt {} of {} on {} returned {}; retrying on {}", route.name, attempt.number(),
                maxAttempts, attempt.backend().id(), code, next.backend().id());
        return next;
    }

    /**
     * Whether the failed attempt may have reached the backend. A backend the adapter could not address never did;
     * with a body, whether the client started writing it tells; without one, only a failure that certainly
     * happened before a byte was sent says no. A connect timeout is not among those: clients report it like a read
     * timeout ({@link java.net.SocketTimeoutException}).
     */
    private boolean maybeSent(Attempt attempt, IOException e) {
        if (e instanceof UnusableBackendException) {
            return false;
        }
        return exchange.hasBody() ? attempt.bodyStarted() : !neverSent(e);
    }

    static boolean neverSent(IOException e) {
        return e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof UnknownHostException || e instanceof SSLHandshakeException
                || e instanceof SSLPeerUnverifiedException;
    }

    /** Whether the request may be sent again. {@code sent}: whether it may have reached the backend. */
    boolean mayResend(boolean sent) {
        if (!sent) {
            return true;
        }
        if (!exchange.bodyReplayable()) {
            return false;
        }
        Idempotency idempotency = exchange.idempotency();
        if (idempotency != null) {
            return idempotency == Idempotency.IDEMPOTENT;
        }
        return route.idempotentMethods.contains(exchange.request().method());
    }

    /** @return whether the route retries this status (before the attempt and budget checks) */
    boolean retriesStatus(int status) {
        return route.retryStatuses.get(status);
    }

    /** Records a failure that another attempt of the race may make up for; it is attached if the call fails. */
    void recordEarlier(Attempt attempt, Exception failure) {
        earlier = add(earlier, failure);
        tried = add(tried, attempt.backend().id());
    }

    /** Excludes {@code attempt}'s backend from the next picks (it is in flight: a hedge goes elsewhere). */
    void exclude(Attempt attempt) {
        tried = add(tried, attempt.backend().id());
    }

    /**
     * Spends one unit of retry budget and picks a backend not tried yet; null (and nothing spent from the pool)
     * when the budget is spent or nothing can be picked. {@code recordNoBackend}: whether "nothing to pick" joins
     * the earlier failures (it explains an exception; a delivered response needs no explanation). {@code kind}:
     * retry or hedge, for the listener.
     */
    Selection nextSelection(boolean recordNoBackend, RouteListener.AttemptKind kind) {
        if (!state.budget.tryWithdraw()) {
            log.debug("route '{}': retry budget spent; returning the failure to the caller", route.name);
            if (events != null) {
                events.budgetRefused(kind);
            }
            return null;
        }
        try {
            return route.pool.select(base.excluding(tried));
        } catch (NoBackendAvailableException e) {
            if (recordNoBackend) {
                earlier = add(earlier, new NoBackendAvailableIOException(e));
            }
            return null;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** Tells the listener, if any, that {@code attempt} is handed to the client. */
    void attemptStarted(Attempt attempt, RouteListener.AttemptKind kind) {
        if (events != null) {
            events.attemptStarted(attempt, kind);
        }
    }

    /** Hands the final response over, with its outcome to report, and tells the listener the call ended. */
    R deliver(R response, Selection selection, Throwable failure) {
        R delivered = exchange.deliver(response, new ResponseOutcome(selection, failure));
        if (events != null) {
            events.delivered(failure != null);
        }
        return delivered;
    }

    /** Tells the listener, if any, that the call failed with {@code thrown} (a second end is ignored). */
    void failed(Throwable thrown) {
        if (events != null) {
            events.failed(thrown, exchange.isCanceled());
        }
    }

    /** @return whether the route has a listener for this call */
    boolean listened() {
        return events != null;
    }

    /** Waits before attempt {@code n + 1}; on cancel or timeout releases {@code next} and fails the call. */
    private Selection backoff(int n, Selection next) throws IOException {
        long delay = backoffNanos(route, n, random);
        if (delay > 0) {
            try {
                sleep(delay);
            } catch (IOException e) {
                next.close();
                throw withSuppressed(e);
            }
        }
        if (exchange.isCanceled()) {
            next.close();
            throw withSuppressed(new IOException("Canceled"));
        }
        return next;
    }

    /** Full jitter: uniform in [0, min(max, initial * 2^(retry-1))]. */
    static long backoffNanos(Route route, int retry, RandomGenerator random) {
        return Backoff.fullJitterNanos(route.backoffInitialNanos, route.backoffMaxNanos, retry, random);
    }

    /** The balancer's timer: per-try timeouts, hedge delays, asynchronous backoffs. */
    AttemptTimer timer() {
        return state.timer;
    }

    long backoffNanos(int retry) {
        return backoffNanos(route, retry, random);
    }

    private void sleep(long nanos) throws IOException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            if (exchange.isCanceled()) {
                throw new IOException("Canceled");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, CANCEL_POLL_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during retry backoff");
            }
        }
    }

    /** {@code thrown} with the earlier failures attached as suppressed (never itself). */
    <T extends Throwable> T withSuppressed(T thrown) {
        if (earlier != null) {
            for (Exception e : earlier) {
                if (e != thrown) {
                    thrown.addSuppressed(e);
                }
            }
        }
        return thrown;
    }

    private static <T> List<T> add(List<T> list, T item) {
        List<T> out = list == null ? new ArrayList<>(2) : list;
        out.add(item);
        return out;
    }
}
