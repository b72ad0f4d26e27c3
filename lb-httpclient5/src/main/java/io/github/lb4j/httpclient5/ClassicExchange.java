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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>On a route with a per-try timeout or hedging, attempts may run at once on the engine's attempt threads: each
 * then runs on its own fork of the call's {@link ExecRuntime} (one connection endpoint each), and
 * {@link #cancel(Attempt)} discards that fork's endpoint, which aborts its blocked read. Other routes send every
 * attempt on the call's own runtime, one after another.
 *
 * <p>Thread-safety: confined to the handler's call; racing attempts share only the map of their runtimes.
 */
final class ClassicExchange implements HttpExchange<ClassicHttpResponse> {

    private final ClassicHttpRequest request;
    private final ExecChain.Scope scope;
    private final ExecChain chain;
    private final Route route;
    private final String scheme;
    private HttpRequestView view;
    /** The forked runtime of each racing attempt in flight (empty for routes that do not race). */
    private final Map<Attempt, ExecRuntime> forks = new ConcurrentHashMap<>();

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
        ExecRuntime runtime;
        boolean forked = route.perTryTimeout() != null || route.hedging() != null;
        if (forked) {
            runtime = scope.execRuntime.fork(null); // its own endpoint: attempts may race
            forks.put(attempt, runtime);
        } else {
            runtime = scope.execRuntime;
            if (runtime.isEndpointAcquired()) {
                runtime.discardEndpoint(); // never send an attempt over the previous backend's connection
            }
        }
        try {
            return chain.proceed(out, new ExecChain.Scope(scope.exchangeId, target, scope.originalRequest, runtime,
                    scope.clientContext));
        } catch (HttpException e) {
            if (forked) {
                runtime.discardEndpoint();
            }
            throw new ClientProtocolException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (forked) {
                runtime.discardEndpoint();
            }
            throw e;
        } finally {
            if (forked) {
                forks.remove(attempt);
            }
        }
    }

    /** Aborts a racing attempt: discarding its fork's endpoint closes the connection its thread reads from. */
    @Override
    public void cancel(Attempt attempt) {
        ExecRuntime runtime = forks.get(attempt);
        if (runtime != null) {
            runtime.discardEndpoint();
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
