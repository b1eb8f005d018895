//! The input manager (`input/Manager.cc`): streams, the checks when one
//! is created, and what happens to the rows its reader sends — table
//! updates with change tracking, predicates, events, end of data, errors.

use super::backend::{Backend, Ctx, InMsg, Level, Mode, Msg, Reader, ReaderInfo};
use super::value::{hash_bytes, Data, Field, Val};
use crate::reporter;
use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;
use zest_dict::{Dict, KeyBuf, KeyHasher};
use zest_runtime::ir::Loc;
use zest_runtime::table::TableVal;
use zest_runtime::types::{same_type, Tag, Type, TypeKind, TypeRef};
use zest_runtime::value::{Addr, FuncValKind, Port, Proto, Subnet, Value, VectorVal};
use zest_runtime::{CallSite, Interp};
use zest_syntax::ast::AttrKind;
use zest_syntax::Symbol;

const KEY: &str = "input";

/// A table entry the stream put there: the hash of its value columns and
/// the index it was stored under (`InputHash`).
struct InputHash {
    valhash: u64,
    idxkey: Vec<Value>,
}

pub struct TableStream {
    num_idx_fields: usize,
    num_val_fields: usize,
    want_record: bool,
    tab: Rc<RefCell<TableVal>>,
    rtype: Option<TypeRef>,
    itype: TypeRef,
    curr: Dict<InputHash>,
    last: Dict<InputHash>,
    pred: Option<Value>,
    event: Option<u32>,
}

pub struct EventStream {
    event: u32,
    fields: TypeRef,
    want_record: bool,
}

pub enum Kind {
    Table(Box<TableStream>),
    Event(EventStream),
    /// Feeds file analysis: the id of the file the data goes to.
    Analysis(String),
}

pub struct Stream {
    pub name: String,
    pub removed: bool,
    /// Deleted from the manager (`RemoveStreamContinuation`).
    pub deleted: bool,
    kind: Kind,
    source: Vec<u8>,
    description: Value,
    error_event: Option<u32>,
    /// The reader thread's name: `SOURCE/Input::READER_X`.
    thread_name: String,
    backend: Option<Backend>,
    /// The frontend stopped talking to its reader (`Stop`).
    stopped: bool,
    frontend_disabled: bool,
    /// Where the stream was created, for calls of its predicate.
    loc: Loc,
}

/// The manager's state, kept in the interpreter.
#[derive(Default)]
pub struct Manager {
    pub streams: Vec<Rc<RefCell<Stream>>>,
    /// When the next heartbeat is due (wall clock).
    pub next_beat: Option<f64>,
    /// The poll function that was installed before ours.
    pub prev_poll: Option<fn(&mut Interp) -> bool>,
    pub hooked: bool,
}

pub fn manager(it: &mut Interp) -> Rc<RefCell<Manager>> {
    it.ext_mut::<Rc<RefCell<Manager>>>(KEY).clone()
}

// ---------------------------------------------------------------- helpers

/// `TypeTag`'s number, as Zeek prints it in a few messages.
pub fn tag_number(t: Tag) -> u32 {
    match t {
        Tag::Void => 0,
        Tag::Bool => 1,
        Tag::Int => 2,
        Tag::Count => 3,
        Tag::Double => 4,
        Tag::Time => 5,
        Tag::Interval => 6,
        Tag::String => 7,
        Tag::Pattern => 8,
        Tag::Enum => 9,
        Tag::Port => 10,
        Tag::Addr => 11,
        Tag::Subnet => 12,
        Tag::Any => 13,
        Tag::Table => 14,
        Tag::Record => 15,
        Tag::List => 16,
        Tag::Func => 17,
        Tag::File => 18,
        Tag::Vector => 19,
        Tag::Opaque => 20,
        Tag::Type => 21,
        Tag::Error => 22,
    }
}

/// `type_name(TypeTag)`.
pub fn tag_name(t: Tag) -> &'static str {
    t.name()
}

pub fn global(it: &Interp, name: &str) -> Option<Value> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    match &it.prog.globals[gid as usize].value {
        Value::Void => None,
        v => Some(v.clone()),
    }
}

pub fn global_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    it.prog.globals[gid as usize].ty.clone()
}

pub fn global_bytes(it: &Interp, name: &str, default: &[u8]) -> Vec<u8> {
    match global(it, name) {
        Some(Value::String(s)) => s.to_vec(),
        _ => default.to_vec(),
    }
}

pub fn global_bool(it: &Interp, name: &str) -> bool {
    global(it, name).is_some_and(|v| v.as_bool())
}

pub fn global_count(it: &Interp, name: &str) -> u64 {
    global(it, name).map_or(0, |v| v.as_count())
}

pub fn global_double(it: &Interp, name: &str) -> f64 {
    global(it, name).map_or(0.0, |v| v.as_double())
}

/// A C string's view (`CheckString`): up to the first NUL.
fn cstring(b: &[u8]) -> String {
    let b = b.split(|&c| c == 0).next().unwrap_or(&[]);
    String::from_utf8_lossy(b).into_owned()
}

/// `GetFieldOrDefault`.
fn field(it: &mut Interp, rec: &Value, name: &str) -> Option<Value> {
    it.field_or_default(rec, name)
}

