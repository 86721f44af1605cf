#!/usr/bin/env python3
"""Instructions per evaluation of each forward workload, counted by
callgrind (repeatable, unlike wall time on a shared machine).

Usage: scripts/callgrind_counts.py [substring ...]
       scripts/callgrind_counts.py --table   (the rows of bench_table.py)
Builds the bench binary, then for each workload runs it under
`valgrind --tool=callgrind` with DUALGRAD_PROBE=<group>/<id>:<n> for two
values of n and prints the difference divided by the difference in n (so
start-up and the correctness check cancel out).
"""
import glob, json, os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, bench_executable  # noqa: E402

TARGETS = [
    (g, i)
    for g in ["eval_a", "eval_b", "eval_c", "eval_d"]
    for i in ["f64", "dualgrad_Dual", "numdual_Dual64"]
] + [
    (g, i)
    for g in ["second_a", "second_b", "second_c", "second_d"]
    for i in ["dualgrad_HyperDual", "numdual_HyperDual64", "dualgrad_DualDual", "numdual_DualDual64"]
] + [
    (f"grad_{f}_{n}", i)
    for n in [4, 16, 64]
    for f in ["b", "d"]
    for i in ["dualgrad_DualVec", "numdual_DualSVec64"]
    + (["dualgrad_DualVec_chunk16", "dualgrad_DualVec_chunk8"] if n > 16 else [])
] + [
    (g, i) for g in ["hess_b_16", "hess_d_16"] for i in ["dualgrad_Dual2Vec", "numdual_Dual2SVec64"]
]


def build():
    return bench_executable("forward")


def count(exe, target, n):
    env = dict(os.environ, DUALGRAD_PROBE=f"{target}:{n}")
    r = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", exe],
        env=env, capture_output=True, text=True,
    )
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m or "probe: ran" not in r.stderr:
        sys.exit(f"callgrind failed for {target}:\n{r.stderr[-2000:]}")
    return int(m.group(1))


def table(exe):
    """The rows of scripts/bench_table.py, in instructions instead of time."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_table import rows  # noqa: E402

    cache = {}

    def per(t):
        if t not in cache:
            lo, hi = 200, 1200
            cache[t] = (count(exe, t, hi) - count(exe, t, lo)) / (hi - lo)
        return cache[t]

    print("| row | ours | instructions | vs | instructions | ratio |")
    print("|---|---|---|---|---|---|")
    for _section, what, group, ours, ref, _target, _why in rows():
        og, rg = group if isinstance(group, tuple) else (group, group)
        known = {f"{g}/{i}" for g, i in TARGETS}
        best = min((per(f"{og}/{o}"), o) for o in ours if f"{og}/{o}" in known)
        r = per(f"{rg}/{ref}")
        print(f"| {what} | {best[1]} | {best[0]:.0f} | {ref} | {r:.0f} | {best[0] / r:.2f} |")


def main():
    exe = build()
    want = sys.argv[1:]
    if want == ["--table"]:
        table(exe)
        return
    for g, i in TARGETS:
        t = f"{g}/{i}"
        if want and not any(w in t for w in want):
            continue
        lo, hi = 200, 1200
        per = (count(exe, t, hi) - count(exe, t, lo)) / (hi - lo)
        print(f"{t:45s} {per:12.0f} instructions")


if __name__ == "__main__":
    main()
