package io.github.lb4j.okhttp;

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
 * A loopback HTTP(S) backend on the JDK's built-in server, so that tests do not depend on the OkHttp version under
 * test. Records every request; answers through a replaceable responder.
 */
final class TestServer implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY every response waits for the
        // client's delayed ACK (40 ms on Linux). Read once, when the server implementation is first loaded.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** What the server saw. */
    static final class Recorded {
        final String method;
        final String pathAndQuery;
        final Map<String, List<String>> headers;
        final String body;

        Recorded(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
            this.method = method;
            this.pathAndQuery = pathAndQuery;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** What to answer. */
    static final class Reply {
        final int status;
        final String body;
        final Map<String, String> headers;

        Reply(int status, String body, Map<String, String> headers) {
            this.status = status;
            this.body = body;
            this.headers = headers;
        }

        static Reply of(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile Function<Recorded, Reply> responder;

    private TestServer(String name, HttpServer server, Function<Recorded, Reply> responder) {
        this.name = name;
        this.server = server;
        this.responder = responder;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-server-" + name + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A server that answers 200 with its own name. */
    static TestServer start(String name) throws IOException {
        return start(name, r -> Reply.of(200, name));
    }

    static TestServer start(String name, Function<Recorded, Reply> responder) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return new TestServer(name, server, responder);
    }

    static TestServer startHttps(String name, SSLContext sslContext) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(sslContext));
        return new TestServer(name, server, r -> Reply.of(200, name));
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
            Reply reply = responder.apply(r);
            reply.headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = reply.body.getBytes(StandardCharsets.UTF_8);
            boolean noBody = bytes.length == 0 || "HEAD".equals(r.method) || reply.status == 204;
            exchange.sendResponseHeaders(reply.status, noBody ? -1 : bytes.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** A backend for this server whose id is the server's name. */
    Backend backend() {
        return Backend.of("127.0.0.1", port()).withId(name);
    }

    long count(String method) {
        return recorded.stream().filter(r -> r.method.equals(method)).count();
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return name + "@" + port();
    }
}
