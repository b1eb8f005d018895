//! Natives of frameworks whose engine side Zest does not run: packet
//! analysis registration (kept as data; Zest analyzes no packets) and
//! Broker's local housekeeping when no peer exists.

use crate::Bif;
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "PacketAnalyzer::register_packet_analyzer",
        signature: "function(parent: PacketAnalyzer::Tag, identifier: count, child: PacketAnalyzer::Tag): bool",
        func: register_packet_analyzer,
    },
    Bif {
        name: "PacketAnalyzer::try_register_packet_analyzer_by_name",
        signature: "function(parent: string, identifier: count, child: string): bool",
        func: try_register_by_name,
    },
    Bif {
        name: "PacketAnalyzer::register_protocol_detection",
        signature: "function(parent: PacketAnalyzer::Tag, child: PacketAnalyzer::Tag): bool",
        func: register_protocol_detection,
    },
    Bif { name: "is_packet_analyzer", signature: "function(atype: AllAnalyzers::Tag): bool", func: is_packet_analyzer },
    Bif { name: "is_protocol_analyzer", signature: "function(atype: AllAnalyzers::Tag): bool", func: is_protocol_analyzer },
    Bif { name: "is_file_analyzer", signature: "function(atype: AllAnalyzers::Tag): bool", func: is_file_analyzer },
    Bif { name: "Broker::__set_metrics_export_topic", signature: "function(value: string): bool", func: broker_set_metrics_export_topic },
    Bif { name: "Broker::__set_metrics_import_topics", signature: "function(filter: vector of string): bool", func: broker_set_metrics_import_topics },
    Bif {
        name: "Broker::__set_metrics_export_endpoint_name",
        signature: "function(value: string): bool",
        func: broker_set_metrics_export_endpoint_name,
    },
    Bif {
        name: "Broker::__set_metrics_export_prefixes",
        signature: "function(filter: vector of string): bool",
        func: broker_set_metrics_export_prefixes,
    },
    Bif { name: "Analyzer::__enable_analyzer", signature: "function(id: Analyzer::Tag): bool", func: analyzer_enable },
    Bif { name: "Analyzer::__disable_analyzer", signature: "function(id: Analyzer::Tag): bool", func: analyzer_disable },
    Bif { name: "Analyzer::__disable_all_analyzers", signature: "function(): any", func: analyzer_disable_all },
    Bif { name: "Analyzer::__register_for_port", signature: "function(id: Analyzer::Tag, p: port): bool", func: analyzer_register_for_port },
    Bif {
        name: "Analyzer::__schedule_analyzer",
        signature: "function(orig: addr, resp: addr, resp_p: port, analyzer: Analyzer::Tag, tout: interval): bool",
        func: analyzer_schedule,
    },
    Bif { name: "Analyzer::__name", signature: "function(atype: AllAnalyzers::Tag): string", func: analyzer_name },
    Bif { name: "Analyzer::__tag", signature: "function(name: string): AllAnalyzers::Tag", func: analyzer_tag },
    Bif { name: "Analyzer::__has_tag", signature: "function(name: string): bool", func: analyzer_has_tag },
    Bif {
        name: "Broker::__set_metrics_export_interval",
        signature: "function(value: interval): bool",
        func: broker_set_metrics_export_interval,
    },
];

/// Registered dispatch entries: (parent, identifier, child) and protocol
/// detection pairs, as the packet manager would hold them.
#[derive(Default)]
pub struct PacketAnalyzers {
    pub dispatch: Vec<(i64, u64, i64)>,
    pub detection: Vec<(i64, i64)>,
}

fn enum_val(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Enum(_, i)) => *i,
        _ => -1,
    }
}

fn register_packet_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    if it.init_done {
        // Analyzer::RegisterProtocol: dispatchers are fixed once zeek_init
        // has run.
        it.flush_stdout();
        it.report(
            "fatal error",
            None,
            "Packet protocols cannot be registered after zeek_init has finished.",
        );
        std::process::exit(1);
    }
    let entry = (
        enum_val(args.first()),
        args.get(1).map_or(0, Value::as_count),
        enum_val(args.get(2)),
    );
    it.ext_mut::<PacketAnalyzers>("packet_analysis")
        .dispatch
        .push(entry);
    Ok(Value::Bool(true))
}

fn try_register_by_name(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    // Names resolve only against built-in packet analyzers, which Zest
    // does not instantiate.
    Ok(Value::Bool(false))
}

fn register_protocol_detection(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let entry = (enum_val(args.first()), enum_val(args.get(1)));
    it.ext_mut::<PacketAnalyzers>("packet_analysis")
        .detection
        .push(entry);
    Ok(Value::Bool(true))
}

