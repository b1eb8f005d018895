//! `reporter.bif`: the script interface to Zeek's reporter (`Reporter::info`,
//! `warning`, `error`, `fatal`, …), the weird functions with Zeek's weird
//! sampling, and the sampling getters/setters.
//!
//! Messages follow `src/Reporter.cc` (`zeek-semantics.md` §4.1–4.7): the
//! line is `PREFIX in LOCATION: TEXT` (info has no prefix), errors are
//! counted, after initialization `Reporter::*_to_stderr` decide whether the
//! line is printed, and once the init drain started every message also
//! queues `reporter_info/warning/error(t, msg, location)` — except inside a
//! handler of an `&error_handler` event. Other modules report through
//! [`error`] / [`warning`] / [`message`] to get the same behaviour.

use crate::Bif;
use rustc_hash::FxHashMap;
use std::io::Write;
use std::rc::Rc;
use zest_runtime::ir::Loc;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Tag, Type, TypeKind, TypeRef};
use zest_runtime::value::{Addr, Proto};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::ast::AttrKind;
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Reporter::info",
        signature: "function(msg: string): bool",
        func: info,
    },
    Bif {
        name: "Reporter::warning",
        signature: "function(msg: string): bool",
        func: warning_bif,
    },
    Bif {
        name: "Reporter::error",
        signature: "function(msg: string): bool",
        func: error_bif,
    },
    Bif {
        name: "Reporter::fatal",
        signature: "function(msg: string): bool",
        func: fatal,
    },
    Bif {
        name: "Reporter::fatal_error_with_core",
        signature: "function(msg: string): bool",
        func: fatal_error_with_core,
    },
    Bif {
        name: "Reporter::net_weird",
        signature: "function(name: string, addl: string &default=\"\", source: string &default=\"\"): bool",
        func: net_weird_bif,
    },
    Bif {
        name: "Reporter::flow_weird",
        signature: "function(name: string, orig: addr, resp: addr, addl: string &default=\"\", source: string &default=\"\"): bool",
        func: flow_weird_bif,
    },
    Bif {
        name: "Reporter::get_weird_sampling_whitelist",
        signature: "function(): set[string]",
        func: get_whitelist,
    },
    Bif {
        name: "Reporter::set_weird_sampling_whitelist",
        signature: "function(weird_sampling_whitelist: set[string]): bool",
        func: set_whitelist,
    },
    Bif {
        name: "Reporter::get_weird_sampling_global_list",
        signature: "function(): set[string]",
        func: get_global_list,
    },
    Bif {
        name: "Reporter::set_weird_sampling_global_list",
        signature: "function(weird_sampling_global_list: set[string]): bool",
        func: set_global_list,
    },
    Bif {
        name: "Reporter::get_weird_sampling_threshold",
        signature: "function(): count",
        func: get_threshold,
    },
    Bif {
        name: "Reporter::set_weird_sampling_threshold",
        signature: "function(weird_sampling_threshold: count): bool",
        func: set_threshold,
    },
    Bif {
        name: "Reporter::get_weird_sampling_rate",
        signature: "function(): count",
        func: get_rate,
    },
    Bif {
        name: "Reporter::set_weird_sampling_rate",
        signature: "function(weird_sampling_rate: count): bool",
        func: set_rate,
    },
    Bif {
        name: "Reporter::get_weird_sampling_duration",
        signature: "function(): interval",
        func: get_duration,
    },
    Bif {
        name: "Reporter::set_weird_sampling_duration",
        signature: "function(weird_sampling_duration: interval): bool",
        func: set_duration,
    },
];

/// The weird functions whose parameters are records of init-bare.zeek
/// (`connection`, `fa_file`).
pub static NAMED_TYPE_BIFS: &[Bif] = &[
    Bif {
        name: "Reporter::conn_weird",
        signature: "function(name: string, c: connection, addl: string &default=\"\", source: string &default=\"\"): bool",
        func: conn_weird_bif,
    },
    Bif {
        name: "Reporter::file_weird",
        signature: "function(name: string, f: fa_file, addl: string &default=\"\", source: string &default=\"\"): bool",
        func: file_weird_bif,
    },
];

