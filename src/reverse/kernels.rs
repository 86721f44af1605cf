//! The matrix computations behind each operation, on plain `DMatrix`
//! values: used to compute recorded values and by the eager backward pass.
//! Shapes are checked before these are called.

use nalgebra::{DMatrix, DMatrixView, Dyn};

use super::op::{Fun, Op};
use super::tape::Node;
use crate::Scalar;

/// `a · b` (nalgebra's gemm; matrixmultiply for `f32`/`f64` with `std`).
pub(crate) fn matmul<S: Scalar>(a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    a * b
}

/// The transpose of `a` as a strided view, without copying.
fn t_view<S: Scalar>(a: &DMatrix<S>) -> DMatrixView<'_, S, Dyn, Dyn> {
    DMatrixView::from_slice_with_strides(a.as_slice(), a.ncols(), a.nrows(), a.nrows(), 1)
}

/// Whether nalgebra's gemm will hand a product with these shapes (result
/// r×c, left operand r×k) to matrixmultiply, which reads strided
/// (transposed) views directly. nalgebra's own loops for small or
/// non-float products mishandle row-strided views, so those get a copied
/// transpose instead.
fn blas_path<S: Scalar>(r: usize, c: usize, k: usize) -> bool {
    use core::any::TypeId;
    let float =
        TypeId::of::<S>() == TypeId::of::<f64>() || TypeId::of::<S>() == TypeId::of::<f32>();
    cfg!(feature = "std") && float && r > 5 && c > 5 && k > 5
}

/// `aᵀ · b` without forming `aᵀ` (for `f32`/`f64`).
pub(crate) fn matmul_tn<S: Scalar>(a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    if !blas_path::<S>(a.ncols(), b.ncols(), a.nrows()) {
        return a.tr_mul(b);
    }
    let mut c = DMatrix::zeros(a.ncols(), b.ncols());
    c.gemm(S::one(), &t_view(a), b, S::zero());
    c
}

/// `a · bᵀ` without forming `bᵀ` (for `f32`/`f64`).
pub(crate) fn matmul_nt<S: Scalar>(a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    if !blas_path::<S>(a.nrows(), b.nrows(), a.ncols()) {
        return a * b.transpose();
    }
    let mut c = DMatrix::zeros(a.nrows(), b.nrows());
    c.gemm(S::one(), a, &t_view(b), S::zero());
    c
}

/// `a + 1·row`.
pub(crate) fn add_row<S: Scalar>(a: &DMatrix<S>, row: &DMatrix<S>) -> DMatrix<S> {
    let mut y = a.clone();
    for (j, mut col) in y.column_iter_mut().enumerate() {
        let r = row[(0, j)];
        col.iter_mut().for_each(|v| *v += r);
    }
    y
}

/// `k · a`.
pub(crate) fn scale<S: Scalar>(a: &DMatrix<S>, k: S) -> DMatrix<S> {
    a.map(|v| v * k)
}

/// `g ⊙ f⁽ᵏ⁾(x)`, zero wherever `g` is zero.
pub(crate) fn deriv_mul<S: Scalar>(g: &DMatrix<S>, x: &DMatrix<S>, f: Fun, k: u8) -> DMatrix<S> {
    if (f, k) == (Fun::Relu, 1) {
        // The rule table's relu′ (1 above 0, 0 at and below, NaN for NaN)
        // without going through a dual number: the hot path of training.
        return g.zip_map(x, |g, x| {
            if g.is_zero() {
                S::zero()
            } else if x > S::zero() {
                g
            } else if x.is_nan() {
                x
            } else {
                g * S::zero()
            }
        });
    }
    g.zip_map(x, |g, x| {
        if g.is_zero() {
            S::zero()
        } else {
            g * f.deriv(k, x)
        }
    })
}

