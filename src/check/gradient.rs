//! [`check_gradient`] and [`check_jacobian`]: a given first derivative
//! against the exact forward-mode one and against finite differences.

use core::fmt;

use super::agreement::{compare, write_agreement, write_table, Agreement, Column, Num, Shape};
use super::function::{ScalarFn, VectorFn};
use super::report::Report;
use super::richardson::derivative_at;
use super::tolerance::{CheckReal, Tolerance};
use crate::{gradient, jacobian};

/// The outcome of [`check_gradient`]: the given gradient, both references,
/// and how far apart they are. Its `Display` is the readable message that
/// [`assert_gradient!`](crate::assert_gradient) panics with.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::check::check_gradient;
/// use dualgrad::scalar_fn;
///
/// let f = scalar_fn!(|[x, y]| x * x * y);
/// let r = check_gradient(&f, [3.0_f64, 2.0], [12.0, -9.0]); // wrong sign in ∂f/∂y
/// assert!(!r.passed());
/// assert_eq!(r.worst(), 1);
/// assert_eq!(r.exact, [12.0, 9.0]);
/// assert!((r.finite_difference[1] - 9.0).abs() < 1e-10);
/// println!("{r}");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct GradientReport<T, const N: usize> {
    /// The point `x` of the check.
    pub point: [T; N],
    /// The gradient under test.
    pub given: [T; N],
    /// The exact gradient, from one forward-mode evaluation on `DualVec`.
    pub exact: [T; N],
    /// The gradient from central differences with Richardson extrapolation
    /// (computed in `f64`).
    pub finite_difference: [T; N],
    /// The extrapolation's own error estimate, per component.
    pub fd_error: [T; N],
    /// The finite-difference step of the kept estimate, per component.
    pub step: [T; N],
    /// `given` against `exact` (tolerances `abs`, `rel`).
    pub vs_exact: Agreement<T, usize>,
    /// `given` against `finite_difference` (tolerances `fd_abs`, `fd_rel`).
    pub vs_fd: Agreement<T, usize>,
    /// `exact` against `finite_difference`: if this fails, the function is
    /// probably not smooth near the point (a kink, a branch, a
    /// discontinuity), and the finite-difference verdict means little.
    pub exact_vs_fd: Agreement<T, usize>,
    /// The tolerance used.
    pub tolerance: Tolerance<T>,
}

/// Compares a hand-written gradient `given` of `f` at `x` with the exact
/// forward-mode gradient and with Richardson-extrapolated central
/// differences, using the default [`Tolerance`] for `T`.
///
/// `given` can come from anywhere: an analytic formula, another
/// autodiff mode (a reverse-mode tape's gradient), a numerical code. The
/// check passes when it agrees with both references.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::check::check_gradient;
/// use dualgrad::scalar_fn;
///
/// // f(x, y) = x² + tanh(y²)
/// let f = scalar_fn!(|[x, y]| x * x + (y * y).tanh());
/// let (x, y) = (2.0_f64, 3.0_f64);
/// let t = (y * y).tanh();
/// let report = check_gradient(&f, [x, y], [2.0 * x, 2.0 * y * (1.0 - t * t)]);
/// assert!(report.passed(), "{report}");
/// ```
pub fn check_gradient<T: CheckReal, F: ScalarFn<N>, const N: usize>(
    f: &F,
    x: [T; N],
    given: [T; N],
) -> GradientReport<T, N> {
    check_gradient_with(f, x, given, Tolerance::default())
}

/// [`check_gradient`] with an explicit [`Tolerance`].
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::check::{check_gradient_with, Tolerance};
/// use dualgrad::scalar_fn;
///
/// let f = scalar_fn!(|[x]| x.exp());
/// let rough = [2.7183_f64]; // e, to 5 digits
/// let loose = Tolerance::default().with_rel(1e-4).with_fd(1e-4, 1e-4);
/// assert!(check_gradient_with(&f, [1.0], rough, loose).passed());
/// assert!(!check_gradient_with(&f, [1.0], rough, Tolerance::default()).passed());
/// ```
pub fn check_gradient_with<T: CheckReal, F: ScalarFn<N>, const N: usize>(
    f: &F,
    x: [T; N],
    given: [T; N],
    tolerance: Tolerance<T>,
) -> GradientReport<T, N> {
    let (value, exact) = gradient(|v| f.eval(v), x);
    let x64 = x.map(T::as_f64);
    let mut fd = [T::zero(); N];
    let mut fd_error = [T::zero(); N];
    let mut step = [T::zero(); N];
    for i in 0..N {
        let e = derivative_at(|t| [f.eval(shifted(x64, i, t))], x64[i]);
        fd[i] = T::lit(e.value[0]);
        fd_error[i] = T::lit(e.error[0]);
        step[i] = T::lit(e.step[0]);
    }
    let t = tolerance;
    // A function with no value at `x` has no gradient there.
    let defined = !value.is_nan();
    let judged = |mut a: super::agreement::Agreement<T, usize>| {
        a.passed &= defined;
        a
    };
    GradientReport {
        point: x,
        given,
        exact,
        finite_difference: fd,
        fd_error,
        step,
        vs_exact: judged(compare(&given, &exact, t.abs, t.rel)),
        vs_fd: judged(compare(&given, &fd, t.fd_abs, t.fd_rel)),
        exact_vs_fd: judged(compare(&exact, &fd, t.fd_abs, t.fd_rel)),
        tolerance,
    }
}

