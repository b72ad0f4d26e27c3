package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Route.Builder#preserveHostHeader}: runs in its own surefire execution, whose JVM has
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host} (the JDK reads it once, so it cannot be set by a test).
 */
class JdkHostHeaderTest extends JdkTestSupport {

    @BeforeEach
    void needsTheProperty() {
        assumeTrue(LoadBalancedHttpClient.hostHeaderAllowed(), "runs with -Djdk.httpclient.allowRestrictedHeaders=host");
    }

    @Test
    void theLogicalHostIsSentWhereTheRouteSaysSo() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        LoadBalancedHttpClient client = client(
                Route.builder("orders", pool("orders", a)).preserveHostHeader(true).build(),
                route("billing", pool("billing", b)));
        client.send(request("http://orders/").build(), BodyHandlers.ofString());
        client.send(request("http://orders/").header("Host", "chosen.example").build(), BodyHandlers.ofString());
        client.sendAsync(request("http://billing/").build(), BodyHandlers.ofString()).get();
        assertThat(a.recorded).extracting(r -> r.header("Host")).containsExactly("orders", "chosen.example");
        assertThat(b.recorded).extracting(r -> r.header("Host")).containsExactly("127.0.0.1:" + b.port());
    }
}
