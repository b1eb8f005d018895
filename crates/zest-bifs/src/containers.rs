//! Built-in functions of group `containers` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
