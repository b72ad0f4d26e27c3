package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.HealthCheckResult;
import io.github.lb4j.core.LoadBalancer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class HealthCheckerTest extends LbTestSupport {

    private static HealthCheckResult check(OkHttpHealthChecker checker, Backend backend) throws Exception {
        return checker.check(backend).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private OkHttpClient plainClient() {
        return track(new OkHttpClient());
    }

    @Test
    void healthyOn2xxUnhealthyOtherwise() throws Exception {
        TestServer up = server("up", r -> TestServer.Reply.of(r.pathAndQuery.equals("/healthz") ? 204 : 404, ""));
        TestServer down = server("down", r -> TestServer.Reply.of(503, "draining"));
        OkHttpHealthChecker checker = OkHttpHealthChecker.builder(plainClient()).path("/healthz").build();

        assertThat(check(checker, up.backend()).isHealthy()).isTrue();
        HealthCheckResult result = check(checker, down.backend());
        assertThat(result.isHealthy()).isFalse();
        assertThat(result.reason()).isEqualTo("GET /healthz returned HTTP 503");
        assertThat(up.recorded.peek().method).isEqualTo("GET");
        assertThat(up.recorded.peek().pathAndQuery).isEqualTo("/healthz");
    }

    @Test
    void headAndACustomPredicate() throws Exception {
        TestServer a = server("a", r -> TestServer.Reply.of(200, r.pathAndQuery.contains("deep") ? "DOWN" : "UP"));
        OkHttpHealthChecker head = OkHttpHealthChecker.builder(plainClient()).head(true).build();
        OkHttpHealthChecker deep = OkHttpHealthChecker.builder(plainClient()).path("/status?deep=1")
                .healthyWhen(r -> {
                    try {
                        return r.body().string().equals("UP");
                    } catch (IOException e) {
                        return false;
                    }
                }).build();

        assertThat(check(head, a.backend()).isHealthy()).isTrue();
        assertThat(a.recorded.peek().method).isEqualTo("HEAD");
        assertThat(a.recorded.peek().pathAndQuery).isEqualTo(OkHttpHealthChecker.DEFAULT_PATH);
        assertThat(check(deep, a.backend()).isHealthy()).isFalse();
        OkHttpHealthChecker throwing = OkHttpHealthChecker.builder(plainClient()).healthyWhen(r -> {
            throw new IllegalStateException("boom");
        }).build();
        assertThat(check(throwing, a.backend()).reason()).contains("predicate threw");
    }

    @Test
    void connectionFailuresAndTimeoutsAreUnhealthy() throws Exception {
        Blackhole hole = blackhole();
        OkHttpHealthChecker checker = OkHttpHealthChecker.builder(plainClient())
                .timeout(Duration.ofMillis(200)).build();

        HealthCheckResult refused = check(checker, Blackhole.refusing("r"));
        assertThat(refused.isHealthy()).isFalse();
        assertThat(refused.reason()).startsWith("GET /health failed: ConnectException");

        long start = System.nanoTime();
        HealthCheckResult hung = check(checker, hole.backend("hole"));
        assertThat(hung.isHealthy()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void neverSendsTheApplicationsCredentialsNorGoesThroughItsInterceptors() throws Exception {
        TestServer a = server("a", r -> TestServer.Reply.of(401, "who are you"));
        AtomicInteger interceptorRuns = new AtomicInteger();
        AtomicInteger authenticatorRuns = new AtomicInteger();
        LoadBalancer pool = pool("orders", a.backend());
        OkHttpClient app = track(new OkHttpClient.Builder()
                .addInterceptor(lb().route("orders", pool).build())
                .addInterceptor(chain -> {
                    interceptorRuns.incrementAndGet();
                    return chain.proceed(chain.request().newBuilder()
                            .header("Authorization", "Bearer secret").build());
                })
                .addNetworkInterceptor(chain -> {
                    interceptorRuns.incrementAndGet();
                    return chain.proceed(chain.request().newBuilder().header("X-Api-Key", "secret").build());
                })
                .cookieJar(new CookieJar() {
                    @Override
                    public void saveFromResponse(HttpUrl url, List<Cookie> cookies) {
                    }

                    @Override
                    public List<Cookie> loadForRequest(HttpUrl url) {
                        return List.of(new Cookie.Builder().name("SESSION").value("secret").domain(url.host())
                                .build());
                    }
                })
                .authenticator((route, response) -> {
                    authenticatorRuns.incrementAndGet();
                    return response.request().newBuilder().header("Authorization", "Basic c2VjcmV0").build();
                })
                .build());

        HealthCheckResult result = check(OkHttpHealthChecker.builder(app).build(), a.backend());

        assertThat(result.isHealthy()).isFalse();
        assertThat(result.reason()).contains("401");
        assertThat(interceptorRuns.get()).isZero();
        assertThat(authenticatorRuns.get()).isZero();
        assertThat(a.requests.get()).isEqualTo(1);
        TestServer.Recorded seen = a.recorded.peek();
        assertThat(seen.headers.keySet()).map(String::toLowerCase)
                .doesNotContain("authorization", "cookie", "x-api-key");
    }

    @Test
    void rejectsBadConfiguration() {
        OkHttpHealthChecker.Builder b = OkHttpHealthChecker.builder(plainClient());
        assertThatThrownBy(() -> b.path("healthz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'healthz'");
        assertThatThrownBy(() -> b.path("//evil.example/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.timeout(Duration.ofMinutes(2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.healthyWhen(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("healthy");
        assertThatThrownBy(() -> OkHttpHealthChecker.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("client");
    }
}
