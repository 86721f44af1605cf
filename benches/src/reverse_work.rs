//! The reverse-mode workloads of `benches/reverse.rs`, shared with
//! `tests/agree.rs` (which checks that the tape and the
//! hand-written backpropagation give the same loss and gradients, so that
//! the benchmark times two computations of the same numbers).
//!
//! - the seed network (worked example 7 in `dualgrad::guide::worked_examples`): x 1×7, W 7×2, b 1×2,
//!   `l = mean(tanh(x·W + b)²)`;
//! - an MLP 784→128→10, ReLU hidden layer, cross-entropy from logits with
//!   integer labels, on a batch of 64;
//! - gradients of n inputs of the forward benchmarks' functions (b)
//!   Rosenbrock and (d) the 8-unit tanh network, written as matrix
//!   operations on the tape.
//!
//! Each has a tape version (the steady-state API: one tape reset every
//! step, gradients handed back with `Tape::recycle`) and a hand-written
//! nalgebra version working in buffers allocated once.
#![allow(dead_code)]

use dualgrad::linalg::Operand;
use dualgrad::nn::{Activation, Mlp, MlpReplay, Targets};
use dualgrad::num_traits::Float;
use dualgrad::reverse::{Replay, ReverseError, Tape};
use dualgrad::SplitMix64;
use nalgebra::{DMatrix, RealField};

/// Whether a product with result `out` and left operand shaped `left` is
/// worth [`dualgrad::linalg::gemm`] (every dimension above 5); smaller
/// ones, like the seed network's, stay on nalgebra's own loops.
fn blocked(out: (usize, usize), left: (usize, usize)) -> bool {
    out.0 > 5 && out.1 > 5 && left.0 > 5 && left.1 > 5
}

/// `out = a·b + β·out` by [`dualgrad::linalg::gemm`]: faer's kernels,
/// large products split over the product threads, as the tape computes
/// its products (shapes fixed by the caller).
fn par_gemm<'a, 'b, S: RealField + Copy + dualgrad::Scalar>(
    out: &mut DMatrix<S>,
    a: impl Into<Operand<'a, S>>,
    b: impl Into<Operand<'b, S>>,
    beta: S,
) {
    dualgrad::linalg::gemm(out, S::one(), a, b, beta).expect("the hand-written step's shapes fit");
}

/// `out = aᵀ·b`.
fn gemm_tn<S: RealField + Copy + dualgrad::Scalar>(
    out: &mut DMatrix<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
) {
    if blocked(out.shape(), (a.ncols(), a.nrows())) {
        par_gemm(out, Operand::Transposed(a), b, S::zero());
    } else {
        out.gemm_tr(S::one(), a, b, S::zero());
    }
}

/// `out = a·bᵀ`.
fn gemm_nt<S: RealField + Copy + dualgrad::Scalar>(
    out: &mut DMatrix<S>,
    a: &DMatrix<S>,
    b: &DMatrix<S>,
) {
    if blocked(out.shape(), a.shape()) {
        par_gemm(out, a, Operand::Transposed(b), S::zero());
    } else {
        out.gemm(S::one(), a, &b.transpose(), S::zero());
    }
}

/// Row-wise bias: every row of `out` set to `b`.
fn fill_rows<S: nalgebra::Scalar + Copy>(out: &mut DMatrix<S>, b: &DMatrix<S>) {
    for (mut col, &bj) in out.column_iter_mut().zip(b.iter()) {
        col.fill(bj);
    }
}

/// Column sums of `a` into the 1×n `out`.
fn col_sums_into<S: RealField + Copy>(a: &DMatrix<S>, out: &mut DMatrix<S>) {
    for (o, col) in out.iter_mut().zip(a.column_iter()) {
        *o = col.sum();
    }
}

// ---------------------------------------------------------------------
// (i) The seed network.

/// The seed network's data and parameters.
pub struct Seed {
    pub x: DMatrix<f64>,
    pub w: DMatrix<f64>,
    pub b: DMatrix<f64>,
}

impl Seed {
    /// x = [1 … 7], W 7×2 of order 1/7 (tanh neither linear nor saturated),
    /// b small.
    pub fn new() -> Self {
        let mut g = SplitMix64::new(7);
        Seed {
            x: DMatrix::from_fn(1, 7, |_, j| (j + 1) as f64),
            w: DMatrix::from_fn(7, 2, |_, _| g.uniform(-1.0, 1.0) / 7.0),
            b: DMatrix::from_fn(1, 2, |_, _| 0.1 * g.uniform(-1.0, 1.0)),
        }
    }

