//! What every number type of this crate has in common.
//!
//! A number type implements the small private trait [`Number`]: its value
//! part, how to apply the chain rule to a [`Jet`] / [`Jet2`] from the rule
//! table, and its product and quotient. [`impl_number!`] then derives from
//! those every public trait (`Scalar`, `num_traits::Float` and friends, the
//! operators, comparisons): one generic body, instantiated once per type,
//! because the orphan rule forbids a blanket impl of a foreign trait.

use crate::forward::rules::{Jet, Jet2};
use crate::Scalar;

/// The chain rule and arithmetic of one number type over the scalar `T`.
pub(crate) trait Number<T: Scalar>: Copy {
    /// Whether the type carries second-order parts (then the rule table
    /// must provide second derivatives).
    const SECOND: bool;
    /// Whether the type has several derivative parts. The chain rule then
    /// tests once whether every derivative of the jet is finite (`d − d` is
    /// NaN where `d` is infinite or NaN, zero elsewhere), and if so
    /// multiplies without the per-part guard of [`sc`]: `d · 0` is then
    /// already zero. Same numbers, fewer instructions (the result can
    /// differ from the guarded form only in the sign of a zero part). A
    /// type with one part keeps the per-part guard, which is cheaper there;
    /// so do `DualVec` and `Dual2Vec` of up to four inputs, where the two
    /// paths cost the same instructions (callgrind, `grad_*_4` of
    /// BENCHMARKS.md) but the second copy of the chain rule costs flash
    /// (2 KB of the f64 firmware in `embedded/`).
    const WIDE: bool;
    /// The value part.
    fn re(&self) -> T;
    /// A constant: value `v`, every derivative part zero.
    fn constant(v: T) -> Self;
    /// Every part NaN.
    fn nan_all() -> Self {
        Self::constant(T::nan()).map(|_| T::nan())
    }
    /// Replaces the value part, keeping the derivative parts.
    fn with_re(self, v: T) -> Self;
    /// Applies `f` to every part.
    fn map(self, f: impl Fn(T) -> T) -> Self;
    /// Applies `f` to every pair of corresponding parts.
    fn zip(self, o: Self, f: impl Fn(T, T) -> T) -> Self;
    /// Whether every derivative part is exactly zero.
    fn is_const(&self) -> bool;
    /// Whether `f` holds for every pair of corresponding parts of `self`
    /// and `o` (the value parts, then each derivative part), for the
    /// `approx` comparisons. A type whose derivative parts are not stored
    /// in the value (the recording type of `crate::record`) overrides it.
    #[cfg_attr(not(feature = "nalgebra"), allow(dead_code))]
    fn parts_all(self, o: Self, f: impl Fn(&T, &T) -> bool) -> bool {
        let ok = core::cell::Cell::new(true);
        let _ = self.zip(o, |x, y| {
            if ok.get() && !f(&x, &y) {
                ok.set(false);
            }
            x
        });
        ok.get()
    }
    /// `f(self)` given `f`'s jet at `self.re()`, with `m(d, t)` for each
    /// product of a derivative `d` of the jet with a part `t` of `self`,
    /// and `q(m(d2, s), m(k, t), s, t)` for each second-order product
    /// `f″·s·t = (d2·s)·(k·t)` (see [`Jet`]).
    fn chain1_by(self, j: Jet<T>, m: impl Fn(T, T) -> T, q: impl Fn(T, T, T, T) -> T) -> Self;
    /// `f(self, o)` given `f`'s jet at `(self.re(), o.re())`, with `m` as
    /// in [`chain1_by`](Number::chain1_by).
    fn chain2_by(self, o: Self, j: Jet2<T>, m: impl Fn(T, T) -> T) -> Self;
    /// `f(self)` given `f`'s jet at `self.re()`. NaN outside the domain
    /// makes every part NaN; a zero part stays zero (see [`sc`] and
    /// [`WIDE`](Number::WIDE)).
    #[inline(always)]
    fn chain1(self, j: Jet<T>) -> Self {
        // One test on the common path: `f` not NaN and (wide types) every
        // derivative finite.
        let nan = j.f.is_nan();
        if Self::WIDE && !nan & (spread(j.d1) + spread(j.d2) + spread(j.k)).all_parts_zero() {
            self.chain1_by(j, |d, t| d * t, |a, b, _, _| a * b)
        } else if nan {
            nan_cold()
        } else {
            self.chain1_by(j, sc, sc2)
        }
    }
    /// `f(self, o)` given `f`'s jet at `(self.re(), o.re())`, as
    /// [`chain1`](Number::chain1).
    #[inline(always)]
    fn chain2(self, o: Self, j: Jet2<T>) -> Self {
        let nan = j.f.is_nan();
        let s = spread(j.fx) + spread(j.fy) + spread(j.fxx) + spread(j.fxy) + spread(j.fyy);
        if Self::WIDE && !nan & s.all_parts_zero() {
            self.chain2_by(o, j, |d, t| d * t)
        } else if nan {
            nan_cold()
        } else {
            self.chain2_by(o, j, sc)
        }
    }
    /// The product. Plain IEEE arithmetic: a zero part times an infinite
    /// value is NaN (`2 · e^1000` has derivative NaN, as in num-dual and
    /// ForwardDiff); guarding every product slows the arithmetic-bound
    /// second-order workloads (measured in BENCHMARKS.md).
    fn mul(self, o: Self) -> Self;
    /// The quotient, computed directly (not as a product with a reciprocal).
    fn div(self, o: Self) -> Self;
}

