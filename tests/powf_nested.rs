//! `x^y` with a varying exponent in nested number types at a tiny base:
//! the derivatives of x^x against 60-digit references.
//!
//! x^x″ = x^x·((1 + ln x)² + 1/x) and x^x‴ = x^x·((1 + ln x)³ + 3(1 + ln x)/x
//! − 1/x²) (checked against mpmath's numerical `diff` at 200 digits), from
//! ```text
//! from mpmath import mp, mpf, log
//! mp.dps = 60
//! for s in ['1e-300', '1e-200', '1e-150', '1e-100', '0.5']:
//!     x = mpf(s); f = x**x; L = 1 + log(x)
//!     print(s, float(f*(L**2 + 1/x)), f*(L**3 + 3*L/x - 1/x**2))
//! ```
//! The partial derivatives `y·x^(y−1)`, `y(y−1)·x^(y−2)`, `x^(y−1)`
//! have derivative parts of the scale x^(y−2), x^(y−3), which overflow
//! below about 1e-154 (1e-103 for the next order) although the total is
//! finite: `Dual<Dual>` and `HyperDual<Dual>` gave f″ = NaN at 1e-300 and
//! 1e-200, and f‴ = NaN at 1e-150.

use dualgrad::{second_derivative, third_derivative, Dual, HyperDual};
use num_traits::Float;

/// Relative error in units of `f64::EPSILON` (0 for identical values).
fn ulps(got: f64, want: f64) -> f64 {
    if got == want {
        return 0.0;
    }
    if !got.is_finite() || !want.is_finite() {
        return f64::INFINITY;
    }
    (got - want).abs() / want.abs() / f64::EPSILON
}

#[track_caller]
fn close(what: &str, got: f64, want: f64) {
    let e = ulps(got, want);
    assert!(e <= 4.0, "{what}: got {got:e}, want {want:e} ({e:.1} ulps)");
}

/// (x, f″, f‴) with f‴ = None where it overflows (−1e600, −1e400).
const POINTS: [(f64, f64, Option<f64>); 5] = [
    (1e-300, 1e300, None),
    (1e-200, 1e200, None),
    (1e-150, 1e150, Some(-1e300)),
    (1e-100, 1e100, Some(-1e200)),
    (0.5, 1.4807937842741703, Some(-1.5061305392232571)),
];

fn x_pow_x<S: Float>(x: S) -> S {
    x.powf(x)
}

#[test]
fn dual_dual_second_derivative_at_a_tiny_base() {
    for (x, d2, _) in POINTS {
        let t = Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0));
        let y = x_pow_x(t);
        assert_eq!(y.re.re.to_bits(), x.powf(x).to_bits());
        close(&format!("Dual<Dual> f″ at {x:e}"), y.eps.eps, d2);
    }
}

#[test]
fn hyperdual_dual_second_and_third_derivative_at_a_tiny_base() {
    for (x, d2, d3) in POINTS {
        let (f, _, h2, h3) = third_derivative(x_pow_x, x);
        assert_eq!(f.to_bits(), x.powf(x).to_bits());
        close(&format!("HyperDual<Dual> f″ at {x:e}"), h2, d2);
        match d3 {
            Some(d3) => close(&format!("HyperDual<Dual> f‴ at {x:e}"), h3, d3),
            // Where f‴ itself overflows, the partial terms that sum to it
            // overflow with opposite signs (+1/x² and −2/x²), so it is NaN
            // rather than −∞; never a finite number.
            None => assert!(!h3.is_finite(), "f‴ at {x:e}: {h3:e}"),
        }
        // The same through the explicit type, seeded by hand.
        let t = HyperDual::new(
            Dual::new(x, 1.0),
            Dual::constant(1.0),
            Dual::constant(1.0),
            Dual::constant(0.0),
        );
        let y = x_pow_x(t);
        close(&format!("HyperDual<Dual> e12 at {x:e}"), y.e12.re, d2);
    }
}

/// The flat type was right all along (its partials come from x^y and 1/x).
#[test]
fn hyperdual_second_derivative_at_a_tiny_base() {
    for (x, d2, _) in POINTS {
        let (_, _, h2) = second_derivative(x_pow_x, x);
        close(&format!("HyperDual f″ at {x:e}"), h2, d2);
    }
}
