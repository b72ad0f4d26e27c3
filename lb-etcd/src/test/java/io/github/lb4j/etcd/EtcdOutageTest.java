package io.github.lb4j.etcd;

import io.github.lb4j.core.testing.Relay;
import io.github.lb4j.core.testing.RecordingSink;
import static io.github.lb4j.etcd.Etcd.await;
import static io.github.lb4j.etcd.Etcd.endpoint;
import static io.github.lb4j.etcd.Etcd.ids;
import static io.github.lb4j.etcd.Etcd.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The registry goes away: the etcd process is killed with SIGKILL and restarted on its data, or the network between
 * the source's client and etcd breaks while others keep writing (and compacting). The pool keeps its set, hears of
 * each outage once, and afterwards sees exactly the changes of the meantime. A real etcd per test.
 */
class EtcdOutageTest {

    private static final String SVC = "orders";

    private static EtcdBackendSource source(Client client) {
        return EtcdBackendSource.builder(client, SVC)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .build();
    }

    @Test
    void killedWithSigkillThePoolKeepsItsSetAndHearsOnceRestartedTheChangesAppear() throws Exception {
        try (EtcdServer server = EtcdServer.start()) {
            Client client = Etcd.client(server.endpoint());
            RecordingSink[] sink = new RecordingSink[1];
            put(client, SVC + "/a", endpoint("127.0.0.1:8081"));
            put(client, SVC + "/b", endpoint("127.0.0.1:8082"));
            EtcdBackendSource source = source(client);
            try (LoadBalancer pool = LoadBalancer.builder("orders")
                    .source(RecordingSink.wrap(source, sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));
                await("the watch created", source::watching);

                server.kill();
                await("the outage reported", () -> sink[0].failures.size() == 1);
                assertThat(sink[0].failures.get(0)).contains("etcd orders/", "watch", "retrying");
                assertThat(ids(pool)).containsExactly("a", "b");

                server.restart();
                Client writer = Etcd.client(server.endpoint());
                try {
                    put(writer, SVC + "/c", endpoint("127.0.0.1:8083"));
                    Etcd.delete(writer, SVC + "/a");
                    await("the changes after the restart", () -> ids(pool).equals(List.of("b", "c")));
                } finally {
                    writer.close();
                }
                assertThat(sink[0].failures).as("one report per outage, not per retry").hasSize(1);
                assertThat(sink[0].confirmations).as("the resumed watch confirmed the set").hasValue(1);
                assertThat(sink[0].sawOverlap()).isFalse();
                // After the restart the watch resumed from the revision it had: the changes, each applied once
                // (together when they came in one response), no set pushed twice.
                List<List<String>> sets = sink[0].updates.stream()
                        .map(u -> u.stream().map(Backend::id).sorted().toList()).toList();
                assertThat(sets.get(0)).containsExactly("a", "b");
                assertThat(sets.get(sets.size() - 1)).containsExactly("b", "c");
                assertThat(sets).hasSizeBetween(2, 3);
                for (int i = 1; i < sets.size(); i++) {
                    assertThat(sets.get(i)).isNotEqualTo(sets.get(i - 1));
                }
            } finally {
                client.close();
            }
        }
    }

    @Test
    void changesMadeWhileTheSourceWasCutOffAreAppliedOnceWhenItResumes() throws Exception {
        try (EtcdServer server = EtcdServer.start(); Relay relay = new Relay(server.clientPort())) {
            Client writer = Etcd.client(server.endpoint());
            Client client = Etcd.client("http://" + relay.hostPort());
            RecordingSink[] sink = new RecordingSink[1];
            put(writer, SVC + "/a", endpoint("127.0.0.1:8081"));
            EtcdBackendSource source = source(client);
            try (LoadBalancer pool = LoadBalancer.builder("orders")
                    .source(RecordingSink.wrap(source, sink)).build()) {
                await("a", () -> ids(pool).equals(List.of("a")));
                await("the watch created", source::watching);

                relay.cut();
                await("the outage reported", () -> sink[0].failures.size() == 1);
                put(writer, SVC + "/b", endpoint("127.0.0.1:8082"));
                put(writer, SVC + "/c", endpoint("127.0.0.1:8083"));
                long last = Etcd.delete(writer, SVC + "/a");
                assertThat(ids(pool)).containsExactly("a");

                relay.restore();
                await("the changes of the meantime", () -> ids(pool).equals(List.of("b", "c")));
                await("the revision of the last change", () -> source.revision() >= last);
                assertThat(sink[0].failures).hasSize(1);
                assertThat(sink[0].last()).extracting(Backend::id).containsExactly("b", "c");
            } finally {
                client.close();
                writer.close();
            }
        }
    }

    @Test
    void aCompactionPastTheWatchedRevisionMakesTheSourceReadTheServiceAgain() throws Exception {
        try (EtcdServer server = EtcdServer.start(); Relay relay = new Relay(server.clientPort())) {
            Client writer = Etcd.client(server.endpoint());
            Client client = Etcd.client("http://" + relay.hostPort());
            RecordingSink[] sink = new RecordingSink[1];
            put(writer, SVC + "/a", endpoint("127.0.0.1:8081"));
            put(writer, SVC + "/b", endpoint("127.0.0.1:8082"));
            EtcdBackendSource source = source(client);
            try (LoadBalancer pool = LoadBalancer.builder("orders")
                    .source(RecordingSink.wrap(source, sink)).build()) {
                await("a and b", () -> ids(pool).equals(List.of("a", "b")));
                await("the watch created", source::watching);
                long watched = source.revision();

                relay.cut();
                await("the outage reported", () -> sink[0].failures.size() == 1);
                put(writer, SVC + "/c", endpoint("127.0.0.1:8083"));
                put(writer, SVC + "/d", endpoint("127.0.0.1:8084"));
                Etcd.delete(writer, SVC + "/d");
                long last = Etcd.delete(writer, SVC + "/a");
                writer.getKVClient().compact(last).get(Etcd.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(last).isGreaterThan(watched + 1);

                relay.restore();
                await("the set read again", () -> ids(pool).equals(List.of("b", "c")));
                assertThat(source.revision()).isGreaterThanOrEqualTo(last);
                // Rebuilt from a read: d, created and deleted meanwhile, never reached the pool.
                assertThat(sink[0].updates).noneMatch(u -> u.stream().anyMatch(b -> b.id().equals("d")));
                assertThat(sink[0].failures).hasSize(1);

                put(writer, SVC + "/e", endpoint("127.0.0.1:8085"));
                await("the watch after the read", () -> ids(pool).equals(List.of("b", "c", "e")));
            } finally {
                client.close();
                writer.close();
            }
        }
    }
}
