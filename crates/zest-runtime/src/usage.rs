//! Zeek's usage analysis (`UsageAnalyzer`), run after all scripts are
//! loaded: event and hook handlers that nothing can invoke, and functions
//! of a module that nothing calls.
//!
//! Reachability starts from what is used from outside the scripts (events
//! the core knows, exported and `GLOBAL` identifiers, `&is_used` and
//! `&deprecated` ones) and follows every identifier that function bodies,
//! types' attributes and global values refer to. Statements at the top
//! level of scripts are not followed, as in Zeek.

use crate::interp::Interp;
use crate::ir::{Body, Callee, Expr, ExprKind, ForKind, LValue, Stmt, StmtKind};
use crate::program::{Global, Program};
use crate::types::{Attrs, Flavor, Type, TypeKind, TypeRef};
use crate::value::{FuncValKind, Value};
use rustc_hash::FxHashSet;
use zest_syntax::ast::AttrKind;

/// Events the core registers by name although scripts declare them.
const CORE_REGISTERED_EVENTS: &[&str] = &["Input::end_of_data", "Supervisor::node_status"];

/// Collects the globals an identifier refers to.
struct Refs<'a> {
    prog: &'a Program,
    found: Vec<u32>,
    seen_types: FxHashSet<*const Type>,
    seen_values: FxHashSet<*const ()>,
    /// Local slots read (not only assigned) in the frame walked.
    local_reads: FxHashSet<u32>,
    /// Walking one frame for its locals: lambda bodies (other frames) are
    /// left out, their captures count as reads.
    frame_only: bool,
}

impl<'a> Refs<'a> {
    fn new(prog: &'a Program, frame_only: bool) -> Self {
        Refs {
            prog,
            found: Vec::new(),
            seen_types: FxHashSet::default(),
            seen_values: FxHashSet::default(),
            local_reads: FxHashSet::default(),
            frame_only,
        }
    }

    fn global(&mut self, gid: u32) {
        self.found.push(gid);
    }

    fn ty(&mut self, t: &TypeRef) {
        if !self.seen_types.insert(std::rc::Rc::as_ptr(t)) {
            return;
        }
        match &t.kind {
            TypeKind::Record(r) => {
                let fields = r.fields.borrow();
                for f in fields.iter() {
                    self.ty(&f.ty);
                    self.attrs(&f.attrs);
                    if let Some(v) = &f.default {
                        self.value(v);
                    }
                }
            }
            TypeKind::Table { index, yield_ } => {
                for i in index {
                    self.ty(i);
                }
                if let Some(y) = yield_ {
                    self.ty(y);
                }
            }
            TypeKind::Vector(y) | TypeKind::File(y) | TypeKind::Type(y) => self.ty(y),
            TypeKind::List(ts) => {
                for t in ts {
                    self.ty(t);
                }
            }
            TypeKind::Func(f) => {
                for p in &f.params {
                    self.ty(&p.ty);
                    if let Some(d) = &p.default {
                        self.expr(d);
                    }
                }
                if let Some(r) = &f.ret {
                    self.ty(r);
                }
            }
            _ => {}
        }
    }

    fn attrs(&mut self, a: &Attrs) {
        for (_, e) in &a.list {
            if let Some(e) = e {
                self.expr(e);
            }
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Func(f) => match &f.kind {
                FuncValKind::Global(g) => self.global(*g),
                FuncValKind::Lambda(def, captures) => {
                    if self.seen_values.insert(std::rc::Rc::as_ptr(def).cast()) {
                        self.body(&def.body);
                    }
                    for c in captures.borrow().iter() {
                        self.value(c);
                    }
                }
                FuncValKind::Builtin(_) => {}
            },
            Value::Record(r) if self.seen_values.insert(std::rc::Rc::as_ptr(r).cast()) => {
                let r = r.borrow();
                self.ty(&r.ty);
                for f in r.fields.iter().flatten() {
                    self.value(f);
                }
            }
            Value::Table(t) if self.seen_values.insert(std::rc::Rc::as_ptr(t).cast()) => {
                let t = t.borrow();
                self.ty(&t.ty);
                if let Some(d) = &t.default {
                    self.expr(d);
                }
                for (k, v) in t.entries_vec() {
                    for x in &k {
                        self.value(x);
                    }
                    if let Some(v) = v {
                        self.value(&v);
                    }
                }
            }
            Value::Vector(vv) if self.seen_values.insert(std::rc::Rc::as_ptr(vv).cast()) => {
                let vv = vv.borrow();
                self.ty(&vv.ty);
                for x in vv.items.iter().flatten() {
                    self.value(x);
                }
            }
            Value::List(items) => {
                for x in items.iter() {
                    self.value(x);
                }
            }
            Value::Type(t) | Value::Enum(t, _) => self.ty(t),
            _ => {}
        }
    }

