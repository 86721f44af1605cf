//! Drivers over nalgebra's fixed-size vectors and matrices: the closure
//! receives an `SVector` of number types, so it can call nalgebra's own
//! algorithms (`dot`, `norm`, `lu`, `cholesky`, `determinant`, …).
//! No allocation.

use nalgebra::{SMatrix, SVector};

use crate::{Dual2Vec, DualVec, Scalar};

/// The inputs `x` as [`DualVec`] variables, input `i` seeded with `eᵢ`.
#[inline]
fn seed<T: Scalar, const N: usize>(x: &SVector<T, N>) -> SVector<DualVec<T, N>, N> {
    SVector::from_fn(|i, _| DualVec::variable(x[i], i))
}

/// `f(x)` and the gradient `∇f(x)` of a function of an `SVector`, from one
/// evaluation on [`DualVec`].
///
/// ```
/// use dualgrad::gradient_vec;
/// use nalgebra::Vector3;
///
/// // The gradient of ‖x‖ is x / ‖x‖, through nalgebra's own `norm`.
/// let x = Vector3::new(1.0, 2.0, 2.0);
/// let (n, g) = gradient_vec(|x| x.norm(), x);
/// assert_eq!(n, 3.0);
/// assert!((g - x / 3.0).norm() < 1e-16);
/// ```
#[inline]
pub fn gradient_vec<T: Scalar, const N: usize>(
    f: impl FnOnce(SVector<DualVec<T, N>, N>) -> DualVec<T, N>,
    x: SVector<T, N>,
) -> (T, SVector<T, N>) {
    let y = f(seed(&x));
    (y.re, SVector::from(y.eps))
}

/// `f(x)` and the Jacobian (`J[(i, j)] = ∂fᵢ/∂xⱼ`, `M` rows, `N` columns) of
/// a function from `SVector<_, N>` to `SVector<_, M>`, from one evaluation
/// on [`DualVec`].
///
/// ```
/// use dualgrad::jacobian_mat;
/// use nalgebra::{Matrix2, Vector2};
///
/// // A linear map: its Jacobian is the matrix itself.
/// let a = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// let (y, j) = jacobian_mat(|x| a.map(dualgrad::DualVec::constant) * x, Vector2::new(1.0, 1.0));
/// assert_eq!(y, Vector2::new(3.0, 7.0));
/// assert_eq!(j, a);
/// ```
#[inline]
pub fn jacobian_mat<T: Scalar, const N: usize, const M: usize>(
    f: impl FnOnce(SVector<DualVec<T, N>, N>) -> SVector<DualVec<T, N>, M>,
    x: SVector<T, N>,
) -> (SVector<T, M>, SMatrix<T, M, N>) {
    let y = f(seed(&x));
    (y.map(|yi| yi.re), SMatrix::from_fn(|i, j| y[i].eps[j]))
}

/// `f(x)`, `∇f(x)` and the exact, symmetric Hessian `∇²f(x)` of a function
/// of an `SVector`, from one evaluation on [`Dual2Vec`].
///
/// Each `Dual2Vec<T, N>` holds an `N × N` block on the stack, so this suits
/// small `N`; for larger inputs, `hessian_dmat`
/// (feature `alloc`) works in fixed-size blocks.
///
/// ```
/// use dualgrad::{hessian_mat, Dual2Vec};
/// use nalgebra::{Matrix2, Vector2};
///
/// // The Hessian of xᵀAx/2 is (A + Aᵀ)/2.
/// let a = Matrix2::new(2.0, 1.0, 3.0, 4.0);
/// let (_, _, h) = hessian_mat(
///     |x| x.dot(&(a.map(Dual2Vec::constant) * x)) * 0.5,
///     Vector2::new(0.3, -0.7),
/// );
/// assert_eq!(h, (a + a.transpose()) / 2.0);
/// ```
#[inline]
pub fn hessian_mat<T: Scalar, const N: usize>(
    f: impl FnOnce(SVector<Dual2Vec<T, N>, N>) -> Dual2Vec<T, N>,
    x: SVector<T, N>,
) -> (T, SVector<T, N>, SMatrix<T, N, N>) {
    let y = f(SVector::from_fn(|i, _| Dual2Vec::variable(x[i], i)));
    let h = y.hessian();
    (
        y.value(),
        SVector::from(y.gradient()),
        SMatrix::from_fn(|i, j| h[i][j]),
    )
}
