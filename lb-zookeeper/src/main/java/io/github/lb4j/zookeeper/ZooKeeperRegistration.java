package io.github.lb4j.zookeeper;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.internal.Checks;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEventType;
import org.apache.curator.framework.api.CuratorListener;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this process's own instance of a service in ZooKeeper, as the ephemeral node
 * {@code basePath/serviceName/id} holding a Curator {@code ServiceInstance} document, the layout that
 * {@link ZooKeeperBackendSource}, Curator's {@code ServiceDiscovery} and Spring Cloud Zookeeper read.
 *
 * <pre>{@code
 * ZooKeeperRegistration me = ZooKeeperRegistration.builder(zk, "/services", "orders")
 *         .id("orders-" + podName)          // default: a random UUID, as Curator's
 *         .address("10.0.0.5")
 *         .port(8080)
 *         .zone("eu-west-1a")               // payload entry "zone"
 *         .weight(2)                        // payload entry "weight"
 *         .metadata("version", "1.4.2")
 *         .build()
 *         .start();
 * me.awaitRegistered(Duration.ofSeconds(5));  // optional
 * // ... serve ...
 * me.close();                                 // the node is deleted; clients drop this instance
 * }</pre>
 *
 * <p>The node is ephemeral: ZooKeeper deletes it when this client's session ends, so a process that dies leaves the
 * service within the session timeout. Curator's {@code PersistentNode} recipe keeps it there: it is created again
 * after the session was lost and the client reconnected (with a new session), and after anyone deleted it.
 *
 * <p>The payload: with {@link PayloadFormat#PLAIN} (the default) a JSON object of strings, which Curator's
 * {@code ServiceDiscovery<Map>} reads as a map; with {@link PayloadFormat#SPRING_CLOUD}, Spring Cloud Zookeeper's
 * {@code ZookeeperInstance} (the entries under {@code metadata}, with its {@code "@class"}), which Spring Cloud
 * applications read. {@link ZooKeeperBackendSource} reads both.
 *
 * <p>Thread-safety: the builder is not thread-safe; a registration is safe to use from any thread.
 */
public final class ZooKeeperRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistration.class);

    /** What the {@code payload} of the document looks like. */
    public enum PayloadFormat {
        /** A JSON object of strings: {@code {"zone":"eu-west-1a","weight":"2"}}. */
        PLAIN,
        /**
         * Spring Cloud Zookeeper's {@code ZookeeperInstance}:
         * {@code {"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance","id":...,"name":...,
         * "metadata":{...}}}. Readers that deserialize the payload into classes need Spring Cloud's on their class
         * path, as for any instance Spring Cloud registers.
         */
        SPRING_CLOUD
    }

    private final CuratorFramework client;
    private final String path;
    private final String id;
    private final PersistentNode node;
    /**
     * Stops the node when the application closes the client first: Curator 5.9's PersistentNode, still started,
     * would otherwise retry its create from the callback of each create the closed client aborts, until the stack
     * overflows on ZooKeeper's event thread.
     */
    private final CuratorListener closingGuard = (c, event) -> {
        if (event.getType() == CuratorEventType.CLOSING) {
            clientClosing();
        }
    };
    private final Object lock = new Object();
    private boolean started;
    private boolean closed;

    private ZooKeeperRegistration(Builder b) {
        this.client = b.client;
        this.id = b.id != null ? b.id : UUID.randomUUID().toString();
        this.path = ServicePath.servicePath(b.basePath, b.serviceName) + "/" + id;
        byte[] document = InstanceJson.write(b.serviceName, id, b.address, b.port, b.sslPort, b.metadata,
                b.clock.millis(), b.format == PayloadFormat.SPRING_CLOUD);
        // Not protected: the node's name must be the instance id, as ServiceDiscovery names it. Parents are
        // created as container nodes, which ZooKeeper removes once empty, as ServiceDiscovery does.
        this.node = new PersistentNode(b.client, CreateMode.EPHEMERAL, false, path, document, true);
    }

    /**
     * @param client a started Curator client; the application keeps owning it (closing the registration does not
     *               close it; closing the client ends the session, which removes the node too)
     * @param basePath the discovery base path, such as {@code "/services"}: a leading slash, no trailing one
     * @param serviceName the service, one path segment
     * @return a builder
     * @throws IllegalArgumentException if the path or name is malformed, naming the field and value
     */
    public static Builder builder(CuratorFramework client, String basePath, String serviceName) {
        return new Builder(client, basePath, serviceName);
    }

    /**
     * Starts creating the node, in the background; it is created as soon as the client is connected.
     *
     * @return this registration
     * @throws IllegalStateException if already started or closed
     */
    public ZooKeeperRegistration start() {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException("registration " + Checks.printable(path) + " was already "
                        + (closed ? "closed" : "started"));
            }
            started = true;
        }
        try {
            client.getCuratorListenable().addListener(closingGuard);
        } catch (UnsupportedOperationException namespaceFacade) {
            log.debug("{}: the client is a facade without CLOSING events; close the registration before it",
                    Checks.printable(path));
        }
        node.start();
        log.info("registering {} in ZooKeeper", Checks.printable(path));
        return this;
    }

    /**
     * Waits until the node was created once.
     *
     * @param timeout how long to wait at most
     * @return true if created within the timeout
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if not started
     */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        Checks.positive("timeout", timeout);
        synchronized (lock) {
            if (!started || closed) {
                throw new IllegalStateException("registration " + Checks.printable(path) + " is not running");
            }
        }
        return node.waitForInitialCreate(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return the instance id, the node's name */
    public String id() {
        return id;
    }

    /** @return the node's path, {@code basePath/serviceName/id} */
    public String path() {
        return path;
    }

    /**
     * Deletes the node (Curator retries the delete in the background if the connection is down) and stops keeping
     * it. Idempotent. Does not close the Curator client.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (!started) {
                return;
            }
        }
        try {
            client.getCuratorListenable().removeListener(closingGuard);
        } catch (UnsupportedOperationException namespaceFacade) {
            // never added
        }
        try {
            node.close();
            log.info("unregistered {} from ZooKeeper", Checks.printable(path));
        } catch (IOException e) {
            log.warn("could not delete {} from ZooKeeper ({}); the node goes when the client's session ends",
                    Checks.printable(path), e.toString());
        }
    }

    /** The client is closing under a running registration: its session, and so the node, ends with it. */
    private void clientClosing() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            node.close(); // marks it closed first; the delete itself fails on the closing client
        } catch (IOException | RuntimeException e) {
            log.debug("{}: delete on a closing client: {}", Checks.printable(path), e.toString());
        }
        log.info("the client of {} is closing; the node goes with its session", Checks.printable(path));
    }

    @Override
    public String toString() {
        return "ZooKeeperRegistration{" + Checks.printable(path) + "}";
    }

    /**
     * Configures a {@link ZooKeeperRegistration}. Every setter validates at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final CuratorFramework client;
        private final String basePath;
        private final String serviceName;
        private String id;
        private String address;
        private Integer port;
        private Integer sslPort;
        private final Map<String, String> metadata = new TreeMap<>();
        private PayloadFormat format = PayloadFormat.PLAIN;
        private Clock clock = Clock.systemUTC();

        private Builder(CuratorFramework client, String basePath, String serviceName) {
            this.client = Objects.requireNonNull(client, "client");
            this.basePath = ServicePath.checkBasePath(basePath);
            this.serviceName = ServicePath.checkServiceName(serviceName);
        }

        /**
         * @param id the instance id, the node's name and the backend id clients see: one path segment, unique in
         *           the service; default a random UUID
         * @return this builder
         * @throws IllegalArgumentException if blank, with a '/' or control characters, or "." or ".."
         */
        public Builder id(String id) {
            this.id = ServicePath.checkInstanceId(id);
            return this;
        }

        /**
         * @param address the host name or IP literal clients connect to; required
         * @return this builder
         * @throws IllegalArgumentException if not a host name or IP literal
         */
        public Builder address(String address) {
            Objects.requireNonNull(address, "address");
            try {
                Backend.of(address, 1);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("address must be a host name or IP literal, got '"
                        + Checks.printable(address) + "'", e);
            }
            this.address = address;
            return this;
        }

        /**
         * @param port the plain-text port, 1 to 65535; a port or an {@link #sslPort} is required
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            this.port = Checks.port("port", port);
            return this;
        }

        /**
         * @param sslPort the TLS port, 1 to 65535, read by sources built with {@code useSslPort(true)}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder sslPort(int sslPort) {
            this.sslPort = Checks.port("sslPort", sslPort);
            return this;
        }

        /**
         * @param zone the payload entry {@value ZooKeeperBackendSource#DEFAULT_ZONE_KEY}, or null for none
         * @return this builder
         * @throws IllegalArgumentException if blank or with control characters
         */
        public Builder zone(String zone) {
            if (zone == null) {
                metadata.remove(ZooKeeperBackendSource.DEFAULT_ZONE_KEY);
                return this;
            }
            checkLabel("zone", zone);
            metadata.put(ZooKeeperBackendSource.DEFAULT_ZONE_KEY, zone);
            return this;
        }

        /**
         * @param weight the payload entry {@value ZooKeeperBackendSource#DEFAULT_WEIGHT_KEY}, 1 to
         *               {@link Backend#MAX_WEIGHT}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder weight(int weight) {
            if (weight < 1 || weight > Backend.MAX_WEIGHT) {
                throw new IllegalArgumentException("weight must be between 1 and " + Backend.MAX_WEIGHT + ", got "
                        + weight);
            }
            metadata.put(ZooKeeperBackendSource.DEFAULT_WEIGHT_KEY, Integer.toString(weight));
            return this;
        }

        /**
         * @param key a payload entry's key: not blank, no control characters
         * @param value its value; not null. Payload values are readable by anyone who can read the node: no secrets
         * @return this builder
         * @throws IllegalArgumentException if the key is blank or has control characters
         */
        public Builder metadata(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            checkLabel("metadata key", key);
            if (key.equals("@class")) {
                throw new IllegalArgumentException("metadata key '@class' is the payload's type id, not an entry");
            }
            metadata.put(key, value);
            return this;
        }

        /**
         * @param format the payload's shape; default {@link PayloadFormat#PLAIN}
         * @return this builder
         */
        public Builder payloadFormat(PayloadFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * @param clock the clock of the document's {@code registrationTimeUTC}; default the system's, UTC
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @return the registration, not started
         * @throws IllegalStateException if no address or neither port nor sslPort was set
         * @throws IllegalArgumentException if the client was never started or is closed
         */
        public ZooKeeperRegistration build() {
            if (address == null) {
                throw new IllegalStateException("address is required: the host name or IP clients connect to");
            }
            if (port == null && sslPort == null) {
                throw new IllegalStateException("port or sslPort is required");
            }
            CuratorFrameworkState state = client.getState();
            if (state != CuratorFrameworkState.STARTED) {
                throw new IllegalArgumentException("client must be started (CuratorFramework.start()) and not"
                        + " closed, got " + state);
            }
            return new ZooKeeperRegistration(this);
        }

        private static void checkLabel(String field, String value) {
            if (value.isBlank() || !value.equals(Checks.printable(value))) {
                throw new IllegalArgumentException(field + " must not be blank or contain control characters, got '"
                        + Checks.printable(value) + "'");
            }
        }
    }
}
