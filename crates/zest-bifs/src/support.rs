//! Helpers shared by the BiF modules: argument access and Zeek's
//! built-in-function error reporting.

use zest_runtime::describe::Style;
use zest_runtime::{CallSite, Interp, Value};

/// Reports a built-in function error as Zeek's `emit_builtin_error` does:
/// `error in LOC: MSG (CALL)` or `(CALL and ARG)`.
pub fn builtin_error(it: &mut Interp, site: &CallSite<'_>, msg: &str, arg: Option<&Value>) {
    let call = site.expr.map(|e| it.describe_expr(e)).unwrap_or_default();
    let full = match arg {
        Some(v) => {
            let mut b = Vec::new();
            it.describe_value(v, &mut b, Style::Short);
            format!("{msg} ({call} and {})", String::from_utf8_lossy(&b))
        }
        None if !call.is_empty() => format!("{msg} ({call})"),
        None => msg.to_owned(),
    };
    it.error(Some(site.loc), &full);
}

pub fn str_arg(args: &[Value], i: usize) -> &[u8] {
    args.get(i).map_or(b"", Value::as_bytes)
}
