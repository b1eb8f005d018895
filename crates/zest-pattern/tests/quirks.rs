//! Behaviour pinned from reading Zeek 5.2.2's source (`src/RE.cc`, `src/re-scan.l`,
//! `src/re-parse.y`, `src/strings.bif`, `src/zeek.bif`), for cases no recorded Zeek output
//! covers. Each test names the code path it follows; none of the expectations comes from
//! running this crate.

mod common;

use common::{lit, lit_i, show};
use zest_pattern::{convert_for_pattern, DiagnosticKind, Modes, Pattern};

fn messages(text: &str, ci: bool) -> Vec<String> {
    let modes = Modes {
        case_insensitive: ci,
        single_line: false,
    };
    Pattern::compile(text, modes)
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// `Specific_RE_Matcher::Match` only tests for acceptance after each byte and after EOL.
#[test]
fn match_anywhere_ignores_empty_match_before_first_byte() {
    assert!(!lit("x?").matches_anywhere(b""));
    assert!(lit("x?").matches_anywhere(b"b"));
    assert!(!lit("^").matches_anywhere(b"a"));
    assert!(lit("$").matches_anywhere(b""));
    assert!(lit("^$").matches_anywhere(b""));
}

/// `^` consumes the BOL symbol, which exists once, at the start.
#[test]
fn anchors_are_symbols() {
    assert!(!lit("^^a").matches_exact(b"a"));
    assert!(!lit("a^b").matches_anywhere(b"a^b ab"));
    assert!(lit("(^a)*").matches_exact(b"a"));
    assert!(!lit("(^a)*").matches_exact(b"aa"));
}

/// The class cache of `re-scan.l` is keyed by the class text, so a class written again
/// reuses the earlier object, case-insensitive or not. Letters under `(?i:` become `[c]`.
#[test]
fn class_cache_ignores_case_mode() {
    assert!(lit("(?i:a)[a]").matches_exact(b"aA"));
    assert!(!lit("[a](?i:a)").matches_exact(b"aA"));
    assert!(lit("[a](?i:a)").matches_exact(b"aa"));
}

/// The first `)` closing any `(?i:` group clears the global flag.
#[test]
fn nested_case_insensitive_groups() {
    assert!(lit("(?i:a(?i:b)c)").matches_exact(b"ABc"));
    assert!(!lit("(?i:a(?i:b)c)").matches_exact(b"ABC"));
    // Escapes are never case-folded outside a class.
    assert!(!lit_i(r"\x41").matches_exact(b"a"));
    assert!(lit_i(r"[\x41]").matches_exact(b"a"));
    // `[:upper:]` means `[:alpha:]` when case-insensitive.
    assert!(lit_i("[[:upper:]]").matches_exact(b"q"));
}

/// `re: re '|' series` needs a non-empty series after `|`; only the first may be empty.
#[test]
fn trailing_empty_alternative_fails() {
    assert_eq!(
        messages("a|", false),
        [r"error compiling pattern /^?(.|\n)*(a|)/"]
    );
    assert!(lit("(|a)b").matches_exact(b"b"));
}

/// `synerr` reports and goes on; the pattern still compiles (twice: anywhere, then exact).
#[test]
fn non_fatal_messages() {
    assert_eq!(
        messages("a{foo}b", false),
        [
            r"undefined definition (compiling pattern /^?(.|\n)*(a{foo}b)/)",
            r"undefined definition (compiling pattern /^?(a{foo}b)$?/)",
        ]
    );
    let c = Pattern::compile("a{foo}b", Modes::default());
    assert!(c.pattern.is_usable());
    assert!(c.pattern.matches_exact(b"ab"));

    assert_eq!(
        messages("[A-z]", true),
        [
            r"ambiguous case-insensitive character class (compiling pattern /(?i:^?(.|\n)*([A-z]))/)",
            r"ambiguous case-insensitive character class (compiling pattern /(?i:^?([A-z])$?)/)",
        ]
    );
    let c = Pattern::compile(r"\x4", Modes::default());
    let kinds: Vec<_> = c.diagnostics.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [DiagnosticKind::BadEscape, DiagnosticKind::BadEscape]
    );
    assert_eq!(c.diagnostics[0].to_string(), "bad hexadecimal escape: ");
    assert!(c.pattern.matches_exact(b"\x004"));
}