/// `x` with `t` added to coordinate `i`.
pub(crate) fn shifted<const N: usize>(mut x: [f64; N], i: usize, t: f64) -> [f64; N] {
    x[i] += t;
    x
}

impl<T: CheckReal, const N: usize> Report for GradientReport<T, N> {
    type Index = usize;
    fn exact_check(&self) -> (bool, usize) {
        (self.vs_exact.passed, self.vs_exact.worst)
    }
    fn independent_check(&self) -> (bool, Option<usize>) {
        (self.vs_fd.passed, Some(self.vs_fd.worst))
    }
}

impl<T: CheckReal, const N: usize> fmt::Display for GradientReport<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape = Shape::Vector;
        write_header(
            f,
            "gradient",
            self.passed(),
            shape,
            self.worst(),
            &self.point,
        )?;
        write_comparisons(
            f,
            shape,
            &self.tolerance,
            [&self.vs_exact, &self.vs_fd, &self.exact_vs_fd],
        )?;
        write_entries(
            f,
            shape,
            [
                &self.given,
                &self.exact,
                &self.finite_difference,
                &self.fd_error,
                &self.step,
            ],
            self.worst(),
            &self.tolerance,
        )
    }
}

/// The outcome of [`check_jacobian`]: like [`GradientReport`], with
/// `M × N` matrices (`J[i][j] = ∂fᵢ/∂xⱼ`) and `(row, column)` indices.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::{check::check_jacobian, vector_fn};
/// let f = vector_fn!(|[x, y]| [x * y, x + y]);
/// let r = check_jacobian(&f, [2.0, 3.0], [[3.0, 2.0], [1.0, 0.0]]);
/// assert_eq!(r.worst(), (1, 1));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct JacobianReport<T, const N: usize, const M: usize> {
    /// The point `x` of the check.
    pub point: [T; N],
    /// The Jacobian under test.
    pub given: [[T; N]; M],
    /// The exact Jacobian, from one forward-mode evaluation on `DualVec`.
    pub exact: [[T; N]; M],
    /// The Jacobian from Richardson-extrapolated central differences.
    pub finite_difference: [[T; N]; M],
    /// The extrapolation's error estimate, per entry.
    pub fd_error: [[T; N]; M],
    /// The finite-difference step of the kept estimate, per entry.
    pub step: [[T; N]; M],
    /// `given` against `exact`.
    pub vs_exact: Agreement<T, (usize, usize)>,
    /// `given` against `finite_difference`.
    pub vs_fd: Agreement<T, (usize, usize)>,
    /// `exact` against `finite_difference` (see
    /// [`GradientReport::exact_vs_fd`]).
    pub exact_vs_fd: Agreement<T, (usize, usize)>,
    /// The tolerance used.
    pub tolerance: Tolerance<T>,
}

/// Compares a hand-written Jacobian `given` (`M` rows, `N` columns,
/// `given[i][j] = ∂fᵢ/∂xⱼ`) of `f` at `x` with the exact forward-mode
/// Jacobian and with finite differences, using the default [`Tolerance`].
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::{check::check_jacobian, vector_fn};
/// let f = vector_fn!(|[x, y]| [x * y.exp(), x - y]);
/// let (x, y) = (1.5_f64, 0.5_f64);
/// let j = [[y.exp(), x * y.exp()], [1.0, -1.0]];
/// assert!(check_jacobian(&f, [x, y], j).passed());
/// ```
pub fn check_jacobian<T: CheckReal, F: VectorFn<N, M>, const N: usize, const M: usize>(
    f: &F,
    x: [T; N],
    given: [[T; N]; M],
) -> JacobianReport<T, N, M> {
    check_jacobian_with(f, x, given, Tolerance::default())
}

