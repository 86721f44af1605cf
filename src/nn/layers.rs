//! [`Dense`] layers and their [`Activation`]s, on the tape or on plain
//! matrices.

use nalgebra::DMatrix;

use crate::reverse::{ReverseError, Tape, Var, MAX_NEW_ENTRIES};
use crate::{Fun, Scalar, SplitMix64};

/// Generates [`Activation`] from the crate's list of element-wise
/// functions: every listed function is an activation, plus `Identity`.
macro_rules! activation_enum {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        /// An element-wise activation function of a [`Dense`] layer: no
        /// activation, or any function of the crate's list ([`Fun`]) — the
        /// same functions, values and derivatives as forward mode and the
        /// tape.
        ///
        /// ```
        /// use dualgrad::nn::Activation;
        /// assert_eq!(Activation::Relu.apply(-2.0_f64), 0.0);
        /// assert_eq!(Activation::Identity.apply(-2.0_f64), -2.0);
        /// assert_eq!(Activation::LeakyRelu(0.1).apply(-2.0_f64), -0.2);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Activation {
            /// No activation: `x`.
            Identity,
            $(
                #[doc = concat!("`", stringify!($m), "` (see [`Fun::", stringify!($v), "`]).")]
                $v$(($pt))?,
            )*
        }

        impl Activation {
            /// The listed function, or `None` for `Identity`.
            ///
            /// ```
            /// use dualgrad::{nn::Activation, Fun};
            /// assert_eq!(Activation::Tanh.fun(), Some(Fun::Tanh));
            /// assert_eq!(Activation::Identity.fun(), None);
            /// ```
            pub fn fun(self) -> Option<Fun> {
                match self {
                    Activation::Identity => None,
                    $(Activation::$v$(($p))? => Some(Fun::$v$(($p))?),)*
                }
            }
        }

        impl From<Fun> for Activation {
            /// The activation of a listed function.
            ///
            /// ```
            /// use dualgrad::{nn::Activation, Fun};
            /// assert_eq!(Activation::from(Fun::Gelu), Activation::Gelu);
            /// ```
            fn from(f: Fun) -> Self {
                match f {
                    $(Fun::$v$(($p))? => Activation::$v$(($p))?,)*
                }
            }
        }
    };
}
crate::forward::functions::unary_functions!(activation_enum);

impl Activation {
    /// The activation of one number.
    ///
    /// ```
    /// use dualgrad::nn::Activation;
    /// assert_eq!(Activation::Sigmoid.apply(0.0_f32), 0.5);
    /// ```
    pub fn apply<S: Scalar>(self, x: S) -> S {
        self.fun().map_or(x, |f| f.apply(x))
    }

    /// Records the activation of every entry of `x` on the tape.
    ///
    /// ```
    /// use dualgrad::nn::Activation;
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![-1.0, 2.0]);
    /// let y = Activation::Relu.record(&t, x)?;
    /// assert_eq!(t.value(y)?, dmatrix![0.0, 2.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn record<S: Scalar>(self, t: &Tape<S>, x: Var) -> Result<Var, ReverseError> {
        match self.fun() {
            None => t.shape(x).map(|_| x),
            Some(f) => t.map_fun(x, f),
        }
    }

    /// The initial weights' scale: He for ReLU-like, Glorot otherwise.
    fn init_limit(self, inputs: usize, outputs: usize) -> f64 {
        match self {
            Activation::Relu
            | Activation::Softplus
            | Activation::LeakyRelu(_)
            | Activation::Elu(_)
            | Activation::Gelu => num_traits::Float::sqrt(6.0 / inputs.max(1) as f64),
            _ => num_traits::Float::sqrt(6.0 / inputs.saturating_add(outputs).max(1) as f64),
        }
    }
}

