#!/usr/bin/env bash
# Installs the peers timed beside dualgrad (JAX, CPU build; TensorFlow if
# asked for with --tf) into a virtual environment, target/peers-venv.
#
#   bash benches/peers/setup.sh          # JAX only
#   bash benches/peers/setup.sh --tf     # JAX and TensorFlow
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/peers-venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "jax[cpu]" numpy
if [[ "${1:-}" == "--tf" ]]; then
    "$venv/bin/pip" install --quiet tensorflow-cpu
fi
"$venv/bin/python" -c "import jax; print('jax', jax.__version__, jax.devices())"
