//! Derivative checks (`dualgrad::check`): they pass on correct derivatives,
//! fail with the right worst entry on wrong ones, and their finite-difference
//! reference reaches the documented accuracy.

use std::panic::{catch_unwind, AssertUnwindSafe};

use dualgrad::check::{
    check_gradient, check_gradient_with, check_hessian, check_jacobian, check_vjp, check_vjp_with,
    Report, ScalarFn, Tolerance, VectorFn,
};
use dualgrad::{
    assert_gradient, assert_hessian, assert_jacobian, assert_vjp, scalar_fn, vector_fn, Scalar,
};
use proptest::prelude::*;

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match err.downcast::<String>() {
        Ok(s) => *s,
        Err(e) => e.downcast_ref::<&str>().unwrap_or(&"?").to_string(),
    }
}

/// Potential energy of a 2-D particle: a spring to the origin plus a
/// Gaussian bump, E = ½k|x|² + a·exp(−|x − c|²).
struct Energy {
    k: f64,
    a: f64,
    c: [f64; 2],
}

impl ScalarFn<2> for Energy {
    fn eval<S: Scalar>(&self, [x, y]: [S; 2]) -> S {
        let (dx, dy) = (x - S::lit(self.c[0]), y - S::lit(self.c[1]));
        S::lit(0.5 * self.k) * (x * x + y * y) + S::lit(self.a) * (-(dx * dx + dy * dy)).exp()
    }
}

impl Energy {
    fn gradient(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        let (dx, dy) = (x - self.c[0], y - self.c[1]);
        let g = self.a * (-(dx * dx + dy * dy)).exp();
        [self.k * x - 2.0 * dx * g, self.k * y - 2.0 * dy * g]
    }

    fn hessian(&self, [x, y]: [f64; 2]) -> [[f64; 2]; 2] {
        let (dx, dy) = (x - self.c[0], y - self.c[1]);
        let g = self.a * (-(dx * dx + dy * dy)).exp();
        let xy = 4.0 * dx * dy * g;
        [
            [self.k + (4.0 * dx * dx - 2.0) * g, xy],
            [xy, self.k + (4.0 * dy * dy - 2.0) * g],
        ]
    }
}

const E: Energy = Energy {
    k: 2.0,
    a: 3.0,
    c: [0.5, -0.25],
};

// ---------------------------------------------------------------- gradient

#[test]
fn gradient_passes_on_a_correct_gradient() {
    for x in [[0.3, -0.7], [1.5, 2.0], [-2.0, 0.1], [0.5, -0.25]] {
        let r = check_gradient(&E, x, E.gradient(x));
        assert!(r.passed(), "{r}");
        assert!(r.exact_vs_fd.passed, "{r}");
    }
}

#[test]
fn gradient_fails_on_a_wrong_sign_at_that_component() {
    let x = [0.3, -0.7];
    for i in 0..2 {
        let mut g = E.gradient(x);
        g[i] = -g[i];
        let r = check_gradient(&E, x, g);
        assert!(!r.passed() && !r.vs_exact.passed && !r.vs_fd.passed, "{r}");
        assert_eq!(r.worst(), i);
        assert_eq!(r.vs_exact.worst, i);
        assert_eq!(r.vs_fd.worst, i);
        assert!(r.exact_vs_fd.passed, "the references still agree: {r}");
    }
}

#[test]
fn gradient_fails_on_a_missing_factor_at_that_component() {
    // 3-D: E(x) = x₀²x₁ + sin(x₁x₂); the "forgotten 2" of x₀² is in ∂/∂x₀,
    // the forgotten inner derivative x₂ of sin is in ∂/∂x₁.
    let f = scalar_fn!(|[a, b, c]| a * a * b + (b * c).sin());
    let [a, b, c] = [1.2_f64, -0.4, 0.9];
    let right = [2.0 * a * b, a * a + c * (b * c).cos(), b * (b * c).cos()];
    assert!(check_gradient(&f, [a, b, c], right).passed());

    let no_two = [a * b, right[1], right[2]];
    assert_eq!(check_gradient(&f, [a, b, c], no_two).worst(), 0);

    let no_inner = [right[0], a * a + (b * c).cos(), right[2]];
    let r = check_gradient(&f, [a, b, c], no_inner);
    assert!(!r.passed());
    assert_eq!(r.worst(), 1);
    // max abs error is exactly the size of the mistake
    let mistake = ((1.0 - c) * (b * c).cos()).abs();
    assert!((r.vs_exact.max_abs - mistake).abs() < 1e-15);
    assert!((r.vs_exact.max_rel - mistake / right[1].abs()).abs() < 1e-14);
}

