//! Issue 11, "exactness and robustness at every edge": one test per class of
//! wrong answer found, each failing before its fix.

mod common;

use dualgrad::{
    derivative, gradient, hessian, second_derivative, third_derivative, Dual, Dual2Vec, DualVec,
    HyperDual, Scalar,
};
use num_traits::{Float, Zero};

// ---- 4. a zero derivative absorbs an infinite inner derivative ----------

/// `f(√x)` at 0 for a locally constant `f`: √′(0) = ∞, f′ = 0, so the
/// chain rule's product is 0 · ∞; the true derivative (and JAX's) is 0.
#[test]
fn flat_functions_absorb_infinite_inner_derivatives() {
    type F = fn(Dual<f64>) -> Dual<f64>;
    let flat: [(&str, F); 8] = [
        ("floor", |x| x.sqrt().floor()),
        ("ceil", |x| x.sqrt().ceil()),
        ("round", |x| x.sqrt().round()),
        ("trunc", |x| x.sqrt().trunc()),
        ("signum", |x| x.sqrt().signum()),
        ("powi(·, 0)", |x| x.sqrt().powi(0)),
        ("powf(·, 0)", |x| x.sqrt().powf(Dual::constant(0.0))),
        ("relu(−√x − 1)", |x| {
            (-x.sqrt() - Dual::constant(1.0)).relu()
        }),
    ];
    for (name, f) in flat {
        let y = f(Dual::variable(0.0));
        assert_eq!(y.eps, 0.0, "{name}");
        assert!(!y.re.is_nan(), "{name}");
    }
    assert_eq!(derivative(|x| x.sqrt().floor(), 0.0), (0.0, 0.0));
    // Second-order types: every derivative part 0.
    let (_, d1, d2) = second_derivative(|x| x.sqrt().ceil(), 0.0);
    assert_eq!((d1, d2), (0.0, 0.0));
    let (_, g, h) = hessian(|[x, y]| x.sqrt().round() + y.sqrt().powi(0), [0.0, 0.0]);
    assert_eq!((g, h), ([0.0; 2], [[0.0; 2]; 2]));
    let (_, g) = gradient(|[x, y]| x.sqrt().trunc() * y, [0.0, 2.0]);
    assert_eq!(g, [0.0, 0.0]);
    // NaN derivative parts too; a NaN value still makes every part NaN.
    let y = Dual::new(1.5, f64::NAN).floor();
    assert_eq!((y.re, y.eps), (1.0, 0.0));
    let y = Dual::new(f64::NAN, 1.0).floor();
    assert!(y.re.is_nan() && y.eps.is_nan());
    // NaN.powi(0) = 1 as for f64, with derivative 0.
    let y = Dual::new(f64::NAN, 1.0).powi(0);
    assert_eq!((y.re, y.eps), (1.0, 0.0));
}

/// max/min follow one argument whole: the other's infinite derivative does
/// not enter (it used to, as 0 · ∞ = NaN).
#[test]
fn max_min_ignore_the_argument_not_taken() {
    let (v, d) = derivative(|x| x.sqrt().max(Dual::constant(1.0)), 0.0);
    assert_eq!((v, d), (1.0, 0.0));
    let (v, d) = derivative(|x| x.sqrt().min(Dual::constant(-1.0)), 0.0);
    assert_eq!((v, d), (-1.0, 0.0));
    let (_, g, h) = hessian(|[x, y]| x.max(y.sqrt()), [2.0, 0.0]);
    assert_eq!((g, h), ([1.0, 0.0], [[0.0; 2]; 2]));
    // A tie still takes the mean.
    assert_eq!(derivative(|x| x.max(Dual::new(x.re, 0.0)), 1.0), (1.0, 0.5));
}

// ---- 3. integer overflow --------------------------------------------------