    fn body(&mut self, b: &Body) {
        for s in &b.stmts {
            self.stmt(s);
        }
    }

    fn stmts(&mut self, ss: &[Stmt]) {
        for s in ss {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Expr(e) | StmtKind::Add(e) | StmtKind::Delete(e) => self.expr(e),
            StmtKind::Print(es) => self.exprs(es),
            StmtKind::Event(g, es) => {
                self.global(*g);
                self.exprs(es);
            }
            StmtKind::If(c, t, e) => {
                self.expr(c);
                self.stmt(t);
                if let Some(e) = e {
                    self.stmt(e);
                }
            }
            StmtKind::Switch(e, cases) => {
                self.expr(e);
                for c in cases {
                    for v in &c.values {
                        self.value(v);
                    }
                    for (t, _) in &c.types {
                        self.ty(t);
                    }
                    self.stmts(&c.body);
                }
            }
            StmtKind::For(k, e, b) => {
                let _: &ForKind = k;
                self.expr(e);
                self.stmt(b);
            }
            StmtKind::While(c, b) => {
                self.expr(c);
                self.stmt(b);
            }
            StmtKind::Return(e) | StmtKind::Init(_, e, _) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::When(w) => {
                self.expr(&w.cond);
                self.stmt(&w.body);
                if let Some((t, b)) = &w.timeout {
                    self.expr(t);
                    self.stmts(b);
                }
            }
            StmtKind::Block(b) => self.stmts(b),
            StmtKind::Next | StmtKind::Break | StmtKind::Fallthrough | StmtKind::Empty => {}
        }
    }

