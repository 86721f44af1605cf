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
///
/// With `basis = Some([a, b, c, d])` the second partials are given in the
/// coordinates `P = a·x + b·y`, `Q = c·x + d·y` of the arguments' parts
/// (`fxx` is then ∂²f/∂P², and so on): the chain rules map each argument's
/// parts into them first ([`Jet2::tangents`]). A rule whose Hessian is
/// nearly singular along some direction says so this way, and the
/// second-order term is formed from the small projection itself instead
/// of by cancelling large entries (`hypot`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jet2<T> {
    pub f: T,
    pub fx: T,
    pub fy: T,
    pub fxx: T,
    pub fxy: T,
    pub fyy: T,
    pub basis: Option<[T; 4]>,
}

impl<T: Scalar> Jet2<T> {
    /// The parts `(a, b)` of the two arguments in the coordinates of the
    /// second partials (see [`Jet2::basis`]), each product through `m`
    /// (the chain rule's multiply).
    #[inline(always)]
    pub(crate) fn tangents(&self, a: T, b: T, m: impl Fn(T, T) -> T) -> (T, T) {
        match self.basis {
            Some([p, q, r, s]) => (m(p, a) + m(q, b), m(r, a) + m(s, b)),
            None => (a, b),
        }
    }

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
            basis: None,
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

/// The number with value `v(x₀)` whose derivative parts are those of the
/// Taylor expansion `v(x₀) + v′(x₀)·δ + ½v″(x₀)·δ²` in δ = x − x₀ (x₀ the
/// plain value at the bottom of x): for a `T` carrying derivatives up to
/// order `T::ORDER ≤ terms`, exactly the number that applying `v` to `x`
/// would give, but from closed forms of v and its derivatives at the plain
/// value instead of nested arithmetic on a formula for v, which cancels
/// (f‴ near its zeros) or meets 0·∞ (at ±∞). `derivs` gives
/// `[v, v′, v″]` at x₀ (`terms` of them are used: 2 or 3).
///
/// A rule lifts its f′ (terms 3: f′, f″, f‴) for inner types up to order
/// 2 (`Dual<Dual<f64>>` inside `Dual<Dual<Dual<f64>>>`) and its f″ (terms 2:
/// f″, f‴) for inner types of order 1 (`Dual<f64>` inside
/// `HyperDual<Dual<f64>>`). `None` for plain floats, for inner types of
/// higher order (which need higher closed forms, and keep the formulas),
/// where a coefficient is not finite, and outside `range.0 ≤ |x₀| ≤ range.1`
/// (except 0 and ±∞): far out, the lifted f″ of a power law may under- or
/// overflow where the chain rule's split form does not (√ at 1e304 reached
/// through `exp`), so those rules lift only within 1e-100 … 1e100.
#[inline(always)]
fn lift<T: Scalar>(
    x: T,
    terms: usize,
    range: (f64, f64),
    derivs: impl FnOnce(T::Real) -> [T::Real; 3],
) -> Option<T> {
    if T::ORDER == 0 || T::ORDER >= terms {
        return None;
    }
    let zero = <T::Real as num_traits::Zero>::zero();
    let x0 = x.real();
    let a = Float::abs(x0);
    if a != zero
        && a.is_finite()
        && !(<T::Real as Scalar>::lit(range.0)..=<T::Real as Scalar>::lit(range.1)).contains(&a)
    {
        return None;
    }
    let [v, d1, d2] = derivs(x0);
    let d2 = if terms > 2 { d2 } else { zero };
    if !d1.is_finite() || !d2.is_finite() {
        return None;
    }
    if !x0.is_finite() {
        // x − x₀ is ∞ − ∞ at ±∞; there zero slopes (the limits of every
        // function lifted here) make the lifted number a constant.
        return (d1 == zero && d2 == zero).then(|| T::from_real(v));
    }
    let delta = x - T::from_real(x0);
    let mut y = T::from_real(v) + delta.mul_real(d1);
    if terms > 2 && T::ORDER >= 2 {
        y += (delta * delta).mul_real(d2 * <T::Real as Scalar>::lit(0.5));
    }
    Some(y)
}

/// Where the closed forms of power laws are used (see [`lift`]).
const POWER: (f64, f64) = (1e-100, 1e100);
/// … of functions whose derivatives vanish or stay bounded at ±∞ but may
/// grow like a power at 0 (atan″ ~ 1/x³ far out).
const LARGE: (f64, f64) = (0.0, 1e100);
/// … of functions whose derivatives are bounded everywhere.
const ANY: (f64, f64) = (0.0, f64::INFINITY);

/// `lift(x, 2, …)` for a rule's f″ from f″ and f‴ (see [`lift`]).
#[inline(always)]
fn lift1<T: Scalar>(
    x: T,
    v: impl FnOnce(T::Real) -> T::Real,
    dv: impl FnOnce(T::Real) -> T::Real,
) -> Option<T> {
    lift(x, 2, POWER, |x0| {
        [v(x0), dv(x0), <T::Real as num_traits::Zero>::zero()]
    })
}

/// The lifted f′ (from f′, f″, f‴) and, if `second`, f″ (from f″, f‴) of
/// a rule whose closed forms `derivs(x₀) = [f′, f″, f‴]` are known (see
/// [`lift`]); `None` where the rule's own formulas are to be used.
#[inline(always)]
fn lifted<T: Scalar>(
    x: T,
    second: bool,
    range: (f64, f64),
    derivs: impl Fn(T::Real) -> [T::Real; 3],
) -> (Option<T>, Option<T>) {
    // f′ of a first-order inner type (`Dual<f64>` in `Dual<Dual<f64>>`):
    // the rules' f′ formulas, differentiated, are accurate already (within
    // 4 ulps, ACCURACY.md) and cheaper than the closed forms (second
    // derivatives by `Dual<Dual>` are benchmarked); lifted only at ±∞, where
    // the formulas meet ∞·0.
    let d1 = if T::ORDER >= 2 || !x.real().is_finite() {
        lift(x, 3, range, &derivs)
    } else {
        None
    };
    let d2 = if second {
        lift(x, 2, range, |x0| {
            let [_, a, b] = derivs(x0);
            [a, b, <T::Real as num_traits::Zero>::zero()]
        })
    } else {
        None
    };
    (d1, d2)
}

/// `sinh(a − c)` for `c = hi + lo` given to twice the float precision:
/// `a − hi` is exact near `hi` (Sterbenz), so the difference keeps its
/// digits where `a` is close to `c`.
#[inline(always)]
fn sinh_minus<R: Scalar>(a: R, hi: f64, lo: f64) -> R {
    ((a - R::lit(hi)) - R::lit(lo)).sinh()
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
    let (l1, l2) = lifted(x, second, POWER, sqrt_derivs);
    // 1/(2√x); `abs` makes √(−0) = −0 give +∞ like √(+0). A quotient, not
    // `recip`: for nested types its derivative is then −(d·t)/(2√x), not
    // −d²·t, which underflows at large x where the product does not.
    let d1 = l1.unwrap_or_else(|| T::one() / (Float::abs(f) * two()));
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    // −1/(4x^(3/2)) = (−f′/2)·(1/x), in two factors (see [`Jet`]).
    jet_split(f, d1, || (-(d1 * T::lit(0.5)), T::one() / x), second)
}

/// √′, √″, √‴ in closed form: 1/(2√x), −1/(4x√x), 3/(8x²√x).
fn sqrt_derivs<R: Scalar>(x: R) -> [R; 3] {
    let r = x.sqrt();
    [
        R::one() / (r * two()),
        -(R::lit(0.25) / (x * r)),
        R::lit(0.375) / (x * x * r),
    ]
}

#[inline]
pub(crate) fn cbrt<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.cbrt();
    let (l1, l2) = lifted(x, second, POWER, cbrt_derivs);
    let d1 = l1.unwrap_or_else(|| T::one() / (f * f * T::lit(3.0)));
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    // −2/(9x^(5/3)) = (−⅔f′)·(1/x).
    jet_split(
        f,
        d1,
        || (-(d1 * two()) / T::lit(3.0), T::one() / x),
        second,
    )
}

