//! Nesting: derivatives taken inside functions that are themselves being
//! differentiated (no perturbation confusion), and third (and fourth)
//! derivatives from `HyperDual<Dual<_>>`, `Dual<Dual<Dual<_>>>` and
//! `HyperDual<HyperDual<_>>`.

mod common;

use common::assert_ulps;
use dualgrad::{derivative, third_derivative, Dual, HyperDual, Scalar};
use num_traits::Float;

/// d/dx [x · d/dy (x + y) at y = 1] at x = 1 equals 1 (a confused
/// implementation gives 2).
#[test]
fn perturbation_confusion_sum() {
    let (v, d) = derivative(
        |x: Dual<f64>| {
            let (_, dy) = derivative(|y: Dual<Dual<f64>>| Dual::constant(x) + y, Dual::from(1.0));
            x * dy
        },
        1.0,
    );
    assert_eq!((v, d), (1.0, 1.0));
}

/// d/dx [x · d/dy (x·y) at y = 2] at x = 1 equals 2 (d/dy (x·y) = x, so
/// the outer function is x², derivative 2x).
#[test]
fn perturbation_confusion_product() {
    let (v, d) = derivative(
        |x: Dual<f64>| {
            let (_, dy) = derivative(|y: Dual<Dual<f64>>| Dual::constant(x) * y, Dual::from(2.0));
            x * dy
        },
        1.0,
    );
    assert_eq!((v, d), (1.0, 2.0));
}

/// d/dy [d/dx (x·x·y) at x = 3y] at y = 5 equals 60 (d/dx = 2xy = 6y² at
/// x = 3y, whose derivative is 12y).
#[test]
fn perturbation_confusion_inner_point_depends_on_outer_variable() {
    let (v, d) = derivative(
        |y: Dual<f64>| {
            let (_, dx) = derivative(|x: Dual<Dual<f64>>| x * x * Dual::constant(y), y * 3.0);
            dx
        },
        5.0,
    );
    assert_eq!((v, d), (150.0, 60.0));
}

/// The same three through the generic drivers written once over `Scalar`:
/// the inner derivative is an ordinary function of the outer number type.
#[test]
fn perturbation_confusion_generic() {
    fn d_dy<S: Scalar>(f: impl Fn(Dual<S>) -> Dual<S>, y: S) -> S {
        derivative(f, y).1
    }
    let g1 = |x: Dual<f64>| x * d_dy(|y| Dual::constant(x) + y, Dual::from(1.0));
    assert_eq!(derivative(g1, 1.0).1, 1.0);
    let g2 = |x: Dual<f64>| x * d_dy(|y| Dual::constant(x) * y, Dual::from(2.0));
    assert_eq!(derivative(g2, 1.0).1, 2.0);
    let g3 = |y: Dual<f64>| d_dy(|x| x * x * Dual::constant(y), y * 3.0);
    assert_eq!(derivative(g3, 5.0).1, 60.0);
    // And inside a HyperDual (second derivative of the outer function):
    // d²/dx² [x · d/dy (x·y)] = d²/dx² x² = 2.
    let (_, d1, d2) = dualgrad::second_derivative(
        |x: HyperDual<f64>| {
            x * derivative(
                |y: Dual<HyperDual<f64>>| Dual::constant(x) * y,
                HyperDual::from(2.0),
            )
            .1
        },
        1.0,
    );
    assert_eq!((d1, d2), (2.0, 2.0));
}

/// A function, its closed-form first three derivatives, and points.
struct Case {
    name: &'static str,
    d: [fn(f64) -> f64; 3],
    at: &'static [f64],
}

macro_rules! third {
    ($name:ident: |$x:ident| $body:expr; $d1:expr, $d2:expr, $d3:expr; at = $at:expr) => {
        #[test]
        fn $name() {
            fn f<S: Scalar>($x: S) -> S {
                $body
            }
            let case = Case {
                name: stringify!($name),
                d: [$d1, $d2, $d3],
                at: &$at,
            };
            for &x in case.at {
                let want = case.d.map(|d| d(x));
                // HyperDual<Dual<f64>> through the driver.
                let (v, t1, t2, t3) = third_derivative(f, x);
                assert_eq!(v.to_bits(), f(x).to_bits(), "{} value", case.name);
                // Dual<Dual<Dual<f64>>>: three nested unit seeds.
                let n = f(Dual::new(
                    Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)),
                    Dual::new(Dual::new(1.0, 0.0), Dual::new(0.0, 0.0)),
                ));
                assert_eq!(n.re.re.re.to_bits(), f(x).to_bits());
                let nested = [n.re.re.eps, n.re.eps.eps, n.eps.eps.eps];
                for (k, (h, d)) in [t1, t2, t3].iter().zip(nested).enumerate() {
                    let what = format!("{}^({}) at {x}", case.name, k + 1);
                    assert_ulps(&format!("{what} HyperDual<Dual>"), *h, want[k], 8.0);
                    assert_ulps(&format!("{what} Dual<Dual<Dual>>"), d, want[k], 8.0);
                }
            }
        }
    };
}

