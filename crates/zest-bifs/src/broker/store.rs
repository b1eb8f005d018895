//! `store.bif`: Broker data stores (`src/broker/Store.cc`, the store parts
//! of `Manager.cc`), on `zest-store`'s masters.
//!
//! A master lives in this process, so commands apply at once, in order.
//! Queries (`get`, `exists`, `put_unique`, `get_index_from_value`,
//! `keys`) must be called inside a `when` condition: the answer is
//! computed now and handed to the waiting trigger when the run loop next
//! polls Broker, as Zeek's store query callbacks do. Tables declared with
//! `&backend` or `&broker_store` forward their changes to their store and
//! are filled from it when its master is created.

use super::convert::{
    data_record, lookup_type, make_opaque, native_mut, native_ref, val_to_data, Native,
};
use crate::support::builtin_error;
use std::cell::RefCell;
use std::rc::Rc;
use zest_broker::Data;
use zest_runtime::interp::TableChange;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Type, TypeKind, TypeRef};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_store::{ops, Backend, Master, SqliteOptions, StoreError};
use zest_syntax::ast::AttrKind;
use zest_syntax::Symbol;

use crate::Bif;

macro_rules! bif {
    ($name:literal, $sig:literal, $f:path) => {
        Bif {
            name: $name,
            signature: $sig,
            func: $f,
        }
    };
}

pub static BIFS: &[Bif] = &[
    bif!("Broker::__create_master", "function(id: string, b: BackendType, options: BackendOptions &default=BackendOptions()): opaque of Broker::Store", create_master),
    bif!("Broker::__create_clone", "function(id: string, resync_interval: interval, stale_interval: interval, mutation_buffer_interval: interval): opaque of Broker::Store", create_clone),
    bif!("Broker::__is_closed", "function(h: opaque of Broker::Store): bool", is_closed),
    bif!("Broker::__close", "function(h: opaque of Broker::Store): bool", close),
    bif!("Broker::__store_name", "function(h: opaque of Broker::Store): string", store_name),
    bif!("Broker::__exists", "function(h: opaque of Broker::Store, k: any): Broker::QueryResult", exists),
    bif!("Broker::__get", "function(h: opaque of Broker::Store, k: any): Broker::QueryResult", get),
    bif!("Broker::__put_unique", "function(h: opaque of Broker::Store, k: any, v: any, e: interval): Broker::QueryResult", put_unique),
    bif!("Broker::__get_index_from_value", "function(h: opaque of Broker::Store, k: any, i: any): Broker::QueryResult", get_index_from_value),
    bif!("Broker::__keys", "function(h: opaque of Broker::Store): Broker::QueryResult", keys),
    bif!("Broker::__put", "function(h: opaque of Broker::Store, k: any, v: any, e: interval): bool", put),
    bif!("Broker::__erase", "function(h: opaque of Broker::Store, k: any): bool", erase),
    bif!("Broker::__increment", "function(h: opaque of Broker::Store, k: any, a: any, e: interval): bool", increment),
    bif!("Broker::__decrement", "function(h: opaque of Broker::Store, k: any, a: any, e: interval): bool", decrement),
    bif!("Broker::__append", "function(h: opaque of Broker::Store, k: any, s: any, e: interval): bool", append),
    bif!("Broker::__insert_into_set", "function(h: opaque of Broker::Store, k: any, i: any, e: interval): bool", insert_into_set),
    bif!("Broker::__insert_into_table", "function(h: opaque of Broker::Store, k: any, i: any, v: any, e: interval): bool", insert_into_table),
    bif!("Broker::__remove_from", "function(h: opaque of Broker::Store, k: any, i: any, e: interval): bool", remove_from),
    bif!("Broker::__push", "function(h: opaque of Broker::Store, k: any, v: any, e: interval): bool", push),
    bif!("Broker::__pop", "function(h: opaque of Broker::Store, k: any, e: interval): bool", pop),
    bif!("Broker::__clear", "function(h: opaque of Broker::Store): bool", clear),
];

/// One open store.
struct Open {
    name: String,
    /// The script's handle (the same one for every lookup by name).
    handle: Value,
    master: Master,
}

/// A table forwarding to a store.
struct Forward {
    store: String,
    table: Rc<RefCell<TableVal>>,
}

