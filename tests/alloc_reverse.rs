//! A steady-state training step of the reverse layer does not grow its
//! allocations: counted by a global allocator.
//!
//! What is proved, for an `Mlp` trained with `loss_and_gradients` and an
//! optimiser step on one tape that is reset every step (which
//! `loss_and_gradients` does) and gets its spent gradients back through
//! `Tape::recycle`:
//! - after a few warm-up steps, the live heap (bytes allocated minus bytes
//!   freed) is exactly the same after every step: a step leaks nothing and
//!   the tape's storage stops growing;
//! - every step then makes the same number of allocation calls with the
//!   same total size (a constant, independent of how many steps ran), and
//!   frees all of them before it returns: short lists of handles (the
//!   sources and gradients, the optimiser's parameter lists) and the
//!   packing buffers that the product kernels (faer's, or nalgebra's
//!   gemm) allocate inside a large product — which hand-written code
//!   pays too. The matrices themselves come
//!   from the tape's pool (`src/reverse/pool.rs` checks that no fresh
//!   buffer is taken in the steady state).
//!
//! This file is the only place with `unsafe`: the `GlobalAlloc` impl that
//! forwards to the system allocator and counts. The library itself forbids
//! unsafe code.
#![cfg(all(feature = "nalgebra", feature = "std"))]
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use dualgrad::nn::{Activation::*, Adam, Mlp, Optimizer, Sgd, Targets};
use dualgrad::reverse::Tape;
use nalgebra::DMatrix;

/// Counts the calling thread's allocations (tests run on several threads;
/// each counts only its own).
struct Counting;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    /// Bytes allocated minus bytes freed.
    live: isize,
    /// Allocation calls (including reallocations) and their bytes.
    calls: usize,
    bytes: usize,
    /// The largest single allocation.
    largest: usize,
}

thread_local! {
    static COUNTS: Cell<Counts> = const {
        Cell::new(Counts { live: 0, calls: 0, bytes: 0, largest: 0 })
    };
}

