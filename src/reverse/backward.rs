//! The backward passes: [`Tape::gradient`] and [`Tape::vjp`] compute plain
//! matrices; [`Tape::gradient_var`] and [`Tape::vjp_var`] record the
//! backward pass on the tape so that it can be differentiated again.

use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::algebra::{Eager, Rec};
use super::error::ReverseError;
use super::op::Em;
use super::tape::{Tape, Var};
use super::vjp::{backward, Marks};
use crate::Scalar;

impl<S: Scalar> Tape<S> {
    fn indices(&self, op: &'static str, vs: &[Var]) -> Result<Vec<usize>, ReverseError> {
        vs.iter().map(|&v| self.check(op, v)).collect()
    }

    fn eager(
        &self,
        target: usize,
        seed: DMatrix<S>,
        sources: &[usize],
    ) -> Result<Vec<Option<DMatrix<S>>>, ReverseError> {
        let nodes = self.nodes.borrow();
        let ext = self.ext.borrow();
        let mut alg = Eager {
            nodes: &nodes,
            pool: self.pool.borrow_mut(),
            ext: &ext,
            err: None,
        };
        let mut marks = self.marks.borrow_mut();
        let out = backward(&mut alg, target, Em::Own(seed), sources, &mut marks);
        let out = out.into_iter().map(|m| m.map(|m| alg.own(m))).collect();
        match alg.err {
            Some(e) => Err(e),
            None => Ok(out),
        }
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
        self.check_not_taken("gradient", t)?;
        let src = self.indices("gradient", sources)?;
        let (r, c) = self.nodes.borrow()[t].value.shape();
        let seed = self
            .pool
            .borrow_mut()
            .fill(r, c, core::iter::repeat_n(S::one(), r * c));
        self.eager(t, seed, &src)
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
        self.check_not_taken("vjp", t)?;
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
        let g = self.eager(t, cotangent.clone(), &src)?;
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
        let ext = self.ext.borrow();
        let mut reach = alloc::vec![false; t + 1];
        reach[s] = true;
        for i in s + 1..=t {
            reach[i] = nodes[i].op.any_operand(&ext, |p| reach[p]);
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
        let t = self.check(op, target)?;
        self.check_not_taken(op, t)?;
        let src = self.indices(op, sources)?;
        let mut alg = Rec {
            tape: self,
            err: None,
        };
        let out = backward(
            &mut alg,
            target.index,
            seed.index,
            &src,
            &mut Marks::default(),
        );
        if let Some(e) = alg.err {
            return Err(e);
        }
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
