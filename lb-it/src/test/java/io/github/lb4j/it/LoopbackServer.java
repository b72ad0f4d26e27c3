package io.github.lb4j.it;

import io.github.lb4j.core.Backend;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTP/1.1 backend on plain sockets, so that a test controls what the JDK's server would hide: it can
 * crash (listening socket closed, every connection reset with an RST) and restart on the same port, hang without
 * answering (blackhole), answer slowly or with any status. It counts on the server side what it received: requests
 * in total, by method, and how often each {@code X-Request-Id} arrived, so a test can prove a POST arrived at most
 * once. Optionally it records every request (method, target, headers, body) for the security tests.
 *
 * <p>One thread per connection, as a thread-per-request server would; OkHttp keeps a handful of connections per
 * backend, so the thread count stays small.
 */
final class LoopbackServer implements AutoCloseable {

    /** The request header that names a call; POST ids are counted per id. */
    static final String REQUEST_ID = "X-Request-Id";

    /** What the server saw. */
    record Recorded(String server, String method, String target, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** Every header line and the request line and body, for "does a secret appear anywhere" checks. */
        String everything() {
            StringBuilder sb = new StringBuilder(method).append(' ').append(target).append('\n');
            headers.forEach((k, vs) -> vs.forEach(v -> sb.append(k).append(": ").append(v).append('\n')));
            return sb.append('\n').append(body).toString();
        }
    }

    /** What to answer. */
    record Reply(int status, String body, Map<String, String> headers) {
        static Reply of(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    final String name;
    private final SSLContext ssl;
    private final boolean record;
    private final InetAddress address;
    private final ExecutorService threads;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile int port;

    // Behaviour, changed by the test while load runs.
    volatile int status = 200;
    volatile long delayMillis;
    volatile boolean blackhole;
    volatile Function<Recorded, Reply> responder;

    // What arrived.
    final AtomicInteger requests = new AtomicInteger();
    /** When each request arrived ({@link System#nanoTime()}, the pools' default ticker), in arrival order. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> arrivals =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    final ConcurrentHashMap<String, AtomicInteger> postsById = new ConcurrentHashMap<>();
    /** When each POST id first arrived ({@link System#nanoTime()}), to tell a stalled send from a lost answer. */
    final ConcurrentHashMap<String, Long> postArrivedNanos = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();

    private LoopbackServer(String name, SSLContext ssl, boolean record, InetAddress address) {
        this.name = name;
        this.ssl = ssl;
        this.record = record;
        this.address = address;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "backend-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A plain HTTP server answering 200 with its name; counts, does not record. */
    static LoopbackServer start(String name) throws IOException {
        LoopbackServer s = new LoopbackServer(name, null, false, InetAddress.getLoopbackAddress());
        s.listen();
        return s;
    }

    /** A plain HTTP server that records every request. */
    static LoopbackServer recording(String name) throws IOException {
        return recording(name, "127.0.0.1");
    }

    /**
     * A plain HTTP server that records every request, on another loopback address ({@code 127.0.0.2}: all of
     * 127/8 is loopback), for tests where backends of two routes must not share a host.
     */
    static LoopbackServer recording(String name, String loopbackAddress) throws IOException {
        InetAddress address = InetAddress.getByName(loopbackAddress);
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("not a loopback address: " + loopbackAddress);
        }
        LoopbackServer s = new LoopbackServer(name, null, true, address);
        s.listen();
        return s;
    }

    /** An HTTPS server that records every request. */
    static LoopbackServer https(String name, SSLContext ssl) throws IOException {
        LoopbackServer s = new LoopbackServer(name, ssl, true, InetAddress.getLoopbackAddress());
        s.listen();
        return s;
    }

    private synchronized void listen() throws IOException {
        ServerSocket ss = ssl != null ? ssl.getServerSocketFactory().createServerSocket() : new ServerSocket();
        ss.setReuseAddress(true);
        // A backlog for a fleet: 256 clients may connect at once (the kernel caps it at net.core.somaxconn, 4096 here).
        ss.bind(new InetSocketAddress(address, port), 1024);
        port = ss.getLocalPort();
        listener = ss;
        Thread acceptor = new Thread(() -> acceptLoop(ss), "backend-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket ss) {
        while (!ss.isClosed()) {
            Socket socket;
            try {
                socket = ss.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            connections.add(socket);
            try {
                threads.execute(() -> serve(socket));
            } catch (RuntimeException rejected) {
                connections.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                if (blackhole) {
                    // Accept, read and drop whatever comes, never answer, until the client gives up.
                    byte[] sink = new byte[4096];
                    while (in.read(sink) >= 0) {
                        // dropped
                    }
                    return;
                }
                Recorded r = readRequest(in);
                if (r == null) {
                    return; // the client closed the connection
                }
                if (blackhole) {
                    continue; // became a blackhole while this request arrived: it is not answered either
                }
                count(r);
                Reply reply = reply(r);
                long delay = delayMillis;
                if (delay > 0) {
                    Thread.sleep(delay); // the backend's own latency, not a wait for a state change
                }
                writeReply(out, r, reply);
            }
        } catch (IOException | InterruptedException e) {
            // reset by a crash, or the client went away
        } finally {
            connections.remove(socket);
        }
    }

    /** Requests that arrived after {@code fromNanos} and before {@code toNanos} (System.nanoTime). */
    int receivedBetween(long fromNanos, long toNanos) {
        int n = 0;
        for (long t : arrivals) {
            if (t - fromNanos > 0 && toNanos - t > 0) {
                n++;
            }
        }
        return n;
    }

    private void count(Recorded r) {
        arrivals.add(System.nanoTime());
        requests.incrementAndGet();
        if ("GET".equals(r.method)) {
            gets.incrementAndGet();
        } else if ("POST".equals(r.method)) {
            posts.incrementAndGet();
            String id = r.header(REQUEST_ID);
            if (id != null) {
                postsById.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                postArrivedNanos.putIfAbsent(id, System.nanoTime());
            }
        }
        if (record) {
            recorded.add(r);
        }
    }

    private Reply reply(Recorded r) {
        Function<Recorded, Reply> f = responder;
        if (f != null) {
            return f.apply(r);
        }
        int s = status;
        return Reply.of(s, s == 200 ? name : name + " says " + s);
    }

    private Recorded readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        if (requestLine.isEmpty()) {
            requestLine = readLine(in); // a stray CRLF between requests
            if (requestLine == null) {
                return null;
            }
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            throw new IOException("bad request line");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("bad header line");
            }
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        byte[] body;
        List<String> length = headers.get("content-length");
        List<String> encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
            body = readChunked(in);
        } else if (length != null) {
            body = readFully(in, Integer.parseInt(length.get(0)));
        } else {
            body = new byte[0];
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        headers.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Recorded(name, parts[0], parts[1], Collections.unmodifiableMap(frozen),
                new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new IOException("end of stream in a chunked body");
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    // trailers, ignored
                }
                return out.toByteArray();
            }
            out.write(readFully(in, size));
            readLine(in); // the CRLF after the chunk
        }
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("end of stream in a body");
        }
        return b;
    }

