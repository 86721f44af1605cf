//! The [`Scalar`] trait: the one bound that derivative-ready numeric code is
//! written against.

use core::fmt::{Debug, Display};
use core::iter::{Product, Sum};
use core::ops::{AddAssign, DivAssign, MulAssign, RemAssign, SubAssign};
use num_traits::{Float, FloatConst, FromPrimitive, Inv};

use crate::forward::custom::{BinaryRule, UnaryRule};
use crate::forward::rules;

/// A real number type that generic numeric code can be written against:
/// `f32`, `f64`, and every number type of this crate at any nesting depth
/// ([`Dual`](crate::Dual), [`HyperDual`](crate::HyperDual),
/// [`DualVec`](crate::DualVec), [`Dual2Vec`](crate::Dual2Vec)).
///
/// `Scalar` extends [`num_traits::Float`], so every elementary function
/// (`sqrt`, `exp`, `ln`, `sin`, `atan2`, `powf`, `hypot`, …) is available,
/// and adds the few that numeric and neural-network code needs beyond it
/// ([`sigmoid`](Scalar::sigmoid), [`softplus`](Scalar::softplus),
/// [`relu`](Scalar::relu), [`erf`](Scalar::erf)) plus ways to write constants
/// ([`lit`](Scalar::lit)) and read the plain value ([`real`](Scalar::real)).
///
/// ```
/// use dualgrad::{derivative, Scalar};
///
/// // Written once, generically ...
/// fn f<S: Scalar>(x: S) -> S {
///     x * x.sin() + S::lit(2.0) * x.sigmoid()
/// }
///
/// // ... evaluated on plain floats and on dual numbers.
/// let x = 0.7_f64;
/// let (value, slope) = derivative(f, x);
/// assert_eq!(value, f(x)); // the value part is the plain float result, bit for bit
/// let s = 1.0 / (1.0 + (-x).exp());
/// assert!((slope - (x.sin() + x * x.cos() + 2.0 * s * (1.0 - s))).abs() < 1e-15);
/// ```
///
/// # Constants in generic code: `S::lit(2.0)`, not `2.0`
///
/// In a function generic over `S: Scalar`, a bare float literal does not
/// mix with `S`: `x * 2.0` fails with rustc's *cannot multiply `S` by
/// `{float}`*. Rust's coherence rules forbid the blanket implementation
/// that would make it work for every `S` (it would overlap `S * S` for
/// `S = f64`), and a literal cannot take the type `S::Real` by inference.
/// Write the constant as an `S`:
///
/// ```compile_fail
/// fn twice<S: dualgrad::Scalar>(x: S) -> S {
///     x * 2.0 // error[E0277]: cannot multiply `S` by `{float}`
/// }
/// ```
///
/// ```
/// use dualgrad::{derivative, Scalar};
///
/// fn twice<S: Scalar>(x: S) -> S {
///     x * S::lit(2.0) // or S::from_real(k) for a k: S::Real
/// }
/// assert_eq!(derivative(twice, 3.0), (6.0, 2.0));
///
/// // With a concrete number type, plain floats work on either side.
/// let y = dualgrad::Dual::variable(3.0) * 2.0 + 1.0;
/// assert_eq!((y.re, y.eps), (7.0, 2.0));
/// ```
pub trait Scalar:
    Float
    + FloatConst
    + FromPrimitive
    + Inv<Output = Self>
    + Sum
    + Product
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + RemAssign
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
{
    /// The plain floating-point type at the bottom of the nesting
    /// (`f64` for `Dual<HyperDual<f64>>`).
    ///
    /// ```
    /// use dualgrad::{Dual, Scalar};
    /// let x: <Dual<Dual<f32>> as Scalar>::Real = 1.5_f32;
    /// assert_eq!(x, 1.5);
    /// ```
    type Real: Scalar<Real = Self::Real>;

    /// How many layers of dual numbers wrap [`Real`](Scalar::Real):
    /// 0 for `f64`, 1 for `Dual<f64>`, 2 for `HyperDual<Dual<f64>>`.
    ///
    /// ```
    /// use dualgrad::{Dual, HyperDual, Scalar};
    /// assert_eq!(<f64 as Scalar>::DEPTH, 0);
    /// assert_eq!(<HyperDual<Dual<f64>> as Scalar>::DEPTH, 2);
    /// ```
    const DEPTH: usize;

    /// The highest order of derivative the type carries: 0 for the
    /// floats, 1 for `Dual<f64>` and `DualVec<f64, N>`, 2 for `HyperDual<f64>`,
    /// `Dual2Vec<f64, N>` and `Dual<Dual<f64>>`, 3 for `HyperDual<Dual<f64>>`.
    /// The rule table uses it to choose closed forms exact to that order.
    #[doc(hidden)]
    const ORDER: usize = 0;

    /// A constant (all derivative parts zero) from a value of the real type.
    ///
    /// ```
    /// use dualgrad::{Dual, Scalar};
    /// let c = Dual::<f64>::from_real(3.0);
    /// assert_eq!((c.re, c.eps), (3.0, 0.0));
    /// ```
    fn from_real(r: Self::Real) -> Self;

    /// A constant from an `f64` literal: the short way to write constants in
    /// generic code (`S::lit(0.5) * x`). For `f32`-based types the literal
    /// is rounded to `f32`.
    ///
    /// ```
    /// use dualgrad::Scalar;
    /// fn half<S: Scalar>(x: S) -> S { S::lit(0.5) * x }
    /// assert_eq!(half(3.0_f32), 1.5);
    /// ```
    fn lit(x: f64) -> Self;

    /// The plain value at the bottom of the nesting (the value part of the
    /// value part …), dropping every derivative part.
    ///
    /// ```
    /// use dualgrad::{Dual, HyperDual, Scalar};
    /// let x = HyperDual::new(Dual::new(2.0, 1.0), Dual::from_real(1.0),
    ///                        Dual::from_real(1.0), Dual::from_real(0.0));
    /// assert_eq!(x.real(), 2.0);
    /// ```
    fn real(&self) -> Self::Real;

    /// Multiplies every part by a plain real number; the same as
    /// `self * Self::from_real(k)` but cheaper.
    ///
    /// ```
    /// use dualgrad::{Dual, Scalar};
    /// let x = Dual::new(Dual::new(1.0, 2.0), Dual::new(3.0, 4.0));
    /// let y = x.mul_real(2.0);
    /// assert_eq!((y.re.re, y.re.eps, y.eps.re, y.eps.eps), (2.0, 4.0, 6.0, 8.0));
    /// ```
    fn mul_real(self, k: Self::Real) -> Self;

    /// The logistic function 1 / (1 + e^(−x)), computed without overflow for
    /// any `x`; its derivatives stay exact where `1 − σ` would round to 0.
    ///
    /// ```
    /// use dualgrad::{derivative, Scalar};
    /// assert_eq!(Scalar::sigmoid(0.0_f64), 0.5);
    /// let (s, ds) = derivative(|x| x.sigmoid(), 40.0_f64);
    /// assert_eq!(s, 1.0);
    /// assert!((ds - (-40.0_f64).exp()).abs() < 1e-30);
    /// ```
    fn sigmoid(self) -> Self;

    /// The softplus function ln(1 + eˣ), computed without overflow for any
    /// `x` (it equals `x` for large `x`, and eˣ for very negative `x`).
    ///
    /// ```
    /// use dualgrad::Scalar;
    /// assert_eq!(Scalar::softplus(1e300_f64), 1e300);
    /// assert!((Scalar::softplus(0.0_f64) - 2.0_f64.ln()).abs() < 1e-16);
    /// ```
    fn softplus(self) -> Self;

    /// The rectified linear unit max(x, 0). Its derivative is 1 for x > 0
    /// and 0 for x ≤ 0: at the kink x = 0 the derivative is **0**, the
    /// convention of PyTorch and JAX, also used by the reverse-mode layer.
    /// NaN stays NaN.
    ///
    /// ```
    /// use dualgrad::{derivative, Scalar};
    /// assert_eq!(derivative(|x| x.relu(), 0.0_f64), (0.0, 0.0));
    /// assert_eq!(derivative(|x| x.relu(), 2.0_f64), (2.0, 1.0));
    /// ```
    fn relu(self) -> Self;

    /// The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (computed with the
    /// `libm` crate for the plain float types).
    ///
    /// ```
    /// use dualgrad::Scalar;
    /// assert!((Scalar::erf(1.0_f64) - 0.8427007929497149).abs() < 1e-16);
    /// ```
    fn erf(self) -> Self;

    /// GELU, `x·Φ(x)` with Φ the standard normal distribution function
    /// `½(1 + erf(x/√2))` (the exact form, not the tanh approximation).
    ///
    /// ```
    /// use dualgrad::{derivative, Scalar};
    /// assert_eq!(Scalar::gelu(0.0_f64), 0.0);
    /// assert_eq!(derivative(|x| x.gelu(), 0.0_f64).1, 0.5); // Φ(0)
    /// ```
    fn gelu(self) -> Self;

    /// The leaky ReLU: `x` above 0, `slope·x` at and below 0 (its
    /// derivative at the kink is `slope`, the side that `relu′(0) = 0`
    /// takes). NaN stays NaN.
    ///
    /// ```
    /// use dualgrad::{derivative, Scalar};
    /// assert_eq!(Scalar::leaky_relu(-2.0_f64, 0.1), -0.2);
    /// assert_eq!(derivative(|x| x.leaky_relu(0.1), 3.0_f64), (3.0, 1.0));
    /// ```
    fn leaky_relu(self, slope: f64) -> Self;

    /// The ELU: `x` above 0, `α(eˣ − 1)` at and below 0.
    ///
    /// ```
    /// use dualgrad::{derivative, Scalar};
    /// assert_eq!(Scalar::elu(2.0_f64, 1.0), 2.0);
    /// let (y, dy) = derivative(|x| x.elu(1.0), -1.0_f64);
    /// assert_eq!((y, dy), ((-1.0_f64).exp_m1(), (-1.0_f64).exp()));
    /// ```
    fn elu(self, alpha: f64) -> Self;

    /// A function of one variable defined by the user through its value
    /// and derivative ([`UnaryRule`]), applied with this type's chain rule:
    /// it works on every number type at every nesting depth, like the
    /// built-in functions.
    ///
    /// ```
    /// use dualgrad::{derivative, second_derivative, Scalar, UnaryRule};
    ///
    /// /// x³, defined by its value and derivative 3x².
    /// struct Cube;
    /// impl UnaryRule for Cube {
    ///     fn value(&self, x: f64) -> f64 { x * x * x }
    ///     fn derivative<S: Scalar>(&self, x: S) -> S { S::lit(3.0) * x * x }
    /// }
    /// assert_eq!(derivative(|x| x.apply(&Cube), 2.0), (8.0, 12.0));
    /// assert_eq!(second_derivative(|x| x.apply(&Cube), 2.0), (8.0, 12.0, 12.0));
    /// ```
    fn apply<R: UnaryRule>(self, rule: &R) -> Self;

    /// A function of two variables defined by the user through its value
    /// and partial derivatives ([`BinaryRule`]); `self` is the first
    /// argument.
    ///
    /// ```
    /// use dualgrad::{gradient, BinaryRule, Scalar};
    ///
    /// /// x·y², by its partials (y², 2xy).
    /// struct XYY;
    /// impl BinaryRule for XYY {
    ///     fn value(&self, x: f64, y: f64) -> f64 { x * y * y }
    ///     fn partials<S: Scalar>(&self, x: S, y: S) -> (S, S) { (y * y, S::lit(2.0) * x * y) }
    /// }
    /// assert_eq!(gradient(|[x, y]| x.apply2(&XYY, y), [3.0, 2.0]), (12.0, [4.0, 12.0]));
    /// ```
    fn apply2<R: BinaryRule>(self, rule: &R, other: Self) -> Self;

    /// The value with every derivative part, at every nesting depth, set
    /// to zero (`stop_gradient` / `detach`): the result is a constant to
    /// every derivative taken through it.
    ///
    /// ```
    /// use dualgrad::{derivative, Scalar};
    /// // d/dx (x · detach(x)) = detach(x) = 3, not 2x = 6.
    /// assert_eq!(derivative(|x| x * x.detach(), 3.0), (9.0, 3.0));
    /// ```
    #[inline]
    fn detach(self) -> Self {
        Self::from_real(self.real())
    }

    /// Whether every part — the value and every derivative part, at every
    /// nesting depth — is exactly zero.
    ///
    /// [`num_traits::Zero::is_zero`] looks at the value part only, like the
    /// comparisons, so that the decisions nalgebra takes on pivots and
    /// determinants are the ones it takes on plain floats (see the crate
    /// docs, "Conventions at kinks and edges").
    ///
    /// ```
    /// use dualgrad::{Dual, Scalar};
    /// use num_traits::Zero;
    /// let t = Dual::new(0.0, 1.0);
    /// assert!(t.is_zero());
    /// assert!(!t.all_parts_zero());
    /// assert!(Dual::new(0.0, 0.0).all_parts_zero());
    /// ```
    #[inline(always)]
    fn all_parts_zero(&self) -> bool {
        self.is_zero()
    }
}

