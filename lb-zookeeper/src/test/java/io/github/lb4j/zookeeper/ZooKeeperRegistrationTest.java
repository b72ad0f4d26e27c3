package io.github.lb4j.zookeeper;

import io.github.lb4j.core.testing.RecordingSink;
import static io.github.lb4j.zookeeper.Zk.await;
import static io.github.lb4j.zookeeper.Zk.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.LoadBalancerEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The registration against a real ZooKeeper server, read back by Curator's ServiceDiscovery and by the source. */
class ZooKeeperRegistrationTest {

    private static TestingServer server;
    private CuratorFramework client;
    private CuratorFramework registering;
    private String base;

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void connect(TestInfo test) {
        client = Zk.client(server.getConnectString());
        registering = Zk.client(server.getConnectString());
        base = "/" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void disconnect() {
        registering.close();
        client.close();
    }

    private static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    @Test
    @SuppressWarnings({"rawtypes", "unchecked"})
    void seenByCuratorServiceDiscoveryAndByTheSourceAndGoneOnClose() throws Exception {
        // A second instance, so that the pool's keep-last-good does not hide the departure.
        client.create().creatingParentsIfNeeded().forPath(base + "/orders/other",
                instance("other", "127.0.0.1", 9090, null, null));
        try (ServiceDiscovery<Map> curator = ServiceDiscoveryBuilder.builder(Map.class).client(client)
                .basePath(base).serializer(new JsonInstanceSerializer<>(Map.class)).build();
             ZooKeeperBackendSource source = ZooKeeperBackendSource.builder(client, base, "orders").build();
             LoadBalancer pool = LoadBalancer.builder("orders").source(source).build()) {
            curator.start();
            ZooKeeperRegistration me = ZooKeeperRegistration.builder(registering, base, "orders")
                    .id("me").address("127.0.0.1").port(8080).sslPort(8443)
                    .zone("eu-1a").weight(4).metadata("version", "2.0")
                    .build().start();
            assertThat(me.awaitRegistered(Zk.WAIT)).isTrue();
            assertThat(me.path()).isEqualTo(base + "/orders/me");

            ServiceInstance<Map> seen = curator.queryForInstance("orders", "me");
            assertThat(seen).isNotNull();
            assertThat(seen.getName()).isEqualTo("orders");
            assertThat(seen.getAddress()).isEqualTo("127.0.0.1");
            assertThat(seen.getPort()).isEqualTo(8080);
            assertThat(seen.getSslPort()).isEqualTo(8443);
            assertThat((Map<String, Object>) seen.getPayload())
                    .containsOnly(Map.entry("zone", "eu-1a"), Map.entry("weight", "4"), Map.entry("version", "2.0"));
            assertThat(curator.queryForNames()).containsExactly("orders");

            await("the registration in the pool", () -> ids(pool).equals(List.of("me", "other")));
            Backend b = pool.backends().stream().filter(x -> x.id().equals("me")).findFirst().orElseThrow();
            assertThat(b.port()).isEqualTo(8080);
            assertThat(b.zone()).isEqualTo("eu-1a");
            assertThat(b.weight()).isEqualTo(4);
            Stat stat = client.checkExists().forPath(me.path());
            assertThat(stat.getEphemeralOwner()).isEqualTo(registering.getZookeeperClient().getZooKeeper()
                    .getSessionId());

            me.close();
            assertThat(client.checkExists().forPath(me.path())).isNull();
            assertThat(curator.queryForInstance("orders", "me")).isNull();
            await("the registration gone from the pool", () -> ids(pool).equals(List.of("other")));
            me.close(); // idempotent
        }
    }

    @Test
    void springCloudFormatCarriesZookeeperInstanceWithItsMetadataMap() throws Exception {
        try (ZooKeeperRegistration me = ZooKeeperRegistration.builder(registering, base, "orders")
                .id("s1").address("127.0.0.1").port(8080).zone("us-2").metadata("instance_status", "UP")
                .payloadFormat(ZooKeeperRegistration.PayloadFormat.SPRING_CLOUD)
                .build().start()) {
            assertThat(me.awaitRegistered(Zk.WAIT)).isTrue();
            JsonNode doc = new ObjectMapper().readTree(client.getData().forPath(me.path()));
            JsonNode payload = doc.get("payload");
            assertThat(payload.get("@class").asText())
                    .isEqualTo("org.springframework.cloud.zookeeper.discovery.ZookeeperInstance");
            assertThat(payload.get("name").asText()).isEqualTo("orders");
            assertThat(payload.get("metadata").get("zone").asText()).isEqualTo("us-2");
            assertThat(doc.get("serviceType").asText()).isEqualTo("DYNAMIC");
            assertThat(doc.has("enabled")).as("written in Curator's compatible mode (CURATOR-275)").isFalse();

            RecordingSink sink = new RecordingSink();
            try (ZooKeeperBackendSource source = ZooKeeperBackendSource.builder(client, base, "orders").build()) {
                source.start(sink);
                await("the instance", () -> sink.lastIds().equals(List.of("s1")));
                assertThat(sink.last().get(0).metadata())
                        .containsOnly(Map.entry("zone", "us-2"), Map.entry("instance_status", "UP"));
            }
        }
    }

    @Test
    void recreatedAfterItsSessionExpires() throws Exception {
        client.create().creatingParentsIfNeeded().forPath(base + "/orders/other",
                instance("other", "127.0.0.1", 9090, null, null));
        List<LoadBalancerEvent.MembershipChanged> changes = new CopyOnWriteArrayList<>();
        try (ZooKeeperBackendSource source = ZooKeeperBackendSource.builder(client, base, "orders").build();
             LoadBalancer pool = LoadBalancer.builder("orders").source(source).listener(e -> {
                 if (e instanceof LoadBalancerEvent.MembershipChanged m) {
                     changes.add(m);
                 }
             }).build();
             ZooKeeperRegistration me = ZooKeeperRegistration.builder(registering, base, "orders")
                     .id("me").address("127.0.0.1").port(8080).build().start()) {
            await("the registration in the pool", () -> ids(pool).equals(List.of("me", "other")));
            long firstSession = client.checkExists().forPath(me.path()).getEphemeralOwner();

            Zk.expireSession(registering, server.getConnectString());

            await("the node deleted with the session, then created again",
                    () -> changes.stream().anyMatch(m -> m.removed().stream().anyMatch(b -> b.id().equals("me")))
                            && ids(pool).equals(List.of("me", "other")));
            Stat again = client.checkExists().forPath(me.path());
            assertThat(again).isNotNull();
            assertThat(again.getEphemeralOwner()).isNotEqualTo(firstSession);
        }
    }

    @Test
    void theClientClosedFirstEndsTheRegistrationWithItsSession() throws Exception {
        ZooKeeperRegistration me = ZooKeeperRegistration.builder(registering, base, "orders")
                .id("me").address("127.0.0.1").port(8080).build().start();
        assertThat(me.awaitRegistered(Zk.WAIT)).isTrue();

        registering.close(); // before the registration: Curator's PersistentNode alone would retry its create forever

        assertThat(client.checkExists().forPath(me.path())).isNull();
        assertThatThrownBy(() -> me.awaitRegistered(Zk.WAIT)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
        me.close(); // still harmless
    }

    @Test
    void closedBeforeStartIsANoOp() throws Exception {
        ZooKeeperRegistration me = ZooKeeperRegistration.builder(registering, base, "orders")
                .address("127.0.0.1").port(8080).build();
        assertThat(me.id()).hasSize(36); // a random UUID, as Curator's ServiceInstanceBuilder
        me.close();
        assertThat(client.checkExists().forPath(base + "/orders")).isNull();
    }
}