// ------------------------------------------------------------ messages

/// The reporter's message levels that scripts can see as events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    fn event(self) -> &'static str {
        match self {
            Level::Info => "reporter_info",
            Level::Warning => "reporter_warning",
            Level::Error => "reporter_error",
        }
    }

    /// The option that decides, after initialization, whether the line
    /// goes to stderr.
    fn stderr_option(self) -> &'static str {
        match self {
            Level::Info => "Reporter::info_to_stderr",
            Level::Warning => "Reporter::warnings_to_stderr",
            Level::Error => "Reporter::errors_to_stderr",
        }
    }
}

fn global_value(it: &Interp, name: &str) -> Option<Value> {
    let id = it.prog.lookup(Symbol::intern(name))?;
    match &it.prog.globals.get(id as usize)?.value {
        Value::Void => None,
        v => Some(v.clone()),
    }
}

/// `Reporter::EmitToStderr`: always while initializing, afterwards as the
/// level's option says.
fn emit_to_stderr(it: &Interp, level: Level) -> bool {
    !it.init_done || global_value(it, level.stderr_option()).is_none_or(|v| v.as_bool())
}

/// Whether `Reporter::ReportViaEvents(true)` already happened: Zeek turns
/// it on after the top-level statements, right before the init drain.
/// Messages of global initializers (parse time) and of top-level
/// statements (run outside any handler, at depth 0) raise no events.
fn via_events(it: &Interp) -> bool {
    // Script code reports through events; so does the native side while
    // the run loop runs (Broker's store events, for one).
    !it.in_init && (it.depth > 0 || (it.init_done && !it.terminating))
}

/// Whether the message comes from a handler of an `&error_handler` event
/// (`reporter_info/warning/error`), where Zeek raises no further reporter
/// events (`Reporter::DoLog`'s guard against recursion). Judged from the
/// location of the call that reports: the guard holds for calls written
/// in such a handler's body.
fn in_error_handler(it: &Interp, at: Loc) -> bool {
    it.prog.globals.iter().any(|g| {
        g.attrs.has(AttrKind::ErrorHandler)
            && g.bodies.iter().any(|b| {
                b.loc.file == at.file
                    && b.loc.first_line <= at.first_line
                    && at.last_line <= b.loc.last_line.max(b.loc.first_line)
            })
    })
}

/// The `t` of the reporter events: network time, or the wall clock while
/// network time is 0.
fn event_time(it: &Interp) -> f64 {
    if it.network_time != 0.0 {
        it.network_time
    } else {
        wall_clock()
    }
}

fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn loc_text(it: &Interp, loc: Option<Loc>) -> String {
    let mut s = String::new();
    if let Some(l) = loc {
        it.describe_loc(l, &mut s);
    }
    s
}

/// Queues the event `name` with `args` if reporter events are on and the
/// report does not come from an error handler.
fn raise(it: &mut Interp, origin: Loc, name: &str, args: Vec<Value>) {
    if !via_events(it) || in_error_handler(it, origin) {
        return;
    }
    if let Some(gid) = it.prog.lookup(Symbol::intern(name)) {
        let nparams = it.prog.globals[gid as usize]
            .ty
            .as_ref()
            .and_then(|t| t.func().map(|f| f.params.len()));
        let mut args = args;
        if let Some(n) = nparams {
            args.truncate(n);
        }
        it.queue_event(gid, args);
    }
}

