//! The `num_traits` traits and the standard ones: code written against
//! `num_traits::Float` (and friends) takes the dual types unchanged, and
//! gives correct derivatives; formatting, defaults, comparisons, mixed
//! arithmetic with the plain float, `f32`.

mod common;

use common::assert_ulps;
use dualgrad::{derivative, gradient, second_derivative, Dual, Dual2Vec, DualVec, HyperDual};
use num_traits::{Float, FloatConst, FromPrimitive, Inv, NumCast, One, Signed, ToPrimitive, Zero};

/// Written only against `num_traits::Float`.
fn float_only<F: Float>(x: F) -> F {
    let two = F::one() + F::one();
    let half = F::from(0.5).unwrap();
    x.powi(3) - two * x.sin() + half * x.exp() + x.hypot(two).ln() / x.max(two)
}

fn float_only_d1(x: f64) -> f64 {
    // d/dx ln(hypot(x, 2)) = x/(x² + 4); x.max(2) = 2 at the points used.
    3.0 * x * x - 2.0 * x.cos() + 0.5 * x.exp() + x / (x * x + 4.0) / 2.0
}

#[test]
fn code_written_against_float_takes_every_type() {
    for x in [-1.3, 0.4, 1.9] {
        let want = float_only_d1(x);
        let (v, d) = derivative(float_only, x);
        assert_eq!(v.to_bits(), float_only(x).to_bits());
        assert_ulps("Dual", d, want, 8.0);
        let h = float_only(HyperDual::new(x, 1.0, 0.0, 0.0));
        assert_ulps("HyperDual", h.e1, want, 8.0);
        let v = float_only(DualVec::<f64, 2>::new(x, [1.0, 2.0]));
        assert_ulps("DualVec", v.eps[0], want, 8.0);
        assert_eq!(v.eps[1], 2.0 * v.eps[0]);
        let q = float_only(Dual2Vec::<f64, 1>::variable(x, 0));
        assert_ulps("Dual2Vec", q.gradient()[0], want, 8.0);
        // The second derivative agrees between HyperDual and Dual<Dual>.
        let (_, _, d2) = second_derivative(float_only, x);
        let n = float_only(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
        assert_ulps("f″", n.eps.eps, d2, 8.0);
    }
}

/// `Float + FloatConst`: circle area 𝜋r², derivative 2𝜋r.
fn area<F: Float + FloatConst>(r: F) -> F {
    F::PI() * r * r + F::E().ln() - F::one() + F::TAU() * F::zero()
}

#[test]
fn float_const() {
    let (a, d) = derivative(area, 2.0);
    assert_eq!(a, core::f64::consts::PI * 4.0);
    assert_eq!(d, 4.0 * core::f64::consts::PI);
    // Every constant is a constant: zero derivative.
    let c = <Dual<f64> as FloatConst>::SQRT_2();
    assert_eq!((c.re, c.eps), (core::f64::consts::SQRT_2, 0.0));
    let c = <HyperDual<f64> as FloatConst>::LN_10();
    assert_eq!(
        (c.re, c.e1, c.e2, c.e12),
        (core::f64::consts::LN_10, 0.0, 0.0, 0.0)
    );
}

/// `Signed`: written against `Signed`, not `Float`.
fn signed_only<T: Signed + Copy>(x: T) -> T {
    x.abs() * x.signum() + x.abs_sub(&T::one())
}

#[test]
fn signed() {
    // x ≥ 1: x + (x − 1), derivative 2; x < 1: x + 0, derivative 1 (x > 0).
    let d = signed_only(Dual::new(3.0, 1.0));
    assert_eq!((d.re, d.eps), (5.0, 2.0));
    let d = signed_only(Dual::new(0.5, 1.0));
    assert_eq!((d.re, d.eps), (0.5, 1.0));
    let d = signed_only(Dual::new(-2.0, 1.0));
    assert_eq!((d.re, d.eps), (-2.0, 1.0));
    assert!(Dual::new(2.0, -1.0).is_positive());
    assert!(Dual::new(-2.0, 1.0).is_negative());
    assert!(!Dual::new(0.0, 1.0).is_positive());
}

/// `Zero`, `One`, `Sum`, `Product` over iterators.
fn poly_sum<T: Zero + One + Copy + core::iter::Sum + core::iter::Product>(xs: &[T]) -> T {
    let s: T = xs.iter().copied().sum();
    let p: T = xs.iter().copied().product();
    let mut acc = T::zero();
    for &x in xs {
        acc = acc + x * T::one();
    }
    s * p + acc
}

#[test]
fn zero_one_sum_product() {
    // f(x, y, z) = (x + y + z)·xyz + (x + y + z).
    let (v, g) = gradient(|x: [_; 3]| poly_sum(&x), [1.0, 2.0, 3.0]);
    assert_eq!(v, 6.0 * 6.0 + 6.0);
    // ∂/∂x = yz + (x+y+z)yz/x… written out: yz·(1 + s) ... at (1, 2, 3):
    // ∂/∂x = xyz/x·s + xyz + 1 = 6·6 + 6 + 1 = 43, ∂/∂y = 3·6 + 6 + 1 = 25,
    // ∂/∂z = 2·6 + 6 + 1 = 19.
    assert_eq!(g, [43.0, 25.0, 19.0]);
    // Sum and Product of references too.
    let xs = [Dual::new(2.0, 1.0), Dual::new(3.0, 0.0)];
    let s: Dual<f64> = xs.iter().sum();
    let p: Dual<f64> = xs.iter().product();
    assert_eq!((s.re, s.eps, p.re, p.eps), (5.0, 1.0, 6.0, 3.0));
    // The empty sum and product.
    let s: HyperDual<f64> = core::iter::empty::<HyperDual<f64>>().sum();
    let p: HyperDual<f64> = core::iter::empty::<HyperDual<f64>>().product();
    assert_eq!((s.re, p.re), (0.0, 1.0));
    // is_zero looks at the value part (as nalgebra's pivot tests need);
    // all_parts_zero at every part; zero() and one() are constants.
    assert!(Dual::<f64>::zero().is_zero());
    assert!(Dual::new(0.0, 1.0).is_zero());
    assert!(!dualgrad::Scalar::all_parts_zero(&Dual::new(0.0, 1.0)));
    assert_eq!(Dual::<f64>::one().eps, 0.0);
}

/// `NumCast`, `FromPrimitive`, `ToPrimitive`: constants in, values out.
fn casts<T: Float + FromPrimitive>(x: T) -> T {
    let three: T = NumCast::from(3_i32).unwrap();
    let half = T::from_f64(0.5).unwrap();
    let two = T::from_u8(2).unwrap();
    x * three + half * x * x / two
}

#[test]
fn casts_and_conversions() {
    // 3x + x²/4: derivative 3 + x/2.
    let (v, d) = derivative(casts, 2.0);
    assert_eq!((v, d), (7.0, 4.0));
    let x = Dual::new(2.7, 5.0);
    assert_eq!(x.to_f64(), Some(2.7));
    assert_eq!(x.to_i64(), Some(2));
    assert_eq!(x.to_u8(), Some(2));
    assert_eq!(Dual::new(-2.7, 5.0).to_u64(), None);
    assert_eq!(x.to_f32(), Some(2.7_f32));
    let c: Dual<f64> = NumCast::from(7_u64).unwrap();
    assert_eq!((c.re, c.eps), (7.0, 0.0));
    let c = <HyperDual<f64> as FromPrimitive>::from_i64(-4).unwrap();
    assert_eq!((c.re, c.e1, c.e2, c.e12), (-4.0, 0.0, 0.0, 0.0));
    let c = <Dual<f64> as num_traits::Num>::from_str_radix("1.5", 10).unwrap();
    assert_eq!((c.re, c.eps), (1.5, 0.0));
}

/// `Inv`: 1/x, derivative −1/x².
#[test]
fn inv() {
    let i = Dual::new(4.0, 1.0).inv();
    assert_eq!((i.re, i.eps), (0.25, -0.0625));
    fn generic<T: Inv<Output = T>>(x: T) -> T {
        x.inv()
    }
    assert_eq!(second_derivative(generic, 2.0), (0.5, -0.25, 0.25));
}

// ---- standard traits ----

#[test]
fn display() {
    assert_eq!(Dual::new(2.0, 3.0).to_string(), "2 + 3ε");
    assert_eq!(Dual::new(2.0, -3.0).to_string(), "2 - 3ε");
    assert_eq!(Dual::new(-2.5, 0.0).to_string(), "-2.5 + 0ε");
    assert_eq!(Dual::new(1.0, f64::NEG_INFINITY).to_string(), "1 - infε");
    // A NaN has no sign to show, whatever its sign bit (0·∞ gives −NaN).
    assert_eq!(Dual::new(1.0, -f64::NAN).to_string(), "1 + NaNε");
    assert_eq!(Dual::new(f64::NAN, f64::NAN).to_string(), "NaN + NaNε");
    assert_eq!(
        format!("{:.2}", Dual::new(1.0 / 3.0, 2.0 / 3.0)),
        "0.33 + 0.67ε"
    );
    assert_eq!(
        HyperDual::new(1.0, 2.0, -3.0, 4.0).to_string(),
        "1 + 2ε1 - 3ε2 + 4ε1ε2"
    );
    assert_eq!(
        format!("{:.1}", HyperDual::new(1.0, 0.25, 0.0, -0.75)),
        "1.0 + 0.2ε1 + 0.0ε2 - 0.8ε1ε2"
    );
    assert_eq!(DualVec::new(1.0, [2.0, 3.0]).to_string(), "1 + [2, 3]ε");
    assert_eq!(
        Dual::new(Dual::new(1.0, 2.0), Dual::new(3.0, -4.0)).to_string(),
        "(1 + 2ε) + (3 - 4ε)ε"
    );
    let q = Dual2Vec::<f64, 2>::variable(3.0, 0) * Dual2Vec::variable(2.0, 1);
    assert_eq!(q.to_string(), "6 + [2, 3]ε + ½εᵀ[[0, 1], [1, 0]]ε");
    assert_eq!(Dual::new(1.5_f32, 2.0).to_string(), "1.5 + 2ε");
    // Debug shows the fields.
    assert!(format!("{:?}", Dual::new(1.0, 2.0)).contains("eps: 2.0"));
}

#[test]
fn default_is_zero_constant() {
    let d = Dual::<f64>::default();
    assert_eq!((d.re, d.eps), (0.0, 0.0));
    let h = HyperDual::<f64>::default();
    assert_eq!((h.re, h.e1, h.e2, h.e12), (0.0, 0.0, 0.0, 0.0));
    let v = DualVec::<f64, 3>::default();
    assert_eq!((v.re, v.eps), (0.0, [0.0; 3]));
    let q = Dual2Vec::<f64, 2>::default();
    assert_eq!(
        (q.value(), q.gradient(), q.hessian()),
        (0.0, [0.0; 2], [[0.0; 2]; 2])
    );
}

#[test]
fn comparisons_look_at_the_value() {
    assert_eq!(Dual::new(1.0, 5.0), Dual::new(1.0, 7.0));
    assert_ne!(Dual::new(1.0, 5.0), Dual::new(2.0, 5.0));
    assert!(Dual::new(1.0, 9.0) < Dual::new(2.0, 0.0));
    assert!(Dual::new(2.0, -9.0) > Dual::new(1.0, 0.0));
    assert!(HyperDual::new(1.0, 0.0, 0.0, 0.0) <= HyperDual::new(1.0, 3.0, 3.0, 3.0));
    assert!(DualVec::new(3.0, [1.0]) >= DualVec::new(3.0, [-1.0]));
    assert_eq!(
        Dual::new(f64::NAN, 0.0).partial_cmp(&Dual::new(1.0, 0.0)),
        None
    );
    // With the underlying scalar.
    assert!(Dual::new(1.0, 5.0) == 1.0);
    assert!(Dual::new(1.0, 5.0) < 2.0);
    // A branch in user code follows the value.
    let f = |x: Dual<f64>| if x > Dual::constant(0.0) { x * x } else { -x };
    assert_eq!(derivative(f, 3.0), (9.0, 6.0));
    assert_eq!(derivative(f, -3.0), (3.0, -1.0));
}

#[test]
fn mixed_arithmetic_with_the_plain_float() {
    let x = Dual::new(4.0_f64, 1.0);
    let r = x * 2.0;
    assert_eq!((r.re, r.eps), (8.0, 2.0));
    let r = 2.0 * x;
    assert_eq!((r.re, r.eps), (8.0, 2.0));
    let r = 2.0 / x;
    assert_eq!((r.re, r.eps), (0.5, -0.125));
    let r = x / 2.0;
    assert_eq!((r.re, r.eps), (2.0, 0.5));
    let r = x - 1.0;
    assert_eq!((r.re, r.eps), (3.0, 1.0));
    let r = 1.0 - x;
    assert_eq!((r.re, r.eps), (-3.0, -1.0));
    let r = x + 1.0;
    assert_eq!((r.re, r.eps), (5.0, 1.0));
    let r = 1.0 + x;
    assert_eq!((r.re, r.eps), (5.0, 1.0));
    let r = x % 3.0;
    assert_eq!((r.re, r.eps), (1.0, 1.0));
    // Assign forms, with Self and with the scalar.
    let mut y = x;
    y += x;
    y -= Dual::new(1.0, 0.0);
    y *= x;
    y /= Dual::new(2.0, 0.0);
    y %= Dual::new(100.0, 0.0);
    // ((2x − 1)·x)/2 = x² − x/2: at 4, 14, derivative 2x − 1/2 = 7.5.
    assert_eq!((y.re, y.eps), (14.0, 7.5));
    let mut z = x;
    z += 1.0;
    z -= 2.0;
    z *= 3.0;
    z /= 6.0;
    z %= 10.0;
    // (x − 1)·3/6 = (x − 1)/2: at 4, 1.5, derivative 0.5.
    assert_eq!((z.re, z.eps), (1.5, 0.5));
    // Nested types: the bottom float on the left, the inner type on the right.
    let n = Dual::new(Dual::new(2.0_f64, 1.0), Dual::new(1.0, 0.0));
    let r = 3.0 * n;
    assert_eq!((r.re.re, r.re.eps, r.eps.re), (6.0, 3.0, 3.0));
    let r = n * Dual::new(2.0, 0.0);
    assert_eq!((r.re.re, r.re.eps, r.eps.re), (4.0, 2.0, 2.0));
    let h = 2.0 / HyperDual::new(2.0_f64, 1.0, 1.0, 0.0);
    assert_eq!((h.re, h.e1, h.e12), (1.0, -0.5, 0.5));
    let v = 1.0 - DualVec::new(2.0_f64, [1.0, 2.0]);
    assert_eq!((v.re, v.eps), (-1.0, [-1.0, -2.0]));
}

#[test]
fn f32_types() {
    use dualgrad::Scalar;
    let (v, d) = derivative(|x: Dual<f32>| x * x.sin() + 2.0_f32 * x, 1.5_f32);
    assert_eq!(v, 1.5_f32 * 1.5_f32.sin() + 3.0);
    assert!((d - (1.5_f32.sin() + 1.5 * 1.5_f32.cos() + 2.0)).abs() <= 4.0 * f32::EPSILON);
    let (_, d1, d2) = second_derivative(|x: HyperDual<f32>| x.tanh(), 0.5_f32);
    let s = 1.0 / 0.5_f32.cosh();
    assert!((d1 - s * s).abs() <= 2.0 * f32::EPSILON);
    assert!((d2 + 2.0 * 0.5_f32.tanh() * s * s).abs() <= 4.0 * f32::EPSILON);
    let (v, g) = gradient(|[x, y]| x * y + y.exp(), [2.0_f32, 1.0]);
    assert_eq!(v, 2.0 + 1.0_f32.exp());
    assert_eq!(g, [1.0, 2.0 + 1.0_f32.exp()]);
    let (v, d) = derivative(|x: Dual<f32>| x.sigmoid() + x.erf(), 0.0_f32);
    assert_eq!(v, 0.5);
    assert!((d - (0.25 + core::f32::consts::FRAC_2_SQRT_PI)).abs() <= 2.0 * f32::EPSILON);
    // Out of domain is NaN in every part for f32 too.
    let n = Dual::new(-1.0_f32, 1.0).ln();
    assert!(n.re.is_nan() && n.eps.is_nan());
    // f32 on the left.
    let r = 2.0_f32 * Dual::new(1.0_f32, 1.0);
    assert_eq!((r.re, r.eps), (2.0, 2.0));
}

/// The plain float types are `Scalar`s too: generic code runs on them.
#[test]
fn scalar_on_plain_floats() {
    use dualgrad::Scalar;
    fn f<S: Scalar>(x: S) -> S {
        S::lit(2.0) * x.sigmoid() + x.softplus() - x.relu() + x.erf()
    }
    let x = 0.3_f64;
    let s = 1.0 / (1.0 + (-x).exp());
    let want = 2.0 * s + (1.0 + x.exp()).ln() - x + ERF_0_3;
    assert!((f(x) - want).abs() < 1e-15);
    assert!((f(0.3_f32) - want as f32).abs() < 1e-6);
}

/// erf(0.3) = 0.32862675945912742764… (from its series in 40-digit arithmetic, so the test
/// does not trust the function under test).
const ERF_0_3: f64 = 0.328_626_759_459_127_4;

/// The rest of `Float`: unit conversions are linear, predicates and
/// constants look at (or are) the value, `abs_sub` follows its branch.
#[test]
fn remaining_float_methods() {
    let x = Dual::new(core::f64::consts::PI, 1.0);
    let d = x.to_degrees();
    assert_eq!((d.re, d.eps), (180.0, 180.0 / core::f64::consts::PI));
    let r = Dual::new(180.0, 1.0).to_radians();
    assert_eq!((r.re, r.eps), (core::f64::consts::PI, 1.0_f64.to_radians()));
    #[allow(deprecated)]
    let s = Dual::new(5.0, 1.0).abs_sub(Dual::new(2.0, 3.0));
    assert_eq!((s.re, s.eps), (3.0, -2.0));
    #[allow(deprecated)]
    let s = Dual::new(1.0, 1.0).abs_sub(Dual::new(2.0, 3.0));
    assert_eq!((s.re, s.eps), (0.0, 0.0));
    let y = Dual::new(1.5, f64::NAN);
    assert!(y.is_finite() && y.is_normal() && !y.is_nan() && !y.is_infinite());
    assert!(Dual::new(f64::INFINITY, 0.0).is_infinite());
    assert!(Dual::new(1e-310, 1.0).is_subnormal());
    assert_eq!(y.classify(), core::num::FpCategory::Normal);
    assert_eq!(y.integer_decode(), 1.5_f64.integer_decode());
    assert!(Dual::new(-0.0, 1.0).is_sign_negative());
    assert!(Dual::new(0.0, -1.0).is_sign_positive());
    for c in [
        <Dual<f64> as Float>::max_value(),
        <Dual<f64> as Float>::min_value(),
        <Dual<f64> as Float>::min_positive_value(),
        <Dual<f64> as Float>::epsilon(),
        <Dual<f64> as Float>::infinity(),
        <Dual<f64> as Float>::neg_infinity(),
        <Dual<f64> as Float>::neg_zero(),
    ] {
        assert_eq!(c.eps, 0.0);
    }
    let n = <HyperDual<f64> as Float>::nan();
    assert!(n.re.is_nan() && n.e1.is_nan() && n.e2.is_nan() && n.e12.is_nan());
}
