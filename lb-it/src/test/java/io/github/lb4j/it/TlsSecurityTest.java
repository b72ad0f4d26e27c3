package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.HealthCheckResult;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.okhttp.OkHttpHealthChecker;
import io.github.lb4j.http.Route;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

/**
 * TLS: a backend with a wrong certificate (untrusted issuer, another name, expired) is rejected, counted as a failure
 * of that backend and skipped; verification against the route name still needs a trusted chain and that name; health
 * checks verify like the client; and the library ships nothing that could accept a certificate on its own.
 */
class TlsSecurityTest extends ItSupport {

    private static final HeldCertificate ROOT = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("lb4j it root").build();
    private static final HeldCertificate ROGUE_ROOT = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("lb4j it rogue root").build();
    private static final HandshakeCertificates TRUSTING = new HandshakeCertificates.Builder()
            .addTrustedCertificate(ROOT.certificate()).build();

    private LoopbackServer https(String name, HeldCertificate issuer, String subjectAltName, boolean expired)
            throws IOException {
        HeldCertificate.Builder b = new HeldCertificate.Builder().addSubjectAlternativeName(subjectAltName)
                .signedBy(issuer);
        if (expired) {
            long now = System.currentTimeMillis();
            b.validityInterval(now - TimeUnit.DAYS.toMillis(30), now - TimeUnit.DAYS.toMillis(1));
        }
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(b.build(),
                issuer.certificate()).build();
        return register(LoopbackServer.https(name, server.sslContext()));
    }

    private OkHttpClient tlsClient(LoadBalancingInterceptor lb, HostnameVerifier verifier) {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .addInterceptor(lb)
                .sslSocketFactory(TRUSTING.sslSocketFactory(), TRUSTING.trustManager())
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .callTimeout(Duration.ofSeconds(10));
        if (verifier != null) {
            b.hostnameVerifier(verifier);
        }
        return track(b.build());
    }

    private static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void backendsWithWrongCertificatesAreRejectedCountedAsFailuresAndSkipped() throws Exception {
        LoopbackServer untrusted = https("untrusted", ROGUE_ROOT, "127.0.0.1", false);
        LoopbackServer wrongName = https("wrong-name", ROOT, "billing.example", false);
        LoopbackServer expired = https("expired", ROOT, "127.0.0.1", true);
        LoopbackServer good = https("good", ROOT, "127.0.0.1", false);
        LoadBalancer orders = track(LoadBalancer.builder("orders")
                .backends(List.of(untrusted.backend(), wrongName.backend(), expired.backend(), good.backend()))
                .outlierDetection(OutlierDetection.disabled()) // keep picking them: every pick is a rejection
                .build());
        OkHttpClient client = tlsClient(LoadBalancingInterceptor.builder()
                .route(Route.builder("orders", orders).maxAttempts(4).backoff(Duration.ZERO, Duration.ZERO)
                        .retryBudget(1.0, 1000).build())
                .build(), null);

        // Few calls: every attempt on a bad backend is a fresh TLS handshake (a rejected connection is not pooled).
        for (int i = 0; i < 12; i++) {
            Request.Builder r = new Request.Builder().url("https://orders/items")
                    .header(LoopbackServer.REQUEST_ID, "tls-" + i);
            if (i % 4 == 3) {
                r.post(RequestBody.create("order tls-" + i, MediaType.get("text/plain")));
            }
            try (Response response = client.newCall(r.build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.body().string()).isEqualTo("good");
            }
        }

        for (LoopbackServer bad : List.of(untrusted, wrongName, expired)) {
            assertThat(bad.recorded).as("requests %s received", bad.name).isEmpty();
            assertThat(bad.accepted.get()).as("TLS connections to %s", bad.name).isPositive();
            assertThat(stats(orders, bad.name).failures()).as("failures of %s", bad.name).isPositive();
            assertThat(stats(orders, bad.name).successes()).isZero();
        }
        assertThat(good.recorded).hasSize(12);
        assertThat(good.postsById).hasSize(3).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        assertThat(stats(orders, "good").failures()).isZero();
        assertNothingInFlight(orders);
        assertNoLeakedConnection(client);

        // One at a time, each rejection is what the JDK's verification says, and nothing is retried into success.
        assertRejected(untrusted, SSLHandshakeException.class);
        assertRejected(wrongName, SSLPeerUnverifiedException.class);
        assertRejected(expired, SSLHandshakeException.class);
    }

