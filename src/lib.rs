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
//!   `nalgebra::DMatrix` values for many-parameter gradients, MLP layers,
//!   losses and optimisers, with a backward pass that can itself be
//!   differentiated (`dualgrad::reverse::Tape`).
//!
//! ## Conventions at kinks and edges
//! - `abs′(0) = 0`, `relu′(0) = 0`; `max`/`min` at a tie take the mean of
//!   the two arguments' derivatives; `signum`, `floor`, `ceil`, `round` and
//!   `trunc` have derivative 0; `fract` has derivative 1.
//! - `sqrt′(0) = +∞`; `powi(0, n)` and `powf(0, p)` follow their limits;
//!   `hypot` and `atan2` have derivative 0 at the origin.
//! - A derivative part that is exactly zero stays zero through any
//!   elementary function (no `0 · ∞ = NaN` for constants).
//! - Outside a function's domain (`ln(−1)`, `sqrt(−1)`, `asin(2)`) every
//!   part is NaN, as the float's value would be; nothing panics.
//! - Comparisons (`==`, `<`) look at the value part only; `is_zero()` asks
//!   whether every part is zero.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!("dualgrad needs a math library: enable the `std` feature (default) or `libm`.");

mod number;
mod rules;

mod drivers;
#[cfg(feature = "alloc")]
mod drivers_dyn;
mod dual;
mod dual2vec;
mod dualvec;
mod hyperdual;
pub mod prelude;
mod scalar;

pub use drivers::*;
#[cfg(feature = "alloc")]
pub use drivers_dyn::{gradient_dyn, hessian_dyn, jacobian_dyn, ChunkDual, ChunkDual2, CHUNK};
pub use dual::Dual;
pub use dual2vec::Dual2Vec;
pub use dualvec::DualVec;
pub use hyperdual::HyperDual;
pub use scalar::Scalar;

/// The `num-traits` crate this crate's traits come from, re-exported so that
/// `dualgrad::num_traits::Float` needs no extra dependency.
pub use num_traits;

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(all(feature = "nalgebra", feature = "alloc"))]
pub mod reverse;
