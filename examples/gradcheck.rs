//! Checking a hand-written force field against its energy.
//!
//! A user simulating three atoms with a Lennard-Jones potential writes the
//! energy once, generically, and the forces by hand (they are the hot
//! loop). `dualgrad::check` tells them whether the forces really are
//! `−∇E`, and if not, which component is wrong.
//!
//! Run with `cargo run --example gradcheck`.

use std::panic;

use dualgrad::check::{check_gradient, check_hessian, Report, ScalarFn};
use dualgrad::{assert_gradient, Scalar};

/// Three atoms in the plane, coordinates `[x₀, y₀, x₁, y₁, x₂, y₂]`,
/// Lennard-Jones pair energy 4ε((σ/r)¹² − (σ/r)⁶).
struct Cluster {
    epsilon: f64,
    sigma: f64,
}

const PAIRS: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];

impl ScalarFn<6> for Cluster {
    fn eval<S: Scalar>(&self, x: [S; 6]) -> S {
        let mut energy = S::zero();
        for (i, j) in PAIRS {
            let (dx, dy) = (x[2 * i] - x[2 * j], x[2 * i + 1] - x[2 * j + 1]);
            let s2 = S::lit(self.sigma * self.sigma) / (dx * dx + dy * dy);
            let s6 = s2 * s2 * s2;
            energy += S::lit(4.0 * self.epsilon) * (s6 * s6 - s6);
        }
        energy
    }
}

impl Cluster {
    /// The hand-written forces `F = −∇E`. With `bug` set, the classic slip:
    /// the force on the second atom of each pair forgets Newton's third law
    /// for the y component.
    fn forces(&self, x: [f64; 6], bug: bool) -> [f64; 6] {
        let mut f = [0.0; 6];
        for (i, j) in PAIRS {
            let (dx, dy) = (x[2 * i] - x[2 * j], x[2 * i + 1] - x[2 * j + 1]);
            let r2 = dx * dx + dy * dy;
            let s6 = (self.sigma * self.sigma / r2).powi(3);
            // −dE/dr · 1/r = 24ε(2s¹² − s⁶)/r²
            let k = 24.0 * self.epsilon * (2.0 * s6 * s6 - s6) / r2;
            f[2 * i] += k * dx;
            f[2 * i + 1] += k * dy;
            f[2 * j] -= k * dx;
            if bug && j == 2 {
                f[2 * j + 1] += k * dy;
            } else {
                f[2 * j + 1] -= k * dy;
            }
        }
        f
    }
}

fn main() {
    let cluster = Cluster {
        epsilon: 1.0,
        sigma: 1.0,
    };
    // A slightly distorted triangle.
    let x = [0.0, 0.0, 1.12, 0.05, 0.53, 0.98];
    let gradient_of = |f: [f64; 6]| f.map(|fi| -fi);

    println!("1. The correct forces:\n");
    let report = check_gradient(&cluster, x, gradient_of(cluster.forces(x, false)));
    println!("{report}");
    assert!(report.passed());

    println!("2. The forces with the Newton's-third-law slip:\n");
    let report = check_gradient(&cluster, x, gradient_of(cluster.forces(x, true)));
    println!("{report}");
    assert!(!report.passed());
    assert_eq!(report.worst(), 5); // y₂, the only component the slip touches
    println!(
        "-> the worst component is {} (y of atom {}), off by {:.3}\n",
        report.worst(),
        report.worst() / 2,
        report.vs_exact.max_abs
    );

    println!("3. The same through `assert_gradient!`, whose panic is caught here:\n");
    panic::set_hook(Box::new(|_| {})); // keep the default hook from printing it
    let caught = panic::catch_unwind(|| {
        assert_gradient!(cluster, x, gradient_of(cluster.forces(x, true)));
    });
    let _ = panic::take_hook();
    let message = caught.expect_err("the buggy forces must fail");
    let message = message
        .downcast_ref::<String>()
        .map_or("(non-string panic)", |s| s.as_str());
    println!("assert_gradient! panicked with:\n{message}");

    println!("4. Force constants (the Hessian) for one bond, checked too:\n");
    let r = 1.2_f64;
    // E(r) = 4(r⁻¹² − r⁻⁶) along x for two atoms; d²E/dr² = 4(156 r⁻¹⁴ − 42 r⁻⁸)
    let k = 4.0 * (156.0 * r.powi(-14) - 42.0 * r.powi(-8));
    let pair = dualgrad::scalar_fn!([c: f64 = cluster.sigma] |[r]| {
        let s6 = (S::lit(c) / r).powi(6);
        S::lit(4.0) * (s6 * s6 - s6)
    });
    let report = check_hessian(&pair, [r], [[k]]);
    println!("{report}");
    assert!(report.passed());
}