/// `f` applied to every entry, with the match on `f` outside the loop.
pub(crate) fn map_fun<S: Scalar>(a: &DMatrix<S>, f: Fun) -> DMatrix<S> {
    match f {
        Fun::Relu => a.map(|x| x.relu()),
        Fun::Tanh => a.map(|x| x.tanh()),
        Fun::Sigmoid => a.map(|x| x.sigmoid()),
        Fun::Softplus => a.map(|x| x.softplus()),
        Fun::Square => a.map(|x| x * x),
        _ => a.map(|x| f.apply(x)),
    }
}

/// The largest entry of each row (NaN if the row has one).
fn row_max<S: Scalar>(a: &DMatrix<S>) -> alloc::vec::Vec<S> {
    let mut m = alloc::vec![S::neg_infinity(); a.nrows()];
    for col in a.column_iter() {
        for (mi, &v) in m.iter_mut().zip(col.iter()) {
            if v > *mi || v.is_nan() {
                *mi = v;
            }
        }
    }
    m
}

/// Row-wise `exp(a − max)` and the row sums of it.
fn shifted_exp<S: Scalar>(a: &DMatrix<S>) -> (DMatrix<S>, alloc::vec::Vec<S>, alloc::vec::Vec<S>) {
    let m = row_max(a);
    let mut s = alloc::vec![S::zero(); a.nrows()];
    let mut e = a.clone();
    for mut col in e.column_iter_mut() {
        for ((v, &mi), si) in col.iter_mut().zip(m.iter()).zip(s.iter_mut()) {
            *v = (*v - mi).exp();
            *si += *v;
        }
    }
    (e, m, s)
}

/// Row-wise softmax, with the row maximum subtracted first.
pub(crate) fn softmax<S: Scalar>(a: &DMatrix<S>) -> DMatrix<S> {
    let (mut e, _, s) = shifted_exp(a);
    for mut col in e.column_iter_mut() {
        col.iter_mut().zip(s.iter()).for_each(|(v, &si)| *v /= si);
    }
    e
}

/// Row-wise log-softmax `a − max − ln Σ exp(a − max)`.
pub(crate) fn log_softmax<S: Scalar>(a: &DMatrix<S>) -> DMatrix<S> {
    let (_, m, s) = shifted_exp(a);
    let ln_s: alloc::vec::Vec<S> = s.iter().map(|&si| si.ln()).collect();
    let mut y = a.clone();
    for mut col in y.column_iter_mut() {
        // (x − max) is exact near the max; subtracting max + ln s in one go
        // would round at the magnitude of the max.
        for ((v, &mi), &l) in col.iter_mut().zip(m.iter()).zip(ln_s.iter()) {
            *v = (*v - mi) - l;
        }
    }
    y
}

/// The sums of each row: an m×1 column.
pub(crate) fn row_sums<S: Scalar>(a: &DMatrix<S>) -> DMatrix<S> {
    let mut y = DMatrix::zeros(a.nrows(), 1);
    for col in a.column_iter() {
        for (yi, &v) in y.iter_mut().zip(col.iter()) {
            *yi += v;
        }
    }
    y
}

/// The sums of each column: a 1×n row.
pub(crate) fn col_sums<S: Scalar>(a: &DMatrix<S>) -> DMatrix<S> {
    DMatrix::from_iterator(
        1,
        a.ncols(),
        a.column_iter().map(|c| c.iter().copied().sum()),
    )
}

/// `a` (1×1, m×1, 1×n or r×c) repeated to r×c.
pub(crate) fn broadcast<S: Scalar>(a: &DMatrix<S>, r: usize, c: usize) -> DMatrix<S> {
    let (ar, ac) = a.shape();
    DMatrix::from_fn(r, c, |i, j| {
        a[(if ar == 1 { 0 } else { i }, if ac == 1 { 0 } else { j })]
    })
}

/// Sums `g` (r×c) down to the shape `(ar, ac)` it was broadcast from.
pub(crate) fn unbroadcast<S: Scalar>(g: &DMatrix<S>, ar: usize, ac: usize) -> DMatrix<S> {
    let mut y = g.clone();
    if ar == 1 && y.nrows() != 1 {
        y = col_sums(&y);
    }
    if ac == 1 && y.ncols() != 1 {
        y = row_sums(&y);
    }
    y
}