/// Zeek's `data_stores`, `forwarded_stores` and pending query answers.
#[derive(Default)]
pub struct Stores {
    open: Vec<Open>,
    forwards: Vec<Forward>,
    /// Answers waiting for the next poll: trigger call site and value.
    answers: Vec<((u64, usize), Value)>,
    last_expiry_check: f64,
}

fn stores(it: &mut Interp) -> &mut Stores {
    it.ext_mut::<Stores>("broker_stores")
}

fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The endpoint clock in nanoseconds (real time).
fn now_ns() -> i64 {
    (now_secs() * 1e9) as i64
}

/// `convert_expiry`: no expiry for 0.
fn expiry(v: Option<&Value>) -> Option<i64> {
    let e = v.map_or(0.0, Value::as_double);
    (e != 0.0).then_some((e * 1e9) as i64)
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn enum_val(it: &Interp, ty: &str, name: &str) -> Value {
    let Some(t) = lookup_type(it, ty) else {
        return Value::Void;
    };
    let v = match &t.kind {
        TypeKind::Enum(e) => e.value_of(Symbol::intern(name)).unwrap_or(0),
        _ => 0,
    };
    Value::Enum(t, v)
}

fn enum_name(v: &Value) -> Option<String> {
    match v {
        Value::Enum(t, i) => match &t.kind {
            TypeKind::Enum(e) => e.name_of(*i).map(|s| s.as_str().to_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// `query_result()`: failure with an empty `Broker::Data`, or success
/// with the answer.
fn query_result(it: &mut Interp, answer: Option<Data>) -> Value {
    let Some(t) = lookup_type(it, "Broker::QueryResult") else {
        return Value::Void;
    };
    let status = enum_val(
        it,
        "Broker::QueryStatus",
        if answer.is_some() {
            "Broker::SUCCESS"
        } else {
            "Broker::FAILURE"
        },
    );
    let data = data_record(it, answer);
    let rec = Value::new_record(t);
    if let Value::Record(r) = &rec {
        let mut rb = r.borrow_mut();
        if let Some(f) = rb.fields.get_mut(0) {
            *f = Some(status);
        }
        if let Some(f) = rb.fields.get_mut(1) {
            *f = Some(data);
        }
    }
    rec
}

fn lookup(it: &mut Interp, name: &str) -> Option<usize> {
    stores(it).open.iter().position(|o| o.name == name)
}

/// `to_store_handle`: the open store a handle refers to.
fn handle_store(it: &mut Interp, h: &Value) -> Option<usize> {
    let name = match native_ref(it, h) {
        Some(Native::Store { name, open: true }) => name.clone(),
        _ => return None,
    };
    lookup(it, &name)
}

fn closed_handle(it: &mut Interp) -> Value {
    make_opaque(
        it,
        Native::Store {
            name: String::new(),
            open: false,
        },
    )
}

// ------------------------------------------------------------------ masters and clones

fn create_master(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = String::from_utf8_lossy(arg(args, 0).as_bytes()).into_owned();
    if let Some(i) = lookup(it, &name) {
        return Ok(stores(it).open[i].handle.clone());
    }
    let sqlite = enum_name(&arg(args, 1)).is_some_and(|n| n.ends_with("SQLITE"));
    let opts = if sqlite {
        let o = arg(args, 2);
        let so = it.field_or_default(&o, "sqlite").unwrap_or(Value::Void);
        sqlite_options(it, &so)
    } else {
        None
    };
    match make_master(it, &name, opts) {
        Some(h) => Ok(h),
        None => {
            let msg = format!("Could not create Broker master store '{name}'");
            builtin_error(it, site, &msg, None);
            Ok(closed_handle(it))
        }
    }
}

/// `to_backend_options` for SQLite.
fn sqlite_options(it: &mut Interp, so: &Value) -> Option<SqliteOptions> {
    let path = it
        .field_or_default(so, "path")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let tail = |v: Option<Value>, prefix: &str| -> Option<String> {
        enum_name(&v?).and_then(|n| n.rsplit_once(prefix).map(|(_, t)| t.to_owned()))
    };
    let synchronous = tail(
        it.field_or_default(so, "synchronous"),
        "SQLITE_SYNCHRONOUS_",
    );
    let journal_mode = tail(
        it.field_or_default(so, "journal_mode"),
        "SQLITE_JOURNAL_MODE_",
    );
    let delete_on_failure = tail(
        it.field_or_default(so, "failure_mode"),
        "SQLITE_FAILURE_MODE_",
    )
    .is_some_and(|m| m == "DELETE");
    let integrity_check = it
        .field_or_default(so, "integrity_check")
        .is_some_and(|v| v.as_bool());
    Some(SqliteOptions {
        path,
        synchronous,
        journal_mode,
        delete_on_failure,
        integrity_check,
    })
}

/// `Manager::MakeMaster`: `opts` is `None` for a memory store. An empty
/// SQLite path means `NAME.sqlite`.
fn make_master(it: &mut Interp, name: &str, opts: Option<SqliteOptions>) -> Option<Value> {
    if lookup(it, name).is_some() {
        return None;
    }
    let backend = match opts {
        None => Backend::memory(),
        Some(mut o) => {
            if o.path.is_empty() {
                o.path = format!("{name}.sqlite");
            }
            let mut deleted = None;
            let opened = Backend::sqlite(&o, |e| deleted = Some(e.to_owned()));
            if let Some(e) = deleted {
                it.warn(
                    None,
                    &format!("SQLite store {name}: deleting the database after: {e}"),
                );
            }
            match opened {
                Ok(b) => b,
                Err(e) => {
                    it.error(
                        None,
                        &format!("Failed to attach master store backend_failure: {e}"),
                    );
                    return None;
                }
            }
        }
    };
    let handle = make_opaque(
        it,
        Native::Store {
            name: name.to_owned(),
            open: true,
        },
    );
    stores(it).open.push(Open {
        name: name.to_owned(),
        handle: handle.clone(),
        master: Master::new(name, backend),
    });
    import_to_table(it, name);
    Some(handle)
}

/// `Manager::BrokerStoreToZeekTable`: fills a forwarded table from the
/// store's contents.
fn import_to_table(it: &mut Interp, name: &str) {
    let Some(table) = stores(it)
        .forwards
        .iter()
        .find(|f| f.store == name)
        .map(|f| f.table.clone())
    else {
        return;
    };
    let Some(i) = lookup(it, name) else { return };
    let entries = {
        let m = &stores(it).open[i].master;
        match m.keys() {
            Ok(Data::Set(keys)) => keys
                .into_iter()
                .map(|k| {
                    let v = m.get(&k);
                    (k, v)
                })
                .collect::<Vec<_>>(),
            _ => return,
        }
    };
    let tt = table.borrow().ty.clone();
    let is_set = tt.is_set();
    let key_ty = key_type(&tt);
    let Some(yield_ty) = tt
        .yield_type()
        .cloned()
        .or_else(|| is_set.then(|| tt.clone()))
    else {
        return;
    };
    for (k, v) in entries {
        let Some(zk) = key_ty
            .as_ref()
            .and_then(|t| super::convert::data_to_val(it, &k, t))
        else {
            let msg = format!(
                "Failed to convert key \"{}\" while importing broker store to table for store \"{name}\". Aborting import.",
                String::from_utf8_lossy(&k.to_text())
            );
            it.error(None, &msg);
            return;
        };
        let key = TableVal::key_from_index(&zk);
        if is_set {
            table.borrow_mut().insert(key, None);
            continue;
        }
        let Ok(v) = v else {
            let msg = format!(
                "Failed to load value for key {} while importing Broker store {name} to table",
                String::from_utf8_lossy(&k.to_text())
            );
            it.error(None, &msg);
            continue;
        };
        let Some(zv) = super::convert::data_to_val(it, &v, &yield_ty) else {
            let msg = format!(
                "Could not convert {} to table value while trying to import Broker store {name}. Aborting import.",
                String::from_utf8_lossy(&v.to_text())
            );
            it.error(None, &msg);
            return;
        };
        table.borrow_mut().insert(key, Some(zv));
    }
}

/// The type a store key converts to for a table: the index type, or the
/// list of index types.
fn key_type(tt: &TypeRef) -> Option<TypeRef> {
    let idx = tt.table_index()?;
    Some(match idx {
        [one] => one.clone(),
        many => Type::new(TypeKind::List(many.to_vec())),
    })
}

fn create_clone(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = String::from_utf8_lossy(arg(args, 0).as_bytes()).into_owned();
    if let Some(i) = lookup(it, &name) {
        return Ok(stores(it).open[i].handle.clone());
    }
    // Clones need a master on a peer, which this endpoint cannot reach.
    let msg = format!("Could not create clone of Broker store '{name}'");
    builtin_error(it, site, &msg, None);
    Ok(closed_handle(it))
}

fn is_closed(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let h = arg(args, 0);
    let name = match native_ref(it, &h) {
        Some(Native::Store { name, open }) => open.then(|| name.clone()),
        _ => {
            let msg = "invalid Broker store handle";
            builtin_error(it, site, msg, Some(&h));
            return Err(zest_runtime::RtErr);
        }
    };
    Ok(Value::Bool(name.is_none_or(|n| lookup(it, &n).is_none())))
}

fn close(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let h = arg(args, 0);
    let Some(i) = handle_store(it, &h) else {
        if !matches!(native_ref(it, &h), Some(Native::Store { .. })) {
            builtin_error(it, site, "invalid Broker store handle", Some(&h));
        }
        return Ok(Value::Bool(false));
    };
    let o = stores(it).open.remove(i);
    if let Some(Native::Store { open, .. }) = native_mut(it, &o.handle) {
        *open = false;
    }
    Ok(Value::Bool(true))
}

fn store_name(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let h = arg(args, 0);
    match handle_store(it, &h) {
        Some(i) => Ok(Value::str(stores(it).open[i].name.as_bytes())),
        None => {
            builtin_error(it, site, "invalid Broker store handle", Some(&h));
            Err(zest_runtime::RtErr)
        }
    }
}

// ------------------------------------------------------------------ queries

/// The common start of a query: the store, or Zeek's error and a failed
/// result.
fn query_store(it: &mut Interp, args: &[Value], site: &CallSite<'_>) -> Result<usize, Value> {
    let h = arg(args, 0);
    match handle_store(it, &h) {
        Some(i) => Ok(i),
        None => {
            builtin_error(it, site, "invalid Broker store handle", Some(&h));
            Err(query_result(it, None))
        }
    }
}

fn convert(it: &mut Interp, v: &Value, what: &str, site: &CallSite<'_>) -> Option<Data> {
    let d = val_to_data(it, v);
    if d.is_none() {
        let msg = format!("invalid Broker data conversion for {what} argument");
        builtin_error(it, site, &msg, Some(v));
    }
    d
}

/// Makes the calling `when` condition wait for `answer`, delivered at the
/// next poll. Outside a `when` condition, Zeek's error and a failed
/// result.
fn defer(it: &mut Interp, site: &CallSite<'_>, answer: Result<Data, StoreError>) -> RtResult {
    let Some(key) = it.call_parent else {
        builtin_error(
            it,
            site,
            "Broker queries can only be called inside when-condition",
            None,
        );
        return Ok(query_result(it, None));
    };
    let v = match answer {
        Ok(d) => query_result(it, Some(d)),
        Err(StoreError::NoSuchKey) => query_result(it, None),
        Err(e) => {
            // The trigger's timeout takes over.
            it.report(
                "internal warning",
                None,
                &format!("unknown store response status: {e}"),
            );
            it.suspended = true;
            return Ok(Value::Void);
        }
    };
    stores(it).answers.push((key, v));
    it.suspended = true;
    Ok(Value::Void)
}

fn exists(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let Some(k) = convert(it, &arg(args, 1), "key", site) else {
        return Ok(query_result(it, None));
    };
    let a = stores(it).open[i].master.exists(&k).map(Data::Bool);
    defer(it, site, a)
}

fn get(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let Some(k) = convert(it, &arg(args, 1), "key", site) else {
        return Ok(query_result(it, None));
    };
    let a = stores(it).open[i].master.get(&k);
    defer(it, site, a)
}

fn put_unique(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let Some(k) = convert(it, &arg(args, 1), "key", site) else {
        return Ok(query_result(it, None));
    };
    let Some(v) = convert(it, &arg(args, 2), "value", site) else {
        return Ok(query_result(it, None));
    };
    if it.call_parent.is_none() {
        return defer(it, site, Ok(Data::None));
    }
    let e = expiry(args.get(3));
    let done = stores(it).open[i].master.put_unique(k, v, e, now_ns());
    defer(it, site, Ok(Data::Bool(done)))
}

fn get_index_from_value(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let Some(k) = convert(it, &arg(args, 1), "key", site) else {
        return Ok(query_result(it, None));
    };
    let Some(x) = convert(it, &arg(args, 2), "index", site) else {
        return Ok(query_result(it, None));
    };
    let a = stores(it).open[i].master.get_index_from_value(&k, &x);
    defer(it, site, a)
}

fn keys(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let a = stores(it).open[i].master.keys();
    defer(it, site, a)
}

// ------------------------------------------------------------------ modifiers

/// Runs a modifier: the store, the converted arguments (named for the
/// error messages), then `f` on the master.
fn modify(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    names: &[(usize, &str)],
    f: impl FnOnce(&mut Master, Vec<Data>, i64),
) -> RtResult {
    let h = arg(args, 0);
    let Some(i) = handle_store(it, &h) else {
        builtin_error(it, site, "invalid Broker store handle", Some(&h));
        return Ok(Value::Bool(false));
    };
    let mut ds = Vec::with_capacity(names.len());
    for (pos, what) in names {
        match convert(it, &arg(args, *pos), what, site) {
            Some(d) => ds.push(d),
            None => return Ok(Value::Bool(false)),
        }
    }
    let now = now_ns();
    f(&mut stores(it).open[i].master, ds, now);
    Ok(Value::Bool(true))
}

fn take(ds: &mut Vec<Data>) -> Data {
    if ds.is_empty() {
        Data::None
    } else {
        ds.remove(0)
    }
}

fn put(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "value")],
        |m, mut d, now| {
            let k = take(&mut d);
            m.put(k, take(&mut d), e, now);
        },
    )
}

fn erase(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    modify(it, args, site, &[(1, "key")], |m, mut d, _| {
        m.erase(take(&mut d));
    })
}

fn increment(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "amount")],
        |m, mut d, now| {
            let k = take(&mut d);
            let a = take(&mut d);
            let init = ops::increment_init_type(&a);
            m.add(k, &a, init, e, now);
        },
    )
}

