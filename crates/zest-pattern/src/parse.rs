//! The regex parser: Zeek's bison grammar `src/re-parse.y`, as recursive descent.
//!
//! ```text
//! flexrule  : re | error
//! re        : re '|' series | series | (empty)
//! series    : series singleton | singleton
//! singleton : singleton '*' | singleton '+' | singleton '?'
//!           | singleton '{' N ',' N '}' | singleton '{' N ',' '}' | singleton '{' N '}'
//!           | '.' | full_ccl | TOK_CCL | '"' string '"' | '(' re ')'
//!           | "(?i:" re ')' | "(?s:" re ')' | TOK_CHAR | '^' | '$'
//! full_ccl  : '[' ccl ']' | '[' '^' ccl ']'
//! ccl       : ccl CHAR '-' CHAR | ccl CHAR | ccl CCE | (empty)
//! string    : string CHAR | (empty)
//! ```
//!
//! Notable consequences: an empty alternative is allowed only first (`|a` parses, `a|` and
//! `a||b` do not); `+?` is `(a+)?`, not a lazy quantifier; `(?i:` and `(?s:` set a global flag
//! that the *first* closing parenthesis of such a group clears, so nesting them does not
//! restore the outer mode. The parser asks for a token only when bison would (its states after
//! `)` reduce without a lookahead), so those flags change at the same points as in Zeek.

use crate::diag::{Diagnostic, DiagnosticKind};
use crate::ir::{Node, SymSet, NUM_SYM, SYM_BOL, SYM_EOL, SYM_EPSILON};
use crate::scan::{Scanner, Tok};

/// Deepest group nesting accepted. Bison gives up ("memory exhausted") past 10000 stack
/// entries; this limit keeps our recursion (here, in lowering and in regex-automata) safe.
const MAX_NESTING: usize = 500;

/// Why parsing stopped.
#[derive(Debug)]
pub(crate) enum Abort {
    /// A syntax error (bison's `error` rule returns 1).
    Syntax,
    /// `bad symbol`: the grammar action returned 1 after reporting.
    BadSymbol,
}

/// The outcome of parsing one pattern text.
pub(crate) struct Parsed {
    /// The tree, or why there is none.
    pub(crate) node: Result<Node, Abort>,
    /// Messages reported along the way (without the final `error compiling pattern`).
    pub(crate) diags: Vec<Diagnostic>,
}

/// Parses one pattern text (already a C string: no NUL bytes).
pub(crate) fn parse(text: &[u8]) -> Parsed {
    let mut p = Parser {
        scan: Scanner::new(text),
        lookahead: None,
        depth: 0,
    };
    let node = p.parse_top();
    Parsed {
        node,
        diags: p.scan.diags,
    }
}

