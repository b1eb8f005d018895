//! Zeek values ↔ `broker::data` (`src/broker/Data.cc`, spec §4.8), and the
//! native state behind `opaque of Broker::Data` and the Broker iterators.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};
use zest_broker::{Address as BAddr, Data, Port as BPort, Protocol, Subnet as BSubnet};
use zest_runtime::opaque::{OpaqueState, OpaqueVal};
use zest_runtime::table::TableVal;
use zest_runtime::types::{Tag, Type, TypeKind, TypeRef};
use zest_runtime::value::{Addr, FuncValKind, Port, Proto, Subnet, VectorVal};
use zest_runtime::{Interp, Value};
use zest_syntax::Symbol;

/// The C++ class names Zeek registers its Broker opaques under.
pub const DATA_VAL: &str = "zeek::Broker::detail::DataVal";
pub const SET_ITERATOR: &str = "zeek::Broker::detail::SetIterator";
pub const TABLE_ITERATOR: &str = "zeek::Broker::detail::TableIterator";
pub const VECTOR_ITERATOR: &str = "zeek::Broker::detail::VectorIterator";
pub const RECORD_ITERATOR: &str = "zeek::Broker::detail::RecordIterator";

/// The native state of a Broker opaque value.
#[derive(Clone, Debug)]
pub enum Native {
    /// `opaque of Broker::Data`.
    Data(Data),
    /// A copy of the set and the position.
    SetIter(Vec<Data>, usize),
    TableIter(Vec<(Data, Data)>, usize),
    VectorIter(Vec<Data>, usize),
    RecordIter(Vec<Data>, usize),
    /// `opaque of Broker::Store`: the store's name, and whether the
    /// handle still refers to an open store (`have_store`).
    Store {
        name: String,
        open: bool,
    },
}

impl Native {
    /// The script type name of the opaque (`opaque of NAME`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Native::Data(_) => "Broker::Data",
            Native::SetIter(..) => "Broker::SetIterator",
            Native::TableIter(..) => "Broker::TableIterator",
            Native::VectorIter(..) => "Broker::VectorIterator",
            Native::RecordIter(..) => "Broker::RecordIterator",
            Native::Store { .. } => "Broker::Store",
        }
    }
}

/// Native states of live opaque values, keyed by the address of their
/// `RefCell<OpaqueVal>`. The `Weak` keeps that allocation (and so the key)
/// from being reused while the entry exists; dead entries are pruned.
#[derive(Default)]
pub struct Opaques {
    map: rustc_hash::FxHashMap<usize, (Weak<RefCell<OpaqueVal>>, Native)>,
    prune_at: usize,
}

fn opaques(it: &mut Interp) -> &mut Opaques {
    it.ext_mut::<Opaques>("broker_opaques")
}

/// A new opaque value holding `n`.
pub fn make_opaque(it: &mut Interp, n: Native) -> Value {
    let ty = Type::new(TypeKind::Opaque(Symbol::intern(n.type_name())));
    let rc = Rc::new(RefCell::new(OpaqueVal {
        ty,
        state: OpaqueState::Other,
    }));
    let o = opaques(it);
    if o.map.len() >= o.prune_at {
        o.map.retain(|_, (w, _)| w.strong_count() > 0);
        o.prune_at = (o.map.len() * 2).max(64);
    }
    o.map
        .insert(Rc::as_ptr(&rc) as usize, (Rc::downgrade(&rc), n));
    Value::Opaque(rc)
}

/// The native state of an opaque value, if it is a live Broker one.
pub fn native_ref<'a>(it: &'a Interp, v: &Value) -> Option<&'a Native> {
    let Value::Opaque(rc) = v else { return None };
    let (w, n) = it
        .ext_ref::<Opaques>("broker_opaques")?
        .map
        .get(&(Rc::as_ptr(rc) as usize))?;
    (w.strong_count() > 0).then_some(n)
}

/// The native state of an opaque value, if it is a Broker one.
pub fn native_mut<'a>(it: &'a mut Interp, v: &Value) -> Option<&'a mut Native> {
    let Value::Opaque(rc) = v else { return None };
    let (w, n) = opaques(it).map.get_mut(&(Rc::as_ptr(rc) as usize))?;
    (w.strong_count() > 0).then_some(n)
}

