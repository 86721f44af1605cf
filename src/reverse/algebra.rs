//! The two matrix algebras of the backward pass: [`Eager`] computes every
//! vector-Jacobian product at once on plain matrices (with storage from the
//! tape's pool), [`Rec`] records them on the tape as new operations.

use core::cell::RefMut;

use nalgebra::DMatrix;

use super::error::Shape;
use super::kernels as k;
use alloc::vec::Vec;

use super::error::ReverseError;
use super::op::{Em, Ext, Node, Op};
use super::pool::Pool;
use super::tape::{Tape, Var};
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
    pub(crate) ext: &'a Ext<S>,
    /// The first error met (a user operation's adjoint of the wrong shape).
    pub(crate) err: Option<ReverseError>,
}

/// The operands' values of the user operation at node `i`.
fn custom_inputs<'a, S: Scalar>(
    nodes: &'a [Node<S>],
    ext: &Ext<S>,
    i: usize,
) -> (usize, Vec<&'a DMatrix<S>>) {
    match nodes[i].op {
        Op::Custom(_, id) => {
            let ops = nodes[i].op.custom_operands(ext);
            (id, ops.iter().map(|&p| &nodes[p].value).collect())
        }
        _ => (0, Vec::new()),
    }
}

/// Checks a user operation's adjoints against its operands' shapes; a
/// missing or misshapen adjoint becomes NaN of the right shape, and the
/// error is kept.
fn checked_adjoints<S: Scalar>(
    name: &'static str,
    inputs: &[&DMatrix<S>],
    mut ds: Vec<DMatrix<S>>,
    err: &mut Option<ReverseError>,
) -> Vec<DMatrix<S>> {
    if ds.len() != inputs.len() {
        err.get_or_insert(ReverseError::LengthMismatch {
            op: name,
            expected: inputs.len(),
            found: ds.len(),
        });
    }
    ds.resize_with(inputs.len(), || DMatrix::zeros(0, 0));
    for (d, x) in ds.iter_mut().zip(inputs) {
        if d.shape() != x.shape() {
            err.get_or_insert(ReverseError::shape(
                name,
                x.shape(),
                d.shape(),
                "the adjoint must be shaped like its operand",
            ));
            *d = DMatrix::from_element(x.nrows(), x.ncols(), S::nan());
        }
    }
    ds
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
    fn any_operand(&self, i: usize, f: &mut dyn FnMut(usize) -> bool) -> bool {
        self.nodes[i].op.any_operand(self.ext, f)
    }
    fn custom_operands(&self, i: usize) -> Vec<usize> {
        self.nodes[i].op.custom_operands(self.ext).to_vec()
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
    fn block(&mut self, a: &Em<S>, at: (usize, usize), size: (usize, usize)) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::block(p, get(n, a), at, size))
    }
    fn pad(&mut self, g: &Em<S>, at: (usize, usize), size: (usize, usize)) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::pad(p, get(n, g), at, size))
    }
    fn reshape(&mut self, a: &Em<S>, r: usize, c: usize) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(p.fill(r, c, get(n, a).iter().copied()))
    }
    fn gather(&mut self, a: &Em<S>, id: usize, rows: bool) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::gather(p, get(n, a), &self.ext.indices[id], rows))
    }
    fn scatter(&mut self, g: &Em<S>, id: usize, rows: bool, m: usize) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::scatter(p, get(n, g), &self.ext.indices[id], rows, m))
    }
    fn elem_deriv_mul(&mut self, g: &Em<S>, x: usize, id: usize, d: u8) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        let f = &self.ext.elem[id];
        let k1 = d.saturating_add(1);
        Em::Own(k::zip(p, get(n, g), &n[x].value, |g, x| {
            if g.all_parts_zero() {
                S::zero()
            } else {
                g * f.eval(x, k1)
            }
        }))
    }
    fn elem2_deriv_mul(
        &mut self,
        g: &Em<S>,
        (a, b): (usize, usize),
        id: usize,
        (i, j): (u8, u8),
    ) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        let f = &self.ext.elem2[id];
        let (av, bv) = (&n[a].value, &n[b].value);
        let it = get(n, g)
            .iter()
            .zip(av.iter().zip(bv.iter()))
            .map(|(&g, (&x, &y))| {
                if g.all_parts_zero() {
                    S::zero()
                } else {
                    g * f.eval(x, y, i, j)
                }
            });
        Em::Own(p.fill(av.nrows(), av.ncols(), it))
    }
    fn custom_vjp(&mut self, i: usize, g: &Em<S>) -> Vec<Em<S>> {
        let (id, inputs) = custom_inputs(self.nodes, self.ext, i);
        let op = &self.ext.custom[id];
        let g = get(self.nodes, g);
        let ds = op.vjp(&inputs, &self.nodes[i].value, g);
        checked_adjoints(op.name(), &inputs, ds, &mut self.err)
            .into_iter()
            .map(Em::Own)
            .collect()
    }
    fn softmax(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::softmax(p, get(n, a)))
    }
    fn norm(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        let v = k::norm(get(n, a));
        Em::Own(k::scalar(p, v))
    }
    fn unit(&mut self, a: &Em<S>) -> Em<S> {
        let (n, p) = (self.nodes, &mut *self.pool);
        Em::Own(k::unit(p, get(n, a)))
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
    /// The first error met (in a user operation's recorded adjoints).
    pub(crate) err: Option<ReverseError>,
}

