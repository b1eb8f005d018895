//! Zeek's compile-time matching of expressions against expected types
//! (`check_and_promote_expr` and friends in `Expr.cc`) for call arguments
//! and index lists, with Zeek's messages: each failure names the two
//! objects involved, located and described as `Obj::Error` does.

use crate::interp::Interp;
use crate::ir::{Expr, ExprKind, Loc};
use crate::types::{RecordType, Tag, TypeKind, TypeRef};

fn arith_rank(t: Tag) -> u8 {
    match t {
        Tag::Count => 1,
        Tag::Int => 2,
        Tag::Double => 3,
        _ => 0,
    }
}

/// Zeek's `same_type`: `any` matches everything, all enums match each
/// other, records match field by field (names and types).
pub(crate) fn zeek_same_type(a: &TypeRef, b: &TypeRef) -> bool {
    same_type_depth(a, b, 0)
}

fn same_type_depth(a: &TypeRef, b: &TypeRef, depth: u32) -> bool {
    if std::rc::Rc::ptr_eq(a, b) || a.tag() == Tag::Any || b.tag() == Tag::Any {
        return true;
    }
    if a.tag() != b.tag() {
        return false;
    }
    // Recursive types: assume a match this deep, as Zeek does for types
    // it is already analyzing.
    if depth > 32 {
        return true;
    }
    let same = |x: &TypeRef, y: &TypeRef| same_type_depth(x, y, depth + 1);
    match (&a.kind, &b.kind) {
        (TypeKind::Opaque(x), TypeKind::Opaque(y)) => x == y,
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
                && ia.iter().zip(ib).all(|(x, y)| same(x, y))
                && match (ya, yb) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same(x, y),
                    _ => false,
                }
        }
        (TypeKind::Func(f), TypeKind::Func(g)) => {
            f.flavor == g.flavor
                && match (&f.ret, &g.ret) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same(x, y),
                    _ => false,
                }
                && f.params.len() == g.params.len()
                && f.params
                    .iter()
                    .zip(&g.params)
                    .all(|(p, q)| same(&p.ty, &q.ty))
        }
        (TypeKind::Record(ra), TypeKind::Record(rb)) => {
            let (fa, fb) = (ra.fields.borrow(), rb.fields.borrow());
            fa.len() == fb.len()
                && fa
                    .iter()
                    .zip(fb.iter())
                    .all(|(x, y)| x.name == y.name && same(&x.ty, &y.ty))
        }
        (TypeKind::List(x), TypeKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (TypeKind::Vector(x), TypeKind::Vector(y))
        | (TypeKind::File(x), TypeKind::File(y))
        | (TypeKind::Type(x), TypeKind::Type(y)) => same(x, y),
        _ => true,
    }
}

