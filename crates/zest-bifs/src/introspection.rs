//! Built-in functions of group `introspection` (see lib.rs for the
//! grouping): queries about types, identifiers and the process, from
//! `zeek.bif` (`record_type_to_vector`, `enum_names`, `global_ids`,
//! `global_options`, `lookup_ID`, `record_fields`, `zeek_version`,
//! `bare_mode`, `zeek_args`, `val_footprint`,
//! `global_container_footprints`).

use crate::Bif;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::rc::Rc;
use zest_runtime::program::{Global, GlobalKind};
use zest_runtime::table::TableVal;
use zest_runtime::types::{Attrs, Field, RecordType, Tag, Type, TypeKind, TypeRef};
use zest_runtime::value::VectorVal;
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::ast::AttrKind;
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "zeek_version",
        signature: "function(): string",
        func: zeek_version,
    },
    Bif {
        name: "bare_mode",
        signature: "function(): bool",
        func: bare_mode,
    },
    Bif {
        name: "record_type_to_vector",
        signature: "function(rt: string): vector of string",
        func: record_type_to_vector,
    },
    Bif {
        name: "enum_names",
        signature: "function(et: any): set[string]",
        func: enum_names,
    },
    Bif {
        name: "backtrace",
        signature: "function(): Backtrace",
        func: backtrace,
    },
    Bif {
        name: "type_aliases",
        signature: "function(x: any): set[string]",
        func: type_aliases,
    },
    Bif {
        name: "zeek_args",
        signature: "function(): vector of string",
        func: zeek_args,
    },
    Bif {
        name: "global_container_footprints",
        signature: "function(): table[string] of count",
        func: global_container_footprints,
    },
    Bif {
        name: "val_footprint",
        signature: "function(v: any): count",
        func: val_footprint,
    },
    Bif {
        name: "global_ids",
        signature: "function(): table[string] of record { type_name: string; \
                    exported: bool; constant: bool; enum_constant: bool; option_value: bool; \
                    redefinable: bool; broker_backend: bool; value: any &optional; }",
        func: global_ids,
    },
    Bif {
        name: "global_options",
        signature: "function(): set[string]",
        func: global_options,
    },
    Bif {
        name: "lookup_ID",
        signature: "function(id: string): any",
        func: lookup_id,
    },
    Bif {
        name: "record_fields",
        signature: "function(rec: any): table[string] of record { type_name: string; \
                    log: bool; value: any &optional; default_val: any &optional; }",
        func: record_fields,
    },
];

// ------------------------------------------------------------ helpers

/// The return type a function is declared with (the named type of the
/// `.bif.zeek` declaration, e.g. `string_set`, once that is loaded).
fn declared_ret(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    let ty = it.prog.globals[gid as usize].ty.as_ref()?;
    ty.func()?.ret.clone()
}

fn string_set_type(it: &Interp, bif: &str) -> TypeRef {
    declared_ret(it, bif)
        .filter(|t| t.is_set())
        .unwrap_or_else(|| {
            Type::new(TypeKind::Table {
                index: vec![it.prog.base.string.clone()],
                yield_: None,
            })
        })
}

fn string_vec_type(it: &Interp, bif: &str) -> TypeRef {
    declared_ret(it, bif)
        .filter(|t| t.tag() == Tag::Vector)
        .unwrap_or_else(|| Type::new(TypeKind::Vector(it.prog.base.string.clone())))
}

/// `table[string] of record {…}` as the function declares it, or the same
/// structure built from `fields` (name, type, `&optional`).
fn record_table_type(it: &Interp, bif: &str, fields: &[(&str, TypeRef, bool)]) -> TypeRef {
    if let Some(t) = declared_ret(it, bif) {
        if t.yield_type().is_some_and(|y| y.tag() == Tag::Record) {
            return t;
        }
    }
    let fields = fields
        .iter()
        .map(|(name, ty, optional)| Field {
            name: Symbol::intern(name),
            ty: ty.clone(),
            attrs: Attrs {
                list: if *optional {
                    vec![(AttrKind::Optional, None)]
                } else {
                    Vec::new()
                },
            },
            default: None,
        })
        .collect();
    let rec = Type::new(TypeKind::Record(RecordType {
        fields: RefCell::new(fields),
    }));
    Type::new(TypeKind::Table {
        index: vec![it.prog.base.string.clone()],
        yield_: Some(rec),
    })
}

fn new_table(ty: TypeRef) -> TableVal {
    TableVal::new(ty)
}

fn wrap_table(t: TableVal) -> Value {
    Value::Table(Rc::new(RefCell::new(t)))
}

