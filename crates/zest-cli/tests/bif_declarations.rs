//! Zest's declarations of Zeek's native functions, events and types
//! (`scripts/base/bif`) against the files Zeek 5.2.2's build generates
//! (`reference/bif` of the Zeek distribution, read by path at test time), and
//! the list of declared functions that have no native implementation yet.
//!
//! The reference is `$ZEEK_DIST/reference/bif`, or
//! `<workspace>/../shared/zeek-5.2/reference/bif` without `ZEEK_DIST`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use zest_syntax::ast::{DeclKind, FieldDecl, FuncSig, Param, TypeExpr, VarDecl, VarKind};

mod common;
use common::zeek_dist;

/// How many declared functions may lack a native implementation. Lower it
/// whenever functions are implemented; it must never go up.
const UNIMPLEMENTED_RATCHET: usize = 49;

fn reference_bif() -> PathBuf {
    zeek_dist().join("reference/bif")
}

fn zest_bif() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/base/bif")
}

/// The `*.bif.zeek` files of `dir` (not recursive), by name.
fn bif_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bif.zeek"))
        .collect();
    names.sort();
    names
}

/// Both trees' files, as paths relative to `base/bif`.
fn all_bif_files(dir: &Path) -> Vec<String> {
    let mut v = bif_files(dir);
    v.extend(
        bif_files(&dir.join("plugins"))
            .into_iter()
            .map(|n| format!("plugins/{n}")),
    );
    v
}

