//! The matrix computations behind each operation, on plain `DMatrix`
//! values: used to compute recorded values and by the eager backward pass.
//! Shapes are checked before these are called.

use nalgebra::DMatrix;

use super::op::{Ext, Node, Op};
use super::pool::Pool;
use crate::linalg::{blocked, gemm_blocked, Operand};
use crate::Fun;
use crate::Scalar;

/// `a · b` (faer's kernels for `f32`/`f64` with the feature `faer`, large
/// products split over the product threads by [`crate::linalg::gemm`]'s
/// routine; nalgebra's generic product for other types; small products by
/// a plain loop).
///
/// The products here write their result with β = 0, which faer and
/// nalgebra document as never reading it: the result buffer is not zeroed
/// first.
pub(crate) fn matmul<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    let mut c = p.scratch(a.nrows(), b.ncols());
    matmul_into(&mut c, a, b);
    c
}

/// `c = a · b` into `c` (shaped for it).
pub(crate) fn matmul_into<S: Scalar>(c: &mut DMatrix<S>, a: &DMatrix<S>, b: &DMatrix<S>) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if small(m, n, k) {
        small_nn(c.as_mut_slice(), a.as_slice(), b.as_slice(), (m, n, k));
    } else if blocked::<S>() {
        gemm_blocked(c, S::one(), Operand::Plain(a), Operand::Plain(b), S::zero());
    } else {
        c.gemm(S::one(), a, b, S::zero());
    }
}

/// Products with at most this many multiply-adds (m·n·k) are computed by
/// plain loops (`small_nn`, `small_tn`, `small_nt`): below it, nalgebra's
/// gemm (its own loops, or a blocked kernel's packing) and `tr_mul_to` cost
/// more than the arithmetic. Measured (minimum of 200×100 calls, f64, one
/// thread, a·b): 1×7·7×2 gemm 22 ns, loop 11 ns; 6×6·6×6 123 vs 107 ns;
/// 4×4·4×4 27 vs 37 ns; 8×8·8×8 118 vs 240 ns (gemm wins from there on);
/// and the seed network's 7×1ᵀ·1×2 through `tr_mul_to` took ~3,300
/// instructions (callgrind, with its pooled result), ~150 as a loop.
const SMALL: usize = 256;

fn small(m: usize, n: usize, k: usize) -> bool {
    m.saturating_mul(n).saturating_mul(k) <= SMALL
}

/// `c = a · b` (m×k times k×n, column-major slices): every entry a dot
/// product summed over `l` in order, from zero.
fn small_nn<S: Scalar>(c: &mut [S], a: &[S], b: &[S], (m, n, k): (usize, usize, usize)) {
    let (a, b, c) = (&a[..m * k], &b[..k * n], &mut c[..m * n]);
    if m == 1 && k > 0 {
        // A row times a matrix: dot products of contiguous slices (the
        // same sums, in the same order).
        for (c, bj) in c.iter_mut().zip(b.chunks_exact(k)) {
            let mut s = S::zero();
            for (&x, &y) in a.iter().zip(bj) {
                s += x * y;
            }
            *c = s;
        }
        return;
    }
    for j in 0..n {
        for i in 0..m {
            let mut s = S::zero();
            for l in 0..k {
                s += a[i + l * m] * b[l + j * k];
            }
            c[i + j * m] = s;
        }
    }
}

/// `c = aᵀ · b` (a k×m, b k×n), summed as [`small_nn`].
fn small_tn<S: Scalar>(c: &mut [S], a: &[S], b: &[S], (m, n, k): (usize, usize, usize)) {
    let (a, b, c) = (&a[..m * k], &b[..k * n], &mut c[..m * n]);
    if k == 1 {
        // An outer product (the same sum: zero plus one term).
        for (cj, &bj) in c.chunks_exact_mut(m.max(1)).zip(b) {
            for (c, &ai) in cj.iter_mut().zip(a) {
                *c = S::zero() + ai * bj;
            }
        }
        return;
    }
    for j in 0..n {
        for i in 0..m {
            let mut s = S::zero();
            for l in 0..k {
                s += a[l + i * k] * b[l + j * k];
            }
            c[i + j * m] = s;
        }
    }
}

