//! [`Replay`]: a recording run again on new input values, forward and
//! backward, without recording anything anew.

use alloc::vec::Vec;
use core::cell::RefCell;

use nalgebra::DMatrix;

use super::algebra::Eager;
use super::error::ReverseError;
use super::kernels;
use super::op::{Em, Ext, Node, Op};
use super::pool::Pool;
use super::tape::{Tape, Var};
use super::vjp::{backward_into, Marks};
use crate::{Fun, Scalar};

const OP: &str = "Replay";

/// A recorded graph that runs again, forward and backward, on new values
/// of its inputs — what `jax.jit` and `tf.function` give for a training
/// step whose graph does not change.
///
/// Made by [`Tape::replay`] from a recording: the target (a loss), the
/// inputs whose values change between runs (parameters, data, one-hot
/// targets) and the sources whose gradients are wanted. Each
/// [`run`](Replay::run) copies the new input values into the recording,
/// recomputes every operation the target depends on, in recorded order,
/// with the same kernels as a recording, and runs the same backward pass
/// as [`Tape::gradient`]: the loss and gradients equal those of a fresh
/// recording bit for bit. Operands are not checked again; every matrix
/// lives in storage reused from the previous run, so a run allocates
/// nothing of its own (the product kernels still allocate packing buffers
/// inside large products). When every operation the target depends on is
/// a product, `add`, `sub`, `mul`, `add_row`, `scale`, an element-wise
/// function, `sum`, `mean`, `mse` or `cross_entropy` (what
/// [`Mlp`](crate::nn::Mlp) records), values and adjoints are computed in
/// place and the backward pass is planned once; otherwise each operation
/// runs the tape's own kernels on pooled storage and the backward pass is
/// the tape's.
///
/// - An input given with another shape than recorded is a
///   [`ReverseError::Shape`], and the replay is left unchanged; a graph
///   whose shapes change needs a new recording.
/// - Leaves that are not inputs keep their recorded values (constants),
///   and so do values computed inside [`no_grad`](Tape::no_grad), which
///   the tape records as leaves. A user operation
///   ([`CustomOp`](crate::reverse::CustomOp)) has no forward rule to run
///   again: a graph that contains one is refused by [`Tape::replay`].
/// - A target that is not 1×1 gives the gradient of the sum of its
///   entries; a source the target does not depend on gets zeros (as
///   [`Tape::gradient`]).
///
/// ```
/// use dualgrad::reverse::Tape;
/// use nalgebra::dmatrix;
///
/// // Record once: l = mean(tanh(x·W + b)²).
/// let t = Tape::new();
/// let x = t.var(dmatrix![1.0, 2.0]);
/// let w = t.var(dmatrix![0.1, 0.2; 0.3, 0.4]);
/// let b = t.var(dmatrix![0.0, 0.1]);
/// let l = t.mean(t.square(t.tanh(t.add_row(t.matmul(x, w)?, b)?)?)?)?;
/// let mut step = t.replay(l, &[x, w, b], &[w, b])?;
///
/// // Replay with new values: the same numbers as a fresh recording.
/// let (x2, w2) = (dmatrix![3.0, -1.0], dmatrix![0.5, 0.0; 0.0, 0.5]);
/// let loss = step.run(&[&x2, &w2, &dmatrix![0.0, 0.1]])?;
/// let fresh = Tape::new();
/// let (x, w, b) = (fresh.var(x2), fresh.var(w2), fresh.var(dmatrix![0.0, 0.1]));
/// let l = fresh.mean(fresh.square(fresh.tanh(fresh.add_row(fresh.matmul(x, w)?, b)?)?)?)?;
/// assert_eq!(loss, fresh.scalar(l)?);
/// assert_eq!(step.gradients(), &fresh.gradient(l, &[w, b])?[..]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub struct Replay<S: Scalar> {
    nodes: Vec<Node<S>>,
    ext: Ext<S>,
    pool: RefCell<Pool<S>>,
    marks: Marks<Em<S>>,
    /// The operations to recompute, in order: every non-leaf node the
    /// target depends on.
    plan: Vec<usize>,
    inputs: Vec<usize>,
    sources: Vec<usize>,
    target: usize,
    /// The backward pass's results, before they are moved into `grads`.
    out: Vec<Option<Em<S>>>,
    grads: Vec<DMatrix<S>>,
    /// The in-place passes, if they cover every operation of the graph
    /// (otherwise each operation is computed into pooled storage and the
    /// backward pass is [`Tape::gradient`]'s).
    fast: Option<Fast<S>>,
}

