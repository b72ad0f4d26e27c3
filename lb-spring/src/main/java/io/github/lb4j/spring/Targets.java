package io.github.lb4j.spring;

import io.github.lb4j.core.Backend;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;

/**
 * What both Spring adapters do with a URL: find its route (and refuse what a route cannot take), and rewrite it to a
 * picked backend. Spring hands the adapters a {@link URI}, not a canonical URL type, so the host is lower-cased here
 * and the path, query and fragment are copied in their raw (still encoded) form.
 *
 * <p>Thread-safety: stateless.
 */
final class Targets {

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
     * @throws UnusableBackendException if the backend's host cannot be put in a URI
     */
    static URI rewrite(URI uri, Route route, Backend backend) throws UnusableBackendException {
        String host = backend.host();
        StringBuilder b = new StringBuilder(64).append(uri.getScheme()).append("://");
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            b.append('[').append(host).append(']');
        } else {
            b.append(host);
        }
        b.append(':').append(backend.port());
        String path = uri.getRawPath();
        b.append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            b.append('?').append(uri.getRawQuery());
        }
        if (uri.getRawFragment() != null) {
            b.append('#').append(uri.getRawFragment());
        }
        URI target;
        try {
            target = new URI(b.toString());
        } catch (java.net.URISyntaxException e) {
            throw unusable(route, backend, e);
        }
        if (target.getHost() == null) {
            throw unusable(route, backend, null);
        }
        return target;
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
