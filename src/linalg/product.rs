//! Matrix products of stored matrices, split over the product threads
//! (documented in the [`linalg`](super) module).

use core::fmt;
use nalgebra::{DMatrix, DMatrixView, Dyn};

use crate::Scalar;

/// A product whose operands do not fit: `c` is `c.0×c.1`, `a` is
/// `a.0×a.1`, `b` is `b.0×b.1` (as read, after any transpose), and
/// `c = a·b` needs `a.1 = b.0`, `c.0 = a.0` and `c.1 = b.1`.
///
/// ```
/// use dualgrad::linalg::{gemm, ProductShapeError};
/// use dualgrad::nalgebra::DMatrix;
/// let (a, b) = (DMatrix::<f64>::zeros(2, 3), DMatrix::<f64>::zeros(4, 5));
/// let mut c = DMatrix::<f64>::zeros(2, 5);
/// let e = gemm(&mut c, 1.0, &a, &b, 0.0).unwrap_err();
/// assert_eq!(e, ProductShapeError { c: (2, 5), a: (2, 3), b: (4, 5) });
/// assert_eq!(e.to_string(), "gemm: c = a·b with c 2×5, a 2×3, b 4×5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProductShapeError {
    /// The result's shape.
    pub c: (usize, usize),
    /// The left operand's shape.
    pub a: (usize, usize),
    /// The right operand's shape.
    pub b: (usize, usize),
}

impl fmt::Display for ProductShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ProductShapeError { c, a, b } = self;
        write!(
            f,
            "gemm: c = a·b with c {}×{}, a {}×{}, b {}×{}",
            c.0, c.1, a.0, a.1, b.0, b.1
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ProductShapeError {}

/// An operand of [`gemm`]: a stored matrix, read as it is or transposed
/// (in place, without a copy). `&DMatrix` converts to
/// [`Operand::Plain`].
///
/// ```
/// use dualgrad::linalg::Operand;
/// use dualgrad::nalgebra::DMatrix;
/// let x = DMatrix::<f64>::zeros(64, 784);
/// assert_eq!(Operand::from(&x).shape(), (64, 784));
/// assert_eq!(Operand::Transposed(&x).shape(), (784, 64));
/// ```
#[derive(Debug)]
pub enum Operand<'a, S: Scalar> {
    /// The matrix as stored.
    Plain(&'a DMatrix<S>),
    /// Its transpose.
    Transposed(&'a DMatrix<S>),
}

impl<S: Scalar> Clone for Operand<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Scalar> Copy for Operand<'_, S> {}

impl<'a, S: Scalar> From<&'a DMatrix<S>> for Operand<'a, S> {
    fn from(m: &'a DMatrix<S>) -> Self {
        Operand::Plain(m)
    }
}

impl<'a, S: Scalar> Operand<'a, S> {
    /// The shape as read: rows×columns of the matrix, or of its transpose.
    ///
    /// ```
    /// use dualgrad::linalg::Operand;
    /// let m = dualgrad::nalgebra::DMatrix::<f32>::zeros(2, 3);
    /// assert_eq!(Operand::Transposed(&m).shape(), (3, 2));
    /// ```
    pub fn shape(self) -> (usize, usize) {
        match self {
            Operand::Plain(m) => m.shape(),
            Operand::Transposed(m) => (m.ncols(), m.nrows()),
        }
    }

    /// The stored matrix.
    #[cfg(feature = "faer")]
    fn stored(self) -> &'a DMatrix<S> {
        match self {
            Operand::Plain(m) | Operand::Transposed(m) => m,
        }
    }

    /// The operand as read, as a nalgebra view of the storage (strided
    /// when transposed).
    fn view(self) -> DMatrixView<'a, S, Dyn, Dyn> {
        match self {
            Operand::Plain(m) => m.as_view(),
            Operand::Transposed(m) => DMatrixView::from_slice_with_strides(
                m.as_slice(),
                m.ncols(),
                m.nrows(),
                m.nrows(),
                1,
            ),
        }
    }
}

