package io.github.lb4j.http.conformance;

import io.github.lb4j.core.Backend;
import io.github.lb4j.http.AsyncHttpExchange;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The suite through the JDK's own {@link HttpClient} and a minimal adapter written here against the SPI, sync
 * ({@code send}) and async ({@code sendAsync}). It proves that the suite and the engine's asynchronous path need no
 * OkHttp; it is a sketch of lb-jdk-http (issue 14), not that module: no streaming body handlers, no Host header
 * (restricted in the JDK client), and no route-name certificates (the JDK client takes no hostname verifier; the
 * real adapter must verify through its trust manager), so that one case is left to it.
 */
class JdkHttpClientConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        HttpBalancer.Builder b = HttpBalancer.builder().rejectUnknownHosts(setup.rejectUnknownHosts())
                .ticker(setup.ticker()).random(setup.random());
        setup.routes().forEach(b::route);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jdk-client");
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder client = HttpClient.newBuilder().executor(executor)
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER);
        if (setup.tls()) {
            client.sslContext(setup.sslContext());
        }
        return new JdkTestClient(b.build(), client.build(), executor, setup.readTimeout());
    }

    @Override
    @Test
    @Disabled("the JDK client takes no hostname verifier; route-name certificates are lb-jdk-http's (issue 14)")
    void certificatesAreVerifiedAgainstTheRouteNameOnlyWhereTheRouteSaysSo() {
    }

    private static final class JdkTestClient implements TestClient {
        private final HttpBalancer balancer;
        private final HttpClient client;
        private final ExecutorService executor;
        private final Duration readTimeout;

        JdkTestClient(HttpBalancer balancer, HttpClient client, ExecutorService executor, Duration readTimeout) {
            this.balancer = balancer;
            this.client = client;
            this.executor = executor;
            this.readTimeout = readTimeout;
        }

        private HttpRequest toJdk(Request request) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(request.url())).timeout(readTimeout);
            request.headers().forEach(b::header);
            return b.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(request.body())).build();
        }

        private Route route(HttpRequest request) throws IOException {
            String host = request.uri().getHost().toLowerCase(Locale.ROOT);
            Route route = balancer.route(host);
            if (route == null && balancer.rejectsUnknownHosts()) {
                throw balancer.unknownHost(host);
            }
            if (route != null && request.uri().getPort() != -1) {
                throw balancer.explicitPort(route, request.uri().getPort());
            }
            return route;
        }

        @Override
        public Response execute(Request request) throws IOException {
            HttpRequest jdk = toJdk(request);
            Route route = route(jdk);
            HttpResponse<String> response;
            if (route == null) {
                try {
                    response = client.send(jdk, HttpResponse.BodyHandlers.ofString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            } else {
                response = balancer.execute(route, new JdkExchange(client, jdk, route));
            }
            return new Response(response.statusCode(), response.body());
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            HttpRequest jdk = toJdk(request);
            Route route;
            try {
                route = route(jdk);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            CompletableFuture<HttpResponse<String>> call = route == null
                    ? client.sendAsync(jdk, HttpResponse.BodyHandlers.ofString())
                    : balancer.executeAsync(route, new JdkExchange(client, jdk, route));
            CompletableFuture<Response> out = call.thenApply(r -> new Response(r.statusCode(), r.body()));
            out.whenComplete((r, t) -> {
                if (out.isCancelled()) {
                    call.cancel(true);
                }
            });
            return out;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    /** One JDK client call as the engine sees it. */
    private static final class JdkExchange implements AsyncHttpExchange<HttpResponse<String>> {
        private final HttpClient client;
        private final HttpRequest request;

        JdkExchange(HttpClient client, HttpRequest request, Route route) {
            this.client = client;
            this.request = request;
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
            return request.bodyPublisher().map(p -> p.contentLength() != 0).orElse(false);
        }

        @Override
        public boolean bodyReplayable() {
            return true; // ofString and noBody publishers can be subscribed again
        }

        private HttpRequest rewrite(Attempt attempt) {
            Backend backend = attempt.backend();
            URI uri = request.uri();
            String host = backend.host().indexOf(':') >= 0 ? "[" + backend.host() + "]" : backend.host();
            URI target = URI.create(uri.getScheme() + "://" + host + ":" + backend.port()
                    + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            HttpRequest.BodyPublisher body = request.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody());
            return HttpRequest.newBuilder(request, (n, v) -> true).uri(target)
                    .method(request.method(), new Tracking(body, attempt)).build();
        }

        @Override
        public HttpResponse<String> send(Attempt attempt) throws IOException {
            try {
                return client.send(rewrite(attempt), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public CompletableFuture<HttpResponse<String>> sendAsync(Attempt attempt) {
            return client.sendAsync(rewrite(attempt), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public HttpResponseView view(HttpResponse<String> response) {
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
        public void discard(HttpResponse<String> response) {
            // ofString: the body was read and the connection released already
        }

        @Override
        public HttpResponse<String> deliver(HttpResponse<String> response, ResponseOutcome outcome) {
            outcome.finished(); // ofString: the body is finished when the response exists
            return response;
        }

        @Override
        public boolean isCanceled() {
            return false; // the async path's cancellation is the engine's future; send() has none
        }
    }

    /** Tells the attempt when the client subscribes to the body, i.e. starts to send it. */
    private static final class Tracking implements HttpRequest.BodyPublisher {
        private final HttpRequest.BodyPublisher delegate;
        private final Attempt attempt;

        Tracking(HttpRequest.BodyPublisher delegate, Attempt attempt) {
            this.delegate = delegate;
            this.attempt = attempt;
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            if (delegate.contentLength() != 0) {
                attempt.bodyWriteStarted();
            }
            delegate.subscribe(subscriber);
        }
    }
}