/// `d − d`: zero in every part where `d` is finite, NaN in a part where it
/// is infinite or NaN (see [`Number::WIDE`]).
#[inline(always)]
#[allow(clippy::eq_op)] // `d − d` is the point: it is 0 only where `d` is finite.
fn spread<T: Scalar>(d: T) -> T {
    d - d
}

/// Every part NaN, out of line: the path outside a function's domain is
/// rare, and keeping it out of the inlined chain rule keeps that small.
#[cold]
#[inline(never)]
fn nan_cold<T: Scalar, N: Number<T>>() -> N {
    N::nan_all()
}

/// The result of a locally constant function (`floor`, `signum`,
/// `powi(x, 0)`, …) with value `f`: every derivative part zero, also where
/// the argument's derivative parts are infinite or NaN (the derivative of a
/// constant is 0, as in JAX: `floor(√x)` at 0 has derivative 0, not
/// `0 · ∞ = NaN`). A NaN value makes every part NaN, as in [`Number::chain1`].
#[inline(always)]
pub(crate) fn flat<T: Scalar, N: Number<T>>(x: N, f: T) -> N {
    if f.is_nan() {
        // Through the chain rule, so that a recording type records the NaN
        // derivative as forward mode has it.
        x.chain1(Jet {
            f,
            d1: f,
            d2: f,
            k: f,
        })
    } else {
        N::constant(f)
    }
}

/// `d · t`, except that a zero tangent stays zero even where the derivative
/// `d` is infinite (√x at 0, 1/x at 0): a constant input never picks up a
/// NaN derivative from `0 · ∞`.
#[inline(always)]
pub(crate) fn sc<T: Scalar>(d: T, t: T) -> T {
    if t.all_parts_zero() {
        T::zero()
    } else {
        d * t
    }
}

/// The second-order product `a · b` = `(d2·s)·(k·t)` of
/// [`Number::chain1_by`], zero where either tangent `s` or `t` is zero
/// (whatever the other factor), as [`sc`] is for first-order products.
#[inline(always)]
pub(crate) fn sc2<T: Scalar>(a: T, b: T, s: T, t: T) -> T {
    if s.all_parts_zero() || t.all_parts_zero() {
        T::zero()
    } else {
        a * b
    }
}

/// `n / d`, except that a zero numerator stays zero even where `d` is 0:
/// the derivative parts of a quotient of constants stay zero (`1 / 0` is
/// `∞` with derivative 0, as `recip(0)` is, not NaN).
#[inline(always)]
pub(crate) fn dz<T: Scalar>(n: T, d: T) -> T {
    if n.all_parts_zero() {
        T::zero()
    } else {
        n / d
    }
}

