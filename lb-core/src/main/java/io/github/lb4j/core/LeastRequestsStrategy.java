package io.github.lb4j.core;

/** Power of two choices on calls in flight divided by weight. */
final class LeastRequestsStrategy extends Strategy {

    static final LeastRequestsStrategy INSTANCE = new LeastRequestsStrategy();

    @Override
    public String name() {
        return "leastRequests";
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        return (backends, weights) -> new TwoChoices(backends, weights, context.random) {
            @Override
            BackendState choose(int a, int b, long now) {
                BackendState sa = backends[a];
                BackendState sb = backends[b];
                // inFlight(a) / w(a) <= inFlight(b) / w(b), cross-multiplied to stay in integers.
                return (long) sa.inFlight() * weights[b] <= (long) sb.inFlight() * weights[a] ? sa : sb;
            }
        };
    }
}
