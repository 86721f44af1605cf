//! Every operation's vector-Jacobian product against forward-mode
//! directional derivatives (the same operation run on `Dual<f64>`
//! matrices) and central finite differences, and its recorded
//! (differentiable) backward pass against forward-over-reverse, over random
//! shapes and values.
#![cfg(all(feature = "nalgebra", feature = "alloc"))]

use dualgrad::reverse::{ElementwiseFn, Tape, Var};
use dualgrad::{Dual, Scalar, SplitMix64};
use nalgebra::DMatrix;
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
enum K {
    MatMul,
    Transpose,
    Add,
    Sub,
    Mul,
    Div,
    AddRow,
    Scale,
    Neg,
    Powi(i32),
    Square,
    Sqrt,
    Exp,
    Ln,
    Tanh,
    Sigmoid,
    Relu,
    Softplus,
    Softmax,
    LogSoftmax,
    Sum,
    Mean,
    RowSums,
    ColSums,
    Broadcast,
    Norm,
    Mse,
    CrossEntropy,
    Abs,
    Sin,
    Cos,
    Exp2,
    Log2,
    Powf,
    MaxScalar,
    MinScalar,
    Clamp,
    Max,
    Min,
    Erf,
    Gelu,
    LeakyRelu,
    Elu,
    Huber,
    LogSumExp,
    RowMeans,
    ColMeans,
    Rows,
    Cols,
    Block,
    Entry,
    ConcatRows,
    ConcatCols,
    Reshape,
    ReshapeRow,
    SelectRows,
    SelectCols,
    Select,
    Dropout,
    HuberLoss,
    L1Loss,
    Swish,
}

const ALL: [K; 64] = [
    K::MatMul,
    K::Transpose,
    K::Add,
    K::Sub,
    K::Mul,
    K::Div,
    K::AddRow,
    K::Scale,
    K::Neg,
    K::Powi(3),
    K::Powi(-2),
    K::Powi(0),
    K::Square,
    K::Sqrt,
    K::Exp,
    K::Ln,
    K::Tanh,
    K::Sigmoid,
    K::Relu,
    K::Softplus,
    K::Softmax,
    K::LogSoftmax,
    K::Sum,
    K::Mean,
    K::RowSums,
    K::ColSums,
    K::Broadcast,
    K::Norm,
    K::Mse,
    K::CrossEntropy,
    K::Abs,
    K::Sin,
    K::Cos,
    K::Exp2,
    K::Log2,
    K::Powf,
    K::MaxScalar,
    K::MinScalar,
    K::Clamp,
    K::Max,
    K::Min,
    K::Erf,
    K::Gelu,
    K::LeakyRelu,
    K::Elu,
    K::Huber,
    K::LogSumExp,
    K::RowMeans,
    K::ColMeans,
    K::Rows,
    K::Cols,
    K::Block,
    K::Entry,
    K::ConcatRows,
    K::ConcatCols,
    K::Reshape,
    K::ReshapeRow,
    K::SelectRows,
    K::SelectCols,
    K::Select,
    K::Dropout,
    K::HuberLoss,
    K::L1Loss,
    K::Swish,
];

/// The operands' shapes for an m×n problem (k: inner dimension).
fn shapes(op: K, m: usize, n: usize, k: usize) -> Vec<(usize, usize)> {
    match op {
        K::MatMul => vec![(m, k), (k, n)],
        K::Add
        | K::Sub
        | K::Mul
        | K::Div
        | K::Mse
        | K::Max
        | K::Min
        | K::Select
        | K::HuberLoss
        | K::L1Loss => vec![(m, n), (m, n)],
        K::ConcatRows => vec![(m, n), (k, n)],
        K::ConcatCols => vec![(m, n), (m, k)],
        K::AddRow => vec![(m, n), (1, n)],
        K::Broadcast => vec![(1, n)],
        _ => vec![(m, n)],
    }
}

/// Whether operand `i` must be positive (away from a singularity).
fn positive(op: K, i: usize) -> bool {
    matches!(
        (op, i),
        (K::Div, 1) | (K::Sqrt, 0) | (K::Ln, 0) | (K::Powi(_), 0) | (K::Log2, 0) | (K::Powf, 0)
    )
}

