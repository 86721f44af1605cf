//! [`Mlp`]: dense layers one after another, its losses and their gradients.

use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::layers::{Activation, Dense, DenseGrad};
use crate::reverse::{ReverseError, Tape, Var};
use crate::Scalar;

/// What a network's output is compared with by
/// [`Mlp::loss_and_gradients`].
///
/// ```
/// use dualgrad::nn::Targets;
/// let labels = [0usize, 2, 1];
/// let t: Targets<'_, f64> = Targets::Labels(&labels);
/// assert!(matches!(t, Targets::Labels(_)));
/// ```
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, S: Scalar> {
    /// Regression: target rows, compared with the mean squared error.
    Values(&'a DMatrix<S>),
    /// Classification: one class label per row; the output is taken as
    /// logits, compared with the cross-entropy.
    Labels(&'a [usize]),
}

/// A multi-layer perceptron: [`Dense`] layers applied one after another.
///
/// ```
/// use dualgrad::nn::{Activation, Mlp, Targets};
/// use dualgrad::reverse::Tape;
/// use nalgebra::dmatrix;
///
/// let mut mlp = Mlp::<f64>::new(&[2, 8, 1], &[Activation::Tanh, Activation::Identity], 1)?;
/// let x = dmatrix![0.0, 1.0; 1.0, 0.0];
/// let y = dmatrix![1.0; -1.0];
/// let mut tape = Tape::new();
/// let (loss, grads) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
/// assert_eq!(loss, mlp.loss(&x, Targets::Values(&y))?);
/// assert_eq!(grads[0].dw.shape(), (2, 8));
/// assert_eq!(grads[1].db.shape(), (1, 1));
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp<S: Scalar> {
    /// The layers, input side first.
    pub layers: Vec<Dense<S>>,
}

impl<S: Scalar> Mlp<S> {
    /// A network with the given layer sizes (inputs first, outputs last)
    /// and one activation per layer (`sizes.len() − 1` of them), randomly
    /// initialised from `seed` (see [`Dense::init`]; a layer too large for
    /// it is an error).
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp};
    /// let mlp = Mlp::<f64>::new(&[2, 16, 16, 3], &[Relu, Relu, Identity], 42)?;
    /// assert_eq!(mlp.layers.len(), 3);
    /// assert!(Mlp::<f64>::new(&[2, 16, 3], &[Relu], 42).is_err()); // one activation missing
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn new(
        sizes: &[usize],
        activations: &[Activation],
        seed: u64,
    ) -> Result<Self, ReverseError> {
        let layers = sizes.len().saturating_sub(1);
        if sizes.len() < 2 || activations.len() != layers {
            return Err(ReverseError::LengthMismatch {
                op: "Mlp::new",
                expected: layers.max(1),
                found: activations.len(),
            });
        }
        let layers = sizes
            .windows(2)
            .zip(activations)
            .enumerate()
            .map(|(i, (io, &a))| {
                Dense::init(io[0], io[1], a, seed.wrapping_add(i as u64 * 0x1000_0001))
            })
            .collect::<Result<_, _>>()?;
        Ok(Mlp { layers })
    }

    /// A network from its layers, checked to fit together.
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Dense, Mlp};
    /// let a = Dense::<f64>::init(2, 4, Tanh, 0)?;
    /// let b = Dense::<f64>::init(4, 1, Identity, 1)?;
    /// assert!(Mlp::from_layers(vec![a.clone(), b.clone()]).is_ok());
    /// assert!(Mlp::from_layers(vec![b, a]).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn from_layers(layers: Vec<Dense<S>>) -> Result<Self, ReverseError> {
        for l in layers.windows(2) {
            if l[0].outputs() != l[1].inputs() {
                return Err(ReverseError::shape(
                    "Mlp::from_layers",
                    l[0].w.shape(),
                    l[1].w.shape(),
                    "a layer's outputs must be the next layer's inputs",
                ));
            }
        }
        Ok(Mlp { layers })
    }

    /// The network applied to a batch (rows are examples), without a tape.
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp};
    /// let mlp = Mlp::<f64>::new(&[3, 5, 2], &[Tanh, Identity], 0)?;
    /// let y = mlp.forward(&nalgebra::DMatrix::zeros(4, 3))?;
    /// assert_eq!(y.shape(), (4, 2));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn forward(&self, x: &DMatrix<S>) -> Result<DMatrix<S>, ReverseError> {
        let mut y = x.clone();
        for l in &self.layers {
            y = l.forward(&y)?;
        }
        Ok(y)
    }

    /// Records the network applied to `x`; returns the output and each
    /// layer's recorded `(W, b)`.
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp};
    /// use dualgrad::reverse::Tape;
    /// let mlp = Mlp::<f64>::new(&[3, 5, 2], &[Tanh, Identity], 0)?;
    /// let t = Tape::new();
    /// let (y, params) = mlp.record(&t, t.var(nalgebra::DMatrix::zeros(4, 3)))?;
    /// assert_eq!((t.shape(y)?, params.len()), ((4, 2), 2));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn record(&self, t: &Tape<S>, x: Var) -> Result<(Var, Vec<(Var, Var)>), ReverseError> {
        let mut y = x;
        let mut params = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            let (out, w, b) = l.record(t, y)?;
            params.push((w, b));
            y = out;
        }
        Ok((y, params))
    }

    /// The loss of the network on a batch, without a tape.
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Targets};
    /// use nalgebra::dmatrix;
    /// let mlp = Mlp::<f64>::new(&[1, 2], &[Identity], 0)?;
    /// let l = mlp.loss(&dmatrix![0.0; 0.0], Targets::Labels(&[0, 1]))?;
    /// assert!((l - 2.0_f64.ln()).abs() < 1e-15); // zero logits: ln 2
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn loss(&self, x: &DMatrix<S>, targets: Targets<'_, S>) -> Result<S, ReverseError> {
        let t = Tape::new();
        let out = t.var(self.forward(x)?);
        let l = Self::loss_node(&t, out, targets)?;
        t.scalar(l)
    }

    fn loss_node(t: &Tape<S>, out: Var, targets: Targets<'_, S>) -> Result<Var, ReverseError> {
        match targets {
            Targets::Values(y) => {
                let y = t.var_copy(y);
                t.mse(out, y)
            }
            Targets::Labels(labels) => t.cross_entropy(out, labels),
        }
    }

    /// The loss on a batch and its gradient with respect to every layer's
    /// `(W, b)`, from one forward and one backward pass. The tape is reset
    /// first: pass the same tape at every training step so that its
    /// storage is reused.
    ///
    /// The parameters are lent to the tape for the step — moved in, not
    /// copied, and moved back before this returns (also when it returns an
    /// error) — which is why the network is taken `&mut`; it is unchanged
    /// afterwards. The tape's recording is not meant to be read after the
    /// call (its parameter nodes are empty again).
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Targets};
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[2, 4, 3], &[Relu, Identity], 3)?;
    /// let before = mlp.clone();
    /// let mut tape = Tape::new();
    /// let x = dmatrix![0.5, -1.0; 1.0, 2.0];
    /// let (loss, grads) = mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&[2, 0]))?;
    /// assert!(loss > 0.0);
    /// assert_eq!(grads.len(), 2);
    /// assert!(mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&[2, 3])).is_err());
    /// assert_eq!(mlp, before);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn loss_and_gradients(
        &mut self,
        tape: &mut Tape<S>,
        x: &DMatrix<S>,
        targets: Targets<'_, S>,
    ) -> Result<(S, Vec<DenseGrad<S>>), ReverseError> {
        self.loss_and_gradients_with(tape, x, |t, out| Self::loss_node(t, out, targets))
    }

    /// Like [`loss_and_gradients`](Mlp::loss_and_gradients), with any loss
    /// built from tape operations: `loss(tape, output)` returns the 1×1
    /// loss of the network's recorded output (a Huber or L1 loss, a
    /// weighted sum of losses, a penalty on the output …).
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp};
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[2, 4, 1], &[Tanh, Identity], 3)?;
    /// let (x, y) = (dmatrix![0.5, -1.0; 1.0, 2.0], dmatrix![1.0; -1.0]);
    /// let mut tape = Tape::new();
    /// let (loss, grads) = mlp.loss_and_gradients_with(&mut tape, &x, |t, out| {
    ///     let y = t.var_copy(&y);
    ///     t.add(t.huber_loss(out, y, 0.5)?, t.scale(t.mean(t.square(out)?)?, 0.01)?)
    /// })?;
    /// assert!(loss > 0.0 && grads.len() == 2);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn loss_and_gradients_with(
        &mut self,
        tape: &mut Tape<S>,
        x: &DMatrix<S>,
        loss: impl FnOnce(&Tape<S>, Var) -> Result<Var, ReverseError>,
    ) -> Result<(S, Vec<DenseGrad<S>>), ReverseError> {
        tape.reset();
        if x.nrows() == 0 {
            return Err(ReverseError::EmptyBatch {
                op: "Mlp::loss_and_gradients",
            });
        }
        let t = &*tape;
        let lend = |m: &mut DMatrix<S>| t.var(core::mem::replace(m, DMatrix::zeros(0, 0)));
        let params: Vec<(Var, Var)> = self
            .layers
            .iter_mut()
            .map(|l| (lend(&mut l.w), lend(&mut l.b)))
            .collect();
        let result = self.step_on_lent(t, x, &params, loss);
        for (l, &(w, b)) in self.layers.iter_mut().zip(&params) {
            l.w = t.take_value(w).unwrap_or_else(|_| DMatrix::zeros(0, 0));
            l.b = t.take_value(b).unwrap_or_else(|_| DMatrix::zeros(0, 0));
        }
        result
    }

    /// The body of [`loss_and_gradients`](Mlp::loss_and_gradients), with
    /// the parameters already on the tape as `params`.
    fn step_on_lent(
        &self,
        t: &Tape<S>,
        x: &DMatrix<S>,
        params: &[(Var, Var)],
        loss: impl FnOnce(&Tape<S>, Var) -> Result<Var, ReverseError>,
    ) -> Result<(S, Vec<DenseGrad<S>>), ReverseError> {
        const OP: &str = "Mlp::loss_and_gradients";
        let mut y = t.var_copy(x);
        for (l, &(w, b)) in self.layers.iter().zip(params) {
            let (ys, ws) = (t.shape(y)?, t.shape(w)?);
            if ys.1 != ws.0 {
                return Err(ReverseError::shape(
                    OP,
                    ys,
                    ws,
                    "the batch needs one column per input of the layer",
                ));
            }
            let h = t.add_row(t.matmul(y, w)?, b)?;
            y = l.activation.record(t, h)?;
        }
        let l = loss(t, y)?;
        let sources: Vec<Var> = params.iter().flat_map(|&(w, b)| [w, b]).collect();
        let mut g = t.gradient(l, &sources)?.into_iter();
        let mut grads = Vec::with_capacity(self.layers.len());
        while let (Some(dw), Some(db)) = (g.next(), g.next()) {
            grads.push(DenseGrad { dw, db });
        }
        Ok((t.scalar(l)?, grads))
    }
}