    /// Loss and `[dW, db]` with the tape (the caller recycles the
    /// gradients).
    pub fn tape_grad(&self, t: &mut Tape<f64>) -> Result<(f64, Vec<DMatrix<f64>>), ReverseError> {
        t.reset();
        let x = t.var_copy(&self.x);
        let w = t.var_copy(&self.w);
        let b = t.var_copy(&self.b);
        let y = t.tanh(t.add_row(t.matmul(x, w)?, b)?)?;
        let l = t.mean(t.square(y)?)?;
        let g = t.gradient(l, &[w, b])?;
        Ok((t.scalar(l)?, g))
    }

    /// The step recorded once for [`Seed::replay_grad`]: inputs x, W, b;
    /// gradients dW, db.
    pub fn replay(&self) -> Result<Replay<f64>, ReverseError> {
        let t = Tape::new();
        let x = t.var_copy(&self.x);
        let w = t.var_copy(&self.w);
        let b = t.var_copy(&self.b);
        let y = t.tanh(t.add_row(t.matmul(x, w)?, b)?)?;
        let l = t.mean(t.square(y)?)?;
        t.replay(l, &[x, w, b], &[w, b])
    }

    /// Loss, with `[dW, db]` in `r.gradients()`, replayed on the current
    /// values of x, W and b (copied in).
    pub fn replay_grad(&self, r: &mut Replay<f64>) -> Result<f64, ReverseError> {
        r.run(&[&self.x, &self.w, &self.b])
    }

    /// The loss alone, recorded on the tape.
    pub fn tape_forward(&self, t: &mut Tape<f64>) -> Result<f64, ReverseError> {
        t.reset();
        let x = t.var_copy(&self.x);
        let w = t.var_copy(&self.w);
        let b = t.var_copy(&self.b);
        let y = t.tanh(t.add_row(t.matmul(x, w)?, b)?)?;
        let l = t.mean(t.square(y)?)?;
        t.scalar(l)
    }
}

impl Default for Seed {
    fn default() -> Self {
        Self::new()
    }
}

/// Buffers of the hand-written seed network, allocated once.
pub struct SeedHand {
    pub y: DMatrix<f64>,
    pub dw: DMatrix<f64>,
    pub db: DMatrix<f64>,
}

impl SeedHand {
    pub fn new() -> Self {
        SeedHand {
            y: DMatrix::zeros(1, 2),
            dw: DMatrix::zeros(7, 2),
            db: DMatrix::zeros(1, 2),
        }
    }

    /// y = tanh(x·W + b) into `self.y`; returns mean(y²).
    pub fn forward(&mut self, s: &Seed) -> f64 {
        hand_seed_forward(&s.x, &s.w, &s.b, &mut self.y)
    }

    /// Loss, and dW, db into the buffers ([`hand_seed_grad`]).
    pub fn grad(&mut self, s: &Seed) -> f64 {
        hand_seed_grad(&s.x, &s.w, &s.b, &mut self.y, &mut self.dw, &mut self.db)
    }
}

impl Default for SeedHand {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------
// (ii) The MLP 784→128→10.

pub const BATCH: usize = 64;
pub const SIZES: [usize; 3] = [784, 128, 10];

/// The MLP's network, batch and labels.
pub struct Net {
    pub mlp: Mlp<f64>,
    pub x: DMatrix<f64>,
    pub labels: Vec<usize>,
}

impl Net {
    pub fn new() -> Self {
        let mut mlp = Mlp::new(&SIZES, &[Activation::Relu, Activation::Identity], 11).unwrap();
        let mut g = SplitMix64::new(13);
        // Non-zero biases, so that their gradients are exercised.
        for l in &mut mlp.layers {
            l.b.apply(|b| *b = 0.05 * g.uniform(-1.0, 1.0));
        }
        let x = DMatrix::from_fn(BATCH, SIZES[0], |_, _| 0.5 * (g.uniform(-1.0, 1.0) + 1.0));
        let labels = (0..BATCH).map(|i| (i * 7 + 3) % SIZES[2]).collect();
        Net { mlp, x, labels }
    }

    /// Loss and every layer's `(dW, db)` through `Mlp::loss_and_gradients`.
    pub fn tape_grad(
        &mut self,
        t: &mut Tape<f64>,
    ) -> Result<(f64, Vec<dualgrad::nn::DenseGrad<f64>>), ReverseError> {
        self.mlp
            .loss_and_gradients(t, &self.x, Targets::Labels(&self.labels))
    }

