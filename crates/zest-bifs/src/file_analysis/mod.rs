//! File analysis (`src/file_analysis/`): the files the engine sees, their
//! `fa_file` records and events, the analyzers attached to them, and the
//! natives of `file_analysis.bif` and `FileExtract::__set_limit`.
//!
//! Zest analyzes no packets, so file data comes only from input analysis
//! streams (`Input::add_analysis`), which call [`data_in`] with each chunk
//! their reader sends and [`end_of_file`] at the end of the data. The
//! order of events is Zeek's: `file_new` (and `file_sniff`, `file_timeout`,
//! `file_extraction_limit`) are drained at once, as the engine needs the
//! script's answer (analyzers added) before it goes on; the others are
//! queued. Changes to a file's analyzers wait in a queue that is applied
//! before and after each delivery (`AnalyzerSet::DrainModifications`).
//!
//! A file's analyzers sit in a Zeek dictionary keyed by the composite hash
//! of (tag, arguments), so they see the data in Zeek's order. File ids are
//! Zeek's: the 128-bit HighwayHash of the handle (for an input stream, its
//! name) under the key derived from `digest_salt`, cut to `bits_per_uid`
//! and written in base 62 after `F` (`Manager::HashHandle`).
//!
//! MIME types come from the `file-magic` signatures of the files
//! `@load-sigs` loaded ([`magic`]).
//!
//! Not done: the reassembler (data that is out of order is counted as
//! overflow), and the formats of the X.509 and OCSP analyzers.

mod analyzer;
mod magic;
mod pe;

use crate::Bif;
use analyzer::{Analyzer, Delivered};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;
use zest_dict::{Dict, KeyBuf, KeyHasher, KeyRef};
use zest_runtime::interp::timers::{Timer, TimerAction};
use zest_runtime::ir::Loc;
use zest_runtime::types::{TypeKind, TypeRef};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Files::__set_timeout_interval",
        signature: "function(file_id: string, t: interval): bool",
        func: bif_set_timeout_interval,
    },
    Bif {
        name: "Files::__enable_reassembly",
        signature: "function(file_id: string): bool",
        func: bif_enable_reassembly,
    },
    Bif {
        name: "Files::__disable_reassembly",
        signature: "function(file_id: string): bool",
        func: bif_disable_reassembly,
    },
    Bif {
        name: "Files::__set_reassembly_buffer",
        signature: "function(file_id: string, max: count): bool",
        func: bif_set_reassembly_buffer,
    },
    Bif {
        name: "Files::__enable_analyzer",
        signature: "function(tag: Files::Tag): bool",
        func: bif_enable_analyzer,
    },
    Bif {
        name: "Files::__disable_analyzer",
        signature: "function(tag: Files::Tag): bool",
        func: bif_disable_analyzer,
    },
    Bif {
        name: "Files::__analyzer_enabled",
        signature: "function(tag: Files::Tag): bool",
        func: bif_analyzer_enabled,
    },
    Bif {
        name: "Files::__add_analyzer",
        signature: "function(file_id: string, tag: Files::Tag, args: any): bool",
        func: bif_add_analyzer,
    },
    Bif {
        name: "Files::__remove_analyzer",
        signature: "function(file_id: string, tag: Files::Tag, args: any): bool",
        func: bif_remove_analyzer,
    },
    Bif {
        name: "Files::__stop",
        signature: "function(file_id: string): bool",
        func: bif_stop,
    },
    Bif {
        name: "Files::__analyzer_name",
        signature: "function(tag: Files::Tag): string",
        func: bif_analyzer_name,
    },
    Bif {
        name: "Files::__file_exists",
        signature: "function(fuid: string): bool",
        func: bif_file_exists,
    },
    Bif {
        name: "Files::__lookup_file",
        signature: "function(fuid: string): fa_file",
        func: bif_lookup_file,
    },
    Bif {
        name: "set_file_handle",
        signature: "function(handle: string): any",
        func: bif_set_file_handle,
    },
    Bif {
        name: "identify_data",
        signature: "function(data: string, return_mime: bool &default=T): string",
        func: bif_identify_data,
    },
    Bif {
        name: "file_magic",
        signature: "function(data: string): mime_matches",
        func: bif_file_magic,
    },
    Bif {
        name: "FileExtract::__set_limit",
        signature: "function(file_id: string, args: any, n: count): bool",
        func: bif_set_limit,
    },
];

const KEY: &str = "file_analysis";

/// The manager's state (`file_analysis::Manager`).
#[derive(Default)]
pub struct Manager {
    /// The files being analyzed, by id (`id_map`, a `std::map`).
    files: BTreeMap<String, Rc<RefCell<File>>>,
    ignored: BTreeSet<String>,
    /// The handle the last `get_file_handle` handler set, hashed.
    current_file_id: String,
    cumulative: u64,
    max: u64,
    /// Analyzer components switched off (`Component::SetEnabled`).
    disabled: BTreeSet<i64>,
    ids: Option<Rc<Ids>>,
    magic: Option<Rc<magic::Magic>>,
}

