//! [`Taped`]: a number that records every operation on it.

use core::fmt;

use crate::forward::number::{impl_number, Number};
use crate::forward::rules::{Jet, Jet2};
use crate::record::tape::{record, record1, Recordable, CONST};
use crate::Scalar;

/// A number that records every operation on it, for reverse mode: the
/// gradient of one output with respect to any number of inputs in one
/// backward sweep.
///
/// `Taped<T>` is a [`Scalar`] (so `num_traits::Float`, `FloatConst`,
/// operators with plain constants) and, with the `nalgebra` feature, a
/// `RealField`: any function generic over either runs on it unchanged,
/// including nalgebra's decompositions. Every local derivative comes from
/// the forward mode's rule table.
///
/// A value is 16 bytes for `T = f64` (passed in two registers): the value,
/// the index of its node and the recording session it belongs to. Constants (`S::lit(2.0)`,
/// `S::zero()`) are on no tape. Variables come from a recording
/// ([`Recorder::record`](crate::record::Recorder::record) or a driver such as
/// [`gradient_rev`](crate::record::gradient_rev)); a variable used in another
/// recording, or after its recording was reset, gives NaN and the driver
/// returns [`RecordError::Stale`](crate::record::RecordError::Stale).
///
/// Comparisons look at the value, as for the forward types.
///
/// ```
/// use dualgrad::record::gradient_rev;
/// use dualgrad::Scalar;
///
/// fn f<S: Scalar>(x: S, y: S) -> S {
///     x * x + (y * y).tanh()
/// }
/// let (z, g) = gradient_rev(|[x, y]| f(x, y), [2.0, 3.0])?;
/// assert_eq!(z, f(2.0, 3.0));
/// assert_eq!(g[0], 4.0);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Taped<T> {
    pub(crate) v: T,
    pub(crate) i: u32,
    pub(crate) s: u32,
}

impl<T: Scalar> Taped<T> {
    /// A constant: on no tape, derivative zero.
    ///
    /// ```
    /// let c = dualgrad::record::Taped::constant(2.0);
    /// assert_eq!(c.value(), 2.0);
    /// assert!(!c.is_variable());
    /// ```
    #[inline]
    pub fn constant(v: T) -> Self {
        Self::constant_value(v)
    }

    #[inline(always)]
    pub(crate) fn constant_value(v: T) -> Self {
        Taped { v, i: CONST, s: 0 }
    }

    /// The value.
    ///
    /// ```
    /// assert_eq!(dualgrad::record::Taped::constant(1.5).value(), 1.5);
    /// ```
    #[inline]
    pub fn value(&self) -> T {
        self.v
    }

    /// Whether the value was recorded (depends on a recording's inputs).
    ///
    /// ```
    /// use dualgrad::num_traits::Float;
    /// use dualgrad::record::Recorder;
    /// let mut r = Recorder::<f64>::new();
    /// let (y, c) = r.record(&[1.0], |x| (x[0] * 2.0, x[0].signum()))?;
    /// assert!(y.is_variable());
    /// assert!(!c.is_variable()); // signum is flat: a constant, not recorded
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    #[inline]
    pub fn is_variable(&self) -> bool {
        self.i != CONST
    }
}

/// Whether `d` is exactly 1 in every part (`==` compares value parts only).
#[inline(always)]
fn is_one<T: Scalar>(d: T) -> bool {
    (d - T::one()).all_parts_zero()
}

/// Records a node for `f(self)`; a constant stays a constant.
#[inline(always)]
fn unary<T: Recordable>(x: Taped<T>, f: T, d: T) -> Taped<T> {
    if x.i == CONST {
        Taped::constant_value(f)
    } else {
        record1(f, x, d)
    }
}

/// Records a node for `f(a, b)`; constants stay constants.
#[inline(always)]
fn binary<T: Recordable>(a: Taped<T>, b: Taped<T>, f: T, da: T, db: T) -> Taped<T> {
    if (a.i == CONST) & (b.i == CONST) {
        Taped::constant_value(f)
    } else {
        record(f, a, da, b, db)
    }
}

