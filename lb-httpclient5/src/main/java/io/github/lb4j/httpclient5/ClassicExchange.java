package io.github.lb4j.httpclient5;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpExchange;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import java.io.IOException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;

/**
 * One classic HttpClient call as lb-http's engine sees it: each attempt is the request rewritten to the backend and
 * sent down the rest of the exec chain in a scope whose {@link HttpRoute} targets that backend (so the connection
 * pool, which keys by route, keeps connections per backend), and the outcome is reported when the response entity
 * is consumed or the response closed.
 *
 * <p>Thread-safety: confined to the handler's call.
 */
final class ClassicExchange implements HttpExchange<ClassicHttpResponse> {

    private final ClassicHttpRequest request;
    private final ExecChain.Scope scope;
    private final ExecChain chain;
    private final Route route;
    private final String scheme;
    private HttpRequestView view;

    ClassicExchange(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain, Route route) {
        this.request = request;
        this.scope = scope;
        this.chain = chain;
        this.route = route;
        this.scheme = Routing.scheme(request, scope.route);
    }

    @Override
    public HttpRequestView request() {
        if (view == null) {
            view = new Hc5Views.RequestView(request);
        }
        return view;
    }

    @Override
    public RequestContext context() {
        return Routing.requestContext(scope.clientContext);
    }

    @Override
    public Idempotency idempotency() {
        return Routing.idempotency(scope.clientContext);
    }

    @Override
    public boolean hasBody() {
        return request.getEntity() != null;
    }

    @Override
    public boolean bodyReplayable() {
        HttpEntity entity = request.getEntity();
        return entity == null || entity.isRepeatable();
    }

    @Override
    public ClassicHttpResponse send(Attempt attempt) throws IOException {
        Backend backend = attempt.backend();
        HttpRoute target = Routing.attemptRoute(route, backend, scheme, scope.route);
        BasicClassicHttpRequest out = new BasicClassicHttpRequest(request.getMethod(), scheme,
                Routing.authority(backend), request.getPath());
        out.setVersion(request.getVersion());
        out.setHeaders(request.getHeaders());
        if (route.preserveHostHeader() && !request.containsHeader(HttpHeaders.HOST)) {
            out.setHeader(HttpHeaders.HOST, Routing.host(request, scope.route)); // default port only (checked)
        }
        HttpEntity entity = request.getEntity();
        if (entity != null) {
            out.setEntity(new TrackingEntity(entity, attempt));
        }
        ExecRuntime runtime = scope.execRuntime;
        if (runtime.isEndpointAcquired()) {
            runtime.discardEndpoint(); // never send an attempt over the previous backend's connection
        }
        try {
            return chain.proceed(out, new ExecChain.Scope(scope.exchangeId, target, scope.originalRequest, runtime,
                    scope.clientContext));
        } catch (HttpException e) {
            throw new ClientProtocolException(e.getMessage(), e);
        }
    }

    @Override
    public HttpResponseView view(ClassicHttpResponse response) {
        return new Hc5Views.ResponseView(response);
    }

    @Override
    public void discard(ClassicHttpResponse response) {
        try {
            response.close(); // closes the entity: HttpClient drops or releases the connection
        } catch (IOException ignored) {
            // The response is thrown away; its connection is discarded by the close either way.
        }
    }

    @Override
    public ClassicHttpResponse deliver(ClassicHttpResponse response, ResponseOutcome outcome) {
        HttpEntity entity = response.getEntity();
        if (entity == null || !entity.isStreaming() || entity.getContentLength() == 0) {
            outcome.finished(); // HttpClient released the connection already; nothing to wait for
            return response;
        }
        response.setEntity(new ReportingEntity(entity, outcome));
        return response;
    }

    @Override
    public boolean isCanceled() {
        return scope.execRuntime.isExecutionAborted();
    }
}
