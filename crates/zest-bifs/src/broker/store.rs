//! `store.bif`: Broker data stores (`src/broker/Store.cc`, the store parts
//! of `Manager.cc`), on `zest-store`'s masters.
//!
//! A master lives in this process, so commands apply at once, in order;
//! a clone keeps a copy of a master on a peer, replicated over Broker's
//! store channels (`zest_store::Clone`), and sends its writes to that
//! master. Both are ticked every 100 ms from the run loop's Broker poll.
//! Queries (`get`, `exists`, `put_unique`, `get_index_from_value`,
//! `keys`) must be called inside a `when` condition: the answer is
//! computed now and handed to the waiting trigger when the run loop next
//! polls Broker, as Zeek's store query callbacks do (a clone still
//! waiting for its master's snapshot delays reads up to 5 s, then leaves
//! them to the `when` timeout; a clone's `put_unique` waits for the
//! master's answer). Tables declared with `&backend` or `&broker_store`
//! forward their changes to their store and follow the store's changes
//! made elsewhere (`Manager::ProcessStoreEvent`).

use super::convert::{
    data_record, lookup_type, make_opaque, native_mut, native_ref, val_to_data, Native,
};
use crate::support::builtin_error;
use std::cell::RefCell;
use std::rc::Rc;
use zest_broker::store::{Command, EntityId, InternalCommand};
use zest_broker::Data;
use zest_runtime::interp::TableChange;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Type, TypeKind, TypeRef};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_store::{ops, Backend, Clone, Master, SqliteOptions, StoreError, StoreEvent};
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

/// A store's actor in this process.
enum Role {
    Master(Master),
    Clone(Clone),
}

/// One open store.
struct Open {
    name: String,
    /// The script's handle (the same one for every lookup by name).
    handle: Value,
    role: Role,
    /// The front-end entity that asks `put_unique` (Broker's proxy).
    proxy: EntityId,
}

impl Open {
    /// The store actor's entity: the publisher of this front-end's writes.
    fn id(&self) -> EntityId {
        match &self.role {
            Role::Master(m) => m.id,
            Role::Clone(c) => c.id,
        }
    }
}

/// A read.
enum Query {
    Exists(Data),
    Get(Data),
    GetIndex(Data, Data),
    Keys,
}

/// A read on a clone that waits for its master's snapshot.
struct Waiting {
    store: String,
    key: (u64, usize),
    query: Query,
    /// When Broker gives up (`stale_data`; Zeek then leaves the query to
    /// the `when` timeout).
    deadline: f64,
}

