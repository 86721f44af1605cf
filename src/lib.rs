//! # dualgrad: exact derivatives for generic Rust numeric code
//!
//! Write a numeric function once, generically over [`Scalar`], and evaluate
//! it on dual numbers to get its exact derivatives:
//!
//! ```
//! use dualgrad::{derivative, gradient, hessian, Scalar};
//!
//! fn f<S: Scalar>(x: S, y: S) -> S {
//!     x * x + (y * y).tanh()
//! }
//!
//! let (z, dz) = gradient(|[x, y]| f(x, y), [2.0, 3.0]);
//! assert_eq!(z, f(2.0, 3.0));
//! assert_eq!(dz[0], 4.0);
//! let (_, _, h) = hessian(|[x, y]| f(x, y), [2.0, 3.0]);
//! assert_eq!(h[0][0], 2.0);
//! assert_eq!(derivative(|x| x * x * x, 2.0), (8.0, 12.0));
//! ```
//!
//! - [`Dual`]: value and one derivative; [`DualVec`]: value and `N`
//!   derivatives (a whole gradient in one evaluation); [`HyperDual`]: value,
//!   two first derivatives and the mixed second derivative; [`Dual2Vec`]:
//!   value, gradient and Hessian in one evaluation. All of them are
//!   [`Scalar`]s themselves, so they nest: `HyperDual<Dual<f64>>` gives third
//!   derivatives, and a derivative taken inside a function that is itself
//!   being differentiated is correct.
//! - The drivers ([`derivative`], [`second_derivative`], [`gradient`],
//!   [`hessian`], [`jacobian`], …) take the function as a closure.
//! - No tape, no allocation, and no `std` needed (`default-features = false,
//!   features = ["libm"]`).
//! - `reverse` (features `nalgebra` and `alloc`): a gradient tape on
//!   `nalgebra::DMatrix` values for many-parameter gradients, with a
//!   backward pass that can itself be differentiated
//!   (`dualgrad::reverse::Tape`), user operations and functions
//!   (`CustomOp`, `Tape::apply_rule`); `nn`: dense layers, MLPs, losses and
//!   optimisers on it.
//! - Extension points: [`UnaryRule`] / [`BinaryRule`] define a function by
//!   its value and derivative once, for every number type
//!   ([`Scalar::apply`]) and the tape; [`Scalar::detach`] stops gradients;
//!   [`Fun`] lists the built-in element-wise functions.
//!
//! - [`record`] (feature `alloc`): reverse mode for any function generic
//!   over [`Scalar`]: the recording number type [`Taped`] and the drivers
//!   [`gradient_rev`], [`gradient_rev_dyn`], [`vjp_rev`], [`jacobian_rev`],
//!   [`hvp_rev`], [`hessian_rev`]; a gradient of N inputs costs a small
//!   multiple of one evaluation, whatever N.
//!
//! - [`check`]: test a hand-written gradient, Jacobian, Hessian or
//!   vector-Jacobian product against the exact forward-mode one and against
//!   Richardson-extrapolated finite differences (`gradcheck` for Rust), with
//!   `proptest` strategies behind the `proptest` feature.
//!
//! ## Differentiating through nalgebra (feature `nalgebra`, default)
//! Every number type implements nalgebra's scalar traits (`RealField`,
//! `ComplexField`, the `approx` comparisons) whenever the type it is built
//! on does, so at any nesting depth: matrices of dual numbers go through
//! nalgebra's own LU, Cholesky, QR, SVD, eigen-decompositions, `inverse`,
//! `determinant`, `norm`, and the derivatives come out of them. The drivers
//! `gradient_vec`, `jacobian_mat`, `hessian_mat` (and, with `alloc`,
//! `gradient_dvec`, `jacobian_dmat`, `hessian_dmat`) take and return
//! nalgebra vectors and matrices.
//!
//! ```
//! # #[cfg(feature = "nalgebra")] {
//! use dualgrad::nalgebra::{Matrix3, Vector3};
//! use dualgrad::{derivative, gradient_vec, Dual};
//!
//! let a = Matrix3::<f64>::new(4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0);
//! let b = Matrix3::new(0.1, 0.3, 0.0, 0.3, -0.2, 0.1, 0.0, 0.1, 0.4);
//!
//! // Jacobi's formula: d/dt det(A + tB) at 0 is det(A)·tr(A⁻¹B).
//! let (det, ddet) = derivative(|t| (a.cast() + b.cast() * t).determinant(), 0.0);
//! assert_eq!(det, a.determinant());
//! let jacobi = det * (a.try_inverse().unwrap() * b).trace();
//! assert!((ddet - jacobi).abs() < 1e-14);
//!
//! // The derivative of the solution of (A + tB) x = r, through Cholesky: −A⁻¹B x.
//! let r = Vector3::new(1.0, 2.0, 3.0);
//! let m = a.cast() + b.cast() * Dual::variable(0.0);
//! let x = m.cholesky().unwrap().solve(&r.cast());
//! let x0 = a.cholesky().unwrap().solve(&r);
//! let expect = -(a.try_inverse().unwrap() * b * x0);
//! assert!((x.map(|xi| xi.eps) - expect).amax() < 1e-15);
//!
//! // Gradients over nalgebra vectors: ∇‖x‖ = x/‖x‖.
//! let (n, g) = gradient_vec(|x| x.norm(), Vector3::new(1.0, 2.0, 2.0));
//! assert_eq!((n, g), (3.0, Vector3::new(1.0, 2.0, 2.0) / 3.0));
//! # }
//! ```
//!
//! ## Conventions at kinks and edges
//! - `abs′(±0) = ±1` (the sign of the zero, as in JAX and ForwardDiff.jl),
//!   so `|t|²` and `|t|·|t|` have their smooth second derivative 2 at 0;
//!   `relu′(0) = 0` (PyTorch, JAX); `max`/`min` follow the argument they
//!   return (the other one's derivative, even if infinite, does not enter),
//!   and at a tie take the mean of the two arguments' derivatives;
//!   `clamp` (both `num_traits::Float::clamp` and nalgebra's
//!   `RealField::clamp`) passes the input through on the closed interval,
//!   bounds included (derivative 1 at a bound, as PyTorch's `clamp`).
//! - `signum`, `floor`, `ceil`, `round`, `trunc`, `powi(x, 0)` and
//!   `powf(x, c)` with a constant `c = 0` are locally constant: every
//!   derivative part is 0, even where the argument's derivative is
//!   infinite or NaN (`floor(√x)` at 0 has derivative 0, as in JAX, not
//!   `0 · ∞`); `fract` has derivative 1.
//! - `sqrt′(0) = +∞`; `powi(0, n)` and `powf(0, p)` follow their limits;
//!   `hypot` and `atan2` have derivative 0 at the origin. `powi` takes any
//!   `i32`, `i32::MIN` included.
//! - A derivative part that is exactly zero stays zero through any
//!   elementary function and through division (no `0 · ∞ = NaN` or
//!   `0 / 0 = NaN` for constants: `1 / 0` is `∞` with derivative 0).
//!   Products are plain IEEE arithmetic: a zero part times an infinite
//!   value is NaN (`2 · e^1000` has derivative NaN, as in other forward-mode
//!   libraries); a guard on every product would slow arithmetic-bound code
//!   (measured in BENCHMARKS.md).
//! - Outside a function's domain (`ln(−1)`, `sqrt(−1)`, `asin(2)`) every
//!   part is NaN, as the float's value would be; nothing panics.
//! - No public function panics on any input (`tests/no_panic.rs`) except
//!   two, documented under "Panics": `mixed_partial` with an index ≥ N
//!   and `reverse::Tape::with_value` with a closure that records on the
//!   same tape; and the `check` reports' `assert`, whose job is to panic on
//!   a failed check. Sizes and indices are checked (an `Err` naming the
//!   operation and the shapes); the tape refuses to create more than
//!   `reverse::MAX_NEW_ENTRIES` entries beyond its operands'. What is
//!   left is memory itself: a result that must hold n² numbers (the
//!   Hessian drivers, `jacobian_dyn`) allocates them, and, as everywhere
//!   in Rust, a failed allocation aborts the process.
//! - Comparisons (`==`, `<`) and `num_traits::Zero::is_zero` look at the
//!   value part only; [`Scalar::all_parts_zero`] asks whether every part is
//!   zero. nalgebra takes its pivot, determinant and convergence decisions
//!   with `is_zero`, so they are the decisions it takes on plain floats: a
//!   matrix that is singular in its values (`[[1, 2], [2, 4 + t]]` at
//!   `t = 0`) is not invertible, as in `f64`, and every value part stays the
//!   plain float result.
//! - The case this costs: num-complex's own methods on
//!   `Complex<Dual<_>>` (`Complex::sqrt`, `cbrt`, `powf`, …) take shortcuts
//!   when a part `is_zero()`, and on the real or imaginary axis those drop
//!   the derivative of the part whose value is zero (`Complex::sqrt` of
//!   `4 + i·t` gives d/dt Im = 1 instead of 1/4). nalgebra's
//!   `ComplexField` methods on the same numbers (`ComplexField::sqrt(z)`)
//!   use polar forms without those shortcuts and are right there; use
//!   them for complex numbers of dual numbers.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// simba's `SimdValue` trait declares two `unsafe fn`s that its implementors
// must match; with the `nalgebra` feature the one impl that writes them is
// allowed (their bodies contain no unsafe operation), everything else stays
// denied. Without the feature, unsafe code is forbidden outright.
#![cfg_attr(not(feature = "nalgebra"), forbid(unsafe_code))]
#![cfg_attr(feature = "nalgebra", deny(unsafe_code))]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!("dualgrad needs a math library: enable the `std` feature (default) or `libm`.");

