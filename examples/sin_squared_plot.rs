//! Seed example 5: f(x) = sin²x and its first three derivatives on
//! [−2π, 2π], all from one `third_derivative` call per point, drawn into
//! `sin_squared.svg` (or the path given as the first argument).
//!
//! ```sh
//! cargo run --example sin_squared_plot -- docs/sin_squared.svg
//! ```

#[path = "support/svg.rs"]
mod svg;

use dualgrad::{third_derivative, Scalar};
use std::f64::consts::PI;

fn f<S: Scalar>(x: S) -> S {
    let s = x.sin();
    s * s
}

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sin_squared.svg".into());
    let n = 100;
    let xs: Vec<f64> = (0..n)
        .map(|i| -2.0 * PI + 4.0 * PI * i as f64 / (n - 1) as f64)
        .collect();
    let mut cols: [Vec<(f64, f64)>; 4] = Default::default();
    let mut worst = 0.0_f64;
    for &x in &xs {
        let (v, d1, d2, d3) = third_derivative(f, x);
        for (c, y) in cols.iter_mut().zip([v, d1, d2, d3]) {
            c.push((x, y));
        }
        // Closed forms: f′ = sin 2x, f″ = 2 cos 2x, f‴ = −4 sin 2x.
        let closed = [
            (2.0 * x).sin(),
            2.0 * (2.0 * x).cos(),
            -4.0 * (2.0 * x).sin(),
        ];
        for (got, want) in [d1, d2, d3].iter().zip(closed) {
            worst = worst.max((got - want).abs());
        }
    }
    let [c0, c1, c2, c3] = cols;
    let series = [
        svg::Series {
            name: "f = sin²x",
            color: "#1f77b4",
            points: c0,
        },
        svg::Series {
            name: "f′",
            color: "#ff7f0e",
            points: c1,
        },
        svg::Series {
            name: "f″",
            color: "#2ca02c",
            points: c2,
        },
        svg::Series {
            name: "f‴",
            color: "#d62728",
            points: c3,
        },
    ];
    let chart = svg::line_chart("sin²x and its derivatives (dualgrad)", "x", "y", &series);
    std::fs::write(&path, chart)?;
    println!("wrote {path}: {n} points, max |derivative − closed form| = {worst:.1e}");
    Ok(())
}
