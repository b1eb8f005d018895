//! The rest of `zeek.bif` that has a meaning without packets: address
//! predicates and conversions, Base64, `log10`, `fnv1a32`, entropy tests,
//! paraglobs, processes (`system`, `system_env`, `piped_exec`), `syslog`,
//! host queries, event groups, processing suspension, the packet filter's
//! bookkeeping, and the connection and packet functions, which find no
//! connection and no current packet in a run without a packet source.
//!
//! The event groups are the interpreter's (it registers them as it
//! compiles handler bodies and skips disabled ones); the functions here
//! look them up and flip them. Other native state lives in `it.ext`:
//!
//! * `"processing_suspended"`: the suspension depth (`i64`).
//! * `"packet_filter"`: the source and destination drop filters.
//!
//! Entropy tests and paraglobs keep their state in the opaque value itself
//! (`OpaqueState::Hash` with the algorithm names `"entropy"` and
//! `"paraglob"`): the entropy test's counters, or the paraglob's patterns.

use crate::files::{check_string, sweep};
use crate::support::builtin_error;
use crate::Bif;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::rc::Rc;
use zest_runtime::ir::GroupKind;
use zest_runtime::opaque::{OpaqueState, OpaqueVal};
use zest_runtime::program::GlobalKind;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Type, TypeKind, TypeRef};
use zest_runtime::value::{Addr, Port, Proto};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "set_network_time",
        signature: "function(nt: time): bool",
        func: set_network_time,
    },
    Bif {
        name: "system",
        signature: "function(str: string): int",
        func: system,
    },
    Bif {
        name: "system_env",
        signature: "function(str: string, env: table[string] of string): int",
        func: system_env,
    },
    Bif {
        name: "piped_exec",
        signature: "function(program: string, to_write: string): bool",
        func: piped_exec,
    },
    Bif {
        name: "paraglob_init",
        signature: "function(v: any): opaque of paraglob",
        func: paraglob_init,
    },
    Bif {
        name: "paraglob_match",
        signature: "function(handle: opaque of paraglob, match: string): vector of string",
        func: paraglob_match,
    },
    Bif {
        name: "paraglob_equals",
        signature: "function(p_one: opaque of paraglob, p_two: opaque of paraglob): bool",
        func: paraglob_equals,
    },
    Bif {
        name: "fnv1a32",
        signature: "function(input: any): count",
        func: fnv1a32,
    },
    Bif {
        name: "syslog",
        signature: "function(s: string): any",
        func: syslog,
    },
    Bif {
        name: "find_entropy",
        signature: "function(data: string): entropy_test_result",
        func: find_entropy,
    },
    Bif {
        name: "entropy_test_init",
        signature: "function(): opaque of entropy",
        func: entropy_test_init,
    },
    Bif {
        name: "entropy_test_add",
        signature: "function(handle: opaque of entropy, data: string): bool",
        func: entropy_test_add,
    },
    Bif {
        name: "entropy_test_finish",
        signature: "function(handle: opaque of entropy): entropy_test_result",
        func: entropy_test_finish,
    },
    Bif {
        name: "log10",
        signature: "function(d: double): double",
        func: log10,
    },
    Bif {
        name: "current_analyzer",
        signature: "function(): count",
        func: current_analyzer,
    },
    Bif {
        name: "packet_source",
        signature: "function(): PacketSource",
        func: packet_source,
    },
    Bif {
        name: "is_local_interface",
        signature: "function(ip: addr): bool",
        func: is_local_interface,
    },
    Bif {
        name: "zeek_is_terminating",
        signature: "function(): bool",
        func: zeek_is_terminating,
    },
    Bif {
        name: "gethostname",
        signature: "function(): string",
        func: gethostname,
    },
    Bif {
        name: "is_v4_addr",
        signature: "function(a: addr): bool",
        func: is_v4_addr,
    },
    Bif {
        name: "is_v6_addr",
        signature: "function(a: addr): bool",
        func: is_v6_addr,
    },
    Bif {
        name: "is_v4_subnet",
        signature: "function(s: subnet): bool",
        func: is_v4_subnet,
    },
    Bif {
        name: "is_v6_subnet",
        signature: "function(s: subnet): bool",
        func: is_v6_subnet,
    },
    Bif {
        name: "routing0_data_to_addrs",
        signature: "function(s: string): vector of addr",
        func: routing0_data_to_addrs,
    },
    Bif {
        name: "count_to_v4_addr",
        signature: "function(ip: count): addr",
        func: count_to_v4_addr,
    },
    Bif {
        name: "raw_bytes_to_v4_addr",
        signature: "function(b: string): addr",
        func: raw_bytes_to_v4_addr,
    },
    Bif {
        name: "raw_bytes_to_v6_addr",
        signature: "function(x: string): addr",
        func: raw_bytes_to_v6_addr,
    },
    Bif {
        name: "encode_base64",
        signature: "function(s: string, a: string &default=\"\"): string",
        func: encode_base64,
    },
    Bif {
        name: "decode_base64",
        signature: "function(s: string, a: string &default=\"\"): string",
        func: decode_base64,
    },
    Bif {
        name: "decode_base64_conn",
        signature: "function(cid: conn_id, s: string, a: string &default=\"\"): string",
        func: decode_base64_conn,
    },
    Bif {
        name: "get_conn_transport_proto",
        signature: "function(cid: conn_id): transport_proto",
        func: get_conn_transport_proto,
    },
    Bif {
        name: "connection_exists",
        signature: "function(c: conn_id): bool",
        func: false_bif,
    },
    Bif {
        name: "lookup_connection",
        signature: "function(cid: conn_id): connection",
        func: lookup_connection,
    },
    Bif {
        name: "dump_current_packet",
        signature: "function(file_name: string): bool",
        func: false_bif,
    },
    Bif {
        name: "get_current_packet",
        signature: "function(): pcap_packet",
        func: get_current_packet,
    },
    Bif {
        name: "get_current_packet_header",
        signature: "function(): raw_pkt_hdr",
        func: get_current_packet_header,
    },
    Bif {
        name: "disable_analyzer",
        signature: "function(cid: conn_id, aid: count, err_if_no_conn: bool &default=T, prevent: bool &default=F): bool",
        func: disable_analyzer,
    },
    Bif {
        name: "skip_further_processing",
        signature: "function(cid: conn_id): bool",
        func: false_bif,
    },
    Bif {
        name: "set_record_packets",
        signature: "function(cid: conn_id, do_record: bool): bool",
        func: false_bif,
    },
    Bif {
        name: "set_inactivity_timeout",
        signature: "function(cid: conn_id, t: interval): interval",
        func: set_inactivity_timeout,
    },
    Bif {
        name: "install_src_addr_filter",
        signature: "function(ip: addr, tcp_flags: count, prob: double): bool",
        func: install_src_addr_filter,
    },
    Bif {
        name: "install_src_net_filter",
        signature: "function(snet: subnet, tcp_flags: count, prob: double): bool",
        func: install_src_net_filter,
    },
    Bif {
        name: "uninstall_src_addr_filter",
        signature: "function(ip: addr): bool",
        func: uninstall_src_addr_filter,
    },
    Bif {
        name: "uninstall_src_net_filter",
        signature: "function(snet: subnet): bool",
        func: uninstall_src_net_filter,
    },
    Bif {
        name: "install_dst_addr_filter",
        signature: "function(ip: addr, tcp_flags: count, prob: double): bool",
        func: install_dst_addr_filter,
    },
    Bif {
        name: "install_dst_net_filter",
        signature: "function(snet: subnet, tcp_flags: count, prob: double): bool",
        func: install_dst_net_filter,
    },
    Bif {
        name: "uninstall_dst_addr_filter",
        signature: "function(ip: addr): bool",
        func: uninstall_dst_addr_filter,
    },
    Bif {
        name: "uninstall_dst_net_filter",
        signature: "function(snet: subnet): bool",
        func: uninstall_dst_net_filter,
    },
    Bif {
        name: "suspend_processing",
        signature: "function(): any",
        func: suspend_processing,
    },
    Bif {
        name: "continue_processing",
        signature: "function(): any",
        func: continue_processing,
    },
    Bif {
        name: "is_processing_suspended",
        signature: "function(): bool",
        func: is_processing_suspended,
    },
    Bif {
        name: "enable_event_group",
        signature: "function(group: string): bool",
        func: enable_event_group,
    },
    Bif {
        name: "disable_event_group",
        signature: "function(group: string): bool",
        func: disable_event_group,
    },
    Bif {
        name: "has_event_group",
        signature: "function(group: string): bool",
        func: has_event_group,
    },
    Bif {
        name: "enable_module_events",
        signature: "function(module_name: string): bool",
        func: enable_module_events,
    },
    Bif {
        name: "disable_module_events",
        signature: "function(module_name: string): bool",
        func: disable_module_events,
    },
    Bif {
        name: "has_module_events",
        signature: "function(group: string): bool",
        func: has_module_events,
    },
];

// ------------------------------------------------------------------ helpers

