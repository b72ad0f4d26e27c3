package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.http.Route;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import io.github.lb4j.core.testing.JazzerPlatform;
import org.junit.jupiter.api.condition.DisabledIf;

/**
 * Fuzzes what the interceptor reads from a request (the URL, headers, cookies, query strings), through
 * {@link LoadBalancingInterceptor#intercept} with a fake {@link Interceptor.Chain} (a dynamic proxy, so that it
 * compiles against OkHttp 5 and runs against 4.12 in the {@code okhttp4} surefire execution too).
 *
 * <p>Inputs are UTF-8 text (malformed bytes become U+FFFD), so the seeds in
 * {@code src/test/resources/io/github/lb4j/okhttp/OkHttpFuzzTestInputs/<method>/} are readable; the first byte is a
 * set of flags, the rest is split at the first newline into two fields. See docs/RELIABILITY.md to fuzz.
 */
@DisabledIf(value = "io.github.lb4j.core.testing.JazzerPlatform#unsupported", disabledReason = JazzerPlatform.REASON)
class OkHttpFuzzTest {

    private static final List<Backend> BACKENDS = List.of(Backend.of("127.0.0.1", 8080), Backend.of("::1", 443),
            Backend.of("backend-3.internal", 80), Backend.of("10.0.0.7", 65535).withId("seven"));

    /** Plain route "orders"; route "search" preserves the Host header. Round robin: pins pick the backend. */
    private static final LoadBalancingInterceptor REWRITER = LoadBalancingInterceptor.builder()
            .route(Route.builder("orders", pool("rewrite-orders", Strategy.roundRobin())).maxAttempts(1).build())
            .route(Route.builder("search", pool("rewrite-search", Strategy.roundRobin())).maxAttempts(1)
                    .preserveHostHeader(true).build())
            .build();

    private static final LoadBalancer HASH_POOL = pool("hash", Strategy.ringHash());
    private static final Route BY_HEADER = Route.builder("by-header", HASH_POOL).hashKeyFromHeader("X-User-Id")
            .build();
    private static final Route BY_COOKIE = Route.builder("by-cookie", HASH_POOL).hashKeyFromCookie("SESSION")
            .build();
    private static final Route BY_QUERY = Route.builder("by-query", HASH_POOL).hashKeyFromQueryParameter("tenant")
            .build();
    private static final LoadBalancingInterceptor HASHER = LoadBalancingInterceptor.builder().route(BY_HEADER)
            .route(BY_COOKIE).route(BY_QUERY).build();

    private static LoadBalancer pool(String name, Strategy strategy) {
        return LoadBalancer.builder(name).backends(BACKENDS).strategy(strategy).random(new SplittableRandom(1))
                .build();
    }