impl<S: Scalar> core::fmt::Debug for Replay<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Replay")
            .field("nodes", &self.nodes.len())
            .field("operations", &self.plan.len())
            .field("inputs", &self.inputs)
            .field("sources", &self.sources)
            .field("target", &self.target)
            .field("in_place", &self.fast.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: Scalar> Tape<S> {
    /// Makes a [`Replay`] of this recording: `target` (a loss) as a
    /// function of `inputs` (variables recorded with [`var`](Tape::var)
    /// and friends, whose values each [`Replay::run`] replaces), with the
    /// gradients of `target` with respect to `sources` (any variables).
    /// The recording is copied: the tape can be reset or reused.
    ///
    /// Errors: a variable from another tape
    /// ([`ReverseError::ForeignVariable`]), an input that is the result
    /// of an operation, or a graph that contains a user operation
    /// ([`ReverseError::InvalidArgument`]).
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![3.0]);
    /// let y = t.mul(x, x)?;
    /// let mut r = t.replay(y, &[x], &[x])?;
    /// assert_eq!(r.run(&[&dmatrix![5.0]])?, 25.0);
    /// assert_eq!(r.gradients()[0], dmatrix![10.0]);
    /// assert!(t.replay(y, &[y], &[x]).is_err()); // y is not an input
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn replay(
        &self,
        target: Var,
        inputs: &[Var],
        sources: &[Var],
    ) -> Result<Replay<S>, ReverseError> {
        let t = self.check("Tape::replay", target)?;
        self.check_not_taken("Tape::replay", t)?;
        let nodes = self.nodes.borrow();
        let mut inp = Vec::with_capacity(inputs.len());
        for &v in inputs {
            let i = self.check("Tape::replay", v)?;
            if !matches!(nodes[i].op, Op::Leaf) {
                return Err(ReverseError::InvalidArgument {
                    op: "Tape::replay",
                    reason: "an input must be a recorded input (var), not an operation's result",
                });
            }
            inp.push(i);
        }
        let src = sources
            .iter()
            .map(|&v| self.check("Tape::replay", v))
            .collect::<Result<Vec<_>, _>>()?;
        // The nodes the target depends on.
        let mut live = alloc::vec![false; t + 1];
        live[t] = true;
        for i in (0..=t).rev() {
            if live[i] {
                for p in nodes[i].op.parents().into_iter().flatten() {
                    live[p] = true;
                }
            }
        }
        let mut plan = Vec::new();
        for (i, n) in nodes[..=t].iter().enumerate() {
            match n.op {
                Op::Leaf => {}
                Op::Custom(..) | Op::CustomGrad(..) if live[i] => {
                    return Err(ReverseError::InvalidArgument {
                        op: "Tape::replay",
                        reason: "a user operation (CustomOp) has no forward rule to replay",
                    })
                }
                _ if live[i] => plan.push(i),
                _ => {}
            }
        }
        let ext = self.ext.borrow();
        let ext = Ext {
            elem: ext.elem.clone(),
            elem2: ext.elem2.clone(),
            custom: ext.custom.clone(),
            indices: ext.indices.clone(),
            taken: None,
        };
        let grads = src
            .iter()
            .map(|&s| {
                let (r, c) = nodes[s].value.shape();
                DMatrix::zeros(r, c)
            })
            .collect();
        let fast = Fast::plan(&nodes, &plan, t, &src);
        let mut r = Replay {
            fast,
            nodes: nodes[..=t].to_vec(),
            ext,
            pool: RefCell::new(Pool::default()),
            marks: Marks::default(),
            plan,
            inputs: inp,
            sources: src,
            target: t,
            out: Vec::with_capacity(sources.len()),
            grads,
        };
        drop(nodes);
        // One backward pass now, so that the bookkeeping and the pool are
        // sized before the first run.
        r.backward();
        Ok(r)
    }
}

