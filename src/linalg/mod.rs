//! Dual numbers inside nalgebra (feature `nalgebra`): the scalar trait
//! stack for every number type, and drivers that take and return nalgebra
//! vectors and matrices.
//!
//! ```
//! use dualgrad::linalg::gradient_vec;
//! use dualgrad::nalgebra::Vector2;
//! let (n, g) = gradient_vec(|x| x.norm(), Vector2::new(3.0, 4.0));
//! assert_eq!(n, 5.0);
//! assert!((g - Vector2::new(0.6, 0.8)).amax() < 1e-15); // 0.1·6 rounds up
//! ```

pub(crate) mod traits;

mod drivers;
#[cfg(feature = "alloc")]
mod drivers_dmat;

#[cfg(feature = "alloc")]
mod product;
#[cfg(feature = "std")]
mod threads;

pub use drivers::{gradient_vec, hessian_mat, jacobian_mat};
#[cfg(feature = "alloc")]
pub use drivers_dmat::{gradient_dvec, hessian_dmat, jacobian_dmat};
#[cfg(feature = "alloc")]
pub(crate) use product::{blocked, gemm_blocked};
#[cfg(feature = "alloc")]
pub use product::{gemm, ProductShapeError, SPLIT_MIN};
#[cfg(feature = "std")]
pub use threads::{product_threads, set_product_threads, MAX_PRODUCT_THREADS};
