package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Method 5, below HTTP: a TCP relay. For each connection it accepts, it picks a backend with lb-core, connects to it,
 * and copies bytes both ways until both sides are done. It knows nothing of the protocol inside, so it works for
 * HTTP, databases, SMTP, anything on TCP.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.TcpRelay
 * </pre>
 *
 * <p>Can TCP tell a client to go elsewhere, like an HTTP 307? No: TCP has no redirect. A connection is between two
 * addresses fixed when it opens, and nothing in TCP lets the server hand the client another address. (Some protocols
 * on top of TCP have their own: HTTP's 3xx, SMTP's 251/551, Redis Cluster's MOVED.) So balancing at this layer is
 * always transparent: the relay stays in the path for the whole connection, and the client never learns which
 * backend it reached. The unit balanced is the connection, not the request: with {@link Strategy#leastRequests()},
 * and the selection held open for the connection's life, the relay is a least-connections balancer.
 *
 * <p>If the chosen backend refuses the connection, the relay tries another one: nothing was sent yet. Once bytes
 * flow, a failure can only close the client's connection (TCP has no status code to send).
 *
 * <p>Thread-safety: one thread per direction per connection; safe for concurrent connections.
 */
public final class TcpRelay implements AutoCloseable {

    static final int DEFAULT_PORT = 9082;
    /** Connecting to a backend on the same network takes milliseconds; a second means it is not there. */
    static final int CONNECT_TIMEOUT_MILLIS = 1000;

    private final ServerSocket server;
    private final LoadBalancer pool;
    private final ExecutorService threads;
    private final AtomicInteger relayed = new AtomicInteger();

    private TcpRelay(ServerSocket server, LoadBalancer pool) {
        this.server = server;
        this.pool = pool;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tcp-relay-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param address where to listen; loopback unless the caller means to expose it
     * @param pool the backends
     */
    static TcpRelay start(InetSocketAddress address, LoadBalancer pool) throws IOException {
        Objects.requireNonNull(pool, "pool");
        ServerSocket server = new ServerSocket();
        server.bind(address, 128);
        TcpRelay relay = new TcpRelay(server, pool);
        relay.threads.execute(relay::acceptLoop);
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    InetAddress address() {
        return server.getInetAddress();
    }

    /** @return connections relayed to a backend so far */
    int relayed() {
        return relayed.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void relay(Socket client) {
        try (client) {
            RequestContext context = RequestContext.empty();
            // Try each backend at most once; one that refuses costs the client only a short delay.
            for (int attempt = 0; attempt < Math.max(1, pool.backends().size()); attempt++) {
                Selection selection;
                try {
                    selection = pool.select(context);
                } catch (NoBackendAvailableException e) {
                    return; // nothing to offer: closing is all TCP can say
                }
                try (selection; Socket upstream = new Socket()) {
                    Backend backend = selection.backend();
                    try {
                        upstream.connect(new InetSocketAddress(backend.host(), backend.port()),
                                CONNECT_TIMEOUT_MILLIS);
                    } catch (IOException e) {
                        selection.failure(e);
                        context = context.excluding(List.of(backend.id()));
                        continue;
                    }
                    relayed.incrementAndGet();
                    pipe(client, upstream, selection);
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to do
        }
    }

    /** Copies both ways; each side's end of stream is passed on as a half-close, so request/response protocols work. */
    private void pipe(Socket client, Socket upstream, Selection selection) throws IOException {
        Future<?> up = threads.submit(() -> {
            copy(client.getInputStream(), upstream.getOutputStream());
            upstream.shutdownOutput();
            return null;
        });
        try {
            copy(upstream.getInputStream(), client.getOutputStream());
            client.shutdownOutput();
            up.get();
            selection.success();
        } catch (IOException e) {
            selection.failure(e);
        } catch (java.util.concurrent.ExecutionException e) {
            selection.ignore(); // the client's side broke: says nothing about the backend
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            up.cancel(true);
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }

    /**
     * A TCP backend for the example: greets with {@code hello from <name>}, then echoes what it receives until the
     * client stops sending, then closes.
     */
    static final class EchoBackend implements AutoCloseable {
        private final String name;
        private final ServerSocket server;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo-backend");
            t.setDaemon(true);
            return t;
        });

        EchoBackend(String name, InetAddress address) throws IOException {
            this.name = name;
            this.server = new ServerSocket(0, 128, address);
            threads.execute(this::accept);
        }

        Backend backend() {
            return Backend.of(server.getInetAddress().getHostAddress(), server.getLocalPort()).withId(name);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    threads.execute(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void echo(Socket s) {
            try (s) {
                OutputStream out = s.getOutputStream();
                out.write(("hello from " + name + "\n").getBytes(StandardCharsets.UTF_8));
                copy(s.getInputStream(), out);
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // closing anyway
            }
            threads.shutdownNow();
        }
    }

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, DEFAULT_PORT, "usage: TcpRelay [--port 9082] [--bind 127.0.0.1] "
                + "[--serve]");
        List<EchoBackend> backends = new ArrayList<>();
        List<Backend> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            EchoBackend b = new EchoBackend("b" + i, InetAddress.getLoopbackAddress());
            backends.add(b);
            members.add(b.backend());
        }
        // A connection holds its selection until it closes, so leastRequests balances open connections.
        LoadBalancer pool = LoadBalancer.builder("tcp").backends(members).strategy(Strategy.leastRequests()).build();
        TcpRelay relay = start(new InetSocketAddress(a.bind, a.port), pool);
        String where = ExampleArgs.urlHost(relay.address()) + ":" + relay.port();
        System.out.println("TCP relay on " + where + ", echo backends " + members.stream()
                .map(b -> b.id() + "=" + b.host() + ":" + b.port()).toList());
        System.out.println();
        // Four connections open at once: least connections spreads them over the three backends.
        List<Socket> open = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Socket s = new Socket(relay.address(), relay.port());
            open.add(s);
            s.getOutputStream().write(("ping " + i + "\n").getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
        }
        for (int i = 0; i < open.size(); i++) {
            try (Socket s = open.get(i)) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                System.out.println("connection " + (i + 1) + " to " + where + " (the client never sees another "
                        + "address)  <-  \"" + answer.replace("\n", " | ") + "\"");
            }
        }
        System.out.println();
        System.out.println("TCP has no redirect: the relay stays in the path for the whole connection.");
        System.out.println("Client must: nothing; any TCP protocol works. Unit balanced: the connection.");
        AutoCloseable all = () -> {
            relay.close();
            pool.close();
            backends.forEach(EchoBackend::close);
        };
        if (a.serve) {
            System.out.println();
            System.out.println("Try: nc " + relay.address().getHostAddress() + " " + relay.port()
                    + "  (type a line; Ctrl-D ends). Ctrl-C stops.");
            ExampleArgs.serveUntilStopped(all);
        } else {
            all.close();
        }
    }

    @Override
    public String toString() {
        return "TcpRelay{" + server.getLocalSocketAddress() + ", relayed=" + relayed + "}";
    }
}
