//! Conformance tests, see `mod.rs`.

super::suite!();
