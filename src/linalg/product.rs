//! Matrix products on nalgebra views, split over the product threads
//! (documented in the [`linalg`](super) module).

use core::fmt;
use nalgebra::{DMatrixView, DMatrixViewMut, Dyn};

use crate::Scalar;

/// A product whose operands do not fit: `c` is `c.0×c.1`, `a` is
/// `a.0×a.1`, `b` is `b.0×b.1`, and `c = a·b` needs `a.1 = b.0`,
/// `c.0 = a.0` and `c.1 = b.1`.
///
/// ```
/// use dualgrad::linalg::{gemm, ProductShapeError};
/// use dualgrad::nalgebra::DMatrix;
/// let (a, b) = (DMatrix::<f64>::zeros(2, 3), DMatrix::<f64>::zeros(4, 5));
/// let mut c = DMatrix::<f64>::zeros(2, 5);
/// let e = gemm(c.as_view_mut(), 1.0, a.as_view(), b.as_view(), 0.0).unwrap_err();
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

/// `c = α·a·b + β·c` on nalgebra views of any strides (a transposed
/// operand is a view with its strides swapped, without a copy). With
/// β = 0, `c` is not read (NaN in it does not spread), as in nalgebra's
/// `gemm`. Returns an error, and leaves `c` alone, if the shapes do not
/// fit.
///
/// `f32`/`f64` products with `std` run on matrixmultiply's kernels and,
/// when large, on the product threads (see the
/// [module documentation](super#products-and-threads)); other scalar
/// types (dual numbers) use nalgebra's generic product on the calling
/// thread.
///
/// ```
/// use dualgrad::linalg::gemm;
/// use dualgrad::nalgebra::{dmatrix, DMatrix};
/// let a = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let b = dmatrix![5.0; 6.0];
/// let mut c = DMatrix::zeros(2, 1);
/// gemm(c.as_view_mut(), 1.0, a.as_view(), b.as_view(), 0.0).unwrap();
/// assert_eq!(c, dmatrix![17.0; 39.0]);
/// ```
pub fn gemm<S: Scalar>(
    c: DMatrixViewMut<'_, S, Dyn, Dyn>,
    alpha: S,
    a: DMatrixView<'_, S, Dyn, Dyn>,
    b: DMatrixView<'_, S, Dyn, Dyn>,
    beta: S,
) -> Result<(), ProductShapeError> {
    let (cs, as_, bs) = (c.shape(), a.shape(), b.shape());
    if as_.1 != bs.0 || cs != (as_.0, bs.1) {
        return Err(ProductShapeError {
            c: cs,
            a: as_,
            b: bs,
        });
    }
    if blocked::<S>(cs.0, cs.1, as_.1) {
        gemm_blocked(c, alpha, a, b, beta);
    } else {
        gemm_generic(c, alpha, a, b, beta);
    }
    Ok(())
}

/// Whether nalgebra's gemm hands a product (result m×n, inner dimension
/// k) to matrixmultiply, whose kernels read any strides: `f32`/`f64` with
/// `std`, every dimension above nalgebra's threshold of 5.
pub(crate) fn blocked<S: Scalar>(m: usize, n: usize, k: usize) -> bool {
    use core::any::TypeId;
    let float =
        TypeId::of::<S>() == TypeId::of::<f64>() || TypeId::of::<S>() == TypeId::of::<f32>();
    cfg!(feature = "std") && float && m > 5 && n > 5 && k > 5
}

/// [`gemm`] for shapes already checked and [`blocked`]: split over the
/// product threads when large (with `std`).
pub(crate) fn gemm_blocked<S: Scalar>(
    mut c: DMatrixViewMut<'_, S, Dyn, Dyn>,
    alpha: S,
    a: DMatrixView<'_, S, Dyn, Dyn>,
    b: DMatrixView<'_, S, Dyn, Dyn>,
    beta: S,
) {
    #[cfg(feature = "std")]
    {
        let (m, n, k) = (c.nrows(), c.ncols(), a.ncols());
        if let Some(lease) = super::threads::lease(work(m, n, k)) {
            split(lease.top(), c, alpha, a, b, beta);
            return;
        }
    }
    c.gemm(alpha, &a, &b, beta);
}

/// Multiply-adds of an m×k · k×n product (saturating).
#[cfg(feature = "std")]
fn work(m: usize, n: usize, k: usize) -> usize {
    m.saturating_mul(n).saturating_mul(k)
}

/// A block of `c` computed on the calling thread and the other half sent
/// to the tree's next thread, recursively down the tree: `c`'s columns
/// (and `b`'s) if it has at least as many columns as rows, else its rows
/// (and `a`'s), cut at a multiple of 8 (whole kernel tiles).
#[cfg(feature = "std")]
fn split<S: Scalar>(
    ctx: thread_tree::ThreadTreeCtx<'_>,
    mut c: DMatrixViewMut<'_, S, Dyn, Dyn>,
    alpha: S,
    a: DMatrixView<'_, S, Dyn, Dyn>,
    b: DMatrixView<'_, S, Dyn, Dyn>,
    beta: S,
) {
    let (m, n, k) = (c.nrows(), c.ncols(), a.ncols());
    if !ctx.is_parallel() || work(m, n, k) / 2 < SPLIT_MIN {
        c.gemm(alpha, &a, &b, beta);
        return;
    }
    let ((c1, a1, b1), (c2, a2, b2)) = if n >= m {
        let h = cut(n);
        let (c1, c2) = c.columns_range_pair_mut(0..h, h..n);
        (
            (c1, a, b.columns_range(0..h)),
            (c2, a, b.columns_range(h..n)),
        )
    } else {
        let h = cut(m);
        let (c1, c2) = c.rows_range_pair_mut(0..h, h..m);
        ((c1, a.rows_range(0..h), b), (c2, a.rows_range(h..m), b))
    };
    ctx.join(
        move |t| split(t, c1, alpha, a1, b1, beta),
        move |t| split(t, c2, alpha, a2, b2, beta),
    );
}

/// Where to cut a dimension of `n` ≥ 2 in two: the middle, rounded to a
/// multiple of 8 when that leaves both sides non-empty.
#[cfg(feature = "std")]
fn cut(n: usize) -> usize {
    let h = (n / 2 + 4) / 8 * 8;
    if h == 0 || h >= n {
        n / 2
    } else {
        h
    }
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

/// nalgebra's product on the calling thread, for shapes already checked.
/// Its own loops (small or non-float products) assume that a column's
/// entries are contiguous: given a transposed view they index past the
/// slice (nalgebra 0.35 aborts in a debug build). Such an operand or
/// result goes through a copy.
fn gemm_generic<S: Scalar>(
    mut c: DMatrixViewMut<'_, S, Dyn, Dyn>,
    alpha: S,
    a: DMatrixView<'_, S, Dyn, Dyn>,
    b: DMatrixView<'_, S, Dyn, Dyn>,
    beta: S,
) {
    let strided = |s: (usize, usize)| s.0 != 1;
    if strided(c.strides()) {
        let mut t = c.clone_owned();
        gemm_generic(t.as_view_mut(), alpha, a, b, beta);
        c.copy_from(&t);
        return;
    }
    match (strided(a.strides()), strided(b.strides())) {
        (false, false) => c.gemm(alpha, &a, &b, beta),
        (true, false) => c.gemm(alpha, &a.clone_owned(), &b, beta),
        (false, true) => c.gemm(alpha, &a, &b.clone_owned(), beta),
        (true, true) => c.gemm(alpha, &a.clone_owned(), &b.clone_owned(), beta),
    }
}