/// Names resolved once: events, types and `fa_file` field positions.
struct Ids {
    file_new: Option<u32>,
    file_sniff: Option<u32>,
    file_timeout: Option<u32>,
    file_state_remove: Option<u32>,
    file_extraction_limit: Option<u32>,
    file_gap: Option<u32>,
    fa_file: Option<TypeRef>,
    fa_metadata: Option<TypeRef>,
    analyzer_args: Option<TypeRef>,
    f_id: usize,
    f_source: usize,
    f_last_active: usize,
    f_seen_bytes: usize,
    f_total_bytes: usize,
    f_missing_bytes: usize,
    f_overflow_bytes: usize,
    f_timeout_interval: usize,
    f_bof_buffer_size: usize,
    f_bof_buffer: usize,
    /// The key of `StaticHash128`: the SHA-256 of `digest_salt`.
    cluster_key: [u64; 4],
    bits_per_uid: u64,
}

fn manager(it: &mut Interp) -> Rc<RefCell<Manager>> {
    it.ext_mut::<Rc<RefCell<Manager>>>(KEY).clone()
}

/// The file magic signatures, read on first use.
fn magic(it: &mut Interp) -> Rc<magic::Magic> {
    let m = manager(it);
    if let Some(x) = m.borrow().magic.clone() {
        return x;
    }
    let x = Rc::new(crate::signatures::with_sigs(it, magic::Magic::from_sigs));
    m.borrow_mut().magic = Some(x.clone());
    x
}

/// `GenMIMEMatchesVal`: one `mime_match` per strength, strongest first;
/// of the types of one strength the element keeps the last.
fn mime_matches_val(it: &mut Interp, m: &magic::MimeMatches) -> Value {
    let Some(vt) = global_type(it, "mime_matches") else {
        return Value::Void;
    };
    let Some(rt) = global_type(it, "mime_match") else {
        return Value::Void;
    };
    let v = Value::new_vector(vt);
    if let Value::Vector(vv) = &v {
        for (strength, mimes) in m {
            let e = it.default_value(&rt);
            for mime in mimes {
                set_field(&e, 0, Value::Int(strength.0));
                set_field(&e, 1, Value::str(mime.as_bytes()));
            }
            vv.borrow_mut().items.push(Some(e));
        }
    }
    v
}

fn global_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let g = it.prog.lookup(Symbol::intern(name))?;
    it.prog.globals[g as usize].ty.clone()
}

fn ids(it: &mut Interp) -> Rc<Ids> {
    let m = manager(it);
    if let Some(i) = m.borrow().ids.clone() {
        return i;
    }
    let fa_file = global_type(it, "fa_file");
    let idx = |name: &str| {
        fa_file
            .as_ref()
            .and_then(|t| t.record().and_then(|r| r.field_index(Symbol::intern(name))))
            .unwrap_or(usize::MAX)
    };
    let bits_per_uid = it
        .prog
        .lookup(Symbol::intern("bits_per_uid"))
        .map_or(96, |g| it.prog.globals[g as usize].value.as_count());
    let i = Rc::new(Ids {
        file_new: event_gid(it, "file_new"),
        file_sniff: event_gid(it, "file_sniff"),
        file_timeout: event_gid(it, "file_timeout"),
        file_state_remove: event_gid(it, "file_state_remove"),
        file_extraction_limit: event_gid(it, "file_extraction_limit"),
        file_gap: event_gid(it, "file_gap"),
        f_id: idx("id"),
        f_source: idx("source"),
        f_last_active: idx("last_active"),
        f_seen_bytes: idx("seen_bytes"),
        f_total_bytes: idx("total_bytes"),
        f_missing_bytes: idx("missing_bytes"),
        f_overflow_bytes: idx("overflow_bytes"),
        f_timeout_interval: idx("timeout_interval"),
        f_bof_buffer_size: idx("bof_buffer_size"),
        f_bof_buffer: idx("bof_buffer"),
        fa_metadata: global_type(it, "fa_metadata"),
        analyzer_args: global_type(it, "Files::AnalyzerArgs"),
        fa_file,
        cluster_key: crate::zeek::digest_salt_key(it),
        bits_per_uid,
    });
    m.borrow_mut().ids = Some(i.clone());
    i
}

pub(crate) fn event_gid(it: &Interp, name: &str) -> Option<u32> {
    let g = it.prog.lookup(Symbol::intern(name))?;
    let ty = it.prog.globals[g as usize].ty.as_ref()?;
    ty.func()
        .is_some_and(|f| f.flavor == zest_runtime::types::Flavor::Event)
        .then_some(g)
}

/// The event has a handler (`EventHandlerPtr`'s truth).
pub(crate) fn has_handler(it: &Interp, gid: u32) -> bool {
    !it.prog.globals[gid as usize].bodies.is_empty()
}

/// `reporter->Error` from the engine (no script location).
pub(crate) fn report_error(it: &mut Interp, msg: &str) {
    crate::reporter::message(it, crate::reporter::Level::Error, None, Loc::default(), msg);
}

/// `StringVal::CheckString`, without the report: the bytes before a NUL.
pub(crate) fn check_string(b: &[u8]) -> Vec<u8> {
    b.split(|&c| c == 0).next().unwrap_or(&[]).to_vec()
}

