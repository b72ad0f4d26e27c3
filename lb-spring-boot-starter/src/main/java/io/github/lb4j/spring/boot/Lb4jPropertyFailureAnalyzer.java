package io.github.lb4j.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start that failed on an {@link Lb4jPropertyException} into Boot's "APPLICATION FAILED TO START" report:
 * the property, the value and what is wrong, then what to change. Registered in {@code META-INF/spring.factories}.
 */
final class Lb4jPropertyFailureAnalyzer extends AbstractFailureAnalyzer<Lb4jPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, Lb4jPropertyException cause) {
        return new FailureAnalysis("Invalid lb4j configuration: " + cause.getMessage(),
                "Change or remove the property " + cause.property() + " (see the README's Spring Boot section or your"
                        + " IDE's completion for the accepted values).", cause);
    }
}
