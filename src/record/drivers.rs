//! Reverse-mode drivers: record the function once on [`Taped`] inputs, then
//! one backward sweep per question.
//!
//! Which driver does what:
//! - [`gradient_rev`], [`gradient_rev_dyn`], `gradient_rev_dvec`: one
//!   recording, one backward sweep, whatever the number of inputs.
//! - [`vjp_rev`], [`vjp_rev_dyn`]: `wᵀJ`, one recording, one sweep.
//! - [`jacobian_rev`], [`jacobian_rev_dyn`]: one recording and M backward
//!   sweeps (one per output). With more outputs than inputs the forward
//!   drivers (`jacobian`, `jacobian_dyn`: N/8 evaluations) are cheaper;
//!   [`jacobian_auto`] picks the mode from M and N for a function written
//!   once as a [`VectorFn`](crate::check::VectorFn).
//! - [`hvp_rev`]: recording over `Dual<T>` (forward over reverse): `H·v` in
//!   one recording and one sweep, a few times the cost of the gradient.
//! - [`hessian_rev`]: recording over `DualVec<T, 8>`: the full Hessian in
//!   ⌈N/8⌉ recordings and sweeps.
//!
//! The drivers reuse a spare [`Recorder`] per number type (per thread with
//! `std`), so in the
//! steady state they allocate only their results (the array drivers
//! nothing). Use a [`Recorder`] directly to ask several questions of one
//! recording.

use alloc::vec::Vec;

use crate::record::error::RecordError;
use crate::record::tape::{with_recorder, Recordable};
use crate::record::taped::Taped;
use crate::record::Recorder;
use crate::{Dual, DualVec, Scalar};

/// `f(x)` and `∇f(x)` by reverse mode, for a function of an array: one
/// recording and one backward sweep.
///
/// ```
/// use dualgrad::num_traits::Float;
/// use dualgrad::record::gradient_rev;
/// let (z, g) = gradient_rev(|[x, y]| x * x + (y * y).tanh(), [2.0, 3.0])?;
/// assert_eq!(z, 4.0 + 9.0_f64.tanh());
/// assert_eq!(g[0], 4.0);
/// assert!((g[1] - 6.0 / 9.0_f64.cosh().powi(2)).abs() < 1e-20);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
pub fn gradient_rev<T: Recordable, const N: usize>(
    f: impl FnOnce([Taped<T>; N]) -> Taped<T>,
    x: [T; N],
) -> Result<(T, [T; N]), RecordError> {
    with_recorder(|r| {
        let y = r.record_array(x, f)?;
        let g = r.gradient(y)?;
        let mut out = [T::zero(); N];
        out.copy_from_slice(g);
        Ok((y.value(), out))
    })
}

/// `f(x)` and `∇f(x)` by reverse mode, for a function of a slice of any
/// length: one recording, one backward sweep.
///
/// ```
/// use dualgrad::record::gradient_rev_dyn;
/// use dualgrad::Scalar;
///
/// fn rosenbrock<S: Scalar>(x: &[S]) -> S {
///     x.windows(2)
///         .map(|w| (w[1] - w[0] * w[0]).powi(2) * S::lit(100.0) + (S::one() - w[0]).powi(2))
///         .sum()
/// }
/// let x = vec![1.0; 1000];
/// let (f, g) = gradient_rev_dyn(|x| rosenbrock(x), &x)?;
/// assert_eq!(f, 0.0);
/// assert!(g.iter().all(|&gi| gi == 0.0));
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
pub fn gradient_rev_dyn<T: Recordable>(
    f: impl FnOnce(&[Taped<T>]) -> Taped<T>,
    x: &[T],
) -> Result<(T, Vec<T>), RecordError> {
    with_recorder(|r| {
        let y = r.record(x, f)?;
        Ok((y.value(), r.gradient(y)?.to_vec()))
    })
}

/// The vector-Jacobian product `wᵀJ` (and `f(x)`) of a function from an
/// array to an array: one recording, one backward sweep.
///
/// ```
/// use dualgrad::record::vjp_rev;
/// let (y, v) = vjp_rev(|[a, b]| [a * b, a + b], [2.0, 3.0], [1.0, 10.0])?;
/// assert_eq!(y, [6.0, 5.0]);
/// assert_eq!(v, [3.0 + 10.0, 2.0 + 10.0]);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
pub fn vjp_rev<T: Recordable, const N: usize, const M: usize>(
    f: impl FnOnce([Taped<T>; N]) -> [Taped<T>; M],
    x: [T; N],
    w: [T; M],
) -> Result<([T; M], [T; N]), RecordError> {
    with_recorder(|r| {
        let ys = r.record_array(x, f)?;
        let g = r.vjp(&ys, &w)?;
        let mut out = [T::zero(); N];
        out.copy_from_slice(g);
        Ok((ys.map(|y| y.value()), out))
    })
}

