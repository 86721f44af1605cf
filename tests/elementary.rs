//! Every elementary function of the rule table, at several points (negative,
//! tiny, large), against its closed-form first and second derivative, on
//! every number type: first derivatives from `Dual`, `DualVec`, `HyperDual`
//! (both ε1 and ε2), `Dual<Dual<_>>` and `Dual2Vec`; second derivatives from
//! `HyperDual` (ε1ε2 with ε1 = ε2 = 1), `Dual<Dual<_>>` and `Dual2Vec`.
//! Value parts must be bit-identical to the plain `f64` evaluation.
//!
//! The closed forms are written in their accurate form (sech² as 1/cosh²,
//! 1 − x² as (1 − x)(1 + x), …) so that they are themselves good to an ulp
//! or two; the bound is then a few ulps of relative error.
//!
//! Run with `--nocapture` to see the largest error (in ulps) per function.

mod common;

use common::{check_binary, check_unary, Binary, Partials, Tol, Unary, FEW};
use dualgrad::{Dual, Dual2Vec, DualVec, HyperDual, Scalar};
use num_traits::Float;

/// A unary test: `name: |x| body; d1 = closed f′; d2 = closed f″; at = points`
/// with optional `value = closed f` and `tol = Tol`.
macro_rules! unary {
    ($name:ident: |$x:ident| $body:expr; d1 = $d1:expr; d2 = $d2:expr; at = $pts:expr
     $(; value = $v:expr)? $(; tol = $tol:expr)?) => {
        #[test]
        fn $name() {
            struct F;
            impl Unary for F {
                fn eval<S: Scalar>($x: S) -> S {
                    $body
                }
            }
            let value: Option<fn(f64) -> f64> = [None $(, Some($v as fn(f64) -> f64))?][0..]
                .last()
                .copied()
                .flatten();
            let tol: Tol = *[FEW $(, $tol)?].last().unwrap();
            let (w1, w2) = check_unary::<F>(stringify!($name), $d1, $d2, value, &$pts, tol);
            println!("{:>10}: max error f′ {w1:.1} ulps, f″ {w2:.1} ulps", stringify!($name));
        }
    };
}

/// A binary test: `name: |x, y| body; partials = |x, y| [fx, fy, fxx, fxy, fyy]; at = points`.
macro_rules! binary {
    ($name:ident: |$x:ident, $y:ident| $body:expr; partials = $p:expr; at = $pts:expr
     $(; tol = $tol:expr)?) => {
        #[test]
        fn $name() {
            struct F;
            impl Binary for F {
                fn eval<S: Scalar>($x: S, $y: S) -> S {
                    $body
                }
            }
            let tol: Tol = *[FEW $(, $tol)?].last().unwrap();
            let closed: fn(f64, f64) -> Partials = $p;
            let (w1, w2) = check_binary::<F>(stringify!($name), closed, &$pts, tol);
            println!("{:>10}: max error ∇f {w1:.1} ulps, ∇²f {w2:.1} ulps", stringify!($name));
        }
    };
}

const LN2: f64 = core::f64::consts::LN_2;
const LN10: f64 = core::f64::consts::LN_10;

/// 1/cosh²(x), accurate wherever cosh does not overflow.
fn sech2(x: f64) -> f64 {
    let s = x.cosh().recip();
    s * s
}

/// The logistic function, accurate on both sides.
fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        x.exp() / (1.0 + x.exp())
    }
}

// ---- powers and roots ----

unary!(recip: |x| x.recip();
    d1 = |x| -1.0 / (x * x);
    d2 = |x| 2.0 / (x * x * x);
    at = [-3.0, -0.5, 1e-100, 1e-8, 0.7, 1e10, 1e300]);

unary!(sqrt: |x| x.sqrt();
    d1 = |x| 0.5 / x.sqrt();
    d2 = |x| -0.25 / (x * x.sqrt());
    at = [1e-300, 1e-8, 0.3, 2.0, 1e10, 1e300]);

unary!(cbrt: |x| x.cbrt();
    d1 = |x| x.cbrt() / (3.0 * x);
    d2 = |x| -2.0 * x.cbrt() / (9.0 * x) / x;
    at = [-8.0, -0.3, 1e-300, 1e-8, 2.0, 1e300]);