/// `c = a · bᵀ` (a m×k, b n×k), summed as [`small_nn`].
fn small_nt<S: Scalar>(c: &mut [S], a: &[S], b: &[S], (m, n, k): (usize, usize, usize)) {
    let (a, b, c) = (&a[..m * k], &b[..k * n], &mut c[..m * n]);
    for j in 0..n {
        for i in 0..m {
            let mut s = S::zero();
            for l in 0..k {
                s += a[i + l * m] * b[j + l * n];
            }
            c[i + j * m] = s;
        }
    }
}

/// `aᵀ · b` without forming `aᵀ` (for `f32`/`f64`).
pub(crate) fn matmul_tn<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    let mut c = p.scratch(a.ncols(), b.ncols());
    matmul_tn_into(&mut c, a, b);
    c
}

/// `c = aᵀ · b` into `c` (shaped for it).
pub(crate) fn matmul_tn_into<S: Scalar>(c: &mut DMatrix<S>, a: &DMatrix<S>, b: &DMatrix<S>) {
    let (m, k, n) = (a.ncols(), a.nrows(), b.ncols());
    if small(m, n, k) {
        small_tn(c.as_mut_slice(), a.as_slice(), b.as_slice(), (m, n, k));
    } else if blocked::<S>() {
        gemm_blocked(
            c,
            S::one(),
            Operand::Transposed(a),
            Operand::Plain(b),
            S::zero(),
        );
    } else {
        a.tr_mul_to(b, c);
    }
}

/// `a · bᵀ` without forming `bᵀ` (for `f32`/`f64`).
pub(crate) fn matmul_nt<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, b: &DMatrix<S>) -> DMatrix<S> {
    let mut c = p.scratch(a.nrows(), b.nrows());
    matmul_nt_into(p, &mut c, a, b);
    c
}

/// `c = a · bᵀ` into `c` (shaped for it); `p` lends storage for a copied
/// transpose where one is needed.
pub(crate) fn matmul_nt_into<S: Scalar>(
    p: &mut Pool<S>,
    c: &mut DMatrix<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.nrows());
    if small(m, n, k) {
        small_nt(c.as_mut_slice(), a.as_slice(), b.as_slice(), (m, n, k));
    } else if blocked::<S>() {
        gemm_blocked(
            c,
            S::one(),
            Operand::Plain(a),
            Operand::Transposed(b),
            S::zero(),
        );
    } else {
        // The transpose in pooled storage, not a fresh allocation.
        let bt = transpose(p, b);
        c.gemm(S::one(), a, &bt, S::zero());
        p.give(bt);
    }
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
    let (r, c) = (a.ncols(), a.nrows());
    p.fill(r, c, positions(r, c).map(|(i, j)| a[(j, i)]))
}

/// `f⁽ᵏ⁾` applied to every entry (`k ≤ 1`), with the match on `f`
/// outside the loop and each arm calling its rule directly (through
/// `Fun::apply`, too large to inline, the loop called it per entry). The
/// values are the forward method's (`k = 0`) and the rule table's
/// derivative (`k = 1`), on plain floats as on dual numbers.
pub(crate) fn map_fun<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>, f: Fun, k: u8) -> DMatrix<S> {
    let (r, c) = a.shape();
    let it = a.as_slice().iter().copied();
    macro_rules! arms {
        ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
            => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
            match (f, k) {
                $(
                    (Fun::$v$(($p))?, 0) => p.fill(r, c, it.map(|x| {
                        crate::forward::functions::fun_apply!($kind $m $rule x ($($p)?))
                    })),
                    (Fun::$v$(($p))?, _) => p.fill(r, c, it.map(|x| {
                        crate::forward::functions::fun_slope!(x $rule $(/ $slope)? ($($p)?))
                    })),
                )*
            }
        };
    }
    crate::forward::functions::unary_functions!(arms)
}

