package io.github.lb4j.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a single {@link LoadBalancer#select(RequestContext)} call may tell the pool about the request: a hash key for
 * the consistent-hash strategies, backends to avoid (a retry on another backend), or a backend to pin.
 *
 * <pre>{@code
 * // the same user lands on the same backend with ringHash(), maglev() or rendezvous()
 * try (Selection s = pool.select(RequestContext.ofHashKey("user-42"))) { ... }
 *
 * // a retry that avoids the backend that just failed
 * RequestContext retry = RequestContext.empty().excluding(List.of(failed.id()));
 *
 * // only backends whose metadata has version=v2 (a canary), with the pool's fallback if none is available
 * RequestContext canary = RequestContext.empty().withSubset(Map.of("version", "v2"));
 * }</pre>
 *
 * <p>Strategies that do not hash ignore the key. A hash strategy given no key picks a random backend.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class RequestContext {

    private static final RequestContext EMPTY = new RequestContext(null, 0L, Set.of(), null, null);

    private final String hashKey;
    private final long hash;
    private final Set<String> excluded;
    private final String pinnedId;
    /** Null: the whole pool. */
    private final SubsetSelector subset;

    private RequestContext(String hashKey, long hash, Set<String> excluded, String pinnedId,
                           SubsetSelector subset) {
        this.hashKey = hashKey;
        this.hash = hash;
        this.excluded = excluded;
        this.pinnedId = pinnedId;
        this.subset = subset;
    }

    /** @return a context with no key, no exclusion and no pin */
    public static RequestContext empty() {
        return EMPTY;
    }

    /**
     * @param hashKey the key that consistent-hash strategies map to a backend (a user id, a session, a cache key)
     * @return a context carrying the key
     * @throws NullPointerException if {@code hashKey} is null
     */
    public static RequestContext ofHashKey(String hashKey) {
        Objects.requireNonNull(hashKey, "hashKey");
        return new RequestContext(hashKey, Hashing.hash(hashKey), Set.of(), null, null);
    }

    /**
     * @param backendId the {@link Backend#id()} that must serve the request
     * @return a context that picks only that backend; select fails if it is not available
     * @throws IllegalArgumentException if {@code backendId} is blank
     */
    public static RequestContext ofPinned(String backendId) {
        Objects.requireNonNull(backendId, "backendId");
        if (backendId.isBlank()) {
            // No backend has a blank id, so such a pin could only fail at select time, far from the mistake.
            throw new IllegalArgumentException("backendId must not be blank, got '" + backendId + "'");
        }
        return new RequestContext(null, 0L, Set.of(), backendId, null);
    }

    /**
     * A copy that also avoids the given backends while any other backend is available; when every available
     * backend is excluded, the exclusion is ignored (retrying on a backend already tried beats failing).
     *
     * @param backendIds ids of backends to avoid
     * @return the copy
     */
    public RequestContext excluding(Collection<String> backendIds) {
        Objects.requireNonNull(backendIds, "backendIds");
        if (backendIds.isEmpty()) {
            return this;
        }
        LinkedHashSet<String> set = new LinkedHashSet<>(excluded);
        for (String id : backendIds) {
            set.add(Objects.requireNonNull(id, "backendIds contains null"));
        }
        return new RequestContext(hashKey, hash, Collections.unmodifiableSet(set), pinnedId, subset);
    }

    /**
     * A copy that carries {@code hashKey} instead of this context's key, keeping its exclusions and pin. (The
     * factory for a fresh context is {@link #ofHashKey(String)}: the two have different names so that neither can
     * be called by mistake for the other.)
     *
     * @param hashKey the key, not null
     * @return a copy with this hash key and the same exclusions, pin and subset
     */
    public RequestContext withHashKey(String hashKey) {
        Objects.requireNonNull(hashKey, "hashKey");
        return new RequestContext(hashKey, Hashing.hash(hashKey), excluded, pinnedId, subset);
    }

    /**
     * A copy that picks only among the backends whose {@link Backend#metadata() metadata} has every entry of
     * {@code selector} (a canary {@code version=v2}, a tenant), keeping this context's key, exclusions and pin. The
     * pool's health rules and strategy apply inside the subset; when no backend of the subset is available, the
     * pool's {@link LoadBalancer.Builder#subsetFallback fallback} decides. A pin wins over a subset. An empty
     * selector means the whole pool. See {@link LoadBalancer.Builder#maxSubsets} for the bound on distinct
     * selectors.
     *
     * @param selector metadata key to required value; keys not blank, no control characters; values not null
     * @return the copy
     * @throws IllegalArgumentException if a key is blank or has control characters, naming it
     */
    public RequestContext withSubset(Map<String, String> selector) {
        return new RequestContext(hashKey, hash, excluded, pinnedId, SubsetSelector.of("subset", selector));
    }

    /** @return the subset selector, an unmodifiable map sorted by key; empty for the whole pool */
    public Map<String, String> subset() {
        return subset == null ? Map.of() : subset.asMap();
    }

    /** The selector, or null for the whole pool. */
    SubsetSelector subsetSelector() {
        return subset;
    }

    /** This context without its exclusions (they excluded every candidate, so they are waived). */
    RequestContext withoutExclusions() {
        return excluded.isEmpty() ? this : new RequestContext(hashKey, hash, Set.of(), pinnedId, subset);
    }

    /** @return the hash key, or null */
    public String hashKey() {
        return hashKey;
    }

    /** @return the ids to avoid, never null */
    public Set<String> excluded() {
        return excluded;
    }

    /** @return the pinned backend id, or null */
    public String pinnedBackendId() {
        return pinnedId;
    }

    boolean hasHashKey() {
        return hashKey != null;
    }

    long hash() {
        return hash;
    }

    boolean isExcluded(String id) {
        return !excluded.isEmpty() && excluded.contains(id);
    }

    boolean hasExclusions() {
        return !excluded.isEmpty();
    }

    @Override
    public String toString() {
        // The key may identify a user, and subset values may come from request headers: say whether there is a
        // key and which subset keys, not their values.
        return "RequestContext{hashKey=" + (hashKey == null ? "none" : "set") + ", excluded=" + excluded
                + (pinnedId == null ? "" : ", pinned=" + pinnedId) + (subset == null ? "" : ", subset=" + subset.asMap().keySet())
                + '}';
    }
}
