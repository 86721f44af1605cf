//! Optimisers: [`Sgd`] (with optional momentum) and [`Adam`].

use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::layers::DenseGrad;
use super::mlp::Mlp;
use crate::reverse::ReverseError;
use crate::Scalar;

/// Checks that parameters and gradients match in number and shapes.
fn check<S: Scalar>(
    op: &'static str,
    params: &[&mut DMatrix<S>],
    grads: &[&DMatrix<S>],
) -> Result<(), ReverseError> {
    if params.len() != grads.len() {
        return Err(ReverseError::LengthMismatch {
            op,
            expected: params.len(),
            found: grads.len(),
        });
    }
    for (p, g) in params.iter().zip(grads) {
        if p.shape() != g.shape() {
            return Err(ReverseError::shape(
                op,
                p.shape(),
                g.shape(),
                "a gradient must be shaped like its parameter",
            ));
        }
    }
    Ok(())
}

/// (Re)creates per-parameter state shaped like the parameters, or checks
/// that existing state fits.
fn state<S: Scalar>(
    op: &'static str,
    st: &mut Vec<DMatrix<S>>,
    params: &[&mut DMatrix<S>],
) -> Result<(), ReverseError> {
    if st.is_empty() {
        st.extend(params.iter().map(|p| DMatrix::zeros(p.nrows(), p.ncols())));
    }
    if st.len() != params.len() {
        return Err(ReverseError::LengthMismatch {
            op,
            expected: st.len(),
            found: params.len(),
        });
    }
    for (s, p) in st.iter().zip(params) {
        if s.shape() != p.shape() {
            return Err(ReverseError::shape(
                op,
                s.shape(),
                p.shape(),
                "the parameters changed shape since the last step",
            ));
        }
    }
    Ok(())
}

/// An optimiser: updates parameters from their gradients.
///
/// ```
/// use dualgrad::nn::{Optimizer, Sgd};
/// use nalgebra::dmatrix;
/// let mut p = dmatrix![1.0, 2.0];
/// Sgd::new(0.5).step(&mut [&mut p], &[&dmatrix![2.0, -2.0]])?;
/// assert_eq!(p, dmatrix![0.0, 3.0]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub trait Optimizer<S: Scalar> {
    /// One update of `params` (in place) from `grads`, one per parameter,
    /// shaped alike; the same parameters, in the same order, at every step.
    ///
    /// ```
    /// use dualgrad::nn::{Adam, Optimizer};
    /// use nalgebra::dmatrix;
    /// let mut p = dmatrix![1.0_f64];
    /// let mut adam = Adam::new(0.1);
    /// adam.step(&mut [&mut p], &[&dmatrix![3.0]])?;
    /// assert!((p[(0, 0)] - 0.9).abs() < 1e-7); // the first Adam step is ≈ lr·sign(g)
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    fn step(
        &mut self,
        params: &mut [&mut DMatrix<S>],
        grads: &[&DMatrix<S>],
    ) -> Result<(), ReverseError>;

    /// One update of every layer of `mlp` from the gradients returned by
    /// [`Mlp::loss_and_gradients`].
    ///
    /// ```
    /// use dualgrad::nn::{Activation::*, Mlp, Optimizer, Sgd, Targets};
    /// use dualgrad::reverse::Tape;
    /// use nalgebra::dmatrix;
    /// let mut mlp = Mlp::<f64>::new(&[1, 4, 1], &[Tanh, Identity], 5)?;
    /// let (x, y) = (dmatrix![0.0; 1.0], dmatrix![1.0; -1.0]);
    /// let mut tape = Tape::new();
    /// let (before, g) = mlp.loss_and_gradients(&mut tape, &x, Targets::Values(&y))?;
    /// Sgd::new(0.05).update(&mut mlp, &g)?;
    /// assert!(mlp.loss(&x, Targets::Values(&y))? < before);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    fn update(&mut self, mlp: &mut Mlp<S>, grads: &[DenseGrad<S>]) -> Result<(), ReverseError> {
        if mlp.layers.len() != grads.len() {
            return Err(ReverseError::LengthMismatch {
                op: "Optimizer::update",
                expected: mlp.layers.len(),
                found: grads.len(),
            });
        }
        let mut params: Vec<&mut DMatrix<S>> = mlp
            .layers
            .iter_mut()
            .flat_map(|l| [&mut l.w, &mut l.b])
            .collect();
        let g: Vec<&DMatrix<S>> = grads.iter().flat_map(|g| [&g.dw, &g.db]).collect();
        self.step(&mut params, &g)
    }
}