/// The operation applied to the operands, on any scalar type.
fn build<S: Scalar>(op: K, t: &Tape<S>, x: &[Var], labels: &[usize]) -> Var {
    let r = match op {
        K::MatMul => t.matmul(x[0], x[1]),
        K::Transpose => t.transpose(x[0]),
        K::Add => t.add(x[0], x[1]),
        K::Sub => t.sub(x[0], x[1]),
        K::Mul => t.mul(x[0], x[1]),
        K::Div => t.div(x[0], x[1]),
        K::AddRow => t.add_row(x[0], x[1]),
        K::Scale => t.scale(x[0], S::lit(-1.75)),
        K::Neg => t.neg(x[0]),
        K::Powi(n) => t.powi(x[0], n),
        K::Square => t.square(x[0]),
        K::Sqrt => t.sqrt(x[0]),
        K::Exp => t.exp(x[0]),
        K::Ln => t.ln(x[0]),
        K::Tanh => t.tanh(x[0]),
        K::Sigmoid => t.sigmoid(x[0]),
        K::Relu => t.relu(x[0]),
        K::Softplus => t.softplus(x[0]),
        K::Softmax => t.softmax(x[0]),
        K::LogSoftmax => t.log_softmax(x[0]),
        K::Sum => t.sum(x[0]),
        K::Mean => t.mean(x[0]),
        K::RowSums => t.row_sums(x[0]),
        K::ColSums => t.col_sums(x[0]),
        K::Broadcast => {
            let n = t.shape(x[0]).unwrap().1;
            t.broadcast(x[0], 3, n)
        }
        K::Norm => t.norm(x[0]),
        K::Mse => t.mse(x[0], x[1]),
        K::CrossEntropy => t.cross_entropy(x[0], labels),
        K::Abs => t.abs(x[0]),
        K::Sin => t.sin(x[0]),
        K::Cos => t.cos(x[0]),
        K::Exp2 => t.exp2(x[0]),
        K::Log2 => t.log2(x[0]),
        K::Powf => t.powf(x[0], 2.5),
        K::MaxScalar => t.max_scalar(x[0], 0.5),
        K::MinScalar => t.min_scalar(x[0], 0.5),
        K::Clamp => t.clamp(x[0], (-0.5, 0.75)),
        K::Max => t.max(x[0], x[1]),
        K::Min => t.min(x[0], x[1]),
        K::Erf => t.erf(x[0]),
        K::Gelu => t.gelu(x[0]),
        K::LeakyRelu => t.leaky_relu(x[0], 0.1),
        K::Elu => t.elu(x[0], 1.5),
        K::Huber => t.huber(x[0], 1.0),
        K::LogSumExp => t.log_sum_exp(x[0]),
        K::RowMeans => t.row_means(x[0]),
        K::ColMeans => t.col_means(x[0]),
        K::Rows => {
            let m = t.shape(x[0]).unwrap().0;
            t.rows(x[0], m / 2, m - m / 2)
        }
        K::Cols => {
            let n = t.shape(x[0]).unwrap().1;
            t.cols(x[0], n / 2, n - n / 2)
        }
        K::Block => {
            let (m, n) = t.shape(x[0]).unwrap();
            t.block(x[0], (m / 2, n / 2), (m - m / 2, n - n / 2))
        }
        K::Entry => {
            let (m, n) = t.shape(x[0]).unwrap();
            t.entry(x[0], m - 1, n - 1)
        }
        K::ConcatRows => t.concat_rows(x[0], x[1]),
        K::ConcatCols => t.concat_cols(x[0], x[1]),
        K::Reshape => {
            let (m, n) = t.shape(x[0]).unwrap();
            t.reshape(x[0], n, m)
        }
        K::ReshapeRow => {
            let (m, n) = t.shape(x[0]).unwrap();
            t.reshape(x[0], 1, m * n)
        }
        K::SelectRows => {
            let m = t.shape(x[0]).unwrap().0;
            t.select_rows(x[0], &[m - 1, 0, m - 1])
        }
        K::SelectCols => {
            let n = t.shape(x[0]).unwrap().1;
            t.select_cols(x[0], &[0, n - 1, 0])
        }
        K::Select => {
            let (m, n) = t.shape(x[0]).unwrap();
            let mask = DMatrix::from_fn(m, n, |i, j| (i + j) % 2 == 0);
            t.select(&mask, x[0], x[1])
        }
        K::Dropout => {
            let (m, n) = t.shape(x[0]).unwrap();
            let keep = DMatrix::from_fn(m, n, |i, j| (3 * i + j) % 3 != 0);
            t.dropout(x[0], &keep, 0.25)
        }
        K::HuberLoss => t.huber_loss(x[0], x[1], 1.0),
        K::L1Loss => t.l1_loss(x[0], x[1]),
        K::Swish => t.map_elementwise(x[0], Swish),
    };
    r.expect("shapes fit")
}

/// A user's generic element-wise function: x·σ(x).
struct Swish;
impl ElementwiseFn for Swish {
    fn call<S: Scalar>(&self, x: S) -> S {
        x * x.sigmoid()
    }
}

