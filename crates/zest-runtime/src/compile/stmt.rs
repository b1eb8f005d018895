//! Statements.

use super::Resolved;
use crate::interp::Interp;
use crate::ir::ExprKind;
use crate::ir::{ForKind, Stmt, StmtKind, SwitchCase};
use crate::types::{Tag, TypeKind};
use crate::value::Value;
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
                self.fctx().block_locals.push(Vec::new());
                let v = self.compile_block_stmts(&b.stmts);
                let ended = self.fctx().block_locals.pop().unwrap_or_default();
                self.fctx().out_of_scope.extend(ended);
                self.st(StmtKind::Block(v), span)
            }
            ast::StmtKind::Print(args) => {
                let v = args.iter().map(|a| self.compile_expr(a)).collect();
                self.st(StmtKind::Print(v), span)
            }
            ast::StmtKind::Event(ev) => match self.compile_event_call(ev) {
                Some((gid, args)) => self.st(StmtKind::Event(gid, args), span),
                None => self.st(StmtKind::Empty, span),
            },
            ast::StmtKind::If(c, t, e) => {
                let c = self.cond_expr(c, "conditional in test must be boolean");
                let t = Box::new(self.compile_stmt(t));
                let e = e.as_ref().map(|e| Box::new(self.compile_stmt(e)));
                self.st(StmtKind::If(c, t, e), span)
            }
            ast::StmtKind::Switch(e, cases) => self.compile_switch(e, cases, span),
            ast::StmtKind::For(vars, e, body) => {
                let x = self.compile_expr(e);
                let bad_vars = self.check_loop_vars(vars);
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
                            .map(|(n, t)| {
                                self.iter_clash(n.sym, &t, &x, e.span, &bad_vars);
                                self.local_slot(n.sym, t)
                            })
                            .collect();
                        let value = vars.value.map(|v| {
                            let t = yield_.clone().unwrap_or_else(|| self.prog.base.any.clone());
                            self.iter_clash(v.sym, &t, &x, e.span, &bad_vars);
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
                // Zeek's `Expr::CanAdd`: only an element of a set.
                let ok = match &x.kind {
                    crate::ir::ExprKind::Error => true,
                    crate::ir::ExprKind::Index(c, _) => c.ty.is_set(),
                    _ => false,
                };
                let st = self.st(StmtKind::Add(x), span);
                if !ok {
                    self.illegal_stmt(&st, "illegal add statement", span);
                }
                st
            }
            ast::StmtKind::Delete(e) => {
                let x = self.compile_expr(e);
                // Zeek's `Expr::CanDel`: a table element, or a record field
                // that may be missing.
                let ok = match &x.kind {
                    crate::ir::ExprKind::Error => true,
                    crate::ir::ExprKind::Index(c, _) => c.ty.tag() == crate::types::Tag::Table,
                    crate::ir::ExprKind::Field(r, idx) => r.ty.record().is_some_and(|rt| {
                        rt.fields.borrow().get(*idx).is_some_and(|f| {
                            f.optional() || f.attrs.has(zest_syntax::ast::AttrKind::Default)
                        })
                    }),
                    _ => false,
                };
                let st = self.st(StmtKind::Delete(x), span);
                if !ok {
                    self.illegal_stmt(&st, "illegal delete statement", span);
                }
                st
            }
            ast::StmtKind::Local(d) => self.compile_local(d, span),
            ast::StmtKind::Const(d) => {
                let st = self.compile_local(d, span);
                self.fctx().consts.insert(d.name.sym);
                st
            }
            ast::StmtKind::When(w) => {
                let mut captured = Vec::new();
                for c in w.captures.iter().flatten() {
                    if self.capture_slot(c).is_some() {
                        captured.push(c.name.sym);
                    }
                }
                // Locals of the function that exist before the statement.
                let prior = self.fctx().nslots;
                let refs_start = self.fctx().refs.len();
                let cond = self.compile_expr(&w.cond);
                let body = self.compile_stmt(&w.body);
                // The timeout expression is evaluated outside the statement's
                // own scope: its locals are not the statement's.
                let mut te_refs = 0..0;
                let timeout = w.timeout.as_ref().map(|(e, b)| {
                    let from = self.fctx().refs.len();
                    let te = self.compile_expr(e);
                    te_refs = from..self.fctx().refs.len();
                    (te, self.compile_block_stmts(&b.stmts))
                });
                let frame_size = self.fctx().nslots;
                let mut outer_used: Vec<zest_syntax::Symbol> = Vec::new();
                for (i, (n, slot)) in self.fctx().refs.iter().enumerate().skip(refs_start) {
                    if !te_refs.contains(&i) && *slot < prior && !outer_used.contains(n) {
                        outer_used.push(*n);
                    }
                }
                let static_locals = crate::ir::static_locals(&cond);
                let ws = crate::ir::WhenStmt {
                    static_locals,
                    cond,
                    body,
                    timeout,
                    is_return: w.is_return,
                    frame_size,
                    deep_copy: w.captures.is_none(),
                };
                let mut st = self.st(StmtKind::When(std::rc::Rc::new(ws)), span);
                if w.timeout.is_some() {
                    // Zeek locates a `when … timeout …` from the end of its
                    // body (its parser takes a rule's last symbol's place).
                    let b = w.body.span;
                    let body_end = zest_syntax::Span {
                        start: b.end.max(b.start + 1) - 1,
                        end: b.end,
                    };
                    st.loc.first_line = self.loc(body_end).first_line;
                }
                // Zeek's `WhenInfo` checks of the locals it uses.
                let msg = match &w.captures {
                    None if !outer_used.is_empty() => {
                        let names: Vec<String> = outer_used
                            .iter()
                            .map(|n| self.local_full_name(*n).to_string())
                            .collect();
                        Some((
                            false,
                            format!(
                                "\"when\" statement referring to locals without an explicit [] capture is deprecated: {}",
                                names.join(", ")
                            ),
                        ))
                    }
                    None => None,
                    Some(_) => Self::capture_problem(
                        &captured,
                        &outer_used,
                        &outer_used,
                        "\"when\" statement",
                    )
                    .map(|m| (true, m)),
                };
                if let Some((is_error, msg)) = msg {
                    let mut d = String::new();
                    let names = |slot: u32| self.slot_name(slot);
                    self.describe_stmt_into(&st, &mut d, &names);
                    let msg = format!("{msg} ({d})");
                    if is_error {
                        self.error(Some(st.loc), &msg);
                        return self.st(StmtKind::Empty, span);
                    }
                    self.warn(Some(st.loc), &msg);
                }
                st
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
                if let ExprKind::Assign(crate::ir::LValue::Local(slot, name), rhs) = &x.kind {
                    self.note_local_assign(*slot, *name, rhs, span);
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

    /// A loop variable that already has a type must have the iteration's.
    fn iter_clash(
        &mut self,
        name: zest_syntax::Symbol,
        t: &crate::types::TypeRef,
        x: &crate::ir::Expr,
        span: zest_syntax::Span,
        bad: &[zest_syntax::Symbol],
    ) {
        if Self::is_blank_name(name) {
            return;
        }
        let lvt = if bad.contains(&name) {
            self.prog.base.error.clone()
        } else {
            match self.fctx().locals.get(&name) {
                Some((_, lt)) => lt.clone(),
                None => return,
            }
        };
        if lvt.tag() == Tag::Any
            || t.tag() == Tag::Any
            || (lvt.tag() != Tag::Error && crate::types::same_type(&lvt, t))
        {
            return;
        }
        let a = self.loc_str(self.loc(span));
        let b = if lvt.tag() == Tag::Error {
            Some("error".to_string())
        } else {
            self.type_loc(&lvt)
        };
        let msg = format!(
            "type clash in iteration ({} and {})",
            self.describe_expr(x),
            lvt.describe()
        );
        self.error_pair(&a, b.as_deref(), &msg);
    }

    /// Zeek's `check_loop_var`: a loop variable naming a global or a
    /// constant is an error (and its type becomes the error type). Returns
    /// the names so affected.
    fn check_loop_vars(&mut self, vars: &ast::ForVars) -> Vec<zest_syntax::Symbol> {
        let mut bad = Vec::new();
        for n in vars.keys.iter().chain(vars.value.iter()) {
            match self.resolve(n.sym) {
                Some(Resolved::Global(g)) => {
                    let gl = &self.prog.globals[g as usize];
                    if matches!(
                        gl.kind,
                        crate::program::GlobalKind::Var
                            | crate::program::GlobalKind::Const
                            | crate::program::GlobalKind::Option
                    ) {
                        let (loc, name, is_const) = (
                            gl.loc,
                            gl.name,
                            gl.kind == crate::program::GlobalKind::Const,
                        );
                        self.error(
                            Some(loc),
                            &format!("global variable used in 'for' loop ({name})"),
                        );
                        if is_const {
                            self.error(Some(loc), &format!("constant used in 'for' loop ({name})"));
                        }
                        self.prog.globals[g as usize].ty = Some(self.prog.base.error.clone());
                        bad.push(n.sym);
                    }
                }
                Some(Resolved::Local(..)) => {
                    let ctx = self.fctx();
                    if ctx.consts.contains(&n.sym) {
                        let loc = ctx.local_locs.get(&n.sym).copied();
                        let name = self.local_full_name(n.sym);
                        self.error(loc, &format!("constant used in 'for' loop ({name})"));
                        let et = self.prog.base.error.clone();
                        if let Some(l) = self.fctx().locals.get_mut(&n.sym) {
                            l.1 = et;
                        }
                        bad.push(n.sym);
                    }
                }
                None => {}
            }
        }
        bad
    }

    fn compile_local(&mut self, d: &ast::VarDecl, span: zest_syntax::Span) -> Stmt {
        let declared = d.ty.as_ref().map(|t| self.compile_type(t));
        if let Some(t) = &declared {
            Self::locate_type(t, self.loc1(d.name.span));
        }
        let init = match (&d.init, &declared) {
            (Some(e), Some(t)) => {
                let l = self.local_full_name(d.name.sym).to_string();
                let x = self.compile_init_rhs_at(e, t, &l, span);
                Some(self.coerce_assign(l, x, t, e.span))
            }
            (Some(e), None) => {
                let x = self.compile_untyped_init(e);
                Some(self.untyped_init(x, e.span))
            }
            (None, _) => None,
        };
        let ty = declared
            .or_else(|| init.as_ref().map(|x| x.ty.clone()))
            .unwrap_or_else(|| self.prog.base.error.clone());
        // Zeek's `make_var`: a local name that already has a type (in this
        // function or, inside a lambda, an enclosing one) is already defined.
        let prev = {
            let ctx = self.fctx();
            if let Some((slot, _)) = ctx.locals.get(&d.name.sym) {
                let slot = *slot;
                ctx.refs.push((d.name.sym, slot));
                Some(ctx.local_locs.get(&d.name.sym).copied())
            } else {
                ctx.outer.get(&d.name.sym).map(|(_, l)| *l)
            }
        };
        if let Some(prev) = prev.filter(|_| !Self::is_blank_name(d.name.sym)) {
            let name = self.local_full_name(d.name.sym);
            let init_loc = d.init.as_ref().map(|e| self.loc_str(self.loc(e.span)));
            let first = match prev {
                Some(l) => self.loc_str(l),
                None => init_loc
                    .clone()
                    .unwrap_or_else(|| self.loc_str(self.loc(span))),
            };
            self.error_pair(
                &first,
                init_loc.as_deref(),
                &format!("already defined ({name})"),
            );
        }
        if let Some(b) = self.fctx().block_locals.last_mut() {
            b.push(d.name.sym);
        }
        let slot = self.fctx().add_local(d.name.sym, ty.clone());
        let dloc = self.loc(d.name.span);
        self.fctx().local_locs.insert(d.name.sym, dloc);
        let explicit = init.is_some();
        if let Some(x) = &init {
            if !d
                .attrs
                .iter()
                .any(|a| a.kind == zest_syntax::ast::AttrKind::IsUsed)
            {
                let name = self.local_full_name(d.name.sym);
                self.note_local_assign(slot, name, x, span);
            }
        }
        let init = match init {
            Some(mut x) => {
                // `local t: table[…] of … = { … } &default=…;`
                if !d.attrs.is_empty() && ty.tag() == Tag::Table {
                    let attrs = self.compile_attrs(&d.attrs, Some(&ty));
                    if let crate::ir::ExprKind::TableCtor(_, def, ordered, ta) = &mut x.kind {
                        if let Some(dv) = attrs.get(zest_syntax::ast::AttrKind::Default) {
                            *def = Some(dv.clone());
                        }
                        *ordered |= attrs.has(zest_syntax::ast::AttrKind::Ordered);
                        if let Some(a) = self.table_attrs_of(&attrs) {
                            *ta = Some(a);
                        }
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
                            let table_attrs = self.table_attrs_of(&attrs);
                            Some(self.mk(
                                crate::ir::ExprKind::TableCtor(
                                    Vec::new(),
                                    default,
                                    attrs.has(zest_syntax::ast::AttrKind::Ordered),
                                    table_attrs,
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
        self.st(StmtKind::Init(slot, init, explicit), span)
    }

    /// An error about a statement, quoting it as Zeek's `Obj::Error` does.
    fn illegal_stmt(&mut self, st: &Stmt, msg: &str, span: zest_syntax::Span) {
        let mut d = String::new();
        let names = |slot: u32| self.slot_name(slot);
        self.describe_stmt_into(st, &mut d, &names);
        self.cerror(span, &format!("{msg} ({d})"));
    }

    /// The name of a local slot of the function being compiled.
    pub(crate) fn slot_name(&self, slot: u32) -> String {
        let ctx = self.sema.func.as_ref().unwrap_or(&self.sema.top_ctx);
        ctx.locals
            .iter()
            .find(|(_, (s, _))| *s == slot)
            .map(|(n, _)| self.local_full_name(*n).to_string())
            .unwrap_or_default()
    }

    fn describe_case(&self, c: &SwitchCase, vals: &[crate::ir::Expr]) -> String {
        let mut s = String::new();
        let names = |slot: u32| self.slot_name(slot);
        if vals.is_empty() {
            self.describe_case_into(c, &mut s, &names);
            return s;
        }
        s.push_str("case");
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push(' ');
            s.push_str(&self.describe_expr(v));
        }
        s.push(':');
        self.describe_stmt_list_into(&c.body, &mut s, &names);
        s
    }

    /// Zeek's `get_last_stmt_tag` is a break, fallthrough or return.
    fn ends_case(body: &[Stmt]) -> bool {
        match body.last().map(|s| &s.kind) {
            Some(StmtKind::Block(v)) => Self::ends_case(v),
            Some(StmtKind::Break | StmtKind::Fallthrough | StmtKind::Return(_)) => true,
            _ => false,
        }
    }

    /// Reports every `fallthrough` of a type-casting case body (nested
    /// switches excluded), as Zeek's `FallthroughFinder`.
    fn find_fallthrough(&mut self, st: &Stmt) {
        match &st.kind {
            StmtKind::Fallthrough => {
                let loc = st.loc;
                self.error(
                    Some(loc),
                    "invalid 'fallthrough' in type-casting 'case' block",
                );
            }
            StmtKind::Block(v) => v.iter().for_each(|s| self.find_fallthrough(s)),
            StmtKind::If(_, t, e) => {
                self.find_fallthrough(t);
                if let Some(e) = e {
                    self.find_fallthrough(e);
                }
            }
            StmtKind::For(_, _, b) | StmtKind::While(_, b) => self.find_fallthrough(b),
            StmtKind::When(w) => {
                self.find_fallthrough(&w.body);
                if let Some((_, b)) = &w.timeout {
                    b.iter().for_each(|s| self.find_fallthrough(s));
                }
            }
            _ => {}
        }
    }

    fn compile_switch(
        &mut self,
        e: &ast::Expr,
        cases: &[ast::Case],
        span: zest_syntax::Span,
    ) -> Stmt {
        let x = self.compile_expr(e);
        let xt = x.ty.clone();
        let mut out = Vec::with_capacity(cases.len());
        // Checks of the switch itself, reported after all its cases (as
        // Zeek's `SwitchStmt` constructor runs once they are parsed).
        let mut later: Vec<(crate::ir::Loc, String)> = Vec::new();
        let (mut have_exprs, mut have_types) = (false, false);
        let mut seen_vals: Vec<Value> = Vec::new();
        let mut seen_types: Vec<crate::types::TypeRef> = Vec::new();
        let mut default_case: Option<String> = None;
        self.fctx().switch_depth += 1;
        for c in cases {
            let mut sc = SwitchCase {
                values: Vec::new(),
                types: Vec::new(),
                default: false,
                body: Vec::new(),
            };
            let mut vals = Vec::new();
            match &c.label {
                ast::CaseLabel::Default => sc.default = true,
                ast::CaseLabel::Values(vs) => {
                    for v in vs {
                        vals.push(self.compile_expr(v));
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
            let cloc = self.loc(c.span);
            let cdesc = self.describe_case(&sc, &vals);
            if !Self::ends_case(&sc.body) {
                self.error(
                    Some(cloc),
                    &format!("case block must end in break/fallthrough/return statement ({cdesc})"),
                );
            }
            if sc.types.iter().any(|(_, s)| s.is_some()) {
                for st in &sc.body {
                    self.find_fallthrough(st);
                }
            }
            if !vals.is_empty() {
                have_exprs = true;
                let xd = self.describe_expr(&x);
                if !Self::is_atomic(&xt) && xt.tag() != Tag::Error {
                    later.push((
                        self.loc(e.span),
                        format!(
                            "switch expression must be of an atomic type when cases are expressions ({xd})"
                        ),
                    ));
                }
                let any = |t: &crate::types::TypeRef| t.tag() == Tag::Any;
                let all_match = vals.iter().all(|v| {
                    v.ty.tag() == Tag::Error
                        || xt.tag() == Tag::Error
                        || any(&v.ty)
                        || any(&xt)
                        || crate::types::same_type(&v.ty, &xt)
                });
                if !all_match {
                    let mut ld = String::new();
                    for (i, v) in vals.iter().enumerate() {
                        if i > 0 {
                            ld.push_str(", ");
                        }
                        ld.push_str(&self.describe_expr(v));
                    }
                    let vloc = self.loc1(c.span);
                    later.push((
                        vloc,
                        format!("case expression type differs from switch type ({ld} and {xd})"),
                    ));
                } else {
                    for v in &vals {
                        let val = match &v.kind {
                            ExprKind::Const(val) => Some(val.clone()),
                            ExprKind::Neg(a, _) | ExprKind::Pos(a)
                                if matches!(a.kind, ExprKind::Const(_)) =>
                            {
                                self.eval(v).ok()
                            }
                            ExprKind::Global(g)
                                if matches!(
                                    self.prog.globals[*g as usize].kind,
                                    crate::program::GlobalKind::Const
                                ) =>
                            {
                                self.eval(v).ok()
                            }
                            ExprKind::Error => continue,
                            _ => None,
                        };
                        let vloc = v.loc;
                        let vd = self.describe_expr(v);
                        match val {
                            None => later.push((
                                vloc,
                                format!("case label expression isn't constant ({vd})"),
                            )),
                            Some(val) => {
                                if seen_vals
                                    .iter()
                                    .any(|s| crate::describe::values_equal(s, &val))
                                {
                                    later.push((vloc, format!("duplicate case label ({vd})")));
                                } else {
                                    seen_vals.push(val.clone());
                                    sc.values.push(val);
                                }
                            }
                        }
                    }
                }
            } else if !sc.types.is_empty() {
                have_types = true;
                for (t, _) in &sc.types {
                    let castable = xt.tag() == Tag::Any
                        || t.tag() == Tag::Any
                        || xt.tag() == Tag::Error
                        || crate::types::same_type(&xt, t)
                        || xt.type_name().is_some_and(|n| n.as_str() == "Broker::Data");
                    if !castable {
                        later.push((
                            cloc,
                            format!("cannot cast switch expression to case type ({cdesc})"),
                        ));
                        continue;
                    }
                    if seen_types.iter().any(|s| {
                        s.tag() == Tag::Any || t.tag() == Tag::Any || crate::types::same_type(s, t)
                    }) {
                        later.push((cloc, format!("duplicate case label ({cdesc})")));
                        continue;
                    }
                    seen_types.push(t.clone());
                }
            } else {
                match &default_case {
                    Some(d) => {
                        later.push((cloc, format!("multiple default labels ({cdesc} and {d})")))
                    }
                    None => default_case = Some(cdesc.clone()),
                }
            }
            out.push(sc);
        }
        self.fctx().switch_depth -= 1;
        for (loc, msg) in later {
            self.error(Some(loc), &msg);
        }
        let st = self.st(StmtKind::Switch(x, out), span);
        if have_exprs && have_types {
            let mut d = String::from("switch ");
            if let StmtKind::Switch(x, cases) = &st.kind {
                d.push_str(&self.describe_expr(x));
                d.push_str(" {");
                for c in cases {
                    let names = |slot: u32| self.slot_name(slot);
                    self.describe_case_into(c, &mut d, &names);
                }
                d.push('}');
            }
            let loc = self.loc1(span);
            self.error(
                Some(loc),
                &format!("cannot mix cases with expressions and types ({d})"),
            );
        }
        st
    }

    /// Zeek's `is_atomic_type`.
    fn is_atomic(t: &crate::types::TypeRef) -> bool {
        !matches!(
            t.tag(),
            Tag::Record
                | Tag::Table
                | Tag::Vector
                | Tag::List
                | Tag::Func
                | Tag::File
                | Tag::Opaque
                | Tag::Any
                | Tag::Type
                | Tag::Pattern
        )
    }
}
