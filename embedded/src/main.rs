//! Firmware for a Cortex-M4F (QEMU's `mps2-an386`): computes derivatives
//! with dualgrad in f32 and f64, prints them over semihosting, and exits
//! with failure unless every value equals, bit for bit, the host's
//! computation of the same source (`src/work.rs`, run by `build.rs`).
//! It also prints each computation's instruction count and peak stack next
//! to those of the same model on plain floats, and the stack the fixed-size
//! drivers need as a function of the number of inputs.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod probe;
mod work;

/// The host's results: `REF_F32` and `REF_F64`, one `&[u64]` of bit
/// patterns per case of [`work::for_each_case`].
mod reference {
    include!(concat!(env!("OUT_DIR"), "/reference.rs"));
}

use core::hint::black_box;
use core::panic::PanicInfo;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use dualgrad::{gradient, hessian, jacobian, Scalar};

use probe::Probe;
use work::{for_each_case, Fp};

/// Calls per instruction count (the count is exact to 1/`REPS` of a tick).
const REPS: u32 = 100;

#[entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        fail("core peripherals already taken");
    };
    let probe = Probe::new(peripherals.SYST);
    hprintln!(
        "SysTick: {} instructions per tick (expected 40 with -icount shift=0)",
        probe.per_tick()
    );

    let ok32 = check::<f32>("f32", reference::REF_F32, &probe);
    let ok64 = check::<f64>("f64", reference::REF_F64, &probe);

    stack_by_size::<f32>("f32");
    stack_by_size::<f64>("f64");

    if ok32 && ok64 {
        hprintln!("PASS: every value equals the host's, bit for bit");
        debug::exit(debug::EXIT_SUCCESS);
        halt()
    } else {
        fail("a value differs from the host's")
    }
}

/// Runs every case in `T`, prints its results, instruction count and stack,
/// and compares the results with the host's bit patterns `expected`.
fn check<T: Fp>(ty: &str, expected: &[&[u64]], probe: &Probe) -> bool {
    let mut ok = true;
    let mut index = 0;
    let (mut peak, mut peak_plain) = (0, 0);
    hprintln!("--- {} ---", ty);
    for_each_case::<T>(|case| {
        let out = (case.run)();
        hprintln!("[{}] {}", ty, case.name);
        let want = expected.get(index).copied().unwrap_or(&[]);
        if want.len() != out.values().len() {
            hprintln!(
                "  MISMATCH: {} values, the host has {}",
                out.values().len(),
                want.len()
            );
            ok = false;
        }
        for (i, &v) in out.values().iter().enumerate() {
            let host = want.get(i).copied();
            let same = host == Some(v.bits());
            ok &= same;
            if same {
                hprintln!("  {:>2}: {:e} ({:#018x}) ok", i, v, v.bits());
            } else {
                hprintln!(
                    "  {:>2}: {:e} ({:#018x}) MISMATCH, the host has {:#018x}",
                    i,
                    v,
                    v.bits(),
                    host.unwrap_or(0)
                );
            }
        }
        let run = || {
            black_box((case.run)());
        };
        let plain = || {
            black_box((case.plain)());
        };
        let (stack, stack_plain) = (probe::stack(&run), probe::stack(&plain));
        peak = peak.max(stack);
        peak_plain = peak_plain.max(stack_plain);
        hprintln!(
            "  instructions: {} (plain float: {}); stack: {} B (plain float: {} B)",
            probe.instructions(&run, REPS),
            probe.instructions(&plain, REPS),
            stack,
            stack_plain
        );
        index += 1;
    });
    if index != expected.len() {
        hprintln!("MISMATCH: {} cases, the host has {}", index, expected.len());
        ok = false;
    }
    hprintln!(
        "peak stack {}: {} B with the drivers, {} B plain float",
        ty,
        peak,
        peak_plain
    );
    ok
}

/// The extended Rosenbrock function of `N` inputs.
fn rosenbrock<S: Scalar, const N: usize>(x: [S; N]) -> S {
    let mut f = S::zero();
    for i in 1..N {
        let a = x[i] - x[i - 1] * x[i - 1];
        let b = S::one() - x[i - 1];
        f += S::lit(100.0) * a * a + b * b;
    }
    f
}

/// A map from `N` to `N` values for `jacobian`.
fn twist<S: Scalar, const N: usize>(x: [S; N]) -> [S; N] {
    core::array::from_fn(|i| x[i] * x[(i + 1) % N].sin())
}

fn point<T: Fp, const N: usize>() -> [T; N] {
    black_box(core::array::from_fn(|i| {
        <T as Scalar>::lit(0.5 + 0.1 * i as f64)
    }))
}

/// Peak stack of `gradient`, `jacobian` (N × N) and `hessian` for `N`
/// inputs, the function included.
fn stack_row<T: Fp, const N: usize>(ty: &str) {
    let plain = probe::stack(&|| {
        black_box(rosenbrock(point::<T, N>()));
    });
    let grad = probe::stack(&|| {
        black_box(gradient(rosenbrock, point::<T, N>()));
    });
    let jac = probe::stack(&|| {
        black_box(jacobian(twist, point::<T, N>()));
    });
    let hess = probe::stack(&|| {
        black_box(hessian(rosenbrock, point::<T, N>()));
    });
    hprintln!(
        "stack {} N = {:>2}: plain {:>5} B, gradient {:>5} B, jacobian {:>5} B, hessian {:>6} B",
        ty,
        N,
        plain,
        grad,
        jac,
        hess
    );
}

fn stack_by_size<T: Fp>(ty: &str) {
    stack_row::<T, 2>(ty);
    stack_row::<T, 4>(ty);
    stack_row::<T, 8>(ty);
    stack_row::<T, 16>(ty);
}

fn fail(why: &str) -> ! {
    hprintln!("FAIL: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    halt()
}

/// Where the program ends if semihosting's exit returns (no debugger or
/// emulator is attached).
fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    halt()
}
