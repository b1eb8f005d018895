//! The semantic layer: name resolution, types, and compilation of the
//! AST into the resolved IR, one declaration at a time, in load order (as
//! Zeek does while parsing).

mod check;
mod check_args;
mod decl;
mod deprecated;
mod expr;
mod stmt;
mod types;

use crate::interp::Interp;
use crate::ir::{Loc, Stmt};
use crate::types::TypeRef;
use rustc_hash::FxHashMap;
use zest_syntax::{Span, Symbol};

/// Compilation state that lives across declarations.
pub struct Sema {
    /// The current module (`GLOBAL` when none).
    pub module: Symbol,
    pub export_depth: u32,
    /// The file being compiled (index into `Program::files`).
    pub file: u32,
    /// The function body being compiled.
    pub func: Option<FuncCtx>,
    /// Statements written at the top level, with the frame size they need.
    pub top_stmts: Vec<Stmt>,
    pub top_ctx: FuncCtx,
    /// A fatal load error happened (Zeek stops parsing).
    pub fatal: bool,
    pub global_sym: Symbol,
    /// While checking an assignment or initialization: the description of
    /// its target, so messages quote `target = value` as Zeek's
    /// `AssignExpr` does.
    pub assign_ctx: Option<String>,
    /// Compiling the fields of a named record constructor `R(…)`.
    pub named_ctor: bool,
    /// Compiling the attributes of a `redef` (duplicates replace).
    pub in_redef: bool,
    /// The name of the enum type being declared (its items check it).
    pub enum_decl_name: Option<Symbol>,
    /// Zeek's `-u` (`ZEEK_USAGE_ISSUES`): find assignments whose value is
    /// never used.
    pub usage_issues: bool,
    /// Their warnings, reported after all scripts are loaded.
    pub unused_assignments: Vec<String>,
    /// The `type` declaration being compiled: errors Zeek reports at the
    /// scanner's position after the type (duplicate fields) go to its end.
    pub type_decl_span: Option<Span>,
    /// The next attributes compiled are those of a global variable.
    pub attrs_global: bool,
    /// Where the declaration being compiled starts (types made while
    /// compiling it are placed there).
    pub decl_loc: Loc,
    /// Lists of the declaration being compiled written with a trailing
    /// comma on the left of `=` (the parser finds them).
    pub lhs_trailing_commas: Vec<Span>,
}

/// Scope of one function body: Zeek locals are function-wide.
#[derive(Default)]
pub struct FuncCtx {
    pub locals: FxHashMap<Symbol, (u32, TypeRef)>,
    pub nslots: u32,
    pub ret: Option<TypeRef>,
    pub is_event_or_hook: bool,
    /// A hook body (`break` ends the hook).
    pub is_hook: bool,
    /// Inside a loop (for `next`/`break` checks).
    pub loop_depth: u32,
    pub switch_depth: u32,
    /// Locals declared with `const`.
    pub consts: rustc_hash::FxHashSet<Symbol>,
    /// Where each local was declared.
    pub local_locs: FxHashMap<Symbol, Loc>,
    /// The name of each slot, in slot order.
    pub slot_names: Vec<Symbol>,
    /// Locals declared directly in each enclosing `{ }` block statement,
    /// innermost last.
    pub block_locals: Vec<Vec<Symbol>>,
    /// Locals whose block has ended, and those whose later use was warned
    /// about (Zeek's deprecated out-of-scope use).
    pub out_of_scope: rustc_hash::FxHashSet<Symbol>,
    pub warned_out_of_scope: rustc_hash::FxHashSet<Symbol>,
    /// With usage issues on: assignments to locals (slot and warning if
    /// the value is never used).
    pub assigns: Vec<(u32, String)>,
    /// Inside a lambda: the locals of the enclosing functions, visible
    /// only through captures (with where they were declared).
    pub outer: FxHashMap<Symbol, (TypeRef, Option<Loc>)>,
    /// Outer locals used without a capture, in order of first use.
    pub outer_refs: Vec<Symbol>,
    /// Every use of a local (name and slot), in order, for the capture
    /// checks of lambdas and `when`.
    pub refs: Vec<(Symbol, u32)>,
}