/// `g ⊙ f⁽ᵏ⁺¹⁾(x)` (`k ≤ 1`), zero wherever `g` is zero (even where the
/// derivative is infinite), the derivative from the rule table, with the
/// match on `f` outside the loop.
pub(crate) fn deriv_mul<S: Scalar>(
    p: &mut Pool<S>,
    g: &DMatrix<S>,
    x: &DMatrix<S>,
    f: Fun,
    k: u8,
) -> DMatrix<S> {
    macro_rules! arms {
        ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
            => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
            match (f, k) {
                $(
                    (Fun::$v$(($p))?, 0) => zip(p, g, x, |g, x| {
                        guarded(g, crate::forward::functions::fun_slope!(x $rule $(/ $slope)? ($($p)?)))
                    }),
                    (Fun::$v$(($p))?, _) => zip(p, g, x, |g, x| {
                        guarded(g, Fun::$v$(($p))?.second_derivative(x))
                    }),
                )*
            }
        };
    }
    crate::forward::functions::unary_functions!(arms)
}

/// The `nr×nc` block of `a` at `(r0, c0)` (checked to fit).
pub(crate) fn block<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    (r0, c0): (usize, usize),
    (nr, nc): (usize, usize),
) -> DMatrix<S> {
    let it = positions(nr, nc).map(|(i, j)| a[(r0 + i, c0 + j)]);
    p.fill(nr, nc, it)
}

/// `g` placed at `(r0, c0)` in an `r×c` zero matrix (checked to fit).
pub(crate) fn pad<S: Scalar>(
    p: &mut Pool<S>,
    g: &DMatrix<S>,
    (r0, c0): (usize, usize),
    (r, c): (usize, usize),
) -> DMatrix<S> {
    let mut y = p.zeros(r, c);
    y.view_mut((r0, c0), g.shape()).copy_from(g);
    y
}

/// The positions `(i, j)` of an r×c matrix in column-major order; none at
/// all when it has no entries (not `c` visits of empty columns: a 0×2⁴⁰
/// matrix is legal).
fn positions(r: usize, c: usize) -> impl Iterator<Item = (usize, usize)> {
    let c = if r == 0 { 0 } else { c };
    (0..c).flat_map(move |j| (0..r).map(move |i| (i, j)))
}

/// `[a; b]` (rows concatenated) or `[a, b]`.
pub(crate) fn concat<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
    rows: bool,
) -> DMatrix<S> {
    if rows {
        let (ra, c) = a.shape();
        let r = ra + b.nrows();
        let it = positions(r, c).map(|(i, j)| if i < ra { a[(i, j)] } else { b[(i - ra, j)] });
        p.fill(r, c, it)
    } else {
        let r = a.nrows();
        p.fill(r, a.ncols() + b.ncols(), a.iter().chain(b.iter()).copied())
    }
}

/// The rows (or columns) of `a` at `idx` (checked in range).
pub(crate) fn gather<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    idx: &[usize],
    rows: bool,
) -> DMatrix<S> {
    if rows {
        let c = a.ncols();
        p.fill(
            idx.len(),
            c,
            positions(idx.len(), c).map(|(k, j)| a[(idx[k], j)]),
        )
    } else {
        let r = a.nrows();
        p.fill(
            r,
            idx.len(),
            idx.iter().flat_map(|&j| (0..r).map(move |i| a[(i, j)])),
        )
    }
}

/// The rows (or columns) of `g` added into an `n`-row (`n`-column) zero
/// matrix at `idx`.
pub(crate) fn scatter<S: Scalar>(
    p: &mut Pool<S>,
    g: &DMatrix<S>,
    idx: &[usize],
    rows: bool,
    n: usize,
) -> DMatrix<S> {
    if rows {
        let mut y = p.zeros(n, g.ncols());
        for (k, &i) in idx.iter().enumerate() {
            for j in 0..g.ncols() {
                y[(i, j)] += g[(k, j)];
            }
        }
        y
    } else {
        let mut y = p.zeros(g.nrows(), n);
        for (k, &j) in idx.iter().enumerate() {
            for i in 0..g.nrows() {
                y[(i, j)] += g[(i, k)];
            }
        }
        y
    }
}