fn str_arg(args: &[Value], i: usize) -> Vec<u8> {
    crate::support::str_arg(args, i).to_vec()
}

fn addr_arg(args: &[Value], i: usize) -> Addr {
    match args.get(i) {
        Some(Value::Addr(a)) => *a,
        _ => Addr::from_ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
    }
}

fn v4(a: u32) -> Addr {
    Addr::from_ip(IpAddr::V4(Ipv4Addr::from(a)))
}

/// A type declared in the scripts (`PacketSource`, `connection`, …).
fn named_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    let g = &it.prog.globals[gid as usize];
    if g.kind == GlobalKind::Type {
        g.ty.clone()
    } else {
        None
    }
}

/// The return type of the BiF `name` as the script declared it (keeps
/// names such as `string_vec`).
fn declared_ret(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    it.prog
        .globals
        .get(gid as usize)?
        .ty
        .as_ref()?
        .func()?
        .ret
        .clone()
}

/// A new record of a named type, created as Zeek's `RecordVal` constructor
/// does (`&default`s, empty aggregates).
fn new_record(it: &mut Interp, type_name: &str) -> Value {
    match named_type(it, type_name) {
        Some(t) => it.default_value(&t),
        None => Value::Void,
    }
}

/// Sets field `i` of a record.
fn set_field(rec: &Value, i: usize, v: Value) {
    if let Value::Record(r) = rec {
        if let Some(slot) = r.borrow_mut().fields.get_mut(i) {
            *slot = Some(v);
        }
    }
}

/// The type of field `i` of a record value.
fn field_type(rec: &Value, i: usize) -> Option<TypeRef> {
    let Value::Record(r) = rec else { return None };
    let rb = r.borrow();
    let fields = rb.ty.record()?.fields.borrow();
    fields.get(i).map(|f| f.ty.clone())
}

/// The value of enum constant `name` of the enum type `type_name`.
fn enum_value(it: &Interp, type_name: &str, name: &str) -> Value {
    match named_type(it, type_name) {
        Some(t) => {
            let v = match &t.kind {
                TypeKind::Enum(et) => et.value_of(Symbol::intern(name)).unwrap_or(0),
                _ => 0,
            };
            Value::Enum(t, v)
        }
        None => Value::Void,
    }
}

fn false_bif(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(false))
}

// ------------------------------------------------------------------ run state

fn set_network_time(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    it.network_time = args.first().map_or(0.0, Value::as_double);
    zest_runtime::table::set_network_time(it.network_time);
    Ok(Value::Bool(true))
}

fn zeek_is_terminating(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(it.terminating))
}

/// `EventMgr::CurrentAnalyzer`: no analyzer raises events here.
fn current_analyzer(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(0))
}

/// Without a packet source the record has no field set.
fn packet_source(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(new_record(it, "PacketSource"))
}

const SUSPEND_KEY: &str = "processing_suspended";

/// `run_state::suspend_processing`: a depth; the message on the first.
fn suspend_processing(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let depth = it.ext_mut::<i64>(SUSPEND_KEY);
    let first = *depth == 0;
    *depth += 1;
    if first {
        it.report_info("processing suspended");
    }
    Err(it.no_value())
}

fn continue_processing(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let depth = *it.ext_mut::<i64>(SUSPEND_KEY);
    if depth == 1 {
        it.report_info("processing continued");
    }
    if depth > 0 {
        *it.ext_mut::<i64>(SUSPEND_KEY) -= 1;
    }
    Err(it.no_value())
}

fn is_processing_suspended(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(*it.ext_mut::<i64>(SUSPEND_KEY) > 0))
}

// ------------------------------------------------------------------ math, hashing

fn log10(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(
        args.first().map_or(0.0, Value::as_double).log10(),
    ))
}

/// 32-bit FNV-1a.
pub fn fnv1a32_bytes(bytes: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// FNV-1a of the value's binary description (`ODesc(DESC_BINARY)`), which
/// is exact except for function values (see `hashing::describe_binary`).
fn fnv1a32(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut d = Vec::new();
    if let Some(v) = args.first() {
        crate::hashing::describe_binary(v, &mut d);
    }
    Ok(Value::Count(u64::from(fnv1a32_bytes(&d))))
}

// ------------------------------------------------------------------ addresses

fn is_v4_addr(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(addr_arg(args, 0).is_v4()))
}

fn is_v6_addr(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(!addr_arg(args, 0).is_v4()))
}

fn subnet_is_v4(args: &[Value]) -> bool {
    match args.first() {
        Some(Value::Subnet(s)) => s.prefix.is_v4(),
        _ => false,
    }
}

fn is_v4_subnet(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(subnet_is_v4(args)))
}

fn is_v6_subnet(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(!subnet_is_v4(args)))
}

fn count_to_v4_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ip = args.first().map_or(0, Value::as_count);
    match u32::try_from(ip) {
        Ok(ip) => Ok(Value::Addr(v4(ip))),
        Err(_) => {
            let arg = args.first().cloned();
            builtin_error(
                it,
                site,
                "conversion of non-IPv4 count to addr",
                arg.as_ref(),
            );
            Ok(Value::Addr(v4(0)))
        }
    }
}

fn raw_bytes_to_v4_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let b = str_arg(args, 0);
    if b.len() < 4 {
        builtin_error(
            it,
            site,
            "too short a string as input to raw_bytes_to_v4_addr()",
            None,
        );
        return Ok(Value::Addr(v4(0)));
    }
    Ok(Value::Addr(v4(u32::from_be_bytes([
        b[0], b[1], b[2], b[3],
    ]))))
}

fn raw_bytes_to_v6_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let b = str_arg(args, 0);
    let mut octets = [0u8; 16];
    if b.len() < 16 {
        builtin_error(
            it,
            site,
            "too short a string as input to raw_bytes_to_v6_addr()",
            None,
        );
    } else {
        octets.copy_from_slice(&b[..16]);
    }
    Ok(Value::Addr(Addr::from_ip(IpAddr::V6(Ipv6Addr::from(
        octets,
    )))))
}

/// `routing0_data_to_addrs`: the 16-byte addresses after the 4 reserved
/// bytes. Zeek reads a last partial address past the end of the string
/// (its NUL terminator, then whatever follows in memory); here the missing
/// bytes are zeros.
fn routing0_data_to_addrs(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0);
    let ty = declared_ret(it, "routing0_data_to_addrs")
        .unwrap_or_else(|| Type::new(TypeKind::Vector(it.prog.base.addr.clone())));
    let mut len = s.len() as i64 - 4;
    if len % 16 != 0 {
        it.warn(None, &format!("Bad ip6_routing data length: {}", s.len()));
    }
    let mut items = Vec::new();
    let mut off = 4usize;
    while len > 0 {
        let mut octets = [0u8; 16];
        for (k, o) in octets.iter_mut().enumerate() {
            *o = s.get(off + k).copied().unwrap_or(0);
        }
        items.push(Some(Value::Addr(Addr::from_ip(IpAddr::V6(
            Ipv6Addr::from(octets),
        )))));
        off += 16;
        len -= 16;
    }
    let v = Value::new_vector(ty);
    if let Value::Vector(vv) = &v {
        vv.borrow_mut().items = items;
    }
    Ok(v)
}

// ------------------------------------------------------------------ host

/// `gethostname(2)`: the kernel's host name.
fn host_name() -> Option<Vec<u8>> {
    let mut b = std::fs::read("/proc/sys/kernel/hostname").ok()?;
    while b.last().is_some_and(|&c| c == b'\n') {
        b.pop();
    }
    Some(b)
}

fn gethostname(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::String(
        host_name().unwrap_or_else(|| b"<unknown>".to_vec()).into(),
    ))
}

/// `IPAddr::IsLoopback`.
fn is_loopback(a: Addr) -> bool {
    if a.is_v4() {
        a.0[12] == 127
    } else {
        a.0 == Ipv6Addr::LOCALHOST.octets()
    }
}

/// A loopback address, or one the host name resolves to.
fn is_local_interface(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let a = addr_arg(args, 0);
    if is_loopback(a) {
        return Ok(Value::Bool(true));
    }
    let host = host_name().unwrap_or_else(|| b"localhost".to_vec());
    let host = String::from_utf8_lossy(&host).into_owned();
    let found = (host.as_str(), 0)
        .to_socket_addrs()
        .map(|addrs| addrs.map(|sa| Addr::from_ip(sa.ip())).any(|x| x == a))
        .unwrap_or(false);
    Ok(Value::Bool(found))
}

