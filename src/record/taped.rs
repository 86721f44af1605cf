//! [`Taped`]: a number that records every operation on it.

use core::fmt;

use crate::forward::number::{dz, impl_number, sc, Number};
use crate::forward::rules::{Jet, Jet2};
use crate::record::tape::{record, Recordable, CONST};
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
/// A value is 24 bytes for `T = f64`: the value, the node it depends on,
/// the coefficient `∂value/∂node` and the recording session. An operation
/// on one node (any function of one variable, an operation with a
/// constant, `x · x`) records nothing: it multiplies the coefficient by the
/// local derivative, as forward mode does a tangent. Only an operation on
/// two different nodes (`x + y`, `x · y`, `atan2(y, x)`) records a node,
/// whose two derivatives carry the coefficients; a backward sweep then
/// visits a few nodes per line of the user's code instead of one per
/// operation. Constants (`S::lit(2.0)`, `S::zero()`) are on no tape.
/// Variables come from a recording
/// ([`Recorder::record`](crate::record::Recorder::record) or a driver such
/// as [`gradient_rev`](crate::record::gradient_rev)); a variable used in
/// another recording, or after its recording was reset, gives NaN and the
/// driver returns [`RecordError::Stale`](crate::record::RecordError::Stale).
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
    /// `∂v/∂(node i)` (not read for a constant).
    pub(crate) c: T,
    /// The node the value depends on (`CONST` for a constant).
    pub(crate) i: u32,
    /// The recording session of node `i` (0 for a constant).
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
        Taped {
            v,
            c: T::zero(),
            i: CONST,
            s: 0,
        }
    }

    /// The variable of node `i` of session `s` (coefficient 1).
    #[inline(always)]
    pub(crate) fn node(v: T, s: u32, i: u32) -> Self {
        Taped {
            v,
            c: T::one(),
            i,
            s,
        }
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

/// The value `v` depending on `a`'s node with the coefficient `g(a.c)`
/// (a constant stays a constant). No node is recorded.
#[inline(always)]
fn scaled<T: Scalar>(v: T, a: Taped<T>, g: impl Fn(T) -> T) -> Taped<T> {
    if a.i == CONST {
        Taped::constant_value(v)
    } else {
        Taped { v, c: g(a.c), ..a }
    }
}

/// The value `v` of a function of `a` and `b`: with `a`'s coefficient `ca`
/// and `b`'s `cb`, the derivative with respect to `a`'s node is `fa(ca)`,
/// to `b`'s `fb(cb)`, and `fab(ca, cb)` when both are the same node (the
/// forward-mode rules for a tangent). Only two different nodes make a new
/// node: a constant operand, or the same node twice (`x · x`, and every
/// function of one variable), records nothing.
#[inline(always)]
fn combine<T: Recordable>(
    v: T,
    a: Taped<T>,
    b: Taped<T>,
    fa: impl Fn(T) -> T,
    fb: impl Fn(T) -> T,
    fab: impl Fn(T, T) -> T,
) -> Taped<T> {
    if b.i == CONST {
        return scaled(v, a, fa);
    }
    if a.i == CONST {
        return scaled(v, b, fb);
    }
    if (a.i == b.i) & (a.s == b.s) {
        return Taped {
            v,
            c: fab(a.c, b.c),
            ..a
        };
    }
    record(v, a.i, a.s, fa(a.c), b.i, b.s, fb(b.c))
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
    /// The same dependence with another value: `x + c` records nothing.
    #[inline(always)]
    fn with_re(self, v: T) -> Self {
        Taped { v, ..self }
    }
    /// `f` applied to the value and to the coefficient, as forward mode
    /// applies it to each part (the callers' `f` are linear: `−x`, `x·c`,
    /// `x/c`, degrees). Records nothing.
    #[inline(always)]
    fn map(self, f: impl Fn(T) -> T) -> Self {
        scaled(f(self.v), self, f)
    }
    /// `f` (linear: `a + b`, `a − b`) applied to the values and to the
    /// coefficients, as forward mode applies it to each pair of parts.
    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(T, T) -> T) -> Self {
        let z = T::zero();
        let v = f(self.v, o.v);
        combine(v, self, o, |a| f(a, z), |b| f(z, b), &f)
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
    fn chain1_by(self, j: Jet<T>, m: impl Fn(T, T) -> T, _q: impl Fn(T, T, T, T) -> T) -> Self {
        scaled(j.f, self, |c| m(j.d1, c))
    }
    #[inline(always)]
    fn chain2_by(self, o: Self, j: Jet2<T>, m: impl Fn(T, T) -> T) -> Self {
        combine(
            j.f,
            self,
            o,
            |a| m(j.fx, a),
            |b| m(j.fy, b),
            |a, b| m(j.fx, a) + m(j.fy, b),
        )
    }
    /// The coefficient times the local derivative `d1`, a zero coefficient
    /// staying zero (forward mode's rule for a tangent); NaN outside the
    /// domain (where the value is NaN, as forward mode makes every part NaN
    /// there). Records nothing.
    #[inline(always)]
    fn chain1(self, j: Jet<T>) -> Self {
        if j.f.is_nan() {
            scaled(j.f, self, |_| j.f)
        } else {
            self.chain1_by(j, sc, |a, b, _, _| a * b)
        }
    }
    /// As [`chain1`](Number::chain1) for a function of two numbers.
    #[inline(always)]
    fn chain2(self, o: Self, j: Jet2<T>) -> Self {
        if j.f.is_nan() {
            let n = j.f;
            combine(n, self, o, |_| n, |_| n, |_, _| n)
        } else {
            self.chain2_by(o, j, sc)
        }
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let (x, y) = (self.v, o.v);
        combine(x * y, self, o, |a| a * y, |b| x * b, |a, b| x * b + a * y)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let (x, y) = (self.v, o.v);
        let q = x / y;
        combine(
            q,
            self,
            o,
            |a| dz(a, y),
            |b| dz(-sc(q, b), y),
            |a, b| dz(a - sc(q, b), y),
        )
    }
}

// The operators inline always: each carries the push of a node, and with
// plain `#[inline]` the compiler leaves some out of line, which costs more
// than the push (Rosenbrock n = 1,000: 21.4 → 16.9 µs, 370 → 338 thousand
// instructions).
impl_number!(#[inline(always)] [T: Recordable] Taped<T>);

impl<T: Scalar> fmt::Display for Taped<T> {
    /// The value (with the formatter's precision).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::forward::number::fmt_part(f, &self.v)
    }
}

impl<T: Scalar> fmt::Debug for Taped<T> {
    /// `Taped(value @ node·coefficient)`, or `Taped(value)` for a constant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.i == CONST {
            write!(f, "Taped({:?})", self.v)
        } else {
            write!(f, "Taped({:?} @ {}·{:?})", self.v, self.i, self.c)
        }
    }
}

impl<T: Scalar> From<T> for Taped<T> {
    /// A constant.
    fn from(x: T) -> Self {
        Taped::constant_value(x)
    }
}