/// Broker's store tick.
const TICK: f64 = 0.1;
/// `broker.store.max-get-delay`.
const MAX_GET_DELAY: f64 = 5.0;

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
    /// Reads waiting for a clone's master.
    waiting: Vec<Waiting>,
    /// A clone's `put_unique` calls waiting for the master: store, request
    /// id, trigger call site.
    unique: Vec<(String, u64, (u64, usize))>,
    next_tick: f64,
    /// Object numbers of store entities on this endpoint.
    next_object: u64,
    next_request: u64,
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
    match make_master(it, &name, opts, Some(site)) {
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
/// SQLite path means `NAME.sqlite`. `site` is the script's call, if any,
/// where a failure is reported.
fn make_master(
    it: &mut Interp,
    name: &str,
    opts: Option<SqliteOptions>,
    site: Option<&CallSite<'_>>,
) -> Option<Value> {
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
                    broker_console_error(&e);
                    // Broker's error carries no context here: only its code.
                    let msg = "Failed to attach master store backend_failure:";
                    match site {
                        Some(site) => builtin_error(it, site, msg, None),
                        None => it.error(None, msg),
                    }
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
    let (id, proxy) = new_entities(it);
    stores(it).open.push(Open {
        name: name.to_owned(),
        handle: handle.clone(),
        role: Role::Master(Master::new(name, backend, id)),
        proxy,
    });
    super::subscribe_store(it, &zest_broker::store::master_topic(name));
    import_to_table(it, name);
    Some(handle)
}

/// Broker's console log of an error (format `[%c/%p] %d %m`), shown
/// unless `BROKER_CONSOLE_VERBOSITY` is `quiet`.
fn broker_console_error(msg: &str) {
    if std::env::var("BROKER_CONSOLE_VERBOSITY").is_ok_and(|v| v == "quiet") {
        return;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let date = crate::logging::format::iso8601(now).unwrap_or_default();
    eprintln!("[broker/ERROR] {date} {msg}");
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
        let Role::Master(m) = &stores(it).open[i].role else {
            return;
        };
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
    if super::endpoint(it).is_none() {
        let msg = format!("Could not create clone of Broker store '{name}'");
        builtin_error(it, site, &msg, None);
        return Ok(closed_handle(it));
    }
    // Broker 2.5 ignores the resync, stale and mutation buffer intervals.
    let handle = make_opaque(
        it,
        Native::Store {
            name: name.clone(),
            open: true,
        },
    );
    let (id, proxy) = new_entities(it);
    super::subscribe_store(it, &zest_broker::store::clone_topic(&name));
    stores(it).open.push(Open {
        name: name.clone(),
        handle: handle.clone(),
        role: Role::Clone(Clone::new(&name, id)),
        proxy,
    });
    let i = stores(it).open.len() - 1;
    flush(it, i);
    Ok(handle)
}

/// Entities for a new store actor and its front-end proxy.
fn new_entities(it: &mut Interp) -> (EntityId, EntityId) {
    let endpoint = super::node(it);
    let st = stores(it);
    // Object numbers as CAF hands them out: the actor, then its proxy.
    let base = st.next_object.max(6) + 1;
    st.next_object = base + 1;
    (
        EntityId {
            endpoint,
            object: base,
        },
        EntityId {
            endpoint,
            object: base + 1,
        },
    )
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
        builtin_error(it, site, "invalid Broker store handle", Some(&h));
        return Ok(Value::Bool(false));
    };
    let o = stores(it).open.remove(i);
    // `Manager::CloseStore` resets the handle: it names no store.
    if let Some(Native::Store { open, name }) = native_mut(it, &o.handle) {
        *open = false;
        name.clear();
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

/// The answer to a read from a store that can answer now.
fn answer(role: &Role, q: &Query) -> Result<Data, StoreError> {
    match (role, q) {
        (Role::Master(m), Query::Exists(k)) => m.exists(k).map(Data::Bool),
        (Role::Master(m), Query::Get(k)) => m.get(k),
        (Role::Master(m), Query::GetIndex(k, x)) => m.get_index_from_value(k, x),
        (Role::Master(m), Query::Keys) => m.keys(),
        (Role::Clone(c), Query::Exists(k)) => Ok(Data::Bool(c.exists(k))),
        (Role::Clone(c), Query::Get(k)) => c.get(k),
        (Role::Clone(c), Query::GetIndex(k, x)) => c.get_index_from_value(k, x),
        (Role::Clone(c), Query::Keys) => Ok(c.keys()),
    }
}

/// Runs a read: answered at the next poll, or, on a clone without its
/// master yet, once the master's snapshot arrives.
fn query(it: &mut Interp, site: &CallSite<'_>, i: usize, q: Query) -> RtResult {
    let Some(key) = it.call_parent else {
        return defer(it, site, Ok(Data::None));
    };
    let (ready, dead) = match &stores(it).open[i].role {
        Role::Master(_) => (true, false),
        Role::Clone(c) => (c.has_master(), c.dead),
    };
    if ready {
        let a = answer(&stores(it).open[i].role, &q);
        return defer(it, site, a);
    }
    if !dead {
        let deadline = now_secs() + MAX_GET_DELAY;
        let st = stores(it);
        let store = st.open[i].name.clone();
        st.waiting.push(Waiting {
            store,
            key,
            query: q,
            deadline,
        });
    }
    // A clone that gave up on its master never answers.
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
    query(it, site, i, Query::Exists(k))
}

fn get(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let Some(k) = convert(it, &arg(args, 1), "key", site) else {
        return Ok(query_result(it, None));
    };
    query(it, site, i, Query::Get(k))
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
    let Some(key) = it.call_parent else {
        return defer(it, site, Ok(Data::None));
    };
    let e = expiry(args.get(3));
    let st = stores(it);
    st.next_request += 1;
    let req_id = st.next_request;
    let o = &mut st.open[i];
    let cmd = Command::PutUnique {
        key: k,
        value: v,
        expiry: e,
        who: o.proxy,
        req_id,
        publisher: o.id(),
    };
    let done = match &mut o.role {
        Role::Master(m) => m.apply(cmd, now_ns()),
        Role::Clone(c) => {
            c.write(cmd);
            let store = o.name.clone();
            st.unique.push((store, req_id, key));
            None
        }
    };
    flush(it, i);
    match done {
        Some(d) => defer(it, site, Ok(Data::Bool(d))),
        None => {
            it.suspended = true;
            Ok(Value::Void)
        }
    }
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
    query(it, site, i, Query::GetIndex(k, x))
}

fn keys(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let i = match query_store(it, args, site) {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    query(it, site, i, Query::Keys)
}

// ------------------------------------------------------------------ modifiers

/// Runs a modifier: the store, the converted arguments (named for the
/// error messages), then the command `f` builds from them and the
/// publisher, applied by a master or sent to the master by a clone.
fn modify(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    names: &[(usize, &str)],
    f: impl FnOnce(Vec<Data>, EntityId) -> Command,
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
    let publisher = stores(it).open[i].id();
    run_command(it, i, f(ds, publisher));
    Ok(Value::Bool(true))
}

/// Hands a write to store `i` and sends what it produced.
fn run_command(it: &mut Interp, i: usize, cmd: Command) {
    let now = now_ns();
    match &mut stores(it).open[i].role {
        Role::Master(m) => {
            m.apply(cmd, now);
        }
        Role::Clone(c) => c.write(cmd),
    }
    flush(it, i);
}

fn take(ds: &mut Vec<Data>) -> Data {
    if ds.is_empty() {
        Data::None
    } else {
        ds.remove(0)
    }
}

fn put(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let expiry = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "value")],
        |mut d, publisher| Command::Put {
            key: take(&mut d),
            value: take(&mut d),
            expiry,
            publisher,
        },
    )
}

fn erase(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    modify(it, args, site, &[(1, "key")], |mut d, publisher| {
        Command::Erase {
            key: take(&mut d),
            publisher,
        }
    })
}

/// An `add` command.
fn add_cmd(
    key: Data,
    value: Data,
    init_type: u8,
    expiry: Option<i64>,
    publisher: EntityId,
) -> Command {
    Command::Add {
        key,
        value,
        init_type,
        expiry,
        publisher,
    }
}

fn increment(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "amount")],
        |mut d, publisher| {
            let k = take(&mut d);
            let a = take(&mut d);
            let init = ops::increment_init_type(&a);
            add_cmd(k, a, init, e, publisher)
        },
    )
}

