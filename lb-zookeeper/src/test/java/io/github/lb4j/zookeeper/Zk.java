package io.github.lb4j.zookeeper;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Test fixtures: clients of the in-process servers, session expiry, instance documents, and bounded waits. */
final class Zk {

    /** Long against every scenario here (milliseconds to a few seconds), short against a hung build. */
    static final Duration WAIT = Duration.ofSeconds(30);
    /** The session timeout of test clients: short, so that expiry scenarios finish quickly. */
    static final int SESSION_MS = 4_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Zk() {
    }

    /** A started client; capped backoff with jitter between 20 ms and 500 ms, as an application would configure. */
    static CuratorFramework client(String connectString) {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(SESSION_MS)
                .connectionTimeoutMs(2_000)
                .retryPolicy(new BoundedExponentialBackoffRetry(20, 500, 29))
                .build();
        c.start();
        return c;
    }

    /**
     * Expires {@code client}'s session on the server, as a session timeout would: a second handle joins the session
     * and closes it, so the server deletes the session's ephemeral nodes at once and the client is told Expired.
     */
    static void expireSession(CuratorFramework client, String connectString) throws Exception {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        expireSession(zk.getSessionId(), zk.getSessionPasswd(), connectString);
    }

    /** Expires the session with this id and password (taken while its client was connected), as above. */
    static void expireSession(long sessionId, byte[] password, String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(connectString, SESSION_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, sessionId, password);
        try {
            if (!connected.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the twin handle did not connect");
            }
        } finally {
            twin.close();
        }
    }

    /** A ServiceInstance document as Curator writes it, with a payload object (or none when null). */
    static byte[] instance(String id, String address, Integer port, Integer sslPort, Map<String, ?> payload) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", "orders");
        doc.put("id", id);
        doc.put("address", address);
        doc.put("port", port);
        doc.put("sslPort", sslPort);
        doc.put("payload", payload);
        doc.put("registrationTimeUTC", 1_700_000_000_000L);
        doc.put("serviceType", "DYNAMIC");
        doc.put("uriSpec", null);
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
