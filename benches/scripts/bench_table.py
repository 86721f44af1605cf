#!/usr/bin/env python3
"""Prints the table of median times and ratios from criterion's results
(target/criterion/<group>/<id>/new/estimates.json), as Markdown.

Run after `cargo bench --bench forward` (benches/scripts/bench.sh does both).
Every row compares two benchmarks of the same run; `target` is the ratio
that the row must not exceed (issue 5), `-` where the row is informational.
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import CRIT, fmt, median  # noqa: E402

FUNCS = {"a": "(a) x²+tanh(y²)", "b": "(b) Rosenbrock", "c": "(c) transcendental", "d": "(d) tanh net"}




WHY_EVAL = {
    "a": "tanh′ = 1 − tanh² near 0, else one exp; num-dual's tanh is sinh/cosh: four calls",
    "b": "the same arithmetic, instruction for instruction; the rest is seeding",
    "c": "one atan2 (r², one division) where num-dual calls atan and atan2",
    "d": "tanh as (a); the weighted sums are the same arithmetic",
}
WHY_F64 = {
    "a": "tanh′ costs at most one exp; a dual product is 3 multiplies instead of 1",
    "b": "arithmetic-bound: a dual multiply is 3 multiplies and an add",
    "c": "the calls are paid once; each derivative adds about one division",
    "d": "weighted sums: twice the flops; tanh′ at most one exp per unit",
}
WHY_HYPER = {
    "a": "tanh and at most one exp against num-dual's sinh/cosh",
    "b": "the same arithmetic, instruction for instruction: 1.0 within noise is the floor",
    "c": "the same calls minus num-dual's atan; the NaN and finiteness tests of the chain rule cost the rest",
    "d": "tanh and at most one exp against num-dual's sinh/cosh",
}
WHY_DD = {
    "a": "tanh and at most one exp against num-dual's sinh/cosh",
    "b": "the same arithmetic as num-dual's nested duals",
    "c": "atan2 from r² against a second powf call (exact nested x^(p−1))",
    "d": "tanh and at most one exp against num-dual's sinh/cosh",
}


def rows():
    """(section, what, group, [ours ids], reference id, target, why)."""
    for f in "abcd":
        g = f"eval_{f}"
        yield ("1 first order", f"{FUNCS[f]}: Dual vs Dual64", g, ["dualgrad_Dual"], "numdual_Dual64", 1.0, WHY_EVAL[f])
        yield ("1 first order", f"{FUNCS[f]}: Dual over plain f64", g, ["dualgrad_Dual"], "f64", 1.5 if f == "c" else None, WHY_F64[f])
    for f in "abcd":
        g = f"second_{f}"
        yield ("2 second order", f"{FUNCS[f]}: HyperDual vs HyperDual64", g, ["dualgrad_HyperDual"], "numdual_HyperDual64", 1.0, WHY_HYPER[f])
        yield ("2 second order", f"{FUNCS[f]}: Dual<Dual> vs Dual<Dual64>", g, ["dualgrad_DualDual"], "numdual_DualDual64", 1.0, WHY_DD[f])
    yield ("2 second order", f"{FUNCS['c']}: HyperDual over plain f64", ("second_c", "eval_c"), ["dualgrad_HyperDual"], "f64", 2.0,
           "the calls are paid once; second derivatives add a few multiplies each")
    for n in (4, 16, 64):
        for f in "bd":
            g = f"grad_{f}_{n}"
            # The fastest of our modes: forward (DualVec, chunked) and, when
            # benches/reverse.rs ran into the same target/criterion, the tape.
            ours = ["dualgrad_DualVec", "dualgrad_reverse"] + (
                ["dualgrad_DualVec_chunk16", "dualgrad_DualVec_chunk8"] if n > 16 else [])
            why = ("forward: N lanes per operation, in place (num-dual copies Option-wrapped vectors); "
                   "the tape's cost does not grow with N" if n > 4
                   else "small: seeding and per-operation overhead dominate")
            yield ("3 gradient", f"{FUNCS[f]}, n = {n}", g, ours, "numdual_DualSVec64", 0.5 if n == 64 else 1.0, why)
    for f in "bd":
        yield ("4 Hessian", f"{FUNCS[f]}, n = 16", f"hess_{f}_16", ["dualgrad_Dual2Vec"], "numdual_Dual2SVec64", 0.5,
               "upper triangle only (136 of 256 entries), one fused pass; num-dual builds full outer products")


def main():
    if not os.path.isdir(CRIT):
        sys.exit(f"no results in {CRIT}: run `cargo bench --bench forward` first")
    print("| workload | row | ours (fastest) | median | vs | median | ratio | target | | what limits it |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    missed = 0
    for section, what, group, ours, ref, target, why in rows():
        og, rg = group if isinstance(group, tuple) else (group, group)
        times = [(median(og, o), o) for o in ours]
        times = [t for t in times if t[0] is not None]
        tr = median(rg, ref)
        if not times or tr is None:
            print(f"| {section} | {what} | {' / '.join(ours)} | — | {ref} | {fmt(tr)} | — | — | not run | {why} |")
            continue
        to, oid = min(times)
        ratio = to / tr
        ok = "" if target is None else ("ok" if ratio <= target else "MISSED")
        missed += ok == "MISSED"
        tg = "—" if target is None else f"≤ {target:.2f}"
        print(f"| {section} | {what} | {oid} | {fmt(to)} | {ref} | {fmt(tr)} | {ratio:.2f} | {tg} | {ok} | {why} |")
    print()
    print(f"{missed} target(s) missed" if missed else "every target met")


if __name__ == "__main__":
    main()
