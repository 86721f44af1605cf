//! [`HyperDual`]: a value, two first derivatives and the mixed second
//! derivative.

use core::fmt;

use crate::forward::number::{dz, impl_number, sc, Number};
use crate::forward::parts::number_parts;
use crate::forward::rules::{Jet, Jet2};
use crate::Scalar;

/// A hyper-dual number `re + e1·ε1 + e2·ε2 + e12·ε1ε2` with
/// `ε1² = ε2² = 0`, `ε1ε2 ≠ 0`.
///
/// Seeding `x` with `ε1` and `y` with `ε2` gives, from one evaluation,
/// `f`, `∂f/∂x` (in `e1`), `∂f/∂y` (in `e2`) and `∂²f/∂x∂y` (in `e12`),
/// all exact. Seeding one variable with both (`e1 = e2 = 1`) gives its
/// second derivative. `HyperDual<Dual<f64>>` gives third derivatives.
///
/// Comparisons look at the value part only.
///
/// ```
/// use dualgrad::HyperDual;
///
/// let x = HyperDual::new(2.0_f64, 1.0, 1.0, 0.0);
/// let y = x * x * x;
/// assert_eq!((y.re, y.e1, y.e12), (8.0, 12.0, 12.0)); // x³, 3x², 6x
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HyperDual<T> {
    /// The value part.
    pub re: T,
    /// The coefficient of ε1 (first derivative in the first direction).
    pub e1: T,
    /// The coefficient of ε2 (first derivative in the second direction).
    pub e2: T,
    /// The coefficient of ε1ε2 (the mixed second derivative).
    pub e12: T,
}

impl<T: Scalar> HyperDual<T> {
    /// A hyper-dual number from its four parts.
    ///
    /// ```
    /// let x = dualgrad::HyperDual::new(1.0, 2.0, 3.0, 4.0);
    /// assert_eq!((x.re, x.e1, x.e2, x.e12), (1.0, 2.0, 3.0, 4.0));
    /// ```
    #[inline]
    pub const fn new(re: T, e1: T, e2: T, e12: T) -> Self {
        HyperDual { re, e1, e2, e12 }
    }

    /// A constant: value `x`, every derivative part 0.
    ///
    /// ```
    /// let c = dualgrad::HyperDual::constant(2.0);
    /// assert_eq!((c.re, c.e1, c.e2, c.e12), (2.0, 0.0, 0.0, 0.0));
    /// ```
    #[inline]
    pub fn constant(x: T) -> Self {
        let z = T::zero();
        HyperDual::new(x, z, z, z)
    }

    /// The value part.
    ///
    /// ```
    /// assert_eq!(dualgrad::HyperDual::new(1.0, 2.0, 3.0, 4.0).value(), 1.0);
    /// ```
    #[inline]
    pub fn value(&self) -> T {
        self.re
    }
}

impl<T: Scalar> Number<T> for HyperDual<T> {
    const SECOND: bool = true;
    const WIDE: bool = true;
    number_parts!(HyperDual { e1, e2, e12 });
    #[inline(always)]
    fn chain1_by(self, j: Jet<T>, m: impl Fn(T, T) -> T, q: impl Fn(T, T, T, T) -> T) -> Self {
        // f″·e1·e2 as (d2·e1)·(k·e2): no intermediate e1·e2, which
        // overflows for e1 = e2 = e⁴⁰⁰ where the result does not.
        let second = q(m(j.d2, self.e1), m(j.k, self.e2), self.e1, self.e2);
        HyperDual::new(
            j.f,
            m(j.d1, self.e1),
            m(j.d1, self.e2),
            m(j.d1, self.e12) + second,
        )
    }
    #[inline(always)]
    fn chain2_by(self, o: Self, j: Jet2<T>, m: impl Fn(T, T) -> T) -> Self {
        let (a, b) = (self, o);
        let (p1, q1) = j.tangents(a.e1, b.e1, &m);
        let (p2, q2) = j.tangents(a.e2, b.e2, &m);
        HyperDual::new(
            j.f,
            m(j.fx, a.e1) + m(j.fy, b.e1),
            m(j.fx, a.e2) + m(j.fy, b.e2),
            m(j.fx, a.e12)
                + m(j.fy, b.e12)
                + m(j.fxx, p1 * p2)
                + m(j.fxy, p1 * q2 + p2 * q1)
                + m(j.fyy, q1 * q2),
        )
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let (a, b) = (self, o);
        HyperDual::new(
            a.re * b.re,
            a.re * b.e1 + a.e1 * b.re,
            a.re * b.e2 + a.e2 * b.re,
            a.re * b.e12 + a.e1 * b.e2 + a.e2 * b.e1 + a.e12 * b.re,
        )
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let (a, b) = (self, o);
        let q = a.re / b.re;
        let e1 = dz(a.e1 - sc(q, b.e1), b.re);
        let e2 = dz(a.e2 - sc(q, b.e2), b.re);
        let e12 = dz(a.e12 - sc(q, b.e12) - (e1 * b.e2 + e2 * b.e1), b.re);
        HyperDual::new(q, e1, e2, e12)
    }
}

impl_number!([T: Scalar] HyperDual<T>);

impl<T: Scalar> From<T> for HyperDual<T> {
    /// A constant.
    fn from(x: T) -> Self {
        HyperDual::constant(x)
    }
}

impl<T: Scalar> fmt::Display for HyperDual<T> {
    /// `1 + 2ε1 + 3ε2 + 4ε1ε2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::forward::number::fmt_part(f, &self.re)?;
        crate::forward::number::fmt_term(f, &self.e1, "ε1")?;
        crate::forward::number::fmt_term(f, &self.e2, "ε2")?;
        crate::forward::number::fmt_term(f, &self.e12, "ε1ε2")
    }
}
