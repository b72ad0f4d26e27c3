package io.github.lb4j.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test fixtures: clients, writes, and bounded waits. */
final class Etcd {

    /** Long against every scenario here (milliseconds to a few seconds), short against a hung build. */
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Etcd() {
    }

    static Client client(String endpoint) {
        return Client.builder().endpoints(endpoint).build();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Puts {@code key} = {@code value} and waits for the answer; returns the revision of the write. */
    static long put(Client client, String key, String value) throws Exception {
        return client.getKVClient().put(bytes(key), bytes(value)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .getHeader().getRevision();
    }

    static long delete(Client client, String key) throws Exception {
        return client.getKVClient().delete(bytes(key)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .getHeader().getRevision();
    }

    static String endpoint(String addr) {
        return "{\"Addr\":\"" + addr + "\"}";
    }

    static List<String> ids(LoadBalancer pool) {
        return pool.backends().stream().map(Backend::id).sorted().toList();
    }

    /**
     * Polls {@code condition} until it holds: never a bare sleep for a state change.
     *
     * @return how long it took
     * @throws AssertionError naming {@code what} if it does not hold within {@link #WAIT}
     */
    static Duration await(String what, BooleanSupplier condition) {
        return await(what, WAIT, condition);
    }

    /** The stacks of lb4j's threads, to see what a timed-out wait was stuck behind. */
    private static String lb4jThreads() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("lb4j")) {
                out.append("\n").append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(25, stack.length); i++) {
                    out.append("\n    at ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }

    static Duration await(String what, Duration deadline, BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > deadline.toNanos()) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what
                        + "; lb4j threads:" + lb4jThreads());
            }
            try {
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
