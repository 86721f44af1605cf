//! Extension points of the tape: a user's element-wise functions
//! ([`ElementwiseFn`], [`Tape::map_elementwise`], [`Tape::apply_rule`]), a
//! user's matrix operations ([`CustomOp`], [`Tape::custom`]), and
//! [`Tape::stop_gradient`] / [`Tape::no_grad`].

use alloc::sync::Arc;
use alloc::vec::Vec;

use nalgebra::DMatrix;

use super::error::ReverseError;
use super::op::{CustomDyn, Elem2Dyn, ElemDyn, Op};
use super::tape::{RecVjp, Tape, Var};
use crate::{BinaryRule, Dual, Fun2, HyperDual, Scalar, UnaryRule};

type R = Result<Var, ReverseError>;

/// A function of one number written generically over [`Scalar`], for
/// [`Tape::map_elementwise`]: the tape applies it to every entry and
/// differentiates it by forward mode, entry by entry.
///
/// ```
/// use dualgrad::reverse::{ElementwiseFn, Tape};
/// use dualgrad::Scalar;
/// use nalgebra::dmatrix;
///
/// /// The "swish" x·σ(x).
/// struct Swish;
/// impl ElementwiseFn for Swish {
///     fn call<S: Scalar>(&self, x: S) -> S { x * x.sigmoid() }
/// }
/// let t = Tape::new();
/// let x = t.var(dmatrix![0.0, 1.0]);
/// let y = t.map_elementwise(x, Swish)?;
/// let g = t.gradient(y, &[x])?;
/// assert_eq!(g[0][0], 0.5); // σ(0) + 0·σ′(0)
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub trait ElementwiseFn: Send + Sync + 'static {
    /// The function at `x`, for any number type.
    fn call<S: Scalar>(&self, x: S) -> S;
}

/// The highest derivative order of a user's element-wise function that a
/// recorded backward pass can reach (nested forward mode, one dual layer
/// per order); beyond it, derivatives are NaN. The crate's listed
/// functions ([`Fun`](crate::Fun)) have no such limit.
///
/// ```
/// assert_eq!(dualgrad::reverse::ELEMENTWISE_ORDER, 4);
/// ```
pub const ELEMENTWISE_ORDER: u8 = 4;

/// An [`ElementwiseFn`] on the tape's number type: derivatives by nested
/// dual numbers.
struct ByForward<F>(F);

impl<S: Scalar, F: ElementwiseFn> ElemDyn<S> for ByForward<F> {
    fn eval(&self, x: S, k: u8) -> S {
        let (one, zero) = (S::one(), S::zero());
        let f = &self.0;
        match k {
            0 => f.call(x),
            1 => f.call(Dual::variable(x)).eps,
            2 => f.call(HyperDual::new(x, one, one, zero)).e12,
            3 => {
                let (d1, d0) = (Dual::constant(one), Dual::constant(zero));
                f.call(HyperDual::new(Dual::variable(x), d1, d1, d0))
                    .e12
                    .eps
            }
            4 => {
                let c = |v: S| HyperDual::new(v, zero, zero, zero);
                let x = HyperDual::new(HyperDual::new(x, one, one, zero), c(one), c(one), c(zero));
                f.call(x).e12.e12
            }
            _ => S::nan(),
        }
    }
}

/// A function of two numbers written generically over [`Scalar`], for
/// [`Tape::map_elementwise2`]: applied to corresponding entries of two
/// matrices and differentiated by forward mode, entry by entry.
///
/// ```
/// use dualgrad::reverse::{ElementwiseFn2, Tape};
/// use dualgrad::Scalar;
/// use nalgebra::dmatrix;
///
/// /// x·e^y.
/// struct XExpY;
/// impl ElementwiseFn2 for XExpY {
///     fn call<S: Scalar>(&self, x: S, y: S) -> S { x * y.exp() }
/// }
/// let t = Tape::new();
/// let (x, y) = (t.var(dmatrix![2.0]), t.var(dmatrix![0.0]));
/// let z = t.map_elementwise2(x, y, XExpY)?;
/// assert_eq!(t.gradient(z, &[x, y])?, vec![dmatrix![1.0], dmatrix![2.0]]);
/// # Ok::<(), dualgrad::reverse::ReverseError>(())
/// ```
pub trait ElementwiseFn2: Send + Sync + 'static {
    /// The function at `(x, y)`, for any number type.
    fn call<S: Scalar>(&self, x: S, y: S) -> S;
}