/// One reporter message as `Reporter::Info/Warning/Error` emits it:
/// counted (errors), printed to stderr when due, and raised as
/// `reporter_*` event. `loc` is the location shown (`None`: none);
/// `origin` is where the script called the function that reports.
pub fn message(it: &mut Interp, level: Level, loc: Option<Loc>, origin: Loc, msg: &str) {
    let text = loc_text(it, loc);
    let print = emit_to_stderr(it, level);
    // Printed errors and warnings go through the interpreter's reporter,
    // whose hook (`on_report`) raises the event; the others raise it here.
    if !print || level == Level::Info {
        let t = event_time(it);
        raise(
            it,
            origin,
            level.event(),
            vec![
                Value::Time(t),
                Value::str(msg.as_bytes()),
                Value::str(text.as_bytes()),
            ],
        );
    }
    match level {
        Level::Error if print => it.error(loc, msg),
        Level::Error => it.error_count += 1,
        _ if !print => {}
        Level::Warning => it.warn(loc, msg),
        Level::Info => {
            let line = if text.is_empty() {
                format!("{msg}\n")
            } else {
                format!("{text}: {msg}\n")
            };
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    }
}

/// The location Zeek's reporter gives a message that no script location
/// was pushed for: none at run time; while scripts are being parsed
/// (global initializers) the scanner's position, which is the call's.
fn bare_loc(it: &Interp, site: &CallSite<'_>) -> Option<Loc> {
    it.in_init.then_some(site.loc)
}

/// `reporter->Error(msg)` from inside a built-in function.
pub fn error(it: &mut Interp, site: &CallSite<'_>, msg: &str) {
    let loc = bare_loc(it, site);
    message(it, Level::Error, loc, site.loc, msg);
}

/// `reporter->Warning(msg)` from inside a built-in function.
pub fn warning(it: &mut Interp, site: &CallSite<'_>, msg: &str) {
    let loc = bare_loc(it, site);
    message(it, Level::Warning, loc, site.loc, msg);
}

/// `reporter->InternalError(msg)`: printed, then the process aborts.
pub fn internal_error(it: &mut Interp, msg: &str) -> ! {
    it.flush_stdout();
    let _ = std::io::stderr().write_all(format!("internal error: {msg}\n").as_bytes());
    std::process::abort();
}

/// `String::CheckString()`: a string with a NUL byte is reported (at
/// `loc`) and replaced by `<string-with-NUL>`.
fn check_string(it: &mut Interp, loc: Option<Loc>, origin: Loc, s: &[u8]) -> String {
    match zest_runtime::render::string::check_string(s) {
        Ok(b) => String::from_utf8_lossy(b).into_owned(),
        Err(subst) => {
            let mut m = Vec::new();
            zest_runtime::render::string::write_embedded_nul_message(&mut m, s);
            message(it, Level::Error, loc, origin, &String::from_utf8_lossy(&m));
            String::from_utf8_lossy(subst).into_owned()
        }
    }
}

fn str_arg(args: &[Value], i: usize) -> &[u8] {
    args.get(i).map_or(b"", Value::as_bytes)
}

fn leveled(it: &mut Interp, args: &[Value], site: &CallSite<'_>, level: Level) -> RtResult {
    let msg = check_string(it, Some(site.loc), site.loc, str_arg(args, 0));
    message(it, level, Some(site.loc), site.loc, &msg);
    Ok(Value::Bool(true))
}

fn info(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    leveled(it, args, site, Level::Info)
}

fn warning_bif(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    leveled(it, args, site, Level::Warning)
}

fn error_bif(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    leveled(it, args, site, Level::Error)
}

/// `Reporter::FatalError`: always on stderr, no event, then `_exit(1)`
/// after flushing stdout.
fn fatal(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let msg = check_string(it, Some(site.loc), site.loc, str_arg(args, 0));
    crate::logging::sync_writers(it);
    it.flush_stdout();
    it.report("fatal error", Some(site.loc), &msg);
    std::process::exit(1);
}

/// `Reporter::FatalErrorWithCore`: the message, then `abort()` (stdout is
/// not flushed).
fn fatal_error_with_core(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let msg = check_string(it, Some(site.loc), site.loc, str_arg(args, 0));
    crate::logging::sync_writers(it);
    it.report("fatal error", Some(site.loc), &msg);
    std::process::abort();
}

// ------------------------------------------------------------ weirds

/// When a sampling counter's expiration timer fires: `duration` after the
/// first weird, or at shutdown (Zeek dispatches every pending timer once
/// terminating; timers added after that fire at the very end).
#[derive(Clone, Copy, Debug)]
struct Expiry {
    at: f64,
    added_while_terminating: bool,
}

impl Expiry {
    fn new(it: &Interp, duration: f64) -> Expiry {
        Expiry {
            at: it.network_time + duration,
            added_while_terminating: it.terminating,
        }
    }

    fn expired(&self, it: &Interp) -> bool {
        (it.terminating && !self.added_while_terminating)
            || (it.timer_time > 0.0 && it.timer_time >= self.at)
    }
}

type ConnTuple = (Addr, Addr, u32, u32, Proto);

/// Sampling counters of one endpoint pair: when they expire, and the
/// count per weird name.
type Counters<K> = FxHashMap<K, (Expiry, FxHashMap<Vec<u8>, u64>)>;

/// The reporter's weird statistics and sampling state.
#[derive(Default)]
struct Weirds {
    /// The options were read (`Reporter::InitOptions`).
    initialized: bool,
    whitelist: Vec<Vec<u8>>,
    global_list: Vec<Vec<u8>>,
    threshold: u64,
    rate: u64,
    duration: f64,
    count: u64,
    by_type: FxHashMap<Vec<u8>, u64>,
    net: FxHashMap<Vec<u8>, (u64, Expiry)>,
    flow: Counters<(Addr, Addr)>,
    conn: Counters<ConnTuple>,
}

enum Permit {
    Allow,
    Deny,
    Unknown,
}

/// The members of a `set[string]` in the set's iteration order.
fn string_set_members(v: &Value) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    if let Value::Table(t) = v {
        for k in t.borrow().keys_vec() {
            if let Some(Value::String(s)) = k.first() {
                if !out.iter().any(|x| x[..] == s[..]) {
                    out.push(s.to_vec());
                }
            }
        }
    }
    out
}

