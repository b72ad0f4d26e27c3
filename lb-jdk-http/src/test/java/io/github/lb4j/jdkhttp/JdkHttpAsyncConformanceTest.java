package io.github.lb4j.jdkhttp;

/**
 * lb-http's adapter conformance suite with every call, the suite's synchronous ones included, sent with
 * {@link LoadBalancedHttpClient#sendAsync}: the engine's asynchronous path through the JDK client.
 */
class JdkHttpAsyncConformanceTest extends JdkHttpConformanceTest {

    @Override
    boolean asyncOnly() {
        return true;
    }
}
