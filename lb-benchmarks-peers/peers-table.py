#!/usr/bin/env python3
"""Turns the JSON results of run-peers.sh into the markdown tables of docs/PERFORMANCE.md.

usage: python3 lb-benchmarks-peers/peers-table.py [lb-benchmarks-peers/target] [--csv chart.csv]
"""
import glob
import json
import os
import sys

ARGS = sys.argv[1:]
CSV = None
if "--csv" in ARGS:
    CSV = ARGS[ARGS.index("--csv") + 1]
    del ARGS[ARGS.index("--csv"):ARGS.index("--csv") + 2]
DIR = ARGS[0] if ARGS else os.path.join(os.path.dirname(__file__), "target")

# family -> (lb4j benchmark, [peer benchmarks]); compared within the same benchmark class (same run, same floors).
# Same work on both sides: lb4j's count-free pick (lb4j_*Pick) against peers' bare pickers, lb4j's select -> success
# against peers that track calls (pick + complete). The "select vs bare" rows show what tracking adds on top.
BARE_ROUND_ROBIN = ["grpc_roundRobin", "grpc_weightedRoundRobin", "armeria_roundRobin",
                    "armeria_weightedRoundRobin_equal", "dubbo_roundRobin", "spring_roundRobin", "ribbon_roundRobin"]
FAMILIES = [
    ("round robin, bare pick", "lb4j_roundRobinPick", BARE_ROUND_ROBIN),
    ("weighted round robin (1,2,3,...), bare pick", "lb4j_roundRobinWeightedPick",
     ["armeria_weightedRoundRobin_weighted"]),
    ("ring hash, bare pick", "lb4j_ringHashPick", ["grpc_ringHash"]),
    ("table / jump hash, bare pick", "lb4j_maglevPick", ["guava_consistentHash", "guava_consistentHash_hashKey"]),
    ("random, bare pick", "lb4j_randomPick", ["spring_random"]),
    ("least requests, pick + complete", "lb4j_leastRequests", ["grpc_leastRequest_pickComplete",
                                                               "dubbo_leastActive_pickComplete"]),
    # Not the same work: Ribbon's WeightedResponseTimeRule without response-time statistics is a round robin that
    # reads no clock, where peak EWMA reads two. For reference only.
    ("latency-aware (not the same work)", "lb4j_peakEwma", ["ribbon_weightedResponseTime"]),
    # More work than the peer (lb4j counts the call in flight and returns a Selection): for reference only.
    ("random, select → success vs bare pick", "lb4j_random", ["spring_random"]),
    ("ring hash, select → success vs bare pick", "lb4j_ringHash", ["grpc_ringHash", "dubbo_consistentHash"]),
    ("table / jump hash, select → success vs bare pick", "lb4j_maglev", ["guava_consistentHash",
                                                                        "guava_consistentHash_hashKey"]),
    ("round robin, select → success vs bare pick", "lb4j_roundRobin", BARE_ROUND_ROBIN),
    ("weighted round robin (1,2,3,...), select → success vs bare pick", "lb4j_roundRobinWeighted",
     ["armeria_weightedRoundRobin_weighted"]),
]

# Short x-axis labels for the chart (the same-work families only).
CHART_LABEL = {
    "round robin, bare pick": "round robin",
    "weighted round robin (1,2,3,...), bare pick": "weighted RR",
    "ring hash, bare pick": "ring hash",
    "table / jump hash, bare pick": "Maglev / jump",
    "random, bare pick": "random",
    "least requests, pick + complete": "least requests",
}


def load(name):
    """peers-NAME.json, then any peers-NAME-*.json (reruns of some benchmarks), later files overriding earlier."""
    out = {}
    paths = [os.path.join(DIR, "peers-%s.json" % name)]
    paths += sorted(glob.glob(os.path.join(DIR, "peers-%s-*.json" % name)))
    for path in paths:
        try:
            results = json.load(open(path))
        except (OSError, ValueError):
            continue  # not run, or still running
        out.update(parse(results))
    return out


def parse(results):
    out = {}
    for r in results:
        cls, bench = r["benchmark"].split(".")[-2:]
        size = int(r.get("params", {}).get("size", 0))  # 0: floor0_emptyCall, which takes no pool
        score = r["primaryMetric"]["score"]
        err = r["primaryMetric"].get("scoreError", float("nan"))
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
        out[(cls, bench, size)] = (score, err, alloc)
    return out


