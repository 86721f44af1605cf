//! Defined answers at the edges: saturating functions at huge arguments,
//! limits at 0, the documented conventions at kinks, NaN in every part
//! outside a domain, and constants that keep a zero derivative.

mod common;

use common::{assert_bits, assert_ulps, ulps};
use dualgrad::{
    derivative, gradient, hessian, second_derivative, third_derivative, Dual, Dual2Vec, DualVec,
    HyperDual, Scalar,
};
use num_traits::Float;

/// Every part of a number, for "every part is …" checks.
trait Parts {
    fn parts(&self) -> Vec<f64>;
}
impl Parts for f64 {
    fn parts(&self) -> Vec<f64> {
        vec![*self]
    }
}
impl<T: Parts> Parts for Dual<T> {
    fn parts(&self) -> Vec<f64> {
        [self.re.parts(), self.eps.parts()].concat()
    }
}
impl<T: Parts> Parts for HyperDual<T> {
    fn parts(&self) -> Vec<f64> {
        [
            self.re.parts(),
            self.e1.parts(),
            self.e2.parts(),
            self.e12.parts(),
        ]
        .concat()
    }
}
impl<T: Parts, const N: usize> Parts for DualVec<T, N> {
    fn parts(&self) -> Vec<f64> {
        let mut v = self.re.parts();
        for e in &self.eps {
            v.extend(e.parts());
        }
        v
    }
}
impl<T: Parts + Scalar, const N: usize> Parts for Dual2Vec<T, N> {
    fn parts(&self) -> Vec<f64> {
        let mut v = self.value().parts();
        for g in self.gradient() {
            v.extend(g.parts());
        }
        for row in self.hessian() {
            for h in row {
                v.extend(h.parts());
            }
        }
        v
    }
}

/// Seeds `x` on each number type and returns each result's parts.
macro_rules! every_type {
    (|$x:ident| $body:expr, $at:expr) => {{
        fn g<S: Scalar>($x: S) -> S {
            $body
        }
        let x: f64 = $at;
        vec![
            ("f64", g(x).parts()),
            ("Dual", g(Dual::variable(x)).parts()),
            ("HyperDual", g(HyperDual::new(x, 1.0, 1.0, 0.0)).parts()),
            (
                "DualVec<2>",
                g(DualVec::<f64, 2>::new(x, [1.0, -1.0])).parts(),
            ),
            ("Dual2Vec<2>", {
                let v = Dual2Vec::<f64, 2>::variable(x, 0) + Dual2Vec::variable(0.0, 1);
                g(v).parts()
            }),
            (
                "Dual<Dual>",
                g(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0))).parts(),
            ),
            (
                "HyperDual<Dual>",
                g(HyperDual::new(
                    Dual::new(x, 1.0),
                    Dual::new(1.0, 0.0),
                    Dual::new(1.0, 0.0),
                    Dual::new(0.0, 0.0),
                ))
                .parts(),
            ),
        ]
    }};
}

// ---- saturating functions ----

