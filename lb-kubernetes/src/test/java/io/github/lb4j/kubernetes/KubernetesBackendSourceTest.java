package io.github.lb4j.kubernetes;

import io.github.lb4j.core.testing.RecordingSink;
import static io.github.lb4j.kubernetes.K8s.NS;
import static io.github.lb4j.kubernetes.K8s.await;
import static io.github.lb4j.kubernetes.K8s.create;
import static io.github.lb4j.kubernetes.K8s.delete;
import static io.github.lb4j.kubernetes.K8s.endpoint;
import static io.github.lb4j.kubernetes.K8s.many;
import static io.github.lb4j.kubernetes.K8s.ready;
import static io.github.lb4j.kubernetes.K8s.replace;
import static io.github.lb4j.kubernetes.K8s.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The source against fabric8's mock API server in CRUD mode (no real API server can run here): slices created,
 * replaced and deleted as the EndpointSlice controller does, read through real lists and watches over HTTP on
 * loopback.
 */
class KubernetesBackendSourceTest {

    private KubernetesMockServer server;
    private KubernetesClient client;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() {
        server = K8s.server(0);
        client = K8s.client(server);
    }

    /**
     * The server first: the mock can stall its event loop when a client closes a watch's WebSocket while it is
     * still sending (its WatchEventsListener waits for its sender on the event loop), and then fails to stop.
     */
    @AfterEach
    void stop() throws Exception {
        server.destroy();
        for (AutoCloseable c : toClose) {
            c.close();
        }
        client.close();
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private RecordingSink watch(KubernetesBackendSource.Builder builder) {
        KubernetesBackendSource source = builder.build();
        closeLater(source);
        RecordingSink sink = new RecordingSink();
        source.start(sink);
        return sink;
    }

    private RecordingSink watch(String service, String port) {
        return watch(KubernetesBackendSource.builder(client, NS, service).port(port));
    }

    @Test
    void slicesAddedChangedAndDeletedAreOneMergedSet() {
        create(client, slice("orders", "orders-a", "http", 8080, List.of(
                ready("orders-1", "10.0.0.1", "eu-1a"), ready("orders-2", "10.0.0.2", "eu-1b"))));
        RecordingSink sink = watch("orders", "http");
        await("the first slice", () -> sink.lastIds().equals(List.of("orders-1:8080", "orders-2:8080")));
        Backend one = sink.last().stream().filter(b -> b.id().equals("orders-1:8080")).findFirst().orElseThrow();
        assertThat(one.host()).isEqualTo("10.0.0.1");
        assertThat(one.port()).isEqualTo(8080);
        assertThat(one.zone()).isEqualTo("eu-1a");
        assertThat(one.weight()).isEqualTo(1);

        create(client, slice("orders", "orders-b", "http", 8080, List.of(ready("orders-3", "10.0.0.3", null))));
        await("the second slice merged", () -> sink.lastIds().equals(
                List.of("orders-1:8080", "orders-2:8080", "orders-3:8080")));

        replace(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-2", "10.0.0.2", "eu-1b"))));
        await("orders-1 gone from the first slice", () -> sink.lastIds().equals(
                List.of("orders-2:8080", "orders-3:8080")));

        delete(client, "orders-b");
        await("the second slice deleted", () -> sink.lastIds().equals(List.of("orders-2:8080")));
        assertThat(sink.failures).isEmpty();
        assertThat(sink.sawOverlap()).isFalse();
    }

    @Test
    void conditionsDecideWhoIsInTheSet() {
        create(client, slice("orders", "orders-a", "http", 8080, List.of(
                ready("orders-1", "10.0.0.1", null),
                endpoint("orders-2", "10.0.0.2", null, null, null, null), // no conditions reported: ready
                endpoint("orders-3", "10.0.0.3", null, false, false, false)))); // starting, not ready yet
        RecordingSink sink = watch("orders", "http");
        await("ready and unknown in, not ready out", () -> sink.lastIds().equals(
                List.of("orders-1:8080", "orders-2:8080")));

        // orders-1 terminates (still serving its calls), orders-3 becomes ready.
        replace(client, slice("orders", "orders-a", "http", 8080, List.of(
                endpoint("orders-1", "10.0.0.1", null, false, true, true),
                endpoint("orders-2", "10.0.0.2", null, null, null, null),
                ready("orders-3", "10.0.0.3", null))));
        await("the terminating one out, the newly ready one in", () -> sink.lastIds().equals(
                List.of("orders-2:8080", "orders-3:8080")));

        // orders-2 fails its readiness probe; orders-3 stays.
        replace(client, slice("orders", "orders-a", "http", 8080, List.of(
                endpoint("orders-2", "10.0.0.2", null, false, false, false),
                ready("orders-3", "10.0.0.3", null))));
        await("the unready one out", () -> sink.lastIds().equals(List.of("orders-3:8080")));

        replace(client, slice("orders", "orders-a", "http", 8080, List.of(
                ready("orders-2", "10.0.0.2", null), ready("orders-3", "10.0.0.3", null))));
        await("ready again, back in", () -> sink.lastIds().equals(List.of("orders-2:8080", "orders-3:8080")));
    }

    @Test
    void twoHundredFiftyEndpointsOverThreeSlicesAreTwoHundredFiftyBackends() {
        create(client, slice("orders", "orders-a", "http", 8080, many("orders", 0, 100)));
        create(client, slice("orders", "orders-b", "http", 8080, many("orders", 100, 100)));
        KubernetesBackendSource first = closeLater(KubernetesBackendSource.builder(client, NS, "orders")
                .port("http").build());
        RecordingSink sink = new RecordingSink();
        first.start(sink);
        await("200 from two slices", () -> sink.last().size() == 200);
        create(client, slice("orders", "orders-c", "http", 8080, many("orders", 200, 50)));
        await("250 from three slices", () -> sink.last().size() == 250);
        assertThat(sink.last()).extracting(Backend::id).doesNotHaveDuplicates()
                .contains("orders-0:8080", "orders-99:8080", "orders-100:8080", "orders-249:8080");

        KubernetesBackendSource second = KubernetesBackendSource.builder(client, NS, "orders").port("http").build();
        LoadBalancer pool = closeLater(LoadBalancer.builder("orders").source(second).build());
        await("a pool of 250", () -> pool.backends().size() == 250);
        // The sets came from lists; the mock also sends each new watch every stored slice (2 and 3 here, the
        // first watch then the third slice's ADDED): let those large writes end before stop() destroys it.
        K8s.awaitReplay(first, 3);
        K8s.awaitReplay(second, 3);
    }

    @Test
    void twoServicesInOneNamespaceAreNotMixed() {
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        create(client, slice("payments", "payments-a", "http", 8080,
                List.of(ready("payments-1", "10.0.1.1", null))));
        RecordingSink orders = watch("orders", "http");
        RecordingSink payments = watch("payments", "http");
        await("orders", () -> orders.lastIds().equals(List.of("orders-1:8080")));
        await("payments", () -> payments.lastIds().equals(List.of("payments-1:8080")));

        create(client, slice("payments", "payments-b", "http", 8080,
                List.of(ready("payments-2", "10.0.1.2", null))));
        create(client, slice("orders", "orders-b", "http", 8080, List.of(ready("orders-2", "10.0.0.2", null))));
        await("orders-2", () -> orders.lastIds().equals(List.of("orders-1:8080", "orders-2:8080")));
        await("payments-2", () -> payments.lastIds().equals(List.of("payments-1:8080", "payments-2:8080")));
        assertThat(orders.updates).allSatisfy(set -> assertThat(set).allMatch(b -> b.id().startsWith("orders-")));
        assertThat(payments.updates).allSatisfy(set -> assertThat(set)
                .allMatch(b -> b.id().startsWith("payments-")));
    }

    @Test
    void ipv6SlicesAndDualStackPods() {
        create(client, slice("orders", "orders-v6", "IPv6", List.of(new EndpointPort(null, "http", 8080, "TCP")),
                List.of(ready("orders-1", "fd00::1", null), ready(null, "fd00::9", null))));
        RecordingSink sink = watch("orders", "http");
        await("IPv6 backends", () -> sink.lastIds().equals(List.of("[fd00::9]:8080", "orders-1:8080")));
        assertThat(sink.last()).extracting(Backend::host).containsExactlyInAnyOrder("fd00::1", "fd00::9");

        // Dual-stack: the same pod in an IPv4 slice too. Each address is a backend, each id names its address.
        create(client, slice("orders", "orders-v4", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        await("both families", () -> sink.lastIds().equals(List.of("[fd00::9]:8080", "orders-1/10.0.0.1:8080",
                "orders-1/[fd00::1]:8080")));
    }

    @Test
    void anAddressListedInTwoSlicesIsOneBackend() {
        // The controller moves an endpoint from one slice to another in two writes; for a moment it is in both.
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        create(client, slice("orders", "orders-b", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null),
                ready("orders-2", "10.0.0.2", null))));
        RecordingSink sink = watch("orders", "http");
        await("two backends", () -> sink.lastIds().equals(List.of("orders-1:8080", "orders-2:8080")));
    }

    @Test
    void aSliceWithoutThePortIsSkippedAndCountedOnce() {
        KubernetesBackendSource.Builder builder = KubernetesBackendSource.builder(client, NS, "orders").port("http");
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        create(client, slice("orders", "orders-b", "metrics", 9090, List.of(ready("orders-2", "10.0.0.2", null))));
        KubernetesBackendSource source = builder.build();
        closeLater(source);
        RecordingSink sink = new RecordingSink();
        source.start(sink);
        await("the slice with the port", () -> sink.lastIds().equals(List.of("orders-1:8080")));
        assertThat(source.skippedCount()).isEqualTo(1);

        // Other changes do not report the skipped slice again; a new version of it does.
        create(client, slice("orders", "orders-c", "http", 8080, List.of(ready("orders-3", "10.0.0.3", null))));
        await("orders-3", () -> sink.lastIds().equals(List.of("orders-1:8080", "orders-3:8080")));
        assertThat(source.skippedCount()).isEqualTo(1);
        replace(client, slice("orders", "orders-b", "metrics", 9090, List.of(ready("orders-4", "10.0.0.4", null))));
        await("the new version counted", () -> source.skippedCount() == 2);
        assertThat(sink.failures).isEmpty();

        // An address the pool cannot use skips that endpoint only.
        replace(client, slice("orders", "orders-c", "http", 8080, List.of(ready("orders-3", "10.0.0.3", null),
                ready("orders-5", "not an address", null))));
        await("the bad endpoint counted", () -> source.skippedCount() == 3);
        assertThat(sink.lastIds()).containsExactly("orders-1:8080", "orders-3:8080");
    }

    @Test
    void noSliceWithThePortIsAFailureNamingThePortAndThePortsThereAre() {
        create(client, slice("orders", "orders-a", "web", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        create(client, slice("orders", "orders-b", "metrics", 9090, List.of(ready("orders-2", "10.0.0.2", null))));
        RecordingSink sink = watch("orders", "http");
        await("the failure", () -> sink.failures.size() == 1);
        assertThat(sink.failures.get(0)).contains("shop/orders", "port 'http'", "metrics", "web");
        assertThat(sink.updates).isEmpty();

        // Fixed at run time (the Service's port renamed): the set arrives.
        replace(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        await("the set once a slice has the port", () -> sink.lastIds().equals(List.of("orders-1:8080")));
        assertThat(sink.failures).hasSize(1);
    }

    @Test
    void withoutAPortNameTheOnlyPortIsUsed() {
        create(client, slice("orders", "orders-a", null, 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        RecordingSink sink = watch(KubernetesBackendSource.builder(client, NS, "orders"));
        await("the unnamed single port", () -> sink.lastIds().equals(List.of("orders-1:8080")));
    }

    @Test
    void withoutAPortNameASliceWithTwoPortsIsSkipped() {
        create(client, slice("orders", "orders-a", "IPv4", List.of(new EndpointPort(null, "http", 8080, "TCP"),
                new EndpointPort(null, "grpc", 9090, "TCP")), List.of(ready("orders-1", "10.0.0.1", null))));
        RecordingSink sink = watch(KubernetesBackendSource.builder(client, NS, "orders"));
        await("the failure", () -> sink.failures.size() == 1);
        assertThat(sink.failures.get(0)).contains("the only port", "grpc", "http");
    }

    @Test
    void portByNumberIsTheEndpointsPort() {
        create(client, slice("orders", "orders-a", "IPv4", List.of(new EndpointPort(null, "http", 8080, "TCP"),
                new EndpointPort(null, "grpc", 9090, "TCP")), List.of(ready("orders-1", "10.0.0.1", null))));
        RecordingSink sink = watch(KubernetesBackendSource.builder(client, NS, "orders").portNumber(9090));
        await("port 9090", () -> sink.lastIds().equals(List.of("orders-1:9090")));
        assertThat(sink.last().get(0).port()).isEqualTo(9090);
    }

    @Test
    void udpPortsAndFqdnSlicesAreNotRead() {
        create(client, slice("orders", "orders-a", "IPv4", List.of(new EndpointPort(null, "http", 8080, "UDP")),
                List.of(ready("orders-1", "10.0.0.1", null))));
        create(client, slice("orders", "orders-b", "FQDN", List.of(new EndpointPort(null, "http", 8080, "TCP")),
                List.of(ready("orders-2", "orders-2.example.com", null))));
        create(client, slice("orders", "orders-c", "http", 8080, List.of(ready("orders-3", "10.0.0.3", null))));
        KubernetesBackendSource source = KubernetesBackendSource.builder(client, NS, "orders").port("http").build();
        closeLater(source);
        RecordingSink sink = new RecordingSink();
        source.start(sink);
        await("only the TCP IPv4 slice", () -> sink.lastIds().equals(List.of("orders-3:8080")));
        assertThat(source.skippedCount()).isEqualTo(2);
    }

    @Test
    void aServiceWithNoReadyEndpointPushesAnEmptySetThePoolKeepsItsOwn() {
        EndpointSlice one = slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null)));
        create(client, one);
        LoadBalancer pool = closeLater(LoadBalancer.builder("orders")
                .source(KubernetesBackendSource.builder(client, NS, "orders").port("http").build()).build());
        await("orders-1", () -> pool.backends().size() == 1);
        delete(client, "orders-a");
        RecordingSink probe = watch("orders", "http");
        await("the empty set reached a second source", () -> probe.updates.size() == 1 && probe.last().isEmpty());
        assertThat(pool.backends()).extracting(Backend::id).containsExactly("orders-1:8080");
    }

    @Test
    void closedSourcesPushNothingMoreAndDoNotReconnect() {
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        KubernetesBackendSource source = KubernetesBackendSource.builder(client, NS, "orders").port("http").build();
        RecordingSink sink = new RecordingSink();
        source.start(sink);
        await("orders-1", () -> sink.updates.size() == 1);
        // The server goes first (a client-side close of a watch can stall the mock, see stop()); then the source
        // closes while its watch would be reconnecting.
        int port = server.getPort();
        server.destroy();
        source.close();
        source.close();
        // Between the server's end and close(), the source may already have found it gone and reported that once:
        // what matters is that nothing is reported after close() returned.
        int failuresAtClose = sink.failures.size();
        server = K8s.server(port);
        create(client, slice("orders", "orders-a", "http", 8080, List.of(ready("orders-1", "10.0.0.1", null))));
        create(client, slice("orders", "orders-b", "http", 8080, List.of(ready("orders-2", "10.0.0.2", null))));
        // A second source sees the new server: the closed one had every chance to reconnect and push too.
        RecordingSink probe = watch("orders", "http");
        await("the probe sees both", () -> probe.lastIds().size() == 2);
        assertThat(sink.updates).hasSize(1);
        assertThat(sink.failures).hasSize(failuresAtClose);
    }
}
