//! Zeek's BiF btests on pattern functions: inputs from the test scripts
//! (`shared/zeek-5.2/btest/bifs/`, and upstream v5.2.2 tests where noted), expected values
//! from their baselines.

mod common;

use common::{lit, show, show_vec};
use zest_pattern::{convert_for_pattern, Pattern};

/// `bifs/split_string.zeek`.
#[test]
fn split_string() {
    let a = b"this is a test";
    let pat = lit("hi|es");
    let lines = |v: Vec<&[u8]>| {
        v.iter()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(pat.split(a, false, 0)), ["t", "s is a t", "t"]);
    assert_eq!(lines(pat.split(a, false, 1)), ["t", "s is a test"]);
    assert_eq!(
        lines(pat.split(a, true, 0)),
        ["t", "hi", "s is a t", "es", "t"]
    );
    assert_eq!(lines(pat.split(a, false, 1)), ["t", "s is a test"]);
    assert_eq!(lines(pat.split(a, true, 1)), ["t", "hi", "s is a test"]);

    let a = b"X-Mailer: Testing Test (http://www.example.com)";
    let pat = lit(":[[:blank:]]*");
    assert_eq!(
        lines(pat.split(a, false, 1)),
        ["X-Mailer", "Testing Test (http://www.example.com)"]
    );

    let a = b"A = B = C = D";
    let pat = lit("=");
    assert_eq!(
        lines(pat.split(a, true, 0)),
        ["A ", "=", " B ", "=", " C ", "=", " D"]
    );
}

/// `bifs/find_all.zeek` (the length limit is the caller's business).
#[test]
fn find_all() {
    let a = b"this is a test";
    let found = lit("hi|es").find_all(a);
    assert!(!found.endless);
    let mut set: Vec<&[u8]> = found.matches;
    set.sort();
    set.dedup();
    assert_eq!(set, vec![&b"es"[..], b"hi"]);
    assert_eq!(lit("aa|bb").find_all(a).matches.len(), 0);
}

/// `bifs/find_all_ordered.zeek`.
#[test]
fn find_all_ordered() {
    let pat = lit("[a-z]+");
    let cases: [(&[u8], &str); 8] = [
        (b"this is a test", "[this, is, a, test]"),
        (
            b"one two three four one two three four",
            "[one, two, three, four, one, two, three, four]",
        ),
        (
            b"this is a test test test",
            "[this, is, a, test, test, test]",
        ),
        (b"1 2 3 4", "[]"),
        (b"a b", "[a, b]"),
        (b"foo", "[foo]"),
        (b"1bar2foo3", "[bar, foo]"),
        (b"", "[]"),
    ];
    for (input, want) in cases {
        assert_eq!(show_vec(&pat.find_all(input).matches), want);
    }
}

/// `bifs/find_last.zeek` (upstream v5.2.2).
#[test]
fn find_last() {
    let a = b"this is a test";
    assert_eq!(lit("hi|es").find_last(a), Some(&b"es"[..]));
    assert_eq!(lit("aa|bb").find_last(a).unwrap_or_default().len(), 0);
}

/// `bifs/sub.zeek`.
#[test]
fn sub_and_gsub() {
    let a = b"this is a test";
    let pat = lit("is|ss");
    assert_eq!(pat.sub(a, b"at"), b"that is a test");
    assert_eq!(pat.gsub(a, b"at"), b"that at a test");
}

/// `bifs/string_to_pattern.zeek`.
#[test]
fn string_to_pattern() {
    let cases: [(&[u8], bool, &str); 6] = [
        (b"foo", false, "/^?(foo)$?/"),
        (b"", false, "/^?()$?/"),
        (b"b[a-z]+", false, "/^?(b[a-z]+)$?/"),
        (b"foo", true, "/^?(foo)$?/"),
        (b"", true, "/^?()$?/"),
        (b"b[a-z]+", true, "/^?(b\\[a\\-z\\]\\+)$?/"),
    ];
    for (s, convert, want) in cases {
        let c = Pattern::from_string(s, convert);
        assert!(c.diagnostics.is_empty());
        assert_eq!(show(&c.pattern), want);
    }
}

/// `bifs/convert_for_pattern.zeek`.
#[test]
fn convert_for_pattern_bif() {
    assert_eq!(convert_for_pattern(b"foo"), b"foo");
    assert_eq!(convert_for_pattern(b""), b"");
    assert_eq!(convert_for_pattern(b"b[a-z]+"), b"b\\[a\\-z\\]\\+");
}

/// `scripts/base/utils/pattern.test` (upstream v5.2.2): `set_to_regex` is
/// `string_to_pattern(sub(pat, /~~/, joined), F)`; the joined alternatives are taken from the
/// printed result (their order comes from set iteration).
#[test]
fn utils_pattern() {
    let joined = b"blarg|blah|bleh";
    let tilde = lit("~~");
    let r1 = Pattern::from_string(&tilde.sub(b"(~~)", joined), false).pattern;
    let r2 = Pattern::from_string(&tilde.sub(b"foo(~~)bar", joined), false).pattern;
    assert_eq!(show(&r1), "/^?((blarg|blah|bleh))$?/");
    assert!(r1.matches_exact(b"blah"));
    assert_eq!(show(&r2), "/^?(foo(blarg|blah|bleh)bar)$?/");
    assert!(r2.matches_exact(b"fooblargbar"));

    let m = r1.match_pattern(b"123blah123");
    assert_eq!((m.matched, m.str, m.off), (true, &b"blah"[..], 4));
    let m = r1.match_pattern(b"no match here");
    assert_eq!((m.matched, m.str, m.off), (false, &b""[..], 0));
}