fn decrement(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "amount")],
        |m, mut d, now| {
            let k = take(&mut d);
            m.subtract(k, &take(&mut d), e, now);
        },
    )
}

fn append(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "str")],
        |m, mut d, now| {
            let k = take(&mut d);
            m.add(k, &take(&mut d), 5, e, now);
        },
    )
}

fn insert_into_set(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "index")],
        |m, mut d, now| {
            let k = take(&mut d);
            m.add(k, &take(&mut d), 12, e, now);
        },
    )
}

fn insert_into_table(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(4));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "index"), (3, "value")],
        |m, mut d, now| {
            let k = take(&mut d);
            let idx = take(&mut d);
            let v = take(&mut d);
            m.add(k, &Data::Vector(vec![idx, v]), 13, e, now);
        },
    )
}

fn remove_from(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "index")],
        |m, mut d, now| {
            let k = take(&mut d);
            m.subtract(k, &take(&mut d), e, now);
        },
    )
}

fn push(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "value")],
        |m, mut d, now| {
            let k = take(&mut d);
            m.add(k, &take(&mut d), 14, e, now);
        },
    )
}

fn pop(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(2));
    modify(it, args, site, &[(1, "key")], |m, mut d, now| {
        m.subtract(take(&mut d), &Data::None, e, now);
    })
}

