//! The values readers hand to the input manager (Zeek's
//! `threading::Value` and `threading::Field`), and the byte form the
//! manager hashes them into (`Manager::HashValues`).

use std::net::IpAddr;
use zest_runtime::types::Tag;
use zest_runtime::value::Proto;

/// One column a reader is asked for (`threading::Field`).
#[derive(Clone, Debug)]
pub struct Field {
    /// The column name; nested record fields are joined with dots.
    pub name: String,
    /// The name of the column holding a port's protocol (`&type_column`).
    pub secondary_name: Option<String>,
    pub ty: Tag,
    /// The element type of a set or vector (`Tag::Void` otherwise).
    pub subtype: Tag,
    pub optional: bool,
}

/// The data of a present value.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// `bool` (stored as Zeek's `int_val`) and `int`.
    Int(i64),
    Count(u64),
    /// `double`, `time` and `interval`.
    Double(f64),
    Port(u64, Proto),
    Addr(IpAddr),
    /// Prefix and the width as written (not adjusted for IPv4).
    Subnet(IpAddr, u8),
    /// `string` and `enum` (the enum's name).
    Bytes(Vec<u8>),
    /// The text between the slashes of a pattern.
    Pattern(Vec<u8>),
    /// The elements of a set or a vector.
    List(Vec<Val>),
}

/// A value as a reader produces it (`threading::Value`).
#[derive(Clone, Debug, PartialEq)]
pub struct Val {
    pub ty: Tag,
    pub subtype: Tag,
    /// `None` when the value is not present (an unset field).
    pub data: Option<Data>,
    /// The input line the value came from, or -1.
    pub line: i32,
}

impl Val {
    pub fn new(ty: Tag, data: Data) -> Val {
        Val {
            ty,
            subtype: Tag::Void,
            data: Some(data),
            line: -1,
        }
    }

    /// A value that is not present.
    pub fn unset(ty: Tag) -> Val {
        Val {
            ty,
            subtype: Tag::Void,
            data: None,
            line: -1,
        }
    }

    pub fn string(b: &[u8]) -> Val {
        Val::new(Tag::String, Data::Bytes(b.to_vec()))
    }

    pub fn boolean(b: bool) -> Val {
        Val::new(Tag::Bool, Data::Int(i64::from(b)))
    }

    pub fn present(&self) -> bool {
        self.data.is_some()
    }
}

/// `TransportProto` as the hashed bytes hold it.
fn proto_num(p: Proto) -> i32 {
    match p {
        Proto::Unknown => 0,
        Proto::Tcp => 1,
        Proto::Udp => 2,
        Proto::Icmp => 3,
    }
}

fn addr_bytes(a: &IpAddr, out: &mut Vec<u8>) {
    match a {
        IpAddr::V4(v4) => out.extend_from_slice(&v4.octets()),
        IpAddr::V6(v6) => out.extend_from_slice(&v6.octets()),
    }
}

/// `Manager::CopyValue`: the raw bytes of one present value.
fn copy_value(v: &Val, out: &mut Vec<u8>) {
    let Some(d) = &v.data else { return };
    match d {
        Data::Int(i) => out.extend_from_slice(&i.to_le_bytes()),
        Data::Count(c) => out.extend_from_slice(&c.to_le_bytes()),
        Data::Double(x) => out.extend_from_slice(&x.to_le_bytes()),
        Data::Port(p, proto) => {
            out.extend_from_slice(&p.to_le_bytes());
            out.extend_from_slice(&proto_num(*proto).to_le_bytes());
        }
        Data::Addr(a) => addr_bytes(a, out),
        Data::Subnet(a, w) => {
            addr_bytes(a, out);
            out.push(*w);
        }
        Data::Bytes(b) | Data::Pattern(b) => {
            let b = if matches!(d, Data::Pattern(_)) {
                // A C string: up to the first NUL.
                b.split(|&c| c == 0).next().unwrap_or(&[])
            } else {
                b
            };
            out.extend_from_slice(b);
            out.push(0);
        }
        Data::List(items) => {
            for it in items {
                copy_value(it, out);
            }
        }
    }
}

/// `Manager::HashValues`: the bytes of the values, each followed by an
/// end-of-field marker; `None` when no value is present.
pub fn hash_bytes(vals: &[Val]) -> Option<Vec<u8>> {
    if vals.iter().all(|v| !v.present()) {
        return None;
    }
    let mut out = Vec::new();
    for v in vals {
        copy_value(v, &mut out);
        out.push(1);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_skips_all_unset_lines() {
        assert_eq!(
            hash_bytes(&[Val::unset(Tag::Int), Val::unset(Tag::String)]),
            None
        );
        // An empty string differs from an unset one (Zeek adds a NUL).
        let a = hash_bytes(&[Val::string(b""), Val::unset(Tag::String)]).unwrap();
        let b = hash_bytes(&[Val::unset(Tag::String), Val::string(b"")]).unwrap();
        assert_ne!(a, b);
        assert_eq!(a, vec![0, 1, 1]);
    }
}
