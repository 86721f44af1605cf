//! [`Report`]: what every check answers — passed, where to look, and a
//! panic with the whole report — written once for the four report types.

use core::fmt;

/// A derivative check's outcome: one comparison against the exact
/// forward-mode derivative, and one independent check (finite differences,
/// or for a VJP the dot-product test). The verdict, the entry to look at
/// and the assertion follow from those two, the same way for every report.
///
/// Bring it into scope to call its methods (`use dualgrad::check::Report`;
/// it is also in [`prelude`](crate::prelude)).
///
/// ```
/// use dualgrad::check::{check_gradient, Report};
/// use dualgrad::scalar_fn;
///
/// let f = scalar_fn!(|[x, y, z]| x * y * z);
/// assert!(check_gradient(&f, [1.0, 2.0, 3.0], [6.0, 3.0, 2.0]).passed());
/// let wrong = check_gradient(&f, [1.0, 2.0, 3.0], [6.0, 3.0, 3.0]);
/// assert!(!wrong.passed());
/// assert_eq!(wrong.worst(), 2); // ∂/∂z = xy = 2, not 3
/// ```
pub trait Report: fmt::Display {
    /// Which entry: `usize` for vectors, `(row, column)` for matrices.
    type Index: Copy;

    /// The comparison with the exact derivative: whether it passed, and its
    /// worst entry.
    ///
    /// ```
    /// use dualgrad::check::{check_gradient, Report};
    /// let r = check_gradient(&dualgrad::scalar_fn!(|[x]| x * x), [3.0], [6.0]);
    /// assert_eq!(r.exact_check(), (true, 0));
    /// ```
    fn exact_check(&self) -> (bool, Self::Index);

    /// The independent check: whether it passed, and the entry it points at
    /// (none for a test that yields a single number, like the dot product).
    ///
    /// ```
    /// use dualgrad::check::{check_gradient, Report};
    /// let r = check_gradient(&dualgrad::scalar_fn!(|[x]| x * x), [3.0], [6.0]);
    /// assert_eq!(r.independent_check(), (true, Some(0)));
    /// ```
    fn independent_check(&self) -> (bool, Option<Self::Index>);

    /// Whether the derivative under test passed both checks.
    ///
    /// At a kink (`abs`, `relu`, `max` at a tie) a central difference
    /// averages the two one-sided slopes, so a derivative that follows this
    /// crate's conventions fails against it; [`exact_check`](Self::exact_check)
    /// is then the verdict to read (or check away from the kink).
    ///
    /// ```
    /// use dualgrad::check::{check_hessian, Report};
    /// use dualgrad::scalar_fn;
    /// assert!(check_hessian(&scalar_fn!(|[x]| x * x * x), [2.0], [[12.0]]).passed());
    /// ```
    fn passed(&self) -> bool {
        self.exact_check().0 && self.independent_check().0
    }

    /// The entry to look at: the worst one against the exact derivative if
    /// that comparison failed, else the one the independent check points at.
    ///
    /// ```
    /// use dualgrad::check::{check_jacobian, Report};
    /// use dualgrad::vector_fn;
    /// let r = check_jacobian(&vector_fn!(|[x, y]| [x, x * y]), [1.0, 2.0], [[1.0, 0.0], [2.0, 2.0]]);
    /// assert_eq!(r.worst(), (1, 1)); // ∂(xy)/∂y = x = 1
    /// ```
    fn worst(&self) -> Self::Index {
        match (self.exact_check(), self.independent_check()) {
            ((true, _), (false, Some(second))) => second,
            ((_, first), _) => first,
        }
    }

    /// Panics with the whole report as the message unless it
    /// [passed](Self::passed).
    ///
    /// ```should_panic
    /// use dualgrad::check::{check_vjp, Report};
    /// use dualgrad::vector_fn;
    /// check_vjp(&vector_fn!(|[a]| [a * a]), [1.0], |v: [f64; 1]| [v[0]]).assert();
    /// ```
    #[track_caller]
    fn assert(&self) {
        if !self.passed() {
            panic!("{self}");
        }
    }
}
