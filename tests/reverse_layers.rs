//! Dense layers, MLPs, losses and optimisers: gradients against
//! hand-written backpropagation, forward mode and central differences;
//! optimiser steps against their formulas; training makes progress.
#![cfg(all(feature = "nalgebra", feature = "alloc"))]

use dualgrad::nn::{
    Activation::{self, *},
    Adam, Dense, Mlp, Optimizer, Sgd, Targets,
};
use dualgrad::reverse::{ReverseError, Tape};
use dualgrad::Dual;
use nalgebra::{dmatrix, DMatrix};
use proptest::prelude::*;

fn batch(rows: usize, cols: usize, seed: u64) -> DMatrix<f64> {
    let mut s = seed | 1;
    DMatrix::from_fn(rows, cols, |_, _| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    })
}

/// Each layer's (dW, db).
type Grads = Vec<(DMatrix<f64>, DMatrix<f64>)>;

/// Hand-written backpropagation for tanh → identity with MSE loss.
fn backprop(mlp: &Mlp<f64>, x: &DMatrix<f64>, y: &DMatrix<f64>) -> (f64, Grads) {
    let (l1, l2) = (&mlp.layers[0], &mlp.layers[1]);
    let ones = DMatrix::from_element(x.nrows(), 1, 1.0);
    let h = (x * &l1.w + &ones * &l1.b).map(f64::tanh);
    let out = &h * &l2.w + &ones * &l2.b;
    let diff = &out - y;
    let n = diff.len() as f64;
    let loss = diff.norm_squared() / n;
    let dout = diff * (2.0 / n);
    let dw2 = h.transpose() * &dout;
    let db2 = ones.transpose() * &dout;
    let dh = (&dout * l2.w.transpose()).component_mul(&h.map(|v| 1.0 - v * v));
    let dw1 = x.transpose() * &dh;
    let db1 = ones.transpose() * &dh;
    (loss, vec![(dw1, db1), (dw2, db2)])
}

fn close(a: &DMatrix<f64>, b: &DMatrix<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape());
    let scale = 1.0 + b.amax();
    assert!((a - b).amax() <= tol * scale, "{a} vs {b}");
}

#[test]
fn mlp_gradients_match_hand_written_backpropagation() -> Result<(), ReverseError> {
    let mut mlp = Mlp::<f64>::new(&[3, 7, 2], &[Tanh, Identity], 11)?;
    let x = batch(9, 3, 5);
    let y = batch(9, 2, 6);
    let mut tape = Tape::new();
    let (loss, g) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
    let (want, wg) = backprop(&mlp, &x, &y);
    assert!((loss - want).abs() <= 1e-15 * want);
    for (g, (dw, db)) in g.iter().zip(&wg) {
        close(&g.dw, dw, 1e-14);
        close(&g.db, db, 1e-14);
    }
    Ok(())
}