/// Stochastic gradient descent, `p ← p − lr·v` with the velocity
/// `v ← momentum·v + g` (plain gradient descent for momentum 0).
///
/// ```
/// use dualgrad::nn::{Optimizer, Sgd};
/// use nalgebra::dmatrix;
/// let mut p = dmatrix![0.0];
/// let mut sgd = Sgd::with_momentum(1.0, 0.5);
/// sgd.step(&mut [&mut p], &[&dmatrix![1.0]])?; // v = 1
/// sgd.step(&mut [&mut p], &[&dmatrix![1.0]])?; // v = 1.5
/// assert_eq!(p, dmatrix![-2.5]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<S: Scalar> {
    /// The step size.
    pub learning_rate: S,
    /// The momentum coefficient (0 for plain gradient descent).
    pub momentum: S,
    velocity: Vec<DMatrix<S>>,
}

impl<S: Scalar> Sgd<S> {
    /// Plain gradient descent.
    ///
    /// ```
    /// let sgd = dualgrad::nn::Sgd::new(0.1_f64);
    /// assert_eq!((sgd.learning_rate, sgd.momentum), (0.1, 0.0));
    /// ```
    pub fn new(learning_rate: S) -> Self {
        Self::with_momentum(learning_rate, S::zero())
    }

    /// Gradient descent with momentum.
    ///
    /// ```
    /// let sgd = dualgrad::nn::Sgd::with_momentum(0.1_f64, 0.9);
    /// assert_eq!(sgd.momentum, 0.9);
    /// ```
    pub fn with_momentum(learning_rate: S, momentum: S) -> Self {
        Sgd {
            learning_rate,
            momentum,
            velocity: Vec::new(),
        }
    }
}

impl<S: Scalar> Optimizer<S> for Sgd<S> {
    fn step(
        &mut self,
        params: &mut [&mut DMatrix<S>],
        grads: &[&DMatrix<S>],
    ) -> Result<(), ReverseError> {
        check("Sgd::step", params, grads)?;
        if self.momentum.is_zero() {
            for (p, g) in params.iter_mut().zip(grads) {
                p.zip_apply(*g, |p, g| *p -= self.learning_rate * g);
            }
            return Ok(());
        }
        state("Sgd::step", &mut self.velocity, params)?;
        for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.velocity) {
            v.zip_apply(*g, |v, g| *v = self.momentum * *v + g);
            p.zip_apply(v, |p, v| *p -= self.learning_rate * v);
        }
        Ok(())
    }
}

/// Adam: per-parameter steps from bias-corrected running means of the
/// gradient and of its square.
///
/// ```
/// use dualgrad::nn::Adam;
/// let adam = Adam::new(1e-3_f64);
/// assert_eq!((adam.beta1, adam.beta2, adam.epsilon), (0.9, 0.999, 1e-8));
/// ```
#[derive(Clone, Debug)]
pub struct Adam<S: Scalar> {
    /// The step size.
    pub learning_rate: S,
    /// The decay of the gradient's running mean (default 0.9).
    pub beta1: S,
    /// The decay of the squared gradient's running mean (default 0.999).
    pub beta2: S,
    /// Added to the denominator (default 1e-8).
    pub epsilon: S,
    t: i32,
    m: Vec<DMatrix<S>>,
    v: Vec<DMatrix<S>>,
}

impl<S: Scalar> Adam<S> {
    /// Adam with the usual defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    ///
    /// ```
    /// let adam = dualgrad::nn::Adam::new(0.01_f32);
    /// assert_eq!(adam.learning_rate, 0.01);
    /// ```
    pub fn new(learning_rate: S) -> Self {
        Adam {
            learning_rate,
            beta1: S::lit(0.9),
            beta2: S::lit(0.999),
            epsilon: S::lit(1e-8),
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }
}

impl<S: Scalar> Optimizer<S> for Adam<S> {
    fn step(
        &mut self,
        params: &mut [&mut DMatrix<S>],
        grads: &[&DMatrix<S>],
    ) -> Result<(), ReverseError> {
        check("Adam::step", params, grads)?;
        state("Adam::step", &mut self.m, params)?;
        state("Adam::step", &mut self.v, params)?;
        self.t = self.t.saturating_add(1);
        let one = S::one();
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = one - b1.powi(self.t);
        let c2 = one - b2.powi(self.t);
        for (((p, g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.m)
            .zip(&mut self.v)
        {
            m.zip_apply(*g, |m, g| *m = b1 * *m + (one - b1) * g);
            v.zip_apply(*g, |v, g| *v = b2 * *v + (one - b2) * g * g);
            for ((p, &m), &v) in p.iter_mut().zip(m.iter()).zip(v.iter()) {
                *p -= self.learning_rate * (m / c1) / ((v / c2).sqrt() + self.epsilon);
            }
        }
        Ok(())
    }
}
