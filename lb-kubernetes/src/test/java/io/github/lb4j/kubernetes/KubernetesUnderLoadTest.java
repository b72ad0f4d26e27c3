package io.github.lb4j.kubernetes;

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
import io.github.lb4j.core.testing.RecordingSink;
import io.github.lb4j.core.testing.Relay;
import io.github.lb4j.core.testing.RequestLoop;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's watch is closed while requests flow through the pool (a loop of {@code pool.select()} and real HTTP
 * calls to loopback backends, see {@link RequestLoop}), and the service's endpoints change while it is down. The API
 * server is fabric8's mock server in CRUD mode (no real API server runs here). Two ways to close the watch:
 * <ul>
 *   <li>a relay between the source's client and the mock drops every connection (the watch's WebSocket, and every
 *       list until restored) while another client changes the slices in the mock's store, which is kept;</li>
 *   <li>the mock server is stopped (which closes the watch from the server's side) and replaced by a new one whose
 *       store holds the slices as they are now; the relay sends the source's client to it once it is filled.
 *       Filled first, because the mock (fabric8 mockwebserver 8.0) can block its event loop for 30 s writing a watch
 *       event to a WebSocket the client is closing ("VertxMockWebSocket write did not complete within 30s"), which
 *       a replacement on the same port, reached by the client's own watch reconnection, ran into in one of the
 *       first runs: a stall of the mock, not of the source, which lists again as soon as the server answers.</li>
 * </ul>
 * The fabric8 mock does not replay a resumed watch's missed events as a real API server does from its resource
 * version, so what brings the changes back here is the source's list after the outage (and its relist, which is
 * what notices the outage: 1 s here).
 */
class KubernetesUnderLoadTest {

    private static final Logger log = LoggerFactory.getLogger(KubernetesUnderLoadTest.class);
    private static final int THREADS = 2;
    /** Requests that must complete while the API server is away: the proof that requests flowed through it. */
    private static final long DURING_OUTAGE = 1_000;

    private static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    /** One slice per backend: its own port, the address 127.0.0.1, pod {@code orders-<letter>}. */
    private static void createSlice(KubernetesClient client, String letter, RequestLoop.Backends backends, int i) {
        create(client, slice("orders", "orders-" + letter, "http", backends.port(i),
                List.of(ready("orders-" + letter, "127.0.0.1", null))));
    }

    private static String id(String letter, RequestLoop.Backends backends, int i) {
        return "orders-" + letter + ":" + backends.port(i);
    }

    private static KubernetesBackendSource source(KubernetesClient client) {
        return KubernetesBackendSource.builder(client, NS, "orders").port("http")
                .relistInterval(Duration.ofSeconds(1)).build();
    }