unary!(powi_3: |x| x.powi(3);
    d1 = |x| 3.0 * (x * x);
    d2 = |x| 6.0 * x;
    at = [-2.5, -0.3, 1e-300, 1e-8, 1.7, 30.0]);

unary!(powi_7: |x| x.powi(7);
    d1 = |x| 7.0 * (x * x * x) * (x * x * x);
    d2 = |x| 42.0 * (x * x) * (x * x * x);
    at = [-2.5, -0.3, 1e-8, 1.7, 30.0]);

unary!(powi_0: |x| x.powi(0);
    d1 = |_| 0.0;
    d2 = |_| 0.0;
    at = [-2.5, 1e-300, 3.0]);

unary!(powi_1: |x| x.powi(1);
    d1 = |_| 1.0;
    d2 = |_| 0.0;
    at = [-2.5, 1e-300, 3.0]);

unary!(powi_neg2: |x| x.powi(-2);
    d1 = |x| -2.0 / (x * x * x);
    d2 = |x| 6.0 / ((x * x) * (x * x));
    at = [-2.5, -0.3, 1e-8, 1.7, 30.0]);

unary!(powf_const_2_5: |x| x.powf(S::lit(2.5));
    d1 = |x| 2.5 * x * x.sqrt();
    d2 = |x| 3.75 * x.sqrt();
    at = [1e-300, 1e-8, 0.3, 2.0, 1e10]);

unary!(powf_const_neg_0_5: |x| x.powf(S::lit(-0.5));
    d1 = |x| -0.5 / (x * x.sqrt());
    d2 = |x| 0.75 / (x * x * x.sqrt());
    at = [1e-8, 0.3, 2.0, 1e10]);

unary!(powf_const_3_negative_base: |x| x.powf(S::lit(3.0));
    d1 = |x| 3.0 * (x * x);
    d2 = |x| 6.0 * x;
    at = [-2.0, -0.5, 1.5]);

binary!(powf_dual_exponent: |x, y| x.powf(y);
    partials = |x, y| {
        let f = x.powf(y);
        let l = x.ln();
        [y * x.powf(y - 1.0), f * l, y * (y - 1.0) * x.powf(y - 2.0),
         x.powf(y - 1.0) * (1.0 + y * l), f * l * l]
    };
    at = [(2.0, 3.0), (0.5, -1.5), (3.0, 0.5), (1e-8, 2.5), (10.0, 1e-8), (7.0, -2.0)]);

// ---- exponentials and logarithms ----

unary!(exp: |x| x.exp();
    d1 = |x| x.exp();
    d2 = |x| x.exp();
    at = [-700.0, -20.0, 1e-300, 1e-8, 1.0, 700.0]);

unary!(exp2: |x| x.exp2();
    d1 = |x| x.exp2() * LN2;
    d2 = |x| x.exp2() * LN2 * LN2;
    at = [-1000.0, -3.5, 1e-300, 1e-8, 1.0, 1000.0]);

unary!(exp_m1: |x| x.exp_m1();
    d1 = |x| x.exp();
    d2 = |x| x.exp();
    at = [-40.0, -1e-8, 1e-300, 0.5, 700.0]);

unary!(ln: |x| x.ln();
    d1 = |x| 1.0 / x;
    d2 = |x| -1.0 / x / x;
    at = [1e-300, 1e-8, 0.5, 3.0, 1e300]);

unary!(log2: |x| x.log2();
    d1 = |x| 1.0 / (x * LN2);
    d2 = |x| -1.0 / (x * LN2) / x;
    at = [1e-300, 1e-8, 0.5, 3.0, 1e300]);

unary!(log10: |x| x.log10();
    d1 = |x| 1.0 / (x * LN10);
    d2 = |x| -1.0 / (x * LN10) / x;
    at = [1e-300, 1e-8, 0.5, 3.0, 1e300]);

unary!(ln_1p: |x| x.ln_1p();
    d1 = |x| 1.0 / (1.0 + x);
    d2 = |x| -1.0 / ((1.0 + x) * (1.0 + x));
    at = [-0.9, -1e-8, 1e-300, 1e-8, 3.0, 1e300]);