fn arg_string(args: &[Value], i: usize) -> String {
    String::from_utf8_lossy(&check_string(crate::support::str_arg(args, i))).into_owned()
}

fn hasher() -> KeyHasher {
    zest_dict::global_hasher()
}

/// `Manager::HashHandle`: a file id from a handle.
pub fn hash_handle(it: &mut Interp, handle: &[u8]) -> String {
    let ids = ids(it);
    file_id(&ids.cluster_key, ids.bits_per_uid, handle)
}

/// `UID(bits, StaticHash128(handle), 2).Base62("F")`.
fn file_id(key: &[u64; 4], bits_per_uid: u64, handle: &[u8]) -> String {
    let h = zest_dict::highway::highway_hash128(key, handle);
    let bits = bits_per_uid.min(128);
    let (quot, rem) = (bits / 64, bits % 64);
    let size = if rem > 0 { quot + 1 } else { quot };
    let mut uid = [0u64; 2];
    for (i, u) in uid.iter_mut().enumerate().take(size as usize) {
        *u = h[i];
    }
    if rem > 0 {
        uid[0] >>= 64 - rem;
    }
    let mut out = String::from("F");
    for u in uid {
        base62(u, &mut out);
    }
    out
}

/// `uitoa_n(v, 62)`: least significant digit first.
fn base62(mut v: u64, out: &mut String) {
    const DIG: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    loop {
        out.push(char::from(DIG[(v % 62) as usize]));
        v /= 62;
        if v == 0 {
            break;
        }
    }
}

// ------------------------------------------------------------------ files

/// A change of a file's analyzers, applied later (`AnalyzerSet`'s
/// modification queue).
enum Modification {
    Add(Rc<RefCell<Analyzer>>, Vec<u8>),
    Remove(Vec<u8>),
}

/// One file being analyzed (`file_analysis::File`).
pub struct File {
    id: String,
    /// The `fa_file` record scripts see.
    val: Value,
    stream_offset: u64,
    reassembly_max_buffer: u64,
    did_metadata_inference: bool,
    reassembly_enabled: bool,
    postpone_timeout: bool,
    done: bool,
    bof_chunks: Vec<Vec<u8>>,
    bof_size: u64,
    bof_full: bool,
    analyzers: Dict<Rc<RefCell<Analyzer>>>,
    mods: VecDeque<Modification>,
    /// Removed analyzers, kept until the file goes (`DoneWithAnalyzer`).
    done_analyzers: Vec<Rc<RefCell<Analyzer>>>,
    /// The sampling state of the file's weirds.
    weird_state: crate::reporter::WeirdState,
}

fn get_field(val: &Value, idx: usize) -> Option<Value> {
    match val {
        Value::Record(r) => r.borrow().fields.get(idx).cloned().flatten(),
        _ => None,
    }
}

fn set_field(val: &Value, idx: usize, v: Value) {
    if let Value::Record(r) = val {
        let mut rb = r.borrow_mut();
        if idx < rb.fields.len() {
            rb.fields[idx] = Some(v);
        }
    }
}

/// A count field, or its `&default` (`LookupFieldDefaultCount`).
fn count_field(it: &Interp, val: &Value, idx: usize) -> u64 {
    if let Some(v) = get_field(val, idx) {
        return v.as_count();
    }
    field_default(it, val, idx).map_or(0, |v| v.as_count())
}

fn interval_field(it: &Interp, val: &Value, idx: usize) -> f64 {
    if let Some(v) = get_field(val, idx) {
        return v.as_double();
    }
    field_default(it, val, idx).map_or(0.0, |v| v.as_double())
}

fn field_default(_it: &Interp, val: &Value, idx: usize) -> Option<Value> {
    let Value::Record(r) = val else { return None };
    let rb = r.borrow();
    let rt = rb.ty.record()?;
    let fields = rt.fields.borrow();
    fields.get(idx)?.default.clone()
}

impl File {
    fn new(it: &mut Interp, ids: &Ids, id: &str, source: &[u8]) -> File {
        let val = match &ids.fa_file {
            Some(t) => it.default_value(t),
            None => Value::Void,
        };
        set_field(&val, ids.f_id, Value::str(id.as_bytes()));
        set_field(&val, ids.f_source, Value::str(source));
        set_field(&val, ids.f_last_active, Value::Time(it.network_time));
        File {
            id: id.to_string(),
            val,
            stream_offset: 0,
            reassembly_max_buffer: 0,
            did_metadata_inference: false,
            reassembly_enabled: false,
            postpone_timeout: false,
            done: false,
            bof_chunks: Vec::new(),
            bof_size: 0,
            bof_full: false,
            analyzers: Dict::new(),
            mods: VecDeque::new(),
            done_analyzers: Vec::new(),
            weird_state: Default::default(),
        }
    }

    /// The analyzers in the dictionary's order.
    fn analyzer_list(&self) -> Vec<Rc<RefCell<Analyzer>>> {
        self.analyzers.values().cloned().collect()
    }
}

type FileRef = Rc<RefCell<File>>;

fn lookup_file(it: &mut Interp, id: &str) -> Option<FileRef> {
    manager(it).borrow().files.get(id).cloned()
}

fn is_ignored(it: &mut Interp, id: &str) -> bool {
    manager(it).borrow().ignored.contains(id)
}