struct Parser<'t> {
    scan: Scanner<'t>,
    lookahead: Option<Tok>,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Tok {
        match self.lookahead {
            Some(t) => t,
            None => {
                let t = self.scan.next_token();
                self.lookahead = Some(t);
                t
            }
        }
    }

    /// Consumes the token already peeked (never scans ahead).
    fn bump(&mut self) {
        self.lookahead = None;
    }

    fn expect(&mut self, punct: u8) -> Result<(), Abort> {
        if self.peek() == Tok::Punct(punct) {
            self.bump();
            Ok(())
        } else {
            Err(Abort::Syntax)
        }
    }

    fn expect_number(&mut self) -> Result<i32, Abort> {
        match self.peek() {
            Tok::Number(n) => {
                self.bump();
                Ok(n)
            }
            _ => Err(Abort::Syntax),
        }
    }

    fn parse_top(&mut self) -> Result<Node, Abort> {
        let re = self.parse_re()?;
        match self.peek() {
            Tok::Eof => Ok(re),
            _ => Err(Abort::Syntax),
        }
    }

    fn starts_singleton(tok: Tok) -> bool {
        matches!(
            tok,
            Tok::Punct(b'.' | b'[' | b'"' | b'(' | b'^' | b'$')
                | Tok::Ccl(_)
                | Tok::CaseInsensitive
                | Tok::SingleLine
                | Tok::Char(_)
        )
    }

    fn parse_re(&mut self) -> Result<Node, Abort> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Abort::Syntax);
        }
        let mut alts = Vec::new();
        if Self::starts_singleton(self.peek()) {
            alts.push(self.parse_series()?);
        } else {
            alts.push(Node::Empty);
        }
        while self.peek() == Tok::Punct(b'|') {
            self.bump();
            if !Self::starts_singleton(self.peek()) {
                return Err(Abort::Syntax);
            }
            alts.push(self.parse_series()?);
        }
        self.depth -= 1;
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    fn parse_series(&mut self) -> Result<Node, Abort> {
        let mut items = vec![self.parse_singleton()?];
        while Self::starts_singleton(self.peek()) {
            items.push(self.parse_singleton()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::Empty)
        } else {
            Node::Concat(items)
        })
    }

    fn parse_singleton(&mut self) -> Result<Node, Abort> {
        let mut node = self.parse_atom()?;
        loop {
            node = match self.peek() {
                Tok::Punct(b'*') => {
                    self.bump();
                    node.repeat(0, None)
                }
                Tok::Punct(b'+') => {
                    self.bump();
                    node.repeat(1, None)
                }
                Tok::Punct(b'?') => {
                    self.bump();
                    node.repeat(0, Some(1))
                }
                Tok::Punct(b'{') => {
                    self.bump();
                    self.parse_counted(node)?
                }
                _ => return Ok(node),
            };
        }
    }

    /// The three `{...}` forms, after the `{`.
    fn parse_counted(&mut self, node: Node) -> Result<Node, Abort> {
        let lo = self.expect_number()?;
        match self.peek() {
            Tok::Punct(b',') => {
                self.bump();
                match self.peek() {
                    Tok::Number(hi) => {
                        self.bump();
                        self.expect(b'}')?;
                        Ok(if lo > hi || lo < 0 {
                            self.scan.synerr("bad iteration values");
                            node
                        } else if lo == 0 {
                            // `MakeRepl(1, hi)` then `MakeOptional`, or nothing for {0,0}.
                            node.repeat(0, Some(hi.unsigned_abs()))
                        } else {
                            node.repeat(lo.unsigned_abs(), Some(hi.unsigned_abs()))
                        })
                    }
                    Tok::Punct(b'}') => {
                        self.bump();
                        Ok(if lo < 0 {
                            self.scan.synerr("iteration value must be positive");
                            node
                        } else {
                            node.repeat(lo.unsigned_abs(), None)
                        })
                    }
                    _ => Err(Abort::Syntax),
                }
            }
            Tok::Punct(b'}') => {
                self.bump();
                Ok(if lo < 0 {
                    self.scan.synerr("iteration value must be positive");
                    node
                } else {
                    let n = lo.unsigned_abs();
                    node.repeat(n, Some(n))
                })
            }
            _ => Err(Abort::Syntax),
        }
    }

    fn parse_atom(&mut self) -> Result<Node, Abort> {
        let tok = self.peek();
        self.bump();
        match tok {
            Tok::Punct(b'.') => {
                let mut any = SymSet::default();
                if !self.scan.single_line {
                    any.add_byte(b'\n');
                }
                Ok(Node::Set(any.negated()))
            }
            Tok::Punct(b'[') => self.parse_full_ccl(),
            Tok::Ccl(id) => Ok(Node::Set(self.scan.ccls[id].members())),
            Tok::Punct(b'"') => {
                // Quoted text: never case-folded, and no symbol check.
                let mut items = Vec::new();
                loop {
                    match self.peek() {
                        Tok::Char(c) => {
                            self.bump();
                            items.push(Node::symbol(c));
                        }
                        Tok::Punct(b'"') => {
                            self.bump();
                            return Ok(Node::Concat(items));
                        }
                        _ => return Err(Abort::Syntax),
                    }
                }
            }
            Tok::Punct(b'(') => {
                let re = self.parse_re()?;
                self.expect(b')')?;
                Ok(re)
            }
            Tok::CaseInsensitive => {
                let re = self.parse_re()?;
                self.expect(b')')?;
                self.scan.case_insensitive = false;
                Ok(re)
            }
            Tok::SingleLine => {
                let re = self.parse_re()?;
                self.expect(b')')?;
                self.scan.single_line = false;
                Ok(re)
            }
            Tok::Char(sym) => {
                if sym < 0 || (sym >= NUM_SYM && sym != SYM_EPSILON) {
                    let msg = format!("bad symbol {sym}");
                    let d =
                        Diagnostic::compiling(DiagnosticKind::BadSymbol, &msg, self.scan.text());
                    self.scan.diags.push(d);
                    return Err(Abort::BadSymbol);
                }
                Ok(Node::symbol(sym))
            }
            Tok::Punct(b'^') => Ok(Node::symbol(SYM_BOL)),
            Tok::Punct(b'$') => Ok(Node::symbol(SYM_EOL)),
            _ => Err(Abort::Syntax),
        }
    }

    /// A class after its `[`; the class object was created by the scanner.
    fn parse_full_ccl(&mut self) -> Result<Node, Abort> {
        let id = self.scan.curr_ccl;
        let mut negate = false;
        if self.peek() == Tok::Punct(b'^') {
            self.bump();
            negate = true;
        }
        loop {
            match self.peek() {
                Tok::Char(c) => {
                    self.bump();
                    if self.peek() == Tok::Punct(b'-') {
                        self.bump();
                        let Tok::Char(d) = self.peek() else {
                            return Err(Abort::Syntax);
                        };
                        self.bump();
                        self.add_range(id, c, d);
                    } else {
                        self.add_char(id, c);
                    }
                }
                Tok::Cce(class) => {
                    self.bump();
                    for c in 0..=127u8 {
                        if class.contains(c) {
                            self.scan.ccls[id].set.add_byte(c);
                        }
                    }
                }
                Tok::Punct(b']') => {
                    self.bump();
                    break;
                }
                _ => return Err(Abort::Syntax),
            }
        }
        if negate {
            self.scan.ccls[id].negated = true;
        }
        Ok(Node::Set(self.scan.ccls[id].members()))
    }

    /// `ccl TOK_CHAR`.
    fn add_char(&mut self, id: usize, c: i32) {
        let set = &mut self.scan.ccls[id].set;
        if self.scan.case_insensitive && is_alpha(c) {
            set.add(c.to_ascii_lowercase_i32());
            set.add(c.to_ascii_uppercase_i32());
        } else {
            set.add(c);
        }
    }

    /// `ccl TOK_CHAR '-' TOK_CHAR`.
    fn add_range(&mut self, id: usize, lo: i32, hi: i32) {
        if lo > hi {
            self.scan.synerr("negative range in character class");
        } else if self.scan.case_insensitive && (is_alpha(lo) || is_alpha(hi)) {
            if is_alpha(lo) && is_alpha(hi) && is_upper(lo) == is_upper(hi) {
                let set = &mut self.scan.ccls[id].set;
                for c in lo.to_ascii_lowercase_i32()..=hi.to_ascii_lowercase_i32() {
                    set.add(c);
                    set.add(c.to_ascii_uppercase_i32());
                }
            } else {
                self.scan
                    .synerr("ambiguous case-insensitive character class");
            }
        } else {
            let set = &mut self.scan.ccls[id].set;
            for c in lo..=hi {
                set.add(c);
            }
        }
    }
}