fn clear(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    modify(it, args, site, &[], |m, _, _| m.clear())
}

// ------------------------------------------------------------------ run loop

/// Hands waiting answers to their triggers and expires entries (every
/// 100 ms, Broker's store tick).
pub fn poll(it: &mut Interp) {
    let st = stores(it);
    if st.open.is_empty() && st.answers.is_empty() {
        return;
    }
    let now = now_secs();
    if now - st.last_expiry_check >= 0.1 {
        st.last_expiry_check = now;
        let ns = (now * 1e9) as i64;
        for o in &mut st.open {
            o.master.expire(ns);
            // Changes made here are this process's own: forwarded tables
            // expire on their own, as in Zeek.
            o.master.events.clear();
        }
    } else {
        for o in &mut st.open {
            o.master.events.clear();
        }
    }
    let answers = std::mem::take(&mut stores(it).answers);
    for (key, v) in answers {
        it.deliver_call_result(key, v);
    }
}

/// `Manager::Terminate`: closes every store. Databases are left as the
/// ending process finds them (see [`Backend::abandon`]).
pub fn shutdown(it: &mut Interp) {
    let open = std::mem::take(&mut stores(it).open);
    for o in open {
        if let Some(Native::Store { open, .. }) = native_mut(it, &o.handle) {
            *open = false;
        }
        o.master.abandon();
    }
    stores(it).answers.clear();
}