binary!(log_base: |x, b| x.log(b);
    partials = |x, b| {
        let (lx, lb) = (x.ln(), b.ln());
        [1.0 / (x * lb), -lx / (b * lb * lb), -1.0 / (x * x * lb),
         -1.0 / (x * b * lb * lb), lx * (2.0 + lb) / (b * b * lb * lb * lb)]
    };
    at = [(2.0, 10.0), (0.5, 3.0), (100.0, 0.5), (1e-8, 2.0), (1e300, 7.0)]);

// ---- trigonometric ----

unary!(sin: |x| x.sin();
    d1 = |x| x.cos();
    d2 = |x| -x.sin();
    at = [-3.0, -1e-8, 1e-300, 0.5, 2.0, 1e6, 1e300]);

unary!(cos: |x| x.cos();
    d1 = |x| -x.sin();
    d2 = |x| -x.cos();
    at = [-3.0, -1e-8, 1e-300, 0.5, 2.0, 1e6, 1e300]);

unary!(sin_cos_sin: |x| x.sin_cos().0;
    d1 = |x| x.cos();
    d2 = |x| -x.sin();
    at = [-3.0, -1e-8, 1e-300, 0.5, 2.0, 1e6]);

unary!(sin_cos_cos: |x| x.sin_cos().1;
    d1 = |x| -x.sin();
    d2 = |x| -x.cos();
    at = [-3.0, -1e-8, 1e-300, 0.5, 2.0, 1e6]);

unary!(tan: |x| x.tan();
    d1 = |x| 1.0 / (x.cos() * x.cos());
    d2 = |x| 2.0 * x.sin() / (x.cos() * x.cos() * x.cos());
    at = [-1.2, -1e-8, 1e-300, 0.5, 1.5, 1e6]);

unary!(asin: |x| x.asin();
    d1 = |x| 1.0 / ((1.0 - x) * (1.0 + x)).sqrt();
    d2 = |x| { let q = (1.0 - x) * (1.0 + x); x / (q * q.sqrt()) };
    at = [-0.9, -0.3, -1e-8, 1e-300, 0.5, 0.999]);

unary!(acos: |x| x.acos();
    d1 = |x| -1.0 / ((1.0 - x) * (1.0 + x)).sqrt();
    d2 = |x| { let q = (1.0 - x) * (1.0 + x); -x / (q * q.sqrt()) };
    at = [-0.9, -0.3, -1e-8, 1e-300, 0.5, 0.999]);

unary!(atan: |x| x.atan();
    d1 = |x| 1.0 / (1.0 + x * x);
    d2 = |x| -2.0 * x / ((1.0 + x * x) * (1.0 + x * x));
    at = [-5.0, -1e-8, 1e-300, 0.7, 1e10, 1e300]);

binary!(atan2: |y, x| y.atan2(x);
    partials = |y, x| {
        let r = y.hypot(x);
        let (cy, cx) = (y / r, x / r);
        [cx / r, -cy / r, -2.0 * cx * cy / r / r, (cy * cy - cx * cx) / r / r,
         2.0 * cx * cy / r / r]
    };
    at = [(1.0, 2.0), (-3.0, 0.5), (2.0, -1.0), (1e-8, 1.0), (1.0, 0.0), (-1.0, 0.0),
          (1e200, 3e200), (1e-200, -2e-200)]);

// ---- hyperbolic ----

unary!(sinh: |x| x.sinh();
    d1 = |x| x.cosh();
    d2 = |x| x.sinh();
    at = [-700.0, -3.0, 1e-300, 1e-8, 2.0, 700.0]);

unary!(cosh: |x| x.cosh();
    d1 = |x| x.sinh();
    d2 = |x| x.cosh();
    at = [-700.0, -3.0, 1e-300, 1e-8, 2.0, 700.0]);

unary!(tanh: |x| x.tanh();
    d1 = sech2;
    d2 = |x| -2.0 * x.tanh() * sech2(x);
    at = [-30.0, -3.0, -1e-8, 1e-300, 0.5, 19.0, 30.0, 300.0]);

unary!(asinh: |x| x.asinh();
    d1 = |x| 1.0 / 1.0_f64.hypot(x);
    d2 = |x| { let h = 1.0_f64.hypot(x); -x / h / h / h };
    at = [-1e10, -2.0, -1e-8, 1e-300, 0.5, 1e300]);

