//! Zeek's type checks of constructors, initializers and assignments:
//! `check_and_promote_expr`, the constructors' element checks and
//! `AssignExpr::TypeCheck`, with Zeek's messages and the pair of locations
//! its `Obj::Error` reports (a base type's pseudo-location is its name).

use crate::interp::Interp;
use crate::ir::{Expr, ExprKind, Loc};
use crate::types::{same_type, Tag, TypeKind, TypeRef};
use std::rc::Rc;
use zest_syntax::Span;

/// Zeek's `IsArithmetic`.
fn arith(t: Tag) -> bool {
    matches!(t, Tag::Count | Tag::Int | Tag::Double)
}

/// Zeek's `max_type` over arithmetic tags.
fn max_arith(a: Tag, b: Tag) -> Tag {
    if a == Tag::Double || b == Tag::Double {
        Tag::Double
    } else if a == Tag::Int || b == Tag::Int {
        Tag::Int
    } else {
        Tag::Count
    }
}

/// A table type written as `table()` / `set()` without elements.
pub(crate) fn is_unspecified_table(t: &TypeRef) -> bool {
    matches!(&t.kind, TypeKind::Table { index, .. }
        if index.len() == 1 && index[0].tag() == Tag::Any)
}

/// A vector type written as `vector()` without elements.
pub(crate) fn is_unspecified_vector(t: &TypeRef) -> bool {
    matches!(&t.kind, TypeKind::Vector(y) if matches!(y.tag(), Tag::Any | Tag::Void))
}

/// Zeek's `same_type`: `any` matches everything, enums match each other,
/// records compare field by field.
pub(crate) fn zeek_same_type(a: &TypeRef, b: &TypeRef) -> bool {
    same_type_depth(a, b, 0)
}

fn same_type_depth(a: &TypeRef, b: &TypeRef, depth: u32) -> bool {
    if Rc::ptr_eq(a, b) || a.tag() == Tag::Any || b.tag() == Tag::Any {
        return true;
    }
    if a.tag() != b.tag() {
        return false;
    }
    if depth > 16 {
        return true;
    }
    let d = depth + 1;
    match (&a.kind, &b.kind) {
        (TypeKind::Enum(_), TypeKind::Enum(_)) => true,
        (
            TypeKind::Table {
                index: ia,
                yield_: ya,
            },
            TypeKind::Table {
                index: ib,
                yield_: yb,
            },
        ) => {
            ia.len() == ib.len()
                && ia.iter().zip(ib).all(|(x, y)| same_type_depth(x, y, d))
                && match (ya, yb) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same_type_depth(x, y, d),
                    _ => false,
                }
        }
        (TypeKind::Vector(x), TypeKind::Vector(y)) => same_type_depth(x, y, d),
        (TypeKind::List(x), TypeKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_type_depth(p, q, d))
        }
        (TypeKind::Record(ra), TypeKind::Record(rb)) => {
            if let (Some(x), Some(y)) = (a.type_name(), b.type_name()) {
                return x == y;
            }
            let fa = ra.fields.borrow();
            let fb = rb.fields.borrow();
            fa.len() == fb.len()
                && fa.iter().zip(fb.iter()).all(|(x, y)| {
                    x.name == y.name
                        && same_attr_kinds(&x.attrs, &y.attrs)
                        && same_type_depth(&x.ty, &y.ty, d)
                })
        }
        (TypeKind::Func(_), TypeKind::Func(_)) => same_type(a, b),
        _ => same_type(a, b),
    }
}

/// Whether two fields carry the same attributes (Zeek's `same_attrs`,
/// by kind).
fn same_attr_kinds(a: &crate::types::Attrs, b: &crate::types::Attrs) -> bool {
    a.list.iter().all(|(k, _)| b.has(*k)) && b.list.iter().all(|(k, _)| a.has(*k))
}

/// Whether a record type has a field of the error type (Zeek's
/// `record_type_has_errors`).
fn record_has_errors(t: &TypeRef) -> bool {
    t.record()
        .is_some_and(|r| r.fields.borrow().iter().any(|f| f.ty.tag() == Tag::Error))
}

