//! Top-level declarations, processed in load order.

use crate::interp::Interp;
use crate::ir::Body;
use crate::program::GlobalKind;
use crate::types::{Flavor, Tag, Type, TypeKind};
use crate::value::{FuncVal, FuncValKind, Value};
use std::rc::Rc;
use zest_syntax::ast::{self, AttrKind, DeclKind, FuncKind, VarKind};
use zest_syntax::Symbol;

impl Interp {
    /// Compiles one declaration. `@load` and other directives are handled by
    /// the loader before this is called.
    pub fn compile_decl(&mut self, d: &ast::Decl) {
        self.sema.decl_loc = self.loc1(d.span);
        match &d.kind {
            DeclKind::Module(name) => {
                self.sema.module = name.sym;
                self.prog.modules.insert(name.sym);
            }
            DeclKind::ExportBegin => self.sema.export_depth += 1,
            DeclKind::ExportEnd => {
                self.sema.export_depth = self.sema.export_depth.saturating_sub(1)
            }
            DeclKind::Var(kind, v) => self.compile_global(*kind, v, d.span),
            DeclKind::RedefEnum { name, items } => match self.lookup_global(name.sym) {
                Some(gid) => {
                    if let Some(t) = self.prog.globals[gid as usize].ty.clone() {
                        self.add_enum_items(&t, items);
                    }
                }
                None => {
                    let loc = self.loc1(name.span);
                    let full = self.full_name(name.sym);
                    self.report(
                        "fatal error",
                        Some(loc),
                        &format!("unknown enum identifier \"{full}\""),
                    );
                    self.error_count += 1;
                    self.sema.fatal = true;
                }
            },
            DeclKind::RedefRecord {
                name,
                fields,
                attrs,
            } => {
                match self.lookup_global(name.sym) {
                    Some(gid) => {
                        let t = self.prog.globals[gid as usize].ty.clone();
                        let mut new_fields = self.compile_fields(fields);
                        // `redef record R += { … } &log;` logs every new field.
                        if attrs.iter().any(|a| a.kind == AttrKind::Log) {
                            for f in &mut new_fields {
                                if !f.attrs.has(AttrKind::Log) {
                                    f.attrs.list.push((AttrKind::Log, None));
                                }
                            }
                        }
                        if let Some(rt) = t.as_ref().and_then(|t| t.record()) {
                            // Zeek's `RecordType::AddFields`: one bad field
                            // rejects them all, reported on the type's name.
                            if new_fields
                                .iter()
                                .any(|f| !f.optional() && !f.attrs.has(AttrKind::Default))
                            {
                                let g = &self.prog.globals[gid as usize];
                                let (loc, gname) = (g.loc, g.name);
                                self.error(
                                    Some(loc),
                                    &format!(
                                        "extension field must be &optional or have &default ({gname})"
                                    ),
                                );
                            } else {
                                rt.fields.borrow_mut().extend(new_fields);
                            }
                        }
                        if let Some(t) = &t {
                            self.rebuild_tables_indexed_by(t);
                        }
                    }
                    None => self.unknown_identifier(name.sym, name.span),
                }
            }
            DeclKind::RedefFieldAttrs {
                record,
                field,
                add,
                attrs,
            } => {
                // Zeek's `parse_redef_record_field`: every problem is fatal.
                let at = zest_syntax::Span {
                    start: d.span.end.max(d.span.start + 1) - 1,
                    end: d.span.end,
                };
                let full = self.full_name(record.sym);
                let t = self
                    .lookup_global(record.sym)
                    .and_then(|gid| self.prog.globals[gid as usize].ty.clone());
                let fatal = |this: &mut Self, msg: &str| {
                    let loc = this.loc1(at);
                    this.report("fatal error", Some(loc), msg);
                    this.error_count += 1;
                    this.sema.fatal = true;
                };
                let Some(t) = t else {
                    fatal(self, &format!("unknown record identifier \"{full}\""));
                    return;
                };
                let Some(rt) = t.record() else {
                    let msg = format!(
                        "identifier \"{full}\" has type \"{}\", expected \"record\"",
                        t.tag().name()
                    );
                    fatal(self, &msg);
                    return;
                };
                let Some(idx) = rt.field_index(field.sym) else {
                    let msg = format!("field \"{}\" not in record \"{full}\"", field.sym);
                    fatal(self, &msg);
                    return;
                };
                let compiled = self.compile_attrs(attrs, None);
                for (k, v) in compiled.list {
                    if k != AttrKind::Log {
                        fatal(self, "Can only redef \"&log\" attributes of record fields");
                        return;
                    }
                    let mut fs = rt.fields.borrow_mut();
                    if *add {
                        if !fs[idx].attrs.has(k) {
                            fs[idx].attrs.list.push((k, v));
                        }
                    } else {
                        fs[idx].attrs.list.retain(|(a, _)| *a != k);
                    }
                }
            }
            DeclKind::Type { name, ty, attrs } => {
                let full = self.full_name(name.sym);
                let existing = self.prog.lookup(full);
                self.sema.enum_decl_name = Some(full);
                self.sema.type_decl_span = Some(d.span);
                let t = self.compile_type(ty);
                self.sema.type_decl_span = None;
                // A record type's place ends with its last field (Zeek
                // builds it before the closing brace).
                let mut tloc = self.loc(d.span);
                if let ast::TypeExpr::Record(fields) = ty {
                    if let Some(f) = fields.last() {
                        tloc.last_line = self.loc(f.span).last_line.max(tloc.first_line);
                    }
                }
                Self::locate_type(&t, tloc);
                self.sema.enum_decl_name = None;
                if t.tag() == Tag::Error {
                    let loc = self.loc1(name.span);
                    self.error(
                        Some(loc),
                        "Error trying to create alias to nonexistent type",
                    );
                    return;
                }
                // A record or enum written here gets this name; any other
                // type is a shallow clone under the new name (Var.cc's
                // `add_type`); an alias of a named record or enum shares
                // its type here. Both names become aliases of each other.
                let old_name = t.type_name();
                let t = if matches!(ty, ast::TypeExpr::Record(_) | ast::TypeExpr::Enum(_)) {
                    *t.name.borrow_mut() = Some(full);
                    t
                } else {
                    t.shallow_clone_named(full).unwrap_or(t)
                };
                self.prog.type_aliases.push((full, full));
                if let Some(old) = old_name.filter(|o| *o != full) {
                    self.prog.type_aliases.push((old, full));
                }
                let loc = self.loc(name.span);
                let written_here = matches!(
                    ty,
                    ast::TypeExpr::Record(_)
                        | ast::TypeExpr::Enum(_)
                        | ast::TypeExpr::Table { .. }
                        | ast::TypeExpr::Set { .. }
                        | ast::TypeExpr::Vector(_)
                );
                if written_here
                    && matches!(
                        ty,
                        ast::TypeExpr::Table { .. }
                            | ast::TypeExpr::Set { .. }
                            | ast::TypeExpr::Vector(_)
                    )
                    && t.type_name().is_none()
                {
                    // Zeek names the type declared (its describe shows the name).
                    *t.name.borrow_mut() = Some(full);
                }
                if written_here && t.loc.get().is_none() {
                    // A record type spans its fields' lines.
                    let mut tloc = self.loc1(name.span);
                    if let ast::TypeExpr::Record(fields) = ty {
                        if let Some(f) = fields.last() {
                            tloc.last_line = self.loc(f.span).last_line.max(tloc.first_line);
                        }
                    }
                    t.loc.set(Some(tloc));
                }
                let exported = self.sema.export_depth > 0;
                let gid = existing.unwrap_or_else(|| {
                    self.prog
                        .declare(full, GlobalKind::Type, Some(t.clone()), loc, exported)
                });
                let g = &mut self.prog.globals[gid as usize];
                g.kind = GlobalKind::Type;
                g.ty = Some(t);
                if let Some(d) = super::deprecated::ast_deprecation(attrs) {
                    g.deprecated = Some(d);
                }
                // `type R: record { … } &log;` logs every field.
                if attrs.iter().any(|a| a.kind == AttrKind::Log) {
                    if let Some(rt) = self.prog.globals[gid as usize]
                        .ty
                        .as_ref()
                        .and_then(|t| t.record())
                    {
                        for f in rt.fields.borrow_mut().iter_mut() {
                            if !f.attrs.has(AttrKind::Log) {
                                f.attrs.list.push((AttrKind::Log, None));
                            }
                        }
                    }
                }
            }
            DeclKind::Func(f) => self.compile_func(f, d.span),
            DeclKind::Stmt(s) => {
                let st = self.compile_stmt(s);
                self.sema.top_stmts.push(st);
            }
            DeclKind::Load(_)
            | DeclKind::LoadSigs(_)
            | DeclKind::LoadPlugin(_)
            | DeclKind::Unload(_)
            | DeclKind::Prefixes { .. }
            | DeclKind::Deprecated(_) => {}
        }
    }