/// Random matrices from the crate's one generator.
trait Mat {
    fn mat(&mut self, shape: (usize, usize), lo: f64, hi: f64) -> DMatrix<f64>;
}
impl Mat for SplitMix64 {
    fn mat(&mut self, (r, c): (usize, usize), lo: f64, hi: f64) -> DMatrix<f64> {
        DMatrix::from_fn(r, c, |_, _| self.uniform(lo, hi))
    }
}

fn dot(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    a.component_mul(b).sum()
}

struct Case {
    op: K,
    xs: Vec<DMatrix<f64>>,
    us: Vec<DMatrix<f64>>,
    v: DMatrix<f64>,
    labels: Vec<usize>,
}

fn case(op: K, m: usize, n: usize, k: usize, seed: u64) -> Case {
    let mut rng = SplitMix64::new(seed);
    let sh = shapes(op, m, n, k);
    let xs: Vec<_> = sh
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            if positive(op, i) {
                rng.mat(s, 0.5, 2.0)
            } else {
                rng.mat(s, -2.0, 2.0)
            }
        })
        .collect();
    let us: Vec<_> = sh.iter().map(|&s| rng.mat(s, -1.0, 1.0)).collect();
    let labels: Vec<usize> = (0..m).map(|_| rng.index(n)).collect();
    let t = Tape::new();
    let vars: Vec<Var> = xs.iter().map(|x| t.var(x.clone())).collect();
    let y = build(op, &t, &vars, &labels);
    let v = rng.mat(t.shape(y).unwrap(), -1.0, 1.0);
    Case {
        op,
        xs,
        us,
        v,
        labels,
    }
}

/// ⟨v, J u⟩ three ways: reverse (vjp), forward (Dual<f64>), central
/// differences.
fn check_first_order(c: &Case) {
    // Reverse.
    let t = Tape::new();
    let vars: Vec<Var> = c.xs.iter().map(|x| t.var(x.clone())).collect();
    let y = build(c.op, &t, &vars, &c.labels);
    let w = t.vjp(y, &c.v, &vars).unwrap();
    let rev: f64 = w.iter().zip(&c.us).map(|(w, u)| dot(w, u)).sum();
    // The recorded backward pass computes the same values.
    let wv = t.vjp_var(y, t.var(c.v.clone()), &vars).unwrap();
    for (a, b) in w.iter().zip(&wv) {
        let b = t.value(*b).unwrap();
        for (p, q) in a.iter().zip(b.iter()) {
            assert!(
                (p - q).abs() <= 1e-14 * (1.0 + p.abs()),
                "{:?}: eager {a} vs recorded {b}",
                c.op
            );
        }
    }

    // Forward: the same operation on dual numbers, inputs x + εu.
    let td = Tape::<Dual<f64>>::new();
    let dv: Vec<Var> =
        c.xs.iter()
            .zip(&c.us)
            .map(|(x, u)| td.var(x.zip_map(u, Dual::new)))
            .collect();
    let yd = td.value(build(c.op, &td, &dv, &c.labels)).unwrap();
    let fwd = dot(&yd.map(|d| d.eps), &c.v);
    let scale = 1.0
        + rev
            .abs()
            .max(w.iter().map(|w| w.amax()).fold(0.0, f64::max));
    assert!(
        (rev - fwd).abs() <= 1e-12 * scale,
        "{:?}: reverse {rev} vs forward {fwd}",
        c.op
    );

    // Central differences.
    let h = 1e-6;
    let at = |s: f64| {
        let t = Tape::new();
        let vars: Vec<Var> =
            c.xs.iter()
                .zip(&c.us)
                .map(|(x, u)| t.var(x + u * s))
                .collect();
        let y = build(c.op, &t, &vars, &c.labels);
        dot(&t.value(y).unwrap(), &c.v)
    };
    let fd = (at(h) - at(-h)) / (2.0 * h);
    assert!(
        (rev - fd).abs() <= 1e-6 * scale,
        "{:?}: reverse {rev} vs differences {fd}",
        c.op
    );
}

