//! `broker::data`: Broker's tagged union of 15 alternatives, its ordering
//! (sets and tables are ordered containers in Broker) and its text form
//! (`broker::to_string`, which Zeek shows as `broker::data{…}`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A 16-byte address; IPv4 is stored IPv4-mapped (`::ffff:a.b.c.d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(pub [u8; 16]);

const V4_PREFIX: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

impl Address {
    pub fn from_ip(ip: IpAddr) -> Address {
        match ip {
            IpAddr::V4(v4) => {
                let mut b = [0u8; 16];
                b[..12].copy_from_slice(&V4_PREFIX);
                b[12..].copy_from_slice(&v4.octets());
                Address(b)
            }
            IpAddr::V6(v6) => Address(v6.octets()),
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

    /// Keeps the first `bits` bits of the 128-bit form.
    #[must_use]
    pub fn masked(self, bits: u32) -> Address {
        let mut b = self.0;
        for (i, byte) in b.iter_mut().enumerate() {
            let lo = (i as u32) * 8;
            if bits >= lo + 8 {
                continue;
            }
            *byte = if bits <= lo {
                0
            } else {
                *byte & (0xffu8 << (8 - (bits - lo)))
            };
        }
        Address(b)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_ip())
    }
}

/// A subnet as Broker keeps it: the masked network and the prefix length
/// in the 128-bit space (an IPv4 /24 is 120).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subnet {
    pub network: Address,
    pub len128: u8,
}

impl Subnet {
    /// From a network and a length relative to its family (0–32 for IPv4),
    /// as `broker::subnet(address, length)`; an out-of-range length yields
    /// `::/0`.
    pub fn new(addr: Address, len: u8) -> Subnet {
        let len128 = if addr.is_v4() {
            if len > 32 {
                return Subnet {
                    network: Address([0; 16]),
                    len128: 0,
                };
            }
            len + 96
        } else if len > 128 {
            return Subnet {
                network: Address([0; 16]),
                len128: 0,
            };
        } else {
            len
        };
        Subnet {
            network: addr.masked(u32::from(len128)),
            len128,
        }
    }

    /// The length relative to the address family (`subnet::length()`).
    pub fn length(&self) -> u8 {
        if self.network.is_v4() {
            self.len128.wrapping_sub(96)
        } else {
            self.len128
        }
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.length())
    }
}

/// Transport protocol of a port (wire values 0–3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Unknown = 0,
    Tcp = 1,
    Udp = 2,
    Icmp = 3,
}

impl Protocol {
    pub fn from_u8(v: u8) -> Option<Protocol> {
        Some(match v {
            0 => Protocol::Unknown,
            1 => Protocol::Tcp,
            2 => Protocol::Udp,
            3 => Protocol::Icmp,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port {
    pub number: u16,
    pub protocol: Protocol,
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.protocol {
            Protocol::Unknown => "?",
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        };
        write!(f, "{}/{p}", self.number)
    }
}

/// A `broker::data` value. Strings and enum names are raw bytes (Zeek
/// strings may hold anything); timestamps and timespans are nanoseconds.
#[derive(Clone, Debug)]
pub enum Data {
    None,
    Bool(bool),
    Count(u64),
    Integer(i64),
    Real(f64),
    String(Vec<u8>),
    Address(Address),
    Subnet(Subnet),
    Port(Port),
    Timestamp(i64),
    Timespan(i64),
    Enum(Vec<u8>),
    Set(BTreeSet<Data>),
    Table(BTreeMap<Data, Data>),
    Vector(Vec<Data>),
}

/// The names Broker gives the alternatives (`data::get_type_name`), by tag.
pub const TYPE_NAMES: [&str; 15] = [
    "none",
    "boolean",
    "count",
    "integer",
    "real",
    "string",
    "address",
    "subnet",
    "port",
    "timestamp",
    "timespan",
    "enum_value",
    "set",
    "table",
    "vector",
];

impl Data {
    /// The variant index, which is also the tag byte on the wire.
    pub fn tag(&self) -> u8 {
        match self {
            Data::None => 0,
            Data::Bool(_) => 1,
            Data::Count(_) => 2,
            Data::Integer(_) => 3,
            Data::Real(_) => 4,
            Data::String(_) => 5,
            Data::Address(_) => 6,
            Data::Subnet(_) => 7,
            Data::Port(_) => 8,
            Data::Timestamp(_) => 9,
            Data::Timespan(_) => 10,
            Data::Enum(_) => 11,
            Data::Set(_) => 12,
            Data::Table(_) => 13,
            Data::Vector(_) => 14,
        }
    }

    pub fn type_name(&self) -> &'static str {
        TYPE_NAMES[self.tag() as usize]
    }

    pub fn string(s: impl AsRef<[u8]>) -> Data {
        Data::String(s.as_ref().to_vec())
    }

    pub fn as_vector(&self) -> Option<&Vec<Data>> {
        match self {
            Data::Vector(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_string(&self) -> Option<&[u8]> {
        match self {
            Data::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_count(&self) -> Option<u64> {
        match self {
            Data::Count(c) => Some(*c),
            _ => None,
        }
    }

    /// `broker::to_string`: the text Zeek prints inside `broker::data{…}`.
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_text(&mut out);
        out
    }

    fn write_text(&self, out: &mut Vec<u8>) {
        fn join<'a>(
            out: &mut Vec<u8>,
            items: impl Iterator<Item = (&'a Data, Option<&'a Data>)>,
            l: u8,
            r: u8,
        ) {
            out.push(l);
            for (i, (k, v)) in items.enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                k.write_text(out);
                if let Some(v) = v {
                    out.extend_from_slice(b" -> ");
                    v.write_text(out);
                }
            }
            out.push(r);
        }
        match self {
            Data::None => out.extend_from_slice(b"nil"),
            Data::Bool(b) => out.push(if *b { b'T' } else { b'F' }),
            Data::Count(c) => out.extend_from_slice(c.to_string().as_bytes()),
            Data::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Data::Real(r) => out.extend_from_slice(std_to_string_double(*r).as_bytes()),
            Data::String(s) | Data::Enum(s) => out.extend_from_slice(s),
            Data::Address(a) => out.extend_from_slice(a.to_string().as_bytes()),
            Data::Subnet(s) => out.extend_from_slice(s.to_string().as_bytes()),
            Data::Port(p) => out.extend_from_slice(p.to_string().as_bytes()),
            Data::Timestamp(ns) | Data::Timespan(ns) => {
                out.extend_from_slice(format!("{ns}ns").as_bytes());
            }
            Data::Set(s) => join(out, s.iter().map(|d| (d, None)), b'{', b'}'),
            Data::Table(t) => join(out, t.iter().map(|(k, v)| (k, Some(v))), b'{', b'}'),
            Data::Vector(v) => join(out, v.iter().map(|d| (d, None)), b'(', b')'),
        }
    }
}

/// C++ `std::to_string(double)`, i.e. `printf("%f")`.
pub fn std_to_string_double(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.to_owned();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_owned();
    }
    format!("{x:.6}")
}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_text()))
    }
}

