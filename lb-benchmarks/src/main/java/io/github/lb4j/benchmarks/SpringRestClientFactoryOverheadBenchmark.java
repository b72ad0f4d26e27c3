package io.github.lb4j.benchmarks;

/**
 * What lb-spring's wrapped request factory ({@code LoadBalancingClientHttpRequestInterceptor.wrap}) adds to one
 * {@code RestClient} call over {@code JdkClientHttpRequestFactory} and loopback, with no interceptor on either side
 * (see {@link AdapterOverheadBenchmark}).
 *
 * <pre>
 * java -jar lb-benchmarks/target/benchmarks.jar SpringRestClientFactoryOverheadBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
public class SpringRestClientFactoryOverheadBenchmark extends AdapterOverheadBenchmark {

    @Override
    String adapter() {
        return "spring-factory";
    }
}
