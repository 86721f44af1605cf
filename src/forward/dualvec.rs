//! [`DualVec`]: a value and `N` derivatives, on the stack.

use core::fmt;

use crate::forward::number::{dz, impl_number, sc, Number};
use crate::forward::parts::number_parts;
use crate::forward::rules::{Jet, Jet2};
use crate::Scalar;

/// A dual number with `N` tangent directions: `re + Σ eps[i]·εᵢ`, all
/// `εᵢεⱼ = 0`. No heap.
///
/// Seeding input `i` with the unit vector `eᵢ` gives the whole gradient of a
/// function of `N` inputs from one evaluation (see [`gradient`](crate::gradient)).
///
/// Comparisons look at the value part only.
///
/// ```
/// use dualgrad::DualVec;
///
/// let x = DualVec::variable(3.0_f64, 0); // ∂/∂x
/// let y = DualVec::variable(2.0_f64, 1); // ∂/∂y
/// let z: DualVec<f64, 2> = x * x * y;
/// assert_eq!(z.re, 18.0);
/// assert_eq!(z.eps, [12.0, 9.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DualVec<T, const N: usize> {
    /// The value part.
    pub re: T,
    /// The derivative parts, one per direction.
    pub eps: [T; N],
}

impl<T: Scalar, const N: usize> DualVec<T, N> {
    /// A number from its value and derivative parts.
    ///
    /// ```
    /// let x = dualgrad::DualVec::new(1.0, [2.0, 3.0]);
    /// assert_eq!(x.eps[1], 3.0);
    /// ```
    #[inline]
    pub const fn new(re: T, eps: [T; N]) -> Self {
        DualVec { re, eps }
    }

    /// The `i`-th input variable: value `x`, derivative 1 in direction `i`,
    /// 0 in the others. An `i` of `N` or more gives a constant.
    ///
    /// ```
    /// let x = dualgrad::DualVec::<f64, 3>::variable(5.0, 1);
    /// assert_eq!(x.eps, [0.0, 1.0, 0.0]);
    /// ```
    #[inline]
    pub fn variable(x: T, i: usize) -> Self {
        let mut eps = [T::zero(); N];
        if let Some(e) = eps.get_mut(i) {
            *e = T::one();
        }
        DualVec::new(x, eps)
    }

    /// A constant: value `x`, every derivative 0.
    ///
    /// ```
    /// let c = dualgrad::DualVec::<f64, 2>::constant(5.0);
    /// assert_eq!(c.eps, [0.0, 0.0]);
    /// ```
    #[inline]
    pub fn constant(x: T) -> Self {
        DualVec::new(x, [T::zero(); N])
    }

    /// The value part.
    ///
    /// ```
    /// assert_eq!(dualgrad::DualVec::new(1.0, [2.0]).value(), 1.0);
    /// ```
    #[inline]
    pub fn value(&self) -> T {
        self.re
    }
}

impl<T: Scalar, const N: usize> Number<T> for DualVec<T, N> {
    const SECOND: bool = false;
    const WIDE: bool = N > 4;
    number_parts!(DualVec { eps });
    #[inline(always)]
    fn chain1_by(mut self, j: Jet<T>, m: impl Fn(T, T) -> T, _: impl Fn(T, T, T, T) -> T) -> Self {
        self.re = j.f;
        for e in self.eps.iter_mut() {
            *e = m(j.d1, *e);
        }
        self
    }
    #[inline(always)]
    fn chain2_by(mut self, o: Self, j: Jet2<T>, m: impl Fn(T, T) -> T) -> Self {
        self.re = j.f;
        for (e, oe) in self.eps.iter_mut().zip(o.eps.iter()) {
            *e = m(j.fx, *e) + m(j.fy, *oe);
        }
        self
    }
    #[inline(always)]
    fn mul(mut self, o: Self) -> Self {
        let (a, b) = (self.re, o.re);
        self.re = a * b;
        for (e, oe) in self.eps.iter_mut().zip(o.eps.iter()) {
            *e = a * *oe + *e * b;
        }
        self
    }
    #[inline(always)]
    fn div(mut self, o: Self) -> Self {
        let q = self.re / o.re;
        self.re = q;
        for (e, oe) in self.eps.iter_mut().zip(o.eps.iter()) {
            *e = dz(*e - sc(q, *oe), o.re);
        }
        self
    }
}

impl_number!([T: Scalar, const N: usize] DualVec<T, N>);

impl<T: Scalar, const N: usize> From<T> for DualVec<T, N> {
    /// A constant.
    fn from(x: T) -> Self {
        DualVec::constant(x)
    }
}

impl<T: Scalar, const N: usize> fmt::Display for DualVec<T, N> {
    /// `1 + [2, 3]ε`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::forward::number::fmt_part(f, &self.re)?;
        f.write_str(" + ")?;
        crate::forward::number::fmt_list(f, &self.eps)?;
        f.write_str("ε")
    }
}