/// The URL regex of `base/utils/urls.zeek` with `find_all` (`scripts/base/utils/urls.test`,
/// upstream v5.2.2). `^` matches at every offset `find_all` tries.
#[test]
fn utils_find_all_urls() {
    let url_regex =
        lit(r"^([a-zA-Z\-]{3,5}):\/\/(-\.)?([^[:blank:]\/?\.#-]+\.?)+(\/[^[:blank:]]*)?");
    let mut got = url_regex
        .find_all(b"https://example1.com testing https://example2.com")
        .matches;
    got.sort();
    assert_eq!(
        got,
        vec![&b"https://example1.com"[..], b"https://example2.com"]
    );
    let mut got = url_regex
        .find_all(b"https://example1.com/?test=1 testing https://example2.com/?test=2")
        .matches;
    got.sort();
    assert_eq!(
        got,
        vec![
            &b"https://example1.com/?test=1"[..],
            b"https://example2.com/?test=2"
        ]
    );
}

/// `decompose_uri` of `base/utils/urls.zeek`, transcribed onto this crate's BiF helpers, on
/// the inputs of `scripts/base/utils/urls.test` (upstream v5.2.2) with the baseline's fields.
#[test]
fn utils_decompose_uri() {
    #[derive(Debug, Default, PartialEq)]
    struct Uri {
        scheme: Option<String>,
        netlocation: String,
        portnum: Option<String>,
        path: String,
        file_name: Option<String>,
        file_base: Option<String>,
        file_ext: Option<String>,
        params: Option<Vec<(String, String)>>,
    }
    fn st(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }
    fn decompose(uri: &[u8]) -> Uri {
        let mut u = Uri {
            path: "/".into(),
            ..Uri::default()
        };
        let mut s = uri.to_vec();
        if lit(r"\?").matches_anywhere(&s) {
            let mut params = Vec::new();
            let parts = lit(r"\?").split(&s, false, 1);
            let (head, query) = (parts[0].to_vec(), parts[1].to_vec());
            s = head;
            if lit("&").matches_anywhere(&query) {
                for opv in lit("&").split(&query, false, 0) {
                    if lit("=").matches_anywhere(opv) {
                        let kv = lit("=").split(opv, false, 1);
                        params.push((st(kv[0]), st(kv[1])));
                    }
                }
            } else if lit("=").matches_anywhere(&query) {
                let kv = lit("=").split(&query, false, 1);
                params.push((st(kv[0]), st(kv[1])));
            }
            u.params = Some(params);
        }
        if lit(r":\/\/").matches_anywhere(&s) {
            let parts = lit(r":\/\/").split(&s, false, 1);
            u.scheme = Some(st(parts[0]));
            s = parts[1].to_vec();
        }
        if lit(r"\/").matches_anywhere(&s) {
            let parts = lit(r"\/").split(&s, false, 1);
            let rest = parts[1].to_vec();
            s = parts[0].to_vec();
            u.path = format!("/{}", st(&rest));
            if u.path.len() > 1 && !u.path.ends_with('/') {
                let path = u.path.clone().into_bytes();
                let last_token = lit(r"\/.+").find_last(&path).unwrap_or_default();
                let full = lit(r"\/").split(last_token, false, 1)[1];
                u.file_name = Some(st(full));
                if lit(r"\.").matches_anywhere(full) {
                    let p = lit(r"\.").split(full, false, 1);
                    u.file_base = Some(st(p[0]));
                    u.file_ext = Some(st(p[1]));
                } else {
                    u.file_base = Some(st(full));
                }
            }
        }
        if lit(":").matches_anywhere(&s) {
            let parts = lit(":").split(&s, false, 1);
            u.netlocation = st(parts[0]);
            if !parts[1].is_empty() {
                u.portnum = Some(st(parts[1]));
            }
        } else {
            u.netlocation = st(&s);
        }
        u
    }
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        decompose(b"https://www.example.com/"),
        Uri {
            scheme: some("https"),
            netlocation: "www.example.com".into(),
            path: "/".into(),
            ..Uri::default()
        }
    );
    assert_eq!(
        decompose(b"http://example.com:99/test//?foo=bar"),
        Uri {
            scheme: some("http"),
            netlocation: "example.com".into(),
            portnum: some("99"),
            path: "/test//".into(),
            params: Some(vec![("foo".into(), "bar".into())]),
            ..Uri::default()
        }
    );
    assert_eq!(
        decompose(b"ftp://1.2.3.4/pub/files/something.exe"),
        Uri {
            scheme: some("ftp"),
            netlocation: "1.2.3.4".into(),
            path: "/pub/files/something.exe".into(),
            file_name: some("something.exe"),
            file_base: some("something"),
            file_ext: some("exe"),
            ..Uri::default()
        }
    );
    assert_eq!(
        decompose(b"http://hyphen-example.com/index.asp?q=123"),
        Uri {
            scheme: some("http"),
            netlocation: "hyphen-example.com".into(),
            path: "/index.asp".into(),
            file_name: some("index.asp"),
            file_base: some("index"),
            file_ext: some("asp"),
            params: Some(vec![("q".into(), "123".into())]),
            ..Uri::default()
        }
    );
    assert_eq!(
        decompose(b"git://git.kernel.org:/pub/scm/linux/"),
        Uri {
            scheme: some("git"),
            netlocation: "git.kernel.org".into(),
            path: "/pub/scm/linux/".into(),
            ..Uri::default()
        }
    );
    assert_eq!(
        decompose(b"dfasjdfasdfasdf?asd"),
        Uri {
            netlocation: "dfasjdfasdfasdf".into(),
            path: "/".into(),
            params: Some(vec![]),
            ..Uri::default()
        }
    );
}