/// A record of type `ty` with the given slots set.
fn record_with(ty: &TypeRef, slots: Vec<Option<Value>>) -> Value {
    let v = Value::new_record(ty.clone());
    if let Value::Record(r) = &v {
        let mut rb = r.borrow_mut();
        for (i, s) in slots.into_iter().enumerate() {
            if let Some(slot) = rb.fields.get_mut(i) {
                *slot = s;
            }
        }
    }
    v
}

/// The global scope as Zeek iterates it: a `std::map` ordered by name.
fn globals_by_name(it: &Interp) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..it.prog.globals.len()).collect();
    ids.sort_by(|&a, &b| {
        let na = it.prog.globals[a].name.as_str().as_bytes();
        let nb = it.prog.globals[b].name.as_str().as_bytes();
        na.cmp(nb)
    });
    ids
}

fn type_name_str(t: &TypeRef) -> String {
    t.type_name()
        .map_or_else(String::new, |n| n.as_str().to_owned())
}

/// `container_type_name` of `Type.cc` (the `type_name` of `record_fields`).
fn container_type_name(t: &TypeRef, s: &mut String) {
    match &t.kind {
        TypeKind::Record(_) => {
            s.push_str("record ");
            s.push_str(&type_name_str(t));
        }
        TypeKind::Vector(y) => {
            s.push_str("vector of ");
            container_type_name(y, s);
        }
        TypeKind::Table { index, yield_ } => {
            s.push_str(if yield_.is_some() { "table[" } else { "set[" });
            for (i, ix) in index.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                container_type_name(ix, s);
            }
            s.push(']');
            if let Some(y) = yield_ {
                s.push_str(" of ");
                container_type_name(y, s);
            }
        }
        TypeKind::Enum(_) => {
            let _ = write!(s, "enum {}", type_name_str(t));
        }
        _ => s.push_str(t.tag().name()),
    }
}

/// A global that names a type, looked up as `global_scope()->Find` does.
fn find_type_id(it: &Interp, name: &[u8]) -> Option<TypeRef> {
    let name = std::str::from_utf8(name).ok()?;
    let gid = it.prog.lookup(Symbol::intern(name))?;
    let g = &it.prog.globals[gid as usize];
    if g.kind == GlobalKind::Type {
        g.ty.clone()
    } else {
        None
    }
}

// ------------------------------------------------------------ process

fn zeek_version(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::str(b"5.2.2"))
}

/// Options of the `zeek` command line that take a value (the next word).
const OPTS_WITH_VALUE: &[&str] = &[
    "-e",
    "--exec",
    "-B",
    "--debug",
    "-G",
    "--load-seeds",
    "-H",
    "--save-seeds",
    "-U",
    "--status-file",
    "-p",
    "--prefix",
    "-r",
    "--readfile",
    "-i",
    "--iface",
];

/// Whether the command line asks for bare mode (`-b`, `--bare-mode`).
fn bare_mode_in(args: &[String]) -> bool {
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            break;
        }
        if a == "-b" || a == "--bare-mode" {
            return true;
        }
        if OPTS_WITH_VALUE.contains(&a) {
            i += 1;
        }
        i += 1;
    }
    false
}

fn bare_mode(_it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Ok(Value::Bool(bare_mode_in(&args)))
}

fn zeek_args(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let items = std::env::args_os()
        .map(|a| Some(Value::String(a.into_encoded_bytes().into())))
        .collect();
    Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: string_vec_type(it, "zeek_args"),
        items,
    }))))
}

// ------------------------------------------------------------ types

/// Zeek ends the process when a type it looks up is missing
/// (`Reporter::InternalError`, then `abort()`, which leaves buffered
/// output unwritten).
fn internal_error(msg: &str) -> ! {
    let _ = writeln!(std::io::stderr(), "internal error: {msg}");
    std::process::abort();
}

