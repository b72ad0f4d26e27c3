package io.github.lb4j.examples;

/**
 * The "what-if" command, from the examples: give it your backends' latency profile and it runs every strategy
 * (round robin, random, least requests, peak EWMA) and an oracle on it in the simulator's virtual time, through the
 * real lb-core pools, prints p50/p99/p99.9 and success for each, and writes two charts.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.WhatIf \
 *     -Dexec.args="--preset linkerd --chart what-if.png"
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.WhatIf \
 *     -Dexec.args="--backend 3*normal(20,2) --backend lognormal(25,0.6) --rate 500 --duration 30 --timeout 200"
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.WhatIf \
 *     -Dexec.args="--csv observed.csv --rate 500 --timeout 300"
 * </pre>
 *
 * <p>The options are those of {@link io.github.lb4j.simulator.WhatIf}, which does the work (module
 * {@code lb-simulator}): {@code --backend [COUNT*]DIST[@SERVERS]} (repeatable), {@code --csv FILE} of
 * {@code backend,latency_ms} lines, {@code --rate}, {@code --duration}, {@code --timeout}, {@code --slow},
 * {@code --crash}, {@code --ejection on}, {@code --seed}, {@code --chart}, {@code --preset linkerd}.
 */
public final class WhatIf {

    private WhatIf() {
    }

    /**
     * @param args the simulator's what-if options
     */
    public static void main(String[] args) {
        io.github.lb4j.simulator.WhatIf.main(args);
    }
}
