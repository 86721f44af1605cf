//! The one list of element-wise functions.
//!
//! [`unary_functions!`] holds one entry per function of one variable. Every
//! place that has to cover "all the functions" is generated from it by a
//! callback macro:
//!
//! - the forward-mode methods of every number type (`float` entries in the
//!   `num_traits::Float` impl, `scalar` entries in the [`Scalar`] impl; see
//!   `number.rs`), each a call into the rule table with the type's chain
//!   rule;
//! - [`Fun`], the public enum of these functions, with its value and
//!   derivatives taken from the same rules;
//! - the tape's element-wise operations (`Tape::sin`, `Tape::gelu`, …), their
//!   vector-Jacobian products, and how a recorded derivative is itself
//!   recorded (the entry's `f″` expression, below);
//! - the activations of `nn` and the enumerations of the tests.
//!
//! So forward and reverse mode cover the same functions by construction,
//! and adding a function is one entry here plus its rule in `rules.rs`.
//!
//! An entry reads
//!
//! ```text
//! kind method Variant (param: type = example, …) => rule, |a, x| f″;
//! ```
//!
//! - `kind`: `float` (a method of `num_traits::Float`), `scalar` (a method
//!   of [`Scalar`]) or `extra` (no forward method: a function with a
//!   constant parameter, evaluated through its rule);
//! - `method`: the forward method (for `float`/`scalar`) and the tape
//!   method's name;
//! - the parameters (constants of the function, with an example value for
//!   the documentation and tests);
//! - `rule`: the function in `rules.rs` giving value, f′ and f″;
//!   optionally `rule / slope`, where `slope` is the function in `rules.rs`
//!   that the rule itself uses for f′, callable without the value (the
//!   tape's backward kernels call it: `tanh′` without `tanh`);
//! - `f″`: the second derivative written with the recording algebra's
//!   element-wise operations (`a.map(x, Fun::…, k)` is the `k`-th derivative,
//!   `k ≤ 1`, of a listed function, whose values come from its rule). The
//!   tape records the derivative of a recorded `f′` with it, which is what
//!   lets recorded backward passes nest to any depth; the rule's own `f″`
//!   is what eager backward passes and forward mode use (a test checks that
//!   the two agree on every entry).