fn record_type_to_vector(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = args.first().map_or(&b""[..], Value::as_bytes).to_vec();
    let ty = {
        let g = std::str::from_utf8(&name)
            .ok()
            .and_then(|n| it.prog.lookup(Symbol::intern(n)));
        match g {
            Some(gid) => it.prog.globals[gid as usize].ty.clone(),
            None => internal_error(&format!(
                "Failed to find type named: {}",
                String::from_utf8_lossy(&name)
            )),
        }
    };
    let Some(rt) = ty
        .as_ref()
        .and_then(|t| t.record().map(|r| r.fields.borrow().clone()))
    else {
        // `Type::AsRecordType` on another type: `Obj::BadTag`, a fatal
        // error located at the type (a base type's location is its name).
        let (tag, desc, loc) = match &ty {
            Some(t) => {
                let base = &it.prog.base;
                let is_base = [
                    &base.void,
                    &base.bool_,
                    &base.int,
                    &base.count,
                    &base.double,
                    &base.time,
                    &base.interval,
                    &base.string,
                    &base.pattern,
                    &base.port,
                    &base.addr,
                    &base.subnet,
                    &base.any,
                ]
                .iter()
                .any(|b| Rc::ptr_eq(b, t));
                let desc = t.describe();
                let loc = if is_base {
                    desc.clone()
                } else {
                    "<no location>".to_owned()
                };
                (t.tag().name(), desc, loc)
            }
            None => ("void", "void".to_owned(), "<no location>".to_owned()),
        };
        // `abort()` leaves buffered output unwritten, as in Zeek.
        let _ = writeln!(
            std::io::stderr(),
            "fatal error in {loc}: bad tag in Type::AsRecordType ({tag}/record) ({desc})"
        );
        std::process::abort();
    };
    // Zeek assigns field i at index i + 1: slot 0 stays a hole.
    let mut items = vec![None];
    items.extend(
        rt.iter()
            .map(|f| Some(Value::str(f.name.as_str().as_bytes()))),
    );
    Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: string_vec_type(it, "record_type_to_vector"),
        items,
    }))))
}

/// The call stack, innermost call first: each call's function, its
/// parameters with their values, and where it was called (zeek.bif's
/// `backtrace`, `MakeCallArgumentVector`).
fn backtrace(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(bt_ty) = declared_ret(it, "backtrace").filter(|t| t.tag() == Tag::Vector) else {
        return Ok(Value::Void);
    };
    let Some(elem_ty) = bt_ty
        .yield_type()
        .cloned()
        .filter(|t| t.tag() == Tag::Record)
    else {
        return Ok(Value::Void);
    };
    let field_ty = |t: &TypeRef, name: &str| -> Option<TypeRef> {
        let rt = t.record()?;
        let i = rt.field_index(Symbol::intern(name))?;
        let ft = rt.fields.borrow()[i].ty.clone();
        Some(ft)
    };
    let Some(args_vec_ty) = field_ty(&elem_ty, "function_args") else {
        return Ok(Value::Void);
    };
    let Some(arg_ty) = args_vec_ty.yield_type().cloned() else {
        return Ok(Value::Void);
    };
    let frames = it.call_stack.clone();
    let mut items = Vec::with_capacity(frames.len());
    for ci in frames.iter().rev() {
        let (name, fty) = match &ci.func {
            zest_runtime::interp::CallFunc::Global(g) => {
                let g = &it.prog.globals[*g as usize];
                (g.name, g.ty.clone())
            }
            zest_runtime::interp::CallFunc::Builtin(b) => {
                let name = it.prog.builtins[*b as usize].name;
                let ty = it
                    .prog
                    .lookup(name)
                    .and_then(|g| it.prog.globals[g as usize].ty.clone());
                (name, ty)
            }
            zest_runtime::interp::CallFunc::Lambda(def) => (def.name, Some(def.ty.clone())),
        };
        let params = fty
            .as_ref()
            .and_then(|t| t.func())
            .map(|f| f.params.clone())
            .unwrap_or_default();
        let mut args = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            let default = match &p.default {
                Some(d) => it.eval(d).ok(),
                None => None,
            };
            let value = if ci.args_base != usize::MAX && i < ci.nargs as usize {
                it.stack
                    .get(ci.args_base + i)
                    .filter(|v| !matches!(v, Value::Void))
                    .cloned()
            } else {
                None
            };
            args.push(Some(record_with(
                &arg_ty,
                vec![
                    Some(Value::str(p.name.as_str().as_bytes())),
                    Some(Value::str(p.ty.describe().as_bytes())),
                    default,
                    value,
                ],
            )));
        }
        let args = Value::Vector(Rc::new(RefCell::new(VectorVal {
            ty: args_vec_ty.clone(),
            items: args,
        })));
        let (file, line) = match ci.call {
            Some(loc) => (
                Some(Value::str(it.prog.file_name(loc).as_bytes())),
                Some(Value::Count(u64::from(loc.first_line))),
            ),
            None => (None, None),
        };
        items.push(Some(record_with(
            &elem_ty,
            vec![
                Some(Value::str(name.as_str().as_bytes())),
                Some(args),
                file,
                line,
            ],
        )));
    }
    Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: bt_ty,
        items,
    }))))
}

/// Every type name with all names it is an alias of or aliased by,
/// transitively (zeek.bif's `build_complete_alias_map`), built on first use.
#[derive(Default)]
struct AliasMap(Option<std::collections::HashMap<Symbol, Vec<Symbol>>>);

