#!/usr/bin/env bash
# Throughput (and, with CALLGRIND=1, instructions per call) of each lb4j HTTP adapter against its plain client,
# with the loopback server in a process of its own on core 1 and the client JVM on core 0. See docs/PERFORMANCE.md
# section 4 and the javadoc of AdapterOverheadDriver.
#
#   lb-benchmarks/bench-adapters.sh [okhttp jdk httpclient5 spring ...]  (any of AdapterPair.NAMES)
#       PAIRS=30 ROUND_MS=1000 WARMUP=10   alternating plain/lb rounds in one client JVM per adapter
#   CALLGRIND=1 N1=2000 N2=6000 WARMUP_CALLS=10000 lb-benchmarks/bench-adapters.sh jdk
#       client JVM under valgrind --tool=callgrind: (I(N2) - I(N1)) / (N2 - N1) per side
#
# JAR defaults to lb-benchmarks/target/benchmarks.jar (mvn -B -q -pl lb-benchmarks -am package -DskipTests).
# Run it under the build lock on a shared machine: flock /tmp/lb4j-build.lock lb-benchmarks/bench-adapters.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-lb-benchmarks/target/benchmarks.jar}
ADAPTERS=("$@")
[ ${#ADAPTERS[@]} -gt 0 ] || ADAPTERS=(okhttp jdk httpclient5 spring)
# One core each: the JVM sizes its GC and compiler threads from it (Serial GC, as ergonomics picks for one CPU).
CLIENT_JVM=(-Xms512m -Xmx512m -XX:+UseSerialGC ${CLIENT_OPTS:-})
SERVER_JVM=(-Xms256m -Xmx256m -XX:+UseSerialGC)
if [ "$(nproc)" -lt 2 ]; then
    echo "needs 2 cores (nproc = $(nproc))" >&2
    exit 1
fi

out=$(mktemp -d)
taskset -c 1 java "${SERVER_JVM[@]}" -cp "$JAR" io.github.lb4j.benchmarks.LoopbackServer 0 2 >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q '^port ' "$out/server.log" && break
    sleep 0.1
done
port=$(sed -n 's/^port //p' "$out/server.log")
[ -n "$port" ] || { echo "server did not start: $(cat "$out/server.log")" >&2; exit 1; }
echo "server on 127.0.0.1:$port (core 1), client on core 0; $(uptime)"

driver=(java "${CLIENT_JVM[@]}" -cp "$JAR" io.github.lb4j.benchmarks.AdapterOverheadDriver --port "$port")
for a in "${ADAPTERS[@]}"; do
    if [ "${CALLGRIND:-0}" = 1 ]; then
        n1=${N1:-2000}; n2=${N2:-6000}
        declare -A instr=()
        for side in plain balanced; do
            for n in "$n1" "$n2"; do
                start=$(date +%s)
                taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$out/cg.$a.$side.$n" \
                    "${driver[@]}" --adapter "$a" --side "$side" --calls "$n" --warmup-calls "${WARMUP_CALLS:-10000}" \
                    >"$out/run.$a.$side.$n.log" 2>&1
                instr[$side.$n]=$(sed -n 's/.*Collected : //p' "$out/run.$a.$side.$n.log")
                echo "callgrind $a $side N=$n: ${instr[$side.$n]} instructions, $(( $(date +%s) - start )) s; $(uptime)"
            done
        done
        python3 - "$a" "$n1" "$n2" "${instr[plain.$n1]}" "${instr[plain.$n2]}" \
            "${instr[balanced.$n1]}" "${instr[balanced.$n2]}" <<'PY'
import sys
a, n1, n2, p1, p2, b1, b2 = sys.argv[1], *map(int, sys.argv[2:])
plain, lb = (p2 - p1) / (n2 - n1), (b2 - b1) / (n2 - n1)
print(f"CALLGRIND {a} instructions per call: plain {plain:,.0f} lb {lb:,.0f} ratio {lb / plain:.3f}"
      f" (lb adds {lb - plain:,.0f})")
PY
    else
        taskset -c 0 "${driver[@]}" --adapter "$a" --pairs "${PAIRS:-30}" --round-ms "${ROUND_MS:-1000}" \
            --warmup-seconds "${WARMUP:-10}"
    fi
done
