//! Expressions: resolution, typing (Zeek's promotion rules) and coercion.

use super::Resolved;
use crate::interp::Interp;
use crate::ir::{Arith, BinKind, Callee, Expr, ExprKind, LValue, LambdaDef};
use crate::program::GlobalKind;
use crate::types::{same_type, Flavor, RecordType, Tag, Type, TypeKind, TypeRef};
use crate::value::{Addr, Port, Proto, Subnet, Value};
use std::rc::Rc;
use zest_syntax::ast::{self, AssignOp, BinOp, Literal, UnOp};
use zest_syntax::{Span, Symbol};

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn arith_rank(t: Tag) -> u8 {
    match t {
        Tag::Count => 1,
        Tag::Int => 2,
        Tag::Double => 3,
        _ => 0,
    }
}

impl Interp {
    pub(crate) fn mk(&self, kind: ExprKind, ty: TypeRef, span: Span) -> Expr {
        Expr {
            kind,
            ty,
            loc: self.loc(span),
        }
    }

    fn err_expr(&self, span: Span) -> Expr {
        self.mk(ExprKind::Error, self.prog.base.error.clone(), span)
    }

    pub(crate) fn literal_value(&mut self, lit: &Literal, span: Span) -> (Value, TypeRef) {
        let b = &self.prog.base;
        match lit {
            Literal::Bool(v) => (Value::Bool(*v), b.bool_.clone()),
            Literal::Count(c) => (Value::Count(*c), b.count.clone()),
            Literal::Double(d) => (Value::Double(*d), b.double.clone()),
            Literal::Interval(d) => (Value::Interval(*d), b.interval.clone()),
            Literal::Port(n, p) => {
                let proto = match p {
                    ast::Proto::Tcp => Proto::Tcp,
                    ast::Proto::Udp => Proto::Udp,
                    ast::Proto::Icmp => Proto::Icmp,
                    ast::Proto::Unknown => Proto::Unknown,
                };
                (Value::Port(Port { num: *n, proto }), b.port.clone())
            }
            Literal::Addr(ip) => (Value::Addr(Addr::from_ip(*ip)), b.addr.clone()),
            Literal::Subnet(ip, len) => {
                let a = Addr::from_ip(*ip);
                let len = match ip {
                    std::net::IpAddr::V6(_) if a.is_v4() => {
                        if *len >= 96 {
                            len - 96
                        } else {
                            let l = *len;
                            self.cerror(span, &format!("Bad IPAddr(v4) IPPrefix length : {l}"));
                            0
                        }
                    }
                    _ => *len,
                };
                (
                    Value::Subnet(Subnet::new(a, len as u8)),
                    self.prog.base.subnet.clone(),
                )
            }
            Literal::String(s) => (Value::str(s), b.string.clone()),
            Literal::Hostname(_) => {
                let t = Type::new(TypeKind::Table {
                    index: vec![b.addr.clone()],
                    yield_: None,
                });
                (
                    Value::Table(Rc::new(std::cell::RefCell::new(
                        crate::table::TableVal::new(t.clone()),
                    ))),
                    t,
                )
            }
        }
    }

