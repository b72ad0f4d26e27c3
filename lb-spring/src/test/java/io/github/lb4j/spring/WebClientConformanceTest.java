package io.github.lb4j.spring;

import io.github.lb4j.http.conformance.AdapterConformanceTest;
import io.github.lb4j.http.conformance.ClientSetup;
import io.github.lb4j.http.conformance.TestClient;

/**
 * lb-http's adapter conformance suite through {@code WebClient} over Reactor Netty: the asynchronous cases through
 * {@code toFuture()} (canceling the future cancels the subscription), the synchronous ones through {@code block()}
 * on the test thread.
 */
class WebClientConformanceTest extends AdapterConformanceTest {

    @Override
    protected TestClient newClient(ClientSetup setup) throws Exception {
        return new SpringTestClients.WebClientTestClient(setup, SpringTestClients.filter(setup));
    }
}
