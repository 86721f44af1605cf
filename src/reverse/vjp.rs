//! Every operation's vector-Jacobian product, written once over a small
//! matrix algebra ([`Alg`]) with two implementations: plain matrices
//! computed at once (the fast backward pass) and operations recorded on the
//! tape (a backward pass that can itself be differentiated).

use alloc::vec::Vec;

use super::error::Shape;
use super::op::Op;
use crate::{Fun, Scalar};

/// The operations a backward pass needs, on matrices of type `M`.
pub(crate) trait Alg<S: Scalar> {
    /// A matrix: a value, or a recorded variable.
    type M: Clone;
    /// The operation that produced node `i`.
    fn op(&self, i: usize) -> Op<S>;
    /// Whether any operand of node `i` satisfies `f` (a user operation's
    /// operands included).
    fn any_operand(&self, i: usize, f: &mut dyn FnMut(usize) -> bool) -> bool;
    /// The operands of the user operation at node `i` (empty for any other
    /// node).
    fn custom_operands(&self, i: usize) -> Vec<usize>;
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
    /// `f⁽ᵏ⁾(x)` entry by entry (`k ≤ 1`).
    fn map(&mut self, x: &Self::M, f: Fun, k: u8) -> Self::M;
    /// `g ⊙ d`, zero where `g` is zero.
    fn mul_z(&mut self, g: &Self::M, d: &Self::M) -> Self::M;
    /// `k·a + c`.
    fn affine(&mut self, a: &Self::M, k: f64, c: f64) -> Self::M;
    /// A constant shaped like `a`, every entry `c`.
    fn fill(&mut self, a: &Self::M, c: f64) -> Self::M;
    /// The weight of node `a` in `max(a, b)` or `min(a, b)` (a constant).
    fn max_min_weight(&mut self, a: usize, b: usize, is_max: bool) -> Self::M;
    /// `g ⊙ f⁽ᵏ⁺¹⁾(x)` for the user's element-wise function `id` at node
    /// `x`, zero where `g` is zero.
    fn elem_deriv_mul(&mut self, g: &Self::M, x: usize, id: usize, k: u8) -> Self::M;
    /// `g ⊙ ∂^(i+j)f/∂xⁱ∂yʲ(a, b)` for the user's element-wise function of
    /// two variables `id`, zero where `g` is zero.
    fn elem2_deriv_mul(
        &mut self,
        g: &Self::M,
        ab: (usize, usize),
        id: usize,
        ij: (u8, u8),
    ) -> Self::M;
    /// The adjoints of the operands of the user operation at node `i`
    /// (one per operand), given the adjoint `g` of its result.
    fn custom_vjp(&mut self, i: usize, g: &Self::M) -> Vec<Self::M>;
    /// The `nr×nc` block of `a` at `(r0, c0)`.
    fn block(&mut self, a: &Self::M, at: (usize, usize), size: (usize, usize)) -> Self::M;
    /// `g` at `(r0, c0)` in an `r×c` zero matrix.
    fn pad(&mut self, g: &Self::M, at: (usize, usize), size: (usize, usize)) -> Self::M;
    /// The entries of `a` as an `r×c` matrix.
    fn reshape(&mut self, a: &Self::M, r: usize, c: usize) -> Self::M;
    /// The rows (columns) of `a` at index list `id`.
    fn gather(&mut self, a: &Self::M, id: usize, rows: bool) -> Self::M;
    /// `g`'s rows (columns) added into `n` rows (columns) at index list `id`.
    fn scatter(&mut self, g: &Self::M, id: usize, rows: bool, n: usize) -> Self::M;
    /// `k·a` for an `f64` constant (the element-wise list's `f″` formulas).
    fn times(&mut self, a: &Self::M, k: f64) -> Self::M {
        self.scale(a, lit(k))
    }
    /// `g ⊙ f⁽ᵏ⁺¹⁾(x)` (`k ≤ 1`), zero where `g` is zero: the
    /// vector-Jacobian product of [`Op::Map`]. Recorded, `f′` is the
    /// listed function's derivative node and `f″` its entry's formula in
    /// recorded operations, so that the result is differentiable again, to
    /// any order; an eager algebra computes it at once from the rule table.
    fn deriv_mul(&mut self, g: &Self::M, x: &Self::M, f: Fun, k: u8) -> Self::M {
        let d = if k == 0 {
            self.map(x, f, 1)
        } else {
            second_derivative(self, x, f)
        };
        let y = self.mul_z(g, &d);
        self.recycle(d);
        y
    }
    fn softmax(&mut self, a: &Self::M) -> Self::M;
    /// The Frobenius norm of `a` (1×1).
    fn norm(&mut self, a: &Self::M) -> Self::M;
    /// `a/‖a‖`, 0 where `‖a‖ = 0`, computed on `a` scaled by a power of two
    /// (finite for a subnormal norm).
    fn unit(&mut self, a: &Self::M) -> Self::M;
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

/// `f″(x)` written in the algebra's operations, from each entry's formula
/// in the list of functions.
macro_rules! second_derivative_fn {
    ($($kind:ident $m:ident $v:ident ($($p:ident : $pt:ty = $ex:expr)?)
        => $rule:ident $(/ $slope:ident)?, |$a:ident, $x:ident| $d2:expr;)*) => {
        /// `f″(x)` in recorded (or eager) operations.
        #[allow(unused_variables)]
        pub(crate) fn second_derivative<S: Scalar, A: Alg<S> + ?Sized>(
            alg: &mut A,
            x: &A::M,
            f: Fun,
        ) -> A::M {
            match f {
                $(Fun::$v$(($p))? => {
                    let $a = &mut *alg;
                    let $x = x;
                    $d2
                })*
            }
        }
    };
}
crate::forward::functions::unary_functions!(second_derivative_fn);

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
        Op::Map(a, f, k) => {
            let d = alg.deriv_mul(g, &alg.node(a), f, k);
            give(alg, a, d);
        }
        Op::LogSumExp(a) => {
            // broadcast(g) ⊙ softmax(a)
            let (r, c) = alg.shape(a);
            let gb = alg.broadcast(g, r, c);
            let p = alg.softmax(&alg.node(a));
            let d = alg.mul(&gb, &p);
            alg.recycle(gb);
            alg.recycle(p);
            give(alg, a, d);
        }
        Op::Block(a, r0, c0, _, _) => {
            let d = alg.pad(g, (r0, c0), alg.shape(a));
            give(alg, a, d);
        }
        Op::Pad(h, r0, c0, _, _) => {
            let d = alg.block(g, (r0, c0), alg.shape(h));
            give(alg, h, d);
        }
        Op::Concat(a, b, rows) => {
            let (sa, sb) = (alg.shape(a), alg.shape(b));
            if need[a] {
                let d = alg.block(g, (0, 0), sa);
                give(alg, a, d);
            }
            if need[b] {
                let at = if rows { (sa.0, 0) } else { (0, sa.1) };
                let d = alg.block(g, at, sb);
                give(alg, b, d);
            }
        }
        Op::Reshape(a, _, _) => {
            let (r, c) = alg.shape(a);
            let d = alg.reshape(g, r, c);
            give(alg, a, d);
        }
        Op::Gather(a, id, rows) => {
            let (r, c) = alg.shape(a);
            let d = alg.scatter(g, id, rows, if rows { r } else { c });
            give(alg, a, d);
        }
        Op::Scatter(h, id, rows, _) => {
            let d = alg.gather(g, id, rows);
            give(alg, h, d);
        }
        Op::Elem2(a, b, id, di, dj) => {
            if need[a] {
                let d = alg.elem2_deriv_mul(g, (a, b), id, (di.saturating_add(1), dj));
                give(alg, a, d);
            }
            if need[b] {
                let d = alg.elem2_deriv_mul(g, (a, b), id, (di, dj.saturating_add(1)));
                give(alg, b, d);
            }
        }
        Op::Elem(a, id, k) => {
            let d = alg.elem_deriv_mul(g, a, id, k);
            give(alg, a, d);
        }
        Op::Custom(..) => {
            let mut ds = alg.custom_vjp(i, g).into_iter();
            for p in alg.custom_operands(i) {
                if let Some(d) = ds.next() {
                    if need[p] {
                        give(alg, p, d);
                    } else {
                        alg.recycle(d);
                    }
                }
            }
        }
        Op::CustomGrad(h, node) => {
            // Not differentiable again: NaN, never a silent zero.
            for p in [h, node] {
                if need[p] {
                    let d = alg.fill(&alg.node(p), f64::NAN);
                    give(alg, p, d);
                }
            }
        }
        Op::MulZ(h, d) => {
            if need[h] {
                let v = alg.mul_z(g, &alg.node(d));
                give(alg, h, v);
            }
            if need[d] {
                let v = alg.mul_z(g, &alg.node(h));
                give(alg, d, v);
            }
        }
        Op::Affine(a, k, _) => {
            let d = alg.scale(g, k);
            give(alg, a, d);
        }
        Op::MaxMin(a, b, is_max) => {
            let w = alg.max_min_weight(a, b, is_max);
            let da = alg.mul(g, &w);
            alg.recycle(w);
            if need[b] {
                let db = alg.sub(g, &da);
                give(alg, b, db);
            }
            if need[a] {
                give(alg, a, da);
            } else {
                alg.recycle(da);
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
            // g · a/‖a‖, and 0 where ‖a‖ = 0. The direction a/‖a‖ is its
            // own operation: `a ⊙ (g/‖a‖)` overflowed to ∞ for a subnormal
            // norm (1/‖a‖ = ∞) and lost digits near overflow (1/‖a‖
            // subnormal); recorded, its derivative (I − uuᵀ)/‖a‖ does not
            // square the norm either (1/‖a‖² overflows below 1e-154).
            let (r, c) = alg.shape(a);
            let u = alg.unit(&alg.node(a));
            let gb = alg.broadcast(g, r, c);
            let d = alg.mul_z(&gb, &u);
            alg.recycle(u);
            alg.recycle(gb);
            give(alg, a, d);
        }
        Op::Unit(a) => {
            // d(a/‖a‖)ᵀg = (g − u⟨u, g⟩)/‖a‖, with u = a/‖a‖ this node,
            // and 0 where ‖a‖ = 0 (the norm's convention there).
            let (r, c) = alg.shape(a);
            let u = alg.node(i);
            let ug = alg.mul(&u, g);
            let rs = alg.row_sums(&ug);
            let ip = alg.col_sums(&rs);
            let ipb = alg.broadcast(&ip, r, c);
            let t = alg.mul(&u, &ipb);
            let e = alg.sub(g, &t);
            let n = alg.norm(&alg.node(a));
            let inv = alg.map(&n, Fun::RecipOrZero, 0);
            let invb = alg.broadcast(&inv, r, c);
            let d = alg.mul_z(&e, &invb);
            for m in [ug, rs, ip, ipb, t, e, n, inv, invb] {
                alg.recycle(m);
            }
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
    let mut out = Vec::with_capacity(sources.len());
    backward_into(alg, target, seed, sources, marks, &mut out);
    out
}

/// [`backward`], with the sources' adjoints pushed onto `out` (empty),
/// whose storage a caller can keep between passes.
pub(crate) fn backward_into<S: Scalar, A: Alg<S>>(
    alg: &mut A,
    target: usize,
    seed: A::M,
    sources: &[usize],
    marks: &mut Marks<A::M>,
    out: &mut Vec<Option<A::M>>,
) {
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
            need[i] = alg.any_operand(i, &mut |p| need[p]);
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
        // A value without entries passes nothing back (and its operands may
        // be 2⁴⁰ × 0: no kernel should visit their empty rows).
        let (r, c) = alg.shape(i);
        if r != 0 && c != 0 {
            vjp(alg, i, &g, need, adj);
        }
        if is_source[i] {
            adj[i] = Some(g);
        } else {
            alg.recycle(g);
        }
    }
    // Each source's adjoint is moved out (a source listed twice gets a
    // copy of the first one's).
    out.clear();
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
}
