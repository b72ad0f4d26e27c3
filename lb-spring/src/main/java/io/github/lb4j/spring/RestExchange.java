package io.github.lb4j.spring;

import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpExchange;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.support.HttpRequestWrapper;

/**
 * One RestClient/RestTemplate call as lb-http's engine sees it: each attempt is the same request with the backend's
 * URI, sent with {@link ClientHttpRequestExecution#execute}; the body is the byte array Spring buffered, so it can
 * always be sent again. The outcome is reported when the response body is read to its end or the response closed.
 *
 * <p>Spring gives an interceptor no hook for the moment the body starts on the wire. An attempt with a body counts
 * as having written it unless it failed in a way that proves the request never left (refused connection, unknown
 * host, TLS handshake), which is when any client writes a body: after the connection is made.
 *
 * <p>Thread-safety: confined to the interceptor's call.
 */
final class RestExchange implements HttpExchange<ClientHttpResponse> {

    private final HttpRequest request;
    private final byte[] body;
    private final ClientHttpRequestExecution execution;
    private final Route route;
    private HttpRequestView view;

    RestExchange(HttpRequest request, byte[] body, ClientHttpRequestExecution execution, Route route) {
        this.request = request;
        this.body = body;
        this.execution = execution;
        this.route = route;
    }

    @Override
    public HttpRequestView request() {
        if (view == null) {
            view = new SpringViews.RequestView(request.getMethod().name(), request.getURI(), request.getHeaders());
        }
        return view;
    }

    @Override
    public RequestContext context() {
        return LoadBalancingAttributes.context(request.getAttributes().get(LoadBalancingAttributes.REQUEST_CONTEXT));
    }

    @Override
    public Idempotency idempotency() {
        return LoadBalancingAttributes.idempotency(request.getAttributes().get(LoadBalancingAttributes.IDEMPOTENCY));
    }

    @Override
    public boolean hasBody() {
        return body.length > 0;
    }

    @Override
    public boolean bodyReplayable() {
        return true; // a byte array
    }

    @Override
    public ClientHttpResponse send(Attempt attempt) throws IOException {
        HttpRequest target = new AttemptRequest(request, Targets.rewrite(request.getURI(), route, attempt.backend()),
                route.preserveHostHeader());
        ClientHttpResponse response;
        if (body.length > 0 && (route.perTryTimeout() != null || route.hedging() != null)) {
            // A racing route may abandon this attempt while execute() still runs (a per-try timeout) and decide on
            // a retry at once: with no body-write hook, count the body as started from the start, so a POST that
            // may have arrived is never re-sent (a refused connection is then not retried on such a route either).
            attempt.bodyWriteStarted();
        }
        try {
            response = execution.execute(target, body);
        } catch (IOException e) {
            if (!neverSent(e)) {
                attempt.bodyWriteStarted();
            }
            throw e;
        }
        try {
            response.getStatusCode(); // read once here, where a failure is this attempt's: view() reads it again
        } catch (IOException | RuntimeException e) {
            attempt.bodyWriteStarted();
            response.close();
            throw e;
        }
        return response;
    }

    /** Failures that happen before a client can write a single byte of the request. */
    static boolean neverSent(IOException e) {
        return e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof UnknownHostException || e instanceof SSLHandshakeException
                || e instanceof SSLPeerUnverifiedException;
    }

    @Override
    public HttpResponseView view(ClientHttpResponse response) {
        try {
            return new SpringViews.ResponseView(response.getStatusCode().value(), response.getHeaders());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void discard(ClientHttpResponse response) {
        response.close();
    }

    @Override
    public ClientHttpResponse deliver(ClientHttpResponse response, ResponseOutcome outcome) {
        int status;
        try {
            status = response.getStatusCode().value();
        } catch (IOException e) {
            status = -1;
        }
        if (status != -1
                && Targets.noBody(request.getMethod().name(), status, response.getHeaders().getContentLength())) {
            outcome.finished();
            return response;
        }
        return new ReportingClientHttpResponse(response, outcome);
    }

    @Override
    public boolean isCanceled() {
        return false; // a blocking call has no cancel; its timeouts are the request factory's
    }

    /** The application's request with the backend's URI, and the logical Host header where the route keeps it. */
    private static final class AttemptRequest extends HttpRequestWrapper {
        private final URI uri;
        private final HttpHeaders headers;

        AttemptRequest(HttpRequest request, URI uri, boolean preserveHost) {
            super(request);
            this.uri = uri;
            if (preserveHost && request.getHeaders().getFirst(HttpHeaders.HOST) == null) {
                HttpHeaders copy = new HttpHeaders();
                copy.putAll(request.getHeaders());
                copy.set(HttpHeaders.HOST, Targets.logicalHost(request.getURI()));
                this.headers = copy;
            } else {
                this.headers = request.getHeaders();
            }
        }

        @Override
        public URI getURI() {
            return uri;
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }
    }
}
