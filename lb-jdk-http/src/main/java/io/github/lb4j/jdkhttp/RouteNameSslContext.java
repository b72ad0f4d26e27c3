package io.github.lb4j.jdkhttp;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendStats;
import io.github.lb4j.http.Route;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The application's {@link SSLContext}, except that a TLS engine opened to the address of one of the route's
 * backends is opened with the route's name as its peer host. The JDK client asks for an engine with
 * {@code createSSLEngine(uriHost, port)} and turns endpoint identification ({@code "HTTPS"}) on; the JDK's trust
 * manager then checks the certificate chain with the application's trust material, exactly as for any call, and
 * the name in the certificate against the engine's peer host: the route name instead of the backend's IP. Nothing
 * is checked by lb4j itself, and nothing is skipped.
 *
 * <p>An engine to any other address (a redirect elsewhere, say) keeps the host the client asked for. The JDK sends
 * no SNI for an IP-literal URI host, and that stays so.
 *
 * <p>Thread-safety: thread-safe; reads the pool's membership, which is thread-safe, once per TLS handshake.
 */
final class RouteNameSslContext extends SSLContext {

    RouteNameSslContext(SSLContext delegate, Route route) {
        super(new Spi(delegate, route), delegate.getProvider(), delegate.getProtocol());
    }

    /** The peer host for an engine to {@code host:port}: the route's name if that is a backend of the route. */
    static String peerHost(Route route, String host, int port) {
        if (host == null) {
            return null;
        }
        String bare = unbracketed(host);
        for (BackendStats stats : route.loadBalancer().stats()) {
            Backend b = stats.backend();
            if (b.port() == port && unbracketed(b.host()).equalsIgnoreCase(bare)) {
                return route.name();
            }
        }
        return host;
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final Route route;

        Spi(SSLContext delegate, Route route) {
            this.delegate = delegate;
            this.route = route;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
                throws KeyManagementException {
            throw new KeyManagementException("lb4j's route-name context wraps an initialized context");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return delegate.createSSLEngine(peerHost(route, host, port), port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }
}