#[test]
fn powi_at_i32_min_does_not_overflow() {
    for n in [i32::MIN, i32::MIN + 1, i32::MAX, i32::MAX - 1] {
        for x in [1.0_f64, -1.0, 0.5, 2.0, -2.0] {
            let (v, d1, d2) = second_derivative(|t| t.powi(n), x);
            assert_eq!(v.to_bits(), x.powi(n).to_bits(), "{x}^{n}");
            // n·x^(n−1), n(n−1)·x^(n−2), with the exponents exact in f64.
            let nf = f64::from(n);
            let want1 = nf * x.powf(nf - 1.0);
            let want2 = nf * (nf - 1.0) * x.powf(nf - 2.0);
            assert!(common::ulps(d1, want1) <= 2.0, "{x}^{n}: {d1} vs {want1}");
            assert!(common::ulps(d2, want2) <= 2.0, "{x}^{n}: {d2} vs {want2}");
        }
    }
    // The sign at x = −1: (−1)^(MIN−1) = −1, so the derivative is −MIN·… > 0.
    let (_, d1) = derivative(|t| t.powi(i32::MIN), -1.0);
    assert_eq!(d1, -f64::from(i32::MIN));
}

// ---- 1. singular matrices look singular ------------------------------------

#[cfg(feature = "nalgebra")]
mod singular {
    use super::*;
    use dualgrad::nalgebra::{
        ComplexField, DMatrix, DVector, Matrix2, Matrix3, Matrix4, Matrix5, Vector2,
    };

    fn d(v: f64, e: f64) -> Dual<f64> {
        Dual::new(v, e)
    }
    fn c(v: f64) -> Dual<f64> {
        Dual::constant(v)
    }

    #[test]
    fn singular_dual_matrices_are_not_invertible() {
        // det = 4 + t − 4: value 0, derivative 1.
        let m2 = Matrix2::new(c(1.0), c(2.0), c(2.0), d(4.0, 1.0));
        assert!(Matrix2::new(1.0, 2.0, 2.0, 4.0).try_inverse().is_none());
        assert!(m2.try_inverse().is_none());
        assert!(m2.lu().try_inverse().is_none());
        assert!(!m2.full_piv_lu().is_invertible());
        assert!(m2.lu().solve(&Vector2::new(c(1.0), c(1.0))).is_none());
        let m3 = Matrix3::new(
            c(1.0),
            c(2.0),
            c(3.0),
            c(2.0),
            c(4.0),
            c(6.0),
            c(0.0),
            c(1.0),
            d(1.0, 1.0),
        );
        assert!(m3.map(|x| x.re).try_inverse().is_none());
        assert!(m3.try_inverse().is_none());
        // 4×4 and 5×5 go through LU.
        let mut m4 = Matrix4::<Dual<f64>>::identity();
        m4[(3, 3)] = d(0.0, 1.0);
        assert!(m4.try_inverse().is_none());
        let mut m5 = Matrix5::<Dual<f64>>::identity();
        m5[(2, 2)] = d(0.0, 1.0);
        assert!(m5.try_inverse().is_none());
        assert!(!m5.full_piv_lu().is_invertible());
        // Triangular solves.
        let l = Matrix2::new(c(1.0), c(0.0), c(3.0), d(0.0, 2.0));
        assert!(l
            .solve_lower_triangular(&Vector2::new(c(1.0), c(1.0)))
            .is_none());
        // Dynamic size.
        let md = DMatrix::from_row_slice(2, 2, &[c(1.0), c(2.0), c(2.0), d(4.0, 1.0)]);
        assert!(md.clone().try_inverse().is_none());
        assert!(md.lu().solve(&DVector::from_element(2, c(1.0))).is_none());
        // HyperDual with only the second-order part nonzero.
        let h = |v: f64, e12: f64| HyperDual::new(v, 0.0, 0.0, e12);
        let mh = Matrix2::new(h(1.0, 0.0), h(2.0, 0.0), h(2.0, 0.0), h(4.0, 1.0));
        assert!(mh.try_inverse().is_none());
        // Nested: Dual<Dual> with a value part zero only at the bottom.
        let dd = |v: f64, a: f64, b: f64| Dual::new(Dual::new(v, a), Dual::new(b, 0.0));
        let mdd = Matrix2::new(
            dd(1.0, 0.0, 0.0),
            dd(2.0, 0.0, 0.0),
            dd(2.0, 0.0, 0.0),
            dd(4.0, 1.0, 1.0),
        );
        assert!(mdd.try_inverse().is_none());
    }

