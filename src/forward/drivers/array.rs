//! Drivers: take the user's function as a closure over a number type and
//! return its derivatives. Fixed-size drivers allocate nothing and need
//! neither `std` nor `alloc`.

use crate::{Dual, Dual2Vec, DualVec, HyperDual, Scalar};

/// `f(x)` and `f′(x)` from one evaluation on [`Dual`].
///
/// ```
/// use dualgrad::derivative;
/// let (y, dy) = derivative(|x| x * x * x, 2.0);
/// assert_eq!((y, dy), (8.0, 12.0));
/// ```
#[inline]
pub fn derivative<T: Scalar>(f: impl FnOnce(Dual<T>) -> Dual<T>, x: T) -> (T, T) {
    let y = f(Dual::variable(x));
    (y.re, y.eps)
}

/// `f(x)`, `f′(x)` and `f″(x)` from one evaluation on [`HyperDual`].
///
/// ```
/// use dualgrad::second_derivative;
/// assert_eq!(second_derivative(|x| x * x * x, 2.0), (8.0, 12.0, 12.0));
/// ```
#[inline]
pub fn second_derivative<T: Scalar>(
    f: impl FnOnce(HyperDual<T>) -> HyperDual<T>,
    x: T,
) -> (T, T, T) {
    let one = T::one();
    let y = f(HyperDual::new(x, one, one, T::zero()));
    (y.re, y.e1, y.e12)
}

/// `f(x)`, `f′(x)`, `f″(x)` and `f‴(x)` from one evaluation on
/// `HyperDual<Dual<T>>`.
///
/// ```
/// use dualgrad::third_derivative;
/// use num_traits::Float;
/// let (f, d1, d2, d3) = third_derivative(|x| x.sin().powi(2), 0.5);
/// assert!((d1 - 1.0_f64.sin()).abs() < 1e-15);
/// assert!((d3 + 4.0 * 1.0_f64.sin()).abs() < 1e-14);
/// # let _ = (f, d2);
/// ```
#[inline]
pub fn third_derivative<T: Scalar>(
    f: impl FnOnce(HyperDual<Dual<T>>) -> HyperDual<Dual<T>>,
    x: T,
) -> (T, T, T, T) {
    let one = Dual::constant(T::one());
    let y = f(HyperDual::new(
        Dual::variable(x),
        one,
        one,
        Dual::constant(T::zero()),
    ));
    (y.re.re, y.e1.re, y.e12.re, y.e12.eps)
}

/// The inputs `x` as [`DualVec`] variables, input `i` seeded with `eᵢ`.
///
/// ```
/// let [x, y] = dualgrad::seed_gradient([1.0, 2.0]);
/// assert_eq!((x.eps, y.eps), ([1.0, 0.0], [0.0, 1.0]));
/// ```
#[inline]
pub fn seed_gradient<T: Scalar, const N: usize>(x: [T; N]) -> [DualVec<T, N>; N] {
    core::array::from_fn(|i| DualVec::variable(x[i], i))
}

/// `f(x)` and the gradient `∇f(x)` of a function of `N` inputs, from one
/// evaluation on [`DualVec`].
///
/// # Stack use
/// Everything lives on the stack: the `N` seeded inputs alone take
/// `N·(N + 1)` floats (for `f64`, 2 MiB at `N = 512`, the whole default
/// stack of a spawned thread; 1 MiB at `N ≈ 360`), and every intermediate
/// of `f` another `N + 1`. For more than a few hundred inputs use
/// [`gradient_dyn`](crate::gradient_dyn) (feature `alloc`: heap, `N` in
/// chunks of 8), or run on a thread with a larger stack.
///
/// ```
/// use dualgrad::gradient;
/// let (z, g) = gradient(|[x, y]| x * x * y, [3.0, 2.0]);
/// assert_eq!((z, g), (18.0, [12.0, 9.0]));
/// ```
#[inline]
pub fn gradient<T: Scalar, const N: usize>(
    f: impl FnOnce([DualVec<T, N>; N]) -> DualVec<T, N>,
    x: [T; N],
) -> (T, [T; N]) {
    let y = f(seed_gradient(x));
    (y.re, y.eps)
}

/// `f(x)`, `∇f(x)` and the exact, symmetric Hessian `∇²f(x)`, from one
/// evaluation on [`Dual2Vec`].
///
/// # Stack use
/// A [`Dual2Vec`] holds `1 + N + N²` floats, and the `N` seeded inputs
/// alone `N·(1 + N + N²)` (for `f64`, 2 MiB at `N = 64`, the whole default
/// stack of a spawned thread; 256 KiB at `N = 32`). For more than a few
/// dozen inputs use [`hessian_dyn`](crate::hessian_dyn) (feature `alloc`:
/// heap, 8 × 8 blocks), or run on a thread with a larger stack.
///
/// ```
/// use dualgrad::hessian;
/// let (z, g, h) = hessian(|[x, y]| x * x * y, [3.0, 2.0]);
/// assert_eq!((z, g), (18.0, [12.0, 9.0]));
/// assert_eq!(h, [[4.0, 6.0], [6.0, 0.0]]);
/// ```
#[inline]
pub fn hessian<T: Scalar, const N: usize>(
    f: impl FnOnce([Dual2Vec<T, N>; N]) -> Dual2Vec<T, N>,
    x: [T; N],
) -> (T, [T; N], [[T; N]; N]) {
    let y = f(core::array::from_fn(|i| Dual2Vec::variable(x[i], i)));
    (y.value(), y.gradient(), y.hessian())
}

