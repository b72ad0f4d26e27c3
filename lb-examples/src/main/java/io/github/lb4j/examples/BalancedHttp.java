package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.NoBackendAvailableException;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How the demo's load reaches a pool: {@code GET http://<pool name><path>}, sent to one of the pool's backends.
 *
 * <p>The demo only ever talks to this interface, so the way requests are balanced is one line in {@link #of}.
 *
 * <p>Thread-safety: implementations are safe to call from many threads at once.
 */
interface BalancedHttp {

    /** The answer to one logical request, after any retry. */
    record Reply(int status, String servedBy) {
    }

    /**
     * @param path starts with "/", may carry a query
     * @return the reply of the backend that answered
     * @throws IOException if the request failed on every backend tried
     * @throws NoBackendAvailableException if the pool had nothing to pick
     */
    Reply get(String path) throws IOException;

    /**
     * The demo's balancing.
     *
     * <p>TODO(LoadBalancingInterceptor, issue 4): when lb-okhttp's {@code LoadBalancingInterceptor} is on main, return
     * an implementation built on it instead of {@link HandRolled}; it does the same thing inside OkHttp:
     * <pre>{@code
     * OkHttpClient balanced = client.newBuilder()
     *         .addInterceptor(LoadBalancingInterceptor.builder().route(pool.name(), pool).build())
     *         .build();
     * return path -> {
     *     try (Response r = balanced.newCall(new Request.Builder().url("http://" + pool.name() + path).build())
     *             .execute()) {
     *         r.body().bytes();
     *         return new Reply(r.code(), r.header(HttpBackend.SERVED_BY));
     *     }
     * };
     * }</pre>
     */
    static BalancedHttp of(LoadBalancer pool, OkHttpClient client) {
        return new HandRolled(pool, client);
    }

    /**
     * The select → call → report loop written out by hand with lb-core: pick a backend, rewrite the URL's host and
     * port to it, report success, or failure on an I/O error or a 5xx. A GET that fails is retried once on another
     * backend ({@link RequestContext#excluding}), so a backend that dies mid-request costs the caller nothing.
     */
    final class HandRolled implements BalancedHttp {

        private final LoadBalancer pool;
        private final OkHttpClient client;
        private final HttpUrl base;

        HandRolled(LoadBalancer pool, OkHttpClient client) {
            this.pool = Objects.requireNonNull(pool, "pool");
            this.client = Objects.requireNonNull(client, "client");
            this.base = HttpUrl.get("http://" + pool.name() + "/");
        }

        @Override
        public Reply get(String path) throws IOException {
            HttpUrl logical = base.resolve(path);
            if (logical == null) {
                throw new IllegalArgumentException("not a path: " + path);
            }
            RequestContext context = RequestContext.empty();
            IOException failure = null;
            // Two attempts: the first, and one retry on another backend. GET is idempotent, so sending it twice is
            // safe; one retry is enough to cover a single backend dying without doubling load on a sick pool.
            for (int attempt = 1; attempt <= 2; attempt++) {
                try (Selection selection = pool.select(context)) {
                    Backend backend = selection.backend();
                    HttpUrl url = logical.newBuilder().host(backend.host()).port(backend.port()).build();
                    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
                        response.body().bytes(); // the latency the pool learns covers the whole answer
                        if (response.code() < 500) {
                            selection.success();
                            return new Reply(response.code(), response.header(HttpBackend.SERVED_BY));
                        }
                        IOException e = new IOException("HTTP " + response.code() + " from " + backend.id());
                        selection.failure(e);
                        if (attempt == 2) {
                            return new Reply(response.code(), response.header(HttpBackend.SERVED_BY));
                        }
                        failure = chain(failure, e);
                    } catch (IOException e) {
                        selection.failure(e);
                        failure = chain(failure, e);
                    }
                    context = context.excluding(List.of(backend.id()));
                }
            }
            throw failure;
        }

        private static IOException chain(IOException first, IOException next) {
            if (first == null) {
                return next;
            }
            first.addSuppressed(next);
            return first;
        }
    }
}