/// `<month> <day> <hh:mm:ss> ` as syslog's `"%h %e %T "` (UTC).
fn syslog_stamp(t: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    // Civil date of a day count (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    format!(
        "{} {:>2} {:02}:{:02}:{:02} ",
        MONTHS[(month - 1) as usize],
        day,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `Reporter::Syslog`: `openlog("bro", 0, LOG_LOCAL5)` and
/// `syslog(LOG_NOTICE, "%s", s)`, sent to `/dev/log` as glibc does
/// (dropped when no syslog daemon listens).
fn syslog(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = check_string(it, &str_arg(args, 0));
    const PRI: u32 = (21 << 3) | 5;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut msg = format!("<{PRI}>{}bro: ", syslog_stamp(now)).into_bytes();
    msg.extend_from_slice(&s);
    let sent = std::os::unix::net::UnixDatagram::unbound()
        .and_then(|sock| sock.send_to(&msg, "/dev/log"))
        .is_ok();
    if !sent {
        if let Ok(mut stream) = std::os::unix::net::UnixStream::connect("/dev/log") {
            msg.push(0);
            let _ = stream.write_all(&msg);
        }
    }
    Err(it.no_value())
}

// ------------------------------------------------------------------ processes

/// `system("(CMD) 1>&2 &")`: the raw wait status of the shell.
fn do_system(cmd: &[u8]) -> i64 {
    let mut full = b"(".to_vec();
    full.extend_from_slice(cmd);
    full.extend_from_slice(b") 1>&2 &");
    match std::process::Command::new("/bin/sh")
        .arg0("sh")
        .arg("-c")
        .arg(std::ffi::OsStr::from_bytes(&full))
        .status()
    {
        Ok(st) => i64::from(st.into_raw()),
        Err(_) => -1,
    }
}

fn system(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    sweep(it);
    let cmd = check_string(it, &str_arg(args, 0));
    Ok(Value::Int(do_system(&cmd)))
}

/// Environment variables: name and value.
type EnvVars = Vec<(Vec<u8>, Vec<u8>)>;

/// The variables `system_env` sets: `ZEEK_ARG_<KEY in upper case>` and the
/// value. `Err` after the error for an entry that is not a string pair.
fn env_vars(
    it: &mut Interp,
    site: &CallSite<'_>,
    t: &Rc<RefCell<TableVal>>,
) -> Result<EnvVars, EnvVars> {
    let entries = t.borrow().entries_vec();
    let mut out = Vec::new();
    for (key, val) in entries {
        let (Some(Value::String(k)), 1, Some(Value::String(v))) = (key.first(), key.len(), &val)
        else {
            builtin_error(
                it,
                site,
                "system_env() needs a table[string] of string",
                None,
            );
            return Err(out);
        };
        let mut name = b"ZEEK_ARG_".to_vec();
        name.extend(check_string(it, k).iter().map(u8::to_ascii_uppercase));
        out.push((name, check_string(it, v)));
    }
    Ok(out)
}

/// `setenv(name, value, 1)`, which fails for a name holding `=`.
fn set_env(name: &[u8], val: &[u8]) {
    if !name.contains(&b'=') && !name.contains(&0) && !val.contains(&0) {
        std::env::set_var(
            std::ffi::OsStr::from_bytes(name),
            std::ffi::OsStr::from_bytes(val),
        );
    }
}

fn unset_env(name: &[u8]) {
    if !name.contains(&b'=') && !name.contains(&0) {
        std::env::remove_var(std::ffi::OsStr::from_bytes(name));
    }
}

fn system_env(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    sweep(it);
    let Some(Value::Table(t)) = args.get(1).cloned() else {
        builtin_error(it, site, "system_env() requires a table argument", None);
        return Ok(Value::Int(-1));
    };
    let vars = match env_vars(it, site, &t) {
        Ok(v) => v,
        Err(partial) => {
            // The variables set before the bad entry stay set.
            for (n, v) in &partial {
                set_env(n, v);
            }
            return Ok(Value::Int(-1));
        }
    };
    for (n, v) in &vars {
        set_env(n, v);
    }
    let cmd = check_string(it, &str_arg(args, 0));
    let status = do_system(&cmd);
    for (n, _) in &vars {
        unset_env(n);
    }
    Ok(Value::Int(status))
}

/// `popen(program, "w")`, the data written through the pipe's stdio
/// buffer (4096 bytes: whole blocks go out at once and their failure is
/// the failure `fwrite` reports; the rest goes at `pclose`), then
/// `pclose`, which waits for the program.
fn piped_exec(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    sweep(it);
    let prog = check_string(it, &str_arg(args, 0));
    let data = str_arg(args, 1);
    let child = std::process::Command::new("/bin/sh")
        .arg0("sh")
        .arg("-c")
        .arg(std::ffi::OsStr::from_bytes(&prog))
        .stdin(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) => {
            it.error(
                None,
                &format!("Failed to popen {}", String::from_utf8_lossy(&prog)),
            );
            return Ok(Value::Bool(false));
        }
    };
    const PIPE_BUF: usize = 4096;
    let direct = data.len() - data.len() % PIPE_BUF;
    let mut ok = true;
    if let Some(mut stdin) = child.stdin.take() {
        if direct > 0 {
            ok = stdin.write_all(&data[..direct]).is_ok();
        }
        if ok {
            let _ = stdin.write_all(&data[direct..]);
        }
    }
    let _ = child.wait();
    if !ok {
        it.error(
            None,
            &format!(
                "Failed to write all given data to {}",
                String::from_utf8_lossy(&prog)
            ),
        );
        return Ok(Value::Bool(false));
    }
    Ok(Value::Bool(true))
}

// ------------------------------------------------------------------ entropy

/// John Walker's `ent` randomness tests as Zeek has them (`RandTest.cc`),
/// state and all: `end()` changes the state, so finishing twice (or adding
/// after finishing) gives what Zeek gives.
#[derive(Clone, Debug, PartialEq)]
pub struct RandTest {
    ccount: [i64; 256],
    totalc: i64,
    mp: i32,
    sccfirst: i32,
    monte: [u32; 6],
    inmont: i64,
    mcount: i64,
    cexp: f64,
    montex: f64,
    montey: f64,
    montepi: f64,
    sccu0: f64,
    scclast: f64,
    scct1: f64,
    scct2: f64,
    scct3: f64,
}

/// The results: entropy, chi-square, mean, Monte Carlo pi, serial
/// correlation.
pub type EntropyResult = [f64; 5];

const RT_MONTEN: usize = 6;
/// `pow(pow(256.0, RT_MONTEN / 2) - 1, 2.0)`.
const RT_INCIRC: f64 = 281_474_943_156_225.0;

impl Default for RandTest {
    fn default() -> Self {
        RandTest {
            ccount: [0; 256],
            totalc: 0,
            mp: 0,
            sccfirst: 1,
            monte: [0; RT_MONTEN],
            inmont: 0,
            mcount: 0,
            cexp: 0.0,
            montex: 0.0,
            montey: 0.0,
            montepi: 0.0,
            sccu0: 0.0,
            scclast: 0.0,
            scct1: 0.0,
            scct2: 0.0,
            scct3: 0.0,
        }
    }
}

impl RandTest {
    pub fn add(&mut self, buf: &[u8]) {
        for &b in buf {
            let oc = u32::from(b);
            self.ccount[b as usize] += 1;
            self.totalc += 1;
            self.monte[self.mp as usize] = oc;
            self.mp += 1;
            if self.mp as usize >= RT_MONTEN {
                self.mp = 0;
                self.mcount += 1;
                self.montex = 0.0;
                self.montey = 0.0;
                for mj in 0..RT_MONTEN / 2 {
                    self.montex = self.montex * 256.0 + f64::from(self.monte[mj]);
                    self.montey = self.montey * 256.0 + f64::from(self.monte[RT_MONTEN / 2 + mj]);
                }
                if self.montex * self.montex + self.montey * self.montey <= RT_INCIRC {
                    self.inmont += 1;
                }
            }
            let oc = f64::from(oc);
            if self.sccfirst != 0 {
                self.sccfirst = 0;
                self.sccu0 = oc;
            } else {
                self.scct1 += self.scclast * oc;
            }
            self.scct2 += oc;
            self.scct3 += oc * oc;
            self.scclast = oc;
        }
    }