#[test]
fn gradient_worst_is_the_largest_violation_not_the_first() {
    let f = scalar_fn!(|v: [_; 4]| v[0] + v[1] + v[2] + v[3]);
    let r = check_gradient(&f, [0.0; 4], [1.0, 1.001, 1.0, 3.0]);
    assert_eq!(r.worst(), 3);
    assert_eq!(r.vs_exact.max_abs, 2.0);
}

#[test]
fn gradient_with_captured_parameters() {
    let (k, l) = (3.0, 1.5);
    let spring = scalar_fn!([k: f64 = k, l: f64 = l] |[x, y]| {
        let s = (x * x + y * y).sqrt() - S::lit(l);
        S::lit(0.5 * k) * s * s
    });
    let (x, y) = (1.0_f64, 2.0_f64);
    let r = (x * x + y * y).sqrt();
    let g = [k * (r - l) * x / r, k * (r - l) * y / r];
    assert_gradient!(spring, [x, y], g);
    assert!(!check_gradient(&spring, [x, y], [g[0], -g[1]]).passed());
}

#[test]
fn gradient_in_f32_with_its_default_tolerance() {
    let f = scalar_fn!(|[x, y]| (x * y).exp() + x.sin());
    let (x, y) = (0.7_f32, -1.1_f32);
    let right = [y * (x * y).exp() + x.cos(), x * (x * y).exp()];
    let r = check_gradient(&f, [x, y], right);
    assert!(r.passed(), "{r}");
    assert_eq!(r.tolerance, Tolerance::<f32>::default());
    let wrong = [right[0], -right[1]];
    assert_eq!(check_gradient(&f, [x, y], wrong).worst(), 1);
    // 1e-6 relative is float rounding, not a wrong derivative
    let rounded = [right[0] * (1.0 + 1e-6), right[1]];
    assert!(check_gradient(&f, [x, y], rounded).passed());
}

#[test]
fn gradient_outside_the_domain_fails_with_nan_references() {
    let f = scalar_fn!(|[x]| x.ln());
    let r = check_gradient(&f, [-1.0_f64], [-1.0]);
    assert!(r.exact[0].is_nan());
    assert!(!r.passed());
    assert!(r.vs_exact.max_abs.is_nan());
}

#[test]
fn references_disagree_at_a_kink_and_the_report_says_so() {
    // relu′(0) = 0 by convention; the central difference gives 1/2.
    let f = scalar_fn!(|[x]| x.relu());
    let r = check_gradient(&f, [0.0_f64], [0.0]);
    assert!(r.vs_exact.passed);
    assert!(!r.exact_vs_fd.passed);
    assert!((r.finite_difference[0] - 0.5).abs() < 1e-12);
    assert!(r.to_string().contains("may not be smooth"));
}

#[test]
fn tolerance_zero_demands_bitwise_agreement() {
    let f = scalar_fn!(|[x, y]| x * y);
    let exact_only = Tolerance::default().with_abs(0.0).with_rel(0.0);
    let r = check_gradient_with(&f, [2.0, 3.0], [3.0, 2.0], exact_only);
    assert!(r.vs_exact.passed);
    let r = check_gradient_with(&f, [2.0, 3.0], [3.0, 2.0 + 1e-15], exact_only);
    assert!(!r.vs_exact.passed && r.vs_fd.passed);
    assert_eq!(r.worst(), 1);
}

// ------------------------------------------------- Richardson's accuracy

/// The documented accuracy: about 1e-10 relative on smooth, well-scaled
/// functions; checked here at 1e-10 against closed forms.
fn assert_fd_accurate<F: ScalarFn<N>, const N: usize>(f: &F, x: [f64; N], closed: [f64; N]) {
    let r = check_gradient(f, x, closed);
    for (i, (fd, c)) in r.finite_difference.iter().zip(closed).enumerate() {
        let err = (fd - c).abs();
        assert!(
            err <= 1e-10 * c.abs().max(1.0),
            "component {i}: fd {fd} vs closed form {c} (error {err:e})\n{r}"
        );
    }
}

