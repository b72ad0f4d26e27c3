package io.github.lb4j.http.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.lb4j.core.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTP(S) backend on the JDK's built-in server, so that the suite needs no HTTP client library. Records
 * every request; answers {@code 200} with its name, or what {@link #responder} says, with {@link #headers}.
 */
public final class LoopbackServer implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY every response waits for the
        // client's delayed ACK (40 ms on Linux).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** What the server saw of one request. */
    public static final class Recorded {
        public final String method;
        public final String pathAndQuery;
        public final Map<String, List<String>> headers;
        public final String body;

        Recorded(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
            this.method = method;
            this.pathAndQuery = pathAndQuery;
            this.headers = headers;
            this.body = body;
        }

        /** @return the first value of a header (names as the JDK server normalizes them: {@code Authorization}) */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    public final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    public final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();
    public final AtomicInteger requests = new AtomicInteger();
    /** From request to status; the body is always the server's name. */
    public volatile Function<Recorded, Integer> responder = r -> 200;
    /** From request to extra response headers (such as {@code Retry-After}). */
    public volatile Function<Recorded, Map<String, String>> headers = r -> Map.of();

    private LoopbackServer(String name, HttpServer server) {
        this.name = name;
        this.server = server;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-" + name + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static LoopbackServer http(String name) throws IOException {
        return new LoopbackServer(name,
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50));
    }

    public static LoopbackServer https(String name, SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new LoopbackServer(name, server);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String query = exchange.getRequestURI().getRawQuery();
            Recorded r = new Recorded(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            recorded.add(r);
            requests.incrementAndGet();
            int status = responder.apply(r);
            headers.apply(r).forEach(exchange.getResponseHeaders()::add);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            boolean noBody = "HEAD".equals(r.method) || status == 204 || status == 304;
            exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** @return a backend for this server whose id is the server's name */
    public Backend backend() {
        return Backend.of("127.0.0.1", port()).withId(name);
    }

    public long count(String method) {
        return recorded.stream().filter(r -> r.method.equals(method)).count();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "@" + port();
    }
}