t1 = load("t1")
t2 = load("t2")


def fmt(x, digits=1):
    if x != x:  # NaN
        return "-"
    return ("%." + str(digits) + "f") % x


def row_for(cls, bench, size):
    s1 = t1.get((cls, bench, size))
    if s1 is None:
        return None
    floor = t1.get((cls, "floorB_trackedSelection", size))
    floor_r = t1.get((cls, "floorBR_trackedRandomSelection", size))
    s2 = t2.get((cls, bench, size))
    # Average time per op: with 2 threads each op takes s2 per thread, so throughput is 2 / s2 against 1 / s1.
    scaling = 2 * s1[0] / s2[0] if s2 else float("nan")
    return (s1[0], s1[1], s1[2], s1[0] / floor[0] if floor else float("nan"),
            s1[0] / floor_r[0] if floor_r else float("nan"), scaling)


classes = sorted({k[0] for k in t1})
sizes = sorted({k[2] for k in t1})
print("#### Every benchmark (1 thread: ns/op ± 99.9% error, B/op; ÷ floor B of the same run; "
      "2-thread throughput ÷ 1-thread)\n")
for cls in classes:
    print("**%s**\n" % cls)
    print("| benchmark | size | ns/op | ± | B/op | ÷ floorB | ÷ floorBR | thrpt 2t/1t |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    benches = sorted({k[1] for k in t1 if k[0] == cls})
    for b in benches:
        for size in sizes:
            r = row_for(cls, b, size)
            if r:
                print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (b, size or "-", fmt(r[0]), fmt(r[1]),
                                                                    fmt(r[2], 0), fmt(r[3], 2), fmt(r[4], 2),
                                                                    fmt(r[5], 2)))
    print()

def floor_of(bench):
    """The floor that does the same work: bare picks (lb4j's pick too) against floor A, tracked (pick + complete)
    against floor B, lb4j's peakEwma (two clock reads) against floor C."""
    if bench == "lb4j_peakEwma":
        return "floorC_trackedSelectionTimed"
    if bench.startswith("lb4j_") and bench.endswith("Pick"):
        return "floorA_atomicIndex"
    if bench.startswith("lb4j_") or bench.endswith("_pickComplete"):
        return "floorB_trackedSelection"
    return "floorA_atomicIndex"


def above(cls, bench, size, score):
    f = t1.get((cls, floor_of(bench), size))
    return score - f[0] if f else float("nan")


print("#### lb4j against the best peer of each family (1 thread, same JMH run)\n")
print("'above floor' subtracts the floor that does the same work (A: bare pick; B: pick + in-flight count + one "
      "small object; C: B + two clock reads), so a tracked lb4j selection and a peer's bare pick are compared on "
      "what each adds to its floor.\n")
print("| family | size | lb4j | lb4j ns/op | above floor | best peer | peer ns/op | above floor | lb4j ÷ peer "
      "| lb4j B/op | peer B/op |")
print("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|")
chart_rows = []
for family, ours, peers in FAMILIES:
    for size in [z for z in sizes if z]:
        best = None
        for cls in classes:
            o = t1.get((cls, ours, size))
            if o is None:
                continue
            for p in peers:
                pr = t1.get((cls, p, size))
                if pr is None:
                    continue
                if best is None or pr[0] < best[2][0]:
                    best = (cls, p, pr, o)
        if best:
            cls, p, pr, o = best
            print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                family, size, ours, fmt(o[0]), fmt(above(cls, ours, size, o[0])), p, fmt(pr[0]),
                fmt(above(cls, p, size, pr[0])), fmt(o[0] / pr[0], 2), fmt(o[2], 0), fmt(pr[2], 0)))
            if "vs bare pick" not in family and "not the same work" not in family:
                label = CHART_LABEL[family]
                chart_rows.append((label, "n=%d" % size, o[0] / pr[0]))

if CSV:
    # For lb-simulator's BarChartCsv: lb4j's time per operation over the best peer's, per family and pool size.
    with open(CSV, "w") as out:
        for label, series, value in chart_rows:
            out.write("perf-peers.png,lb4j time per operation / the best peer's (1 thread; target 1.0 or less),"
                      "lb4j / best peer,%s,%s,%.3f\n" % (label, series, value))
