//! The global state of a loaded program: identifiers, function bodies,
//! built-ins and source files.

use crate::ir::{Body, Loc};
use crate::types::{Attrs, BaseTypes, TypeRef};
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use zest_syntax::{LineIndex, Symbol};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKind {
    Var,
    Const,
    Option,
    Type,
    Func,
    /// An enum value declared by an enum type.
    EnumConst,
}

#[derive(Debug)]
pub struct Global {
    pub name: Symbol,
    pub ty: Option<TypeRef>,
    pub kind: GlobalKind,
    /// `Value::Void` while unset.
    pub value: Value,
    pub attrs: Attrs,
    pub loc: Loc,
    pub exported: bool,
    /// Bodies of a script function, event or hook.
    pub bodies: Vec<Rc<Body>>,
    /// A native implementation bound to this function.
    pub builtin: Option<u32>,
    /// Whether any handler body was defined (for events).
    pub defined: bool,
    /// `&deprecated` message.
    pub deprecated: Option<String>,
    /// Parameter names of alternate prototypes of an event or hook.
    pub alt_protos: Vec<AltProto>,
    /// Initializer expressions of the declaration and its redefs, kept
    /// for the usage analysis (functions they call are used).
    pub init_exprs: Vec<Rc<crate::ir::Expr>>,
}

/// An alternate prototype of an event or hook.
#[derive(Debug, Clone)]
pub struct AltProto {
    /// Its parameter names.
    pub names: Vec<Symbol>,
    /// `&deprecated` on its declaration (message, possibly empty).
    pub deprecated: Option<String>,
    /// Where it is declared.
    pub loc: crate::ir::Loc,
}

pub struct SourceFile {
    /// The name as Zeek shows it in messages.
    pub name: String,
    pub lines: LineIndex,
    pub text: Rc<str>,
}

/// Signature of a native function: the interpreter, the arguments, and
/// the call site for error messages.
pub type BuiltinFn = fn(
    &mut crate::interp::Interp,
    &mut [Value],
    &crate::interp::CallSite,
) -> crate::interp::RtResult;

pub struct Builtin {
    pub name: Symbol,
    pub func: BuiltinFn,
}

pub struct Program {
    pub base: BaseTypes,
    pub globals: Vec<Global>,
    pub global_index: FxHashMap<Symbol, u32>,
    pub builtins: Vec<Builtin>,
    pub builtin_index: FxHashMap<Symbol, u32>,
    pub files: Vec<SourceFile>,
    pub modules: rustc_hash::FxHashSet<Symbol>,
    /// Counter for anonymous function names.
    pub lambda_counter: u64,
    /// Zeek's `Type::RegisterAlias` calls of type declarations: (a type
    /// name, the name of a type declared as it or as an alias of it).
    pub type_aliases: Vec<(Symbol, Symbol)>,
    /// Where each string constant of the scripts was written, by the
    /// address of its shared bytes (kept alive here): a value Zeek creates
    /// while parsing keeps that location, which error messages about it
    /// show. Looked up only when such a message is reported.
    pub const_locs: FxHashMap<usize, (Value, Loc)>,
    /// The `@load-sigs` of the scripts, in order: the name as written, the
    /// file found for it (if any) and where it was loaded.
    pub sig_loads: Vec<SigLoad>,
    /// How each call of a script function that wraps a built-in of the
    /// same name with `__` (`M::f` calling `M::__f`) is described, by the
    /// call's location and the function: Zeek reports the built-in's errors
    /// at that call (`emit_builtin_error`). Filled while compiling, looked
    /// up only when such an error is reported.
    pub wrapper_calls: FxHashMap<(Loc, u32), String>,
}

/// One `@load-sigs` of a script.
#[derive(Clone, Debug)]
pub struct SigLoad {
    pub name: String,
    pub path: Option<std::path::PathBuf>,
    pub loc: Option<crate::ir::Loc>,
}

impl Program {
    pub fn new() -> Self {
        Program {
            base: BaseTypes::new(),
            globals: Vec::new(),
            global_index: FxHashMap::default(),
            builtins: Vec::new(),
            builtin_index: FxHashMap::default(),
            files: Vec::new(),
            modules: rustc_hash::FxHashSet::default(),
            lambda_counter: 0,
            type_aliases: Vec::new(),
            const_locs: FxHashMap::default(),
            sig_loads: Vec::new(),
            wrapper_calls: FxHashMap::default(),
        }
    }

    /// Whether global `gid` is named like the wrapper of a built-in:
    /// `M::f` with a built-in `M::__f`, or `f` with `__f`.
    pub fn wraps_builtin(&self, gid: u32) -> bool {
        let name = self.globals[gid as usize].name;
        let name = name.as_str();
        let wrapped = match name.split_once("::") {
            Some((m, f)) => format!("{m}::__{f}"),
            None => format!("__{name}"),
        };
        self.builtin_index.contains_key(&Symbol::intern(&wrapped))
    }

    /// The location where `v` was written as a constant, if it is one
    /// (see `const_locs`).
    pub fn const_loc(&self, v: &Value) -> Option<Loc> {
        match v {
            Value::String(s) if !self.const_locs.is_empty() => self
                .const_locs
                .get(&(Rc::as_ptr(s) as *const u8 as usize))
                .map(|(_, l)| *l),
            _ => None,
        }
    }

    pub fn lookup(&self, full: Symbol) -> Option<u32> {
        self.global_index.get(&full).copied()
    }

    /// Declares a new global (or returns the existing one).
    pub fn declare(
        &mut self,
        name: Symbol,
        kind: GlobalKind,
        ty: Option<TypeRef>,
        loc: Loc,
        exported: bool,
    ) -> u32 {
        if let Some(&id) = self.global_index.get(&name) {
            return id;
        }
        let id = self.globals.len() as u32;
        self.globals.push(Global {
            name,
            ty,
            kind,
            value: Value::Void,
            attrs: Attrs::default(),
            loc,
            exported,
            bodies: Vec::new(),
            builtin: None,
            defined: false,
            deprecated: None,
            alt_protos: Vec::new(),
            init_exprs: Vec::new(),
        });
        self.global_index.insert(name, id);
        id
    }

    pub fn register_builtin(&mut self, name: &str, func: BuiltinFn) -> u32 {
        let sym = Symbol::intern(name);
        let id = self.builtins.len() as u32;
        self.builtins.push(Builtin { name: sym, func });
        self.builtin_index.insert(sym, id);
        id
    }

    pub fn file_name(&self, loc: Loc) -> &str {
        self.files
            .get(loc.file as usize)
            .map_or("<unknown>", |f| f.name.as_str())
    }
}

impl Default for Program {
    fn default() -> Self {
        Self::new()
    }
}
