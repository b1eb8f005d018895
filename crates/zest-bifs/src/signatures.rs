//! Zeek's signature files (`@load-sigs`, `zeek -s`), as far as a runtime
//! without packet analysis uses them: the `file-magic`/`file-mime`
//! signatures file analysis detects MIME types with
//! ([`crate::file_analysis`]), and the matcher count of
//! `get_matcher_stats`.
//!
//! The files are read when first needed. Each `signature NAME { … }` block
//! gives its header tests (`src-ip`, `dst-port`, `ip-proto`, `header`, …),
//! its patterns by type (`payload`, `file-magic`, `http-request`, …) and
//! its `file-mime` type and strength.

use zest_runtime::Interp;
use zest_syntax::Symbol;

/// Pattern keywords of Zeek's signature language (`Rule::PatternType`).
const PATTERN_TYPES: &[&str] = &[
    "file-magic",
    "payload",
    "http-request",
    "http-request-header",
    "http-request-body",
    "http-reply-header",
    "http-reply-body",
    "ftp",
    "finger",
];

/// Header-test keywords: a signature with them hangs below the root of
/// Zeek's rule tree.
const HEADER_TESTS: &[&str] = &[
    "src-ip", "dst-ip", "src-port", "dst-port", "ip-proto", "header",
];

pub(crate) struct Sig {
    /// The header tests as written (whitespace normalized).
    hdr: Vec<String>,
    /// (pattern type, regular expression text).
    pub(crate) patterns: Vec<(&'static str, Vec<u8>)>,
    /// The `file-mime` action: strength and type.
    pub(crate) mime: Option<(i64, Vec<u8>)>,
}

#[derive(Default)]
struct Sigs {
    loaded: bool,
    sigs: Vec<Sig>,
}

const KEY: &str = "signatures";

/// The regular expression of a `/…/` value, without its slashes.
fn regex_text(rest: &[u8]) -> Option<Vec<u8>> {
    if rest.first() != Some(&b'/') {
        return None;
    }
    let mut i = 1;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'/' => return Some(rest[1..i].to_vec()),
            _ => i += 1,
        }
    }
    None
}

pub(crate) fn parse_file(text: &[u8], out: &mut Vec<Sig>) {
    let mut cur: Option<Sig> = None;
    for raw in text.split(|&b| b == b'\n') {
        let line = raw.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        if cur.is_none() {
            if line.starts_with(b"signature") && line.ends_with(b"{") {
                cur = Some(Sig {
                    hdr: Vec::new(),
                    patterns: Vec::new(),
                    mime: None,
                });
            }
            continue;
        }
        if line == b"}" {
            if let Some(s) = cur.take() {
                out.push(s);
            }
            continue;
        }
        let Some(sig) = cur.as_mut() else { continue };
        let kw_end = line
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(line.len());
        let kw = &line[..kw_end];
        let rest = line[kw_end..].trim_ascii();
        if let Some(t) = PATTERN_TYPES.iter().find(|t| t.as_bytes() == kw) {
            if let Some(re) = regex_text(rest) {
                sig.patterns.push((t, re));
            }
        } else if HEADER_TESTS.iter().any(|t| t.as_bytes() == kw) {
            let words: Vec<&[u8]> = line
                .split(u8::is_ascii_whitespace)
                .filter(|w| !w.is_empty())
                .collect();
            sig.hdr
                .push(String::from_utf8_lossy(&words.join(&b' ')).into_owned());
        } else if kw == b"file-mime" {
            // file-mime "type", strength
            let q1 = rest.iter().position(|&b| b == b'"');
            let q2 = q1.and_then(|a| {
                rest[a + 1..]
                    .iter()
                    .position(|&b| b == b'"')
                    .map(|b| a + 1 + b)
            });
            if let (Some(a), Some(b)) = (q1, q2) {
                let mime = rest[a + 1..b].to_vec();
                let strength = rest[b + 1..]
                    .trim_ascii()
                    .strip_prefix(b",")
                    .map(<[u8]>::trim_ascii)
                    .and_then(|s| std::str::from_utf8(s).ok())
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap_or(0);
                sig.mime = Some((strength, mime));
            }
        }
    }
}

/// The signatures of the given files, in order.
pub(crate) fn parse_files(files: &[std::path::PathBuf]) -> Vec<Sig> {
    let mut sigs = Vec::new();
    for f in files {
        if let Ok(text) = std::fs::read(f) {
            parse_file(&text, &mut sigs);
        }
    }
    sigs
}

fn load(it: &mut Interp) {
    if it.ext_mut::<Sigs>(KEY).loaded {
        return;
    }
    let sigs = parse_files(&it.prog.sig_files);
    let st = it.ext_mut::<Sigs>(KEY);
    st.loaded = true;
    st.sigs = sigs;
}

/// Zeek's count of regular-expression matchers: per node of the rule
/// tree (signatures with the same header tests) and pattern type, one
/// matcher per group of up to `sig_max_group_size` + 1 patterns (and one
/// more when the last group is full, as `BuildPatternSets` does).
pub fn matcher_count(it: &mut Interp) -> u64 {
    load(it);
    let max_group = it
        .prog
        .lookup(Symbol::intern("sig_max_group_size"))
        .map_or(50, |g| it.prog.globals[g as usize].value.as_count());
    let st = it.ext_mut::<Sigs>(KEY);
    let mut groups: Vec<(&[String], &str, u64)> = Vec::new();
    for s in &st.sigs {
        for (t, _) in &s.patterns {
            match groups
                .iter_mut()
                .find(|(h, ty, _)| *h == s.hdr.as_slice() && ty == t)
            {
                Some(g) => g.2 += 1,
                None => groups.push((s.hdr.as_slice(), t, 1)),
            }
        }
    }
    groups.iter().map(|(_, _, n)| n / (max_group + 1) + 1).sum()
}