pub fn lookup_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let g = it.prog.lookup(Symbol::intern(name))?;
    it.prog.globals[g as usize].ty.clone()
}

/// A `Broker::Data` record, its `data` field set when `d` is given.
pub fn data_record(it: &mut Interp, d: Option<Data>) -> Value {
    let Some(ty) = lookup_type(it, "Broker::Data") else {
        return Value::Void;
    };
    let rec = Value::new_record(ty);
    if let Some(d) = d {
        let o = make_opaque(it, Native::Data(d));
        if let Value::Record(r) = &rec {
            if let Some(f) = r.borrow_mut().fields.get_mut(0) {
                *f = Some(o);
            }
        }
    }
    rec
}

/// The opaque in a `Broker::Data` record's `data` field.
pub fn record_opaque(v: &Value) -> Option<Value> {
    let Value::Record(r) = v else { return None };
    r.borrow().fields.first().cloned().flatten()
}

/// Whether `t` is the script type `Broker::Data`.
pub fn is_data_record_type(t: &TypeRef) -> bool {
    t.type_name().is_some_and(|n| n.as_str() == "Broker::Data")
}

fn enum_name(t: &TypeRef, v: i64) -> Option<Symbol> {
    match &t.kind {
        TypeKind::Enum(e) => e.name_of(v),
        _ => None,
    }
}

/// `(secs * 1e9)` truncated to nanoseconds, computed in double precision
/// as Zeek's `duration_cast` does.
fn to_ns(secs: f64) -> i64 {
    (secs * 1e9) as i64
}

/// Zeek's `val_to_data`. Unsupported values report Zeek's error and yield
/// `None`.
pub fn val_to_data(it: &mut Interp, v: &Value) -> Option<Data> {
    Some(match v {
        Value::Bool(b) => Data::Bool(*b),
        Value::Int(i) => Data::Integer(*i),
        Value::Count(c) => Data::Count(*c),
        Value::Double(d) => Data::Real(*d),
        Value::Time(t) => Data::Timestamp(to_ns(*t)),
        Value::Interval(t) => Data::Timespan(to_ns(*t)),
        Value::String(s) => Data::String(s.to_vec()),
        Value::File(f) => Data::string(f.borrow().name.as_bytes()),
        Value::Port(p) => Data::Port(BPort {
            number: p.num as u16,
            protocol: match p.proto {
                Proto::Tcp => Protocol::Tcp,
                Proto::Udp => Protocol::Udp,
                Proto::Icmp => Protocol::Icmp,
                Proto::Unknown => Protocol::Unknown,
            },
        }),
        Value::Addr(a) => Data::Address(BAddr(a.0)),
        Value::Subnet(s) => Data::Subnet(BSubnet {
            network: BAddr(s.prefix.0),
            len128: s.len128() as u8,
        }),
        Value::Enum(t, i) => match enum_name(t, *i) {
            Some(n) => Data::Enum(n.as_str().as_bytes().to_vec()),
            None => Data::Enum(b"<unknown enum>".to_vec()),
        },
        Value::Pattern(p) => Data::Vector(vec![
            Data::string(p.exact_text()),
            Data::string(p.anywhere_text()),
        ]),
        Value::Func(f) => {
            let name = Data::string(f.name.as_str());
            match &f.kind {
                // A lambda goes with its captures (`Frame::SerializeCopyFrame`:
                // each value with its type tag), or an empty vector.
                FuncValKind::Lambda(def, caps) => {
                    let caps: Vec<Value> = caps.borrow().clone();
                    let frame = if def.captures.is_empty() {
                        Data::Vector(Vec::new())
                    } else {
                        let mut body = Vec::with_capacity(caps.len());
                        for c in &caps {
                            let tag = crate::hashing::tag_number(&c.type_of(&it.prog.base));
                            body.push(Data::Vector(vec![
                                val_to_data(it, c)?,
                                Data::Integer(i64::from(tag)),
                            ]));
                        }
                        Data::Vector(vec![Data::string("CopyFrame"), Data::Vector(body)])
                    };
                    Data::Vector(vec![name, frame])
                }
                _ => Data::Vector(vec![name]),
            }
        }
        Value::Table(t) => {
            let (entries, is_set) = {
                let tb = t.borrow();
                (tb.entries_vec(), tb.is_set())
            };
            let mut set = std::collections::BTreeSet::new();
            let mut table = BTreeMap::new();
            for (k, val) in entries {
                let mut parts = Vec::with_capacity(k.len());
                for p in &k {
                    parts.push(val_to_data(it, p)?);
                }
                let key = if parts.len() == 1 {
                    parts.pop().unwrap_or(Data::None)
                } else {
                    Data::Vector(parts)
                };
                if is_set {
                    set.insert(key);
                } else {
                    let d = match &val {
                        Some(x) => val_to_data(it, x)?,
                        None => Data::None,
                    };
                    table.insert(key, d);
                }
            }
            if is_set {
                Data::Set(set)
            } else {
                Data::Table(table)
            }
        }
        Value::Vector(vv) => {
            let items: Vec<Value> = vv.borrow().items.iter().flatten().cloned().collect();
            let mut out = Vec::with_capacity(items.len());
            for x in &items {
                out.push(val_to_data(it, x)?);
            }
            Data::Vector(out)
        }
        Value::List(l) => {
            let mut out = Vec::with_capacity(l.len());
            for x in l.iter() {
                out.push(val_to_data(it, x)?);
            }
            Data::Vector(out)
        }
        Value::Record(r) => {
            let (ty, fields) = {
                let rb = r.borrow();
                (rb.ty.clone(), rb.fields.clone())
            };
            let defaults: Vec<Option<Value>> = ty.record().map_or(Vec::new(), |rt| {
                rt.fields
                    .borrow()
                    .iter()
                    .map(|f| f.default.clone())
                    .collect()
            });
            let mut out = Vec::with_capacity(fields.len());
            for (i, f) in fields.iter().enumerate() {
                match f.as_ref().or(defaults.get(i).and_then(Option::as_ref)) {
                    Some(x) => out.push(val_to_data(it, x)?),
                    None => out.push(Data::None),
                }
            }
            Data::Vector(out)
        }
        Value::Opaque(_) => match serialize_opaque(it, v) {
            Some(d) => d,
            None => {
                it.error(None, "unsupported opaque type for serialization");
                return None;
            }
        },
        other => {
            let t = other.type_of(&it.prog.base);
            let name = tag_name(t.tag());
            it.error(None, &format!("unsupported Broker::Data type: {name}"));
            return None;
        }
    })
}