    #[test]
    fn invertible_dual_matrices_keep_their_derivatives() {
        // d/dt (A + tB)⁻¹ = −A⁻¹BA⁻¹, unchanged by the value-only test.
        let a = Matrix2::new(2.0, 1.0, 1.0, 3.0);
        let b = Matrix2::new(0.0, 1.0, 0.0, 0.0);
        let m = a.map(c) + b.map(c) * d(0.0, 1.0);
        let inv = m.try_inverse().unwrap();
        let ai = a.try_inverse().unwrap();
        let want = -(ai * b * ai);
        assert!((inv.map(|x| x.eps) - want).amax() < 1e-15);
        // A zero value with a nonzero derivative on the diagonal is still a
        // pivot nalgebra sees as zero, and pivots past it (f64 would too).
        let p = Matrix2::new(d(0.0, 1.0), c(1.0), c(1.0), c(0.0));
        let pi = p.try_inverse().unwrap();
        // (P + tE₁₁)⁻¹ at t = 0: derivative −P⁻¹E₁₁P⁻¹ = [[0,0],[0,−1]].
        assert_eq!(pi.map(|x| x.eps), Matrix2::new(0.0, 0.0, 0.0, -1.0));
        assert_eq!(pi.map(|x| x.re), Matrix2::new(0.0, 1.0, 1.0, 0.0));
        // ComplexField on a zero value: sqrt at 0 follows its limit.
        let s = ComplexField::sqrt(d(4.0, 1.0));
        assert_eq!((s.re, s.eps), (2.0, 0.25));
    }

    /// The case that loses (crate docs): num-complex's own `Complex::sqrt`
    /// takes a shortcut when `im.is_zero()`, which now looks at the value
    /// part only, so on the real axis it ignores the derivative of the
    /// imaginary part. nalgebra's `ComplexField::sqrt` on the same number
    /// (simba's polar form) stays right; checked against Cauchy–Riemann.
    #[test]
    fn complex_of_dual_sqrt_cbrt() {
        use dualgrad::nalgebra::Complex;
        type C = Complex<Dual<f64>>;
        // z = −4 + i·t: d/dt √z = i/(2√z) = i/(2·2i) = 1/4 (real).
        let z: C = Complex::new(c(-4.0), d(0.0, 1.0));
        let s = ComplexField::sqrt(z);
        assert!((s.re.re - 0.0).abs() < 1e-15 && (s.im.re - 2.0).abs() < 1e-15);
        assert!((s.re.eps - 0.25).abs() < 1e-15 && s.im.eps.abs() < 1e-15);
        // z = 4 + i·t: d/dt √z = i/4.
        let z: C = Complex::new(c(4.0), d(0.0, 1.0));
        let s = ComplexField::sqrt(z);
        assert!(s.re.eps.abs() < 1e-15 && (s.im.eps - 0.25).abs() < 1e-15);
        // z = −8 + i·t: ∛z = 1 + i√3 (principal), d/dt = i/(3 (∛z)²).
        let z: C = Complex::new(c(-8.0), d(0.0, 1.0));
        let r = ComplexField::cbrt(z);
        let w = Complex::new(1.0, 3f64.sqrt());
        let want = Complex::new(0.0, 1.0) / (w * w * 3.0);
        assert!((r.re.eps - want.re).abs() < 1e-15 && (r.im.eps - want.im).abs() < 1e-15);
        // num-complex's inherent method: the documented loss.
        let z: C = Complex::new(c(4.0), d(0.0, 1.0));
        let s = z.sqrt();
        assert_eq!(s.im.eps, 1.0); // the truth is 1/4
    }
}

// ---- 7. conventions at kinks --------------------------------------------

