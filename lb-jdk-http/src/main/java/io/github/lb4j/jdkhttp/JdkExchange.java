package io.github.lb4j.jdkhttp;

import io.github.lb4j.core.Backend;
import io.github.lb4j.http.AsyncHttpExchange;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * One JDK client call as lb-http's engine sees it: each attempt is the application's request with the backend's
 * scheme-host-port put in its URI (path, query, method, headers, body, timeout, version and expect-continue kept),
 * sent with {@code send} or {@code sendAsync} of the client and the application's body handler, wrapped so that
 * the body's end is seen.
 *
 * <p>Thread-safety: per call; per-attempt state is in locals and in each attempt's {@link BodyTracker}.
 */
final class JdkExchange<T> implements AsyncHttpExchange<HttpResponse<T>> {

    private final HttpClient client;
    private final HttpRequest request;
    private final Route route;
    private final BodyHandler<T> handler;
    private final PushPromiseHandler<T> pushPromiseHandler;
    private final BodyPublisher body;
    /** The URI after the authority: raw path and query, as the application wrote them. */
    private final String pathAndQuery;
    private volatile boolean interrupted;
    /**
     * The application's thread, which built this exchange. On a racing route (per-try timeout, hedging) the engine
     * runs {@link #send} on its own attempt threads and interrupts one to abandon that attempt: only an interrupt of
     * this thread cancels the call.
     */
    private final Thread caller = Thread.currentThread();

    JdkExchange(HttpClient client, HttpRequest request, Route route, BodyHandler<T> handler,
                PushPromiseHandler<T> pushPromiseHandler) {
        this.client = client;
        this.request = request;
        this.route = route;
        this.handler = handler;
        this.pushPromiseHandler = pushPromiseHandler;
        BodyPublisher publisher = request.bodyPublisher().orElse(null);
        this.body = publisher == null || publisher.contentLength() == 0 ? null : publisher;
        URI uri = request.uri();
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        this.pathAndQuery = (path == null ? "" : path) + (query == null ? "" : "?" + query);
    }

    @Override
    public HttpRequestView request() {
        return new HttpRequestView() {
            @Override
            public String method() {
                return request.method();
            }

            @Override
            public URI uri() {
                return request.uri();
            }

            @Override
            public List<String> headers(String name) {
                return request.headers().allValues(name);
            }
        };
    }

    @Override
    public boolean hasBody() {
        return body != null;
    }

    @Override
    public boolean bodyReplayable() {
        return body == null || RequestBodies.replayable(body);
    }

    @Override
    public HttpResponse<T> send(Attempt attempt) throws IOException {
        HttpRequest rewritten = rewrite(attempt);
        BodyTracker tracker = new BodyTracker();
        try {
            return new BalancedResponse<>(client.send(rewritten, tracker.wrap(handler)), tracker);
        } catch (InterruptedException e) {
            if (Thread.currentThread() == caller) {
                interrupted = true; // the application's own interrupt: the call is canceled, no retry
            }
            Thread.currentThread().interrupt();
            InterruptedIOException x = new InterruptedIOException("interrupted while waiting for " + route.name());
            x.initCause(e);
            throw x;
        }
    }

    @Override
    public CompletableFuture<HttpResponse<T>> sendAsync(Attempt attempt) {
        HttpRequest rewritten;
        try {
            rewritten = rewrite(attempt);
        } catch (UnusableBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        BodyTracker tracker = new BodyTracker();
        CompletableFuture<HttpResponse<T>> sent = pushPromiseHandler == null
                ? client.sendAsync(rewritten, tracker.wrap(handler))
                : client.sendAsync(rewritten, tracker.wrap(handler), pushPromiseHandler);
        CompletableFuture<HttpResponse<T>> out = sent.thenApply(r -> new BalancedResponse<>(r, tracker));
        out.whenComplete((r, t) -> {
            if (out.isCancelled()) {
                // Aborts the exchange, releasing its connection. Not on the canceling thread, which may be lb4j's
                // timer (a per-try timeout): the JDK 17 client's abort can wait on its connection pool's monitor,
                // which the fleet soak saw held for seconds while every backend's connections failed at once.
                cancelExecutor().execute(() -> sent.cancel(true));
            }
        });
        sent.whenComplete((r, t) -> {
            if (r != null && out.isCancelled()) {
                tracker.abort(); // arrived as the engine canceled: nobody will read it
            }
        });
        return out;
    }

    /** The client's own executor, or the common pool for a client that runs on the JDK's default one. */
    private Executor cancelExecutor() {
        return client.executor().orElse(ForkJoinPool.commonPool());
    }

    HttpRequest rewrite(Attempt attempt) throws UnusableBackendException {
        Backend backend = attempt.backend();
        String host = backend.host().indexOf(':') >= 0 && !backend.host().startsWith("[")
                ? "[" + backend.host() + "]" : backend.host();
        URI target;
        try {
            target = URI.create(request.uri().getScheme() + "://" + host + ":" + backend.port() + pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw new UnusableBackendException("route '" + route.name() + "': backend " + backend.id()
                    + " has a host that cannot be put in a URI", e);
        }
        if (target.getHost() == null) {
            throw new UnusableBackendException("route '" + route.name() + "': backend " + backend.id()
                    + " has a host that java.net.URI does not parse as a server name", null);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(request, (name, value) -> true).uri(target);
        if (route.preserveHostHeader() && request.headers().firstValue("Host").isEmpty()) {
            // Allowed: the builder checked jdk.httpclient.allowRestrictedHeaders. The URL has the scheme's
            // default port (checked), so no ":port".
            b.header("Host", request.uri().getHost());
        }
        if (body != null) {
            b.method(request.method(), new RequestBodies.Tracking(body, attempt));
        }
        return b.build();
    }

    @Override
    public HttpResponseView view(HttpResponse<T> response) {
        return new HttpResponseView() {
            @Override
            public int status() {
                return response.statusCode();
            }

            @Override
            public List<String> headers(String name) {
                return response.headers().allValues(name);
            }
        };
    }

    @Override
    public void discard(HttpResponse<T> response) {
        ((BalancedResponse<T>) response).tracker.abort();
    }

    @Override
    public HttpResponse<T> deliver(HttpResponse<T> response, ResponseOutcome outcome) {
        ((BalancedResponse<T>) response).tracker.outcome(outcome);
        return response;
    }

    @Override
    public boolean isCanceled() {
        return interrupted;
    }

    boolean wasInterrupted() {
        return interrupted;
    }
}
