//! Every Zeek input of Zeek 5.2.2's own test suite (`btest/TESTS`) goes
//! through the parser.
//!
//! Inputs are extracted as btest does: a test file's `%INPUT` is its text
//! minus the `@TEST-START-FILE name` … `@TEST-END-FILE` blocks, each
//! `@TEST-START-NEXT` starts a further part (whose `%INPUT` is that section
//! and whose baseline is `Baseline/<test>-<N>`), and every embedded file is
//! written beside the test. `%INPUT` is parsed when a command runs `zeek` on
//! it; an embedded file is parsed when its name ends in `.zeek`, when a
//! `zeek` command names it, or when a parsed input `@load`s it.
//!
//! An input must parse without error, unless its baseline shows a syntax or
//! scanner error for it (`syntax error`, `unrecognized character`, `pattern
//! not terminated`, the `@if` directive errors, …): then the parser must
//! report exactly those messages, on the same lines, up to and including the
//! first grammar error (where Zeek stops).
//!
//! Constant `@if` conditions (`T`, `1==0`) are decided as Zeek decides them;
//! an input that must parse has to parse both with every other condition
//! (calls, globals, `@ifdef`) true and with all of them false.
//!
//! Known differences are listed in [`KNOWN_GAPS`]; the test fails both when
//! a new difference appears and when a listed one goes away.
//! `ZEST_BTEST_LIST=1` (with `--nocapture`) lists every input checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use zest_syntax::ast::{BinOp, Expr, ExprKind, Literal, UnOp};
use zest_syntax::{CondEval, LineIndex, Parser, Symbol, SyntaxError, SyntaxErrorKind};

/// Inputs where the parser's result differs from Zeek's today, by input key
/// (`<baseline name>` for a `%INPUT`, `<baseline name>:<file>` for an
/// embedded file), with the reason.
const KNOWN_GAPS: &[(&str, &str)] = &[
    // -- Zeek reports a semantic error first; a syntax-only parser cannot.
    (
        "language.invalid-hostnames",
        "`print0.0000000000005;`: Zeek stops at `unknown identifier print0` (a lookup during \
         parsing); without symbol tables the parser reports the syntax error after it",
    ),
    // -- Parser gaps (to be fixed in src/).
];

/// The messages of syntax-level errors, as Zeek's scanner and grammar print
/// them: a baseline line starting with one of these is compared.
const SYNTAX_MESSAGES: &[&str] = &[
    "syntax error",
    "unrecognized character",
    "pattern not terminated",
    "pattern has duplicate mode",
    "bad port number - ",
    "Bad IPAddr(",
    "Bad IP address",
    "bad octal escape",
    "bad hexadecimal escape",
    "@else without @if",
    "unbalanced @if",
    "incorrect use of directive",
];

fn zeek_dist() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    }
}

// ------------------------------------------------------------------ btest

/// One part of a test file (the text up to or between `@TEST-START-NEXT`).
struct Part {
    /// The `%INPUT` text.
    input: String,
    /// Its baseline directory name: `language.foo`, `language.foo-2`, ….
    baseline: String,
    /// The commands in force (`@TEST-EXEC`, `@TEST-EXEC-FAIL`).
    commands: Vec<String>,
}

/// A test file split as btest splits it.
struct TestFile {
    parts: Vec<Part>,
    /// Embedded files (shared by all parts): path as written, text.
    files: Vec<(String, String)>,
}

fn marker_arg<'l>(line: &'l str, marker: &str) -> Option<&'l str> {
    let i = line.find(marker)?;
    Some(&line[i + marker.len()..])
}

fn command_of(line: &str) -> Option<String> {
    let rest = marker_arg(line, "@TEST-EXEC")?;
    let rest = rest.strip_prefix("-FAIL").unwrap_or(rest);
    let rest = rest.strip_prefix(':')?;
    Some(rest.trim().to_owned())
}

