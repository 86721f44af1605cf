//! The product threads: how many, and the pools that run them.
//!
//! A pool is a `thread_tree` tree of 2, 4 or 8 threads (the caller's own
//! and 1, 3 or 7 workers), built at its first use and kept; a worker
//! waiting for work sleeps in a channel receive. One caller at a time
//! leases a pool; a second caller meanwhile computes its product on its
//! own thread rather than queue for the workers.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use thread_tree::{ThreadTree, ThreadTreeCtx};

/// The most product threads [`set_product_threads`] accepts (larger
/// counts are capped to it).
///
/// ```
/// assert_eq!(dualgrad::linalg::MAX_PRODUCT_THREADS, 8);
/// ```
pub const MAX_PRODUCT_THREADS: usize = 8;

/// The count in use; 0 until set or first read.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Pools of 2, 4 and 8 threads (tree levels 1 to 3), built when first
/// leased, and whether one is leased.
static POOLS: [OnceLock<Box<ThreadTree>>; 3] = [const { OnceLock::new() }; 3];
static LEASED: [AtomicBool; 3] = [const { AtomicBool::new(false) }; 3];

/// `n` clamped to 1..=[`MAX_PRODUCT_THREADS`] and rounded down to a power
/// of two.
fn usable(n: usize) -> usize {
    let n = n.clamp(1, MAX_PRODUCT_THREADS);
    1 << (usize::BITS - 1 - n.leading_zeros())
}

/// The default: `DUALGRAD_THREADS` if it is a whole number, else the
/// machine's available parallelism (1 if unknown).
fn default_threads() -> usize {
    let env = std::env::var("DUALGRAD_THREADS").ok();
    let n = env
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    usable(n.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())))
}

/// Sets how many threads a large product uses, from now on, and returns
/// the count that will be used: `n` rounded down to a power of two and
/// capped at [`MAX_PRODUCT_THREADS`]; 0 goes back to the default (the
/// environment variable `DUALGRAD_THREADS`, else the machine's available
/// parallelism). 1 computes every product on the calling thread. Results
/// do not depend on the count (see [`gemm`](super::gemm)).
///
/// ```
/// use dualgrad::linalg::{product_threads, set_product_threads};
/// assert_eq!(set_product_threads(3), 2);
/// assert_eq!(product_threads(), 2);
/// assert_eq!(set_product_threads(100), 8);
/// assert_eq!(set_product_threads(1), 1);
/// ```
pub fn set_product_threads(n: usize) -> usize {
    let t = if n == 0 { default_threads() } else { usable(n) };
    THREADS.store(t, Ordering::Relaxed);
    t
}

/// How many threads a large product uses (see [`set_product_threads`]).
///
/// ```
/// let t = dualgrad::linalg::product_threads();
/// assert!(t.is_power_of_two() && t <= dualgrad::linalg::MAX_PRODUCT_THREADS);
/// ```
pub fn product_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let t = default_threads();
            // A concurrent `set_product_threads` wins over the default.
            let _ = THREADS.compare_exchange(0, t, Ordering::Relaxed, Ordering::Relaxed);
            THREADS.load(Ordering::Relaxed)
        }
        t => t,
    }
}

/// A pool leased for one product; returned when dropped.
pub(crate) struct Lease {
    level: usize,
}

impl Lease {
    /// The pool's top, where the product is split.
    pub(crate) fn top(&self) -> ThreadTreeCtx<'static> {
        POOLS[self.level - 1]
            .get_or_init(|| ThreadTree::new_with_level(self.level))
            .top()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        LEASED[self.level - 1].store(false, Ordering::Release);
    }
}

/// A pool for a product of `work` multiply-adds, if it is worth splitting
/// (each half keeps at least [`SPLIT_MIN`](super::SPLIT_MIN)), more than
/// one thread is set, and no other caller holds the pool.
pub(crate) fn lease(work: usize) -> Option<Lease> {
    if work / 2 < super::SPLIT_MIN {
        return None;
    }
    let level = product_threads().trailing_zeros() as usize;
    if level == 0 {
        return None;
    }
    LEASED[level - 1]
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .ok()
        .map(|_| Lease { level })
}