/// The sampling state, with the options read on first use as
/// `Reporter::InitOptions` reads them after parsing.
fn weirds(it: &mut Interp) -> &mut Weirds {
    if !it.ext_mut::<Weirds>("reporter").initialized {
        let threshold = global_value(it, "Weird::sampling_threshold").map_or(25, |v| v.as_count());
        let rate = global_value(it, "Weird::sampling_rate").map_or(1000, |v| v.as_count());
        let duration =
            global_value(it, "Weird::sampling_duration").map_or(600.0, |v| v.as_double());
        let whitelist = global_value(it, "Weird::sampling_whitelist")
            .map(|v| string_set_members(&v))
            .unwrap_or_default();
        let global_list = global_value(it, "Weird::sampling_global_list")
            .map(|v| string_set_members(&v))
            .unwrap_or_default();
        let w = it.ext_mut::<Weirds>("reporter");
        w.initialized = true;
        w.threshold = threshold;
        w.rate = rate;
        w.duration = duration;
        w.whitelist = whitelist;
        w.global_list = global_list;
    }
    it.ext_mut::<Weirds>("reporter")
}

/// The sampling decision once a weird's counter was incremented to `n`.
fn sample(n: u64, threshold: u64, rate: u64) -> bool {
    if n <= threshold {
        return true;
    }
    rate != 0 && (n - threshold) % rate == 0
}

fn update_stats(it: &mut Interp, name: &[u8]) {
    let w = weirds(it);
    w.count += 1;
    *w.by_type.entry(name.to_vec()).or_insert(0) += 1;
}

fn on_whitelist(it: &mut Interp, name: &[u8]) -> bool {
    weirds(it).whitelist.iter().any(|x| x == name)
}

/// `Reporter::PermitNetWeird`.
fn permit_net_weird(it: &mut Interp, name: &[u8]) -> bool {
    let duration = weirds(it).duration;
    let now = Expiry::new(it, duration);
    let expired = it
        .ext_mut::<Weirds>("reporter")
        .net
        .get(name)
        .map(|(_, e)| *e);
    let expired = expired.is_some_and(|e| e.expired(it));
    let w = weirds(it);
    if expired {
        w.net.remove(name);
    }
    let (threshold, rate) = (w.threshold, w.rate);
    let entry = w.net.entry(name.to_vec()).or_insert((0, now));
    entry.0 += 1;
    sample(entry.0, threshold, rate)
}

/// `Reporter::CheckGlobalWeirdLists`.
fn check_global_lists(it: &mut Interp, name: &[u8]) -> Permit {
    if on_whitelist(it, name) {
        return Permit::Allow;
    }
    if weirds(it).global_list.iter().any(|x| x == name) {
        return if permit_net_weird(it, name) {
            Permit::Allow
        } else {
            Permit::Deny
        };
    }
    Permit::Unknown
}

