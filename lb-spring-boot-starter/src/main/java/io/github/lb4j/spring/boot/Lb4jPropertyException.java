package io.github.lb4j.spring.boot;

import java.time.Duration;

/**
 * A property of {@link Lb4jProperties} with a value lb4j cannot use; thrown while the application context starts,
 * so the start fails. The message names the property (such as {@code lb4j.pools.orders.strategy}) and the value.
 *
 * <pre>{@code
 * // lb4j.pools.orders.strategy=fastest
 * // -> Lb4jPropertyException: lb4j.pools.orders.strategy: 'fastest' is not a strategy; use one of round-robin, ...
 * }</pre>
 *
 * <p>Thread-safety: immutable.
 */
public final class Lb4jPropertyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String value;

    Lb4jPropertyException(String property, Object value, String problem, Throwable cause) {
        super(property + ": " + (value == null ? "" : "'" + shown(value) + "' ") + problem, cause);
        this.property = property;
        this.value = value == null ? null : shown(value);
    }

    /** A duration as it is written in properties ({@code -5s}, {@code 200ms}), not as ISO-8601. */
    private static String shown(Object value) {
        if (!(value instanceof Duration)) {
            return String.valueOf(value);
        }
        Duration d = (Duration) value;
        if (d.getNano() == 0) {
            return d.getSeconds() + "s";
        }
        if (d.getNano() % 1_000_000 == 0) {
            return d.toMillis() + "ms";
        }
        return d.toNanos() + "ns";
    }

    Lb4jPropertyException(String property, Object value, String problem) {
        this(property, value, problem, null);
    }

    /** @return the property's full name, such as {@code lb4j.pools.orders.strategy} */
    public String property() {
        return property;
    }

    /** @return the bad value as text, or null when the problem is a missing value */
    public String value() {
        return value;
    }
}