/// `btest`'s `readTestFile`: a line state machine over the test file.
fn split_test(test: &str, text: &str) -> TestFile {
    let base = {
        let stem = test.rsplit_once('.').map_or(test, |(s, _)| s);
        stem.replace('/', ".")
    };
    let mut parts: Vec<Part> = Vec::new();
    let mut files = Vec::new();
    let mut content = String::new();
    let mut file: Option<(String, String)> = None;
    let finish = |content: &mut String, parts: &mut Vec<Part>| {
        let mut commands: Vec<String> = content.lines().filter_map(command_of).collect();
        if commands.is_empty() {
            if let Some(prev) = parts.last() {
                commands = prev.commands.clone();
            }
        }
        let n = parts.len() + 1;
        parts.push(Part {
            input: std::mem::take(content),
            baseline: if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            },
            commands,
        });
    };
    for line in text.split_inclusive('\n') {
        if let Some((name, body)) = &mut file {
            if line.contains("@TEST-END-FILE") {
                files.push((std::mem::take(name), std::mem::take(body)));
                file = None;
            } else {
                body.push_str(line);
            }
            continue;
        }
        if let Some(arg) = marker_arg(line, "@TEST-START-FILE") {
            let name = arg
                .trim_start_matches(' ')
                .split([' ', '\n', '\r'])
                .next()
                .unwrap_or("");
            file = Some((name.to_owned(), String::new()));
        } else if line.contains("@TEST-START-NEXT") {
            finish(&mut content, &mut parts);
        } else {
            content.push_str(line);
        }
    }
    if let Some(f) = file {
        files.push(f);
    }
    finish(&mut content, &mut parts);
    TestFile { parts, files }
}

/// The words of a shell command line (split at blanks, quotes and shell
/// punctuation).
fn words(cmd: &str) -> impl Iterator<Item = &str> {
    cmd.split(|c: char| c.is_whitespace() || "\"'();&|<>`".contains(c))
        .filter(|w| !w.is_empty())
}

fn runs_zeek(cmd: &str) -> bool {
    words(cmd).any(|w| w == "zeek" || w.ends_with("/zeek"))
}

/// Zeek options whose argument is not a script (`-G random.seed`).
const OPTIONS_WITH_ARG: &[&str] = &[
    "-G",
    "-H",
    "-r",
    "-w",
    "-i",
    "-s",
    "-f",
    "-x",
    "-p",
    "-U",
    "-X",
    "-e",
    "-t",
    "--load-seeds",
    "--save-seeds",
    "--readfile",
    "--writefile",
    "--iface",
    "--exec",
];

/// The words of a zeek command that name scripts to load.
fn script_args(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in words(cmd) {
        if std::mem::take(&mut skip) {
            continue;
        }
        if OPTIONS_WITH_ARG.contains(&w) {
            skip = true;
        } else if !w.starts_with('-') {
            out.push(w);
        }
    }
    out
}

fn normalize(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

// ------------------------------------------------------------------ baselines

/// One error line of a baseline: file name (canonicalized), line, message.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ErrLine {
    file: Option<String>,
    line: Option<u32>,
    msg: String,
}

/// Parses `error in FILE, line N: MSG` / `error: MSG` (also `fatal error`).
fn parse_error_line(l: &str) -> Option<ErrLine> {
    let rest = l
        .strip_prefix("error")
        .or_else(|| l.strip_prefix("fatal error"))?;
    if let Some(msg) = rest.strip_prefix(": ") {
        return Some(ErrLine {
            file: None,
            line: None,
            msg: msg.to_owned(),
        });
    }
    let rest = rest.strip_prefix(" in ")?;
    let at = rest.find(", line")?;
    let file = &rest[..at];
    let after = &rest[at + ", line".len()..];
    let after = after.strip_prefix('s').unwrap_or(after).trim_start();
    let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
    let line = digits.parse().ok()?;
    let colon = after.find(": ")?;
    Some(ErrLine {
        file: Some(file.to_owned()),
        line: Some(line),
        msg: after[colon + 2..].to_owned(),
    })
}

fn is_syntax_message(msg: &str) -> bool {
    SYNTAX_MESSAGES.iter().any(|m| msg.starts_with(m))
}