#[test]
fn abs_at_zero_follows_the_sign_of_zero() {
    assert_eq!(derivative(|x| x.abs(), 0.0), (0.0, 1.0));
    assert_eq!(derivative(|x| x.abs(), -0.0), (0.0, -1.0));
    // |t|² and |t|·|t| have their smooth Hessian 2 at 0 (JAX, ForwardDiff).
    assert_eq!(second_derivative(|x| x.abs().powi(2), 0.0).2, 2.0);
    assert_eq!(second_derivative(|x| x.abs() * x.abs(), 0.0).2, 2.0);
    let (_, _, h) = hessian(|[x, y]| x.abs() * x.abs() + y.abs() * y.abs(), [0.0, 0.0]);
    assert_eq!(h, [[2.0, 0.0], [0.0, 2.0]]);
    let (_, _, d2, d3) = third_derivative(|x| x.abs().powi(3), 0.0);
    assert_eq!((d2, d3), (0.0, 6.0));
    // relu′(0) stays 0 (PyTorch, JAX).
    assert_eq!(derivative(|x| x.relu(), 0.0), (0.0, 0.0));
}

#[cfg(feature = "nalgebra")]
#[test]
fn clamp_at_a_bound_passes_the_input_through() {
    use dualgrad::nalgebra::RealField;
    let lo = Dual::constant(0.0);
    let hi = Dual::constant(1.0);
    for x in [0.0, 1.0, 0.5] {
        let a = Float::clamp(Dual::variable(x), lo, hi);
        let b = RealField::clamp(Dual::variable(x), lo, hi);
        assert_eq!((a.re, a.eps), (x, 1.0));
        assert_eq!((b.re, b.eps), (x, 1.0));
    }
    for x in [-1.0, 2.0] {
        let a = Float::clamp(Dual::variable(x), lo, hi);
        let b = RealField::clamp(Dual::variable(x), lo, hi);
        assert_eq!((a.eps, b.eps), (0.0, 0.0));
        assert_eq!(a.re, b.re);
    }
}

#[test]
fn zero_means_value_zero_and_all_parts_zero_means_every_part() {
    let t = Dual::new(0.0, 1.0);
    assert!(t.is_zero() && !t.all_parts_zero());
    let n: Dual<Dual<f64>> = Dual::new(Dual::new(0.0, 1.0), Dual::constant(0.0));
    assert!(n.is_zero() && !n.all_parts_zero());
    assert!(DualVec::<f64, 2>::constant(0.0).all_parts_zero());
    assert!(!Dual2Vec::<f64, 1>::variable(0.0, 0).all_parts_zero());
    // Nested derivatives through a zero tangent at depth 2 stay exact.
    let (_, d1, d2, d3) = third_derivative(|x| x.sin() * x, 0.0);
    assert_eq!((d1, d2, d3), (0.0, 2.0, 0.0));
    let _ = Scalar::real(&t);
}

// ---- 3. integer overflow on the tape ---------------------------------------

#[cfg(all(feature = "nalgebra", feature = "std"))]
mod tape {
    use dualgrad::nalgebra::dmatrix;
    use dualgrad::reverse::Tape;

    /// Each recorded gradient of `exp` raises the derivative order of the
    /// recorded `DerivMul` by one; 300 levels used to overflow its `u8`
    /// counter (a panic in debug builds, order 0 again in release).
    #[test]
    fn three_hundred_nested_recorded_gradients() {
        let t = Tape::<f64>::new();
        let x = t.var(dmatrix![0.5]);
        let mut y = t.exp(x).unwrap();
        for level in 1..=300 {
            let [g] = t.gradient_var(y, &[x]).unwrap().try_into().unwrap();
            let v = t.scalar(g).unwrap();
            if level <= 4 {
                assert!((v - 0.5f64.exp()).abs() < 1e-15, "level {level}: {v}");
            }
            y = g;
        }
    }

    #[test]
    fn broadcast_to_more_elements_than_a_usize_is_an_error() {
        let t = Tape::<f64>::new();
        let a = t.var(dmatrix![1.0]);
        assert!(t.broadcast(a, 1 << 40, 1 << 40).is_err());
        assert!(t.broadcast(a, usize::MAX, 2).is_err());
        assert!(t.broadcast(a, 2, 3).is_ok());
    }

