package io.github.lb4j.etcd;

import static io.github.lb4j.etcd.Etcd.await;
import static io.github.lb4j.etcd.Etcd.bytes;
import static io.github.lb4j.etcd.Etcd.ids;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.LeaseOption;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Registrations against a real etcd: seen by an {@link EtcdBackendSource} and by {@code etcdctl}, gone on close,
 * expiring with their lease when the process stops renewing, and put back on a new lease after etcd was killed.
 */
class EtcdRegistrationTest {

    private static EtcdServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = EtcdServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static String svc(TestInfo test) {
        return test.getTestMethod().orElseThrow().getName();
    }

    private static boolean exists(Client client, String key) {
        try {
            return client.getKVClient().get(bytes(key)).get(Etcd.WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .getCount() == 1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long ttlLeft(Client client, long lease) throws Exception {
        return client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT)
                .get(Etcd.WAIT.toMillis(), TimeUnit.MILLISECONDS).getTTL();
    }

    @Test
    void registrationsAreSeenBySourceAndEtcdctlAndLeaveOnClose(TestInfo test) throws Exception {
        String svc = svc(test);
        Client client = Etcd.client(server.endpoint());
        try (EtcdRegistration one = EtcdRegistration.builder(client, svc).address("127.0.0.1").port(8081)
                     .zone("eu-1a").weight(3).metadata("version", "1.4.2").build().start();
             EtcdRegistration two = EtcdRegistration.builder(client, svc).address("::1").port(8082)
                     .name("second").build().start();
             LoadBalancer pool = LoadBalancer.builder("orders")
                     .source(EtcdBackendSource.builder(client, svc).build()).build()) {
            assertThat(one.awaitRegistered(Etcd.WAIT)).isTrue();
            assertThat(two.awaitRegistered(Etcd.WAIT)).isTrue();
            assertThat(one.key()).isEqualTo(svc + "/127.0.0.1:8081");
            await("both registrations", () -> ids(pool).equals(List.of("127.0.0.1:8081", "second")));
            Backend first = pool.backends().stream().filter(b -> b.id().equals("127.0.0.1:8081")).findFirst()
                    .orElseThrow();
            assertThat(first.zone()).isEqualTo("eu-1a");
            assertThat(first.weight()).isEqualTo(3);
            assertThat(first.metadata()).containsEntry("version", "1.4.2");
            assertThat(pool.backends().stream().filter(b -> b.id().equals("second")).findFirst().orElseThrow()
                    .host()).isEqualTo("::1");

            // The value is the naming API's document, as etcdctl shows it
            String shown = server.etcdctl("get", svc + "/second", "--print-value-only");
            assertThat(shown.trim()).isEqualTo("{\"Addr\":\"[::1]:8082\",\"Metadata\":{}}");
            assertThat(server.etcdctl("get", one.key(), "--print-value-only").trim())
                    .isEqualTo("{\"Addr\":\"127.0.0.1:8081\",\"Metadata\":{\"version\":\"1.4.2\",\"weight\":\"3\","
                            + "\"zone\":\"eu-1a\"}}");
            long lease = one.lease();
            assertThat(ttlLeft(client, lease)).isPositive();

            one.close();
            assertThat(exists(client, one.key())).as("the key deleted by close").isFalse();
            assertThat(ttlLeft(client, lease)).as("the lease revoked").isEqualTo(-1);
            await("the closed registration left", () -> ids(pool).equals(List.of("second")));
        } finally {
            client.close();
        }
    }

    @Test
    void theKeyExpiresWithItsLeaseWhenTheProcessStopsRenewing(TestInfo test) throws Exception {
        String svc = svc(test);
        Client reader = Etcd.client(server.endpoint());
        Client dying = Etcd.client(server.endpoint());
        EtcdRegistration stays = EtcdRegistration.builder(reader, svc).address("127.0.0.1").port(8080)
                .name("stays").build().start();
        EtcdRegistration gone = EtcdRegistration.builder(dying, svc).address("127.0.0.1").port(8081)
                .name("gone").ttl(Duration.ofSeconds(2)).build().start();
        try (LoadBalancer pool = LoadBalancer.builder("orders")
                .source(EtcdBackendSource.builder(reader, svc).build()).build()) {
            assertThat(gone.awaitRegistered(Etcd.WAIT)).isTrue();
            long registered = System.nanoTime();
            await("both", () -> ids(pool).equals(List.of("gone", "stays")));
            // Renewed past its TTL while the process lives: still there after 1.5 TTLs
            await("alive past its TTL", Duration.ofSeconds(10), () -> exists(reader, svc + "/gone")
                    && System.nanoTime() - registered > TimeUnit.MILLISECONDS.toNanos(3_000));
            assertThat(exists(reader, svc + "/gone")).isTrue();

            // The process "dies": its client goes without revoking anything; nothing renews the lease.
            long died = System.nanoTime();
            dying.close();
            assertThat(exists(reader, svc + "/gone")).as("still there right after").isTrue();
            await("the key gone with its lease", Duration.ofSeconds(15), () -> !exists(reader, svc + "/gone"));
            long ms = (System.nanoTime() - died) / 1_000_000;
            assertThat(ms).as("expired after about one TTL (etcd's minimum TTL may raise it)").isLessThan(12_000);
            await("the pool without it", () -> ids(pool).equals(List.of("stays")));
        } finally {
            gone.close(); // its client is closed: logs that the key goes with the lease, does not throw
            stays.close();
            reader.close();
        }
    }

    @Test
    void afterEtcdWasKilledTheKeyIsPutBackOnANewLease() throws Exception {
        try (EtcdServer own = EtcdServer.start()) {
            Client client = Etcd.client(own.endpoint());
            try (EtcdRegistration me = EtcdRegistration.builder(client, "svc").address("127.0.0.1").port(8080)
                    .ttl(Duration.ofSeconds(2)).build().start()) {
                assertThat(me.awaitRegistered(Etcd.WAIT)).isTrue();
                long before = me.lease();

                own.kill();
                await("the keep-alive broken", () -> me.lease() == 0);
                own.restart();
                await("registered again on a new lease", () -> me.lease() != 0 && me.lease() != before);
                assertThat(exists(client, me.key())).isTrue();
                await("the old lease revoked", () -> {
                    try {
                        return ttlLeft(client, before) == -1;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                // still renewed: present after several TTLs
                long lease = me.lease();
                long again = System.nanoTime();
                await("renewed past its TTL", Duration.ofSeconds(15), () -> exists(client, me.key())
                        && System.nanoTime() - again > TimeUnit.MILLISECONDS.toNanos(3_000));
                assertThat(ttlLeft(client, lease)).isPositive();
                assertThat(exists(client, me.key())).isTrue();
            } finally {
                client.close();
            }
        }
    }

    @Test
    void registrationsOfSeveralProcessesJoinAWatchingPoolAsTheyCome(TestInfo test) throws Exception {
        String svc = svc(test);
        Client reader = Etcd.client(server.endpoint());
        List<Client> clients = new java.util.ArrayList<>();
        List<EtcdRegistration> registrations = new java.util.ArrayList<>();
        try (LoadBalancer pool = LoadBalancer.builder("orders")
                .source(EtcdBackendSource.builder(reader, svc).build()).build()) {
            for (int i = 1; i <= 3; i++) {
                Client c = Etcd.client(server.endpoint());
                clients.add(c);
                EtcdRegistration r = EtcdRegistration.builder(c, svc).name("b" + i).address("127.0.0.1")
                        .port(8080 + i).zone("zone-a").weight(i).ttl(Duration.ofSeconds(2)).build().start();
                registrations.add(r);
                assertThat(r.awaitRegistered(Etcd.WAIT)).isTrue();
            }
            await("all three", () -> ids(pool).equals(List.of("b1", "b2", "b3")));
            long seen = System.nanoTime();
            await("two TTLs later", Duration.ofSeconds(15), () -> System.nanoTime() - seen
                    > TimeUnit.SECONDS.toNanos(5));
            assertThat(ids(pool)).as("every lease renewed").containsExactly("b1", "b2", "b3");
            for (EtcdRegistration r : registrations) {
                assertThat(exists(reader, r.key())).as(r.key()).isTrue();
            }
        } finally {
            registrations.forEach(EtcdRegistration::close);
            clients.forEach(Client::close);
            reader.close();
        }
    }
}
