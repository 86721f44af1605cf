//! Reverse mode on the recording number type `Taped`: every elementary
//! function's reverse derivative against forward mode's (bit for bit, NaN
//! and infinities included), the worked examples, several questions to one
//! recording, second derivatives by nesting, perturbation confusion, and
//! stale values.
#![cfg(feature = "alloc")]

use dualgrad::record::{
    gradient_rev, gradient_rev_dyn, hessian_rev, hvp_rev, jacobian_rev, jacobian_rev_dyn, vjp_rev,
    vjp_rev_dyn, RecordError, Recorder, Taped,
};
use dualgrad::{derivative, gradient, gradient_dyn, hessian_dyn, Dual, Scalar};
use num_traits::Float;

/// Equal as forward mode's results are compared: same number, or both NaN
/// (the sign of a zero may differ: reverse mode starts each adjoint at +0).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Points including the edges of every domain.
const POINTS: [f64; 17] = [
    -1e300,
    -10.0,
    -2.0,
    -1.0,
    -0.5,
    -0.0,
    0.0,
    1e-300,
    0.25,
    0.5,
    1.0,
    1.5,
    2.0,
    10.0,
    1e300,
    f64::INFINITY,
    f64::NAN,
];

macro_rules! unary_cases {
    ($($name:ident($x:ident) => $body:expr;)*) => {
        $(
            fn $name<S: Scalar>($x: S) -> S {
                $body
            }
        )*
        /// Every unary case, as (name, forward, reverse).
        #[allow(clippy::type_complexity)]
        fn unaries() -> Vec<(&'static str, fn(Dual<f64>) -> Dual<f64>, fn(Taped<f64>) -> Taped<f64>)> {
            vec![$((stringify!($name), $name::<Dual<f64>>, $name::<Taped<f64>>)),*]
        }
    };
}

unary_cases! {
    neg(x) => -x;
    recip(x) => x.recip();
    sqrt(x) => x.sqrt();
    cbrt(x) => x.cbrt();
    powi3(x) => x.powi(3);
    powi0(x) => x.powi(0);
    powi_m2(x) => x.powi(-2);
    powf_const(x) => x.powf(S::lit(1.5));
    powf_const_neg(x) => x.powf(S::lit(-0.5));
    exp(x) => x.exp();
    exp2(x) => x.exp2();
    exp_m1(x) => x.exp_m1();
    ln(x) => x.ln();
    log2(x) => x.log2();
    log10(x) => x.log10();
    ln_1p(x) => x.ln_1p();
    sin(x) => x.sin();
    cos(x) => x.cos();
    tan(x) => x.tan();
    sin_of_sin_cos(x) => x.sin_cos().0;
    cos_of_sin_cos(x) => x.sin_cos().1;
    asin(x) => x.asin();
    acos(x) => x.acos();
    atan(x) => x.atan();
    sinh(x) => x.sinh();
    cosh(x) => x.cosh();
    tanh(x) => x.tanh();
    asinh(x) => x.asinh();
    acosh(x) => x.acosh();
    atanh(x) => x.atanh();
    abs(x) => x.abs();
    signum(x) => x.signum();
    floor(x) => x.floor();
    ceil(x) => x.ceil();
    round(x) => x.round();
    trunc(x) => x.trunc();
    fract(x) => x.fract();
    sigmoid(x) => x.sigmoid();
    softplus(x) => x.softplus();
    relu(x) => x.relu();
    erf(x) => x.erf();
    to_degrees(x) => x.to_degrees();
    to_radians(x) => x.to_radians();
    mul_real(x) => x.mul_real(S::Real::lit(3.0));
    plus_const(x) => x + S::lit(2.5);
    const_minus(x) => S::lit(2.5) - x;
    times_const(x) => x * S::lit(-3.0);
    over_const(x) => x / S::lit(7.0);
    const_over(x) => S::lit(7.0) / x;
    rem_const(x) => x % S::lit(0.75);
    square(x) => x * x;
    nan_const(x) => x + S::nan() * S::zero();
    inf_times(x) => x * S::infinity();
}

