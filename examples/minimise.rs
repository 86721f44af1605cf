//! Minimises a function of 1,000 parameters with reverse-mode gradients
//! (`dualgrad::record`) and a small hand-written L-BFGS (memory 8, Armijo
//! backtracking), printing progress.
//!
//! The function is written once, generically over `Scalar`: the extended
//! Rosenbrock function plus a coupling of neighbours, so that no parameter
//! is independent. One `Recorder` is reused for every gradient: after the
//! first iteration the gradients allocate nothing.
//!
//! ```sh
//! cargo run --release --example minimise           # 1,000 parameters
//! cargo run --release --example minimise -- 10000  # any size
//! ```

use dualgrad::record::{RecordError, Recorder};
use dualgrad::Scalar;
use std::collections::VecDeque;
use std::time::Instant;

/// The objective, generic over the number type: the extended Rosenbrock
/// function (one valley per pair of parameters) plus a weak coupling of
/// neighbours; its minimum is 0, at every parameter 1.
fn objective<S: Scalar>(x: &[S]) -> S {
    let mut f = S::zero();
    for p in x.chunks_exact(2) {
        let a = p[1] - p[0] * p[0];
        let b = S::one() - p[0];
        f += a * a * S::lit(100.0) + b * b;
    }
    for w in x.windows(2) {
        f += (w[1] - w[0]).powi(2) * S::lit(0.1);
    }
    f
}

/// f(x) and ∇f(x) into `g`, by one recording and one backward sweep.
fn value_and_gradient(
    rec: &mut Recorder<f64>,
    x: &[f64],
    g: &mut [f64],
) -> Result<f64, RecordError> {
    let y = rec.record(x, objective)?;
    g.copy_from_slice(rec.gradient(y)?);
    Ok(y.value())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The L-BFGS direction −H·g from the stored pairs (s, y) (two-loop
/// recursion), written into `d`.
fn direction(
    pairs: &VecDeque<(Vec<f64>, Vec<f64>)>,
    g: &[f64],
    d: &mut [f64],
    alpha: &mut Vec<f64>,
) {
    d.copy_from_slice(g);
    alpha.clear();
    for (s, y) in pairs.iter().rev() {
        let a = dot(s, d) / dot(y, s);
        for (di, yi) in d.iter_mut().zip(y) {
            *di -= a * yi;
        }
        alpha.push(a);
    }
    if let Some((s, y)) = pairs.back() {
        let gamma = dot(s, y) / dot(y, y);
        d.iter_mut().for_each(|di| *di *= gamma);
    }
    for ((s, y), a) in pairs.iter().zip(alpha.iter().rev()) {
        let b = dot(y, d) / dot(y, s);
        for (di, si) in d.iter_mut().zip(s) {
            *di += (a - b) * si;
        }
    }
    d.iter_mut().for_each(|di| *di = -*di);
}

fn main() -> Result<(), RecordError> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut x: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let (mut g, mut g_new, mut x_new, mut d) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>)> = VecDeque::new();
    let mut alpha = Vec::new();
    let mut rec = Recorder::new();
    let start = Instant::now();
    let mut f = value_and_gradient(&mut rec, &x, &mut g)?;
    let mut evaluations = 1;
    println!("minimising a function of {n} parameters by L-BFGS with reverse-mode gradients");
    println!("{:>5} {:>22} {:>12} {:>6}", "iter", "f", "|∇f|", "evals");
    for iter in 0..5000 {
        let gnorm = dot(&g, &g).sqrt();
        if iter % 10 == 0 || gnorm < 1e-8 {
            println!("{iter:>5} {f:>22.15e} {gnorm:>12.3e} {evaluations:>6}");
        }
        if gnorm < 1e-8 {
            break;
        }
        direction(&pairs, &g, &mut d, &mut alpha);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            pairs.clear();
            d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi);
            slope = -gnorm * gnorm;
        }
        // Armijo backtracking from the full step.
        let mut t = if pairs.is_empty() {
            1.0 / gnorm.max(1.0)
        } else {
            1.0
        };
        let f_new = loop {
            for ((xn, xi), di) in x_new.iter_mut().zip(&x).zip(&d) {
                *xn = xi + t * di;
            }
            let fn_ = value_and_gradient(&mut rec, &x_new, &mut g_new)?;
            evaluations += 1;
            if fn_ <= f + 1e-4 * t * slope || t < 1e-20 {
                break fn_;
            }
            t *= 0.5;
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        if dot(&s, &y) > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
            if pairs.len() == 8 {
                pairs.pop_front();
            }
            pairs.push_back((s, y));
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        f = f_new;
    }
    let elapsed = start.elapsed();
    let err = x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max);
    println!(
        "done: f = {f:.3e}, max |xᵢ − 1| = {err:.1e}, {evaluations} gradients in {:.1} ms \
         ({:.1} µs each; {} nodes of {} bytes recorded per gradient)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / evaluations as f64,
        rec.len(),
        Recorder::<f64>::BYTES_PER_NODE,
    );
    Ok(())
}
