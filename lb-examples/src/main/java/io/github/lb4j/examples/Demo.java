package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.List;

/**
 * The first thing to run: a pool of three backends with weights 1, 1 and 3, a few thousand picks with
 * least-requests, and the resulting per-backend counts.
 */
public final class Demo {

    private Demo() {
    }

    public static void main(String[] args) {
        try (LoadBalancer orders = LoadBalancer.builder("orders")
                .backends(List.of(
                        Backend.of("10.0.0.1", 8080),
                        Backend.of("10.0.0.2", 8080),
                        Backend.of("10.0.0.3", 8080).withWeight(3)))
                .strategy(Strategy.leastRequests())
                .build()) {
            for (int i = 0; i < 5_000; i++) {
                try (Selection selection = orders.select()) {
                    selection.success();
                }
            }
            System.out.println("5000 requests over pool 'orders' (weights 1, 1, 3):");
            for (BackendStats s : orders.stats()) {
                System.out.printf("  %-14s weight %d  requests %5d  (%.1f%%)%n", s.backend().id(),
                        s.backend().weight(), s.requests(), 100.0 * s.requests() / 5_000);
            }
        }
    }
}
