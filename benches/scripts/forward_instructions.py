#!/usr/bin/env python3
"""Instructions per evaluation of every forward row (ours against
num-dual), counted by callgrind, for the working tree and optionally for an
earlier revision, side by side.

Usage:
  benches/scripts/forward_instructions.py [--before REV] [filter ...]
  benches/scripts/forward_instructions.py --exe BIN [--before-exe BIN] [filter ...]

Builds the forward bench binary of the working tree (`--exe` skips that and
uses a binary built before). With `--before REV`, also builds REV (a commit,
branch or tag) in a temporary `git worktree` sharing the target directory,
and prints both counts and both ratios per row. Filters are substrings of
the row names or the bench groups (e.g. `Rosenbrock`, `second_b`).

Counting is that of callgrind_counts.py: each workload runs in the binary's
probe mode (DUALGRAD_PROBE=<group>/<id>:<n>) for two values of n, and the
difference is divided by the difference in n, so start-up and the
correctness check cancel out. Each ratio divides two counts of the same
binary. Needs valgrind and python3 (standard library only).
"""
import argparse, atexit, json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT  # noqa: E402
from bench_table import rows  # noqa: E402
from callgrind_counts import TARGETS, count  # noqa: E402

LO, HI = 200, 1200


def build(root, target_dir):
    """Builds the forward bench in the workspace `root` and returns its path."""
    env = dict(os.environ, CARGO_TARGET_DIR=target_dir)
    out = subprocess.run(
        ["cargo", "bench", "-p", "dualgrad-bench", "--bench", "forward", "--no-run", "--message-format=json"],
        cwd=root, env=env, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    for line in out.splitlines():
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "forward" and m.get("executable"):
            # Copy it: a later build in the same target directory may
            # replace the file.
            keep = tempfile.NamedTemporaryFile(prefix="forward-", delete=False).name
            atexit.register(os.remove, keep)
            shutil.copy2(m["executable"], keep)
            return keep
    sys.exit("bench binary `forward` not found")


def build_rev(rev, target_dir):
    """Builds the forward bench of revision `rev` in a temporary worktree."""
    tmp = tempfile.mkdtemp(prefix="dualgrad-before-")
    wt = os.path.join(tmp, "wt")
    subprocess.run(["git", "worktree", "add", "--detach", wt, rev], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return build(wt, target_dir)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", wt], cwd=ROOT, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def table_rows(want):
    """(row name, ours target, reference target), for the rows of bench_table.py
    that callgrind_counts.py knows (one line per ours id)."""
    known = {f"{g}/{i}" for g, i in TARGETS}
    out = []
    for _section, what, group, ours, ref, _target, _why in rows():
        og, rg = group if isinstance(group, tuple) else (group, group)
        for o in ours:
            t, r = f"{og}/{o}", f"{rg}/{ref}"
            if t in known and r in known and (not want or any(w in f"{what} {t} {r}" for w in want)):
                out.append((what, t, r))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", metavar="REV", help="also count revision REV")
    ap.add_argument("--exe", help="the bench binary to count (instead of building the working tree)")
    ap.add_argument("--before-exe", help="the earlier bench binary (instead of --before)")
    ap.add_argument("filter", nargs="*")
    a = ap.parse_args()
    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))

    exes = {}
    if a.before_exe:
        exes["before"] = a.before_exe
    elif a.before:
        exes["before"] = build_rev(a.before, target_dir)
    exes["after"] = a.exe or build(ROOT, target_dir)

    cache = {}

    def per(side, t):
        if (side, t) not in cache:
            e = exes[side]
            cache[side, t] = (count(e, t, HI) - count(e, t, LO)) / (HI - LO)
        return cache[side, t]

    sides = list(exes)
    lines = table_rows(a.filter)
    if len(sides) == 2:
        print("| row | ours | before | after | change | reference | instructions | ratio before | ratio after |")
        print("|---|---|---|---|---|---|---|---|---|")
        for what, t, r in lines:
            b, n = per("before", t), per("after", t)
            rb, rn = per("before", r), per("after", r)
            print(f"| {what} | {t.split('/')[1]} | {b:.0f} | {n:.0f} | {100 * (n / b - 1):+.1f} % "
                  f"| {r.split('/')[1]} | {rn:.0f} | {b / rb:.2f} | {n / rn:.2f} |")
    else:
        print("| row | ours | instructions | reference | instructions | ratio |")
        print("|---|---|---|---|---|---|")
        for what, t, r in lines:
            n, rn = per("after", t), per("after", r)
            print(f"| {what} | {t.split('/')[1]} | {n:.0f} | {r.split('/')[1]} | {rn:.0f} | {n / rn:.2f} |")


if __name__ == "__main__":
    main()
