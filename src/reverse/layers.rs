//! Dense layers and multi-layer perceptrons on the tape.

use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::error::ReverseError;
use super::kernels;
use super::op::Fun;
use super::pool::Pool;
use super::tape::{Tape, Var};
use crate::Scalar;

/// An element-wise activation function of a [`Dense`] layer.
///
/// ```
/// use dualgrad::reverse::Activation;
/// assert_eq!(Activation::Relu.apply(-2.0_f64), 0.0);
/// assert_eq!(Activation::Identity.apply(-2.0_f64), -2.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// No activation: `x`.
    Identity,
    /// `max(x, 0)`, with derivative 0 at 0.
    Relu,
    /// `tanh x`.
    Tanh,
    /// The logistic function.
    Sigmoid,
    /// `ln(1 + eˣ)`.
    Softplus,
}

impl Activation {
    fn fun(self) -> Option<Fun> {
        match self {
            Activation::Identity => None,
            Activation::Relu => Some(Fun::Relu),
            Activation::Tanh => Some(Fun::Tanh),
            Activation::Sigmoid => Some(Fun::Sigmoid),
            Activation::Softplus => Some(Fun::Softplus),
        }
    }

    /// The activation of one number.
    ///
    /// ```
    /// use dualgrad::reverse::Activation;
    /// assert_eq!(Activation::Sigmoid.apply(0.0_f32), 0.5);
    /// ```
    pub fn apply<S: Scalar>(self, x: S) -> S {
        self.fun().map_or(x, |f| f.apply(x))
    }

    /// Records the activation of every entry of `x` on the tape.
    ///
    /// ```
    /// use dualgrad::reverse::{Activation, Tape};
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![-1.0, 2.0]);
    /// let y = Activation::Relu.record(&t, x)?;
    /// assert_eq!(t.value(y)?, dmatrix![0.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn record<S: Scalar>(self, t: &Tape<S>, x: Var) -> Result<Var, ReverseError> {
        match self {
            Activation::Identity => t.check("activation", x).map(|_| x),
            Activation::Relu => t.relu(x),
            Activation::Tanh => t.tanh(x),
            Activation::Sigmoid => t.sigmoid(x),
            Activation::Softplus => t.softplus(x),
        }
    }

    /// The initial weights' scale: He for ReLU-like, Glorot otherwise.
    fn init_limit(self, inputs: usize, outputs: usize) -> f64 {
        match self {
            Activation::Relu | Activation::Softplus => {
                num_traits::Float::sqrt(6.0 / inputs.max(1) as f64)
            }
            _ => num_traits::Float::sqrt(6.0 / (inputs + outputs).max(1) as f64),
        }
    }
}

/// A small deterministic generator (splitmix64) for initial weights.
struct SplitMix(u64);

impl SplitMix {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        2.0 * ((z >> 11) as f64 / (1u64 << 53) as f64) - 1.0
    }
}

/// A dense (fully connected) layer `activation(x·W + b)` on a batch `x`
/// whose rows are examples: `W` is inputs×outputs, `b` is 1×outputs.
///
/// ```
/// use dualgrad::reverse::{Activation, Dense};
/// use nalgebra::dmatrix;
/// let layer = Dense::new(dmatrix![1.0, -1.0; 2.0, 0.5], dmatrix![0.5, 0.0], Activation::Relu)?;
/// let y = layer.forward(&dmatrix![1.0, 1.0; -1.0, 0.0])?;
/// assert_eq!(y, dmatrix![3.5, 0.0; 0.0, 1.0]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<S: Scalar> {
    /// The weights, inputs×outputs.
    pub w: DMatrix<S>,
    /// The bias, 1×outputs.
    pub b: DMatrix<S>,
    /// The activation.
    pub activation: Activation,
}

/// The gradient of a loss with respect to one [`Dense`] layer's parameters.
///
/// ```
/// use dualgrad::reverse::DenseGrad;
/// let g = DenseGrad { dw: nalgebra::DMatrix::<f64>::zeros(2, 3), db: nalgebra::DMatrix::zeros(1, 3) };
/// assert_eq!(g.dw.shape(), (2, 3));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DenseGrad<S: Scalar> {
    /// ∂loss/∂W, shaped like `W`.
    pub dw: DMatrix<S>,
    /// ∂loss/∂b, shaped like `b`.
    pub db: DMatrix<S>,
}

