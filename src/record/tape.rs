//! The tape behind [`Taped`] numbers: one node per operation on two
//! different nodes, a slot per number type (thread-local with `std`) that
//! the active recording's storage is lent to, and the backward sweep.
//!
//! A node is two parent indices and the two derivatives with respect to
//! them: `8 + 2·size_of::<T>()` bytes, 24 bytes for `f64`. Both parents are
//! always recorded nodes (an operation with a constant operand, or on one
//! node, records nothing: see [`Taped`]), so the backward sweep has no
//! branch on the arity.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::record::error::RecordError;
use crate::record::taped::Taped;
use crate::Scalar;

/// The index of a constant (a value on no tape): node 0, a placeholder
/// that no recorded node points at.
pub(crate) const CONST: u32 = 0;

/// One recorded operation: `result = f(a, b)` with `∂f/∂a = d[0]`,
/// `∂f/∂b = d[1]`, where `a` and `b` are the nodes `p as u32` and
/// `p >> 32` (each derivative already multiplied by the operand's
/// coefficient: the functions of one node between two recorded nodes are
/// folded into it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<T> {
    /// The parents' indices, `first | second << 32` (written as one word).
    pub(crate) p: u64,
    pub(crate) d: [T; 2],
}

/// The nodes of one recording, and what went wrong while recording.
#[derive(Debug)]
pub struct Tape<T> {
    pub(crate) nodes: Vec<Node<T>>,
    /// The recording session: unique across threads, tapes and resets
    /// (0: no recording active).
    pub(crate) session: u32,
    pub(crate) fault: Option<Fault>,
}

/// What an operation can run into while recording (one byte, so that the
/// tape moved in and out of its slot at each recording stays small).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// [`RecordError::Stale`].
    Stale,
    /// [`RecordError::TooLong`].
    TooLong,
}

impl From<Fault> for RecordError {
    fn from(f: Fault) -> Self {
        match f {
            Fault::Stale => RecordError::Stale,
            Fault::TooLong => RecordError::TooLong,
        }
    }
}

impl<T> Tape<T> {
    pub(crate) const EMPTY: Tape<T> = Tape {
        nodes: Vec::new(),
        session: 0,
        fault: None,
    };
}

/// Session numbers: reused only after 2³² − 1 recordings in the process,
/// so a value from another recording (of any tape, on any thread) or from
/// before a reset is told apart from the current one's (unless it was kept
/// across four billion recordings). 32 bits keep a `Taped<f64>` at 24 bytes
/// (the node index and the session share one word).
static SESSIONS: AtomicU32 = AtomicU32::new(1);

pub(crate) fn next_session() -> u32 {
    loop {
        let s = SESSIONS.fetch_add(1, Ordering::Relaxed);
        if s != 0 {
            return s;
        }
    }
}

impl<T: Scalar> Tape<T> {
    /// Records a node with parents `(ia, sa)`, `(ib, sb)` (index and
    /// session of two variables: operations with a constant record no node)
    /// and local derivatives `da`, `db`. Returns the new node's index and
    /// the session packed as `session << 32 | index`, or 0 if an operand is
    /// stale (or the tape is full).
    #[inline(always)]
    pub(crate) fn push(&mut self, ia: u32, sa: u32, da: T, ib: u32, sb: u32, db: T) -> u64 {
        let s = self.session;
        let len = self.nodes.len();
        // Zero exactly when both operands are of this session (a variable's
        // session is never 0, so no operand passes while none is active).
        let bad = u64::from((sa ^ s) | (sb ^ s));
        let p = u64::from(ia) | (u64::from(ib) << 32);
        if (bad != 0) | (len == self.nodes.capacity()) {
            return self.push_slow(bad, p, da, db);
        }
        // No call on this path (growth and faults are in `push_slow`), and
        // the node is built in place (not on the stack first).
        self.nodes.push(Node { p, d: [da, db] });
        (u64::from(s) << 32) | len as u64
    }

    /// `push` when the storage must grow or an operand is stale. The
    /// capacity never exceeds 2³² nodes, so indices fit in `u32`.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, bad: u64, p: u64, da: T, db: T) -> u64 {
        let len = self.nodes.len();
        if bad != 0 || len >= u32::MAX as usize {
            return self.fail(len);
        }
        let want = len.max(64).min(u32::MAX as usize - len);
        if self.nodes.try_reserve_exact(want).is_err() {
            return self.fail(len);
        }
        self.nodes.push(Node { p, d: [da, db] });
        (u64::from(self.session) << 32) | len as u64
    }

    #[cold]
    #[inline(never)]
    fn fail(&mut self, len: usize) -> u64 {
        if self.session != 0 && self.fault.is_none() {
            self.fault = Some(
                if len + 1 >= u32::MAX as usize || len == self.nodes.capacity() {
                    Fault::TooLong
                } else {
                    Fault::Stale
                },
            );
        }
        0
    }

    /// Starts a new session with `n` inputs (nodes `1..=n`, after the
    /// placeholder node 0).
    pub(crate) fn start(&mut self, n: usize) -> Result<u32, RecordError> {
        if n >= (u32::MAX as usize) - 1 {
            return Err(RecordError::TooLong);
        }
        self.nodes.clear();
        self.fault = None;
        self.session = next_session();
        let z = T::zero();
        let leaf = Node { p: 0, d: [z, z] };
        self.nodes.resize(n + 1, leaf);
        Ok(self.session)
    }
}

