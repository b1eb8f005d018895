//! Snapshot tests over `testdata/syntax/`.
//!
//! * `invalid/NAME.zeek` + `invalid/NAME.errors`: the error lines Zeek 5.2
//!   prints for the input (`error in ./NAME.zeek, line N: …`), up to and
//!   including the first grammar error, where Zeek stops.
//! * `valid/NAME.zeek` + `valid/NAME.ast.json`: the input parses without
//!   error (every `@if` branch taken) and its `ParsedFile` serializes to the
//!   snapshot.
//!
//! A stale or missing snapshot fails the test; `ZEST_BLESS=1` rewrites them.
//! The `.errors` snapshots state Zeek's behaviour (docs/zeek-semantics.md
//! §4.3, btest baselines, `parse.y`/`scan.l`). Where the parser disagrees
//! today the fixture is listed in [`KNOWN_GAPS`]: its snapshot is never
//! blessed, and the test fails once the parser agrees (remove the entry).

use std::path::{Path, PathBuf};
use zest_syntax::{LineIndex, SyntaxError, SyntaxErrorKind};

/// Invalid fixtures where the parser's output differs from Zeek's, with the
/// difference.
const KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "directive-in-expr",
        "`@if` inside an expression is accepted; in Zeek the directive is a grammar token \
         allowed only where a declaration or statement (or a function body) may start",
    ),
    (
        "stray-else",
        "the `@endif` ending the text skipped after a stray `@else` is not reported as \
         `unbalanced @if... @endif`",
    ),
];

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/syntax")
}

fn bless() -> bool {
    std::env::var_os("ZEST_BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// The `.zeek` files of a fixture directory, sorted.
fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "zeek"))
        .collect();
    v.sort();
    v
}

/// Snapshot files without their `.zeek` input.
fn orphans(dir: &Path, suffix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("fixture dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(suffix) {
            if !dir.join(format!("{stem}.zeek")).exists() {
                out.push(name);
            }
        }
    }
    out
}

/// Zeek's stderr lines for the syntax errors of `src`, loaded as
/// `zeek ./NAME.zeek`: scanner errors and `@if` errors up to the first
/// grammar error, which ends parsing.
///
/// An end-of-file error has no location when it is the first error (Zeek's
/// `yywrap` has already closed the file); after an earlier error it keeps
/// the location of the last token (btest `language/unterminated-pattern`).
fn zeek_lines(src: &str, file: &str) -> String {
    let parsed = zest_syntax::parse_file(src, true);
    let idx = LineIndex::new(src);
    let display = format!("./{file}");
    let visible: &[SyntaxError] = match parsed.errors.iter().position(SyntaxError::is_fatal) {
        Some(i) => &parsed.errors[..=i],
        None => &parsed.errors,
    };
    let mut out = String::new();
    for (n, e) in visible.iter().enumerate() {
        let msg = e.zeek_message(&display);
        if e.kind == SyntaxErrorKind::UnexpectedEof {
            if n == 0 {
                out.push_str(&format!("error: {msg}\n"));
                continue;
            }
            let last = src.trim_end().len().saturating_sub(1) as u32;
            out.push_str(&format!(
                "error in {display}, line {}: {msg}\n",
                idx.line(last)
            ));
            continue;
        }
        let severity = if e.kind == SyntaxErrorKind::UnterminatedIf {
            "fatal error"
        } else {
            "error"
        };
        out.push_str(&format!(
            "{severity} in {display}, line {}: {msg}\n",
            idx.line(e.span.start)
        ));
    }
    out
}

/// JSON with every array or object that fits in 100 columns on one line
/// (spans, names, literals), the rest indented: small and diff-friendly.
fn compact_json(v: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let flat = serde_json::to_string(v).expect("json");
    if indent + flat.len() <= 100 || !(v.is_array() || v.is_object()) {
        out.push_str(&flat);
        return;
    }
    let pad = " ".repeat(indent + 2);
    let (open, close) = if v.is_array() { ('[', ']') } else { ('{', '}') };
    out.push(open);
    out.push('\n');
    let mut first = true;
    let mut item = |key: Option<&str>, x: &Value, out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push_str(",\n");
        }
        out.push_str(&pad);
        if let Some(k) = key {
            out.push_str(&serde_json::to_string(k).expect("json"));
            out.push_str(": ");
        }
        compact_json(x, indent + 2, out);
    };
    match v {
        Value::Array(a) => a.iter().for_each(|x| item(None, x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| item(Some(k), x, out)),
        _ => unreachable!(),
    }
    out.push('\n');
    out.push_str(&" ".repeat(indent));
    out.push(close);
}