/// The vector-Jacobian product `wᵀJ` (and `f(x)`) of a function from a
/// slice to a `Vec`; `w` must have one entry per output.
///
/// ```
/// use dualgrad::num_traits::Float;
/// use dualgrad::record::vjp_rev_dyn;
/// let (y, v) = vjp_rev_dyn(|x| vec![x[0] * x[1], x[1].exp()], &[2.0, 0.0], &[1.0, 1.0])?;
/// assert_eq!((y, v), (vec![0.0, 1.0], vec![0.0, 3.0]));
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
pub fn vjp_rev_dyn<T: Recordable>(
    f: impl FnOnce(&[Taped<T>]) -> Vec<Taped<T>>,
    x: &[T],
    w: &[T],
) -> Result<(Vec<T>, Vec<T>), RecordError> {
    with_recorder(|r| {
        let ys = r.record(x, f)?;
        let g = r.vjp(&ys, w)?.to_vec();
        Ok((ys.iter().map(|y| y.value()).collect(), g))
    })
}

/// `f(x)` and the Jacobian (`J[i][j] = ∂fᵢ/∂xⱼ`) of a function from an
/// array to an array: one recording and M backward sweeps, one per output.
/// For M > N the forward [`jacobian`](crate::jacobian) is cheaper.
///
/// ```
/// use dualgrad::record::jacobian_rev;
/// let (y, j) = jacobian_rev(|[a, b, c]| [a * b * c, a + c], [1.0, 2.0, 3.0])?;
/// assert_eq!(y, [6.0, 4.0]);
/// assert_eq!(j, [[6.0, 3.0, 2.0], [1.0, 0.0, 1.0]]);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn jacobian_rev<T: Recordable, const N: usize, const M: usize>(
    f: impl FnOnce([Taped<T>; N]) -> [Taped<T>; M],
    x: [T; N],
) -> Result<([T; M], [[T; N]; M]), RecordError> {
    with_recorder(|r| {
        let ys = r.record_array(x, f)?;
        let mut jac = [[T::zero(); N]; M];
        for (row, &y) in jac.iter_mut().zip(&ys) {
            row.copy_from_slice(r.gradient(y)?);
        }
        Ok((ys.map(|y| y.value()), jac))
    })
}

/// `f(x)` and the Jacobian of a function from a slice to a `Vec`, both of
/// any length: one recording and one backward sweep per output.
///
/// ```
/// use dualgrad::record::jacobian_rev_dyn;
/// let (y, j) = jacobian_rev_dyn(|x| vec![x[0] * x[1] * x[2]], &[1.0, 2.0, 3.0])?;
/// assert_eq!((y, j), (vec![6.0], vec![vec![6.0, 3.0, 2.0]]));
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn jacobian_rev_dyn<T: Recordable>(
    f: impl FnOnce(&[Taped<T>]) -> Vec<Taped<T>>,
    x: &[T],
) -> Result<(Vec<T>, Vec<Vec<T>>), RecordError> {
    with_recorder(|r| {
        let ys = r.record(x, f)?;
        let mut jac = Vec::with_capacity(ys.len());
        for &y in &ys {
            jac.push(r.gradient(y)?.to_vec());
        }
        Ok((ys.iter().map(|y| y.value()).collect(), jac))
    })
}

/// `f(x)`, `∇f(x)` and the Hessian-vector product `H(x)·v`, forward over
/// reverse: `f` is recorded over `Dual<T>` with tangent `v`, and one
/// backward sweep in dual arithmetic gives both. Costs a few gradients.
///
/// ```
/// use dualgrad::record::hvp_rev;
/// use dualgrad::Scalar;
///
/// fn f<S: Scalar>(x: &[S]) -> S {
///     x[0] * x[0] * x[1] + x[1].powi(3)
/// }
/// let (y, g, hv) = hvp_rev(|x| f(x), &[1.0, 2.0], &[1.0, 0.0])?;
/// assert_eq!((y, g), (10.0, vec![4.0, 13.0]));
/// assert_eq!(hv, vec![4.0, 2.0]); // H = [[2y, 2x], [2x, 6y]] times e₀
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn hvp_rev<T: Scalar>(
    f: impl FnOnce(&[Taped<Dual<T>>]) -> Taped<Dual<T>>,
    x: &[T],
    v: &[T],
) -> Result<(T, Vec<T>, Vec<T>), RecordError>
where
    Dual<T>: Recordable,
{
    if v.len() != x.len() {
        return Err(RecordError::Size {
            what: "hvp_rev: direction",
            expected: x.len(),
            got: v.len(),
        });
    }
    with_recorder(|r: &mut Recorder<Dual<T>>| {
        let xd: Vec<Dual<T>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, b)).collect();
        let y = r.record(&xd, f)?;
        let g = r.gradient(y)?;
        Ok((
            y.value().re,
            g.iter().map(|d| d.re).collect(),
            g.iter().map(|d| d.eps).collect(),
        ))
    })
}

