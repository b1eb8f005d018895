//! Zeek's signature files (`@load-sigs`, `zeek -s`, `signature_files`), as
//! far as a runtime without packet analysis uses them: the
//! `file-magic`/`file-mime` signatures file analysis detects MIME types
//! with ([`crate::file_analysis`]), and the matcher count of
//! `get_matcher_stats`.
//!
//! The files are read once the scripts are loaded ([`read_files`], as
//! `RuleMatcher::ReadFiles` runs before `zeek_init`), by a scanner and
//! parser of Zeek's whole signature language (`rule-scan.l`,
//! `rule-parse.y`): every syntax error, unknown script-level identifier
//! and identifier of the wrong type is reported with Zeek's text, and a
//! file with an error stops the start-up. Each `signature NAME { … }`
//! block gives its header tests (`src-ip`, `dst-port`, `ip-proto`,
//! `header`, …), its patterns by type (`payload`, `file-magic`, …), its
//! `file-mime` type and strength, and its `active` status.

use zest_runtime::value::Value;
use zest_runtime::Interp;
use zest_syntax::Symbol;

pub(crate) struct Sig {
    /// The header tests as written (tokens joined by one space), sorted
    /// (`Rule::SortHdrTests`).
    hdr: Vec<String>,
    /// (pattern type, regular expression text).
    pub(crate) patterns: Vec<(&'static str, Vec<u8>)>,
    /// The `file-mime` action: strength and type.
    pub(crate) mime: Option<(i64, Vec<u8>)>,
    /// `active false` takes a signature out of the rule tree.
    pub(crate) active: bool,
    name: String,
    file: String,
    line: usize,
    /// `requires-signature` and `requires-reverse-signature` names.
    requires: Vec<String>,
}

#[derive(Default)]
struct Sigs {
    sigs: Vec<Sig>,
}

const KEY: &str = "signatures";

/// A script-level identifier as the signature parser sees it
/// (`get_zeek_val` and the conversions of `RuleMatcher.cc`).
pub(crate) enum IdVal {
    Missing,
    Str(Vec<u8>),
    /// bool, count, enum, int and port values (`CoerceToUnsigned`).
    Uint(u64),
    /// A subnet: whether it is an IPv4 one.
    Subnet(bool),
    /// The elements of a set.
    Elems(Vec<IdVal>),
    /// A function: whether it yields `bool`, and whether its parameters
    /// take a `signature_state` and a `string`.
    Func {
        yields_bool: bool,
        args_ok: bool,
    },
    Other,
}

// ---------------------------------------------------------------- scanner

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kw {
    Disable,
    DstIp,
    DstPort,
    Enable,
    Eval,
    Event,
    Mime,
    Header,
    IpOptions,
    IpProto,
    PayloadSize,
    RequiresSignature,
    RequiresReverseSignature,
    Signature,
    SameIp,
    SrcIp,
    SrcPort,
    TcpState,
    UdpState,
    Active,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Eof,
    /// One of `! ] [ { } & : , -`.
    Char(u8),
    Comp,
    Prot,
    Bool(bool),
    /// A TCP/UDP state; whether it is `established`.
    StateSym(bool),
    IpOptionSym,
    Kw(Kw),
    PatternType(&'static str),
    Int(u32),
    Ip,
    Ip6,
    Str(Vec<u8>),
    Ident(String),
    Pattern(Vec<u8>),
    PolicySymbol(String),
}

fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "ip" | "ip6" | "icmp" | "icmp6" | "tcp" | "udp" => Tok::Prot,
        "true" => Tok::Bool(true),
        "false" => Tok::Bool(false),
        "established" => Tok::StateSym(true),
        "originator" | "responder" | "stateless" => Tok::StateSym(false),
        "lsrr" | "lsrre" | "rr" | "ssrr" => Tok::IpOptionSym,
        "disable" => Tok::Kw(Kw::Disable),
        "dst-ip" => Tok::Kw(Kw::DstIp),
        "dst-port" => Tok::Kw(Kw::DstPort),
        "enable" => Tok::Kw(Kw::Enable),
        "eval" => Tok::Kw(Kw::Eval),
        "event" => Tok::Kw(Kw::Event),
        "file-mime" => Tok::Kw(Kw::Mime),
        "header" => Tok::Kw(Kw::Header),
        "ip-options" => Tok::Kw(Kw::IpOptions),
        "ip-proto" => Tok::Kw(Kw::IpProto),
        "payload-size" => Tok::Kw(Kw::PayloadSize),
        "requires-signature" => Tok::Kw(Kw::RequiresSignature),
        "requires-reverse-signature" => Tok::Kw(Kw::RequiresReverseSignature),
        "signature" => Tok::Kw(Kw::Signature),
        "same-ip" => Tok::Kw(Kw::SameIp),
        "src-ip" => Tok::Kw(Kw::SrcIp),
        "src-port" => Tok::Kw(Kw::SrcPort),
        "tcp-state" => Tok::Kw(Kw::TcpState),
        "udp-state" => Tok::Kw(Kw::UdpState),
        "active" => Tok::Kw(Kw::Active),
        "file-magic" => Tok::PatternType("file-magic"),
        "payload" => Tok::PatternType("payload"),
        "http-request" | "http" => Tok::PatternType("http-request"),
        "http-request-body" => Tok::PatternType("http-request-body"),
        "http-reply-body" | "http-body" => Tok::PatternType("http-reply-body"),
        "http-request-header" => Tok::PatternType("http-request-header"),
        "http-reply-header" => Tok::PatternType("http-reply-header"),
        "ftp" => Tok::PatternType("ftp"),
        "finger" => Tok::PatternType("finger"),
        _ => return None,
    })
}

