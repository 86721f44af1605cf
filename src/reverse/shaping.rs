//! Slicing, concatenation, reshaping, gathering, masking and the
//! reductions and losses built on them, as methods of [`Tape`]. Every
//! index and size is checked (with overflow-checked arithmetic) before any
//! matrix work; a mistake is a [`ReverseError`] naming the operation.

use alloc::sync::Arc;

use nalgebra::DMatrix;

use super::error::{ReverseError, Shape};
use super::op::Op;
use super::tape::{Tape, Var};
use crate::{Fun, Scalar};

type R = Result<Var, ReverseError>;

/// `a + b`, or a shape error naming `op` if it overflows.
fn add(op: &'static str, s: Shape, a: usize, b: usize) -> Result<usize, ReverseError> {
    a.checked_add(b)
        .ok_or(ReverseError::shape(op, s, (a, b), "the size overflows"))
}

impl<S: Scalar> Tape<S> {
    fn rec_op(&self, op: Op<S>) -> Var {
        self.handle(self.push(op))
    }

    /// The constant `m` (a mask), checked to be shaped like `s`.
    fn mask_var(
        &self,
        op: &'static str,
        s: Shape,
        mask: &DMatrix<bool>,
        on: S,
    ) -> Result<Var, ReverseError> {
        if mask.shape() != s {
            return Err(ReverseError::shape(
                op,
                s,
                mask.shape(),
                "the mask must be shaped like the matrix",
            ));
        }
        let m = self.pool.borrow_mut().fill(
            s.0,
            s.1,
            mask.iter().map(|&b| if b { on } else { S::zero() }),
        );
        Ok(self.var(m))
    }

    /// The `rows×cols` block of `a` whose top-left entry is `(row, col)`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0, 3.0; 4.0, 5.0, 6.0]);
    /// let b = t.block(a, (0, 1), (2, 2))?;
    /// assert_eq!(t.value(b)?, dmatrix![2.0, 3.0; 5.0, 6.0]);
    /// assert_eq!(t.gradient(b, &[a])?[0], dmatrix![0.0, 1.0, 1.0; 0.0, 1.0, 1.0]);
    /// assert!(t.block(a, (1, 1), (2, 2)).is_err()); // does not fit
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn block(&self, a: Var, at: (usize, usize), size: (usize, usize)) -> R {
        self.block_named("block", a, at, size)
    }

    fn block_named(
        &self,
        op: &'static str,
        a: Var,
        (r0, c0): (usize, usize),
        (nr, nc): (usize, usize),
    ) -> R {
        let s = self.shape_of(op, a)?;
        let end = (add(op, s, r0, nr)?, add(op, s, c0, nc)?);
        if end.0 > s.0 || end.1 > s.1 {
            return Err(ReverseError::shape(
                op,
                s,
                end,
                "the block (its end shown) does not fit in the matrix",
            ));
        }
        Ok(self.rec_op(Op::Block(a.index, r0, c0, nr, nc)))
    }