/// Derives every public trait of a number type from its [`Number`] impl.
/// `impl_number!([T: Scalar, const N: usize] DualVec<T, N>)`. An attribute
/// first (`impl_number!(#[inline(always)] [..] Taped<T>)`) replaces the
/// `#[inline]` of the arithmetic operators.
macro_rules! impl_number {
    ([$($g:tt)*] $ty:ty) => {
        $crate::forward::number::impl_number!(#[inline] [$($g)*] $ty);
    };
    (#[$op:meta] [$($g:tt)*] $ty:ty) => {
        impl<$($g)*> $crate::Scalar for $ty {
            type Real = T::Real;
            const DEPTH: usize = T::DEPTH + 1;
            const ORDER: usize = T::ORDER + if <Self as Number<T>>::SECOND { 2 } else { 1 };
            #[inline]
            fn from_real(r: T::Real) -> Self {
                <Self as Number<T>>::constant(T::from_real(r))
            }
            #[inline]
            fn lit(x: f64) -> Self {
                <Self as Number<T>>::constant(T::lit(x))
            }
            #[inline]
            fn real(&self) -> T::Real {
                self.re().real()
            }
            #[inline]
            fn mul_real(self, k: T::Real) -> Self {
                self.map(|e| e.mul_real(k))
            }
            $crate::forward::functions::unary_functions!($crate::forward::number::scalar_methods);
            #[inline]
            fn apply<R: $crate::UnaryRule>(self, rule: &R) -> Self {
                let x = self.re();
                let d2 = if Self::SECOND {
                    rule.derivative($crate::Dual::variable(x)).eps
                } else {
                    T::zero()
                };
                let j = $crate::forward::rules::Jet { f: x.apply(rule), d1: rule.derivative(x), d2, k: T::one() };
                self.chain1(j)
            }
            #[inline]
            fn apply2<R: $crate::BinaryRule>(self, rule: &R, other: Self) -> Self {
                let (x, y) = (self.re(), other.re());
                let (fx, fy) = rule.partials(x, y);
                let zero = T::zero();
                let (fxx, fxy, fyy) = if Self::SECOND {
                    let (dx, dy) = ($crate::Dual::variable(x), $crate::Dual::constant(y));
                    let (px, py) = rule.partials(dx, dy);
                    let (_, qy) = rule.partials($crate::Dual::constant(x), $crate::Dual::variable(y));
                    (px.eps, py.eps, qy.eps)
                } else {
                    (zero, zero, zero)
                };
                let j = $crate::forward::rules::Jet2 { f: x.apply2(rule, y), fx, fy, fxx, fxy, fyy, basis: None };
                self.chain2(other, j)
            }
            #[inline]
            fn all_parts_zero(&self) -> bool {
                self.re().all_parts_zero() && self.is_const()
            }
        }

        impl<$($g)*> Default for $ty {
            #[inline]
            fn default() -> Self {
                <Self as Number<T>>::constant(T::zero())
            }
        }

        // ---- arithmetic with Self ----
        impl<$($g)*> core::ops::Add for $ty {
            type Output = Self;
            #[$op]
            fn add(self, o: Self) -> Self {
                self.zip(o, |a, b| a + b)
            }
        }
        impl<$($g)*> core::ops::Sub for $ty {
            type Output = Self;
            #[$op]
            fn sub(self, o: Self) -> Self {
                self.zip(o, |a, b| a - b)
            }
        }
        impl<$($g)*> core::ops::Mul for $ty {
            type Output = Self;
            #[$op]
            fn mul(self, o: Self) -> Self {
                Number::mul(self, o)
            }
        }
        impl<$($g)*> core::ops::Div for $ty {
            type Output = Self;
            #[$op]
            fn div(self, o: Self) -> Self {
                Number::div(self, o)
            }
        }
        impl<$($g)*> core::ops::Rem for $ty {
            type Output = Self;
            #[$op]
            fn rem(self, o: Self) -> Self {
                self.chain2(o, $crate::forward::rules::rem(self.re(), o.re()))
            }
        }
        impl<$($g)*> core::ops::Neg for $ty {
            type Output = Self;
            #[$op]
            fn neg(self) -> Self {
                self.map(|a| -a)
            }
        }

        // ---- arithmetic with the scalar T it is built on ----
        impl<$($g)*> core::ops::Add<T> for $ty {
            type Output = Self;
            #[$op]
            fn add(self, o: T) -> Self {
                self.with_re(self.re() + o)
            }
        }
        impl<$($g)*> core::ops::Sub<T> for $ty {
            type Output = Self;
            #[$op]
            fn sub(self, o: T) -> Self {
                self.with_re(self.re() - o)
            }
        }
        impl<$($g)*> core::ops::Mul<T> for $ty {
            type Output = Self;
            #[$op]
            fn mul(self, o: T) -> Self {
                self.map(|a| a * o)
            }
        }
        impl<$($g)*> core::ops::Div<T> for $ty {
            type Output = Self;
            #[$op]
            fn div(self, o: T) -> Self {
                self.map(|a| a / o)
            }
        }
        impl<$($g)*> core::ops::Rem<T> for $ty {
            type Output = Self;
            #[$op]
            fn rem(self, o: T) -> Self {
                self % <Self as Number<T>>::constant(o)
            }
        }

        $crate::forward::number::impl_assign!([$($g)*] $ty, Self, AddAssign add_assign add);
        $crate::forward::number::impl_assign!([$($g)*] $ty, Self, SubAssign sub_assign sub);
        $crate::forward::number::impl_assign!([$($g)*] $ty, Self, MulAssign mul_assign mul);
        $crate::forward::number::impl_assign!([$($g)*] $ty, Self, DivAssign div_assign div);
        $crate::forward::number::impl_assign!([$($g)*] $ty, Self, RemAssign rem_assign rem);
        $crate::forward::number::impl_assign!([$($g)*] $ty, T, AddAssign add_assign add);
        $crate::forward::number::impl_assign!([$($g)*] $ty, T, SubAssign sub_assign sub);
        $crate::forward::number::impl_assign!([$($g)*] $ty, T, MulAssign mul_assign mul);
        $crate::forward::number::impl_assign!([$($g)*] $ty, T, DivAssign div_assign div);
        $crate::forward::number::impl_assign!([$($g)*] $ty, T, RemAssign rem_assign rem);

        // ---- the plain float on the left: `2.0 * x` ----
        $crate::forward::number::impl_real_lhs!([$($g)*] $ty, f64);
        $crate::forward::number::impl_real_lhs!([$($g)*] $ty, f32);

        // ---- comparisons: on the value part ----
        impl<$($g)*> PartialEq for $ty {
            #[inline]
            fn eq(&self, o: &Self) -> bool {
                self.re() == o.re()
            }
        }
        impl<$($g)*> PartialOrd for $ty {
            #[inline]
            fn partial_cmp(&self, o: &Self) -> Option<core::cmp::Ordering> {
                self.re().partial_cmp(&o.re())
            }
        }
        impl<$($g)*> PartialEq<T> for $ty {
            #[inline]
            fn eq(&self, o: &T) -> bool {
                self.re() == *o
            }
        }
        impl<$($g)*> PartialOrd<T> for $ty {
            #[inline]
            fn partial_cmp(&self, o: &T) -> Option<core::cmp::Ordering> {
                self.re().partial_cmp(o)
            }
        }

        // ---- iterators ----
        impl<$($g)*> core::iter::Sum for $ty {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                // From −0, like the float's own `Sum` (so an empty or all −0
                // sum has the float's sign).
                iter.fold(<Self as num_traits::Float>::neg_zero(), |a, b| a + b)
            }
        }
        impl<'a, $($g)*> core::iter::Sum<&'a $ty> for $ty {
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(<Self as num_traits::Float>::neg_zero(), |a, b| a + *b)
            }
        }
        impl<$($g)*> core::iter::Product for $ty {
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as num_traits::One>::one(), |a, b| a * b)
            }
        }
        impl<'a, $($g)*> core::iter::Product<&'a $ty> for $ty {
            fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(<Self as num_traits::One>::one(), |a, b| a * *b)
            }
        }

        // ---- num-traits ----
        impl<$($g)*> num_traits::Zero for $ty {
            #[inline]
            fn zero() -> Self {
                <Self as Number<T>>::constant(T::zero())
            }
            /// Whether the value part is zero (derivative parts are not
            /// looked at, as in the comparisons): nalgebra's pivot and
            /// determinant tests then decide as they do on plain floats.
            /// [`Scalar::all_parts_zero`] tests every part.
            #[inline]
            fn is_zero(&self) -> bool {
                self.re().is_zero()
            }
        }
        impl<$($g)*> num_traits::One for $ty {
            #[inline]
            fn one() -> Self {
                <Self as Number<T>>::constant(T::one())
            }
        }
        impl<$($g)*> num_traits::Num for $ty {
            type FromStrRadixErr = T::FromStrRadixErr;
            fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                T::from_str_radix(s, radix).map(<Self as Number<T>>::constant)
            }
        }
        impl<$($g)*> num_traits::Inv for $ty {
            type Output = Self;
            #[inline]
            fn inv(self) -> Self {
                num_traits::Float::recip(self)
            }
        }
        impl<$($g)*> num_traits::ToPrimitive for $ty {
            fn to_i64(&self) -> Option<i64> {
                self.re().to_i64()
            }
            fn to_u64(&self) -> Option<u64> {
                self.re().to_u64()
            }
            fn to_i128(&self) -> Option<i128> {
                self.re().to_i128()
            }
            fn to_u128(&self) -> Option<u128> {
                self.re().to_u128()
            }
            fn to_f32(&self) -> Option<f32> {
                self.re().to_f32()
            }
            fn to_f64(&self) -> Option<f64> {
                self.re().to_f64()
            }
        }
        impl<$($g)*> num_traits::NumCast for $ty {
            fn from<P: num_traits::ToPrimitive>(n: P) -> Option<Self> {
                <T as num_traits::NumCast>::from(n).map(<Self as Number<T>>::constant)
            }
        }
        impl<$($g)*> num_traits::FromPrimitive for $ty {
            fn from_i64(n: i64) -> Option<Self> {
                T::from_i64(n).map(<Self as Number<T>>::constant)
            }
            fn from_u64(n: u64) -> Option<Self> {
                T::from_u64(n).map(<Self as Number<T>>::constant)
            }
            fn from_i128(n: i128) -> Option<Self> {
                T::from_i128(n).map(<Self as Number<T>>::constant)
            }
            fn from_u128(n: u128) -> Option<Self> {
                T::from_u128(n).map(<Self as Number<T>>::constant)
            }
            fn from_f32(n: f32) -> Option<Self> {
                T::from_f32(n).map(<Self as Number<T>>::constant)
            }
            fn from_f64(n: f64) -> Option<Self> {
                T::from_f64(n).map(<Self as Number<T>>::constant)
            }
        }
        impl<$($g)*> num_traits::Signed for $ty {
            #[inline]
            fn abs(&self) -> Self {
                num_traits::Float::abs(*self)
            }
            #[inline]
            fn abs_sub(&self, o: &Self) -> Self {
                #[allow(deprecated)]
                num_traits::Float::abs_sub(*self, *o)
            }
            #[inline]
            fn signum(&self) -> Self {
                num_traits::Float::signum(*self)
            }
            #[inline]
            fn is_positive(&self) -> bool {
                self.re() > T::zero()
            }
            #[inline]
            fn is_negative(&self) -> bool {
                self.re() < T::zero()
            }
        }
        impl<$($g)*> num_traits::FloatConst for $ty {
            $crate::forward::number::impl_float_const!(
                E FRAC_1_PI FRAC_1_SQRT_2 FRAC_2_PI FRAC_2_SQRT_PI FRAC_PI_2 FRAC_PI_3
                FRAC_PI_4 FRAC_PI_6 FRAC_PI_8 LN_10 LN_2 LOG10_E LOG2_E PI SQRT_2
                TAU LOG10_2 LOG2_10
            );
        }

        impl<$($g)*> num_traits::Float for $ty {
            $crate::forward::number::impl_float_body!();
        }
    };
}
pub(crate) use impl_number;