/// A per-endpoint sampling counter (`PermitFlowWeird`,
/// `PermitExpiredConnWeird`).
fn permit_keyed<K: std::hash::Hash + Eq + Clone>(
    it: &mut Interp,
    key: K,
    name: &[u8],
    table: fn(&mut Weirds) -> &mut Counters<K>,
) -> bool {
    let duration = weirds(it).duration;
    let now = Expiry::new(it, duration);
    let old = table(it.ext_mut::<Weirds>("reporter"))
        .get(&key)
        .map(|(e, _)| *e);
    let expired = old.is_some_and(|e| e.expired(it));
    let w = weirds(it);
    let (threshold, rate) = (w.threshold, w.rate);
    let map = table(w);
    if expired {
        map.remove(&key);
    }
    let (_, counts) = map
        .entry(key)
        .or_insert_with(|| (now, FxHashMap::default()));
    let n = counts.entry(name.to_vec()).or_insert(0);
    *n += 1;
    sample(*n, threshold, rate)
}

fn weird_name(it: &mut Interp, site: &CallSite<'_>, s: &[u8]) -> Vec<u8> {
    check_string(it, None, site.loc, s).into_bytes()
}

/// `Reporter::Weird(name, addl, source)`: counts the weird and raises
/// `net_weird` if sampling lets it through. Other modules that report a
/// network weird use this.
pub fn net_weird(it: &mut Interp, site: &CallSite<'_>, name: &[u8], addl: &[u8], source: &[u8]) {
    update_stats(it, name);
    if !on_whitelist(it, name) && !permit_net_weird(it, name) {
        return;
    }
    raise(
        it,
        site.loc,
        "net_weird",
        vec![Value::str(name), Value::str(addl), Value::str(source)],
    );
}

/// The sampling state of one file's weirds (`WeirdStateMap`): per name,
/// the count and the start of sampling.
pub type WeirdState = FxHashMap<Vec<u8>, (u64, f64)>;

/// `detail::PermitWeird` over a file's (or connection's) own state.
fn permit_weird(it: &mut Interp, state: &mut WeirdState, name: &[u8]) -> bool {
    let w = weirds(it);
    let (threshold, rate, duration) = (w.threshold, w.rate, w.duration);
    let now = it.network_time;
    let st = state.entry(name.to_vec()).or_insert((0, 0.0));
    st.0 += 1;
    if st.0 <= threshold {
        return true;
    }
    if st.0 == threshold + 1 {
        st.1 = now;
    } else if now > st.1 + duration {
        *st = (1, 0.0);
        return true;
    }
    rate != 0 && (st.0 - threshold) % rate == 0
}

/// `Reporter::Weird(file, name, addl, source)`: counts the weird and
/// raises `file_weird` if the file's sampling lets it through. Used by the
/// engine (no script location).
pub fn file_weird(
    it: &mut Interp,
    file: &Value,
    state: &mut WeirdState,
    name: &[u8],
    addl: &[u8],
    source: &[u8],
) {
    update_stats(it, name);
    let permit = match check_global_lists(it, name) {
        Permit::Allow => true,
        Permit::Deny => false,
        Permit::Unknown => permit_weird(it, state, name),
    };
    // The engine reports through events from the init drain on, also
    // while terminating (Zeek never turns `ReportViaEvents` off).
    let via_events = !it.in_init && (it.depth > 0 || it.init_done);
    if permit && via_events {
        if let Some(gid) = it.prog.lookup(Symbol::intern("file_weird")) {
            it.queue_event(
                gid,
                vec![
                    Value::str(name),
                    file.clone(),
                    Value::str(addl),
                    Value::str(source),
                ],
            );
        }
    }
}

fn net_weird_bif(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = weird_name(it, site, str_arg(args, 0));
    let addl = weird_name(it, site, str_arg(args, 1));
    let source = weird_name(it, site, str_arg(args, 2));
    net_weird(it, site, &name, &addl, &source);
    Ok(Value::Bool(true))
}

fn addr_arg(args: &[Value], i: usize) -> Addr {
    match args.get(i) {
        Some(Value::Addr(a)) => *a,
        _ => Addr([0; 16]),
    }
}

