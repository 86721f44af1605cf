#!/usr/bin/env bash
# Runs the forward benchmarks (benches/forward.rs: dualgrad against num-dual
# and plain f64 on the same functions) and prints the table of median times
# and ratios against the targets (scripts/bench_table.py).
#
#   scripts/bench.sh                         # full run (about 6 minutes)
#   scripts/bench.sh --warm-up-time 1 --measurement-time 2   # quick run
#
# Extra arguments go to criterion. Old results are removed first, so that
# every ratio in the table compares two benchmarks of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf "${CARGO_TARGET_DIR:-target}/criterion"
cargo bench --bench forward -- "$@"
python3 scripts/bench_table.py
