package io.github.lb4j.core;

import java.util.List;

final class StrategyCases {
    private StrategyCases() {
    }

    static List<Strategy> all() {
        return List.of(Strategy.roundRobin(), Strategy.random(), Strategy.leastRequests(), Strategy.peakEwma(),
                Strategy.ringHash(), Strategy.maglev(), Strategy.rendezvous(),
                Strategy.ringHash().withBoundedLoad(1.25), Strategy.maglev().withBoundedLoad(1.25),
                Strategy.rendezvous().withBoundedLoad(1.25));
    }
}