/// `c = α·a·b + β·c`, where `a` and `b` are stored matrices read as they
/// are or transposed ([`Operand`]; a `&DMatrix` is read as it is). With
/// β = 0, `c` is not read (NaN in it does not spread). Returns an error,
/// and leaves `c` alone, if the shapes do not fit.
///
/// `f32`/`f64` products with the feature `faer` (default) run on faer's
/// kernels (AVX-512 or AVX2/FMA, picked at run time) and, when large, on
/// the product threads (see the [module documentation](super#products-and-threads)):
/// the result does not depend on the number of threads. Without it, and
/// for other scalar types (dual numbers), nalgebra's product on the
/// calling thread.
///
/// ```
/// use dualgrad::linalg::{gemm, Operand};
/// use dualgrad::nalgebra::{dmatrix, DMatrix};
/// let a = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let b = dmatrix![5.0; 6.0];
/// let mut c = DMatrix::zeros(2, 1);
/// gemm(&mut c, 1.0, &a, &b, 0.0)?;
/// assert_eq!(c, dmatrix![17.0; 39.0]);
/// // aᵀ·b, without forming aᵀ:
/// gemm(&mut c, 1.0, Operand::Transposed(&a), &b, 0.0)?;
/// assert_eq!(c, dmatrix![23.0; 34.0]);
/// # Ok::<(), dualgrad::linalg::ProductShapeError>(())
/// ```
pub fn gemm<'a, 'b, S: Scalar>(
    c: &mut DMatrix<S>,
    alpha: S,
    a: impl Into<Operand<'a, S>>,
    b: impl Into<Operand<'b, S>>,
    beta: S,
) -> Result<(), ProductShapeError> {
    let (a, b) = (a.into(), b.into());
    let (cs, as_, bs) = (c.shape(), a.shape(), b.shape());
    if as_.1 != bs.0 || cs != (as_.0, bs.1) {
        return Err(ProductShapeError {
            c: cs,
            a: as_,
            b: bs,
        });
    }
    gemm_blocked(c, alpha, a, b, beta);
    Ok(())
}

/// Whether products of this scalar type run on faer's kernels: `f32`/`f64`
/// with the feature `faer`.
pub(crate) fn blocked<S: Scalar>() -> bool {
    use core::any::TypeId;
    let float =
        TypeId::of::<S>() == TypeId::of::<f64>() || TypeId::of::<S>() == TypeId::of::<f32>();
    cfg!(feature = "faer") && float
}

/// [`gemm`] for shapes already checked: faer's kernels (split over the
/// product threads when large) for `f32`/`f64` with `faer`, else
/// nalgebra's product.
pub(crate) fn gemm_blocked<S: Scalar>(
    c: &mut DMatrix<S>,
    alpha: S,
    a: Operand<'_, S>,
    b: Operand<'_, S>,
    beta: S,
) {
    #[cfg(feature = "faer")]
    {
        if fast::product::<S, f64>(c, alpha, a, b, beta)
            || fast::product::<S, f32>(c, alpha, a, b, beta)
        {
            return;
        }
    }
    gemm_generic(c, alpha, a, b, beta);
}

/// A product is split in two only if each half keeps at least this many
/// multiply-adds (2¹⁹): below it, waking a parked thread for a half costs
/// more than the half. Measured in `f64` after a pause of 50 µs, one
/// thread against two: 64×64·64×64 (2¹⁸) 10.6 against 22.0 µs,
/// 64×128·128×64 (2¹⁹) 21.5 against 23.5 µs, 64×128·128×128 (2²⁰) 40.5
/// against 32.0 µs, 256³ 603 against 329 µs.
///
/// ```
/// // The MLP's 64×784·784×128 product (6.4 M multiply-adds) is split;
/// // 64×128·128×10 (82 k) is not.
/// assert!(64 * 784 * 128 / 2 >= dualgrad::linalg::SPLIT_MIN);
/// assert!(64 * 128 * 10 / 2 < dualgrad::linalg::SPLIT_MIN);
/// ```
pub const SPLIT_MIN: usize = 1 << 19;

/// nalgebra's product on the calling thread. Its own loops (small or
/// non-float products) assume that a column's entries are contiguous:
/// given a transposed view they index past the slice (nalgebra 0.35
/// aborts in a debug build), so `aᵀ·b` goes through nalgebra's `gemm_tr`
/// (dot products of columns) and a transposed `b` through a copy.
fn gemm_generic<S: Scalar>(
    c: &mut DMatrix<S>,
    alpha: S,
    a: Operand<'_, S>,
    b: Operand<'_, S>,
    beta: S,
) {
    match (a, b) {
        (Operand::Plain(a), Operand::Plain(b)) => c.gemm(alpha, a, b, beta),
        (Operand::Plain(a), b) => c.gemm(alpha, a, &b.view().clone_owned(), beta),
        (Operand::Transposed(a), Operand::Plain(b)) => c.gemm_tr(alpha, a, b, beta),
        (Operand::Transposed(a), b) => c.gemm_tr(alpha, a, &b.view().clone_owned(), beta),
    }
}

/// The `f32`/`f64` products on faer's kernels.
#[cfg(feature = "faer")]
mod fast {
    use core::any::Any;
    use faer::linalg::matmul::matmul;
    use faer::{Accum, MatMut, MatRef, Par};
    use nalgebra::DMatrix;
    use thread_tree::ThreadTreeCtx;

    use super::{Operand, SPLIT_MIN};
    use crate::Scalar;

    /// `x` as a `T`, if `S` is `T`.
    fn cast<S: 'static, T: 'static>(x: &S) -> Option<&T> {
        (x as &dyn Any).downcast_ref()
    }

