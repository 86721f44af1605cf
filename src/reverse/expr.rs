//! [`Expr`]: a recorded matrix with its tape and a deferred error, so that
//! tape arithmetic reads like the mathematics (`&w * &x + &b`) and the
//! first mistake is reported once, at the end, still naming the operation
//! and the shapes.

use core::ops::{Add, Mul, Neg, Sub};

use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::error::ReverseError;
use super::tape::{Tape, Var};
use crate::{Fun, Scalar};

/// A recorded matrix together with its [`Tape`], or the error that
/// prevented recording it. Operators and methods record new operations;
/// once an operation fails, every result computed from it carries that
/// first error, which [`var`](Expr::var), [`value`](Expr::value),
/// [`gradient`](Expr::gradient) … return.
///
/// - `a * b` is the **matrix product** (as in nalgebra), `a + b` and
///   `a - b` are entry-wise with equal shapes, `-a` negates;
///   [`hadamard`](Expr::hadamard) is the entry-wise product.
/// - Operators take `Expr`s by value or by reference (`&a * &b` keeps `a`
///   and `b` usable).
/// - Every function of the list ([`Fun`]) is a method (`x.tanh()`,
///   `x.powi(3)`, `x.gelu()`).
///
/// A linear layer ŷ = W·X + b and its squared error against y:
///
/// ```
/// use dualgrad::reverse::Tape;
/// use nalgebra::dmatrix;
///
/// let t = Tape::new();
/// let x = t.input(dmatrix![2.0; 3.0]);
/// let w = t.input(dmatrix![4.0, 2.0; 2.0, 1.0]);
/// let b = t.input(dmatrix![5.0; 2.0]);
/// let y_hat = &w * &x + &b;
/// assert_eq!(y_hat.value()?, dmatrix![19.0; 9.0]);
/// let loss = y_hat.mse(&t.input(dmatrix![20.0; 7.0]));
/// assert_eq!(loss.scalar()?, 2.5);
/// let g = loss.gradient(&[&w, &b, &x])?;
/// assert_eq!(g[0], dmatrix![-2.0, -3.0; 4.0, 6.0]);
/// assert_eq!(g[1], dmatrix![-1.0; 2.0]);
///
/// // A mistake is reported where the result is used, naming the operation.
/// let bad = (&x * &w).tanh() + &b; // 2×1 · 2×2
/// let e = bad.var().unwrap_err();
/// assert_eq!(e.to_string(), "matmul: 2×1 · 2×2: inner dimensions differ");
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Expr<'t, S: Scalar> {
    tape: &'t Tape<S>,
    var: Result<Var, ReverseError>,
}

impl<S: Scalar> Tape<S> {
    /// Records an input matrix and returns it as an [`Expr`].
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.input(nalgebra::dmatrix![1.0, 2.0]);
    /// assert_eq!((&x + &x).value()?, nalgebra::dmatrix![2.0, 4.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn input(&self, value: DMatrix<S>) -> Expr<'_, S> {
        Expr {
            tape: self,
            var: Ok(self.var(value)),
        }
    }

    /// A recorded variable (or a result that may be an error) as an
    /// [`Expr`] on this tape.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let v = t.var(nalgebra::dmatrix![3.0]);
    /// let e = t.expr(v).square();
    /// assert_eq!(e.scalar()?, 9.0);
    /// assert!(t.expr(t.matmul(v, t.var(nalgebra::dmatrix![1.0, 2.0; 3.0, 4.0]))).var().is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn expr(&self, v: impl Into<Result<Var, ReverseError>>) -> Expr<'_, S> {
        Expr {
            tape: self,
            var: v.into(),
        }
    }
}

impl From<Var> for Result<Var, ReverseError> {
    fn from(v: Var) -> Self {
        Ok(v)
    }
}

