package io.github.lb4j.zookeeper;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad configuration fails at builder time, naming the field and the value. No server needed: nothing connects. */
class ZooKeeperBadConfigTest {

    private static CuratorFramework started;
    private static CuratorFramework latent;

    @BeforeAll
    static void clients() {
        // Port 1 on loopback: nothing listens there, and no test here waits for a connection.
        started = CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(10));
        started.start();
        latent = CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(10));
    }

    @AfterAll
    static void close() {
        started.close();
        latent.close();
    }

    @Test
    void basePathAndServiceName() {
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "services", "orders"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("basePath must start with '/', got 'services'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/services/", "orders"))
                .hasMessage("basePath must not end with '/', got '/services/'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/a//b", "orders"))
                .hasMessageContaining("basePath").hasMessageContaining("'/a//b'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/a/../b", "orders"))
                .hasMessageContaining("basePath").hasMessageContaining("'/a/../b'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/a\nb", "orders"))
                .hasMessage("basePath must not contain control or reserved characters, got '/a?b'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/services", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("serviceName must not be blank, got ' '");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/services", "a/b"))
                .hasMessage("serviceName must not contain '/', got 'a/b'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/services", ".."))
                .hasMessageContaining("serviceName").hasMessageContaining("'..'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, null, "orders"))
                .isInstanceOf(NullPointerException.class).hasMessage("basePath");
        assertThatThrownBy(() -> ZooKeeperRegistration.builder(started, "services", "orders"))
                .hasMessage("basePath must start with '/', got 'services'");
        assertThatThrownBy(() -> ZooKeeperRegistration.builder(started, "/services", ""))
                .hasMessage("serviceName must not be blank, got ''");
    }

    @Test
    void sourceOptionsAndClientState() {
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/s", "o").zoneKey(" "))
                .hasMessage("zoneKey must not be blank or contain control characters, got ' '");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(started, "/s", "o").weightKey("w\u0007"))
                .hasMessage("weightKey must not be blank or contain control characters, got 'w?'");
        assertThatThrownBy(() -> ZooKeeperBackendSource.builder(latent, "/s", "o").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("client must be started (CuratorFramework.start()) and not closed, got LATENT");
        ZooKeeperBackendSource.builder(started, "/", "orders").build().close(); // the root is a base path too
    }

    @Test
    void registrationFields() {
        ZooKeeperRegistration.Builder b = ZooKeeperRegistration.builder(started, "/s", "orders");
        assertThatThrownBy(() -> b.port(0)).hasMessage("port must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> b.sslPort(65536)).hasMessage("sslPort must be between 1 and 65535, got 65536");
        assertThatThrownBy(() -> b.address("10.0.0.1/24"))
                .hasMessage("address must be a host name or IP literal, got '10.0.0.1/24'");
        assertThatThrownBy(() -> b.id("a/b")).hasMessage("id must not contain '/', got 'a/b'");
        assertThatThrownBy(() -> b.id(" ")).hasMessage("id must not be blank, got ' '");
        assertThatThrownBy(() -> b.weight(0)).hasMessage("weight must be between 1 and 1000000, got 0");
        assertThatThrownBy(() -> b.zone("")).hasMessage("zone must not be blank or contain control characters, got ''");
        assertThatThrownBy(() -> b.metadata("k\r\n", "v"))
                .hasMessage("metadata key must not be blank or contain control characters, got 'k??'");
        assertThatThrownBy(() -> b.metadata("@class", "x")).hasMessageContaining("@class");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("address");
        b.address("127.0.0.1");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("port or sslPort is required");
        assertThatThrownBy(() -> ZooKeeperRegistration.builder(latent, "/s", "o").address("h").port(1).build())
                .hasMessageContaining("got LATENT");
    }
}
