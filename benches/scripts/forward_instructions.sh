#!/usr/bin/env bash
# Instructions per evaluation of every forward row, ours against num-dual
# (callgrind), as a Markdown table; see forward_instructions.py for the
# options. The table of BENCHMARKS.md, section "Forward mode at parity":
#
#   benches/scripts/forward_instructions.sh                    # the working tree
#   benches/scripts/forward_instructions.sh --before main      # and main, side by side
#   benches/scripts/forward_instructions.sh Rosenbrock         # only rows naming it
#
# Needs valgrind (apt-get install valgrind) and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$here/forward_instructions.py" "$@"
