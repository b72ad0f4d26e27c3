package io.github.lb4j.jdkhttp;

import io.github.lb4j.http.ResponseOutcome;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Spliterator;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One attempt's response body: finds out when it is finished and then reports the attempt's outcome, whichever of
 * the two comes second (a {@code ofString} body is complete before the engine has classified the response; a
 * streaming one long after). "Finished" is, by the kind of body the application's handler produces:
 *
 * <ul>
 *   <li>the JDK's {@link InputStream} ({@code ofInputStream}): read to its end or closed by the application;</li>
 *   <li>a {@link Stream} ({@code ofLines}): consumed to its end or closed;</li>
 *   <li>anything else ({@code ofString}, {@code ofByteArray}, {@code ofFile}, {@code ofPublisher},
 *       {@code discarding}, custom subscribers): the last byte received, a read failure, or the consumer's cancel
 *       (an {@code ofPublisher} subscriber that cancels, for one);</li>
 *   <li>a response whose body had no byte at all (HEAD, 204, 304, empty): when the client saw its end.</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe; the client's threads, the engine's and the application's all touch it.
 */
final class BodyTracker {

    /** Where the body's end is seen: not known until the handler produced its body. */
    private enum Mode { UNKNOWN, NETWORK, CONSUMER }

    private Mode mode = Mode.UNKNOWN;
    private boolean networkEnded;
    private Throwable networkFailure;
    private boolean consumerEnded;
    private Throwable consumerFailure;
    private boolean sawData;
    private ResponseOutcome outcome;
    private boolean reported;
    private Flow.Subscription subscription;
    private boolean aborted;

    <T> BodyHandler<T> wrap(BodyHandler<T> handler) {
        return info -> new ReportingSubscriber<>(handler.apply(info), this);
    }

    /** The engine's classified outcome, to report once the body is finished (at once if it is already). */
    void outcome(ResponseOutcome o) {
        synchronized (this) {
            outcome = o;
        }
        reportIfDone();
    }

