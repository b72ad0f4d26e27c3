package io.github.lb4j.simulator;

import java.util.Locale;

/**
 * What one {@link HedgePolicy} achieved in one {@link TailScenario}: the latencies of single requests and of fan-out
 * requests (each as a {@link Result}, whose percentiles are nearest-rank), and what the hedges cost.
 *
 * <p>Cost is counted two ways. <b>Extra load</b> is hedges sent / requests (single requests and sub-requests).
 * <b>Extra server time</b> is the time backends spent on attempts / the time they would have spent on the same
 * first attempts without hedging (the first attempts draw the same service times under every policy of a
 * scenario, so this is paired). The model's choice: a cancelled attempt frees its backend at once (the client resets
 * the stream and the server stops), so its remaining service time is not spent and a hedge that wins over a stalled
 * first attempt can <em>save</em> server time. {@link #extraServerTimeIfNotCancelled()} is the other bound: the
 * server finishes every attempt it started. Backends do not queue in this model, so neither choice changes any
 * latency.
 *
 * <p>Thread-safety: immutable.
 */
public final class TailResult {

    private final String scenario;
    private final String policy;
    private final Result single;
    private final Result fanOut;
    private final long requests;
    private final long hedges;
    private final long denied;
    private final long serverNanos;
    private final long serverNanosNotCancelled;
    private final long firstAttemptNanos;
    private final double budgetBound;
    private final long inFlightAtEnd;
    private final long picks;
    private final long hedgesToTriedBackend;

    TailResult(String scenario, String policy, Result single, Result fanOut, long requests, long hedges, long denied,
               long serverNanos, long serverNanosNotCancelled, long firstAttemptNanos, double budgetBound,
               long inFlightAtEnd, long picks, long hedgesToTriedBackend) {
        this.scenario = scenario;
        this.policy = policy;
        this.single = single;
        this.fanOut = fanOut;
        this.requests = requests;
        this.hedges = hedges;
        this.denied = denied;
        this.serverNanos = serverNanos;
        this.serverNanosNotCancelled = serverNanosNotCancelled;
        this.firstAttemptNanos = firstAttemptNanos;
        this.budgetBound = budgetBound;
        this.inFlightAtEnd = inFlightAtEnd;
        this.picks = picks;
        this.hedgesToTriedBackend = hedgesToTriedBackend;
    }

    /** @return the scenario's name */
    public String scenario() {
        return scenario;
    }

    /** @return the policy's name */
    public String policy() {
        return policy;
    }

    /** @return the single requests' latencies; its contender is named {@code "<policy>, single"} */
    public Result single() {
        return single;
    }

    /**
     * @return the fan-out requests' latencies (each the latency of its slowest sub-request); its contender is named
     *     {@code "<policy>, fan-out"}
     */
    public Result fanOut() {
        return fanOut;
    }

    /** @return requests sent: single requests plus sub-requests, hedges not included */
    public long requests() {
        return requests;
    }

    /** @return hedges sent */
    public long hedges() {
        return hedges;
    }

    /** @return hedges the policy wanted to send but the retry budget refused */
    public long deniedByBudget() {
        return denied;
    }

    /** @return hedges / requests */
    public double extraLoad() {
        return requests == 0 ? 0 : (double) hedges / requests;
    }

    /**
     * @return the most {@link #extraLoad()} the retry budget allows in this run: its ratio plus its per-second floor
     *     spread over the requests
     */
    public double budgetBound() {
        return budgetBound;
    }

    /** @return server time spent / server time without hedging, minus 1 (cancelled attempts stop at once) */
    public double extraServerTime() {
        return firstAttemptNanos == 0 ? 0 : (double) serverNanos / firstAttemptNanos - 1;
    }

    /** @return the same if a cancelled attempt kept its server busy until its service time was over */
    public double extraServerTimeIfNotCancelled() {
        return firstAttemptNanos == 0 ? 0 : (double) serverNanosNotCancelled / firstAttemptNanos - 1;
    }

    /** @return calls the pool still counted in flight when the run ended (0 unless a selection leaked) */
    public long inFlightAtEnd() {
        return inFlightAtEnd;
    }

    /** @return selections the pool opened: first attempts plus hedges */
    public long picks() {
        return picks;
    }

    /** @return hedges the pool sent to the backend the first attempt was on (for tests: should be 0) */
    long hedgesToTriedBackend() {
        return hedgesToTriedBackend;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s/%s: single p99.9=%.1fms fan-out p50=%.1fms p99.9=%.1fms extra=%.2f%%",
                scenario, policy, single.percentileMs(0.999), fanOut.percentileMs(0.5), fanOut.percentileMs(0.999),
                100 * extraLoad());
    }
}
