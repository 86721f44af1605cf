//! The matrix computations behind each operation, on plain `DMatrix`
//! values: used to compute recorded values and by the eager backward pass.
//! Shapes are checked before these are called.

use nalgebra::{DMatrix, DMatrixView, Dyn};

use super::op::{Fun, Op};
use super::pool::Pool;
use super::tape::Node;
use crate::Scalar;

/// `a · b` (nalgebra's gemm; matrixmultiply for `f32`/`f64` with `std`).
///
/// The products here write their result with β = 0, which nalgebra's gemm
/// documents as never reading it: the result buffer is not zeroed first.
pub(crate) fn matmul<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    let mut c = p.scratch(a.nrows(), b.ncols());
    c.gemm(S::one(), a, b, S::zero());
    c
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
pub(crate) fn matmul_tn<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    let mut c = p.scratch(a.ncols(), b.ncols());
    if blas_path::<S>(a.ncols(), b.ncols(), a.nrows()) {
        c.gemm(S::one(), &t_view(a), b, S::zero());
    } else {
        a.tr_mul_to(b, &mut c);
    }
    c
}

/// `a · bᵀ` without forming `bᵀ` (for `f32`/`f64`).
pub(crate) fn matmul_nt<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    let mut c = p.scratch(a.nrows(), b.nrows());
    if blas_path::<S>(a.nrows(), b.nrows(), a.ncols()) {
        c.gemm(S::one(), a, &t_view(b), S::zero());
    } else {
        // The transpose in pooled storage, not a fresh allocation.
        let bt = transpose(p, b);
        c.gemm(S::one(), a, &bt, S::zero());
        p.give(bt);
    }
    c
}

/// `a + 1·row`.
pub(crate) fn add_row<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, row: &DMatrix<S>) -> DMatrix<S> {
    let mut y = p.copy(a);
    let r = a.nrows();
    if r > 0 {
        for (col, &b) in y.as_mut_slice().chunks_exact_mut(r).zip(row.as_slice()) {
            col.iter_mut().for_each(|v| *v += b);
        }
    }
    y
}

/// `k · a`.
pub(crate) fn scale<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, k: S) -> DMatrix<S> {
    p.fill(a.nrows(), a.ncols(), a.as_slice().iter().map(|&v| v * k))
}

/// `f(a, b)` entry by entry (same shapes).
pub(crate) fn zip<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
    f: impl Fn(S, S) -> S,
) -> DMatrix<S> {
    p.fill(
        a.nrows(),
        a.ncols(),
        a.as_slice()
            .iter()
            .zip(b.as_slice())
            .map(|(&x, &y)| f(x, y)),
    )
}

/// The transpose.
pub(crate) fn transpose<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let it = (0..a.nrows()).flat_map(|j| (0..a.ncols()).map(move |i| a[(j, i)]));
    p.fill(a.ncols(), a.nrows(), it)
}

