//! Zeek's full (readable, multi-line) description of a function: its name
//! and bodies, statements one per line with tab indentation, as
//! `Func::Describe` with a default `ODesc` produces it (the text logs
//! show for a `func` column).
//!
//! Upstream: `src/Func.cc` (`ScriptFunc::Describe`), `src/Stmt.cc`
//! (`StmtDescribe` of each statement), `src/Desc.{h,cc}` (indentation).

use crate::interp::Interp;
use crate::ir::{Body, ForKind, Stmt, StmtKind, SwitchCase};
use crate::value::{FuncVal, FuncValKind};

/// An `ODesc` in readable mode: `add` indents at the start of a line.
struct Desc {
    out: String,
    indent: usize,
}

impl Desc {
    fn add(&mut self, s: &str) {
        if self.out.ends_with('\n') {
            for _ in 0..self.indent {
                self.out.push('\t');
            }
        }
        self.out.push_str(s);
    }
    fn sp(&mut self) {
        self.out.push(' ');
    }
    fn nl(&mut self) {
        self.out.push('\n');
    }
    fn push_indent(&mut self) {
        self.indent += 1;
        self.nl();
    }
    fn pop_indent(&mut self) {
        self.indent = self.indent.saturating_sub(1);
        self.nl();
    }
}

impl Interp {
    /// `Func::Describe`: a script function's name, a newline and its
    /// bodies; a built-in function's name.
    pub fn describe_func_long(&self, f: &FuncVal) -> String {
        let mut d = Desc {
            out: String::new(),
            indent: 0,
        };
        d.add(f.name.as_str());
        let bodies: Vec<&Body> = match &f.kind {
            FuncValKind::Global(g) => self.prog.globals[*g as usize]
                .bodies
                .iter()
                .map(|b| &**b)
                .collect(),
            FuncValKind::Lambda(def, _) => vec![&*def.body],
            FuncValKind::Builtin(_) => return d.out,
        };
        d.nl();
        for b in bodies {
            self.long_stmt_list(&mut d, &b.stmts, b);
        }
        d.out
    }

    fn long_stmt_list(&self, d: &mut Desc, v: &[Stmt], b: &Body) {
        if v.is_empty() {
            d.add(";");
            return;
        }
        d.add("{ ");
        d.nl();
        for st in v {
            self.long_stmt(d, st, b);
            d.nl();
        }
        d.add("}");
    }

    fn long_expr(&self, d: &mut Desc, e: &crate::ir::Expr) {
        let mut s = String::new();
        self.describe_expr_into(e, &mut s);
        d.add(&s);
    }

    /// An indented sub-statement (`PushIndent`, the statement, `PopIndent`).
    fn long_indented(&self, d: &mut Desc, st: &Stmt, b: &Body) {
        d.push_indent();
        self.long_stmt(d, st, b);
        d.pop_indent();
    }

    fn slot(b: &Body, slot: u32) -> &str {
        b.slot_names.get(slot as usize).map_or("", |s| s.as_str())
    }