/// Messages of one read: errors (`reporter->Error`) and warnings.
#[derive(Default)]
pub(crate) struct Reports {
    pub(crate) errors: Vec<String>,
    pub(crate) warnings: Vec<String>,
}

struct Lexer<'a> {
    text: &'a [u8],
    pos: usize,
    /// Newlines scanned so far (`rules_line_number`).
    line: usize,
    file: &'a str,
}

impl<'a> Lexer<'a> {
    fn error(&self, rep: &mut Reports, msg: &str, addl: Option<&str>) {
        let line = self.line + 1;
        rep.errors.push(match addl {
            Some(a) => format!("Error in signature ({}:{line}): {msg} ({a})\n", self.file),
            None => format!("Error in signature ({}:{line}): {msg}\n", self.file),
        });
    }

    fn at(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(0)
    }

    fn digits(&self, mut i: usize) -> usize {
        while self.at(i).is_ascii_digit() {
            i += 1;
        }
        i
    }

    fn ows(&self, mut i: usize) -> usize {
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        i
    }

    /// `\.[^ \t]+{WS}[^\r\n]+`: the end of a meta-data line at `pos`.
    fn meta(&self) -> Option<usize> {
        let mut i = self.pos + 1;
        while i < self.text.len() && !matches!(self.text[i], b' ' | b'\t') {
            i += 1;
        }
        if i == self.pos + 1 || i >= self.text.len() {
            return None;
        }
        // One blank, then at least one more character of the line.
        i += 1;
        let start = i;
        while i < self.text.len() && !matches!(self.text[i], b'\r' | b'\n') {
            i += 1;
        }
        (i > start).then_some(i)
    }

    /// The end of an address ending at `i`, with its `{OWS}"/"{OWS}{D}`
    /// prefix length if one follows.
    fn prefix_len(&self, i: usize) -> usize {
        let j = self.ows(i);
        if self.at(j) == b'/' {
            let k = self.ows(j + 1);
            if self.at(k).is_ascii_digit() {
                return self.digits(k);
            }
        }
        i
    }

    /// `{D}("."{D}){3}`, optionally `{OWS}"/"{OWS}{D}`: the end.
    fn ipv4(&self) -> Option<usize> {
        let mut i = self.digits(self.pos);
        for _ in 0..3 {
            if self.at(i) != b'.' || !self.at(i + 1).is_ascii_digit() {
                return None;
            }
            i = self.digits(i + 1);
        }
        Some(self.prefix_len(i))
    }

    /// `{IP6}` (a bracketed IPv6 address), optionally with a prefix
    /// length: the end.
    fn ipv6(&self) -> Option<usize> {
        let mut i = self.pos + 1;
        while self.at(i).is_ascii_hexdigit() || matches!(self.at(i), b':' | b'.' | b'x') {
            i += 1;
        }
        if self.at(i) != b']' {
            return None;
        }
        let inner = &self.text[self.pos + 1..i];
        let colons = inner.iter().filter(|&&c| c == b':').count();
        let double = inner.windows(2).any(|w| w == b"::");
        let hexish = |s: &[u8]| {
            s.iter()
                .all(|c| c.is_ascii_hexdigit() || *c == b':' || *c == b'.')
        };
        let ok = if inner.starts_with(b"0x") {
            double && hexish(&inner[2..])
        } else {
            hexish(inner)
                && ((colons == 7 && !inner.contains(&b'.')) || double)
                && (!inner.contains(&b'.') || inner.iter().filter(|&&c| c == b'.').count() == 3)
        };
        if !ok {
            return None;
        }
        Some(self.prefix_len(i + 1))
    }

    /// `{STRING}`: the end (after the closing quote) of the longest match.
    fn string(&self) -> Option<usize> {
        let mut end = None;
        let mut i = self.pos + 1;
        while i < self.text.len() {
            match self.text[i] {
                b'\r' | b'\n' => break,
                b'"' if self.text[i - 1] == b'\\' && i - 1 > self.pos => end = Some(i + 1),
                b'"' => return Some(i + 1),
                _ => {}
            }
            i += 1;
        }
        end
    }