/// Zeek's `record_promotion_compatible`.
pub(crate) fn record_promotion_compatible(sup: &TypeRef, sub: &TypeRef) -> bool {
    promotion_compatible_depth(sup, sub, 0)
}

fn promotion_compatible_depth(sup: &TypeRef, sub: &TypeRef, depth: u32) -> bool {
    let (Some(sup_r), Some(sub_r)) = (sup.record(), sub.record()) else {
        return false;
    };
    if depth > 16 {
        return true;
    }
    let sub_fields = sub_r.fields.borrow();
    for f in sub_fields.iter() {
        let Some(o) = sup_r.field_index(f.name) else {
            continue;
        };
        let sup_ft = sup_r.fields.borrow()[o].ty.clone();
        if zeek_same_type(&f.ty, &sup_ft) {
            continue;
        }
        if f.ty.tag() != Tag::Record || sup_ft.tag() != Tag::Record {
            return false;
        }
        if !promotion_compatible_depth(&sup_ft, &f.ty, depth + 1) {
            return false;
        }
    }
    true
}

impl Interp {
    pub(crate) fn loc_text(&self, l: Loc) -> String {
        let mut s = String::new();
        self.describe_loc(l, &mut s);
        s
    }

    /// Where Zeek places a type: a base type's pseudo-location is its name,
    /// a declared type its declaration, any other type was made where the
    /// expression `near` is.
    pub(crate) fn type_loc_text(&self, t: &TypeRef, near: Loc) -> String {
        match &t.kind {
            TypeKind::Void
            | TypeKind::Bool
            | TypeKind::Int
            | TypeKind::Count
            | TypeKind::Double
            | TypeKind::Time
            | TypeKind::Interval
            | TypeKind::String
            | TypeKind::Pattern
            | TypeKind::Port
            | TypeKind::Addr
            | TypeKind::Subnet
            | TypeKind::Any
            | TypeKind::Error => t.tag().name().to_owned(),
            _ => self.loc_text(t.loc.get().unwrap_or(near)),
        }
    }

    /// Zeek's `Obj::Error(msg, obj2)`: `error in L1[ and L2]: msg (D1 and
    /// D2)`, the second location left out when it equals the first.
    pub(crate) fn obj_error(&mut self, l1: &str, d1: &str, l2: &str, d2: &str, msg: &str) {
        self.error_count += 1;
        let line = if l1 == l2 {
            format!("error in {l1}: {msg} ({d1} and {d2})\n")
        } else {
            format!("error in {l1} and {l2}: {msg} ({d1} and {d2})\n")
        };
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }

    /// `t->Error(msg, e)`.
    pub(crate) fn type_error(&mut self, t: &TypeRef, msg: &str, e: &Expr) {
        let l1 = self.type_loc_text(t, e.loc);
        let l2 = self.loc_text(e.loc);
        let d = self.describe_expr(e);
        self.obj_error(&l1, &t.describe(), &l2, &d, msg);
    }

    /// Zeek's `check_and_promote_expr`: `e` promoted to `t`, or `None`
    /// after reporting why it cannot be.
    pub(crate) fn promote_expr(&mut self, e: Expr, t: &TypeRef, span: Span) -> Result<Expr, Expr> {
        let (et, tt) = (e.ty.tag(), t.tag());
        if et == Tag::Error || tt == Tag::Error || tt == Tag::Any || et == Tag::Any {
            return Ok(self.coerce_to(e, t, span));
        }
        if arith(et) || arith(tt) {
            if et == tt {
                return Ok(e);
            }
            if !(arith(et) && arith(tt)) {
                self.type_error(t, "arithmetic mixed with non-arithmetic", &e);
                return Err(e);
            }
            if max_arith(et, tt) != tt {
                self.type_error(t, "over-promotion of arithmetic value", &e);
                return Err(e);
            }
            return Ok(self.coerce_to(e, t, span));
        }
        if et == Tag::Record && tt == Tag::Record {
            if zeek_same_type(t, &e.ty) {
                return Ok(e);
            }
            if record_promotion_compatible(t, &e.ty) {
                return Ok(self.retype_record(e, t, span));
            }
            self.type_error(t, "incompatible record types", &e);
            return Err(e);
        }
        if tt == Tag::Table
            && et == Tag::Table
            && is_unspecified_table(&e.ty)
            && !is_unspecified_table(t)
        {
            // Zeek's untyped table has no index types: never the same type.
            return self.promote_untyped_table(e, t, span);
        }
        if !zeek_same_type(t, &e.ty) {
            if tt == Tag::Vector && et == Tag::Vector && is_unspecified_vector(&e.ty) {
                return Ok(self.coerce_to(e, t, span));
            }
            self.type_error(t, "type clash", &e);
            return Err(e);
        }
        Ok(self.coerce_to(e, t, span))
    }