/// An [`ElementwiseFn2`] on the tape's number type: partial derivatives
/// by nested dual numbers, each layer differentiating in `x` or in `y`.
struct ByForward2<F>(F);

impl<S: Scalar, F: ElementwiseFn2> Elem2Dyn<S> for ByForward2<F> {
    fn eval(&self, x: S, y: S, i: u8, j: u8) -> S {
        let f = &self.0;
        let (one, zero) = (S::one(), S::zero());
        // The directions of the derivative, one per layer: true = x.
        let mut dirs = [false; 4];
        let k = usize::from(i) + usize::from(j);
        if k > usize::from(ELEMENTWISE_ORDER) {
            return S::nan();
        }
        for d in dirs.iter_mut().take(usize::from(i)) {
            *d = true;
        }
        let t = |b: bool| if b { one } else { zero };
        match k {
            0 => f.call(x, y),
            1 => {
                let (dx, dy) = (Dual::new(x, t(dirs[0])), Dual::new(y, t(!dirs[0])));
                f.call(dx, dy).eps
            }
            2 => {
                let hx = HyperDual::new(x, t(dirs[0]), t(dirs[1]), zero);
                let hy = HyperDual::new(y, t(!dirs[0]), t(!dirs[1]), zero);
                f.call(hx, hy).e12
            }
            3 => {
                let c = Dual::constant;
                let lift = |v: S, own: bool| {
                    let m = |b: bool| t(b == own);
                    HyperDual::new(
                        Dual::new(v, m(dirs[2])),
                        c(m(dirs[0])),
                        c(m(dirs[1])),
                        c(zero),
                    )
                };
                f.call(lift(x, true), lift(y, false)).e12.eps
            }
            _ => {
                let c = |v: S| HyperDual::new(v, zero, zero, zero);
                let lift = |v: S, own: bool| {
                    let m = |b: bool| t(b == own);
                    HyperDual::new(
                        HyperDual::new(v, m(dirs[2]), m(dirs[3]), zero),
                        c(m(dirs[0])),
                        c(m(dirs[1])),
                        c(zero),
                    )
                };
                f.call(lift(x, true), lift(y, false)).e12.e12
            }
        }
    }
}

/// A [`BinaryRule`] as an [`ElementwiseFn2`].
struct ByRule2<B>(B);

impl<B: BinaryRule + Send + Sync + 'static> ElementwiseFn2 for ByRule2<B> {
    fn call<S: Scalar>(&self, x: S, y: S) -> S {
        x.apply2(&self.0, y)
    }
}

/// A listed function of two variables as an [`ElementwiseFn2`].
struct ByFun2(Fun2);

impl ElementwiseFn2 for ByFun2 {
    fn call<S: Scalar>(&self, x: S, y: S) -> S {
        self.0.apply(x, y)
    }
}

/// A [`UnaryRule`] as an [`ElementwiseFn`].
struct ByRule<U>(U);

impl<U: UnaryRule + Send + Sync + 'static> ElementwiseFn for ByRule<U> {
    fn call<S: Scalar>(&self, x: S) -> S {
        x.apply(&self.0)
    }
}