/// tanh, sigmoid and softplus at huge and moderately large arguments: every
/// part finite, and the derivatives equal to their closed forms (which
/// underflow to exactly 0 far out).
#[test]
fn saturating_functions_finite_and_exact_up_to_1e300() {
    let sech2 = |x: f64| {
        let s = x.cosh().recip();
        s * s
    };
    let logistic = |x: f64| {
        if x >= 0.0 {
            1.0 / (1.0 + (-x).exp())
        } else {
            x.exp() / (1.0 + x.exp())
        }
    };
    let points = [
        -1e300, -1e200, -1e10, -1e3, -700.0, -40.0, 40.0, 700.0, 1e3, 1e10, 1e200, 1e300,
    ];
    for x in points {
        for (name, parts) in every_type!(|x| x.tanh(), x)
            .into_iter()
            .chain(every_type!(|x| x.sigmoid(), x))
            .chain(every_type!(|x| x.softplus(), x))
        {
            assert!(
                parts.iter().all(|p| p.is_finite()),
                "{name} at {x:e}: {parts:?}"
            );
        }
        // tanh: value ±1 (or tanh(40)), f′ = sech², f″ = −2 tanh sech².
        let (f, d1, d2) = second_derivative(|x| x.tanh(), x);
        assert_bits("tanh", f, x.tanh());
        assert_ulps("tanh′", d1, sech2(x), 2.0);
        assert_ulps("tanh″", d2, -2.0 * x.tanh() * sech2(x), 2.0);
        let (_, t1, t2, t3) = third_derivative(|x| x.tanh(), x);
        assert_ulps("tanh′ (third_derivative)", t1, sech2(x), 2.0);
        assert_ulps(
            "tanh″ (third_derivative)",
            t2,
            -2.0 * x.tanh() * sech2(x),
            2.0,
        );
        let t = x.tanh();
        assert_ulps("tanh‴", t3, 2.0 * sech2(x) * (2.0 * t * t - sech2(x)), 4.0);
        // sigmoid: σ′ = σ(x)σ(−x), σ″ = σ′(1 − 2σ).
        let (f, d1, d2) = second_derivative(|x| x.sigmoid(), x);
        assert_ulps("σ", f, logistic(x), 2.0);
        let s1 = logistic(x) * logistic(-x);
        assert_ulps("σ′", d1, s1, 3.0);
        assert_ulps("σ″", d2, s1 * -(0.5 * x).tanh(), 4.0);
        // softplus: value, f′ = σ, f″ = σ′.
        let (f, d1, d2) = second_derivative(|x| x.softplus(), x);
        let want = if x < 0.0 {
            x.exp().ln_1p()
        } else {
            x + (-x).exp().ln_1p()
        };
        assert_ulps("softplus", f, want, 2.0);
        assert_ulps("softplus′", d1, logistic(x), 2.0);
        assert_ulps("softplus″", d2, s1, 3.0);
    }
    // The values at ±40 and ±1e3 explicitly.
    assert_eq!(derivative(|x| x.tanh(), 1e3), (1.0, 0.0));
    assert_eq!(derivative(|x| x.tanh(), -1e3), (-1.0, 0.0));
    assert_eq!(derivative(|x| x.sigmoid(), 1e3), (1.0, 0.0));
    assert_eq!(derivative(|x| x.sigmoid(), -1e3), (0.0, 0.0));
    assert_eq!(derivative(|x| x.softplus(), 1e300), (1e300, 1.0));
    assert_eq!(derivative(|x| x.softplus(), -1e300), (0.0, 0.0));
    let (s, ds) = derivative(|x| x.sigmoid(), -40.0);
    assert!(ulps(s, 4.248354255291589e-18) < 2.0, "σ(−40) = {s:e}");
    assert!(ulps(ds, 4.248354255291589e-18) < 2.0, "σ′(−40) = {ds:e}");
    let (s, ds) = derivative(|x| x.softplus(), -40.0);
    assert!(
        ulps(s, 4.248354255291589e-18) < 2.0,
        "softplus(−40) = {s:e}"
    );
    assert!(
        ulps(ds, 4.248354255291589e-18) < 2.0,
        "softplus′(−40) = {ds:e}"
    );
    let (t, dt) = derivative(|x| x.tanh(), 40.0);
    assert_eq!(t, 1.0);
    // 4e^(−80)/(1 + e^(−80))² = 4e^(−80) in f64.
    assert!(
        ulps(dt, 4.0 * (-80.0_f64).exp()) < 2.0,
        "tanh′(40) = {dt:e}"
    );
}

// ---- limits at 0 ----

#[test]
fn sqrt_at_zero_has_infinite_derivative() {
    assert_eq!(derivative(|x| x.sqrt(), 0.0), (0.0, f64::INFINITY));
    let (f, d1, d2) = second_derivative(|x| x.sqrt(), 0.0);
    assert_eq!((f, d1, d2), (0.0, f64::INFINITY, f64::NEG_INFINITY));
    // −0 too: √(−0) = −0, derivative +∞ (not −∞).
    let (f, d1) = derivative(|x| x.sqrt(), -0.0);
    assert_bits("√(−0)", f, -0.0);
    assert_eq!(d1, f64::INFINITY);
}

