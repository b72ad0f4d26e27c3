package io.github.lb4j.okhttp;

import io.github.lb4j.core.Backend;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;

/**
 * {@code http://host:port/} and {@code https://host:port/} of each backend of one route, hosts canonicalized once:
 * canonicalizing a host (IDN mapping) is most of the cost of a URL rewrite, and a pool hands out the same backends
 * again and again.
 *
 * <p>Thread-safety: thread-safe (a concurrent map; a racing rebuild of one entry is harmless).
 */
final class UrlTemplates {

    /** Bound of the cache: far above any pool, low enough that churn cannot grow it without limit. */
    private static final int MAX_TEMPLATES = 4096;

    /** Keyed by backend id (its String hash is cached, unlike Backend's); checked against host and port. */
    private final ConcurrentHashMap<String, Templates> templates = new ConcurrentHashMap<>();

    /** @throws IllegalArgumentException if OkHttp does not accept the backend's host */
    HttpUrl template(Backend backend, boolean https) {
        Templates t = templates.get(backend.id());
        if (t == null || !t.isFor(backend)) {
            if (templates.size() >= MAX_TEMPLATES) {
                templates.clear();
            }
            t = new Templates(backend);
            templates.put(backend.id(), t);
        }
        return https ? t.https : t.http;
    }

    /**
     * {@code url} with the scheme, host and port of {@code template}. Equivalent to
     * {@code url.newBuilder().host(h).port(p).build()}, but the host was canonicalized once, when the template was
     * built.
     */
    static HttpUrl rewrite(HttpUrl url, HttpUrl template) {
        HttpUrl.Builder b = template.newBuilder().encodedPath(url.encodedPath());
        String query = url.encodedQuery();
        if (query != null) {
            b.encodedQuery(query);
        }
        String user = url.encodedUsername();
        if (!user.isEmpty()) {
            b.encodedUsername(user);
        }
        String password = url.encodedPassword();
        if (!password.isEmpty()) {
            b.encodedPassword(password);
        }
        String fragment = url.encodedFragment();
        if (fragment != null) {
            b.encodedFragment(fragment);
        }
        return b.build();
    }

    private static final class Templates {
        final Backend backend;
        final HttpUrl http;
        final HttpUrl https;

        Templates(Backend backend) {
            this.backend = backend;
            // Both built from scratch: newBuilder() forgets an explicit port equal to the scheme's default.
            this.http = new HttpUrl.Builder().scheme("http").host(backend.host()).port(backend.port()).build();
            this.https = new HttpUrl.Builder().scheme("https").host(backend.host()).port(backend.port()).build();
        }

        boolean isFor(Backend b) {
            // Identity first: a pool hands out the same Backend instance until its membership changes.
            return b == backend || b.port() == backend.port() && b.host().equals(backend.host());
        }
    }
}
