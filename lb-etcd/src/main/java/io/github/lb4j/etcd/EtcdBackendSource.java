package io.github.lb4j.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.core.internal.Backoff;
import io.github.lb4j.core.internal.Checks;
import io.github.lb4j.core.internal.RecordLimits;
import io.github.lb4j.core.internal.SharedScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BackendSource} that follows one service in etcd, in the layout of etcd's own naming API (Go's
 * {@code go.etcd.io/etcd/client/v3/naming/endpoints}, which gRPC's etcd resolver reads): every key under
 * {@code target + "/"} is one endpoint, its value the JSON {@code {"Addr":"host:port","Metadata":...}}, as written by
 * {@code etcdctl put my-service/10.0.0.1:8080 '{"Addr":"10.0.0.1:8080"}'} or by {@link EtcdRegistration}.
 *
 * <pre>{@code
 * Client etcd = Client.builder().endpoints("http://etcd1:2379", "http://etcd2:2379").build();
 * EtcdBackendSource orders = EtcdBackendSource.builder(etcd, "my-service")   // keys "my-service/..."
 *         .build();                                  // the application owns the client and closes it
 * LoadBalancer pool = LoadBalancer.builder("orders").source(orders).build();
 * }</pre>
 *
 * <p>What becomes a backend, for each key:
 * <ul>
 *   <li>id: the key's name after {@code target/} (etcd's naming API names each endpoint by it, usually its
 *       address), so ids are unique as keys are, even when two keys share an {@code Addr}; host and port: the
 *       {@code Addr}, {@code host:port} or {@code [ipv6]:port}, the port required.</li>
 *   <li>metadata: when {@code Metadata} is a JSON object, its scalar entries (strings, numbers, booleans) as text;
 *       any other {@code Metadata} gives none. Zone and weight: the entries {@value #DEFAULT_ZONE_KEY} and
 *       {@value #DEFAULT_WEIGHT_KEY} (see {@link Builder#zoneKey} and {@link Builder#weightKey}), when present.</li>
 *   <li>unknown fields (such as the {@code Op} of older gRPC naming values) are ignored.</li>
 * </ul>
 *
 * <p>Malformed keys: a value that is not such a document (not JSON, no {@code Addr}, a port missing, 0 or above
 * 65535, a weight that is not an integer from 1 to {@link Backend#MAX_WEIGHT}, a zone or name the pool cannot use) is
 * skipped and logged once at WARN, naming its key; it is counted in {@link #malformedRecords()} and never stops the
 * watch. Log lines name keys, never values.
 *
 * <p>How: one range read of the prefix, whose complete set goes to the pool, then a watch from the read's revision
 * + 1. The source tracks the revision of every event it applies; an event at or below it (one the watch delivers
 * again after resuming) is not applied twice. When the watch breaks, it is resumed from that revision + 1, so no
 * change of the meantime is lost. When that revision was compacted away meanwhile (or etcd no longer has it), the
 * source reads the prefix again and watches from there: the set is rebuilt, not patched. The watch asks for progress
 * notifications, so the tracked revision follows etcd's even when the service does not change.
 *
 * <p>Failures: when a read fails (or takes longer than {@link Builder#requestTimeout}) or the watch breaks, the
 * source reports failed discovery once per outage (the pool logs it at WARN and keeps its set) and retries with
 * capped exponential backoff and full jitter ({@link Builder#reconnectBackoff}); it logs at INFO when etcd answers
 * again. A re-read that finds the set unchanged, and a watch that resumes, tell the pool the set is confirmed
 * ({@link Sink#confirmed()}). A client that is closed under the source ends it (reported once). The pool's keep-last-good rule applies:
 * an empty service leaves a pool with backends as it is, unless {@link Builder#allowEmpty allowEmpty}.
 *
 * <p>Threads: jetcd delivers on its own threads; this source parses and pushes sets from lb4j's shared scheduler
 * thread, one step at a time, so a pool's update never holds up jetcd and the pool's sink is never called
 * concurrently. Watch responses that arrive while a set is being applied are applied together: the pool sees the
 * latest set, and a burst of changes costs a few pushes rather than one per change.
 *
 * <p>Thread-safety: safe to use from any thread. A source feeds one pool.
 */
public final class EtcdBackendSource implements BackendSource {

    private static final Logger log = LoggerFactory.getLogger(EtcdBackendSource.class);

    /** Default {@link Builder#zoneKey}: the metadata key Spring Cloud's zone preference reads. */
    public static final String DEFAULT_ZONE_KEY = "zone";
    /** Default {@link Builder#weightKey}: the key Dubbo and Spring Cloud's weighted balancing use. */
    public static final String DEFAULT_WEIGHT_KEY = "weight";
    /** Default {@link Builder#requestTimeout}: long against a loaded etcd, short against a hung connection. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Default first backoff cap of {@link Builder#reconnectBackoff}. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Default largest backoff cap of {@link Builder#reconnectBackoff}: a restarted etcd is seen within ~10 s. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    private final Client client;
    private final String target;
    private final ByteSequence prefix;
    private final String zoneKey;
    private final String weightKey;
    private final boolean allowEmpty;
    private final Ticker ticker;
    private final long requestTimeoutNanos;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final String description;

    /** Watch responses not applied yet, oldest first; {@link #draining} while a drain is queued. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Pending> pending =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private final Object lock = new Object();
    // Everything below is guarded by lock. The steps that change it run one at a time on the scheduler's thread.
    private Sink sink;
    /** Volatile as well: {@link #run} reads it without the lock, which jetcd's callbacks must never wait for. */
    private volatile SharedScheduler scheduler;
    private boolean started;
    private volatile boolean closed;
    /** Usable endpoints by id; sorted, so the pool is given one order whatever the order of events. */
    private final TreeMap<String, Backend> members = new TreeMap<>();
    /**
     * Skipped keys by id, with a SHA-256 of the value that was reported: a key is reported again only when it
     * changes. A digest, not the value: a registry of large malformed values must not be copied into the heap.
     */
    private Map<String, byte[]> malformed = new HashMap<>();
    /** Whether a key beyond {@link RecordLimits#MAX_BACKENDS} was reported since the last full read. */
    private boolean overLimitReported;
    private long malformedCount;
    /** Every change up to this revision is applied; 0 before the first read. */
    private long revision;
    /** Identifies the current read or watch: callbacks of an older one are dropped. */
    private long generation;
    private Watch.Watcher watcher;
    /** The current watch said "created": etcd serves it. */
    private boolean created;
    /** The watch was resumed after a failure and has not said "created" yet. */
    private boolean resuming;
    private Future<?> retry;
    private int failures;
    /** Since the first failure of an outage (ticker time), or -1 while etcd answers. */
    private long outageSince = -1;
    private boolean ended;

    private EtcdBackendSource(Builder b) {
        this.client = b.client;
        this.target = b.target;
        this.prefix = Target.prefix(b.target);
        this.zoneKey = b.zoneKey;
        this.weightKey = b.weightKey;
        this.allowEmpty = b.allowEmpty;
        this.ticker = b.ticker;
        this.requestTimeoutNanos = b.requestTimeout.toNanos();
        this.initialBackoffNanos = b.initialBackoff.toNanos();
        this.maxBackoffNanos = b.maxBackoff.toNanos();
        this.description = "etcd " + Checks.printable(target) + "/";
    }

    /**
     * @param client the jetcd client; the application keeps owning it (this source never closes it)
     * @param target the service's key prefix without the trailing '/', such as {@code "my-service"}: the keys read
     *               are {@code target + "/" + name}
     * @return a builder
     * @throws IllegalArgumentException if {@code target} is blank, ends with '/' or has control characters or
     *     surrounding white space, naming the value
     * @throws NullPointerException if {@code client} or {@code target} is null
     */
    public static Builder builder(Client client, String target) {
        return new Builder(client, target);
    }

    @Override
    public void start(Sink sink) {
        Objects.requireNonNull(sink, "sink");
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException(description + " was already started; a source feeds one pool");
            }
            started = true;
            if (closed) {
                return;
            }
            this.sink = sink;
            scheduler = SharedScheduler.acquire();
        }
        log.debug("{}: reading and watching for pool '{}'", description, sink.poolName());
        run(this::list);
    }

    /**
     * @return how many malformed keys were skipped since the start: each key counted once per value (a key that is
     *     rewritten and still malformed counts again)
     */
    public long malformedRecords() {
        synchronized (lock) {
            return malformedCount;
        }
    }

    /** @return whether a watch is created and serving (for tests) */
    boolean watching() {
        synchronized (lock) {
            return watcher != null && created;
        }
    }

    /** @return the etcd revision up to which every change is applied; 0 before the first read (for tests, logs) */
    public long revision() {
        synchronized (lock) {
            return revision;
        }
    }

    @Override
    public boolean allowsEmpty() {
        return allowEmpty;
    }

    /** Stops watching; a set being pushed is the last one. Idempotent. Does not close the jetcd client. */
    @Override
    public void close() {
        SharedScheduler s;
        Watch.Watcher w;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            w = watcher;
            watcher = null;
            cancelRetryLocked();
            s = scheduler;
        }
        closeQuietly(w);
        if (s != null) {
            s.release();
        }
        log.debug("{}: closed", description);
    }

    @Override
    public String toString() {
        return description;
    }

    // ---- steps, each run on the scheduler's thread ----

    /** Reads every key of the service; the answer comes back as {@link #listed}. */
    private void list() {
        long gen;
        synchronized (lock) {
            if (closed || ended) {
                return;
            }
            gen = ++generation;
            stopWatchLocked();
        }
        try {
            // One more than the limit: enough to tell that the service has too many keys without reading them all.
            client.getKVClient().get(prefix, GetOption.builder().isPrefix(true)
                            .withLimit(RecordLimits.MAX_BACKENDS + 1L).build())
                    .orTimeout(requestTimeoutNanos, TimeUnit.NANOSECONDS)
                    .whenComplete((response, error) -> run(() -> listed(gen, response, error)));
        } catch (RuntimeException e) {
            listed(gen, null, e); // a closed client throws here
        }
    }

    private void listed(long gen, GetResponse response, Throwable error) {
        Sink target;
        List<Backend> set = null;
        List<String> reports = List.of();
        long from;
        boolean wasDown;
        synchronized (lock) {
            if (closed || ended || gen != generation) {
                return;
            }
            if (error != null) {
                failedLocked("reading the service failed", unwrap(error), this::list);
                return;
            }
            String tooMany = RecordLimits.tooManyBackends(Math.max(response.getCount(), response.getKvs().size()));
            if (tooMany != null || response.isMore()) {
                failedLocked("the service has " + response.getCount() + " keys: "
                        + (tooMany != null ? tooMany : RecordLimits.tooManyBackends(RecordLimits.MAX_BACKENDS + 1L)),
                        null, this::list);
                return;
            }
            overLimitReported = false;
            TreeMap<String, Backend> fresh = new TreeMap<>();
            Map<String, byte[]> freshMalformed = new HashMap<>();
            List<String> problems = new java.util.ArrayList<>();
            for (KeyValue kv : response.getKvs()) {
                String id = id(kv.getKey());
                byte[] value = kv.getValue().getBytes();
                EndpointJson.Read read = EndpointJson.read(id, value, zoneKey, weightKey);
                if (read.backend() != null) {
                    fresh.put(id, read.backend());
                } else {
                    byte[] digest = RecordLimits.digest(value);
                    freshMalformed.put(id, digest);
                    byte[] before = malformed.get(id);
                    if (before == null || !Arrays.equals(before, digest)) {
                        malformedCount++;
                        problems.add(report(id, read.problem()));
                    }
                }
            }
            reports = problems;
            boolean changed = revision == 0 || !fresh.equals(members);
            members.clear();
            members.putAll(fresh);
            malformed = freshMalformed;
            revision = response.getHeader().getRevision();
            from = revision + 1;
            wasDown = outageSince >= 0;
            recoveredLocked("read " + members.size() + " endpoint(s) at revision " + revision);
            if (changed) {
                set = List.copyOf(members.values());
            }
            target = sink;
        }
        reports.forEach(log::warn);
        log.debug("{}: read {} endpoint(s) at revision {}", description, set != null ? set.size() : "unchanged",
                from - 1);
        if (set != null) {
            target.update(set);
        } else {
            confirmed(target, wasDown ? "re-read after an outage" : "re-read");
        }
        watch(from);
    }

    /** Watches the prefix from {@code from}; responses come back through {@link #drain}. */
    private void watch(long from) {
        long gen;
        synchronized (lock) {
            if (closed || ended) {
                return;
            }
            gen = ++generation;
            stopWatchLocked();
        }
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withRevision(from)
                .withCreateNotify(true)    // tells when a resumed watch is back
                .withProgressNotify(true)  // keeps the revision current while the service is quiet
                .build();
        Watch.Listener listener = new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                pending.add(new Pending(gen, response));
                if (draining.compareAndSet(false, true)) {
                    run(EtcdBackendSource.this::drain);
                }
            }

            @Override
            public void onError(Throwable error) {
                run(() -> watchFailed(gen, error));
            }

            @Override
            public void onCompleted() {
                run(() -> watchFailed(gen, null));
            }
        };
        Watch.Watcher w;
        try {
            w = client.getWatchClient().watch(prefix, option, listener);
        } catch (RuntimeException e) {
            watchFailed(gen, e);
            return;
        }
        synchronized (lock) {
            if (gen == generation && !closed) {
                watcher = w;
                created = false;
                // A watch asked for on a connection that is going away can wait for the channel without a word
                // (jetcd's calls wait for ready): one that is not created in time counts as failed.
                scheduleLocked(() -> notCreated(gen), requestTimeoutNanos);
                return;
            }
        }
        w.close(); // closed or superseded while it was being created
    }

    /** One watch response as jetcd delivered it, waiting for {@link #drain}. */
    private record Pending(long gen, WatchResponse response) {
    }

    private static final int CHANGED = 1;
    private static final int RESUMED = 2;

    /**
     * Applies every watch response that arrived since the last drain, then pushes one set: while the pool applies a
     * set, the responses that arrive meanwhile are applied together (10 000 puts cost a few pushes, not 10 000).
     */
    private void drain() {
        draining.set(false);
        Sink target;
        List<Backend> set = null;
        List<String> reports = new java.util.ArrayList<>();
        int result = 0;
        synchronized (lock) {
            for (Pending p = pending.poll(); p != null; p = pending.poll()) {
                result |= applyLocked(p.gen(), p.response(), reports);
            }
            if (closed || ended) {
                return;
            }
            if ((result & CHANGED) != 0) {
                set = List.copyOf(members.values());
            }
            target = sink;
        }
        reports.forEach(log::warn);
        if (set != null) {
            target.update(set);
        } else if ((result & RESUMED) != 0) {
            confirmed(target, "watch resumed");
        }
    }

    /** Applies one watch response; returns {@link #CHANGED} and {@link #RESUMED} flags. Under lock. */
    private int applyLocked(long gen, WatchResponse response, List<String> reports) {
        if (closed || ended || gen != generation) {
            return 0;
        }
        int result = 0;
        if (log.isTraceEnabled()) {
            log.trace("{}: watch response: {} event(s), created {}, header revision {}, at {}", description,
                    response.getEvents().size(), response.isCreatedNotify(),
                    response.getHeader() == null ? -1 : response.getHeader().getRevision(), revision);
        }
        if (response.isCreatedNotify()) {
            created = true;
            cancelRetryLocked();
            if (resuming) {
                result |= RESUMED;
            }
            resuming = false;
            recoveredLocked("the watch resumed from revision " + (revision + 1));
        }
        long base = revision;
        int duplicates = 0;
        for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            long rev = kv.getModRevision();
            if (rev <= base) {
                duplicates++; // delivered again after a resume: applied already
                continue;
            }
            revision = Math.max(revision, rev);
            String id = id(kv.getKey());
            boolean changed = false;
            if (event.getEventType() == WatchEvent.EventType.DELETE) {
                changed = members.remove(id) != null;
                malformed.remove(id);
            } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                changed = put(id, kv.getValue().getBytes(), reports);
            }
            if (changed) {
                result |= CHANGED;
            }
        }
        if (duplicates > 0) {
            log.debug("{}: {} event(s) at or below revision {} not applied again", description, duplicates, base);
        }
        if (!response.getEvents().isEmpty() || response.isProgressNotify()) {
            recoveredLocked("the watch delivers again");
        }
        if (response.getEvents().isEmpty() && response.getHeader() != null && !response.isCreatedNotify()) {
            // A progress notification: every event up to the header's revision was delivered.
            revision = Math.max(revision, response.getHeader().getRevision());
        }
        return result;
    }

    private void notCreated(long gen) {
        boolean late;
        synchronized (lock) {
            late = !closed && gen == generation && !created;
        }
        if (late) {
            watchFailed(gen, new TimeoutException());
        }
    }

    /** Applies a PUT; returns whether the set changed. Under lock. */
    private boolean put(String id, byte[] value, List<String> reports) {
        if (!members.containsKey(id) && !malformed.containsKey(id)
                && members.size() + malformed.size() >= RecordLimits.MAX_BACKENDS) {
            // A new key past the limit is not kept (neither as a member nor as a malformed key): memory stays
            // bounded whatever is written. Reported once until the next full read, which fails while over.
            malformedCount++;
            if (!overLimitReported) {
                overLimitReported = true;
                reports.add(report(id, "is not kept, the service being at its limit: "
                        + RecordLimits.tooManyBackends(RecordLimits.MAX_BACKENDS + 1L)
                        + "; further keys past it are skipped silently"));
            }
            return false;
        }
        EndpointJson.Read read = EndpointJson.read(id, value, zoneKey, weightKey);
        if (read.backend() != null) {
            malformed.remove(id);
            return !read.backend().equals(members.put(id, read.backend()));
        }
        byte[] digest = RecordLimits.digest(value);
        byte[] before = malformed.put(id, digest);
        if (before == null || !Arrays.equals(before, digest)) {
            malformedCount++;
            reports.add(report(id, read.problem()));
        }
        return members.remove(id) != null;
    }

    private void watchFailed(long gen, Throwable error) {
        Throwable e = unwrap(error);
        synchronized (lock) {
            if (closed || ended || gen != generation) {
                return;
            }
            generation++;
            stopWatchLocked();
            if (lostRevision(e)) {
                long compacted = e instanceof CompactedException c ? c.getCompactedRevision() : -1;
                log.info("{}: etcd no longer has revision {} ({}); reading the service again", description,
                        revision + 1, compacted > 0 ? "compacted up to " + compacted : "not kept");
                scheduleLocked(this::list, 0);
                return;
            }
            if (e instanceof ClosedClientException) {
                endLocked("the jetcd client was closed");
                return;
            }
            resuming = true;
            String reason = e == null ? "the watch ended" : e instanceof TimeoutException
                    ? "the watch was not created" : "the watch broke";
            long from = revision + 1;
            failedLocked(reason, e, () -> watch(from));
        }
    }

    // ---- helpers ----

    /** Runs {@code step} on the scheduler's thread, unless closed. */
    private void run(Runnable step) {
        // No lock here: jetcd calls this from inside its own (while holding its watch lock, for one).
        SharedScheduler s = scheduler;
        if (!closed && s != null) {
            s.executor().execute(step);
        }
    }

    /** A failure: reported to the pool once per outage, then retried after a backoff. Under lock. */
    private void failedLocked(String reason, Throwable error, Runnable again) {
        if (error instanceof ClosedClientException) {
            endLocked("the jetcd client was closed");
            return;
        }
        failures++;
        long delay = Backoff.fullJitterNanos(initialBackoffNanos, maxBackoffNanos, failures,
                ThreadLocalRandom.current());
        String detail = error == null ? "" : ": " + describe(error);
        if (outageSince < 0) {
            outageSince = ticker.read();
            String message = description + ": " + reason + detail + "; retrying with backoff (at most "
                    + maxBackoffNanos / 1_000_000 + " ms apart)";
            Sink target = sink;
            scheduler.executor().execute(() -> target.failed(message, error));
        } else {
            log.debug("{}: still failing ({} attempts): {}{}", description, failures, reason, detail);
        }
        scheduleLocked(again, delay);
    }

    /** The registry answered: ends an outage (logged at INFO). Under lock. */
    private void recoveredLocked(String what) {
        failures = 0;
        if (outageSince >= 0) {
            log.info("{}: etcd answers again after {} ms: {}", description,
                    (ticker.read() - outageSince) / 1_000_000, what);
            outageSince = -1;
        }
    }

    /** The client is gone: nothing more can be read. Reported once. Under lock. */
    private void endLocked(String why) {
        ended = true;
        stopWatchLocked();
        cancelRetryLocked();
        String message = description + ": " + why + "; the source stops (the pool keeps its last set)";
        Sink target = sink;
        scheduler.executor().execute(() -> target.failed(message, null));
    }

    private void scheduleLocked(Runnable step, long delayNanos) {
        cancelRetryLocked();
        SharedScheduler s = scheduler;
        retry = s.schedule(() -> {
            synchronized (lock) {
                retry = null;
            }
            step.run();
        }, delayNanos);
    }

    private void cancelRetryLocked() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /**
     * Drops the current watch; it is closed on the scheduler's thread, after this step has let go of the lock:
     * jetcd's close takes its own lock and calls the listener, and its threads call the listener holding that lock
     * (so closing it under this source's lock could deadlock with a callback waiting for this lock).
     */
    private void stopWatchLocked() {
        Watch.Watcher w = watcher;
        watcher = null;
        if (w != null) {
            scheduler.executor().execute(() -> closeQuietly(w));
        }
    }

    private void closeQuietly(Watch.Watcher w) {
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                log.debug("{}: closing the old watch: {}", description, e.toString());
            }
        }
    }

    /** Tells the pool the registry confirmed its current set, unchanged. */
    private void confirmed(Sink target, String how) {
        log.debug("{}: set confirmed ({})", description, how);
        target.confirmed();
    }

    /** The watch's start revision is gone: compacted, or etcd lost its data and is behind. */
    private static boolean lostRevision(Throwable e) {
        return e instanceof CompactedException
                || e instanceof EtcdException ee && ee.getErrorCode() == ErrorCode.OUT_OF_RANGE;
    }

    private String id(ByteSequence key) {
        String k = key.toString(StandardCharsets.UTF_8);
        return k.startsWith(target + "/") ? k.substring(target.length() + 1) : k; // the watch gives only those
    }

    private String report(String id, String problem) {
        return description + ": skipping key " + Checks.printable(target + "/" + id) + ": its value " + problem
                + " (skipped until it changes; " + malformedCount + " malformed so far)";
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private String describe(Throwable e) {
        if (e instanceof TimeoutException) {
            return "no answer within the request timeout of " + requestTimeoutNanos / 1_000_000 + " ms";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + Checks.printable(m) + ")");
    }

    /**
     * Configures an {@link EtcdBackendSource}. Every setter validates at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final Client client;
        private final String target;
        private String zoneKey = DEFAULT_ZONE_KEY;
        private String weightKey = DEFAULT_WEIGHT_KEY;
        private boolean allowEmpty;
        private Ticker ticker = Ticker.system();
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;

        private Builder(Client client, String target) {
            this.client = Objects.requireNonNull(client, "client");
            this.target = Target.check(target);
        }

        /**
         * @param key the {@code Metadata} key whose value becomes the backend's zone; default
         *            {@value #DEFAULT_ZONE_KEY}
         * @return this builder
         * @throws IllegalArgumentException if blank or with control characters
         */
        public Builder zoneKey(String key) {
            this.zoneKey = checkKey("zoneKey", key);
            return this;
        }

        /**
         * @param key the {@code Metadata} key whose value (an integer from 1 to {@link Backend#MAX_WEIGHT}) becomes
         *            the backend's weight; default {@value #DEFAULT_WEIGHT_KEY}
         * @return this builder
         * @throws IllegalArgumentException if blank or with control characters
         */
        public Builder weightKey(String key) {
            this.weightKey = checkKey("weightKey", key);
            return this;
        }

        /**
         * @param allowEmpty true if a service with no usable endpoint should empty the pool; default false: the
         *                   pool keeps its last good set
         * @return this builder
         */
        public Builder allowEmpty(boolean allowEmpty) {
            this.allowEmpty = allowEmpty;
            return this;
        }

        /**
         * @param timeout how long a range read may take before it counts as failed; default 5 s
         * @return this builder
         * @throws IllegalArgumentException unless between 1 ms and 5 minutes
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Checks.between("requestTimeout", timeout, Duration.ofMillis(1),
                    Duration.ofMinutes(5));
            return this;
        }

        /**
         * Sets the retry waits after a failure: the wait before retry {@code n} is uniform in
         * {@code [0, min(max, initial * 2^(n-1))]} (capped exponential backoff, full jitter).
         *
         * @param initial the cap of the first wait; default 100 ms
         * @param max the largest cap; default 10 s
         * @return this builder
         * @throws IllegalArgumentException unless {@code initial} is between 1 ms and 1 minute and {@code max} between
         *     {@code initial} and 10 minutes
         */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            Checks.between("initial backoff", initial, Duration.ofMillis(1), Duration.ofMinutes(1));
            Checks.between("max backoff", max, initial, Duration.ofMinutes(10));
            this.initialBackoff = initial;
            this.maxBackoff = max;
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

        /** @return the source; pass it to {@link LoadBalancer.Builder#source} */
        public EtcdBackendSource build() {
            return new EtcdBackendSource(this);
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