    pub fn end(&mut self) -> EntropyResult {
        let totalc = self.totalc as f64;
        self.scct1 += self.scclast * self.sccu0;
        self.scct2 *= self.scct2;
        let mut scc = totalc * self.scct3 - self.scct2;
        if scc == 0.0 {
            scc = -100_000.0;
        } else {
            scc = (totalc * self.scct1 - self.scct2) / scc;
        }
        self.cexp = totalc / 256.0;
        let mut prob = [0.0f64; 256];
        let mut chisq = 0.0;
        let mut datasum = 0.0;
        for (i, (&n, pr)) in self.ccount.iter().zip(prob.iter_mut()).enumerate() {
            let c = n as f64;
            let a = c - self.cexp;
            *pr = c / totalc;
            chisq += (a * a) / self.cexp;
            datasum += (i as f64) * c;
        }
        let mut ent = 0.0;
        for p in prob {
            if p > 0.0 {
                ent += p * (std::f64::consts::LOG2_10 * (1.0 / p).log10());
            }
        }
        self.montepi = if self.mcount == 0 {
            0.0
        } else {
            4.0 * (self.inmont as f64 / self.mcount as f64)
        };
        [ent, chisq, datasum / totalc, self.montepi, scc]
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(256 * 8 + 128);
        for c in self.ccount {
            b.extend_from_slice(&c.to_le_bytes());
        }
        for v in [self.totalc, self.inmont, self.mcount] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.mp, self.sccfirst] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for m in self.monte {
            b.extend_from_slice(&m.to_le_bytes());
        }
        for d in [
            self.cexp,
            self.montex,
            self.montey,
            self.montepi,
            self.sccu0,
            self.scclast,
            self.scct1,
            self.scct2,
            self.scct3,
        ] {
            b.extend_from_slice(&d.to_le_bytes());
        }
        b
    }

    fn from_bytes(b: &[u8]) -> Option<RandTest> {
        let mut r = Reader(b);
        let mut t = RandTest::default();
        for c in &mut t.ccount {
            *c = i64::from_le_bytes(r.take()?);
        }
        t.totalc = i64::from_le_bytes(r.take()?);
        t.inmont = i64::from_le_bytes(r.take()?);
        t.mcount = i64::from_le_bytes(r.take()?);
        t.mp = i32::from_le_bytes(r.take()?);
        t.sccfirst = i32::from_le_bytes(r.take()?);
        for m in &mut t.monte {
            *m = u32::from_le_bytes(r.take()?);
        }
        let mut d = [0.0f64; 9];
        for x in &mut d {
            *x = f64::from_le_bytes(r.take()?);
        }
        [
            t.cexp, t.montex, t.montey, t.montepi, t.sccu0, t.scclast, t.scct1, t.scct2, t.scct3,
        ] = d;
        Some(t)
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_at_checked(N)?;
        self.0 = rest;
        head.try_into().ok()
    }
}

pub(crate) fn entropy_record(it: &mut Interp, r: EntropyResult) -> Value {
    let rec = new_record(it, "entropy_test_result");
    for (i, x) in r.into_iter().enumerate() {
        set_field(&rec, i, Value::Double(x));
    }
    rec
}

fn find_entropy(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut t = RandTest::default();
    t.add(crate::support::str_arg(args, 0));
    let r = t.end();
    Ok(entropy_record(it, r))
}

fn new_opaque(it: &Interp, bif: &str, algo: &'static str, data: Vec<u8>) -> Value {
    let ty = declared_ret(it, bif)
        .filter(|t| matches!(t.kind, TypeKind::Opaque(_)))
        .unwrap_or_else(|| Type::new(TypeKind::Opaque(Symbol::intern(algo))));
    Value::Opaque(Rc::new(RefCell::new(OpaqueVal {
        ty,
        state: OpaqueState::Hash { algo, data },
    })))
}

/// The state bytes of an opaque made by this module for `algo`.
fn opaque_data(v: Option<&Value>, algo: &str) -> Option<Vec<u8>> {
    let Some(Value::Opaque(o)) = v else {
        return None;
    };
    match &o.borrow().state {
        OpaqueState::Hash { algo: a, data } if *a == algo => Some(data.clone()),
        _ => None,
    }
}

fn entropy_test_init(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(new_opaque(
        it,
        "entropy_test_init",
        "entropy",
        RandTest::default().to_bytes(),
    ))
}

/// Runs `f` on the entropy state of an opaque and stores the state back.
fn with_rand_test<R>(v: Option<&Value>, f: impl FnOnce(&mut RandTest) -> R) -> Option<R> {
    let Some(Value::Opaque(o)) = v else {
        return None;
    };
    let mut ob = o.borrow_mut();
    let OpaqueState::Hash { algo, data } = &mut ob.state else {
        return None;
    };
    if *algo != "entropy" {
        return None;
    }
    let mut t = RandTest::from_bytes(data)?;
    let r = f(&mut t);
    *data = t.to_bytes();
    Some(r)
}

fn entropy_test_add(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let data = str_arg(args, 1);
    let ok = with_rand_test(args.first(), |t| t.add(&data)).is_some();
    Ok(Value::Bool(ok))
}

fn entropy_test_finish(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = with_rand_test(args.first(), RandTest::end).unwrap_or([0.0; 5]);
    Ok(entropy_record(it, r))
}

/// The name Zeek registers entropy tests under.
const ENTROPY_VAL: &str = "EntropyVal";
const PARAGLOB_VAL: &str = "ParaglobVal";

impl RandTest {
    /// `EntropyVal::DoSerialize`: the scalars, then `ccount` and `monte`,
    /// all as counts (the doubles truncated, as Zeek casts them; before
    /// `end()` they hold whole numbers).
    fn serialize(&self) -> zest_broker::Data {
        use zest_broker::Data;
        let mut d: Vec<Data> = [
            self.totalc as u64,
            self.mp as u64,
            self.sccfirst as u64,
            self.inmont as u64,
            self.mcount as u64,
            self.cexp as u64,
            self.montex as u64,
            self.montey as u64,
            self.montepi as u64,
            self.sccu0 as u64,
            self.scclast as u64,
            self.scct1 as u64,
            self.scct2 as u64,
            self.scct3 as u64,
        ]
        .into_iter()
        .map(Data::Count)
        .collect();
        d.extend(self.ccount.iter().map(|c| Data::Count(*c as u64)));
        d.extend(self.monte.iter().map(|m| Data::Count(u64::from(*m))));
        Data::Vector(d)
    }

    fn unserialize(d: &zest_broker::Data) -> Option<RandTest> {
        let v = d.as_vector()?;
        let n = |i: usize| match v.get(i) {
            Some(zest_broker::Data::Count(c)) => Some(*c),
            _ => None,
        };
        let mut t = RandTest {
            totalc: n(0)? as i64,
            mp: n(1)? as i32,
            sccfirst: n(2)? as i32,
            inmont: n(3)? as i64,
            mcount: n(4)? as i64,
            cexp: n(5)? as f64,
            montex: n(6)? as f64,
            montey: n(7)? as f64,
            montepi: n(8)? as f64,
            sccu0: n(9)? as f64,
            scclast: n(10)? as f64,
            scct1: n(11)? as f64,
            scct2: n(12)? as f64,
            scct3: n(13)? as f64,
            ..RandTest::default()
        };
        // `mp` indexes `monte`.
        if !(0..RT_MONTEN as i32).contains(&t.mp) {
            return None;
        }
        for (i, c) in t.ccount.iter_mut().enumerate() {
            *c = n(14 + i)? as i64;
        }
        for (i, m) in t.monte.iter_mut().enumerate() {
            *m = n(14 + 256 + i)? as u32;
        }
        Some(t)
    }
}

/// `OpaqueVal::Serialize` of the opaques kept in the value itself:
/// entropy tests, paraglobs and X.509 certificates (files cannot be
/// serialized).
pub fn serialize_opaque(v: &Value) -> Option<zest_broker::Data> {
    use zest_broker::Data;
    let (name, state) = if let Some(der) = crate::x509::serialize(v) {
        (crate::x509::X509_VAL, der)
    } else if let Some(pg) = paraglob_of(Some(v)) {
        let bytes = pg.serialize();
        let state = bytes
            .into_iter()
            .map(|b| Data::Count(u64::from(b)))
            .collect();
        (PARAGLOB_VAL, Data::Vector(state))
    } else {
        let data = opaque_data(Some(v), "entropy")?;
        (ENTROPY_VAL, RandTest::from_bytes(&data)?.serialize())
    };
    Some(Data::Vector(vec![Data::string(name), state]))
}

/// `OpaqueVal::Unserialize` for the type ids of [`serialize_opaque`].
pub fn unserialize_opaque(
    it: &mut Interp,
    name: &[u8],
    state: &zest_broker::Data,
) -> Option<Value> {
    if name == crate::x509::X509_VAL.as_bytes() {
        return crate::x509::unserialize(state);
    }
    if name == PARAGLOB_VAL.as_bytes() {
        // `ParaglobVal::DoUnserialize`: a vector of counts, one byte each.
        let items = state.as_vector()?;
        let mut bytes = Vec::with_capacity(items.len());
        for d in items {
            let zest_broker::Data::Count(c) = d else {
                return None;
            };
            bytes.push(*c as u8);
        }
        return match Paraglob::unserialize(&bytes) {
            Ok(patterns) => Some(new_opaque(
                it,
                "paraglob_init",
                "paraglob",
                encode_patterns(&patterns),
            )),
            Err((kind, msg)) => {
                it.error(None, &format!("Paraglob {kind} error -> {msg}"));
                None
            }
        };
    }
    if name == ENTROPY_VAL.as_bytes() {
        let t = RandTest::unserialize(state)?;
        return Some(new_opaque(it, "entropy_test_init", "entropy", t.to_bytes()));
    }
    None
}

// ------------------------------------------------------------------ paraglob