    /// An untyped `table()` or `set()` coerced to table type `t`; a
    /// constructor's `&default` must fit `t` (Zeek's `check_default_attr`
    /// in `check_and_promote_expr`).
    fn promote_untyped_table(&mut self, e: Expr, t: &TypeRef, span: Span) -> Result<Expr, Expr> {
        // The constructor's `&expire_func` is checked against the type the
        // table gets (`Attributes::CheckAttr` skips an unspecified table).
        if let ExprKind::TableCtor(_, _, _, Some(a)) = &e.kind {
            if let Some(f) = a.expire_func.clone() {
                if let Some(msg) = self.expire_func_problem(&f, t) {
                    let d = self.describe_expr(&f);
                    self.error(Some(f.loc), &format!("{msg} (&expire_func={d})"));
                }
            }
        }
        let Expr { kind, ty, loc } = e;
        let ExprKind::TableCtor(items, Some(def), ordered, tattrs) = kind else {
            let e = Expr { kind, ty, loc };
            return Ok(self.coerce_to(e, t, span));
        };
        let d = match Rc::try_unwrap(def) {
            Ok(d) => d,
            Err(def) => {
                let e = Expr {
                    kind: ExprKind::TableCtor(items, Some(def), ordered, tattrs),
                    ty,
                    loc,
                };
                return Ok(self.coerce_to(e, t, span));
            }
        };
        let (def, res) = match self.check_default_attr(d, t, false, false, span) {
            Ok(d) => (d, Ok(())),
            Err((d, msg)) => (d, Err(msg)),
        };
        let e = Expr {
            kind: ExprKind::TableCtor(items, Some(Rc::new(def)), ordered, tattrs),
            ty,
            loc,
        };
        match res {
            Ok(()) => Ok(self.coerce_to(e, t, span)),
            Err(msg) => {
                if let Some(msg) = msg {
                    self.type_error(t, msg, &e);
                }
                Err(e)
            }
        }
    }

    /// A record value of a compatible type coerced to record type `t`; an
    /// anonymous constructor is rebuilt as one of `t` directly.
    pub(crate) fn retype_record(&mut self, e: Expr, t: &TypeRef, span: Span) -> Expr {
        if e.ty.type_name().is_none() && matches!(e.kind, ExprKind::RecordCtor(_)) {
            let desc = self.describe_expr(&e);
            if let ExprKind::RecordCtor(fields) = e.kind {
                let src = e.ty.clone();
                let mut out = Vec::with_capacity(fields.len());
                for (idx, fe) in fields {
                    let name = src.record().map(|r| r.fields.borrow()[idx].name);
                    let target = name.and_then(|n| self.field_of(t, n));
                    if let Some((ti, ft)) = target {
                        let fe = if zeek_same_type(&fe.ty, &ft) && fe.ty.tag() != Tag::Record {
                            fe
                        } else if fe.ty.tag() == Tag::Record && ft.tag() == Tag::Record {
                            self.retype_record(fe, &ft, span)
                        } else {
                            self.coerce_to(fe, &ft, span)
                        };
                        out.push((ti, fe));
                    }
                }
                // Deprecated fields given a value, in the type's order.
                let mut idxs: Vec<usize> = out.iter().map(|(i, _)| *i).collect();
                idxs.sort_unstable();
                for idx in idxs {
                    if let Some(w) = Self::field_deprecation(t, idx, false) {
                        let msg = format!("{w} ((coerce {desc} to {}))", t.describe());
                        self.cwarn(span, &msg);
                    }
                }
                return Expr {
                    kind: ExprKind::RecordCtor(out),
                    ty: t.clone(),
                    loc: e.loc,
                };
            }
        }
        self.coerce_to(e, t, span)
    }