fn decrement(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    subtract(it, args, site, "amount")
}

/// `decrement` and `remove_from`: Broker's subtract command on the value
/// at a key (argument 2, named `what` in conversion errors).
fn subtract(
    it: &mut Interp,
    args: &mut [Value],
    site: &CallSite<'_>,
    what: &'static str,
) -> RtResult {
    let expiry = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, what)],
        |mut d, publisher| Command::Subtract {
            key: take(&mut d),
            value: take(&mut d),
            expiry,
            publisher,
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
        |mut d, publisher| {
            let k = take(&mut d);
            add_cmd(k, take(&mut d), 5, e, publisher)
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
        |mut d, publisher| {
            let k = take(&mut d);
            add_cmd(k, take(&mut d), 12, e, publisher)
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
        |mut d, publisher| {
            let k = take(&mut d);
            let idx = take(&mut d);
            let v = take(&mut d);
            add_cmd(k, Data::Vector(vec![idx, v]), 13, e, publisher)
        },
    )
}

fn remove_from(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    subtract(it, args, site, "index")
}

fn push(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let e = expiry(args.get(3));
    modify(
        it,
        args,
        site,
        &[(1, "key"), (2, "value")],
        |mut d, publisher| {
            let k = take(&mut d);
            add_cmd(k, take(&mut d), 14, e, publisher)
        },
    )
}

fn pop(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let expiry = expiry(args.get(2));
    modify(it, args, site, &[(1, "key")], |mut d, publisher| {
        Command::Subtract {
            key: take(&mut d),
            value: Data::None,
            expiry,
            publisher,
        }
    })
}

fn clear(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    modify(it, args, site, &[], |_, publisher| Command::Clear {
        publisher,
    })
}

// ------------------------------------------------------------------ run loop

/// Sends the commands store `i` produced and applies its changes to the
/// table that follows it.
fn flush(it: &mut Interp, i: usize) {
    let st = stores(it);
    let Some(o) = st.open.get_mut(i) else { return };
    let own = o.id();
    let (outgoing, events) = match &mut o.role {
        Role::Master(m) => (
            std::mem::take(&mut m.outgoing),
            std::mem::take(&mut m.events),
        ),
        Role::Clone(c) => (
            std::mem::take(&mut c.outgoing),
            std::mem::take(&mut c.events),
        ),
    };
    if !outgoing.is_empty() {
        if let Some(ep) = super::state(it).endpoint.as_ref() {
            for o in outgoing {
                ep.publish_command(&o.topic, o.receiver, o.payload);
            }
        }
    }
    // Changes this front-end made itself are already in the table.
    if events.iter().all(|e| publisher_of(e) == own) {
        return;
    }
    let name = stores(it).open[i].name.clone();
    let Some(table) = stores(it)
        .forwards
        .iter()
        .find(|f| f.store == name)
        .map(|f| f.table.clone())
    else {
        return;
    };
    for ev in events {
        process_store_event(it, &name, &table, own, ev);
    }
}

fn publisher_of(e: &StoreEvent) -> EntityId {
    match e {
        StoreEvent::Insert { publisher, .. }
        | StoreEvent::Update { publisher, .. }
        | StoreEvent::Erase { publisher, .. }
        | StoreEvent::Expire { publisher, .. } => *publisher,
    }
}

/// Answers that became possible: reads waiting for a clone's snapshot
/// (or given up after [`MAX_GET_DELAY`]) and a clone's `put_unique`
/// results.
fn settle(it: &mut Interp, now: f64) {
    if !stores(it).waiting.is_empty() {
        let waiting = std::mem::take(&mut stores(it).waiting);
        for w in waiting {
            let st = stores(it);
            let Some(o) = st.open.iter().find(|o| o.name == w.store) else {
                continue;
            };
            let ready = match &o.role {
                Role::Clone(c) => c.has_master(),
                Role::Master(_) => true,
            };
            if ready {
                let v = match answer(&o.role, &w.query) {
                    Ok(d) => Some(Some(d)),
                    Err(StoreError::NoSuchKey) => Some(None),
                    Err(_) => None,
                };
                if let Some(d) = v {
                    let v = query_result(it, d);
                    stores(it).answers.push((w.key, v));
                }
            } else if now < w.deadline {
                st.waiting.push(w);
            }
            // stale_data: the `when` timeout takes over.
        }
    }
    let st = stores(it);
    let mut done = Vec::new();
    for o in &mut st.open {
        if let Role::Clone(c) = &mut o.role {
            // Results for other front-ends' requests are not ours.
            for (who, req, inserted) in c.results.drain(..) {
                if who == o.proxy {
                    done.push((o.name.clone(), req, inserted));
                }
            }
        }
    }
    for (store, req, inserted) in done {
        let st = stores(it);
        if let Some(p) = st.unique.iter().position(|u| u.0 == store && u.1 == req) {
            let (_, _, key) = st.unique.remove(p);
            let v = query_result(it, Some(Data::Bool(inserted)));
            stores(it).answers.push((key, v));
        }
    }
}

/// A store command from a peer, for the master or clone of its topic.
pub fn dispatch_command(it: &mut Interp, topic: &[u8], payload: &[u8]) {
    let Some((name, to_master)) = zest_broker::store::parse_topic(topic) else {
        return;
    };
    let Ok(cmd) = InternalCommand::decode(payload) else {
        return;
    };
    let Some(i) = stores(it)
        .open
        .iter()
        .position(|o| o.name.as_bytes() == name)
    else {
        return;
    };
    let now = now_ns();
    match &mut stores(it).open[i].role {
        Role::Master(m) if to_master => m.dispatch(cmd, now),
        Role::Clone(c) if !to_master => c.dispatch(cmd),
        _ => return,
    }
    flush(it, i);
}

/// Ticks the stores every 100 ms (channel timers, expiration) and hands
/// waiting answers to their triggers.
pub fn poll(it: &mut Interp) {
    let st = stores(it);
    if st.open.is_empty() && st.answers.is_empty() {
        return;
    }
    let now = now_secs();
    if now >= st.next_tick {
        // Ticks that were missed are not made up for.
        st.next_tick = if now - st.next_tick > 1.0 {
            now + TICK
        } else {
            st.next_tick + TICK
        };
        let ns = (now * 1e9) as i64;
        for i in 0..stores(it).open.len() {
            match &mut stores(it).open[i].role {
                Role::Master(m) => m.tick(ns),
                Role::Clone(c) => c.tick(),
            }
            flush(it, i);
        }
    }
    settle(it, now);
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
        if let Role::Master(m) = o.role {
            m.abandon();
        }
    }
    let st = stores(it);
    st.answers.clear();
    st.waiting.clear();
    st.unique.clear();
}

