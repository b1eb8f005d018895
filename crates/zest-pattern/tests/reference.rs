//! The reference experiments run on Zeek 5.2.2 (`shared/zeek-5.2/reference/`): inputs from
//! the `.zeek` scripts, expected values from the recorded `.stdout`/`.stderr`/`.out`.

mod common;

use common::{and, lit, lit_i, or, show};
use zest_pattern::{DiagnosticKind, Pattern};

/// `semantics/render/atoms.zeek`, lines "pattern", "pattern escapes", "pattern merged".
#[test]
fn render_atoms() {
    assert_eq!(show(&lit("abc")), "/^?(abc)$?/");
    assert_eq!(show(&lit("a|b")), "/^?(a|b)$?/");
    assert_eq!(show(&lit("^x.*y$")), "/^?(^x.*y$)$?/");
    assert_eq!(show(&lit(r"[a-z]+\/[0-9]?")), r"/^?([a-z]+\/[0-9]?)$?/");
    assert_eq!(
        show(&or(&lit("a"), &lit("b"))),
        "/^?((^?(a)$?)|(^?(b)$?))$?/"
    );
    assert_eq!(
        show(&and(&lit("a"), &lit("b"))),
        "/^?((^?(a)$?)(^?(b)$?))$?/"
    );
    assert_eq!(show(&lit_i("foo")), "/(?i:^?(foo)$?)/");
    assert_eq!(show(&lit("(a|b)*c{2,3}")), "/^?((a|b)*c{2,3})$?/");

    assert_eq!(show(&lit(r"\x41\n\t")), r"/^?(\x41\n\t)$?/");
    assert_eq!(show(&lit(r"\.")), r"/^?(\.)$?/");
    assert_eq!(show(&lit("\"q\"")), "/^?(\"q\")$?/");

    let p = or(&lit("one"), &lit("two"));
    assert_eq!(show(&p), "/^?((^?(one)$?)|(^?(two)$?))$?/");
}

/// `semantics/render/to_json.zeek` and `fmt.zeek`: the pattern texts, and the field-name
/// escaping of `to_json` (`MatchAnywhere` on the name, then `sub` with an empty string).
#[test]
fn render_to_json_and_fmt() {
    assert_eq!(show(&lit(r"a.b\/c\.d[0-9]+")), r"/^?(a.b\/c\.d[0-9]+)$?/");
    assert_eq!(show(&lit("x")), "/^?(x)$?/");
    // Fields a, _underscore, logged: /^X/ escapes none; /d$/ turns `logged` into `logge`.
    for field in [&b"a"[..], b"_underscore", b"logged"] {
        assert!(!lit("^X").matches_anywhere(field));
    }
    let d = lit("d$");
    assert!(!d.matches_anywhere(b"a"));
    assert!(!d.matches_anywhere(b"_underscore"));
    assert!(d.matches_anywhere(b"logged"));
    assert_eq!(d.sub(b"logged", b""), b"logge");
}

/// `semantics/arith/in-operator.zeek`: `in` matches anywhere, `==` the whole string.
#[test]
fn arith_in_operator() {
    assert!(lit("b.d").matches_anywhere(b"abcde"));
    assert!(!lit("^b").matches_anywhere(b"abc"));
    assert!(!lit("x").matches_anywhere(b"abc"));
    assert!(lit("^a.*e$").matches_anywhere(b"abcde"));
    assert!(lit("abc").matches_exact(b"abc"));
    assert!(!lit("abc").matches_exact(b"abcd"));
    assert!(!lit("b").matches_exact(b"abc"));
}

/// `ordering/12-set-pattern.zeek`: the printed set members.
#[test]
fn ordering_set_pattern_texts() {
    assert_eq!(show(&lit("foo")), "/^?(foo)$?/");
    assert_eq!(show(&lit("[0-9]+")), "/^?([0-9]+)$?/");
    assert_eq!(show(&lit_i("x")), "/(?i:^?(x)$?)/");
    assert_eq!(show(&lit(".")), "/^?(.)$?/");
    assert_eq!(show(&lit("^start")), "/^?(^start)$?/");
    assert_eq!(show(&lit("end$")), "/^?(end$)$?/");
    // The set key is exact text NUL anywhere text NUL.
    assert_eq!(lit("foo").anywhere_text(), br"^?(.|\n)*(foo)");
}

