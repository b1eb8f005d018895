//! `iosource/pcap/pcap.bif`: BPF filters of the packet source, as Zeek
//! answers them when no packet source is open (Zest reads no packets):
//! precompiling and installing succeed without doing anything, there is no
//! error, and no filter has a state. Also the X.509 certificate cache
//! setters of `file_analysis/analyzer/x509/functions.bif`, which only keep
//! the table and the hook (no certificate ever arrives here).
//!
//! Not here: `Pcap::findalldevs`, which lists the host's interfaces
//! through libpcap (not available to Zest).

use crate::support::builtin_error;
use crate::Bif;
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Pcap::precompile_pcap_filter",
        signature: "function(id: PcapFilterID, s: string): bool",
        func: precompile_pcap_filter,
    },
    Bif {
        name: "Pcap::install_pcap_filter",
        signature: "function(id: PcapFilterID): bool",
        func: install_pcap_filter,
    },
    Bif {
        name: "Pcap::error",
        signature: "function(): string",
        func: error,
    },
    Bif {
        name: "Pcap::get_filter_state",
        signature: "function(id: PcapFilterID): filter_state",
        func: get_filter_state,
    },
    Bif {
        name: "Pcap::get_filter_state_string",
        signature: "function(id: PcapFilterID): string",
        func: get_filter_state_string,
    },
    Bif {
        name: "x509_set_certificate_cache",
        signature: "function(tbl: table[string] of any): bool",
        func: x509_set_certificate_cache,
    },
    Bif {
        name: "x509_set_certificate_cache_hit_callback",
        signature: "function(f: hook(f: fa_file, e: any, str: string)): bool",
        func: x509_set_certificate_cache_hit_callback,
    },
];

/// The ids `precompile_pcap_filter` accepts are below this.
const MAX_FILTER_ID: i64 = 100;

fn enum_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Enum(_, v)) => *v,
        Some(v) => v.as_int(),
        None => 0,
    }
}

/// `Pcap::precompile_pcap_filter`: ids must stay below 100; without a
/// packet source there is nothing to compile the filter for, which counts
/// as success.
fn precompile_pcap_filter(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let id = enum_arg(args, 0);
    if id >= MAX_FILTER_ID {
        let msg = format!("PCAP filter ids must remain below 100 (is {id})");
        builtin_error(it, site, &msg, None);
        return Ok(Value::Bool(false));
    }
    Ok(Value::Bool(true))
}

/// `Pcap::install_pcap_filter`: only a packet source can fail to install.
fn install_pcap_filter(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(true))
}

/// `Pcap::error`: the packet source's last error, or "no error".
fn error(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::str(b"no error"))
}

/// `Pcap::get_filter_state`: `Pcap::ok` when there is no packet source.
fn get_filter_state(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let ty = it
        .prog
        .lookup(Symbol::intern("Pcap::get_filter_state"))
        .and_then(|gid| it.prog.globals[gid as usize].ty.clone())
        .and_then(|t| t.func().and_then(|f| f.ret.clone()));
    match ty {
        // `FilterState::OK`, the first value of `Pcap::filter_state`.
        Some(t) => Ok(Value::Enum(t, 0)),
        None => Err(it.no_value()),
    }
}

/// `Pcap::get_filter_state_string`: "<unknown>" when there is no packet
/// source.
fn get_filter_state_string(
    _it: &mut Interp,
    _args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    Ok(Value::str(b"<unknown>"))
}

/// The certificate cache and its hit callback, as the X.509 analyzer
/// would consult them.
#[derive(Default)]
struct X509Cache {
    table: Option<Value>,
    callback: Option<Value>,
}

const X509_KEY: &str = "x509-certificate-cache";

fn x509_set_certificate_cache(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    it.ext_mut::<X509Cache>(X509_KEY).table = args.first().cloned();
    Ok(Value::Bool(true))
}

fn x509_set_certificate_cache_hit_callback(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    it.ext_mut::<X509Cache>(X509_KEY).callback = args.first().cloned();
    Ok(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pcap.bif: the answers without a packet source ("no error",
    /// "<unknown>", and the id limit of 100 in the error message).
    #[test]
    fn no_packet_source_answers() {
        let mut it = Interp::new(zest_runtime::Program::new());
        let site = CallSite {
            loc: Default::default(),
            expr: None,
        };
        let s = |v: RtResult| v.ok().map(|v| v.as_bytes().to_vec());
        assert_eq!(
            s(error(&mut it, &mut [], &site)),
            Some(b"no error".to_vec())
        );
        assert_eq!(
            s(get_filter_state_string(
                &mut it,
                &mut [Value::Int(1)],
                &site
            )),
            Some(b"<unknown>".to_vec())
        );
        let ok = |v: RtResult| v.ok().map(|v| v.as_bool());
        assert_eq!(
            ok(precompile_pcap_filter(
                &mut it,
                &mut [Value::Int(1), Value::str(b"tcp")],
                &site
            )),
            Some(true)
        );
        assert_eq!(
            ok(install_pcap_filter(&mut it, &mut [Value::Int(1)], &site)),
            Some(true)
        );
        assert_eq!(
            ok(precompile_pcap_filter(
                &mut it,
                &mut [Value::Int(100), Value::str(b"")],
                &site
            )),
            Some(false)
        );
    }
}
