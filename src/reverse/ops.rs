//! The recordable operations, as methods of [`Tape`]. Each checks its
//! operands (same tape, fitting shapes) before any matrix work and returns a
//! [`ReverseError`] naming the operation if they do not fit.

use nalgebra::DMatrix;

use super::error::{ReverseError, Shape};
use super::op::Op;
use super::tape::{Tape, Var};
use crate::{Fun, Scalar};

type R = Result<Var, ReverseError>;

/// The one-hot rows of `labels` over `classes` classes: a
/// `labels.len() × classes` matrix with a 1 in column `labels[i]` of row `i`.
///
/// A label ≥ `classes` is an error, and so is a result of more than
/// [`MAX_NEW_ENTRIES`] entries (`one_hot(&[0], 1 << 40)`).
///
/// ```
/// use dualgrad::reverse::one_hot;
/// use nalgebra::dmatrix;
/// assert_eq!(one_hot::<f64>(&[2, 0], 3)?, dmatrix![0.0, 0.0, 1.0; 1.0, 0.0, 0.0]);
/// assert!(one_hot::<f64>(&[3], 3).is_err()); // label out of range
/// assert!(one_hot::<f64>(&[0], 1 << 40).is_err()); // too large
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub fn one_hot<S: Scalar>(labels: &[usize], classes: usize) -> Result<DMatrix<S>, ReverseError> {
    check_labels("one_hot", labels, classes)?;
    grown("one_hot", (0, 0), (labels.len(), classes))?;
    let mut m = DMatrix::zeros(labels.len(), classes);
    for (i, &l) in labels.iter().enumerate() {
        m[(i, l)] = S::one();
    }
    Ok(m)
}

fn check_labels(op: &'static str, labels: &[usize], classes: usize) -> Result<(), ReverseError> {
    match labels.iter().position(|&l| l >= classes) {
        Some(index) => Err(ReverseError::LabelOutOfRange {
            op,
            index,
            label: labels[index],
            classes,
        }),
        None => Ok(()),
    }
}

impl<S: Scalar> Tape<S> {
    fn rec(&self, op: Op<S>) -> Var {
        self.handle(self.push(op))
    }

    fn unary(&self, name: &'static str, a: Var, op: impl FnOnce(usize) -> Op<S>) -> R {
        let i = self.check(name, a)?;
        Ok(self.rec(op(i)))
    }

    fn map(&self, name: &'static str, a: Var, f: Fun) -> R {
        self.unary(name, a, |i| Op::Map(i, f, 0))
    }

    /// The two operands' indices and shapes.
    fn two(
        &self,
        name: &'static str,
        a: Var,
        b: Var,
    ) -> Result<(usize, usize, Shape, Shape), ReverseError> {
        let (sa, sb) = (self.shape_of(name, a)?, self.shape_of(name, b)?);
        Ok((a.index, b.index, sa, sb))
    }

    fn elementwise(&self, name: &'static str, a: Var, b: Var, op: fn(usize, usize) -> Op<S>) -> R {
        let (i, j, sa, sb) = self.two(name, a, b)?;
        if sa != sb {
            return Err(ReverseError::shape(name, sa, sb, "shapes differ"));
        }
        Ok(self.rec(op(i, j)))
    }

