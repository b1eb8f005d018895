//! Diagnostics and their two renderings.
//!
//! One [`Diagnostic`] value is shown either exactly as Zeek 5.2 prints it
//! (`error in ./x.zeek, line 3: syntax error, at or near "}"`), which is
//! what btest baselines expect, or richly with source excerpts through
//! `ariadne` for people at a terminal (`zest check`).

use std::fmt::Write as _;
use zest_syntax::{LineIndex, Span, SyntaxError};

/// How Zeek labels a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Fatal,
    /// `expression error` (a run-time error in an expression).
    ExpressionError,
    /// `runtime error`.
    RuntimeError,
    /// `internal error`.
    Internal,
}

impl Severity {
    pub fn prefix(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Fatal => "fatal error",
            Severity::ExpressionError => "expression error",
            Severity::RuntimeError => "runtime error",
            Severity::Internal => "internal error",
        }
    }
}

/// A place in a source file: the name as Zeek shows it, the lines, and the
/// byte span when known (for the rich view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub first_line: u32,
    pub last_line: u32,
    pub span: Option<Span>,
}

impl Location {
    /// Zeek's `Location::Describe`: `FILE, line N` or `FILE, lines N-M`.
    pub fn describe(&self, out: &mut String) {
        if self.first_line == self.last_line || self.last_line == 0 {
            let _ = write!(out, "{}, line {}", self.file, self.first_line);
        } else {
            let _ = write!(
                out,
                "{}, lines {}-{}",
                self.file, self.first_line, self.last_line
            );
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Where; a second location gives Zeek's `A and B` form.
    pub loc: Option<Location>,
    pub loc2: Option<Location>,
    /// The message including any `(context)` suffix.
    pub message: String,
}

impl Diagnostic {
    pub fn new(severity: Severity, loc: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            loc,
            loc2: None,
            message: message.into(),
        }
    }

    /// The line exactly as Zeek writes it to stderr (without newline).
    pub fn zeek_text(&self) -> String {
        let mut s = String::from(self.severity.prefix());
        match (&self.loc, &self.loc2) {
            (Some(a), b) => {
                s.push_str(" in ");
                a.describe(&mut s);
                if let Some(b) = b {
                    s.push_str(" and ");
                    b.describe(&mut s);
                }
            }
            (None, Some(b)) => {
                s.push_str(" in ");
                b.describe(&mut s);
            }
            (None, None) => {}
        }
        s.push_str(": ");
        s.push_str(&self.message);
        s
    }

    /// A rich rendering with the source excerpt, for terminals.
    pub fn rich_text(&self, source: Option<&str>) -> String {
        use ariadne::{Config, Label, Report, ReportKind, Source};
        let (Some(loc), Some(src)) = (&self.loc, source) else {
            return self.zeek_text();
        };
        let Some(span) = loc.span else {
            return self.zeek_text();
        };
        let kind = match self.severity {
            Severity::Warning => ReportKind::Warning,
            _ => ReportKind::Error,
        };
        let file = loc.file.as_str();
        let range = span.range();
        let mut buf = Vec::new();
        let report = Report::build(kind, (file, range.clone()))
            .with_config(Config::default().with_color(false))
            .with_message(&self.message)
            .with_label(Label::new((file, range)).with_message(&self.message))
            .finish();
        if report.write((file, Source::from(src)), &mut buf).is_err() {
            return self.zeek_text();
        }
        String::from_utf8_lossy(&buf).into_owned()
    }
}

/// Converts a syntax error of `file` (as Zeek names it) into a diagnostic.
pub fn from_syntax(err: &SyntaxError, file: &str, lines: &LineIndex) -> Diagnostic {
    match err.kind {
        zest_syntax::SyntaxErrorKind::UnexpectedEof => {
            Diagnostic::new(Severity::Error, None, err.zeek_message(file))
        }
        _ => {
            let severity = if err.kind == zest_syntax::SyntaxErrorKind::UnterminatedIf {
                Severity::Fatal
            } else {
                Severity::Error
            };
            let line = lines.line(err.span.start);
            let loc = Location {
                file: file.to_owned(),
                first_line: line,
                last_line: line,
                span: Some(err.span),
            };
            Diagnostic::new(severity, Some(loc), err.zeek_message(file))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeek_forms() {
        let loc = |l1, l2| Location {
            file: "./a.zeek".into(),
            first_line: l1,
            last_line: l2,
            span: None,
        };
        let d = Diagnostic::new(
            Severity::Error,
            Some(loc(4, 4)),
            "syntax error, at or near \"f\"",
        );
        assert_eq!(
            d.zeek_text(),
            "error in ./a.zeek, line 4: syntax error, at or near \"f\""
        );
        let mut d = Diagnostic::new(Severity::Error, Some(loc(2, 2)), "already defined (x)");
        d.loc2 = Some(loc(3, 3));
        assert_eq!(
            d.zeek_text(),
            "error in ./a.zeek, line 2 and ./a.zeek, line 3: already defined (x)"
        );
        let d = Diagnostic::new(
            Severity::Error,
            Some(loc(9, 10)),
            "case block must end in break/fallthrough/return statement",
        );
        assert_eq!(d.zeek_text(), "error in ./a.zeek, lines 9-10: case block must end in break/fallthrough/return statement");
        let d = Diagnostic::new(
            Severity::Error,
            None,
            "syntax error, at end of file ./a.zeek",
        );
        assert_eq!(
            d.zeek_text(),
            "error: syntax error, at end of file ./a.zeek"
        );
    }
}