/// The type a `type` value names.
fn type_of_value(v: &Value) -> Option<TypeRef> {
    match v {
        Value::Type(t) => match &t.kind {
            TypeKind::Type(inner) => Some(inner.clone()),
            _ => Some(t.clone()),
        },
        _ => None,
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

/// A value of a script enum type by its full name.
fn enum_val(it: &Interp, type_name: &str, name: &str) -> Value {
    let Some(t) = global_type(it, type_name) else {
        return Value::Void;
    };
    let v = match &t.kind {
        TypeKind::Enum(et) => et.value_of(Symbol::intern(name)).unwrap_or(0),
        _ => 0,
    };
    Value::Enum(t, v)
}

fn input_event(it: &Interp, which: &str) -> Value {
    enum_val(it, "Input::Event", &format!("Input::{which}"))
}

fn field_optional(f: &zest_runtime::types::Field) -> bool {
    f.attrs.has(AttrKind::Optional) || f.attrs.has(AttrKind::Default)
}

/// The event a function value names, with its type.
fn event_of(v: &Value) -> Option<(u32, TypeRef)> {
    match v {
        Value::Func(f) => match &f.kind {
            FuncValKind::Global(gid) => Some((*gid, f.ty.clone())),
            _ => None,
        },
        _ => None,
    }
}

fn func_flavor_is_event(t: &TypeRef) -> bool {
    t.func()
        .is_some_and(|f| f.flavor == zest_runtime::types::Flavor::Event)
}

fn params(t: &TypeRef) -> Vec<TypeRef> {
    t.func()
        .map(|f| f.params.iter().map(|p| p.ty.clone()).collect())
        .unwrap_or_default()
}

fn hasher() -> KeyHasher {
    zest_dict::global_hasher()
}

fn dict_key(bytes: &[u8]) -> KeyBuf {
    let mut kb = KeyBuf::new();
    kb.write_singleton_string(bytes);
    kb
}

// ---------------------------------------------------------------- reporting

/// The stream facts that messages about it need.
#[derive(Clone)]
struct SInfo {
    name: String,
    source: String,
    error_event: Option<u32>,
    description: Value,
    loc: Loc,
}

fn sinfo(s: &Rc<RefCell<Stream>>) -> SInfo {
    let sb = s.borrow();
    SInfo {
        name: sb.name.clone(),
        source: cstring(&sb.source),
        error_event: sb.error_event,
        description: sb.description.clone(),
        loc: sb.loc,
    }
}

fn report(it: &mut Interp, level: Level, msg: &str) {
    // Zeek raises the reporter events for every message once initialization
    // is done; the reporter module raises them for messages from script
    // code (call depth above 0), which the run loop's processing is not.
    let bump = it.init_done;
    if bump {
        it.depth += 1;
    }
    report_now(it, level, msg);
    if bump {
        it.depth -= 1;
    }
}

fn report_now(it: &mut Interp, level: Level, msg: &str) {
    match level {
        Level::Info => reporter::message(it, reporter::Level::Info, None, Loc::default(), msg),
        Level::Warning => {
            reporter::message(it, reporter::Level::Warning, None, Loc::default(), msg);
        }
        Level::Error => reporter::message(it, reporter::Level::Error, None, Loc::default(), msg),
        Level::InternalWarning => it.report("internal warning", None, msg),
    }
}

/// `Manager::ErrorHandler`: the stream's error event, and the reporter
/// when `reporter_send`.
fn error_handler(it: &mut Interp, si: &SInfo, level: Level, reporter_send: bool, msg: &str) {
    if let Some(ev) = si.error_event {
        let lv = match level {
            Level::Info => "Reporter::INFO",
            Level::Warning | Level::InternalWarning => "Reporter::WARNING",
            Level::Error => "Reporter::ERROR",
        };
        let lv = enum_val(it, "Reporter::Level", lv);
        let args = vec![si.description.clone(), Value::str(msg.as_bytes()), lv];
        it.queue_event(ev, args);
    }
    if reporter_send {
        report(it, level, msg);
    }
}

fn warning(it: &mut Interp, si: &SInfo, msg: &str) {
    error_handler(it, si, Level::Warning, true, msg);
}

/// The "missing non-optional value" warning, with the line if known.
fn missing_value_warning(it: &mut Interp, si: &SInfo, v: &Val) {
    let w = "Skipping input with missing non-optional value";
    if v.line != -1 {
        warning(it, si, &format!("{}:{}: {w}", si.source, v.line));
    } else {
        warning(it, si, w);
    }
}

// ---------------------------------------------------------------- values

/// `Manager::ValueToVal`: `None` for an unset value or after an error.
fn value_to_val(
    it: &mut Interp,
    si: &SInfo,
    val: &Val,
    ty: &TypeRef,
    have_error: &mut bool,
) -> Option<Value> {
    if *have_error {
        return None;
    }
    if ty.tag() != Tag::Any && ty.tag() != val.ty {
        reporter::internal_error(
            it,
            &format!(
                "Typetags don't match: {} vs {} in stream {}",
                tag_number(ty.tag()),
                tag_number(val.ty),
                si.name
            ),
        );
    }
    let data = val.data.as_ref()?;
    Some(match data {
        Data::Int(i) => match val.ty {
            Tag::Bool => Value::Bool(*i != 0),
            Tag::Count => Value::Count(*i as u64),
            _ => Value::Int(*i),
        },
        Data::Count(c) => match val.ty {
            Tag::Int => Value::Int(*c as i64),
            _ => Value::Count(*c),
        },
        Data::Double(d) => match val.ty {
            Tag::Time => Value::Time(*d),
            Tag::Interval => Value::Interval(*d),
            _ => Value::Double(*d),
        },
        Data::Bytes(b) if val.ty == Tag::Enum => {
            return enum_value(it, si, val, b, ty, have_error);
        }
        Data::Bytes(b) => Value::str(b),
        Data::Port(p, proto) => port_value(it, *p, *proto),
        Data::Addr(a) => Value::Addr(Addr::from_ip(*a)),
        Data::Subnet(a, w) => subnet_value(it, *a, *w),
        Data::Pattern(text) => pattern_value(it, text),
        Data::List(items) if val.ty == Tag::Table => {
            let elem = ty
                .table_index()
                .and_then(|ix| ix.first().cloned())
                .unwrap_or_else(|| it.prog.base.any.clone());
            let set_ty = Type::new(TypeKind::Table {
                index: vec![elem.clone()],
                yield_: None,
            });
            let mut t = TableVal::new(set_ty);
            for item in items {
                let v = value_to_val(it, si, item, &elem, have_error);
                if *have_error {
                    return None;
                }
                if let Some(v) = v {
                    t.insert(vec![v], None);
                }
            }
            Value::Table(Rc::new(RefCell::new(t)))
        }
        Data::List(items) => {
            let elem = ty
                .yield_type()
                .cloned()
                .unwrap_or_else(|| it.prog.base.any.clone());
            let vt = Type::new(TypeKind::Vector(elem.clone()));
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let v = value_to_val(it, si, item, &elem, have_error);
                if *have_error {
                    return None;
                }
                out.push(v);
            }
            Value::Vector(Rc::new(RefCell::new(VectorVal { ty: vt, items: out })))
        }
    })
}

fn port_value(it: &mut Interp, p: u64, proto: Proto) -> Value {
    let mut num = p as u32;
    if num >= 65536 {
        report(
            it,
            Level::Warning,
            &format!("bad port number {}", num as i32),
        );
        num = 0;
    }
    Value::Port(Port { num, proto })
}

fn subnet_value(it: &mut Interp, a: IpAddr, w: u8) -> Value {
    let (max, fam) = if a.is_ipv4() { (32, "v4") } else { (128, "v6") };
    let addr = Addr::from_ip(a);
    if u32::from(w) > max {
        report(
            it,
            Level::Error,
            &format!("Bad IPAddr({fam}) IPPrefix length : {w}"),
        );
        return Value::Subnet(Subnet::new(addr, 0));
    }
    Value::Subnet(Subnet::new(addr, w))
}

fn pattern_value(it: &mut Interp, text: &[u8]) -> Value {
    let c = zest_pattern::Pattern::compile(text, zest_pattern::Modes::default());
    for d in &c.diagnostics {
        report(it, Level::Error, &String::from_utf8_lossy(&d.message));
    }
    Value::Pattern(c.pattern)
}

fn enum_value(
    it: &mut Interp,
    si: &SInfo,
    val: &Val,
    b: &[u8],
    ty: &TypeRef,
    have_error: &mut bool,
) -> Option<Value> {
    let text = String::from_utf8_lossy(b).into_owned();
    let full = match text.split_once("::") {
        Some(("GLOBAL", var)) => var.to_owned(),
        _ => text.clone(),
    };
    let found = match &ty.kind {
        TypeKind::Enum(et) => et.value_of(Symbol::intern(&full)),
        _ => None,
    };
    match found {
        Some(v) => Some(Value::Enum(ty.clone(), v)),
        None => {
            let w = format!(
                "Value '{text}' for stream '{}' is not a valid enum.",
                si.name
            );
            if val.line != -1 {
                warning(it, si, &format!("{}, line {}: {w}", si.source, val.line));
            } else {
                warning(it, si, &w);
            }
            *have_error = true;
            None
        }
    }
}

/// `Manager::ValueToRecordVal`: consumes the values of the record's
/// fields (nested records flattened) from `position`.
fn value_to_record_val(
    it: &mut Interp,
    si: &SInfo,
    vals: &[Val],
    rtype: &TypeRef,
    position: &mut usize,
    have_error: &mut bool,
) -> Option<Value> {
    let rec = it.default_value(rtype);
    let fields: Vec<(TypeRef, bool)> = rtype
        .record()
        .map(|r| {
            r.fields
                .borrow()
                .iter()
                .map(|f| (f.ty.clone(), field_optional(f)))
                .collect()
        })
        .unwrap_or_default();
    for (i, (fty, optional)) in fields.iter().enumerate() {
        let mut fv = None;
        match fty.tag() {
            Tag::Record => {
                fv = value_to_record_val(it, si, vals, fty, position, have_error);
            }
            Tag::File | Tag::Func | Tag::Opaque => {}
            _ => {
                let Some(v) = vals.get(*position) else {
                    *have_error = true;
                    return None;
                };
                if !v.present() && !optional {
                    missing_value_warning(it, si, v);
                    *have_error = true;
                } else {
                    fv = value_to_val(it, si, v, fty, have_error);
                    *position += 1;
                }
            }
        }
        if *have_error {
            return None;
        }
        if let (Some(v), Value::Record(r)) = (fv, &rec) {
            let mut rb = r.borrow_mut();
            if rb.fields.len() <= i {
                rb.fields.resize(i + 1, None);
            }
            rb.fields[i] = Some(v);
        }
    }
    Some(rec)
}

/// `Manager::ValueToIndexVal`: the table index of a row.
fn value_to_index_val(
    it: &mut Interp,
    si: &SInfo,
    num_fields: usize,
    itype: &TypeRef,
    vals: &[Val],
    have_error: &mut bool,
) -> Option<Vec<Value>> {
    let ftypes: Vec<TypeRef> = itype
        .record()
        .map(|r| r.fields.borrow().iter().map(|f| f.ty.clone()).collect())
        .unwrap_or_default();
    if num_fields == 1 && ftypes.first().is_some_and(|t| t.tag() != Tag::Record) {
        let v = value_to_val(it, si, vals.first()?, &ftypes[0], have_error);
        if v.is_none() && !*have_error {
            missing_value_warning(it, si, &vals[0]);
            *have_error = true;
        }
        return v.map(|v| vec![v]);
    }
    let mut key = Vec::new();
    let mut position = 0;
    for ft in &ftypes {
        if ft.tag() == Tag::Record {
            let rv = value_to_record_val(it, si, vals, ft, &mut position, have_error);
            if *have_error {
                break;
            }
            key.extend(rv);
        } else {
            if *have_error {
                break;
            }
            let Some(val) = vals.get(position) else {
                *have_error = true;
                break;
            };
            let v = value_to_val(it, si, val, ft, have_error);
            if v.is_none() {
                missing_value_warning(it, si, val);
                *have_error = true;
            }
            if *have_error {
                break;
            }
            key.extend(v);
            position += 1;
        }
    }
    if *have_error {
        return None;
    }
    Some(key)
}

/// `Manager::RecordValToIndexVal`.
fn record_to_index(r: &Value) -> Vec<Value> {
    let Value::Record(r) = r else {
        return Vec::new();
    };
    let rb = r.borrow();
    let single = rb
        .ty
        .record()
        .is_some_and(|rt| rt.len() == 1 && rt.fields.borrow()[0].ty.tag() != Tag::Record);
    if single {
        return vec![rb.fields.first().cloned().flatten().unwrap_or(Value::Void)];
    }
    rb.fields
        .iter()
        .map(|f| f.clone().unwrap_or(Value::Void))
        .collect()
}

/// `Manager::ListValToRecordVal`.
fn list_to_record(list: &[Value], rtype: &TypeRef, position: &mut usize) -> Value {
    let rec = Value::new_record(rtype.clone());
    let ftypes: Vec<TypeRef> = rtype
        .record()
        .map(|r| r.fields.borrow().iter().map(|f| f.ty.clone()).collect())
        .unwrap_or_default();
    for (i, ft) in ftypes.iter().enumerate() {
        let v = if ft.tag() == Tag::Record {
            list_to_record(list, ft, position)
        } else {
            let v = list.get(*position).cloned().unwrap_or(Value::Void);
            *position += 1;
            v
        };
        if let Value::Record(r) = &rec {
            r.borrow_mut().fields[i] = Some(v);
        }
    }
    rec
}

/// `Manager::CallPred`: false when the predicate fails.
fn call_pred(it: &mut Interp, pred: &Value, mut args: Vec<Value>, loc: Loc) -> bool {
    matches!(it.call_value(pred, &mut args, loc), Ok(Value::Bool(true)))
}

// ---------------------------------------------------------------- creation

/// `Manager::IsCompatibleType`.
pub fn is_compatible_type(t: &TypeRef, atomic_only: bool) -> bool {
    match t.tag() {
        Tag::Bool
        | Tag::Int
        | Tag::Count
        | Tag::Port
        | Tag::Subnet
        | Tag::Addr
        | Tag::Double
        | Tag::Time
        | Tag::Interval
        | Tag::Enum
        | Tag::String
        | Tag::Pattern => true,
        Tag::Record => !atomic_only,
        Tag::Table => {
            if atomic_only || !t.is_set() {
                return false;
            }
            match t.table_index() {
                Some([one]) => is_compatible_type(one, true),
                _ => false,
            }
        }
        Tag::Vector => !atomic_only && t.yield_type().is_some_and(|y| is_compatible_type(y, true)),
        _ => false,
    }
}

/// `Manager::UnrollRecordType`: the columns of a record type.
fn unroll_record_type(
    it: &mut Interp,
    site: &CallSite<'_>,
    out: &mut Vec<Field>,
    rec: &TypeRef,
    prepend: &str,
    allow_file_func: bool,
) -> bool {
    let fields: Vec<zest_runtime::types::Field> = rec
        .record()
        .map(|r| r.fields.borrow().clone())
        .unwrap_or_default();
    for f in &fields {
        let name = format!("{prepend}{}", f.name.as_str());
        let optional = field_optional(f);
        if !is_compatible_type(&f.ty, false) {
            if allow_file_func
                && matches!(f.ty.tag(), Tag::File | Tag::Func | Tag::Opaque)
                && optional
            {
                reporter::message(
                    it,
                    reporter::Level::Info,
                    None,
                    site.loc,
                    &format!(
                        "Encountered incompatible type \"{}\" in type definition for field \"{name}\" in ReaderFrontend. Ignoring optional field.",
                        tag_name(f.ty.tag())
                    ),
                );
                continue;
            }
            reporter::error(
                it,
                site,
                &format!(
                    "Incompatible type \"{}\" in type definition for field \"{name}\" in ReaderFrontend",
                    tag_name(f.ty.tag())
                ),
            );
            return false;
        }
        if f.ty.tag() == Tag::Record {
            if optional {
                reporter::message(
                    it,
                    reporter::Level::Info,
                    None,
                    site.loc,
                    &format!(
                        "The input framework does not support optional record fields: \"{}\"",
                        f.name.as_str()
                    ),
                );
                return false;
            }
            let prep = format!("{name}.");
            if !unroll_record_type(it, site, out, &f.ty, &prep, allow_file_func) {
                return false;
            }
            continue;
        }
        let ty = f.ty.tag();
        let subtype = match ty {
            Tag::Table => {
                f.ty.table_index()
                    .and_then(|ix| ix.first())
                    .map_or(Tag::Void, |t| t.tag())
            }
            Tag::Vector => f.ty.yield_type().map_or(Tag::Void, |t| t.tag()),
            _ => Tag::Void,
        };
        let mut secondary = None;
        if ty == Tag::Port {
            if let Some(e) = f.attrs.get(AttrKind::TypeColumn).cloned() {
                if let Ok(v) = it.eval(&e) {
                    secondary = Some(cstring(v.as_bytes()));
                }
            }
        }
        out.push(Field {
            name,
            secondary_name: secondary,
            ty,
            subtype,
            optional,
        });
    }
    true
}

/// `Manager::CheckErrorEventTypes`.
fn check_error_event(
    it: &mut Interp,
    site: &CallSite<'_>,
    stream: &str,
    ev: Option<&Value>,
    table: bool,
) -> Result<Option<u32>, ()> {
    let Some(ev) = ev else { return Ok(None) };
    let Some((gid, ty)) = event_of(ev) else {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream}: Error event is a function, not an event"),
        );
        return Err(());
    };
    if !func_flavor_is_event(&ty) {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream}: Error event is a function, not an event"),
        );
        return Err(());
    }
    let args = params(&ty);
    if args.len() != 3 {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream}: Error event must take 3 arguments"),
        );
        return Err(());
    }
    let desc = if table {
        "Input::TableDescription"
    } else {
        "Input::EventDescription"
    };
    let want = global_type(it, desc);
    if !want.as_ref().is_some_and(|w| same_type(&args[0], w)) {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream}: Error event's first attribute must be of type {desc}"),
        );
        return Err(());
    }
    if args[1].tag() != Tag::String {
        reporter::error(
            it,
            site,
            &format!(
                "Input stream {stream}: Error event's second attribute must be of type string"
            ),
        );
        return Err(());
    }
    let level = global_type(it, "Reporter::Level");
    if !level.as_ref().is_some_and(|w| same_type(&args[2], w)) {
        reporter::error(
            it,
            site,
            &format!(
                "Input stream {stream}: Error event's third attribute must be of type Reporter::Level"
            ),
        );
        return Err(());
    }
    Ok(Some(gid))
}

