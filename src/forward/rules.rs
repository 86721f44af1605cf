//! The elementary-function rule table.
//!
//! Each function's value, first and second derivative at a point is written
//! here once, generically over the [`Scalar`] it is evaluated in. Every number
//! type applies its own chain rule to these [`Jet`]s (see `number.rs`), so a
//! rule evaluated in `Dual<f64>` gives the rule's own derivative, which is how
//! nested types (`HyperDual<Dual<f64>>`) get higher derivatives.
//!
//! `second` asks for the second derivative; number types that only need the
//! first pass `false` and the compiler drops that work.
//!
//! Conventions at kinks and edges (documented on the public functions too):
//! `abs′(±0) = ±1`, `relu′(0) = 0`, `min`/`max` at a tie take the mean of both
//! derivatives, `signum`, `floor`, `ceil`, `round`, `trunc` have derivative 0,
//! `hypot` and `atan2` at the origin have derivative 0, `sqrt′(0) = +∞`,
//! and `0^p` follows its limit.

use crate::Scalar;
use num_traits::Float;

/// Value, first and second derivative of a function of one variable.
///
/// The second derivative is the product `d2 · k`, and the second-order
/// chain rules form `f″·t₁·t₂` as `(d2·t₁)·(k·t₂)`: a rule whose `f″`
/// under- or overflows where the chain's product does not (ln″ = −1/x² at
/// x = e⁴⁰⁰, reached through `exp`) splits it into two factors of the
/// scale of `f′` and `1/x`. `k` is 1 for rules that do not split.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jet<T> {
    pub f: T,
    pub d1: T,
    pub d2: T,
    pub k: T,
}

/// Value and first and second partial derivatives of a function of two
/// variables `(x, y)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jet2<T> {
    pub f: T,
    pub fx: T,
    pub fy: T,
    pub fxx: T,
    pub fxy: T,
    pub fyy: T,
}

impl<T: Scalar> Jet2<T> {
    /// A function that is locally constant in both variables.
    #[inline(always)]
    pub(crate) fn constant(f: T) -> Self {
        let zero = T::zero();
        Jet2 {
            f,
            fx: zero,
            fy: zero,
            fxx: zero,
            fxy: zero,
            fyy: zero,
        }
    }
}

#[inline(always)]
fn jet<T: Scalar>(f: T, d1: T, d2: impl FnOnce() -> T, second: bool) -> Jet<T> {
    Jet {
        f,
        d1,
        d2: if second { d2() } else { T::zero() },
        k: T::one(),
    }
}

/// A jet whose second derivative is given as two factors `(d2, k)`,
/// `f″ = d2 · k` (see [`Jet`]).
#[inline(always)]
fn jet_split<T: Scalar>(f: T, d1: T, d2k: impl FnOnce() -> (T, T), second: bool) -> Jet<T> {
    let (d2, k) = if second { d2k() } else { (T::zero(), T::one()) };
    Jet { f, d1, d2, k }
}

#[inline(always)]
fn two<T: Scalar>() -> T {
    T::one() + T::one()
}

/// A function that is locally constant: derivatives zero.
#[inline(always)]
pub(crate) fn constant<T: Scalar>(f: T) -> Jet<T> {
    Jet {
        f,
        d1: T::zero(),
        d2: T::zero(),
        k: T::one(),
    }
}

#[inline]
pub(crate) fn recip<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.recip();
    let d1 = -(f * f);
    jet(f, d1, || -two::<T>() * f * d1, second)
}

#[inline]
pub(crate) fn sqrt<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.sqrt();
    // 1/(2√x); `abs` makes √(−0) = −0 give +∞ like √(+0). A quotient, not
    // `recip`: for nested types its derivative is then −(d·t)/(2√x), not
    // −d²·t, which underflows at large x where the product does not.
    let d1 = T::one() / (Float::abs(f) * two());
    // −1/(4x^(3/2)) = (−f′/2)·(1/x), in two factors (see [`Jet`]).
    jet_split(f, d1, || (-(d1 * T::lit(0.5)), T::one() / x), second)
}

