//! [`proptest`] strategies for derivative checks: points inside a
//! function's domain, this crate's number types with random parts, and
//! nalgebra matrices of a given shape. Feature `proptest`.
//!
//! ```
//! use dualgrad::check::strategies::{points_in, positive};
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! let p = points_in::<3>(-1.0..1.0).new_tree(&mut runner).unwrap().current();
//! assert!(p.iter().all(|x| (-1.0..1.0).contains(x)));
//! let q = positive::<2>().new_tree(&mut runner).unwrap().current();
//! assert!(q.iter().all(|&x| x > 0.0));
//! ```

use proptest::array::uniform;
use proptest::strategy::Strategy;

use crate::{Dual, DualVec, HyperDual};

/// Points `[f64; N]` whose coordinates are drawn independently from
/// `coordinate` (a range such as `-2.0..2.0` or `0.5..=3.0`, or any `f64`
/// strategy).
///
/// ```
/// use dualgrad::check::strategies::points_in;
/// use proptest::prelude::*;
///
/// proptest!(|(x in points_in::<2>(-2.0..2.0))| {
///     prop_assert!(x[0].abs() < 2.0 && x[1].abs() < 2.0);
/// });
/// ```
pub fn points_in<const N: usize>(
    coordinate: impl Strategy<Value = f64>,
) -> impl Strategy<Value = [f64; N]> {
    uniform(coordinate)
}

/// A positive real, log-uniform in `[1e-2, 1e2]`: every scale from 0.01
/// to 100 equally likely, the domain of `ln`, `sqrt`, `powf`, and
/// divisions, kept away from 0, where finite differences lose accuracy.
///
/// ```
/// use dualgrad::check::strategies::positive_real;
/// use proptest::prelude::*;
/// proptest!(|(x in positive_real())| prop_assert!((0.01..=100.0).contains(&x)));
/// ```
pub fn positive_real() -> impl Strategy<Value = f64> {
    (-2.0..=2.0_f64).prop_map(|e| 10.0_f64.powf(e))
}

/// Points `[f64; N]` with [`positive_real`] coordinates.
///
/// ```
/// use dualgrad::check::strategies::positive;
/// use proptest::prelude::*;
/// proptest!(|(x in positive::<3>())| prop_assert!(x.iter().all(|&v| v > 0.0)));
/// ```
pub fn positive<const N: usize>() -> impl Strategy<Value = [f64; N]> {
    uniform(positive_real())
}

/// A real in the open unit interval, drawn uniformly from
/// `[0.01, 0.99]`: inside the domain of `asin`, `acos`, `atanh`,
/// `ln(1 − x)`, …, away from the endpoints where their derivatives blow up.
///
/// ```
/// use dualgrad::check::strategies::unit_real;
/// use proptest::prelude::*;
/// proptest!(|(x in unit_real())| prop_assert!(x > 0.0 && x < 1.0));
/// ```
pub fn unit_real() -> impl Strategy<Value = f64> {
    0.01..=0.99_f64
}

/// Points `[f64; N]` with [`unit_real`] coordinates.
///
/// ```
/// use dualgrad::check::strategies::unit_interval;
/// use proptest::prelude::*;
/// proptest!(|(x in unit_interval::<2>())| prop_assert!(x[0] < 1.0 && x[1] > 0.0));
/// ```
pub fn unit_interval<const N: usize>() -> impl Strategy<Value = [f64; N]> {
    uniform(unit_real())
}

/// The range the derivative parts of random number types are drawn from.
const PART: core::ops::RangeInclusive<f64> = -2.0..=2.0;

/// [`Dual`] numbers with value from `re` and derivative part uniform in
/// `[−2, 2]`.
///
/// ```
/// use dualgrad::check::strategies::duals;
/// use proptest::prelude::*;
/// // (a + a′ε)² = a² + 2aa′ε
/// proptest!(|(x in duals(-3.0..3.0))| {
///     let y = x * x;
///     prop_assert_eq!(y.eps, 2.0 * x.re * x.eps);
/// });
/// ```
pub fn duals(re: impl Strategy<Value = f64>) -> impl Strategy<Value = Dual<f64>> {
    (re, PART).prop_map(|(re, eps)| Dual::new(re, eps))
}

/// [`HyperDual`] numbers with value from `re` and every other part uniform
/// in `[−2, 2]`.
///
/// ```
/// use dualgrad::check::strategies::hyperduals;
/// use proptest::prelude::*;
/// proptest!(|(x in hyperduals(0.5..2.0))| {
///     let y = x / x;
///     prop_assert!(y.re == 1.0 && y.e1.abs() < 1e-12 && y.e12.abs() < 1e-10);
/// });
/// ```
pub fn hyperduals(re: impl Strategy<Value = f64>) -> impl Strategy<Value = HyperDual<f64>> {
    (re, PART, PART, PART).prop_map(|(re, e1, e2, e12)| HyperDual::new(re, e1, e2, e12))
}

/// [`DualVec`] numbers with value from `re` and `N` derivative parts
/// uniform in `[−2, 2]`.
///
/// ```
/// use dualgrad::check::strategies::dualvecs;
/// use proptest::prelude::*;
/// proptest!(|(x in dualvecs::<3>(-1.0..1.0))| {
///     let y = x + x;
///     prop_assert_eq!(y.eps, x.eps.map(|e| 2.0 * e));
/// });
/// ```
pub fn dualvecs<const N: usize>(
    re: impl Strategy<Value = f64>,
) -> impl Strategy<Value = DualVec<f64, N>> {
    (re, uniform::<_, N>(PART)).prop_map(|(re, eps)| DualVec::new(re, eps))
}

/// Fixed-size nalgebra matrices `R × C` with entries from `entry`
/// (features `proptest` and `nalgebra`).
///
/// ```
/// use dualgrad::check::strategies::matrices;
/// use proptest::prelude::*;
/// proptest!(|(a in matrices::<2, 3>(-1.0..1.0))| {
///     prop_assert_eq!(a.transpose().transpose(), a);
/// });
/// ```
#[cfg(feature = "nalgebra")]
pub fn matrices<const R: usize, const C: usize>(
    entry: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = nalgebra::SMatrix<f64, R, C>> {
    uniform::<_, C>(uniform::<_, R>(entry))
        .prop_map(|c: [[f64; R]; C]| nalgebra::SMatrix::from_fn(|i, j| c[j][i]))
}

/// Heap-allocated nalgebra matrices of `rows × cols` entries from `entry`
/// (features `proptest` and `nalgebra`).
///
/// ```
/// use dualgrad::check::strategies::dmatrices;
/// use proptest::prelude::*;
/// proptest!(|(a in dmatrices(4, 2, 0.0..1.0))| {
///     prop_assert_eq!(a.shape(), (4, 2));
/// });
/// ```
#[cfg(feature = "nalgebra")]
pub fn dmatrices(
    rows: usize,
    cols: usize,
    entry: impl Strategy<Value = f64>,
) -> impl Strategy<Value = nalgebra::DMatrix<f64>> {
    proptest::collection::vec(entry, rows * cols)
        .prop_map(move |v| nalgebra::DMatrix::from_vec(rows, cols, v))
}