/// A dense (fully connected) layer `activation(x·W + b)` on a batch `x`
/// whose rows are examples: `W` is inputs×outputs, `b` is 1×outputs.
///
/// ```
/// use dualgrad::nn::{Activation, Dense};
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
/// use dualgrad::nn::DenseGrad;
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
    /// use dualgrad::nn::{Activation, Dense};
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
    /// softplus, Glorot otherwise) from a seed, and a zero bias. A layer
    /// with more than [`MAX_NEW_ENTRIES`] parameters (`inputs·outputs +
    /// outputs`, overflow included) is an error, not an allocation that
    /// aborts the process.
    ///
    /// ```
    /// use dualgrad::nn::{Activation, Dense};
    /// let l = Dense::<f64>::init(4, 3, Activation::Tanh, 7)?;
    /// assert_eq!((l.inputs(), l.outputs()), (4, 3));
    /// assert_eq!(l, Dense::init(4, 3, Activation::Tanh, 7)?); // deterministic
    /// assert!(Dense::<f64>::init(1 << 40, 1 << 40, Activation::Tanh, 7).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn init(
        inputs: usize,
        outputs: usize,
        activation: Activation,
        seed: u64,
    ) -> Result<Self, ReverseError> {
        let n = inputs
            .checked_mul(outputs)
            .and_then(|n| n.checked_add(outputs));
        if n.is_none_or(|n| n > MAX_NEW_ENTRIES) {
            return Err(ReverseError::shape(
                "Dense::init",
                (inputs, outputs),
                (1, outputs),
                "the layer would have more than MAX_NEW_ENTRIES parameters",
            ));
        }
        let limit = activation.init_limit(inputs, outputs);
        let mut rng = SplitMix64::new(seed);
        Ok(Dense {
            w: DMatrix::from_fn(inputs, outputs, |_, _| {
                S::lit(limit * rng.uniform(-1.0, 1.0))
            }),
            b: DMatrix::zeros(1, outputs),
            activation,
        })
    }

    /// The number of inputs (rows of `W`).
    ///
    /// ```
    /// let l = dualgrad::nn::Dense::<f64>::init(4, 3, dualgrad::nn::Activation::Relu, 0)?;
    /// assert_eq!(l.inputs(), 4);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn inputs(&self) -> usize {
        self.w.nrows()
    }

    /// The number of outputs (columns of `W`).
    ///
    /// ```
    /// let l = dualgrad::nn::Dense::<f64>::init(4, 3, dualgrad::nn::Activation::Relu, 0)?;
    /// assert_eq!(l.outputs(), 3);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn outputs(&self) -> usize {
        self.w.ncols()
    }

    fn check_input(&self, op: &'static str, x: (usize, usize)) -> Result<(), ReverseError> {
        // The fields are public: the bias may have been changed by hand.
        if self.b.shape() != (1, self.outputs()) {
            return Err(ReverseError::shape(
                op,
                self.w.shape(),
                self.b.shape(),
                "the bias must be 1×(columns of the weights)",
            ));
        }
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
    /// use dualgrad::nn::{Activation, Dense};
    /// use nalgebra::dmatrix;
    /// let l = Dense::new(dmatrix![2.0; 3.0], dmatrix![1.0], Activation::Identity)?;
    /// assert_eq!(l.forward(&dmatrix![1.0, 1.0])?, dmatrix![6.0]);
    /// assert!(l.forward(&dmatrix![1.0]).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn forward(&self, x: &DMatrix<S>) -> Result<DMatrix<S>, ReverseError> {
        self.check_input("Dense::forward", x.shape())?;
        // x (m×0) times W (0×n) is m×n from no entries at all.
        let new = x.nrows().saturating_mul(self.outputs());
        if new.saturating_sub(x.len()) > MAX_NEW_ENTRIES {
            return Err(ReverseError::shape(
                "Dense::forward",
                x.shape(),
                self.w.shape(),
                "the output would have more than MAX_NEW_ENTRIES entries more than the batch",
            ));
        }
        let mut y = x * &self.w;
        for mut row in y.row_iter_mut() {
            row += &self.b;
        }
        if self.activation != Activation::Identity {
            y.apply(|v| *v = self.activation.apply(*v));
        }
        Ok(y)
    }

    /// Records the layer applied to the batch `x`, with `W` and `b`
    /// recorded as new variables; returns `(output, W, b)` so that
    /// gradients with respect to `W` and `b` can be asked for.
    ///
    /// ```
    /// use dualgrad::nn::{Activation, Dense};
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let l = Dense::new(dmatrix![2.0; 3.0], dmatrix![1.0], Activation::Identity)?;
    /// let t = Tape::new();
    /// let (y, w, b) = l.record(&t, t.var(dmatrix![1.0, 1.0]))?;
    /// let g = t.gradient(y, &[w, b])?;
    /// assert_eq!((g[0].clone(), g[1].clone()), (dmatrix![1.0; 1.0], dmatrix![1.0]));
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn record(&self, t: &Tape<S>, x: Var) -> Result<(Var, Var, Var), ReverseError> {
        self.check_input("Dense::record", t.shape(x)?)?;
        let w = t.var_copy(&self.w);
        let b = t.var_copy(&self.b);
        let h = t.add_row(t.matmul(x, w)?, b)?;
        Ok((self.activation.record(t, h)?, w, b))
    }
}
