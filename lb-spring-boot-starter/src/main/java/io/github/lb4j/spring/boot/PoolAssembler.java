package io.github.lb4j.spring.boot;

import io.github.lb4j.core.ActiveHealthCheck;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import io.github.lb4j.core.HashStrategy;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Hedging;
import io.github.lb4j.http.Route;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.boot.convert.DurationStyle;

/**
 * Builds each configured pool and its route from {@link PoolProperties}, turning every value lb4j refuses into a
 * {@link Lb4jPropertyException} that names the property. Nothing falls back to a default when a value is bad.
 */
final class PoolAssembler {

    /** The strategies by their property name, in the order the error message lists them. */
    private static final Map<String, Supplier<Strategy>> STRATEGIES = new LinkedHashMap<>();

    static {
        STRATEGIES.put("round-robin", Strategy::roundRobin);
        STRATEGIES.put("random", Strategy::random);
        STRATEGIES.put("least-requests", Strategy::leastRequests);
        STRATEGIES.put("peak-ewma", Strategy::peakEwma);
        STRATEGIES.put("ring-hash", Strategy::ringHash);
        STRATEGIES.put("maglev", Strategy::maglev);
        STRATEGIES.put("rendezvous", Strategy::rendezvous);
    }

    private final Map<String, DiscoveryFactory> discovery = new LinkedHashMap<>();
    private HttpClient healthCheckClient;

    PoolAssembler(List<DiscoveryFactory> factories) {
        for (DiscoveryFactory f : factories) {
            discovery.put(f.kind(), f);
        }
    }

    static String prefix(String pool) {
        return Lb4jProperties.PREFIX + ".pools." + pool;
    }

    LoadBalancer pool(String name, PoolProperties p) {
        String prefix = prefix(name);
        LoadBalancer.Builder builder = guard(prefix, name, () -> LoadBalancer.builder(name));
        List<Backend> backends = BackendList.parse(prefix + ".backends", p.getBackends());
        guard(prefix + ".backends", p.getBackends(), () -> builder.backends(backends));
        Strategy strategy = strategy(prefix + ".strategy", p.getStrategy());
        builder.strategy(strategy);
        if (strategy instanceof HashStrategy && p.getRoute().getHashKeyHeader() == null) {
            throw new Lb4jPropertyException(prefix + ".route.hash-key-header", null, "must be set for strategy '"
                    + p.getStrategy() + "': a hash strategy needs a key");
        }
        if (p.getSlowStart() != null) {
            guard(prefix + ".slow-start", p.getSlowStart(), () -> builder.slowStart(p.getSlowStart()));
        }
        if (p.getMinAvailableBackends() < 0) {
            throw new Lb4jPropertyException(prefix + ".min-available-backends", p.getMinAvailableBackends(),
                    "must not be negative");
        }
        if (p.getLocalZone() != null) {
            guard(prefix + ".local-zone", p.getLocalZone(), () -> builder.localZone(p.getLocalZone()));
        }
        builder.outlierDetection(outlierDetection(prefix + ".outlier-detection", p.getOutlierDetection()));
        if (p.getHealthCheck().getPath() != null) {
            builder.healthCheck(healthCheck(prefix + ".health-check", p.getHealthCheck()));
        } else if (p.getHealthCheck().getInterval() != null || p.getHealthCheck().getTimeout() != null) {
            throw new Lb4jPropertyException(prefix + ".health-check.path", null, "must be set when the interval or"
                    + " timeout of health checks is: checks without a path would silently not run");
        }
        BackendSource source = source(prefix + ".discovery", name, p.getDiscovery());
        if (source != null) {
            builder.source(source);
        } else if (backends.isEmpty()) {
            throw new Lb4jPropertyException(prefix + ".backends", p.getBackends(), "is empty and no discovery is"
                    + " configured: the pool would have no backend");
        }
        return builder.build();
    }

    Route route(String name, PoolProperties p, LoadBalancer pool) {
        String prefix = prefix(name) + ".route";
        RouteProperties r = p.getRoute();
        Route.Builder route = guard(prefix(name), name, () -> Route.builder(name, pool));
        if (r.getMaxAttempts() != null) {
            guard(prefix + ".max-attempts", r.getMaxAttempts(), () -> route.maxAttempts(r.getMaxAttempts()));
        }
        if (r.getPerTryTimeout() != null) {
            guard(prefix + ".per-try-timeout", r.getPerTryTimeout(), () -> route.perTryTimeout(r.getPerTryTimeout()));
        }
        if (r.getHashKeyHeader() != null) {
            guard(prefix + ".hash-key-header", r.getHashKeyHeader(),
                    () -> route.hashKeyFromHeader(r.getHashKeyHeader()));
        }
        if (!r.getRetryOnStatus().isEmpty()) {
            int[] statuses = r.getRetryOnStatus().stream().mapToInt(Integer::intValue).toArray();
            guard(prefix + ".retry-on-status", r.getRetryOnStatus(), () -> route.retryOnStatus(statuses));
        }
        Hedging hedging = hedging(prefix + ".hedging", r.getHedging());
        if (hedging != null) {
            route.hedging(hedging);
        }
        return guard(prefix, name, route::build);
    }