/// ∛′, ∛″, ∛‴ in closed form: 1/(3∛x²), −(2/9)/(x∛x²), (10/27)/(x²∛x²).
fn cbrt_derivs<R: Scalar>(x: R) -> [R; 3] {
    let c = x.cbrt();
    let c2 = c * c;
    [
        R::one() / (c2 * R::lit(3.0)),
        -(R::lit(2.0 / 9.0) / (x * c2)),
        R::lit(10.0 / 27.0) / ((x * x) * c2),
    ]
}

#[inline]
pub(crate) fn powi<T: Scalar>(x: T, n: i32, second: bool) -> Jet<T> {
    let f = x.powi(n);
    // n·x^(n−1) and n(n−1)·x^(n−2), with the n = 0 and n = 1 cases written
    // out so that 0^0 · ∞ never turns a finite limit into NaN. The
    // exponents are formed in f64 (exact for every i32), so n = i32::MIN
    // neither overflows nor wraps.
    let d1 = if n == 0 {
        T::zero()
    } else {
        powi_term(x, f64::from(n), n, 1)
    };
    if second && n != 0 && n != 1 {
        // f″ and f‴ = n(n−1)(n−2)·x^(n−3) in closed form: f‴ stays finite
        // where f″ overflows (x³ at 1e308: f″ = ∞, f‴ = 6).
        let c = f64::from(n) * (f64::from(n) - 1.0);
        let d2 = lift1(
            x,
            |x0| powi_term(x0, c, n, 2),
            |x0| {
                if n == 2 {
                    <T::Real as num_traits::Zero>::zero()
                } else {
                    powi_term(x0, c * (f64::from(n) - 2.0), n, 3)
                }
            },
        );
        if let Some(d2) = d2 {
            return Jet {
                f,
                d1,
                d2,
                k: T::one(),
            };
        }
    }
    jet(
        f,
        d1,
        || {
            if n == 0 || n == 1 {
                T::zero()
            } else {
                powi_term(x, f64::from(n) * (f64::from(n) - 1.0), n, 2)
            }
        },
        second,
    )
}

