//! `zeek.bif`: the general-purpose built-ins (`fmt`, `cat`, `type_name`,
//! time, process control, …).

use crate::support::builtin_error;
use crate::Bif;
use std::io::Write;
use zest_runtime::describe::Style;
use zest_runtime::render::{self, FmtArg};
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "__init_primary_bifs",
        signature: "function(): bool",
        func: true_bif,
    },
    Bif {
        name: "have_spicy_analyzers",
        signature: "function(): bool",
        func: false_bif,
    },
    Bif {
        name: "__init_secondary_bifs",
        signature: "function(): bool",
        func: true_bif,
    },
    Bif {
        name: "fmt",
        signature: "function(va_args: any): string",
        func: fmt,
    },
    Bif {
        name: "cat",
        signature: "function(va_args: any): string",
        func: cat,
    },
    Bif {
        name: "cat_sep",
        signature: "function(va_args: any): string",
        func: cat_sep,
    },
    Bif {
        name: "print_raw",
        signature: "function(va_args: any): bool",
        func: print_raw,
    },
    Bif {
        name: "type_name",
        signature: "function(t: any): string",
        func: type_name,
    },
    Bif {
        name: "lookup_addr",
        signature: "function(host: addr): string",
        func: lookup_addr,
    },
    Bif {
        name: "network_time",
        signature: "function(): time",
        func: network_time,
    },
    Bif {
        name: "current_time",
        signature: "function(): time",
        func: current_time,
    },
    Bif {
        name: "terminate",
        signature: "function(): bool",
        func: terminate,
    },
    Bif {
        name: "exit",
        signature: "function(code: int): any",
        func: exit,
    },
    Bif {
        name: "getenv",
        signature: "function(var: string): string",
        func: getenv,
    },
    Bif {
        name: "setenv",
        signature: "function(var: string, val: string): bool",
        func: setenv,
    },
    Bif {
        name: "is_remote_event",
        signature: "function(): bool",
        func: is_remote_event,
    },
    Bif {
        name: "getpid",
        signature: "function(): count",
        func: getpid,
    },
    Bif {
        name: "reading_live_traffic",
        signature: "function(): bool",
        func: false_bif,
    },
    Bif {
        name: "reading_traces",
        signature: "function(): bool",
        func: false_bif,
    },
    Bif {
        name: "lookup_hostname",
        signature: "function(host: string): set[addr]",
        func: lookup_hostname,
    },
    Bif {
        name: "lookup_hostname_txt",
        signature: "function(host: string): string",
        func: lookup_hostname_txt,
    },
    Bif {
        name: "lookup_addr",
        signature: "function(host: addr): string",
        func: lookup_addr,
    },
];

fn render_raw(it: &Interp, v: &Value, out: &mut Vec<u8>) {
    it.describe_value(v, out, Style::Raw);
}

/// `fmt(format, args…)`.
fn fmt(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    // `fmt()` is the empty string (a blank line for `print`).
    let Some((first, rest)) = args.split_first() else {
        return Ok(Value::str(b""));
    };
    let format = first.as_bytes().to_vec();
    let mut rendered: Vec<Vec<u8>> = Vec::with_capacity(rest.len());
    for v in rest {
        let mut b = Vec::new();
        render_raw(it, v, &mut b);
        rendered.push(b);
    }
    let mut names: Vec<Option<Vec<u8>>> = Vec::with_capacity(rest.len());
    for v in rest {
        names.push(match v {
            Value::Enum(..) => {
                let mut b = Vec::new();
                render_raw(it, v, &mut b);
                Some(b)
            }
            _ => None,
        });
    }
    let fargs: Vec<FmtArg<'_>> = rest
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Bool(b) => FmtArg::Bool(*b),
            Value::Int(x) => FmtArg::Int(*x),
            Value::Count(x) => FmtArg::Count(*x),
            Value::Double(x) => FmtArg::Double(*x),
            Value::Time(x) => FmtArg::Time(*x),
            Value::Interval(x) => FmtArg::Interval(*x),
            Value::String(s) => FmtArg::Str(s),
            Value::Addr(a) => FmtArg::Addr(a.to_ip()),
            Value::Subnet(s) => FmtArg::Subnet(s.prefix.to_ip(), s.len),
            Value::Port(p) => FmtArg::Port {
                number: p.num,
                proto: match p.proto {
                    zest_runtime::value::Proto::Tcp => render::Proto::Tcp,
                    zest_runtime::value::Proto::Udp => render::Proto::Udp,
                    zest_runtime::value::Proto::Icmp => render::Proto::Icmp,
                    zest_runtime::value::Proto::Unknown => render::Proto::Unknown,
                },
            },
            Value::Enum(_, x) => FmtArg::Enum {
                value: *x,
                name: names[i].as_deref(),
            },
            _ => FmtArg::Other(&rendered[i]),
        })
        .collect();
    let mut out = Vec::new();
    let errs = render::fmt(&mut out, &format, &fargs);
    for e in errs {
        let culprit = match e.culprit {
            render::FmtCulprit::Arg(i) => rest.get(i).cloned(),
            render::FmtCulprit::Format => Some(first.clone()),
            render::FmtCulprit::None => None,
        };
        builtin_error(it, site, e.kind.message(), culprit.as_ref());
    }
    Ok(Value::String(out.into()))
}

