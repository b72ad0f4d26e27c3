package io.github.lb4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A real SpringApplication whose start fails on a bad value reports the property and value in Boot's report. */
class FailureAnalyzerTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void badStrategyFailsTheStartWithBootsReport() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                    .properties("spring.main.banner-mode=off", "lb4j.pools.orders.backends=127.0.0.1:8080",
                            "lb4j.pools.orders.strategy=fastest").run())
                    .hasRootCauseInstanceOf(Lb4jPropertyException.class);
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("APPLICATION FAILED TO START")
                .contains("Invalid lb4j configuration: lb4j.pools.orders.strategy: 'fastest' is not a strategy")
                .contains("Change or remove the property lb4j.pools.orders.strategy");
    }
}
