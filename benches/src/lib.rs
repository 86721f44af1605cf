//! The workloads that dualgrad's benchmarks time, written once and shared
//! by the criterion benches (`benches/forward.rs`, `benches/reverse.rs`)
//! and by the test that checks every side computes the same numbers
//! (`tests/agree.rs`).
//!
//! This is a workspace member of its own so that the library, its tests and
//! its examples never build criterion or the crates we compare against.
#![allow(missing_docs)]

pub mod forward_work;
pub mod reverse_work;
pub mod scalar_reverse_work;