    /// `{RE}`: the end (after the closing slash and any `i`) of the
    /// longest match.
    fn regex(&self) -> Option<usize> {
        let mut end = None;
        let mut i = self.pos + 1;
        while i < self.text.len() {
            if self.text[i] == b'/' {
                let escaped = self.text[i - 1] == b'\\'
                    && (i - 1 == self.pos + 1 || self.text[i - 2] != b'\\');
                if !escaped {
                    end = Some(i + 1);
                    break;
                }
                end = Some(i + 1);
            }
            i += 1;
        }
        end.map(|e| if self.at(e) == b'i' { e + 1 } else { e })
    }

    fn word_end(&self, ps: bool) -> usize {
        let part = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || (!ps && c == b'-');
        let mut i = self.pos;
        loop {
            i += 1;
            while part(self.at(i)) {
                i += 1;
            }
            let c = self.at(i + 2);
            if self.at(i) == b':'
                && self.at(i + 1) == b':'
                && (c.is_ascii_alphabetic() || c == b'_')
            {
                i += 2;
                continue;
            }
            return i;
        }
    }

    /// The next token and its text; `ps` scans a policy-layer symbol
    /// (after `eval`).
    fn next(&mut self, ps: bool, rep: &mut Reports) -> (Tok, String) {
        loop {
            let Some(&c) = self.text.get(self.pos) else {
                return (Tok::Eof, String::new());
            };
            let start = self.pos;
            let text = |end: usize| String::from_utf8_lossy(&self.text[start..end]).into_owned();
            match c {
                b'#' => {
                    while self.pos < self.text.len() && self.text[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                    continue;
                }
                b' ' | b'\t' => {
                    self.pos += 1;
                    continue;
                }
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                    continue;
                }
                b'\r' if self.at(self.pos + 1) == b'\n' => {
                    self.line += 1;
                    self.pos += 2;
                    continue;
                }
                b'.' => {
                    if let Some(e) = self.meta() {
                        self.pos = e;
                        continue;
                    }
                }
                _ => {}
            }
            let tok = if ps {
                if c.is_ascii_alphabetic() || c == b'_' {
                    let e = self.word_end(true);
                    Some((e, Tok::PolicySymbol(text(e))))
                } else {
                    None
                }
            } else {
                match c {
                    b'[' => Some(match self.ipv6() {
                        Some(e) => (e, Tok::Ip6),
                        None => (start + 1, Tok::Char(c)),
                    }),
                    b'!' if self.at(start + 1) == b'=' => Some((start + 2, Tok::Comp)),
                    b'!' | b']' | b'{' | b'}' | b'&' | b':' | b',' | b'-' => {
                        Some((start + 1, Tok::Char(c)))
                    }
                    b'<' | b'>' | b'=' => {
                        let e = if self.at(start + 1) == b'=' {
                            start + 2
                        } else {
                            start + 1
                        };
                        Some((e, Tok::Comp))
                    }
                    b'0'..=b'9' => Some(if let Some(e) = self.ipv4() {
                        (e, Tok::Ip)
                    } else if c == b'0'
                        && self.at(start + 1) == b'x'
                        && self.at(start + 2).is_ascii_hexdigit()
                    {
                        let mut e = start + 2;
                        while self.at(e).is_ascii_hexdigit() {
                            e += 1;
                        }
                        let v = u64::from_str_radix(&text(e)[2..], 16).unwrap_or(u64::MAX);
                        (e, Tok::Int(v as u32))
                    } else {
                        let e = self.digits(start);
                        let v = text(e).parse::<u64>().unwrap_or(u64::MAX);
                        (e, Tok::Int(v as u32))
                    }),
                    b'"' => self.string().map(|e| {
                        let s = self.text[start + 1..e - 1].to_vec();
                        (e, Tok::Str(s))
                    }),
                    b'/' => self.regex().map(|e| {
                        let re = if self.text[e - 1] == b'i' {
                            let mut s = b"(?i:".to_vec();
                            s.extend_from_slice(&self.text[start + 1..e - 2]);
                            s.push(b')');
                            s
                        } else {
                            self.text[start + 1..e - 1].to_vec()
                        };
                        (e, Tok::Pattern(re))
                    }),
                    c if c.is_ascii_alphabetic() || c == b'_' => {
                        let e = self.word_end(false);
                        let w = text(e);
                        Some((e, keyword(&w).unwrap_or(Tok::Ident(w))))
                    }
                    _ => None,
                }
            };
            match tok {
                Some((e, t)) => {
                    self.pos = e;
                    return (t, text(e));
                }
                None => {
                    // `<*>.`: report the character and go on.
                    let ch = String::from_utf8_lossy(&self.text[start..start + 1]).into_owned();
                    self.error(rep, "unrecognized character in input", Some(&ch));
                    self.pos += 1;
                }
            }
        }
    }
}

