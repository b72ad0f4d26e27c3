package io.github.lb4j.okhttp;

import io.github.lb4j.http.ResponseOutcome;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * Holds a backend's in-flight slot until the response body is closed or read to its end, then reports the
 * attempt's outcome exactly once: the classified outcome, or a failure if reading the body fails. The
 * {@link ResponseOutcome} keeps only its first report, so a second close or a close after a failed read changes nothing.
 *
 * <p>Thread-safety: like any {@link ResponseBody}, for use by one thread at a time.
 */
final class ReportingResponseBody extends ResponseBody {

    private final ResponseBody delegate;
    private final ResponseOutcome outcome;
    private BufferedSource source;

    ReportingResponseBody(ResponseBody delegate, ResponseOutcome outcome) {
        this.delegate = delegate;
        this.outcome = outcome;
    }

    @Override
    public MediaType contentType() {
        return delegate.contentType();
    }

    @Override
    public long contentLength() {
        return delegate.contentLength();
    }

    @Override
    public BufferedSource source() {
        if (source == null) {
            source = Okio.buffer(new ForwardingSource(delegate.source()) {
                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                    long read;
                    try {
                        read = super.read(sink, byteCount);
                    } catch (IOException | RuntimeException e) {
                        outcome.failed(e);
                        throw e;
                    }
                    if (read == -1L) {
                        complete();
                    }
                    return read;
                }

                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        complete();
                    }
                }
            });
        }
        return source;
    }

    @Override
    public void close() {
        try {
            source().close();
        } catch (IOException ignored) {
            // Closing quietly, as ResponseBody.close() does; the outcome is reported by the source's close.
        } finally {
            complete();
        }
    }

    private void complete() {
        outcome.finished();
    }
}
