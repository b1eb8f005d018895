//! Built-in functions of group `conversion` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
