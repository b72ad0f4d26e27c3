package io.github.lb4j.jdkhttp;

import io.github.lb4j.http.Attempt;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.Flow;

/**
 * Which request bodies may be sent a second time, and the publisher that tells an attempt when its body starts.
 *
 * <p>Replayable: the JDK's publishers over data it holds or can read again — {@code ofString},
 * {@code ofByteArray}, {@code ofFile}, {@code noBody} — and any publisher the application declared with
 * {@link LoadBalancedHttpClient#replayable}. Not replayable: everything else, in particular {@code ofInputStream}
 * (its supplier may hand out one stream only), {@code fromPublisher}, {@code ofByteArrays} (its iterable may be
 * one-shot) and {@code concat}. Classes are told apart by name, since the JDK's are not exported; a JDK that
 * renamed them would make those bodies count as one-shot, which is the safe side.
 *
 * <p>Thread-safety: stateless; the tracking publisher's flag is the attempt's, which is volatile.
 */
final class RequestBodies {

    private static final Set<String> REPLAYABLE = Set.of(
            BodyPublishers.ofByteArray(new byte[0]).getClass().getName(),
            BodyPublishers.ofString("").getClass().getName(),
            BodyPublishers.noBody().getClass().getName(),
            "jdk.internal.net.http.RequestPublishers$FilePublisher");

    private RequestBodies() {
    }

    static boolean replayable(BodyPublisher body) {
        return body instanceof Replayable || REPLAYABLE.contains(body.getClass().getName());
    }

    /** A publisher the application declared replayable. */
    static final class Replayable implements BodyPublisher {
        private final BodyPublisher delegate;

        Replayable(BodyPublisher delegate) {
            this.delegate = delegate;
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            delegate.subscribe(subscriber);
        }

        @Override
        public String toString() {
            return "replayable(" + delegate + ')';
        }
    }

    /**
     * Tells the attempt when the client asks for the body's first bytes. The JDK client subscribes to the body
     * only once the connection is open and the headers are written, so a body never asked for means a request
     * never complete on the wire: the engine may then send it elsewhere whatever its method and body.
     */
    static final class Tracking implements BodyPublisher {
        private final BodyPublisher delegate;
        private final Attempt attempt;

        Tracking(BodyPublisher delegate, Attempt attempt) {
            this.delegate = delegate;
            this.attempt = attempt;
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            delegate.subscribe(new Flow.Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                            attempt.bodyWriteStarted();
                            subscription.request(n);
                        }

                        @Override
                        public void cancel() {
                            subscription.cancel();
                        }
                    });
                }

                @Override
                public void onNext(ByteBuffer item) {
                    subscriber.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                    subscriber.onError(throwable);
                }

                @Override
                public void onComplete() {
                    subscriber.onComplete();
                }
            });
        }
    }
}
