//! [`Pool`]: spare matrix storage, so that a training loop that resets and
//! reuses one tape does not allocate fresh buffers for every intermediate
//! result.

use alloc::vec::Vec;

use nalgebra::DMatrix;

use crate::Scalar;

/// At most this many spare buffers are kept.
const MAX_SPARE: usize = 256;

/// Spare buffers from earlier steps, by capacity: a network has few
/// distinct matrix sizes, so a request looks through a few size classes
/// rather than every spare buffer.
#[derive(Debug)]
pub(crate) struct Pool<S> {
    /// `(capacity, spare buffers of exactly that capacity)`, sorted by
    /// capacity.
    classes: Vec<(usize, Vec<Vec<S>>)>,
    /// How many spare buffers there are.
    spare: usize,
    /// How many buffers were newly allocated (none spare was large enough).
    fresh: usize,
}

impl<S> Default for Pool<S> {
    fn default() -> Self {
        Pool {
            classes: Vec::new(),
            spare: 0,
            fresh: 0,
        }
    }
}

impl<S: Scalar> Pool<S> {
    /// An empty buffer with room for `len` entries: the smallest spare one
    /// that is large enough (so that a small request does not take a buffer
    /// a large one will need), or a new one.
    pub(crate) fn take(&mut self, len: usize) -> Vec<S> {
        let mut b = self.take_dirty(len);
        b.clear();
        b
    }

    /// Like [`take`](Pool::take), but the buffer keeps its old entries.
    fn take_dirty(&mut self, len: usize) -> Vec<S> {
        if len > 0 {
            for (cap, bufs) in &mut self.classes {
                if *cap >= len {
                    if let Some(b) = bufs.pop() {
                        self.spare -= 1;
                        return b;
                    }
                }
            }
        }
        self.fresh += 1;
        Vec::with_capacity(len)
    }

    /// Keeps a matrix's storage for later.
    pub(crate) fn give(&mut self, m: DMatrix<S>) {
        self.give_vec(m.data.into());
    }

    /// Keeps a buffer for later.
    pub(crate) fn give_vec(&mut self, v: Vec<S>) {
        let cap = v.capacity();
        if cap == 0 || self.spare >= MAX_SPARE {
            return;
        }
        match self.classes.binary_search_by_key(&cap, |c| c.0) {
            Ok(i) => self.classes[i].1.push(v),
            Err(i) => self.classes.insert(i, (cap, alloc::vec![v])),
        }
        self.spare += 1;
    }

    /// An r×c matrix of the entries of `it` (column-major).
    pub(crate) fn fill(&mut self, r: usize, c: usize, it: impl Iterator<Item = S>) -> DMatrix<S> {
        let mut b = self.take(r * c);
        b.extend(it);
        DMatrix::from_vec(r, c, b)
    }

    /// An r×c zero matrix.
    pub(crate) fn zeros(&mut self, r: usize, c: usize) -> DMatrix<S> {
        let mut b = self.take(r * c);
        b.resize(r * c, S::zero());
        DMatrix::from_vec(r, c, b)
    }

    /// An r×c matrix whose entries are unspecified (whatever its buffer
    /// held before, or zero): for results that are overwritten entirely,
    /// such as a product computed with β = 0, which then skip zeroing the
    /// buffer first.
    pub(crate) fn scratch(&mut self, r: usize, c: usize) -> DMatrix<S> {
        let mut b = self.take_dirty(r * c);
        b.truncate(r * c);
        b.resize(r * c, S::zero());
        DMatrix::from_vec(r, c, b)
    }

    /// A copy of `a`.
    pub(crate) fn copy(&mut self, a: &DMatrix<S>) -> DMatrix<S> {
        let mut b = self.take(a.len());
        b.extend_from_slice(a.as_slice());
        DMatrix::from_vec(a.nrows(), a.ncols(), b)
    }
}

#[cfg(test)]
mod tests {
    use crate::nn::{Activation::*, Mlp, Targets};
    use crate::reverse::Tape;
    use nalgebra::DMatrix;

    /// Training on one tape reaches a steady state: the spare storage stops
    /// growing, and a step allocates only the gradients it hands out.
    #[test]
    fn a_training_step_reaches_a_steady_state() {
        let mut mlp = Mlp::<f64>::new(&[4, 8, 8, 3], &[Relu, Tanh, Identity], 1).unwrap();
        let x = DMatrix::from_fn(16, 4, |i, j| (i as f64 - j as f64) / 7.0);
        let labels: Vec<usize> = (0..16).map(|i| i % 3).collect();
        let mut tape = Tape::new();
        let mut seen = Vec::new();
        for _ in 0..8 {
            let before = tape.pool.borrow().fresh;
            let (_, g) = mlp
                .loss_and_gradients(&mut tape, &x, Targets::Labels(&labels))
                .unwrap();
            let pool = tape.pool.borrow();
            let spare: usize = pool
                .classes
                .iter()
                .map(|(cap, bufs)| cap * bufs.len())
                .sum();
            seen.push((pool.fresh - before, pool.spare, spare, tape.len(), g.len()));
        }
        let steady = seen[2];
        assert!(seen[2..].iter().all(|s| *s == steady), "{seen:?}");
        // Fresh buffers per step: the 6 gradients returned to the caller
        // (whose storage leaves the tape) and nothing else.
        assert_eq!(steady.0, 6, "{seen:?}");

        // Recycling the gradients: no allocation at all in the steady state.
        let mut fresh = Vec::new();
        for _ in 0..6 {
            let before = tape.pool.borrow().fresh;
            let (_, g) = mlp
                .loss_and_gradients(&mut tape, &x, Targets::Labels(&labels))
                .unwrap();
            for g in g {
                tape.recycle(g.dw);
                tape.recycle(g.db);
            }
            fresh.push(tape.pool.borrow().fresh - before);
        }
        assert!(fresh[2..].iter().all(|&f| f == 0), "{fresh:?}");
    }
}
