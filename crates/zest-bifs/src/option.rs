//! `option.bif`: run-time changes of `option` globals with change handlers.

use crate::support::builtin_error;
use crate::Bif;
use zest_runtime::program::GlobalKind;
use zest_runtime::types::{same_type_or_any, Flavor, Tag};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Option::set",
        signature: "function(ID: string, val: any, location: string &default=\"\"): bool",
        func: set,
    },
    Bif {
        name: "Option::set_change_handler",
        signature: "function(ID: string, on_change: any, priority: int &default=0): bool",
        func: set_change_handler,
    },
    Bif {
        name: "Option::any_set_to_any_vec",
        signature: "function(v: any): vector of any",
        func: any_set_to_any_vec,
    },
];

/// The members of a set as a `vector of any`, in the set's order (a
/// member of a set with several index types is a list).
fn any_set_to_any_vec(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ty = zest_runtime::types::Type::new(zest_runtime::types::TypeKind::Vector(
        it.prog.base.any.clone(),
    ));
    let out = Value::new_vector(ty);
    let set = match args.first() {
        Some(Value::Table(t)) if t.borrow().ty.is_set() => t.clone(),
        _ => {
            builtin_error(it, site, "argument is not a set", None);
            return Ok(out);
        }
    };
    if let Value::Vector(v) = &out {
        let keys = set.borrow().keys_vec();
        v.borrow_mut().items.extend(keys.into_iter().map(|mut k| {
            Some(if k.len() == 1 {
                k.swap_remove(0)
            } else {
                Value::List(std::rc::Rc::new(k))
            })
        }));
    }
    Ok(out)
}

/// Change handlers per option global: (priority, handler), kept sorted by
/// descending priority, insertion order within a priority.
#[derive(Default)]
struct Handlers {
    by_global: rustc_hash::FxHashMap<u32, Vec<(i64, Value)>>,
}

const KEY: &str = "option";

fn find_option(it: &mut Interp, site: &CallSite<'_>, id: &[u8]) -> Option<u32> {
    let name = String::from_utf8_lossy(id).into_owned();
    let Some(gid) = it.prog.lookup(Symbol::intern(&name)) else {
        builtin_error(it, site, &format!("Could not find ID named '{name}'"), None);
        return None;
    };
    if it.prog.globals[gid as usize].kind != GlobalKind::Option {
        builtin_error(it, site, &format!("ID '{name}' is not an option"), None);
        return None;
    }
    Some(gid)
}

fn set(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let id = args
        .first()
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let Some(gid) = find_option(it, site, &id) else {
        return Ok(Value::Bool(false));
    };
    let Some(val) = args.get(1).cloned() else {
        return Ok(Value::Bool(false));
    };
    let location = args.get(2).cloned().unwrap_or_else(|| Value::str(b""));
    let gty = it.prog.globals[gid as usize].ty.clone();
    let vty = val.type_of(&it.prog.base);
    if crate::broker::convert::is_data_record_type(&vty) {
        // A value received from a peer: convert the wrapped data to the
        // option's type (`DataVal::castTo`).
        let Some(t) = gty.clone() else {
            return Ok(Value::Bool(false));
        };
        match crate::broker::cast_data(it, &val, &t) {
            Some(v) => return Ok(Value::Bool(set_checked(it, gid, &id, v, location, site))),
            None => {
                let got = crate::broker::convert::record_opaque(&val)
                    .and_then(|o| match crate::broker::convert::native_ref(it, &o) {
                        Some(crate::broker::convert::Native::Data(d)) => Some(d.type_name()),
                        _ => None,
                    })
                    .unwrap_or("none");
                let name = String::from_utf8_lossy(&id).into_owned();
                let msg = format!(
                    "Incompatible type for set of ID '{name}': got broker data '{got}', need '{}'",
                    t.tag().name()
                );
                builtin_error(it, site, &msg, None);
                return Ok(Value::Bool(false));
            }
        }
    }
    let val = match &gty {
        Some(t) if !same_type_or_any(t, &vty) => {
            if t.tag() == Tag::Table
                && vty.tag() == Tag::Table
                && matches!(&val, Value::Table(tv) if tv.borrow().is_empty())
            {
                it.default_value(t)
            } else {
                let name = String::from_utf8_lossy(&id).into_owned();
                let msg = format!(
                    "Incompatible type for set of ID '{name}': got '{}', need '{}'",
                    vty.tag().name(),
                    t.tag().name()
                );
                builtin_error(it, site, &msg, None);
                return Ok(Value::Bool(false));
            }
        }
        _ => val,
    };
    Ok(Value::Bool(set_checked(it, gid, &id, val, location, site)))
}