impl FuncCtx {
    pub fn add_local(&mut self, name: Symbol, ty: TypeRef) -> u32 {
        let slot = self.nslots;
        self.nslots += 1;
        self.slot_names.push(name);
        self.locals.insert(name, (slot, ty));
        slot
    }
}

impl Sema {
    pub fn new() -> Self {
        let global_sym = Symbol::intern("GLOBAL");
        Sema {
            module: global_sym,
            export_depth: 0,
            file: 0,
            func: None,
            top_stmts: Vec::new(),
            top_ctx: FuncCtx::default(),
            fatal: false,
            global_sym,
            assign_ctx: None,
            named_ctor: false,
            in_redef: false,
            enum_decl_name: None,
            usage_issues: false,
            unused_assignments: Vec::new(),
            type_decl_span: None,
            attrs_global: false,
            decl_loc: Loc::default(),
            lhs_trailing_commas: Vec::new(),
        }
    }
}

impl Default for Sema {
    fn default() -> Self {
        Self::new()
    }
}

/// What a name refers to.
#[derive(Clone)]
pub enum Resolved {
    Local(u32, TypeRef),
    Global(u32),
}

impl Interp {
    pub(crate) fn loc(&self, span: Span) -> Loc {
        let file = self.sema.file;
        let (a, b) = match self.prog.files.get(file as usize) {
            Some(f) => (
                f.lines.line(span.start),
                f.lines.line(span.end.max(span.start + 1) - 1),
            ),
            None => (0, 0),
        };
        Loc {
            file,
            first_line: a,
            last_line: b.max(a),
        }
    }

    /// A location covering only the first line of `span`.
    pub(crate) fn loc1(&self, span: Span) -> Loc {
        let mut l = self.loc(span);
        l.last_line = l.first_line;
        l
    }

    /// The fully qualified name a declaration of `name` gets in the
    /// current module.
    pub(crate) fn full_name(&self, name: Symbol) -> Symbol {
        let s = name.as_str();
        if let Some(rest) = s.strip_prefix("GLOBAL::") {
            return Symbol::intern(rest);
        }
        if s.contains("::") || self.sema.module == self.sema.global_sym {
            return name;
        }
        Symbol::intern(&format!("{}::{}", self.sema.module, s))
    }

    /// Looks a global name up the way Zeek's `lookup_ID` does: the current
    /// module first, then the global scope.
    pub(crate) fn lookup_global(&self, name: Symbol) -> Option<u32> {
        let s = name.as_str();
        if let Some(rest) = s.strip_prefix("GLOBAL::") {
            return self.prog.lookup(Symbol::intern(rest));
        }
        if s.contains("::") {
            return self.prog.lookup(name);
        }
        if self.sema.module != self.sema.global_sym {
            let q = Symbol::intern(&format!("{}::{}", self.sema.module, s));
            if let Some(id) = self.prog.lookup(q) {
                return Some(id);
            }
        }
        self.prog.lookup(name)
    }

    pub(crate) fn resolve(&self, name: Symbol) -> Option<Resolved> {
        let ctx = self.sema.func.as_ref().unwrap_or(&self.sema.top_ctx);
        if let Some((slot, ty)) = ctx.locals.get(&name) {
            return Some(Resolved::Local(*slot, ty.clone()));
        }
        self.lookup_global(name).map(Resolved::Global)
    }

    /// The name Zeek gives a local `name`: qualified by the current module
    /// (`install_ID` uses `make_full_var_name` for locals too).
    pub(crate) fn local_full_name(&self, name: Symbol) -> Symbol {
        let s = name.as_str();
        if self.sema.module == self.sema.global_sym || s.contains("::") {
            return name;
        }
        Symbol::intern(&format!("{}::{}", self.sema.module, s))
    }

    /// The module-qualified names of a function's local slots.
    pub(crate) fn full_slot_names(&self, ctx: &FuncCtx) -> Vec<Symbol> {
        ctx.slot_names
            .iter()
            .map(|n| self.local_full_name(*n))
            .collect()
    }

