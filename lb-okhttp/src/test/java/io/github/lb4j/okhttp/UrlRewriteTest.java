package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.HttpUrl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The template-based rewrite equals OkHttp's own host-and-port rewrite, whatever the URL holds. */
class UrlRewriteTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "http://orders/",
        "http://orders",
        "https://orders/api/items/7",
        "http://orders/a/b/../c/./d/",
        "http://orders/%2e%2e/x",
        "http://orders/a%2Fb/c%20d/e+f/%C3%A9t%C3%A9",
        "http://orders/caf\u00e9/\u65e5\u672c?q=\u00fc",
        "http://orders//double//slashes/",
        "http://orders/path?",
        "http://orders/path?a=1&b=2&a=3&empty=&flag",
        "http://orders/path?q=a%26b%3Dc&plus=1+2&sp=a%20b",
        "http://orders/path#fragment",
        "http://orders/path?x=1#frag%20ment",
        "http://user:p%40ss@orders/secret",
        "http://user@orders/",
        "https://orders:443/explicit-default-port",
    })
    void matchesOkHttpsRewrite(String original) {
        HttpUrl url = HttpUrl.get(original);
        for (String host : new String[] {"127.0.0.1", "::1", "backend-3.internal"}) {
            for (int port : new int[] {80, 443, 8080}) {
                HttpUrl template = new HttpUrl.Builder().scheme(url.scheme()).host(host).port(port).build();
                HttpUrl expected = url.newBuilder().host(host).port(port).build();
                HttpUrl actual = UrlTemplates.rewrite(url, template);
                assertThat(actual).as("%s on %s:%s", original, host, port).isEqualTo(expected);
                assertThat(actual.toString()).isEqualTo(expected.toString());
                assertThat(actual.port()).isEqualTo(port);
            }
        }
    }
}
