package io.github.lb4j.dns;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Ticker;
import io.github.lb4j.core.internal.Backoff;
import io.github.lb4j.core.internal.Checks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Address;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/**
 * A {@link BackendSource} that follows a DNS name: the addresses of a host name (A/AAAA records) on one port, or the
 * targets of a service name (SRV records, as served by Consul and by Kubernetes headless services), re-resolved when
 * the records' TTL runs out, so instances that come and go are picked up without a restart.
 *
 * <pre>{@code
 * DnsBackendSource dns = DnsBackendSource.srv("_http._tcp.orders.service.consul")
 *         .resolver("127.0.0.1", 8600)             // default: the system's resolvers
 *         .build();
 * LoadBalancer orders = LoadBalancer.builder("orders").source(dns).build();
 * dns.refresh().get(5, TimeUnit.SECONDS);          // optional: wait for the first set
 *
 * // or every address of a name, on one port:
 * DnsBackendSource web = DnsBackendSource.addresses("web.internal", 8080)
 *         .addressFamily(DnsBackendSource.AddressFamily.BOTH)
 *         .build();
 * }</pre>
 *
 * <p>What becomes a backend:
 * <ul>
 *   <li>A/AAAA: each address of the name, on the configured port, weight 1; id {@code address:port}.</li>
 *   <li>SRV: each address of each record's target, on the record's port. The record's weight becomes the backend's
 *       weight (weight 0 becomes 1, the smallest share). Records with the lowest priority value are the primary tier;
 *       all others become {@linkplain Backend#asBackup() backups}. The target name is kept in the
 *       {@value #METADATA_TARGET} metadata entry (for TLS server names and Host headers).</li>
 * </ul>
 * Names are fully qualified: no search domains are appended.
 *
 * <p>When: the first lookup starts as the pool starts the source. The next one is due when the smallest TTL of the
 * records used runs out, clamped to [{@link Builder#minTtl minTtl}, {@link Builder#maxTtl maxTtl}], plus up to
 * {@link Builder#jitter jitter} of it at random so that many clients do not query in step. {@link #refresh()}
 * resolves at once. At most one lookup runs at a time.
 *
 * <p>Failures: no answer within the timeout, SERVFAIL/REFUSED, NXDOMAIN, no records, or only unusable ones
 * (SRV target ".", port 0, a malformed target, an address 0.0.0.0 or multicast) are failed discovery: the pool keeps
 * its last good set, the pool logs a WARN line naming the name, the reason and the retry delay, and the lookup is
 * retried with exponential backoff ({@link Builder#retryBackoff}). A TTL above 2<sup>31</sup>-1 counts as 0 (RFC
 * 2181) and then as {@code minTtl}. Nothing here ever throws into {@link LoadBalancer#select}.
 *
 * <p>Timers and answers run on lb4j's one daemon scheduler thread, shared by all DNS sources and pools (queries are
 * asynchronous, so it never waits on the network), held from {@link Builder#build()} until {@link #close()} and
 * ended when its last user closes; or on the {@link Builder#scheduler scheduler} given.
 *
 * <p>Thread-safety: safe to use from any thread. A source feeds one pool.
 */
public final class DnsBackendSource implements BackendSource {

    private static final Logger log = LoggerFactory.getLogger(DnsBackendSource.class);

    /** The metadata key under which an SRV-derived backend carries its target host name (without trailing dot). */
    public static final String METADATA_TARGET = "dns.target";

    /** Default {@link Builder#minTtl}: TTL 0 (Consul's default) would otherwise mean a lookup loop. */
    public static final Duration DEFAULT_MIN_TTL = Duration.ofSeconds(1);
    /** Default {@link Builder#maxTtl}: a day-long TTL should not hide a change for a day. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofMinutes(5);
    /** Default {@link Builder#jitter}: spreads the lookups of many clients over a tenth of the TTL. */
    public static final double DEFAULT_JITTER = 0.1;
    /** Default {@link Builder#queryTimeout}: the common resolver timeout (glibc's is 5 s). */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    /** Default first delay of {@link Builder#retryBackoff}. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** Default largest delay of {@link Builder#retryBackoff}. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    /** RFC 8767 suggests capping TTLs at 7 days; a longer bound only risks overflow in nanosecond arithmetic. */
    private static final Duration LIMIT = Duration.ofDays(7);

