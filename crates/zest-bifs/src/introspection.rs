//! Built-in functions of group `introspection` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