/// `FileEventAvailable`.
fn event_available(it: &mut Interp, f: &FileRef, ev: Option<u32>) -> Option<u32> {
    let g = ev.filter(|&g| has_handler(it, g))?;
    let id = f.borrow().id.clone();
    (!is_ignored(it, &id)).then_some(g)
}

/// `File::FileEvent(h)`: the event with the file as its argument.
fn file_event(it: &mut Interp, f: &FileRef, ev: Option<u32>, immediate: bool) {
    let Some(g) = event_available(it, f, ev) else {
        return;
    };
    let val = f.borrow().val.clone();
    file_event_args(it, f, g, vec![val], immediate);
}

/// `File::FileEvent(h, args)`; the events the engine needs an answer to
/// at once are drained right away, and the analyzer changes applied.
fn file_event_args(it: &mut Interp, f: &FileRef, g: u32, args: Vec<Value>, immediate: bool) {
    it.queue_event(g, args);
    if immediate {
        it.drain();
        drain_modifications(it, f);
    }
}

fn update_last_activity(it: &mut Interp, f: &FileRef) {
    let ids = ids(it);
    let val = f.borrow().val.clone();
    set_field(&val, ids.f_last_active, Value::Time(it.network_time));
}

fn increment(it: &mut Interp, f: &FileRef, idx: usize, n: u64) {
    let val = f.borrow().val.clone();
    let old = count_field(it, &val, idx);
    set_field(&val, idx, Value::Count(old + n));
}

fn schedule_inactivity_timer(it: &mut Interp, f: &FileRef) {
    let ids = ids(it);
    let (val, id) = {
        let fb = f.borrow();
        (fb.val.clone(), fb.id.clone())
    };
    let interval = interval_field(it, &val, ids.f_timeout_interval);
    let data: Rc<dyn std::any::Any> = Rc::new(id);
    it.timers.push(Timer {
        when: it.network_time + interval,
        action: TimerAction::Native(inactivity_timer, data),
    });
}

/// `FileTimer::Dispatch`.
fn inactivity_timer(it: &mut Interp, t: f64, is_expire: bool, data: &Rc<dyn std::any::Any>) {
    let Some(id) = data.downcast_ref::<String>() else {
        return;
    };
    let Some(f) = lookup_file(it, id) else { return };
    let ids = ids(it);
    let val = f.borrow().val.clone();
    let last_active = get_field(&val, ids.f_last_active).map_or(0.0, |v| v.as_double());
    let inactive = if t > last_active {
        t - last_active
    } else {
        0.0
    };
    if last_active == 0.0 {
        update_last_activity(it, &f);
        schedule_inactivity_timer(it, &f);
        return;
    }
    if inactive >= interval_field(it, &val, ids.f_timeout_interval) {
        timeout(it, id, false);
    } else if !is_expire {
        schedule_inactivity_timer(it, &f);
    }
}

/// The dictionary key of an analyzer: the composite hash of its tag and
/// arguments (`AnalyzerSet::GetKey`).
fn analyzer_key(it: &mut Interp, tag: i64, args: &Value) -> Vec<u8> {
    let ids = ids(it);
    let mut kb = KeyBuf::new();
    kb.write_enum(tag);
    zest_runtime::table::write_composite_as(&mut kb, args, ids.analyzer_args.as_ref());
    kb.bytes().to_vec()
}

fn key_ref<'a>(bytes: &'a [u8], h: &KeyHasher) -> KeyRef<'a> {
    KeyRef::new(bytes, h)
}

/// The component name of a file analyzer tag (`MD5`, `EXTRACT`, …).
fn component_name(it: &Interp, tag: &Value) -> Option<String> {
    let Value::Enum(t, v) = tag else { return None };
    let TypeKind::Enum(et) = &t.kind else {
        return None;
    };
    let full = et.name_of(*v)?.as_str();
    let base = full.rsplit("::").next().unwrap_or(full);
    let _ = it;
    Some(base.strip_prefix("ANALYZER_").unwrap_or(base).to_string())
}

/// `AnalyzerSet::QueueAdd`: the analyzer is made now and inserted at the
/// next drain of the modifications.
fn queue_add(it: &mut Interp, f: &FileRef, tag: &Value, args: &Value) -> bool {
    let Value::Enum(_, t) = tag else { return false };
    let t = *t;
    let name = component_name(it, tag).unwrap_or_default();
    let key = analyzer_key(it, t, args);
    if manager(it).borrow().disabled.contains(&t) {
        return false;
    }
    let Some(a) = Analyzer::instantiate(it, t, &name, args) else {
        let id = f.borrow().id.clone();
        report_error(
            it,
            &format!("[{id}] Failed file analyzer {name} instantiation"),
        );
        return false;
    };
    f.borrow_mut()
        .mods
        .push_back(Modification::Add(Rc::new(RefCell::new(a)), key));
    true
}

/// `AnalyzerSet::QueueRemove`: whether the analyzer is there now.
fn queue_remove(it: &mut Interp, f: &FileRef, tag: i64, args: &Value) -> bool {
    let key = analyzer_key(it, tag, args);
    let h = hasher();
    let mut fb = f.borrow_mut();
    let present = fb.analyzers.get(key_ref(&key, &h)).is_some();
    fb.mods.push_back(Modification::Remove(key));
    present
}