    /// (2⁴⁰ × 0)·(0 × 2⁴⁰) has 2⁸⁰ entries: an error, not an overflow
    /// panic in the allocation size.
    #[test]
    fn matmul_to_more_elements_than_a_usize_is_an_error() {
        use dualgrad::nalgebra::DMatrix;
        let t = Tape::<f64>::new();
        let a = t.var(DMatrix::zeros(1 << 40, 0));
        let b = t.var(DMatrix::zeros(0, 1 << 40));
        assert!(t.matmul(a, b).is_err());
        let c = t.var(DMatrix::zeros(3, 0));
        let d = t.var(DMatrix::zeros(0, 2));
        let p = t.matmul(c, d).unwrap();
        assert_eq!(t.value(p).unwrap(), DMatrix::zeros(3, 2));
    }
}

// ---- 2. second derivatives through a large first derivative ----------------

#[test]
fn second_derivatives_through_large_first_derivatives() {
    let x = 400.0_f64;
    // √(eˣ) = e^(x/2): f″ = e^(x/2)/4 ≈ 1.8e86 (was −∞).
    let want = (x / 2.0).exp() / 4.0;
    let (_, _, d2) = second_derivative(|t| t.exp().sqrt(), x);
    common::assert_ulps("HyperDual (√exp)″", d2, want, 4.0);
    let (_, _, h) = hessian(|[t]| t.exp().sqrt(), [x]);
    common::assert_ulps("Dual2Vec (√exp)″", h[0][0], want, 4.0);
    let dd = Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0));
    let y = dd.exp().sqrt();
    common::assert_ulps("Dual<Dual> (√exp)″", y.eps.eps, want, 4.0);
    // ∛(eˣ): f″ = e^(x/3)/9 (x/3 is rounded: compare to 1e-13).
    let (_, _, d2) = second_derivative(|t| t.exp().cbrt(), x);
    common::assert_near("(∛exp)″", d2 / ((x / 3.0).exp() / 9.0), 1.0, 1e-13);

    // ln(eˣ) = x: f′ = 1, f″ = 0 (was NaN for HyperDual and Dual2Vec, and
    // a silent 1 for Dual<Dual>). Rounding of e⁴⁰⁰ leaves |f″| ≲ 1e-16.
    let fs: [fn(HyperDual<f64>) -> HyperDual<f64>; 4] = [
        |t| t.exp().ln(),
        |t| t.exp().log2() * HyperDual::from(2f64.ln()),
        |t| t.exp().log10() * HyperDual::from(10f64.ln()),
        |t| t.exp().ln_1p(),
    ];
    for (i, f) in fs.iter().enumerate() {
        let y = f(HyperDual::new(x, 1.0, 1.0, 0.0));
        assert!((y.e1 - 1.0).abs() < 1e-15, "{i}: {y:?}");
        assert!(y.e12.abs() < 1e-15, "{i}: {y:?}");
    }
    let (_, g, h) = hessian(|[t]| t.exp().ln(), [x]);
    assert!(
        (g[0] - 1.0).abs() < 1e-15 && h[0][0].abs() < 1e-15,
        "{g:?} {h:?}"
    );
    let y = dd.exp().ln();
    assert!((y.eps.re - 1.0).abs() < 1e-15, "{y:?}");
    assert!(y.eps.eps.abs() < 1e-15, "Dual<Dual> ln(exp)″: {y:?}");
    let (_, d1, d2, _) = third_derivative(|t| t.exp().ln(), x);
    assert!((d1 - 1.0).abs() < 1e-15 && d2.abs() < 1e-15);
}

// ---- 8. smaller ------------------------------------------------------------