proptest! {
    #[test]
    fn richardson_on_exp(x in -5.0..5.0_f64) {
        assert_fd_accurate(&scalar_fn!(|[x]| x.exp()), [x], [x.exp()]);
    }

    #[test]
    fn richardson_on_sin_cos(p in proptest::array::uniform2(-4.0..4.0_f64)) {
        let [x, y] = p;
        let f = scalar_fn!(|[x, y]| x.sin() * y.cos());
        assert_fd_accurate(&f, p, [x.cos() * y.cos(), -x.sin() * y.sin()]);
    }

    #[test]
    fn richardson_on_a_rational_function(p in proptest::array::uniform2(-3.0..3.0_f64)) {
        // f = (x² − y) / (1 + x² + y²)
        let [x, y] = p;
        let f = scalar_fn!(|[x, y]| (x * x - y) / (S::lit(1.0) + x * x + y * y));
        let (n, d) = (x * x - y, 1.0 + x * x + y * y);
        let closed = [(2.0 * x * d - n * 2.0 * x) / (d * d), (-d - n * 2.0 * y) / (d * d)];
        assert_fd_accurate(&f, p, closed);
    }

    #[test]
    fn richardson_near_a_singularity_shrinks_the_step(x in (-2.0..2.0_f64).prop_map(|e| 10.0_f64.powf(e))) {
        // ln and 1/x at points down to 0.01, where the first step (0.1)
        // leaves the domain or the function varies by orders of magnitude.
        let f = scalar_fn!(|[x]| x.ln() + x.recip());
        let closed = 1.0 / x - 1.0 / (x * x);
        let r = check_gradient(&f, [x], [closed]);
        prop_assert!(
            (r.finite_difference[0] - closed).abs() <= 1e-10 * closed.abs().max(1.0),
            "{}", r
        );
    }

    #[test]
    fn richardson_hessian_of_the_energy(p in proptest::array::uniform2(-2.0..2.0_f64)) {
        let r = check_hessian(&E, p, E.hessian(p));
        for (row, hrow) in r.finite_difference.iter().zip(E.hessian(p)) {
            for (fd, h) in row.iter().zip(hrow) {
                prop_assert!((fd - h).abs() <= 1e-10 * h.abs().max(1.0), "{}", r);
            }
        }
    }
}

// ---------------------------------------------------------------- Jacobian

#[test]
fn jacobian_passes_and_names_the_wrong_entry() {
    // polar → Cartesian, plus the radius squared
    let f = vector_fn!(|[r, t]| [r * t.cos(), r * t.sin(), r * r]);
    let (r, t) = (1.7_f64, 2.3_f64);
    let right = [
        [t.cos(), -r * t.sin()],
        [t.sin(), r * t.cos()],
        [2.0 * r, 0.0],
    ];
    let rep = check_jacobian(&f, [r, t], right);
    assert!(rep.passed(), "{rep}");

    let mut sign = right;
    sign[1][1] = -sign[1][1];
    assert_eq!(check_jacobian(&f, [r, t], sign).worst(), (1, 1));

    let mut factor = right;
    factor[0][1] = -t.sin(); // forgot the factor r
    let rep = check_jacobian(&f, [r, t], factor);
    assert_eq!(rep.worst(), (0, 1));
    assert_eq!(rep.vs_fd.worst, (0, 1));

    let mut factor2 = right;
    factor2[2][0] = r; // forgot the 2 of r²
    assert_eq!(check_jacobian(&f, [r, t], factor2).worst(), (2, 0));

    // Two wrong entries: the worst is the one that exceeds its tolerance
    // most, here the one whose exact value is 0 (only `abs` allows slack).
    let mut two = right;
    two[2] = [0.0, 2.0 * r];
    assert_eq!(check_jacobian(&f, [r, t], two).worst(), (2, 1));
}

#[test]
fn jacobian_of_a_user_struct() {
    /// Rotation by angle θ of a point: (θ, x, y) ↦ R(θ)(x, y).
    struct Rotate;
    impl VectorFn<3, 2> for Rotate {
        fn eval<S: Scalar>(&self, [th, x, y]: [S; 3]) -> [S; 2] {
            let (c, s) = (th.cos(), th.sin());
            [c * x - s * y, s * x + c * y]
        }
    }
    let [th, x, y] = [0.4_f64, 1.0, -2.0];
    let (c, s) = (th.cos(), th.sin());
    let j = [[-s * x - c * y, c, -s], [c * x - s * y, s, c]];
    assert_jacobian!(Rotate, [th, x, y], j);
}

// ---------------------------------------------------------------- Hessian

