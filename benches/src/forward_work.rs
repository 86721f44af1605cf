//! The benchmark functions, written once and expanded twice: generic over
//! `dualgrad::Scalar` (module `ours`) and over `num_dual::DualNum<f64>`
//! (module `nd`). Both expansions run the same sequence of operations; the
//! only per-library pieces are three helpers:
//!
//! - `k(c)`: a constant (`S::lit(c)` / `D::from(c)`);
//! - `scale(x, c)`: `x` times a plain `f64` (`x.mul_real(c)` / `x * c`), each
//!   library's cheap way to multiply by a weight;
//! - `powc(x, p)`: `x` to a constant power (`x.powf(S::lit(p))` /
//!   `x.powf(p)`, num-dual's `powf` takes a plain exponent).

use dualgrad::SplitMix64;

/// The parameters of the small tanh network: `HIDDEN` tanh units on `N`
/// inputs, one linear output.
pub struct Net<const N: usize> {
    pub w1: [[f64; N]; HIDDEN],
    pub b1: [f64; HIDDEN],
    pub w2: [f64; HIDDEN],
    pub b2: f64,
}

/// Hidden units of the network.
pub const HIDDEN: usize = 8;

impl<const N: usize> Net<N> {
    /// Weights scaled by 1/√N so that the pre-activations stay of order 1
    /// (the tanh units are neither linear nor saturated).
    pub fn new(seed: u64) -> Self {
        let mut g = SplitMix64::new(seed);
        let s = 1.0 / (N as f64).sqrt();
        Net {
            w1: core::array::from_fn(|_| g.array(-2.0 * s, 2.0 * s)),
            b1: g.array(-0.5, 0.5),
            w2: g.array(-1.0, 1.0),
            b2: g.uniform(-1.0, 1.0),
        }
    }
}

/// Inputs for the workloads: `N` values in [0.2, 1.8), away from the
/// functions' kinks and domain edges.
pub fn inputs<const N: usize>(seed: u64) -> [f64; N] {
    let mut g = SplitMix64::new(seed);
    core::array::from_fn(|_| g.uniform(0.2, 1.8))
}

macro_rules! functions {
    () => {
        /// (a) z = x² + tanh(y²).
        #[inline]
        pub fn fa<S: Num>(x: S, y: S) -> S {
            x * x + (y * y).tanh()
        }

        /// (b) The Rosenbrock function of `N` variables.
        #[inline]
        pub fn fb<S: Num, const N: usize>(x: &[S; N]) -> S {
            let mut s = S::zero();
            for i in 0..N - 1 {
                let a = x[i + 1] - x[i] * x[i];
                let b = S::one() - x[i];
                s = s + scale(a * a, 100.0) + b * b;
            }
            s
        }

        /// (c) A transcendental-heavy function of two variables: sqrt,
        /// atan2, exp, ln, powf.
        #[inline]
        pub fn fc<S: Num>(x: S, y: S) -> S {
            let r = (x * x + y * y).sqrt();
            let t = y.atan2(x);
            let e = (-r).exp();
            let l = (r + S::one()).ln();
            let p = powc(r, 1.5);
            e * p + l * t
        }

        /// (d) A tanh network: `HIDDEN` tanh units on `N` inputs, linear
        /// output, written as plain scalar code.
        #[inline]
        pub fn fd<S: Num, const N: usize>(x: &[S; N], net: &Net<N>) -> S {
            let mut out = k::<S>(net.b2);
            for j in 0..HIDDEN {
                let mut a = k::<S>(net.b1[j]);
                for i in 0..N {
                    a += scale(x[i], net.w1[j][i]);
                }
                out += scale(a.tanh(), net.w2[j]);
            }
            out
        }
    };
}

/// The functions over `dualgrad::Scalar`.
pub mod ours {
    use super::{Net, HIDDEN};
    use dualgrad::Scalar;

    /// The bound the functions are written against.
    pub trait Num: Scalar<Real = f64> {}
    impl<T: Scalar<Real = f64>> Num for T {}

    #[inline(always)]
    fn k<S: Num>(c: f64) -> S {
        S::lit(c)
    }
    #[inline(always)]
    fn scale<S: Num>(x: S, c: f64) -> S {
        x.mul_real(c)
    }
    #[inline(always)]
    fn powc<S: Num>(x: S, p: f64) -> S {
        x.powf(S::lit(p))
    }

    functions!();
}

/// The same functions over `num_dual::DualNum<f64>`.
pub mod nd {
    use super::{Net, HIDDEN};
    use num_dual::DualNum;

    /// The bound the functions are written against.
    pub trait Num: DualNum<Primitive = f64> + Copy {}
    impl<T: DualNum<Primitive = f64> + Copy> Num for T {}

    #[inline(always)]
    fn k<S: Num>(c: f64) -> S {
        S::from(c)
    }
    #[inline(always)]
    fn scale<S: Num>(x: S, c: f64) -> S {
        x * c
    }
    #[inline(always)]
    fn powc<S: Num>(x: S, p: f64) -> S {
        x.powf(p)
    }

    functions!();
}
