//! What a log writer receives: the column descriptions (`threading::Field`)
//! and one row of values (`threading::Value`), as owned data that does not
//! refer to the interpreter, so a writer can run on a thread of its own.
//!
//! Upstream: `src/threading/SerialTypes.{h,cc}`, and the conversion from
//! script values in `src/logging/Manager.cc: ValToLogVal`.

use std::net::IpAddr;
use zest_runtime::render::Proto;
use zest_runtime::types::Tag;

/// One log column: its (possibly renamed and flattened) name, type, the
/// element type of a set or vector, and whether the field is `&optional`.
#[derive(Clone, Debug, PartialEq)]
pub struct LogField {
    pub name: Vec<u8>,
    pub ty: Tag,
    pub subtype: Tag,
    pub optional: bool,
}

impl LogField {
    /// `Field::TypeName()`: `set[count]`, `vector[string]`, `time`, …
    pub fn type_name(&self) -> String {
        let mut n = if self.ty == Tag::Table {
            "set".to_owned()
        } else {
            type_name(self.ty).to_owned()
        };
        if matches!(self.ty, Tag::Table | Tag::Vector) {
            n.push('[');
            n.push_str(type_name(self.subtype));
            n.push(']');
        }
        n
    }
}

/// Zeek's `type_name(TypeTag)`.
pub fn type_name(t: Tag) -> &'static str {
    t.name()
}

/// One value of a log row; `data` is `None` for an unset value.
#[derive(Clone, Debug, PartialEq)]
pub struct LogValue {
    pub ty: Tag,
    pub data: Option<LogData>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LogData {
    /// `bool` and `int` (Zeek keeps both in `int_val`).
    Int(i64),
    Count(u64),
    Port(u32, Proto),
    Subnet(IpAddr, u8),
    Addr(IpAddr),
    /// `double`, `time` and `interval`.
    Double(f64),
    /// `string`, `enum` (its name), `file` (its name) and `func` (its text).
    Str(Vec<u8>),
    /// A set's elements, in the table's iteration order.
    Set(Vec<LogValue>),
    Vector(Vec<LogValue>),
}

impl LogValue {
    pub fn unset(ty: Tag) -> LogValue {
        LogValue { ty, data: None }
    }
    pub fn present(&self) -> bool {
        self.data.is_some()
    }
}