#[inline]
pub(crate) fn cbrt<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.cbrt();
    let d1 = T::one() / (f * f * T::lit(3.0));
    // −2/(9x^(5/3)) = (−⅔f′)·(1/x).
    jet_split(
        f,
        d1,
        || (-(d1 * two()) / T::lit(3.0), T::one() / x),
        second,
    )
}

#[inline]
pub(crate) fn powi<T: Scalar>(x: T, n: i32, second: bool) -> Jet<T> {
    let f = x.powi(n);
    // n·x^(n−1) and n(n−1)·x^(n−2), with the n = 0 and n = 1 cases written
    // out so that 0^0 · ∞ never turns a finite limit into NaN. The
    // exponents are formed in f64 (exact for every i32), so n = i32::MIN
    // neither overflows nor wraps.
    let nf = T::lit(f64::from(n));
    let d1 = if n == 0 {
        T::zero()
    } else {
        nf * powi_shifted(x, n, 1)
    };
    jet(
        f,
        d1,
        || {
            if n == 0 || n == 1 {
                T::zero()
            } else {
                nf * T::lit(f64::from(n) - 1.0) * powi_shifted(x, n, 2)
            }
        },
        second,
    )
}

/// `x^(n − k)`: `powi` where `n − k` fits an `i32`, `powf` with the exact
/// f64 exponent where it does not (`n` near `i32::MIN`).
#[inline(always)]
fn powi_shifted<T: Scalar>(x: T, n: i32, k: i32) -> T {
    match n.checked_sub(k) {
        Some(m) => x.powi(m),
        None => x.powf(T::lit(f64::from(n) - f64::from(k))),
    }
}

/// `1/x`, when `x^(p−1)` may be computed as `x^p · (1/x)` from the `x^p`
/// already at hand, saving a second (and third) `powf` call: for plain
/// floats, where `x` and `x^p` are normal numbers (nothing over- or
/// underflowed, no zero, no NaN) and `p ≠ 0`. The product adds two
/// roundings (the result stays within a few ulps). `None` elsewhere, and
/// for nested types: there the derivative of `x^p / x`, which nested types
/// compute, would cancel for `p` near 1, so they keep `x.powf(p − 1)`.
#[inline(always)]
fn pow_fast_recip<T: Scalar>(x: T, p: T, f: T) -> Option<T> {
    if T::DEPTH == 0 && f.is_normal() && x.is_normal() && p != T::zero() {
        Some(x.recip())
    } else {
        None
    }
}

/// `x^p` for a constant exponent `p`.
#[inline]
pub(crate) fn powf_const<T: Scalar>(x: T, p: T, second: bool) -> Jet<T> {
    let f = x.powf(p);
    let zero = T::zero();
    let one = T::one();
    if let Some(inv) = pow_fast_recip(x, p, f) {
        // p·x^p/x and (p − 1)·f′/x, with the factors p/x and (p − 1)/x
        // computed alongside `powf`, not after it.
        let (p_inv, pm1_inv) = (p * inv, (p - one) * inv);
        let d1 = f * p_inv;
        return jet(f, d1, || d1 * pm1_inv, second);
    }
    let d1 = if p == zero { zero } else { p * x.powf(p - one) };
    jet(
        f,
        d1,
        || {
            if p == zero || p == one {
                zero
            } else {
                p * (p - one) * x.powf(p - two())
            }
        },
        second,
    )
}

