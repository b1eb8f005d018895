//! The string built-in functions that take a pattern, as ready-made helpers.
//!
//! All of them walk the string the way Zeek's C++ does (`src/strings.bif`, `src/zeek.bif`,
//! `StringVal::Replace` in `src/Val.cc`), using the exact matcher's *longest prefix match*
//! ([`Pattern::match_prefix`]) at successive offsets. Each offset is treated as the start of
//! a line, so `^` matches at every offset tried; `$` matches only at the end of the string.
//! Splitting and replacing ignore empty matches (they move on one byte); `find_all` on an
//! empty match would loop forever in Zeek (see [`FindAll::endless`]).

use crate::Pattern;

/// The result of [`Pattern::find_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindAll<'s> {
    /// The matches in order (with repeats; `find_all` keeps them as a set,
    /// `find_all_ordered` as a vector).
    pub matches: Vec<&'s [u8]>,
    /// Zeek would never return: at some offset the longest match was empty, and Zeek's loop
    /// (`t += n - 1; ++t`) then stays on that offset forever. `matches` holds what was found
    /// before that offset.
    pub endless: bool,
}

/// The record `match_pattern` (`base/utils/patterns.zeek`) returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatternMatch<'s> {
    /// `matched`: whether a separator was found.
    pub matched: bool,
    /// `str`: the first (longest, non-empty) match, or empty.
    pub str: &'s [u8],
    /// `off`: 1-based offset of the match, or 0.
    pub off: u64,
}

impl Pattern {
    /// Zeek's `do_split_string` (`split_string_n(str, re, incl_sep, max_num_sep)`): the pieces
    /// between non-empty longest matches, with the matches themselves if `incl_sep`, splitting
    /// at most `max_num_sep` times (0: no limit). A match ending at the end of the string
    /// leaves a final empty piece.
    ///
    /// `split_string` is `split(s, false, 0)`, `split_string1` is `split(s, false, 1)`,
    /// `split_string_all` is `split(s, true, 0)`. Zeek converts the count to a C `int`, so
    /// counts of 2^32 and more wrap, and a negative result never splits.
    pub fn split<'s>(&self, s: &'s [u8], incl_sep: bool, max_num_sep: u64) -> Vec<&'s [u8]> {
        let max = max_num_sep as i32;
        let limit_reached = |num_sep: i32| max != 0 && num_sep >= max;
        let mut pm = self.prefix_matcher();
        let mut out = Vec::new();
        let mut base = 0;
        let mut num_sep = 0;
        loop {
            if limit_reached(num_sep) {
                out.push(&s[base..]);
                break;
            }
            // Find the next non-empty match at or after `base`.
            let mut offset = 0;
            let mut found = None;
            while base + offset < s.len() {
                match pm.longest(&s[base + offset..]) {
                    Some(m) if m > 0 => {
                        found = Some(m);
                        break;
                    }
                    _ => offset += 1,
                }
            }
            out.push(&s[base..base + offset]);
            let Some(len) = found else { break };
            if incl_sep {
                out.push(&s[base + offset..base + offset + len]);
            }
            num_sep += 1;
            base += offset + len;
        }
        out
    }

    /// `find_all` / `find_all_ordered` (without the length limit, which the caller checks):
    /// from each offset, the longest match; after a match the search goes on at its end,
    /// otherwise one byte further.
    pub fn find_all<'s>(&self, s: &'s [u8]) -> FindAll<'s> {
        let mut pm = self.prefix_matcher();
        let mut matches = Vec::new();
        let mut t = 0;
        while t < s.len() {
            match pm.longest(&s[t..]) {
                Some(0) => {
                    return FindAll {
                        matches,
                        endless: true,
                    }
                }
                Some(n) => {
                    matches.push(&s[t..t + n]);
                    t += n;
                }
                None => t += 1,
            }
        }
        FindAll {
            matches,
            endless: false,
        }
    }

    /// `find_last`: the longest match starting at the largest offset that has one (possibly
    /// empty), or `None` (Zeek returns the empty string then). The empty suffix at the very
    /// end is never tried.
    pub fn find_last<'s>(&self, s: &'s [u8]) -> Option<&'s [u8]> {
        let mut pm = self.prefix_matcher();
        (0..s.len())
            .rev()
            .find_map(|t| pm.longest(&s[t..]).map(|n| &s[t..t + n]))
    }

    /// `StringVal::Replace`: replaces the first (or, if `all`, every) non-empty longest match,
    /// scanning left to right and resuming after each replaced match.
    pub fn replace(&self, s: &[u8], repl: &[u8], all: bool) -> Vec<u8> {
        let mut pm = self.prefix_matcher();
        let mut out = Vec::with_capacity(s.len());
        let mut copied = 0;
        let mut offset = 0;
        while offset < s.len() {
            match pm.longest(&s[offset..]) {
                Some(m) if m > 0 => {
                    out.extend_from_slice(&s[copied..offset]);
                    out.extend_from_slice(repl);
                    offset += m;
                    copied = offset;
                    if !all {
                        break;
                    }
                }
                _ => offset += 1,
            }
        }
        out.extend_from_slice(&s[copied..]);
        out
    }

    /// `sub(str, re, repl)`: replace the first match.
    pub fn sub(&self, s: &[u8], repl: &[u8]) -> Vec<u8> {
        self.replace(s, repl, false)
    }

    /// `gsub(str, re, repl)`: replace every match.
    pub fn gsub(&self, s: &[u8], repl: &[u8]) -> Vec<u8> {
        self.replace(s, repl, true)
    }

    /// `match_pattern(s, p)` from `base/utils/patterns.zeek`, which is
    /// `split_string_n(s, p, T, 1)` read back into a record.
    pub fn match_pattern<'s>(&self, s: &'s [u8]) -> PatternMatch<'s> {
        match self.split(s, true, 1).as_slice() {
            [before, sep, ..] => PatternMatch {
                matched: true,
                str: sep,
                off: before.len() as u64 + 1,
            },
            _ => PatternMatch {
                matched: false,
                str: b"",
                off: 0,
            },
        }
    }
}

/// `convert_for_pattern(s)` (`to_pat_str`): a backslash before each of `^$-:"\/|*+?.(){}[]`.
/// Zeek's check also finds the NUL byte in that list and its result is a C string, so the
/// output stops right after the backslash it puts before the first NUL.
pub fn convert_for_pattern(s: &[u8]) -> Vec<u8> {
    const SPECIAL: &[u8] = b"^$-:\"\\/|*+?.(){}[]";
    let mut out = Vec::with_capacity(s.len() * 2);
    for &b in s {
        if b == 0 {
            out.push(b'\\');
            break;
        }
        if SPECIAL.contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}