/// The sum of all entries.
pub(crate) fn sum<S: Scalar>(a: &DMatrix<S>) -> S {
    a.iter().copied().sum()
}

/// A 1×1 matrix.
pub(crate) fn scalar<S: Scalar>(v: S) -> DMatrix<S> {
    DMatrix::from_element(1, 1, v)
}

/// The number of entries as a scalar.
pub(crate) fn count<S: Scalar>(a: &DMatrix<S>) -> S {
    S::lit(a.len() as f64)
}

/// The Frobenius norm: `√Σ x²` where that neither overflows nor underflows,
/// otherwise scaled by the largest magnitude first.
pub(crate) fn norm<S: Scalar>(a: &DMatrix<S>) -> S {
    let s: S = a.iter().map(|&v| v * v).sum();
    if s.is_finite() && s >= S::min_positive_value() / S::epsilon() {
        return s.sqrt();
    }
    let mut m = S::zero();
    for &v in a.iter() {
        let v = v.abs();
        if v > m || v.is_nan() {
            m = v;
        }
    }
    if m.is_zero() || m.is_infinite() || m.is_nan() {
        return m;
    }
    m * a.iter().map(|&v| (v / m) * (v / m)).sum::<S>().sqrt()
}

/// `mean((a − b)²)`.
pub(crate) fn mse<S: Scalar>(a: &DMatrix<S>, b: &DMatrix<S>) -> S {
    let s: S = a
        .iter()
        .zip(b.iter())
        .map(|(&x, &y)| (x - y) * (x - y))
        .sum();
    s / count(a)
}

/// `−(1/rows) Σ target ⊙ log_softmax(z)`; zero targets contribute nothing.
pub(crate) fn cross_entropy<S: Scalar>(z: &DMatrix<S>, target: &DMatrix<S>) -> S {
    let ls = log_softmax(z);
    let s: S = ls
        .iter()
        .zip(target.iter())
        .filter(|(_, t)| !t.is_zero())
        .map(|(&l, &t)| t * l)
        .sum();
    -s / S::lit(z.nrows() as f64)
}

/// The value of `op` from the values of its operands.
pub(crate) fn eval<S: Scalar>(op: &Op<S>, nodes: &[Node<S>]) -> DMatrix<S> {
    let v = |i: usize| &nodes[i].value;
    match *op {
        Op::Leaf => DMatrix::zeros(0, 0),
        Op::MatMul(a, b) => matmul(v(a), v(b)),
        Op::Transpose(a) => v(a).transpose(),
        Op::Add(a, b) => v(a) + v(b),
        Op::Sub(a, b) => v(a) - v(b),
        Op::Mul(a, b) => v(a).component_mul(v(b)),
        Op::Div(a, b) => v(a).zip_map(v(b), |x, y| x / y),
        Op::AddRow(a, r) => add_row(v(a), v(r)),
        Op::Scale(a, k) => scale(v(a), k),
        Op::Map(a, f) => map_fun(v(a), f),
        Op::DerivMul(g, x, f, k) => deriv_mul(v(g), v(x), f, k),
        Op::Softmax(a) => softmax(v(a)),
        Op::LogSoftmax(a) => log_softmax(v(a)),
        Op::Sum(a) => scalar(sum(v(a))),
        Op::Mean(a) => scalar(sum(v(a)) / count(v(a))),
        Op::RowSums(a) => row_sums(v(a)),
        Op::ColSums(a) => col_sums(v(a)),
        Op::Broadcast(a, r, c) => broadcast(v(a), r, c),
        Op::Norm(a) => scalar(norm(v(a))),
        Op::Mse(a, b) => scalar(mse(v(a), v(b))),
        Op::CrossEntropy(z, t) => scalar(cross_entropy(v(z), v(t))),
    }
}
