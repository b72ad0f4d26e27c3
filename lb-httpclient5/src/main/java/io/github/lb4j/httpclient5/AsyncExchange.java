package io.github.lb4j.httpclient5;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.AsyncHttpExchange;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * One async HttpClient call as lb-http's engine sees it: each attempt is the request rewritten to the backend and
 * sent down the rest of the async exec chain in a scope whose {@link HttpRoute} targets that backend, on a fork of
 * the call's runtime and with its own cancellable (see {@link AsyncAttemptResponse}).
 *
 * <p>Thread-safety: the engine calls it one step at a time, possibly from different threads.
 */
final class AsyncExchange implements AsyncHttpExchange<AsyncAttemptResponse> {

    private final HttpRequest request;
    private final AsyncEntityProducer entity;
    private final AsyncExecChain.Scope scope;
    private final AsyncExecChain chain;
    private final Route route;
    private final String scheme;
    private HttpRequestView view;

    AsyncExchange(HttpRequest request, AsyncEntityProducer entity, AsyncExecChain.Scope scope, AsyncExecChain chain,
                  Route route) {
        this.request = request;
        this.entity = entity;
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
        return entity != null;
    }

    @Override
    public boolean bodyReplayable() {
        return entity == null || entity.isRepeatable();
    }

    @Override
    public CompletableFuture<AsyncAttemptResponse> sendAsync(Attempt attempt) {
        Backend backend = attempt.backend();
        HttpRoute target;
        try {
            target = Routing.attemptRoute(route, backend, scheme, scope.route);
        } catch (UnusableBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        BasicHttpRequest out = new BasicHttpRequest(request.getMethod(), scheme, Routing.authority(backend),
                request.getPath());
        out.setVersion(request.getVersion());
        out.setHeaders(request.getHeaders());
        if (route.preserveHostHeader() && !request.containsHeader(HttpHeaders.HOST)) {
            out.setHeader(HttpHeaders.HOST, Routing.host(request, scope.route)); // default port only (checked)
        }
        if (entity != null && attempt.number() > 1) {
            entity.releaseResources(); // rewinds a repeatable producer, as HttpClient's own retry does
        }
        AsyncAttemptResponse callback = new AsyncAttemptResponse(scope.execRuntime.fork());
        AsyncExecChain.Scope attemptScope = new AsyncExecChain.Scope(scope.exchangeId, target, scope.originalRequest,
                callback.cancellable, scope.clientContext, callback.runtime, scope.scheduler, scope.execCount);
        try {
            chain.proceed(out, entity == null ? null : new TrackingEntityProducer(entity, attempt), attemptScope,
                    callback);
        } catch (HttpException e) {
            callback.failed(new ClientProtocolException(e.getMessage(), e));
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
        }
        return callback.future;
    }

    @Override
    public HttpResponseView view(AsyncAttemptResponse response) {
        return new Hc5Views.ResponseView(response.response());
    }

    @Override
    public void discard(AsyncAttemptResponse response) {
        response.discard();
    }

    @Override
    public AsyncAttemptResponse deliver(AsyncAttemptResponse response, ResponseOutcome outcome) {
        return response.outcome(outcome);
    }

    @Override
    public boolean isCanceled() {
        return scope.cancellableDependency != null && scope.cancellableDependency.isCancelled();
    }
}
