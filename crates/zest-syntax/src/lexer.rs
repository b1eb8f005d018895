//! The scanner: logos tokens plus the context-dependent parts of Zeek's
//! `scan.l` (pattern bodies, `!in`, doc comments, `@if` skipping).

use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::span::Span;
use crate::token::Tok;
use logos::Logos;

/// A token with its byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// What a `@if`-skipping scan stopped at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipStop {
    Else,
    Endif,
    Eof,
}

/// The scanner over one source file.
pub struct Lexer<'a> {
    src: &'a str,
    inner: logos::Lexer<'a, Tok>,
    /// Offset of `inner`'s input within `src`.
    base: usize,
    /// `##` comments waiting for the next declaration.
    pub pre_docs: Vec<String>,
    /// `##<` comments waiting to be attached to the previous item.
    pub post_docs: Vec<String>,
    /// `##!` comments of the file.
    pub file_docs: Vec<String>,
    /// Lexical errors (reported, but scanning goes on, as in Zeek).
    pub errors: Vec<SyntaxError>,
}

fn doc_text(raw: &str, marker: usize) -> String {
    let t = &raw[marker..];
    t.strip_prefix(' ')
        .unwrap_or(t)
        .trim_end_matches('\r')
        .to_owned()
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            inner: Tok::lexer(src),
            base: 0,
            pre_docs: Vec::new(),
            post_docs: Vec::new(),
            file_docs: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn source(&self) -> &'a str {
        self.src
    }

    /// Current byte offset (just after the last token produced).
    pub fn offset(&self) -> usize {
        self.base + self.inner.span().end
    }

    /// Restarts scanning at byte offset `pos`.
    pub fn reset_to(&mut self, pos: usize) {
        let pos = pos.min(self.src.len());
        self.base = pos;
        self.inner = Tok::lexer(&self.src[pos..]);
    }

    /// The next significant token (comments and newlines skipped).
    pub fn next_token(&mut self) -> Token {
        loop {
            let Some(res) = self.inner.next() else {
                let end = self.src.len() as u32;
                return Token {
                    tok: Tok::Eof,
                    span: Span::new(end, end),
                };
            };
            let r = self.inner.span();
            let span = Span::new((self.base + r.start) as u32, (self.base + r.end) as u32);
            let tok = match res {
                Ok(t) => t,
                Err(()) => {
                    // Only the one character is unrecognized; scanning goes
                    // on right after it (an unterminated `"abc` scans `abc`).
                    let ch = self.src[span.range()].chars().next().unwrap_or('?');
                    let end = span.start + ch.len_utf8() as u32;
                    self.errors.push(SyntaxError {
                        kind: SyntaxErrorKind::UnrecognizedChar(ch),
                        span: Span::new(span.start, end),
                    });
                    if end < span.end {
                        self.reset_to(end as usize);
                    }
                    continue;
                }
            };
            match tok {
                Tok::Newline | Tok::Comment => {}
                Tok::DocPre => {
                    let text = doc_text(&self.src[span.range()], 2);
                    self.pre_docs.push(text);
                }
                Tok::DocPost => {
                    let text = doc_text(&self.src[span.range()], 3);
                    self.post_docs.push(text);
                }
                Tok::DocFile => {
                    let text = doc_text(&self.src[span.range()], 3);
                    self.file_docs.push(text);
                }
                Tok::NotIn => {
                    // Zeek's rule has trailing context `[^A-Za-z0-9]`.
                    let after = self.src.as_bytes().get(span.end as usize).copied();
                    match after {
                        Some(c) if !c.is_ascii_alphanumeric() => return Token { tok, span },
                        _ => {
                            self.reset_to(span.start as usize + 1);
                            return Token {
                                tok: Tok::Bang,
                                span: Span::new(span.start, span.start + 1),
                            };
                        }
                    }
                }
                _ => return Token { tok, span },
            }
        }
    }

    /// Scans a pattern body starting at `start` (just after the opening
    /// `/`). Returns the raw text span, the modes, and the span of the
    /// closing delimiter; scanning resumes after it.
    pub fn scan_pattern(&mut self, start: usize) -> PatternScan {
        let bytes = self.src.as_bytes();
        let mut i = start;
        loop {
            match bytes.get(i) {
                None => {
                    self.reset_to(i);
                    return PatternScan::Eof {
                        text: Span::new(start as u32, i as u32),
                    };
                }
                Some(b'/') => break,
                Some(b'\\') => {
                    // An escape: `\` and the next byte (if not a line end).
                    match bytes.get(i + 1) {
                        Some(b'\r' | b'\n') | None => i += 1,
                        Some(_) => i += 2,
                    }
                }
                Some(b'\n') => {
                    let text = Span::new(start as u32, i as u32);
                    self.errors.push(SyntaxError {
                        kind: SyntaxErrorKind::PatternNotTerminated,
                        span: text,
                    });
                    // Zeek stays in pattern mode: the next line is more
                    // pattern text, which the grammar does not accept.
                    let next_start = i + 1;
                    let mut j = next_start;
                    while j < bytes.len()
                        && bytes[j] != b'/'
                        && bytes[j] != b'\n'
                        && bytes[j] != b'\r'
                    {
                        j += 1;
                    }
                    self.reset_to(j);
                    return PatternScan::Unterminated {
                        text,
                        next_text: Span::new(next_start as u32, j as u32),
                    };
                }
                Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 1;
                }
                Some(_) => i += 1,
            }
        }
        let text = Span::new(start as u32, i as u32);
        let mut j = i + 1;
        let mut modes = Vec::new();
        while modes.len() < 2 {
            match bytes.get(j) {
                Some(&c @ (b'i' | b's')) => {
                    modes.push(c);
                    j += 1;
                }
                _ => break,
            }
        }
        self.reset_to(j);
        let close = Span::new(i as u32, j as u32);
        if modes.len() == 2 && modes[0] == modes[1] {
            self.errors.push(SyntaxError {
                kind: SyntaxErrorKind::DuplicatePatternMode(modes[0] as char),
                span: close,
            });
        }
        PatternScan::Ok {
            text,
            close,
            case_insensitive: modes.contains(&b'i'),
            single_line: modes.contains(&b's'),
        }
    }

    /// Skips input as Zeek's `IGNORE` scanner state does, from the current
    /// offset, until an `@else` or `@endif` at nesting depth zero (relative
    /// depth tracking is done by the caller through `on_nested`).
    pub fn skip_conditional(
        &mut self,
        mut on_directive: impl FnMut(SkipDirective) -> bool,
    ) -> SkipStop {
        let bytes = self.src.as_bytes();
        let mut i = self.offset();
        while i < bytes.len() {
            if bytes[i] != b'@' {
                i += 1;
                continue;
            }
            let rest = &bytes[i..];
            let (dir, len) = if rest.starts_with(b"@ifndef") {
                (SkipDirective::If, 7)
            } else if rest.starts_with(b"@ifdef") {
                (SkipDirective::If, 6)
            } else if rest.starts_with(b"@if") {
                (SkipDirective::If, 3)
            } else if rest.starts_with(b"@else") {
                (SkipDirective::Else, 5)
            } else if rest.starts_with(b"@endif") {
                (SkipDirective::Endif, 6)
            } else {
                i += 1;
                continue;
            };
            i += len;
            if on_directive(dir) {
                self.reset_to(i);
                return if dir == SkipDirective::Else {
                    SkipStop::Else
                } else {
                    SkipStop::Endif
                };
            }
        }
        self.reset_to(bytes.len());
        SkipStop::Eof
    }
}

