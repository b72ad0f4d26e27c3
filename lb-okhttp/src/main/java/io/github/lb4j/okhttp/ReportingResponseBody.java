package io.github.lb4j.okhttp;

import io.github.lb4j.core.Selection;
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
 * {@link Selection} keeps only its first outcome, so a second close or a close after a failed read changes nothing.
 *
 * <p>Thread-safety: like any {@link ResponseBody}, for use by one thread at a time.
 */
final class ReportingResponseBody extends ResponseBody {

    private final ResponseBody delegate;
    private final Selection selection;
    /** null: the response counts as a success. */
    private final Throwable failure;
    private BufferedSource source;

    ReportingResponseBody(ResponseBody delegate, Selection selection, Throwable failure) {
        this.delegate = delegate;
        this.selection = selection;
        this.failure = failure;
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
                        selection.failure(e);
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
        if (failure == null) {
            selection.success();
        } else {
            selection.failure(failure);
        }
    }
}
