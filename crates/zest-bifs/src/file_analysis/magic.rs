//! File magic: the MIME types of data by the `file-magic` signatures of
//! the files `@load-sigs` loaded (`RuleMatcher::InitFileMagic`, `Match`).
//!
//! A signature with `file-mime "TYPE", STRENGTH` and `file-magic /RE/`
//! matches when RE, anchored at the start of the data, matches some
//! prefix of it. The matches are grouped by strength, strongest first,
//! each group's types in byte order (`MIME_Matches`). Signatures without
//! a `file-mime` action (protocol signatures) play no part here.

use std::collections::{BTreeMap, BTreeSet};
use zest_pattern::Pattern;

/// A file-magic signature: its patterns and its MIME actions.
struct Sig {
    patterns: Vec<Pattern>,
    mimes: Vec<(i64, String)>,
}

#[derive(Default)]
pub struct Magic {
    sigs: Vec<Sig>,
}

/// The matches, strongest first (`std::map<int, std::set<string>,
/// std::greater<int>>`).
pub type MimeMatches = BTreeMap<std::cmp::Reverse<i64>, BTreeSet<String>>;

/// The pattern text of a `file-magic /RE/` line and whether it ends in
/// `i` (case-insensitive).
fn pattern_text(rest: &str) -> Option<(&str, bool)> {
    let start = rest.find('/')?;
    let end = rest.rfind('/')?;
    if end <= start {
        return None;
    }
    let flags = rest[end + 1..].trim();
    Some((&rest[start + 1..end], flags == "i"))
}

/// `"TYPE", STRENGTH` of a `file-mime` line.
fn mime_action(rest: &str) -> Option<(i64, String)> {
    let rest = rest.trim();
    let q1 = rest.find('"')?;
    let q2 = q1 + 1 + rest[q1 + 1..].find('"')?;
    let mime = rest[q1 + 1..q2].to_string();
    let after = rest[q2 + 1..].trim().trim_start_matches(',').trim();
    let strength = if after.is_empty() {
        0
    } else {
        after.parse().ok()?
    };
    Some((strength, mime))
}

impl Magic {
    /// Reads the signatures of the given files.
    pub fn load(files: &[std::path::PathBuf]) -> Magic {
        let mut m = Magic::default();
        for f in files {
            if let Ok(text) = std::fs::read(f) {
                m.parse(&String::from_utf8_lossy(&text));
            }
        }
        m
    }

    fn parse(&mut self, text: &str) {
        // The signature being read, and whether its lines were understood.
        let mut cur: Option<(Sig, bool)> = None;
        for line in text.lines() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if l.starts_with("signature") {
                let sig = Sig {
                    patterns: Vec::new(),
                    mimes: Vec::new(),
                };
                cur = Some((sig, true));
                continue;
            }
            let Some((sig, ok)) = cur.as_mut() else {
                continue;
            };
            if l.starts_with('}') {
                if let Some((sig, ok)) = cur.take() {
                    if ok && !sig.patterns.is_empty() && !sig.mimes.is_empty() {
                        self.sigs.push(sig);
                    }
                }
            } else if let Some(rest) = l.strip_prefix("file-magic") {
                match pattern_text(rest).and_then(|(t, ci)| Pattern::new(t, ci).ok()) {
                    Some(p) => sig.patterns.push(p),
                    None => *ok = false,
                }
            } else if let Some(rest) = l.strip_prefix("file-mime") {
                match mime_action(rest) {
                    Some(a) => sig.mimes.push(a),
                    None => *ok = false,
                }
            }
        }
    }

    /// The MIME types of `data` (`RuleMatcher::Match` on a fresh state).
    pub fn detect(&self, data: &[u8]) -> MimeMatches {
        let mut out = MimeMatches::new();
        for s in &self.sigs {
            if s.patterns.iter().all(|p| p.match_prefix(data).is_some()) {
                for (strength, mime) in &s.mimes {
                    out.entry(std::cmp::Reverse(*strength))
                        .or_default()
                        .insert(mime.clone());
                }
            }
        }
        out
    }
}

/// The strongest match (`Manager::DetectMIME`).
pub fn strongest(m: &MimeMatches) -> Option<&String> {
    m.values().next().and_then(|s| s.iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGS: &str = r#"
# Plaintext
signature file-plaintext {
	file-mime "text/plain", -20
	file-magic /^(\xef\xbb\xbf|(\x00\x00)?\xfe\xff|\xff\xfe(\x00\x00)?)?[[:space:]\x20-\x7E]{10}/
}

signature file-pe {
	file-mime "application/x-dosexec", 51
	file-magic /MZ/
}

signature dpd-only {
	ip-proto == tcp
	payload /^MZ/
	enable "foo"
}
"#;

    /// The patterns are anchored at the start of the data; the matches
    /// come strongest first (btest bifs.identify_data, core.file-analyzer-violation).
    #[test]
    fn detect_by_strength() {
        let mut m = Magic::default();
        m.parse(SIGS);
        assert_eq!(m.sigs.len(), 2);
        let r = m.detect(b"MZ0000000000000000000\n");
        let order: Vec<_> = r.iter().map(|(s, t)| (s.0, t.clone())).collect();
        assert_eq!(order.len(), 2);
        assert_eq!(
            strongest(&r).map(String::as_str),
            Some("application/x-dosexec")
        );
        assert_eq!(order[1].0, -20);
        assert!(m.detect(b"xMZ").is_empty());
        assert_eq!(
            strongest(&m.detect(b"This is a test")).map(String::as_str),
            Some("text/plain")
        );
    }
}