/// The syntax-level error lines of every file of one baseline directory.
fn baseline_errors(dir: &Path) -> Vec<ErrLine> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for l in text.lines() {
            if let Some(e) = parse_error_line(l) {
                // A message naming two files comes from parsing several
                // files in one run; each file alone is checked on its own.
                if is_syntax_message(&e.msg)
                    && !e.msg.contains("\" or end of file ")
                    && !out.contains(&e)
                {
                    out.push(e);
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------------ inputs

/// One Zeek input to parse.
struct Input {
    /// `language.foo-2` for a `%INPUT`, `language.foo:bar.zeek` for a file.
    key: String,
    /// How Zeek names it in messages (after btest's canonicalization).
    display: String,
    text: String,
    /// Syntax-level errors the baseline shows for it (empty: must parse).
    expected: Vec<ErrLine>,
}

fn collect_inputs(btest: &Path) -> (Vec<Input>, usize) {
    let tests = std::fs::read_to_string(btest.join("TESTS")).expect("btest/TESTS");
    let mut inputs = Vec::new();
    let mut n_tests = 0;
    for test in tests.lines().map(str::trim).filter(|l| !l.is_empty()) {
        n_tests += 1;
        let bytes = std::fs::read(btest.join(test)).unwrap_or_else(|e| panic!("{test}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        let tf = split_test(test, &text);
        let test_base = basename(test);
        let all_cmds: Vec<&String> = tf.parts.iter().flat_map(|p| &p.commands).collect();
        let zeek_cmds: Vec<&&String> = all_cmds.iter().filter(|c| runs_zeek(c)).collect();

        // Baseline errors per part, and those naming embedded files.
        let mut file_expect: BTreeMap<String, Vec<ErrLine>> = BTreeMap::new();
        let mut zeek_texts: Vec<&str> = Vec::new();
        let mut part_inputs = Vec::new();
        for part in &tf.parts {
            let errs = baseline_errors(&btest.join("Baseline").join(&part.baseline));
            let mut mine = Vec::new();
            for e in errs {
                let fname = e.file.as_deref().map(|f| normalize(basename(f)));
                let is_input = match &e.file {
                    // `error: … at end of file NAME`: the name is in the message.
                    None => e.msg.ends_with(&format!("/{test_base}")),
                    Some(_) => fname == Some(test_base),
                };
                if is_input {
                    mine.push(e);
                } else if let Some((f, _)) = tf.files.iter().find(|(f, _)| {
                    let b = basename(f);
                    fname == Some(b)
                        || (e.file.is_none() && e.msg.ends_with(&format!("/{}", normalize(f))))
                }) {
                    let v = file_expect.entry(f.clone()).or_default();
                    if !v.contains(&e) {
                        v.push(e);
                    }
                }
            }
            // `zeek … %INPUT`, or `%INPUT` copied to a `.zeek` file that a
            // zeek command then runs (`cat %INPUT | sed … >input.zeek`).
            let runs = part.commands.iter().any(|c| {
                c.contains("%INPUT")
                    && (runs_zeek(c)
                        || (!zeek_cmds.is_empty() && words(c).any(|w| w.ends_with(".zeek"))))
            });
            if runs {
                zeek_texts.push(&part.input);
                part_inputs.push(Input {
                    key: part.baseline.clone(),
                    display: format!("<...>/{test_base}"),
                    text: part.input.clone(),
                    expected: mine,
                });
            }
        }
        inputs.extend(part_inputs);

        // Embedded files: `.zeek`, named by a zeek command, or `@load`ed.
        let named = |f: &str| {
            let f = normalize(f);
            zeek_cmds.iter().any(|c| {
                script_args(c).into_iter().any(|w| {
                    let w = normalize(w.trim_start_matches("../"));
                    w == f || format!("{w}.zeek") == f
                })
            })
        };
        let mut chosen: BTreeSet<usize> = BTreeSet::new();
        for (i, (f, _)) in tf.files.iter().enumerate() {
            if f.ends_with(".zeek") || named(f) {
                chosen.insert(i);
            }
        }
        // `@load NAME` from any chosen input (to a fixed point).
        loop {
            let mut texts: Vec<&str> = zeek_texts.clone();
            texts.extend(chosen.iter().map(|&i| tf.files[i].1.as_str()));
            let loads: Vec<&str> = texts
                .iter()
                .flat_map(|t| t.lines())
                .filter_map(|l| {
                    let mut w = l.split_whitespace();
                    (w.next() == Some("@load")).then(|| w.next()).flatten()
                })
                .map(basename)
                .collect();
            let before = chosen.len();
            for (i, (f, _)) in tf.files.iter().enumerate() {
                let b = basename(f);
                if loads.iter().any(|l| *l == b || format!("{l}.zeek") == b) {
                    chosen.insert(i);
                }
            }
            if chosen.len() == before {
                break;
            }
        }
        let test_key = tf.parts[0].baseline.clone();
        for i in chosen {
            let (f, body) = &tf.files[i];
            inputs.push(Input {
                key: format!("{test_key}:{}", normalize(f)),
                display: format!("./{}", normalize(f)),
                text: body.clone(),
                expected: file_expect.remove(f).unwrap_or_default(),
            });
        }
    }
    (inputs, n_tests)
}

// ------------------------------------------------------------------ parsing

/// A value of a constant `@if` condition.
#[derive(PartialEq, PartialOrd)]
enum Const {
    Bool(bool),
    Count(u64),
    Str(Vec<u8>),
}

fn fold(e: &Expr) -> Option<Const> {
    Some(match &e.kind {
        ExprKind::Const(Literal::Bool(b)) => Const::Bool(*b),
        ExprKind::Const(Literal::Count(n)) => Const::Count(*n),
        ExprKind::Const(Literal::String(s)) => Const::Str(s.clone()),
        ExprKind::Paren(e) => fold(e)?,
        ExprKind::Unary(UnOp::Not, e) => match fold(e)? {
            Const::Bool(b) => Const::Bool(!b),
            _ => return None,
        },
        ExprKind::Binary(op, a, b) => {
            let (a, b) = (fold(a)?, fold(b)?);
            let same_kind = std::mem::discriminant(&a) == std::mem::discriminant(&b);
            match (op, &a, &b) {
                (BinOp::And, Const::Bool(x), Const::Bool(y)) => Const::Bool(*x && *y),
                (BinOp::Or, Const::Bool(x), Const::Bool(y)) => Const::Bool(*x || *y),
                (BinOp::Eq, ..) if same_kind => Const::Bool(a == b),
                (BinOp::Ne, ..) if same_kind => Const::Bool(a != b),
                (BinOp::Lt, ..) if same_kind => Const::Bool(a < b),
                (BinOp::Le, ..) if same_kind => Const::Bool(a <= b),
                (BinOp::Gt, ..) if same_kind => Const::Bool(a > b),
                (BinOp::Ge, ..) if same_kind => Const::Bool(a >= b),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Decides constant `@if` conditions (`T`, `1==0`) as Zeek does, and every
/// other condition (calls, globals, `@ifdef`) as `fallback` says.
struct FoldCond {
    fallback: bool,
}

impl CondEval for FoldCond {
    fn eval_if(&mut self, cond: &Expr, _locals: &[Symbol]) -> Option<bool> {
        match fold(cond) {
            Some(Const::Bool(b)) => Some(b),
            _ => Some(self.fallback),
        }
    }
    fn is_defined(&mut self, _name: Symbol) -> bool {
        self.fallback
    }
}

/// All errors of parsing `src`.
fn parse_errors(src: &str, fallback: bool) -> Vec<SyntaxError> {
    let mut p = Parser::new(src);
    let mut ev = FoldCond { fallback };
    while p.next_decl(&mut ev).is_some() {}
    p.errors()
}

// ------------------------------------------------------------------ checking

/// Zeek's rendering of an error. An end-of-file error is located, as in
/// Zeek, at the last token (approximated by the last non-blank character).
fn render(e: &SyntaxError, src: &str, idx: &LineIndex, display: &str) -> ErrLine {
    let at = if e.kind == SyntaxErrorKind::UnexpectedEof {
        src.trim_end().len().saturating_sub(1) as u32
    } else {
        e.span.start
    };
    ErrLine {
        file: Some(display.to_owned()),
        line: Some(idx.line(at)),
        msg: e.zeek_message(display),
    }
}

fn show(e: &ErrLine) -> String {
    match e.line {
        Some(l) => format!("line {l}: {}", e.msg),
        None => format!("(no line): {}", e.msg),
    }
}

/// The errors Zeek would print: everything up to the first grammar error.
fn zeek_visible(errors: &[SyntaxError]) -> &[SyntaxError] {
    match errors.iter().position(SyntaxError::is_fatal) {
        Some(i) => &errors[..=i],
        None => errors,
    }
}

/// Checks one input; `None` if it behaves as Zeek does.
fn check(input: &Input) -> Option<String> {
    let idx = LineIndex::new(&input.text);
    if input.expected.is_empty() {
        let mut problems = Vec::new();
        for take in [true, false] {
            let errors = parse_errors(&input.text, take);
            if let Some(e) = errors.first() {
                problems.push(format!(
                    "non-constant @if {}: unexpected error {}",
                    if take { "true" } else { "false" },
                    show(&render(e, &input.text, &idx, &input.display))
                ));
            }
        }
        return (!problems.is_empty()).then(|| problems.join("; "));
    }
    let errors = parse_errors(&input.text, true);
    let got: Vec<ErrLine> = zeek_visible(&errors)
        .iter()
        .map(|e| render(e, &input.text, &idx, &input.display))
        .collect();
    let matches = got.len() == input.expected.len()
        && got
            .iter()
            .zip(&input.expected)
            .all(|(g, x)| g.msg == x.msg && (x.line.is_none() || x.line == g.line));
    (!matches).then(|| {
        let fmt = |v: &[ErrLine]| {
            if v.is_empty() {
                "no error".to_owned()
            } else {
                v.iter().map(show).collect::<Vec<_>>().join(" | ")
            }
        };
        format!("expected [{}], got [{}]", fmt(&input.expected), fmt(&got))
    })
}

#[test]
fn btest_inputs_parse_as_in_zeek() {
    let btest = zeek_dist().join("btest");
    let (inputs, n_tests) = collect_inputs(&btest);
    assert_eq!(n_tests, 555, "Zeek 5.2.2's btest/TESTS lists 555 tests");

    let mut failures: BTreeMap<&str, String> = BTreeMap::new();
    let mut n_expected_errors = 0;
    for input in &inputs {
        if !input.expected.is_empty() {
            n_expected_errors += 1;
        }
        if let Some(why) = check(input) {
            failures.insert(&input.key, why);
        }
    }
    if std::env::var_os("ZEST_BTEST_LIST").is_some() {
        for i in &inputs {
            println!(
                "{} ({} lines, {} expected errors)",
                i.key,
                i.text.lines().count(),
                i.expected.len()
            );
        }
    }
    println!(
        "{} inputs from {n_tests} tests ({} expected to fail with a syntax error); \
         {} known gaps",
        inputs.len(),
        n_expected_errors,
        KNOWN_GAPS.len()
    );

    let known: BTreeMap<&str, &str> = KNOWN_GAPS.iter().copied().collect();
    assert_eq!(known.len(), KNOWN_GAPS.len(), "duplicate KNOWN_GAPS entry");
    let mut report = Vec::new();
    for (key, why) in &failures {
        if !known.contains_key(key) {
            report.push(format!("NEW FAILURE {key}: {why}"));
        }
    }
    for key in known.keys() {
        if !failures.contains_key(key) {
            if inputs.iter().any(|i| i.key == *key) {
                report.push(format!(
                    "FIXED {key}: now behaves as Zeek; remove it from KNOWN_GAPS"
                ));
            } else {
                report.push(format!(
                    "STALE {key}: no such input; remove it from KNOWN_GAPS"
                ));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} differences from the expected-failure list:\n{}\n\nall current failures:\n{}",
        report.len(),
        report.join("\n"),
        failures
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn btest_splitting_follows_btest() {
    let t = "# @TEST-EXEC: zeek -b %INPUT\n\
             a\n\
             @TEST-START-FILE x.zeek\n\
             x1\n\
             @TEST-END-FILE\n\
             b\n\
             @TEST-START-NEXT\n\
             c\n";
    let tf = split_test("language/foo.zeek", t);
    assert_eq!(tf.parts.len(), 2);
    assert_eq!(tf.parts[0].input, "# @TEST-EXEC: zeek -b %INPUT\na\nb\n");
    assert_eq!(tf.parts[0].baseline, "language.foo");
    assert_eq!(tf.parts[1].input, "c\n");
    assert_eq!(tf.parts[1].baseline, "language.foo-2");
    assert_eq!(tf.parts[1].commands, vec!["zeek -b %INPUT".to_owned()]);
    assert_eq!(tf.files, vec![("x.zeek".to_owned(), "x1\n".to_owned())]);

    let e = parse_error_line("error in <...>/a.zeek, line 5: syntax error, at or near \",\"")
        .expect("an error line");
    assert_eq!(e.file.as_deref(), Some("<...>/a.zeek"));
    assert_eq!(e.line, Some(5));
    assert_eq!(e.msg, "syntax error, at or near \",\"");
    let e = parse_error_line("error: syntax error, at end of file ./a.zeek").expect("eof");
    assert_eq!((e.file, e.line), (None, None));
}
