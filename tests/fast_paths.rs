//! The cheaper forms the rule table and the chain rule use for speed (see
//! BENCHMARKS.md) give the same derivatives as the closed forms, to a few
//! ulps, on both sides of every switch between the fast and the general
//! form; and the zero-tangent and NaN guards still hold where the chain
//! rule skips the per-part guard.

use dualgrad::{
    derivative, gradient, hessian, second_derivative, Dual, Dual2Vec, DualVec, HyperDual, Scalar,
};
use num_traits::Float;
use proptest::prelude::*;

/// Relative error in units of `f64::EPSILON` (0 for identical values).
fn ulps(got: f64, want: f64) -> f64 {
    if got == want {
        return 0.0;
    }
    if !got.is_finite() || !want.is_finite() {
        return f64::INFINITY;
    }
    (got - want).abs() / want.abs().max(f64::MIN_POSITIVE) / f64::EPSILON
}

#[track_caller]
fn close(what: &str, got: f64, want: f64, max: f64) {
    let e = ulps(got, want);
    assert!(e <= max, "{what}: got {got:e}, want {want:e} ({e:.1} ulps)");
}

/// `x^p` with `p` a constant, its first and second derivative, from
/// `HyperDual`, `Dual2Vec` and `DualVec`.
fn pow_all(x: f64, p: f64) -> [(f64, f64, f64); 2] {
    let (f, d1, d2) = second_derivative(|x| x.powf(HyperDual::constant(p)), x);
    let (g, gr, h) = hessian(|[x]| x.powf(Dual2Vec::constant(p)), [x]);
    let (v, dv) = gradient(|[x]| x.powf(DualVec::constant(p)), [x]);
    assert_eq!((v, dv[0]), (f, d1));
    [(f, d1, d2), (g, gr[0], h[0][0])]
}

