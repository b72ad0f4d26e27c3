package io.github.lb4j.examples;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.http.NoBackendAvailableIOException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * another {@code chain.proceed}), so each {@link Exchange} lists the attempts of its request and how each ended.
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
     * One attempt, as the client saw it.
     *
     * @param authority {@code host:port} of the backend the balancer sent it to
     * @param failed true when it brought no answer: an exception (refused, reset, timeout) or a 5xx, which is what
     *     the balancer reports to the pool as a failure
     */
    record Attempt(String authority, boolean failed) {
    }

    /**
     * One logical request, whatever its end: the reply ({@code null} when it failed with an exception), the
     * exception, and every attempt in order. Every attempt but the last failed and was retried.
     */
    record Exchange(Reply reply, IOException error, List<Attempt> attempts) {

        /** @return true when the request got an HTTP answer below 500 */
        boolean answered() {
            return reply != null && reply.status() < 500;
        }
    }

    /**
     * @param path starts with "/", may carry a query
     * @return the reply of the backend that answered
     * @throws IOException if the request failed on every backend tried, or the pool had nothing to pick
     *     ({@link NoBackendAvailableIOException})
     */
    default Reply get(String path) throws IOException {
        Exchange e = exchange(path);
        if (e.error() != null) {
            throw e.error();
        }
        return e.reply();
    }

    /**
     * @param path starts with "/", may carry a query
     * @return the request's reply or exception, and its attempts; never throws for a failed request
     */
    Exchange exchange(String path);

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

        /** The attempts of one request, in order; written by the call's own thread only. */
        private static final class AttemptLog {
            final List<Attempt> attempts = new ArrayList<>();

            void failLast() {
                if (!attempts.isEmpty()) {
                    Attempt last = attempts.remove(attempts.size() - 1);
                    attempts.add(new Attempt(last.authority(), true));
                }
            }
        }

        private static Response countAttempt(Interceptor.Chain chain) throws IOException {
            AttemptLog log = chain.request().tag(AttemptLog.class); // tags survive the URL rewrite
            if (log == null) {
                return chain.proceed(chain.request());
            }
            HttpUrl url = chain.request().url();
            String authority = url.host() + ":" + url.port();
            try {
                Response response = chain.proceed(chain.request());
                log.attempts.add(new Attempt(authority, response.code() >= 500));
                return response;
            } catch (IOException | RuntimeException e) {
                log.attempts.add(new Attempt(authority, true));
                throw e;
            }
        }

        @Override
        public Exchange exchange(String path) {
            HttpUrl url = base.resolve(path);
            if (url == null) {
                throw new IllegalArgumentException("not a path: " + path);
            }
            AttemptLog log = new AttemptLog();
            Request request = new Request.Builder().url(url).tag(AttemptLog.class, log).build();
            try (Response response = balanced.newCall(request).execute()) {
                try {
                    // Reading to the end hands the outcome to the pool, so the latency it learns covers the whole
                    // answer and its counters are up to date before the caller has the reply.
                    response.body().bytes();
                } catch (IOException e) {
                    log.failLast(); // the balancer reports a body that breaks off as the attempt's failure
                    return new Exchange(null, e, List.copyOf(log.attempts));
                }
                return new Exchange(new Reply(response.code(), response.header(HttpBackend.SERVED_BY),
                        log.attempts.size()), null, List.copyOf(log.attempts));
            } catch (IOException e) {
                return new Exchange(null, e, List.copyOf(log.attempts));
            }
        }
    }
}
