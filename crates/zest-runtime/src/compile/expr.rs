//! Expressions: resolution, typing (Zeek's promotion rules) and coercion.

use super::Resolved;
use crate::interp::Interp;
use crate::ir::{Arith, BinKind, Callee, Expr, ExprKind, LValue, LambdaDef, Loc};
use crate::program::GlobalKind;
use crate::types::{same_type, Flavor, RecordType, Tag, Type, TypeKind, TypeRef};
use crate::value::{Addr, Port, Proto, Subnet, Value};
use std::rc::Rc;
use zest_syntax::ast::{self, AssignOp, AttrKind, BinOp, Literal, UnOp};
use zest_syntax::{Span, Symbol};

/// An index part of a constructor element: as written, or a member of
/// a set it was expanded from.
#[derive(Clone)]
enum KeyPart<'a> {
    Ast(&'a ast::Expr),
    Val(Value, TypeRef, crate::ir::Loc),
}

/// A table or set constructor element before compilation.
#[derive(Clone)]
struct CtorElem<'a> {
    keys: Vec<KeyPart<'a>>,
    val: Option<&'a ast::Expr>,
    /// The index was written as a list (`[a, b]`).
    list: bool,
}

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

    pub(crate) fn literal_value(&mut self, lit: &Literal, _span: Span) -> (Value, TypeRef) {
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
                // A v4-mapped IPv6 literal's length counts over all 128
                // bits; below 96 the prefix is no longer an IPv4 one.
                let (a, len) = match ip {
                    std::net::IpAddr::V6(_) if a.is_v4() => {
                        if *len >= 96 {
                            (a, len - 96)
                        } else {
                            (a.masked(*len), *len)
                        }
                    }
                    _ => (a, *len),
                };
                (
                    Value::Subnet(Subnet::new(a, len as u8)),
                    self.prog.base.subnet.clone(),
                )
            }
            Literal::String(s) => (Value::str(s), b.string.clone()),
            Literal::Hostname(name) => {
                let t = Type::new(TypeKind::Table {
                    index: vec![b.addr.clone()],
                    yield_: None,
                });
                let mut tv = crate::table::TableVal::new(t.clone());
                // With ZEEK_DNS_FAKE, a name resolves to one address made
                // from its hash; while parsing, the hash key is still all
                // zeros (DNS_Mgr's `fake_name_lookup_result`).
                if std::env::var_os("ZEEK_DNS_FAKE").is_some() {
                    tv.insert(
                        vec![Value::Addr(Addr::fake_dns(&[0; 4], name.as_bytes()))],
                        None,
                    );
                }
                (Value::Table(Rc::new(std::cell::RefCell::new(tv))), t)
            }
        }
    }

    pub(crate) fn compile_expr(&mut self, e: &ast::Expr) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Const(lit) => {
                let (v, t) = self.literal_value(lit, span);
                if let Value::String(s) = &v {
                    let loc = self.loc(span);
                    self.prog
                        .const_locs
                        .insert(Rc::as_ptr(s) as *const u8 as usize, (v.clone(), loc));
                }
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
                let mut dir = if dir.is_empty() { ".".to_owned() } else { dir };
                // A relative directory is made absolute by prefixing the
                // working directory (scan.l's @DIR).
                if dir.starts_with('.') {
                    if let Ok(cwd) = std::env::current_dir() {
                        dir = format!("{}/{dir}", cwd.display());
                    }
                }
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
            ast::ExprKind::Paren(inner) => {
                // Zeek marks the expression as parenthesized (described in
                // parens) and evaluates it as it is.
                let x = self.compile_expr(inner);
                if matches!(x.kind, ExprKind::Paren(_) | ExprKind::Error) {
                    return x;
                }
                let t = x.ty.clone();
                self.mk(ExprKind::Paren(bx(x)), t, span)
            }
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
                self.mk(ExprKind::TableCtor(entries, None, false, None), t, span)
            }
            ast::ExprKind::Cond(c, a, b) => {
                let c = self.compile_expr(c);
                // A vector of bool selects elementwise.
                let c_vec = c.ty.tag() == Tag::Vector;
                let c_tag = match c.ty.kind {
                    TypeKind::Vector(ref y) => y.tag(),
                    _ => c.ty.tag(),
                };
                if c_tag != Tag::Bool && c_tag != Tag::Error {
                    let d = self.describe_expr(&c);
                    self.cerror(span, &format!("requires boolean conditional ({d} ? …)"));
                }
                let a = self.compile_expr(a);
                let b = self.compile_expr(b);
                if c_vec && c_tag == Tag::Bool {
                    return self.compile_vector_cond(c, a, b, span);
                }
                if c.ty.tag() == Tag::Bool && !self.cond_operands_match(&a, &b) {
                    let x = self.mk(
                        ExprKind::Cond(bx(c), bx(a), bx(b)),
                        self.prog.base.error.clone(),
                        span,
                    );
                    let d = self.describe_expr(&x);
                    self.cerror(span, &format!("operands must be of the same type ({d})"));
                    return self.err_expr(span);
                }
                let (a, b, t) = self.unify(a, b, span);
                self.mk(ExprKind::Cond(bx(c), bx(a), bx(b)), t, span)
            }
            ast::ExprKind::WhenLocal(name, init) => {
                // Zeek's `add_and_assign_local`: an assignment whose value
                // is `T` once the initializer has one.
                let x = self.compile_expr(init);
                let t = x.ty.clone();
                if let Some(b) = self.fctx().block_locals.last_mut() {
                    b.push(name.sym);
                }
                let slot = self.fctx().add_local(name.sym, t);
                let b = self.prog.base.bool_.clone();
                self.mk(ExprKind::WhenLocal(slot, bx(x)), b, span)
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
                    Some((idx, ft)) => {
                        let w = Self::field_deprecation(&b.ty, idx, false);
                        let x = self.mk(ExprKind::Field(bx(b), idx), ft, span);
                        if let Some(w) = w {
                            let d = self.describe_expr(&x);
                            self.cwarn(span, &format!("{w} ({d})"));
                        }
                        x
                    }
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
                    Some((idx, _)) => {
                        let w = Self::field_deprecation(&b.ty, idx, true);
                        let x = self.mk(
                            ExprKind::HasField(bx(b), idx),
                            self.prog.base.bool_.clone(),
                            span,
                        );
                        if let Some(w) = w {
                            let d = self.describe_expr(&x);
                            self.cwarn(span, &format!("{w} ({d})"));
                        }
                        x
                    }
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
                let Some(elem) = self.common_type(&xs, span) else {
                    return self.err_expr(span);
                };
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
                let Some((gid, args)) = self.compile_event_call(ev) else {
                    return self.err_expr(span);
                };
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
        if let Some((slot, ty)) = self.outer_local_ref(sym) {
            let full = self.local_full_name(sym);
            return self.mk(ExprKind::Local(slot, full), ty, span);
        }
        match self.resolve(sym) {
            Some(Resolved::Local(slot, ty)) => {
                self.warn_out_of_scope_local(sym, span);
                self.note_local_ref(sym, slot);
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
                self.warn_deprecated_global(gid, span);
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
                // On a vector, elementwise, to a vector of the result type.
                if let TypeKind::Vector(y) = &x.ty.kind {
                    let (k, t) = match y.tag() {
                        Tag::Count | Tag::Int => (Arith::Int, self.prog.base.int.clone()),
                        Tag::Double => (Arith::Double, self.prog.base.double.clone()),
                        Tag::Interval => (Arith::Interval, self.prog.base.interval.clone()),
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
                    let t = Type::new(TypeKind::Vector(t));
                    let kind = if op == UnOp::Neg {
                        ExprKind::Neg(bx(x), k)
                    } else {
                        ExprKind::Pos(bx(x))
                    };
                    return self.mk(kind, t, span);
                }
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

    /// Zeek's `BinaryExpr::CheckScalarAggOp`: a deprecation warning for a
    /// vector and a scalar operand, naming their types in the order of the
    /// operands after Zeek's canonicalization (`>` and `>=` are already
    /// swapped here; `*`, `==` and `!=` swap in some cases).
    fn check_scalar_agg_op(&mut self, kind: BinKind, x: &Expr, y: &Expr, span: Span) {
        let aggr = |e: &Expr| {
            matches!(
                e.ty.tag(),
                Tag::Vector | Tag::Table | Tag::Record | Tag::List
            )
        };
        if aggr(x) == aggr(y) {
            return;
        }
        let (tx, ty) = (x.ty.tag(), y.ty.tag());
        let is_const = |e: &Expr| matches!(e.kind, ExprKind::Const(_));
        let swap = match kind {
            BinKind::Mul => {
                expr_tag_rank(y) > expr_tag_rank(x)
                    || ty == Tag::Interval
                    || (is_const(y) && ty != Tag::Vector && !is_const(x))
            }
            BinKind::Eq | BinKind::Ne => {
                ty == Tag::Pattern || (tx != Tag::Pattern && expr_tag_rank(y) > expr_tag_rank(x))
            }
            _ => false,
        };
        let (a, b) = if swap { (ty, tx) } else { (tx, ty) };
        self.cwarn(
            span,
            &format!(
                "mixing vector and scalar operands is deprecated ({}) ({})",
                a.name(),
                b.name()
            ),
        );
    }

    pub(crate) fn binary_exprs(&mut self, op: BinOp, x: Expr, y: Expr, span: Span) -> Expr {
        // Zeek's `RelExpr::Canonicalize`: `a > b` is `b < a`.
        let (op, x, y) = match op {
            BinOp::Gt => (BinOp::Lt, y, x),
            BinOp::Ge => (BinOp::Le, y, x),
            _ => (op, x, y),
        };
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
                    if (tx == Tag::Vector) != (ty == Tag::Vector) {
                        self.cwarn(span, "mixing vector and scalar operands is deprecated");
                    }
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
                let whole = self.mk(ExprKind::In(bx(x), bx(y)), bool_t, span);
                let ExprKind::In(x, y) = &whole.kind else {
                    return self.err_expr(span);
                };
                if !self.check_in(x, y, &whole) {
                    return self.err_expr(span);
                }
                if op == BinOp::In {
                    return whole;
                }
                let Expr { kind, ty, loc } = whole;
                let ExprKind::In(x, y) = kind else {
                    return self.err_expr(span);
                };
                Expr {
                    kind: ExprKind::NotIn(x, y),
                    ty,
                    loc,
                }
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
                    self.check_scalar_agg_op(kind, &x, &y, span);
                    let elem = if tx == Tag::Vector {
                        x.ty.yield_type().cloned()
                    } else {
                        y.ty.yield_type().cloned()
                    };
                    let elem = elem.unwrap_or_else(|| self.prog.base.any.clone());
                    // Intervals times or by numbers are intervals; an
                    // interval by an interval is a double.
                    let elem_tag = |t: &TypeRef| match t.yield_type() {
                        Some(y) if t.tag() == Tag::Vector => y.tag(),
                        _ => t.tag(),
                    };
                    let (ex, ey) = (elem_tag(&x.ty), elem_tag(&y.ty));
                    let is_num = |t: Tag| matches!(t, Tag::Count | Tag::Int | Tag::Double);
                    let interval_elem = match (ex, ey, kind) {
                        (Tag::Interval, Tag::Interval, BinKind::Div) => {
                            Some(self.prog.base.double.clone())
                        }
                        (Tag::Interval, o, BinKind::Mul | BinKind::Div)
                        | (o, Tag::Interval, BinKind::Mul | BinKind::Div)
                            if is_num(o) =>
                        {
                            Some(self.prog.base.interval.clone())
                        }
                        _ => None,
                    };
                    if let (Some(et), false) = (interval_elem, is_cmp) {
                        let rt = Type::new(TypeKind::Vector(et.clone()));
                        return self.mk(
                            ExprKind::VecBinary(kind, Self::arith_of(&et), bx(x), bx(y)),
                            rt,
                            span,
                        );
                    }
                    // Two vectors of different arithmetic elements: the
                    // smaller is promoted (Zeek's `PromoteOps`, an
                    // ArithCoerceExpr per vector).
                    if tx == Tag::Vector
                        && ty == Tag::Vector
                        && is_num(ex)
                        && is_num(ey)
                        && ex != ey
                    {
                        let wide = if arith_rank(ex) >= arith_rank(ey) {
                            x.ty.clone()
                        } else {
                            y.ty.clone()
                        };
                        let widen = |me: &mut Self, v: Expr| {
                            if Rc::ptr_eq(&v.ty, &wide) {
                                v
                            } else {
                                me.mk(ExprKind::Coerce(bx(v)), wide.clone(), span)
                            }
                        };
                        let (x, y) = (widen(self, x), widen(self, y));
                        let et = wide
                            .yield_type()
                            .cloned()
                            .unwrap_or_else(|| self.prog.base.any.clone());
                        let rt = if is_cmp {
                            Type::new(TypeKind::Vector(self.prog.base.bool_.clone()))
                        } else {
                            wide.clone()
                        };
                        return self.mk(
                            ExprKind::VecBinary(kind, Self::arith_of(&et), bx(x), bx(y)),
                            rt,
                            span,
                        );
                    }
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
                    (_, Tag::Interval, BinKind::Mul | BinKind::Div) if x.ty.is_arith() => {
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

    /// Whether the alternatives of `c ? a : b` fit together, as Zeek's
    /// `CondExpr` decides: arithmetic ones promote, unspecified tables and
    /// vectors take the other's type, anything else must be the same type.
    fn cond_operands_match(&self, a: &Expr, b: &Expr) -> bool {
        let (ta, tb) = (a.ty.tag(), b.ty.tag());
        if ta == Tag::Error || tb == Tag::Error || (a.ty.is_arith() && b.ty.is_arith()) {
            return true;
        }
        if ta != tb {
            return false;
        }
        if matches!(ta, Tag::Table | Tag::Vector)
            && (Self::is_unspecified_ctor(a) || Self::is_unspecified_ctor(b))
        {
            return true;
        }
        super::check::zeek_same_type(&a.ty, &b.ty)
    }

    /// An empty `table()`, `set()` or `vector()` without a type: Zeek's
    /// unspecified table or vector, which takes the type it meets.
    pub(crate) fn is_unspecified_ctor(e: &Expr) -> bool {
        match (&e.kind, &e.ty.kind) {
            (_, TypeKind::Table { index, .. }) if index.is_empty() => true,
            (ExprKind::TableCtor(entries, ..), TypeKind::Table { index, .. }) => {
                entries.is_empty() && index.iter().all(|t| t.tag() == Tag::Any)
            }
            (ExprKind::VectorCtor(items), TypeKind::Vector(y)) => {
                items.is_empty() && matches!(y.tag(), Tag::Any | Tag::Void)
            }
            _ => false,
        }
    }

    /// The common type of two branches (`?:`).
    /// `c ? a : b` with a vector of bool `c` (Zeek's `CondExpr`): the
    /// alternatives must be vectors of arithmetic elements; the result's
    /// elements have the larger of their types.
    fn compile_vector_cond(&mut self, c: Expr, a: Expr, b: Expr, span: Span) -> Expr {
        if a.ty.tag() == Tag::Error || b.ty.tag() == Tag::Error {
            return self.err_expr(span);
        }
        let fail = |me: &mut Self, c: Expr, a: Expr, b: Expr, msg: &str| {
            let x = me.mk(
                ExprKind::Cond(bx(c), bx(a), bx(b)),
                me.prog.base.error.clone(),
                span,
            );
            let d = me.describe_expr(&x);
            me.cerror(span, &format!("{msg} ({d})"));
            me.err_expr(span)
        };
        let (Some(ya), Some(yb)) = (
            a.ty.yield_type()
                .filter(|_| a.ty.tag() == Tag::Vector)
                .cloned(),
            b.ty.yield_type()
                .filter(|_| b.ty.tag() == Tag::Vector)
                .cloned(),
        ) else {
            return fail(
                self,
                c,
                a,
                b,
                "vector conditional requires vector alternatives",
            );
        };
        if ya.is_arith() && yb.is_arith() {
            let y = if arith_rank(ya.tag()) >= arith_rank(yb.tag()) {
                ya
            } else {
                yb
            };
            let t = Type::new(TypeKind::Vector(y));
            return self.mk(ExprKind::Cond(bx(c), bx(a), bx(b)), t, span);
        }
        if ya.tag() != yb.tag() {
            return fail(self, c, a, b, "operands must be of the same type");
        }
        fail(
            self,
            c,
            a,
            b,
            "vector conditional type clash between alternatives",
        )
    }

    fn unify(&mut self, a: Expr, b: Expr, span: Span) -> (Expr, Expr, TypeRef) {
        if a.ty.is_arith() && b.ty.is_arith() {
            return self.promote(a, b, span);
        }
        // An unspecified `table()`/`set()`/`vector()` takes the other
        // alternative's type (Zeek's TableCoerceExpr/VectorCoerceExpr).
        let unspecified = |e: &Expr| {
            Self::is_unspecified_ctor(e)
                || super::check::is_unspecified_table(&e.ty)
                || super::check::is_unspecified_vector(&e.ty)
        };
        if a.ty.tag() == b.ty.tag() && matches!(a.ty.tag(), Tag::Table | Tag::Vector) {
            if unspecified(&a) && !unspecified(&b) {
                let t = b.ty.clone();
                let a = self.coerce_to(a, &t, span);
                return (a, b, t);
            }
            if unspecified(&b) {
                let t = a.ty.clone();
                let b = self.coerce_to(b, &t, span);
                return (a, b, t);
            }
        }
        let t = a.ty.clone();
        (a, b, t)
    }

    /// The element type of a constructor's values (Zeek's `maximal_type`);
    /// `None` after reporting values of inconsistent types.
    fn common_type(&mut self, xs: &[Expr], span: Span) -> Option<TypeRef> {
        let mut t: Option<TypeRef> = None;
        for x in xs {
            t = Some(match t {
                None => x.ty.clone(),
                Some(cur) => {
                    if Rc::ptr_eq(&cur, &x.ty) {
                        cur
                    } else if cur.is_arith() && x.ty.is_arith() {
                        if arith_rank(x.ty.tag()) > arith_rank(cur.tag()) {
                            x.ty.clone()
                        } else {
                            cur
                        }
                    } else if cur.tag() == Tag::Enum && x.ty.tag() == Tag::Enum {
                        if cur.type_name() != x.ty.type_name() {
                            let n = |t: &TypeRef| t.type_name().map_or("", |n| n.as_str());
                            let msg = format!(
                                "incompatible enum types: '{}' and '{}'",
                                n(&cur),
                                n(&x.ty)
                            );
                            let l1 = self.type_loc_text(&cur, x.loc);
                            let l2 = self.type_loc_text(&x.ty, x.loc);
                            self.obj_error(&l1, &cur.describe(), &l2, &x.ty.describe(), &msg);
                            self.cerror(span, "inconsistent types in list");
                            return None;
                        }
                        cur
                    } else if super::check::zeek_same_type(&cur, &x.ty) {
                        cur
                    } else {
                        self.cerror(span, "inconsistent types in list");
                        return None;
                    }
                }
            });
        }
        Some(t.unwrap_or_else(|| self.prog.base.any.clone()))
    }

    fn compile_index(&mut self, base: &ast::Expr, idx: &[ast::Expr], span: Span) -> Expr {
        let b = self.compile_expr(base);
        let mut keys: Vec<Expr> = Vec::with_capacity(idx.len());
        for i in idx {
            // `t[[1, 2]]`: a list index spells the composite key.
            if let ast::ExprKind::List(parts) = &i.kind {
                let record_ctor = parts.iter().all(|p| {
                    matches!(
                        p.kind,
                        ast::ExprKind::FieldAssign(..) | ast::ExprKind::FieldLambda(..)
                    )
                });
                if b.ty.tag() == Tag::Table && parts.len() > 1 && !record_ctor {
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
                // A table indexed by subnets takes an address (the longest
                // matching subnet): Zeek's `IndexType::MatchesIndex`.
                let addr_in_subnets = index.len() == 1
                    && index[0].tag() == Tag::Subnet
                    && keys.len() == 1
                    && keys[0].ty.tag() == Tag::Addr;
                if !addr_in_subnets {
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
                }
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
        if let ast::ExprKind::Name(n) = &e.kind {
            if let Some((slot, ty)) = self.outer_local_ref(n.sym) {
                return (LValue::Local(slot, self.local_full_name(n.sym)), ty);
            }
        }
        match &e.kind {
            ast::ExprKind::Name(n) => match self.resolve(n.sym) {
                Some(Resolved::Local(slot, ty)) => {
                    self.warn_out_of_scope_local(n.sym, e.span);
                    self.note_local_ref(n.sym, slot);
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
                    self.warn_deprecated_global(gid, e.span);
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
                    // Adding to a vector, table or pattern and removing from
                    // a table modify the value, not the name: Zeek's
                    // `AddToExpr`/`RemoveFromExpr` make no lvalue of it, so
                    // a const name is fine.
                    let in_place = match op {
                        AssignOp::AddTo => {
                            matches!(t.tag(), Tag::Vector | Tag::Table | Tag::Pattern)
                        }
                        AssignOp::RemoveFrom => t.tag() == Tag::Table,
                        AssignOp::Assign => false,
                    };
                    let saved = self.in_init;
                    self.in_init |= in_place;
                    let (lv, lt) = self.compile_lvalue(lhs);
                    self.in_init = saved;
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
                let sym = if op == AssignOp::AddTo { "+=" } else { "-=" };
                let clash = match (lt.tag(), r.ty.tag()) {
                    (Tag::Vector, Tag::List) if op == AssignOp::RemoveFrom => {
                        Some("constructor list not allowed for -= operations on vectors".to_owned())
                    }
                    (Tag::Table, _) if !super::check::zeek_same_type(&lt, &r.ty) => {
                        Some(format!("RHS type mismatch for table/set {sym}"))
                    }
                    (Tag::Pattern, rt) if rt != Tag::Pattern && op == AssignOp::AddTo => {
                        Some("pattern += op requires op to be a pattern".to_owned())
                    }
                    _ => None,
                };
                if let Some(msg) = clash {
                    let mut l = String::new();
                    self.describe_lvalue_into(&lv, &mut l);
                    let d = self.describe_expr(&r);
                    self.cerror(span, &format!("{msg} ({l} {sym} {d})"));
                    return self.err_expr(span);
                }
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
        } else if let (ast::ExprKind::BraceList(items), false) = (
            &rhs.kind,
            matches!(t.tag(), Tag::Table) || (t.tag() == Tag::Vector && op == AssignOp::AddTo),
        ) {
            // Only a table (or a vector, for `+=`) takes a `{ … }` list as
            // a constructor; elsewhere it stays a list.
            let xs: Vec<Expr> = items.iter().map(|i| self.compile_expr(i)).collect();
            let lt = Type::new(TypeKind::List(xs.iter().map(|x| x.ty.clone()).collect()));
            self.mk(ExprKind::List(xs), lt, rhs.span)
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
                if let Some(u) = self.set_union_rhs(items, target, rhs.span) {
                    return u;
                }
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

    /// An initializer without a declared type (Zeek's `init_type`): a
    /// `[…]` list that is no record constructor initializes as `{ … }`
    /// does; an empty `{ }` gives no type.
    pub(crate) fn compile_untyped_init(&mut self, e: &ast::Expr) -> Expr {
        match &e.kind {
            ast::ExprKind::BraceList(items) if items.is_empty() => {
                self.cerror(e.span, "empty list in untyped initialization ()");
                self.err_expr(e.span)
            }
            ast::ExprKind::List(items)
                if items.first().is_some_and(|i| {
                    !matches!(
                        i.kind,
                        ast::ExprKind::FieldAssign(..) | ast::ExprKind::FieldLambda(..)
                    )
                }) =>
            {
                let b = ast::Expr {
                    kind: ast::ExprKind::BraceList(items.clone()),
                    span: e.span,
                };
                self.compile_expr(&b)
            }
            _ => self.compile_expr(e),
        }
    }

    /// `{ s1, s2, … }` for a set whose first element is a set of the same
    /// type: the union `s1 | s2 | …` (Zeek's `CheckForRHSList`, the idiom
    /// of `set1 += { set2, set3 }`). Only a name or a hostname literal is
    /// looked at first, so nothing is compiled twice.
    fn set_union_rhs(&mut self, items: &[ast::Expr], target: &TypeRef, span: Span) -> Option<Expr> {
        if !target.is_set() {
            return None;
        }
        let first = items.first()?;
        let ft = match &first.kind {
            ast::ExprKind::Const(Literal::Hostname(_)) => Type::new(TypeKind::Table {
                index: vec![self.prog.base.addr.clone()],
                yield_: None,
            }),
            ast::ExprKind::Name(n) => match self.resolve(n.sym) {
                Some(Resolved::Local(_, t)) => t,
                Some(Resolved::Global(g)) => self.prog.globals[g as usize].ty.clone()?,
                None => return None,
            },
            _ => return None,
        };
        if !ft.is_set() || !super::check::zeek_same_type(target, &ft) {
            return None;
        }
        let mut acc = self.compile_expr(first);
        for i in &items[1..] {
            let x = self.compile_expr(i);
            acc = self.binary_exprs(BinOp::BitOr, acc, x, span);
        }
        Some(acc)
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
                if let Some(u) = self.set_union_rhs(items, target, at) {
                    return u;
                }
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
                    // Zeek describes the constructor with all its elements,
                    // then the one that is not a field assignment.
                    let mut all = Vec::with_capacity(items.len());
                    let mut bad = String::new();
                    for x in items {
                        let d = match &x.kind {
                            ast::ExprKind::FieldAssign(n, v) => {
                                let v = self.compile_expr(v);
                                format!("${}={}", n.sym, self.describe_expr(&v))
                            }
                            _ => {
                                let v = self.compile_expr(x);
                                self.describe_expr(&v)
                            }
                        };
                        if std::ptr::eq(x, it) {
                            bad = d.clone();
                        }
                        all.push(d);
                    }
                    self.cerror(
                        span,
                        &format!(
                            "bad type in record constructor ([{}] and {bad})",
                            all.join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
        // An element in error makes the constructor one, silently.
        if failed || named.iter().any(|(_, x)| x.ty.tag() == Tag::Error) {
            return None;
        }
        let ty_known = target.is_some();
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
        let had_orphans = !orphans.is_empty();
        if had_orphans {
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
        let x = self.mk(ExprKind::RecordCtor(fields), ty, span);
        let x = if named_ctor && !had_orphans {
            self.mandatory_fields_given(x, span)?
        } else {
            x
        };
        // Deprecated fields given a value, in the order of the type (a
        // `[…]` for a known type is Zeek's record coercion).
        if ty_known {
            let mut idxs: Vec<usize> = match &x.kind {
                ExprKind::RecordCtor(fs) => fs.iter().map(|(i, _)| *i).collect(),
                _ => Vec::new(),
            };
            idxs.sort_unstable();
            for idx in idxs {
                if let Some(w) = Self::field_deprecation(&x.ty, idx, false) {
                    let d = if named_ctor {
                        self.describe_expr(&x)
                    } else {
                        let all = match &x.kind {
                            ExprKind::RecordCtor(fs) => fs
                                .iter()
                                .map(|(i, fe)| {
                                    let n = x.ty.record().map(|r| r.fields.borrow()[*i].name);
                                    let n = n.map(|n| n.to_string()).unwrap_or_default();
                                    format!("${n}={}", self.describe_expr(fe))
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                            _ => String::new(),
                        };
                        format!("(coerce [{all}] to {})", x.ty.describe())
                    };
                    self.cwarn(span, &format!("{w} ({d})"));
                }
            }
        }
        Some(x)
    }

    /// A named record constructor `R(…)` must give every field that is
    /// neither optional (`&default` implies it) nor an aggregate (Zeek's
    /// `RecordConstructorExpr`). After the first error the constructor is
    /// an error expression, which Zeek describes as `[…]`.
    fn mandatory_fields_given(&mut self, x: Expr, span: Span) -> Option<Expr> {
        let (ExprKind::RecordCtor(given), Some(rt)) = (&x.kind, x.ty.record()) else {
            return Some(x);
        };
        let missing: Vec<Symbol> = rt
            .fields
            .borrow()
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                !given.iter().any(|(g, _)| g == i)
                    && !matches!(f.ty.tag(), Tag::Record | Tag::Table | Tag::Vector)
                    && !f.attrs.has(AttrKind::Optional)
                    && !f.attrs.has(AttrKind::Default)
            })
            .map(|(_, f)| f.name)
            .collect();
        if missing.is_empty() {
            return Some(x);
        }
        let mut desc = self.describe_expr(&x);
        for (i, n) in missing.iter().enumerate() {
            if i == 1 {
                // `name(fields)` becomes `[fields]`.
                if let Some(inner) = desc
                    .find('(')
                    .and_then(|p| desc.get(p + 1..desc.len().saturating_sub(1)))
                {
                    desc = format!("[{inner}]");
                }
            }
            self.cerror(span, &format!("mandatory field \"{n}\" missing ({desc})"));
        }
        None
    }

    /// One element of a table or set constructor expanded as Zeek's
    /// `expand_op_elem` does; `Err` after reporting a set value that
    /// cannot be known before run time.
    fn expand_ctor_elem<'a>(
        &mut self,
        e: CtorElem<'a>,
        index_types: Option<&[TypeRef]>,
        out: &mut Vec<CtorElem<'a>>,
    ) -> Result<(), ()> {
        if !e.list {
            out.push(e);
            return Ok(());
        }
        for (i, k) in e.keys.iter().enumerate() {
            let KeyPart::Ast(a) = k else { continue };
            match &a.kind {
                ast::ExprKind::List(sub)
                    if !sub.iter().all(|p| {
                        matches!(
                            p.kind,
                            ast::ExprKind::FieldAssign(..) | ast::ExprKind::FieldLambda(..)
                        )
                    }) =>
                {
                    for x in sub {
                        let mut keys = e.keys.clone();
                        keys[i] = KeyPart::Ast(x);
                        let sub_elem = CtorElem {
                            keys,
                            val: e.val,
                            list: true,
                        };
                        self.expand_ctor_elem(sub_elem, index_types, out)?;
                    }
                    return Ok(());
                }
                ast::ExprKind::Name(n) => {
                    let st = match self.resolve(n.sym) {
                        Some(Resolved::Local(_, t)) => Some((t, None)),
                        Some(Resolved::Global(g)) => self.prog.globals[g as usize]
                            .ty
                            .clone()
                            .map(|t| (t, Some(g))),
                        None => None,
                    };
                    let Some((st, g)) = st else { continue };
                    if !st.is_set() {
                        continue;
                    }
                    // A set where the index expects one is no expansion.
                    if let Some(tl) = index_types {
                        if tl.len() == e.keys.len() && super::check::zeek_same_type(&tl[i], &st) {
                            continue;
                        }
                    }
                    let elem_ty = match st.table_index() {
                        Some([t]) => t.clone(),
                        _ => continue,
                    };
                    let val = g.map(|g| self.prog.globals[g as usize].value.clone());
                    let Some(Value::Table(tv)) = val else {
                        self.cerror(
                            a.span,
                            &format!(
                                "cannot expand constructor elements using a value that depends on local variables ({})",
                                n.sym
                            ),
                        );
                        return Err(());
                    };
                    let loc = self.loc(a.span);
                    // Zeek goes through the set's `ToMap`, an unordered map
                    // that lists the members last to first.
                    let members = tv.borrow().keys_vec();
                    for m in members.into_iter().rev() {
                        let Some(v) = m.into_iter().next() else {
                            continue;
                        };
                        let mut keys = e.keys.clone();
                        keys[i] = KeyPart::Val(v, elem_ty.clone(), loc);
                        let sub_elem = CtorElem {
                            keys,
                            val: e.val,
                            list: true,
                        };
                        self.expand_ctor_elem(sub_elem, index_types, out)?;
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
        out.push(e);
        Ok(())
    }

    /// A set constructor of known type with `[k] = v` elements: Zeek
    /// reports each, then checks the elements as a set's.
    fn set_ctor_with_assign(&mut self, items: &[ast::Expr], t: &TypeRef, span: Span) -> Expr {
        let mut descs = Vec::with_capacity(items.len());
        let mut compiled: Vec<Option<Expr>> = Vec::with_capacity(items.len());
        for it in items {
            if let ast::ExprKind::Assign(AssignOp::Assign, k, v) = &it.kind {
                let ks: Vec<Expr> = match &k.kind {
                    ast::ExprKind::List(parts) => {
                        parts.iter().map(|p| self.compile_expr(p)).collect()
                    }
                    _ => vec![self.compile_expr(k)],
                };
                let vx = self.compile_expr(v);
                let mut d = String::new();
                for (i, x) in ks.iter().enumerate() {
                    if i > 0 {
                        d.push_str(", ");
                    }
                    d.push_str(&self.describe_expr(x));
                }
                d.push_str(" = ");
                d.push_str(&self.describe_expr(&vx));
                self.cerror(
                    it.span,
                    &format!("table constructor used in a non-table context ({d})"),
                );
                descs.push(d);
                compiled.push(None);
            } else {
                let x = self.compile_expr(it);
                descs.push(self.describe_expr(&x));
                compiled.push(Some(x));
            }
        }
        let desc = format!("set({})", descs.join(", "));
        let index: Vec<TypeRef> = t.table_index().map(<[_]>::to_vec).unwrap_or_default();
        let mut entries = Vec::with_capacity(items.len());
        for ((it, x), d) in items.iter().zip(compiled).zip(descs.iter()) {
            let loc = self.loc(it.span);
            if index.len() != 1 {
                if !matches!(it.kind, ast::ExprKind::List(_)) {
                    self.error(Some(loc), &format!("not a list of indices ({d})"));
                    break;
                }
                continue;
            }
            let it0 = &index[0];
            if it0.tag() == Tag::Any {
                continue;
            }
            match x {
                Some(x) => match self.promote_expr(x, it0, span) {
                    Ok(x) => entries.push((vec![x], None)),
                    Err(_) => {
                        let l1 = self.loc_str(loc);
                        let l2 = self.type_loc_text(it0, loc);
                        self.obj_error(&l1, d, &l2, &it0.describe(), "type mismatch");
                        self.cerror(
                            span,
                            &format!("inconsistent type in set constructor ({desc})"),
                        );
                        break;
                    }
                },
                None => {
                    // `[k] = v` has the type of its index list.
                    let msg = if it0.is_arith() {
                        "arithmetic mixed with non-arithmetic"
                    } else {
                        "type clash"
                    };
                    let l_e = self.loc_str(loc);
                    let l_t = self.type_loc_text(it0, loc);
                    self.obj_error(&l_t, &it0.describe(), &l_e, d, msg);
                    self.obj_error(&l_e, d, &l_t, &it0.describe(), "type mismatch");
                    self.cerror(
                        span,
                        &format!("inconsistent type in set constructor ({desc})"),
                    );
                    break;
                }
            }
        }
        Expr {
            kind: ExprKind::TableCtor(entries, None, false, None),
            ty: self.prog.base.error.clone(),
            loc: self.loc(span),
        }
    }

    /// Zeek's `init_table_type` checks of an untyped table constructor's
    /// elements; `Some` (an error) after reporting one.
    fn untyped_table_elems_check(&mut self, items: &[ast::Expr], span: Span) -> Option<Expr> {
        let first = items.first()?;
        if !matches!(first.kind, ast::ExprKind::Assign(AssignOp::Assign, ..)) {
            return None;
        }
        let mut nidx: Option<(usize, Vec<TypeRef>, Loc)> = None;
        for it in items {
            let ast::ExprKind::Assign(AssignOp::Assign, k, _) = &it.kind else {
                let x = self.compile_expr(it);
                let d = self.describe_expr(&x);
                self.cerror(
                    it.span,
                    &format!("table constructor element lacks '=' structure ({d})"),
                );
                return Some(self.err_expr(span));
            };
            let ast::ExprKind::List(parts) = &k.kind else {
                continue;
            };
            let kl = self.loc(k.span);
            match &nidx {
                None => {
                    let tys = parts.iter().map(|p| self.compile_expr(p).ty).collect();
                    nidx = Some((parts.len(), tys, kl));
                }
                Some((n, tys, l0)) if *n != parts.len() => {
                    let tys2: Vec<TypeRef> =
                        parts.iter().map(|p| self.compile_expr(p).ty).collect();
                    let lt = |ts: &[TypeRef]| {
                        let names: Vec<String> = ts.iter().map(|t| t.describe()).collect();
                        format!("list of {}", names.join(","))
                    };
                    let (d1, d2) = (lt(tys), lt(&tys2));
                    let (l1, l2) = (self.loc_str(*l0), self.loc_str(kl));
                    self.obj_error(&l1, &d1, &l2, &d2, "different number of indices");
                    return Some(self.err_expr(span));
                }
                _ => {}
            }
        }
        None
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
        if let Some(t) = target.as_ref().filter(|t| t.is_set()) {
            if items
                .iter()
                .any(|i| matches!(i.kind, ast::ExprKind::Assign(AssignOp::Assign, ..)))
            {
                return self.set_ctor_with_assign(items, t, span);
            }
        }
        if target.is_none() && !is_set {
            if let Some(x) = self.untyped_table_elems_check(items, span) {
                return x;
            }
        }
        let table_ctx = !is_set || tyield.is_some();
        let mut elems: Vec<CtorElem> = Vec::with_capacity(items.len());
        for it in items {
            match &it.kind {
                ast::ExprKind::Assign(AssignOp::Assign, k, v) if table_ctx => match &k.kind {
                    ast::ExprKind::List(parts)
                        if self.sema.lhs_trailing_commas.contains(&k.span) =>
                    {
                        let xs: Vec<Expr> = parts.iter().map(|p| self.compile_expr(p)).collect();
                        let lt =
                            Type::new(TypeKind::List(xs.iter().map(|x| x.ty.clone()).collect()));
                        let x = self.mk(ExprKind::List(xs), lt, k.span);
                        let d = self.describe_expr(&x);
                        self.cerror(
                            k.span,
                            &format!(
                                "incorrect syntax for list expression on left-hand side of assignment: trailing comma not allowed ({d})"
                            ),
                        );
                        elems.push(CtorElem {
                            keys: parts.iter().map(KeyPart::Ast).collect(),
                            val: Some(v),
                            list: true,
                        })
                    }
                    ast::ExprKind::List(parts) => elems.push(CtorElem {
                        keys: parts.iter().map(KeyPart::Ast).collect(),
                        val: Some(v),
                        list: true,
                    }),
                    _ => elems.push(CtorElem {
                        keys: vec![KeyPart::Ast(k)],
                        val: Some(v),
                        list: false,
                    }),
                },
                ast::ExprKind::List(parts) => elems.push(CtorElem {
                    keys: parts.iter().map(KeyPart::Ast).collect(),
                    val: None,
                    list: true,
                }),
                _ => elems.push(CtorElem {
                    keys: vec![KeyPart::Ast(it)],
                    val: None,
                    list: false,
                }),
            }
        }
        // Zeek's `expand_op`: lists and set values inside an element's
        // index make one element each.
        let index_types: Option<Vec<TypeRef>> = target
            .as_ref()
            .and_then(|t| t.table_index())
            .map(<[_]>::to_vec);
        let mut expanded = Vec::with_capacity(elems.len());
        let mut expand_failed = false;
        for e in &elems {
            if self
                .expand_ctor_elem(e.clone(), index_types.as_deref(), &mut expanded)
                .is_err()
            {
                expand_failed = true;
                break;
            }
        }
        if !expand_failed {
            elems = expanded;
        }
        for e in elems {
            let keys: Vec<Expr> = e
                .keys
                .iter()
                .map(|k| match k {
                    KeyPart::Ast(a) => self.compile_expr(a),
                    KeyPart::Val(v, t, l) => Expr {
                        kind: ExprKind::Const(v.clone()),
                        ty: t.clone(),
                        loc: *l,
                    },
                })
                .collect();
            // Values are typed on their own and promoted below.
            let val = e.val.map(|v| self.compile_expr(v));
            entries.push((keys, val));
        }
        if expand_failed {
            return Expr {
                kind: ExprKind::TableCtor(entries, None, false, None),
                ty: self.prog.base.error.clone(),
                loc: self.loc(span),
            };
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
                        let mut t: Option<TypeRef> = None;
                        for (_, v) in &entries {
                            if let Some(x) = v {
                                t = Some(match t {
                                    None => x.ty.clone(),
                                    Some(cur) => merge_yield_types(&cur, &x.ty),
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
        let compiled = self.compile_attrs(attrs, Some(&ty));
        self.check_expire_attrs(attrs, &compiled, &ty, false);
        let attrs = compiled;
        let default = attrs.get(zest_syntax::ast::AttrKind::Default).cloned();
        let table_attrs = self.table_attrs_of(&attrs);
        self.mk(
            ExprKind::TableCtor(
                entries,
                default,
                attrs.has(zest_syntax::ast::AttrKind::Ordered),
                table_attrs,
            ),
            ty,
            span,
        )
    }

    /// Zeek's `EventExpr`: the event an `event` statement or `schedule`
    /// names and its arguments, checked against the event's parameters.
    /// `None` after an error (reported).
    pub(crate) fn compile_event_call(&mut self, ev: &ast::EventCall) -> Option<(u32, Vec<Expr>)> {
        if self.local_event_ref(ev.name.sym, ev.span) {
            return None;
        }
        let gid = self.lookup_global(ev.name.sym);
        if let Some(g) = gid {
            self.warn_deprecated_global(g, ev.name.span);
        }
        let ft = gid
            .and_then(|g| self.prog.globals[g as usize].ty.clone())
            .filter(|t| t.func().is_some());
        let (Some(gid), Some(ft)) = (gid, ft) else {
            // Neither an event nor a function of that name.
            let args: Vec<Expr> = ev.args.iter().map(|a| self.compile_expr(a)).collect();
            if !args.iter().any(|a| a.ty.tag() == Tag::Error) {
                let d = self.describe_event_call(ev.name.sym, &args);
                self.cerror(ev.span, &format!("not an event ({d})"));
            }
            return None;
        };
        let (args, ok) = self.compile_args_for(gid, &ev.args, ev.span);
        if !ok {
            self.event_args_mismatch(gid, &args, ev.span);
            return None;
        }
        if ft.func().is_some_and(|f| f.flavor != Flavor::Event) {
            let d = self.describe_event_call(ev.name.sym, &args);
            self.cerror(ev.span, &format!("function invoked as an event ({d})"));
            return None;
        }
        Some((gid, args))
    }

    /// `name(args)` as Zeek describes an event expression.
    fn describe_event_call(&self, name: zest_syntax::Symbol, args: &[Expr]) -> String {
        let mut d = format!("{name}(");
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                d.push_str(", ");
            }
            d.push_str(&self.describe_expr(a));
        }
        d.push(')');
        d
    }

    /// Compiles call arguments against the parameters of global `gid`;
    /// false when they do not match (reported).
    pub(crate) fn compile_args_for(
        &mut self,
        gid: u32,
        args: &[ast::Expr],
        span: Span,
    ) -> (Vec<Expr>, bool) {
        let ft = self.prog.globals[gid as usize].ty.clone();
        self.compile_args_typed(ft.as_ref(), args, span)
    }

    /// Compiles call arguments and checks them against the parameters as
    /// Zeek's `check_and_promote_args` does: false when they do not match
    /// (reported, or an argument is already in error).
    fn compile_args_typed(
        &mut self,
        ft: Option<&TypeRef>,
        args: &[ast::Expr],
        span: Span,
    ) -> (Vec<Expr>, bool) {
        let params: Vec<crate::types::Param> = ft
            .and_then(|t| t.func())
            .map(|f| f.params.clone())
            .unwrap_or_default();
        let is_va = |p: &crate::types::Param| p.name.as_str() == "va_args";
        let mut out = Vec::with_capacity(args.len().max(params.len()));
        for (i, a) in args.iter().enumerate() {
            match params.get(i) {
                Some(p) if p.ty.tag() != Tag::Any && !is_va(p) => {
                    out.push(self.compile_rhs(a, &p.ty));
                }
                _ => out.push(self.compile_expr(a)),
            }
        }
        if out.iter().any(|x| x.ty.tag() == Tag::Error) {
            return (out, false);
        }
        // Variadic functions (one `any` parameter) take anything; a
        // parameter list with errors was reported where it was declared.
        let variadic =
            params.iter().any(is_va) || (params.len() == 1 && params[0].ty.tag() == Tag::Any);
        let unchecked = variadic || params.iter().any(|p| p.ty.tag() == Tag::Error);
        if let (Some(ft), false) = (ft.filter(|t| t.func().is_some()), unchecked) {
            if out.len() < params.len() && params[out.len()..].iter().any(|p| p.default.is_none()) {
                let mut rd = String::from("record {");
                for p in &params {
                    rd.push(' ');
                    let _ = std::fmt::Write::write_fmt(&mut rd, format_args!("{}:", p.name));
                    p.ty.describe_into(&mut rd);
                    rd.push(';');
                }
                rd.push_str(" }");
                let mut ad = String::new();
                for (i, x) in out.iter().enumerate() {
                    if i > 0 {
                        ad.push_str(", ");
                    }
                    ad.push_str(&self.describe_expr(x));
                }
                let call_loc = self.loc(span);
                let a = self.loc_str(ft.loc.get().unwrap_or(call_loc));
                let b = self.loc_str(call_loc);
                self.error_pair(&a, Some(&b), &format!("parameter mismatch ({rd} and {ad})"));
                return (out, false);
            }
            let n = out.len().min(params.len());
            let tys: Vec<TypeRef> = params.iter().map(|p| p.ty.clone()).collect();
            let ok = if out.len() > params.len() {
                let call_loc = self.loc(span);
                self.promotable_to_list(&out, &tys, None, call_loc)
            } else {
                self.promotable_to_list(&out[..n], &tys[..n], None, self.loc(span))
            };
            if !ok {
                return (out, false);
            }
        }
        let mut coerced = Vec::with_capacity(out.len().max(params.len()));
        for (i, x) in out.into_iter().enumerate() {
            match params.get(i) {
                // Arguments of a variadic function stay as they are.
                _ if variadic => coerced.push(x),
                Some(p) if p.ty.tag() == Tag::Any && !is_va(p) => {
                    // A value passed as `any` is wrapped (`to_any_coerce` in
                    // descriptions).
                    if x.ty.tag() == Tag::Any {
                        coerced.push(x);
                    } else {
                        let loc = x.loc;
                        coerced.push(Expr {
                            kind: ExprKind::Coerce(bx(x)),
                            ty: p.ty.clone(),
                            loc,
                        });
                    }
                }
                Some(p) if !is_va(p) => {
                    let at = args.get(i).map_or(span, |a| a.span);
                    coerced.push(self.coerce_to(x, &p.ty, at));
                }
                _ => coerced.push(x),
            }
        }
        let mut out = coerced;
        // Default parameters.
        for p in params.iter().skip(args.len()) {
            if let Some(d) = &p.default {
                out.push(Expr {
                    kind: ExprKind::DefaultArg(d.clone()),
                    ty: p.ty.clone(),
                    loc: self.loc(span),
                });
            }
        }
        (out, true)
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
                    self.warn_deprecated_global(gid, f.span);
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
                    let (argx, args_ok) = self.compile_args_typed(ty.as_ref(), args, span);
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
                    let call = self.mk(kind, ret, span);
                    if !args_ok {
                        return self.call_args_mismatch(&call);
                    }
                    if !is_hook
                        && self.prog.globals[gid as usize].builtin.is_none()
                        && self.prog.wraps_builtin(gid)
                    {
                        let d = self.describe_expr(&call);
                        self.prog.wrapper_calls.insert((call.loc, gid), d);
                    }
                    if self.prog.globals[gid as usize].builtin.is_some()
                        && n.sym.as_str() == "fmt"
                        && !self.fmt_call_ok(&call)
                    {
                        return self.err_expr(span);
                    }
                    return call;
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
        let (argx, args_ok) = self.compile_args_typed(Some(&ft), args, span);
        let ret = ft
            .func()
            .and_then(|f| f.ret.clone())
            .unwrap_or_else(|| self.prog.base.void.clone());
        let call = if is_hook {
            self.mk(
                ExprKind::Hook(Callee::Dynamic(bx(fx)), argx),
                self.prog.base.bool_.clone(),
                span,
            )
        } else {
            self.mk(ExprKind::Call(Callee::Dynamic(bx(fx)), argx), ret, span)
        };
        if !args_ok {
            return self.call_args_mismatch(&call);
        }
        call
    }

    /// Zeek's `check_built_in_call` for `fmt`: the first argument must be
    /// a string and, when it is a constant, match the number of the other
    /// arguments.
    fn fmt_call_ok(&mut self, call: &Expr) -> bool {
        let (ExprKind::Call(_, args), Some(first)) = (&call.kind, call_first_arg(call)) else {
            return true;
        };
        let msg = if first.ty.tag() != Tag::String {
            "first argument to util::fmt() needs to be a format string"
        } else if let ExprKind::Const(Value::String(f)) = &first.kind {
            let f: &[u8] = f;
            let mut n = 0;
            let mut i = 0;
            let mut bare = false;
            while i < f.len() {
                let c = f[i];
                i += 1;
                if c != b'%' {
                    continue;
                }
                if i >= f.len() {
                    bare = true;
                    break;
                }
                if f[i] != b'%' {
                    n += 1;
                }
                i += 1;
            }
            if bare {
                "format string ends with bare '%'"
            } else if args.len() != n + 1 {
                "mismatch between format string to util::fmt() and number of arguments passed"
            } else {
                return true;
            }
        } else {
            return true;
        };
        self.expr_error_at(call, msg);
        false
    }

    /// A call whose arguments do not match: Zeek's `CallExpr` error (only
    /// when the arguments themselves were fine).
    fn call_args_mismatch(&mut self, call: &Expr) -> Expr {
        let (ExprKind::Call(_, args) | ExprKind::Hook(_, args)) = &call.kind else {
            return Expr {
                kind: ExprKind::Error,
                ty: self.prog.base.error.clone(),
                loc: call.loc,
            };
        };
        if !args.iter().any(|a| a.ty.tag() == Tag::Error) {
            self.expr_error_at(call, "argument type mismatch in function call");
        }
        Expr {
            kind: ExprKind::Error,
            ty: self.prog.base.error.clone(),
            loc: call.loc,
        }
    }

    /// An event invocation whose arguments do not match (Zeek's
    /// `EventExpr` error).
    pub(crate) fn event_args_mismatch(&mut self, gid: u32, args: &[Expr], span: Span) {
        if args.iter().any(|a| a.ty.tag() == Tag::Error) {
            return;
        }
        let d = self.describe_event_call(self.prog.globals[gid as usize].name, args);
        self.cerror(
            span,
            &format!("argument type mismatch in event invocation ({d})"),
        );
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
            | ExprKind::Paren(a)
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
        // The enclosing function's locals stay visible, but only through
        // captures.
        {
            let enclosing = self.sema.func.as_ref().unwrap_or(&self.sema.top_ctx);
            inner.outer = enclosing.outer.clone();
            for (n, (_, t)) in &enclosing.locals {
                let loc = enclosing.local_locs.get(n).copied();
                inner.outer.insert(*n, (t.clone(), loc));
            }
        }
        if let Some(f) = ty.func() {
            for p in &f.params {
                inner.add_local(p.name, p.ty.clone());
            }
        }
        let mut captured: Vec<Symbol> = Vec::new();
        let mut capture_types = Vec::new();
        for c in l.captures.iter().flatten() {
            if let Some((slot, t)) = self.capture_slot(c) {
                captures.push((slot, c.deep_copy));
                capture_types.push(t.clone());
                captured.push(c.name.sym);
                if let Some((_, Some(loc))) = inner.outer.get(&c.name.sym) {
                    inner.local_locs.insert(c.name.sym, *loc);
                }
                inner.add_local(c.name.sym, t);
            }
        }
        let outer = self.sema.func.replace(inner);
        let stmts = self.compile_block_stmts(&l.body.stmts);
        let ctx = std::mem::replace(&mut self.sema.func, outer).unwrap_or_default();
        // Zeek's `LambdaExpr::CheckCaptures`.
        let problem = match &l.captures {
            None => {
                if let Some(first) = ctx.outer_refs.first() {
                    let eg = if ctx.outer_refs.len() > 1 {
                        "e.g., "
                    } else {
                        ""
                    };
                    self.cerror(
                        span,
                        &format!("lambda uses outer identifiers without [] captures: {eg}{first}"),
                    );
                    return self.err_expr(span);
                }
                None
            }
            Some(_) => {
                let used: Vec<Symbol> = ctx.refs.iter().map(|(n, _)| *n).collect();
                Self::capture_problem(&captured, &ctx.outer_refs, &used, "lambda")
            }
        };
        if let Some(msg) = problem {
            let mut d = String::from("function()");
            let names = |slot: u32| {
                ctx.locals
                    .iter()
                    .find(|(_, (s, _))| *s == slot)
                    .map(|(n, _)| self.local_full_name(*n).to_string())
                    .unwrap_or_default()
            };
            self.describe_stmt_list_into(&stmts, &mut d, &names);
            self.cerror(l.body.span, &format!("{msg} ({d})"));
            return self.err_expr(span);
        }
        self.prog.lambda_counter += 1;
        // Zeek's `LambdaExpr`: the name is a keyed hash of the function's
        // description (frame size and body), so that peers loading the
        // same scripts agree on it; a taken name gets the description
        // extended by a blank until it is free.
        let mut desc = format!("\n{} ", ctx.nslots);
        {
            let names = |slot: u32| {
                ctx.locals
                    .iter()
                    .find(|(_, (s, _))| *s == slot)
                    .map(|(n, _)| n.to_string())
                    .unwrap_or_default()
            };
            self.describe_stmt_list_into(&stmts, &mut desc, &names);
        }
        let hasher = zest_dict::global_hasher();
        let name = loop {
            let name = Symbol::intern(&format!("lambda_<{}>", hasher.hash(desc.as_bytes())));
            if self.prog.lookup(name).is_none() {
                break name;
            }
            desc.push(' ');
        };
        let body = Rc::new(crate::ir::Body {
            stmts,
            frame_size: ctx.nslots,
            priority: 0,
            loc: self.loc(span),
            nparams: ty.func().map_or(0, |f| f.params.len() as u32),
            groups: Vec::new(),
            slot_names: self.full_slot_names(&ctx),
        });
        let def = Rc::new(LambdaDef {
            name,
            ty: ty.clone(),
            captures,
            capture_types,
            body,
        });
        // The lambda as a global constant (without captures), for
        // receiving it from a peer.
        let g = self.prog.declare(
            name,
            GlobalKind::Const,
            Some(ty.clone()),
            self.loc(span),
            false,
        );
        self.prog.globals[g as usize].value = Value::Func(Rc::new(crate::value::FuncVal {
            ty: ty.clone(),
            name,
            kind: crate::value::FuncValKind::Lambda(
                def.clone(),
                Rc::new(std::cell::RefCell::new(Vec::new())),
            ),
        }));
        self.mk(ExprKind::Lambda(def), ty, span)
    }

    /// A name in a capture list (Zeek's `capture` rule): an enclosing
    /// local's slot and type, or an error.
    pub(crate) fn capture_slot(&mut self, c: &ast::Capture) -> Option<(u32, TypeRef)> {
        let name = c.name.sym;
        // Capturing uses the name in the enclosing function.
        if let Some(r) = self.outer_local_ref(name) {
            return Some(r);
        }
        let msg = match self.resolve(name) {
            Some(Resolved::Local(slot, t)) => {
                self.note_local_ref(name, slot);
                return Some((slot, t));
            }
            Some(Resolved::Global(g)) if self.prog.globals[g as usize].kind == GlobalKind::Type => {
                format!("cannot specify type in capture: {name}")
            }
            Some(Resolved::Global(_)) => format!("cannot specify global in capture: {name}"),
            None => format!("no such local identifier: {name}"),
        };
        self.cerror(c.name.span, &msg);
        None
    }

    /// The first problem Zeek's `CheckCaptures` finds with a capture list:
    /// a repeated capture, an outer local used but not captured, or a
    /// capture not used. `what` names the construct.
    pub(crate) fn capture_problem(
        captured: &[Symbol],
        outer_used: &[Symbol],
        used: &[Symbol],
        what: &str,
    ) -> Option<String> {
        for (i, c) in captured.iter().enumerate() {
            if captured[..i].contains(c) {
                return Some(format!("{c} listed multiple times in capture"));
            }
        }
        if let Some(o) = outer_used.iter().find(|o| !captured.contains(o)) {
            return Some(format!("{o} is used inside {what} but not captured"));
        }
        if let Some(c) = captured.iter().find(|c| !used.contains(c)) {
            return Some(format!("{c} is captured but not used inside {what}"));
        }
        None
    }
}

/// Zeek's `merge_types` as an untyped table constructor's yield type
/// uses it: arithmetic types widen, and record types merge field by field
/// (`merge_record_types`: a field only one side has becomes `&optional`).
/// Other types keep the first element's type.
fn merge_yield_types(a: &TypeRef, b: &TypeRef) -> TypeRef {
    use std::cell::RefCell;
    use zest_syntax::ast::AttrKind;
    if a.is_arith() && b.is_arith() {
        return if arith_rank(b.tag()) > arith_rank(a.tag()) {
            b.clone()
        } else {
            a.clone()
        };
    }
    let (Some(ra), Some(rb)) = (a.record(), b.record()) else {
        return a.clone();
    };
    if Rc::ptr_eq(a, b) || a.type_name().is_some() || b.type_name().is_some() {
        return a.clone();
    }
    let fa = ra.fields.borrow();
    let fb = rb.fields.borrow();
    let optional = |attrs: &crate::types::Attrs| {
        let mut attrs = attrs.clone();
        if !attrs.has(AttrKind::Optional) {
            attrs.list.push((AttrKind::Optional, None));
        }
        attrs
    };
    let mut out = Vec::with_capacity(fa.len().max(fb.len()));
    for f in fa.iter() {
        match fb.iter().find(|g| g.name == f.name) {
            Some(g) => {
                let mut attrs = f.attrs.clone();
                for at in &g.attrs.list {
                    if !attrs.has(at.0) {
                        attrs.list.push(at.clone());
                    }
                }
                out.push(crate::types::Field {
                    name: f.name,
                    ty: merge_yield_types(&f.ty, &g.ty),
                    attrs,
                    default: f.default.clone(),
                });
            }
            None => out.push(crate::types::Field {
                attrs: optional(&f.attrs),
                ..f.clone()
            }),
        }
    }
    for g in fb.iter() {
        if !fa.iter().any(|f| f.name == g.name) {
            out.push(crate::types::Field {
                attrs: optional(&g.attrs),
                ..g.clone()
            });
        }
    }
    Type::new(TypeKind::Record(RecordType {
        fields: RefCell::new(out),
    }))
}

/// The position of an expression's kind in Zeek's `ExprTag` enumeration,
/// which orders operands when Zeek canonicalizes an expression.
fn expr_tag_rank(e: &Expr) -> u8 {
    let bin = |k: BinKind| match k {
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
        BinKind::Lt | BinKind::Gt => 23,
        BinKind::Le | BinKind::Ge => 24,
        BinKind::Eq => 25,
        BinKind::Ne => 26,
    };
    match &e.kind {
        ExprKind::Local(..) | ExprKind::Global(_) | ExprKind::WhenLocal(..) => 0,
        ExprKind::Const(_) | ExprKind::TypeVal(_) => 1,
        ExprKind::Copy(_) => 2,
        ExprKind::IncrDecr(..) => 3,
        ExprKind::Not(_) => 5,
        ExprKind::BitNot(_) => 6,
        ExprKind::Pos(_) => 7,
        ExprKind::Neg(..) => 8,
        ExprKind::StrCat(..) => 9,
        ExprKind::Binary(k, ..) | ExprKind::VecBinary(k, ..) | ExprKind::Compare(k, ..) => bin(*k),
        ExprKind::PatternOp(and, ..) => {
            if *and {
                16
            } else {
                17
            }
        }
        ExprKind::AddTo(..) => 11,
        ExprKind::RemoveFrom(..) => 12,
        ExprKind::And(..) => 21,
        ExprKind::Or(..) => 22,
        ExprKind::Cond(..) => 29,
        ExprKind::Assign(..) => 31,
        ExprKind::Index(..) | ExprKind::Slice(..) => 32,
        ExprKind::Field(..) => 33,
        ExprKind::HasField(..) => 34,
        ExprKind::RecordCtor(_) => 35,
        ExprKind::TableCtor(..) => 36,
        ExprKind::VectorCtor(_) => 38,
        ExprKind::In(..) | ExprKind::NotIn(..) => 40,
        ExprKind::List(_) => 41,
        ExprKind::Call(..) | ExprKind::Hook(..) => 42,
        ExprKind::Lambda(_) => 43,
        ExprKind::Schedule(..) => 45,
        ExprKind::Coerce(_) => 46,
        ExprKind::Size(_) => 50,
        ExprKind::Cast(_) => 51,
        ExprKind::Is(..) => 52,
        _ => 60,
    }
}

fn call_first_arg(call: &Expr) -> Option<&Expr> {
    match &call.kind {
        ExprKind::Call(_, args) => args.first(),
        _ => None,
    }
}
