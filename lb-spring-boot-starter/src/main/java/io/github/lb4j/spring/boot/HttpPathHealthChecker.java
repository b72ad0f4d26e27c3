package io.github.lb4j.spring.boot;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.HealthCheckResult;
import io.github.lb4j.core.HealthChecker;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionStage;

/**
 * {@code health-check.path}: an HTTP GET of the path on the backend with the JDK's client, asynchronous; a 2xx
 * answer is healthy, anything else (another status, a refused connection) unhealthy. The pool applies its timeout.
 * Reasons name the status or the exception type, never the answer's body.
 */
final class HttpPathHealthChecker implements HealthChecker {

    private final HttpClient client;
    private final String path;

    HttpPathHealthChecker(HttpClient client, String path) {
        this.client = client;
        this.path = path;
    }

    /** @return the path, if it is one an HTTP request line can carry, else an exception naming the property */
    static String checkPath(String property, String path) {
        if (!path.startsWith("/")) {
            throw new Lb4jPropertyException(property, path, "must start with '/', as in /healthz");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '#') {
                throw new Lb4jPropertyException(property, path, "must not contain white space, control characters"
                        + " or '#'");
            }
        }
        return path;
    }

    @Override
    public CompletionStage<HealthCheckResult> check(Backend backend) {
        URI uri;
        try {
            int query = path.indexOf('?');
            uri = new URI("http", null, backend.host(), backend.port(), query < 0 ? path : path.substring(0, query),
                    query < 0 ? null : path.substring(query + 1), null);
        } catch (URISyntaxException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    HealthCheckResult.unhealthy("no URL for the backend: " + e.getReason()));
        }
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                return HealthCheckResult.unhealthy("GET failed: " + cause.getClass().getSimpleName());
            }
            int status = response.statusCode();
            return status >= 200 && status < 300 ? HealthCheckResult.healthy()
                    : HealthCheckResult.unhealthy("GET answered " + status);
        });
    }

    @Override
    public String toString() {
        return "HttpPathHealthChecker{GET " + path + "}";
    }
}