/// `impl OpAssign<Rhs> for Ty` from `Op<Rhs>`.
macro_rules! impl_assign {
    ([$($g:tt)*] $ty:ty, $rhs:ty, $tr:ident $m:ident $op:ident) => {
        impl<$($g)*> core::ops::$tr<$rhs> for $ty {
            #[inline]
            fn $m(&mut self, o: $rhs) {
                *self = $crate::forward::number::binop!(*self, o, $op);
            }
        }
    };
}
pub(crate) use impl_assign;

/// The binary operator named `$op` applied to `$a` and `$b`.
macro_rules! binop {
    ($a:expr, $b:expr, add) => {
        $a + $b
    };
    ($a:expr, $b:expr, sub) => {
        $a - $b
    };
    ($a:expr, $b:expr, mul) => {
        $a * $b
    };
    ($a:expr, $b:expr, div) => {
        $a / $b
    };
    ($a:expr, $b:expr, rem) => {
        $a % $b
    };
}
pub(crate) use binop;

/// `f64 ∘ Ty` for the four arithmetic operators, when `Ty` is built on that
/// float at its bottom.
macro_rules! impl_real_lhs {
    ([$($g:tt)*] $ty:ty, $real:ty) => {
        impl<$($g)*> core::ops::Add<$ty> for $real where T: $crate::Scalar<Real = $real> {
            type Output = $ty;
            #[inline]
            fn add(self, o: $ty) -> $ty {
                <$ty as $crate::Scalar>::from_real(self) + o
            }
        }
        impl<$($g)*> core::ops::Sub<$ty> for $real where T: $crate::Scalar<Real = $real> {
            type Output = $ty;
            #[inline]
            fn sub(self, o: $ty) -> $ty {
                <$ty as $crate::Scalar>::from_real(self) - o
            }
        }
        impl<$($g)*> core::ops::Mul<$ty> for $real where T: $crate::Scalar<Real = $real> {
            type Output = $ty;
            #[inline]
            fn mul(self, o: $ty) -> $ty {
                $crate::Scalar::mul_real(o, self)
            }
        }
        impl<$($g)*> core::ops::Div<$ty> for $real where T: $crate::Scalar<Real = $real> {
            type Output = $ty;
            #[inline]
            fn div(self, o: $ty) -> $ty {
                <$ty as $crate::Scalar>::from_real(self) / o
            }
        }
    };
}
pub(crate) use impl_real_lhs;

