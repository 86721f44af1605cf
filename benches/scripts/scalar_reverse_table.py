#!/usr/bin/env python3
"""The table of benches/benches/scalar_reverse.rs: per workload, the minimum
per-iteration time of each row (from criterion's samples: on a shared,
noisy machine the minimum is the most repeatable statistic) and its ratio to
plain f64 and to the fastest other reverse-mode crate.

Usage: benches/scripts/scalar_reverse_table.py [--callgrind]
  --callgrind: also count instructions per evaluation of each row with
  valgrind (DUALGRAD_PROBE runs of n and 2n iterations; the difference / n).
"""
import json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import CRIT, bench_executable, fmt  # noqa: E402

GROUPS = [
    ("Rosenbrock n = 10", "srev_rosen_10"),
    ("Rosenbrock n = 100", "srev_rosen_100"),
    ("Rosenbrock n = 1,000", "srev_rosen_1000"),
    ("Rosenbrock n = 10,000", "srev_rosen_10000"),
    ("Lennard-Jones 30 atoms (90 inputs)", "srev_lj_30"),
    ("Lennard-Jones 100 atoms (300 inputs)", "srev_lj_100"),
    ("tanh network 64 → 16 → 1", "srev_net_64"),
    ("function (c), 2 inputs", "srev_fc"),
]
ROWS = ["f64", "dualgrad_rev", "dualgrad_rev_recorder", "dualgrad_fwd", "ad_trait_adr", "reverse",
        "dualgrad_matrix_tape"]
SECOND = [
    ("Rosenbrock n = 4", "srev2_rosen_4"),
    ("Rosenbrock n = 8", "srev2_rosen_8"),
    ("Rosenbrock n = 16", "srev2_rosen_16"),
    ("Rosenbrock n = 100", "srev2_rosen_100"),
    ("Rosenbrock n = 1,000", "srev2_rosen_1000"),
]
ROWS2 = ["dualgrad_grad", "dualgrad_hvp", "dualgrad_hessian_rev", "dualgrad_hessian_dyn",
         "dualgrad_hessian_dual2vec"]


def minimum(group, bid):
    p = os.path.join(CRIT, group, bid, "new", "sample.json")
    try:
        with open(p) as f:
            s = json.load(f)
    except FileNotFoundError:
        return None
    return min(t / n for t, n in zip(s["times"], s["iters"]))


def r(a, b):
    return "—" if a is None or b is None else f"{a / b:.1f}×"


def instructions(exe, target, n):
    def count(k):
        env = dict(os.environ, DUALGRAD_PROBE=f"{target}:{k}")
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", exe],
            env=env, capture_output=True, text=True,
        ).stderr
        for line in out.splitlines():
            if "Collected" in line:
                return int(line.split()[-1])
        return None

    a, b = count(n), count(2 * n)
    return None if a is None or b is None else (b - a) / n


def main():
    print("| workload | f64 | dualgrad reverse | ×f64 | reused Recorder ×f64 | forward ×f64 "
          "| ad_trait adr ×f64 | reverse crate ×f64 | dualgrad / fastest crate "
          "| matrix tape (slices) ×f64 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, g in GROUPS:
        t = {row: minimum(g, row) for row in ROWS}
        crates = [v for v in (t["ad_trait_adr"], t["reverse"]) if v is not None]
        best = min(crates) if crates else None
        ours = t["dualgrad_rev"]
        print(f"| {label} | {fmt(t['f64'])} | {fmt(ours)} | {r(ours, t['f64'])} "
              f"| {r(t['dualgrad_rev_recorder'], t['f64'])} | {r(t['dualgrad_fwd'], t['f64'])} "
              f"| {r(t['ad_trait_adr'], t['f64'])} | {r(t['reverse'], t['f64'])} "
              f"| {'—' if best is None or ours is None else f'{ours / best:.2f}'} "
              f"| {r(t['dualgrad_matrix_tape'], t['f64'])} |")
    print()
    print("| second order | gradient | Hessian-vector product | HVP / gradient "
          "| Hessian (hessian_rev) | Hessian (forward hessian_dyn) | Hessian (forward Dual2Vec) |")
    print("|---|---|---|---|---|---|---|")
    for label, g in SECOND:
        t = {row: minimum(g, row) for row in ROWS2}
        print(f"| {label} | {fmt(t['dualgrad_grad'])} | {fmt(t['dualgrad_hvp'])} "
              f"| {r(t['dualgrad_hvp'], t['dualgrad_grad'])} | {fmt(t['dualgrad_hessian_rev'])} "
              f"| {fmt(t['dualgrad_hessian_dyn'])} | {fmt(t['dualgrad_hessian_dual2vec'])} |")
    if "--callgrind" in sys.argv:
        exe = bench_executable("scalar_reverse")
        print()
        print("| workload (instructions per evaluation) | f64 | dualgrad reverse | ×f64 "
              "| ad_trait adr | reverse crate | dualgrad / fastest crate |")
        print("|---|---|---|---|---|---|---|")
        for label, g in GROUPS:
            n = 2000 if g in ("srev_fc", "srev_rosen_10") else (
                200 if g in ("srev_rosen_100", "srev_net_64", "srev_lj_30") else 10)
            c = {row: instructions(exe, f"{g}/{row}", n)
                 for row in ["f64", "dualgrad_rev", "ad_trait_adr", "reverse"]}
            best = min(v for v in (c["ad_trait_adr"], c["reverse"]) if v is not None)
            print(f"| {label} | {c['f64']:.0f} | {c['dualgrad_rev']:.0f} "
                  f"| {c['dualgrad_rev'] / c['f64']:.1f}× | {c['ad_trait_adr']:.0f} "
                  f"| {c['reverse']:.0f} | {c['dualgrad_rev'] / best:.2f} |")


if __name__ == "__main__":
    main()
