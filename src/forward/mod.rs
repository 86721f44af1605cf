//! Forward mode: the [`Scalar`] trait user code is generic over, the rule
//! table of elementary functions, the number types that carry derivatives
//! alongside values ([`Dual`], [`HyperDual`], [`DualVec`], [`Dual2Vec`]),
//! and the drivers that seed them and read the derivatives back.
//!
//! Everything here is re-exported at the crate root; nothing in this layer
//! needs `std`, `alloc` or nalgebra (the slice drivers need `alloc`).
//!
//! ```
//! use dualgrad::forward::{derivative, Dual};
//! assert_eq!(derivative(|x| x * x, 3.0), (9.0, 6.0));
//! assert_eq!(Dual::variable(3.0) * 2.0, Dual::new(6.0, 2.0));
//! ```

pub(crate) mod functions;
pub(crate) mod number;
pub(crate) mod parts;
pub(crate) mod rules;

mod custom;
mod drivers;
mod dual;
mod dual2vec;
mod dualvec;
mod hyperdual;
mod lift;
mod scalar;

pub use custom::{BinaryRule, UnaryRule};
pub use drivers::*;
pub use dual::Dual;
pub use dual2vec::Dual2Vec;
pub use dualvec::DualVec;
pub use functions::{Fun, Fun2};
pub use hyperdual::HyperDual;
pub use lift::Lift;
pub use scalar::Scalar;
