//! The one list of element-wise functions: every entry, in forward mode and
//! on the tape (eager and recorded, nested to the third order), agrees with
//! itself, with finite differences, and with the activations of `nn`.
#![cfg(all(feature = "nalgebra", feature = "std"))]

use dualgrad::nn::Activation;
use dualgrad::reverse::Tape;
use dualgrad::{derivative, second_derivative, third_derivative, Dual, Fun};
use nalgebra::dmatrix;

/// Points away from every kink of the listed functions, inside most domains.
const POINTS: [f64; 6] = [0.3, 0.7, 1.6, -0.4, 2.5, -1.3];

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "{what}: {got} vs {want}"
    );
}

#[test]
fn names_are_unique_and_every_function_is_an_activation() {
    let mut names: Vec<_> = Fun::EXAMPLES.iter().map(|f| f.name()).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "two entries share a name");
    for &f in Fun::EXAMPLES {
        assert_eq!(Activation::from(f).fun(), Some(f));
        assert_eq!(
            Activation::from(f).apply(0.3_f64).to_bits(),
            f.apply(0.3_f64).to_bits()
        );
    }
}

#[test]
fn forward_mode_is_the_rule_table() {
    for &f in Fun::EXAMPLES {
        for x in POINTS {
            let (v, d) = derivative(|x| f.apply(x), x);
            if v.is_nan() {
                assert!(d.is_nan() && f.derivative(x).is_nan(), "{f:?} at {x}");
                continue;
            }
            assert_eq!(v.to_bits(), f.apply(x).to_bits(), "{f:?} at {x}");
            close(d, f.derivative(x), 1e-15, &format!("{f:?}′ at {x}"));
            let (_, _, d2) = second_derivative(|x| f.apply(x), x);
            close(d2, f.second_derivative(x), 1e-14, &format!("{f:?}″ at {x}"));
        }
    }
}

#[test]
fn derivatives_match_finite_differences() {
    for &f in Fun::EXAMPLES {
        for x in POINTS {
            if f.apply(x).is_nan() || [Fun::Round].contains(&f) {
                continue;
            }
            let h = 1e-6;
            let fd = (f.apply(x + h) - f.apply(x - h)) / (2.0 * h);
            close(
                f.derivative(x),
                fd,
                1e-6,
                &format!("{f:?}′ at {x} vs differences"),
            );
            let fd2 = (f.derivative(x + h) - f.derivative(x - h)) / (2.0 * h);
            close(f.second_derivative(x), fd2, 1e-6, &format!("{f:?}″ at {x}"));
        }
    }
}

#[test]
fn the_tape_nests_every_function_to_the_third_order() -> Result<(), dualgrad::reverse::ReverseError>
{
    for &f in Fun::EXAMPLES {
        for x0 in POINTS {
            let (v, d1, d2, d3) = third_derivative(|x| f.apply(x), x0);
            if v.is_nan() {
                continue;
            }
            let t = Tape::new();
            let x = t.scalar_var(x0);
            let y = t.map_fun(x, f)?;
            assert_eq!(t.scalar(y)?.to_bits(), v.to_bits());
            // Eager: the rule's derivative, bit for bit.
            assert_eq!(
                t.gradient(y, &[x])?[0][(0, 0)].to_bits(),
                f.derivative(x0).to_bits()
            );
            // Recorded, and differentiated again (f″ from the entry's
            // formula) and again (f‴).
            let g1 = t.gradient_var(y, &[x])?[0];
            close(t.scalar(g1)?, d1, 1e-15, &format!("{f:?}′ at {x0}"));
            let g2 = t.gradient_var(g1, &[x])?[0];
            close(t.scalar(g2)?, d2, 1e-13, &format!("{f:?}″ at {x0}"));
            let eager2 = t.gradient(g1, &[x])?[0][(0, 0)];
            close(eager2, d2, 1e-14, &format!("eager {f:?}″ at {x0}"));
            let g3 = t.gradient(g2, &[x])?[0][(0, 0)];
            close(g3, d3, 1e-12, &format!("{f:?}‴ at {x0}"));
        }
    }
    Ok(())
}

#[test]
fn the_tape_on_dual_numbers_is_forward_over_reverse() -> Result<(), dualgrad::reverse::ReverseError>
{
    // Tangent of the gradient = second derivative, for every function.
    for &f in Fun::EXAMPLES {
        for x0 in POINTS {
            let d2 = f.second_derivative(x0);
            if d2.is_nan() {
                continue;
            }
            let t = Tape::new();
            let x = t.var(dmatrix![Dual::variable(x0)]);
            let y = t.map_fun(x, f)?;
            let g = t.gradient(y, &[x])?[0][(0, 0)];
            close(g.re, f.derivative(x0), 1e-15, &format!("{f:?}′ at {x0}"));
            close(g.eps, d2, 1e-14, &format!("{f:?}″ at {x0}"));
        }
    }
    Ok(())
}

/// The listed functions of two variables on the tape: values, gradients
/// and recorded second derivatives against forward mode's Hessian.
#[test]
fn functions_of_two_variables_on_the_tape() -> Result<(), dualgrad::reverse::ReverseError> {
    use dualgrad::{hessian, Fun2};
    for &f in Fun2::ALL {
        for p in [[1.5_f64, 0.75], [0.6, 2.2], [2.5, 1.3], [3.7, 1.6]] {
            let (v, g, h) = hessian(|[x, y]| f.apply(x, y), p);
            if v.is_nan() {
                continue;
            }
            let t = Tape::new();
            let (x, y) = (t.scalar_var(p[0]), t.scalar_var(p[1]));
            let z = t.map_fun2(x, y, f)?;
            assert_eq!(t.scalar(z)?.to_bits(), v.to_bits(), "{f:?}");
            let gv = t.gradient_var(z, &[x, y])?;
            for i in 0..2 {
                close(t.scalar(gv[i])?, g[i], 1e-15, &format!("{f:?} ∂{i}"));
                let hi = t.gradient(gv[i], &[x, y])?;
                for j in 0..2 {
                    close(hi[j][(0, 0)], h[i][j], 1e-13, &format!("{f:?} ∂{i}∂{j}"));
                }
            }
        }
    }
    Ok(())
}
