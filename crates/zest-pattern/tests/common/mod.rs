//! Helpers shared by the conformance tests: build patterns the way Zeek scripts write them.
#![allow(dead_code)]

use zest_pattern::{Modes, Pattern};

/// `/text/`
pub fn lit(text: &str) -> Pattern {
    Pattern::new(text, false).unwrap_or_else(|e| panic!("/{text}/: {e}"))
}

/// `/text/i`
pub fn lit_i(text: &str) -> Pattern {
    Pattern::new(text, true).unwrap_or_else(|e| panic!("/{text}/i: {e}"))
}

/// `/text/s`
pub fn lit_s(text: &str) -> Pattern {
    let modes = Modes {
        case_insensitive: false,
        single_line: true,
    };
    Pattern::with_modes(text, modes).unwrap_or_else(|e| panic!("/{text}/s: {e}"))
}

/// `p1 & p2`
pub fn and(a: &Pattern, b: &Pattern) -> Pattern {
    a.and(b).into_result().expect("conjunction compiles")
}

/// `p1 | p2`
pub fn or(a: &Pattern, b: &Pattern) -> Pattern {
    a.or(b).into_result().expect("disjunction compiles")
}

/// `print p`
pub fn show(p: &Pattern) -> String {
    String::from_utf8(p.describe()).expect("ASCII pattern")
}

/// A vector of strings as Zeek prints it: `[a, b]`.
pub fn show_vec(v: &[&[u8]]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    format!("[{}]", items.join(", "))
}
