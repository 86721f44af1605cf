//! Property tests of hand-written derivatives: the check at many random
//! points, with proptest's shrinking towards a simple failing point.
//! Feature `proptest`.

use core::fmt::Debug;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use super::function::{ScalarFn, VectorFn};
use super::report::Report;
use super::tolerance::{CheckReal, Tolerance};
use super::{check_gradient_with, check_hessian_with, check_jacobian_with, check_vjp_with};

/// Runs `check` at points from `points`; panics with the report at the
/// smallest failing point proptest finds.
#[track_caller]
fn run<P: Debug + Clone>(
    what: &str,
    points: impl Strategy<Value = P>,
    check: impl Fn(P) -> Result<(), String>,
) {
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&points, |p| check(p).map_err(TestCaseError::fail));
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, point)) => {
            panic!(
                "property test of the {what} failed; smallest failing point {point:?}:\n{reason}"
            )
        }
        Err(TestError::Abort(reason)) => panic!("property test of the {what} aborted: {reason}"),
    }
}

/// Checks the hand-written gradient `grad` of `f` (see
/// [`check_gradient`](super::check_gradient)) at random points from
/// `points` (by default 256, or `PROPTEST_CASES`); panics with the report
/// of the simplest failing point.
///
/// ```
/// use dualgrad::check::{proptest_gradient, strategies::points_in, Tolerance};
/// use dualgrad::scalar_fn;
///
/// let f = scalar_fn!(|[x, y]| x * y.exp());
/// let grad = |[x, y]: [f64; 2]| [y.exp(), x * y.exp()];
/// proptest_gradient(&f, grad, points_in(-2.0..2.0), Tolerance::default());
/// ```
#[track_caller]
pub fn proptest_gradient<T: CheckReal, F: ScalarFn<N>, const N: usize>(
    f: &F,
    grad: impl Fn([T; N]) -> [T; N],
    points: impl Strategy<Value = [T; N]>,
    tolerance: Tolerance<T>,
) {
    run("gradient", points, |x| {
        let r = check_gradient_with(f, x, grad(x), tolerance);
        if r.passed() {
            Ok(())
        } else {
            Err(r.to_string())
        }
    });
}

/// Like [`proptest_gradient`], for a hand-written Jacobian.
///
/// ```
/// use dualgrad::check::{proptest_jacobian, strategies::points_in, Tolerance};
/// use dualgrad::vector_fn;
///
/// let f = vector_fn!(|[x, y]| [x * y, x.sin()]);
/// let jac = |[x, y]: [f64; 2]| [[y, x], [x.cos(), 0.0]];
/// proptest_jacobian(&f, jac, points_in(-2.0..2.0), Tolerance::default());
/// ```
#[track_caller]
pub fn proptest_jacobian<T: CheckReal, F: VectorFn<N, M>, const N: usize, const M: usize>(
    f: &F,
    jac: impl Fn([T; N]) -> [[T; N]; M],
    points: impl Strategy<Value = [T; N]>,
    tolerance: Tolerance<T>,
) {
    run("Jacobian", points, |x| {
        let r = check_jacobian_with(f, x, jac(x), tolerance);
        if r.passed() {
            Ok(())
        } else {
            Err(r.to_string())
        }
    });
}

/// Like [`proptest_gradient`], for a hand-written Hessian.
///
/// ```
/// use dualgrad::check::{proptest_hessian, strategies::positive, Tolerance};
/// use dualgrad::scalar_fn;
///
/// let f = scalar_fn!(|[x, y]| x.ln() * y);
/// let hess = |[x, y]: [f64; 2]| [[-y / (x * x), 1.0 / x], [1.0 / x, 0.0]];
/// proptest_hessian(&f, hess, positive(), Tolerance::default());
/// ```
#[track_caller]
pub fn proptest_hessian<T: CheckReal, F: ScalarFn<N>, const N: usize>(
    f: &F,
    hess: impl Fn([T; N]) -> [[T; N]; N],
    points: impl Strategy<Value = [T; N]>,
    tolerance: Tolerance<T>,
) {
    run("Hessian", points, |x| {
        let r = check_hessian_with(f, x, hess(x), tolerance);
        if r.passed() {
            Ok(())
        } else {
            Err(r.to_string())
        }
    });
}

