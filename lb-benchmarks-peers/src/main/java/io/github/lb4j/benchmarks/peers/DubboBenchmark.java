package io.github.lb4j.benchmarks.peers;

import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.rpc.Invocation;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.Result;
import org.apache.dubbo.rpc.RpcInvocation;
import org.apache.dubbo.rpc.RpcStatus;
import org.apache.dubbo.rpc.cluster.loadbalance.ConsistentHashLoadBalance;
import org.apache.dubbo.rpc.cluster.loadbalance.LeastActiveLoadBalance;
import org.apache.dubbo.rpc.cluster.loadbalance.RoundRobinLoadBalance;
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
 * Apache Dubbo's {@code RoundRobinLoadBalance}, {@code LeastActiveLoadBalance} (with the {@code RpcStatus}
 * begin/end counting that Dubbo's ActiveLimitFilter does around each call, so pick + complete as lb4j's
 * select -> success) and {@code ConsistentHashLoadBalance} (keyed on the first argument, 160 virtual nodes), each
 * through {@code LoadBalance.select(invokers, url, invocation)} on a list of fake invokers.
 *
 * <pre>
 * java -jar lb-benchmarks-peers/target/benchmarks-peers.jar DubboBenchmark -p size=10,1000 -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DubboBenchmark extends PeerFloors {

    static final String METHOD = "get";

    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"10", "100", "1000", "10000"})
        public int size;


        LoadBalancer lbRoundRobin;
        LoadBalancer lbLeastRequests;
        LoadBalancer lbRingHash;

        final RoundRobinLoadBalance roundRobin = new RoundRobinLoadBalance();
        final LeastActiveLoadBalance leastActive = new LeastActiveLoadBalance();
        final ConsistentHashLoadBalance consistentHash = new ConsistentHashLoadBalance();
        List<Invoker<Object>> invokers;
        URL consumer;
        Invocation plain;

        @Setup(Level.Trial)
        public void setUp() {
            lbRoundRobin = PeerSupport.pool(Strategy.roundRobin(), PeerSupport.backends(size));
            lbLeastRequests = PeerSupport.pool(Strategy.leastRequests(), PeerSupport.backends(size));
            lbRingHash = PeerSupport.pool(Strategy.ringHash(), PeerSupport.backends(size));
            invokers = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                invokers.add(new FakeInvoker(URL.valueOf("dubbo://" + PeerSupport.host(i)
                        + ":20880/bench.Service")));
            }
            consumer = URL.valueOf("consumer://127.0.0.1/bench.Service");
            plain = invocation("x");
            if (roundRobin.select(invokers, consumer, plain) == null
                    || consistentHash.select(invokers, consumer, plain) == null) {
                throw new IllegalStateException("Dubbo picked nothing");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lbRoundRobin.close();
            lbLeastRequests.close();
            lbRingHash.close();
        }
    }

    static Invocation invocation(String arg) {
        return new RpcInvocation(METHOD, "bench.Service", "", new Class<?>[] {String.class}, new Object[] {arg});
    }

    @State(Scope.Thread)
    public static class Keys {
        final RequestContext[] contexts = PeerSupport.contexts();
        final Invocation[] invocations = new Invocation[PeerSupport.KEYS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < PeerSupport.KEYS; i++) {
                invocations[i] = invocation(PeerSupport.key(i));
            }
        }

        int nextIndex() {
            return next++ & (PeerSupport.KEYS - 1);
        }
    }

    // ---- lb4j ----

    @Benchmark
    public Selection lb4j_roundRobin(Pools p) {
        return PeerSupport.selectSuccess(p.lbRoundRobin, RequestContext.empty());
    }

    @Benchmark
    public Selection lb4j_leastRequests(Pools p) {
        return PeerSupport.selectSuccess(p.lbLeastRequests, RequestContext.empty());
    }

    @Benchmark
    public Selection lb4j_ringHash(Pools p, Keys k) {
        return PeerSupport.selectSuccess(p.lbRingHash, k.contexts[k.nextIndex()]);
    }

    // ---- Dubbo ----

    @Benchmark
    public Invoker<Object> dubbo_roundRobin(Pools p) {
        return p.roundRobin.select(p.invokers, p.consumer, p.plain);
    }

    @Benchmark
    public Invoker<Object> dubbo_leastActive_pickComplete(Pools p) {
        Invoker<Object> chosen = p.leastActive.select(p.invokers, p.consumer, p.plain);
        URL url = chosen.getUrl();
        RpcStatus.beginCount(url, METHOD);
        RpcStatus.endCount(url, METHOD, 1L, true);
        return chosen;
    }

    @Benchmark
    public Invoker<Object> dubbo_consistentHash(Pools p, Keys k) {
        return p.consistentHash.select(p.invokers, p.consumer, k.invocations[k.nextIndex()]);
    }

    static final class FakeInvoker implements Invoker<Object> {
        private final URL url;

        FakeInvoker(URL url) {
            this.url = url;
        }

        @Override
        public Class<Object> getInterface() {
            return Object.class;
        }

        @Override
        public Result invoke(Invocation invocation) {
            throw new UnsupportedOperationException("benchmarks only select");
        }

        @Override
        public URL getUrl() {
            return url;
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public void destroy() {
        }
    }
}
