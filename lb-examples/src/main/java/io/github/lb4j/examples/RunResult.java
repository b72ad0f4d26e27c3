package io.github.lb4j.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one scenario run measured: per-window samples for the live table and the charts, the events the scenario
 * played and the health transitions the pool reported, and per-phase totals for the summary.
 *
 * <p>{@code shed}: requests not sent because 512 were in flight already. {@code poolFailures}: the failures the pool
 * counted over the run ({@code BackendStats.failures()} summed over the backends), to hold against the failed
 * attempts the client saw. {@code received}: the requests the backends received, answered or not; beyond one per
 * answered request they are {@linkplain #extraRequests() extra requests}: hedges, and retries of requests a backend
 * had already received.
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
        long shed,
        long poolFailures,
        double p50Millis,
        double p99Millis,
        double p999Millis,
        long received) {

    /** @return requests the backends received beyond one per answered request (0 when none) */
    long extraRequests() {
        return Math.max(0, received - totals().answered());
    }

    /** @return {@link #extraRequests()} over the requests sent (0 to 1; 0 when none was sent) */
    double extraShare() {
        long sent = totals().requests();
        return sent == 0 ? 0.0 : extraRequests() / (double) sent;
    }

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
     * What happened to one set of requests (those started in one phase, or all of them), counted on the client's
     * side, per request once it ended:
     *
     * <ul>
     *   <li>{@code requests}: requests the demo sent;</li>
     *   <li>{@code answered}: requests that got an HTTP answer below 500, {@code answeredByRetry} of them from an
     *       attempt after the first;</li>
     *   <li>{@code failedRequests}: requests with no answer, because their last attempt failed or (counted again in
     *       {@code noBackend}) because there was no backend to try;</li>
     *   <li>{@code attempts}: backends tried, one per request plus one per retry;</li>
     *   <li>{@code failedAttempts}: attempts that brought no answer (connection refused or reset, timeout, 5xx): each
     *       one is either {@code retried} on another backend or not retried, and then its request failed.</li>
     * </ul>
     *
     * Once every request has ended: {@code requests = answered + failedRequests}, {@code attempts = answered +
     * failedAttempts}, {@code failedAttempts = retried + notRetried()} and {@code failedRequests = notRetried() +
     * noBackend}.
     */
    record Counts(long requests, long answered, long answeredByRetry, long failedRequests, long noBackend,
                  long attempts, long failedAttempts, long retried) {

        static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0);

        /** @return failed attempts that were not tried again: the last attempts of failed requests */
        long notRetried() {
            return failedAttempts - retried;
        }

        /** @return requests not ended yet (0 once the run is over) */
        long inFlight() {
            return requests - answered - failedRequests;
        }

        Counts plus(Counts o) {
            return new Counts(requests + o.requests, answered + o.answered, answeredByRetry + o.answeredByRetry,
                    failedRequests + o.failedRequests, noBackend + o.noBackend, attempts + o.attempts,
                    failedAttempts + o.failedAttempts, retried + o.retried);
        }
    }

    /**
     * Totals of the requests started between two scenario steps: {@code served} maps a backend's name to the requests
     * it answered, {@code failedAttempts} to the attempts sent to it that failed (as the client saw them).
     */
    record Phase(String name, double start, double end, Map<String, Long> served, Map<String, Long> failedAttempts,
                 Counts counts, double p50Millis, double p99Millis) {

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

    /** @return the counts of the whole run: the sum of its phases' */
    Counts totals() {
        Counts sum = Counts.NONE;
        for (Phase p : phases) {
            sum = sum.plus(p.counts());
        }
        return sum;
    }

    /** @return the phase with that index: 0 steady, 1 slow, 2 crashed, 3 returned, 4 added */
    Phase phase(int index) {
        return phases.get(index);
    }
}
