package io.github.lb4j.examples;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.http.NoBackendAvailableIOException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http.HttpMethod;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/**
 * Method 3, the transparent (reverse) proxy: an HTTP server that sends each request on to a backend chosen by
 * lb-core, through OkHttp with lb-okhttp's {@link LoadBalancingInterceptor}, and streams the backend's answer back.
 * This is what nginx, HAProxy and Envoy do.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.TransparentProxy
 * </pre>
 *
 * <ul>
 *   <li>Address bar: unchanged; the client only ever talks to the proxy, and the backends can stay private.
 *   <li>Client: needs nothing special; any HTTP client works.
 *   <li>Cost: one extra hop (and a process to run and scale); in return the proxy sees every outcome and every
 *       latency, so it can balance on them and retry a GET elsewhere when a backend fails before answering.
 * </ul>
 *
 * <p>The proxy's own client does the balancing: each incoming request becomes a call to {@code http://<pool
 * name><path>}, which the interceptor sends to a backend, reporting the outcome to the pool and retrying on another
 * backend when that is safe (a request that never left, or an idempotent one whose body can be sent again).
 *
 * <p>Request and response bodies stream through without being held in memory. Hop-by-hop headers are dropped and
 * {@code X-Forwarded-For}, {@code X-Forwarded-Host} and {@code Via} added.
 *
 * <p>Thread-safety: safe for concurrent requests.
 */
public final class TransparentProxy implements AutoCloseable {

    static final int DEFAULT_PORT = 9081;

    /** Headers about one connection, not the request (RFC 9110, section 7.6.1), and those OkHttp sets itself. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length");

    private final HttpServer server;
    private final ExecutorService executor;
    /** {@code http://<pool name>}: the logical host the interceptor routes. */
    private final String route;
    private final OkHttpClient client;

    private TransparentProxy(HttpServer server, ExecutorService executor, String route, OkHttpClient client) {
        this.server = server;
        this.executor = executor;
        this.route = route;
        this.client = client;
    }

