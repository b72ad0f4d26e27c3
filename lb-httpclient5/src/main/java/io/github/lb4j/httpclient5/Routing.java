package io.github.lb4j.httpclient5;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.HttpBalancer;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

/**
 * What the classic and the async handler share: which route a request names, the checks on its URL, the
 * {@link HttpRoute} of an attempt to a backend, and the context attributes an application attaches to a request.
 *
 * <p>Thread-safety: immutable.
 */
final class Routing {

    /** Context attribute of a {@link RequestContext} (hash key, pin) for one request. */
    static final String REQUEST_CONTEXT = RequestContext.class.getName();
    /** Context attribute of an {@link Idempotency} for one request. */
    static final String IDEMPOTENCY = Idempotency.class.getName();

    final HttpBalancer balancer;

    Routing(HttpBalancer balancer) {
        this.balancer = balancer;
    }

    /** The host a request names, in lower case: its authority, or the route's target when it has none. */
    static String host(HttpRequest request, HttpRoute route) {
        URIAuthority authority = request.getAuthority();
        String host = authority != null ? authority.getHostName() : route.getTargetHost().getHostName();
        for (int i = 0; i < host.length(); i++) {
            if (Character.isUpperCase(host.charAt(i))) {
                return host.toLowerCase(Locale.ROOT);
            }
        }
        return host;
    }

    /**
     * @return the route the request names, or null to pass it through
     * @throws IOException if the host has no route and unknown hosts are rejected, or if a routed URL carries a
     *     port or user info
     */
    Route route(HttpRequest request, HttpRoute current) throws IOException {
        String host = host(request, current);
        Route route = balancer.route(host);
        if (route == null) {
            if (balancer.rejectsUnknownHosts()) {
                throw balancer.unknownHost(host);
            }
            return null;
        }
        URIAuthority authority = request.getAuthority();
        if (authority != null) {
            int port = authority.getPort();
            if (port >= 0 && port != defaultPort(scheme(request, current))) {
                throw balancer.explicitPort(route, port);
            }
            if (authority.getUserInfo() != null) {
                // Never echo the user info: it is a credential.
                throw new IOException("the URL names route '" + route.name() + "' with user info; a route's "
                        + "backends are not the URL's host, so send credentials in a header or through a "
                        + "CredentialsProvider instead");
            }
        }
        return route;
    }

    static String scheme(HttpRequest request, HttpRoute current) {
        String scheme = request.getScheme();
        return scheme != null ? scheme.toLowerCase(Locale.ROOT) : current.getTargetHost().getSchemeName();
    }

    private static int defaultPort(String scheme) {
        return URIScheme.HTTPS.same(scheme) ? 443 : 80;
    }

    /**
     * The route of one attempt: the backend as target, the current route's proxy and local address kept, and for
     * a route that verifies certificates against its name, that name as the TLS target name (SNI and hostname
     * verification), so the connection pool keeps connections per backend and per name.
     */
    static HttpRoute attemptRoute(Route route, Backend backend, String scheme, HttpRoute current)
            throws UnusableBackendException {
        HttpHost target;
        try {
            target = new HttpHost(scheme, backend.host(), backend.port());
        } catch (IllegalArgumentException e) {
            throw new UnusableBackendException("route '" + route.name() + "': backend " + backend.id()
                    + " has a host HttpClient cannot address", e);
        }
        boolean secure = URIScheme.HTTPS.same(scheme);
        URIAuthority name = route.verifyCertificateAgainstRouteName() && secure
                ? new URIAuthority(route.name(), backend.port()) : null;
        InetAddress local = current.getLocalAddress();
        HttpHost proxy = current.getProxyHost();
        return proxy == null ? new HttpRoute(target, name, local, secure)
                : new HttpRoute(target, name, local, proxy, secure);
    }

    /** The authority of an attempt's request: the backend, which also makes the Host header unless preserved. */
    static URIAuthority authority(Backend backend) {
        return new URIAuthority(backend.host(), backend.port());
    }

    static RequestContext requestContext(HttpContext context) {
        Object value = context == null ? null : context.getAttribute(REQUEST_CONTEXT);
        return value instanceof RequestContext ? (RequestContext) value : null;
    }

    static Idempotency idempotency(HttpContext context) {
        Object value = context == null ? null : context.getAttribute(IDEMPOTENCY);
        return value instanceof Idempotency ? (Idempotency) value : null;
    }
}