/// Like [`proptest_gradient`], for a hand-written vector-Jacobian product
/// `vjp(x, v) = vᵀJ(x)` (see [`check_vjp`](super::check_vjp)); each case
/// draws its own `u` and `v`.
///
/// ```
/// use dualgrad::check::{proptest_vjp, strategies::points_in, Tolerance};
/// use dualgrad::vector_fn;
///
/// let f = vector_fn!(|[x, y]| [x * y, x + y]);
/// let vjp = |[x, y]: [f64; 2], v: [f64; 2]| [v[0] * y + v[1], v[0] * x + v[1]];
/// proptest_vjp(&f, vjp, points_in(-2.0..2.0), Tolerance::default());
/// ```
#[track_caller]
pub fn proptest_vjp<T: CheckReal, F: VectorFn<N, M>, const N: usize, const M: usize>(
    f: &F,
    vjp: impl Fn([T; N], [T; M]) -> [T; N],
    points: impl Strategy<Value = [T; N]>,
    tolerance: Tolerance<T>,
) {
    let points = (points, proptest::num::u64::ANY);
    run("VJP", points, |(x, seed)| {
        let r = check_vjp_with(f, x, |v| vjp(x, v), tolerance, seed);
        if r.passed() {
            Ok(())
        } else {
            Err(r.to_string())
        }
    });
}

/// Property-tests a hand-written derivative against the exact one and
/// finite differences, in one line (feature `proptest`).
///
/// `proptest_derivative!(kind: f, derivative, points)`, optionally with a
/// [`Tolerance`](crate::check::Tolerance) as a fourth argument, where
/// - `kind` is `gradient`, `jacobian`, `hessian` or `vjp`;
/// - `f` is the function: a [`ScalarFn`](crate::check::ScalarFn) /
///   [`VectorFn`](crate::check::VectorFn), or inline the closure-like
///   expression of [`scalar_fn!`](crate::scalar_fn) /
///   [`vector_fn!`](crate::vector_fn);
/// - `derivative` is the hand-written derivative as a closure of the point
///   (for `vjp`: of the point and the covector `v`);
/// - `points` is a strategy for the points, e.g. from
///   [`strategies`](crate::check::strategies).
///
/// It panics with the report at the simplest failing point. Use it in a
/// `#[test]`:
///
/// ```
/// use dualgrad::check::strategies::{points_in, positive};
/// use dualgrad::proptest_derivative;
///
/// proptest_derivative!(gradient: |[x, y]| x * x * y.sin(), |[x, y]: [f64; 2]| [2.0 * x * y.sin(), x * x * y.cos()], points_in(-3.0..3.0));
/// proptest_derivative!(hessian: |[x]| x.sqrt(), |[x]: [f64; 1]| [[-0.25 / (x * x.sqrt())]], positive());
/// proptest_derivative!(vjp: |[a, b]| [a * b, a], |[a, b]: [f64; 2], v: [f64; 2]| [v[0] * b + v[1], v[0] * a], points_in(-1.0..1.0));
/// ```
///
/// ```should_panic
/// # use dualgrad::check::strategies::points_in;
/// // d/dx cos x = −sin x, not sin x: panics with the report at a point near 0.
/// dualgrad::proptest_derivative!(gradient: |[x]| x.cos(), |[x]: [f64; 1]| [x.sin()], points_in(-3.0..3.0));
/// ```
#[macro_export]
macro_rules! proptest_derivative {
    (gradient: |[$($x:ident),+ $(,)?]| $body:expr, $($rest:tt)+) => {
        $crate::proptest_derivative!(gradient: $crate::scalar_fn!(|[$($x),+]| $body), $($rest)+)
    };
    (hessian: |[$($x:ident),+ $(,)?]| $body:expr, $($rest:tt)+) => {
        $crate::proptest_derivative!(hessian: $crate::scalar_fn!(|[$($x),+]| $body), $($rest)+)
    };
    (jacobian: |[$($x:ident),+ $(,)?]| [$($e:expr),+ $(,)?], $($rest:tt)+) => {
        $crate::proptest_derivative!(jacobian: $crate::vector_fn!(|[$($x),+]| [$($e),+]), $($rest)+)
    };
    (vjp: |[$($x:ident),+ $(,)?]| [$($e:expr),+ $(,)?], $($rest:tt)+) => {
        $crate::proptest_derivative!(vjp: $crate::vector_fn!(|[$($x),+]| [$($e),+]), $($rest)+)
    };
    ($kind:ident: $f:expr, $d:expr, $points:expr $(,)?) => {
        $crate::proptest_derivative!($kind: $f, $d, $points, $crate::check::Tolerance::default())
    };
    (gradient: $f:expr, $d:expr, $points:expr, $tol:expr $(,)?) => {
        $crate::check::proptest_gradient(&$f, $d, $points, $tol)
    };
    (jacobian: $f:expr, $d:expr, $points:expr, $tol:expr $(,)?) => {
        $crate::check::proptest_jacobian(&$f, $d, $points, $tol)
    };
    (hessian: $f:expr, $d:expr, $points:expr, $tol:expr $(,)?) => {
        $crate::check::proptest_hessian(&$f, $d, $points, $tol)
    };
    (vjp: $f:expr, $d:expr, $points:expr, $tol:expr $(,)?) => {
        $crate::check::proptest_vjp(&$f, $d, $points, $tol)
    };
}
