//! [`Recorder`]: owns a recording's storage, runs the function on
//! [`Taped`] inputs, and answers questions (gradients, vector-Jacobian
//! products) by backward sweeps over it.

use alloc::vec::Vec;

use crate::record::error::RecordError;
use crate::record::tape::{backward, swap_slot, Node, Recordable, Tape, CONST};
use crate::record::taped::Taped;
use crate::Scalar;

/// A reusable recording: storage for the nodes, the adjoints and the
/// inputs. Record a function once with [`record`](Recorder::record), then
/// ask any number of questions ([`gradient`](Recorder::gradient) of each
/// output, [`vjp`](Recorder::vjp) with each cotangent) without running it
/// again. Recording again reuses the storage: in the steady state nothing
/// is allocated.
///
/// While the function runs, the recorder's storage is lent to a slot (one
/// per number type; thread-local with `std`), which the operators of
/// [`Taped`] write to; the slot holds nothing outside a recording.
///
/// ```
/// use dualgrad::record::Recorder;
/// use dualgrad::Scalar;
///
/// fn f<S: Scalar>(x: &[S]) -> [S; 2] {
///     [x[0] * x[1], x[0].sin() + x[1]]
/// }
/// let mut rec = Recorder::new();
/// let [a, b] = rec.record(&[2.0, 3.0], |x| f(x))?;
/// assert_eq!(rec.gradient(a)?, &[3.0, 2.0]);              // ∇f₀
/// assert_eq!(rec.gradient(b)?, &[2.0_f64.cos(), 1.0]);    // ∇f₁, same recording
/// assert_eq!(rec.vjp(&[a, b], &[1.0, -1.0])?, &[3.0 - 2.0_f64.cos(), 1.0]);
/// # Ok::<(), dualgrad::record::RecordError>(())
/// ```
pub struct Recorder<T> {
    tape: Tape<T>,
    adj: Vec<T>,
    inputs: Vec<Taped<T>>,
    n: usize,
}

impl<T: Scalar> core::fmt::Debug for Recorder<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Recorder")
            .field("nodes", &self.tape.nodes.len())
            .field("inputs", &self.n)
            .field("session", &self.tape.session)
            .finish()
    }
}

impl<T: Recordable> Default for Recorder<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Puts a recorder's storage back from the thread's slot, also when the
/// recorded function panics.
struct Lent<'a, T: Recordable>(&'a mut Tape<T>);

impl<T: Recordable> Drop for Lent<'_, T> {
    fn drop(&mut self) {
        let _ = swap_slot(self.0);
    }
}

impl<T: Recordable> Recorder<T> {
    /// An empty recorder (allocates nothing until the first recording).
    ///
    /// ```
    /// let r = dualgrad::record::Recorder::<f64>::new();
    /// assert_eq!(r.len(), 0);
    /// ```
    pub const fn new() -> Self {
        Recorder {
            tape: Tape::EMPTY,
            adj: Vec::new(),
            inputs: Vec::new(),
            n: 0,
        }
    }