/// The reader implementation for a `Input::Reader` value.
fn create_reader(it: &mut Interp, reader: &str) -> Option<Box<dyn Reader>> {
    use super::{ascii, benchmark, binary, config, raw};
    Some(match reader {
        "Input::READER_ASCII" => Box::new(ascii::Ascii::new(ascii::AsciiConsts {
            separator: global_bytes(it, "InputAscii::separator", b"\t"),
            set_separator: global_bytes(it, "InputAscii::set_separator", b","),
            empty_field: global_bytes(it, "InputAscii::empty_field", b"(empty)"),
            unset_field: global_bytes(it, "InputAscii::unset_field", b"-"),
            fail_on_invalid_lines: global_bool(it, "InputAscii::fail_on_invalid_lines"),
            fail_on_file_problem: global_bool(it, "InputAscii::fail_on_file_problem"),
            path_prefix: global_bytes(it, "InputAscii::path_prefix", b""),
        })),
        "Input::READER_RAW" => Box::new(raw::Raw::new(global_bytes(
            it,
            "InputRaw::record_separator",
            b"\n",
        ))),
        "Input::READER_BINARY" => Box::new(binary::Binary::new(
            global_count(it, "InputBinary::chunk_size"),
            global_bytes(it, "InputBinary::path_prefix", b""),
        )),
        "Input::READER_BENCHMARK" => {
            Box::new(benchmark::Benchmark::new(benchmark::BenchmarkConsts {
                factor: global_double(it, "InputBenchmark::factor"),
                spread: global_count(it, "InputBenchmark::spread"),
                autospread: global_double(it, "InputBenchmark::autospread"),
                addfactor: global_count(it, "InputBenchmark::addfactor"),
                stopspreadat: global_count(it, "InputBenchmark::stopspreadat"),
                timedspread: global_double(it, "InputBenchmark::timedspread"),
                heartbeat_interval: global_double(it, "Threading::heartbeat_interval"),
            }))
        }
        "Input::READER_CONFIG" => Box::new(config::Config::new(config::ConfigConsts {
            set_separator: global_bytes(it, "InputConfig::set_separator", b","),
            empty_field: global_bytes(it, "InputConfig::empty_field", b""),
            fail_on_file_problem: global_bool(it, "InputConfig::fail_on_file_problem"),
            options: option_types(it),
        })),
        "Input::READER_SQLITE" => Box::new(super::sqlite::Sqlite::new(sqlite_consts(it))),
        _ => return None,
    })
}

