//! Every operation's vector-Jacobian product, written once over a small
//! matrix algebra ([`Alg`]) with two implementations: plain matrices
//! computed at once (the fast backward pass) and operations recorded on the
//! tape (a backward pass that can itself be differentiated).

use alloc::vec::Vec;

use super::error::Shape;
use super::op::{Fun, Op};
use crate::Scalar;

/// The operations a backward pass needs, on matrices of type `M`.
pub(crate) trait Alg<S: Scalar> {
    /// A matrix: a value, or a recorded variable.
    type M: Clone;
    /// The operation that produced node `i`.
    fn op(&self, i: usize) -> Op<S>;
    /// The shape of node `i`'s value.
    fn shape(&self, i: usize) -> Shape;
    /// Node `i`'s value.
    fn node(&self, i: usize) -> Self::M;
    fn matmul_nt(&mut self, a: &Self::M, b: &Self::M) -> Self::M;
    fn matmul_tn(&mut self, a: &Self::M, b: &Self::M) -> Self::M;
    fn transpose(&mut self, a: &Self::M) -> Self::M;
    fn sub(&mut self, a: &Self::M, b: &Self::M) -> Self::M;
    fn mul(&mut self, a: &Self::M, b: &Self::M) -> Self::M;
    fn div(&mut self, a: &Self::M, b: &Self::M) -> Self::M;
    fn scale(&mut self, a: &Self::M, k: S) -> Self::M;
    fn deriv_mul(&mut self, g: &Self::M, x: &Self::M, f: Fun, k: u8) -> Self::M;
    fn softmax(&mut self, a: &Self::M) -> Self::M;
    fn row_sums(&mut self, a: &Self::M) -> Self::M;
    fn col_sums(&mut self, a: &Self::M) -> Self::M;
    fn broadcast(&mut self, a: &Self::M, r: usize, c: usize) -> Self::M;
    /// Sums `g` down to the shape `(r, c)` it was broadcast from.
    fn unbroadcast(&mut self, g: &Self::M, r: usize, c: usize) -> Self::M;
    /// `(softmax(z) − t) ⊙ g / rows` for nodes `z` (logits) and `t`
    /// (targets) and a 1×1 `g`; an algebra may fuse it.
    fn cross_entropy_grad(&mut self, z: usize, t: usize, g: &Self::M) -> Self::M {
        let (r, c) = self.shape(z);
        let gb = self.broadcast(g, r, c);
        let p = self.softmax(&self.node(z));
        let e = self.sub(&p, &self.node(t));
        let m = self.mul(&e, &gb);
        let d = self.scale(&m, S::one() / lit::<S>(r as f64));
        for x in [gb, p, e, m] {
            self.recycle(x);
        }
        d
    }
    /// A copy of `a` (a new handle to the same variable when recording).
    fn dup(&mut self, a: &Self::M) -> Self::M;
    /// `a` is no longer needed (its storage can be reused).
    fn recycle(&mut self, a: Self::M);
    /// `slot += v` (or `slot = v` if empty).
    fn accumulate(&mut self, slot: &mut Option<Self::M>, v: Self::M);
}

fn lit<S: Scalar>(x: f64) -> S {
    S::lit(x)
}