    /// The training step recorded once, for [`Net::replay_grad`].
    pub fn replay(&self) -> Result<MlpReplay<f64>, ReverseError> {
        self.mlp.replay(&self.x, Targets::Labels(&self.labels))
    }

    /// Loss and every layer's `(dW, db)` through `MlpReplay`, the batch
    /// lent (the gradients are lent by `r`).
    pub fn replay_grad<'r>(
        &mut self,
        r: &'r mut MlpReplay<f64>,
    ) -> Result<(f64, &'r [dualgrad::nn::DenseGrad<f64>]), ReverseError> {
        r.loss_and_gradients_mut(&mut self.mlp, &mut self.x, Targets::Labels(&self.labels))
    }

    /// The loss alone, recorded on the tape (what `loss_and_gradients`
    /// records before its backward pass).
    pub fn tape_forward(&self, t: &mut Tape<f64>) -> Result<f64, ReverseError> {
        t.reset();
        let x = t.var_copy(&self.x);
        let (out, _) = self.mlp.record(t, x)?;
        let l = t.cross_entropy(out, &self.labels)?;
        t.scalar(l)
    }
}

impl Default for Net {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------
// (iii) Hand-written backpropagation for any MLP with ReLU hidden layers and
// softmax cross-entropy, in f32 or f64: the hand-written side of
// `peer_rounds` (and of `benches/peers/peers.py`).

/// Buffers of a hand-written MLP step, allocated once: per layer the
/// pre-activations `z`, the activations `a` (ReLU; the logits for the last
/// layer), the deltas and the gradients.
pub struct HandMlp<S: RealField + Copy> {
    /// Each layer's pre-activations, after a forward pass.
    pub z: Vec<DMatrix<S>>,
    a: Vec<DMatrix<S>>,
    d: Vec<DMatrix<S>>,
    /// `(dW, db)` per layer, after [`HandMlp::grad`].
    pub grads: Vec<(DMatrix<S>, DMatrix<S>)>,
    rmax: Vec<S>,
    rsum: Vec<S>,
}

impl<S: RealField + Copy + dualgrad::Scalar> HandMlp<S> {
    /// Buffers for `mlp` on a batch of `batch` rows.
    pub fn new(mlp: &Mlp<S>, batch: usize) -> Self {
        let outs: Vec<usize> = mlp.layers.iter().map(|l| l.w.ncols()).collect();
        let zeros = |n: usize| DMatrix::zeros(batch, n);
        HandMlp {
            z: outs.iter().map(|&n| zeros(n)).collect(),
            a: outs.iter().map(|&n| zeros(n)).collect(),
            d: outs.iter().map(|&n| zeros(n)).collect(),
            grads: mlp
                .layers
                .iter()
                .map(|l| {
                    (
                        DMatrix::zeros(l.w.nrows(), l.w.ncols()),
                        DMatrix::zeros(1, l.w.ncols()),
                    )
                })
                .collect(),
            rmax: vec![S::zero(); batch],
            rsum: vec![S::zero(); batch],
        }
    }

    /// The forward pass into the buffers and the loss (mean softmax
    /// cross-entropy of the labels); ReLU on every layer but the last. With
    /// `keep_exp`, leaves exp(logits − row max) in the last layer's delta
    /// and its row sums in `rsum`, what the backward pass starts from.
    fn forward(&mut self, mlp: &Mlp<S>, x: &DMatrix<S>, labels: &[usize], keep_exp: bool) -> S {
        let n = mlp.layers.len();
        for (l, layer) in mlp.layers.iter().enumerate() {
            let z = &mut self.z[l];
            fill_rows(z, &layer.b);
            let input = if l == 0 { x } else { &self.a[l - 1] };
            par_gemm(z, input, &layer.w, S::one());
            let relu = l + 1 < n;
            let zero = S::zero();
            self.a[l].zip_apply(z, |a, z| *a = if relu && z <= zero { zero } else { z });
        }
        // Stable cross-entropy: −mean_i (z_iℓ − max_i − ln Σ_j exp(z_ij − max_i)).
        let logits = &self.a[n - 1];
        self.rmax.fill(S::neg_infinity());
        for col in logits.column_iter() {
            for (m, &v) in self.rmax.iter_mut().zip(col.iter()) {
                *m = Float::max(*m, v);
            }
        }
        let mut picked = S::zero();
        for (i, &l) in labels.iter().enumerate() {
            picked += logits[(i, l)] - self.rmax[i];
        }
        self.rsum.fill(S::zero());
        let dl = &mut self.d[n - 1];
        for (mut dcol, col) in dl.column_iter_mut().zip(logits.column_iter()) {
            for (((dv, &v), &m), s) in dcol
                .iter_mut()
                .zip(col.iter())
                .zip(&self.rmax)
                .zip(&mut self.rsum)
            {
                let e = Float::exp(v - m);
                *s += e;
                if keep_exp {
                    *dv = e;
                }
            }
        }
        let logs: S = self.rsum.iter().map(|&s| Float::ln(s)).sum();
        (logs - picked) / S::lit(x.nrows() as f64)
    }

