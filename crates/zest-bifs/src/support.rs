//! Helpers shared by the BiF modules: argument access and Zeek's
//! built-in-function error reporting.

use zest_runtime::describe::Style;
use zest_runtime::types::{Tag, TypeRef};
use zest_runtime::{CallSite, Interp, Value};
use zest_syntax::Symbol;

/// Reports a built-in function error as Zeek's `emit_builtin_error` does:
/// `error in LOC: MSG (CALL)` or `(CALL and ARG)`.
pub fn builtin_error(it: &mut Interp, site: &CallSite<'_>, msg: &str, arg: Option<&Value>) {
    let (loc, call) = match wrapper_call(it) {
        Some(w) => w,
        None => (
            site.loc,
            site.expr.map(|e| it.describe_expr(e)).unwrap_or_default(),
        ),
    };
    let site = &CallSite { loc, expr: None };
    let full = match arg {
        Some(v) => {
            let mut b = Vec::new();
            it.describe_value(v, &mut b, Style::Short);
            format!("{msg} ({call} and {})", String::from_utf8_lossy(&b))
        }
        None if !call.is_empty() => format!("{msg} ({call})"),
        None => msg.to_owned(),
    };
    // A constant argument has the location where it was written: Zeek's
    // `Obj::Error` names both.
    if let Some(aloc) = arg.and_then(|v| it.prog.const_loc(v)) {
        let (mut l1, mut l2) = (String::new(), String::new());
        it.describe_loc(site.loc, &mut l1);
        it.describe_loc(aloc, &mut l2);
        if l1 != l2 {
            it.error_count += 1;
            let line = format!("error in {l1} and {l2}: {full}\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            return;
        }
    }
    it.error(Some(site.loc), &full);
}

/// Zeek's rule for a built-in `M::__f` called by its script wrapper
/// `M::f`: the error names the wrapper's call, where it was written.
fn wrapper_call(it: &Interp) -> Option<(zest_runtime::ir::Loc, String)> {
    use zest_runtime::interp::CallFunc;
    let n = it.call_stack.len();
    if n < 2 {
        return None;
    }
    let CallFunc::Builtin(b) = it.call_stack[n - 1].func else {
        return None;
    };
    let parent = &it.call_stack[n - 2];
    let CallFunc::Global(gid) = parent.func else {
        return None;
    };
    let loc = parent.call?;
    let name = it.prog.builtins[b as usize].name;
    let wrapper = it.prog.globals[gid as usize].name;
    let expected = match name.as_str().split_once("::") {
        Some((m, f)) => format!("{m}::{}", f.strip_prefix("__")?),
        None => name.as_str().strip_prefix("__")?.to_owned(),
    };
    if wrapper.as_str() != expected {
        return None;
    }
    let d = it.prog.wrapper_calls.get(&(loc, gid))?.clone();
    Some((loc, d))
}

pub fn str_arg(args: &[Value], i: usize) -> &[u8] {
    args.get(i).map_or(b"", Value::as_bytes)
}

/// The record type a function is declared to return.
pub fn declared_record(it: &Interp, bif: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(bif))?;
    let ty = it.prog.globals[gid as usize].ty.as_ref()?;
    ty.func()?.ret.clone().filter(|t| t.tag() == Tag::Record)
}

/// A new record of `bif`'s return type with the named fields set; a
/// field the type lacks is skipped.
pub fn record(it: &Interp, bif: &str, fields: Vec<(&str, Value)>) -> Value {
    let Some(ty) = declared_record(it, bif) else {
        return Value::Void;
    };
    let rec = Value::new_record(ty.clone());
    if let (Value::Record(r), Some(rt)) = (&rec, ty.record()) {
        let mut rb = r.borrow_mut();
        for (name, v) in fields {
            if let Some(i) = rt.field_index(Symbol::intern(name)) {
                rb.fields[i] = Some(v);
            }
        }
    }
    rec
}