#[test]
fn hessian_passes_and_names_the_wrong_entry() {
    for x in [[0.3, -0.7], [1.5, 2.0], [-1.0, 0.0]] {
        let r = check_hessian(&E, x, E.hessian(x));
        assert!(r.passed(), "{r}");
    }
    let x = [0.3, -0.7];
    let mut sign = E.hessian(x);
    sign[0][1] = -sign[0][1]; // one triangle wrong: asymmetric
    let r = check_hessian(&E, x, sign);
    assert!(!r.passed());
    assert_eq!(r.worst(), (0, 1));

    let mut factor = E.hessian(x);
    factor[1][1] = E.k + (2.0 * (x[1] - E.c[1]).powi(2) - 2.0) * 3.0 * 0.0; // garbage
    assert_eq!(check_hessian(&E, x, factor).worst(), (1, 1));

    // The classic mistake: forgetting the 4·dx² term of the Gaussian.
    let (dx, dy) = (x[0] - E.c[0], x[1] - E.c[1]);
    let g = E.a * (-(dx * dx + dy * dy)).exp();
    let mut missing = E.hessian(x);
    missing[0][0] = E.k - 2.0 * g;
    let r = check_hessian(&E, x, missing);
    assert_eq!(r.worst(), (0, 0));
    assert!(r.exact_vs_fd.passed);
}

#[test]
fn hessian_of_a_scalar_function_of_one_variable() {
    assert_hessian!(
        |[x]| x.sin() * x,
        [0.9],
        [[2.0 * 0.9_f64.cos() - 0.9 * 0.9_f64.sin()]]
    );
    let r = check_hessian(&scalar_fn!(|[x]| x.sin() * x), [0.9], [[0.9_f64.cos()]]);
    assert!(!r.passed());
    assert_eq!(r.worst(), (0, 0));
}

// ---------------------------------------------------------------- VJP

/// Softmax of three logits and its VJP: vᵀJ = s ⊙ (v − ⟨v, s⟩).
fn softmax(z: [f64; 3]) -> [f64; 3] {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e = z.map(|a| (a - m).exp());
    let t: f64 = e.iter().sum();
    e.map(|a| a / t)
}

fn softmax_vjp(z: [f64; 3], v: [f64; 3]) -> [f64; 3] {
    let s = softmax(z);
    let vs: f64 = (0..3).map(|i| v[i] * s[i]).sum();
    core::array::from_fn(|i| s[i] * (v[i] - vs))
}

fn softmax_fn() -> impl VectorFn<3, 3> {
    vector_fn!(|z: [_; 3]| -> [_; 3] {
        let t = z[0].exp() + z[1].exp() + z[2].exp();
        [z[0].exp() / t, z[1].exp() / t, z[2].exp() / t]
    })
}

#[test]
fn vjp_passes_on_a_correct_vjp() {
    let z = [0.2, -1.3, 0.7];
    let r = check_vjp(&softmax_fn(), z, |v| softmax_vjp(z, v));
    assert!(r.passed(), "{r}");
    assert!(r.references_agree);
    assert!((r.dot_given - r.dot_exact).abs() < 1e-15);
    // u and v are random but reproducible, with magnitudes in [0.5, 1.5]
    assert!(r
        .u
        .iter()
        .chain(&r.v)
        .all(|a| (0.5..1.5).contains(&a.abs())));
    let again = check_vjp(&softmax_fn(), z, |v| softmax_vjp(z, v));
    assert_eq!((again.u, again.v), (r.u, r.v));
}

#[test]
fn vjp_fails_on_a_wrong_sign_or_a_missing_factor() {
    let z = [0.2, -1.3, 0.7];
    // wrong sign in component 2
    let r = check_vjp(&softmax_fn(), z, |v| {
        let mut g = softmax_vjp(z, v);
        g[2] = -g[2];
        g
    });
    assert!(!r.passed() && !r.dot_passed && r.references_agree, "{r}");
    assert_eq!(r.worst(), 2);

    // missing factor s₁ in component 1
    let r = check_vjp(&softmax_fn(), z, |v| {
        let s = softmax(z);
        let vs: f64 = (0..3).map(|i| v[i] * s[i]).sum();
        let mut g = softmax_vjp(z, v);
        g[1] = v[1] - vs;
        g
    });
    assert!(!r.passed(), "{r}");
    assert_eq!(r.worst(), 1);

    // the Jacobian-vector product passed off as a VJP (J instead of Jᵀ)
    let f = vector_fn!(|[a, b]| [a * b, a]);
    let (a, b) = (2.0_f64, 3.0_f64);
    let r = check_vjp(&f, [a, b], |v: [f64; 2]| [b * v[0] + a * v[1], v[0]]);
    assert!(!r.passed());
}