    fn long_stmt(&self, d: &mut Desc, st: &Stmt, b: &Body) {
        match &st.kind {
            StmtKind::Expr(e) => {
                self.long_expr(d, e);
                d.add(";");
            }
            StmtKind::Print(args) => {
                d.add("print");
                d.sp();
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        d.add(", ");
                    }
                    self.long_expr(d, a);
                }
                d.add(";");
            }
            StmtKind::Event(g, args) => {
                d.add("event");
                d.sp();
                d.add(self.prog.globals[*g as usize].name.as_str());
                d.add("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        d.add(", ");
                    }
                    self.long_expr(d, a);
                }
                d.add(")");
                d.add(";");
            }
            StmtKind::If(c, t, e) => {
                d.add("if");
                d.sp();
                d.add("(");
                self.long_expr(d, c);
                d.add(")");
                d.sp();
                self.long_indented(d, t, b);
                if let Some(e) = e.as_deref().filter(|e| !matches!(e.kind, StmtKind::Empty)) {
                    d.add("else");
                    self.long_indented(d, e, b);
                }
            }
            StmtKind::Switch(e, cases) => {
                d.add("switch");
                d.sp();
                self.long_expr(d, e);
                d.sp();
                d.add("{");
                d.push_indent();
                for c in cases {
                    self.long_case(d, c, b);
                }
                d.pop_indent();
                d.add("}");
                d.nl();
            }
            StmtKind::For(kind, e, body) => {
                d.add("for");
                d.sp();
                d.add("(");
                let vars: Vec<u32> = match kind {
                    ForKind::Table { keys, value } => keys.iter().copied().chain(*value).collect(),
                    ForKind::Vector { index, value } => {
                        std::iter::once(*index).chain(*value).collect()
                    }
                    ForKind::String { var } => vec![*var],
                };
                d.add("[");
                for (i, v) in vars.iter().enumerate() {
                    d.add(Self::slot(b, *v));
                    if i > 0 {
                        d.add(",");
                    }
                }
                d.add("]");
                d.add(" in ");
                self.long_expr(d, e);
                d.add(")");
                d.sp();
                self.long_indented(d, body, b);
            }
            StmtKind::While(c, body) => {
                d.add("while");
                d.sp();
                d.add("(");
                self.long_expr(d, c);
                d.add(")");
                d.sp();
                self.long_indented(d, body, b);
            }
            StmtKind::Next => {
                d.add("next");
                d.sp();
                d.add(";");
            }
            StmtKind::Break => {
                d.add("break");
                d.sp();
                d.add(";");
            }
            StmtKind::Fallthrough => {
                d.add("fallthrough");
                d.sp();
                d.add(";");
            }
            StmtKind::Return(e) => {
                d.add("return");
                d.sp();
                if let Some(e) = e {
                    d.add("(");
                    self.long_expr(d, e);
                    d.add(")");
                }
                d.add(";");
            }
            StmtKind::Add(e) | StmtKind::Delete(e) => {
                d.add(if matches!(st.kind, StmtKind::Add(_)) {
                    "add"
                } else {
                    "delete"
                });
                d.sp();
                self.long_expr(d, e);
                d.add(";");
            }
            StmtKind::Init(slot, e) => {
                use crate::ir::ExprKind;
                match e {
                    Some(e)
                        if !matches!(
                            e.kind,
                            ExprKind::TableCtor(..)
                                | ExprKind::VectorCtor(_)
                                | ExprKind::RecordCtor(_)
                        ) =>
                    {
                        d.add(Self::slot(b, *slot));
                        d.add(" = ");
                        self.long_expr(d, e);
                    }
                    _ => {
                        d.add("<init>");
                        d.sp();
                        d.add(Self::slot(b, *slot));
                    }
                }
                d.add(";");
            }
            StmtKind::When(w) => {
                d.add("when");
                d.sp();
                d.add("(");
                self.long_expr(d, &w.cond);
                d.add(")");
                d.sp();
                self.long_indented(d, &w.body, b);
                if let Some((t, body)) = &w.timeout {
                    d.sp();
                    d.add("timeout");
                    d.sp();
                    self.long_expr(d, t);
                    d.sp();
                    d.push_indent();
                    self.long_stmt_list(d, body, b);
                    d.pop_indent();
                }
            }
            StmtKind::Block(v) => self.long_stmt_list(d, v, b),
            StmtKind::Empty => d.add(";"),
        }
    }

    fn long_case(&self, d: &mut Desc, c: &SwitchCase, b: &Body) {
        if c.values.is_empty() && c.types.is_empty() {
            d.add("default:");
        } else {
            d.add("case");
            let mut first = true;
            for v in &c.values {
                if !first {
                    d.add(",");
                }
                first = false;
                d.sp();
                d.add(&self.value_short(v));
            }
            for (t, slot) in &c.types {
                if !first {
                    d.add(",");
                }
                first = false;
                d.sp();
                d.add("type");
                d.sp();
                d.add(&t.describe());
                if let Some(s) = slot {
                    d.sp();
                    d.add("as");
                    d.sp();
                    d.add(Self::slot(b, *s));
                }
            }
            d.add(":");
        }
        d.push_indent();
        self.long_stmt_list(d, &c.body, b);
        d.pop_indent();
    }
}
