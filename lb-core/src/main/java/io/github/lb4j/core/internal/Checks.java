package io.github.lb4j.core.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by lb4j's builders. Every failure names the field and the bad value, as the builders
 * promise.
 *
 * <p>Thread-safety: stateless.
 */
public final class Checks {

    /** The largest TCP/UDP port. */
    public static final int MAX_PORT = 65535;

    private Checks() {
    }

    /**
     * @param field the name used in the message, such as {@code port} or {@code resolver port}
     * @param port the value
     * @return {@code port}
     * @throws IllegalArgumentException unless 1 to 65535
     */
    public static int port(String field, int port) {
        if (port < 1 || port > MAX_PORT) {
            throw new IllegalArgumentException(field + " must be between 1 and " + MAX_PORT + ", got " + port);
        }
        return port;
    }

    /**
     * @param field the name used in the message
     * @param value the duration
     * @return {@code value}
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if zero or negative
     */
    public static Duration positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * @param field the name used in the message
     * @param value the duration
     * @param min the smallest accepted value
     * @param max the largest accepted value
     * @return {@code value}
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if outside {@code [min, max]}
     */
    public static Duration between(String field, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, field);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got "
                    + value);
        }
        return value;
    }

    /**
     * User text as it may appear in an exception message or a log line: control characters (a forged line break,
     * a terminal escape) become {@code ?}, so a message cannot be made to look like several.
     *
     * @param text any text, or null
     * @return the cleaned text ({@code "null"} for null)
     */
    public static String printable(String text) {
        if (text == null) {
            return "null";
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return text.replaceAll("\\p{Cntrl}", "?");
            }
        }
        return text;
    }
}