    /**
     * Releases the body of a response the application will not get (or, after delivery, no longer wants): cancels
     * the network subscription, which releases the connection, and reports the outcome if one was handed over.
     */
    void abort() {
        Flow.Subscription s;
        synchronized (this) {
            aborted = true;
            networkEnded = true;
            consumerEnded = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
        reportIfDone();
    }

    private void subscribed(Flow.Subscription s) {
        boolean cancel;
        synchronized (this) {
            subscription = s;
            cancel = aborted;
        }
        if (cancel) {
            s.cancel();
        }
    }

    private synchronized void data() {
        sawData = true;
    }

    private void networkEnd(Throwable failure) {
        synchronized (this) {
            if (networkEnded) {
                return;
            }
            networkEnded = true;
            networkFailure = failure;
        }
        reportIfDone();
    }

    private void consumerEnd(Throwable failure) {
        synchronized (this) {
            if (consumerEnded) {
                return;
            }
            consumerEnded = true;
            consumerFailure = failure;
        }
        reportIfDone();
    }

    private void reportIfDone() {
        ResponseOutcome o;
        Throwable failure;
        synchronized (this) {
            if (reported || outcome == null) {
                return;
            }
            boolean emptyBody = networkEnded && !sawData;
            if (mode == Mode.CONSUMER && !emptyBody) {
                if (!consumerEnded) {
                    return;
                }
                failure = consumerFailure != null ? consumerFailure : networkFailure;
            } else {
                if (!networkEnded) {
                    return;
                }
                failure = networkFailure;
            }
            reported = true;
            o = outcome;
        }
        if (failure != null && !aborted) {
            o.failed(failure);
        } else {
            o.finished();
        }
    }

    /**
     * The body the application gets: the JDK's own input stream and streams wrapped so that their end is seen,
     * anything else as is. Only the JDK's classes are wrapped, so that the wrapper is always of the type the
     * application's handler declared ({@code InputStream}, {@code Stream<String>}).
     */
    @SuppressWarnings("unchecked")
    private <T> T body(T body) {
        Mode m = Mode.NETWORK;
        Object out = body;
        if (body instanceof InputStream && body.getClass().getName().startsWith("jdk.internal.net.http.")) {
            m = Mode.CONSUMER;
            out = new ReportingInputStream((InputStream) body, this);
        } else if (body instanceof Stream && body.getClass().getName().startsWith("java.util.stream.")) {
            m = Mode.CONSUMER;
            out = reporting((Stream<Object>) body);
        }
        synchronized (this) {
            mode = m;
        }
        reportIfDone();
        return (T) out;
    }

    private Stream<Object> reporting(Stream<Object> lines) {
        boolean parallel = lines.isParallel();
        Spliterator<Object> source = lines.spliterator();
        return StreamSupport.stream(new ReportingSpliterator(source, this), parallel).onClose(() -> {
            try {
                lines.close();
            } finally {
                consumerEnd(null);
            }
        });
    }

    /** Passes everything through to the application's subscriber and tells the tracker where the body is. */
    private static final class ReportingSubscriber<T> implements BodySubscriber<T> {
        private final BodySubscriber<T> delegate;
        private final BodyTracker tracker;

        ReportingSubscriber(BodySubscriber<T> delegate, BodyTracker tracker) {
            this.delegate = delegate;
            this.tracker = tracker;
        }

        @Override
        public CompletionStage<T> getBody() {
            return delegate.getBody().thenApply(tracker::body);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            tracker.subscribed(subscription);
            delegate.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    subscription.request(n);
                }

                @Override
                public void cancel() {
                    try {
                        subscription.cancel();
                    } finally {
                        tracker.networkEnd(null); // the consumer closed the body: it is finished
                    }
                }
            });
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            for (ByteBuffer b : item) {
                if (b.hasRemaining()) {
                    tracker.data();
                    break;
                }
            }
            delegate.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            // Marked before the delegate hears: its completion may hand the response to the application at once
            // (ofString's send returns then), and the outcome must not be reported after the caller looked.
            tracker.networkEnd(throwable);
            delegate.onError(throwable);
        }

        @Override
        public void onComplete() {
            tracker.networkEnd(null); // before the delegate completes the body: see onError
            delegate.onComplete();
        }
    }

    /** The JDK's response input stream; its end of stream, read failure or close finishes the body. */
    private static final class ReportingInputStream extends FilterInputStream {
        private final BodyTracker tracker;

        ReportingInputStream(InputStream in, BodyTracker tracker) {
            super(in);
            this.tracker = tracker;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b < 0) {
                    tracker.consumerEnd(null);
                }
                return b;
            } catch (IOException | RuntimeException e) {
                tracker.consumerEnd(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n < 0) {
                    tracker.consumerEnd(null);
                }
                return n;
            } catch (IOException | RuntimeException e) {
                tracker.consumerEnd(e);
                throw e;
            }
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            // Through read(byte[], int, int), so that the end is seen whatever FilterInputStream does here.
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; (n = read(buffer, 0, buffer.length)) >= 0; ) {
                out.write(buffer, 0, n);
                total += n;
            }
            return total;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                tracker.consumerEnd(null);
            }
        }
    }

    /** A stream's elements; running out of them, or failing to read the next, finishes the body. */
    private static final class ReportingSpliterator implements Spliterator<Object> {
        private final Spliterator<Object> delegate;
        private final BodyTracker tracker;

        ReportingSpliterator(Spliterator<Object> delegate, BodyTracker tracker) {
            this.delegate = delegate;
            this.tracker = tracker;
        }

        @Override
        public boolean tryAdvance(Consumer<? super Object> action) {
            boolean advanced;
            try {
                advanced = delegate.tryAdvance(action);
            } catch (UncheckedIOException e) {
                tracker.consumerEnd(e.getCause());
                throw e;
            }
            if (!advanced) {
                tracker.consumerEnd(null);
            }
            return advanced;
        }

        @Override
        public void forEachRemaining(Consumer<? super Object> action) {
            try {
                delegate.forEachRemaining(action);
            } catch (UncheckedIOException e) {
                tracker.consumerEnd(e.getCause());
                throw e;
            }
            tracker.consumerEnd(null);
        }

        @Override
        public Spliterator<Object> trySplit() {
            return null; // one sequence, so that its end is one event
        }

        @Override
        public long estimateSize() {
            return delegate.estimateSize();
        }

        @Override
        public int characteristics() {
            return delegate.characteristics() & ~(Spliterator.SIZED | Spliterator.SUBSIZED);
        }
    }
}
