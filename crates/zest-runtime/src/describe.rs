//! Describing values (`print`, `fmt`/`cat`, error messages) and compiled
//! expressions (the text Zeek quotes in messages), per
//! `zeek-semantics.md` §1 and `src/Val.cc`/`src/Expr.cc` `Describe`.

use crate::interp::Interp;
use crate::ir::{BinKind, Callee, Expr, ExprKind, LValue};
use crate::render;
use crate::types::Tag;
use crate::value::{Proto, Value};

/// Which renderer: `print` (escaped strings, no tabs), `fmt`/`cat` (raw
/// strings, tab indentation in containers), or reporter context (escaped,
/// no newlines at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Print,
    Raw,
    Short,
}

fn proto(p: Proto) -> render::Proto {
    match p {
        Proto::Tcp => render::Proto::Tcp,
        Proto::Udp => render::Proto::Udp,
        Proto::Icmp => render::Proto::Icmp,
        Proto::Unknown => render::Proto::Unknown,
    }
}

/// Value equality as `switch` and set membership use it.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Count(x), Value::Count(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Count(x), Value::Int(y)) | (Value::Int(y), Value::Count(x)) => {
            *y >= 0 && *x == *y as u64
        }
        (Value::Double(x), Value::Double(y))
        | (Value::Time(x), Value::Time(y))
        | (Value::Interval(x), Value::Interval(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Addr(x), Value::Addr(y)) => x == y,
        (Value::Subnet(x), Value::Subnet(y)) => x == y,
        (Value::Port(x), Value::Port(y)) => x == y,
        (Value::Enum(_, x), Value::Enum(_, y)) => x == y,
        _ => false,
    }
}

impl Interp {
    /// Appends the rendering of `v`.
    pub fn describe_value(&self, v: &Value, out: &mut Vec<u8>, style: Style) {
        self.describe_value_depth(v, out, style, 0);
    }

    fn indent(out: &mut Vec<u8>, style: Style, depth: usize) {
        if style == Style::Raw {
            for _ in 0..depth {
                out.push(b'\t');
            }
        }
    }