/// Calls the macro `$cb` with the list of element-wise functions (see the
/// module documentation).
macro_rules! unary_functions {
    ($($cb:tt)*) => {
        $($cb)*! {
            float sqrt Sqrt () => sqrt, |a, x| {
                let d = a.map(x, Fun::Sqrt, 1);
                let c = a.map(&d, Fun::Powi(3), 0);
                a.times(&c, -2.0)
            };
            float cbrt Cbrt () => cbrt, |a, x| {
                let d = a.map(x, Fun::Cbrt, 1);
                let r = a.map(x, Fun::Recip, 0);
                let p = a.mul(&d, &r);
                a.times(&p, -2.0 / 3.0)
            };
            float recip Recip () => recip, |a, x| {
                let f = a.map(x, Fun::Recip, 0);
                let d = a.map(x, Fun::Recip, 1);
                let p = a.mul(&f, &d);
                a.times(&p, -2.0)
            };
            float powi Powi (n: i32 = 3) => powi, |a, x| {
                if n == 0 {
                    a.fill(x, 0.0)
                } else {
                    let d = a.map(x, Fun::Powi(n.saturating_sub(1)), 1);
                    a.times(&d, n as f64)
                }
            };
            float exp Exp () => exp, |a, x| a.map(x, Fun::Exp, 0);
            float exp2 Exp2 () => exp2, |a, x| {
                let f = a.map(x, Fun::Exp2, 0);
                a.times(&f, core::f64::consts::LN_2 * core::f64::consts::LN_2)
            };
            float exp_m1 ExpM1 () => exp_m1, |a, x| a.map(x, Fun::Exp, 0);
            float ln Ln () => ln, |a, x| {
                let d = a.map(x, Fun::Ln, 1);
                let s = a.map(&d, Fun::Square, 0);
                a.times(&s, -1.0)
            };
            float log2 Log2 () => log2, |a, x| {
                let d = a.map(x, Fun::Log2, 1);
                let r = a.map(x, Fun::Recip, 0);
                let p = a.mul(&d, &r);
                a.times(&p, -1.0)
            };
            float log10 Log10 () => log10, |a, x| {
                let d = a.map(x, Fun::Log10, 1);
                let r = a.map(x, Fun::Recip, 0);
                let p = a.mul(&d, &r);
                a.times(&p, -1.0)
            };
            float ln_1p Ln1p () => ln_1p, |a, x| {
                let d = a.map(x, Fun::Ln1p, 1);
                let s = a.map(&d, Fun::Square, 0);
                a.times(&s, -1.0)
            };
            float sin Sin () => sin, |a, x| {
                let f = a.map(x, Fun::Sin, 0);
                a.times(&f, -1.0)
            };
            float cos Cos () => cos, |a, x| {
                let f = a.map(x, Fun::Cos, 0);
                a.times(&f, -1.0)
            };
            float tan Tan () => tan, |a, x| {
                let f = a.map(x, Fun::Tan, 0);
                let d = a.map(x, Fun::Tan, 1);
                let p = a.mul(&f, &d);
                a.times(&p, 2.0)
            };
            float asin Asin () => asin, |a, x| {
                let d = a.map(x, Fun::Asin, 1);
                let c = a.map(&d, Fun::Powi(3), 0);
                a.mul(x, &c)
            };
            float acos Acos () => acos, |a, x| {
                let d = a.map(x, Fun::Acos, 1);
                let c = a.map(&d, Fun::Powi(3), 0);
                a.mul(x, &c)
            };
            float atan Atan () => atan, |a, x| {
                let d = a.map(x, Fun::Atan, 1);
                let s = a.map(&d, Fun::Square, 0);
                let p = a.mul(x, &s);
                a.times(&p, -2.0)
            };
            float sinh Sinh () => sinh, |a, x| a.map(x, Fun::Sinh, 0);
            float cosh Cosh () => cosh, |a, x| a.map(x, Fun::Cosh, 0);
            float tanh Tanh () => tanh / tanh_d1, |a, x| {
                let f = a.map(x, Fun::Tanh, 0);
                let d = a.map(x, Fun::Tanh, 1);
                let p = a.mul(&f, &d);
                a.times(&p, -2.0)
            };
            float asinh Asinh () => asinh, |a, x| {
                let d = a.map(x, Fun::Asinh, 1);
                let c = a.map(&d, Fun::Powi(3), 0);
                let p = a.mul(x, &c);
                a.times(&p, -1.0)
            };
            float acosh Acosh () => acosh, |a, x| {
                let d = a.map(x, Fun::Acosh, 1);
                let c = a.map(&d, Fun::Powi(3), 0);
                let p = a.mul(x, &c);
                a.times(&p, -1.0)
            };
            float atanh Atanh () => atanh, |a, x| {
                let d = a.map(x, Fun::Atanh, 1);
                let s = a.map(&d, Fun::Square, 0);
                let p = a.mul(x, &s);
                a.times(&p, 2.0)
            };
            float abs Abs () => abs, |a, x| a.fill(x, 0.0);
            float fract Fract () => fract, |a, x| a.fill(x, 0.0);
            float floor Floor () => floor, |a, x| a.fill(x, 0.0);
            float ceil Ceil () => ceil, |a, x| a.fill(x, 0.0);
            float round Round () => round, |a, x| a.fill(x, 0.0);
            float trunc Trunc () => trunc, |a, x| a.fill(x, 0.0);
            float signum Signum () => signum, |a, x| a.fill(x, 0.0);
            scalar sigmoid Sigmoid () => sigmoid / sigmoid_d1, |a, x| {
                let d = a.map(x, Fun::Sigmoid, 1);
                let h = a.times(x, 0.5);
                let t = a.map(&h, Fun::Tanh, 0);
                let p = a.mul(&d, &t);
                a.times(&p, -1.0)
            };
            scalar softplus Softplus () => softplus / softplus_d1, |a, x| a.map(x, Fun::Sigmoid, 1);
            scalar relu Relu () => relu / relu_d1, |a, x| a.fill(x, 0.0);
            scalar leaky_relu LeakyRelu (slope: f64 = 0.01) => leaky_relu, |a, x| a.fill(x, 0.0);
            scalar elu Elu (alpha: f64 = 1.0) => elu, |a, x| {
                let d = a.map(x, Fun::Elu(alpha), 1);
                let s = a.map(x, Fun::Relu, 1);
                a.sub(&d, &s)
            };
            scalar erf Erf () => erf, |a, x| {
                let d = a.map(x, Fun::Erf, 1);
                let p = a.mul(x, &d);
                a.times(&p, -2.0)
            };
            scalar gelu Gelu () => gelu, |a, x| {
                // φ(x)(2 − x²), with φ(x) = erf′(x/√2)/(2√2).
                let u = a.times(x, core::f64::consts::FRAC_1_SQRT_2);
                let e = a.map(&u, Fun::Erf, 1);
                let phi = a.times(&e, 0.5 * core::f64::consts::FRAC_1_SQRT_2);
                let s = a.map(x, Fun::Square, 0);
                let q = a.affine(&s, -1.0, 2.0);
                a.mul(&phi, &q)
            };
            extra square Square () => square, |a, x| a.fill(x, 2.0);
            extra recip_or_zero RecipOrZero () => recip_or_zero, |a, x| {
                let f = a.map(x, Fun::RecipOrZero, 0);
                let d = a.map(x, Fun::RecipOrZero, 1);
                let p = a.mul(&f, &d);
                a.times(&p, -2.0)
            };
            extra powf PowfScalar (p: f64 = 2.5) => powf_scalar, |a, x| {
                if p == 0.0 {
                    a.fill(x, 0.0)
                } else {
                    let d = a.map(x, Fun::PowfScalar(p - 1.0), 1);
                    a.times(&d, p)
                }
            };
            extra max_scalar MaxScalar (c: f64 = 0.5) => max_scalar, |a, x| a.fill(x, 0.0);
            extra min_scalar MinScalar (c: f64 = 0.5) => min_scalar, |a, x| a.fill(x, 0.0);
            extra clamp Clamp (bounds: (f64, f64) = (-0.5, 0.5)) => clamp, |a, x| a.fill(x, 0.0);
            extra huber Huber (delta: f64 = 1.0) => huber, |a, x| {
                a.map(x, Fun::Clamp((-delta, delta)), 1)
            };
        }
    };
}
pub(crate) use unary_functions;