/// Zeek's `type_name(TypeTag)`.
pub fn tag_name(t: Tag) -> &'static str {
    t.name()
}

/// `OpaqueVal::SerializeType`: `[true, name]` for the types Zeek keeps
/// by name (its `TYPE_INTERNAL_OTHER` ones), `[false, tag]` for base types;
/// `None` for unnamed composite types and the error type.
pub fn serialize_type(t: &TypeRef) -> Option<Data> {
    match &t.kind {
        TypeKind::Void | TypeKind::Error => None,
        TypeKind::Pattern
        | TypeKind::Any
        | TypeKind::Table { .. }
        | TypeKind::Record(_)
        | TypeKind::List(_)
        | TypeKind::Func(_)
        | TypeKind::File(_)
        | TypeKind::Vector(_)
        | TypeKind::Opaque(_)
        | TypeKind::Type(_) => {
            let name = t.type_name()?;
            Some(Data::Vector(vec![
                Data::Bool(true),
                Data::string(name.as_str()),
            ]))
        }
        _ => Some(Data::Vector(vec![
            Data::Bool(false),
            Data::Count(crate::hashing::tag_number(t) as u64),
        ])),
    }
}

/// `OpaqueVal::UnserializeType`: a global type by name, or a base type
/// by tag.
pub fn unserialize_type(it: &Interp, d: &Data) -> Option<TypeRef> {
    let [Data::Bool(by_name), what] = d.as_vector()?.as_slice() else {
        return None;
    };
    if *by_name {
        let name = std::str::from_utf8(what.as_string()?).ok()?;
        let g = &it.prog.globals[it.prog.lookup(Symbol::intern(name))? as usize];
        if g.kind != zest_runtime::program::GlobalKind::Type {
            return None;
        }
        return g.ty.clone();
    }
    let Data::Count(tag) = what else { return None };
    let base = &it.prog.base;
    Some(
        match tag {
            1 => &base.bool_,
            2 => &base.int,
            3 => &base.count,
            4 => &base.double,
            5 => &base.time,
            6 => &base.interval,
            7 => &base.string,
            10 => &base.port,
            11 => &base.addr,
            12 => &base.subnet,
            _ => return None,
        }
        .clone(),
    )
}