/// Row-wise `max + ln Σ exp(a − max)`.
pub(crate) fn log_sum_exp<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let (e, m, s) = shifted_exp(p, a);
    p.give(e);
    let y = p.fill(
        a.nrows(),
        1,
        m.iter().zip(s.iter()).map(|(&mi, &si)| mi + si.ln()),
    );
    p.give_vec(m);
    p.give_vec(s);
    y
}

/// `g · d`, or 0 where `g` is 0 (even if `d` is infinite or NaN). The
/// derivative is computed either way and the choice is a select, so that
/// loops over cheap derivatives vectorise.
#[inline(always)]
fn guarded<S: Scalar>(g: S, d: S) -> S {
    let p = g * d;
    if g.all_parts_zero() {
        S::zero()
    } else {
        p
    }
}

/// `g ⊙ d`, zero wherever `g` is zero.
pub(crate) fn mul_z<S: Scalar>(p: &mut Pool<S>, g: &DMatrix<S>, d: &DMatrix<S>) -> DMatrix<S> {
    zip(p, g, d, guarded)
}

/// The weight of the first operand in `max(a, b)` (`is_max`) or
/// `min(a, b)`: 1 where it is taken, 0 where the other is, ½ at a tie.
pub(crate) fn max_min_weight<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
    is_max: bool,
) -> DMatrix<S> {
    zip(p, a, b, |x, y| {
        let first = if is_max {
            x > y || y.is_nan()
        } else {
            x < y || y.is_nan()
        };
        let second = if is_max {
            y > x || x.is_nan()
        } else {
            y < x || x.is_nan()
        };
        if first {
            S::one()
        } else if second {
            S::zero()
        } else {
            S::lit(0.5)
        }
    })
}

/// The largest entry of each row (NaN if the row has one), in pooled
/// storage.
fn row_max<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> alloc::vec::Vec<S> {
    let mut m = p.take(a.nrows());
    m.resize(a.nrows(), S::neg_infinity());
    if a.nrows() == 0 {
        // No rows: nothing to visit (not 2⁴⁰ empty columns).
        return m;
    }
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
    if a.nrows() == 0 {
        return (e, m, s);
    }
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
    if a.is_empty() {
        // No per-row buffers for 2⁴⁰ rows without entries, and no visits of
        // 2⁴⁰ empty columns.
        return p.copy(a);
    }
    let (mut e, m, s) = shifted_exp(p, a);
    divide_rows(&mut e, &s);
    p.give_vec(m);
    p.give_vec(s);
    e
}

/// Every row `i` of `e` divided by `s[i]` (softmax from `shifted_exp`).
fn divide_rows<S: Scalar>(e: &mut DMatrix<S>, s: &[S]) {
    for mut col in e.column_iter_mut() {
        col.iter_mut().zip(s.iter()).for_each(|(v, &si)| *v /= si);
    }
}

/// Row-wise log-softmax `a − max − ln Σ exp(a − max)`.
pub(crate) fn log_softmax<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    if a.is_empty() {
        return p.copy(a);
    }
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
    let mut y = p.scratch(1, a.ncols());
    col_sums_into(y.as_mut_slice(), a);
    y
}