#[test]
fn powers_of_zero_follow_their_limits() {
    // (n, f, f′, f″) of x^n at x = 0.
    for (n, f, d1, d2) in [
        (0, 1.0, 0.0, 0.0),
        (1, 0.0, 1.0, 0.0),
        (2, 0.0, 0.0, 2.0),
        (3, 0.0, 0.0, 0.0),
    ] {
        let want = (f, d1, d2);
        assert_eq!(second_derivative(|x| x.powi(n), 0.0), want, "powi(0, {n})");
        let (y, g, h) = hessian(|[x]| x.powi(n), [0.0]);
        assert_eq!((y, g[0], h[0][0]), want, "powi(0, {n}) Dual2Vec");
        let nested = Dual::new(Dual::new(0.0, 1.0), Dual::new(1.0, 0.0)).powi(n);
        assert_eq!(
            (nested.re.re, nested.re.eps, nested.eps.eps),
            want,
            "powi(0, {n}) Dual<Dual>"
        );
        let p = n as f64;
        assert_eq!(
            second_derivative(|x| x.powf(HyperDual::constant(p)), 0.0),
            want,
            "powf(0, {p})"
        );
        let (y, g, h) = hessian(|[x]| x.powf(Dual2Vec::constant(p)), [0.0]);
        assert_eq!((y, g[0], h[0][0]), want, "powf(0, {p}) Dual2Vec");
        let nested = Dual::new(Dual::new(0.0, 1.0), Dual::new(1.0, 0.0))
            .powf(Dual::constant(Dual::constant(p)));
        assert_eq!(
            (nested.re.re, nested.re.eps, nested.eps.eps),
            want,
            "powf(0, {p}) Dual<Dual>"
        );
    }
    // p = ½: 0, +∞, −∞ (the one-sided limits).
    let half = |x: HyperDual<f64>| x.powf(HyperDual::constant(0.5));
    assert_eq!(
        second_derivative(half, 0.0),
        (0.0, f64::INFINITY, f64::NEG_INFINITY)
    );
    // With a varying exponent at x = 0: ∂/∂y 0^y = 0 for y > 0.
    let (f, g) = gradient(|[x, y]| x.powf(y), [0.0, 2.0]);
    assert_eq!((f, g), (0.0, [0.0, 0.0]));
    let (f, g, h) = hessian(|[x, y]| x.powf(y), [0.0, 2.0]);
    assert_eq!((f, g), (0.0, [0.0, 0.0]));
    assert_eq!(h, [[2.0, 0.0], [0.0, 0.0]]);
    let (f, g) = gradient(|[x, y]| x.powf(y), [0.0, 1.0]);
    assert_eq!((f, g), (0.0, [1.0, 0.0]));
}

#[test]
fn atan2_on_the_axis_and_at_the_origin() {
    // atan2(y, 0): ∂/∂y = x/r² = 0, ∂/∂x = −y/r² = −1/y; all finite.
    for y in [1.0, -2.0, 1e-300, 1e300] {
        let (f, g, h) = hessian(|[y, x]| y.atan2(x), [y, 0.0]);
        assert_bits("atan2(y, 0)", f, y.atan2(0.0));
        assert_eq!(g[0], 0.0);
        assert_ulps("∂/∂x atan2(y, 0)", g[1], -1.0 / y, 1.0);
        // ∂²/∂y² = ∂²/∂x² = 2xy/r⁴ = 0 on the axis; ∂²/∂x∂y = 1/y² (which
        // overflows to +∞ for y = 1e-300, as the true value does).
        assert_eq!((h[0][0], h[1][1]), (0.0, 0.0), "{y:e}: {h:?}");
        assert_ulps("∂²/∂x∂y atan2(y, 0)", h[0][1], 1.0 / y / y, 1.0);
        assert_eq!(h[0][1].to_bits(), h[1][0].to_bits());
    }
    // The origin: derivatives 0 by convention (documented).
    let (f, g, h) = hessian(|[y, x]| y.atan2(x), [0.0, 0.0]);
    assert_eq!((f, g, h), (0.0, [0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]]));
    let (f, g, h) = hessian(|[x, y]| x.hypot(y), [0.0, 0.0]);
    assert_eq!((f, g, h), (0.0, [0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]]));
}

