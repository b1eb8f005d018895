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

/// Zeek's `ODesc` in its readable form: the text, the indentation level
/// (tabs are added when text starts a line), and whether it is the short
/// form messages use (no newlines, no `;`).
pub struct Desc {
    pub s: String,
    indent: usize,
    short: bool,
    /// Zeek indents only text it collects in memory: a description
    /// written straight to a file (`print`) has no tabs.
    tabs: bool,
}

impl Desc {
    pub fn new(short: bool) -> Self {
        Desc {
            s: String::new(),
            indent: 0,
            short,
            tabs: true,
        }
    }

    fn at_line_start(&mut self) {
        if self.tabs && self.s.ends_with('\n') {
            for _ in 0..self.indent {
                self.s.push('\t');
            }
        }
    }

    /// `ODesc::Add`.
    pub fn push_str(&mut self, t: &str) {
        self.at_line_start();
        self.s.push_str(t);
    }

    pub fn push(&mut self, c: char) {
        self.at_line_start();
        self.s.push(c);
    }

    /// `ODesc::SP`: a space that never indents.
    fn sp(&mut self) {
        self.s.push(' ');
    }

    /// `ODesc::NL`.
    fn nl(&mut self) {
        if !self.short {
            self.s.push('\n');
        }
    }

    fn push_indent(&mut self) {
        self.indent += 1;
        self.nl();
    }

    fn pop_indent(&mut self) {
        self.indent = self.indent.saturating_sub(1);
        self.nl();
    }

    /// `Stmt::DescribeDone`.
    fn done(&mut self) {
        if !self.short {
            self.push(';');
        }
    }
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

/// The order of Zeek's `ExprTag` values for an expression, as
/// `expr_greater` compares them when canonicalizing operands.
fn zeek_expr_tag(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::DefaultArg(d) => zeek_expr_tag(d),
        ExprKind::Local(..) | ExprKind::Global(_) | ExprKind::TypeVal(_) => 0,
        ExprKind::Const(_) => 1,
        ExprKind::Copy(_) => 2,
        ExprKind::IncrDecr(_, true) => 3,
        ExprKind::IncrDecr(_, false) => 4,
        ExprKind::Not(_) | ExprKind::NotIn(..) => 5,
        ExprKind::BitNot(_) => 6,
        ExprKind::Pos(_) => 7,
        ExprKind::Neg(..) => 8,
        ExprKind::StrCat(..) => 9,
        ExprKind::AddTo(..) => 11,
        ExprKind::RemoveFrom(..) => 12,
        ExprKind::PatternOp(and, ..) => {
            if *and {
                16
            } else {
                17
            }
        }
        ExprKind::Binary(op, _, a, b)
        | ExprKind::Compare(op, a, b)
        | ExprKind::VecBinary(op, _, a, b) => match canonical_operands(*op, a, b).0 {
            BinKind::Add => 9,
            BinKind::Sub => 10,
            BinKind::Mul => 13,
            BinKind::Div => 14,
            BinKind::Mod => 15,
            BinKind::BitAnd => 16,
            BinKind::BitOr => 17,
            BinKind::BitXor => 18,
            BinKind::Shl => 19,
            BinKind::Shr => 20,
            BinKind::Lt => 23,
            BinKind::Le => 24,
            BinKind::Eq => 25,
            BinKind::Ne => 26,
            BinKind::Ge => 27,
            BinKind::Gt => 28,
        },
        ExprKind::And(..) => 21,
        ExprKind::Or(..) => 22,
        ExprKind::Cond(..) => 29,
        ExprKind::Assign(..) | ExprKind::WhenLocal(..) => 31,
        ExprKind::Index(..) | ExprKind::Slice(..) => 32,
        ExprKind::Field(..) => 33,
        ExprKind::HasField(..) => 34,
        ExprKind::RecordCtor(_) => 35,
        ExprKind::TableCtor(..) => {
            if e.ty.is_set() {
                37
            } else {
                36
            }
        }
        ExprKind::VectorCtor(_) => 38,
        ExprKind::In(..) => 40,
        ExprKind::List(_) => 41,
        ExprKind::Call(..) | ExprKind::Hook(..) => 42,
        ExprKind::Lambda(_) => 43,
        ExprKind::Schedule(..) => 45,
        ExprKind::Coerce(_) => match e.ty.tag() {
            Tag::Record => 47,
            Tag::Table => 48,
            Tag::Vector => 49,
            Tag::Any => 58,
            _ => 46,
        },
        ExprKind::Size(_) => 50,
        ExprKind::Cast(_) => 51,
        ExprKind::Is(..) => 52,
        ExprKind::FromAny(_) => 59,
        ExprKind::Paren(d) => zeek_expr_tag(d),
        ExprKind::Error => 0,
    }
}

