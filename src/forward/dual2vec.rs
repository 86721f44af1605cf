//! [`Dual2Vec`]: a value, its gradient and its Hessian, on the stack.

use core::fmt;

use crate::forward::number::{dz, impl_number, sc, Number};
use crate::forward::parts::{number_parts, Upper};
use crate::forward::rules::{Jet, Jet2};
use crate::Scalar;

/// A second-order number in `N` variables: value, gradient `∇f` and Hessian
/// `H`, the truncated Taylor expansion `f + ∇f·δ + ½ δᵀHδ`. No heap.
///
/// Seeding input `i` with [`Dual2Vec::variable`] gives the whole gradient
/// and exact Hessian from one evaluation (see [`hessian`](crate::hessian)).
/// Only the upper triangle is stored and computed (`N(N+1)/2` entries per
/// operation); [`Dual2Vec::hessian`] returns the full symmetric matrix.
///
/// Comparisons look at the value part only.
///
/// ```
/// use dualgrad::Dual2Vec;
///
/// let x = Dual2Vec::<f64, 2>::variable(3.0, 0);
/// let y = Dual2Vec::<f64, 2>::variable(2.0, 1);
/// let z = x * x * y; // x²y
/// assert_eq!(z.value(), 18.0);
/// assert_eq!(z.gradient(), [12.0, 9.0]);
/// assert_eq!(z.hessian(), [[4.0, 6.0], [6.0, 0.0]]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Dual2Vec<T, const N: usize> {
    re: T,
    grad: [T; N],
    /// The Hessian's upper triangle (`j ≥ i`), in a full square: see
    /// [`Upper`] for why.
    hess: Upper<T, N>,
}

impl<T: Scalar, const N: usize> Dual2Vec<T, N> {
    /// A number from its value, gradient and Hessian (whose upper triangle
    /// is used).
    ///
    /// ```
    /// let x = dualgrad::Dual2Vec::new(1.0, [2.0], [[3.0]]);
    /// assert_eq!(x.hessian(), [[3.0]]);
    /// ```
    #[inline]
    pub fn new(re: T, grad: [T; N], hess: [[T; N]; N]) -> Self {
        Dual2Vec {
            re,
            grad,
            hess: Upper(hess),
        }
    }

    /// The `i`-th input variable: value `x`, gradient the unit vector `eᵢ`,
    /// Hessian 0. An `i` of `N` or more gives a constant.
    ///
    /// ```
    /// let x = dualgrad::Dual2Vec::<f64, 2>::variable(5.0, 1);
    /// assert_eq!(x.gradient(), [0.0, 1.0]);
    /// ```
    #[inline]
    pub fn variable(x: T, i: usize) -> Self {
        let mut v = Self::constant(x);
        if let Some(g) = v.grad.get_mut(i) {
            *g = T::one();
        }
        v
    }

    /// A constant: value `x`, gradient and Hessian 0.
    ///
    /// ```
    /// let c = dualgrad::Dual2Vec::<f64, 2>::constant(5.0);
    /// assert_eq!(c.gradient(), [0.0, 0.0]);
    /// ```
    #[inline]
    pub fn constant(x: T) -> Self {
        Dual2Vec {
            re: x,
            grad: [T::zero(); N],
            hess: Upper([[T::zero(); N]; N]),
        }
    }

    /// The value part.
    ///
    /// ```
    /// assert_eq!(dualgrad::Dual2Vec::<f64, 1>::constant(2.0).value(), 2.0);
    /// ```
    #[inline]
    pub fn value(&self) -> T {
        self.re
    }

    /// The gradient part.
    ///
    /// ```
    /// assert_eq!(dualgrad::Dual2Vec::<f64, 1>::variable(2.0, 0).gradient(), [1.0]);
    /// ```
    #[inline]
    pub fn gradient(&self) -> [T; N] {
        self.grad
    }

    /// The Hessian part, as a full symmetric matrix.
    ///
    /// ```
    /// let x = dualgrad::Dual2Vec::<f64, 1>::variable(2.0, 0);
    /// assert_eq!((x * x).hessian(), [[2.0]]);
    /// ```
    #[inline]
    pub fn hessian(&self) -> [[T; N]; N] {
        let mut h = self.hess.0;
        for i in 1..N {
            let (above, below) = h.split_at_mut(i);
            for (j, row) in above.iter().enumerate() {
                below[0][j] = row[i];
            }
        }
        h
    }
}

