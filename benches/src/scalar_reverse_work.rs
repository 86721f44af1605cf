//! The workloads of `benches/scalar_reverse.rs`, written once and expanded
//! twice: generic over `num_traits::Float` (module `float`: plain `f64`,
//! `dualgrad::record::Taped<f64>`, the forward types, `ad_trait::adr`), and
//! over the `reverse` crate's `Var<'a>` (module `rv`), which implements the
//! operators and methods but not `Float`.
//!
//! Constants are written with four helpers so that every expansion runs the
//! same operations: `cadd(x, c)` = x + c, `rsub(c, x)` = c − x,
//! `scale(x, c)` = x·c, `recip(x)` = 1/x; sums start from their first term
//! (the `reverse` crate has no tape-less zero). `atan2(y, x)` is
//! `atan(y/x)` for the `reverse` crate, which has no `atan2` (equal for
//! x > 0, which is where function (c) is evaluated).

use dualgrad::SplitMix64;

/// Units of the tanh network.
pub const UNITS: usize = 16;
/// Inputs of the tanh network.
pub const NET_IN: usize = 64;

/// The tanh network's parameters: `UNITS` tanh units on `NET_IN` inputs,
/// one linear output; the gradient is taken with respect to the inputs.
pub struct Net {
    pub w1: Vec<[f64; NET_IN]>,
    pub b1: [f64; UNITS],
    pub w2: [f64; UNITS],
    pub b2: f64,
}

impl Net {
    pub fn new(seed: u64) -> Self {
        let mut g = SplitMix64::new(seed);
        let s = 1.0 / (NET_IN as f64).sqrt();
        Net {
            w1: (0..UNITS).map(|_| g.array(-2.0 * s, 2.0 * s)).collect(),
            b1: g.array(-0.5, 0.5),
            w2: g.array(-1.0, 1.0),
            b2: g.uniform(-1.0, 1.0),
        }
    }
}

/// `n` inputs in [0.2, 1.8) (Rosenbrock, the network, function (c)).
pub fn inputs(n: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix64::new(seed);
    (0..n).map(|_| g.uniform(0.2, 1.8)).collect()
}

/// `atoms` atoms on a jittered cubic lattice of spacing 1.1 (every pair
/// distance ≥ 0.8, so the energy is finite and of moderate size): 3·atoms
/// coordinates.
pub fn lattice(atoms: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix64::new(seed);
    let side = (atoms as f64).cbrt().ceil() as usize;
    let mut x = Vec::with_capacity(3 * atoms);
    for a in 0..atoms {
        let (i, j, k) = (a % side, (a / side) % side, a / (side * side));
        for c in [i, j, k] {
            x.push(c as f64 * 1.1 + g.uniform(-0.1, 0.1));
        }
    }
    x
}

macro_rules! workloads {
    ([$($g:tt)*] $t:ty) => {
        /// The Rosenbrock function of `x.len() ≥ 2` variables.
        #[inline(never)]
        pub fn rosenbrock<$($g)*>(x: &[$t]) -> $t {
            let term = |i: usize| {
                let a = x[i + 1] - x[i] * x[i];
                let b = rsub(1.0, x[i]);
                scale(a * a, 100.0) + b * b
            };
            let mut s = term(0);
            for i in 1..x.len() - 1 {
                s = s + term(i);
            }
            s
        }

        /// The Lennard-Jones energy (ε = σ = 1) of `x.len() / 3 ≥ 2` atoms:
        /// Σ_{i<j} 4(r⁻¹² − r⁻⁶).
        #[inline(never)]
        pub fn lennard_jones<$($g)*>(x: &[$t]) -> $t {
            let n = x.len() / 3;
            let pair = |i: usize, j: usize| {
                let dx = x[3 * i] - x[3 * j];
                let dy = x[3 * i + 1] - x[3 * j + 1];
                let dz = x[3 * i + 2] - x[3 * j + 2];
                let s = recip(dx * dx + dy * dy + dz * dz);
                let s3 = s * s * s;
                s3 * s3 - s3
            };
            let mut e = pair(0, 1);
            for i in 0..n {
                for j in (i + 1)..n {
                    if i + j > 1 {
                        e = e + pair(i, j);
                    }
                }
            }
            scale(e, 4.0)
        }

        /// The tanh network of `UNITS` units on the inputs `x`.
        #[inline(never)]
        pub fn tanh_net<$($g)*>(x: &[$t], net: &$crate::scalar_reverse_work::Net) -> $t {
            let unit = |j: usize| {
                let w = &net.w1[j];
                let mut a = scale(x[0], w[0]);
                for i in 1..x.len() {
                    a = a + scale(x[i], w[i]);
                }
                scale(tanh(cadd(a, net.b1[j])), net.w2[j])
            };
            let mut y = unit(0);
            for j in 1..$crate::scalar_reverse_work::UNITS {
                y = y + unit(j);
            }
            cadd(y, net.b2)
        }

        /// Function (c) of `forward_work.rs`: sqrt, atan2, exp, ln, powf.
        #[inline(never)]
        pub fn fc<$($g)*>(x: $t, y: $t) -> $t {
            let r = sqrt(x * x + y * y);
            let t = atan2(y, x);
            let e = exp(-r);
            let l = ln(cadd(r, 1.0));
            let p = powc(r, 1.5);
            e * p + l * t
        }
    };
}

