package io.github.lb4j.httpclient5;

import io.github.lb4j.http.ResponseOutcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;

/**
 * The body consumer of one attempt's response, handed to HttpClient before the engine has decided whether the
 * response goes to the application or is thrown away (the decision may come from another thread, an instant
 * later). Until then it keeps what arrives (bounded by the connection's initial input window, since it grants no
 * capacity of its own); then it replays that into the application's consumer and forwards everything after, or
 * drops it all.
 *
 * <p>Thread-safety: HttpClient's reactor calls one method at a time; {@link #deliverTo} and {@link #drop} may run on
 * another thread, and the lock orders the replay before anything that arrives later.
 */
final class DeferredDataConsumer implements AsyncDataConsumer {

    /** Set once: the application's consumer, or {@link #DROP}. */
    private volatile AsyncDataConsumer target;
    private CapacityChannel capacity;
    private List<ByteBuffer> pending;
    private boolean ended;
    private List<? extends Header> trailers;
    /** Reported as finished just before the application's consumer sees the end of the body; null when dropped. */
    private volatile ResponseOutcome outcome;

    private static final AsyncDataConsumer DROP = new AsyncDataConsumer() {
        @Override
        public void updateCapacity(CapacityChannel channel) throws IOException {
            channel.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) {
            src.position(src.limit());
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
        }

        @Override
        public void releaseResources() {
        }
    };

    /**
     * Replays what arrived so far into {@code consumer} and forwards everything after. The outcome is reported
     * before the consumer sees the end of the body: a consumer that completes the application's future there (as
     * HttpClient's own response consumers do) must find the pool already told, so that the next call sees it.
     *
     * @throws IOException or HttpException as the consumer throws them while replaying
     */
    void deliverTo(AsyncDataConsumer consumer, ResponseOutcome outcome) throws IOException, HttpException {
        synchronized (this) {
            this.outcome = outcome;
            AsyncDataConsumer c = consumer == null ? DROP : consumer;
            try {
                if (capacity != null) {
                    c.updateCapacity(capacity);
                }
                if (pending != null) {
                    for (ByteBuffer b : pending) {
                        c.consume(b);
                    }
                }
                if (ended) {
                    outcome.finished();
                    c.streamEnd(trailers);
                }
            } finally {
                pending = null;
                target = c;
            }
        }
    }

    /** Throws away what arrived and whatever arrives later. */
    void drop() {
        synchronized (this) {
            pending = null;
            if (target == null) {
                target = DROP;
            }
        }
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
        AsyncDataConsumer t = target;
        if (t == null) {
            synchronized (this) {
                t = target;
                if (t == null) {
                    capacity = channel;
                    return;
                }
            }
        }
        t.updateCapacity(channel);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
        AsyncDataConsumer t = target;
        if (t == null) {
            synchronized (this) {
                t = target;
                if (t == null) {
                    ByteBuffer copy = ByteBuffer.allocate(src.remaining());
                    copy.put(src).flip();
                    if (pending == null) {
                        pending = new ArrayList<>(2);
                    }
                    pending.add(copy);
                    return;
                }
            }
        }
        t.consume(src);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
        AsyncDataConsumer t = target;
        if (t == null) {
            synchronized (this) {
                t = target;
                if (t == null) {
                    ended = true;
                    this.trailers = trailers;
                    return;
                }
            }
        }
        ResponseOutcome o = outcome;
        if (o != null) {
            o.finished(); // only the first report counts: the exchange's completion reports again, ignored
        }
        t.streamEnd(trailers);
    }

    @Override
    public void releaseResources() {
        AsyncDataConsumer t = target;
        if (t != null) {
            t.releaseResources();
        }
    }
}
