package io.github.lb4j.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A request factory that does what lb-spring's wrapped factory does around the balancer and nothing of the balancer:
 * buffers the request, builds the attempt's {@link URI} by parsing a string (as {@code Targets.rewrite} does), makes
 * a request of the delegate with the headers copied, and wraps the response and its body stream. With it as the
 * balanced side of a pair ({@code spring-passthrough}), the ratio is the cost of wrapping a Spring request factory at
 * all: what is left of the {@code spring-factory} gap is lb4j's own. Each step can be turned off, to find which one
 * costs: {@code parseUri}, {@code copyHeaders}, {@code wrapResponse}.
 *
 * <p>Thread-safe, as the delegate is; each request for one thread.
 */
final class PassThroughRequestFactory implements ClientHttpRequestFactory {

    private final ClientHttpRequestFactory delegate;
    private final boolean parseUri;
    private final boolean copyHeaders;
    private final boolean wrapResponse;

    PassThroughRequestFactory(ClientHttpRequestFactory delegate, boolean parseUri, boolean copyHeaders,
                              boolean wrapResponse) {
        this.delegate = delegate;
        this.parseUri = parseUri;
        this.copyHeaders = copyHeaders;
        this.wrapResponse = wrapResponse;
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
        return new Buffered(uri, httpMethod);
    }

    private final class Buffered extends AbstractClientHttpRequest {
        private final URI uri;
        private final HttpMethod method;
        private ByteArrayOutputStream body;

        Buffered(URI uri, HttpMethod method) {
            this.uri = uri;
            this.method = method;
        }

        @Override
        public HttpMethod getMethod() {
            return method;
        }

        @Override
        public URI getURI() {
            return uri;
        }

        @Override
        protected OutputStream getBodyInternal(HttpHeaders headers) {
            if (body == null) {
                body = new ByteArrayOutputStream(256);
            }
            return body;
        }

        @Override
        protected ClientHttpResponse executeInternal(HttpHeaders headers) throws IOException {
            URI target = uri;
            if (parseUri) {
                StringBuilder b = new StringBuilder(64).append(uri.getScheme()).append("://").append(uri.getHost())
                        .append(':').append(uri.getPort()).append(uri.getRawPath());
                if (uri.getRawQuery() != null) {
                    b.append('?').append(uri.getRawQuery());
                }
                try {
                    target = new URI(b.toString());
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
            }
            ClientHttpRequest attempt = delegate.createRequest(target, method);
            if (copyHeaders) {
                HttpHeaders to = attempt.getHeaders();
                headers.forEach(to::addAll);
            }
            if (body != null && body.size() > 0) {
                attempt.getBody().write(body.toByteArray());
            }
            ClientHttpResponse response = attempt.execute();
            return wrapResponse ? new Wrapped(response) : response;
        }
    }

    private static final class Wrapped implements ClientHttpResponse {
        private final ClientHttpResponse delegate;
        private InputStream body;

        Wrapped(ClientHttpResponse delegate) {
            this.delegate = delegate;
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
                body = new FilterInputStream(delegate.getBody()) { };
            }
            return body;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