impl<S: Scalar> Tape<S> {
    /// The one-hot target leaf of the cross-entropy recorded at `loss`.
    pub(crate) fn cross_entropy_target(&self, loss: Var) -> Option<Var> {
        let i = self.check("cross_entropy", loss).ok()?;
        match self.nodes.borrow()[i].op {
            Op::CrossEntropy(_, t) => Some(self.handle(t)),
            _ => None,
        }
    }
}

impl<S: Scalar> Replay<S> {
    /// Replaces the inputs' values (in the order given to
    /// [`Tape::replay`]) by copies of `values`, recomputes the target,
    /// and returns it if it is 1×1 (the sum of its entries otherwise).
    /// Gradients are not computed: see [`run`](Replay::run).
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let s = t.sum(t.exp(x)?)?;
    /// let mut r = t.replay(s, &[x], &[])?;
    /// assert_eq!(r.forward(&[&dmatrix![0.0, 0.0]])?, 2.0);
    /// assert!(r.forward(&[&dmatrix![0.0]]).is_err()); // recorded 1×2
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn forward(&mut self, values: &[&DMatrix<S>]) -> Result<S, ReverseError> {
        self.set_inputs(values)?;
        Ok(self.forward_again())
    }

    /// Checks `values` against the inputs, then copies them in; on an
    /// error nothing is changed.
    fn set_inputs(&mut self, values: &[&DMatrix<S>]) -> Result<(), ReverseError> {
        if values.len() != self.inputs.len() {
            return Err(ReverseError::LengthMismatch {
                op: OP,
                expected: self.inputs.len(),
                found: values.len(),
            });
        }
        for (k, v) in values.iter().enumerate() {
            self.input_shape(k, v.shape())?;
        }
        for (&i, v) in self.inputs.iter().zip(values) {
            self.nodes[i]
                .value
                .as_mut_slice()
                .copy_from_slice(v.as_slice());
        }
        Ok(())
    }

    /// The node of input `k`, checked to have shape `found`.
    fn input_shape(&self, k: usize, found: (usize, usize)) -> Result<usize, ReverseError> {
        let Some(&i) = self.inputs.get(k) else {
            return Err(ReverseError::IndexOutOfRange {
                op: OP,
                index: k,
                len: self.inputs.len(),
            });
        };
        let have = self.nodes[i].value.shape();
        if have != found {
            return Err(ReverseError::shape(
                OP,
                have,
                found,
                "an input must keep its recorded shape",
            ));
        }
        Ok(i)
    }