/// Propagates the adjoint `g` of node `i` to its operands that `need` one.
pub(crate) fn vjp<S: Scalar, A: Alg<S>>(
    alg: &mut A,
    i: usize,
    g: &A::M,
    need: &[bool],
    adj: &mut [Option<A::M>],
) {
    let mut give = |alg: &mut A, p: usize, v: A::M| alg.accumulate(&mut adj[p], v);
    match alg.op(i) {
        Op::Leaf => {}
        Op::MatMul(a, b) => {
            if need[a] {
                let d = alg.matmul_nt(g, &alg.node(b));
                give(alg, a, d);
            }
            if need[b] {
                let d = alg.matmul_tn(&alg.node(a), g);
                give(alg, b, d);
            }
        }
        Op::Transpose(a) => {
            let d = alg.transpose(g);
            give(alg, a, d);
        }
        Op::Add(a, b) => {
            if need[a] {
                {
                    let d = alg.dup(g);
                    give(alg, a, d);
                }
            }
            if need[b] {
                {
                    let d = alg.dup(g);
                    give(alg, b, d);
                }
            }
        }
        Op::Sub(a, b) => {
            if need[a] {
                {
                    let d = alg.dup(g);
                    give(alg, a, d);
                }
            }
            if need[b] {
                let d = alg.scale(g, -S::one());
                give(alg, b, d);
            }
        }
        Op::Mul(a, b) => {
            if need[a] {
                let d = alg.mul(g, &alg.node(b));
                give(alg, a, d);
            }
            if need[b] {
                let d = alg.mul(g, &alg.node(a));
                give(alg, b, d);
            }
        }
        Op::Div(a, b) => {
            // d(a/b) = da/b − (a/b)·db/b
            let q = alg.div(g, &alg.node(b));
            if need[b] {
                let qy = alg.mul(&q, &alg.node(i));
                let d = alg.scale(&qy, -S::one());
                alg.recycle(qy);
                give(alg, b, d);
            }
            if need[a] {
                give(alg, a, q);
            } else {
                alg.recycle(q);
            }
        }
        Op::AddRow(a, r) => {
            if need[r] {
                let d = alg.col_sums(g);
                give(alg, r, d);
            }
            if need[a] {
                {
                    let d = alg.dup(g);
                    give(alg, a, d);
                }
            }
        }
        Op::Scale(a, k) => {
            let d = alg.scale(g, k);
            give(alg, a, d);
        }
        Op::Map(a, f) => {
            let d = alg.deriv_mul(g, &alg.node(a), f, 1);
            give(alg, a, d);
        }
        Op::DerivMul(h, x, f, k) => {
            if need[h] {
                let d = alg.deriv_mul(g, &alg.node(x), f, k);
                give(alg, h, d);
            }
            if need[x] {
                let gh = alg.mul(g, &alg.node(h));
                // Saturating: orders beyond 4 are NaN anyway (`Fun::deriv`), and
                // 256 nested gradients must not wrap the counter.
                let d = alg.deriv_mul(&gh, &alg.node(x), f, k.saturating_add(1));
                alg.recycle(gh);
                give(alg, x, d);
            }
        }
        Op::Softmax(a) => {
            // y ⊙ (g − rowsum(g ⊙ y))
            let (r, c) = alg.shape(i);
            let y = alg.node(i);
            let gy = alg.mul(g, &y);
            let s = alg.row_sums(&gy);
            let sb = alg.broadcast(&s, r, c);
            let t = alg.sub(g, &sb);
            let d = alg.mul(&y, &t);
            for m in [gy, s, sb, t] {
                alg.recycle(m);
            }
            give(alg, a, d);
        }
        Op::LogSoftmax(a) => {
            // g − softmax(a) ⊙ rowsum(g)
            let (r, c) = alg.shape(i);
            let s = alg.row_sums(g);
            let sb = alg.broadcast(&s, r, c);
            let p = alg.softmax(&alg.node(a));
            let ps = alg.mul(&p, &sb);
            let d = alg.sub(g, &ps);
            for m in [s, sb, p, ps] {
                alg.recycle(m);
            }
            give(alg, a, d);
        }
        Op::Sum(a) | Op::RowSums(a) | Op::ColSums(a) => {
            let (r, c) = alg.shape(a);
            let d = alg.broadcast(g, r, c);
            give(alg, a, d);
        }
        Op::Mean(a) => {
            let (r, c) = alg.shape(a);
            let b = alg.broadcast(g, r, c);
            let d = alg.scale(&b, S::one() / lit::<S>((r * c) as f64));
            alg.recycle(b);
            give(alg, a, d);
        }
        Op::Broadcast(a, _, _) => {
            let (r, c) = alg.shape(a);
            let d = alg.unbroadcast(g, r, c);
            give(alg, a, d);
        }
        Op::Norm(a) => {
            // a · g/‖a‖, and 0 where ‖a‖ = 0
            let (r, c) = alg.shape(a);
            let q = alg.deriv_mul(g, &alg.node(i), Fun::RecipOrZero, 0);
            let qb = alg.broadcast(&q, r, c);
            let d = alg.mul(&alg.node(a), &qb);
            alg.recycle(q);
            alg.recycle(qb);
            give(alg, a, d);
        }
        Op::Mse(a, b) => {
            let (r, c) = alg.shape(a);
            let diff = alg.sub(&alg.node(a), &alg.node(b));
            let gb = alg.broadcast(g, r, c);
            let gd = alg.mul(&gb, &diff);
            let d = alg.scale(&gd, lit::<S>(2.0) / lit::<S>((r * c) as f64));
            for m in [diff, gb, gd] {
                alg.recycle(m);
            }
            if need[b] {
                let db = alg.scale(&d, -S::one());
                give(alg, b, db);
            }
            if need[a] {
                give(alg, a, d);
            } else {
                alg.recycle(d);
            }
        }
        Op::CrossEntropy(z, t) => {
            // (softmax(z) − target)·g/rows. The target is a constant the
            // tape made from the labels: no variable of the user's refers
            // to it, so it never needs an adjoint.
            if need[z] {
                let d = alg.cross_entropy_grad(z, t, g);
                give(alg, z, d);
            }
        }
    }
}

