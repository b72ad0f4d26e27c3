package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.http.Hedging;
import io.github.lb4j.http.Route;
import io.github.lb4j.core.LoadBalancer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input fails at once, naming the field and the value. */
class ValidationTest {

    private final LoadBalancer pool = LoadBalancer.builder("orders").build();

    @AfterEach
    void close() {
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "orders.internal", "a-b.c1", "x", "orders.svc.cluster.local", "a1"})
    void acceptsHostNames(String name) {
        assertThat(Route.builder(name, pool).build().name()).isEqualTo(name);
    }

    @Test
    void lowerCasesRouteNames() {
        assertThat(Route.builder("Orders.Internal", pool).build().name()).isEqualTo("orders.internal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad_name", "-orders", "orders-", "a..b", ".orders", "orders.", "10.0.0.1",
        "orders:8080", "orders/x", "http://orders", "ördérs", "my orders", "[::1]", "123"})
    void rejectsNamesThatAreNotHostNames(String name) {
        assertThatThrownBy(() -> Route.builder(name, pool))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("route name must be a valid host name")
                .hasMessageEndingWith("got '" + name + "'");
    }

    @Test
    void aRacingRouteNeedsAnAttemptClientWithoutTheInterceptor() {
        Route racing = Route.builder("orders", pool).perTryTimeout(Duration.ofMillis(200))
                .hedging(Hedging.after(Duration.ofMillis(50))).build();
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().route(racing).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[orders]")
                .hasMessageContaining("attemptClient");
        okhttp3.OkHttpClient base = new okhttp3.OkHttpClient();
        LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder().route(racing).attemptClient(base).build();
        okhttp3.OkHttpClient withLb = base.newBuilder().addInterceptor(lb).build();
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().attemptClient(withLb))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LoadBalancingInterceptor");
        assertThat(LoadBalancingInterceptor.builder().route("orders", pool).build()).isNotNull();
    }

    @Test
    void rejectsOverlongNames() {
        String longLabel = "a".repeat(64);
        assertThatThrownBy(() -> Route.builder(longLabel, pool)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 63");
        String longName = ("a".repeat(63) + ".").repeat(4) + "a"; // 257 characters
        assertThatThrownBy(() -> Route.builder(longName, pool)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 253");
    }

    @Test
    void rejectsNullsAndDuplicates() {
        assertThatThrownBy(() -> Route.builder(null, pool)).isInstanceOf(NullPointerException.class)
                .hasMessage("name");
        assertThatThrownBy(() -> Route.builder("orders", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("loadBalancer");
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().route(null))
                .isInstanceOf(NullPointerException.class).hasMessage("route");
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().route("orders", pool).route("ORDERS", pool))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route 'orders' is already configured (to pool 'orders')");
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no route");
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().ticker(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ticker");
        assertThatThrownBy(() -> LoadBalancingInterceptor.builder().route("orders", pool).build()
                .hostnameVerifier(null)).isInstanceOf(NullPointerException.class).hasMessage("delegate");
    }

    @Test
    void rejectsOutOfRangeRetrySettings() {
        Route.Builder b = Route.builder("orders", pool);
        assertThatThrownBy(() -> b.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts must be between 1 and 10, got 0");
        assertThatThrownBy(() -> b.maxAttempts(-1)).hasMessageEndingWith("got -1");
        assertThatThrownBy(() -> b.maxAttempts(11)).hasMessageEndingWith("got 11");
        assertThatThrownBy(() -> b.retryBudget(-0.1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retry budget ratio must be between 0 and 10.0, got -0.1");
        assertThatThrownBy(() -> b.retryBudget(Double.NaN, 10)).hasMessageEndingWith("got NaN");
        assertThatThrownBy(() -> b.retryBudget(0.2, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("got -1");
        assertThatThrownBy(() -> b.backoff(Duration.ofMillis(-1), Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> b.backoff(Duration.ofMillis(100), Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got PT0.01S");
        assertThatThrownBy(() -> b.retryOnStatus(503, 99)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 99");
        assertThatThrownBy(() -> b.retryOnStatus(600)).hasMessageContaining("got 600");
        assertThatThrownBy(() -> b.hashKeyFromHeader("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.hashKeyFromHeader("X User")).hasMessageEndingWith("got 'X User'");
        assertThatThrownBy(() -> b.hashKeyFromCookie("a=b")).hasMessageEndingWith("got 'a=b'");
        assertThatThrownBy(() -> b.hashKeyFromQueryParameter("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.failureWhen(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("isFailure");
        // The builder is still usable and unchanged after rejected calls.
        assertThat(b.build().maxAttempts()).isEqualTo(Route.DEFAULT_MAX_ATTEMPTS);
    }
}