/// A byte above 127 is a negative `char`: `bad symbol`, and the parse stops.
#[test]
fn high_bytes_outside_classes_are_bad_symbols() {
    assert_eq!(
        messages("\u{e9}", false),
        [
            "bad symbol -61 (compiling pattern /^?(.|\\n)*(\u{e9})/)",
            "error compiling pattern /^?(.|\\n)*(\u{e9})/",
        ]
    );
    assert!(lit(r"\xe9").matches_exact(b"\xe9"));
}

/// A matcher without DFA: `MatchAll` is `n == 0`, `Match` is 1, `LongestMatch` is 0.
#[test]
fn failed_pattern_behaviour() {
    let c = Pattern::from_string(b"a\"", false);
    assert_eq!(
        c.diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [r#"error compiling pattern /^?(.|\n)*(a")/"#]
    );
    let p = c.pattern;
    assert!(!p.is_usable());
    assert_eq!(show(&p), "/^?(a\")$?/");
    assert!(p.matches_exact(b""));
    assert!(!p.matches_exact(b"x"));
    assert!(p.matches_anywhere(b"x"));
    assert_eq!(p.split(b"abc", false, 0), vec![&b"abc"[..]]);
    assert_eq!(p.find_last(b"abc"), Some(&b""[..]));
    assert!(p.find_all(b"abc").endless);
    assert_eq!(p.gsub(b"abc", b"x"), b"abc");
}

/// `find_all`: `t += n - 1; ++t` never advances past an empty match.
#[test]
fn find_all_on_empty_match_is_endless() {
    let r = lit("x*").find_all(b"xxab");
    assert_eq!(r.matches, vec![&b"xx"[..]]);
    assert!(r.endless);
    // Each offset tried is a line start for `^`.
    assert_eq!(lit("^a").find_all(b"aaa").matches, vec![&b"a"[..]; 3]);
}

/// Splitting and replacing skip empty matches and move on one byte.
#[test]
fn split_and_replace_skip_empty_matches() {
    assert_eq!(lit("x*").split(b"axb", false, 0), vec![&b"a"[..], b"b"]);
    assert_eq!(lit("x*").gsub(b"axxb", b"-"), b"a-b");
    assert_eq!(lit("b").split(b"ab", false, 0), vec![&b"a"[..], b""]);
    assert_eq!(lit("b").split(b"", false, 0), vec![&b""[..]]);
    // Zeek converts the count to a C int: 2^32 is 0 (no limit).
    assert_eq!(lit("b").split(b"abab", false, 1 << 32).len(), 3);
}

/// `PatternVal::AddTo` (`p += q`) starts from q's text.
#[test]
fn plus_assign_texts() {
    let p = lit("a").plus_assign(&lit("b")).pattern;
    assert_eq!(show(&p), "/(^?(^?(b)$?)$?)|(^?(^?(a)$?)$?)/");
    assert_eq!(
        p.anywhere_text(),
        br"(^?(.|\n)*(^?(b)$?))|(^?(.|\n)*(^?(a)$?))"
    );
    assert!(p.matches_exact(b"a") && p.matches_exact(b"b"));
}

/// Literal modes wrap `(?i:` first, then `(?s:`.
#[test]
fn both_modes() {
    let modes = Modes {
        case_insensitive: true,
        single_line: true,
    };
    let p = Pattern::with_modes("x.", modes).expect("compiles");
    assert_eq!(show(&p), "/(?s:(?i:^?(x.)$?))/");
    assert!(p.matches_exact(b"X\n"));
}

/// `to_pat_str` finds NUL in its list of specials (`strchr`), and the result is a C string.
#[test]
fn convert_for_pattern_stops_at_nul() {
    assert_eq!(convert_for_pattern(b"a.b\0c"), b"a\\.b\\");
    assert_eq!(
        show(&Pattern::from_string(b"ab\0c", false).pattern),
        "/^?(ab)$?/"
    );
}
