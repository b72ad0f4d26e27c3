package io.github.lb4j.etcd;

import io.github.lb4j.core.testing.RecordingSink;
import static io.github.lb4j.etcd.Etcd.await;
import static io.github.lb4j.etcd.Etcd.endpoint;
import static io.github.lb4j.etcd.Etcd.ids;
import static io.github.lb4j.etcd.Etcd.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The source against a real etcd server (Debian's {@code etcd-server}, started by {@link EtcdServer} on loopback
 * ports): endpoints written by the real {@code etcdctl} and by jetcd, in the layout of etcd's naming API. Each test
 * uses its own target.
 */
class EtcdBackendSourceTest {

    private static EtcdServer server;
    private Client client;
    private Client writer;
    private String svc;

    @BeforeAll
    static void startServer() throws Exception {
        server = EtcdServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void connect(TestInfo test) {
        client = Etcd.client(server.endpoint());
        writer = Etcd.client(server.endpoint());
        svc = test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void disconnect() {
        writer.close();
        client.close();
    }

    @Test
    void etcdctlPutAndDelAreSeenByThePool() throws Exception {
        server.etcdctl("put", svc + "/127.0.0.1:8081", endpoint("127.0.0.1:8081"));
        RecordingSink[] sink = new RecordingSink[1];
        try (LoadBalancer pool = LoadBalancer.builder("orders")
                .source(RecordingSink.wrap(EtcdBackendSource.builder(client, svc).build(), sink)).build()) {
            await("the endpoint read at start", () -> ids(pool).equals(List.of("127.0.0.1:8081")));
            assertThat(sink[0].updates).hasSize(1);
            Backend first = pool.backends().get(0);
            assertThat(first.host()).isEqualTo("127.0.0.1");
            assertThat(first.port()).isEqualTo(8081);

            server.etcdctl("put", svc + "/127.0.0.1:8082", endpoint("127.0.0.1:8082"));
            await("the put", () -> ids(pool).equals(List.of("127.0.0.1:8081", "127.0.0.1:8082")));
            server.etcdctl("del", svc + "/127.0.0.1:8081");
            await("the del", () -> ids(pool).equals(List.of("127.0.0.1:8082")));
            // a key of another service that shares the prefix's text is not the service's
            server.etcdctl("put", svc + "-other/127.0.0.1:9000", endpoint("127.0.0.1:9000"));
            server.etcdctl("put", svc + "/127.0.0.1:8083", endpoint("127.0.0.1:8083"));
            await("the second put", () -> ids(pool).equals(List.of("127.0.0.1:8082", "127.0.0.1:8083")));
            assertThat(sink[0].failures).isEmpty();
            assertThat(sink[0].sawOverlap()).isFalse();
        }
    }

    @Test
    void metadataBecomesZoneWeightAndEntriesUnknownFieldsAreIgnored() throws Exception {
        put(writer, svc + "/a", "{\"Addr\":\"10.0.0.1:8080\",\"Metadata\":{\"zone\":\"eu-1a\",\"weight\":3,"
                + "\"version\":\"1.4.2\",\"canary\":true,\"nested\":{\"x\":1},\"none\":null}}");
        put(writer, svc + "/b", "{\"Op\":0,\"Addr\":\"[::1]:8443\",\"Metadata\":\"just a string\"}");
        put(writer, svc + "/c", "{\"Addr\":\"host.example:80\",\"Metadata\":{\"zone\":\"eu-1b\",\"weight\":\"2\"},"
                + "\"Future\":[1,2]}");
        EtcdBackendSource source = EtcdBackendSource.builder(client, svc).build();
        try (LoadBalancer pool = LoadBalancer.builder("orders").source(source).build()) {
            await("three endpoints", () -> pool.backends().size() == 3);
            Map<String, Backend> byId = new java.util.HashMap<>();
            pool.backends().forEach(b -> byId.put(b.id(), b));
            Backend a = byId.get("a");
            assertThat(a.host()).isEqualTo("10.0.0.1");
            assertThat(a.zone()).isEqualTo("eu-1a");
            assertThat(a.weight()).isEqualTo(3);
            assertThat(a.metadata()).containsEntry("version", "1.4.2").containsEntry("canary", "true")
                    .doesNotContainKeys("nested", "none");
            Backend b = byId.get("b");
            assertThat(b.host()).isEqualTo("::1");
            assertThat(b.port()).isEqualTo(8443);
            assertThat(b.metadata()).isEmpty();
            assertThat(byId.get("c").zone()).isEqualTo("eu-1b");
            assertThat(byId.get("c").weight()).isEqualTo(2);
            assertThat(source.malformedRecords()).isZero();

            // changing the weight is a change of the set, seen through the watch
            put(writer, svc + "/c", "{\"Addr\":\"host.example:80\",\"Metadata\":{\"weight\":7}}");
            await("the new weight", () -> pool.backends().stream().anyMatch(x -> x.weight() == 7));
        }
    }

    @Test
    void malformedValuesAreSkippedCountedOnceAndNeverStopTheWatch() throws Exception {
        put(writer, svc + "/good", endpoint("127.0.0.1:8080"));
        put(writer, svc + "/not-json", "{\"Addr\":");
        RecordingSink[] sink = new RecordingSink[1];
        EtcdBackendSource source = EtcdBackendSource.builder(client, svc).build();
        try (LoadBalancer pool = LoadBalancer.builder("orders")
                .source(RecordingSink.wrap(source, sink)).build()) {
            await("the good endpoint", () -> ids(pool).equals(List.of("good")));
            assertThat(source.malformedRecords()).isEqualTo(1);

            put(writer, svc + "/port-0", endpoint("127.0.0.1:0"));
            put(writer, svc + "/no-addr", "{\"Metadata\":{}}");
            put(writer, svc + "/no-port", endpoint("127.0.0.1"));
            put(writer, svc + "/bare-ipv6", endpoint("::1:8080"));
            put(writer, svc + "/weight-0", "{\"Addr\":\"127.0.0.1:1\",\"Metadata\":{\"weight\":0}}");
            put(writer, svc + "/array", "[1]");
            put(writer, svc + "/empty", "");
            put(writer, svc + "/not-json", "{\"Addr\":"); // the same value again: not reported again
            put(writer, svc + "/later", endpoint("127.0.0.1:8090"));
            await("the endpoint after the malformed ones", () -> ids(pool).equals(List.of("good", "later")));
            assertThat(source.malformedRecords()).isEqualTo(8);

            // a malformed key that becomes good joins; a good one that becomes malformed leaves
            put(writer, svc + "/port-0", endpoint("127.0.0.1:8091"));
            put(writer, svc + "/good", endpoint("127.0.0.1:99999"));
            await("the repaired and the broken", () -> ids(pool).equals(List.of("later", "port-0")));
            assertThat(source.malformedRecords()).isEqualTo(9);
            assertThat(sink[0].failures).isEmpty();
        }
    }

    @Test
    void theTrackedRevisionFollowsEveryAppliedEvent() throws Exception {
        long first = put(writer, svc + "/a", endpoint("127.0.0.1:8081"));
        EtcdBackendSource source = EtcdBackendSource.builder(client, svc).build();
        try (LoadBalancer pool = LoadBalancer.builder("orders").source(source).build()) {
            await("a", () -> ids(pool).equals(List.of("a")));
            assertThat(source.revision()).isGreaterThanOrEqualTo(first);
            long second = put(writer, svc + "/b", endpoint("127.0.0.1:8082"));
            await("b", () -> ids(pool).equals(List.of("a", "b")));
            assertThat(source.revision()).isGreaterThanOrEqualTo(second);
            long third = Etcd.delete(writer, svc + "/a");
            await("a deleted", () -> ids(pool).equals(List.of("b")));
            assertThat(source.revision()).isGreaterThanOrEqualTo(third);
        }
    }

    @Test
    void anEmptyServiceDoesNotEmptyThePoolUnlessAllowed() throws Exception {
        put(writer, svc + "/a", endpoint("127.0.0.1:8081"));
        try (LoadBalancer keeping = LoadBalancer.builder("keeping")
                .source(EtcdBackendSource.builder(client, svc).build()).build();
             LoadBalancer emptying = LoadBalancer.builder("emptying")
                .source(EtcdBackendSource.builder(client, svc).allowEmpty(true).build()).build()) {
            await("a in both", () -> keeping.backends().size() == 1 && emptying.backends().size() == 1);
            Etcd.delete(writer, svc + "/a");
            await("the allowing pool emptied", () -> emptying.backends().isEmpty());
            put(writer, svc + "/b", endpoint("127.0.0.1:8082"));
            await("b in both", () -> ids(keeping).equals(List.of("b")) && ids(emptying).equals(List.of("b")));
        }
    }
}
