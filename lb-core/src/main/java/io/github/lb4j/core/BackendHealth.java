package io.github.lb4j.core;

/**
 * The health of a backend as its pool sees it. Only {@link #HEALTHY} backends are picked, except in panic mode.
 *
 * <p>Transitions:
 * <pre>
 *   HEALTHY   → EJECTED    passive outlier detection (failures in a row, failure rate)
 *   EJECTED   → HEALTHY    the ejection period ended
 *   HEALTHY   → UNHEALTHY  active checks failed "fall" times in a row
 *   UNHEALTHY → HEALTHY    active checks passed "rise" times in a row
 *   EJECTED   → UNHEALTHY  active checks failed while ejected
 *   any       → DRAINING   removed from membership; in-flight calls finish, no new picks
 *   DRAINING  → HEALTHY    added back to membership before it drained
 * </pre>
 */
public enum BackendHealth {
    /** Receives traffic. */
    HEALTHY,
    /** Taken out of rotation by passive outlier detection until its ejection period ends. */
    EJECTED,
    /** Taken out of rotation by active health checks until they pass again. */
    UNHEALTHY,
    /** No longer a member of the pool; kept only until its in-flight calls complete. */
    DRAINING;

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
