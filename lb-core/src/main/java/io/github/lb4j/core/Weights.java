package io.github.lb4j.core;

/** Helpers for weight arrays, shared by the strategies. */
final class Weights {

    private Weights() {
    }

    static boolean allEqual(int[] w) {
        for (int i = 1; i < w.length; i++) {
            if (w[i] != w[0]) {
                return false;
            }
        }
        return true;
    }

    static long sum(int[] w) {
        long s = 0;
        for (int x : w) {
            s += x;
        }
        return s;
    }

    static int gcd(int[] w) {
        int g = 0;
        for (int x : w) {
            g = gcd(g, x);
            if (g == 1) {
                break;
            }
        }
        return g == 0 ? 1 : g;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
