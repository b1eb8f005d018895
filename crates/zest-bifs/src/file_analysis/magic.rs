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

impl Magic {
    /// The signatures with a `file-mime` action whose `file-magic`
    /// patterns all compile (active ones: `BuildRulesTree`).
    pub(crate) fn from_sigs(sigs: &[crate::signatures::Sig]) -> Magic {
        let mut m = Magic::default();
        for s in sigs.iter().filter(|s| s.active) {
            let Some((strength, mime)) = &s.mime else {
                continue;
            };
            let patterns: Option<Vec<Pattern>> = s
                .patterns
                .iter()
                .filter(|(t, _)| *t == "file-magic")
                .map(|(_, re)| Pattern::new(re, false).ok())
                .collect();
            match patterns {
                Some(patterns) if !patterns.is_empty() => m.sigs.push(Sig {
                    patterns,
                    mimes: vec![(*strength, String::from_utf8_lossy(mime).into_owned())],
                }),
                _ => {}
            }
        }
        m
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
        let mut sigs = Vec::new();
        crate::signatures::parse_file(SIGS.as_bytes(), &mut sigs);
        let m = Magic::from_sigs(&sigs);
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
