package io.github.lb4j.core;

import io.github.lb4j.core.internal.Checks;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One instance of a service that a {@link LoadBalancer} may send requests to: a host, a port and a few attributes
 * that influence selection.
 *
 * <pre>{@code
 * Backend a = Backend.of("10.0.0.1", 8080);                       // id "10.0.0.1:8080", weight 1
 * Backend b = Backend.of("10.0.0.2", 8080).withWeight(3).withZone("eu-west-1a");
 * Backend spare = Backend.of("10.0.0.9", 8080).asBackup();          // used only when no primary is available
 * }</pre>
 *
 * <p>A {@code Backend} is an immutable value: every {@code with*} method returns a new instance and {@link #equals}
 * compares every field. A pool keys the state it keeps per backend (in-flight count, counters, latency estimate,
 * health) by {@link #id()}, so replacing a backend by one with the same id and another weight keeps that state.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class Backend {

    /**
     * The largest weight accepted. Weights are relative, so a larger range buys nothing, and a bound keeps the
     * arithmetic of weighted schedules (sums over 10 000 backends) far from overflow.
     */
    public static final int MAX_WEIGHT = 1_000_000;

    private final String id;
    private final String host;
    private final int port;
    private final int weight;
    private final String zone;
    private final boolean backup;
    private final Map<String, String> metadata;

    private Backend(String id, String host, int port, int weight, String zone, boolean backup,
                    Map<String, String> metadata) {
        this.id = id;
        this.host = host;
        this.port = port;
        this.weight = weight;
        this.zone = zone;
        this.backup = backup;
        this.metadata = metadata;
    }

    /**
     * A backend at {@code host:port} with weight 1, no zone and no metadata; its id is {@code host:port}
     * ({@code [host]:port} for an IPv6 literal).
     *
     * @param host a host name or IP literal, not blank
     * @param port 1 to 65535
     * @return the backend
     * @throws IllegalArgumentException if {@code host} is blank or not a host name or IP literal (white space, control
     *     characters, {@code / @ ? # \}, brackets other than around an IPv6 literal, or a ':' in anything but an
     *     IPv6 literal: {@code "10.0.0.1:8080"} is rejected, the port goes in {@code port}), or {@code port} is out
     *     of range
     * @throws NullPointerException if {@code host} is null
     */
    public static Backend of(String host, int port) {
        String h = checkHost(host);
        Checks.port("port", port);
        return new Backend(defaultId(h, port), h, port, 1, null, false, Map.of());
    }

    private static String checkHost(String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, got '" + host + "'");
        }
        if (looksLikeHostAndPort(host) && !isIpv6Literal(host)) {
            throw new IllegalArgumentException("host must not include a port, got '" + shown(host) + "'; pass the"
                    + " port separately, as in Backend.of(\"10.0.0.1\", 8080)");
        }
        // Brackets only as the pair around an IPv6 literal; a backslash and the other URL delimiters never, so a host
        // cannot smuggle a path, userinfo or another authority into a URL built from it.
        boolean bracketed = host.length() > 2 && host.startsWith("[") && host.endsWith("]");
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean bracket = (c == '[' || c == ']') && !(bracketed && (i == 0 || i == host.length() - 1));
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == '@' || c == '?'
                    || c == '#' || c == '\\' || bracket) {
                throw new IllegalArgumentException("host must be a host name or IP literal, got '"
                        + shown(host) + "'");
            }
        }
        String h = bracketed ? host.substring(1, host.length() - 1) : host;
        // A colon makes the host an IPv6 literal in every id and URL built from it, so it must really be one: a
        // "host:port" taken for one would become "[10.0.0.1:8080]:8080", which no client can reach.
        if ((bracketed || h.indexOf(':') >= 0) && !isIpv6Literal(h)) {
            throw new IllegalArgumentException("host has a ':' or brackets but is not an IPv6 literal, got '"
                    + shown(host) + "'");
        }
        return h;
    }

    /** "10.0.0.1:8080", "example.com:80", "[::1]:80": a host (or bracketed literal) and a port in one string. */
    private static boolean looksLikeHostAndPort(String host) {
        int colon = host.lastIndexOf(':');
        if (colon <= 0 || colon == host.length() - 1) {
            return false;
        }
        for (int i = colon + 1; i < host.length(); i++) {
            if (host.charAt(i) < '0' || host.charAt(i) > '9') {
                return false;
            }
        }
        String before = host.substring(0, colon);
        return before.startsWith("[") && before.endsWith("]") || before.indexOf(':') < 0;
    }

    /**
     * Whether {@code h} is an IPv6 address in RFC 4291 text form: eight groups of one to four hex digits, at most one
     * {@code ::} standing for one or more zero groups, optionally a dotted IPv4 address as the last 32 bits, and
     * optionally a zone id after {@code %} (RFC 6874; any characters the checks above let through). Parsed here
     * rather than by {@code InetAddress.getByName}, which would look anything else up in DNS.
     */
    static boolean isIpv6Literal(String h) {
        int percent = h.indexOf('%');
        if (percent >= 0) {
            if (percent == h.length() - 1) {
                return false; // an empty zone id
            }
            h = h.substring(0, percent);
        }
        int gap = h.indexOf("::");
        if (gap >= 0 && h.indexOf("::", gap + 1) >= 0) {
            return false; // two gaps: ambiguous
        }
        if (gap < 0) {
            return groups(h, false) == 8;
        }
        int head = gap == 0 ? 0 : groups(h.substring(0, gap), true);
        String rest = h.substring(gap + 2);
        int tail = rest.isEmpty() ? 0 : groups(rest, false);
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /**
     * @param noIpv4 whether a dotted IPv4 tail is forbidden (before a {@code ::})
     * @return the number of 16-bit groups in a ':'-separated run (an IPv4 tail counts two), or -1 if malformed
     */
    private static int groups(String run, boolean noIpv4) {
        String[] parts = run.split(":", -1);
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && !noIpv4 && p.indexOf('.') >= 0) {
                if (!isIpv4(p)) {
                    return -1;
                }
                n += 2;
            } else if (p.isEmpty() || p.length() > 4 || !isHex(p)) {
                return -1;
            } else {
                n++;
            }
        }
        return n;
    }

    private static boolean isHex(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(String p) {
        String[] octets = p.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || (o.length() > 1 && o.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < o.length(); i++) {
                if (o.charAt(i) < '0' || o.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * Ids, zones and metadata keys appear in log lines and metrics labels: not blank, and no control characters (a
     * line break in an id from discovery would forge log lines). Shown with control characters as '?'.
     */
    private static void checkLabel(String field, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, got '" + shown(value) + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(field + " must not contain control characters, got '"
                        + shown(value) + "'");
            }
        }
    }

    private static String shown(String value) {
        return Checks.printable(value);
    }

    private static String defaultId(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /**
     * A copy with another relative weight. Every strategy sends a backend of weight 3 about three times the share of
     * a backend of weight 1.
     *
     * @param weight 1 to {@link #MAX_WEIGHT}
     * @return the copy
     * @throws IllegalArgumentException if {@code weight} is out of range
     */
    public Backend withWeight(int weight) {
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be between 1 and " + MAX_WEIGHT + ", got " + weight);
        }
        return new Backend(id, host, port, weight, zone, backup, metadata);
    }

    /**
     * A copy in the given zone (a failure domain such as an availability zone), or with no zone when {@code null}.
     *
     * @param zone the zone name, not blank, or null
     * @return the copy
     * @throws IllegalArgumentException if {@code zone} is blank or contains control characters
     */
    public Backend withZone(String zone) {
        if (zone != null) {
            checkLabel("zone", zone);
        }
        return new Backend(id, host, port, weight, zone, backup, metadata);
    }

    /**
     * A copy with another id. Two backends with the same id are the same backend to a pool, so a custom id lets a
     * backend keep its state when its address changes (for example a Kubernetes pod name).
     *
     * @param id not blank
     * @return the copy
     * @throws IllegalArgumentException if {@code id} is blank or contains control characters
     */
    public Backend withId(String id) {
        Objects.requireNonNull(id, "id");
        checkLabel("id", id);
        return new Backend(id, host, port, weight, zone, backup, metadata);
    }

    /**
     * A copy with one metadata entry added or replaced. Metadata is carried for the application (and for event
     * listeners); strategies do not read it.
     *
     * @param key not blank, no control characters
     * @param value not null
     * @return the copy
     * @throws IllegalArgumentException if {@code key} is blank or contains control characters
     */
    public Backend withMetadata(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        checkLabel("metadata key", key);
        TreeMap<String, String> copy = new TreeMap<>(metadata);
        copy.put(key, value);
        return new Backend(id, host, port, weight, zone, backup, Collections.unmodifiableMap(copy));
    }

    /**
     * A copy marked as a backup (nginx's {@code backup}): it receives traffic only while no primary backend of its
     * pool is available.
     *
     * @return the copy
     */
    public Backend asBackup() {
        return new Backend(id, host, port, weight, zone, true, metadata);
    }

    /**
     * A copy marked as a primary backend (the default).
     *
     * @return the copy
     */
    public Backend asPrimary() {
        return new Backend(id, host, port, weight, zone, false, metadata);
    }

    /** @return the identity of this backend within a pool; {@code host:port} unless set with {@link #withId} */
    public String id() {
        return id;
    }

    /** @return the host name or IP literal (an IPv6 literal without brackets) */
    public String host() {
        return host;
    }

    /** @return the port, 1 to 65535 */
    public int port() {
        return port;
    }

    /** @return the relative weight, 1 to {@link #MAX_WEIGHT} */
    public int weight() {
        return weight;
    }

    /** @return the zone, or null */
    public String zone() {
        return zone;
    }

    /** @return whether this is a backup backend, used only when no primary is available */
    public boolean isBackup() {
        return backup;
    }

    /** @return the metadata, an unmodifiable map sorted by key */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Backend)) {
            return false;
        }
        Backend b = (Backend) o;
        return port == b.port && weight == b.weight && backup == b.backup && id.equals(b.id) && host.equals(b.host)
                && Objects.equals(zone, b.zone) && metadata.equals(b.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, host, port, weight, zone, backup, metadata);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Backend{").append(id);
        if (!id.equals(defaultId(host, port))) {
            sb.append(" at ").append(defaultId(host, port));
        }
        if (weight != 1) {
            sb.append(", weight=").append(weight);
        }
        if (zone != null) {
            sb.append(", zone=").append(zone);
        }
        if (backup) {
            sb.append(", backup");
        }
        if (!metadata.isEmpty()) {
            sb.append(", metadata=").append(metadata);
        }
        return sb.append('}').toString();
    }
}
