//! The regex scanner: a rule-for-rule emulation of Zeek's flex scanner `src/re-scan.l`.
//!
//! Flex picks the longest match among the rules of the current start condition (trailing
//! context counts towards the length; ties go to the earlier rule), and this module does the
//! same by hand. The parts that matter for behaviour:
//!
//! * The scanner is `caseless`: `(?I:`, `[:ALPHA:]` and `\X41` match their rules too.
//! * Inside `(?i:` a letter is pushed back as `[c]` and rescanned as a character class.
//! * A class is first matched as a whole (`[` up to its closing bracket) and looked up by that
//!   text in a per-matcher cache; a hit reuses the earlier class *as it was built then*, even
//!   if case-insensitivity differs now. A miss rescans the class body in `SC_FIRST_CCL`.
//! * `"` starts a quoted literal; inside it letters are never case-folded.
//! * `\n` ends the pattern in the initial state; `$` rules need a following newline.
//! * Escapes go through Zeek's `expand_escape` (octal uses at most three digits, `\x` needs
//!   two hex digits, other characters stand for themselves as a signed `char`).

use std::collections::HashMap;

use crate::diag::{Diagnostic, DiagnosticKind};
use crate::ir::SymSet;

/// A token of Zeek's regex grammar (`src/re-parse.y`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// End of the pattern (also returned for a newline in the initial state).
    Eof,
    /// `TOK_CHAR`: one symbol, as Zeek numbers it (a raw byte is a signed `char`).
    Char(i32),
    /// `TOK_NUMBER` inside `{...}`.
    Number(i32),
    /// `TOK_CCL`: a class whose text was seen before; index into [`Scanner::ccls`].
    Ccl(usize),
    /// `TOK_CCE`: a `[:name:]` expression inside a class.
    Cce(CharClass),
    /// `(?i:`
    CaseInsensitive,
    /// `(?s:`
    SingleLine,
    /// A punctuation token: `^ $ " { } [ ] - , | * + ? . ( )`.
    Punct(u8),
}

/// The `[:name:]` classes, with the C library's C-locale meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CharClass {
    Alnum,
    Alpha,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Print,
    Punct,
    Space,
    Xdigit,
    Lower,
    Upper,
}

impl CharClass {
    /// Whether the (ASCII) byte belongs to the class.
    pub(crate) fn contains(self, c: u8) -> bool {
        match self {
            CharClass::Alnum => c.is_ascii_alphanumeric(),
            CharClass::Alpha => c.is_ascii_alphabetic(),
            CharClass::Blank => c == b' ' || c == b'\t',
            CharClass::Cntrl => c < 32 || c == 127,
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::Graph => (33..=126).contains(&c),
            CharClass::Print => (32..=126).contains(&c),
            CharClass::Punct => c.is_ascii_punctuation(),
            CharClass::Space => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
            CharClass::Xdigit => c.is_ascii_hexdigit(),
            CharClass::Lower => c.is_ascii_lowercase(),
            CharClass::Upper => c.is_ascii_uppercase(),
        }
    }

    fn by_name(name: &[u8]) -> Option<CharClass> {
        let lower: Vec<u8> = name.to_ascii_lowercase();
        Some(match lower.as_slice() {
            b"alnum" => CharClass::Alnum,
            b"alpha" => CharClass::Alpha,
            b"blank" => CharClass::Blank,
            b"cntrl" => CharClass::Cntrl,
            b"digit" => CharClass::Digit,
            b"graph" => CharClass::Graph,
            b"print" => CharClass::Print,
            b"punct" => CharClass::Punct,
            b"space" => CharClass::Space,
            b"xdigit" => CharClass::Xdigit,
            b"lower" => CharClass::Lower,
            b"upper" => CharClass::Upper,
            _ => return None,
        })
    }
}

/// One character class object (Zeek's `CCL`): the symbols added so far and whether it is
/// negated.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ccl {
    pub(crate) set: SymSet,
    pub(crate) negated: bool,
}

impl Ccl {
    /// The symbols the class matches.
    pub(crate) fn members(&self) -> SymSet {
        if self.negated {
            self.set.negated()
        } else {
            self.set.clone()
        }
    }
}

/// Flex start conditions of `re-scan.l`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    Initial,
    Num,
    Quote,
    FirstCcl,
    Ccl,
}

