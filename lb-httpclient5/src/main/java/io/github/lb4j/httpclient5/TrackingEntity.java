package io.github.lb4j.httpclient5;

import io.github.lb4j.http.Attempt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * Tells the attempt when HttpClient starts to send a request entity ({@code writeTo}, or {@code getContent} for a
 * client that streams it itself). The request line and headers go first, so an entity never written means a request
 * never complete on the wire: its failure may be retried whatever the method.
 *
 * <p>Thread-safety: as the wrapped entity; the attempt's flag is volatile.
 */
final class TrackingEntity extends HttpEntityWrapper {

    private final Attempt attempt;

    TrackingEntity(HttpEntity delegate, Attempt attempt) {
        super(delegate);
        this.attempt = attempt;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        attempt.bodyWriteStarted();
        super.writeTo(out);
    }

    @Override
    public InputStream getContent() throws IOException {
        attempt.bodyWriteStarted();
        return super.getContent();
    }
}