// ----------------------------------------------------------------- parser

struct Parser<'a, 'b> {
    lx: Lexer<'a>,
    look: Option<(Tok, String)>,
    lookup: &'b mut dyn FnMut(&str) -> IdVal,
    rep: &'b mut Reports,
}

/// A syntax error: the file's parse stops (the grammar has no error
/// recovery).
struct Abort;

impl Parser<'_, '_> {
    fn peek(&mut self) -> &Tok {
        if self.look.is_none() {
            self.look = Some(self.lx.next(false, self.rep));
        }
        &self.look.as_ref().expect("just scanned").0
    }

    fn bump(&mut self) -> (Tok, String) {
        self.peek();
        self.look.take().expect("just scanned")
    }

    fn error(&mut self, msg: &str, addl: Option<&str>) {
        self.lx.error(self.rep, msg, addl);
    }

    fn syntax_error<T>(&mut self) -> Result<T, Abort> {
        self.error("syntax error", None);
        Err(Abort)
    }

    fn expect_char(&mut self, c: u8, hdr: &mut Vec<String>) -> Result<(), Abort> {
        if *self.peek() == Tok::Char(c) {
            hdr.push(self.bump().1);
            Ok(())
        } else {
            self.syntax_error()
        }
    }

    fn lookup(&mut self, id: &str) -> IdVal {
        let v = (self.lookup)(id);
        if let IdVal::Missing = v {
            self.error("unknown script-level identifier", Some(id));
        }
        v
    }

    /// `id_to_str`.
    fn id_to_str(&mut self, id: &str) -> Vec<u8> {
        match self.lookup(id) {
            IdVal::Missing => b"<error>".to_vec(),
            IdVal::Str(s) => s,
            _ => {
                self.error("Identifier must refer to string", None);
                b"<error>".to_vec()
            }
        }
    }

    /// `id_to_uint`.
    fn id_to_uint(&mut self, id: &str) -> u64 {
        match self.lookup(id) {
            IdVal::Missing => 0,
            IdVal::Uint(v) => v,
            _ => {
                self.error("Identifier must refer to integer", None);
                0
            }
        }
    }

    /// `val_to_maskedval`: false for a value of the wrong type.
    fn masked_val(&mut self, v: &IdVal, prefixes: bool) -> bool {
        match v {
            IdVal::Uint(_) => true,
            IdVal::Subnet(v4) => {
                if !prefixes && !v4 {
                    self.error("IPv6 subnets not supported", None);
                }
                true
            }
            _ => {
                self.error("Wrong type of identifier", None);
                false
            }
        }
    }

    /// `id_to_maskedvallist`.
    fn id_to_masked_list(&mut self, id: &str, prefixes: bool) {
        match self.lookup(id) {
            IdVal::Missing => {}
            IdVal::Elems(vals) => {
                for v in &vals {
                    if !self.masked_val(v, prefixes) {
                        return;
                    }
                }
            }
            v => {
                self.masked_val(&v, prefixes);
            }
        }
    }

    /// `integer`: a number or a script-level constant.
    fn integer(&mut self, hdr: &mut Vec<String>) -> Result<u64, Abort> {
        match self.peek().clone() {
            Tok::Int(v) => {
                hdr.push(self.bump().1);
                Ok(u64::from(v))
            }
            Tok::Ident(id) => {
                hdr.push(self.bump().1);
                Ok(self.id_to_uint(&id))
            }
            _ => self.syntax_error(),
        }
    }

    /// `range`: `integer` or `integer ':' integer`.
    fn range(&mut self, hdr: &mut Vec<String>) -> Result<(), Abort> {
        self.integer(hdr)?;
        if *self.peek() == Tok::Char(b':') {
            hdr.push(self.bump().1);
            self.integer(hdr)?;
        }
        Ok(())
    }

    /// `value_list`: values, `A-B` ranges and identifiers, by commas.
    fn value_list(&mut self, hdr: &mut Vec<String>) -> Result<(), Abort> {
        loop {
            match self.peek().clone() {
                Tok::Int(_) => {
                    hdr.push(self.bump().1);
                    if *self.peek() == Tok::Char(b'-') {
                        hdr.push(self.bump().1);
                        match self.peek() {
                            Tok::Int(_) => hdr.push(self.bump().1),
                            _ => return self.syntax_error(),
                        }
                    }
                }
                Tok::Ip => hdr.push(self.bump().1),
                Tok::Ident(id) => {
                    hdr.push(self.bump().1);
                    self.id_to_masked_list(&id, false);
                }
                _ => return self.syntax_error(),
            }
            if *self.peek() != Tok::Char(b',') {
                return Ok(());
            }
            hdr.push(self.bump().1);
        }
    }