    /// Runs `f` on the inputs `x` as recorded variables and returns its
    /// result (keep the outputs to ask about them). Values of an earlier
    /// recording of this recorder become stale.
    ///
    /// ```
    /// let mut r = dualgrad::record::Recorder::new();
    /// let y = r.record(&[3.0], |x| x[0] * x[0])?;
    /// assert_eq!(y.value(), 9.0);
    /// assert_eq!(r.gradient(y)?, &[6.0]);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn record<R>(
        &mut self,
        x: &[T],
        f: impl FnOnce(&[Taped<T>]) -> R,
    ) -> Result<R, RecordError> {
        let s = self.begin(x.len())?;
        self.inputs.clear();
        self.inputs.extend(
            x.iter()
                .enumerate()
                .map(|(i, &v)| Taped::node(v, s, i as u32 + 1)),
        );
        let inputs = &self.inputs;
        let tape = &mut self.tape;
        let out = Self::lend(tape, || f(inputs))?;
        self.finish(out)
    }

    /// [`record`](Recorder::record) for an array of inputs (`f` takes the
    /// array by value, as the forward drivers' closures do).
    ///
    /// ```
    /// let mut r = dualgrad::record::Recorder::new();
    /// let y = r.record_array([1.0, 2.0], |[a, b]| a * b)?;
    /// assert_eq!(r.gradient(y)?, &[2.0, 1.0]);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn record_array<R, const N: usize>(
        &mut self,
        x: [T; N],
        f: impl FnOnce([Taped<T>; N]) -> R,
    ) -> Result<R, RecordError> {
        let s = self.begin(N)?;
        let vars: [Taped<T>; N] = core::array::from_fn(|i| Taped::node(x[i], s, i as u32 + 1));
        let out = Self::lend(&mut self.tape, || f(vars))?;
        self.finish(out)
    }

    fn begin(&mut self, n: usize) -> Result<u32, RecordError> {
        self.n = 0;
        let s = self.tape.start(n)?;
        self.n = n;
        Ok(s)
    }

    fn lend<R>(tape: &mut Tape<T>, f: impl FnOnce() -> R) -> Result<R, RecordError> {
        if !swap_slot(tape) {
            return Err(RecordError::Unavailable);
        }
        let guard = Lent(tape);
        let out = f();
        drop(guard);
        Ok(out)
    }

    fn finish<R>(&mut self, out: R) -> Result<R, RecordError> {
        match self.tape.fault {
            Some(e) => Err(e.into()),
            None => Ok(out),
        }
    }

    /// Makes every value of the current recording stale and empties it
    /// (the storage is kept).
    ///
    /// ```
    /// use dualgrad::num_traits::Float;
    /// let mut r = dualgrad::record::Recorder::new();
    /// let y = r.record(&[1.0], |x| x[0].exp())?;
    /// r.reset();
    /// assert!(r.gradient(y).is_err());
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn reset(&mut self) {
        self.tape.nodes.clear();
        self.tape.session = 0;
        self.tape.fault = None;
        self.n = 0;
    }

    /// The number of nodes of the current recording: one per input, one per
    /// operation on two different nodes, and a placeholder (node 0).
    ///
    /// ```
    /// let mut r = dualgrad::record::Recorder::new();
    /// r.record(&[1.0, 2.0], |x| x[0] * x[1] + 1.0)?; // `+ 1.0` records nothing
    /// assert_eq!(r.len(), 1 + 2 + 1);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.tape.nodes.len()
    }

    /// Whether nothing is recorded.
    ///
    /// ```
    /// assert!(dualgrad::record::Recorder::<f64>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tape.nodes.is_empty()
    }

    /// The number of inputs of the current recording.
    ///
    /// ```
    /// let mut r = dualgrad::record::Recorder::new();
    /// r.record(&[1.0, 2.0, 3.0], |x| x[0])?;
    /// assert_eq!(r.inputs(), 3);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn inputs(&self) -> usize {
        self.n
    }

    /// Bytes per node (an operation on two different nodes): two parent
    /// indices and two derivatives (24 for `f64`); a backward sweep adds one
    /// adjoint (8 for `f64`) per node.
    ///
    /// ```
    /// use dualgrad::record::Recorder;
    /// assert_eq!(Recorder::<f64>::BYTES_PER_NODE, 24);
    /// ```
    pub const BYTES_PER_NODE: usize = core::mem::size_of::<Node<T>>();

    /// The heap bytes this recorder holds (capacity of its node, adjoint
    /// and input storage).
    ///
    /// ```
    /// let mut r = dualgrad::record::Recorder::new();
    /// r.record(&[1.0; 100], |x| x.iter().map(|&v| v * v).sum::<dualgrad::record::Taped<f64>>())?;
    /// assert!(r.heap_bytes() >= r.len() * 24);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.tape.nodes.capacity() * Self::BYTES_PER_NODE
            + self.adj.capacity() * core::mem::size_of::<T>()
            + self.inputs.capacity() * core::mem::size_of::<Taped<T>>()
    }

    /// Checks that `y` belongs to the current recording; its node index
    /// (`None` for a constant).
    fn node_of(&self, y: &Taped<T>) -> Result<Option<usize>, RecordError> {
        if y.i == CONST {
            Ok(None)
        } else if self.tape.session != 0
            && y.s == self.tape.session
            && (y.i as usize) < self.tape.nodes.len()
        {
            Ok(Some(y.i as usize))
        } else {
            Err(RecordError::Stale)
        }
    }

    /// The gradient of the output `y` with respect to the inputs: one
    /// backward sweep (from `y`'s node down).
    ///
    /// ```
    /// use dualgrad::num_traits::Float;
    /// let mut r = dualgrad::record::Recorder::new();
    /// let y = r.record(&[2.0, 5.0], |x| x[0].powi(3) + x[1])?;
    /// assert_eq!(r.gradient(y)?, &[12.0, 1.0]);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn gradient(&mut self, y: Taped<T>) -> Result<&[T], RecordError> {
        if let Some(e) = self.tape.fault {
            return Err(e.into());
        }
        let node = self.node_of(&y)?;
        let top = node.unwrap_or(0).max(self.n);
        self.adj.clear();
        self.adj.resize(top + 1, T::zero());
        if let Some(k) = node {
            self.adj[k] = y.c;
            backward(&self.tape.nodes, &mut self.adj, k, self.n);
        }
        Ok(&self.adj[1..=self.n])
    }

    /// The vector-Jacobian product `wᵀJ` of the outputs `ys` with the
    /// cotangent `w` (one entry per output): one backward sweep.
    ///
    /// ```
    /// let mut r = dualgrad::record::Recorder::new();
    /// let ys = r.record(&[2.0, 3.0], |x| [x[0] * x[1], x[0] - x[1]])?;
    /// assert_eq!(r.vjp(&ys, &[1.0, 2.0])?, &[3.0 + 2.0, 2.0 - 2.0]);
    /// # Ok::<(), dualgrad::record::RecordError>(())
    /// ```
    pub fn vjp(&mut self, ys: &[Taped<T>], w: &[T]) -> Result<&[T], RecordError> {
        if let Some(e) = self.tape.fault {
            return Err(e.into());
        }
        if ys.len() != w.len() {
            return Err(RecordError::Size {
                what: "vjp: cotangent",
                expected: ys.len(),
                got: w.len(),
            });
        }
        let mut top = self.n;
        for y in ys {
            if let Some(k) = self.node_of(y)? {
                top = top.max(k);
            }
        }
        self.adj.clear();
        self.adj.resize(top + 1, T::zero());
        for (y, &wi) in ys.iter().zip(w) {
            if let Some(k) = self.node_of(y)? {
                self.adj[k] += y.c * wi;
            }
        }
        backward(&self.tape.nodes, &mut self.adj, top, self.n);
        Ok(&self.adj[1..=self.n])
    }
}
