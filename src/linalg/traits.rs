//! nalgebra's scalar trait stack (simba's `SimdValue`, `Field`,
//! `ComplexField`, `RealField`, the `SubsetOf` conversions, and approx's
//! `AbsDiffEq`, `RelativeEq`, `UlpsEq`) for every number type, written once
//! in [`impl_linalg!`] and instantiated per type.
//!
//! Every elementary function delegates to the type's `num_traits::Float`
//! (or [`Scalar`](crate::Scalar)) implementation, so its derivatives come
//! from the one rule table; nothing here states a derivative.

use simba::scalar::RealField;

use crate::forward::number::Number;
use crate::{Dual, Dual2Vec, DualVec, HyperDual, Scalar};

/// Whether `f` holds for every pair of corresponding parts of `a` and `b`
/// (the value parts, then each derivative part).
#[inline]
pub(crate) fn all_parts<T: Scalar, X: Number<T>>(a: X, b: X, f: impl Fn(&T, &T) -> bool) -> bool {
    a.parts_all(b, f)
}

/// `Σₖ (±x²)ᵏ / (2k + 1)!` for an `x` whose plain value (at the bottom of
/// the nesting) is exactly zero: then `x²` is nilpotent and the sum is a finite polynomial, so `sin(x)/x` and
/// `sinh(x)/x` get their exact derivatives at 0 (where the quotient would be
/// 0/0). `sign` is −1 for `sinc`, +1 for `sinhc`.
pub(crate) fn odd_series_at_zero<X: Scalar>(x: X, sign: X) -> X {
    let x2 = x * x * sign;
    let mut term = X::one();
    let mut sum = X::one();
    // At most one term per order of differentiation is non-zero; the cap
    // only matters for inputs with infinite or NaN derivative parts.
    for k in 1..64_u32 {
        let k = f64::from(k);
        term = term * x2 / X::lit((2.0 * k) * (2.0 * k + 1.0));
        if term.all_parts_zero() {
            break;
        }
        sum += term;
    }
    sum
}