    /// `prefix_value_list`: addresses, subnets and identifiers.
    fn prefix_value_list(&mut self, hdr: &mut Vec<String>) -> Result<(), Abort> {
        loop {
            match self.peek().clone() {
                Tok::Ip | Tok::Ip6 => hdr.push(self.bump().1),
                Tok::Ident(id) => {
                    hdr.push(self.bump().1);
                    self.id_to_masked_list(&id, true);
                }
                _ => return self.syntax_error(),
            }
            if *self.peek() != Tok::Char(b',') {
                return Ok(());
            }
            hdr.push(self.bump().1);
        }
    }

    /// `state_list` and `ipoption_list`: symbols by commas; whether
    /// `established` is among them.
    fn symbol_list(&mut self, states: bool) -> Result<bool, Abort> {
        let mut established = false;
        loop {
            match (self.peek().clone(), states) {
                (Tok::StateSym(e), true) => {
                    established |= e;
                    self.bump();
                }
                (Tok::IpOptionSym, false) => {
                    self.bump();
                }
                _ => return self.syntax_error(),
            }
            if *self.peek() != Tok::Char(b',') {
                return Ok(established);
            }
            self.bump();
        }
    }

    fn comp(&mut self, hdr: &mut Vec<String>) -> Result<(), Abort> {
        match self.peek() {
            Tok::Comp => {
                hdr.push(self.bump().1);
                Ok(())
            }
            _ => self.syntax_error(),
        }
    }

    /// `string`: a string or a script-level string constant.
    fn string(&mut self) -> Result<Vec<u8>, Abort> {
        match self.bump().0 {
            Tok::Str(s) => Ok(s),
            Tok::Ident(id) => Ok(self.id_to_str(&id)),
            _ => self.syntax_error(),
        }
    }

    /// `pattern`: a regular expression or a script-level string constant.
    fn pattern(&mut self) -> Result<Vec<u8>, Abort> {
        match self.bump().0 {
            Tok::Pattern(p) => Ok(p),
            Tok::Ident(id) => Ok(self.id_to_str(&id)),
            _ => self.syntax_error(),
        }
    }

