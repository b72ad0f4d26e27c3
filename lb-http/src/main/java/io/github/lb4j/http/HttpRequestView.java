package io.github.lb4j.http;

import java.net.URI;
import java.util.List;

/**
 * What a {@link Route}'s hash-key function sees of a request, whichever HTTP client sent it: method, URL and
 * headers, never the body. An adapter wraps its client's request in one of these; nothing is copied until asked for.
 *
 * <pre>{@code
 * Route route = Route.builder("orders", pool)
 *         .hashKey(request -> request.header("X-Tenant") != null ? request.header("X-Tenant")
 *                                                                 : request.queryParameter("tenant"))
 *         .build();
 * }</pre>
 *
 * <p>Thread-safety: a view is read on the thread that sends the request; implementations need not be thread-safe.
 */
public interface HttpRequestView {

    /** @return the method in upper case, such as {@code GET} */
    String method();

    /** @return the request's URL as the application wrote it (logical host, no backend yet) */
    URI uri();

    /**
     * @param name a header name, matched case-insensitively
     * @return the first value of that header, or null
     */
    default String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * @param name a header name, matched case-insensitively
     * @return every value of that header in order, empty if none
     */
    List<String> headers(String name);

    /**
     * @param name a query parameter name, matched exactly
     * @return the percent-decoded value of the first parameter of that name ({@code ""} for {@code ?name} without
     *     a value), or null if there is none
     */
    default String queryParameter(String name) {
        return QueryParameters.first(uri().getRawQuery(), name);
    }
}
