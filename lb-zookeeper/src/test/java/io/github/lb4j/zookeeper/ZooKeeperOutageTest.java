package io.github.lb4j.zookeeper;

import io.github.lb4j.core.testing.Relay;
import io.github.lb4j.core.testing.RecordingSink;
import static io.github.lb4j.zookeeper.Zk.await;
import static io.github.lb4j.zookeeper.Zk.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry goes away: the server stops, the network between one client and the server breaks, an ensemble
 * loses its leader. The pool keeps its set, hears of each outage once, and sees the changes of the meantime after the
 * client reconnects. Real ZooKeeper servers in-process on loopback ports.
 */
class ZooKeeperOutageTest {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperOutageTest.class);
    private static final String SVC = "/services/orders";

    /** Records the connection states a client goes through. */
    private static Set<ConnectionState> states(CuratorFramework client) {
        Set<ConnectionState> seen = ConcurrentHashMap.newKeySet();
        client.getConnectionStateListenable().addListener((c, state) -> seen.add(state));
        return seen;
    }

    private static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    @Test
    void serverStoppedThePoolKeepsItsSetAndHearsOnceRestartedTheChangesAppear() throws Exception {
        try (TestingServer server = new TestingServer(true)) {
            CuratorFramework client = Zk.client(server.getConnectString());
            CuratorFramework writer = Zk.client(server.getConnectString());
            Set<ConnectionState> states = states(client);
            RecordingSink[] sink = new RecordingSink[1];
            writer.create().creatingParentsIfNeeded().forPath(SVC + "/a", instance("a", "127.0.0.1", 8081, null,
                    null));
            writer.create().forPath(SVC + "/b", instance("b", "127.0.0.1", 8082, null, null));
            try (LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(
                    ZooKeeperBackendSource.builder(client, "/services", "orders").build(), sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));

                server.stop();
                await("the outage reported", () -> sink[0].failures.size() == 1);
                // The session times out while the server is down: Curator goes SUSPENDED, then LOST, and retries
                // per its policy all along; the pool hears of the outage once.
                await("the session lost", () -> states.contains(ConnectionState.LOST));
                assertThat(ids(pool)).containsExactly("a", "b");
                assertThat(sink[0].failures).hasSize(1);
                assertThat(sink[0].failures.get(0)).contains("/services/orders", "SUSPENDED");

                server.restart();
                writer.create().forPath(SVC + "/c", instance("c", "127.0.0.1", 8083, null, null));
                writer.delete().forPath(SVC + "/a");
                await("the changes after the restart", () -> ids(pool).equals(List.of("b", "c")));
                assertThat(states).contains(ConnectionState.RECONNECTED);
                assertThat(sink[0].failures).hasSize(1);
                assertThat(sink[0].sawOverlap()).isFalse();
            } finally {
                writer.close();
                client.close();
            }
        }
    }

    @Test
    void changesMadeWhileOneClientWasCutOffAppearWhenItReconnectsWithANewSession() throws Exception {
        try (TestingServer server = new TestingServer(true); Relay relay = new Relay(server.getPort())) {
            CuratorFramework client = Zk.client(relay.hostPort());
            CuratorFramework writer = Zk.client(server.getConnectString());
            Set<ConnectionState> states = states(client);
            RecordingSink[] sink = new RecordingSink[1];
            writer.create().creatingParentsIfNeeded().forPath(SVC + "/a", instance("a", "127.0.0.1", 8081, null,
                    null));
            writer.create().forPath(SVC + "/b", instance("b", "127.0.0.1", 8082, null, null));
            try (LoadBalancer pool = LoadBalancer.builder("orders").source(RecordingSink.wrap(
                    ZooKeeperBackendSource.builder(client, "/services", "orders").build(), sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));
                int pushesBefore = sink[0].updates.size();

                relay.cut();
                await("the outage reported", () -> sink[0].failures.size() == 1);
                writer.delete().forPath(SVC + "/a");
                writer.setData().forPath(SVC + "/b", instance("b", "127.0.0.1", 8082, null, Map.of("weight", "7")));
                writer.create().forPath(SVC + "/c", instance("c", "127.0.0.1", 8083, null, null));
                await("the cut-off client's session lost", () -> states.contains(ConnectionState.LOST));
                assertThat(ids(pool)).containsExactly("a", "b");
                assertThat(sink[0].updates).hasSize(pushesBefore);

                relay.restore();
                await("the meantime's changes", () -> ids(pool).equals(List.of("b", "c"))
                        && pool.backends().stream().anyMatch(b -> b.id().equals("b") && b.weight() == 7));
                assertThat(states).contains(ConnectionState.RECONNECTED);
                assertThat(sink[0].failures).hasSize(1);
                assertThat(sink[0].sawOverlap()).isFalse();
            } finally {
                writer.close();
                client.close();
            }
        }
    }

    @Test
    void anEnsembleLosesItsLeaderAndTheWatchCarriesOn() throws Exception {
        try (TestingCluster cluster = new TestingCluster(3)) {
            cluster.start();
            CuratorFramework client = Zk.client(cluster.getConnectString());
            CuratorFramework writer = Zk.client(cluster.getConnectString());
            try (ZooKeeperBackendSource source = ZooKeeperBackendSource.builder(client, "/services", "orders")
                    .build();
                 LoadBalancer pool = LoadBalancer.builder("orders").source(source).build()) {
                writer.create().creatingParentsIfNeeded().forPath(SVC + "/a", instance("a", "127.0.0.1", 8081, null,
                        null));
                await("a", () -> ids(pool).equals(List.of("a")));

                InstanceSpec leader = leader(cluster);
                InstanceSpec mine = cluster.findConnectionInstance(client.getZookeeperClient().getZooKeeper());
                log.info("killing the leader {} (the source's client is connected to {})", leader.getPort(),
                        mine.getPort());
                assertThat(cluster.killServer(leader)).isTrue();

                // The two survivors elect a new leader; the writer's create waits for it (Curator retries).
                writer.create().forPath(SVC + "/b", instance("b", "127.0.0.1", 8082, null, null));
                await("a change after the failover", () -> ids(pool).equals(List.of("a", "b")));
                writer.delete().forPath(SVC + "/a");
                await("and the next", () -> ids(pool).equals(List.of("b")));
            } finally {
                writer.close();
                client.close();
            }
        }
    }

    /** Asks each server with the four-letter word "srvr" (enabled by default) which one leads. */
    private static InstanceSpec leader(TestingCluster cluster) {
        InstanceSpec[] found = new InstanceSpec[1];
        await("an elected leader", () -> {
            for (InstanceSpec spec : cluster.getInstances()) {
                if (mode(spec.getPort()).contains("leader")) {
                    found[0] = spec;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static String mode(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2_000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("Mode:")) {
                    return line;
                }
            }
            return "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