fn build_alias_map(pairs: &[(Symbol, Symbol)]) -> std::collections::HashMap<Symbol, Vec<Symbol>> {
    let mut direct: std::collections::HashMap<Symbol, Vec<Symbol>> = Default::default();
    let add = |m: &mut std::collections::HashMap<Symbol, Vec<Symbol>>, k: Symbol, v: Symbol| {
        let e = m.entry(k).or_default();
        if !e.contains(&v) {
            e.push(v);
        }
    };
    for &(name, alias) in pairs {
        add(&mut direct, name, name);
        add(&mut direct, name, alias);
        add(&mut direct, alias, name);
    }
    let mut full = std::collections::HashMap::new();
    for (&name, aliases) in &direct {
        let mut all = aliases.clone();
        let mut i = 0;
        while i < all.len() {
            if let Some(more) = direct.get(&all[i]) {
                for &m in more {
                    if !all.contains(&m) {
                        all.push(m);
                    }
                }
            }
            i += 1;
        }
        full.insert(name, all);
    }
    full
}

fn type_aliases(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut out = new_table(string_set_type(it, "type_aliases"));
    let t = match args.first() {
        Some(Value::Type(t)) => t.clone(),
        Some(v) => v.type_of(&it.prog.base),
        None => return Ok(wrap_table(out)),
    };
    if let Some(name) = t.type_name() {
        if it.ext_mut::<AliasMap>("type_aliases").0.is_none() {
            let m = build_alias_map(&it.prog.type_aliases);
            it.ext_mut::<AliasMap>("type_aliases").0 = Some(m);
        }
        let names = it
            .ext_mut::<AliasMap>("type_aliases")
            .0
            .as_ref()
            .and_then(|m| m.get(&name).cloned())
            .unwrap_or_default();
        // Inserted from a `std::set`, in byte order.
        let mut names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
        names.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for n in names {
            out.insert(vec![Value::str(n.as_bytes())], None);
        }
    }
    Ok(wrap_table(out))
}

fn enum_names(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let set_ty = string_set_type(it, "enum_names");
    let mut out = new_table(set_ty);
    let t = match args.first() {
        Some(Value::String(s)) => find_type_id(it, s),
        Some(Value::Type(t)) => Some(t.clone()),
        _ => None,
    };
    if let Some(TypeKind::Enum(et)) = t.as_ref().map(|t| &t.kind) {
        // `EnumType::Names()` is a `std::map` ordered by name.
        let mut names: Vec<&'static str> =
            et.names.borrow().iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        names.dedup();
        for n in names {
            out.insert(vec![Value::str(n.as_bytes())], None);
        }
    }
    Ok(wrap_table(out))
}

/// The meta-information of every field of a record type (`RecordType::
/// GetRecordFieldsVal`), with the values of `rec` if given.
fn fields_table(
    it: &mut Interp,
    rt_ty: &TypeRef,
    rec: Option<&Value>,
) -> Result<Value, zest_runtime::RtErr> {
    let base = &it.prog.base;
    let table_ty = record_table_type(
        it,
        "record_fields",
        &[
            ("type_name", base.string.clone(), false),
            ("log", base.bool_.clone(), false),
            ("value", base.any.clone(), true),
            ("default_val", base.any.clone(), true),
        ],
    );
    let elem_ty = table_ty
        .yield_type()
        .cloned()
        .unwrap_or_else(|| it.prog.base.error.clone());
    let fields = rt_ty
        .record()
        .map(|r| r.fields.borrow().clone())
        .unwrap_or_default();
    let values: Vec<Option<Value>> = match rec {
        Some(Value::Record(r)) => r.borrow().fields.clone(),
        _ => Vec::new(),
    };
    let mut out = new_table(table_ty);
    for (i, f) in fields.iter().enumerate() {
        let mut tn = String::new();
        container_type_name(&f.ty, &mut tn);
        // An unset slot with a constant `&default` holds that default (as
        // `print` shows it: the runtime leaves records made before a
        // `redef record` short).
        let value = match values.get(i).cloned().flatten() {
            Some(v) => Some(v),
            None if rec.is_some() => f.default.clone(),
            None => None,
        };
        let default = match (&f.default, f.attrs.get(AttrKind::Default)) {
            (Some(d), _) => Some(d.clone()),
            (None, Some(e)) => {
                let e = e.clone();
                let v = it.eval(&e)?;
                Some(it.coerce(v, &f.ty, &e)?)
            }
            (None, None) => None,
        };
        let r = record_with(
            &elem_ty,
            vec![
                Some(Value::str(tn.as_bytes())),
                Some(Value::Bool(f.log())),
                value,
                default,
            ],
        );
        out.insert(vec![Value::str(f.name.as_str().as_bytes())], Some(r));
    }
    Ok(wrap_table(out))
}