    /// The loss alone (the forward pass).
    pub fn loss(&mut self, mlp: &Mlp<S>, x: &DMatrix<S>, labels: &[usize]) -> S {
        self.forward(mlp, x, labels, false)
    }

    /// Loss and every layer's gradients into [`HandMlp::grads`].
    pub fn grad(&mut self, mlp: &Mlp<S>, x: &DMatrix<S>, labels: &[usize]) -> S {
        let n = mlp.layers.len();
        let loss = self.forward(mlp, x, labels, true);
        // The last layer's delta: (softmax − one-hot)/batch, in place.
        let k = S::one() / S::lit(x.nrows() as f64);
        let dl = &mut self.d[n - 1];
        for mut col in dl.column_iter_mut() {
            for (v, &s) in col.iter_mut().zip(&self.rsum) {
                *v *= k / s;
            }
        }
        for (i, &l) in labels.iter().enumerate() {
            dl[(i, l)] -= k;
        }
        // Backward: dW = inputᵀ·δ, db = colsum δ, δ_prev = (δ·Wᵀ) ⊙ [z_prev > 0].
        for l in (0..n).rev() {
            let input = if l == 0 { x } else { &self.a[l - 1] };
            let (dw, db) = &mut self.grads[l];
            gemm_tn(dw, input, &self.d[l]);
            col_sums_into(&self.d[l], db);
            if l > 0 {
                let (lo, hi) = self.d.split_at_mut(l);
                let prev = &mut lo[l - 1];
                gemm_nt(prev, &hi[0], &mlp.layers[l].w);
                let zero = S::zero();
                prev.zip_apply(&self.z[l - 1], |d, z| {
                    if z <= zero {
                        *d = zero
                    }
                });
            }
        }
        loss
    }
}

/// The seed network's forward pass written by hand, in f32 or f64:
/// y = tanh(x·W + b) into `y`; returns mean(y²).
pub fn hand_seed_forward<S: RealField + Copy + dualgrad::Scalar>(
    x: &DMatrix<S>,
    w: &DMatrix<S>,
    b: &DMatrix<S>,
    y: &mut DMatrix<S>,
) -> S {
    y.copy_from(b);
    y.gemm(S::one(), x, w, S::one());
    y.apply(|v| *v = Float::tanh(*v));
    y.norm_squared() / S::lit(y.len() as f64)
}

/// The seed network's step written by hand: the loss
/// ([`hand_seed_forward`], y in `y`), db = (2/m)·y ⊙ (1 − y²) and
/// dW = xᵀ·db.
pub fn hand_seed_grad<S: RealField + Copy + dualgrad::Scalar>(
    x: &DMatrix<S>,
    w: &DMatrix<S>,
    b: &DMatrix<S>,
    y: &mut DMatrix<S>,
    dw: &mut DMatrix<S>,
    db: &mut DMatrix<S>,
) -> S {
    let l = hand_seed_forward(x, w, b, y);
    let k = S::lit(2.0) / S::lit(y.len() as f64);
    db.zip_apply(y, |d, y| *d = k * y * (S::one() - y * y));
    gemm_tn(dw, x, db);
    l
}

// ---------------------------------------------------------------------
// Gradients of n inputs: (b) Rosenbrock and (d) the tanh network.

/// The forward benchmarks' inputs: n values in [0.2, 1.8) from seed 4.
pub fn inputs(n: usize) -> Vec<f64> {
    let mut g = SplitMix64::new(4);
    (0..n).map(|_| 1.0 + 0.8 * g.uniform(-1.0, 1.0)).collect()
}

/// Hidden units of the tanh network.
pub const HIDDEN: usize = 8;

/// Rosenbrock of n variables as matrix operations: with P and N the
/// (n−1)×n selections of x₀…x_{n−2} and x₁…x_{n−1},
/// `f = 100·Σ(N·x − (P·x)²)² + Σ(1 − P·x)²`.
pub struct Rosen {
    pub x: DMatrix<f64>,
    pub p: DMatrix<f64>,
    pub n: DMatrix<f64>,
    pub ones: DMatrix<f64>,
}

impl Rosen {
    pub fn new(n: usize) -> Self {
        Rosen {
            x: DMatrix::from_vec(n, 1, inputs(n)),
            p: DMatrix::from_fn(n - 1, n, |i, j| if i == j { 1.0 } else { 0.0 }),
            n: DMatrix::from_fn(n - 1, n, |i, j| if i + 1 == j { 1.0 } else { 0.0 }),
            ones: DMatrix::from_element(n - 1, 1, 1.0),
        }
    }

