//! [`Tolerance`]: how close a hand-written derivative must be to the
//! references, with defaults for `f64` and `f32`.

use crate::Scalar;

/// The plain float types a derivative check works in: `f64` and `f32`.
///
/// Sealed: it only exists to give each float type its default
/// [`Tolerance`] and a lossless way to `f64`, where the finite-difference
/// reference is always computed.
///
/// ```
/// use dualgrad::check::CheckReal;
/// assert_eq!(CheckReal::as_f64(0.5_f32), 0.5);
/// assert_eq!(f64::default_tolerance().rel, 1e-8);
/// ```
pub trait CheckReal: Scalar<Real = Self> + core::fmt::LowerExp + sealed::Sealed {
    /// The default [`Tolerance`] for this float type (see its docs).
    ///
    /// ```
    /// use dualgrad::check::CheckReal;
    /// assert_eq!(f32::default_tolerance().rel, 1e-4);
    /// ```
    fn default_tolerance() -> Tolerance<Self>;

    /// The value as an `f64` (exact for both float types).
    ///
    /// ```
    /// use dualgrad::check::CheckReal;
    /// assert_eq!(CheckReal::as_f64(1.5_f64), 1.5);
    /// ```
    fn as_f64(self) -> f64;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f64 {}
    impl Sealed for f32 {}
}

impl CheckReal for f64 {
    fn default_tolerance() -> Tolerance<f64> {
        Tolerance {
            abs: 1e-10,
            rel: 1e-8,
            fd_abs: 1e-7,
            fd_rel: 1e-6,
        }
    }
    fn as_f64(self) -> f64 {
        self
    }
}

impl CheckReal for f32 {
    fn default_tolerance() -> Tolerance<f32> {
        Tolerance {
            abs: 1e-5,
            rel: 1e-4,
            fd_abs: 1e-5,
            fd_rel: 1e-4,
        }
    }
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

/// How close a given derivative must be to the two references.
///
/// An entry `g` passes against a reference `r` when
/// `|g − r| ≤ abs + rel·|r|` (`abs`, `rel` for the exact forward-mode
/// reference; `fd_abs`, `fd_rel` for the finite-difference one). NaN never
/// passes; equal infinities do.
///
/// Defaults (`Tolerance::default()`, chosen by the float type):
///
/// | type  | `abs`  | `rel`  | `fd_abs` | `fd_rel` |
/// |-------|--------|--------|----------|----------|
/// | `f64` | 1e-10  | 1e-8   | 1e-7     | 1e-6     |
/// | `f32` | 1e-5   | 1e-4   | 1e-5     | 1e-4     |
///
/// Why: the exact reference differs from a correct hand-written formula only
/// by rounding (a few ulps, more where the formula cancels), so `f64`
/// allows 1e-8 relative. The finite-difference reference is always computed
/// in `f64` with Richardson extrapolation and is typically good to 1e-10
/// relative on smooth, well-scaled functions, but less near singularities or
/// for rapidly varying functions, hence the looser `fd_*` bounds. For `f32`
/// the user's own rounding (about 1e-7 relative, amplified by cancellation)
/// dominates both references.
///
/// ```
/// use dualgrad::check::Tolerance;
/// let t = Tolerance::<f64>::default().with_rel(1e-6);
/// assert_eq!((t.abs, t.rel), (1e-10, 1e-6));
/// assert!(t.accepts(1.0 + 1e-7, 1.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance<T> {
    /// Absolute tolerance against the exact (forward-mode) reference.
    pub abs: T,
    /// Relative tolerance against the exact reference.
    pub rel: T,
    /// Absolute tolerance against the finite-difference reference.
    pub fd_abs: T,
    /// Relative tolerance against the finite-difference reference.
    pub fd_rel: T,
}

impl<T: CheckReal> Default for Tolerance<T> {
    fn default() -> Self {
        T::default_tolerance()
    }
}

impl<T: CheckReal> Tolerance<T> {
    /// The same tolerance with `abs` replaced.
    ///
    /// ```
    /// let t = dualgrad::check::Tolerance::<f64>::default().with_abs(0.0);
    /// assert_eq!(t.abs, 0.0);
    /// ```
    pub fn with_abs(self, abs: T) -> Self {
        Tolerance { abs, ..self }
    }

    /// The same tolerance with `rel` replaced.
    ///
    /// ```
    /// let t = dualgrad::check::Tolerance::<f32>::default().with_rel(1e-3);
    /// assert_eq!(t.rel, 1e-3);
    /// ```
    pub fn with_rel(self, rel: T) -> Self {
        Tolerance { rel, ..self }
    }

    /// The same tolerance with both finite-difference bounds replaced.
    ///
    /// ```
    /// let t = dualgrad::check::Tolerance::<f64>::default().with_fd(1e-4, 1e-4);
    /// assert_eq!((t.fd_abs, t.fd_rel), (1e-4, 1e-4));
    /// ```
    pub fn with_fd(self, fd_abs: T, fd_rel: T) -> Self {
        Tolerance {
            fd_abs,
            fd_rel,
            ..self
        }
    }

    /// Whether `given` passes against the exact reference `exact`.
    ///
    /// ```
    /// let t = dualgrad::check::Tolerance::<f64>::default();
    /// assert!(t.accepts(2.0, 2.0));
    /// assert!(!t.accepts(2.0, -2.0));
    /// assert!(!t.accepts(f64::NAN, f64::NAN));
    /// ```
    pub fn accepts(&self, given: T, exact: T) -> bool {
        within(given, exact, self.abs, self.rel)
    }
}

/// `|g − r| ≤ abs + rel·|r|`, false for NaN, true for equal infinities.
pub(crate) fn within<T: Scalar>(g: T, r: T, abs: T, rel: T) -> bool {
    g == r || (g - r).abs() <= abs + rel * r.abs()
}
