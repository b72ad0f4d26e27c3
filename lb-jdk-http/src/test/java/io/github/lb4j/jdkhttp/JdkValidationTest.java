package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/** Bad input to the builder fails at once, naming the field and the value. */
class JdkValidationTest extends JdkTestSupport {

    @Test
    void builderArgumentsAreChecked() {
        LoadBalancer orders = pool("orders-pool", io.github.lb4j.core.Backend.of("127.0.0.1", 1));
        assertThatThrownBy(() -> LoadBalancedHttpClient.builder(null))
                .isInstanceOf(NullPointerException.class).hasMessage("delegate");
        LoadBalancedHttpClient.Builder b = LoadBalancedHttpClient.builder(plain());
        assertThatThrownBy(() -> b.route("orders_1", orders)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders_1'");
        assertThatThrownBy(() -> b.route("10.0.0.1", orders)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IP addresses are not route names");
        assertThatThrownBy(() -> b.route(null)).isInstanceOf(NullPointerException.class).hasMessage("route");
        assertThatThrownBy(() -> b.ticker(null)).isInstanceOf(NullPointerException.class).hasMessage("ticker");
        assertThatThrownBy(() -> b.random(null)).isInstanceOf(NullPointerException.class).hasMessage("random");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("no route");
        b.route("orders", orders);
        assertThatThrownBy(() -> b.route("ORDERS", orders)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders' is already configured").hasMessageContaining("orders-pool");
        LoadBalancedHttpClient built = register(b.build());
        assertThatThrownBy(() -> LoadBalancedHttpClient.builder(built))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already a LoadBalancedHttpClient");
        assertThat(built.toString()).contains("orders");
    }

    @Test
    void preservingTheHostHeaderNeedsTheJdksPropertyAndSaysSo() {
        assumeFalse(LoadBalancedHttpClient.hostHeaderAllowed(), "this JVM allows the Host header");
        LoadBalancer orders = pool("orders", io.github.lb4j.core.Backend.of("127.0.0.1", 1));
        HttpClient plain = plain();
        assertThatThrownBy(() -> LoadBalancedHttpClient.builder(plain)
                .route(Route.builder("orders", orders).preserveHostHeader(true).build()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("route 'orders' preserves the Host header")
                .hasMessageContaining("-Djdk.httpclient.allowRestrictedHeaders=host");
    }
}
