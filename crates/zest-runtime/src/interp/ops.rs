//! Operators on values: arithmetic, comparison, membership, indexing,
//! sizes, coercions and casts.

use super::{Interp, RtErr, RtResult};
use crate::ir::{Arith, BinKind, Expr};
use crate::table::TableVal;
use crate::types::{same_type, same_type_or_any, Tag, TypeKind, TypeRef};
use crate::value::{RecordVal, Value, VectorVal};
use std::cell::RefCell;
use std::rc::Rc;

/// `copy()`: a deep copy of aggregates (sharing inside the copy is kept
/// only for immutable parts).
pub fn deep_copy(v: &Value) -> Value {
    CloneState::new(None).copy(v)
}

/// Copies an opaque value whose state a native library keeps (`None`:
/// the library does not know it).
pub type OpaqueCopier<'a> = &'a mut dyn FnMut(&Value) -> Option<Value>;

/// Zeek's `Val::CloneState`: the copy of every aggregate already copied,
/// so that values shared inside the original (and cycles) are shared in
/// the copy.
pub struct CloneState<'a> {
    done: rustc_hash::FxHashMap<usize, Value>,
    opaque: Option<OpaqueCopier<'a>>,
}

impl<'a> CloneState<'a> {
    pub fn new(opaque: Option<OpaqueCopier<'a>>) -> Self {
        CloneState {
            done: rustc_hash::FxHashMap::default(),
            opaque,
        }
    }

    /// `Val::Clone(state)`.
    pub fn copy(&mut self, v: &Value) -> Value {
        let key = match v {
            Value::Record(r) => Rc::as_ptr(r) as *const () as usize,
            Value::Vector(x) => Rc::as_ptr(x) as *const () as usize,
            Value::Table(t) => Rc::as_ptr(t) as *const () as usize,
            Value::List(l) => Rc::as_ptr(l) as *const () as usize,
            Value::String(s) => Rc::as_ptr(s) as *const u8 as usize,
            Value::Opaque(o) => Rc::as_ptr(o) as *const () as usize,
            // Immutable values are their own copies.
            _ => return self.copy_leaf(v),
        };
        if let Some(c) = self.done.get(&key) {
            return c.clone();
        }
        match v {
            Value::Record(r) => {
                let rb = r.borrow();
                let new = Rc::new(RefCell::new(RecordVal {
                    ty: rb.ty.clone(),
                    fields: Vec::new(),
                }));
                self.done.insert(key, Value::Record(new.clone()));
                let fields = rb
                    .fields
                    .iter()
                    .map(|f| f.as_ref().map(|x| self.copy(x)))
                    .collect();
                new.borrow_mut().fields = fields;
                Value::Record(new)
            }
            Value::Vector(vv) => {
                let vb = vv.borrow();
                let new = Rc::new(RefCell::new(VectorVal {
                    ty: vb.ty.clone(),
                    items: Vec::new(),
                }));
                self.done.insert(key, Value::Vector(new.clone()));
                let items = vb
                    .items
                    .iter()
                    .map(|f| f.as_ref().map(|x| self.copy(x)))
                    .collect();
                new.borrow_mut().items = items;
                Value::Vector(new)
            }
            Value::Table(t) => {
                let tb = t.borrow();
                let new = Rc::new(RefCell::new(TableVal::new(tb.ty.clone())));
                self.done.insert(key, Value::Table(new.clone()));
                let copy = tb.deep_copy_with(&mut |x| self.copy(x));
                *new.borrow_mut() = copy;
                Value::Table(new)
            }
            Value::List(l) => {
                let c = Value::List(Rc::new(l.iter().map(|x| self.copy(x)).collect()));
                self.done.insert(key, c.clone());
                c
            }
            Value::String(s) => {
                let c = Value::String(Rc::from(&s[..]));
                self.done.insert(key, c.clone());
                c
            }
            Value::Opaque(o) => {
                let c = self.copy_opaque(v, o);
                self.done.insert(key, c.clone());
                c
            }
            _ => v.clone(),
        }
    }

    fn copy_opaque(&mut self, v: &Value, o: &Rc<RefCell<crate::opaque::OpaqueVal>>) -> Value {
        use crate::opaque::{OpaqueState, OpaqueVal};
        let ob = o.borrow();
        match &ob.state {
            OpaqueState::Hash { algo, data } => Value::Opaque(Rc::new(RefCell::new(OpaqueVal {
                ty: ob.ty.clone(),
                state: OpaqueState::Hash {
                    algo,
                    data: data.clone(),
                },
            }))),
            OpaqueState::Other => {
                drop(ob);
                self.opaque
                    .as_mut()
                    .and_then(|f| f(v))
                    .unwrap_or_else(|| v.clone())
            }
        }
    }

