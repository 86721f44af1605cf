//! Rosenbrock's function of n variables on the tape, with slicing:
//! `f = Σ 100·(x_{i+1} − x_i²)² + (1 − x_i)²` from two overlapping slices
//! of x, so recording and the backward pass cost O(n). For comparison, the
//! formulation without slicing (selection matrices P, N of (n−1)×n, as the
//! benches used before the tape had slices) costs O(n²).
//!
//! ```sh
//! cargo run --release --example rosenbrock_tape
//! ```
//!
//! Prints the median time of one gradient (record + backward, on a tape
//! reset every time) for n = 100, 1,000, 10,000, and checks the gradient
//! against its closed form.

use std::time::Instant;

use dualgrad::reverse::{ReverseError, Tape, Var};
use nalgebra::DMatrix;

/// f(x) for x an n×1 column, with slices.
fn rosenbrock(t: &Tape<f64>, x: Var) -> Result<Var, ReverseError> {
    let n = t.shape(x)?.0;
    let head = t.rows(x, 0, n - 1)?; // x₀ … x_{n−2}
    let tail = t.rows(x, 1, n - 1)?; // x₁ … x_{n−1}
    let a = t.sub(tail, t.square(head)?)?;
    let b = t.affine(head, -1.0, 1.0)?; // 1 − x_i
    let f = t.add(t.scale(t.square(a)?, 100.0)?, t.square(b)?)?;
    t.sum(f)
}

/// The same f with (n−1)×n selection matrices: O(n²).
fn rosenbrock_by_matmul(t: &Tape<f64>, x: Var) -> Result<Var, ReverseError> {
    let n = t.shape(x)?.0;
    let p = t.var(DMatrix::from_fn(n - 1, n, |i, j| {
        f64::from(u8::from(i == j))
    }));
    let q = t.var(DMatrix::from_fn(n - 1, n, |i, j| {
        f64::from(u8::from(i + 1 == j))
    }));
    let head = t.matmul(p, x)?;
    let tail = t.matmul(q, x)?;
    let a = t.sub(tail, t.square(head)?)?;
    let b = t.affine(head, -1.0, 1.0)?;
    let f = t.add(t.scale(t.square(a)?, 100.0)?, t.square(b)?)?;
    t.sum(f)
}

/// ∂f/∂x in closed form.
fn closed_form(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
    }
    g
}

type Build = fn(&Tape<f64>, Var) -> Result<Var, ReverseError>;

/// The median time of one gradient, in microseconds.
fn time(build: Build, x0: &DMatrix<f64>, reps: usize) -> Result<f64, ReverseError> {
    let mut tape = Tape::new();
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = Instant::now();
        tape.reset();
        let x = tape.var_copy(x0);
        let f = build(&tape, x)?;
        let g = tape.gradient(f, &[x])?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(&g);
        for m in g {
            tape.recycle(m);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[reps / 2])
}

fn main() -> Result<(), ReverseError> {
    println!("| n | slices: one gradient | selection matrices: one gradient |");
    println!("|---|---|---|");
    for n in [100usize, 1_000, 10_000] {
        let mut rng = dualgrad::SplitMix64::new(4);
        let xs: Vec<f64> = (0..n).map(|_| rng.uniform(0.2, 1.8)).collect();
        let x0 = DMatrix::from_vec(n, 1, xs.clone());

        // The gradient is the closed form's.
        let t = Tape::new();
        let x = t.var_copy(&x0);
        let g = t.gradient(rosenbrock(&t, x)?, &[x])?;
        let want = closed_form(&xs);
        let err = g[0]
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
            .fold(0.0, f64::max);
        assert!(err < 1e-13, "n = {n}: relative error {err}");

        let reps = if n <= 1_000 { 201 } else { 41 };
        let sliced = time(rosenbrock, &x0, reps)?;
        let by_matmul = if n <= 1_000 {
            format!("{:.1} µs", time(rosenbrock_by_matmul, &x0, 21)?)
        } else {
            "— (two 10⁸-entry matrices)".to_string()
        };
        println!("| {n} | {sliced:.1} µs | {by_matmul} |");
    }
    Ok(())
}