/// `Manager::ProcessStoreEvent`: a change of the store made elsewhere
/// (not by this front-end) is applied to the table following it, without
/// sending it back to the store. Expirations are left to the table.
fn process_store_event(
    it: &mut Interp,
    store: &str,
    table: &Rc<RefCell<TableVal>>,
    own: EntityId,
    ev: StoreEvent,
) {
    match ev {
        StoreEvent::Insert {
            key,
            value,
            publisher,
            ..
        } if publisher != own => insert_from_store(it, store, table, &key, &value, "Insert"),
        StoreEvent::Update {
            key,
            new,
            publisher,
            ..
        } if publisher != own => insert_from_store(it, store, table, &key, &new, "Update"),
        StoreEvent::Erase { key, publisher } if publisher != own => {
            let tt = table.borrow().ty.clone();
            let first = tt.table_index().and_then(|x| x.first().cloned());
            let zk = first.and_then(|t| super::convert::data_to_val(it, &key, &t));
            let Some(zk) = zk else {
                let msg = format!(
                    "ProcessStoreEvent: could not convert key \"{}\" for store \"{store}\" while receiving remote erase. This probably means the tables have different types on different nodes.",
                    String::from_utf8_lossy(&key.to_text())
                );
                it.error(None, &msg);
                return;
            };
            table.borrow_mut().remove(&TableVal::key_from_index(&zk));
        }
        _ => {}
    }
}