impl<T: Recordable> Number<T> for Taped<T> {
    // The rule table's second derivatives are never used: a recording over
    // `Dual<f64>` gets second derivatives from the first-derivative rule
    // evaluated in `Dual<f64>`.
    const SECOND: bool = false;
    const WIDE: bool = false;
    #[inline(always)]
    fn re(&self) -> T {
        self.v
    }
    #[inline(always)]
    fn constant(v: T) -> Self {
        Taped::constant_value(v)
    }
    /// The same node with another value: `x + c` needs no node.
    #[inline(always)]
    fn with_re(self, v: T) -> Self {
        Taped { v, ..self }
    }
    /// `f` must be linear and homogeneous (every caller's is: `−x`, `x·c`,
    /// `x/c`, degrees): the local derivative is `f(1)`. A factor of exactly
    /// 1 records nothing.
    #[inline(always)]
    fn map(self, f: impl Fn(T) -> T) -> Self {
        let v = f(self.v);
        let d = f(T::one());
        if self.i != CONST && is_one(d) {
            Taped { v, ..self }
        } else {
            unary(self, v, d)
        }
    }
    /// `f` must be linear and homogeneous in both arguments (the callers'
    /// are `a + b` and `a − b`): the local derivatives are `f(1, 0)` and
    /// `f(0, 1)`. A constant operand whose partner has derivative 1 records
    /// nothing (`x + c`).
    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(T, T) -> T) -> Self {
        let (z, one) = (T::zero(), T::one());
        let v = f(self.v, o.v);
        let da = f(one, z);
        let db = f(z, one);
        if o.i == CONST && is_one(da) {
            self.with_re(v)
        } else if self.i == CONST && is_one(db) {
            o.with_re(v)
        } else {
            binary(self, o, v, da, db)
        }
    }
    #[inline(always)]
    fn is_const(&self) -> bool {
        self.i == CONST
    }
    /// The approx comparisons compare values: the derivative parts are on
    /// the tape, not in the number.
    fn parts_all(self, o: Self, f: impl Fn(&T, &T) -> bool) -> bool {
        f(&self.v, &o.v)
    }
    #[inline(always)]
    fn chain1_by(self, j: Jet<T>, _m: impl Fn(T, T) -> T, _q: impl Fn(T, T, T, T) -> T) -> Self {
        unary(self, j.f, j.d1)
    }
    #[inline(always)]
    fn chain2_by(self, o: Self, j: Jet2<T>, _m: impl Fn(T, T) -> T) -> Self {
        binary(self, o, j.f, j.fx, j.fy)
    }
    /// A node with the local derivative `d1`; NaN outside the domain (where
    /// the value is NaN, as forward mode makes every part NaN there).
    #[inline(always)]
    fn chain1(self, j: Jet<T>) -> Self {
        let d = if j.f.is_nan() { j.f } else { j.d1 };
        unary(self, j.f, d)
    }
    /// As [`chain1`](Number::chain1): NaN outside the domain makes both
    /// local derivatives NaN (forward mode makes every part NaN).
    #[inline(always)]
    fn chain2(self, o: Self, j: Jet2<T>) -> Self {
        if j.f.is_nan() {
            binary(self, o, j.f, j.f, j.f)
        } else {
            binary(self, o, j.f, j.fx, j.fy)
        }
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        binary(self, o, self.v * o.v, o.v, self.v)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let q = self.v / o.v;
        if self.i == CONST && o.i == CONST {
            return Taped::constant_value(q);
        }
        let r = o.v.recip();
        record(q, self, r, o, -(q * r))
    }
}

impl_number!([T: Recordable] Taped<T>);

impl<T: Scalar> fmt::Display for Taped<T> {
    /// The value (with the formatter's precision).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::forward::number::fmt_part(f, &self.v)
    }
}

impl<T: Scalar> fmt::Debug for Taped<T> {
    /// `Taped(value @ node)`, or `Taped(value)` for a constant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.i == CONST {
            write!(f, "Taped({:?})", self.v)
        } else {
            write!(f, "Taped({:?} @ {})", self.v, self.i)
        }
    }
}

impl<T: Scalar> From<T> for Taped<T> {
    /// A constant.
    fn from(x: T) -> Self {
        Taped::constant_value(x)
    }
}