/// `semantics/errors/pattern-quote.zeek`: a `"` starts a quoted string in Zeek's regex
/// syntax; the unterminated string fails, and the message quotes the anywhere text.
#[test]
fn errors_pattern_quote() {
    let err = Pattern::new(r#"a.b"c\\d"#, false).unwrap_err();
    assert!(err.is_fatal());
    let msgs: Vec<String> = err.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(msgs, [r#"error compiling pattern /^?(.|\n)*(a.b"c\\d)/"#]);
    assert_eq!(err.diagnostics[0].kind, DiagnosticKind::CompileFailed);
    // The value still renders its exact text.
    assert_eq!(show(&err.pattern), r#"/^?(a.b"c\\d)$?/"#);
}

/// `semantics/errors/runtime-catalog.zeek` case 18: `split_string1("a", /b/)` has one element.
#[test]
fn errors_split_string1_no_match() {
    assert_eq!(lit("b").split(b"a", false, 1), vec![&b"a"[..]]);
}

/// `ordering/24-word-count-default.zeek`: `split_string(text, / /)` word counts.
#[test]
fn ordering_word_count() {
    let text = b"the quick brown fox jumps over the lazy dog and the dog sleeps while the fox runs far away from the old barn where a cat and a cow and a horse live with many more animals such as goats sheep pigs ducks geese chickens turkeys rabbits mice rats owls bats bees ants flies worms snails frogs toads newts lizards snakes";
    let words = lit(" ").split(text, false, 0);
    let mut counts = std::collections::BTreeMap::new();
    for w in words {
        *counts.entry(w).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 51);
    assert_eq!(counts[&b"the"[..]], 5);
    assert_eq!(counts[&b"a"[..]], 3);
    assert_eq!(counts[&b"and"[..]], 3);
    assert_eq!(counts[&b"dog"[..]], 2);
    assert_eq!(counts[&b"fox"[..]], 2);
    assert_eq!(counts[&b"snakes"[..]], 1);
}

/// The unit tests in Zeek's `src/RE.cc` (tag v5.2.2), `TEST_SUITE("re_matcher")`.
#[test]
fn upstream_re_matcher_unit_tests() {
    let m = lit("[0-9]+");
    assert_eq!(m.exact_text(), b"^?([0-9]+)$?");
    assert_eq!(m.anywhere_text(), br"^?(.|\n)*([0-9]+)");
    assert!(m.matches_exact(b"12345"));
    assert!(!m.matches_exact(b"a12345"));
    assert_eq!(m.match_anywhere(b"a1234bcd"), 2);
    assert_eq!(m.match_anywhere(b"abcd"), 0);

    let m = lit_i("[a-z]+");
    assert_eq!(m.exact_text(), b"(?i:^?([a-z]+)$?)");
    assert!(m.matches_exact(b"abcDEF"));

    let m = Pattern::from_pats(&["[0-9]+", "[a-z]+"]).pattern;
    assert_eq!(m.exact_text(), b"(^?([0-9]+)$?)|(^?([a-z]+)$?)");
    assert!(m.matches_exact(b"abc"));
    assert!(m.matches_exact(b"123"));
    assert!(!m.matches_exact(b"abc123"));

    // MakeCaseInsensitive then AddPat: only reachable through stored texts.
    let m = Pattern::from_texts(
        "((?i:^?([a-m]+)$?))|(^?([n-z]+)$?)",
        r"((?i:^?(.|\n)*([a-m]+)))|(^?(.|\n)*([n-z]+))",
    )
    .into_result()
    .expect("compiles");
    assert!(m.matches_exact(b"aBc"));
    assert!(m.matches_exact(b"nop"));
    assert!(!m.matches_exact(b"NoP"));

    let m = common::lit_s(".*");
    assert_eq!(m.exact_text(), b"(?s:^?(.*)$?)");
    assert!(m.matches_exact(b"abc\ndef"));
    let m2 = common::lit_s("fOO.*bAR");
    assert_eq!(m2.exact_text(), b"(?s:^?(fOO.*bAR)$?)");
    let m3 = common::lit_s("b.r");
    assert!(m3.matches_exact(b"bar"));
    assert!(m3.matches_exact(b"b\nr"));

    let dj = or(&common::lit_s("a.c"), &lit("def"));
    assert!(dj.matches_exact(b"abc"));
    assert!(dj.matches_exact(b"a.c"));
    assert!(dj.matches_exact(b"a\nc"));
    assert!(dj.matches_exact(b"def"));
}

/// Patterns are shared between threads (global constants, Broker) and cheap to clone.
#[test]
fn pattern_is_send_sync_and_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Pattern>();
    let p = lit("a+");
    let q = p.clone();
    assert_eq!(p, q);
    let handle = std::thread::spawn(move || q.matches_exact(b"aaa"));
    assert!(handle.join().expect("thread"));
    assert!(p.matches_exact(b"a"));
}
