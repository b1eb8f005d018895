//! Expression evaluation.

use super::{Interp, RtErr, RtResult};
use crate::ir::{Arith, BinKind, Callee, Expr, ExprKind, LValue};
use crate::table::TableVal;
use crate::types::{Tag, TypeKind, TypeRef};
use crate::value::{FuncVal, FuncValKind, RecordVal, Value, VectorVal};
use std::cell::RefCell;
use std::rc::Rc;

impl Interp {
    pub fn eval(&mut self, e: &Expr) -> RtResult {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::DefaultArg(d) => self.eval(d),
            ExprKind::Local(slot, _) => {
                let v = &self.stack[self.fp + *slot as usize];
                if matches!(v, Value::Void) {
                    return Err(self.expr_error(
                        e.loc,
                        &format!("value used but not set ({})", self.describe_expr(e)),
                    ));
                }
                Ok(v.clone())
            }
            ExprKind::Global(gid) => {
                let v = &self.prog.globals[*gid as usize].value;
                if matches!(v, Value::Void) {
                    return Err(self.expr_error(
                        e.loc,
                        &format!("value used but not set ({})", self.describe_expr(e)),
                    ));
                }
                Ok(v.clone())
            }
            ExprKind::Not(a) => match self.eval(a)? {
                Value::Vector(vv) => Ok(map_vector(&vv, &e.ty, |v| Value::Bool(!v.as_bool()))),
                v => Ok(Value::Bool(!v.as_bool())),
            },
            ExprKind::Neg(a, k) => {
                let neg = |v: &Value| match k {
                    Arith::Int | Arith::Count => Value::Int(v.as_int().wrapping_neg()),
                    Arith::Double => Value::Double(-v.as_double()),
                    Arith::Interval => Value::Interval(-v.as_double()),
                    Arith::Time => Value::Time(-v.as_double()),
                };
                Ok(match self.eval(a)? {
                    Value::Vector(vv) => map_vector(&vv, &e.ty, neg),
                    v => neg(&v),
                })
            }
            ExprKind::Pos(a) => {
                let pos = |v: &Value| match v {
                    Value::Count(c) => Value::Int(*c as i64),
                    other => other.clone(),
                };
                Ok(match self.eval(a)? {
                    Value::Vector(vv) => map_vector(&vv, &e.ty, pos),
                    Value::Count(c) => Value::Int(c as i64),
                    other => other,
                })
            }
            ExprKind::BitNot(a) => Ok(Value::Count(!self.eval(a)?.as_count())),
            ExprKind::IncrDecr(lv, incr) => {
                let cur = self.eval_lvalue_read(lv, e)?;
                let new = match cur {
                    Value::Count(c) => {
                        if *incr {
                            Value::Count(c.wrapping_add(1))
                        } else {
                            if c == 0 {
                                let d = self.describe_expr(e);
                                self.report(
                                    "expression warning",
                                    Some(e.loc),
                                    &format!("count underflow ({d})"),
                                );
                            }
                            Value::Count(c.wrapping_sub(1))
                        }
                    }
                    Value::Int(i) => Value::Int(if *incr {
                        i.wrapping_add(1)
                    } else {
                        i.wrapping_sub(1)
                    }),
                    Value::Vector(v) => {
                        let mut vb = v.borrow_mut();
                        for it in vb.items.iter_mut().flatten() {
                            match it {
                                Value::Count(c) => {
                                    *c = if *incr {
                                        c.wrapping_add(1)
                                    } else {
                                        c.wrapping_sub(1)
                                    }
                                }
                                Value::Int(i) => {
                                    *i = if *incr {
                                        i.wrapping_add(1)
                                    } else {
                                        i.wrapping_sub(1)
                                    }
                                }
                                _ => {}
                            }
                        }
                        drop(vb);
                        return Ok(Value::Vector(v));
                    }
                    other => other,
                };
                self.assign(lv, new.clone(), e)?;
                Ok(new)
            }
            ExprKind::Binary(op, k, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                self.arith(*op, *k, &x, &y, e)
            }
            ExprKind::StrCat(a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                let mut s = Vec::with_capacity(x.as_bytes().len() + y.as_bytes().len());
                s.extend_from_slice(x.as_bytes());
                s.extend_from_slice(y.as_bytes());
                Ok(Value::String(Rc::from(s)))
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                self.compare(*op, &x, &y, e)
            }
            ExprKind::VecBinary(op, k, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                self.vec_binary(*op, *k, &x, &y, e)
            }
            ExprKind::And(a, b) => {
                if !self.eval(a)?.as_bool() {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(self.eval(b)?.as_bool()))
            }
            ExprKind::Or(a, b) => {
                if self.eval(a)?.as_bool() {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(self.eval(b)?.as_bool()))
            }
            ExprKind::PatternOp(and, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                match (x, y) {
                    (Value::Pattern(p), Value::Pattern(q)) => {
                        let c = if *and { p.and(&q) } else { p.or(&q) };
                        c.into_result()
                            .map(Value::Pattern)
                            .map_err(|err| self.expr_error(e.loc, &err.to_string()))
                    }
                    _ => Err(self.expr_error(e.loc, "bad pattern operands")),
                }
            }
            ExprKind::In(a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                Ok(Value::Bool(self.contains(&x, &y, e)?))
            }
            ExprKind::NotIn(a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                Ok(Value::Bool(!self.contains(&x, &y, e)?))
            }
            ExprKind::Cond(c, a, b) => match self.eval(c)? {
                Value::Vector(cv) => self.vector_cond(&cv, a, b, e),
                v => {
                    if v.as_bool() {
                        self.eval(a)
                    } else {
                        self.eval(b)
                    }
                }
            },
            ExprKind::Assign(lv, rhs) => {
                let v = self.eval(rhs)?;
                self.assign(lv, v.clone(), e)?;
                Ok(v)
            }
            ExprKind::AddTo(lv, rhs) => {
                let target = self.eval_lvalue_read(lv, e)?;
                let v = self.eval(rhs)?;
                // A pattern is a value: `p += q` assigns the union.
                if let (Value::Pattern(p), Value::Pattern(q)) = (&target, &v) {
                    if let Ok(np) = p.plus_assign(q).into_result() {
                        let nv = Value::Pattern(np);
                        self.assign(lv, nv.clone(), e)?;
                        return Ok(nv);
                    }
                }
                self.add_to(&target, v, e)?;
                Ok(target)
            }
            ExprKind::RemoveFrom(lv, rhs) => {
                let target = self.eval_lvalue_read(lv, e)?;
                let v = self.eval(rhs)?;
                self.remove_from(&target, &v, e)?;
                Ok(target)
            }
            ExprKind::Field(r, idx) => {
                let rv = self.eval(r)?;
                let Value::Record(rec) = &rv else {
                    return Err(self.expr_error(e.loc, "not a record"));
                };
                let got = rec.borrow().fields.get(*idx).cloned().flatten();
                match got {
                    Some(v) => Ok(v),
                    None => {
                        // &default of the field
                        let ty = rec.borrow().ty.clone();
                        if let Some(d) = self.field_default(&ty, *idx)? {
                            return Ok(d);
                        }
                        Err(self.expr_error(
                            e.loc,
                            &format!("field value missing ({})", self.describe_expr(e)),
                        ))
                    }
                }
            }
            ExprKind::HasField(r, idx) => {
                let rv = self.eval(r)?;
                let Value::Record(rec) = &rv else {
                    return Ok(Value::Bool(false));
                };
                let (len, has) = {
                    let r = rec.borrow();
                    (
                        r.fields.len(),
                        r.fields.get(*idx).is_some_and(Option::is_some),
                    )
                };
                if *idx >= len {
                    // A record made before `redef record … += {…}`: Zeek
                    // fills the new fields in with their defaults.
                    let ty = rec.borrow().ty.clone();
                    if let Some(d) = self.field_default(&ty, *idx)? {
                        let mut r = rec.borrow_mut();
                        if r.fields.len() <= *idx {
                            r.fields.resize(*idx + 1, None);
                        }
                        r.fields[*idx] = Some(d);
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(has))
            }
            ExprKind::Index(c, idx) => {
                let cv = self.eval(c)?;
                let mut keys = Vec::with_capacity(idx.len());
                for i in idx {
                    keys.push(self.eval(i)?);
                }
                self.index(&cv, &keys, e)
            }
            ExprKind::Slice(c, lo, hi) => {
                let cv = self.eval(c)?;
                let lo = match lo {
                    Some(x) => Some(self.eval(x)?.as_int()),
                    None => None,
                };
                let hi = match hi {
                    Some(x) => Some(self.eval(x)?.as_int()),
                    None => None,
                };
                Ok(self.slice(&cv, lo, hi))
            }
            ExprKind::Call(callee, args) => {
                // Inside a `when` condition a call's value is computed once:
                // a function that is still waiting in its own `return when`
                // delivers its value here later (Zeek's trigger cache).
                let cache_key = self
                    .cur_trigger
                    .map(|t| (t, std::ptr::from_ref(e) as usize));
                if let Some(k) = cache_key {
                    if let Some(v) = self.call_cache.get(&k) {
                        return Ok(v.clone());
                    }
                    if self.pending_calls.contains(&k) {
                        self.call_waiting = true;
                        return Err(self.no_value());
                    }
                }
                // A script function called outside a trigger condition: the
                // arguments are evaluated straight into its frame.
                if cache_key.is_none() {
                    if let Callee::Global(gid) = callee {
                        let g = &self.prog.globals[*gid as usize];
                        if let (None, Some(body), Value::Func(fv)) =
                            (g.builtin, g.bodies.first(), &g.value)
                        {
                            if matches!(fv.kind, FuncValKind::Global(_))
                                && args.len() <= body.nparams as usize
                            {
                                let body = body.clone();
                                let base = self.stack.len();
                                for a in args {
                                    match self.eval(a) {
                                        Ok(v) => self.stack.push(v),
                                        Err(err) => {
                                            self.stack.truncate(base);
                                            return Err(err);
                                        }
                                    }
                                }
                                let nargs = args.len();
                                self.push_call(
                                    super::CallFunc::Global(*gid),
                                    Some(e.loc),
                                    base,
                                    nargs,
                                );
                                let r = self.run_body_at(&body, base, None);
                                self.call_stack.pop();
                                return r;
                            }
                        }
                    }
                }
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let saved_parent = std::mem::replace(&mut self.call_parent, cache_key);
                let saved_waiting = std::mem::replace(&mut self.call_waiting, false);
                let r = self.eval_call(callee, e, &mut vals);
                self.call_parent = saved_parent;
                let waited = std::mem::replace(&mut self.call_waiting, saved_waiting);
                if let Some(k) = cache_key {
                    if self.suspended {
                        self.suspended = false;
                        self.pending_calls.insert(k);
                        self.call_waiting = true;
                        return Err(self.no_value());
                    }
                    if waited {
                        // A call made inside this one waits for its value:
                        // so does this one (it is evaluated again then).
                        self.call_waiting = true;
                        return Err(self.no_value());
                    }
                    if let Ok(v) = &r {
                        self.call_cache.insert(k, v.clone());
                    }
                }
                r
            }
            ExprKind::Hook(callee, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let gid = match callee {
                    Callee::Global(g) => *g,
                    Callee::Dynamic(fe) => match self.eval(fe)? {
                        Value::Func(f) => match f.kind {
                            FuncValKind::Global(g) => g,
                            _ => return Ok(Value::Bool(true)),
                        },
                        _ => return Ok(Value::Bool(true)),
                    },
                    Callee::Builtin(_) => return Ok(Value::Bool(true)),
                };
                Ok(Value::Bool(self.call_hook(gid, &vals)?))
            }
            ExprKind::RecordCtor(fields) => {
                let rv = Value::new_record(e.ty.clone());
                if let Value::Record(r) = &rv {
                    for (idx, fe) in fields {
                        let v = self.eval(fe)?;
                        r.borrow_mut().fields[*idx] = Some(v);
                    }
                }
                self.init_record_defaults(&rv)?;
                Ok(rv)
            }
            ExprKind::TableCtor(items, default, ordered, table_attrs) => {
                let t = Rc::new(RefCell::new(TableVal::new(e.ty.clone())));
                if let Some(d) = default {
                    t.borrow_mut().default = Some(d.clone());
                }
                if *ordered {
                    t.borrow_mut().set_ordered();
                }
                if let Some(a) = table_attrs {
                    self.set_table_attrs(&t, a);
                }
                for (keys, val) in items {
                    let mut kv = Vec::with_capacity(keys.len());
                    for k in keys {
                        kv.push(self.eval(k)?);
                    }
                    let v = match val {
                        Some(v) => Some(self.eval(v)?),
                        None => None,
                    };
                    // A list or set in an index position stands for each of
                    // its elements (the cross product over positions).
                    if kv.len() > 1 || v.is_some() {
                        let index = e.ty.table_index().map(<[_]>::to_vec).unwrap_or_default();
                        let expands = |i: usize, x: &Value| {
                            let it = index.get(i).map(|t| t.tag());
                            match x {
                                Value::List(_) => it != Some(Tag::List),
                                Value::Table(_) => it != Some(Tag::Table),
                                _ => false,
                            }
                        };
                        if kv.iter().enumerate().any(|(i, x)| expands(i, x)) {
                            let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
                            for (i, x) in kv.iter().enumerate() {
                                let choices: Vec<Value> = match x {
                                    Value::List(l) if expands(i, x) => l.as_ref().clone(),
                                    Value::Table(s) if expands(i, x) => s
                                        .borrow()
                                        .keys_vec()
                                        .into_iter()
                                        .map(|mut k| k.remove(0))
                                        .collect(),
                                    other => vec![other.clone()],
                                };
                                combos = combos
                                    .into_iter()
                                    .flat_map(|c| {
                                        choices.iter().map(move |ch| {
                                            let mut c2 = c.clone();
                                            c2.push(ch.clone());
                                            c2
                                        })
                                    })
                                    .collect();
                            }
                            for c in combos {
                                t.borrow_mut().insert(c, v.clone());
                            }
                            continue;
                        }
                    }
                    self.table_insert_expanded(&t, kv, v);
                }
                // Zeek's `InitDefaultFunc`: the default is evaluated once,
                // in the constructor's frame (a lambda captures from it).
                if let (Some(d), Some(_)) = (default, e.ty.yield_type()) {
                    let dv = self.eval(d)?;
                    t.borrow_mut().default_val = Some(dv);
                }
                Ok(Value::Table(t))
            }
            ExprKind::VectorCtor(items) => {
                let mut vals = Vec::with_capacity(items.len());
                for i in items {
                    vals.push(Some(self.eval(i)?));
                }
                Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
                    ty: e.ty.clone(),
                    items: vals,
                }))))
            }
            ExprKind::List(items) => {
                let mut vals = Vec::with_capacity(items.len());
                for i in items {
                    vals.push(self.eval(i)?);
                }
                Ok(Value::List(Rc::new(vals)))
            }
            ExprKind::Lambda(def) => {
                let mut caps = Vec::with_capacity(def.captures.len());
                for (slot, deep) in &def.captures {
                    let v = self.stack[self.fp + *slot as usize].clone();
                    caps.push(if *deep {
                        crate::interp::ops::deep_copy(&v)
                    } else {
                        v
                    });
                }
                Ok(Value::Func(Rc::new(FuncVal {
                    ty: def.ty.clone(),
                    name: def.name,
                    kind: FuncValKind::Lambda(def.clone(), Rc::new(RefCell::new(caps))),
                })))
            }
            ExprKind::Schedule(when, handler, args) => {
                let w = self.eval(when)?.as_double();
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let t = self.network_time + w;
                self.schedule(t, *handler, vals);
                Ok(Value::Void)
            }
            ExprKind::Size(a) => {
                let v = self.eval(a)?;
                self.size_of(&v, e)
            }
            ExprKind::Copy(a) => {
                let v = self.eval(a)?;
                Ok(self.copy_value(&v))
            }
            ExprKind::Paren(a) => self.eval(a),
            ExprKind::Coerce(a) => {
                let v = self.eval(a)?;
                self.coerce(v, &e.ty, e)
            }
            ExprKind::Cast(a) => {
                let v = self.eval(a)?;
                self.cast(v, &e.ty, e)
            }
            ExprKind::FromAny(a) => {
                let v = self.eval(a)?;
                self.coerce_from_any(v, &e.ty, e)
            }
            ExprKind::Is(a, t) => {
                let v = self.eval(a)?;
                Ok(Value::Bool(
                    self.value_is(&v, t) || self.cast_broker_data(&v, t).is_some(),
                ))
            }
            ExprKind::TypeVal(t) => Ok(Value::Type(t.clone())),
            ExprKind::WhenLocal(slot, a) => {
                let v = self.eval(a)?;
                self.stack[self.fp + *slot as usize] = v;
                Ok(Value::Bool(true))
            }
            ExprKind::Error => Err(RtErr),
        }
    }

    /// Calls a callee with evaluated arguments.
    fn eval_call(&mut self, callee: &Callee, e: &Expr, vals: &mut [Value]) -> RtResult {
        match callee {
            Callee::Builtin(b) => {
                let f = self.prog.builtins[*b as usize].func;
                self.push_call(super::CallFunc::Builtin(*b), Some(e.loc), usize::MAX, 0);
                let r = f(
                    self,
                    vals,
                    &super::CallSite {
                        loc: e.loc,
                        expr: Some(e),
                    },
                );
                self.call_stack.pop();
                r
            }
            Callee::Global(gid) => {
                let fv = self.prog.globals[*gid as usize].value.clone();
                match &fv {
                    Value::Func(f) => {
                        if let FuncValKind::Builtin(b) = f.kind {
                            let f = self.prog.builtins[b as usize].func;
                            self.push_call(super::CallFunc::Builtin(b), Some(e.loc), usize::MAX, 0);
                            let r = f(
                                self,
                                vals,
                                &super::CallSite {
                                    loc: e.loc,
                                    expr: Some(e),
                                },
                            );
                            self.call_stack.pop();
                            return r;
                        }
                        self.check_arg_count(f, vals.len(), e)?;
                        self.call_value(&fv, vals, e.loc)
                    }
                    _ => self.call_global(*gid, vals, e.loc),
                }
            }
            Callee::Dynamic(fe) => {
                let fv = self.eval(fe)?;
                if let Value::Func(f) = &fv {
                    self.check_arg_count(f, vals.len(), e)?;
                }
                self.call_value(&fv, vals, e.loc)
            }
        }
    }

    /// A script function called with more arguments than it has
    /// parameters (possible only through a single `any` parameter, which
    /// the compiler lets anything through): Zeek's run-time error.
    fn check_arg_count(
        &mut self,
        f: &crate::value::FuncVal,
        nargs: usize,
        e: &Expr,
    ) -> Result<(), RtErr> {
        if matches!(f.kind, FuncValKind::Builtin(_)) {
            return Ok(());
        }
        let nparams = f.ty.func().map_or(usize::MAX, |ft| ft.params.len());
        if nargs > nparams {
            let d = self.describe_expr(e);
            return Err(self.expr_error(
                e.loc,
                &format!("too many arguments for function call ({d})"),
            ));
        }
        Ok(())
    }

    /// Reads the current value of an lvalue.
    pub(crate) fn eval_lvalue_read(&mut self, lv: &LValue, e: &Expr) -> RtResult {
        match lv {
            LValue::Local(s, _) => {
                let v = self.stack[self.fp + *s as usize].clone();
                if matches!(v, Value::Void) {
                    return Err(self.expr_error(
                        e.loc,
                        &format!("value used but not set ({})", self.describe_expr(e)),
                    ));
                }
                Ok(v)
            }
            LValue::Global(g) => {
                let v = self.prog.globals[*g as usize].value.clone();
                if matches!(v, Value::Void) {
                    return Err(self.expr_error(
                        e.loc,
                        &format!("value used but not set ({})", self.describe_expr(e)),
                    ));
                }
                Ok(v)
            }
            LValue::Field(r, idx) => {
                let rv = self.eval(r)?;
                let Value::Record(rec) = &rv else {
                    return Err(self.expr_error(e.loc, "not a record"));
                };
                let got = rec.borrow().fields.get(*idx).cloned().flatten();
                match got {
                    Some(v) => Ok(v),
                    None => {
                        let ty = rec.borrow().ty.clone();
                        match self.field_default(&ty, *idx)? {
                            Some(d) => Ok(d),
                            None => Err(self.expr_error(e.loc, "field value missing")),
                        }
                    }
                }
            }
            LValue::Index(c, idx) => {
                let cv = self.eval(c)?;
                let mut keys = Vec::with_capacity(idx.len());
                for i in idx {
                    keys.push(self.eval(i)?);
                }
                self.index(&cv, &keys, e)
            }
            LValue::Slice(..) | LValue::List(_) | LValue::Bad => {
                Err(self.expr_error(e.loc, "bad lvalue"))
            }
        }
    }

    pub(crate) fn assign(&mut self, lv: &LValue, v: Value, e: &Expr) -> Result<(), RtErr> {
        match lv {
            LValue::Local(s, _) => {
                self.stack[self.fp + *s as usize] = v;
                Ok(())
            }
            LValue::Global(g) => {
                self.prog.globals[*g as usize].value = v;
                Ok(())
            }
            LValue::Field(r, idx) => {
                let rv = self.eval(r)?;
                let Value::Record(rec) = &rv else {
                    return Err(self.expr_error(e.loc, "not a record"));
                };
                let mut rb = rec.borrow_mut();
                if *idx >= rb.fields.len() {
                    rb.fields.resize(*idx + 1, None);
                }
                rb.fields[*idx] = Some(v);
                Ok(())
            }
            LValue::Index(c, idx) => {
                let cv = self.eval(c)?;
                let mut keys = Vec::with_capacity(idx.len());
                for i in idx {
                    keys.push(self.eval(i)?);
                }
                if let Value::Vector(vv) = &cv {
                    self.check_vector_element(c, vv, &v, lv, e)?;
                }
                if self.index_assign(&cv, keys, v, e)? {
                    let mut d = String::new();
                    self.describe_lvalue_into(lv, &mut d);
                    self.report(
                        "expression warning",
                        Some(e.loc),
                        &format!("possible loop/iterator invalidation ({d})"),
                    );
                }
                Ok(())
            }
            LValue::Slice(c, lo, hi) => {
                let cv = self.eval(c)?;
                let lo = match lo {
                    Some(x) => Some(self.eval(x)?.as_int()),
                    None => None,
                };
                let hi = match hi {
                    Some(x) => Some(self.eval(x)?.as_int()),
                    None => None,
                };
                if let (Value::Vector(dst), Value::Vector(src)) = (&cv, &v) {
                    let src_items = src.borrow().items.clone();
                    let mut d = dst.borrow_mut();
                    let len = d.items.len() as i64;
                    let norm = |x: i64| if x < 0 { (x + len).max(0) } else { x.min(len) } as usize;
                    let lo = norm(lo.unwrap_or(0));
                    let hi = norm(hi.unwrap_or(len)).max(lo);
                    d.items.splice(lo..hi, src_items);
                }
                Ok(())
            }
            LValue::List(parts) => {
                let vals: Vec<Value> = match &v {
                    Value::List(l) => l.as_ref().clone(),
                    other => vec![other.clone()],
                };
                for (p, x) in parts.iter().zip(vals) {
                    self.assign(p, x, e)?;
                }
                Ok(())
            }
            LValue::Bad => Err(self.expr_error(e.loc, "bad lvalue")),
        }
    }

    /// Zeek's `VectorVal::CheckElementType` for an assignment through a
    /// `vector of any` view of a vector whose elements have one type: an
    /// element of another type is a runtime error. Statically typed
    /// assignments need no check.
    fn check_vector_element(
        &mut self,
        c: &Expr,
        vv: &Rc<RefCell<crate::value::VectorVal>>,
        v: &Value,
        lv: &LValue,
        e: &Expr,
    ) -> Result<(), RtErr> {
        if c.ty.yield_type().is_none_or(|t| t.tag() != Tag::Any) {
            return Ok(());
        }
        let Some(yt) = vv.borrow().ty.yield_type().cloned() else {
            return Ok(());
        };
        if yt.tag() == Tag::Any || matches!(v, Value::Void) {
            return Ok(());
        }
        let vt = v.type_of(&self.prog.base);
        if crate::types::same_type(&vt, &yt) {
            return Ok(());
        }
        let tn = if vt.tag() == Tag::Record {
            vt.type_name()
                .map_or(String::new(), |s| s.as_str().to_string())
        } else {
            vt.tag().name().to_string()
        };
        let mut val = Vec::new();
        self.describe_value(v, &mut val, crate::describe::Style::Short);
        let msg = format!(
            "vector index assignment failed for invalid type '{tn}', value: {}",
            String::from_utf8_lossy(&val)
        );
        let mut d = String::new();
        self.describe_lvalue_into(lv, &mut d);
        Err(self.runtime_error_with_call_stack(e.loc, &d, &msg))
    }

    /// Zeek's `GetFieldOrDefault`: field `name` of a record value, else
    /// the field's `&default`; `None` if unset without default or not a
    /// record. Native libraries read script records through it.
    pub fn field_or_default(&mut self, rec: &Value, name: &str) -> Option<Value> {
        let Value::Record(r) = rec else { return None };
        let (idx, ty) = {
            let rb = r.borrow();
            let idx = rb
                .ty
                .record()?
                .field_index(zest_syntax::Symbol::intern(name))?;
            if let Some(v) = rb.fields.get(idx).cloned().flatten() {
                return Some(v);
            }
            (idx, rb.ty.clone())
        };
        let konst = ty.record()?.fields.borrow().get(idx)?.default.clone();
        if konst.is_some() {
            return konst;
        }
        self.field_default(&ty, idx).ok().flatten()
    }

    /// The `&default` of record field `idx`, if any.
    pub(crate) fn field_default(
        &mut self,
        ty: &TypeRef,
        idx: usize,
    ) -> Result<Option<Value>, RtErr> {
        let Some(rt) = ty.record() else {
            return Ok(None);
        };
        let (def, fty) = {
            let fields = rt.fields.borrow();
            let Some(f) = fields.get(idx) else {
                return Ok(None);
            };
            (
                f.attrs.get(zest_syntax::ast::AttrKind::Default).cloned(),
                f.ty.clone(),
            )
        };
        match def {
            Some(d) => {
                let v = self.eval(&d)?;
                Ok(Some(self.coerce(v, &fty, &d)?))
            }
            None => Ok(None),
        }
    }

    /// Fills fields that have `&default` and are unset, and creates empty
    /// containers for non-optional aggregate fields, as Zeek's record
    /// constructor does.
    pub(crate) fn init_record_defaults(&mut self, rv: &Value) -> Result<(), RtErr> {
        let Value::Record(r) = rv else { return Ok(()) };
        let ty = r.borrow().ty.clone();
        let Some(rt) = ty.record() else { return Ok(()) };
        let n = rt.len();
        for i in 0..n {
            if r.borrow().fields.get(i).is_some_and(Option::is_some) {
                continue;
            }
            let (has_default, optional, fty) = {
                let f = &rt.fields.borrow()[i];
                (
                    f.attrs.has(zest_syntax::ast::AttrKind::Default),
                    f.optional(),
                    f.ty.clone(),
                )
            };
            let v = if has_default {
                self.field_default(&ty, i)?
            } else if !optional {
                match fty.tag() {
                    Tag::Record => {
                        let nv = Value::new_record(fty.clone());
                        self.init_record_defaults(&nv)?;
                        Some(nv)
                    }
                    Tag::Table => {
                        // The new table takes the field's expiration and
                        // change attributes.
                        let t = Rc::new(RefCell::new(TableVal::new(fty.clone())));
                        let ta = self.table_attrs_of(&rt.fields.borrow()[i].attrs);
                        if let Some(ta) = ta {
                            self.set_table_attrs(&t, &ta);
                        }
                        Some(Value::Table(t))
                    }
                    Tag::Vector => Some(Value::new_vector(fty.clone())),
                    _ => None,
                }
            } else {
                None
            };
            let mut rb = r.borrow_mut();
            if rb.fields.len() <= i {
                rb.fields.resize(i + 1, None);
            }
            rb.fields[i] = v;
        }
        Ok(())
    }

    /// The default value of a fresh local or global of type `t`
    /// (aggregates start empty; scalars start unset).
    pub fn default_value(&mut self, t: &TypeRef) -> Value {
        match &t.kind {
            TypeKind::Record(_) => {
                let v = Value::new_record(t.clone());
                let _ = self.init_record_defaults(&v);
                v
            }
            TypeKind::Table { .. } => Value::Table(Rc::new(RefCell::new(TableVal::new(t.clone())))),
            TypeKind::Vector(_) => Value::new_vector(t.clone()),
            _ => Value::Void,
        }
    }

    pub(crate) fn new_record_value(&self, ty: TypeRef) -> RecordVal {
        let n = ty.record().map_or(0, crate::types::RecordType::len);
        RecordVal {
            ty,
            fields: vec![None; n],
        }
    }

    pub(crate) fn binkind_name(op: BinKind) -> &'static str {
        match op {
            BinKind::Add => "+",
            BinKind::Sub => "-",
            BinKind::Mul => "*",
            BinKind::Div => "/",
            BinKind::Mod => "%",
            BinKind::BitAnd => "&",
            BinKind::BitOr => "|",
            BinKind::BitXor => "^",
            BinKind::Shl => "<<",
            BinKind::Shr => ">>",
            BinKind::Eq => "==",
            BinKind::Ne => "!=",
            BinKind::Lt => "<",
            BinKind::Le => "<=",
            BinKind::Gt => ">",
            BinKind::Ge => ">=",
        }
    }
}

/// A unary operation applied to each element of a vector (holes stay
/// holes): a new vector of type `ty`.
fn map_vector(
    vv: &Rc<RefCell<VectorVal>>,
    ty: &crate::types::TypeRef,
    f: impl Fn(&Value) -> Value,
) -> Value {
    let items = vv
        .borrow()
        .items
        .iter()
        .map(|x| x.as_ref().map(&f))
        .collect();
    Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: ty.clone(),
        items,
    })))
}
