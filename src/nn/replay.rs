//! [`MlpReplay`]: an [`Mlp`]'s training step recorded once and replayed.

use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::layers::DenseGrad;
use super::mlp::{Mlp, Targets};
use crate::reverse::{Replay, ReverseError, Tape, Var};
use crate::Scalar;

const OP: &str = "MlpReplay::loss_and_gradients";

/// A step's batch: copied into the replay, or swapped in and back.
enum Batch<'a, S: Scalar> {
    Copied(&'a DMatrix<S>),
    Lent(&'a mut DMatrix<S>),
}

/// An [`Mlp`]'s loss and gradients, recorded once by
/// [`Mlp::replay`] and replayed every step on the network's current
/// parameters and a new batch of the same size (a
/// [`Replay`](crate::reverse::Replay) underneath): the same numbers as
/// [`Mlp::loss_and_gradients`], bit for bit, without recording anything
/// anew and without allocating. The parameters are swapped into the
/// replay for the step and back (not copied); the targets are copied, and
/// the batch too unless it is lent
/// ([`loss_and_gradients_mut`](MlpReplay::loss_and_gradients_mut)).
///
/// A batch or targets of another shape than recorded, or labels where
/// values were recorded (or the reverse), are errors; record a new replay
/// for another batch size.
///
/// ```
/// use dualgrad::nn::{Activation::*, Adam, Mlp, Optimizer, Targets};
/// use nalgebra::dmatrix;
/// let mut mlp = Mlp::<f64>::new(&[2, 16, 1], &[Tanh, Identity], 1)?;
/// let (xs, ys) = (dmatrix![0.0, 1.0; 1.0, 0.0], dmatrix![1.0; -1.0]);
/// let mut adam = Adam::new(0.01);
/// let mut step = mlp.replay(&xs, Targets::Values(&ys))?;
/// let first = step.loss_and_gradients(&mut mlp, &xs, Targets::Values(&ys))?.0;
/// for _ in 0..100 {
///     let (_loss, grads) = step.loss_and_gradients(&mut mlp, &xs, Targets::Values(&ys))?;
///     adam.update(&mut mlp, grads)?;
/// }
/// assert!(mlp.loss(&xs, Targets::Values(&ys))? < first);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
#[derive(Debug)]
pub struct MlpReplay<S: Scalar> {
    replay: Replay<S>,
    grads: Vec<DenseGrad<S>>,
    /// Whether the targets are labels (a one-hot input) or values.
    labels: bool,
    /// The batch's shape and the targets' shape.
    x_shape: (usize, usize),
    t_shape: (usize, usize),
}

impl<S: Scalar> Mlp<S> {
    /// Records one training step (the loss of
    /// [`loss_and_gradients`](Mlp::loss_and_gradients) and its gradients
    /// with respect to every parameter) on batches shaped like `x` with
    /// targets like `targets`, for replaying every step.
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Targets};
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[2, 3, 2], &[Relu, Identity], 7)?;
    /// let x = dmatrix![0.5, -1.0; 2.0, 0.0];
    /// let mut step = mlp.replay(&x, Targets::Labels(&[0, 1]))?;
    /// let (l, g) = step.loss_and_gradients(&mut mlp, &x, Targets::Labels(&[1, 1]))?;
    /// let (l2, g2) = mlp.loss_and_gradients(&mut Tape::new(), &x, Targets::Labels(&[1, 1]))?;
    /// assert_eq!((l, g), (l2, &g2[..]));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn replay(
        &self,
        x: &DMatrix<S>,
        targets: Targets<'_, S>,
    ) -> Result<MlpReplay<S>, ReverseError> {
        let t = Tape::new();
        let xv = t.var_copy(x);
        let (out, params) = self.record(&t, xv)?;
        let (loss, target) = match targets {
            Targets::Values(y) => {
                let yv = t.var_copy(y);
                (t.mse(out, yv)?, yv)
            }
            Targets::Labels(labels) => {
                let l = t.cross_entropy(out, labels)?;
                let target = t
                    .cross_entropy_target(l)
                    .ok_or(ReverseError::InvalidArgument {
                        op: "Mlp::replay",
                        reason: "no cross-entropy target recorded",
                    })?;
                (l, target)
            }
        };
        let mut inputs = Vec::with_capacity(2 * params.len() + 2);
        inputs.push(xv);
        let sources: Vec<Var> = params.iter().flat_map(|&(w, b)| [w, b]).collect();
        inputs.extend_from_slice(&sources);
        inputs.push(target);
        let replay = t.replay(loss, &inputs, &sources)?;
        let grads = self
            .layers
            .iter()
            .map(|l| DenseGrad {
                dw: DMatrix::zeros(l.w.nrows(), l.w.ncols()),
                db: DMatrix::zeros(l.b.nrows(), l.b.ncols()),
            })
            .collect();
        Ok(MlpReplay {
            replay,
            grads,
            labels: matches!(targets, Targets::Labels(_)),
            x_shape: x.shape(),
            t_shape: t.shape(target)?,
        })
    }
}