/// glibc `fnmatch(pattern, string, 0)` in the C locale (`posix/fnmatch_loop.c`):
/// `*`, `?`, bracket expressions (`!`/`^` negation, ranges, `[:class:]`,
/// `[=c=]`, `[.c.]`), backslash escapes; `/` and leading dots are not
/// special. An unclosed `[` is an ordinary character. Both strings end at
/// their first NUL, as C strings do.
pub fn fnmatch(p: &[u8], s: &[u8]) -> bool {
    let cstr = |b: &[u8]| -> usize { b.iter().position(|&c| c == 0).unwrap_or(b.len()) };
    let (p, s) = (&p[..cstr(p)], &s[..cstr(s)]);
    let (mut pi, mut si) = (0, 0);
    // Where the last `*` resumes: pattern position, string position.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() && p[pi] == b'*' {
            while pi < p.len() && p[pi] == b'*' {
                pi += 1;
            }
            if pi == p.len() {
                return true;
            }
            star = Some((pi, si));
            continue;
        }
        if pi == p.len() {
            if si == s.len() {
                return true;
            }
        } else if si < s.len() {
            if let Some(next) = match_one(p, pi, s[si]) {
                pi = next;
                si += 1;
                continue;
            }
        }
        // No match here: let the last `*` take one more character.
        match star {
            Some((sp, ss)) if ss < s.len() => {
                star = Some((sp, ss + 1));
                pi = sp;
                si = ss + 1;
            }
            _ => return false,
        }
    }
}

/// Matches the pattern element at `p[pi]` (not `*`) against `c`: the
/// position after the element, or `None`.
fn match_one(p: &[u8], pi: usize, c: u8) -> Option<usize> {
    match p[pi] {
        b'?' => Some(pi + 1),
        b'\\' => {
            // A trailing backslash matches nothing.
            let e = *p.get(pi + 1)?;
            (e == c).then_some(pi + 2)
        }
        b'[' => match bracket(p, pi + 1, c) {
            Bracket::Matched(end) => Some(end),
            Bracket::NoMatch => None,
            // Unterminated: the `[` is an ordinary character.
            Bracket::Unterminated => (c == b'[').then_some(pi + 1),
        },
        e => (e == c).then_some(pi + 1),
    }
}

enum Bracket {
    Matched(usize),
    NoMatch,
    Unterminated,
}

/// `fnmatch`'s longest character class name.
const CHAR_CLASS_MAX_LENGTH: usize = 256;

fn char_class(name: &[u8], c: u8) -> Option<bool> {
    Some(match name {
        b"alnum" => c.is_ascii_alphanumeric(),
        b"alpha" => c.is_ascii_alphabetic(),
        b"blank" => c == b' ' || c == b'\t',
        b"cntrl" => c.is_ascii_control(),
        b"digit" => c.is_ascii_digit(),
        b"graph" => c.is_ascii_graphic(),
        b"lower" => c.is_ascii_lowercase(),
        b"print" => c.is_ascii_graphic() || c == b' ',
        b"punct" => c.is_ascii_punctuation(),
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b"upper" => c.is_ascii_uppercase(),
        b"xdigit" => c.is_ascii_hexdigit(),
        _ => return None,
    })
}

/// A bracket expression whose `[` is just before `p[start]`, tested
/// against `fn_`, step by step as glibc reads it (NUL is the pattern end).
fn bracket(p: &[u8], start: usize, fn_: u8) -> Bracket {
    let at = |k: usize| p.get(k).copied().unwrap_or(0);
    let mut i = start;
    let negate = matches!(at(i), b'!' | b'^');
    if negate {
        i += 1;
    }
    // `c = *p++`: `c` is the current character, `i` the one after it.
    let mut c = at(i);
    i += 1;
    let matched = 'elements: loop {
        // One element; `cold` is set when it is a plain character (which
        // may start a range).
        let cold: u8;
        if c == b'\\' {
            if at(i) == 0 {
                return Bracket::NoMatch;
            }
            cold = at(i);
            i += 1;
        } else if c == b'[' && at(i) == b':' {
            let startp = i;
            let mut name = Vec::new();
            let mut j = i;
            let mut plain = false;
            loop {
                if name.len() == CHAR_CLASS_MAX_LENGTH {
                    return Bracket::NoMatch;
                }
                j += 1;
                let ch = at(j);
                if ch == b':' && at(j + 1) == b']' {
                    j += 2;
                    break;
                }
                if !(b'a'..=b'y').contains(&ch) {
                    plain = true;
                    break;
                }
                name.push(ch);
            }
            if plain {
                i = startp;
                cold = b'[';
            } else {
                match char_class(&name, fn_) {
                    None => return Bracket::NoMatch,
                    Some(true) => {
                        i = j;
                        break 'elements true;
                    }
                    Some(false) => {
                        i = j;
                        c = at(i);
                        i += 1;
                        if c == b']' {
                            break 'elements false;
                        }
                        continue;
                    }
                }
            }
        } else if c == 0 {
            return Bracket::Unterminated;
        } else if c == b'[' && at(i) == b'.' {
            let startp = i;
            let mut j = i;
            let mut len = 0;
            loop {
                j += 1;
                let ch = at(j);
                if ch == b'.' && at(j + 1) == b']' {
                    j += 2;
                    break;
                }
                if ch == 0 {
                    return Bracket::NoMatch;
                }
                len += 1;
            }
            if len != 1 {
                return Bracket::NoMatch;
            }
            i = j;
            let is_range = at(i) == b'-' && at(i + 1) != 0;
            if !is_range && fn_ == at(startp + 1) {
                break 'elements true;
            }
            cold = at(startp + 1);
            c = at(i);
            i += 1;
            if let Some(r) = range(p, &mut i, &mut c, cold, fn_) {
                if r {
                    break 'elements true;
                }
            } else {
                return Bracket::NoMatch;
            }
            if c == b']' {
                break 'elements false;
            }
            continue;
        } else if c == b'[' && at(i) == b'=' {
            let startp = i;
            let eq = at(i + 1);
            if eq != 0 && at(i + 2) == b'=' && at(i + 3) == b']' {
                i += 4;
                if fn_ == eq {
                    break 'elements true;
                }
                c = at(i);
                i += 1;
                if c == b']' {
                    break 'elements false;
                }
                continue;
            }
            i = startp;
            cold = b'[';
        } else {
            cold = c;
        }
        // `normal_bracket`.
        let is_range = at(i) == b'-' && at(i + 1) != 0 && at(i + 1) != b']';
        if !is_range && cold == fn_ {
            break 'elements true;
        }
        c = at(i);
        i += 1;
        match range(p, &mut i, &mut c, cold, fn_) {
            Some(true) => break 'elements true,
            Some(false) => {}
            None => return Bracket::NoMatch,
        }
        if c == b']' {
            break 'elements false;
        }
    };
    if !matched {
        return if negate {
            Bracket::Matched(i)
        } else {
            Bracket::NoMatch
        };
    }
    // Skip the rest of the expression that already matched.
    loop {
        let c = at(i);
        i += 1;
        match c {
            0 => return Bracket::NoMatch,
            b']' => break,
            b'\\' => {
                if at(i) == 0 {
                    return Bracket::NoMatch;
                }
                i += 1;
            }
            b'[' if at(i) == b':' => {
                let startp = i;
                let mut n = 0;
                let mut j = i;
                let mut plain = false;
                loop {
                    j += 1;
                    let ch = at(j);
                    n += 1;
                    if n == CHAR_CLASS_MAX_LENGTH {
                        return Bracket::NoMatch;
                    }
                    if ch == b':' && at(j + 1) == b']' {
                        break;
                    }
                    if !(b'a'..=b'y').contains(&ch) {
                        plain = true;
                        break;
                    }
                }
                if plain {
                    i = startp;
                } else {
                    // `p += 2; c = *p++;` then the loop's `]` test.
                    i = j + 2;
                    let next = at(i);
                    i += 1;
                    if next == b']' {
                        break;
                    }
                }
            }
            b'[' if at(i) == b'=' => {
                if at(i + 1) == 0 || at(i + 2) != b'=' || at(i + 3) != b']' {
                    return Bracket::NoMatch;
                }
                i += 4;
                let next = at(i);
                i += 1;
                if next == b']' {
                    break;
                }
            }
            b'[' if at(i) == b'.' => {
                let mut j = i;
                loop {
                    j += 1;
                    let ch = at(j);
                    if ch == 0 {
                        return Bracket::NoMatch;
                    }
                    if ch == b'.' && at(j + 1) == b']' {
                        break;
                    }
                }
                i = j + 2;
                let next = at(i);
                i += 1;
                if next == b']' {
                    break;
                }
            }
            _ => {}
        }
    }
    if negate {
        Bracket::NoMatch
    } else {
        Bracket::Matched(i)
    }
}