/// `OpaqueVal::Serialize`: `[type id, state]` for every opaque Zeek can
/// serialize (`None` for the others: store handles, telemetry, files).
pub fn serialize_opaque(it: &mut Interp, v: &Value) -> Option<Data> {
    if let Some(d) = crate::probabilistic::serialize(it, v) {
        return Some(d);
    }
    if let Some(d) = crate::misc::serialize_opaque(v) {
        return Some(d);
    }
    if let Value::Opaque(o) = v {
        if let OpaqueState::Hash { algo, data } = &o.borrow().state {
            let (name, state) = crate::hashing::serialize_hash(algo, data)?;
            return Some(Data::Vector(vec![Data::string(name), state]));
        }
    }
    let n = native_mut(it, v)?.clone();
    let (name, state) = match n {
        Native::Data(d) => (DATA_VAL, d),
        Native::SetIter(items, pos) => {
            let cur = items.get(pos)?.clone();
            (
                SET_ITERATOR,
                Data::Vector(vec![Data::Set(items.into_iter().collect()), cur]),
            )
        }
        Native::TableIter(items, pos) => {
            let cur = items.get(pos)?.0.clone();
            (
                TABLE_ITERATOR,
                Data::Vector(vec![Data::Table(items.into_iter().collect()), cur]),
            )
        }
        Native::VectorIter(items, pos) => (
            VECTOR_ITERATOR,
            Data::Vector(vec![Data::Vector(items), Data::Integer(pos as i64)]),
        ),
        Native::RecordIter(items, pos) => (
            RECORD_ITERATOR,
            Data::Vector(vec![Data::Vector(items), Data::Integer(pos as i64)]),
        ),
        // Store handles cannot be serialized.
        Native::Store { .. } => return None,
    };
    Some(Data::Vector(vec![Data::string(name), state]))
}

/// `OpaqueVal::Unserialize`: the opaque of the type id, or `None` for an
/// unknown id or a state that id's `DoUnserialize` rejects.
pub fn unserialize_opaque(it: &mut Interp, d: &Data) -> Option<Value> {
    let v = d.as_vector()?;
    if v.len() != 2 {
        return None;
    }
    let name = v[0].as_string()?;
    let state = &v[1];
    let n = match name {
        n if n == DATA_VAL.as_bytes() => Native::Data(state.clone()),
        n if n == SET_ITERATOR.as_bytes() => {
            let p = state.as_vector().filter(|p| p.len() == 2)?;
            let Data::Set(s) = &p[0] else { return None };
            let items: Vec<Data> = s.iter().cloned().collect();
            let pos = items.iter().position(|x| *x == p[1])?;
            Native::SetIter(items, pos)
        }
        n if n == TABLE_ITERATOR.as_bytes() => {
            let p = state.as_vector().filter(|p| p.len() == 2)?;
            let Data::Table(t) = &p[0] else { return None };
            let items: Vec<(Data, Data)> = t.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let pos = items.iter().position(|x| x.0 == p[1])?;
            Native::TableIter(items, pos)
        }
        n if n == VECTOR_ITERATOR.as_bytes() || n == RECORD_ITERATOR.as_bytes() => {
            let p = state.as_vector().filter(|p| p.len() == 2)?;
            let (Data::Vector(items), Data::Integer(pos)) = (&p[0], &p[1]) else {
                return None;
            };
            let pos = usize::try_from(*pos).ok()?.min(items.len());
            if n == VECTOR_ITERATOR.as_bytes() {
                Native::VectorIter(items.clone(), pos)
            } else {
                Native::RecordIter(items.clone(), pos)
            }
        }
        n => {
            if let Some(v) = crate::probabilistic::unserialize(it, n, state) {
                return Some(v);
            }
            if let Some(v) = crate::misc::unserialize_opaque(it, n, state) {
                return Some(v);
            }
            return crate::hashing::unserialize_hash(it, n, state);
        }
    };
    Some(make_opaque(it, n))
}

