//! User-defined elementary functions: [`UnaryRule`] and [`BinaryRule`],
//! applied with [`Scalar::apply`] and [`Scalar::apply2`].

use crate::Scalar;

/// A function of one variable, defined once by its value on plain numbers
/// and its derivative as generic code; [`Scalar::apply`] then evaluates it
/// on every number type at every nesting depth (and the tape's
/// `Tape::apply_rule` on matrices).
///
/// - [`value`](UnaryRule::value) is the function on plain numbers (an
///   `f32` argument goes through `f64`).
/// - [`derivative`](UnaryRule::derivative) is the derivative, written for
///   any [`Scalar`]: second and higher derivatives are taken by evaluating
///   it on dual numbers, so write it with `Scalar` operations (possibly
///   other rules through [`Scalar::apply`]), not through plain floats.
///
/// The Bessel function J₀, whose derivative is −J₁, with J₁′ = J₀ − J₁/x:
///
/// ```
/// use dualgrad::{derivative, third_derivative, Scalar, UnaryRule};
///
/// struct J0;
/// struct J1;
/// impl UnaryRule for J0 {
///     fn value(&self, x: f64) -> f64 { libm::j0(x) }
///     fn derivative<S: Scalar>(&self, x: S) -> S { -x.apply(&J1) }
/// }
/// impl UnaryRule for J1 {
///     fn value(&self, x: f64) -> f64 { libm::j1(x) }
///     fn derivative<S: Scalar>(&self, x: S) -> S { x.apply(&J0) - x.apply(&J1) / x }
/// }
///
/// let (y, dy) = derivative(|x| x.apply(&J0), 1.5);
/// assert_eq!((y, dy), (libm::j0(1.5), -libm::j1(1.5)));
/// // J₀ solves x y″ + y′ + x y = 0, at any nesting depth:
/// let (y, d1, d2, _) = third_derivative(|x| x.apply(&J0), 1.5_f64);
/// assert!((1.5 * d2 + d1 + 1.5 * y).abs() < 1e-15);
/// ```
pub trait UnaryRule {
    /// The value at a plain number.
    fn value(&self, x: f64) -> f64;
    /// The derivative at `x`, for any [`Scalar`] `S`.
    fn derivative<S: Scalar>(&self, x: S) -> S;
}

/// A function of two variables, defined once by its value on plain numbers
/// and its two partial derivatives as generic code; see [`UnaryRule`] and
/// [`Scalar::apply2`].
///
/// ```
/// use dualgrad::{hessian, BinaryRule, Scalar};
/// use dualgrad::num_traits::Float;
///
/// /// x^y through its partials (y·x^(y−1), x^y·ln x), against the
/// /// built-in `powf`.
/// struct Pow;
/// impl BinaryRule for Pow {
///     fn value(&self, x: f64, y: f64) -> f64 { x.powf(y) }
///     fn partials<S: Scalar>(&self, x: S, y: S) -> (S, S) {
///         (y * x.powf(y - S::one()), x.powf(y) * x.ln())
///     }
/// }
/// let (f, g, h) = hessian(|[x, y]| x.apply2(&Pow, y), [2.0, 3.0]);
/// let (f2, g2, h2) = hessian(|[x, y]| x.powf(y), [2.0, 3.0]);
/// assert_eq!(f, f2);
/// assert!((g[1] - g2[1]).abs() < 1e-14 && (h[0][1] - h2[0][1]).abs() < 1e-14);
/// ```
pub trait BinaryRule {
    /// The value at plain numbers.
    fn value(&self, x: f64, y: f64) -> f64;
    /// The partial derivatives `(∂f/∂x, ∂f/∂y)` at `(x, y)`, for any
    /// [`Scalar`] `S`.
    fn partials<S: Scalar>(&self, x: S, y: S) -> (S, S);
}