/// `g ⊙ f⁽ᵏ⁾(x)`, zero wherever `g` is zero.
pub(crate) fn deriv_mul<S: Scalar>(
    p: &mut Pool<S>,
    g: &DMatrix<S>,
    x: &DMatrix<S>,
    f: Fun,
    k: u8,
) -> DMatrix<S> {
    if (f, k) == (Fun::Relu, 1) && S::DEPTH == 0 {
        // The rule table's relu′ (1 above 0, 0 at and below, NaN for NaN)
        // as two selects the compiler can vectorise: the hot path of
        // training on plain floats.
        let (zero, one) = (S::zero(), S::one());
        return zip(p, g, x, |g, x| {
            let d = if x > zero { one } else { zero };
            g * if x.is_nan() && !g.all_parts_zero() {
                x
            } else {
                d
            }
        });
    }
    if (f, k) == (Fun::Tanh, 1) && S::DEPTH == 0 {
        // The rule table's own tanh′ (same formula, same bits), computing
        // tanh x only where that formula needs it.
        return zip(p, g, x, |g, x| {
            if g.all_parts_zero() {
                S::zero()
            } else {
                g * crate::forward::rules::tanh_slope(x, || x.tanh())
            }
        });
    }
    if (f, k) == (Fun::Softplus, 1) && S::DEPTH == 0 {
        // The rule table's softplus′ is σ(x): no logarithm needed.
        return zip(p, g, x, |g, x| {
            if g.all_parts_zero() {
                S::zero()
            } else {
                g * x.sigmoid()
            }
        });
    }
    if (f, k) == (Fun::Relu, 1) {
        return zip(p, g, x, |g, x| {
            if g.all_parts_zero() {
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
    zip(p, g, x, |g, x| {
        if g.all_parts_zero() {
            S::zero()
        } else {
            g * f.deriv(k, x)
        }
    })
}

/// `f` applied to every entry, with the match on `f` outside the loop.
pub(crate) fn map_fun<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, f: Fun) -> DMatrix<S> {
    let (r, c) = a.shape();
    let it = a.as_slice().iter().copied();
    match f {
        // relu on plain floats without branches: max(x, 0) + 0 is the rule
        // table's value (+0 at and below 0), NaN kept.
        Fun::Relu if S::DEPTH == 0 => p.fill(
            r,
            c,
            it.map(|x| {
                if x.is_nan() {
                    x
                } else {
                    x.max(S::zero()) + S::zero()
                }
            }),
        ),
        Fun::Relu => p.fill(r, c, it.map(|x| x.relu())),
        Fun::Tanh => p.fill(r, c, it.map(|x| x.tanh())),
        Fun::Sigmoid => p.fill(r, c, it.map(|x| x.sigmoid())),
        Fun::Softplus => p.fill(r, c, it.map(|x| x.softplus())),
        Fun::Square => p.fill(r, c, it.map(|x| x * x)),
        _ => p.fill(r, c, it.map(|x| f.apply(x))),
    }
}

/// The largest entry of each row (NaN if the row has one), in pooled
/// storage.
fn row_max<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> alloc::vec::Vec<S> {
    let mut m = p.take(a.nrows());
    m.resize(a.nrows(), S::neg_infinity());
    for col in a.column_iter() {
        for (mi, &v) in m.iter_mut().zip(col.iter()) {
            if v > *mi || v.is_nan() {
                *mi = v;
            }
        }
    }
    m
}

/// Row-wise `exp(a − max)`, the row maxima and the row sums of it (the two
/// vectors in pooled storage: hand them back with [`Pool::give_vec`]).
fn shifted_exp<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
) -> (DMatrix<S>, alloc::vec::Vec<S>, alloc::vec::Vec<S>) {
    let m = row_max(p, a);
    let mut s = p.take(a.nrows());
    s.resize(a.nrows(), S::zero());
    let mut e = p.copy(a);
    for mut col in e.column_iter_mut() {
        for ((v, &mi), si) in col.iter_mut().zip(m.iter()).zip(s.iter_mut()) {
            *v = (*v - mi).exp();
            *si += *v;
        }
    }
    (e, m, s)
}

/// Row-wise softmax, with the row maximum subtracted first.
pub(crate) fn softmax<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let (mut e, m, s) = shifted_exp(p, a);
    for mut col in e.column_iter_mut() {
        col.iter_mut().zip(s.iter()).for_each(|(v, &si)| *v /= si);
    }
    p.give_vec(m);
    p.give_vec(s);
    e
}

/// Row-wise log-softmax `a − max − ln Σ exp(a − max)`.
pub(crate) fn log_softmax<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let (e, m, mut ln_s) = shifted_exp(p, a);
    p.give(e);
    ln_s.iter_mut().for_each(|si| *si = si.ln());
    let mut y = p.copy(a);
    for mut col in y.column_iter_mut() {
        // (x − max) is exact near the max; subtracting max + ln s in one go
        // would round at the magnitude of the max.
        for ((v, &mi), &l) in col.iter_mut().zip(m.iter()).zip(ln_s.iter()) {
            *v = (*v - mi) - l;
        }
    }
    p.give_vec(m);
    p.give_vec(ln_s);
    y
}

/// The sums of each row: an m×1 column.
pub(crate) fn row_sums<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let r = a.nrows();
    let mut y = p.zeros(r, 1);
    if r > 0 {
        for col in a.as_slice().chunks_exact(r) {
            for (yi, &v) in y.as_mut_slice().iter_mut().zip(col) {
                *yi += v;
            }
        }
    }
    y
}