/// Whether the data of a table key for a one-column index of type `t`
/// comes as a vector itself (Data.cc's `serialized_as_vector`).
fn serialized_as_vector(t: &TypeRef) -> bool {
    matches!(
        t.tag(),
        Tag::Vector | Tag::Record | Tag::Func | Tag::Pattern | Tag::Opaque
    )
}

fn key_parts<'a>(d: &'a Data, index: &[TypeRef]) -> Option<Vec<&'a Data>> {
    let parts: Vec<&Data> = match d {
        Data::Vector(v) if !(index.len() == 1 && serialized_as_vector(&index[0])) => {
            v.iter().collect()
        }
        other => vec![other],
    };
    (parts.len() == index.len()).then_some(parts)
}

/// Zeek's `data_to_val`: the value of type `t` that `d` denotes, or `None`
/// when the types do not match (no numeric coercion).
pub fn data_to_val(it: &mut Interp, d: &Data, t: &TypeRef) -> Option<Value> {
    if t.tag() == Tag::Any {
        return Some(data_record(it, Some(d.clone())));
    }
    Some(match (d, &t.kind) {
        (Data::Bool(b), TypeKind::Bool) => Value::Bool(*b),
        (Data::Count(c), TypeKind::Count) => Value::Count(*c),
        (Data::Integer(i), TypeKind::Int) => Value::Int(*i),
        (Data::Real(r), TypeKind::Double) => Value::Double(*r),
        (Data::String(s), TypeKind::String) => Value::str(s),
        (Data::Address(a), TypeKind::Addr) => Value::Addr(Addr(a.0)),
        (Data::Subnet(s), TypeKind::Subnet) => {
            Value::Subnet(Subnet::new(Addr(s.network.0), s.length()))
        }
        (Data::Port(p), TypeKind::Port) => Value::Port(Port {
            num: u32::from(p.number),
            proto: match p.protocol {
                Protocol::Tcp => Proto::Tcp,
                Protocol::Udp => Proto::Udp,
                Protocol::Icmp => Proto::Icmp,
                Protocol::Unknown => Proto::Unknown,
            },
        }),
        (Data::Timestamp(ns), TypeKind::Time) => Value::Time(*ns as f64 / 1e9),
        (Data::Timespan(ns), TypeKind::Interval) => Value::Interval(*ns as f64 / 1e9),
        (Data::Enum(name), TypeKind::Enum(e)) => {
            let name = std::str::from_utf8(name).ok()?;
            let v = e.value_of(Symbol::intern(name))?;
            Value::Enum(t.clone(), v)
        }
        (
            Data::Set(s),
            TypeKind::Table {
                index,
                yield_: None,
            },
        ) => {
            let mut tv = TableVal::new(t.clone());
            for item in s {
                let parts = key_parts(item, index)?;
                let mut key = Vec::with_capacity(parts.len());
                for (p, ty) in parts.iter().zip(index) {
                    key.push(data_to_val(it, p, ty)?);
                }
                tv.insert(key, None);
            }
            Value::Table(Rc::new(RefCell::new(tv)))
        }
        (
            Data::Table(m),
            TypeKind::Table {
                index,
                yield_: Some(y),
            },
        ) => {
            let mut tv = TableVal::new(t.clone());
            for (k, v) in m {
                let parts = key_parts(k, index)?;
                let mut key = Vec::with_capacity(parts.len());
                for (p, ty) in parts.iter().zip(index) {
                    key.push(data_to_val(it, p, ty)?);
                }
                let val = data_to_val(it, v, y)?;
                tv.insert(key, Some(val));
            }
            Value::Table(Rc::new(RefCell::new(tv)))
        }
        (Data::Vector(items), TypeKind::Vector(y)) => {
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(Some(data_to_val(it, x, y)?));
            }
            Value::Vector(Rc::new(RefCell::new(VectorVal {
                ty: t.clone(),
                items: out,
            })))
        }
        (Data::Vector(items), TypeKind::Record(rt)) => {
            let ftypes: Vec<TypeRef> = rt.fields.borrow().iter().map(|f| f.ty.clone()).collect();
            if items.len() < ftypes.len() {
                return None;
            }
            let rec = Value::new_record(t.clone());
            let mut vals = Vec::with_capacity(ftypes.len());
            for (x, ft) in items.iter().zip(&ftypes) {
                vals.push(match x {
                    Data::None => None,
                    x => Some(data_to_val(it, x, ft)?),
                });
            }
            if let Value::Record(r) = &rec {
                for (slot, v) in r.borrow_mut().fields.iter_mut().zip(vals) {
                    *slot = v;
                }
            }
            rec
        }
        (Data::Vector(items), TypeKind::Pattern) => {
            let [Data::String(exact), Data::String(anywhere)] = items.as_slice() else {
                return None;
            };
            let c = zest_pattern::Pattern::from_texts(exact, anywhere);
            if !c.pattern.is_usable() {
                let msg = format!(
                    "failed compiling unserialized pattern: {}, {}",
                    String::from_utf8_lossy(exact),
                    String::from_utf8_lossy(anywhere)
                );
                it.error(None, &msg);
                return None;
            }
            Value::Pattern(c.pattern)
        }
        (Data::Vector(items), TypeKind::Func(_)) => {
            if items.is_empty() || items.len() > 2 {
                return None;
            }
            let name = std::str::from_utf8(items[0].as_string()?).ok()?;
            let g = it.prog.lookup(Symbol::intern(name))?;
            let v = it.prog.globals[g as usize].value.clone();
            let Value::Func(f) = &v else { return None };
            match (&f.kind, items.get(1)) {
                (_, None) => v.clone(),
                (FuncValKind::Lambda(def, _), Some(frame)) => {
                    let caps = captures_from_data(it, def, frame)?;
                    Value::Func(Rc::new(zest_runtime::value::FuncVal {
                        ty: f.ty.clone(),
                        name: f.name,
                        kind: FuncValKind::Lambda(def.clone(), Rc::new(RefCell::new(caps))),
                    }))
                }
                _ => return None,
            }
        }
        (Data::Vector(_), TypeKind::Opaque(_)) => unserialize_opaque(it, d)?,
        (Data::Vector(items), TypeKind::List(types)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                let ty = types.get(i).or(types.first())?;
                out.push(data_to_val(it, x, ty)?);
            }
            Value::List(Rc::new(out))
        }
        _ => return None,
    })
}

