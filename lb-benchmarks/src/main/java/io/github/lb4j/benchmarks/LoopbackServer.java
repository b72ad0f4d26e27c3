package io.github.lb4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The loopback backend of every HTTP benchmark: a JDK {@code HttpServer} on 127.0.0.1 answering every request with
 * {@code 200 "ok"} after reading the request body. Started in the benchmark's own JVM ({@link #start(int, int)}),
 * or, so that the server does not compete with the client for the same core, in a process of its own:
 *
 * <pre>
 * taskset -c 1 java -cp lb-benchmarks/target/benchmarks.jar io.github.lb4j.benchmarks.LoopbackServer 0 2
 * </pre>
 *
 * prints {@code port N} once it listens (arguments: port, 0 for any free one; handler threads) and serves until the
 * process is stopped. The overhead benchmarks use such a server instead of
 * their own when the system property {@code lb4j.bench.port} names its port ({@link #startOrUse()}).
 *
 * <p>Thread-safe: the server is the JDK's; this class only starts and stops it.
 */
public final class LoopbackServer implements AutoCloseable {

    /** System property with the port of an already running {@code LoopbackServer} (another process). */
    public static final String PORT_PROPERTY = "lb4j.bench.port";

    private static final byte[] OK = {'o', 'k'};

    static {
        // The JDK server writes headers and body in two writes; with Nagle's algorithm on, the second waits for the
        // client's delayed ACK (40 ms on Linux) and every benchmark would measure that. Read once, when the JDK's
        // HttpServer initializes, so set before any server exists.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final int port;

    private LoopbackServer(HttpServer server, ExecutorService threads, int port) {
        this.server = server;
        this.threads = threads;
        this.port = port;
    }

    /**
     * Starts a server in this JVM.
     *
     * @param port the port on 127.0.0.1, 0 for any free one
     * @param handlerThreads threads answering requests
     */
    public static LoopbackServer start(int port, int handlerThreads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService threads = Executors.newFixedThreadPool(handlerThreads);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, OK.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(OK);
                }
            }
        });
        server.start();
        return new LoopbackServer(server, threads, server.getAddress().getPort());
    }

    /**
     * The server of another process if {@value #PORT_PROPERTY} is set (closing it then does nothing), else a new one
     * in this JVM with two handler threads.
     */
    public static LoopbackServer startOrUse() throws IOException {
        String external = System.getProperty(PORT_PROPERTY);
        if (external != null) {
            return new LoopbackServer(null, null, Integer.parseInt(external));
        }
        return start(0, 2);
    }

    /** The port on 127.0.0.1. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** Serves until the process is stopped; see the class comment. */
    public static void main(String[] args) throws IOException, InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int handlerThreads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        try (LoopbackServer server = start(port, handlerThreads)) {
            System.out.println("port " + server.port());
            System.out.flush();
            // The script that started it stops it by its process id.
            new CountDownLatch(1).await();
        }
    }
}