/// The SQLite reader's separators: the SQLite log writer's texts, cut to
/// the lengths of the reader's own options (as Zeek 5.2 reads them).
fn sqlite_consts(it: &Interp) -> super::sqlite::SqliteConsts {
    let cut = |it: &Interp, log: &str, input: &str, default: &[u8]| {
        let mut v = global_bytes(it, log, default);
        v.truncate(global_bytes(it, input, default).len());
        v
    };
    super::sqlite::SqliteConsts {
        set_separator: cut(
            it,
            "LogSQLite::set_separator",
            "InputSQLite::set_separator",
            b",",
        ),
        unset_field: cut(
            it,
            "LogSQLite::unset_field",
            "InputSQLite::unset_field",
            b"-",
        ),
        empty_field: cut(
            it,
            "LogAscii::empty_field",
            "InputSQLite::empty_field",
            b"(empty)",
        ),
    }
}

/// The options of the script with the types the config reader can read.
fn option_types(it: &Interp) -> std::collections::BTreeMap<Vec<u8>, super::config::OptionType> {
    use super::config::OptionType;
    let mut out = std::collections::BTreeMap::new();
    for g in &it.prog.globals {
        if g.kind != zest_runtime::program::GlobalKind::Option {
            continue;
        }
        let Some(ty) = &g.ty else { continue };
        let t = if ty.tag() == Tag::Record || !is_compatible_type(ty, false) {
            OptionType::Unsupported(ty.describe())
        } else {
            let secondary = match ty.tag() {
                Tag::Table => ty
                    .table_index()
                    .and_then(|ix| ix.first())
                    .map_or(Tag::Void, |t| t.tag()),
                Tag::Vector => ty.yield_type().map_or(Tag::Void, |t| t.tag()),
                _ => Tag::Void,
            };
            OptionType::Ok(ty.tag(), secondary)
        };
        out.insert(g.name.as_str().as_bytes().to_vec(), t);
    }
    out
}

/// Installs the manager's hooks into the run loop (once).
fn install_hooks(it: &mut Interp) {
    let m = manager(it);
    let mut mb = m.borrow_mut();
    if mb.hooked {
        return;
    }
    mb.hooked = true;
    mb.prev_poll = it.hooks.io_poll;
    it.hooks.io_poll = Some(super::poll);
    it.hooks.at_exit.insert(0, super::shutdown);
}

/// `Manager::CreateStream`: the parts every stream has. `Err` after an
/// error was reported.
#[allow(clippy::type_complexity)]
fn create_stream_common(
    it: &mut Interp,
    site: &CallSite<'_>,
    description: &Value,
) -> Result<(String, ReaderInfo, Value, String), ()> {
    let name = cstring(
        field(it, description, "name")
            .unwrap_or(Value::Void)
            .as_bytes(),
    );
    if find_stream(it, &name).is_some() {
        reporter::error(
            it,
            site,
            &format!("Trying create already existing input stream {name}"),
        );
        return Err(());
    }
    let reader = field(it, description, "reader").unwrap_or(Value::Void);
    let source = field(it, description, "source")
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let mode = match field(it, description, "mode") {
        Some(Value::Enum(_, 0)) => Mode::Manual,
        Some(Value::Enum(_, 1)) => Mode::Reread,
        Some(Value::Enum(_, 2)) => Mode::Stream,
        _ => {
            it.report("internal warning", None, "unknown input reader mode");
            return Err(());
        }
    };
    let mut config = Vec::new();
    if let Some(Value::Table(t)) = field(it, description, "config") {
        for (k, v) in t.borrow().entries_vec() {
            let key = cstring(k.first().map_or(&[][..], Value::as_bytes));
            let val = cstring(v.as_ref().map_or(&[][..], Value::as_bytes));
            config.push((key.into_bytes(), val.into_bytes()));
        }
    }
    config.sort();
    let info = ReaderInfo {
        source: source.split(|&c| c == 0).next().unwrap_or(&[]).to_vec(),
        name: name.clone(),
        mode,
        config,
    };
    let reader_name = enum_name(&reader);
    Ok((name, info, reader, reader_name))
}

fn make_backend(
    it: &mut Interp,
    site: &CallSite<'_>,
    reader_name: &str,
    info: ReaderInfo,
    fields: Vec<Field>,
) -> Option<Backend> {
    let Some(reader) = create_reader(it, reader_name) else {
        reporter::error(
            it,
            site,
            "The reader that was requested was not found and could not be initialized.",
        );
        return None;
    };
    let mut ctx = Ctx::new(info);
    ctx.fields = fields;
    let mut b = Backend::new(reader, ctx);
    b.inbox.push_back(InMsg::Init);
    Some(b)
}

#[allow(clippy::too_many_arguments)]
fn register(
    it: &mut Interp,
    site: &CallSite<'_>,
    name: String,
    info: &ReaderInfo,
    reader_name: &str,
    description: &Value,
    error_event: Option<u32>,
    kind: Kind,
    backend: Backend,
) {
    install_hooks(it);
    let thread_name = format!("{}/{reader_name}", info.source_str());
    let s = Stream {
        name,
        removed: false,
        deleted: false,
        kind,
        source: info.source.clone(),
        description: description.clone(),
        error_event,
        thread_name,
        backend: Some(backend),
        stopped: false,
        frontend_disabled: false,
        loc: site.loc,
    };
    let nt = it.network_time;
    let m = manager(it);
    let mut mb = m.borrow_mut();
    if mb.next_beat.is_none() {
        mb.next_beat = Some(nt + global_double_or(it, "Threading::heartbeat_interval", 1.0));
    }
    mb.streams.push(Rc::new(RefCell::new(s)));
}

fn global_double_or(it: &Interp, name: &str, default: f64) -> f64 {
    global(it, name).map_or(default, |v| v.as_double())
}

/// `Manager::CreateEventStream`.
pub fn create_event_stream(it: &mut Interp, site: &CallSite<'_>, fval: &Value) -> bool {
    let stream_name = cstring(field(it, fval, "name").unwrap_or(Value::Void).as_bytes());
    let Some(fields) = field(it, fval, "fields").as_ref().and_then(type_of_value) else {
        return false;
    };
    let want_record = field(it, fval, "want_record").is_some_and(|v| v.as_bool());
    let ev_val = field(it, fval, "ev").unwrap_or(Value::Void);
    let Some((ev_gid, etype)) = event_of(&ev_val) else {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Stream event is a function, not an event"),
        );
        return false;
    };
    if !func_flavor_is_event(&etype) {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Stream event is a function, not an event"),
        );
        return false;
    }
    let args = params(&etype);
    if args.len() < 2 {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Event does not take enough arguments"),
        );
        return false;
    }
    let ev_ty = global_type(it, "Input::Event");
    if !ev_ty.as_ref().is_some_and(|t| same_type(&args[1], t)) {
        reporter::error(
            it,
            site,
            &format!(
                "Input stream {stream_name}: Event's second attribute must be of type Input::Event"
            ),
        );
        return false;
    }
    let desc_ty = global_type(it, "Input::EventDescription");
    if !desc_ty.as_ref().is_some_and(|t| same_type(&args[0], t)) {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Event's first attribute must be of type Input::EventDescription"),
        );
        return false;
    }
    let nfields = fields.record().map_or(0, |r| r.len());
    let mut allow_file_func = false;
    if !want_record {
        if args.len() != nfields + 2 {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: Event has wrong number of arguments"),
            );
            return false;
        }
        let ftypes: Vec<TypeRef> = fields
            .record()
            .map(|r| r.fields.borrow().iter().map(|f| f.ty.clone()).collect())
            .unwrap_or_default();
        for (i, ft) in ftypes.iter().enumerate() {
            if !same_type(&args[i + 2], ft) {
                reporter::error(
                    it,
                    site,
                    &format!(
                        "Input stream {stream_name}: Incompatible type for event in field {}. Need type '{}':{}, got '{}':{}",
                        i + 3,
                        tag_name(ft.tag()),
                        ft.describe(),
                        tag_name(args[i + 2].tag()),
                        args[i + 2].describe()
                    ),
                );
                return false;
            }
        }
    } else {
        if args.len() != 3 {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: Event has wrong number of arguments"),
            );
            return false;
        }
        if !same_type(&args[2], &fields) {
            reporter::error(
                it,
                site,
                &format!(
                    "Input stream {stream_name}: Incompatible type '{}':{} for event, which needs type '{}':{}\n",
                    tag_name(args[2].tag()),
                    args[2].describe(),
                    tag_name(fields.tag()),
                    fields.describe()
                ),
            );
            return false;
        }
        allow_file_func = global_bool(it, "Input::accept_unsupported_types");
    }
    let error_ev = field(it, fval, "error_ev");
    let Ok(error_event) = check_error_event(it, site, &stream_name, error_ev.as_ref(), false)
    else {
        return false;
    };
    let mut fields_v = Vec::new();
    if !unroll_record_type(it, site, &mut fields_v, &fields, "", allow_file_func) {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Problem unrolling"),
        );
        return false;
    }
    let Ok((name, info, _reader, reader_name)) = create_stream_common(it, site, fval) else {
        return false;
    };
    let Some(backend) = make_backend(it, site, &reader_name, info.clone(), fields_v) else {
        return false;
    };
    let kind = Kind::Event(EventStream {
        event: ev_gid,
        fields,
        want_record,
    });
    register(
        it,
        site,
        name,
        &info,
        &reader_name,
        fval,
        error_event,
        kind,
        backend,
    );
    true
}

