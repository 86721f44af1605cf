//! [`check_hessian`]: a given Hessian against the exact second-order one
//! and against finite differences of the exact gradient.

use core::fmt;

use super::agreement::{compare, Agreement};
use super::function::ScalarFn;
use super::gradient::{shifted, write_matrix_report};
use super::report::Report;
use super::richardson::derivative_at;
use super::tolerance::{CheckReal, Tolerance};
use crate::{gradient, hessian};

/// The outcome of [`check_hessian`]: like
/// [`GradientReport`](super::GradientReport), with `N × N` matrices and
/// `(row, column)` indices.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::{check::check_hessian, scalar_fn};
/// let f = scalar_fn!(|[x, y]| x * x * y);
/// let r = check_hessian(&f, [3.0, 2.0], [[4.0, 6.0], [6.0, 1.0]]);
/// assert_eq!(r.worst(), (1, 1)); // ∂²(x²y)/∂y² = 0
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HessianReport<T, const N: usize> {
    /// The point `x` of the check.
    pub point: [T; N],
    /// The Hessian under test.
    pub given: [[T; N]; N],
    /// The exact Hessian, from one evaluation on `Dual2Vec`.
    pub exact: [[T; N]; N],
    /// Richardson-extrapolated central differences of the exact gradient:
    /// column `j` is the derivative of `∇f` along `xⱼ`.
    pub finite_difference: [[T; N]; N],
    /// The extrapolation's error estimate, per entry.
    pub fd_error: [[T; N]; N],
    /// The finite-difference step of the kept estimate, per entry.
    pub step: [[T; N]; N],
    /// `given` against `exact`.
    pub vs_exact: Agreement<T, (usize, usize)>,
    /// `given` against `finite_difference`.
    pub vs_fd: Agreement<T, (usize, usize)>,
    /// `exact` against `finite_difference`.
    pub exact_vs_fd: Agreement<T, (usize, usize)>,
    /// The tolerance used.
    pub tolerance: Tolerance<T>,
}

/// Compares a hand-written Hessian `given` of `f` at `x` with the exact
/// Hessian (forward mode on `Dual2Vec`) and with central differences of the
/// exact gradient (Richardson-extrapolated), using the default
/// [`Tolerance`]. An asymmetric `given` fails at the entry that differs.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::{check::check_hessian, scalar_fn};
/// // f = x·sin(y)
/// let f = scalar_fn!(|[x, y]| x * y.sin());
/// let (x, y) = (2.0_f64, 0.3_f64);
/// let h = [[0.0, y.cos()], [y.cos(), -x * y.sin()]];
/// assert!(check_hessian(&f, [x, y], h).passed());
/// ```
pub fn check_hessian<T: CheckReal, F: ScalarFn<N>, const N: usize>(
    f: &F,
    x: [T; N],
    given: [[T; N]; N],
) -> HessianReport<T, N> {
    check_hessian_with(f, x, given, Tolerance::default())
}

/// [`check_hessian`] with an explicit [`Tolerance`].
///
/// ```
/// use dualgrad::check::{check_hessian_with, Tolerance};
/// use dualgrad::scalar_fn;
/// let f = scalar_fn!(|[x]| x.powi(4));
/// let t = Tolerance::default().with_rel(0.0).with_abs(0.0);
/// assert!(check_hessian_with(&f, [0.5], [[3.0]], t).vs_exact.passed);
/// ```
pub fn check_hessian_with<T: CheckReal, F: ScalarFn<N>, const N: usize>(
    f: &F,
    x: [T; N],
    given: [[T; N]; N],
    tolerance: Tolerance<T>,
) -> HessianReport<T, N> {
    let (value, _, exact) = hessian(|v| f.eval(v), x);
    let x64 = x.map(T::as_f64);
    let mut fd = [[T::zero(); N]; N];
    let mut fd_error = fd;
    let mut step = fd;
    for j in 0..N {
        let column = |t: f64| gradient(|v| f.eval(v), shifted(x64, j, t)).1;
        let e = derivative_at(column, x64[j]);
        for i in 0..N {
            fd[i][j] = T::lit(e.value[i]);
            fd_error[i][j] = T::lit(e.error[i]);
            step[i][j] = T::lit(e.step[i]);
        }
    }
    let t = tolerance;
    let (g, e, d) = (
        given.as_flattened(),
        exact.as_flattened(),
        fd.as_flattened(),
    );
    let idx = |k: usize| (k / N, k % N);
    // A function with no value at `x` has no Hessian there, whatever its
    // (constant) derivative parts say: every comparison fails.
    let defined = !value.is_nan();
    let judged = |mut a: super::agreement::Agreement<T, (usize, usize)>| {
        a.passed &= defined;
        a
    };
    HessianReport {
        point: x,
        given,
        exact,
        finite_difference: fd,
        fd_error,
        step,
        vs_exact: judged(compare(g, e, t.abs, t.rel).map_index(idx)),
        vs_fd: judged(compare(g, d, t.fd_abs, t.fd_rel).map_index(idx)),
        exact_vs_fd: judged(compare(e, d, t.fd_abs, t.fd_rel).map_index(idx)),
        tolerance,
    }
}

impl<T: CheckReal, const N: usize> Report for HessianReport<T, N> {
    type Index = (usize, usize);
    fn exact_check(&self) -> (bool, (usize, usize)) {
        (self.vs_exact.passed, self.vs_exact.worst)
    }
    fn independent_check(&self) -> (bool, Option<(usize, usize)>) {
        (self.vs_fd.passed, Some(self.vs_fd.worst))
    }
}

impl<T: CheckReal, const N: usize> fmt::Display for HessianReport<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_matrix_report(
            f,
            "Hessian",
            &self.point,
            [
                &self.given,
                &self.exact,
                &self.finite_difference,
                &self.fd_error,
                &self.step,
            ],
            [&self.vs_exact, &self.vs_fd, &self.exact_vs_fd],
            (self.passed(), self.worst()),
            &self.tolerance,
        )
    }
}
