package io.github.lb4j.spring;

import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * What {@link LoadBalancingClientHttpRequestInterceptor#wrap} returns: a request factory that balances routed
 * requests itself, so that the client needs no interceptor chain. A routed request is buffered here (its body in a
 * byte array, created only when a body is written), and each attempt is a request of the delegate factory for the
 * backend's URI with the headers and attributes copied, as Spring's intercepting factory does for its last step.
 * Other hosts get the delegate's own request, untouched.
 *
 * <p>Thread-safe: it holds only the balancer and the delegate; each request it creates is for one thread, as every
 * {@link ClientHttpRequest} is.
 */
final class BalancingRequestFactory implements ClientHttpRequestFactory {

    private static final byte[] NO_BODY = new byte[0];

    private final HttpBalancer balancer;
    private final ClientHttpRequestFactory delegate;

    BalancingRequestFactory(HttpBalancer balancer, ClientHttpRequestFactory delegate) {
        this.balancer = balancer;
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (delegate instanceof BalancingRequestFactory) {
            throw new IllegalArgumentException("delegate is already a load-balancing request factory ("
                    + delegate + "); wrap the client's own factory once");
        }
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(httpMethod, "httpMethod");
        Route route = Targets.route(balancer, uri);
        if (route == null) {
            return delegate.createRequest(uri, httpMethod);
        }
        return new BalancedRequest(uri, httpMethod, route);
    }

    @Override
    public String toString() {
        return "BalancingRequestFactory" + balancer.routeNames() + " over " + delegate;
    }

    /** One routed request: buffered, then sent by the balancer as one or more attempts (this is their execution). */
    private final class BalancedRequest extends AbstractClientHttpRequest implements ClientHttpRequestExecution {
        private final URI uri;
        private final HttpMethod method;
        private final Route route;
        private ByteArrayOutputStream body;

        BalancedRequest(URI uri, HttpMethod method, Route route) {
            this.uri = uri;
            this.method = method;
            this.route = route;
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
            byte[] bytes = body == null ? NO_BODY : body.toByteArray();
            return balancer.execute(route, new RestExchange(this, bytes, this, route));
        }

        /** One attempt: {@code request} is this one with the backend's URI (and Host header, if preserved). */
        @Override
        public ClientHttpResponse execute(HttpRequest request, byte[] bytes) throws IOException {
            ClientHttpRequest attempt = delegate.createRequest(request.getURI(), request.getMethod());
            HttpHeaders to = attempt.getHeaders();
            request.getHeaders().forEach(to::addAll);
            Map<String, Object> attributes = request.getAttributes();
            if (!attributes.isEmpty()) {
                attempt.getAttributes().putAll(attributes);
            }
            if (bytes.length > 0) {
                if (to.getContentLength() < 0) {
                    to.setContentLength(bytes.length);
                }
                if (attempt instanceof StreamingHttpOutputMessage streaming) {
                    streaming.setBody(out -> out.write(bytes));
                } else {
                    attempt.getBody().write(bytes);
                }
            }
            return attempt.execute();
        }
    }
}
