//! `data.bif`: building and inspecting `Broker::Data` values (sets,
//! tables, vectors, records) and their iterators.

use super::convert::{
    data_record, lookup_type, make_opaque, native_mut, record_opaque, serialize_opaque,
    unserialize_opaque, val_to_data, Native,
};
use crate::support::builtin_error;
use zest_broker::Data;
use zest_runtime::{CallSite, Interp, RtErr, RtResult, Value};

/// The container kind a function expects, for `require_data_type`'s
/// message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Set,
    Table,
    Vector,
    Record,
}

impl Want {
    fn zeek_name(self) -> &'static str {
        match self {
            Want::Set | Want::Table => "table",
            Want::Vector => "vector",
            Want::Record => "record",
        }
    }
    fn matches(self, d: &Data) -> bool {
        matches!(
            (self, d),
            (Want::Set, Data::Set(_))
                | (Want::Table, Data::Table(_))
                | (Want::Vector | Want::Record, Data::Vector(_))
        )
    }
}

/// The name `type_name_getter` gives a value's alternative.
fn getter_name(d: &Data, want: Want) -> &'static str {
    match d {
        Data::None => "NONE",
        Data::Bool(_) => "bool",
        Data::Count(_) => "uint64_t",
        Data::Integer(_) => "int64_t",
        Data::Real(_) => "double",
        Data::String(_) => "string",
        Data::Address(_) => "address",
        Data::Subnet(_) => "subnet",
        Data::Port(_) => "port",
        Data::Timestamp(_) => "time",
        Data::Timespan(_) => "interval",
        Data::Enum(_) => "enum",
        Data::Set(_) => "set",
        Data::Table(_) => "table",
        Data::Vector(_) => {
            if want == Want::Vector {
                "vector"
            } else {
                "record"
            }
        }
    }
}

/// Runs `f` on the data of a `Broker::Data` argument that must hold the
/// wanted container; otherwise reports Zeek's run-time error (which aborts
/// the handler).
fn with_data<R>(
    it: &mut Interp,
    site: &CallSite<'_>,
    rec: &Value,
    want: Want,
    f: impl FnOnce(&mut Data) -> R,
) -> Result<R, RtErr> {
    let Some(o) = record_opaque(rec) else {
        return Err(it.runtime_error(site.loc, "Broker::Data's opaque field is not set"));
    };
    let msg = match native_mut(it, &o) {
        Some(Native::Data(d)) if want.matches(d) => return Ok(f(d)),
        Some(Native::Data(d)) => format!(
            "data is of type '{}' not of type '{}'",
            getter_name(d, want),
            want.zeek_name()
        ),
        _ => "Broker::Data's opaque field is not set".to_owned(),
    };
    Err(it.runtime_error(site.loc, &msg))
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn key_data(it: &mut Interp, site: &CallSite<'_>, v: &Value, what: &str) -> Option<Data> {
    let d = val_to_data(it, v);
    if d.is_none() {
        builtin_error(
            it,
            site,
            &format!("invalid Broker data conversion for {what} argument"),
            None,
        );
    }
    d
}

fn empty(it: &mut Interp) -> Value {
    data_record(it, None)
}

pub(super) fn data(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let v = arg(args, 0);
    match val_to_data(it, &v) {
        Some(d) => Ok(data_record(it, Some(d))),
        None => {
            it.warn(None, "did not get a value from val_to_data");
            Ok(empty(it))
        }
    }
}

pub(super) fn data_type(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    let Some(o) = record_opaque(&rec) else {
        return Err(it.runtime_error(site.loc, "Broker::Data's opaque field is not set"));
    };
    let tag = match native_mut(it, &o) {
        Some(Native::Data(d)) => d.tag(),
        _ => return Err(it.runtime_error(site.loc, "Broker::Data's opaque field is not set")),
    };
    // Broker::DataType lists NONE, BOOL, INT, COUNT, … where Broker's
    // tags are none, boolean, count, integer, …
    let name = [
        "NONE", "BOOL", "COUNT", "INT", "DOUBLE", "STRING", "ADDR", "SUBNET", "PORT", "TIME",
        "INTERVAL", "ENUM", "SET", "TABLE", "VECTOR",
    ][tag as usize];
    enum_value(it, "Broker::DataType", name)
}

/// The value of `TYPE::NAME` of an enum type declared in module Broker.
fn enum_value(it: &mut Interp, ty: &str, name: &str) -> RtResult {
    let t = lookup_type(it, ty).ok_or(RtErr)?;
    let full = zest_syntax::Symbol::intern(&format!("Broker::{name}"));
    let v = match &t.kind {
        zest_runtime::types::TypeKind::Enum(e) => e.value_of(full).ok_or(RtErr)?,
        _ => return Err(RtErr),
    };
    Ok(Value::Enum(t, v))
}

pub(super) fn clone_through_serialization(
    it: &mut Interp,
    args: &mut [Value],
    site: &CallSite<'_>,
) -> RtResult {
    let v = arg(args, 0);
    let cloned = serialize_opaque(it, &v).and_then(|d| unserialize_opaque(it, &d));
    match cloned {
        Some(c) => Ok(c),
        None => {
            builtin_error(it, site, "cannot serialize object to clone", None);
            Ok(Value::Bool(false))
        }
    }
}

// ------------------------------------------------------------------ sets

pub(super) fn set_create(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(data_record(it, Some(Data::Set(Default::default()))))
}

pub(super) fn set_clear(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    with_data(it, site, &arg(args, 0), Want::Set, |d| {
        if let Data::Set(s) = d {
            s.clear();
        }
    })?;
    Ok(Value::Bool(true))
}

pub(super) fn set_size(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let n = with_data(it, site, &arg(args, 0), Want::Set, |d| match d {
        Data::Set(s) => s.len(),
        _ => 0,
    })?;
    Ok(Value::Count(n as u64))
}

fn set_op(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    op: fn(&mut std::collections::BTreeSet<Data>, Data) -> bool,
) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Set, |_| ())?;
    let Some(k) = key_data(it, site, &arg(args, 1), "key") else {
        return Ok(Value::Bool(false));
    };
    let r = with_data(it, site, &rec, Want::Set, |d| match d {
        Data::Set(s) => op(s, k),
        _ => false,
    })?;
    Ok(Value::Bool(r))
}