/// `c·x^(n − k)`, a term of `powi`'s derivatives (`c` = n, n(n−1),
/// n(n−1)(n−2), at most 2⁹³ in magnitude). `x^(n − k)` is `powi` itself
/// for small exponents (−1 to 6) at moderate `|x|` (2⁻¹⁶⁰ to 2¹⁶⁰), where
/// its few multiplications (at most three: x⁶ = x⁴·x², each squaring
/// doubling the error before it) round within 2.5 ulps and cannot under-
/// or overflow, and which keeps the common `powi(6)` and `powi(3)` free of
/// `powf` calls; otherwise `powf` with the exponent in `f64` (exact for every
/// `i32`, so `n` near `i32::MIN` neither overflows nor wraps). `powi`
/// multiplies by repeated squaring, whose error grows with the exponent (58
/// ulps of `x^(−1001)` at 0.9999999, 1.6·10³ ulps at `n = −65537`), and
/// forms a negative power as `1/x^|m|`, which is 0 where `x^|m|` overflows
/// and ∞ where it underflows although `x^m` is finite (`1000^(−103)`).
///
/// Where `x^m` is subnormal but `c·x^m` need not be (`c·1000^(−103)`), the
/// power is split into two normal halves, `(c·x^(m−h))·x^h`, so that only
/// the last product rounds in the subnormal range.
#[inline(always)]
fn powi_term<T: Scalar>(x: T, c: f64, n: i32, k: i32) -> T {
    let m = i64::from(n) - i64::from(k);
    let a = x.abs();
    let c = T::lit(c);
    if (-1..=6).contains(&m) && a >= T::lit(POWI_SAFE_LO) && a <= T::lit(POWI_SAFE_HI) {
        // `m` is in −1..=6, so the cast is exact.
        return c * x.powi(m as i32);
    }
    let p = x.powf(T::lit(m as f64));
    if p.abs() < T::min_positive_value() && a.is_finite() && !a.is_zero() && m.abs() > 1 {
        let h = m / 2;
        return (c * x.powf(T::lit((m - h) as f64))) * x.powf(T::lit(h as f64));
    }
    c * p
}

/// 2⁻¹⁶⁰ and 2¹⁶⁰: the range of `|x|` where `x^m`, `|m| ≤ 6`, and every
/// partial product `powi` forms on the way are normal numbers.
const POWI_SAFE_LO: f64 = 6.842277657836021e-49;
const POWI_SAFE_HI: f64 = 1.461501637330903e48;

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
    // The shortcuts for p = 0 and p = 1 (no 0^0·∞) test every part: a
    // nested exponent with value 0 but a derivative (x^y with y varying
    // inside `Dual<Dual>`) is not the constant 0 (σ(x)^x″ at 0 was 0.98,
    // truth 1.48).
    let (p0, p1) = (p.all_parts_zero(), (p - one).all_parts_zero());
    let d1 = if p0 { zero } else { p * pow_shifted(x, p, one) };
    jet(
        f,
        d1,
        || {
            if p0 || p1 {
                zero
            } else {
                p * (p - one) * pow_shifted(x, p, two())
            }
        },
        second,
    )
}

/// `x^(p − k)`, where `p − k` may not be a float (0.3 − 1 is not): its
/// rounding error `e` (exact, from a two-sum) enters as the factor
/// `x^e ≈ 1 + e·ln x`. Without it the error of x^(p−1) is |ln x|·ulp(p − 1),
/// 186 ulps at x = 5e-324 and 89 ulps of f″ at 1e-154 for p = 0.3.
#[inline(always)]
fn pow_shifted<T: Scalar>(x: T, p: T, k: T) -> T {
    let s = p - k;
    let b = s - p;
    let e = (p - (s - b)) + (-k - b);
    let base = x.powf(s);
    if e == T::zero() {
        return base;
    }
    let l = x.ln();
    if l.is_finite() {
        base + base * (e * l)
    } else {
        base
    }
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
            None => pow_shifted(x, y, T::one()),
        };
        (x_pm1 * (T::one() + y * lnx), fy * lnx)
    };
    let (mut fx, mut fxx, mut fxy) = (base.d1, base.d2, fxy);
    if T::DEPTH > 0 && !x_is_zero && x.is_finite() && base.f.is_finite() && base.f != zero {
        // In a nested type the partials are numbers whose own derivative
        // parts carry the next order. With the exponent varying too, those
        // of y·x^(y−1), y(y−1)·x^(y−2) and x^(y−1) have terms of the scale
        // x^(y−2) and x^(y−3) that cancel in the total (x^x″ = x^x·((1 +
        // ln x)² + 1/x) is 1e300 at x = 1e-300, but d/dx x^(x−1) ≈ −1e600):
        // they overflow first and the total is NaN. Where they do, the
        // partials are formed from x^y with factors of the scale 1/x instead
        // (`y/x` has no 1/x² part when x and y move together), and taken
        // where they are all finite or mend an infinite value part (not
        // where 1/x itself overflows, at a subnormal x). Only there:
        // elsewhere `x^y/x` would cancel for y near 1 (see
        // `pow_fast_recip`), and plain floats never come here.
        let one = T::one();
        fx = finite_or(fx, || base.f * (y / x));
        if second {
            fxx = finite_or(fxx, || fx * ((y - one) / x));
            fxy = finite_or(fxy, || (base.f / x) * (one + y * lnx));
        }
    }
    Jet2 {
        f: base.f,
        fx,
        fy,
        fxx,
        fxy,
        fyy,
        basis: None,
    }
}