/// The backward pass's per-node bookkeeping, kept between passes (on the
/// tape, for the eager pass) so that a training step does not allocate it
/// anew.
#[derive(Debug)]
pub(crate) struct Marks<M> {
    is_source: Vec<bool>,
    need: Vec<bool>,
    adj: Vec<Option<M>>,
}

impl<M> Default for Marks<M> {
    fn default() -> Self {
        Marks {
            is_source: Vec::new(),
            need: Vec::new(),
            adj: Vec::new(),
        }
    }
}

/// Runs the backward pass from `target` (seeded with `seed`) and returns
/// the adjoint of every source, `None` for a source the target does not
/// depend on.
pub(crate) fn backward<S: Scalar, A: Alg<S>>(
    alg: &mut A,
    target: usize,
    seed: A::M,
    sources: &[usize],
    marks: &mut Marks<A::M>,
) -> Vec<Option<A::M>> {
    let n = target + 1;
    let Marks {
        is_source,
        need,
        adj,
    } = marks;
    is_source.clear();
    is_source.resize(n, false);
    for &s in sources {
        if s < n {
            is_source[s] = true;
        }
    }
    // A node needs an adjoint if a source is among its ancestors (or it is one).
    need.clear();
    need.extend_from_slice(is_source);
    for i in 0..n {
        if !need[i] {
            need[i] = alg.op(i).parents().iter().flatten().any(|&p| need[p]);
        }
    }
    adj.clear();
    adj.resize_with(n, || None);
    if need[target] {
        adj[target] = Some(seed);
    } else {
        alg.recycle(seed);
    }
    for i in (0..n).rev() {
        if !need[i] {
            continue;
        }
        let Some(g) = adj[i].take() else { continue };
        vjp(alg, i, &g, need, adj);
        if is_source[i] {
            adj[i] = Some(g);
        } else {
            alg.recycle(g);
        }
    }
    // Each source's adjoint is moved out (a source listed twice gets a
    // copy of the first one's).
    let mut out: Vec<Option<A::M>> = Vec::with_capacity(sources.len());
    for (k, &s) in sources.iter().enumerate() {
        let g = match (s < n).then(|| adj[s].take()).flatten() {
            Some(g) => Some(g),
            None => sources[..k]
                .iter()
                .position(|&p| p == s)
                .and_then(|p| out[p].clone()),
        };
        out.push(g);
    }
    for g in adj.drain(..).flatten() {
        alg.recycle(g);
    }
    out
}
