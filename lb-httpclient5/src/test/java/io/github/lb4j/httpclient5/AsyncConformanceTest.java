package io.github.lb4j.httpclient5;

import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * lb-http's adapter conformance suite through {@code CloseableHttpAsyncClient} with {@link LoadBalancingAsyncExec}
 * added first: {@code execute(request, callback)} for both paths (the synchronous one waits on the future).
 */
class AsyncConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        return new AsyncTestClient(asyncClient(setup));
    }

    /** The client a conformance case asks for: HttpClient's own retries and redirects off, as documented. */
    static CloseableHttpAsyncClient asyncClient(ClientSetup setup) {
        LoadBalancingAsyncExec.Builder b = LoadBalancingAsyncExec.builder()
                .rejectUnknownHosts(setup.rejectUnknownHosts()).ticker(setup.ticker()).random(setup.random());
        for (Route route : setup.routes()) {
            b.route(route);
        }
        PoolingAsyncClientConnectionManagerBuilder connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2))
                        .setSocketTimeout(Timeout.of(setup.readTimeout())).build());
        if (setup.tls()) {
            connections.setTlsStrategy(new DefaultClientTlsStrategy(setup.sslContext()));
        }
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(connections.build())
                .addExecInterceptorFirst("lb4j", b.build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(setup.readTimeout())).build())
                .build();
        client.start();
        return client;
    }

    static SimpleHttpRequest toSimple(TestClient.Request request) {
        SimpleRequestBuilder b = SimpleRequestBuilder.create(request.method()).setUri(request.url());
        request.headers().forEach(b::setHeader);
        if (request.body() != null) {
            b.setBody(request.body(), ContentType.TEXT_PLAIN);
        }
        return b.build();
    }

    private static final class AsyncTestClient implements TestClient {
        private final CloseableHttpAsyncClient client;

        AsyncTestClient(CloseableHttpAsyncClient client) {
            this.client = client;
        }

        @Override
        public Response execute(Request request) throws IOException {
            try {
                SimpleHttpResponse r = client.execute(toSimple(request), null).get();
                return new Response(r.getCode(), r.getBodyText() == null ? "" : r.getBodyText());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException) {
                    throw (IOException) e.getCause();
                }
                throw new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            CompletableFuture<Response> out = new CompletableFuture<>();
            Future<SimpleHttpResponse> call = client.execute(toSimple(request),
                    new FutureCallback<SimpleHttpResponse>() {
                        @Override
                        public void completed(SimpleHttpResponse r) {
                            out.complete(new Response(r.getCode(), r.getBodyText() == null ? "" : r.getBodyText()));
                        }

                        @Override
                        public void failed(Exception e) {
                            out.completeExceptionally(e);
                        }

                        @Override
                        public void cancelled() {
                            out.cancel(false);
                        }
                    });
            out.whenComplete((r, t) -> {
                if (out.isCancelled()) {
                    call.cancel(true);
                }
            });
            return out;
        }

        @Override
        public void close() {
            client.close(CloseMode.IMMEDIATE);
        }
    }
}