// ---- kinks ----

#[test]
fn abs_signum_relu_at_zero() {
    // abs′(±0) = ±1 and relu′(0) = 0 (crate docs); signum′ = 0 everywhere.
    for z in [0.0, -0.0] {
        assert_eq!(
            second_derivative(|x| x.abs(), z),
            (0.0, if z.is_sign_negative() { -1.0 } else { 1.0 }, 0.0)
        );
        let (s, ds) = derivative(|x| x.signum(), z);
        assert_bits("signum(±0)", s, z.signum());
        assert_eq!(ds, 0.0);
        assert_eq!(second_derivative(|x| x.relu(), z), (0.0, 0.0, 0.0));
    }
    assert_eq!(derivative(|x| x.abs(), -3.0), (3.0, -1.0));
    assert_eq!(derivative(|x| x.abs(), 3.0), (3.0, 1.0));
    // Signed::abs is the same function.
    let a = num_traits::Signed::abs(&Dual::new(0.0, 5.0));
    assert_eq!((a.re, a.eps), (0.0, 5.0));
    let a = num_traits::Signed::abs(&Dual::new(-0.0, 5.0));
    assert_eq!((a.re, a.eps), (0.0, -5.0));
}

#[test]
fn min_max_ties_take_the_mean() {
    let (x, y) = (Dual::new(1.0, 3.0), Dual::new(1.0, 5.0));
    let m = x.max(y);
    assert_eq!((m.re, m.eps), (1.0, 4.0));
    let m = x.min(y);
    assert_eq!((m.re, m.eps), (1.0, 4.0));
    // In a gradient: max(x, y) at x = y gives ½ to each.
    assert_eq!(gradient(|[x, y]| x.max(y), [2.0, 2.0]), (2.0, [0.5, 0.5]));
    assert_eq!(gradient(|[x, y]| x.min(y), [2.0, 2.0]), (2.0, [0.5, 0.5]));
    // Not a tie: the winner's derivative.
    assert_eq!(gradient(|[x, y]| x.max(y), [3.0, 2.0]), (3.0, [1.0, 0.0]));
    assert_eq!(gradient(|[x, y]| x.min(y), [3.0, 2.0]), (2.0, [0.0, 1.0]));
    // max(x, x) is x: derivative 1.
    assert_eq!(derivative(|x| x.max(x), 2.0), (2.0, 1.0));
    // A NaN argument is ignored, as by f64::max.
    let m = Dual::new(f64::NAN, 1.0).max(Dual::new(2.0, 7.0));
    assert_eq!((m.re, m.eps), (2.0, 7.0));
}

// ---- outside the domain ----

