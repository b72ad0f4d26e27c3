package io.github.lb4j.spring.boot;

import io.github.lb4j.core.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code lb4j.pools.<name>.backends}: {@code host:port[;weight=N][;zone=Z][;id=X][;backup]}, comma separated.
 * Strict: an empty entry, a missing or bad port, an unknown option or a value lb4j's {@link Backend} refuses fails
 * with the property and the entry named.
 */
final class BackendList {

    private BackendList() {
    }

    static List<Backend> parse(String property, String text) {
        List<Backend> backends = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return backends;
        }
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                throw new Lb4jPropertyException(property, text, "has an empty entry; write host:port entries"
                        + " separated by single commas");
            }
            backends.add(parseEntry(property, entry));
        }
        return backends;
    }

    private static Backend parseEntry(String property, String entry) {
        String[] parts = entry.split(";", -1);
        Backend backend = hostAndPort(property, entry, parts[0].trim());
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq).trim();
            String value = eq < 0 ? null : option.substring(eq + 1).trim();
            try {
                backend = apply(backend, key, value);
            } catch (IllegalArgumentException e) {
                throw new Lb4jPropertyException(property, entry, e.getMessage(), e);
            }
        }
        return backend;
    }

    private static Backend apply(Backend backend, String key, String value) {
        switch (key) {
            case "backup":
                if (value != null) {
                    throw new IllegalArgumentException("option 'backup' takes no value, got '" + value + "'");
                }
                return backend.asBackup();
            case "weight":
                return backend.withWeight(integer("weight", value));
            case "zone":
                return backend.withZone(required("zone", value));
            case "id":
                return backend.withId(required("id", value));
            default:
                throw new IllegalArgumentException("unknown option '" + key + "'; use weight=N, zone=Z, id=X or"
                        + " backup");
        }
    }

    static Backend hostAndPort(String property, String entry, String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1 || address.endsWith("]")) {
            throw new Lb4jPropertyException(property, entry, "is not host:port (IPv6 as [::1]:8080)");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new Lb4jPropertyException(property, entry, "is ambiguous; write an IPv6 address in brackets,"
                    + " as in [::1]:8080");
        }
        try {
            return Backend.of(host, integer("port", address.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new Lb4jPropertyException(property, entry, e.getMessage(), e);
        }
    }

    private static String required(String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("option '" + key + "' needs a value, as in " + key + "=...");
        }
        return value;
    }

    private static int integer(String key, String value) {
        String v = required(key, value);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'", e);
        }
    }
}
