//! The recorded operations ([`Op`]), the recorded nodes ([`Node`]) and the
//! eager backward pass's matrices ([`Em`]).

use alloc::sync::Arc;
use alloc::vec::Vec;

use nalgebra::DMatrix;

use crate::{Fun, Scalar};

/// One recorded operation; operands are node indices on the same tape,
/// always smaller than the index of the node that holds the result.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op<S> {
    /// An input (parameter, data, constant): no operands.
    Leaf,
    MatMul(usize, usize),
    Transpose(usize),
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Div(usize, usize),
    /// `a + 1·row`: a 1×n row added to every row of an m×n matrix.
    AddRow(usize, usize),
    Scale(usize, S),
    /// `f⁽ᵏ⁾(a)` entry by entry, `k ≤ 1`: a listed function (`k = 0`) or
    /// its derivative (`k = 1`, recorded by a backward pass), both from the
    /// rule table.
    Map(usize, Fun, u8),
    /// `g ⊙ d`, where a zero in `g` gives zero (even if `d` is infinite
    /// there): how a recorded backward pass multiplies by a derivative.
    MulZ(usize, usize),
    /// `k·a + c`.
    Affine(usize, S, S),
    /// The entry-wise maximum (`true`) or minimum (`false`) of two
    /// matrices; a tie takes the mean of both derivatives.
    MaxMin(usize, usize, bool),
    /// A user's element-wise function (entry `id` of [`Ext::elem`]), its
    /// `k`-th derivative entry by entry.
    Elem(usize, usize, u8),
    /// A user's element-wise function of two variables (entry `id` of
    /// [`Ext::elem2`]), its partial derivative of orders `(i, j)` in its
    /// two arguments, entry by entry: `Elem2(a, b, id, i, j)`.
    Elem2(usize, usize, usize, u8, u8),
    /// A user's matrix operation (entry `id` of [`Ext::custom`]) of any
    /// number of operands, listed in entry `list` of [`Ext::indices`]:
    /// `Custom(list, id)`; its value is computed when it is recorded.
    /// ([`Op::parents`] does not see these operands: use [`Op::any_operand`]
    /// and [`Op::custom_operands`].)
    Custom(usize, usize),
    /// Row-wise `ln Σ exp` (m×n → m×1), stable.
    LogSumExp(usize),
    /// The `rows×cols` block of `a` at `(row, col)`: `Block(a, row, col,
    /// rows, cols)`.
    Block(usize, usize, usize, usize, usize),
    /// `g` placed at `(row, col)` in a `rows×cols` zero matrix (the
    /// adjoint of [`Op::Block`]): `Pad(g, row, col, rows, cols)`.
    Pad(usize, usize, usize, usize, usize),
    /// `[a; b]` (`true`: rows concatenated) or `[a, b]` (`false`).
    Concat(usize, usize, bool),
    /// The entries of `a` (column-major) as an `r×c` matrix.
    Reshape(usize, usize, usize),
    /// The rows (`true`) or columns (`false`) of `a` listed in
    /// [`Ext::indices`]`[id]`: `Gather(a, id, rows)`.
    Gather(usize, usize, bool),
    /// The adjoint of [`Op::Gather`]: `g`'s rows (or columns) added into
    /// an `n`-row (`n`-column) zero matrix at the listed indices:
    /// `Scatter(g, id, rows, n)`.
    Scatter(usize, usize, bool, usize),
    /// An adjoint of an operand of the custom operation at node `node`
    /// (with cotangent `g`: `CustomGrad(g, node)`), recorded as a value (the operation has no recorded
    /// vector-Jacobian product): differentiating it again gives NaN.
    CustomGrad(usize, usize),
    Softmax(usize),
    LogSoftmax(usize),
    Sum(usize),
    Mean(usize),
    RowSums(usize),
    ColSums(usize),
    Broadcast(usize, usize, usize),
    Norm(usize),
    /// `a/‖a‖` (0 where `‖a‖ = 0`): the norm's gradient direction, recorded
    /// by a backward pass. Computed on `a` scaled by a power of two, so it
    /// is finite and accurate when `‖a‖` is subnormal or near overflow.
    Unit(usize),
    Mse(usize, usize),
    /// Cross-entropy of logits against the (one-hot) target rows of a leaf.
    CrossEntropy(usize, usize),
}

