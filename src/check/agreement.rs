//! [`Agreement`]: how far a given derivative is from one reference, and the
//! table that reports print.

use core::fmt;

use num_traits::Float;

use super::tolerance::{within, CheckReal};
use crate::Scalar;

/// How far the entries of a given derivative are from one reference.
///
/// `I` is the index type: `usize` for vectors, `(row, column)` for
/// matrices.
///
/// ```
/// use dualgrad::check::check_gradient;
/// use dualgrad::scalar_fn;
///
/// let f = scalar_fn!(|[x, y]| x * y);
/// let r = check_gradient(&f, [2.0, 3.0], [3.0, 2.5]); // ∂f/∂y is wrong
/// assert!(!r.vs_exact.passed);
/// assert_eq!(r.vs_exact.worst, 1);
/// assert_eq!(r.vs_exact.max_abs, 0.5);
/// assert_eq!(r.vs_exact.max_rel, 0.25);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Agreement<T, I> {
    /// The largest absolute error `|given − reference|`.
    pub max_abs: T,
    /// The largest relative error `|given − reference| / |reference|`
    /// (0 where both are 0, ∞ where only the reference is 0).
    pub max_rel: T,
    /// The entry that exceeds its tolerance by the largest factor (the
    /// first NaN entry, if any), or the one closest to failing if all pass.
    pub worst: I,
    /// Whether every entry is within the tolerance.
    pub passed: bool,
}

impl<T: Scalar, I> Agreement<T, I> {
    /// The same agreement with its index translated by `f`.
    pub(crate) fn map_index<J>(self, f: impl FnOnce(I) -> J) -> Agreement<T, J> {
        Agreement {
            max_abs: self.max_abs,
            max_rel: self.max_rel,
            worst: f(self.worst),
            passed: self.passed,
        }
    }
}

/// Compares `given` with `reference` entry by entry.
pub(crate) fn compare<T: Scalar>(
    given: &[T],
    reference: &[T],
    abs: T,
    rel: T,
) -> Agreement<T, usize> {
    let mut a = Agreement {
        max_abs: T::zero(),
        max_rel: T::zero(),
        worst: 0,
        passed: true,
    };
    let mut worst_ratio = T::neg_infinity();
    for (i, (&g, &r)) in given.iter().zip(reference).enumerate() {
        let (err, ratio) = if g == r {
            (T::zero(), T::zero())
        } else if g.is_nan() || r.is_nan() {
            (T::nan(), T::infinity())
        } else {
            let err = (g - r).abs();
            let allowed = abs + rel * r.abs();
            let ratio = if allowed > T::zero() {
                err / allowed
            } else {
                T::infinity()
            };
            (err, ratio)
        };
        let rel_err = if err.is_zero() {
            T::zero()
        } else {
            err / r.abs()
        };
        if err.is_nan() || err > a.max_abs {
            a.max_abs = if a.max_abs.is_nan() { a.max_abs } else { err };
        }
        if rel_err.is_nan() || rel_err > a.max_rel {
            a.max_rel = if a.max_rel.is_nan() {
                a.max_rel
            } else {
                rel_err
            };
        }
        if !within(g, r, abs, rel) {
            a.passed = false;
        }
        if ratio > worst_ratio {
            worst_ratio = ratio;
            a.worst = i;
        }
    }
    a
}

/// How a report labels an entry: `3` for vectors, `(1, 2)` for matrices.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    Vector,
    Matrix { cols: usize },
}

impl Shape {
    fn label(self, flat: usize) -> Label {
        match self {
            Shape::Vector => Label(flat, None),
            Shape::Matrix { cols } => Label(flat / cols, Some(flat % cols)),
        }
    }
}

struct Label(usize, Option<usize>);

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            None => write!(f, "{}", self.0),
            Some(c) => write!(f, "({}, {})", self.0, c),
        }
    }
}

/// One column of a report's table.
pub(crate) struct Column<'a, T> {
    pub title: &'a str,
    pub values: &'a [T],
    /// Three significant digits (errors, steps) instead of all of them.
    pub short: bool,
}

/// Rows printed in full up to this count; beyond it only failing rows.
const FULL_TABLE: usize = 24;

/// Writes a table: a marker (`>` on the worst entry, `x` on failing ones),
/// the entry's label, then one value per column.
pub(crate) fn write_table<T: CheckReal>(
    f: &mut fmt::Formatter<'_>,
    shape: Shape,
    columns: &[Column<'_, T>],
    worst: usize,
    failing: impl Fn(usize) -> bool,
) -> fmt::Result {
    let rows = columns.first().map_or(0, |c| c.values.len());
    write!(f, "  {:>10}", "entry")?;
    for c in columns {
        write!(f, " {:>24}", c.title)?;
    }
    writeln!(f)?;
    let mut skipped = 0;
    for i in 0..rows {
        let bad = failing(i);
        if rows > FULL_TABLE && !bad && i != worst {
            skipped += 1;
            continue;
        }
        let mark = if i == worst && bad {
            '>'
        } else if bad {
            'x'
        } else {
            ' '
        };
        write!(f, "{mark} {:>10}", Padded(shape.label(i)))?;
        for c in columns {
            let v = c.values[i];
            if c.short {
                write!(f, " {:>24}", Padded(Short(v)))?;
            } else {
                write!(f, " {:>24}", Padded(Num(v)))?;
            }
        }
        writeln!(f)?;
    }
    if skipped > 0 {
        writeln!(f, "  ({skipped} passing entries not shown)")?;
    }
    Ok(())
}

/// A number for a report: plain notation for moderate magnitudes,
/// scientific notation otherwise.
pub(crate) struct Num<T>(pub T);

impl<T: CheckReal> fmt::Display for Num<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0.as_f64();
        let a = Float::abs(v);
        if v == 0.0 || !v.is_finite() || (1e-4..1e7).contains(&a) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

/// A number to three significant digits, for errors and steps.
pub(crate) struct Short<T>(pub T);

impl<T: CheckReal> fmt::Display for Short<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let a = Float::abs(v.as_f64());
        if v.is_zero() || !v.is_finite() {
            write!(f, "{v}")
        } else if (1e-3..1e5).contains(&a) {
            let decimals = (3.0 - Float::floor(Float::log10(a))) as usize;
            write!(f, "{v:.decimals$}")
        } else {
            write!(f, "{v:.2e}")
        }
    }
}

/// Any `Display` value, honouring width and alignment, without allocating.
struct Padded<D>(D);

impl<D: fmt::Display> fmt::Display for Padded<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        let mut w = Buf {
            buf: &mut buf,
            len: 0,
        };
        fmt::write(&mut w, format_args!("{}", self.0))?;
        let len = w.len;
        f.pad(core::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
}

struct Buf<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl fmt::Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The label of the flat entry `i` for messages.
pub(crate) fn label(shape: Shape, i: usize) -> impl fmt::Display {
    shape.label(i)
}

/// Writes `max abs error …, max rel error … (worst entry …)` for one
/// comparison.
pub(crate) fn write_agreement<T: CheckReal>(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    a: &Agreement<T, usize>,
    shape: Shape,
) -> fmt::Result {
    writeln!(
        f,
        "  {name:<24} {:<6}  max abs error {}, max rel error {}, worst entry {}",
        if a.passed { "ok" } else { "FAILED" },
        Short(a.max_abs),
        Short(a.max_rel),
        shape.label(a.worst),
    )
}
