//! [`Pool`]: spare matrix storage, so that a training loop that resets and
//! reuses one tape does not allocate fresh buffers for every intermediate
//! result.

use alloc::vec::Vec;

use nalgebra::DMatrix;

use crate::Scalar;

/// At most this many spare buffers are kept.
const MAX_SPARE: usize = 256;

/// Spare buffers from earlier steps.
#[derive(Debug, Default)]
pub(crate) struct Pool<S> {
    spare: Vec<Vec<S>>,
}

impl<S: Scalar> Pool<S> {
    /// An empty buffer with room for `len` entries: a spare one if one is
    /// large enough, a new one otherwise.
    pub(crate) fn take(&mut self, len: usize) -> Vec<S> {
        if len > 0 {
            if let Some(i) = self.spare.iter().rposition(|b| b.capacity() >= len) {
                let mut b = self.spare.swap_remove(i);
                b.clear();
                return b;
            }
        }
        Vec::with_capacity(len)
    }

    /// Keeps a matrix's storage for later.
    pub(crate) fn give(&mut self, m: DMatrix<S>) {
        let v: Vec<S> = m.data.into();
        if v.capacity() > 0 && self.spare.len() < MAX_SPARE {
            self.spare.push(v);
        }
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

    /// A copy of `a`.
    pub(crate) fn copy(&mut self, a: &DMatrix<S>) -> DMatrix<S> {
        let mut b = self.take(a.len());
        b.extend_from_slice(a.as_slice());
        DMatrix::from_vec(a.nrows(), a.ncols(), b)
    }
}
