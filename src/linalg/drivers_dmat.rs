//! Drivers over nalgebra's dynamic-size `DVector` / `DMatrix` (features
//! `nalgebra` and `alloc`). Like the slice drivers they wrap
//! ([`gradient_dyn`](crate::gradient_dyn), …), they seed the inputs
//! [`CHUNK`](crate::CHUNK) at a time: each arithmetic operation costs the same
//! whatever the input length, and `n` inputs take `⌈n / CHUNK⌉` evaluations
//! (`hessian_dmat`: one per block on or above the diagonal).

use nalgebra::{DMatrix, DVector};

use crate::{gradient_dyn, hessian_dyn, jacobian_dyn, ChunkDual, ChunkDual2, Scalar};

/// `f(x)` and `∇f(x)` for a function of a `DVector` of any length.
///
/// ```
/// use dualgrad::gradient_dvec;
/// use nalgebra::DVector;
///
/// // The gradient of ‖x‖ is x / ‖x‖, for 20 inputs (3 evaluations of 8 directions).
/// let x = DVector::from_fn(20, |i, _| i as f64 - 7.5);
/// let (n, g) = gradient_dvec(|x| x.norm(), &x);
/// assert_eq!(n, x.norm());
/// assert!((g - &x / n).norm() < 1e-15);
/// ```
pub fn gradient_dvec<T: Scalar>(
    f: impl Fn(&DVector<ChunkDual<T>>) -> ChunkDual<T>,
    x: &DVector<T>,
) -> (T, DVector<T>) {
    let (v, g) = gradient_dyn(|s| f(&DVector::from_column_slice(s)), x.as_slice());
    (v, DVector::from_vec(g))
}

/// `f(x)` and the Jacobian (`J[(i, j)] = ∂fᵢ/∂xⱼ`) of a function from a
/// `DVector` to a `DVector`, both of any length (`f` is evaluated once per
/// chunk of inputs and must return the same length each time).
///
/// ```
/// use dualgrad::{jacobian_dmat, DualVec};
/// use nalgebra::{DMatrix, DVector};
///
/// // A linear map: its Jacobian is the matrix itself.
/// let a = DMatrix::from_fn(3, 10, |i, j| (i * 10 + j) as f64);
/// let ac = a.map(DualVec::constant);
/// let (y, j) = jacobian_dmat(|x| &ac * x, &DVector::from_element(10, 1.0));
/// assert_eq!(y, a.column_sum());
/// assert_eq!(j, a);
/// ```
pub fn jacobian_dmat<T: Scalar>(
    f: impl Fn(&DVector<ChunkDual<T>>) -> DVector<ChunkDual<T>>,
    x: &DVector<T>,
) -> (DVector<T>, DMatrix<T>) {
    let (y, j) = jacobian_dyn(
        |s| f(&DVector::from_column_slice(s)).iter().copied().collect(),
        x.as_slice(),
    );
    // `f` is expected to return the same length every time; entries a
    // shorter evaluation did not provide are NaN rather than a panic.
    let jac = DMatrix::from_fn(y.len(), x.len(), |i, k| {
        j.get(i)
            .and_then(|row| row.get(k))
            .copied()
            .unwrap_or_else(T::nan)
    });
    (DVector::from_vec(y), jac)
}

/// `f(x)`, `∇f(x)` and the exact symmetric Hessian of a function of a
/// `DVector` of any length, one [`CHUNK`](crate::CHUNK) ×
/// [`CHUNK`](crate::CHUNK) block per evaluation.
///
/// ```
/// use dualgrad::{hessian_dmat, ChunkDual2};
/// use nalgebra::{DMatrix, DVector};
///
/// // The Hessian of xᵀAx/2 is (A + Aᵀ)/2, for 10 inputs.
/// let a = DMatrix::from_fn(10, 10, |i, j| (i + 2 * j) as f64);
/// let ac = a.clone().cast::<ChunkDual2<f64>>();
/// let (_, _, h) = hessian_dmat(|x| 0.5 * x.dot(&(&ac * x)), &DVector::from_element(10, 0.5));
/// assert_eq!(h, (&a + a.transpose()) / 2.0);
/// ```
pub fn hessian_dmat<T: Scalar>(
    f: impl Fn(&DVector<ChunkDual2<T>>) -> ChunkDual2<T>,
    x: &DVector<T>,
) -> (T, DVector<T>, DMatrix<T>) {
    let (v, g, h) = hessian_dyn(|s| f(&DVector::from_column_slice(s)), x.as_slice());
    let n = x.len();
    (
        v,
        DVector::from_vec(g),
        DMatrix::from_fn(n, n, |i, j| h[i][j]),
    )
}