/// Zeek's `call_option_handlers_and_set_value`: runs the change handlers
/// in order, each seeing its predecessor's result, then assigns the
/// option.
fn set_checked(
    it: &mut Interp,
    gid: u32,
    id: &[u8],
    val: Value,
    location: Value,
    site: &CallSite<'_>,
) -> bool {
    if it.terminating {
        return false;
    }
    let handlers = it
        .ext_mut::<Handlers>(KEY)
        .by_global
        .get(&gid)
        .cloned()
        .unwrap_or_default();
    let mut val = val;
    for (_, h) in handlers {
        let nparams = match &h {
            Value::Func(f) => f.ty.func().map_or(0, |ft| ft.params.len()),
            _ => 0,
        };
        let mut call_args = vec![Value::str(id), val];
        if nparams == 3 {
            call_args.push(location.clone());
        }
        match it.call_value(&h, &mut call_args, site.loc) {
            Ok(Value::Void) | Err(_) => return false,
            Ok(v) => val = v,
        }
    }
    it.prog.globals[gid as usize].value = zest_runtime::interp::ops_deep_copy(&val);
    true
}

fn set_change_handler(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let id = args
        .first()
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let Some(gid) = find_option(it, site, &id) else {
        return Ok(Value::Bool(false));
    };
    let name = String::from_utf8_lossy(&id).into_owned();
    let f = args.get(1).cloned().unwrap_or(Value::Void);
    if let Some(msg) = change_handler_error(it, gid, &name, &f) {
        builtin_error(it, site, &msg, None);
        return Ok(Value::Bool(false));
    }
    let prio = args.get(2).map_or(0, Value::as_int);
    let list = it
        .ext_mut::<Handlers>(KEY)
        .by_global
        .entry(gid)
        .or_default();
    let pos = list
        .iter()
        .position(|(p, _)| *p < prio)
        .unwrap_or(list.len());
    list.insert(pos, (prio, f));
    Ok(Value::Bool(true))
}

/// Zeek's checks of a change handler's signature against the option's type.
fn change_handler_error(it: &Interp, gid: u32, name: &str, f: &Value) -> Option<String> {
    let fty = f.type_of(&it.prog.base);
    let Some(ft) = fty.func() else {
        return Some(format!(
            "Option::on_change needs function argument; got '{}' for ID '{name}'",
            fty.tag().name()
        ));
    };
    if ft.flavor != Flavor::Function {
        return Some("Option::on_change needs function argument; not hook or event".to_owned());
    }
    let params = &ft.params;
    if params.len() < 2 || params.len() > 3 {
        return Some(format!(
            "Wrong number of arguments for passed function in Option::on_change for ID '{name}'; expected 2 or 3, got {}",
            params.len()
        ));
    }
    if params[0].ty.tag() != Tag::String {
        return Some(format!(
            "First argument of passed function has to be string in Option::on_change for ID '{name}'; got '{}'",
            params[0].ty.tag().name()
        ));
    }
    let gty = it.prog.globals[gid as usize].ty.clone()?;
    if !same_type_or_any(&params[1].ty, &gty) {
        return Some(format!(
            "Second argument of passed function has to be {} in Option::on_change for ID '{name}'; got '{}'",
            gty.tag().name(),
            params[1].ty.tag().name()
        ));
    }
    if params.len() == 3 && params[2].ty.tag() != Tag::String {
        return Some(format!(
            "Third argument of passed function has to be string in Option::on_change for ID '{name}'; got '{}'",
            params[2].ty.tag().name()
        ));
    }
    let ret_ok = ft.ret.as_ref().is_some_and(|r| same_type_or_any(r, &gty));
    if !ret_ok {
        let got = ft.ret.as_ref().map_or("void", |r| r.tag().name());
        return Some(format!(
            "Passed function needs to return type '{}' for ID '{name}'; got '{got}'",
            gty.tag().name()
        ));
    }
    None
}
