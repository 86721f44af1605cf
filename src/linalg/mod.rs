//! Dual numbers inside nalgebra (feature `nalgebra`): the scalar trait
//! stack for every number type, and drivers that take and return nalgebra
//! vectors and matrices.

pub(crate) mod traits;

mod drivers;
#[cfg(feature = "alloc")]
mod drivers_dyn;

pub use drivers::{gradient_vec, hessian_mat, jacobian_mat};
#[cfg(feature = "alloc")]
pub use drivers_dyn::{gradient_dvec, hessian_dmat, jacobian_dmat};