pub(super) fn set_contains(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_op(it, args, site, |s, k| s.contains(&k))
}

pub(super) fn set_insert(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_op(it, args, site, |s, k| s.insert(k))
}

pub(super) fn set_remove(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_op(it, args, site, |s, k| s.remove(&k))
}

pub(super) fn set_iterator(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let items = with_data(it, site, &arg(args, 0), Want::Set, |d| match d {
        Data::Set(s) => s.iter().cloned().collect(),
        _ => Vec::new(),
    })?;
    Ok(make_opaque(it, Native::SetIter(items, 0)))
}

// ------------------------------------------------------------------ iterators

fn iter_state(it: &mut Interp, v: &Value) -> Option<(usize, usize)> {
    match native_mut(it, v)? {
        Native::SetIter(i, p) | Native::VectorIter(i, p) | Native::RecordIter(i, p) => {
            Some((*p, i.len()))
        }
        Native::TableIter(i, p) => Some((*p, i.len())),
        Native::Data(_) | Native::Store { .. } => None,
    }
}

pub(super) fn iterator_last(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (p, n) = iter_state(it, &arg(args, 0)).unwrap_or((0, 0));
    Ok(Value::Bool(p >= n))
}

pub(super) fn iterator_next(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let v = arg(args, 0);
    let Some(n) = native_mut(it, &v) else {
        return Ok(Value::Bool(false));
    };
    let (p, len) = match n {
        Native::SetIter(i, p) | Native::VectorIter(i, p) | Native::RecordIter(i, p) => (p, i.len()),
        Native::TableIter(i, p) => (p, i.len()),
        Native::Data(_) | Native::Store { .. } => return Ok(Value::Bool(false)),
    };
    if *p >= len {
        return Ok(Value::Bool(false));
    }
    *p += 1;
    Ok(Value::Bool(*p < len))
}

