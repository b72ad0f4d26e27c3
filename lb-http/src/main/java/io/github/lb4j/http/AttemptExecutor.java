package io.github.lb4j.http;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default executor of synchronous attempts that race (per-try timeout, hedging): daemon threads created on demand
 * and ended after 30 idle seconds, at most {@value #MAX_THREADS} at once; beyond that an attempt is rejected (a hedge
 * is then skipped, a first attempt or retry fails the call with an IOException saying so).
 */
final class AttemptExecutor {

    /** Enough for hundreds of concurrent calls with a hedge each; a bound so that a hung pool cannot exhaust memory. */
    static final int MAX_THREADS = 512;

    static final Executor SHARED;

    static {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "lb4j-http-attempt-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        SHARED = executor;
    }

    private AttemptExecutor() {
    }
}
