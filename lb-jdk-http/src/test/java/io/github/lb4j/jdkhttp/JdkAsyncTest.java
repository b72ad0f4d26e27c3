package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code sendAsync}: cancellation, the push-promise variant, streaming bodies. */
class JdkAsyncTest extends JdkTestSupport {

    @Test
    void cancelingTheFutureAbortsTheAttemptAndReleasesTheBackendUncharged() throws Exception {
        Blackhole hole = register(new Blackhole());
        LoadBalancer orders = pool("orders", hole.backend("hole"));
        LoadBalancedHttpClient client = client(route("orders", orders));
        CompletableFuture<HttpResponse<String>> call = client.sendAsync(request("http://orders/").build(),
                BodyHandlers.ofString());
        assertThat(hole.awaitConnection(10, TimeUnit.SECONDS)).isTrue();
        assertThat(stats(orders, "hole").inFlight()).isEqualTo(1);
        assertThat(call.cancel(true)).isTrue();
        awaitNothingInFlight(orders);
        assertThat(call).isCancelled();
        assertThat(stats(orders, "hole").failures()).as("the caller went away, not the backend").isZero();
        assertThat(stats(orders, "hole").successes()).isZero();
        assertThat(hole.connections()).as("no retry after the cancel").isEqualTo(1);
    }

    @Test
    void thePushPromiseVariantIsBalancedAndRetriedLikeTheOthers() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        LoadBalancer orders = pool("orders", Blackhole.refusing("refused"), a.backend(), b.backend());
        LoadBalancedHttpClient client = client(route("orders", orders));
        AtomicInteger pushes = new AtomicInteger();
        PushPromiseHandler<String> push = (initiating, pushRequest, acceptor) -> pushes.incrementAndGet();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(client.sendAsync(request("http://orders/" + i).build(), BodyHandlers.ofString(), push));
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            bodies.add(call.get(20, TimeUnit.SECONDS).body());
        }
        assertThat(bodies).containsOnly("a", "b");
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(6);
        assertThat(a.requests.get()).isPositive();
        assertThat(b.requests.get()).isPositive();
        assertThat(stats(orders, "refused").failures()).isPositive();
        assertThat(pushes).as("HTTP/1.1 backends push nothing").hasValue(0);
    }

    @Test
    void anAsyncInputStreamHoldsTheBackendUntilClosed() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer orders = pool("orders", a);
        LoadBalancedHttpClient client = client(route("orders", orders));
        HttpResponse<InputStream> response = client.sendAsync(request("http://orders/").build(),
                BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        try (InputStream body = response.body()) {
            assertThat(body.readAllBytes()).containsExactly('a');
        }
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").successes()).isEqualTo(1);
    }

    @Test
    void aFailedFutureForARoutedUrlItCannotKeep() throws Exception {
        LoadBalancer orders = pool("orders", server("a"));
        LoadBalancedHttpClient client = client(route("orders", orders));
        CompletableFuture<HttpResponse<String>> call = client.sendAsync(
                HttpRequest.newBuilder(java.net.URI.create("http://orders:8080/")).build(), BodyHandlers.ofString());
        assertThat(call).failsWithin(java.time.Duration.ofSeconds(5)).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).havingCause()
                .isInstanceOf(java.io.IOException.class).withMessageContaining("port 8080");
        assertThat(orders.stats()).allMatch(s -> s.requests() == 0);
    }
}