impl<'t, S: Scalar> Expr<'t, S> {
    /// The recorded variable, or the first error on the way to it.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.input(nalgebra::dmatrix![1.0]);
    /// let v = x.exp().var()?;
    /// assert_eq!(t.scalar(v)?, 1.0_f64.exp());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn var(&self) -> Result<Var, ReverseError> {
        self.var.clone()
    }

    /// The tape this expression records on.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let x = t.input(nalgebra::dmatrix![1.0]);
    /// assert!(std::ptr::eq(x.tape(), &t));
    /// ```
    pub fn tape(&self) -> &'t Tape<S> {
        self.tape
    }

    /// Records `f` on the variable(s), unless an error came first.
    fn then(&self, f: impl FnOnce(&'t Tape<S>, Var) -> Result<Var, ReverseError>) -> Self {
        Expr {
            tape: self.tape,
            var: self.var.clone().and_then(|v| f(self.tape, v)),
        }
    }

    fn then2(
        &self,
        o: &Expr<'_, S>,
        f: impl FnOnce(&'t Tape<S>, Var, Var) -> Result<Var, ReverseError>,
    ) -> Self {
        let var = match (&self.var, &o.var) {
            (Ok(a), Ok(b)) => f(self.tape, *a, *b),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        Expr {
            tape: self.tape,
            var,
        }
    }

    /// The value (a copy).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// assert_eq!(t.input(nalgebra::dmatrix![2.0]).square().value()?, nalgebra::dmatrix![4.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn value(&self) -> Result<DMatrix<S>, ReverseError> {
        self.tape.value(self.var()?)
    }

    /// The value of a 1×1 expression.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// assert_eq!(t.input(nalgebra::dmatrix![1.0, 2.0]).sum().scalar()?, 3.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn scalar(&self) -> Result<S, ReverseError> {
        self.tape.scalar(self.var()?)
    }

    /// The gradient of this expression (of the sum of its entries, if it
    /// is not 1×1) with respect to each source (see [`Tape::gradient`]).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.input(nalgebra::dmatrix![3.0]);
    /// assert_eq!(x.powi(2).gradient(&[&x])?[0], nalgebra::dmatrix![6.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn gradient(&self, sources: &[&Expr<'_, S>]) -> Result<Vec<DMatrix<S>>, ReverseError> {
        let src = sources
            .iter()
            .map(|s| s.var())
            .collect::<Result<Vec<_>, _>>()?;
        self.tape.gradient(self.var()?, &src)
    }

    /// Like [`gradient`](Expr::gradient), recorded (see
    /// [`Tape::gradient_var`]): the gradients are expressions that can be
    /// differentiated again.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.input(nalgebra::dmatrix![3.0]);
    /// let [dx] = x.powi(3).gradient_expr(&[&x])?.try_into().unwrap();
    /// assert_eq!(dx.gradient(&[&x])?[0], nalgebra::dmatrix![18.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn gradient_expr(&self, sources: &[&Expr<'_, S>]) -> Result<Vec<Self>, ReverseError> {
        let src = sources
            .iter()
            .map(|s| s.var())
            .collect::<Result<Vec<_>, _>>()?;
        let g = self.tape.gradient_var(self.var()?, &src)?;
        Ok(g.into_iter().map(|v| self.tape.expr(v)).collect())
    }

    /// The entry-wise product `a ⊙ b`.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.input(nalgebra::dmatrix![2.0, 3.0]);
    /// assert_eq!(a.hadamard(&a).value()?, nalgebra::dmatrix![4.0, 9.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn hadamard(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.mul(a, b))
    }

    /// The entry-wise quotient `a / b`.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.input(nalgebra::dmatrix![2.0, 3.0]);
    /// assert_eq!(a.div(&a).value()?, nalgebra::dmatrix![1.0, 1.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    #[allow(clippy::should_implement_trait)] // `/` would suggest a matrix inverse
    pub fn div(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.div(a, b))
    }

    /// `k · a`.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// assert_eq!(t.input(nalgebra::dmatrix![2.0]).scale(3.0).scalar()?, 6.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn scale(&self, k: S) -> Self {
        self.then(|t, a| t.scale(a, k))
    }

    /// The transpose.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// assert_eq!(t.input(nalgebra::dmatrix![1.0, 2.0]).t().value()?, nalgebra::dmatrix![1.0; 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn t(&self) -> Self {
        self.then(|t, a| t.transpose(a))
    }

    /// Adds the 1×n `row` to every row (see [`Tape::add_row`]).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let a = t.input(nalgebra::dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// let r = t.input(nalgebra::dmatrix![10.0, 20.0]);
    /// assert_eq!(a.add_row(&r).value()?, nalgebra::dmatrix![11.0, 22.0; 13.0, 24.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn add_row(&self, row: &Expr<'_, S>) -> Self {
        self.then2(row, |t, a, b| t.add_row(a, b))
    }

    /// The sum of all entries (1×1).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// assert_eq!(t.input(nalgebra::dmatrix![1.0, 2.0]).sum().scalar()?, 3.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn sum(&self) -> Self {
        self.then(|t, a| t.sum(a))
    }

    /// The mean of all entries (1×1).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// assert_eq!(t.input(nalgebra::dmatrix![1.0, 2.0]).mean().scalar()?, 1.5);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn mean(&self) -> Self {
        self.then(|t, a| t.mean(a))
    }

    /// The mean squared error against `target` (1×1).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let p = t.input(nalgebra::dmatrix![19.0; 9.0]);
    /// assert_eq!(p.mse(&t.input(nalgebra::dmatrix![20.0; 7.0])).scalar()?, 2.5);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn mse(&self, target: &Expr<'_, S>) -> Self {
        self.then2(target, |t, a, b| t.mse(a, b))
    }

    /// Row-wise softmax (see [`Tape::softmax`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![0.0, 0.0]).softmax();
    /// assert_eq!(y.value()?, dmatrix![0.5, 0.5]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn softmax(&self) -> Self {
        self.then(|t, a| t.softmax(a))
    }

    /// Row-wise log-softmax (see [`Tape::log_softmax`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![0.0, 0.0]).log_softmax();
    /// assert_eq!(y.value()?, dmatrix![-(2.0_f64.ln()), -(2.0_f64.ln())]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn log_softmax(&self) -> Self {
        self.then(|t, a| t.log_softmax(a))
    }

    /// Row-wise log-sum-exp (see [`Tape::log_sum_exp`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![0.0, 0.0]).log_sum_exp();
    /// assert_eq!(y.scalar()?, 2.0_f64.ln());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn log_sum_exp(&self) -> Self {
        self.then(|t, a| t.log_sum_exp(a))
    }

    /// The sum of each row (see [`Tape::row_sums`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0, 2.0]).row_sums();
    /// assert_eq!(y.scalar()?, 3.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn row_sums(&self) -> Self {
        self.then(|t, a| t.row_sums(a))
    }

    /// The sum of each column (see [`Tape::col_sums`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0; 2.0]).col_sums();
    /// assert_eq!(y.scalar()?, 3.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn col_sums(&self) -> Self {
        self.then(|t, a| t.col_sums(a))
    }

    /// The Frobenius norm (see [`Tape::norm`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![3.0, 4.0]).norm();
    /// assert_eq!(y.scalar()?, 5.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn norm(&self) -> Self {
        self.then(|t, a| t.norm(a))
    }

    /// `count` rows from `start` (see [`Tape::rows`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0; 2.0; 3.0]).rows(1, 2);
    /// assert_eq!(y.value()?, dmatrix![2.0; 3.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn rows(&self, start: usize, count: usize) -> Self {
        self.then(|t, a| t.rows(a, start, count))
    }

    /// `count` columns from `start` (see [`Tape::cols`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0, 2.0, 3.0]).cols(0, 2);
    /// assert_eq!(y.value()?, dmatrix![1.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn cols(&self, start: usize, count: usize) -> Self {
        self.then(|t, a| t.cols(a, start, count))
    }

    /// The entry `(i, j)` as 1×1 (see [`Tape::entry`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0, 2.0]).entry(0, 1);
    /// assert_eq!(y.scalar()?, 2.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn entry(&self, i: usize, j: usize) -> Self {
        self.then(|t, a| t.entry(a, i, j))
    }

    /// The entries as a `rows×cols` matrix (see [`Tape::reshape`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0, 2.0]).reshape(2, 1);
    /// assert_eq!(y.value()?, dmatrix![1.0; 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn reshape(&self, rows: usize, cols: usize) -> Self {
        self.then(|t, a| t.reshape(a, rows, cols))
    }

    /// The rows at `indices` (see [`Tape::select_rows`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![1.0; 2.0]).select_rows(&[1, 0]);
    /// assert_eq!(y.value()?, dmatrix![2.0; 1.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        self.then(|t, a| t.select_rows(a, indices))
    }

    /// Cross-entropy of logits against labels (see [`Tape::cross_entropy`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let y = t.input(dmatrix![0.0, 0.0]).cross_entropy(&[1]);
    /// assert_eq!(y.scalar()?, 2.0_f64.ln());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn cross_entropy(&self, labels: &[usize]) -> Self {
        self.then(|t, a| t.cross_entropy(a, labels))
    }

    /// `self` above `o` (see [`Tape::concat_rows`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let x = t.input(dmatrix![1.0, 2.0]);
    /// let y = x.concat_rows(&x);
    /// assert_eq!(y.value()?, dmatrix![1.0, 2.0; 1.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn concat_rows(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.concat_rows(a, b))
    }

    /// `self` left of `o` (see [`Tape::concat_cols`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let x = t.input(dmatrix![1.0, 2.0]);
    /// let y = x.concat_cols(&x);
    /// assert_eq!(y.value()?, dmatrix![1.0, 2.0, 1.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn concat_cols(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.concat_cols(a, b))
    }

    /// The entry-wise maximum (see [`Tape::max`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let x = t.input(dmatrix![1.0, 2.0]);
    /// let y = x.max(&x);
    /// assert_eq!(y.value()?, dmatrix![1.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn max(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.max(a, b))
    }

    /// The entry-wise minimum (see [`Tape::min`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let x = t.input(dmatrix![1.0, 2.0]);
    /// let y = x.min(&x);
    /// assert_eq!(y.value()?, dmatrix![1.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn min(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.min(a, b))
    }

    /// The mean absolute error against `o` (see [`Tape::l1_loss`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let x = t.input(dmatrix![1.0, 2.0]);
    /// let y = x.l1_loss(&x);
    /// assert_eq!(y.scalar()?, 0.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn l1_loss(&self, o: &Expr<'_, S>) -> Self {
        self.then2(o, |t, a, b| t.l1_loss(a, b))
    }

    /// The Huber loss against `o` (see [`Tape::huber_loss`]).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// let (p, y) = (t.input(dmatrix![19.0; 9.0]), t.input(dmatrix![20.0; 7.0]));
    /// assert_eq!(p.huber_loss(&y, 1.0).scalar()?, 1.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn huber_loss(&self, o: &Expr<'_, S>, delta: f64) -> Self {
        self.then2(o, |t, a, b| t.huber_loss(a, b, delta))
    }

    /// Any other tape operation on this expression, by a closure:
    /// `x.apply(|t, v| t.rows(v, 0, 2))`.
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.input(nalgebra::dmatrix![1.0; 2.0; 3.0]);
    /// let head = x.apply(|t, v| t.rows(v, 0, 2));
    /// assert_eq!(head.value()?, nalgebra::dmatrix![1.0; 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn apply(&self, f: impl FnOnce(&'t Tape<S>, Var) -> Result<Var, ReverseError>) -> Self {
        self.then(f)
    }
}

