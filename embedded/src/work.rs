//! What the firmware computes: one source file compiled twice, into the
//! firmware for the Cortex-M4F and into the build script on the host, where
//! its results become the reference values (`OUT_DIR/reference.rs`).
//!
//! Everything is generic over the float type (`f32`, `f64`) and uses nothing
//! but `core` and dualgrad. The inputs go through `black_box`, so the
//! compiler cannot fold a computation into a constant at build time: the
//! firmware's values are computed by the target's instructions.

use core::fmt::LowerExp;
use core::hint::black_box;

use dualgrad::{derivative, gradient, hessian, jacobian, second_derivative, Scalar};

#[cfg(feature = "nalgebra")]
use dualgrad::nalgebra::{Matrix2, Matrix3, RealField, SVector, Vector3};
#[cfg(feature = "nalgebra")]
use dualgrad::{jacobian_mat, Dual};

/// The float types the firmware computes in, `f32` (the M4F's FPU) and
/// `f64` (software floating point on the M4F).
#[cfg(not(feature = "nalgebra"))]
pub trait Fp: Scalar<Real = Self> + LowerExp + Copy {
    /// The bit pattern, widened to 64 bits.
    fn bits(self) -> u64;
}

/// The float types the firmware computes in, `f32` (the M4F's FPU) and
/// `f64` (software floating point on the M4F).
#[cfg(feature = "nalgebra")]
pub trait Fp: Scalar<Real = Self> + RealField + LowerExp + Copy {
    /// The bit pattern, widened to 64 bits.
    fn bits(self) -> u64;
}

impl Fp for f32 {
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl Fp for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

/// The largest number of results a computation has.
pub const CAP: usize = 12;

/// Up to [`CAP`] results of one computation.
#[derive(Clone, Copy)]
pub struct Out<T> {
    vals: [T; CAP],
    len: usize,
}

impl<T: Fp> Out<T> {
    /// The results in `vals` (the first [`CAP`] of them).
    pub fn of(vals: &[T]) -> Self {
        let mut out = Out {
            vals: [T::zero(); CAP],
            len: vals.len().min(CAP),
        };
        out.vals[..out.len].copy_from_slice(&vals[..out.len]);
        out
    }

