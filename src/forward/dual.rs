//! [`Dual`]: a value and one derivative.

use core::fmt;

use crate::forward::number::{dz, impl_number, sc, Number};
use crate::forward::parts::number_parts;
use crate::forward::rules::{Jet, Jet2};
use crate::Scalar;

/// A dual number `re + eps·ε` with `ε² = 0`: a value and its derivative in
/// one direction.
///
/// Evaluating a function on `Dual::new(x, 1.0)` gives `f(x) + f′(x)·ε`. The
/// value part is bit-identical to the plain float computation. `T` can itself
/// be a dual number: `Dual<Dual<f64>>` carries second derivatives.
///
/// Comparisons (`==`, `<`, …) look at the value part only.
///
/// ```
/// use dualgrad::Dual;
/// use num_traits::Float;
///
/// let x = Dual::new(2.0_f64, 1.0); // x = 2, dx/dx = 1
/// let y = x * x.sin() + 3.0;
/// assert_eq!(y.re, 2.0 * 2.0_f64.sin() + 3.0);
/// assert!((y.eps - (2.0_f64.sin() + 2.0 * 2.0_f64.cos())).abs() < 1e-15);
/// println!("{y}"); // 4.818594853651363 + 0.07700375025354735ε
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Dual<T> {
    /// The value part.
    pub re: T,
    /// The derivative (tangent) part, the coefficient of ε.
    pub eps: T,
}

impl<T: Scalar> Dual<T> {
    /// A dual number from its value and derivative parts.
    ///
    /// ```
    /// let x = dualgrad::Dual::new(1.0, 0.5);
    /// assert_eq!((x.re, x.eps), (1.0, 0.5));
    /// ```
    #[inline]
    pub const fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }

    /// The variable `x` itself: value `x`, derivative 1.
    ///
    /// ```
    /// let x = dualgrad::Dual::variable(3.0);
    /// assert_eq!((x.re, x.eps), (3.0, 1.0));
    /// ```
    #[inline]
    pub fn variable(x: T) -> Self {
        Dual::new(x, T::one())
    }

    /// A constant: value `x`, derivative 0.
    ///
    /// ```
    /// let c = dualgrad::Dual::constant(3.0);
    /// assert_eq!((c.re, c.eps), (3.0, 0.0));
    /// ```
    #[inline]
    pub fn constant(x: T) -> Self {
        Dual::new(x, T::zero())
    }

    /// The value part.
    ///
    /// ```
    /// assert_eq!(dualgrad::Dual::new(1.0, 2.0).value(), 1.0);
    /// ```
    #[inline]
    pub fn value(&self) -> T {
        self.re
    }

    /// The derivative part.
    ///
    /// ```
    /// assert_eq!(dualgrad::Dual::new(1.0, 2.0).deriv(), 2.0);
    /// ```
    #[inline]
    pub fn deriv(&self) -> T {
        self.eps
    }
}

impl<T: Scalar> Number<T> for Dual<T> {
    const SECOND: bool = false;
    const WIDE: bool = false;
    number_parts!(Dual { eps });
    #[inline(always)]
    fn chain1_by(self, j: Jet<T>, m: impl Fn(T, T) -> T, _: impl Fn(T, T, T, T) -> T) -> Self {
        Dual::new(j.f, m(j.d1, self.eps))
    }
    #[inline(always)]
    fn chain2_by(self, o: Self, j: Jet2<T>, m: impl Fn(T, T) -> T) -> Self {
        Dual::new(j.f, m(j.fx, self.eps) + m(j.fy, o.eps))
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Dual::new(self.re * o.re, self.re * o.eps + self.eps * o.re)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let q = self.re / o.re;
        Dual::new(q, dz(self.eps - sc(q, o.eps), o.re))
    }
}

impl_number!([T: Scalar] Dual<T>);

impl<T: Scalar> From<T> for Dual<T> {
    /// A constant.
    fn from(x: T) -> Self {
        Dual::constant(x)
    }
}

impl<T: Scalar> fmt::Display for Dual<T> {
    /// `2 + 3ε`; nested parts in parentheses; precision (`{:.3}`) applies to
    /// every part.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::forward::number::fmt_part(f, &self.re)?;
        crate::forward::number::fmt_term(f, &self.eps, "ε")
    }
}
