package io.github.lb4j.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test fixtures: fabric8's mock API server in CRUD mode (it stores what is created and serves lists and watches of
 * it, label selectors included: no real API server can run where these tests run), EndpointSlices as the
 * EndpointSlice controller writes them, and bounded waits.
 */
final class K8s {

    /** Long against every scenario here (milliseconds to a few seconds), short against a hung build. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NS = "shop";
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private K8s() {
    }

    /** A CRUD-mode mock API server on a loopback port (0: any free one), started. Plain HTTP. */
    static KubernetesMockServer server(int port) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return server;
    }

    /**
     * A client of {@code server}: watches over WebSockets (the client's default, and what the mock serves); a failed
     * request retried once (the client's default is 10 times, with backoff from 100 ms: 20 s before a list to a
     * stopped server fails).
     */
    static KubernetesClient client(KubernetesMockServer server) {
        return server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(1).endConfig());
    }

    /** A slice of {@code service} named {@code name}, with one TCP port and the given endpoints. */
    static EndpointSlice slice(String service, String name, String portName, int port, List<Endpoint> endpoints) {
        return slice(service, name, "IPv4", List.of(new EndpointPort(null, portName, port, "TCP")), endpoints);
    }

    static EndpointSlice slice(String service, String name, String addressType, List<EndpointPort> ports,
                               List<Endpoint> endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels(KubernetesBackendSource.SERVICE_NAME_LABEL, service)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
                .endMetadata()
                .withAddressType(addressType)
                .withPorts(ports)
                .withEndpoints(endpoints)
                .build();
    }

    /** A ready endpoint of pod {@code pod} (no targetRef when null) in {@code zone} (none when null). */
    static Endpoint ready(String pod, String address, String zone) {
        return endpoint(pod, address, zone, true, true, false);
    }

    /** An endpoint with explicit conditions (each may be null: absent). */
    static Endpoint endpoint(String pod, String address, String zone, Boolean ready, Boolean serving,
                             Boolean terminating) {
        EndpointBuilder b = new EndpointBuilder().withAddresses(address).withZone(zone)
                .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating)
                .endConditions();
        if (pod != null) {
            b.withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(NS).withName(pod).build());
        }
        return b.build();
    }

    /** {@code count} ready endpoints: pods {@code prefix-<i>} at 10.x.y.z, from index {@code from}. */
    static List<Endpoint> many(String prefix, int from, int count) {
        List<Endpoint> out = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            out.add(ready(prefix + "-" + i, "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
                    "z" + (i % 3)));
        }
        return out;
    }

    static EndpointSlice create(KubernetesClient client, EndpointSlice slice) {
        return client.discovery().v1().endpointSlices().inNamespace(NS).resource(slice).create();
    }

    /** Replaces the stored slice of that name (a PUT, as the controller's updates are). */
    static EndpointSlice replace(KubernetesClient client, EndpointSlice slice) {
        return client.discovery().v1().endpointSlices().inNamespace(NS).resource(slice).update();
    }

    static void delete(KubernetesClient client, String name) {
        client.discovery().v1().endpointSlices().inNamespace(NS).withName(name).delete();
    }

    /**
     * Polls {@code condition} until it holds: never a bare sleep for a state change.
     *
     * @return how long it took
     * @throws AssertionError naming {@code what} if it does not hold within {@link #WAIT}
     */
    static Duration await(String what, BooleanSupplier condition) {
        return await(what, WAIT, condition);
    }

    /**
     * Waits until {@code source} has received {@code events} watch events. The mock sends every new watch all the
     * stored resources it matches as ADDED, after the list a source fills its pool from, so a test that saw its set
     * may end while those are still queued: the mock serializes them on its event loop and writes them from one
     * thread per watch, each write awaited for up to 30 s; destroying it while writes are queued can leave its event
     * loop in the watch's close handler, which waits for that thread, which waits for the event loop, past the mock's
     * 10 s stop timeout ("Unable to close Vertx", once in CI after 100 slices of 100 endpoints; not reproduced here in
     * 6 runs without this wait, where the writes fit the socket buffers). Tests whose watches get large replays wait
     * here before the teardown: once the client has every event, nothing is left to write.
     */
    static void awaitReplay(KubernetesBackendSource source, long events) {
        await(events + " watch event(s) in", WAIT, () -> source.watchEventCount() >= events);
    }

    static Duration await(String what, Duration deadline, BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > deadline.toNanos()) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