fn cat(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut out = Vec::new();
    for v in args.iter() {
        render_raw(it, v, &mut out);
    }
    Ok(Value::String(out.into()))
}

fn cat_sep(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if args.len() < 2 {
        let msg = format!("cat_sep() takes at least 2 arguments, got {}", args.len());
        builtin_error(it, site, &msg, None);
        return Err(it.no_value());
    }
    for (i, what) in [(0, "separator"), (1, "default")] {
        if !matches!(args[i], Value::String(_)) {
            let t = args[i].type_of(&it.prog.base).tag().name();
            builtin_error(
                it,
                site,
                &format!("expected type string for {what}, got {t}"),
                None,
            );
            return Err(it.no_value());
        }
    }
    let sep = args[0].as_bytes().to_vec();
    let def = args[1].as_bytes().to_vec();
    let mut out = Vec::new();
    for (i, v) in args[2..].iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        // Only an empty string is replaced by the default.
        match v {
            Value::String(s) if s.is_empty() => out.extend_from_slice(&def),
            _ => render_raw(it, v, &mut out),
        }
    }
    Ok(Value::String(out.into()))
}

fn print_raw(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut out = Vec::new();
    for v in args.iter() {
        render_raw(it, v, &mut out);
    }
    // Written with printf("%.*s"): stops at the first NUL.
    let end = out.iter().position(|&b| b == 0).unwrap_or(out.len());
    let _ = it.out.write_all(&out[..end]);
    Ok(Value::Bool(true))
}

fn type_name(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let t = match args.first() {
        Some(Value::Type(_)) => return Ok(Value::str(b"type")),
        Some(v) => v.type_of(&it.prog.base),
        None => it.prog.base.void.clone(),
    };
    Ok(Value::str(t.describe().as_bytes()))
}

fn network_time(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Time(it.network_time))
}

fn current_time(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    Ok(Value::Time(now))
}

fn terminate(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    it.terminate_requested = true;
    Ok(Value::Bool(true))
}

fn exit(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let code = args.first().map_or(0, Value::as_int) as i32;
    crate::logging::sync_writers(it);
    it.flush_stdout();
    std::process::exit(code);
}

fn getenv(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = String::from_utf8_lossy(args.first().map_or(b"", Value::as_bytes)).into_owned();
    let v = std::env::var_os(&name)
        .map(|v| v.into_encoded_bytes())
        .unwrap_or_default();
    Ok(Value::String(v.into()))
}

fn setenv(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = String::from_utf8_lossy(args.first().map_or(b"", Value::as_bytes)).into_owned();
    let val = String::from_utf8_lossy(args.get(1).map_or(b"", Value::as_bytes)).into_owned();
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Ok(Value::Bool(false));
    }
    // Single-threaded interpreter: no other thread reads the environment.
    std::env::set_var(name, val);
    Ok(Value::Bool(true))
}

fn is_remote_event(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(it.remote_event))
}

fn getpid(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(u64::from(std::process::id())))
}

/// The bif compiler's start-up hooks: Zest's natives need no set-up.
fn true_bif(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(true))
}

