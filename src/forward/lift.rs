//! [`Lift`]: captured outer values into a nested derivative.

use crate::forward::number::Number;
use crate::{Dual, Dual2Vec, DualVec, HyperDual, Scalar};

/// Turns a value of an outer computation into a constant of the number
/// type an inner derivative works in.
///
/// Inside `derivative(|y| …, y0)` taken while an outer derivative runs,
/// `y` is a `Dual<S>` where the captured outer values are `S`. The
/// arithmetic needs both sides of one type, and the captured value is a
/// constant of the inner derivative: `x.lift()` makes it one (the same as
/// `Dual::constant(x)`, with the target type inferred), for one value or a
/// whole array of them.
///
/// ```
/// use dualgrad::{derivative, gradient, Lift, Scalar};
///
/// fn f<S: Scalar>(x: S, y: S) -> S {
///     x * x * y.sin()
/// }
///
/// // d/dx [ ∂f/∂y (x, 0.5) ] = 2x·cos(0.5): a derivative inside a derivative.
/// let (_, d) = derivative(|x| derivative(|y| f(x.lift(), y), 0.5_f64.lift()).1, 3.0);
/// assert!((d - 6.0 * 0.5_f64.cos()).abs() < 1e-15);
///
/// // Captured parameters of a gradient: lift the whole array.
/// fn model<S: Scalar>([a, b]: [S; 2], [p, q]: [S; 2]) -> S {
///     a * p + b * q
/// }
/// let p = [2.0_f64, 3.0];
/// let (_, g) = gradient(|x| model(x, p.lift()), [1.0, 1.0]);
/// assert_eq!(g, [2.0, 3.0]);
/// ```
pub trait Lift<Target> {
    /// The value as a constant of `Target` (every derivative part zero).
    ///
    /// ```
    /// use dualgrad::{Dual, Lift};
    /// let c: Dual<f64> = 2.5.lift();
    /// assert_eq!((c.re, c.eps), (2.5, 0.0));
    /// ```
    fn lift(self) -> Target;
}

impl<T: Scalar> Lift<Dual<T>> for T {
    #[inline]
    fn lift(self) -> Dual<T> {
        Dual::constant(self)
    }
}

impl<T: Scalar> Lift<HyperDual<T>> for T {
    #[inline]
    fn lift(self) -> HyperDual<T> {
        HyperDual::constant(self)
    }
}

impl<T: Scalar, const N: usize> Lift<DualVec<T, N>> for T {
    #[inline]
    fn lift(self) -> DualVec<T, N> {
        DualVec::constant(self)
    }
}

impl<T: Scalar, const N: usize> Lift<Dual2Vec<T, N>> for T {
    #[inline]
    fn lift(self) -> Dual2Vec<T, N> {
        <Dual2Vec<T, N> as Number<T>>::constant(self)
    }
}

impl<S, T: Lift<S>, const N: usize> Lift<[S; N]> for [T; N] {
    #[inline]
    fn lift(self) -> [S; N] {
        self.map(Lift::lift)
    }
}