/// The range part of a bracket element: `c` is the character read after
/// `cold`; when it is `-` not followed by `]`, reads the range end and
/// tests `cold <= fn_ <= end` (then `c` is the next character). `None`:
/// the pattern is malformed there (no match).
fn range(p: &[u8], i: &mut usize, c: &mut u8, cold: u8, fn_: u8) -> Option<bool> {
    let at = |k: usize| p.get(k).copied().unwrap_or(0);
    if *c != b'-' || at(*i) == b']' {
        return Some(false);
    }
    let mut cend = at(*i);
    *i += 1;
    if cend == b'\\' {
        cend = at(*i);
        *i += 1;
    }
    if cend == 0 {
        return None;
    }
    if cend == b'[' && at(*i) == b'.' {
        let start = *i + 1;
        let mut j = *i;
        loop {
            j += 1;
            let ch = at(j);
            if ch == 0 {
                return None;
            }
            if ch == b'.' && at(j + 1) == b']' {
                break;
            }
        }
        if j - start != 1 {
            return None;
        }
        cend = at(start);
        *i = j + 2;
    }
    if cold <= fn_ && fn_ <= cend {
        return Some(true);
    }
    *c = at(*i);
    *i += 1;
    Some(false)
}

/// Zeek's paraglob (`auxil/paraglob` as of Zeek 5.2): each pattern is
/// filed under its meta words (the literal runs outside `[...]` between
/// `*`/`?`); a text's candidates are the patterns of the meta words it
/// contains, confirmed with `fnmatch`, plus the patterns without meta
/// words, which match everything. Results are sorted and unique.
#[derive(Debug, Default)]
pub struct Paraglob {
    /// Meta words in the order they were first seen.
    meta_words: Vec<Vec<u8>>,
    /// Meta word → its patterns (with repetitions).
    nodes: BTreeMap<Vec<u8>, Vec<Vec<u8>>>,
    single_wildcards: Vec<Vec<u8>>,
}

impl Paraglob {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a [u8]>) -> Paraglob {
        let mut pg = Paraglob::default();
        for p in patterns {
            let words = pg.meta_words_of(p);
            for w in words {
                match pg.nodes.get_mut(&w) {
                    Some(pats) => pats.push(p.to_vec()),
                    None => {
                        pg.nodes.insert(w.clone(), vec![p.to_vec()]);
                        pg.meta_words.push(w);
                    }
                }
            }
        }
        pg
    }

    /// `Paraglob::get_meta_words` (which also files a pattern without
    /// meta words as a single wildcard).
    fn meta_words_of(&mut self, pattern: &[u8]) -> Vec<Vec<u8>> {
        // `split_on_brackets`: the text outside `[` … first `]`.
        let mut pieces = Vec::new();
        let mut prev = 0;
        while let Some(pos) = pattern[prev..].iter().position(|&c| c == b'[') {
            let pos = prev + pos;
            match pattern[pos..].iter().position(|&c| c == b']') {
                Some(end) => {
                    pieces.push(&pattern[prev..pos]);
                    prev = pos + end + 1;
                }
                None => break,
            }
        }
        pieces.push(&pattern[prev..]);
        let mut words = Vec::new();
        for piece in pieces {
            for w in piece.split(|&c| c == b'*' || c == b'?') {
                if !w.is_empty() {
                    words.push(w.to_vec());
                }
            }
        }
        if words.is_empty() && !pattern.is_empty() {
            self.single_wildcards.push(pattern.to_vec());
        }
        words
    }

    /// `Paraglob::get`.
    pub fn get(&self, text: &[u8]) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for w in &self.meta_words {
            if contains(text, w) {
                out.extend(self.nodes[w].iter().filter(|p| fnmatch(p, text)).cloned());
            }
        }
        out.extend(self.single_wildcards.iter().cloned());
        out.sort();
        out.dedup();
        out
    }

    /// `Paraglob::get_patterns`: every pattern with meta words and every
    /// single wildcard, sorted, without repetitions.
    fn patterns(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = self.nodes.values().flatten().cloned().collect();
        out.extend(self.single_wildcards.iter().cloned());
        out.sort();
        out.dedup();
        out
    }

    /// `Paraglob::serialize`: the number of patterns, then each pattern's
    /// length and bytes, the numbers as 64-bit little-endian integers.
    fn serialize(&self) -> Vec<u8> {
        let patterns = self.patterns();
        let mut b = (patterns.len() as u64).to_le_bytes().to_vec();
        b.extend(encode_patterns(&patterns));
        b
    }

    /// `ParaglobSerializer::unserialize`: the patterns, or the kind of
    /// error (underflow, overflow) and its message.
    fn unserialize(b: &[u8]) -> Result<Vec<Vec<u8>>, (&'static str, &'static str)> {
        const SHORT: (&str, &str) = ("underflow", "Serialization data ended unexpectedly.");
        let int_at = |at: usize| -> Option<u64> {
            b.get(at..at + 8)
                .map(|x| u64::from_le_bytes(x.try_into().unwrap_or([0; 8])))
        };
        let n = int_at(0).ok_or(SHORT)?;
        let mut at = 8;
        let mut out = Vec::new();
        while at < b.len() {
            let len = int_at(at).ok_or(SHORT)?;
            at += 8;
            let end = usize::try_from(len)
                .ok()
                .and_then(|l| at.checked_add(l))
                .filter(|&e| e <= b.len())
                .ok_or(SHORT)?;
            out.push(b[at..end].to_vec());
            at = end;
        }
        match (out.len() as u64).cmp(&n) {
            std::cmp::Ordering::Greater => Err(("overflow", "Read more patterns than expected.")),
            std::cmp::Ordering::Less => Err(("underflow", "Read fewer patterns than expected.")),
            std::cmp::Ordering::Equal => Ok(out),
        }
    }

    /// `Paraglob::operator==`: the same meta words (the patterns filed
    /// under them, and the single wildcards, are not compared).
    pub fn same_meta_words(&self, other: &Paraglob) -> bool {
        self.nodes.len() == other.nodes.len() && self.nodes.keys().eq(other.nodes.keys())
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn encode_patterns(patterns: &[Vec<u8>]) -> Vec<u8> {
    let mut b = Vec::new();
    for p in patterns {
        b.extend_from_slice(&(p.len() as u64).to_le_bytes());
        b.extend_from_slice(p);
    }
    b
}

fn decode_patterns(mut b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((len, rest)) = b.split_at_checked(8) {
        let n = u64::from_le_bytes(len.try_into().unwrap_or([0; 8])) as usize;
        let Some((p, rest)) = rest.split_at_checked(n) else {
            break;
        };
        out.push(p.to_vec());
        b = rest;
    }
    out
}

fn paraglob_of(v: Option<&Value>) -> Option<Paraglob> {
    let data = opaque_data(v, "paraglob")?;
    let patterns = decode_patterns(&data);
    Some(Paraglob::new(patterns.iter().map(Vec::as_slice)))
}

fn paraglob_init(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let patterns = match args.first() {
        Some(Value::Vector(vv)) => {
            let vb = vv.borrow();
            match &vb.ty.kind {
                TypeKind::Vector(y) if matches!(y.kind, TypeKind::String) => Some(
                    vb.items
                        .iter()
                        .map(|i| i.as_ref().map_or(b"" as &[u8], Value::as_bytes).to_vec())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            }
        }
        _ => None,
    };
    let Some(patterns) = patterns else {
        it.error(
            None,
            "paraglob requires a vector of strings for initialization.",
        );
        return Err(it.no_value());
    };
    Ok(new_opaque(
        it,
        "paraglob_init",
        "paraglob",
        encode_patterns(&patterns),
    ))
}

fn paraglob_match(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let text = str_arg(args, 1);
    let matches = paraglob_of(args.first()).map_or_else(Vec::new, |pg| pg.get(&text));
    let ty = declared_ret(it, "paraglob_match")
        .filter(|t| matches!(t.kind, TypeKind::Vector(_)))
        .unwrap_or_else(|| Type::new(TypeKind::Vector(it.prog.base.string.clone())));
    let v = Value::new_vector(ty);
    if let Value::Vector(vv) = &v {
        vv.borrow_mut().items = matches
            .into_iter()
            .map(|m| Some(Value::String(m.into())))
            .collect();
    }
    Ok(v)
}

fn paraglob_equals(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let eq = match (paraglob_of(args.first()), paraglob_of(args.get(1))) {
        (Some(a), Some(b)) => a.same_meta_words(&b),
        _ => false,
    };
    Ok(Value::Bool(eq))
}

// ------------------------------------------------------------------ base64

/// Zeek's default Base64 alphabet.
pub const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `Base64Converter::Encode`.
pub fn base64_encode(data: &[u8], alphabet: &[u8]) -> Vec<u8> {
    let at = |i: u32| alphabet.get(i as usize).copied().unwrap_or(0);
    let len = data.len();
    let mut out = Vec::with_capacity(len.div_ceil(3) * 4);
    let mut i = 0;
    while i < len {
        let mut bit32 = u32::from(data[i]) << 16;
        i += 1;
        i += 1;
        if i - 1 < len {
            bit32 += u32::from(data[i - 1]) << 8;
        }
        i += 1;
        if i - 1 < len {
            bit32 += u32::from(data[i - 1]);
        }
        out.push(at((bit32 >> 18) & 0x3f));
        out.push(at((bit32 >> 12) & 0x3f));
        out.push(if i == len + 2 {
            b'='
        } else {
            at((bit32 >> 6) & 0x3f)
        });
        out.push(if i > len { b'=' } else { at(bit32 & 0x3f) });
    }
    out
}

/// `Base64Converter`'s decoding state.
struct Base64Decoder {
    table: [i32; 256],
    group: [i32; 4],
    next: usize,
    padding: i32,
    after_padding: bool,
    errored: u32,
    /// Messages `IllegalEncoding` reports (as errors: there is no
    /// connection).
    errors: Vec<String>,
}

impl Base64Decoder {
    fn new(alphabet: &[u8]) -> Base64Decoder {
        let mut table = [-1i32; 256];
        let a = |i: usize| alphabet.get(i).copied().unwrap_or(0) as usize;
        for i in 0..26 {
            table[a(i)] = i as i32;
            table[a(26 + i)] = (i + 26) as i32;
        }
        for i in 0..10 {
            table[a(52 + i)] = (i + 52) as i32;
        }
        table[a(62)] = 62;
        table[a(63)] = 63;
        table[usize::from(b'=')] = 0;
        Base64Decoder {
            table,
            group: [0; 4],
            next: 0,
            padding: 0,
            after_padding: false,
            errored: 0,
            errors: Vec::new(),
        }
    }

    fn illegal(&mut self, msg: String) {
        self.errors.push(msg);
    }

    /// `Base64Converter::Decode` into `out`, which may grow to `limit`.
    fn decode(&mut self, data: &[u8], out: &mut Vec<u8>, limit: usize) {
        let mut dlen = 0;
        loop {
            if self.next == 4 {
                if self.after_padding {
                    self.errored += 1;
                    if self.errored == 1 {
                        self.illegal("extra base64 groups after '=' padding are ignored".into());
                    }
                    self.next = 0;
                    continue;
                }
                let num_octets = (3 - self.padding).max(0) as usize;
                if out.len() + num_octets > limit {
                    break;
                }
                let g = &self.group;
                let bit32 = ((g[0] & 0x3f) << 18)
                    | ((g[1] & 0x3f) << 12)
                    | ((g[2] & 0x3f) << 6)
                    | (g[3] & 0x3f);
                let bytes = [(bit32 >> 16) as u8, (bit32 >> 8) as u8, bit32 as u8];
                out.extend_from_slice(&bytes[..num_octets.min(3)]);
                if self.padding > 0 {
                    self.after_padding = true;
                }
                self.next = 0;
                self.padding = 0;
            }
            if dlen >= data.len() {
                break;
            }
            let c = data[dlen];
            if c == b'=' {
                self.padding += 1;
            }
            let k = self.table[usize::from(c)];
            if k >= 0 {
                self.group[self.next] = k;
                self.next += 1;
            } else {
                self.errored += 1;
                if self.errored == 1 {
                    self.illegal(format!("character {c} ignored by Base64 decoding"));
                }
            }
            dlen += 1;
        }
    }

    /// `Base64Converter::Done`: an incomplete last group is padded.
    fn done(&mut self, out: &mut Vec<u8>, limit: usize) {
        if self.next != 0 {
            if self.next < 4 {
                let bits = (4 - self.next) * 6;
                self.illegal(format!(
                    "incomplete base64 group, padding with {bits} bits of 0"
                ));
            }
            let n = 4 - self.next;
            self.decode(&b"==="[..n.min(3)], out, limit);
        }
    }
}

/// `zeek::detail::decode_base64` without a connection: `Err` carries the
/// error messages (then Zeek returns no string), `Ok` the bytes and the
/// messages reported on the way.
pub fn base64_decode(s: &[u8], alphabet: &[u8]) -> Result<(Vec<u8>, Vec<String>), Vec<String>> {
    let buf_len = s.len().div_ceil(4) * 3 + 1;
    let mut dec = Base64Decoder::new(alphabet);
    let mut out = Vec::with_capacity(buf_len);
    dec.decode(s, &mut out, buf_len);
    if dec.errored > 0 {
        return Err(dec.errors);
    }
    dec.done(&mut out, buf_len);
    Ok((out, dec.errors))
}

/// The alphabet argument: checked for its length (`Err` after the error),
/// empty for the default.
fn alphabet_arg(it: &mut Interp, a: &[u8], what: &str) -> Result<Vec<u8>, ()> {
    if !a.is_empty() && a.len() != 64 {
        let shown = check_string(it, a);
        it.error(
            None,
            &format!(
                "{what} is not 64 characters: {}",
                String::from_utf8_lossy(&shown)
            ),
        );
        return Err(());
    }
    let a = check_string(it, a);
    Ok(if a.is_empty() {
        BASE64_ALPHABET.to_vec()
    } else {
        a
    })
}

fn encode_base64(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0);
    let a = str_arg(args, 1);
    match alphabet_arg(it, &a, "base64 alphabet") {
        Ok(alphabet) => Ok(Value::String(base64_encode(&s, &alphabet).into())),
        Err(()) => {
            it.error(None, "Broker query has an invalid data store");
            Ok(Value::str(b""))
        }
    }
}

fn decode_base64(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0);
    let a = str_arg(args, 1);
    let decoded = match alphabet_arg(it, &a, "base64 decoding alphabet") {
        Ok(alphabet) => match base64_decode(&s, &alphabet) {
            Ok((bytes, msgs)) => {
                for m in msgs {
                    it.error(None, &m);
                }
                Some(bytes)
            }
            Err(msgs) => {
                for m in msgs {
                    it.error(None, &m);
                }
                None
            }
        },
        Err(()) => None,
    };
    match decoded {
        Some(b) => Ok(Value::String(b.into())),
        None => {
            let shown = check_string(it, &s);
            it.error(
                None,
                &format!(
                    "error in decoding string {}",
                    String::from_utf8_lossy(&shown)
                ),
            );
            Ok(Value::str(b""))
        }
    }
}

