package io.github.lb4j.benchmarks.peers;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultRequest;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.RandomLoadBalancer;
import org.springframework.cloud.loadbalancer.core.RoundRobinLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import reactor.core.publisher.Flux;
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
 * Spring Cloud LoadBalancer's {@code RoundRobinLoadBalancer} and {@code RandomLoadBalancer} through their public
 * reactive API, {@code choose(request).block()}, on a fixed {@code ServiceInstanceListSupplier} (what
 * {@code BlockingLoadBalancerClient} does per request). Bare picks: Spring counts nothing per call.
 *
 * <pre>
 * java -jar lb-benchmarks-peers/target/benchmarks-peers.jar SpringCloudBenchmark -p size=10,1000 -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpringCloudBenchmark extends PeerFloors {

    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"10", "100", "1000", "10000"})
        public int size;


        LoadBalancer lbRoundRobin;
        LoadBalancer lbRandom;
        RoundRobinLoadBalancer roundRobin;
        RandomLoadBalancer random;
        final Request<?> request = new DefaultRequest<>();

        @Setup(Level.Trial)
        public void setUp() {
            lbRoundRobin = PeerSupport.pool(Strategy.roundRobin(), PeerSupport.backends(size));
            lbRandom = PeerSupport.pool(Strategy.random(), PeerSupport.backends(size));
            List<ServiceInstance> instances = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                instances.add(new DefaultServiceInstance("i" + i, "bench", PeerSupport.host(i), 8080, false));
            }
            List<ServiceInstance> fixed = List.copyOf(instances);
            ServiceInstanceListSupplier supplier = new ServiceInstanceListSupplier() {
                @Override
                public String getServiceId() {
                    return "bench";
                }

                @Override
                public Flux<List<ServiceInstance>> get() {
                    return Flux.just(fixed);
                }
            };
            ObjectProvider<ServiceInstanceListSupplier> provider = new ObjectProvider<>() {
                @Override
                public ServiceInstanceListSupplier getObject(Object... args) {
                    return supplier;
                }

                @Override
                public ServiceInstanceListSupplier getIfAvailable() {
                    return supplier;
                }

                @Override
                public ServiceInstanceListSupplier getIfUnique() {
                    return supplier;
                }

                @Override
                public ServiceInstanceListSupplier getObject() {
                    return supplier;
                }
            };
            roundRobin = new RoundRobinLoadBalancer(provider, "bench");
            random = new RandomLoadBalancer(provider, "bench");
            if (!roundRobin.choose(request).block().hasServer() || !random.choose(request).block().hasServer()) {
                throw new IllegalStateException("Spring Cloud LoadBalancer picked nothing");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lbRoundRobin.close();
            lbRandom.close();
        }
    }

    // ---- lb4j ----

    @Benchmark
    public Selection lb4j_roundRobin(Pools p) {
        return PeerSupport.selectSuccess(p.lbRoundRobin, RequestContext.empty());
    }

    @Benchmark
    public Selection lb4j_random(Pools p) {
        return PeerSupport.selectSuccess(p.lbRandom, RequestContext.empty());
    }

    /** lb4j's count-free pick: Spring's {@code choose} counts nothing either. */
    @Benchmark
    public Backend lb4j_roundRobinPick(Pools p) {
        return p.lbRoundRobin.pick(RequestContext.empty());
    }

    @Benchmark
    public Backend lb4j_randomPick(Pools p) {
        return p.lbRandom.pick(RequestContext.empty());
    }

    // ---- Spring Cloud LoadBalancer ----

    @Benchmark
    public Response<ServiceInstance> spring_roundRobin(Pools p) {
        return p.roundRobin.choose(p.request).block();
    }

    @Benchmark
    public Response<ServiceInstance> spring_random(Pools p) {
        return p.random.choose(p.request).block();
    }
}
