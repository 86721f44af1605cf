//! Properties over random points (proptest), checked against independent
//! computations:
//! - every elementary function's `Dual` derivative against a central finite
//!   difference of the plain `f64` function, and its `HyperDual` second
//!   derivative against a finite difference of the `Dual` derivative;
//! - second derivatives agree between `HyperDual`, `Dual<Dual<_>>` and
//!   `Dual2Vec`; third derivatives between `third_derivative`
//!   (`HyperDual<Dual<_>>`) and `Dual<Dual<Dual<_>>>`;
//! - for a function of three variables: `HyperDual` mixed partials equal the
//!   nested `Dual<Dual<_>>` ones and are symmetric under swapping ε1/ε2;
//!   `Dual2Vec`'s Hessian equals the `HyperDual` mixed partials; `DualVec`
//!   equals N single-direction `Dual` passes, bit for bit;
//! - the chain rule holds for compositions, to first and second order.

// Indices i, j are the mathematical ones (H[i][j], direction i).
#![allow(clippy::needless_range_loop)]

mod common;

use common::{Binary, Unary};
use dualgrad::{
    derivative, hessian, mixed_partial, second_derivative, third_derivative, Dual, Dual2Vec,
    DualVec, HyperDual, Scalar,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// The five-point central difference of `f` at `x` with step `h`
/// (truncation error O(h⁴)).
fn central_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x - 2.0 * h) - 8.0 * f(x - h) + 8.0 * f(x + h) - f(x + 2.0 * h)) / (12.0 * h)
}

/// `|got − want| ≤ tol · (1 + |want| + scale)`.
fn close(what: &str, got: f64, want: f64, tol: f64, scale: f64) -> Result<(), TestCaseError> {
    let bound = tol * (1.0 + want.abs() + scale);
    if (got - want).abs() <= bound {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!(
            "{what}: got {got:e}, want {want:e} (|diff| {:e} > {bound:e})",
            (got - want).abs()
        )))
    }
}

fn bits_equal(what: &str, got: f64, want: f64) -> Result<(), TestCaseError> {
    if got.to_bits() == want.to_bits() {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!("{what}: {got:e} != {want:e}")))
    }
}

/// Forward derivatives against finite differences.
fn check_fd<F: Unary>(x: f64) -> Result<(), TestCaseError> {
    let h = 2e-4 * x.abs().max(1.0);
    let (f, d1) = derivative(F::eval, x);
    let fd1 = central_difference(F::eval::<f64>, x, h);
    // Rounding error of the difference quotient is about ε·|f|/h.
    close("f′ vs finite difference", d1, fd1, 1e-7, f.abs() / h * 1e-9)?;
    let (_, _, d2) = second_derivative(F::eval, x);
    let fd2 = central_difference(|x| derivative(F::eval, x).1, x, h);
    close(
        "f″ vs finite difference of f′",
        d2,
        fd2,
        1e-7,
        d1.abs() / h * 1e-9,
    )
}

/// Second derivatives from the three second-order types, and third
/// derivatives from the two third-order nestings, agree to rounding.
fn check_orders<F: Unary>(x: f64) -> Result<(), TestCaseError> {
    let tol = 64.0 * f64::EPSILON;
    let (_, d1, d2) = second_derivative(F::eval, x);
    let n = F::eval(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
    let (_, g, h) = hessian(|[x]| F::eval(x), [x]);
    let scale = d1.abs();
    close("Dual<Dual> f′", n.re.eps, d1, tol, 0.0)?;
    close("Dual2Vec f′", g[0], d1, tol, 0.0)?;
    close("Dual<Dual> f″ vs HyperDual", n.eps.eps, d2, tol, scale)?;
    close("Dual2Vec f″ vs HyperDual", h[0][0], d2, tol, scale)?;
    let (v, t1, t2, t3) = third_derivative(F::eval, x);
    let n3 = F::eval(Dual::new(
        Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)),
        Dual::new(Dual::new(1.0, 0.0), Dual::new(0.0, 0.0)),
    ));
    bits_equal("value", v, F::eval(x))?;
    bits_equal("value (Dual<Dual<Dual>>)", n3.re.re.re, F::eval(x))?;
    close("third_derivative f′", t1, d1, tol, 0.0)?;
    close("third_derivative f″", t2, d2, tol, scale)?;
    close("Dual<Dual<Dual>> f′", n3.re.re.eps, d1, tol, 0.0)?;
    close("Dual<Dual<Dual>> f″", n3.re.eps.eps, d2, tol, scale)?;
    close(
        "Dual<Dual<Dual>> f‴ vs HyperDual<Dual>",
        n3.eps.eps.eps,
        t3,
        tol,
        scale + d2.abs(),
    )
}