    fn compile_global(&mut self, kind: VarKind, v: &ast::VarDecl, span: zest_syntax::Span) {
        let declared = v.ty.as_ref().map(|t| self.compile_type(t));
        if let Some(t) = &declared {
            Self::locate_type(t, self.loc1(v.name.span));
        }
        if kind == VarKind::Redef {
            let Some(gid) = self.lookup_global(v.name.sym) else {
                self.unknown_identifier(v.name.sym, v.name.span);
                return;
            };
            self.warn_deprecated_global(gid, v.name.span);
            let t = self.prog.globals[gid as usize]
                .ty
                .clone()
                .unwrap_or_else(|| self.prog.base.any.clone());
            if let Some(init) = &v.init {
                let g = &self.prog.globals[gid as usize];
                let redefinable = g.attrs.has(AttrKind::Redef)
                    || g.attrs.has(AttrKind::AddFunc)
                    || g.attrs.has(AttrKind::DelFunc)
                    || g.kind == GlobalKind::Option;
                if !redefinable {
                    let (a, b) = (self.loc_str(g.loc), self.loc_str(self.loc(init.span)));
                    let msg = format!(
                        "cannot redefine a variable not marked with &redef ({})",
                        g.name
                    );
                    self.error_pair(&a, Some(&b), &msg);
                    return;
                }
                let extra = match v.op {
                    Some(ast::AssignOp::AddTo) => Some((AttrKind::AddFunc, "+=")),
                    Some(ast::AssignOp::RemoveFrom) => Some((AttrKind::DelFunc, "-=")),
                    _ => None,
                };
                if let Some((k, op)) = extra {
                    if g.attrs.has(k) && matches!(g.value, Value::Void) {
                        let (loc, name) = (g.loc, g.name);
                        self.error(
                            Some(loc),
                            &format!("{op} initializer applied to ID without value ({name})"),
                        );
                        return;
                    }
                }
            }
            self.sema.in_redef = true;
            self.sema.attrs_global = true;
            let attrs = self.compile_attrs(&v.attrs, Some(&t));
            self.sema.in_redef = false;
            {
                let g = &mut self.prog.globals[gid as usize];
                for (k, a) in attrs.list {
                    g.attrs.list.retain(|(x, _)| *x != k);
                    g.attrs.list.push((k, a));
                }
            }
            let Some(init) = &v.init else { return };
            // `redef t[k] = v;`: an initializer without init class.
            if v.op.is_none() {
                if let ast::ExprKind::Assign(ast::AssignOp::Assign, k, val) = &init.kind {
                    if let (ast::ExprKind::List(keys), Value::Table(tv)) =
                        (&k.kind, &self.prog.globals[gid as usize].value.clone())
                    {
                        let idx = t.table_index().map(<[_]>::to_vec).unwrap_or_default();
                        let yt = t
                            .yield_type()
                            .cloned()
                            .unwrap_or_else(|| self.prog.base.any.clone());
                        let mut kv = Vec::new();
                        let mut kd = Vec::new();
                        for (kx, kt) in keys.iter().zip(idx.iter()) {
                            let x = self.compile_expr(kx);
                            kd.push(self.describe_expr(&x));
                            let x = self.coerce_to(x, kt, kx.span);
                            kv.push(self.eval(&x).unwrap_or(Value::Void));
                        }
                        let x = self.compile_rhs(val, &yt);
                        let d = format!("{} = {}", kd.join(", "), self.describe_expr(&x));
                        self.cwarn(
                            init.span,
                            &format!("initialization not preceded by =/+=/-= is deprecated ({d})"),
                        );
                        let x = self.coerce_to(x, &yt, val.span);
                        if let Ok(vv) = self.eval(&x) {
                            tv.borrow_mut().insert(kv, Some(vv));
                        }
                        self.prog.globals[gid as usize].init_exprs.push(Rc::new(x));
                        return;
                    }
                }
            }
            let x = match &init.kind {
                // A list's constructor is located at its elements.
                ast::ExprKind::BraceList(items) if !items.is_empty() && t.tag() == Tag::Table => {
                    let at = zest_syntax::Span {
                        start: items[0].span.start,
                        end: items[items.len() - 1].span.end,
                    };
                    self.compile_table_ctor(items, &[], Some(t.clone()), t.is_set(), at)
                }
                _ => self.compile_rhs(init, &t),
            };
            let x = self.coerce_to(x, &t, init.span);
            self.in_init = true;
            let val = self.eval(&x);
            self.in_init = false;
            self.prog.globals[gid as usize].init_exprs.push(Rc::new(x));
            let Ok(val) = val else { return };
            let op = v.op.unwrap_or(ast::AssignOp::Assign);
            let cur = self.prog.globals[gid as usize].value.clone();
            match (op, &cur) {
                (ast::AssignOp::AddTo, Value::Table(t)) => {
                    if let Value::Table(src) = &val {
                        for (k, vv) in src.borrow().entries_vec() {
                            t.borrow_mut().insert(k, vv);
                        }
                    }
                }
                (ast::AssignOp::RemoveFrom, Value::Table(t)) => {
                    if let Value::Table(src) = &val {
                        for k in src.borrow().keys_vec() {
                            t.borrow_mut().remove(&k);
                        }
                    }
                }
                (ast::AssignOp::AddTo, Value::Vector(vv)) => {
                    if let Value::Vector(src) = &val {
                        let items = src.borrow().items.clone();
                        vv.borrow_mut().items.extend(items);
                    }
                }
                (ast::AssignOp::AddTo, Value::Pattern(p)) => {
                    if let Value::Pattern(q) = &val {
                        if let Ok(np) = p.plus_assign(q).into_result() {
                            self.prog.globals[gid as usize].value = Value::Pattern(np);
                        }
                    }
                }
                _ => {
                    // A new table takes the identifier's attributes.
                    if let Value::Table(nt) = &val {
                        let attrs = self.prog.globals[gid as usize].attrs.clone();
                        if nt.borrow().hooks.is_none() {
                            if let Some(ta) = self.table_attrs_of(&attrs) {
                                self.set_table_attrs(nt, &ta);
                            }
                        }
                    }
                    self.prog.globals[gid as usize].value = val;
                }
            }
            // The identifier's (possibly redefined) `&default` applies to
            // its table value.
            let g = &self.prog.globals[gid as usize];
            if let (Value::Table(tv), Some(d)) = (&g.value, g.attrs.get(AttrKind::Default)) {
                tv.borrow_mut().default = Some(d.clone());
            }
            return;
        }
        let full = self.full_name(v.name.sym);
        let loc = self.loc(v.name.span);
        if kind == VarKind::Option && Self::is_blank_name(full) {
            self.cerror(
                v.name.span,
                &format!("blank identifier used as option ({full})"),
            );
        }
        if let (Some(existing), Some(nt)) = (self.prog.lookup(full), declared.as_ref()) {
            let depr = super::deprecated::ast_deprecation(&v.attrs);
            if self.alternate_prototype(existing, nt, loc, depr) {
                return;
            }
        }
        if let Some(existing) = self.prog.lookup(full) {
            let g = &self.prog.globals[existing as usize];
            if (g.kind != GlobalKind::Func || g.ty.is_some())
                && !(g.kind == GlobalKind::Var
                    && matches!(g.value, Value::Void)
                    && v.init.is_none())
            {
                let mut prev = String::new();
                self.describe_loc(g.loc, &mut prev);
                let mut cur = String::new();
                self.describe_loc(loc, &mut cur);
                let msg = format!("already defined ({})", v.name.sym);
                self.error_count += 1;
                let line = format!("error in {prev} and {cur}: {msg}\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
                return;
            }
        }
        if let (None, Some(e)) = (v.op, &v.init) {
            // `global x [1, 2];`: Zeek takes it as `+=`, with a warning.
            let d = match &e.kind {
                ast::ExprKind::List(items) | ast::ExprKind::BraceList(items) => {
                    let xs: Vec<_> = items.iter().map(|i| self.compile_expr(i)).collect();
                    let mut s = String::new();
                    for (i, x) in xs.iter().enumerate() {
                        if i > 0 {
                            s.push_str(", ");
                        }
                        s.push_str(&self.describe_expr(x));
                    }
                    s
                }
                _ => {
                    let x = self.compile_expr(e);
                    self.describe_expr(&x)
                }
            };
            self.cwarn(
                e.span,
                &format!("initialization not preceded by =/+=/-= is deprecated ({d})"),
            );
        }
        let init = v.init.as_ref().map(|e| match &declared {
            Some(t) => {
                // A list's constructor is located at its elements.
                let at = match &e.kind {
                    ast::ExprKind::BraceList(items) if !items.is_empty() => zest_syntax::Span {
                        start: items[0].span.start,
                        end: items[items.len() - 1].span.end,
                    },
                    _ => e.span,
                };
                let x = self.compile_init_rhs_at(e, t, full.as_str(), at);
                self.coerce_assign(full.to_string(), x, t, e.span)
            }
            None => {
                let x = self.compile_untyped_init(e);
                self.untyped_init(x, e.span)
            }
        });
        let ty = declared.or_else(|| init.as_ref().map(|x| x.ty.clone()));
        let Some(ty) = ty else {
            self.cerror(span, &format!("no type given ({})", v.name.sym));
            // The identifier exists (the parser installed it) without a
            // usable type: later uses are silently in error.
            let exported = self.sema.export_depth > 0;
            let t = self.prog.base.error.clone();
            self.prog
                .declare(full, GlobalKind::Var, Some(t), loc, exported);
            return;
        };
        let gkind = match kind {
            VarKind::Global => GlobalKind::Var,
            VarKind::Const => GlobalKind::Const,
            VarKind::Option => GlobalKind::Option,
            VarKind::Redef => GlobalKind::Var,
        };
        let exported = self.sema.export_depth > 0;
        let gid = self
            .prog
            .declare(full, gkind, Some(ty.clone()), loc, exported);
        self.sema.attrs_global = true;
        let attrs = self.compile_attrs(&v.attrs, Some(&ty));
        self.check_expire_attrs(&v.attrs, &attrs, &ty, true);
        {
            let g = &mut self.prog.globals[gid as usize];
            g.kind = gkind;
            g.ty = Some(ty.clone());
            g.loc = loc;
            g.attrs = attrs.clone();
            // A constructor's attributes apply to the identifier it
            // initializes (`const s = set(…) &redef;`).
            if let Some(ast::ExprKind::TableCons(_, ca) | ast::ExprKind::SetCons(_, ca)) =
                v.init.as_ref().map(|e| &e.kind)
            {
                if ca.iter().any(|a| a.kind == AttrKind::Redef) && !g.attrs.has(AttrKind::Redef) {
                    g.attrs.list.push((AttrKind::Redef, None));
                }
            }
            if let Some(d) = super::deprecated::deprecation(&attrs) {
                g.deprecated = Some(d);
            }
        }
        if init.is_none() {
            let redefinable = attrs.has(AttrKind::Redef);
            match kind {
                VarKind::Const if !redefinable => self.cerror(
                    span,
                    &format!("const variable must be initialized ({})", v.name.sym),
                ),
                VarKind::Option => self.cerror(
                    span,
                    &format!("option variable must be initialized ({})", v.name.sym),
                ),
                _ => {}
            }
        }
        let value = match init {
            Some(x) => {
                self.in_init = true;
                // An initializer that failed to compile was reported
                // already; Zeek does not evaluate it.
                let r = if x.ty.tag() == Tag::Error {
                    Ok(Value::Void)
                } else {
                    self.eval(&x)
                };
                self.in_init = false;
                if r.is_err() {
                    // Zeek catches the interpreter exception and blames the
                    // identifier.
                    self.no_value = false;
                    self.error(Some(loc), &format!("initialization failed ({full})"));
                }
                self.prog.globals[gid as usize].init_exprs.push(Rc::new(x));
                r.unwrap_or(Value::Void)
            }
            None => {
                if ty.tag() == Tag::Func {
                    Value::Void
                } else {
                    self.default_value(&ty)
                }
            }
        };
        if let Value::Table(t) = &value {
            if let Some(d) = attrs.get(AttrKind::Default) {
                let mut tb = t.borrow_mut();
                tb.default = Some(d.clone());
                tb.default_val = None;
            }
            if attrs.has(AttrKind::Ordered) {
                let mut tb = t.borrow_mut();
                if tb.is_empty() {
                    tb.set_ordered();
                } else {
                    let entries = tb.entries_vec();
                    tb.clear();
                    tb.set_ordered();
                    for (k, v) in entries {
                        tb.insert(k, v);
                    }
                }
            }
            if let Some(ta) = self.table_attrs_of(&attrs) {
                self.set_table_attrs(t, &ta);
            }
        }
        // A declared event or hook is a (possibly empty) handler set.
        if matches!(value, Value::Void) && ty.func().is_some_and(|f| f.flavor != Flavor::Function) {
            let g = &mut self.prog.globals[gid as usize];
            g.kind = GlobalKind::Func;
            g.value = Value::Func(Rc::new(FuncVal {
                ty,
                name: full,
                kind: FuncValKind::Global(gid),
            }));
            return;
        }
        // A declared function without a body binds to the native function
        // of the same name (the `.bif.zeek` declarations).
        if ty.tag() == Tag::Func && matches!(value, Value::Void) {
            if let Some(&b) = self.prog.builtin_index.get(&full) {
                let g = &mut self.prog.globals[gid as usize];
                g.builtin = Some(b);
                g.kind = GlobalKind::Func;
                g.value = Value::Func(Rc::new(FuncVal {
                    ty,
                    name: full,
                    kind: FuncValKind::Builtin(b),
                }));
                return;
            }
        }
        self.prog.globals[gid as usize].value = value;
    }

    fn compile_func(&mut self, f: &ast::FuncDecl, span: zest_syntax::Span) {
        let flavor = match f.kind {
            FuncKind::Function => Flavor::Function,
            FuncKind::Event | FuncKind::RedefEvent => Flavor::Event,
            FuncKind::Hook => Flavor::Hook,
        };
        // Events and hooks: an existing declaration in this module or the
        // global scope takes the body.
        let existing = match flavor {
            Flavor::Function => self.prog.lookup(self.full_name(f.name.sym)).or_else(|| {
                if f.name.sym.as_str().contains("::") {
                    None
                } else {
                    self.lookup_global(f.name.sym)
                        .filter(|g| self.prog.globals[*g as usize].builtin.is_some())
                }
            }),
            _ => self.lookup_global(f.name.sym),
        };
        let declared_ty = existing
            .and_then(|g| self.prog.globals[g as usize].ty.clone())
            .filter(|t| t.tag() == Tag::Func);
        if flavor == Flavor::Event {
            let n = f.name.sym.as_str();
            if matches!(n, "bro_init" | "bro_done" | "bro_script_loaded") {
                let base = &n[4..];
                let bl = self.loc1(f.body.span);
                self.error(
                    Some(bl),
                    &format!("event {n}() is no longer available, use zeek_{base}() instead"),
                );
            }
        }
        let own_ty = self.compile_func_type(flavor, &f.sig.params, f.sig.ret.as_deref());
        if flavor == Flavor::Function {
            if let Some(g) = existing.map(|g| &self.prog.globals[g as usize]) {
                if !g.bodies.is_empty() && !g.attrs.has(AttrKind::Redef) {
                    let (a, b) = (self.loc_str(g.loc), self.loc_str(self.loc(f.name.span)));
                    let name = g.name;
                    self.error_pair(&a, Some(&b), &format!("already defined ({name})"));
                    let bl = self.loc1(f.body.span);
                    self.report(
                        "fatal error",
                        Some(bl),
                        &format!("invalid definition of '{name}' (see previous errors)"),
                    );
                    self.error_count += 1;
                    self.sema.fatal = true;
                    return;
                }
            }
        }
        let ty = declared_ty.clone().unwrap_or_else(|| own_ty.clone());
        // A function declared without a body takes the definition's type,
        // with the declaration's `&default`s where the definition has none.
        let takes_own_type = flavor == Flavor::Function
            && existing.is_some_and(|g| {
                let g = &self.prog.globals[g as usize];
                g.bodies.is_empty() && g.builtin.is_none()
            });
        let ty = match &declared_ty {
            Some(dt) if takes_own_type => super::deprecated::with_defaults_of(&own_ty, dt),
            _ => ty,
        };
        let loc = self.loc(f.name.span);
        let gid = match existing {
            Some(g) => g,
            None => {
                // An event handler without a declaration installs its
                // name in the global module (Zeek's `event_id` resolves
                // with no module), wherever it is defined.
                let full = if flavor == Flavor::Event && !f.name.sym.as_str().contains("::") {
                    f.name.sym
                } else {
                    self.full_name(f.name.sym)
                };
                let exported = self.sema.export_depth > 0;
                self.prog
                    .declare(full, GlobalKind::Func, Some(ty.clone()), loc, exported)
            }
        };
        // Defining a handler of a deprecated event or hook warns; a
        // function's own `&deprecated` applies from its body on.
        if existing.is_some() && flavor != Flavor::Function {
            self.warn_deprecated_global(gid, f.name.span);
        }
        {
            let depr = super::deprecated::ast_deprecation(&f.attrs);
            let g = &mut self.prog.globals[gid as usize];
            if g.ty.is_none() || takes_own_type {
                g.ty = Some(ty.clone());
            }
            g.kind = GlobalKind::Func;
            if g.deprecated.is_none() {
                g.deprecated = depr;
            }
            // `&is_used` on a body applies to the identifier too.
            if f.attrs.iter().any(|a| a.kind == AttrKind::IsUsed) && !g.attrs.has(AttrKind::IsUsed)
            {
                g.attrs.list.push((AttrKind::IsUsed, None));
            }
        }
        // Parameters: the handler's own names, bound to the declaration's
        // parameters by name when an alternate prototype is used.
        let decl_params = ty.func().map(|ft| ft.params.clone()).unwrap_or_default();
        let own_params = own_ty
            .func()
            .map(|ft| ft.params.clone())
            .unwrap_or_default();
        let mut ctx = super::FuncCtx {
            ret: ty.func().and_then(|ft| ft.ret.clone()),
            is_event_or_hook: flavor != Flavor::Function,
            is_hook: flavor == Flavor::Hook,
            ..Default::default()
        };
        let names = |ps: &[crate::types::Param]| ps.iter().map(|p| p.name).collect::<Vec<_>>();
        let own_names = names(&own_params);
        let same_names = own_names == names(&decl_params);
        let alt_match = !same_names
            && self.prog.globals[gid as usize]
                .alt_protos
                .iter()
                .any(|p| p.names == own_names);
        if flavor != Flavor::Function && declared_ty.is_some() {
            self.prototype_warnings(gid, &own_ty, &f.sig.params, same_names, f.name.span);
            // Zeek's `get_prototype`: the handler must match a declared
            // prototype by names and types, or the canonical one by types.
            let type_of = |n: Symbol| decl_params.iter().find(|p| p.name == n).map(|p| &p.ty);
            let types_by_name = own_params
                .iter()
                .all(|p| type_of(p.name).is_some_and(|t| super::check::zeek_same_type(t, &p.ty)));
            let positional_types = own_params.len() == decl_params.len()
                && own_params
                    .iter()
                    .zip(decl_params.iter())
                    .all(|(a, b)| super::check::zeek_same_type(&a.ty, &b.ty));
            if !((same_names || alt_match) && types_by_name) && !positional_types {
                let g = &self.prog.globals[gid as usize];
                let (decl_loc, name) = (g.loc, g.name);
                let a = self.loc_str(self.loc(f.name.span));
                let b = self.loc_str(decl_loc);
                self.error_pair(
                    &a,
                    Some(&b),
                    &format!(
                        "use of undeclared alternate prototype ({} and {name})",
                        own_ty.describe()
                    ),
                );
            }
        }
        let positional = flavor == Flavor::Function
            || same_names
            || (!alt_match
                && own_params.len() == decl_params.len()
                && own_params
                    .iter()
                    .zip(decl_params.iter())
                    .all(|(a, b)| crate::types::same_type(&a.ty, &b.ty)));
        let mut remap: Vec<Option<usize>> = Vec::new();
        if positional {
            for (p, dp) in own_params.iter().zip(decl_params.iter()) {
                let _ = dp;
                ctx.add_local(p.name, p.ty.clone());
            }
        } else {
            // Alternate prototype: the body's slots follow the declaration.
            for dp in &decl_params {
                ctx.add_local(Symbol::intern(&format!("<arg:{}>", dp.name)), dp.ty.clone());
            }
            for p in &own_params {
                let idx = decl_params.iter().position(|dp| dp.name == p.name);
                remap.push(idx);
                if let Some(i) = idx {
                    ctx.locals.insert(p.name, (i as u32, p.ty.clone()));
                } else {
                    self.cerror(span, &format!("alternate function prototype arg '{}' not found in canonical prototype", p.name));
                }
            }
        }
        let priority = f
            .attrs
            .iter()
            .find(|a| a.kind == AttrKind::Priority)
            .and_then(|a| a.value.as_ref())
            .map(|e| {
                let x = self.compile_expr(e);
                self.eval(&x).map(|v| v.as_int()).unwrap_or(0)
            })
            .unwrap_or(0);
        let outer = self.sema.func.replace(ctx);
        let stmts = self.compile_block_stmts(&f.body.stmts);
        let ctx = std::mem::replace(&mut self.sema.func, outer).unwrap_or_default();
        if !ctx.assigns.is_empty() {
            let unused = crate::usage::unused_assignments(&self.prog, &stmts, &ctx.assigns);
            self.sema.unused_assignments.extend(unused);
        }
        let mut groups = Vec::new();
        if flavor != Flavor::Function {
            for a in f.attrs.iter().filter(|a| a.kind == AttrKind::Group) {
                if let Some(zest_syntax::ast::ExprKind::Const(zest_syntax::ast::Literal::String(
                    g,
                ))) = a.value.as_ref().map(|v| &v.kind)
                {
                    groups.push((
                        crate::ir::GroupKind::Attribute,
                        Symbol::intern(&String::from_utf8_lossy(g)),
                    ));
                }
            }
            if self.sema.module != self.sema.global_sym {
                groups.push((crate::ir::GroupKind::Module, self.sema.module));
            }
            for g in &groups {
                self.groups.insert(*g);
            }
        }
        let body = Rc::new(Body {
            stmts,
            frame_size: ctx.nslots,
            priority,
            loc: self.loc(span),
            nparams: decl_params.len() as u32,
            groups,
            slot_names: self.full_slot_names(&ctx),
        });
        let g = &mut self.prog.globals[gid as usize];
        match flavor {
            Flavor::Function => {
                g.bodies = vec![body];
                g.builtin = None;
            }
            _ => {
                // Stable by priority, highest first.
                let pos = g
                    .bodies
                    .iter()
                    .position(|b| b.priority < priority)
                    .unwrap_or(g.bodies.len());
                g.bodies.insert(pos, body);
            }
        }
        g.defined = true;
        g.value = Value::Func(Rc::new(FuncVal {
            ty,
            name: g.name,
            kind: FuncValKind::Global(gid),
        }));
    }

    /// A second declaration of an event or hook with other parameters: an
    /// alternate prototype. Returns whether `nt` was taken as one.
    fn alternate_prototype(
        &mut self,
        gid: u32,
        nt: &crate::types::TypeRef,
        loc: crate::ir::Loc,
        deprecated: Option<String>,
    ) -> bool {
        let g = &self.prog.globals[gid as usize];
        let Some(canon) = g.ty.clone() else {
            return false;
        };
        let (Some(cf), Some(nf)) = (canon.func(), nt.func()) else {
            return false;
        };
        if cf.flavor == Flavor::Function || cf.flavor != nf.flavor {
            return false;
        }
        let canon_loc = g.loc;
        for p in &nf.params {
            let has_attrs = p.default.is_some() || p.deprecated.is_some();
            if has_attrs || !cf.params.iter().any(|c| c.name == p.name) {
                let mut a = String::new();
                self.describe_loc(loc, &mut a);
                let mut b = String::new();
                self.describe_loc(canon_loc, &mut b);
                let what = if has_attrs {
                    format!(
                        "alternate function prototype arguments may not have attributes: arg '{}'",
                        p.name
                    )
                } else {
                    format!(
                        "alternate function prototype arg '{}' not found in canonical prototype",
                        p.name
                    )
                };
                let msg = format!(
                    "error in {a} and {b}: {what} ({} and {})\n",
                    self.describe_func_type_attrs(nt),
                    self.describe_func_type_attrs(&canon)
                );
                self.error_count += 1;
                let _ = std::io::Write::write_all(&mut std::io::stderr(), msg.as_bytes());
                return true;
            }
        }
        let names = nf.params.iter().map(|p| p.name).collect();
        self.prog.globals[gid as usize]
            .alt_protos
            .push(crate::program::AltProto {
                names,
                deprecated,
                loc,
            });
        true
    }

    /// A function type as Zeek describes it with its parameters' attributes
    /// (`a:string &default=A, &optional;`).
    fn describe_func_type_attrs(&self, t: &crate::types::TypeRef) -> String {
        let Some(f) = t.func() else {
            return t.describe();
        };
        if f.params.iter().all(|p| p.default.is_none()) {
            return t.describe();
        }
        let mut s = String::from(match f.flavor {
            Flavor::Function => "function(",
            Flavor::Event => "event(",
            Flavor::Hook => "hook(",
        });
        for (i, p) in f.params.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&format!("{}:{}", p.name, p.ty.describe()));
            if let Some(d) = &p.default {
                s.push_str(&format!(" &default={}, &optional", self.describe_expr(d)));
            }
            s.push(';');
        }
        s.push(')');
        match (&f.ret, f.flavor) {
            (_, Flavor::Event) => {}
            (Some(r), _) => {
                s.push_str(" : ");
                s.push_str(&r.describe());
            }
            (None, Flavor::Function) => s.push_str(" : void"),
            (None, Flavor::Hook) => {}
        }
        s
    }

    /// Declares a native function under `name` with a script-level type.
    pub fn declare_builtin_global(
        &mut self,
        name: &str,
        flavor: Flavor,
        params: Vec<crate::types::Param>,
        ret: Option<crate::types::TypeRef>,
    ) -> u32 {
        let sym = Symbol::intern(name);
        let ty = Type::new(TypeKind::Func(crate::types::FuncType {
            flavor,
            params,
            ret,
        }));
        let gid = self.prog.declare(
            sym,
            GlobalKind::Func,
            Some(ty.clone()),
            crate::ir::Loc::default(),
            true,
        );
        let b = self.prog.builtin_index.get(&sym).copied();
        let g = &mut self.prog.globals[gid as usize];
        g.builtin = b;
        g.value = match b {
            Some(b) => Value::Func(Rc::new(FuncVal {
                ty,
                name: sym,
                kind: FuncValKind::Builtin(b),
            })),
            None => Value::Func(Rc::new(FuncVal {
                ty,
                name: sym,
                kind: FuncValKind::Global(gid),
            })),
        };
        gid
    }
}