/// The one documented difference: forward mode's products are plain IEEE
/// arithmetic on every tangent, so at a non-finite factor value the
/// derivative with respect to an input the other factor does not depend on
/// is `0·∞ = NaN` (∂(x·3)/∂x at x = ∞ is NaN there); reverse mode multiplies
/// along dependency paths only and gives 3. Likewise `S::nan()` is every
/// part NaN in forward mode and a constant NaN (derivative 0) here.
fn product_artifact(name: &str, inputs: &[f64], forward: f64) -> bool {
    let products = ["times_const", "inf_times", "nan_const", "mul", "mul_add"];
    forward.is_nan()
        && products.contains(&name)
        && (name == "inf_times" || name == "nan_const" || inputs.iter().any(|v| !v.is_finite()))
}

#[test]
fn every_unary_function_reverse_equals_forward() {
    let mut checked = 0;
    for (name, fwd, rev) in unaries() {
        for &x in &POINTS {
            let (v, d) = derivative(fwd, x);
            let (rv, g) = gradient_rev(|[t]| rev(t), [x]).unwrap();
            assert!(same(rv, v), "{name}({x}): value {rv} vs forward {v}");
            assert!(
                same(g[0], d) || product_artifact(name, &[x], d),
                "{name}'({x}): reverse {} vs forward {d}",
                g[0]
            );
            checked += 1;
        }
    }
    assert!(checked > 800);
}

macro_rules! binary_cases {
    ($($name:ident($x:ident, $y:ident) => $body:expr;)*) => {
        $(
            fn $name<S: Scalar>($x: S, $y: S) -> S {
                $body
            }
        )*
        #[allow(clippy::type_complexity)]
        fn binaries() -> Vec<(
            &'static str,
            fn(dualgrad::DualVec<f64, 2>, dualgrad::DualVec<f64, 2>) -> dualgrad::DualVec<f64, 2>,
            fn(Taped<f64>, Taped<f64>) -> Taped<f64>,
        )> {
            vec![$((stringify!($name), $name::<dualgrad::DualVec<f64, 2>>, $name::<Taped<f64>>)),*]
        }
    };
}

binary_cases! {
    add(x, y) => x + y;
    sub(x, y) => x - y;
    mul(x, y) => x * y;
    div(x, y) => x / y;
    rem(x, y) => x % y;
    powf(x, y) => x.powf(y);
    log(x, y) => x.log(y);
    atan2(x, y) => x.atan2(y);
    hypot(x, y) => x.hypot(y);
    max(x, y) => x.max(y);
    min(x, y) => x.min(y);
    mul_add(x, y) => x.mul_add(y, x);
    abs_sub(x, y) => abs_sub_(x, y);
}

#[test]
fn every_binary_function_reverse_equals_forward() {
    let pts = [
        -2.0,
        -0.5,
        -0.0,
        0.0,
        0.5,
        1.0,
        2.0,
        3.0,
        f64::INFINITY,
        f64::NAN,
    ];
    for (name, fwd, rev) in binaries() {
        for &x in &pts {
            for &y in &pts {
                let (v, d) = gradient(|[a, b]| fwd(a, b), [x, y]);
                let (rv, g) = gradient_rev(|[a, b]| rev(a, b), [x, y]).unwrap();
                assert!(same(rv, v), "{name}({x}, {y}): value {rv} vs {v}");
                for k in 0..2 {
                    // ∂(x/y)/∂y is −(q·(1/y)) in reverse mode and −q/y in
                    // forward mode: one rounding apart.
                    let ok = same(g[k], d[k])
                        || (name == "div" && k == 1 && (g[k] - d[k]).abs() <= 2e-16 * d[k].abs());
                    assert!(
                        ok || product_artifact(name, &[x, y], d[k]),
                        "{name}({x}, {y}) ∂{k}: reverse {} vs forward {}",
                        g[k],
                        d[k]
                    );
                }
            }
        }
    }
}

fn z<S: Scalar>(x: S, y: S) -> S {
    x * x + (y * y).tanh()
}

