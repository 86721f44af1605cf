#!/usr/bin/env bash
# Reproduces the footprint table of the README's "On a microcontroller"
# section: flash (.text + .rodata), static RAM (.data + .bss) and peak stack
# of the computations in src/work.rs, with the derivative drivers and with
# the same models on plain floats only (feature `plain`), at opt-level "s"
# and "3", with and without nalgebra, in f32 and f64.
#
# Flash and RAM are those of the `footprint` binary, which calls every
# computation once and nothing else (its runtime, cortex-m-rt's reset code
# and the 1 KiB vector table, is in both columns; the vector table is not
# counted). Peak stack is the firmware's own measurement (painted stack),
# the largest over the computations, printed by a run under QEMU.
# Needs what run.sh installs, plus `arm-none-eabi-size`
# (binutils-arm-none-eabi) or `llvm-size`.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

if command -v arm-none-eabi-size >/dev/null; then
    SIZE=arm-none-eabi-size
elif command -v llvm-size >/dev/null; then
    SIZE=llvm-size
else
    echo "need arm-none-eabi-size (apt-get install binutils-arm-none-eabi) or llvm-size" >&2
    exit 1
fi

# section NAME in `size -A` output of ELF $1
section() { $SIZE -A "$1" | awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }'; }

echo "| opt-level | nalgebra | type | flash, drivers | flash, plain | flash added by the drivers | static RAM | peak stack, drivers | peak stack, plain |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for opt in s 3; do
    # One target directory per opt-level, so that switching does not rebuild.
    export CARGO_TARGET_DIR="target/opt-$opt"
    case $opt in
    [0-9]) cfg="profile.release.opt-level=$opt" ;;
    *) cfg="profile.release.opt-level=\"$opt\"" ;;
    esac
    bin="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release"
    for nal in no yes; do
        feats=""
        [ "$nal" = yes ] && feats="nalgebra"
        cargo build -q --release --config "$cfg" --features "$feats" --bin dualgrad-embedded
        log=$(timeout 120 cargo run -q --release --config "$cfg" --features "$feats" --bin dualgrad-embedded 2>&1) || {
            echo "$log" >&2
            echo "firmware failed (opt-level $opt, features: ${feats:-none})" >&2
            exit 1
        }
        for ty in f32 f64; do
            declare -A flash=() ram=()
            for mode in drivers plain; do
                f="$feats"
                [ "$ty" = f64 ] && f="$f,f64"
                [ "$mode" = plain ] && f="$f,plain"
                cargo build -q --release --config "$cfg" --features "${f#,}" --bin footprint
                elf="$bin/footprint"
                flash[$mode]=$(($(section "$elf" .text) + $(section "$elf" .rodata)))
                ram[$mode]=$(($(section "$elf" .data) + $(section "$elf" .bss)))
            done
            stack=$(echo "$log" | sed -n "s/^peak stack $ty: \([0-9]*\) B with the drivers, \([0-9]*\) B plain float.*/\1 \2/p")
            read -r stack_drivers stack_plain <<<"$stack"
            echo "| \"$opt\" | $nal | $ty | ${flash[drivers]} B | ${flash[plain]} B | $((flash[drivers] - flash[plain])) B | ${ram[drivers]} B | $stack_drivers B | $stack_plain B |"
            unset flash ram
        done
    done
done
