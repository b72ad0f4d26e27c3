package io.github.lb4j.benchmarks.peers;

import com.netflix.loadbalancer.BaseLoadBalancer;
import com.netflix.loadbalancer.RoundRobinRule;
import com.netflix.loadbalancer.Server;
import com.netflix.loadbalancer.WeightedResponseTimeRule;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Netflix Ribbon's {@code BaseLoadBalancer.chooseServer(key)} with {@code RoundRobinRule} and
 * {@code WeightedResponseTimeRule} (which, with no response-time statistics yet, falls back to round robin: the
 * figure is its pick path, not its weighting). Bare picks: Ribbon's per-call statistics are recorded by its
 * clients, not by {@code chooseServer}: the same work as lb4j's {@code pick} ({@code lb4j_roundRobinPick}). lb4j's
 * peakEwma is the closest latency-aware family.
 *
 * <pre>
 * java -jar lb-benchmarks-peers/target/benchmarks-peers.jar RibbonBenchmark -p size=10,1000 -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RibbonBenchmark extends PeerFloors {

    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"10", "100", "1000", "10000"})
        public int size;


        LoadBalancer lbRoundRobin;
        LoadBalancer lbPeakEwma;
        BaseLoadBalancer roundRobin;
        BaseLoadBalancer weightedResponseTime;

        @Setup(Level.Trial)
        public void setUp() {
            lbRoundRobin = PeerSupport.pool(Strategy.roundRobin(), PeerSupport.backends(size));
            lbPeakEwma = PeerSupport.pool(Strategy.peakEwma(), PeerSupport.backends(size));
            List<Server> servers = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                Server s = new Server(PeerSupport.host(i), 8080);
                s.setAlive(true);
                s.setReadyToServe(true);
                servers.add(s);
            }
            roundRobin = new BaseLoadBalancer();
            roundRobin.setRule(new RoundRobinRule());
            roundRobin.addServers(servers);
            weightedResponseTime = new BaseLoadBalancer();
            weightedResponseTime.setRule(new WeightedResponseTimeRule());
            weightedResponseTime.addServers(servers);
            if (roundRobin.chooseServer(null) == null || weightedResponseTime.chooseServer(null) == null) {
                throw new IllegalStateException("Ribbon picked nothing");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lbRoundRobin.close();
            lbPeakEwma.close();
            roundRobin.shutdown();
            weightedResponseTime.shutdown();
        }
    }

    // ---- lb4j ----

    @Benchmark
    public Selection lb4j_roundRobin(Pools p) {
        return PeerSupport.selectSuccess(p.lbRoundRobin, RequestContext.empty());
    }

    /** lb4j's count-free pick: the same work as Ribbon's {@code chooseServer} with {@code RoundRobinRule}. */
    @Benchmark
    public Backend lb4j_roundRobinPick(Pools p) {
        return p.lbRoundRobin.pick(RequestContext.empty());
    }

    @Benchmark
    public Selection lb4j_peakEwma(Pools p) {
        return PeerSupport.selectSuccess(p.lbPeakEwma, RequestContext.empty());
    }

    // ---- Ribbon ----

    @Benchmark
    public Server ribbon_roundRobin(Pools p) {
        return p.roundRobin.chooseServer(null);
    }

    @Benchmark
    public Server ribbon_weightedResponseTime(Pools p) {
        return p.weightedResponseTime.chooseServer(null);
    }
}