/// `x^y` with both varying.
#[inline]
pub(crate) fn powf<T: Scalar>(x: T, y: T, second: bool) -> Jet2<T> {
    let base = powf_const(x, y, second);
    let zero = T::zero();
    let x_is_zero = x == zero;
    // ∂/∂y x^y = x^y ln x; at x = 0 the function of y is constant (0 or ∞).
    let lnx = x.ln();
    let fy = if x_is_zero { zero } else { base.f * lnx };
    let (fxy, fyy) = if !second || x_is_zero {
        (zero, zero)
    } else {
        // ∂²/∂x∂y = x^(y−1) (1 + y ln x)
        let x_pm1 = match pow_fast_recip(x, y, base.f) {
            Some(inv) => base.f * inv,
            None => x.powf(y - T::one()),
        };
        (x_pm1 * (T::one() + y * lnx), fy * lnx)
    };
    Jet2 {
        f: base.f,
        fx: base.d1,
        fy,
        fxx: base.d2,
        fxy,
        fyy,
    }
}

#[inline]
pub(crate) fn exp<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.exp();
    jet(f, f, || f, second)
}

#[inline]
pub(crate) fn exp2<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.exp2();
    let d1 = f * T::LN_2();
    jet(f, d1, || d1 * T::LN_2(), second)
}

#[inline]
pub(crate) fn exp_m1<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.exp_m1();
    let d1 = x.exp();
    jet(f, d1, || d1, second)
}

#[inline]
pub(crate) fn ln<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.ln();
    // 1/x as a quotient (see `sqrt`); −1/x² as (−1/x)·(1/x).
    let d1 = T::one() / x;
    jet_split(f, d1, || (-d1, d1), second)
}

#[inline]
pub(crate) fn log2<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.log2();
    let d1 = T::one() / (x * T::LN_2());
    jet_split(f, d1, || (-d1, T::one() / x), second)
}

#[inline]
pub(crate) fn log10<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.log10();
    let d1 = T::one() / (x * T::LN_10());
    jet_split(f, d1, || (-d1, T::one() / x), second)
}

/// `log_b(x)` with both the argument `x` and the base `b` varying.
#[inline]
pub(crate) fn log<T: Scalar>(x: T, b: T, second: bool) -> Jet2<T> {
    let f = x.log(b);
    let lnb = b.ln();
    let fx = (x * lnb).recip();
    let fy = -f / (b * lnb);
    let zero = T::zero();
    let (fxx, fxy, fyy) = if second {
        (
            -fx / x,
            -(x * b * lnb * lnb).recip(),
            f / (b * b * lnb) * (two::<T>() / lnb + T::one()),
        )
    } else {
        (zero, zero, zero)
    };
    Jet2 {
        f,
        fx,
        fy,
        fxx,
        fxy,
        fyy,
    }
}

#[inline]
pub(crate) fn ln_1p<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.ln_1p();
    let d1 = T::one() / (T::one() + x);
    jet_split(f, d1, || (-d1, d1), second)
}

/// The jets of `sin` and of `cos`, from one `sin_cos` evaluation.
#[inline]
pub(crate) fn sin_cos<T: Scalar>(x: T, second: bool) -> (Jet<T>, Jet<T>) {
    let (s, c) = x.sin_cos();
    (jet(s, c, || -s, second), jet(c, -s, || -c, second))
}

#[inline]
pub(crate) fn sin<T: Scalar>(x: T, second: bool) -> Jet<T> {
    sin_cos(x, second).0
}

#[inline]
pub(crate) fn cos<T: Scalar>(x: T, second: bool) -> Jet<T> {
    sin_cos(x, second).1
}

#[inline]
pub(crate) fn tan<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.tan();
    let d1 = T::one() + f * f;
    jet(f, d1, || two::<T>() * f * d1, second)
}

/// 1 − x², computed as (1 − x)(1 + x) so that it keeps its digits near ±1,
/// and as 1 − x·x for |x| < ½, where the derivative of the product form
/// (−(1 + x) + (1 − x), which nested types compute) would cancel.
#[inline(always)]
fn one_minus_sq<T: Scalar>(x: T) -> T {
    if Float::abs(x) < T::lit(0.5) {
        T::one() - x * x
    } else {
        (T::one() - x) * (T::one() + x)
    }
}