impl<S: Scalar> Dense<S> {
    /// A layer from its weights and bias (`b` must be 1×(columns of `w`)).
    ///
    /// ```
    /// use dualgrad::reverse::{Activation, Dense};
    /// use nalgebra::DMatrix;
    /// assert!(Dense::new(DMatrix::<f64>::zeros(2, 3), DMatrix::zeros(1, 3), Activation::Tanh).is_ok());
    /// assert!(Dense::new(DMatrix::<f64>::zeros(2, 3), DMatrix::zeros(3, 1), Activation::Tanh).is_err());
    /// ```
    pub fn new(w: DMatrix<S>, b: DMatrix<S>, activation: Activation) -> Result<Self, ReverseError> {
        if b.shape() != (1, w.ncols()) {
            return Err(ReverseError::shape(
                "Dense::new",
                w.shape(),
                b.shape(),
                "the bias must be 1×(columns of the weights)",
            ));
        }
        Ok(Dense { w, b, activation })
    }

    /// A layer with uniformly random weights (He scaling for ReLU and
    /// softplus, Glorot otherwise) from a seed, and a zero bias.
    ///
    /// ```
    /// use dualgrad::reverse::{Activation, Dense};
    /// let l = Dense::<f64>::init(4, 3, Activation::Tanh, 7);
    /// assert_eq!((l.inputs(), l.outputs()), (4, 3));
    /// assert_eq!(l, Dense::init(4, 3, Activation::Tanh, 7)); // deterministic
    /// ```
    pub fn init(inputs: usize, outputs: usize, activation: Activation, seed: u64) -> Self {
        let limit = activation.init_limit(inputs, outputs);
        let mut rng = SplitMix(seed);
        Dense {
            w: DMatrix::from_fn(inputs, outputs, |_, _| S::lit(limit * rng.uniform())),
            b: DMatrix::zeros(1, outputs),
            activation,
        }
    }

    /// The number of inputs (rows of `W`).
    ///
    /// ```
    /// assert_eq!(dualgrad::reverse::Dense::<f64>::init(4, 3, dualgrad::reverse::Activation::Relu, 0).inputs(), 4);
    /// ```
    pub fn inputs(&self) -> usize {
        self.w.nrows()
    }

    /// The number of outputs (columns of `W`).
    ///
    /// ```
    /// assert_eq!(dualgrad::reverse::Dense::<f64>::init(4, 3, dualgrad::reverse::Activation::Relu, 0).outputs(), 3);
    /// ```
    pub fn outputs(&self) -> usize {
        self.w.ncols()
    }

    fn check_input(&self, op: &'static str, x: (usize, usize)) -> Result<(), ReverseError> {
        if x.1 != self.inputs() {
            return Err(ReverseError::shape(
                op,
                x,
                self.w.shape(),
                "the batch needs one column per input of the layer",
            ));
        }
        Ok(())
    }

