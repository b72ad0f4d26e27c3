package io.github.lb4j.spring;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.http.Route;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;

/**
 * Accepts what the delegate accepts for the connected host and, for an address that is a backend of a route
 * configured with {@code verifyCertificateAgainstRouteName}, also what the delegate accepts for that route's name.
 * Never accepts what the delegate rejects for both. A connection belongs to an address, not to a route: a member of
 * such a route is accepted with a certificate for that route's name whichever route a request came through.
 *
 * <p>Thread-safety: immutable; reads pool membership, which is thread-safe.
 */
final class RouteNameHostnameVerifier implements HostnameVerifier {

    private final HostnameVerifier delegate;
    private final List<Route> routes;

    RouteNameHostnameVerifier(HostnameVerifier delegate, List<Route> routes) {
        this.delegate = delegate;
        this.routes = List.copyOf(routes);
    }

    @Override
    public boolean verify(String hostname, SSLSession session) {
        if (delegate.verify(hostname, session)) {
            return true;
        }
        Route route = routeOf(routes, hostname, session.getPeerPort());
        return route != null && delegate.verify(route.name(), session);
    }

    /**
     * The first of {@code routes} that has a member or draining backend at {@code host} and {@code port}
     * ({@code port <= 0}: any), or null. Runs once per TLS handshake, not per request.
     */
    static Route routeOf(List<Route> routes, String host, int port) {
        if (host == null) {
            return null;
        }
        String h = unbracketed(host);
        for (Route route : routes) {
            for (BackendStats stats : route.loadBalancer().stats()) {
                Backend b = stats.backend();
                if ((port <= 0 || b.port() == port) && h.equalsIgnoreCase(unbracketed(b.host()))) {
                    return route;
                }
            }
        }
        return null;
    }

    private static String unbracketed(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "RouteNameHostnameVerifier{" + delegate + '}';
    }
}