mod sealed {
    use super::Tape;
    use crate::record::Recorder;

    /// Access to the slot of one number type (the calling thread's with
    /// `std`, the program's without).
    pub trait Slot: Sized + 'static {
        /// Runs `f` on the slot; `None` if it is unavailable (the thread is
        /// shutting down, or, without `std`, the slot is in use elsewhere).
        fn with_tape<R>(f: impl FnOnce(&mut Tape<Self>) -> R) -> Option<R>;
        /// Runs `f` on the spare recorder of the drivers.
        fn with_cache<R>(f: impl FnOnce(&mut Option<Recorder<Self>>) -> R) -> Option<R>;
    }
}
pub(crate) use sealed::Slot;

/// A number type that [`Taped`] can record over: `f32`, `f64`, `Dual<f32>`,
/// `Dual<f64>` (Hessian-vector products, forward over reverse) and
/// `DualVec<f64, K>` for K = 2, 4, 8, 16 (Hessians, K columns a sweep).
///
/// Each has its own slot, which a recording's storage is lent to while the
/// function runs (a `static` cannot be generic, so the list is fixed): a
/// thread-local with `std`; without `std`, one `static` per type behind a
/// spin lock that is only ever tried (a recording started while another
/// one of the same type runs elsewhere — an interrupt handler — fails with
/// `RecordError::Unavailable` instead of waiting).
///
/// ```
/// fn takes<T: dualgrad::record::Recordable>() {}
/// takes::<f64>();
/// takes::<dualgrad::DualVec<f64, 8>>();
/// ```
pub trait Recordable: Scalar + Slot {}

#[cfg(feature = "std")]
macro_rules! recordable {
    ($($t:ty),*) => {$(
        impl Slot for $t {
            #[inline(always)]
            fn with_tape<R>(f: impl FnOnce(&mut Tape<Self>) -> R) -> Option<R> {
                // `ManuallyDrop`: a thread-local without destructor needs no
                // registration check on each access. The slot holds storage
                // only while a recording runs (`Recorder::record` takes it
                // back, also when the function panics), so there is nothing
                // to drop at thread exit.
                std::thread_local! {
                    static SLOT: core::mem::ManuallyDrop<core::cell::RefCell<Tape<$t>>> =
                        const { core::mem::ManuallyDrop::new(core::cell::RefCell::new(Tape::EMPTY)) };
                }
                SLOT.try_with(|c| c.try_borrow_mut().ok().map(|mut t| f(&mut t)))
                    .ok()
                    .flatten()
            }
            #[inline]
            fn with_cache<R>(
                f: impl FnOnce(&mut Option<crate::record::Recorder<Self>>) -> R,
            ) -> Option<R> {
                std::thread_local! {
                    static CACHE: core::cell::RefCell<Option<crate::record::Recorder<$t>>> =
                        const { core::cell::RefCell::new(None) };
                }
                CACHE
                    .try_with(|c| c.try_borrow_mut().ok().map(|mut r| f(&mut r)))
                    .ok()
                    .flatten()
            }
        }
        impl Recordable for $t {}
    )*};
}

#[cfg(not(feature = "std"))]
macro_rules! recordable {
    ($($t:ty),*) => {$(
        impl Slot for $t {
            #[inline(always)]
            fn with_tape<R>(f: impl FnOnce(&mut Tape<Self>) -> R) -> Option<R> {
                static SLOT: spin::mutex::SpinMutex<Tape<$t>> =
                    spin::mutex::SpinMutex::new(Tape::EMPTY);
                SLOT.try_lock().map(|mut t| f(&mut t))
            }
            #[inline]
            fn with_cache<R>(
                f: impl FnOnce(&mut Option<crate::record::Recorder<Self>>) -> R,
            ) -> Option<R> {
                static CACHE: spin::mutex::SpinMutex<Option<crate::record::Recorder<$t>>> =
                    spin::mutex::SpinMutex::new(None);
                CACHE.try_lock().map(|mut r| f(&mut r))
            }
        }
        impl Recordable for $t {}
    )*};
}

recordable!(
    f64,
    f32,
    crate::Dual<f64>,
    crate::Dual<f32>,
    crate::DualVec<f64, 2>,
    crate::DualVec<f64, 4>,
    crate::DualVec<f64, 8>,
    crate::DualVec<f64, 16>
);