    /// Zeek's `RecordCoerceExpr` checks of a record of type `e.ty` coerced
    /// to `t`. Returns whether it may be.
    pub(crate) fn record_coerce_ok(&mut self, e: &Expr, t: &TypeRef) -> bool {
        let (Some(tr), Some(sr)) = (t.record(), e.ty.record()) else {
            return true;
        };
        if record_has_errors(t) || record_has_errors(&e.ty) {
            return false;
        }
        let sub_fields = sr.fields.borrow().clone();
        let mut mapped = vec![false; tr.len()];
        for f in &sub_fields {
            let Some(ti) = tr.field_index(f.name) else {
                let d = self.describe_coerce(e, t);
                let loc = e.loc;
                self.error(
                    Some(loc),
                    &format!("orphaned field \"{}\" in record coercion ({d})", f.name),
                );
                return false;
            };
            let sup = tr.fields.borrow()[ti].ty.clone();
            if !zeek_same_type(&sup, &f.ty) {
                let (sup_t, sub_t) = (sup.tag(), f.ty.tag());
                let arith_ok = arith(sup_t)
                    && arith(sub_t)
                    && !(sub_t == Tag::Double && sup_t != Tag::Double)
                    && !(sub_t == Tag::Int && sup_t == Tag::Count);
                let rec_ok = sup_t == Tag::Record
                    && sub_t == Tag::Record
                    && record_promotion_compatible(&sup, &f.ty);
                if !arith_ok && !rec_ok {
                    let d = self.describe_coerce(e, t);
                    let l1 = self.loc_text(e.loc);
                    let l2 = self.type_loc_text(&f.ty, e.loc);
                    self.obj_error(
                        &l1,
                        &d,
                        &l2,
                        &f.ty.describe(),
                        &format!("type clash for field \"{}\"", f.name),
                    );
                    return false;
                }
            }
            mapped[ti] = true;
        }
        for (i, m) in mapped.iter().enumerate() {
            let (name, optional) = {
                let f = &tr.fields.borrow()[i];
                // `&default` implies `&optional` in a record.
                (
                    f.name,
                    f.optional() || f.attrs.has(zest_syntax::ast::AttrKind::Default),
                )
            };
            if !m && !optional {
                let d = self.describe_coerce(e, t);
                let loc = e.loc;
                self.error(
                    Some(loc),
                    &format!("non-optional field \"{name}\" missing ({d})"),
                );
                return false;
            }
        }
        true
    }

    /// `(coerce E to T)` as Zeek describes a record coercion.
    fn describe_coerce(&self, e: &Expr, t: &TypeRef) -> String {
        format!("(coerce {} to {})", self.describe_expr(e), t.describe())
    }

    /// The elements of a vector constructor checked against element type
    /// `elem` (Zeek's `check_and_promote_exprs_to_type`); `None` after
    /// reporting the first that does not fit.
    pub(crate) fn promote_all(
        &mut self,
        xs: Vec<Expr>,
        elem: &TypeRef,
        span: Span,
    ) -> Result<Vec<Expr>, ()> {
        if elem.tag() == Tag::Any {
            return Ok(xs);
        }
        let mut out = Vec::with_capacity(xs.len());
        for x in xs {
            let keep = Expr {
                kind: ExprKind::Error,
                ty: x.ty.clone(),
                loc: x.loc,
            };
            let d = self.describe_expr(&x);
            match self.promote_expr(x, elem, span) {
                Ok(y) => out.push(y),
                Err(_) => {
                    let l1 = self.loc_text(keep.loc);
                    let l2 = self.type_loc_text(elem, keep.loc);
                    self.obj_error(&l1, &d, &l2, &elem.describe(), "type mismatch");
                    return Err(());
                }
            }
        }
        Ok(out)
    }