fn record_fields(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let arg = args.first().cloned().unwrap_or(Value::Void);
    match &arg {
        Value::String(s) => match find_type_id(it, s).filter(|t| t.tag() == Tag::Record) {
            Some(t) => fields_table(it, &t, None),
            None => {
                it.error(
                    None,
                    "record_fields string argument does not name a record type",
                );
                empty_fields_table(it)
            }
        },
        Value::Record(r) => {
            let t = r.borrow().ty.clone();
            fields_table(it, &t, Some(&arg))
        }
        Value::Type(t) if t.tag() == Tag::Record => {
            let t = t.clone();
            fields_table(it, &t, None)
        }
        _ => {
            it.error(None, "non-record value/type passed to record_fields");
            empty_fields_table(it)
        }
    }
}

fn empty_fields_table(it: &mut Interp) -> RtResult {
    let base = &it.prog.base;
    let ty = record_table_type(
        it,
        "record_fields",
        &[
            ("type_name", base.string.clone(), false),
            ("log", base.bool_.clone(), false),
            ("value", base.any.clone(), true),
            ("default_val", base.any.clone(), true),
        ],
    );
    Ok(wrap_table(new_table(ty)))
}

// ------------------------------------------------------------ identifiers

/// Whether the identifier holds a value (`ID::HasVal`): types and enum
/// names carry none.
fn id_value(g: &Global) -> Option<Value> {
    match g.kind {
        GlobalKind::Type | GlobalKind::EnumConst => None,
        _ if matches!(g.value, Value::Void) => None,
        _ => Some(g.value.clone()),
    }
}

/// `ID::IsConst`: `const` declarations and functions with a body or a
/// native implementation.
fn id_is_const(g: &Global) -> bool {
    match g.kind {
        GlobalKind::Const => true,
        GlobalKind::Func => matches!(g.value, Value::Func(_)),
        _ => false,
    }
}

fn global_ids(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let base = &it.prog.base;
    let table_ty = record_table_type(
        it,
        "global_ids",
        &[
            ("type_name", base.string.clone(), false),
            ("exported", base.bool_.clone(), false),
            ("constant", base.bool_.clone(), false),
            ("enum_constant", base.bool_.clone(), false),
            ("option_value", base.bool_.clone(), false),
            ("redefinable", base.bool_.clone(), false),
            ("broker_backend", base.bool_.clone(), false),
            ("value", base.any.clone(), true),
        ],
    );
    let elem_ty = table_ty
        .yield_type()
        .cloned()
        .unwrap_or_else(|| it.prog.base.error.clone());
    let mut out = new_table(table_ty);
    for gid in globals_by_name(it) {
        let g = &it.prog.globals[gid];
        let tn = g.ty.as_ref().map_or("void", |t| t.tag().name());
        let option = g.kind == GlobalKind::Option;
        let r = record_with(
            &elem_ty,
            vec![
                Some(Value::str(tn.as_bytes())),
                Some(Value::Bool(g.exported)),
                Some(Value::Bool(id_is_const(g))),
                Some(Value::Bool(g.kind == GlobalKind::EnumConst)),
                Some(Value::Bool(option)),
                // An option is implicitly `&redef`.
                Some(Value::Bool(option || g.attrs.has(AttrKind::Redef))),
                Some(Value::Bool(g.attrs.has(AttrKind::Backend))),
                id_value(g),
            ],
        );
        out.insert(vec![Value::str(g.name.as_str().as_bytes())], Some(r));
    }
    Ok(wrap_table(out))
}

fn global_options(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut out = new_table(string_set_type(it, "global_options"));
    for gid in globals_by_name(it) {
        let g = &it.prog.globals[gid];
        if g.kind == GlobalKind::Option {
            out.insert(vec![Value::str(g.name.as_str().as_bytes())], None);
        }
    }
    Ok(wrap_table(out))
}

fn lookup_id(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = args.first().map_or(&b""[..], Value::as_bytes);
    let gid = std::str::from_utf8(name)
        .ok()
        .and_then(|n| it.prog.lookup(Symbol::intern(n)));
    let Some(gid) = gid else {
        return Ok(Value::str(b"<unknown id>"));
    };
    let g = &it.prog.globals[gid as usize];
    if g.kind == GlobalKind::EnumConst {
        if let Some(t) = &g.ty {
            if let TypeKind::Enum(et) = &t.kind {
                if let Some(v) = et.value_of(g.name) {
                    return Ok(Value::Enum(t.clone(), v));
                }
            }
        }
        return Ok(g.value.clone());
    }
    Ok(id_value(g).unwrap_or_else(|| Value::str(b"<no ID value>")))
}

