package io.github.lb4j.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one scenario run measured: per-window samples for the live table and the charts, the events the scenario
 * played and the health transitions the pool reported, and per-phase totals for the summary.
 *
 * <p>Thread-safety: immutable once returned by {@link DemoRun#run}.
 */
record RunResult(
        String strategy,
        Duration duration,
        String slowBackend,
        String crashedBackend,
        String addedBackend,
        List<Sample> samples,
        List<Event> events,
        List<Phase> phases,
        long requests,
        long failures,
        long failedAttempts,
        long retries,
        long shed,
        double p50Millis,
        double p99Millis) {

    /** One backend in one sampling window. {@code p50Millis} and {@code p99Millis} are NaN when it served nothing. */
    record BackendSample(String name, long served, double rate, double share, double p50Millis, double p99Millis,
                         int inFlight, String health, HttpBackend.State server, long failedAttempts, long total) {
    }

    /**
     * One sampling window ending {@code t} seconds after the start, as seen by the client: requests issued and
     * answered, their percentiles, failures.
     */
    record Sample(double t, double window, List<BackendSample> backends, long requests, double p50Millis,
                  double p99Millis, long failures) {
    }

    /** Something that happened at {@code t} seconds: a scenario step, or a health transition the pool reported. */
    record Event(double t, String label, boolean scenario) {
    }

    /**
     * Totals between two scenario steps, for requests issued in it: {@code served} maps a backend's name to the
     * requests it answered, {@code failedAttempts} to the attempts the pool counted as failed on it (reported by
     * the balancing interceptor, one per attempt); {@code retries} counts the extra attempts of requests that were
     * answered after a retry on another backend, as the client saw them.
     */
    record Phase(String name, double start, double end, Map<String, Long> served, Map<String, Long> failedAttempts,
                 long requests, long failures, long retries, double p50Millis, double p99Millis) {

        /** @return the share (0 to 1) of this phase's answered requests that {@code backend} served */
        double share(String backend) {
            long total = served.values().stream().mapToLong(Long::longValue).sum();
            return total == 0 ? 0.0 : served.getOrDefault(backend, 0L) / (double) total;
        }

        long served(String backend) {
            return served.getOrDefault(backend, 0L);
        }

        long failedAttempts(String backend) {
            return failedAttempts.getOrDefault(backend, 0L);
        }
    }

    /** @return the phase with that index: 0 steady, 1 slow, 2 crashed, 3 returned, 4 added */
    Phase phase(int index) {
        return phases.get(index);
    }
}