#[test]
fn worked_example_z() {
    let (v, g) = gradient_rev(|[x, y]| z(x, y), [2.0, 3.0]).unwrap();
    assert_eq!(v, 4.999999969540041);
    assert_eq!(g[0], 4.0);
    let closed = 6.0 / 9.0_f64.cosh().powi(2);
    assert!(
        (g[1] - closed).abs() <= 1e-12 * closed,
        "{} vs {closed}",
        g[1]
    );
    assert!((g[1] - 3.6551950273939385e-7).abs() <= 1e-12 * closed);
}

fn cube<S: Scalar>(x: S) -> S {
    x * x * x
}

#[test]
fn worked_example_cube_second_derivative_by_nesting() {
    for (x, y, d1, d2) in [(1.0, 1.0, 3.0, 6.0), (2.0, 8.0, 12.0, 12.0)] {
        // Recording over Dual<f64>: the adjoint's ε part is y″·ẋ.
        let (v, g) = gradient_rev(|[t]| cube(t), [Dual::variable(x)]).unwrap();
        assert_eq!((v.re, v.eps), (y, d1));
        assert_eq!((g[0].re, g[0].eps), (d1, d2));
        // The same through the drivers.
        let (v, g, hv) = hvp_rev(|t| cube(t[0]), &[x], &[1.0]).unwrap();
        assert_eq!((v, g[0], hv[0]), (y, d1, d2));
        let (v, g, h) = hessian_rev(|t| cube(t[0]), &[x]).unwrap();
        assert_eq!((v, g[0], h[0][0]), (y, d1, d2));
    }
}

fn rosenbrock<S: Scalar>(x: &[S]) -> S {
    x.windows(2)
        .map(|w| (w[1] - w[0] * w[0]).powi(2) * S::lit(100.0) + (S::one() - w[0]).powi(2))
        .sum()
}

fn inputs(n: usize) -> Vec<f64> {
    let mut g = dualgrad::SplitMix64::new(7);
    (0..n).map(|_| g.uniform(-1.5, 1.5)).collect()
}

fn close(a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1e-300_f64, |m, v| m.max(v.abs()));
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= rel * scale, "[{i}]: {x} vs {y}");
    }
}

#[test]
fn gradient_hvp_hessian_match_forward_mode() {
    let x = inputs(37);
    let (v, g) = gradient_rev_dyn(rosenbrock, &x).unwrap();
    let (fv, fg) = gradient_dyn(rosenbrock, &x);
    assert_eq!(v, fv);
    close(&g, &fg, 1e-15);

    let (hv_, hg, h) = hessian_rev(rosenbrock, &x).unwrap();
    let (fv2, _, fh) = hessian_dyn(rosenbrock, &x);
    assert_eq!(hv_, fv2);
    close(&hg, &fg, 1e-15);
    for (r, fr) in h.iter().zip(&fh) {
        close(r, fr, 1e-14);
    }

    let dir = inputs(37).iter().map(|v| v * 0.5 + 0.1).collect::<Vec<_>>();
    let (_, _, hv) = hvp_rev(rosenbrock, &x, &dir).unwrap();
    let expect: Vec<f64> = fh
        .iter()
        .map(|row| row.iter().zip(&dir).map(|(a, b)| a * b).sum())
        .collect();
    close(&hv, &expect, 1e-13);
}

