package io.github.lb4j.http.conformance;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An adapter's client as the suite drives it. Each call reads the whole response body and closes the response, so
 * that the adapter's outcome is reported before the call returns.
 */
public interface TestClient extends AutoCloseable {

    /** A request: method, absolute URL, headers, and a body (null for none). */
    record Request(String method, String url, Map<String, String> headers, String body) {

        public static Request get(String url) {
            return new Request("GET", url, new LinkedHashMap<>(), null);
        }

        public static Request post(String url, String body) {
            return new Request("POST", url, new LinkedHashMap<>(), body);
        }

        public Request header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Request(method, url, h, body);
        }
    }

    /** A response: status and body text. */
    record Response(int status, String body) {
    }

    /**
     * Sends synchronously through the client.
     *
     * @throws IOException as the client throws it
     */
    Response execute(Request request) throws IOException;

    /**
     * Sends through the client's asynchronous API (OkHttp: {@code enqueue}; the JDK client: {@code sendAsync}).
     * Canceling the returned future must cancel the call. A client without one returns null.
     *
     * @return the response, or the call's failure (its {@link IOException}, possibly wrapped)
     */
    CompletableFuture<Response> executeAsync(Request request);

    /** Releases the client's threads and connections. */
    @Override
    void close();
}
