package io.github.lb4j.okhttp;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpExchange;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One OkHttp call as lb-http's engine sees it: reads the request's tags and body kind, sends one attempt with
 * {@link Interceptor.Chain#proceed} to a rewritten URL, and reports the outcome when the response body closes.
 *
 * <p>For a route with a per-try timeout or hedging, OkHttp's chain cannot serve: it runs one exchange at a time,
 * and aborting an attempt would cancel the application's whole call. Each attempt is then a call of its own on the
 * {@linkplain LoadBalancingInterceptor.Builder#attemptClient attempt client} (the application's client without this
 * interceptor, sharing its connection pool), which {@link #cancel(Attempt)} cancels alone.
 *
 * <p>Thread-safety: the engine's calls are confined to the interceptor's call, except {@link #send} and
 * {@link #cancel} of racing attempts, which keep their state in a concurrent map keyed by the attempt.
 */
final class OkHttpExchange implements HttpExchange<Response> {

    private final Interceptor.Chain chain;
    private final Request request;
    private final Route route;
    private final UrlTemplates templates;
    /** Non-null when attempts are calls of their own (the route races them). */
    private final OkHttpClient attemptClient;
    private final Map<Attempt, Call> calls;
    private final Set<Attempt> canceled;
    private HttpRequestView view;

    OkHttpExchange(Interceptor.Chain chain, Request request, Route route, UrlTemplates templates,
                   OkHttpClient attemptClient) {
        this.chain = chain;
        this.request = request;
        this.route = route;
        this.templates = templates;
        this.attemptClient = attemptClient;
        this.calls = attemptClient == null ? null : new ConcurrentHashMap<>(4);
        this.canceled = attemptClient == null ? null : ConcurrentHashMap.newKeySet(4);
    }

    @Override
    public HttpRequestView request() {
        if (view == null) {
            view = new OkHttpViews.RequestView(request);
        }
        return view;
    }

    @Override
    public RequestContext context() {
        return request.tag(RequestContext.class);
    }

    @Override
    public Idempotency idempotency() {
        return request.tag(Idempotency.class);
    }

    @Override
    public boolean hasBody() {
        return request.body() != null;
    }

    @Override
    public boolean bodyReplayable() {
        RequestBody body = request.body();
        return body == null || !(body.isOneShot() || body.isDuplex());
    }

    @Override
    public Response send(Attempt attempt) throws IOException {
        if (attemptClient == null) {
            return chain.proceed(rewrite(attempt));
        }
        Call call = attemptClient.newCall(rewrite(attempt));
        calls.put(attempt, call);
        if (canceled.contains(attempt)) {
            call.cancel(); // canceled before it started: execute() fails at once
        }
        return call.execute();
    }

    @Override
    public void cancel(Attempt attempt) {
        if (attemptClient == null) {
            return; // never called: such an exchange does not race (supportsConcurrentAttempts is false)
        }
        canceled.add(attempt);
        Call call = calls.get(attempt);
        if (call != null) {
            call.cancel();
        }
    }

    @Override
    public boolean supportsConcurrentAttempts() {
        return attemptClient != null;
    }

    private Request rewrite(Attempt attempt) throws UnusableBackendException {
        Backend backend = attempt.backend();
        HttpUrl url = request.url();
        HttpUrl target;
        try {
            target = UrlTemplates.rewrite(url, templates.template(backend, url.isHttps()));
        } catch (IllegalArgumentException e) {
            throw new UnusableBackendException("route '" + route.name() + "': backend " + backend.id()
                    + " has a host OkHttp cannot put in a URL", e);
        }
        Request.Builder b = request.newBuilder().url(target);
        if (route.preserveHostHeader() && request.header("Host") == null) {
            b.header("Host", url.host()); // the URL has the scheme's default port (checked), so no ":port"
        }
        RequestBody body = request.body();
        if (body != null) {
            b.method(request.method(), new TrackingRequestBody(body, attempt));
        }
        return b.build();
    }

    @Override
    public HttpResponseView view(Response response) {
        return new OkHttpViews.ResponseView(response);
    }

    @Override
    public void discard(Response response) {
        response.close();
    }

    @Override
    public Response deliver(Response response, ResponseOutcome outcome) {
        ResponseBody body = response.body();
        if (body == null || !promisesBody(response, body)) {
            outcome.finished(); // OkHttp released the connection already; nothing to wait for
            return response;
        }
        return response.newBuilder().body(new ReportingResponseBody(body, outcome)).build();
    }

    private static boolean promisesBody(Response response, ResponseBody body) {
        int code = response.code();
        if ("HEAD".equals(response.request().method()) || code < 200 || code == 204 || code == 304) {
            return false;
        }
        return body.contentLength() != 0L;
    }

    @Override
    public boolean isCanceled() {
        return chain.call().isCanceled();
    }
}
