//! Statements.

use super::Resolved;
use crate::interp::Interp;
use crate::ir::{ForKind, Stmt, StmtKind, SwitchCase};
use crate::types::{Tag, TypeKind};
use zest_syntax::ast;

impl Interp {
    pub(crate) fn compile_block_stmts(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            if self.sema.fatal {
                break;
            }
            out.push(self.compile_stmt(s));
        }
        out
    }

    fn st(&self, kind: StmtKind, span: zest_syntax::Span) -> Stmt {
        Stmt {
            kind,
            loc: self.loc(span),
        }
    }

    fn cond_expr(&mut self, e: &ast::Expr, what: &str) -> crate::ir::Expr {
        let c = self.compile_expr(e);
        if c.ty.tag() != Tag::Bool && c.ty.tag() != Tag::Error {
            let d = self.describe_expr(&c);
            self.cerror(e.span, &format!("{what} ({d})"));
        }
        c
    }

    pub(crate) fn compile_stmt(&mut self, s: &ast::Stmt) -> Stmt {
        let span = s.span;
        match &s.kind {
            ast::StmtKind::Block(b) => {
                let v = self.compile_block_stmts(&b.stmts);
                self.st(StmtKind::Block(v), span)
            }
            ast::StmtKind::Print(args) => {
                let v = args.iter().map(|a| self.compile_expr(a)).collect();
                self.st(StmtKind::Print(v), span)
            }
            ast::StmtKind::Event(ev) => {
                if self.local_event_ref(ev.name.sym, ev.span) {
                    return self.st(StmtKind::Empty, span);
                }
                let Some(gid) = self.lookup_global(ev.name.sym) else {
                    self.unknown_identifier(ev.name.sym, ev.name.span);
                    return self.st(StmtKind::Empty, span);
                };
                let is_event = self.prog.globals[gid as usize]
                    .ty
                    .as_ref()
                    .and_then(|t| t.func())
                    .is_some_and(|f| f.flavor == crate::types::Flavor::Event);
                if !is_event {
                    self.cerror(span, &format!("not an event ({}())", ev.name.sym));
                }
                let args = self.compile_args_for(gid, &ev.args, ev.span);
                self.st(StmtKind::Event(gid, args), span)
            }
            ast::StmtKind::If(c, t, e) => {
                let c = self.cond_expr(c, "conditional in test must be boolean");
                let t = Box::new(self.compile_stmt(t));
                let e = e.as_ref().map(|e| Box::new(self.compile_stmt(e)));
                self.st(StmtKind::If(c, t, e), span)
            }
            ast::StmtKind::Switch(e, cases) => {
                let x = self.compile_expr(e);
                let mut out = Vec::with_capacity(cases.len());
                self.fctx().switch_depth += 1;
                for c in cases {
                    let mut sc = SwitchCase {
                        values: Vec::new(),
                        types: Vec::new(),
                        default: false,
                        body: Vec::new(),
                    };
                    match &c.label {
                        ast::CaseLabel::Default => sc.default = true,
                        ast::CaseLabel::Values(vs) => {
                            for v in vs {
                                let ve = self.compile_expr(v);
                                let ve = self.coerce_to(ve, &x.ty.clone(), v.span);
                                if let Ok(val) = self.eval(&ve) {
                                    sc.values.push(val);
                                }
                            }
                        }
                        ast::CaseLabel::Types(ts) => {
                            for (t, bind) in ts {
                                let ty = self.compile_type(t);
                                let slot = bind.map(|b| self.fctx().add_local(b.sym, ty.clone()));
                                sc.types.push((ty, slot));
                            }
                        }
                    }
                    sc.body = self.compile_block_stmts(&c.body);
                    out.push(sc);
                }
                self.fctx().switch_depth -= 1;
                self.st(StmtKind::Switch(x, out), span)
            }
            ast::StmtKind::For(vars, e, body) => {
                let x = self.compile_expr(e);
                let kind = match &x.ty.kind {
                    TypeKind::Table { index, yield_ } => {
                        let index = index.clone();
                        let keys = vars
                            .keys
                            .iter()
                            .zip(
                                index
                                    .iter()
                                    .cloned()
                                    .chain(std::iter::repeat(self.prog.base.any.clone())),
                            )
                            .map(|(n, t)| self.local_slot(n.sym, t))
                            .collect();
                        let value = vars.value.map(|v| {
                            let t = yield_.clone().unwrap_or_else(|| self.prog.base.any.clone());
                            self.local_slot(v.sym, t)
                        });
                        ForKind::Table { keys, value }
                    }
                    TypeKind::Vector(elem) => {
                        let elem = elem.clone();
                        let index = self.local_slot(vars.keys[0].sym, self.prog.base.count.clone());
                        let value = vars.value.map(|v| self.local_slot(v.sym, elem.clone()));
                        ForKind::Vector { index, value }
                    }
                    TypeKind::String => {
                        let var = self.local_slot(vars.keys[0].sym, self.prog.base.string.clone());
                        ForKind::String { var }
                    }
                    _ => {
                        if x.ty.tag() != Tag::Error {
                            let d = self.describe_expr(&x);
                            self.cerror(e.span, &format!("target to iterate over must be a table, set, vector, or string ({d})"));
                        }
                        let var = self.local_slot(vars.keys[0].sym, self.prog.base.error.clone());
                        ForKind::String { var }
                    }
                };
                self.fctx().loop_depth += 1;
                let b = Box::new(self.compile_stmt(body));
                self.fctx().loop_depth -= 1;
                self.st(StmtKind::For(kind, x, b), span)
            }
            ast::StmtKind::While(c, body) => {
                let c = self.cond_expr(c, "while conditional must be boolean");
                self.fctx().loop_depth += 1;
                let b = Box::new(self.compile_stmt(body));
                self.fctx().loop_depth -= 1;
                self.st(StmtKind::While(c, b), span)
            }
            ast::StmtKind::Next => {
                if self.fctx().loop_depth == 0 {
                    self.cwarn(span, "next statement used outside of for or while statement. With v6.1 this will become an error.");
                }
                self.st(StmtKind::Next, span)
            }
            ast::StmtKind::Break => {
                let ctx = self.fctx();
                if ctx.loop_depth == 0 && ctx.switch_depth == 0 && !ctx.is_hook {
                    self.cwarn(
                        span,
                        "break statement used outside of for, while or switch statement and not within a hook. With v6.1 this will become an error.",
                    );
                }
                self.st(StmtKind::Break, span)
            }
            ast::StmtKind::Fallthrough => self.st(StmtKind::Fallthrough, span),
            ast::StmtKind::Return(e) => {
                let ret = self.sema.func.as_ref().and_then(|f| f.ret.clone());
                let x = e.as_ref().map(|e| {
                    let x = match &ret {
                        Some(r) => self.compile_rhs(e, r),
                        None => self.compile_expr(e),
                    };
                    match &ret {
                        Some(r) => self.coerce_to(x, r, e.span),
                        None => x,
                    }
                });
                self.st(StmtKind::Return(x), span)
            }
            ast::StmtKind::Add(e) => {
                let x = self.compile_expr(e);
                self.st(StmtKind::Add(x), span)
            }
            ast::StmtKind::Delete(e) => {
                let x = self.compile_expr(e);
                self.st(StmtKind::Delete(x), span)
            }
            ast::StmtKind::Local(d) => self.compile_local(d, span),
            ast::StmtKind::Const(d) => {
                let st = self.compile_local(d, span);
                self.fctx().consts.insert(d.name.sym);
                st
            }
            ast::StmtKind::When(w) => {
                let cond = self.compile_expr(&w.cond);
                let body = self.compile_stmt(&w.body);
                let timeout = w.timeout.as_ref().map(|(e, b)| {
                    let te = self.compile_expr(e);
                    (te, self.compile_block_stmts(&b.stmts))
                });
                let frame_size = self.fctx().nslots;
                let ws = crate::ir::WhenStmt {
                    cond,
                    body,
                    timeout,
                    is_return: w.is_return,
                    frame_size,
                };
                self.st(StmtKind::When(std::rc::Rc::new(ws)), span)
            }
            ast::StmtKind::Expr(e) => {
                let x = self.compile_expr(e);
                if !matches!(
                    x.kind,
                    crate::ir::ExprKind::Call(..) | crate::ir::ExprKind::Hook(..)
                ) && x.ty.tag() != Tag::Error
                    && Self::expr_is_pure(&x)
                {
                    let d = self.describe_expr(&x);
                    self.cwarn(span, &format!("expression value ignored ({d})"));
                }
                self.st(StmtKind::Expr(x), span)
            }
            ast::StmtKind::Empty => self.st(StmtKind::Empty, span),
        }
    }

    /// The slot of a loop variable: an existing local or a new one.
    fn local_slot(&mut self, name: zest_syntax::Symbol, t: crate::types::TypeRef) -> u32 {
        match self.fctx().locals.get(&name) {
            Some((slot, _)) => *slot,
            None => self.fctx().add_local(name, t),
        }
    }

    fn compile_local(&mut self, d: &ast::VarDecl, span: zest_syntax::Span) -> Stmt {
        let declared = d.ty.as_ref().map(|t| self.compile_type(t));
        let init = match (&d.init, &declared) {
            (Some(e), Some(t)) => {
                let x = self.compile_rhs(e, t);
                let l = self.local_full_name(d.name.sym).to_string();
                Some(self.coerce_assign(l, x, t, e.span))
            }
            (Some(e), None) => Some(self.compile_expr(e)),
            (None, _) => None,
        };
        let ty = declared
            .or_else(|| init.as_ref().map(|x| x.ty.clone()))
            .unwrap_or_else(|| self.prog.base.error.clone());
        if let Some(Resolved::Local(..)) = self.resolve(d.name.sym) {
            // Re-declaring a local reuses its slot (Zeek warns elsewhere).
        }
        let slot = self.fctx().add_local(d.name.sym, ty.clone());
        let init = match init {
            Some(mut x) => {
                // `local t: table[…] of … = { … } &default=…;`
                if !d.attrs.is_empty() && ty.tag() == Tag::Table {
                    let attrs = self.compile_attrs(&d.attrs, Some(&ty));
                    if let crate::ir::ExprKind::TableCtor(_, def, ordered) = &mut x.kind {
                        if let Some(dv) = attrs.get(zest_syntax::ast::AttrKind::Default) {
                            *def = Some(dv.clone());
                        }
                        *ordered |= attrs.has(zest_syntax::ast::AttrKind::Ordered);
                    }
                }
                Some(x)
            }
            None => {
                // Aggregates start empty.
                match ty.tag() {
                    Tag::Record | Tag::Table | Tag::Vector => {
                        let attrs = self.compile_attrs(&d.attrs, Some(&ty));
                        let default = attrs.get(zest_syntax::ast::AttrKind::Default).cloned();
                        if ty.tag() == Tag::Table {
                            Some(self.mk(
                                crate::ir::ExprKind::TableCtor(
                                    Vec::new(),
                                    default,
                                    attrs.has(zest_syntax::ast::AttrKind::Ordered),
                                ),
                                ty.clone(),
                                span,
                            ))
                        } else if ty.tag() == Tag::Vector {
                            Some(self.mk(
                                crate::ir::ExprKind::VectorCtor(Vec::new()),
                                ty.clone(),
                                span,
                            ))
                        } else {
                            Some(self.mk(
                                crate::ir::ExprKind::RecordCtor(Vec::new()),
                                ty.clone(),
                                span,
                            ))
                        }
                    }
                    _ => None,
                }
            }
        };
        self.st(StmtKind::Init(slot, init), span)
    }
}