/// `AnalyzerSet::DrainModifications`.
fn drain_modifications(_it: &mut Interp, f: &FileRef) {
    let h = hasher();
    loop {
        let m = f.borrow_mut().mods.pop_front();
        let Some(m) = m else { break };
        let mut fb = f.borrow_mut();
        match m {
            Modification::Add(a, key) => {
                if fb.analyzers.get(key_ref(&key, &h)).is_none() {
                    fb.analyzers.insert(key_ref(&key, &h), a);
                }
            }
            Modification::Remove(key) => {
                if let Some((_, a)) = fb.analyzers.remove(key_ref(&key, &h)) {
                    fb.done_analyzers.push(a);
                }
            }
        }
    }
}

/// Asks an analyzer to be removed after it failed (`SetSkip` +
/// `QueueRemove`).
fn skip_analyzer(it: &mut Interp, f: &FileRef, a: &Rc<RefCell<Analyzer>>) {
    let (tag, args) = {
        let mut ab = a.borrow_mut();
        ab.skip = true;
        (ab.tag, ab.args.clone())
    };
    queue_remove(it, f, tag, &args);
}

/// Delivers stream data to one analyzer, raising the extraction limit
/// event when the extract analyzer reaches its limit.
fn deliver_to(it: &mut Interp, f: &FileRef, a: &Rc<RefCell<Analyzer>>, data: &[u8]) {
    if a.borrow().skip {
        return;
    }
    let val = f.borrow().val.clone();
    let r = a.borrow_mut().deliver_stream(it, &val, data);
    let ok = match r {
        Delivered::Ok(ok) => ok,
        Delivered::ExtractionLimit { limit, len } => {
            let ids = ids(it);
            let args = a.borrow().args.clone();
            if let Some(g) = ids.file_extraction_limit {
                file_event_args(
                    it,
                    f,
                    g,
                    vec![val, args, Value::Count(limit), Value::Count(len)],
                    true,
                );
            }
            a.borrow_mut().extract_write(it, data)
        }
        Delivered::Violation(reason) => {
            analyzer_violation(it, f, a, &reason);
            false
        }
    };
    if !ok {
        skip_analyzer(it, f, a);
    }
}

/// `file_analysis::Analyzer::AnalyzerViolation`: `analyzer_violation_info`
/// with the file and the reason, up to `max_analyzer_violations` per
/// analyzer, then one weird.
fn analyzer_violation(it: &mut Interp, f: &FileRef, a: &Rc<RefCell<Analyzer>>, reason: &str) {
    let (n, tag) = {
        let mut ab = a.borrow_mut();
        ab.violations += 1;
        (ab.violations, ab.tag)
    };
    let max = it
        .prog
        .lookup(Symbol::intern("max_analyzer_violations"))
        .map_or(1000, |g| it.prog.globals[g as usize].value.as_count());
    let val = f.borrow().val.clone();
    if n > max {
        if n == max + 1 {
            let tag_val = files_tag(it, tag);
            let source = component_name(it, &tag_val).unwrap_or_default();
            let mut state = std::mem::take(&mut f.borrow_mut().weird_state);
            crate::reporter::file_weird(
                it,
                &val,
                &mut state,
                b"too_many_analyzer_violations",
                b"",
                source.as_bytes(),
            );
            f.borrow_mut().weird_state = state;
        }
        return;
    }
    let Some(g) = event_gid(it, "analyzer_violation_info").filter(|&g| has_handler(it, g)) else {
        return;
    };
    let Some(info_ty) = global_type(it, "AnalyzerViolationInfo") else {
        return;
    };
    let info = it.default_value(&info_ty);
    if let Some(rt) = info_ty.record() {
        for (name, v) in [("reason", Value::str(reason.as_bytes())), ("f", val)] {
            if let Some(i) = rt.field_index(Symbol::intern(name)) {
                set_field(&info, i, v);
            }
        }
    }
    let tag_val = files_tag(it, tag);
    it.queue_event(g, vec![tag_val, info]);
}

/// The `Files::Tag` value of an analyzer tag (`Tag::AsVal`).
fn files_tag(it: &Interp, tag: i64) -> Value {
    match global_type(it, "Files::Tag") {
        Some(t) => Value::Enum(t, tag),
        None => Value::Void,
    }
}

/// `File::BufferBOF`.
fn buffer_bof(it: &mut Interp, f: &FileRef, data: &[u8]) {
    let ids = ids(it);
    if f.borrow().bof_full {
        return;
    }
    let val = f.borrow().val.clone();
    let desired = count_field(it, &val, ids.f_bof_buffer_size);
    let mut fb = f.borrow_mut();
    fb.bof_chunks.push(data.to_vec());
    fb.bof_size += data.len() as u64;
    if fb.bof_size < desired {
        return;
    }
    fb.bof_full = true;
    if fb.bof_size > 0 {
        let all = fb.bof_chunks.concat();
        set_field(&val, ids.f_bof_buffer, Value::str(&all));
    }
}

