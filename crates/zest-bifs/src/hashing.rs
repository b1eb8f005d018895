//! Built-in functions of group `hashing` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
