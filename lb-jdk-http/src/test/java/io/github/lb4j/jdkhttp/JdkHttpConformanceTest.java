package io.github.lb4j.jdkhttp;

import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * lb-http's adapter conformance suite through {@link LoadBalancedHttpClient}: {@code send} for the synchronous
 * path, {@code sendAsync} for the asynchronous one. {@link JdkHttpAsyncConformanceTest} runs every case
 * with {@code sendAsync} only.
 */
class JdkHttpConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jdk-http-conformance");
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder plain = HttpClient.newBuilder().executor(executor)
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER);
        if (setup.tls()) {
            plain.sslContext(setup.sslContext());
        }
        LoadBalancedHttpClient.Builder b = LoadBalancedHttpClient.builder(plain.build())
                .rejectUnknownHosts(setup.rejectUnknownHosts()).ticker(setup.ticker()).random(setup.random());
        setup.routes().forEach(b::route);
        return new JdkTestClient(b.build(), executor, setup.readTimeout(), asyncOnly());
    }

    /** Whether {@link TestClient#execute} goes through {@code sendAsync} too. */
    boolean asyncOnly() {
        return false;
    }

    static final class JdkTestClient implements TestClient {
        private final LoadBalancedHttpClient client;
        private final ExecutorService executor;
        private final Duration readTimeout;
        private final boolean asyncOnly;

        JdkTestClient(LoadBalancedHttpClient client, ExecutorService executor, Duration readTimeout,
                      boolean asyncOnly) {
            this.client = client;
            this.executor = executor;
            this.readTimeout = readTimeout;
            this.asyncOnly = asyncOnly;
        }

        private HttpRequest toJdk(Request request) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(request.url())).timeout(readTimeout);
            request.headers().forEach(b::header);
            return b.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(request.body())).build();
        }

        @Override
        public Response execute(Request request) throws IOException {
            if (asyncOnly) {
                try {
                    return executeAsync(request).get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException) {
                        throw (IOException) e.getCause();
                    }
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
            try {
                HttpResponse<String> response = client.send(toJdk(request), HttpResponse.BodyHandlers.ofString());
                return new Response(response.statusCode(), response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            CompletableFuture<HttpResponse<String>> call;
            call = client.sendAsync(toJdk(request), HttpResponse.BodyHandlers.ofString());
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
            client.close();
            executor.shutdownNow();
        }
    }
}
