//! [`check_vjp`]: a hand-written vector-Jacobian product against the exact
//! one, plus the dot-product test ⟨v, J u⟩ against finite differences.

use core::fmt;

use num_traits::Float;

use super::agreement::{compare, Agreement, Column, Num, Shape};
use super::function::VectorFn;
use super::gradient::write_header;
use super::report::Report;
use super::richardson::{derivative, first_step};
use super::tolerance::{within, CheckReal, Tolerance};
use crate::{jacobian, jvp, SplitMix64};

/// The seed [`check_vjp`] draws its random vectors from.
pub const DEFAULT_SEED: u64 = 0x5eed_d0a1_9ad5_2026;

/// The outcome of [`check_vjp`].
///
/// Two tests in one:
/// - **componentwise**: `given = vjp(v)` against the exact `vᵀJ` (from the
///   forward-mode Jacobian), which names the wrong component;
/// - **dot product** (PyTorch's "fast mode"): `⟨vjp(v), u⟩` must equal
///   `⟨v, J u⟩`, where `J u` comes from finite differences along `u` (an
///   independent reference; the exact `⟨v, J u⟩` from one `Dual` JVP is
///   reported too).
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::{check::check_vjp, vector_fn};
/// let f = vector_fn!(|[x, y]| [x * y, x - y]);
/// let (x, y) = (2.0, 3.0);
/// // vᵀJ with J = [[y, x], [1, −1]], but the second column's sign is wrong
/// let r = check_vjp(&f, [x, y], |v: [f64; 2]| [v[0] * y + v[1], v[0] * x + v[1]]);
/// assert!(!r.passed());
/// assert_eq!(r.worst(), 1);
/// assert!(!r.dot_passed);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct VjpReport<T, const N: usize, const M: usize> {
    /// The point `x` of the check.
    pub point: [T; N],
    /// The random input-space direction `u`.
    pub u: [T; N],
    /// The random output-space covector `v`.
    pub v: [T; M],
    /// The seed `u` and `v` were drawn from.
    pub seed: u64,
    /// The product under test, `vjp(v)`.
    pub given: [T; N],
    /// The exact `vᵀJ`.
    pub exact: [T; N],
    /// `given` against `exact` (tolerances `abs`, `rel`).
    pub vs_exact: Agreement<T, usize>,
    /// `⟨vjp(v), u⟩`.
    pub dot_given: T,
    /// `⟨v, J u⟩` with the exact JVP.
    pub dot_exact: T,
    /// `⟨v, J u⟩` with `J u` from Richardson-extrapolated central
    /// differences along `u`.
    pub dot_fd: T,
    /// `Σ |vᵢ (J u)ᵢ|`: the size the dot-product tolerance is relative to
    /// (so cancellation in the sum does not make the test stricter).
    pub dot_scale: T,
    /// The finite-difference step along `u`.
    pub step: T,
    /// `|dot_given − dot_fd| ≤ fd_abs + fd_rel·dot_scale`.
    pub dot_passed: bool,
    /// Whether the two references agree: `|dot_exact − dot_fd|` within the
    /// same bound.
    pub references_agree: bool,
    /// The tolerance used.
    pub tolerance: Tolerance<T>,
}

/// Checks a hand-written vector-Jacobian product `vjp: v ↦ vᵀJ(x)` of `f`
/// at `x`, with random `u`, `v` from [`DEFAULT_SEED`] and the default
/// [`Tolerance`]. See [`VjpReport`] for the two tests.
///
/// `vjp` is any closure: an analytic adjoint, a reverse-mode tape's
/// pullback, a hand-written backward pass. The entries of `u` and `v` have
/// magnitudes in `[0.5, 1.5]` and random signs, so no component of the
/// product is hidden by a near-zero weight.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::{check::check_vjp, vector_fn};
/// // f(x) = (x₀x₁, sin x₀); J = [[x₁, x₀], [cos x₀, 0]]
/// let f = vector_fn!(|[a, b]| [a * b, a.sin()]);
/// let x = [0.4_f64, -1.2];
/// let vjp = |v: [f64; 2]| [v[0] * x[1] + v[1] * x[0].cos(), v[0] * x[0]];
/// let r = check_vjp(&f, x, vjp);
/// assert!(r.passed(), "{r}");
/// ```
pub fn check_vjp<T: CheckReal, F: VectorFn<N, M>, const N: usize, const M: usize>(
    f: &F,
    x: [T; N],
    vjp: impl FnOnce([T; M]) -> [T; N],
) -> VjpReport<T, N, M> {
    check_vjp_with(f, x, vjp, Tolerance::default(), DEFAULT_SEED)
}