proptest! {
    /// Exponents with few bits, so that the closed forms' `p − 1` and
    /// `p − 2` are exact (a rounded exponent is amplified by `ln x`).
    #[test]
    fn powf_constant_exponent(x in 0.01f64..100.0, p in (-32i32..32).prop_map(|k| k as f64 / 8.0)) {
        for (f, d1, d2) in pow_all(x, p) {
            prop_assert_eq!(f.to_bits(), x.powf(p).to_bits());
            // Closed forms in f64 carry about 1 ulp of their own.
            close("d/dx x^p", d1, p * x.powf(p - 1.0), 4.0);
            close("d²/dx² x^p", d2, p * (p - 1.0) * x.powf(p - 2.0), 6.0);
        }
    }

    #[test]
    fn powf_both_varying(x in 0.05f64..20.0, y in (-24i32..24).prop_map(|k| k as f64 / 8.0)) {
        let (f, g, h) = hessian(|[x, y]| x.powf(y), [x, y]);
        prop_assert_eq!(f.to_bits(), x.powf(y).to_bits());
        close("∂x", g[0], y * x.powf(y - 1.0), 4.0);
        close("∂y", g[1], x.powf(y) * x.ln(), 4.0);
        let fxy = x.powf(y - 1.0) * (1.0 + y * x.ln());
        // (1 + y ln x) can cancel: compare on the scale of its two terms.
        let scale = x.powf(y - 1.0) * (1.0 + (y * x.ln()).abs());
        prop_assert!((h[0][1] - fxy).abs() <= 8.0 * f64::EPSILON * scale);
        prop_assert_eq!(h[0][1].to_bits(), h[1][0].to_bits());
    }

    #[test]
    fn atan2_from_r_squared(y in -50.0f64..50.0, x in -50.0f64..50.0) {
        prop_assume!(x.abs() + y.abs() > 1e-3);
        let (f, g, h) = hessian(|[y, x]| y.atan2(x), [y, x]);
        prop_assert_eq!(f.to_bits(), y.atan2(x).to_bits());
        let r2 = x * x + y * y;
        close("∂y", g[0], x / r2, 4.0);
        close("∂x", g[1], -y / r2, 4.0);
        // Second derivatives on the scale 1/r⁴ (y² − x² cancels).
        let s = 8.0 * f64::EPSILON / (r2 * r2) * (x * x + y * y);
        prop_assert!((h[0][0] + 2.0 * x * y / (r2 * r2)).abs() <= s);
        prop_assert!((h[1][1] - 2.0 * x * y / (r2 * r2)).abs() <= s);
        prop_assert!((h[0][1] - (y * y - x * x) / (r2 * r2)).abs() <= s);
    }

    /// Nested types differentiate the r² form itself: Dual<Dual> second
    /// partials against the closed forms.
    #[test]
    fn atan2_nested(y in -50.0f64..50.0, x in -50.0f64..50.0) {
        prop_assume!(x.abs() + y.abs() > 1e-3);
        let c = |v: f64| Dual::constant(Dual::constant(v));
        let yy = Dual::new(Dual::new(y, 1.0), Dual::new(1.0, 0.0)).atan2(c(x));
        let xx = c(y).atan2(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
        let xy = Dual::new(Dual::new(y, 1.0), Dual::new(0.0, 0.0))
            .atan2(Dual::new(Dual::new(x, 0.0), Dual::new(1.0, 0.0)));
        let r2 = x * x + y * y;
        let s = 8.0 * f64::EPSILON / r2;
        prop_assert!((yy.eps.eps + 2.0 * x * y / (r2 * r2)).abs() <= s);
        prop_assert!((xx.eps.eps - 2.0 * x * y / (r2 * r2)).abs() <= s);
        prop_assert!((xy.eps.eps - (y * y - x * x) / (r2 * r2)).abs() <= s);
        close("∂y (Dual<Dual>)", yy.re.eps, x / r2, 4.0);
    }

    #[test]
    fn sqrt_second_derivative(x in 1e-6f64..1e6) {
        let (_, d1, d2) = second_derivative(|x| x.sqrt(), x);
        close("√′", d1, 0.5 / x.sqrt(), 2.0);
        close("√″", d2, -0.25 / (x * x.sqrt()), 5.0);
    }

    /// Wide types (one finiteness test per elementary function) and `Dual`
    /// (a guard per part) give the same numbers.
    #[test]
    fn wide_and_guarded_agree(x in -3.0f64..3.0, t in prop::sample::select(vec![0.0, 1.0, -0.5])) {
        fn f<S: Scalar>(x: S) -> S {
            (x * x + S::one()).sqrt().ln() + x.tanh() * x.exp() - x.atan2(S::lit(0.5))
        }
        let d = f(Dual::new(x, t));
        // Two lanes take the guarded path, eight the unguarded one.
        let v = f(DualVec::new(x, [t, 0.0]));
        let mut lanes = [0.0; 8];
        lanes[3] = t;
        let w = f(DualVec::new(x, lanes));
        let h = f(HyperDual::new(x, t, 0.0, 0.0));
        prop_assert_eq!(d.re.to_bits(), v.re.to_bits());
        prop_assert_eq!(d.re.to_bits(), w.re.to_bits());
        prop_assert!(d.eps == v.eps[0] && v.eps[1] == 0.0);
        prop_assert!(d.eps == w.eps[3] && w.eps.iter().filter(|e| **e == 0.0).count() >= 7);
        prop_assert!(d.eps == h.e1 && h.e2 == 0.0 && h.e12 == 0.0);
    }
}

#[test]
fn powf_where_the_fast_form_does_not_apply() {
    // x^p overflows while x^(p−1) does not.
    let (f, d1) = derivative(|x| x.powf(Dual::constant(1.5)), 1e250);
    assert_eq!(f, f64::INFINITY);
    close("d/dx x^1.5 at 1e250", d1, 1.5e125, 2.0);
    let [(f, d1, d2), _] = pow_all(1e250, 1.5);
    assert_eq!(f, f64::INFINITY);
    close("HyperDual d1 at 1e250", d1, 1.5e125, 2.0);
    close("HyperDual d2 at 1e250", d2, 0.75e-125, 2.0);
    // x^p underflows while x^(p−1) does not.
    let [(f, d1, d2), _] = pow_all(1e-200, 2.0);
    assert_eq!(f, 0.0);
    close("d1 at 1e-200", d1, 2e-200, 1.0);
    assert_eq!(d2, 2.0);
    // Limits at 0 and the exponent 0.
    for [(f, d1, d2), (g, g1, g2)] in [pow_all(0.0, 2.0), pow_all(0.0, 0.0)] {
        assert_eq!((f, d1, d2), (g, g1, g2));
    }
    assert_eq!(pow_all(0.0, 2.0)[0], (0.0, 0.0, 2.0));
    assert_eq!(pow_all(3.0, 0.0)[0], (1.0, 0.0, 0.0));
    // Negative base, integer exponent.
    let [(f, d1, d2), _] = pow_all(-2.0, 3.0);
    assert_eq!((f, d1, d2), (-8.0, 12.0, -12.0));
}

#[test]
fn powf_nested_keeps_the_general_form_near_p_one() {
    // Dual<Dual<f64>> differentiates the rule's first derivative; for p
    // near 1 the form p·x^p/x would lose digits there, x^(p−1) does not.
    let p = 1.0 + 1e-9;
    let x = 2.5;
    let y =
        Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)).powf(Dual::constant(Dual::constant(p)));
    close(
        "d²/dx² x^(1+1e-9)",
        y.eps.eps,
        p * (p - 1.0) * x.powf(p - 2.0),
        64.0,
    );
}

