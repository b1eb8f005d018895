//! Zeek's language btests on patterns: inputs from the test scripts, expected values from
//! their baselines (`shared/zeek-5.2/btest/language/*pattern*` and `Baseline/language.*`).

mod common;

use common::{and, lit, lit_i, lit_s, or, show};

/// `language/pattern.zeek`: each `test_case(msg, expr)` prints PASS when `expr` is true;
/// the expected booleans are the PASS/FAIL column of `Baseline/language.pattern/out`.
#[test]
fn language_pattern() {
    let p1 = lit("foo|bar");
    let p2 = lit("oob");
    let p3 = lit("^oob");
    let p4 = lit("foo");

    let cases: Vec<(&str, bool, bool)> = vec![
        ("equality operator", p1.matches_exact(b"foo"), true),
        (
            "equality operator (order of operands)",
            p1.matches_exact(b"foo"),
            true,
        ),
        ("inequality operator", !p1.matches_exact(b"foobar"), true),
        (
            "inequality operator (order)",
            !p1.matches_exact(b"foobar"),
            true,
        ),
        ("in operator 1", p1.matches_anywhere(b"foobar"), true),
        ("in operator 2", p2.matches_anywhere(b"foobar"), true),
        ("!in operator", !p3.matches_anywhere(b"foobar"), true),
        (
            "& operator 1",
            and(&p1, &p2).matches_anywhere(b"baroob"),
            true,
        ),
        (
            "& operator 2",
            and(&p2, &p1).matches_anywhere(b"baroob"),
            false,
        ),
        (
            "| operator 1",
            or(&p1, &p2).matches_anywhere(b"lazybarlazy"),
            true,
        ),
        (
            "| operator 2",
            or(&p3, &p4).matches_anywhere(b"xoob"),
            false,
        ),
        ("/i 1", lit_i("fOO").matches_anywhere(b"xFoObar"), true),
        ("/i 2", lit_i("fOO").matches_exact(b"Foo"), true),
        (
            "/i quote 1",
            lit_i("\"fOO\"").matches_anywhere(b"xFoObar"),
            false,
        ),
        (
            "/i quote 2",
            lit_i("\"fOO\"").matches_anywhere(b"xfOObar"),
            true,
        ),
        (
            "case-sensitive 1",
            lit("fOO").matches_anywhere(b"xFoObar"),
            false,
        ),
        ("case-sensitive 2", lit("fOO").matches_exact(b"Foo"), false),
        ("case-sensitive 3", lit("fOO").matches_exact(b"fOO"), true),
        (
            "/i disj 1",
            or(&lit_i("bar"), &lit("bez")).matches_exact(b"bez"),
            true,
        ),
        (
            "/i disj 2",
            or(&lit_i("bar"), &lit("bez")).matches_exact(b"bEz"),
            false,
        ),
        (
            "/i disj 3",
            or(&lit_i("bar"), &lit("bez")).matches_exact(b"bar"),
            true,
        ),
        (
            "/i disj 4",
            or(&lit_i("bar"), &lit("bez")).matches_exact(b"bAr"),
            true,
        ),
        (
            "/i conj 1",
            and(&lit_i("bar"), &lit("bez")).matches_exact(b"barbez"),
            true,
        ),
        (
            "/i conj 2",
            and(&lit_i("bar"), &lit("bez")).matches_exact(b"barbEz"),
            false,
        ),
        (
            "/i conj 3",
            and(&lit_i("BAR"), &lit("bez")).matches_exact(b"barbEz"),
            false,
        ),
        (
            "/i conj 4",
            and(&lit_i("bar"), &lit("bez")).matches_exact(b"bArbez"),
            true,
        ),
        (
            "/i conj 5",
            and(&lit_i("BAR"), &lit("bez")).matches_exact(b"bArbez"),
            true,
        ),
        (
            "/i conj 6",
            and(&lit_i("bar"), &lit("bez")).matches_exact(b"bArbEz"),
            false,
        ),
        (
            "/i class 1",
            and(&lit_i("ba[0a-c99S-Z0]"), &lit("bEz")).matches_exact(b"bArbEz"),
            false,
        ),
        (
            "/i class 2",
            and(&lit_i("ba[0a-c99M-S0]"), &lit("bEz")).matches_exact(b"bArbEz"),
            true,
        ),
        (
            "(?i:) 1",
            lit("foo|(?i:bar)").matches_anywhere(b"xBAry"),
            true,
        ),
        (
            "(?i:) 2",
            lit("foo|(?i:bar)").matches_anywhere(b"xFOoy"),
            false,
        ),
        (
            "(?i:) 3",
            or(&lit("foo|(?i:bar)"), &lit_i("foo")).matches_anywhere(b"xFOoy"),
            true,
        ),
        (
            "/s missing",
            !lit("fOO.*bAR").matches_exact(b"fOOab\ncdbAR"),
            true,
        ),
        (
            "/s modifier",
            lit_s("fOO.*bAR").matches_exact(b"fOOab\ncdbAR"),
            true,
        ),
        (
            "/s disj",
            or(&lit_s("b.r"), &lit("bez")).matches_exact(b"b\nr"),
            true,
        ),
        (
            "/s conj",
            and(&lit_s("b.r"), &lit("bez")).matches_exact(b"b\nrbez"),
            true,
        ),
    ];
    for (msg, got, want) in cases {
        assert_eq!(got, want, "{msg}");
    }
}

/// `language/patterns-stored-in-containers.zeek`.
#[test]
fn patterns_stored_in_containers() {
    for (text, shown, found) in [
        ("a", "/^?(a)$?/", false),
        ("b", "/^?(b)$?/", false),
        ("o", "/^?(o)$?/", true),
    ] {
        let p = lit(text);
        assert_eq!(show(&p), shown);
        assert_eq!(p.matches_anywhere(b"foo"), found, "{text}");
    }
}

/// `language/table-pattern-index.zeek` (upstream btest at v5.2.2): the printed values.
#[test]
fn table_pattern_index() {
    assert_eq!(show(&lit("one|foo|bar")), "/^?(one|foo|bar)$?/");
    assert_eq!(show(&lit("two|oob")), "/^?(two|oob)$?/");
    assert_eq!(show(&lit("three|oob")), "/^?(three|oob)$?/");
    assert_eq!(show(&lit("four")), "/^?(four)$?/");
}