    /// The matrix product `a · b` (a: m×k, b: k×n). A product with more
    /// than [`MAX_NEW_ENTRIES`] entries more than `a` (an m×0 times a 0×n
    /// matrix, for large m and n) is an error.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![3.0; 4.0]));
    /// assert_eq!(t.value(t.matmul(a, b)?)?, dmatrix![11.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn matmul(&self, a: Var, b: Var) -> R {
        let (i, j, sa, sb) = self.two("matmul", a, b)?;
        if sa.1 != sb.0 {
            return Err(ReverseError::shape(
                "matmul",
                sa,
                sb,
                "inner dimensions differ",
            ));
        }
        if sa.0.checked_mul(sb.1).is_none() {
            return Err(ReverseError::shape(
                "matmul",
                sa,
                sb,
                "the product has more elements than fit a usize",
            ));
        }
        // An m×0 times a 0×n factor is m×n zeros from no entries at all.
        grown("matmul", sa, (sa.0, sb.1))?;
        Ok(self.rec(Op::MatMul(i, j)))
    }

    /// The transpose `aᵀ`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0]);
    /// assert_eq!(t.value(t.transpose(a)?)?, dmatrix![1.0; 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn transpose(&self, a: Var) -> R {
        self.unary("transpose", a, Op::Transpose)
    }

    /// The element-wise sum `a + b` (same shapes).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![3.0, 4.0]));
    /// assert_eq!(t.value(t.add(a, b)?)?, dmatrix![4.0, 6.0]);
    /// assert!(t.add(a, t.var(dmatrix![1.0])).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn add(&self, a: Var, b: Var) -> R {
        self.elementwise("add", a, b, Op::Add)
    }

    /// The element-wise difference `a − b` (same shapes).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![3.0, 5.0]));
    /// assert_eq!(t.value(t.sub(a, b)?)?, dmatrix![-2.0, -3.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn sub(&self, a: Var, b: Var) -> R {
        self.elementwise("sub", a, b, Op::Sub)
    }

    /// The element-wise (Hadamard) product `a ⊙ b` (same shapes).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![3.0, 5.0]));
    /// assert_eq!(t.value(t.mul(a, b)?)?, dmatrix![3.0, 10.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn mul(&self, a: Var, b: Var) -> R {
        self.elementwise("mul", a, b, Op::Mul)
    }

    /// The element-wise quotient `a / b` (same shapes).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 3.0]), t.var(dmatrix![2.0, 4.0]));
    /// assert_eq!(t.value(t.div(a, b)?)?, dmatrix![0.5, 0.75]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn div(&self, a: Var, b: Var) -> R {
        self.elementwise("div", a, b, Op::Div)
    }

    /// Adds the 1×n `row` to every row of the m×n matrix `a` (a bias).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0; 3.0, 4.0]), t.var(dmatrix![10.0, 20.0]));
    /// assert_eq!(t.value(t.add_row(a, b)?)?, dmatrix![11.0, 22.0; 13.0, 24.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn add_row(&self, a: Var, row: Var) -> R {
        let (i, j, sa, sb) = self.two("add_row", a, row)?;
        if sb != (1, sa.1) {
            return Err(ReverseError::shape(
                "add_row",
                sa,
                sb,
                "the row must be 1×(columns of the matrix)",
            ));
        }
        Ok(self.rec(Op::AddRow(i, j)))
    }

    /// `k · a` for a constant `k`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0]);
    /// assert_eq!(t.value(t.scale(a, 3.0)?)?, dmatrix![3.0, 6.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn scale(&self, a: Var, k: S) -> R {
        self.unary("scale", a, |i| Op::Scale(i, k))
    }

    /// `−a`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, -2.0]);
    /// assert_eq!(t.value(t.neg(a)?)?, dmatrix![-1.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn neg(&self, a: Var) -> R {
        self.unary("neg", a, |i| Op::Scale(i, -S::one()))
    }

    /// Row-wise softmax (each row's maximum is subtracted first, so large
    /// logits do not overflow).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1000.0, 1000.0]);
    /// assert_eq!(t.value(t.softmax(a)?)?, dmatrix![0.5, 0.5]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn softmax(&self, a: Var) -> R {
        self.unary("softmax", a, Op::Softmax)
    }

    /// Row-wise log-softmax `x − max − ln Σ e^(x − max)` (stable).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1000.0, 1000.0]);
    /// let ls = t.value(t.log_softmax(a)?)?;
    /// assert_eq!(ls, dmatrix![-(2.0_f64.ln()), -(2.0_f64.ln())]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn log_softmax(&self, a: Var) -> R {
        self.unary("log_softmax", a, Op::LogSoftmax)
    }

    /// The sum of all entries (1×1).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// assert_eq!(t.scalar(t.sum(a)?)?, 10.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn sum(&self, a: Var) -> R {
        self.unary("sum", a, Op::Sum)
    }

    /// The mean of all entries (1×1); an empty matrix is an error.
    ///
    /// ```
    /// use nalgebra::{dmatrix, DMatrix};
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// assert_eq!(t.scalar(t.mean(a)?)?, 2.5);
    /// assert!(t.mean(t.var(DMatrix::zeros(0, 3))).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn mean(&self, a: Var) -> R {
        let s = self.shape_of("mean", a)?;
        if s.0 * s.1 == 0 {
            return Err(ReverseError::EmptyBatch { op: "mean" });
        }
        Ok(self.rec(Op::Mean(a.index)))
    }

    /// The sum of each row: an m×1 column.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// assert_eq!(t.value(t.row_sums(a)?)?, dmatrix![3.0; 7.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn row_sums(&self, a: Var) -> R {
        let s = self.shape_of("row_sums", a)?;
        grown("row_sums", s, (s.0, 1))?;
        self.unary("row_sums", a, Op::RowSums)
    }

    /// The sum of each column: a 1×n row.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// assert_eq!(t.value(t.col_sums(a)?)?, dmatrix![4.0, 6.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn col_sums(&self, a: Var) -> R {
        let s = self.shape_of("col_sums", a)?;
        grown("col_sums", s, (1, s.1))?;
        self.unary("col_sums", a, Op::ColSums)
    }

    /// Repeats a 1×1, m×1 or 1×n matrix (or an `rows×cols` one, unchanged)
    /// to `rows×cols`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0]);
    /// assert_eq!(t.value(t.broadcast(a, 2, 2)?)?, dmatrix![1.0, 2.0; 1.0, 2.0]);
    /// assert!(t.broadcast(a, 2, 3).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn broadcast(&self, a: Var, rows: usize, cols: usize) -> R {
        let s = self.shape_of("broadcast", a)?;
        if (s.0 != 1 && s.0 != rows) || (s.1 != 1 && s.1 != cols) {
            return Err(ReverseError::shape(
                "broadcast",
                s,
                (rows, cols),
                "cannot be repeated to that shape",
            ));
        }
        if rows.checked_mul(cols).is_none() {
            return Err(ReverseError::shape(
                "broadcast",
                s,
                (rows, cols),
                "has more elements than fit a usize",
            ));
        }
        grown("broadcast", s, (rows, cols))?;
        Ok(self.rec(Op::Broadcast(a.index, rows, cols)))
    }

    /// The Frobenius norm `‖a‖ = √Σ aᵢⱼ²` (1×1), computed without overflow.
    /// Its gradient `a/‖a‖` is taken to be **0 at `a = 0`**, where the norm
    /// has no derivative. The gradient is computed on `a` scaled by a power
    /// of two (exact), so it is the correctly rounded direction also where
    /// `‖a‖` is subnormal or overflows; recorded
    /// ([`gradient_var`](Tape::gradient_var)), its derivative
    /// `(I − uuᵀ)/‖a‖` is finite wherever `1/‖a‖` is.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![3.0, 4.0]);
    /// let n = t.norm(a)?;
    /// assert_eq!(t.scalar(n)?, 5.0);
    /// let g = t.gradient(n, &[a])?;
    /// assert!((&g[0] - dmatrix![0.6, 0.8]).amax() < 1e-15);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn norm(&self, a: Var) -> R {
        self.unary("norm", a, Op::Norm)
    }

    /// The mean squared error `mean((prediction − target)²)` (1×1).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (p, y) = (t.var(dmatrix![19.0; 9.0]), t.var(dmatrix![20.0; 7.0]));
    /// assert_eq!(t.scalar(t.mse(p, y)?)?, 2.5);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn mse(&self, prediction: Var, target: Var) -> R {
        let (i, j, sa, sb) = self.two("mse", prediction, target)?;
        if sa != sb {
            return Err(ReverseError::shape("mse", sa, sb, "shapes differ"));
        }
        if sa.0 * sa.1 == 0 {
            return Err(ReverseError::EmptyBatch { op: "mse" });
        }
        Ok(self.rec(Op::Mse(i, j)))
    }

    /// The cross-entropy of a batch of logits (one row per example) against
    /// integer class labels, averaged over the batch:
    /// `−mean_i log_softmax(logits)[i, labels[i]]` (1×1). Stable for logits
    /// of any size. Its gradient with respect to the logits is
    /// `(softmax(logits) − one_hot(labels)) / rows`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let z = t.var(dmatrix![1000.0, 0.0; 0.0, 1000.0]);
    /// let l = t.cross_entropy(z, &[0, 1])?;
    /// assert_eq!(t.scalar(l)?, 0.0);
    /// assert!(t.cross_entropy(z, &[0, 2]).is_err()); // only 2 classes
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn cross_entropy(&self, logits: Var, labels: &[usize]) -> R {
        let s = self.shape_of("cross_entropy", logits)?;
        if labels.len() != s.0 {
            return Err(ReverseError::shape(
                "cross_entropy",
                s,
                (labels.len(), 1),
                "one label per row is needed",
            ));
        }
        if s.0 == 0 {
            return Err(ReverseError::EmptyBatch {
                op: "cross_entropy",
            });
        }
        check_labels("cross_entropy", labels, s.1)?;
        let mut m = self.pool.borrow_mut().zeros(s.0, s.1);
        for (i, &l) in labels.iter().enumerate() {
            m[(i, l)] = S::one();
        }
        let target = self.var(m);
        Ok(self.rec(Op::CrossEntropy(logits.index, target.index)))
    }

    /// Records the one-hot rows of `labels` (see [`one_hot`]) as a constant.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.one_hot(&[1], 2)?;
    /// assert_eq!(t.value(y)?, dmatrix![0.0, 1.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn one_hot(&self, labels: &[usize], classes: usize) -> R {
        Ok(self.var(one_hot(labels, classes)?))
    }

    /// Any listed element-wise function ([`Fun`]) applied to every entry:
    /// the same as the named methods (`t.map_fun(x, Fun::Sin)` is
    /// `t.sin(x)`).
    ///
    /// ```
    /// use dualgrad::Fun;
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![0.0, 1.0]);
    /// let y = t.map_fun(x, Fun::Exp)?;
    /// assert_eq!(t.value(y)?, dmatrix![1.0, 1.0_f64.exp()]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn map_fun(&self, a: Var, f: Fun) -> R {
        self.map(f.name(), a, f)
    }

    /// The entry-wise maximum of two matrices (same shapes); at a tie each
    /// operand gets half the adjoint, as in forward mode's `max`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 5.0, 2.0]), t.var(dmatrix![3.0, 4.0, 2.0]));
    /// let m = t.max(a, b)?;
    /// assert_eq!(t.value(m)?, dmatrix![3.0, 5.0, 2.0]);
    /// assert_eq!(t.gradient(m, &[a])?[0], dmatrix![0.0, 1.0, 0.5]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn max(&self, a: Var, b: Var) -> R {
        self.elementwise("max", a, b, |i, j| Op::MaxMin(i, j, true))
    }

    /// The entry-wise minimum of two matrices (same shapes); at a tie each
    /// operand gets half the adjoint.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 5.0]), t.var(dmatrix![3.0, 4.0]));
    /// assert_eq!(t.value(t.min(a, b)?)?, dmatrix![1.0, 4.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn min(&self, a: Var, b: Var) -> R {
        self.elementwise("min", a, b, |i, j| Op::MaxMin(i, j, false))
    }

    /// `k·a + c` for constants `k` and `c`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0]);
    /// assert_eq!(t.value(t.affine(a, 2.0, 1.0)?)?, dmatrix![3.0, 5.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn affine(&self, a: Var, k: S, c: S) -> R {
        self.unary("affine", a, |i| Op::Affine(i, k, c))
    }
}

