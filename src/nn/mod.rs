//! Small neural networks on the tape: [`Dense`] layers and their
//! [`Activation`]s, the multi-layer perceptron [`Mlp`], and the optimisers
//! [`Sgd`] and [`Adam`].
//!
//! Everything here is written against the public API of
//! [`reverse`](crate::reverse) only (records on a [`Tape`](crate::reverse::Tape),
//! asks it for gradients): a user's own layers have the same tools.
//!
//! ```
//! use dualgrad::nn::{Activation::*, Mlp, Optimizer, Sgd, Targets};
//! use dualgrad::reverse::Tape;
//! use nalgebra::dmatrix;
//!
//! let mut mlp = Mlp::<f64>::new(&[1, 8, 1], &[Tanh, Identity], 0)?;
//! let (x, y) = (dmatrix![0.0; 1.0], dmatrix![1.0; 0.0]);
//! let (mut tape, mut sgd) = (Tape::new(), Sgd::new(0.1));
//! let first = mlp.loss(&x, Targets::Values(&y))?;
//! for _ in 0..50 {
//!     let (_, grads) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
//!     sgd.update(&mut mlp, &grads)?;
//! }
//! assert!(mlp.loss(&x, Targets::Values(&y))? < first);
//! # Ok::<(), dualgrad::reverse::ReverseError>(())
//! ```

mod layers;
mod mlp;
mod optim;
mod replay;

pub use layers::{Activation, Dense, DenseGrad};
pub use mlp::{Mlp, Targets};
pub use optim::{Adam, Optimizer, Sgd};
pub use replay::MlpReplay;
