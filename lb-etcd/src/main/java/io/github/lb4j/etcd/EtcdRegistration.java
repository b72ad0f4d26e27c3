package io.github.lb4j.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.ClosedKeepAliveListenerException;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.internal.Backoff;
import io.github.lb4j.core.internal.Checks;
import io.github.lb4j.core.internal.SharedScheduler;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this process's own endpoint of a service in etcd, in the layout of etcd's naming API that
 * {@link EtcdBackendSource} and gRPC's etcd resolver read: the key {@code target/name} holding
 * {@code {"Addr":"host:port","Metadata":{...}}}, attached to a lease that this registration keeps alive.
 *
 * <pre>{@code
 * EtcdRegistration me = EtcdRegistration.builder(etcd, "my-service")
 *         .address("10.0.0.5")
 *         .port(8080)                       // key "my-service/10.0.0.5:8080", etcd's usual name
 *         .zone("eu-west-1a")               // Metadata entry "zone"
 *         .weight(2)                        // Metadata entry "weight"
 *         .metadata("version", "1.4.2")
 *         .ttl(Duration.ofSeconds(10))      // the default
 *         .build()
 *         .start();
 * me.awaitRegistered(Duration.ofSeconds(5));  // optional
 * // ... serve ...
 * me.close();                                 // the key is deleted and the lease revoked
 * }</pre>
 *
 * <p>The lease: granted with the {@link Builder#ttl TTL}, kept alive by jetcd (a keep-alive about every third of it).
 * A process that dies or hangs stops renewing, and etcd deletes the key when the lease expires, within the TTL. When
 * the keep-alive stream breaks (etcd unreachable, the lease lost), the registration logs one WARN, grants a new
 * lease and puts the key again as soon as etcd answers (retrying with capped backoff and full jitter), and logs at
 * INFO when it is back; the old lease is revoked then, if it still exists. A key that someone else deletes while the
 * lease lives is not put back until the lease is next lost.
 *
 * <p>Closing deletes the key (only if it still holds this registration's write) and revokes the lease, waiting for
 * each at most the request timeout; if etcd cannot be reached the key goes when the lease expires. The jetcd client
 * stays the application's: closing it under a running registration stops the keep-alive, and the key expires.
 *
 * <p>Thread-safety: the builder is not thread-safe; a registration is safe to use from any thread.
 */
public final class EtcdRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EtcdRegistration.class);

    /** Default {@link Builder#ttl}: a dead process leaves the service within 10 s; 3 keep-alives per TTL. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    private static final long REQUEST_TIMEOUT_NANOS = EtcdBackendSource.DEFAULT_REQUEST_TIMEOUT.toNanos();
    private static final long INITIAL_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Retries at most 5 s apart: the key is back well within a default TTL of an etcd restart. */
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Client client;
    private final String key;
    private final String name;
    private final ByteSequence keyBytes;
    private final ByteSequence value;
    private final long ttlSeconds;
    private final CountDownLatch registered = new CountDownLatch(1);
    private final String description;

    private final Object lock = new Object();
    // Guarded by lock; the steps that change it run one at a time on the scheduler's thread. No jetcd call is made
    // while holding it: jetcd calls the keep-alive observer from its own locked sections.
    private volatile SharedScheduler scheduler;
    private volatile boolean closed;
    private boolean started;
    private long generation;
    /** The lease the key is on now, 0 if none. */
    private long lease;
    /**
     * A lease granted for a put still in flight, 0 if none. {@link #close} revokes it before it returns: the put
     * may land after close's delete (etcd answers again while the application shuts down), and the key must not
     * outlive the registration. Revoking deletes a key already put on it, and a later put on it fails.
     */
    private long pendingLease;
    /** The revision of this registration's last put of the key, 0 if none. */
    private long putRevision;
    /** A lease of before an outage, to revoke once the key is on a new one; 0 if none. */
    private long staleLease;
    private CloseableClient keepAlive;
    private Future<?> retry;
    private int failures;
    private boolean outage;

    private EtcdRegistration(Builder b) {
        this.client = b.client;
        String addr = b.address.indexOf(':') >= 0 ? "[" + b.address + "]:" + b.port : b.address + ":" + b.port;
        this.name = b.name != null ? b.name : addr;
        this.key = b.target + "/" + name;
        this.keyBytes = ByteSequence.from(key, StandardCharsets.UTF_8);
        Map<String, String> metadata = new TreeMap<>(b.metadata);
        this.value = ByteSequence.from(EndpointJson.write(addr, metadata));
        this.ttlSeconds = b.ttl.toSeconds();
        this.description = "etcd registration " + Checks.printable(key);
    }

    /**
     * @param client the jetcd client; the application keeps owning it
     * @param target the service's key prefix without the trailing '/', as given to {@link EtcdBackendSource}
     * @return a builder
     * @throws IllegalArgumentException if {@code target} is blank, ends with '/' or has control characters,
     *     naming the value
     */
    public static Builder builder(Client client, String target) {
        return new Builder(client, target);
    }

    /**
     * Starts registering, in the background: grants the lease and puts the key as soon as etcd answers.
     *
     * @return this registration
     * @throws IllegalStateException if already started or closed
     */
    public EtcdRegistration start() {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException(description + " was already " + (closed ? "closed" : "started"));
            }
            started = true;
            scheduler = SharedScheduler.acquire();
        }
        log.info("registering {} in etcd (lease TTL {} s)", Checks.printable(key), ttlSeconds);
        run(this::register);
        return this;
    }

    /**
     * Waits until the key was put once.
     *
     * @param timeout how long to wait at most
     * @return true if registered within the timeout
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if not started
     */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        Checks.positive("timeout", timeout);
        synchronized (lock) {
            if (!started) {
                throw new IllegalStateException(description + " was not started");
            }
        }
        return registered.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return the endpoint's name, the key's last part and the backend id readers see */
    public String name() {
        return name;
    }

    /** @return the key, {@code target/name} */
    public String key() {
        return key;
    }

    /** @return the lease the key is on now, 0 if none (for tests) */
    long lease() {
        synchronized (lock) {
            return lease;
        }
    }

    /**
     * Deletes the key (if it still holds this registration's write) and revokes the lease, waiting for each at most
     * 5 s; stops the keep-alive. Idempotent. Does not close the jetcd client.
     */
    @Override
    public void close() {
        CloseableClient ka;
        long l;
        long pending;
        long rev;
        SharedScheduler s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            cancelRetryLocked();
            ka = keepAlive;
            keepAlive = null;
            l = lease;
            lease = 0;
            pending = pendingLease;
            pendingLease = 0;
            rev = putRevision;
            s = scheduler;
        }
        closeQuietly(ka);
        if (s == null) {
            return; // never started
        }
        try {
            if (rev > 0) {
                client.getKVClient().txn()
                        .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.modRevision(rev)))
                        .Then(Op.delete(keyBytes, DeleteOption.DEFAULT))
                        .commit().get(REQUEST_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            }
            if (l != 0) {
                client.getLeaseClient().revoke(l).get(REQUEST_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            }
            if (pending != 0) {
                try {
                    client.getLeaseClient().revoke(pending).get(REQUEST_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    // Already gone (expired, or revoked by the put's own callback): nothing is left on it.
                    log.debug("{}: revoking the lease of a put in flight: {}", description, describe(e));
                }
            }
            log.info("unregistered {} from etcd", Checks.printable(key));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{}: interrupted while deleting the key; it goes when its lease expires (within {} s)",
                    description, ttlSeconds);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.warn("{}: could not delete the key ({}); it goes when its lease expires (within {} s)", description,
                    describe(e), ttlSeconds);
        } finally {
            s.release();
        }
    }

    @Override
    public String toString() {
        return "EtcdRegistration{" + Checks.printable(key) + "}";
    }

    // ---- steps, on the scheduler's thread ----

    private void register() {
        long gen;
        synchronized (lock) {
            if (closed) {
                return;
            }
            gen = generation;
        }
        try {
            client.getLeaseClient().grant(ttlSeconds)
                    .orTimeout(REQUEST_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)
                    .whenComplete((r, e) -> run(() -> granted(gen, r, e)));
        } catch (RuntimeException e) {
            failed(gen, "granting a lease failed", e);
        }
    }

    private void granted(long gen, LeaseGrantResponse response, Throwable error) {
        if (error != null) {
            failed(gen, "granting a lease failed", error);
            return;
        }
        long id = response.getID();
        synchronized (lock) {
            if (closed || gen != generation) {
                revokeQuietly(id);
                return;
            }
            pendingLease = id;
        }
        try {
            client.getKVClient().put(keyBytes, value, PutOption.builder().withLeaseId(id).build())
                    .orTimeout(REQUEST_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)
                    .whenComplete((r, e) -> run(() -> put(gen, id, r, e)));
        } catch (RuntimeException e) {
            revokeQuietly(id);
            failed(gen, "putting the key failed", e);
        }
    }

    private void put(long gen, long id, PutResponse response, Throwable error) {
        synchronized (lock) {
            if (pendingLease == id) {
                pendingLease = 0;
            }
        }
        if (error != null) {
            revokeQuietly(id);
            failed(gen, "putting the key failed", error);
            return;
        }
        boolean back;
        long stale;
        synchronized (lock) {
            if (closed || gen != generation) {
                revokeQuietly(id); // closed meanwhile: the key goes with the lease
                return;
            }
            lease = id;
            putRevision = response.getHeader().getRevision();
            back = outage;
            outage = false;
            failures = 0;
            stale = staleLease;
            staleLease = 0;
        }
        CloseableClient ka;
        try {
            ka = client.getLeaseClient().keepAlive(id, new KeepAliveObserver(gen));
        } catch (RuntimeException e) {
            failed(gen, "starting the keep-alive failed", e);
            return;
        }
        boolean keep;
        synchronized (lock) {
            keep = !closed && gen == generation;
            if (keep) {
                keepAlive = ka;
            }
        }
        if (!keep) {
            closeQuietly(ka);
            return;
        }
        if (stale != 0) {
            revokeQuietly(stale);
        }
        registered.countDown();
        if (back) {
            log.info("{}: registered again (new lease; TTL {} s)", description, ttlSeconds);
        } else {
            log.debug("{}: registered (lease TTL {} s)", description, ttlSeconds);
        }
    }

    /** The keep-alive of the current lease ended: etcd unreachable, or the lease gone. */
    private void lost(long gen, Throwable error) {
        CloseableClient ka;
        boolean first;
        synchronized (lock) {
            if (closed || gen != generation) {
                return;
            }
            generation++;
            ka = keepAlive;
            keepAlive = null;
            if (lease != 0) {
                staleLease = lease;
            }
            lease = 0;
            first = !outage;
            outage = true;
        }
        closeQuietly(ka);
        if (isClientClosed(error)) {
            log.info("{}: the jetcd client was closed; the key goes when its lease expires (within {} s)",
                    description, ttlSeconds);
            return;
        }
        if (first) {
            log.warn("{}: the lease's keep-alive ended ({}); putting the key again on a new lease when etcd answers",
                    description, error == null ? "the lease expired" : describe(error));
        }
        long g;
        synchronized (lock) {
            g = generation;
        }
        scheduleRetry(g, 0);
    }

    private void failed(long gen, String what, Throwable error) {
        Throwable e = unwrap(error);
        boolean first;
        int attempt;
        synchronized (lock) {
            if (closed || gen != generation) {
                return;
            }
            first = !outage;
            outage = true;
            attempt = ++failures;
        }
        if (isClientClosed(e)) {
            log.info("{}: the jetcd client was closed; not registering", description);
            return;
        }
        if (first) {
            log.warn("{}: {} ({}); retrying with backoff until etcd answers", description, what, describe(e));
        } else {
            log.debug("{}: still failing ({} attempts): {} ({})", description, attempt, what, describe(e));
        }
        scheduleRetry(gen, Backoff.fullJitterNanos(INITIAL_BACKOFF_NANOS, MAX_BACKOFF_NANOS, attempt,
                ThreadLocalRandom.current()));
    }

    private void scheduleRetry(long gen, long delayNanos) {
        synchronized (lock) {
            if (closed || gen != generation) {
                return;
            }
            cancelRetryLocked();
            retry = scheduler.schedule(this::register, delayNanos);
        }
    }

    // ---- helpers ----

    private void run(Runnable step) {
        SharedScheduler s = scheduler; // no lock: jetcd calls this from its own locked sections
        if (!closed && s != null) {
            s.executor().execute(step);
        }
    }

    private void cancelRetryLocked() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    private void revokeQuietly(long id) {
        try {
            client.getLeaseClient().revoke(id).whenComplete((r, e) -> {
                if (e != null) {
                    log.debug("{}: revoking lease {}: {}", description, id, e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.debug("{}: revoking lease {}: {}", description, id, e.toString());
        }
    }

    private void closeQuietly(CloseableClient ka) {
        if (ka != null) {
            try {
                ka.close();
            } catch (RuntimeException e) {
                log.debug("{}: closing the keep-alive: {}", description, e.toString());
            }
        }
    }

    private static boolean isClientClosed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClosedClientException || t instanceof ClosedKeepAliveListenerException
                    || t instanceof java.util.concurrent.RejectedExecutionException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof TimeoutException) {
            return "no answer within " + REQUEST_TIMEOUT_NANOS / 1_000_000 + " ms";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + Checks.printable(m));
    }

    /** Hears the keep-alive of one lease; jetcd calls it from its threads. */
    private final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {
        private final long gen;

        KeepAliveObserver(long gen) {
            this.gen = gen;
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
            // renewed; nothing to do
        }

        @Override
        public void onError(Throwable error) {
            run(() -> lost(gen, error));
        }

        @Override
        public void onCompleted() {
            run(() -> lost(gen, null));
        }
    }

    /**
     * Configures an {@link EtcdRegistration}. Every setter validates at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final Client client;
        private final String target;
        private String name;
        private String address;
        private int port;
        private final Map<String, String> metadata = new TreeMap<>();
        private Duration ttl = DEFAULT_TTL;

        private Builder(Client client, String target) {
            this.client = Objects.requireNonNull(client, "client");
            this.target = Target.check(target);
        }

        /**
         * @param address the host name or IP literal (an IPv6 literal without brackets) clients connect to; required
         * @return this builder
         * @throws IllegalArgumentException if not a host name or IP literal
         */
        public Builder address(String address) {
            Objects.requireNonNull(address, "address");
            try {
                this.address = Backend.of(address, 1).host();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("address must be a host name or IP literal, got '"
                        + Checks.printable(address) + "'", e);
            }
            return this;
        }

        /**
         * @param port the port clients connect to; required
         * @return this builder
         * @throws IllegalArgumentException unless 1 to 65535
         */
        public Builder port(int port) {
            this.port = Checks.port("port", port);
            return this;
        }

        /**
         * @param name the key's last part, the backend id readers see; default {@code host:port}, etcd's usual name
         * @return this builder
         * @throws IllegalArgumentException if blank or with control characters or a '/'
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || !name.equals(Checks.printable(name)) || name.indexOf('/') >= 0) {
                throw new IllegalArgumentException("name must not be blank or contain '/' or control characters,"
                        + " got '" + Checks.printable(name) + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * @param key a {@code Metadata} key
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException if the key is blank, or either has control characters
         */
        public Builder metadata(String key, String value) {
            Objects.requireNonNull(key, "metadata key");
            Objects.requireNonNull(value, "metadata value");
            if (key.isBlank() || !key.equals(Checks.printable(key))) {
                throw new IllegalArgumentException("metadata key must not be blank or contain control characters,"
                        + " got '" + Checks.printable(key) + "'");
            }
            if (!value.equals(Checks.printable(value))) {
                throw new IllegalArgumentException("metadata value of '" + key + "' must not contain control"
                        + " characters");
            }
            metadata.put(key, value);
            return this;
        }

        /**
         * @param zone the zone, written as the {@code Metadata} entry {@value EtcdBackendSource#DEFAULT_ZONE_KEY}
         * @return this builder
         */
        public Builder zone(String zone) {
            Objects.requireNonNull(zone, "zone");
            try {
                Backend.of("h", 1).withZone(zone);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("zone must not be blank or contain control characters, got '"
                        + Checks.printable(zone) + "'", e);
            }
            return metadata(EtcdBackendSource.DEFAULT_ZONE_KEY, zone);
        }

        /**
         * @param weight the weight, 1 to {@link Backend#MAX_WEIGHT}, written as the {@code Metadata} entry
         *               {@value EtcdBackendSource#DEFAULT_WEIGHT_KEY}
         * @return this builder
         */
        public Builder weight(int weight) {
            if (weight < 1 || weight > Backend.MAX_WEIGHT) {
                throw new IllegalArgumentException("weight must be between 1 and " + Backend.MAX_WEIGHT + ", got "
                        + weight);
            }
            return metadata(EtcdBackendSource.DEFAULT_WEIGHT_KEY, Integer.toString(weight));
        }

        /**
         * @param ttl the lease's time to live, whole seconds: how long the key outlives a process that stopped
         *            renewing it; default 10 s (etcd may raise a TTL below its own minimum, about 2 s)
         * @return this builder
         * @throws IllegalArgumentException unless whole seconds between 1 s and 1 hour
         */
        public Builder ttl(Duration ttl) {
            Checks.between("ttl", ttl, Duration.ofSeconds(1), Duration.ofHours(1));
            if (ttl.toNanosPart() != 0) {
                throw new IllegalArgumentException("ttl must be whole seconds (etcd's lease unit), got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * @return the registration; {@link EtcdRegistration#start() start} it
         * @throws IllegalStateException if the address or port is missing
         */
        public EtcdRegistration build() {
            if (address == null) {
                throw new IllegalStateException("address is required");
            }
            if (port == 0) {
                throw new IllegalStateException("port is required");
            }
            return new EtcdRegistration(this);
        }
    }
}
