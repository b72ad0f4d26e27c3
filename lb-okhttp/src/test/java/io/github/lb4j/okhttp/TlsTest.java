package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.HealthCheckResult;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

/** HTTPS backends: full verification against the backend's address, or against the route name when asked. */
class TlsTest extends LbTestSupport {

    @Override
    Duration readTimeout() {
        return Duration.ofSeconds(5); // no hung backend here: a slow answer under load must not be retried elsewhere
    }

    private static final HeldCertificate ROOT = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("lb4j test root").build();
    private static final HandshakeCertificates TRUSTING = new HandshakeCertificates.Builder()
            .addTrustedCertificate(ROOT.certificate()).build();

    private TestServer httpsServer(String name, String subjectAltName) throws IOException {
        HeldCertificate cert = new HeldCertificate.Builder().addSubjectAlternativeName(subjectAltName)
                .signedBy(ROOT).build();
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(cert).build();
        return register(TestServer.startHttps(name, server.sslContext()));
    }

    private OkHttpClient tlsClient(LoadBalancingInterceptor lb, HandshakeCertificates trust, boolean wrapVerifier) {
        OkHttpClient base = new OkHttpClient.Builder()
                .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager()).build();
        OkHttpClient.Builder b = client(lb).newBuilder().sslSocketFactory(trust.sslSocketFactory(),
                trust.trustManager());
        if (wrapVerifier) {
            b.hostnameVerifier(lb.hostnameVerifier(base.hostnameVerifier()));
        }
        return track(b.build());
    }

    @Test
    void backendsOverTlsAreVerifiedAgainstTheirAddress() throws IOException {
        TestServer a = httpsServer("a", "127.0.0.1");
        TestServer b = httpsServer("b", "127.0.0.1");
        LoadBalancer orders = pool("orders", a.backend(), b.backend());
        OkHttpClient client = tlsClient(lb().route(route("orders", orders).build()).build(), TRUSTING, false);

        assertThat(get(client, "https://orders/x")).isIn("200 a", "200 b");
        assertThat(get(client, "https://orders/x")).isIn("200 a", "200 b");
        assertThat(a.requests.get()).isEqualTo(1);
        assertThat(b.requests.get()).isEqualTo(1);
    }

    @Test
    void anUntrustedCertificateIsRejected() throws IOException {
        TestServer a = httpsServer("a", "127.0.0.1");
        LoadBalancer orders = pool("orders", a.backend());
        HandshakeCertificates trustsNothingOfOurs = new HandshakeCertificates.Builder()
                .addTrustedCertificate(new HeldCertificate.Builder().certificateAuthority(0).build().certificate())
                .build();
        OkHttpClient client = tlsClient(lb().route(route("orders", orders).build()).build(), trustsNothingOfOurs,
                true);

        assertThatThrownBy(() -> get(client, "https://orders/")).isInstanceOf(SSLHandshakeException.class);
        assertThat(a.requests.get()).isZero();
        // No other backend to try: the retry's exclusion is waived and the only backend is tried again.
        assertThat(stats(orders, "a").failures()).isEqualTo(2);
    }

    @Test
    void aCertificateForTheServiceNameIsAcceptedOnlyWhenTheRouteAsksForIt() throws IOException {
        TestServer a = httpsServer("a", "orders");
        TestServer c = httpsServer("c", "orders");
        TestServer other = httpsServer("other", "billing");
        LoadBalancer orders = pool("orders", a.backend());
        LoadBalancer strict = pool("strict", c.backend());
        LoadBalancer billing = pool("billing", other.backend());
        LoadBalancingInterceptor lb = lb()
                .route(route("orders", orders).verifyCertificateAgainstRouteName(true).build())
                .route(route("strict", strict).build())
                .route(route("billing", billing).verifyCertificateAgainstRouteName(true).build())
                .build();

        // Without the wrapping verifier a certificate that does not name 127.0.0.1 is rejected.
        OkHttpClient unwrapped = tlsClient(lb, TRUSTING, false);
        assertThatThrownBy(() -> get(unwrapped, "https://orders/")).isInstanceOf(SSLPeerUnverifiedException.class);

        OkHttpClient client = tlsClient(lb, TRUSTING, true);
        assertThat(get(client, "https://orders/")).isEqualTo("200 a");
        assertThat(get(client, "https://billing/")).isEqualTo("200 other");
        // This route did not ask, and c is no member of orders: verified against its address only.
        assertThatThrownBy(() -> get(client, "https://strict/")).isInstanceOf(SSLPeerUnverifiedException.class);
        assertThat(c.requests.get()).isZero();
    }

    @Test
    void aCertificateForAnotherRoutesNameIsRejected() throws IOException {
        TestServer impostor = httpsServer("impostor", "billing"); // in orders' pool, with billing's certificate
        TestServer billingBackend = httpsServer("billing-1", "billing");
        LoadBalancer orders = pool("orders", impostor.backend());
        LoadBalancer billing = pool("billing", billingBackend.backend());
        LoadBalancingInterceptor lb = lb()
                .route(route("orders", orders).verifyCertificateAgainstRouteName(true).build())
                .route(route("billing", billing).verifyCertificateAgainstRouteName(true).build())
                .build();
        OkHttpClient client = tlsClient(lb, TRUSTING, true);

        // Same host (127.0.0.1), different port: the impostor's address is not a billing member.
        assertThatThrownBy(() -> get(client, "https://orders/")).isInstanceOf(SSLPeerUnverifiedException.class);
        assertThat(impostor.requests.get()).isZero();
        assertThat(get(client, "https://billing/")).isEqualTo("200 billing-1");
    }

    @Test
    void theHealthCheckerProbesHttpsBackendsWithTheClientsTlsSettings() throws Exception {
        TestServer a = httpsServer("a", "127.0.0.1");
        OkHttpClient trusting = track(new OkHttpClient.Builder()
                .sslSocketFactory(TRUSTING.sslSocketFactory(), TRUSTING.trustManager()).build());
        OkHttpClient untrusting = track(new OkHttpClient());

        HealthCheckResult ok = OkHttpHealthChecker.builder(trusting).https(true).path("/healthz").build()
                .check(a.backend()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        HealthCheckResult rejected = OkHttpHealthChecker.builder(untrusting).https(true).build()
                .check(a.backend()).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(ok.isHealthy()).isTrue();
        assertThat(rejected.isHealthy()).isFalse();
        assertThat(rejected.reason()).contains("SSLHandshakeException");
        assertThat(a.recorded).extracting(r -> r.pathAndQuery).containsExactly("/healthz");
    }
}