/// The Hessian of ⟨v, y(x)⟩ applied to u, two ways: the gradient of the
/// recorded gradient (reverse-over-reverse) and the eager gradient on
/// `Dual<f64>` (forward-over-reverse).
fn check_second_order(c: &Case) {
    let t = Tape::new();
    let vars: Vec<Var> = c.xs.iter().map(|x| t.var(x.clone())).collect();
    let y = build(c.op, &t, &vars, &c.labels);
    let g = t.vjp_var(y, t.var(c.v.clone()), &vars).unwrap();
    let mut s = None;
    for (gi, u) in g.iter().zip(&c.us) {
        let p = t.sum(t.mul(*gi, t.var(u.clone())).unwrap()).unwrap();
        s = Some(match s {
            None => p,
            Some(q) => t.add(q, p).unwrap(),
        });
    }
    let rr = t.gradient(s.unwrap(), &vars).unwrap();

    let td = Tape::<Dual<f64>>::new();
    let dv: Vec<Var> =
        c.xs.iter()
            .zip(&c.us)
            .map(|(x, u)| td.var(x.zip_map(u, Dual::new)))
            .collect();
    let yd = build(c.op, &td, &dv, &c.labels);
    let fr = td.vjp(yd, &c.v.map(Dual::constant), &dv).unwrap();
    for (a, b) in rr.iter().zip(&fr) {
        let b = b.map(|d| d.eps);
        let scale = 1.0 + b.amax();
        for (p, q) in a.iter().zip(b.iter()) {
            assert!(
                (p - q).abs() <= 1e-12 * scale,
                "{:?}: reverse-over-reverse {a} vs forward-over-reverse {b}",
                c.op
            );
        }
    }
}

#[test]
fn every_operation_at_a_fixed_case() {
    for (i, &op) in ALL.iter().enumerate() {
        let c = case(op, 3, 4, 2, 1000 + i as u64);
        check_first_order(&c);
        check_second_order(&c);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn vjp_agrees_with_forward_mode_and_differences(
        i in 0..ALL.len(), m in 1usize..5, n in 1usize..5, k in 1usize..5, seed in any::<u64>()
    ) {
        check_first_order(&case(ALL[i], m, n, k, seed));
    }

    #[test]
    fn recorded_backward_differentiates_like_forward_over_reverse(
        i in 0..ALL.len(), m in 1usize..4, n in 1usize..4, k in 1usize..4, seed in any::<u64>()
    ) {
        check_second_order(&case(ALL[i], m, n, k, seed));
    }

    #[test]
    fn large_matmul_uses_the_fast_path_correctly(m in 6usize..12, n in 6usize..12, k in 6usize..12, seed in any::<u64>()) {
        let c = case(K::MatMul, m, n, k, seed);
        check_first_order(&c);
    }
}

/// Element-wise gradients are the forward mode's derivatives bit for bit,
/// also in the tails (|x| large) and at the kinks.
#[test]
fn elementwise_gradients_equal_the_forward_rule_table() {
    use dualgrad::derivative;
    use num_traits::Float;
    let xs = [
        -800.0, -30.0, -20.0, -1.5, -1e-300, -0.0, 0.0, 1e-8, 0.3, 2.0, 19.0, 25.0, 700.0,
    ];
    let x = DMatrix::from_row_slice(1, xs.len(), &xs);
    type F = fn(Dual<f64>) -> Dual<f64>;
    let cases: [(K, F); 9] = [
        (K::Tanh, |x| x.tanh()),
        (K::Sigmoid, |x| x.sigmoid()),
        (K::Softplus, |x| x.softplus()),
        (K::Relu, |x| x.relu()),
        (K::Exp, |x| x.exp()),
        (K::Square, |x| x * x),
        (K::Powi(3), |x| x.powi(3)),
        (K::Sqrt, |x| x.sqrt()),
        (K::Ln, |x| x.ln()),
    ];
    for (op, f) in cases {
        let t = Tape::new();
        let v = t.var(x.clone());
        let y = build(op, &t, &[v], &[]);
        let g = t.gradient(y, &[v]).unwrap();
        for (i, &xi) in xs.iter().enumerate() {
            let (value, d) = derivative(f, xi);
            let (got_v, got_d) = (t.value(y).unwrap()[(0, i)], g[0][(0, i)]);
            let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
            assert!(
                same(got_v, value),
                "{op:?} at {xi}: value {got_v} vs {value}"
            );
            assert!(same(got_d, d), "{op:?} at {xi}: derivative {got_d} vs {d}");
        }
    }
}

/// A source listed twice gets its gradient twice (the backward pass moves
/// each source's adjoint out, and copies it for a repeat), on a tape reused
/// across resets.
#[test]
fn repeated_sources_and_reused_tape() {
    let mut t = Tape::new();
    for k in 1..4 {
        t.reset();
        let x = t.var(nalgebra::dmatrix![1.0, k as f64]);
        let w = t.var(nalgebra::dmatrix![2.0, 3.0]);
        let y = t.sum(t.mul(t.square(x).unwrap(), w).unwrap()).unwrap();
        let g = t.gradient(y, &[x, w, x]).unwrap();
        let kf = k as f64;
        assert_eq!(g[0], nalgebra::dmatrix![4.0, 6.0 * kf]);
        assert_eq!(g[1], nalgebra::dmatrix![1.0, kf * kf]);
        assert_eq!(g[2], g[0]);
        for m in g {
            t.recycle(m);
        }
    }
}
