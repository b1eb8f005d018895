//! Built-in functions of group `json` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