/// One proptest module per function: `name: |x| body, domain`.
macro_rules! prop_unary {
    ($($name:ident: |$x:ident| $body:expr, $dom:expr;)*) => {
        $(
            mod $name {
                use super::*;
                struct F;
                impl Unary for F {
                    fn eval<S: Scalar>($x: S) -> S {
                        $body
                    }
                }
                proptest! {
                    #[test]
                    fn against_finite_differences(x in $dom) {
                        check_fd::<F>(x)?;
                    }
                    #[test]
                    fn second_and_third_order_types_agree(x in $dom) {
                        check_orders::<F>(x)?;
                    }
                }
            }
        )*
    };
}

prop_unary! {
    recip: |x| x.recip(), prop_oneof![-5.0..-0.2, 0.2..5.0];
    sqrt: |x| x.sqrt(), 0.1..100.0;
    cbrt: |x| x.cbrt(), prop_oneof![-10.0..-0.1, 0.1..10.0];
    powi_3: |x| x.powi(3), -5.0..5.0;
    powi_neg3: |x| x.powi(-3), 0.3..5.0;
    powf_2_5: |x| x.powf(S::lit(2.5)), 0.1..10.0;
    powf_var: |x| x.powf(x * S::lit(0.5)), 0.2..5.0;
    exp: |x| x.exp(), -5.0..5.0;
    exp2: |x| x.exp2(), -5.0..5.0;
    exp_m1: |x| x.exp_m1(), -5.0..5.0;
    ln: |x| x.ln(), 0.1..100.0;
    log: |x| x.log(S::lit(3.0)), 0.1..100.0;
    log_var_base: |x| S::lit(5.0).log(x), 1.5..10.0;
    log2: |x| x.log2(), 0.1..100.0;
    log10: |x| x.log10(), 0.1..100.0;
    ln_1p: |x| x.ln_1p(), -0.8..10.0;
    sin: |x| x.sin(), -10.0..10.0;
    cos: |x| x.cos(), -10.0..10.0;
    sin_cos: |x| { let (s, c) = x.sin_cos(); s * c }, -10.0..10.0;
    tan: |x| x.tan(), -1.3..1.3;
    asin: |x| x.asin(), -0.9..0.9;
    acos: |x| x.acos(), -0.9..0.9;
    atan: |x| x.atan(), -10.0..10.0;
    // x > 0: away from the branch cut on the negative x axis.
    atan2_first: |x| x.atan2(S::lit(1.5)), -5.0..5.0;
    atan2_second: |x| S::lit(2.0).atan2(x), -5.0..5.0;
    sinh: |x| x.sinh(), -5.0..5.0;
    cosh: |x| x.cosh(), -5.0..5.0;
    tanh: |x| x.tanh(), -5.0..5.0;
    asinh: |x| x.asinh(), -10.0..10.0;
    acosh: |x| x.acosh(), 1.2..10.0;
    atanh: |x| x.atanh(), -0.9..0.9;
    abs: |x| x * x.abs(), prop_oneof![-5.0..-0.1, 0.1..5.0];
    hypot: |x| x.hypot(S::lit(0.7)), -5.0..5.0;
    sigmoid: |x| x.sigmoid(), -10.0..10.0;
    softplus: |x| x.softplus(), -10.0..10.0;
    erf: |x| x.erf(), -3.0..3.0;
    mul_add: |x| x.mul_add(x, S::lit(3.0)), -5.0..5.0;
    div: |x| (x + S::lit(2.0)) / (x * x + S::one()), -5.0..5.0;
    composite: |x| (x.sin() * x.exp()).tanh() / (S::one() + x * x).sqrt() + x.sigmoid().ln(), -3.0..3.0;
}

/// A function of three variables mixing most operations.
struct Three;
impl Three {
    fn eval<S: Scalar>([x, y, z]: [S; 3]) -> S {
        (x * y).sin() + (y / z).exp() * x.hypot(z) - (x * x + S::one()).ln() * z.tanh()
            + y.atan2(z) * x.sigmoid()
            + (z * z + y * y).sqrt().powf(S::lit(1.5))
            + x.powf(z * S::lit(0.1)).cbrt() * y.softplus()
    }
}

fn three_point() -> impl Strategy<Value = [f64; 3]> {
    (0.1..3.0, -3.0..3.0, 0.5..3.0).prop_map(|(x, y, z)| [x, y, z])
}

