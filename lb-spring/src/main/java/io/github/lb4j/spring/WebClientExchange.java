package io.github.lb4j.spring;

import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.AsyncHttpExchange;
import io.github.lb4j.http.Attempt;
import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import io.github.lb4j.http.Idempotency;
import io.github.lb4j.http.ResponseOutcome;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * One WebClient call as lb-http's engine sees it: each attempt is the request rebuilt with the backend's URL and
 * sent through the rest of the filter chain ({@link ExchangeFunction#exchange}), subscribed as a future whose
 * cancellation cancels the subscription, and so the connection. The outcome is reported when the response body
 * completes, fails, or is canceled or released.
 *
 * <p>Nothing here blocks: every step runs on the thread that completes the previous one (the caller's for the first
 * attempt, the connector's event loop for retries, a timer thread after a backoff).
 *
 * <p>Thread-safety: confined to one call; callbacks run one after another.
 */
final class WebClientExchange implements AsyncHttpExchange<ClientResponse> {

    private final ClientRequest request;
    private final ExchangeFunction next;
    private final Route route;
    private HttpRequestView view;

    WebClientExchange(ClientRequest request, ExchangeFunction next, Route route) {
        this.request = request;
        this.next = next;
        this.route = route;
    }

    @Override
    public HttpRequestView request() {
        if (view == null) {
            view = new SpringViews.RequestView(request.method().name(), request.url(), request.headers());
        }
        return view;
    }

    @Override
    public RequestContext context() {
        return LoadBalancingAttributes.context(request.attributes().get(LoadBalancingAttributes.REQUEST_CONTEXT));
    }

    @Override
    public Idempotency idempotency() {
        return LoadBalancingAttributes.idempotency(request.attributes().get(LoadBalancingAttributes.IDEMPOTENCY));
    }

    @Override
    public boolean hasBody() {
        return request.body() != BodyInserters.empty(); // empty() is a shared constant, WebClient's default
    }

    @Override
    public boolean bodyReplayable() {
        // BodyInserters run again per attempt; fromValue, fromFormData, fromMultipartData and fromPublisher of a
        // cold publisher produce the same body again. A one-shot publisher must be tagged NOT_IDEMPOTENT (see
        // LoadBalancingExchangeFilterFunction): once it started, it is then never re-sent.
        return true;
    }

    @Override
    public CompletableFuture<ClientResponse> sendAsync(Attempt attempt) {
        URI target;
        try {
            target = Targets.rewrite(request.url(), route, attempt.backend());
        } catch (UnusableBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        ClientRequest.Builder b = ClientRequest.from(request).url(target);
        if (route.preserveHostHeader() && request.headers().getFirst(HttpHeaders.HOST) == null) {
            b.header(HttpHeaders.HOST, Targets.logicalHost(request.url()));
        }
        if (hasBody()) {
            b.body(tracking(request.body(), attempt));
        }
        return next.exchange(b.build()).onErrorMap(WebClientExchange::transportFailure).toFuture();
    }

    /**
     * The connector calls a request's inserter once the connection is made, just before it writes the body: the
     * moment lb-http needs to know whether a failed attempt may have reached the backend.
     */
    private static BodyInserter<?, ? super ClientHttpRequest> tracking(
            BodyInserter<?, ? super ClientHttpRequest> body, Attempt attempt) {
        return (message, context) -> {
            attempt.bodyWriteStarted();
            return body.insert(message, context);
        };
    }

    /**
     * What an attempt failed with, as lb-http needs it: a backend failure is an {@link IOException}. Spring's
     * exchange function wraps the connector's failures in a {@code WebClientRequestException} (unchecked), and
     * Reactor Netty signals timeouts and some connection failures with Netty's unchecked {@code ChannelException}s
     * ({@code ReadTimeoutException} for {@code responseTimeout}): the cause is unwrapped, and a Netty channel
     * failure becomes an IOException (a timeout a {@link SocketTimeoutException}, as other clients throw). Matched
     * by class name: lb-spring does not depend on Netty. Anything else (a codec error, a bug) stays as it is and
     * fails the call without charging the backend with a retry.
     */
    static Throwable transportFailure(Throwable t) {
        Throwable cause = t instanceof WebClientRequestException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof IOException) {
            return cause;
        }
        if (!(cause instanceof RuntimeException)) {
            return t;
        }
        boolean channel = false;
        boolean timeout = false;
        for (Class<?> c = cause.getClass(); c != null; c = c.getSuperclass()) {
            String name = c.getName();
            channel |= name.equals("io.netty.channel.ChannelException");
            timeout |= name.equals("io.netty.handler.timeout.TimeoutException");
        }
        if (!channel) {
            return t;
        }
        IOException io = timeout ? new SocketTimeoutException(cause.getClass().getSimpleName())
                : new IOException(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        io.initCause(cause);
        return io;
    }

    @Override
    public HttpResponseView view(ClientResponse response) {
        return new SpringViews.ResponseView(response.statusCode().value(), response.headers().asHttpHeaders());
    }

    @Override
    public void discard(ClientResponse response) {
        response.releaseBody().subscribe(null, e -> { });
    }

    @Override
    public ClientResponse deliver(ClientResponse response, ResponseOutcome outcome) {
        if (Targets.noBody(request.method().name(), response.statusCode().value(),
                response.headers().contentLength().orElse(-1L))) {
            outcome.finished();
            return response;
        }
        // doOnComplete/doOnError/doOnCancel run before the signal goes downstream (doFinally would run after it):
        // the slot is free by the time the application sees the body end.
        return response.mutate().body(body -> body.doOnError(outcome::failed).doOnComplete(outcome::finished)
                .doOnCancel(outcome::finished)).build();
    }

    @Override
    public boolean isCanceled() {
        return false; // a WebClient call is canceled through its subscription, which cancels the engine's future
    }
}