    /**
     * Flags: bit 0 https, bits 1-2 the backend (pinned through a {@link RequestContext} tag), bit 3 route
     * "search" (Host header kept) instead of "orders", bit 4 the host spelled absolute ({@code orders.}), bit 5 the
     * whole text is the URL (any host, any port). Otherwise the URL is {@code scheme://<field 1>@<route><field 2>}
     * (no {@code @} when field 1 is empty), so field 1 is userinfo and field 2 port, path, query and fragment.
     *
     * <p>Asserts: a URL naming a route with the default port is rewritten exactly as OkHttp's own
     * {@code newBuilder().host(h).port(p)} would (scheme, userinfo, encoded path, query and fragment kept), onto the
     * pinned backend's host and port; any other port fails with the documented IOException; another host passes
     * through untouched.
     */
    @FuzzTest(maxDuration = "10m")
    void urlRewrite(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int flags = input[0];
        String[] fields = fields(input);
        String routeName = (flags & 8) != 0 ? "search" : "orders";
        String text;
        if ((flags & 32) != 0) {
            text = fields[0] + fields[1];
        } else {
            text = ((flags & 1) != 0 ? "https://" : "http://") + (fields[0].isEmpty() ? "" : fields[0] + "@")
                    + routeName + ((flags & 16) != 0 ? "." : "") + fields[1];
        }
        HttpUrl url = HttpUrl.parse(text);
        if (url == null) {
            return;
        }
        Backend backend = BACKENDS.get((flags >> 1) & 3);
        Request request = new Request.Builder().url(url)
                .tag(RequestContext.class, RequestContext.ofPinned(backend.id())).build();
        String host = url.host();
        String route = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        FakeChain chain = new FakeChain(request);
        if (!route.equals("orders") && !route.equals("search")) {
            REWRITER.intercept(chain.proxy()).close();
            assertThat(chain.sent.get()).as("passed through untouched").isSameAs(request);
            return;
        }
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            try {
                REWRITER.intercept(chain.proxy()).close();
                throw new AssertionError("accepted a route URL with port " + url.port() + ": " + url);
            } catch (IOException e) {
                assertThat(e.getMessage()).contains("drop the port");
                assertThat(chain.sent.get()).isNull();
                return;
            }
        }
        REWRITER.intercept(chain.proxy()).close();
        Request sent = chain.sent.get();
        assertThat(sent).isNotNull();
        HttpUrl out = sent.url();
        HttpUrl expected = url.newBuilder().host(backend.host()).port(backend.port()).build();
        assertThat(out).as("rewrite of %s", url).isEqualTo(expected);
        assertThat(out.toString()).isEqualTo(expected.toString());
        assertThat(out.scheme()).isEqualTo(url.scheme());
        assertThat(out.port()).isEqualTo(backend.port());
        assertThat(out.host()).isEqualTo(HttpUrl.get("http://" + hostForUrl(backend.host()) + "/").host());
        assertThat(out.encodedPath()).isEqualTo(url.encodedPath());
        assertThat(out.encodedQuery()).isEqualTo(url.encodedQuery());
        assertThat(out.encodedFragment()).isEqualTo(url.encodedFragment());
        assertThat(out.encodedUsername()).isEqualTo(url.encodedUsername());
        assertThat(out.encodedPassword()).isEqualTo(url.encodedPassword());
        assertThat(sent.header("Host")).isEqualTo(route.equals("search") ? host : null);
        assertThat(sent.method()).isEqualTo(request.method());
    }

    /**
     * Flags: bits 0-1 the source (0 header {@code X-User-Id}, 1 {@code Cookie} header, 2 query string, 3 cookie
     * {@code <field 1>; SESSION=<field 2>} whose key is known). Field 1 (and field 2 as a second {@code Cookie}
     * header) is the value; for the query, {@code http://by-query/p?<field 1>}.
     *
     * <p>Asserts: no exception but OkHttp's own IllegalArgumentException for a header value it refuses; the key
     * extracted twice from the request (and from a copy of it) is the same, and the interceptor sends both copies to
     * the backend a ring-hash pool picks for that key (with no key, each to some member); a cookie key has no
     * {@code ;} and occurs in a Cookie header.
     */
    @FuzzTest(maxDuration = "10m")
    void hashKeys(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int source = input[0] & 3;
        String[] fields = fields(input);
        Route route;
        Request request;
        try {
            switch (source) {
                case 0:
                    route = BY_HEADER;
                    request = new Request.Builder().url("http://by-header/").header("X-User-Id", fields[0]).build();
                    break;
                case 1:
                    route = BY_COOKIE;
                    request = new Request.Builder().url("http://by-cookie/").addHeader("Cookie", fields[0])
                            .addHeader("Cookie", fields[1]).build();
                    break;
                case 2:
                    route = BY_QUERY;
                    HttpUrl url = HttpUrl.parse("http://by-query/p?" + fields[0]);
                    if (url == null) {
                        return;
                    }
                    request = new Request.Builder().url(url).build();
                    break;
                default:
                    route = BY_COOKIE;
                    request = new Request.Builder().url("http://by-cookie/")
                            .header("Cookie", fields[0] + "; SESSION=" + fields[1]).build();
                    break;
            }
        } catch (IllegalArgumentException e) {
            return; // OkHttp refuses the header value (control or non-ASCII characters): never reaches us
        }
        String key = route.hashKeyOf(new OkHttpViews.RequestView(request));
        assertThat(route.hashKeyOf(new OkHttpViews.RequestView(request))).isEqualTo(key);
        assertThat(route.hashKeyOf(new OkHttpViews.RequestView(request.newBuilder().build()))).isEqualTo(key);
        if (source == 1 || source == 3) {
            if (key != null) {
                assertThat(key).doesNotContain(";");
                assertThat(request.headers("Cookie")).anyMatch(h -> h.contains(key));
            }
            if (source == 3 && !fields[0].contains("SESSION") && !fields[1].contains(";")) {
                // OkHttp trims the header value, the cookie parser each value: either way only tabs and spaces.
                String v = fields[1].trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                assertThat(key).isEqualTo(v);
            }
        }
        Backend first = sendThrough(request);
        Backend second = sendThrough(request.newBuilder().build());
        if (key != null) { // without a key a ring-hash pool picks at random
            assertThat(second).as("same request, same backend (key %s)", key).isEqualTo(first);
            try (Selection s = HASH_POOL.select(RequestContext.ofHashKey(key))) {
                assertThat(first).isEqualTo(s.backend());
            }
        }
    }

    private static Backend sendThrough(Request request) throws IOException {
        FakeChain chain = new FakeChain(request);
        HASHER.intercept(chain.proxy()).close();
        HttpUrl url = chain.sent.get().url();
        for (Backend b : BACKENDS) {
            if (b.port() == url.port() && HttpUrl.get("http://" + hostForUrl(b.host()) + "/").host()
                    .equals(url.host())) {
                return b;
            }
        }
        throw new AssertionError("sent to a non-member: " + url);
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** Bytes after the flag byte as UTF-8, split at the first newline; the second field may be empty. */
    private static String[] fields(byte[] input) {
        String s = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return nl < 0 ? new String[] {s, ""} : new String[] {s.substring(0, nl), s.substring(nl + 1)};
    }

    /** Records the request it is asked to proceed with and answers 200 with an empty body. */
    static final class FakeChain implements InvocationHandler {
        final Request request;
        final AtomicReference<Request> sent = new AtomicReference<>();

        FakeChain(Request request) {
            this.request = request;
        }

        Interceptor.Chain proxy() {
            return (Interceptor.Chain) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Interceptor.Chain.class}, this);
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args)
                throws InvocationTargetException {
            switch (method.getName()) {
                case "request":
                    return request;
                case "proceed":
                    Request r = (Request) args[0];
                    assertThat(sent.getAndSet(r)).as("one attempt").isNull();
                    return new Response.Builder().request(r).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                            .body(ResponseBody.create(new byte[0], null)).build();
                case "call":
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Call.class},
                            (p, m, a) -> {
                                if (m.getName().equals("isCanceled")) {
                                    return false;
                                }
                                throw new UnsupportedOperationException(m.getName());
                            });
                case "toString":
                    return "FakeChain";
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        }
    }
}
