//! The assertion macros: a check that panics with its report.

/// Asserts that a hand-written gradient agrees with the exact and the
/// finite-difference gradient; panics with the readable
/// [`GradientReport`](crate::check::GradientReport) otherwise.
///
/// `assert_gradient!(f, x, given)` or `assert_gradient!(f, x, given, tolerance)`,
/// where `f` is a [`ScalarFn`](crate::check::ScalarFn) or, inline, a
/// closure-like expression as accepted by [`scalar_fn!`](crate::scalar_fn).
///
/// ```
/// use dualgrad::assert_gradient;
/// let (x, y) = (0.3_f64, 1.7_f64);
/// assert_gradient!(|[x, y]| x.sin() * y.cos(), [x, y], [x.cos() * y.cos(), -x.sin() * y.sin()]);
/// ```
///
/// ```should_panic
/// // The sign of ∂/∂y is wrong: panics, naming component 1.
/// # let (x, y) = (0.3_f64, 1.7_f64);
/// dualgrad::assert_gradient!(|[x, y]| x.sin() * y.cos(), [x, y], [x.cos() * y.cos(), x.sin() * y.sin()]);
/// ```
/// use dualgrad::check::Report;
#[macro_export]
macro_rules! assert_gradient {
    (|[$($x:ident),+ $(,)?]| $body:expr, $($rest:tt)+) => {
        $crate::assert_gradient!($crate::scalar_fn!(|[$($x),+]| $body), $($rest)+)
    };
    (|$x:ident : [_; $n:expr]| $body:expr, $($rest:tt)+) => {
        $crate::assert_gradient!($crate::scalar_fn!(|$x: [_; $n]| $body), $($rest)+)
    };
    ($f:expr, $x:expr, $given:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_gradient(&$f, $x, $given))
    };
    ($f:expr, $x:expr, $given:expr, $tol:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_gradient_with(&$f, $x, $given, $tol))
    };
}

/// Asserts that a hand-written Jacobian (`given[i][j] = ∂fᵢ/∂xⱼ`) agrees
/// with the exact and the finite-difference Jacobian; panics with the
/// [`JacobianReport`](crate::check::JacobianReport) otherwise.
///
/// `f` is a [`VectorFn`](crate::check::VectorFn) or, inline, a closure-like
/// expression as accepted by [`vector_fn!`](crate::vector_fn).
///
/// ```
/// use dualgrad::assert_jacobian;
/// assert_jacobian!(|[x, y]| [x * y, x / y], [1.0, 2.0], [[2.0, 1.0], [0.5, -0.25]]);
/// ```
/// use dualgrad::check::Report;
#[macro_export]
macro_rules! assert_jacobian {
    (|[$($x:ident),+ $(,)?]| [$($e:expr),+ $(,)?], $($rest:tt)+) => {
        $crate::assert_jacobian!($crate::vector_fn!(|[$($x),+]| [$($e),+]), $($rest)+)
    };
    ($f:expr, $x:expr, $given:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_jacobian(&$f, $x, $given))
    };
    ($f:expr, $x:expr, $given:expr, $tol:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_jacobian_with(&$f, $x, $given, $tol))
    };
}

/// Asserts that a hand-written Hessian agrees with the exact Hessian and
/// with finite differences of the exact gradient; panics with the
/// [`HessianReport`](crate::check::HessianReport) otherwise.
///
/// ```
/// use dualgrad::assert_hessian;
/// let (x, y) = (1.5_f64, -0.5_f64);
/// // f = eˣ·y²
/// let h = [[x.exp() * y * y, 2.0 * x.exp() * y], [2.0 * x.exp() * y, 2.0 * x.exp()]];
/// assert_hessian!(|[x, y]| x.exp() * y * y, [x, y], h);
/// ```
/// use dualgrad::check::Report;
#[macro_export]
macro_rules! assert_hessian {
    (|[$($x:ident),+ $(,)?]| $body:expr, $($rest:tt)+) => {
        $crate::assert_hessian!($crate::scalar_fn!(|[$($x),+]| $body), $($rest)+)
    };
    (|$x:ident : [_; $n:expr]| $body:expr, $($rest:tt)+) => {
        $crate::assert_hessian!($crate::scalar_fn!(|$x: [_; $n]| $body), $($rest)+)
    };
    ($f:expr, $x:expr, $given:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_hessian(&$f, $x, $given))
    };
    ($f:expr, $x:expr, $given:expr, $tol:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_hessian_with(&$f, $x, $given, $tol))
    };
}

/// Asserts that a hand-written vector-Jacobian product `vjp: v ↦ vᵀJ(x)`
/// passes [`check_vjp`](crate::check::check_vjp); panics with the
/// [`VjpReport`](crate::check::VjpReport) otherwise.
///
/// `assert_vjp!(f, x, vjp)`, `assert_vjp!(f, x, vjp, tolerance)` or
/// `assert_vjp!(f, x, vjp, tolerance, seed)`.
///
/// ```
/// use dualgrad::assert_vjp;
/// let x = [2.0_f64, 5.0];
/// assert_vjp!(|[a, b]| [a * b, a + b], x, |v: [f64; 2]| [v[0] * x[1] + v[1], v[0] * x[0] + v[1]]);
/// ```
/// use dualgrad::check::Report;
#[macro_export]
macro_rules! assert_vjp {
    (|[$($x:ident),+ $(,)?]| [$($e:expr),+ $(,)?], $($rest:tt)+) => {
        $crate::assert_vjp!($crate::vector_fn!(|[$($x),+]| [$($e),+]), $($rest)+)
    };
    ($f:expr, $x:expr, $vjp:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_vjp(&$f, $x, $vjp))
    };
    ($f:expr, $x:expr, $vjp:expr, $tol:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_vjp_with(&$f, $x, $vjp, $tol, $crate::check::DEFAULT_SEED))
    };
    ($f:expr, $x:expr, $vjp:expr, $tol:expr, $seed:expr $(,)?) => {
        $crate::check::Report::assert(&$crate::check::check_vjp_with(&$f, $x, $vjp, $tol, $seed))
    };
}
