//! A recording reused across calls allocates nothing in the steady state:
//! counted by a global allocator (this file's only `unsafe` is that
//! allocator, which forwards to the system allocator and counts).
//!
//! What is proved: after a warm-up call, recording a function of 1,000
//! inputs on a reused `Recorder` and asking for its gradient (twice, and a
//! vector-Jacobian product) makes no allocation call at all; so do the
//! array drivers `gradient_rev` and `vjp_rev` (which reuse a thread-local
//! recorder), and `hvp_rev` allocates only its three result vectors.
#![cfg(feature = "std")]
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use dualgrad::record::{gradient_rev, hvp_rev, vjp_rev, Recorder};
use dualgrad::Scalar;
use num_traits::Float;

struct Counting;

thread_local! {
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    let _ = CALLS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counting touches only a thread-local `Cell<usize>`.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn calls_during(f: impl FnOnce()) -> usize {
    let before = CALLS.with(|c| c.get());
    f();
    CALLS.with(|c| c.get()) - before
}

fn energy<S: Scalar>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| (w[1] - w[0]).powi(2) + (w[0] * w[1]).sin())
        .sum::<S>()
        + x[0].exp()
}

#[test]
fn reused_recorder_allocates_nothing() {
    let x: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.01).sin()).collect();
    let mut rec = Recorder::new();
    let mut grad = vec![0.0; x.len()];
    let step = |rec: &mut Recorder<f64>, x: &[f64], grad: &mut [f64]| {
        let y = rec.record(x, energy).unwrap();
        grad.copy_from_slice(rec.gradient(y).unwrap());
        let again = rec.gradient(y).unwrap()[0];
        assert_eq!(again, grad[0]);
        let v = rec.vjp(&[y, y], &[0.5, 0.5]).unwrap()[0];
        assert!((v - grad[0]).abs() <= 1e-12 * grad[0].abs().max(1.0));
    };
    step(&mut rec, &x, &mut grad); // warm-up: the storage grows to its size
    let bytes = rec.heap_bytes();
    for k in 0..20 {
        let xk: Vec<f64> = x.iter().map(|v| v + k as f64 * 1e-3).collect();
        assert_eq!(
            calls_during(|| step(&mut rec, &xk, &mut grad)),
            0,
            "step {k}"
        );
    }
    assert_eq!(rec.heap_bytes(), bytes);
    // Bytes per node as documented: 24 for the node and 8 for its adjoint.
    assert!(bytes >= rec.len() * (24 + 8));
}

#[test]
fn array_drivers_allocate_nothing_after_warm_up() {
    let f = |[a, b, c]: [dualgrad::Taped<f64>; 3]| (a * b).sin() + c.exp() * a;
    let _ = gradient_rev(f, [1.0, 2.0, 3.0]).unwrap();
    assert_eq!(
        calls_during(|| {
            let _ = gradient_rev(f, [1.5, 2.0, 3.0]).unwrap();
        }),
        0
    );
    let g = |[a, b]: [dualgrad::Taped<f64>; 2]| [a * b, a.tanh() + b];
    let _ = vjp_rev(g, [1.0, 2.0], [1.0, 1.0]).unwrap();
    assert_eq!(
        calls_during(|| {
            let _ = vjp_rev(g, [1.0, 2.0], [1.0, 1.0]).unwrap();
        }),
        0
    );
    let x = [0.5; 50];
    let _ = hvp_rev(energy, &x, &x).unwrap();
    // The Dual inputs and the three result vectors.
    assert!(
        calls_during(|| {
            let _ = hvp_rev(energy, &x, &x).unwrap();
        }) <= 4
    );
}