/// The `FloatConst` constants as constants of the number type.
macro_rules! impl_float_const {
    ($($c:ident)*) => {
        $(
            #[inline]
            fn $c() -> Self {
                <Self as Number<T>>::constant(T::$c())
            }
        )*
    };
}
pub(crate) use impl_float_const;

/// The body of `num_traits::Float` for a number type over `T`, each
/// elementary function a call into the rule table.
macro_rules! impl_float_body {
    () => {
        $crate::forward::functions::unary_functions!($crate::forward::number::float_methods);
        #[inline]
        fn nan() -> Self {
            <Self as Number<T>>::nan_all()
        }
        #[inline]
        fn infinity() -> Self {
            <Self as Number<T>>::constant(T::infinity())
        }
        #[inline]
        fn neg_infinity() -> Self {
            <Self as Number<T>>::constant(T::neg_infinity())
        }
        #[inline]
        fn neg_zero() -> Self {
            <Self as Number<T>>::constant(T::neg_zero())
        }
        #[inline]
        fn min_value() -> Self {
            <Self as Number<T>>::constant(T::min_value())
        }
        #[inline]
        fn min_positive_value() -> Self {
            <Self as Number<T>>::constant(T::min_positive_value())
        }
        #[inline]
        fn epsilon() -> Self {
            <Self as Number<T>>::constant(T::epsilon())
        }
        #[inline]
        fn max_value() -> Self {
            <Self as Number<T>>::constant(T::max_value())
        }
        #[inline]
        fn is_nan(self) -> bool {
            self.re().is_nan()
        }
        #[inline]
        fn is_infinite(self) -> bool {
            self.re().is_infinite()
        }
        #[inline]
        fn is_finite(self) -> bool {
            self.re().is_finite()
        }
        #[inline]
        fn is_normal(self) -> bool {
            self.re().is_normal()
        }
        #[inline]
        fn is_subnormal(self) -> bool {
            self.re().is_subnormal()
        }
        #[inline]
        fn classify(self) -> core::num::FpCategory {
            self.re().classify()
        }
        #[inline]
        fn is_sign_positive(self) -> bool {
            self.re().is_sign_positive()
        }
        #[inline]
        fn is_sign_negative(self) -> bool {
            self.re().is_sign_negative()
        }
        #[inline]
        fn mul_add(self, a: Self, b: Self) -> Self {
            (self * a + b).with_re(self.re().mul_add(a.re(), b.re()))
        }
        #[inline]
        fn powf(self, n: Self) -> Self {
            if n.is_const() {
                if n.re().all_parts_zero() {
                    return $crate::forward::number::flat(self, self.re().powf(n.re()));
                }
                self.chain1($crate::forward::rules::powf_const(
                    self.re(),
                    n.re(),
                    Self::SECOND,
                ))
            } else {
                self.chain2(
                    n,
                    $crate::forward::rules::powf(self.re(), n.re(), Self::SECOND),
                )
            }
        }
        #[inline]
        fn log(self, base: Self) -> Self {
            self.chain2(
                base,
                $crate::forward::rules::log(self.re(), base.re(), Self::SECOND),
            )
        }
        #[inline]
        fn to_degrees(self) -> Self {
            self.map(|a| a.to_degrees())
        }
        #[inline]
        fn to_radians(self) -> Self {
            self.map(|a| a.to_radians())
        }
        #[inline]
        fn max(self, o: Self) -> Self {
            // The argument it follows, whole (the other one's derivative,
            // even if infinite, does not enter); the mean at a tie.
            match $crate::forward::rules::pick_max(self.re(), o.re()) {
                Some(true) => self,
                Some(false) => o,
                None => {
                    let f = self.re().max(o.re());
                    self.chain2(o, $crate::forward::rules::select2(f, None))
                }
            }
        }
        #[inline]
        fn min(self, o: Self) -> Self {
            // The argument it follows, whole (the other one's derivative,
            // even if infinite, does not enter); the mean at a tie.
            match $crate::forward::rules::pick_min(self.re(), o.re()) {
                Some(true) => self,
                Some(false) => o,
                None => {
                    let f = self.re().min(o.re());
                    self.chain2(o, $crate::forward::rules::select2(f, None))
                }
            }
        }
        #[inline]
        fn abs_sub(self, o: Self) -> Self {
            if self.re() <= o.re() {
                <Self as num_traits::Zero>::zero()
            } else {
                self - o
            }
        }
        #[inline]
        fn hypot(self, o: Self) -> Self {
            let j = $crate::forward::rules::hypot(self.re(), o.re(), Self::SECOND);
            if j.f == T::zero() {
                // The origin: derivative 0 (convention), also against
                // infinite derivative parts of the arguments.
                return $crate::forward::number::flat(self, j.f);
            }
            self.chain2(o, j)
        }
        #[inline]
        fn atan2(self, o: Self) -> Self {
            let j = $crate::forward::rules::atan2(self.re(), o.re(), Self::SECOND);
            if self.re() == T::zero() && o.re() == T::zero() {
                // The origin, as for `hypot`.
                return $crate::forward::number::flat(self, j.f);
            }
            self.chain2(o, j)
        }
        #[inline]
        fn sin_cos(self) -> (Self, Self) {
            let (s, c) = $crate::forward::rules::sin_cos(self.re(), Self::SECOND);
            (self.chain1(s), self.chain1(c))
        }
        #[inline]
        fn integer_decode(self) -> (u64, i16, i8) {
            self.re().integer_decode()
        }
    };
}
pub(crate) use impl_float_body;

