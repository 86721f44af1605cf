//! Reverse mode for any function generic over [`Scalar`](crate::Scalar):
//! the recording number type [`Taped`].
//!
//! A function written once, `fn f<S: Scalar>(x: &[S]) -> S`, runs on
//! [`Taped`] numbers, which record every operation; one backward sweep then
//! gives the whole gradient, at a small multiple of one evaluation whatever
//! the number of inputs (forward mode costs about N/8 evaluations).
//!
//! ```
//! use dualgrad::record::{gradient_rev, gradient_rev_dyn, Recorder};
//! use dualgrad::Scalar;
//!
//! fn z<S: Scalar>(x: S, y: S) -> S {
//!     x * x + (y * y).tanh()
//! }
//! let (v, g) = gradient_rev(|[x, y]| z(x, y), [2.0, 3.0])?;
//! assert_eq!((v, g[0]), (z(2.0, 3.0), 4.0));
//!
//! fn energy<S: Scalar>(x: &[S]) -> S {
//!     x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<S>() + x[0].sin()
//! }
//! let x: Vec<f64> = (0..1000).map(|i| i as f64 * 1e-3).collect();
//! let (e, de) = gradient_rev_dyn(|x| energy(x), &x)?;
//! assert_eq!(e, energy(&x));
//! assert_eq!(de.len(), 1000);
//!
//! // One recording, several questions.
//! let mut rec = Recorder::new();
//! let [a, b] = rec.record(&[1.0, 2.0], |x| [x[0] * x[1], x[0] / x[1]])?;
//! assert_eq!(rec.gradient(a)?, &[2.0, 1.0]);
//! assert_eq!(rec.gradient(b)?, &[0.5, -0.25]);
//! # Ok::<(), dualgrad::record::RecordError>(())
//! ```
//!
//! - Every local derivative comes from the forward mode's rule table
//!   (`Taped` implements the same private `Number` trait as `Dual`), so
//!   conventions at kinks and edges are forward mode's.
//! - With the `nalgebra` feature `Taped<f64>` is a `RealField`: matrices of
//!   taped numbers go through nalgebra's LU, Cholesky, QR, SVD and
//!   symmetric eigen-decomposition.
//! - Second order by nesting: recording over `Dual<f64>` gives
//!   Hessian-vector products ([`hvp_rev`]), over `DualVec<f64, 8>` Hessians
//!   ([`hessian_rev`]).
//! - Storage: a value is 24 bytes for `f64` (value, node index, the
//!   coefficient ∂value/∂node, session). Operations on one node (functions
//!   of one variable, operations with constants, `x · x`) only update the
//!   coefficient; an operation on two different nodes records one node
//!   (24 bytes for `f64`, [`Recorder::BYTES_PER_NODE`]), plus an adjoint per
//!   node (8 bytes) during a sweep; a [`Recorder`] reused across calls
//!   allocates nothing.
//! - Where the tape lives: operators take no tape argument, and `Scalar`
//!   (like nalgebra's scalars) requires `Send + Sync + 'static`, so a value
//!   cannot hold a reference to one. A [`Recorder`] owns its storage and
//!   lends it, while [`Recorder::record`] runs, to a slot per number type:
//!   a thread-local with `std`, a `static` behind a spin lock that is only
//!   tried without it (see [`Recordable`]).
//! - A value carries its recording's session number, so a value from
//!   another recording or from before a reset gives NaN and a
//!   [`RecordError::Stale`], never a wrong gradient.

mod drivers;
mod error;
#[cfg(feature = "nalgebra")]
mod linalg;
mod recorder;
mod tape;
mod taped;

pub use drivers::{
    gradient_rev, gradient_rev_dyn, hessian_rev, hvp_rev, jacobian_auto, jacobian_rev,
    jacobian_rev_dyn, vjp_rev, vjp_rev_dyn, HESSIAN_CHUNK,
};
pub use error::RecordError;
#[cfg(feature = "nalgebra")]
pub use linalg::gradient_rev_dvec;
pub use recorder::Recorder;
pub use tape::Recordable;
pub use taped::Taped;