/// Records `v = f(a, b)` through the calling thread's slot, where `a` is
/// node `ia` of session `sa` with `∂f/∂a = da` (likewise `b`): the
/// variable of the new node, or a NaN constant (and a fault on the active
/// recording) if an operand is stale or the tape is full. A recorded node's
/// index is never 0 (node 0 is the placeholder), so the test is on the
/// index alone.
#[inline(always)]
pub(crate) fn record<T: Recordable>(
    v: T,
    ia: u32,
    sa: u32,
    da: T,
    ib: u32,
    sb: u32,
    db: T,
) -> Taped<T> {
    let k = push_slot::<T>(ia, sa, da, ib, sb, db);
    let node = k as u32;
    if node == CONST {
        Taped::constant_value(T::nan())
    } else {
        Taped::node(v, (k >> 32) as u32, node)
    }
}

/// The slot access and the push: about 30 instructions, inlined into each
/// operation.
#[inline]
fn push_slot<T: Recordable>(ia: u32, sa: u32, da: T, ib: u32, sb: u32, db: T) -> u64 {
    T::with_tape(|t| t.push(ia, sa, da, ib, sb, db)).unwrap_or(0)
}

/// Swaps `t` with the thread's slot for `T` (lends a recording's storage to
/// the slot, or takes it back). False if the slot is unavailable.
pub(crate) fn swap_slot<T: Recordable>(t: &mut Tape<T>) -> bool {
    T::with_tape(|cur| core::mem::swap(cur, t)).is_some()
}

/// The backward sweep over `nodes[inputs + 1..=top]`: `adj` holds the seeds on entry
/// and the adjoints on return. A zero adjoint contributes nothing, even
/// through an infinite local derivative (as a zero tangent in forward mode).
pub(crate) fn backward<T: Scalar>(nodes: &[Node<T>], adj: &mut [T], top: usize, inputs: usize) {
    let len = (top.saturating_add(1)).min(nodes.len()).min(adj.len());
    let (Some(nodes), Some(adj)) = (nodes.get(..len), adj.get_mut(..len)) else {
        return;
    };
    // The adjoints as cells: the sweep reads node k's while it adds to its
    // parents', and walks nodes and adjoints together (no index check on
    // k; a parent's index is checked, one compare each).
    let adj = core::cell::Cell::from_mut(adj).as_slice_of_cells();
    // The inputs (nodes 1..=inputs) have no parents: the sweep stops above
    // them.
    let first = inputs.saturating_add(1).min(len);
    let (Some(swept), Some(own)) = (nodes.get(first..), adj.get(first..)) else {
        return;
    };
    // `carry`: node k's contribution to node k − 1's adjoint, kept in a
    // register instead of stored and read back at once. A chain of nodes
    // (a running sum: each node's first parent is the node before it) then
    // waits on one multiply-add per node, not on a store and a load. It is
    // added last, as the store would have been: the same sums.
    let mut carry = T::zero();
    let mut carried = false;
    let mut k = len;
    for (n, a) in swept.iter().zip(own).rev() {
        k -= 1;
        let a = a.get() + carry;
        carry = T::zero();
        carried = false;
        if a.all_parts_zero() {
            continue;
        }
        let (p0, p1) = (n.p as u32 as usize, (n.p >> 32) as usize);
        // A recorded node's two parents differ, so at most one is k − 1.
        if p0 + 1 == k {
            carry = n.d[0] * a;
            carried = true;
        } else if let Some(x) = adj.get(p0) {
            x.set(x.get() + n.d[0] * a);
        }
        if p1 + 1 == k {
            carry = n.d[1] * a;
            carried = true;
        } else if let Some(x) = adj.get(p1) {
            x.set(x.get() + n.d[1] * a);
        }
    }
    // What the lowest swept node passed to the input below it.
    if let Some(x) = first.checked_sub(1).and_then(|i| adj.get(i)) {
        if carried {
            x.set(x.get() + carry);
        }
    }
}

/// Runs `f` with the thread's spare recorder for `T`, in place (a new one
/// when it is in use, by a driver called inside a recorded function), and
/// keeps it for the next call: the drivers allocate nothing in the steady
/// state.
pub(crate) fn with_recorder<T: Recordable, X>(
    f: impl FnOnce(&mut crate::record::Recorder<T>) -> Result<X, RecordError>,
) -> Result<X, RecordError> {
    let mut f = Some(f);
    let cached = T::with_cache(|c| {
        let f = f.take()?;
        let rec = c.get_or_insert_with(crate::record::Recorder::new);
        let out = f(rec);
        rec.reset();
        Some(out)
    });
    match (cached.flatten(), f) {
        (Some(out), _) => out,
        (None, Some(f)) => f(&mut crate::record::Recorder::new()),
        // `f` is taken only where it runs.
        (None, None) => Err(RecordError::Unavailable),
    }
}