fn note(alloc: usize, free: usize) {
    // `try_with`: the thread-local may be gone while a thread shuts down.
    let _ = COUNTS.try_with(|c| {
        let mut v = c.get();
        v.live += alloc as isize - free as isize;
        if alloc > 0 {
            v.calls += 1;
            v.bytes += alloc;
            v.largest = v.largest.max(alloc);
        }
        c.set(v);
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counting touches only a thread-local `Cell` of plain
// integers (no allocation, no re-entrancy).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), 0);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), 0);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(0, layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size, layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn counts() -> Counts {
    COUNTS.with(|c| c.get())
}

/// One training step's counts: (live bytes after the step, calls, bytes
/// and largest allocation during it).
fn step_counts(step: &mut dyn FnMut()) -> (isize, usize, usize, usize) {
    let before = counts();
    step();
    let after = counts();
    (
        after.live,
        after.calls - before.calls,
        after.bytes - before.bytes,
        after.largest,
    )
}

/// Trains `mlp` for 4 warm-up steps and 20 more with `opt`; checks the
/// steady state of the last 20.
fn check_steady<O: Optimizer<f64>>(
    mut mlp: Mlp<f64>,
    mut opt: O,
    x: &DMatrix<f64>,
    targets: Targets<'_, f64>,
) {
    let params: usize = mlp
        .layers
        .iter()
        .map(|l| l.w.len() + l.b.len())
        .sum::<usize>()
        * 8;
    let mut tape = Tape::new();
    let mut losses = Vec::with_capacity(64);
    let mut step = || {
        let (loss, grads) = mlp.loss_and_gradients(&mut tape, x, targets).unwrap();
        opt.update(&mut mlp, &grads).unwrap();
        for g in grads {
            tape.recycle(g.dw);
            tape.recycle(g.db);
        }
        losses.push(loss);
    };
    let warm: Vec<_> = (0..4).map(|_| step_counts(&mut step)).collect();
    // Reset the largest-allocation mark: only steady-state steps count.
    COUNTS.with(|c| {
        let mut v = c.get();
        v.largest = 0;
        c.set(v);
    });
    let steady: Vec<_> = (0..20).map(|_| step_counts(&mut step)).collect();
    let first = steady[0];
    for s in &steady {
        // Live heap identical after every step: nothing kept, nothing leaked.
        assert_eq!(s.0, first.0, "live bytes grew: {steady:?}");
        // The same bookkeeping at every step.
        assert_eq!((s.1, s.2), (first.1, first.2), "{steady:?}");
    }
    let largest = steady.last().unwrap().3;
    // The warm-up did allocate the tape's buffers (the counter works): at
    // least the recorded copies of the parameters.
    assert!(warm[0].2 >= params, "{warm:?}");
    // And the network trained.
    assert!(losses.last().unwrap() < &losses[0], "{losses:?}");
    eprintln!(
        "steady state: {} allocations, {} bytes per step (largest {largest} B), \
         live heap constant at {} B; warm-up step 1 allocated {} bytes",
        first.1, first.2, first.0, warm[0].2
    );
}

#[test]
fn mlp_classifier_with_adam_does_not_grow() {
    let mlp = Mlp::<f64>::new(&[20, 32, 16, 5], &[Relu, Tanh, Identity], 3).unwrap();
    let x = DMatrix::from_fn(24, 20, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5);
    let labels: Vec<usize> = (0..24).map(|i| i % 5).collect();
    check_steady(mlp, Adam::new(0.01), &x, Targets::Labels(&labels));
}

#[test]
fn mlp_regression_with_sgd_momentum_does_not_grow() {
    let mlp = Mlp::<f64>::new(&[6, 12, 3], &[Sigmoid, Identity], 9).unwrap();
    let x = DMatrix::from_fn(10, 6, |i, j| (i as f64 - j as f64) / 9.0);
    let y = DMatrix::from_fn(10, 3, |i, j| ((i + j) % 4) as f64 / 4.0);
    check_steady(mlp, Sgd::with_momentum(0.05, 0.9), &x, Targets::Values(&y));
}

/// A replayed training step (`Mlp::replay`, then `MlpReplay::loss_and_gradients`
/// every step, with an optimiser's update between steps) allocates
/// nothing of its own once warm: the only allocation calls are
/// the product kernels' packing buffers inside the larger products (the seed
/// network below, whose products are all small, makes none at all).
fn check_replay_allocates_nothing<O: Optimizer<f64>>(
    mut mlp: Mlp<f64>,
    mut opt: O,
    x: &DMatrix<f64>,
    targets: Targets<'_, f64>,
) {
    let mut replay = mlp.replay(x, targets).unwrap();
    let mut losses = Vec::with_capacity(64);
    let mut steady = Vec::with_capacity(64);
    for k in 0..23 {
        // Counted: the replayed loss and gradients. Not counted: the
        // optimiser's update, which builds short lists of its own.
        let mut loss = 0.0;
        let c = step_counts(&mut || {
            loss = replay.loss_and_gradients(&mut mlp, x, targets).unwrap().0;
        });
        if k >= 3 {
            steady.push(c);
        }
        losses.push(loss);
        let (_, grads) = replay.loss_and_gradients(&mut mlp, x, targets).unwrap();
        opt.update(&mut mlp, grads).unwrap();
    }
    // At most one allocation per product (3 per layer: forward, and the
    // two of the backward pass), the packing buffer a product kernel takes
    // inside a product too large for its thread-local one; all freed.
    let products = 3 * mlp.layers.len();
    for s in &steady {
        assert!(s.1 <= products, "a replayed step allocated: {steady:?}");
        assert_eq!(
            (s.0, s.1, s.2),
            (steady[0].0, steady[0].1, steady[0].2),
            "{steady:?}"
        );
    }
    assert!(losses.last().unwrap() < &losses[0], "{losses:?}");
}

#[test]
fn replayed_mlp_classifier_allocates_nothing() {
    let mlp = Mlp::<f64>::new(&[20, 32, 16, 5], &[Relu, Tanh, Identity], 3).unwrap();
    let x = DMatrix::from_fn(24, 20, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5);
    let labels: Vec<usize> = (0..24).map(|i| i % 5).collect();
    check_replay_allocates_nothing(mlp, Adam::new(0.01), &x, Targets::Labels(&labels));
}

#[test]
fn replayed_mlp_regression_allocates_nothing() {
    let mlp = Mlp::<f64>::new(&[6, 12, 3], &[Sigmoid, Identity], 9).unwrap();
    let x = DMatrix::from_fn(10, 6, |i, j| (i as f64 - j as f64) / 9.0);
    let y = DMatrix::from_fn(10, 3, |i, j| ((i + j) % 4) as f64 / 4.0);
    check_replay_allocates_nothing(mlp, Sgd::with_momentum(0.05, 0.9), &x, Targets::Values(&y));
}

/// The seed network replayed through `Tape::replay` with new parameter
/// values every step: no allocation call.
#[test]
fn replayed_seed_network_allocates_nothing() {
    let t = Tape::new();
    let x = t.var(DMatrix::from_fn(1, 7, |_, j| j as f64 + 1.0));
    let w = t.var(DMatrix::from_fn(7, 2, |i, j| (i as f64 - j as f64) / 20.0));
    let b = t.var(DMatrix::from_element(1, 2, 0.1));
    let y = t
        .tanh(t.add_row(t.matmul(x, w).unwrap(), b).unwrap())
        .unwrap();
    let l = t.mean(t.square(y).unwrap()).unwrap();
    let mut r = t.replay(l, &[w, b], &[w, b]).unwrap();
    let mut wv = DMatrix::from_fn(7, 2, |i, j| (i as f64 + j as f64) / 30.0);
    let mut step = || {
        r.set_input(0, &wv).unwrap();
        r.run_again();
        wv.zip_apply(&r.gradients()[0], |w, g| *w -= 0.1 * g);
    };
    for _ in 0..3 {
        step_counts(&mut step);
    }
    let steady: Vec<_> = (0..20).map(|_| step_counts(&mut step)).collect();
    for s in &steady {
        assert_eq!((s.1, s.2), (0, 0), "a replayed step allocated: {steady:?}");
    }
}
