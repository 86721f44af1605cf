//! Reverse mode on nalgebra matrices: a gradient tape.
//!
//! Record matrix operations on a [`Tape`], then ask for the gradient of a
//! result with respect to any recorded matrices (parameters and inputs
//! alike) in one backward pass:
//!
//! ```
//! use dualgrad::reverse::Tape;
//! use nalgebra::dmatrix;
//!
//! // A linear layer and its squared-error loss (worked example 4 of the guide).
//! let t = Tape::new();
//! let x = t.var(dmatrix![2.0; 3.0]);
//! let w = t.var(dmatrix![4.0, 2.0; 2.0, 1.0]);
//! let b = t.var(dmatrix![5.0; 2.0]);
//! let y_hat = t.add(t.matmul(w, x)?, b)?;
//! let loss = t.mse(t.var(dmatrix![20.0; 7.0]), y_hat)?;
//! assert_eq!(t.scalar(loss)?, 2.5);
//! let g = t.gradient(loss, &[w, b, x])?;
//! assert_eq!(g[0], dmatrix![-2.0, -3.0; 4.0, 6.0]);
//! assert_eq!(g[1], dmatrix![-1.0; 2.0]);
//! assert_eq!(g[2], dmatrix![0.0; 0.0]);
//! # Ok::<(), dualgrad::reverse::ReverseError>(())
//! ```
//!
//! - Values are `DMatrix<S>` for any [`Scalar`](crate::Scalar) `S`. On
//!   [`Dual<f64>`](crate::Dual) the same tape gives forward-over-reverse
//!   derivatives (Hessian-vector products).
//! - [`Tape::gradient_var`] records the backward pass on the tape, so a
//!   function of gradients (a gradient penalty, a Hessian-vector product)
//!   is differentiated in one more backward pass.
//! - Each operation's vector-Jacobian product is written once, over a small
//!   matrix algebra with two implementations: plain matrices (fast) and
//!   recorded operations (differentiable). The element-wise functions are
//!   the crate's one list ([`Fun`](crate::Fun)): the same functions as
//!   forward mode, with derivatives from its rule table and its
//!   conventions (`relu′(0) = 0`); the norm's gradient at 0 is 0. A
//!   recorded derivative is itself recorded operations, so backward passes
//!   nest to any order.
//! - Operations check their operands when they are recorded and return a
//!   [`ReverseError`] naming the operation and the shapes (or the label, the
//!   empty batch, the foreign variable); nothing panics on bad input.
//! - [`Tape::reset`] keeps the tape's storage: recorded matrices' buffers
//!   are reused by the next recording and backward pass, so a training loop
//!   on one tape reaches a steady state without growing.
//! - [`Tape::replay`] turns a recording into a [`Replay`]: the forward
//!   and backward passes re-run on new input values, without recording
//!   again or allocating (for training loops whose graph does not change;
//!   [`Mlp::replay`](crate::nn::Mlp::replay) for networks).
//! - Products of `f32`/`f64` matrices (feature `faer`, default) run on
//!   faer's AVX-512/AVX2/FMA kernels, picked at run time, through
//!   [`linalg::gemm`](crate::linalg::gemm): a large product (at least
//!   2²⁰ multiply-adds) is cut into blocks, one per product thread
//!   ([`set_product_threads`](crate::linalg::set_product_threads) or
//!   `DUALGRAD_THREADS`; by default the machine's available parallelism,
//!   rounded down to a power of two, at most 8), with the same bits on
//!   any number of threads. Products of at most 256 multiply-adds are a
//!   plain loop; other scalar types (dual numbers) use nalgebra's generic
//!   product on the calling thread.
//! - [`nn`](crate::nn) builds and trains small networks on this tape
//!   (dense layers, MLPs, optimisers), through its public API only.
//!
//! Everything here is available as `dualgrad::reverse::…` with the
//! `nalgebra` and `alloc` features (both on by default).

mod algebra;
mod backward;
mod custom;
mod error;
mod expr;
mod kernels;
mod lift;
mod op;
mod ops;
mod pool;
mod replay;
mod shaping;
mod tape;
mod vjp;

pub use custom::{CustomOp, ElementwiseFn, ElementwiseFn2, ELEMENTWISE_ORDER};
pub use error::{ReverseError, Shape};
pub use expr::Expr;
pub use lift::{lift, lift_with_tangent, tangents, values};
pub use ops::{one_hot, MAX_NEW_ENTRIES};
pub use replay::Replay;
pub use tape::{Tape, Var};
