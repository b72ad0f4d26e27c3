package io.github.lb4j.http;

import io.github.lb4j.core.internal.Checks;
import java.util.Locale;
import java.util.Objects;

/** Validation of route names: they appear as the host of request URLs, so they must be valid host names. */
final class HostNames {

    private HostNames() {
    }

    /**
     * @return the name in lower case (clients lower-case URL hosts, so a route matches case-insensitively)
     * @throws IllegalArgumentException if the name is not an RFC 1123 host name
     */
    static String checkRouteName(String name) {
        Objects.requireNonNull(name, "name");
        String lower = name.toLowerCase(Locale.ROOT);
        String problem = problem(lower);
        if (problem != null) {
            throw new IllegalArgumentException("route name must be a valid host name (" + problem + "), got '"
                    + Checks.printable(name) + "'");
        }
        return lower;
    }

    private static String problem(String name) {
        // 253: the longest name DNS can carry in text form (RFC 1035, 255 octets on the wire).
        if (name.isEmpty() || name.length() > 253) {
            return "1 to 253 characters";
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            // 63: the longest DNS label (RFC 1035).
            if (label.isEmpty() || label.length() > 63) {
                return "dot-separated labels of 1 to 63 characters";
            }
            if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return "labels must not start or end with '-'";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                    return "letters, digits, '-' and '.' only";
                }
            }
        }
        // RFC 1123 2.1: a top-level label is never all-numeric; this also rules out IPv4 literals.
        String last = labels[labels.length - 1];
        if (last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "the last label must not be numeric; IP addresses are not route names";
        }
        return null;
    }
}
