//! `stats.bif`: the statistics records of `get_*_stats`, with the values a
//! Zeek process without a packet source has: no packets, connections,
//! fragments, reassembly, DNS requests, files, gaps, rule matchers or Broker
//! peers (all counters 0), the process's own resource usage read from
//! `/proc` where Zeek calls `getrusage()`, and the reporter's weird
//! counters.
//!
//! Each record is built with the declared return type (`NetStats`, … of
//! init-bare.zeek), its fields assigned by name. The signatures spell
//! those record types out, as a run without the library has no
//! init-bare.zeek to name them (the comment above each says which it is).

use crate::support::{declared_record, record};
use crate::Bif;
use std::cell::RefCell;
use std::rc::Rc;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Tag, Type, TypeKind};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "get_event_stats",
        // EventStats
        signature: "function(): record { queued: count; dispatched: count; }",
        func: get_event_stats,
    },
    Bif {
        name: "get_timer_stats",
        // TimerStats
        signature: "function(): record { current: count; max: count; cumulative: count; }",
        func: get_timer_stats,
    },
    Bif {
        name: "get_thread_stats",
        // ThreadStats
        signature: "function(): record { num_threads: count; }",
        func: get_thread_stats,
    },
    Bif {
        name: "get_event_handler_stats",
        // EventNameStats
        signature: "function(): vector of record { name: string &log; times_called: count &log; }",
        func: get_event_handler_stats,
    },
    Bif {
        name: "get_net_stats",
        // NetStats
        signature: "function(): record { pkts_recvd: count &default=0; pkts_dropped: count &default=0; pkts_link: count &default=0; bytes_recvd: count &default=0; }",
        func: get_net_stats,
    },
    Bif {
        name: "get_conn_stats",
        // ConnStats
        signature: "function(): record { total_conns: count; current_conns: count; sess_current_conns: count; num_packets: count; num_fragments: count; max_fragments: count; num_tcp_conns: count; max_tcp_conns: count; cumulative_tcp_conns: count; num_udp_conns: count; max_udp_conns: count; cumulative_udp_conns: count; num_icmp_conns: count; max_icmp_conns: count; cumulative_icmp_conns: count; killed_by_inactivity: count; }",
        func: get_conn_stats,
    },
    Bif {
        name: "get_proc_stats",
        // ProcStats
        signature: "function(): record { debug: bool; start_time: time; real_time: interval; user_time: interval; system_time: interval; mem: count; minor_faults: count; major_faults: count; num_swap: count; blocking_input: count; blocking_output: count; num_context: count; }",
        func: get_proc_stats,
    },
    Bif {
        name: "get_reassembler_stats",
        // ReassemblerStats
        signature: "function(): record { file_size: count; frag_size: count; tcp_size: count; unknown_size: count; }",
        func: get_reassembler_stats,
    },
    Bif {
        name: "get_dns_stats",
        // DNSStats
        signature: "function(): record { requests: count; successful: count; failed: count; pending: count; cached_hosts: count; cached_addresses: count; }",
        func: get_dns_stats,
    },
    Bif {
        name: "get_file_analysis_stats",
        // FileAnalysisStats
        signature: "function(): record { current: count; max: count; cumulative: count; }",
        func: get_file_analysis_stats,
    },
    Bif {
        name: "get_gap_stats",
        // GapStats
        signature: "function(): record { ack_events: count; ack_bytes: count; gap_events: count; gap_bytes: count; }",
        func: get_gap_stats,
    },
    Bif {
        name: "get_matcher_stats",
        // MatcherStats
        signature: "function(): record { matchers: count; nfa_states: count; dfa_states: count; computed: count; mem: count; hits: count; misses: count; }",
        func: get_matcher_stats,
    },
    Bif {
        name: "get_broker_stats",
        // BrokerStats
        signature: "function(): record { num_peers: count; num_stores: count; num_pending_queries: count; num_events_incoming: count; num_events_outgoing: count; num_logs_incoming: count; num_logs_outgoing: count; num_ids_incoming: count; num_ids_outgoing: count; }",
        func: get_broker_stats,
    },
    Bif {
        name: "get_reporter_stats",
        // ReporterStats
        signature: "function(): record { weirds: count; weirds_by_type: table[string] of count; }",
        func: get_reporter_stats,
    },
];