    /// Copies `value` into input `k` (numbered in the order given to
    /// [`Tape::replay`]) for the next [`run_again`](Replay::run_again) or
    /// [`forward_again`](Replay::forward_again).
    ///
    /// ```
    /// use dualgrad::reverse::{ReverseError, Tape};
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let (a, b) = (t.var(dmatrix![1.0]), t.var(dmatrix![2.0]));
    /// let y = t.mul(a, b)?;
    /// let mut r = t.replay(y, &[a, b], &[a])?;
    /// r.set_input(1, &dmatrix![5.0])?;
    /// assert_eq!(r.run_again(), 5.0);
    /// assert_eq!(r.gradients()[0], dmatrix![5.0]);
    /// assert!(matches!(r.set_input(1, &dmatrix![1.0, 2.0]), Err(ReverseError::Shape { .. })));
    /// assert!(matches!(r.set_input(2, &dmatrix![1.0]), Err(ReverseError::IndexOutOfRange { .. })));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn set_input(&mut self, k: usize, value: &DMatrix<S>) -> Result<(), ReverseError> {
        let i = self.input_shape(k, value.shape())?;
        self.nodes[i]
            .value
            .as_mut_slice()
            .copy_from_slice(value.as_slice());
        Ok(())
    }

    /// Swaps `value` with input `k`'s value (same shape; no copy): how a
    /// caller lends large parameters for a run and takes them back after
    /// it (swap again).
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let s = t.sum(x)?;
    /// let mut r = t.replay(s, &[x], &[x])?;
    /// let mut w = dmatrix![3.0, 4.0];
    /// r.swap_input(0, &mut w)?;
    /// assert_eq!(r.run_again(), 7.0);
    /// r.swap_input(0, &mut w)?;
    /// assert_eq!(w, dmatrix![3.0, 4.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn swap_input(&mut self, k: usize, value: &mut DMatrix<S>) -> Result<(), ReverseError> {
        let i = self.input_shape(k, value.shape())?;
        core::mem::swap(&mut self.nodes[i].value, value);
        Ok(())
    }

    /// Input `k`'s value, to be changed in place (its shape is checked to
    /// be `shape` first; the closure must keep it).
    pub(crate) fn with_input(
        &mut self,
        k: usize,
        shape: (usize, usize),
        f: impl FnOnce(&mut DMatrix<S>),
    ) -> Result<(), ReverseError> {
        let i = self.input_shape(k, shape)?;
        f(&mut self.nodes[i].value);
        debug_assert_eq!(self.nodes[i].value.shape(), shape);
        Ok(())
    }

    /// Swaps gradient `k` with `g` (same shape, checked by the caller).
    pub(crate) fn swap_gradient(&mut self, k: usize, g: &mut DMatrix<S>) {
        core::mem::swap(&mut self.grads[k], g);
    }

    /// Recomputes the target from the inputs' current values (as set by
    /// [`set_input`](Replay::set_input) or [`swap_input`](Replay::swap_input))
    /// and returns it (the sum of its entries if it is not 1×1).
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![2.0]);
    /// let y = t.exp(x)?;
    /// let mut r = t.replay(y, &[x], &[])?;
    /// r.set_input(0, &dmatrix![0.0])?;
    /// assert_eq!(r.forward_again(), 1.0);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn forward_again(&mut self) -> S {
        let pool = self.pool.get_mut();
        if let Some(f) = &mut self.fast {
            for &i in &self.plan {
                forward_in_place(&mut self.nodes, i, pool, &mut f.probs);
            }
            return self.output().sum();
        }
        for &i in &self.plan {
            let old = core::mem::replace(&mut self.nodes[i].value, DMatrix::zeros(0, 0));
            pool.give(old);
            let v = kernels::eval(pool, &self.nodes[i].op, &self.nodes, &self.ext);
            self.nodes[i].value = v;
        }
        self.output().sum()
    }

    /// [`forward_again`](Replay::forward_again), then the gradients
    /// ([`gradients`](Replay::gradients)); returns the target's value.
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![2.0]);
    /// let y = t.square(x)?;
    /// let mut r = t.replay(y, &[x], &[x])?;
    /// r.set_input(0, &dmatrix![3.0])?;
    /// assert_eq!(r.run_again(), 9.0);
    /// assert_eq!(r.gradients()[0], dmatrix![6.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn run_again(&mut self) -> S {
        let l = self.forward_again();
        self.backward();
        l
    }

    /// [`forward`](Replay::forward), then the gradients of the target
    /// with respect to the sources ([`gradients`](Replay::gradients)).
    /// Returns the target's value (the sum of its entries if it is not
    /// 1×1).
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let (x, w) = (t.var(dmatrix![1.0, 2.0]), t.var(dmatrix![3.0; 4.0]));
    /// let y = t.matmul(x, w)?;
    /// let mut r = t.replay(y, &[x, w], &[w])?;
    /// assert_eq!(r.run(&[&dmatrix![1.0, 0.0], &dmatrix![3.0; 4.0]])?, 3.0);
    /// assert_eq!(r.gradients()[0], dmatrix![1.0; 0.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn run(&mut self, values: &[&DMatrix<S>]) -> Result<S, ReverseError> {
        self.set_inputs(values)?;
        Ok(self.run_again())
    }

    /// The backward pass from the target, into `grads`.
    fn backward(&mut self) {
        if let Some(f) = &mut self.fast {
            let pool = self.pool.get_mut();
            f.backward(
                &self.nodes,
                pool,
                self.target,
                &self.sources,
                &mut self.grads,
            );
            return;
        }
        let nodes = &self.nodes;
        let (r, c) = nodes[self.target].value.shape();
        let mut alg = Eager {
            nodes,
            pool: self.pool.borrow_mut(),
            ext: &self.ext,
            err: None,
        };
        let seed = alg.pool.fill(r, c, core::iter::repeat_n(S::one(), r * c));
        backward_into(
            &mut alg,
            self.target,
            Em::Own(seed),
            &self.sources,
            &mut self.marks,
            &mut self.out,
        );
        for (g, o) in self.grads.iter_mut().zip(self.out.drain(..)) {
            match o {
                Some(Em::Own(m)) => alg.pool.give(core::mem::replace(g, m)),
                Some(Em::Node(i)) => g.copy_from(&nodes[i].value),
                None => g.fill(S::zero()),
            }
        }
    }

    /// The target's value from the last run.
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let y = t.scale(x, 2.0)?;
    /// let mut r = t.replay(y, &[x], &[])?;
    /// r.forward(&[&dmatrix![3.0, 4.0]])?;
    /// assert_eq!(r.output(), &dmatrix![6.0, 8.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn output(&self) -> &DMatrix<S> {
        &self.nodes[self.target].value
    }

    /// The gradients of the target with respect to the sources (in the
    /// order given to [`Tape::replay`]) from the last
    /// [`run`](Replay::run), shaped like the sources.
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let y = t.sum(t.square(x)?)?;
    /// let mut r = t.replay(y, &[x], &[x])?;
    /// r.run(&[&dmatrix![3.0, 4.0]])?;
    /// assert_eq!(r.gradients(), &[dmatrix![6.0, 8.0]]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn gradients(&self) -> &[DMatrix<S>] {
        &self.grads
    }
}

