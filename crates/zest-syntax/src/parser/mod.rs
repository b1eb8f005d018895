//! The recursive-descent parser for Zeek 5.2 (`src/parse.y`).
//!
//! The parser is a stream: [`Parser::next_decl`] returns one top-level
//! declaration at a time, because in Zeek later input depends on earlier
//! declarations (`@if ( Cluster::is_enabled() )`, `@load` order). Conditional
//! directives are decided while scanning, through the caller's [`CondEval`],
//! and the inactive branch is skipped unparsed, exactly as Zeek's scanner
//! does. The lookahead token is fetched lazily, so nothing after a finished
//! declaration is scanned before the caller has processed it.
//!
//! Parsing never panics and never returns early with `Err`: syntax errors
//! are collected (Zeek reports only the first grammar error; the rich
//! renderer shows all), and the parser resynchronizes at the next
//! declaration.

mod decl;
mod expr;
mod stmt;
mod types;

use crate::ast::{Decl, Expr};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::lexer::{Lexer, SkipDirective, SkipStop, Token};
use crate::span::Span;
use crate::symbol::Symbol;
use crate::token::Tok;
use std::ops::{Deref, DerefMut};

/// Decides `@if`/`@ifdef`/`@ifndef` while parsing.
pub trait CondEval {
    /// Evaluates the expression of `@if ( expr )`. `None` means the
    /// expression could not be evaluated (Zeek: "invalid expression in @if"),
    /// which skips nothing. `locals` are the local names in scope where the
    /// directive is (inside a function body), which the expression may not
    /// reference.
    fn eval_if(&mut self, cond: &Expr, locals: &[Symbol]) -> Option<bool>;
    /// Whether `name` is a defined identifier or module (`@ifdef`).
    fn is_defined(&mut self, name: Symbol) -> bool;
}

/// A [`CondEval`] that takes every `@if` branch (and treats every name as
/// defined) or none of them. Used for parsing without semantics.
pub struct ConstCond(pub bool);

impl CondEval for ConstCond {
    fn eval_if(&mut self, _cond: &Expr, _locals: &[Symbol]) -> Option<bool> {
        Some(self.0)
    }
    fn is_defined(&mut self, _name: Symbol) -> bool {
        self.0
    }
}

/// Marker for "a grammar error was recorded; unwind to a sync point".
#[derive(Debug)]
pub(crate) struct Stop;

pub(crate) type PResult<T> = Result<T, Stop>;

/// The persistent state of a parse of one source file.
pub struct Parser<'a> {
    lx: Lexer<'a>,
    tok: Option<Token>,
    prev_end: u32,
    errors: Vec<SyntaxError>,
    /// Depth of `@if` nesting and the depths at which skipping began, as in
    /// `scan.l` (`conditional_depth`, `if_stack`).
    cond_depth: u32,
    /// Inside a `when` condition (`local` means `WHEN_LOCAL` there).
    in_when_cond: bool,
    /// Once a top-level statement was seen, only statements may follow.
    in_stmts: bool,
    /// Open `export {` blocks.
    export_depth: u32,
    /// Spans of the conditional directives processed so far (for `@if`:
    /// through its closing parenthesis), to reject them as statement bodies.
    directives: Vec<Span>,
    /// The list last closed ended in a trailing comma (`parse.y`'s
    /// `expr_list_has_opt_comma`: set by `opt_expr_list`'s comma, cleared
    /// when a list's first element is read).
    list_opt_comma: bool,
    /// Lists written with a trailing comma on the left of `=`, which Zeek
    /// reports (and its caller describes).
    lhs_trailing_commas: Vec<Span>,
    /// The local names declared so far in the function bodies being
    /// parsed (parameters, `local`, `const`, `for` variables): Zeek
    /// installs them while parsing, and an `@if` may not reference them.
    locals: Vec<Symbol>,
    /// Where each open function body's names begin in `locals`.
    func_marks: Vec<usize>,
    /// The names the current top-level declaration used as expressions
    /// that were no local at that point: Zeek resolves each while parsing,
    /// so one that does not exist stops it before a later syntax error.
    free_names: Vec<(Symbol, Span)>,
    /// Functions, events and hooks the current declaration defines.
    decl_names: Vec<Symbol>,
}