/// Generates [`Fun`] from the list.
macro_rules! fun_enum {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        /// An element-wise function of one variable: every function of the
        /// crate's one list (`sin`, `tanh`, `gelu`, `powi(n)`, …), with its
        /// constant parameters. Its value and derivatives come from the
        /// rule table that forward mode uses; the tape's element-wise
        /// operations (`Tape::map_fun`, `Tape::sin`, …) and the
        /// activations of `nn` are these functions.
        ///
        /// ```
        /// use dualgrad::Fun;
        /// assert_eq!(Fun::Sin.apply(0.0_f64), 0.0);
        /// assert_eq!(Fun::Powi(3).derivative(2.0_f64), 12.0);
        /// assert_eq!(Fun::Relu.derivative(0.0_f64), 0.0); // relu′(0) = 0
        /// assert!(Fun::EXAMPLES.contains(&Fun::Gelu));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Fun {
            $(
                #[doc = concat!("`", stringify!($m), "`", $(" (`", stringify!($p), ": ", stringify!($pt), "`)",)? ".")]
                $v$(($pt))?,
            )*
        }

        impl Fun {
            /// Every function of the list once, with example parameters (for
            /// tests and enumerations).
            ///
            /// ```
            /// assert!(dualgrad::Fun::EXAMPLES.len() > 40);
            /// ```
            pub const EXAMPLES: &'static [Fun] = &[$(Fun::$v$(($ex))?),*];

            /// The function's name (its method name).
            ///
            /// ```
            /// assert_eq!(dualgrad::Fun::Powi(2).name(), "powi");
            /// ```
            pub fn name(self) -> &'static str {
                match self {
                    $(Fun::$v { .. } => stringify!($m),)*
                }
            }

            /// The value at `x`: the forward method for `x`'s type (the
            /// same bits as `x.sin()`, `x.relu()`, …).
            ///
            /// ```
            /// use dualgrad::{Dual, Fun};
            /// let y = Fun::Exp.apply(Dual::variable(0.0_f64));
            /// assert_eq!((y.re, y.eps), (1.0, 1.0));
            /// ```
            #[inline]
            pub fn apply<S: $crate::Scalar>(self, x: S) -> S {
                match self {
                    $(Fun::$v$(($p))? => $crate::forward::functions::fun_apply!($kind $m $rule x ($($p)?)),)*
                }
            }

            /// The value, first and second derivative at `x`, from the
            /// rule table (`second = false` skips the second derivative).
            #[inline]
            pub(crate) fn jet<S: $crate::Scalar>(self, x: S, second: bool) -> $crate::forward::rules::Jet<S> {
                match self {
                    $(Fun::$v$(($p))? => $crate::forward::rules::$rule(x, $($p,)? second),)*
                }
            }

            /// The first derivative at `x`, from the rule table; NaN where
            /// the value is NaN (outside the domain), as in forward mode.
            ///
            /// ```
            /// assert_eq!(dualgrad::Fun::Sin.derivative(0.0_f64), 1.0);
            /// assert!(dualgrad::Fun::Ln.derivative(-1.0_f64).is_nan());
            /// ```
            #[inline]
            pub fn derivative<S: $crate::Scalar>(self, x: S) -> S {
                match self {
                    $(Fun::$v$(($p))? => $crate::forward::functions::fun_slope!(x $rule $(/ $slope)? ($($p)?)),)*
                }
            }

            /// The second derivative at `x`, from the rule table; NaN where
            /// the value is NaN.
            ///
            /// ```
            /// assert_eq!(dualgrad::Fun::Powi(3).second_derivative(2.0_f64), 12.0);
            /// ```
            #[inline]
            pub fn second_derivative<S: $crate::Scalar>(self, x: S) -> S {
                let j = self.jet(x, true);
                if j.f.is_nan() { j.f } else { j.d2 * j.k }
            }
        }
    };
}

