package io.github.lb4j.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The configuration of lb4j's Spring Boot starter, under the prefix {@code lb4j}: one entry of {@link #getPools()
 * pools} per logical host that requests name ({@code http://orders/...}).
 *
 * <pre>{@code
 * lb4j:
 *   pools:
 *     orders:
 *       backends: 10.0.0.1:8080, 10.0.0.2:8080;weight=3
 *       strategy: peak-ewma
 *       outlier-detection: { consecutive-failures: 5, base-ejection-time: 30s }
 *       slow-start: 30s
 *       health-check: { path: /healthz, interval: 5s }
 *       route: { max-attempts: 2, per-try-timeout: 200ms, hedging: p95 }
 *     users:
 *       discovery: { dns: { srv: _http._tcp.users.svc.cluster.local } }
 * }</pre>
 *
 * <p>Every value is checked when the application starts; a bad one (an unknown strategy, a malformed backend, a
 * negative duration) fails the start with a {@link Lb4jPropertyException} naming the property and the value.
 *
 * <p>Thread-safety: a mutable bean filled by Spring's binder at start-up; read it, do not change it afterwards.
 */
@ConfigurationProperties(prefix = Lb4jProperties.PREFIX)
public class Lb4jProperties {

    /** The prefix of every property of the starter. */
    public static final String PREFIX = "lb4j";

    /**
     * The pools, by name. The name is the logical host requests use ({@code http://orders/...}), so it must be a
     * valid host name; each pool is a {@code LoadBalancer} bean qualified with its name.
     */
    private Map<String, PoolProperties> pools = new LinkedHashMap<>();

    /** Whether lb4j adds its interceptor and filter to every RestClient.Builder, RestTemplateBuilder and WebClient.Builder bean. */
    private final ClientCustomization clientCustomization = new ClientCustomization();

    /** @return the pools, by name */
    public Map<String, PoolProperties> getPools() {
        return pools;
    }

    /** @param pools the pools, by name */
    public void setPools(Map<String, PoolProperties> pools) {
        this.pools = pools;
    }

    /** @return the client customization switch */
    public ClientCustomization getClientCustomization() {
        return clientCustomization;
    }

    /** The switch of the RestClient, RestTemplate and WebClient customizers. */
    public static class ClientCustomization {

        /**
         * Whether every auto-configured RestClient.Builder, RestTemplateBuilder and WebClient.Builder gets lb4j's
         * interceptor or filter for the configured pools. The interceptor and filter beans exist either way.
         */
        private boolean enabled = true;

        /** @return whether builders are customized */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether builders are customized */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