/// A JSON rendering of an AST value without spans and docs, so that two
/// declarations written differently compare equal when they mean the same.
fn shape(v: Result<Json, serde_json::Error>) -> Json {
    fn strip(v: &mut Json) {
        match v {
            Json::Object(m) => {
                m.remove("span");
                m.remove("docs");
                m.values_mut().for_each(strip);
            }
            Json::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut j = v.expect("AST serializes");
    strip(&mut j);
    j
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Function,
    Event,
    Global,
    Type,
    Module,
    Export,
    EndExport,
}

/// One top-level item of a `.bif.zeek` file, in file order.
#[derive(Clone, Debug, PartialEq)]
struct Item {
    kind: Kind,
    /// Fully qualified (`Option::set`), or the module name.
    name: String,
    /// Type and attributes, spans stripped.
    shape: Json,
}

fn show(item: Option<&Item>) -> String {
    item.map_or_else(
        || "(nothing)".to_owned(),
        |i| format!("{:?} {} {}", i.kind, i.name, i.shape),
    )
}

fn qualify(module: &str, name: &str) -> String {
    if name.contains("::") || module == "GLOBAL" {
        name.to_owned()
    } else {
        format!("{module}::{name}")
    }
}

fn items(path: &Path) -> Vec<Item> {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = zest_syntax::parse_file(&src, true);
    assert!(
        parsed.errors.is_empty(),
        "{}: syntax errors: {:?}",
        path.display(),
        parsed.errors
    );
    let mut module = "GLOBAL".to_owned();
    let mut out = Vec::new();
    for d in &parsed.decls {
        let item = match &d.kind {
            DeclKind::Module(n) => {
                module = n.sym.as_str().to_owned();
                Item {
                    kind: Kind::Module,
                    name: module.clone(),
                    shape: Json::Null,
                }
            }
            DeclKind::ExportBegin => Item {
                kind: Kind::Export,
                name: String::new(),
                shape: Json::Null,
            },
            DeclKind::ExportEnd => Item {
                kind: Kind::EndExport,
                name: String::new(),
                shape: Json::Null,
            },
            DeclKind::Var(VarKind::Global, v) => Item {
                kind: match v.ty {
                    Some(TypeExpr::Function(_)) => Kind::Function,
                    Some(TypeExpr::Event(_)) => Kind::Event,
                    _ => Kind::Global,
                },
                name: qualify(&module, v.name.sym.as_str()),
                shape: shape(serde_json::to_value((&v.ty, &v.op, &v.init, &v.attrs))),
            },
            DeclKind::Type { name, ty, attrs } => Item {
                kind: Kind::Type,
                name: qualify(&module, name.sym.as_str()),
                shape: shape(serde_json::to_value((ty, attrs))),
            },
            // const.bif.zeek loads zest-native.zeek (not a BiF declaration).
            DeclKind::Load(_) => continue,
            other => panic!("{}: unexpected declaration {other:?}", path.display()),
        };
        out.push(item);
    }
    out
}

#[test]
fn every_bif_file_of_zeek_has_a_zest_declaration_file() {
    let reference = all_bif_files(&reference_bif());
    let zest = all_bif_files(&zest_bif());
    assert_eq!(
        reference.len(),
        146,
        "Zeek 5.2.2 generates 25 + 121 .bif.zeek files"
    );
    let missing: Vec<_> = reference.iter().filter(|f| !zest.contains(f)).collect();
    let extra: Vec<_> = zest.iter().filter(|f| !reference.contains(f)).collect();
    assert!(missing.is_empty(), "no Zest declarations for {missing:?}");
    assert!(
        extra.is_empty(),
        "Zest declares groups Zeek has not: {extra:?}"
    );
}

#[test]
fn declarations_match_zeek_in_name_type_and_order() {
    let mut problems = Vec::new();
    let mut totals: BTreeMap<Kind, usize> = BTreeMap::new();
    for rel in all_bif_files(&reference_bif()) {
        let zest_path = zest_bif().join(&rel);
        if !zest_path.is_file() {
            continue; // reported by the test above
        }
        let want = items(&reference_bif().join(&rel));
        let got = items(&zest_path);
        for it in &got {
            *totals.entry(it.kind).or_default() += 1;
        }
        if want == got {
            continue;
        }
        let first = want
            .iter()
            .zip(&got)
            .position(|(w, g)| w != g)
            .unwrap_or(want.len().min(got.len()));
        problems.push(format!(
            "{rel}: {} items in Zeek, {} in Zest; first difference at item {first}:\n  zeek: {}\n  zest: {}",
            want.len(),
            got.len(),
            show(want.get(first)),
            show(got.get(first)),
        ));
    }
    println!("declared in scripts/base/bif: {totals:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Counts of Zeek 5.2.2's generated files.
    assert_eq!(totals.get(&Kind::Function), Some(&534));
    assert_eq!(totals.get(&Kind::Event), Some(&650));
    assert_eq!(totals.get(&Kind::Type), Some(&26));
}

/// The names `@load`ed by a `__load__.zeek`, in order.
fn loads(path: &Path) -> Vec<String> {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    zest_syntax::parse_file(&src, true)
        .decls
        .into_iter()
        .filter_map(|d| match d.kind {
            DeclKind::Load(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn load_files_load_every_group_once() {
    for (dir, count) in [(zest_bif(), 25), (zest_bif().join("plugins"), 121)] {
        let loaded = loads(&dir.join("__load__.zeek"));
        let want: Vec<String> = bif_files(&dir).iter().map(|f| format!("./{f}")).collect();
        assert_eq!(loaded.len(), count, "{}", dir.display());
        let unique: BTreeSet<_> = loaded.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            loaded.len(),
            "duplicate @load in {}",
            dir.display()
        );
        assert_eq!(unique, want.into_iter().collect(), "{}", dir.display());
    }
    // Fixed points of the build's order (src/CMakeLists.txt: the "standard"
    // BiFs first, then the subdirectories' ones).
    let base = loads(&zest_bif().join("__load__.zeek"));
    assert_eq!(base[0], "./zeek.bif.zeek");
    assert_eq!(base[10], "./CPP-load.bif.zeek");
    assert_eq!(base[24], "./top-k.bif.zeek");
}

/// The component enum values Zeek assigns, derived from `zeek -NN`: plugins
/// and components in listed order, one shared counter from 1 for every
/// component that has a tag.
fn zeek_component_values() -> BTreeMap<(String, String), i64> {
    let text = std::fs::read_to_string(zeek_dist().join("reference/zeek-NN.txt"))
        .expect("reference/zeek-NN.txt");
    let mut out = BTreeMap::new();
    let mut counter = 0;
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('[') else {
            continue;
        };
        let Some((kind, rest)) = rest.split_once("] ") else {
            continue;
        };
        let (enum_name, prefix) = match kind {
            "Analyzer" | "Session Adapter" => ("Analyzer::Tag", "ANALYZER_"),
            "Packet Analyzer" => ("PacketAnalyzer::Tag", "ANALYZER_"),
            "File Analyzer" => ("Files::Tag", "ANALYZER_"),
            "Reader" => ("Input::Reader", "READER_"),
            "Writer" => ("Log::Writer", "WRITER_"),
            _ => continue,
        };
        counter += 1;
        let comp = rest.split(' ').next().unwrap_or_default();
        let canon: String = comp
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{prefix}{canon}");
        if let Some(module) = enum_name.strip_suffix("::Tag") {
            out.insert(
                (
                    "AllAnalyzers::Tag".to_owned(),
                    format!("{}_{name}", module.to_uppercase()),
                ),
                counter,
            );
        }
        out.insert((enum_name.to_owned(), name), counter);
    }
    out
}

#[test]
fn native_declarations_have_zeeks_values_and_load_first() {
    let path = zest_bif().join("zest-native.zeek");
    let src = std::fs::read_to_string(&path).expect("zest-native.zeek");
    let parsed = zest_syntax::parse_file(&src, true);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let mut module = "GLOBAL".to_owned();
    let mut got = BTreeMap::new();
    let mut functions = Vec::new();
    for d in &parsed.decls {
        match &d.kind {
            DeclKind::Module(n) => module = n.sym.as_str().to_owned(),
            DeclKind::Var(VarKind::Global, v) => {
                functions.push(qualify(&module, v.name.sym.as_str()));
            }
            DeclKind::Type {
                name,
                ty: TypeExpr::Enum(values),
                ..
            } => {
                let t = qualify(&module, name.sym.as_str());
                for v in values {
                    let val = v.value.expect("explicit enum value");
                    got.insert((t.clone(), v.name.sym.as_str().to_owned()), val);
                }
            }
            DeclKind::RedefEnum { name, items } => {
                let t = qualify(&module, name.sym.as_str());
                for v in items {
                    let val = v.value.expect("explicit enum value");
                    got.insert((t.clone(), v.name.sym.as_str().to_owned()), val);
                }
            }
            DeclKind::ExportBegin | DeclKind::ExportEnd => {}
            other => panic!("unexpected declaration {other:?}"),
        }
    }
    let want = zeek_component_values();
    assert_eq!(got, want);
    // zeek-setup.cc installs one function natively, after the plugins.
    assert_eq!(functions, ["__init_primary_bifs"]);
    let http = ("Analyzer::Tag".to_owned(), "ANALYZER_HTTP".to_owned());
    assert_eq!(got.get(&http), Some(&35), "table-order.md §3.1");
    // Zeek creates and fills these enums before any script: the first file
    // init-bare.zeek loads must load them.
    let init_bare = std::fs::read_to_string(zeek_dist().join("scripts/base/init-bare.zeek"))
        .expect("init-bare.zeek");
    assert!(init_bare.starts_with("@load base/bif/const.bif\n"));
    assert_eq!(
        loads(&zest_bif().join("const.bif.zeek"))[0],
        "./zest-native"
    );
}

/// Every function declared in scripts/base/bif (the .bif.zeek files and
/// zest-native.zeek), fully qualified, with its type.
fn declared_functions() -> BTreeMap<String, TypeExpr> {
    let mut out = BTreeMap::new();
    let mut files = all_bif_files(&zest_bif());
    files.push("zest-native.zeek".to_owned());
    for rel in files {
        let src = std::fs::read_to_string(zest_bif().join(&rel)).expect("readable");
        let mut module = "GLOBAL".to_owned();
        for d in zest_syntax::parse_file(&src, true).decls {
            match d.kind {
                DeclKind::Module(n) => module = n.sym.as_str().to_owned(),
                DeclKind::Var(VarKind::Global, v) => {
                    if let Some(ty @ TypeExpr::Function(_)) = v.ty {
                        out.insert(qualify(&module, v.name.sym.as_str()), ty);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The named types init-bare.zeek declares (aliases, records, enums), so that
/// `string_vec` and `vector of string` compare equal.
fn init_bare_types() -> HashMap<String, TypeExpr> {
    let src = std::fs::read_to_string(zeek_dist().join("scripts/base/init-bare.zeek"))
        .expect("init-bare.zeek");
    let mut module = "GLOBAL".to_owned();
    let mut out = HashMap::new();
    for d in zest_syntax::parse_file(&src, true).decls {
        match d.kind {
            DeclKind::Module(n) => module = n.sym.as_str().to_owned(),
            DeclKind::Type { name, ty, .. } => {
                out.insert(qualify(&module, name.sym.as_str()), ty);
            }
            _ => {}
        }
    }
    out
}

/// `t` with every name of `env` replaced by its definition (to a fixed depth,
/// which also stops recursive records).
fn expand(t: &TypeExpr, env: &HashMap<String, TypeExpr>, depth: u32) -> TypeExpr {
    let ex = |t: &TypeExpr| expand(t, env, depth);
    let params = |ps: &[Param]| -> Vec<Param> {
        ps.iter()
            .map(|p| Param {
                ty: ex(&p.ty),
                ..p.clone()
            })
            .collect()
    };
    match t {
        TypeExpr::Named(n) => match env.get(n.sym.as_str()) {
            Some(def) if depth < 8 => expand(def, env, depth + 1),
            _ => t.clone(),
        },
        TypeExpr::Table { index, yield_ } => TypeExpr::Table {
            index: index.iter().map(ex).collect(),
            yield_: Box::new(ex(yield_)),
        },
        TypeExpr::Set { index } => TypeExpr::Set {
            index: index.iter().map(ex).collect(),
        },
        TypeExpr::Vector(e) => TypeExpr::Vector(Box::new(ex(e))),
        TypeExpr::List(e) => TypeExpr::List(e.as_ref().map(|e| Box::new(ex(e)))),
        TypeExpr::File(e) => TypeExpr::File(e.as_ref().map(|e| Box::new(ex(e)))),
        TypeExpr::Record(fields) => TypeExpr::Record(
            fields
                .iter()
                .map(|f| FieldDecl {
                    ty: ex(&f.ty),
                    ..f.clone()
                })
                .collect(),
        ),
        TypeExpr::Function(sig) => TypeExpr::Function(FuncSig {
            params: params(&sig.params),
            ret: sig.ret.as_ref().map(|r| Box::new(ex(r))),
            span: sig.span,
        }),
        TypeExpr::Event(ps) => TypeExpr::Event(params(ps)),
        TypeExpr::Hook(ps) => TypeExpr::Hook(params(ps)),
        _ => t.clone(),
    }
}

/// The names `zest_bifs::register` gives native implementations.
fn implemented_functions() -> BTreeSet<String> {
    let mut prog = zest_runtime::Program::new();
    zest_bifs::register(&mut prog);
    prog.builtin_index
        .keys()
        .map(|s| s.as_str().to_owned())
        .collect()
}

#[test]
fn implemented_functions_are_declared_with_the_same_type() {
    let declared = declared_functions();

    // One source of truth: a native function exists only for a declared one.
    let undeclared: Vec<_> = implemented_functions()
        .into_iter()
        .filter(|n| !declared.contains_key(n))
        .collect();
    // The signature each native function carries must be the declared type
    // (type names of init-bare.zeek expanded on both sides).
    let env = init_bare_types();
    let mut mismatched = Vec::new();
    for b in zest_bifs::all().into_iter().flatten() {
        let Some(decl) = declared.get(b.name) else {
            continue;
        };
        let parsed = zest_syntax::parse_file(&format!("global f: {};", b.signature), true);
        let native = match parsed.decls.first().map(|d| &d.kind) {
            Some(DeclKind::Var(_, VarDecl { ty: Some(ty), .. })) if parsed.errors.is_empty() => ty,
            _ => {
                mismatched.push(format!(
                    "{}: unparsable signature {:?}",
                    b.name, b.signature
                ));
                continue;
            }
        };
        let native = shape(serde_json::to_value(expand(native, &env, 0)));
        if shape(serde_json::to_value(expand(decl, &env, 0))) != native {
            mismatched.push(format!("{}: {:?}", b.name, b.signature));
        }
    }
    assert!(
        undeclared.is_empty() && mismatched.is_empty(),
        "implemented but not declared in scripts/base/bif (a global declared after \
         `module M;` is M::name): {undeclared:?}\n\
         native signatures that differ from scripts/base/bif:\n{}",
        mismatched.join("\n")
    );
}

#[test]
fn unimplemented_functions() {
    let declared = declared_functions();
    let implemented = implemented_functions();
    let missing: Vec<&String> = declared
        .keys()
        .filter(|n| !implemented.contains(*n))
        .collect();
    println!(
        "declared functions without a native implementation ({}):",
        missing.len()
    );
    for n in &missing {
        println!("    {n}");
    }
    println!(
        "{} of {} declared functions are implemented; {} are not (ratchet {UNIMPLEMENTED_RATCHET})",
        declared.len() - missing.len(),
        declared.len(),
        missing.len()
    );
    assert!(
        missing.len() <= UNIMPLEMENTED_RATCHET,
        "{} unimplemented functions, more than the ratchet {UNIMPLEMENTED_RATCHET}",
        missing.len()
    );
}