/// Writes one part of a number, in parentheses when it is itself a dual
/// number, with the formatter's precision.
pub(crate) fn fmt_part<T: Scalar>(f: &mut core::fmt::Formatter<'_>, x: &T) -> core::fmt::Result {
    let (open, close) = if T::DEPTH > 0 { ("(", ")") } else { ("", "") };
    match f.precision() {
        Some(p) => write!(f, "{open}{x:.p$}{close}"),
        None => write!(f, "{open}{x}{close}"),
    }
}

/// Writes ` + x·unit` (or ` - |x|·unit` for a negative plain number; a NaN
/// is written ` + NaN` whatever its sign bit).
pub(crate) fn fmt_term<T: Scalar>(
    f: &mut core::fmt::Formatter<'_>,
    x: &T,
    unit: &str,
) -> core::fmt::Result {
    if T::DEPTH == 0 && x.is_sign_negative() && !x.is_nan() {
        f.write_str(" - ")?;
        fmt_part(f, &-*x)?;
    } else {
        f.write_str(" + ")?;
        fmt_part(f, x)?;
    }
    f.write_str(unit)
}

/// Writes `[a, b, c]` with the formatter's precision.
pub(crate) fn fmt_list<T: Scalar>(f: &mut core::fmt::Formatter<'_>, xs: &[T]) -> core::fmt::Result {
    f.write_str("[")?;
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        fmt_part(f, x)?;
    }
    f.write_str("]")
}

