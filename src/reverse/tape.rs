//! [`Tape`]: the recording, and [`Var`]: a handle to one recorded matrix.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicUsize, Ordering};

use nalgebra::DMatrix;

use super::error::{ReverseError, Shape};
use super::kernels;
use super::op::{Em, Ext, Node, Op};
use super::pool::Pool;
use super::vjp::Marks;
use crate::Scalar;

/// Tape ids are never reused, so a variable from another tape (or from this
/// tape before a reset) is always recognised.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

fn fresh_id() -> usize {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A recorded matrix: a small `Copy` handle (the tape's id and a node
/// index). Pass it to the [`Tape`]'s operations; read it with
/// [`Tape::value`].
///
/// ```
/// use dualgrad::reverse::Tape;
/// use nalgebra::dmatrix;
///
/// let tape = Tape::new();
/// let x = tape.var(dmatrix![1.0, 2.0]);
/// let y = tape.mul(x, x)?; // x is Copy: use it as often as needed
/// assert_eq!(tape.value(y)?, dmatrix![1.0, 4.0]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    pub(crate) tape: usize,
    pub(crate) index: usize,
}

/// A recording of matrix operations, for reverse-mode derivatives
/// ([`gradient`](Tape::gradient), [`vjp`](Tape::vjp)) and for derivatives
/// of derivatives ([`gradient_var`](Tape::gradient_var)).
///
/// Values are `nalgebra::DMatrix<S>` for any [`Scalar`] `S`: `f64`, `f32`,
/// or a dual number (a tape on [`Dual<f64>`](crate::Dual) gives
/// forward-over-reverse derivatives, such as Hessian-vector products).
/// Operations are recorded through `&self` (the tape uses a `RefCell`
/// inside), each checks its operands when it is called and returns a
/// [`ReverseError`] naming the operation if they do not fit.
///
/// ```
/// use dualgrad::reverse::Tape;
/// use nalgebra::dmatrix;
///
/// let tape = Tape::new();
/// let x = tape.var(dmatrix![2.0, 3.0]);
/// let y = tape.sum(tape.square(x)?)?; // y = Σ x²
/// let [dx] = tape.gradient(y, &[x])?.try_into().unwrap();
/// assert_eq!(dx, dmatrix![4.0, 6.0]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub struct Tape<S: Scalar> {
    id: usize,
    pub(crate) nodes: RefCell<Vec<Node<S>>>,
    pub(crate) pool: RefCell<Pool<S>>,
    /// The eager backward pass's bookkeeping, reused between passes.
    pub(crate) marks: RefCell<Marks<Em<S>>>,
    /// The user's element-wise functions and matrix operations.
    pub(crate) ext: RefCell<Ext<S>>,
    /// Each user operation's recorded vector-Jacobian product, if any.
    pub(crate) custom_rec: RefCell<Vec<RecVjp<S>>>,
    /// Off inside [`no_grad`](Tape::no_grad): operations are computed but
    /// recorded as constants.
    pub(crate) recording: Cell<bool>,
}

/// A user operation's vector-Jacobian product in recorded operations:
/// `(tape, operands, output, cotangent)` to one adjoint per operand, or
/// `None` if the operation has none.
pub(crate) type RecVjp<S> =
    Arc<dyn Fn(&Tape<S>, &[Var], Var, Var) -> Option<Result<Vec<Var>, ReverseError>> + Send + Sync>;

impl<S: Scalar> core::fmt::Debug for Tape<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tape")
            .field("id", &self.id)
            .field("nodes", &self.nodes)
            .field("ext", &self.ext)
            .field("recording", &self.recording)
            .finish_non_exhaustive()
    }
}

impl<S: Scalar> Default for Tape<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Scalar> Tape<S> {
    /// An empty tape.
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::<f64>::new();
    /// assert!(tape.is_empty());
    /// ```
    pub fn new() -> Self {
        Tape {
            id: fresh_id(),
            nodes: RefCell::new(Vec::new()),
            pool: RefCell::new(Pool::default()),
            marks: RefCell::new(Marks::default()),
            ext: RefCell::new(Ext::default()),
            custom_rec: RefCell::new(Vec::new()),
            recording: Cell::new(true),
        }
    }