    /// The layer applied to a batch (rows are examples), without a tape.
    ///
    /// ```
    /// use dualgrad::reverse::{Activation, Dense};
    /// use nalgebra::dmatrix;
    /// let l = Dense::new(dmatrix![2.0; 3.0], dmatrix![1.0], Activation::Identity)?;
    /// assert_eq!(l.forward(&dmatrix![1.0, 1.0])?, dmatrix![6.0]);
    /// assert!(l.forward(&dmatrix![1.0]).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn forward(&self, x: &DMatrix<S>) -> Result<DMatrix<S>, ReverseError> {
        self.check_input("Dense::forward", x.shape())?;
        let mut p = Pool::default();
        let h = kernels::matmul(&mut p, x, &self.w);
        let mut y = kernels::add_row(&mut p, &h, &self.b);
        p.give(h);
        if let Some(f) = self.activation.fun() {
            y = kernels::map_fun(&mut p, &y, f);
        }
        Ok(y)
    }

    /// Records the layer applied to the batch `x`, with `W` and `b`
    /// recorded as new variables; returns `(output, W, b)` so that
    /// gradients with respect to `W` and `b` can be asked for.
    ///
    /// ```
    /// use dualgrad::reverse::{Activation, Dense, Tape};
    /// use nalgebra::dmatrix;
    /// let l = Dense::new(dmatrix![2.0; 3.0], dmatrix![1.0], Activation::Identity)?;
    /// let t = Tape::new();
    /// let (y, w, b) = l.record(&t, t.var(dmatrix![1.0, 1.0]))?;
    /// let g = t.gradient(y, &[w, b])?;
    /// assert_eq!((g[0].clone(), g[1].clone()), (dmatrix![1.0; 1.0], dmatrix![1.0]));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn record(&self, t: &Tape<S>, x: Var) -> Result<(Var, Var, Var), ReverseError> {
        self.check_input("Dense::record", t.shape_of("Dense::record", x)?)?;
        let w = t.var_copy(&self.w);
        let b = t.var_copy(&self.b);
        let h = t.add_row(t.matmul(x, w)?, b)?;
        Ok((self.activation.record(t, h)?, w, b))
    }
}

/// What a network's output is compared with by
/// [`Mlp::loss_and_gradients`].
///
/// ```
/// use dualgrad::reverse::Targets;
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
/// use dualgrad::reverse::{Activation, Mlp, Tape, Targets};
/// use nalgebra::dmatrix;
///
/// let mlp = Mlp::<f64>::new(&[2, 8, 1], &[Activation::Tanh, Activation::Identity], 1)?;
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
    /// initialised from `seed` (see [`Dense::init`]).
    ///
    /// ```
    /// use dualgrad::reverse::{Activation::*, Mlp};
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
            .collect();
        Ok(Mlp { layers })
    }

    /// A network from its layers, checked to fit together.
    ///
    /// ```
    /// use dualgrad::reverse::{Activation::*, Dense, Mlp};
    /// let a = Dense::<f64>::init(2, 4, Tanh, 0);
    /// let b = Dense::<f64>::init(4, 1, Identity, 1);
    /// assert!(Mlp::from_layers(vec![a.clone(), b.clone()]).is_ok());
    /// assert!(Mlp::from_layers(vec![b, a]).is_err());
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
    /// use dualgrad::reverse::{Activation::*, Mlp};
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
    /// use dualgrad::reverse::{Activation::*, Mlp, Tape};
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
    /// use dualgrad::reverse::{Activation::*, Mlp, Targets};
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
    /// ```
    /// use dualgrad::reverse::{Activation::*, Mlp, Tape, Targets};
    /// use nalgebra::dmatrix;
    /// let mlp = Mlp::<f64>::new(&[2, 4, 3], &[Relu, Identity], 3)?;
    /// let mut tape = Tape::new();
    /// let x = dmatrix![0.5, -1.0; 1.0, 2.0];
    /// let (loss, grads) = mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&[2, 0]))?;
    /// assert!(loss > 0.0);
    /// assert_eq!(grads.len(), 2);
    /// assert!(mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&[2, 3])).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn loss_and_gradients(
        &self,
        tape: &mut Tape<S>,
        x: &DMatrix<S>,
        targets: Targets<'_, S>,
    ) -> Result<(S, Vec<DenseGrad<S>>), ReverseError> {
        tape.reset();
        let t = &*tape;
        if x.nrows() == 0 {
            return Err(ReverseError::EmptyBatch {
                op: "Mlp::loss_and_gradients",
            });
        }
        let (out, params) = self.record(t, t.var_copy(x))?;
        let l = Self::loss_node(t, out, targets)?;
        let sources: Vec<Var> = params.iter().flat_map(|&(w, b)| [w, b]).collect();
        let mut g = t.gradient(l, &sources)?.into_iter();
        let mut grads = Vec::with_capacity(self.layers.len());
        while let (Some(dw), Some(db)) = (g.next(), g.next()) {
            grads.push(DenseGrad { dw, db });
        }
        Ok((t.scalar(l)?, grads))
    }
}