/// A matrix operation defined by the user: its value and its
/// vector-Jacobian product, for [`Tape::custom`]. It takes any number of
/// operands (at least one).
///
/// - [`forward`](CustomOp::forward) computes the value (and checks the
///   operands, returning a [`ReverseError`] naming the operation);
/// - [`vjp`](CustomOp::vjp) maps the adjoint of the result to one adjoint
///   per operand, shaped like it (on plain matrices: the fast backward
///   pass);
/// - optionally, [`vjp_recorded`](CustomOp::vjp_recorded) writes the same
///   product with tape operations, so that a recorded backward pass
///   ([`Tape::gradient_var`]) through the operation can be differentiated
///   again. Without it, a recorded backward pass records the plain
///   product's values, and differentiating those again gives NaN.
///
/// ```
/// use dualgrad::reverse::{CustomOp, ReverseError, Tape, Var};
/// use nalgebra::{dmatrix, DMatrix};
///
/// /// The trace of a square matrix (1×1); its adjoint is g·I.
/// struct Trace;
/// impl CustomOp<f64> for Trace {
///     fn name(&self) -> &'static str { "trace" }
///     fn forward(&self, x: &[&DMatrix<f64>]) -> Result<DMatrix<f64>, ReverseError> {
///         if !x[0].is_square() {
///             return Err(ReverseError::shape("trace", x[0].shape(), x[0].shape(), "not square"));
///         }
///         Ok(dmatrix![x[0].trace()])
///     }
///     fn vjp(&self, x: &[&DMatrix<f64>], _y: &DMatrix<f64>, g: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
///         vec![DMatrix::identity(x[0].nrows(), x[0].ncols()) * g[(0, 0)]]
///     }
/// }
/// let t = Tape::new();
/// let a = t.var(dmatrix![1.0, 2.0; 3.0, 4.0]);
/// let tr = t.custom(Trace, &[a])?;
/// assert_eq!(t.scalar(tr)?, 5.0);
/// assert_eq!(t.gradient(tr, &[a])?[0], dmatrix![1.0, 0.0; 0.0, 1.0]);
/// assert!(t.custom(Trace, &[t.var(DMatrix::zeros(2, 3))]).is_err());
/// # Ok::<(), ReverseError>(())
/// ```
pub trait CustomOp<S: Scalar>: Send + Sync + 'static {
    /// The operation's name, for errors.
    fn name(&self) -> &'static str;
    /// The value from the operands' values.
    fn forward(&self, inputs: &[&DMatrix<S>]) -> Result<DMatrix<S>, ReverseError>;
    /// One adjoint per operand, shaped like it, from the adjoint `g` of the
    /// result (shaped like `output`).
    fn vjp(&self, inputs: &[&DMatrix<S>], output: &DMatrix<S>, g: &DMatrix<S>) -> Vec<DMatrix<S>>;
    /// The same product in tape operations (`inputs`, `output` and the
    /// cotangent `g` are recorded variables), or `None` (the default) if
    /// the operation does not provide it.
    ///
    /// ```
    /// use dualgrad::reverse::{CustomOp, ReverseError, Tape, Var};
    /// use nalgebra::{dmatrix, DMatrix};
    ///
    /// /// x ↦ x³ entry by entry, with a differentiable adjoint 3x²·g.
    /// struct Cube;
    /// impl CustomOp<f64> for Cube {
    ///     fn name(&self) -> &'static str { "cube" }
    ///     fn forward(&self, x: &[&DMatrix<f64>]) -> Result<DMatrix<f64>, ReverseError> {
    ///         Ok(x[0].map(|v| v * v * v))
    ///     }
    ///     fn vjp(&self, x: &[&DMatrix<f64>], _y: &DMatrix<f64>, g: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
    ///         vec![x[0].zip_map(g, |v, g| 3.0 * v * v * g)]
    ///     }
    ///     fn vjp_recorded(&self, t: &Tape<f64>, x: &[Var], _y: Var, g: Var)
    ///         -> Option<Result<Vec<Var>, ReverseError>> {
    ///         Some((|| Ok(vec![t.mul(t.scale(t.square(x[0])?, 3.0)?, g)?]))())
    ///     }
    /// }
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![2.0]);
    /// let y = t.custom(Cube, &[x])?;
    /// let dy = t.gradient_var(y, &[x])?[0];
    /// assert_eq!(t.gradient(dy, &[x])?[0], dmatrix![12.0]); // 6x
    /// # Ok::<(), ReverseError>(())
    /// ```
    fn vjp_recorded(
        &self,
        tape: &Tape<S>,
        inputs: &[Var],
        output: Var,
        g: Var,
    ) -> Option<Result<Vec<Var>, ReverseError>> {
        let _ = (tape, inputs, output, g);
        None
    }
}

/// A [`CustomOp`] as the tape stores it.
struct Custom<O>(Arc<O>);

impl<S: Scalar, O: CustomOp<S>> CustomDyn<S> for Custom<O> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn vjp(&self, inputs: &[&DMatrix<S>], output: &DMatrix<S>, g: &DMatrix<S>) -> Vec<DMatrix<S>> {
        self.0.vjp(inputs, output, g)
    }
}

