//! How a number type stores its derivative parts, and the bookkeeping that
//! follows from it, written once for every type.
//!
//! A number type is a value `re` plus a few fields of derivative parts,
//! each a single `T`, an array `[T; N]`, or the upper triangle
//! [`Upper`] of an `N × N` matrix. [`Parts`] says how to make, map,
//! combine and test such a field; [`number_parts!`] writes the
//! corresponding methods of [`Number`](super::number::Number) (`re`,
//! `constant`, `with_re`, `map`, `zip`, `is_const`) from the list of
//! fields. Each type then writes only what is its own: its chain rule,
//! product and quotient.

use crate::Scalar;

/// One field of derivative parts.
pub(crate) trait Parts<T: Scalar>: Copy {
    /// Every part zero.
    fn zero() -> Self;
    /// `f` applied to every part.
    fn map(self, f: &impl Fn(T) -> T) -> Self;
    /// `f` applied to every pair of corresponding parts.
    fn zip(self, o: Self, f: &impl Fn(T, T) -> T) -> Self;
    /// Whether every part is exactly zero.
    fn all_zero(&self) -> bool;
}

impl<T: Scalar> Parts<T> for T {
    #[inline(always)]
    fn zero() -> Self {
        T::zero()
    }
    #[inline(always)]
    fn map(self, f: &impl Fn(T) -> T) -> Self {
        f(self)
    }
    #[inline(always)]
    fn zip(self, o: Self, f: &impl Fn(T, T) -> T) -> Self {
        f(self, o)
    }
    #[inline(always)]
    fn all_zero(&self) -> bool {
        self.all_parts_zero()
    }
}

impl<T: Scalar, const N: usize> Parts<T> for [T; N] {
    #[inline(always)]
    fn zero() -> Self {
        [T::zero(); N]
    }
    #[inline(always)]
    fn map(mut self, f: &impl Fn(T) -> T) -> Self {
        for e in self.iter_mut() {
            *e = f(*e);
        }
        self
    }
    #[inline(always)]
    fn zip(mut self, o: Self, f: &impl Fn(T, T) -> T) -> Self {
        for (e, oe) in self.iter_mut().zip(o.iter()) {
            *e = f(*e, *oe);
        }
        self
    }
    #[inline(always)]
    fn all_zero(&self) -> bool {
        self.iter().all(|e| e.all_parts_zero())
    }
}

/// The upper triangle (`j ≥ i`) of a symmetric `N × N` matrix, stored in a
/// full `N × N` array whose lower triangle is never read or written.
///
/// Why the full square: an array of the triangle's `N(N + 1)/2` entries
/// needs that length as a const expression of `N`, which stable Rust does
/// not allow in a type (`[T; N * (N + 1) / 2]`, feature
/// `generic_const_exprs`). The square costs stack space, not arithmetic:
/// every loop visits the triangle only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Upper<T, const N: usize>(pub(crate) [[T; N]; N]);

impl<T: Scalar, const N: usize> Upper<T, N> {
    /// Applies `f(i, j, h)` to every stored entry `h = [i][j]`, `j ≥ i`.
    #[inline(always)]
    pub(crate) fn for_each(&mut self, mut f: impl FnMut(usize, usize, &mut T)) {
        for (i, row) in self.0.iter_mut().enumerate() {
            for (j, h) in row.iter_mut().enumerate().skip(i) {
                f(i, j, h);
            }
        }
    }
}

impl<T: Scalar, const N: usize> Parts<T> for Upper<T, N> {
    #[inline(always)]
    fn zero() -> Self {
        Upper([[T::zero(); N]; N])
    }
    #[inline(always)]
    fn map(mut self, f: &impl Fn(T) -> T) -> Self {
        self.for_each(|_, _, h| *h = f(*h));
        self
    }
    #[inline(always)]
    fn zip(mut self, o: Self, f: &impl Fn(T, T) -> T) -> Self {
        self.for_each(|i, j, h| *h = f(*h, o.0[i][j]));
        self
    }
    #[inline(always)]
    fn all_zero(&self) -> bool {
        let mut zero = true;
        for (i, row) in self.0.iter().enumerate() {
            zero &= row[i..].iter().all(|h| h.all_parts_zero());
        }
        zero
    }
}

/// The bookkeeping methods of [`Number`](super::number::Number) for a
/// struct with a value field `re` and the listed fields of derivative
/// parts: `number_parts!(Dual { eps })` inside `impl Number<T> for Dual<T>`.
macro_rules! number_parts {
    ($ty:ident { $($field:ident),+ }) => {
        #[inline(always)]
        fn re(&self) -> T {
            self.re
        }
        #[inline(always)]
        fn constant(v: T) -> Self {
            $ty { re: v, $($field: $crate::forward::parts::Parts::zero()),+ }
        }
        #[inline(always)]
        fn with_re(self, v: T) -> Self {
            $ty { re: v, ..self }
        }
        #[inline(always)]
        fn map(self, f: impl Fn(T) -> T) -> Self {
            $ty { re: f(self.re), $($field: $crate::forward::parts::Parts::map(self.$field, &f)),+ }
        }
        #[inline(always)]
        fn zip(self, o: Self, f: impl Fn(T, T) -> T) -> Self {
            $ty {
                re: f(self.re, o.re),
                $($field: $crate::forward::parts::Parts::zip(self.$field, o.$field, &f)),+
            }
        }
        #[inline(always)]
        fn is_const(&self) -> bool {
            true $(&& $crate::forward::parts::Parts::all_zero(&self.$field))+
        }
    };
}
pub(crate) use number_parts;
