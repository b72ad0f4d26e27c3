package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import io.github.lb4j.okhttp.OkHttpLeakLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared fixture of the integration tests: loopback servers, pools and clients that are closed after each test,
 * the soak factor, and the end-of-scenario checks (nothing in flight, no connection held, no POST delivered twice).
 */
abstract class ItSupport {

    /** {@code -Dlb4j.soak=true} multiplies every request count by {@code lb4j.soak.factor} (default 10). */
    static final int SCALE = Boolean.getBoolean("lb4j.soak") ? Integer.getInteger("lb4j.soak.factor", 10) : 1;
    /** Client threads driving each scenario. */
    static final int THREADS = 8;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<LoadBalancer> pools = new ArrayList<>();
    private final List<OkHttpClient> clients = new ArrayList<>();
    private final OkHttpLeakLog leakLog = new OkHttpLeakLog();

    @BeforeEach
    void captureOkHttpWarnings() {
        leakLog.start();
    }

    @AfterEach
    void closeEverything() throws Exception {
        leakLog.stop();
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        for (LoadBalancer pool : pools) {
            pool.close();
        }
        clients.forEach(OkHttpLeakLog::shutdown);
        if (first != null) {
            throw first;
        }
    }

    <T extends AutoCloseable> T register(T resource) {
        resources.push(resource);
        return resource;
    }

    LoopbackServer server(String name) throws IOException {
        return register(LoopbackServer.start(name));
    }

    LoopbackServer recordingServer(String name) throws IOException {
        return register(LoopbackServer.recording(name));
    }

    LoadBalancer track(LoadBalancer pool) {
        pools.add(pool);
        return pool;
    }

    OkHttpClient track(OkHttpClient client) {
        clients.add(client);
        return client;
    }

    /**
     * A client for load: the balancer, then the attempt counter (which sees each attempt the balancer makes),
     * the given read timeout, 1 s to connect, and a call timeout that bounds every call, retries included.
     */
    OkHttpClient loadClient(Interceptor balancer, Duration readTimeout, Duration callTimeout) {
        // At-most-once POSTs need OkHttp's own connection retry off, as the README and the interceptor's javadoc
        // tell users: with it on, OkHttp resends a POST whose pooled connection a crash reset after the server had
        // read it, below every interceptor, and the scenarios' at-most-once check counted that as the library's.
        return track(new OkHttpClient.Builder()
                .retryOnConnectionFailure(false)
                .addInterceptor(balancer)
                .addInterceptor(Load::countAttempt)
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(readTimeout)
                .writeTimeout(Duration.ofSeconds(1))
                .callTimeout(callTimeout)
                .build());
    }

    Load load(OkHttpClient client, String url, String runId) {
        return register(new Load(ClientAdapter.okhttp(client, "okhttp"), url, THREADS, 4, runId));
    }

    /** No call in flight on any backend of the pool (draining ones included). */
    static void assertNothingInFlight(LoadBalancer pool) {
        for (BackendStats s : pool.stats()) {
            assertThat(s.inFlight()).as("calls in flight on %s of pool %s", s.backend().id(), pool.name()).isZero();
        }
    }

    /**
     * Every connection of the client's pool is idle (none held by a response left open), and OkHttp reported no
     * leaked connection. Polls briefly: a connection whose call just failed is closed by OkHttp's own threads.
     */
    void assertNoLeakedConnection(OkHttpClient client) {
        ConnectionPool cp = client.connectionPool();
        Waits.until("every pooled connection to be idle (" + cp.connectionCount() + " pooled, "
                + cp.idleConnectionCount() + " idle)", Duration.ofSeconds(5),
                () -> cp.connectionCount() == cp.idleConnectionCount());
        leakLog.assertNoLeak();
    }

    /**
     * Every POST arrived at most once over all servers, and a POST the caller saw succeed arrived exactly once.
     * Also: no server saw a POST id that the load never sent, nor any id twice.
     */
    static void assertPostsAtMostOnce(List<Load.Call> calls, LoopbackServer... servers) {
        long posts = 0;
        for (Load.Call c : calls) {
            if (!c.method().equals("POST")) {
                continue;
            }
            posts++;
            int delivered = 0;
            for (LoopbackServer s : servers) {
                delivered += s.postsWithId(c.id());
            }
            assertThat(delivered).as("deliveries of POST %s (%s)", c.id(), c.ok() ? "succeeded" : "failed: "
                    + (c.error() != null ? c.error() : "HTTP " + c.status())).isLessThanOrEqualTo(1);
            if (c.ok() || c.status() > 0) {
                // The caller got a response: the request was delivered, exactly once.
                assertThat(delivered).as("deliveries of POST %s answered with %d", c.id(), c.status()).isEqualTo(1);
            }
        }
        assertThat(posts).as("POSTs sent").isPositive();
        for (LoopbackServer s : servers) {
            s.postsById.forEach((id, n) -> assertThat(n.get()).as("deliveries of %s at %s", id, s.name)
                    .isEqualTo(1));
        }
    }

    /** Elements of a list of calls that failed, for messages. */
    static List<String> describe(List<Load.Call> failed) {
        return describe(failed, 5);
    }

    /** The first {@code max} of a list of calls that failed, for messages. */
    static List<String> describe(List<Load.Call> failed, int max) {
        List<String> out = new ArrayList<>();
        for (Load.Call c : failed.subList(0, Math.min(max, failed.size()))) {
            out.add(c.method() + " " + c.id() + " -> " + (c.error() != null ? c.error() + ": "
                    + c.exceptionMessage() : "HTTP " + c.status()) + " after " + c.attempts() + " attempt(s)");
        }
        return out;
    }
}
