package io.github.lb4j.kubernetes;

import io.github.lb4j.core.testing.RecordingSink;
import static io.github.lb4j.kubernetes.K8s.NS;
import static io.github.lb4j.kubernetes.K8s.await;
import static io.github.lb4j.kubernetes.K8s.create;
import static io.github.lb4j.kubernetes.K8s.ready;
import static io.github.lb4j.kubernetes.K8s.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API server goes away and comes back. With fabric8's mock server in CRUD mode, "goes away" is the server
 * stopped (which closes every watch from the server's side) and "comes back" a new mock server on the same port:
 * its store starts empty, so what is created in it is what changed in the meantime, including slices that are gone.
 */
class KubernetesOutageTest {

    private static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    @Test
    void serverGoneThePoolKeepsItsSetAndHearsOnceBackTheChangesAppear() {
        KubernetesMockServer first = K8s.server(0);
        int port = first.getPort();
        KubernetesClient client = K8s.client(first);
        KubernetesMockServer second = null;
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null),
                ready("orders-2", "10.0.0.2", null))));
        RecordingSink[] sink = new RecordingSink[1];
        LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(
                KubernetesBackendSource.builder(client, NS, "orders").port("http")
                        .relistInterval(Duration.ofMillis(200)).build(), sink)).build();
        try {
            await("the first set", () -> ids(pool).equals(List.of("orders-1:8080", "orders-2:8080")));

            first.destroy();
            await("the outage reported", () -> sink[0].failures.size() == 1);
            assertThat(sink[0].failures.get(0)).contains("shop/orders", "listing its EndpointSlices failed",
                    "retrying");
            assertThat(sink[0].failures.get(0)).doesNotContain("http://", "labelSelector");
            assertThat(ids(pool)).containsExactly("orders-1:8080", "orders-2:8080");

            second = K8s.server(port);
            KubernetesClient writer = K8s.client(second);
            create(writer, slice("orders", "orders-b", "http", 8080, List.of(ready("orders-2", "10.0.0.2", null),
                    ready("orders-3", "10.0.0.3", null))));
            // orders-a is gone in the new server: only a list shows that (a watch never sends its DELETED).
            await("the set after the outage", () -> ids(pool).equals(List.of("orders-2:8080", "orders-3:8080")));
            // However many lists failed meanwhile (retried with backoff from 500 ms), the pool heard once.
            assertThat(sink[0].failures).hasSize(1);

            // The watch runs again: a change after the outage arrives.
            create(writer, slice("orders", "orders-c", "http", 8080, List.of(ready("orders-4", "10.0.0.4", null))));
            await("a change after the outage", () -> ids(pool).equals(List.of("orders-2:8080", "orders-3:8080",
                    "orders-4:8080")));
            assertThat(sink[0].sawOverlap()).isFalse();
            writer.close();
        } finally {
            // Servers before sources: a client-side close of a watch can stall the mock (see
            // KubernetesBackendSourceTest.stop()).
            if (second != null) {
                second.destroy();
            }
            pool.close();
            client.close();
        }
    }

    @Test
    void watchClosedByTheServerResumesWithoutLosingChanges() {
        KubernetesMockServer first = K8s.server(0);
        int port = first.getPort();
        KubernetesClient client = K8s.client(first);
        KubernetesMockServer second = null;
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        RecordingSink sink = new RecordingSink();
        // The default relist interval (minutes): what resumes here is the watch itself, reconnected by the client.
        KubernetesBackendSource source = KubernetesBackendSource.builder(client, NS, "orders").port("http").build();
        try {
            source.start(sink);
            await("the first set", () -> sink.lastIds().equals(List.of("orders-1:8080")));
            first.destroy(); // every watch closed from the server's side
            second = K8s.server(port);
            KubernetesClient writer = K8s.client(second);
            create(writer, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null),
                    ready("orders-5", "10.0.0.5", null))));
            await("a change through the resumed watch", () -> sink.lastIds().equals(
                    List.of("orders-1:8080", "orders-5:8080")));
            writer.close();
        } finally {
            if (second != null) {
                second.destroy();
            }
            source.close();
            client.close();
        }
    }

    @Test
    void aRelistThatFindsTheSameSetConfirmsIt() {
        KubernetesMockServer server = K8s.server(0);
        KubernetesClient client = K8s.client(server);
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        RecordingSink[] sink = new RecordingSink[1];
        LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(
                KubernetesBackendSource.builder(client, NS, "orders").port("http")
                        .relistInterval(Duration.ofMillis(200)).build(), sink)).build();
        try {
            await("the first set", () -> ids(pool).equals(List.of("orders-1:8080")));
            long firstSet = pool.membershipConfirmedNanos();
            await("two relists confirmed it", () -> sink[0].confirmations.get() >= 2);
            assertThat(sink[0].updates).hasSize(1);
            assertThat(pool.membershipConfirmedNanos()).isGreaterThan(firstSet);

            // A change arrives as an update, not as a confirmation of the old set.
            int confirmed = sink[0].confirmations.get();
            create(client, slice("orders", "orders-b", "http", 8080, List.of(ready("orders-2", "10.0.0.2", null))));
            await("the change", () -> ids(pool).equals(List.of("orders-1:8080", "orders-2:8080")));
            assertThat(sink[0].updates).hasSize(2);
            await("the new set confirmed", () -> sink[0].confirmations.get() > confirmed);
            assertThat(sink[0].sawOverlap()).isFalse();
        } finally {
            server.destroy();
            pool.close();
            client.close();
        }
    }
}