pub(super) fn iterator_value(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let v = arg(args, 0);
    let (cur, what, is_record) = match native_mut(it, &v) {
        Some(Native::SetIter(i, p)) => (i.get(*p).cloned(), "set", false),
        Some(Native::VectorIter(i, p)) => (i.get(*p).cloned(), "vector", false),
        Some(Native::RecordIter(i, p)) => (i.get(*p).cloned(), "record", true),
        _ => (None, "set", false),
    };
    match cur {
        None => {
            builtin_error(
                it,
                site,
                &format!("attempt to retrieve value of invalid {what} iterator"),
                None,
            );
            Ok(empty(it))
        }
        Some(Data::None) if is_record => Ok(empty(it)),
        Some(d) => Ok(data_record(it, Some(d))),
    }
}

// ------------------------------------------------------------------ tables

pub(super) fn table_create(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(data_record(it, Some(Data::Table(Default::default()))))
}

pub(super) fn table_clear(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    with_data(it, site, &arg(args, 0), Want::Table, |d| {
        if let Data::Table(t) = d {
            t.clear();
        }
    })?;
    Ok(Value::Bool(true))
}

pub(super) fn table_size(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let n = with_data(it, site, &arg(args, 0), Want::Table, |d| match d {
        Data::Table(t) => t.len(),
        _ => 0,
    })?;
    Ok(Value::Count(n as u64))
}

pub(super) fn table_contains(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Table, |_| ())?;
    let Some(k) = key_data(it, site, &arg(args, 1), "key") else {
        return Ok(Value::Bool(false));
    };
    let r = with_data(it, site, &rec, Want::Table, |d| match d {
        Data::Table(t) => t.contains_key(&k),
        _ => false,
    })?;
    Ok(Value::Bool(r))
}

pub(super) fn table_insert(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Table, |_| ())?;
    let Some(k) = key_data(it, site, &arg(args, 1), "key") else {
        return Ok(empty(it));
    };
    let Some(v) = key_data(it, site, &arg(args, 2), "value") else {
        return Ok(empty(it));
    };
    let prev = with_data(it, site, &rec, Want::Table, |d| match d {
        Data::Table(t) => t.insert(k, v),
        _ => None,
    })?;
    Ok(data_record(it, prev))
}

pub(super) fn table_remove(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Table, |_| ())?;
    let Some(k) = key_data(it, site, &arg(args, 1), "key") else {
        return Ok(empty(it));
    };
    let prev = with_data(it, site, &rec, Want::Table, |d| match d {
        Data::Table(t) => t.remove(&k),
        _ => None,
    })?;
    Ok(data_record(it, prev))
}

pub(super) fn table_lookup(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Table, |_| ())?;
    let Some(k) = key_data(it, site, &arg(args, 1), "key") else {
        return Ok(empty(it));
    };
    let found = with_data(it, site, &rec, Want::Table, |d| match d {
        Data::Table(t) => t.get(&k).cloned(),
        _ => None,
    })?;
    Ok(data_record(it, found))
}

pub(super) fn table_iterator(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let items = with_data(it, site, &arg(args, 0), Want::Table, |d| match d {
        Data::Table(t) => t.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    })?;
    Ok(make_opaque(it, Native::TableIter(items, 0)))
}

pub(super) fn table_iterator_value(
    it: &mut Interp,
    args: &mut [Value],
    site: &CallSite<'_>,
) -> RtResult {
    let v = arg(args, 0);
    let cur = match native_mut(it, &v) {
        Some(Native::TableIter(i, p)) => i.get(*p).cloned(),
        _ => None,
    };
    let ty = lookup_type(it, "Broker::TableItem").ok_or(RtErr)?;
    let item = Value::new_record(ty);
    let (k, val) = match cur {
        Some((k, v)) => (data_record(it, Some(k)), data_record(it, Some(v))),
        None => {
            builtin_error(
                it,
                site,
                "attempt to retrieve value of invalid table iterator",
                None,
            );
            (empty(it), empty(it))
        }
    };
    if let Value::Record(r) = &item {
        let mut rb = r.borrow_mut();
        if rb.fields.len() >= 2 {
            rb.fields[0] = Some(k);
            rb.fields[1] = Some(val);
        }
    }
    Ok(item)
}

// ------------------------------------------------------------------ vectors

pub(super) fn vector_create(
    it: &mut Interp,
    _args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    Ok(data_record(it, Some(Data::Vector(Vec::new()))))
}

fn vec_of(d: &mut Data) -> Option<&mut Vec<Data>> {
    match d {
        Data::Vector(v) => Some(v),
        _ => None,
    }
}