impl<T: Scalar, const N: usize> Number<T> for Dual2Vec<T, N> {
    const SECOND: bool = true;
    const WIDE: bool = N > 4;
    number_parts!(Dual2Vec { grad, hess });
    #[inline(always)]
    fn chain1_by(mut self, j: Jet<T>, m: impl Fn(T, T) -> T, q: impl Fn(T, T, T, T) -> T) -> Self {
        let g = self.grad;
        self.re = j.f;
        // f″·gₐ·g_b as (d2·gₐ)·(k·g_b), the factors formed once per index:
        // no intermediate gₐ·g_b to overflow, one product per entry.
        let mut sa = g;
        let mut kb = g;
        for ((s, k), &x) in sa.iter_mut().zip(kb.iter_mut()).zip(g.iter()) {
            *s = m(j.d2, x);
            *k = m(j.k, x);
        }
        self.hess
            .for_each(|a, b, h| *h = m(j.d1, *h) + q(sa[a], kb[b], g[a], g[b]));
        for x in self.grad.iter_mut() {
            *x = m(j.d1, *x);
        }
        self
    }
    #[inline(always)]
    fn chain2_by(mut self, o: Self, j: Jet2<T>, m: impl Fn(T, T) -> T) -> Self {
        let (mut pa, mut pb) = (self.grad, o.grad);
        if j.basis.is_some() {
            for (x, y) in pa.iter_mut().zip(pb.iter_mut()) {
                (*x, *y) = j.tangents(*x, *y, &m);
            }
        }
        let gb = o.grad;
        self.re = j.f;
        self.hess.for_each(|a, b, h| {
            *h = m(j.fx, *h)
                + m(j.fy, o.hess.0[a][b])
                + m(j.fxx, pa[a] * pa[b])
                + m(j.fxy, pa[a] * pb[b] + pb[a] * pa[b])
                + m(j.fyy, pb[a] * pb[b]);
        });
        for (x, y) in self.grad.iter_mut().zip(gb.iter()) {
            *x = m(j.fx, *x) + m(j.fy, *y);
        }
        self
    }
    #[inline(always)]
    fn mul(mut self, o: Self) -> Self {
        let (a, b) = (self.re, o.re);
        let (ga, gb) = (self.grad, o.grad);
        self.re = a * b;
        self.hess.for_each(|i, j, h| {
            *h = a * o.hess.0[i][j] + *h * b + ga[i] * gb[j] + gb[i] * ga[j];
        });
        for (x, y) in self.grad.iter_mut().zip(gb.iter()) {
            *x = a * *y + *x * b;
        }
        self
    }
    #[inline(always)]
    fn div(mut self, o: Self) -> Self {
        let b = o.re;
        let q = self.re / b;
        let gb = o.grad;
        self.re = q;
        for (x, y) in self.grad.iter_mut().zip(gb.iter()) {
            *x = dz(*x - sc(q, *y), b);
        }
        let g = self.grad;
        self.hess.for_each(|i, j, h| {
            *h = dz(
                *h - sc(q, o.hess.0[i][j]) - (g[i] * gb[j] + gb[i] * g[j]),
                b,
            );
        });
        self
    }
}

impl_number!([T: Scalar, const N: usize] Dual2Vec<T, N>);

impl<T: Scalar, const N: usize> From<T> for Dual2Vec<T, N> {
    /// A constant.
    fn from(x: T) -> Self {
        Dual2Vec::constant(x)
    }
}

impl<T: Scalar, const N: usize> fmt::Display for Dual2Vec<T, N> {
    /// `f + [g₁, g₂]ε + ½εᵀ[[h₁₁, h₁₂], [h₂₁, h₂₂]]ε`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::forward::number::fmt_part(f, &self.re)?;
        f.write_str(" + ")?;
        crate::forward::number::fmt_list(f, &self.grad)?;
        f.write_str("ε + ½εᵀ[")?;
        for (i, row) in self.hessian().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            crate::forward::number::fmt_list(f, row)?;
        }
        f.write_str("]ε")
    }
}
