package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.LoadBalancer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The route's hash-key sources read the client-neutral view: cookies, headers and query parameters. */
class HashKeySourcesTest {

    private final LoadBalancer pool = LoadBalancer.builder("orders").build();

    @AfterEach
    void close() {
        pool.close();
    }

    /** A GET of {@code url} with {@code headers}, looked up ignoring case as HTTP header names are. */
    static HttpRequestView request(String url, Map<String, List<String>> headers) {
        Map<String, List<String>> byName = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        return new HttpRequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public URI uri() {
                return URI.create(url);
            }

            @Override
            public List<String> headers(String name) {
                return byName.getOrDefault(name, List.of());
            }
        };
    }

    @Test
    void cookieParsing() {
        HttpRequestView r = request("http://orders/", Map.of("Cookie", List.of("a=1; SESSION=\"quoted\"", "b=2")));
        assertThat(Route.cookie(r, "SESSION")).isEqualTo("quoted");
        assertThat(Route.cookie(r, "b")).isEqualTo("2");
        assertThat(Route.cookie(r, "SESS")).isNull();
        assertThat(Route.cookie(request("http://orders/", Map.of()), "a")).isNull();
    }

    @Test
    void queryParametersAreDecodedAndTheFirstWins() {
        HttpRequestView r = request("http://orders/x?page=2&user=a%20b&user=c&flag&plus=x+y", Map.of());
        assertThat(r.queryParameter("user")).isEqualTo("a b");
        assertThat(r.queryParameter("flag")).isEmpty();
        assertThat(r.queryParameter("plus")).isEqualTo("x y");
        assertThat(r.queryParameter("missing")).isNull();
        assertThat(request("http://orders/x", Map.of()).queryParameter("user")).isNull();
    }

    @Test
    void routeSourcesReadTheView() {
        HttpRequestView r = request("http://orders/x?tenant=t1", Map.of("X-User", List.of("u1"),
                "Cookie", List.of("SESSION=s1")));
        assertThat(Route.builder("orders", pool).hashKeyFromHeader("X-User").build().hashKey.apply(r))
                .isEqualTo("u1");
        assertThat(Route.builder("orders", pool).hashKeyFromCookie("SESSION").build().hashKey.apply(r))
                .isEqualTo("s1");
        assertThat(Route.builder("orders", pool).hashKeyFromQueryParameter("tenant").build().hashKey.apply(r))
                .isEqualTo("t1");
    }
}
