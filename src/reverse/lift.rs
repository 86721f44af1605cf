//! Plain matrices lifted to dual-number matrices, for forward-over-reverse
//! derivatives on a tape of [`Dual`] numbers.

use nalgebra::DMatrix;

use super::error::ReverseError;
use crate::{Dual, Scalar};

/// A plain matrix as a matrix of constant dual numbers (derivative parts
/// zero): data and parameters that are not differentiated in the forward
/// direction.
///
/// ```
/// use dualgrad::reverse::lift;
/// let m = lift(&nalgebra::dmatrix![1.0, 2.0]);
/// assert_eq!((m[1].re, m[1].eps), (2.0, 0.0));
/// ```
pub fn lift<T: Scalar>(m: &DMatrix<T>) -> DMatrix<Dual<T>> {
    m.map(Dual::constant)
}

/// A plain matrix as dual numbers whose tangents are `direction` (same
/// shape): on a tape of `Dual<T>`, the gradient's tangent parts are then
/// the Hessian applied to `direction` (forward-over-reverse).
///
/// ```
/// use dualgrad::reverse::{lift_with_tangent, tangents, Tape};
/// use nalgebra::dmatrix;
/// // f = Σ x³: H = diag(6x), so H·v = 6x ⊙ v.
/// let x = lift_with_tangent(&dmatrix![1.0, 2.0], &dmatrix![1.0, 10.0])?;
/// let t = Tape::new();
/// let xv = t.var(x);
/// let g = t.gradient(t.sum(t.powi(xv, 3)?)?, &[xv])?;
/// assert_eq!(tangents(&g[0]), dmatrix![6.0, 120.0]);
/// assert!(lift_with_tangent(&dmatrix![1.0], &dmatrix![1.0, 2.0]).is_err());
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub fn lift_with_tangent<T: Scalar>(
    m: &DMatrix<T>,
    direction: &DMatrix<T>,
) -> Result<DMatrix<Dual<T>>, ReverseError> {
    if m.shape() != direction.shape() {
        return Err(ReverseError::shape(
            "lift_with_tangent",
            m.shape(),
            direction.shape(),
            "the direction must be shaped like the matrix",
        ));
    }
    Ok(m.zip_map(direction, Dual::new))
}

/// The value parts of a dual-number matrix.
///
/// ```
/// use dualgrad::{reverse::values, Dual};
/// let m = nalgebra::dmatrix![Dual::new(1.0, 5.0)];
/// assert_eq!(values(&m), nalgebra::dmatrix![1.0]);
/// ```
pub fn values<T: Scalar>(m: &DMatrix<Dual<T>>) -> DMatrix<T> {
    m.map(|d| d.re)
}

/// The tangent (derivative) parts of a dual-number matrix.
///
/// ```
/// use dualgrad::{reverse::tangents, Dual};
/// let m = nalgebra::dmatrix![Dual::new(1.0, 5.0)];
/// assert_eq!(tangents(&m), nalgebra::dmatrix![5.0]);
/// ```
pub fn tangents<T: Scalar>(m: &DMatrix<Dual<T>>) -> DMatrix<T> {
    m.map(|d| d.eps)
}
