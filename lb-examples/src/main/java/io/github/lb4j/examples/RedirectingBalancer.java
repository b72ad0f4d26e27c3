package io.github.lb4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Method 2, the redirecting balancer: an HTTP server that answers every request with {@code 307 Temporary Redirect}
 * and the URL of a backend that lb-core chose. The client then sends the request again, to that backend.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.RedirectingBalancer
 * </pre>
 *
 * <ul>
 *   <li>Address bar: it changes to the backend's URL, and bookmarks and shared links point at that one backend.
 *   <li>Client: must follow redirects (browsers, curl -L and OkHttp do; many API clients do not by default), and the
 *       backends must be reachable by the client directly.
 *   <li>307 (unlike 301/302) keeps the method and the body, so a POST is re-sent as a POST; the body is still sent
 *       twice, once to the redirector and once to the backend.
 *   <li>The balancer sees no outcome and no latency: the request it balanced goes elsewhere. It uses
 *       {@link LoadBalancer#pick()}, which chooses as {@code select()} does but counts nothing.
 * </ul>
 *
 * <p>Thread-safety: safe for concurrent requests.
 */
public final class RedirectingBalancer implements AutoCloseable {

    static final int DEFAULT_PORT = 9080;

    private final HttpServer server;
    private final ExecutorService executor;
    private final LoadBalancer pool;

    private RedirectingBalancer(HttpServer server, ExecutorService executor, LoadBalancer pool) {
        this.server = server;
        this.executor = executor;
        this.pool = pool;
    }

    /**
     * @param address where to listen; loopback unless the caller means to expose it
     * @param pool the backends to redirect to
     */
    static RedirectingBalancer start(InetSocketAddress address, LoadBalancer pool) throws IOException {
        Objects.requireNonNull(pool, "pool");
        HttpServer server = HttpServer.create(address, 128);
        ExecutorService executor = Executors.newFixedThreadPool(4);
        RedirectingBalancer balancer = new RedirectingBalancer(server, executor, pool);
        server.createContext("/", balancer::handle);
        server.setExecutor(executor);
        server.start();
        return balancer;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://" + ExampleArgs.urlHost(server.getAddress().getAddress()) + ":" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes(); // not needed: the client will send it again to the backend
            Backend b;
            try {
                // No outcome to report: the request itself goes to the backend, out of the balancer's sight.
                // pick() chooses as select() does but counts nothing and leaves nothing to close.
                b = pool.pick();
            } catch (NoBackendAvailableException e) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            {
                String query = exchange.getRequestURI().getRawQuery();
                String location = "http://" + (b.host().indexOf(':') >= 0 ? "[" + b.host() + "]" : b.host()) + ":"
                        + b.port() + exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
                exchange.getResponseHeaders().set("Location", location);
                // A 307 is not cached by default; say so anyway, so no proxy pins a client to one backend.
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(307, -1);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, DEFAULT_PORT, "usage: RedirectingBalancer [--port 9080] [--bind "
                + "127.0.0.1] [--serve]");
        List<HttpBackend> backends = new ArrayList<>();
        List<Backend> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            HttpBackend b = HttpBackend.start("b" + i, InetAddress.getLoopbackAddress(), java.time.Duration.ZERO);
            backends.add(b);
            members.add(b.backend());
        }
        LoadBalancer pool = LoadBalancer.builder("redirect").backends(members).strategy(Strategy.roundRobin())
                .build();
        RedirectingBalancer balancer = start(new InetSocketAddress(a.bind, a.port), pool);
        System.out.println("Redirecting balancer on " + balancer.url() + ", backends "
                + backends.stream().map(HttpBackend::baseUrl).toList());
        System.out.println();

        OkHttpClient client = new OkHttpClient(); // follows redirects, as browsers do
        for (int i = 1; i <= 3; i++) {
            String url = balancer.url() + "/hello?n=" + i;
            try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
                Response redirect = r.priorResponse();
                System.out.println("GET " + url + "  ->  " + (redirect == null ? "no redirect?" : redirect.code()
                        + " Location: " + redirect.header("Location")) + "  ->  " + r.code() + " \""
                        + r.body().string().trim() + "\"");
                System.out.println("    the client (and a browser's address bar) is now at " + r.request().url());
            }
        }
        System.out.println();
        System.out.println("Address bar: changes to the backend's URL (what the client ended at above).");
        System.out.println("Client must: follow redirects (browsers, curl -L, OkHttp do) and reach each backend.");
        System.out.println("Cost: two round trips per request; the balancer never learns how the backend did.");
        client.connectionPool().evictAll();
        AutoCloseable all = () -> {
            balancer.close();
            pool.close();
            backends.forEach(HttpBackend::close);
        };
        if (a.serve) {
            System.out.println();
            System.out.println("Open " + balancer.url() + "/hello in a browser and watch the address bar; or curl -v "
                    + balancer.url() + "/hello . Ctrl-C stops.");
            ExampleArgs.serveUntilStopped(all);
        } else {
            all.close();
        }
    }
}
