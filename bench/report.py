#!/usr/bin/python3
"""Merges the bench's raw results and prints the table (bench/run.sh calls it).

Usage: report.py BENCH_DIR    (BENCH_DIR is build/bench)

Reads BENCH_DIR/raw/SCENARIO-RUNTIME-ROUND.json (hyperfine's exports, one
benchmark per run since every run has its own container id), rss.txt
("RUNTIME KIB" lines), leftovers.txt ("RUNTIME WHAT" lines) and forced/
(one empty file per delete that needed --force); the run's context comes from
BENCH_* environment variables. Writes BENCH_DIR/results.json.
"""
import glob
import json
import os
import statistics
import sys

RUNTIMES = ["nsrun", "crun", "runc"]
SCENARIOS = [("run", "run /bin/true"), ("csd", "create+start+delete"),
             ("exec", "exec /bin/true"), ("rootless", "rootless run /bin/true"),
             ("podman", "podman run --rm busybox true"), ("ctr", "ctr run --rm busybox true")]


def quantile(xs, q):
    """Linear interpolation between closest ranks, as numpy's default does."""
    xs = sorted(xs)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summary(xs):
    return {
        "n": len(xs),
        "median": statistics.median(xs),
        "mean": statistics.fmean(xs),
        "min": min(xs),
        "p10": quantile(xs, 0.10),
        "p90": quantile(xs, 0.90),
        "max": max(xs),
    }


def load_times(raw):
    """{scenario: {runtime: [ms, ...]}} in the order the runs were made."""
    times = {}
    files = glob.glob(os.path.join(raw, "*.json"))
    # round numbers sort numerically, so that the samples keep their order
    def key(path):
        scenario, runtime, rnd = os.path.basename(path)[:-5].split("-")
        return scenario, runtime, int(rnd)

    for path in sorted(files, key=key):
        scenario, runtime, _ = key(path)
        with open(path) as f:
            results = json.load(f)["results"]
        results.sort(key=lambda r: int(r["parameters"]["n"]))
        samples = times.setdefault(scenario, {}).setdefault(runtime, [])
        for r in results:
            samples.extend(t * 1000.0 for t in r["times"])
    return times


def read_pairs(path):
    pairs = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split(None, 1)
                if len(parts) == 2:
                    pairs.append((parts[0], parts[1].strip()))
    return pairs


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def cell(v, fmt):
    """v formatted, or "-" as wide as fmt's field."""
    width = int(fmt.split(".")[0]) if fmt[0].isdigit() else 0
    return f"{'-':>{width}}" if v is None else format(v, fmt)