/// The `float` entries of the function list as `num_traits::Float`
/// methods, each a call into the rule table.
macro_rules! float_methods {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        $($crate::forward::number::method_if!(float $kind $m ($($p: $pt)?) $rule);)*
    };
}
pub(crate) use float_methods;

/// The `scalar` entries of the function list as [`Scalar`] methods.
macro_rules! scalar_methods {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        $($crate::forward::number::method_if!(scalar $kind $m ($($p: $pt)?) $rule);)*
    };
}
pub(crate) use scalar_methods;

/// One method from one entry, if the entry's kind is the one asked for.
macro_rules! method_if {
    (float float $m:ident ($($p:ident : $pt:ty)?) $rule:ident) => {
        $crate::forward::number::method_if!(@emit $m ($($p: $pt)?) $rule);
    };
    (scalar scalar $m:ident ($($p:ident : $pt:ty)?) $rule:ident) => {
        $crate::forward::number::method_if!(@emit $m ($($p: $pt)?) $rule);
    };
    // Functions whose derivative is 0 wherever it exists: a constant, so
    // that an infinite inner derivative (floor(√x) at 0) gives 0, not
    // 0 · ∞ = NaN.
    (@emit $m:ident () floor) => { $crate::forward::number::method_if!(@flat $m); };
    (@emit $m:ident () ceil) => { $crate::forward::number::method_if!(@flat $m); };
    (@emit $m:ident () round) => { $crate::forward::number::method_if!(@flat $m); };
    (@emit $m:ident () trunc) => { $crate::forward::number::method_if!(@flat $m); };
    (@emit $m:ident () signum) => { $crate::forward::number::method_if!(@flat $m); };
    (@flat $m:ident) => {
        #[inline]
        fn $m(self) -> Self {
            $crate::forward::number::flat(self, self.re().$m())
        }
    };
    // x⁰ = 1 is a constant; relu is the identity above 0 and a constant at
    // and below it (no 0 · ∞ from an infinite inner derivative either).
    (@emit powi ($p:ident : $pt:ty) powi) => {
        #[inline]
        fn powi(self, $p: $pt) -> Self {
            if $p == 0 {
                return $crate::forward::number::flat(self, self.re().powi(0));
            }
            self.chain1($crate::forward::rules::powi(self.re(), $p, Self::SECOND))
        }
    };
    // Far out, f′ = −1/x² under- or overflows where f′·t does not (1/eˣ at
    // 400: −e⁻⁴⁰⁰, not −0): the quotient 1/x (same value bits) divides
    // instead of squaring.
    (@emit recip () recip) => {
        #[inline]
        fn recip(self) -> Self {
            let a = self.re().abs();
            if a >= T::lit(1e150) || a <= T::lit(1e-150) {
                return Number::div(<Self as num_traits::One>::one(), self);
            }
            self.chain1($crate::forward::rules::recip(self.re(), Self::SECOND))
        }
    };
    (@emit relu () relu) => {
        #[inline]
        fn relu(self) -> Self {
            if self.re() > T::zero() {
                self
            } else {
                $crate::forward::number::flat(self, $crate::forward::rules::relu(self.re(), false).f)
            }
        }
    };
    (@emit $m:ident ($($p:ident : $pt:ty)?) $rule:ident) => {
        #[inline]
        fn $m(self, $($p: $pt)?) -> Self {
            self.chain1($crate::forward::rules::$rule(self.re(), $($p,)? Self::SECOND))
        }
    };
    ($want:ident $kind:ident $m:ident ($($p:ident : $pt:ty)?) $rule:ident) => {};
}
pub(crate) use method_if;
