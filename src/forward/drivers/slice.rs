//! Drivers for inputs whose length is only known at run time (feature
//! `alloc`). Inputs are seeded [`CHUNK`] at a time, so every arithmetic
//! operation costs the same whatever the input length; a gradient of `n`
//! inputs takes `⌈n / CHUNK⌉` evaluations.

use alloc::vec::Vec;

use crate::{DualVec, Scalar};

/// How many input directions one evaluation of a dynamic-size driver carries.
pub const CHUNK: usize = 8;

/// The number type the closures of [`gradient_dyn`] and [`jacobian_dyn`]
/// receive.
pub type ChunkDual<T> = DualVec<T, CHUNK>;

/// The number type the closure of [`hessian_dyn`] receives: a block of
/// [`CHUNK`] × [`CHUNK`] second derivatives per evaluation.
pub type ChunkDual2<T> = DualVec<DualVec<T, CHUNK>, CHUNK>;

/// Seeds `buf` from `x`: the inputs with index in `start..start + CHUNK`
/// get unit tangents, the others are constants.
fn seed_chunk<T: Scalar>(buf: &mut Vec<ChunkDual<T>>, x: &[T], start: usize) {
    buf.clear();
    buf.extend(x.iter().enumerate().map(|(k, &xk)| {
        // `variable` with an index ≥ CHUNK gives a constant.
        DualVec::variable(xk, k.wrapping_sub(start))
    }));
}

/// `f(x)` and `∇f(x)` for a function of a slice of any length.
///
/// ```
/// use dualgrad::{gradient_dyn, Scalar};
///
/// fn sum_sq<S: Scalar>(x: &[S]) -> S {
///     x.iter().map(|&xi| xi * xi).sum()
/// }
/// let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
/// let (f, g) = gradient_dyn(|x| sum_sq(x), &x);
/// assert_eq!(f, sum_sq(&x));
/// assert_eq!(g[19], 38.0);
/// ```
pub fn gradient_dyn<T: Scalar>(
    f: impl Fn(&[ChunkDual<T>]) -> ChunkDual<T>,
    x: &[T],
) -> (T, Vec<T>) {
    let mut grad = Vec::with_capacity(x.len());
    let mut buf = Vec::with_capacity(x.len());
    let mut value = None;
    for start in (0..x.len()).step_by(CHUNK) {
        seed_chunk(&mut buf, x, start);
        let y = f(&buf);
        value.get_or_insert(y.re);
        let n = CHUNK.min(x.len() - start);
        grad.extend_from_slice(&y.eps[..n]);
    }
    let value = match value {
        Some(v) => v,
        None => {
            seed_chunk(&mut buf, x, 0);
            f(&buf).re
        }
    };
    (value, grad)
}

/// `f(x)` and the Jacobian (`J[i][j] = ∂fᵢ/∂xⱼ`) of a function from a slice
/// to a `Vec`, both of any length.
///
/// ```
/// use dualgrad::jacobian_dyn;
/// let (y, j) = jacobian_dyn(|x| vec![x[0] * x[1], x[1] + x[2]], &[2.0, 3.0, 4.0]);
/// assert_eq!(y, vec![6.0, 7.0]);
/// assert_eq!(j, vec![vec![3.0, 2.0, 0.0], vec![0.0, 1.0, 1.0]]);
/// ```
pub fn jacobian_dyn<T: Scalar>(
    f: impl Fn(&[ChunkDual<T>]) -> Vec<ChunkDual<T>>,
    x: &[T],
) -> (Vec<T>, Vec<Vec<T>>) {
    let mut buf = Vec::with_capacity(x.len());
    let mut values = Vec::new();
    let mut jac: Vec<Vec<T>> = Vec::new();
    for start in (0..x.len().max(1)).step_by(CHUNK) {
        seed_chunk(&mut buf, x, start);
        let y = f(&buf);
        if start == 0 {
            values = y.iter().map(|yi| yi.re).collect();
            jac = y.iter().map(|_| Vec::with_capacity(x.len())).collect();
        }
        let n = CHUNK.min(x.len().saturating_sub(start));
        // Every row gets `n` entries, also if `f` returned fewer outputs
        // this time (NaN: no derivative was computed) or more (ignored):
        // the rows are never ragged.
        for (i, row) in jac.iter_mut().enumerate() {
            match y.get(i) {
                Some(yi) => row.extend_from_slice(&yi.eps[..n]),
                None => row.extend(core::iter::repeat_n(T::nan(), n)),
            }
        }
    }
    (values, jac)
}

/// `f(x)`, `∇f(x)` and the exact symmetric Hessian of a function of a slice
/// of any length, one [`CHUNK`] × [`CHUNK`] block per evaluation (only the
/// blocks on and above the diagonal are evaluated).
///
/// ```
/// use dualgrad::{hessian_dyn, Scalar};
///
/// fn f<S: Scalar>(x: &[S]) -> S {
///     x.windows(2).map(|w| w[0] * w[1]).sum::<S>() + x[0].powi(3)
/// }
/// let x = vec![1.0; 12];
/// let (v, g, h) = hessian_dyn(|x| f(x), &x);
/// assert_eq!(v, 12.0);
/// assert_eq!(g[0], 4.0);
/// assert_eq!((h[0][0], h[0][1], h[1][0], h[10][11], h[0][11]), (6.0, 1.0, 1.0, 1.0, 0.0));
/// ```
pub fn hessian_dyn<T: Scalar>(
    f: impl Fn(&[ChunkDual2<T>]) -> ChunkDual2<T>,
    x: &[T],
) -> (T, Vec<T>, Vec<Vec<T>>) {
    let n = x.len();
    let zero = T::zero();
    let mut value = None;
    let mut grad = Vec::with_capacity(n);
    grad.resize(n, zero);
    let mut hess = Vec::with_capacity(n);
    hess.resize(n, {
        let mut row = Vec::with_capacity(n);
        row.resize(n, zero);
        row
    });
    let mut buf: Vec<ChunkDual2<T>> = Vec::with_capacity(n);
    for bi in (0..n.max(1)).step_by(CHUNK) {
        for bj in (bi..n.max(1)).step_by(CHUNK) {
            // Inner tangents: block `bi`; outer tangents: block `bj`.
            buf.clear();
            buf.extend(x.iter().enumerate().map(|(k, &xk)| {
                let inner = DualVec::variable(xk, k.wrapping_sub(bi));
                let mut outer = DualVec::<DualVec<T, CHUNK>, CHUNK>::constant(inner);
                if let Some(e) = outer.eps.get_mut(k.wrapping_sub(bj)) {
                    *e = DualVec::constant(T::one());
                }
                outer
            }));
            let y = f(&buf);
            value.get_or_insert(y.re.re);
            let ni = CHUNK.min(n.saturating_sub(bi));
            let nj = CHUNK.min(n.saturating_sub(bj));
            if bi == bj {
                grad[bi..bi + ni].copy_from_slice(&y.re.eps[..ni]);
            }
            for j in 0..nj {
                for i in 0..ni {
                    let h = y.eps[j].eps[i];
                    hess[bi + i][bj + j] = h;
                    hess[bj + j][bi + i] = h;
                }
            }
        }
    }
    let value = value.unwrap_or(zero);
    (value, grad, hess)
}