// ------------------------------------------------------------------ connections

/// The connection functions find no connection: there is no packet
/// source.
fn unknown_connection(it: &mut Interp, site: &CallSite<'_>, msg: &str, cid: Option<&Value>) {
    builtin_error(it, site, msg, cid);
}

fn decode_base64_conn(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let cid = args.first().cloned();
    unknown_connection(
        it,
        site,
        "connection ID not a known connection",
        cid.as_ref(),
    );
    Ok(Value::str(b""))
}

fn get_conn_transport_proto(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let cid = args.first().cloned();
    unknown_connection(
        it,
        site,
        "unknown connection id in get_conn_transport_proto()",
        cid.as_ref(),
    );
    Ok(enum_value(it, "transport_proto", "unknown_transport"))
}

/// The dummy `connection` Zeek returns for an unknown id.
fn lookup_connection(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let cid = args.first().cloned();
    unknown_connection(
        it,
        site,
        "connection ID not a known connection",
        cid.as_ref(),
    );
    let c = new_record(it, "connection");
    let zero = Value::Addr(v4(0));
    let port0 = Value::Port(Port {
        num: 0,
        proto: Proto::Udp,
    });
    if let Some(t) = field_type(&c, 0) {
        let id = it.default_value(&t);
        for (i, v) in [zero.clone(), port0.clone(), zero, port0]
            .into_iter()
            .enumerate()
        {
            set_field(&id, i, v);
        }
        set_field(&c, 0, id);
    }
    for i in [1, 2] {
        if let Some(t) = field_type(&c, i) {
            let endp = it.default_value(&t);
            set_field(&endp, 0, Value::Count(0));
            set_field(&endp, 1, Value::Count(0));
            set_field(&c, i, endp);
        }
    }
    set_field(&c, 3, Value::Time(it.network_time));
    set_field(&c, 4, Value::Interval(0.0));
    if let Some(t) = field_type(&c, 5) {
        set_field(&c, 5, Value::Table(Rc::new(RefCell::new(TableVal::new(t)))));
    }
    set_field(&c, 6, Value::str(b""));
    Ok(c)
}

fn disable_analyzer(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    it.error(None, "cannot find connection");
    Ok(Value::Bool(false))
}

fn set_inactivity_timeout(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Interval(0.0))
}

/// `Packet::ToVal(nullptr)`: zeros, an empty string, `LINK_UNKNOWN`.
fn get_current_packet(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let p = new_record(it, "pcap_packet");
    for i in 0..4 {
        set_field(&p, i, Value::Count(0));
    }
    set_field(&p, 4, Value::str(b""));
    let link = enum_value(it, "link_encap", "LINK_UNKNOWN");
    set_field(&p, 5, link);
    Ok(p)
}

fn get_current_packet_header(
    it: &mut Interp,
    _args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    Ok(new_record(it, "raw_pkt_hdr"))
}

// ------------------------------------------------------------------ packet filter

/// The packet filter's drop rules (`PacketFilter`): prefix tables keyed
/// by address and 128-bit prefix length, so an address filter and a /32
/// net filter are the same entry.
#[derive(Debug, Default)]
struct PacketFilters {
    src: BTreeSet<(Addr, u32)>,
    dst: BTreeSet<(Addr, u32)>,
}