    fn attr(&mut self, sig: &mut Sig) -> Result<(), Abort> {
        let (tok, text) = self.bump();
        let mut hdr = vec![text];
        match tok {
            Tok::Kw(Kw::DstIp | Kw::SrcIp) => {
                self.comp(&mut hdr)?;
                self.prefix_value_list(&mut hdr)?;
                sig.hdr.push(hdr.join(" "));
            }
            Tok::Kw(Kw::DstPort | Kw::SrcPort) => {
                self.comp(&mut hdr)?;
                self.value_list(&mut hdr)?;
                sig.hdr.push(hdr.join(" "));
            }
            Tok::Kw(Kw::Eval) => {
                // The policy symbol is scanned in its own start condition.
                debug_assert!(self.look.is_none());
                let (t, _) = self.lx.next(true, self.rep);
                let Tok::PolicySymbol(func) = t else {
                    return self.syntax_error();
                };
                match (self.lookup)(&func) {
                    IdVal::Missing => self.error("unknown identifier", Some(&func)),
                    IdVal::Func {
                        yields_bool,
                        args_ok,
                    } => {
                        if !yields_bool {
                            self.error("eval function type must yield a 'bool'", Some(&func));
                        }
                        if !args_ok {
                            self.error(
                                "eval function parameters must be a 'signature_state' and a 'string' type",
                                Some(&func),
                            );
                        }
                    }
                    _ => {}
                }
            }
            Tok::Kw(Kw::Header) => {
                match self.peek() {
                    Tok::Prot => hdr.push(self.bump().1),
                    _ => return self.syntax_error(),
                }
                self.expect_char(b'[', &mut hdr)?;
                self.range(&mut hdr)?;
                self.expect_char(b']', &mut hdr)?;
                if *self.peek() == Tok::Char(b'&') {
                    hdr.push(self.bump().1);
                    self.integer(&mut hdr)?;
                    self.comp(&mut hdr)?;
                    match self.peek() {
                        Tok::Int(_) | Tok::Ip => hdr.push(self.bump().1),
                        _ => return self.syntax_error(),
                    }
                } else {
                    self.comp(&mut hdr)?;
                    self.value_list(&mut hdr)?;
                }
                sig.hdr.push(hdr.join(" "));
            }
            Tok::Kw(Kw::IpOptions) => {
                self.symbol_list(false)?;
            }
            Tok::Kw(Kw::IpProto) => {
                self.comp(&mut hdr)?;
                if *self.peek() == Tok::Prot {
                    let (_, p) = self.bump();
                    // Outer IP headers are not matched: no test.
                    if p != "ip" && p != "ip6" {
                        hdr.push(p);
                        sig.hdr.push(hdr.join(" "));
                    }
                } else {
                    self.value_list(&mut hdr)?;
                    sig.hdr.push(hdr.join(" "));
                }
            }
            Tok::Kw(Kw::Event) => {
                self.string()?;
            }
            Tok::Kw(Kw::Mime) => {
                let mime = self.string()?;
                let mut strength = 0i64;
                if *self.peek() == Tok::Char(b',') {
                    self.bump();
                    let neg = *self.peek() == Tok::Char(b'-');
                    if neg {
                        self.bump();
                    }
                    match self.bump().0 {
                        Tok::Int(v) => {
                            let v = i64::from(v as i32);
                            strength = if neg { -v } else { v };
                        }
                        _ => return self.syntax_error(),
                    }
                }
                sig.mime = Some((strength, mime));
            }
            Tok::Kw(Kw::Enable | Kw::Disable) => match self.bump().0 {
                Tok::Str(_) => {}
                _ => return self.syntax_error(),
            },
            Tok::PatternType(t) => {
                if *self.peek() == Tok::Char(b'[') {
                    self.bump();
                    let mut scratch = Vec::new();
                    let offset = if *self.peek() == Tok::Char(b':') {
                        self.bump();
                        self.integer(&mut scratch)?;
                        0
                    } else {
                        let off = self.integer(&mut scratch)?;
                        if *self.peek() == Tok::Char(b':') {
                            self.bump();
                            if matches!(self.peek(), Tok::Int(_) | Tok::Ident(_)) {
                                self.integer(&mut scratch)?;
                            }
                        }
                        off
                    };
                    self.expect_char(b']', &mut scratch)?;
                    if offset > 0 {
                        self.rep
                            .warnings
                            .push("Offsets are currently ignored for patterns".to_owned());
                    }
                }
                let p = self.pattern()?;
                sig.patterns.push((t, p));
            }
            Tok::Kw(Kw::PayloadSize) => {
                self.comp(&mut hdr)?;
                self.integer(&mut hdr)?;
            }
            Tok::Kw(Kw::RequiresSignature | Kw::RequiresReverseSignature) => {
                if *self.peek() == Tok::Char(b'!') {
                    self.bump();
                }
                match self.bump().0 {
                    Tok::Ident(id) => sig.requires.push(id),
                    _ => return self.syntax_error(),
                }
            }
            Tok::Kw(Kw::SameIp) => {}
            Tok::Kw(Kw::TcpState) => {
                self.symbol_list(true)?;
            }
            Tok::Kw(Kw::UdpState) => {
                if self.symbol_list(true)? {
                    self.error("'established' is not a valid 'udp-state'", None);
                }
            }
            Tok::Kw(Kw::Active) => match self.bump().0 {
                Tok::Bool(b) => sig.active = b,
                _ => return self.syntax_error(),
            },
            _ => return self.syntax_error(),
        }
        Ok(())
    }

    fn rules(&mut self, out: &mut Vec<Sig>) -> Result<(), Abort> {
        loop {
            match self.bump().0 {
                Tok::Eof => return Ok(()),
                Tok::Kw(Kw::Signature) => {}
                _ => return self.syntax_error(),
            }
            let Tok::Ident(name) = self.bump().0 else {
                return self.syntax_error();
            };
            let mut sig = Sig {
                hdr: Vec::new(),
                patterns: Vec::new(),
                mime: None,
                active: true,
                name,
                file: self.lx.file.to_owned(),
                line: self.lx.line + 1,
                requires: Vec::new(),
            };
            if self.bump().0 != Tok::Char(b'{') {
                return self.syntax_error();
            }
            loop {
                match self.peek() {
                    Tok::Char(b'}') => {
                        self.bump();
                        break;
                    }
                    Tok::Kw(_) | Tok::PatternType(_) => self.attr(&mut sig)?,
                    _ => return self.syntax_error(),
                }
            }
            sig.hdr.sort();
            if out.iter().any(|s| s.name == sig.name) {
                self.error("rule defined twice", None);
            } else {
                out.push(sig);
            }
        }
    }
}

/// Parses one signature file into `out`, reporting into `rep`; `lookup`
/// resolves script-level identifiers. False on a syntax error.
pub(crate) fn parse_source(
    text: &[u8],
    file: &str,
    lookup: &mut dyn FnMut(&str) -> IdVal,
    out: &mut Vec<Sig>,
    rep: &mut Reports,
) -> bool {
    let mut p = Parser {
        lx: Lexer {
            text,
            pos: 0,
            line: 0,
            file,
        },
        look: None,
        lookup,
        rep,
    };
    p.rules(out).is_ok()
}

