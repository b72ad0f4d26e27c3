package io.github.lb4j.http;

import io.github.lb4j.core.Selection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call whose attempts are timed (per-try timeout) or raced (hedging), synchronous or asynchronous: every attempt
 * is a future, and every happening (an attempt answered or failed, a per-try timeout or a hedge delay expired, a
 * backoff ended, the caller canceled) is an event. Events run one at a time, in order, on whichever thread posted
 * them (a serial drain, so no lock is held while calling the exchange and nothing re-enters), and each is a small
 * named step using {@link BalancedCall}'s decisions:
 *
 * <ul>
 *   <li>{@link #launch}: a new attempt, with its per-try timer and (for a first attempt or retry) the hedge timer;</li>
 *   <li>{@link #onHedgeDelay}: no answer yet, so another backend not tried yet gets the same request, if the request
 *       may be re-sent and the retry budget has room;</li>
 *   <li>{@link #onPerTryTimeout}: the attempt is aborted and charged as a timeout, then handled as a failure;</li>
 *   <li>{@link #onAnswer}: the first response that is not a retryable failure while others race wins; the losers are
 *       aborted and closed without outcome;</li>
 *   <li>{@link #onFailure}: while another attempt races on, a failure only waits for it; the last one is recovered
 *       like any retry.</li>
 * </ul>
 *
 * <p>Thread-safety: the state is confined to the drain (one event at a time, with a happens-before edge between
 * events through the queue); {@link #result} is the only thing other threads touch.
 */
final class RacingCall<R> {

    private static final Logger log = LoggerFactory.getLogger(RacingCall.class);

    /** How often a waiting synchronous caller checks whether its call was canceled (or timed out). */
    private static final long CANCEL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** How attempts are started and aborted: sendAsync, or send on the attempt executor. */
    interface Launcher<R> {
        /**
         * @param late where a response that arrives after its future was canceled goes (to be discarded)
         * @throws RejectedExecutionException if there is no thread to send on (nothing was sent)
         */
        CompletableFuture<R> start(Attempt attempt, Consumer<R> late);

        void cancel(Attempt attempt, CompletableFuture<R> future);
    }

    /** One attempt in flight. */
    private static final class Flight<R> {
        final Attempt attempt;
        final boolean hedge;
        final long startNanos;
        CompletableFuture<R> future;
        Runnable perTryTimer;

        Flight(Attempt attempt, boolean hedge, long startNanos) {
            this.attempt = attempt;
            this.hedge = hedge;
            this.startNanos = startNanos;
        }
    }

    private final BalancedCall<R> call;
    private final HttpExchange<R> exchange;
    private final HttpBalancer.RouteRuntime state;
    private final Route route;
    private final Launcher<R> launcher;
    final CompletableFuture<R> result = new CompletableFuture<>();

    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();

    // Confined to the drain:
    private final List<Flight<R>> live = new ArrayList<>(2);
    private final boolean mayHedge;
    private int sequence;
    /** Attempts that count against maxAttempts: the first and the retries, not the hedges. */
    private int counted;
    private int hedges;
    private Runnable hedgeTimer;
    /** A retry's selection while it waits out its backoff, and the backoff's timer. */
    private Selection waiting;
    private Runnable backoffTimer;

    private RacingCall(BalancedCall<R> call, HttpExchange<R> exchange, HttpBalancer.RouteRuntime state,
                       Launcher<R> launcher) {
        this.call = call;
        this.exchange = exchange;
        this.state = state;
        this.route = state.route;
        this.launcher = launcher;
        this.mayHedge = route.hedging != null && call.mayResend(true);
    }

    /** A call of an asynchronous exchange: attempts are its futures. */
    static <R> RacingCall<R> async(BalancedCall<R> call, AsyncHttpExchange<R> exchange,
                                   HttpBalancer.RouteRuntime state) {
        return new RacingCall<>(call, exchange, state, new Launcher<R>() {
            @Override
            public CompletableFuture<R> start(Attempt attempt, Consumer<R> late) {
                return exchange.sendAsync(attempt);
            }

            @Override
            public void cancel(Attempt attempt, CompletableFuture<R> future) {
                future.cancel(true);
                exchange.cancel(attempt);
            }
        });
    }

    /** A call of a synchronous exchange: each attempt runs {@code send} on the attempt executor. */
    static <R> RacingCall<R> sync(BalancedCall<R> call, HttpExchange<R> exchange, HttpBalancer.RouteRuntime state) {
        Executor executor = state.attempts;
        return new RacingCall<>(call, exchange, state, new Launcher<R>() {
            @Override
            public CompletableFuture<R> start(Attempt attempt, Consumer<R> late) {
                SyncAttempt<R> task = new SyncAttempt<>(exchange, attempt, late);
                executor.execute(task);
                return task.future;
            }

            @Override
            public void cancel(Attempt attempt, CompletableFuture<R> future) {
                exchange.cancel(attempt);
                future.cancel(true); // interrupts the sending thread, see SyncAttempt
            }
        });
    }

    /** {@code send} of one attempt on an executor thread; canceling its future interrupts that thread. */
    private static final class SyncAttempt<R> implements Runnable {
        final HttpExchange<R> exchange;
        final Attempt attempt;
        final Consumer<R> late;
        final CompletableFuture<R> future = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean canceled = super.cancel(mayInterruptIfRunning);
                interrupt();
                return canceled;
            }
        };
        /** The thread in {@code send}, under this object's lock. */
        private Thread runner;

        SyncAttempt(HttpExchange<R> exchange, Attempt attempt, Consumer<R> late) {
            this.exchange = exchange;
            this.attempt = attempt;
            this.late = late;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (future.isDone()) {
                    return; // canceled before it started: nothing sent
                }
                runner = Thread.currentThread();
            }
            try {
                R response = exchange.send(attempt);
                if (!future.complete(response)) {
                    late.accept(response); // answered after it was abandoned: its connection is freed
                }
            } catch (Throwable t) {
                future.completeExceptionally(t);
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted(); // an interrupt meant for this attempt must not reach the next task
                }
            }
        }

        private synchronized void interrupt() {
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    /** Starts the call; the future completes with the delivered response or the call's failure. */
    CompletableFuture<R> start() {
        result.whenComplete((r, t) -> {
            if (result.isCancelled()) {
                post(this::abandonAll);
            }
        });
        post(() -> {
            Selection first;
            try {
                first = call.firstSelection();
            } catch (IOException e) {
                result.completeExceptionally(e);
                return;
            }
            launch(first, false);
        });
        return result;
    }

    /** The synchronous caller's side: waits for the result, canceling the call when the exchange is canceled. */
    R await() throws IOException {
        start();
        while (true) {
            try {
                return result.get(CANCEL_POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (exchange.isCanceled()) {
                    result.cancel(true);
                    throw new IOException("Canceled");
                }
            } catch (InterruptedException e) {
                result.cancel(true);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for route '" + route.name + "'");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IOException(cause);
            } catch (CancellationException e) {
                throw new IOException("Canceled", e);
            }
        }
    }

    // ---- the event loop ---------------------------------------------------------------------------------------

    private void post(Runnable event) {
        events.add(event);
        if (pending.getAndIncrement() != 0) {
            return; // the thread draining runs it next
        }
        do {
            Runnable next = events.poll();
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        } while (pending.decrementAndGet() != 0);
    }

    // ---- the steps --------------------------------------------------------------------------------------------

    private void launch(Selection selection, boolean hedge) {
        if (result.isDone() || exchange.isCanceled()) {
            selection.close();
            fail(call.withSuppressed(new IOException("Canceled")));
            return;
        }
        Attempt attempt = new Attempt(++sequence, selection);
        Flight<R> flight = new Flight<>(attempt, hedge, state.ticker.read());
        if (hedge) {
            hedges++;
        } else {
            counted++;
        }
        // Timers first, so that an attempt is never on the wire without them; they fire into the queue, behind
        // this step, when the flight is live.
        if (route.perTryTimeoutNanos > 0) {
            flight.perTryTimer = state.timer.schedule(() -> post(() -> onPerTryTimeout(flight)),
                    route.perTryTimeoutNanos);
        }
        scheduleHedge();
        CompletableFuture<R> future;
        try {
            future = launcher.start(attempt, late -> post(() -> exchange.discard(late)));
        } catch (RejectedExecutionException e) {
            cancel(flight.perTryTimer);
            selection.close(); // nothing was sent: not the backend's doing
            if (hedge) {
                log.debug("route '{}': no thread for a hedge; not hedging", route.name);
                return; // the hedge timer, if any, is for the next hedge
            }
            fail(call.withSuppressed(new IOException("route '" + route.name + "': no thread to send attempt "
                    + attempt.number() + " on (the attempt executor rejected it)", e)));
            return;
        } catch (RuntimeException | Error e) {
            cancel(flight.perTryTimer);
            selection.failure(e);
            fail(e);
            return;
        }
        flight.future = future;
        live.add(flight);
        call.attemptStarted(attempt, hedge ? RouteListener.AttemptKind.HEDGE
                : counted == 1 ? RouteListener.AttemptKind.FIRST : RouteListener.AttemptKind.RETRY);
        future.whenComplete((response, thrown) -> post(() -> onDone(flight, response, thrown)));
    }

    /** The next hedge, a delay after the attempt just started, while hedges are left. */
    private void scheduleHedge() {
        if (!mayHedge || hedges >= route.hedging.maxHedges()) {
            return;
        }
        cancel(hedgeTimer);
        Hedging hedging = route.hedging;
        long delay = hedging.isAdaptive() ? state.latency.delayNanos(hedging.minDelayNanos())
                : hedging.fixedDelayNanos();
        hedgeTimer = state.timer.schedule(() -> post(this::onHedgeDelay), delay);
    }

    private void onHedgeDelay() {
        hedgeTimer = null;
        if (result.isDone() || live.isEmpty() || waiting != null || exchange.isCanceled()
                || hedges >= route.hedging.maxHedges()) {
            return;
        }
        for (Flight<R> f : live) {
            call.exclude(f.attempt);
        }
        Selection next = call.nextSelection(false, RouteListener.AttemptKind.HEDGE);
        if (next == null) {
            log.debug("route '{}': no hedge (retry budget spent or no other backend)", route.name);
            return;
        }
        log.debug("route '{}': no answer from {} yet; hedging on {}", route.name,
                live.get(live.size() - 1).attempt.backend().id(), next.backend().id());
        launch(next, true);
    }

    private void onPerTryTimeout(Flight<R> flight) {
        if (!live.remove(flight)) {
            return; // answered first
        }
        launcher.cancel(flight.attempt, flight.future);
        PerTryTimeoutException timeout = call.perTryTimeout(flight.attempt);
        flight.attempt.selection().failure(timeout);
        onFailure(flight, timeout);
    }

    private void onDone(Flight<R> flight, R response, Throwable thrown) {
        if (!live.remove(flight)) {
            // Abandoned (lost, timed out, or the call ended): its selection is already closed or charged.
            if (response != null) {
                exchange.discard(response);
            }
            flight.attempt.selection().close();
            return;
        }
        cancel(flight.perTryTimer);
        if (thrown != null) {
            Throwable cause = unwrap(thrown);
            flight.attempt.selection().failure(cause);
            if (!(cause instanceof IOException)) {
                fail(cause);
                return;
            }
            onFailure(flight, (IOException) cause);
            return;
        }
        onAnswer(flight, response);
    }

    private void onAnswer(Flight<R> flight, R response) {
        Attempt attempt = flight.attempt;
        HttpResponseView view = exchange.view(response);
        Throwable failure = call.classify(attempt, response, view);
        if (failure == null && state.latency != null) {
            state.latency.record(state.ticker.read() - flight.startNanos);
        }
        if (!live.isEmpty() && call.retriesStatus(view.status())) {
            // A retryable status while another attempt races on: that attempt is the retry.
            exchange.discard(response);
            new ResponseOutcome(attempt.selection(), failure).finished();
            call.recordEarlier(attempt, failure != null ? (Exception) failure
                    : new StatusFailure(view.status(), attempt.backend().id()));
            return;
        }
        Selection next = waiting != null ? null : call.retryOnStatus(attempt, response, view, failure, counted);
        if (next != null) {
            retryAfterBackoff(next);
            return;
        }
        R delivered = call.deliver(response, attempt.selection(), failure);
        if (flight.hedge) {
            log.debug("route '{}': the hedge on {} answered first", route.name, attempt.backend().id());
        }
        abandonAll(); // first: the losers' slots are free when the caller gets the winner
        if (!result.complete(delivered)) {
            exchange.discard(delivered); // canceled in the meantime; its outcome is reported on discard
        }
    }

    private void onFailure(Flight<R> flight, IOException e) {
        if (result.isDone()) {
            return;
        }
        if (!live.isEmpty() || waiting != null) {
            call.recordEarlier(flight.attempt, e); // another attempt races on
            return;
        }
        Selection next;
        try {
            next = call.recover(flight.attempt, e, counted);
        } catch (IOException thrown) {
            fail(thrown);
            return;
        }
        retryAfterBackoff(next);
    }

    private void retryAfterBackoff(Selection next) {
        cancel(hedgeTimer);
        hedgeTimer = null;
        long delay = call.backoffNanos(counted);
        if (delay <= 0) {
            launch(next, false);
            return;
        }
        waiting = next;
        backoffTimer = state.timer.schedule(() -> post(() -> {
            if (waiting == next) {
                waiting = null;
                backoffTimer = null;
                launch(next, false);
            }
        }), delay);
    }

    private void fail(Throwable t) {
        abandonAll();
        result.completeExceptionally(t);
    }

    /** Aborts every attempt in flight and closes its selection without outcome; stops every timer. */
    private void abandonAll() {
        cancel(hedgeTimer);
        hedgeTimer = null;
        cancel(backoffTimer);
        backoffTimer = null;
        if (waiting != null) {
            waiting.close();
            waiting = null;
        }
        for (Flight<R> f : live) {
            cancel(f.perTryTimer);
            f.attempt.selection().close(); // first: the backend did nothing wrong, whatever the abort throws
            launcher.cancel(f.attempt, f.future);
        }
        live.clear();
    }

    private static void cancel(Runnable timer) {
        if (timer != null) {
            timer.run();
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof CancellationException ? new IOException("Canceled", cause) : cause;
    }
}
