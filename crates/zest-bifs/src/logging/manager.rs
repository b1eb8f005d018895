//! The log manager: streams, their filters and writers, and the path from
//! a `Log::write` call to a writer.
//!
//! Upstream: `src/logging/Manager.cc` (`CreateStream`, `AddFilter`,
//! `TraverseRecord`, `Write`, `ValToLogVal`, `RecordToFilterVals`,
//! `CreateWriter`, `SetBuf`, `Flush`, `Terminate`).
//!
//! The state lives in the interpreter's extension map as one shared
//! `Rc<RefCell<Manager>>`; no borrow of it is held while script code runs
//! (policy hooks, path and extension functions), so that code may log too.

use super::ascii::{Ascii, AsciiOptions};
use super::none::NoneWriter;
use super::rotation;
use super::sqlite::{Sqlite, SqliteOptions};
use super::value::{LogData, LogField, LogValue};
use super::writer::{Backend, BackendMsg, Frontend, Replies, Writer, WriterInfo};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::rc::Rc;
use zest_runtime::describe::Style;
use zest_runtime::ir::Loc;
use zest_runtime::types::{same_type, Flavor, Tag, TypeKind, TypeRef};
use zest_runtime::value::FuncValKind;
use zest_runtime::{Interp, RtErr, Value};
use zest_syntax::Symbol;

const KEY: &str = "logging";

type WriterKey = (i64, Vec<u8>);

type EntryRef = Rc<RefCell<WriterEntry>>;

#[derive(Default)]
pub struct Manager {
    /// Streams by the value of their `Log::ID`.
    streams: BTreeMap<i64, Stream>,
    /// Writer output the main loop has not processed yet: reporter
    /// messages and finished rotations, with their sequence number and
    /// the writer's name and entry.
    pending: Vec<(u64, String, Option<EntryRef>, BackendMsg)>,
    /// Stopped writers whose threads may still be finishing.
    stopped: Vec<EntryRef>,
    /// `Manager::Terminate` ran: writers created since never finish.
    terminated: bool,
}

struct Stream {
    /// The stream's `Log::ID` value.
    id: Value,
    enabled: bool,
    /// `Log::enable_remote_logging` when the stream was created: whether
    /// its writers are announced to new peers.
    enable_remote: bool,
    columns: TypeRef,
    /// The event raised per write (a global event's id).
    event: Option<u32>,
    policy: Option<Value>,
    filters: Vec<Rc<RefCell<Filter>>>,
    /// Writers by (writer type, path), in `std::map` order.
    writers: BTreeMap<WriterKey, Rc<RefCell<WriterEntry>>>,
}

struct Filter {
    fval: Value,
    name: Vec<u8>,
    policy: Option<Value>,
    path_func: Option<Value>,
    path: Vec<u8>,
    path_val: Option<Vec<u8>>,
    writer: Value,
    config: Value,
    field_name_map: Value,
    scope_sep: Vec<u8>,
    ext_prefix: Vec<u8>,
    ext_func: Option<Value>,
    ext_type: Option<TypeRef>,
    num_ext_fields: usize,
    local: bool,
    remote: bool,
    interval: f64,
    postprocessor: Option<Value>,
    fields: Vec<LogField>,
    /// Per field, the record indices leading to its value.
    indices: Vec<Vec<usize>>,
}

/// `Manager::WriterInfo`.
struct WriterEntry {
    /// The `Log::Writer` value.
    ty: Value,
    open_time: f64,
    interval: f64,
    postprocessor: Option<Value>,
    frontend: Frontend,
    info: WriterInfo,
    instantiating_filter: Vec<u8>,
    /// Writes are published to Broker peers (the filter's `log_remote`).
    remote: bool,
    /// Instantiated for a peer's LogCreate.
    from_remote: bool,
    /// The pending rotation timer: when it fires, and whether it rotates
    /// (one installed before network time was known only reschedules).
    rotation_timer: Option<(f64, bool)>,
}

pub fn manager(it: &mut Interp) -> Rc<RefCell<Manager>> {
    it.ext_mut::<Rc<RefCell<Manager>>>(KEY).clone()
}

// ---------------------------------------------------------------- helpers

fn enum_index(v: &Value) -> i64 {
    match v {
        Value::Enum(_, i) => *i,
        other => other.as_int(),
    }
}