// ------------------------------------------------------------ footprints

/// `Val::Footprint`: the number of values a value holds, directly or
/// not; an aggregate met again inside itself counts 1.
fn footprint(v: &Value, seen: &mut HashSet<usize>) -> u64 {
    let key = match v {
        Value::Record(r) => Some(Rc::as_ptr(r) as *const () as usize),
        Value::Table(t) => Some(Rc::as_ptr(t) as *const () as usize),
        Value::Vector(x) => Some(Rc::as_ptr(x) as *const () as usize),
        _ => None,
    };
    if let Some(k) = key {
        if !seen.insert(k) {
            return 1;
        }
    }
    let fp = match v {
        Value::Record(r) => {
            let (ty, values) = {
                let rb = r.borrow();
                (rb.ty.clone(), rb.fields.clone())
            };
            let defaults: Vec<Option<Value>> = ty.record().map_or_else(Vec::new, |rt| {
                rt.fields
                    .borrow()
                    .iter()
                    .map(|f| f.default.clone())
                    .collect()
            });
            let n = defaults.len().max(values.len());
            let mut fp = n as u64;
            for i in 0..n {
                // An unset slot with a constant `&default` holds it (see
                // `fields_table`).
                let v = values
                    .get(i)
                    .cloned()
                    .flatten()
                    .or_else(|| defaults.get(i).cloned().flatten());
                if let Some(v) = v {
                    fp += footprint(&v, seen);
                }
            }
            fp
        }
        Value::Vector(x) => {
            let items = x.borrow().items.clone();
            let mut n = items.len() as u64;
            for i in items.iter().flatten() {
                n += footprint(i, seen);
            }
            n
        }
        Value::Table(t) => {
            let entries = t.borrow().entries_vec();
            let mut n = entries.len() as u64;
            for (k, val) in &entries {
                // The index is a list value: its length plus its members.
                n += k.len() as u64;
                for x in k {
                    n += footprint(x, seen);
                }
                if let Some(val) = val {
                    n += footprint(val, seen);
                }
            }
            n
        }
        Value::List(l) => l.len() as u64 + l.iter().map(|x| footprint(x, seen)).sum::<u64>(),
        _ => 1,
    };
    if let Some(k) = key {
        seen.remove(&k);
    }
    // `unsigned int` arithmetic in Zeek.
    fp & u64::from(u32::MAX)
}

fn val_footprint(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let v = args.first().cloned().unwrap_or(Value::Void);
    Ok(Value::Count(footprint(&v, &mut HashSet::new())))
}

