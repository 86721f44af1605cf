#!/usr/bin/env bash
# Runs the benchmarks (benches/forward.rs: dualgrad against num-dual and
# plain f64 on the same functions; benches/reverse.rs: the tape against
# hand-written backpropagation, and gradients by the tape) and prints the
# tables of median times and ratios against the targets
# (scripts/bench_table.py, scripts/bench_reverse_table.py).
#
#   scripts/bench.sh                         # full run (about 10 minutes)
#   scripts/bench.sh --warm-up-time 1 --measurement-time 2   # quick run
#
# Extra arguments go to criterion. Old results are removed first, so that
# every ratio in the table compares two benchmarks of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf "${CARGO_TARGET_DIR:-target}/criterion"
cargo bench --bench forward --bench reverse -- "$@"
python3 scripts/bench_table.py
echo
python3 scripts/bench_reverse_table.py
