//! The abstract syntax tree of Zeek 5.2 scripts.
//!
//! The tree follows `src/parse.y` closely: one node kind per grammar
//! alternative that has its own meaning. `@if`/`@ifdef`/`@ifndef` are not in
//! the tree: they are decided while parsing (see [`crate::CondEval`]), as in
//! Zeek, so only the active branch is parsed into declarations.

use crate::span::Span;
use crate::symbol::Symbol;
use serde::Serialize;
use std::net::IpAddr;

/// An identifier with its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Name {
    pub sym: Symbol,
    pub span: Span,
}

/// Documentation comments (`##`, `##<`) attached to a declaration, field or
/// enum value, without the comment markers.
pub type Docs = Vec<String>;

// ---------------------------------------------------------------- types

/// A type as written in source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum TypeExpr {
    Bool,
    Int,
    Count,
    Double,
    Time,
    Interval,
    String,
    Pattern,
    Port,
    Addr,
    Subnet,
    Any,
    Table {
        index: Vec<TypeExpr>,
        yield_: Box<TypeExpr>,
    },
    Set {
        index: Vec<TypeExpr>,
    },
    Record(Vec<FieldDecl>),
    Enum(Vec<EnumItem>),
    List(Option<Box<TypeExpr>>),
    Vector(Box<TypeExpr>),
    Function(FuncSig),
    Event(Vec<Param>),
    Hook(Vec<Param>),
    File(Option<Box<TypeExpr>>),
    Opaque(Name),
    Named(Name),
}

/// `name: type &attrs;` in a record type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldDecl {
    pub name: Name,
    pub ty: TypeExpr,
    pub attrs: Vec<Attr>,
    pub docs: Docs,
    pub span: Span,
}

/// One value of an enum body: `NAME [= N] [&deprecated[="msg"]]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnumItem {
    pub name: Name,
    pub value: Option<i64>,
    pub deprecated: Option<Option<Expr>>,
    pub docs: Docs,
}

/// A formal parameter: `name: type &attrs`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    pub name: Name,
    pub ty: TypeExpr,
    pub attrs: Vec<Attr>,
}

/// `(params) [: ret]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FuncSig {
    pub params: Vec<Param>,
    pub ret: Option<Box<TypeExpr>>,
    pub span: Span,
}

// ---------------------------------------------------------------- attributes

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AttrKind {
    Default,
    Optional,
    Redef,
    IsAssigned,
    IsUsed,
    AddFunc,
    DelFunc,
    OnChange,
    BrokerStore,
    BrokerAllowComplex,
    Backend,
    ExpireFunc,
    CreateExpire,
    ReadExpire,
    WriteExpire,
    RawOutput,
    Priority,
    Group,
    TypeColumn,
    Log,
    ErrorHandler,
    Deprecated,
    Ordered,
}

impl AttrKind {
    /// The attribute as Zeek spells it, e.g. `&default`.
    pub fn name(self) -> &'static str {
        match self {
            AttrKind::Default => "&default",
            AttrKind::Optional => "&optional",
            AttrKind::Redef => "&redef",
            AttrKind::IsAssigned => "&is_assigned",
            AttrKind::IsUsed => "&is_used",
            AttrKind::AddFunc => "&add_func",
            AttrKind::DelFunc => "&delete_func",
            AttrKind::OnChange => "&on_change",
            AttrKind::BrokerStore => "&broker_store",
            AttrKind::BrokerAllowComplex => "&broker_allow_complex_type",
            AttrKind::Backend => "&backend",
            AttrKind::ExpireFunc => "&expire_func",
            AttrKind::CreateExpire => "&create_expire",
            AttrKind::ReadExpire => "&read_expire",
            AttrKind::WriteExpire => "&write_expire",
            AttrKind::RawOutput => "&raw_output",
            AttrKind::Priority => "&priority",
            AttrKind::Group => "&group",
            AttrKind::TypeColumn => "&type_column",
            AttrKind::Log => "&log",
            AttrKind::ErrorHandler => "&error_handler",
            AttrKind::Deprecated => "&deprecated",
            AttrKind::Ordered => "&ordered",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attr {
    pub kind: AttrKind,
    pub value: Option<Expr>,
    pub span: Span,
}

// ---------------------------------------------------------------- expressions

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Proto {
    Tcp,
    Udp,
    Icmp,
    Unknown,
}

/// A constant as the scanner produces it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Literal {
    Bool(bool),
    Count(u64),
    Double(f64),
    /// Seconds.
    Interval(f64),
    Port(u32, Proto),
    Addr(IpAddr),
    Subnet(IpAddr, u32),
    String(Vec<u8>),
    /// A host name such as `www.example.com`, resolved at run time.
    Hostname(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum UnOp {
    Not,
    BitNot,
    Neg,
    Pos,
    PreIncr,
    PreDecr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinOp {
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
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

impl BinOp {
    /// The operator as Zeek prints it in expression descriptions.
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "!in",
        }
    }
}

/// `=`, `+=` or `-=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AssignOp {
    Assign,
    AddTo,
    RemoveFrom,
}

/// A capture of an anonymous function or `when`: `[copy] name`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Capture {
    pub name: Name,
    pub deep_copy: bool,
}

/// `function [captures] (params): ret { body }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lambda {
    pub captures: Option<Vec<Capture>>,
    pub sig: FuncSig,
    pub body: Block,
}