/// How many Hessian columns one recording of [`hessian_rev`] carries.
///
/// ```
/// // A Hessian of 20 inputs takes ⌈20 / 8⌉ = 3 recordings.
/// assert_eq!(20_usize.div_ceil(dualgrad::record::HESSIAN_CHUNK), 3);
/// ```
pub const HESSIAN_CHUNK: usize = 8;

/// `f(x)`, `∇f(x)` and the Hessian (`H[i][j] = ∂²f/∂xᵢ∂xⱼ`), forward over
/// reverse: `f` is recorded over `DualVec<T, 8>` seeded with 8 unit
/// directions at a time, so ⌈N/8⌉ recordings and backward sweeps.
///
/// ```
/// use dualgrad::num_traits::Float;
/// use dualgrad::record::hessian_rev;
/// let (y, g, h) = hessian_rev(|x| x[0] * x[0] * x[1] + x[1].powi(3), &[1.0, 2.0])?;
/// assert_eq!((y, g), (10.0, vec![4.0, 13.0]));
/// assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 12.0]]);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn hessian_rev<T: Scalar>(
    f: impl Fn(&[Taped<DualVec<T, HESSIAN_CHUNK>>]) -> Taped<DualVec<T, HESSIAN_CHUNK>>,
    x: &[T],
) -> Result<(T, Vec<T>, Vec<Vec<T>>), RecordError>
where
    DualVec<T, HESSIAN_CHUNK>: Recordable,
{
    let n = x.len();
    let mut h = alloc::vec![alloc::vec![T::zero(); n]; n];
    let mut grad = alloc::vec![T::zero(); n];
    let mut value = T::zero();
    with_recorder(|r: &mut Recorder<DualVec<T, HESSIAN_CHUNK>>| {
        let mut xd: Vec<DualVec<T, HESSIAN_CHUNK>> =
            x.iter().map(|&a| DualVec::constant(a)).collect();
        let mut start = 0;
        loop {
            for (i, d) in xd.iter_mut().enumerate() {
                d.eps = core::array::from_fn(|k| if start + k == i { T::one() } else { T::zero() });
            }
            let y = r.record(&xd, &f)?;
            value = y.value().re;
            let g = r.gradient(y)?;
            for (i, gi) in g.iter().enumerate() {
                grad[i] = gi.re;
                for k in 0..HESSIAN_CHUNK.min(n.saturating_sub(start)) {
                    h[i][start + k] = gi.eps[k];
                }
            }
            start += HESSIAN_CHUNK;
            if start >= n {
                break;
            }
        }
        Ok::<(), RecordError>(())
    })?;
    Ok((value, grad, h))
}

/// `f(x)` and the Jacobian of a function written once, generically (a
/// [`VectorFn`](crate::check::VectorFn), e.g. from
/// [`vector_fn!`](crate::vector_fn)), by the cheaper mode: reverse
/// ([`jacobian_rev`]: one recording, M backward sweeps) when there are fewer
/// outputs than inputs, forward ([`jacobian`](crate::jacobian): one
/// evaluation on `DualVec<T, N>`) otherwise.
///
/// ```
/// use dualgrad::record::jacobian_auto;
/// use dualgrad::vector_fn;
///
/// // 1 output, 3 inputs: reverse mode.
/// let (y, j) = jacobian_auto(&vector_fn!(|[a, b, c]| [a * b * c]), [1.0, 2.0, 3.0])?;
/// assert_eq!((y, j), ([6.0], [[6.0, 3.0, 2.0]]));
/// // 3 outputs, 1 input: forward mode.
/// let (_, j) = jacobian_auto(&vector_fn!(|[t]| [t, t * t, t * t * t]), [2.0])?;
/// assert_eq!(j, [[1.0], [4.0], [12.0]]);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn jacobian_auto<
    T: Recordable,
    F: crate::check::VectorFn<N, M>,
    const N: usize,
    const M: usize,
>(
    f: &F,
    x: [T; N],
) -> Result<([T; M], [[T; N]; M]), RecordError> {
    if M < N {
        jacobian_rev(|x| f.eval(x), x)
    } else {
        Ok(crate::jacobian(|x| f.eval(x), x))
    }
}