    /// The results.
    pub fn values(&self) -> &[T] {
        &self.vals[..self.len]
    }
}

/// One computation: the derivative driver and, for comparison, the same
/// function on plain floats (value only, no derivative).
pub struct Case<T> {
    /// What is computed and which results it gives.
    pub name: &'static str,
    /// The computation with dualgrad.
    pub run: fn() -> Out<T>,
    /// The same model on plain floats.
    pub plain: fn() -> Out<T>,
}

/// Calls `f` on every computation, in a fixed order (the reference file's).
pub fn for_each_case<T: Fp>(mut f: impl FnMut(&Case<T>)) {
    f(&Case {
        name: "derivative: NTC temperature and dT/dv at 1.2 V [T, T']",
        run: thermistor_derivative,
        plain: thermistor_plain,
    });
    f(&Case {
        name: "second_derivative: the same [T, T', T'']",
        run: thermistor_second_derivative,
        plain: thermistor_plain,
    });
    f(&Case {
        name: "gradient: trilateration cost [f, df/dx, df/dy]",
        run: trilateration_gradient,
        plain: trilateration_plain,
    });
    f(&Case {
        name: "hessian: trilateration cost [f, g0, g1, H00, H01, H10, H11]",
        run: trilateration_hessian,
        plain: trilateration_plain,
    });
    f(&Case {
        name: "jacobian + H P H^T + R: range-bearing [h0, h1, H (2x3), S (2x2)]",
        run: ekf_arrays,
        plain: range_bearing_plain,
    });
    #[cfg(feature = "nalgebra")]
    f(&Case {
        name: "jacobian_mat + H P H^T + R (nalgebra) [h0, h1, H, S]",
        run: ekf_nalgebra,
        plain: range_bearing_plain,
    });
    #[cfg(feature = "nalgebra")]
    f(&Case {
        name: "Cholesky solve of (A + tB) x = r, d/dt at t = 0 [x, dx/dt, ok]",
        run: cholesky_derivative,
        plain: cholesky_plain,
    });
}

// --- Models ---------------------------------------------------------------

/// The reading of an NTC thermistor in a voltage divider: ADC voltage `v` to
/// temperature in °C (Steinhart–Hart). `dT/dv` propagates the ADC's noise,
/// `d²T/dv²` bounds the error of linearising around `v`.
pub fn thermistor<S: Scalar>(v: S) -> S {
    let r = S::lit(10_000.0) * v / (S::lit(3.3) - v);
    let l = r.ln();
    let inv_t = S::lit(1.009_249_522e-3)
        + S::lit(2.378_405_444e-4) * l
        + S::lit(2.019_202_697e-7) * l * l * l;
    inv_t.recip() - S::lit(273.15)
}

/// Beacons at known places and the ranges measured to them.
const BEACONS: [(f64, f64, f64); 3] = [(0.0, 0.0, 2.5), (4.0, 0.0, 2.9), (0.0, 3.0, 2.2)];

/// Least-squares trilateration: the sum of squared range residuals at `(x, y)`.
pub fn trilateration<S: Scalar>([x, y]: [S; 2]) -> S {
    let mut cost = S::zero();
    for (bx, by, range) in BEACONS {
        let e = (x - S::lit(bx)).hypot(y - S::lit(by)) - S::lit(range);
        cost += e * e;
    }
    cost
}

/// An EKF measurement model: range and bearing from a robot at
/// `(px, py)` with heading `theta` to a landmark at (5, 3).
pub fn range_bearing<S: Scalar>([px, py, theta]: [S; 3]) -> [S; 2] {
    let dx = S::lit(5.0) - px;
    let dy = S::lit(3.0) - py;
    [dx.hypot(dy), dy.atan2(dx) - theta]
}

/// The state covariance `P` (symmetric) and the measurement noise `R`.
const P: [[f64; 3]; 3] = [[0.5, 0.1, 0.02], [0.1, 0.4, -0.03], [0.02, -0.03, 0.1]];
const R: [[f64; 2]; 2] = [[0.01, 0.0], [0.0, 0.0025]];

/// `A`, `B` and `r` of the linear system `(A + tB) x = r` (`A` symmetric
/// positive definite).
#[cfg(feature = "nalgebra")]
const A: [[f64; 3]; 3] = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
#[cfg(feature = "nalgebra")]
const B: [[f64; 3]; 3] = [[0.1, 0.3, 0.0], [0.3, -0.2, 0.1], [0.0, 0.1, 0.4]];
#[cfg(feature = "nalgebra")]
const RHS: [f64; 3] = [1.0, 2.0, 3.0];

fn lit<T: Fp>(x: f64) -> T {
    <T as Scalar>::lit(x)
}

// --- The computations -----------------------------------------------------

fn thermistor_plain<T: Fp>() -> Out<T> {
    Out::of(&[thermistor(black_box(lit::<T>(1.2)))])
}

fn thermistor_derivative<T: Fp>() -> Out<T> {
    let (t, dt) = derivative(thermistor, black_box(lit::<T>(1.2)));
    Out::of(&[t, dt])
}

fn thermistor_second_derivative<T: Fp>() -> Out<T> {
    let (t, dt, d2t) = second_derivative(thermistor, black_box(lit::<T>(1.2)));
    Out::of(&[t, dt, d2t])
}

fn position<T: Fp>() -> [T; 2] {
    black_box([lit(1.6), lit(1.3)])
}

fn trilateration_plain<T: Fp>() -> Out<T> {
    Out::of(&[trilateration(position::<T>())])
}

fn trilateration_gradient<T: Fp>() -> Out<T> {
    let (f, g) = gradient(trilateration, position::<T>());
    Out::of(&[f, g[0], g[1]])
}

fn trilateration_hessian<T: Fp>() -> Out<T> {
    let (f, g, h) = hessian(trilateration, position::<T>());
    Out::of(&[f, g[0], g[1], h[0][0], h[0][1], h[1][0], h[1][1]])
}

fn pose<T: Fp>() -> [T; 3] {
    black_box([lit(1.0), lit(0.5), lit(0.3)])
}

fn range_bearing_plain<T: Fp>() -> Out<T> {
    Out::of(&range_bearing(pose::<T>()))
}

/// `H` from `jacobian`, then `S = H P Hᵀ + R` on arrays.
fn ekf_arrays<T: Fp>() -> Out<T> {
    let (y, h) = jacobian(range_bearing, pose::<T>());
    let mut hp = [[T::zero(); 3]; 2];
    for i in 0..2 {
        for j in 0..3 {
            for (k, p_k) in P.iter().enumerate() {
                hp[i][j] += h[i][k] * lit(p_k[j]);
            }
        }
    }
    let mut s = [[T::zero(); 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            s[i][j] = lit(R[i][j]);
            for k in 0..3 {
                s[i][j] += hp[i][k] * h[j][k];
            }
        }
    }
    Out::of(&[
        y[0], y[1], h[0][0], h[0][1], h[0][2], h[1][0], h[1][1], h[1][2], s[0][0], s[0][1],
        s[1][0], s[1][1],
    ])
}

/// `H` from `jacobian_mat`, then `S = H P Hᵀ + R` with nalgebra.
#[cfg(feature = "nalgebra")]
fn ekf_nalgebra<T: Fp>() -> Out<T> {
    let [a, b, c] = pose::<T>();
    let (y, h) = jacobian_mat(
        |x| SVector::from(range_bearing([x[0], x[1], x[2]])),
        Vector3::new(a, b, c),
    );
    let p = Matrix3::from_fn(|i, j| lit::<T>(P[i][j]));
    let r = Matrix2::from_fn(|i, j| lit::<T>(R[i][j]));
    let s = h * p * h.transpose() + r;
    Out::of(&[
        y[0],
        y[1],
        h[(0, 0)],
        h[(0, 1)],
        h[(0, 2)],
        h[(1, 0)],
        h[(1, 1)],
        h[(1, 2)],
        s[(0, 0)],
        s[(0, 1)],
        s[(1, 0)],
        s[(1, 1)],
    ])
}

/// The solution of `(A + tB) x = r` through nalgebra's Cholesky on
/// `Dual<T>`: `x` and `dx/dt` at `t = 0` (which is `−A⁻¹ B x`). A matrix
/// that is not positive definite gives `ok = 0` (and a mismatch), no panic.
#[cfg(feature = "nalgebra")]
fn cholesky_derivative<T: Fp>() -> Out<T> {
    let t = Dual::variable(black_box(T::zero()));
    let m = Matrix3::from_fn(|i, j| {
        Dual::constant(lit::<T>(A[i][j])) + Dual::constant(lit::<T>(B[i][j])) * t
    });
    let r = Vector3::from_fn(|i, _| Dual::constant(lit::<T>(RHS[i])));
    match m.cholesky() {
        Some(c) => {
            let x = c.solve(&r);
            Out::of(&[
                x[0].re,
                x[1].re,
                x[2].re,
                x[0].eps,
                x[1].eps,
                x[2].eps,
                T::one(),
            ])
        }
        None => Out::of(&[T::zero(); 7]),
    }
}

/// The same solve on plain floats (`t` = 0).
#[cfg(feature = "nalgebra")]
fn cholesky_plain<T: Fp>() -> Out<T> {
    let t = black_box(T::zero());
    let m = Matrix3::from_fn(|i, j| lit::<T>(A[i][j]) + lit::<T>(B[i][j]) * t);
    let r = Vector3::from_fn(|i, _| lit::<T>(RHS[i]));
    match m.cholesky() {
        Some(c) => {
            let x = c.solve(&r);
            Out::of(&[x[0], x[1], x[2], T::one()])
        }
        None => Out::of(&[T::zero(); 4]),
    }
}