#[test]
fn check_gradient_finds_the_scale_of_the_function() {
    use dualgrad::check::{check_gradient, check_hessian, Report};
    use dualgrad::scalar_fn;
    // ln at 1e-30: every step ≥ 1e-30 leaves the domain.
    let x = 1e-30;
    let r = check_gradient(&scalar_fn!(|[x]| x.ln()), [x], [1.0 / x]);
    assert!(r.passed(), "{r}");
    // sin at 1e6: the scale is 1, not 1e6.
    let x = 1e6_f64;
    let r = check_gradient(&scalar_fn!(|[x]| x.sin()), [x], [x.cos()]);
    assert!(r.passed(), "{r}");
    let r = check_gradient(&scalar_fn!(|[x]| x.sin()), [x], [x.cos() + 1e-3]);
    assert!(!r.passed(), "{r}");
    // A function that is NaN everywhere has no Hessian and no gradient,
    // although its derivative parts are 0.
    let nan = scalar_fn!(|[x]| x * S::lit(0.0) + S::lit(f64::NAN));
    assert!(!check_hessian(&nan, [1.0], [[0.0]]).passed());
    assert!(!dualgrad::check::check_gradient(&nan, [1.0], [0.0]).passed());
}

#[cfg(feature = "alloc")]
#[test]
fn jacobian_dyn_rows_are_never_ragged() {
    use core::cell::Cell;
    // An ill-behaved closure: 3 outputs on its first call, 1 afterwards.
    let calls = Cell::new(0);
    let x = vec![1.0; 20];
    let (y, j) = dualgrad::jacobian_dyn(
        |x| {
            calls.set(calls.get() + 1);
            let n = if calls.get() == 1 { 3 } else { 1 };
            (0..n).map(|i| x[i] * x[i + 1]).collect()
        },
        &x,
    );
    assert_eq!(y.len(), 3);
    assert!(j.iter().all(|row| row.len() == 20));
    assert_eq!(j[0][0], 1.0);
    assert!(j[1][19].is_nan());
}

// ---- 5. intermediate under/overflow in two-variable rules ------------------

/// atan2 is homogeneous of degree 0: ∂³/∂y³ at (s·x, s·y) is s⁻³ times its
/// value at (x, y). Its nested derivatives used to under- or overflow
/// (1/r² squared) for s ≳ 1e77 and s ≲ 1e-77.
#[test]
fn atan2_nested_derivatives_scale() {
    let at = |s: f64| third_derivative(|y| y.atan2(HyperDual::from(Dual::constant(s))), s);
    let (_, d1, d2, d3) = at(1.0);
    // Above 1e154 (r² overflows): first derivatives.
    for s in [1e155, 1e200, 1e300] {
        // (f″ ~ 1/s² is subnormal or 0 there: not compared.)
        let (_, e1, _, _) = at(s);
        common::assert_ulps("atan2′ (large)", e1 * s, d1, 4.0);
        let (_, g) = gradient(|[y, x]| y.atan2(x), [s, s]);
        common::assert_ulps("∂atan2/∂y", g[0] * s, 0.5, 4.0);
        common::assert_ulps("∂atan2/∂x", g[1] * s, -0.5, 4.0);
    }
    for s in [1e100, 1e-80, 1e-100] {
        let (_, e1, e2, e3) = at(s);
        common::assert_ulps("atan2′", e1 * s, d1, 4.0);
        common::assert_ulps("atan2″", e2 * s * s, d2, 4.0);
        common::assert_ulps("atan2‴", e3 * s * s * s, d3, 8.0);
    }
}

/// hypot's second derivatives x²/r³, y²/r³ where c² = (x/r)² underflows but
/// the result does not.
#[test]
fn hypot_second_derivatives_do_not_underflow() {
    let (x, y) = (1e-270_f64, 1e-100_f64);
    let (_, _, h) = hessian(|[x, y]| x.hypot(y), [x, y]);
    // x²/r³ with r = y (x ≪ y): 1e-540/1e-300.
    common::assert_ulps("hypot_yy", h[1][1], 1e-240, 4.0);
    common::assert_ulps("hypot_xx", h[0][0], 1e100, 4.0);
}