/// One term of the fast backward pass: what is added to an adjoint, given
/// the adjoint `g` of a node (each formula is the eager pass's, operation
/// for operation, so that the results agree bit for bit).
#[derive(Clone, Copy, Debug)]
enum Term<S> {
    /// `g`.
    Copy,
    /// `g·k` (`k = −1` for the second operand of a difference).
    Scale(S),
    /// `g ⊙ node`.
    MulNode(usize),
    /// `g ⊙ f′(node)`, zero where `g` is zero.
    Deriv(usize, Fun),
    /// `g ⊙ tanh′(x)` given `y = tanh(x)` (nodes `x`, `y`), zero where `g`
    /// is zero: `Fun::Tanh.derivative(x)` without computing `tanh x` again.
    DerivTanh(usize, usize),
    /// The column sums of `g`.
    ColSums,
    /// Every entry `g₀` (of a sum) or `g₀·k` (of a mean).
    Fill(Option<S>),
    /// `g · nodeᵀ`.
    MatNt(usize),
    /// `nodeᵀ · g`.
    MatTn(usize),
    /// `(g₀·(a − b))·(2/n)`, negated for `b`.
    Mse(usize, usize, bool),
    /// `(softmax(z) − t)·g₀·(1/rows)`, softmax(z) kept by the forward
    /// pass in the plan's buffer of this index.
    CrossEntropy(usize, usize),
}

/// One step of the fast backward pass: `adj[to] (+)= term(adj[from])`,
/// where `first` says whether it is the first term (a write) or a later
/// one (computed aside, then added, as the eager pass accumulates).
#[derive(Clone, Copy, Debug)]
struct Step<S> {
    from: usize,
    to: usize,
    term: Term<S>,
    first: bool,
}

