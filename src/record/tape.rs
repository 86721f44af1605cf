//! The tape behind [`Taped`] numbers: one node per recorded operation, a
//! slot per number type (thread-local with `std`) that the active
//! recording's storage is lent to, and the backward sweep.
//!
//! A node is two parent indices and the two local derivatives (from the rule
//! table): `8 + 2·size_of::<T>()` bytes, 24 bytes for `f64`. A constant
//! operand (and the missing second operand of a unary node) points at the
//! node itself, whose adjoint is dead once read, so the backward sweep has
//! no branch on the arity.

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
/// `p >> 32`.
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
    pub(crate) fault: Option<RecordError>,
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
/// across four billion recordings). 32 bits keep a `Taped<f64>` at 16 bytes,
/// which is passed in registers.
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
    /// session; a constant is `(0, 0)`) and local derivatives
    /// `da`, `db`. Returns the new node's index and the session packed as
    /// `session << 32 | index`, or 0 if an operand is stale (or the tape
    /// is full).
    #[inline(always)]
    pub(crate) fn push(&mut self, ia: u32, sa: u32, da: T, ib: u32, sb: u32, db: T) -> u64 {
        let s = self.session;
        let len = self.nodes.len();
        // Each product is zero exactly when the operand is a constant or of
        // this session (one multiplication instead of two comparisons).
        let bad = (u64::from(sa ^ s) * u64::from(sa)) | (u64::from(sb ^ s) * u64::from(sb));
        // A constant operand (index 0) points at the new node itself: its
        // adjoint is dead once the sweep has read it, so the dummy update
        // `adj[k] += d·a` costs nothing and chains no two nodes together
        // (a shared sink would serialise every such update through memory).
        let me = len as u32;
        let ia = if ia == 0 { me } else { ia };
        let ib = if ib == 0 { me } else { ib };
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
                    RecordError::TooLong
                } else {
                    RecordError::Stale
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
        self.nodes.reserve(n + 1);
        for _ in 0..=n {
            self.nodes.push(leaf);
        }
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

/// Records `v = f(a, b)` through the calling thread's slot; NaN (and a
/// fault on the active recording) for a stale operand. At least one operand
/// is a variable (the callers test that).
#[inline(always)]
pub(crate) fn record<T: Recordable>(v: T, a: Taped<T>, da: T, b: Taped<T>, db: T) -> Taped<T> {
    unpack(v, push_slot::<T>(a.i, a.s, da, b.i, b.s, db))
}

/// [`record`] for a function of one operand.
#[inline(always)]
pub(crate) fn record1<T: Recordable>(v: T, a: Taped<T>, da: T) -> Taped<T> {
    unpack(v, push_slot1::<T>(a.i, a.s, da))
}

/// The value and the node `push` returned; NaN (a constant) if it failed.
/// A recorded node's index is never 0 (node 0 is the placeholder), so the
/// test is on the index alone: the operations that follow then know the
/// result is a variable and skip their own constant test.
#[inline(always)]
fn unpack<T: Scalar>(v: T, k: u64) -> Taped<T> {
    let i = k as u32;
    if i == CONST {
        Taped::constant_value(T::nan())
    } else {
        Taped {
            v,
            i,
            s: (k >> 32) as u32,
        }
    }
}

/// The slot access and the push: about 30 instructions, inlined into each
/// operation.
#[inline]
fn push_slot<T: Recordable>(ia: u32, sa: u32, da: T, ib: u32, sb: u32, db: T) -> u64 {
    T::with_tape(|t| t.push(ia, sa, da, ib, sb, db)).unwrap_or(0)
}

#[inline]
fn push_slot1<T: Recordable>(ia: u32, sa: u32, da: T) -> u64 {
    T::with_tape(|t| t.push(ia, sa, da, 0, 0, T::zero())).unwrap_or(0)
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
    // The inputs (nodes 1..=inputs) have no parents: the sweep stops above
    // them. `nodes` and `adj` have the same length, so neither `[k]` needs
    // a check; a parent's index does (it is below `k` on every tape this
    // crate writes, but the check costs one compare).
    let mut k = len;
    while k > inputs.saturating_add(1) {
        k -= 1;
        let a = adj[k];
        let n = nodes[k];
        if a.all_parts_zero() {
            continue;
        }
        if let Some(x) = adj.get_mut(n.p as u32 as usize) {
            *x += n.d[0] * a;
        }
        if let Some(x) = adj.get_mut((n.p >> 32) as usize) {
            *x += n.d[1] * a;
        }
    }
}

/// Runs `f` with the thread's spare recorder for `T` (a new one when it is
/// in use, by a driver called inside a recorded function), and keeps it for
/// the next call: the drivers allocate nothing in the steady state.
pub(crate) fn with_recorder<T: Recordable, R>(
    f: impl FnOnce(&mut crate::record::Recorder<T>) -> R,
) -> R {
    let mut rec = T::with_cache(|c| c.take()).flatten().unwrap_or_default();
    let out = f(&mut rec);
    rec.reset();
    let _ = T::with_cache(|c| {
        if c.is_none() {
            *c = Some(rec);
        }
    });
    out
}
