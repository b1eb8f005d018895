//! Built-in functions of group `reporter` (see lib.rs for the grouping).

use crate::Bif;

pub static BIFS: &[Bif] = &[];
