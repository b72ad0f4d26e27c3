package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which request bodies are re-sent on another backend, and when. */
class JdkRequestBodyTest extends JdkTestSupport {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anInputStreamBodyIsNeverResentOnceTheClientStartedIt() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        LoadBalancedHttpClient client = client(route("orders", orders));
        AtomicInteger opened = new AtomicInteger();
        nextPickIs(orders, "hole");
        // PUT is idempotent: only the one-shot body forbids the retry.
        assertThatThrownBy(() -> client.send(request("http://orders/put").timeout(Duration.ofMillis(300))
                        .PUT(BodyPublishers.ofInputStream(() -> {
                            opened.incrementAndGet();
                            return new ByteArrayInputStream(bytes("one-shot"));
                        })).build(), BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(hole.connections()).isEqualTo(1);
        assertThat(opened).as("the body was opened once, for the blackhole").hasValue(1);
        assertThat(good.requests).hasValue(0);
        assertThat(stats(orders, "hole").failures()).isEqualTo(1);
    }

    @Test
    void theSameIdempotentRequestWithAStringBodyIsResentAfterATimeout() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        LoadBalancedHttpClient client = client(route("orders", orders));
        nextPickIs(orders, "hole");
        assertThat(client.send(request("http://orders/put").timeout(Duration.ofMillis(300))
                .PUT(BodyPublishers.ofString("again")).build(), BodyHandlers.ofString()).body()).isEqualTo("good");
        assertThat(hole.connections()).isEqualTo(1);
        assertThat(good.recorded).extracting(r -> r.body).containsExactly("again");
    }

    @Test
    void aPublisherDeclaredReplayableIsResentLikeAString() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        LoadBalancedHttpClient client = client(route("orders", orders));
        nextPickIs(orders, "hole");
        AtomicInteger opened = new AtomicInteger();
        assertThat(client.send(request("http://orders/put").timeout(Duration.ofMillis(300))
                .PUT(LoadBalancedHttpClient.replayable(BodyPublishers.ofInputStream(() -> {
                    opened.incrementAndGet();
                    return new ByteArrayInputStream(bytes("fresh each time"));
                }))).build(), BodyHandlers.ofString()).body()).isEqualTo("good");
        assertThat(opened).hasValue(2);
        assertThat(good.recorded).extracting(r -> r.body).containsExactly("fresh each time");
    }

    @Test
    void aBodyNeverStartedIsSentElsewhereOnAConnectFailureWhateverItsKind(@TempDir Path dir) throws Exception {
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", Blackhole.refusing("refused"), good.backend());
        LoadBalancedHttpClient client = client(route("orders", orders));
        Path file = Files.writeString(dir.resolve("body.txt"), "from-file");
        nextPickIs(orders, "refused");
        assertThat(client.send(request("http://orders/").POST(BodyPublishers.ofString("post-string")).build(),
                BodyHandlers.ofString()).body()).isEqualTo("good");
        nextPickIs(orders, "refused");
        assertThat(client.send(request("http://orders/").POST(BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(bytes("post-stream")))).build(), BodyHandlers.ofString()).body())
                .isEqualTo("good");
        nextPickIs(orders, "refused");
        assertThat(client.send(request("http://orders/").POST(BodyPublishers.ofFile(file)).build(),
                BodyHandlers.ofString()).body()).isEqualTo("good");
        assertThat(good.recorded).extracting(r -> r.body)
                .containsExactly("post-string", "post-stream", "from-file");
        assertThat(stats(orders, "refused").failures()).isEqualTo(3);
    }

    @Test
    void replayableBodiesAreTheJdksOwnOverHeldDataAndDeclaredOnes(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertThat(RequestBodies.replayable(BodyPublishers.ofString("x"))).isTrue();
        assertThat(RequestBodies.replayable(BodyPublishers.ofByteArray(new byte[] {1}))).isTrue();
        assertThat(RequestBodies.replayable(BodyPublishers.ofByteArray(new byte[] {1, 2}, 1, 1))).isTrue();
        assertThat(RequestBodies.replayable(BodyPublishers.ofFile(file))).isTrue();
        assertThat(RequestBodies.replayable(BodyPublishers.noBody())).isTrue();
        assertThat(RequestBodies.replayable(BodyPublishers.ofInputStream(() -> null))).isFalse();
        assertThat(RequestBodies.replayable(BodyPublishers.fromPublisher(BodyPublishers.ofString("x")))).isFalse();
        assertThat(RequestBodies.replayable(BodyPublishers.ofByteArrays(java.util.List.of(new byte[] {1}))))
                .isFalse();
        assertThat(RequestBodies.replayable(LoadBalancedHttpClient.replayable(
                BodyPublishers.ofInputStream(() -> null)))).isTrue();
        assertThatThrownBy(() -> LoadBalancedHttpClient.replayable(null))
                .isInstanceOf(NullPointerException.class).hasMessage("publisher");
    }

    @Test
    void aPostThatReachedTheBackendIsNotResentEvenWithAStringBody() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoopbackServer good = server("good");
        LoadBalancer orders = pool("orders", hole.backend("hole"), good.backend());
        LoadBalancedHttpClient client = client(Route.builder("orders", orders).backoff(Duration.ZERO,
                Duration.ZERO).maxAttempts(3).build());
        nextPickIs(orders, "hole");
        assertThatThrownBy(() -> client.send(request("http://orders/").timeout(Duration.ofMillis(300))
                .POST(BodyPublishers.ofString("once")).build(), BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(good.requests).hasValue(0);
    }
}
