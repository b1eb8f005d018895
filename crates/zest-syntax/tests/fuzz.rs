//! Deterministic mutation fuzzing of the lexer and the parser (stable Rust,
//! runs in CI): no input may panic or hang.
//!
//! Inputs are derived from the 443 library files with a fixed seed: windows
//! of a file with random byte edits, dictionary fragments, token and line
//! splices from other files, duplications and truncations; and whole files
//! cut at a line end. `ZEST_FUZZ_CASES` sets the number of cases (default
//! 1,000,000 in release builds, 20,000 in debug builds);
//! `ZEST_FUZZ_SEED` changes the seed.
//!
//! A panic is minimized and reported with the input. A case running for
//! more than `HANG_SECONDS`, or a process growing past `MAX_RSS_BYTES`
//! (Linux), aborts the process with the input (the
//! top-level recovery loop that never ended on `print 1;\nglobal x = 1;`
//! was found this way).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zest_syntax::lexer::Lexer;
use zest_syntax::token::Tok;

/// A case running longer than this is a hang.
const HANG_SECONDS: u64 = 10;

/// A process larger than this is a runaway case (checked where
/// `/proc/self/statm` exists).
const MAX_RSS_BYTES: u64 = 2 << 30;

/// The resident set size, where the system tells it.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

const DEFAULT_SEED: u64 = 0x5EED_2E57;

// ------------------------------------------------------------------ rng

/// splitmix64: small, fast, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

// ------------------------------------------------------------------ inputs

/// Fragments that steer mutations towards the scanner's and the grammar's
/// corners.
const DICTIONARY: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    ":",
    "::",
    "$",
    "?$",
    "=",
    "+=",
    "-=",
    "!",
    "!in",
    "! in",
    "|",
    "&",
    "&&",
    "||",
    "<",
    "<=",
    "==",
    "!=",
    "++",
    "--",
    "/",
    "*",
    "%",
    "?",
    "~",
    "^",
    "<<",
    ">>",
    "\"",
    "\"\\x",
    "\"\\0",
    "\\",
    "/a/",
    "/a/ii",
    "/a",
    "#",
    "##",
    "##<",
    "##!",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "@if ( T )\n",
    "@if ( F )\n",
    "@if (",
    "@ifdef ( x )\n",
    "@ifndef ( x )\n",
    "@else\n",
    "@endif\n",
    "@load foo\n",
    "@load-sigs x\n",
    "@load-plugin\n",
    "@unload\n",
    "@prefixes += a\n",
    "@prefixes",
    "@deprecated \"x\"\n",
    "@deprecated",
    "@DIR",
    "@FILENAME",
    "@debug",
    "@unknown",
    "@",
    "1.2.3.4",
    "1.2.3.4/33",
    "1.2.3.4/",
    "[::1]",
    "[::1]/129",
    "[fe80::1%eth0]",
    "[::",
    "80/tcp",
    "70000/tcp",
    "300/icmp",
    "9/unknown",
    "0x",
    "0xfg",
    "1e",
    "1e+",
    "1.",
    ".5",
    "5 min",
    "5min",
    "1 usecs",
    "99999999999999999999",
    "T",
    "F",
    "www.example.com",
    "a.b",
    "1a.b",
    "module",
    "export",
    "global",
    "const",
    "option",
    "redef",
    "type",
    "record",
    "enum",
    "table",
    "set",
    "vector",
    "list",
    "of",
    "function",
    "event",
    "hook",
    "local",
    "print",
    "if",
    "else",
    "for",
    "while",
    "switch",
    "case",
    "default",
    "break",
    "next",
    "fallthrough",
    "return",
    "when",
    "timeout",
    "schedule",
    "add",
    "delete",
    "copy",
    "as",
    "is",
    "in",
    "any",
    "opaque",
    "file",
    "&default=",
    "&optional",
    "&log",
    "&redef",
    "&priority=",
    "&deprecated",
    "&deprecated=",
    "&nosuch",
    "x",
    "x::y",
    "x$y",
    "f()",
    "[$a=1]",
    "{ }",
    "( )",
    "#@no-test",
    "\u{feff}",
    "é",
    "\u{0}",
    "\u{7f}",
    "\u{2028}",
];

/// A random window of `src` of at most `max` bytes, usually starting at a
/// line start.
fn window<'s>(rng: &mut Rng, src: &'s [u8], max: usize) -> &'s [u8] {
    if src.is_empty() {
        return src;
    }
    let mut start = rng.below(src.len());
    if rng.chance(75) {
        while start > 0 && src[start - 1] != b'\n' {
            start -= 1;
        }
    }
    let n = 1 + rng.below(max.min(src.len() - start));
    &src[start..start + n]
}

