package io.github.lb4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP backend for the examples: a JDK {@link HttpServer} on a loopback address that answers every request
 * after a configurable latency with {@code <name> <METHOD> <path?query>} followed by the request body, and names
 * itself in an {@code X-Served-By} header.
 *
 * <p>The demo's scenario drives it: {@link #setLatency slow it down}, {@link #crash() crash it} (the server socket and
 * every open connection are closed, as when a process dies) and {@link #restart() bring it back} on the same port.
 *
 * <p>Thread-safety: safe to use from any thread.
 */
final class HttpBackend implements AutoCloseable {

    /** The response header that names the backend that served a request. */
    static final String SERVED_BY = "X-Served-By";

    static {
        // The JDK server writes the response headers and the body in two writes; with Nagle's algorithm on, the
        // second waits for the client's delayed ACK (40 ms on Linux) and every answer would take 40 ms more.
        // Read once, when the JDK's HttpServer implementation initializes.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** What the scenario did to the backend; shown next to the pool's own view of its health. */
    enum State { UP, SLOW, DOWN }

    private final String name;
    private final InetAddress address;
    private final ExecutorService workers;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private volatile int port;
    private volatile HttpServer server;
    private volatile long latencyNanos;
    private volatile State state = State.DOWN;

    private HttpBackend(String name, InetAddress address, Duration latency) {
        this.name = name;
        this.address = address;
        this.latencyNanos = latency.toNanos();
        AtomicInteger threads = new AtomicInteger();
        // A thread per concurrent request: the handler sleeps to play its latency, so requests must not queue
        // behind one another (that would be a different, and misleading, latency profile).
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a backend on {@code address}, on an ephemeral port.
     *
     * @param name the name it answers with
     * @param address a loopback address
     * @param latency its typical response time; each request takes 0.75× to 1.25× of it, one in a hundred 3×
     */
    static HttpBackend start(String name, InetAddress address, Duration latency) throws IOException {
        return start(name, address, 0, latency);
    }

    static HttpBackend start(String name, InetAddress address, int port, Duration latency) throws IOException {
        HttpBackend b = new HttpBackend(name, address, latency);
        b.port = port;
        b.restart();
        return b;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    InetAddress address() {
        return address;
    }

    /** @return the pool member for this server; its id is the backend's name, so tables and charts read well */
    Backend backend() {
        return Backend.of(address.getHostAddress(), port).withId(name);
    }

    /** @return {@code http://host:port} */
    String baseUrl() {
        String host = address.getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    State state() {
        return state;
    }

    /** @return requests that reached this backend, answered or not (a canceled hedge is received, not served) */
    long received() {
        return received.get();
    }

    long served() {
        return served.get();
    }

    int active() {
        return active.get();
    }

    /** Changes the typical response time (the scenario's "backend becomes slow"). */
    void setLatency(Duration latency, boolean slow) {
        latencyNanos = latency.toNanos();
        if (state != State.DOWN) {
            state = slow ? State.SLOW : State.UP;
        }
    }

    /** Closes the listening socket and every open connection at once, like a process that dies. */
    synchronized void crash() {
        HttpServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        state = State.DOWN;
        s.stop(0);
    }

    /** Listens again on the same port (or, on first start, on the port given or an ephemeral one). */
    synchronized void restart() throws IOException {
        if (server != null) {
            return;
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(address, port), 128);
        s.createContext("/", this::handle);
        s.setExecutor(workers);
        s.start();
        port = s.getAddress().getPort();
        server = s;
        state = State.UP;
    }

    private void handle(HttpExchange exchange) throws IOException {
        received.incrementAndGet();
        active.incrementAndGet();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            sleep(latencyNanos);
            String head = name + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n";
            byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set(SERVED_BY, name);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            boolean headRequest = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, headRequest ? -1 : headBytes.length + body.length);
            if (!headRequest) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(headBytes);
                    out.write(body);
                }
            }
            served.incrementAndGet();
        } finally {
            active.decrementAndGet();
        }
    }

    /** Plays the latency profile: 0.75× to 1.25× the typical latency, and one request in a hundred 3×. */
    private static void sleep(long typicalNanos) {
        if (typicalNanos <= 0) {
            return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        double factor = r.nextInt(100) == 0 ? 3.0 : 0.75 + 0.5 * r.nextDouble();
        try {
            TimeUnit.NANOSECONDS.sleep((long) (typicalNanos * factor));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        crash();
        workers.shutdownNow();
    }

    @Override
    public String toString() {
        return name + "@" + baseUrl() + " " + state;
    }
}
