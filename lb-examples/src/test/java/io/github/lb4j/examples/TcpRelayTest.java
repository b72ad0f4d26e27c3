package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpRelayTest {

    private final List<TcpRelay.EchoBackend> backends = new ArrayList<>();
    private LoadBalancer pool;
    private TcpRelay relay;

    private void start(Strategy strategy) throws IOException {
        for (String name : List.of("b1", "b2")) {
            backends.add(new TcpRelay.EchoBackend(name, InetAddress.getLoopbackAddress()));
        }
        pool = LoadBalancer.builder("tcp").backends(backends.stream().map(TcpRelay.EchoBackend::backend).toList())
                .strategy(strategy).build();
        relay = TcpRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), pool);
    }

    @AfterEach
    void stop() {
        relay.close();
        pool.close();
        backends.forEach(TcpRelay.EchoBackend::close);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(relay.address(), relay.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads "hello from bN\n" and returns the name. */
    private static String greeting(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            assertThat(c).as("connection closed before the greeting").isNotNegative();
            line.write(c);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("hello from ");
        return text.substring("hello from ".length());
    }

    @Test
    void copiesBytesBothWaysThroughABackendPickedPerConnection() throws Exception {
        start(Strategy.roundRobin());
        byte[] payload = new byte[256 * 1024];
        new Random(7).nextBytes(payload);
        Map<String, Integer> connections = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect()) {
                // Write on another thread: the echo comes back while we are still sending.
                CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(payload);
                        s.shutdownOutput(); // half-close: the relay passes our end of stream on
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                InputStream in = s.getInputStream();
                String backend = greeting(in);
                assertThat(in.readAllBytes()).isEqualTo(payload);
                send.get();
                connections.merge(backend, 1, Integer::sum);
            }
        }
        assertThat(connections).containsOnly(Map.entry("b1", 2), Map.entry("b2", 2));
        assertThat(relay.relayed()).isEqualTo(4);
    }

    @Test
    void openConnectionsCountAsInFlightSoLeastRequestsIsLeastConnections() throws IOException {
        start(Strategy.leastRequests());
        List<Socket> open = new ArrayList<>();
        try {
            Map<String, Integer> perBackend = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                Socket s = connect();
                open.add(s);
                perBackend.merge(greeting(s.getInputStream()), 1, Integer::sum); // connected before the next
            }
            assertThat(perBackend).containsOnly(Map.entry("b1", 2), Map.entry("b2", 2));
            assertThat(pool.stats()).extracting(BackendStats::inFlight).containsExactly(2, 2);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aBackendThatRefusesIsSkippedBeforeAnyByteIsSent() throws IOException {
        start(Strategy.roundRobin());
        backends.get(1).close();
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect()) {
                assertThat(greeting(s.getInputStream())).isEqualTo("b1");
            }
        }
        Map<String, BackendStats> stats = new HashMap<>();
        pool.stats().forEach(st -> stats.put(st.backend().id(), st));
        assertThat(stats.get("b2").failures()).isPositive();
    }
}