    fn describe_value_depth(&self, v: &Value, out: &mut Vec<u8>, style: Style, depth: usize) {
        match v {
            Value::Bool(b) => render::write_bool(out, *b),
            Value::Int(i) => render::write_int(out, *i),
            Value::Count(c) => render::write_count(out, *c),
            Value::Double(d) => render::write_double(out, *d),
            Value::Time(t) => render::write_time(out, *t),
            Value::Interval(i) => render::write_interval(out, *i),
            Value::String(s) => match style {
                Style::Raw => render::write_raw(out, s),
                _ => render::write_print_escaped(out, s),
            },
            Value::Pattern(p) => render::string::write_pattern(out, p.exact_text()),
            Value::Port(p) => render::write_port(out, p.num, proto(p.proto)),
            Value::Addr(a) => render::write_addr(out, a.to_ip()),
            Value::Subnet(s) => render::write_subnet(out, s.prefix.to_ip(), s.len),
            Value::Enum(t, i) => {
                let name = match &t.kind {
                    crate::types::TypeKind::Enum(et) => et.name_of(*i),
                    _ => None,
                };
                match name {
                    Some(n) => out.extend_from_slice(n.as_str().as_bytes()),
                    None => out.extend_from_slice(b"<undefined>"),
                }
            }
            Value::Record(r) => {
                let rb = r.borrow();
                out.push(b'[');
                let Some(rt) = rb.ty.record() else {
                    out.push(b']');
                    return;
                };
                let fields = rt.fields.borrow();
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    out.extend_from_slice(f.name.as_str().as_bytes());
                    out.push(b'=');
                    match rb.fields.get(i) {
                        Some(Some(x)) => self.describe_value_depth(x, out, style, depth),
                        // A slot the record predates (`redef record` added
                        // the field later) shows the field's default.
                        None if f.default.is_some() => {
                            if let Some(d) = &f.default {
                                self.describe_value_depth(d, out, style, depth);
                            }
                        }
                        _ => out.extend_from_slice(b"<uninitialized>"),
                    }
                }
                out.push(b']');
            }
            Value::Vector(vv) => {
                let vb = vv.borrow();
                out.push(b'[');
                for (i, it) in vb.items.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    if let Some(x) = it {
                        self.describe_value_depth(x, out, style, depth);
                    }
                }
                out.push(b']');
            }
            Value::Table(t) => {
                let tb = t.borrow();
                let is_set = tb.is_set();
                out.push(b'{');
                if style != Style::Short {
                    out.push(b'\n');
                }
                let n = tb.len();
                for (i, e) in tb.dict.values().enumerate() {
                    Self::indent(out, style, depth + 1);
                    if is_set && e.key.len() == 1 {
                        self.describe_value_depth(&e.key[0], out, style, depth + 1);
                    } else {
                        out.push(b'[');
                        for (j, k) in e.key.iter().enumerate() {
                            if j > 0 {
                                out.extend_from_slice(b", ");
                            }
                            self.describe_value_depth(k, out, style, depth + 1);
                        }
                        out.extend_from_slice(b"] ");
                        if let Some(val) = &e.val {
                            out.extend_from_slice(b"= ");
                            self.describe_value_depth(val, out, style, depth + 1);
                        }
                    }
                    if i + 1 < n {
                        out.push(b',');
                        if style != Style::Short {
                            out.push(b'\n');
                        }
                    }
                }
                if style != Style::Short {
                    out.push(b'\n');
                    if n > 0 || depth > 0 {
                        Self::indent(out, style, depth);
                    }
                }
                out.push(b'}');
            }
            Value::List(l) => {
                for (i, x) in l.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    self.describe_value_depth(x, out, style, depth);
                }
            }
            Value::Func(f) => {
                out.extend_from_slice(f.name.as_str().as_bytes());
            }
            Value::Type(t) => match t.type_name() {
                Some(n) => out.extend_from_slice(n.as_str().as_bytes()),
                None => out.extend_from_slice(t.describe().as_bytes()),
            },
            Value::Opaque(_) => {
                let described = self.hooks.describe_opaque.is_some_and(|f| f(self, v, out));
                if !described {
                    out.extend_from_slice(b"<no value description>");
                }
            }
            Value::File(f) => {
                let fb = f.borrow();
                out.extend_from_slice(format!("file \"{}\" of string", fb.name).as_bytes());
            }
            Value::Void => {}
        }
    }

    /// Zeek's description of a compiled expression, as quoted in messages.
    pub fn describe_expr(&self, e: &Expr) -> String {
        let mut s = String::new();
        self.describe_expr_into(e, &mut s);
        s
    }

    fn value_short(&self, v: &Value) -> String {
        let mut b = Vec::new();
        self.describe_value(v, &mut b, Style::Short);
        String::from_utf8_lossy(&b).into_owned()
    }

    fn describe_args(&self, args: &[Expr], s: &mut String) {
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            self.describe_expr_into(a, s);
        }
    }

    /// The description of an assignment target.
    pub fn describe_lvalue_into(&self, lv: &LValue, s: &mut String) {
        match lv {
            LValue::Bad => {}
            other => self.describe_lvalue(other, s),
        }
    }

    fn describe_lvalue(&self, lv: &LValue, s: &mut String) {
        match lv {
            LValue::Local(_, n) => s.push_str(n.as_str()),
            LValue::Global(g) => s.push_str(self.prog.globals[*g as usize].name.as_str()),
            LValue::Bad => s.push('?'),
            LValue::List(parts) => {
                s.push('[');
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    self.describe_lvalue(p, s);
                }
                s.push(']');
            }
            LValue::Field(r, idx) => {
                self.describe_expr_into(r, s);
                s.push('$');
                s.push_str(&self.field_name(&r.ty, *idx));
            }
            LValue::Index(c, idx) => {
                self.describe_expr_into(c, s);
                s.push('[');
                self.describe_args(idx, s);
                s.push(']');
            }
            LValue::Slice(c, ..) => self.describe_expr_into(c, s),
        }
    }

    fn field_name(&self, t: &crate::types::TypeRef, idx: usize) -> String {
        t.record()
            .and_then(|r| {
                r.fields
                    .borrow()
                    .get(idx)
                    .map(|f| f.name.as_str().to_owned())
            })
            .unwrap_or_default()
    }

    fn describe_expr_into(&self, e: &Expr, s: &mut String) {
        match &e.kind {
            ExprKind::Const(v) => s.push_str(&self.value_short(v)),
            ExprKind::Local(..) | ExprKind::Global(_) => s.push_str(&self.name_of_expr(e)),
            ExprKind::Not(a) => {
                s.push('!');
                self.describe_expr_into(a, s);
            }
            ExprKind::Neg(a, _) => {
                s.push('-');
                self.describe_expr_into(a, s);
            }
            ExprKind::Pos(a) => {
                s.push('+');
                self.describe_expr_into(a, s);
            }
            ExprKind::BitNot(a) => {
                s.push('~');
                self.describe_expr_into(a, s);
            }
            ExprKind::IncrDecr(lv, incr) => {
                s.push_str(if *incr { "++" } else { "--" });
                self.describe_lvalue(lv, s);
            }
            ExprKind::Binary(op, _, a, b)
            | ExprKind::Compare(op, a, b)
            | ExprKind::VecBinary(op, _, a, b) => {
                self.describe_expr_into(a, s);
                s.push(' ');
                s.push_str(Interp::binkind_name(*op));
                s.push(' ');
                self.describe_expr_into(b, s);
            }
            ExprKind::StrCat(a, b) => {
                self.describe_expr_into(a, s);
                s.push_str(" + ");
                self.describe_expr_into(b, s);
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.describe_expr_into(a, s);
                s.push_str(if matches!(e.kind, ExprKind::And(..)) {
                    " && "
                } else {
                    " || "
                });
                self.describe_expr_into(b, s);
            }
            ExprKind::PatternOp(and, a, b) => {
                self.describe_expr_into(a, s);
                s.push_str(if *and { " & " } else { " | " });
                self.describe_expr_into(b, s);
            }
            ExprKind::In(a, b) => {
                self.describe_expr_into(a, s);
                s.push_str(" in ");
                self.describe_expr_into(b, s);
            }
            ExprKind::NotIn(a, b) => {
                s.push('!');
                self.describe_expr_into(a, s);
                s.push_str(" in ");
                self.describe_expr_into(b, s);
            }
            ExprKind::Cond(c, a, b) => {
                self.describe_expr_into(c, s);
                s.push_str(" ? ");
                self.describe_expr_into(a, s);
                s.push_str(" : ");
                self.describe_expr_into(b, s);
            }
            ExprKind::Assign(lv, r) => {
                match lv {
                    LValue::Local(..) | LValue::Global(_) => s.push_str(&self.name_of_expr(e)),
                    other => self.describe_lvalue(other, s),
                }
                s.push_str(" = ");
                self.describe_expr_into(r, s);
            }
            ExprKind::AddTo(lv, r) | ExprKind::RemoveFrom(lv, r) => {
                self.describe_lvalue(lv, s);
                s.push_str(if matches!(e.kind, ExprKind::AddTo(..)) {
                    " += "
                } else {
                    " -= "
                });
                self.describe_expr_into(r, s);
            }
            ExprKind::Field(r, idx) => {
                self.describe_expr_into(r, s);
                s.push('$');
                s.push_str(&self.field_name(&r.ty, *idx));
            }
            ExprKind::HasField(r, idx) => {
                self.describe_expr_into(r, s);
                s.push_str("?$");
                s.push_str(&self.field_name(&r.ty, *idx));
            }
            ExprKind::Index(c, idx) => {
                self.describe_expr_into(c, s);
                s.push('[');
                self.describe_args(idx, s);
                s.push(']');
            }
            ExprKind::Slice(c, lo, hi) => {
                self.describe_expr_into(c, s);
                s.push('[');
                if let Some(lo) = lo {
                    self.describe_expr_into(lo, s);
                }
                s.push_str(", ");
                if let Some(hi) = hi {
                    self.describe_expr_into(hi, s);
                }
                s.push(']');
            }
            ExprKind::Call(c, args) | ExprKind::Hook(c, args) => {
                match c {
                    Callee::Global(g) => s.push_str(self.prog.globals[*g as usize].name.as_str()),
                    Callee::Builtin(b) => s.push_str(self.prog.builtins[*b as usize].name.as_str()),
                    Callee::Dynamic(f) => self.describe_expr_into(f, s),
                }
                s.push('(');
                self.describe_args(args, s);
                s.push(')');
            }
            ExprKind::RecordCtor(fields) => {
                let named = e.ty.type_name();
                match named {
                    Some(n) => {
                        s.push_str(n.as_str());
                        s.push('(');
                    }
                    None => s.push('['),
                }
                for (i, (idx, fe)) in fields.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    s.push('$');
                    s.push_str(&self.field_name(&e.ty, *idx));
                    s.push('=');
                    self.describe_expr_into(fe, s);
                }
                s.push(if named.is_some() { ')' } else { ']' });
            }
            ExprKind::TableCtor(items, ..) => {
                s.push_str(if e.ty.is_set() { "set(" } else { "table(" });
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    self.describe_args(k, s);
                    if let Some(v) = v {
                        s.push_str(" = ");
                        self.describe_expr_into(v, s);
                    }
                }
                s.push(')');
            }
            ExprKind::VectorCtor(items) => {
                s.push_str("vector(");
                self.describe_args(items, s);
                s.push(')');
            }
            ExprKind::List(items) => self.describe_args(items, s),
            ExprKind::Lambda(def) => s.push_str(def.name.as_str()),
            ExprKind::Schedule(..) => s.push_str("schedule"),
            ExprKind::Size(a) => {
                s.push_str("sizeof");
                self.describe_expr_into(a, s);
            }
            ExprKind::Copy(a) => {
                s.push_str("(*)");
                self.describe_expr_into(a, s);
            }
            ExprKind::Coerce(a) => {
                if e.ty.tag() == Tag::Any {
                    s.push_str("to_any_coerce");
                    self.describe_expr_into(a, s);
                } else if a.ty.tag() == Tag::Record {
                    self.describe_expr_into(a, s);
                } else {
                    s.push_str("(coerce ");
                    self.describe_expr_into(a, s);
                    s.push_str(" to ");
                    s.push_str(&e.ty.describe());
                    s.push(')');
                }
            }
            ExprKind::Cast(a) => {
                self.describe_expr_into(a, s);
                s.push_str(" as ");
                s.push_str(&e.ty.describe());
            }
            ExprKind::FromAny(a) => {
                s.push_str("from_any_coerce");
                self.describe_expr_into(a, s);
            }
            ExprKind::Is(a, t) => {
                self.describe_expr_into(a, s);
                s.push_str(" is ");
                s.push_str(&t.describe());
            }
            ExprKind::TypeVal(t) => s.push_str(&t.describe()),
            ExprKind::WhenLocal(_, a) => self.describe_expr_into(a, s),
            ExprKind::Error => s.push_str("error"),
        }
        let _ = BinKind::Add;
    }

    /// The source name of a variable reference (kept in the location-free
    /// name table of the compiler).
    fn name_of_expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Global(g) => self.prog.globals[*g as usize].name.as_str().to_owned(),
            ExprKind::Local(_, name) => name.as_str().to_owned(),
            ExprKind::Assign(LValue::Global(g), _) => {
                self.prog.globals[*g as usize].name.as_str().to_owned()
            }
            ExprKind::Assign(LValue::Local(_, name), _) => name.as_str().to_owned(),
            _ => String::new(),
        }
    }
}

