//! The worked examples of the guide (`dualgrad::guide::worked_examples`), computed with
//! dualgrad and printed next to their expected values: the forward-mode
//! ones first, then (with the default `nalgebra` feature) the reverse-mode
//! ones.
//!
//! ```sh
//! cargo run --release --example seeds
//! ```

use dualgrad::prelude::*;

/// Examples 3, 4, 7, 8 and 9 with the reverse-mode tape (feature `nalgebra`).
#[cfg(feature = "nalgebra")]
#[path = "seeds_reverse.rs"]
mod seeds_reverse;
use std::f64::consts::PI;

fn row(what: &str, got: f64, expected: f64) {
    let ok = if got == expected || ((got - expected) / expected).abs() < 1e-12 {
        "ok"
    } else {
        "DIFFERS"
    };
    println!(
        "  {what:<34} {:<24} expected {:<24} {ok}",
        num(got),
        num(expected)
    );
}

/// Plain notation for ordinary magnitudes, scientific for tiny ones.
fn num(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Seed 1: z(x, y) = x² + tanh(y²).
fn z<S: Scalar>(x: S, y: S) -> S {
    x * x + (y * y).tanh()
}

/// Seed 6: x multiplied by itself n times in a loop.
fn power_loop<S: Scalar>(x: S, n: usize) -> S {
    let mut r = x;
    for _ in 1..n {
        r *= x;
    }
    r
}

fn main() {
    println!("1. z = x² + tanh(y²) at (2, 3)");
    let (v, g) = gradient(|[x, y]| z(x, y), [2.0, 3.0]);
    row("z", v, 4.999999969540041);
    row("∂z/∂x", g[0], 4.0);
    // The closed form 2y·sech²(y²), computed without cancellation. (The
    // listed 3.655195026652791e-7 was computed as 2y(1 − tanh²y²), which
    // loses 9 digits to cancellation.)
    row("∂z/∂y", g[1], 6.0 / 9.0_f64.cosh().powi(2));

    println!("2. y = x·x·x");
    for x in [1.0, 2.0] {
        let (y, d1, d2) = second_derivative(|x| x * x * x, x);
        row(&format!("y({x})"), y, x * x * x);
        row(&format!("y′({x})"), d1, 3.0 * x * x);
        row(&format!("y″({x})"), d2, 6.0 * x);
    }

    println!("3. several gradients of one recording");
    row("dy/dx of x² at 5", derivative(|x| x * x, 5.0).1, 10.0);
    let (_, d1, d2) = second_derivative(|x| x * x, 3.0);
    row("dy/dx of x² at 3", d1, 6.0);
    row("d²y/dx² of x² at 3", d2, 2.0);
    // One evaluation carries both y = x² and z = y²; both are read from it.
    let x = DualVec::<f64, 1>::variable(3.0, 0);
    let y = x * x;
    let zz = y * y;
    row("dz/dx (z = y², y = x²) at 3", zz.eps[0], 108.0);
    row("dy/dx from the same evaluation", y.eps[0], 6.0);

    println!("5. f = sin²x and its first three derivatives");
    for x in [-2.0 * PI, -PI, 0.0, PI, 2.0 * PI] {
        let (_, d1, d2, _) = third_derivative(|x| x.sin().powi(2), x);
        println!(
            "  x = {x:>8.5}: f′ = {d1:>10.3e} (|f′| < 1e-15: {}), f″ = {d2}",
            d1.abs() < 1e-15
        );
    }
    println!("  (the figure: cargo run --example sin_squared_plot)");

    println!("6. loops and reductions");
    row("f(3, 2)", power_loop(3.0, 2), 9.0);
    row("f′(3, 2)", derivative(|x| power_loop(x, 2), 3.0).1, 6.0);
    row("f(4, 3)", power_loop(4.0, 3), 64.0);
    row("f′(4, 3)", derivative(|x| power_loop(x, 3), 4.0).1, 48.0);
    let (zv, dz) = gradient(
        |x: [DualVec<f64, 4>; 4]| {
            let y: DualVec<f64, 4> = x.iter().sum();
            y * y
        },
        [1.0; 4],
    );
    row("z = (sum of ones(2×2))²", zv, 16.0);
    println!("  dz/dx = {dz:?} (expected all 8)");
    let (_, d1, d2) = second_derivative(|x| x * x * x, 2.0);
    row("y′ of x³ at 2", d1, 12.0);
    row("y″ of x³ at 2", d2, 12.0);

    #[cfg(feature = "nalgebra")]
    {
        println!();
        println!("Reverse mode (dualgrad::reverse):");
        if let Err(e) = seeds_reverse::main() {
            println!("  error: {e}");
        }
    }
}