/// `name(args)` as used by `event` statements and `schedule`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventCall {
    pub name: Name,
    pub args: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    Const(Literal),
    /// A pattern literal: the text between the slashes and its modes.
    Pattern {
        text: String,
        case_insensitive: bool,
        single_line: bool,
    },
    Name(Name),
    /// `@DIR`.
    Dir,
    /// `@FILENAME`.
    Filename,
    Paren(Box<Expr>),
    Copy(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a = b`, `a += b`, `a -= b`.
    Assign(AssignOp, Box<Expr>, Box<Expr>),
    /// `{ a, b, c }` on the right of an assignment or initialization.
    BraceList(Vec<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `local x = e` inside a `when` condition.
    WhenLocal(Name, Box<Expr>),
    Index(Box<Expr>, Vec<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Field(Box<Expr>, Name),
    HasField(Box<Expr>, Name),
    /// `$name = e` in a constructor.
    FieldAssign(Name, Box<Expr>),
    /// `$name(params) = { body }`.
    FieldLambda(Name, Box<Lambda>),
    /// `[a, b, $c=d]`.
    List(Vec<Expr>),
    /// `record(...)`.
    RecordCons(Vec<Expr>),
    /// `table(...) &attrs`.
    TableCons(Vec<Expr>, Vec<Attr>),
    /// `set(...) &attrs`.
    SetCons(Vec<Expr>, Vec<Attr>),
    /// `vector(...)`.
    VectorCons(Vec<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    /// `hook f(...)`.
    Hook(Box<Expr>),
    Lambda(Box<Lambda>),
    Schedule(Box<Expr>, EventCall),
    /// `|e|`.
    Abs(Box<Expr>),
    As(Box<Expr>, Box<TypeExpr>),
    Is(Box<Expr>, Box<TypeExpr>),
}

// ---------------------------------------------------------------- statements

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// Loop variables of a `for`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForVars {
    /// `x` or `[a, b]`.
    pub keys: Vec<Name>,
    /// Whether the keys were written in brackets.
    pub bracketed: bool,
    /// `, v` for key-value iteration.
    pub value: Option<Name>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum CaseLabel {
    Values(Vec<Expr>),
    /// `type T [as x], ...`.
    Types(Vec<(TypeExpr, Option<Name>)>),
    Default,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    pub label: CaseLabel,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct When {
    pub is_return: bool,
    pub captures: Option<Vec<Capture>>,
    pub cond: Expr,
    pub body: Box<Stmt>,
    pub timeout: Option<(Expr, Block)>,
}

/// `local`/`const` inside a body, and `global`/`const`/`option`/`redef`
/// at the top level.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VarDecl {
    pub name: Name,
    pub ty: Option<TypeExpr>,
    pub op: Option<AssignOp>,
    pub init: Option<Expr>,
    pub attrs: Vec<Attr>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum StmtKind {
    Block(Block),
    Print(Vec<Expr>),
    Event(EventCall),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    Switch(Expr, Vec<Case>),
    For(ForVars, Expr, Box<Stmt>),
    While(Expr, Box<Stmt>),
    Next,
    Break,
    Fallthrough,
    Return(Option<Expr>),
    Add(Expr),
    Delete(Expr),
    Local(VarDecl),
    Const(VarDecl),
    When(Box<When>),
    Expr(Expr),
    Empty,
}

// ---------------------------------------------------------------- declarations

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum VarKind {
    Global,
    Const,
    Option,
    Redef,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FuncKind {
    Function,
    Event,
    Hook,
    /// `redef event name(...)`.
    RedefEvent,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FuncDecl {
    pub kind: FuncKind,
    pub name: Name,
    pub sig: FuncSig,
    pub attrs: Vec<Attr>,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decl {
    pub kind: DeclKind,
    pub docs: Docs,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum DeclKind {
    Module(Name),
    /// `export {` starts; its declarations follow as ordinary items and
    /// [`DeclKind::ExportEnd`] closes it.
    ExportBegin,
    ExportEnd,
    Var(VarKind, VarDecl),
    RedefEnum {
        name: Name,
        items: Vec<EnumItem>,
    },
    /// `redef record R$f += { &attrs };` (or `-=`).
    RedefFieldAttrs {
        record: Name,
        field: Name,
        add: bool,
        attrs: Vec<Attr>,
    },
    RedefRecord {
        name: Name,
        fields: Vec<FieldDecl>,
        attrs: Vec<Attr>,
    },
    Type {
        name: Name,
        ty: TypeExpr,
        attrs: Vec<Attr>,
    },
    Func(Box<FuncDecl>),
    /// A top-level statement (Zeek allows statements after the declarations).
    Stmt(Stmt),
    Load(String),
    LoadSigs(String),
    LoadPlugin(String),
    Unload(String),
    Prefixes {
        add: bool,
        prefix: String,
    },
    /// `@deprecated "msg"` on the file: the rest of the line, as written.
    Deprecated(Option<String>),
}
