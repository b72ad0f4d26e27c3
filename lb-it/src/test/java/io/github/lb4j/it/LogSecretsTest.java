package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.ActiveHealthCheck;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.okhttp.OkHttpHealthChecker;
import io.github.lb4j.http.Route;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No header, body or query string in any log line at any level: a run with secrets in all of them (and in the path,
 * the sticky hash key and the responses), through failures, retries, timeouts, ejections, health checks, a crash,
 * membership changes, pinned and rejected requests, with every SLF4J logger at TRACE writing to one file, OkHttp's
 * java.util.logging at ALL and standard output and error captured. Then none of the secrets may appear anywhere in
 * that output, nor in the exceptions the callers received (which applications log).
 *
 * <p>Runs in a JVM of its own (the {@code log-secrets} surefire execution), so that the TRACE level and the log file
 * are in place before the first logger exists. The tag keeps it there even when {@code -Dtest} patterns override
 * the executions' includes and excludes.
 */
@Tag(LogSecretsTest.OWN_JVM)
class LogSecretsTest extends ItSupport {

    /** The tag of tests that need a JVM of their own (see the surefire executions in lb-it's pom). */
    static final String OWN_JVM = "own-jvm";

    private static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

    static {
        // Run on its own (-Dtest=LogSecretsTest) the surefire execution's properties are missing: set them before
        // the first logger is created. In a JVM where loggers already exist, the level check below fails instead.
        if (System.getProperty(LOG_FILE_PROPERTY) == null) {
            System.setProperty(LOG_FILE_PROPERTY, "target/log-secrets-all-levels.log");
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "trace");
        }
    }

    private static final String AUTH = "S3CRET-authorization-7f3a9c";
    private static final String COOKIE = "S3CRET-cookie-2b8e14";
    private static final String API_KEY = "S3CRET-apikey-c0ffee";
    private static final String QUERY = "S3CRET-query-91d2aa";
    private static final String PATH = "S3CRET-path-5e6f70";
    private static final String BODY = "S3CRET-body-0a1b2c";
    private static final String STICKY = "S3CRET-sticky-key-d4e5f6";
    private static final String RESPONSE_BODY = "S3CRET-response-body-778899";
    private static final String RESPONSE_COOKIE = "S3CRET-response-cookie-aabbcc";
    private static final List<String> SECRETS = List.of(AUTH, COOKIE, API_KEY, QUERY, PATH, BODY, STICKY,
            RESPONSE_BODY, RESPONSE_COOKIE);

    /** Every exception a caller received, with causes, suppressed ones and stack traces, as an application logs it. */
    private final List<String> callerExceptions = new CopyOnWriteArrayList<>();

    private Request request(String route, int i) {
        Request.Builder b = new Request.Builder()
                .url("http://" + route + "/users/" + PATH + "/orders?token=" + QUERY + "&page=" + i)
                .header("Authorization", "Bearer " + AUTH)
                .header("Cookie", "sid=" + COOKIE)
                .header("X-Api-Key", API_KEY)
                .header("X-Session", STICKY);
        if (i % 3 == 0) {
            b.post(RequestBody.create("{\"card\":\"" + BODY + "\"}", MediaType.get("application/json")));
        }
        return b.build();
    }

    private void call(OkHttpClient client, Request request) {
        try (Response response = client.newCall(request).execute()) {
            response.body().string();
        } catch (IOException | RuntimeException e) {
            if (request.url().host().equals("legacy")) {
                return; // the application's own exception carries its URL: not the library's to judge
            }
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            callerExceptions.add(w.toString());
        }
    }

    @Test
    void noSecretReachesAnyLogLineAtAnyLevel() throws Exception {
        assertThat(LoggerFactory.getLogger(LoadBalancer.class).isTraceEnabled())
                .as("TRACE must be on for every logger: run in the log-secrets execution or on its own").isTrue();
        Path logFile = Path.of(System.getProperty(LOG_FILE_PROPERTY));

        // java.util.logging (OkHttp's own logging) at every level, and whatever is printed to stdout/stderr.
        List<String> jul = new CopyOnWriteArrayList<>();
        SimpleFormatter formatter = new SimpleFormatter();
        Handler julCapture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                jul.add(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        julCapture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        Logger okhttp = Logger.getLogger("okhttp3");
        Level rootLevel = root.getLevel();
        root.addHandler(julCapture);
        root.setLevel(Level.ALL);
        okhttp.setLevel(Level.ALL);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(new Tee(out, printed), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, printed), true, StandardCharsets.UTF_8));
        try {
            run();
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.removeHandler(julCapture);
            root.setLevel(rootLevel);
            okhttp.setLevel(null);
        }

        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        // The run produced the lines that could leak: per-attempt retries (DEBUG), ejections (WARN), health checks,
        // membership changes, panic mode.
        assertThat(log).contains("DEBUG", "WARN", "INFO")
                .contains("retrying on", "ejected", "health check", "membership", "pool 'panicky' in panic mode");
        String console = printed.toString(StandardCharsets.UTF_8);
        String julText = String.join("\n", jul);
        String exceptions = String.join("\n", callerExceptions);
        assertThat(callerExceptions).as("the run's failures reached callers").hasSizeGreaterThan(5);
        for (String secret : SECRETS) {
            assertThat(log).as("SLF4J output (%s)", logFile).doesNotContain(secret);
            assertThat(console).as("standard output and error").doesNotContain(secret);
            assertThat(julText).as("java.util.logging output").doesNotContain(secret);
            assertThat(exceptions).as("exceptions thrown to callers").doesNotContain(secret);
        }
        System.out.printf("[log secrets] %d bytes of SLF4J output at TRACE, %d java.util.logging records, %d caller"
                + " exceptions: no secret in any of them%n", log.length(), jul.size(), callerExceptions.size());
    }

    private void run() throws Exception {
        LoopbackServer ok1 = recordingServer("ok1");
        LoopbackServer ok2 = recordingServer("ok2");
        LoopbackServer failing = recordingServer("failing");
        LoopbackServer hole = recordingServer("hole");
        LoopbackServer crashing = recordingServer("crashing");
        hole.blackhole = true;
        for (LoopbackServer s : List.of(ok1, ok2, crashing)) {
            s.responder = r -> new LoopbackServer.Reply(200, s.name + " " + RESPONSE_BODY,
                    Map.of("Set-Cookie", "resp=" + RESPONSE_COOKIE));
        }
        failing.responder = r -> r.target().startsWith("/health") ? LoopbackServer.Reply.of(200, "up")
                : new LoopbackServer.Reply(503, "down " + RESPONSE_BODY, Map.of("Set-Cookie", "resp="
                + RESPONSE_COOKIE));
        OkHttpClient plain = track(new OkHttpClient.Builder().readTimeout(Duration.ofMillis(200)).build());
        ActiveHealthCheck checks = ActiveHealthCheck.builder(OkHttpHealthChecker.builder(plain)
                        .timeout(Duration.ofMillis(200)).build())
                .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(300)).build();
        OutlierDetection quick = OutlierDetection.builder().consecutiveFailures(2)
                .baseEjectionTime(Duration.ofMillis(200)).maxEjectionTime(Duration.ofMillis(500)).build();
        List<Backend> backends = List.of(ok1.backend(), failing.backend(), hole.backend(), crashing.backend(),
                ok2.backend());
        LoadBalancer orders = track(LoadBalancer.builder("orders").backends(backends).outlierDetection(quick)
                .healthCheck(checks).build());
        LoadBalancer sticky = track(LoadBalancer.builder("sticky").backends(backends).strategy(Strategy.ringHash())
                .outlierDetection(quick).build());
        LoopbackServer gone = recordingServer("gone");
        gone.crash();
        LoadBalancer dead = track(LoadBalancer.builder("dead").backends(List.of(gone.backend()))
                .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).maxEjectionPercent(100).build())
                .panicThreshold(0).build());
        // Panic mode, for certain: both backends down, each ejected at its first failure (the 503s and timeouts of
        // the pools above eject and return on timing alone, so three of five out at once, their panic, is luck).
        LoopbackServer down1 = recordingServer("down1");
        LoopbackServer down2 = recordingServer("down2");
        down1.crash();
        down2.crash();
        LoadBalancer panicky = track(LoadBalancer.builder("panicky").backends(List.of(down1.backend(),
                down2.backend())).outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
                .maxEjectionPercent(100).build()).build());
        // A backend behind an application interceptor whose exceptions carry the whole URL, query string included,
        // as many wrappers' messages do: the library reports such an exception to the pool as the failure's cause,
        // and must not log it.
        LoopbackServer legacyServer = recordingServer("legacy");
        LoadBalancer legacy = track(LoadBalancer.builder("legacy").backends(List.of(legacyServer.backend()))
                .outlierDetection(quick).build());
        LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder()
                .route(Route.builder("legacy", legacy).build())
                .route(Route.builder("orders", orders).maxAttempts(3).backoff(Duration.ZERO, Duration.ofMillis(5))
                        .build())
                .route(Route.builder("sticky", sticky).hashKeyFromHeader("X-Session").maxAttempts(3)
                        .backoff(Duration.ZERO, Duration.ofMillis(5)).build())
                .route(Route.builder("dead", dead).build())
                .route(Route.builder("panicky", panicky).maxAttempts(2).backoff(Duration.ZERO, Duration.ZERO).build())
                .rejectUnknownHosts(true)
                .build();
        OkHttpClient client = track(new OkHttpClient.Builder().addInterceptor(lb)
                .addInterceptor(chain -> {
                    if (chain.request().url().port() == legacyServer.port()) {
                        throw new IOException("legacy call " + chain.request().method() + " " + chain.request().url()
                                + " failed");
                    }
                    return chain.proceed(chain.request());
                })
                .readTimeout(Duration.ofMillis(200)).callTimeout(Duration.ofSeconds(5)).build());

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < 60; i++) {
                    call(client, request(i % 3 == 0 ? "orders" : i % 3 == 1 ? "sticky" : "legacy",
                            thread * 1000 + i));
                }
            }, "secrets-load-" + t);
            threads.add(th);
            th.start();
        }
        Waits.until("a health check of each backend", Duration.ofSeconds(10), () -> List.of(ok1, ok2, failing)
                .stream().allMatch(s -> s.recorded.stream().anyMatch(r -> r.target().startsWith("/health"))));
        crashing.crash();
        for (Thread th : threads) {
            th.join(60_000);
        }
        // Rarer paths: a pool with nothing to pick, a pinned backend that is out, an explicit port, an unknown host.
        for (int i = 0; i < 3; i++) {
            call(client, request("dead", i));
        }
        // One call: the first attempt ejects one backend, the retry the other; 0 of 2 available is panic mode.
        call(client, request("panicky", 1));
        call(client, request("panicky", 2));
        call(client, request("orders", 1).newBuilder().tag(RequestContext.class, RequestContext.ofPinned("hole"))
                .build());
        call(client, request("orders", 2).newBuilder().url("http://orders:8443/users/" + PATH + "?token=" + QUERY)
                .build());
        call(client, request("orders", 4).newBuilder().url("http://unknown-" + "service/users/" + PATH + "?token="
                + QUERY).build());
        // Membership changes.
        orders.updateBackends(List.of(ok1.backend(), ok2.backend()));
        orders.updateBackends(backends);
        call(client, request("orders", 5));
        orders.close();
        sticky.close();
        dead.close();
        panicky.close();
        legacy.close();
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            a.flush();
        }
    }
}
