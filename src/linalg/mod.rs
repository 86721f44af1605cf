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
//! [`gemm`] computes `c = α·a·b + β·c`. A large product of `f32`/`f64`
//! matrices (with `std`) is cut into blocks of `c`'s columns or rows, one
//! per product thread, and each block is one call of nalgebra's gemm
//! (matrixmultiply's AVX-512/AVX2/FMA kernels, picked at run time, on one
//! thread). Every entry of `c` is the same sum, in the same order, as on
//! one thread: the result does not depend on the number of threads.
//! The matrix tape's products go through here, so the threads set here
//! are the tape's.
//!
//! How many threads: [`set_product_threads`], or the environment variable
//! `DUALGRAD_THREADS` (read at the first large product if nothing was set);
//! by default the machine's available parallelism. The count is rounded
//! down to a power of two, at most [`MAX_PRODUCT_THREADS`]. A product is
//! split only if every block keeps at least [`SPLIT_MIN`] multiply-adds;
//! two products from different threads at once do not queue for the same
//! workers: the second runs on its own thread.
//!
//! dualgrad leaves matrixmultiply's own `threading` feature off (it splits
//! a batch times a weight matrix poorly: 64×784·784×128 in `f64` took
//! 238 µs on its two threads, 136 µs split here). If another crate in the
//! build turns it on, each block may start threads of its own; set
//! `MATMUL_NUM_THREADS=1` then.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use dualgrad::linalg::{gemm, set_product_threads};
//! use dualgrad::nalgebra::DMatrix;
//! let a = DMatrix::<f64>::from_fn(64, 784, |i, j| ((i + j) % 7) as f64);
//! let b = DMatrix::<f64>::from_fn(784, 128, |i, j| ((i * j) % 5) as f64);
//! let mut one = DMatrix::zeros(64, 128);
//! let mut two = DMatrix::zeros(64, 128);
//! set_product_threads(1);
//! gemm(one.as_view_mut(), 1.0, a.as_view(), b.as_view(), 0.0)?;
//! set_product_threads(2);
//! gemm(two.as_view_mut(), 1.0, a.as_view(), b.as_view(), 0.0)?;
//! assert_eq!(one, two); // the same bits
//! # }
//! # Ok::<(), dualgrad::linalg::ProductShapeError>(())
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
