#!/usr/bin/env bash
# Runs the benchmarks of the bench crate (benches/benches/forward.rs:
# dualgrad against num-dual and plain f64 on the same functions;
# benches/benches/reverse.rs: the tape against hand-written backpropagation,
# and gradients by the tape) and prints the tables of median times and
# ratios against the targets (bench_table.py, bench_reverse_table.py).
#
#   benches/scripts/bench.sh                         # full run (about 10 minutes)
#   benches/scripts/bench.sh --warm-up-time 1 --measurement-time 2   # quick run
#
# Extra arguments go to criterion. Old results are removed first, so that
# every ratio in the table compares two benchmarks of the same run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
rm -rf "${CARGO_TARGET_DIR:-target}/criterion"
cargo bench -p dualgrad-bench --bench forward --bench reverse -- "$@"
python3 "$here/bench_table.py"
echo
python3 "$here/bench_reverse_table.py"