    /// f and ∇f (n×1) with the tape.
    pub fn tape_grad(&self, t: &mut Tape<f64>) -> Result<(f64, DMatrix<f64>), ReverseError> {
        t.reset();
        let x = t.var_copy(&self.x);
        let xp = t.matmul(t.var_copy(&self.p), x)?;
        let xn = t.matmul(t.var_copy(&self.n), x)?;
        let a = t.sub(xn, t.square(xp)?)?;
        let b = t.sub(t.var_copy(&self.ones), xp)?;
        let f = t.add(t.scale(t.sum(t.square(a)?)?, 100.0)?, t.sum(t.square(b)?)?)?;
        let mut g = t.gradient(f, &[x])?;
        Ok((t.scalar(f)?, g.pop().unwrap()))
    }

    /// The closed-form gradient, for the test.
    pub fn closed_form(&self) -> Vec<f64> {
        let x = self.x.as_slice();
        let n = x.len();
        let mut g = vec![0.0; n];
        for i in 0..n - 1 {
            let a = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * a;
        }
        g
    }
}

/// The forward benchmarks' tanh network (weights from seed 5) as
/// matrices: `f = tanh(x·W1 + b1)·w2 + b2` with x 1×n, W1 n×8.
pub struct TanhNet {
    pub x: DMatrix<f64>,
    pub w1: DMatrix<f64>,
    pub b1: DMatrix<f64>,
    pub w2: DMatrix<f64>,
    pub b2: DMatrix<f64>,
}

impl TanhNet {
    pub fn new(n: usize) -> Self {
        let mut g = SplitMix64::new(5);
        let s = 1.0 / (n as f64).sqrt();
        // The forward benchmarks draw w1 unit by unit (HIDDEN rows of n).
        let rows: Vec<f64> = (0..HIDDEN * n)
            .map(|_| 2.0 * s * g.uniform(-1.0, 1.0))
            .collect();
        let w1 = DMatrix::from_fn(n, HIDDEN, |i, j| rows[j * n + i]);
        let b1 = DMatrix::from_fn(1, HIDDEN, |_, _| 0.5 * g.uniform(-1.0, 1.0));
        let w2 = DMatrix::from_fn(HIDDEN, 1, |_, _| g.uniform(-1.0, 1.0));
        let b2 = DMatrix::from_element(1, 1, g.uniform(-1.0, 1.0));
        TanhNet {
            x: DMatrix::from_vec(1, n, inputs(n)),
            w1,
            b1,
            w2,
            b2,
        }
    }

    /// f and ∇f (1×n) with the tape.
    pub fn tape_grad(&self, t: &mut Tape<f64>) -> Result<(f64, DMatrix<f64>), ReverseError> {
        t.reset();
        let x = t.var_copy(&self.x);
        let h = t.add_row(t.matmul(x, t.var_copy(&self.w1))?, t.var_copy(&self.b1))?;
        let o = t.matmul(t.tanh(h)?, t.var_copy(&self.w2))?;
        let f = t.add_row(o, t.var_copy(&self.b2))?;
        let mut g = t.gradient(f, &[x])?;
        Ok((t.scalar(f)?, g.pop().unwrap()))
    }

    /// f and ∇f by the chain rule in plain loops, for the test.
    pub fn closed_form(&self) -> (f64, Vec<f64>) {
        let n = self.x.len();
        let mut f = self.b2[0];
        let mut g = vec![0.0; n];
        for j in 0..HIDDEN {
            let mut a = self.b1[j];
            for i in 0..n {
                a += self.x[i] * self.w1[(i, j)];
            }
            let y = a.tanh();
            f += y * self.w2[j];
            for (i, gi) in g.iter_mut().enumerate() {
                *gi += self.w2[j] * (1.0 - y * y) * self.w1[(i, j)];
            }
        }
        (f, g)
    }
}
