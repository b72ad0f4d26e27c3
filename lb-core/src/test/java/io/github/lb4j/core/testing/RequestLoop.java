package io.github.lb4j.core.testing;

import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Requests flowing through a pool while a test takes its registry away: a few threads, each in a loop of
 * {@code pool.select()}, one real HTTP GET to the chosen backend over loopback, and the outcome reported. Counts what
 * was sent, what failed and why, and how many requests each backend id answered. The backends are {@link Backends},
 * real JDK HTTP servers on loopback ports, that stay up for the whole test: a request can only fail because the
 * pool had nothing to pick or picked something that is not one of them, that is because of the registry.
 *
 * <p>Shared by the discovery modules' tests (lb-etcd, lb-zookeeper, lb-kubernetes) through lb-core's test jar.
 */
public final class RequestLoop implements AutoCloseable {

    /** Per request: long against a loopback answer, short against a hung test. */
    private static final int REQUEST_TIMEOUT_MILLIS = 5_000;
    /** Each thread pauses this long between requests: a steady flow that leaves the CPU to the registry too. */
    private static final long PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final int KEPT_FAILURES = 20;
    /** Long against requests that flow, short against a hung build. */
    private static final long AWAIT_SECONDS = 30;

    private final LoadBalancer pool;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    private RequestLoop(LoadBalancer pool) {
        this.pool = pool;
    }

    /** Starts {@code threads} request threads against {@code pool}. */
    public static RequestLoop start(LoadBalancer pool, int threads) {
        RequestLoop loop = new RequestLoop(pool);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(loop::run, "request-loop-" + i);
            t.setDaemon(true);
            loop.threads.add(t);
            t.start();
        }
        return loop;
    }

    /** @return how many request threads run */
    public int threads() {
        return threads.size();
    }

    /** @return requests completed (answered or failed) */
    public long sent() {
        return sent.get();
    }

    /** @return requests that failed: nothing to pick, no answer, or not a 200 */
    public long failed() {
        return failed.get();
    }

    /** @return the first failures' descriptions (at most 20) */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** @return how many requests the backend with this id answered with 200 */
    public long answeredBy(String backendId) {
        LongAdder n = answeredBy.get(backendId);
        return n == null ? 0 : n.sum();
    }

    /**
     * Asserts that the pool's new set serves: {@code added} gets requests, and {@code removed} at most one more per
     * thread once this is called (the requests that picked it before the swap), over at least 100 more requests.
     * Call it once the pool's membership shows the new set.
     */
    public void assertNewSetServes(String removed, String added) {
        long removedAtSwap = answeredBy(removed);
        long sentAtSwap = sent();
        awaitUntil("requests answered by " + added, () -> answeredBy(added) > 0);
        awaitUntil("100 more requests after the swap", () -> sent() >= sentAtSwap + 100);
        long late = answeredBy(removed) - removedAtSwap;
        if (late > threads.size()) {
            throw new AssertionError(late + " requests reached " + removed + " after it left the pool; at most "
                    + threads.size() + " (one in flight per thread) may");
        }
    }

    /** Waits, polling every 2 ms, at most {@link #AWAIT_SECONDS}; never a bare sleep for a state change. */
    private static void awaitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + AWAIT_SECONDS + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private void run() {
        while (!stopped) {
            once();
            LockSupport.parkNanos(PAUSE_NANOS); // pacing, not waiting for a state change
        }
    }

    private void once() {
        Selection selection;
        try {
            selection = pool.select();
        } catch (RuntimeException e) {
            fail("select: " + e);
            return;
        }
        Backend b = selection.backend();
        try {
            int status = get(b);
            if (status == 200) {
                selection.success();
                answeredBy.computeIfAbsent(b.id(), k -> new LongAdder()).increment();
                sent.incrementAndGet();
            } else {
                selection.failure(new IOException("HTTP " + status));
                fail(b.id() + ": HTTP " + status);
            }
        } catch (IOException | RuntimeException e) {
            selection.failure(e);
            fail(b.id() + ": " + e);
        }
    }

    private void fail(String what) {
        failed.incrementAndGet();
        sent.incrementAndGet();
        if (failures.size() < KEPT_FAILURES) {
            failures.add(what);
        }
    }

    private static int get(Backend b) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + b.host() + ":" + b.port() + "/")
                .toURL().openConnection();
        c.setConnectTimeout(REQUEST_TIMEOUT_MILLIS);
        c.setReadTimeout(REQUEST_TIMEOUT_MILLIS);
        int status = c.getResponseCode();
        try (InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (body != null) {
                body.readAllBytes(); // read to the end: the connection goes back to the keep-alive cache
            }
        }
        return status;
    }

    /** Stops the threads and waits for each to finish its request. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            t.join(2L * REQUEST_TIMEOUT_MILLIS);
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop");
            }
        }
    }

    /**
     * Real HTTP servers (the JDK's {@code HttpServer}) on 127.0.0.1, each answering every request with 200 and its
     * name. They are the backends a registry lists in these tests.
     */
    public static final class Backends implements AutoCloseable {

        static {
            // The JDK's server writes the status line and headers, then the body, in separate packets: without
            // TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold every answer back ~40 ms.
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }

        private final List<HttpServer> servers = new ArrayList<>();

        private Backends() {
        }

        /** Starts {@code count} servers on free loopback ports. */
        public static Backends start(int count) throws IOException {
            Backends backends = new Backends();
            try {
                for (int i = 0; i < count; i++) {
                    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                            64);
                    byte[] name = ("backend-" + i).getBytes(StandardCharsets.UTF_8);
                    server.createContext("/", exchange -> {
                        try (exchange; InputStream in = exchange.getRequestBody()) {
                            in.readAllBytes();
                            exchange.sendResponseHeaders(200, name.length);
                            try (OutputStream out = exchange.getResponseBody()) {
                                out.write(name);
                            }
                        }
                    });
                    server.start();
                    backends.servers.add(server);
                }
            } catch (IOException | RuntimeException e) {
                backends.close();
                throw e;
            }
            return backends;
        }

        /** @return the port of server {@code i} (from 0) */
        public int port(int i) {
            return servers.get(i).getAddress().getPort();
        }

        /** @return {@code 127.0.0.1:port} of server {@code i} */
        public String hostPort(int i) {
            return "127.0.0.1:" + port(i);
        }

        @Override
        public void close() {
            servers.forEach(s -> s.stop(0));
        }
    }
}