proptest! {
    /// `HyperDual` mixed partials: symmetric under ε1 ↔ ε2, equal to the
    /// nested `Dual<Dual<_>>` ones and to `Dual2Vec`'s Hessian.
    #[test]
    fn mixed_partials_agree_and_are_symmetric(p in three_point()) {
        let (_, g, h) = hessian(Three::eval, p);
        let tol = 64.0 * f64::EPSILON;
        let scale = g.iter().map(|v| v.abs()).sum::<f64>();
        for i in 0..3 {
            for j in 0..3 {
                let (_, _, _, hij) = mixed_partial(Three::eval, p, i, j);
                let (_, _, _, hji) = mixed_partial(Three::eval, p, j, i);
                close(&format!("H[{i}][{j}] symmetric"), hij, hji, tol, scale)?;
                close(&format!("Dual2Vec H[{i}][{j}]"), h[i][j], hij, tol, scale)?;
                bits_equal(&format!("Dual2Vec H symmetric {i}{j}"), h[i][j], h[j][i])?;
                // Nested: inner ε on input i, outer ε on input j.
                let mut k = 0;
                let nested = Three::eval(p.map(|v| {
                    k += 1;
                    let di = if k - 1 == i { 1.0 } else { 0.0 };
                    let dj = if k - 1 == j { 1.0 } else { 0.0 };
                    Dual::new(Dual::new(v, di), Dual::new(dj, 0.0))
                }));
                close(&format!("Dual<Dual> H[{i}][{j}]"), nested.eps.eps, hij, tol, scale)?;
            }
        }
    }

    /// `DualVec<_, 3>` with arbitrary seed directions equals three
    /// single-direction `Dual` passes, bit for bit.
    #[test]
    fn dualvec_equals_single_direction_passes(
        p in three_point(),
        seeds in prop::array::uniform3(prop::array::uniform3(-2.0..2.0)),
    ) {
        let mut k = 0;
        let v = Three::eval(p.map(|x| {
            k += 1;
            DualVec::<f64, 3>::new(x, seeds[k - 1])
        }));
        for dir in 0..3 {
            let mut k = 0;
            let d = Three::eval(p.map(|x| {
                k += 1;
                Dual::new(x, seeds[k - 1][dir])
            }));
            bits_equal("value", v.re, d.re)?;
            bits_equal(&format!("direction {dir}"), v.eps[dir], d.eps)?;
        }
        // And the gradient equals the finite-difference gradient.
        let (f, g) = dualgrad::gradient(Three::eval, p);
        for i in 0..3 {
            let h = 1e-4;
            let fd = central_difference(|t| {
                let mut q = p;
                q[i] = t;
                Three::eval(q)
            }, p[i], h);
            close(&format!("∂f/∂x{i} vs finite difference"), g[i], fd, 1e-7, f.abs() * 1e-9 / h)?;
        }
    }

    /// `Dual2Vec<_, 3>`'s gradient equals `DualVec`'s bit for bit (the same
    /// first-order chain rule), and its value equals `f64`'s.
    #[test]
    fn dual2vec_first_order_parts_equal_dualvec(p in three_point()) {
        let (f, g) = dualgrad::gradient(Three::eval, p);
        let (f2, g2, _) = hessian(Three::eval, p);
        bits_equal("value", f2, Three::eval(p))?;
        bits_equal("value (DualVec)", f, Three::eval(p))?;
        for i in 0..3 {
            close(&format!("gradient {i}"), g2[i], g[i], 8.0 * f64::EPSILON, 0.0)?;
        }
    }
}

// ---- the chain rule ----

/// `g∘f` against `g′(f(x))·f′(x)` (bit for bit: the chain rule is exactly
/// what `Dual` computes) and against `g″(f)·f′² + g′(f)·f″` (to rounding).
fn check_chain<G: Unary, F: Unary>(x: f64) -> Result<(), TestCaseError> {
    let (fx, df) = derivative(F::eval, x);
    let (gfx, dg) = derivative(G::eval, fx);
    let (v, d) = derivative(|x| G::eval(F::eval(x)), x);
    bits_equal("value", v, gfx)?;
    bits_equal("first-order chain rule", d, dg * df)?;
    let (_, _, d2f) = second_derivative(F::eval, x);
    let (_, _, d2g) = second_derivative(G::eval, fx);
    let (_, _, d2) = second_derivative(|x| G::eval(F::eval(x)), x);
    let want = d2g * df * df + dg * d2f;
    close(
        "second-order chain rule",
        d2,
        want,
        16.0 * f64::EPSILON,
        (d2g * df * df).abs() + (dg * d2f).abs(),
    )
}

