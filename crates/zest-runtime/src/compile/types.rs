//! Turning type expressions into types, and attributes into `Attrs`.

use crate::interp::Interp;
use crate::program::GlobalKind;
use crate::types::{
    Attrs, EnumType, Field, Flavor, FuncType, Param, RecordType, Type, TypeKind, TypeRef,
};
use crate::value::Value;
use std::rc::Rc;
use zest_syntax::ast::{self, AttrKind, TypeExpr};

impl Interp {
    pub(crate) fn compile_type(&mut self, t: &TypeExpr) -> TypeRef {
        let b = &self.prog.base;
        match t {
            TypeExpr::Bool => b.bool_.clone(),
            TypeExpr::Int => b.int.clone(),
            TypeExpr::Count => b.count.clone(),
            TypeExpr::Double => b.double.clone(),
            TypeExpr::Time => b.time.clone(),
            TypeExpr::Interval => b.interval.clone(),
            TypeExpr::String => b.string.clone(),
            TypeExpr::Pattern => b.pattern.clone(),
            TypeExpr::Port => b.port.clone(),
            TypeExpr::Addr => b.addr.clone(),
            TypeExpr::Subnet => b.subnet.clone(),
            TypeExpr::Any => b.any.clone(),
            TypeExpr::Table { index, yield_ } => {
                let index = index.iter().map(|t| self.compile_type(t)).collect();
                let y = self.compile_type(yield_);
                self.checked_table_type(Type::new(TypeKind::Table {
                    index,
                    yield_: Some(y),
                }))
            }
            TypeExpr::Set { index } => {
                let index = index.iter().map(|t| self.compile_type(t)).collect();
                self.checked_table_type(Type::new(TypeKind::Table {
                    index,
                    yield_: None,
                }))
            }
            TypeExpr::Record(fields) => {
                let rt = RecordType::default();
                let ty = Type::new(TypeKind::Record(rt));
                let fs = self.compile_fields(fields);
                if let Some(r) = ty.record() {
                    *r.fields.borrow_mut() = fs;
                }
                ty
            }
            TypeExpr::Enum(items) => {
                let ty = Type::new(TypeKind::Enum(EnumType::default()));
                self.add_enum_items(&ty, items);
                ty
            }
            TypeExpr::List(inner) => {
                let v = inner
                    .as_ref()
                    .map(|t| vec![self.compile_type(t)])
                    .unwrap_or_default();
                Type::new(TypeKind::List(v))
            }
            TypeExpr::Vector(y) => {
                let y = self.compile_type(y);
                Type::new(TypeKind::Vector(y))
            }
            TypeExpr::Function(sig) => {
                self.compile_func_type(Flavor::Function, &sig.params, sig.ret.as_deref())
            }
            TypeExpr::Event(params) => self.compile_func_type(Flavor::Event, params, None),
            TypeExpr::Hook(params) => self.compile_func_type(Flavor::Hook, params, None),
            TypeExpr::File(inner) => {
                let y = match inner {
                    Some(t) => self.compile_type(t),
                    None => self.prog.base.string.clone(),
                };
                Type::new(TypeKind::File(y))
            }
            TypeExpr::Opaque(name) => Type::new(TypeKind::Opaque(name.sym)),
            TypeExpr::Named(name) => match self.lookup_global(name.sym) {
                Some(gid) if self.prog.globals[gid as usize].kind == GlobalKind::Type => {
                    self.warn_deprecated_global(gid, name.span);
                    self.prog.globals[gid as usize]
                        .ty
                        .clone()
                        .unwrap_or_else(|| self.prog.base.error.clone())
                }
                Some(_) => {
                    self.cerror(name.span, &format!("not a type ({})", name.sym));
                    self.prog.base.error.clone()
                }
                None => {
                    let loc = self.loc1(name.span);
                    self.error(Some(loc), &format!("identifier not defined: {}", name.sym));
                    self.prog.base.error.clone()
                }
            },
        }
    }

