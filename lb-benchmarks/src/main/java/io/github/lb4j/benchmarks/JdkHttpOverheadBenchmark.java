package io.github.lb4j.benchmarks;

/**
 * What {@code LoadBalancedHttpClient} adds to one JDK {@code HttpClient} call over loopback (see
 * {@link AdapterOverheadBenchmark}). The JDK client has no interceptors, so it cannot be answered in-process.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar JdkHttpOverheadBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
public class JdkHttpOverheadBenchmark extends AdapterOverheadBenchmark {

    @Override
    String adapter() {
        return "jdk";
    }
}
