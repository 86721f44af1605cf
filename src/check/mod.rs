//! Checking hand-written derivatives: `gradcheck` for Rust.
//!
//! Anyone who writes a derivative by hand (an analytic Jacobian for a
//! solver, the force of a physics model derived from its energy, a custom
//! backward pass) can test it here against **two independent references**:
//!
//! 1. the **exact** derivative from this crate's forward mode (`DualVec`
//!    for gradients and Jacobians, `Dual2Vec` for Hessians, `Dual` for
//!    Jacobian-vector products), equal to the true derivative up to
//!    rounding;
//! 2. **central finite differences with Richardson extrapolation**, always
//!    computed in `f64`, typically accurate to about 1e-10 relative on
//!    smooth functions (steps start at `0.1·max(|xᵢ|, 1)` and shrink while
//!    the function returns NaN or ±∞; if that estimate does not converge,
//!    starts at `|xᵢ|/10` for small `xᵢ` and at 0.1 and 1e-3 for large ones
//!    are tried, so `ln` at 1e-30 and `sin` at 1e6 are checked at their own
//!    scale; the steps taken are the representable `(xᵢ ± h) − xᵢ`). A
//!    function whose value at the point is NaN fails every check.
//!
//! A check returns a report (the vectors, the largest absolute and relative
//! errors, the worst entry, the steps) whose `Display` is a readable table;
//! the `assert_*!` macros panic with it.
//!
//! | derivative | check | macro | function passed as |
//! |---|---|---|---|
//! | gradient | [`check_gradient`] | [`assert_gradient!`](crate::assert_gradient) | [`ScalarFn`] |
//! | Jacobian | [`check_jacobian`] | [`assert_jacobian!`](crate::assert_jacobian) | [`VectorFn`] |
//! | Hessian | [`check_hessian`] | [`assert_hessian!`](crate::assert_hessian) | [`ScalarFn`] |
//! | vector-Jacobian product | [`check_vjp`] | [`assert_vjp!`](crate::assert_vjp) | [`VectorFn`] |
//!
//! The checks evaluate the function on several number types, so it is
//! passed as a value with a generic `eval` method: implement [`ScalarFn`] /
//! [`VectorFn`] on your own struct, or write it inline with
//! [`scalar_fn!`](crate::scalar_fn) / [`vector_fn!`](crate::vector_fn).
//! The derivative under test is a plain array (or, for VJPs, a closure), so
//! it can come from anywhere: a formula, a numerical code, or another
//! autodiff mode such as a reverse-mode tape.
//!
//! ```
//! use dualgrad::check::Report;
//! use dualgrad::check::check_gradient;
//! use dualgrad::scalar_fn;
//!
//! // Lennard-Jones energy of two atoms at distance r (σ = ε = 1).
//! let energy = scalar_fn!(|[r]| {
//!     let s6 = r.powi(-6);
//!     S::lit(4.0) * (s6 * s6 - s6)
//! });
//! let r = 1.3_f64;
//! let de_dr = 4.0 * (-12.0 * r.powi(-13) + 6.0 * r.powi(-7));
//! let report = check_gradient(&energy, [r], [de_dr]);
//! assert!(report.passed(), "{report}");
//!
//! // A missing factor is caught, and the report says where.
//! let wrong = 4.0 * (-12.0 * r.powi(-13) + r.powi(-7));
//! let report = check_gradient(&energy, [r], [wrong]);
//! assert!(!report.passed());
//! assert_eq!(report.worst(), 0);
//! println!("{report}");
//! ```
//!
//! With the `proptest` feature: `check::strategies` (points inside a
//! function's domain, this crate's number types with random parts, nalgebra
//! matrices of a given shape), and the `proptest_derivative!` macro, which
//! tests a hand-written derivative at many random points in one line.
//!
//! Everything except the `proptest` parts works without `std`.

mod agreement;
mod assert;
mod function;
mod gradient;
mod hessian;
mod report;
mod richardson;
mod tolerance;
mod vjp;

#[cfg(feature = "proptest")]
mod prop;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use agreement::Agreement;
pub use function::{ScalarFn, VectorFn};
pub use gradient::{
    check_gradient, check_gradient_with, check_jacobian, check_jacobian_with, GradientReport,
    JacobianReport,
};
pub use hessian::{check_hessian, check_hessian_with, HessianReport};
#[cfg(feature = "proptest")]
pub use prop::{proptest_gradient, proptest_hessian, proptest_jacobian, proptest_vjp};
pub use report::Report;
pub use tolerance::{CheckReal, Tolerance};
pub use vjp::{check_vjp, check_vjp_with, VjpReport, DEFAULT_SEED};
