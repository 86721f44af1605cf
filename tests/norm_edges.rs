//! The tape's norm at the edges of the exponent range: its gradient
//! `x/‖x‖` and, recorded, its Hessian `(I − uuᵀ)/‖x‖` against closed forms
//! (Pythagorean triples and 1/√2 scaled by powers of two, whose directions
//! are known exactly) and against forward mode, for subnormal, tiny, huge
//! and overflowing norms, and at the zero vector.
#![cfg(all(feature = "nalgebra", feature = "std"))]

use dualgrad::num_traits::Float;
use dualgrad::reverse::Tape;
use dualgrad::{gradient, hessian};
use nalgebra::{dmatrix, DMatrix};

/// `2^k` for any `k` in the range of `f64` (subnormal ones included).
fn pow2(k: i32) -> f64 {
    if k < -1000 {
        2f64.powi(k + 100) * 2f64.powi(-100)
    } else {
        2f64.powi(k)
    }
}

/// Relative error in units of `f64::EPSILON` (absolute below the smallest
/// normal number, as in ACCURACY.md); ∞ for a non-finite `got`.
fn ulps(got: f64, want: f64) -> f64 {
    if !got.is_finite() {
        return f64::INFINITY;
    }
    (got - want).abs() / (want.abs().max(f64::MIN_POSITIVE) * f64::EPSILON)
}

fn tape_gradient(x: &[f64]) -> Vec<f64> {
    let t = Tape::<f64>::new();
    let a = t.var(DMatrix::from_row_slice(1, x.len(), x));
    let n = t.norm(a).unwrap();
    t.gradient(n, &[a]).unwrap()[0].iter().copied().collect()
}

/// The gradient is the direction of the triple whatever its scale: from
/// 2⁻¹⁰⁷⁴ (the smallest subnormal) to near `f64::MAX`, and where the norm
/// itself overflows.
#[test]
fn gradient_of_scaled_triples_is_exact() {
    let triples: [(f64, f64, f64); 4] = [
        (3.0, 4.0, 5.0),
        (5.0, 12.0, 13.0),
        (8.0, 15.0, 17.0),
        (20.0, 21.0, 29.0),
    ];
    for (a, b, c) in triples {
        for k in (-1074..=1019)
            .step_by(7)
            .chain([-1074, -1073, -1060, -1022, -600, 1000, 1019])
        {
            let s = pow2(k);
            let (x, y) = (a * s, b * s);
            if x == 0.0 || !y.is_finite() || x / s != a || y / s != b {
                continue; // the triple is not exact at this scale
            }
            for (sx, sy) in [(1.0, 1.0), (-1.0, 1.0), (1.0, -1.0)] {
                let g = tape_gradient(&[sx * x, sy * y]);
                let want = [sx * a / c, sy * b / c];
                for (gi, wi) in g.iter().zip(want) {
                    assert!(
                        ulps(*gi, wi) <= 1.0,
                        "∇‖({x:e}, {y:e})‖ = {g:?}, want {want:?}"
                    );
                }
            }
        }
    }
}

/// One entry: the gradient is its sign, exactly; equal entries give 1/√2.
#[test]
fn gradient_of_one_entry_and_of_equal_entries() {
    for x in [
        5e-324,
        1e-310,
        2.2e-308,
        1e-300,
        1.0,
        1e300,
        1e308,
        f64::MAX,
    ] {
        for v in [x, -x] {
            assert_eq!(tape_gradient(&[v]), vec![v.signum()], "at {v:e}");
            let g = tape_gradient(&[v, v]);
            for gi in g {
                assert!(
                    ulps(gi, v.signum() * core::f64::consts::FRAC_1_SQRT_2) <= 1.0,
                    "∇‖({v:e}, {v:e})‖ = {gi:e}"
                );
            }
        }
    }
}

/// Against forward mode: `hypot` of dual numbers, whose rule scales by the
/// larger argument.
#[test]
fn gradient_agrees_with_forward_mode() {
    let points = [
        [1e-310, 3e-311],
        [5e-324, 1e-323],
        [3e-320, -7e-322],
        [1e-300, 2e-300],
        [1e300, -3e299],
        [1.5e308, 1e307],
        [0.3, 0.4],
    ];
    for [x, y] in points {
        let (_, want) = gradient(|[x, y]| x.hypot(y), [x, y]);
        let got = tape_gradient(&[x, y]);
        for (g, w) in got.iter().zip(want) {
            assert!(
                ulps(*g, w) <= 2.0,
                "at ({x:e}, {y:e}): tape {got:?}, forward {want:?}"
            );
        }
    }
}

