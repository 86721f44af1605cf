//! The guide's worked examples 1, 2, 3 (scalar parts), 5 and 6
//! (`dualgrad::guide::worked_examples`), with their listed values.

mod common;

use common::{assert_near, assert_ulps};
use dualgrad::{derivative, gradient, jacobian, second_derivative, third_derivative, Dual, Scalar};
use num_traits::Float;

/// Example 1: z(x, y) = x² + tanh(y²) at (2, 3).
#[test]
fn example_1_partials_of_x2_plus_tanh_y2() {
    fn z<S: Scalar>(x: S, y: S) -> S {
        x * x + (y * y).tanh()
    }
    let (v, g) = gradient(|[x, y]| z(x, y), [2.0_f64, 3.0]);
    assert_eq!(v.to_bits(), z(2.0_f64, 3.0).to_bits());
    assert!((v - 4.999999969540041).abs() <= 1e-12 * 5.0, "z = {v}");
    assert_eq!(g[0], 4.0);
    // ∂z/∂y = 2y·sech²(y²) = 6/cosh²(9) = 3.6551950273939375e-07 (checked to
    // 40 digits in arbitrary precision). Computed as 2y·(1 − tanh²(9)) in
    // f64 it would be 3.655195026652791e-07: tanh(9) is within 1.5e-8 of 1,
    // so 1 − tanh² keeps only ~8 correct digits. The required relative error
    // is ≤ 1e-12 against the closed form, so the test uses the accurate one.
    let exact = 3.6551950273939375e-07;
    let closed = 6.0 / (9.0_f64.cosh() * 9.0_f64.cosh());
    assert!(((closed - exact) / exact).abs() <= 1e-15);
    assert!(
        ((g[1] - exact) / exact).abs() <= 1e-12,
        "∂z/∂y = {:e}, relative error {:e}",
        g[1],
        ((g[1] - exact) / exact).abs()
    );
    // The lossy form really is that far off; the library is not.
    let lossy = 6.0 * (1.0 - 9.0_f64.tanh() * 9.0_f64.tanh());
    assert!(((lossy - exact) / exact).abs() > 1e-10);
    // The same from the single-direction Dual passes.
    let dy = z(Dual::constant(2.0), Dual::variable(3.0)).eps;
    assert!(((dy - exact) / exact).abs() <= 1e-12);
}

/// Example 2: y = x·x·x, first and second derivative at 1 and 2.
#[test]
fn example_2_cube() {
    assert_eq!(second_derivative(|x| x * x * x, 1.0), (1.0, 3.0, 6.0));
    assert_eq!(second_derivative(|x| x * x * x, 2.0), (8.0, 12.0, 12.0));
}

/// Example 3: several derivatives asked of one evaluation.
#[test]
fn example_3_several_gradients_of_one_evaluation() {
    assert_eq!(derivative(|x| x * x, 5.0), (25.0, 10.0));
    assert_eq!(second_derivative(|x| x * x, 3.0), (9.0, 6.0, 2.0));
    // y = x², z = y² at 3: dz/dx and dy/dx from ONE evaluation (forward
    // mode has no tape to consume; both outputs carry their derivative).
    let (values, j) = jacobian(
        |[x]| {
            let y = x * x;
            let z = y * y;
            [y, z]
        },
        [3.0],
    );
    assert_eq!(values, [9.0, 81.0]);
    assert_eq!(j, [[6.0], [108.0]]);
    // And from one Dual evaluation, reading both intermediate results.
    let x = Dual::variable(3.0);
    let y = x * x;
    let z = y * y;
    assert_eq!((y.eps, z.eps), (6.0, 108.0));
}

/// Example 5: sin²x and its first three derivatives on 100 points of
/// [−2π, 2π].
#[test]
fn example_5_sin_squared_three_derivatives() {
    use core::f64::consts::PI;
    let f = |x: dualgrad::HyperDual<Dual<f64>>| x.sin().powi(2);
    for i in 0..100 {
        let x = -2.0 * PI + 4.0 * PI * i as f64 / 99.0;
        let (v, d1, d2, d3) = third_derivative(f, x);
        assert_eq!(v.to_bits(), x.sin().powi(2).to_bits());
        assert_near("f′", d1, (2.0 * x).sin(), 1e-15);
        assert_near("f″", d2, 2.0 * (2.0 * x).cos(), 1e-15);
        assert_near("f‴", d3, -4.0 * (2.0 * x).sin(), 1e-15);
        // Where sin 2x is not near 0, to a few ulps.
        if (2.0 * x).sin().abs() > 0.1 {
            assert_ulps("f′", d1, (2.0 * x).sin(), 4.0);
            assert_ulps("f‴", d3, -4.0 * (2.0 * x).sin(), 8.0);
        }
    }
    for x in [0.0, PI, -PI, 2.0 * PI, -2.0 * PI] {
        let (_, d1, d2, _) = third_derivative(f, x);
        assert!(d1.abs() < 1e-15, "f′({x}) = {d1:e}");
        assert_eq!(d2, 2.0, "f″({x})");
    }
}

/// Example 6: derivatives through loops and reductions.
#[test]
fn example_6_loops_and_reductions() {
    fn power_loop<S: Scalar>(x: S, n: usize) -> S {
        let mut r = S::one();
        for _ in 0..n {
            r *= x;
        }
        r
    }
    assert_eq!(derivative(|x| power_loop(x, 2), 3.0), (9.0, 6.0));
    assert_eq!(derivative(|x| power_loop(x, 3), 4.0), (64.0, 48.0));
    // x = ones(2×2), y = sum(x), z = y².
    let (z, dz_dx) = gradient(
        |x: [_; 4]| {
            let y: dualgrad::DualVec<f64, 4> = x.iter().copied().sum();
            y * y
        },
        [1.0; 4],
    );
    assert_eq!(z, 16.0);
    assert_eq!(dz_dx, [8.0; 4]); // [[8, 8], [8, 8]] flattened
    let y: f64 = [1.0; 4].iter().sum();
    assert_eq!(derivative(|y| y * y, y), (16.0, 8.0)); // dz/dy = 8
                                                       // y = x³ at 2.
    assert_eq!(second_derivative(|x| x * x * x, 2.0), (8.0, 12.0, 12.0));
}
