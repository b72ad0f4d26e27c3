package io.github.lb4j.spring.boot;

import static io.github.lb4j.spring.boot.Runners.lb4j;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * Each discovery module, present: the pool gets its source and the context starts even while the registry does not
 * answer (keep-last-good: the static backends, or none, until it does). Registries here are loopback ports nobody
 * listens on; the modules' own tests run them against real servers.
 */
class DiscoveryTest {

    @Test
    void dnsSourceKeepsTheStaticBackendsWhileDnsFails() throws IOException {
        int port;
        try (DatagramSocket unused = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = unused.getLocalPort();
        }
        lb4j().withPropertyValues("lb4j.pools.users.backends=127.0.0.1:8080",
                "lb4j.pools.users.discovery.dns.a=users.example:8080",
                "lb4j.pools.users.discovery.dns.resolver=127.0.0.1:" + port).run(c -> {
            assertThat(c).hasNotFailed();
            LoadBalancer users = c.getBean(Lb4jPools.class).pool("users");
            assertThat(users.backends()).containsExactly(Backend.of("127.0.0.1", 8080));
        });
    }

    @Test
    void etcdSourceWithItsOwnClient() throws IOException {
        lb4j().withPropertyValues("lb4j.pools.users.discovery.etcd.target=users",
                "lb4j.pools.users.discovery.etcd.endpoints=http://127.0.0.1:" + closedTcpPort()).run(c -> {
            assertThat(c).hasNotFailed();
            assertThat(c.getBean(Lb4jPools.class).pool("users").backends()).isEmpty();
        });
    }

    @Test
    void kubernetesSourceUsesTheApplicationsClient() throws IOException {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + closedTcpPort()).withRequestRetryBackoffLimit(0).build())
                .build();
        try (client) {
            lb4j().withBean(KubernetesClient.class, () -> client)
                    .withPropertyValues("lb4j.pools.users.discovery.kubernetes.namespace=shop",
                            "lb4j.pools.users.discovery.kubernetes.port=8080").run(c -> {
                        assertThat(c).hasNotFailed();
                        assertThat(c.getBean(Lb4jPools.class).pool("users").toString()).contains("users");
                    });
        }
    }

    private static int closedTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