/// `Manager::CreateAnalysisStream`: the reader's one field is the byte
/// stream, which goes to file analysis.
pub fn create_analysis_stream(it: &mut Interp, site: &CallSite<'_>, fval: &Value) -> bool {
    let Ok((name, info, _reader, reader_name)) = create_stream_common(it, site, fval) else {
        return false;
    };
    let file_id = crate::file_analysis::hash_handle(it, name.as_bytes());
    let fields = vec![Field {
        name: "bytestream".to_string(),
        secondary_name: None,
        ty: Tag::String,
        subtype: Tag::Void,
        optional: false,
    }];
    let Some(backend) = make_backend(it, site, &reader_name, info.clone(), fields) else {
        return false;
    };
    register(
        it,
        site,
        name,
        &info,
        &reader_name,
        fval,
        None,
        Kind::Analysis(file_id),
        backend,
    );
    true
}

/// `Manager::CreateTableStream`.
pub fn create_table_stream(it: &mut Interp, site: &CallSite<'_>, fval: &Value) -> bool {
    let stream_name = cstring(field(it, fval, "name").unwrap_or(Value::Void).as_bytes());
    let pred = field(it, fval, "pred");
    let Some(idx) = field(it, fval, "idx").as_ref().and_then(type_of_value) else {
        return false;
    };
    let val = field(it, fval, "val").as_ref().and_then(type_of_value);
    let dst = field(it, fval, "destination").unwrap_or(Value::Void);
    let Value::Table(tab) = &dst else {
        return false;
    };
    let dst_ty = tab.borrow().ty.clone();
    let idx_types: Vec<TypeRef> = idx
        .record()
        .map(|r| r.fields.borrow().iter().map(|f| f.ty.clone()).collect())
        .unwrap_or_default();
    let num = idx_types.len();
    let tl: Vec<TypeRef> = dst_ty.table_index().map(<[_]>::to_vec).unwrap_or_default();
    for (j, t) in tl.iter().enumerate() {
        if j >= num {
            reporter::error(
                it,
                site,
                &format!(
                    "Input stream {stream_name}: Table type has more indexes than index definition"
                ),
            );
            return false;
        }
        if !same_type(&idx_types[j], t) {
            reporter::error(
                it,
                site,
                &format!(
                    "Input stream {stream_name}: Table type does not match index type. Need type '{}':{}, got '{}':{}",
                    tag_name(idx_types[j].tag()),
                    idx_types[j].describe(),
                    tag_name(t.tag()),
                    t.describe()
                ),
            );
            return false;
        }
    }
    if num != tl.len() {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Table has less elements than index definition"),
        );
        return false;
    }
    let want_record = field(it, fval, "want_record").is_some_and(|v| v.as_bool());
    let destination_is_set = dst_ty.is_set();
    if let Some(val) = &val {
        if destination_is_set {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: 'destination' field is a set, but the 'val' field was also specified (did you mean to use a table instead of a set?)"),
            );
            return false;
        }
        let table_yield = dst_ty.yield_type().cloned();
        let compare = if want_record {
            Some(val.clone())
        } else {
            val.record()
                .and_then(|r| r.fields.borrow().first().map(|f| f.ty.clone()))
        };
        let ok = match (&table_yield, &compare) {
            (Some(y), Some(c)) => same_type(y, c),
            _ => false,
        };
        if !ok {
            reporter::error(
                it,
                site,
                &format!(
                    "Input stream {stream_name}: Table type does not match value type. Need type '{}', got '{}'",
                    compare.map(|c| c.describe()).unwrap_or_default(),
                    table_yield.map(|y| y.describe()).unwrap_or_default()
                ),
            );
            return false;
        }
    } else if !destination_is_set {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: 'destination' field is a table, but 'val' field is not provided (did you mean to use a set instead of a table?)"),
        );
        return false;
    }
    let event_val = field(it, fval, "ev");
    let mut event = None;
    if let Some(ev) = &event_val {
        let Some((gid, etype)) = event_of(ev).filter(|(_, t)| func_flavor_is_event(t)) else {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: Stream event is a function, not an event"),
            );
            return false;
        };
        let args = params(&etype);
        let required = if destination_is_set { 3 } else { 4 };
        if args.len() != required {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: Table event must take {required} arguments"),
            );
            return false;
        }
        let desc_ty = global_type(it, "Input::TableDescription");
        if !desc_ty.as_ref().is_some_and(|t| same_type(&args[0], t)) {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: Table event's first attribute must be of type Input::TableDescription"),
            );
            return false;
        }
        let ev_ty = global_type(it, "Input::Event");
        if !ev_ty.as_ref().is_some_and(|t| same_type(&args[1], t)) {
            reporter::error(
                it,
                site,
                &format!("Input stream {stream_name}: Table event's second attribute must be of type Input::Event"),
            );
            return false;
        }
        if !same_type(&args[2], &idx) {
            reporter::error(
                it,
                site,
                &format!(
                    "Input stream {stream_name}: Table event's index attributes do not match. Need '{}', got '{}'",
                    idx.describe(),
                    args[2].describe()
                ),
            );
            return false;
        }
        if !destination_is_set {
            match &val {
                Some(v) if want_record && !same_type(&args[3], v) => {
                    reporter::error(
                        it,
                        site,
                        &format!(
                            "Input stream {stream_name}: Table event's value attributes do not match. Need '{}', got '{}'",
                            v.describe(),
                            args[3].describe()
                        ),
                    );
                    return false;
                }
                Some(v) if !want_record => {
                    let f0 = v
                        .record()
                        .and_then(|r| r.fields.borrow().first().map(|f| f.ty.clone()));
                    if !f0.as_ref().is_some_and(|f| same_type(&args[3], f)) {
                        reporter::error(
                            it,
                            site,
                            &format!(
                                "Input stream {stream_name}: Table event's value attribute does not match. Need '{}', got '{}'",
                                f0.map(|f| f.describe()).unwrap_or_default(),
                                args[3].describe()
                            ),
                        );
                        return false;
                    }
                }
                None => {
                    reporter::error(
                        it,
                        site,
                        "Encountered a null value when creating a table stream",
                    );
                }
                _ => {}
            }
        }
        event = Some(gid);
    }
    let error_ev = field(it, fval, "error_ev");
    let Ok(error_event) = check_error_event(it, site, &stream_name, error_ev.as_ref(), true) else {
        return false;
    };
    let mut fields_v = Vec::new();
    let mut ok = unroll_record_type(it, site, &mut fields_v, &idx, "", false);
    let idxfields = fields_v.len();
    if let Some(v) = &val {
        let accept = global_bool(it, "Input::accept_unsupported_types");
        ok = unroll_record_type(it, site, &mut fields_v, v, "", accept) && ok;
    }
    let valfields = fields_v.len() - idxfields;
    if valfields > 1 && !want_record {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Stream does not want a record (want_record=F), but has more then one value field."),
        );
        return false;
    }
    if !ok {
        reporter::error(
            it,
            site,
            &format!("Input stream {stream_name}: Problem unrolling"),
        );
        return false;
    }
    let Ok((name, info, _reader, reader_name)) = create_stream_common(it, site, fval) else {
        return false;
    };
    let Some(backend) = make_backend(it, site, &reader_name, info.clone(), fields_v) else {
        return false;
    };
    let kind = Kind::Table(Box::new(TableStream {
        num_idx_fields: idxfields,
        num_val_fields: valfields,
        want_record,
        tab: tab.clone(),
        rtype: val,
        itype: idx,
        curr: Dict::new(),
        last: Dict::new(),
        pred,
        event,
    }));
    register(
        it,
        site,
        name,
        &info,
        &reader_name,
        fval,
        error_event,
        kind,
        backend,
    );
    true
}

// ---------------------------------------------------------------- control

fn find_stream(it: &mut Interp, name: &str) -> Option<Rc<RefCell<Stream>>> {
    let m = manager(it);
    let mb = m.borrow();
    mb.streams.iter().find(|s| s.borrow().name == name).cloned()
}

/// `Manager::RemoveStream`.
fn remove_stream_ptr(it: &mut Interp, s: &Rc<RefCell<Stream>>) -> bool {
    let name = {
        let sb = s.borrow();
        if !sb.removed {
            None
        } else {
            Some(sb.name.clone())
        }
    };
    if let Some(name) = name {
        report(
            it,
            Level::Warning,
            &format!("Stream {name} is already queued for removal. Ignoring remove."),
        );
        return true;
    }
    let mut sb = s.borrow_mut();
    sb.removed = true;
    sb.stopped = true;
    if let Some(b) = sb.backend.as_mut() {
        b.signal_stop();
    }
    true
}