/// One call's view of the parser: the state plus the condition evaluator.
pub(crate) struct P<'p, 'a> {
    st: &'p mut Parser<'a>,
    ev: &'p mut dyn CondEval,
}

impl<'a> Deref for P<'_, 'a> {
    type Target = Parser<'a>;
    fn deref(&self) -> &Parser<'a> {
        self.st
    }
}

impl<'a> DerefMut for P<'_, 'a> {
    fn deref_mut(&mut self) -> &mut Parser<'a> {
        self.st
    }
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str) -> Self {
        Parser {
            lx: Lexer::new(src),
            tok: None,
            prev_end: 0,
            errors: Vec::new(),
            cond_depth: 0,
            in_when_cond: false,
            in_stmts: false,
            export_depth: 0,
            directives: Vec::new(),
            list_opt_comma: false,
            lhs_trailing_commas: Vec::new(),
            locals: Vec::new(),
            func_marks: Vec::new(),
            free_names: Vec::new(),
            decl_names: Vec::new(),
        }
    }

    /// Spans of the lists on the left of `=` written with a trailing comma
    /// since the last call (Zeek: "incorrect syntax for list expression on
    /// left-hand side of assignment: trailing comma not allowed").
    pub fn take_lhs_trailing_commas(&mut self) -> Vec<Span> {
        std::mem::take(&mut self.lhs_trailing_commas)
    }

    pub fn source(&self) -> &'a str {
        self.lx.source()
    }

    /// The next top-level declaration, or `None` at the end of input.
    pub fn next_decl(&mut self, ev: &mut dyn CondEval) -> Option<Decl> {
        let mut p = P { st: self, ev };
        loop {
            let t = p.peek();
            if t.tok == Tok::Eof {
                if p.export_depth > 0 {
                    p.export_depth = 0;
                    p.error_eof();
                }
                return None;
            }
            p.free_names.clear();
            p.decl_names.clear();
            match p.parse_top() {
                Ok(d) => return Some(d),
                Err(Stop) => p.recover_top(),
            }
        }
    }

    /// All syntax errors so far (scanner errors and grammar errors), in
    /// source order of discovery.
    pub fn errors(&self) -> Vec<SyntaxError> {
        let mut all = self.lx.errors.clone();
        all.extend(self.errors.iter().cloned());
        all.sort_by_key(|e| e.span.start);
        all
    }

    /// The first grammar error, which is where Zeek stops.
    pub fn first_fatal(&self) -> Option<&SyntaxError> {
        self.errors.first()
    }

    /// Scanner errors that Zeek reports before the first grammar error.
    pub fn scanner_errors(&self) -> &[SyntaxError] {
        &self.lx.errors
    }

    /// The names the declaration being parsed used as expressions before
    /// `pos` and that Zeek would look up as globals there (no local in
    /// scope, not the function it defines), in source order.
    pub fn free_names_before(&self, pos: u32) -> Vec<(Symbol, Span)> {
        self.free_names
            .iter()
            .filter(|(n, s)| s.end <= pos && !self.decl_names.contains(n))
            .copied()
            .collect()
    }

    /// `##!` comments of the file.
    pub fn file_docs(&self) -> &[String] {
        &self.lx.file_docs
    }
}

impl P<'_, '_> {
    // ------------------------------------------------------------ tokens

    /// The current lookahead token, scanning it if needed.
    pub(crate) fn peek(&mut self) -> Token {
        if let Some(t) = self.tok {
            return t;
        }
        let t = self.fetch();
        self.tok = Some(t);
        t
    }

    pub(crate) fn at(&mut self, tok: Tok) -> bool {
        self.peek().tok == tok
    }