unary!(acosh: |x| x.acosh();
    d1 = |x| 1.0 / ((x - 1.0).sqrt() * (x + 1.0).sqrt());
    d2 = |x| { let s = (x - 1.0).sqrt() * (x + 1.0).sqrt(); -x / s / s / s };
    at = [1.5, 2.0, 10.0, 1e8, 1e300]);

unary!(atanh: |x| x.atanh();
    d1 = |x| 1.0 / ((1.0 - x) * (1.0 + x));
    d2 = |x| { let q = (1.0 - x) * (1.0 + x); 2.0 * x / (q * q) };
    at = [-0.9, -1e-8, 1e-300, 0.5, 0.999]);

// ---- piecewise ----

unary!(abs: |x| x.abs();
    d1 = |x| x.signum();
    d2 = |_| 0.0;
    at = [-2.0, -1e-300, 1e-300, 3.0]);

unary!(signum: |x| x.signum();
    d1 = |_| 0.0;
    d2 = |_| 0.0;
    at = [-2.0, -1e-300, 1e-300, 3.0]);

unary!(relu: |x| x.relu();
    d1 = |x| if x > 0.0 { 1.0 } else { 0.0 };
    d2 = |_| 0.0;
    at = [-1.0, -1e-300, 1e-300, 2.0];
    value = |x| x.max(0.0));

unary!(floor: |x| x.floor();
    d1 = |_| 0.0;
    d2 = |_| 0.0;
    at = [-2.5, -0.3, 0.7, 3.2, 1e300]);

unary!(ceil: |x| x.ceil();
    d1 = |_| 0.0;
    d2 = |_| 0.0;
    at = [-2.5, -0.3, 0.7, 3.2, 1e300]);

unary!(round: |x| x.round();
    d1 = |_| 0.0;
    d2 = |_| 0.0;
    at = [-2.5, -0.3, 0.7, 3.2, 1e300]);

unary!(trunc: |x| x.trunc();
    d1 = |_| 0.0;
    d2 = |_| 0.0;
    at = [-2.5, -0.3, 0.7, 3.2, 1e300]);

unary!(fract: |x| x.fract();
    d1 = |_| 1.0;
    d2 = |_| 0.0;
    at = [-2.5, -0.3, 0.7, 3.2, 1e300]);

binary!(rem: |x, y| x % y;
    partials = |x, y| [1.0, -(x / y).trunc(), 0.0, 0.0, 0.0];
    at = [(7.5, 2.0), (-7.5, 2.0), (5.3, -1.5), (0.25, 3.0)]);

binary!(min: |x, y| x.min(y);
    partials = |x, y| if x < y { [1.0, 0.0, 0.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0, 0.0, 0.0] };
    at = [(1.0, 2.0), (2.0, 1.0), (-3.0, -1.0), (1e-300, -1e-300)]);

binary!(max: |x, y| x.max(y);
    partials = |x, y| if x > y { [1.0, 0.0, 0.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0, 0.0, 0.0] };
    at = [(1.0, 2.0), (2.0, 1.0), (-3.0, -1.0), (1e-300, -1e-300)]);

binary!(hypot: |x, y| x.hypot(y);
    partials = |x, y| {
        let h = x.hypot(y);
        let (cx, cy) = (x / h, y / h);
        [cx, cy, cy * cy / h, -cx * cy / h, cx * cx / h]
    };
    at = [(3.0, 4.0), (-1.0, 2.0), (1e-8, 1.0), (1e200, -3e200), (0.5, 0.0), (1e-300, 2e-300)]);

// ---- neural-network functions and erf ----

unary!(sigmoid: |x| x.sigmoid();
    d1 = |x| 0.25 * sech2(0.5 * x);
    d2 = |x| -0.25 * (0.5 * x).tanh() * sech2(0.5 * x);
    at = [-700.0, -40.0, -3.0, -1e-8, 1e-300, 0.5, 40.0, 700.0];
    value = logistic);

unary!(softplus: |x| x.softplus();
    d1 = logistic;
    d2 = |x| 0.25 * sech2(0.5 * x);
    at = [-700.0, -40.0, -3.0, -1e-8, 1e-300, 0.5, 40.0, 700.0];
    value = |x| if x < 0.0 { x.exp().ln_1p() } else { x + (-x).exp().ln_1p() });