    /// Forgets every recorded operation but keeps the tape's storage (the
    /// node list and the recorded matrices' buffers, which the next
    /// recording and backward pass reuse), so a training loop that resets
    /// the same tape every step neither grows nor allocates much.
    /// Variables recorded before the reset are no longer valid: using one
    /// gives [`ReverseError::ForeignVariable`].
    ///
    /// ```
    /// use dualgrad::reverse::{ReverseError, Tape};
    /// use nalgebra::dmatrix;
    ///
    /// let mut tape = Tape::new();
    /// let old = tape.var(dmatrix![1.0]);
    /// tape.reset();
    /// assert!(tape.is_empty());
    /// assert!(matches!(tape.exp(old), Err(ReverseError::ForeignVariable { .. })));
    /// ```
    pub fn reset(&mut self) {
        self.id = fresh_id();
        let pool = self.pool.get_mut();
        for n in self.nodes.get_mut().drain(..) {
            pool.give(n.value);
        }
        *self.ext.get_mut() = Ext::default();
        self.custom_rec.get_mut().clear();
    }

    /// Hands a matrix that is no longer needed (a gradient already applied
    /// by an optimiser, say) to the tape, whose later recordings reuse its
    /// storage: a training loop that recycles its gradients allocates
    /// nothing in its steady state.
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Optimizer, Sgd, Targets};
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[1, 4, 1], &[Tanh, Identity], 0)?;
    /// let (x, y) = (dmatrix![0.0; 1.0], dmatrix![1.0; 0.0]);
    /// let (mut tape, mut sgd) = (Tape::new(), Sgd::new(0.1));
    /// for _ in 0..10 {
    ///     let (_, grads) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
    ///     sgd.update(&mut mlp, &grads)?;
    ///     for g in grads {
    ///         tape.recycle(g.dw);
    ///         tape.recycle(g.db);
    ///     }
    /// }
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn recycle(&self, m: DMatrix<S>) {
        self.pool.borrow_mut().give(m);
    }

    /// The number of recorded nodes (inputs and operation results).
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::new();
    /// let x = tape.var(nalgebra::dmatrix![1.0]);
    /// tape.exp(x)?;
    /// assert_eq!(tape.len(), 2);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// Whether nothing is recorded.
    ///
    /// ```
    /// assert!(dualgrad::reverse::Tape::<f32>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records an input matrix: a parameter, data, or a constant. Any
    /// variable can later be a source of [`gradient`](Tape::gradient).
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::new();
    /// let w = tape.var(nalgebra::DMatrix::<f64>::zeros(3, 2));
    /// assert_eq!(tape.shape(w)?, (3, 2));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn var(&self, value: DMatrix<S>) -> Var {
        self.push_value(value, Op::Leaf)
    }

    /// Records a copy of an input matrix, in storage the tape reuses
    /// between [`reset`](Tape::reset)s (see [`var`](Tape::var)).
    ///
    /// ```
    /// let mut tape = dualgrad::reverse::Tape::new();
    /// let w = nalgebra::DMatrix::<f64>::identity(3, 3);
    /// let v = tape.var_copy(&w);
    /// assert_eq!(tape.value(v)?, w);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn var_copy(&self, value: &DMatrix<S>) -> Var {
        let m = self.pool.borrow_mut().copy(value);
        self.var(m)
    }

    /// Records a 1×1 input.
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::new();
    /// let x = tape.scalar_var(5.0);
    /// assert_eq!(tape.scalar(x)?, 5.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn scalar_var(&self, value: S) -> Var {
        let m = kernels::scalar(&mut self.pool.borrow_mut(), value);
        self.var(m)
    }

    /// A copy of a recorded value.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let tape = dualgrad::reverse::Tape::new();
    /// let x = tape.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
    /// let t = tape.transpose(x)?;
    /// assert_eq!(tape.value(t)?, dmatrix![1.0, 3.0; 2.0, 4.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn value(&self, v: Var) -> Result<DMatrix<S>, ReverseError> {
        self.with_value(v, |m| m.clone())
    }

    /// Calls `f` with a reference to a recorded value (no copy).
    ///
    /// # Panics
    /// If `f` records on this same tape (the value is borrowed while `f`
    /// runs); read with [`value`](Tape::value) to record afterwards.
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::new();
    /// let x = tape.var(nalgebra::dmatrix![1.0, 2.0]);
    /// assert_eq!(tape.with_value(x, |m| m.sum())?, 3.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn with_value<R>(
        &self,
        v: Var,
        f: impl FnOnce(&DMatrix<S>) -> R,
    ) -> Result<R, ReverseError> {
        let i = self.check("value", v)?;
        Ok(f(&self.nodes.borrow()[i].value))
    }

    /// The value of a 1×1 variable (a loss, a norm, a sum).
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::new();
    /// let x = tape.var(nalgebra::dmatrix![1.0, 2.0]);
    /// let s = tape.sum(x)?;
    /// assert_eq!(tape.scalar(s)?, 3.0);
    /// assert!(tape.scalar(x).is_err()); // 1×2 is not a scalar
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn scalar(&self, v: Var) -> Result<S, ReverseError> {
        let i = self.check("scalar", v)?;
        let nodes = self.nodes.borrow();
        let m = &nodes[i].value;
        if m.shape() != (1, 1) {
            return Err(ReverseError::shape(
                "scalar",
                m.shape(),
                (1, 1),
                "not a 1×1 matrix",
            ));
        }
        Ok(m[(0, 0)])
    }

    /// The shape `(rows, columns)` of a recorded value.
    ///
    /// ```
    /// let tape = dualgrad::reverse::Tape::new();
    /// let x = tape.var(nalgebra::DMatrix::<f64>::zeros(2, 5));
    /// assert_eq!(tape.shape(x)?, (2, 5));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn shape(&self, v: Var) -> Result<Shape, ReverseError> {
        self.shape_of("shape", v)
    }

    /// The node index of `v`, or an error naming `op` if `v` is not from
    /// this tape.
    pub(crate) fn check(&self, op: &'static str, v: Var) -> Result<usize, ReverseError> {
        if v.tape == self.id && v.index < self.nodes.borrow().len() {
            Ok(v.index)
        } else {
            Err(ReverseError::ForeignVariable { op })
        }
    }

    /// `Err` if a value recorded at or before node `t` was moved out with
    /// [`take_value`](Tape::take_value): a backward pass or replay of `t`
    /// may read it (it would find an empty matrix of the wrong shape).
    pub(crate) fn check_not_taken(&self, op: &'static str, t: usize) -> Result<(), ReverseError> {
        match self.ext.borrow().taken {
            Some(k) if k <= t => Err(ReverseError::InvalidArgument {
                op,
                reason: "a value recorded before the target was moved out with take_value",
            }),
            _ => Ok(()),
        }
    }

    /// The shape of `v`, checked to be from this tape.
    pub(crate) fn shape_of(&self, op: &'static str, v: Var) -> Result<Shape, ReverseError> {
        let i = self.check(op, v)?;
        Ok(self.nodes.borrow()[i].value.shape())
    }

    pub(crate) fn handle(&self, index: usize) -> Var {
        Var {
            tape: self.id,
            index,
        }
    }

    /// Records `op` (operands already checked) and computes its value.
    pub(crate) fn push(&self, op: Op<S>) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        let value = kernels::eval(&mut self.pool.borrow_mut(), &op, &nodes, &self.ext.borrow());
        let op = if self.recording.get() { op } else { Op::Leaf };
        nodes.push(Node { value, op });
        nodes.len() - 1
    }

    /// Moves a recorded value out of the tape, leaving an empty 0×0
    /// matrix in its place (no copy): how a caller takes back a matrix it
    /// lent with [`var`](Tape::var), as
    /// [`Mlp::loss_and_gradients`](crate::nn::Mlp::loss_and_gradients) does
    /// with the network's parameters. Ask for gradients before taking
    /// values: afterwards a backward pass ([`gradient`](Tape::gradient),
    /// [`vjp`](Tape::vjp), [`gradient_var`](Tape::gradient_var), …) or a
    /// [`replay`](Tape::replay) of a target recorded at or after the taken
    /// node may read it, and is an error
    /// ([`ReverseError::InvalidArgument`]) until the next
    /// [`reset`](Tape::reset).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::new();
    /// let w = t.var(nalgebra::dmatrix![1.0, 2.0]);
    /// let s = t.sum(w)?;
    /// assert_eq!(t.take_value(w)?, nalgebra::dmatrix![1.0, 2.0]);
    /// assert_eq!(t.shape(w)?, (0, 0));
    /// assert!(t.gradient(s, &[w]).is_err()); // its value is gone
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn take_value(&self, v: Var) -> Result<DMatrix<S>, ReverseError> {
        let i = self.check("take_value", v)?;
        let mut ext = self.ext.borrow_mut();
        ext.taken = Some(ext.taken.map_or(i, |t| t.min(i)));
        drop(ext);
        let mut nodes = self.nodes.borrow_mut();
        Ok(core::mem::replace(
            &mut nodes[i].value,
            DMatrix::zeros(0, 0),
        ))
    }

    /// Records a node with a given value.
    pub(crate) fn push_value(&self, value: DMatrix<S>, op: Op<S>) -> Var {
        let op = if self.recording.get() { op } else { Op::Leaf };
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node { value, op });
        self.handle(nodes.len() - 1)
    }
}
