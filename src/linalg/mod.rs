//! Dual numbers inside nalgebra (feature `nalgebra`): the scalar trait
//! stack for every number type, drivers that take and return nalgebra
//! vectors and matrices, and (with `alloc`) [`gemm`], the matrix product
//! the tape uses, split over the product threads with `std`.
//!
//! ```
//! use dualgrad::linalg::gradient_vec;
//! use dualgrad::nalgebra::Vector2;
//! let (n, g) = gradient_vec(|x| x.norm(), Vector2::new(3.0, 4.0));
//! assert_eq!(n, 5.0);
//! assert!((g - Vector2::new(0.6, 0.8)).amax() < 1e-15); // 0.1·6 rounds up
//! ```
//!
//! # Products and threads
//!
//! [`gemm`] computes `c = α·a·b + β·c` on stored matrices, either read
//! transposed in place ([`Operand`]). With the feature `faer` (default), a
//! product of `f32`/`f64` matrices runs on faer's kernels (AVX-512 or
//! AVX2/FMA, picked at run time); a large one is cut into blocks of `c`'s
//! columns (or, with fewer than 16 columns, its rows), one per product
//! thread, each block one call of faer's product on one thread. Every
//! entry of `c` is the same sum, in the same order, as on one thread: the
//! result does not depend on the number of threads. The matrix tape's and
//! the network layers' products go through here, so the threads set here
//! are theirs. Without `faer`, and for other scalar types, products are
//! nalgebra's, on the calling thread.
//!
//! How many threads: [`set_product_threads`], or the environment variable
//! `DUALGRAD_THREADS` (read at the first large product if nothing was set);
//! by default the machine's available parallelism. The count is rounded
//! down to a power of two, at most [`MAX_PRODUCT_THREADS`]. A product is
//! split only if every block keeps at least [`SPLIT_MIN`] multiply-adds;
//! two products from different threads at once do not queue for the same
//! workers: the second runs on its own thread.
//!
//! ```
//! # #[cfg(feature = "faer")] {
//! use dualgrad::linalg::{gemm, set_product_threads, Operand};
//! use dualgrad::nalgebra::DMatrix;
//! let x = DMatrix::<f32>::from_fn(64, 784, |i, j| ((i + j) % 7) as f32);
//! let w = DMatrix::<f32>::from_fn(784, 128, |i, j| ((i * j) % 5) as f32);
//! let mut one = DMatrix::zeros(64, 128);
//! let mut two = DMatrix::zeros(64, 128);
//! set_product_threads(1);
//! gemm(&mut one, 1.0, &x, &w, 0.0)?;
//! set_product_threads(2);
//! gemm(&mut two, 1.0, &x, &w, 0.0)?;
//! assert_eq!(one, two); // the same bits
//! // xᵀ·d (the weight gradient of a layer), without forming xᵀ:
//! let d = DMatrix::<f32>::from_element(64, 128, 0.5);
//! let mut dw = DMatrix::zeros(784, 128);
//! gemm(&mut dw, 1.0, Operand::Transposed(&x), &d, 0.0)?;
//! # }
//! # Ok::<(), dualgrad::linalg::ProductShapeError>(())
//! ```

pub(crate) mod traits;

mod drivers;
#[cfg(feature = "alloc")]
mod drivers_dmat;

#[cfg(feature = "alloc")]
mod product;
#[cfg(feature = "faer")]
mod threads;

pub use drivers::{gradient_vec, hessian_mat, jacobian_mat};
#[cfg(feature = "alloc")]
pub use drivers_dmat::{gradient_dvec, hessian_dmat, jacobian_dmat};
#[cfg(feature = "alloc")]
pub(crate) use product::{blocked, gemm_blocked};
#[cfg(feature = "alloc")]
pub use product::{gemm, Operand, ProductShapeError, SPLIT_MIN};
#[cfg(feature = "faer")]
pub use threads::{product_threads, set_product_threads, MAX_PRODUCT_THREADS};
