//! The dynamic-size (slice) drivers against the fixed-size ones and closed
//! forms, across chunk boundaries.
#![cfg(feature = "alloc")]

use dualgrad::prelude::*;
use proptest::prelude::*;

fn rosenbrock<S: Scalar>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| {
            let a = S::lit(1.0) - w[0];
            let b = w[1] - w[0] * w[0];
            a * a + S::lit(100.0) * b * b
        })
        .sum()
}

fn mixed<S: Scalar>(x: &[S]) -> S {
    let mut acc = S::zero();
    for (i, &xi) in x.iter().enumerate() {
        let w = S::lit(1.0 + i as f64 * 0.1);
        acc += (w * xi).sin() * xi.exp() + (xi * xi + S::one()).ln();
    }
    acc * x.iter().copied().sum::<S>().tanh()
}

/// The closed-form gradient of the Rosenbrock function.
fn rosenbrock_grad(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n.saturating_sub(1) {
        g[i] += -2.0 * (1.0 - x[i]) - 400.0 * x[i] * (x[i + 1] - x[i] * x[i]);
        g[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
    }
    g
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    a == b || (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn gradient_dyn_matches_closed_form_across_chunks() {
    for n in [0usize, 1, 2, 7, 8, 9, 16, 17, 40] {
        let x: Vec<f64> = (0..n).map(|i| 0.3 + 0.07 * i as f64).collect();
        let (v, g) = gradient_dyn(rosenbrock, &x);
        assert_eq!(v.to_bits(), rosenbrock(&x).to_bits(), "n = {n}");
        assert_eq!(g.len(), n);
        for (i, (got, want)) in g.iter().zip(rosenbrock_grad(&x)).enumerate() {
            assert!(
                close(*got, want, 1e-14),
                "n = {n}, i = {i}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn gradient_dyn_equals_fixed_size_gradient() {
    let x: [f64; 11] = [0.1, -0.4, 0.9, 1.3, -2.0, 0.25, 0.6, -0.8, 1.1, 0.05, 0.7];
    let (v1, g1) = gradient(|x| mixed(&x), x);
    let (v2, g2) = gradient_dyn(mixed, &x);
    assert_eq!(v1.to_bits(), v2.to_bits());
    for (a, b) in g1.iter().zip(&g2) {
        assert!(close(*a, *b, 1e-15), "{a} vs {b}");
    }
}

#[test]
fn jacobian_dyn_equals_fixed_size_jacobian() {
    fn f<S: Scalar>(x: &[S]) -> Vec<S> {
        (0..3)
            .map(|k| {
                x.iter()
                    .enumerate()
                    .map(|(i, &xi)| (xi * S::lit((k + i) as f64 * 0.3)).sin())
                    .sum()
            })
            .collect()
    }
    let x = [0.2, 0.5, -0.3, 1.0, 0.8, -1.2, 0.4, 0.9, 0.1, -0.6];
    let (y1, j1) = jacobian(
        |x| {
            let v = f(&x);
            [v[0], v[1], v[2]]
        },
        x,
    );
    let (y2, j2) = jacobian_dyn(f, &x);
    assert_eq!(y1.to_vec(), y2);
    assert_eq!(j2.len(), 3);
    for (r1, r2) in j1.iter().zip(&j2) {
        assert_eq!(r2.len(), x.len());
        for (a, b) in r1.iter().zip(r2) {
            assert!(close(*a, *b, 1e-15), "{a} vs {b}");
        }
    }
}

#[test]
fn hessian_dyn_equals_dual2vec_hessian() {
    let x: [f64; 11] = [0.1, -0.4, 0.9, 1.3, -2.0, 0.25, 0.6, -0.8, 1.1, 0.05, 0.7];
    let (v1, g1, h1) = hessian(|x| mixed(&x), x);
    let (v2, g2, h2) = hessian_dyn(mixed, &x);
    assert_eq!(v1.to_bits(), v2.to_bits());
    for i in 0..x.len() {
        assert!(close(g1[i], g2[i], 1e-14), "g[{i}]");
        for j in 0..x.len() {
            assert!(
                close(h1[i][j], h2[i][j], 1e-13),
                "h[{i}][{j}]: {} vs {}",
                h1[i][j],
                h2[i][j]
            );
            assert_eq!(h2[i][j], h2[j][i], "symmetric");
        }
    }
}

#[test]
fn hessian_dyn_rosenbrock_closed_form() {
    let n = 19;
    let x: Vec<f64> = (0..n).map(|i| -0.5 + 0.1 * i as f64).collect();
    let (_, _, h) = hessian_dyn(rosenbrock, &x);
    for i in 0..n {
        for j in 0..n {
            let mut want = 0.0;
            if i == j {
                if i + 1 < n {
                    want += 2.0 - 400.0 * (x[i + 1] - 3.0 * x[i] * x[i]);
                }
                if i > 0 {
                    want += 200.0;
                }
            } else if j == i + 1 || i == j + 1 {
                want = -400.0 * x[i.min(j)];
            }
            assert!(
                close(h[i][j], want, 1e-13),
                "h[{i}][{j}] = {} vs {want}",
                h[i][j]
            );
        }
    }
}

#[test]
fn empty_input_gives_value_and_empty_derivatives() {
    let x: [f64; 0] = [];
    let (v, g) = gradient_dyn(|x| rosenbrock(x) + ChunkDual::lit(2.0), &x);
    assert_eq!((v, g.len()), (2.0, 0));
    let (v, g, h) = hessian_dyn(|_| ChunkDual2::lit(3.0), &x);
    assert_eq!((v, g.len(), h.len()), (3.0, 0, 0));
}

proptest! {
    #[test]
    fn gradient_dyn_agrees_with_closed_form(x in proptest::collection::vec(-2.0..2.0f64, 0..30)) {
        let (_, g) = gradient_dyn(rosenbrock, &x);
        for (got, want) in g.iter().zip(rosenbrock_grad(&x)) {
            // The closed form itself cancels (e.g. 2(x−1) against 400x(y−x²)):
            // compare relative to the size of the terms, not of the sum.
            let scale = x.iter().map(|v| 1.0 + 400.0 * v.abs() * (1.0 + v * v)).fold(1.0, f64::max);
            prop_assert!((got - want).abs() <= 1e-13 * scale, "{} vs {}", got, want);
        }
    }
}
