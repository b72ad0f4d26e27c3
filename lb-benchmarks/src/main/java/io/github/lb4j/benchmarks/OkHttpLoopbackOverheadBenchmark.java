package io.github.lb4j.benchmarks;

/**
 * What {@code LoadBalancingInterceptor} adds to one OkHttp 5 call over loopback (see {@link AdapterOverheadBenchmark});
 * {@link InterceptorOverheadBenchmark} measures the interceptor without the network.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar OkHttpLoopbackOverheadBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
public class OkHttpLoopbackOverheadBenchmark extends AdapterOverheadBenchmark {

    @Override
    String adapter() {
        return "okhttp";
    }
}
