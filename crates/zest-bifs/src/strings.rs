//! Built-in functions of group `strings` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