/// ⟨∇L, u⟩ from the tape against a Dual<f64> forward evaluation and
/// central differences, for every activation and both losses.
fn check_directional(acts: [Activation; 2], classify: bool, seed: u64) {
    let mut mlp = Mlp::<f64>::new(&[3, 5, 4], &acts, seed).unwrap();
    // Nonzero biases: with zero ones a row whose hidden ReLUs are all off
    // would sit exactly on the output ReLU's kink, where differences
    // cannot be compared with the relu′(0) = 0 convention.
    for (i, l) in mlp.layers.iter_mut().enumerate() {
        l.b = batch(1, l.b.ncols(), seed + 31 * i as u64) * 0.3;
    }
    let x = batch(6, 3, seed ^ 0xABCD);
    let y = batch(6, 4, seed ^ 0x1234);
    let labels: Vec<usize> = (0..6).map(|i| (i * 7 + seed as usize) % 4).collect();
    let targets = if classify {
        Targets::Labels(&labels)
    } else {
        Targets::Values(&y)
    };
    let mut tape = Tape::new();
    let (_, g) = mlp.loss_and_gradients(&mut tape, &x, targets).unwrap();
    let dirs: Vec<(DMatrix<f64>, DMatrix<f64>)> = mlp
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                batch(l.w.nrows(), l.w.ncols(), seed + 7 * i as u64),
                batch(1, l.b.ncols(), seed + 9 * i as u64),
            )
        })
        .collect();
    let rev: f64 = g
        .iter()
        .zip(&dirs)
        .map(|(g, (u, v))| g.dw.dot(u) + g.db.dot(v))
        .sum();

    // Forward mode: the network on Dual<f64>, parameters p + εu.
    let dmlp = Mlp::from_layers(
        mlp.layers
            .iter()
            .zip(&dirs)
            .map(|(l, (u, v))| {
                Dense::new(
                    l.w.zip_map(u, Dual::new),
                    l.b.zip_map(v, Dual::new),
                    l.activation,
                )
                .unwrap()
            })
            .collect(),
    )
    .unwrap();
    let dx = x.map(Dual::constant);
    let dy = y.map(Dual::constant);
    let dt = if classify {
        Targets::Labels(&labels)
    } else {
        Targets::Values(&dy)
    };
    let fwd = dmlp.loss(&dx, dt).unwrap().eps;
    assert!(
        (rev - fwd).abs() <= 1e-13 * (1.0 + fwd.abs()),
        "{acts:?}: {rev} vs {fwd}"
    );

    let at = |s: f64| {
        let mut m = mlp.clone();
        for (l, (u, v)) in m.layers.iter_mut().zip(&dirs) {
            l.w += u * s;
            l.b += v * s;
        }
        let t = if classify {
            Targets::Labels(&labels)
        } else {
            Targets::Values(&y)
        };
        m.loss(&x, t).unwrap()
    };
    let h = 1e-6;
    let fd = (at(h) - at(-h)) / (2.0 * h);
    assert!(
        (rev - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
        "{acts:?}: {rev} vs {fd}"
    );
}

const ACTS: [Activation; 5] = [Identity, Relu, Tanh, Sigmoid, Softplus];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn mlp_gradients_agree_with_forward_mode_and_differences(
        a in 0..5usize, b in 0..5usize, classify in any::<bool>(), seed in 0u64..1_000_000
    ) {
        check_directional([ACTS[a], ACTS[b]], classify, seed);
    }
}

#[test]
fn sgd_and_adam_follow_their_formulas() -> Result<(), ReverseError> {
    let mut p = dmatrix![1.0, -2.0];
    let g1 = dmatrix![0.5, 4.0];
    let g2 = dmatrix![-1.0, 2.0];
    let mut sgd = Sgd::new(0.1);
    sgd.step(&mut [&mut p], &[&g1])?;
    assert_eq!(p, dmatrix![1.0 - 0.1 * 0.5, -2.0 - 0.1 * 4.0]);

    let mut p = dmatrix![1.0, -2.0];
    let mut adam = Adam::new(0.01);
    adam.step(&mut [&mut p], &[&g1])?;
    adam.step(&mut [&mut p], &[&g2])?;
    let want = |p0: f64, a: f64, b: f64| {
        let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-8, 0.01);
        let (m1, v1) = ((1.0 - b1) * a, (1.0 - b2) * a * a);
        let p1 = p0 - lr * (m1 / (1.0 - b1)) / ((v1 / (1.0 - b2)).sqrt() + eps);
        let (m2, v2) = (b1 * m1 + (1.0 - b1) * b, b2 * v1 + (1.0 - b2) * b * b);
        p1 - lr * (m2 / (1.0 - b1 * b1)) / ((v2 / (1.0 - b2 * b2)).sqrt() + eps)
    };
    assert!((p[0] - want(1.0, 0.5, -1.0)).abs() < 1e-15);
    assert!((p[1] - want(-2.0, 4.0, 2.0)).abs() < 1e-15);

    // Mismatched parameters and gradients.
    let mut q = dmatrix![1.0];
    assert!(matches!(
        adam.step(&mut [&mut q], &[&g1]),
        Err(ReverseError::Shape { .. })
    ));
    assert!(matches!(
        sgd.step(&mut [&mut q], &[]),
        Err(ReverseError::LengthMismatch { .. })
    ));
    Ok(())
}

