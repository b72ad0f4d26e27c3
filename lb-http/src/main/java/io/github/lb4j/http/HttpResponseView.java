package io.github.lb4j.http;

import java.util.List;

/**
 * What a {@link Route}'s failure classifier sees of a response: its status and headers, never its body (reading the
 * body would consume it before the application does).
 *
 * <pre>{@code
 * Route route = Route.builder("orders", pool)
 *         .failureWhen(response -> response.status() == 429 || response.status() >= 500)
 *         .build();
 * }</pre>
 *
 * <p>Thread-safety: read on the thread that received the response; implementations need not be thread-safe.
 */
public interface HttpResponseView {

    /** @return the HTTP status code, such as 200 */
    int status();

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
}
