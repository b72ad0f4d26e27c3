package io.github.lb4j.it;

import io.github.lb4j.core.BackendHealth;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.LoadBalancerEvent;
import io.github.lb4j.core.LoadBalancerListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A pool listener that keeps every event and, at each health change of a backend, what that backend's server had
 * received and what the pool had counted: enough to check that an ejection came within the configured failure count
 * and that an ejected backend got no new traffic.
 */
final class HealthLog implements LoadBalancerListener {

    /** A health change with the counters read when it was delivered. */
    record Change(String id, BackendHealth from, BackendHealth to, String reason, long failures, int received,
                  long nanos, long eventNanos) {
        /** Failures in a row that the pool counted when it ejected, from the reason; -1 if it says none. */
        int inARow() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+) failures in a row").matcher(reason);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }

        /** How long after the change the listener heard of it. */
        long lagNanos() {
            return nanos - eventNanos;
        }
    }

    final List<LoadBalancerEvent> events = new CopyOnWriteArrayList<>();
    final List<Change> changes = new CopyOnWriteArrayList<>();
    private final Map<String, LoopbackServer> servers = new ConcurrentHashMap<>();
    private volatile LoadBalancer pool;

    HealthLog watch(LoopbackServer... watched) {
        for (LoopbackServer s : watched) {
            servers.put(s.name, s);
        }
        return this;
    }

    void pool(LoadBalancer pool) {
        this.pool = pool;
    }

    @Override
    public void onEvent(LoadBalancerEvent event) {
        events.add(event);
        if (event instanceof LoadBalancerEvent.HealthChanged h) {
            String id = h.backend().id();
            // Listeners run outside the pool's lock, on the thread that made the change, right after it: the pool's
            // failure count here includes at most the failures of calls that were in flight at that moment.
            long failures = -1;
            LoadBalancer p = pool;
            if (p != null) {
                for (BackendStats s : p.stats()) {
                    if (s.backend().id().equals(id)) {
                        failures = s.failures();
                    }
                }
            }
            LoopbackServer server = servers.get(id);
            changes.add(new Change(id, h.from(), h.to(), h.reason(), failures,
                    server == null ? -1 : server.requests.get(), System.nanoTime(), h.nanos()));
        }
    }

    /**
     * Requests {@code id}'s server received between two instants of the pool's clock (its default ticker is
     * {@link System#nanoTime()}), read from the server's arrival times: unlike {@link Change#received()}, this does
     * not depend on how late the listener ran after each change.
     */
    int receivedBetween(String id, long fromNanos, long toNanos) {
        return servers.get(id).receivedBetween(fromNanos, toNanos);
    }

    List<Change> of(String id) {
        return changes.stream().filter(c -> c.id.equals(id)).collect(Collectors.toList());
    }

    /** Times {@code id} left HEALTHY (ejected or marked unhealthy). */
    long departures(String id) {
        return of(id).stream().filter(c -> c.from == BackendHealth.HEALTHY).count();
    }

    long ejections(String id) {
        return of(id).stream().filter(c -> c.to == BackendHealth.EJECTED).count();
    }

    /** Times {@code id} came back to HEALTHY from EJECTED or UNHEALTHY. */
    long returns(String id) {
        return of(id).stream().filter(c -> c.to == BackendHealth.HEALTHY
                && (c.from == BackendHealth.EJECTED || c.from == BackendHealth.UNHEALTHY)).count();
    }

    long count(Class<? extends LoadBalancerEvent> type) {
        return events.stream().filter(type::isInstance).count();
    }

    static BackendHealth health(LoadBalancer pool, String id) {
        for (BackendStats s : pool.stats()) {
            if (s.backend().id().equals(id)) {
                return s.health();
            }
        }
        return null;
    }
}