/// Whether every part of `v` is finite (`0·v` is 0 in each finite part,
/// NaN in each infinite or NaN one).
#[inline(always)]
fn all_parts_finite<T: Scalar>(v: T) -> bool {
    v.mul_real(<T::Real as num_traits::Zero>::zero())
        .all_parts_zero()
}

/// `v` if all its parts are finite; otherwise the other form `alt()` if
/// all of its parts are, or if it has a finite value part where `v` has
/// not; else `v`.
#[inline(always)]
fn finite_or<T: Scalar>(v: T, alt: impl FnOnce() -> T) -> T {
    if all_parts_finite(v) {
        return v;
    }
    let a = alt();
    if all_parts_finite(a) || (a.is_finite() && !v.is_finite()) {
        a
    } else {
        v
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
    if f.is_infinite() && x.is_finite() {
        // Within about one of overflow (x > 1024) 2^x is ∞ but its
        // derivatives 2^x·lnᵏ2 may not be: 2^(x−1)·2lnᵏ2, x − 1 exact.
        let h = (x - T::one()).exp2();
        let two_ln2 = two::<T>() * T::LN_2();
        return jet(f, h * two_ln2, || h * (two_ln2 * T::LN_2()), second);
    }
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
    // (1/x)·log_b(e): no overflow of x·ln b at the largest x.
    let inv = T::one() / x;
    let d1 = inv * T::LOG2_E();
    jet_split(f, d1, || (-d1, inv), second)
}

#[inline]
pub(crate) fn log10<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.log10();
    // (1/x)·log_b(e): no overflow of x·ln b at the largest x.
    let inv = T::one() / x;
    let d1 = inv * T::LOG10_E();
    jet_split(f, d1, || (-d1, inv), second)
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
        basis: None,
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
    jet_split(f, d1, || (x * d1 * d1, d1), second)
}

#[inline]
pub(crate) fn acos<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.acos();
    let d1 = -one_minus_sq(x).sqrt().recip();
    jet_split(f, d1, || (x * d1 * d1, d1), second)
}

#[inline]
pub(crate) fn atan<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.atan();
    let (l1, l2) = lifted(x, second, LARGE, atan_derivs);
    let (d1, xd1) = atan_slope(x);
    let d1 = l1.unwrap_or(d1);
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    // −2x/(1 + x²)² = (−2·x·f′)·f′: finite (0) at ±∞ and beyond 1e154.
    jet_split(f, d1, || (-(two::<T>() * xd1), d1), second)
}

/// atan′, atan″, atan‴; f‴ = (6x² − 2)/(1 + x²)³ with 6x² − 2 from one
/// fused product of the exact x.
fn atan_derivs<R: Scalar>(x: R) -> [R; 3] {
    let (d1, xd1) = atan_slope(x);
    let d3 = if Float::abs(x) <= R::lit(1e50) {
        let q = x.mul_add(x, R::one());
        x.mul_add(x * R::lit(6.0), -two::<R>()) / (q * q * q)
    } else {
        // 6/x⁴ to within (1/x)²: below the rounding.
        let r = x.recip();
        R::lit(6.0) * (r * r) * (r * r)
    };
    [d1, -(two::<R>() * xd1 * d1), d3]
}

/// atan′x = 1/(1 + x²) and x·atan′x, written through r = 1/x for |x| > 1
/// so that neither overflows (x² does above 1e154, making atan″ 0·∞ = NaN).
#[inline(always)]
fn atan_slope<T: Scalar>(x: T) -> (T, T) {
    if Float::abs(x) > T::one() {
        let r = x.recip();
        let w = T::one() / (T::one() + r * r);
        (r * r * w, r * w)
    } else {
        let d1 = T::one() / x.mul_add(x, T::one());
        (d1, x * d1)
    }
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
        // A quotient, not `recip`: for nested types its derivative is then
        // −(inv·r2′)/r2, where −inv²·r2′ would under- or overflow (inv² for
        // r ≳ 1e77 or ≲ 1e-77) while the result does not.
        let inv = T::one() / r2;
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
            basis: None,
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
        basis: None,
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
    let (l1, l2) = lifted(x, second, ANY, tanh_derivs);
    let d1 = l1.unwrap_or_else(|| tanh_slope(x, || f));
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    jet(f, d1, || -two::<T>() * f * d1, second)
}