    /// Gives the compound types written at `loc` (those not located yet
    /// and not named) that location, as Zeek's parser does.
    pub(crate) fn locate_type(t: &TypeRef, loc: crate::ir::Loc) {
        if t.loc.get().is_some() || t.name.borrow().is_some() {
            return;
        }
        match &t.kind {
            TypeKind::Table { index, yield_ } => {
                t.loc.set(Some(loc));
                for i in index {
                    Self::locate_type(i, loc);
                }
                if let Some(y) = yield_ {
                    Self::locate_type(y, loc);
                }
            }
            TypeKind::Vector(y) | TypeKind::File(y) => {
                t.loc.set(Some(loc));
                Self::locate_type(y, loc);
            }
            TypeKind::List(ts) => {
                t.loc.set(Some(loc));
                for i in ts {
                    Self::locate_type(i, loc);
                }
            }
            TypeKind::Func(f) => {
                t.loc.set(Some(loc));
                for p in &f.params {
                    Self::locate_type(&p.ty, loc);
                }
                if let Some(r) = &f.ret {
                    Self::locate_type(r, loc);
                }
            }
            TypeKind::Record(_) | TypeKind::Enum(_) => t.loc.set(Some(loc)),
            _ => {}
        }
    }

    /// Zeek's `TableType` check of its index types: one containing a
    /// type that cannot be hashed makes the table type an error.
    fn checked_table_type(&mut self, t: TypeRef) -> TypeRef {
        fn unsupported(t: &TypeRef, depth: u32) -> Option<&'static str> {
            if depth > 16 {
                return None;
            }
            match &t.kind {
                TypeKind::Any | TypeKind::File(_) | TypeKind::Opaque(_) | TypeKind::Type(_) => {
                    Some(t.tag().name())
                }
                TypeKind::Record(r) => r
                    .fields
                    .borrow()
                    .iter()
                    .find_map(|f| unsupported(&f.ty, depth + 1)),
                TypeKind::List(ts) => ts.iter().find_map(|x| unsupported(x, depth + 1)),
                TypeKind::Table { index, yield_ } => index
                    .iter()
                    .chain(yield_.iter())
                    .find_map(|x| unsupported(x, depth + 1)),
                TypeKind::Vector(y) => unsupported(y, depth + 1),
                _ => None,
            }
        }
        let Some(index) = t.table_index() else {
            return t;
        };
        for it in index {
            if it.tag() == crate::types::Tag::Error {
                break;
            }
            if let Some(name) = unsupported(it, 0) {
                let near = self.sema.decl_loc;
                let l1 = self.type_loc_text(&t, near);
                let l2 = self.type_loc_text(it, near);
                self.obj_error(
                    &l1,
                    &t.describe(),
                    &l2,
                    &it.describe(),
                    &format!("index type containing '{name}' is not supported"),
                );
                return self.prog.base.error.clone();
            }
        }
        t
    }

    pub(crate) fn compile_func_type(
        &mut self,
        flavor: Flavor,
        params: &[ast::Param],
        ret: Option<&TypeExpr>,
    ) -> TypeRef {
        let mut ps = Vec::with_capacity(params.len());
        for p in params {
            let ty = self.compile_type(&p.ty);
            Self::locate_type(&ty, self.loc1(p.name.span));
            let default = p
                .attrs
                .iter()
                .find(|a| a.kind == AttrKind::Default)
                .and_then(|a| a.value.as_ref());
            let default = default.map(|d| {
                let e = self.compile_expr(d);
                // A numeric constant keeps its coercion, which a call's
                // description shows (`(coerce 0 to int)`).
                let widening = matches!(
                    (e.ty.tag(), ty.tag()),
                    (
                        crate::types::Tag::Count,
                        crate::types::Tag::Int | crate::types::Tag::Double
                    ) | (crate::types::Tag::Int, crate::types::Tag::Double)
                );
                if widening && matches!(e.kind, crate::ir::ExprKind::Const(_)) {
                    let loc = e.loc;
                    return Rc::new(crate::ir::Expr {
                        kind: crate::ir::ExprKind::Coerce(Box::new(e)),
                        ty: ty.clone(),
                        loc,
                    });
                }
                Rc::new(self.coerce_to(e, &ty, d.span))
            });
            // A `&default` brings an implicit `&optional` (Zeek's
            // `Attributes::AddAttr` for non-globals).
            let attrs_desc = default
                .as_ref()
                .map(|d| Rc::from(format!("&default={}, &optional", self.describe_expr(d))));
            ps.push(Param {
                name: p.name.sym,
                ty,
                default,
                attrs_desc,
                deprecated: super::deprecated::ast_deprecation(&p.attrs),
            });
        }
        let ret = match (flavor, ret) {
            (Flavor::Hook, _) => Some(self.prog.base.bool_.clone()),
            (_, Some(r)) => Some(self.compile_type(r)),
            _ => None,
        };
        Type::new(TypeKind::Func(FuncType {
            flavor,
            params: ps,
            ret,
        }))
    }

    pub(crate) fn compile_fields(&mut self, fields: &[ast::FieldDecl]) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::with_capacity(fields.len());
        for f in fields {
            let ty = self.compile_type(&f.ty);
            Self::locate_type(&ty, self.loc1(f.name.span));
            let attrs = self.compile_field_attrs(&f.attrs, &ty);
            if out.iter().any(|x| x.name == f.name.sym) {
                // Reported where the scanner is: after the whole type.
                let at = match self.sema.type_decl_span {
                    Some(s) => zest_syntax::Span {
                        start: s.end.max(s.start + 1) - 1,
                        end: s.end,
                    },
                    None => f.name.span,
                };
                self.cerror(
                    at,
                    &format!(
                        "duplicate field '{}' found in record definition",
                        f.name.sym
                    ),
                );
                continue;
            }
            let default = match attrs.get(AttrKind::Default) {
                Some(e) if matches!(e.kind, crate::ir::ExprKind::Const(_)) => match &e.kind {
                    crate::ir::ExprKind::Const(v) => Some(v.clone()),
                    _ => None,
                },
                Some(e)
                    if matches!(
                        ty.tag(),
                        crate::types::Tag::Table
                            | crate::types::Tag::Vector
                            | crate::types::Tag::Record
                    ) =>
                {
                    let e = e.clone();
                    self.eval(&e).ok()
                }
                _ => None,
            };
            out.push(Field {
                name: f.name.sym,
                ty,
                attrs,
                default,
            });
        }
        out
    }

    /// Attributes of a record field or parameter: `&default` is the value
    /// of the field itself, even for a table-typed field.
    pub(crate) fn compile_field_attrs(&mut self, attrs: &[ast::Attr], ty: &TypeRef) -> Attrs {
        let mut out = Attrs::default();
        for a in attrs {
            let mut failed = None;
            let v = a.value.as_ref().map(|v| {
                if a.kind != AttrKind::Default {
                    return Rc::new(self.compile_rhs(v, ty));
                }
                // Zeek types the value on its own, then checks it fits.
                let e = self.compile_expr(v);
                let e = match self.check_default_attr(e, ty, false, true, v.span) {
                    Err((e, msg)) => {
                        failed = msg;
                        e
                    }
                    Ok(e)
                        if e.ty.tag() == crate::types::Tag::Record
                            && ty.tag() == crate::types::Tag::Record
                            && !crate::types::same_type(&e.ty, ty) =>
                    {
                        self.retype_record(e, ty, v.span)
                    }
                    Ok(e) => self.coerce_to(e, ty, v.span),
                };
                Rc::new(e)
            });
            self.check_dup_attr(&out, a, attrs);
            out.list.push((a.kind, v));
            if let Some(msg) = failed {
                self.attrs_error(&out, attrs, msg);
            }
        }
        out
    }

    /// Zeek's `Attributes::AddAttr` check: a repeated attribute is
    /// ambiguous (except in a `redef` and for flag-like attributes).
    fn check_dup_attr(&mut self, out: &Attrs, a: &ast::Attr, attrs: &[ast::Attr]) {
        if !self.sema.in_redef {
            if let Some(prev) = out.list.iter().find(|(k, _)| *k == a.kind) {
                let acceptable = match a.kind {
                    AttrKind::Deprecated => a.value.is_none() && prev.1.is_none(),
                    AttrKind::Log
                    | AttrKind::Optional
                    | AttrKind::Redef
                    | AttrKind::BrokerAllowComplex
                    | AttrKind::RawOutput
                    | AttrKind::ErrorHandler
                    | AttrKind::IsUsed => true,
                    _ => false,
                };
                if !acceptable {
                    // Zeek checks the list once parsed: the error is placed
                    // where the parser then is, at its end.
                    let end = attrs.last().map_or(a.span, |l| l.span);
                    let loc = self.loc1(zest_syntax::Span {
                        start: end.end.max(end.start + 1) - 1,
                        end: end.end.max(end.start + 1),
                    });
                    self.error(
                        Some(loc),
                        &format!("Duplicate {} attribute is ambiguous", a.kind.name()),
                    );
                }
            }
        }
    }

    /// Compiles attributes; `&default` values are checked as Zeek's
    /// `Attributes::CheckAttr` does and coerced to `target`.
    pub(crate) fn compile_attrs(&mut self, attrs: &[ast::Attr], target: Option<&TypeRef>) -> Attrs {
        let mut out = Attrs::default();
        let global = std::mem::take(&mut self.sema.attrs_global);
        for a in attrs {
            self.check_dup_attr(&out, a, attrs);
            let mut failed = None;
            let v = a.value.as_ref().map(|v| {
                let e = self.compile_expr(v);
                let e = match (a.kind, target) {
                    (AttrKind::Default, Some(t)) => {
                        match self.check_default_attr(e, t, global, false, v.span) {
                            Err((e, msg)) => {
                                failed = msg;
                                e
                            }
                            // A function default for a table is called with the index.
                            Ok(e)
                                if e.ty.tag() == crate::types::Tag::Func
                                    && t.tag() != crate::types::Tag::Func =>
                            {
                                e
                            }
                            Ok(e) => match t.yield_type() {
                                Some(y) if t.tag() == crate::types::Tag::Table => {
                                    let y = y.clone();
                                    self.coerce_to(e, &y, v.span)
                                }
                                _ => self.coerce_to(e, t, v.span),
                            },
                        }
                    }
                    _ => e,
                };
                Rc::new(e)
            });
            // A repeated attribute replaces the earlier one.
            out.list.retain(|(k, _)| *k != a.kind);
            out.list.push((a.kind, v));
            if let Some(msg) = failed {
                self.attrs_error(&out, attrs, msg);
            }
            if global && a.kind == AttrKind::Optional && target.is_some() {
                self.attrs_error(&out, attrs, "&optional is not valid for global variables");
            }
        }
        out
    }

    /// Zeek's `Attributes::Error`: located where the attribute list ends,
    /// quoting the attributes so far.
    fn attrs_error(&mut self, out: &Attrs, attrs: &[ast::Attr], msg: &str) {
        let mut d = String::new();
        for (i, (k, v)) in out.list.iter().enumerate() {
            if i > 0 {
                d.push_str(", ");
            }
            d.push_str(k.name());
            if let Some(v) = v {
                d.push('=');
                d.push_str(&self.describe_expr(v));
            }
        }
        let end = attrs
            .last()
            .map_or(0, |a| a.span.end.max(a.span.start + 1) - 1);
        let loc = self.loc1(zest_syntax::Span {
            start: end,
            end: end + 1,
        });
        self.error(Some(loc), &format!("{msg} ({d})"));
    }

    /// Adds enum names (declared in the current module) to an enum type.
    pub(crate) fn add_enum_items(&mut self, ty: &TypeRef, items: &[ast::EnumItem]) {
        let crate::types::TypeKind::Enum(et) = &ty.kind else {
            return;
        };
        for it in items {
            let value = match it.value {
                Some(v) => v,
                None => *et.counter.borrow(),
            };
            *et.counter.borrow_mut() = value + 1;
            let full = self.full_name(it.name.sym);
            let loc = self.loc(it.name.span);
            if let Some(gid) = self.prog.lookup(full) {
                let g = &self.prog.globals[gid as usize];
                let tname = ty.type_name().or(self.sema.enum_decl_name);
                // Zest's generated `.bif.zeek` declarations may number an
                // enum differently from the script defining it again.
                let from_bif = self.prog.file_name(g.loc).ends_with(".bif.zeek")
                    || self.prog.file_name(loc).ends_with(".bif.zeek");
                let conflict = g.kind != GlobalKind::EnumConst
                    || (!from_bif && !matches!(g.value, Value::Enum(_, v) if v == value))
                    || g.ty.as_ref().and_then(|t| t.type_name()) != tname;
                if conflict {
                    let (a, b) = (self.loc_str(loc), self.loc_str(g.loc));
                    let tn = tname.map(|n| n.to_string()).unwrap_or_default();
                    self.error_pair(
                        &a,
                        Some(&b),
                        &format!("conflicting definition of enum value '{full}' in type '{tn}'"),
                    );
                    continue;
                }
            }
            et.names.borrow_mut().push((full, value));
            let exported = self.sema.export_depth > 0;
            let gid =
                self.prog
                    .declare(full, GlobalKind::EnumConst, Some(ty.clone()), loc, exported);
            let g = &mut self.prog.globals[gid as usize];
            g.kind = GlobalKind::EnumConst;
            g.ty = Some(ty.clone());
            g.value = Value::Enum(ty.clone(), value);
            if let Some(d) = &it.deprecated {
                g.deprecated = Some(super::deprecated::ast_message(d.as_ref()));
            }
        }
    }
}