/// Every function outside its domain: NaN in every part of every number
/// type (never a panic).
#[test]
fn outside_the_domain_every_part_is_nan() {
    macro_rules! all_nan {
        ($name:literal, |$x:ident| $body:expr, $at:expr) => {
            for (ty, parts) in every_type!(|$x| $body, $at) {
                assert!(
                    parts.iter().all(|p| p.is_nan()),
                    "{} on {ty}: {parts:?}",
                    $name
                );
            }
        };
    }
    all_nan!("ln(−1)", |x| x.ln(), -1.0);
    all_nan!("log2(−1)", |x| x.log2(), -1.0);
    all_nan!("log10(−1)", |x| x.log10(), -1.0);
    all_nan!("ln_1p(−2)", |x| x.ln_1p(), -2.0);
    all_nan!("log(−3, 10)", |x| x.log(S::lit(10.0)), -3.0);
    all_nan!("log(3, −10)", |x| S::lit(3.0).log(x), -10.0);
    all_nan!("sqrt(−1)", |x| x.sqrt(), -1.0);
    all_nan!("asin(2)", |x| x.asin(), 2.0);
    all_nan!("acos(−2)", |x| x.acos(), -2.0);
    all_nan!("acosh(0.5)", |x| x.acosh(), 0.5);
    all_nan!("atanh(2)", |x| x.atanh(), 2.0);
    all_nan!("powf(−1, 0.5)", |x| x.powf(S::lit(0.5)), -1.0);
    all_nan!("powf(−1, y = 0.5)", |x| S::lit(-1.0).powf(x), 0.5);
    all_nan!("rem(x, 0)", |x| x % S::zero(), 3.0);
    all_nan!("sqrt(ln(−1))", |x| x.ln().sqrt() * x, -1.0);
    all_nan!("NaN input", |x| x.sin(), f64::NAN);
    all_nan!("relu(NaN)", |x| x.relu(), f64::NAN);
}

// ---- constants ----

/// A constant (zero derivative parts) stays a constant through functions
/// with an infinite derivative at its value: no `0 · ∞ = NaN`.
#[test]
fn constants_keep_zero_derivative() {
    fn check<S: Scalar + Parts>(what: &str, c: S) {
        let p = c.parts();
        assert!(p[1..].iter().all(|&d| d == 0.0), "{what}: {p:?}");
    }
    fn all<S: Scalar + Parts>(ty: &str) {
        let zero = S::zero();
        check(&format!("sqrt(0) on {ty}"), zero.sqrt());
        check(&format!("cbrt(0) on {ty}"), zero.cbrt());
        check(&format!("ln(0) on {ty}"), zero.ln());
        check(&format!("recip(0) on {ty}"), zero.recip());
        check(&format!("powf(0, ½) on {ty}"), zero.powf(S::lit(0.5)));
        check(&format!("powi(0, −1) on {ty}"), zero.powi(-1));
        check(&format!("asin(1) on {ty}"), S::one().asin());
        check(&format!("acosh(1) on {ty}"), S::one().acosh());
        check(&format!("atanh(1) on {ty}"), S::one().atanh());
        check(&format!("1 / 0 on {ty}"), S::one() / zero);
        check(&format!("sqrt(0) + ln(0) on {ty}"), zero.sqrt() + zero.ln());
    }
    all::<Dual<f64>>("Dual");
    all::<HyperDual<f64>>("HyperDual");
    all::<DualVec<f64, 3>>("DualVec");
    all::<Dual2Vec<f64, 2>>("Dual2Vec");
    all::<Dual<Dual<f64>>>("Dual<Dual>");
    all::<HyperDual<Dual<f64>>>("HyperDual<Dual>");
    // A variable times a constant sqrt(0): derivative 0, not NaN.
    assert_eq!(
        derivative(|x| x * Dual::constant(0.0).sqrt(), 2.0),
        (0.0, 0.0)
    );
    assert_eq!(
        second_derivative(|x| x * x * HyperDual::constant(0.0).sqrt(), 2.0),
        (0.0, 0.0, 0.0)
    );
}

/// Products are plain IEEE arithmetic (documented in the crate docs): a zero
/// part times an infinite value is NaN, as in other forward-mode libraries;
/// the elementary functions and division keep zero parts zero.
#[test]
fn products_with_an_infinite_value_follow_ieee() {
    use dualgrad::Dual;
    let big = Dual::variable(1000.0).exp();
    let y = big * Dual::constant(2.0);
    assert_eq!(y.re, f64::INFINITY);
    assert!(y.eps.is_nan());
    // The same factor through an elementary function or a division keeps
    // its zero derivative part zero.
    let z = Dual::constant(2.0) / Dual::<f64>::constant(0.0);
    assert_eq!((z.re, z.eps), (f64::INFINITY, 0.0));
    let w = Dual::<f64>::constant(0.0).sqrt();
    assert_eq!((w.re, w.eps), (0.0, 0.0));
}
