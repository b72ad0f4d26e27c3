package io.github.lb4j.kubernetes;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.core.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BackendSource} that follows one Kubernetes Service through its EndpointSlices
 * ({@code discovery.k8s.io/v1}, the slices labelled {@value #SERVICE_NAME_LABEL}{@code =<service>}), with the
 * fabric8 kubernetes-client. Every slice of the service is merged into one set: a service's endpoints are spread over
 * many slices (100 endpoints each by default), and a client that takes one slice for the whole service caps it.
 *
 * <pre>{@code
 * KubernetesClient k8s = new KubernetesClientBuilder().build();   // in-cluster config or ~/.kube/config
 * KubernetesBackendSource orders = KubernetesBackendSource.builder(k8s, "shop", "orders")
 *         .port("http")                                          // the Service's port name
 *         .build();
 * LoadBalancer pool = LoadBalancer.builder("orders").source(orders).build();
 * }</pre>
 *
 * <p>The client needs {@code list} and {@code watch} on {@code endpointslices.discovery.k8s.io} in the namespace (a
 * Role bound to the pod's service account). The application owns the client; this source never closes it.
 *
 * <p>What becomes a backend, for each endpoint of each slice:
 * <ul>
 *   <li>only endpoints whose {@code conditions.ready} is true or absent (the API's default). {@code ready} is false
 *       for an endpoint that is not ready, and for one that is terminating even while it still {@code serving}: it
 *       leaves the set, and the pool drains it (calls in flight complete, no new ones). lb4j's pool has no state
 *       for "in the set but draining", so leaving the set is how it drains.</li>
 *   <li>each address one backend, on the chosen port; address types IPv4 and IPv6. Slices of type FQDN are skipped
 *       (a name, not an address) and reported as below.</li>
 *   <li>id: the {@code targetRef}'s name (the pod) and the port, such as {@code "orders-7d9f-x2x4q:8080"}, so a pod
 *       keeps its state in the pool across slice changes; the address and port when there is no targetRef. A pod
 *       with several addresses for the port (a dual-stack service has an IPv4 and an IPv6 slice) gets one backend
 *       per address, whose ids name the address too: {@code "orders-7d9f-x2x4q/10.1.2.3:8080"}.</li>
 *   <li>zone: the endpoint's {@code zone}. No weight (Kubernetes has none): weight 1.</li>
 *   <li>an address listed in two slices (the controller moves endpoints between slices) is one backend.</li>
 * </ul>
 *
 * <p>The port: by name with {@link Builder#port port("http")} (the Service port's name, which EndpointSlices
 * carry), or by number with {@link Builder#portNumber portNumber(8080)} (the endpoint's port, that is the Service's
 * {@code targetPort}, not its {@code port}). With neither, each slice must have exactly one TCP port, which is used
 * (a Service with a single port need not name it). Only TCP ports are considered. A slice that lacks the port is
 * skipped with one WARN naming it and its ports, and counted in {@link #skippedCount()}; if, once the slices are
 * read, none of them has the port, the source reports failed discovery (the pool logs it at WARN and keeps its set)
 * naming the port and the ports the slices have, again whenever that changes, since slices can change at run
 * time.
 *
 * <p>How: a list of the service's slices, then a watch from the list's resource version; every change is applied
 * as it arrives and the complete set pushed when it differs from the last one pushed. A list (a relist, or the
 * first after an outage) that gives the set last pushed tells the pool so ({@link Sink#confirmed()}): the pool
 * records when the API server last confirmed its set. When the watch ends (the
 * server closed it, or its resource version is too old: HTTP 410) the source lists again and watches from there.
 * The fabric8 client re-establishes a broken watch connection by itself, from the last resource version, without
 * telling its watcher; so the source also lists again every {@link Builder#relistInterval relistInterval}
 * (default {@value #DEFAULT_RELIST_MINUTES} minutes), which both notices an unreachable API server and repairs
 * anything a watch may have missed.
 *
 * <p>Failures: a list that fails (API server unreachable, HTTP 403, ...) is reported to the pool once per outage
 * (the pool logs it at WARN and keeps its set) and retried with capped exponential backoff and jitter
 * (500 ms doubling to 30 s), on top of the client's own retries of each request (its {@code Config}'s
 * {@code requestRetryBackoffLimit}); the first list that succeeds ends the outage, logged at INFO with its duration, and its set is pushed. The pool's keep-last-good rule applies: a service
 * with no ready endpoint leaves a pool with backends as it is, unless {@link Builder#allowEmpty allowEmpty}. Log
 * lines and failure reasons name the namespace, service, slices and ports and give HTTP status codes and exception
 * types, never request URLs (they carry query strings) or other content of the API's answers.
 *
 * <p>Threads: each source has one daemon thread ({@code lb4j-kubernetes}) that lists, applies watch events and
 * pushes sets, so pushes never overlap; it ends on {@link #close()}.
 *
 * <p>Thread-safety: safe to use from any thread. A source feeds one pool.
 */
public final class KubernetesBackendSource implements BackendSource {

    private static final Logger log = LoggerFactory.getLogger(KubernetesBackendSource.class);

    /** The label the EndpointSlice controller puts on every slice of a Service, with the Service's name. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** Default {@link Builder#relistInterval}, in minutes. */
    public static final long DEFAULT_RELIST_MINUTES = 5;
    /** First retry delay after a failed list. */
    static final long RETRY_MIN_MILLIS = 500;
    /** Longest retry delay: an API server back after an outage is noticed within about this long. */
    static final long RETRY_MAX_MILLIS = 30_000;
    /** Page size of a list: the API server's answers stay small however large the service. */
    static final long LIST_PAGE = 500;

    /** How long {@link #close()} waits for the source's thread to close the watch. */
    private static final long CLOSE_WAIT_MILLIS = 2_000;
    private static final String THREAD_NAME = "lb4j-kubernetes";
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final SliceReader.PortChoice portChoice;
    private final boolean allowEmpty;
    private final long relistNanos;
    private final Ticker ticker;
    private final String description;
    private final AtomicLong skippedCount = new AtomicLong();
    /** Watch events received, of any watch: for tests, which must know when a watch's events have all arrived. */
    private final AtomicLong watchEvents = new AtomicLong();

    private final Object lock = new Object();
    // Guarded by lock.
    private boolean started;
    private boolean closed;
    private ScheduledThreadPoolExecutor thread;

    // Confined to the source's thread.
    private Sink sink;
    /** The service's slices by name; sorted, so the set does not depend on the order of events. */
    private final TreeMap<String, EndpointSlice> slices = new TreeMap<>();
    /** Reported problems by slice name, with the resource version reported: reported again only when it changes. */
    private final Map<String, String> reported = new HashMap<>();
    private Watch watch;
    /** Which watch is current: events of an older one are dropped. */
    private long watchGeneration;
    private ScheduledFuture<?> nextList;
    private int failedLists;
    /** Since the first failed list of an outage (ticker time), or -1. */
    private long outageSince = -1;
    private List<Backend> lastPushed;
    private String lastPortFailure;

    private KubernetesBackendSource(Builder b) {
        this.client = b.client;
        this.namespace = b.namespace;
        this.service = b.service;
        this.portChoice = b.portName != null ? SliceReader.PortChoice.named(b.portName)
                : b.portNumber > 0 ? SliceReader.PortChoice.numbered(b.portNumber)
                : SliceReader.PortChoice.onlyPort();
        this.allowEmpty = b.allowEmpty;
        this.relistNanos = b.relistInterval.toNanos();
        this.ticker = b.ticker;
        this.description = "Kubernetes service " + namespace + "/" + service + " (" + portChoice + ")";
    }

    /**
     * @param client the fabric8 client; the application keeps owning it (this source never closes it)
     * @param namespace the Service's namespace, a DNS-1123 label such as {@code "shop"}
     * @param service the Service's name, a DNS-1123 label such as {@code "orders"}
     * @return a builder
     * @throws IllegalArgumentException if the namespace or service is blank or not a DNS-1123 label, naming the
     *     field and value
     * @throws NullPointerException if an argument is null
     */
    public static Builder builder(KubernetesClient client, String namespace, String service) {
        return new Builder(client, namespace, service);
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
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, THREAD_NAME);
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true);
            t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a relist due after close never runs
            thread = t;
            t.execute(() -> {
                this.sink = sink;
                log.debug("{}: watching for pool '{}'", description, sink.poolName());
                list("start");
            });
        }
    }

    /**
     * @return how many slices were skipped (or had endpoints skipped) since the start, each counted once per
     *     version of the slice: slices without the port, FQDN slices, endpoints with addresses the pool cannot use
     */
    public long skippedCount() {
        return skippedCount.get();
    }

    /** Watch events received since the start, of every watch the source has had. Visible for tests. */
    long watchEventCount() {
        return watchEvents.get();
    }

    @Override
    public boolean allowsEmpty() {
        return allowEmpty;
    }

    /** Stops watching; a set being pushed is the last one. Idempotent. Does not close the client. */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor t;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        if (t != null) {
            t.execute(() -> {
                stopWatch();
                slices.clear(); // the client may keep the closed watch, and with it this source, for a while
                lastPushed = null;
            });
            t.shutdown();
            if (!Thread.currentThread().getName().equals(THREAD_NAME)) {
                awaitStop(t);
            }
        }
        log.debug("{}: closed", description);
    }

    /** Waits a little for the watch to be closed: a list in progress may hold the thread until it times out. */
    private void awaitStop(ScheduledThreadPoolExecutor t) {
        try {
            if (!t.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                log.debug("{}: still busy {} ms after close; it stops when its request ends", description,
                        CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return description;
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Runs {@code task} on the source's thread, unless closed. */
    private void later(Runnable task) {
        synchronized (lock) {
            if (!closed) {
                thread.execute(task);
            }
        }
    }

    private void schedule(String why, long delayNanos) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (nextList != null) {
                nextList.cancel(false);
            }
            nextList = thread.schedule(() -> list(why), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private FilterWatchListDeletable<EndpointSlice, EndpointSliceList, Resource<EndpointSlice>> slicesOfService() {
        return client.discovery().v1().endpointSlices().inNamespace(namespace).withLabel(SERVICE_NAME_LABEL, service);
    }

    /**
     * Lists the service's slices and makes them what the source knows, pushing the set if it changed. Watches from
     * the list's resource version unless a watch runs, the outage is not over, and the list shows nothing it missed:
     * then the running watch carries on (restarting it would cost the API server a new watch for nothing). On the
     * source's thread.
     */
    private void list(String why) {
        if (isClosed()) {
            return;
        }
        TreeMap<String, EndpointSlice> listed = new TreeMap<>();
        String resourceVersion;
        try {
            resourceVersion = listAll(listed);
        } catch (RuntimeException e) {
            stopWatch(); // it may be retrying against a server that is gone; the next list starts a new one
            failed("listing its EndpointSlices failed (" + describe(e) + ")");
            return;
        }
        if (isClosed()) {
            return;
        }
        boolean unchanged = sameVersions(listed);
        boolean recovered = outageSince >= 0;
        log.debug("{}: listed {} slice(s) ({}) at resource version {}{}", description, listed.size(), why,
                resourceVersion, unchanged ? ", as known" : "");
        if (!unchanged || recovered || watch == null) {
            stopWatch();
            slices.clear();
            slices.putAll(listed);
            reported.keySet().retainAll(slices.keySet());
            try {
                startWatch(resourceVersion);
            } catch (RuntimeException e) {
                failed("watching its EndpointSlices failed (" + describe(e) + ")");
                return;
            }
        }
        if (recovered) {
            log.info("{}: the API server answers again after {} ms and {} failed attempt(s); set re-read",
                    description, (ticker.read() - outageSince) / 1_000_000, failedLists);
        }
        outageSince = -1;
        failedLists = 0;
        if (publish()) {
            sink.confirmed(); // the API server's answer is the set the pool has
        }
        schedule("relist", jittered(relistNanos));
    }

    /** Whether {@code listed} holds the slices known, each at the version known. */
    private boolean sameVersions(Map<String, EndpointSlice> listed) {
        if (listed.size() != slices.size()) {
            return false;
        }
        for (Map.Entry<String, EndpointSlice> e : listed.entrySet()) {
            EndpointSlice known = slices.get(e.getKey());
            if (known == null || !Objects.equals(known.getMetadata().getResourceVersion(),
                    e.getValue().getMetadata().getResourceVersion())) {
                return false;
            }
        }
        return true;
    }

    /** Reads every page of the list; returns the resource version to watch from. */
    private String listAll(Map<String, EndpointSlice> into) {
        String continueToken = null;
        String resourceVersion;
        do {
            EndpointSliceList page = slicesOfService().list(new ListOptionsBuilder().withLimit(LIST_PAGE)
                    .withContinue(continueToken).build());
            for (EndpointSlice s : page.getItems()) {
                into.put(s.getMetadata().getName(), s);
            }
            resourceVersion = page.getMetadata() != null ? page.getMetadata().getResourceVersion() : null;
            continueToken = page.getMetadata() != null ? page.getMetadata().getContinue() : null;
        } while (continueToken != null && !continueToken.isEmpty());
        return resourceVersion;
    }

    private void startWatch(String resourceVersion) {
        long generation = ++watchGeneration;
        watch = slicesOfService().watch(new ListOptionsBuilder().withResourceVersion(resourceVersion).build(),
                new Watcher<EndpointSlice>() {
                    @Override
                    public void eventReceived(Action action, EndpointSlice slice) {
                        watchEvents.incrementAndGet();
                        later(() -> onEvent(generation, action, slice));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        later(() -> onWatchEnd(generation, cause));
                    }

                    @Override
                    public void onClose() {
                        later(() -> onWatchEnd(generation, null));
                    }
                });
    }

    private void stopWatch() {
        watchGeneration++;
        Watch w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                log.debug("{}: closing the watch failed ({})", description, describe(e));
            }
        }
    }

    /** One watch event. On the source's thread. */
    private void onEvent(long generation, Watcher.Action action, EndpointSlice slice) {
        if (generation != watchGeneration || slice == null || slice.getMetadata() == null) {
            return; // an event of a watch that was replaced: the list that replaced it has the newer state
        }
        String name = slice.getMetadata().getName();
        switch (action) {
            case ADDED, MODIFIED -> slices.put(name, slice);
            case DELETED -> {
                slices.remove(name);
                reported.remove(name);
            }
            default -> {
                return; // BOOKMARK: only a resource version; ERROR is handled by the client (it ends the watch)
            }
        }
        publish();
    }

    /** The watch ended by itself: list again now. On the source's thread. */
    private void onWatchEnd(long generation, WatcherException cause) {
        if (generation != watchGeneration) {
            return;
        }
        watch = null;
        watchGeneration++;
        if (cause != null && cause.isHttpGone()) {
            log.debug("{}: the watch's resource version is gone (HTTP 410); listing again", description);
        } else {
            log.debug("{}: the watch ended{}; listing again", description,
                    cause == null ? "" : " (" + describe(cause) + ")");
        }
        list("watch ended");
    }

    /** A list or watch failed: report the first of an outage, retry with backoff. On the source's thread. */
    private void failed(String reason) {
        failedLists++;
        long delay = backoffMillis(failedLists);
        if (outageSince < 0) {
            outageSince = ticker.read();
            sink.failed(description + ": " + reason + "; keeping the last set, retrying with backoff (next in "
                    + delay + " ms)", null);
        } else {
            log.debug("{}: still failing: {}; next try in {} ms", description, reason, delay);
        }
        schedule("retry", TimeUnit.MILLISECONDS.toNanos(delay));
    }

    /**
     * Computes the set from the slices and pushes it if it changed. On the source's thread.
     *
     * @return true if the set is the one last pushed (nothing pushed, nothing failed)
     */
    private boolean publish() {
        SliceReader.Result result = SliceReader.read(slices.values(), portChoice);
        reportProblems(result);
        if (!slices.isEmpty() && result.slicesWithPort() == 0
                && result.problems().stream().anyMatch(SliceReader.Problem::portMissing)) {
            String message = description + ": no EndpointSlice of the service has " + portChoice + "; the slices"
                    + " have " + (result.portNames().isEmpty() ? "no ports" : "the ports "
                    + String.join(", ", result.portNames())) + ". Check the port name given to port(...) against"
                    + " the Service's spec.ports[].name";
            if (!message.equals(lastPortFailure)) {
                lastPortFailure = message;
                sink.failed(message, null);
            }
            return false;
        }
        if (result.tooMany() != null) {
            String message = description + ": " + result.tooMany();
            if (!message.equals(lastPortFailure)) {
                lastPortFailure = message; // reported once, like a missing port, until the slices change that
                sink.failed(message, null);
            }
            return false;
        }
        lastPortFailure = null;
        List<Backend> set = result.backends();
        if (set.equals(lastPushed)) {
            return true;
        }
        lastPushed = set;
        sink.update(set);
        return false;
    }

    private void reportProblems(SliceReader.Result result) {
        List<SliceReader.Problem> fresh = new ArrayList<>();
        for (SliceReader.Problem p : result.problems()) {
            EndpointSlice s = slices.get(p.slice());
            String version = s != null && s.getMetadata().getResourceVersion() != null
                    ? s.getMetadata().getResourceVersion() : "";
            if (!version.equals(reported.put(p.slice(), version))) {
                fresh.add(p);
            }
        }
        for (SliceReader.Problem p : fresh) {
            long count = skippedCount.incrementAndGet();
            log.warn("{}: EndpointSlice {} {}; skipped until it changes ({} skipped so far)", description,
                    Checks.printable(p.slice()), p.text(), count);
        }
    }

    /** Capped exponential backoff with full jitter in its upper half. */
    static long backoffMillis(int failures) {
        long cap = Math.min(RETRY_MAX_MILLIS, RETRY_MIN_MILLIS << Math.min(failures - 1, 16));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    /** The relist interval, 10% shorter at random, so sources started together do not list together. */
    private static long jittered(long nanos) {
        return nanos - ThreadLocalRandom.current().nextLong(nanos / 10 + 1);
    }

    /**
     * A failure without its message: fabric8's messages carry the request URL (with its query string) and the
     * server's answer. The HTTP status code and exception types are enough to act on.
     */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        if (e instanceof KubernetesClientException k && k.getCode() > 0) {
            sb.append("HTTP ").append(k.getCode());
            if (k.getStatus() != null && k.getStatus().getReason() != null) {
                sb.append(' ').append(Checks.printable(k.getStatus().getReason()));
            }
        } else {
            sb.append(e.getClass().getSimpleName());
        }
        Throwable root = e;
        for (int i = 0; i < 10 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        if (root != e) {
            sb.append(", caused by ").append(root.getClass().getSimpleName());
        }
        return sb.toString();
    }

    /**
     * Configures a {@link KubernetesBackendSource}. Every setter validates at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final KubernetesClient client;
        private final String namespace;
        private final String service;
        private String portName;
        private int portNumber;
        private boolean allowEmpty;
        private Duration relistInterval = Duration.ofMinutes(DEFAULT_RELIST_MINUTES);
        private Ticker ticker = Ticker.system();

        private Builder(KubernetesClient client, String namespace, String service) {
            this.client = Objects.requireNonNull(client, "client");
            this.namespace = dns1123Label("namespace", namespace);
            this.service = dns1123Label("service", service);
        }

        /**
         * Chooses the backends' port by name: the name of one of the Service's {@code spec.ports}, which the
         * EndpointSlices repeat. An alternative to {@link #portNumber}.
         *
         * @param name a Kubernetes port name: 1 to 15 characters, lower-case letters, digits and '-', at least one
         *             letter, no '-' at either end nor two in a row
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or not a Kubernetes port name
         * @throws IllegalStateException if {@link #portNumber} was set
         */
        public Builder port(String name) {
            Objects.requireNonNull(name, "port");
            if (portNumber > 0) {
                throw new IllegalStateException("port and portNumber are alternatives; portNumber is already "
                        + portNumber);
            }
            this.portName = portName(name);
            return this;
        }

        /**
         * Chooses the backends' port by number: the endpoints' port, which is the Service's {@code targetPort}
         * (the container's port), not the Service's own {@code port}. An alternative to {@link #port}.
         *
         * @param number 1 to 65535
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if {@link #port} was set
         */
        public Builder portNumber(int number) {
            if (portName != null) {
                throw new IllegalStateException("port and portNumber are alternatives; port is already '"
                        + portName + "'");
            }
            this.portNumber = Checks.port("portNumber", number);
            return this;
        }

        /**
         * @param allowEmpty true if a service with no ready endpoint should empty the pool; default false: the pool
         *                   keeps its last good set
         * @return this builder
         */
        public Builder allowEmpty(boolean allowEmpty) {
            this.allowEmpty = allowEmpty;
            return this;
        }

        /**
         * How often the source lists the slices again while its watch runs: what notices an API server that has
         * become unreachable (the client's watch reconnects silently) and repairs anything missed.
         *
         * @param interval from 100 ms to 1 day; default {@value #DEFAULT_RELIST_MINUTES} minutes
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder relistInterval(Duration interval) {
            this.relistInterval = Checks.between("relistInterval", interval, Duration.ofMillis(100),
                    Duration.ofDays(1));
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
        public KubernetesBackendSource build() {
            return new KubernetesBackendSource(this);
        }

        private static String dns1123Label(String field, String value) {
            Objects.requireNonNull(value, field);
            if (value.isBlank()) {
                throw new IllegalArgumentException(field + " must not be blank, got '" + Checks.printable(value)
                        + "'");
            }
            if (value.length() > 63 || !DNS_1123_LABEL.matcher(value).matches()) {
                throw new IllegalArgumentException(field + " must be a DNS-1123 label (at most 63 characters:"
                        + " lower-case letters, digits and '-', starting and ending with a letter or digit), got '"
                        + Checks.printable(value) + "'");
            }
            return value;
        }

        /** Kubernetes' port name rule (IANA_SVC_NAME), as the API server validates Service ports. */
        private static String portName(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("port must not be blank, got '" + Checks.printable(value)
                        + "'");
            }
            boolean letter = false;
            boolean ok = value.length() <= 15 && !value.startsWith("-") && !value.endsWith("-")
                    && !value.contains("--");
            for (int i = 0; ok && i < value.length(); i++) {
                char c = value.charAt(i);
                letter |= c >= 'a' && c <= 'z';
                ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-';
            }
            if (!ok || !letter) {
                throw new IllegalArgumentException("port must be a Kubernetes port name (1 to 15 characters:"
                        + " lower-case letters, digits and '-', at least one letter, no '-' at either end or twice in"
                        + " a row), got '" + Checks.printable(value) + "'");
            }
            return value;
        }
    }
}