fn enum_name(v: &Value) -> String {
    match v {
        Value::Enum(t, i) => match &t.kind {
            TypeKind::Enum(et) => et
                .name_of(*i)
                .map_or_else(String::new, |s| s.as_str().to_owned()),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

fn global(it: &Interp, name: &str) -> Option<Value> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    match &it.prog.globals[gid as usize].value {
        Value::Void => None,
        v => Some(v.clone()),
    }
}

/// The name of an enum global's value (`Log::REDIRECT_NONE`).
/// The writers running (each on a thread of its own, as Zeek's
/// `MsgThread`s): `get_thread_stats`.
pub fn writer_count(it: &mut Interp) -> usize {
    let m = manager(it);
    let m = m.borrow();
    m.streams.values().map(|s| s.writers.len()).sum()
}

pub fn global_enum_name(it: &Interp, name: &str) -> Option<String> {
    let v = global(it, name)?;
    let n = enum_name(&v);
    (!n.is_empty()).then_some(n)
}

fn global_bool(it: &Interp, name: &str, default: bool) -> bool {
    global(it, name).map_or(default, |v| v.as_bool())
}

fn global_bytes(it: &Interp, name: &str, default: &[u8]) -> Vec<u8> {
    match global(it, name) {
        Some(Value::String(s)) => s.to_vec(),
        _ => default.to_vec(),
    }
}

/// `GetFieldOrDefault`: the field's value, else its `&default`.
fn field(it: &mut Interp, rec: &Value, name: &str) -> Option<Value> {
    it.field_or_default(rec, name)
}

fn bytes_of(v: Option<Value>) -> Vec<u8> {
    v.map(|v| v.as_bytes().to_vec()).unwrap_or_default()
}

/// A C string's view (`CheckString()`): up to an embedded NUL.
fn cstring(b: &[u8]) -> Vec<u8> {
    match zest_runtime::render::string::check_string(b) {
        Ok(s) => s.to_vec(),
        Err(s) => s.to_vec(),
    }
}

fn func_type(f: &Value) -> Option<TypeRef> {
    match f {
        Value::Func(fv) => Some(fv.ty.clone()),
        _ => None,
    }
}

/// The return type of a function value; `None` for `void`.
fn func_yield(f: &Value) -> Option<TypeRef> {
    let t = func_type(f)?;
    let ret = t.func()?.ret.clone()?;
    (ret.tag() != Tag::Void).then_some(ret)
}

/// Runs a policy hook; false when a handler `break`s.
fn invoke_hook(it: &mut Interp, hook: &Value, args: &[Value], loc: Loc) -> bool {
    match hook {
        Value::Func(fv) => match &fv.kind {
            FuncValKind::Global(gid) => !matches!(it.call_hook(*gid, args), Ok(false)),
            _ => {
                let mut a = args.to_vec();
                !matches!(it.call_value(hook, &mut a, loc), Ok(Value::Bool(false)))
            }
        },
        _ => true,
    }
}

/// Types Zeek keeps as `TYPE_INTERNAL_OTHER` (not flattened to a scalar).
fn internal_other(t: Tag) -> bool {
    !matches!(
        t,
        Tag::Bool
            | Tag::Int
            | Tag::Enum
            | Tag::Count
            | Tag::Port
            | Tag::Addr
            | Tag::Subnet
            | Tag::String
            | Tag::Double
            | Tag::Time
            | Tag::Interval
            | Tag::Void
            | Tag::Error
    )
}

/// Takes a backend's messages. What Zeek's writer thread does itself
/// happens now (standard output, disabling the frontend); what it sends
/// to the main thread (reporter messages, finished rotations) waits for
/// [`process_pending`], as Zeek's main loop processes thread output only
/// between its iterations and at termination.
fn deliver(it: &mut Interp, name: &str, entry: Option<&Rc<RefCell<WriterEntry>>>, msgs: Replies) {
    let m = manager(it);
    for (seq, msg) in msgs {
        match msg {
            BackendMsg::Stdout(b) => {
                let _ = it.out.write_all(&b);
            }
            BackendMsg::PlainWarning(s) => it.warn(None, &s),
            BackendMsg::Disable => {
                if let Some(e) = entry {
                    e.borrow_mut().frontend.disabled = true;
                }
            }
            other => m
                .borrow_mut()
                .pending
                .push((seq, name.to_owned(), entry.cloned(), other)),
        }
    }
}

/// Processes the writers' pending output: reports their messages and runs
/// the postprocessors of finished rotations.
pub fn process_pending(it: &mut Interp) {
    loop {
        let mut batch = std::mem::take(&mut manager(it).borrow_mut().pending);
        if batch.is_empty() {
            return;
        }
        // The order the operations causing them were issued in.
        batch.sort_by_key(|p| p.0);
        for (_, name, entry, msg) in batch {
            match msg {
                BackendMsg::Info(s) => it.report_info(&format!("{name}: {s}")),
                BackendMsg::Warning(s) => it.warn(None, &format!("{name}: {s}")),
                BackendMsg::Error(s) => it.error(None, &format!("{name}: {s}")),
                BackendMsg::RotationFinished {
                    new_name,
                    success,
                    open,
                    close,
                    terminating,
                    ..
                } => {
                    if let (Some(e), Some(new_name), true) = (&entry, new_name, success) {
                        if !finished_rotation(it, e, &new_name, open, close, terminating) {
                            it.error(None, "RotationFinished failed, terminating thread");
                            let nt = it.network_time;
                            stop_writer(it, e, nt);
                        }
                    }
                }
                BackendMsg::Stdout(_) | BackendMsg::PlainWarning(_) | BackendMsg::Disable => {}
            }
        }
    }
}

// ---------------------------------------------------------------- coercion

/// `RecordVal::CoerceTo`: the same record when the types are the same,
/// else a new record of type `t` with the fields taken by name.
pub fn coerce_record(
    it: &mut Interp,
    v: &Value,
    t: &TypeRef,
    allow_orphaning: bool,
) -> Option<Value> {
    let Value::Record(r) = v else { return None };
    let src_ty = r.borrow().ty.clone();
    if same_type(&src_ty, t) {
        return Some(v.clone());
    }
    if !promotion_compatible(t, &src_ty) {
        return None;
    }
    let out = it.default_value(t);
    let Value::Record(o) = &out else { return None };
    let (src_fields, vals) = {
        let rb = r.borrow();
        let names: Vec<Symbol> = src_ty
            .record()
            .map(|rt| rt.fields.borrow().iter().map(|f| f.name).collect())
            .unwrap_or_default();
        (names, rb.fields.clone())
    };
    let dst = t.record()?;
    for (i, name) in src_fields.iter().enumerate() {
        let Some(ti) = dst.field_index(*name) else {
            if allow_orphaning {
                continue;
            }
            it.error(None, &format!("orphan field \"{name}\" in initialization"));
            break;
        };
        let Some(fv) = vals.get(i).cloned().flatten() else {
            continue;
        };
        let fty = dst.fields.borrow()[ti].ty.clone();
        let fv = if fty.tag() == Tag::Record {
            coerce_record(it, &fv, &fty, false).unwrap_or(fv)
        } else {
            fv
        };
        o.borrow_mut().fields[ti] = Some(fv);
    }
    let missing: Vec<Symbol> = {
        let ob = o.borrow();
        dst.fields
            .borrow()
            .iter()
            .enumerate()
            .filter(|(i, f)| ob.fields.get(*i).is_none_or(Option::is_none) && !f.optional())
            .map(|(_, f)| f.name)
            .collect()
    };
    for name in missing {
        it.error(
            None,
            &format!("non-optional field \"{name}\" missing in initialization"),
        );
    }
    Some(out)
}

/// `record_promotion_compatible(super, sub)`.
fn promotion_compatible(sup: &TypeRef, sub: &TypeRef) -> bool {
    let (Some(sup_rt), Some(sub_rt)) = (sup.record(), sub.record()) else {
        return false;
    };
    for f in sub_rt.fields.borrow().iter() {
        let Some(o) = sup_rt.field_index(f.name) else {
            continue;
        };
        let sup_ft = sup_rt.fields.borrow()[o].ty.clone();
        if same_type(&f.ty, &sup_ft) {
            continue;
        }
        if f.ty.tag() != Tag::Record || sup_ft.tag() != Tag::Record {
            return false;
        }
        if !promotion_compatible(&sup_ft, &f.ty) {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------- streams

pub fn create_stream(it: &mut Interp, id: &Value, sval: &Value) -> bool {
    let columns = match field(it, sval, "columns") {
        Some(Value::Type(t)) if t.tag() == Tag::Record => t,
        _ => {
            it.error(None, "sval argument not of right type");
            return false;
        }
    };
    let mut log_attr_present = false;
    let fields: Vec<(Symbol, TypeRef, bool)> = columns
        .record()
        .map(|rt| {
            rt.fields
                .borrow()
                .iter()
                .map(|f| (f.name, f.ty.clone(), f.log()))
                .collect()
        })
        .unwrap_or_default();
    for (name, ty, log) in &fields {
        if !log {
            continue;
        }
        if !zest_runtime::types::threading_compatible_type(ty, false) {
            it.error(
                None,
                &format!("type of field '{name}' is not support for logging output"),
            );
            return false;
        }
        log_attr_present = true;
    }
    if !log_attr_present {
        it.error(None, "logged record type does not have any &log attributes");
        return false;
    }
    let ev = field(it, sval, "ev");
    let policy = field(it, sval, "policy");
    let mut event = None;
    if let Some(Value::Func(fv)) = &ev {
        let Some(ft) = fv.ty.func() else {
            return false;
        };
        if ft.flavor != Flavor::Event {
            it.error(None, "stream event is a function, not an event");
            return false;
        }
        if ft.params.len() != 1 {
            it.error(None, "stream event must take a single argument");
            return false;
        }
        if !same_type(&ft.params[0].ty, &columns) {
            it.error(
                None,
                "stream event's argument type does not match column record type",
            );
            return false;
        }
        if let FuncValKind::Global(gid) = fv.kind {
            event = Some(gid);
        }
    }
    let idx = enum_index(id);
    let exists = manager(it).borrow().streams.contains_key(&idx);
    if exists {
        remove_stream(it, id);
    }
    let enable_remote = global_bool(it, "Log::enable_remote_logging", false);
    let stream = Stream {
        id: id.clone(),
        enabled: true,
        enable_remote,
        columns,
        event,
        policy,
        filters: Vec::new(),
        writers: BTreeMap::new(),
    };
    manager(it).borrow_mut().streams.insert(idx, stream);
    true
}

pub fn remove_stream(it: &mut Interp, id: &Value) -> bool {
    let idx = enum_index(id);
    let m = manager(it);
    let Some(stream) = m.borrow_mut().streams.remove(&idx) else {
        return false;
    };
    let nt = it.network_time;
    for w in stream.writers.values() {
        stop_writer(it, w, nt);
    }
    true
}

fn stop_writer(it: &mut Interp, w: &Rc<RefCell<WriterEntry>>, network_time: f64) {
    let mut out = Vec::new();
    let name = {
        let mut wb = w.borrow_mut();
        wb.frontend.stop(network_time, &mut out);
        wb.frontend.name.clone()
    };
    manager(it).borrow_mut().stopped.push(w.clone());
    deliver(it, &name, Some(w), out);
}

/// Whether [`terminate`] ran.
pub fn terminated(it: &mut Interp) -> bool {
    manager(it).borrow().terminated
}

/// Writers created after [`terminate`] (by events of the last stage of
/// the shutdown, after Zeek's thread manager stopped its threads): their
/// rows reach the files, but they are never finished (no `#close`).
pub fn abandon_live_writers(it: &mut Interp) {
    for w in &all_writers(it) {
        let mut wb = w.borrow_mut();
        if !wb.frontend.disabled {
            wb.frontend.abandon();
        }
    }
}

/// Lets every writer thread write out the rows it was given, for a
/// process that ends without the shutdown sequence. What they report is
/// dropped, as a process ending that way never processes it.
pub fn sync_writers(it: &mut Interp) {
    let m = manager(it);
    let (writers, stopped) = {
        let mut mb = m.borrow_mut();
        let w: Vec<EntryRef> = mb
            .streams
            .values()
            .flat_map(|s| s.writers.values().cloned())
            .collect();
        (w, std::mem::take(&mut mb.stopped))
    };
    for w in writers.iter().chain(&stopped) {
        let mut ignored = Vec::new();
        w.borrow_mut().frontend.sync(&mut ignored);
    }
}

/// Collects what the writers sent: sends the rows batched so far to
/// their threads and takes the messages that arrived (Zeek's heartbeat).
/// With `wait`, waits for every stopped writer to finish.
pub fn poll_writers(it: &mut Interp, wait: bool) {
    for w in &all_writers(it) {
        let mut out = Vec::new();
        let name = {
            let mut wb = w.borrow_mut();
            wb.frontend.heartbeat(&mut out);
            wb.frontend.name.clone()
        };
        deliver(it, &name, Some(w), out);
    }
    let stopped = std::mem::take(&mut manager(it).borrow_mut().stopped);
    let mut running = Vec::new();
    for w in stopped {
        let mut out = Vec::new();
        let (name, done) = {
            let mut wb = w.borrow_mut();
            let done = if wait {
                wb.frontend.join(&mut out);
                true
            } else {
                wb.frontend.poll_stopped(&mut out)
            };
            (wb.frontend.name.clone(), done)
        };
        deliver(it, &name, Some(&w), out);
        if !done {
            running.push(w);
        }
    }
    manager(it).borrow_mut().stopped.extend(running);
}

pub fn set_enabled(it: &mut Interp, id: &Value, enabled: bool) -> bool {
    let m = manager(it);
    let mut mb = m.borrow_mut();
    match mb.streams.get_mut(&enum_index(id)) {
        Some(s) => {
            s.enabled = enabled;
            true
        }
        None => false,
    }
}

// ---------------------------------------------------------------- filters

pub fn add_filter(it: &mut Interp, id: &Value, fval: &Value) -> bool {
    let idx = enum_index(id);
    let m = manager(it);
    let (stream_policy, columns) = match m.borrow().streams.get(&idx) {
        Some(s) => (s.policy.clone(), s.columns.clone()),
        None => return false,
    };
    let writer = field(it, fval, "writer").unwrap_or(Value::Void);
    let name = cstring(&bytes_of(field(it, fval, "name")));
    let policy = field(it, fval, "policy").or(stream_policy);
    let path_func = field(it, fval, "path_func");
    let local = field(it, fval, "log_local").is_some_and(|v| v.as_bool());
    let remote = field(it, fval, "log_remote").is_some_and(|v| v.as_bool());
    let interval = field(it, fval, "interv").map_or(0.0, |v| v.as_double());
    let postprocessor = field(it, fval, "postprocessor");
    let config = field(it, fval, "config").unwrap_or(Value::Void);
    let field_name_map = field(it, fval, "field_name_map").unwrap_or(Value::Void);
    let scope_sep = cstring(&bytes_of(field(it, fval, "scope_sep")));
    let ext_prefix = cstring(&bytes_of(field(it, fval, "ext_prefix")));
    let ext_func = field(it, fval, "ext_func");
    let include = field(it, fval, "include");
    let exclude = field(it, fval, "exclude");

    let mut filter = Filter {
        fval: fval.clone(),
        name,
        policy,
        path_func,
        path: Vec::new(),
        path_val: None,
        writer,
        config,
        field_name_map,
        scope_sep,
        ext_prefix,
        ext_func,
        ext_type: None,
        num_ext_fields: 0,
        local,
        remote,
        interval,
        postprocessor,
        fields: Vec::new(),
        indices: Vec::new(),
    };
    if let Some(ef) = &filter.ext_func {
        match func_yield(ef) {
            Some(t) if t.tag() == Tag::Record => {
                filter.num_ext_fields = t.record().map_or(0, |r| r.len());
                filter.ext_type = Some(t);
            }
            // No return type: the default function, which adds nothing.
            None => {}
            Some(t) => {
                it.error(
                    None,
                    &format!(
                        "Return value of log_ext is not a record (got {})",
                        super::value::type_name(t.tag())
                    ),
                );
                return false;
            }
        }
    }
    if !traverse_record(
        it,
        &mut filter,
        &columns,
        include.as_ref(),
        exclude.as_ref(),
        b"",
        &[],
    ) {
        return false;
    }
    if let Some(p) = field_set(fval, "path") {
        let p = cstring(p.as_bytes());
        filter.path.clone_from(&p);
        filter.path_val = Some(p);
    }
    let fname = filter.name.clone();
    remove_filter(it, id, &fname);
    if let Some(s) = m.borrow_mut().streams.get_mut(&idx) {
        s.filters.push(Rc::new(RefCell::new(filter)));
    }
    true
}

/// A record field's own value (no `&default`).
fn field_set(rec: &Value, name: &str) -> Option<Value> {
    let Value::Record(r) = rec else { return None };
    let rb = r.borrow();
    let idx = rb.ty.record()?.field_index(Symbol::intern(name))?;
    rb.fields.get(idx).cloned().flatten()
}

fn in_set(set: &Value, key: &[u8]) -> bool {
    match set {
        Value::Table(t) => t.borrow().contains_key(&[Value::str(key)]),
        _ => false,
    }
}

/// `Manager::TraverseRecord`: flattens the `&log` fields of `rt` into the
/// filter's columns.
fn traverse_record(
    it: &mut Interp,
    filter: &mut Filter,
    rt: &TypeRef,
    include: Option<&Value>,
    exclude: Option<&Value>,
    path: &[u8],
    indices: &[usize],
) -> bool {
    // Extension fields only for the outer record.
    let num_ext = if indices.is_empty() {
        filter.num_ext_fields
    } else {
        0
    };
    let nfields = rt.record().map_or(0, |r| r.len());
    for j in 0..num_ext + nfields {
        let (rtype, i) = if j < num_ext {
            match &filter.ext_type {
                Some(t) => (t.clone(), j),
                None => continue,
            }
        } else {
            (rt.clone(), j - num_ext)
        };
        let Some((fname, t, log, optional)) = rtype.record().and_then(|r| {
            r.fields
                .borrow()
                .get(i)
                .map(|f| (f.name, f.ty.clone(), f.log(), f.optional()))
        }) else {
            continue;
        };
        if !log {
            continue;
        }
        let mut new_indices = indices.to_vec();
        new_indices.push(i);
        let mut new_path = if path.is_empty() {
            fname.as_str().as_bytes().to_vec()
        } else {
            let mut p = path.to_vec();
            p.extend_from_slice(&filter.scope_sep);
            p.extend_from_slice(fname.as_str().as_bytes());
            p
        };
        if j < num_ext {
            let mut p = filter.ext_prefix.clone();
            p.extend_from_slice(&new_path);
            new_path = p;
        }
        let tag = t.tag();
        if internal_other(tag) {
            if tag == Tag::Record {
                if !traverse_record(it, filter, &t, include, exclude, &new_path, &new_indices) {
                    return false;
                }
                continue;
            }
            let ok = (tag == Tag::Table && t.is_set())
                || matches!(tag, Tag::Vector | Tag::File | Tag::Func);
            if !ok {
                it.error(None, "unsupported field type for log column");
                return false;
            }
        }
        if j >= num_ext {
            if let Some(inc) = include {
                if !in_set(inc, &new_path) {
                    continue;
                }
            }
            if let Some(exc) = exclude {
                if in_set(exc, &new_path) {
                    continue;
                }
            }
        }
        filter.indices.push(new_indices);
        let subtype = match tag {
            Tag::Table => zest_runtime::types::set_pure_type(&t).map_or(Tag::Void, |p| p.tag()),
            Tag::Vector => t.yield_type().map_or(Tag::Void, |y| y.tag()),
            _ => Tag::Void,
        };
        filter.fields.push(LogField {
            name: new_path,
            ty: tag,
            subtype,
            optional,
        });
    }
    true
}

pub fn remove_filter(it: &mut Interp, id: &Value, name: &[u8]) -> bool {
    let m = manager(it);
    let mut mb = m.borrow_mut();
    let Some(s) = mb.streams.get_mut(&enum_index(id)) else {
        return false;
    };
    if let Some(pos) = s.filters.iter().position(|f| f.borrow().name == name) {
        s.filters.remove(pos);
    }
    // A filter that does not exist is not an error.
    true
}

// ---------------------------------------------------------------- writing

/// `Manager::Write`. `Err` when script code it runs (a path or extension
/// function) aborts.
pub fn write(it: &mut Interp, id: &Value, columns_arg: &Value, loc: Loc) -> Result<bool, RtErr> {
    let idx = enum_index(id);
    let m = manager(it);
    let (columns_ty, event, filters) = {
        let mb = m.borrow();
        let Some(s) = mb.streams.get(&idx) else {
            return Ok(false);
        };
        if !s.enabled {
            return Ok(true);
        }
        (s.columns.clone(), s.event, s.filters.clone())
    };
    let Some(columns) = coerce_record(it, columns_arg, &columns_ty, false) else {
        it.error(None, "incompatible log record type");
        return Ok(false);
    };
    if let Some(ev) = event {
        it.queue_event(ev, vec![columns.clone()]);
    }
    let mut stream_veto = false;
    if let Some(gid) = it.prog.lookup(Symbol::intern("Log::log_stream_policy")) {
        if matches!(it.call_hook(gid, &[columns.clone(), id.clone()]), Ok(false)) {
            // The filter hooks still run; they cannot un-veto.
            stream_veto = true;
        }
    }
    for fr in filters {
        let (policy, fval) = {
            let f = fr.borrow();
            (f.policy.clone(), f.fval.clone())
        };
        if let Some(p) = policy {
            if !invoke_hook(it, &p, &[columns.clone(), id.clone(), fval], loc) {
                continue;
            }
        }
        if stream_veto {
            continue;
        }
        let (path_func, path_val, mut path) = {
            let f = fr.borrow();
            (f.path_func.clone(), f.path_val.clone(), f.path.clone())
        };
        if let Some(pf) = path_func {
            let path_arg = Value::str(path_val.as_deref().unwrap_or(b""));
            let rec_param = func_type(&pf).and_then(|t| {
                t.func().and_then(|ft| {
                    ft.params
                        .iter()
                        .find(|p| p.name.as_str() == "rec")
                        .map(|p| p.ty.clone())
                })
            });
            let rec_arg = match rec_param {
                Some(rt) if rt.tag() == Tag::Record => {
                    coerce_record(it, &columns, &rt, true).unwrap_or(Value::Void)
                }
                _ => columns.clone(),
            };
            let mut args = vec![id.clone(), path_arg, rec_arg];
            let v = it.call_value(&pf, &mut args, loc)?;
            let Value::String(s) = v else {
                it.error(None, "path_func did not return string");
                return Ok(false);
            };
            let s = cstring(&s);
            let mut f = fr.borrow_mut();
            if f.path_val.is_none() {
                f.path.clone_from(&s);
                f.path_val = Some(s.clone());
            }
            path = s;
        }
        let Some(entry) = writer_for(it, idx, &fr, path) else {
            return Ok(false);
        };
        let vals = record_to_filter_vals(it, &fr, &columns, loc)?;
        write_to(it, id, &entry, vals);
    }
    Ok(true)
}

/// `WriterFrontend::Write`: publishes the row to Broker peers when the
/// writer logs remotely, then hands it to the local backend.
fn write_to(it: &mut Interp, id: &Value, entry: &EntryRef, vals: Vec<LogValue>) {
    // Nothing is cloned unless there are peers to publish to.
    let remote = if crate::broker::logs::can_publish(it) {
        let e = entry.borrow();
        (e.remote && !e.frontend.disabled && vals.len() == e.frontend.fields.len())
            .then(|| (e.ty.clone(), e.info.path.clone()))
    } else {
        None
    };
    if let Some((writer, path)) = remote {
        crate::broker::logs::publish_log_write(it, id, &writer, &path, &vals);
    }
    let mut out = Vec::new();
    let name = {
        let mut e = entry.borrow_mut();
        e.frontend.write(vals, &mut out);
        e.frontend.name.clone()
    };
    deliver(it, &name, Some(entry), out);
}

/// `print_log`: one `Log::PrintLogInfo` with the values' descriptions,
/// written to `Log::PRINTLOG`.
pub fn write_print_log(it: &mut Interp, vals: &[Value], loc: Loc) {
    let Some(gid) = it.prog.lookup(Symbol::intern("Log::PrintLogInfo")) else {
        return;
    };
    let Some(rt) = it.prog.globals[gid as usize].ty.clone() else {
        return;
    };
    let Some(id) = global(it, "Log::PRINTLOG") else {
        return;
    };
    let vec_ty = rt
        .record()
        .and_then(|r| r.fields.borrow().get(1).map(|f| f.ty.clone()));
    let Some(vec_ty) = vec_ty else { return };
    let vec = Value::new_vector(vec_ty);
    if let Value::Vector(vv) = &vec {
        let mut items = Vec::with_capacity(vals.len());
        for v in vals {
            let mut b = Vec::new();
            it.describe_value(v, &mut b, Style::Print);
            items.push(Some(Value::str(&b)));
        }
        vv.borrow_mut().items = items;
    }
    let rec = it.default_value(&rt);
    if let Value::Record(r) = &rec {
        let mut rb = r.borrow_mut();
        if rb.fields.len() >= 2 {
            rb.fields[0] = Some(Value::Time(it.network_time));
            rb.fields[1] = Some(vec);
        }
    }
    let _ = write(it, &id, &rec, loc);
}

/// Finds the writer for the filter's (writer, path), correcting a path that
/// another filter's writer already uses, or creates it.
fn writer_for(
    it: &mut Interp,
    idx: i64,
    fr: &Rc<RefCell<Filter>>,
    path: Vec<u8>,
) -> Option<Rc<RefCell<WriterEntry>>> {
    let m = manager(it);
    let (writer_idx, fname) = {
        let f = fr.borrow();
        (enum_index(&f.writer), f.name.clone())
    };
    let mut key: WriterKey = (writer_idx, path.clone());
    // `CheckFilterWriterConflict`: a writer a peer's LogCreate made is
    // compatible with any filter of the same column types; a local one
    // belongs to the filter that made it.
    let field_types: Vec<Tag> = fr.borrow().fields.iter().map(|f| f.ty).collect();
    let conflict = |mb: &Manager, key: &WriterKey| -> Option<Vec<u8>> {
        let s = mb.streams.get(&idx)?;
        let w = s.writers.get(key)?;
        let wb = w.borrow();
        let clash = if wb.from_remote {
            !wb.frontend
                .fields
                .iter()
                .map(|f| f.ty)
                .eq(field_types.iter().copied())
        } else {
            wb.instantiating_filter != fname
        };
        clash.then(|| wb.instantiating_filter.clone())
    };
    let first = conflict(&m.borrow(), &key);
    if let Some(instantiator) = first {
        let mut n = 2u32;
        loop {
            let mut np = path.clone();
            np.extend_from_slice(format!("-{n}").as_bytes());
            n += 1;
            key.1 = np;
            if conflict(&m.borrow(), &key).is_none() {
                break;
            }
        }
        let new_path = key.1.clone();
        {
            let mut f = fr.borrow_mut();
            f.path_val = Some(new_path.clone());
            f.path.clone_from(&new_path);
        }
        it.warn(
            None,
            &format!(
                "Write using filter '{}' on path '{}' changed to use new path '{}' to avoid conflict with filter '{}'",
                String::from_utf8_lossy(&fname),
                String::from_utf8_lossy(&path),
                String::from_utf8_lossy(&new_path),
                String::from_utf8_lossy(&instantiator)
            ),
        );
    }
    let existing = m
        .borrow()
        .streams
        .get(&idx)
        .and_then(|s| s.writers.get(&key).cloned());
    if let Some(e) = existing {
        return Some(e);
    }
    // Rename the fields by the filter's field_name_map.
    let (fields, writer, config, local, remote) = {
        let mut f = fr.borrow_mut();
        if let Value::Table(map) = f.field_name_map.clone() {
            for fld in &mut f.fields {
                let renamed = map.borrow_mut().get(&[Value::str(&fld.name)]);
                if let Some(Value::String(n)) = renamed {
                    fld.name = cstring(&n);
                }
            }
        }
        (
            f.fields.clone(),
            f.writer.clone(),
            f.config.clone(),
            f.local,
            f.remote,
        )
    };
    let mut info = WriterInfo {
        path: key.1.clone(),
        network_time: it.network_time,
        ..WriterInfo::default()
    };
    if let Value::Table(t) = &config {
        for (k, v) in t.borrow().entries_vec() {
            let key = cstring(k.first().map_or(&b""[..], Value::as_bytes));
            let val = cstring(v.as_ref().map_or(&b""[..], Value::as_bytes));
            info.config.entry(key).or_insert(val);
        }
    }
    create_writer(it, idx, &writer, info, fields, local, remote, false, &fname)
}

/// `Manager::CreateWriterForRemoteLog`: the writer a peer's LogCreate
/// asks for, writing locally only. False when the stream is unknown here.
pub fn create_writer_for_remote_log(
    it: &mut Interp,
    id: &Value,
    writer: &Value,
    info: WriterInfo,
    fields: Vec<LogField>,
) -> bool {
    let idx = enum_index(id);
    create_writer(it, idx, writer, info, fields, true, false, true, b"").is_some()
}

/// `Manager::WriteFromRemote`: a row a peer logged, for the writer its
/// LogCreate made. False when the stream or writer is unknown.
pub fn write_from_remote(
    it: &mut Interp,
    id: &Value,
    writer: &Value,
    path: &[u8],
    vals: Vec<LogValue>,
) -> bool {
    let idx = enum_index(id);
    let entry = {
        let m = manager(it);
        let mb = m.borrow();
        let Some(s) = mb.streams.get(&idx) else {
            return false;
        };
        if !s.enabled {
            return true;
        }
        let Some(e) = s.writers.get(&(enum_index(writer), path.to_vec())) else {
            return false;
        };
        e.clone()
    };
    write_to(it, id, &entry, vals);
    true
}

/// `Manager::SendAllWritersTo`: announces every writer of the streams
/// with remote logging enabled to a new peer (a LogCreate addressed to
/// it).
pub fn send_all_writers_to(it: &mut Interp, peer: zest_broker::EndpointId) {
    let writers: Vec<(Value, EntryRef)> = {
        let m = manager(it);
        let mb = m.borrow();
        mb.streams
            .values()
            .filter(|s| s.enable_remote)
            .flat_map(|s| s.writers.values().map(|w| (s.id.clone(), w.clone())))
            .collect()
    };
    for (id, w) in writers {
        let (ty, info, fields) = {
            let wb = w.borrow();
            (wb.ty.clone(), wb.info.clone(), wb.frontend.fields.clone())
        };
        crate::broker::logs::publish_log_create(it, &id, &ty, &info, &fields, Some(peer));
    }
}

/// `Manager::CreateWriter`.
#[allow(clippy::too_many_arguments)]
fn create_writer(
    it: &mut Interp,
    idx: i64,
    writer: &Value,
    mut info: WriterInfo,
    fields: Vec<LogField>,
    local: bool,
    remote: bool,
    from_remote: bool,
    instantiating_filter: &[u8],
) -> Option<Rc<RefCell<WriterEntry>>> {
    let m = manager(it);
    let writer_idx = enum_index(writer);
    let key = (writer_idx, info.path.clone());
    let (stream_id, interval, postprocessor) = {
        let mb = m.borrow();
        let s = mb.streams.get(&idx)?;
        if let Some(w) = s.writers.get(&key) {
            return Some(w.clone());
        }
        let stream_id = s.id.clone();
        // The rotation settings of the first filter with this writer and path.
        let matching = s.filters.iter().find(|f| {
            let f = f.borrow();
            enum_index(&f.writer) == writer_idx && f.path == info.path
        });
        match matching {
            Some(f) => {
                let f = f.borrow();
                (stream_id, Some(f.interval), f.postprocessor.clone())
            }
            None => (stream_id, None, None),
        }
    };
    let found_filter = interval.is_some();
    let interval = interval.unwrap_or_else(|| {
        global(it, "Log::default_rotation_interval").map_or(0.0, |v| v.as_double())
    });
    let mut postprocessor = postprocessor;
    if !found_filter {
        // A writer made for a peer uses the peer's postprocessor, by name.
        if let Some(pp) = info.post_proc_func.clone().filter(|p| !p.is_empty()) {
            match global(it, &pp) {
                Some(f @ Value::Func(_)) => postprocessor = Some(f),
                _ => it.warn(
                    None,
                    &format!("failed log postprocessor function lookup: {pp}\n"),
                ),
            }
        }
    }
    if let Some(Value::Func(pp)) = &postprocessor {
        info.post_proc_func = Some(pp.name.as_str().to_owned());
    }
    info.rotation_interval = interval;
    info.rotation_base = parse_rotate_base_time(it);

    let wname = enum_name(writer);
    let name = format!("{}/{}", String::from_utf8_lossy(&info.path), wname);
    let mut created = Vec::new();
    let backend = if local {
        let w: Option<Box<dyn Writer>> = match wname.as_str() {
            "Log::WRITER_ASCII" => {
                Some(Box::new(Ascii::new(ascii_options(it), &info, &mut created)))
            }
            "Log::WRITER_SQLITE" => Some(Box::new(Sqlite::new(SqliteOptions {
                set_separator: global_bytes(it, "LogSQLite::set_separator", b","),
                unset_field: global_bytes(it, "LogSQLite::unset_field", b"-"),
                empty_field: global_bytes(it, "LogSQLite::empty_field", b"(empty)"),
                logdir: global_bytes(it, "Log::default_logdir", b""),
            }))),
            "Log::WRITER_NONE" => Some(Box::new(NoneWriter {
                debug: global_bool(it, "LogNone::debug", false),
            })),
            _ => {
                it.error(None, "unknown writer type requested");
                None
            }
        };
        w.map(|w| Backend::new(w, info.clone()))
    } else {
        None
    };
    let mut out: Replies = created
        .into_iter()
        .map(|m| (super::thread::next_seq(), m))
        .collect();
    let entry = Rc::new(RefCell::new(WriterEntry {
        ty: writer.clone(),
        open_time: it.network_time,
        interval,
        postprocessor,
        frontend: Frontend::new(name.clone(), backend),
        info,
        instantiating_filter: instantiating_filter.to_vec(),
        remote,
        from_remote,
        rotation_timer: None,
    }));
    if let Some(s) = m.borrow_mut().streams.get_mut(&idx) {
        s.writers.insert(key, entry.clone());
    }
    entry.borrow_mut().frontend.init(fields, &mut out);
    deliver(it, &name, Some(&entry), out);
    if remote {
        let (info, fields) = {
            let e = entry.borrow();
            (e.info.clone(), e.frontend.fields.clone())
        };
        crate::broker::logs::publish_log_create(it, &stream_id, writer, &info, &fields, None);
    }
    install_rotation_timer(it, &entry);
    Some(entry)
}

// ---------------------------------------------------------------- rotation

/// `Manager::InstallRotationTimer`.
fn install_rotation_timer(it: &mut Interp, entry: &Rc<RefCell<WriterEntry>>) {
    if it.terminating {
        return;
    }
    let interval = {
        let mut e = entry.borrow_mut();
        e.rotation_timer = None;
        e.interval
    };
    if interval == 0.0 {
        return;
    }
    let nt = it.network_time;
    if nt == 0.0 {
        // Fires right away but does not rotate.
        entry.borrow_mut().rotation_timer = Some((1.0, false));
        return;
    }
    {
        let mut e = entry.borrow_mut();
        if e.open_time == 0.0 {
            e.open_time = nt;
        }
    }
    let base = parse_rotate_base_time(it);
    let delta = rotation::calc_next_rotate(it, nt, interval, base);
    entry.borrow_mut().rotation_timer = Some((nt + delta, true));
}

fn all_writers(it: &mut Interp) -> Vec<Rc<RefCell<WriterEntry>>> {
    let m = manager(it);
    let mb = m.borrow();
    mb.streams
        .values()
        .flat_map(|s| s.writers.values().cloned())
        .collect()
}

/// When the next rotation timer is due, if any.
pub fn next_rotation_time(it: &mut Interp) -> Option<f64> {
    all_writers(it)
        .iter()
        .filter_map(|w| w.borrow().rotation_timer.map(|(t, _)| t))
        .reduce(f64::min)
}

/// Fires the rotation timers due at `now` (all of them when `is_expire`,
/// as Zeek's timer manager expires every timer at termination): a timer
/// rotates its writer's output and, unless expiring, is installed again.
pub fn dispatch_rotation_timers(it: &mut Interp, now: f64, is_expire: bool) {
    let mut due: Vec<(f64, Rc<RefCell<WriterEntry>>)> = all_writers(it)
        .into_iter()
        .filter_map(|w| {
            let t = w.borrow().rotation_timer;
            match t {
                Some((when, _)) if is_expire || when <= now => Some((when, w)),
                _ => None,
            }
        })
        .collect();
    due.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, w) in due {
        let Some((_, rotate)) = w.borrow_mut().rotation_timer.take() else {
            continue;
        };
        if rotate {
            rotate_writer(it, &w);
        }
        if !is_expire {
            w.borrow_mut().open_time = it.network_time;
            install_rotation_timer(it, &w);
        }
    }
}

/// `Manager::Rotate`.
fn rotate_writer(it: &mut Interp, entry: &Rc<RefCell<WriterEntry>>) {
    let (ty, path, open, pp) = {
        let e = entry.borrow();
        (
            e.ty.clone(),
            e.info.path.clone(),
            e.open_time,
            e.postprocessor.clone(),
        )
    };
    let ppf = pp.or_else(|| rotation::find_func(it, "Log::__default_rotation_postprocessor"));
    let nt = it.network_time;
    let terminating = it.terminating;
    let rotation_path = rotation::format_rotation_path(it, &ty, &path, open, nt, terminating, ppf);
    let mut out = Vec::new();
    let name = {
        let mut e = entry.borrow_mut();
        e.frontend
            .rotate(&rotation_path, open, nt, terminating, &mut out);
        e.frontend.name.clone()
    };
    deliver(it, &name, Some(entry), out);
}

/// `Manager::FinishedRotation` after a successful rotation: runs the
/// postprocessor. False when it returns false.
fn finished_rotation(
    it: &mut Interp,
    entry: &Rc<RefCell<WriterEntry>>,
    new_name: &[u8],
    open: f64,
    close: f64,
    terminating: bool,
) -> bool {
    let (ty, path, pp) = {
        let e = entry.borrow();
        (e.ty.clone(), e.info.path.clone(), e.postprocessor.clone())
    };
    let Some(func) =
        pp.or_else(|| rotation::find_func(it, "Log::__default_rotation_postprocessor"))
    else {
        return true;
    };
    rotation::run_postprocessor(it, &func, &ty, new_name, &path, open, close, terminating)
        .unwrap_or(false)
}

/// `util::detail::parse_rotate_base_time(log_rotate_base_time)`: seconds
/// after midnight of an `HH:MM` text, -1 when empty.
fn parse_rotate_base_time(it: &mut Interp) -> f64 {
    let s = global_bytes(it, "log_rotate_base_time", b"");
    if s.is_empty() {
        return -1.0;
    }
    match parse_hh_mm(&s) {
        Some((h, m)) => f64::from(m * 60 + h * 3600),
        None => {
            it.error(None, "calc_next_rotate(): can't parse rotation base time");
            -1.0
        }
    }
}

/// glibc `strptime(s, "%H:%M")`: up to two digits each (leading blanks
/// allowed), hours 0-23, minutes 0-59.
fn parse_hh_mm(s: &[u8]) -> Option<(u32, u32)> {
    fn num(s: &[u8], i: &mut usize, max: u32) -> Option<u32> {
        while *i < s.len() && s[*i].is_ascii_whitespace() {
            *i += 1;
        }
        let start = *i;
        let mut v = 0u32;
        while *i < s.len() && s[*i].is_ascii_digit() && *i - start < 2 {
            v = v * 10 + u32::from(s[*i] - b'0');
            *i += 1;
        }
        (*i > start && v <= max).then_some(v)
    }
    let mut i = 0;
    let h = num(s, &mut i, 23)?;
    if s.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let m = num(s, &mut i, 59)?;
    Some((h, m))
}

fn ascii_options(it: &Interp) -> AsciiOptions {
    let json_timestamps = match global(it, "LogAscii::json_timestamps") {
        Some(v @ Value::Enum(..)) => {
            let mut b = Vec::new();
            it.describe_value(&v, &mut b, Style::Raw);
            b
        }
        _ => b"JSON::TS_EPOCH".to_vec(),
    };
    let mut logdir = global_bytes(it, "LogAscii::logdir", b"");
    if logdir.is_empty() {
        logdir = global_bytes(it, "Log::default_logdir", b"");
    }
    AsciiOptions {
        output_to_stdout: global_bool(it, "LogAscii::output_to_stdout", false),
        include_meta: global_bool(it, "LogAscii::include_meta", true),
        use_json: global_bool(it, "LogAscii::use_json", false),
        enable_utf_8: global_bool(it, "LogAscii::enable_utf_8", true),
        gzip_level: global(it, "LogAscii::gzip_level").map_or(0, |v| v.as_int()),
        separator: global_bytes(it, "LogAscii::separator", b"\t"),
        set_separator: global_bytes(it, "LogAscii::set_separator", b","),
        empty_field: global_bytes(it, "LogAscii::empty_field", b"(empty)"),
        unset_field: global_bytes(it, "LogAscii::unset_field", b"-"),
        meta_prefix: global_bytes(it, "LogAscii::meta_prefix", b"#"),
        json_timestamps,
        json_include_unset_fields: global_bool(it, "LogAscii::json_include_unset_fields", false),
        gzip_file_extension: global_bytes(it, "LogAscii::gzip_file_extension", b"gz"),
        logdir,
        enable_leftover_log_rotation: global_bool(
            it,
            "LogAscii::enable_leftover_log_rotation",
            false,
        ),
        log_suffix: std::env::var_os("ZEEK_LOG_SUFFIX").map_or_else(
            || b"log".to_vec(),
            |s| s.to_string_lossy().as_bytes().to_vec(),
        ),
    }
}

/// `Manager::RecordToFilterVals`.
fn record_to_filter_vals(
    it: &mut Interp,
    fr: &Rc<RefCell<Filter>>,
    columns: &Value,
    loc: Loc,
) -> Result<Vec<LogValue>, RtErr> {
    let (num_ext, ext_func, path_val) = {
        let f = fr.borrow();
        (f.num_ext_fields, f.ext_func.clone(), f.path_val.clone())
    };
    let mut ext_rec = None;
    if num_ext > 0 {
        if let Some(ef) = ext_func {
            let mut args = vec![Value::str(path_val.as_deref().unwrap_or(b""))];
            let res = it.call_value(&ef, &mut args, loc)?;
            if let Value::Record(_) = res {
                ext_rec = Some(res);
            }
        }
    }
    let f = fr.borrow();
    let mut vals = Vec::with_capacity(f.fields.len());
    for (i, fld) in f.fields.iter().enumerate() {
        let root = if i < f.num_ext_fields {
            match &ext_rec {
                Some(r) => r.clone(),
                None => {
                    vals.push(LogValue::unset(fld.ty));
                    continue;
                }
            }
        } else {
            columns.clone()
        };
        let mut val = Some(root);
        for &j in &f.indices[i] {
            val = val.as_ref().and_then(|v| record_field_value(v, j));
            if val.is_none() {
                break;
            }
        }
        vals.push(match val {
            Some(v) => to_log_val(it, &v, None),
            None => LogValue::unset(fld.ty),
        });
    }
    Ok(vals)
}

/// A record's field `j` (its constant `&default` when unset).
fn record_field_value(v: &Value, j: usize) -> Option<Value> {
    let Value::Record(r) = v else { return None };
    let rb = r.borrow();
    match rb.fields.get(j).cloned().flatten() {
        Some(x) => Some(x),
        None => rb.ty.record()?.fields.borrow().get(j)?.default.clone(),
    }
}

/// `Manager::ValToLogVal`; `ty` is the declared type's tag when known (a
/// vector's elements), else the value's own.
fn to_log_val(it: &mut Interp, v: &Value, ty: Option<Tag>) -> LogValue {
    let (own, data) = match v {
        Value::Bool(b) => (Tag::Bool, LogData::Int(i64::from(*b))),
        Value::Int(i) => (Tag::Int, LogData::Int(*i)),
        Value::Count(c) => (Tag::Count, LogData::Count(*c)),
        Value::Double(d) => (Tag::Double, LogData::Double(*d)),
        Value::Time(d) => (Tag::Time, LogData::Double(*d)),
        Value::Interval(d) => (Tag::Interval, LogData::Double(*d)),
        Value::String(s) => (Tag::String, LogData::Str(s.to_vec())),
        Value::Port(p) => (
            Tag::Port,
            LogData::Port(
                p.num,
                match p.proto {
                    zest_runtime::value::Proto::Tcp => zest_runtime::render::Proto::Tcp,
                    zest_runtime::value::Proto::Udp => zest_runtime::render::Proto::Udp,
                    zest_runtime::value::Proto::Icmp => zest_runtime::render::Proto::Icmp,
                    zest_runtime::value::Proto::Unknown => zest_runtime::render::Proto::Unknown,
                },
            ),
        ),
        Value::Addr(a) => (Tag::Addr, LogData::Addr(a.to_ip())),
        Value::Subnet(s) => (Tag::Subnet, LogData::Subnet(s.prefix.to_ip(), s.len)),
        Value::Enum(t, i) => {
            let name = match &t.kind {
                TypeKind::Enum(et) => et.name_of(*i),
                _ => None,
            };
            let s = match name {
                Some(n) => n.as_str().as_bytes().to_vec(),
                None => {
                    it.error(None, "enum type does not contain value");
                    Vec::new()
                }
            };
            (Tag::Enum, LogData::Str(s))
        }
        Value::File(f) => (Tag::File, LogData::Str(f.borrow().name.as_bytes().to_vec())),
        Value::Func(_) => {
            let mut b = Vec::new();
            it.describe_value(v, &mut b, Style::Raw);
            (Tag::Func, LogData::Str(b))
        }
        Value::Table(t) => {
            let keys = t.borrow().keys_vec();
            let items = keys
                .iter()
                .map(|k| match k.as_slice() {
                    [one] => to_log_val(it, one, None),
                    _ => LogValue::unset(Tag::Int),
                })
                .collect();
            (Tag::Table, LogData::Set(items))
        }
        Value::Vector(vv) => {
            let (yt, items) = {
                let vb = vv.borrow();
                (
                    vb.ty.yield_type().map_or(Tag::Void, |y| y.tag()),
                    vb.items.clone(),
                )
            };
            let items = items
                .iter()
                .map(|x| match x {
                    Some(x) => to_log_val(it, x, Some(yt)),
                    None => LogValue::unset(yt),
                })
                .collect();
            (Tag::Vector, LogData::Vector(items))
        }
        _ => return LogValue::unset(ty.unwrap_or(Tag::Void)),
    };
    LogValue {
        ty: ty.unwrap_or(own),
        data: Some(data),
    }
}

// ---------------------------------------------------------------- control

/// `Manager::SetBuf`.
pub fn set_buf(it: &mut Interp, id: &Value, enabled: bool) -> bool {
    let Some(writers) = writers_of(it, id) else {
        return false;
    };
    for w in &writers {
        let mut out = Vec::new();
        let name = {
            let mut wb = w.borrow_mut();
            wb.frontend.set_buf(enabled, &mut out);
            wb.frontend.name.clone()
        };
        deliver(it, &name, Some(w), out);
    }
    remove_disabled_writers(it, id);
    true
}

/// `Manager::Flush`.
pub fn flush(it: &mut Interp, id: &Value) -> bool {
    let idx = enum_index(id);
    let m = manager(it);
    let enabled = match m.borrow().streams.get(&idx) {
        Some(s) => s.enabled,
        None => return false,
    };
    if !enabled {
        return true;
    }
    let writers = writers_of(it, id).unwrap_or_default();
    let nt = it.network_time;
    for w in &writers {
        let mut out = Vec::new();
        let name = {
            let mut wb = w.borrow_mut();
            wb.frontend.flush(nt, &mut out);
            wb.frontend.name.clone()
        };
        deliver(it, &name, Some(w), out);
    }
    remove_disabled_writers(it, id);
    true
}

fn writers_of(it: &mut Interp, id: &Value) -> Option<Vec<Rc<RefCell<WriterEntry>>>> {
    let m = manager(it);
    let mb = m.borrow();
    let s = mb.streams.get(&enum_index(id))?;
    Some(s.writers.values().cloned().collect())
}

fn remove_disabled_writers(it: &mut Interp, id: &Value) {
    let m = manager(it);
    let disabled: Vec<(WriterKey, Rc<RefCell<WriterEntry>>)> = {
        let mut mb = m.borrow_mut();
        let Some(s) = mb.streams.get_mut(&enum_index(id)) else {
            return;
        };
        let keys: Vec<WriterKey> = s
            .writers
            .iter()
            .filter(|(_, w)| w.borrow().frontend.disabled)
            .map(|(k, _)| k.clone())
            .collect();
        keys.into_iter()
            .filter_map(|k| s.writers.remove(&k).map(|w| (k, w)))
            .collect()
    };
    let nt = it.network_time;
    for (_, w) in disabled {
        stop_writer(it, &w, nt);
    }
}

/// `Manager::Terminate`: stops every writer (flushing it and closing its
/// output), stream by stream.
pub fn terminate(it: &mut Interp) {
    manager(it).borrow_mut().terminated = true;
    let nt = it.network_time;
    for w in &all_writers(it) {
        stop_writer(it, w, nt);
    }
    poll_writers(it, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotate_base_time() {
        // none-debug: log_rotate_base_time = "00:05" gives rotation_base=300.
        assert_eq!(parse_hh_mm(b"00:05"), Some((0, 5)));
        assert_eq!(parse_hh_mm(b"0:00"), Some((0, 0)));
        assert_eq!(parse_hh_mm(b"24:00"), None);
    }
}