pub fn remove_stream(it: &mut Interp, name: &str) -> bool {
    match find_stream(it, name) {
        Some(s) => remove_stream_ptr(it, &s),
        None => false,
    }
}

/// `Manager::ForceUpdate`.
pub fn force_update(it: &mut Interp, site: &CallSite<'_>, name: &str) -> bool {
    let Some(s) = find_stream(it, name) else {
        reporter::error(it, site, &format!("Stream {name} not found"));
        return false;
    };
    if s.borrow().removed {
        reporter::error(
            it,
            site,
            &format!("Stream {name} is already queued for removal. Ignoring force update."),
        );
        return false;
    }
    let mut sb = s.borrow_mut();
    if !sb.frontend_disabled && !sb.stopped {
        if let Some(b) = sb.backend.as_mut() {
            b.inbox.push_back(InMsg::Update);
        }
    }
    true
}

/// Sends a heartbeat to every reader when one is due.
pub fn heartbeat(it: &mut Interp, now: f64) {
    let m = manager(it);
    let due = m.borrow().next_beat.is_some_and(|t| t <= now);
    if !due {
        return;
    }
    let interval = global_double_or(it, "Threading::heartbeat_interval", 1.0);
    let nt = it.network_time;
    let streams = {
        let mut mb = m.borrow_mut();
        mb.next_beat = Some(now + interval);
        mb.streams.clone()
    };
    for s in streams {
        if let Some(b) = s.borrow_mut().backend.as_mut() {
            b.heartbeat(nt, now);
        }
    }
}

/// `Manager::Terminate`: stops every stream not removed yet.
pub fn terminate(it: &mut Interp) {
    let streams = manager(it).borrow().streams.clone();
    for s in streams {
        let mut sb = s.borrow_mut();
        if sb.removed {
            continue;
        }
        sb.removed = true;
        sb.stopped = true;
        if let Some(b) = sb.backend.as_mut() {
            b.signal_stop();
        }
    }
}

/// Runs every reader on its pending messages and processes what they
/// send back, until nothing is left to do.
pub fn process(it: &mut Interp) {
    loop {
        let streams = manager(it).borrow().streams.clone();
        let mut did = false;
        for s in streams {
            let out = {
                let mut sb = s.borrow_mut();
                match sb.backend.as_mut() {
                    Some(b) if !b.is_idle() => b.run(),
                    _ => continue,
                }
            };
            if out.is_empty() {
                continue;
            }
            did = true;
            for msg in out {
                handle(it, &s, msg);
            }
        }
        if !did {
            break;
        }
    }
}

/// Processes one message of a reader as Zeek's main thread does.
fn handle(it: &mut Interp, s: &Rc<RefCell<Stream>>, msg: Msg) {
    let deleted = s.borrow().deleted;
    let si = sinfo(s);
    let thread = s.borrow().thread_name.clone();
    let unknown = |it: &mut Interp, what: &str| {
        it.report(
            "internal warning",
            None,
            &format!("Unknown reader {thread} in {what}"),
        );
    };
    match msg {
        Msg::Reporter(level, m) => report(it, level, &format!("{thread}: {m}")),
        Msg::KillMe => {
            if let Some(b) = s.borrow_mut().backend.as_mut() {
                b.killed = true;
            }
        }
        _ if deleted => match msg {
            Msg::Put(_) => unknown(it, "Put"),
            Msg::SendEntry(_) => unknown(it, "SendEntry"),
            Msg::Delete(_) => unknown(it, "Delete"),
            Msg::Clear => unknown(it, "Clear"),
            Msg::EndCurrentSend => unknown(it, "EndCurrentSend"),
            Msg::EndOfData => unknown(it, "SendEndOfData"),
            Msg::ReaderError(_, m) => report(
                it,
                Level::Error,
                &format!("Stream not found in Warning; lost message: {m}"),
            ),
            Msg::Closed => report(
                it,
                Level::Error,
                "Stream not found in RemoveStreamContinuation",
            ),
            _ => {}
        },
        Msg::Put(vals) => put(it, s, &si, &vals),
        Msg::SendEntry(vals) => send_entry(it, s, &si, &vals),
        Msg::Delete(vals) => delete(it, s, &si, &vals),
        Msg::Clear => {
            if let Kind::Table(t) = &s.borrow().kind {
                t.tab.borrow_mut().clear();
            }
        }
        Msg::EndCurrentSend => end_current_send(it, s, &si),
        Msg::EndOfData => send_end_of_data(it, s, &si),
        Msg::ReaderError(level, m) => error_handler(it, &si, level, false, &m),
        Msg::Event(name, vals) => {
            if !thread_send_event(it, &thread, &name, &vals) {
                report(
                    it,
                    Level::Error,
                    &format!("SendEvent for event {name} failed"),
                );
            }
        }
        Msg::Disable => {
            s.borrow_mut().frontend_disabled = true;
            remove_stream_ptr(it, s);
        }
        Msg::Closed => {
            s.borrow_mut().frontend_disabled = true;
            let m = manager(it);
            m.borrow_mut().streams.retain(|x| !Rc::ptr_eq(x, s));
            let mut sb = s.borrow_mut();
            sb.deleted = true;
            sb.backend = None;
        }
    }
}

/// `Manager::SendEndOfData`: `Input::end_of_data`, and the end of the
/// file of an analysis stream.
fn send_end_of_data(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo) {
    if let Some(ev) = it.prog.lookup(Symbol::intern("Input::end_of_data")) {
        let args = vec![
            Value::str(si.name.as_bytes()),
            Value::str(si.source.as_bytes()),
        ];
        it.queue_event(ev, args);
    }
    let file_id = match &s.borrow().kind {
        Kind::Analysis(id) => Some(id.clone()),
        _ => None,
    };
    if let Some(id) = file_id {
        crate::file_analysis::end_of_file(it, &id);
    }
}

/// A chunk of an analysis stream goes to file analysis (`SendEntry`,
/// `Put`), with the stream's name as the file's source. False for other
/// streams.
fn analysis_data_in(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo, vals: &[Val]) -> bool {
    let file_id = match &s.borrow().kind {
        Kind::Analysis(id) => id.clone(),
        _ => return false,
    };
    if let Some(Some(Data::Bytes(b))) = vals.first().map(|v| &v.data) {
        crate::file_analysis::data_in(it, b, &file_id, si.name.as_bytes());
    }
    true
}

/// `threading::Manager::SendEvent`: an event a reader raises itself.
fn thread_send_event(it: &mut Interp, thread: &str, name: &str, vals: &[Val]) -> bool {
    let gid = it.prog.lookup(Symbol::intern(name)).filter(|&g| {
        it.prog.globals[g as usize]
            .ty
            .as_ref()
            .is_some_and(func_flavor_is_event)
    });
    let Some(gid) = gid else {
        report(
            it,
            Level::Warning,
            &format!("Thread {thread}: Event {name} not found"),
        );
        return false;
    };
    let ptypes = it.prog.globals[gid as usize]
        .ty
        .as_ref()
        .map(params)
        .unwrap_or_default();
    if ptypes.len() != vals.len() {
        report(
            it,
            Level::Warning,
            &format!("Thread {thread}: Wrong number of values for event {name}"),
        );
        return false;
    }
    let source = format!("thread {thread}");
    let mut args = Vec::with_capacity(vals.len());
    for (v, pt) in vals.iter().zip(&ptypes) {
        let Some(x) = serial_value_to_val(it, &source, v) else {
            return false;
        };
        let xt = x.type_of(&it.prog.base);
        if pt.tag() != Tag::Any && xt.tag() != Tag::Any && !same_type(pt, &xt) {
            report(it, Level::Error, "SendEvent types do not match");
            return false;
        }
        args.push(x);
    }
    it.queue_event(gid, args);
    true
}

