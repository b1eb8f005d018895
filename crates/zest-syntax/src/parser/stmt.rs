//! Statements (`stmt` in `parse.y`).

use super::{PResult, P};
use crate::ast::{Block, Capture, Case, CaseLabel, ForVars, Stmt, StmtKind, VarDecl, When};
use crate::token::Tok;

impl P<'_, '_> {
    /// `{ stmt_list }`.
    pub(crate) fn parse_block(&mut self) -> PResult<Block> {
        let start = self.expect(Tok::LBrace, "'{'")?.span.start;
        let mut stmts = Vec::new();
        while !self.at(Tok::RBrace) {
            if self.at(Tok::Eof) {
                return Err(self.unexpected("'}'"));
            }
            stmts.push(self.parse_stmt()?);
        }
        self.bump();
        Ok(Block {
            stmts,
            span: self.span_from(start),
        })
    }

    fn stmt(&self, kind: StmtKind, start: u32) -> Stmt {
        Stmt {
            kind,
            span: self.span_from(start),
        }
    }

    pub(crate) fn parse_stmt(&mut self) -> PResult<Stmt> {
        let t = self.peek();
        let start = t.span.start;
        match t.tok {
            Tok::LBrace => {
                let b = self.parse_block()?;
                Ok(self.stmt(StmtKind::Block(b), start))
            }
            Tok::KwPrint => {
                self.bump();
                let list = self.parse_expr_list()?;
                self.expect(Tok::Semi, "';'")?;
                Ok(self.stmt(StmtKind::Print(list), start))
            }
            Tok::KwEvent => {
                self.bump();
                let ev = self.parse_event_call()?;
                self.expect(Tok::Semi, "';'")?;
                Ok(self.stmt(StmtKind::Event(ev), start))
            }
            Tok::KwIf => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let c = self.parse_expr()?;
                self.expect(Tok::RParen, "')'")?;
                let then = Box::new(self.parse_body(true)?);
                let els = if self.eat(Tok::KwElse) {
                    Some(Box::new(self.parse_body(false)?))
                } else {
                    None
                };
                Ok(self.stmt(StmtKind::If(c, then, els), start))
            }
            Tok::KwSwitch => {
                self.bump();
                let e = self.parse_expr()?;
                self.expect(Tok::LBrace, "'{'")?;
                let mut cases = Vec::new();
                while !self.eat(Tok::RBrace) {
                    cases.push(self.parse_case()?);
                }
                Ok(self.stmt(StmtKind::Switch(e, cases), start))
            }
            Tok::KwFor => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let vars = self.parse_for_vars()?;
                for v in vars.keys.iter().chain(&vars.value) {
                    self.declare_local(v.sym);
                }
                self.expect(Tok::KwIn, "'in'")?;
                let e = self.parse_expr()?;
                self.expect(Tok::RParen, "')'")?;
                let body = Box::new(self.parse_body(false)?);
                Ok(self.stmt(StmtKind::For(vars, e, body), start))
            }
            Tok::KwWhile => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let c = self.parse_expr()?;
                self.expect(Tok::RParen, "')'")?;
                let body = Box::new(self.parse_body(false)?);
                Ok(self.stmt(StmtKind::While(c, body), start))
            }
            Tok::KwNext | Tok::KwBreak | Tok::KwFallthrough => {
                self.bump();
                self.expect(Tok::Semi, "';'")?;
                let kind = match t.tok {
                    Tok::KwNext => StmtKind::Next,
                    Tok::KwBreak => StmtKind::Break,
                    _ => StmtKind::Fallthrough,
                };
                Ok(self.stmt(kind, start))
            }
            Tok::KwReturn => {
                self.bump();
                if self.at(Tok::KwWhen) {
                    return self.parse_when(start, true);
                }
                if self.eat(Tok::Semi) {
                    return Ok(self.stmt(StmtKind::Return(None), start));
                }
                let e = self.parse_expr()?;
                self.expect(Tok::Semi, "';'")?;
                Ok(self.stmt(StmtKind::Return(Some(e)), start))
            }
            Tok::KwAdd | Tok::KwDelete => {
                self.bump();
                let e = self.parse_expr()?;
                self.expect(Tok::Semi, "';'")?;
                let kind = if t.tok == Tok::KwAdd {
                    StmtKind::Add(e)
                } else {
                    StmtKind::Delete(e)
                };
                Ok(self.stmt(kind, start))
            }
            Tok::KwLocal | Tok::KwConst => {
                self.bump();
                let d = self.parse_var_rest()?;
                self.declare_local(d.name.sym);
                let kind = if t.tok == Tok::KwLocal {
                    StmtKind::Local(d)
                } else {
                    StmtKind::Const(d)
                };
                Ok(self.stmt(kind, start))
            }
            Tok::KwWhen => self.parse_when(start, false),
            Tok::Semi => {
                self.bump();
                Ok(self.stmt(StmtKind::Empty, start))
            }
            _ => {
                let e = self.parse_expr()?;
                self.expect(Tok::Semi, "';'")?;
                Ok(self.stmt(StmtKind::Expr(e), start))
            }
        }
    }

    /// `ID [: type] [init_class rhs] [attrs] ;` after `local`/`const`/
    /// `global`/...
    pub(crate) fn parse_var_rest(&mut self) -> PResult<VarDecl> {
        let name = self.parse_name()?;
        let ty = if self.eat(Tok::Colon) {
            Some(self.parse_type()?)
        } else {
            None
        };
        let op = match self.peek().tok {
            Tok::Assign => Some(crate::ast::AssignOp::Assign),
            Tok::AddTo => Some(crate::ast::AssignOp::AddTo),
            Tok::RemoveFrom => Some(crate::ast::AssignOp::RemoveFrom),
            _ => None,
        };
        let init = if op.is_some() {
            self.bump();
            Some(self.parse_rhs()?)
        } else if self.starts_init() {
            // `opt_init` may follow without an init class: `redef t["k"] = v;`
            // is `redef t` with the initializer `["k"] = v`.
            Some(self.parse_rhs()?)
        } else {
            None
        };
        let attrs = self.parse_opt_attrs()?;
        self.expect(Tok::Semi, "';'")?;
        Ok(VarDecl {
            name,
            ty,
            op,
            init,
            attrs,
        })
    }

    /// Whether the lookahead can begin an initializer (`rhs`).
    fn starts_init(&mut self) -> bool {
        let t = self.peek().tok;
        !matches!(t, Tok::Semi | Tok::Eof | Tok::RBrace) && !t.is_attr()
    }

    fn parse_for_vars(&mut self) -> PResult<ForVars> {
        let (keys, bracketed) = if self.eat(Tok::LBracket) {
            let mut keys = vec![self.parse_name()?];
            while self.eat(Tok::Comma) {
                keys.push(self.parse_name()?);
            }
            self.expect(Tok::RBracket, "']'")?;
            (keys, true)
        } else {
            (vec![self.parse_name()?], false)
        };
        let value = if self.eat(Tok::Comma) {
            Some(self.parse_name()?)
        } else {
            None
        };
        Ok(ForVars {
            keys,
            bracketed,
            value,
        })
    }

    fn parse_case(&mut self) -> PResult<Case> {
        let start = self.peek().span.start;
        let label = if self.eat(Tok::KwDefault) {
            CaseLabel::Default
        } else {
            self.expect(Tok::KwCase, "'case' or 'default'")?;
            if self.at(Tok::KwType) {
                let mut types = Vec::new();
                loop {
                    self.expect(Tok::KwType, "'type'")?;
                    let ty = self.parse_type()?;
                    let bind = if self.eat(Tok::KwAs) {
                        Some(self.parse_name()?)
                    } else {
                        None
                    };
                    types.push((ty, bind));
                    if !self.eat(Tok::Comma) {
                        break;
                    }
                }
                CaseLabel::Types(types)
            } else {
                CaseLabel::Values(self.parse_expr_list()?)
            }
        };
        self.expect(Tok::Colon, "':'")?;
        let mut body = Vec::new();
        while !matches!(
            self.peek().tok,
            Tok::KwCase | Tok::KwDefault | Tok::RBrace | Tok::Eof
        ) {
            body.push(self.parse_stmt()?);
        }
        Ok(Case {
            label,
            body,
            span: self.span_from(start),
        })
    }

    pub(crate) fn parse_opt_captures(&mut self) -> PResult<Option<Vec<Capture>>> {
        if !self.eat(Tok::LBracket) {
            return Ok(None);
        }
        let mut caps = Vec::new();
        loop {
            let deep_copy = self.eat(Tok::KwCopy);
            let name = self.parse_name()?;
            caps.push(Capture { name, deep_copy });
            if !self.eat(Tok::Comma) {
                break;
            }
        }
        self.expect(Tok::RBracket, "']'")?;
        Ok(Some(caps))
    }

    /// `[return] when [captures] ( cond ) stmt [timeout expr { stmts }]`.
    fn parse_when(&mut self, start: u32, is_return: bool) -> PResult<Stmt> {
        self.expect(Tok::KwWhen, "'when'")?;
        let captures = if self.at(Tok::LBracket) {
            self.bump();
            let mut caps = Vec::new();
            if !self.at(Tok::RBracket) {
                loop {
                    let deep_copy = self.eat(Tok::KwCopy);
                    let name = self.parse_name()?;
                    caps.push(Capture { name, deep_copy });
                    if !self.eat(Tok::Comma) {
                        break;
                    }
                }
            }
            self.expect(Tok::RBracket, "']'")?;
            Some(caps)
        } else {
            None
        };
        self.expect(Tok::LParen, "'('")?;
        let saved = self.in_when_cond;
        self.in_when_cond = true;
        let cond = self.parse_expr();
        self.in_when_cond = saved;
        let cond = cond?;
        self.expect(Tok::RParen, "')'")?;
        let body = Box::new(self.parse_stmt()?);
        let timeout = if self.eat(Tok::KwTimeout) {
            let e = self.parse_expr()?;
            let b = self.parse_block()?;
            Some((e, b))
        } else {
            None
        };
        let w = When {
            is_return,
            captures,
            cond,
            body,
            timeout,
        };
        Ok(self.stmt(StmtKind::When(Box::new(w)), start))
    }
}
