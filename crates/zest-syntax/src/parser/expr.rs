//! Expressions: precedence climbing over the levels of `parse.y`.
//!
//! Levels, lowest first (`%left`/`%right`/`%nonassoc` in `parse.y`):
//! assignment (2, right), `?:` (3, right), `||` (4), `&&` (5), `hook` (6,
//! prefix), comparisons (7, non-associative), `in`/`!in` (8), `|` (9), `^`
//! (10), `&` (11), shifts (12), `+ -` (13), `* / %` (14), `++ --` (15,
//! prefix), `! ~` and unary `- +` (16, prefix), postfix `$ [ ( ?$` (17),
//! `as`/`is` (18).

use super::{PResult, P};
use crate::ast::{AssignOp, BinOp, EventCall, Expr, ExprKind, Lambda, Literal, Name, UnOp};
use crate::error::SyntaxErrorKind;
use crate::lexer::PatternScan;
use crate::literal;
use crate::span::Span;
use crate::symbol::Symbol;
use crate::token::Tok;

const L_ASSIGN: u8 = 2;
const L_COND: u8 = 3;
const L_HOOK: u8 = 6;
const L_CMP: u8 = 7;
const L_INCR: u8 = 15;
const L_UNARY: u8 = 16;

fn binop(tok: Tok) -> Option<(BinOp, u8)> {
    Some(match tok {
        Tok::OrOr => (BinOp::Or, 4),
        Tok::AndAnd => (BinOp::And, 5),
        Tok::Eq => (BinOp::Eq, L_CMP),
        Tok::Ne => (BinOp::Ne, L_CMP),
        Tok::Lt => (BinOp::Lt, L_CMP),
        Tok::Le => (BinOp::Le, L_CMP),
        Tok::Gt => (BinOp::Gt, L_CMP),
        Tok::Ge => (BinOp::Ge, L_CMP),
        Tok::KwIn => (BinOp::In, 8),
        Tok::NotIn => (BinOp::NotIn, 8),
        Tok::Pipe => (BinOp::BitOr, 9),
        Tok::Caret => (BinOp::BitXor, 10),
        Tok::Amp => (BinOp::BitAnd, 11),
        Tok::Shl => (BinOp::Shl, 12),
        Tok::Shr => (BinOp::Shr, 12),
        Tok::Plus => (BinOp::Add, 13),
        Tok::Minus => (BinOp::Sub, 13),
        Tok::Star => (BinOp::Mul, 14),
        Tok::Slash => (BinOp::Div, 14),
        Tok::Percent => (BinOp::Mod, 14),
        _ => return None,
    })
}