macro_rules! prop_chain {
    ($($name:ident: g = |$u:ident| $g:expr, f = |$x:ident| $f:expr, $dom:expr;)*) => {
        $(
            mod $name {
                use super::*;
                struct G;
                impl Unary for G {
                    fn eval<S: Scalar>($u: S) -> S {
                        $g
                    }
                }
                struct F;
                impl Unary for F {
                    fn eval<S: Scalar>($x: S) -> S {
                        $f
                    }
                }
                proptest! {
                    #[test]
                    fn chain_rule(x in $dom) {
                        check_chain::<G, F>(x)?;
                    }
                }
            }
        )*
    };
}

prop_chain! {
    chain_sin_exp: g = |u| u.sin(), f = |x| x.exp(), -3.0..3.0;
    chain_ln_cosh: g = |u| u.ln(), f = |x| x.cosh(), -5.0..5.0;
    chain_tanh_sqrt: g = |u| u.tanh(), f = |x| x.sqrt(), 0.1..20.0;
    chain_sigmoid_sinh: g = |u| u.sigmoid(), f = |x| x.sinh(), -3.0..3.0;
    chain_atan_recip: g = |u| u.atan(), f = |x| x.recip(), 0.2..5.0;
    chain_erf_powi: g = |u| u.erf(), f = |x| x.powi(3), -1.5..1.5;
    chain_asinh_ln_1p: g = |u| u.asinh(), f = |x| x.ln_1p(), -0.5..10.0;
    chain_softplus_cos: g = |u| u.softplus(), f = |x| x.cos(), -5.0..5.0;
}

// ---- binary functions: both partials against finite differences ----

fn check_binary_fd<F: Binary>(x: f64, y: f64) -> Result<(), TestCaseError> {
    let (f, g) = dualgrad::gradient(|[x, y]| F::eval(x, y), [x, y]);
    let (hx, hy) = (1e-3 * x.abs().max(1.0), 1e-3 * y.abs().max(1.0));
    let fx = central_difference(|t| F::eval(t, y), x, hx);
    let fy = central_difference(|t| F::eval(x, t), y, hy);
    close("∂f/∂x", g[0], fx, 1e-7, f.abs() * 1e-9 / hx)?;
    close("∂f/∂y", g[1], fy, 1e-7, f.abs() * 1e-9 / hy)?;
    let (_, _, h) = hessian(|[x, y]| F::eval(x, y), [x, y]);
    let fxy = central_difference(
        |t| dualgrad::gradient(|[x, y]| F::eval(x, y), [x, t]).1[0],
        y,
        hy,
    );
    close("∂²f/∂x∂y", h[0][1], fxy, 1e-7, g[0].abs() * 1e-9 / hy)
}

macro_rules! prop_binary {
    ($($name:ident: |$x:ident, $y:ident| $body:expr, $dx:expr, $dy:expr;)*) => {
        $(
            mod $name {
                use super::*;
                struct F;
                impl Binary for F {
                    fn eval<S: Scalar>($x: S, $y: S) -> S {
                        $body
                    }
                }
                proptest! {
                    #[test]
                    fn partials_against_finite_differences(x in $dx, y in $dy) {
                        check_binary_fd::<F>(x, y)?;
                    }
                }
            }
        )*
    };
}

prop_binary! {
    bin_powf: |x, y| x.powf(y), 0.2..5.0, -3.0..3.0;
    // y away from 0: the difference stencil never crosses the branch cut.
    bin_atan2: |y, x| y.atan2(x), prop_oneof![-5.0..-0.3, 0.3..5.0], -5.0..5.0;
    bin_hypot: |x, y| x.hypot(y), 0.3..5.0, -5.0..5.0;
    bin_log: |x, b| x.log(b), 0.1..50.0, 1.5..20.0;
    bin_div: |x, y| x / y, -5.0..5.0, 0.3..5.0;
    bin_mul: |x, y| x * y * x, -5.0..5.0, -5.0..5.0;
}

/// `Dual2Vec` built with `variable` on other inputs is a plain constant in
/// its direction (sanity check for the seeding used above).
#[test]
fn dual2vec_seeding() {
    let x = Dual2Vec::<f64, 2>::variable(1.5, 0);
    let y = Dual2Vec::<f64, 2>::variable(2.0, 1);
    let z = x * y * y;
    assert_eq!(z.gradient(), [4.0, 6.0]);
    assert_eq!(z.hessian(), [[0.0, 4.0], [4.0, 3.0]]);
    let hd = HyperDual::new(1.5, 1.0, 0.0, 0.0)
        * num_traits::Float::powi(HyperDual::new(2.0, 0.0, 1.0, 0.0), 2);
    assert_eq!(hd.e12, 4.0);
}