#[inline]
pub(crate) fn asin<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.asin();
    let d1 = one_minus_sq(x).sqrt().recip();
    jet(f, d1, || x * d1 * d1 * d1, second)
}

#[inline]
pub(crate) fn acos<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.acos();
    let d1 = -one_minus_sq(x).sqrt().recip();
    jet(f, d1, || x * d1 * d1 * d1, second)
}

#[inline]
pub(crate) fn atan<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.atan();
    let d1 = (T::one() + x * x).recip();
    jet(f, d1, || -two::<T>() * x * d1 * d1, second)
}

/// `atan2(y, x)`: here the first variable is `y`, the second `x`, as in
/// `y.atan2(x)`. At the origin the derivatives are defined as 0.
#[inline]
pub(crate) fn atan2<T: Scalar>(y: T, x: T, second: bool) -> Jet2<T> {
    let f = y.atan2(x);
    let zero = T::zero();
    // From r² = x² + y² directly, with one division and no `hypot`,
    // wherever r² is a normal number (neither over- nor underflowed). For
    // nested types this form's own derivatives are as exact as those of the
    // `hypot` form below: both cancel only in ∂²f/∂x∂y = (y² − x²)/r⁴ near
    // |x| = |y|, where that term itself vanishes.
    let r2 = x * x + y * y;
    if r2.is_normal() {
        let inv = r2.recip();
        let (cx, cy) = (x * inv, y * inv); // x / r², y / r²
        let (fyy, fxy, fxx) = if second {
            let k = two::<T>() * cx * cy; // 2xy / r⁴
            (-k, cy * cy - cx * cx, k)
        } else {
            (zero, zero, zero)
        };
        return Jet2 {
            f,
            fx: cx,
            fy: -cy,
            fxx: fyy,
            fxy,
            fyy: fxx,
        };
    }
    // r = hypot(x, y) keeps x² + y² from overflowing.
    let r = x.hypot(y);
    if r == zero {
        return Jet2::constant(f);
    }
    let (cx, cy) = (x / r, y / r);
    let dy = cx / r; // ∂f/∂y = x / r²
    let dx = -cy / r; // ∂f/∂x = −y / r²
    let (fyy, fxy, fxx) = if second {
        // Divided by r twice, not by r²: r² underflows for r < 1e-154
        // (0/0 = NaN on an axis) and overflows for r > 1e154.
        let k = two::<T>() * cx * cy / r / r; // 2xy / r⁴
        (-k, (cy * cy - cx * cx) / r / r, k)
    } else {
        (zero, zero, zero)
    };
    Jet2 {
        f,
        fx: dy,
        fy: dx,
        fxx: fyy,
        fxy,
        fyy: fxx,
    }
}

#[inline]
pub(crate) fn sinh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.sinh();
    jet(f, x.cosh(), || f, second)
}

#[inline]
pub(crate) fn cosh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.cosh();
    jet(f, x.sinh(), || f, second)
}

/// `e^(−2|x|)`, written as a branch on the sign so that each side is a smooth
/// function of `x` (nested derivatives stay exact).
#[inline(always)]
fn exp_neg_2abs<T: Scalar>(x: T) -> T {
    let two_x = x * two();
    if x >= T::zero() {
        (-two_x).exp()
    } else {
        two_x.exp()
    }
}

#[inline]
pub(crate) fn tanh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.tanh();
    let d1 = tanh_slope(x, || f);
    jet(f, d1, || -two::<T>() * f * d1, second)
}

