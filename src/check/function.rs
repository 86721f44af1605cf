//! How a user hands a *generic* function to the checks: the traits
//! [`ScalarFn`] and [`VectorFn`], and the macros [`scalar_fn!`] and
//! [`vector_fn!`] that implement them for a closure-like expression.
//!
//! A check evaluates the function on several number types (`f64` for
//! finite differences, `DualVec` for the exact gradient, `Dual2Vec` for the
//! Hessian, `Dual` for a JVP). A Rust closure has one fixed argument type,
//! so the function is passed as a value whose `eval` method is generic.

use crate::Scalar;

/// A function from `N` inputs to one output, generic over the number type.
///
/// Implement it on your own struct (its fields are the parameters of the
/// function), or let [`scalar_fn!`](crate::scalar_fn) write the struct for
/// a closure-like expression.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::check::{check_gradient, ScalarFn};
/// use dualgrad::Scalar;
///
/// /// A spring of stiffness `k` and rest length `l` between the origin
/// /// and the point (x, y).
/// struct Spring { k: f64, l: f64 }
///
/// impl ScalarFn<2> for Spring {
///     fn eval<S: Scalar>(&self, [x, y]: [S; 2]) -> S {
///         let stretch = (x * x + y * y).sqrt() - S::lit(self.l);
///         S::lit(0.5 * self.k) * stretch * stretch
///     }
/// }
///
/// let s = Spring { k: 3.0, l: 1.0 };
/// let (x, y) = (3.0_f64, 4.0_f64); // length 5, stretch 4
/// let force_free_gradient = [s.k * 4.0 * x / 5.0, s.k * 4.0 * y / 5.0];
/// assert!(check_gradient(&s, [x, y], force_free_gradient).passed());
/// ```
pub trait ScalarFn<const N: usize> {
    /// The function's value at `x`, for any number type.
    fn eval<S: Scalar>(&self, x: [S; N]) -> S;
}

/// A function from `N` inputs to `M` outputs, generic over the number type.
///
/// Implement it on your own struct, or let
/// [`vector_fn!`](crate::vector_fn) write the struct.
///
/// ```
/// use dualgrad::check::Report;
/// use dualgrad::check::{check_jacobian, VectorFn};
/// use dualgrad::Scalar;
///
/// struct Polar;
/// impl VectorFn<2, 2> for Polar {
///     fn eval<S: Scalar>(&self, [r, t]: [S; 2]) -> [S; 2] {
///         [r * t.cos(), r * t.sin()]
///     }
/// }
///
/// let (r, t) = (2.0_f64, 0.5_f64);
/// let j = [[t.cos(), -r * t.sin()], [t.sin(), r * t.cos()]];
/// assert!(check_jacobian(&Polar, [r, t], j).passed());
/// ```
pub trait VectorFn<const N: usize, const M: usize> {
    /// The function's values at `x`, for any number type.
    fn eval<S: Scalar>(&self, x: [S; N]) -> [S; M];
}

/// Makes a [`ScalarFn`](crate::check::ScalarFn) from a closure-like
/// expression whose body is generic code.
///
/// - `scalar_fn!(|[x, y]| body)`: the inputs are named one by one (`N` is
///   their count);
/// - `scalar_fn!(|x: [_; 6]| body)`: the inputs are one array `x` of
///   length `N = 6`;
/// - `scalar_fn!([k: f64 = 2.5, c: f64 = c] |[x]| body)`: values the body
///   uses, given by name, type and value (a plain closure would capture
///   them; the generated struct stores them instead, and each evaluation
///   works on a clone, so their types must be `Clone`).
///
/// In the body the number type is called `S` (bound by
/// [`Scalar`](crate::Scalar)), so constants are written `S::lit(2.0)` and
/// stored values `S::lit(k)`.
///
/// ```
/// use dualgrad::check::ScalarFn;
/// use dualgrad::{scalar_fn, Dual};
///
/// let f = scalar_fn!(|[x, y]| x * y.sin() + S::lit(2.0));
/// assert_eq!(f.eval([1.0, 0.0]), 2.0);
/// let y = f.eval([Dual::variable(3.0), Dual::constant(0.5)]);
/// assert_eq!(y.eps, 0.5_f64.sin());
///
/// let norm = scalar_fn!(|v: [_; 3]| v.iter().map(|&a| a * a).sum::<S>().sqrt());
/// assert_eq!(norm.eval([2.0, 3.0, 6.0]), 7.0);
///
/// let k = 4.0;
/// let spring = scalar_fn!([k: f64 = k] |[x]| S::lit(0.5 * k) * x * x);
/// assert_eq!(spring.eval([3.0]), 18.0);
/// ```
#[macro_export]
macro_rules! scalar_fn {
    ([$($c:ident : $ct:ty = $cv:expr),* $(,)?] |[$($x:ident),+ $(,)?]| $body:expr) => {
        $crate::__check_fn!(
            ScalarFn [$($c: $ct = $cv),*] ([$($x),+], [$(stringify!($x)),+].len()) () $body
        )
    };
    ([$($c:ident : $ct:ty = $cv:expr),* $(,)?] |$x:ident : [_; $n:expr]| $body:expr) => {
        $crate::__check_fn!(ScalarFn [$($c: $ct = $cv),*] ($x, $n) () $body)
    };
    (|[$($x:ident),+ $(,)?]| $body:expr) => {
        $crate::scalar_fn!([] |[$($x),+]| $body)
    };
    (|$x:ident : [_; $n:expr]| $body:expr) => {
        $crate::scalar_fn!([] |$x: [_; $n]| $body)
    };
}