/// C's `isalpha` in the C locale, on Zeek's symbol numbers.
fn is_alpha(c: i32) -> bool {
    u8::try_from(c).is_ok_and(|b| b.is_ascii_alphabetic())
}

/// C's `isupper` in the C locale, on Zeek's symbol numbers.
fn is_upper(c: i32) -> bool {
    u8::try_from(c).is_ok_and(|b| b.is_ascii_uppercase())
}

/// ASCII case mapping on symbol numbers (other values unchanged), like `tolower`/`toupper`.
trait AsciiCase {
    fn to_ascii_lowercase_i32(self) -> i32;
    fn to_ascii_uppercase_i32(self) -> i32;
}

impl AsciiCase for i32 {
    fn to_ascii_lowercase_i32(self) -> i32 {
        match u8::try_from(self) {
            Ok(b) => i32::from(b.to_ascii_lowercase()),
            Err(_) => self,
        }
    }

    fn to_ascii_uppercase_i32(self) -> i32 {
        match u8::try_from(self) {
            Ok(b) => i32::from(b.to_ascii_uppercase()),
            Err(_) => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node {
        let p = parse(text.as_bytes());
        assert!(p.diags.is_empty(), "{text}: {:?}", p.diags);
        p.node.unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn fails(text: &str) -> bool {
        parse(text.as_bytes()).node.is_err()
    }

    #[test]
    fn empty_alternative_only_first() {
        ok("|a");
        ok("()");
        assert!(fails("a|"));
        assert!(fails("a||b"));
        assert!(fails("(a|)"));
    }

    #[test]
    fn quantifiers_stack() {
        ok("a+?");
        ok("a**");
        ok("a{2}{3}");
        assert!(fails("*a"));
        assert!(fails("a{"));
        assert!(fails("a}"));
    }

    #[test]
    fn stray_brackets() {
        // A lone `[` at the end is a literal character; `]` always is.
        assert_eq!(ok("["), Node::symbol(i32::from(b'[')));
        assert_eq!(ok("]"), Node::symbol(i32::from(b']')));
    }

    #[test]
    fn iteration_errors_keep_the_operand() {
        let p = parse(b"a{3,1}");
        assert_eq!(p.node.ok(), Some(Node::symbol(i32::from(b'a'))));
        assert_eq!(
            p.diags[0].to_string(),
            "bad iteration values (compiling pattern /a{3,1}/)"
        );
    }

    #[test]
    fn nesting_limit() {
        let deep = format!(
            "{}a{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert!(fails(&deep));
        let ok_deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        ok(&ok_deep);
    }
}
