//! Zeek's type system: the run-time representation of types.
//!
//! Types are shared (`Rc`). Record and enum types are mutable after
//! creation because `redef record … += { }` and `redef enum … += { }` extend
//! them in place, as in Zeek.

use crate::value::Value;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use zest_syntax::ast::AttrKind;
use zest_syntax::Symbol;

pub type TypeRef = Rc<Type>;

/// The tag Zeek calls `TypeTag` (`TYPE_BOOL`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    Void,
    Bool,
    Int,
    Count,
    Double,
    Time,
    Interval,
    String,
    Pattern,
    Enum,
    Port,
    Addr,
    Subnet,
    Any,
    Table,
    Record,
    List,
    Func,
    Opaque,
    Vector,
    File,
    Type,
    Error,
}

impl Tag {
    /// Zeek's `type_name(TypeTag)`: the name messages use for a type tag.
    pub fn name(self) -> &'static str {
        match self {
            Tag::Void => "void",
            Tag::Bool => "bool",
            Tag::Int => "int",
            Tag::Count => "count",
            Tag::Double => "double",
            Tag::Time => "time",
            Tag::Interval => "interval",
            Tag::String => "string",
            Tag::Pattern => "pattern",
            Tag::Enum => "enum",
            Tag::Port => "port",
            Tag::Addr => "addr",
            Tag::Subnet => "subnet",
            Tag::Any => "any",
            Tag::Table => "table",
            Tag::Record => "record",
            Tag::List => "types",
            Tag::Func => "func",
            Tag::Opaque => "opaque",
            Tag::Vector => "vector",
            Tag::File => "file",
            Tag::Type => "type",
            Tag::Error => "error",
        }
    }
}

#[derive(Debug)]
pub struct Type {
    pub kind: TypeKind,
    /// The declared name of a named type (`type X: …`), for printing.
    pub name: RefCell<Option<Symbol>>,
    /// Where a declared type was written (Zeek reports a type's location
    /// beside an expression's in type errors); unset for other types.
    pub loc: std::cell::Cell<Option<crate::ir::Loc>>,
}

#[derive(Debug)]
pub enum TypeKind {
    Void,
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
    Enum(EnumType),
    Record(RecordType),
    /// A table; `yield_` is `None` for sets.
    Table {
        index: Vec<TypeRef>,
        yield_: Option<TypeRef>,
    },
    Vector(TypeRef),
    Func(FuncType),
    /// A composite index type, or the type of `[a, b]` expressions.
    List(Vec<TypeRef>),
    Opaque(Symbol),
    File(TypeRef),
    /// The type of a type value (`type_name(count)`).
    Type(TypeRef),
    Error,
}

#[derive(Debug, Default)]
pub struct EnumType {
    /// (name, value) in declaration order.
    pub names: RefCell<Vec<(Symbol, i64)>>,
    pub counter: RefCell<i64>,
}

