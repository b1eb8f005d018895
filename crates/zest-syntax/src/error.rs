//! Typed syntax errors.
//!
//! Each error knows the message Zeek 5.2 prints for it (without the
//! `error in FILE, line N: ` prefix, which the renderer adds).

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SyntaxErrorKind {
    /// The grammar does not accept the token; `near` is its source text.
    Unexpected {
        near: String,
        expected: &'static str,
    },
    /// Input ended inside a construct.
    UnexpectedEof,
    UnrecognizedChar(char),
    PatternNotTerminated,
    DuplicatePatternMode(char),
    BadPort(String),
    BadSubnetLength {
        v6: bool,
        len: String,
    },
    BadAddress(String),
    BadOctalEscape(String),
    BadHexEscape(String),
    /// `@else` with no open `@if`.
    ElseWithoutIf,
    /// `@endif` with no open `@if`.
    UnbalancedEndif,
    /// The input ended inside an `@if` (a fatal error in Zeek).
    UnterminatedIf,
    /// A directive where Zeek does not accept one.
    MisplacedDirective(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub span: Span,
}

impl SyntaxError {
    /// Whether Zeek stops parsing at this error (a grammar error), as
    /// opposed to reporting it and scanning on (a scanner error).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            SyntaxErrorKind::Unexpected { .. }
                | SyntaxErrorKind::UnexpectedEof
                | SyntaxErrorKind::UnterminatedIf
        )
    }

    /// Zeek's message text. `file` is the name used for end-of-file errors.
    pub fn zeek_message(&self, eof_file: &str) -> String {
        match &self.kind {
            SyntaxErrorKind::Unexpected { near, .. } => {
                format!("syntax error, at or near \"{near}\"")
            }
            SyntaxErrorKind::UnexpectedEof => format!("syntax error, at end of file {eof_file}"),
            SyntaxErrorKind::UnrecognizedChar(c) => {
                format!("unrecognized character: '{}'", escape_char(*c))
            }
            SyntaxErrorKind::PatternNotTerminated => {
                "pattern not terminated before end of line".into()
            }
            SyntaxErrorKind::DuplicatePatternMode(c) => format!("pattern has duplicate mode {c}"),
            SyntaxErrorKind::BadPort(t) => format!("bad port number - {t}"),
            SyntaxErrorKind::BadSubnetLength { v6, len } => {
                format!(
                    "Bad IPAddr(v{}) IPPrefix length : {len}",
                    if *v6 { 6 } else { 4 }
                )
            }
            SyntaxErrorKind::BadAddress(t) => format!("Bad IP address: {t}"),
            SyntaxErrorKind::BadOctalEscape(t) => format!("bad octal escape: {t}"),
            SyntaxErrorKind::BadHexEscape(t) => format!("bad hexadecimal escape: {t}"),
            SyntaxErrorKind::ElseWithoutIf => "@else without @if...".into(),
            SyntaxErrorKind::UnbalancedEndif | SyntaxErrorKind::UnterminatedIf => {
                "unbalanced @if... @endif".into()
            }
            SyntaxErrorKind::MisplacedDirective(_) => "incorrect use of directive".into(),
        }
    }

    /// A short description for rich rendering.
    pub fn label(&self) -> String {
        match &self.kind {
            SyntaxErrorKind::Unexpected { expected, .. } if !expected.is_empty() => {
                format!("expected {expected}")
            }
            _ => self.zeek_message("<input>"),
        }
    }
}

fn escape_char(c: char) -> String {
    if c.is_ascii_graphic() || c == ' ' {
        c.to_string()
    } else {
        let mut s = String::new();
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            s.push_str(&format!("\\x{b:02x}"));
        }
        s
    }
}
