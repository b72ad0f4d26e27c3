package io.github.lb4j.zookeeper;

import static io.github.lb4j.zookeeper.Zk.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.testing.RecordingSink;
import io.github.lb4j.core.testing.Relay;
import io.github.lb4j.core.testing.RequestLoop;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's ZooKeeper session expires while requests flow through the pool (a loop of {@code pool.select()} and
 * real HTTP calls to loopback backends, see {@link RequestLoop}), and the service changes in the meantime. A real
 * ZooKeeper server in-process (Curator's {@code TestingServer}): the session is expired on the server, the way a
 * session timeout ends it, which is what the source has to survive; a ZooKeeper binary would add a process to
 * manage and nothing to this.
 */
class ZooKeeperUnderLoadTest {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperUnderLoadTest.class);
    private static final String BASE = "/services";
    private static final int THREADS = 2;
    /** Requests that must complete while the source is away: the proof that requests flowed through it. */
    private static final long DURING_OUTAGE = 1_000;

    private static ZooKeeperRegistration register(CuratorFramework client, String id, RequestLoop.Backends backends,
                                                  int i) throws InterruptedException {
        ZooKeeperRegistration r = ZooKeeperRegistration.builder(client, BASE, "orders").id(id).address("127.0.0.1")
                .port(backends.port(i)).build().start();
        assertThat(r.awaitRegistered(Zk.WAIT)).as(id + " registered").isTrue();
        return r;
    }

    private static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    /**
     * Backends a and b are registered (ephemeral nodes of another client, as Curator's service discovery does). The
     * source's client is cut off (a relay in front of it drops its connection) and its session is expired on the
     * server; meanwhile c registers and a leaves. When the connection returns, the client learns its session is
     * gone, starts a new one, and the source re-reads the service: {b, c}. No request fails.
     */
    @Test
    void theSessionExpiresWhileCutOffAndTheServiceChangesWhileRequestsFlow() throws Exception {
        try (TestingServer server = new TestingServer(true); Relay relay = new Relay(server.getPort());
             RequestLoop.Backends backends = RequestLoop.Backends.start(3)) {
            CuratorFramework client = Zk.client(relay.hostPort());
            CuratorFramework peers = Zk.client(server.getConnectString());
            Set<ConnectionState> states = ConcurrentHashMap.newKeySet();
            client.getConnectionStateListenable().addListener((c, state) -> states.add(state));
            ZooKeeperRegistration a = register(peers, "a", backends, 0);
            ZooKeeperRegistration b = register(peers, "b", backends, 1);
            ZooKeeperRegistration c = null;
            RecordingSink[] sink = new RecordingSink[1];
            try (LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(
                    ZooKeeperBackendSource.builder(client, BASE, "orders").build(), sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));
                ZooKeeper session = client.getZookeeperClient().getZooKeeper();
                long sessionId = session.getSessionId();
                byte[] password = session.getSessionPasswd();
                RequestLoop loop = RequestLoop.start(pool, THREADS);
                try {
                    await("requests answered by a and b", () -> loop.answeredBy("a") > 0 && loop.answeredBy("b") > 0);

                    relay.cut();
                    long atCut = loop.sent();
                    await("the outage reported", () -> sink[0].failures.size() == 1);
                    Zk.expireSession(sessionId, password, server.getConnectString());
                    c = register(peers, "c", backends, 2);
                    a.close();
                    await("requests during the outage", () -> loop.sent() >= atCut + DURING_OUTAGE);
                    assertThat(ids(pool)).as("the last good set, kept while away").containsExactly("a", "b");

                    relay.restore();
                    Duration applied = await("c in and a out", () -> ids(pool).equals(List.of("b", "c")));
                    loop.assertNewSetServes("a", "c");

                    assertThat(states).as("told the session expired, then on a new one")
                            .contains(ConnectionState.LOST, ConnectionState.RECONNECTED);
                    assertThat(client.getZookeeperClient().getZooKeeper().getSessionId()).isNotEqualTo(sessionId);
                    assertThat(loop.failed()).as("failed requests: %s", loop.failures()).isZero();
                    assertThat(sink[0].failures).as("one report per outage").hasSize(1);
                    assertThat(sink[0].sawOverlap()).isFalse();
                    for (List<Backend> set : sink[0].updates) {
                        assertThat(set).extracting(Backend::id).as("never without b, nothing else")
                                .contains("b").isSubsetOf(Set.of("a", "b", "c"));
                    }
                    log.info("FIGURE ZooKeeper session expired while cut off: {} requests, {} failed, changes"
                            + " applied {} ms after the relay was restored", loop.sent(), loop.failed(),
                            applied.toMillis());
                } finally {
                    loop.close();
                }
            } finally {
                a.close();
                b.close();
                if (c != null) {
                    c.close();
                }
                peers.close();
                client.close();
            }
        }
    }
}
