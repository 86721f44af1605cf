//! The backward passes: [`Tape::gradient`] and [`Tape::vjp`] compute plain
//! matrices; [`Tape::gradient_var`] and [`Tape::vjp_var`] record the
//! backward pass on the tape so that it can be differentiated again.

use alloc::vec::Vec;
use core::cell::RefMut;

use nalgebra::DMatrix;

use super::error::{ReverseError, Shape};
use super::kernels as k;
use super::op::{Fun, Op};
use super::pool::Pool;
use super::tape::{Node, Tape, Var};
use super::vjp::{backward, Alg};
use crate::Scalar;

/// A matrix of the eager backward pass: a recorded value (borrowed, not
/// copied) or a freshly computed one.
#[derive(Clone)]
enum Em<S: Scalar> {
    Node(usize),
    Own(DMatrix<S>),
}

/// The matrix behind an [`Em`].
fn get<'b, S: Scalar>(nodes: &'b [Node<S>], m: &'b Em<S>) -> &'b DMatrix<S> {
    match m {
        Em::Node(i) => &nodes[*i].value,
        Em::Own(v) => v,
    }
}

/// The eager algebra: computes every product at once, on the tape's values.
struct Eager<'a, S: Scalar> {
    nodes: &'a [Node<S>],
    pool: RefMut<'a, Pool<S>>,
}