#[test]
fn vjp_off_by_one_percent_fails_both_tests_for_every_seed() {
    // Whatever u and v are drawn, a 1 % error fails both tests.
    let z = [1.0, 0.0, -1.0];
    for seed in 0..20 {
        let r = check_vjp_with(
            &softmax_fn(),
            z,
            |v| softmax_vjp(z, v).map(|g| 1.01 * g),
            Tolerance::default(),
            seed,
        );
        assert!(!r.dot_passed && !r.vs_exact.passed, "seed {seed}: {r}");
    }
}

// ---------------------------------------------------------- the messages

#[test]
fn assert_gradient_panics_with_both_vectors_and_the_worst_index() {
    let x = [0.3, -0.7];
    let mut g = E.gradient(x);
    g[1] *= -1.0;
    let msg = panic_message(|| assert_gradient!(E, x, g));
    assert!(
        msg.starts_with("gradient check FAILED: worst entry 1"),
        "{msg}"
    );
    let exact = E.gradient(x);
    assert!(msg.contains(&format!("{}", exact[1])), "{msg}");
    assert!(msg.contains(&format!("{}", g[1])), "{msg}");
    assert!(msg.contains(&format!("{}", g[0])), "{msg}");
    assert!(
        msg.contains("given vs exact") && msg.contains("FAILED"),
        "{msg}"
    );
    // the worst line is marked
    let worst_line = msg.lines().find(|l| l.starts_with('>')).unwrap();
    assert!(worst_line.contains(&format!("{}", g[1])), "{msg}");
}

#[test]
fn assert_jacobian_hessian_vjp_panic_with_matrix_indices() {
    let msg = panic_message(|| {
        assert_jacobian!(|[x, y]| [x * y, x], [1.0, 2.0], [[2.0, 1.0], [1.0, 1.0]])
    });
    assert!(
        msg.starts_with("Jacobian check FAILED: worst entry (1, 1)"),
        "{msg}"
    );

    let msg =
        panic_message(|| assert_hessian!(|[x, y]| x * x * y, [1.0, 2.0], [[4.0, 2.0], [2.0, 1.0]]));
    assert!(
        msg.starts_with("Hessian check FAILED: worst entry (1, 1)"),
        "{msg}"
    );

    let msg =
        panic_message(|| assert_vjp!(|[a, b]| [a + b], [1.0, 2.0], |v: [f64; 1]| [v[0], -v[0]]));
    assert!(msg.starts_with("VJP check FAILED: worst entry 1"), "{msg}");
    assert!(msg.contains("dot-product test"), "{msg}");
}

#[test]
fn a_passing_report_says_so() {
    let r = check_gradient(&E, [1.0, 1.0], E.gradient([1.0, 1.0]));
    let s = r.to_string();
    assert!(s.starts_with("gradient check passed"), "{s}");
    assert!(!s.contains('>'), "{s}");
}

#[test]
fn long_reports_show_only_failing_entries() {
    let f = scalar_fn!(|v: [_; 40]| v.iter().map(|&a| a * a).sum::<S>());
    let x: [f64; 40] = core::array::from_fn(|i| i as f64 / 10.0);
    let mut g = x.map(|a| 2.0 * a);
    g[33] += 1.0;
    let r = check_gradient(&f, x, g);
    assert_eq!(r.worst(), 33);
    let s = r.to_string();
    assert!(s.contains("(39 passing entries not shown)"), "{s}");
}

// With the `proptest` feature: property tests and strategies.
#[cfg(feature = "proptest")]
mod with_proptest_feature {
    use super::*;
    #[cfg(feature = "nalgebra")]
    use dualgrad::check::strategies::{dmatrices, matrices};
    use dualgrad::check::strategies::{
        duals, dualvecs, hyperduals, points_in, positive, unit_interval,
    };
    use dualgrad::proptest_derivative;

    // ------------------------------------------------------ property tests