impl<S> Op<S> {
    /// Whether any operand of this node satisfies `f`, the operands of
    /// user operations included (from `ext`).
    pub(crate) fn any_operand(&self, ext: &Ext<S>, mut f: impl FnMut(usize) -> bool) -> bool {
        match *self {
            Op::Custom(list, _) => ext
                .indices
                .get(list)
                .is_some_and(|l| l.iter().any(|&p| f(p))),
            _ => self.parents().into_iter().flatten().any(f),
        }
    }

    /// The operand indices of a user operation (`Op::Custom`), empty for
    /// any other node.
    pub(crate) fn custom_operands<'a>(&self, ext: &'a Ext<S>) -> &'a [usize] {
        match *self {
            Op::Custom(list, _) => ext.indices.get(list).map_or(&[], |l| &l[..]),
            _ => &[],
        }
    }

    /// The operand indices.
    pub(crate) fn parents(&self) -> [Option<usize>; 2] {
        use Op::*;
        match *self {
            Leaf | Custom(..) => [None, None],
            MatMul(a, b)
            | Add(a, b)
            | Sub(a, b)
            | Mul(a, b)
            | Div(a, b)
            | AddRow(a, b)
            | MulZ(a, b)
            | MaxMin(a, b, _)
            | CustomGrad(a, b)
            | Concat(a, b, _)
            | Elem2(a, b, ..)
            | Mse(a, b)
            | CrossEntropy(a, b) => [Some(a), Some(b)],
            Transpose(a)
            | Scale(a, _)
            | Map(a, _, _)
            | Elem(a, _, _)
            | LogSumExp(a)
            | Block(a, ..)
            | Pad(a, ..)
            | Reshape(a, _, _)
            | Gather(a, _, _)
            | Scatter(a, _, _, _)
            | Affine(a, _, _)
            | Softmax(a)
            | LogSoftmax(a)
            | Sum(a)
            | Mean(a)
            | RowSums(a)
            | ColSums(a)
            | Broadcast(a, _, _)
            | Norm(a)
            | Unit(a) => [Some(a), None],
        }
    }
}

/// One recorded value and the operation that produced it.
#[derive(Clone, Debug)]
pub(crate) struct Node<S> {
    pub(crate) value: DMatrix<S>,
    pub(crate) op: Op<S>,
}

/// A matrix of the eager backward pass: a recorded value (borrowed, not
/// copied) or a freshly computed one.
#[derive(Clone, Debug)]
pub(crate) enum Em<S: Scalar> {
    Node(usize),
    Own(DMatrix<S>),
}

/// A user's element-wise function, on the tape's number type: its `k`-th
/// derivative at `x` (NaN beyond the supported order).
pub(crate) trait ElemDyn<S> {
    fn eval(&self, x: S, k: u8) -> S;
}

/// A user's element-wise function of two variables: its partial
/// derivative of orders `(i, j)` at `(x, y)` (NaN beyond the supported
/// order).
pub(crate) trait Elem2Dyn<S> {
    fn eval(&self, x: S, y: S, i: u8, j: u8) -> S;
}

/// A user's matrix operation: its name and plain vector-Jacobian product
/// (one adjoint per operand).
pub(crate) trait CustomDyn<S> {
    fn name(&self) -> &'static str;
    fn vjp(&self, inputs: &[&DMatrix<S>], output: &DMatrix<S>, g: &DMatrix<S>) -> Vec<DMatrix<S>>;
}

/// The user's functions and operations recorded on a tape.
pub(crate) struct Ext<S> {
    pub(crate) elem: Vec<Arc<dyn ElemDyn<S> + Send + Sync>>,
    pub(crate) elem2: Vec<Arc<dyn Elem2Dyn<S> + Send + Sync>>,
    pub(crate) custom: Vec<Arc<dyn CustomDyn<S> + Send + Sync>>,
    /// Index lists of [`Op::Gather`] and [`Op::Scatter`].
    pub(crate) indices: Vec<Arc<[usize]>>,
    /// The lowest node whose value was moved out by
    /// [`Tape::take_value`](super::Tape::take_value): backward passes and
    /// replays of targets at or after it are errors (they may read it).
    pub(crate) taken: Option<usize>,
}

impl<S> Default for Ext<S> {
    fn default() -> Self {
        Ext {
            elem: Vec::new(),
            elem2: Vec::new(),
            custom: Vec::new(),
            indices: Vec::new(),
            taken: None,
        }
    }
}

impl<S> core::fmt::Debug for Ext<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ext")
            .field("elem", &self.elem.len())
            .field("custom", &self.custom.len())
            .finish()
    }
}