/// Every field of `bif`'s record type set to the count 0 (the counters of
/// subsystems that never ran).
fn zero_record(it: &Interp, bif: &str) -> Value {
    let Some(ty) = declared_record(it, bif) else {
        return Value::Void;
    };
    let rec = Value::new_record(ty.clone());
    if let (Value::Record(r), Some(rt)) = (&rec, ty.record()) {
        let mut rb = r.borrow_mut();
        for (i, f) in rt.fields.borrow().iter().enumerate() {
            if f.ty.tag() == Tag::Count {
                rb.fields[i] = Some(Value::Count(0));
            }
        }
    }
    rec
}

fn get_event_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (queued, dispatched) = (it.queued, it.dispatched);
    Ok(crate::support::record(
        it,
        "get_event_stats",
        vec![
            ("queued", Value::Count(queued)),
            ("dispatched", Value::Count(dispatched)),
        ],
    ))
}

fn get_timer_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let t = &it.timers;
    let fields = vec![
        ("current", Value::Count(t.len() as u64)),
        ("max", Value::Count(t.peak() as u64)),
        ("cumulative", Value::Count(t.cumulative())),
    ];
    Ok(crate::support::record(it, "get_timer_stats", fields))
}

fn get_thread_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let n = crate::logging::manager::writer_count(it) as u64;
    Ok(crate::support::record(
        it,
        "get_thread_stats",
        vec![("num_threads", Value::Count(n))],
    ))
}

/// The handlers called at least once, with their call counts, by name
/// (Zeek's registry is a map by name).
fn get_event_handler_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(vt) = it
        .prog
        .lookup(Symbol::intern("EventNameStats"))
        .and_then(|g| it.prog.globals[g as usize].ty.clone())
    else {
        return Ok(Value::Void);
    };
    let Some(rt) = vt.yield_type().cloned() else {
        return Ok(Value::Void);
    };
    let mut called: Vec<(String, u64)> = it
        .handler_calls
        .iter()
        .enumerate()
        .filter(|(g, n)| **n > 0 && !it.prog.globals[*g].bodies.is_empty())
        .map(|(g, n)| (it.prog.globals[g].name.as_str().to_owned(), *n))
        .collect();
    called.sort();
    let v = Value::new_vector(vt.clone());
    if let Value::Vector(vv) = &v {
        let mut vb = vv.borrow_mut();
        for (name, n) in called {
            let rec = Value::new_record(rt.clone());
            if let Value::Record(r) = &rec {
                let mut rb = r.borrow_mut();
                rb.fields[0] = Some(Value::str(name.as_bytes()));
                rb.fields[1] = Some(Value::Count(n));
            }
            vb.items.push(Some(rec));
        }
    }
    Ok(v)
}

/// No packet source: nothing received, dropped or seen on the link.
fn get_net_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(zero_record(it, "get_net_stats"))
}

/// No connections, fragments or packets were ever processed.
fn get_conn_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(zero_record(it, "get_conn_stats"))
}

fn get_reassembler_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(zero_record(it, "get_reassembler_stats"))
}

fn get_dns_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(zero_record(it, "get_dns_stats"))
}

fn get_file_analysis_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (current, max, cumulative) = crate::file_analysis::stats(it);
    Ok(crate::support::record(
        it,
        "get_file_analysis_stats",
        vec![
            ("current", Value::Count(current)),
            ("max", Value::Count(max)),
            ("cumulative", Value::Count(cumulative)),
        ],
    ))
}

fn get_gap_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(zero_record(it, "get_gap_stats"))
}