    fn copy_leaf(&mut self, v: &Value) -> Value {
        match v {
            // `PatternVal::DoClone` builds a new matcher from the texts.
            Value::Pattern(p) => Value::Pattern(
                zest_pattern::Pattern::from_texts(p.exact_text(), p.anywhere_text()).pattern,
            ),
            // A copied closure gets its own captured state (Zeek's
            // `Frame::Clone`: each captured value cloned on its own).
            Value::Func(f) => match &f.kind {
                crate::value::FuncValKind::Lambda(def, caps) => {
                    let caps: Vec<Value> = caps.borrow().iter().map(deep_copy).collect();
                    Value::Func(Rc::new(crate::value::FuncVal {
                        ty: f.ty.clone(),
                        name: f.name,
                        kind: crate::value::FuncValKind::Lambda(
                            def.clone(),
                            Rc::new(RefCell::new(caps)),
                        ),
                    }))
                }
                _ => v.clone(),
            },
            other => other.clone(),
        }
    }
}

impl Interp {
    /// `copy()`: Zeek's `Val::Clone`, opaque values included.
    pub fn copy_value(&mut self, v: &Value) -> Value {
        match self.hooks.copy_opaque {
            Some(hook) => {
                let mut f = |x: &Value| hook(self, x);
                CloneState::new(Some(&mut f)).copy(v)
            }
            None => deep_copy(v),
        }
    }