/// The workloads over any `num_traits::Float`.
pub mod float {
    // `s = s + t`: the same code runs on `reverse::Var`, which has no `AddAssign`.
    #![allow(clippy::assign_op_pattern)]

    use dualgrad::num_traits::Float;

    /// What the workloads need.
    pub trait Num: Float {}
    impl<F: Float> Num for F {}

    #[inline(always)]
    fn k<S: Num>(c: f64) -> S {
        S::from(c).unwrap_or_else(S::nan)
    }
    #[inline(always)]
    fn cadd<S: Num>(x: S, c: f64) -> S {
        x + k(c)
    }
    #[inline(always)]
    fn rsub<S: Num>(c: f64, x: S) -> S {
        k::<S>(c) - x
    }
    #[inline(always)]
    fn scale<S: Num>(x: S, c: f64) -> S {
        x * k(c)
    }
    #[inline(always)]
    fn recip<S: Num>(x: S) -> S {
        x.recip()
    }
    #[inline(always)]
    fn tanh<S: Num>(x: S) -> S {
        x.tanh()
    }
    #[inline(always)]
    fn sqrt<S: Num>(x: S) -> S {
        x.sqrt()
    }
    #[inline(always)]
    fn exp<S: Num>(x: S) -> S {
        x.exp()
    }
    #[inline(always)]
    fn ln<S: Num>(x: S) -> S {
        x.ln()
    }
    #[inline(always)]
    fn atan2<S: Num>(y: S, x: S) -> S {
        y.atan2(x)
    }
    #[inline(always)]
    fn powc<S: Num>(x: S, p: f64) -> S {
        x.powf(k(p))
    }

    workloads!([S: Num] S);
}

/// The workloads over `ad_trait`'s `AD` types (`adr`), whose math comes
/// from simba 0.9's `ComplexField` / `RealField` (not `num_traits::Float`).
pub mod adm {
    // `s = s + t`: the same code runs on `reverse::Var`, which has no `AddAssign`.
    #![allow(clippy::assign_op_pattern)]

    use ad_trait::AD;
    use simba09::scalar::{ComplexField, RealField};

    /// What the workloads need.
    pub trait Num: AD {}
    impl<A: AD> Num for A {}