/// Which component family an `AllAnalyzers::Tag` value names, by the enum
/// name's module prefix.
fn tag_family(it: &Interp, v: Option<&Value>) -> &'static str {
    let Some(v) = v else { return "" };
    let mut b = Vec::new();
    it.describe_value(v, &mut b, zest_runtime::describe::Style::Raw);
    if b.starts_with(b"PacketAnalyzer::") {
        "packet"
    } else if b.starts_with(b"Files::") {
        "file"
    } else if b.starts_with(b"Analyzer::") {
        "protocol"
    } else {
        ""
    }
}

fn is_packet_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(tag_family(it, args.first()) == "packet"))
}

fn is_protocol_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(tag_family(it, args.first()) == "protocol"))
}

fn is_file_analyzer(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(tag_family(it, args.first()) == "file"))
}

fn broker_set_metrics_export_interval(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let v = args.first().map_or(0.0, Value::as_double);
    crate::broker::metrics::set_interval(it, v);
    Ok(Value::Bool(true))
}

fn event_name(it: &Interp, v: Option<&Value>) -> String {
    let mut b = Vec::new();
    if let Some(v) = v {
        it.describe_value(v, &mut b, zest_runtime::describe::Style::Raw);
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// Analyzer enable state and port registrations (no traffic is analyzed,
/// but scripts read the state back).
#[derive(Default)]
pub struct Analyzers {
    pub disabled: Vec<i64>,
    pub ports: Vec<(i64, u64)>,
}

fn analyzer_enable(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let t = enum_val(args.first());
    it.ext_mut::<Analyzers>("analyzer")
        .disabled
        .retain(|x| *x != t);
    Ok(Value::Bool(true))
}

fn analyzer_disable(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let t = enum_val(args.first());
    let a = it.ext_mut::<Analyzers>("analyzer");
    if !a.disabled.contains(&t) {
        a.disabled.push(t);
    }
    Ok(Value::Bool(true))
}

fn analyzer_disable_all(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let ids: Vec<i64> = match it
        .prog
        .lookup(zest_syntax::Symbol::intern("Analyzer::Tag"))
        .and_then(|g| it.prog.globals[g as usize].ty.clone())
    {
        Some(t) => match &t.kind {
            zest_runtime::types::TypeKind::Enum(e) => {
                e.names.borrow().iter().map(|(_, v)| *v).collect()
            }
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    it.ext_mut::<Analyzers>("analyzer").disabled = ids;
    Ok(Value::Void)
}

fn analyzer_register_for_port(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let t = enum_val(args.first());
    let p = match args.get(1) {
        Some(Value::Port(p)) => p.packed(),
        _ => 0,
    };
    it.ext_mut::<Analyzers>("analyzer").ports.push((t, p));
    Ok(Value::Bool(true))
}

fn analyzer_schedule(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    // Expected connections only matter to traffic; none will arrive.
    Ok(Value::Bool(true))
}

/// The component name of an analyzer tag: the enum name without its module
/// and `ANALYZER_` prefix.
fn analyzer_name(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let full = event_name(it, args.first());
    let base = full.rsplit("::").next().unwrap_or(&full);
    let name = base.strip_prefix("ANALYZER_").unwrap_or(base);
    Ok(Value::str(name.as_bytes()))
}

fn find_tag(it: &Interp, name: &[u8]) -> Option<Value> {
    let name = String::from_utf8_lossy(name).to_uppercase();
    for module in ["Analyzer", "PacketAnalyzer", "Files"] {
        let full = format!("{module}::ANALYZER_{name}");
        if let Some(g) = it.prog.lookup(zest_syntax::Symbol::intern(&full)) {
            let v = it.prog.globals[g as usize].value.clone();
            if !matches!(v, Value::Void) {
                return Some(v);
            }
        }
    }
    None
}

fn analyzer_tag(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = args
        .first()
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    match find_tag(it, &name) {
        Some(v) => Ok(v),
        None => {
            let n = String::from_utf8_lossy(&name).into_owned();
            crate::support::builtin_error(it, site, &format!("unknown analyzer name '{n}'"), None);
            Err(zest_runtime::RtErr)
        }
    }
}

fn analyzer_has_tag(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = args
        .first()
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    Ok(Value::Bool(find_tag(it, &name).is_some()))
}

fn broker_set_metrics_export_topic(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    crate::broker::metrics::set_target(it, args.first());
    Ok(Value::Bool(true))
}

fn broker_set_metrics_import_topics(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    crate::broker::metrics::set_import_topics(it, args.first());
    Ok(Value::Bool(true))
}

fn broker_set_metrics_export_endpoint_name(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    crate::broker::metrics::set_id(it, args.first());
    Ok(Value::Bool(true))
}

fn broker_set_metrics_export_prefixes(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    crate::broker::metrics::set_prefixes(it, args.first());
    Ok(Value::Bool(true))
}