/// tanh′x = sech²x, given a way to get tanh x (already computed by the
/// forward rule, computed on demand by the reverse layer).
///
/// For |x| < ½ it is 1 − tanh²x: no cancellation there (|tanh x| < 0.47,
/// error under an ulp), no second transcendental, and its own derivative
/// −2·tanh·tanh′ (which nested types compute) has no cancellation near 0
/// either. Elsewhere it is 4e/(1+e)² with e = e^(−2|x|): 1 − tanh²x would
/// lose every digit for |x| > 19, and this form never overflows.
#[inline(always)]
pub(crate) fn tanh_slope<T: Scalar>(x: T, tanh_x: impl FnOnce() -> T) -> T {
    if Float::abs(x) < T::lit(0.5) {
        let t = tanh_x();
        T::one() - t * t
    } else {
        let e = exp_neg_2abs(x);
        let one_e = T::one() + e;
        T::lit(4.0) * e / (one_e * one_e)
    }
}

#[inline]
pub(crate) fn asinh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.asinh();
    let d1 = T::one().hypot(x).recip();
    jet(f, d1, || -x * d1 * d1 * d1, second)
}

#[inline]
pub(crate) fn acosh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.acosh();
    // 1/√(x−1)·√(x+1): the product under one root would overflow for
    // x > 1e154 and give 0.
    let d1 = ((x - T::one()).sqrt() * (x + T::one()).sqrt()).recip();
    jet(f, d1, || -x * d1 * d1 * d1, second)
}

#[inline]
pub(crate) fn atanh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.atanh();
    let d1 = one_minus_sq(x).recip();
    jet(f, d1, || two::<T>() * x * d1 * d1, second)
}

/// |x|, with derivative sign(x) including at ±0: abs′(+0) = +1,
/// abs′(−0) = −1 (as JAX and ForwardDiff.jl take it). Then |t|² and |t|·|t|
/// have their smooth second derivative 2 at 0, and |x| of a variable seeded
/// at +0 is the identity.
#[inline]
pub(crate) fn abs<T: Scalar>(x: T) -> Jet<T> {
    let d1 = if x.is_sign_negative() {
        -T::one()
    } else {
        T::one()
    };
    Jet {
        f: Float::abs(x),
        d1,
        d2: T::zero(),
        k: T::one(),
    }
}

/// `x − trunc(x)`: slope 1 between the integers.
#[inline]
pub(crate) fn fract<T: Scalar>(x: T) -> Jet<T> {
    Jet {
        f: x.fract(),
        d1: T::one(),
        d2: T::zero(),
        k: T::one(),
    }
}

/// `e^(−|x|)`, as a smooth function of `x` on each side of 0; with it the
/// logistic function and softplus never overflow.
#[inline(always)]
fn exp_neg_abs<T: Scalar>(x: T) -> (bool, T) {
    let nonneg = x >= T::zero();
    (nonneg, if nonneg { (-x).exp() } else { x.exp() })
}

#[inline]
pub(crate) fn sigmoid<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let (nonneg, e) = exp_neg_abs(x);
    sigmoid_from(x, nonneg, e, second)
}

/// The logistic jet given `e = e^(−|x|)`.
#[inline(always)]
fn sigmoid_from<T: Scalar>(x: T, nonneg: bool, e: T, second: bool) -> Jet<T> {
    let one_e = T::one() + e;
    // σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
    let f = if nonneg { one_e.recip() } else { e / one_e };
    // σ′ = e/(1+e)², exact even where σ rounds to 1. Near 0 it is written
    // as sech²(x/2)/4 instead: the same value, but its own derivative
    // (which nested types compute from it) has no cancellation there.
    let d1 = if Float::abs(x) < T::one() {
        let s = (x * T::lit(0.5)).cosh().recip();
        s * s * T::lit(0.25)
    } else {
        e / (one_e * one_e)
    };
    // σ″ = σ′(1 − 2σ) and 1 − 2σ = −tanh(x/2), which keeps its digits near 0.
    jet(f, d1, || -d1 * (x * T::lit(0.5)).tanh(), second)
}