fn flow_weird_bif(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let (orig, resp) = (addr_arg(args, 1), addr_arg(args, 2));
    let name = weird_name(it, site, str_arg(args, 0));
    let addl = weird_name(it, site, str_arg(args, 3));
    let source = weird_name(it, site, str_arg(args, 4));
    update_stats(it, &name);
    let permit = match check_global_lists(it, &name) {
        Permit::Allow => true,
        Permit::Deny => false,
        Permit::Unknown => permit_keyed(it, (orig, resp), &name, |w| &mut w.flow),
    };
    if permit {
        raise(
            it,
            site.loc,
            "flow_weird",
            vec![
                Value::str(&name),
                Value::Addr(orig),
                Value::Addr(resp),
                Value::str(&addl),
                Value::str(&source),
            ],
        );
    }
    Ok(Value::Bool(true))
}

/// A field of a record value by name.
fn field(rec: &Value, name: &str) -> Option<Value> {
    let Value::Record(r) = rec else { return None };
    let rb = r.borrow();
    let idx = rb.ty.record()?.field_index(Symbol::intern(name))?;
    rb.fields.get(idx).cloned().flatten()
}

/// The endpoints of a `conn_id` for `PermitExpiredConnWeird`; `None` when
/// one of them is unset (Zeek then drops the weird).
fn conn_tuple(id: &Value) -> Option<ConnTuple> {
    let orig_h = field(id, "orig_h")?;
    let resp_h = field(id, "resp_h")?;
    let orig_p = field(id, "orig_p")?;
    let resp_p = field(id, "resp_p")?;
    match (orig_h, resp_h, orig_p, resp_p) {
        (Value::Addr(a), Value::Addr(b), Value::Port(p), Value::Port(q)) => {
            Some((a, b, p.num, q.num, q.proto))
        }
        _ => None,
    }
}

/// `Reporter::conn_weird`. A connection record made by a script has no
/// connection behind it (Zest analyses no packets), so Zeek takes its
/// other path: the weird of an expired connection, by `id` and `uid`,
/// raised as `expired_conn_weird`.
fn conn_weird_bif(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = weird_name(it, site, str_arg(args, 0));
    let addl = weird_name(it, site, str_arg(args, 2));
    let source = weird_name(it, site, str_arg(args, 3));
    let c = args.get(1).cloned().unwrap_or(Value::Void);
    let id = field(&c, "id");
    let uid = field(&c, "uid");
    update_stats(it, &name);
    let permit = match check_global_lists(it, &name) {
        Permit::Allow => true,
        Permit::Deny => false,
        Permit::Unknown => match id.as_ref().and_then(conn_tuple) {
            Some(t) => permit_keyed(it, t, &name, |w| &mut w.conn),
            None => false,
        },
    };
    if permit {
        // Zeek hands the event the record objects themselves; an unset
        // field would make it dereference nothing, which the sampling
        // check above already rules out for `id`.
        if let (Some(id), Some(uid)) = (id, uid) {
            raise(
                it,
                site.loc,
                "expired_conn_weird",
                vec![
                    Value::str(&name),
                    id,
                    uid,
                    Value::str(&addl),
                    Value::str(&source),
                ],
            );
        }
    }
    Ok(Value::Bool(true))
}

/// `Reporter::file_weird`: the file is looked up by its id in the file
/// analysis manager; Zest analyses no files, so there is none and the
/// result is `F` (nothing is counted or raised, as in Zeek).
fn file_weird_bif(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let _ = (it, args, site);
    Ok(Value::Bool(false))
}

// ------------------------------------------------------------ sampling options

fn string_set_type(it: &Interp, bif: &str) -> TypeRef {
    it.prog
        .lookup(Symbol::intern(bif))
        .and_then(|g| it.prog.globals[g as usize].ty.clone())
        .and_then(|t| t.func().and_then(|f| f.ret.clone()))
        .filter(|t| t.tag() == Tag::Table)
        .unwrap_or_else(|| {
            Type::new(TypeKind::Table {
                index: vec![it.prog.base.string.clone()],
                yield_: None,
            })
        })
}

