#!/usr/bin/env bash
# Runs the peer comparison as docs/PERFORMANCE.md reports it: every peer class (each with its own floors) at pool
# sizes 10, 100, 1000 and 10 000 on 1 thread, and at 1000 on 2 threads (for thrpt 2t / 1t), with -prof gc.
# Short iterations: -f 1 -wi 2 -i 3 -w 1 -r 1 (about 40 minutes on 2 cores). Run it on an otherwise idle machine.
# Results: lb-benchmarks-peers/target/peers-*.txt and .json; PEERS_ONLY=t1 or t2 runs one half.
# Waits while another JMH run holds /tmp/jmh.lock instead of failing.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=lb-benchmarks-peers/target/benchmarks-peers.jar
[ -f "$JAR" ] || mvn -B -q -pl lb-benchmarks-peers -am package -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip
OUT=lb-benchmarks-peers/target
COMMON=(-f 1 -wi 2 -i 3 -w 1 -r 1 -prof gc)

run() { # name, then JMH arguments
  local name=$1; shift
  for attempt in $(seq 1 60); do
    if java -jar "$JAR" "$@" -rf json -rff "$OUT/peers-$name.json" > "$OUT/peers-$name.txt" 2>&1; then
      return 0
    fi
    if grep -q "Another JMH instance" "$OUT/peers-$name.txt"; then
      echo "$name: another JMH run holds the lock; waiting (attempt $attempt)"; sleep 30
    else
      echo "$name failed; see $OUT/peers-$name.txt"; return 1
    fi
  done
  return 1
}

ALL='GrpcBenchmark|ArmeriaBenchmark|GuavaBenchmark|DubboBenchmark|SpringCloudBenchmark|RibbonBenchmark'
ONLY="${PEERS_ONLY:-}"
[ "$ONLY" = t2 ] || run t1 "$ALL" -p size=10,100,1000,10000 -t 1 "${COMMON[@]}"
[ "$ONLY" = t1 ] || run t2 "$ALL" -p size=1000 -t 2 "${COMMON[@]}"
echo done