/// `File::InferMetadata`.
fn infer_metadata(it: &mut Interp, f: &FileRef) {
    let ids = ids(it);
    f.borrow_mut().did_metadata_inference = true;
    let val = f.borrow().val.clone();
    if get_field(&val, ids.f_bof_buffer).is_none() {
        let fb = f.borrow();
        if fb.bof_size == 0 {
            return;
        }
        let all = fb.bof_chunks.concat();
        set_field(&val, ids.f_bof_buffer, Value::str(&all));
    }
    let Some(g) = event_available(it, f, ids.file_sniff) else {
        return;
    };
    let meta = match &ids.fa_metadata {
        Some(t) => it.default_value(t),
        None => Value::Void,
    };
    let bof = get_field(&val, ids.f_bof_buffer).unwrap_or(Value::Void);
    let len = (bof.as_bytes().len() as u64).min(count_field(it, &val, ids.f_bof_buffer_size));
    let matches = magic(it).detect(&bof.as_bytes()[..len as usize]);
    if let Some(best) = magic::strongest(&matches) {
        let best = Value::str(best.as_bytes());
        let all = mime_matches_val(it, &matches);
        if let Some(rt) = ids.fa_metadata.as_ref().and_then(|t| t.record()) {
            for (name, v) in [("mime_type", best), ("mime_types", all)] {
                if let Some(i) = rt.field_index(Symbol::intern(name)) {
                    set_field(&meta, i, v);
                }
            }
        }
    }
    file_event_args(it, f, g, vec![val, meta], true);
}

/// `File::DeliverStream`.
fn deliver_stream(it: &mut Interp, f: &FileRef, data: &[u8]) {
    let ids = ids(it);
    let bof_was_full = f.borrow().bof_full;
    buffer_bof(it, f, data);
    let val = f.borrow().val.clone();
    let (inferred, full) = {
        let fb = f.borrow();
        (fb.did_metadata_inference, fb.bof_full)
    };
    if !inferred && full && count_field(it, &val, ids.f_missing_bytes) == 0 {
        infer_metadata(it, f);
    }
    let list = f.borrow().analyzer_list();
    for a in &list {
        if !a.borrow().got_stream_delivery {
            // Catch the analyzer up with the BOF buffer.
            let chunks = {
                let fb = f.borrow();
                let mut n = fb.bof_chunks.len();
                if !bof_was_full {
                    n = n.saturating_sub(1);
                }
                fb.bof_chunks[..n].to_vec()
            };
            for c in &chunks {
                deliver_to(it, f, a, c);
            }
            a.borrow_mut().got_stream_delivery = true;
        }
        deliver_to(it, f, a, data);
    }
    f.borrow_mut().stream_offset += data.len() as u64;
    increment(it, f, ids.f_seen_bytes, data.len() as u64);
}

/// `File::IsComplete`.
fn is_complete(it: &mut Interp, f: &FileRef) -> bool {
    let ids = ids(it);
    let fb = f.borrow();
    match get_field(&fb.val, ids.f_total_bytes) {
        Some(t) => fb.stream_offset >= t.as_count(),
        None => false,
    }
}

/// `File::DeliverChunk`.
fn deliver_chunk(it: &mut Interp, f: &FileRef, data: &[u8], offset: u64) {
    let ids = ids(it);
    let stream_offset = f.borrow().stream_offset;
    if stream_offset == offset {
        deliver_stream(it, f, data);
    } else {
        // Out of order: without a reassembler the data is not delivered
        // to the stream analyzers.
        increment(it, f, ids.f_overflow_bytes, data.len() as u64);
    }
    let val = f.borrow().val.clone();
    let list = f.borrow().analyzer_list();
    for a in &list {
        if a.borrow().skip {
            continue;
        }
        let ok = a.borrow_mut().deliver_chunk(it, &val, data, offset);
        if !ok {
            skip_analyzer(it, f, a);
        }
    }
    if is_complete(it, f) {
        file_end_of_file(it, f);
    }
}

/// `File::DataIn` (sequential data).
fn file_data_in(it: &mut Interp, f: &FileRef, data: &[u8]) {
    drain_modifications(it, f);
    let offset = f.borrow().stream_offset;
    deliver_chunk(it, f, data, offset);
    drain_modifications(it, f);
}

/// `File::EndOfFile`.
fn file_end_of_file(it: &mut Interp, f: &FileRef) {
    if f.borrow().done {
        return;
    }
    let ids = ids(it);
    if !f.borrow().bof_full {
        f.borrow_mut().bof_full = true;
        deliver_stream(it, f, b"");
    }
    drain_modifications(it, f);
    f.borrow_mut().done = true;
    let val = f.borrow().val.clone();
    let list = f.borrow().analyzer_list();
    for a in &list {
        let keep = a.borrow_mut().end_of_file(it, &val);
        if !keep {
            let (tag, args) = {
                let ab = a.borrow();
                (ab.tag, ab.args.clone())
            };
            queue_remove(it, f, tag, &args);
        }
    }
    file_event(it, f, ids.file_state_remove, false);
    drain_modifications(it, f);
}