impl<S: Scalar> MlpReplay<S> {
    /// The loss of `mlp` on the batch `x` and `targets`, and its gradients
    /// (one [`DenseGrad`] per layer), replayed; the same numbers as
    /// [`Mlp::loss_and_gradients`]. The gradients are lent until the next
    /// step.
    ///
    /// Errors: a network with other shapes than recorded, a batch or
    /// targets of another shape, labels where values were recorded (or
    /// the reverse) ([`ReverseError::Shape`],
    /// [`ReverseError::InvalidArgument`]), a label out of range
    /// ([`ReverseError::LabelOutOfRange`]).
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Targets};
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[2, 3, 1], &[Tanh, Identity], 7)?;
    /// let (x, y) = (dmatrix![0.5, -1.0], dmatrix![1.0]);
    /// let mut step = mlp.replay(&x, Targets::Values(&y))?;
    /// assert!(step.loss_and_gradients(&mut mlp, &dmatrix![1.0, 2.0; 3.0, 4.0], Targets::Values(&y)).is_err());
    /// assert!(step.loss_and_gradients(&mut mlp, &x, Targets::Labels(&[0])).is_err());
    /// let (_, g) = step.loss_and_gradients(&mut mlp, &x, Targets::Values(&y))?;
    /// assert_eq!(g.len(), 2);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn loss_and_gradients(
        &mut self,
        mlp: &mut Mlp<S>,
        x: &DMatrix<S>,
        targets: Targets<'_, S>,
    ) -> Result<(S, &[DenseGrad<S>]), ReverseError> {
        self.step(mlp, Batch::Copied(x), targets)
    }

    /// [`loss_and_gradients`](MlpReplay::loss_and_gradients) with the
    /// batch lent instead of copied: `x` is swapped into the replay for
    /// the step and back, as the parameters are, and holds the same
    /// values on return. For a batch of 64×784 `f64` this saves the copy
    /// of 400 KB, and a product that then finds the batch out of cache
    /// (60–75 µs of a 450 µs step, measured; see BENCHMARKS.md).
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Targets};
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[2, 3, 2], &[Relu, Identity], 7)?;
    /// let mut x = dmatrix![0.5, -1.0; 2.0, 0.0];
    /// let mut step = mlp.replay(&x, Targets::Labels(&[0, 1]))?;
    /// let (l, g) = step.loss_and_gradients(&mut mlp, &x, Targets::Labels(&[1, 0]))?;
    /// let g = g.to_vec();
    /// let (l2, g2) = step.loss_and_gradients_mut(&mut mlp, &mut x, Targets::Labels(&[1, 0]))?;
    /// assert_eq!((l, &g[..]), (l2, g2));
    /// assert_eq!(x, dmatrix![0.5, -1.0; 2.0, 0.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn loss_and_gradients_mut(
        &mut self,
        mlp: &mut Mlp<S>,
        x: &mut DMatrix<S>,
        targets: Targets<'_, S>,
    ) -> Result<(S, &[DenseGrad<S>]), ReverseError> {
        self.step(mlp, Batch::Lent(x), targets)
    }

    /// The step behind both entry points.
    fn step(
        &mut self,
        mlp: &mut Mlp<S>,
        mut x: Batch<'_, S>,
        targets: Targets<'_, S>,
    ) -> Result<(S, &[DenseGrad<S>]), ReverseError> {
        let n = self.grads.len();
        if mlp.layers.len() != n {
            return Err(ReverseError::LengthMismatch {
                op: OP,
                expected: n,
                found: mlp.layers.len(),
            });
        }
        for (l, g) in mlp.layers.iter().zip(&self.grads) {
            for (p, q) in [(&l.w, &g.dw), (&l.b, &g.db)] {
                if p.shape() != q.shape() {
                    return Err(ReverseError::shape(
                        OP,
                        q.shape(),
                        p.shape(),
                        "the network's parameters must keep their recorded shapes",
                    ));
                }
            }
        }
        let last = 2 * n + 1;
        match targets {
            Targets::Values(y) if !self.labels => self.replay.set_input(last, y)?,
            Targets::Labels(labels) if self.labels => {
                let (r, c) = self.t_shape;
                if labels.len() != r {
                    return Err(ReverseError::shape(
                        OP,
                        (r, c),
                        (labels.len(), 1),
                        "one label per row is needed",
                    ));
                }
                if let Some(index) = labels.iter().position(|&l| l >= c) {
                    return Err(ReverseError::LabelOutOfRange {
                        op: OP,
                        index,
                        label: labels[index],
                        classes: c,
                    });
                }
                self.replay.with_input(last, (r, c), |m| {
                    m.fill(S::zero());
                    for (i, &l) in labels.iter().enumerate() {
                        m[(i, l)] = S::one();
                    }
                })?;
            }
            _ => {
                return Err(ReverseError::InvalidArgument {
                    op: OP,
                    reason: "the targets must be of the recorded kind (values or labels)",
                })
            }
        }
        let shape = match &x {
            Batch::Copied(x) => x.shape(),
            Batch::Lent(x) => x.shape(),
        };
        if shape != self.x_shape {
            return Err(ReverseError::shape(
                OP,
                self.x_shape,
                shape,
                "the batch must keep its recorded shape",
            ));
        }
        match &mut x {
            Batch::Copied(x) => self.replay.set_input(0, x)?,
            Batch::Lent(x) => self.replay.swap_input(0, x)?,
        }
        self.swap_parameters(mlp)?;
        let loss = self.replay.run_again();
        self.swap_parameters(mlp)?;
        if let Batch::Lent(x) = &mut x {
            self.replay.swap_input(0, x)?;
        }
        for (k, g) in self.grads.iter_mut().enumerate() {
            self.replay.swap_gradient(2 * k, &mut g.dw);
            self.replay.swap_gradient(2 * k + 1, &mut g.db);
        }
        Ok((loss, &self.grads))
    }

    /// Swaps the network's parameters with the replay's (shapes checked).
    fn swap_parameters(&mut self, mlp: &mut Mlp<S>) -> Result<(), ReverseError> {
        for (k, l) in mlp.layers.iter_mut().enumerate() {
            self.replay.swap_input(2 * k + 1, &mut l.w)?;
            self.replay.swap_input(2 * k + 2, &mut l.b)?;
        }
        Ok(())
    }
}
