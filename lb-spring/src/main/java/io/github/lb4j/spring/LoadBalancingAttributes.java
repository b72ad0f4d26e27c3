package io.github.lb4j.spring;

import io.github.lb4j.core.RequestContext;
import io.github.lb4j.http.Idempotency;

/**
 * Names of the request attributes both Spring adapters read, so that one call can carry a hash key, a pinned
 * backend or an idempotency override. Set them with {@code RestClient}'s or {@code WebClient}'s
 * {@code .attribute(name, value)}:
 *
 * <pre>{@code
 * restClient.get().uri("http://orders/api/items/7")
 *         .attribute(LoadBalancingAttributes.REQUEST_CONTEXT, RequestContext.ofHashKey("user-42"))
 *         .retrieve().body(Item.class);
 * webClient.post().uri("http://orders/api/charges").bodyValue(charge)
 *         .attribute(LoadBalancingAttributes.IDEMPOTENCY, Idempotency.IDEMPOTENT)   // safe to re-send
 *         .retrieve().bodyToMono(Receipt.class);
 * }</pre>
 *
 * <p>{@code RestTemplate} has no per-request attributes; its calls use the route's hash-key source and the method.
 *
 * <p>Thread-safety: constants only.
 */
public final class LoadBalancingAttributes {

    /** A {@link RequestContext}: a hash key, or a pinned backend; wins over the route's hash-key source. */
    public static final String REQUEST_CONTEXT = RequestContext.class.getName();

    /** An {@link Idempotency}: whether the call may be re-sent after it may have reached a backend. */
    public static final String IDEMPOTENCY = Idempotency.class.getName();

    private LoadBalancingAttributes() {
    }

    /** @throws IllegalArgumentException if the attribute holds something else than a RequestContext */
    static RequestContext context(Object value) {
        return value == null ? null : (RequestContext) checked(REQUEST_CONTEXT, value, RequestContext.class);
    }

    /** @throws IllegalArgumentException if the attribute holds something else than an Idempotency */
    static Idempotency idempotency(Object value) {
        return value == null ? null : (Idempotency) checked(IDEMPOTENCY, value, Idempotency.class);
    }

    private static Object checked(String name, Object value, Class<?> type) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("request attribute '" + name + "' must be a " + type.getName()
                    + ", got a " + value.getClass().getName());
        }
        return value;
    }
}