def main():
    bench_dir = sys.argv[1]
    env = os.environ.get
    times = load_times(os.path.join(bench_dir, "raw"))
    if not times:
        sys.exit("report.py: no results in " + os.path.join(bench_dir, "raw"))

    rss = {}
    for runtime, kib in read_pairs(os.path.join(bench_dir, "rss.txt")):
        rss.setdefault(runtime, []).append(int(kib))

    leftovers = {}
    for runtime, what in read_pairs(os.path.join(bench_dir, "leftovers.txt")):
        leftovers.setdefault(runtime, {}).setdefault(what, 0)
        leftovers[runtime][what] += 1

    forced = {}
    for name in os.listdir(os.path.join(bench_dir, "forced")):
        runtime = name.split("-", 1)[0]
        forced[runtime] = forced.get(runtime, 0) + 1

    results = {
        "date": env("BENCH_DATE"),
        "host": env("BENCH_HOST"),
        "settings": {
            "rounds": int(env("BENCH_ROUNDS", "0")),
            "runs_per_round": int(env("BENCH_RUNS", "0")),
            "rss_runs": int(env("BENCH_RSS_RUNS", "0")),
            "gap_seconds": float(env("BENCH_GAP", "0")),
            "engine_runs_per_round": int(env("BENCH_ENGINE_RUNS", "0")),
        },
        "tree": env("BENCH_TREE"),
        "versions": {
            "nsrun": env("BENCH_V_NSRUN"),
            "crun": env("BENCH_V_CRUN"),
            "runc": env("BENCH_V_RUNC"),
            "engines": env("BENCH_V_ENGINES"),
        },
        "unit": {"times": "ms", "rss": "KiB"},
        "scenarios": {
            scenario: {
                runtime: dict(summary(samples), samples=samples)
                for runtime, samples in per_runtime.items()
            }
            for scenario, per_runtime in times.items()
        },
        "rss": {
            runtime: dict(summary(samples), samples=samples)
            for runtime, samples in rss.items()
        },
        "forced_deletes": forced,
        "leftovers": leftovers,
        "floor_note": env("BENCH_FLOOR_NOTE") or None,
    }
    with open(os.path.join(bench_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")

    def median(scenario, runtime):
        s = results["scenarios"].get(scenario, {}).get(runtime)
        return s["median"] if s else None

    print()
    print(f"nsrun bench, {results['date']}")
    print(f"host:  {results['host']}")
    for runtime in RUNTIMES:
        version = results["versions"][runtime]
        if runtime == "nsrun":
            version += f" (tree {results['tree']})"
        print(f"{runtime + ':':6} {version}")
    print(f"engines: {results['versions']['engines']}")
    st = results["settings"]
    print(
        f"{st['rounds']} rounds x {st['runs_per_round']} runs per runtime and scenario "
        f"({st['engine_runs_per_round']} for the engines'), "
        f"runtimes alternated, runs {st['gap_seconds'] * 1000:g} ms apart; medians"
    )
    print()
    head = f"{'scenario':<36} {'nsrun':>9} {'crun':>9} {'runc':>9} {'nsrun/crun':>11} {'nsrun/runc':>11}"
    print(head)
    print("-" * len(head))
    for scenario, label in SCENARIOS:
        m = {rt: median(scenario, rt) for rt in RUNTIMES}
        print(
            f"{label + ' (ms)':<36} {cell(m['nsrun'], '9.2f')} {cell(m['crun'], '9.2f')} "
            f"{cell(m['runc'], '9.2f')} {ratio(m['nsrun'], m['crun']):>11} {ratio(m['nsrun'], m['runc']):>11}"
        )
    r = {rt: results["rss"][rt]["median"] if rt in results["rss"] else None for rt in RUNTIMES}
    print(
        f"{'peak RSS of run (KiB)':<36} {cell(r['nsrun'], '9.0f')} {cell(r['crun'], '9.0f')} "
        f"{cell(r['runc'], '9.0f')} {ratio(r['nsrun'], r['crun']):>11} {ratio(r['nsrun'], r['runc']):>11}"
    )
    floor = median("run", "floor")
    if floor is not None:
        nsrun = median("run", "nsrun")
        print(
            f"{'floor (FLOOR_SKIP=t) (ms)':<36} {floor:9.2f}"
            f"   (nsrun run / floor = {ratio(nsrun, floor)})"
        )
    elif results["floor_note"]:
        print(results["floor_note"])

    print()
    print("spread, ms: min / p10 / p90 / max")
    for scenario, label in SCENARIOS:
        for runtime in RUNTIMES + ["floor"]:
            s = results["scenarios"].get(scenario, {}).get(runtime)
            if s:
                print(
                    f"  {label:<30} {runtime:<6} {s['min']:7.2f} {s['p10']:7.2f} "
                    f"{s['p90']:7.2f} {s['max']:7.2f}   (n={s['n']})"
                )
    print(
        "peak RSS: ru_maxrss of the runtime's process (the largest of it and the "
        "children it reaps), GNU time %M, median of "
        + ", ".join(f"{rt} {s['n']}" for rt, s in results["rss"].items())
        + " runs"
    )

    print()
    if forced:
        print("delete needed --force: " + ", ".join(f"{rt} {n}x" for rt, n in sorted(forced.items())))
    else:
        print("delete needed --force: never")
    if leftovers:
        print("left behind, and removed by the bench:")
        for runtime, whats in sorted(leftovers.items()):
            for what, n in sorted(whats.items()):
                if what == "container":
                    desc = "containers still listed (deleted with --force)"
                elif runtime == "engines":
                    desc = f"container cgroups under the engines' parent in /sys/fs/cgroup/{what}"
                elif what == "state":
                    desc = "unlisted entries in its state root"
                else:
                    desc = f"cgroup directories in /sys/fs/cgroup/{what}"
                print(f"  {runtime}: {n} x {desc}")
    else:
        print("left behind: nothing (no containers listed, no cgroup directories)")
    print(f"raw results: {os.path.join(bench_dir, 'results.json')}")


if __name__ == "__main__":
    main()