#[test]
fn atan2_where_r_squared_over_or_underflows() {
    for s in [1e200, 1e-200] {
        let (y, x) = (3.0 * s, 4.0 * s);
        // First derivatives only: the second ones, of order 1/s², are out of
        // the range of f64 here.
        let (f, g) = gradient(|[y, x]| y.atan2(x), [y, x]);
        assert_eq!(f, y.atan2(x));
        close("∂y", g[0], 4.0 / 25.0 / s, 4.0);
        close("∂x", g[1], -3.0 / 25.0 / s, 4.0);
    }
    let (f, g, h) = hessian(|[y, x]| y.atan2(x), [0.0, 0.0]);
    assert_eq!((f, g, h), (0.0, [0.0; 2], [[0.0; 2]; 2]));
}

#[test]
fn guards_hold_on_the_wide_types() {
    // A constant through functions with an infinite derivative keeps zero
    // derivative parts (no 0·∞ = NaN) ...
    let c = DualVec::<f64, 3>::constant(0.0);
    for r in [c.sqrt(), c.recip(), c.ln(), c.powf(DualVec::constant(0.5))] {
        assert!(r.eps.iter().all(|e| *e == 0.0), "{r:?}");
    }
    let c = DualVec::<f64, 8>::constant(0.0);
    for r in [c.sqrt(), c.recip(), c.ln(), c.powf(DualVec::constant(0.5))] {
        assert!(r.eps.iter().all(|e| *e == 0.0), "{r:?}");
    }
    let (_, g) = gradient(|x| x[0] * x[7].sqrt(), [1.0; 8]);
    assert_eq!(g[7], 0.5);
    let (_, g, _) = hessian(|x| x[0] * x[4].sqrt(), [1.0, 1.0, 1.0, 1.0, 0.0]);
    assert_eq!(g[0], 0.0);
    let h = HyperDual::constant(0.0).sqrt();
    assert_eq!((h.e1, h.e2, h.e12), (0.0, 0.0, 0.0));
    let (_, g, hh) = hessian(|[x, y]| x * y.sqrt(), [1.0, 0.0]);
    assert_eq!(g[0], 0.0);
    assert_eq!(hh[0][0], 0.0);
    // ... a varying one gets the infinite derivative ...
    let (_, g) = gradient(|[x, y]| x.sqrt() + y, [0.0, 1.0]);
    assert_eq!(g, [f64::INFINITY, 1.0]);
    // ... and outside the domain every part is NaN.
    let n = DualVec::<f64, 2>::variable(-1.0, 0).ln();
    assert!(n.re.is_nan() && n.eps.iter().all(|e| e.is_nan()));
    let n = HyperDual::new(-1.0, 1.0, 0.0, 0.0).sqrt();
    assert!(n.re.is_nan() && n.e1.is_nan() && n.e2.is_nan() && n.e12.is_nan());
}