fn global_container_footprints(
    it: &mut Interp,
    _args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let ty = declared_ret(it, "global_container_footprints")
        .filter(|t| t.tag() == Tag::Table)
        .unwrap_or_else(|| {
            Type::new(TypeKind::Table {
                index: vec![it.prog.base.string.clone()],
                yield_: Some(it.prog.base.count.clone()),
            })
        });
    let mut out = new_table(ty);
    for gid in globals_by_name(it) {
        let g = &it.prog.globals[gid];
        let Some(v) = id_value(g) else { continue };
        if !matches!(v, Value::Record(_) | Value::Table(_) | Value::Vector(_)) {
            continue;
        }
        let fp = footprint(&v, &mut HashSet::new());
        out.insert(
            vec![Value::str(g.name.as_str().as_bytes())],
            Some(Value::Count(fp)),
        );
    }
    Ok(wrap_table(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zest_runtime::types::{BaseTypes, EnumType};

    fn named(kind: TypeKind, name: &str) -> TypeRef {
        let t = Type::new(kind);
        *t.name.borrow_mut() = Some(Symbol::intern(name));
        t
    }

    fn record(fields: &[(&str, TypeRef)]) -> TypeRef {
        let fs = fields
            .iter()
            .map(|(n, t)| Field {
                name: Symbol::intern(n),
                ty: t.clone(),
                attrs: Attrs {
                    list: vec![(AttrKind::Optional, None)],
                },
                default: None,
            })
            .collect();
        Type::new(TypeKind::Record(RecordType {
            fields: RefCell::new(fs),
        }))
    }

    fn set(index: Vec<TypeRef>) -> TypeRef {
        Type::new(TypeKind::Table {
            index,
            yield_: None,
        })
    }

    fn table(index: Vec<TypeRef>, y: TypeRef) -> TypeRef {
        Type::new(TypeKind::Table {
            index,
            yield_: Some(y),
        })
    }

    fn vec_of(y: TypeRef) -> TypeRef {
        Type::new(TypeKind::Vector(y))
    }

    fn ctn(t: &TypeRef) -> String {
        let mut s = String::new();
        container_type_name(t, &mut s);
        s
    }

    /// The `type_name`s of btest bifs/records_fields
    /// (Baseline/bifs.records_fields/out).
    #[test]
    fn container_type_names_of_the_baseline() {
        let b = BaseTypes::new();
        let color = named(TypeKind::Enum(EnumType::default()), "color");
        let mono = named(TypeKind::Enum(EnumType::default()), "Monochrome::color");
        let myrec = named(TypeKind::Record(RecordType::default()), "myrec");
        let tt = named(TypeKind::Record(RecordType::default()), "tt");
        let cases: Vec<(TypeRef, &str)> = vec![
            (b.count.clone(), "count"),
            (b.string.clone(), "string"),
            (b.double.clone(), "double"),
            (b.bool_.clone(), "bool"),
            (b.any.clone(), "any"),
            (mono, "enum Monochrome::color"),
            (color.clone(), "enum color"),
            (myrec, "record myrec"),
            (set(vec![b.double.clone()]), "set[double]"),
            (
                set(vec![b.double.clone(), b.string.clone()]),
                "set[double,string]",
            ),
            (set(vec![b.double.clone(), tt]), "set[double,record tt]"),
            (
                table(
                    vec![b.double.clone(), b.string.clone()],
                    table(vec![b.string.clone()], vec_of(b.string.clone())),
                ),
                "table[double,string] of table[string] of vector of string",
            ),
            (
                vec_of(vec_of(b.string.clone())),
                "vector of vector of string",
            ),
            (vec_of(color.clone()), "vector of enum color"),
            (
                table(vec![b.string.clone()], color),
                "table[string] of enum color",
            ),
        ];
        for (t, expected) in cases {
            assert_eq!(ctn(&t), expected);
        }
    }

    /// Zeek's `type_name(TypeTag)` table (`src/Type.cc`) and the
    /// `type_name` global_ids gives a function (Baseline/bifs.global_ids).
    #[test]
    fn tag_names() {
        let cases = [
            (Tag::Void, "void"),
            (Tag::Bool, "bool"),
            (Tag::Int, "int"),
            (Tag::Count, "count"),
            (Tag::Double, "double"),
            (Tag::Time, "time"),
            (Tag::Interval, "interval"),
            (Tag::String, "string"),
            (Tag::Pattern, "pattern"),
            (Tag::Enum, "enum"),
            (Tag::Port, "port"),
            (Tag::Addr, "addr"),
            (Tag::Subnet, "subnet"),
            (Tag::Any, "any"),
            (Tag::Table, "table"),
            (Tag::Record, "record"),
            (Tag::List, "types"),
            (Tag::Func, "func"),
            (Tag::File, "file"),
            (Tag::Vector, "vector"),
            (Tag::Opaque, "opaque"),
            (Tag::Type, "type"),
            (Tag::Error, "error"),
        ];
        for (t, n) in cases {
            assert_eq!(t.name(), n);
        }
    }

    /// The two command lines of btest bifs/bare_mode (output `F`, `T`).
    #[test]
    fn bare_mode_from_the_command_line() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(!bare_mode_in(&args(&["zeek", "bare_mode.zeek"])));
        assert!(bare_mode_in(&args(&["zeek", "-b", "bare_mode.zeek"])));
        assert!(bare_mode_in(&args(&["zeek", "--bare-mode", "x.zeek"])));
        assert!(!bare_mode_in(&args(&["zeek", "-e", "-b", "x.zeek"])));
    }

    fn fp(v: &Value) -> u64 {
        footprint(v, &mut HashSet::new())
    }

    fn vector(ty: &TypeRef, items: Vec<Value>) -> Value {
        Value::Vector(Rc::new(RefCell::new(VectorVal {
            ty: vec_of(ty.clone()),
            items: items.into_iter().map(Some).collect(),
        })))
    }

    fn tbl(ty: TypeRef, entries: Vec<(Vec<Value>, Option<Value>)>) -> Value {
        let mut t = TableVal::new(ty);
        for (k, v) in entries {
            t.insert(k, v);
        }
        wrap_table(t)
    }

    /// Values of btest bifs/footprint and their footprints
    /// (Baseline/bifs.footprint/out).
    #[test]
    fn footprints_of_the_baseline() {
        let b = BaseTypes::new();
        let c = |n: u64| Value::Count(n);
        for v in [
            Value::Bool(true),
            c(4),
            Value::Int(-4),
            Value::Double(4e99),
            Value::str(b"longlonglong"),
        ] {
            assert_eq!(fp(&v), 1);
        }
        // r1 = record { a: count; b: double; c: string; }
        let r1 = record(&[
            ("a", b.count.clone()),
            ("b", b.double.clone()),
            ("c", b.string.clone()),
        ]);
        let l1 = Value::new_record(r1.clone());
        assert_eq!(fp(&l1), 3);
        let l1b = record_with(
            &r1,
            vec![Some(c(3)), Some(Value::Double(3.0)), Some(Value::str(b"3"))],
        );
        assert_eq!(fp(&l1b), 6);
        let v1 = vector(&b.count, vec![c(9), c(7), c(3), c(1)]);
        assert_eq!(fp(&v1), 8);
        let v2 = vector(&vec_of(b.count.clone()), vec![v1.clone(), v1.clone()]);
        assert_eq!(fp(&v2), 18);
        let v3 = vector(&r1, vec![l1.clone(), l1b.clone()]);
        assert_eq!(fp(&v3), 11);
        let cc = table(vec![b.count.clone()], b.count.clone());
        let t1 = tbl(
            cc,
            vec![
                (vec![c(1)], Some(c(1))),
                (vec![c(2)], Some(c(4))),
                (vec![c(3)], Some(c(9))),
            ],
        );
        assert_eq!(fp(&t1), 12);
        let ccc = table(vec![b.count.clone(), b.count.clone()], b.count.clone());
        let t2 = tbl(
            ccc,
            vec![
                (vec![c(1), c(3)], Some(c(1))),
                (vec![c(2), c(3)], Some(c(4))),
                (vec![c(3), c(3)], Some(c(9))),
            ],
        );
        assert_eq!(fp(&t2), 18);
        let t3ty = table(vec![b.count.clone(), b.count.clone()], v2.type_of(&b));
        let t3 = tbl(
            t3ty,
            vec![
                (vec![c(1), c(3)], Some(v2.clone())),
                (vec![c(2), c(3)], Some(v2.clone())),
            ],
        );
        assert_eq!(fp(&t3), 46);
        let t4ty = table(vec![b.count.clone(), b.count.clone()], r1.clone());
        let t4 = tbl(
            t4ty,
            vec![
                (vec![c(1), c(3)], Some(l1.clone())),
                (vec![c(2), c(3)], Some(l1b.clone())),
            ],
        );
        assert_eq!(fp(&t4), 19);
        let s1 = tbl(
            set(vec![b.count.clone()]),
            vec![(vec![c(1)], None), (vec![c(4)], None), (vec![c(9)], None)],
        );
        assert_eq!(fp(&s1), 9);
        let s2 = tbl(
            set(vec![b.count.clone(), b.count.clone()]),
            vec![
                (vec![c(1), c(3)], None),
                (vec![c(2), c(3)], None),
                (vec![c(3), c(3)], None),
            ],
        );
        assert_eq!(fp(&s2), 15);
        let s3 = tbl(
            set(vec![r1.clone(), b.count.clone()]),
            vec![
                (vec![l1b.clone(), c(9)], None),
                (vec![l1b.clone(), c(12)], None),
            ],
        );
        assert_eq!(fp(&s3), 20);
        // X = record { y: Y &optional; }, Y = record { x: X; }, x$y = y, y$x = x.
        let x_ty = record(&[]);
        let y_ty = record(&[("x", x_ty.clone())]);
        if let TypeKind::Record(rt) = &x_ty.kind {
            rt.fields.borrow_mut().push(Field {
                name: Symbol::intern("y"),
                ty: y_ty.clone(),
                attrs: Attrs::default(),
                default: None,
            });
        }
        let x = Value::new_record(x_ty);
        let y = Value::new_record(y_ty);
        if let (Value::Record(xr), Value::Record(yr)) = (&x, &y) {
            xr.borrow_mut().fields[0] = Some(y.clone());
            yr.borrow_mut().fields[0] = Some(x.clone());
        }
        assert_eq!(fp(&x), 3);
        assert_eq!(fp(&y), 3);
        // A table[string] of any holding itself.
        let srt = tbl(table(vec![b.string.clone()], b.any.clone()), Vec::new());
        assert_eq!(fp(&srt), 0);
        if let Value::Table(t) = &srt {
            t.borrow_mut()
                .insert(vec![Value::str(b"x")], Some(srt.clone()));
        }
        assert_eq!(fp(&srt), 4);
        // Break the cycles so the test does not leak.
        if let Value::Table(t) = &srt {
            t.borrow_mut().clear();
        }
        if let Value::Record(xr) = &x {
            xr.borrow_mut().fields[0] = None;
        }
    }
}
