package io.github.lb4j.okhttp;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.http.Route;
import java.util.List;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;
import okhttp3.HttpUrl;

/**
 * Accepts what the delegate accepts for the connected host, and for an address (host and port) that is a backend
 * of a route configured with {@code verifyCertificateAgainstRouteName}, also what the delegate accepts for the
 * route's name. It never accepts anything the delegate rejects for both names. A connection belongs to an address,
 * not to a route: an address that is a member of such a route is accepted with a certificate for that route's name
 * whichever route a request came through.
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
        int port = session.getPeerPort(); // OkHttp opens TLS with the URL's host and port; -1 if unknown
        for (Route route : routes) {
            if (isBackend(route, hostname, port) && delegate.verify(route.name(), session)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code hostname} (as OkHttp passes it: the canonical URL host) and port are the address of a member or
     * draining backend of the route. Runs once per TLS handshake, not per request.
     */
    private static boolean isBackend(Route route, String hostname, int port) {
        for (BackendStats stats : route.loadBalancer().stats()) {
            Backend b = stats.backend();
            if ((port <= 0 || b.port() == port) && hostname.equalsIgnoreCase(canonical(b.host()))) {
                return true;
            }
        }
        return false;
    }

    private static String canonical(String host) {
        try {
            return new HttpUrl.Builder().scheme("https").host(host).build().host();
        } catch (IllegalArgumentException e) {
            return host;
        }
    }

    @Override
    public String toString() {
        return "RouteNameHostnameVerifier{" + delegate + '}';
    }
}
