package io.github.lb4j.spring.boot;

import java.time.Duration;

/**
 * One pool of {@link Lb4jProperties}: {@code lb4j.pools.<name>.*}. Unset values take lb4j's own defaults (those of
 * {@code LoadBalancer.Builder}, {@code OutlierDetection} and {@code Route}).
 *
 * <p>Thread-safety: a mutable bean filled by Spring's binder at start-up.
 */
public class PoolProperties {

    /**
     * Static backends, comma separated: {@code host:port} with optional {@code ;weight=N}, {@code ;zone=Z},
     * {@code ;id=X} and {@code ;backup}, such as {@code 10.0.0.1:8080, 10.0.0.2:8080;weight=3}; IPv6 as
     * {@code [::1]:8080}. With discovery, they serve until the first discovered set arrives.
     */
    private String backends;

    /**
     * The strategy: round-robin, random, least-requests, peak-ewma, ring-hash, maglev or rendezvous. The hash
     * strategies need route.hash-key-header.
     */
    private String strategy = "round-robin";

    /**
     * How long a new or recovered backend takes to ramp up to its full share of traffic; 0s turns slow start off.
     * Default 30s.
     */
    private Duration slowStart;

    /**
     * The fewest backends that must be available (healthy, not ejected) for the pool's health indicator to report
     * UP.
     */
    private int minAvailableBackends = 1;

    /**
     * This client's zone: backends whose zone option matches get the traffic while they are healthy enough
     * (zone-aware routing). Unset: zones are ignored.
     */
    private String localZone;

    /** Passive outlier detection: ejecting backends whose calls fail. */
    private final OutlierDetection outlierDetection = new OutlierDetection();

    /** Active health checks: an HTTP GET of a path on every backend. Off unless a path is set. */
    private final HealthCheck healthCheck = new HealthCheck();

    /** The HTTP call policy of requests for this pool's host: retries, timeouts, hedging. */
    private final RouteProperties route = new RouteProperties();

    /** Where the membership comes from: DNS, ZooKeeper, etcd or Kubernetes (one of them at most). */
    private final DiscoveryProperties discovery = new DiscoveryProperties();

    /** @return the static backends, as written */
    public String getBackends() {
        return backends;
    }

    /** @param backends the static backends */
    public void setBackends(String backends) {
        this.backends = backends;
    }

    /** @return the strategy's name */
    public String getStrategy() {
        return strategy;
    }

    /** @param strategy the strategy's name */
    public void setStrategy(String strategy) {
        this.strategy = strategy;
    }

    /** @return the slow-start window, or null for lb4j's default */
    public Duration getSlowStart() {
        return slowStart;
    }

    /** @param slowStart the slow-start window */
    public void setSlowStart(Duration slowStart) {
        this.slowStart = slowStart;
    }

    /** @return the fewest available backends of a healthy pool */
    public int getMinAvailableBackends() {
        return minAvailableBackends;
    }

    /** @param minAvailableBackends the fewest available backends of a healthy pool */
    public void setMinAvailableBackends(int minAvailableBackends) {
        this.minAvailableBackends = minAvailableBackends;
    }

    /** @return this client's zone, or null */
    public String getLocalZone() {
        return localZone;
    }

    /** @param localZone this client's zone */
    public void setLocalZone(String localZone) {
        this.localZone = localZone;
    }

    /** @return outlier detection */
    public OutlierDetection getOutlierDetection() {
        return outlierDetection;
    }

    /** @return active health checks */
    public HealthCheck getHealthCheck() {
        return healthCheck;
    }

    /** @return the route */
    public RouteProperties getRoute() {
        return route;
    }

    /** @return discovery */
    public DiscoveryProperties getDiscovery() {
        return discovery;
    }

    /** {@code lb4j.pools.<name>.outlier-detection.*}. */
    public static class OutlierDetection {

        /** Whether passive outlier detection ejects failing backends. */
        private boolean enabled = true;

        /** Failures in a row that eject a backend. Default 5. */
        private Integer consecutiveFailures;

        /** How long the first ejection lasts; later ones last longer. Default 30s. */
        private Duration baseEjectionTime;

        /** The largest share of the pool, in percent, that may be ejected at once. Default 50. */
        private Integer maxEjectionPercent;

        /** @return whether ejection is on */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether ejection is on */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return failures in a row that eject, or null for the default */
        public Integer getConsecutiveFailures() {
            return consecutiveFailures;
        }

        /** @param consecutiveFailures failures in a row that eject */
        public void setConsecutiveFailures(Integer consecutiveFailures) {
            this.consecutiveFailures = consecutiveFailures;
        }

        /** @return the first ejection's length, or null for the default */
        public Duration getBaseEjectionTime() {
            return baseEjectionTime;
        }

        /** @param baseEjectionTime the first ejection's length */
        public void setBaseEjectionTime(Duration baseEjectionTime) {
            this.baseEjectionTime = baseEjectionTime;
        }

        /** @return the largest ejected share in percent, or null for the default */
        public Integer getMaxEjectionPercent() {
            return maxEjectionPercent;
        }

        /** @param maxEjectionPercent the largest ejected share in percent */
        public void setMaxEjectionPercent(Integer maxEjectionPercent) {
            this.maxEjectionPercent = maxEjectionPercent;
        }
    }

    /** {@code lb4j.pools.<name>.health-check.*}. */
    public static class HealthCheck {

        /** The path to GET on every backend, such as /healthz; a 2xx answer is healthy. Unset: no active checks. */
        private String path;

        /** Time between checks of one backend. Default 10s. */
        private Duration interval;

        /** Longest wait for one check. Default 2s. */
        private Duration timeout;

        /** @return the path, or null for no checks */
        public String getPath() {
            return path;
        }

        /** @param path the path */
        public void setPath(String path) {
            this.path = path;
        }

        /** @return the interval, or null for the default */
        public Duration getInterval() {
            return interval;
        }

        /** @param interval the interval */
        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        /** @return the timeout, or null for the default */
        public Duration getTimeout() {
            return timeout;
        }

        /** @param timeout the timeout */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