    /// The operand as an operand of `T`, if `S` is `T`.
    fn cast_operand<S: Scalar, T: Scalar>(o: Operand<'_, S>) -> Option<Operand<'_, T>> {
        match o {
            Operand::Plain(m) => cast(m).map(Operand::Plain),
            Operand::Transposed(m) => cast(m).map(Operand::Transposed),
        }
    }

    /// The operand as a faer view of its storage.
    fn faer_ref<T: Scalar>(o: Operand<'_, T>) -> MatRef<'_, T> {
        let m = o.stored();
        let view = MatRef::from_column_major_slice(m.as_slice(), m.nrows(), m.ncols());
        match o {
            Operand::Plain(_) => view,
            Operand::Transposed(_) => view.transpose(),
        }
    }

    /// The product on faer's kernels if `S` is `T`; returns whether it
    /// was. β other than 0 and 1 scales `c` first (entry by entry, so on
    /// any number of threads alike).
    pub(super) fn product<S: Scalar, T: Scalar + faer::traits::ComplexField>(
        c: &mut DMatrix<S>,
        alpha: S,
        a: Operand<'_, S>,
        b: Operand<'_, S>,
        beta: S,
    ) -> bool {
        let Some(c) = (c as &mut dyn Any).downcast_mut::<DMatrix<T>>() else {
            return false;
        };
        let (Some(&alpha), Some(&beta), Some(a), Some(b)) = (
            cast::<S, T>(&alpha),
            cast::<S, T>(&beta),
            cast_operand::<S, T>(a),
            cast_operand::<S, T>(b),
        ) else {
            return false;
        };
        let accum = if beta == T::zero() {
            Accum::Replace
        } else {
            if beta != T::one() {
                c.iter_mut().for_each(|v| *v *= beta);
            }
            Accum::Add
        };
        let (m, n) = c.shape();
        let c = MatMut::from_column_major_slice_mut(c.as_mut_slice(), m, n);
        let (a, b) = (faer_ref(a), faer_ref(b));
        match crate::linalg::threads::lease(work(m, n, a.ncols())) {
            Some(lease) => split(lease.top(), c, alpha, a, b, accum),
            None => matmul(c, accum, a, b, alpha, Par::Seq),
        }
        true
    }

    /// Multiply-adds of an m×k · k×n product (saturating).
    fn work(m: usize, n: usize, k: usize) -> usize {
        m.saturating_mul(n).saturating_mul(k)
    }

    /// A block of `c` computed on the calling thread and the other half
    /// sent to the tree's next thread, recursively down the tree: `c`'s
    /// columns (and `b`'s) if it has 16 or more, else its rows (and
    /// `a`'s), cut at a multiple of 8 with at least 8 on each side.
    /// Columns first, because two threads writing the two halves of every
    /// column interfere: the MLP's 784×64·64×128 weight gradient took
    /// 102–110 µs on two threads split by rows (f32), 66–77 µs split by
    /// columns, against 121 µs on one. Each block is one call of faer's
    /// product on one thread, which sums every entry of `c` in the same
    /// order whatever the block's width: the bits do not depend on the
    /// thread count. (Not for blocks of one row or column, or under 4,096
    /// multiply-adds, which faer computes by other routines; no block here
    /// is either.)
    fn split<T: Scalar + faer::traits::ComplexField>(
        ctx: ThreadTreeCtx<'_>,
        c: MatMut<'_, T>,
        alpha: T,
        a: MatRef<'_, T>,
        b: MatRef<'_, T>,
        accum: Accum,
    ) {
        let (m, n, k) = (c.nrows(), c.ncols(), a.ncols());
        let by_columns = n >= 16;
        if !ctx.is_parallel() || work(m, n, k) / 2 < SPLIT_MIN || !(by_columns || m >= 16) {
            matmul(c, accum, a, b, alpha, Par::Seq);
            return;
        }
        let ((c1, a1, b1), (c2, a2, b2)) = if by_columns {
            let h = cut(n);
            let (c1, c2) = c.split_at_col_mut(h);
            ((c1, a, b.subcols(0, h)), (c2, a, b.subcols(h, n - h)))
        } else {
            let h = cut(m);
            let (c1, c2) = c.split_at_row_mut(h);
            ((c1, a.subrows(0, h), b), (c2, a.subrows(h, m - h), b))
        };
        ctx.join(
            move |t| split(t, c1, alpha, a1, b1, accum),
            move |t| split(t, c2, alpha, a2, b2, accum),
        );
    }

    /// Where to cut a dimension of `n` ≥ 16 in two: the middle, rounded to
    /// a multiple of 8 (both sides then keep at least 8).
    fn cut(n: usize) -> usize {
        (n / 2 + 4) / 8 * 8
    }
}
