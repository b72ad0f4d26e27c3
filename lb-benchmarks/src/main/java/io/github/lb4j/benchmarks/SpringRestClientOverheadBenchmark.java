package io.github.lb4j.benchmarks;

/**
 * What lb-spring's {@code LoadBalancingClientHttpRequestInterceptor} adds to one {@code RestClient} call over
 * {@code JdkClientHttpRequestFactory} and loopback (see {@link AdapterOverheadBenchmark}).
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar SpringRestClientOverheadBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
public class SpringRestClientOverheadBenchmark extends AdapterOverheadBenchmark {

    @Override
    String adapter() {
        return "spring";
    }
}