#[test]
fn training_reduces_the_loss_and_the_tape_does_not_grow() -> Result<(), ReverseError> {
    // Regression of y = sin(3x) on [-1, 1].
    let x = DMatrix::from_fn(32, 1, |i, _| -1.0 + 2.0 * i as f64 / 31.0);
    let y = x.map(|v| (3.0 * v).sin());
    let mut mlp = Mlp::<f64>::new(&[1, 16, 16, 1], &[Tanh, Tanh, Identity], 3)?;
    let mut adam = Adam::new(0.01);
    let mut tape = Tape::new();
    let (first, _) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
    let nodes = tape.len();
    let mut last = first;
    for _ in 0..300 {
        let (l, g) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
        assert_eq!(
            tape.len(),
            nodes,
            "a step records the same nodes every time"
        );
        adam.update(&mut mlp, &g)?;
        last = l;
    }
    assert!(last < first / 20.0, "{first} → {last}");
    Ok(())
}

#[test]
fn layer_errors() {
    assert!(matches!(
        Mlp::<f64>::new(&[2, 3], &[], 0),
        Err(ReverseError::LengthMismatch { .. })
    ));
    assert!(matches!(
        Mlp::<f64>::new(&[2], &[], 0),
        Err(ReverseError::LengthMismatch { .. })
    ));
    let mut mlp = Mlp::<f64>::new(&[2, 3, 2], &[Relu, Identity], 0).unwrap();
    let mut tape = Tape::new();
    let x = DMatrix::zeros(4, 3);
    let e = mlp.forward(&x).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Dense::forward: 4×3 and 2×3: the batch needs one column per input of the layer"
    );
    assert!(mlp
        .loss_and_gradients(&mut tape, &x, Targets::Labels(&[0, 0, 0, 0]))
        .is_err());
    let x = DMatrix::zeros(2, 2);
    assert!(matches!(
        mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&[0, 2])),
        Err(ReverseError::LabelOutOfRange { .. })
    ));
    assert!(matches!(
        mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&[0])),
        Err(ReverseError::Shape { .. })
    ));
    let y = DMatrix::zeros(2, 3);
    assert!(matches!(
        mlp.loss(&x, Targets::Values(&y)),
        Err(ReverseError::Shape { op: "mse", .. })
    ));
    assert!(matches!(
        mlp.loss_and_gradients(&mut tape, &DMatrix::zeros(0, 2), Targets::Labels(&[])),
        Err(ReverseError::EmptyBatch { .. })
    ));
    let (_, g) = mlp
        .loss_and_gradients(&mut tape, &x, Targets::Labels(&[0, 1]))
        .unwrap();
    assert!(matches!(
        Sgd::new(0.1).update(&mut mlp, &g[..1]),
        Err(ReverseError::LengthMismatch { .. })
    ));
    assert!(Dense::new(DMatrix::<f64>::zeros(2, 2), DMatrix::zeros(1, 3), Relu).is_err());
}

#[test]
fn the_tape_runs_on_f32() -> Result<(), ReverseError> {
    let mut mlp64 = Mlp::<f64>::new(&[3, 6, 2], &[Sigmoid, Identity], 9)?;
    let mut mlp32 = Mlp::from_layers(
        mlp64
            .layers
            .iter()
            .map(|l| Dense::new(l.w.map(|v| v as f32), l.b.map(|v| v as f32), l.activation))
            .collect::<Result<Vec<_>, _>>()?,
    )?;
    let x = batch(5, 3, 77);
    let labels = [0, 1, 1, 0, 1];
    let (l64, g64) = mlp64.loss_and_gradients(&mut Tape::new(), &x, Targets::Labels(&labels))?;
    let x32 = x.map(|v| v as f32);
    let (l32, g32) = mlp32.loss_and_gradients(&mut Tape::new(), &x32, Targets::Labels(&labels))?;
    assert!((l32 as f64 - l64).abs() < 1e-6);
    for (a, b) in g32.iter().zip(&g64) {
        close(&a.dw.map(|v| v as f64), &b.dw, 1e-5);
        close(&a.db.map(|v| v as f64), &b.db, 1e-5);
    }
    Ok(())
}