/// The tape's element-wise methods, one per entry of the list of
/// functions.
macro_rules! tape_methods {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        impl<S: Scalar> Tape<S> {
            $(
                #[doc = concat!(
                    "Element-wise `", stringify!($m), "` ([`Fun::", stringify!($v), "`]), with ",
                    "the forward mode's values and derivatives (its rule, its conventions ",
                    "at kinks and edges); its recorded derivatives can be differentiated ",
                    "again, to any order.\n\n",
                    "```\n",
                    "use dualgrad::Fun;\n",
                    "use nalgebra::dmatrix;\n",
                    "let t = dualgrad::reverse::Tape::<f64>::new();\n",
                    "let x = t.var(dmatrix![0.25, 2.0]);\n",
                    "let y = t.", stringify!($m), "(x", $(", ", stringify!($ex),)? ")?;\n",
                    "let f = Fun::", stringify!($v), $("(", stringify!($ex), ")",)? ";\n",
                    "assert_eq!(t.value(y)?[1].to_bits(), f.apply(2.0_f64).to_bits());\n",
                    "let g = t.gradient(y, &[x])?;\n",
                    "assert_eq!(g[0][1].to_bits(), f.derivative(2.0_f64).to_bits());\n",
                    "# Ok::<(), dualgrad::reverse::ReverseError>(())\n",
                    "```"
                )]
                pub fn $m(&self, a: Var $(, $p: $pt)?) -> R {
                    self.map(stringify!($m), a, Fun::$v$(($p))?)
                }
            )*
        }
    };
}
crate::forward::functions::unary_functions!(tape_methods);