/// A backward pass planned once: its steps in the eager pass's order and
/// an adjoint buffer per node that needs one.
#[derive(Debug)]
pub(crate) struct Fast<S: Scalar> {
    steps: Vec<Step<S>>,
    adj: Vec<DMatrix<S>>,
    /// Whether each source's adjoint is reached from the target.
    reached: Vec<bool>,
    /// For each cross-entropy node the backward pass goes through: the
    /// node, and softmax of its logits from the last forward pass (the
    /// backward pass starts from it instead of computing it again).
    probs: Vec<(usize, DMatrix<S>)>,
}

/// Whether the fast passes cover an operation.
fn fast_op<S>(op: &Op<S>) -> bool {
    matches!(
        op,
        Op::Leaf
            | Op::MatMul(..)
            | Op::Add(..)
            | Op::Sub(..)
            | Op::Mul(..)
            | Op::AddRow(..)
            | Op::Scale(..)
            | Op::Map(_, _, 0)
            | Op::Sum(_)
            | Op::Mean(_)
            | Op::Mse(..)
            | Op::CrossEntropy(..)
    )
}

impl<S: Scalar> Fast<S> {
    /// The plan for `nodes` (every operation covered), from `target` to
    /// `sources`; `None` if an operation is not covered.
    pub(crate) fn plan(
        nodes: &[Node<S>],
        ops: &[usize],
        target: usize,
        sources: &[usize],
    ) -> Option<Self> {
        let n = target + 1;
        if !ops.iter().all(|&i| fast_op(&nodes[i].op)) {
            return None;
        }
        let mut need = alloc::vec![false; n];
        for &s in sources {
            if s < n {
                need[s] = true;
            }
        }
        for i in 0..n {
            if !need[i] {
                need[i] = nodes[i].op.parents().iter().flatten().any(|&p| need[p]);
            }
        }
        let mut has = alloc::vec![false; n];
        has[target] = need[target];
        let mut steps = Vec::new();
        let mut probs = Vec::new();
        for i in (0..n).rev() {
            if !need[i] || !has[i] {
                continue;
            }
            let mut give = |to: usize, term: Term<S>| {
                if need[to] {
                    steps.push(Step {
                        from: i,
                        to,
                        term,
                        first: !has[to],
                    });
                    has[to] = true;
                }
            };
            match nodes[i].op {
                Op::MatMul(a, b) => {
                    give(a, Term::MatNt(b));
                    give(b, Term::MatTn(a));
                }
                Op::Add(a, b) => {
                    give(a, Term::Copy);
                    give(b, Term::Copy);
                }
                Op::Sub(a, b) => {
                    give(a, Term::Copy);
                    give(b, Term::Scale(-S::one()));
                }
                Op::Mul(a, b) => {
                    give(a, Term::MulNode(b));
                    give(b, Term::MulNode(a));
                }
                Op::AddRow(a, r) => {
                    give(r, Term::ColSums);
                    give(a, Term::Copy);
                }
                Op::Scale(a, k) => give(a, Term::Scale(k)),
                Op::Map(a, Fun::Tanh, _) => give(a, Term::DerivTanh(a, i)),
                Op::Map(a, f, _) => give(a, Term::Deriv(a, f)),
                Op::Sum(a) => give(a, Term::Fill(None)),
                Op::Mean(a) => {
                    let (r, c) = nodes[a].value.shape();
                    give(a, Term::Fill(Some(S::one() / S::lit((r * c) as f64))));
                }
                Op::Mse(a, b) => {
                    give(b, Term::Mse(a, b, true));
                    give(a, Term::Mse(a, b, false));
                }
                Op::CrossEntropy(z, t) if need[z] => {
                    // Softmax of the recorded logits, for a backward pass
                    // before any forward one.
                    let sm = kernels::softmax(&mut Pool::default(), &nodes[z].value);
                    probs.push((i, sm));
                    give(z, Term::CrossEntropy(probs.len() - 1, t));
                }
                _ => {}
            }
        }
        let adj = (0..n)
            .map(|i| {
                if has[i] {
                    let (r, c) = nodes[i].value.shape();
                    DMatrix::zeros(r, c)
                } else {
                    DMatrix::zeros(0, 0)
                }
            })
            .collect();
        let reached = sources.iter().map(|&s| s < n && has[s]).collect();
        Some(Fast {
            steps,
            adj,
            reached,
            probs,
        })
    }

