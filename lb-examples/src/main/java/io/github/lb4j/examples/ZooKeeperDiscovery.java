package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.zookeeper.ZooKeeperBackendSource;
import io.github.lb4j.zookeeper.ZooKeeperRegistration;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;

/**
 * Service discovery through ZooKeeper: instances announce themselves with lb-zookeeper's
 * {@link ZooKeeperRegistration} (an ephemeral node in Curator's service discovery layout), and a client's pool
 * follows them with {@link ZooKeeperBackendSource}, balancing every request over whoever is registered.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.ZooKeeperDiscovery
 * # against a ZooKeeper of your own instead of the in-process one:
 * ... -Ddemo.main=io.github.lb4j.examples.ZooKeeperDiscovery -Dexec.args="127.0.0.1:2181"
 * </pre>
 *
 * <p>Without an argument it starts a real ZooKeeper server in-process on a loopback port (curator-test's
 * {@code TestingServer}). Each backend is an HTTP server with its own Curator client, as separate processes would
 * have; it registers on start, deregisters on a clean shutdown, and its node goes with its session when its client
 * goes.
 *
 * <pre>{@code
 * ZooKeeperRegistration.builder(zk, "/services", "orders")
 *         .id("b1").address("127.0.0.1").port(port).zone("zone-a").build().start();
 * LoadBalancer pool = LoadBalancer.builder("orders")
 *         .source(ZooKeeperBackendSource.builder(zk, "/services", "orders").build())
 *         .build();
 * }</pre>
 */
public final class ZooKeeperDiscovery {

    static final String BASE = "/services";
    static final String SERVICE = "orders";

    private ZooKeeperDiscovery() {
    }

    /** One instance of the service: an HTTP server, its own ZooKeeper client, and its registration. */
    static final class Instance implements AutoCloseable {
        final HttpBackend http;
        final CuratorFramework zk;
        final ZooKeeperRegistration registration;

        Instance(String name, int weight, String zone, String connectString) throws Exception {
            http = HttpBackend.start(name, InetAddress.getLoopbackAddress(), Duration.ofMillis(2));
            zk = client(connectString);
            registration = ZooKeeperRegistration.builder(zk, BASE, SERVICE)
                    .id(name).address(http.address().getHostAddress()).port(http.port())
                    .zone(zone).weight(weight)
                    .build().start();
            registration.awaitRegistered(Duration.ofSeconds(10));
        }

        /** A clean shutdown: deregister first, so clients stop sending, then stop serving. */
        @Override
        public void close() {
            registration.close();
            zk.close();
            http.close();
        }
    }

    static CuratorFramework client(String connectString) {
        CuratorFramework c = CuratorFrameworkFactory.newClient(connectString, 10_000, 5_000,
                new BoundedExponentialBackoffRetry(100, 5_000, 29)); // capped backoff with jitter
        c.start();
        return c;
    }

    /** Waits up to 10 s for the pool to reach a membership; returns how long it took. */
    static Duration until(LoadBalancer pool, Predicate<List<String>> members) throws InterruptedException {
        long start = System.nanoTime();
        while (!members.test(ids(pool)) && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
            Thread.sleep(5);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            System.err.println("usage: ZooKeeperDiscovery [zookeeper-connect-string]");
            System.exit(2);
        }
        TestingServer server = args.length == 0 ? new TestingServer(true) : null;
        String connect = server != null ? server.getConnectString() : args[0];
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(1)).build();
        List<Instance> instances = new ArrayList<>();
        CuratorFramework clientZk = client(connect);
        try (LoadBalancer pool = LoadBalancer.builder(SERVICE)
                .source(ZooKeeperBackendSource.builder(clientZk, BASE, SERVICE).build())
                .strategy(Strategy.roundRobin())
                .slowStart(Duration.ZERO) // so the counts show the weights at once; keep slow start in production
                .build()) {
            System.out.println("ZooKeeper at " + connect + (server != null ? " (in-process)" : "")
                    + "; instances register under " + BASE + "/" + SERVICE + ".");
            instances.add(new Instance("b1", 1, "zone-a", connect));
            instances.add(new Instance("b2", 1, "zone-a", connect));
            instances.add(new Instance("b3", 2, "zone-b", connect));
            Duration took = until(pool, ids -> ids.size() == 3);
            System.out.printf("b1, b2 and b3 registered (b3 with weight 2); the pool has %s after %d ms%n",
                    ids(pool), took.toMillis());
            BalancedHttp balanced = BalancedHttp.of(pool, http);
            System.out.println("40 requests through the pool:  " + DnsRoundRobin.send(40, balanced::get));
            System.out.println();

            instances.remove(1).close();
            took = until(pool, ids -> !ids.contains("b2"));
            System.out.printf("b2 shut down cleanly (deregistered, then stopped); the pool has %s after %d ms%n",
                    ids(pool), took.toMillis());
            System.out.println("40 requests through the pool:  " + DnsRoundRobin.send(40, balanced::get));
            System.out.println();

            instances.add(new Instance("b4", 1, "zone-b", connect));
            took = until(pool, ids -> ids.contains("b4"));
            System.out.printf("b4 started and registered; the pool has %s after %d ms%n", ids(pool),
                    took.toMillis());
            System.out.println("40 requests through the pool:  " + DnsRoundRobin.send(40, balanced::get));
            System.out.println();

            Instance b1 = instances.remove(0);
            b1.zk.close(); // its session ends: ZooKeeper deletes the ephemeral node, no deregistration needed
            took = until(pool, ids -> !ids.contains("b1"));
            System.out.printf("b1's ZooKeeper session ended (its node was ephemeral); the pool has %s after %d ms%n",
                    ids(pool), took.toMillis());
            b1.http.close();
            System.out.println("40 requests through the pool:  " + DnsRoundRobin.send(40, balanced::get));
        } finally {
            instances.forEach(Instance::close);
            clientZk.close();
            if (server != null) {
                server.close();
            }
        }
    }
}