    /// A vector constructor of (vector) type `t`: Zeek's
    /// `VectorConstructorExpr` checks of its elements.
    pub(crate) fn checked_vector_ctor(&mut self, xs: Vec<Expr>, t: &TypeRef, span: Span) -> Expr {
        let elem = match &t.kind {
            TypeKind::Vector(y) => y.clone(),
            _ => return self.mk(ExprKind::VectorCtor(xs), t.clone(), span),
        };
        let desc = if xs.is_empty() {
            String::new()
        } else {
            let mut s = String::from("vector(");
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&self.describe_expr(x));
            }
            s.push(')');
            s
        };
        match self.promote_all(xs, &elem, span) {
            Ok(xs) => self.mk(ExprKind::VectorCtor(xs), t.clone(), span),
            Err(()) => {
                self.cerror(
                    span,
                    &format!("inconsistent types in vector constructor ({desc})"),
                );
                self.mk(ExprKind::Error, self.prog.base.error.clone(), span)
            }
        }
    }

    /// Zeek's `init_type` check of an initializer without a declared
    /// type: an empty `table()`, `set()` or `vector()` gives no type.
    pub(crate) fn untyped_init(&mut self, x: Expr, span: Span) -> Expr {
        let empty_ctor = match &x.kind {
            ExprKind::TableCtor(items, ..) => items.is_empty() && is_unspecified_table(&x.ty),
            ExprKind::VectorCtor(items) => items.is_empty(),
            _ => false,
        };
        if empty_ctor {
            let d = self.describe_expr(&x);
            self.cerror(
                span,
                &format!("empty constructor in untyped initialization ({d})"),
            );
            return self.mk(ExprKind::Error, self.prog.base.error.clone(), span);
        }
        x
    }

    /// Zeek's `AssignExpr::TypeCheck` of `e` assigned to a target of type
    /// `t` (messages quote `lhs = e`, set by the caller).
    pub(crate) fn assign_type_check(&mut self, e: Expr, t: &TypeRef, span: Span) -> Expr {
        let (bt1, bt2) = (t.tag(), e.ty.tag());
        if bt1 == Tag::Error || bt2 == Tag::Error {
            return e;
        }
        if bt1 == Tag::List && bt2 == Tag::Any {
            return e;
        }
        if (bt1 == Tag::Enum) != (bt2 == Tag::Enum) && bt2 != Tag::Any {
            let d = self.assign_desc(&e);
            self.cerror(
                span,
                &format!("can't convert to/from enumerated type ({d})"),
            );
            return self.mk(ExprKind::Error, self.prog.base.error.clone(), span);
        }
        if arith(bt1) {
            if !arith(bt2) && bt2 != Tag::Any {
                let d = self.assign_desc(&e);
                self.cerror(
                    span,
                    &format!(
                        "assignment of non-arithmetic value to arithmetic ({}/{}) ({d})",
                        bt1.name(),
                        bt2.name()
                    ),
                );
                return e;
            }
            return self.coerce_to(e, t, span);
        }
        if bt1 == Tag::Time && arith(bt2) {
            return self.coerce_to(e, t, span);
        }
        if bt1 == Tag::Table && bt2 == Tag::Table && is_unspecified_table(&e.ty) {
            // Zeek's `TableCoerceExpr` checks with `check_and_promote_expr`.
            return match self.promote_expr(e, t, span) {
                Ok(x) => x,
                Err(_) => self.mk(ExprKind::Error, self.prog.base.error.clone(), span),
            };
        }
        if bt1 == Tag::Vector {
            if bt2 == Tag::Vector && is_unspecified_vector(&e.ty) {
                return self.coerce_to(e, t, span);
            }
            if let ExprKind::List(_) = &e.kind {
                let loc = e.loc;
                let ExprKind::List(xs) = e.kind else {
                    unreachable!()
                };
                let mut x = self.checked_vector_ctor(xs, t, span);
                x.loc = loc;
                return x;
            }
        }
        if bt1 == Tag::Record && bt2 == Tag::Record {
            if zeek_same_type(t, &e.ty) {
                return self.coerce_to(e, t, span);
            }
            if !self.record_coerce_ok(&e, t) {
                return self.mk(ExprKind::Error, self.prog.base.error.clone(), span);
            }
            return self.retype_record(e, t, span);
        }
        if bt1 == Tag::Func && bt2 == Tag::Func {
            return self.coerce_to(e, t, span);
        }
        if !zeek_same_type(t, &e.ty) && bt2 != Tag::Any {
            if bt1 == Tag::Table && bt2 == Tag::Table && e.ty.is_set() {
                if let ExprKind::TableCtor(..) = &e.kind {
                    // A set constructor is rebuilt with the target's type.
                    let errors = self.error_count;
                    let d = self.assign_desc(&e);
                    let x = self.retype_set_ctor(e, t, span);
                    if self.error_count > errors {
                        self.cerror(span, &format!("type clash in assignment ({d})"));
                        return self.mk(ExprKind::Error, self.prog.base.error.clone(), span);
                    }
                    return x;
                }
            }
            let d = self.assign_desc(&e);
            self.cerror(span, &format!("type clash in assignment ({d})"));
            return e;
        }
        self.coerce_to(e, t, span)
    }

    fn assign_desc(&self, e: &Expr) -> String {
        let d = self.describe_expr(e);
        match &self.sema.assign_ctx {
            Some(l) => format!("{l} = {d}"),
            None => d,
        }
    }

    /// One index element of a constructor promoted to index type `t`. A
    /// list or a set written in an index position stands for each of its
    /// members (Zeek expands such elements into one entry per member
    /// before checking, `expand_op`): each member is checked on its own.
    fn promote_index_elem(&mut self, k: Expr, t: &TypeRef, span: Span) -> Result<Expr, Expr> {
        if k.ty.is_set() && !t.is_set() {
            return Ok(k);
        }
        let ExprKind::List(items) = k.kind else {
            return self.promote_expr(k, t, span);
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for x in items {
            if !ok {
                out.push(x);
                continue;
            }
            match self.promote_index_elem(x, t, span) {
                Ok(y) => out.push(y),
                Err(y) => {
                    ok = false;
                    out.push(y);
                }
            }
        }
        let e = Expr {
            kind: ExprKind::List(out),
            ty: k.ty,
            loc: k.loc,
        };
        if ok {
            Ok(e)
        } else {
            Err(e)
        }
    }

    /// A set constructor's elements checked against set type `t` (Zeek's
    /// `SetConstructorExpr` with a known type).
    pub(crate) fn retype_set_ctor(&mut self, e: Expr, t: &TypeRef, span: Span) -> Expr {
        let loc = e.loc;
        let desc = self.describe_expr(&e);
        let ExprKind::TableCtor(entries, def, ordered, attrs) = e.kind else {
            return e;
        };
        let index: Vec<TypeRef> = t.table_index().map(<[_]>::to_vec).unwrap_or_default();
        let mut out = Vec::with_capacity(entries.len());
        let mut failed = false;
        for (keys, v) in entries {
            if failed {
                out.push((keys, v));
                continue;
            }
            if index.len() == 1 {
                // Each element is checked on its own.
                let mut ks = Vec::with_capacity(keys.len());
                for k in keys {
                    if failed || k.ty.tag() == Tag::Table && index[0].tag() != Tag::Table {
                        ks.push(k);
                        continue;
                    }
                    let d = self.describe_expr(&k);
                    let kl = k.loc;
                    match self.promote_index_elem(k, &index[0], span) {
                        Ok(y) => ks.push(y),
                        Err(k) => {
                            let l1 = self.loc_text(kl);
                            let l2 = self.type_loc_text(&index[0], kl);
                            self.obj_error(&l1, &d, &l2, &index[0].describe(), "type mismatch");
                            self.error(
                                Some(loc),
                                &format!("inconsistent type in set constructor ({desc})"),
                            );
                            failed = true;
                            ks.push(k);
                        }
                    }
                }
                out.push((ks, v));
            } else {
                if keys.len() == 1 && !matches!(keys[0].kind, ExprKind::List(_)) {
                    let d = self.describe_expr(&keys[0]);
                    let kl = keys[0].loc;
                    self.error(Some(kl), &format!("not a list of indices ({d})"));
                    failed = true;
                    out.push((keys, v));
                    continue;
                }
                let mut ks = Vec::with_capacity(keys.len());
                let mut ok = keys.len() == index.len();
                for (k, it) in keys.into_iter().zip(index.iter()) {
                    if !ok {
                        ks.push(k);
                        continue;
                    }
                    let d = self.describe_expr(&k);
                    let kl = k.loc;
                    match self.promote_index_elem(k, it, span) {
                        Ok(y) => ks.push(y),
                        Err(k) => {
                            let l1 = self.loc_text(kl);
                            let l2 = self.type_loc_text(it, kl);
                            self.obj_error(&l1, &d, &l2, &it.describe(), "type mismatch");
                            ok = false;
                            ks.push(k);
                        }
                    }
                }
                if !ok {
                    self.error(
                        Some(loc),
                        &format!("inconsistent types in set constructor ({desc})"),
                    );
                    failed = true;
                }
                out.push((ks, v));
            }
        }
        Expr {
            kind: ExprKind::TableCtor(out, def, ordered, attrs),
            ty: if failed {
                self.prog.base.error.clone()
            } else {
                t.clone()
            },
            loc,
        }
    }

    /// Zeek's checks of a table or set constructor's elements against its
    /// known type `t`. On failure the error is the constructor, typed
    /// `error`, with its elements as written.
    #[allow(clippy::type_complexity)]
    pub(crate) fn check_table_ctor(
        &mut self,
        entries: Vec<(Vec<Expr>, Option<Expr>)>,
        t: &TypeRef,
        is_set: bool,
        span: Span,
    ) -> Result<Vec<(Vec<Expr>, Option<Expr>)>, Expr> {
        let loc = self.loc(span);
        if is_set || t.is_set() {
            let x = Expr {
                kind: ExprKind::TableCtor(entries, None, false, None),
                ty: t.clone(),
                loc,
            };
            let x = self.retype_set_ctor(x, t, span);
            if x.ty.tag() == Tag::Error {
                return Err(x);
            }
            return match x.kind {
                ExprKind::TableCtor(entries, ..) => Ok(entries),
                _ => Err(x),
            };
        }
        let index: Vec<TypeRef> = t.table_index().map(<[_]>::to_vec).unwrap_or_default();
        let yield_ = t.yield_type().cloned();
        let x = Expr {
            kind: ExprKind::TableCtor(entries, None, false, None),
            ty: t.clone(),
            loc,
        };
        let desc = self.describe_expr(&x);
        let ExprKind::TableCtor(entries, ..) = x.kind else {
            unreachable!()
        };
        let mut out = Vec::with_capacity(entries.len());
        let mut failed = false;
        let mut rest = entries.into_iter();
        for (keys, v) in rest.by_ref() {
            let Some(v) = v else {
                let d = self.describe_args_text(&keys);
                let l = keys.first().map_or(loc, |k| k.loc);
                self.error(Some(l), &format!("illegal table constructor element ({d})"));
                out.push((keys, None));
                failed = true;
                break;
            };
            if keys.len() != index.len() {
                out.push((keys, Some(v)));
                continue;
            }
            let mut ks = Vec::with_capacity(keys.len());
            let mut bad = false;
            for (k, it) in keys.into_iter().zip(index.iter()) {
                if bad {
                    ks.push(k);
                    continue;
                }
                match self.promote_index_elem(k, it, span) {
                    Ok(y) => ks.push(y),
                    Err(k) => {
                        bad = true;
                        ks.push(k);
                    }
                }
            }
            let v = match (&yield_, bad) {
                (Some(y), false) => match self.promote_expr(v, y, span) {
                    Ok(x) => x,
                    Err(v) => {
                        bad = true;
                        v
                    }
                },
                _ => v,
            };
            out.push((ks, Some(v)));
            if bad {
                self.error(
                    Some(loc),
                    &format!("inconsistent types in table constructor ({desc})"),
                );
                failed = true;
                break;
            }
        }
        out.extend(rest);
        if failed {
            return Err(Expr {
                kind: ExprKind::TableCtor(out, None, false, None),
                ty: self.prog.base.error.clone(),
                loc,
            });
        }
        Ok(out)
    }

    /// Zeek's `check_default_attr`: whether `def`, the `&default` of
    /// something of type `t` (a global, a record field, or neither), fits
    /// it. `Ok` holds the value to use; `Err` holds the value and the
    /// message its caller reports (none when already reported).
    pub(crate) fn check_default_attr(
        &mut self,
        def: Expr,
        t: &TypeRef,
        global: bool,
        in_record: bool,
        span: Span,
    ) -> Result<Expr, (Expr, Option<&'static str>)> {
        const INCONSISTENT: &str = "&default value has inconsistent type";
        // Zeek's untyped `table()` has no yield type: it is a set.
        let is_set = t.is_set() || is_unspecified_table(t);
        if global && (t.tag() != Tag::Table || is_set) {
            return Err((
                def,
                Some("&default is not valid for global variables except for tables"),
            ));
        }
        let at = def.ty.clone();
        if at.tag() == Tag::Error || t.tag() == Tag::Error {
            return Ok(def);
        }
        if t.tag() != Tag::Table || (is_set && !in_record) {
            if zeek_same_type(&at, t)
                || (t.tag() == Tag::Record
                    && at.tag() == Tag::Record
                    && record_promotion_compatible(&at, t))
                || (t.tag() == Tag::Table && is_unspecified_table(t))
            {
                return Ok(def);
            }
            let keep = Expr {
                kind: ExprKind::Error,
                ty: at.clone(),
                loc: def.loc,
            };
            let d = self.describe_expr(&def);
            return match self.promote_expr(def, t, span) {
                Ok(x) => Ok(x),
                Err(def) => {
                    let l1 = self.loc_text(keep.loc);
                    let l2 = self.type_loc_text(t, keep.loc);
                    self.obj_error(&l1, &d, &l2, &t.describe(), INCONSISTENT);
                    Err((def, None))
                }
            };
        }
        let ytype = t.yield_type().cloned();
        if !in_record {
            let Some(y) = ytype else {
                return Err((def, Some(INCONSISTENT)));
            };
            if zeek_same_type(&at, &y) || at.tag() == Tag::Func {
                // A function default is called with the index.
                return Ok(def);
            }
            if y.tag() == Tag::Record
                && at.tag() == Tag::Record
                && record_promotion_compatible(&at, &y)
            {
                return Ok(def);
            }
            return match self.promote_expr(def, &y, span) {
                Ok(x) => Ok(x),
                Err(def) => Err((def, Some(INCONSISTENT))),
            };
        }
        // The `&default` of a record field of table type.
        if zeek_same_type(&at, t) {
            return Ok(def);
        }
        let def = if at.tag() == Tag::Table && is_unspecified_table(&at) {
            match self.promote_expr(def, t, span) {
                Ok(x) => return Ok(x),
                Err(def) => def,
            }
        } else {
            def
        };
        if let Some(y) = &ytype {
            if y.tag() == Tag::Record
                && at.tag() == Tag::Record
                && record_promotion_compatible(&at, y)
            {
                return Ok(def);
            }
        }
        Err((def, Some(INCONSISTENT)))
    }

    fn describe_args_text(&self, xs: &[Expr]) -> String {
        let mut s = String::new();
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&self.describe_expr(x));
        }
        s
    }
}