/// `File::Gap`: `len` bytes at `offset` will never arrive.
#[allow(dead_code)]
fn file_gap(it: &mut Interp, f: &FileRef, offset: u64, len: u64) {
    let ids = ids(it);
    if !f.borrow().bof_full {
        f.borrow_mut().bof_full = true;
        deliver_stream(it, f, b"");
    }
    let list = f.borrow().analyzer_list();
    for a in &list {
        let keep = a.borrow_mut().undelivered(offset, len);
        if !keep {
            let (tag, args) = {
                let ab = a.borrow();
                (ab.tag, ab.args.clone())
            };
            queue_remove(it, f, tag, &args);
        }
    }
    if let Some(g) = event_available(it, f, ids.file_gap) {
        let val = f.borrow().val.clone();
        file_event_args(
            it,
            f,
            g,
            vec![val, Value::Count(offset), Value::Count(len)],
            false,
        );
    }
    drain_modifications(it, f);
    f.borrow_mut().stream_offset += len;
    increment(it, f, ids.f_missing_bytes, len);
}

// ---------------------------------------------------------------- manager

/// `Manager::GetFile` for data without a connection: the file, made (with
/// `file_new`) when it is new; none when it is ignored.
fn get_file(it: &mut Interp, id: &str, source: &[u8]) -> Option<FileRef> {
    if id.is_empty() || is_ignored(it, id) {
        return None;
    }
    if let Some(f) = lookup_file(it, id) {
        update_last_activity(it, &f);
        return Some(f);
    }
    let ids = ids(it);
    let f = Rc::new(RefCell::new(File::new(it, &ids, id, source)));
    {
        let m = manager(it);
        let mut mb = m.borrow_mut();
        mb.files.insert(id.to_string(), f.clone());
        mb.cumulative += 1;
        let n = mb.files.len() as u64;
        if n > mb.max {
            mb.max = n;
        }
    }
    schedule_inactivity_timer(it, &f);
    file_event(it, &f, ids.file_new, true);
    if is_ignored(it, id) {
        return None;
    }
    Some(f)
}

/// `Manager::DataIn(data, len, file_id, source)`: data of a file that has
/// no connection (an input analysis stream).
pub fn data_in(it: &mut Interp, data: &[u8], file_id: &str, source: &[u8]) {
    let Some(f) = get_file(it, file_id, source) else {
        return;
    };
    file_data_in(it, &f, data);
    if is_complete(it, &f) {
        remove_file(it, file_id);
    }
}

/// `Manager::EndOfFile(file_id)`.
pub fn end_of_file(it: &mut Interp, file_id: &str) {
    remove_file(it, file_id);
}

/// `Manager::RemoveFile`.
fn remove_file(it: &mut Interp, file_id: &str) -> bool {
    let Some(f) = lookup_file(it, file_id) else {
        return false;
    };
    file_end_of_file(it, &f);
    let m = manager(it);
    let mut mb = m.borrow_mut();
    mb.files.remove(file_id);
    mb.ignored.remove(file_id);
    drop(mb);
    // The analyzers go with the file (extracted files are closed).
    let mut fb = f.borrow_mut();
    fb.analyzers.clear();
    fb.done_analyzers.clear();
    fb.mods.clear();
    true
}

/// `Manager::Timeout`.
fn timeout(it: &mut Interp, file_id: &str, is_terminating: bool) {
    let Some(f) = lookup_file(it, file_id) else {
        return;
    };
    let ids = ids(it);
    f.borrow_mut().postpone_timeout = false;
    file_event(it, &f, ids.file_timeout, true);
    if f.borrow().postpone_timeout && !is_terminating {
        update_last_activity(it, &f);
        schedule_inactivity_timer(it, &f);
        return;
    }
    remove_file(it, file_id);
}

/// `Manager::Terminate`: every file times out. Runs when the process
/// begins to terminate; the drain that follows is the caller's.
pub fn terminate(it: &mut Interp) {
    let Some(m) = it.ext_ref::<Rc<RefCell<Manager>>>(KEY).cloned() else {
        return;
    };
    let keys: Vec<String> = m.borrow().files.keys().cloned().collect();
    for k in keys {
        timeout(it, &k, true);
    }
}

/// (current, max, cumulative) for `get_file_analysis_stats`.
pub fn stats(it: &Interp) -> (u64, u64, u64) {
    match it.ext_ref::<Rc<RefCell<Manager>>>(KEY) {
        Some(m) => {
            let mb = m.borrow();
            (mb.files.len() as u64, mb.max, mb.cumulative)
        }
        None => (0, 0, 0),
    }
}

// ------------------------------------------------------------------ natives

fn file_arg(it: &mut Interp, args: &[Value]) -> Option<FileRef> {
    let id = arg_string(args, 0);
    lookup_file(it, &id)
}

fn bif_set_timeout_interval(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    let ids = ids(it);
    let t = args.get(1).map_or(0.0, Value::as_double);
    if t > 0.0 {
        f.borrow_mut().postpone_timeout = true;
    }
    let val = f.borrow().val.clone();
    set_field(&val, ids.f_timeout_interval, Value::Interval(t));
    Ok(Value::Bool(true))
}

fn bif_enable_reassembly(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    f.borrow_mut().reassembly_enabled = true;
    Ok(Value::Bool(true))
}