/// `ProcessStoreEventInsertUpdate`.
fn insert_from_store(
    it: &mut Interp,
    store: &str,
    table: &Rc<RefCell<TableVal>>,
    key: &Data,
    value: &Data,
    what: &str,
) {
    let tt = table.borrow().ty.clone();
    let is_set = tt.is_set();
    if is_set && *value != Data::None {
        let msg = format!(
            "ProcessStoreEvent {what} got {} when expecting set",
            value.type_name()
        );
        it.error(None, &msg);
        return;
    }
    let zk = key_type(&tt).and_then(|t| super::convert::data_to_val(it, key, &t));
    let Some(zk) = zk else {
        let msg = format!(
            "ProcessStoreEvent {what}: could not convert key \"{}\" for store \"{store}\" while receiving remote data. This probably means the tables have different types on different nodes.",
            String::from_utf8_lossy(&key.to_text())
        );
        it.error(None, &msg);
        return;
    };
    let k = TableVal::key_from_index(&zk);
    if is_set {
        table.borrow_mut().insert(k, None);
        return;
    }
    let zv = tt
        .yield_type()
        .cloned()
        .and_then(|t| super::convert::data_to_val(it, value, &t));
    let Some(zv) = zv else {
        let msg = format!(
            "ProcessStoreEvent {what}: could not convert value \"{}\" for key \"{}\" in store \"{store}\" while receiving remote data. This probably means the tables have different types on different nodes.",
            String::from_utf8_lossy(&value.to_text()),
            String::from_utf8_lossy(&key.to_text())
        );
        it.error(None, &msg);
        return;
    };
    table.borrow_mut().insert(k, Some(zv));
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
        make_master(it, &name, opts, None);
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
    let publisher = stores(it).open[i].id();
    match change {
        TableChange::Removed => run_command(it, i, Command::Erase { key: k, publisher }),
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
            let cmd = Command::Put {
                key: k,
                value: d,
                expiry: None,
                publisher,
            };
            run_command(it, i, cmd);
        }
    }
}
