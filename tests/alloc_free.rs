//! The fixed-size forward drivers and number types allocate nothing: every
//! driver, on every number type, through every elementary function, is run
//! under a global allocator that counts the allocations of the running
//! thread, and the count must not move.
//!
//! `unsafe` is denied crate-wide (and forbidden in the library). This file
//! allows it for one reason: `GlobalAlloc` is an `unsafe trait`, so a
//! counting allocator cannot be written without it. The impl only counts
//! and forwards every call unchanged to `std::alloc::System`. (A crate such
//! as `stats_alloc` would hide the same few lines behind a dependency, and
//! its counters are process-wide, which the test harness's own threads
//! would disturb; these are per thread.)
#![allow(unsafe_code)]

use num_traits::Float;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use dualgrad::{
    derivative, directional_derivative, gradient, hessian, jacobian, jvp, mixed_partial,
    second_derivative, third_derivative, Dual, Dual2Vec, DualVec, HyperDual, Scalar,
};

/// Forwards to the system allocator, counting allocations per thread.
struct Counting;

thread_local! {
    // `const` initialisation and no destructor: reading it from inside the
    // allocator never allocates.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    // `try_with`: during thread teardown the counter may be gone; such
    // allocations are not ours to count.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards its arguments unchanged to `System`, which
// upholds the `GlobalAlloc` contract; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: the caller's guarantees for `layout` are passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: `ptr` was allocated by `System` with `layout` (all
        // allocations go through this forwarder).
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(|c| c.get())
}

/// Runs `f` and returns how many allocations it made on this thread.
fn count(f: impl FnOnce()) -> u64 {
    let before = allocations();
    f();
    allocations() - before
}

/// Every elementary function and operator, generically.
fn all_functions<S: Scalar>(x: S, y: S) -> S {
    let h = S::lit(0.5);
    let a = x.sin() * y.cos() + x.tan() - x.exp() / y.ln() + (x * h).asin() + (x * h).acos();
    let b = x.atan() + y.atan2(x) + x.sinh() - x.cosh() + x.tanh() + y.asinh() + y.acosh();
    let c = (x * h).atanh() + x.sqrt() + x.cbrt() + x.powi(3) + x.powf(y) + x.powf(h);
    let d = x.exp2() + x.exp_m1() + x.ln_1p() + y.log2() + y.log10() + y.log(x) + x.hypot(y);
    let e = x.abs() + x.max(y) + x.min(y) + x.recip() + x.mul_add(y, h) + (x % y);
    let f = x.sigmoid() + x.softplus() + x.relu() + x.erf() + x.floor() + x.fract();
    let (s, co) = x.sin_cos();
    [a, b, c, d, e, f, s, co].into_iter().sum::<S>()
}

fn sum16<S: Scalar>(x: [S; 16]) -> S {
    let mut s = S::zero();
    for (i, xi) in x.iter().enumerate() {
        s += all_functions(*xi * S::lit(0.1), S::lit(1.5 + i as f64 * 0.01));
    }
    s
}

#[test]
fn the_counter_counts() {
    // The test can fail: an allocation is seen.
    let n = count(|| {
        black_box(vec![1.0_f64; 4]);
    });
    assert!(n >= 1, "an allocation was not counted");
}

#[test]
fn fixed_size_drivers_allocate_nothing() {
    let (x, y) = (0.7, 1.3);
    let xs: [f64; 16] = core::array::from_fn(|i| 0.5 + 0.05 * i as f64);
    // Warm up anything lazily initialised by the platform's math library.
    black_box(all_functions(black_box(x), black_box(y)));

    let n = count(|| {
        black_box(derivative(
            |x| all_functions(x, Dual::constant(y)),
            black_box(x),
        ));
        black_box(second_derivative(
            |x| all_functions(x, HyperDual::constant(y)),
            black_box(x),
        ));
        black_box(third_derivative(
            |x| all_functions(x, HyperDual::constant(Dual::constant(y))),
            black_box(x),
        ));
        black_box(gradient(|[x, y]| all_functions(x, y), black_box([x, y])));
        black_box(gradient(sum16, black_box(xs)));
        black_box(hessian(|[x, y]| all_functions(x, y), black_box([x, y])));
        black_box(hessian(sum16, black_box(xs)));
        black_box(jacobian(
            |[x, y]| [all_functions(x, y), x * y, y.exp()],
            black_box([x, y]),
        ));
        black_box(jvp(
            |[x, y]| [all_functions(x, y), x * y],
            black_box([x, y]),
            [1.0, -1.0],
        ));
        black_box(directional_derivative(sum16, black_box(xs), [1.0; 16]));
        black_box(mixed_partial(sum16, black_box(xs), 0, 1));
        // 64 inputs, in one evaluation and in chunks of 16.
        let x64: [f64; 64] = core::array::from_fn(|i| 0.5 + 0.01 * i as f64);
        let f64_ = |x: [DualVec<f64, 64>; 64]| x.iter().map(|xi| xi.tanh() * *xi).sum();
        black_box(gradient(f64_, black_box(x64)));
        let chunk = |start: usize| {
            let xs: [DualVec<f64, 16>; 64] =
                core::array::from_fn(|i| DualVec::variable(x64[i], i.wrapping_sub(start)));
            xs.iter()
                .map(|xi| xi.tanh() * *xi)
                .sum::<DualVec<f64, 16>>()
        };
        for start in (0..64).step_by(16) {
            black_box(chunk(black_box(start)));
        }
        // The number types directly, nested.
        let dd = Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0));
        black_box(all_functions(dd, Dual::constant(Dual::constant(y))));
        let h2 = Dual2Vec::<HyperDual<f64>, 2>::variable(HyperDual::new(x, 1.0, 1.0, 0.0), 0);
        black_box(all_functions(
            h2,
            Dual2Vec::constant(HyperDual::constant(y)),
        ));
    });
    assert_eq!(n, 0, "the fixed-size drivers allocated {n} times");
}