/// Implements the simba and approx traits for one number type over
/// `T: Scalar + RealField`. `impl_linalg!([T, const N: usize] DualVec<T, N>)`.
macro_rules! impl_linalg {
    ([$($g:tt)*] $ty:ty) => {
        // The two `unsafe fn`s are required by simba's trait signature;
        // their bodies contain no unsafe operation (one lane, any index).
        #[allow(unsafe_code)]
        impl<$($g)*> simba::simd::SimdValue for $ty
        where
            T: Scalar + RealField,
        {
            const LANES: usize = 1;
            type Element = Self;
            type SimdBool = bool;
            #[inline(always)]
            fn splat(val: Self) -> Self {
                val
            }
            #[inline(always)]
            fn extract(&self, _: usize) -> Self {
                *self
            }
            #[inline(always)]
            unsafe fn extract_unchecked(&self, _: usize) -> Self {
                *self
            }
            #[inline(always)]
            fn replace(&mut self, _: usize, val: Self) {
                *self = val;
            }
            #[inline(always)]
            unsafe fn replace_unchecked(&mut self, _: usize, val: Self) {
                *self = val;
            }
            #[inline(always)]
            fn select(self, cond: bool, other: Self) -> Self {
                if cond {
                    self
                } else {
                    other
                }
            }
        }

        impl<$($g)*> simba::scalar::Field for $ty where T: Scalar + RealField {}

        // ---- conversions: a plain float is the constant with that value ----
        impl<$($g)*> simba::scalar::SubsetOf<$ty> for $ty
        where
            T: Scalar + RealField,
        {
            #[inline]
            fn to_superset(&self) -> Self {
                *self
            }
            #[inline]
            fn from_superset_unchecked(element: &Self) -> Self {
                *element
            }
            #[inline]
            fn is_in_subset(_: &Self) -> bool {
                true
            }
        }
        $crate::linalg::traits::impl_float_subset!([$($g)*] $ty, f64);
        $crate::linalg::traits::impl_float_subset!([$($g)*] $ty, f32);

        // ---- approx: every part compared, with the value part of the tolerance ----
        impl<$($g)*> approx::AbsDiffEq for $ty
        where
            T: Scalar + RealField,
        {
            type Epsilon = Self;
            #[inline]
            fn default_epsilon() -> Self {
                <Self as Number<T>>::constant(T::default_epsilon())
            }
            #[inline]
            fn abs_diff_eq(&self, other: &Self, epsilon: Self) -> bool {
                let e = epsilon.re();
                $crate::linalg::traits::all_parts(*self, *other, |a: &T, b: &T| {
                    a.abs_diff_eq(b, e)
                })
            }
        }
        impl<$($g)*> approx::RelativeEq for $ty
        where
            T: Scalar + RealField,
        {
            #[inline]
            fn default_max_relative() -> Self {
                <Self as Number<T>>::constant(T::default_max_relative())
            }
            #[inline]
            fn relative_eq(&self, other: &Self, epsilon: Self, max_relative: Self) -> bool {
                let (e, r) = (epsilon.re(), max_relative.re());
                $crate::linalg::traits::all_parts(*self, *other, |a: &T, b: &T| {
                    a.relative_eq(b, e, r)
                })
            }
        }
        impl<$($g)*> approx::UlpsEq for $ty
        where
            T: Scalar + RealField,
        {
            #[inline]
            fn default_max_ulps() -> u32 {
                T::default_max_ulps()
            }
            #[inline]
            fn ulps_eq(&self, other: &Self, epsilon: Self, max_ulps: u32) -> bool {
                let e = epsilon.re();
                $crate::linalg::traits::all_parts(*self, *other, |a: &T, b: &T| {
                    a.ulps_eq(b, e, max_ulps)
                })
            }
        }

        impl<$($g)*> simba::scalar::ComplexField for $ty
        where
            T: Scalar + RealField,
        {
            type RealField = Self;
            #[inline]
            fn from_real(re: Self) -> Self {
                re
            }
            #[inline]
            fn real(self) -> Self {
                self
            }
            #[inline]
            fn imaginary(self) -> Self {
                <Self as num_traits::Zero>::zero()
            }
            #[inline]
            fn modulus(self) -> Self {
                num_traits::Float::abs(self)
            }
            #[inline]
            fn modulus_squared(self) -> Self {
                self * self
            }
            /// 0 for a value ≥ 0, π otherwise (a constant, as for `f64`).
            #[inline]
            fn argument(self) -> Self {
                if self.re() >= T::zero() {
                    <Self as num_traits::Zero>::zero()
                } else {
                    <Self as num_traits::FloatConst>::PI()
                }
            }
            #[inline]
            fn norm1(self) -> Self {
                num_traits::Float::abs(self)
            }
            #[inline]
            fn scale(self, factor: Self) -> Self {
                self * factor
            }
            #[inline]
            fn unscale(self, factor: Self) -> Self {
                self / factor
            }
            /// `(|x|, ±1)`, as for `f64`: the sign is a constant.
            #[inline]
            fn to_exp(self) -> (Self, Self) {
                let one = <Self as num_traits::One>::one();
                if self.re() >= T::zero() {
                    (self, one)
                } else {
                    (-self, -one)
                }
            }
            #[inline]
            fn signum(self) -> Self {
                num_traits::Float::signum(self)
            }
            #[inline]
            fn floor(self) -> Self {
                num_traits::Float::floor(self)
            }
            #[inline]
            fn ceil(self) -> Self {
                num_traits::Float::ceil(self)
            }
            #[inline]
            fn round(self) -> Self {
                num_traits::Float::round(self)
            }
            #[inline]
            fn trunc(self) -> Self {
                num_traits::Float::trunc(self)
            }
            #[inline]
            fn fract(self) -> Self {
                num_traits::Float::fract(self)
            }
            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                num_traits::Float::mul_add(self, a, b)
            }
            #[inline]
            fn abs(self) -> Self {
                num_traits::Float::abs(self)
            }
            #[inline]
            fn hypot(self, other: Self) -> Self {
                num_traits::Float::hypot(self, other)
            }
            #[inline]
            fn recip(self) -> Self {
                num_traits::Float::recip(self)
            }
            #[inline]
            fn conjugate(self) -> Self {
                self
            }
            #[inline]
            fn sin(self) -> Self {
                num_traits::Float::sin(self)
            }
            #[inline]
            fn cos(self) -> Self {
                num_traits::Float::cos(self)
            }
            #[inline]
            fn sin_cos(self) -> (Self, Self) {
                num_traits::Float::sin_cos(self)
            }
            #[inline]
            fn tan(self) -> Self {
                num_traits::Float::tan(self)
            }
            #[inline]
            fn asin(self) -> Self {
                num_traits::Float::asin(self)
            }
            #[inline]
            fn acos(self) -> Self {
                num_traits::Float::acos(self)
            }
            #[inline]
            fn atan(self) -> Self {
                num_traits::Float::atan(self)
            }
            #[inline]
            fn sinh(self) -> Self {
                num_traits::Float::sinh(self)
            }
            #[inline]
            fn cosh(self) -> Self {
                num_traits::Float::cosh(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                num_traits::Float::tanh(self)
            }
            #[inline]
            fn asinh(self) -> Self {
                num_traits::Float::asinh(self)
            }
            #[inline]
            fn acosh(self) -> Self {
                num_traits::Float::acosh(self)
            }
            #[inline]
            fn atanh(self) -> Self {
                num_traits::Float::atanh(self)
            }
            /// `sin(x)/x`; at a value of exactly 0 its Taylor polynomial, so
            /// the derivatives there are exact (0, −1/3, …) instead of 0/0.
            #[inline]
            fn sinc(self) -> Self {
                if num_traits::Zero::is_zero(&Scalar::real(&self)) {
                    $crate::linalg::traits::odd_series_at_zero(self, -<Self as num_traits::One>::one())
                } else {
                    num_traits::Float::sin(self) / self
                }
            }
            /// `sinh(x)/x`; at a value of exactly 0 its Taylor polynomial.
            #[inline]
            fn sinhc(self) -> Self {
                if num_traits::Zero::is_zero(&Scalar::real(&self)) {
                    $crate::linalg::traits::odd_series_at_zero(self, <Self as num_traits::One>::one())
                } else {
                    num_traits::Float::sinh(self) / self
                }
            }
            #[inline]
            fn log(self, base: Self) -> Self {
                num_traits::Float::log(self, base)
            }
            #[inline]
            fn log2(self) -> Self {
                num_traits::Float::log2(self)
            }
            #[inline]
            fn log10(self) -> Self {
                num_traits::Float::log10(self)
            }
            #[inline]
            fn ln(self) -> Self {
                num_traits::Float::ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                num_traits::Float::ln_1p(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                num_traits::Float::sqrt(self)
            }
            #[inline]
            fn exp(self) -> Self {
                num_traits::Float::exp(self)
            }
            #[inline]
            fn exp2(self) -> Self {
                num_traits::Float::exp2(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                num_traits::Float::exp_m1(self)
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                num_traits::Float::powi(self, n)
            }
            #[inline]
            fn powf(self, n: Self) -> Self {
                num_traits::Float::powf(self, n)
            }
            #[inline]
            fn powc(self, n: Self) -> Self {
                num_traits::Float::powf(self, n)
            }
            #[inline]
            fn cbrt(self) -> Self {
                num_traits::Float::cbrt(self)
            }
            /// Whether the value part is finite (as `num_traits::Float::is_finite`).
            #[inline]
            fn is_finite(&self) -> bool {
                num_traits::Float::is_finite(*self)
            }
            /// `Some(√x)` for a value ≥ 0, `None` otherwise (NaN included).
            #[inline]
            fn try_sqrt(self) -> Option<Self> {
                if self.re() >= T::zero() {
                    Some(num_traits::Float::sqrt(self))
                } else {
                    None
                }
            }
        }

        impl<$($g)*> simba::scalar::RealField for $ty
        where
            T: Scalar + RealField,
        {
            #[inline]
            fn is_sign_positive(&self) -> bool {
                num_traits::Float::is_sign_positive(*self)
            }
            #[inline]
            fn is_sign_negative(&self) -> bool {
                num_traits::Float::is_sign_negative(*self)
            }
            /// `|x|` or `−|x|` after the sign of `sign`'s value; no
            /// derivative with respect to `sign`, and `abs′(±0) = ±1`.
            #[inline]
            fn copysign(self, sign: Self) -> Self {
                let a = num_traits::Float::abs(self);
                if num_traits::Float::is_sign_negative(sign) {
                    -a
                } else {
                    a
                }
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                num_traits::Float::max(self, other)
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                num_traits::Float::min(self, other)
            }
            /// `min` below `min`, `max` above `max`, `self` in between and at
            /// a bound (the value as for `f64`): the derivative is that of
            /// `self` on the closed interval, as for `num_traits::Float::clamp`
            /// (and PyTorch's `clamp`).
            #[inline]
            fn clamp(self, min: Self, max: Self) -> Self {
                let x = self.re();
                if x < min.re() {
                    min
                } else if x > max.re() {
                    max
                } else {
                    self
                }
            }
            #[inline]
            fn atan2(self, other: Self) -> Self {
                num_traits::Float::atan2(self, other)
            }
            #[inline]
            fn min_value() -> Option<Self> {
                <T as RealField>::min_value().map(<Self as Number<T>>::constant)
            }
            #[inline]
            fn max_value() -> Option<Self> {
                <T as RealField>::max_value().map(<Self as Number<T>>::constant)
            }
            $crate::linalg::traits::impl_real_consts!(
                pi two_pi frac_pi_2 frac_pi_3 frac_pi_4 frac_pi_6 frac_pi_8 frac_1_pi
                frac_2_pi frac_2_sqrt_pi e log2_e log10_e ln_2 ln_10
            );
        }
    };
}

/// `SubsetOf<Ty> for f64` (or `f32`): a float is the constant with its
/// value, and converting back (`to_subset`, nalgebra's `try_convert`) gives
/// the plain value, dropping the derivative parts. nalgebra relies on that
/// projection: `Matrix::exp` converts a norm ratio to `f64` to choose its
/// degree, and must not fail because the ratio has a derivative.
macro_rules! impl_float_subset {
    ([$($g:tt)*] $ty:ty, $f:ty) => {
        impl<$($g)*> simba::scalar::SubsetOf<$ty> for $f
        where
            T: Scalar + RealField,
        {
            #[inline]
            fn to_superset(&self) -> $ty {
                <$ty as Number<T>>::constant(<T as simba::scalar::SupersetOf<$f>>::from_subset(self))
            }
            #[inline]
            fn from_superset_unchecked(element: &$ty) -> $f {
                <T as simba::scalar::SupersetOf<$f>>::to_subset_unchecked(&element.re())
            }
            #[inline]
            fn is_in_subset(element: &$ty) -> bool {
                <T as simba::scalar::SupersetOf<$f>>::is_in_subset(&element.re())
            }
        }
    };
}
pub(crate) use impl_float_subset;

/// RealField's constants, as constants of the number type.
macro_rules! impl_real_consts {
    ($($c:ident)*) => {
        $(
            #[inline]
            fn $c() -> Self {
                <Self as Number<T>>::constant(<T as RealField>::$c())
            }
        )*
    };
}
pub(crate) use impl_real_consts;

// Used by the recording type (`crate::record`, feature `alloc`).
#[cfg_attr(not(feature = "alloc"), allow(unused_imports))]
pub(crate) use impl_linalg;

impl_linalg!([T] Dual<T>);
impl_linalg!([T] HyperDual<T>);
impl_linalg!([T, const N: usize] DualVec<T, N>);
impl_linalg!([T, const N: usize] Dual2Vec<T, N>);