/// Makes a [`VectorFn`](crate::check::VectorFn) from a closure-like
/// expression whose body is generic code: the same forms as
/// [`scalar_fn!`](crate::scalar_fn), where the body is either an array
/// literal (`M` is its length) or any expression after `-> [_; M]`.
///
/// ```
/// use dualgrad::check::VectorFn;
/// use dualgrad::vector_fn;
///
/// let f = vector_fn!(|[x, y]| [x * y, x + y, x]);
/// assert_eq!(f.eval([2.0, 3.0]), [6.0, 5.0, 2.0]);
///
/// let g = vector_fn!(|v: [_; 2]| -> [_; 2] {
///     let r = (v[0] * v[0] + v[1] * v[1]).sqrt();
///     [v[0] / r, v[1] / r]
/// });
/// assert_eq!(g.eval([3.0, 4.0]), [0.6, 0.8]);
///
/// let scaled = vector_fn!([a: f64 = 2.0] |[x]| [S::lit(a) * x]);
/// assert_eq!(scaled.eval([1.5]), [3.0]);
/// ```
#[macro_export]
macro_rules! vector_fn {
    ([$($c:ident : $ct:ty = $cv:expr),* $(,)?] |[$($x:ident),+ $(,)?]| [$($e:expr),+ $(,)?]) => {
        $crate::__check_fn!(
            VectorFn [$($c: $ct = $cv),*] ([$($x),+], [$(stringify!($x)),+].len())
            ([$(stringify!($e)),+].len()) [$($e),+]
        )
    };
    ([$($c:ident : $ct:ty = $cv:expr),* $(,)?] |[$($x:ident),+ $(,)?]| -> [_; $m:expr] $body:expr) => {
        $crate::__check_fn!(
            VectorFn [$($c: $ct = $cv),*] ([$($x),+], [$(stringify!($x)),+].len()) ($m) $body
        )
    };
    ([$($c:ident : $ct:ty = $cv:expr),* $(,)?] |$x:ident : [_; $n:expr]| [$($e:expr),+ $(,)?]) => {
        $crate::__check_fn!(
            VectorFn [$($c: $ct = $cv),*] ($x, $n) ([$(stringify!($e)),+].len()) [$($e),+]
        )
    };
    ([$($c:ident : $ct:ty = $cv:expr),* $(,)?] |$x:ident : [_; $n:expr]| -> [_; $m:expr] $body:expr) => {
        $crate::__check_fn!(VectorFn [$($c: $ct = $cv),*] ($x, $n) ($m) $body)
    };
    (|$($rest:tt)*) => {
        $crate::vector_fn!([] |$($rest)*)
    };
}

/// The struct and trait impl behind [`scalar_fn!`] and [`vector_fn!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __check_fn {
    ($tr:ident [$($c:ident : $ct:ty = $cv:expr),*] ($arg:pat_param, $n:expr) ($($m:expr)?) $body:expr) => {{
        #[allow(non_camel_case_types)]
        #[derive(Clone)]
        struct __dualgrad_fn { $($c: $ct),* }
        $crate::__check_fn!(@impl $tr [$($c: $ct),*] ($arg, $n) ($($m)?) $body);
        __dualgrad_fn { $($c: $cv),* }
    }};
    (@impl ScalarFn [$($c:ident : $ct:ty),*] ($arg:pat_param, $n:expr) () $body:expr) => {
        impl $crate::check::ScalarFn<{ $n }> for __dualgrad_fn {
            #[allow(unused_variables, clippy::redundant_clone)]
            fn eval<S: $crate::Scalar>(&self, $arg: [S; { $n }]) -> S {
                $(let $c: $ct = ::core::clone::Clone::clone(&self.$c);)*
                $body
            }
        }
    };
    (@impl VectorFn [$($c:ident : $ct:ty),*] ($arg:pat_param, $n:expr) ($m:expr) $body:expr) => {
        impl $crate::check::VectorFn<{ $n }, { $m }> for __dualgrad_fn {
            #[allow(unused_variables, clippy::redundant_clone)]
            fn eval<S: $crate::Scalar>(&self, $arg: [S; { $n }]) -> [S; { $m }] {
                $(let $c: $ct = ::core::clone::Clone::clone(&self.$c);)*
                $body
            }
        }
    };
}
