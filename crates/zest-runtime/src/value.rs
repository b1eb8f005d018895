//! Run-time values.
//!
//! Scalars are copied; strings and patterns are immutable and shared;
//! records, tables and vectors are shared mutable references, so assignment
//! aliases and `copy()` deep-copies, as in Zeek.

use crate::table::TableVal;
use crate::types::{Type, TypeKind, TypeRef};
use std::cell::RefCell;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

/// Transport protocol of a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    Unknown,
    Tcp,
    Udp,
    Icmp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Port {
    pub num: u32,
    pub proto: Proto,
}

impl Port {
    /// Zeek's packed form: protocol in the high bits, for ordering.
    pub fn packed(self) -> u64 {
        let p = match self.proto {
            Proto::Unknown => 0u64,
            Proto::Tcp => 1,
            Proto::Udp => 2,
            Proto::Icmp => 3,
        };
        (p << 16) | u64::from(self.num)
    }
}

/// An IP address stored as Zeek does: 16 bytes, IPv4 as `::ffff:a.b.c.d`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Addr(pub [u8; 16]);

const V4_PREFIX: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

impl Addr {
    /// The address Zeek's fake DNS (`ZEEK_DNS_FAKE`) answers for `name`:
    /// the 128-bit HighwayHash of the name under `key`, its bytes in
    /// memory order as an IPv6 address.
    pub fn fake_dns(key: &[u64; 4], name: &[u8]) -> Addr {
        let h = zest_dict::highway::highway_hash128(key, name);
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&h[0].to_le_bytes());
        b[8..].copy_from_slice(&h[1].to_le_bytes());
        Addr::from_ip(IpAddr::V6(std::net::Ipv6Addr::from(b)))
    }

    pub fn from_ip(ip: IpAddr) -> Addr {
        match ip {
            IpAddr::V4(v4) => {
                let mut b = [0u8; 16];
                b[..12].copy_from_slice(&V4_PREFIX);
                b[12..].copy_from_slice(&v4.octets());
                Addr(b)
            }
            IpAddr::V6(v6) => Addr(v6.octets()),
        }
    }
    pub fn is_v4(&self) -> bool {
        self.0[..12] == V4_PREFIX
    }
    pub fn to_ip(self) -> IpAddr {
        if self.is_v4() {
            IpAddr::V4(Ipv4Addr::new(
                self.0[12], self.0[13], self.0[14], self.0[15],
            ))
        } else {
            IpAddr::V6(Ipv6Addr::from(self.0))
        }
    }
    /// Keeps the first `bits` bits (counted over the 128-bit form).
    #[must_use]
    pub fn masked(self, bits: u32) -> Addr {
        let mut b = self.0;
        for (i, byte) in b.iter_mut().enumerate() {
            let lo = (i as u32) * 8;
            if bits >= lo + 8 {
                continue;
            }
            if bits <= lo {
                *byte = 0;
            } else {
                let keep = bits - lo;
                *byte &= 0xffu8 << (8 - keep);
            }
        }
        Addr(b)
    }
}

impl fmt::Debug for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_ip())
    }
}

/// A subnet: masked prefix and length in the address family's own bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subnet {
    pub prefix: Addr,
    pub len: u8,
}

impl Subnet {
    pub fn new(addr: Addr, len: u8) -> Subnet {
        let bits = if addr.is_v4() {
            96 + u32::from(len)
        } else {
            u32::from(len)
        };
        Subnet {
            prefix: addr.masked(bits),
            len,
        }
    }
    /// Length over the 128-bit form.
    pub fn len128(&self) -> u32 {
        if self.prefix.is_v4() {
            96 + u32::from(self.len)
        } else {
            u32::from(self.len)
        }
    }
    pub fn contains(&self, a: Addr) -> bool {
        a.masked(self.len128()) == self.prefix
            && (a.is_v4() == self.prefix.is_v4() || self.len128() <= 96)
    }
}

/// A record value: one slot per field of its type; `None` is unset.
#[derive(Debug)]
pub struct RecordVal {
    pub ty: TypeRef,
    pub fields: Vec<Option<Value>>,
}

#[derive(Debug)]
pub struct VectorVal {
    pub ty: TypeRef,
    /// Holes (`None`) come from assigning past the end.
    pub items: Vec<Option<Value>>,
}

/// A function value: a script function (by global id, or a closure) or a
/// built-in.
#[derive(Debug)]
pub struct FuncVal {
    pub ty: TypeRef,
    pub name: zest_syntax::Symbol,
    pub kind: FuncValKind,
}