    /** Which address records to ask for. */
    public enum AddressFamily {
        /** A records only (the default). */
        IPV4("A"),
        /** AAAA records only. */
        IPV6("AAAA"),
        /** A and AAAA records: every address of the name becomes a backend. */
        BOTH("A/AAAA");

        private final String label;

        AddressFamily(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    private final Name name;
    private final boolean srv;
    private final int port;
    private final String description;
    private final boolean allowEmpty;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final TaskScheduler scheduler;
    private final Resolution resolution;
    private final long minTtlNanos;
    private final long maxTtlNanos;
    private final double jitter;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;

    private final Object lock = new Object();
    private Sink sink;
    private boolean closed;
    /** The lookup under way, or null. */
    private CompletableFuture<List<Backend>> running;
    /** A {@link #refresh()} asked for while {@link #running}: starts when it ends. */
    private CompletableFuture<List<Backend>> queued;
    private TaskScheduler.Cancellable timer;
    /** Ticker time at which the next timed lookup is due. */
    private long dueAt;
    private int consecutiveFailures;
    private String lastNotes = "";

    private DnsBackendSource(Builder b) {
        this.name = b.name;
        this.srv = b.srv;
        this.port = b.port;
        this.allowEmpty = b.allowEmpty;
        this.ticker = b.ticker;
        this.random = b.random;
        this.minTtlNanos = b.minTtl.toNanos();
        this.maxTtlNanos = b.maxTtl.toNanos();
        this.jitter = b.jitter;
        this.initialBackoffNanos = b.initialBackoff.toNanos();
        this.maxBackoffNanos = b.maxBackoff.toNanos();
        Resolver resolver;
        String server;
        if (b.resolver != null) {
            resolver = b.resolver;
            server = b.resolverDescription;
        } else if (b.resolverAddress != null) {
            resolver = new SimpleResolver(b.resolverAddress);
            resolver.setTimeout(b.queryTimeout);
            server = b.resolverAddress.getHostString() + ":" + b.resolverAddress.getPort();
        } else {
            ExtendedResolver system = new ExtendedResolver();
            for (Resolver r : system.getResolvers()) {
                r.setTimeout(b.queryTimeout);
            }
            system.setTimeout(b.queryTimeout);
            resolver = system;
            server = "the system resolvers " + ResolverConfig.getCurrentConfig().servers();
        }
        // Last, so that nothing above can fail with the shared scheduler leased; released by close().
        this.scheduler = b.scheduler != null ? b.scheduler : TaskScheduler.shared();
        this.resolution = new Resolution(resolver, scheduler.executor(), server, b.queryTimeout, b.family);
        this.description = srv ? "DNS SRV " + name + " via " + server
                : "DNS " + b.family.label() + " " + name + " port " + port + " via " + server;
    }

    /**
     * A source of every address of a host name, each on {@code port}.
     *
     * @param hostName a fully qualified host name, such as {@code "web.internal"}
     * @param port 1 to 65535
     * @return a builder
     * @throws IllegalArgumentException if the name is not a valid DNS name or the port is out of range
     */
    public static Builder addresses(String hostName, int port) {
        Checks.port("port", port);
        return new Builder(parse("hostName", hostName), false, port);
    }

    /**
     * A source of the targets of an SRV name.
     *
     * @param serviceName a fully qualified SRV name, such as {@code "_http._tcp.orders.example"}
     * @return a builder
     * @throws IllegalArgumentException if the name is not a valid DNS name
     */
    public static Builder srv(String serviceName) {
        return new Builder(parse("serviceName", serviceName), true, 0);
    }

    private static Name parse(String field, String text) {
        Objects.requireNonNull(text, field);
        String shown = Checks.printable(text);
        if (text.isBlank() || text.equals(".")) {
            throw new IllegalArgumentException(field + " must be a DNS name, got '" + shown + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '\\' || c > 0x7e) {
                throw new IllegalArgumentException(field + " must be a DNS name (ASCII letters, digits, '-', '_'"
                        + " and dots), got '" + shown + "'");
            }
        }
        Name name;
        try {
            name = Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(field + " must be a DNS name, got '" + shown + "': "
                    + e.getMessage(), e);
        }
        if (!Resolution.isHostName(name)) {
            throw new IllegalArgumentException(field + " must be a DNS name (ASCII letters, digits, '-', '_' and"
                    + " dots), got '" + shown + "'");
        }
        return name;
    }

    @Override
    public void start(Sink sink) {
        Objects.requireNonNull(sink, "sink");
        CompletableFuture<List<Backend>> first;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(description + " is closed");
            }
            if (this.sink != null) {
                throw new IllegalStateException(description + " already feeds pool '" + this.sink.poolName()
                        + "'; a DNS source feeds one pool");
            }
            this.sink = sink;
            first = running = new CompletableFuture<>();
        }
        launch(first);
    }