/// Inserts a run of whole tokens lexed from another seed file.
fn splice_tokens(rng: &mut Rng, buf: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let other = &seeds[rng.below(seeds.len())];
    let Ok(text) = std::str::from_utf8(window(rng, other, 512)) else {
        return;
    };
    let mut lx = Lexer::new(text);
    let mut spans = Vec::new();
    while spans.len() < 256 {
        let t = lx.next_token();
        if t.tok == Tok::Eof {
            break;
        }
        spans.push(t.span);
    }
    if spans.is_empty() {
        return;
    }
    let first = rng.below(spans.len());
    let n = (1 + rng.below(8)).min(spans.len() - first);
    let mut frag = Vec::new();
    for s in &spans[first..first + n] {
        frag.extend_from_slice(&text.as_bytes()[s.range()]);
        frag.push(if rng.chance(80) { b' ' } else { b'\n' });
    }
    let i = rng.below(buf.len() + 1);
    buf.splice(i..i, frag);
}

/// One random edit of `buf`.
fn mutate(rng: &mut Rng, buf: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    const PUNCT: &[u8] = b" \t\r\n{}()[];,:$/\"#@&|!=<>+-*%?~^\\.0";
    let len = buf.len();
    match rng.below(10) {
        // Replace or insert one byte.
        0 => {
            let b = match rng.below(3) {
                0 => rng.below(256) as u8,
                1 => PUNCT[rng.below(PUNCT.len())],
                _ => b'a' + rng.below(26) as u8,
            };
            if len > 0 && rng.chance(50) {
                let i = rng.below(len);
                buf[i] = b;
            } else {
                let i = rng.below(len + 1);
                buf.insert(i, b);
            }
        }
        // Delete a short range.
        1 if len > 0 => {
            let i = rng.below(len);
            let n = (1 + rng.below(16)).min(len - i);
            buf.drain(i..i + n);
        }
        // Insert a dictionary fragment.
        2 | 3 => {
            let frag = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
            let i = rng.below(len + 1);
            buf.splice(i..i, frag.iter().copied());
        }
        // Splice lines of another file in, replacing a range or not.
        4 | 5 => {
            let other = &seeds[rng.below(seeds.len())];
            let frag = window(rng, other, 256).to_vec();
            let i = rng.below(len + 1);
            let n = if rng.chance(50) {
                rng.below(64).min(len - i)
            } else {
                0
            };
            buf.splice(i..i + n, frag);
        }
        // Splice whole tokens of another file in.
        6 => splice_tokens(rng, buf, seeds),
        // Truncate.
        7 if len > 0 => {
            let i = rng.below(len);
            buf.truncate(i);
        }
        // Duplicate a range.
        8 if len > 0 => {
            let i = rng.below(len);
            let n = (1 + rng.below(128)).min(len - i);
            let copy = buf[i..i + n].to_vec();
            let j = rng.below(len + 1);
            buf.splice(j..j, copy);
        }
        // Swap two bytes.
        _ if len > 1 => {
            let (i, j) = (rng.below(len), rng.below(len));
            buf.swap(i, j);
        }
        _ => buf.push(b'\n'),
    }
}

/// A fuzz case.
enum Case {
    /// A mutated window of a file: lexed on its own, then parsed.
    Mutated(String, bool),
    /// A file cut at a line end (from its start): every end-of-file error
    /// path.
    Truncated(String, bool),
}

impl Case {
    fn text(&self) -> &str {
        match self {
            Case::Mutated(s, _) | Case::Truncated(s, _) => s,
        }
    }
}

/// Case number `n` of the run seeded with `seed` (cases are independent,
/// so any one can be rebuilt).
fn make_case(seed: u64, n: u64, seeds: &[Vec<u8>]) -> Case {
    let mut rng = Rng::new(seed ^ n.wrapping_mul(0xD134_2543_DE82_EF95));
    let file = &seeds[rng.below(seeds.len())];
    let take = rng.chance(50);
    if rng.chance(20) {
        // Cut within the first 16 KiB (a few files are far larger).
        let mut cut = rng.below(file.len().min(16 * 1024) + 1);
        while cut > 0 && cut < file.len() && file[cut - 1] != b'\n' {
            cut += 1;
        }
        return Case::Truncated(String::from_utf8_lossy(&file[..cut]).into_owned(), take);
    }
    let mut buf = if rng.chance(10) && file.len() <= 16 * 1024 {
        file.clone()
    } else {
        window(&mut rng, file, 2048).to_vec()
    };
    for _ in 0..1 + rng.below(8) {
        mutate(&mut rng, &mut buf, seeds);
    }
    let text = match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Case::Mutated(text, take)
}

// ------------------------------------------------------------------ running

/// Lexes all of `src`; every token must advance.
fn lex_all(src: &str) {
    let mut lx = Lexer::new(src);
    let mut n = 0usize;
    loop {
        let t = lx.next_token();
        if t.tok == Tok::Eof {
            break;
        }
        assert!(t.span.start <= t.span.end && t.span.end as usize <= src.len());
        n += 1;
        assert!(n <= src.len() + 1, "the lexer does not advance");
    }
}