    /// The backward pass; each source's gradient is swapped into `grads`
    /// (or zeroed if the target does not reach it).
    pub(crate) fn backward(
        &mut self,
        nodes: &[Node<S>],
        pool: &mut Pool<S>,
        target: usize,
        sources: &[usize],
        grads: &mut [DMatrix<S>],
    ) {
        self.adj[target].fill(S::one());
        for st in &self.steps {
            let (lo, hi) = self.adj.split_at_mut(st.from);
            let g = &hi[0];
            let dst = &mut lo[st.to];
            if st.first {
                term(st.term, g, nodes, &self.probs, dst, pool);
            } else {
                let mut tmp = pool.scratch(dst.nrows(), dst.ncols());
                term(st.term, g, nodes, &self.probs, &mut tmp, pool);
                *dst += &tmp;
                pool.give(tmp);
            }
        }
        for (k, &s) in sources.iter().enumerate() {
            let first = sources[..k].iter().position(|&p| p == s);
            let (done, rest) = grads.split_at_mut(k);
            match first {
                Some(p) => rest[0].copy_from(&done[p]),
                None if self.reached[k] => core::mem::swap(&mut rest[0], &mut self.adj[s]),
                None => rest[0].fill(S::zero()),
            }
        }
    }
}

/// `f(a, b)` entry by entry into `out`.
fn zip_into<S: Scalar>(
    out: &mut DMatrix<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
    f: impl Fn(S, S) -> S,
) {
    let (a, b) = (a.as_slice(), b.as_slice());
    for ((o, &x), &y) in out.as_mut_slice().iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}

/// `f(a)` entry by entry into `out`.
fn map_into<S: Scalar>(out: &mut DMatrix<S>, a: &DMatrix<S>, f: impl Fn(S) -> S) {
    for (o, &x) in out.as_mut_slice().iter_mut().zip(a.as_slice()) {
        *o = f(x);
    }
}

/// `f(a)` entry by entry into `out`, with the match on `f` outside the
/// loop (one dispatch per matrix, not per entry; the same values).
fn map_fun_into<S: Scalar>(out: &mut DMatrix<S>, a: &DMatrix<S>, f: Fun) {
    macro_rules! arms {
        ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
            => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
            match f {
                $(Fun::$v$(($p))? => map_into(out, a, |x| {
                    crate::forward::functions::fun_apply!($kind $m $rule x ($($p)?))
                }),)*
            }
        };
    }
    crate::forward::functions::unary_functions!(arms)
}

/// `g ⊙ f′(x)` into `out`, zero wherever `g` is zero, with the match on
/// `f` outside the loop. The derivative is computed before the test on
/// `g` (the same values), so that a cheap one (ReLU's) makes a loop
/// without branches.
fn deriv_into<S: Scalar>(out: &mut DMatrix<S>, g: &DMatrix<S>, x: &DMatrix<S>, f: Fun) {
    macro_rules! arms {
        ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
            => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
            match f {
                $(Fun::$v$(($p))? => zip_into(out, g, x, |g, x| {
                    let d = crate::forward::functions::fun_slope!(x $rule $(/ $slope)? ($($p)?));
                    if g.is_zero() {
                        S::zero()
                    } else {
                        g * d
                    }
                }),)*
            }
        };
    }
    crate::forward::functions::unary_functions!(arms)
}

