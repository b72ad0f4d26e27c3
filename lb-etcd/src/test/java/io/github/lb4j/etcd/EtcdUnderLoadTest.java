package io.github.lb4j.etcd;

import static io.github.lb4j.etcd.Etcd.await;
import static io.github.lb4j.etcd.Etcd.endpoint;
import static io.github.lb4j.etcd.Etcd.ids;
import static io.github.lb4j.etcd.Etcd.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.testing.RecordingSink;
import io.github.lb4j.core.testing.Relay;
import io.github.lb4j.core.testing.RequestLoop;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry fails while requests flow: a loop of {@code pool.select()} and real HTTP calls to loopback backends
 * runs the whole time (see {@link RequestLoop}), while etcd is killed with SIGKILL and restarted on its data, or the
 * source is cut off from it while others change the service and compact the history. No request fails, the pool
 * keeps its set while etcd is away, and what changed meanwhile reaches the pool, and the requests, once it is back.
 * A real etcd per test.
 */
class EtcdUnderLoadTest {

    private static final Logger log = LoggerFactory.getLogger(EtcdUnderLoadTest.class);
    private static final String SVC = "orders";
    private static final int THREADS = 2;
    /** Requests that must complete while etcd is away: the proof that requests flowed through the outage. */
    private static final long DURING_OUTAGE = 1_000;

    private static EtcdBackendSource source(Client client) {
        return EtcdBackendSource.builder(client, SVC)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .build();
    }

    private static EtcdRegistration register(Client client, String name, RequestLoop.Backends backends, int i) {
        return EtcdRegistration.builder(client, SVC).name(name).address("127.0.0.1").port(backends.port(i))
                .ttl(Duration.ofSeconds(2)).build().start();
    }

    /**
     * Backends a and b are registered by {@link EtcdRegistration}s (their leases kept alive); etcd dies. While it is
     * away, process c starts and registers (its registration retries). Once etcd is back, a stops (its registration
     * closes). The pool goes from {a, b} to {b, c} without ever losing b, and without a failed request.
     */
    @Test
    void killedAndRestartedWhileRequestsFlow() throws Exception {
        try (EtcdServer server = EtcdServer.start(); RequestLoop.Backends backends = RequestLoop.Backends.start(3)) {
            Client registrations = Etcd.client(server.endpoint());
            Client client = Etcd.client(server.endpoint());
            EtcdRegistration a = register(registrations, "a", backends, 0);
            EtcdRegistration b = register(registrations, "b", backends, 1);
            EtcdRegistration c = null;
            assertThat(a.awaitRegistered(Etcd.WAIT) && b.awaitRegistered(Etcd.WAIT)).isTrue();
            RecordingSink[] sink = new RecordingSink[1];
            EtcdBackendSource source = source(client);
            try (LoadBalancer pool = LoadBalancer.builder("orders")
                    .source(RecordingSink.wrap(source, sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));
                await("the watch created", source::watching);
                RequestLoop loop = RequestLoop.start(pool, THREADS);
                try {
                    await("requests answered by a and b", () -> loop.answeredBy("a") > 0 && loop.answeredBy("b") > 0);

                    server.kill();
                    long atKill = loop.sent();
                    await("the outage reported", () -> sink[0].failures.size() == 1);
                    c = register(registrations, "c", backends, 2); // retries until etcd answers
                    await("requests during the outage", () -> loop.sent() >= atKill + DURING_OUTAGE);
                    assertThat(ids(pool)).as("the last good set, kept while etcd is away").containsExactly("a", "b");

                    server.restart();
                    long back = System.nanoTime();
                    a.close();
                    Duration applied = await("c in and a out", () -> ids(pool).equals(List.of("b", "c")));
                    Duration sinceBack = Duration.ofNanos(System.nanoTime() - back);
                    loop.assertNewSetServes("a", "c");

                    assertThat(loop.failed()).as("failed requests: %s", loop.failures()).isZero();
                    assertThat(sink[0].failures).as("one report per outage").hasSize(1);
                    for (List<Backend> set : sink[0].updates) {
                        assertThat(set).extracting(Backend::id).as("never without b, nothing else")
                                .contains("b").isSubsetOf(Set.of("a", "b", "c"));
                    }
                    log.info("FIGURE etcd killed and restarted: {} requests, {} failed, changes applied {} ms after"
                            + " the restart ({} ms after a's registration closed)", loop.sent(), loop.failed(),
                            sinceBack.toMillis(), applied.toMillis());
                } finally {
                    loop.close();
                }
            } finally {
                a.close();
                b.close();
                if (c != null) {
                    c.close();
                }
                client.close();
                registrations.close();
            }
        }
    }

    /**
     * The source alone is cut off from etcd (a relay in front of it drops every connection) while another client
     * adds c and d, deletes d and a, and compacts past the source's revision. Back, the source cannot resume its
     * watch and reads the service again: {b, c}, without a failed request, d never seen.
     */
    @Test
    void cutOffWhileTheServiceChangesAndIsCompactedWhileRequestsFlow() throws Exception {
        try (EtcdServer server = EtcdServer.start(); Relay relay = new Relay(server.clientPort());
             RequestLoop.Backends backends = RequestLoop.Backends.start(4)) {
            Client writer = Etcd.client(server.endpoint());
            Client client = Etcd.client("http://" + relay.hostPort());
            RecordingSink[] sink = new RecordingSink[1];
            put(writer, SVC + "/a", endpoint(backends.hostPort(0)));
            put(writer, SVC + "/b", endpoint(backends.hostPort(1)));
            EtcdBackendSource source = source(client);
            try (LoadBalancer pool = LoadBalancer.builder("orders")
                    .source(RecordingSink.wrap(source, sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));
                await("the watch created", source::watching);
                RequestLoop loop = RequestLoop.start(pool, THREADS);
                try {
                    await("requests answered by a and b", () -> loop.answeredBy("a") > 0 && loop.answeredBy("b") > 0);

                    relay.cut();
                    long atCut = loop.sent();
                    await("the outage reported", () -> sink[0].failures.size() == 1);
                    put(writer, SVC + "/c", endpoint(backends.hostPort(2)));
                    put(writer, SVC + "/d", endpoint(backends.hostPort(3)));
                    Etcd.delete(writer, SVC + "/d");
                    long last = Etcd.delete(writer, SVC + "/a");
                    writer.getKVClient().compact(last).get(Etcd.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    await("requests during the outage", () -> loop.sent() >= atCut + DURING_OUTAGE);
                    assertThat(ids(pool)).as("the last good set, kept while cut off").containsExactly("a", "b");

                    relay.restore();
                    Duration applied = await("the set read again", () -> ids(pool).equals(List.of("b", "c")));
                    loop.assertNewSetServes("a", "c");

                    assertThat(loop.failed()).as("failed requests: %s", loop.failures()).isZero();
                    assertThat(loop.answeredBy("d")).isZero();
                    assertThat(sink[0].updates).noneMatch(u -> u.stream().anyMatch(x -> x.id().equals("d")));
                    assertThat(sink[0].failures).hasSize(1);
                    log.info("FIGURE etcd cut off, changed and compacted: {} requests, {} failed, changes applied {}"
                            + " ms after the relay was restored", loop.sent(), loop.failed(), applied.toMillis());
                } finally {
                    loop.close();
                }
            } finally {
                client.close();
                writer.close();
            }
        }
    }
}
