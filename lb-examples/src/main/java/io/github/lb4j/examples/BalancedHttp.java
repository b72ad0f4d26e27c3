package io.github.lb4j.examples;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
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
 * another {@code chain.proceed}), so each {@link Exchange} lists the attempts of its request and how each ended. A
 * route with hedging or a per-try timeout ({@link #of(LoadBalancer, OkHttpClient, Route)}) sends its attempts as
 * calls of their own on an attempt client, which carries the same counting interceptor; there an attempt canceled
 * because another one answered first (a hedge that lost, or the attempt a hedge beat) is not listed, nor an answer
 * that came second and was discarded: each request lists its failed attempts and at most one answer.
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
        return new Intercepted(pool, client, null);
    }

    /**
     * @param pool the backends; its name is the logical host of the requests
     * @param client the client to send with; balanced and attempt copies of it are made
     * @param route the route of {@code pool}'s name, for example with hedging or a per-try timeout
     * @return requests through {@code client} + {@link LoadBalancingInterceptor} with {@code route}
     */
    static BalancedHttp of(LoadBalancer pool, OkHttpClient client, Route route) {
        Objects.requireNonNull(route, "route");
        if (!route.name().equals(pool.name())) {
            throw new IllegalArgumentException("route.name must be the pool's name '" + pool.name() + "', got '"
                    + route.name() + "'");
        }
        return new Intercepted(pool, client, route);
    }

    /** The implementation: OkHttp does the work, this only builds requests and reads the answers. */
    final class Intercepted implements BalancedHttp {

        private final OkHttpClient balanced;
        private final HttpUrl base;

        Intercepted(LoadBalancer pool, OkHttpClient client, Route route) {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(client, "client");
            this.base = HttpUrl.get("http://" + pool.name() + "/");
            LoadBalancingInterceptor.Builder lb = LoadBalancingInterceptor.builder();
            if (route == null) {
                lb.route(pool.name(), pool);
            } else {
                lb.route(route);
                if (route.perTryTimeout() != null || route.hedging() != null) {
                    // Racing attempts are calls of their own on this client, on lb-http's attempt threads.
                    lb.attemptClient(client.newBuilder().addInterceptor(Intercepted::countAttempt).build());
                }
            }
            this.balanced = client.newBuilder()
                    .addInterceptor(lb.build())
                    // Runs inside the balancer's chain.proceed, once per attempt, on the call's thread.
                    .addInterceptor(Intercepted::countAttempt)
                    .build();
        }

        /** The attempts of one request, in the order they ended; racing attempts add from several threads. */
        private static final class AttemptLog {
            private final List<Attempt> attempts = new ArrayList<>();

            synchronized void add(Attempt attempt) {
                attempts.add(attempt);
            }

            /** @return the failed attempts, then the first answer if any (a later one was raced and discarded) */
            synchronized List<Attempt> settled() {
                List<Attempt> out = new ArrayList<>();
                Attempt answer = null;
                for (Attempt a : attempts) {
                    if (a.failed()) {
                        out.add(a);
                    } else if (answer == null) {
                        answer = a;
                    }
                }
                if (answer != null) {
                    out.add(answer);
                }
                return out;
            }

            /** @return {@link #settled()} with its last attempt marked failed (its body broke off) */
            synchronized List<Attempt> settledFailingLast() {
                List<Attempt> out = settled();
                if (!out.isEmpty()) {
                    Attempt last = out.remove(out.size() - 1);
                    out.add(new Attempt(last.authority(), true));
                }
                return out;
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
                log.add(new Attempt(authority, response.code() >= 500));
                return response;
            } catch (IOException | RuntimeException e) {
                if (!chain.call().isCanceled()) {
                    log.add(new Attempt(authority, true));
                } // else a racing attempt the balancer canceled: another attempt answered first
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
                    // the balancer reports a body that breaks off as the attempt's failure
                    return new Exchange(null, e, List.copyOf(log.settledFailingLast()));
                }
                List<Attempt> attempts = List.copyOf(log.settled());
                return new Exchange(new Reply(response.code(), response.header(HttpBackend.SERVED_BY),
                        attempts.size()), null, attempts);
            } catch (IOException e) {
                return new Exchange(null, e, List.copyOf(log.settled()));
            }
        }
    }
}
