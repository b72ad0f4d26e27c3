package io.github.lb4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Both builders name the bad value, as lb-http's do. */
class BuilderValidationTest {

    private final LoadBalancer pool = Fixtures.pool("orders-pool", Backend.of("127.0.0.1", 8080));

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void theInterceptorBuilderNamesWhatIsWrong() {
        assertThatThrownBy(() -> LoadBalancingClientHttpRequestInterceptor.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no route configured");
        assertThatThrownBy(() -> LoadBalancingClientHttpRequestInterceptor.builder().route("orders", pool)
                .route("orders", pool)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders' is already configured").hasMessageContaining("orders-pool");
        assertThatThrownBy(() -> LoadBalancingClientHttpRequestInterceptor.builder().route("bad host", pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad host");
        assertThatThrownBy(() -> LoadBalancingClientHttpRequestInterceptor.builder().ticker(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ticker");
        assertThatThrownBy(() -> LoadBalancingClientHttpRequestInterceptor.builder().random(null))
                .isInstanceOf(NullPointerException.class).hasMessage("random");
        LoadBalancingClientHttpRequestInterceptor lb = LoadBalancingClientHttpRequestInterceptor.builder()
                .route("orders", pool).build();
        assertThatThrownBy(() -> lb.hostnameVerifier(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("delegate");
        assertThat(lb).hasToString("LoadBalancingClientHttpRequestInterceptor[orders]");
    }

    @Test
    void theFilterBuilderNamesWhatIsWrong() {
        assertThatThrownBy(() -> LoadBalancingExchangeFilterFunction.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no route configured");
        assertThatThrownBy(() -> LoadBalancingExchangeFilterFunction.builder().route("orders", pool)
                .route("ORDERS", pool)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders' is already configured");
        assertThatThrownBy(() -> LoadBalancingExchangeFilterFunction.builder().route("-x", pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-x");
        assertThatThrownBy(() -> LoadBalancingExchangeFilterFunction.builder().route(null))
                .isInstanceOf(NullPointerException.class).hasMessage("route");
        LoadBalancingExchangeFilterFunction lb = LoadBalancingExchangeFilterFunction.builder()
                .route("orders", pool).build();
        assertThatThrownBy(() -> lb.configureSslEngine(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("engine");
        assertThat(lb).hasToString("LoadBalancingExchangeFilterFunction[orders]");
    }
}