    /// Whether `name` is the blank identifier `_` (possibly qualified).
    pub(crate) fn is_blank_name(name: Symbol) -> bool {
        let s = name.as_str();
        s.rsplit("::").next() == Some("_")
    }

    /// Zeek's `type_name(TypeTag)`.
    pub(crate) fn tag_name(t: crate::types::Tag) -> &'static str {
        t.name()
    }

    pub(crate) fn fctx(&mut self) -> &mut FuncCtx {
        match self.sema.func.as_mut() {
            Some(f) => f,
            None => &mut self.sema.top_ctx,
        }
    }

    /// Reports a compile-time error located at `span`.
    pub(crate) fn cerror(&mut self, span: Span, msg: &str) {
        let loc = self.loc(span);
        self.error(Some(loc), msg);
    }

    pub(crate) fn cwarn(&mut self, span: Span, msg: &str) {
        let loc = self.loc(span);
        self.warn(Some(loc), msg);
    }

    /// `event v(…)` / `schedule … { v(…) }` naming a local: a parse error.
    /// Returns whether `name` is a local.
    pub(crate) fn local_event_ref(&mut self, name: Symbol, span: Span) -> bool {
        let ctx = self.sema.func.as_ref().unwrap_or(&self.sema.top_ctx);
        if !ctx.locals.contains_key(&name) {
            return false;
        }
        let loc = self.loc1(span);
        self.error(
            Some(loc),
            &format!(
                "local identifier \"{name}\" cannot be used to reference an event, at or near \")\""
            ),
        );
        self.sema.fatal = true;
        true
    }

    /// Records a use of local `name` in `slot`.
    pub(crate) fn note_local_ref(&mut self, name: Symbol, slot: u32) {
        self.fctx().refs.push((name, slot));
    }

    /// Inside a lambda, a name that is none of its own locals but one of
    /// an enclosing function: recorded as used without capture, and given
    /// a scratch slot (the lambda is in error and never runs).
    pub(crate) fn outer_local_ref(&mut self, name: Symbol) -> Option<(u32, TypeRef)> {
        let ctx = self.fctx();
        if ctx.locals.contains_key(&name) {
            return None;
        }
        let (t, _) = ctx.outer.get(&name)?.clone();
        if !ctx.outer_refs.contains(&name) {
            ctx.outer_refs.push(name);
        }
        let slot = ctx.nslots;
        ctx.nslots += 1;
        Some((slot, t))
    }

    /// Zeek stops at an unknown identifier.
    pub(crate) fn unknown_identifier(&mut self, name: Symbol, span: Span) {
        let loc = self.loc1(span);
        self.error(
            Some(loc),
            &format!("unknown identifier {name}, at or near \"{name}\""),
        );
        self.sema.fatal = true;
    }

    /// An error with Zeek's pair of locations `FIRST and SECOND` (each a
    /// described location or a type's pseudo-location such as `count`).
    pub(crate) fn error_pair(&mut self, first: &str, second: Option<&str>, msg: &str) {
        self.error_count += 1;
        let line = match second {
            Some(b) if b != first => format!("error in {first} and {b}: {msg}\n"),
            _ => format!("error in {first}: {msg}\n"),
        };
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }

    /// A location as the reporter writes it.
    pub(crate) fn loc_str(&self, loc: Loc) -> String {
        let mut s = String::new();
        self.describe_loc(loc, &mut s);
        s
    }

    /// The pseudo-location Zeek gives a type in messages: base types are
    /// located at their name (`count`).
    pub(crate) fn type_loc(&self, t: &TypeRef) -> Option<String> {
        use crate::types::Tag;
        match t.tag() {
            Tag::Record
            | Tag::Enum
            | Tag::Table
            | Tag::Vector
            | Tag::Func
            | Tag::File
            | Tag::Opaque
            | Tag::List
            | Tag::Type => t.loc.get().map(|l| self.loc_str(l)),
            tag => Some(Self::tag_name(tag).to_string()),
        }
    }
}