    /// `count` rows of `a` from row `start`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0; 2.0; 3.0]);
    /// assert_eq!(t.value(t.rows(a, 1, 2)?)?, dmatrix![2.0; 3.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn rows(&self, a: Var, start: usize, count: usize) -> R {
        let c = self.shape_of("rows", a)?.1;
        self.block_named("rows", a, (start, 0), (count, c))
    }

    /// `count` columns of `a` from column `start`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0, 3.0]);
    /// assert_eq!(t.value(t.cols(a, 0, 2)?)?, dmatrix![1.0, 2.0]);
    /// assert!(t.cols(a, 2, 2).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn cols(&self, a: Var, start: usize, count: usize) -> R {
        let r = self.shape_of("cols", a)?.0;
        self.block_named("cols", a, (0, start), (r, count))
    }

    /// The single entry `(i, j)` as a 1×1 matrix.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// let e = t.entry(a, 1, 0)?;
    /// assert_eq!(t.scalar(e)?, 3.0);
    /// assert_eq!(t.gradient(e, &[a])?[0], dmatrix![0.0, 0.0; 1.0, 0.0]);
    /// assert!(t.entry(a, 2, 0).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn entry(&self, a: Var, i: usize, j: usize) -> R {
        self.block_named("entry", a, (i, j), (1, 1))
    }

    /// `a` above `b` (the same number of columns): rows concatenated.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![3.0, 4.0; 5.0, 6.0]));
    /// assert_eq!(t.value(t.concat_rows(a, b)?)?, dmatrix![1.0, 2.0; 3.0, 4.0; 5.0, 6.0]);
    /// assert!(t.concat_rows(a, t.var(dmatrix![1.0])).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn concat_rows(&self, a: Var, b: Var) -> R {
        self.concat("concat_rows", a, b, true)
    }

    /// `a` left of `b` (the same number of rows): columns concatenated.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0; 2.0]), t.var(dmatrix![3.0; 4.0]));
    /// assert_eq!(t.value(t.concat_cols(a, b)?)?, dmatrix![1.0, 3.0; 2.0, 4.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn concat_cols(&self, a: Var, b: Var) -> R {
        self.concat("concat_cols", a, b, false)
    }

    fn concat(&self, op: &'static str, a: Var, b: Var, rows: bool) -> R {
        let (sa, sb) = (self.shape_of(op, a)?, self.shape_of(op, b)?);
        let (fits, reason) = if rows {
            (sa.1 == sb.1, "the numbers of columns differ")
        } else {
            (sa.0 == sb.0, "the numbers of rows differ")
        };
        if !fits {
            return Err(ReverseError::shape(op, sa, sb, reason));
        }
        let total = if rows { (sa.0, sb.0) } else { (sa.1, sb.1) };
        let n = add(op, sa, total.0, total.1)?;
        let other = if rows { sa.1 } else { sa.0 };
        if n.checked_mul(other).is_none() {
            return Err(ReverseError::shape(op, sa, sb, "the size overflows"));
        }
        Ok(self.rec_op(Op::Concat(a.index, b.index, rows)))
    }

    /// The entries of `a`, in column-major order, as a `rows×cols` matrix
    /// (`rows·cols` must be the number of entries).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 3.0; 2.0, 4.0]);
    /// assert_eq!(t.value(t.reshape(a, 1, 4)?)?, dmatrix![1.0, 2.0, 3.0, 4.0]);
    /// assert!(t.reshape(a, 3, 1).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn reshape(&self, a: Var, rows: usize, cols: usize) -> R {
        let s = self.shape_of("reshape", a)?;
        if rows.checked_mul(cols) != Some(s.0 * s.1) {
            return Err(ReverseError::shape(
                "reshape",
                s,
                (rows, cols),
                "the numbers of entries differ",
            ));
        }
        Ok(self.rec_op(Op::Reshape(a.index, rows, cols)))
    }

    /// The rows of `a` at `indices`, in that order (repeats allowed; the
    /// gradient adds up over repeats): index-select / gather. An index out
    /// of range is an error, and so is a result with more than
    /// [`MAX_NEW_ENTRIES`](super::MAX_NEW_ENTRIES) entries more than `a`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0; 2.0; 3.0]);
    /// let g = t.select_rows(a, &[2, 0, 2])?;
    /// assert_eq!(t.value(g)?, dmatrix![3.0; 1.0; 3.0]);
    /// assert_eq!(t.gradient(g, &[a])?[0], dmatrix![1.0; 0.0; 2.0]);
    /// assert!(t.select_rows(a, &[3]).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn select_rows(&self, a: Var, indices: &[usize]) -> R {
        self.gather("select_rows", a, indices, true)
    }

    /// The columns of `a` at `indices`, in that order (repeats allowed;
    /// checked as in [`select_rows`](Tape::select_rows)).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0, 3.0]);
    /// assert_eq!(t.value(t.select_cols(a, &[1, 1])?)?, dmatrix![2.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn select_cols(&self, a: Var, indices: &[usize]) -> R {
        self.gather("select_cols", a, indices, false)
    }

    fn gather(&self, op: &'static str, a: Var, indices: &[usize], rows: bool) -> R {
        let s = self.shape_of(op, a)?;
        let len = if rows { s.0 } else { s.1 };
        if let Some(&index) = indices.iter().find(|&&i| i >= len) {
            return Err(ReverseError::IndexOutOfRange { op, index, len });
        }
        let out = if rows {
            (indices.len(), s.1)
        } else {
            (s.0, indices.len())
        };
        super::ops::grown(op, s, out)?;
        let id = {
            let mut ext = self.ext.borrow_mut();
            ext.indices.push(Arc::from(indices));
            ext.indices.len() - 1
        };
        Ok(self.rec_op(Op::Gather(a.index, id, rows)))
    }

    /// `a` where `mask` is true, `b` elsewhere (`where`); each gets the
    /// adjoint where it was selected, and no NaN or infinity leaks from the
    /// unselected side.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![f64::INFINITY, 20.0]));
    /// let w = t.select(&dmatrix![true, false], a, b)?;
    /// assert_eq!(t.value(w)?, dmatrix![1.0, 20.0]);
    /// assert_eq!(t.gradient(w, &[a, b])?, vec![dmatrix![1.0, 0.0], dmatrix![0.0, 1.0]]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn select(&self, mask: &DMatrix<bool>, a: Var, b: Var) -> R {
        let (sa, sb) = (self.shape_of("select", a)?, self.shape_of("select", b)?);
        if sa != sb {
            return Err(ReverseError::shape("select", sa, sb, "shapes differ"));
        }
        let m = self.mask_var("select", sa, mask, S::one())?;
        let inv = mask.map(|b| !b);
        let n = self.mask_var("select", sa, &inv, S::one())?;
        let pa = self.rec_op(Op::MulZ(m.index, a.index));
        let pb = self.rec_op(Op::MulZ(n.index, b.index));
        self.add(pa, pb)
    }

    /// Inverted dropout with a given mask: `a ⊙ keep / (1 − p)`, `p` the
    /// drop probability in [0, 1).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 2.0, 3.0, 4.0]);
    /// let d = t.dropout(a, &dmatrix![true, false, true, true], 0.5)?;
    /// assert_eq!(t.value(d)?, dmatrix![2.0, 0.0, 6.0, 8.0]);
    /// assert!(t.dropout(a, &dmatrix![true, false, true, true], 1.0).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn dropout(&self, a: Var, keep: &DMatrix<bool>, p: f64) -> R {
        if !(0.0..1.0).contains(&p) {
            return Err(ReverseError::InvalidArgument {
                op: "dropout",
                reason: "the drop probability must be in [0, 1)",
            });
        }
        let s = self.shape_of("dropout", a)?;
        let m = self.mask_var("dropout", s, keep, S::lit(1.0 / (1.0 - p)))?;
        Ok(self.rec_op(Op::MulZ(m.index, a.index)))
    }

    /// Row-wise log-sum-exp `ln Σⱼ exp(aᵢⱼ)` (m×1), computed with each row's
    /// maximum subtracted first (no overflow); its gradient is the
    /// row-wise softmax.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1000.0, 1000.0]);
    /// let l = t.log_sum_exp(a)?;
    /// assert_eq!(t.scalar(l)?, 1000.0 + 2.0_f64.ln());
    /// assert_eq!(t.gradient(l, &[a])?[0], dmatrix![0.5, 0.5]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn log_sum_exp(&self, a: Var) -> R {
        let s = self.shape_of("log_sum_exp", a)?;
        super::ops::grown("log_sum_exp", s, (s.0, 1))?;
        Ok(self.rec_op(Op::LogSumExp(a.index)))
    }

    /// The mean of each row (m×1); a matrix without columns is an error.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 3.0; 5.0, 7.0]);
    /// assert_eq!(t.value(t.row_means(a)?)?, dmatrix![2.0; 6.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn row_means(&self, a: Var) -> R {
        let s = self.shape_of("row_means", a)?;
        if s.1 == 0 {
            return Err(ReverseError::EmptyBatch { op: "row_means" });
        }
        self.scale(self.row_sums(a)?, S::one() / S::lit(s.1 as f64))
    }

    /// The mean of each column (1×n); a matrix without rows is an error.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.var(dmatrix![1.0, 3.0; 5.0, 7.0]);
    /// assert_eq!(t.value(t.col_means(a)?)?, dmatrix![3.0, 5.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn col_means(&self, a: Var) -> R {
        let s = self.shape_of("col_means", a)?;
        if s.0 == 0 {
            return Err(ReverseError::EmptyBatch { op: "col_means" });
        }
        self.scale(self.col_sums(a)?, S::one() / S::lit(s.0 as f64))
    }

    /// The difference of two same-shaped, non-empty matrices, for a loss.
    fn residual(&self, op: &'static str, prediction: Var, target: Var) -> R {
        let (sa, sb) = (self.shape_of(op, prediction)?, self.shape_of(op, target)?);
        if sa != sb {
            return Err(ReverseError::shape(op, sa, sb, "shapes differ"));
        }
        if sa.0 * sa.1 == 0 {
            return Err(ReverseError::EmptyBatch { op });
        }
        self.sub(prediction, target)
    }

    /// The mean absolute error `mean(|prediction − target|)` (1×1; the
    /// derivative of |·| at 0 is 0).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (p, y) = (t.var(dmatrix![19.0; 9.0]), t.var(dmatrix![20.0; 7.0]));
    /// let l = t.l1_loss(p, y)?;
    /// assert_eq!(t.scalar(l)?, 1.5);
    /// assert_eq!(t.gradient(l, &[p])?[0], dmatrix![-0.5; 0.5]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn l1_loss(&self, prediction: Var, target: Var) -> R {
        let d = self.residual("l1_loss", prediction, target)?;
        self.mean(self.abs(d)?)
    }

    /// The Huber loss `mean(huber_δ(prediction − target))` (1×1): `½d²`
    /// for `|d| ≤ δ`, `δ(|d| − ½δ)` beyond (see [`Fun::Huber`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (p, y) = (t.var(dmatrix![19.0; 9.0]), t.var(dmatrix![20.0; 7.0]));
    /// let l = t.huber_loss(p, y, 1.0)?; // (½·1 + 1·(2 − ½)) / 2
    /// assert_eq!(t.scalar(l)?, 1.0);
    /// assert_eq!(t.gradient(l, &[p])?[0], dmatrix![-0.5; 0.5]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn huber_loss(&self, prediction: Var, target: Var, delta: f64) -> R {
        let d = self.residual("huber_loss", prediction, target)?;
        self.mean(self.map_fun(d, Fun::Huber(delta))?)
    }
}
