//! Everything a user of the forward mode needs in one import.
//!
//! ```
//! use dualgrad::prelude::*;
//!
//! // `Float`'s methods (`sin`, `exp`, …) are callable on the concrete types.
//! let (y, dy) = derivative(|x: Dual<f64>| x.sin() * x.exp(), 0.0);
//! assert_eq!((y, dy), (0.0, 1.0));
//! ```

pub use crate::check::Report;
pub use crate::forward::*;
#[cfg(all(feature = "nalgebra", feature = "alloc"))]
pub use crate::linalg::{gradient_dvec, hessian_dmat, jacobian_dmat};
#[cfg(feature = "nalgebra")]
pub use crate::linalg::{gradient_vec, hessian_mat, jacobian_mat};
#[cfg(feature = "alloc")]
pub use crate::record::{
    gradient_rev, gradient_rev_dyn, hessian_rev, hvp_rev, jacobian_auto, jacobian_rev,
    jacobian_rev_dyn, vjp_rev, vjp_rev_dyn, Recorder, Taped,
};
pub use num_traits::{Float, FloatConst, One, Zero};
