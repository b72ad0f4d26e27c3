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
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One OkHttp call as lb-http's engine sees it: reads the request's tags and body kind, sends one attempt with
 * {@link Interceptor.Chain#proceed} to a rewritten URL, and reports the outcome when the response body closes.
 *
 * <p>Thread-safety: confined to the interceptor's call.
 */
final class OkHttpExchange implements HttpExchange<Response> {

    private final Interceptor.Chain chain;
    private final Request request;
    private final Route route;
    private final UrlTemplates templates;
    private HttpRequestView view;

    OkHttpExchange(Interceptor.Chain chain, Request request, Route route, UrlTemplates templates) {
        this.chain = chain;
        this.request = request;
        this.route = route;
        this.templates = templates;
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
        return chain.proceed(rewrite(attempt));
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
