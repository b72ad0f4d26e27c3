package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.LoadBalancer;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 7: the OkHttp that runs is the application's choice, and an unsupported one is refused at build
 * time with a message naming it. Runs in all three surefire executions: OkHttp 5.x, 4.12, and 3.14.9 (what
 * Retrofit 2.12 brings on its own), where building must fail.
 */
class OkHttpVersionTest {

    private static final int EXPECTED_MAJOR = Integer.getInteger("lb4j.expectedOkHttpMajor", 5);

    @Test
    void theVersionThatRunsIsTheOneThisExecutionPutOnTheClassPath() {
        assertThat(OkHttpVersion.runtime()).startsWith(EXPECTED_MAJOR + ".");
    }

    @Test
    void buildingAnInterceptorChecksTheVersion() {
        try (LoadBalancer pool = LoadBalancer.builder("orders").build()) {
            LoadBalancingInterceptor.Builder b = LoadBalancingInterceptor.builder().route("orders", pool);
            if (EXPECTED_MAJOR >= 4) {
                assertThat(b.build()).isNotNull();
            } else {
                assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("has OkHttp 3.14.9")
                        .hasMessageContaining("4.12")
                        .hasMessageContaining("5.x")
                        .hasMessageContaining("Retrofit");
            }
        }
    }

    @Test
    void supportedVersions() {
        assertThat(OkHttpVersion.supported("5.3.2")).isTrue();
        assertThat(OkHttpVersion.supported("5.0.0-alpha.14")).isTrue();
        assertThat(OkHttpVersion.supported("4.12.0")).isTrue();
        assertThat(OkHttpVersion.supported("4.11.0")).isFalse();
        assertThat(OkHttpVersion.supported("3.14.9")).isFalse();
        assertThat(OkHttpVersion.supported("unknown")).isFalse();
        assertThatThrownBy(() -> OkHttpVersion.requireSupported("4.9.3"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has OkHttp 4.9.3");
    }
}