    #[test]
    fn proptest_derivative_passes_on_the_crates_own_rules() {
        // The rule table's derivatives against hand-written closed forms.
        proptest_derivative!(gradient: |[x]| x.sigmoid(), |[x]: [f64; 1]| {
            let s = 1.0 / (1.0 + (-x).exp());
            [s * (1.0 - s)]
        }, points_in(-20.0..20.0));
        proptest_derivative!(gradient: |[x]| x.atanh(), |[x]: [f64; 1]| [1.0 / (1.0 - x * x)], unit_interval());
        proptest_derivative!(hessian: |[x, y]| x.powf(y), |[x, y]: [f64; 2]| {
            let p = x.powf(y);
            let l = x.ln();
            [
                [y * (y - 1.0) * p / (x * x), p / x * (1.0 + y * l)],
                [p / x * (1.0 + y * l), p * l * l],
            ]
        }, positive::<2>().prop_map(|[x, y]| [x, y.min(5.0)]));
        proptest_derivative!(jacobian: |[x, y]| [x.hypot(y), y.atan2(x)], |[x, y]: [f64; 2]| {
            let r2 = x * x + y * y;
            let r = r2.sqrt();
            [[x / r, y / r], [-y / r2, x / r2]]
        }, positive::<2>());
        proptest_derivative!(vjp: softmax_fn(), softmax_vjp, points_in(-3.0..3.0));
        proptest_derivative!(gradient: E, |x| E.gradient(x), points_in(-2.0..2.0));
        proptest_derivative!(hessian: E, |x| E.hessian(x), points_in(-2.0..2.0));
    }

    #[test]
    fn proptest_derivative_reports_a_wrong_derivative() {
        let msg = panic_message(
            || proptest_derivative!(gradient: |[x, y]| x * y.exp(), |[_x, y]: [f64; 2]| [y.exp(), y.exp()], points_in(-2.0..2.0)),
        );
        assert!(
            msg.contains("property test of the gradient failed"),
            "{msg}"
        );
        assert!(msg.contains("worst entry 1"), "{msg}");
        let msg = panic_message(
            || proptest_derivative!(vjp: |[a, b]| [a * b], |[a, _b]: [f64; 2], v: [f64; 1]| [v[0] * a, v[0] * a], points_in(-2.0..2.0)),
        );
        assert!(msg.contains("property test of the VJP failed"), "{msg}");
    }

    // ---------------------------------------------------------- strategies

    proptest! {
        #[test]
        fn strategies_stay_in_their_domains(
            p in points_in::<3>(-1.5..=1.5),
            q in positive::<2>(),
            u in unit_interval::<4>(),
        ) {
            prop_assert!(p.iter().all(|a| (-1.5..=1.5).contains(a)));
            prop_assert!(q.iter().all(|&a| (0.01..=100.0).contains(&a)));
            prop_assert!(u.iter().all(|&a| (0.01..=0.99).contains(&a)));
        }

        #[test]
        fn number_strategies_have_random_parts(
            d in duals(1.0..2.0),
            h in hyperduals(-1.0..1.0),
            v in dualvecs::<3>(0.0..1.0),
        ) {
            prop_assert!((1.0..2.0).contains(&d.re) && d.eps.abs() <= 2.0);
            prop_assert!(h.re.abs() < 1.0 && h.e1.abs() <= 2.0 && h.e2.abs() <= 2.0 && h.e12.abs() <= 2.0);
            prop_assert!((0.0..1.0).contains(&v.re) && v.eps.iter().all(|e| e.abs() <= 2.0));
            // exp on Dual: the derivative part scales by exp(re)
            let e = num_traits::Float::exp(d);
            prop_assert!((e.eps - d.eps * d.re.exp()).abs() <= 1e-14 * e.eps.abs().max(1.0));
        }

        #[cfg(feature = "nalgebra")]
        #[test]
        fn matrix_strategies_have_the_shape(a in matrices::<3, 2>(-1.0..1.0), b in dmatrices(2, 5, 0.0..1.0)) {
            prop_assert_eq!(a.shape(), (3, 2));
            prop_assert_eq!(b.shape(), (2, 5));
            prop_assert!(a.iter().all(|x| x.abs() < 1.0));
            prop_assert!(b.iter().all(|x| (0.0..1.0).contains(x)));
        }
    }

    #[test]
    fn strategies_are_not_constant() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let s = points_in::<2>(-1.0..1.0);
        let a = s.new_tree(&mut runner).unwrap().current();
        let b = s.new_tree(&mut runner).unwrap().current();
        assert_ne!(a, b);
        let m = matrices::<2, 2>(-1.0..1.0)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        assert_ne!(m[(0, 0)], m[(1, 1)]);
    }
}
