package io.github.lb4j.httpclient5;

import io.github.lb4j.http.ResponseOutcome;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
import org.apache.hc.core5.concurrent.ComplexCancellable;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;

/**
 * One attempt of an async call: the exec callback the rest of the chain reports to, the future the engine waits on
 * (completed with this object when the response head arrives), and, once the engine decides, the bridge that
 * hands the response to the application's callback or throws it away.
 *
 * <p>Each attempt runs on its own fork of the call's {@link AsyncExecRuntime} and its own cancellable, so a
 * discarded or canceled attempt is aborted without touching the next one, and the next one never borrows the
 * previous backend's connection. The attempt releases its endpoint itself when its exchange ends (reusable, as
 * HttpClient marked it) or discards it when it fails.
 *
 * <p>Thread-safety: the callback runs on the I/O reactor, the engine's decision on whatever thread completed the
 * future; the state below is guarded by {@code this}.
 */
final class AsyncAttemptResponse implements AsyncExecCallback {

    private static final int PENDING = 0;
    private static final int DELIVERED = 1;
    private static final int DISCARDED = 2;

    final CompletableFuture<AsyncAttemptResponse> future = new CompletableFuture<>() {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean canceled = super.cancel(mayInterruptIfRunning);
            if (canceled) {
                abort();
            }
            return canceled;
        }
    };
    final ComplexCancellable cancellable = new ComplexCancellable();
    final AsyncExecRuntime runtime;

    private HttpResponse response;
    private EntityDetails entity;
    private DeferredDataConsumer body;
    private ResponseOutcome outcome;
    private int state = PENDING;
    /** The exchange ended (completed or failed) before the engine decided. */
    private boolean ended;
    private Exception failure;

    AsyncAttemptResponse(AsyncExecRuntime runtime) {
        this.runtime = runtime;
    }

    HttpResponse response() {
        return response;
    }

    // ---- the rest of the chain reports here (I/O reactor) ------------------------------------------------------

    @Override
    public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails entityDetails) {
        DeferredDataConsumer consumer = entityDetails == null ? null : new DeferredDataConsumer();
        synchronized (this) {
            this.response = response;
            this.entity = entityDetails;
            this.body = consumer;
        }
        future.complete(this);
        return consumer;
    }

    @Override
    public void handleInformationResponse(HttpResponse response) {
        // 1xx of an attempt that may yet be thrown away: not forwarded (HttpClient handles 100-continue below).
    }

    @Override
    public void completed() {
        runtime.releaseEndpoint();
        ResponseOutcome o;
        AsyncExecCallback app;
        synchronized (this) {
            if (state != DELIVERED) {
                ended = true;
                return;
            }
            o = outcome;
            app = application;
        }
        o.finished();
        app.completed();
    }

    @Override
    public void failed(Exception cause) {
        runtime.discardEndpoint();
        if (future.completeExceptionally(cause)) {
            return; // no response yet: the engine sees the attempt's failure
        }
        ResponseOutcome o;
        AsyncExecCallback app;
        synchronized (this) {
            if (state != DELIVERED) {
                ended = true;
                failure = cause;
                return;
            }
            o = outcome;
            app = application;
        }
        o.failed(cause);
        app.failed(cause);
    }

    // ---- the engine's decision ---------------------------------------------------------------------------------

    private AsyncExecCallback application;

    /** The engine delivers this response; the application receives it in {@link #deliverTo}. */
    AsyncAttemptResponse outcome(ResponseOutcome outcome) {
        synchronized (this) {
            this.outcome = outcome;
        }
        return this;
    }

    /** Hands the response to the application's callback and reports the outcome when its body ends. */
    void deliverTo(AsyncExecCallback app) {
        HttpResponse head;
        EntityDetails details;
        DeferredDataConsumer consumer;
        synchronized (this) {
            head = response;
            details = entity;
            consumer = body;
        }
        try {
            AsyncDataConsumer appConsumer = app.handleResponse(head, details);
            if (consumer != null) {
                consumer.deliverTo(appConsumer, outcome);
            }
        } catch (HttpException | java.io.IOException | RuntimeException e) {
            abort();
            outcome.failed(e);
            app.failed(e);
            return;
        }
        boolean done;
        Exception failed;
        synchronized (this) {
            application = app;
            state = DELIVERED;
            done = ended;
            failed = failure;
        }
        if (!done) {
            return;
        }
        if (failed == null) {
            outcome.finished();
            app.completed();
        } else {
            outcome.failed(failed);
            app.failed(failed);
        }
    }

    /** Throws the response away: aborts the exchange if it is still running; reports a delivered outcome. */
    void discard() {
        boolean done;
        ResponseOutcome o;
        DeferredDataConsumer consumer;
        synchronized (this) {
            state = DISCARDED;
            done = ended;
            o = outcome;
            consumer = body;
        }
        if (consumer != null) {
            consumer.drop();
        }
        if (!done) {
            abort();
        }
        if (o != null) {
            o.finished();
        }
    }

    /** Cancels whatever the attempt is waiting on (lease, connect, exchange) and drops its connection. */
    void abort() {
        cancellable.cancel();
        runtime.discardEndpoint();
    }
}