/// Parses all of `src`, touching everything a caller would.
fn parse_all(src: &str, take: bool) {
    let parsed = zest_syntax::parse_file(src, take);
    let idx = zest_syntax::LineIndex::new(src);
    for e in &parsed.errors {
        assert!(e.span.start <= e.span.end && e.span.end as usize <= src.len());
        let _ = idx.line(e.span.start);
        let _ = e.zeek_message("x.zeek");
        let _ = e.label();
    }
    for d in &parsed.decls {
        assert!(
            d.span.end as usize <= src.len(),
            "declaration span past the end"
        );
    }
}

/// What a case does. Panics are the failures.
fn run_case(case: &Case) {
    match case {
        Case::Mutated(text, take) => {
            lex_all(text);
            parse_all(text, *take);
        }
        Case::Truncated(text, take) => parse_all(text, *take),
    }
}

fn panics(case: &Case) -> bool {
    catch_unwind(AssertUnwindSafe(|| run_case(case))).is_err()
}

/// Shrinks a panicking input: removes chunks (halving their size) and then
/// single characters while the case still panics.
fn minimize(case: &Case) -> String {
    let rebuild = |s: String| match case {
        Case::Mutated(_, t) => Case::Mutated(s, *t),
        Case::Truncated(_, t) => Case::Truncated(s, *t),
    };
    let mut cur: Vec<char> = case.text().chars().collect();
    let mut chunk = cur.len().max(1);
    let mut budget = 20_000;
    while chunk >= 1 && budget > 0 {
        let mut i = 0;
        let mut shrunk = false;
        while i < cur.len() && budget > 0 {
            budget -= 1;
            let mut cand = cur.clone();
            cand.drain(i..(i + chunk).min(cur.len()));
            if panics(&rebuild(cand.iter().collect())) {
                cur = cand;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if !shrunk {
            chunk /= 2;
        }
    }
    cur.into_iter().collect()
}

fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            library_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "zeek") {
            out.push(p);
        }
    }
}

fn zeek_dist() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.replace('_', "");
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

#[test]
fn fuzz_lexer_and_parser() {
    let default_cases = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    };
    let cases = env_u64("ZEST_FUZZ_CASES").unwrap_or(default_cases);
    let seed = env_u64("ZEST_FUZZ_SEED").unwrap_or(DEFAULT_SEED);

    let mut paths = Vec::new();
    library_files(&zeek_dist().join("scripts"), &mut paths);
    assert_eq!(
        paths.len(),
        443,
        "the Zeek 5.2.2 library has 443 .zeek files"
    );
    let seeds: Arc<Vec<Vec<u8>>> = Arc::new(
        paths
            .iter()
            .map(|p| std::fs::read(p).expect("readable library file"))
            .collect(),
    );

    // The watchdog: a case that does not finish in time is a hang.
    let current = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (current, done, seeds) = (current.clone(), done.clone(), seeds.clone());
        std::thread::spawn(move || {
            let mut last = (usize::MAX, Instant::now());
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let now = current.load(Ordering::Relaxed);
                if now != last.0 {
                    last = (now, Instant::now());
                }
                let why = if last.1.elapsed() > Duration::from_secs(HANG_SECONDS) {
                    format!("runs for more than {HANG_SECONDS} s")
                } else if rss_bytes().is_some_and(|r| r > MAX_RSS_BYTES) {
                    format!("grows the process past {} MiB", MAX_RSS_BYTES >> 20)
                } else {
                    continue;
                };
                let case = make_case(seed, now as u64, &seeds);
                eprintln!(
                    "fuzz case {now} (ZEST_FUZZ_SEED={seed:#x}) {why}; input:\n{:?}",
                    case.text()
                );
                std::process::abort();
            }
        })
    };

    let start = Instant::now();
    let mut failures = Vec::new();
    let mut bytes = 0usize;
    for n in 0..cases {
        current.store(n as usize, Ordering::Relaxed);
        let case = make_case(seed, n, &seeds);
        bytes += case.text().len();
        if panics(&case) {
            failures.push((n, case));
            if failures.len() >= 5 {
                break;
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    watchdog.join().expect("watchdog");
    let elapsed = start.elapsed();
    println!(
        "fuzz: {cases} cases ({:.1} MB) in {:.1} s, seed {seed:#x}, {} panics",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        failures.len()
    );

    if !failures.is_empty() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let report: Vec<String> = failures
            .iter()
            .map(|(n, case)| {
                let kind = match case {
                    Case::Mutated(_, take) => format!("mutated, @if taken: {take}"),
                    Case::Truncated(_, take) => format!("truncated, @if taken: {take}"),
                };
                format!("case {n} ({kind}): minimized input {:?}", minimize(case))
            })
            .collect();
        std::panic::set_hook(hook);
        panic!(
            "{} panicking inputs (ZEST_FUZZ_SEED={seed:#x}):\n{}",
            report.len(),
            report.join("\n")
        );
    }
}
