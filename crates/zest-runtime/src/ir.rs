//! The resolved, typed program the interpreter runs.
//!
//! Every name is resolved at compile time: locals to frame slots, globals
//! to indices, functions and events to ids, record fields to positions.
//! Nothing on the execution path looks a name up by string.

use crate::types::TypeRef;
use crate::value::Value;
use std::rc::Rc;
use zest_syntax::Symbol;

/// A source position as Zeek reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: u32,
    pub first_line: u32,
    pub last_line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Count,
    Int,
    Double,
    Time,
    Interval,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinKind {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: TypeRef,
    pub loc: Loc,
}

/// What can be assigned to.
#[derive(Debug)]
pub enum LValue {
    Local(u32, Symbol),
    Global(u32),
    Field(Box<Expr>, usize),
    Index(Box<Expr>, Vec<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `[a, b] = idx`: the parts of a composite value.
    List(Vec<LValue>),
    Bad,
}

#[derive(Debug)]
pub enum Callee {
    /// A global script function, event or hook (global id of the function).
    Global(u32),
    Builtin(u32),
    /// A function-typed expression evaluated at run time.
    Dynamic(Box<Expr>),
}

#[derive(Debug)]
pub enum ExprKind {
    Const(Value),
    Local(u32, Symbol),
    Global(u32),
    /// An argument evaluated once: `Not`, `Neg`, `BitNot`, `Pos`.
    Not(Box<Expr>),
    Neg(Box<Expr>, Arith),
    Pos(Box<Expr>),
    BitNot(Box<Expr>),
    /// `++x` / `--x`.
    IncrDecr(LValue, bool),
    Binary(BinKind, Arith, Box<Expr>, Box<Expr>),
    /// String `+`, comparisons, `in`.
    StrCat(Box<Expr>, Box<Expr>),
    /// Comparison of two values of any comparable type.
    Compare(BinKind, Box<Expr>, Box<Expr>),
    /// Vector arithmetic element by element.
    VecBinary(BinKind, Arith, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// Pattern `&` and `|`.
    PatternOp(bool, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Box<Expr>),
    NotIn(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Assign(LValue, Box<Expr>),
    /// `+=` on a container (vector append, set union, table merge) or a
    /// number/string (already rewritten to `x = x + e` for scalars).
    AddTo(LValue, Box<Expr>),
    RemoveFrom(LValue, Box<Expr>),
    Field(Box<Expr>, usize),
    HasField(Box<Expr>, usize),
    Index(Box<Expr>, Vec<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Call(Callee, Vec<Expr>),
    Hook(Callee, Vec<Expr>),
    RecordCtor(Vec<(usize, Expr)>),
    /// `table(...)`/`{...}` initializers: keys and values.
    /// `&default`, `&ordered`, and expiration/`&on_change` attributes.
    TableCtor(
        Vec<(Vec<Expr>, Option<Expr>)>,
        Option<Rc<Expr>>,
        bool,
        Option<Rc<crate::table::TableAttrs>>,
    ),
    VectorCtor(Vec<Expr>),
    /// `[a, b]` used as a composite index.
    List(Vec<Expr>),
    /// A parameter's `&default` filling a missing argument: evaluated at
    /// each call, as Zeek appends the expression to the arguments.
    DefaultArg(Rc<Expr>),
    Lambda(Rc<LambdaDef>),
    Schedule(Box<Expr>, u32, Vec<Expr>),
    Size(Box<Expr>),
    Copy(Box<Expr>),
    /// A parenthesized expression: the same value, described in parens.
    Paren(Box<Expr>),
    /// Coercion to the expression's type (numeric promotion, record
    /// coercion, `any` wrapping, container retyping).
    Coerce(Box<Expr>),
    /// Coercion from `any` to a concrete type (`as`).
    Cast(Box<Expr>),
    /// An `any` value where another type is expected (Zeek's
    /// `CoerceFromAnyExpr`): only the type tags must agree.
    FromAny(Box<Expr>),
    Is(Box<Expr>, TypeRef),
    /// A type used as a value.
    TypeVal(TypeRef),
    /// The `local x = e` inside `when` conditions.
    WhenLocal(u32, Box<Expr>),
    /// An expression that failed to compile; evaluating it is an error.
    Error,
}

#[derive(Debug)]
pub struct LambdaDef {
    pub name: Symbol,
    pub ty: TypeRef,
    /// Slot in the enclosing frame of each capture, and whether it is
    /// deep-copied.
    pub captures: Vec<(u32, bool)>,
    /// The type of each capture.
    pub capture_types: Vec<TypeRef>,
    pub body: Rc<Body>,
}

#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub loc: Loc,
}

#[derive(Debug)]
pub enum ForKind {
    /// Table or set: key slots (one per index) and an optional value slot.
    Table { keys: Vec<u32>, value: Option<u32> },
    /// Vector: index slot and optional value slot.
    Vector { index: u32, value: Option<u32> },
    /// String: one-character substrings.
    String { var: u32 },
}

#[derive(Debug)]
pub struct SwitchCase {
    pub values: Vec<Value>,
    /// `case type T as x`: the types and binding slots.
    pub types: Vec<(TypeRef, Option<u32>)>,
    pub default: bool,
    pub body: Vec<Stmt>,
}

#[derive(Debug)]
pub enum StmtKind {
    Expr(Expr),
    Print(Vec<Expr>),
    Event(u32, Vec<Expr>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    Switch(Expr, Vec<SwitchCase>),
    For(ForKind, Expr, Box<Stmt>),
    While(Expr, Box<Stmt>),
    Next,
    Break,
    Fallthrough,
    Return(Option<Expr>),
    Add(Expr),
    Delete(Expr),
    /// `local x [= e]`: initialize the slot (with the type's default for
    /// aggregates). The flag tells whether the script gave an initializer.
    Init(u32, Option<Expr>, bool),
    When(Rc<WhenStmt>),
    Block(Vec<Stmt>),
    Empty,
}

#[derive(Debug)]
pub struct WhenStmt {
    pub cond: Expr,
    pub body: Stmt,
    pub timeout: Option<(Expr, Vec<Stmt>)>,
    pub is_return: bool,
    /// Frame size needed by the condition/body (they run in a copy of the
    /// enclosing frame).
    pub frame_size: u32,
    /// Without a `[…]` capture list (Zeek's deprecated semantics) the
    /// frame is deep-copied when the statement executes and again for each
    /// evaluation of the condition.
    pub deep_copy: bool,
    /// A condition that refers to no global variable (only constants,
    /// functions called by name and locals): the local slots it reads.
    /// Zeek re-evaluates such a condition only when a value it waits for
    /// arrives, or when one of those locals holds an aggregate that
    /// changes (its triggers watch globals and aggregates, nothing else).
    pub static_locals: Option<Vec<u32>>,
}

/// The local slots an expression reads, if it refers to no global
/// variable and calls functions only by name (see
/// [`WhenStmt::static_locals`]). Conservative: anything else is `None`.
pub fn static_locals(e: &Expr) -> Option<Vec<u32>> {
    fn walk(e: &Expr, out: &mut Vec<u32>) -> bool {
        use ExprKind as K;
        match &e.kind {
            K::Const(_) | K::TypeVal(_) => true,
            K::Local(slot, _) => {
                out.push(*slot);
                true
            }
            K::Not(x)
            | K::Neg(x, _)
            | K::Pos(x)
            | K::BitNot(x)
            | K::Paren(x)
            | K::Coerce(x)
            | K::Cast(x)
            | K::FromAny(x)
            | K::Size(x)
            | K::Is(x, _)
            | K::Field(x, _)
            | K::HasField(x, _)
            | K::WhenLocal(_, x) => walk(x, out),
            K::Binary(_, _, a, b)
            | K::StrCat(a, b)
            | K::Compare(_, a, b)
            | K::VecBinary(_, _, a, b)
            | K::And(a, b)
            | K::Or(a, b)
            | K::PatternOp(_, a, b)
            | K::In(a, b)
            | K::NotIn(a, b) => walk(a, out) && walk(b, out),
            K::Cond(a, b, c) => walk(a, out) && walk(b, out) && walk(c, out),
            K::Call(Callee::Global(_) | Callee::Builtin(_), args)
            | K::List(args)
            | K::VectorCtor(args) => args.iter().all(|a| walk(a, out)),
            K::Index(x, idx) => walk(x, out) && idx.iter().all(|a| walk(a, out)),
            K::RecordCtor(fields) => fields.iter().all(|(_, a)| walk(a, out)),
            _ => false,
        }
    }
    let mut out = Vec::new();
    walk(e, &mut out).then_some(out)
}

/// One body of a function, event handler or hook.
#[derive(Debug)]
pub struct Body {
    pub stmts: Vec<Stmt>,
    pub frame_size: u32,
    pub priority: i64,
    pub loc: Loc,
    /// Parameter slots are 0..nparams.
    pub nparams: u32,
    /// Event groups of a handler body: `&group` names and its module.
    pub groups: Vec<(GroupKind, Symbol)>,
    /// The (module-qualified) name of each local slot, for describing the
    /// body as Zeek's `Func::Describe` does.
    pub slot_names: Vec<Symbol>,
}

/// The two kinds of event groups (`enable_event_group` and
/// `enable_module_events`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupKind {
    Attribute,
    Module,
}
