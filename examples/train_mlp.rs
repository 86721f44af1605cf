//! Trains a small multi-layer perceptron on two interleaved spirals with the
//! reverse-mode tape and Adam, prints its progress, and writes the loss
//! curve to an SVG file.
//!
//! ```sh
//! cargo run --release --example train_mlp            # writes target/train_mlp_loss.svg
//! cargo run --release --example train_mlp -- out.svg
//! ```

#[path = "support/svg.rs"]
mod svg;

use std::time::Instant;

use dualgrad::nn::{Activation::*, Adam, Mlp, Optimizer, Targets};
use dualgrad::reverse::{ReverseError, Tape};
use nalgebra::DMatrix;

/// Two spirals, `n` points each, with a little noise; labels 0 and 1.
fn two_spirals(n: usize) -> (DMatrix<f64>, Vec<usize>) {
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.08
    };
    let mut x = DMatrix::zeros(2 * n, 2);
    let mut labels = Vec::with_capacity(2 * n);
    for class in 0..2 {
        for i in 0..n {
            let t = 0.25 + 2.75 * std::f64::consts::PI * i as f64 / n as f64;
            let r = t / (3.0 * std::f64::consts::PI);
            let a = t + class as f64 * std::f64::consts::PI;
            let row = class * n + i;
            x[(row, 0)] = r * a.cos() + noise();
            x[(row, 1)] = r * a.sin() + noise();
            labels.push(class);
        }
    }
    (x, labels)
}

fn accuracy(mlp: &Mlp<f64>, x: &DMatrix<f64>, labels: &[usize]) -> Result<f64, ReverseError> {
    let logits = mlp.forward(x)?;
    let right = labels
        .iter()
        .enumerate()
        .filter(|&(i, &l)| logits.row(i).transpose().argmax().0 == l)
        .count();
    Ok(right as f64 / labels.len() as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/train_mlp_loss.svg".into());
    let (x, labels) = two_spirals(100);
    let mut mlp = Mlp::<f64>::new(&[2, 32, 32, 2], &[Tanh, Tanh, Identity], 7)?;
    let mut adam = Adam::new(0.005);
    let mut tape = Tape::new();
    let epochs = 1500;
    let mut losses = Vec::with_capacity(epochs);
    let start = Instant::now();
    println!(
        "two spirals: {} points, MLP 2-32-32-2 (tanh), Adam lr 0.005, full batch",
        x.nrows()
    );
    for epoch in 0..epochs {
        let (loss, grads) = mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&labels))?;
        adam.update(&mut mlp, &grads)?;
        // Hand the spent gradients' storage back: no allocation per step.
        for g in grads {
            tape.recycle(g.dw);
            tape.recycle(g.db);
        }
        losses.push(loss);
        if epoch % 100 == 0 || epoch == epochs - 1 {
            println!(
                "epoch {epoch:5}  loss {loss:.6}  accuracy {:5.1}%",
                100.0 * accuracy(&mlp, &x, &labels)?
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{epochs} steps in {secs:.2} s ({:.0} µs per step, {} nodes on the tape)",
        1e6 * secs / epochs as f64,
        tape.len()
    );
    if let Some(dir) = std::path::Path::new(&out).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let curve = svg::Series {
        name: "log₁₀ loss",
        color: "#1f77b4",
        points: (0..)
            .zip(&losses)
            .map(|(i, l)| (i as f64, l.max(1e-300).log10()))
            .collect(),
    };
    let chart = svg::line_chart(
        "two spirals: training loss (Adam)",
        "step",
        "log₁₀ loss",
        &[curve],
    );
    std::fs::write(&out, chart)?;
    println!("loss curve written to {out}");
    Ok(())
}