fn false_bif(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(false))
}

/// The key of Zeek's `KeyedHash::StaticHash128` once scripts are loaded
/// (fake DNS answers, file ids): the SHA-256 of `digest_salt`
/// (`KeyedHash::InitOptions`).
pub(crate) fn digest_salt_key(it: &Interp) -> [u64; 4] {
    use sha2::Digest;
    let salt = it
        .prog
        .lookup(zest_syntax::Symbol::intern("digest_salt"))
        .map(|g| it.prog.globals[g as usize].value.as_bytes().to_vec())
        .unwrap_or_default();
    let d = sha2::Sha256::digest(&salt);
    let mut key = [0u64; 4];
    for (i, k) in key.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&d[i * 8..i * 8 + 8]);
        *k = u64::from_le_bytes(w);
    }
    key
}

/// `lookup_hostname`: the addresses of a name, inside a `when` condition
/// only. Zest answers with Zeek's fake DNS (`ZEEK_DNS_FAKE`) or, without
/// it, with no address (a lookup that failed).
fn lookup_hostname(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ty = zest_runtime::types::Type::new(zest_runtime::types::TypeKind::Table {
        index: vec![it.prog.base.addr.clone()],
        yield_: None,
    });
    let mut out = zest_runtime::table::TableVal::new(ty);
    if it.cur_trigger.is_none() {
        builtin_error(
            it,
            site,
            "lookup_hostname() can only be called inside a when-condition",
            None,
        );
    } else if std::env::var_os("ZEEK_DNS_FAKE").is_some() {
        let name = args
            .first()
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        let key = digest_salt_key(it);
        out.insert(
            vec![Value::Addr(zest_runtime::value::Addr::fake_dns(
                &key, &name,
            ))],
            None,
        );
    }
    Ok(Value::Table(std::rc::Rc::new(std::cell::RefCell::new(out))))
}

/// `lookup_hostname_txt`: the TXT record of a name, inside a `when`
/// condition only; Zeek's fake DNS answer with `ZEEK_DNS_FAKE`, else
/// nothing.
fn lookup_hostname_txt(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if it.cur_trigger.is_none() {
        builtin_error(
            it,
            site,
            "lookup_hostname_txt() can only be called inside a when-condition",
            None,
        );
        return Ok(Value::String(b"<error>".as_slice().into()));
    }
    if std::env::var_os("ZEEK_DNS_FAKE").is_some() {
        let mut r = b"fake_lookup_result_T_TXT_".to_vec();
        r.extend_from_slice(args.first().map_or(&b""[..], Value::as_bytes));
        return Ok(Value::String(r.into()));
    }
    Ok(Value::String(b"".as_slice().into()))
}

/// `lookup_addr`: the name of an address, delivered to the calling `when`
/// condition later, as Zeek's asynchronous DNS lookups are. The answer
/// comes from the hosts file (no network queries); `<???>` when unknown.
fn lookup_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let v = match args.first() {
        // Zeek's fake DNS answer (`ZEEK_DNS_FAKE`).
        Some(Value::Addr(a)) if std::env::var_os("ZEEK_DNS_FAKE").is_some() => {
            let mut b = b"fake_addr_lookup_result_".to_vec();
            it.describe_value(&Value::Addr(*a), &mut b, zest_runtime::describe::Style::Raw);
            Value::String(b.into())
        }
        Some(Value::Addr(a)) => {
            let name = hosts_name(a.to_ip());
            Value::str(name.as_deref().unwrap_or("<???>").as_bytes())
        }
        _ => Value::str(b"<???>"),
    };
    if !it.delay_call_result(v) {
        builtin_error(
            it,
            site,
            "lookup_addr() can only be called inside a when-condition",
            None,
        );
        return Ok(Value::str(b"<error>"));
    }
    Ok(Value::Void)
}

/// The first name the hosts file gives `ip`.
fn hosts_name(ip: std::net::IpAddr) -> Option<String> {
    let text = std::fs::read_to_string("/etc/hosts").ok()?;
    text.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let addr: std::net::IpAddr = fields.next()?.parse().ok()?;
        (addr == ip)
            .then(|| fields.next().map(str::to_owned))
            .flatten()
    })
}
