package io.github.lb4j.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Sustained concurrent load through any {@link ClientAdapter}: a fixed number of threads, each calling one URL in a
 * loop, every
 * {@link #postEvery}-th call a POST with a unique {@link LoopbackServer#REQUEST_ID} so that servers can count its
 * deliveries. Every call's outcome is recorded (a status or an exception: a call that ends with neither
 * is a lost call, counted in {@link #lost}); a test marks points in time ({@link #mark()}) and asks what happened
 * since.
 *
 * <p>Thread-safety: the counters are thread-safe; start and stop from the test thread.
 */
final class Load implements AutoCloseable {

    /**
     * One call's outcome. A failed call keeps its exception's type and message, not the exception: at 256 threads a
     * pool with nothing up fails a hundred thousand calls in seconds, and keeping each one's stack traces (hundreds
     * of MB, all live) made the collector copy them over and over in the JVM that also runs the backends, long
     * enough for the one backend back to miss its read timeouts (FleetChaosTest, all down then one back).
     */
    record Call(long seq, String method, String id, long startNanos, long nanos, int status, String error,
                Class<? extends Throwable> exceptionType, String exceptionMessage, int attempts) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final ClientAdapter client;
    private final String url;
    private final int threadCount;
    private final int postEvery;
    private final String runId;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    final AtomicLong seq = new AtomicLong();
    /** Every call, in completion order (a few thousand per scenario: small). */
    final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    final LongAdder completed = new LongAdder();
    final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    /** Calls started, and calls that ended with neither a status nor an exception (must stay 0). */
    final LongAdder started = new LongAdder();
    final LongAdder lost = new LongAdder();
    /** Uncaught trouble in a load thread (an Error, not an exception of a call): fails the test. */
    final ConcurrentLinkedQueue<Throwable> crashes = new ConcurrentLinkedQueue<>();

    Load(ClientAdapter client, String url, int threads, int postEvery, String runId) {
        this.client = client;
        this.url = url;
        this.threadCount = threads;
        this.postEvery = postEvery;
        this.runId = runId;
    }

    Load start() {
        running = true;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::loop, "load-" + runId + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void loop() {
        try {
            while (running) {
                if (!call()) {
                    // A caller pauses before trying again after an exception. Without it, 256 threads on 2 cores
                    // spin on calls that fail at once (a pool with nothing up: 70 000 a second), and the thread the
                    // scheduler leaves out longest, not the client, sets the run's slowest call.
                    Thread.sleep(1);
                }
            }
        } catch (Throwable t) {
            if (!(t instanceof InterruptedException)) {
                crashes.add(t);
            }
        }
    }

    /** @return false if the call ended with an exception */
    private boolean call() {
        long n = seq.incrementAndGet();
        boolean post = postEvery > 0 && n % postEvery == 0;
        String id = runId + "-" + n;
        started.increment();
        long start = System.nanoTime();
        int status = -1;
        int attempts = -1;
        String error = null;
        Throwable exception = null;
        try {
            ClientAdapter.Answer answer = client.send(url, post, id);
            status = answer.status();
            attempts = answer.attempts();
        } catch (Exception e) {
            exception = unwrap(e);
            if (e instanceof ClientAdapter.AttemptsKnown known) {
                attempts = known.attempts;
            }
            error = exception.getClass().getSimpleName();
            errors.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
        }
        long nanos = System.nanoTime() - start;
        if (status <= 0 && exception == null) {
            lost.increment();
        }
        calls.add(new Call(n, post ? "POST" : "GET", id, start, nanos, status, error,
                exception == null ? null : exception.getClass(), exception == null ? null : exception.getMessage(),
                attempts));
        completed.increment();
        return exception == null;
    }

    /** The client's own exception: without the wrappers of futures and of {@link ClientAdapter.AttemptsKnown}. */
    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof ClientAdapter.AttemptsKnown) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** @return the number of calls completed so far; a mark for {@link #since(long)} */
    long mark() {
        return completed.sum();
    }

    /**
     * Waits (polling, bounded) until {@code n} more calls completed than at {@code mark}.
     *
     * @throws AssertionError if the deadline passes first or a load thread crashed
     */
    void awaitCalls(long mark, long n, Duration deadline) {
        Waits.until("load to complete " + n + " calls", deadline, () -> {
            if (!crashes.isEmpty()) {
                throw new AssertionError("a load thread crashed", crashes.peek());
            }
            return completed.sum() - mark >= n;
        });
    }

    /** Calls that started at or after {@code nanos} (System.nanoTime). */
    List<Call> startedAfter(long nanos) {
        List<Call> out = new ArrayList<>();
        for (Call c : calls) {
            if (c.startNanos - nanos >= 0) {
                out.add(c);
            }
        }
        return out;
    }

    List<Call> all() {
        return new ArrayList<>(calls);
    }

    /** Stops and joins the threads; calls in progress finish first (each is bounded by the call timeout). */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running 30 s after stop");
            }
        }
        threads.clear();
    }

    /**
     * An application interceptor to add after the {@code LoadBalancingInterceptor}: it sees every attempt the
     * balancer makes and counts it on the call's tag.
     */
    static okhttp3.Response countAttempt(okhttp3.Interceptor.Chain chain) throws IOException {
        AtomicInteger attempts = chain.request().tag(AtomicInteger.class);
        if (attempts != null) {
            attempts.incrementAndGet();
        }
        return chain.proceed(chain.request());
    }

    @Override
    public void close() throws InterruptedException {
        if (!threads.isEmpty()) {
            stop();
        }
    }
}
