package io.github.lb4j.spring;

import io.github.lb4j.http.ResponseOutcome;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Holds a backend's in-flight slot until the response body is read to its end or the response is closed, then
 * reports the attempt's outcome once: the classified outcome, or a failure if reading the body fails.
 * {@link ResponseOutcome} keeps only its first report, so a second close changes nothing.
 *
 * <p>Thread-safety: like any {@link ClientHttpResponse}, for one thread at a time.
 */
final class ReportingClientHttpResponse implements ClientHttpResponse {

    private final ClientHttpResponse delegate;
    private final ResponseOutcome outcome;
    private InputStream body;

    ReportingClientHttpResponse(ClientHttpResponse delegate, ResponseOutcome outcome) {
        this.delegate = delegate;
        this.outcome = outcome;
    }

    @Override
    public HttpStatusCode getStatusCode() throws IOException {
        return delegate.getStatusCode();
    }

    @Override
    public String getStatusText() throws IOException {
        return delegate.getStatusText();
    }

    @Override
    public HttpHeaders getHeaders() {
        return delegate.getHeaders();
    }

    @Override
    public InputStream getBody() throws IOException {
        if (body == null) {
            InputStream in;
            try {
                in = delegate.getBody();
            } catch (IOException | RuntimeException e) {
                outcome.failed(e);
                throw e;
            }
            body = new Reporting(in);
        }
        return body;
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            outcome.finished();
        }
    }

    @Override
    public String toString() {
        return "ReportingClientHttpResponse{" + delegate + '}';
    }

    /** Reports at the end of the stream, on a read failure, and on close. */
    private final class Reporting extends FilterInputStream {

        Reporting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = super.read();
            } catch (IOException | RuntimeException e) {
                outcome.failed(e);
                throw e;
            }
            if (b == -1) {
                outcome.finished();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = super.read(buffer, offset, length);
            } catch (IOException | RuntimeException e) {
                outcome.failed(e);
                throw e;
            }
            if (n == -1) {
                outcome.finished();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                outcome.finished();
            }
        }
    }
}