third!(third_sin: |x| x.sin(); |x| x.cos(), |x| -x.sin(), |x| -x.cos(); at = [-2.0, 0.3, 1e-8]);
third!(third_exp: |x| x.exp(); |x| x.exp(), |x| x.exp(), |x| x.exp(); at = [-3.0, 0.0, 2.5]);
third!(third_ln: |x| x.ln(); |x| 1.0 / x, |x| -1.0 / (x * x), |x| 2.0 / (x * x * x);
    at = [0.1, 1.0, 7.0]);
third!(third_powi_5: |x| x.powi(5);
    |x| 5.0 * (x * x) * (x * x), |x| 20.0 * x * x * x, |x| 60.0 * x * x;
    at = [-1.5, 0.5, 3.0]);
third!(third_sqrt: |x| x.sqrt();
    |x| 0.5 / x.sqrt(), |x| -0.25 / (x * x.sqrt()), |x| 0.375 / (x * x * x.sqrt());
    at = [0.01, 2.0, 1e6]);
third!(third_tanh: |x| x.tanh();
    |x| { let s = x.cosh().recip(); s * s },
    |x| { let s = x.cosh().recip(); -2.0 * x.tanh() * s * s },
    |x| { let s = x.cosh().recip(); let t = x.tanh(); 2.0 * s * s * (2.0 * t * t - s * s) };
    at = [-2.0, 0.3, 1e-8, 5.0]);
third!(third_atan: |x| x.atan();
    |x| 1.0 / (1.0 + x * x),
    |x| -2.0 * x / ((1.0 + x * x) * (1.0 + x * x)),
    |x| (6.0 * x * x - 2.0) / ((1.0 + x * x) * (1.0 + x * x) * (1.0 + x * x));
    at = [-2.0, 0.3, 4.0]);
third!(third_sin_squared: |x| x.sin().powi(2);
    |x| (2.0 * x).sin(), |x| 2.0 * (2.0 * x).cos(), |x| -4.0 * (2.0 * x).sin();
    at = [-1.0, 0.4, 2.0]);

/// Mixed third partials from `HyperDual<Dual<_>>`: ε1 on x, ε2 on y, and
/// the inner ε on y gives ∂³f/∂x∂y² of f = x²y³ (= 12xy).
#[test]
fn mixed_third_partial() {
    let (x, y) = (1.5, -2.0);
    let hx = HyperDual::new(
        Dual::constant(x),
        Dual::constant(1.0),
        Dual::constant(0.0),
        Dual::constant(0.0),
    );
    let hy = HyperDual::new(
        Dual::variable(y),
        Dual::constant(0.0),
        Dual::constant(1.0),
        Dual::constant(0.0),
    );
    let f = hx * hx * hy * hy * hy;
    assert_eq!(f.re.re, x * x * y * y * y);
    assert_eq!(f.e12.re, 6.0 * x * y * y); // ∂²f/∂x∂y
    assert_eq!(f.e12.eps, 12.0 * x * y); // ∂³f/∂x∂y²
    assert_eq!(f.e1.eps, 6.0 * x * y * y); // ∂²f/∂x∂y through the inner ε
}

/// Fourth derivative from `HyperDual<HyperDual<f64>>`: of x⁶ at 2,
/// 360·x² = 1440; of sin at 0.7, sin 0.7.
#[test]
fn fourth_derivative_hyperdual_of_hyperdual() {
    fn d4<F: Fn(HyperDual<HyperDual<f64>>) -> HyperDual<HyperDual<f64>>>(f: F, x: f64) -> f64 {
        let inner = HyperDual::new(x, 1.0, 1.0, 0.0);
        let one = HyperDual::constant(1.0);
        let y = f(HyperDual::new(inner, one, one, HyperDual::constant(0.0)));
        y.e12.e12
    }
    assert_eq!(d4(|x| x.powi(6), 2.0), 1440.0);
    assert_ulps("sin⁗(0.7)", d4(|x| x.sin(), 0.7), 0.7_f64.sin(), 2.0);
}
