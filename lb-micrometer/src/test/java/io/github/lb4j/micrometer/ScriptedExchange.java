package io.github.lb4j.micrometer;

import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.AsyncHttpExchange;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.ResponseOutcome;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A GET through lb-http's adapter SPI without a client: attempt {@code n} answers what the script gives for
 * {@code n} (a status, an {@link IOException}, or null for "no answer until canceled"), after moving the ticker by
 * the given step. The delivered response's body counts as read at once.
 */
final class ScriptedExchange implements AsyncHttpExchange<Integer> {

    private final IntFunction<Object> script;
    private final TestTicker ticker;
    private final long stepMillis;
    final AtomicInteger sent = new AtomicInteger();

    ScriptedExchange(TestTicker ticker, long stepMillis, IntFunction<Object> script) {
        this.script = script;
        this.ticker = ticker;
        this.stepMillis = stepMillis;
    }

    @Override
    public HttpRequestView request() {
        return new HttpRequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public URI uri() {
                return URI.create("http://orders/items?secret=1");
            }

            @Override
            public List<String> headers(String name) {
                return List.of();
            }
        };
    }

    @Override
    public boolean hasBody() {
        return false;
    }

    @Override
    public boolean bodyReplayable() {
        return true;
    }

    @Override
    public CompletableFuture<Integer> sendAsync(Attempt attempt) {
        sent.incrementAndGet();
        ticker.advanceMillis(stepMillis);
        Object answer = script.apply(attempt.number());
        if (answer == null) {
            return new CompletableFuture<>();
        }
        return answer instanceof IOException e ? CompletableFuture.failedFuture(e)
                : CompletableFuture.completedFuture((Integer) answer);
    }

    @Override
    public Integer send(Attempt attempt) throws IOException {
        try {
            return sendAsync(attempt).getNow(null);
        } catch (java.util.concurrent.CompletionException e) {
            throw (IOException) e.getCause();
        }
    }

    @Override
    public HttpResponseView view(Integer status) {
        return new HttpResponseView() {
            @Override
            public int status() {
                return status;
            }

            @Override
            public List<String> headers(String name) {
                return List.of();
            }
        };
    }

    @Override
    public void discard(Integer response) {
    }

    @Override
    public Integer deliver(Integer response, ResponseOutcome outcome) {
        outcome.finished();
        return response;
    }

    @Override
    public boolean isCanceled() {
        return false;
    }

    /**
     * A scheduler whose tasks run only when the test says ({@link #runPending}): per-try timeouts and hedge delays
     * fire on command, never by the wall clock. Canceled tasks are skipped.
     */
    static final class ManualScheduler extends ScheduledThreadPoolExecutor {
        private final List<Object[]> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();

        ManualScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            ScheduledFuture<?> handle = super.schedule(() -> { }, 1, TimeUnit.DAYS);
            tasks.add(new Object[] {command, handle});
            return handle;
        }

        /** Runs the tasks scheduled so far and not canceled, in order; those they schedule wait for the next run. */
        void runPending() {
            List<Object[]> due = List.copyOf(tasks);
            tasks.removeAll(due);
            for (Object[] t : due) {
                if (!((ScheduledFuture<?>) t[1]).isCancelled()) {
                    ((Runnable) t[0]).run();
                }
            }
        }
    }
}