/// The sum of each column of `a` into `out` (one entry per column): from
/// zero, in row order. Eight columns at a time, so that their additions
/// overlap instead of waiting on one another (a column alone is a chain
/// of dependent additions): the bias gradient of a 64×128 batch took
/// about 9 µs column by column (f32).
pub(crate) fn col_sums_into<S: Scalar>(out: &mut [S], a: &DMatrix<S>) {
    let r = a.nrows();
    if r == 0 {
        out.fill(S::zero());
        return;
    }
    // One column: from zero, in row order (the order of the blocks below).
    let col_sum = |col: &[S]| col.iter().fold(S::zero(), |s, &v| s + v);
    if out.len() < 8 {
        for (o, col) in out.iter_mut().zip(a.as_slice().chunks_exact(r)) {
            *o = col_sum(col);
        }
        return;
    }
    let mut blocks = out.chunks_exact_mut(8);
    let mut cols = a.as_slice().chunks_exact(8 * r);
    for (o, block) in (&mut blocks).zip(&mut cols) {
        let mut acc = [S::zero(); 8];
        for i in 0..r {
            for (j, s) in acc.iter_mut().enumerate() {
                *s += block[i + j * r];
            }
        }
        o.copy_from_slice(&acc);
    }
    for (o, col) in blocks
        .into_remainder()
        .iter_mut()
        .zip(cols.remainder().chunks_exact(r))
    {
        *o = col_sum(col);
    }
}

