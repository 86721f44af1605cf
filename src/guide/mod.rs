//! A guide for the users dualgrad is built for: pages of documentation
//! whose every snippet runs as a doc test.
//!
//! - [`coming_from`]: TensorFlow's `GradientTape`, JAX, PyTorch autograd
//!   and num-dual idioms side by side with their dualgrad form.
//! - [`worked_examples`]: nine worked examples with their expected values,
//!   from `x² + tanh(y²)` to the gradient of an input-gradient penalty.
//! - [`which_mode`]: forward mode, the tape, and when each wins, with the
//!   measured crossovers.
//!
//! ```
//! assert_eq!(dualgrad::derivative(|x| x * x, 3.0), (9.0, 6.0));
//! ```

#[doc = include_str!("coming_from.md")]
pub mod coming_from {}

#[doc = include_str!("worked_examples.md")]
pub mod worked_examples {}

#[doc = include_str!("which_mode.md")]
pub mod which_mode {}