/// Writes `term(g)` into `out`.
fn term<S: Scalar>(
    t: Term<S>,
    g: &DMatrix<S>,
    nodes: &[Node<S>],
    probs: &[(usize, DMatrix<S>)],
    out: &mut DMatrix<S>,
    p: &mut Pool<S>,
) {
    let v = |i: usize| &nodes[i].value;
    match t {
        Term::Copy => out.as_mut_slice().copy_from_slice(g.as_slice()),
        Term::Scale(k) => map_into(out, g, |g| g * k),
        Term::MulNode(b) => zip_into(out, g, v(b), |x, y| x * y),
        Term::Deriv(x, f) => deriv_into(out, g, v(x), f),
        Term::DerivTanh(x, y) => {
            let (x, y) = (v(x).as_slice(), v(y).as_slice());
            let it = out
                .as_mut_slice()
                .iter_mut()
                .zip(g.as_slice())
                .zip(x.iter().zip(y));
            for ((o, &g), (&x, &y)) in it {
                // `Fun::Tanh.derivative(x)` is NaN where tanh is, else
                // tanh_slope(x, tanh x); y is tanh x, the same bits.
                *o = if g.is_zero() {
                    S::zero()
                } else if y.is_nan() {
                    g * y
                } else {
                    g * crate::forward::rules::tanh_slope(x, || y)
                };
            }
        }
        Term::ColSums => kernels::col_sums_into(out.as_mut_slice(), g),
        Term::Fill(k) => {
            let g0 = g[(0, 0)];
            out.as_mut_slice().fill(match k {
                Some(k) => g0 * k,
                None => g0,
            });
        }
        Term::MatNt(b) => kernels::matmul_nt_into(p, out, g, v(b)),
        Term::MatTn(a) => kernels::matmul_tn_into(out, v(a), g),
        Term::Mse(a, b, neg) => {
            let g0 = g[(0, 0)];
            let k = S::lit(2.0) / S::lit(v(a).len() as f64);
            zip_into(out, v(a), v(b), |x, y| {
                let d = (g0 * (x - y)) * k;
                if neg {
                    d * -S::one()
                } else {
                    d
                }
            });
        }
        Term::CrossEntropy(slot, t) => {
            let s = &probs[slot].1;
            let k = S::one() / S::lit(s.nrows() as f64);
            let g0 = g[(0, 0)];
            zip_into(out, s, v(t), |p, t| (p - t) * g0 * k);
        }
    }
}

/// Recomputes node `i` (an operation the fast passes cover) in place; a
/// cross-entropy node listed in `probs` also leaves softmax of its logits
/// there, for the backward pass.
pub(crate) fn forward_in_place<S: Scalar>(
    nodes: &mut [Node<S>],
    i: usize,
    p: &mut Pool<S>,
    probs: &mut [(usize, DMatrix<S>)],
) {
    let (lo, hi) = nodes.split_at_mut(i);
    let node = &mut hi[0];
    let out = &mut node.value;
    let v = |j: usize| &lo[j].value;
    match node.op {
        Op::MatMul(a, b) => kernels::matmul_into(out, v(a), v(b)),
        Op::Add(a, b) => zip_into(out, v(a), v(b), |x, y| x + y),
        Op::Sub(a, b) => zip_into(out, v(a), v(b), |x, y| x - y),
        Op::Mul(a, b) => zip_into(out, v(a), v(b), |x, y| x * y),
        Op::AddRow(a, row) => {
            out.as_mut_slice().copy_from_slice(v(a).as_slice());
            let r = out.nrows();
            if r > 0 {
                for (col, &b) in out
                    .as_mut_slice()
                    .chunks_exact_mut(r)
                    .zip(v(row).as_slice())
                {
                    col.iter_mut().for_each(|x| *x += b);
                }
            }
        }
        Op::Scale(a, k) => map_into(out, v(a), |x| x * k),
        Op::Map(a, f, _) => map_fun_into(out, v(a), f),
        Op::Sum(a) => out[(0, 0)] = kernels::sum(v(a)),
        Op::Mean(a) => out[(0, 0)] = kernels::sum(v(a)) / kernels::count(v(a)),
        Op::Mse(a, b) => out[(0, 0)] = kernels::mse(v(a), v(b)),
        Op::CrossEntropy(z, t) => {
            let probs = probs.iter_mut().find(|(n, _)| *n == i).map(|(_, m)| m);
            out[(0, 0)] = kernels::cross_entropy_and_softmax(p, v(z), v(t), probs);
        }
        _ => {}
    }
}