    static Strategy strategy(String property, String name) {
        Supplier<Strategy> s = name == null ? null : STRATEGIES.get(name);
        if (s == null) {
            throw new Lb4jPropertyException(property, name, "is not a strategy; use one of "
                    + String.join(", ", STRATEGIES.keySet()));
        }
        return s.get();
    }

    static Hedging hedging(String property, String text) {
        if (text == null || text.equals("none")) {
            return null;
        }
        if (text.startsWith("p")) {
            double percentile;
            try {
                percentile = Double.parseDouble(text.substring(1));
            } catch (NumberFormatException e) {
                throw new Lb4jPropertyException(property, text, "is not a percentile such as p95", e);
            }
            return guard(property, text, () -> Hedging.atPercentile(percentile));
        }
        Duration delay;
        try {
            delay = DurationStyle.detectAndParse(text);
        } catch (IllegalArgumentException e) {
            throw new Lb4jPropertyException(property, text, "is neither a percentile such as p95 nor a delay such as"
                    + " 50ms, nor none", e);
        }
        return guard(property, text, () -> Hedging.after(delay));
    }

    private static OutlierDetection outlierDetection(String prefix, PoolProperties.OutlierDetection o) {
        if (!o.isEnabled()) {
            return OutlierDetection.disabled();
        }
        OutlierDetection.Builder b = OutlierDetection.builder();
        if (o.getConsecutiveFailures() != null) {
            guard(prefix + ".consecutive-failures", o.getConsecutiveFailures(),
                    () -> b.consecutiveFailures(o.getConsecutiveFailures()));
        }
        if (o.getBaseEjectionTime() != null) {
            guard(prefix + ".base-ejection-time", o.getBaseEjectionTime(),
                    () -> b.baseEjectionTime(o.getBaseEjectionTime()));
        }
        if (o.getMaxEjectionPercent() != null) {
            guard(prefix + ".max-ejection-percent", o.getMaxEjectionPercent(),
                    () -> b.maxEjectionPercent(o.getMaxEjectionPercent()));
        }
        return guard(prefix, null, b::build);
    }

    private ActiveHealthCheck healthCheck(String prefix, PoolProperties.HealthCheck h) {
        String path = HttpPathHealthChecker.checkPath(prefix + ".path", h.getPath());
        ActiveHealthCheck.Builder b = ActiveHealthCheck.builder(new HttpPathHealthChecker(healthCheckClient(), path));
        if (h.getInterval() != null) {
            guard(prefix + ".interval", h.getInterval(), () -> b.interval(h.getInterval()));
        }
        if (h.getTimeout() != null) {
            guard(prefix + ".timeout", h.getTimeout(), () -> b.timeout(h.getTimeout()));
        }
        return b.build();
    }

    /** One JDK client for the checks of every pool, made when the first pool with checks is built. */
    private synchronized HttpClient healthCheckClient() {
        if (healthCheckClient == null) {
            healthCheckClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(ActiveHealthCheck.DEFAULT_TIMEOUT).build();
        }
        return healthCheckClient;
    }

    private BackendSource source(String prefix, String pool, DiscoveryProperties d) {
        List<String> kinds = d.configuredKinds();
        if (kinds.isEmpty()) {
            return null;
        }
        if (kinds.size() > 1) {
            throw new Lb4jPropertyException(prefix, kinds, "configures more than one source; a pool takes one");
        }
        String kind = kinds.get(0);
        DiscoveryFactory factory = discovery.get(kind);
        if (factory == null) {
            throw new Lb4jPropertyException(prefix + "." + kind, null, "needs the module lb-" + kind
                    + " (io.github.lb4j:lb-" + kind + ") on the class path");
        }
        return factory.create(prefix + "." + kind, pool, d);
    }

    /** Runs one lb4j setter and names the property when it refuses the value. */
    static <T> T guard(String property, Object value, Supplier<T> setter) {
        try {
            return Objects.requireNonNull(setter.get());
        } catch (Lb4jPropertyException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new Lb4jPropertyException(property, value, e.getMessage(), e);
        }
    }
}
