//! Messages Zeek reports while compiling a pattern, and the error type of [`crate::Pattern::new`].
//!
//! Zeek reports every problem through `reporter->Error`, so each [`Diagnostic`] is the text
//! after Zeek's `error in FILE, line N: ` prefix (the caller adds the location). Texts are
//! bytes because they quote the pattern, and patterns are byte strings.

use std::fmt;

use crate::Pattern;

/// What kind of problem a [`Diagnostic`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// A problem the regex scanner or parser reports and then carries on from
    /// (`synerr` in `src/re-parse.y`): `bad character class`, `missing quote`,
    /// `undefined definition`, ... The text ends in `(compiling pattern /TEXT/)`.
    Syntax,
    /// `bad hexadecimal escape: ` from `util::detail::expand_escape` (a `\x` without two hex
    /// digits); the escape stands for a NUL byte.
    BadEscape,
    /// `bad symbol N (compiling pattern /TEXT/)`: a byte above 127 outside a class or
    /// string (Zeek reads it as a negative `char`), or an octal escape above `\401`.
    /// Compilation stops; an [`DiagnosticKind::CompileFailed`] follows.
    BadSymbol,
    /// `error compiling pattern /TEXT/`: the text does not parse (or is too large to build).
    /// The matcher of that text is unusable: it behaves like Zeek's matcher without a DFA.
    CompileFailed,
}

/// One message Zeek would print (after its `error in ...: ` location prefix).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The kind of problem.
    pub kind: DiagnosticKind,
    /// The exact message bytes.
    pub message: Vec<u8>,
}

impl Diagnostic {
    pub(crate) fn new(kind: DiagnosticKind, message: Vec<u8>) -> Diagnostic {
        Diagnostic { kind, message }
    }

    /// `MSG (compiling pattern /TEXT/)`, the form of Zeek's `synerr` and `bad symbol`.
    pub(crate) fn compiling(kind: DiagnosticKind, msg: &str, text: &[u8]) -> Diagnostic {
        let mut m = Vec::with_capacity(msg.len() + text.len() + 24);
        m.extend_from_slice(msg.as_bytes());
        m.extend_from_slice(b" (compiling pattern /");
        m.extend_from_slice(text);
        m.extend_from_slice(b"/)");
        Diagnostic::new(kind, m)
    }

    /// `error compiling pattern /TEXT/`.
    pub(crate) fn compile_failed(text: &[u8]) -> Diagnostic {
        let mut m = b"error compiling pattern /".to_vec();
        m.extend_from_slice(text);
        m.push(b'/');
        Diagnostic::new(DiagnosticKind::CompileFailed, m)
    }

    /// Whether this message means a matcher could not be built.
    pub fn is_fatal(&self) -> bool {
        self.kind == DiagnosticKind::CompileFailed
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message))
    }
}

/// The result of building a pattern the way Zeek does: the pattern value Zeek would hold
/// (possibly with unusable matchers) and the messages it would report, in order.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The pattern value. If compilation failed it still renders its text and matches like
    /// Zeek's DFA-less matcher (see [`Pattern::is_usable`]).
    pub pattern: Pattern,
    /// Everything Zeek would report while compiling, in order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// `Ok` when Zeek would report nothing; a script literal with any message makes Zeek
    /// refuse to run the script.
    pub fn into_result(self) -> Result<Pattern, PatternError> {
        if self.diagnostics.is_empty() {
            Ok(self.pattern)
        } else {
            Err(PatternError {
                diagnostics: self.diagnostics,
                pattern: self.pattern,
            })
        }
    }
}

/// Compiling a pattern produced messages (see [`Diagnostic`]).
#[derive(Clone, Debug)]
pub struct PatternError {
    /// The messages, in the order Zeek prints them.
    pub diagnostics: Vec<Diagnostic>,
    /// The pattern value Zeek would have built anyway (it keeps running with it when the
    /// pattern came from `string_to_pattern` at run time).
    pub pattern: Pattern,
}

impl PatternError {
    /// Whether a matcher could not be built at all (`error compiling pattern`).
    pub fn is_fatal(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_fatal)
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            fmt::Display::fmt(d, f)?;
        }
        Ok(())
    }
}

impl std::error::Error for PatternError {}