impl<S: Scalar> Alg<S> for Rec<'_, S> {
    type M = usize;
    fn op(&self, i: usize) -> Op<S> {
        self.tape.nodes.borrow()[i].op
    }
    fn any_operand(&self, i: usize, f: &mut dyn FnMut(usize) -> bool) -> bool {
        let op = self.tape.nodes.borrow()[i].op;
        op.any_operand(&self.tape.ext.borrow(), f)
    }
    fn custom_operands(&self, i: usize) -> Vec<usize> {
        let op = self.tape.nodes.borrow()[i].op;
        op.custom_operands(&self.tape.ext.borrow()).to_vec()
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
    fn block(&mut self, a: &usize, at: (usize, usize), size: (usize, usize)) -> usize {
        self.tape.push(Op::Block(*a, at.0, at.1, size.0, size.1))
    }
    fn pad(&mut self, g: &usize, at: (usize, usize), size: (usize, usize)) -> usize {
        self.tape.push(Op::Pad(*g, at.0, at.1, size.0, size.1))
    }
    fn reshape(&mut self, a: &usize, r: usize, c: usize) -> usize {
        self.tape.push(Op::Reshape(*a, r, c))
    }
    fn gather(&mut self, a: &usize, id: usize, rows: bool) -> usize {
        self.tape.push(Op::Gather(*a, id, rows))
    }
    fn scatter(&mut self, g: &usize, id: usize, rows: bool, n: usize) -> usize {
        self.tape.push(Op::Scatter(*g, id, rows, n))
    }
    fn elem_deriv_mul(&mut self, g: &usize, x: usize, id: usize, d: u8) -> usize {
        let e = self.tape.push(Op::Elem(x, id, d.saturating_add(1)));
        self.tape.push(Op::MulZ(*g, e))
    }
    fn elem2_deriv_mul(
        &mut self,
        g: &usize,
        (a, b): (usize, usize),
        id: usize,
        (i, j): (u8, u8),
    ) -> usize {
        let e = self.tape.push(Op::Elem2(a, b, id, i, j));
        self.tape.push(Op::MulZ(*g, e))
    }
    fn custom_vjp(&mut self, i: usize, g: &usize) -> Vec<usize> {
        let t = self.tape;
        let id = match t.nodes.borrow()[i].op {
            Op::Custom(_, id) => id,
            _ => return Vec::new(),
        };
        let vars: Vec<Var> = self
            .custom_operands(i)
            .into_iter()
            .map(|p| t.handle(p))
            .collect();
        let rec = t.custom_rec.borrow().get(id).cloned();
        let name = t.ext.borrow().custom[id].name();
        if let Some(rec) = rec {
            if let Some(r) = rec(t, &vars, t.handle(i), t.handle(*g)) {
                let checked = r.and_then(|ds| {
                    if ds.len() != vars.len() {
                        return Err(ReverseError::LengthMismatch {
                            op: name,
                            expected: vars.len(),
                            found: ds.len(),
                        });
                    }
                    for (d, x) in ds.iter().zip(&vars) {
                        let (sd, sx) = (t.shape(*d)?, t.shape(*x)?);
                        if sd != sx {
                            return Err(ReverseError::shape(
                                name,
                                sx,
                                sd,
                                "the adjoint must be shaped like its operand",
                            ));
                        }
                    }
                    Ok(ds)
                });
                match checked {
                    Ok(ds) => return ds.into_iter().map(|d| d.index).collect(),
                    Err(e) => {
                        self.err.get_or_insert(e);
                        return vars.iter().map(|x| self.fill(&x.index, f64::NAN)).collect();
                    }
                }
            }
        }
        // No recorded product: the plain one's values, as nodes whose own
        // derivative is NaN.
        let values = {
            let nodes = t.nodes.borrow();
            let ext = t.ext.borrow();
            let (id, inputs) = custom_inputs(&nodes, &ext, i);
            let ds = ext.custom[id].vjp(&inputs, &nodes[i].value, &nodes[*g].value);
            checked_adjoints(name, &inputs, ds, &mut self.err)
        };
        values
            .into_iter()
            .map(|d| t.push_value(d, Op::CustomGrad(*g, i)).index)
            .collect()
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
    fn norm(&mut self, a: &usize) -> usize {
        self.tape.push(Op::Norm(*a))
    }
    fn unit(&mut self, a: &usize) -> usize {
        self.tape.push(Op::Unit(*a))
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