    /// Consumes the lookahead token.
    pub(crate) fn bump(&mut self) -> Token {
        let t = self.peek();
        self.tok = None;
        self.prev_end = t.span.end;
        t
    }

    pub(crate) fn eat(&mut self, tok: Tok) -> bool {
        if self.at(tok) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, tok: Tok, what: &'static str) -> PResult<Token> {
        if self.at(tok) {
            Ok(self.bump())
        } else {
            Err(self.unexpected(what))
        }
    }

    pub(crate) fn text(&self, span: Span) -> &str {
        &self.lx.source()[span.range()]
    }

    pub(crate) fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.prev_end.max(start))
    }

    /// Records a grammar error at the lookahead token.
    pub(crate) fn unexpected(&mut self, expected: &'static str) -> Stop {
        let t = self.peek();
        if t.tok == Tok::Eof {
            self.error_eof();
        } else {
            let near = self.text(t.span).to_owned();
            self.errors.push(SyntaxError {
                kind: SyntaxErrorKind::Unexpected { near, expected },
                span: t.span,
            });
        }
        Stop
    }

    pub(crate) fn error_eof(&mut self) {
        let end = self.lx.source().len() as u32;
        self.errors.push(SyntaxError {
            kind: SyntaxErrorKind::UnexpectedEof,
            span: Span::new(end, end),
        });
    }

    pub(crate) fn error_at(&mut self, kind: SyntaxErrorKind, span: Span) {
        self.lx.errors.push(SyntaxError { kind, span });
    }

    /// Skips to a plausible start of the next declaration after an error.
    fn recover_top(&mut self) {
        let mut depth = 0i32;
        // Always make progress: the token the error was found at is skipped.
        let mut consumed = false;
        loop {
            let t = self.peek();
            match t.tok {
                Tok::Eof => return,
                Tok::LBrace => depth += 1,
                Tok::RBrace => {
                    depth -= 1;
                    if depth <= 0 {
                        self.bump();
                        if depth == 0 {
                            self.eat(Tok::Semi);
                        }
                        return;
                    }
                }
                Tok::Semi if depth <= 0 => {
                    self.bump();
                    return;
                }
                Tok::KwModule
                | Tok::KwGlobal
                | Tok::KwExport
                | Tok::KwType
                | Tok::KwRedef
                | Tok::KwOption
                    if depth <= 0 && consumed =>
                {
                    return
                }
                _ => {}
            }
            self.bump();
            consumed = true;
        }
    }

    /// Parses the body of `if`/`else`/`for`/`while`. A conditional directive
    /// in that position is Zeek's "incorrect use of directive": the body is
    /// then empty and what follows the directive is the next statement.
    /// `then_branch` selects where Zeek reports it: after an `if (…)` the
    /// parser has read one more token (the error is on its line); elsewhere
    /// it is on the directive's line.
    pub(crate) fn parse_body(&mut self, then_branch: bool) -> PResult<crate::ast::Stmt> {
        let before = self.directives.len();
        let t = self.peek();
        if self.directives.len() > before {
            let d = self.directives[before];
            let at = if then_branch {
                self.directives
                    .get(before + 1)
                    .copied()
                    .map_or(t.span, |n| Span::new(n.start, n.start))
            } else {
                Span::new(d.end.saturating_sub(1), d.end.saturating_sub(1))
            };
            self.error_at(SyntaxErrorKind::MisplacedDirective(String::new()), at);
            return Ok(crate::ast::Stmt {
                kind: crate::ast::StmtKind::Empty,
                span: d,
            });
        }
        self.parse_stmt()
    }

    // ------------------------------------------------------------ conditionals

    /// Scans the next token, handling `@if`/`@else`/`@endif` on the way.
    fn fetch(&mut self) -> Token {
        loop {
            let t = self.lx.next_token();
            match t.tok {
                Tok::AtIf | Tok::AtIfdef | Tok::AtIfndef => {
                    let keep = self.conditional_head(t.tok);
                    let end = self.lx.offset() as u32;
                    self.directives.push(Span::new(t.span.start, end));
                    self.cond_depth += 1;
                    if !keep {
                        self.skip_branch();
                    }
                }
                Tok::AtElse => {
                    self.directives.push(t.span);
                    if self.cond_depth == 0 {
                        self.error_at(SyntaxErrorKind::ElseWithoutIf, t.span);
                    }
                    // We were processing the branch before `@else`; skip the rest.
                    self.skip_branch();
                }
                Tok::AtEndif => {
                    self.directives.push(t.span);
                    if self.cond_depth == 0 {
                        self.error_at(SyntaxErrorKind::UnbalancedEndif, t.span);
                    } else {
                        self.cond_depth -= 1;
                    }
                }
                // At the end of the file every `@if` must be closed
                // (scan.l's yywrap).
                Tok::Eof if self.cond_depth > 0 => {
                    self.cond_depth = 0;
                    self.errors.push(SyntaxError {
                        kind: SyntaxErrorKind::UnterminatedIf,
                        span: t.span,
                    });
                    return t;
                }
                _ => return t,
            }
        }
    }

    /// Opens a function body's scope with its parameters; returns the mark
    /// to close it with.
    pub(crate) fn enter_func_scope(&mut self, params: &[crate::ast::Param]) -> usize {
        let mark = self.locals.len();
        self.func_marks.push(mark);
        self.locals.extend(params.iter().map(|p| p.name.sym));
        mark
    }

    pub(crate) fn leave_func_scope(&mut self, mark: usize) {
        self.func_marks.pop();
        self.locals.truncate(mark);
    }

    /// Records a local declared inside a function body.
    pub(crate) fn declare_local(&mut self, name: Symbol) {
        if !self.func_marks.is_empty() {
            self.locals.push(name);
        }
    }

    /// Parses `( expr )` or `( ID )` after a conditional directive and
    /// evaluates it. Only the tokens up to `)` are scanned.
    fn conditional_head(&mut self, kind: Tok) -> bool {
        let saved = self.tok.take();
        let saved_end = self.prev_end;
        let result = (|| -> PResult<bool> {
            self.expect(Tok::LParen, "'('")?;
            let keep = if kind == Tok::AtIf {
                let e = self.parse_expr()?;
                if !self.at(Tok::RParen) {
                    return Err(self.unexpected("')'"));
                }
                let locals = std::mem::take(&mut self.locals);
                let keep = self.ev.eval_if(&e, &locals).unwrap_or(true);
                self.locals = locals;
                keep
            } else {
                let id = self.expect(Tok::Id, "identifier")?;
                if !self.at(Tok::RParen) {
                    return Err(self.unexpected("')'"));
                }
                let sym = Symbol::intern(self.text(id.span));
                let defined = self.ev.is_defined(sym);
                if kind == Tok::AtIfdef {
                    defined
                } else {
                    !defined
                }
            };
            Ok(keep)
        })();
        // Drop the `)` lookahead without scanning past it.
        self.tok = saved;
        self.prev_end = saved_end;
        result.unwrap_or(true)
    }

    /// Skips input up to the `@else` or `@endif` that ends the current
    /// branch (`begin_ignoring` .. `resume_processing` in `scan.l`).
    fn skip_branch(&mut self) {
        let start_depth = self.cond_depth;
        let mut depth = start_depth;
        let stop = self.lx.skip_conditional(|d| match d {
            SkipDirective::If => {
                depth += 1;
                false
            }
            SkipDirective::Else => depth == start_depth,
            SkipDirective::Endif => {
                if depth == start_depth {
                    true
                } else {
                    depth -= 1;
                    false
                }
            }
        });
        // The directive that ended the skip is one the grammar sees.
        let end = self.lx.offset() as u32;
        match stop {
            SkipStop::Else => self.directives.push(Span::new(end.saturating_sub(5), end)),
            SkipStop::Endif => {
                self.directives.push(Span::new(end.saturating_sub(6), end));
                self.cond_depth = self.cond_depth.saturating_sub(1);
            }
            SkipStop::Eof => {}
        }
    }
}