/// Tokens that begin an operand and carry no operator precedence.
fn starts_plain_operand(tok: Tok) -> bool {
    matches!(
        tok,
        Tok::Id
            | Tok::Count
            | Tok::Double
            | Tok::Hex
            | Tok::Interval
            | Tok::Port
            | Tok::Ip4
            | Tok::Ip6
            | Tok::Ip4Subnet
            | Tok::Ip6Subnet
            | Tok::Hostname
            | Tok::String
            | Tok::True
            | Tok::False
            | Tok::KwSet
            | Tok::KwTable
            | Tok::KwVector
            | Tok::KwRecord
            | Tok::KwCopy
            | Tok::KwFunction
            | Tok::KwSchedule
            | Tok::AtDir
            | Tok::AtFilename
    )
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl P<'_, '_> {
    pub(crate) fn parse_expr(&mut self) -> PResult<Expr> {
        self.parse_expr_bp(0)
    }

    /// Parses an expression whose operators all bind at least as tightly as
    /// level `min`.
    pub(crate) fn parse_expr_bp(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.parse_prefix()?;
        loop {
            let t = self.peek();
            let start = lhs.span.start;
            match t.tok {
                Tok::Assign | Tok::AddTo | Tok::RemoveFrom if min <= L_ASSIGN => {
                    if t.tok == Tok::Assign
                        && self.list_opt_comma
                        && matches!(lhs.kind, ExprKind::List(_))
                    {
                        self.lhs_trailing_commas.push(lhs.span);
                    }
                    self.bump();
                    let op = match t.tok {
                        Tok::Assign => AssignOp::Assign,
                        Tok::AddTo => AssignOp::AddTo,
                        _ => AssignOp::RemoveFrom,
                    };
                    let rhs = self.parse_rhs()?;
                    let span = self.span_from(start);
                    lhs = Expr {
                        kind: ExprKind::Assign(op, bx(lhs), bx(rhs)),
                        span,
                    };
                }
                Tok::Question if min <= L_COND => {
                    self.bump();
                    let a = self.parse_expr_bp(0)?;
                    self.expect(Tok::Colon, "':'")?;
                    let b = self.parse_expr_bp(L_COND)?;
                    let span = self.span_from(start);
                    lhs = Expr {
                        kind: ExprKind::Cond(bx(lhs), bx(a), bx(b)),
                        span,
                    };
                }
                Tok::LBracket => {
                    self.bump();
                    lhs = self.parse_index(lhs)?;
                }
                Tok::Dollar => {
                    self.bump();
                    let name = self.parse_name()?;
                    let span = self.span_from(start);
                    lhs = Expr {
                        kind: ExprKind::Field(bx(lhs), name),
                        span,
                    };
                }
                Tok::HasField => {
                    self.bump();
                    let name = self.parse_name()?;
                    let span = self.span_from(start);
                    lhs = Expr {
                        kind: ExprKind::HasField(bx(lhs), name),
                        span,
                    };
                }
                Tok::LParen => {
                    self.bump();
                    let args = self.parse_opt_expr_list(Tok::RParen)?;
                    self.expect(Tok::RParen, "')'")?;
                    let span = self.span_from(start);
                    lhs = Expr {
                        kind: ExprKind::Call(bx(lhs), args),
                        span,
                    };
                }
                Tok::KwAs | Tok::KwIs => {
                    self.bump();
                    let ty = Box::new(self.parse_type()?);
                    let span = self.span_from(start);
                    let kind = if t.tok == Tok::KwAs {
                        ExprKind::As(bx(lhs), ty)
                    } else {
                        ExprKind::Is(bx(lhs), ty)
                    };
                    lhs = Expr { kind, span };
                }
                _ => {
                    let Some((op, level)) = binop(t.tok) else {
                        break;
                    };
                    if level < min {
                        break;
                    }
                    self.bump();
                    let rhs = self.parse_expr_bp(level + 1)?;
                    let span = self.span_from(start);
                    lhs = Expr {
                        kind: ExprKind::Binary(op, bx(lhs), bx(rhs)),
                        span,
                    };
                    if level == L_CMP {
                        // Comparisons do not associate.
                        if let Some((_, L_CMP)) = binop(self.peek().tok) {
                            return Err(self.unexpected("end of comparison"));
                        }
                    }
                }
            }
        }
        Ok(lhs)
    }

    /// The right side of `=`: `{ a, b, }` or an expression.
    pub(crate) fn parse_rhs(&mut self) -> PResult<Expr> {
        if self.at(Tok::LBrace) {
            let start = self.bump().span.start;
            let items = self.parse_opt_expr_list(Tok::RBrace)?;
            self.expect(Tok::RBrace, "'}'")?;
            Ok(Expr {
                kind: ExprKind::BraceList(items),
                span: self.span_from(start),
            })
        } else {
            self.parse_expr_bp(L_ASSIGN)
        }
    }

    /// After `expr [`: an index list or a slice.
    fn parse_index(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.span.start;
        if self.eat(Tok::Colon) {
            let hi = if self.at(Tok::RBracket) {
                None
            } else {
                Some(bx(self.parse_expr()?))
            };
            self.expect(Tok::RBracket, "']'")?;
            return Ok(Expr {
                kind: ExprKind::Slice(bx(base), None, hi),
                span: self.span_from(start),
            });
        }
        let first = self.parse_expr()?;
        if self.eat(Tok::Colon) {
            let hi = if self.at(Tok::RBracket) {
                None
            } else {
                Some(bx(self.parse_expr()?))
            };
            self.expect(Tok::RBracket, "']'")?;
            return Ok(Expr {
                kind: ExprKind::Slice(bx(base), Some(bx(first)), hi),
                span: self.span_from(start),
            });
        }
        let mut idx = vec![first];
        while self.eat(Tok::Comma) {
            idx.push(self.parse_expr()?);
        }
        self.expect(Tok::RBracket, "']'")?;
        Ok(Expr {
            kind: ExprKind::Index(bx(base), idx),
            span: self.span_from(start),
        })
    }

    /// `expr_list` (no trailing comma).
    pub(crate) fn parse_expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut v = vec![self.parse_expr()?];
        self.list_opt_comma = false;
        while self.eat(Tok::Comma) {
            v.push(self.parse_expr()?);
        }
        Ok(v)
    }

    /// `opt_expr_list`: possibly empty, one trailing comma allowed.
    pub(crate) fn parse_opt_expr_list(&mut self, close: Tok) -> PResult<Vec<Expr>> {
        let mut v = Vec::new();
        if self.at(close) {
            return Ok(v);
        }
        v.push(self.parse_expr()?);
        self.list_opt_comma = false;
        while self.eat(Tok::Comma) {
            if self.at(close) {
                self.list_opt_comma = true;
                break;
            }
            v.push(self.parse_expr()?);
        }
        Ok(v)
    }

    pub(crate) fn parse_name(&mut self) -> PResult<Name> {
        let t = self.expect(Tok::Id, "identifier")?;
        Ok(Name {
            sym: Symbol::intern(self.text(t.span)),
            span: t.span,
        })
    }

    fn unary(&mut self, op: UnOp, level: u8) -> PResult<Expr> {
        let start = self.bump().span.start;
        let e = self.parse_expr_bp(level)?;
        Ok(Expr {
            kind: ExprKind::Unary(op, bx(e)),
            span: self.span_from(start),
        })
    }

    fn parse_prefix(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let start = t.span.start;
        let lit = |kind| {
            Ok(Expr {
                kind: ExprKind::Const(kind),
                span: t.span,
            })
        };
        match t.tok {
            Tok::LParen => {
                self.bump();
                let e = self.parse_expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(Expr {
                    kind: ExprKind::Paren(bx(e)),
                    span: self.span_from(start),
                })
            }
            Tok::KwCopy => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let e = self.parse_expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(Expr {
                    kind: ExprKind::Copy(bx(e)),
                    span: self.span_from(start),
                })
            }
            Tok::Incr => self.unary(UnOp::PreIncr, L_INCR),
            Tok::Decr => self.unary(UnOp::PreDecr, L_INCR),
            Tok::Bang => self.unary(UnOp::Not, L_UNARY),
            Tok::Tilde => self.unary(UnOp::BitNot, L_UNARY),
            Tok::Minus => self.unary(UnOp::Neg, L_UNARY),
            Tok::Plus => self.unary(UnOp::Pos, L_UNARY),
            Tok::LBracket => {
                self.bump();
                let items = self.parse_opt_expr_list(Tok::RBracket)?;
                self.expect(Tok::RBracket, "']'")?;
                Ok(Expr {
                    kind: ExprKind::List(items),
                    span: self.span_from(start),
                })
            }
            Tok::KwRecord => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let items = self.parse_expr_list()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(Expr {
                    kind: ExprKind::RecordCons(items),
                    span: self.span_from(start),
                })
            }
            Tok::KwTable | Tok::KwSet | Tok::KwVector => {
                self.bump();
                self.expect(Tok::LParen, "'('")?;
                let items = self.parse_opt_expr_list(Tok::RParen)?;
                self.expect(Tok::RParen, "')'")?;
                let kind = match t.tok {
                    Tok::KwTable => ExprKind::TableCons(items, self.parse_opt_attrs()?),
                    Tok::KwSet => ExprKind::SetCons(items, self.parse_opt_attrs()?),
                    _ => ExprKind::VectorCons(items),
                };
                Ok(Expr {
                    kind,
                    span: self.span_from(start),
                })
            }
            Tok::KwHook => {
                self.bump();
                let e = self.parse_expr_bp(L_HOOK + 1)?;
                Ok(Expr {
                    kind: ExprKind::Hook(bx(e)),
                    span: self.span_from(start),
                })
            }
            Tok::KwFunction => {
                self.bump();
                let lambda = self.parse_lambda_rest(start)?;
                Ok(Expr {
                    kind: ExprKind::Lambda(Box::new(lambda)),
                    span: self.span_from(start),
                })
            }
            Tok::KwSchedule => {
                self.bump();
                let when = self.parse_expr()?;
                self.expect(Tok::LBrace, "'{'")?;
                let ev = self.parse_event_call()?;
                self.expect(Tok::RBrace, "'}'")?;
                Ok(Expr {
                    kind: ExprKind::Schedule(bx(when), ev),
                    span: self.span_from(start),
                })
            }
            Tok::Dollar => {
                self.bump();
                let name = self.parse_name()?;
                if self.at(Tok::LParen) || self.at(Tok::LBracket) {
                    let captures = self.parse_opt_captures()?;
                    let sig = self.parse_func_params()?;
                    self.expect(Tok::Assign, "'='")?;
                    let mark = self.enter_func_scope(&sig.params);
                    let body = self.parse_block();
                    self.leave_func_scope(mark);
                    let body = body?;
                    let lambda = Lambda {
                        captures,
                        sig,
                        body,
                    };
                    return Ok(Expr {
                        kind: ExprKind::FieldLambda(name, Box::new(lambda)),
                        span: self.span_from(start),
                    });
                }
                self.expect(Tok::Assign, "'='")?;
                let e = self.parse_expr_bp(L_ASSIGN)?;
                Ok(Expr {
                    kind: ExprKind::FieldAssign(name, bx(e)),
                    span: self.span_from(start),
                })
            }
            Tok::KwLocal if self.in_when_cond => {
                self.bump();
                let name = self.parse_name()?;
                self.expect(Tok::Assign, "'='")?;
                let e = self.parse_rhs()?;
                Ok(Expr {
                    kind: ExprKind::WhenLocal(name, bx(e)),
                    span: self.span_from(start),
                })
            }
            Tok::Pipe => {
                self.bump();
                let mut e = self.parse_expr_bp(10)?;
                // After `| expr |`, a token that starts an operand and has no
                // precedence of its own makes the bar a bitwise or (bison
                // shifts there); anything else closes the absolute value.
                loop {
                    self.expect(Tok::Pipe, "'|'")?;
                    if !starts_plain_operand(self.peek().tok) {
                        break;
                    }
                    let rhs = self.parse_expr_bp(10)?;
                    let span = self.span_from(e.span.start);
                    e = Expr {
                        kind: ExprKind::Binary(BinOp::BitOr, bx(e), bx(rhs)),
                        span,
                    };
                }
                Ok(Expr {
                    kind: ExprKind::Abs(bx(e)),
                    span: self.span_from(start),
                })
            }
            Tok::Slash => {
                self.bump();
                self.parse_pattern(t.span)
            }
            Tok::Id => {
                let name = self.parse_name()?;
                if !self.locals.contains(&name.sym) {
                    self.free_names.push((name.sym, name.span));
                }
                Ok(Expr {
                    kind: ExprKind::Name(name),
                    span: name.span,
                })
            }
            Tok::AtDir => {
                self.bump();
                Ok(Expr {
                    kind: ExprKind::Dir,
                    span: t.span,
                })
            }
            Tok::AtFilename => {
                self.bump();
                Ok(Expr {
                    kind: ExprKind::Filename,
                    span: t.span,
                })
            }
            Tok::True => {
                self.bump();
                lit(Literal::Bool(true))
            }
            Tok::False => {
                self.bump();
                lit(Literal::Bool(false))
            }
            Tok::Count => {
                self.bump();
                lit(Literal::Count(literal::parse_unsigned(
                    self.text(t.span),
                    10,
                )))
            }
            Tok::Hex => {
                self.bump();
                lit(Literal::Count(literal::parse_unsigned(
                    &self.text(t.span)[2..],
                    16,
                )))
            }
            Tok::Double => {
                self.bump();
                lit(Literal::Double(literal::atof(self.text(t.span))))
            }
            Tok::Interval => {
                self.bump();
                lit(Literal::Interval(literal::interval(self.text(t.span))))
            }
            Tok::Port => {
                self.bump();
                let (l, err) = literal::port(self.text(t.span));
                if let Some(e) = err {
                    self.error_at(e, t.span);
                }
                lit(l)
            }
            Tok::Ip4 | Tok::Ip6 => {
                self.bump();
                let text = self.text(t.span).to_owned();
                let r = if t.tok == Tok::Ip4 {
                    literal::ip4(&text)
                } else {
                    literal::ip6(&text)
                };
                match r {
                    Ok(a) => lit(Literal::Addr(a)),
                    Err(e) => {
                        self.error_at(e, t.span);
                        lit(Literal::Addr(std::net::IpAddr::V4(
                            std::net::Ipv4Addr::UNSPECIFIED,
                        )))
                    }
                }
            }
            Tok::Ip4Subnet | Tok::Ip6Subnet => {
                self.bump();
                let text = self.text(t.span).to_owned();
                let (l, errs) = literal::subnet(&text, t.tok == Tok::Ip6Subnet);
                for e in errs {
                    self.error_at(e, t.span);
                }
                lit(l)
            }
            Tok::Hostname => {
                self.bump();
                lit(Literal::Hostname(self.text(t.span).to_owned()))
            }
            Tok::String => {
                self.bump();
                let raw = self.text(t.span);
                let (bytes, errs) = literal::unescape_string(&raw[1..raw.len() - 1]);
                for e in errs {
                    self.error_at(e, t.span);
                }
                lit(Literal::String(bytes))
            }
            _ => Err(self.unexpected("expression")),
        }
    }

    /// After the opening `/`: scan the pattern body in the scanner's
    /// pattern mode.
    fn parse_pattern(&mut self, open: Span) -> PResult<Expr> {
        debug_assert!(self.tok.is_none());
        let start = open.end as usize;
        match self.lx.scan_pattern(start) {
            PatternScan::Ok {
                text,
                close,
                case_insensitive,
                single_line,
            } => {
                self.prev_end = close.end;
                let text = self.text(text).to_owned();
                Ok(Expr {
                    kind: ExprKind::Pattern {
                        text,
                        case_insensitive,
                        single_line,
                    },
                    span: Span::new(open.start, close.end),
                })
            }
            PatternScan::Unterminated { text, next_text } => {
                // Zeek's scanner does not count the newline inside a
                // pattern, so the follow-up error is on the pattern's line.
                if next_text.is_empty()
                    && next_text.start as usize >= self.source().trim_end().len()
                {
                    self.errors.push(crate::error::SyntaxError {
                        kind: SyntaxErrorKind::UnexpectedEof,
                        span: text,
                    });
                    return Err(super::Stop);
                }
                let near = self.text(next_text).to_owned();
                let next_text =
                    Span::new(text.start, text.start.max(next_text.start.min(text.end)));
                self.errors.push(crate::error::SyntaxError {
                    kind: SyntaxErrorKind::Unexpected {
                        near,
                        expected: "end of pattern",
                    },
                    span: next_text,
                });
                Err(super::Stop)
            }
            PatternScan::Eof { .. } => {
                self.error_eof();
                Err(super::Stop)
            }
        }
    }

    /// `ID ( args )` of `event` statements and `schedule`.
    pub(crate) fn parse_event_call(&mut self) -> PResult<EventCall> {
        let name = self.parse_name()?;
        self.expect(Tok::LParen, "'('")?;
        let args = self.parse_opt_expr_list(Tok::RParen)?;
        self.expect(Tok::RParen, "')'")?;
        Ok(EventCall {
            name,
            args,
            span: self.span_from(name.span.start),
        })
    }

    /// After `function`: `[captures] (params) [: ret] { body }`.
    fn parse_lambda_rest(&mut self, _start: u32) -> PResult<Lambda> {
        let captures = self.parse_opt_captures()?;
        let sig = self.parse_func_params()?;
        let mark = self.enter_func_scope(&sig.params);
        let body = self.parse_block();
        self.leave_func_scope(mark);
        let body = body?;
        Ok(Lambda {
            captures,
            sig,
            body,
        })
    }
}
