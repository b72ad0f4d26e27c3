package io.github.lb4j.httpclient5;

import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * lb-http's adapter conformance suite through the classic {@code CloseableHttpClient} with {@link LoadBalancingExec}
 * added first. The classic client has no asynchronous API: the suite's asynchronous cases are
 * {@link AsyncConformanceTest}'s.
 */
class ClassicConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        return new ClassicTestClient(classicClient(setup));
    }

    /** The client a conformance case asks for: HttpClient's own retries and redirects off, as documented. */
    static CloseableHttpClient classicClient(ClientSetup setup) {
        LoadBalancingExec.Builder b = LoadBalancingExec.builder().rejectUnknownHosts(setup.rejectUnknownHosts())
                .ticker(setup.ticker()).random(setup.random());
        for (Route route : setup.routes()) {
            b.route(route);
        }
        PoolingHttpClientConnectionManagerBuilder connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2))
                        .setSocketTimeout(Timeout.of(setup.readTimeout())).build());
        if (setup.tls()) {
            connections.setTlsSocketStrategy(new DefaultClientTlsStrategy(setup.sslContext()));
        }
        return HttpClients.custom()
                .setConnectionManager(connections.build())
                .addExecInterceptorFirst("lb4j", b.build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(setup.readTimeout())).build())
                .build();
    }

    private static final class ClassicTestClient implements TestClient {
        private final CloseableHttpClient client;

        ClassicTestClient(CloseableHttpClient client) {
            this.client = client;
        }

        @Override
        public Response execute(Request request) throws IOException {
            ClassicRequestBuilder b = ClassicRequestBuilder.create(request.method()).setUri(request.url());
            request.headers().forEach(b::setHeader);
            if (request.body() != null) {
                b.setEntity(new StringEntity(request.body(), ContentType.TEXT_PLAIN));
            }
            return client.execute(b.build(), response -> new Response(response.getCode(),
                    response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity())));
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            return null; // the classic client has none
        }

        @Override
        public void close() {
            client.close(CloseMode.IMMEDIATE);
        }
    }
}