    /**
     * Resolves now instead of waiting for the TTL. If a lookup is under way, another one starts when it ends (so the
     * answer reflects DNS as it is after this call), and concurrent calls share it.
     *
     * @return completes after the pool was handed the set found, with that set; or exceptionally with a
     *         {@link DnsDiscoveryException} (the pool kept its set) or an {@link IllegalStateException} if the source
     *         was closed meanwhile
     * @throws IllegalStateException if no pool has started this source, or it is closed
     */
    public CompletableFuture<List<Backend>> refresh() {
        CompletableFuture<List<Backend>> f;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(description + " is closed");
            }
            if (sink == null) {
                throw new IllegalStateException(description + " is not started: pass it to "
                        + "LoadBalancer.Builder.source and build the pool first");
            }
            if (running != null) {
                if (queued == null) {
                    queued = new CompletableFuture<>();
                }
                return queued.copy();
            }
            f = running = new CompletableFuture<>();
            cancelTimer();
        }
        launch(f);
        return f.copy();
    }

    /** Runs one lookup for {@code f}, which this thread has just made {@link #running}. Never holds the lock. */
    private void launch(CompletableFuture<List<Backend>> f) {
        long started = ticker.read();
        CompletableFuture<Resolution.Result> lookup;
        try {
            lookup = srv ? resolution.srv(name) : resolution.addresses(name, port);
        } catch (RuntimeException e) {
            lookup = CompletableFuture.failedFuture(e);
        }
        lookup.whenComplete((result, error) -> finish(f, started, result, error));
    }

    private void finish(CompletableFuture<List<Backend>> f, long started, Resolution.Result result,
                        Throwable error) {
        Sink target;
        synchronized (lock) {
            target = closed ? null : sink;
        }
        RuntimeException failure = null;
        List<Backend> found = null;
        long delay;
        if (error == null && (!result.backends.isEmpty() || allowEmpty)) {
            logNotes(result.notes);
            found = result.backends;
            if (target != null) {
                target.update(found);
            }
            long ttlNanos = result.ttlSeconds < 0 ? minTtlNanos : result.ttlSeconds * 1_000_000_000L;
            delay = withJitter(Math.max(minTtlNanos, Math.min(maxTtlNanos, ttlNanos)));
            log.debug("{}: {} backend(s), TTL {} s, lookup took {} ms, next in {} ms", description, found.size(),
                    result.ttlSeconds, (ticker.read() - started) / 1_000_000, delay / 1_000_000);
        } else {
            String reason;
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                failure = cause instanceof DnsDiscoveryException ? (DnsDiscoveryException) cause
                        : new DnsDiscoveryException(description + ": " + cause, cause);
                reason = cause instanceof DnsDiscoveryException ? cause.getMessage() : cause.toString();
            } else {
                logNotes(List.of()); // the reason below lists the skipped records
                reason = result.emptyReason;
                failure = new DnsDiscoveryException(description + ": " + reason);
            }
            int failures;
            synchronized (lock) {
                failures = ++consecutiveFailures;
            }
            delay = withJitter(backoff(failures));
            if (target != null) {
                target.failed(description + ": " + reason + " (failure " + failures + "; retrying in "
                        + delay / 1_000_000 + " ms)", failure.getCause());
            }
        }
        CompletableFuture<List<Backend>> next = null;
        synchronized (lock) {
            running = null;
            if (found != null) {
                consecutiveFailures = 0;
            }
            if (closed) {
                failure = new IllegalStateException(description + " was closed");
                found = null;
            } else if (queued != null) {
                next = running = queued;
                queued = null;
            } else {
                dueAt = ticker.read() + delay;
                timer = scheduler.schedule(this::onTimer, delay);
            }
        }
        if (next != null) {
            launch(next);
        }
        if (failure != null) {
            f.completeExceptionally(failure);
        } else {
            f.complete(found);
        }
    }

    /** The timer fired: look up if due by the ticker, else wait for the rest. */
    private void onTimer() {
        CompletableFuture<List<Backend>> f;
        synchronized (lock) {
            if (closed || running != null) {
                return;
            }
            long remaining = dueAt - ticker.read();
            if (remaining > 0) {
                timer = scheduler.schedule(this::onTimer, remaining);
                return;
            }
            timer = null;
            f = running = new CompletableFuture<>();
        }
        launch(f);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** The wait after {@code failures} failed lookups in a row, before jitter: initial, doubling, capped. */
    private long backoff(int failures) {
        return Backoff.capNanos(initialBackoffNanos, maxBackoffNanos, failures);
    }

    /** Adds up to {@link #jitter} of {@code nanos}: lookups happen no earlier than the TTL says. */
    private long withJitter(long nanos) {
        return nanos + (long) (nanos * jitter * random.nextDouble());
    }

    /** Skipped records are reported at WARN when they change, then at DEBUG, so a bad record does not flood logs. */
    private void logNotes(List<String> notes) {
        String joined = String.join("; ", notes);
        boolean changed;
        synchronized (lock) {
            changed = !joined.equals(lastNotes);
            lastNotes = joined;
        }
        if (notes.isEmpty()) {
            return;
        }
        if (changed) {
            log.warn("{}: {}", description, joined);
        } else {
            log.debug("{}: {}", description, joined);
        }
    }

    @Override
    public boolean allowsEmpty() {
        return allowEmpty;
    }

    /** Stops the timer; a lookup under way finishes but its answer is dropped. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<List<Backend>> pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimer();
            pending = queued;
            queued = null;
        }
        scheduler.release(); // the shared thread ends with its last user
        if (pending != null) {
            pending.completeExceptionally(new IllegalStateException(description + " was closed"));
        }
        log.debug("{}: closed", description);
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Configures a {@link DnsBackendSource}. Every setter validates at once and names the bad value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final Name name;
        private final boolean srv;
        private final int port;
        private AddressFamily family = AddressFamily.IPV4;
        private InetSocketAddress resolverAddress;
        private Resolver resolver;
        private String resolverDescription;
        private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
        private Duration minTtl = DEFAULT_MIN_TTL;
        private Duration maxTtl = DEFAULT_MAX_TTL;
        private double jitter = DEFAULT_JITTER;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private boolean allowEmpty;
        private Ticker ticker = Ticker.system();
        private RandomGenerator random = ThreadLocalRandom.current();
        private TaskScheduler scheduler;

        private Builder(Name name, boolean srv, int port) {
            this.name = name;
            this.srv = srv;
            this.port = port;
        }

        /**
         * @param family which address records to use, for the name (A/AAAA) or the SRV targets; default IPv4
         * @return this builder
         */
        public Builder addressFamily(AddressFamily family) {
            this.family = Objects.requireNonNull(family, "family");
            return this;
        }

        /**
         * Sends queries to one DNS server (over UDP, TCP when an answer is truncated) instead of the system's
         * resolvers.
         *
         * @param host the server's IP address (a literal, so that finding the resolver needs no DNS)
         * @param port 1 to 65535, usually 53
         * @return this builder
         * @throws IllegalArgumentException if {@code host} is not an IP literal or {@code port} is out of range
         */
        public Builder resolver(String host, int port) {
            Objects.requireNonNull(host, "host");
            Checks.port("resolver port", port);
            String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            // Parsed here, never looked up: finding the DNS server must not need DNS.
            byte[] bytes = Address.toByteArray(literal, Address.IPv4);
            if (bytes == null) {
                bytes = Address.toByteArray(literal, Address.IPv6);
            }
            if (bytes == null) {
                throw new IllegalArgumentException("resolver host must be an IP address, got '"
                        + Checks.printable(host) + "'");
            }
            InetSocketAddress address;
            try {
                address = new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("resolver host must be an IP address, got '" + host + "'", e);
            }
            return resolver(address);
        }

        /**
         * @param address the DNS server to query; see {@link #resolver(String, int)}
         * @return this builder
         * @throws IllegalArgumentException if the address is unresolved or its port is 0
         */
        public Builder resolver(InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("resolver address must be resolved, got " + address);
            }
            if (address.getPort() == 0) {
                // InetSocketAddress allows port 0 ("any"), which no DNS server listens on.
                throw new IllegalArgumentException("resolver port must be between 1 and " + Checks.MAX_PORT + ", got "
                        + address);
            }
            this.resolverAddress = address;
            this.resolver = null;
            return this;
        }

        /** Tests: a hand-made dnsjava resolver (fake answers, timeouts). */
        Builder resolver(Resolver resolver, String description) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            this.resolverDescription = description;
            return this;
        }

        /**
         * @param timeout how long to wait for one answer; 1 ms to 5 minutes; default 5 s
         * @return this builder
         */
        public Builder queryTimeout(Duration timeout) {
            this.queryTimeout = check("queryTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(5));
            return this;
        }

        /**
         * @param minTtl the shortest time between timed lookups, whatever the TTL says (TTL 0 included);
         *               1 ms to 7 days; default 1 s
         * @return this builder
         */
        public Builder minTtl(Duration minTtl) {
            this.minTtl = check("minTtl", minTtl, Duration.ofMillis(1), LIMIT);
            return this;
        }

        /**
         * @param maxTtl the longest time between timed lookups, whatever the TTL says; 1 ms to 7 days;
         *               default 5 minutes; not below {@code minTtl} (checked by {@link #build()})
         * @return this builder
         */
        public Builder maxTtl(Duration maxTtl) {
            this.maxTtl = check("maxTtl", maxTtl, Duration.ofMillis(1), LIMIT);
            return this;
        }

        /**
         * @param jitter the largest random share of the (clamped) TTL added to each delay, 0 to 1; default 0.1
         * @return this builder
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * How long to wait before retrying after failed discovery: {@code initial}, doubling per consecutive
         * failure up to {@code max} (each with {@linkplain #jitter jitter}).
         *
         * @param initial 1 ms to 7 days; default 1 s
         * @param max {@code initial} to 7 days; default 30 s
         * @return this builder
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            Duration i = check("initial backoff", initial, Duration.ofMillis(1), LIMIT);
            Duration m = check("max backoff", max, Duration.ofMillis(1), LIMIT);
            if (m.compareTo(i) < 0) {
                throw new IllegalArgumentException("max backoff must not be below the initial backoff " + i
                        + ", got " + m);
            }
            this.initialBackoff = i;
            this.maxBackoff = m;
            return this;
        }

        /**
         * @param allowEmpty true if NXDOMAIN or no records should empty the pool; default false: such an answer is
         *                   failed discovery and the pool keeps its last good set
         * @return this builder
         */
        public Builder allowEmpty(boolean allowEmpty) {
            this.allowEmpty = allowEmpty;
            return this;
        }

        /**
         * @param ticker the clock for TTL and backoff arithmetic; default {@link Ticker#system()}
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param random the source of jitter, thread-safe; default {@link ThreadLocalRandom#current()}
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Runs this source's timers and answer callbacks on {@code scheduler} instead of lb4j's shared scheduler
         * thread. The work is short and never blocks; the caller owns and shuts down the scheduler.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = TaskScheduler.of(Objects.requireNonNull(scheduler, "scheduler"));
            return this;
        }

        /** Tests: a manual scheduler driven by a fake ticker. */
        Builder scheduler(TaskScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @return the source; pass it to {@link LoadBalancer.Builder#source}
         * @throws IllegalStateException if {@code maxTtl} is below {@code minTtl}
         */
        public DnsBackendSource build() {
            if (maxTtl.compareTo(minTtl) < 0) {
                throw new IllegalStateException("maxTtl " + maxTtl + " must not be below minTtl " + minTtl);
            }
            return new DnsBackendSource(this);
        }

        private static Duration check(String field, Duration value, Duration min, Duration max) {
            return Checks.between(field, value, min, max);
        }
    }
}
