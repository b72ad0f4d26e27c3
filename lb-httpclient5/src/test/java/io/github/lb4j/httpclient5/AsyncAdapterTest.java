package io.github.lb4j.httpclient5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.conformance.Blackhole;
import io.github.lb4j.http.conformance.LoopbackServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityProducer;
import org.apache.hc.core5.http.support.BasicRequestBuilder;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What is particular to the async client: cancellation, producers, when outcomes are reported, its pool. */
class AsyncAdapterTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private LoopbackServer server(String name) throws IOException {
        return track(LoopbackServer.http(name));
    }

    private LoadBalancer pool(Backend... backends) {
        LoadBalancer pool = LoadBalancer.builder("orders").strategy(Strategy.roundRobin()).random(new Random(1))
                .backends(List.of(backends)).build();
        track(pool::close);
        return pool;
    }

    private CloseableHttpAsyncClient client(PoolingAsyncClientConnectionManager connections, LoadBalancer pool) {
        CloseableHttpAsyncClient client = HttpAsyncClients.custom().setConnectionManager(connections)
                .addExecInterceptorFirst("lb4j", LoadBalancingAsyncExec.builder()
                        .route(Route.builder("orders", pool).backoff(Duration.ZERO, Duration.ZERO).build()).build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(20)).build())
                .disableAutomaticRetries().disableRedirectHandling().build();
        client.start();
        track(() -> client.close(CloseMode.IMMEDIATE));
        return client;
    }

    private CloseableHttpAsyncClient client(LoadBalancer pool) {
        return client(PoolingAsyncClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2)).build())
                .build(), pool);
    }

    private static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    private static void awaitInFlight(LoadBalancer pool, String id, int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stats(pool, id).inFlight() != expected) {
            if (System.nanoTime() > deadline) {
                fail("in flight on " + id + ": " + stats(pool, id).inFlight() + ", expected " + expected);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static HttpClientContext idempotent() {
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(Idempotency.class.getName(), Idempotency.IDEMPOTENT);
        return context;
    }

    private static SimpleHttpResponse post(CloseableHttpAsyncClient client, AsyncEntityProducer body)
            throws Exception {
        return client.execute(new BasicRequestProducer(BasicRequestBuilder.post("http://orders/").build(), body),
                SimpleResponseConsumer.create(), idempotent(), null).get(20, TimeUnit.SECONDS);
    }

    @Test
    void cancelingTheFutureReleasesTheSelectionWithoutChargingTheBackend() throws Exception {
        Blackhole hole = track(new Blackhole());
        LoadBalancer pool = pool(hole.backend("hole"));
        PoolingAsyncClientConnectionManager connections = PoolingAsyncClientConnectionManagerBuilder.create().build();
        CloseableHttpAsyncClient client = client(connections, pool);
        Future<SimpleHttpResponse> call = client.execute(SimpleRequestBuilder.get("http://orders/").build(), null);
        assertThat(hole.awaitConnection(10, TimeUnit.SECONDS)).isTrue();
        awaitInFlight(pool, "hole", 1);
        assertThat(call.cancel(true)).isTrue();
        awaitInFlight(pool, "hole", 0);
        assertThat(call.isCancelled()).isTrue();
        assertThat(stats(pool, "hole").failures()).isZero();
        assertThat(stats(pool, "hole").successes()).isZero();
        // The attempt's endpoint is given back: leased by nobody. (If the cancel came while the connection was
        // still being set up, the pool may keep that fresh connection idle: no request was ever written on it.)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (connections.getTotalStats().getLeased() + connections.getTotalStats().getPending() != 0) {
            if (System.nanoTime() > deadline) {
                fail("the canceled call still holds a connection: " + connections.getTotalStats());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void aOneShotProducerIsNeverResentOnceStartedButARepeatableOneIs() throws Exception {
        LoopbackServer busy = server("busy");
        busy.responder = r -> 503;
        LoopbackServer ok = server("ok");
        LoadBalancer pool = pool(busy.backend(), ok.backend());
        CloseableHttpAsyncClient client = client(pool);

        ClassicAdapterTest.nextPickIs(pool, "busy");
        assertThat(post(client, new OneShot(new StringAsyncEntityProducer("once", ContentType.TEXT_PLAIN)))
                .getCode()).isEqualTo(503);
        ClassicAdapterTest.nextPickIs(pool, "busy");
        assertThat(post(client, new StringAsyncEntityProducer("twice", ContentType.TEXT_PLAIN)).getBodyText())
                .isEqualTo("ok");
        assertThat(busy.recorded).extracting(r -> r.body).containsExactly("once", "twice");
        assertThat(ok.recorded).extracting(r -> r.body).containsExactly("twice");
    }

    @Test
    void theSlotIsHeldWhileTheApplicationsConsumerReadsTheBodyAndFreeWhenItSeesTheEnd() throws Exception {
        LoopbackServer a = server("a");
        LoadBalancer pool = pool(a.backend());
        CloseableHttpAsyncClient client = client(pool);
        List<Integer> whileReading = new CopyOnWriteArrayList<>();
        List<Integer> atTheEnd = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            SimpleHttpResponse response = client.execute(SimpleRequestProducer.create(
                            SimpleRequestBuilder.get("http://orders/").build()),
                    new Watching(SimpleResponseConsumer.create(),
                            () -> whileReading.add(stats(pool, "a").inFlight()),
                            () -> atTheEnd.add(stats(pool, "a").inFlight())),
                    null).get(20, TimeUnit.SECONDS);
            assertThat(response.getBodyText()).isEqualTo("a");
        }
        assertThat(whileReading).as("in flight at the head and at each piece of the body").containsOnly(1)
                .hasSizeGreaterThanOrEqualTo(6);
        // HttpClient's consumers complete the application's future at the end of the body, before the exchange's
        // own completion: the outcome must be in by then, or the next call would pick on stale state.
        assertThat(atTheEnd).as("reported before the consumer sees the end of the body").containsExactly(0, 0, 0);
        assertThat(stats(pool, "a").successes()).isEqualTo(3);
    }

    @Test
    void eachBackendGetsItsOwnPooledConnections() throws Exception {
        LoopbackServer a = server("a");
        LoopbackServer b = server("b");
        LoadBalancer pool = pool(a.backend(), b.backend());
        PoolingAsyncClientConnectionManager connections = PoolingAsyncClientConnectionManagerBuilder.create().build();
        CloseableHttpAsyncClient client = client(connections, pool);
        for (int i = 0; i < 6; i++) {
            client.execute(SimpleRequestBuilder.get("http://orders/").build(), null).get(20, TimeUnit.SECONDS);
        }
        awaitInFlight(pool, "a", 0);
        awaitInFlight(pool, "b", 0);
        Set<HttpRoute> routes = connections.getRoutes();
        assertThat(routes).extracting(r -> r.getTargetHost().getPort()).containsExactlyInAnyOrder(a.port(), b.port());
        // The outcome is reported as the body ends; HttpClient gives the connection back a moment later, when the
        // exchange completes on its reactor (and a call issued in between may open a second one): wait for that.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (HttpRoute r : routes) {
            while (connections.getStats(r).getLeased() != 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            assertThat(connections.getStats(r).getLeased()).as("given back: %s", r).isZero();
            assertThat(connections.getStats(r).getAvailable()).as("idle, kept for reuse: %s", r).isBetween(1, 2);
        }
    }

    /** A producer that says it cannot be replayed. */
    private static final class OneShot implements AsyncEntityProducer {
        private final AsyncEntityProducer delegate;

        OneShot(AsyncEntityProducer delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public void failed(Exception cause) {
            delegate.failed(cause);
        }

        @Override
        public long getContentLength() {
            return delegate.getContentLength();
        }

        @Override
        public String getContentType() {
            return delegate.getContentType();
        }

        @Override
        public String getContentEncoding() {
            return delegate.getContentEncoding();
        }

        @Override
        public boolean isChunked() {
            return delegate.isChunked();
        }

        @Override
        public Set<String> getTrailerNames() {
            return delegate.getTrailerNames();
        }

        @Override
        public int available() {
            return delegate.available();
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            delegate.produce(channel);
        }

        @Override
        public void releaseResources() {
            delegate.releaseResources();
        }
    }

    /** Runs {@code probe} when the head arrives and when the body ends, on the I/O thread. */
    private static final class Watching implements AsyncResponseConsumer<SimpleHttpResponse> {
        private final AsyncResponseConsumer<SimpleHttpResponse> delegate;
        private final Runnable probe;
        private final Runnable atEnd;

        Watching(AsyncResponseConsumer<SimpleHttpResponse> delegate, Runnable probe, Runnable atEnd) {
            this.delegate = delegate;
            this.probe = probe;
            this.atEnd = atEnd;
        }

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entityDetails, HttpContext context,
                                    FutureCallback<SimpleHttpResponse> resultCallback)
                throws HttpException, IOException {
            probe.run();
            delegate.consumeResponse(response, entityDetails, context, resultCallback);
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context)
                throws HttpException, IOException {
            delegate.informationResponse(response, context);
        }

        @Override
        public void failed(Exception cause) {
            delegate.failed(cause);
        }

        @Override
        public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
            delegate.updateCapacity(capacityChannel);
        }

        @Override
        public void consume(ByteBuffer src) throws IOException {
            probe.run();
            delegate.consume(src);
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
            atEnd.run();
            delegate.streamEnd(trailers);
        }

        @Override
        public void releaseResources() {
            delegate.releaseResources();
        }
    }
}