/// The element-wise functions of the list as methods of [`Expr`].
macro_rules! expr_methods {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        impl<S: Scalar> Expr<'_, S> {
            $(
                #[doc = concat!(
                    "Element-wise `", stringify!($m), "` (see [`Tape::", stringify!($m), "`]).\n\n",
                    "```\n",
                    "let t = dualgrad::reverse::Tape::<f64>::new();\n",
                    "let x = t.input(nalgebra::dmatrix![0.25, 2.0]);\n",
                    "let y = x.", stringify!($m), "(", $(stringify!($ex),)? ");\n",
                    "let z = t.value(t.", stringify!($m), "(x.var()?", $(", ", stringify!($ex),)? ")?)?;\n",
                    "assert_eq!(y.value()?.map(f64::to_bits), z.map(f64::to_bits));\n",
                    "# Ok::<(), dualgrad::reverse::ReverseError>(())\n",
                    "```"
                )]
                pub fn $m(&self $(, $p: $pt)?) -> Self {
                    self.then(|t, a| t.map_fun(a, Fun::$v$(($p))?))
                }
            )*
        }
    };
}
crate::forward::functions::unary_functions!(expr_methods);

macro_rules! expr_binop {
    ($tr:ident $m:ident |$t:ident, $a:ident, $b:ident| $body:expr) => {
        impl<'t, S: Scalar> $tr<&Expr<'t, S>> for &Expr<'t, S> {
            type Output = Expr<'t, S>;
            fn $m(self, o: &Expr<'t, S>) -> Expr<'t, S> {
                self.then2(o, |$t, $a, $b| $body)
            }
        }
        impl<'t, S: Scalar> $tr<Expr<'t, S>> for &Expr<'t, S> {
            type Output = Expr<'t, S>;
            fn $m(self, o: Expr<'t, S>) -> Expr<'t, S> {
                self.$m(&o)
            }
        }
        impl<'t, S: Scalar> $tr<&Expr<'t, S>> for Expr<'t, S> {
            type Output = Expr<'t, S>;
            fn $m(self, o: &Expr<'t, S>) -> Expr<'t, S> {
                (&self).$m(o)
            }
        }
        impl<'t, S: Scalar> $tr<Expr<'t, S>> for Expr<'t, S> {
            type Output = Expr<'t, S>;
            fn $m(self, o: Expr<'t, S>) -> Expr<'t, S> {
                (&self).$m(&o)
            }
        }
    };
}

expr_binop!(Add add |t, a, b| t.add(a, b));
expr_binop!(Sub sub |t, a, b| t.sub(a, b));
expr_binop!(Mul mul |t, a, b| t.matmul(a, b));

impl<'t, S: Scalar> Neg for &Expr<'t, S> {
    type Output = Expr<'t, S>;
    fn neg(self) -> Expr<'t, S> {
        self.then(|t, a| t.neg(a))
    }
}

impl<'t, S: Scalar> Neg for Expr<'t, S> {
    type Output = Expr<'t, S>;
    fn neg(self) -> Expr<'t, S> {
        -&self
    }
}