/// The most entries an operation may create beyond those its input holds:
/// 2³² − 1 on 64-bit targets (32 GiB of `f64`), 2¹⁶ − 1 on 32-bit ones. A reduction of an empty matrix (`col_sums` of a
/// 0×2⁴⁰ matrix is 1×2⁴⁰ zeros) or a broadcast past this is an error, not
/// an allocation that aborts the process.
///
/// ```
/// use dualgrad::nalgebra::DMatrix;
/// let t = dualgrad::reverse::Tape::new();
/// let empty = t.var(DMatrix::<f64>::zeros(0, 1 << 40));
/// assert!(t.col_sums(empty).is_err());
/// assert_eq!(t.shape(t.row_sums(empty)?)?, (0, 1));
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub const MAX_NEW_ENTRIES: usize = usize::MAX >> (usize::BITS / 2);

/// `Err` when `out` has more than [`MAX_NEW_ENTRIES`] entries more than
/// `input`.
pub(crate) fn grown(
    op: &'static str,
    input: (usize, usize),
    out: (usize, usize),
) -> Result<(), ReverseError> {
    let have = input.0.saturating_mul(input.1);
    let want = out.0.saturating_mul(out.1);
    if want.saturating_sub(have) > MAX_NEW_ENTRIES {
        return Err(ReverseError::shape(
            op,
            input,
            out,
            "the result would have more than MAX_NEW_ENTRIES entries more than its input",
        ));
    }
    Ok(())
}
