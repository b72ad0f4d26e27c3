package io.github.lb4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.micrometer.LoadBalancerMetrics;
import io.github.lb4j.micrometer.RouteMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The demo's metrics: a Prometheus registry that each run's pool is bound to with {@link LoadBalancerMetrics}, served
 * in Prometheus's text format at {@code http://127.0.0.1:PORT/metrics} (an ephemeral port on the loopback interface
 * only) while the demo runs. Point {@code curl} or a local Prometheus at the URL the demo prints.
 *
 * <pre>{@code
 * try (MetricsEndpoint metrics = MetricsEndpoint.start()) {
 *     metrics.bind(pool, "peakEwma");
 *     System.out.println("metrics: " + metrics.url());
 * }
 * }</pre>
 *
 * <p>Thread-safety: safe from any thread; scrapes are served on one thread of their own.
 */
final class MetricsEndpoint implements AutoCloseable {

    /** The content type of Prometheus's text exposition format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving on 127.0.0.1 and an ephemeral port. */
    static MetricsEndpoint start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "demo-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor);
        server.createContext("/metrics", endpoint::scrape);
        server.start();
        return endpoint;
    }

    /**
     * Binds a run's pool: its meters carry the tag {@code run} (the strategy), so the runs of {@code --compare},
     * whose pools share the name {@code demo}, keep series of their own.
     */
    void bind(LoadBalancer pool, String run) {
        new LoadBalancerMetrics(pool, Tags.of("run", run)).bindTo(registry);
    }

    /**
     * @param run the run's name, the {@code run} tag of the route's meters
     * @return a listener for the run's route, publishing lb-micrometer's route meters to this registry
     */
    RouteMetrics routeListener(String run) {
        RouteMetrics route = new RouteMetrics(Tags.of("run", run));
        route.bindTo(registry);
        return route;
    }

    /** @return where the metrics are served */
    String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/metrics";
    }

    /** @return the registry the pools are bound to */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        registry.close();
    }
}