fn name_of(p: &Path) -> String {
    p.file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn invalid_inputs_report_zeeks_errors() {
    let dir = testdata().join("invalid");
    let files = fixtures(&dir);
    assert!(files.len() >= 20, "expected ~20 invalid fixtures");
    let known: std::collections::BTreeMap<&str, &str> = KNOWN_GAPS.iter().copied().collect();
    let mut problems = Vec::new();
    for f in &files {
        let name = name_of(f);
        let file = format!("{name}.zeek");
        let src = std::fs::read_to_string(f).expect("utf-8 fixture");
        let got = zeek_lines(&src, &file);
        let snap = dir.join(format!("{name}.errors"));
        let want = std::fs::read_to_string(&snap).ok();
        if known.contains_key(name.as_str()) {
            // Never blessed: the snapshot states Zeek's output.
            match want {
                None => problems.push(format!("{name}: known gap without a snapshot")),
                Some(w) if w == got => problems.push(format!(
                    "{name}: FIXED (now matches Zeek); remove it from KNOWN_GAPS"
                )),
                Some(_) => {}
            }
            continue;
        }
        if got.is_empty() {
            problems.push(format!("{name}: the parser reports no error"));
            continue;
        }
        if want.as_deref() != Some(got.as_str()) {
            if bless() {
                std::fs::write(&snap, &got).expect("write snapshot");
            } else {
                problems.push(format!(
                    "{name}: snapshot {}\n--- expected (snapshot)\n{}--- got\n{}",
                    if want.is_some() { "differs" } else { "missing" },
                    want.unwrap_or_default(),
                    got
                ));
            }
        }
    }
    for k in known.keys() {
        if !files.iter().any(|f| name_of(f) == *k) {
            problems.push(format!("{k}: in KNOWN_GAPS but no such fixture"));
        }
    }
    for o in orphans(&dir, ".errors") {
        problems.push(format!("{o}: snapshot without input"));
    }
    assert!(
        problems.is_empty(),
        "{} problems (ZEST_BLESS=1 rewrites stale snapshots):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn valid_inputs_match_ast_snapshots() {
    let dir = testdata().join("valid");
    let files = fixtures(&dir);
    assert!(files.len() >= 10, "expected ~10 valid fixtures");
    let mut problems = Vec::new();
    for f in &files {
        let name = name_of(f);
        let src = std::fs::read_to_string(f).expect("utf-8 fixture");
        let parsed = zest_syntax::parse_file(&src, true);
        if !parsed.errors.is_empty() {
            problems.push(format!(
                "{name}: parse errors:\n{}",
                zeek_lines(&src, &format!("{name}.zeek"))
            ));
            continue;
        }
        let value = serde_json::to_value(&parsed).expect("serializable AST");
        let mut got = String::new();
        compact_json(&value, 0, &mut got);
        got.push('\n');
        let snap = dir.join(format!("{name}.ast.json"));
        let want = std::fs::read_to_string(&snap).ok();
        if want.as_deref() != Some(got.as_str()) {
            if bless() {
                std::fs::write(&snap, &got).expect("write snapshot");
            } else {
                problems.push(format!(
                    "{name}: AST snapshot {} ({})",
                    if want.is_some() { "differs" } else { "missing" },
                    snap.display()
                ));
            }
        }
    }
    for o in orphans(&dir, ".ast.json") {
        problems.push(format!("{o}: snapshot without input"));
    }
    assert!(
        problems.is_empty(),
        "{} problems (ZEST_BLESS=1 rewrites stale snapshots):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The syntax experiments run against Zeek 5.2.2 in the reference corpus
/// (`reference/semantics/errors/syntax-*.zeek` with their `.stderr`): the
/// syntax-level lines must match.
#[test]
fn reference_syntax_experiments() {
    let dist = match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    };
    let dir = dist.join("reference/semantics/errors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            n.starts_with("syntax-") && n.ends_with(".zeek")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no syntax experiments in {}",
        dir.display()
    );
    let syntax_level = [
        "syntax error",
        "unrecognized character",
        "pattern not terminated",
        "pattern has duplicate mode",
        "bad port number - ",
        "@else without @if",
        "unbalanced @if",
        "incorrect use of directive",
    ];
    let mut problems = Vec::new();
    for f in &files {
        let name = name_of(f);
        let known_gap = REFERENCE_GAPS.iter().any(|(k, _)| *k == name);
        let src = std::fs::read_to_string(f).expect("utf-8");
        let stderr = std::fs::read_to_string(f.with_extension("stderr")).expect("stderr");
        let want: String = stderr
            .lines()
            .filter(|l| {
                let msg = l.split_once(": ").map_or("", |(_, m)| m);
                syntax_level.iter().any(|s| msg.starts_with(s))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let got = zeek_lines(&src, &format!("{name}.zeek"));
        if known_gap && want == got {
            problems.push(format!(
                "{name}: FIXED (now matches Zeek); remove it from REFERENCE_GAPS"
            ));
        } else if !known_gap && want != got {
            problems.push(format!("{name}:\n--- Zeek\n{want}--- parser\n{got}"));
        }
    }
    for (k, _) in REFERENCE_GAPS {
        if !files.iter().any(|f| name_of(f) == *k) {
            problems.push(format!("{k}: in REFERENCE_GAPS but no such experiment"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Reference experiments the parser does not match yet (the same gaps as
/// the fixtures `unterminated-pattern` and `unterminated-string`).
const REFERENCE_GAPS: &[(&str, &str)] = &[];