/// `threading::Value::ValueToVal`: a value without a requested type.
fn serial_value_to_val(it: &mut Interp, source: &str, v: &Val) -> Option<Value> {
    let data = v.data.as_ref()?;
    Some(match data {
        Data::Int(i) => match v.ty {
            Tag::Bool => Value::Bool(*i != 0),
            Tag::Count => Value::Count(*i as u64),
            _ => Value::Int(*i),
        },
        Data::Count(c) => Value::Count(*c),
        Data::Double(d) => match v.ty {
            Tag::Time => Value::Time(*d),
            Tag::Interval => Value::Interval(*d),
            _ => Value::Double(*d),
        },
        Data::Bytes(b) if v.ty == Tag::Enum => {
            let name = String::from_utf8_lossy(b).into_owned();
            let gid = it.prog.lookup(Symbol::intern(&name)).filter(|&g| {
                it.prog.globals[g as usize].kind == zest_runtime::program::GlobalKind::EnumConst
            });
            let ty = gid.and_then(|g| it.prog.globals[g as usize].ty.clone());
            let Some(ty) = ty else {
                report(
                    it,
                    Level::Warning,
                    &format!("Value '{name}' for source '{source}' is not a valid enum."),
                );
                return None;
            };
            let val = match &ty.kind {
                TypeKind::Enum(et) => et.value_of(Symbol::intern(&name)),
                _ => None,
            };
            let Some(val) = val else {
                report(
                    it,
                    Level::Warning,
                    &format!("Enum value '{name}' for source '{source}' not found."),
                );
                return None;
            };
            Value::Enum(ty, val)
        }
        Data::Bytes(b) => Value::str(b),
        Data::Port(p, proto) => port_value(it, *p, *proto),
        Data::Addr(a) => Value::Addr(Addr::from_ip(*a)),
        Data::Subnet(a, w) => subnet_value(it, *a, *w),
        Data::Pattern(t) => pattern_value(it, t),
        Data::List(items) => {
            let elem_ty = serial_elem_type(it, source, v, items)?;
            if v.ty == Tag::Table {
                let index = elem_ty.map_or_else(Vec::new, |t| vec![t]);
                let set_ty = Type::new(TypeKind::Table {
                    index,
                    yield_: None,
                });
                let mut t = TableVal::new(set_ty);
                for item in items {
                    if let Some(x) = serial_value_to_val(it, source, item) {
                        t.insert(vec![x], None);
                    } else if item.present() {
                        return None;
                    }
                }
                Value::Table(Rc::new(RefCell::new(t)))
            } else {
                let elem = elem_ty.unwrap_or_else(|| it.prog.base.any.clone());
                let vt = Type::new(TypeKind::Vector(elem));
                let mut out = Vec::new();
                for item in items {
                    let x = serial_value_to_val(it, source, item);
                    if x.is_none() && item.present() {
                        return None;
                    }
                    out.push(x);
                }
                Value::Vector(Rc::new(RefCell::new(VectorVal { ty: vt, items: out })))
            }
        }
    })
}