/// Parses signatures that name no script-level identifier (tests).
#[cfg(test)]
pub(crate) fn parse_file(text: &[u8], out: &mut Vec<Sig>) {
    let mut rep = Reports::default();
    parse_source(text, "<test>", &mut |_| IdVal::Missing, out, &mut rep);
}

/// A global's value as the signature parser sees it.
fn id_val(it: &Interp, name: &str) -> IdVal {
    let Some(gid) = it.prog.lookup(Symbol::intern(name)) else {
        return IdVal::Missing;
    };
    let g = &it.prog.globals[gid as usize];
    if let Some(f) = g.ty.as_ref().and_then(|t| t.func()) {
        let yields_bool = f
            .ret
            .as_ref()
            .is_some_and(|r| r.tag() == zest_runtime::types::Tag::Bool);
        let args_ok = f.params.len() == 2
            && f.params[0]
                .ty
                .name
                .borrow()
                .is_some_and(|n| n.as_str() == "signature_state")
            && f.params[1].ty.tag() == zest_runtime::types::Tag::String;
        return IdVal::Func {
            yields_bool,
            args_ok,
        };
    }
    fn conv(v: &Value) -> IdVal {
        match v {
            Value::String(s) => IdVal::Str(s.to_vec()),
            Value::Bool(b) => IdVal::Uint(u64::from(*b)),
            Value::Count(c) => IdVal::Uint(*c),
            Value::Int(i) => IdVal::Uint(*i as u64),
            Value::Enum(_, i) => IdVal::Uint(*i as u64),
            Value::Port(p) => IdVal::Uint(u64::from(p.num)),
            Value::Subnet(s) => IdVal::Subnet(s.prefix.is_v4()),
            Value::Table(t) => IdVal::Elems(
                t.borrow()
                    .keys_vec()
                    .iter()
                    .map(|k| match k.as_slice() {
                        [one] => conv(one),
                        _ => IdVal::Other,
                    })
                    .collect(),
            ),
            _ => IdVal::Other,
        }
    }
    conv(&g.value)
}

/// One signature file to read: its name as given, the file found for it,
/// and where it was loaded.
struct SigRequest {
    name: String,
    path: Option<std::path::PathBuf>,
    loc: Option<zest_runtime::ir::Loc>,
}

/// `RuleMatcher::ReadFiles`: reads the signature files the command line
/// (`-s`, `cmdline`), `signature_files` and the scripts' `@load-sigs`
/// name, in that order (`find` looks a name up on ZEEKPATH), reporting
/// Zeek's errors. False when Zeek stops: a file that cannot be opened, or
/// an error in a signature.
pub fn read_files(
    it: &mut Interp,
    cmdline: &[String],
    find: &dyn Fn(&str) -> Option<std::path::PathBuf>,
) -> bool {
    let script_files = it
        .prog
        .lookup(Symbol::intern("signature_files"))
        .map(|g| it.prog.globals[g as usize].value.as_bytes().to_vec())
        .unwrap_or_default();
    let script_files = script_files
        .split(|c| *c == b' ' || *c == b'\t')
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned());
    let mut requests: Vec<SigRequest> = cmdline
        .iter()
        .cloned()
        .chain(script_files)
        .map(|name| SigRequest {
            path: find(&name),
            name,
            loc: None,
        })
        .collect();
    requests.extend(it.prog.sig_loads.iter().map(|l| SigRequest {
        name: l.name.clone(),
        path: l.path.clone(),
        loc: l.loc,
    }));
    let mut sigs = Vec::new();
    let mut rep = Reports::default();
    for r in &requests {
        let Some(path) = &r.path else {
            it.error(
                r.loc,
                &format!("failed to find file associated with @load-sigs {}", r.name),
            );
            continue;
        };
        let Ok(text) = std::fs::read(path) else {
            it.error(None, &format!("Can't open signature file {}", r.name));
            return false;
        };
        let file = path.to_string_lossy().into_owned();
        let mut lookup = |name: &str| id_val(it, name);
        parse_source(&text, &file, &mut lookup, &mut sigs, &mut rep);
    }
    // `BuildRulesTree`: the signatures a signature requires must exist.
    if rep.errors.is_empty() {
        for s in sigs.iter().filter(|s| s.active) {
            if let Some(_missing) = s
                .requires
                .iter()
                .find(|r| !sigs.iter().any(|t| &t.name == *r))
            {
                rep.errors.push(format!(
                    "Error in signature {} ({}:{}): unknown rule referenced\n",
                    s.name, s.file, s.line
                ));
            }
        }
    }
    for w in &rep.warnings {
        it.report("warning", None, w);
    }
    for e in &rep.errors {
        it.error(None, e);
    }
    it.ext_mut::<Sigs>(KEY).sigs = sigs;
    rep.errors.is_empty()
}