/// The number of signature matchers; the DFA statistics stay zero (Zest
/// does not match packets against signatures).
fn get_matcher_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let rec = zero_record(it, "get_matcher_stats");
    let matchers = crate::signatures::matcher_count(it);
    if let Value::Record(r) = &rec {
        let i = r
            .borrow()
            .ty
            .record()
            .and_then(|rt| rt.field_index(Symbol::intern("matchers")));
        if let Some(i) = i {
            r.borrow_mut().fields[i] = Some(Value::Count(matchers));
        }
    }
    Ok(rec)
}

/// No Broker peers, stores or queries.
fn get_broker_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let rec = zero_record(it, "get_broker_stats");
    let (peers, st) = crate::broker::stats(it);
    if let (Value::Record(r), Some(ty)) = (&rec, declared_record(it, "get_broker_stats")) {
        if let Some(rt) = ty.record() {
            let mut rb = r.borrow_mut();
            for (name, n) in [
                ("num_peers", peers),
                ("num_events_incoming", st.events_incoming),
                ("num_events_outgoing", st.events_outgoing),
                ("num_logs_incoming", st.logs_incoming),
                ("num_logs_outgoing", st.logs_outgoing),
                ("num_ids_incoming", st.ids_incoming),
                ("num_ids_outgoing", st.ids_outgoing),
            ] {
                if let Some(i) = rt.field_index(Symbol::intern(name)) {
                    rb.fields[i] = Some(Value::Count(n));
                }
            }
        }
    }
    Ok(rec)
}

/// The reporter's weird counters: the total and a `table[string] of count`
/// by weird name.
fn get_reporter_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (total, by_type) = crate::reporter::weird_stats(it);
    let table_ty = declared_record(it, "get_reporter_stats")
        .and_then(|t| {
            let rt = t.record()?;
            let i = rt.field_index(Symbol::intern("weirds_by_type"))?;
            let ft = rt.fields.borrow()[i].ty.clone();
            Some(ft)
        })
        .filter(|t| t.tag() == Tag::Table)
        .unwrap_or_else(|| {
            Type::new(TypeKind::Table {
                index: vec![it.prog.base.string.clone()],
                yield_: Some(it.prog.base.count.clone()),
            })
        });
    let mut t = TableVal::new(table_ty);
    for (name, n) in by_type {
        t.insert(vec![Value::str(&name)], Some(Value::Count(n)));
    }
    Ok(record(
        it,
        "get_reporter_stats",
        vec![
            ("weirds", Value::Count(total)),
            ("weirds_by_type", Value::Table(Rc::new(RefCell::new(t)))),
        ],
    ))
}

// ------------------------------------------------------------ process statistics

/// What `getrusage(RUSAGE_SELF)` and Zeek's `get_memory_usage` report,
/// read from `/proc/self`.
#[derive(Debug, Default, PartialEq)]
struct Usage {
    /// CPU seconds in user and system mode.
    user: f64,
    system: f64,
    minflt: u64,
    majflt: u64,
    /// Blocks of 512 bytes read and written.
    inblock: u64,
    oublock: u64,
    /// Involuntary context switches.
    nivcsw: u64,
    /// Peak resident set size in bytes (`ru_maxrss` × 1024).
    maxrss: u64,
    /// Process start, seconds since the epoch.
    start: f64,
}

/// The kernel's clock tick of `/proc/*/stat` times (`USER_HZ`).
const CLOCK_TICKS: f64 = 100.0;

/// Parses `/proc/self/stat`: the fields after the parenthesised command
/// name, counted from field 3 (`state`).
fn parse_stat(text: &str, usage: &mut Usage) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    usage.minflt = num(7);
    usage.majflt = num(9);
    usage.user = num(11) as f64 / CLOCK_TICKS;
    usage.system = num(12) as f64 / CLOCK_TICKS;
    // Start time in ticks since boot.
    Some(num(19))
}

/// A `Key:   value` line of `/proc/self/status` or `/proc/self/io`.
fn keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        if k.trim() != key {
            return None;
        }
        v.split_whitespace().next()?.parse().ok()
    })
}

fn parse_status(text: &str, usage: &mut Usage) {
    usage.maxrss = keyed(text, "VmHWM").unwrap_or(0) * 1024;
    usage.nivcsw = keyed(text, "nonvoluntary_ctxt_switches").unwrap_or(0);
}

