package io.github.lb4j.httpclient5;

import io.github.lb4j.http.Attempt;
import java.io.IOException;
import java.util.Set;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * Tells the attempt when the async client starts to produce a request entity: before that, only the request head
 * can have gone out, so a failure may be retried whatever the method.
 *
 * <p>Thread-safety: as the wrapped producer (called on the I/O reactor); the attempt's flag is volatile.
 */
final class TrackingEntityProducer implements AsyncEntityProducer {

    private final AsyncEntityProducer delegate;
    private final Attempt attempt;

    TrackingEntityProducer(AsyncEntityProducer delegate, Attempt attempt) {
        this.delegate = delegate;
        this.attempt = attempt;
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
        attempt.bodyWriteStarted();
        delegate.produce(channel);
    }

    @Override
    public int available() {
        return delegate.available();
    }

    @Override
    public boolean isRepeatable() {
        return delegate.isRepeatable();
    }

    @Override
    public void failed(Exception cause) {
        delegate.failed(cause);
    }

    @Override
    public void releaseResources() {
        delegate.releaseResources();
    }

    @Override
    public long getContentLength() {
        return delegate.getContentLength();
    }

    @Override
    public String getContentType() {
        return delegate.getContentType();
    }

    @Override
    public String getContentEncoding() {
        return delegate.getContentEncoding();
    }

    @Override
    public boolean isChunked() {
        return delegate.isChunked();
    }

    @Override
    public Set<String> getTrailerNames() {
        return delegate.getTrailerNames();
    }
}