/// `f(x)` and the Jacobian (`M` rows, `N` columns, `J[i][j] = ∂fᵢ/∂xⱼ`) of
/// a function from `N` to `M` values, from one evaluation on [`DualVec`].
///
/// ```
/// use dualgrad::jacobian;
/// let (y, j) = jacobian(|[x, y]| [x * y, x + y, x], [2.0, 3.0]);
/// assert_eq!(y, [6.0, 5.0, 2.0]);
/// assert_eq!(j, [[3.0, 2.0], [1.0, 1.0], [1.0, 0.0]]);
/// ```
#[inline]
pub fn jacobian<T: Scalar, const N: usize, const M: usize>(
    f: impl FnOnce([DualVec<T, N>; N]) -> [DualVec<T, N>; M],
    x: [T; N],
) -> ([T; M], [[T; N]; M]) {
    let y = f(seed_gradient(x));
    (
        core::array::from_fn(|i| y[i].re),
        core::array::from_fn(|i| y[i].eps),
    )
}

/// `f(x)` and the Jacobian-vector product `J(x)·v` of a function from `N`
/// to `M` values, from one evaluation on [`Dual`] (forward mode's natural
/// product; no Jacobian is formed).
///
/// ```
/// use dualgrad::jvp;
/// let (y, jv) = jvp(|[x, y]| [x * y, x + y], [2.0, 3.0], [1.0, -1.0]);
/// assert_eq!(y, [6.0, 5.0]);
/// assert_eq!(jv, [1.0, 0.0]); // [3 − 2, 1 − 1]
/// ```
#[inline]
pub fn jvp<T: Scalar, const N: usize, const M: usize>(
    f: impl FnOnce([Dual<T>; N]) -> [Dual<T>; M],
    x: [T; N],
    v: [T; N],
) -> ([T; M], [T; M]) {
    let y = f(core::array::from_fn(|i| Dual::new(x[i], v[i])));
    (
        core::array::from_fn(|i| y[i].re),
        core::array::from_fn(|i| y[i].eps),
    )
}

/// `f(x)` and the directional derivative `∇f(x)·v` of a function of `N`
/// inputs, from one evaluation on [`Dual`].
///
/// ```
/// use dualgrad::directional_derivative;
/// let (z, d) = directional_derivative(|[x, y]| x * x * y, [3.0, 2.0], [1.0, 1.0]);
/// assert_eq!((z, d), (18.0, 21.0));
/// ```
#[inline]
pub fn directional_derivative<T: Scalar, const N: usize>(
    f: impl FnOnce([Dual<T>; N]) -> Dual<T>,
    x: [T; N],
    v: [T; N],
) -> (T, T) {
    let y = f(core::array::from_fn(|i| Dual::new(x[i], v[i])));
    (y.re, y.eps)
}

/// One mixed partial: `(f, ∂f/∂xᵢ, ∂f/∂xⱼ, ∂²f/∂xᵢ∂xⱼ)` at `x`, from one
/// evaluation on [`HyperDual`] (`i == j` gives the second derivative in
/// `xᵢ`).
///
/// # Panics
/// If `i` or `j` is not less than `N`, like indexing an array.
///
/// ```
/// use dualgrad::mixed_partial;
/// let (f, fx, fy, fxy) = mixed_partial(|[x, y]| x * x * y, [3.0, 2.0], 0, 1);
/// assert_eq!((f, fx, fy, fxy), (18.0, 12.0, 9.0, 6.0));
/// ```
#[inline]
pub fn mixed_partial<T: Scalar, const N: usize>(
    f: impl FnOnce([HyperDual<T>; N]) -> HyperDual<T>,
    x: [T; N],
    i: usize,
    j: usize,
) -> (T, T, T, T) {
    assert!(
        i < N && j < N,
        "mixed_partial: index ({i}, {j}) out of range for {N} inputs"
    );
    let (zero, one) = (T::zero(), T::one());
    let y = f(core::array::from_fn(|k| {
        let e1 = if k == i { one } else { zero };
        let e2 = if k == j { one } else { zero };
        HyperDual::new(x[k], e1, e2, zero)
    }));
    (y.re, y.e1, y.e2, y.e12)
}
