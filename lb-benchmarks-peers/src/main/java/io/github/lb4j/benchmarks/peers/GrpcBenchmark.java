package io.github.lb4j.benchmarks.peers;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.core.Selection;
import io.github.lb4j.core.Strategy;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.internal.PickSubchannelArgsImpl;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * gRPC-java's load-balancing policies, driven as a channel drives them: each is looked up in
 * {@link LoadBalancerRegistry}, given a fake {@code Helper} whose subchannels turn READY when asked to connect, fed the
 * addresses, and then its published {@code SubchannelPicker} is called. {@code least_request_experimental} also
 * opens and closes the stream tracer its pick returns (that is how it counts calls in flight), so it is measured as
 * pick + complete like lb4j's {@code select -> success}. gRPC's round robin, ring hash and WRR count nothing per
 * call: their figure is a bare pick, the same work as lb4j's {@code pick} ({@code lb4j_*Pick}). WRR gets no ORCA
 * load reports here, so it runs on equal weights.
 *
 * <pre>
 * java -jar lb-benchmarks-peers/target/benchmarks-peers.jar GrpcBenchmark -p size=10,1000 -f 1 -wi 2 -i 3 -w 1 -r 1
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GrpcBenchmark extends PeerFloors {

    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"10", "100", "1000", "10000"})
        public int size;


        LoadBalancer lbRoundRobin;
        LoadBalancer lbLeastRequests;
        LoadBalancer lbRingHash;

        FakeHelper roundRobin;
        FakeHelper leastRequest;
        FakeHelper ringHash;
        FakeHelper ringHashLarge;
        FakeHelper weightedRoundRobin;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            lbRoundRobin = PeerSupport.pool(Strategy.roundRobin(), PeerSupport.backends(size));
            lbLeastRequests = PeerSupport.pool(Strategy.leastRequests(), PeerSupport.backends(size));
            lbRingHash = PeerSupport.pool(Strategy.ringHash(), PeerSupport.backends(size));
            roundRobin = FakeHelper.start("round_robin", Map.of(), size);
            leastRequest = FakeHelper.start("least_request_experimental", Map.of("choiceCount", 2.0), size);
            // gRPC's default: the ring is capped at 4096 entries (RingHashOptions), whatever the pool size.
            double ring = Math.min(1 << 22, Math.max(1024, 2048.0 * size));
            io.grpc.xds.RingHashOptions.setRingSizeCap(4096);
            ringHash = FakeHelper.start("ring_hash_experimental",
                    Map.of("minRingSize", ring, "maxRingSize", ring), size);
            // And with lb4j's ring size (2048 points per backend, 1024 to 4M), through gRPC's own cap setting.
            io.grpc.xds.RingHashOptions.setRingSizeCap(1 << 22);
            ringHashLarge = FakeHelper.start("ring_hash_experimental",
                    Map.of("minRingSize", ring, "maxRingSize", ring), size);
            weightedRoundRobin = FakeHelper.start("weighted_round_robin", Map.of(), size);
            CallOptions.Key<Long> hashKey = rpcHashKey();
            roundRobin.connectAll("round_robin", size, hashKey);
            leastRequest.connectAll("least_request_experimental", size, hashKey);
            ringHash.connectAll("ring_hash_experimental", size, hashKey);
            ringHashLarge.connectAll("ring_hash_experimental (lb4j ring size)", size, hashKey);
            weightedRoundRobin.connectAll("weighted_round_robin", size, hashKey);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            lbRoundRobin.close();
            lbLeastRequests.close();
            lbRingHash.close();
            for (FakeHelper h : List.of(roundRobin, leastRequest, ringHash, ringHashLarge, weightedRoundRobin)) {
                h.balancer.shutdown();
            }
        }
    }

    @State(Scope.Thread)
    public static class Keys {
        final RequestContext[] contexts = PeerSupport.contexts();
        final io.grpc.LoadBalancer.PickSubchannelArgs[] hashed = new io.grpc.LoadBalancer.PickSubchannelArgs[
                PeerSupport.KEYS];
        int next;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            CallOptions.Key<Long> key = rpcHashKey();
            for (int i = 0; i < PeerSupport.KEYS; i++) {
                // a 64-bit hash of the same keys, computed once as lb4j's RequestContext computes its own
                long h = com.google.common.hash.Hashing.murmur3_128().hashUnencodedChars(PeerSupport.key(i))
                        .asLong();
                hashed[i] = new PickSubchannelArgsImpl(FakeHelper.METHOD, new Metadata(),
                        CallOptions.DEFAULT.withOption(key, h), NO_DETAILS);
            }
        }

        int nextIndex() {
            return next++ & (PeerSupport.KEYS - 1);
        }
    }

    /** ring_hash reads the request hash that the xDS name resolver puts in the call options (package-private). */
    static CallOptions.Key<Long> rpcHashKey() throws ReflectiveOperationException {
        Field f = Class.forName("io.grpc.xds.XdsNameResolver").getDeclaredField("RPC_HASH_KEY");
        f.setAccessible(true);
        @SuppressWarnings("unchecked")
        CallOptions.Key<Long> key = (CallOptions.Key<Long>) f.get(null);
        return key;
    }

    static final io.grpc.LoadBalancer.PickDetailsConsumer NO_DETAILS = new io.grpc.LoadBalancer.PickDetailsConsumer() {
    };
    static final io.grpc.LoadBalancer.PickSubchannelArgs PLAIN = new PickSubchannelArgsImpl(FakeHelper.METHOD,
            new Metadata(), CallOptions.DEFAULT, NO_DETAILS);
    static final ClientStreamTracer.StreamInfo STREAM_INFO = ClientStreamTracer.StreamInfo.newBuilder()
            .setCallOptions(CallOptions.DEFAULT).build();

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

    /** lb4j's count-free pick: the same work as gRPC's round robin and WRR pickers. */
    @Benchmark
    public Backend lb4j_roundRobinPick(Pools p) {
        return p.lbRoundRobin.pick(RequestContext.empty());
    }

    /** lb4j's count-free pick: the same work as gRPC's ring hash picker. */
    @Benchmark
    public Backend lb4j_ringHashPick(Pools p, Keys k) {
        return p.lbRingHash.pick(k.contexts[k.nextIndex()]);
    }

    // ---- gRPC ----

    @Benchmark
    public io.grpc.LoadBalancer.PickResult grpc_roundRobin(Pools p) {
        return p.roundRobin.picker.pickSubchannel(PLAIN);
    }

    @Benchmark
    public io.grpc.LoadBalancer.PickResult grpc_leastRequest_pickComplete(Pools p) {
        io.grpc.LoadBalancer.PickResult r = p.leastRequest.picker.pickSubchannel(PLAIN);
        ClientStreamTracer tracer = r.getStreamTracerFactory().newClientStreamTracer(STREAM_INFO, new Metadata());
        tracer.streamClosed(Status.OK);
        return r;
    }

    @Benchmark
    public io.grpc.LoadBalancer.PickResult grpc_ringHash(Pools p, Keys k) {
        return p.ringHash.picker.pickSubchannel(k.hashed[k.nextIndex()]);
    }

    @Benchmark
    public io.grpc.LoadBalancer.PickResult grpc_ringHash_lb4jRingSize(Pools p, Keys k) {
        return p.ringHashLarge.picker.pickSubchannel(k.hashed[k.nextIndex()]);
    }

    @Benchmark
    public io.grpc.LoadBalancer.PickResult grpc_weightedRoundRobin(Pools p) {
        return p.weightedRoundRobin.picker.pickSubchannel(PLAIN);
    }

    /** A channel stand-in: creates subchannels that become READY when asked to connect; keeps the last picker. */
    static final class FakeHelper extends io.grpc.LoadBalancer.Helper {
        static final MethodDescriptor<Void, Void> METHOD = MethodDescriptor.<Void, Void>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("bench/pick")
                .setRequestMarshaller(VoidMarshaller.INSTANCE).setResponseMarshaller(VoidMarshaller.INSTANCE)
                .build();

        final SynchronizationContext sync = new SynchronizationContext((t, e) -> {
            throw new IllegalStateException("uncaught in gRPC synchronization context", e);
        });
        final List<FakeSubchannel> subchannels = new ArrayList<>();
        io.grpc.LoadBalancer balancer;
        volatile io.grpc.LoadBalancer.SubchannelPicker picker;
        volatile ConnectivityState state;

        static FakeHelper start(String policy, Map<String, ?> config, int size) {
            LoadBalancerProvider provider = LoadBalancerRegistry.getDefaultRegistry().getProvider(policy);
            if (provider == null) {
                throw new IllegalStateException("gRPC policy " + policy + " is not registered");
            }
            FakeHelper helper = new FakeHelper();
            NameResolver.ConfigOrError parsed = provider.parseLoadBalancingPolicyConfig(config);
            if (parsed.getError() != null) {
                throw new IllegalStateException("bad " + policy + " config: " + parsed.getError());
            }
            List<EquivalentAddressGroup> addresses = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                addresses.add(new EquivalentAddressGroup(
                        InetSocketAddress.createUnresolved(PeerSupport.host(i), 8080)));
            }
            helper.sync.execute(() -> {
                helper.balancer = provider.newLoadBalancer(helper);
                Status s = helper.balancer.acceptResolvedAddresses(io.grpc.LoadBalancer.ResolvedAddresses.newBuilder()
                        .setAddresses(addresses).setLoadBalancingPolicyConfig(parsed.getConfig()).build());
                if (!s.isOk()) {
                    throw new IllegalStateException(policy + " refused the addresses: " + s);
                }
            });
            return helper;
        }

        /**
         * Connects every subchannel. Ring hash connects lazily: a child is created and connected when a pick lands on
         * it, so picks with many hashes are made until every backend is READY.
         */
        void connectAll(String policy, int size, CallOptions.Key<Long> hashKey) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            int before = -1;
            for (int round = 0; round < 100 && readyCount() < size && readyCount() > before; round++) {
                before = readyCount();
                for (FakeSubchannel s : new ArrayList<>(subchannels)) {
                    sync.execute(s::requestConnection);
                }
                io.grpc.LoadBalancer.SubchannelPicker p = picker;
                if (p != null) {
                    for (int i = 0; i < 4 * size; i++) {
                        p.pickSubchannel(new PickSubchannelArgsImpl(METHOD, new Metadata(),
                                CallOptions.DEFAULT.withOption(hashKey, random.nextLong()), NO_DETAILS));
                    }
                    sync.drain();
                }
            }
            // A ring of fewer entries than backends (gRPC's default cap of 4096) cannot reach them all.
            if (state != ConnectivityState.READY || picker == null || readyCount() < Math.min(size, 4096) / 2) {
                throw new IllegalStateException(policy + " not READY after connecting: " + state + ", "
                        + readyCount() + " of " + size + " subchannels ready");
            }
            io.grpc.LoadBalancer.PickResult r = picker.pickSubchannel(new PickSubchannelArgsImpl(METHOD,
                    new Metadata(), CallOptions.DEFAULT.withOption(hashKey, 42L), NO_DETAILS));
            if (r.getSubchannel() == null) {
                throw new IllegalStateException(policy + ": READY picker returned no subchannel: " + r);
            }
        }

        int readyCount() {
            int n = 0;
            for (FakeSubchannel s : subchannels) {
                if (s.ready) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public io.grpc.LoadBalancer.Subchannel createSubchannel(io.grpc.LoadBalancer.CreateSubchannelArgs args) {
            FakeSubchannel s = new FakeSubchannel(this, args);
            subchannels.add(s);
            return s;
        }

        @Override
        public ManagedChannel createOobChannel(EquivalentAddressGroup eag, String authority) {
            throw new UnsupportedOperationException("no OOB channels in a benchmark");
        }

        @Override
        public void updateBalancingState(ConnectivityState newState, io.grpc.LoadBalancer.SubchannelPicker p) {
            state = newState;
            picker = p;
        }

        @Override
        public SynchronizationContext getSynchronizationContext() {
            return sync;
        }

        @Override
        public java.util.concurrent.ScheduledExecutorService getScheduledExecutorService() {
            return SCHEDULER;
        }

        @Override
        public String getAuthority() {
            return "bench";
        }

        @Override
        public String getChannelTarget() {
            return "bench";
        }

        @Override
        public void refreshNameResolution() {
        }

        @Override
        public io.grpc.ChannelLogger getChannelLogger() {
            return QUIET;
        }
    }

    static final java.util.concurrent.ScheduledExecutorService SCHEDULER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "grpc-bench-scheduler");
                t.setDaemon(true);
                return t;
            });

    static final io.grpc.ChannelLogger QUIET = new io.grpc.ChannelLogger() {
        @Override
        public void log(ChannelLogLevel level, String message) {
        }

        @Override
        public void log(ChannelLogLevel level, String messageFormat, Object... args) {
        }
    };

    static final class FakeSubchannel extends io.grpc.LoadBalancer.Subchannel {
        private final FakeHelper helper;
        private final io.grpc.LoadBalancer.CreateSubchannelArgs args;
        private io.grpc.LoadBalancer.SubchannelStateListener listener;
        boolean ready;

        FakeSubchannel(FakeHelper helper, io.grpc.LoadBalancer.CreateSubchannelArgs args) {
            this.helper = helper;
            this.args = args;
        }

        @Override
        public void start(io.grpc.LoadBalancer.SubchannelStateListener l) {
            this.listener = l;
        }

        @Override
        public void shutdown() {
        }

        @Override
        public void requestConnection() {
            if (listener != null && !ready) {
                ready = true;
                helper.sync.executeLater(() -> listener.onSubchannelState(
                        ConnectivityStateInfo.forNonError(ConnectivityState.CONNECTING)));
                helper.sync.executeLater(() -> listener.onSubchannelState(
                        ConnectivityStateInfo.forNonError(ConnectivityState.READY)));
                helper.sync.drain();
            }
        }

        @Override
        public List<EquivalentAddressGroup> getAllAddresses() {
            return args.getAddresses();
        }

        @Override
        public Attributes getAttributes() {
            return args.getAttributes();
        }

        @Override
        public io.grpc.ChannelLogger getChannelLogger() {
            return QUIET;
        }
    }

    enum VoidMarshaller implements MethodDescriptor.Marshaller<Void> {
        INSTANCE;

        @Override
        public java.io.InputStream stream(Void value) {
            return new java.io.ByteArrayInputStream(new byte[0]);
        }

        @Override
        public Void parse(java.io.InputStream stream) {
            return null;
        }
    }
}