/// Where the norm overflows (`‖(1.5e308, 1.5e308)‖ = ∞`) its gradient is
/// still the finite direction.
#[test]
fn gradient_where_the_norm_overflows() {
    let t = Tape::<f64>::new();
    let a = t.var(dmatrix![1.5e308, -1.5e308]);
    let n = t.norm(a).unwrap();
    assert_eq!(t.scalar(n).unwrap(), f64::INFINITY);
    let g = t.gradient(n, &[a]).unwrap();
    let h = core::f64::consts::FRAC_1_SQRT_2;
    assert!(
        ulps(g[0][0], h) <= 1.0 && ulps(g[0][1], -h) <= 1.0,
        "{}",
        g[0]
    );
}

/// The recorded backward pass, differentiated again: the Hessian
/// `(I − uuᵀ)/‖x‖` of the norm, finite where `1/‖x‖²` overflows
/// (‖x‖ = 5·2⁻⁶⁰⁰ ≈ 1e-180) and in the subnormal range where `1/‖x‖` is
/// finite; against the closed form and forward mode (`hessian` of `hypot`).
#[test]
fn recorded_hessian_of_the_norm() {
    for k in [-1070, -1000, -600, -300, 0, 300, 600, 1000] {
        let s = pow2(k);
        let x = [3.0 * s, -4.0 * s];
        let n = 5.0 * s;
        let (u0, u1) = (0.6, -0.8);
        let closed = [
            [(1.0 - u0 * u0) / n, -u0 * u1 / n],
            [-u1 * u0 / n, (1.0 - u1 * u1) / n],
        ];
        let t = Tape::<f64>::new();
        let a = t.var(DMatrix::from_row_slice(1, 2, &x));
        let nv = t.norm(a).unwrap();
        let g = t.gradient_var(nv, &[a]).unwrap()[0];
        for (row, want) in closed.iter().enumerate() {
            let e = t.entry(g, 0, row).unwrap();
            let h = t.gradient(e, &[a]).unwrap();
            for col in 0..2 {
                let got = h[0][(0, col)];
                if want[col].is_finite() {
                    assert!(
                        ulps(got, want[col]) <= 4.0,
                        "H[{row}][{col}] at 2^{k}: {got:e}, want {:e}",
                        want[col]
                    );
                } else {
                    assert!(!got.is_finite(), "H[{row}][{col}] at 2^{k}: {got:e}");
                }
            }
        }
        if closed[0][0].is_finite() && k > -1000 {
            let (_, _, hf) = hessian(|[x, y]| x.hypot(y), x);
            for row in 0..2 {
                for col in 0..2 {
                    assert!(
                        ulps(hf[row][col], closed[row][col]) <= 4.0,
                        "forward H[{row}][{col}] at 2^{k}: {:e}",
                        hf[row][col]
                    );
                }
            }
        }
    }
}

/// At the zero vector the gradient is 0 by the documented convention, and
/// so are the recorded gradient's derivatives, to third order.
#[test]
fn zero_vector_keeps_its_convention_to_third_order() {
    let t = Tape::<f64>::new();
    let z = t.var(DMatrix::zeros(1, 3));
    let n = t.norm(z).unwrap();
    assert_eq!(t.gradient(n, &[z]).unwrap()[0], DMatrix::zeros(1, 3));
    let g = t.gradient_var(n, &[z]).unwrap()[0];
    let s = t.sum(g).unwrap();
    let h = t.gradient_var(s, &[z]).unwrap()[0];
    assert_eq!(t.value(h).unwrap(), DMatrix::zeros(1, 3));
    let s2 = t.sum(h).unwrap();
    assert_eq!(t.gradient(s2, &[z]).unwrap()[0], DMatrix::zeros(1, 3));
}

/// Forward over reverse: on a tape of dual numbers the gradient's tangent
/// is the Hessian-vector product, also for a subnormal norm.
#[test]
fn forward_over_reverse_at_a_tiny_norm() {
    use dualgrad::Dual;
    let s = pow2(-1040);
    let t = Tape::<Dual<f64>>::new();
    let a = t.var(DMatrix::from_row_slice(
        1,
        2,
        &[Dual::new(3.0 * s, 1.0), Dual::new(4.0 * s, 0.0)],
    ));
    let n = t.norm(a).unwrap();
    let g = t.gradient(n, &[a]).unwrap();
    assert_eq!(t.scalar(n).unwrap().re, 5.0 * s);
    assert!(
        ulps(g[0][0].re, 0.6) <= 1.0 && ulps(g[0][1].re, 0.8) <= 1.0,
        "{:?}",
        g[0]
    );
    // H·e₀ = (1 − 0.36, −0.48)/‖x‖ overflows at ‖x‖ ≈ 5·2⁻¹⁰⁴⁰: infinite,
    // not NaN, with the signs of the truth.
    assert_eq!(g[0][0].eps, f64::INFINITY);
    assert_eq!(g[0][1].eps, f64::NEG_INFINITY);
}
