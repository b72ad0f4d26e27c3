package io.github.lb4j.spring;

import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.util.Timeout;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/** The suite's clients built over Spring's: RestClient, RestTemplate (Apache HttpClient 5 below both), WebClient. */
final class SpringTestClients {

    private SpringTestClients() {
    }

    static LoadBalancingClientHttpRequestInterceptor interceptor(ClientSetup setup) {
        LoadBalancingClientHttpRequestInterceptor.Builder b = LoadBalancingClientHttpRequestInterceptor.builder()
                .rejectUnknownHosts(setup.rejectUnknownHosts()).ticker(setup.ticker()).random(setup.random());
        for (Route route : setup.routes()) {
            b.route(route);
        }
        return b.build();
    }

    static LoadBalancingExchangeFilterFunction filter(ClientSetup setup) {
        LoadBalancingExchangeFilterFunction.Builder b = LoadBalancingExchangeFilterFunction.builder()
                .rejectUnknownHosts(setup.rejectUnknownHosts()).ticker(setup.ticker()).random(setup.random());
        for (Route route : setup.routes()) {
            b.route(route);
        }
        return b.build();
    }

    /**
     * Apache HttpClient 5 as a Spring Boot application configures it, with its own retries and redirects off (the
     * interceptor decides re-sends), the read timeout as the response timeout, and, for TLS, the interceptor's
     * route-name hostname verifier as the only name check.
     */
    static CloseableHttpClient httpClient5(ClientSetup setup, LoadBalancingClientHttpRequestInterceptor lb) {
        PoolingHttpClientConnectionManagerBuilder connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2))
                        .setSocketTimeout(Timeout.of(setup.readTimeout())).build());
        if (setup.tls()) {
            connections.setTlsSocketStrategy(new DefaultClientTlsStrategy(setup.sslContext(),
                    HostnameVerificationPolicy.CLIENT, lb.hostnameVerifier(new DefaultHostnameVerifier())));
        }
        return HttpClients.custom().setConnectionManager(connections.build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(setup.readTimeout()))
                        .setRedirectsEnabled(false).build())
                .disableAutomaticRetries().disableRedirectHandling().build();
    }

    static HttpComponentsClientHttpRequestFactory factory(CloseableHttpClient client) {
        return new HttpComponentsClientHttpRequestFactory(client);
    }

    /** The first {@link IOException} in the causes of what a Spring client threw, or {@code t} itself unchecked. */
    static IOException io(Throwable t) {
        for (Throwable c = Exceptions.unwrap(t); c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return (IOException) c;
            }
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        throw new IllegalStateException(t);
    }

    static TestClient.Response read(int status, byte[] body) {
        return new TestClient.Response(status, new String(body, StandardCharsets.UTF_8));
    }

    /** RestClient; {@code exchange} reads the whole body and closes the response. */
    static final class RestClientTestClient implements TestClient {
        private final RestClient client;
        private final CloseableHttpClient http;

        RestClientTestClient(RestClient client, CloseableHttpClient http) {
            this.client = client;
            this.http = http;
        }

        @Override
        public Response execute(Request request) throws IOException {
            RestClient.RequestBodySpec spec = client.method(HttpMethod.valueOf(request.method()))
                    .uri(URI.create(request.url())).headers(h -> request.headers().forEach(h::set));
            if (request.body() != null) {
                spec.contentType(MediaType.TEXT_PLAIN).body(request.body());
            }
            try {
                return spec.exchange((req, response) -> read(response.getStatusCode().value(),
                        response.getBody().readAllBytes()));
            } catch (ResourceAccessException e) {
                throw io(e);
            }
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            return null; // RestClient is blocking only
        }

        @Override
        public void close() {
            try {
                if (http != null) {
                    http.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** WebClient over Reactor Netty, with its own connection pool per client. */
    static final class WebClientTestClient implements TestClient {
        private final WebClient client;
        private final ConnectionProvider connections;
        private final Duration callTimeout;

        WebClientTestClient(ClientSetup setup, LoadBalancingExchangeFilterFunction lb) throws IOException {
            this.connections = ConnectionProvider.builder("lb4j-test").maxConnections(50).build();
            HttpClient http = HttpClient.create(connections).responseTimeout(setup.readTimeout())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
            if (setup.tls()) {
                SslContext ssl = SslContextBuilder.forClient().trustManager(setup.trustManager()).build();
                http = http.secure(spec -> spec.sslContext(ssl)
                        .handlerConfigurator(handler -> lb.configureSslEngine(handler.engine())));
            }
            this.client = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).filter(lb)
                    .build();
            this.callTimeout = setup.callTimeout();
        }

        private Mono<Response> call(Request request) {
            WebClient.RequestBodySpec spec = client.method(HttpMethod.valueOf(request.method()))
                    .uri(URI.create(request.url())).headers(h -> request.headers().forEach(h::set));
            if (request.body() != null) {
                spec.contentType(MediaType.TEXT_PLAIN).bodyValue(request.body());
            }
            return spec.exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                    .map(body -> new Response(response.statusCode().value(), body)));
        }

        @Override
        public Response execute(Request request) throws IOException {
            try {
                return call(request).block(callTimeout);
            } catch (RuntimeException e) {
                throw io(e);
            }
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            return call(request).onErrorMap(t -> {
                for (Throwable c = t; c != null; c = c.getCause()) {
                    if (c instanceof IOException) {
                        return c;
                    }
                }
                return t;
            }).toFuture();
        }

        @Override
        public void close() {
            connections.disposeLater().block(Duration.ofSeconds(10));
        }
    }

}