/// tanh′x alone (tanh x computed only where the formula needs it).
#[inline]
pub(crate) fn tanh_d1<T: Scalar>(x: T) -> T {
    tanh_slope(x, || x.tanh())
}

/// tanh′, tanh″, tanh‴ in closed form (see [`tanh_d3`]).
fn tanh_derivs<R: Scalar>(x: R) -> [R; 3] {
    let t = x.tanh();
    let s = tanh_slope(x, || t);
    [s, -(two::<R>() * t * s), tanh_d3(x)]
}

/// tanh‴x = 2 sech²x (3 tanh²x − 1). Near its zeros ±x* (x* = acosh(2)/2)
/// the factor is written as 2 sinh(|x| + x*) sinh(|x| − x*) sech²x, with x*
/// to twice the float precision, so it keeps its digits there; for |x| ≥ 2
/// (no cancellation) as sech²x (4 tanh²x − 2 sech²x), which stays finite.
fn tanh_d3<R: Scalar>(x: R) -> R {
    let t = x.tanh();
    let s = tanh_slope(x, || t);
    let a = Float::abs(x);
    if a < R::lit(2.0) {
        let xs = R::lit(0.658_478_948_462_408_4);
        let p =
            (a + xs).sinh() * sinh_minus(a, 0.658_478_948_462_408_4, -4.341_125_422_426_011e-17);
        R::lit(4.0) * p * s * s
    } else {
        s * (R::lit(4.0) * t * t - two::<R>() * s)
    }
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
    let (l1, l2) = lifted(x, second, LARGE, asinh_derivs);
    let (d1, c) = asinh_slope(x);
    let d1 = l1.unwrap_or(d1);
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    // −x/(1 + x²)^(3/2) = (−c·f′)·f′: 0 at ±∞ (x·f′³ is ∞·0 there), in
    // two factors of the scale of f′ (f′² underflows for |x| > 1e154).
    jet_split(f, d1, || (-(c * d1), d1), second)
}

/// asinh′, asinh″, asinh‴: f‴ = (2x² − 1)/(1 + x²)^(5/2) = (2c² − f′²)·f′³
/// with c = x·f′; for |x| ≤ 1 the factor from one fused product of the
/// exact x.
fn asinh_derivs<R: Scalar>(x: R) -> [R; 3] {
    let (d1, c) = asinh_slope(x);
    let k = if Float::abs(x) <= R::one() {
        x.mul_add(x * two::<R>(), -R::one()) * d1 * d1
    } else {
        two::<R>() * c * c - d1 * d1
    };
    [d1, -(c * d1 * d1), k * d1 * d1 * d1]
}

/// asinh′x = 1/√(1 + x²) and c = x·asinh′x, the latter through 1/x for
/// |x| > 1 (finite, ±1, at ±∞).
#[inline(always)]
fn asinh_slope<T: Scalar>(x: T) -> (T, T) {
    let d1 = T::one() / T::one().hypot(x);
    let c = if Float::abs(x) > T::one() {
        x.signum() / T::one().hypot(T::one() / x)
    } else {
        x * d1
    };
    (d1, c)
}

#[inline]
pub(crate) fn acosh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.acosh();
    let (l1, l2) = lifted(x, second, LARGE, |x0| {
        [acosh_d1(x0), acosh_d2(x0), acosh_d3(x0)]
    });
    let d1 = l1.unwrap_or_else(|| acosh_d1(x));
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    // −x/(x² − 1)^(3/2) = (−c·f′)·f′ with c = x·f′ = 1/√((1 − 1/x)(1 + 1/x))
    // for x > 2: finite (1) at +∞, where x·f′³ is ∞·0.
    jet_split(
        f,
        d1,
        || {
            let c = if x > two() {
                let r = T::one() / x;
                T::one() / ((T::one() - r).sqrt() * (T::one() + r).sqrt())
            } else {
                x * d1
            };
            (-(c * d1), d1)
        },
        second,
    )
}

/// acosh′x = 1/(√(x − 1)·√(x + 1)): the product under one root would
/// overflow for x > 1e154 and give 0.
#[inline(always)]
fn acosh_d1<T: Scalar>(x: T) -> T {
    T::one() / ((x - T::one()).sqrt() * (x + T::one()).sqrt())
}

/// acosh″x = −x/(x² − 1)^(3/2); for x > 2 through r = 1/x,
/// −r²/((1 − r)(1 + r))^(3/2), which is finite (0) at +∞.
fn acosh_d2<R: Scalar>(x: R) -> R {
    if x > two() {
        let r = x.recip();
        let w = (R::one() - r) * (R::one() + r);
        -(r * r) / (w * w.sqrt())
    } else {
        let u = (x - R::one()) * (x + R::one());
        -x / (u * u.sqrt())
    }
}