unary!(erf: |x| x.erf();
    d1 = |x| core::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp();
    d2 = |x| -2.0 * x * core::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp();
    at = [-3.0, -1e-8, 1e-300, 0.5, 2.0, 5.0, 26.0]);

// ---- operators ----

unary!(neg: |x| -x;
    d1 = |_| -1.0;
    d2 = |_| 0.0;
    at = [-2.0, 1e-300, 3.0]);

binary!(add: |x, y| x + y;
    partials = |_, _| [1.0, 1.0, 0.0, 0.0, 0.0];
    at = [(2.0, 3.0), (-1.5, 0.25), (1e-300, 1e8)]);

binary!(sub: |x, y| x - y;
    partials = |_, _| [1.0, -1.0, 0.0, 0.0, 0.0];
    at = [(2.0, 3.0), (-1.5, 0.25), (1e-300, 1e8)]);

binary!(mul: |x, y| x * y;
    partials = |x, y| [y, x, 0.0, 1.0, 0.0];
    at = [(2.0, 3.0), (-1.5, 0.25), (1e-300, 1e8)]);

binary!(div: |x, y| x / y;
    partials = |x, y| [1.0 / y, -x / y / y, 0.0, -1.0 / y / y, 2.0 * x / y / y / y];
    at = [(2.0, 3.0), (-1.5, 0.25), (1e-300, 1e8), (7.0, -1e-100)]);

/// `mul_add` has three arguments: value bit-identical to the fused
/// `f64::mul_add`, gradient and Hessian of `x·a + b` exact.
#[test]
fn mul_add() {
    for [x, a, b] in [[2.0_f64, 3.0, 4.0], [-1.5, 1e-8, 1e300], [0.1, 0.2, -0.02]] {
        let fused = x.mul_add(a, b);
        let (f, g) = dualgrad::gradient(|[x, a, b]| x.mul_add(a, b), [x, a, b]);
        assert_eq!(f.to_bits(), fused.to_bits());
        assert_eq!(g, [a, x, 1.0]);
        let (f, g, h) = dualgrad::hessian(|[x, a, b]| x.mul_add(a, b), [x, a, b]);
        assert_eq!(f.to_bits(), fused.to_bits());
        assert_eq!(g, [a, x, 1.0]);
        assert_eq!(h, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]);
        let hd = HyperDual::new(x, 1.0, 0.0, 0.0)
            .mul_add(HyperDual::new(a, 0.0, 1.0, 0.0), HyperDual::constant(b));
        assert_eq!(
            (hd.re.to_bits(), hd.e1, hd.e2, hd.e12),
            (fused.to_bits(), a, x, 1.0)
        );
        let d = Dual::new(x, 1.0).mul_add(Dual::new(a, 1.0), Dual::new(b, 1.0));
        assert_eq!(d.re.to_bits(), fused.to_bits());
        assert_eq!(d.eps, a + x + 1.0);
    }
}

/// The types not exercised by the macros above still cover every function:
/// `DualVec<_, 2>` and `Dual2Vec<_, 2>` with a function of both inputs.
#[test]
fn two_dimensional_types_match_dual() {
    fn f<S: Scalar>(x: S, y: S) -> S {
        (x * y).sin() + x.exp() / y.hypot(x) - y.powi(3).atan()
    }
    let (x, y) = (0.7, -1.3);
    let v = f(DualVec::<f64, 2>::variable(x, 0), DualVec::variable(y, 1));
    let dx = f(Dual::variable(x), Dual::constant(y));
    let dy = f(Dual::constant(x), Dual::variable(y));
    assert_eq!(v.eps, [dx.eps, dy.eps]);
    let q = f(Dual2Vec::<f64, 2>::variable(x, 0), Dual2Vec::variable(y, 1));
    assert_eq!(q.value().to_bits(), f(x, y).to_bits());
    let h = q.hessian();
    assert_eq!(h[0][1].to_bits(), h[1][0].to_bits());
}

