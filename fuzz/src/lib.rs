//! The fuzz targets' shared harness: the same file the main crate's property tests use, so
//! the invariants checked at scale here and at small scale in `cargo test` are one code.
#![allow(dead_code)]

#[path = "../../tests/support/harness.rs"]
mod harness;

pub use harness::*;