impl Interp {
    /// Zeek's short description of a compiled statement (as quoted in
    /// messages: no newlines, no `;`). `slot_name` names a local slot.
    pub fn describe_stmt_into(
        &self,
        st: &crate::ir::Stmt,
        s: &mut String,
        slot_name: &dyn Fn(u32) -> String,
    ) {
        use crate::ir::{ForKind, StmtKind};
        match &st.kind {
            StmtKind::Expr(e) => self.describe_expr_into(e, s),
            StmtKind::Print(args) => {
                s.push_str("print ");
                self.describe_args(args, s);
            }
            StmtKind::Event(g, args) => {
                s.push_str("event ");
                s.push_str(self.prog.globals[*g as usize].name.as_str());
                s.push('(');
                self.describe_args(args, s);
                s.push(')');
            }
            StmtKind::If(c, t, e) => {
                s.push_str("if (");
                self.describe_expr_into(c, s);
                s.push_str(") ");
                self.describe_stmt_into(t, s, slot_name);
                if let Some(e) = e {
                    if !matches!(e.kind, StmtKind::Empty) {
                        s.push_str("else");
                        self.describe_stmt_into(e, s, slot_name);
                    }
                }
            }
            StmtKind::Switch(e, cases) => {
                s.push_str("switch ");
                self.describe_expr_into(e, s);
                s.push_str(" {");
                for c in cases {
                    self.describe_case_into(c, s, slot_name);
                }
                s.push('}');
            }
            StmtKind::For(kind, e, body) => {
                s.push_str("for (");
                let vars: Vec<u32> = match kind {
                    ForKind::Table { keys, value } => keys.iter().copied().chain(*value).collect(),
                    ForKind::Vector { index, value } => {
                        std::iter::once(*index).chain(*value).collect()
                    }
                    ForKind::String { var } => vec![*var],
                };
                s.push('[');
                for (i, v) in vars.iter().enumerate() {
                    s.push_str(&slot_name(*v));
                    if i > 0 {
                        s.push(',');
                    }
                }
                s.push_str("] in ");
                self.describe_expr_into(e, s);
                s.push_str(") ");
                self.describe_stmt_into(body, s, slot_name);
            }
            StmtKind::While(c, body) => {
                s.push_str("while (");
                self.describe_expr_into(c, s);
                s.push_str(") ");
                self.describe_stmt_into(body, s, slot_name);
            }
            StmtKind::Next => s.push_str("next "),
            StmtKind::Break => s.push_str("break "),
            StmtKind::Fallthrough => s.push_str("fallthrough "),
            StmtKind::Return(e) => {
                s.push_str("return ");
                if let Some(e) = e {
                    s.push('(');
                    self.describe_expr_into(e, s);
                    s.push(')');
                }
            }
            StmtKind::Add(e) => {
                s.push_str("add ");
                self.describe_expr_into(e, s);
            }
            StmtKind::Delete(e) => {
                s.push_str("delete ");
                self.describe_expr_into(e, s);
            }
            StmtKind::Init(slot, e) => match e {
                Some(e)
                    if !matches!(
                        e.kind,
                        ExprKind::TableCtor(..) | ExprKind::VectorCtor(_) | ExprKind::RecordCtor(_)
                    ) =>
                {
                    s.push_str(&slot_name(*slot));
                    s.push_str(" = ");
                    self.describe_expr_into(e, s);
                }
                _ => {
                    s.push_str("<init> ");
                    s.push_str(&slot_name(*slot));
                }
            },
            StmtKind::When(_) => s.push_str("when "),
            StmtKind::Block(v) => self.describe_stmt_list_into(v, s, slot_name),
            StmtKind::Empty => {}
        }
    }

    /// A statement list: `{ s1s2}`, nothing when empty.
    pub fn describe_stmt_list_into(
        &self,
        v: &[crate::ir::Stmt],
        s: &mut String,
        slot_name: &dyn Fn(u32) -> String,
    ) {
        if v.is_empty() {
            return;
        }
        s.push_str("{ ");
        for st in v {
            self.describe_stmt_into(st, s, slot_name);
        }
        s.push('}');
    }

    /// One `case` of a switch, as Zeek's `Case::Describe`.
    pub fn describe_case_into(
        &self,
        c: &crate::ir::SwitchCase,
        s: &mut String,
        slot_name: &dyn Fn(u32) -> String,
    ) {
        if c.values.is_empty() && c.types.is_empty() {
            s.push_str("default:");
        } else {
            s.push_str("case");
            for (i, v) in c.values.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push(' ');
                s.push_str(&self.value_short(v));
            }
            for (i, (t, slot)) in c.types.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(" type ");
                s.push_str(&t.describe());
                if let Some(slot) = slot {
                    s.push_str(" as ");
                    s.push_str(&slot_name(*slot));
                }
            }
            s.push(':');
        }
        self.describe_stmt_list_into(&c.body, s, slot_name);
    }
}