fn bif_disable_reassembly(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    f.borrow_mut().reassembly_enabled = false;
    Ok(Value::Bool(true))
}

fn bif_set_reassembly_buffer(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    f.borrow_mut().reassembly_max_buffer = args.get(1).map_or(0, Value::as_count);
    Ok(Value::Bool(true))
}

fn tag_of(args: &[Value], i: usize) -> Option<i64> {
    match args.get(i) {
        Some(Value::Enum(_, v)) => Some(*v),
        _ => None,
    }
}

fn bif_enable_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(t) = tag_of(args, 0) else {
        return Ok(Value::Bool(false));
    };
    manager(it).borrow_mut().disabled.remove(&t);
    Ok(Value::Bool(true))
}

fn bif_disable_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(t) = tag_of(args, 0) else {
        return Ok(Value::Bool(false));
    };
    manager(it).borrow_mut().disabled.insert(t);
    Ok(Value::Bool(true))
}

fn bif_analyzer_enabled(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(t) = tag_of(args, 0) else {
        return Ok(Value::Bool(false));
    };
    let on = !manager(it).borrow().disabled.contains(&t);
    Ok(Value::Bool(on))
}

fn bif_add_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    if f.borrow().done {
        return Ok(Value::Bool(false));
    }
    let tag = args.get(1).cloned().unwrap_or(Value::Void);
    let a = args.get(2).cloned().unwrap_or(Value::Void);
    Ok(Value::Bool(queue_add(it, &f, &tag, &a)))
}

fn bif_remove_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    if f.borrow().done {
        return Ok(Value::Bool(false));
    }
    let Some(t) = tag_of(args, 1) else {
        return Ok(Value::Bool(false));
    };
    let a = args.get(2).cloned().unwrap_or(Value::Void);
    Ok(Value::Bool(queue_remove(it, &f, t, &a)))
}

/// `Manager::IgnoreFile`.
fn bif_stop(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let id = arg_string(args, 0);
    if lookup_file(it, &id).is_none() {
        return Ok(Value::Bool(false));
    }
    manager(it).borrow_mut().ignored.insert(id);
    Ok(Value::Bool(true))
}

fn bif_analyzer_name(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let tag = args.first().cloned().unwrap_or(Value::Void);
    let name = component_name(it, &tag).unwrap_or_else(|| "<error>".to_string());
    Ok(Value::str(name.as_bytes()))
}

fn bif_file_exists(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(file_arg(it, args).is_some()))
}

fn bif_lookup_file(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    if let Some(f) = file_arg(it, args) {
        return Ok(f.borrow().val.clone());
    }
    let id = arg_string(args, 0);
    report_error(it, &format!("file ID {id} not a known file"));
    Err(it.no_value())
}

/// `Manager::SetHandle`.
fn bif_set_file_handle(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let handle = crate::support::str_arg(args, 0).to_vec();
    if !handle.is_empty() {
        let id = hash_handle(it, &handle);
        manager(it).borrow_mut().current_file_id = id;
    }
    Ok(Value::Void)
}

fn bif_identify_data(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    if !args.get(1).is_none_or(Value::as_bool) {
        crate::reporter::message(
            it,
            crate::reporter::Level::Warning,
            None,
            Loc::default(),
            "identify_data() builtin-function only returns MIME types, but verbose file info requested",
        );
    }
    let matches = magic(it).detect(crate::support::str_arg(args, 0));
    let best = magic::strongest(&matches).map_or("<unknown>", String::as_str);
    Ok(Value::str(best.as_bytes()))
}

fn bif_file_magic(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let matches = magic(it).detect(crate::support::str_arg(args, 0));
    Ok(mime_matches_val(it, &matches))
}

/// `Manager::SetExtractionLimit`.
fn bif_set_limit(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(it, args) else {
        return Ok(Value::Bool(false));
    };
    let a = args.get(1).cloned().unwrap_or(Value::Void);
    let n = args.get(2).map_or(0, Value::as_count);
    let Some(tag) = extract_tag(it) else {
        return Ok(Value::Bool(false));
    };
    let key = analyzer_key(it, tag, &a);
    let h = hasher();
    let found = f.borrow().analyzers.get(key_ref(&key, &h)).cloned();
    let ok = found.is_some_and(|an| an.borrow_mut().set_limit(n));
    Ok(Value::Bool(ok))
}

fn extract_tag(it: &Interp) -> Option<i64> {
    let g = it.prog.lookup(Symbol::intern("Files::ANALYZER_EXTRACT"))?;
    match &it.prog.globals[g as usize].value {
        Value::Enum(_, v) => Some(*v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    /// btest core.file-analyzer-violation: the input stream named
    /// `./myfile.exe` analyzes file FKPuH630Tmj6UQUMP7 under the default
    /// `digest_salt`.
    #[test]
    fn file_id_of_a_stream_name() {
        let d = sha2::Sha256::digest(b"Please change this value.");
        let mut key = [0u64; 4];
        for (i, k) in key.iter_mut().enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&d[i * 8..i * 8 + 8]);
            *k = u64::from_le_bytes(w);
        }
        assert_eq!(file_id(&key, 96, b"./myfile.exe"), "FKPuH630Tmj6UQUMP7");
    }
}