    @Test
    void theWatchIsCutWhileTheEndpointsChangeWhileRequestsFlow() throws Exception {
        KubernetesMockServer server = K8s.server(0);
        KubernetesClient writer = K8s.client(server);
        RecordingSink[] sink = new RecordingSink[1];
        try (Relay relay = new Relay(server.getPort()); RequestLoop.Backends backends = RequestLoop.Backends.start(3);
             KubernetesClient client = viaRelay(server, relay)) {
            createSlice(writer, "a", backends, 0);
            createSlice(writer, "b", backends, 1);
            List<String> before = List.of(id("a", backends, 0), id("b", backends, 1));
            List<String> after = List.of(id("b", backends, 1), id("c", backends, 2));
            LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(source(client), sink))
                    .build();
            try {
                await("a and b", () -> ids(pool).equals(before));
                awaitSettledWatch(sink[0]);
                RequestLoop loop = RequestLoop.start(pool, THREADS);
                try {
                    relay.cut();
                    long atCut = loop.sent();
                    await("the outage reported", () -> sink[0].failures.size() == 1);
                    K8s.delete(writer, "orders-a");
                    createSlice(writer, "c", backends, 2);
                    await("requests during the outage", () -> loop.sent() >= atCut + DURING_OUTAGE);
                    assertThat(ids(pool)).as("the last good set, kept while away").isEqualTo(before);

                    relay.restore();
                    Duration applied = await("c in and a out", () -> ids(pool).equals(after));
                    loop.assertNewSetServes(before.get(0), after.get(1));
                    assertServedThrough(loop, sink[0], before, after);
                    log.info("FIGURE Kubernetes watch cut off: {} requests, {} failed, changes applied {} ms after"
                            + " the relay was restored", loop.sent(), loop.failed(), applied.toMillis());
                } finally {
                    loop.close();
                }
            } finally {
                server.destroy(); // servers before sources: see KubernetesBackendSourceTest.stop()
                pool.close();
                writer.close();
            }
        }
    }

    @Test
    void theServerClosesTheWatchAndIsReplacedWithOtherEndpointsWhileRequestsFlow() throws Exception {
        KubernetesMockServer first = K8s.server(0);
        KubernetesMockServer second = null;
        RecordingSink[] sink = new RecordingSink[1];
        try (Relay relay = new Relay(first.getPort()); RequestLoop.Backends backends = RequestLoop.Backends.start(3);
             KubernetesClient client = viaRelay(first, relay)) {
            try (KubernetesClient writer = K8s.client(first)) {
                createSlice(writer, "a", backends, 0);
                createSlice(writer, "b", backends, 1);
            }
            List<String> before = List.of(id("a", backends, 0), id("b", backends, 1));
            List<String> after = List.of(id("b", backends, 1), id("c", backends, 2));
            LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(source(client), sink))
                    .build();
            try {
                await("a and b", () -> ids(pool).equals(before));
                awaitSettledWatch(sink[0]);
                RequestLoop loop = RequestLoop.start(pool, THREADS);
                try {
                    first.destroy(); // closes the watch from the server's side
                    long atStop = loop.sent();
                    await("the outage reported", () -> sink[0].failures.size() == 1);
                    second = K8s.server(0);
                    try (KubernetesClient writer = K8s.client(second)) {
                        createSlice(writer, "b", backends, 1);
                        createSlice(writer, "c", backends, 2);
                    }
                    await("requests during the outage", () -> loop.sent() >= atStop + DURING_OUTAGE);
                    assertThat(ids(pool)).as("the last good set, kept while away").isEqualTo(before);

                    relay.retarget(second.getPort());
                    Duration applied = await("c in and a out", () -> ids(pool).equals(after));
                    loop.assertNewSetServes(before.get(0), after.get(1));
                    assertServedThrough(loop, sink[0], before, after);
                    log.info("FIGURE Kubernetes server stopped and replaced: {} requests, {} failed, changes applied"
                            + " {} ms after the new server was reachable", loop.sent(), loop.failed(),
                            applied.toMillis());
                } finally {
                    loop.close();
                }
            } finally {
                if (second != null) {
                    second.destroy();
                }
                pool.close();
            }
        }
    }

    /**
     * Waits for the source's first relist to find the set it has (about a second after the start): its watch has run
     * since before that, so the mock is done writing to it. Closing a watch's WebSocket while the mock writes to it
     * (its start, here a few milliseconds after the set is seen) stalls the mock's event loop for 30 s, the lists
     * and the test's own writes with it (see {@link #viaRelay}); seen once in 23 runs, the cut 4 ms after the watch
     * opened, before this wait.
     */
    private static void awaitSettledWatch(RecordingSink sink) {
        await("a relist that confirms the set", () -> sink.confirmations.get() >= 1);
    }

    /**
     * A client of {@code server} through {@code relay}: the relay's address as the API server's, and no request
     * retried by the client (the source retries its lists itself).
     *
     * <p>Not retried because the client (fabric8 8.0) retries the opening of a watch's WebSocket even after the watch
     * was closed: when the source closes its watch on a failed list while the client's own reconnection of that watch
     * is failing at the cut relay, the retry, 100 ms later, can reach the server once the relay is restored. The client
     * closes that stray WebSocket at once, which a real API server shrugs off; the mock, if it is writing events to the
     * socket at that moment (it replays the changes made during the cut to a watch from an old resource version),
     * blocks its event loop for 30 s ({@code WatchEventsListener.onClosed} waits on the event loop for a write that
     * needs it) and answers no list meanwhile. Seen here: 1 run in 10 to 25 timed out with "c in and a out", the
     * mock's log showing a watch from resource version 1 opened after the source's "Force closing the watch".
     */
    private static KubernetesClient viaRelay(KubernetesMockServer server, Relay relay) {
        return server.createClient(b -> b.editOrNewConfig().withMasterUrl("http://" + relay.hostPort())
                .withRequestRetryBackoffLimit(0).endConfig());
    }

    /** No request failed, the pool heard of the outage once, and no set pushed lost b or held anything else. */
    private static void assertServedThrough(RequestLoop loop, RecordingSink sink, List<String> before,
                                            List<String> after) {
        assertThat(loop.failed()).as("failed requests: %s", loop.failures()).isZero();
        assertThat(sink.failures).as("one report per outage").hasSize(1);
        assertThat(sink.sawOverlap()).isFalse();
        Set<String> known = Set.of(before.get(0), before.get(1), after.get(1));
        for (List<Backend> set : sink.updates) {
            assertThat(set).extracting(Backend::id).as("never without b, nothing else")
                    .contains(before.get(1)).isSubsetOf(known);
        }
    }
}