impl<S: Scalar> Tape<S> {
    /// Applies a user's generic function ([`ElementwiseFn`]) to every
    /// entry. Its derivatives are taken by forward mode, entry by entry
    /// (a [`Dual`] for the backward pass, nested dual numbers for recorded
    /// backward passes, up to [`ELEMENTWISE_ORDER`]).
    ///
    /// ```
    /// use dualgrad::reverse::{ElementwiseFn, Tape};
    /// use dualgrad::Scalar;
    /// use nalgebra::dmatrix;
    /// struct Cube;
    /// impl ElementwiseFn for Cube {
    ///     fn call<S: Scalar>(&self, x: S) -> S { x * x * x }
    /// }
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![2.0]);
    /// let y = t.map_elementwise(x, Cube)?;
    /// let dy = t.gradient_var(y, &[x])?[0];
    /// assert_eq!(t.value(dy)?, dmatrix![12.0]);
    /// assert_eq!(t.gradient(dy, &[x])?[0], dmatrix![12.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn map_elementwise<F: ElementwiseFn>(&self, a: Var, f: F) -> R {
        let i = self.check("map_elementwise", a)?;
        let id = {
            let mut ext = self.ext.borrow_mut();
            ext.elem.push(Arc::new(ByForward(f)));
            ext.elem.len() - 1
        };
        Ok(self.handle(self.push(Op::Elem(i, id, 0))))
    }

    /// Applies a user's [`UnaryRule`] to every entry: its value from the
    /// rule's `value` (through the tape's number type, so a tape on dual
    /// numbers works too), its derivatives from the rule's `derivative`.
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use dualgrad::{Scalar, UnaryRule};
    /// use nalgebra::dmatrix;
    /// struct J0;
    /// struct J1;
    /// impl UnaryRule for J0 {
    ///     fn value(&self, x: f64) -> f64 { libm::j0(x) }
    ///     fn derivative<S: Scalar>(&self, x: S) -> S { -x.apply(&J1) }
    /// }
    /// impl UnaryRule for J1 {
    ///     fn value(&self, x: f64) -> f64 { libm::j1(x) }
    ///     fn derivative<S: Scalar>(&self, x: S) -> S { x.apply(&J0) - x.apply(&J1) / x }
    /// }
    /// let t = Tape::new();
    /// let x = t.var(dmatrix![1.0, 2.0]);
    /// let y = t.apply_rule(x, J0)?;
    /// assert_eq!(t.value(y)?, dmatrix![libm::j0(1.0), libm::j0(2.0)]);
    /// assert_eq!(t.gradient(y, &[x])?[0], dmatrix![-libm::j1(1.0), -libm::j1(2.0)]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn apply_rule<U: UnaryRule + Send + Sync + 'static>(&self, a: Var, rule: U) -> R {
        self.map_elementwise(a, ByRule(rule))
    }

    /// Applies a user's generic function of two numbers
    /// ([`ElementwiseFn2`]) to corresponding entries of `a` and `b` (same
    /// shapes), differentiated by forward mode entry by entry (recorded
    /// backward passes reach [`ELEMENTWISE_ORDER`] derivatives in all).
    ///
    /// ```
    /// use dualgrad::reverse::{ElementwiseFn2, Tape};
    /// use dualgrad::Scalar;
    /// use nalgebra::dmatrix;
    /// /// x²·y.
    /// struct XXY;
    /// impl ElementwiseFn2 for XXY {
    ///     fn call<S: Scalar>(&self, x: S, y: S) -> S { x * x * y }
    /// }
    /// let t = Tape::new();
    /// let (x, y) = (t.var(dmatrix![3.0, 1.0]), t.var(dmatrix![4.0, 2.0]));
    /// let r = t.map_elementwise2(x, y, XXY)?;
    /// assert_eq!(t.value(r)?, dmatrix![36.0, 2.0]);
    /// assert_eq!(t.gradient(r, &[x, y])?, vec![dmatrix![24.0, 4.0], dmatrix![9.0, 1.0]]);
    /// assert!(t.map_elementwise2(x, t.var(dmatrix![1.0]), XXY).is_err());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn map_elementwise2<F: ElementwiseFn2>(&self, a: Var, b: Var, f: F) -> R {
        const OP: &str = "map_elementwise2";
        let (sa, sb) = (self.shape_of(OP, a)?, self.shape_of(OP, b)?);
        if sa != sb {
            return Err(ReverseError::shape(OP, sa, sb, "shapes differ"));
        }
        let id = {
            let mut ext = self.ext.borrow_mut();
            ext.elem2.push(Arc::new(ByForward2(f)));
            ext.elem2.len() - 1
        };
        Ok(self.handle(self.push(Op::Elem2(a.index, b.index, id, 0, 0))))
    }

    /// A listed function of two variables ([`Fun2`]) of corresponding
    /// entries of `a` and `b` (same shapes), differentiated by forward mode
    /// entry by entry (recorded backward passes reach
    /// [`ELEMENTWISE_ORDER`] derivatives in all); `t.map_fun2(a, b,
    /// Fun2::Atan2)` is `t.atan2(a, b)`.
    ///
    /// ```
    /// use dualgrad::Fun2;
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let (x, y) = (t.var(dmatrix![2.0]), t.var(dmatrix![3.0]));
    /// let z = t.map_fun2(x, y, Fun2::Pow)?;
    /// assert_eq!(t.value(z)?, dmatrix![8.0]);
    /// assert_eq!(t.gradient(z, &[x])?[0], dmatrix![12.0]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn map_fun2(&self, a: Var, b: Var, f: Fun2) -> R {
        self.map_elementwise2(a, b, ByFun2(f))
    }

    /// Applies a user's [`BinaryRule`] to corresponding entries of `a` and
    /// `b` (same shapes).
    ///
    /// ```
    /// use dualgrad::reverse::Tape;
    /// use dualgrad::{BinaryRule, Scalar};
    /// use nalgebra::dmatrix;
    /// /// x·y², by its partials (y², 2xy).
    /// struct XYY;
    /// impl BinaryRule for XYY {
    ///     fn value(&self, x: f64, y: f64) -> f64 { x * y * y }
    ///     fn partials<S: Scalar>(&self, x: S, y: S) -> (S, S) { (y * y, S::lit(2.0) * x * y) }
    /// }
    /// let t = Tape::new();
    /// let (x, y) = (t.var(dmatrix![3.0]), t.var(dmatrix![2.0]));
    /// let z = t.apply_rule2(x, y, XYY)?;
    /// assert_eq!(t.gradient(z, &[x, y])?, vec![dmatrix![4.0], dmatrix![12.0]]);
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn apply_rule2<B: BinaryRule + Send + Sync + 'static>(&self, a: Var, b: Var, rule: B) -> R {
        self.map_elementwise2(a, b, ByRule2(rule))
    }

    /// Records a user's matrix operation ([`CustomOp`]) of one or more
    /// operands (an operand may appear more than once: its adjoints add
    /// up); its value is computed (and its operands checked by it) now. No
    /// operand at all is an error.
    ///
    /// ```
    /// use dualgrad::reverse::{CustomOp, ReverseError, Tape};
    /// use nalgebra::{dmatrix, DMatrix};
    /// /// a·b for 1×1 matrices.
    /// struct Times;
    /// impl CustomOp<f64> for Times {
    ///     fn name(&self) -> &'static str { "times" }
    ///     fn forward(&self, x: &[&DMatrix<f64>]) -> Result<DMatrix<f64>, ReverseError> {
    ///         Ok(x[0] * x[1])
    ///     }
    ///     fn vjp(&self, x: &[&DMatrix<f64>], _y: &DMatrix<f64>, g: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
    ///         vec![g * x[1], g * x[0]]
    ///     }
    /// }
    /// let t = Tape::new();
    /// let (a, b) = (t.var(dmatrix![3.0]), t.var(dmatrix![4.0]));
    /// let y = t.custom(Times, &[a, b])?;
    /// assert_eq!(t.gradient(y, &[a, b])?, vec![dmatrix![4.0], dmatrix![3.0]]);
    /// assert!(t.custom(Times, &[]).is_err()); // at least one operand
    /// # Ok::<(), ReverseError>(())
    /// ```
    pub fn custom<O: CustomOp<S>>(&self, op: O, inputs: &[Var]) -> R {
        let name = op.name();
        if inputs.is_empty() {
            return Err(ReverseError::LengthMismatch {
                op: name,
                expected: 1,
                found: 0,
            });
        }
        let idx: Vec<usize> = inputs
            .iter()
            .map(|&v| self.check(name, v))
            .collect::<Result<_, _>>()?;
        let value = {
            let nodes = self.nodes.borrow();
            let vals: Vec<&DMatrix<S>> = idx.iter().map(|&i| &nodes[i].value).collect();
            op.forward(&vals)?
        };
        let op = Arc::new(op);
        let (list, id) = {
            let mut ext = self.ext.borrow_mut();
            ext.custom.push(Arc::new(Custom(op.clone())));
            ext.indices.push(Arc::from(idx.as_slice()));
            (ext.indices.len() - 1, ext.custom.len() - 1)
        };
        let rec: RecVjp<S> = Arc::new(move |t, x, y, g| op.vjp_recorded(t, x, y, g));
        self.custom_rec.borrow_mut().push(rec);
        Ok(self.push_value(value, Op::Custom(list, id)))
    }

    /// A copy of `a` that is a constant to every derivative (no gradient
    /// flows through it): `stop_gradient` / `detach`.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![3.0]);
    /// let y = t.mul(x, t.stop_gradient(x)?)?; // x · detach(x)
    /// assert_eq!(t.gradient(y, &[x])?[0], dmatrix![3.0]); // not 2x
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn stop_gradient(&self, a: Var) -> R {
        let i = self.check("stop_gradient", a)?;
        let m = {
            let nodes = self.nodes.borrow();
            self.pool.borrow_mut().copy(&nodes[i].value)
        };
        Ok(self.var(m))
    }

    /// Runs `f` with recording off: the operations it performs on this tape
    /// are computed as usual but recorded as constants, so no gradient
    /// flows through them (like `torch.no_grad`). Nesting is allowed; the
    /// previous state is restored afterwards, also if `f` panics.
    ///
    /// ```
    /// use nalgebra::dmatrix;
    /// let t = dualgrad::reverse::Tape::new();
    /// let x = t.var(dmatrix![3.0]);
    /// let c = t.no_grad(|| t.square(x))?; // 9, a constant
    /// let y = t.mul(x, c)?;
    /// assert_eq!(t.gradient(y, &[x])?[0], dmatrix![9.0]);
    /// assert!(t.is_recording());
    /// # Ok::<(), dualgrad::reverse::ReverseError>(())
    /// ```
    pub fn no_grad<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore<'a>(&'a core::cell::Cell<bool>, bool);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.0.set(self.1);
            }
        }
        let _restore = Restore(&self.recording, self.recording.replace(false));
        f()
    }

    /// Whether operations are being recorded (false inside
    /// [`no_grad`](Tape::no_grad)).
    ///
    /// ```
    /// let t = dualgrad::reverse::Tape::<f64>::new();
    /// assert!(t.is_recording());
    /// assert!(!t.no_grad(|| t.is_recording()));
    /// ```
    pub fn is_recording(&self) -> bool {
        self.recording.get()
    }
}

