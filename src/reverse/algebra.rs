//! The two matrix algebras of the backward pass: [`Eager`] computes every
//! vector-Jacobian product at once on plain matrices (with storage from the
//! tape's pool), [`Rec`] records them on the tape as new operations.

use core::cell::RefMut;

use nalgebra::DMatrix;

use super::error::Shape;
use super::kernels as k;
use super::op::{Em, Node, Op};
use super::pool::Pool;
use super::tape::Tape;
use super::vjp::Alg;
use crate::{Fun, Scalar};

/// The matrix behind an [`Em`].
fn get<'b, S: Scalar>(nodes: &'b [Node<S>], m: &'b Em<S>) -> &'b DMatrix<S> {
    match m {
        Em::Node(i) => &nodes[*i].value,
        Em::Own(v) => v,
    }
}

/// The eager algebra: computes every product at once, on the tape's values.
pub(crate) struct Eager<'a, S: Scalar> {
    pub(crate) nodes: &'a [Node<S>],
    pub(crate) pool: RefMut<'a, Pool<S>>,
}

impl<S: Scalar> Eager<'_, S> {
    fn r<'b>(&'b self, m: &'b Em<S>) -> &'b DMatrix<S> {
        match m {
            Em::Node(i) => &self.nodes[*i].value,
            Em::Own(v) => v,
        }
    }
    pub(crate) fn own(&mut self, m: Em<S>) -> DMatrix<S> {
        match m {
            Em::Node(i) => self.pool.copy(&self.nodes[i].value),
            Em::Own(v) => v,
        }
    }
}

impl<S: Scalar> Alg<S> for Eager<'_, S> {
    type M = Em<S>;
    fn op(&self, i: usize) -> Op<S> {
        self.nodes[i].op
    }
    fn shape(&self, i: usize) -> Shape {
        self.nodes[i].value.shape()
    }
    fn node(&self, i: usize) -> Em<S> {
        Em::Node(i)
    }
    fn matmul_nt(&mut self, a: &Em<S>, b: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::matmul_nt(p, get(n, a), get(n, b)))
    }
    fn matmul_tn(&mut self, a: &Em<S>, b: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::matmul_tn(p, get(n, a), get(n, b)))
    }
    fn transpose(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::transpose(p, get(n, a)))
    }
    fn sub(&mut self, a: &Em<S>, b: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::zip(p, get(n, a), get(n, b), |x, y| x - y))
    }
    fn mul(&mut self, a: &Em<S>, b: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::zip(p, get(n, a), get(n, b), |x, y| x * y))
    }
    fn div(&mut self, a: &Em<S>, b: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::zip(p, get(n, a), get(n, b), |x, y| x / y))
    }
    fn scale(&mut self, a: &Em<S>, c: S) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::scale(p, get(n, a), c))
    }
    fn deriv_mul(&mut self, g: &Em<S>, x: &Em<S>, f: Fun, d: u8) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::deriv_mul(p, get(n, g), get(n, x), f, d))
    }
    fn map(&mut self, x: &Em<S>, f: Fun, d: u8) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::map_fun(p, get(n, x), f, d))
    }
    fn mul_z(&mut self, g: &Em<S>, d: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::mul_z(p, get(n, g), get(n, d)))
    }
    fn affine(&mut self, a: &Em<S>, k: f64, c: f64) -> Em<S> {
        let (k, c) = (S::lit(k), S::lit(c));
        let (n, p) = (self.nodes, &mut *self.pool);
        let a = get(n, a);
        Em::Own(p.fill(a.nrows(), a.ncols(), a.iter().map(|&x| x * k + c)))
    }
    fn fill(&mut self, a: &Em<S>, c: f64) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        let (r, cols) = get(n, a).shape();
        Em::Own(p.fill(r, cols, core::iter::repeat_n(S::lit(c), r * cols)))
    }
    fn max_min_weight(&mut self, a: usize, b: usize, is_max: bool) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::max_min_weight(p, &n[a].value, &n[b].value, is_max))
    }
    fn softmax(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::softmax(p, get(n, a)))
    }
    fn row_sums(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::row_sums(p, get(n, a)))
    }
    fn col_sums(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::col_sums(p, get(n, a)))
    }
    fn broadcast(&mut self, a: &Em<S>, r: usize, c: usize) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::broadcast(p, get(n, a), r, c))
    }
    fn unbroadcast(&mut self, g: &Em<S>, r: usize, c: usize) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::unbroadcast(p, get(n, g), r, c))
    }
    fn dup(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(p.copy(get(n, a)))
    }
    fn recycle(&mut self, a: Em<S>) {
        if let Em::Own(m) = a {
            self.pool.give(m);
        }
    }
    fn cross_entropy_grad(&mut self, z: usize, t: usize, g: &Em<S>) -> Em<S> {
        let zv = &self.nodes[z].value;
        let k = S::one() / S::lit(zv.nrows() as f64);
        let g = self.r(g)[(0, 0)];
        let mut p = k::softmax(&mut self.pool, zv);
        p.zip_apply(&self.nodes[t].value, |p, t| *p = (*p - t) * g * k);
        Em::Own(p)
    }
    fn accumulate(&mut self, slot: &mut Option<Em<S>>, v: Em<S>) {
        *slot = Some(match slot.take() {
            None => v,
            Some(cur) => {
                let mut cur = self.own(cur);
                cur += self.r(&v);
                self.recycle(v);
                Em::Own(cur)
            }
        });
    }
}

