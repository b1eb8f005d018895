//! Opaque values (hashes, Bloom filters, …) and files.

use crate::types::TypeRef;

/// An opaque value: its type (`opaque of md5`, …) and native state.
#[derive(Debug)]
pub struct OpaqueVal {
    pub ty: TypeRef,
    pub state: OpaqueState,
}

#[derive(Debug)]
pub enum OpaqueState {
    /// Incremental hash state: algorithm name and the bytes fed so far.
    Hash {
        algo: &'static str,
        data: Vec<u8>,
    },
    Other,
}

/// A `file` opened with `open()`.
#[derive(Debug)]
pub struct FileVal {
    pub name: String,
    pub handle: Option<std::fs::File>,
    pub raw: bool,
}
