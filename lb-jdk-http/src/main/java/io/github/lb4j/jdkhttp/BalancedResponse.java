package io.github.lb4j.jdkhttp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * The client's response with the tracker of its body, so that the engine can release a response it discards.
 * Everything else is the client's: {@link #request()} and {@link #uri()} name the backend the response came from.
 *
 * <p>Thread-safety: immutable, like the client's response.
 */
final class BalancedResponse<T> implements HttpResponse<T> {

    private final HttpResponse<T> delegate;
    final BodyTracker tracker;

    BalancedResponse(HttpResponse<T> delegate, BodyTracker tracker) {
        this.delegate = delegate;
        this.tracker = tracker;
    }

    @Override
    public int statusCode() {
        return delegate.statusCode();
    }

    @Override
    public HttpRequest request() {
        return delegate.request();
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
        return delegate.previousResponse();
    }

    @Override
    public HttpHeaders headers() {
        return delegate.headers();
    }

    @Override
    public T body() {
        return delegate.body();
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return delegate.sslSession();
    }

    @Override
    public URI uri() {
        return delegate.uri();
    }

    @Override
    public HttpClient.Version version() {
        return delegate.version();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