/// [`check_vjp`] with an explicit [`Tolerance`] and seed for `u` and `v`.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::check::{check_vjp_with, Tolerance};
/// use dualgrad::vector_fn;
/// let f = vector_fn!(|[a]| [a * a, S::lit(3.0) * a]);
/// let x = 2.0_f64;
/// let r = check_vjp_with(&f, [x], |v: [f64; 2]| [2.0 * x * v[0] + 3.0 * v[1]], Tolerance::default(), 7);
/// assert!(r.passed());
/// assert_eq!(r.seed, 7);
/// ```
pub fn check_vjp_with<T: CheckReal, F: VectorFn<N, M>, const N: usize, const M: usize>(
    f: &F,
    x: [T; N],
    vjp: impl FnOnce([T; M]) -> [T; N],
    tolerance: Tolerance<T>,
    seed: u64,
) -> VjpReport<T, N, M> {
    let mut rng = SplitMix64::new(seed);
    let u: [T; N] = core::array::from_fn(|_| T::lit(rng.weight()));
    let v: [T; M] = core::array::from_fn(|_| T::lit(rng.weight()));
    let given = vjp(v);

    let (_, j) = jacobian(|a| f.eval(a), x);
    let exact: [T; N] = core::array::from_fn(|c| (0..M).map(|r| v[r] * j[r][c]).sum());
    let (_, ju) = jvp(|a| f.eval(a), x, u);
    let dot_given: T = (0..N).map(|i| given[i] * u[i]).sum();
    let dot_exact: T = (0..M).map(|i| v[i] * ju[i]).sum();

    let x64 = x.map(T::as_f64);
    let u64_ = u.map(T::as_f64);
    let v64 = v.map(T::as_f64);
    let big = x64
        .iter()
        .fold(0.0, |m: f64, a| Float::max(m, Float::abs(*a)));
    let e = derivative(
        |t| f.eval(core::array::from_fn(|i| x64[i] + t * u64_[i])),
        first_step(big) / 1.5,
    );
    let dot_fd: f64 = (0..M).map(|i| v64[i] * e.value[i]).sum();
    let dot_scale: f64 = (0..M).map(|i| Float::abs(v64[i] * e.value[i])).sum();
    let step = e.step.iter().fold(0.0, |m: f64, s| Float::max(m, *s));

    let t = tolerance;
    let (dot_fd, dot_scale) = (T::lit(dot_fd), T::lit(dot_scale));
    let bound = |a: T, b: T| a == b || (a - b).abs() <= t.fd_abs + t.fd_rel * dot_scale;
    VjpReport {
        point: x,
        u,
        v,
        seed,
        given,
        exact,
        vs_exact: compare(&given, &exact, t.abs, t.rel),
        dot_given,
        dot_exact,
        dot_fd,
        dot_scale,
        step: T::lit(step),
        dot_passed: bound(dot_given, dot_fd),
        references_agree: bound(dot_exact, dot_fd),
        tolerance,
    }
}

impl<T: CheckReal, const N: usize, const M: usize> Report for VjpReport<T, N, M> {
    type Index = usize;
    fn exact_check(&self) -> (bool, usize) {
        (self.vs_exact.passed, self.vs_exact.worst)
    }
    fn independent_check(&self) -> (bool, Option<usize>) {
        (self.dot_passed, None)
    }
}

impl<T: CheckReal, const N: usize, const M: usize> fmt::Display for VjpReport<T, N, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape = Shape::Vector;
        write_header(f, "VJP", self.passed(), shape, self.worst(), &self.point)?;
        let t = &self.tolerance;
        writeln!(
            f,
            "  tolerance: |given − exact| ≤ {} + {}·|exact|; dot product within {} + {}·{}",
            Num(t.abs),
            Num(t.rel),
            Num(t.fd_abs),
            Num(t.fd_rel),
            super::agreement::Short(self.dot_scale)
        )?;
        super::agreement::write_agreement(f, "vjp(v) vs exact vᵀJ", &self.vs_exact, shape)?;
        writeln!(
            f,
            "  {:<24} {:<6}  ⟨vjp(v), u⟩ = {}, ⟨v, J u⟩ = {} (finite diff., step {}), {} (exact)",
            "dot-product test",
            if self.dot_passed { "ok" } else { "FAILED" },
            Num(self.dot_given),
            Num(self.dot_fd),
            super::agreement::Short(self.step),
            Num(self.dot_exact)
        )?;
        if !self.references_agree {
            writeln!(
                f,
                "  note: exact and finite-difference ⟨v, J u⟩ disagree; f may not be smooth near x"
            )?;
        }
        writeln!(f, "  random u, v from seed {:#x}", self.seed)?;
        let columns = [
            Column {
                title: "u",
                values: &self.u[..],
                short: false,
            },
            Column {
                title: "given vjp(v)",
                values: &self.given[..],
                short: false,
            },
            Column {
                title: "exact vᵀJ",
                values: &self.exact[..],
                short: false,
            },
        ];
        let failing = |i: usize| !within(self.given[i], self.exact[i], t.abs, t.rel);
        super::agreement::write_table(f, shape, &columns, self.worst(), failing)?;
        write!(f, "  v = [")?;
        for (i, a) in self.v.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Num(*a))?;
        }
        writeln!(f, "]")
    }
}

/// Test-vector entries drawn from the crate's one generator.
trait Weight {
    /// A magnitude in [0.5, 1.5) with a random sign, rounded to a multiple
    /// of 2⁻¹⁰ so it is exact in `f32` too.
    fn weight(&mut self) -> f64;
}

impl Weight for SplitMix64 {
    fn weight(&mut self) -> f64 {
        let r = self.next_u64();
        let m = 0.5 + ((r >> 11) % 1024) as f64 / 1024.0;
        if r & 1 == 0 {
            m
        } else {
            -m
        }
    }
}