/// A directive seen while skipping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipDirective {
    If,
    Else,
    Endif,
}

/// The result of [`Lexer::scan_pattern`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternScan {
    Ok {
        text: Span,
        close: Span,
        case_insensitive: bool,
        single_line: bool,
    },
    /// A line ended inside the pattern; `next_text` is the following line's
    /// text, which Zeek scans as more pattern text.
    Unterminated {
        text: Span,
        next_text: Span,
    },
    Eof {
        text: Span,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<(Tok, &str)> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token();
            if t.tok == Tok::Eof {
                break;
            }
            out.push((t.tok, &src[t.span.range()]));
        }
        out
    }

    #[test]
    fn literals() {
        assert_eq!(
            toks("1.2.3.4 10.0.0.0/8 [::1] [fe80::1]/64 80/tcp 5 min 3.5 0x1f www.example.com 42 1e3 T F x::y"),
            vec![
                (Tok::Ip4, "1.2.3.4"),
                (Tok::Ip4Subnet, "10.0.0.0/8"),
                (Tok::Ip6, "[::1]"),
                (Tok::Ip6Subnet, "[fe80::1]/64"),
                (Tok::Port, "80/tcp"),
                (Tok::Interval, "5 min"),
                (Tok::Double, "3.5"),
                (Tok::Hex, "0x1f"),
                (Tok::Hostname, "www.example.com"),
                (Tok::Count, "42"),
                (Tok::Double, "1e3"),
                (Tok::True, "T"),
                (Tok::False, "F"),
                (Tok::Id, "x::y"),
            ]
        );
    }

    #[test]
    fn not_in_needs_trailing_context() {
        assert_eq!(
            toks("a !in b"),
            vec![(Tok::Id, "a"), (Tok::NotIn, "!in"), (Tok::Id, "b")]
        );
        assert_eq!(toks("! infoo"), vec![(Tok::Bang, "!"), (Tok::Id, "infoo")]);
    }

    #[test]
    fn slice_is_not_ipv6() {
        assert_eq!(
            toks("v[1:2]"),
            vec![
                (Tok::Id, "v"),
                (Tok::LBracket, "["),
                (Tok::Count, "1"),
                (Tok::Colon, ":"),
                (Tok::Count, "2"),
                (Tok::RBracket, "]")
            ]
        );
    }

    #[test]
    fn docs_are_collected() {
        let mut lx = Lexer::new("##! file\n## pre\nglobal x: count; ##< post\n");
        let mut n = 0;
        while lx.next_token().tok != Tok::Eof {
            n += 1;
        }
        assert_eq!(n, 5);
        assert_eq!(lx.file_docs, vec!["file"]);
        assert_eq!(lx.pre_docs, vec!["pre"]);
        assert_eq!(lx.post_docs, vec!["post"]);
    }
}
