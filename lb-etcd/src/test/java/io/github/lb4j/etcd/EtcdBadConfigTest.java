package io.github.lb4j.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad configuration fails at once, naming the field and the value. No server needed: nothing connects. */
class EtcdBadConfigTest {

    private static Client client;

    @BeforeAll
    static void client() {
        client = Client.builder().endpoints("http://127.0.0.1:1").build(); // connects lazily, never here
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void theTargetIsChecked() {
        assertThatThrownBy(() -> EtcdBackendSource.builder(client, " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target").hasMessageContaining("' '");
        assertThatThrownBy(() -> EtcdBackendSource.builder(client, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target must not be blank");
        assertThatThrownBy(() -> EtcdBackendSource.builder(client, "my-service/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target must not end with '/'")
                .hasMessageContaining("'my-service/'");
        assertThatThrownBy(() -> EtcdBackendSource.builder(client, "my\nservice"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control characters")
                .hasMessageContaining("my?service");
        assertThatThrownBy(() -> EtcdBackendSource.builder(client, " svc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("white space");
        assertThatThrownBy(() -> EtcdBackendSource.builder(client, null))
                .isInstanceOf(NullPointerException.class).hasMessage("target");
        assertThatThrownBy(() -> EtcdBackendSource.builder(null, "svc"))
                .isInstanceOf(NullPointerException.class).hasMessage("client");
    }

    @Test
    void theSourceSettersAreChecked() {
        EtcdBackendSource.Builder b = EtcdBackendSource.builder(client, "svc");
        assertThatThrownBy(() -> b.zoneKey(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zoneKey").hasMessageContaining("' '");
        assertThatThrownBy(() -> b.weightKey("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weightKey");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requestTimeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max backoff")
                .hasMessageContaining("PT1S");
        assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofNanos(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial backoff");
        assertThatThrownBy(() -> b.ticker(null)).isInstanceOf(NullPointerException.class).hasMessage("ticker");
    }

    @Test
    void theRegistrationSettersAreChecked() {
        assertThatThrownBy(() -> EtcdRegistration.builder(client, "svc/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'svc/'");
        assertThatThrownBy(() -> EtcdRegistration.builder(null, "svc"))
                .isInstanceOf(NullPointerException.class).hasMessage("client");
        EtcdRegistration.Builder b = EtcdRegistration.builder(client, "svc");
        assertThatThrownBy(() -> b.port(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining("0");
        assertThatThrownBy(() -> b.address("10.0.0.1:8080")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("address").hasMessageContaining("'10.0.0.1:8080'");
        assertThatThrownBy(() -> b.name("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name").hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> b.ttl(Duration.ofMillis(1500))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl must be whole seconds").hasMessageContaining("PT1.5S");
        assertThatThrownBy(() -> b.ttl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> b.weight(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight").hasMessageContaining("0");
        assertThatThrownBy(() -> b.zone(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone");
        assertThatThrownBy(() -> b.metadata(" ", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metadata key");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("address");
        b.address("10.0.0.1");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("port");
    }
}
