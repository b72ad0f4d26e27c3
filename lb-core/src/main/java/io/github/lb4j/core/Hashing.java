package io.github.lb4j.core;

/**
 * The 64-bit hashing used by the hash strategies. It must stay the same across versions and JVMs (a change would
 * move every key), so it does not use {@link String#hashCode()} (32 bits, weak) or anything seeded per process.
 */
final class Hashing {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Hashing() {
    }

    /** Hashes the UTF-16 code units of {@code s}, four at a time, then finalizes with {@link #mix}. */
    static long hash(CharSequence s) {
        int len = s.length();
        long h = 0x2545F4914F6CDD1DL ^ (len * GOLDEN);
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            long k = s.charAt(i) | ((long) s.charAt(i + 1) << 16) | ((long) s.charAt(i + 2) << 32)
                    | ((long) s.charAt(i + 3) << 48);
            h = step(h, k);
        }
        if (i < len) {
            long k = 0;
            for (int shift = 0; i < len; i++, shift += 16) {
                k |= (long) s.charAt(i) << shift;
            }
            h = step(h, k);
        }
        return mix(h);
    }

    private static long step(long h, long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        return Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }

    /** MurmurHash3's 64-bit finalizer: a bijection with full avalanche. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Maps a hash to [0, n) without division (Lemire's multiply-shift on the high 32 bits). */
    static int reduce(long hash, int n) {
        return (int) (((hash >>> 32) * n) >>> 32);
    }
}