#[derive(Debug)]
pub enum FuncValKind {
    /// A global script function, event or hook: its bodies live in the
    /// program's function table.
    Global(u32),
    /// An anonymous function with captured values.
    Lambda(Rc<crate::ir::LambdaDef>, Rc<RefCell<Vec<Value>>>),
    Builtin(u32),
}

#[derive(Clone, Debug)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Count(u64),
    Double(f64),
    Time(f64),
    Interval(f64),
    String(Rc<[u8]>),
    Pattern(zest_pattern::Pattern),
    Port(Port),
    Addr(Addr),
    Subnet(Subnet),
    Enum(TypeRef, i64),
    Record(Rc<RefCell<RecordVal>>),
    Table(Rc<RefCell<TableVal>>),
    Vector(Rc<RefCell<VectorVal>>),
    Func(Rc<FuncVal>),
    /// A composite index `[a, b]`.
    List(Rc<Vec<Value>>),
    Type(TypeRef),
    Opaque(Rc<RefCell<crate::opaque::OpaqueVal>>),
    File(Rc<RefCell<crate::opaque::FileVal>>),
    /// The absent value of a `void` call; never stored.
    Void,
}

impl Value {
    pub fn str(s: &[u8]) -> Value {
        Value::String(Rc::from(s))
    }

    pub fn as_bool(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Count(c) => *c != 0,
            Value::Int(i) => *i != 0,
            _ => false,
        }
    }

    pub fn as_count(&self) -> u64 {
        match self {
            Value::Count(c) => *c,
            Value::Int(i) => *i as u64,
            Value::Double(d) | Value::Time(d) | Value::Interval(d) => *d as u64,
            Value::Bool(b) => u64::from(*b),
            Value::Enum(_, i) => *i as u64,
            Value::Port(p) => u64::from(p.num),
            _ => 0,
        }
    }

    pub fn as_int(&self) -> i64 {
        match self {
            Value::Count(c) => *c as i64,
            Value::Int(i) => *i,
            Value::Double(d) | Value::Time(d) | Value::Interval(d) => *d as i64,
            Value::Bool(b) => i64::from(*b),
            Value::Enum(_, i) => *i,
            _ => 0,
        }
    }

    pub fn as_double(&self) -> f64 {
        match self {
            Value::Count(c) => *c as f64,
            Value::Int(i) => *i as f64,
            Value::Double(d) | Value::Time(d) | Value::Interval(d) => *d,
            _ => 0.0,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Value::String(s) => s,
            _ => b"",
        }
    }

    pub fn new_record(ty: TypeRef) -> Value {
        let n = ty.record().map_or(0, crate::types::RecordType::len);
        Value::Record(Rc::new(RefCell::new(RecordVal {
            ty,
            fields: vec![None; n],
        })))
    }

    pub fn new_vector(ty: TypeRef) -> Value {
        Value::Vector(Rc::new(RefCell::new(VectorVal {
            ty,
            items: Vec::new(),
        })))
    }

    /// The dynamic type of the value (`type_name`, `any` dispatch).
    pub fn type_of(&self, base: &crate::types::BaseTypes) -> TypeRef {
        match self {
            Value::Bool(_) => base.bool_.clone(),
            Value::Int(_) => base.int.clone(),
            Value::Count(_) => base.count.clone(),
            Value::Double(_) => base.double.clone(),
            Value::Time(_) => base.time.clone(),
            Value::Interval(_) => base.interval.clone(),
            Value::String(_) => base.string.clone(),
            Value::Pattern(_) => base.pattern.clone(),
            Value::Port(_) => base.port.clone(),
            Value::Addr(_) => base.addr.clone(),
            Value::Subnet(_) => base.subnet.clone(),
            Value::Enum(t, _) => t.clone(),
            Value::Record(r) => r.borrow().ty.clone(),
            Value::Table(t) => t.borrow().ty.clone(),
            Value::Vector(v) => v.borrow().ty.clone(),
            Value::Func(f) => f.ty.clone(),
            Value::List(items) => Type::new(TypeKind::List(
                items.iter().map(|v| v.type_of(base)).collect(),
            )),
            Value::Type(t) => Type::new(TypeKind::Type(t.clone())),
            Value::Opaque(o) => o.borrow().ty.clone(),
            // Zeek's FileVal is always a `file of string`.
            Value::File(_) => Type::new(TypeKind::File(base.string.clone())),
            Value::Void => base.void.clone(),
        }
    }
}
