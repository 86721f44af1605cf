//! nalgebra's scalar traits for [`Taped`] (the crate's one `impl_linalg!`),
//! and the `DVector` driver.

use nalgebra::DVector;
use simba::scalar::RealField;

use crate::forward::number::Number;
use crate::linalg::traits::impl_linalg;
use crate::record::tape::{with_recorder, Recordable};
use crate::record::{RecordError, Taped};
use crate::Scalar;

impl_linalg!([T: Recordable] Taped<T>);

/// `f(x)` and `∇f(x)` by reverse mode for a function of an nalgebra
/// `DVector`: one recording, one backward sweep.
///
/// ```
/// use dualgrad::nalgebra::{DMatrix, DVector};
/// use dualgrad::num_traits::Float;
/// use dualgrad::record::gradient_rev_dvec;
///
/// // ∇ log det(X) for X = diag(x) + 1·1ᵀ/10, through LU.
/// let x = DVector::from_vec(vec![1.0_f64, 2.0, 3.0]);
/// let (v, g) = gradient_rev_dvec(
///     |x| {
///         let n = x.len();
///         let m = DMatrix::from_diagonal(x) + DMatrix::from_element(n, n, x[0] * 0.0 + 0.1);
///         m.determinant().ln()
///     },
///     &x,
/// )?;
/// let m = DMatrix::from_diagonal(&x) + DMatrix::from_element(3, 3, 0.1);
/// let inv = m.clone().try_inverse().unwrap();
/// assert!((v - m.determinant().ln()).abs() < 1e-14);
/// for i in 0..3 {
///     assert!((g[i] - inv[(i, i)]).abs() < 1e-14); // ∂ log det / ∂x_i = (X⁻¹)_ii
/// }
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
pub fn gradient_rev_dvec<T: Recordable + RealField>(
    f: impl FnOnce(&DVector<Taped<T>>) -> Taped<T>,
    x: &DVector<T>,
) -> Result<(T, DVector<T>), RecordError> {
    with_recorder(|r| {
        let y = r.record(x.as_slice(), |v| f(&DVector::from_column_slice(v)))?;
        Ok((y.value(), DVector::from_column_slice(r.gradient(y)?)))
    })
}
