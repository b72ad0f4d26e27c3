package io.github.lb4j.spring.boot;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools of {@code lb4j.pools.*} and their routes, built and checked when the application context starts, and
 * closed with it. Each pool is also a {@link LoadBalancer} bean of its own, qualified with its name:
 *
 * <pre>{@code
 * @Bean
 * Reporter reporter(@Qualifier("orders") LoadBalancer orders) {   // lb4j.pools.orders
 *     return new Reporter(orders);
 * }
 * }</pre>
 *
 * <p>Thread-safety: immutable after construction; safe to share.
 */
public final class Lb4jPools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Lb4jPools.class);

    private final Map<String, LoadBalancer> pools;
    private final List<Route> routes;
    private final Map<String, Integer> minAvailable;

    Lb4jPools(Lb4jProperties properties, PoolAssembler assembler) {
        Map<String, LoadBalancer> built = new LinkedHashMap<>();
        List<Route> r = new ArrayList<>();
        Map<String, Integer> min = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, PoolProperties> e : properties.getPools().entrySet()) {
                LoadBalancer pool = assembler.pool(e.getKey(), e.getValue());
                built.put(e.getKey(), pool);
                r.add(assembler.route(e.getKey(), e.getValue(), pool));
                min.put(e.getKey(), e.getValue().getMinAvailableBackends());
            }
        } catch (RuntimeException e) {
            built.values().forEach(LoadBalancer::close); // those that did start: their sources and checks stop
            throw e;
        }
        this.pools = Collections.unmodifiableMap(built);
        this.routes = List.copyOf(r);
        this.minAvailable = Collections.unmodifiableMap(min);
        if (!pools.isEmpty()) {
            log.info("lb4j pools configured: {}", pools.keySet());
        }
    }

    /** @return the pools by name, in configuration order */
    public Map<String, LoadBalancer> pools() {
        return pools;
    }

    /**
     * @param name the pool's name, as in {@code lb4j.pools.<name>}
     * @return the pool
     * @throws NoSuchElementException if no pool has that name
     */
    public LoadBalancer pool(String name) {
        LoadBalancer pool = pools.get(name);
        if (pool == null) {
            throw new NoSuchElementException("no lb4j pool named '" + name + "'; configured: " + pools.keySet());
        }
        return pool;
    }

    /** @return one route per pool, as {@code lb4j.pools.<name>.route} configures it */
    public List<Route> routes() {
        return routes;
    }

    int minAvailableBackends(String name) {
        return minAvailable.get(name);
    }

    /** Closes every pool: discovery and health checks stop; calls in flight complete. */
    @Override
    public void close() {
        pools.values().forEach(LoadBalancer::close);
    }

    @Override
    public String toString() {
        return "Lb4jPools" + pools.keySet();
    }
}
