package io.github.lb4j.spring;

import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestTemplate;

/**
 * lb-http's adapter conformance suite through {@code RestTemplate} over {@code HttpComponentsClientHttpRequestFactory},
 * the interceptor added to {@code getInterceptors()}; synchronous only.
 */
class RestTemplateConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) {
        LoadBalancingClientHttpRequestInterceptor lb = SpringTestClients.interceptor(setup);
        CloseableHttpClient http = SpringTestClients.httpClient5(setup, lb);
        RestTemplate template = build(SpringTestClients.factory(http), lb);
        template.setErrorHandler(new ResponseErrorHandler() {
            @Override
            public boolean hasError(ClientHttpResponse response) {
                return false; // the suite reads 5xx responses as responses
            }
        });
        return new RestTemplateTestClient(template, http);
    }

    /** The template with lb4j in it: the interceptor here, the wrapped factory in a subclass. */
    RestTemplate build(ClientHttpRequestFactory factory, LoadBalancingClientHttpRequestInterceptor lb) {
        RestTemplate template = new RestTemplate(factory);
        template.getInterceptors().add(lb);
        return template;
    }

    private static final class RestTemplateTestClient implements TestClient {
        private final RestTemplate template;
        private final CloseableHttpClient http;

        RestTemplateTestClient(RestTemplate template, CloseableHttpClient http) {
            this.template = template;
            this.http = http;
        }

        @Override
        public Response execute(Request request) throws IOException {
            try {
                return template.execute(URI.create(request.url()), HttpMethod.valueOf(request.method()), r -> {
                    request.headers().forEach(r.getHeaders()::set);
                    if (request.body() != null) {
                        r.getHeaders().setContentType(MediaType.TEXT_PLAIN);
                        r.getBody().write(request.body().getBytes(StandardCharsets.UTF_8));
                    }
                }, response -> SpringTestClients.read(response.getStatusCode().value(),
                        response.getBody().readAllBytes()));
            } catch (ResourceAccessException e) {
                throw SpringTestClients.io(e);
            }
        }

        @Override
        public CompletableFuture<Response> executeAsync(Request request) {
            return null; // RestTemplate is blocking only
        }

        @Override
        public void close() {
            try {
                http.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
