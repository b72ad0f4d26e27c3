package io.github.lb4j.core;

import java.util.Arrays;

/**
 * Ketama-style ring. Each backend owns {@code round(totalPoints x weight / sumOfWeights)} points (at least one);
 * {@code totalPoints = clamp(n x DEFAULT_POINTS_PER_BACKEND, MIN_RING_SIZE, MAX_RING_SIZE)}. A point is a 32-bit
 * position and a backend index packed into one {@code long}, sorted once: 8 bytes a point, 16 KiB per backend at the
 * default, with no boxed entries. A key maps to the first point at or after its position.
 *
 * <p>The lookup is a binary search, narrowed first by an index on the top bits of the position: a plain binary search
 * over a ring of millions of points touches a dozen cache lines scattered over tens of megabytes, so on large pools a
 * pick cost hundreds of nanoseconds. The index ({@link #INDEX_DIVISOR} points a bucket on average, 4 bytes a bucket)
 * leaves a search within one or two cache lines, for half a byte per point.
 */
final class RingHashStrategy extends HashStrategy {

    /**
     * Points per backend of weight 1. A backend's share of a ring is the sum of its arcs, whose relative standard
     * deviation is about 1/sqrt(points); 2048 points put 3.3 standard deviations at 7%, so the most loaded of 1000
     * backends stays within 1.10 x the mean.
     */
    static final int DEFAULT_POINTS_PER_BACKEND = 2048;
    /** Envoy's minimum ring size: small pools still get a smooth ring. */
    static final int MIN_RING_SIZE = 1024;
    /** 4M points (32 MiB); beyond 2048 backends each backend gets fewer points. */
    static final int MAX_RING_SIZE = 1 << 22;
    /**
     * Ring points per index bucket, on average: 8 points are 64 bytes, one cache line, so a lookup reads the bucket's
     * bounds and then searches within about a line. The index costs 4 / 8 = half a byte per point.
     */
    static final int INDEX_DIVISOR = 8;

    private final int pointsPerBackend;

    RingHashStrategy(int pointsPerBackend, double factor) {
        super(factor);
        this.pointsPerBackend = pointsPerBackend;
    }

    @Override
    public HashStrategy withBoundedLoad(double factor) {
        return new RingHashStrategy(pointsPerBackend, checkFactor(factor));
    }

    @Override
    public String name() {
        return "ringHash" + suffix();
    }

    @Override
    PickerFactory newFactory(PoolContext context) {
        if (balanceFactor > 0) {
            context.trackTotalInFlight = true;
        }
        return (backends, weights) -> new RingPicker(backends, weights, context, balanceFactor,
                buildRing(backends, weights, pointsPerBackend));
    }

    static long[] buildRing(BackendState[] backends, int[] weights, int pointsPerBackend) {
        int n = backends.length;
        long total = Math.min(MAX_RING_SIZE, Math.max(MIN_RING_SIZE, (long) n * pointsPerBackend));
        double sum = Weights.sum(weights);
        int[] points = new int[n];
        long size = 0;
        for (int i = 0; i < n; i++) {
            points[i] = (int) Math.max(1, Math.round(total * weights[i] / sum));
            size += points[i];
        }
        long[] ring = new long[(int) size];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long base = HashPicker.idHash(backends[i]);
            for (int r = 0; r < points[i]; r++) {
                int position = (int) (Hashing.mix(base + (r + 1) * Hashing.GOLDEN) >>> 32);
                ring[k++] = entry(position, i);
            }
        }
        Arrays.sort(ring);
        return ring;
    }

    /** Position with its sign bit flipped, so signed order of the long is unsigned order of the position. */
    static long entry(int position, int index) {
        return ((long) (position ^ Integer.MIN_VALUE) << 32) | (index & 0xffffffffL);
    }

    /** The unsigned 32-bit position of a ring entry. */
    static long position(long entry) {
        return ((entry >>> 32) ^ 0x80000000L) & 0xffffffffL;
    }

    /** Index bits for a ring: about {@link #INDEX_DIVISOR} points a bucket, at least one bucket. */
    static int indexBits(int ringSize) {
        int buckets = Math.max(1, ringSize / INDEX_DIVISOR);
        return 31 - Integer.numberOfLeadingZeros(buckets); // floor(log2(buckets)), 0..19 for rings up to 4M
    }

    /**
     * {@code index[b]} is the first ring position whose point lies at or above bucket {@code b}'s lower bound
     * ({@code b << (32 - bits)}); {@code index[2^bits] = ring.length}. The first point at or after a position in
     * bucket {@code b} is therefore within {@code [index[b], index[b + 1]]}.
     */
    static int[] buildIndex(long[] ring, int bits) {
        int buckets = 1 << bits;
        int shift = 32 - bits;
        int[] index = new int[buckets + 1];
        int p = 0;
        for (int b = 0; b < buckets; b++) {
            long bound = (long) b << shift;
            while (p < ring.length && position(ring[p]) < bound) {
                p++;
            }
            index[b] = p;
        }
        index[buckets] = ring.length;
        return index;
    }

    static final class RingPicker extends HashPicker {
        private final long[] ring;
        private final int[] index;
        /** 32 - index bits: a position's bucket is {@code position >>> shift} (a shift of 32 keeps one bucket). */
        private final int shift;

        RingPicker(BackendState[] backends, int[] weights, PoolContext pool, double factor, long[] ring) {
            super(backends, weights, pool, factor);
            this.ring = ring;
            int bits = indexBits(ring.length);
            this.index = buildIndex(ring, bits);
            this.shift = 32 - bits;
        }

        /** The ring position of the first point at or after the hash's position, wrapping to 0 past the last. */
        int start(long hash) {
            long position = hash >>> 32;
            long target = (long) ((int) position ^ Integer.MIN_VALUE) << 32;
            int bucket = (int) (position >>> shift);
            int lo = index[bucket];
            int hi = index[bucket + 1];
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ring[mid] < target) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == ring.length ? 0 : lo;
        }

        @Override
        int pickFirst(long hash) {
            return (int) ring[start(hash)];
        }

        @Override
        int pickConstrained(long hash, RequestContext ctx) {
            int pos = start(hash);
            int first = (int) ring[pos];
            int previous = -1;
            for (int k = 0; k < ring.length; k++) {
                int i = (int) ring[(pos + k) % ring.length];
                if (i != previous && acceptable(i, ctx)) {
                    return i;
                }
                previous = i;
            }
            return firstNotExcluded(first, ctx);
        }

        /** Each backend's exact share of the hash space (for tests and the simulator). */
        double[] shares() {
            double[] share = new double[backends.length];
            for (int p = 0; p < ring.length; p++) {
                long here = ring[p] >> 32;
                long prev = p == 0 ? (ring[ring.length - 1] >> 32) - (1L << 32) : ring[p - 1] >> 32;
                share[(int) ring[p]] += (here - prev) / (double) (1L << 32);
            }
            return share;
        }

        int size() {
            return ring.length;
        }
    }
}