    #[inline(always)]
    fn cadd<S: Num>(x: S, c: f64) -> S {
        x + S::constant(c)
    }
    #[inline(always)]
    fn rsub<S: Num>(c: f64, x: S) -> S {
        S::constant(c) - x
    }
    #[inline(always)]
    fn scale<S: Num>(x: S, c: f64) -> S {
        x * S::constant(c)
    }
    #[inline(always)]
    fn recip<S: Num>(x: S) -> S {
        ComplexField::recip(x)
    }
    #[inline(always)]
    fn tanh<S: Num>(x: S) -> S {
        ComplexField::tanh(x)
    }
    #[inline(always)]
    fn sqrt<S: Num>(x: S) -> S {
        ComplexField::sqrt(x)
    }
    #[inline(always)]
    fn exp<S: Num>(x: S) -> S {
        ComplexField::exp(x)
    }
    #[inline(always)]
    fn ln<S: Num>(x: S) -> S {
        ComplexField::ln(x)
    }
    #[inline(always)]
    fn atan2<S: Num>(y: S, x: S) -> S {
        RealField::atan2(y, x)
    }
    #[inline(always)]
    fn powc<S: Num>(x: S, p: f64) -> S {
        ComplexField::powf(x, S::constant(p))
    }

    workloads!([S: Num] S);
}

/// The workloads over the `reverse` crate's `Var<'a>`.
pub mod rv {
    // `s = s + t`: the same code runs on `reverse::Var`, which has no `AddAssign`.
    #![allow(clippy::assign_op_pattern)]

    use reverse::Var;

    // The helpers take `Var` itself (the crate's methods are inherent).
    #[inline(always)]
    fn cadd<'a>(x: Var<'a>, c: f64) -> Var<'a> {
        x + c
    }
    #[inline(always)]
    fn rsub<'a>(c: f64, x: Var<'a>) -> Var<'a> {
        c - x
    }
    #[inline(always)]
    fn scale<'a>(x: Var<'a>, c: f64) -> Var<'a> {
        x * c
    }
    #[inline(always)]
    fn recip<'a>(x: Var<'a>) -> Var<'a> {
        x.recip()
    }
    #[inline(always)]
    fn tanh<'a>(x: Var<'a>) -> Var<'a> {
        x.tanh()
    }
    #[inline(always)]
    fn sqrt<'a>(x: Var<'a>) -> Var<'a> {
        x.sqrt()
    }
    #[inline(always)]
    fn exp<'a>(x: Var<'a>) -> Var<'a> {
        x.exp()
    }
    #[inline(always)]
    fn ln<'a>(x: Var<'a>) -> Var<'a> {
        x.ln()
    }
    #[inline(always)]
    fn atan2<'a>(y: Var<'a>, x: Var<'a>) -> Var<'a> {
        (y / x).atan()
    }
    #[inline(always)]
    fn powc<'a>(x: Var<'a>, p: f64) -> Var<'a> {
        reverse::Powf::powf(&x, p)
    }

    workloads!(['a] Var<'a>);
}

/// Rosenbrock on dualgrad's matrix tape, written with row slices (O(n)
/// operations and memory): `x` is an n × 1 column.
pub mod tape {
    use dualgrad::reverse::{ReverseError, Tape, Var};
    use nalgebra::DMatrix;

    /// The extended Rosenbrock function of the column `x` (n ≥ 2):
    /// Σ 100·(x_{i+1} − x_i²)² + (1 − x_i)².
    pub fn rosenbrock(t: &Tape<f64>, x: Var) -> Result<Var, ReverseError> {
        let n = t.shape(x)?.0;
        let m = n.saturating_sub(1);
        let head = t.rows(x, 0, m)?;
        let tail = t.rows(x, 1, m)?;
        let a = t.sub(tail, t.square(head)?)?;
        let b = t.affine(head, -1.0, 1.0)?;
        let f = t.add(t.scale(t.square(a)?, 100.0)?, t.square(b)?)?;
        t.sum(f)
    }

    /// Value and gradient of [`rosenbrock`] at `x`, on a tape that is reset
    /// and reused across calls (its buffers recycled).
    pub fn gradient(tape: &mut Tape<f64>, x: &[f64]) -> Result<(f64, Vec<f64>), ReverseError> {
        tape.reset();
        let v = tape.var_copy(&DMatrix::from_column_slice(x.len(), 1, x));
        let f = rosenbrock(tape, v)?;
        let value = tape.value(f)?[(0, 0)];
        let mut g = tape.gradient(f, &[v])?;
        let grad = g.pop().map(|m| m.as_slice().to_vec()).unwrap_or_default();
        Ok((value, grad))
    }
}