pub mod forward;
#[cfg(feature = "nalgebra")]
pub mod linalg;
#[cfg(all(feature = "nalgebra", feature = "alloc"))]
pub mod nn;
#[cfg(feature = "alloc")]
pub mod record;
#[cfg(all(feature = "nalgebra", feature = "alloc"))]
pub mod reverse;

pub mod check;
#[cfg(all(feature = "std", feature = "nalgebra"))]
pub mod guide;
pub mod prelude;
mod rng;

pub use forward::*;
#[cfg(all(feature = "nalgebra", feature = "alloc"))]
pub use linalg::{gradient_dvec, hessian_dmat, jacobian_dmat};
#[cfg(feature = "nalgebra")]
pub use linalg::{gradient_vec, hessian_mat, jacobian_mat};
/// The nalgebra version this crate implements its traits for (feature
/// `nalgebra`), re-exported so that user code can name the same one.
///
/// Its macros come along (`dmatrix!`, `dvector!`, `matrix!`, `vector!`), so
/// no nalgebra dependency of your own is needed.
///
/// ```
/// use dualgrad::nalgebra::{dmatrix, dvector, Matrix2};
/// let m = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(m.determinant(), -2.0);
/// assert_eq!(dmatrix![1.0, 2.0; 3.0, 4.0] * dvector![1.0, 1.0], dvector![3.0, 7.0]);
/// ```
#[cfg(feature = "nalgebra")]
pub use nalgebra;
#[cfg(all(feature = "nalgebra", feature = "alloc"))]
pub use record::gradient_rev_dvec;
#[cfg(feature = "alloc")]
pub use record::{
    gradient_rev, gradient_rev_dyn, hessian_rev, hvp_rev, jacobian_auto, jacobian_rev,
    jacobian_rev_dyn, vjp_rev, vjp_rev_dyn, RecordError, Recorder, Taped,
};
pub use rng::SplitMix64;

/// The `num-traits` crate this crate's traits come from, re-exported so that
/// `dualgrad::num_traits::Float` needs no extra dependency.
pub use num_traits;

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
