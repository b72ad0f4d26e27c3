package io.github.lb4j.okhttp;

import io.github.lb4j.http.Attempt;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * Tells the attempt when OkHttp starts to write a request's body. OkHttp writes the request line and headers first, so a
 * body that was never written means the request was never complete on the wire and no backend can have acted on
 * it: such a failure may be retried whatever the method.
 *
 * <p>Thread-safety: the attempt's flag is volatile; OkHttp writes duplex bodies on another thread.
 */
final class TrackingRequestBody extends RequestBody {

    private final RequestBody delegate;
    private final Attempt attempt;

    TrackingRequestBody(RequestBody delegate, Attempt attempt) {
        this.delegate = delegate;
        this.attempt = attempt;
    }

    @Override
    public MediaType contentType() {
        return delegate.contentType();
    }

    @Override
    public long contentLength() throws IOException {
        return delegate.contentLength();
    }

    @Override
    public boolean isDuplex() {
        return delegate.isDuplex();
    }

    @Override
    public boolean isOneShot() {
        return delegate.isOneShot();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        attempt.bodyWriteStarted();
        delegate.writeTo(sink);
    }
}