    fn exprs(&mut self, es: &[Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    fn lvalue(&mut self, l: &LValue) {
        match l {
            LValue::Global(g) => self.global(*g),
            LValue::Field(r, _) => self.expr(r),
            LValue::Index(c, k) => {
                self.expr(c);
                self.exprs(k);
            }
            LValue::Slice(c, lo, hi) => {
                self.expr(c);
                for x in [lo, hi].into_iter().flatten() {
                    self.expr(x);
                }
            }
            LValue::List(ls) => {
                for l in ls {
                    self.lvalue(l);
                }
            }
            LValue::Local(slot, _) => {
                self.local_reads.insert(*slot);
            }
            LValue::Bad => {}
        }
    }

    fn callee(&mut self, c: &Callee) {
        match c {
            Callee::Global(g) => self.global(*g),
            Callee::Dynamic(f) => self.expr(f),
            Callee::Builtin(_) => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        // The types of values used (locals' types included) carry
        // attributes that may name functions.
        self.ty(&e.ty);
        match &e.kind {
            ExprKind::Const(v) => self.value(v),
            ExprKind::DefaultArg(d) => self.expr(d),
            ExprKind::Global(g) => self.global(*g),
            ExprKind::Local(slot, _) => {
                self.local_reads.insert(*slot);
            }
            ExprKind::Error => {}
            ExprKind::Not(a)
            | ExprKind::Neg(a, _)
            | ExprKind::Pos(a)
            | ExprKind::BitNot(a)
            | ExprKind::Field(a, _)
            | ExprKind::HasField(a, _)
            | ExprKind::Size(a)
            | ExprKind::Copy(a)
            | ExprKind::Coerce(a)
            | ExprKind::Cast(a)
            | ExprKind::Paren(a)
            | ExprKind::FromAny(a)
            | ExprKind::WhenLocal(_, a) => self.expr(a),
            ExprKind::Is(a, t) => {
                self.expr(a);
                self.ty(t);
            }
            ExprKind::TypeVal(t) => self.ty(t),
            ExprKind::IncrDecr(l, _) => self.lvalue(l),
            ExprKind::Binary(_, _, a, b)
            | ExprKind::StrCat(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::VecBinary(_, _, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::PatternOp(_, a, b)
            | ExprKind::In(a, b)
            | ExprKind::NotIn(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Cond(c, a, b) => {
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Assign(LValue::Local(..), r) => self.expr(r),
            ExprKind::Assign(l, r) | ExprKind::AddTo(l, r) | ExprKind::RemoveFrom(l, r) => {
                self.lvalue(l);
                self.expr(r);
            }
            ExprKind::Index(c, k) => {
                self.expr(c);
                self.exprs(k);
            }
            ExprKind::Slice(c, lo, hi) => {
                self.expr(c);
                for x in [lo, hi].into_iter().flatten() {
                    self.expr(x);
                }
            }
            ExprKind::Call(c, args) | ExprKind::Hook(c, args) => {
                self.callee(c);
                self.exprs(args);
            }
            ExprKind::RecordCtor(fs) => {
                for (_, x) in fs {
                    self.expr(x);
                }
            }
            ExprKind::TableCtor(items, def, _, attrs) => {
                for (k, v) in items {
                    self.exprs(k);
                    if let Some(v) = v {
                        self.expr(v);
                    }
                }
                if let Some(d) = def {
                    self.expr(d);
                }
                if let Some(a) = attrs {
                    let exprs = [
                        a.expire.as_ref().map(|(_, e)| e),
                        a.expire_func.as_ref(),
                        a.on_change.as_ref(),
                    ];
                    for e in exprs.into_iter().flatten() {
                        self.expr(e);
                    }
                }
            }
            ExprKind::VectorCtor(xs) | ExprKind::List(xs) => self.exprs(xs),
            ExprKind::Lambda(def) if self.frame_only => {
                for (slot, _) in &def.captures {
                    self.local_reads.insert(*slot);
                }
            }
            ExprKind::Lambda(def) => {
                if self.seen_values.insert(std::rc::Rc::as_ptr(def).cast()) {
                    self.ty(&def.ty);
                    self.body(&def.body);
                }
            }
            ExprKind::Schedule(w, g, args) => {
                self.expr(w);
                self.global(*g);
                self.exprs(args);
            }
        }
    }
}

/// A global's function when it holds a script function, event or hook
/// (Zeek's `GetFuncIfAny`): the global owning the bodies.
fn script_func(prog: &Program, g: &Global) -> Option<u32> {
    if g.ty.as_ref().and_then(|t| t.func()).is_none() || g.builtin.is_some() {
        return None;
    }
    let Value::Func(f) = &g.value else {
        return None;
    };
    let FuncValKind::Global(owner) = f.kind else {
        return None;
    };
    let o = prog.globals.get(owner as usize)?;
    let flavor = o.ty.as_ref().and_then(|t| t.func()).map(|f| f.flavor);
    if o.builtin.is_some() || (flavor == Some(Flavor::Function) && o.bodies.is_empty()) {
        return None;
    }
    Some(owner)
}

impl Interp {
    /// Reports handlers nothing can invoke and functions nothing calls.
    pub fn report_usage_issues(&mut self) {
        let prog = &self.prog;
        let n = prog.globals.len();
        let flavor_of = |g: &Global| g.ty.as_ref().and_then(|t| t.func()).map(|f| f.flavor);
        // Events whose handlers only scripts know of.
        let script_event = |g: &Global| {
            !prog.file_name(g.loc).ends_with(".bif.zeek")
                && !g.exported
                && !CORE_REGISTERED_EVENTS.contains(&g.name.as_str())
        };
        let mut reachable = vec![false; n];
        let mut work = Vec::new();
        for (i, g) in prog.globals.iter().enumerate() {
            let seed = if g.attrs.has(AttrKind::IsUsed) || g.deprecated.is_some() {
                true
            } else if script_func(prog, g).is_some() && flavor_of(g) == Some(Flavor::Event) {
                !script_event(g)
            } else {
                g.exported || !g.name.as_str().contains("::")
            };
            if seed {
                reachable[i] = true;
                work.push(i as u32);
            }
        }
        let mut refs = Refs::new(prog, false);
        let expand = |refs: &mut Refs<'_>, reachable: &mut Vec<bool>, work: &mut Vec<u32>| {
            while let Some(gid) = work.pop() {
                let g = &refs.prog.globals[gid as usize];
                if let Some(t) = &g.ty {
                    refs.ty(t);
                }
                refs.attrs(&g.attrs);
                for e in &g.init_exprs {
                    refs.expr(e);
                }
                match script_func(refs.prog, g) {
                    Some(owner) => {
                        refs.global(owner);
                        if owner == gid {
                            for b in &g.bodies {
                                refs.body(b);
                            }
                        }
                    }
                    None => refs.value(&g.value),
                }
                for r in std::mem::take(&mut refs.found) {
                    if let Some(slot) = reachable.get_mut(r as usize) {
                        if !*slot {
                            *slot = true;
                            work.push(r);
                        }
                    }
                }
            }
        };
        expand(&mut refs, &mut reachable, &mut work);
        // Zeek goes through the global scope in name order.
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|a, b| {
            prog.globals[*a as usize]
                .name
                .as_str()
                .cmp(prog.globals[*b as usize].name.as_str())
        });
        let mut warnings = Vec::new();
        for &gid in &order {
            let g = &prog.globals[gid as usize];
            let what = match flavor_of(g) {
                Some(Flavor::Event) => "event",
                Some(Flavor::Hook) => "hook",
                _ => continue,
            };
            if reachable[gid as usize] || g.kind == crate::program::GlobalKind::Type {
                continue;
            }
            warnings.push((
                g.loc,
                format!(
                    "handler for non-existing {what} cannot be invoked ({})",
                    g.name
                ),
            ));
            reachable[gid as usize] = true;
            work.push(gid);
            expand(&mut refs, &mut reachable, &mut work);
        }
        for &gid in &order {
            let g = &prog.globals[gid as usize];
            if reachable[gid as usize] || script_func(prog, g).is_none() {
                continue;
            }
            warnings.push((
                g.loc,
                format!(
                    "non-exported function does not have any callers ({})",
                    g.name
                ),
            ));
        }
        for (loc, msg) in warnings {
            self.warn(Some(loc), &msg);
        }
        for msg in std::mem::take(&mut self.sema.unused_assignments) {
            self.warn(None, &msg);
        }
    }

    /// With usage issues on, notes an assignment of `rhs` to a local (by a
    /// statement at `span`); calls are left alone for their side effects.
    pub(crate) fn note_local_assign(
        &mut self,
        slot: u32,
        name: zest_syntax::Symbol,
        rhs: &Expr,
        span: zest_syntax::Span,
    ) {
        if !self.sema.usage_issues
            || matches!(
                rhs.kind,
                ExprKind::Call(..) | ExprKind::Hook(..) | ExprKind::Schedule(..)
            )
        {
            return;
        }
        let desc = self.describe_expr(rhs);
        let loc = self.loc(span);
        let mut at = String::new();
        self.describe_loc(loc, &mut at);
        let msg = format!("{name} assignment unused: {name} = {desc}; {at}");
        self.fctx().assigns.push((slot, msg));
    }
}

/// The warnings of `assigns` (slot, warning) whose local is never read in
/// the function body `stmts`.
pub(crate) fn unused_assignments(
    prog: &Program,
    stmts: &[Stmt],
    assigns: &[(u32, String)],
) -> Vec<String> {
    let mut refs = Refs::new(prog, true);
    refs.stmts(stmts);
    assigns
        .iter()
        .filter(|(slot, _)| !refs.local_reads.contains(slot))
        .map(|(_, m)| m.clone())
        .collect()
}