/// The sums of each column: a 1×n row.
pub(crate) fn col_sums<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let (r, c) = a.shape();
    if r == 0 {
        return p.zeros(1, c);
    }
    p.fill(
        1,
        c,
        a.as_slice()
            .chunks_exact(r)
            .map(|col| col.iter().copied().sum()),
    )
}

/// `a` (1×1, m×1, 1×n or r×c) repeated to r×c.
pub(crate) fn broadcast<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    r: usize,
    c: usize,
) -> DMatrix<S> {
    let (ar, ac) = a.shape();
    let it = (0..c).flat_map(|j| (0..r).map(move |i| (i, j)));
    p.fill(
        r,
        c,
        it.map(|(i, j)| a[(if ar == 1 { 0 } else { i }, if ac == 1 { 0 } else { j })]),
    )
}

/// Sums `g` (r×c) down to the shape `(ar, ac)` it was broadcast from.
pub(crate) fn unbroadcast<S: Scalar>(
    p: &mut Pool<S>,
    g: &DMatrix<S>,
    ar: usize,
    ac: usize,
) -> DMatrix<S> {
    let mut y = p.copy(g);
    if ar == 1 && y.nrows() != 1 {
        let s = col_sums(p, &y);
        p.give(core::mem::replace(&mut y, s));
    }
    if ac == 1 && y.ncols() != 1 {
        let s = row_sums(p, &y);
        p.give(core::mem::replace(&mut y, s));
    }
    y
}

/// The sum of all entries.
pub(crate) fn sum<S: Scalar>(a: &DMatrix<S>) -> S {
    a.iter().copied().sum()
}

/// A 1×1 matrix.
pub(crate) fn scalar<S: Scalar>(p: &mut Pool<S>, v: S) -> DMatrix<S> {
    p.fill(1, 1, core::iter::once(v))
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
pub(crate) fn cross_entropy<S: Scalar>(p: &mut Pool<S>, z: &DMatrix<S>, target: &DMatrix<S>) -> S {
    let ls = log_softmax(p, z);
    let s: S = ls
        .iter()
        .zip(target.iter())
        .filter(|(_, t)| !t.all_parts_zero())
        .map(|(&l, &t)| t * l)
        .sum();
    p.give(ls);
    -s / S::lit(z.nrows() as f64)
}

/// The value of `op` from the values of its operands.
pub(crate) fn eval<S: Scalar>(p: &mut Pool<S>, op: &Op<S>, nodes: &[Node<S>]) -> DMatrix<S> {
    let v = |i: usize| &nodes[i].value;
    match *op {
        Op::Leaf => DMatrix::zeros(0, 0),
        Op::MatMul(a, b) => matmul(p, v(a), v(b)),
        Op::Transpose(a) => transpose(p, v(a)),
        Op::Add(a, b) => zip(p, v(a), v(b), |x, y| x + y),
        Op::Sub(a, b) => zip(p, v(a), v(b), |x, y| x - y),
        Op::Mul(a, b) => zip(p, v(a), v(b), |x, y| x * y),
        Op::Div(a, b) => zip(p, v(a), v(b), |x, y| x / y),
        Op::AddRow(a, r) => add_row(p, v(a), v(r)),
        Op::Scale(a, k) => scale(p, v(a), k),
        Op::Map(a, f) => map_fun(p, v(a), f),
        Op::DerivMul(g, x, f, k) => deriv_mul(p, v(g), v(x), f, k),
        Op::Softmax(a) => softmax(p, v(a)),
        Op::LogSoftmax(a) => log_softmax(p, v(a)),
        Op::Sum(a) => scalar(p, sum(v(a))),
        Op::Mean(a) => scalar(p, sum(v(a)) / count(v(a))),
        Op::RowSums(a) => row_sums(p, v(a)),
        Op::ColSums(a) => col_sums(p, v(a)),
        Op::Broadcast(a, r, c) => broadcast(p, v(a), r, c),
        Op::Norm(a) => {
            let n = norm(v(a));
            scalar(p, n)
        }
        Op::Mse(a, b) => {
            let m = mse(v(a), v(b));
            scalar(p, m)
        }
        Op::CrossEntropy(z, t) => {
            let c = cross_entropy(p, v(z), v(t));
            scalar(p, c)
        }
    }
}
