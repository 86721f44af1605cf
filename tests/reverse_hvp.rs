//! Hessian-vector products of a small network's loss, three ways: the tape
//! on `Dual<f64>` (forward-over-reverse), the gradient of the recorded
//! gradient (reverse-over-reverse), and the same function written on
//! scalars with the forward-mode core on `HyperDual` numbers.
#![cfg(all(feature = "nalgebra", feature = "alloc"))]

use dualgrad::reverse::{ReverseError, Tape, Var};
use dualgrad::{Dual, HyperDual, Scalar};
use nalgebra::DMatrix;
use proptest::prelude::*;

const LABELS: [usize; 4] = [1, 0, 1, 1];

fn data() -> DMatrix<f64> {
    DMatrix::from_row_slice(4, 2, &[0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 0.1, -0.3])
}

/// Parameter shapes: W1 2×3, b1 1×3, W2 3×2.
const SHAPES: [(usize, usize); 3] = [(2, 3), (1, 3), (3, 2)];

/// L = cross_entropy(tanh(x·W1 + b1)·W2, labels) + ‖W2‖ / 10 + mean(softplus(x·W1)).
fn loss_on_tape<S: Scalar>(t: &Tape<S>, p: &[Var]) -> Result<Var, ReverseError> {
    let x = t.var(data().map(S::lit));
    let a = t.matmul(x, p[0])?;
    let h = t.tanh(t.add_row(a, p[1])?)?;
    let z = t.matmul(h, p[2])?;
    let ce = t.cross_entropy(z, &LABELS)?;
    let reg = t.scale(t.norm(p[2])?, S::lit(0.1))?;
    let sp = t.mean(t.softplus(a)?)?;
    t.add(t.add(ce, reg)?, sp)
}

/// The same loss on scalars, parameters flattened column-major per matrix.
fn loss_on_scalars<T: Scalar>(theta: &[T]) -> T {
    let x = data();
    let w1 = |i: usize, j: usize| theta[i + 2 * j];
    let b1 = |j: usize| theta[6 + j];
    let w2 = |j: usize, c: usize| theta[9 + j + 3 * c];
    let mut ce = T::zero();
    let mut sp = T::zero();
    for (i, &label) in LABELS.iter().enumerate() {
        let a: Vec<T> = (0..3)
            .map(|j| (0..2).map(|l| T::lit(x[(i, l)]) * w1(l, j)).sum::<T>())
            .collect();
        sp += a.iter().map(|&v| v.softplus()).sum::<T>();
        let h: Vec<T> = (0..3).map(|j| (a[j] + b1(j)).tanh()).collect();
        let z: Vec<T> = (0..2)
            .map(|c| (0..3).map(|j| h[j] * w2(j, c)).sum::<T>())
            .collect();
        let m = z[0].max(z[1]);
        let lse = m + ((z[0] - m).exp() + (z[1] - m).exp()).ln();
        ce += lse - z[label];
    }
    let norm = theta[9..].iter().map(|&v| v * v).sum::<T>().sqrt();
    ce / T::lit(4.0) + norm * T::lit(0.1) + sp / T::lit(12.0)
}

fn split(flat: &[f64]) -> Vec<DMatrix<f64>> {
    let mut at = 0;
    SHAPES
        .iter()
        .map(|&(r, c)| {
            let m = DMatrix::from_column_slice(r, c, &flat[at..at + r * c]);
            at += r * c;
            m
        })
        .collect()
}

fn flatten(ms: &[DMatrix<f64>]) -> Vec<f64> {
    ms.iter().flat_map(|m| m.iter().copied()).collect()
}

fn check(theta: &[f64], v: &[f64]) {
    let (pm, vm) = (split(theta), split(v));

    // Forward-over-reverse: the eager gradient on Dual<f64>, parameters θ + εv.
    let td = Tape::<Dual<f64>>::new();
    let pd: Vec<Var> = pm
        .iter()
        .zip(&vm)
        .map(|(p, v)| td.var(p.zip_map(v, Dual::new)))
        .collect();
    let l = loss_on_tape(&td, &pd).unwrap();
    let gd = td.gradient(l, &pd).unwrap();
    let fwd_rev: Vec<f64> = gd.iter().flat_map(|g| g.iter().map(|d| d.eps)).collect();
    let grad: Vec<f64> = gd.iter().flat_map(|g| g.iter().map(|d| d.re)).collect();

    // Reverse-over-reverse: the gradient of ⟨∇L, v⟩, with ∇L recorded.
    let t = Tape::new();
    let p: Vec<Var> = pm.iter().map(|m| t.var(m.clone())).collect();
    let l = loss_on_tape(&t, &p).unwrap();
    let g = t.gradient_var(l, &p).unwrap();
    let mut s = t.var(DMatrix::zeros(1, 1));
    for (gi, vi) in g.iter().zip(&vm) {
        let term = t.sum(t.mul(*gi, t.var(vi.clone())).unwrap()).unwrap();
        s = t.add(s, term).unwrap();
    }
    let rev_rev = flatten(&t.gradient(s, &p).unwrap());
    let hvp = flatten(&t.hessian_vector_product(l, &p, &vm).unwrap());
    assert_eq!(hvp, rev_rev);

    // Forward-over-forward on scalars: (Hv)_k from HyperDual(θ, e1 = v, e2 = e_k).
    let n = theta.len();
    let mut hyper = vec![0.0; n];
    let mut grad_fwd = vec![0.0; n];
    for (k, hk) in hyper.iter_mut().enumerate() {
        let th: Vec<HyperDual<f64>> = (0..n)
            .map(|i| HyperDual::new(theta[i], v[i], if i == k { 1.0 } else { 0.0 }, 0.0))
            .collect();
        let y = loss_on_scalars(&th);
        *hk = y.e12;
        grad_fwd[k] = y.e2;
    }

    let scale = 1.0 + hyper.iter().fold(0.0f64, |m, h| m.max(h.abs()));
    for k in 0..n {
        assert!(
            (fwd_rev[k] - rev_rev[k]).abs() <= 1e-12 * scale,
            "{k}: {fwd_rev:?} vs {rev_rev:?}"
        );
        assert!(
            (fwd_rev[k] - hyper[k]).abs() <= 1e-12 * scale,
            "{k}: {fwd_rev:?} vs {hyper:?}"
        );
        assert!((grad[k] - grad_fwd[k]).abs() <= 1e-13 * (1.0 + grad_fwd[k].abs()));
    }
}

#[test]
fn hessian_vector_products_agree_at_a_fixed_point() {
    let theta: Vec<f64> = (0..15).map(|i| ((i * 7 % 11) as f64 - 5.0) / 6.0).collect();
    let v: Vec<f64> = (0..15).map(|i| ((i * 5 % 13) as f64 - 6.0) / 7.0).collect();
    check(&theta, &v);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn hessian_vector_products_agree(
        theta in prop::collection::vec(-2.0f64..2.0, 15),
        v in prop::collection::vec(-1.0f64..1.0, 15),
    ) {
        check(&theta, &v);
    }
}
