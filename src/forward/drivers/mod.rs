//! The drivers: they take the user's function as a closure over a number
//! type, seed the inputs and read the derivatives back. Fixed-size inputs
//! (arrays) in [`array`]; inputs whose length is known only at run time
//! (slices, feature `alloc`) in [`slice`].

pub(crate) mod array;
#[cfg(feature = "alloc")]
pub(crate) mod slice;

pub use array::*;
#[cfg(feature = "alloc")]
pub use slice::{gradient_dyn, hessian_dyn, jacobian_dyn, ChunkDual, ChunkDual2, CHUNK};