fn parse_io(text: &str, usage: &mut Usage) {
    let read = keyed(text, "read_bytes").unwrap_or(0);
    let written = keyed(text, "write_bytes").unwrap_or(0);
    let cancelled = keyed(text, "cancelled_write_bytes").unwrap_or(0);
    usage.inblock = read >> 9;
    usage.oublock = written.saturating_sub(cancelled) >> 9;
}

fn read_usage() -> Usage {
    let mut u = Usage::default();
    let start_ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|t| parse_stat(&t, &mut u));
    if let Ok(t) = std::fs::read_to_string("/proc/self/status") {
        parse_status(&t, &mut u);
    }
    if let Ok(t) = std::fs::read_to_string("/proc/self/io") {
        parse_io(&t, &mut u);
    }
    let boot = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|t| keyed_space(&t, "btime"));
    if let (Some(ticks), Some(boot)) = (start_ticks, boot) {
        u.start = boot as f64 + ticks as f64 / CLOCK_TICKS;
    }
    u
}

/// A `key value` line of `/proc/stat`.
fn keyed_space(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        (it.next()? == key).then(|| it.next()?.parse().ok())?
    })
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `get_proc_stats`: Zest is not a debug build of Zeek (`debug` is F);
/// start time, elapsed time, CPU times, peak memory, faults, block I/O and
/// involuntary context switches of this process. Linux never swaps a
/// process out as a whole, so `num_swap` is 0 as `getrusage` says there.
fn get_proc_stats(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let u = read_usage();
    let start = if u.start > 0.0 { u.start } else { now() };
    Ok(record(
        it,
        "get_proc_stats",
        vec![
            ("debug", Value::Bool(false)),
            ("start_time", Value::Time(start)),
            ("real_time", Value::Interval(now() - start)),
            ("user_time", Value::Interval(u.user)),
            ("system_time", Value::Interval(u.system)),
            ("mem", Value::Count(u.maxrss)),
            ("minor_faults", Value::Count(u.minflt)),
            ("major_faults", Value::Count(u.majflt)),
            ("num_swap", Value::Count(0)),
            ("blocking_input", Value::Count(u.inblock)),
            ("blocking_output", Value::Count(u.oublock)),
            ("num_context", Value::Count(u.nivcsw)),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// proc(5): `/proc/[pid]/stat` field order (minflt 10, majflt 12,
    /// utime 14, stime 15, starttime 22), a command name with spaces and
    /// parentheses.
    #[test]
    fn stat_fields() {
        let text = "4242 (ze ek) (x)) S 1 4242 4242 0 -1 4194560 1500 0 3 0 250 75 0 0 20 0 1 0 \
                    123456 1000000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
        let mut u = Usage::default();
        assert_eq!(parse_stat(text, &mut u), Some(123456));
        assert_eq!(u.minflt, 1500);
        assert_eq!(u.majflt, 3);
        assert_eq!(u.user, 2.5);
        assert_eq!(u.system, 0.75);
    }

    /// proc(5): `VmHWM` in kB, `nonvoluntary_ctxt_switches`, and
    /// `/proc/[pid]/io` bytes as 512-byte blocks the way `getrusage`
    /// counts them.
    #[test]
    fn status_and_io() {
        let status = "Name:\tzeek\nVmPeak:\t  20000 kB\nVmHWM:\t    1234 kB\n\
                      voluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t9\n";
        let io = "rchar: 100\nwchar: 200\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\n\
                  write_bytes: 10240\ncancelled_write_bytes: 1024\n";
        let mut u = Usage::default();
        parse_status(status, &mut u);
        parse_io(io, &mut u);
        assert_eq!(u.maxrss, 1234 * 1024);
        assert_eq!(u.nivcsw, 9);
        assert_eq!(u.inblock, 8);
        assert_eq!(u.oublock, 18);
        assert_eq!(
            keyed_space("cpu 1 2 3\nbtime 1700000000\n", "btime"),
            Some(1_700_000_000)
        );
    }
}