/// The `f32` types: first and second derivatives of every unary function
/// agree with the `f64` ones rounded to `f32`, to a few `f32` ulps.
#[test]
fn f32_matches_f64() {
    fn rel32(got: f32, want: f64) -> f64 {
        let w = want as f32;
        if got == w {
            return 0.0;
        }
        ((got as f64 - want).abs() / want.abs().max(f32::MIN_POSITIVE as f64)) / f32::EPSILON as f64
    }
    fn check<F: Unary>(name: &str, points: &[f64]) -> f64 {
        let mut worst = 0.0_f64;
        for &x in points {
            let h64 = F::eval(HyperDual::new(x, 1.0, 1.0, 0.0));
            let h32 = F::eval(HyperDual::new(x as f32, 1.0, 1.0, 0.0));
            let d32 = F::eval(Dual::new(x as f32, 1.0));
            assert_eq!(
                h32.re.to_bits(),
                F::eval(x as f32).to_bits(),
                "{name}({x}) value"
            );
            for (what, got, want) in [
                ("f", h32.re, h64.re),
                ("f′ (Dual)", d32.eps, h64.e1),
                ("f′", h32.e1, h64.e1),
                ("f″", h32.e12, h64.e12),
            ] {
                let e = rel32(got, want);
                worst = worst.max(e);
                assert!(
                    e <= 4.0,
                    "{name} {what} at {x}: f32 {got:e} vs f64 {want:e} ({e:.1} ulps)"
                );
            }
        }
        worst
    }
    macro_rules! f32_cases {
        ($($name:ident: |$x:ident| $body:expr, $pts:expr;)*) => {
            $({
                struct F;
                impl Unary for F {
                    fn eval<S: Scalar>($x: S) -> S {
                        $body
                    }
                }
                let w = check::<F>(stringify!($name), &$pts);
                println!("{:>10}: f32 max error {w:.1} ulps", stringify!($name));
            })*
        };
    }
    // Points exactly representable in f32, away from cancellation.
    f32_cases! {
        recip: |x| x.recip(), [-3.0, 0.75, 1e-8, 1e10];
        sqrt: |x| x.sqrt(), [1e-8, 0.25, 2.0, 1e10];
        cbrt: |x| x.cbrt(), [-8.0, 0.5, 3.0];
        powi: |x| x.powi(3), [-2.5, 0.5, 1.75];
        powf: |x| x.powf(S::lit(2.5)), [0.5, 2.0, 10.0];
        exp: |x| x.exp(), [-20.0, 0.5, 20.0];
        exp2: |x| x.exp2(), [-20.0, 0.5, 20.0];
        exp_m1: |x| x.exp_m1(), [-20.0, 1e-8, 0.5];
        ln: |x| x.ln(), [1e-8, 0.5, 3.0, 1e30];
        log2: |x| x.log2(), [1e-8, 0.5, 3.0];
        log10: |x| x.log10(), [1e-8, 0.5, 3.0];
        ln_1p: |x| x.ln_1p(), [-0.5, 1e-8, 3.0];
        sin: |x| x.sin(), [-3.0, 1e-8, 0.5];
        cos: |x| x.cos(), [-3.0, 0.5, 2.0];
        tan: |x| x.tan(), [-1.25, 1e-8, 0.5];
        asin: |x| x.asin(), [-0.875, 1e-8, 0.5];
        acos: |x| x.acos(), [-0.875, 0.25, 0.5];
        atan: |x| x.atan(), [-5.0, 1e-8, 0.75];
        sinh: |x| x.sinh(), [-3.0, 1e-8, 2.0];
        cosh: |x| x.cosh(), [-3.0, 0.5, 2.0];
        tanh: |x| x.tanh(), [-3.0, 1e-8, 0.25, 8.0];
        asinh: |x| x.asinh(), [-2.0, 1e-8, 0.5, 1e30];
        acosh: |x| x.acosh(), [1.5, 2.0, 1e30];
        atanh: |x| x.atanh(), [-0.875, 1e-8, 0.5];
        sigmoid: |x| x.sigmoid(), [-40.0, -3.0, 1e-8, 0.5, 40.0];
        softplus: |x| x.softplus(), [-40.0, -3.0, 1e-8, 0.5, 40.0];
        erf: |x| x.erf(), [-2.0, 1e-8, 0.5, 3.0];
        hypot: |x| x.hypot(S::lit(0.75)), [-2.0, 1e-8, 3.0];
        atan2: |x| x.atan2(S::lit(0.75)), [-2.0, 1e-8, 3.0];
    }
}