/// acosh‴x = (2x² + 1)/(x² − 1)^(5/2), as [`acosh_d2`].
fn acosh_d3<R: Scalar>(x: R) -> R {
    if x > two() {
        let r = x.recip();
        let w = (R::one() - r) * (R::one() + r);
        r.mul_add(r, two()) * (r * r * r) / (w * w * w.sqrt())
    } else {
        let u = (x - R::one()) * (x + R::one());
        x.mul_add(x * two(), R::one()) / (u * u * u.sqrt())
    }
}

#[inline]
pub(crate) fn atanh<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.atanh();
    let d1 = one_minus_sq(x).recip();
    jet_split(f, d1, || (two::<T>() * x * d1, d1), second)
}

/// |x|, with derivative sign(x) including at ±0: abs′(+0) = +1,
/// abs′(−0) = −1 (as JAX and ForwardDiff.jl take it). Then |t|² and |t|·|t|
/// have their smooth second derivative 2 at 0, and |x| of a variable seeded
/// at +0 is the identity.
#[inline]
pub(crate) fn abs<T: Scalar>(x: T, _second: bool) -> Jet<T> {
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
pub(crate) fn fract<T: Scalar>(x: T, _second: bool) -> Jet<T> {
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
    let mut j = sigmoid_from(x, nonneg, e, second);
    if T::ORDER > 0 {
        // For a nested argument the value through the type's own chain
        // rule (whose derivatives are lifted closed forms), not through
        // nested arithmetic on the formula, which loses σ″ at 1e-320.
        j.f = x.sigmoid();
    }
    let (l1, l2) = lifted(x, second, ANY, |x0| {
        let r = sigmoid(x0, true);
        [r.d1, r.d2 * r.k, sigmoid_d3(x0)]
    });
    let d1 = l1.unwrap_or(j.d1);
    match l2 {
        Some(d2) => Jet {
            d1,
            d2,
            k: T::one(),
            ..j
        },
        None => Jet { d1, ..j },
    }
}

/// σ‴x = σ′(1 − 6σ′). Near its zeros ±u (u = acosh 2) the factor is
/// (cosh x − 2)/(2cosh²(x/2)) = sinh((|x| + u)/2) sinh((|x| − u)/2)/cosh²(x/2),
/// with u to twice the float precision; for |x| ≥ 4 (no cancellation,
/// σ′ < 0.018) σ′(1 − 6σ′) itself, which stays finite.
fn sigmoid_d3<R: Scalar>(x: R) -> R {
    let d1 = sigmoid(x, false).d1;
    let a = Float::abs(x);
    if a < R::lit(4.0) {
        let half = R::lit(0.5);
        let ch = (x * half).cosh();
        let p = ((a + R::lit(1.316_957_896_924_816_8)) * half).sinh()
            * sinh_minus(
                a * half,
                0.658_478_948_462_408_4,
                -4.341_125_422_426_011e-17,
            );
        d1 * p / (ch * ch)
    } else {
        d1 * (R::one() - R::lit(6.0) * d1)
    }
}

/// σ′x alone.
#[inline]
pub(crate) fn sigmoid_d1<T: Scalar>(x: T) -> T {
    let (_, e) = exp_neg_abs(x);
    sigmoid_slope(x, e)
}

/// σ′x given `e = e^(−|x|)`: e/(1+e)², exact even where σ rounds to 1.
/// Near 0 it is written as sech²(x/2)/4 instead: the same value, but its
/// own derivative (which nested types compute from it) has no
/// cancellation there.
#[inline(always)]
fn sigmoid_slope<T: Scalar>(x: T, e: T) -> T {
    if Float::abs(x) < T::one() {
        let s = (x * T::lit(0.5)).cosh().recip();
        s * s * T::lit(0.25)
    } else {
        let one_e = T::one() + e;
        e / (one_e * one_e)
    }
}

/// The logistic jet given `e = e^(−|x|)`.
#[inline(always)]
fn sigmoid_from<T: Scalar>(x: T, nonneg: bool, e: T, second: bool) -> Jet<T> {
    let f = sigmoid_value(nonneg, e);
    let d1 = sigmoid_slope(x, e);
    // σ″ = σ′(1 − 2σ) and 1 − 2σ = −tanh(x/2), which keeps its digits near 0.
    jet(f, d1, || -d1 * (x * T::lit(0.5)).tanh(), second)
}

/// softplus′x = σ(x) alone (no logarithm).
#[inline]
pub(crate) fn softplus_d1<T: Scalar>(x: T) -> T {
    let (nonneg, e) = exp_neg_abs(x);
    sigmoid_value(nonneg, e)
}

/// σ(x) given `e = e^(−|x|)`: 1/(1+e) for x ≥ 0, e/(1+e) below.
#[inline(always)]
fn sigmoid_value<T: Scalar>(nonneg: bool, e: T) -> T {
    let one_e = T::one() + e;
    if nonneg {
        one_e.recip()
    } else {
        e / one_e
    }
}

#[inline]
pub(crate) fn softplus<T: Scalar>(x: T, second: bool) -> Jet<T> {
    if T::ORDER > 0 {
        // Nested: value, σ and σ′ through the types' own chain rules (see
        // `sigmoid`).
        return Jet {
            f: x.softplus(),
            d1: x.sigmoid(),
            d2: sigmoid(x, second).d1,
            k: T::one(),
        };
    }
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

/// max(x, 0) with derivative 0 at the kink; NaN stays NaN. Written as
/// selects, without branches, so that loops over it vectorise.
#[inline]
pub(crate) fn relu<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    let zero = T::zero();
    let keep = (x > zero) | x.is_nan();
    Jet {
        f: if keep { x } else { zero },
        d1: relu_d1(x),
        d2: if x.is_nan() { x } else { zero },
        k: if x.is_nan() { x } else { T::one() },
    }
}

/// relu′x: 1 above 0, 0 at and below, NaN for NaN.
#[inline]
pub(crate) fn relu_d1<T: Scalar>(x: T) -> T {
    let d = if x > T::zero() { T::one() } else { T::zero() };
    if x.is_nan() {
        x
    } else {
        d
    }
}

#[inline]
pub(crate) fn erf<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let f = x.erf();
    let (l1, l2) = lifted(x, second, ANY, |x0| [erf_slope(x0), erf_d2(x0), erf_d3(x0)]);
    let d1 = l1.unwrap_or_else(|| erf_slope(x));
    if let Some(d2) = l2 {
        return Jet {
            f,
            d1,
            d2,
            k: T::one(),
        };
    }
    jet(f, d1, || erf_d2(x), second)
}