/// The scanner state, shared with the parser (Zeek keeps it in globals).
pub(crate) struct Scanner<'t> {
    /// The pattern text as given (`RE_parse_input`), quoted in messages.
    text: &'t [u8],
    /// Flex's working buffer; pushed-back input is spliced in at `pos`.
    buf: Vec<u8>,
    pos: usize,
    start: Start,
    done: bool,
    /// Zeek's global `case_insensitive`, set by `(?i:` and cleared by the parser.
    pub(crate) case_insensitive: bool,
    /// Zeek's global `re_single_line`, set by `(?s:` and cleared by the parser.
    pub(crate) single_line: bool,
    /// All class objects of this matcher (`ccl_list`).
    pub(crate) ccls: Vec<Ccl>,
    /// Class text to class object (`ccl_dict`).
    ccl_dict: HashMap<Vec<u8>, usize>,
    /// The class being built (`curr_ccl`).
    pub(crate) curr_ccl: usize,
    /// Messages so far.
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'t> Scanner<'t> {
    pub(crate) fn new(text: &'t [u8]) -> Scanner<'t> {
        Scanner {
            text,
            buf: text.to_vec(),
            pos: 0,
            start: Start::Initial,
            done: false,
            case_insensitive: false,
            single_line: false,
            ccls: Vec::new(),
            ccl_dict: HashMap::new(),
            curr_ccl: 0,
            diags: Vec::new(),
        }
    }

    /// The pattern text being compiled.
    pub(crate) fn text(&self) -> &'t [u8] {
        self.text
    }

    /// Zeek's `synerr`: report and carry on.
    pub(crate) fn synerr(&mut self, msg: &str) {
        self.diags.push(Diagnostic::compiling(
            DiagnosticKind::Syntax,
            msg,
            self.text,
        ));
    }

    /// The next token (`yylex`).
    pub(crate) fn next_token(&mut self) -> Tok {
        loop {
            if self.done {
                return Tok::Eof;
            }
            if self.pos >= self.buf.len() {
                self.done = true;
                return Tok::Eof;
            }
            let tok = match self.start {
                Start::Initial => self.scan_initial(),
                Start::Num => self.scan_num(),
                Start::Quote => self.scan_quote(),
                Start::FirstCcl => self.scan_first_ccl(),
                Start::Ccl => self.scan_ccl(),
            };
            if let Some(tok) = tok {
                if tok == Tok::Eof {
                    self.done = true;
                }
                return tok;
            }
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.buf.get(i).copied()
    }

    fn starts_with_caseless(&self, lit: &[u8]) -> bool {
        self.buf
            .get(self.pos..self.pos + lit.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(lit))
    }

    /// Length of the `ESCSEQ` at `p`, if any: `\` followed by any non-newline character,
    /// by octal digits, or by `x` and two hex digits (longest wins).
    fn escape_len(&self, p: usize) -> Option<usize> {
        if self.at(p) != Some(b'\\') {
            return None;
        }
        let c = self.at(p + 1)?;
        if c == b'\n' {
            return None;
        }
        let mut len = 2;
        let octal = self.buf[p + 1..]
            .iter()
            .take_while(|b| (b'0'..=b'7').contains(b))
            .count();
        len = len.max(1 + octal);
        if (c == b'x' || c == b'X')
            && self.at(p + 2).is_some_and(|b| b.is_ascii_hexdigit())
            && self.at(p + 3).is_some_and(|b| b.is_ascii_hexdigit())
        {
            len = len.max(4);
        }
        Some(len)
    }

    /// Consumes the escape at `pos` (of length `len`) and expands it.
    fn take_escape(&mut self, len: usize) -> Tok {
        let esc = self.buf[self.pos + 1..self.pos + len].to_vec();
        self.pos += len;
        Tok::Char(self.expand_escape(&esc))
    }

    /// Zeek's `util::detail::expand_escape` on the text after the backslash.
    fn expand_escape(&mut self, esc: &[u8]) -> i32 {
        let oct = |b: u8| (b'0'..=b'7').contains(&b).then(|| i32::from(b - b'0'));
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as i32);
        match esc[0] {
            b'b' => 8,
            b'f' => 12,
            b'n' => 10,
            b'r' => 13,
            b't' => 9,
            b'a' => 7,
            b'v' => 11,
            b'0'..=b'7' => esc
                .iter()
                .take(3)
                .map_while(|&b| oct(b))
                .fold(0, |acc, d| (acc << 3) | d),
            b'x' => match esc.get(1).and_then(|&b| hex(b)) {
                Some(d1) => match esc.get(2).and_then(|&b| hex(b)) {
                    Some(d2) => (d1 << 4) | d2,
                    None => d1,
                },
                None => {
                    let mut m = b"bad hexadecimal escape: ".to_vec();
                    m.extend_from_slice(&esc[1..]);
                    self.diags
                        .push(Diagnostic::new(DiagnosticKind::BadEscape, m));
                    0
                }
            },
            c => signed(c),
        }
    }

    /// Length of the initial-state class rule at `p` (on `[`):
    /// `"["({FIRST_CCL_CHAR}|{CCL_EXPR})({CCL_CHAR}|{CCL_EXPR})*`, or 0 if it does not match.
    fn ccl_extent(&self, p: usize) -> usize {
        let n = self.buf.len();
        let mut reach = vec![false; n + 1];
        let mut ends = Vec::new();
        self.ccl_item_ends(p + 1, true, &mut ends);
        for &e in &ends {
            reach[e] = true;
        }
        let mut best = 0;
        for q in p + 1..=n {
            if !reach[q] {
                continue;
            }
            best = q - p;
            ends.clear();
            self.ccl_item_ends(q, false, &mut ends);
            for &e in &ends {
                reach[e] = true;
            }
        }
        best
    }

    /// Where one class item starting at `p` can end.
    fn ccl_item_ends(&self, p: usize, first: bool, ends: &mut Vec<usize>) {
        let Some(c) = self.at(p) else { return };
        if c != b'\\' && c != b'\n' && (first || c != b']') {
            ends.push(p + 1);
        }
        if let Some(len) = self.escape_len(p) {
            // Every prefix of an octal run is also an escape; all of them are reachable.
            ends.push(p + 2);
            ends.push(p + len);
            let octal = self.buf[p + 1..]
                .iter()
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            ends.extend((1..=octal).map(|k| p + 1 + k));
        }
        if let Some(len) = self.class_expr_len(p) {
            ends.push(p + len);
        }
    }

    /// Length of a `CCL_EXPR` (`[:` letters `:]`) at `p`.
    fn class_expr_len(&self, p: usize) -> Option<usize> {
        if self.at(p) != Some(b'[') || self.at(p + 1) != Some(b':') {
            return None;
        }
        let letters = self.buf[p + 2..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        if letters == 0 || self.at(p + 2 + letters) != Some(b':') {
            return None;
        }
        (self.at(p + 3 + letters) == Some(b']')).then_some(letters + 4)
    }

    /// Consumes a class expression of length `len` at `pos` (both class start conditions).
    fn take_class_expr(&mut self, len: usize) -> Tok {
        let name = self.buf[self.pos + 2..self.pos + len - 2].to_vec();
        self.pos += len;
        self.start = Start::Ccl;
        let class = match CharClass::by_name(&name) {
            Some(CharClass::Lower | CharClass::Upper) if self.case_insensitive => CharClass::Alpha,
            Some(class) => class,
            None => {
                self.synerr("bad character class expression");
                CharClass::Alnum
            }
        };
        Tok::Cce(class)
    }

    fn scan_initial(&mut self) -> Option<Tok> {
        let c = self.buf[self.pos];
        let next = self.at(self.pos + 1);
        match c {
            b'^' | b'$' => {
                self.pos += 1;
                Some(Tok::Punct(c))
            }
            b'"' => {
                self.pos += 1;
                self.start = Start::Quote;
                Some(Tok::Punct(c))
            }
            b'{' if next.is_some_and(|b| b.is_ascii_digit()) => {
                self.pos += 1;
                self.start = Start::Num;
                Some(Tok::Punct(c))
            }
            b'{' => {
                if let Some(len) = self.name_ref_len() {
                    // `{NAME}`: Zeek never defines any name, so this always fails.
                    self.pos += len;
                    self.synerr("undefined definition");
                    return None;
                }
                self.pos += 1;
                Some(Tok::Punct(c))
            }
            b'[' => {
                let len = self.ccl_extent(self.pos);
                if len < 2 {
                    self.pos += 1;
                    return Some(Tok::Char(signed(c)));
                }
                let key = self.buf[self.pos..self.pos + len].to_vec();
                if let Some(&id) = self.ccl_dict.get(&key) {
                    self.pos += len;
                    // `yyinput()`: the cached class must be followed by its bracket.
                    let follow = self.at(self.pos);
                    if follow.is_some() {
                        self.pos += 1;
                    }
                    if follow != Some(b']') {
                        self.synerr("bad character class");
                    }
                    return Some(Tok::Ccl(id));
                }
                let id = self.ccls.len();
                self.ccls.push(Ccl::default());
                self.ccl_dict.insert(key, id);
                self.curr_ccl = id;
                self.pos += 1;
                self.start = Start::FirstCcl;
                Some(Tok::Punct(c))
            }
            b'(' if self.starts_with_caseless(b"(?i:") => {
                self.pos += 4;
                self.case_insensitive = true;
                Some(Tok::CaseInsensitive)
            }
            b'(' if self.starts_with_caseless(b"(?s:") => {
                self.pos += 4;
                self.single_line = true;
                Some(Tok::SingleLine)
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                self.pos += 1;
                if self.case_insensitive {
                    // Push back `[c]` so the parser expands the letter as a class.
                    self.buf.splice(self.pos..self.pos, [b'[', c, b']']);
                    None
                } else {
                    Some(Tok::Char(i32::from(c)))
                }
            }
            b'|' | b'*' | b'+' | b'?' | b'.' | b'(' | b')' | b'}' => {
                self.pos += 1;
                Some(Tok::Punct(c))
            }
            b'\n' => {
                self.pos += 1;
                Some(Tok::Eof)
            }
            b'\\' if self.escape_len(self.pos).is_some() => {
                let len = self.escape_len(self.pos).unwrap_or(2);
                Some(self.take_escape(len))
            }
            _ => {
                self.pos += 1;
                Some(Tok::Char(signed(c)))
            }
        }
    }

    /// Length of `"{"{NAME}"}"` at `pos`, with `NAME ([[:alpha:]_][[:alnum:]_-]*)`.
    fn name_ref_len(&self) -> Option<usize> {
        let first = self.at(self.pos + 1)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let rest = self.buf[self.pos + 2..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count();
        (self.at(self.pos + 2 + rest) == Some(b'}')).then_some(rest + 3)
    }

    fn scan_num(&mut self) -> Option<Tok> {
        let c = self.buf[self.pos];
        match c {
            b'0'..=b'9' => {
                let digits = self.buf[self.pos..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let n = atoi(&self.buf[self.pos..self.pos + digits]);
                self.pos += digits;
                Some(Tok::Number(n))
            }
            b',' => {
                self.pos += 1;
                Some(Tok::Punct(c))
            }
            b'}' => {
                self.pos += 1;
                self.start = Start::Initial;
                Some(Tok::Punct(c))
            }
            b'\n' => {
                self.pos += 1;
                self.synerr("bad character");
                None
            }
            _ => {
                self.pos += 1;
                self.synerr("bad character inside {}'s");
                self.start = Start::Initial;
                Some(Tok::Punct(b'}'))
            }
        }
    }

    fn scan_quote(&mut self) -> Option<Tok> {
        let c = self.buf[self.pos];
        let next = self.at(self.pos + 1);
        if c == b'"' {
            self.pos += 1;
            self.start = Start::Initial;
            return Some(Tok::Punct(c));
        }
        if c != b'\n' && next == Some(b'\n') {
            // `[^"\n]$`: the quote ends at the line end; the start condition stays.
            self.pos += 1;
            self.synerr("missing quote");
            return Some(Tok::Punct(b'"'));
        }
        if let Some(len) = self.escape_len(self.pos) {
            return Some(self.take_escape(len));
        }
        self.pos += 1;
        if c == b'\n' {
            self.synerr("bad character");
            return None;
        }
        Some(Tok::Char(signed(c)))
    }

    fn scan_first_ccl(&mut self) -> Option<Tok> {
        let c = self.buf[self.pos];
        let next = self.at(self.pos + 1);
        if c == b'^' {
            self.pos += 1;
            return Some(match next {
                Some(b'-' | b']') => Tok::Punct(c),
                Some(n) if n != b'\n' => {
                    self.start = Start::Ccl;
                    Tok::Punct(c)
                }
                _ => {
                    self.start = Start::Ccl;
                    Tok::Char(signed(c))
                }
            });
        }
        if let Some(len) = self.class_expr_len(self.pos) {
            return Some(self.take_class_expr(len));
        }
        if let Some(len) = self.escape_len(self.pos) {
            self.start = Start::Ccl;
            return Some(self.take_escape(len));
        }
        self.pos += 1;
        if c == b'\n' {
            self.synerr("bad character");
            return None;
        }
        self.start = Start::Ccl;
        Some(Tok::Char(signed(c)))
    }

    fn scan_ccl(&mut self) -> Option<Tok> {
        let c = self.buf[self.pos];
        let next = self.at(self.pos + 1);
        if c != b']' && next == Some(b'\n') {
            // `[^\]]$`: the class runs into the line end.
            self.pos += 1;
            self.synerr("bad character class");
            self.start = Start::Initial;
            return Some(Tok::Punct(b']'));
        }
        if let Some(len) = self.class_expr_len(self.pos) {
            return Some(self.take_class_expr(len));
        }
        if let Some(len) = self.escape_len(self.pos) {
            return Some(self.take_escape(len));
        }
        self.pos += 1;
        match c {
            b'-' if next.is_some_and(|n| n != b']' && n != b'\n') => Some(Tok::Punct(c)),
            b']' => {
                self.start = Start::Initial;
                Some(Tok::Punct(c))
            }
            b'\n' => {
                self.synerr("bad character");
                None
            }
            _ => Some(Tok::Char(signed(c))),
        }
    }
}

/// A byte as C's (signed) `char` on the platforms Zeek runs on.
fn signed(c: u8) -> i32 {
    i32::from(c as i8)
}

/// C's `atoi` as glibc does it (`(int) strtol`): saturate at `LONG_MAX`, then truncate.
fn atoi(digits: &[u8]) -> i32 {
    let v = digits.iter().try_fold(0i64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    });
    v.unwrap_or(i64::MAX) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &[u8]) -> (Vec<Tok>, Vec<String>) {
        let mut s = Scanner::new(text);
        let mut out = Vec::new();
        loop {
            let t = s.next_token();
            out.push(t);
            if t == Tok::Eof {
                break;
            }
        }
        (out, s.diags.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn escapes_follow_expand_escape() {
        let (t, d) = tokens(br"\x41\101\1234\X41\n\q");
        assert_eq!(
            t,
            vec![
                Tok::Char(0x41),
                Tok::Char(0o101),
                Tok::Char(0o123),
                Tok::Char(i32::from(b'X')),
                Tok::Char(10),
                Tok::Char(i32::from(b'q')),
                Tok::Eof
            ]
        );
        assert!(d.is_empty());
        let (t, d) = tokens(br"\x4g");
        assert_eq!(
            t,
            vec![
                Tok::Char(0),
                Tok::Char(i32::from(b'4')),
                Tok::Char(i32::from(b'g')),
                Tok::Eof
            ]
        );
        assert_eq!(d, vec!["bad hexadecimal escape: "]);
    }

    #[test]
    fn class_extent_includes_class_expressions() {
        let s = Scanner::new(b"[[:alpha:]]x");
        assert_eq!(s.ccl_extent(0), 10);
        let s = Scanner::new(br"[a\]b]");
        assert_eq!(s.ccl_extent(0), 5);
        let s = Scanner::new(b"[]a]");
        assert_eq!(s.ccl_extent(0), 3);
        let s = Scanner::new(b"[");
        assert_eq!(s.ccl_extent(0), 0);
    }

    #[test]
    fn case_insensitive_letters_become_classes() {
        let (t, _) = tokens(b"(?i:ab)");
        assert_eq!(t[0], Tok::CaseInsensitive);
        assert_eq!(t[1], Tok::Punct(b'['));
        assert_eq!(t[2], Tok::Char(i32::from(b'a')));
        assert_eq!(t[3], Tok::Punct(b']'));
    }

    #[test]
    fn atoi_saturates_like_glibc() {
        assert_eq!(atoi(b"12"), 12);
        assert_eq!(atoi(b"99999999999999999999"), -1);
    }
}
