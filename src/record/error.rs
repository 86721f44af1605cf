//! What can go wrong when recording or differentiating.

use core::fmt;

/// Why a recording or a question to it failed. Nothing panics: a failed
/// operation gives NaN while recording, and the driver returns the error.
///
/// ```
/// use dualgrad::record::{Recorder, RecordError};
/// let mut r = Recorder::<f64>::new();
/// let y = r.record(&[1.0], |x| x[0] * 2.0)?;
/// r.reset();
/// assert_eq!(r.gradient(y).unwrap_err(), RecordError::Stale);
/// # Ok::<(), RecordError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// A value from another recording (or from before a reset) was used in
    /// this one, or asked about.
    Stale,
    /// More than 2³² − 2 operations in one recording (or the memory for
    /// the nodes could not be allocated).
    TooLong,
    /// A slice has the wrong length (`what`: which argument).
    Size {
        /// Which argument.
        what: &'static str,
        /// The length it needs.
        expected: usize,
        /// The length it has.
        got: usize,
    },
    /// The thread's recording slot is unavailable (the thread is shutting
    /// down, or a recording was started from inside an operation).
    Unavailable,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Stale => f.write_str(
                "a value from another recording (or from before a reset) was used; its derivatives would be wrong",
            ),
            RecordError::TooLong => f.write_str(
                "more than 2^32 - 2 operations in one recording (or no memory for the nodes)",
            ),
            RecordError::Size { what, expected, got } => {
                write!(f, "{what}: expected length {expected}, got {got}")
            }
            RecordError::Unavailable => f.write_str("the thread's recording slot is unavailable"),
        }
    }
}

impl core::error::Error for RecordError {}
