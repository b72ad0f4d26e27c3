package io.github.lb4j.core;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Shared pieces of the health tests: a recording listener and a capture of the SLF4J (slf4j-simple) output. */
final class HealthFixtures {

    private HealthFixtures() {
    }

    static Backend b(String host) {
        return Backend.of(host, 80);
    }

    static List<Backend> backends(String... hosts) {
        List<Backend> out = new ArrayList<>();
        for (String h : hosts) {
            out.add(b(h));
        }
        return out;
    }

    /** Records every event. */
    static final class Recorder implements LoadBalancerListener {
        final List<LoadBalancerEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(LoadBalancerEvent event) {
            events.add(event);
        }

        /** "a:HEALTHY->EJECTED" for each health change, in order. */
        List<String> health() {
            return events.stream().filter(e -> e instanceof LoadBalancerEvent.HealthChanged)
                    .map(e -> (LoadBalancerEvent.HealthChanged) e)
                    .map(h -> h.backend().host() + ":" + h.from() + "->" + h.to())
                    .collect(Collectors.toList());
        }

        /** "a:CLOSED->OPEN" for each breaker change, in order. */
        List<String> breakers() {
            return events.stream().filter(e -> e instanceof LoadBalancerEvent.CircuitBreakerChanged)
                    .map(e -> (LoadBalancerEvent.CircuitBreakerChanged) e)
                    .map(c -> c.backend().host() + ":" + c.from() + "->" + c.to())
                    .collect(Collectors.toList());
        }

        <T extends LoadBalancerEvent> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
        }

        LoadBalancerEvent.HealthChanged lastHealth() {
            List<LoadBalancerEvent.HealthChanged> h = of(LoadBalancerEvent.HealthChanged.class);
            return h.get(h.size() - 1);
        }
    }

    /**
     * Captures what slf4j-simple prints. The test binding writes to {@code System.err}, looked up on every line, so
     * swapping the stream captures the lines of this thread and any other while installed.
     */
    static final class LogCapture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        LogCapture() {
            System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        }

        /** @return the captured lines that mention the pool, in order */
        List<String> lines(String pool) {
            System.err.flush();
            String all = buffer.toString(StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String line : all.split("\\R")) {
                if (line.contains("'" + pool + "'")) {
                    out.add(line);
                }
            }
            return out;
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
