package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.LoopbackServer;
import io.github.lb4j.http.conformance.TestCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Route-name certificates: a backend addressed by IP presents a certificate for the route's name, and the JDK's own
 * trust manager checks it against that name, never against nothing.
 */
class JdkTlsTest extends JdkTestSupport {

    private LoadBalancedHttpClient tlsClient(SSLContext trust, Route route) {
        HttpClient plain = HttpClient.newBuilder().executor(executor).sslContext(trust)
                .connectTimeout(Duration.ofSeconds(2)).build();
        return register(LoadBalancedHttpClient.builder(plain).route(route).build());
    }

    @Test
    void aCertificateForTheRouteNameIsAcceptedWhereTheRouteSaysSo() throws Exception {
        TestCertificates orders = TestCertificates.forName("orders");
        LoopbackServer tls = register(LoopbackServer.https("tls", orders.serverContext));
        Route route = Route.builder("orders", pool("orders", tls)).verifyCertificateAgainstRouteName(true).build();
        LoadBalancedHttpClient client = tlsClient(orders.clientContext, route);
        assertThat(client.send(request("https://orders/").build(), BodyHandlers.ofString()).body()).isEqualTo("tls");
        assertThat(client.sendAsync(request("https://orders/").build(), BodyHandlers.ofString()).get().body())
                .isEqualTo("tls");
        assertThat(tls.requests).hasValue(2);
    }

    @Test
    void aCertificateForAnotherNameIsRefusedAndNothingIsSent() throws Exception {
        TestCertificates billing = TestCertificates.forName("billing");
        LoopbackServer tls = register(LoopbackServer.https("tls", billing.serverContext));
        LoadBalancer pool = pool("orders", tls);
        Route route = Route.builder("orders", pool).maxAttempts(1).verifyCertificateAgainstRouteName(true).build();
        LoadBalancedHttpClient client = tlsClient(billing.clientContext, route);
        assertThatThrownBy(() -> client.send(request("https://orders/").build(), BodyHandlers.ofString()))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(cause(e, SSLHandshakeException.class)).isNotNull());
        assertThat(tls.requests).hasValue(0);
        assertThat(stats(pool, "tls").failures()).isEqualTo(1);
    }

    @Test
    void withoutTheRouteOptionTheBackendsAddressIsChecked() throws Exception {
        TestCertificates orders = TestCertificates.forName("orders");
        LoopbackServer tls = register(LoopbackServer.https("tls", orders.serverContext));
        Route route = Route.builder("orders", pool("orders", tls)).maxAttempts(1).build();
        LoadBalancedHttpClient client = tlsClient(orders.clientContext, route);
        assertThatThrownBy(() -> client.send(request("https://orders/").build(), BodyHandlers.ofString()))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(cause(e, SSLHandshakeException.class)).isNotNull());
        assertThat(tls.requests).hasValue(0);
    }

    @Test
    void onlyTheRoutesOwnBackendsAreCheckedAgainstItsName() {
        LoadBalancer pool = pool("orders", Backend.of("127.0.0.1", 8443), Backend.of("::1", 8443));
        Route route = Route.builder("orders", pool).verifyCertificateAgainstRouteName(true).build();
        assertThat(RouteNameSslContext.peerHost(route, "127.0.0.1", 8443)).isEqualTo("orders");
        assertThat(RouteNameSslContext.peerHost(route, "[::1]", 8443)).isEqualTo("orders");
        assertThat(RouteNameSslContext.peerHost(route, "127.0.0.1", 443)).as("another port").isEqualTo("127.0.0.1");
        assertThat(RouteNameSslContext.peerHost(route, "example.com", 8443)).isEqualTo("example.com");
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