impl<S: Scalar> Eager<'_, S> {
    fn r<'b>(&'b self, m: &'b Em<S>) -> &'b DMatrix<S> {
        match m {
            Em::Node(i) => &self.nodes[*i].value,
            Em::Own(v) => v,
        }
    }
    fn own(&mut self, m: Em<S>) -> DMatrix<S> {
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
struct Rec<'a, S: Scalar> {
    tape: &'a Tape<S>,
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
    fn deriv_mul(&mut self, g: &usize, x: &usize, f: Fun, d: u8) -> usize {
        self.tape.push(Op::DerivMul(*g, *x, f, d))
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

impl<S: Scalar> Tape<S> {
    fn indices(&self, op: &'static str, vs: &[Var]) -> Result<Vec<usize>, ReverseError> {
        vs.iter().map(|&v| self.check(op, v)).collect()
    }

    fn eager(&self, target: usize, seed: DMatrix<S>, sources: &[usize]) -> Vec<Option<DMatrix<S>>> {
        let nodes = self.nodes.borrow();
        let mut alg = Eager {
            nodes: &nodes,
            pool: self.pool.borrow_mut(),
        };
        let out = backward(&mut alg, target, Em::Own(seed), sources);
        out.into_iter().map(|m| m.map(|m| alg.own(m))).collect()
    }

    fn zeros_like(&self, i: usize) -> DMatrix<S> {
        let (r, c) = self.nodes.borrow()[i].value.shape();
        DMatrix::zeros(r, c)
    }

    /// The gradient of `target` with respect to each source, shaped like the
    /// source; `None` for a source that `target` does not depend on (see
    /// [`gradient`](Tape::gradient) for the rest).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (x, unused) = (t.var(dmatrix![3.0]), t.var(dmatrix![1.0]));
    /// let y = t.mul(x, x)?;
    /// let g = t.gradient_opt(y, &[x, unused])?;
    /// assert_eq!(g[0], Some(dmatrix![6.0]));
    /// assert_eq!(g[1], None);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn gradient_opt(
        &self,
        target: Var,
        sources: &[Var],
    ) -> Result<Vec<Option<DMatrix<S>>>, ReverseError> {
        let t = self.check("gradient", target)?;
        let src = self.indices("gradient", sources)?;
        let (r, c) = self.nodes.borrow()[t].value.shape();
        let seed = self
            .pool
            .borrow_mut()
            .fill(r, c, core::iter::repeat_n(S::one(), r * c));
        Ok(self.eager(t, seed, &src))
    }

    /// The gradient of `target` with respect to each source, shaped like the
    /// source, from one backward pass.
    ///
    /// - A target that is not 1×1 gives the gradient of the **sum** of its
    ///   entries (the convention of the established systems); use
    ///   [`vjp`](Tape::vjp) for another seed.
    /// - A source that `target` does not depend on gets a **zero** gradient;
    ///   [`gradient_opt`](Tape::gradient_opt) and
    ///   [`is_connected`](Tape::is_connected) tell "not connected" from "zero".
    /// - The recording is not consumed: ask again, for other targets or
    ///   sources, as often as needed.
    /// - Sources may be inputs or intermediate results.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![3.0]);
    /// let y = t.mul(x, x)?;
    /// let z = t.mul(y, y)?;
    /// assert_eq!(t.gradient(z, &[x, y])?, vec![dmatrix![108.0], dmatrix![18.0]]);
    /// assert_eq!(t.gradient(y, &[x])?, vec![dmatrix![6.0]]); // same recording
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn gradient(&self, target: Var, sources: &[Var]) -> Result<Vec<DMatrix<S>>, ReverseError> {
        let g = self.gradient_opt(target, sources)?;
        Ok(g.into_iter()
            .zip(sources)
            .map(|(g, s)| g.unwrap_or_else(|| self.zeros_like(s.index)))
            .collect())
    }

    /// The vector-Jacobian product: `cotangent` (shaped like `target`)
    /// times the Jacobian of `target` with respect to each source.
    /// Unconnected sources get zeros.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let y = t.square(x)?;
    /// let g = t.vjp(y, &dmatrix![1.0, 10.0], &[x])?;
    /// assert_eq!(g[0], dmatrix![2.0, 40.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn vjp(
        &self,
        target: Var,
        cotangent: &DMatrix<S>,
        sources: &[Var],
    ) -> Result<Vec<DMatrix<S>>, ReverseError> {
        let t = self.check("vjp", target)?;
        let src = self.indices("vjp", sources)?;
        let st = self.nodes.borrow()[t].value.shape();
        if cotangent.shape() != st {
            return Err(ReverseError::shape(
                "vjp",
                st,
                cotangent.shape(),
                "the cotangent must be shaped like the target",
            ));
        }
        let g = self.eager(t, cotangent.clone(), &src);
        Ok(g.into_iter()
            .zip(src)
            .map(|(g, s)| g.unwrap_or_else(|| self.zeros_like(s)))
            .collect())
    }

    /// Whether `target` depends on `source` through recorded operations
    /// (a dependence whose derivative happens to be zero still counts).
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (x, w) = (t.var(dmatrix![0.0]), t.var(dmatrix![1.0]));
    /// let y = t.relu(x)?;
    /// assert!(t.is_connected(y, x)?);  // connected, with gradient 0
    /// assert!(!t.is_connected(y, w)?);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn is_connected(&self, target: Var, source: Var) -> Result<bool, ReverseError> {
        let t = self.check("is_connected", target)?;
        let s = self.check("is_connected", source)?;
        if s > t {
            return Ok(false);
        }
        let nodes = self.nodes.borrow();
        let mut reach = alloc::vec![false; t + 1];
        reach[s] = true;
        for i in s + 1..=t {
            reach[i] = nodes[i].op.parents().iter().flatten().any(|&p| reach[p]);
        }
        Ok(reach[t])
    }

    /// Like [`gradient`](Tape::gradient), but the backward pass is recorded
    /// on this tape: the gradients are variables, and any function of them
    /// can be differentiated again (a gradient of a gradient, a
    /// Hessian-vector product) in one more backward pass. Unconnected
    /// sources get a zero constant.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![3.0]);
    /// let y = t.mul(t.mul(x, x)?, x)?;          // x³
    /// let [dy] = t.gradient_var(y, &[x])?.try_into().unwrap();
    /// assert_eq!(t.value(dy)?, dmatrix![27.0]);  // 3x²
    /// let d2y = t.gradient(dy, &[x])?;
    /// assert_eq!(d2y[0], dmatrix![18.0]);        // 6x
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn gradient_var(&self, target: Var, sources: &[Var]) -> Result<Vec<Var>, ReverseError> {
        let (r, c) = self.shape_of("gradient_var", target)?;
        let seed = self.var(DMatrix::from_element(r, c, S::one()));
        self.recorded("gradient_var", target, seed, sources)
    }

    /// Like [`vjp`](Tape::vjp), recorded on the tape (see
    /// [`gradient_var`](Tape::gradient_var)); the cotangent is a variable,
    /// so the result can be differentiated with respect to it as well.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let v = t.var(dmatrix![1.0, 10.0]);
    /// let y = t.square(x)?;
    /// let g = t.vjp_var(y, v, &[x])?;
    /// assert_eq!(t.value(g[0])?, dmatrix![2.0, 40.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn vjp_var(
        &self,
        target: Var,
        cotangent: Var,
        sources: &[Var],
    ) -> Result<Vec<Var>, ReverseError> {
        let st = self.shape_of("vjp_var", target)?;
        let sc = self.shape_of("vjp_var", cotangent)?;
        if st != sc {
            return Err(ReverseError::shape(
                "vjp_var",
                st,
                sc,
                "the cotangent must be shaped like the target",
            ));
        }
        self.recorded("vjp_var", target, cotangent, sources)
    }

    /// The Hessian-vector product `H·v`: the derivative, in the direction
    /// `v` (one matrix per source, shaped like it), of the gradient of
    /// `target` (of its sum, if it is not 1×1) with respect to the sources.
    /// Computed reverse-over-reverse: the gradient is recorded
    /// ([`gradient_var`](Tape::gradient_var)), and `⟨gradient, v⟩` is
    /// differentiated in one more backward pass. (Running the tape on
    /// [`Dual<f64>`](crate::Dual) with the sources' tangents set to `v`
    /// gives the same product forward-over-reverse.)
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let f = t.sum(t.powi(x, 3)?)?; // Σ x³: H = diag(6x)
    /// let hv = t.hessian_vector_product(f, &[x], &[dmatrix![1.0, 10.0]])?;
    /// assert_eq!(hv[0], dmatrix![6.0, 120.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn hessian_vector_product(
        &self,
        target: Var,
        sources: &[Var],
        v: &[DMatrix<S>],
    ) -> Result<Vec<DMatrix<S>>, ReverseError> {
        const OP: &str = "hessian_vector_product";
        if v.len() != sources.len() {
            return Err(ReverseError::LengthMismatch {
                op: OP,
                expected: sources.len(),
                found: v.len(),
            });
        }
        for (&s, vi) in sources.iter().zip(v) {
            let ss = self.shape_of(OP, s)?;
            if ss != vi.shape() {
                return Err(ReverseError::shape(
                    OP,
                    ss,
                    vi.shape(),
                    "each direction must be shaped like its source",
                ));
            }
        }
        let g = self.gradient_var(target, sources)?;
        let mut dot: Option<Var> = None;
        for (gi, vi) in g.into_iter().zip(v) {
            let term = self.sum(self.mul(gi, self.var_copy(vi))?)?;
            dot = Some(match dot {
                None => term,
                Some(d) => self.add(d, term)?,
            });
        }
        match dot {
            Some(d) => self.gradient(d, sources),
            None => Ok(Vec::new()),
        }
    }

    fn recorded(
        &self,
        op: &'static str,
        target: Var,
        seed: Var,
        sources: &[Var],
    ) -> Result<Vec<Var>, ReverseError> {
        let src = self.indices(op, sources)?;
        let mut alg = Rec { tape: self };
        let out = backward(&mut alg, target.index, seed.index, &src);
        Ok(out
            .into_iter()
            .zip(src)
            .map(|(g, s)| match g {
                Some(g) => self.handle(g),
                None => self.var(self.zeros_like(s)),
            })
            .collect())
    }
}
