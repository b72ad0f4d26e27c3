package io.github.lb4j.spring.boot;

import java.util.Map;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when at least one {@code lb4j.pools.<name>} is configured. */
final class OnPoolsCondition extends SpringBootCondition {

    static Set<String> poolNames(Environment environment) {
        return Binder.get(environment)
                .bind(Lb4jProperties.PREFIX + ".pools", Bindable.mapOf(String.class, Object.class))
                .orElse(Map.of()).keySet();
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Set<String> names = poolNames(context.getEnvironment());
        return names.isEmpty() ? ConditionOutcome.noMatch("no lb4j.pools configured")
                : ConditionOutcome.match("lb4j.pools " + names);
    }
}
