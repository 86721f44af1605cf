#!/usr/bin/env python3
"""CPU time per evaluation of forward workloads (development aid for a
shared, noisy machine): runs the bench binary in probe mode
(DUALGRAD_PROBE=<group>/<id>:<n>) several times, alternating workloads,
and reports the minimum user+system CPU time per evaluation, which other
processes disturb far less than wall time.

Usage: scripts/cpu_times.py <group>/<id> [...]   (substrings of the
targets known to scripts/callgrind_counts.py also work)
"""
import os, resource, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind_counts import TARGETS, build  # noqa: E402


def cpu(exe, target, n):
    env = dict(os.environ, DUALGRAD_PROBE=f"{target}:{n}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([exe], env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    exe = build()
    want = sys.argv[1:]
    targets = [f"{g}/{i}" for g, i in TARGETS if not want or any(w in f"{g}/{i}" for w in want)]
    # Calibrate n so that each run takes about 0.3 s.
    ns = {}
    for t in targets:
        n = 1000
        while True:
            dt = cpu(exe, t, n) - cpu(exe, t, 0)
            if dt > 0.1 or n > 1e8:
                break
            n *= 4
        ns[t] = max(1, int(n * 0.3 / max(dt, 1e-3)))
    base = min(cpu(exe, targets[0], 0) for _ in range(5))
    best = {t: float("inf") for t in targets}
    for _ in range(5):
        for t in targets:
            best[t] = min(best[t], (cpu(exe, t, ns[t]) - base) / ns[t])
    for t in targets:
        print(f"{t:45s} {best[t] * 1e9:10.1f} ns")


if __name__ == "__main__":
    main()
