package io.github.lb4j.benchmarks.peers;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.client.endpoint.EndpointSelectionStrategy;
import com.linecorp.armeria.client.endpoint.EndpointSelector;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
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
 * Armeria's {@code EndpointSelectionStrategy.roundRobin()} and {@code weightedRoundRobin()} through
 * {@code EndpointSelector.selectNow(ClientRequestContext)} on a static {@code EndpointGroup}, against lb4j's round
 * robin (equal weights, and weights 1, 2, 3, 1, 2, 3, ... for both). Armeria's selectors count nothing per call:
 * their figure is a bare pick, the same work as lb4j's {@code pick} ({@code lb4j_*Pick}); lb4j's {@code select ->
 * success} ({@code lb4j_roundRobin}, {@code lb4j_roundRobinWeighted}) also counts the call in flight.
 *
 * <pre>
 * java -jar lb-benchmarks-peers/target/benchmarks-peers.jar ArmeriaBenchmark -p size=10,1000 -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ArmeriaBenchmark extends PeerFloors {

    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"10", "100", "1000", "10000"})
        public int size;


        LoadBalancer lbRoundRobin;
        LoadBalancer lbWeighted;
        EndpointSelector roundRobin;
        EndpointSelector weightedRoundRobin;
        EndpointSelector weightedRoundRobinVaried;
        ClientRequestContext ctx;

        @Setup(Level.Trial)
        public void setUp() {
            lbRoundRobin = PeerSupport.pool(Strategy.roundRobin(), PeerSupport.backends(size));
            lbWeighted = PeerSupport.pool(Strategy.roundRobin(), PeerSupport.weightedBackends(size));
            List<Endpoint> equal = new ArrayList<>();
            List<Endpoint> varied = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                equal.add(Endpoint.of(PeerSupport.host(i), 8080));
                varied.add(Endpoint.of(PeerSupport.host(i), 8080).withWeight(PeerSupport.weight(i)));
            }
            roundRobin = EndpointSelectionStrategy.roundRobin().newSelector(EndpointGroup.of(equal));
            weightedRoundRobin = EndpointSelectionStrategy.weightedRoundRobin().newSelector(EndpointGroup.of(equal));
            weightedRoundRobinVaried = EndpointSelectionStrategy.weightedRoundRobin()
                    .newSelector(EndpointGroup.of(varied));
            ctx = ClientRequestContext.of(HttpRequest.of(HttpMethod.GET, "/"));
            for (EndpointSelector s : List.of(roundRobin, weightedRoundRobin, weightedRoundRobinVaried)) {
                if (s.selectNow(ctx) == null) {
                    throw new IllegalStateException("Armeria selector not ready: " + s);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lbRoundRobin.close();
            lbWeighted.close();
        }
    }

    // ---- lb4j ----

    @Benchmark
    public Selection lb4j_roundRobin(Pools p) {
        return PeerSupport.selectSuccess(p.lbRoundRobin, RequestContext.empty());
    }

    @Benchmark
    public Selection lb4j_roundRobinWeighted(Pools p) {
        return PeerSupport.selectSuccess(p.lbWeighted, RequestContext.empty());
    }

    /** lb4j's count-free pick: the same work as Armeria's {@code selectNow}. */
    @Benchmark
    public Backend lb4j_roundRobinPick(Pools p) {
        return p.lbRoundRobin.pick(RequestContext.empty());
    }

    @Benchmark
    public Backend lb4j_roundRobinWeightedPick(Pools p) {
        return p.lbWeighted.pick(RequestContext.empty());
    }

    // ---- Armeria ----

    @Benchmark
    public Endpoint armeria_roundRobin(Pools p) {
        return p.roundRobin.selectNow(p.ctx);
    }

    @Benchmark
    public Endpoint armeria_weightedRoundRobin_equal(Pools p) {
        return p.weightedRoundRobin.selectNow(p.ctx);
    }

    @Benchmark
    public Endpoint armeria_weightedRoundRobin_weighted(Pools p) {
        return p.weightedRoundRobinVaried.selectNow(p.ctx);
    }
}