/// The element type of a set or vector value without a requested type:
/// `Some(None)` for an unspecified (empty, untyped) container.
fn serial_elem_type(
    it: &mut Interp,
    source: &str,
    v: &Val,
    items: &[Val],
) -> Option<Option<TypeRef>> {
    if items.is_empty() && matches!(v.subtype, Tag::Void | Tag::Enum) {
        return Some(None);
    }
    let stag = if v.subtype == Tag::Void {
        items.first().map_or(Tag::Void, |i| i.ty)
    } else {
        v.subtype
    };
    if stag == Tag::Enum {
        let name = match items.first().and_then(|i| i.data.as_ref()) {
            Some(Data::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        };
        let gid = it.prog.lookup(Symbol::intern(&name));
        let ty = gid.and_then(|g| it.prog.globals[g as usize].ty.clone());
        return match ty {
            Some(t) => Some(Some(t)),
            None => {
                report(
                    it,
                    Level::Warning,
                    &format!("Value '{name}' of source '{source}' is not a valid enum."),
                );
                None
            }
        };
    }
    let b = &it.prog.base;
    Some(Some(match stag {
        Tag::Bool => b.bool_.clone(),
        Tag::Int => b.int.clone(),
        Tag::Count => b.count.clone(),
        Tag::Double => b.double.clone(),
        Tag::Time => b.time.clone(),
        Tag::Interval => b.interval.clone(),
        Tag::String => b.string.clone(),
        Tag::Pattern => b.pattern.clone(),
        Tag::Port => b.port.clone(),
        Tag::Addr => b.addr.clone(),
        Tag::Subnet => b.subnet.clone(),
        _ => b.any.clone(),
    }))
}

// ---------------------------------------------------------------- rows

/// `Manager::SendEventStreamEvent`.
fn send_event_stream_event(
    it: &mut Interp,
    s: &Rc<RefCell<Stream>>,
    si: &SInfo,
    which: &str,
    vals: &[Val],
) {
    let (event, fields, want_record) = match &s.borrow().kind {
        Kind::Event(e) => (e.event, e.fields.clone(), e.want_record),
        _ => return,
    };
    let mut out = vec![si.description.clone(), input_event(it, which)];
    let mut position = 0;
    let mut convert_error = false;
    if want_record {
        let r = value_to_record_val(it, si, vals, &fields, &mut position, &mut convert_error);
        if !convert_error {
            out.extend(r);
        }
    } else {
        let ftypes: Vec<TypeRef> = fields
            .record()
            .map(|r| r.fields.borrow().iter().map(|f| f.ty.clone()).collect())
            .unwrap_or_default();
        for ft in &ftypes {
            let v = if ft.tag() == Tag::Record {
                value_to_record_val(it, si, vals, ft, &mut position, &mut convert_error)
            } else {
                let v = match vals.get(position) {
                    Some(x) => value_to_val(it, si, x, ft, &mut convert_error),
                    None => None,
                };
                position += 1;
                v
            };
            if convert_error {
                break;
            }
            out.push(v.unwrap_or(Value::Void));
        }
    }
    if !convert_error {
        it.queue_event(event, out);
    }
}

fn table_of(s: &Rc<RefCell<Stream>>) -> Option<TableParts> {
    match &s.borrow().kind {
        Kind::Table(t) => Some(TableParts {
            num_idx: t.num_idx_fields,
            num_val: t.num_val_fields,
            want_record: t.want_record,
            tab: t.tab.clone(),
            rtype: t.rtype.clone(),
            itype: t.itype.clone(),
            pred: t.pred.clone(),
            event: t.event,
        }),
        _ => None,
    }
}

/// The parts of a table stream a row needs (cloned, so that no borrow is
/// held while script code runs).
struct TableParts {
    num_idx: usize,
    num_val: usize,
    want_record: bool,
    tab: Rc<RefCell<TableVal>>,
    rtype: Option<TypeRef>,
    itype: TypeRef,
    pred: Option<Value>,
    event: Option<u32>,
}

impl TableParts {
    /// The value of a row: none, the single value, or a record.
    fn value(&self, it: &mut Interp, si: &SInfo, vals: &[Val], err: &mut bool) -> Option<Value> {
        let rtype = self.rtype.as_ref()?;
        if self.num_val == 0 {
            return None;
        }
        let mut position = self.num_idx;
        if self.num_val == 1 && !self.want_record {
            let ft = rtype
                .record()
                .and_then(|r| r.fields.borrow().first().map(|f| f.ty.clone()))?;
            value_to_val(it, si, vals.get(position)?, &ft, err)
        } else {
            value_to_record_val(it, si, vals, rtype, &mut position, err)
        }
    }
}

fn with_table<R>(s: &Rc<RefCell<Stream>>, f: impl FnOnce(&mut TableStream) -> R) -> Option<R> {
    match &mut s.borrow_mut().kind {
        Kind::Table(t) => Some(f(t)),
        _ => None,
    }
}

fn send_entry(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo, vals: &[Val]) {
    if analysis_data_in(it, s, si, vals) {
        return;
    }
    if matches!(s.borrow().kind, Kind::Event(_)) {
        send_event_stream_event(it, s, si, "EVENT_NEW", vals);
        return;
    }
    send_entry_table(it, s, si, vals);
}

fn put(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo, vals: &[Val]) {
    if analysis_data_in(it, s, si, vals) {
        return;
    }
    if matches!(s.borrow().kind, Kind::Event(_)) {
        send_event_stream_event(it, s, si, "EVENT_NEW", vals);
        return;
    }
    put_table(it, s, si, vals);
}

/// `Manager::SendEntryTable`: a row of a full (re)read, tracked so that
/// rows missing from the next read are removed.
fn send_entry_table(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo, vals: &[Val]) {
    let Some(tp) = table_of(s) else { return };
    let h = hasher();
    let Some(idxbytes) = hash_bytes(&vals[..tp.num_idx.min(vals.len())]) else {
        warning(it, si, "Could not hash line. Ignoring");
        return;
    };
    let mut valhash = 0;
    if tp.num_val > 0 {
        if let Some(vb) = hash_bytes(&vals[tp.num_idx.min(vals.len())..]) {
            valhash = h.hash(&vb);
        }
    }
    let kb = dict_key(&idxbytes);
    // Seen in the last read?
    let (old, updated) = with_table(s, |t| {
        let found = t.last.find(kb.key_ref(&h)).map(|ih| ih.valhash);
        match found {
            Some(vh) if tp.num_val == 0 || vh == valhash => {
                if let Some((_, ih)) = t.last.remove(kb.key_ref(&h)) {
                    t.curr.insert(kb.key_ref(&h), ih);
                }
                (None, None)
            }
            Some(_) => {
                let old = t.last.remove(kb.key_ref(&h)).map(|(_, ih)| ih);
                (old, Some(true))
            }
            None => (None, Some(false)),
        }
    })
    .unwrap_or((None, None));
    let Some(updated) = updated else {
        // An exact duplicate: nothing changes.
        return;
    };
    let mut convert_error = false;
    let valval = tp.value(it, si, vals, &mut convert_error);
    let mut predidx = None;
    if let (Some(pred), false) = (&tp.pred, convert_error) {
        let mut startpos = 0;
        let mut pred_err = false;
        let pi = value_to_record_val(it, si, vals, &tp.itype, &mut startpos, &mut pred_err);
        if !pred_err {
            let ev = input_event(
                it,
                if updated {
                    "EVENT_CHANGED"
                } else {
                    "EVENT_NEW"
                },
            );
            let pi = pi.unwrap_or(Value::Void);
            let mut args = vec![ev, pi.clone()];
            if tp.num_val > 0 {
                args.push(valval.clone().unwrap_or(Value::Void));
            }
            if !call_pred(it, pred, args, si.loc) {
                if updated {
                    // Keep the old entry.
                    if let Some(old) = old {
                        with_table(s, |t| {
                            t.curr.insert(kb.key_ref(&h), old);
                        });
                    }
                }
                return;
            }
            predidx = Some(pi);
        }
    }
    let idxval = match &predidx {
        Some(pi) => Some(record_to_index(pi)),
        None => value_to_index_val(it, si, tp.num_idx, &tp.itype, vals, &mut convert_error),
    };
    if convert_error {
        return;
    }
    let Some(idxval) = idxval else { return };
    let oldval = if updated {
        tp.tab.borrow_mut().get(&idxval)
    } else {
        None
    };
    tp.tab.borrow_mut().insert(idxval.clone(), valval.clone());
    with_table(s, |t| {
        t.curr.insert(
            kb.key_ref(&h),
            InputHash {
                valhash,
                idxkey: idxval,
            },
        );
    });
    if let Some(ev) = tp.event {
        let mut startpos = 0;
        let pi = value_to_record_val(it, si, vals, &tp.itype, &mut startpos, &mut convert_error);
        if convert_error {
            return;
        }
        let pi = pi.unwrap_or(Value::Void);
        if updated {
            let e = input_event(it, "EVENT_CHANGED");
            let args = vec![si.description.clone(), e, pi, oldval.unwrap_or(Value::Void)];
            it.queue_event(ev, args);
        } else {
            let e = input_event(it, "EVENT_NEW");
            let mut args = vec![si.description.clone(), e, pi];
            if tp.num_val > 0 {
                args.push(valval.unwrap_or(Value::Void));
            }
            it.queue_event(ev, args);
        }
    }
}

/// `Manager::EndCurrentSend`: removes the entries the read did not have,
/// then signals the end of the data.
fn end_current_send(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo) {
    let Some(tp) = table_of(s) else {
        send_end_of_data(it, s, si);
        return;
    };
    let h = hasher();
    let cursor = with_table(s, |t| t.last.robust_cursor());
    if let Some(cursor) = cursor {
        loop {
            let cur = with_table(s, |t| {
                let id = t.last.robust_current(&cursor)?;
                let (k, v) = t.last.entry(id)?;
                Some((k.bytes().to_vec(), v.idxkey.clone()))
            })
            .flatten();
            let Some((keybytes, idxkey)) = cur else { break };
            let kb = dict_key(&keybytes);
            let mut val = None;
            let mut predidx = None;
            let ev = input_event(it, "EVENT_REMOVED");
            if tp.pred.is_some() || tp.event.is_some() {
                val = tp.tab.borrow_mut().get(&idxkey);
                let mut startpos = 0;
                predidx = Some(list_to_record(&idxkey, &tp.itype, &mut startpos));
            }
            if let Some(pred) = &tp.pred {
                let args = vec![
                    ev.clone(),
                    predidx.clone().unwrap_or(Value::Void),
                    val.clone().unwrap_or(Value::Void),
                ];
                if !call_pred(it, pred, args, si.loc) {
                    // Keep it.
                    with_table(s, |t| {
                        if let Some((_, ih)) = t.last.remove(kb.key_ref(&h)) {
                            t.curr.insert(kb.key_ref(&h), ih);
                        }
                        t.last.robust_advance(&cursor);
                    });
                    continue;
                }
            }
            if let Some(e) = tp.event {
                let mut args = vec![
                    si.description.clone(),
                    ev.clone(),
                    predidx.clone().unwrap_or(Value::Void),
                ];
                if tp.num_val > 0 {
                    args.push(val.clone().unwrap_or(Value::Void));
                }
                it.queue_event(e, args);
            }
            tp.tab.borrow_mut().remove(&idxkey);
            with_table(s, |t| {
                t.last.remove(kb.key_ref(&h));
                t.last.robust_advance(&cursor);
            });
        }
        with_table(s, |t| t.last.robust_release(cursor));
    }
    with_table(s, |t| {
        t.last = std::mem::take(&mut t.curr);
    });
    send_end_of_data(it, s, si);
}

/// `Manager::PutTable`: a row of a stream, added without tracking.
fn put_table(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo, vals: &[Val]) {
    let Some(tp) = table_of(s) else { return };
    let mut convert_error = false;
    let idxval = value_to_index_val(it, si, tp.num_idx, &tp.itype, vals, &mut convert_error);
    let valval = tp.value(it, si, vals, &mut convert_error);
    if convert_error {
        return;
    }
    let Some(idxval) = idxval else { return };
    if tp.pred.is_some() || tp.event.is_some() {
        let oldval = if tp.num_val > 0 {
            tp.tab.borrow_mut().get(&idxval)
        } else {
            None
        };
        let updated = oldval.is_some();
        if let Some(pred) = &tp.pred {
            let mut startpos = 0;
            let mut pred_err = false;
            let pi = value_to_record_val(it, si, vals, &tp.itype, &mut startpos, &mut pred_err);
            if !pred_err {
                let ev = input_event(
                    it,
                    if updated {
                        "EVENT_CHANGED"
                    } else {
                        "EVENT_NEW"
                    },
                );
                let mut args = vec![ev, pi.unwrap_or(Value::Void)];
                if tp.num_val > 0 {
                    args.push(valval.clone().unwrap_or(Value::Void));
                }
                if !call_pred(it, pred, args, si.loc) {
                    return;
                }
            }
        }
        tp.tab.borrow_mut().insert(idxval, valval.clone());
        if let Some(ev) = tp.event {
            let mut startpos = 0;
            let mut err = false;
            let pi = value_to_record_val(it, si, vals, &tp.itype, &mut startpos, &mut err);
            if !err {
                let pi = pi.unwrap_or(Value::Void);
                if updated {
                    let e = input_event(it, "EVENT_CHANGED");
                    let args = vec![si.description.clone(), e, pi, oldval.unwrap_or(Value::Void)];
                    it.queue_event(ev, args);
                } else {
                    let e = input_event(it, "EVENT_NEW");
                    let mut args = vec![si.description.clone(), e, pi];
                    if tp.num_val > 0 {
                        args.push(valval.unwrap_or(Value::Void));
                    }
                    it.queue_event(ev, args);
                }
            }
        }
    } else {
        tp.tab.borrow_mut().insert(idxval, valval);
    }
}

/// `Manager::Delete`.
fn delete(it: &mut Interp, s: &Rc<RefCell<Stream>>, si: &SInfo, vals: &[Val]) {
    if matches!(s.borrow().kind, Kind::Analysis(_)) {
        // Nothing to take back from file analysis.
        return;
    }
    if matches!(s.borrow().kind, Kind::Event(_)) {
        send_event_stream_event(it, s, si, "EVENT_REMOVED", vals);
        return;
    }
    let Some(tp) = table_of(s) else { return };
    let mut convert_error = false;
    let Some(idxval) = value_to_index_val(it, si, tp.num_idx, &tp.itype, vals, &mut convert_error)
    else {
        return;
    };
    if convert_error {
        return;
    }
    let mut streamresult = true;
    if tp.pred.is_some() || tp.event.is_some() {
        let val = tp.tab.borrow_mut().get(&idxval);
        if let Some(pred) = &tp.pred {
            let mut startpos = 0;
            let pi =
                value_to_record_val(it, si, vals, &tp.itype, &mut startpos, &mut convert_error);
            if !convert_error {
                let ev = input_event(it, "EVENT_REMOVED");
                let args = vec![
                    ev,
                    pi.unwrap_or(Value::Void),
                    val.clone().unwrap_or(Value::Void),
                ];
                streamresult = call_pred(it, pred, args, si.loc);
            }
        }
        if streamresult {
            if let Some(e) = tp.event {
                let ev = input_event(it, "EVENT_REMOVED");
                let idx_rec = if tp.num_idx == 1 {
                    idxval.first().cloned().unwrap_or(Value::Void)
                } else {
                    Value::List(Rc::new(idxval.clone()))
                };
                let mut args = vec![si.description.clone(), ev, idx_rec];
                if tp.num_val > 0 {
                    args.push(val.unwrap_or(Value::Void));
                }
                it.queue_event(e, args);
            }
        }
    }
    if streamresult && tp.tab.borrow_mut().remove(&idxval).is_none() {
        warning(
            it,
            si,
            "Internal error while deleting values from input table",
        );
    }
}
