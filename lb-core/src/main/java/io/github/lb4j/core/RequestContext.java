package io.github.lb4j.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
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
 * }</pre>
 *
 * <p>Strategies that do not hash ignore the key. A hash strategy given no key picks a random backend.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class RequestContext {

    private static final RequestContext EMPTY = new RequestContext(null, 0L, Set.of(), null);

    private final String hashKey;
    private final long hash;
    private final Set<String> excluded;
    private final String pinnedId;

    private RequestContext(String hashKey, long hash, Set<String> excluded, String pinnedId) {
        this.hashKey = hashKey;
        this.hash = hash;
        this.excluded = excluded;
        this.pinnedId = pinnedId;
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
        return new RequestContext(hashKey, Hashing.hash(hashKey), Set.of(), null);
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
        return new RequestContext(null, 0L, Set.of(), backendId);
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
        return new RequestContext(hashKey, hash, Collections.unmodifiableSet(set), pinnedId);
    }

    /**
     * A copy that carries {@code hashKey} instead of this context's key, keeping its exclusions and pin. (The
     * factory for a fresh context is {@link #ofHashKey(String)}: the two have different names so that neither can
     * be called by mistake for the other.)
     *
     * @param hashKey the key, not null
     * @return a copy with this hash key and the same exclusions
     */
    public RequestContext withHashKey(String hashKey) {
        Objects.requireNonNull(hashKey, "hashKey");
        return new RequestContext(hashKey, Hashing.hash(hashKey), excluded, pinnedId);
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
        // The key may identify a user: say whether there is one, not what it is.
        return "RequestContext{hashKey=" + (hashKey == null ? "none" : "set") + ", excluded=" + excluded
                + (pinnedId == null ? "" : ", pinned=" + pinnedId) + '}';
    }
}
