//! Property: on random generic functions (random programs over the
//! elementary functions, run on `f64`, forward `DualVec` chunks and the
//! recording `Taped<f64>` alike), the reverse-mode value equals the plain
//! evaluation bit for bit and the reverse gradient equals forward mode's to
//! rounding (they sum the same products in different orders); with one
//! input nothing is recorded and the two derivatives are equal; and the
//! Hessian-vector product equals the forward Hessian times the vector.
#![cfg(feature = "alloc")]

use dualgrad::record::{gradient_rev_dyn, hvp_rev, Recorder};
use dualgrad::{gradient_dyn, hessian_dyn, Scalar};
use proptest::prelude::*;

/// One step of a random program: an operation code and two operand
/// positions (taken modulo the number of values so far).
type Step = (u8, usize, usize);

fn run<S: Scalar>(x: &[S], prog: &[Step]) -> S {
    let mut v: Vec<S> = x.to_vec();
    for &(op, i, j) in prog {
        let a = v[i % v.len()];
        let b = v[j % v.len()];
        let r = match op % 16 {
            0 => a + b,
            1 => a - b,
            2 => a * b,
            3 => a / (b * b + S::one()),
            4 => a.sin(),
            5 => a.tanh().exp(),
            6 => (a * a + S::one()).sqrt(),
            7 => (a * a + S::one()).ln(),
            8 => a.atan2(b * b + S::lit(0.5)),
            9 => a.hypot(b + S::lit(0.25)),
            10 => a.powi(3) * S::lit(0.1),
            11 => a.sigmoid(),
            12 => a.softplus(),
            13 => a.max(b),
            14 => a.cos() * b,
            _ => a.mul_add(S::lit(0.5), b),
        };
        v.push(r);
    }
    let k = v.len().saturating_sub(3);
    v[k..].iter().copied().fold(S::zero(), |s, t| s + t)
}

fn close(a: &[f64], b: &[f64], rel: f64) -> Result<(), TestCaseError> {
    let scale = b.iter().fold(1e-300_f64, |m, v| m.max(v.abs()));
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        prop_assert!(
            (x - y).abs() <= rel * scale,
            "[{}]: {} vs {} (scale {})",
            i,
            x,
            y,
            scale
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reverse_gradient_equals_forward_gradient(
        x in prop::collection::vec(-2.0..2.0_f64, 1..12),
        prog in prop::collection::vec((0u8..16, 0usize..64, 0usize..64), 1..40),
    ) {
        let plain = run(&x, &prog);
        let (v, g) = gradient_rev_dyn(|x| run(x, &prog), &x).unwrap();
        prop_assert_eq!(v.to_bits(), plain.to_bits());
        let (fv, fg) = gradient_dyn(|x| run(x, &prog), &x);
        prop_assert_eq!(fv.to_bits(), plain.to_bits());
        close(&g, &fg, 1e-12)?;

        // The same recording answers again, identically.
        let mut rec = Recorder::new();
        let y = rec.record(&x, |x| run(x, &prog)).unwrap();
        prop_assert_eq!(rec.gradient(y).unwrap(), &g[..]);
    }

    /// A function of one input records no node (every operation acts on
    /// one node and only updates its coefficient, by forward mode's rule
    /// for a tangent), so its reverse derivative is forward mode's
    /// derivative exactly (up to the sign of a zero).
    #[test]
    fn functions_of_one_input_record_nothing_and_match_forward_exactly(
        x in -2.0..2.0_f64,
        prog in prop::collection::vec((0u8..16, 0usize..64, 0usize..64), 1..40),
    ) {
        let mut rec = Recorder::new();
        let y = rec.record(&[x], |x| run(x, &prog)).unwrap();
        // The placeholder and the input.
        prop_assert_eq!(rec.len(), 2);
        let g = rec.gradient(y).unwrap()[0];
        let (fv, fd) = dualgrad::derivative(|t| run(&[t], &prog), x);
        prop_assert_eq!(y.value().to_bits(), fv.to_bits());
        prop_assert!(g == fd || (g.is_nan() && fd.is_nan()), "{} vs {}", g, fd);
    }

    #[test]
    fn hessian_vector_product_equals_forward_hessian(
        x in prop::collection::vec(-2.0..2.0_f64, 1..6),
        prog in prop::collection::vec((0u8..16, 0usize..64, 0usize..64), 1..20),
    ) {
        // max is kinked: its Hessian is only compared away from ties.
        let dir: Vec<f64> = x.iter().map(|v| 0.5 - v * 0.25).collect();
        let (_, _, hv) = hvp_rev(|x| run(x, &prog), &x, &dir).unwrap();
        let (_, _, h) = hessian_dyn(|x| run(x, &prog), &x);
        let expect: Vec<f64> = h.iter().map(|r| r.iter().zip(&dir).map(|(a, b)| a * b).sum()).collect();
        close(&hv, &expect, 1e-10)?;
    }

    #[test]
    fn nothing_panics_at_edge_inputs(
        x in prop::collection::vec(
            prop::sample::select(vec![0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 1e-310,
                                      f64::INFINITY, f64::NEG_INFINITY, f64::NAN]),
            0..8),
        prog in prop::collection::vec((0u8..16, 0usize..64, 0usize..64), 0..30),
        w in prop::collection::vec(-2.0..2.0_f64, 0..4),
    ) {
        // Values are the plain evaluation's (NaN where it is NaN); the
        // drivers return a result (never panic) for any length, including
        // empty inputs and cotangents of the wrong length.
        if !x.is_empty() {
            let plain = run(&x, &prog);
            let (v, g) = gradient_rev_dyn(|x| run(x, &prog), &x).unwrap();
            prop_assert!(v.to_bits() == plain.to_bits() || (v.is_nan() && plain.is_nan()));
            prop_assert_eq!(g.len(), x.len());
        }
        let r = dualgrad::record::vjp_rev_dyn(|x| x.iter().map(|&t| t * t).collect(), &x, &w);
        prop_assert_eq!(r.is_ok(), w.len() == x.len());
        let r = hvp_rev(|x| x.iter().copied().sum(), &x, &w);
        prop_assert_eq!(r.is_ok(), w.len() == x.len());
        let (_, _, h) = dualgrad::record::hessian_rev(|x| x.iter().map(|&t| t * t).sum(), &x).unwrap();
        prop_assert_eq!(h.len(), x.len());
    }
}
