package io.github.lb4j.http.conformance;

import io.github.lb4j.core.Ticker;
import io.github.lb4j.http.Route;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * What the suite asks an adapter to build: its client, wrapped by its lb4j adapter with these routes.
 *
 * @param routes the routes, each to be added to the adapter as is
 * @param rejectUnknownHosts the adapter's option of that name
 * @param ticker the clock of the retry budgets
 * @param random the backoff jitter
 * @param readTimeout the client's read (response) timeout
 * @param callTimeout the client's timeout of a whole call, retries included
 * @param sslContext the client's TLS context (trusts the suite's certificate), or null for the default
 * @param trustManager the trust manager inside {@code sslContext}, or null
 */
public record ClientSetup(List<Route> routes, boolean rejectUnknownHosts, Ticker ticker, RandomGenerator random,
                          Duration readTimeout, Duration callTimeout, SSLContext sslContext,
                          X509TrustManager trustManager) {

    /**
     * The suite's TLS cases install a certificate for a route's name on a backend addressed by IP: an adapter must
     * install its route-name hostname verification (lb-okhttp: {@code hostnameVerifier(...)}) whenever
     * {@code sslContext} is set.
     *
     * @return whether the client must speak TLS with the suite's trust
     */
    public boolean tls() {
        return sslContext != null;
    }
}
