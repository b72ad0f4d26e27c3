package io.github.lb4j.kubernetes;

import io.github.lb4j.core.testing.RecordingSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad configuration fails at once, naming the field and the value. No server is contacted. */
class KubernetesBadConfigTest {

    private static KubernetesClient client;

    @BeforeAll
    static void client() {
        // Never used to send anything: builders do not contact the API server.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:9")
                .build()).build();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void nullArguments() {
        assertThatThrownBy(() -> KubernetesBackendSource.builder(null, "shop", "orders"))
                .isInstanceOf(NullPointerException.class).hasMessage("client");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, null, "orders"))
                .isInstanceOf(NullPointerException.class).hasMessage("namespace");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", null))
                .isInstanceOf(NullPointerException.class).hasMessage("service");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", "orders").port(null))
                .isInstanceOf(NullPointerException.class).hasMessage("port");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", "orders").ticker(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ticker");
    }

    @Test
    void namespaceAndServiceMustBeDns1123Labels() {
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, " ", "orders"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("namespace must not be blank, got ' '");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("service must not be blank, got ''");
        for (String bad : new String[] {"Shop", "shop_1", "-shop", "shop-", "shop.eu", "a".repeat(64), "shop\n"}) {
            assertThatThrownBy(() -> KubernetesBackendSource.builder(client, bad, "orders"))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("namespace must be a DNS-1123 label")
                    .hasMessageEndingWith("got '" + bad.replace('\n', '?') + "'");
            assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("service must be a DNS-1123 label");
        }
        assertThat(KubernetesBackendSource.builder(client, "a".repeat(63), "orders-2").build()).isNotNull();
    }

    @Test
    void portNamesFollowKubernetesRules() {
        KubernetesBackendSource.Builder b = KubernetesBackendSource.builder(client, "shop", "orders");
        assertThatThrownBy(() -> b.port("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must not be blank, got ''");
        for (String bad : new String[] {"HTTP", "8080", "-http", "http-", "h--p", "http_2", "a-very-long-port-name"}) {
            assertThatThrownBy(() -> b.port(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("port must be a Kubernetes port name")
                    .hasMessageEndingWith("got '" + bad + "'");
        }
        assertThat(b.port("h2c-8080").build().toString()).contains("shop/orders", "port 'h2c-8080'");
    }

    @Test
    void portNumberInRangeAndNotBothWays() {
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", "orders").portNumber(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("portNumber must be between 1 and 65535,"
                        + " got 0");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", "orders").portNumber(65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 65536");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", "orders").port("http")
                .portNumber(8080)).isInstanceOf(IllegalStateException.class)
                .hasMessage("port and portNumber are alternatives; port is already 'http'");
        assertThatThrownBy(() -> KubernetesBackendSource.builder(client, "shop", "orders").portNumber(8080)
                .port("http")).isInstanceOf(IllegalStateException.class)
                .hasMessage("port and portNumber are alternatives; portNumber is already 8080");
    }

    @Test
    void relistIntervalBounded() {
        KubernetesBackendSource.Builder b = KubernetesBackendSource.builder(client, "shop", "orders");
        assertThatThrownBy(() -> b.relistInterval(Duration.ofMillis(99))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("relistInterval must be between").hasMessageEndingWith("got PT0.099S");
        assertThatThrownBy(() -> b.relistInterval(Duration.ofDays(2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.relistInterval(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("relistInterval");
    }

    @Test
    void aSourceFeedsOnePool() {
        KubernetesBackendSource source = KubernetesBackendSource.builder(client, "shop", "orders").build();
        source.close(); // closed before it started: start does nothing, a second start still fails
        source.start(new RecordingSink());
        assertThatThrownBy(() -> source.start(new RecordingSink())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }
}