    private void assertRejected(LoopbackServer bad, Class<? extends IOException> expected) {
        LoadBalancer alone = track(LoadBalancer.builder(bad.name).backends(List.of(bad.backend())).build());
        OkHttpClient client = tlsClient(LoadBalancingInterceptor.builder().route("alone", alone).build(), null);
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url("https://alone/").build()).execute())
                .as(bad.name).isInstanceOf(expected);
        assertThat(stats(alone, bad.name).failures()).isPositive();
        assertThat(bad.recorded).isEmpty();
    }

    @Test
    void routeNameVerificationStillNeedsATrustedChainAndTheRoutesName() throws Exception {
        LoopbackServer named = https("named", ROOT, "orders", false);
        LoopbackServer rogue = https("rogue", ROGUE_ROOT, "orders", false);
        LoopbackServer other = https("other", ROOT, "billing", false);
        LoadBalancer ok = track(LoadBalancer.builder("ok").backends(List.of(named.backend())).build());
        LoadBalancer untrusted = track(LoadBalancer.builder("untrusted").backends(List.of(rogue.backend())).build());
        LoadBalancer misnamed = track(LoadBalancer.builder("misnamed").backends(List.of(other.backend())).build());
        LoadBalancingInterceptor lb = LoadBalancingInterceptor.builder()
                .route(Route.builder("orders", ok).verifyCertificateAgainstRouteName(true).build())
                .route(Route.builder("orders-untrusted", untrusted).verifyCertificateAgainstRouteName(true).build())
                .route(Route.builder("orders-misnamed", misnamed).verifyCertificateAgainstRouteName(true).build())
                .build();
        OkHttpClient client = tlsClient(lb, lb.hostnameVerifier(OkHttpClientDefaults.HOSTNAME_VERIFIER));

        try (Response response = client.newCall(new Request.Builder().url("https://orders/").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("named");
        }
        // "orders" on a certificate from an untrusted issuer: the chain fails before any name is looked at.
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url("https://orders-untrusted/").build())
                .execute()).isInstanceOf(SSLHandshakeException.class);
        // A trusted certificate for another name than this route's.
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url("https://orders-misnamed/").build())
                .execute()).isInstanceOf(SSLPeerUnverifiedException.class);
        assertThat(stats(untrusted, "rogue").failures()).isPositive();
        assertThat(stats(misnamed, "other").failures()).isPositive();

        // The wrapper only widens what its delegate accepts; a delegate that accepts nothing rejects everything.
        OkHttpClient nothingPasses = tlsClient(lb, lb.hostnameVerifier((host, session) -> false));
        assertThatThrownBy(() -> nothingPasses.newCall(new Request.Builder().url("https://orders/").build())
                .execute()).isInstanceOf(SSLPeerUnverifiedException.class);
        assertThat(named.recorded).hasSize(1);
        assertThat(rogue.recorded).isEmpty();
        assertThat(other.recorded).isEmpty();
    }

    @Test
    void healthChecksVerifyCertificatesLikeTheClient() throws Exception {
        LoopbackServer good = https("good", ROOT, "127.0.0.1", false);
        LoopbackServer untrusted = https("untrusted", ROGUE_ROOT, "127.0.0.1", false);
        LoopbackServer wrongName = https("wrong-name", ROOT, "billing.example", false);
        LoopbackServer expired = https("expired", ROOT, "127.0.0.1", true);
        OkHttpClient app = track(new OkHttpClient.Builder()
                .sslSocketFactory(TRUSTING.sslSocketFactory(), TRUSTING.trustManager()).build());
        OkHttpHealthChecker checker = OkHttpHealthChecker.builder(app).https(true).build();

        assertThat(check(checker, good).isHealthy()).isTrue();
        for (LoopbackServer bad : List.of(untrusted, wrongName, expired)) {
            HealthCheckResult result = check(checker, bad);
            assertThat(result.isHealthy()).as(bad.name).isFalse();
            assertThat(result.reason()).as(bad.name).containsAnyOf("SSLHandshakeException",
                    "SSLPeerUnverifiedException");
            assertThat(bad.recorded).isEmpty();
        }
        assertThat(good.recorded).extracting(LoopbackServer.Recorded::target).containsExactly("/health");
    }

    private static HealthCheckResult check(OkHttpHealthChecker checker, LoopbackServer server) throws Exception {
        return checker.check(server.backend()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * The library never disables verification: none of its classes is a trust manager, a socket factory or a
     * hostname verifier of its own making, except the route-name verifier, which only ever accepts what the
     * application's verifier accepts (tested above).
     */
    @Test
    void theLibraryShipsNoTrustManagerAndNoVerifierThatDecidesOnItsOwn() throws Exception {
        List<Class<?>> classes = new ArrayList<>();
        classes.addAll(classesBeside(LoadBalancer.class));
        classes.addAll(classesBeside(io.github.lb4j.http.HttpBalancer.class));
        classes.addAll(classesBeside(LoadBalancingInterceptor.class));
        assertThat(classes).as("library classes found").hasSizeGreaterThan(50);

        assertThat(classes).filteredOn(c -> TrustManager.class.isAssignableFrom(c)).isEmpty();
        assertThat(classes).filteredOn(c -> SocketFactory.class.isAssignableFrom(c)
                || SSLSocketFactory.class.isAssignableFrom(c)).isEmpty();
        assertThat(classes).filteredOn(c -> HostnameVerifier.class.isAssignableFrom(c))
                .extracting(Class::getSimpleName).containsExactly("RouteNameHostnameVerifier");
    }

    /** Every class in the jar or classes directory that {@code anchor} was loaded from. */
    private static List<Class<?>> classesBeside(Class<?> anchor) throws IOException, URISyntaxException,
            ClassNotFoundException {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                names = files.filter(p -> p.toString().endsWith(".class"))
                        .map(p -> location.relativize(p).toString().replace(File.separatorChar, '/'))
                        .collect(Collectors.toList());
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.endsWith(".class")) {
                        names.add(name);
                    }
                }
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith("module-info.class") || name.endsWith("package-info.class")) {
                continue;
            }
            String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
            classes.add(Class.forName(className, false, anchor.getClassLoader()));
        }
        return classes;
    }

    /** The JDK-independent default OkHttp installs (OkHostnameVerifier), taken from a default client. */
    private static final class OkHttpClientDefaults {
        static final HostnameVerifier HOSTNAME_VERIFIER = new OkHttpClient().hostnameVerifier();
    }
}