fn make_string_set(it: &Interp, bif: &str, members: &[Vec<u8>]) -> Value {
    let mut t = TableVal::new(string_set_type(it, bif));
    for m in members {
        t.insert(vec![Value::str(m)], None);
    }
    Value::Table(Rc::new(std::cell::RefCell::new(t)))
}

fn get_whitelist(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let members = weirds(it).whitelist.clone();
    Ok(make_string_set(
        it,
        "Reporter::get_weird_sampling_whitelist",
        &members,
    ))
}

fn set_whitelist(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let members = args.first().map(string_set_members).unwrap_or_default();
    weirds(it).whitelist = members;
    Ok(Value::Bool(true))
}

fn get_global_list(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let members = weirds(it).global_list.clone();
    Ok(make_string_set(
        it,
        "Reporter::get_weird_sampling_global_list",
        &members,
    ))
}

fn set_global_list(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let members = args.first().map(string_set_members).unwrap_or_default();
    weirds(it).global_list = members;
    Ok(Value::Bool(true))
}

fn get_threshold(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(weirds(it).threshold))
}

fn set_threshold(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    weirds(it).threshold = args.first().map_or(0, Value::as_count);
    Ok(Value::Bool(true))
}

fn get_rate(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(weirds(it).rate))
}

fn set_rate(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    weirds(it).rate = args.first().map_or(0, Value::as_count);
    Ok(Value::Bool(true))
}

fn get_duration(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Interval(weirds(it).duration))
}

fn set_duration(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    weirds(it).duration = args.first().map_or(0.0, Value::as_double);
    Ok(Value::Bool(true))
}

// ------------------------------------------------------------ statistics

/// The weird counters `get_reporter_stats` reports: the total and the
/// count per weird name.
pub fn weird_stats(it: &mut Interp) -> (u64, Vec<(Vec<u8>, u64)>) {
    let w = weirds(it);
    let mut by_type: Vec<(Vec<u8>, u64)> = w.by_type.iter().map(|(k, v)| (k.clone(), *v)).collect();
    by_type.sort();
    (w.count, by_type)
}

/// The interpreter's reporter hook: every error and warning the runtime
/// reports (`error`, `expression error`, `runtime error`, `warning`, …)
/// raises the matching `reporter_*` event once events are being raised,
/// and goes to stderr unless `Reporter::*_to_stderr` says otherwise.
pub fn on_report(it: &mut Interp, prefix: &str, loc: Option<Loc>, msg: &str) -> bool {
    let level = match prefix {
        "error" | "expression error" | "runtime error" => Level::Error,
        "warning" | "expression warning" => Level::Warning,
        "info" => Level::Info,
        _ => return true,
    };
    let text = loc_text(it, loc);
    let t = event_time(it);
    raise(
        it,
        loc.unwrap_or_default(),
        level.event(),
        vec![
            Value::Time(t),
            Value::str(msg.as_bytes()),
            Value::str(text.as_bytes()),
        ],
    );
    emit_to_stderr(it, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Reporter::PermitNetWeird` etc.: the first `threshold` weirds of a
    /// name pass, then every `rate`-th above the threshold (reporter.bif's
    /// documentation of `Weird::sampling_threshold` / `sampling_rate`;
    /// with the defaults 25 and 1000 the 26th is dropped, the 1025th
    /// passes).
    #[test]
    fn sampling_decisions() {
        let cases: &[(u64, u64, u64, bool)] = &[
            (1, 25, 1000, true),
            (25, 25, 1000, true),
            (26, 25, 1000, false),
            (1024, 25, 1000, false),
            (1025, 25, 1000, true),
            (2025, 25, 1000, true),
            (1, 0, 0, false),
            (3, 2, 0, false),
            (2, 2, 0, true),
            (4, 2, 2, true),
            (5, 2, 2, false),
        ];
        for &(n, threshold, rate, want) in cases {
            assert_eq!(sample(n, threshold, rate), want, "{n} {threshold} {rate}");
        }
    }

    #[test]
    fn level_texts() {
        assert_eq!(Level::Error.event(), "reporter_error");
        assert_eq!(Level::Info.stderr_option(), "Reporter::info_to_stderr");
    }
}