/// Broker orders reals with `<`; NaN and signed zeros need a total order
/// here: `-0.0` and `0.0` are equal (as under `<`), NaNs sort by bits.
fn cmp_real(a: f64, b: f64) -> Ordering {
    let norm = |x: f64| if x == 0.0 { 0.0 } else { x };
    norm(a).total_cmp(&norm(b))
}

impl Ord for Data {
    fn cmp(&self, other: &Data) -> Ordering {
        match (self, other) {
            (Data::None, Data::None) => Ordering::Equal,
            (Data::Bool(a), Data::Bool(b)) => a.cmp(b),
            (Data::Count(a), Data::Count(b)) => a.cmp(b),
            (Data::Integer(a), Data::Integer(b)) => a.cmp(b),
            (Data::Real(a), Data::Real(b)) => cmp_real(*a, *b),
            (Data::String(a), Data::String(b)) | (Data::Enum(a), Data::Enum(b)) => a.cmp(b),
            (Data::Address(a), Data::Address(b)) => a.cmp(b),
            (Data::Subnet(a), Data::Subnet(b)) => a.cmp(b),
            (Data::Port(a), Data::Port(b)) => a.cmp(b),
            (Data::Timestamp(a), Data::Timestamp(b)) | (Data::Timespan(a), Data::Timespan(b)) => {
                a.cmp(b)
            }
            (Data::Set(a), Data::Set(b)) => a.iter().cmp(b.iter()),
            (Data::Table(a), Data::Table(b)) => a.iter().cmp(b.iter()),
            (Data::Vector(a), Data::Vector(b)) => a.iter().cmp(b.iter()),
            _ => self.tag().cmp(&other.tag()),
        }
    }
}

impl PartialOrd for Data {
    fn partial_cmp(&self, other: &Data) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Data {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: u8, b: u8, c: u8, d: u8) -> Address {
        Address::from_ip(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    /// Texts from Zeek's baselines (`broker.opaque`,
    /// `broker.remote_event_vector_any`) and Broker's converters.
    #[test]
    fn text_forms() {
        let set: BTreeSet<Data> = [Data::string("there"), Data::string("hi")].into();
        assert_eq!(Data::Set(set).to_string(), "{hi, there}");
        assert_eq!(Data::Count(3).to_string(), "3");
        assert_eq!(Data::string("!").to_string(), "!");
        assert_eq!(Data::None.to_string(), "nil");
        assert_eq!(Data::Bool(true).to_string(), "T");
        assert_eq!(Data::Real(2.5).to_string(), "2.500000");
        assert_eq!(Data::Timespan(1_500_000_000).to_string(), "1500000000ns");
        assert_eq!(
            Data::Vector(vec![Data::Integer(-1), Data::string("x")]).to_string(),
            "(-1, x)"
        );
        let mut t = BTreeMap::new();
        t.insert(Data::string("hi"), Data::Count(10));
        assert_eq!(Data::Table(t).to_string(), "{hi -> 10}");
        assert_eq!(
            Data::Subnet(Subnet::new(v4(10, 1, 2, 3), 16)).to_string(),
            "10.1.0.0/16"
        );
        assert_eq!(
            Data::Port(Port {
                number: 0,
                protocol: Protocol::Unknown
            })
            .to_string(),
            "0/?"
        );
    }

    #[test]
    fn ordering_is_by_tag_then_value() {
        let set: BTreeSet<Data> = [
            Data::string("there"),
            Data::string("hi"),
            Data::string("!"),
            Data::Count(7),
            Data::None,
        ]
        .into();
        let v: Vec<String> = set.iter().map(ToString::to_string).collect();
        assert_eq!(v, ["nil", "7", "!", "hi", "there"]);
        assert_eq!(Data::Real(0.0), Data::Real(-0.0));
    }
}
