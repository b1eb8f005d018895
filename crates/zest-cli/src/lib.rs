//! The command lines: `zeek` (Zeek's, for btest suites and users) and
//! `zest` (Zest's own tools).

pub mod cluster;
pub mod zeek;
pub mod zest;