/// Runs `f` on the signatures read at start-up.
pub(crate) fn with_sigs<R>(it: &mut Interp, f: impl FnOnce(&[Sig]) -> R) -> R {
    f(&it.ext_mut::<Sigs>(KEY).sigs)
}

/// Zeek's count of regular-expression matchers: per node of the rule
/// tree (signatures with the same header tests) and pattern type, one
/// matcher per group of up to `sig_max_group_size` + 1 patterns (and one
/// more when the last group is full, as `BuildPatternSets` does).
pub fn matcher_count(it: &mut Interp) -> u64 {
    let max_group = it
        .prog
        .lookup(Symbol::intern("sig_max_group_size"))
        .map_or(50, |g| it.prog.globals[g as usize].value.as_count());
    let st = it.ext_mut::<Sigs>(KEY);
    let mut groups: Vec<(&[String], &str, u64)> = Vec::new();
    for s in st.sigs.iter().filter(|s| s.active) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Sig>, Vec<String>) {
        let mut out = Vec::new();
        let mut rep = Reports::default();
        let mut lookup = |name: &str| match name {
            "s" => IdVal::Str(b"str".to_vec()),
            "n" => IdVal::Uint(5),
            "my_func" => IdVal::Func {
                yields_bool: true,
                args_ok: true,
            },
            _ => IdVal::Missing,
        };
        parse_source(text.as_bytes(), "f.sig", &mut lookup, &mut out, &mut rep);
        (out, rep.errors)
    }

    #[test]
    fn whole_language() {
        let (sigs, errs) = parse(
            r#"# comment
.meta data line
signature a-b {
  ip-proto == tcp
  src-ip == 10.0.0.0/8, [::1]/128
  dst-port = 80-82, 8080
  header ip[9:1] & 0xff != 6
  payload /GET \/ x/i
  http-request-header [:4] /Host/
  tcp-state established, originator
  file-mime "text/x", -20
  event "found"
  payload-size >= n
  requires-signature ! other
  active false
}
signature other { eval my_func same-ip enable "http" }
"#,
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(sigs.len(), 2);
        assert!(!sigs[0].active);
        assert_eq!(sigs[0].mime, Some((-20, b"text/x".to_vec())));
        assert_eq!(sigs[0].patterns[0].1, b"(?i:GET \\/ x)".to_vec());
        assert_eq!(sigs[0].hdr.len(), 4);
        assert_eq!(sigs[0].line, 3);
    }

    #[test]
    fn errors_with_zeek_text() {
        let (_, errs) = parse("invalid\n");
        assert_eq!(errs, ["Error in signature (f.sig:1): syntax error\n"]);
        let (_, errs) = parse("signature x {\n  event s\n  payload-size < k\n}\n");
        assert_eq!(
            errs,
            ["Error in signature (f.sig:3): unknown script-level identifier (k)\n"]
        );
        let (_, errs) = parse("signature x {\n event n }");
        assert_eq!(
            errs,
            ["Error in signature (f.sig:2): Identifier must refer to string\n"]
        );
        let (_, errs) = parse("signature x { } signature x { }");
        assert_eq!(errs, ["Error in signature (f.sig:1): rule defined twice\n"]);
        let (_, errs) = parse("signature x {\n udp-state established\n}");
        assert_eq!(
            errs,
            ["Error in signature (f.sig:3): 'established' is not a valid 'udp-state'\n"]
        );
        let (_, errs) = parse("signature x { ? }");
        assert_eq!(
            errs[0],
            "Error in signature (f.sig:1): unrecognized character in input (?)\n"
        );
        let (_, errs) = parse("signature x {\n payload\n");
        assert_eq!(errs, ["Error in signature (f.sig:3): syntax error\n"]);
    }

    /// Mutated and truncated inputs never panic the scanner or parser.
    #[test]
    fn malformed_inputs_do_not_panic() {
        let base = b"signature a {\n ip-proto == tcp\n src-ip == [::1]/64, 1.2.3.4/8\n \
            dst-port = 1-3, n\n header ip[9:1] & 0xff != 6\n payload [1:] /x\\/y/i\n \
            file-mime \"a\\\"b\", -5\n eval f\n requires-signature !b\n}\n.m x y\n# c\n";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"[]{}/\\\"!=<>-:,.&#\n\r\t x0123456789abcdefi";
        for round in 0..20_000 {
            let mut text = base.to_vec();
            for _ in 0..(next() % 6 + 1) {
                let at = (next() as usize) % (text.len() + 1);
                match next() % 3 {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    1 => text.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                    _ => text.truncate(at),
                }
            }
            if round % 7 == 0 {
                text.push(0xff);
            }
            let mut out = Vec::new();
            let mut rep = Reports::default();
            parse_source(&text, "f", &mut |_| IdVal::Other, &mut out, &mut rep);
        }
    }
}