pub(super) fn vector_clear(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    with_data(it, site, &arg(args, 0), Want::Vector, |d| {
        if let Some(v) = vec_of(d) {
            v.clear();
        }
    })?;
    Ok(Value::Bool(true))
}

pub(super) fn vector_size(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let n = with_data(it, site, &arg(args, 0), Want::Vector, |d| {
        vec_of(d).map_or(0, |v| v.len())
    })?;
    Ok(Value::Count(n as u64))
}

pub(super) fn vector_insert(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Vector, |_| ())?;
    let Some(item) = key_data(it, site, &arg(args, 2), "item") else {
        return Ok(Value::Bool(false));
    };
    let idx = arg(args, 1).as_count();
    with_data(it, site, &rec, Want::Vector, |d| {
        if let Some(v) = vec_of(d) {
            let i = (idx as usize).min(v.len());
            v.insert(i, item);
        }
    })?;
    Ok(Value::Bool(true))
}

pub(super) fn vector_replace(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    with_data(it, site, &rec, Want::Vector, |_| ())?;
    let Some(item) = key_data(it, site, &arg(args, 2), "item") else {
        return Ok(Value::Bool(false));
    };
    let idx = arg(args, 1).as_count() as usize;
    let prev = with_data(it, site, &rec, Want::Vector, |d| {
        let v = vec_of(d)?;
        let slot = v.get_mut(idx)?;
        Some(std::mem::replace(slot, item))
    })?;
    Ok(data_record(it, prev))
}

pub(super) fn vector_remove(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let idx = arg(args, 1).as_count() as usize;
    let prev = with_data(it, site, &arg(args, 0), Want::Vector, |d| {
        let v = vec_of(d)?;
        (idx < v.len()).then(|| v.remove(idx))
    })?;
    Ok(data_record(it, prev))
}

pub(super) fn vector_lookup(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let idx = arg(args, 1).as_count() as usize;
    let found = with_data(it, site, &arg(args, 0), Want::Vector, |d| {
        vec_of(d)?.get(idx).cloned()
    })?;
    Ok(data_record(it, found))
}

pub(super) fn vector_iterator(
    it: &mut Interp,
    args: &mut [Value],
    site: &CallSite<'_>,
) -> RtResult {
    let items = with_data(it, site, &arg(args, 0), Want::Vector, |d| {
        vec_of(d).map(|v| v.clone()).unwrap_or_default()
    })?;
    Ok(make_opaque(it, Native::VectorIter(items, 0)))
}

// ------------------------------------------------------------------ records

pub(super) fn record_create(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let n = arg(args, 0).as_count() as usize;
    Ok(data_record(it, Some(Data::Vector(vec![Data::None; n]))))
}

pub(super) fn record_size(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let n = with_data(it, site, &arg(args, 0), Want::Record, |d| {
        vec_of(d).map_or(0, |v| v.len())
    })?;
    Ok(Value::Count(n as u64))
}

pub(super) fn record_assign(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let rec = arg(args, 0);
    let idx = arg(args, 1).as_count() as usize;
    let len = with_data(it, site, &rec, Want::Record, |d| {
        vec_of(d).map_or(0, |v| v.len())
    })?;
    if idx >= len {
        return Ok(Value::Bool(false));
    }
    let Some(item) = key_data(it, site, &arg(args, 2), "item") else {
        return Ok(Value::Bool(false));
    };
    with_data(it, site, &rec, Want::Record, |d| {
        if let Some(slot) = vec_of(d).and_then(|v| v.get_mut(idx)) {
            *slot = item;
        }
    })?;
    Ok(Value::Bool(true))
}

pub(super) fn record_lookup(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let idx = arg(args, 1).as_count() as usize;
    let found = with_data(it, site, &arg(args, 0), Want::Record, |d| {
        vec_of(d)?
            .get(idx)
            .filter(|x| !matches!(x, Data::None))
            .cloned()
    })?;
    Ok(data_record(it, found))
}

pub(super) fn record_iterator(
    it: &mut Interp,
    args: &mut [Value],
    site: &CallSite<'_>,
) -> RtResult {
    let items = with_data(it, site, &arg(args, 0), Want::Record, |d| {
        vec_of(d).map(|v| v.clone()).unwrap_or_default()
    })?;
    Ok(make_opaque(it, Native::RecordIter(items, 0)))
}
