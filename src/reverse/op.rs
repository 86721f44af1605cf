//! The recorded operations ([`Op`]) and the element-wise functions ([`Fun`])
//! whose derivatives, up to the fourth, come from the forward-mode rule
//! table.

use nalgebra::DMatrix;

use crate::{Dual, HyperDual, Scalar};

/// An element-wise function. Its derivatives are taken from the crate's one
/// rule table by evaluating it on [`Dual`] / [`HyperDual`] numbers, so the
/// reverse mode uses exactly the forward mode's conventions
/// (`relu′(0) = 0`, stable `tanh′`, `σ′`, …).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fun {
    Square,
    Sqrt,
    Exp,
    Ln,
    Tanh,
    Sigmoid,
    Relu,
    Softplus,
    Powi(i32),
    /// `1/x`, and `0` at `x = 0` (the norm's zero-gradient convention).
    RecipOrZero,
}

impl Fun {
    /// The function itself.
    #[inline]
    pub(crate) fn apply<T: Scalar>(self, x: T) -> T {
        match self {
            Fun::Square => x * x,
            Fun::Sqrt => x.sqrt(),
            Fun::Exp => x.exp(),
            Fun::Ln => x.ln(),
            Fun::Tanh => x.tanh(),
            Fun::Sigmoid => x.sigmoid(),
            Fun::Relu => x.relu(),
            Fun::Softplus => x.softplus(),
            Fun::Powi(n) => x.powi(n),
            Fun::RecipOrZero => {
                if x == T::zero() {
                    T::zero()
                } else {
                    x.recip()
                }
            }
        }
    }

    /// The `k`-th derivative at `x` (`k ≤ 4`; NaN beyond).
    #[inline]
    pub(crate) fn deriv<T: Scalar>(self, k: u8, x: T) -> T {
        let (one, zero) = (T::one(), T::zero());
        match k {
            0 => self.apply(x),
            1 => self.apply(Dual::variable(x)).eps,
            2 => self.apply(HyperDual::new(x, one, one, zero)).e12,
            3 => {
                let (d1, d0) = (Dual::constant(one), Dual::constant(zero));
                self.apply(HyperDual::new(Dual::variable(x), d1, d1, d0))
                    .e12
                    .eps
            }
            4 => {
                let c = |v: T| HyperDual::new(v, zero, zero, zero);
                let x = HyperDual::new(HyperDual::new(x, one, one, zero), c(one), c(one), c(zero));
                self.apply(x).e12.e12
            }
            _ => T::nan(),
        }
    }
}

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
    Map(usize, Fun),
    /// `g ⊙ f⁽ᵏ⁾(x)`, where a zero in `g` gives zero (even if `f⁽ᵏ⁾` is
    /// infinite there): the backward pass of [`Op::Map`], itself
    /// differentiable.
    DerivMul(usize, usize, Fun, u8),
    Softmax(usize),
    LogSoftmax(usize),
    Sum(usize),
    Mean(usize),
    RowSums(usize),
    ColSums(usize),
    Broadcast(usize, usize, usize),
    Norm(usize),
    Mse(usize, usize),
    /// Cross-entropy of logits against the (one-hot) target rows of a leaf.
    CrossEntropy(usize, usize),
}

impl<S> Op<S> {
    /// The operand indices.
    pub(crate) fn parents(&self) -> [Option<usize>; 2] {
        use Op::*;
        match *self {
            Leaf => [None, None],
            MatMul(a, b)
            | Add(a, b)
            | Sub(a, b)
            | Mul(a, b)
            | Div(a, b)
            | AddRow(a, b)
            | DerivMul(a, b, _, _)
            | Mse(a, b)
            | CrossEntropy(a, b) => [Some(a), Some(b)],
            Transpose(a)
            | Scale(a, _)
            | Map(a, _)
            | Softmax(a)
            | LogSoftmax(a)
            | Sum(a)
            | Mean(a)
            | RowSums(a)
            | ColSums(a)
            | Broadcast(a, _, _)
            | Norm(a) => [Some(a), None],
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