/// `Frame::Unserialize` of a lambda's captures: an empty vector (no
/// captures) or `["CopyFrame", [[value, tag]...]]`, one entry per capture
/// of the lambda, each converted to the capture's type.
fn captures_from_data(
    it: &mut Interp,
    def: &zest_runtime::ir::LambdaDef,
    frame: &Data,
) -> Option<Vec<Value>> {
    let frame = frame.as_vector()?;
    if frame.is_empty() {
        return def.captures.is_empty().then(Vec::new);
    }
    let [Data::String(kind), Data::Vector(body)] = frame.as_slice() else {
        return None;
    };
    if kind.as_slice() != b"CopyFrame" || body.len() != def.capture_types.len() {
        return None;
    }
    let mut caps = Vec::with_capacity(body.len());
    for (entry, ty) in body.iter().zip(&def.capture_types) {
        let [d, Data::Integer(tag)] = entry.as_vector()?.as_slice() else {
            return None;
        };
        if i64::from(crate::hashing::tag_number(ty)) != *tag {
            return None;
        }
        caps.push(data_to_val(it, d, ty)?);
    }
    Some(caps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(
        clippy::excessive_precision,
        reason = "the literal is the one the capture's script wrote"
    )]
    fn time_conversion_rounds_in_double_precision() {
        // The event-types capture: double_to_time(1700000000.123456789) went
        // out as 1700000000123456768 ns, 1.0000000009 s as 1000000000 ns.
        assert_eq!(to_ns(1_700_000_000.123_456_789), 1_700_000_000_123_456_768);
        assert_eq!(to_ns(1.000_000_000_9), 1_000_000_000);
        assert_eq!(to_ns(-135.0), -135_000_000_000);
        assert_eq!(to_ns(259_200.0), 259_200_000_000_000);
    }
}
