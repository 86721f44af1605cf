//! [`ReverseError`]: what can go wrong when recording or differentiating.

use core::fmt;

/// A shape `(rows, columns)`.
///
/// ```
/// let t = dualgrad::reverse::Tape::<f64>::new();
/// let s: dualgrad::reverse::Shape = t.shape(t.var(nalgebra::DMatrix::zeros(2, 3)))?;
/// assert_eq!(s, (2, 3));
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub type Shape = (usize, usize);

/// Why an operation could not be recorded or differentiated.
///
/// Every error is detected when the operation is called, before any matrix
/// work, and names the operation. Its `Display` form reads like
/// `matmul: 2×3 · 4×5: inner dimensions differ`.
///
/// ```
/// use dualgrad::reverse::{ReverseError, Tape};
/// use nalgebra::DMatrix;
///
/// let tape = Tape::<f64>::new();
/// let a = tape.var(DMatrix::zeros(2, 3));
/// let b = tape.var(DMatrix::zeros(4, 5));
/// let err = tape.matmul(a, b).unwrap_err();
/// assert!(matches!(err, ReverseError::Shape { op: "matmul", .. }));
/// assert_eq!(err.to_string(), "matmul: 2×3 · 4×5: inner dimensions differ");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReverseError {
    /// The operands' shapes do not fit the operation.
    Shape {
        /// The operation.
        op: &'static str,
        /// The first operand's shape.
        left: Shape,
        /// The second operand's shape (or the shape the operation needs).
        right: Shape,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// A class label is not below the number of classes.
    LabelOutOfRange {
        /// The operation.
        op: &'static str,
        /// The position of the label in the batch.
        index: usize,
        /// The label.
        label: usize,
        /// The number of classes.
        classes: usize,
    },
    /// A batch (or matrix to average over) has no elements.
    EmptyBatch {
        /// The operation.
        op: &'static str,
    },
    /// A variable was recorded on another tape, or on this tape before its
    /// last [`reset`](crate::reverse::Tape::reset).
    ForeignVariable {
        /// The operation.
        op: &'static str,
    },
    /// An index (a row, a column, a selected entry) is not below the
    /// length it indexes.
    IndexOutOfRange {
        /// The operation.
        op: &'static str,
        /// The index.
        index: usize,
        /// The length it must be below.
        len: usize,
    },
    /// A constant argument is outside its range (a dropout probability
    /// not in [0, 1), …).
    InvalidArgument {
        /// The operation.
        op: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Lists that must have the same length do not (layers and gradients,
    /// sizes and activations, …).
    LengthMismatch {
        /// The operation.
        op: &'static str,
        /// The expected length.
        expected: usize,
        /// The length given.
        found: usize,
    },
}

impl ReverseError {
    /// A [`Shape`](ReverseError::Shape) error: `op` cannot take operands
    /// shaped `left` and `right`, for `reason` (for a user's own
    /// operations and layers).
    ///
    /// ```
    /// use dualgrad::reverse::ReverseError;
    /// let e = ReverseError::shape("my_op", (2, 3), (4, 5), "shapes differ");
    /// assert_eq!(e.to_string(), "my_op: 2×3 and 4×5: shapes differ");
    /// ```
    pub fn shape(op: &'static str, left: Shape, right: Shape, reason: &'static str) -> Self {
        ReverseError::Shape {
            op,
            left,
            right,
            reason,
        }
    }
}

impl fmt::Display for ReverseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReverseError::Shape {
                op,
                left,
                right,
                reason,
            } => {
                let sep = if *op == "matmul" { "·" } else { "and" };
                write!(
                    f,
                    "{op}: {}×{} {sep} {}×{}: {reason}",
                    left.0, left.1, right.0, right.1
                )
            }
            ReverseError::LabelOutOfRange {
                op,
                index,
                label,
                classes,
            } => write!(
                f,
                "{op}: label {label} at position {index} is out of range for {classes} classes"
            ),
            ReverseError::IndexOutOfRange { op, index, len } => {
                write!(f, "{op}: index {index} is out of range for length {len}")
            }
            ReverseError::InvalidArgument { op, reason } => write!(f, "{op}: {reason}"),
            ReverseError::EmptyBatch { op } => write!(f, "{op}: empty batch (no elements)"),
            ReverseError::ForeignVariable { op } => write!(
                f,
                "{op}: the variable belongs to another tape (or to this tape before a reset)"
            ),
            ReverseError::LengthMismatch {
                op,
                expected,
                found,
            } => write!(f, "{op}: expected {expected} items, found {found}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ReverseError {}