/// The recording algebra: every product becomes a node on the tape.
pub(crate) struct Rec<'a, S: Scalar> {
    pub(crate) tape: &'a Tape<S>,
}

impl<S: Scalar> Alg<S> for Rec<'_, S> {
    type M = usize;
    fn op(&self, i: usize) -> Op<S> {
        self.tape.nodes.borrow()[i].op
    }
    fn shape(&self, i: usize) -> Shape {
        self.tape.nodes.borrow()[i].value.shape()
    }
    fn node(&self, i: usize) -> usize {
        i
    }
    fn matmul_nt(&mut self, a: &usize, b: &usize) -> usize {
        let bt = self.tape.push(Op::Transpose(*b));
        self.tape.push(Op::MatMul(*a, bt))
    }
    fn matmul_tn(&mut self, a: &usize, b: &usize) -> usize {
        let at = self.tape.push(Op::Transpose(*a));
        self.tape.push(Op::MatMul(at, *b))
    }
    fn transpose(&mut self, a: &usize) -> usize {
        self.tape.push(Op::Transpose(*a))
    }
    fn sub(&mut self, a: &usize, b: &usize) -> usize {
        self.tape.push(Op::Sub(*a, *b))
    }
    fn mul(&mut self, a: &usize, b: &usize) -> usize {
        self.tape.push(Op::Mul(*a, *b))
    }
    fn div(&mut self, a: &usize, b: &usize) -> usize {
        self.tape.push(Op::Div(*a, *b))
    }
    fn scale(&mut self, a: &usize, c: S) -> usize {
        self.tape.push(Op::Scale(*a, c))
    }
    fn map(&mut self, x: &usize, f: Fun, d: u8) -> usize {
        self.tape.push(Op::Map(*x, f, d))
    }
    fn mul_z(&mut self, g: &usize, d: &usize) -> usize {
        self.tape.push(Op::MulZ(*g, *d))
    }
    fn affine(&mut self, a: &usize, k: f64, c: f64) -> usize {
        self.tape.push(Op::Affine(*a, S::lit(k), S::lit(c)))
    }
    fn fill(&mut self, a: &usize, c: f64) -> usize {
        let (r, cols) = self.shape(*a);
        let m =
            self.tape
                .pool
                .borrow_mut()
                .fill(r, cols, core::iter::repeat_n(S::lit(c), r * cols));
        self.tape.var(m).index
    }
    fn max_min_weight(&mut self, a: usize, b: usize, is_max: bool) -> usize {
        let m = {
            let nodes = self.tape.nodes.borrow();
            k::max_min_weight(
                &mut self.tape.pool.borrow_mut(),
                &nodes[a].value,
                &nodes[b].value,
                is_max,
            )
        };
        self.tape.var(m).index
    }
    fn softmax(&mut self, a: &usize) -> usize {
        self.tape.push(Op::Softmax(*a))
    }
    fn row_sums(&mut self, a: &usize) -> usize {
        self.tape.push(Op::RowSums(*a))
    }
    fn col_sums(&mut self, a: &usize) -> usize {
        self.tape.push(Op::ColSums(*a))
    }
    fn broadcast(&mut self, a: &usize, r: usize, c: usize) -> usize {
        self.tape.push(Op::Broadcast(*a, r, c))
    }
    fn unbroadcast(&mut self, g: &usize, r: usize, c: usize) -> usize {
        let (gr, gc) = self.shape(*g);
        let mut y = *g;
        if r == 1 && gr != 1 {
            y = self.tape.push(Op::ColSums(y));
        }
        if c == 1 && gc != 1 {
            y = self.tape.push(Op::RowSums(y));
        }
        y
    }
    fn dup(&mut self, a: &usize) -> usize {
        *a
    }
    fn recycle(&mut self, _: usize) {}
    fn accumulate(&mut self, slot: &mut Option<usize>, v: usize) {
        *slot = Some(match *slot {
            None => v,
            Some(cur) => self.tape.push(Op::Add(cur, v)),
        });
    }
}