/// `a` (1×1, m×1, 1×n or r×c) repeated to r×c.
pub(crate) fn broadcast<S: Scalar>(
    p: &mut Pool<S>,
    a: &DMatrix<S>,
    r: usize,
    c: usize,
) -> DMatrix<S> {
    let (ar, ac) = a.shape();
    let it = positions(r, c);
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

/// `a/‖a‖`, and 0 where `‖a‖ = 0` (the gradient of the norm).
///
/// `a` is first multiplied by `2ᵏ`, with `k` chosen from the exponent of the
/// largest magnitude so that it lands near 1: products by a power of two are
/// exact, so `(2ᵏa)/‖2ᵏa‖` is `a/‖a‖` with one rounding of the quotient
/// even where `‖a‖` is subnormal (where `1/‖a‖` overflows) or near `f64::MAX`
/// (where it is subnormal). An infinite or NaN entry gives `a/‖a‖` unscaled
/// (NaN or 0 entries, as IEEE division does).
pub(crate) fn unit<S: Scalar>(p: &mut Pool<S>, a: &DMatrix<S>) -> DMatrix<S> {
    let (r, c) = a.shape();
    let mut m = S::zero();
    for &v in a.iter() {
        let v = v.abs();
        if v > m || v.is_nan() {
            m = v;
        }
    }
    if m.is_zero() {
        return p.fill(r, c, a.iter().map(|_| S::zero()));
    }
    if !m.is_finite() {
        let n = norm(a);
        return p.fill(r, c, a.iter().map(|&v| v / n));
    }
    // A power of two, exact by repeated squaring, without `std`.
    let s = S::lit(num_traits::float::FloatCore::powi(
        2f64,
        pow2_scale(m.real()),
    ));
    let ss: S = a.iter().map(|&v| (v * s) * (v * s)).sum();
    let n = ss.sqrt();
    p.fill(r, c, a.iter().map(|&v| (v * s) / n))
}

/// The exponent `k` that brings the finite, nonzero magnitude `m` near 1 as
/// `m·2ᵏ`, limited so that `2ᵏ` is a normal number of `S`'s precision
/// (`m·2ᵏ` is then at least `2⁻⁷⁴` for `f64`, `2⁻⁴⁵` for `f32`).
fn pow2_scale<S: Scalar>(m: S) -> i32 {
    // ⌊log₂ x⌋ from the exact decomposition x = mantissa·2^exponent.
    fn log2_floor<S: Scalar>(x: S) -> i32 {
        let (mant, exp, _) = x.integer_decode();
        i32::from(exp) + 63 - mant.leading_zeros() as i32
    }
    let kmax = -log2_floor(S::min_positive_value()) - 22;
    (-log2_floor(m)).clamp(-kmax, kmax)
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
    cross_entropy_and_softmax(p, z, target, None)
}

/// [`cross_entropy`], and (if `probs` is given, shaped like `z`)
/// `softmax(z)` into `probs` from the same exponentials: the values of
/// [`log_softmax`] and [`softmax`], one exponential per entry for both.
pub(crate) fn cross_entropy_and_softmax<S: Scalar>(
    p: &mut Pool<S>,
    z: &DMatrix<S>,
    target: &DMatrix<S>,
    probs: Option<&mut DMatrix<S>>,
) -> S {
    let r = z.nrows();
    if z.is_empty() {
        // The empty sum, as `Sum` gives it.
        let none: S = core::iter::empty().sum();
        return -none / S::lit(r as f64);
    }
    let (mut e, m, s) = shifted_exp(p, z);
    let mut ln_s = p.take(r);
    ln_s.extend(s.iter().map(|si| si.ln()));
    // log_softmax's entries, (z − max) − ln s, summed in its order.
    let sum: S = z
        .iter()
        .zip(target.iter())
        .enumerate()
        .filter(|(_, (_, t))| !t.all_parts_zero())
        .map(|(idx, (&v, &t))| {
            let i = idx % r;
            t * ((v - m[i]) - ln_s[i])
        })
        .sum();
    if let Some(probs) = probs {
        // softmax's own division; the exponentials' buffer becomes
        // `probs`, and the old one goes back to the pool.
        divide_rows(&mut e, &s);
        core::mem::swap(probs, &mut e);
    }
    p.give(e);
    p.give_vec(m);
    p.give_vec(s);
    p.give_vec(ln_s);
    -sum / S::lit(r as f64)
}

/// The value of `op` from the values of its operands.
pub(crate) fn eval<S: Scalar>(
    p: &mut Pool<S>,
    op: &Op<S>,
    nodes: &[Node<S>],
    ext: &Ext<S>,
) -> DMatrix<S> {
    let v = |i: usize| &nodes[i].value;
    match *op {
        // Inputs, and user operations, are recorded with their value.
        Op::Leaf | Op::Custom(..) | Op::CustomGrad(..) => DMatrix::zeros(0, 0),
        Op::LogSumExp(a) => log_sum_exp(p, v(a)),
        Op::Block(a, r0, c0, nr, nc) => block(p, v(a), (r0, c0), (nr, nc)),
        Op::Pad(g, r0, c0, r, c) => pad(p, v(g), (r0, c0), (r, c)),
        Op::Concat(a, b, rows) => concat(p, v(a), v(b), rows),
        Op::Reshape(a, r, c) => p.fill(r, c, v(a).iter().copied()),
        Op::Gather(a, id, rows) => gather(p, v(a), &ext.indices[id], rows),
        Op::Scatter(g, id, rows, n) => scatter(p, v(g), &ext.indices[id], rows, n),
        Op::Elem2(a, b, id, i, j) => {
            let f = &ext.elem2[id];
            zip(p, v(a), v(b), |x, y| f.eval(x, y, i, j))
        }
        Op::Elem(a, id, k) => {
            let f = &ext.elem[id];
            p.fill(
                v(a).nrows(),
                v(a).ncols(),
                v(a).iter().map(|&x| f.eval(x, k)),
            )
        }
        Op::MatMul(a, b) => matmul(p, v(a), v(b)),
        Op::Transpose(a) => transpose(p, v(a)),
        Op::Add(a, b) => zip(p, v(a), v(b), |x, y| x + y),
        Op::Sub(a, b) => zip(p, v(a), v(b), |x, y| x - y),
        Op::Mul(a, b) => zip(p, v(a), v(b), |x, y| x * y),
        Op::Div(a, b) => zip(p, v(a), v(b), |x, y| x / y),
        Op::AddRow(a, r) => add_row(p, v(a), v(r)),
        Op::Scale(a, k) => scale(p, v(a), k),
        Op::Map(a, f, k) => map_fun(p, v(a), f, k),
        Op::MulZ(g, d) => mul_z(p, v(g), v(d)),
        Op::Affine(a, k, c) => p.fill(v(a).nrows(), v(a).ncols(), v(a).iter().map(|&x| x * k + c)),
        Op::MaxMin(a, b, is_max) => zip(
            p,
            v(a),
            v(b),
            |x, y| if is_max { x.max(y) } else { x.min(y) },
        ),
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
        Op::Unit(a) => unit(p, v(a)),
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
