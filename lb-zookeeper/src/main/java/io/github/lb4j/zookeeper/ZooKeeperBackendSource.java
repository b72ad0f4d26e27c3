package io.github.lb4j.zookeeper;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.core.internal.Checks;
import io.github.lb4j.core.internal.RecordLimits;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BackendSource} that follows one service in ZooKeeper, in the layout of Curator's service discovery
 * ({@code curator-x-discovery}) and Spring Cloud Zookeeper: every child of {@code basePath/serviceName} is one
 * instance, its data a {@code ServiceInstance} JSON document. Watched with Curator's {@code CuratorCache} (persistent
 * recursive watches: ZooKeeper 3.6 or later on the server).
 *
 * <pre>{@code
 * CuratorFramework zk = CuratorFrameworkFactory.newClient("zk1:2181,zk2:2181,zk3:2181",
 *         new BoundedExponentialBackoffRetry(100, 10_000, 29));
 * zk.start();                                        // the application owns the client and closes it
 * ZooKeeperBackendSource orders = ZooKeeperBackendSource.builder(zk, "/services", "orders")
 *         .useSslPort(false)                         // the default: connect to "port"
 *         .build();
 * LoadBalancer pool = LoadBalancer.builder("orders").source(orders).build();
 * }</pre>
 *
 * <p>What becomes a backend, for each child node:
 * <ul>
 *   <li>id: the document's {@code id} (else the node's name, which Curator makes the same);
 *       host: {@code address}; port: {@code port}, or {@code sslPort} with {@link Builder#useSslPort useSslPort(true)}.
 *       An instance without the chosen port is skipped: a TLS-only instance is not offered to a plain-text pool.</li>
 *   <li>metadata: the payload's entries, when the payload is a JSON object: its {@code metadata} object if it has one
 *       (Spring Cloud Zookeeper's {@code ZookeeperInstance}), else its own entries; scalar values only, as text;
 *       {@code "@class"} is ignored. Any other payload (a string, none) gives no metadata.</li>
 *   <li>zone and weight: the metadata entries {@value #DEFAULT_ZONE_KEY} and {@value #DEFAULT_WEIGHT_KEY} (see
 *       {@link Builder#zoneKey} and {@link Builder#weightKey}), when present.</li>
 *   <li>{@code "enabled": false} leaves the instance out. {@code name}, {@code serviceType},
 *       {@code registrationTimeUTC}, {@code uriSpec} and unknown fields are ignored.</li>
 * </ul>
 *
 * <p>Malformed nodes: a node that is not such a document (not JSON, no address, a port missing, 0 or above 65535, a
 * weight that is not an integer from 1 to {@link Backend#MAX_WEIGHT}, a zone or key the pool cannot use) is skipped
 * and logged once at WARN, naming its path; it is counted in {@link #malformedCount()} and never stops the watch.
 * Log lines name paths and ids, never payload values.
 *
 * <p>When: the complete set is pushed to the pool once the cache has read the service's nodes, after every change
 * (changes that arrive together are applied together: the pool sees the latest set), and after every reconnection,
 * changed or not (the pool skips a set equal to its own). On reconnection the cache re-reads every node, so instances
 * that came, changed or left while this client was away (its session expired, the server restarted) appear as
 * changes.
 *
 * <p>Failures: when the connection is suspended or the session lost, or the cache cannot read, the source reports
 * failed discovery once per outage (the pool logs it at WARN and keeps its set). Reconnecting is the client's: the
 * {@code RetryPolicy} it was built with (a {@code BoundedExponentialBackoffRetry} gives capped backoff with jitter).
 * The pool's keep-last-good rule applies: an empty service leaves a pool with backends as it is, unless
 * {@link Builder#allowEmpty allowEmpty}.
 *
 * <p>Threads: Curator delivers events on its own thread; this source parses there and pushes sets from a shared lb4j
 * daemon thread (or the {@link Builder#executor executor} given), so a pool's update never holds up Curator.
 *
 * <p>Thread-safety: safe to use from any thread. A source feeds one pool.
 */
public final class ZooKeeperBackendSource implements BackendSource {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperBackendSource.class);

    /** Default {@link Builder#zoneKey}: the metadata key Spring Cloud's zone preference reads. */
    public static final String DEFAULT_ZONE_KEY = "zone";
    /** Default {@link Builder#weightKey}: the key Dubbo and Spring Cloud's weighted balancing use. */
    public static final String DEFAULT_WEIGHT_KEY = "weight";

    private final CuratorFramework client;
    private final String servicePath;
    private final boolean useSslPort;
    private final String zoneKey;
    private final String weightKey;
    private final boolean allowEmpty;
    private final Ticker ticker;
    private final SerialExecutor serial;
    private final String description;
    private final ConnectionStateListener connectionListener = this::onConnectionState;

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private Sink sink;
    private boolean started;
    private boolean closed;
    private CuratorCache cache;
    /** Usable instances by node path; sorted, so the pool is given one order whatever the order of events. */
    private final TreeMap<String, Backend> members = new TreeMap<>();
    /**
     * Skipped nodes by path, with a digest of the data that was reported: a node is reported again only when it
     * changes. A digest, not the data: large malformed nodes must not be copied again.
     */
    private final Map<String, byte[]> malformed = new HashMap<>();
    private long malformedCount;
    /** The cache has read the service once: until then, a set would be a partial one. */
    private boolean initialized;
    /** A set is due: something changed, or the connection came back. */
    private boolean dirty;
    private boolean pushQueued;
    /** Since the first failure of an outage (ticker time), or -1 while connected. */
    private long outageSince = -1;

    private ZooKeeperBackendSource(Builder b) {
        this.client = b.client;
        this.servicePath = ServicePath.servicePath(b.basePath, b.serviceName);
        this.useSslPort = b.useSslPort;
        this.zoneKey = b.zoneKey;
        this.weightKey = b.weightKey;
        this.allowEmpty = b.allowEmpty;
        this.ticker = b.ticker;
        this.serial = new SerialExecutor(b.executor != null ? b.executor : SerialExecutor.shared());
        this.description = "ZooKeeper " + Checks.printable(servicePath) + (useSslPort ? " (sslPort)" : "");
    }

    /**
     * @param client a started Curator client; the application keeps owning it (this source never closes it)
     * @param basePath the discovery base path, such as {@code "/services"} (Curator's and Spring Cloud Zookeeper's
     *                 usual root): a leading slash, no trailing one
     * @param serviceName the service, one path segment, such as {@code "orders"}
     * @return a builder
     * @throws IllegalArgumentException if the path or name is malformed, naming the field and value
     */
    public static Builder builder(CuratorFramework client, String basePath, String serviceName) {
        return new Builder(client, basePath, serviceName);
    }

    @Override
    public void start(Sink sink) {
        Objects.requireNonNull(sink, "sink");
        CuratorCache c;
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException(description + " was already started; a source feeds one pool");
            }
            started = true;
            if (closed) {
                return;
            }
            this.sink = sink;
            c = CuratorCache.builder(client, servicePath).withExceptionHandler(this::onCacheError).build();
            cache = c;
        }
        c.listenable().addListener(new Listener());
        client.getConnectionStateListenable().addListener(connectionListener);
        c.start();
        log.debug("{}: watching for pool '{}'", description, sink.poolName());
    }

    /**
     * @return how many malformed nodes were skipped since the start: each node counted once per content (a node that
     *     is rewritten and still malformed counts again)
     */
    public long malformedCount() {
        synchronized (lock) {
            return malformedCount;
        }
    }

    @Override
    public boolean allowsEmpty() {
        return allowEmpty;
    }

    /** Stops watching; a set being pushed is the last one. Idempotent. Does not close the Curator client. */
    @Override
    public void close() {
        CuratorCache c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = cache;
            cache = null;
        }
        client.getConnectionStateListenable().removeListener(connectionListener);
        if (c != null) {
            c.close();
        }
        log.debug("{}: closed", description);
    }

    @Override
    public String toString() {
        return description;
    }

    /** The cache's view of the service changed: one node, or the whole first read. Runs on Curator's thread. */
    private final class Listener implements CuratorCacheListener {
        @Override
        public void event(Type type, ChildData oldData, ChildData data) {
            ChildData node = data != null ? data : oldData;
            String path = node.getPath();
            boolean instance = path.length() > servicePath.length() + 1 && path.startsWith(servicePath)
                    && path.charAt(servicePath.length()) == '/'
                    && path.indexOf('/', servicePath.length() + 1) < 0;
            if (!instance) {
                return; // the service node itself, or deeper nodes that are not in Curator's layout
            }
            if (type == Type.NODE_DELETED || data == null) {
                removed(path);
            } else {
                read(path, data.getData());
            }
        }

        @Override
        public void initialized() {
            synchronized (lock) {
                initialized = true;
                log.debug("{}: read {} instance(s)", description, members.size());
            }
            schedulePush();
        }
    }

    private void removed(String path) {
        synchronized (lock) {
            members.remove(path);
            malformed.remove(path);
            dirty = true;
        }
        schedulePush();
    }

    private void read(String path, byte[] data) {
        String name = path.substring(servicePath.length() + 1);
        InstanceJson.Read read = InstanceJson.read(name, data, useSslPort, zoneKey, weightKey);
        boolean report = false;
        long count;
        // A read that lands while the connection is down was sent before it went: it does not end the outage.
        boolean connected = client.getZookeeperClient().isConnected();
        synchronized (lock) {
            if (read.backend() != null) {
                members.put(path, read.backend());
                malformed.remove(path);
            } else {
                members.remove(path);
                if (read.disabled()) {
                    malformed.remove(path);
                } else {
                    byte[] digest = RecordLimits.digest(data == null ? new byte[0] : data);
                    byte[] before = malformed.put(path, digest);
                    report = before == null || !Arrays.equals(before, digest);
                    if (report) {
                        malformedCount++;
                    }
                }
            }
            count = malformedCount;
            dirty = true;
            if (connected) {
                // A node was read: the registry answers again (after a read error without a disconnection).
                outageSince = -1;
            }
        }
        if (report) {
            log.warn("{}: skipping node {}: it {} (skipped until it changes; {} malformed so far)", description,
                    Checks.printable(path), read.problem(), count);
        } else if (read.disabled()) {
            log.debug("{}: node {} is disabled (\"enabled\": false)", description, Checks.printable(path));
        }
        schedulePush();
    }

    /** Queues one push unless one is queued already: changes that arrive meanwhile ride along with it. */
    private void schedulePush() {
        synchronized (lock) {
            if (pushQueued || closed || !initialized || !dirty || outageSince >= 0) {
                return;
            }
            pushQueued = true;
        }
        serial.execute(this::push);
    }

    /** Runs on {@link #serial}: the complete current set, to the pool. */
    private void push() {
        List<Backend> set;
        Sink target;
        String refused = null;
        synchronized (lock) {
            pushQueued = false;
            if (closed || !dirty || outageSince >= 0) {
                return;
            }
            dirty = false;
            target = sink;
            String tooMany = RecordLimits.tooManyBackends(members.size());
            if (tooMany != null) {
                set = null;
                refused = description + ": the service has " + tooMany;
            } else {
                set = List.copyOf(members.values());
            }
        }
        if (set == null) {
            target.failed(refused, null); // the pool keeps its last good set and logs this at WARN
            return;
        }
        target.update(set);
    }

    private void onConnectionState(CuratorFramework ignored, ConnectionState state) {
        switch (state) {
            case SUSPENDED -> outage("the connection to ZooKeeper was lost (SUSPENDED)", null);
            case LOST -> outage("the ZooKeeper session was lost (LOST)", null);
            case CONNECTED, RECONNECTED, READ_ONLY -> reconnected(state);
            default -> {
                // a new ConnectionState: nothing to do until Curator says connected or not
            }
        }
    }

    /** The cache failed to read (Curator has already retried per its policy). Runs on Curator's thread. */
    private void onCacheError(Exception e) {
        outage("reading " + Checks.printable(servicePath) + " failed: " + e, e);
    }

    /** Reports the first failure of an outage to the pool; the rest of the outage goes to DEBUG. */
    private void outage(String reason, Throwable cause) {
        Sink target;
        synchronized (lock) {
            if (closed || sink == null) {
                return;
            }
            if (outageSince >= 0) {
                log.debug("{}: still failing: {}", description, reason);
                return;
            }
            outageSince = ticker.read();
            target = sink;
        }
        String message = description + ": " + reason + "; Curator reconnects per its retry policy and the set is"
                + " re-read on reconnection";
        serial.execute(() -> target.failed(message, cause));
    }

    /** Connected again: the cache re-reads every node; push the set now and again as re-read nodes change it. */
    private void reconnected(ConnectionState state) {
        long since;
        synchronized (lock) {
            if (closed) {
                return;
            }
            since = outageSince;
            outageSince = -1;
            dirty = true;
        }
        if (since >= 0) {
            log.info("{}: {} after {} ms; re-reading the service", description, state,
                    (ticker.read() - since) / 1_000_000);
        }
        schedulePush();
    }

    /**
     * Configures a {@link ZooKeeperBackendSource}. Every setter validates at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final CuratorFramework client;
        private final String basePath;
        private final String serviceName;
        private boolean useSslPort;
        private String zoneKey = DEFAULT_ZONE_KEY;
        private String weightKey = DEFAULT_WEIGHT_KEY;
        private boolean allowEmpty;
        private Ticker ticker = Ticker.system();
        private Executor executor;

        private Builder(CuratorFramework client, String basePath, String serviceName) {
            this.client = Objects.requireNonNull(client, "client");
            this.basePath = ServicePath.checkBasePath(basePath);
            this.serviceName = ServicePath.checkServiceName(serviceName);
        }

        /**
         * @param useSslPort true to connect to each instance's {@code sslPort} (instances without one are skipped);
         *                   default false: {@code port} (instances that only have an {@code sslPort} are skipped)
         * @return this builder
         */
        public Builder useSslPort(boolean useSslPort) {
            this.useSslPort = useSslPort;
            return this;
        }

        /**
         * @param key the payload metadata key whose value becomes the backend's zone; default
         *            {@value #DEFAULT_ZONE_KEY}
         * @return this builder
         * @throws IllegalArgumentException if blank or with control characters
         */
        public Builder zoneKey(String key) {
            this.zoneKey = checkKey("zoneKey", key);
            return this;
        }

        /**
         * @param key the payload metadata key whose value (an integer from 1 to {@link Backend#MAX_WEIGHT}) becomes
         *            the backend's weight; default {@value #DEFAULT_WEIGHT_KEY}
         * @return this builder
         * @throws IllegalArgumentException if blank or with control characters
         */
        public Builder weightKey(String key) {
            this.weightKey = checkKey("weightKey", key);
            return this;
        }

        /**
         * @param allowEmpty true if a service with no usable instance should empty the pool; default false: the
         *                   pool keeps its last good set
         * @return this builder
         */
        public Builder allowEmpty(boolean allowEmpty) {
            this.allowEmpty = allowEmpty;
            return this;
        }

        /**
         * @param ticker the clock for outage durations in log lines; default {@link Ticker#system()}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Pushes sets to the pool from {@code executor} instead of the shared lb4j ZooKeeper thread. Pushes of one
         * source never overlap, whatever the executor. The caller owns and shuts down the executor.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @return the source; pass it to {@link LoadBalancer.Builder#source}
         * @throws IllegalArgumentException if the client was never started or is closed: the cache would only log
         *     its failures from a background thread
         */
        public ZooKeeperBackendSource build() {
            CuratorFrameworkState state = client.getState();
            if (state != CuratorFrameworkState.STARTED) {
                throw new IllegalArgumentException("client must be started (CuratorFramework.start()) and not"
                        + " closed, got " + state);
            }
            return new ZooKeeperBackendSource(this);
        }

        private static String checkKey(String field, String key) {
            Objects.requireNonNull(key, field);
            if (key.isBlank() || !key.equals(Checks.printable(key))) {
                throw new IllegalArgumentException(field + " must not be blank or contain control characters, got '"
                        + Checks.printable(key) + "'");
            }
            return key;
        }
    }
}