const FILTER_KEY: &str = "packet_filter";

fn filter_key(args: &[Value]) -> (Addr, u32) {
    match args.first() {
        Some(Value::Subnet(s)) => (s.prefix, s.len128()),
        _ => (addr_arg(args, 0), 128),
    }
}

fn filters(it: &mut Interp, dst: bool) -> &mut BTreeSet<(Addr, u32)> {
    let f = it.ext_mut::<PacketFilters>(FILTER_KEY);
    if dst {
        &mut f.dst
    } else {
        &mut f.src
    }
}

fn install_filter(it: &mut Interp, args: &[Value], dst: bool) -> RtResult {
    let key = filter_key(args);
    filters(it, dst).insert(key);
    Ok(Value::Bool(true))
}

fn uninstall_filter(it: &mut Interp, args: &[Value], dst: bool) -> RtResult {
    let key = filter_key(args);
    Ok(Value::Bool(filters(it, dst).remove(&key)))
}

fn install_src_addr_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    install_filter(it, args, false)
}

fn install_src_net_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    install_filter(it, args, false)
}

fn uninstall_src_addr_filter(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    uninstall_filter(it, args, false)
}

fn uninstall_src_net_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    uninstall_filter(it, args, false)
}

fn install_dst_addr_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    install_filter(it, args, true)
}

fn install_dst_net_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    install_filter(it, args, true)
}

fn uninstall_dst_addr_filter(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    uninstall_filter(it, args, true)
}

fn uninstall_dst_net_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    uninstall_filter(it, args, true)
}

// ------------------------------------------------------------------ event groups

/// An event group's name (`CheckString`ed).
fn group_name(it: &mut Interp, args: &[Value]) -> Symbol {
    let g = check_string(it, crate::support::str_arg(args, 0));
    Symbol::intern(&String::from_utf8_lossy(&g))
}

/// `enable_event_group`/`disable_event_group` of either kind: an error for
/// a group no handler declares.
fn set_group(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    kind: GroupKind,
    enabled: bool,
) -> RtResult {
    let name = group_name(it, args);
    if it.set_group_enabled(kind, name, enabled) {
        return Ok(Value::Bool(true));
    }
    builtin_error(
        it,
        site,
        &format!("no such event group: {}", name.as_str()),
        None,
    );
    Ok(Value::Bool(false))
}

fn has_group(it: &mut Interp, args: &[Value], kind: GroupKind) -> RtResult {
    let name = group_name(it, args);
    Ok(Value::Bool(it.has_group(kind, name)))
}

fn enable_event_group(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_group(it, args, site, GroupKind::Attribute, true)
}

fn disable_event_group(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_group(it, args, site, GroupKind::Attribute, false)
}

fn has_event_group(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    has_group(it, args, GroupKind::Attribute)
}

fn enable_module_events(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_group(it, args, site, GroupKind::Module, true)
}

fn disable_module_events(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    set_group(it, args, site, GroupKind::Module, false)
}

fn has_module_events(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    has_group(it, args, GroupKind::Module)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bifs/find_entropy and bifs/entropy_test baselines (printed with six
    /// significant digits).
    #[test]
    fn entropy_baselines() {
        let cases: &[(&[u8], [&str; 5])] = &[
            (
                b"dh3Hie02uh^s#Sdf9L3frd243h$d78r2G4cM6*Q05d(7rh46f!0|4-f",
                [
                    "4.715374",
                    "591.981818",
                    "75.472727",
                    "4.000000",
                    "-0.110270",
                ],
            ),
            (
                b"0011000aaabbbbcccc000011111000000000aaaabbbbcccc0000000",
                [
                    "2.083189",
                    "3906.018182",
                    "69.054545",
                    "4.000000",
                    "0.849402",
                ],
            ),
        ];
        for (data, want) in cases {
            let mut t = RandTest::default();
            t.add(data);
            let got = t.end().map(|x| format!("{x:.6}"));
            assert_eq!(got, *want);
            let back = RandTest::from_bytes(&t.to_bytes()).unwrap();
            assert_eq!(back, t);
        }
    }

    /// RFC 4648 section 10 test vectors.
    #[test]
    fn base64_rfc4648() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"f", b"Zg=="),
            (b"fo", b"Zm8="),
            (b"foo", b"Zm9v"),
            (b"foob", b"Zm9vYg=="),
            (b"fooba", b"Zm9vYmE="),
            (b"foobar", b"Zm9vYmFy"),
        ];
        for (plain, enc) in cases {
            assert_eq!(base64_encode(plain, BASE64_ALPHABET), *enc);
            let (dec, errs) = base64_decode(enc, BASE64_ALPHABET).unwrap();
            assert_eq!(dec, *plain);
            assert!(errs.is_empty());
        }
    }

    /// Messages of `Base64Converter` (src/Base64.cc).
    #[test]
    fn paraglob_serialization() {
        let pats: Vec<&[u8]> = vec![b"hello", b"*ello", b"*", b"hello", b""];
        let pg = Paraglob::new(pats);
        let b = pg.serialize();
        // Three patterns (sorted, once each, the empty one dropped).
        assert_eq!(&b[..8], &3u64.to_le_bytes());
        assert_eq!(&b[8..16], &1u64.to_le_bytes());
        assert_eq!(b[16], b'*');
        let back = Paraglob::unserialize(&b).unwrap();
        assert_eq!(
            back,
            vec![b"*".to_vec(), b"*ello".to_vec(), b"hello".to_vec()]
        );
        assert_eq!(
            Paraglob::unserialize(&b[..b.len() - 1]).unwrap_err().0,
            "underflow"
        );
        let mut more = b.clone();
        more[0] = 2;
        assert_eq!(Paraglob::unserialize(&more).unwrap_err().0, "overflow");
        more[0] = 4;
        assert_eq!(
            Paraglob::unserialize(&more).unwrap_err().1,
            "Read fewer patterns than expected."
        );
    }

    #[test]
    fn base64_errors() {
        assert_eq!(
            base64_decode(b"Zm9v!", BASE64_ALPHABET).unwrap_err(),
            vec!["character 33 ignored by Base64 decoding".to_owned()]
        );
        let (dec, errs) = base64_decode(b"Zm9vYg", BASE64_ALPHABET).unwrap();
        assert_eq!(dec, b"foob");
        assert_eq!(
            errs,
            vec!["incomplete base64 group, padding with 12 bits of 0".to_owned()]
        );
    }

    /// paraglob's own tests (testing/driver/basic_matches and
    /// empty_patterns): the number of patterns matching "dog".
    #[test]
    fn paraglob_driver() {
        let pats: [&[u8]; 5] = [b"*", b"d?g", b"*og", b"d?", b"d[!wl]g"];
        assert_eq!(Paraglob::new(pats).get(b"dog").len(), 4);
        let pats: [&[u8]; 7] = [b"*", b"cat", b"dog?", b"fish", b"horse", b"frog", b"lion"];
        assert_eq!(Paraglob::new(pats).get(b"dog").len(), 1);
    }

    /// language/copy-all-opaques: a paraglob equals a copy of itself.
    #[test]
    fn paraglob_equality() {
        let pats: [&[u8]; 3] = [b"https://*.google.com/*", b"*malware*", b"*.gov*"];
        let a = Paraglob::new(pats);
        let b = Paraglob::new(pats);
        assert!(a.same_meta_words(&b));
    }

    /// glibc fnmatch(3) behaviour (flags 0), from its manual and tests.
    #[test]
    fn fnmatch_cases() {
        let cases: &[(&[u8], &[u8], bool)] = &[
            (b"*", b"", true),
            (b"*", b".hidden", true),
            (b"a/*", b"a/b/c", true),
            (b"?", b"", false),
            (b"[abc]", b"b", true),
            (b"[!abc]", b"b", false),
            (b"[^abc]", b"d", true),
            (b"[a-c]x", b"bx", true),
            (b"[]]", b"]", true),
            (b"[a-]", b"-", true),
            (b"[[:digit:]]", b"7", true),
            (b"[[:alpha:]]", b"7", false),
            (b"\\*", b"*", true),
            (b"\\*", b"a", false),
            (b"[", b"[", true),
            (b"a[", b"a[", true),
            (b"*.gov*", b"whitehouse.gov", true),
            (b"https://*.google.com/*", b"https://www.google.com/x", true),
        ];
        for (p, s, want) in cases {
            assert_eq!(
                fnmatch(p, s),
                *want,
                "{} {}",
                String::from_utf8_lossy(p),
                String::from_utf8_lossy(s)
            );
        }
    }

    /// FNV-1a 32 reference values (the algorithm's published test vectors).
    #[test]
    fn fnv1a() {
        assert_eq!(fnv1a32_bytes(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32_bytes(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32_bytes(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn syslog_time() {
        assert_eq!(syslog_stamp(0), "Jan  1 00:00:00 ");
        assert_eq!(syslog_stamp(1_000_000_000), "Sep  9 01:46:40 ");
    }
}