    pub(crate) fn compile_expr(&mut self, e: &ast::Expr) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Const(lit) => {
                let (v, t) = self.literal_value(lit, span);
                self.mk(ExprKind::Const(v), t, span)
            }
            ast::ExprKind::Pattern {
                text,
                case_insensitive,
                single_line,
            } => {
                let modes = zest_pattern::Modes {
                    case_insensitive: *case_insensitive,
                    single_line: *single_line,
                };
                match zest_pattern::Pattern::with_modes(text.as_bytes(), modes) {
                    Ok(p) => self.mk(
                        ExprKind::Const(Value::Pattern(p)),
                        self.prog.base.pattern.clone(),
                        span,
                    ),
                    Err(err) => {
                        self.cerror(span, &err.to_string());
                        self.err_expr(span)
                    }
                }
            }
            ast::ExprKind::Name(n) => self.compile_name(n.sym, span),
            ast::ExprKind::Dir => {
                let f = self
                    .prog
                    .files
                    .get(self.sema.file as usize)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                let dir = std::path::Path::new(&f)
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                let dir = if dir.is_empty() { ".".to_owned() } else { dir };
                self.mk(
                    ExprKind::Const(Value::str(dir.as_bytes())),
                    self.prog.base.string.clone(),
                    span,
                )
            }
            ast::ExprKind::Filename => {
                let f = self
                    .prog
                    .files
                    .get(self.sema.file as usize)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                let base = std::path::Path::new(&f)
                    .file_name()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.mk(
                    ExprKind::Const(Value::str(base.as_bytes())),
                    self.prog.base.string.clone(),
                    span,
                )
            }
            ast::ExprKind::Paren(inner) => self.compile_expr(inner),
            ast::ExprKind::Copy(inner) => {
                let x = self.compile_expr(inner);
                let t = x.ty.clone();
                self.mk(ExprKind::Copy(bx(x)), t, span)
            }
            ast::ExprKind::Unary(op, inner) => self.compile_unary(*op, inner, span),
            ast::ExprKind::Binary(op, a, b) => self.compile_binary(*op, a, b, span),
            ast::ExprKind::Assign(op, lhs, rhs) => self.compile_assign(*op, lhs, rhs, span),
            ast::ExprKind::BraceList(items)
                if items
                    .iter()
                    .any(|i| matches!(i.kind, ast::ExprKind::Assign(AssignOp::Assign, ..))) =>
            {
                self.compile_table_ctor(items, &[], None, false, span)
            }
            ast::ExprKind::BraceList(items) => {
                // Without a target type: a set of the element types.
                let items: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
                let idx: Vec<TypeRef> = items
                    .first()
                    .map(|x| vec![x.ty.clone()])
                    .unwrap_or_default();
                let t = Type::new(TypeKind::Table {
                    index: idx,
                    yield_: None,
                });
                let entries = items.into_iter().map(|x| (vec![x], None)).collect();
                self.mk(ExprKind::TableCtor(entries, None, false), t, span)
            }
            ast::ExprKind::Cond(c, a, b) => {
                let c = self.compile_expr(c);
                if c.ty.tag() != Tag::Bool && c.ty.tag() != Tag::Error {
                    let d = self.describe_expr(&c);
                    self.cerror(span, &format!("requires boolean conditional ({d} ? …)"));
                }
                let a = self.compile_expr(a);
                let b = self.compile_expr(b);
                let (a, b, t) = self.unify(a, b, span);
                self.mk(ExprKind::Cond(bx(c), bx(a), bx(b)), t, span)
            }
            ast::ExprKind::WhenLocal(name, init) => {
                let x = self.compile_expr(init);
                let t = x.ty.clone();
                let slot = self.fctx().add_local(name.sym, t.clone());
                self.mk(ExprKind::WhenLocal(slot, bx(x)), t, span)
            }
            ast::ExprKind::Index(base, idx) => self.compile_index(base, idx, span),
            ast::ExprKind::Slice(base, lo, hi) => {
                let b = self.compile_expr(base);
                let lo = lo.as_ref().map(|x| bx(self.compile_expr(x)));
                let hi = hi.as_ref().map(|x| bx(self.compile_expr(x)));
                let t = b.ty.clone();
                self.mk(ExprKind::Slice(bx(b), lo, hi), t, span)
            }
            ast::ExprKind::Field(base, name) => {
                let b = self.compile_expr(base);
                match self.field_of(&b.ty, name.sym) {
                    Some((idx, ft)) => self.mk(ExprKind::Field(bx(b), idx), ft, span),
                    None => {
                        if b.ty.tag() != Tag::Error {
                            let d = self.describe_expr(&b);
                            if b.ty.tag() == Tag::Record {
                                self.cerror(
                                    span,
                                    &format!("no such field in record ({d}${})", name.sym),
                                );
                            } else {
                                self.cerror(span, &format!("not a record ({d}${})", name.sym));
                            }
                        }
                        self.err_expr(span)
                    }
                }
            }
            ast::ExprKind::HasField(base, name) => {
                let b = self.compile_expr(base);
                match self.field_of(&b.ty, name.sym) {
                    Some((idx, _)) => self.mk(
                        ExprKind::HasField(bx(b), idx),
                        self.prog.base.bool_.clone(),
                        span,
                    ),
                    None => {
                        let d = self.describe_expr(&b);
                        self.cerror(
                            span,
                            &format!("no such field in record ({d}?${})", name.sym),
                        );
                        self.err_expr(span)
                    }
                }
            }
            ast::ExprKind::FieldAssign(name, _) | ast::ExprKind::FieldLambda(name, _) => {
                // Only meaningful inside constructors; alone it is a record of one field.
                self.compile_record_ctor(std::slice::from_ref(e), None, span)
                    .unwrap_or_else(|| {
                        let _ = name;
                        self.err_expr(span)
                    })
            }
            ast::ExprKind::List(items) => {
                if !items.is_empty()
                    && items.iter().all(|i| {
                        matches!(
                            i.kind,
                            ast::ExprKind::FieldAssign(..) | ast::ExprKind::FieldLambda(..)
                        )
                    })
                {
                    return self
                        .compile_record_ctor(items, None, span)
                        .unwrap_or_else(|| self.err_expr(span));
                }
                let xs: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
                if xs.is_empty() {
                    // `[]`: an empty record constructor.
                    let t = Type::new(TypeKind::Record(RecordType::default()));
                    return self.mk(ExprKind::RecordCtor(Vec::new()), t, span);
                }
                let t = Type::new(TypeKind::List(xs.iter().map(|x| x.ty.clone()).collect()));
                self.mk(ExprKind::List(xs), t, span)
            }
            ast::ExprKind::RecordCons(items) => self
                .compile_record_ctor(items, None, span)
                .unwrap_or_else(|| self.err_expr(span)),
            ast::ExprKind::TableCons(items, attrs) => {
                self.compile_table_ctor(items, attrs, None, false, span)
            }
            ast::ExprKind::SetCons(items, attrs) => {
                self.compile_table_ctor(items, attrs, None, true, span)
            }
            ast::ExprKind::VectorCons(items) => {
                let xs: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
                let elem = self.common_type(&xs);
                let xs = xs
                    .into_iter()
                    .map(|x| self.coerce_to(x, &elem, span))
                    .collect();
                let t = Type::new(TypeKind::Vector(elem));
                self.mk(ExprKind::VectorCtor(xs), t, span)
            }
            ast::ExprKind::Call(f, args) => self.compile_call(f, args, span, false),
            ast::ExprKind::Hook(call) => match &call.kind {
                ast::ExprKind::Call(f, args) => {
                    let x = self.compile_call(f, args, span, true);
                    if let ExprKind::Hook(c, _) = &x.kind {
                        let fty = match c {
                            crate::ir::Callee::Dynamic(fx) => Some(fx.ty.clone()),
                            crate::ir::Callee::Global(g) => {
                                self.prog.globals[*g as usize].ty.clone()
                            }
                            crate::ir::Callee::Builtin(_) => None,
                        };
                        let is_hook = fty
                            .as_ref()
                            .and_then(|t| t.func())
                            .is_some_and(|f| f.flavor == Flavor::Hook);
                        if !is_hook {
                            // Reported on the call; it stays a plain call.
                            let d = self.describe_expr(&x);
                            self.cerror(
                                call.span,
                                &format!("hook keyword should only be used to call hooks ({d})"),
                            );
                            let ret = fty
                                .as_ref()
                                .and_then(|t| t.func())
                                .and_then(|f| f.ret.clone())
                                .unwrap_or_else(|| self.prog.base.void.clone());
                            if let ExprKind::Hook(c, a) = x.kind {
                                return self.mk(ExprKind::Call(c, a), ret, span);
                            }
                            return self.err_expr(span);
                        }
                    }
                    x
                }
                _ => {
                    let x = self.compile_expr(call);
                    if x.ty.tag() != Tag::Error {
                        let d = self.describe_expr(&x);
                        self.cerror(
                            call.span,
                            &format!("not a valid hook call expression ({d})"),
                        );
                    }
                    x
                }
            },
            ast::ExprKind::Lambda(l) => self.compile_lambda(l, span),
            ast::ExprKind::Schedule(when, ev) => {
                let w = self.compile_expr(when);
                if self.local_event_ref(ev.name.sym, ev.span) {
                    return self.err_expr(span);
                }
                let Some(gid) = self.lookup_global(ev.name.sym) else {
                    self.unknown_identifier(ev.name.sym, ev.name.span);
                    return self.err_expr(span);
                };
                let args = self.compile_args_for(gid, &ev.args, ev.span);
                self.mk(
                    ExprKind::Schedule(bx(w), gid, args),
                    self.prog.base.void.clone(),
                    span,
                )
            }
            ast::ExprKind::Abs(inner) => {
                let x = self.compile_expr(inner);
                let t = match x.ty.tag() {
                    Tag::Double | Tag::Time | Tag::Interval | Tag::Subnet | Tag::File => {
                        self.prog.base.double.clone()
                    }
                    Tag::Port | Tag::Enum => self.prog.base.int.clone(),
                    Tag::Any => self.prog.base.any.clone(),
                    _ => self.prog.base.count.clone(),
                };
                self.mk(ExprKind::Size(bx(x)), t, span)
            }
            ast::ExprKind::As(inner, ty) => {
                let x = self.compile_expr(inner);
                let t = self.compile_type(ty);
                if same_type(&x.ty, &t) {
                    return x;
                }
                // A `Broker::Data` converts at run time (Zeek assumes it can).
                let broker_data =
                    x.ty.type_name()
                        .is_some_and(|n| n.as_str() == "Broker::Data");
                if x.ty.tag() != Tag::Any && !broker_data && !(x.ty.is_arith() && t.is_arith()) {
                    let d = self.describe_expr(&x);
                    self.cerror(
                        span,
                        &format!("cast not supported ({d} as {})", t.describe()),
                    );
                    return self.err_expr(span);
                }
                if x.ty.tag() == Tag::Any || broker_data {
                    self.mk(ExprKind::Cast(bx(x)), t, span)
                } else {
                    self.mk(ExprKind::Coerce(bx(x)), t, span)
                }
            }
            ast::ExprKind::Is(inner, ty) => {
                let x = self.compile_expr(inner);
                let t = self.compile_type(ty);
                self.mk(ExprKind::Is(bx(x), t), self.prog.base.bool_.clone(), span)
            }
        }
    }

    fn compile_name(&mut self, sym: Symbol, span: Span) -> Expr {
        match self.resolve(sym) {
            Some(Resolved::Local(slot, ty)) => {
                let full = self.local_full_name(sym);
                if Self::is_blank_name(sym) {
                    self.cerror(
                        span,
                        &format!("blank identifier used in expression ({full})"),
                    );
                    return self.err_expr(span);
                }
                self.mk(ExprKind::Local(slot, full), ty, span)
            }
            Some(Resolved::Global(gid)) => {
                let g = &self.prog.globals[gid as usize];
                if Self::is_blank_name(sym) {
                    let full = g.name;
                    self.cerror(
                        span,
                        &format!("blank identifier used in expression ({full})"),
                    );
                    return self.err_expr(span);
                }
                match g.kind {
                    GlobalKind::EnumConst => {
                        let v = g.value.clone();
                        let t = g.ty.clone().unwrap_or_else(|| self.prog.base.error.clone());
                        self.mk(ExprKind::Const(v), t, span)
                    }
                    GlobalKind::Type => {
                        let t = g.ty.clone().unwrap_or_else(|| self.prog.base.error.clone());
                        let tt = Type::new(TypeKind::Type(t.clone()));
                        self.mk(ExprKind::TypeVal(t), tt, span)
                    }
                    _ => {
                        let t = g.ty.clone().unwrap_or_else(|| self.prog.base.error.clone());
                        self.mk(ExprKind::Global(gid), t, span)
                    }
                }
            }
            None => {
                if let Some(&b) = self.prog.builtin_index.get(&sym) {
                    // A built-in without a script declaration.
                    let ty = Type::new(TypeKind::Func(crate::types::FuncType {
                        flavor: Flavor::Function,
                        params: Vec::new(),
                        ret: Some(self.prog.base.any.clone()),
                    }));
                    let fv = Value::Func(Rc::new(crate::value::FuncVal {
                        ty: ty.clone(),
                        name: sym,
                        kind: crate::value::FuncValKind::Builtin(b),
                    }));
                    return self.mk(ExprKind::Const(fv), ty, span);
                }
                self.unknown_identifier(sym, span);
                self.err_expr(span)
            }
        }
    }

    pub(crate) fn field_of(&self, t: &TypeRef, name: Symbol) -> Option<(usize, TypeRef)> {
        let rt = t.record()?;
        let idx = rt.field_index(name)?;
        let ft = rt.fields.borrow()[idx].ty.clone();
        Some((idx, ft))
    }

    fn compile_unary(&mut self, op: UnOp, inner: &ast::Expr, span: Span) -> Expr {
        match op {
            UnOp::Not => {
                let x = self.compile_expr(inner);
                if x.ty.tag() == Tag::Vector {
                    let t = x.ty.clone();
                    return self.mk(ExprKind::Not(bx(x)), t, span);
                }
                self.mk(ExprKind::Not(bx(x)), self.prog.base.bool_.clone(), span)
            }
            UnOp::BitNot => {
                let x = self.compile_expr(inner);
                self.mk(ExprKind::BitNot(bx(x)), self.prog.base.count.clone(), span)
            }
            UnOp::Neg | UnOp::Pos => {
                let x = self.compile_expr(inner);
                let (k, t) = match x.ty.tag() {
                    Tag::Count | Tag::Int => (Arith::Int, self.prog.base.int.clone()),
                    Tag::Double => (Arith::Double, self.prog.base.double.clone()),
                    Tag::Interval => (Arith::Interval, self.prog.base.interval.clone()),
                    Tag::Time => (Arith::Time, self.prog.base.time.clone()),
                    Tag::Error => return x,
                    _ => {
                        let d = self.describe_expr(&x);
                        let sign = if op == UnOp::Neg { "-" } else { "+" };
                        self.cerror(
                            span,
                            &format!("requires an integral or double operand ({sign}{d})"),
                        );
                        return self.err_expr(span);
                    }
                };
                if op == UnOp::Neg {
                    // Fold negative literals so `-5` is an int constant.
                    if let ExprKind::Const(Value::Count(c)) = x.kind {
                        if c > i64::MAX as u64 + 1 {
                            let d = self.describe_expr(&x);
                            self.cerror(
                                span,
                                &format!("literal is outside range of 'int' values (-{d})"),
                            );
                            return self.err_expr(span);
                        }
                        return self.mk(
                            ExprKind::Const(Value::Int((c as i64).wrapping_neg())),
                            t,
                            span,
                        );
                    }
                    if let ExprKind::Const(Value::Double(d)) = x.kind {
                        return self.mk(ExprKind::Const(Value::Double(-d)), t, span);
                    }
                    self.mk(ExprKind::Neg(bx(x), k), t, span)
                } else {
                    self.mk(ExprKind::Pos(bx(x)), t, span)
                }
            }
            UnOp::PreIncr | UnOp::PreDecr => {
                let (lv, t) = self.compile_lvalue(inner);
                if matches!(lv, LValue::Bad) {
                    return self.err_expr(span);
                }
                self.mk(ExprKind::IncrDecr(lv, op == UnOp::PreIncr), t, span)
            }
        }
    }

    fn arith_of(t: &TypeRef) -> Arith {
        match t.tag() {
            Tag::Count => Arith::Count,
            Tag::Int => Arith::Int,
            Tag::Time => Arith::Time,
            Tag::Interval => Arith::Interval,
            _ => Arith::Double,
        }
    }

    /// Promotes two arithmetic operands to their common type.
    fn promote(&mut self, a: Expr, b: Expr, span: Span) -> (Expr, Expr, TypeRef) {
        let (ra, rb) = (arith_rank(a.ty.tag()), arith_rank(b.ty.tag()));
        let t = if ra >= rb { a.ty.clone() } else { b.ty.clone() };
        let a = self.coerce_to(a, &t, span);
        let b = self.coerce_to(b, &t, span);
        (a, b, t)
    }

    fn compile_binary(&mut self, op: BinOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Expr {
        let x = self.compile_expr(a);
        let y = self.compile_expr(b);
        self.binary_exprs(op, x, y, span)
    }

    pub(crate) fn binary_exprs(&mut self, op: BinOp, x: Expr, y: Expr, span: Span) -> Expr {
        let (tx, ty) = (x.ty.tag(), y.ty.tag());
        if tx == Tag::Error || ty == Tag::Error {
            return self.err_expr(span);
        }
        let b = &self.prog.base;
        let bool_t = b.bool_.clone();
        let kind = match op {
            BinOp::Add => Some(BinKind::Add),
            BinOp::Sub => Some(BinKind::Sub),
            BinOp::Mul => Some(BinKind::Mul),
            BinOp::Div => Some(BinKind::Div),
            BinOp::Mod => Some(BinKind::Mod),
            BinOp::BitAnd => Some(BinKind::BitAnd),
            BinOp::BitOr => Some(BinKind::BitOr),
            BinOp::BitXor => Some(BinKind::BitXor),
            BinOp::Shl => Some(BinKind::Shl),
            BinOp::Shr => Some(BinKind::Shr),
            BinOp::Eq => Some(BinKind::Eq),
            BinOp::Ne => Some(BinKind::Ne),
            BinOp::Lt => Some(BinKind::Lt),
            BinOp::Le => Some(BinKind::Le),
            BinOp::Gt => Some(BinKind::Gt),
            BinOp::Ge => Some(BinKind::Ge),
            _ => None,
        };
        match op {
            BinOp::And | BinOp::Or => {
                if tx == Tag::Vector || ty == Tag::Vector {
                    let t = x.ty.clone();
                    let k = if op == BinOp::And {
                        BinKind::BitAnd
                    } else {
                        BinKind::BitOr
                    };
                    return self.mk(ExprKind::VecBinary(k, Arith::Count, bx(x), bx(y)), t, span);
                }
                if tx != Tag::Bool || ty != Tag::Bool {
                    let d = format!(
                        "{} {} {}",
                        self.describe_expr(&x),
                        op.text(),
                        self.describe_expr(&y)
                    );
                    self.cerror(span, &format!("requires boolean operands ({d})"));
                    return self.err_expr(span);
                }
                let k = if op == BinOp::And {
                    ExprKind::And(bx(x), bx(y))
                } else {
                    ExprKind::Or(bx(x), bx(y))
                };
                self.mk(k, bool_t, span)
            }
            BinOp::In | BinOp::NotIn => {
                let k = if op == BinOp::In {
                    ExprKind::In(bx(x), bx(y))
                } else {
                    ExprKind::NotIn(bx(x), bx(y))
                };
                self.mk(k, bool_t, span)
            }
            _ => {
                let kind = kind.unwrap_or(BinKind::Add);
                let is_cmp = matches!(
                    kind,
                    BinKind::Eq
                        | BinKind::Ne
                        | BinKind::Lt
                        | BinKind::Le
                        | BinKind::Gt
                        | BinKind::Ge
                );
                // Vectors: element-wise.
                if tx == Tag::Vector || ty == Tag::Vector {
                    let elem = if tx == Tag::Vector {
                        x.ty.yield_type().cloned()
                    } else {
                        y.ty.yield_type().cloned()
                    };
                    let elem = elem.unwrap_or_else(|| self.prog.base.any.clone());
                    let rt = if is_cmp {
                        Type::new(TypeKind::Vector(self.prog.base.bool_.clone()))
                    } else if tx == Tag::Vector {
                        x.ty.clone()
                    } else {
                        y.ty.clone()
                    };
                    return self.mk(
                        ExprKind::VecBinary(kind, Self::arith_of(&elem), bx(x), bx(y)),
                        rt,
                        span,
                    );
                }
                if x.ty.is_arith() && y.ty.is_arith() {
                    let (x, y, t) = self.promote(x, y, span);
                    let k = Self::arith_of(&t);
                    if is_cmp {
                        return self.mk(ExprKind::Compare(kind, bx(x), bx(y)), bool_t, span);
                    }
                    if kind == BinKind::Mod && k == Arith::Double {
                        let d = format!("{} % {}", self.describe_expr(&x), self.describe_expr(&y));
                        self.cerror(span, &format!("requires integral operands ({d})"));
                        return self.err_expr(span);
                    }
                    return self.mk(ExprKind::Binary(kind, k, bx(x), bx(y)), t, span);
                }
                // Times compare with a constant zero.
                let is_zero = |e: &Expr| {
                    matches!(e.kind, ExprKind::Const(Value::Count(0) | Value::Int(0)))
                        || matches!(e.kind, ExprKind::Const(Value::Double(d)) if d == 0.0)
                };
                if is_cmp && ((tx == Tag::Time && is_zero(&y)) || (ty == Tag::Time && is_zero(&x)))
                {
                    let z = |e: Expr| {
                        if e.ty.tag() == Tag::Time {
                            e
                        } else {
                            Expr {
                                kind: ExprKind::Const(Value::Time(0.0)),
                                ty: self.prog.base.time.clone(),
                                loc: e.loc,
                            }
                        }
                    };
                    let (x, y) = (z(x), z(y));
                    return self.mk(ExprKind::Compare(kind, bx(x), bx(y)), bool_t, span);
                }
                if is_cmp {
                    if (tx == Tag::Pattern && ty == Tag::String)
                        || (tx == Tag::String && ty == Tag::Pattern)
                        || tx == ty
                    {
                        return self.mk(ExprKind::Compare(kind, bx(x), bx(y)), bool_t, span);
                    }
                    let d = format!(
                        "{} {} {}",
                        self.describe_expr(&x),
                        op.text(),
                        self.describe_expr(&y)
                    );
                    self.cerror(span, &format!("type clash in comparison ({d})"));
                    return self.err_expr(span);
                }
                let b = &self.prog.base;
                let res: Option<(Arith, TypeRef)> = match (tx, ty, kind) {
                    (Tag::Time, Tag::Interval, BinKind::Add | BinKind::Sub) => {
                        Some((Arith::Time, b.time.clone()))
                    }
                    (Tag::Interval, Tag::Time, BinKind::Add) => Some((Arith::Time, b.time.clone())),
                    (Tag::Time, Tag::Time, BinKind::Sub) => {
                        Some((Arith::Interval, b.interval.clone()))
                    }
                    (Tag::Interval, Tag::Interval, BinKind::Add | BinKind::Sub) => {
                        Some((Arith::Interval, b.interval.clone()))
                    }
                    (Tag::Interval, Tag::Interval, BinKind::Div) => {
                        Some((Arith::Double, b.double.clone()))
                    }
                    (Tag::Interval, _, BinKind::Mul | BinKind::Div) if y.ty.is_arith() => {
                        Some((Arith::Interval, b.interval.clone()))
                    }
                    (_, Tag::Interval, BinKind::Mul) if x.ty.is_arith() => {
                        Some((Arith::Interval, b.interval.clone()))
                    }
                    _ => None,
                };
                if let Some((k, t)) = res {
                    return self.mk(ExprKind::Binary(kind, k, bx(x), bx(y)), t, span);
                }
                match (tx, ty, kind) {
                    (Tag::Addr, Tag::Count | Tag::Int, BinKind::Div) => {
                        let t = self.prog.base.subnet.clone();
                        self.mk(
                            ExprKind::Binary(BinKind::Div, Arith::Count, bx(x), bx(y)),
                            t,
                            span,
                        )
                    }
                    (Tag::String, Tag::String, BinKind::Add) => {
                        let t = self.prog.base.string.clone();
                        self.mk(ExprKind::StrCat(bx(x), bx(y)), t, span)
                    }
                    (Tag::Pattern, Tag::Pattern, BinKind::BitAnd | BinKind::BitOr) => {
                        let t = self.prog.base.pattern.clone();
                        self.mk(
                            ExprKind::PatternOp(kind == BinKind::BitAnd, bx(x), bx(y)),
                            t,
                            span,
                        )
                    }
                    (Tag::Table, Tag::Table, _) => {
                        let t = x.ty.clone();
                        let k = match kind {
                            BinKind::BitOr | BinKind::Add => crate::ir::BinKind::BitOr,
                            BinKind::BitAnd => crate::ir::BinKind::BitAnd,
                            _ => crate::ir::BinKind::Sub,
                        };
                        self.mk(ExprKind::Binary(k, Arith::Count, bx(x), bx(y)), t, span)
                    }
                    _ => {
                        let d = format!(
                            "{} {} {}",
                            self.describe_expr(&x),
                            op.text(),
                            self.describe_expr(&y)
                        );
                        self.cerror(span, &format!("requires arithmetic operands ({d})"));
                        self.err_expr(span)
                    }
                }
            }
        }
    }

    /// The common type of two branches (`?:`).
    fn unify(&mut self, a: Expr, b: Expr, span: Span) -> (Expr, Expr, TypeRef) {
        if a.ty.is_arith() && b.ty.is_arith() {
            return self.promote(a, b, span);
        }
        let t = a.ty.clone();
        (a, b, t)
    }

    /// The element type of a constructor's values.
    fn common_type(&mut self, xs: &[Expr]) -> TypeRef {
        let mut t: Option<TypeRef> = None;
        for x in xs {
            t = Some(match t {
                None => x.ty.clone(),
                Some(cur) => {
                    if cur.is_arith() && x.ty.is_arith() {
                        if arith_rank(x.ty.tag()) > arith_rank(cur.tag()) {
                            x.ty.clone()
                        } else {
                            cur
                        }
                    } else if same_type(&cur, &x.ty) {
                        cur
                    } else {
                        self.prog.base.any.clone()
                    }
                }
            });
        }
        t.unwrap_or_else(|| self.prog.base.any.clone())
    }

    fn compile_index(&mut self, base: &ast::Expr, idx: &[ast::Expr], span: Span) -> Expr {
        let b = self.compile_expr(base);
        let mut keys: Vec<Expr> = Vec::with_capacity(idx.len());
        for i in idx {
            // `t[[1, 2]]`: a list index spells the composite key.
            if let ast::ExprKind::List(parts) = &i.kind {
                if b.ty.tag() == Tag::Table && parts.len() > 1 {
                    for p in parts {
                        keys.push(self.compile_expr(p));
                    }
                    continue;
                }
            }
            keys.push(self.compile_expr(i));
        }
        let t = match &b.ty.kind {
            TypeKind::Table { index, yield_ } => {
                keys = keys
                    .into_iter()
                    .zip(
                        index
                            .iter()
                            .cloned()
                            .chain(std::iter::repeat(self.prog.base.any.clone())),
                    )
                    .map(|(k, t)| self.coerce_to(k, &t, span))
                    .collect();
                yield_
                    .clone()
                    .unwrap_or_else(|| self.prog.base.bool_.clone())
            }
            TypeKind::Vector(y) => {
                if keys.first().is_some_and(|k| k.ty.tag() == Tag::Vector) {
                    b.ty.clone()
                } else {
                    y.clone()
                }
            }
            TypeKind::String => self.prog.base.string.clone(),
            TypeKind::Any => self.prog.base.any.clone(),
            TypeKind::Error => return self.err_expr(span),
            _ => {
                let d = self.describe_expr(&b);
                let mut ks = String::new();
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        ks.push_str(", ");
                    }
                    ks.push_str(&self.describe_expr(k));
                }
                self.cerror(
                    span,
                    &format!(
                        "expression with type '{}' is not a type that can be indexed ({d}[{ks}])",
                        b.ty.describe()
                    ),
                );
                return self.err_expr(span);
            }
        };
        self.mk(ExprKind::Index(bx(b), keys), t, span)
    }

    pub(crate) fn compile_lvalue(&mut self, e: &ast::Expr) -> (LValue, TypeRef) {
        match &e.kind {
            ast::ExprKind::Name(n) => match self.resolve(n.sym) {
                Some(Resolved::Local(slot, ty)) => {
                    let is_const = self
                        .sema
                        .func
                        .as_ref()
                        .unwrap_or(&self.sema.top_ctx)
                        .consts
                        .contains(&n.sym);
                    if is_const && !self.in_init {
                        let msg = format!(
                            "const is not a modifiable lvalue ({})",
                            self.local_full_name(n.sym)
                        );
                        self.cerror(e.span, &msg);
                        return (LValue::Bad, self.prog.base.error.clone());
                    }
                    (LValue::Local(slot, self.local_full_name(n.sym)), ty)
                }
                Some(Resolved::Global(gid)) => {
                    let g = &self.prog.globals[gid as usize];
                    let what = match g.kind {
                        GlobalKind::Const | GlobalKind::EnumConst => Some("const"),
                        GlobalKind::Option => Some("option"),
                        GlobalKind::Type => Some("Type name"),
                        _ => None,
                    };
                    let t = g.ty.clone().unwrap_or_else(|| self.prog.base.any.clone());
                    let gname = g.name;
                    if let Some(what) = what.filter(|_| !self.in_init) {
                        let msg = if what == "Type name" {
                            format!("Type name is not an lvalue ({gname})")
                        } else {
                            format!("{what} is not a modifiable lvalue ({gname})")
                        };
                        self.cerror(e.span, &msg);
                        return (LValue::Bad, self.prog.base.error.clone());
                    }
                    (LValue::Global(gid), t)
                }
                None => {
                    self.unknown_identifier(n.sym, n.span);
                    (LValue::Bad, self.prog.base.error.clone())
                }
            },
            ast::ExprKind::Paren(inner) => self.compile_lvalue(inner),
            ast::ExprKind::List(items)
                if !items.is_empty()
                    && !items
                        .iter()
                        .any(|i| matches!(i.kind, ast::ExprKind::FieldAssign(..))) =>
            {
                // `[a, b] = idx`: assign the parts of a composite value.
                let parts: Vec<(LValue, TypeRef)> =
                    items.iter().map(|i| self.compile_lvalue(i)).collect();
                let t = Type::new(TypeKind::List(
                    parts.iter().map(|(_, t)| t.clone()).collect(),
                ));
                (LValue::List(parts.into_iter().map(|(l, _)| l).collect()), t)
            }
            _ => {
                let x = self.compile_expr(e);
                let t = x.ty.clone();
                match x.kind {
                    ExprKind::Field(r, idx) => (LValue::Field(r, idx), t),
                    ExprKind::Index(c, k) => (LValue::Index(c, k), t),
                    ExprKind::Slice(c, lo, hi) => (LValue::Slice(c, lo, hi), t),
                    ExprKind::Local(s, n) => (LValue::Local(s, n), t),
                    ExprKind::Global(g) => (LValue::Global(g), t),
                    ExprKind::Error => (LValue::Bad, t),
                    _ => {
                        self.cerror(e.span, "illegal assignment target");
                        (LValue::Bad, self.prog.base.error.clone())
                    }
                }
            }
        }
    }

    fn compile_assign(
        &mut self,
        op: AssignOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        // A plain name's lvalue check happens when the assignment is built,
        // after its right side (`a = b = c` reports `b` before `a`).
        let (lv, lt, r) = if let ast::ExprKind::Name(n) = &lhs.kind {
            let peek = match self.resolve(n.sym) {
                Some(Resolved::Local(_, t)) => Some(t),
                Some(Resolved::Global(g)) => self.prog.globals[g as usize].ty.clone(),
                None => None,
            };
            match peek {
                Some(t) => {
                    let r = self.assign_rhs(op, rhs, &t, n.sym.as_str());
                    let (lv, lt) = self.compile_lvalue(lhs);
                    (lv, lt, r)
                }
                None => {
                    let (lv, lt) = self.compile_lvalue(lhs);
                    let r = self.assign_rhs(op, rhs, &lt, n.sym.as_str());
                    (lv, lt, r)
                }
            }
        } else {
            let (lv, lt) = self.compile_lvalue(lhs);
            let mut l = String::new();
            if op == AssignOp::Assign {
                self.describe_lvalue_into(&lv, &mut l);
            }
            let r = self.assign_rhs(op, rhs, &lt, &l);
            (lv, lt, r)
        };
        if matches!(lv, LValue::Bad) || r.ty.tag() == Tag::Error {
            return self.err_expr(span);
        }
        match op {
            AssignOp::Assign => {
                let mut l = String::new();
                self.describe_lvalue_into(&lv, &mut l);
                let r = self.coerce_assign(l, r, &lt, span);
                self.mk(ExprKind::Assign(lv, bx(r)), lt, span)
            }
            AssignOp::AddTo | AssignOp::RemoveFrom => {
                match lt.tag() {
                    Tag::Vector | Tag::Table | Tag::Pattern => {
                        let k = if op == AssignOp::AddTo {
                            ExprKind::AddTo(lv, bx(r))
                        } else {
                            ExprKind::RemoveFrom(lv, bx(r))
                        };
                        self.mk(k, lt, span)
                    }
                    _ => {
                        // x += e  is  x = x + e
                        let mut cur = self.lvalue_as_expr(&lv, &lt, lhs.span);
                        if !Self::is_copy_of(&cur) {
                            // An index made of constructors or calls is
                            // evaluated again for the read, as in Zeek.
                            cur = self.compile_expr(lhs);
                        }
                        let bop = if op == AssignOp::AddTo {
                            BinOp::Add
                        } else {
                            BinOp::Sub
                        };
                        let sum = self.binary_exprs(bop, cur, r, span);
                        let sum = self.coerce_to(sum, &lt, span);
                        self.mk(ExprKind::Assign(lv, bx(sum)), lt, span)
                    }
                }
            }
        }
    }

    /// The right side of `name op rhs`: Zeek's typing for `=`, the
    /// target-typed constructors for `+=` and `-=`.
    fn assign_rhs(&mut self, op: AssignOp, rhs: &ast::Expr, t: &TypeRef, lhs: &str) -> Expr {
        if op == AssignOp::Assign {
            self.compile_init_rhs(rhs, t, lhs)
        } else {
            self.compile_rhs(rhs, t)
        }
    }

    /// Re-reads an lvalue as an expression (for `x += e`).
    fn lvalue_as_expr(&mut self, lv: &LValue, t: &TypeRef, span: Span) -> Expr {
        let kind = match lv {
            LValue::Local(s, n) => ExprKind::Local(*s, *n),
            LValue::Global(g) => ExprKind::Global(*g),
            LValue::Field(r, idx) => ExprKind::Field(bx(self.clone_expr(r)), *idx),
            LValue::Index(c, k) => ExprKind::Index(
                bx(self.clone_expr(c)),
                k.iter().map(|x| self.clone_expr(x)).collect(),
            ),
            _ => ExprKind::Error,
        };
        self.mk(kind, t.clone(), span)
    }

    /// Whether [`Self::clone_expr`] copied all of `e`.
    fn is_copy_of(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Error => false,
            ExprKind::Field(r, _) | ExprKind::Coerce(r) => Self::is_copy_of(r),
            ExprKind::Index(c, k) => Self::is_copy_of(c) && k.iter().all(Self::is_copy_of),
            _ => true,
        }
    }

    /// A structural copy of a side-effect-free expression.
    fn clone_expr(&self, e: &Expr) -> Expr {
        let kind = match &e.kind {
            ExprKind::Local(s, n) => ExprKind::Local(*s, *n),
            ExprKind::Global(g) => ExprKind::Global(*g),
            ExprKind::Const(v) => ExprKind::Const(v.clone()),
            ExprKind::Field(r, i) => ExprKind::Field(bx(self.clone_expr(r)), *i),
            ExprKind::Index(c, k) => ExprKind::Index(
                bx(self.clone_expr(c)),
                k.iter().map(|x| self.clone_expr(x)).collect(),
            ),
            ExprKind::Coerce(a) => ExprKind::Coerce(bx(self.clone_expr(a))),
            _ => ExprKind::Error,
        };
        Expr {
            kind,
            ty: e.ty.clone(),
            loc: e.loc,
        }
    }

    /// The right side of an assignment or initializer, typed by the target
    /// where the source is untyped (`{ }` lists, `[$a=…]`, empty ctors).
    pub(crate) fn compile_rhs(&mut self, rhs: &ast::Expr, target: &TypeRef) -> Expr {
        match (&rhs.kind, &target.kind) {
            (
                ast::ExprKind::BraceList(items) | ast::ExprKind::List(items),
                TypeKind::Table { .. },
            ) => {
                self.compile_table_ctor(items, &[], Some(target.clone()), target.is_set(), rhs.span)
            }
            (ast::ExprKind::TableCons(items, attrs), TypeKind::Table { .. }) => {
                self.compile_table_ctor(items, attrs, Some(target.clone()), false, rhs.span)
            }
            (ast::ExprKind::SetCons(items, attrs), TypeKind::Table { .. }) => {
                self.compile_table_ctor(items, attrs, Some(target.clone()), true, rhs.span)
            }
            (
                ast::ExprKind::VectorCons(items)
                | ast::ExprKind::BraceList(items)
                | ast::ExprKind::List(items),
                TypeKind::Vector(elem),
            ) if !(items.is_empty() && matches!(rhs.kind, ast::ExprKind::List(_))) => {
                let elem = elem.clone();
                let xs: Vec<Expr> = items
                    .iter()
                    .map(|i| {
                        let x = self.compile_rhs(i, &elem);
                        self.coerce_to(x, &elem, i.span)
                    })
                    .collect();
                self.mk(ExprKind::VectorCtor(xs), target.clone(), rhs.span)
            }
            (ast::ExprKind::List(items), TypeKind::Record(_)) => self
                .compile_record_ctor(items, Some(target.clone()), rhs.span)
                .unwrap_or_else(|| self.err_expr(rhs.span)),
            (ast::ExprKind::RecordCons(items), TypeKind::Record(_)) => self
                .compile_record_ctor(items, Some(target.clone()), rhs.span)
                .unwrap_or_else(|| self.err_expr(rhs.span)),
            _ => self.compile_expr(rhs),
        }
    }

    /// Checks and coerces the value of an assignment or initialization of
    /// `target` (described as `lhs`), as Zeek's `AssignExpr::TypeCheck`.
    pub(crate) fn coerce_assign(&mut self, lhs: String, e: Expr, t: &TypeRef, span: Span) -> Expr {
        let saved = self.sema.assign_ctx.replace(lhs);
        let x = self.assign_type_check(e, t, span);
        self.sema.assign_ctx = saved;
        x
    }

    /// The right side of an assignment or initialization of a target of
    /// type `target` (described as `lhs`): a `{ … }` or `[ … ]` list
    /// becomes a constructor of the target's type, as Zeek's
    /// `CheckForRHSList` does; anything else is typed on its own.
    pub(crate) fn compile_init_rhs(
        &mut self,
        rhs: &ast::Expr,
        target: &TypeRef,
        lhs: &str,
    ) -> Expr {
        self.compile_init_rhs_at(rhs, target, lhs, rhs.span)
    }

    /// `compile_init_rhs` with the constructor located at `at`: Zeek places
    /// the constructor a list becomes where the parser last set a location.
    pub(crate) fn compile_init_rhs_at(
        &mut self,
        rhs: &ast::Expr,
        target: &TypeRef,
        lhs: &str,
        at: Span,
    ) -> Expr {
        let items = match &rhs.kind {
            ast::ExprKind::BraceList(items) => items,
            ast::ExprKind::List(items)
                if !items.is_empty()
                    && !items.iter().all(|i| {
                        matches!(
                            i.kind,
                            ast::ExprKind::FieldAssign(..) | ast::ExprKind::FieldLambda(..)
                        )
                    }) =>
            {
                items
            }
            _ => return self.compile_expr(rhs),
        };
        match &target.kind {
            TypeKind::Table { .. } => {
                let x =
                    self.compile_table_ctor(items, &[], Some(target.clone()), target.is_set(), at);
                if let (Tag::Error, ExprKind::TableCtor(..)) = (x.ty.tag(), &x.kind) {
                    // The failed constructor still clashes with the target.
                    let mut x = x;
                    x.ty = target.clone();
                    let d = self.describe_expr(&x);
                    self.cerror(at, &format!("type clash in assignment ({lhs} = {d})"));
                    return self.err_expr(rhs.span);
                }
                x
            }
            TypeKind::Vector(_) => {
                let xs: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
                self.checked_vector_ctor(xs, target, at)
            }
            TypeKind::Error => self.err_expr(rhs.span),
            _ => {
                let xs: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
                let t = Type::new(TypeKind::List(xs.iter().map(|x| x.ty.clone()).collect()));
                let x = self.mk(ExprKind::List(xs), t, rhs.span);
                let d = self.describe_expr(&x);
                self.cerror(
                    rhs.span,
                    &format!("invalid constructor list on RHS of assignment ({lhs} = {d})"),
                );
                x
            }
        }
    }

    /// The context of a coercion message: `lhs = e` inside an assignment,
    /// else `e`.
    fn coerce_ctx(&self, e: &Expr) -> String {
        let d = self.describe_expr(e);
        match &self.sema.assign_ctx {
            Some(l) => format!("{l} = {d}"),
            None => d,
        }
    }

    /// Coerces `e` to type `t` as Zeek's `check_and_promote` does.
    pub(crate) fn coerce_to(&mut self, e: Expr, t: &TypeRef, span: Span) -> Expr {
        let (et, tt) = (e.ty.tag(), t.tag());
        if et == Tag::Error || tt == Tag::Error || tt == Tag::Any {
            return e;
        }
        if Rc::ptr_eq(&e.ty, t) {
            return e;
        }
        if et == tt && !matches!(tt, Tag::Record | Tag::Table | Tag::Vector) {
            return e;
        }
        if e.ty.is_arith() && t.is_arith() {
            if arith_rank(et) > arith_rank(tt) {
                if et == Tag::Double {
                    let d = self.coerce_ctx(&e);
                    self.cwarn(
                        span,
                        &format!("dangerous assignment of double to integral ({d})"),
                    );
                } else if let ExprKind::Const(Value::Int(i)) = e.kind {
                    if i < 0 && tt == Tag::Count {
                        let d = self.coerce_ctx(&e);
                        self.cwarn(
                            span,
                            &format!("dangerous assignment of integer to count ({d})"),
                        );
                    }
                }
            }
            if let ExprKind::Const(v) = &e.kind {
                let nv = match (tt, v) {
                    (Tag::Int, Value::Count(c)) if *c <= i64::MAX as u64 => {
                        Some(Value::Int(*c as i64))
                    }
                    (Tag::Double, Value::Count(c)) => Some(Value::Double(*c as f64)),
                    (Tag::Double, Value::Int(i)) => Some(Value::Double(*i as f64)),
                    _ => None,
                };
                if let Some(nv) = nv {
                    return Expr {
                        kind: ExprKind::Const(nv),
                        ty: t.clone(),
                        loc: e.loc,
                    };
                }
            }
            return Expr {
                loc: e.loc,
                ty: t.clone(),
                kind: ExprKind::Coerce(bx(e)),
            };
        }
        if tt == Tag::Time && et == Tag::Count {
            if let ExprKind::Const(Value::Count(0)) = e.kind {
                return Expr {
                    kind: ExprKind::Const(Value::Time(0.0)),
                    ty: t.clone(),
                    loc: e.loc,
                };
            }
        }
        if et == Tag::Any {
            return Expr {
                loc: e.loc,
                ty: t.clone(),
                kind: ExprKind::FromAny(bx(e)),
            };
        }
        match (et, tt) {
            (Tag::Record, Tag::Record) => {
                if same_type(&e.ty, t) {
                    return e;
                }
                return Expr {
                    loc: e.loc,
                    ty: t.clone(),
                    kind: ExprKind::Coerce(bx(e)),
                };
            }
            (Tag::Table, Tag::Table) | (Tag::Vector, Tag::Vector) => {
                if same_type(&e.ty, t) {
                    return e;
                }
                // Untyped or element-compatible constructors are retyped.
                if matches!(e.kind, ExprKind::TableCtor(..) | ExprKind::VectorCtor(_)) {
                    return Expr {
                        loc: e.loc,
                        ty: t.clone(),
                        kind: ExprKind::Coerce(bx(e)),
                    };
                }
                return e;
            }
            (Tag::Func, Tag::Func) => return e,
            (Tag::List, Tag::Record) => return e,
            _ => {}
        }
        if tt != et {
            let d = self.coerce_ctx(&e);
            if t.is_arith() {
                self.cerror(
                    span,
                    &format!(
                        "assignment of non-arithmetic value to arithmetic ({}/{}) ({d})",
                        Self::tag_name(t.tag()),
                        Self::tag_name(e.ty.tag())
                    ),
                );
            } else {
                self.cerror(span, &format!("type clash in assignment ({d})"));
            }
        }
        e
    }

    fn compile_record_ctor(
        &mut self,
        items: &[ast::Expr],
        target: Option<TypeRef>,
        span: Span,
    ) -> Option<Expr> {
        let named_ctor = std::mem::take(&mut self.sema.named_ctor);
        let mut named: Vec<(Symbol, Expr)> = Vec::with_capacity(items.len());
        let mut failed = false;
        for it in items {
            match &it.kind {
                ast::ExprKind::FieldAssign(name, val) => {
                    let fty = target
                        .as_ref()
                        .and_then(|t| self.field_of(t, name.sym))
                        .map(|(_, t)| t);
                    let x = match &fty {
                        // `R(…)`: each field value is typed on its own and
                        // promoted to the field's type.
                        Some(ft) if named_ctor => {
                            let x = self.compile_expr(val);
                            match self.promote_expr(x, ft, val.span) {
                                Ok(x) => x,
                                Err(_) => {
                                    failed = true;
                                    self.err_expr(val.span)
                                }
                            }
                        }
                        Some(ft) => {
                            let x = self.compile_rhs(val, ft);
                            self.coerce_to(x, ft, val.span)
                        }
                        None => self.compile_expr(val),
                    };
                    named.push((name.sym, x));
                }
                ast::ExprKind::FieldLambda(name, l) => {
                    let x = self.compile_lambda(l, it.span);
                    named.push((name.sym, x));
                }
                _ if named_ctor && target.is_some() => {
                    let t = target
                        .clone()
                        .unwrap_or_else(|| self.prog.base.error.clone());
                    let xs: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
                    let all: Vec<String> = xs.iter().map(|x| self.describe_expr(x)).collect();
                    let bad = self.compile_expr(it);
                    let d = self.describe_expr(&bad);
                    let loc = self.loc(span);
                    let (l1, l2) = {
                        let mut a = String::new();
                        self.describe_loc(loc, &mut a);
                        let mut b = String::new();
                        self.describe_loc(bad.loc, &mut b);
                        (a, b)
                    };
                    self.obj_error(
                        &l1,
                        &format!("{}({})", t.describe(), all.join(", ")),
                        &l2,
                        &d,
                        "bad type in record constructor",
                    );
                    return None;
                }
                _ => {
                    self.cerror(it.span, "bad record constructor element");
                    return None;
                }
            }
        }
        if failed {
            return None;
        }
        let ty = match target {
            Some(t) => t,
            None => {
                let rt = RecordType::default();
                {
                    let mut fs = rt.fields.borrow_mut();
                    for (n, x) in &named {
                        fs.push(crate::types::Field {
                            name: *n,
                            ty: x.ty.clone(),
                            attrs: Default::default(),
                            default: None,
                        });
                    }
                }
                Type::new(TypeKind::Record(rt))
            }
        };
        let mut fields = Vec::with_capacity(named.len());
        let mut desc: Option<String> = None;
        let describe_all = |this: &Self, named: &[(Symbol, Expr)]| {
            let mut d = String::new();
            for (i, (n, x)) in named.iter().enumerate() {
                if i > 0 {
                    d.push_str(", ");
                }
                d.push_str(&format!("${n}={}", this.describe_expr(x)));
            }
            d
        };
        let mut orphans = Vec::new();
        for (n, x) in &named {
            if self.field_of(&ty, *n).is_none() {
                orphans.push((*n, self.describe_expr(x)));
            }
        }
        if !orphans.is_empty() {
            desc = Some(describe_all(self, &named));
        }
        for (n, d) in orphans {
            let all = desc.clone().unwrap_or_default();
            if named_ctor {
                self.cerror(
                    span,
                    &format!(
                        "no such field in record ({}({all}) and ${n}={d})",
                        ty.describe()
                    ),
                );
            } else {
                self.cerror(
                    span,
                    &format!(
                        "orphaned field \"{n}\" in record coercion ((coerce [{all}] to {}))",
                        ty.describe()
                    ),
                );
            }
        }
        for (n, x) in named {
            if let Some((idx, _)) = self.field_of(&ty, n) {
                fields.push((idx, x));
            }
        }
        Some(self.mk(ExprKind::RecordCtor(fields), ty, span))
    }

    pub(crate) fn compile_table_ctor(
        &mut self,
        items: &[ast::Expr],
        attrs: &[ast::Attr],
        target: Option<TypeRef>,
        is_set: bool,
        span: Span,
    ) -> Expr {
        let mut entries: Vec<(Vec<Expr>, Option<Expr>)> = Vec::with_capacity(items.len());
        let tyield = match target.as_ref().map(|t| &t.kind) {
            Some(TypeKind::Table { yield_, .. }) => yield_.clone(),
            _ => None,
        };
        for it in items {
            match &it.kind {
                ast::ExprKind::Assign(AssignOp::Assign, k, v) if !is_set || tyield.is_some() => {
                    let keys: Vec<Expr> = match &k.kind {
                        ast::ExprKind::List(parts) => {
                            parts.iter().map(|p| self.compile_expr(p)).collect()
                        }
                        _ => vec![self.compile_expr(k)],
                    };
                    // Values are typed on their own and promoted below.
                    let val = self.compile_expr(v);
                    entries.push((keys, Some(val)));
                }
                ast::ExprKind::List(parts) => {
                    let keys = parts.iter().map(|p| self.compile_expr(p)).collect();
                    entries.push((keys, None));
                }
                _ => {
                    let x = self.compile_expr(it);
                    entries.push((vec![x], None));
                }
            }
        }
        if let Some(t) = &target {
            match self.check_table_ctor(entries, t, is_set, span) {
                Ok(checked) => entries = checked,
                Err(failed) => return failed,
            }
        }
        let ty = match target {
            Some(t) => t,
            None => {
                let nidx = entries.first().map_or(1, |(k, _)| k.len());
                let mut index = Vec::with_capacity(nidx);
                for i in 0..nidx {
                    let col: Vec<Expr> = Vec::new();
                    let _ = col;
                    let mut t: Option<TypeRef> = None;
                    for (k, _) in &entries {
                        if let Some(x) = k.get(i) {
                            t = Some(match t {
                                None => x.ty.clone(),
                                Some(cur)
                                    if cur.is_arith()
                                        && x.ty.is_arith()
                                        && arith_rank(x.ty.tag()) > arith_rank(cur.tag()) =>
                                {
                                    x.ty.clone()
                                }
                                Some(cur) => cur,
                            });
                        }
                    }
                    index.push(t.unwrap_or_else(|| self.prog.base.any.clone()));
                }
                let yield_ =
                    if is_set || entries.iter().all(|(_, v)| v.is_none()) && !entries.is_empty() {
                        None
                    } else {
                        let vals: Vec<Expr> = Vec::new();
                        let _ = vals;
                        let mut t: Option<TypeRef> = None;
                        for (_, v) in &entries {
                            if let Some(x) = v {
                                t = Some(match t {
                                    None => x.ty.clone(),
                                    Some(cur)
                                        if cur.is_arith()
                                            && x.ty.is_arith()
                                            && arith_rank(x.ty.tag()) > arith_rank(cur.tag()) =>
                                    {
                                        x.ty.clone()
                                    }
                                    Some(cur) => cur,
                                });
                            }
                        }
                        Some(t.unwrap_or_else(|| self.prog.base.any.clone()))
                    };
                Type::new(TypeKind::Table { index, yield_ })
            }
        };
        // Coerce keys and values to the table's types.
        if let TypeKind::Table { index, yield_ } = &ty.kind {
            let index = index.clone();
            let yield_ = yield_.clone();
            entries = entries
                .into_iter()
                .map(|(ks, v)| {
                    let ks = ks
                        .into_iter()
                        .zip(
                            index
                                .iter()
                                .cloned()
                                .chain(std::iter::repeat(self.prog.base.any.clone())),
                        )
                        .map(|(k, t)| {
                            // A whole set inside a set constructor is merged.
                            if matches!(k.ty.tag(), Tag::Table | Tag::List) && t.tag() != k.ty.tag()
                            {
                                k
                            } else {
                                self.coerce_to(k, &t, span)
                            }
                        })
                        .collect();
                    let v = match (v, &yield_) {
                        (Some(v), Some(y)) => Some(self.coerce_to(v, y, span)),
                        (v, _) => v,
                    };
                    (ks, v)
                })
                .collect();
        }
        let attrs = self.compile_attrs(attrs, Some(&ty));
        let default = attrs.get(zest_syntax::ast::AttrKind::Default).cloned();
        self.mk(
            ExprKind::TableCtor(
                entries,
                default,
                attrs.has(zest_syntax::ast::AttrKind::Ordered),
            ),
            ty,
            span,
        )
    }

    /// Compiles call arguments against the parameters of global `gid`.
    pub(crate) fn compile_args_for(
        &mut self,
        gid: u32,
        args: &[ast::Expr],
        span: Span,
    ) -> Vec<Expr> {
        let ft = self.prog.globals[gid as usize].ty.clone();
        self.compile_args_typed(ft.as_ref(), args, span)
    }

    fn compile_args_typed(
        &mut self,
        ft: Option<&TypeRef>,
        args: &[ast::Expr],
        span: Span,
    ) -> Vec<Expr> {
        let params: Vec<crate::types::Param> = ft
            .and_then(|t| t.func())
            .map(|f| f.params.clone())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(args.len().max(params.len()));
        for (i, a) in args.iter().enumerate() {
            match params.get(i) {
                Some(p) if p.ty.tag() == Tag::Any && p.name.as_str() != "va_args" => {
                    // A value passed as `any` is wrapped (`to_any_coerce` in
                    // descriptions).
                    let x = self.compile_expr(a);
                    if x.ty.tag() == Tag::Any {
                        out.push(x);
                    } else {
                        let loc = x.loc;
                        out.push(Expr {
                            kind: ExprKind::Coerce(bx(x)),
                            ty: p.ty.clone(),
                            loc,
                        });
                    }
                }
                Some(p) if p.name.as_str() != "va_args" => {
                    let x = self.compile_rhs(a, &p.ty);
                    out.push(self.coerce_to(x, &p.ty, a.span));
                }
                _ => out.push(self.compile_expr(a)),
            }
        }
        // Default parameters.
        for p in params.iter().skip(args.len()) {
            if let Some(d) = &p.default {
                let v = self.eval(d);
                match v {
                    Ok(v) => out.push(Expr {
                        kind: ExprKind::Const(v),
                        ty: p.ty.clone(),
                        loc: self.loc(span),
                    }),
                    Err(_) => out.push(self.err_expr(span)),
                }
            }
        }
        out
    }

    fn compile_call(
        &mut self,
        f: &ast::Expr,
        args: &[ast::Expr],
        span: Span,
        is_hook: bool,
    ) -> Expr {
        // Direct calls of globals and built-ins.
        if let ast::ExprKind::Name(n) = &f.kind {
            let local = self
                .sema
                .func
                .as_ref()
                .unwrap_or(&self.sema.top_ctx)
                .locals
                .contains_key(&n.sym);
            if !local {
                if let Some(gid) = self.lookup_global(n.sym) {
                    let g = &self.prog.globals[gid as usize];
                    let ty = g.ty.clone();
                    if g.kind == GlobalKind::Type {
                        // `R(...)`: a named record constructor.
                        if let Some(t) = ty.clone().filter(|t| t.tag() == Tag::Record) {
                            self.sema.named_ctor = true;
                            let x = self.compile_record_ctor(args, Some(t), span);
                            self.sema.named_ctor = false;
                            return x.unwrap_or_else(|| self.err_expr(span));
                        }
                        if let Some(t) = g.ty.clone() {
                            if t.tag() == Tag::Table {
                                return self.compile_table_ctor(
                                    args,
                                    &[],
                                    Some(t.clone()),
                                    t.is_set(),
                                    span,
                                );
                            }
                            if t.tag() == Tag::Vector {
                                let xs: Vec<Expr> =
                                    args.iter().map(|a| self.compile_expr(a)).collect();
                                return self.checked_vector_ctor(xs, &t, span);
                            }
                        }
                    }
                    let flavor = ty.as_ref().and_then(|t| t.func().map(|f| f.flavor));
                    if flavor == Some(Flavor::Event) {
                        self.cerror(
                            span,
                            &format!(
                                "event called in expression, use event statement instead ({n}(…))",
                                n = n.sym
                            ),
                        );
                        return self.err_expr(span);
                    }
                    if flavor == Some(Flavor::Hook) && !is_hook {
                        self.cerror(
                            span,
                            &format!(
                                "hook cannot be called directly, use hook operator ({})",
                                n.sym
                            ),
                        );
                        return self.err_expr(span);
                    }
                    let argx = self.compile_args_typed(ty.as_ref(), args, span);
                    let ret = ty
                        .as_ref()
                        .and_then(|t| t.func())
                        .and_then(|f| f.ret.clone())
                        .unwrap_or_else(|| self.prog.base.void.clone());
                    let callee = match self.prog.globals[gid as usize].builtin {
                        Some(b) => Callee::Builtin(b),
                        None => Callee::Global(gid),
                    };
                    let kind = if is_hook {
                        ExprKind::Hook(callee, argx)
                    } else {
                        ExprKind::Call(callee, argx)
                    };
                    let ret = if is_hook {
                        self.prog.base.bool_.clone()
                    } else {
                        ret
                    };
                    return self.mk(kind, ret, span);
                }
                if let Some(&b) = self.prog.builtin_index.get(&n.sym) {
                    let argx: Vec<Expr> = args.iter().map(|a| self.compile_expr(a)).collect();
                    let t = self.prog.base.any.clone();
                    return self.mk(ExprKind::Call(Callee::Builtin(b), argx), t, span);
                }
            }
        }
        let fx = self.compile_expr(f);
        if fx.ty.tag() == Tag::Error {
            return self.err_expr(span);
        }
        let ft = fx.ty.clone();
        if !is_hook && ft.func().is_some_and(|f| f.flavor == Flavor::Hook) {
            let d = self.describe_expr(&fx);
            self.cerror(
                f.span,
                &format!("hook cannot be called directly, use hook operator ({d})"),
            );
            return self.err_expr(span);
        }
        let argx = self.compile_args_typed(Some(&ft), args, span);
        let ret = ft
            .func()
            .and_then(|f| f.ret.clone())
            .unwrap_or_else(|| self.prog.base.void.clone());
        if is_hook {
            return self.mk(
                ExprKind::Hook(Callee::Dynamic(bx(fx)), argx),
                self.prog.base.bool_.clone(),
                span,
            );
        }
        self.mk(ExprKind::Call(Callee::Dynamic(bx(fx)), argx), ret, span)
    }

    /// Zeek's `Expr::IsPure`: no assignment, increment, schedule or call
    /// of a script function inside.
    pub(crate) fn expr_is_pure(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::IncrDecr(..)
            | ExprKind::Assign(..)
            | ExprKind::AddTo(..)
            | ExprKind::RemoveFrom(..)
            | ExprKind::Schedule(..)
            | ExprKind::Call(..)
            | ExprKind::Hook(..)
            | ExprKind::WhenLocal(..) => false,
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
            | ExprKind::FromAny(a)
            | ExprKind::Is(a, _) => Self::expr_is_pure(a),
            ExprKind::Binary(_, _, a, b)
            | ExprKind::StrCat(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::VecBinary(_, _, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::PatternOp(_, a, b)
            | ExprKind::In(a, b)
            | ExprKind::NotIn(a, b) => Self::expr_is_pure(a) && Self::expr_is_pure(b),
            ExprKind::Cond(a, b, c) => {
                Self::expr_is_pure(a) && Self::expr_is_pure(b) && Self::expr_is_pure(c)
            }
            ExprKind::Index(a, ks) => Self::expr_is_pure(a) && ks.iter().all(Self::expr_is_pure),
            ExprKind::Slice(a, lo, hi) => {
                Self::expr_is_pure(a)
                    && lo.as_ref().is_none_or(|x| Self::expr_is_pure(x))
                    && hi.as_ref().is_none_or(|x| Self::expr_is_pure(x))
            }
            ExprKind::RecordCtor(fs) => fs.iter().all(|(_, x)| Self::expr_is_pure(x)),
            ExprKind::TableCtor(es, ..) => es.iter().all(|(ks, v)| {
                ks.iter().all(Self::expr_is_pure) && v.as_ref().is_none_or(Self::expr_is_pure)
            }),
            ExprKind::VectorCtor(xs) | ExprKind::List(xs) => xs.iter().all(Self::expr_is_pure),
            _ => true,
        }
    }

    fn compile_lambda(&mut self, l: &ast::Lambda, span: Span) -> Expr {
        let ty = self.compile_func_type(Flavor::Function, &l.sig.params, l.sig.ret.as_deref());
        // Captures: slots of the enclosing frame.
        let mut captures = Vec::new();
        let mut inner = super::FuncCtx {
            ret: ty.func().and_then(|f| f.ret.clone()),
            ..Default::default()
        };
        if let Some(f) = ty.func() {
            for p in &f.params {
                inner.add_local(p.name, p.ty.clone());
            }
        }
        for c in l.captures.iter().flatten() {
            match self.resolve(c.name.sym) {
                Some(Resolved::Local(slot, t)) => {
                    captures.push((slot, c.deep_copy));
                    inner.add_local(c.name.sym, t);
                }
                _ => {
                    self.cerror(
                        c.name.span,
                        &format!("no such local identifier: {}", c.name.sym),
                    );
                }
            }
        }
        let outer = self.sema.func.replace(inner);
        let stmts = self.compile_block_stmts(&l.body.stmts);
        let ctx = std::mem::replace(&mut self.sema.func, outer).unwrap_or_default();
        self.prog.lambda_counter += 1;
        let name = Symbol::intern(&format!("lambda_<{}>", self.prog.lambda_counter));
        let body = Rc::new(crate::ir::Body {
            stmts,
            frame_size: ctx.nslots,
            priority: 0,
            loc: self.loc(span),
            nparams: ty.func().map_or(0, |f| f.params.len() as u32),
            groups: Vec::new(),
        });
        let def = Rc::new(LambdaDef {
            name,
            ty: ty.clone(),
            captures,
            body,
        });
        self.mk(ExprKind::Lambda(def), ty, span)
    }
}
