#!/usr/bin/env bash
# Builds the firmware in embedded/ and runs it under QEMU (mps2-an386,
# Cortex-M4F), without and with the `nalgebra` feature. Each run computes
# every derivative in f32 and f64 and exits with failure unless all of them
# equal the host's computation of the same source, bit for bit.
# Installs what it needs if it is missing: the thumbv7em-none-eabihf target
# and qemu-system-arm (Debian package).
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never
TARGET=thumbv7em-none-eabihf

if ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi
if ! command -v qemu-system-arm >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq qemu-system-arm >/dev/null
fi

# The committed Cargo.lock pins this crate's dependencies; it is not used
# with --locked because dualgrad's own dependencies (a path dependency) may
# change without this crate changing.
if command -v rustfmt >/dev/null; then
    cargo fmt -- --check
fi
for features in "" nalgebra; do
    cargo clippy --release --features "$features" --bins -- -D warnings
done

run() {
    local features=$1 log
    echo
    echo "=== firmware under QEMU, features: ${features:-none} ==="
    cargo build --release --features "$features" --bins
    log=$(mktemp)
    # The runner (.cargo/config.toml) is QEMU with semihosting; the
    # firmware's exit code is QEMU's.
    if ! timeout 120 cargo run --release --features "$features" \
        --bin dualgrad-embedded >"$log" 2>&1; then
        cat "$log"
        echo "FAILED: firmware (features: ${features:-none}) did not match the host or did not finish"
        rm -f "$log"
        return 1
    fi
    cat "$log"
    rm -f "$log"
}

run ""
run "nalgebra"
echo
echo "embedded: firmware matches the host bit for bit (f32, f64; with and without nalgebra)"