impl EnumType {
    pub fn name_of(&self, v: i64) -> Option<Symbol> {
        self.names
            .borrow()
            .iter()
            .find(|(_, x)| *x == v)
            .map(|(n, _)| *n)
    }
    pub fn value_of(&self, name: Symbol) -> Option<i64> {
        self.names
            .borrow()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// Attributes of a record field, a global or a table, with their values
/// evaluated or compiled.
#[derive(Debug, Clone, Default)]
pub struct Attrs {
    pub list: Vec<(AttrKind, Option<Rc<crate::ir::Expr>>)>,
}

impl Attrs {
    pub fn has(&self, k: AttrKind) -> bool {
        self.list.iter().any(|(a, _)| *a == k)
    }
    pub fn get(&self, k: AttrKind) -> Option<&Rc<crate::ir::Expr>> {
        self.list
            .iter()
            .find(|(a, _)| *a == k)
            .and_then(|(_, e)| e.as_ref())
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Symbol,
    pub ty: TypeRef,
    pub attrs: Attrs,
    /// Constant default (`&default=` folded), or none.
    pub default: Option<Value>,
}

impl Field {
    pub fn optional(&self) -> bool {
        self.attrs.has(AttrKind::Optional)
    }
    pub fn log(&self) -> bool {
        self.attrs.has(AttrKind::Log)
    }
}

#[derive(Debug, Default)]
pub struct RecordType {
    pub fields: RefCell<Vec<Field>>,
}

impl RecordType {
    pub fn field_index(&self, name: Symbol) -> Option<usize> {
        self.fields.borrow().iter().position(|f| f.name == name)
    }
    pub fn len(&self) -> usize {
        self.fields.borrow().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Function,
    Event,
    Hook,
}

#[derive(Debug)]
pub struct FuncType {
    pub flavor: Flavor,
    pub params: Vec<Param>,
    pub ret: Option<TypeRef>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: Symbol,
    pub ty: TypeRef,
    pub default: Option<Rc<crate::ir::Expr>>,
    /// Zeek's description of the parameter's attributes (`&default=1,
    /// &optional`), as the type's description shows them.
    pub attrs_desc: Option<Rc<str>>,
    /// `&deprecated` on the parameter (its message, possibly empty).
    pub deprecated: Option<String>,
}

impl Type {
    /// Zeek's `Type::ShallowClone` for a type that `type X: T` names (not
    /// a record or enum): the same structure, its parts shared, under the
    /// new name. `None` for the error type.
    pub fn shallow_clone_named(&self, name: Symbol) -> Option<TypeRef> {
        let kind = match &self.kind {
            TypeKind::Void => TypeKind::Void,
            TypeKind::Bool => TypeKind::Bool,
            TypeKind::Int => TypeKind::Int,
            TypeKind::Count => TypeKind::Count,
            TypeKind::Double => TypeKind::Double,
            TypeKind::Time => TypeKind::Time,
            TypeKind::Interval => TypeKind::Interval,
            TypeKind::String => TypeKind::String,
            TypeKind::Pattern => TypeKind::Pattern,
            TypeKind::Port => TypeKind::Port,
            TypeKind::Addr => TypeKind::Addr,
            TypeKind::Subnet => TypeKind::Subnet,
            TypeKind::Any => TypeKind::Any,
            TypeKind::Table { index, yield_ } => TypeKind::Table {
                index: index.clone(),
                yield_: yield_.clone(),
            },
            TypeKind::Vector(y) => TypeKind::Vector(y.clone()),
            TypeKind::Func(f) => TypeKind::Func(FuncType {
                flavor: f.flavor,
                params: f.params.clone(),
                ret: f.ret.clone(),
            }),
            TypeKind::List(l) => TypeKind::List(l.clone()),
            TypeKind::Opaque(n) => TypeKind::Opaque(*n),
            TypeKind::File(y) => TypeKind::File(y.clone()),
            TypeKind::Type(y) => TypeKind::Type(y.clone()),
            TypeKind::Record(_) | TypeKind::Enum(_) | TypeKind::Error => return None,
        };
        let t = Type::new(kind);
        *t.name.borrow_mut() = Some(name);
        Some(t)
    }

    pub fn new(kind: TypeKind) -> TypeRef {
        Rc::new(Type {
            kind,
            name: RefCell::new(None),
            loc: std::cell::Cell::new(None),
        })
    }

    pub fn tag(&self) -> Tag {
        match &self.kind {
            TypeKind::Void => Tag::Void,
            TypeKind::Bool => Tag::Bool,
            TypeKind::Int => Tag::Int,
            TypeKind::Count => Tag::Count,
            TypeKind::Double => Tag::Double,
            TypeKind::Time => Tag::Time,
            TypeKind::Interval => Tag::Interval,
            TypeKind::String => Tag::String,
            TypeKind::Pattern => Tag::Pattern,
            TypeKind::Port => Tag::Port,
            TypeKind::Addr => Tag::Addr,
            TypeKind::Subnet => Tag::Subnet,
            TypeKind::Any => Tag::Any,
            TypeKind::Enum(_) => Tag::Enum,
            TypeKind::Record(_) => Tag::Record,
            TypeKind::Table { .. } => Tag::Table,
            TypeKind::Vector(_) => Tag::Vector,
            TypeKind::Func(_) => Tag::Func,
            TypeKind::List(_) => Tag::List,
            TypeKind::Opaque(_) => Tag::Opaque,
            TypeKind::File(_) => Tag::File,
            TypeKind::Type(_) => Tag::Type,
            TypeKind::Error => Tag::Error,
        }
    }

    pub fn is_set(&self) -> bool {
        matches!(&self.kind, TypeKind::Table { yield_: None, .. })
    }

    pub fn is_arith(&self) -> bool {
        matches!(self.tag(), Tag::Count | Tag::Int | Tag::Double)
    }

    pub fn record(&self) -> Option<&RecordType> {
        match &self.kind {
            TypeKind::Record(r) => Some(r),
            _ => None,
        }
    }

    pub fn func(&self) -> Option<&FuncType> {
        match &self.kind {
            TypeKind::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn table_index(&self) -> Option<&[TypeRef]> {
        match &self.kind {
            TypeKind::Table { index, .. } => Some(index),
            _ => None,
        }
    }

    pub fn yield_type(&self) -> Option<&TypeRef> {
        match &self.kind {
            TypeKind::Table { yield_, .. } => yield_.as_ref(),
            TypeKind::Vector(y) => Some(y),
            TypeKind::Func(f) => f.ret.as_ref(),
            _ => None,
        }
    }

    pub fn type_name(&self) -> Option<Symbol> {
        *self.name.borrow()
    }

    /// Zeek's `Type::Describe` in its one-line form, as `type_name` and
    /// error messages show it.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.describe_into(&mut s);
        s
    }

    pub fn describe_into(&self, s: &mut String) {
        if let Some(n) = self.type_name() {
            s.push_str(n.as_str());
            return;
        }
        match &self.kind {
            TypeKind::Void => s.push_str("void"),
            TypeKind::Bool => s.push_str("bool"),
            TypeKind::Int => s.push_str("int"),
            TypeKind::Count => s.push_str("count"),
            TypeKind::Double => s.push_str("double"),
            TypeKind::Time => s.push_str("time"),
            TypeKind::Interval => s.push_str("interval"),
            TypeKind::String => s.push_str("string"),
            TypeKind::Pattern => s.push_str("pattern"),
            TypeKind::Port => s.push_str("port"),
            TypeKind::Addr => s.push_str("addr"),
            TypeKind::Subnet => s.push_str("subnet"),
            TypeKind::Any => s.push_str("any"),
            TypeKind::Error => s.push_str("error"),
            TypeKind::Enum(_) => s.push_str("enum"),
            TypeKind::Record(r) => {
                // Zeek: `record {`, the fields each after a space, ` }`.
                s.push_str("record {");
                for f in r.fields.borrow().iter() {
                    let _ = write!(s, " {}:", f.name);
                    f.ty.describe_into(s);
                    s.push(';');
                }
                if r.fields.borrow().is_empty() {
                    s.push(' ');
                }
                s.push_str(" }");
            }
            TypeKind::Table { index, yield_ } => {
                s.push_str(if yield_.is_some() { "table[" } else { "set[" });
                for (i, t) in index.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    t.describe_into(s);
                }
                s.push(']');
                if let Some(y) = yield_ {
                    s.push_str(" of ");
                    y.describe_into(s);
                }
            }
            TypeKind::Vector(y) => {
                s.push_str("vector of ");
                y.describe_into(s);
            }
            TypeKind::Func(f) => {
                s.push_str(match f.flavor {
                    Flavor::Function => "function",
                    Flavor::Event => "event",
                    Flavor::Hook => "hook",
                });
                s.push('(');
                for (i, p) in f.params.iter().enumerate() {
                    if i > 0 {
                        s.push(' ');
                    }
                    let _ = write!(s, "{}:", p.name);
                    p.ty.describe_into(s);
                    if let Some(a) = &p.attrs_desc {
                        s.push(' ');
                        s.push_str(a);
                    }
                    s.push(';');
                }
                s.push(')');
                // A function declared without a return type yields void
                // (parse.y's func_params), which Zeek shows; an event
                // yields nothing.
                match (&f.ret, f.flavor) {
                    (_, Flavor::Event) => {}
                    (Some(r), _) => {
                        s.push_str(" : ");
                        r.describe_into(s);
                    }
                    (None, Flavor::Function) => s.push_str(" : void"),
                    (None, Flavor::Hook) => {}
                }
            }
            TypeKind::List(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    t.describe_into(s);
                }
            }
            TypeKind::Opaque(n) => {
                let _ = write!(s, "opaque of {n}");
            }
            TypeKind::File(t) => {
                s.push_str("file of ");
                t.describe_into(s);
            }
            TypeKind::Type(t) => {
                s.push_str("type ");
                t.describe_into(s);
            }
        }
    }
}

/// Shared instances of the simple types.
pub struct BaseTypes {
    pub void: TypeRef,
    pub bool_: TypeRef,
    pub int: TypeRef,
    pub count: TypeRef,
    pub double: TypeRef,
    pub time: TypeRef,
    pub interval: TypeRef,
    pub string: TypeRef,
    pub pattern: TypeRef,
    pub port: TypeRef,
    pub addr: TypeRef,
    pub subnet: TypeRef,
    pub any: TypeRef,
    pub error: TypeRef,
}

impl BaseTypes {
    pub fn new() -> Self {
        BaseTypes {
            void: Type::new(TypeKind::Void),
            bool_: Type::new(TypeKind::Bool),
            int: Type::new(TypeKind::Int),
            count: Type::new(TypeKind::Count),
            double: Type::new(TypeKind::Double),
            time: Type::new(TypeKind::Time),
            interval: Type::new(TypeKind::Interval),
            string: Type::new(TypeKind::String),
            pattern: Type::new(TypeKind::Pattern),
            port: Type::new(TypeKind::Port),
            addr: Type::new(TypeKind::Addr),
            subnet: Type::new(TypeKind::Subnet),
            any: Type::new(TypeKind::Any),
            error: Type::new(TypeKind::Error),
        }
    }
}

impl Default for BaseTypes {
    fn default() -> Self {
        Self::new()
    }
}

/// Structural type equality as Zeek's `same_type` checks it.
pub fn same_type(a: &TypeRef, b: &TypeRef) -> bool {
    same_type_impl(a, b, false)
}

/// Zeek's `same_type` as run-time casts, `is` and option change handlers
/// use it: `any` anywhere in either type matches every type.
pub fn same_type_or_any(a: &TypeRef, b: &TypeRef) -> bool {
    same_type_impl(a, b, true)
}

fn same_type_impl(a: &TypeRef, b: &TypeRef, any: bool) -> bool {
    if Rc::ptr_eq(a, b) {
        return true;
    }
    if any && (a.tag() == Tag::Any || b.tag() == Tag::Any) {
        return true;
    }
    let same_type = |x: &TypeRef, y: &TypeRef| same_type_impl(x, y, any);
    match (&a.kind, &b.kind) {
        (TypeKind::Enum(_), TypeKind::Enum(_)) | (TypeKind::Record(_), TypeKind::Record(_)) => {
            match (a.type_name(), b.type_name()) {
                (Some(x), Some(y)) => x == y,
                _ => match (&a.kind, &b.kind) {
                    (TypeKind::Record(ra), TypeKind::Record(rb)) => {
                        let fa = ra.fields.borrow();
                        let fb = rb.fields.borrow();
                        fa.len() == fb.len()
                            && fa
                                .iter()
                                .zip(fb.iter())
                                .all(|(x, y)| x.name == y.name && same_type(&x.ty, &y.ty))
                    }
                    _ => false,
                },
            }
        }
        (
            TypeKind::Table {
                index: ia,
                yield_: ya,
            },
            TypeKind::Table {
                index: ib,
                yield_: yb,
            },
        ) => {
            ia.len() == ib.len()
                && ia.iter().zip(ib).all(|(x, y)| same_type(x, y))
                && match (ya, yb) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same_type(x, y),
                    _ => false,
                }
        }
        (TypeKind::Vector(x), TypeKind::Vector(y)) => same_type(x, y),
        (TypeKind::List(x), TypeKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_type(p, q))
        }
        (TypeKind::Func(f), TypeKind::Func(g)) => {
            f.flavor == g.flavor
                && f.params.len() == g.params.len()
                && f.params
                    .iter()
                    .zip(&g.params)
                    .all(|(p, q)| same_type(&p.ty, &q.ty))
                && match (&f.ret, &g.ret) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same_type(x, y),
                    _ => false,
                }
        }
        (TypeKind::Opaque(x), TypeKind::Opaque(y)) => x == y,
        (TypeKind::File(x), TypeKind::File(y)) => same_type(x, y),
        (TypeKind::Type(x), TypeKind::Type(y)) => same_type(x, y),
        _ => a.tag() == b.tag(),
    }
}

/// `threading::Value::IsCompatibleType`: the types log writers take (and,
/// `atomic_only`, what a `&backend` table may hold as values).
pub fn threading_compatible_type(t: &TypeRef, atomic_only: bool) -> bool {
    match t.tag() {
        Tag::Bool
        | Tag::Int
        | Tag::Count
        | Tag::Port
        | Tag::Subnet
        | Tag::Addr
        | Tag::Double
        | Tag::Time
        | Tag::Interval
        | Tag::Enum
        | Tag::String
        | Tag::File
        | Tag::Func => true,
        Tag::Record => !atomic_only,
        Tag::Table => {
            !atomic_only
                && t.is_set()
                && set_pure_type(t).is_some_and(|p| threading_compatible_type(&p, true))
        }
        Tag::Vector => {
            !atomic_only
                && t.yield_type()
                    .is_some_and(|y| threading_compatible_type(y, true))
        }
        _ => false,
    }
}

/// The single type of a set's index (`GetIndices()->GetPureType()`).
pub fn set_pure_type(t: &TypeRef) -> Option<TypeRef> {
    let idx = t.table_index()?;
    let first = idx.first()?;
    idx.iter()
        .all(|x| same_type(x, first))
        .then(|| first.clone())
}
