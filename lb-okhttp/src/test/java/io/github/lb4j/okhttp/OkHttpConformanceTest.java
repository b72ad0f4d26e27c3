package io.github.lb4j.okhttp;

import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;

/**
 * lb-http's adapter conformance suite through OkHttp: {@code execute()} for the synchronous path, {@code enqueue()}
 * for the asynchronous one. Runs on OkHttp 5.x and, in the second surefire execution, on OkHttp 4.12.
 */
class OkHttpConformanceTest extends AdapterConformanceTest {

    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    @Override
    protected TestClient newClient(ClientSetup setup) {
        LoadBalancingInterceptor.Builder b = LoadBalancingInterceptor.builder()
                .rejectUnknownHosts(setup.rejectUnknownHosts()).ticker(setup.ticker()).random(setup.random());
        for (Route route : setup.routes()) {
            b.route(route);
        }
        OkHttpClient.Builder attempts = new OkHttpClient.Builder()
                .followRedirects(false)
                .retryOnConnectionFailure(false) // the interceptor alone decides re-sends (see its javadoc)
                .readTimeout(setup.readTimeout());
        if (setup.tls()) {
            attempts.sslSocketFactory(setup.sslContext().getSocketFactory(), setup.trustManager());
        }
        // The client of racing attempts (per-try timeout, hedging): the application's client without the interceptor.
        OkHttpClient base = attempts.build();
        LoadBalancingInterceptor lb = b.attemptClient(base).build();
        OkHttpClient.Builder client = base.newBuilder()
                .addInterceptor(lb)
                .callTimeout(setup.callTimeout());
        if (setup.tls()) {
            client.hostnameVerifier(lb.hostnameVerifier(base.hostnameVerifier()));
        }
        return new OkHttpTestClient(client.build());
    }

    private static final class OkHttpTestClient implements TestClient {
        private final OkHttpClient client;
        private final OkHttpLeakLog leakLog = new OkHttpLeakLog();

        OkHttpTestClient(OkHttpClient client) {
            this.client = client;
            leakLog.start();
        }

        private static okhttp3.Request toOkHttp(TestClient.Request request) {
            okhttp3.Request.Builder b = new okhttp3.Request.Builder().url(request.url());
            request.headers().forEach(b::header);
            b.method(request.method(), request.body() == null ? null : RequestBody.create(request.body(), TEXT));
            return b.build();
        }

        private static TestClient.Response read(okhttp3.Response response) throws IOException {
            try (response) {
                return new TestClient.Response(response.code(), response.body().string());
            }
        }

        @Override
        public TestClient.Response execute(TestClient.Request request) throws IOException {
            return read(client.newCall(toOkHttp(request)).execute());
        }

        @Override
        public CompletableFuture<TestClient.Response> executeAsync(TestClient.Request request) {
            Call call = client.newCall(toOkHttp(request));
            CompletableFuture<TestClient.Response> future = new CompletableFuture<>();
            future.whenComplete((r, t) -> {
                if (future.isCancelled()) {
                    call.cancel();
                }
            });
            call.enqueue(new Callback() {
                @Override
                public void onFailure(Call c, IOException e) {
                    future.completeExceptionally(e);
                }

                @Override
                public void onResponse(Call c, okhttp3.Response response) {
                    try {
                        future.complete(read(response));
                    } catch (IOException e) {
                        future.completeExceptionally(e);
                    }
                }
            });
            return future;
        }

        @Override
        public void close() {
            try {
                leakLog.assertNoLeak();
            } finally {
                leakLog.stop();
                OkHttpLeakLog.shutdown(client);
            }
        }
    }
}