/// [`check_jacobian`] with an explicit [`Tolerance`].
///
/// ```
/// use dualgrad::check::{check_jacobian_with, Tolerance};
/// use dualgrad::vector_fn;
/// let f = vector_fn!(|[x]| [x * x, x]);
/// let t = Tolerance::default().with_abs(0.0).with_rel(0.0);
/// assert!(check_jacobian_with(&f, [3.0], [[6.0], [1.0]], t).vs_exact.passed);
/// ```
pub fn check_jacobian_with<T: CheckReal, F: VectorFn<N, M>, const N: usize, const M: usize>(
    f: &F,
    x: [T; N],
    given: [[T; N]; M],
    tolerance: Tolerance<T>,
) -> JacobianReport<T, N, M> {
    let (_, exact) = jacobian(|v| f.eval(v), x);
    let x64 = x.map(T::as_f64);
    let mut fd = [[T::zero(); N]; M];
    let mut fd_error = fd;
    let mut step = fd;
    for j in 0..N {
        let e = derivative_at(|t| f.eval(shifted(x64, j, t)), x64[j]);
        for i in 0..M {
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
    JacobianReport {
        point: x,
        given,
        exact,
        finite_difference: fd,
        fd_error,
        step,
        vs_exact: compare(g, e, t.abs, t.rel).map_index(idx),
        vs_fd: compare(g, d, t.fd_abs, t.fd_rel).map_index(idx),
        exact_vs_fd: compare(e, d, t.fd_abs, t.fd_rel).map_index(idx),
        tolerance,
    }
}

impl<T: CheckReal, const N: usize, const M: usize> Report for JacobianReport<T, N, M> {
    type Index = (usize, usize);
    fn exact_check(&self) -> (bool, (usize, usize)) {
        (self.vs_exact.passed, self.vs_exact.worst)
    }
    fn independent_check(&self) -> (bool, Option<(usize, usize)>) {
        (self.vs_fd.passed, Some(self.vs_fd.worst))
    }
}

impl<T: CheckReal, const N: usize, const M: usize> fmt::Display for JacobianReport<T, N, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_matrix_report(
            f,
            "Jacobian",
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

/// The report of a matrix check (Jacobian or Hessian): header, the three
/// comparisons and the entries, the worst one marked. `matrices` are the
/// given, exact, finite-difference, error-estimate and step matrices;
/// `agreements` are given vs exact, given vs finite differences, exact vs
/// finite differences; `verdict` is the report's [`Report::passed`] and
/// [`Report::worst`].
pub(crate) fn write_matrix_report<T: CheckReal, const N: usize, const M: usize>(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    point: &[T; N],
    matrices: [&[[T; N]; M]; 5],
    agreements: [&Agreement<T, (usize, usize)>; 3],
    (passed, (r, c)): (bool, (usize, usize)),
    tolerance: &Tolerance<T>,
) -> fmt::Result {
    let shape = Shape::Matrix { cols: N };
    let [vs_exact, vs_fd, exact_vs_fd] = agreements;
    write_header(f, title, passed, shape, r * N + c, point)?;
    let flat = |a: &Agreement<T, (usize, usize)>| a.map_index(|(r, c)| r * N + c);
    write_comparisons(
        f,
        shape,
        tolerance,
        [&flat(vs_exact), &flat(vs_fd), &flat(exact_vs_fd)],
    )?;
    write_entries(
        f,
        shape,
        matrices.map(|m| m.as_flattened()),
        r * N + c,
        tolerance,
    )
}

/// `<what> check passed|FAILED …` and the point.
pub(crate) fn write_header<T: CheckReal>(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    passed: bool,
    shape: Shape,
    worst: usize,
    point: &[T],
) -> fmt::Result {
    if passed {
        writeln!(f, "{what} check passed")?;
    } else {
        writeln!(
            f,
            "{what} check FAILED: worst entry {}",
            super::agreement::label(shape, worst)
        )?;
    }
    write!(f, "  at x = [")?;
    for (i, v) in point.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", Num(*v))?;
    }
    writeln!(f, "]")
}

/// The three comparison lines, with the tolerances.
pub(crate) fn write_comparisons<T: CheckReal>(
    f: &mut fmt::Formatter<'_>,
    shape: Shape,
    t: &Tolerance<T>,
    [vs_exact, vs_fd, exact_vs_fd]: [&Agreement<T, usize>; 3],
) -> fmt::Result {
    writeln!(
        f,
        "  tolerance: |given − exact| ≤ {} + {}·|exact|, |given − fd| ≤ {} + {}·|fd|",
        Num(t.abs),
        Num(t.rel),
        Num(t.fd_abs),
        Num(t.fd_rel)
    )?;
    write_agreement(f, "given vs exact", vs_exact, shape)?;
    write_agreement(f, "given vs finite diff.", vs_fd, shape)?;
    write_agreement(f, "exact vs finite diff.", exact_vs_fd, shape)?;
    if !exact_vs_fd.passed {
        writeln!(
            f,
            "  note: the two references disagree; the function may not be smooth near x"
        )?;
    }
    Ok(())
}

/// The entry table: given, exact, finite difference, its error estimate and
/// step; failing entries marked.
pub(crate) fn write_entries<T: CheckReal>(
    f: &mut fmt::Formatter<'_>,
    shape: Shape,
    [given, exact, fd, fd_error, step]: [&[T]; 5],
    worst: usize,
    t: &Tolerance<T>,
) -> fmt::Result {
    let columns = [
        Column {
            title: "given",
            values: given,
            short: false,
        },
        Column {
            title: "exact",
            values: exact,
            short: false,
        },
        Column {
            title: "finite diff.",
            values: fd,
            short: false,
        },
        Column {
            title: "fd error est.",
            values: fd_error,
            short: true,
        },
        Column {
            title: "fd step",
            values: step,
            short: true,
        },
    ];
    let failing = |i: usize| {
        !super::tolerance::within(given[i], exact[i], t.abs, t.rel)
            || !super::tolerance::within(given[i], fd[i], t.fd_abs, t.fd_rel)
    };
    write_table(f, shape, &columns, worst, failing)
}
