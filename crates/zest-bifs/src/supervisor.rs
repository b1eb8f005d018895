//! `supervisor.bif`: the Supervisor framework's natives as a process that
//! is neither a supervisor (`zeek -j`) nor a node a supervisor started
//! sees them: the queries answer "no", the control functions report
//! Zeek's `supervisor mode not enabled` error and return its fallback
//! values.

use crate::support::{builtin_error, record};
use crate::Bif;
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Supervisor::__status",
        signature: "function(node: string): Supervisor::Status",
        func: status,
    },
    Bif {
        name: "Supervisor::__create",
        signature: "function(node: Supervisor::NodeConfig): string",
        func: create,
    },
    Bif {
        name: "Supervisor::__destroy",
        signature: "function(node: string): bool",
        func: destroy_or_restart,
    },
    Bif {
        name: "Supervisor::__restart",
        signature: "function(node: string): bool",
        func: destroy_or_restart,
    },
    Bif {
        name: "Supervisor::__init_cluster",
        signature: "function(): bool",
        func: no,
    },
    Bif {
        name: "Supervisor::__is_supervised",
        signature: "function(): bool",
        func: no,
    },
    Bif {
        name: "Supervisor::__node",
        signature: "function(): Supervisor::NodeConfig",
        func: node,
    },
    Bif {
        name: "Supervisor::__is_supervisor",
        signature: "function(): bool",
        func: no,
    },
    Bif {
        name: "Supervisor::__stem_pid",
        signature: "function(): int",
        func: stem_pid,
    },
];

const NOT_ENABLED: &str = "supervisor mode not enabled";

fn no(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(false))
}

fn status(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    builtin_error(it, site, NOT_ENABLED, None);
    Ok(record(it, "Supervisor::__status", Vec::new()))
}

fn create(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    builtin_error(it, site, NOT_ENABLED, None);
    Ok(Value::str(NOT_ENABLED.as_bytes()))
}

fn destroy_or_restart(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    builtin_error(it, site, NOT_ENABLED, None);
    Ok(Value::Bool(false))
}

fn node(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    builtin_error(it, site, "not a supervised process", None);
    Ok(record(
        it,
        "Supervisor::__node",
        vec![("name", Value::str(b"<invalid>"))],
    ))
}

fn stem_pid(it: &mut Interp, _args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    builtin_error(
        it,
        site,
        "supervisor mode not enabled and not a supervised node",
        None,
    );
    Ok(Value::Int(-1))
}