/// erf‴x = (4x² − 2)·erf′x, the factor from one fused product.
fn erf_d3<R: Scalar>(x: R) -> R {
    erf_times(x, || x.mul_add(x * R::lit(4.0), -two::<R>()))
}

/// erf′x = (2/√π) e^(−x²) (see [`erf_times`]).
#[inline(always)]
fn erf_slope<T: Scalar>(x: T) -> T {
    erf_times(x, || T::one())
}

/// erf″x = −2x·erf′x.
#[inline(always)]
fn erf_d2<T: Scalar>(x: T) -> T {
    erf_times(x, || -(two::<T>() * x))
}

/// `q · (2/√π) e^(−x²)`, for the polynomial factors `q` of erf's
/// derivatives:
/// - x² = hi + lo is split exactly (`lo` from a fused multiply-add), and
///   e^(−hi)·(1 − lo) does not carry the rounding of x² into the
///   exponential (that cost up to 46 ulps for |x| near 6);
/// - for hi > 700, e^(−hi) = e^(−(hi − 700))·e^(−700) with the exact
///   difference, the factor e^(−700) applied last: a result in the
///   subnormal range is rounded once, not once per factor;
/// - 0 beyond |x| = 40 (every derivative underflows), so `q` = ±∞ at
///   ±∞ never meets e^(−x²) = 0.
#[inline(always)]
fn erf_times<T: Scalar>(x: T, q: impl FnOnce() -> T) -> T {
    let hi = x * x;
    if hi.is_nan() {
        return hi;
    }
    if hi > T::lit(1600.0) {
        return T::zero();
    }
    let lo = x.mul_add(x, -hi);
    let c = T::lit(core::f64::consts::FRAC_2_SQRT_PI) * (T::one() - lo) * q();
    if hi > T::lit(700.0) {
        (-(hi - T::lit(700.0))).exp() * c * T::lit(9.859_676_543_759_77e-305)
    } else {
        (-hi).exp() * c
    }
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
    // The Hessian is w·wᵀ/f with w = (cy, −cx): in the coordinate
    // P = (w/√f)·(x, y) it is P⊗P, so the second-order term is the product
    // of the projections themselves. As the three entries
    // (cy², −cx·cy, cx²)/f it cancels where w·p is small and the entries
    // are not (hypot(x, ln_1p x)″ at 1e-300: entries ~10²⁹⁹, term
    // ~10⁻³⁰⁰); and 1/√f on each factor, not 1/f after (w·p)², keeps x²/r³
    // from underflowing where (x/r)² does (x = 1e-270, y = 1e-100). 1/√f
    // is finite for every f > 0, subnormals included.
    let (fxx, basis) = if second {
        let k = f.sqrt().recip();
        (T::one(), Some([cy * k, -(cx * k), zero, zero]))
    } else {
        (zero, None)
    };
    Jet2 {
        f,
        fx: cx,
        fy: cy,
        fxx,
        fxy: zero,
        fyy: zero,
        basis,
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
        basis: None,
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
        basis: None,
    }
}

/// `floor x`: derivative 0.
#[inline]
pub(crate) fn floor<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    constant(x.floor())
}

/// `ceil x`: derivative 0.
#[inline]
pub(crate) fn ceil<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    constant(x.ceil())
}

/// `round x`: derivative 0.
#[inline]
pub(crate) fn round<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    constant(x.round())
}

/// `trunc x`: derivative 0.
#[inline]
pub(crate) fn trunc<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    constant(x.trunc())
}

