package io.github.lb4j.spring;

import io.github.lb4j.core.Backend;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What both Spring adapters do with a URL: find its route (and refuse what a route cannot take), and rewrite it to a
 * picked backend. Spring hands the adapters a {@link URI}, not a canonical URL type, so the host is lower-cased here
 * and the path, query and fragment are copied in their raw (still encoded) form.
 *
 * <p>Thread-safety: safe; its only state is a small cache of parsed backend addresses, of immutable entries.
 */
final class Targets {

    /**
     * Parsed bases by backend identity: direct-mapped, a miss overwrites its slot. Bounded (a removed backend is
     * held until its slot is reused), lock-free: entries are immutable, published through the array.
     */
    private static final AtomicReferenceArray<Base> BASES = new AtomicReferenceArray<>(256);

    private Targets() {
    }

    /**
     * @return the route the URL names, or null to pass it through
     * @throws IOException for a host without a route when unknown hosts are rejected, and for a routed URL with a
     *     port or user info of its own
     */
    static Route route(HttpBalancer balancer, URI uri) throws IOException {
        String rawHost = uri.getHost();
        if (rawHost == null) {
            // No server-based authority (a relative URI, or a host such as "a_b" that URI cannot parse): no route
            // can match it, so it is the client's to handle or to refuse.
            if (balancer.rejectsUnknownHosts()) {
                throw balancer.unknownHost(String.valueOf(uri.getRawAuthority()));
            }
            return null;
        }
        String host = rawHost.toLowerCase(Locale.ROOT);
        Route route = balancer.route(host);
        if (route == null) {
            if (balancer.rejectsUnknownHosts()) {
                throw balancer.unknownHost(host);
            }
            return null;
        }
        int port = uri.getPort();
        if (port != -1 && port != defaultPort(uri.getScheme())) {
            throw balancer.explicitPort(route, port);
        }
        if (uri.getRawUserInfo() != null) {
            // The user info itself is a credential: never part of the message.
            throw new IOException("the URL names route '" + route.name() + "' with user info; a route's backends "
                    + "are picked per call, so send credentials in an Authorization header instead");
        }
        return route;
    }

    static int defaultPort(String scheme) {
        if ("http".equalsIgnoreCase(scheme)) {
            return 80;
        }
        if ("https".equalsIgnoreCase(scheme)) {
            return 443;
        }
        return -1;
    }

    /**
     * {@code uri} sent to {@code backend}: its scheme, the backend's host and port, and the raw path, query and
     * fragment of {@code uri}.
     *
     * <p>{@link URI} has no constructor that does not parse, and parsing the authority (an IP address and a port) is
     * most of a whole URI's parse. So the backend's base ({@code scheme://host:port}) is parsed once and kept in a
     * small cache, and each call parses only the relative reference (path, query, fragment) and resolves it against
     * the base, which copies the parts without parsing them again. An absolute path is taken as it is by
     * {@link URI#resolve(URI)} (no dot segment removed), so the result equals the parse of the whole string. A raw
     * path starting with {@code //} would read as an authority in a relative reference: that one is parsed whole.
     *
     * @throws UnusableBackendException if the backend's host cannot be put in a URI
     */
    static URI rewrite(URI uri, Route route, Backend backend) throws UnusableBackendException {
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        } else if (path.startsWith("//")) {
            return parseWhole(uri, route, backend);
        }
        String reference = uri.getRawQuery() == null && uri.getRawFragment() == null ? path
                : appendQueryAndFragment(new StringBuilder(path.length() + 32).append(path), uri).toString();
        URI relative;
        try {
            relative = new URI(reference);
        } catch (java.net.URISyntaxException e) {
            return parseWhole(uri, route, backend); // parts of a parsed URI: not expected, and the whole parse tells
        }
        return base(uri.getScheme(), route, backend).resolve(relative);
    }

    /** {@code scheme://host:port} of {@code backend}, from the cache or parsed and cached. */
    private static URI base(String scheme, Route route, Backend backend) throws UnusableBackendException {
        int slot = System.identityHashCode(backend) & (BASES.length() - 1);
        Base cached = BASES.get(slot);
        if (cached != null && cached.backend == backend && cached.scheme.equals(scheme)) {
            return cached.uri;
        }
        StringBuilder b = new StringBuilder(48);
        appendAuthority(b.append(scheme).append("://"), backend);
        URI parsed = parse(b.toString(), route, backend);
        BASES.set(slot, new Base(backend, scheme, parsed));
        return parsed;
    }

    /** The whole URL as one string, parsed: what {@link #rewrite} does where a relative reference cannot serve. */
    static URI parseWhole(URI uri, Route route, Backend backend) throws UnusableBackendException {
        StringBuilder b = new StringBuilder(64).append(uri.getScheme()).append("://");
        appendAuthority(b, backend);
        String path = uri.getRawPath();
        b.append(path == null || path.isEmpty() ? "/" : path);
        return parse(appendQueryAndFragment(b, uri).toString(), route, backend);
    }

    /** {@code ?query} and {@code #fragment} of {@code uri}, raw, where it has them. */
    private static StringBuilder appendQueryAndFragment(StringBuilder b, URI uri) {
        if (uri.getRawQuery() != null) {
            b.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            b.append('#').append(uri.getRawFragment());
        }
        return b;
    }

    private static void appendAuthority(StringBuilder b, Backend backend) {
        String host = backend.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            b.append('[').append(host).append(']');
        } else {
            b.append(host);
        }
        b.append(':').append(backend.port());
    }

    private static URI parse(String url, Route route, Backend backend) throws UnusableBackendException {
        URI target;
        try {
            target = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw unusable(route, backend, e);
        }
        if (target.getHost() == null) {
            throw unusable(route, backend, null);
        }
        return target;
    }

    private static final class Base {
        final Backend backend;
        final String scheme;
        final URI uri;

        Base(Backend backend, String scheme, URI uri) {
            this.backend = backend;
            this.scheme = scheme;
            this.uri = uri;
        }
    }

    private static UnusableBackendException unusable(Route route, Backend backend, Exception cause) {
        return new UnusableBackendException("route '" + route.name() + "': backend " + backend.id()
                + " has a host that cannot be put in a URI", cause);
    }

    /** The Host header for a route that preserves it: the logical host, without a trailing dot's ambiguity. */
    static String logicalHost(URI uri) {
        return uri.getHost().toLowerCase(Locale.ROOT);
    }

    /** Whether a response to {@code method} with {@code status} and this content length carries no body. */
    static boolean noBody(String method, int status, long contentLength) {
        return "HEAD".equals(method) || status < 200 || status == 204 || status == 304 || contentLength == 0L;
    }
}
