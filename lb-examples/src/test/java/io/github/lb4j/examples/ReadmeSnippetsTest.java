package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.ActiveHealthCheck;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.OutlierDetection;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.okhttp.LoadBalancingInterceptor;
import io.github.lb4j.okhttp.OkHttpHealthChecker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The README's health and OkHttp snippets, compiled and built as written. */
class ReadmeSnippetsTest {

    @Test
    void healthSnippetBuilds() {
        OkHttpClient client = new OkHttpClient();
        List<Backend> backends = List.of(Backend.of("127.0.0.1", 1));
        List<Object> events = new ArrayList<>();
        LoadBalancer orders = LoadBalancer.builder("orders")
                .backends(backends)
                .strategy(Strategy.peakEwma())
                .outlierDetection(OutlierDetection.builder()
                        .consecutiveFailures(5)
                        .baseEjectionTime(Duration.ofSeconds(30))
                        .maxEjectionPercent(50)
                        .build())
                .healthCheck(ActiveHealthCheck.of(OkHttpHealthChecker.builder(client).path("/healthz").build()))
                .slowStart(Duration.ofSeconds(30))
                .panicThreshold(50)
                .listener(events::add)
                .build();
        OkHttpClient balanced = new OkHttpClient.Builder()
                .followRedirects(false)
                .addInterceptor(LoadBalancingInterceptor.builder()
                        .route("orders", orders)
                        .build())
                .build();
        assertThat(balanced.interceptors()).hasSize(1);
        orders.close();
    }
}