/// The tape's methods for the listed functions of two variables.
macro_rules! tape_binary_methods {
    ($($m:ident $v:ident => |$x:ident, $y:ident| $body:expr;)*) => {
        impl<S: Scalar> Tape<S> {
            $(
                #[doc = concat!(
                    "Element-wise `", stringify!($m), "` of two matrices of the same shape ",
                    "([`Fun2::", stringify!($v), "`]: `", stringify!($body), "`), differentiated ",
                    "by forward mode entry by entry.\n\n",
                    "```\n",
                    "use dualgrad::{gradient, Fun2};\n",
                    "use nalgebra::dmatrix;\n",
                    "let t = dualgrad::reverse::Tape::<f64>::new();\n",
                    "let (a, b) = (t.var(dmatrix![1.5]), t.var(dmatrix![0.75]));\n",
                    "let z = t.", stringify!($m), "(a, b)?;\n",
                    "let (v, g) = gradient(|[x, y]| Fun2::", stringify!($v), ".apply(x, y), [1.5, 0.75]);\n",
                    "assert_eq!(t.scalar(z)?, v);\n",
                    "let tg = t.gradient(z, &[a, b])?;\n",
                    "assert_eq!([tg[0][0], tg[1][0]], g);\n",
                    "# Ok::<(), dualgrad::reverse::ReverseError>(())\n",
                    "```"
                )]
                pub fn $m(&self, a: Var, b: Var) -> R {
                    let (sa, sb) = (self.shape_of(stringify!($m), a)?, self.shape_of(stringify!($m), b)?);
                    if sa != sb {
                        return Err(ReverseError::shape(stringify!($m), sa, sb, "shapes differ"));
                    }
                    self.map_fun2(a, b, Fun2::$v)
                }
            )*
        }
    };
}
crate::forward::functions::binary_functions!(tape_binary_methods);