    /** A line without its CRLF; null at the end of the stream before any byte. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        if (sb.length() == 0) {
            return null;
        }
        throw new IOException("end of stream in a line");
    }

    private static void writeReply(OutputStream out, Recorded r, Reply reply) throws IOException {
        byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
        boolean head = "HEAD".equals(r.method);
        StringBuilder sb = new StringBuilder(128).append("HTTP/1.1 ").append(reply.status).append(' ')
                .append(reason(reply.status)).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        reply.headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("\r\n");
        byte[] head0 = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head0.length + (head ? 0 : body.length)];
        System.arraycopy(head0, 0, all, 0, head0.length);
        if (!head) {
            System.arraycopy(body, 0, all, head0.length, body.length);
        }
        out.write(all); // one write: no Nagle/delayed-ACK stall between headers and body
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 302: return "Found";
            case 401: return "Unauthorized";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    /**
     * Crashes: stops listening (new connections are refused) and resets every open connection (RST, as when a
     * process dies), so requests in flight fail on the client. The port stays reserved for {@link #restart()}.
     */
    synchronized void crash() {
        ServerSocket ss = listener;
        if (ss != null) {
            closeQuietly(ss);
            listener = null;
        }
        for (Socket s : connections) {
            try {
                s.setSoLinger(true, 0); // close() then sends RST instead of FIN
            } catch (SocketException ignored) {
                // already closed
            }
            closeQuietly(s);
        }
    }

    /** Listens again on the same port after {@link #crash()}. */
    synchronized void restart() throws IOException {
        if (listener != null) {
            throw new IllegalStateException(name + " is running");
        }
        listen();
    }

    boolean isUp() {
        return listener != null;
    }

    int port() {
        return port;
    }

    /** Connections open right now. */
    int openConnections() {
        return connections.size();
    }

    /** The client ports of the connections still open, for a failure message. */
    String openConnectionPorts() {
        return connections.stream().map(c -> String.valueOf(c.getPort())).sorted()
                .collect(java.util.stream.Collectors.joining(",", name + "[", "]"));
    }

    /** A backend at this server's address whose id is the server's name. */
    Backend backend() {
        return Backend.of(address.getHostAddress(), port).withId(name);
    }

    /** {@code http://host:port} of this server. */
    String origin() {
        return (ssl != null ? "https://" : "http://") + address.getHostAddress() + ":" + port;
    }

    /** How often the POST with this id arrived. */
    int postsWithId(String id) {
        AtomicInteger n = postsById.get(id);
        return n == null ? 0 : n.get();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws InterruptedException {
        crash();
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return name + "@" + port;
    }
}