/// Zeek's `record_promotion_compatible`: every field of `sub` that `sup`
/// has is of the same type (or itself promotable).
pub(crate) fn record_promotion_compatible(sup: &RecordType, sub: &RecordType) -> bool {
    let sub_fields = sub.fields.borrow();
    for f in sub_fields.iter() {
        let Some(o) = sup.field_index(f.name) else {
            continue;
        };
        let sup_ty = sup.fields.borrow()[o].ty.clone();
        if zeek_same_type(&f.ty, &sup_ty) {
            continue;
        }
        match (f.ty.record(), sup_ty.record()) {
            (Some(a), Some(b)) if std::ptr::eq(a, b) => continue,
            (Some(a), Some(b)) => {
                if !record_promotion_compatible(b, a) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

impl Interp {
    /// The location a type reports: its name for a base type, where it was
    /// written for a compound one.
    fn type_loc_or(&self, t: &TypeRef, fallback: Loc) -> String {
        self.type_loc(t).unwrap_or_else(|| self.loc_str(fallback))
    }

    /// `t->Error(msg, e)`: the type first.
    pub(crate) fn type_error_with(&mut self, t: &TypeRef, msg: &str, e: &Expr) {
        let a = self.type_loc_or(t, e.loc);
        let b = self.loc_str(e.loc);
        let d = format!("{msg} ({} and {})", t.describe(), self.describe_expr(e));
        self.error_pair(&a, Some(&b), &d);
    }

    /// `e->Error(msg, t)`: the expression first.
    pub(crate) fn expr_error_with(&mut self, e: &Expr, msg: &str, t: &TypeRef) {
        let a = self.loc_str(e.loc);
        let b = self.type_loc_or(t, e.loc);
        let d = format!("{msg} ({} and {})", self.describe_expr(e), t.describe());
        self.error_pair(&a, Some(&b), &d);
    }

    /// `e->Error(msg)`: an error about one expression.
    pub(crate) fn expr_error_at(&mut self, e: &Expr, msg: &str) {
        let d = format!("{msg} ({})", self.describe_expr(e));
        let a = self.loc_str(e.loc);
        self.error_pair(&a, None, &d);
    }

    /// Zeek's `check_and_promote_expr` as a check: whether `e` can take
    /// type `t`, reporting why not.
    pub(crate) fn promotable_to(&mut self, e: &Expr, t: &TypeRef) -> bool {
        let (et, tt) = (e.ty.tag(), t.tag());
        if tt == Tag::Any || et == Tag::Any {
            return true;
        }
        if e.ty.is_arith() || t.is_arith() {
            if et == tt {
                return true;
            }
            if !(e.ty.is_arith() && t.is_arith()) {
                self.type_error_with(t, "arithmetic mixed with non-arithmetic", e);
                return false;
            }
            if arith_rank(et) > arith_rank(tt) {
                self.type_error_with(t, "over-promotion of arithmetic value", e);
                return false;
            }
            return true;
        }
        if let (Some(tr), Some(er)) = (t.record(), e.ty.record()) {
            if zeek_same_type(t, &e.ty) || record_promotion_compatible(tr, er) {
                return true;
            }
            self.type_error_with(t, "incompatible record types", e);
            return false;
        }
        if !zeek_same_type(t, &e.ty) {
            if matches!(
                (tt, et),
                (Tag::Table, Tag::Table) | (Tag::Vector, Tag::Vector)
            ) && Self::is_unspecified_ctor(e)
            {
                return true;
            }
            if tt != Tag::Error && et != Tag::Error {
                self.type_error_with(t, "type clash", e);
            }
            return false;
        }
        true
    }

    /// Zeek's `check_and_promote_exprs`: `es` against the list of types
    /// `ts` (the index types of `owner`, described as `list of …`).
    pub(crate) fn promotable_to_list(
        &mut self,
        es: &[Expr],
        ts: &[TypeRef],
        owner: Option<&TypeRef>,
        list_loc: Loc,
    ) -> bool {
        if ts.len() == 1 && ts[0].tag() == Tag::Any {
            return true;
        }
        if es.len() != ts.len() {
            let mut tl = String::from("list of ");
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    tl.push(',');
                }
                t.describe_into(&mut tl);
            }
            let mut el = String::new();
            for (i, e) in es.iter().enumerate() {
                if i > 0 {
                    el.push_str(", ");
                }
                el.push_str(&self.describe_expr(e));
            }
            let a = owner
                .and_then(|o| o.loc.get())
                .map(|l| self.loc_str(l))
                .unwrap_or_else(|| self.loc_str(list_loc));
            let b = self.loc_str(list_loc);
            self.error_pair(&a, Some(&b), &format!("indexing mismatch ({tl} and {el})"));
            return false;
        }
        for (e, t) in es.iter().zip(ts) {
            if !self.promotable_to(e, t) {
                self.expr_error_with(e, "type mismatch", t);
                return false;
            }
        }
        true
    }

    /// Zeek's `Type::MatchesIndex` for the container type `ct` and the
    /// index expressions `es` (reporting the mismatches it finds).
    pub(crate) fn matches_index(&mut self, ct: &TypeRef, es: &[Expr], list_loc: Loc) -> bool {
        match &ct.kind {
            TypeKind::Table { index, .. } => {
                if index.len() == 1
                    && index[0].tag() == Tag::Subnet
                    && es.len() == 1
                    && es[0].ty.tag() == Tag::Addr
                {
                    return true;
                }
                // An index that is itself a type list stands for its types.
                let index = match index.as_slice() {
                    [one] => match &one.kind {
                        TypeKind::List(ts) => ts.clone(),
                        _ => index.clone(),
                    },
                    _ => index.clone(),
                };
                self.promotable_to_list(es, &index, Some(ct), list_loc)
            }
            TypeKind::Vector(_) => {
                let integral = |t: &TypeRef| matches!(t.tag(), Tag::Count | Tag::Int | Tag::Bool);
                match es {
                    [_, _] => true,
                    [e] => match &e.ty.kind {
                        TypeKind::Vector(y) => integral(y),
                        _ => integral(&e.ty),
                    },
                    _ => false,
                }
            }
            TypeKind::String => {
                if es.len() != 1 && es.len() != 2 {
                    return false;
                }
                let int = self.prog.base.int.clone();
                for e in es {
                    if !self.promotable_to(e, &int) {
                        self.expr_error_with(e, "type mismatch", &int);
                        return false;
                    }
                }
                true
            }
            TypeKind::Any | TypeKind::Error => true,
            _ => false,
        }
    }

    /// Zeek's `InExpr` checks: whether `x in y` is well-typed, reporting
    /// why not. `whole` is the `in` expression, for the final message.
    pub(crate) fn check_in(&mut self, x: &Expr, y: &Expr, whole: &Expr) -> bool {
        let (tx, ty) = (x.ty.tag(), y.ty.tag());
        if tx == Tag::Error || ty == Tag::Error || ty == Tag::Any {
            return true;
        }
        if tx == Tag::Pattern {
            if ty == Tag::String {
                return true;
            }
            if ty != Tag::Table {
                let yt = y.ty.clone();
                self.type_error_with(&yt, "pattern requires string or set/table index", x);
                return false;
            }
        }
        if tx == Tag::String && ty == Tag::String {
            return true;
        }
        if tx == Tag::Addr {
            if ty == Tag::Subnet {
                return true;
            }
            if let Some([i]) = y.ty.table_index() {
                if i.tag() == Tag::Subnet {
                    return true;
                }
            }
        }
        let ok = match &x.kind {
            ExprKind::List(items) => self.matches_index(&y.ty, items, x.loc),
            _ => self.matches_index(&y.ty, std::slice::from_ref(x), x.loc),
        };
        if !ok {
            self.expr_error_at(whole, "not an index type");
        }
        ok
    }
}

impl Interp {
    /// The expiration attributes of a table, checked as Zeek's
    /// `Attributes::CheckAttr` and `TableType::DoExpireCheck` do (with
    /// `TableVal::CheckExpireAttr`'s check of the interval's type).
    pub(crate) fn check_expire_attrs(
        &mut self,
        attrs: &[zest_syntax::ast::Attr],
        compiled: &crate::types::Attrs,
        ty: &TypeRef,
        global_var: bool,
    ) {
        use zest_syntax::ast::AttrKind;
        let is_expire = |k: AttrKind| {
            matches!(
                k,
                AttrKind::ReadExpire | AttrKind::WriteExpire | AttrKind::CreateExpire
            )
        };
        // `Attributes::Error` describes the attributes added so far.
        let list_desc = |this: &Self, upto: usize| {
            let mut d = String::new();
            for (i, (k, v)) in compiled.list.iter().take(upto + 1).enumerate() {
                if i > 0 {
                    d.push_str(", ");
                }
                d.push_str(k.name());
                if let Some(v) = v {
                    d.push('=');
                    d.push_str(&this.describe_expr(v));
                }
            }
            d
        };
        for (i, (a, (k, v))) in attrs.iter().zip(&compiled.list).enumerate() {
            let Some(v) = v else { continue };
            let attr_desc = |this: &Self| format!("{}={}", k.name(), this.describe_expr(v));
            let attr_loc = self.loc1(a.span);
            // `Find` sees the attributes added so far.
            let has = |kind: AttrKind| compiled.list[..=i].iter().any(|(k, _)| *k == kind);
            let mut errors: Vec<&str> = Vec::new();
            match *k {
                AttrKind::ReadExpire => {
                    if has(AttrKind::BrokerStore) {
                        errors.push("&broker_store and &read_expire cannot be used simultaneously");
                    }
                    if has(AttrKind::Backend) {
                        errors.push("&backend and &read_expire cannot be used simultaneously");
                    }
                }
                AttrKind::ExpireFunc if ty.tag() == Tag::Table => {
                    if has(AttrKind::BrokerStore) {
                        errors.push("&broker_store and &expire_func cannot be used simultaneously");
                    }
                    if has(AttrKind::Backend) {
                        errors.push("&backend and &expire_func cannot be used simultaneously");
                    }
                }
                AttrKind::Backend | AttrKind::BrokerStore => {
                    let backend = *k == AttrKind::Backend;
                    if backend && (!global_var || ty.tag() != Tag::Table) {
                        errors.push("&backend only applicable to global sets/tables");
                    } else if !backend && ty.tag() != Tag::Table {
                        errors.push("&broker_store only applicable to sets/tables");
                    } else if backend && !matches!(v.ty.tag(), Tag::Enum | Tag::Error) {
                        errors.push("&backend must take an enum argument");
                    } else if !backend && !matches!(v.ty.tag(), Tag::String | Tag::Error) {
                        errors.push("&broker_store must take a string argument");
                    } else {
                        let atomic = ty
                            .yield_type()
                            .is_some_and(|y| crate::types::threading_compatible_type(y, true));
                        if !ty.is_set() && !atomic && !has(AttrKind::BrokerAllowComplex) {
                            errors.push(if backend {
                                "&backend only supports atomic types as table value"
                            } else {
                                "&broker_store only supports atomic types as table value"
                            });
                        }
                        if has(AttrKind::ExpireFunc) {
                            errors.push(if backend {
                                "&backend and &expire_func cannot be used simultaneously"
                            } else {
                                "&broker_store and &expire_func cannot be used simultaneously"
                            });
                        }
                        if has(AttrKind::ReadExpire) {
                            errors.push(if backend {
                                "&backend and &read_expire cannot be used simultaneously"
                            } else {
                                "&broker_store and &read_expire cannot be used simultaneously"
                            });
                        }
                        if has(if backend {
                            AttrKind::BrokerStore
                        } else {
                            AttrKind::Backend
                        }) {
                            errors.push("&backend and &broker_store cannot be used simultaneously");
                        }
                    }
                }
                _ => {}
            }
            if !errors.is_empty() {
                let d = list_desc(self, i);
                for e in errors {
                    self.error(Some(attr_loc), &format!("{e} ({d})"));
                }
            }
            if is_expire(*k) {
                if ty.tag() != Tag::Table {
                    let d = list_desc(self, i);
                    self.error(
                        Some(attr_loc),
                        &format!("expiration only applicable to sets/tables ({d})"),
                    );
                    continue;
                }
                let n = compiled.list[..=i]
                    .iter()
                    .filter(|(k, _)| is_expire(*k))
                    .count();
                if n > 1 {
                    let d = list_desc(self, i);
                    self.error(
                        Some(attr_loc),
                        &format!(
                            "set/table can only have one of &read_expire, &write_expire, &create_expire ({d})"
                        ),
                    );
                    continue;
                }
                if !matches!(v.ty.tag(), Tag::Interval | Tag::Error) {
                    self.expr_error_at(v, "expiration interval has wrong type");
                }
            } else if *k == AttrKind::ExpireFunc {
                if ty.tag() != Tag::Table {
                    let d = list_desc(self, i);
                    self.error(
                        Some(attr_loc),
                        &format!("expiration only applicable to tables ({d})"),
                    );
                    continue;
                }
                if super::check::is_unspecified_table(ty) {
                    // An untyped `table()`: checked when it gets its type.
                    continue;
                }
                let problem = self.expire_func_problem(v, ty);
                if let Some(msg) = problem {
                    let d = attr_desc(self);
                    self.error(Some(attr_loc), &format!("{msg} ({d})"));
                }
            }
        }
    }

    /// Zeek's `TableType::DoExpireCheck`: what is wrong with `f` as the
    /// `&expire_func` of a table of type `tt`.
    pub(crate) fn expire_func_problem(&mut self, f: &Expr, tt: &TypeRef) -> Option<&'static str> {
        use crate::types::Flavor;
        let Some(ft) = f.ty.func().filter(|ft| ft.flavor == Flavor::Function) else {
            return Some("&expire_func attribute is not a function");
        };
        if ft.ret.as_ref().map(|r| r.tag()) != Some(Tag::Interval) {
            return Some("&expire_func must yield a value of type interval");
        }
        let index = tt.table_index().unwrap_or(&[]);
        if index.is_empty() || (ft.params.len() == 2 && ft.params[1].ty.tag() == Tag::Any) {
            return None;
        }
        let mut expected: Vec<TypeRef> = Vec::with_capacity(index.len() + 1);
        expected.push(tt.clone());
        expected.extend(index.iter().cloned());
        // `FuncType::CheckArgs`, warning about the function's type.
        let ftype_loc = f.ty.loc.get().or_else(|| match &f.kind {
            ExprKind::Global(g) => Some(self.prog.globals[*g as usize].loc),
            _ => None,
        });
        let fdesc = f.ty.describe();
        if ft.params.len() != expected.len() {
            let msg = format!(
                "Wrong number of arguments for function. Expected {}, got {}. ({fdesc})",
                expected.len(),
                ft.params.len()
            );
            self.warn(
                ftype_loc.map(|l| Loc {
                    last_line: l.first_line,
                    ..l
                }),
                &msg,
            );
            return Some("&expire_func argument type clash");
        }
        let mut ok = true;
        for (i, (e, p)) in expected.iter().zip(&ft.params).enumerate() {
            if !zeek_same_type(e, &p.ty) {
                let msg = format!(
                    "Type mismatch in function argument #{i}. Expected {}, got {}. ({fdesc})",
                    e.tag().name(),
                    p.ty.tag().name()
                );
                self.warn(
                    ftype_loc.map(|l| Loc {
                        last_line: l.first_line,
                        ..l
                    }),
                    &msg,
                );
                ok = false;
            }
        }
        if ok {
            None
        } else {
            Some("&expire_func argument type clash")
        }
    }
}
