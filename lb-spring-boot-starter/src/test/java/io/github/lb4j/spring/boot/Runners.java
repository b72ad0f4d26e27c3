package io.github.lb4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.api.AbstractThrowableAssert;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The context runner of the condition tests, and the check of a failed start. */
final class Runners {

    private Runners() {
    }

    static ApplicationContextRunner lb4j() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(Lb4jAutoConfiguration.class,
                Lb4jClientAutoConfiguration.class, Lb4jHealthAutoConfiguration.class,
                Lb4jMetricsAutoConfiguration.class));
    }

    /** Asserts that the start failed because of {@code property} (and its value, when given), naming both. */
    static AbstractThrowableAssert<?, ? extends Throwable> failedOn(AssertableApplicationContext context,
                                                                   String property, String value) {
        assertThat(context).hasFailed();
        Throwable root = context.getStartupFailure();
        while (root.getCause() != null && !(root instanceof Lb4jPropertyException)) {
            root = root.getCause();
        }
        assertThat(root).isInstanceOf(Lb4jPropertyException.class);
        Lb4jPropertyException e = (Lb4jPropertyException) root;
        assertThat(e.property()).isEqualTo(property);
        assertThat(e.value()).isEqualTo(value);
        assertThat(e.getMessage()).startsWith(property + ": ");
        if (value != null) {
            assertThat(e.getMessage()).contains("'" + value + "'");
        }
        return assertThat(e);
    }
}
