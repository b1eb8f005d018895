//! Zeek's `pattern` type: its regular-expression dialect, texts and matching, on
//! regex-automata.
//!
//! Zeek 5.2 compiles patterns with its own flex/bison front end (`src/re-scan.l`,
//! `src/re-parse.y`) and matches them with its own lazily built DFA (`src/RE.cc`). This crate
//! reproduces both byte for byte:
//!
//! * `scan` and `parse`: a rule-for-rule emulation of the scanner and grammar, with the same
//!   messages (`error compiling pattern /…/`, `bad character class (compiling pattern /…/)`,
//!   …) and quirks (quoted literals, `(?i:`/`(?s:` groups, the class cache, escapes);
//! * `lower`: Zeek's `^` and `$` consume real BOL/EOL input symbols; the pattern is turned
//!   into byte-only regular expressions that mean exactly the same;
//! * `engine`: an anchored regex-automata lazy DFA stepped byte by byte, which gives Zeek's
//!   three primitives: whole-string match, first match anywhere, longest prefix match;
//! * [`Pattern`], the script-level value with both texts Zeek stores (`/abc/` prints as
//!   `/^?(abc)$?/`), the `&` / `|` / `+=` compositions, and the string BiFs built on it
//!   ([`Pattern::split`], [`Pattern::find_all`], [`Pattern::find_last`],
//!   [`Pattern::replace`], [`Pattern::match_pattern`], [`convert_for_pattern`]).
//!
//! Not reproduced: Zeek's `(?i:`/`(?s:` flags are process globals, so a pattern that fails
//! inside such a group leaves the *next* compiled pattern in that mode; here every
//! compilation starts clean. Where Zeek has undefined behaviour (a byte above 127 inside a
//! class or quoted string, an octal escape above `\401` inside a class) the byte value is
//! used or the symbol dropped. Group nesting beyond 500 levels and NFAs beyond 64 MiB (huge
//! `{n,m}` counts) fail with `error compiling pattern`. A `find_all` that Zeek would never
//! finish is reported as [`FindAll::endless`].
//!
//! ```
//! use zest_pattern::Pattern;
//!
//! let p = Pattern::new("foo|bar", false).unwrap();
//! assert_eq!(p.to_string(), "/^?(foo|bar)$?/");
//! assert!(p.matches_exact(b"foo"));
//! assert!(!p.matches_exact(b"foobar"));
//! assert!(p.matches_anywhere(b"xbarx"));
//! assert_eq!(p.split(b"afoobbarc", false, 0), vec![&b"a"[..], b"b", b"c"]);
//!
//! let err = Pattern::new(r#"a.b"c\\d"#, false).unwrap_err();
//! assert_eq!(err.to_string(), r#"error compiling pattern /^?(.|\n)*(a.b"c\\d)/"#);
//! ```

mod bifs;
mod diag;
mod engine;
mod ir;
mod lower;
#[cfg(test)]
mod oracle;
mod parse;
mod pattern;
mod scan;

pub use bifs::{convert_for_pattern, FindAll, PatternMatch};
pub use diag::{Compiled, Diagnostic, DiagnosticKind, PatternError};
pub use pattern::{Modes, Pattern, PrefixMatcher};
