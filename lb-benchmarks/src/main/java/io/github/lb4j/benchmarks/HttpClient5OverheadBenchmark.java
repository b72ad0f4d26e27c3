package io.github.lb4j.benchmarks;

/**
 * What {@code LoadBalancingExec} adds to one classic Apache HttpClient 5 call over loopback (see
 * {@link AdapterOverheadBenchmark}): pick, request rewrite, per-backend route, retry-budget deposit, outcome on
 * entity end.
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar HttpClient5OverheadBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
public class HttpClient5OverheadBenchmark extends AdapterOverheadBenchmark {

    @Override
    String adapter() {
        return "httpclient5";
    }
}
