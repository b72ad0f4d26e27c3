package io.github.lb4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which backends of a pool this client keeps: all of them ({@link #none()}), or a small subset that every client
 * of a fleet computes alone, so that a thousand clients of a service of hundreds of backends each hold a few
 * connections and every backend still gets the same number of clients ({@link #deterministic}).
 *
 * <pre>{@code
 * long clientId = podOrdinal;                        // 0, 1, 2 ... one per client instance, dense
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .source(discovery)                         // the whole service, 300 backends
 *         .subsetting(Subsetting.deterministic(10, clientId))   // this client keeps 10 of them
 *         .build();
 * }</pre>
 *
 * <p><b>The algorithm</b> (deterministic subsetting, Google SRE book, chapter 20, "Load Balancing in the
 * Datacenter"): with {@code n} primary backends and a subset size {@code k < n}, the clients are grouped into rounds
 * of {@code m = n / k} (integer division) clients: client {@code c} is in round {@code c / m} and takes the slice
 * {@code s = c % m} of that round's ordering of the backends: positions {@code [k * s, k * s + k)} for the first
 * {@code (m + 1) / 2} slices, and {@code [n - k * (m - s), n - k * (m - s) + k)} for the others, which are counted
 * from the end of the ordering so that the left-over backends sit in the middle. The
 * {@code m} clients of one round therefore hold disjoint subsets of exactly {@code k} backends and together cover
 * {@code m * k} of them; the {@code n - m * k} left over change from round to round, because every round orders the
 * backends differently. With client ids dense from 0, every backend ends up with the same number of clients, give or
 * take one per round in progress.
 *
 * <p>The book shuffles a list with a random generator seeded by the round number. lb4j orders each round by a
 * 64-bit hash of (round, {@link Backend#id() id}) instead, ascending as unsigned numbers, ties by id: a permutation
 * that is just as much a function of the round, but in which removing a backend leaves every other backend's
 * relative order alone, where a reshuffle of the shorter list moves everything. The hash is lb4j's key hash (fixed
 * across versions and JVMs), so every client computes the same orderings whatever the order its discovery delivers
 * the backends in. How many clients' subsets change when one backend goes, measured: docs/PERFORMANCE.md,
 * "Deterministic subsetting (simulator)". In short: in every round, the clients whose slice lies between the removed
 * backend and the left-over backends in the middle (whose count absorbs the shift), about a quarter; and all of them
 * when the pool's size crosses a multiple of {@code k} (then {@code m} changes, and with it every client's round).
 *
 * <p><b>In a pool</b> ({@link LoadBalancer.Builder#subsetting}): the subset is recomputed from every full set the
 * pool receives ({@link LoadBalancer#updateBackends}, a {@link BackendSource}'s push), so it follows the membership
 * without a restart. Backends outside the subset are not members of the pool at all: they are never picked, never
 * health-checked, not counted by panic mode and not listed by {@link LoadBalancer#backends()},
 * {@link LoadBalancer#stats()} or the membership events. The subset is chosen from the membership, not from health:
 * an ejected backend stays in its subset (every other client agrees it is there) and health, slow start, panic mode
 * and the strategy apply inside the subset, as they would to a pool of those backends. {@linkplain Backend#asBackup()
 * Backups} are not subset: every backup is kept. A pool with {@code k} or fewer primaries keeps them all.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class Subsetting {

    private static final Subsetting NONE = new Subsetting(0, 0L);

    /** Mixed into the round so that round 0 does not order by the bare id hash. */
    private static final long ROUND_SALT = 0x5ca1ab1e0ddba11L;

    /** 0 when subsetting is off. */
    private final int subsetSize;
    private final long clientId;

    private Subsetting(int subsetSize, long clientId) {
        this.subsetSize = subsetSize;
        this.clientId = clientId;
    }

    /** @return no subsetting: the pool keeps every backend (the default) */
    public static Subsetting none() {
        return NONE;
    }

    /**
     * Deterministic subsetting; see the class javadoc for the algorithm.
     *
     * @param subsetSize how many primary backends this client keeps, at least 1
     * @param clientId this client's number among the clients of the service, from 0; ids should be dense (0 to
     *     clients - 1, such as a StatefulSet's pod ordinal) for the backends' loads to be even
     * @return the subsetting
     * @throws IllegalArgumentException if {@code subsetSize} is below 1 or {@code clientId} is negative
     */
    public static Subsetting deterministic(int subsetSize, long clientId) {
        if (subsetSize < 1) {
            throw new IllegalArgumentException("subsetSize must be at least 1, got " + subsetSize);
        }
        if (clientId < 0) {
            throw new IllegalArgumentException("clientId must not be negative, got " + clientId);
        }
        return new Subsetting(subsetSize, clientId);
    }

    /** @return whether this keeps a subset (false for {@link #none()}) */
    public boolean isEnabled() {
        return subsetSize > 0;
    }

    /** @return the subset size, 0 for {@link #none()} */
    public int subsetSize() {
        return subsetSize;
    }

    /** @return the client id, 0 for {@link #none()} */
    public long clientId() {
        return clientId;
    }

    /**
     * The backends of {@code pool} this client keeps: the subset of the primaries plus every backup, in the order of
     * {@code pool}. The same function the pool applies to each set it receives; useful to see ahead of time what a
     * client will hold.
     *
     * @param pool a full membership, without duplicate ids
     * @return the kept backends, unmodifiable
     * @throws IllegalArgumentException if two backends share an id
     */
    public List<Backend> subsetOf(Collection<Backend> pool) {
        return select(Membership.check(pool));
    }

    /** {@link #subsetOf} on a checked set. */
    List<Backend> select(List<Backend> pool) {
        if (subsetSize == 0) {
            return pool;
        }
        List<Backend> primaries = new ArrayList<>(pool.size());
        for (Backend b : pool) {
            if (!b.isBackup()) {
                primaries.add(b);
            }
        }
        int n = primaries.size();
        int k = subsetSize;
        if (k >= n) {
            return pool;
        }
        int perRound = n / k;
        long round = clientId / perRound;
        int slice = (int) (clientId % perRound);
        Ranked[] order = new Ranked[n];
        for (int i = 0; i < n; i++) {
            String id = primaries.get(i).id();
            order[i] = new Ranked(id, rank(round, id));
        }
        Arrays.sort(order, Ranked.ORDER);
        int start = sliceStart(slice, perRound, n, k);
        Set<String> kept = new HashSet<>();
        for (int i = start; i < start + k; i++) {
            kept.add(order[i].id);
        }
        List<Backend> out = new ArrayList<>(k);
        for (Backend b : pool) {
            if (b.isBackup() || kept.contains(b.id())) {
                out.add(b);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Where a slice starts in a round's ordering: the first half of the slices from the front, the others from the
     * back, so the {@code n - perRound * k} left-over backends sit in the middle. A removal then shifts only the
     * slices between the removed backend and the middle (the left-overs absorb the shift), about a quarter of them,
     * where slices all taken from the front would shift every slice after it, about half.
     */
    static int sliceStart(int slice, int perRound, int n, int k) {
        int front = (perRound + 1) / 2;
        return slice < front ? slice * k : n - (perRound - slice) * k;
    }

    /** A backend's place in a round's ordering: unsigned ascending; fixed across versions (see the class javadoc). */
    static long rank(long round, String id) {
        return Hashing.mix(Hashing.hash(id) ^ Hashing.mix(round ^ ROUND_SALT));
    }

    private static final class Ranked {
        static final Comparator<Ranked> ORDER = (a, b) -> {
            int c = Long.compareUnsigned(a.rank, b.rank);
            return c != 0 ? c : a.id.compareTo(b.id);
        };

        final String id;
        final long rank;

        Ranked(String id, long rank) {
            this.id = id;
            this.rank = rank;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subsetting && ((Subsetting) o).subsetSize == subsetSize
                && ((Subsetting) o).clientId == clientId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(subsetSize, clientId);
    }

    @Override
    public String toString() {
        return subsetSize == 0 ? "Subsetting.none()"
                : "Subsetting.deterministic(" + subsetSize + ", " + clientId + ")";
    }
}
