package io.github.lb4j.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A streaming response holds its backend's slot until the application is done with the body. */
class JdkStreamingBodyTest extends JdkTestSupport {

    @Test
    void anInputStreamHoldsTheBackendUntilReadToItsEnd() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer orders = pool("orders", a);
        LoadBalancedHttpClient client = client(route("orders", orders));
        HttpResponse<InputStream> response = client.send(request("http://orders/").build(),
                BodyHandlers.ofInputStream());
        InputStream body = response.body();
        assertThat(stats(orders, "a").inFlight()).as("held while the body is unread").isEqualTo(1);
        assertThat(body.read()).isEqualTo('a');
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        assertThat(body.read()).isEqualTo(-1);
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").successes()).isEqualTo(1);
        body.close();
        assertThat(stats(orders, "a").successes()).as("reported once").isEqualTo(1);
    }

    @Test
    void anInputStreamClosedUnreadReleasesTheBackend() throws Exception {
        LoopbackServer a = server("a");
        a.responder = r -> 500; // a failure the route does not retry
        LoadBalancer orders = pool("orders", a);
        LoadBalancedHttpClient client = client(route("orders", orders));
        HttpResponse<InputStream> response = client.send(request("http://orders/").build(),
                BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(a.requests).hasValue(1);
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        response.body().close();
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").failures()).as("the 500 is charged when the body closes").isEqualTo(1);
    }

    @Test
    void linesHoldTheBackendUntilConsumedOrClosed() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer orders = pool("orders", a);
        LoadBalancedHttpClient client = client(route("orders", orders));
        HttpResponse<Stream<String>> consumed = client.send(request("http://orders/").build(),
                BodyHandlers.ofLines());
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        assertThat(consumed.body().collect(Collectors.toList())).containsExactly("a");
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").successes()).isEqualTo(1);

        HttpResponse<Stream<String>> closed = client.send(request("http://orders/").build(),
                BodyHandlers.ofLines());
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        closed.body().close();
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(stats(orders, "a").successes()).isEqualTo(2);

        HttpResponse<Stream<String>> iterated = client.send(request("http://orders/").build(),
                BodyHandlers.ofLines());
        var it = iterated.body().iterator();
        assertThat(it.next()).isEqualTo("a");
        assertThat(stats(orders, "a").inFlight()).isEqualTo(1);
        assertThat(it.hasNext()).isFalse();
        assertThat(stats(orders, "a").inFlight()).isZero();
    }

    @Test
    void aPublisherBodyIsFinishedWhenItCompletesOrIsCanceled() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer orders = pool("orders", a);
        LoadBalancedHttpClient client = client(route("orders", orders));
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = client.send(request("http://orders/").build(),
                BodyHandlers.ofPublisher());
        CompletableFuture<String> read = new CompletableFuture<>();
        response.body().subscribe(new Flow.Subscriber<>() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                item.forEach(b -> text.append(StandardCharsets.UTF_8.decode(b)));
            }

            @Override
            public void onError(Throwable throwable) {
                read.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                read.complete(text.toString());
            }
        });
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("a");
        awaitNothingInFlight(orders);
        assertThat(stats(orders, "a").successes()).isEqualTo(1);

        HttpResponse<Flow.Publisher<List<ByteBuffer>>> canceled = client.send(request("http://orders/").build(),
                BodyHandlers.ofPublisher());
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        canceled.body().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
                subscribed.complete(null);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
        subscribed.get(10, TimeUnit.SECONDS);
        awaitNothingInFlight(orders);
        assertThat(stats(orders, "a").successes()).isEqualTo(2);
    }

    @Test
    void aStringBodyIsFinishedWhenTheResponseArrives() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer orders = pool("orders", a);
        LoadBalancedHttpClient client = client(route("orders", orders));
        assertThat(client.send(request("http://orders/").build(), BodyHandlers.ofString()).body()).isEqualTo("a");
        assertThat(stats(orders, "a").inFlight()).isZero();
        assertThat(client.send(request("http://orders/").method("HEAD",
                java.net.http.HttpRequest.BodyPublishers.noBody()).build(), BodyHandlers.ofInputStream())
                .statusCode()).isEqualTo(200);
        awaitNothingInFlight(orders); // a HEAD has no body to read: released without the stream being touched
        assertThat(stats(orders, "a").successes()).isEqualTo(2);
    }
}
