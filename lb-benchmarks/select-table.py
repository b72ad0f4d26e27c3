#!/usr/bin/env python3
"""Turns SelectBenchmark's JSON results into the tables of docs/PERFORMANCE.md, section 0.

usage: python3 lb-benchmarks/select-table.py select-t1.json [select-t2.json] [--csv chart.csv]

The 1-thread file gives ns/op, B/op and the ratios to the floors of the same run; the optional 2-thread file adds
the throughput ratio thrpt(2 threads) / thrpt(1 thread) = 2 x (ns/op at 1 thread) / (ns/op at 2 threads), since
in average-time mode each of the two threads takes the reported time per operation.
"""
import json
import sys

# The floor each row is held against, and which target applies (docs/PERFORMANCE.md, issue 7).
TARGET = {"roundRobin": 1.5, "random": 1.5, "leastRequests": 1.5, "maglev": 1.5, "peakEwma": 2.0}
RANDOM_ACCESS = {"random", "leastRequests", "peakEwma", "ringHash", "maglev", "rendezvous"}


def load(path):
    out = {}
    for r in json.load(open(path)):
        bench = r["benchmark"].rsplit(".", 1)[1]
        params = r.get("params", {})
        size = int(params.get("size", 0))
        name = params.get("strategy") or params.get("pickStrategy")
        key = bench if name is None else "%s %s" % (bench, name)
        score = r["primaryMetric"]["score"]
        err = r["primaryMetric"].get("scoreError", float("nan"))
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
        out[(key, size)] = (score, err, alloc)
    return out


def fmt(x, digits=1):
    return "-" if x != x else ("%." + str(digits) + "f") % x


args = sys.argv[1:]
CSV = None
if "--csv" in args:
    i = args.index("--csv")
    CSV = args[i + 1]
    del args[i:i + 2]
t1 = load(args[0])
t2 = load(args[1]) if len(args) > 1 else {}
sizes = sorted({s for (_, s) in t1 if s})
keys = sorted({k for (k, _) in t1}, key=lambda k: (not k.startswith("floor"), k.startswith("pick"), k))


def floor(name, size):
    f = t1.get((name, size))
    return f[0] if f else float("nan")


def print_table(cell_of):
    """One row per benchmark, one column per pool size; floor0 takes no pool, so it fills the first column only."""
    print("| benchmark | " + " | ".join("n=%d" % s for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for k in keys:
        cells = []
        for s in sizes:
            cells.append(cell_of(k, s))
            if k.startswith("floor0"):
                cells += [""] * (len(sizes) - 1)
                break
        print("| %s | %s |" % (k, " | ".join(cells)))


def time_cell(k, s):
    r = t1.get((k, s)) or t1.get((k, 0))
    if r is None:
        return "-"
    cell = "%s ± %s (%s B)" % (fmt(r[0]), fmt(r[1]), fmt(r[2], 0))
    strategy = k.split(" ", 1)[1] if " " in k else None
    if k.startswith("selectSuccess"):
        cell += " = %s× B" % fmt(r[0] / floor("floorB_trackedSelection", s), 2)
        if strategy in RANDOM_ACCESS:
            cell += ", %s× BR" % fmt(r[0] / floor("floorBR_trackedRandomSelection", s), 2)
        if strategy == "peakEwma":
            cell += ", %s× C" % fmt(r[0] / floor("floorC_trackedSelectionTimed", s), 2)
    elif k.startswith("pick"):
        cell += " = %s× A" % fmt(r[0] / floor("floorA_atomicIndex", s), 2)
        if strategy in RANDOM_ACCESS:
            cell += ", %s× R" % fmt(r[0] / floor("floorR_randomIndex", s), 2)
    return cell


def scaling_cell(k, s):
    a = t1.get((k, s)) or t1.get((k, 0))
    b = t2.get((k, s)) or t2.get((k, 0))
    return fmt(2 * a[0] / b[0], 2) if a and b else "-"


print("1 thread: ns/op ± error (B/op); ratios to the floors of the same run\n")
print_table(time_cell)

if t2:
    print("\nthroughput with 2 threads ÷ throughput with 1 thread (2.00 = perfect scaling on the 2 cores)\n")
    print_table(scaling_cell)

print("\ntargets (1 thread): select -> success ÷ floor B")
for strategy, bound in TARGET.items():
    ratios = []
    for s in sizes:
        r = t1.get(("selectSuccess " + strategy, s))
        if r:
            base = "floorC_trackedSelectionTimed" if strategy == "peakEwma" else "floorB_trackedSelection"
            ratios.append(r[0] / floor(base, s))
    if ratios:
        worst = max(ratios)
        print("  %-14s <= %.1fx %s: %s (worst %.2f)" % (strategy, bound, "floor C" if strategy == "peakEwma"
                                                       else "floor B", "met" if worst <= bound else "MISSED", worst))

if CSV:
    # For lb-simulator's BarChartCsv: one grouped bar chart of the target ratios by pool size.
    with open(CSV, "w") as out:
        for strategy in ["roundRobin", "random", "leastRequests", "maglev", "ringHash", "peakEwma"]:
            base = "floorC_trackedSelectionTimed" if strategy == "peakEwma" else "floorB_trackedSelection"
            label = strategy + (" (vs floor C)" if strategy == "peakEwma" else "")
            for s in sizes:
                r = t1.get(("selectSuccess " + strategy, s))
                if r:
                    out.write("perf-select-floor.png,select -> success as a multiple of its floor (1 thread),"
                              "x floor (target 1.5; 2.0 for peakEwma),n=%d,%s,%.3f\n" % (s, label,
                                                                                        r[0] / floor(base, s)))