    pub(crate) fn arith(
        &mut self,
        op: BinKind,
        k: Arith,
        x: &Value,
        y: &Value,
        e: &Expr,
    ) -> RtResult {
        match (x, y) {
            (Value::Addr(a), _) if op == BinKind::Div => {
                let len = y.as_count();
                let max = if a.is_v4() { 32 } else { 128 };
                if len > max {
                    let d = self.describe_expr(e);
                    let fam = if a.is_v4() { 4 } else { 6 };
                    let msg = format!("bad IPv{fam} subnet prefix length: {} ({d})", len as u32);
                    return Err(self.expr_error(e.loc, &msg));
                }
                return Ok(Value::Subnet(crate::value::Subnet::new(*a, len as u8)));
            }
            (Value::Table(a), Value::Table(b)) => {
                let (ab, bb) = (a.borrow(), b.borrow());
                let mut out = TableVal::new(e.ty.clone());
                match op {
                    BinKind::BitOr | BinKind::Add => {
                        for (k, v) in ab.entries_vec().into_iter().chain(bb.entries_vec()) {
                            out.insert(k, v);
                        }
                    }
                    BinKind::BitAnd => {
                        for (k, v) in ab.entries_vec() {
                            if bb.contains_key(&k) {
                                out.insert(k, v);
                            }
                        }
                    }
                    _ => {
                        for (k, v) in ab.entries_vec() {
                            if !bb.contains_key(&k) {
                                out.insert(k, v);
                            }
                        }
                    }
                }
                return Ok(Value::Table(Rc::new(RefCell::new(out))));
            }
            _ => {}
        }
        match k {
            Arith::Count => {
                let (a, b) = (x.as_count(), y.as_count());
                Ok(Value::Count(match op {
                    BinKind::Add => a.wrapping_add(b),
                    BinKind::Sub => {
                        let r = a.wrapping_sub(b);
                        if r > a {
                            let d = self.describe_expr(e);
                            self.report(
                                "expression warning",
                                Some(e.loc),
                                &format!("count underflow ({d})"),
                            );
                        }
                        r
                    }
                    BinKind::Mul => a.wrapping_mul(b),
                    BinKind::Div => {
                        if b == 0 {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(e.loc, &format!("division by zero ({d})")));
                        }
                        a / b
                    }
                    BinKind::Mod => {
                        if b == 0 {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(e.loc, &format!("modulo by zero ({d})")));
                        }
                        a % b
                    }
                    BinKind::BitAnd => a & b,
                    BinKind::BitOr => a | b,
                    BinKind::BitXor => a ^ b,
                    BinKind::Shl => a.wrapping_shl((b % 64) as u32),
                    BinKind::Shr => a.wrapping_shr((b % 64) as u32),
                    _ => return self.compare(op, x, y, e),
                }))
            }
            Arith::Int => {
                let (a, b) = (x.as_int(), y.as_int());
                Ok(Value::Int(match op {
                    BinKind::Add => a.wrapping_add(b),
                    BinKind::Sub => a.wrapping_sub(b),
                    BinKind::Mul => a.wrapping_mul(b),
                    BinKind::Div => {
                        if b == 0 {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(e.loc, &format!("division by zero ({d})")));
                        }
                        a.wrapping_div(b)
                    }
                    BinKind::Mod => {
                        if b == 0 {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(e.loc, &format!("modulo by zero ({d})")));
                        }
                        a.wrapping_rem(b)
                    }
                    BinKind::BitAnd => a & b,
                    BinKind::BitOr => a | b,
                    BinKind::BitXor => a ^ b,
                    BinKind::Shl => {
                        if a < 0 {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(
                                e.loc,
                                &format!("left shifting a negative number is undefined ({d})"),
                            ));
                        }
                        a.wrapping_shl((b as u64 % 64) as u32)
                    }
                    BinKind::Shr => a.wrapping_shr((b as u64 % 64) as u32),
                    _ => return self.compare(op, x, y, e),
                }))
            }
            Arith::Double | Arith::Time | Arith::Interval => {
                let (a, b) = (x.as_double(), y.as_double());
                let r = match op {
                    BinKind::Add => a + b,
                    BinKind::Sub => a - b,
                    BinKind::Mul => a * b,
                    BinKind::Div => {
                        if b == 0.0 {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(e.loc, &format!("division by zero ({d})")));
                        }
                        a / b
                    }
                    _ => return self.compare(op, x, y, e),
                };
                Ok(match k {
                    Arith::Time => Value::Time(r),
                    Arith::Interval => Value::Interval(r),
                    _ => Value::Double(r),
                })
            }
        }
    }

    pub(crate) fn compare(&mut self, op: BinKind, x: &Value, y: &Value, e: &Expr) -> RtResult {
        use std::cmp::Ordering;
        let ord: Option<Ordering> = match (x, y) {
            (Value::String(a), Value::String(b)) => Some(a.as_ref().cmp(b.as_ref())),
            (Value::Pattern(p), Value::String(s)) | (Value::String(s), Value::Pattern(p)) => {
                let m = p.matches_exact(s);
                return Ok(Value::Bool(if op == BinKind::Ne { !m } else { m }));
            }
            (Value::Addr(a), Value::Addr(b)) => Some(a.cmp(b)),
            (Value::Subnet(a), Value::Subnet(b)) => Some(if a == b {
                Ordering::Equal
            } else {
                Ordering::Less
            }),
            (Value::Port(a), Value::Port(b)) => Some(a.packed().cmp(&b.packed())),
            (Value::Enum(_, a), Value::Enum(_, b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Count(a), Value::Count(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Count(a), Value::Int(b)) => Some(i128::from(*a).cmp(&i128::from(*b))),
            (Value::Int(a), Value::Count(b)) => Some(i128::from(*a).cmp(&i128::from(*b))),
            (Value::Table(a), Value::Table(b)) => {
                let (a, b) = (a.borrow(), b.borrow());
                let a_in_b = a.len() <= b.len() && a.keys_vec().iter().all(|k| b.contains_key(k));
                let b_in_a = b.len() <= a.len() && b.keys_vec().iter().all(|k| a.contains_key(k));
                let r = match op {
                    BinKind::Eq => a_in_b && b_in_a,
                    BinKind::Ne => !(a_in_b && b_in_a),
                    BinKind::Lt => a_in_b && !b_in_a,
                    BinKind::Le => a_in_b,
                    BinKind::Gt => b_in_a && !a_in_b,
                    BinKind::Ge => b_in_a,
                    _ => false,
                };
                return Ok(Value::Bool(r));
            }
            (Value::Func(a), Value::Func(b)) => {
                let same = Rc::ptr_eq(a, b)
                    || (a.name == b.name
                        && matches!((&a.kind, &b.kind), (crate::value::FuncValKind::Global(x), crate::value::FuncValKind::Global(y)) if x == y));
                Some(if same {
                    Ordering::Equal
                } else {
                    Ordering::Less
                })
            }
            _ => {
                let (a, b) = (x.as_double(), y.as_double());
                a.partial_cmp(&b)
            }
        };
        let r = match ord {
            None => op == BinKind::Ne,
            Some(o) => match op {
                BinKind::Eq => o == Ordering::Equal,
                BinKind::Ne => o != Ordering::Equal,
                BinKind::Lt => o == Ordering::Less,
                BinKind::Le => o != Ordering::Greater,
                BinKind::Gt => o == Ordering::Greater,
                BinKind::Ge => o != Ordering::Less,
                _ => {
                    let _ = e;
                    false
                }
            },
        };
        Ok(Value::Bool(r))
    }

    pub(crate) fn vec_binary(
        &mut self,
        op: BinKind,
        k: Arith,
        x: &Value,
        y: &Value,
        e: &Expr,
    ) -> RtResult {
        let elem_ty =
            e.ty.yield_type()
                .cloned()
                .unwrap_or_else(|| self.prog.base.any.clone());
        let get = |v: &Value| -> Option<Vec<Option<Value>>> {
            match v {
                Value::Vector(vv) => Some(vv.borrow().items.clone()),
                _ => None,
            }
        };
        let (xs, ys) = (get(x), get(y));
        let n = match (&xs, &ys) {
            (Some(a), Some(b)) => {
                if a.len() != b.len() {
                    let d = self.describe_expr(e);
                    return Err(self.expr_error(
                        e.loc,
                        &format!("vector operands are of different sizes ({d})"),
                    ));
                }
                a.len()
            }
            (Some(a), None) | (None, Some(a)) => a.len(),
            (None, None) => 0,
        };
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let a = match &xs {
                Some(v) => v[i].clone(),
                None => Some(x.clone()),
            };
            let b = match &ys {
                Some(v) => v[i].clone(),
                None => Some(y.clone()),
            };
            let (Some(a), Some(b)) = (a, b) else {
                out.push(None);
                continue;
            };
            let r = match (op, &a, &b) {
                (BinKind::Add, Value::String(_), Value::String(_)) => {
                    let mut s = a.as_bytes().to_vec();
                    s.extend_from_slice(b.as_bytes());
                    Value::String(Rc::from(s))
                }
                (
                    BinKind::Eq
                    | BinKind::Ne
                    | BinKind::Lt
                    | BinKind::Le
                    | BinKind::Gt
                    | BinKind::Ge,
                    _,
                    _,
                ) => self.compare(op, &a, &b, e)?,
                (BinKind::BitAnd, Value::Bool(p), Value::Bool(q)) => Value::Bool(*p && *q),
                (BinKind::BitOr, Value::Bool(p), Value::Bool(q)) => Value::Bool(*p || *q),
                _ => self.arith(op, k, &a, &b, e)?,
            };
            out.push(Some(r));
        }
        let _ = elem_ty;
        Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
            ty: e.ty.clone(),
            items: out,
        }))))
    }

    /// `x in y`.
    pub(crate) fn contains(&mut self, x: &Value, y: &Value, _e: &Expr) -> Result<bool, RtErr> {
        Ok(match (x, y) {
            (Value::String(a), Value::String(b)) => {
                a.is_empty() || b.windows(a.len()).any(|w| w == a.as_ref())
            }
            (Value::Pattern(p), Value::String(s)) => p.matches_anywhere(s),
            (Value::Addr(a), Value::Subnet(s)) => s.contains(*a),
            (_, Value::Table(t)) => {
                let key = TableVal::key_from_index(x);
                if t.borrow().hooks.is_some() {
                    t.borrow_mut().touch_read(&key);
                }
                let tb = t.borrow();
                if tb.contains_key(&key) {
                    true
                } else {
                    tb.best_subnet_match(x).is_some()
                }
            }
            (idx, Value::Vector(v)) => {
                let i = idx.as_int();
                let vb = v.borrow();
                i >= 0 && (i as usize) < vb.items.len() && vb.items[i as usize].is_some()
            }
            _ => false,
        })
    }

    pub(crate) fn index(&mut self, c: &Value, keys: &[Value], e: &Expr) -> RtResult {
        match c {
            Value::Table(t) => {
                let key = if keys.len() == 1 {
                    TableVal::key_from_index(&keys[0])
                } else {
                    keys.to_vec()
                };
                let mut found = t.borrow_mut().get(&key);
                if found.is_none() && keys.len() == 1 {
                    let best = t.borrow().best_subnet_match(&keys[0]);
                    if let Some(k) = best {
                        found = t.borrow_mut().get(&k);
                    }
                }
                match found {
                    Some(v) => Ok(v),
                    None => {
                        let (def, cached) = {
                            let tb = t.borrow();
                            (tb.default.clone(), tb.default_val.clone())
                        };
                        let ty = t.borrow().ty.clone();
                        if let Some(d) = def {
                            let dv = match cached {
                                Some(v) => v,
                                None => {
                                    let v = self.eval(&d)?;
                                    t.borrow_mut().default_val = Some(v.clone());
                                    v
                                }
                            };
                            if let Value::Func(_) = &dv {
                                if ty.yield_type().is_some_and(|y| y.tag() != Tag::Func) {
                                    let mut args = key.clone();
                                    return self.call_value(&dv, &mut args, e.loc);
                                }
                            }
                            if matches!(d.kind, crate::ir::ExprKind::Const(_)) {
                                return Ok(dv);
                            }
                            return Ok(deep_copy_default(&dv));
                        }
                        let d = self.describe_expr(e);
                        Err(self.expr_error(e.loc, &format!("no such index ({d})")))
                    }
                }
            }
            Value::Vector(v) => {
                if let Some(Value::Vector(mask)) = keys.first() {
                    // Vector of bool mask or vector of indices.
                    let mb = mask.borrow();
                    let vb = v.borrow();
                    let is_bool = mb
                        .items
                        .iter()
                        .flatten()
                        .all(|x| matches!(x, Value::Bool(_)));
                    let items: Vec<Option<Value>> = if is_bool {
                        vb.items
                            .iter()
                            .zip(mb.items.iter())
                            .filter(|(_, m)| m.as_ref().is_some_and(Value::as_bool))
                            .map(|(x, _)| x.clone())
                            .collect()
                    } else {
                        mb.items
                            .iter()
                            .flatten()
                            .map(|i| vb.items.get(i.as_int() as usize).cloned().flatten())
                            .collect()
                    };
                    return Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
                        ty: vb.ty.clone(),
                        items,
                    }))));
                }
                let i = keys.first().map_or(0, Value::as_int);
                let vb = v.borrow();
                let len = vb.items.len() as i64;
                let idx = if i < 0 { i + len } else { i };
                if idx >= 0 && idx < len {
                    if let Some(x) = &vb.items[idx as usize] {
                        return Ok(x.clone());
                    }
                }
                drop(vb);
                let d = self.describe_expr(e);
                Err(self.expr_error(e.loc, &format!("no such index ({d})")))
            }
            Value::String(s) => {
                let i = keys.first().map_or(0, Value::as_int);
                let len = s.len() as i64;
                let idx = if i < 0 { i + len } else { i };
                if idx >= 0 && idx < len {
                    Ok(Value::str(&s[idx as usize..idx as usize + 1]))
                } else {
                    Ok(Value::str(b""))
                }
            }
            _ => Err(self.expr_error(e.loc, "not indexable")),
        }
    }

    pub(crate) fn index_assign(
        &mut self,
        c: &Value,
        keys: Vec<Value>,
        v: Value,
        e: &Expr,
    ) -> Result<bool, RtErr> {
        match c {
            Value::Table(t) => {
                let key = if keys.len() == 1 {
                    TableVal::key_from_index(&keys[0])
                } else {
                    keys
                };
                Ok(self.table_assign(t, key, Some(v)))
            }
            Value::Vector(vv) => {
                let i = keys.first().map_or(0, Value::as_int);
                let mut vb = vv.borrow_mut();
                let len = vb.items.len() as i64;
                let idx = if i < 0 { i + len } else { i };
                if idx < 0 {
                    drop(vb);
                    let d = self.describe_expr(e);
                    return Err(self.expr_error(e.loc, &format!("no such index ({d})")));
                }
                let idx = idx as usize;
                if idx >= vb.items.len() {
                    vb.items.resize(idx + 1, None);
                }
                vb.items[idx] = Some(v);
                Ok(false)
            }
            _ => Err(self.expr_error(e.loc, "not indexable")),
        }
    }

    pub(crate) fn slice(&mut self, c: &Value, lo: Option<i64>, hi: Option<i64>) -> Value {
        let clamp = |len: i64, x: i64| -> usize {
            let x = if x < 0 { x + len } else { x };
            x.clamp(0, len) as usize
        };
        match c {
            Value::String(s) => {
                let len = s.len() as i64;
                let a = clamp(len, lo.unwrap_or(0));
                let b = clamp(len, hi.unwrap_or(len));
                if a >= b {
                    Value::str(b"")
                } else {
                    Value::str(&s[a..b])
                }
            }
            Value::Vector(v) => {
                let vb = v.borrow();
                let len = vb.items.len() as i64;
                let a = clamp(len, lo.unwrap_or(0));
                let b = clamp(len, hi.unwrap_or(len));
                let items = if a >= b {
                    Vec::new()
                } else {
                    vb.items[a..b].to_vec()
                };
                Value::Vector(Rc::new(RefCell::new(VectorVal {
                    ty: vb.ty.clone(),
                    items,
                })))
            }
            other => other.clone(),
        }
    }

    pub(crate) fn size_of(&mut self, v: &Value, _e: &Expr) -> RtResult {
        Ok(match v {
            Value::Count(c) => Value::Count(*c),
            Value::Int(i) => Value::Count(i.unsigned_abs()),
            Value::Double(d) => Value::Double(d.abs()),
            Value::Time(d) | Value::Interval(d) => Value::Double(d.abs()),
            Value::Bool(b) => Value::Count(u64::from(*b)),
            Value::String(s) => Value::Count(s.len() as u64),
            Value::Addr(a) => Value::Count(if a.is_v4() { 32 } else { 128 }),
            Value::Subnet(s) => {
                let bits = if s.prefix.is_v4() {
                    32 - u32::from(s.len)
                } else {
                    128 - u32::from(s.len)
                };
                Value::Double(2f64.powi(bits as i32))
            }
            Value::Port(p) => Value::Int(p.packed() as i64),
            Value::Enum(_, i) => Value::Int(*i),
            Value::Record(r) => Value::Count(
                r.borrow()
                    .ty
                    .record()
                    .map_or(0, crate::types::RecordType::len) as u64,
            ),
            Value::Vector(vv) => Value::Count(vv.borrow().items.len() as u64),
            Value::Table(t) => Value::Count(t.borrow().len() as u64),
            Value::List(l) => Value::Count(l.len() as u64),
            Value::Func(f) => Value::Count(f.ty.func().map_or(0, |ft| ft.params.len()) as u64),
            Value::File(f) => match self.hooks.file_size {
                Some(size) => Value::Double(size(self, f)),
                None => Value::Double(0.0),
            },
            _ => Value::Count(0),
        })
    }

    /// `+=` on a container.
    pub(crate) fn add_to(&mut self, target: &Value, v: Value, e: &Expr) -> Result<(), RtErr> {
        match target {
            Value::Vector(vv) => {
                // Zeek's `+=` concatenates a vector of the same type and
                // appends anything else as one element.
                let yield_tag = |t: &crate::types::TypeRef| t.yield_type().map(|y| y.tag());
                let same = match &v {
                    Value::Vector(src) => yield_tag(&src.borrow().ty) == yield_tag(&vv.borrow().ty),
                    _ => false,
                };
                match v {
                    Value::Vector(src) if same => {
                        let items = src.borrow().items.clone();
                        vv.borrow_mut().items.extend(items);
                    }
                    other => {
                        // An element of another type (possible through
                        // `vector of any` parameters) is refused.
                        let fits = match vv.borrow().ty.yield_type() {
                            Some(y) if y.tag() != Tag::Any => {
                                other.type_of(&self.prog.base).tag() == y.tag()
                            }
                            _ => true,
                        };
                        if !fits {
                            let d = self.describe_expr(e);
                            return Err(self.expr_error(
                                e.loc,
                                &format!("type-checking failed in vector append ({d})"),
                            ));
                        }
                        vv.borrow_mut().items.push(Some(other));
                    }
                }
                Ok(())
            }
            Value::Table(t) => {
                if let Value::Table(src) = &v {
                    let entries = src.borrow().entries_vec();
                    if t.borrow().hooks.is_some() {
                        for (k, val) in entries {
                            self.table_assign(t, k, val);
                        }
                        return Ok(());
                    }
                    let mut tb = t.borrow_mut();
                    for (k, val) in entries {
                        tb.insert(k, val);
                    }
                }
                Ok(())
            }
            Value::Pattern(_) => Ok(()),
            _ => Err(self.expr_error(e.loc, "bad += target")),
        }
    }

    pub(crate) fn remove_from(&mut self, target: &Value, v: &Value, e: &Expr) -> Result<(), RtErr> {
        match (target, v) {
            (Value::Table(t), Value::Table(src)) => {
                let keys = src.borrow().keys_vec();
                if t.borrow().hooks.is_some() {
                    for k in keys {
                        self.table_delete(t, &k);
                    }
                    return Ok(());
                }
                let mut tb = t.borrow_mut();
                for k in keys {
                    tb.remove(&k);
                }
                Ok(())
            }
            _ => Err(self.expr_error(e.loc, "bad -= target")),
        }
    }

    /// Converts `v` to type `t` where the compiler decided a coercion is
    /// needed.
    pub fn coerce(&mut self, v: Value, t: &TypeRef, e: &Expr) -> RtResult {
        Ok(match (&t.kind, v) {
            (TypeKind::Int, Value::Count(c)) => {
                if c > i64::MAX as u64 {
                    let msg = format!("overflow promoting from unsigned/double to signed arithmetic value (int and {c})");
                    self.error_with_type_loc("int", e.loc, &msg);
                    return Err(self.no_value());
                }
                Value::Int(c as i64)
            }
            (TypeKind::Int, Value::Double(d)) => Value::Int(d as i64),
            (TypeKind::Count, Value::Int(i)) => {
                if i < 0 {
                    let msg = format!("overflow promoting from signed/double to unsigned arithmetic value (count and {i})");
                    self.error_with_type_loc("count", e.loc, &msg);
                    return Err(self.no_value());
                }
                Value::Count(i as u64)
            }
            (TypeKind::Count, Value::Double(d)) => Value::Count(d as u64),
            (TypeKind::Double, Value::Count(c)) => Value::Double(c as f64),
            (TypeKind::Double, Value::Int(i)) => Value::Double(i as f64),
            (TypeKind::Time, Value::Count(c)) => Value::Time(c as f64),
            (TypeKind::Time, Value::Double(d)) => Value::Time(d),
            (TypeKind::Interval, Value::Double(d)) => Value::Interval(d),
            (TypeKind::Record(_), Value::Record(r)) => {
                if Rc::ptr_eq(&r.borrow().ty, t) {
                    return Ok(Value::Record(r));
                }
                self.coerce_record(&r.borrow(), t, e)?
            }
            (TypeKind::Table { .. }, Value::Table(tv)) => {
                if Rc::ptr_eq(&tv.borrow().ty, t) || !tv.borrow().ty_is_unspecified() {
                    if same_type(&tv.borrow().ty, t) {
                        tv.borrow_mut().ty = t.clone();
                    }
                    return Ok(Value::Table(tv));
                }
                tv.borrow_mut().ty = t.clone();
                Value::Table(tv)
            }
            (TypeKind::Vector(elem), Value::Vector(vv)) => {
                let needs = vv
                    .borrow()
                    .items
                    .iter()
                    .flatten()
                    .any(|x| !value_matches(x, elem));
                if needs {
                    // A new vector (Zeek's ArithCoerceExpr); an element that
                    // cannot be promoted becomes a hole.
                    let items: Vec<Option<Value>> = vv.borrow().items.clone();
                    let mut out = Vec::with_capacity(items.len());
                    for it in items {
                        out.push(match it {
                            Some(x) => match self.coerce(x, elem, e) {
                                Ok(v) => Some(v),
                                Err(_) if self.no_value => {
                                    self.no_value = false;
                                    None
                                }
                                Err(err) => return Err(err),
                            },
                            None => None,
                        });
                    }
                    return Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
                        ty: t.clone(),
                        items: out,
                    }))));
                }
                vv.borrow_mut().ty = t.clone();
                Value::Vector(vv)
            }
            (_, other) => other,
        })
    }

    /// `c ? a : b` with a vector of bool: a new vector of the elements
    /// `c` selects, of the expression's element type.
    pub(crate) fn vector_cond(
        &mut self,
        c: &Rc<RefCell<VectorVal>>,
        a: &Expr,
        b: &Expr,
        e: &Expr,
    ) -> RtResult {
        let (Value::Vector(x), Value::Vector(y)) = (self.eval(a)?, self.eval(b)?) else {
            return Err(self.no_value());
        };
        let conds: Vec<bool> = c
            .borrow()
            .items
            .iter()
            .map(|v| v.as_ref().is_some_and(Value::as_bool))
            .collect();
        let (xs, ys) = (x.borrow().items.clone(), y.borrow().items.clone());
        if conds.len() != xs.len() || xs.len() != ys.len() {
            let d = self.describe_expr(e);
            return Err(self.expr_error(
                e.loc,
                &format!("vectors in conditional expression have different sizes ({d})"),
            ));
        }
        let elem =
            e.ty.yield_type()
                .cloned()
                .unwrap_or_else(|| self.prog.base.any.clone());
        let mut out = Vec::with_capacity(conds.len());
        for (i, pick) in conds.into_iter().enumerate() {
            let v = if pick { xs[i].clone() } else { ys[i].clone() };
            out.push(match v {
                Some(v) => Some(self.coerce(v, &elem, e)?),
                None => None,
            });
        }
        Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
            ty: e.ty.clone(),
            items: out,
        }))))
    }

    fn coerce_record(&mut self, src: &RecordVal, t: &TypeRef, e: &Expr) -> RtResult {
        let Some(dst) = t.record() else {
            return Ok(Value::Void);
        };
        let src_rt = src.ty.record();
        let mut out = self.new_record_value(t.clone());
        let n = dst.len();
        for i in 0..n {
            let (name, fty) = {
                let f = &dst.fields.borrow()[i];
                (f.name, f.ty.clone())
            };
            let si = src_rt.and_then(|s| s.field_index(name));
            if let Some(si) = si {
                if let Some(v) = src.fields.get(si).cloned().flatten() {
                    out.fields[i] = Some(self.coerce(v, &fty, e)?);
                }
            }
        }
        let rv = Value::Record(Rc::new(RefCell::new(out)));
        self.init_record_defaults(&rv)?;
        Ok(rv)
    }

    /// `v as T` from `any`.
    pub(crate) fn cast(&mut self, v: Value, t: &TypeRef, e: &Expr) -> RtResult {
        if self.value_is(&v, t) {
            return Ok(v);
        }
        if let Some(c) = self.cast_broker_data(&v, t) {
            return Ok(c);
        }
        let vt = v.type_of(&self.prog.base);
        let d = self.describe_expr(e);
        let nil_data = match &v {
            Value::Record(r) => {
                let r = r.borrow();
                r.ty.type_name()
                    .is_some_and(|n| n.as_str() == "Broker::Data")
                    && r.fields.first().is_none_or(Option::is_none)
            }
            _ => false,
        };
        Err(self.expr_error(
            e.loc,
            &format!(
                "invalid cast of value with type '{}' to type '{}'{} ({d})",
                vt.describe(),
                t.describe(),
                if nil_data { " (nil $data field)" } else { "" }
            ),
        ))
    }

    /// An `any` value where another type is expected
    /// (`CoerceFromAnyExpr::Fold`): a value of another type tag is a
    /// runtime error.
    pub(crate) fn coerce_from_any(&mut self, v: Value, t: &TypeRef, e: &Expr) -> RtResult {
        if self.value_is(&v, t) {
            return Ok(v);
        }
        if let Some(c) = self.cast_broker_data(&v, t) {
            return Ok(c);
        }
        if !matches!(v, Value::Void) && v.type_of(&self.prog.base).tag() == t.tag() {
            return Ok(v);
        }
        let d = self.describe_expr(e);
        Err(self.expr_error(e.loc, &format!("incompatible \"any\" type ({d})")))
    }

    /// `DataVal::castTo` for a `Broker::Data` record, through the native
    /// Broker library.
    pub(crate) fn cast_broker_data(&mut self, v: &Value, t: &TypeRef) -> Option<Value> {
        let f = self.hooks.cast_data?;
        match v {
            Value::Record(r)
                if r.borrow()
                    .ty
                    .type_name()
                    .is_some_and(|n| n.as_str() == "Broker::Data") =>
            {
                f(self, v, t)
            }
            _ => None,
        }
    }

    pub(crate) fn value_is(&self, v: &Value, t: &TypeRef) -> bool {
        if t.tag() == Tag::Any {
            return true;
        }
        let vt = v.type_of(&self.prog.base);
        same_type_or_any(&vt, t)
    }

    /// Inserts a constructor element; a set element that is itself a set
    /// (`set(set(1,2))` aside) is inserted as is.
    pub(crate) fn table_insert_expanded(
        &mut self,
        t: &Rc<RefCell<TableVal>>,
        keys: Vec<Value>,
        v: Option<Value>,
    ) {
        if let ([Value::Table(src)], None) = (keys.as_slice(), &v) {
            let index_is_table = t
                .borrow()
                .ty
                .table_index()
                .is_some_and(|ix| ix.first().is_some_and(|x| x.tag() == Tag::Table));
            if !index_is_table {
                let entries = src.borrow().entries_vec();
                let mut tb = t.borrow_mut();
                for (k, val) in entries {
                    tb.insert(k, val);
                }
                return;
            }
        }
        let key = if keys.len() == 1 {
            TableVal::key_from_index(&keys[0])
        } else {
            keys
        };
        t.borrow_mut().insert(key, v);
    }
}

/// A `&default` aggregate is copied for each use so one access's changes
/// are not seen by the next.
fn deep_copy_default(v: &Value) -> Value {
    match v {
        Value::Record(_) | Value::Table(_) | Value::Vector(_) => deep_copy(v),
        other => other.clone(),
    }
}

/// Whether a value already has the representation of type `t`.
fn value_matches(v: &Value, t: &TypeRef) -> bool {
    match (&t.kind, v) {
        (TypeKind::Int, Value::Int(_))
        | (TypeKind::Count, Value::Count(_))
        | (TypeKind::Double, Value::Double(_)) => true,
        (TypeKind::Int | TypeKind::Count | TypeKind::Double, _) => false,
        (TypeKind::Record(_), Value::Record(r)) => Rc::ptr_eq(&r.borrow().ty, t),
        _ => true,
    }
}