// ------------------------------------------------------------------ table forwarding

/// `InitializeBrokerStoreForwarding` and the `&broker_store` part of
/// `TableVal::SetAttrs`: connects the tables declared with `&backend` or
/// `&broker_store` to their stores (creating the masters of `&backend`
/// tables when `Broker::table_store_master` is set).
pub fn init_forwarding(it: &mut Interp) {
    let mut masters = Vec::new();
    for g in 0..it.prog.globals.len() {
        let (attrs, value, gname) = {
            let gl = &it.prog.globals[g];
            if !gl.attrs.has(AttrKind::BrokerStore) && !gl.attrs.has(AttrKind::Backend) {
                continue;
            }
            (gl.attrs.clone(), gl.value.clone(), gl.name)
        };
        let Value::Table(t) = value else { continue };
        if let Some(e) = attrs.get(AttrKind::BrokerStore) {
            let Ok(v) = it.eval(e) else { continue };
            let name = String::from_utf8_lossy(v.as_bytes()).into_owned();
            add_forward(it, &name, &t);
        }
        if let Some(e) = attrs.get(AttrKind::Backend) {
            let Ok(v) = it.eval(e) else { continue };
            let name = format!("___sync_store_{}", gname.as_str());
            add_forward(it, &name, &t);
            let sqlite = enum_name(&v).is_some_and(|n| n.ends_with("SQLITE"));
            masters.push((name, sqlite));
        }
    }
    let manager =
        super::global_value(it, "Broker::table_store_master").is_some_and(|v| v.as_bool());
    if !manager {
        return;
    }
    let dir = super::global_value(it, "Broker::table_store_db_directory")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_else(|| ".".into());
    for (name, sqlite) in masters {
        let opts = sqlite.then(|| SqliteOptions {
            path: format!("{dir}/{name}.sqlite"),
            ..SqliteOptions::default()
        });
        make_master(it, &name, opts);
    }
}