/// An operand as Zeek saw it when canonicalizing: before arithmetic
/// promotion wrapped it in a coercion.
fn unpromoted(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Coerce(a) if e.ty.is_arith() || e.ty.tag() == Tag::Vector => a,
        _ => e,
    }
}

/// Zeek's `Canonicalize` of `*`, `==`/`!=` and the relational operators
/// (their constructors swap operands, and `>`/`>=` become `<`/`<=`), which
/// decides how the expression is described.
fn canonical_operands<'a>(op: BinKind, a: &'a Expr, b: &'a Expr) -> (BinKind, &'a Expr, &'a Expr) {
    let (ua, ub) = (unpromoted(a), unpromoted(b));
    let greater = zeek_expr_tag(ub) > zeek_expr_tag(ua);
    match op {
        BinKind::Gt => (BinKind::Lt, b, a),
        BinKind::Ge => (BinKind::Le, b, a),
        BinKind::Eq | BinKind::Ne => {
            let swap = if ub.ty.tag() == Tag::Pattern {
                true
            } else if ua.ty.tag() == Tag::Pattern {
                false
            } else {
                greater
            };
            if swap {
                (op, b, a)
            } else {
                (op, a, b)
            }
        }
        BinKind::Mul => {
            let is_const = |e: &Expr| matches!(e.kind, ExprKind::Const(_));
            let swap = greater
                || ub.ty.tag() == Tag::Interval
                || (is_const(ub) && ub.ty.tag() != Tag::Vector && !is_const(ua));
            if swap {
                (op, b, a)
            } else {
                (op, a, b)
            }
        }
        _ => (op, a, b),
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
                    // A line starts with tabs when its first text is added
                    // with `ODesc::Add`; a string is added as bytes
                    // (`AddBytes`), which never indents.
                    let bare_string = is_set && matches!(e.key[..], [Value::String(_)]);
                    if !bare_string {
                        Self::indent(out, style, depth + 1);
                    }
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
                out.extend_from_slice(self.describe_func(f, style).as_bytes());
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
        let mut d = Desc::new(true);
        self.describe_expr_into(e, &mut d);
        d.s
    }

    pub(crate) fn value_short(&self, v: &Value) -> String {
        let mut b = Vec::new();
        self.describe_value(v, &mut b, Style::Short);
        String::from_utf8_lossy(&b).into_owned()
    }

    fn describe_args(&self, args: &[Expr], s: &mut Desc) {
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
            other => {
                let mut d = Desc::new(true);
                self.describe_lvalue(other, &mut d);
                s.push_str(&d.s);
            }
        }
    }

    fn describe_lvalue(&self, lv: &LValue, s: &mut Desc) {
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

    fn describe_expr_into(&self, e: &Expr, s: &mut Desc) {
        match &e.kind {
            ExprKind::DefaultArg(d) => self.describe_expr_into(d, s),
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
                let (op, a, b) = canonical_operands(*op, a, b);
                self.describe_expr_into(a, s);
                s.push(' ');
                s.push_str(Interp::binkind_name(op));
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
            ExprKind::TableCtor(items, def, ordered, _) => {
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
                // The constructor's attributes; `&default` implies
                // `&optional`.
                if let Some(d) = def {
                    s.push_str("&default=");
                    self.describe_expr_into(d, s);
                    s.push_str(", &optional");
                }
                if *ordered {
                    s.push_str(if def.is_some() {
                        ", &ordered"
                    } else {
                        "&ordered"
                    });
                }
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
            ExprKind::Paren(a) => {
                s.push('(');
                self.describe_expr_into(a, s);
                s.push(')');
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
        let mut d = Desc::new(true);
        self.desc_stmt(st, &mut d, slot_name);
        s.push_str(&d.s);
    }

    /// A statement list: `{ s1s2}`, nothing when empty.
    pub fn describe_stmt_list_into(
        &self,
        v: &[crate::ir::Stmt],
        s: &mut String,
        slot_name: &dyn Fn(u32) -> String,
    ) {
        let mut d = Desc::new(true);
        self.desc_stmt_list(v, &mut d, slot_name);
        s.push_str(&d.s);
    }

    /// One `case` of a switch, as Zeek's `Case::Describe`.
    pub fn describe_case_into(
        &self,
        c: &crate::ir::SwitchCase,
        s: &mut String,
        slot_name: &dyn Fn(u32) -> String,
    ) {
        let mut d = Desc::new(true);
        self.desc_case(c, &mut d, slot_name);
        s.push_str(&d.s);
    }

    /// Zeek's `Func::Describe` of a function value: its name, then each
    /// body (script functions), in the readable or the short form.
    pub fn describe_func(&self, f: &crate::value::FuncVal, style: Style) -> String {
        use crate::value::FuncValKind;
        let mut d = Desc::new(style == Style::Short);
        d.tabs = style != Style::Print;
        d.push_str(f.name.as_str());
        let bodies: &[std::rc::Rc<crate::ir::Body>] = match &f.kind {
            FuncValKind::Builtin(_) => return d.s,
            FuncValKind::Global(g) => &self.prog.globals[*g as usize].bodies,
            FuncValKind::Lambda(def, _) => std::slice::from_ref(&def.body),
        };
        d.nl();
        for b in bodies {
            self.desc_body(b, &mut d);
        }
        d.s
    }

    /// One function body: a statement list, preceded (as in Zeek's
    /// `ScriptFunc::AddInits`) by the `<init>` of the locals declared
    /// without an initializer.
    fn desc_body(&self, b: &crate::ir::Body, d: &mut Desc) {
        let names = |slot: u32| {
            b.slot_names
                .get(slot as usize)
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default()
        };
        let mut inits = Vec::new();
        Self::collect_inits(&b.stmts, &mut inits);
        if inits.is_empty() {
            self.desc_stmt_list(&b.stmts, d, &names);
            return;
        }
        d.push_str("{ ");
        d.nl();
        d.push_str("<init>");
        d.sp();
        for (i, slot) in inits.iter().enumerate() {
            if i > 0 {
                d.push_str(",");
                d.sp();
            }
            d.push_str(&names(*slot));
        }
        d.done();
        d.nl();
        self.desc_stmt_list(&b.stmts, d, &names);
        d.nl();
        d.push_str("}");
    }

    /// The locals a body declares without an initializer, in order.
    fn collect_inits(v: &[crate::ir::Stmt], out: &mut Vec<u32>) {
        use crate::ir::StmtKind;
        for st in v {
            match &st.kind {
                StmtKind::Init(slot, _, false) => out.push(*slot),
                StmtKind::If(_, t, e) => {
                    Self::collect_inits(std::slice::from_ref(t), out);
                    if let Some(e) = e {
                        Self::collect_inits(std::slice::from_ref(e), out);
                    }
                }
                StmtKind::For(_, _, b) | StmtKind::While(_, b) => {
                    Self::collect_inits(std::slice::from_ref(b), out)
                }
                StmtKind::Switch(_, cases) => {
                    for c in cases {
                        Self::collect_inits(&c.body, out);
                    }
                }
                StmtKind::Block(v) => Self::collect_inits(v, out),
                _ => {}
            }
        }
    }

    /// Zeek's `Stmt::Describe`.
    fn desc_stmt(&self, st: &crate::ir::Stmt, s: &mut Desc, slot_name: &dyn Fn(u32) -> String) {
        use crate::ir::{ForKind, StmtKind};
        match &st.kind {
            StmtKind::Expr(e) => {
                self.describe_expr_into(e, s);
                s.done();
            }
            StmtKind::Print(args) => {
                s.push_str("print");
                s.sp();
                self.describe_args(args, s);
                s.done();
            }
            StmtKind::Event(g, args) => {
                s.push_str("event");
                s.sp();
                s.push_str(self.prog.globals[*g as usize].name.as_str());
                s.push('(');
                self.describe_args(args, s);
                s.push(')');
                s.done();
            }
            StmtKind::If(c, t, e) => {
                s.push_str("if");
                s.sp();
                s.push('(');
                self.describe_expr_into(c, s);
                s.push(')');
                s.sp();
                s.push_indent();
                self.desc_stmt(t, s, slot_name);
                s.pop_indent();
                if let Some(e) = e {
                    if !matches!(e.kind, StmtKind::Empty) {
                        s.push_str("else");
                        s.push_indent();
                        self.desc_stmt(e, s, slot_name);
                        s.pop_indent();
                    }
                }
            }
            StmtKind::Switch(e, cases) => {
                s.push_str("switch");
                s.sp();
                self.describe_expr_into(e, s);
                s.sp();
                s.push('{');
                s.push_indent();
                for c in cases {
                    self.desc_case(c, s, slot_name);
                }
                s.pop_indent();
                s.push('}');
                s.nl();
            }
            StmtKind::For(kind, e, body) => {
                s.push_str("for");
                s.sp();
                s.push('(');
                // Zeek lists the key (or index) variables only, and puts
                // the comma after each but the first.
                let vars: &[u32] = match kind {
                    ForKind::Table { keys, .. } => keys,
                    ForKind::Vector { index, .. } => std::slice::from_ref(index),
                    ForKind::String { var } => std::slice::from_ref(var),
                };
                s.push('[');
                for (i, v) in vars.iter().enumerate() {
                    s.push_str(&slot_name(*v));
                    if i > 0 {
                        s.push(',');
                    }
                }
                s.push(']');
                s.push_str(" in ");
                self.describe_expr_into(e, s);
                s.push(')');
                s.sp();
                s.push_indent();
                self.desc_stmt(body, s, slot_name);
                s.pop_indent();
            }
            StmtKind::While(c, body) => {
                s.push_str("while");
                s.sp();
                s.push('(');
                self.describe_expr_into(c, s);
                s.push(')');
                s.sp();
                s.push_indent();
                self.desc_stmt(body, s, slot_name);
                s.pop_indent();
            }
            StmtKind::Next | StmtKind::Break | StmtKind::Fallthrough => {
                s.push_str(match st.kind {
                    StmtKind::Next => "next",
                    StmtKind::Break => "break",
                    _ => "fallthrough",
                });
                s.sp();
                s.done();
            }
            StmtKind::Return(e) => {
                s.push_str("return");
                s.sp();
                if let Some(e) = e {
                    s.push('(');
                    self.describe_expr_into(e, s);
                    s.push(')');
                }
                s.done();
            }
            StmtKind::Add(e) | StmtKind::Delete(e) => {
                s.push_str(if matches!(st.kind, StmtKind::Add(_)) {
                    "add"
                } else {
                    "delete"
                });
                s.sp();
                self.describe_expr_into(e, s);
                s.done();
            }
            StmtKind::Init(slot, Some(e), true) => {
                // `local x = e` is the expression statement `x = e`.
                s.push_str(&slot_name(*slot));
                s.push_str(" = ");
                self.describe_expr_into(e, s);
                s.done();
            }
            // Locals without an initializer are initialized at the start
            // of the body; where declared there is a null statement.
            StmtKind::Init(..) | StmtKind::Empty => s.done(),
            StmtKind::When(w) => {
                s.push_str("when");
                s.sp();
                s.push('(');
                self.describe_expr_into(&w.cond, s);
                s.push(')');
                s.sp();
                s.push_indent();
                self.desc_stmt(&w.body, s, slot_name);
                s.pop_indent();
                if let Some((t, body)) = &w.timeout {
                    s.sp();
                    s.push_str("timeout");
                    s.sp();
                    self.describe_expr_into(t, s);
                    s.sp();
                    s.push_indent();
                    self.desc_stmt_list(body, s, slot_name);
                    s.pop_indent();
                }
            }
            StmtKind::Block(v) => self.desc_stmt_list(v, s, slot_name),
        }
    }

    /// Zeek's `StmtList::Describe`.
    fn desc_stmt_list(
        &self,
        v: &[crate::ir::Stmt],
        s: &mut Desc,
        slot_name: &dyn Fn(u32) -> String,
    ) {
        if v.is_empty() {
            s.done();
            return;
        }
        s.push_str("{ ");
        s.nl();
        for st in v {
            self.desc_stmt(st, s, slot_name);
            s.nl();
        }
        s.push('}');
    }

    /// Zeek's `Case::Describe`.
    fn desc_case(
        &self,
        c: &crate::ir::SwitchCase,
        s: &mut Desc,
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
                s.sp();
                s.push_str(&self.value_short(v));
            }
            for (i, (t, slot)) in c.types.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.sp();
                s.push_str("type");
                s.sp();
                s.push_str(&t.describe());
                if let Some(slot) = slot {
                    s.sp();
                    s.push_str("as");
                    s.sp();
                    s.push_str(&slot_name(*slot));
                }
            }
            s.push(':');
        }
        s.push_indent();
        self.desc_stmt_list(&c.body, s, slot_name);
        s.pop_indent();
    }
}