/// x^y with a varying exponent whose value is 0: inside `Dual<Dual>` the
/// rule's shortcut for a zero exponent looked at the value only and
/// dropped the exponent's derivative (σ(x)^x at 0: f″ = 1 + ln²2).
#[test]
fn powf_with_a_varying_exponent_at_zero() {
    let want = 1.0 + 2f64.ln().powi(2);
    let (_, _, d2) = second_derivative(|x| x.sigmoid().powf(x), 0.0);
    common::assert_ulps("HyperDual", d2, want, 4.0);
    let y = Dual::new(Dual::new(0.0, 1.0), Dual::new(1.0, 0.0));
    let z = y.sigmoid().powf(y);
    common::assert_ulps("Dual<Dual>", z.eps.eps, want, 4.0);
    let (_, _, d2, _) = third_derivative(|x| x.sigmoid().powf(x), 0.0);
    common::assert_ulps("HyperDual<Dual>", d2, want, 4.0);
    // 0.5^x: the constant base, an exponent nested inside the outer constant.
    let e = Dual::new(Dual::new(0.0, 1.0), Dual::new(0.0, 0.0));
    let r = Dual::constant(Dual::constant(0.5)).powf(e);
    assert_eq!(r.re.eps, -(2f64.ln()));
}

/// `recip` of a value far from 1 with a tangent of its own scale: −1/x²
/// underflowed (1/eˣ at 400 had derivative −0, while `1.0 / eˣ` was right).
#[test]
fn recip_far_out_keeps_its_derivatives() {
    let x = 400.0_f64;
    let want = (-x).exp();
    let (v, d1) = derivative(|t| t.exp().recip(), x);
    assert_eq!(v.to_bits(), x.exp().recip().to_bits());
    common::assert_ulps("(1/eˣ)′", d1, -want, 4.0);
    let (_, d1, d2) = second_derivative(|t| t.exp().recip(), x);
    common::assert_ulps("(1/eˣ)′ HyperDual", d1, -want, 4.0);
    common::assert_ulps("(1/eˣ)″ HyperDual", d2, want, 4.0);
    let (_, _, d2, d3) = third_derivative(|t| t.exp().recip(), x);
    common::assert_ulps("(1/eˣ)″ HyperDual<Dual>", d2, want, 4.0);
    common::assert_ulps("(1/eˣ)‴ HyperDual<Dual>", d3, -want, 4.0);
    let (_, _, h) = hessian(|[t]| t.exp().recip(), [x]);
    common::assert_ulps("(1/eˣ)″ Dual2Vec", h[0][0], want, 4.0);
    // And tiny: 1/e⁻⁴⁰⁰.
    let (_, d1, d2) = second_derivative(|t| (-t).exp().recip(), x);
    common::assert_ulps("(1/e⁻ˣ)′", d1, x.exp(), 4.0);
    common::assert_ulps("(1/e⁻ˣ)″", d2, x.exp(), 4.0);
    // Poles and NaN as before.
    assert_eq!(
        derivative(|t| t.recip(), 0.0),
        (f64::INFINITY, f64::NEG_INFINITY)
    );
    let (v, d) = derivative(|t| t.recip(), f64::NAN);
    assert!(v.is_nan() && d.is_nan());
}

/// Softmax of a matrix with no rows and 2⁴⁰ columns returns at once (it
/// looped over the empty columns), and reductions that would create 2⁴⁰
/// entries from nothing are errors naming the operation, not an abort.
#[cfg(all(feature = "nalgebra", feature = "alloc"))]
#[test]
fn empty_matrices_with_huge_shapes() {
    use dualgrad::reverse::{ReverseError, Tape};
    use nalgebra::DMatrix;
    let t = Tape::new();
    let a = t.var(DMatrix::<f64>::zeros(0, 1 << 40));
    for s in [
        t.softmax(a).unwrap(),
        t.log_softmax(a).unwrap(),
        t.log_sum_exp(a).unwrap(),
    ] {
        assert_eq!(t.shape(s).unwrap().0, 0);
    }
    let e = t.col_sums(a).unwrap_err();
    assert!(
        matches!(e, ReverseError::Shape { op: "col_sums", .. }),
        "{e}"
    );
    assert!(t
        .broadcast(t.var(DMatrix::zeros(1, 1)), 1 << 20, 1 << 20)
        .is_err());
    assert_eq!(t.shape(t.row_sums(a).unwrap()).unwrap(), (0, 1));
}