#[test]
fn one_recording_many_questions() {
    let mut rec = Recorder::new();
    let ys = rec
        .record(&[0.5, -1.0, 2.0], |x| {
            vec![x[0] * x[1], (x[1] * x[2]).sin(), x[0].exp() + x[2]]
        })
        .unwrap();
    let (_, jac) = jacobian_rev_dyn(
        |x| vec![x[0] * x[1], (x[1] * x[2]).sin(), x[0].exp() + x[2]],
        &[0.5, -1.0, 2.0],
    )
    .unwrap();
    for (i, &y) in ys.iter().enumerate() {
        assert_eq!(rec.gradient(y).unwrap(), &jac[i][..]);
    }
    let w = [1.0, 2.0, -1.0];
    let v = rec.vjp(&ys, &w).unwrap().to_vec();
    let expect: Vec<f64> = (0..3)
        .map(|j| (0..3).map(|i| w[i] * jac[i][j]).sum())
        .collect();
    close(&v, &expect, 1e-16);
    // The same questions again give the same answers (the adjoints are reset).
    assert_eq!(rec.gradient(ys[1]).unwrap(), &jac[1][..]);

    let (y, vj) = vjp_rev_dyn(|x| vec![x[0] * x[1], x[0]], &[2.0, 3.0], &[1.0, 1.0]).unwrap();
    assert_eq!((y, vj), (vec![6.0, 2.0], vec![4.0, 2.0]));
    let (y, vj) = vjp_rev(|[a, b]| [a * b, a], [2.0, 3.0], [1.0, 1.0]).unwrap();
    assert_eq!((y, vj), ([6.0, 2.0], [4.0, 2.0]));
    let (_, j) = jacobian_rev(|[a, b]| [a * b, a.sin()], [2.0, 3.0]).unwrap();
    assert_eq!(j, [[3.0, 2.0], [2.0_f64.cos(), 0.0]]);
}

#[test]
fn constant_output_and_unused_inputs() {
    let (v, g) = gradient_rev(|[_x, _y]| Taped::constant(3.0), [1.0, 2.0]).unwrap();
    assert_eq!((v, g), (3.0, [0.0, 0.0]));
    let (v, g) = gradient_rev(|[x, _y]| x, [1.0, 2.0]).unwrap();
    assert_eq!((v, g), (1.0, [1.0, 0.0]));
    let (v, g) = gradient_rev_dyn(|_| Taped::constant(1.0), &[]).unwrap();
    assert_eq!((v, g), (1.0, vec![]));
}

#[test]
fn stale_values_are_rejected() {
    // From another recorder.
    let mut a = Recorder::new();
    let mut b = Recorder::new();
    let ya = a.record(&[1.0], |x| x[0] * 2.0).unwrap();
    let yb = b.record(&[1.0], |x| x[0] * 3.0).unwrap();
    assert_eq!(b.gradient(ya), Err(RecordError::Stale));
    assert_eq!(a.gradient(yb), Err(RecordError::Stale));
    assert_eq!(a.gradient(ya).unwrap(), &[2.0]);

    // From before a new recording of the same recorder.
    let old = a.record(&[1.0], |x| x[0] * 5.0).unwrap();
    let _new = a.record(&[1.0], |x| x[0] * 6.0).unwrap();
    assert_eq!(a.gradient(old), Err(RecordError::Stale));

    // Used inside another recording: NaN there, and the error.
    let r = b.record(&[1.0], |x| {
        let mixed = x[0] + ya; // ya belongs to recorder `a`
        assert!(mixed.value().is_nan());
        mixed
    });
    assert_eq!(r.unwrap_err(), RecordError::Stale);

    // Sizes.
    let mut c = Recorder::new();
    let ys = c.record(&[1.0, 2.0], |x| [x[0], x[1]]).unwrap();
    assert!(matches!(c.vjp(&ys, &[1.0]), Err(RecordError::Size { .. })));
    assert!(matches!(
        hvp_rev(|x| x[0], &[1.0, 2.0], &[1.0]),
        Err(RecordError::Size { .. })
    ));
    assert!(matches!(
        vjp_rev_dyn(|x| vec![x[0]], &[1.0], &[1.0, 2.0]),
        Err(RecordError::Size { .. })
    ));
    println!("{}", RecordError::Stale);
}

