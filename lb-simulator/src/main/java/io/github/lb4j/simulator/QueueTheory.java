package io.github.lb4j.simulator;

/**
 * Expected response times (in units of the mean service time) of n M/M/1 queues fed by one Poisson stream at
 * utilisation {@code rho}, for the classic dispatch policies.
 *
 * <p>Thread-safety: stateless.
 */
public final class QueueTheory {

    private QueueTheory() {
    }

    /**
     * Random dispatch: each queue is an M/M/1 queue, {@code T = 1 / (1 - rho)}.
     *
     * @param rho utilisation in (0, 1)
     * @return the expected response time
     */
    public static double random(double rho) {
        check(rho);
        return 1 / (1 - rho);
    }

    /**
     * The power of d choices as n goes to infinity (Mitzenmacher 2001; Vvedenskaya, Dobrushin, Karpelevich 1996): the
     * fraction of queues holding at least i jobs is {@code rho^((d^i - 1)/(d - 1))}, so
     * {@code T = sum over i >= 1 of rho^((d^i - d)/(d - 1))}.
     *
     * @param rho utilisation in (0, 1)
     * @param d choices, at least 2
     * @return the expected response time
     */
    public static double powerOfD(double rho, int d) {
        check(rho);
        if (d < 2) {
            throw new IllegalArgumentException("d must be >= 2, got " + d);
        }
        double t = 0;
        for (int i = 1; i < 64; i++) {
            double exponent = (Math.pow(d, i) - d) / (d - 1);
            double term = Math.pow(rho, exponent);
            t += term;
            if (term < 1e-12) {
                break;
            }
        }
        return t;
    }

    /**
     * Round robin over n queues of one Poisson stream: each queue sees Erlang-n gaps of mean {@code 1 / rho}, an
     * E_n/M/1 queue, whose response time is {@code 1 / (1 - sigma)} with sigma the root in (0, 1) of
     * {@code sigma = (n rho / (n rho + 1 - sigma))^n} (exact for any n; tends to D/M/1 as n grows).
     *
     * @param rho utilisation in (0, 1)
     * @param n queues
     * @return the expected response time
     */
    public static double roundRobin(double rho, int n) {
        check(rho);
        double sigma = rho; // the fixed-point iteration converges from below the root
        for (int i = 0; i < 100_000; i++) {
            double next = Math.pow(n * rho / (n * rho + 1 - sigma), n);
            if (Math.abs(next - sigma) < 1e-13) {
                sigma = next;
                break;
            }
            sigma = next;
        }
        return 1 / (1 - sigma);
    }

    private static void check(double rho) {
        if (!(rho > 0 && rho < 1)) {
            throw new IllegalArgumentException("rho must be in (0, 1), got " + rho);
        }
    }
}
