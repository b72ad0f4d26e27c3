package io.github.lb4j.examples;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.http.NoBackendAvailableIOException;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How the demo's load reaches a pool: {@code GET http://<pool name><path>} through an OkHttp client with lb-okhttp's
 * {@link LoadBalancingInterceptor}, which picks a backend, rewrites the URL to it, reports the outcome to the pool and
 * retries a failed GET once on another backend (within the route's retry budget).
 *
 * <pre>{@code
 * OkHttpClient balanced = client.newBuilder()
 *         .addInterceptor(LoadBalancingInterceptor.builder().route(pool.name(), pool).build())
 *         .build();
 * balanced.newCall(new Request.Builder().url("http://" + pool.name() + "/api/items/7").build()).execute();
 * }</pre>
 *
 * <p>A second application interceptor, after the balancing one, sees every attempt the balancer makes (each retry is
 * another {@code chain.proceed}), so each {@link Reply} says how many attempts its request took.
 *
 * <p>Thread-safety: implementations are safe to call from many threads at once.
 */
interface BalancedHttp {

    /**
     * The answer to one logical request, after any retry.
     *
     * @param attempts how many backends were tried: 1, or more when an attempt failed and was retried
     */
    record Reply(int status, String servedBy, int attempts) {

        /** A reply that took one attempt. */
        Reply(int status, String servedBy) {
            this(status, servedBy, 1);
        }
    }

    /**
     * @param path starts with "/", may carry a query
     * @return the reply of the backend that answered
     * @throws IOException if the request failed on every backend tried, or the pool had nothing to pick
     *     ({@link NoBackendAvailableIOException})
     */
    Reply get(String path) throws IOException;

    /**
     * @param pool the backends; its name is the logical host of the requests (a valid host name)
     * @param client the client to send with; a balanced copy of it is made, sharing its connections and threads
     * @return requests through {@code client} + {@link LoadBalancingInterceptor} with the route's defaults
     */
    static BalancedHttp of(LoadBalancer pool, OkHttpClient client) {
        return new Intercepted(pool, client);
    }

    /** The implementation: OkHttp does the work, this only builds requests and reads the answers. */
    final class Intercepted implements BalancedHttp {

        private final OkHttpClient balanced;
        private final HttpUrl base;

        Intercepted(LoadBalancer pool, OkHttpClient client) {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(client, "client");
            this.base = HttpUrl.get("http://" + pool.name() + "/");
            this.balanced = client.newBuilder()
                    .addInterceptor(LoadBalancingInterceptor.builder().route(pool.name(), pool).build())
                    // Runs inside the balancer's chain.proceed, once per attempt, on the call's thread.
                    .addInterceptor(Intercepted::countAttempt)
                    .build();
        }

        private static Response countAttempt(Interceptor.Chain chain) throws IOException {
            AtomicInteger attempts = chain.request().tag(AtomicInteger.class); // tags survive the URL rewrite
            if (attempts != null) {
                attempts.incrementAndGet();
            }
            return chain.proceed(chain.request());
        }

        @Override
        public Reply get(String path) throws IOException {
            HttpUrl url = base.resolve(path);
            if (url == null) {
                throw new IllegalArgumentException("not a path: " + path);
            }
            AtomicInteger attempts = new AtomicInteger();
            Request request = new Request.Builder().url(url).tag(AtomicInteger.class, attempts).build();
            try (Response response = balanced.newCall(request).execute()) {
                // Reading to the end hands the outcome to the pool, so the latency it learns covers the whole answer
                // and its counters are up to date before the caller has the reply.
                response.body().bytes();
                return new Reply(response.code(), response.header(HttpBackend.SERVED_BY), attempts.get());
            }
        }
    }
}