#[test]
fn perturbation_confusion_forward_outside_reverse_inside() {
    // d/dx [ x · d/dy (x + y) ] = 1 (a confused implementation gives 2).
    let (_, d) = derivative(
        |x: Dual<f64>| {
            let (_, g) = gradient_rev(|[y]| Taped::constant(x) + y, [Dual::constant(1.0)]).unwrap();
            x * g[0]
        },
        1.0,
    );
    assert_eq!(d, 1.0);
    // d/dx [ d/dy (x·y²) at y = 2 ] = d/dx (4x) = 4.
    let (_, d) = derivative(
        |x: Dual<f64>| {
            let (_, g) =
                gradient_rev(|[y]| Taped::constant(x) * y * y, [Dual::constant(2.0)]).unwrap();
            g[0]
        },
        3.0,
    );
    assert_eq!(d, 4.0);
}

#[test]
fn perturbation_confusion_reverse_outside_forward_inside() {
    // ∇ₓ [ x · d/dy (x + y) ] = 1, with the inner derivative on Dual<Taped<f64>>.
    let (_, g) = gradient_rev(
        |[x]| {
            let (_, dy) = derivative(
                |y: Dual<Taped<f64>>| Dual::constant(x) + y,
                Taped::constant(1.0),
            );
            x * dy
        },
        [1.0],
    )
    .unwrap();
    assert_eq!(g[0], 1.0);
    // ∇ₓ [ d/dy (x·y²) at y = 2 ] = 4, the inner derivative recorded.
    let (_, g) = gradient_rev(
        |[x]| {
            derivative(
                |y: Dual<Taped<f64>>| Dual::constant(x) * y * y,
                Taped::constant(2.0),
            )
            .1
        },
        [3.0],
    )
    .unwrap();
    assert_eq!(g[0], 4.0);
}

#[test]
fn nested_recordings_of_one_type_are_kept_apart() {
    // A reverse gradient inside a recorded function, on the same number
    // type: the inner recording is independent, and an outer value used in
    // it is rejected instead of giving a silent wrong gradient.
    let (v, g) = gradient_rev(
        |[x]| {
            let (_, inner) = gradient_rev(|[y]| y * y, [3.0]).unwrap();
            assert_eq!(inner, [6.0]);
            let err = gradient_rev(|[y]| y * x, [3.0]).unwrap_err();
            assert_eq!(err, RecordError::Stale);
            x * inner[0]
        },
        [2.0],
    )
    .unwrap();
    assert_eq!((v, g), (12.0, [6.0]));
}

#[test]
fn recorder_sizes_and_reuse() {
    let mut r = Recorder::<f64>::new();
    assert_eq!(Recorder::<f64>::BYTES_PER_NODE, 24);
    assert_eq!(core::mem::size_of::<Taped<f64>>(), 24);
    let x = inputs(100);
    for _ in 0..3 {
        let y = r.record(&x, rosenbrock).unwrap();
        // A node only where two different nodes meet: per term `w₁ − w₀²`
        // and the `+` of the two squares (×, powi, ×100 and 1 − x act on
        // one node and only change its coefficient), and the sum's `+`
        // but the first (from a constant).
        assert_eq!(r.len(), 1 + 100 + 99 * 2 + 98);
        assert_eq!(r.gradient(y).unwrap().len(), 100);
    }
    r.reset();
    assert!(r.is_empty());
}

#[test]
fn f32_and_display() {
    let (v, g) = gradient_rev(|[x]| x * x, [3.0_f32]).unwrap();
    assert_eq!((v, g), (9.0, [6.0]));
    let t = Taped::constant(1.5);
    assert_eq!(format!("{t} {t:.2} {t:?}"), "1.5 1.50 Taped(1.5)");
}

#[test]
fn any_generic_float_code_runs() {
    // Code written against num_traits::Float only.
    fn norm<F: Float>(x: &[F]) -> F {
        x.iter().fold(F::zero(), |a, &b| a + b * b).sqrt()
    }
    let (v, g) = gradient_rev_dyn(norm, &[3.0, 4.0]).unwrap();
    let (fv, fg) = gradient_dyn(norm, &[3.0, 4.0]);
    assert_eq!((v, &g), (fv, &fg));
    close(&g, &[0.6, 0.8], 2e-16);
}

#[allow(deprecated)]
fn abs_sub_<S: Scalar>(x: S, y: S) -> S {
    x.abs_sub(y)
}