/// `Manager::AddForwardedStore`.
fn add_forward(it: &mut Interp, name: &str, t: &Rc<RefCell<TableVal>>) {
    let st = stores(it);
    if st.forwards.iter().any(|f| f.store == name) {
        let msg = format!("same &broker_store {name} specified for two different variables");
        it.error(None, &msg);
        return;
    }
    let id = st.forwards.len() as u32;
    st.forwards.push(Forward {
        store: name.to_owned(),
        table: t.clone(),
    });
    t.borrow_mut().store_sync = Some(id);
}

/// `TableVal::SendToStore` for a script's change to a forwarded table.
pub fn table_changed(it: &mut Interp, id: u32, key: &[Value], change: TableChange<'_>) {
    let Some(name) = stores(it)
        .forwards
        .get(id as usize)
        .map(|f| f.store.clone())
    else {
        return;
    };
    let Some(i) = lookup(it, &name) else { return };
    let k = match key {
        [one] => val_to_data(it, one),
        many => {
            let mut xs = Vec::with_capacity(many.len());
            for v in many {
                match val_to_data(it, v) {
                    Some(d) => xs.push(d),
                    None => {
                        xs.clear();
                        break;
                    }
                }
            }
            (xs.len() == many.len()).then_some(Data::Vector(xs))
        }
    };
    let Some(k) = k else {
        it.error(None, "invalid Broker data conversation for table index");
        return;
    };
    match change {
        TableChange::Removed => stores(it).open[i].master.erase(k),
        TableChange::Assigned(v) => {
            let d = match v {
                None => Data::None,
                Some(v) => match val_to_data(it, v) {
                    Some(d) => d,
                    None => {
                        it.error(None, "invalid Broker data conversation for table value");
                        return;
                    }
                },
            };
            stores(it).open[i].master.put(k, d, None, now_ns());
        }
    }
}