/// Implements [`Scalar`] for a plain float type: the rule table provides the
/// functions that `num_traits::Float` lacks, `libm` provides `erf`.
macro_rules! impl_scalar_for_float {
    ($t:ty, $erf:path) => {
        impl Scalar for $t {
            type Real = $t;
            const DEPTH: usize = 0;
            #[inline(always)]
            fn from_real(r: $t) -> $t {
                r
            }
            #[inline(always)]
            fn lit(x: f64) -> $t {
                x as $t
            }
            #[inline(always)]
            fn real(&self) -> $t {
                *self
            }
            #[inline(always)]
            fn mul_real(self, k: $t) -> $t {
                self * k
            }
            #[inline]
            fn sigmoid(self) -> $t {
                rules::sigmoid(self, false).f
            }
            #[inline]
            fn softplus(self) -> $t {
                rules::softplus(self, false).f
            }
            #[inline]
            fn relu(self) -> $t {
                rules::relu(self, false).f
            }
            #[inline]
            fn erf(self) -> $t {
                $erf(self)
            }
            #[inline]
            fn gelu(self) -> $t {
                rules::gelu(self, false).f
            }
            #[inline]
            fn leaky_relu(self, slope: f64) -> $t {
                rules::leaky_relu(self, slope, false).f
            }
            #[inline]
            fn elu(self, alpha: f64) -> $t {
                rules::elu(self, alpha, false).f
            }
            #[inline]
            fn apply<R: UnaryRule>(self, rule: &R) -> $t {
                rule.value(self as f64) as $t
            }
            #[inline]
            fn apply2<R: BinaryRule>(self, rule: &R, other: $t) -> $t {
                rule.value(self as f64, other as f64) as $t
            }
        }
    };
}

impl_scalar_for_float!(f64, libm::erf);
impl_scalar_for_float!(f32, libm::erff);
