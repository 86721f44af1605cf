//! Sensitivity of a spring–mass chain's natural frequencies to its springs
//! and masses, differentiated straight through nalgebra's symmetric
//! eigen-decomposition.
//!
//! ```text
//! wall ─k₀─ m₀ ─k₁─ m₁ ─k₂─ m₂ ─k₃─ wall
//! ```
//!
//! The frequencies ωᵢ are the square roots of the eigenvalues of
//! M^(−1/2) K M^(−1/2). The model below is ordinary nalgebra code, generic
//! over `RealField`; evaluated on dual numbers it gives the whole Jacobian
//! ∂ω/∂(k, m) in one evaluation and the Hessian of the fundamental frequency
//! in another. Both are checked against central finite differences, and the
//! Jacobian against an exact identity: ω scales like √(k/m), so the relative
//! sensitivities (p/ω)·∂ω/∂p sum to +½ over the springs and −½ over the
//! masses.
//!
//! Run with `cargo run --example nalgebra_sensitivity`.

use dualgrad::nalgebra::{Matrix3, RealField, SVector, Vector3};
use dualgrad::{hessian_mat, jacobian_mat};

/// Parameters: the four spring constants k₀…k₃ (N/m), then the three masses
/// m₀…m₂ (kg).
type Params<T> = SVector<T, 7>;

/// The natural frequencies (rad/s) in ascending order.
fn frequencies<T: RealField + Copy>(p: &Params<T>) -> Vector3<T> {
    let (k, m) = ([p[0], p[1], p[2], p[3]], [p[4], p[5], p[6]]);
    let z = T::zero();
    let stiffness = Matrix3::new(
        k[0] + k[1],
        -k[1],
        z,
        -k[1],
        k[1] + k[2],
        -k[2],
        z,
        -k[2],
        k[2] + k[3],
    );
    // Mass-normalized stiffness: symmetric, with eigenvalues ωᵢ².
    let s = Vector3::new(m[0], m[1], m[2]).map(|mi| mi.sqrt().recip());
    let a = Matrix3::from_fn(|i, j| s[i] * stiffness[(i, j)] * s[j]);
    let mut w2: Vec<T> = a.symmetric_eigenvalues().iter().copied().collect();
    w2.sort_by(|x, y| x.partial_cmp(y).unwrap_or(core::cmp::Ordering::Equal));
    Vector3::new(w2[0].sqrt(), w2[1].sqrt(), w2[2].sqrt())
}

const NAMES: [&str; 7] = ["k0", "k1", "k2", "k3", "m0", "m1", "m2"];

fn main() {
    let p0 = Params::<f64>::from([100.0, 150.0, 120.0, 80.0, 1.0, 2.0, 1.5]);

    // The Jacobian ∂ωᵢ/∂pⱼ: one evaluation on DualVec<f64, 7>.
    let (w, jac) = jacobian_mat(|p| frequencies(&p), p0);
    assert_eq!(w, frequencies(&p0), "value part identical to the f64 run");

    println!(
        "natural frequencies ω (rad/s): {:.6}, {:.6}, {:.6}",
        w[0], w[1], w[2]
    );
    println!("\nrelative sensitivities (p/ω)·∂ω/∂p:");
    print!("      ");
    for name in NAMES {
        print!("{name:>9}");
    }
    println!();
    let mut worst_fd: f64 = 0.0;
    for i in 0..3 {
        print!("  ω{i}  ");
        let (mut springs, mut masses) = (0.0, 0.0);
        for j in 0..7 {
            let e = p0[j] / w[i] * jac[(i, j)];
            print!("{e:>9.5}");
            if j < 4 {
                springs += e;
            } else {
                masses += e;
            }
            // Central finite difference for the same entry.
            let h = 1e-6 * p0[j];
            let (mut pp, mut pm) = (p0, p0);
            pp[j] += h;
            pm[j] -= h;
            let fd = (frequencies(&pp)[i] - frequencies(&pm)[i]) / (2.0 * h);
            worst_fd = worst_fd.max((fd - jac[(i, j)]).abs() / jac[(i, j)].abs().max(1e-3));
        }
        println!("   Σk = {springs:+.14}, Σm = {masses:+.14}");
        assert!((springs - 0.5).abs() < 1e-13 && (masses + 0.5).abs() < 1e-13);
    }
    println!("largest relative difference to central finite differences: {worst_fd:.1e}");
    assert!(worst_fd < 1e-7);

    // The Hessian of the fundamental frequency: one evaluation on Dual2Vec<f64, 7>.
    let (w0, grad, hess) = hessian_mat(|p| frequencies(&p)[0], p0);
    assert_eq!(w0, w[0]);
    assert!((grad.transpose() - jac.row(0)).amax() < 1e-15);
    let mut worst_h: f64 = 0.0;
    for j in 0..7 {
        let h = 1e-5 * p0[j];
        let (mut pp, mut pm) = (p0, p0);
        pp[j] += h;
        pm[j] -= h;
        let gp = jacobian_mat(|p| frequencies(&p), pp).1;
        let gm = jacobian_mat(|p| frequencies(&p), pm).1;
        for k in 0..7 {
            let fd = (gp[(0, k)] - gm[(0, k)]) / (2.0 * h);
            worst_h = worst_h.max((fd - hess[(j, k)]).abs() / hess.amax());
        }
    }
    println!("\nHessian of ω0 with respect to (k, m):\n{hess:.3e}");
    println!("largest difference to finite differences of the gradient (relative to max |H|): {worst_h:.1e}");
    assert!(worst_h < 1e-6);
    assert_eq!(hess, hess.transpose());

    // Which single spring would raise the fundamental frequency most per N/m?
    let best = (0..4)
        .max_by(|&a, &b| jac[(0, a)].total_cmp(&jac[(0, b)]))
        .unwrap_or(0);
    println!(
        "stiffening {} raises ω0 most: {:.5} rad/s per N/m",
        NAMES[best],
        jac[(0, best)]
    );
}