    /**
     * @param address where to listen; loopback unless the caller means to expose it
     * @param pool the backends; its name must be a valid host name (it is the route's logical host)
     * @param client the client to reach them; redirects are passed through to the caller, not followed
     */
    static TransparentProxy start(InetSocketAddress address, LoadBalancer pool, OkHttpClient client)
            throws IOException {
        OkHttpClient proxyClient = client.newBuilder()
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(LoadBalancingInterceptor.builder().route(pool.name(), pool).build())
                .build();
        HttpServer server = HttpServer.create(address, 128);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "proxy-worker");
            t.setDaemon(true);
            return t;
        });
        TransparentProxy proxy = new TransparentProxy(server, executor, "http://" + pool.name(), proxyClient);
        server.createContext("/", proxy::handle);
        server.setExecutor(executor);
        server.start();
        return proxy;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://" + ExampleArgs.urlHost(server.getAddress().getAddress()) + ":" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean hasBody = HttpMethod.permitsRequestBody(method) && !"0".equals(
                    exchange.getRequestHeaders().getFirst("Content-Length"))
                    && (exchange.getRequestHeaders().containsKey("Content-Length")
                    || exchange.getRequestHeaders().containsKey("Transfer-Encoding"));
            Response response;
            try {
                response = client.newCall(forward(exchange, route, method, hasBody)).execute();
            } catch (NoBackendAvailableIOException e) {
                exchange.sendResponseHeaders(503, -1); // nothing to pick: every backend is out of the pool
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1); // every attempt failed before an answer
                return;
            }
            try (response) {
                relay(exchange, response, method);
            }
        }
    }

    private static Request forward(HttpExchange exchange, String route, String method, boolean hasBody) {
        HttpUrl url = HttpUrl.get(route + exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI()
                .getRawQuery()));
        Request.Builder b = new Request.Builder().url(url);
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                for (String v : h.getValue()) {
                    b.addHeader(h.getKey(), v);
                }
            }
        }
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        String prior = exchange.getRequestHeaders().getFirst("X-Forwarded-For");
        b.header("X-Forwarded-For", prior == null ? client : prior + ", " + client);
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host != null) {
            b.header("X-Forwarded-Host", host);
        }
        b.addHeader("Via", "1.1 lb4j-proxy");
        RequestBody body = null;
        if (hasBody) {
            body = new StreamingBody(exchange.getRequestBody(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    parseLength(exchange.getRequestHeaders().getFirst("Content-Length")));
        } else if (HttpMethod.requiresRequestBody(method)) {
            body = RequestBody.create(new byte[0]);
        }
        return b.method(method, body).build();
    }

    /**
     * Streams the backend's answer to the caller. The interceptor reports the outcome to the pool when the answer's
     * body ends (or fails); that end is read before the last bytes go out, so the pool's counters are up to date by
     * the time the caller has its answer.
     */
    private static void relay(HttpExchange exchange, Response response, String method) throws IOException {
        Headers out = exchange.getResponseHeaders();
        for (kotlin.Pair<? extends String, ? extends String> h : response.headers()) {
            if (!HOP_BY_HOP.contains(h.getFirst().toLowerCase(Locale.ROOT))) {
                out.add(h.getFirst(), h.getSecond());
            }
        }
        out.add("Via", "1.1 lb4j-proxy");
        long length = response.body().contentLength();
        boolean noBody = "HEAD".equals(method) || response.code() == 204 || response.code() == 304 || length == 0;
        if (noBody) {
            response.close(); // reports the outcome
            exchange.sendResponseHeaders(response.code(), -1); // -1: no body
            return;
        }
        // 0: chunked (length unknown); n: a fixed length.
        exchange.sendResponseHeaders(response.code(), Math.max(0, length));
        byte[] buffer = new byte[16 * 1024];
        long written = 0;
        // If the caller goes away mid-answer, closing the response reports the attempt as complete: the backend
        // did nothing wrong.
        try (InputStream in = response.body().byteStream(); OutputStream os = exchange.getResponseBody()) {
            while (true) {
                int n = in.read(buffer); // a failure here is the backend's, and the interceptor reports it
                if (n < 0) {
                    break; // for a chunked answer, the caller sees the end only when os closes
                }
                if (length >= 0 && written + n >= length && in.read() >= 0) {
                    // reading past the last byte reaches the end of the body, which hands the outcome to the pool
                    throw new IOException("backend sent more than its Content-Length of " + length);
                }
                os.write(buffer, 0, n);
                written += n;
            }
        }
    }

    private static long parseLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The caller's request body, copied to the backend as it arrives. */
    private static final class StreamingBody extends RequestBody {
        private final InputStream in;
        private final MediaType type;
        private final long length;

        StreamingBody(InputStream in, String type, long length) {
            this.in = in;
            this.type = type == null ? null : MediaType.parse(type);
            this.length = length;
        }

        @Override
        public MediaType contentType() {
            return type;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean isOneShot() {
            return true; // read from the caller's socket: OkHttp must not try to send it twice
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            try (Source source = Okio.source(in)) {
                sink.writeAll(source);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        ExampleArgs a = ExampleArgs.parse(args, DEFAULT_PORT, "usage: TransparentProxy [--port 9081] [--bind "
                + "127.0.0.1] [--serve]");
        List<HttpBackend> backends = new ArrayList<>();
        List<Backend> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            HttpBackend b = HttpBackend.start("b" + i, InetAddress.getLoopbackAddress(), Duration.ofMillis(5));
            backends.add(b);
            members.add(b.backend());
        }
        // The proxy sees every answer, so it can use a latency-aware strategy.
        LoadBalancer pool = LoadBalancer.builder("proxy").backends(members).strategy(Strategy.peakEwma()).build();
        OkHttpClient backendClient = new OkHttpClient();
        TransparentProxy proxy = start(new InetSocketAddress(a.bind, a.port), pool, backendClient);
        System.out.println("Transparent proxy on " + proxy.url() + ", backends "
                + backends.stream().map(HttpBackend::baseUrl).toList());
        System.out.println();

        OkHttpClient caller = new OkHttpClient();
        for (int i = 1; i <= 3; i++) {
            show(caller, new Request.Builder().url(proxy.url() + "/hello?n=" + i).build());
        }
        show(caller, new Request.Builder().url(proxy.url() + "/orders")
                .post(RequestBody.create("{\"item\":7}", MediaType.get("application/json"))).build());
        backends.get(1).crash();
        System.out.println("b2 crashed (socket closed). The proxy retries a GET on another backend:");
        for (int i = 4; i <= 6; i++) {
            show(caller, new Request.Builder().url(proxy.url() + "/hello?n=" + i).build());
        }
        System.out.println();
        System.out.println("Address bar: unchanged (" + proxy.url() + "...); the backends' addresses never reach "
                + "the client.");
        System.out.println("Client must: nothing special. Cost: one extra hop through the proxy.");
        caller.connectionPool().evictAll();
        AutoCloseable all = () -> {
            proxy.close();
            pool.close();
            backends.forEach(HttpBackend::close);
            backendClient.connectionPool().evictAll();
        };
        if (a.serve) {
            System.out.println();
            System.out.println("Open " + proxy.url() + "/hello in a browser, or curl -v " + proxy.url()
                    + "/hello . Ctrl-C stops.");
            ExampleArgs.serveUntilStopped(all);
        } else {
            all.close();
        }
    }

    private static void show(OkHttpClient caller, Request request) throws IOException {
        try (Response r = caller.newCall(request).execute()) {
            System.out.println(request.method() + " " + request.url() + "  ->  " + r.code() + " from "
                    + r.header(HttpBackend.SERVED_BY) + ", client still at " + r.request().url() + ": \""
                    + r.body().string().trim().replace("\n", " | ") + "\"");
        }
    }
}