#[inline]
pub(crate) fn softplus<T: Scalar>(x: T, second: bool) -> Jet<T> {
    // ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)).
    let (nonneg, e) = exp_neg_abs(x);
    let s = sigmoid_from(x, nonneg, e, second);
    let tail = e.ln_1p();
    let f = if nonneg { x + tail } else { tail };
    Jet {
        f,
        d1: s.f,
        d2: s.d1,
        k: T::one(),
    }
}

/// max(x, 0) with derivative 0 at the kink; NaN stays NaN.
#[inline]
pub(crate) fn relu<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    let zero = T::zero();
    if x > zero {
        Jet {
            f: x,
            d1: T::one(),
            d2: zero,
            k: T::one(),
        }
    } else if x.is_nan() {
        Jet {
            f: x,
            d1: x,
            d2: x,
            k: x,
        }
    } else {
        constant(zero)
    }
}

#[inline]
pub(crate) fn erf<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.erf();
    let d1 = T::lit(core::f64::consts::FRAC_2_SQRT_PI) * (-(x * x)).exp();
    jet(f, d1, || -two::<T>() * x * d1, second)
}

/// `hypot(x, y)`; derivatives 0 at the origin, where it has a cone point.
#[inline]
pub(crate) fn hypot<T: Scalar>(x: T, y: T, second: bool) -> Jet2<T> {
    let f = x.hypot(y);
    let zero = T::zero();
    if f == zero {
        return Jet2::constant(f);
    }
    // cx = x/f and cy = y/f, written through the ratio of the smaller to
    // the larger argument: the same values, but their own derivatives
    // (which nested types compute) do not cancel when |x| ≫ |y| or |y| ≫ |x|.
    let (cx, cy) = if Float::abs(y) >= Float::abs(x) {
        let r = x / y;
        let cy = y.signum() / (T::one() + r * r).sqrt();
        (r * cy, cy)
    } else {
        let r = y / x;
        let cx = x.signum() / (T::one() + r * r).sqrt();
        (cx, r * cx)
    };
    let (fxx, fxy, fyy) = if second {
        (cy * cy / f, -(cx * cy) / f, cx * cx / f)
    } else {
        (zero, zero, zero)
    };
    Jet2 {
        f,
        fx: cx,
        fy: cy,
        fxx,
        fxy,
        fyy,
    }
}

/// `x % y = x − y·trunc(x/y)`: ∂/∂x = 1, ∂/∂y = −trunc(x/y).
#[inline]
pub(crate) fn rem<T: Scalar>(x: T, y: T) -> Jet2<T> {
    let zero = T::zero();
    Jet2 {
        f: x % y,
        fx: T::one(),
        fy: -(x / y).trunc(),
        fxx: zero,
        fxy: zero,
        fyy: zero,
    }
}

/// Which argument of `max`/`min` the result follows: `Some(true)` the first,
/// `Some(false)` the second, `None` a tie (the mean of both is taken).
#[inline]
pub(crate) fn pick_max<T: Scalar>(x: T, y: T) -> Option<bool> {
    if x > y || y.is_nan() {
        Some(true)
    } else if y > x || x.is_nan() {
        Some(false)
    } else {
        None
    }
}

/// See [`pick_max`].
#[inline]
pub(crate) fn pick_min<T: Scalar>(x: T, y: T) -> Option<bool> {
    if x < y || y.is_nan() {
        Some(true)
    } else if y < x || x.is_nan() {
        Some(false)
    } else {
        None
    }
}

/// The linear combination `a·x + b·y` for `max`/`min` and ties.
#[inline]
pub(crate) fn select2<T: Scalar>(f: T, which: Option<bool>) -> Jet2<T> {
    let zero = T::zero();
    let (fx, fy) = match which {
        Some(true) => (T::one(), zero),
        Some(false) => (zero, T::one()),
        None => (T::lit(0.5), T::lit(0.5)),
    };
    Jet2 {
        f,
        fx,
        fy,
        fxx: zero,
        fxy: zero,
        fyy: zero,
    }
}