/// `signum x`: derivative 0.
#[inline]
pub(crate) fn signum<T: Scalar>(x: T, _second: bool) -> Jet<T> {
    constant(x.signum())
}

/// `x²`.
#[inline]
pub(crate) fn square<T: Scalar>(x: T, second: bool) -> Jet<T> {
    jet(x * x, x * two(), two, second)
}

/// `1/x`, and 0 at `x = 0` with derivative 0 there (the norm's
/// zero-gradient convention).
#[inline]
pub(crate) fn recip_or_zero<T: Scalar>(x: T, second: bool) -> Jet<T> {
    if x == T::zero() {
        constant(T::zero())
    } else {
        recip(x, second)
    }
}

/// `x^p` for a constant exponent given as an `f64`.
#[inline]
pub(crate) fn powf_scalar<T: Scalar>(x: T, p: f64, second: bool) -> Jet<T> {
    powf_const(x, T::lit(p), second)
}

/// `max(x, c)` for a constant `c`: slope 1 above, 0 below, ½ at the tie.
#[inline]
pub(crate) fn max_scalar<T: Scalar>(x: T, c: f64, _second: bool) -> Jet<T> {
    let c = T::lit(c);
    let j = select2(x.max(c), pick_max(x, c));
    Jet {
        f: j.f,
        d1: j.fx,
        d2: T::zero(),
        k: T::one(),
    }
}

/// `min(x, c)` for a constant `c`: slope 1 below, 0 above, ½ at the tie.
#[inline]
pub(crate) fn min_scalar<T: Scalar>(x: T, c: f64, _second: bool) -> Jet<T> {
    let c = T::lit(c);
    let j = select2(x.min(c), pick_min(x, c));
    Jet {
        f: j.f,
        d1: j.fx,
        d2: T::zero(),
        k: T::one(),
    }
}

/// `min(max(x, lo), hi)`: slope 1 strictly inside, 0 outside, ½ on either
/// bound (the tie convention of `max` and `min`).
#[inline]
pub(crate) fn clamp<T: Scalar>(x: T, bounds: (f64, f64), second: bool) -> Jet<T> {
    let (lo, hi) = bounds;
    let a = max_scalar(x, lo, second);
    let b = min_scalar(a.f, hi, second);
    Jet {
        f: b.f,
        d1: a.d1 * b.d1,
        d2: T::zero(),
        k: T::one(),
    }
}

/// The leaky ReLU: `x` above 0, `slope·x` at and below (derivative `slope`
/// at 0, the side relu′(0) = 0 takes); NaN stays NaN.
#[inline]
pub(crate) fn leaky_relu<T: Scalar>(x: T, slope: f64, _second: bool) -> Jet<T> {
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
        let a = T::lit(slope);
        Jet {
            f: a * x,
            d1: a,
            d2: zero,
            k: T::one(),
        }
    }
}

/// The ELU: `x` above 0, `α(eˣ − 1)` at and below (through `exp_m1`, so
/// small negative `x` keep their digits).
#[inline]
pub(crate) fn elu<T: Scalar>(x: T, alpha: f64, second: bool) -> Jet<T> {
    if x > T::zero() {
        Jet {
            f: x,
            d1: T::one(),
            d2: T::zero(),
            k: T::one(),
        }
    } else {
        let a = T::lit(alpha);
        let e = x.exp();
        let d1 = a * e;
        jet(a * x.exp_m1(), d1, || d1, second)
    }
}

/// GELU `x·Φ(x)`, Φ the standard normal distribution function
/// `½(1 + erf(x/√2))`; GELU′ = Φ + x·φ and GELU″ = φ·(2 − x²), with
/// φ(x) = e^(−x²/2)/√(2π).
#[inline]
pub(crate) fn gelu<T: Scalar>(x: T, second: bool) -> Jet<T> {
    let half = T::lit(0.5);
    let phi_big = half * (T::one() + (x * T::lit(core::f64::consts::FRAC_1_SQRT_2)).erf());
    let phi = T::lit(0.398_942_280_401_432_7) * (-(x * x) * half).exp();
    jet(
        x * phi_big,
        phi_big + x * phi,
        || phi * (two::<T>() - x * x),
        second,
    )
}

/// The Huber function: `½x²` for `|x| ≤ δ`, `δ(|x| − ½δ)` beyond (value and
/// slope continuous; f″ is 1 inside, 0 outside and ½ on the boundary, as
/// the derivative of `clamp(x, −δ, δ)`).
#[inline]
pub(crate) fn huber<T: Scalar>(x: T, delta: f64, _second: bool) -> Jet<T> {
    let d = T::lit(delta);
    let ax = Float::abs(x);
    let half = T::lit(0.5);
    if ax < d {
        Jet {
            f: half * x * x,
            d1: x,
            d2: T::one(),
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
        Jet {
            f: d * (ax - half * d),
            d1: d * x.signum(),
            d2: if ax == d { half } else { T::zero() },
            k: T::one(),
        }
    }
}
