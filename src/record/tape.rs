//! The tape behind [`Taped`] numbers: one node per recorded operation, a
//! thread-local slot per number type that the active recording's storage is
//! lent to, and the backward sweep.
//!
//! A node is two parent indices and the two local derivatives (from the rule
//! table): `8 + 2·size_of::<T>()` bytes, 24 bytes for `f64`. Unary nodes
//! point their second parent at node 0, a sink whose adjoint is never read,
//! so the backward sweep has no branch on the arity.

use alloc::vec::Vec;
use core::cell::RefCell;
use core::sync::atomic::{AtomicU64, Ordering};

use crate::record::error::RecordError;
use crate::record::taped::Taped;
use crate::Scalar;

/// The index of a constant (a value on no tape).
pub(crate) const CONST: u32 = u32::MAX;

/// One recorded operation: `result = f(p[0], p[1])` with `∂f/∂p[k] = d[k]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<T> {
    pub(crate) p: [u32; 2],
    pub(crate) d: [T; 2],
}

/// The nodes of one recording, and what went wrong while recording.
#[derive(Debug)]
pub struct Tape<T> {
    pub(crate) nodes: Vec<Node<T>>,
    /// The recording session: unique across threads, tapes and resets
    /// (0: no recording active).
    pub(crate) session: u64,
    pub(crate) fault: Option<RecordError>,
}

impl<T> Tape<T> {
    pub(crate) const EMPTY: Tape<T> = Tape {
        nodes: Vec::new(),
        session: 0,
        fault: None,
    };
}

/// Session numbers: never reused in the process, so a value from another
/// recording (of any tape, on any thread) or from before a reset can be told
/// apart from the current one's.
static SESSIONS: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_session() -> u64 {
    SESSIONS.fetch_add(1, Ordering::Relaxed)
}

impl<T: Scalar> Tape<T> {
    /// Records `v = f(a, b)` with local derivatives `da`, `db`; a constant
    /// operand's derivative goes to the sink. At least one operand is a
    /// variable (the callers test that).
    #[inline(always)]
    pub(crate) fn push(&mut self, v: T, a: Taped<T>, da: T, b: Taped<T>, db: T) -> Taped<T> {
        let s = self.session;
        let len = self.nodes.len();
        let fresh = (a.i == CONST || a.s == s) & (b.i == CONST || b.s == s);
        if !fresh | (len >= CONST as usize) {
            return self.fail(len);
        }
        let ia = if a.i == CONST { 0 } else { a.i };
        let ib = if b.i == CONST { 0 } else { b.i };
        self.nodes.push(Node {
            p: [ia, ib],
            d: [da, db],
        });
        Taped {
            v,
            i: len as u32,
            s,
        }
    }

    #[cold]
    #[inline(never)]
    fn fail(&mut self, len: usize) -> Taped<T> {
        if self.session != 0 && self.fault.is_none() {
            self.fault = Some(if len >= CONST as usize {
                RecordError::TooLong
            } else {
                RecordError::Stale
            });
        }
        Taped::constant_value(T::nan())
    }

    /// Starts a new session with `n` inputs (nodes `1..=n`, after the sink).
    pub(crate) fn start(&mut self, n: usize) -> Result<u64, RecordError> {
        if n >= (CONST as usize) - 1 {
            return Err(RecordError::TooLong);
        }
        self.nodes.clear();
        self.fault = None;
        self.session = next_session();
        let z = T::zero();
        let leaf = Node {
            p: [0, 0],
            d: [z, z],
        };
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
    use core::cell::RefCell;

    /// Access to the calling thread's slot for one number type.
    pub trait Slot: Sized + 'static {
        /// Runs `f` on the slot (`None` while the thread is shutting down).
        fn with_slot<R>(f: impl FnOnce(&RefCell<Tape<Self>>) -> R) -> Option<R>;
        /// Runs `f` on the thread's spare recorder for the drivers.
        fn with_cache<R>(f: impl FnOnce(&RefCell<Option<Recorder<Self>>>) -> R) -> Option<R>;
    }
}
pub(crate) use sealed::Slot;

/// A number type that [`Taped`] can record over: `f32`, `f64`, `Dual<f32>`,
/// `Dual<f64>` (Hessian-vector products, forward over reverse) and
/// `DualVec<f64, K>` for K = 2, 4, 8, 16 (Hessians, K columns a sweep).
///
/// Each has its own thread-local slot, which a recording's storage is lent
/// to while the function runs (a `static` cannot be generic, so the list is
/// fixed).
///
/// ```
/// fn takes<T: dualgrad::record::Recordable>() {}
/// takes::<f64>();
/// takes::<dualgrad::DualVec<f64, 8>>();
/// ```
pub trait Recordable: Scalar + Slot {}

macro_rules! recordable {
    ($($t:ty),*) => {$(
        impl Slot for $t {
            #[inline(always)]
            fn with_slot<R>(f: impl FnOnce(&RefCell<Tape<Self>>) -> R) -> Option<R> {
                std::thread_local! {
                    static SLOT: RefCell<Tape<$t>> = const { RefCell::new(Tape::EMPTY) };
                }
                SLOT.try_with(f).ok()
            }
            #[inline]
            fn with_cache<R>(
                f: impl FnOnce(&RefCell<Option<crate::record::Recorder<Self>>>) -> R,
            ) -> Option<R> {
                std::thread_local! {
                    static CACHE: RefCell<Option<crate::record::Recorder<$t>>> =
                        const { RefCell::new(None) };
                }
                CACHE.try_with(f).ok()
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

/// Records through the calling thread's slot (NaN, recorded as a fault
/// where possible, if the slot is unavailable).
#[inline(always)]
pub(crate) fn record<T: Recordable>(v: T, a: Taped<T>, da: T, b: Taped<T>, db: T) -> Taped<T> {
    T::with_slot(|s| match s.try_borrow_mut() {
        Ok(mut t) => t.push(v, a, da, b, db),
        Err(_) => Taped::constant_value(T::nan()),
    })
    .unwrap_or_else(|| Taped::constant_value(T::nan()))
}

/// Swaps `t` with the thread's slot for `T` (lends a recording's storage to
/// the slot, or takes it back). False if the slot is unavailable.
pub(crate) fn swap_slot<T: Recordable>(t: &mut Tape<T>) -> bool {
    T::with_slot(|s| match s.try_borrow_mut() {
        Ok(mut cur) => {
            core::mem::swap(&mut *cur, t);
            true
        }
        Err(_) => false,
    })
    .unwrap_or(false)
}

/// The backward sweep over `nodes[1..=top]`: `adj` holds the seeds on entry
/// and the adjoints on return. A zero adjoint contributes nothing, even
/// through an infinite local derivative (as a zero tangent in forward mode).
pub(crate) fn backward<T: Scalar>(nodes: &[Node<T>], adj: &mut [T], top: usize) {
    let top = top
        .min(nodes.len().saturating_sub(1))
        .min(adj.len().saturating_sub(1));
    for k in (1..=top).rev() {
        let a = adj[k];
        if a.is_zero() {
            continue;
        }
        let n = &nodes[k];
        // Parents come before their node, so both indices are below `k`.
        if let Some(x) = adj.get_mut(n.p[0] as usize) {
            *x += n.d[0] * a;
        }
        if let Some(x) = adj.get_mut(n.p[1] as usize) {
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
    let mut rec = T::with_cache(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()))
        .flatten()
        .unwrap_or_default();
    let out = f(&mut rec);
    rec.reset();
    let _ = T::with_cache(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            if c.is_none() {
                *c = Some(rec);
            }
        }
    });
    out
}