/// The first derivative of one entry: its rule's slope function if the entry
/// names one, else the rule's f′ (NaN where the value is NaN).
macro_rules! fun_slope {
    ($x:ident $rule:ident / $slope:ident ($($p:ident)?)) => {
        $crate::forward::rules::$slope($x, $($p)?)
    };
    ($x:ident $rule:ident ($($p:ident)?)) => {{
        let j = $crate::forward::rules::$rule($x, $($p,)? false);
        if j.f.is_nan() {
            j.f
        } else {
            j.d1
        }
    }};
}
pub(crate) use fun_slope;

/// The value of one entry: its forward method, or (for `extra` entries)
/// its rule's value.
macro_rules! fun_apply {
    (extra $m:ident $rule:ident $x:ident ($($p:ident)*)) => {
        $crate::forward::rules::$rule($x, $($p,)* false).f
    };
    ($kind:ident $m:ident $rule:ident $x:ident ($($p:ident)*)) => {
        $x.$m($($p),*)
    };
}
pub(crate) use fun_apply;

unary_functions!(fun_enum);

/// Calls the macro `$cb` with the list of element-wise functions of two
/// variables: `method Variant => |x, y| value;`, the value written with the
/// forward-mode method (whose rule gives the derivatives). The tape records
/// them entry by entry and differentiates them by forward mode (nested dual
/// numbers per entry).
macro_rules! binary_functions {
    ($($cb:tt)*) => {
        $($cb)*! {
            atan2 Atan2 => |x, y| x.atan2(y);
            hypot Hypot => |x, y| x.hypot(y);
            pow Pow => |x, y| x.powf(y);
            log Log => |x, y| x.log(y);
            rem Rem => |x, y| x % y;
        }
    };
}
#[allow(unused_imports)] // used by the tape (features nalgebra and alloc)
pub(crate) use binary_functions;

/// Generates [`Fun2`] from the list.
macro_rules! fun2_enum {
    ($($m:ident $v:ident => |$x:ident, $y:ident| $body:expr;)*) => {
        /// An element-wise function of two variables (the crate's list:
        /// `atan2`, `hypot`, `pow` = `powf` with a varying exponent, `log`
        /// to a varying base, `rem`), with forward mode's values and
        /// derivatives. On the tape: `Tape::atan2`, `Tape::pow`, … and
        /// `Tape::map_fun2`.
        ///
        /// ```
        /// use dualgrad::{gradient, Fun2};
        /// assert_eq!(Fun2::Pow.apply(2.0_f64, 3.0), 8.0);
        /// let (_, g) = gradient(|[x, y]| Fun2::Hypot.apply(x, y), [0.0, 2.0]);
        /// assert_eq!(g, [0.0, 1.0]);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Fun2 {
            $(
                #[doc = concat!("`", stringify!($m), "`: `", stringify!($body), "`.")]
                $v,
            )*
        }

        impl Fun2 {
            /// Every function of two variables in the list.
            ///
            /// ```
            /// assert_eq!(dualgrad::Fun2::ALL.len(), 5);
            /// ```
            pub const ALL: &'static [Fun2] = &[$(Fun2::$v),*];

            /// The function's name (the tape's method name).
            ///
            /// ```
            /// assert_eq!(dualgrad::Fun2::Pow.name(), "pow");
            /// ```
            pub fn name(self) -> &'static str {
                match self {
                    $(Fun2::$v => stringify!($m),)*
                }
            }

            /// The value at `(x, y)` for any number type (derivatives
            /// through that type's chain rule).
            ///
            /// ```
            /// assert_eq!(dualgrad::Fun2::Atan2.apply(0.0_f64, 1.0), 0.0);
            /// ```
            #[inline]
            pub fn apply<S: $crate::Scalar>(self, x: S, y: S) -> S {
                match self {
                    $(Fun2::$v => {
                        let ($x, $y) = (x, y);
                        $body
                    })*
                }
            }
        }
    };
}

binary_functions!(fun2_enum);
