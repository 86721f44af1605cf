#!/usr/bin/env python3
"""Prints the reverse-mode table (benches/reverse.rs) from criterion's
results (target/criterion/<group>/<id>/new/estimates.json), as Markdown:
median times and the ratios that issue 5 sets targets for.

    cargo bench -p dualgrad-bench --bench reverse -- --warm-up-time 1 --measurement-time 3
    python3 benches/scripts/bench_reverse_table.py
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import fmt, median, ratio  # noqa: E402







print("| network | tape: loss + gradients | hand-written backprop | tape forward | nalgebra forward "
      "| ÷ hand-written (≤ 1.3) | ÷ tape forward (≤ 3.5) | ÷ nalgebra forward | hand-written ÷ its forward |")
print("|---|---|---|---|---|---|---|---|---|")
for g, name in (("reverse_seed", "seed 1×7·7×2, tanh, mean of squares"),
                ("reverse_mlp", "MLP 784→128→10, ReLU, cross-entropy, batch 64")):
    tg, hg, tf, hf = (median(g, i) for i in ("tape_grad", "hand_grad", "tape_forward", "hand_forward"))
    print(f"| {name} | {fmt(tg)} | {fmt(hg)} | {fmt(tf)} | {fmt(hf)} | {ratio(tg, hg)} | {ratio(tg, tf)} "
          f"| {ratio(tg, hf)} | {ratio(hg, hf)} |")
print()
print("| gradient, n inputs | tape (reverse) |")
print("|---|---|")
for f, name in (("b", "(b) Rosenbrock"), ("d", "(d) tanh net, 8 units")):
    for n in (4, 16, 64):
        print(f"| {name}, n = {n} | {fmt(median(f'grad_{f}_{n}', 'dualgrad_reverse'))} |")
