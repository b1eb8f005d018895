//! Log rows and column descriptions as they cross Broker: a row is the
//! `serial_data` blob of a LogWrite message, Zeek's
//! `BinarySerializationFormat` encoding of `threading::Value`s (all
//! integers big-endian); a column is a LogCreate field descriptor.
//!
//! Upstream: `src/threading/SerialTypes.cc` (`Value::Read`/`Write`),
//! `src/SerializationFormat.cc`, `src/broker/Data.cc`
//! (`threading_field_to_data`, `data_to_threading_field`).

use super::value::{LogData, LogField, LogValue};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use zest_broker::Data;
use zest_runtime::render::Proto;
use zest_runtime::types::Tag;

/// Zeek's `TypeTag` number of a type tag.
pub fn tag_number(t: Tag) -> u32 {
    crate::input::manager::tag_number(t)
}

/// The type tag of a `TypeTag` number.
pub fn tag_of_number(n: u64) -> Option<Tag> {
    Some(match n {
        0 => Tag::Void,
        1 => Tag::Bool,
        2 => Tag::Int,
        3 => Tag::Count,
        4 => Tag::Double,
        5 => Tag::Time,
        6 => Tag::Interval,
        7 => Tag::String,
        8 => Tag::Pattern,
        9 => Tag::Enum,
        10 => Tag::Port,
        11 => Tag::Addr,
        12 => Tag::Subnet,
        13 => Tag::Any,
        14 => Tag::Table,
        15 => Tag::Record,
        16 => Tag::List,
        17 => Tag::Func,
        18 => Tag::File,
        19 => Tag::Vector,
        20 => Tag::Opaque,
        21 => Tag::Type,
        22 => Tag::Error,
        _ => return None,
    })
}

/// `threading_field_to_data`: `[name, secondary_name, type, subtype, optional]`.
pub fn field_to_data(f: &LogField) -> Data {
    Data::Vector(vec![
        Data::String(f.name.clone()),
        Data::None,
        Data::Count(u64::from(tag_number(f.ty))),
        Data::Count(u64::from(tag_number(f.subtype))),
        Data::Bool(f.optional),
    ])
}

/// `data_to_threading_field`; `None` for a malformed descriptor.
pub fn field_from_data(d: &Data) -> Option<LogField> {
    let v = d.as_vector()?;
    let name = v.first()?.as_string()?;
    match v.get(1)? {
        Data::None | Data::String(_) => {}
        _ => return None,
    }
    let ty = tag_of_number(v.get(2)?.as_count()?)?;
    let subtype = tag_of_number(v.get(3)?.as_count()?)?;
    let Data::Bool(optional) = v.get(4)? else {
        return None;
    };
    Some(LogField {
        name: name.to_vec(),
        ty,
        subtype,
        optional: *optional,
    })
}

/// Encodes one row: `i32` count, then each value.
pub fn encode_row(vals: &[LogValue]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * vals.len() + 4);
    out.extend_from_slice(&(vals.len() as i32).to_be_bytes());
    for v in vals {
        encode_value(v, &mut out);
    }
    out
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn put_addr(out: &mut Vec<u8>, a: &IpAddr) {
    match a {
        IpAddr::V4(a) => {
            out.push(4);
            out.extend_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            out.push(6);
            out.extend_from_slice(&a.octets());
        }
    }
}

fn proto_number(p: Proto) -> i32 {
    match p {
        Proto::Unknown => 0,
        Proto::Tcp => 1,
        Proto::Udp => 2,
        Proto::Icmp => 3,
    }
}

/// `Value::Write`: type, subtype (always void for logged values), the
/// present flag, and the body.
fn encode_value(v: &LogValue, out: &mut Vec<u8>) {
    out.extend_from_slice(&(tag_number(v.ty) as i32).to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    let Some(d) = &v.data else {
        out.push(0);
        return;
    };
    out.push(1);
    match d {
        LogData::Int(i) => out.extend_from_slice(&i.to_be_bytes()),
        LogData::Count(c) => out.extend_from_slice(&c.to_be_bytes()),
        LogData::Port(n, p) => {
            out.extend_from_slice(&u64::from(*n).to_be_bytes());
            out.extend_from_slice(&proto_number(*p).to_be_bytes());
        }
        LogData::Addr(a) => put_addr(out, a),
        LogData::Subnet(a, len) => {
            // The length is counted over the 128-bit form.
            let len = if a.is_ipv4() {
                len.saturating_add(96)
            } else {
                *len
            };
            out.push(len);
            put_addr(out, a);
        }
        LogData::Double(x) => out.extend_from_slice(&x.to_bits().to_be_bytes()),
        LogData::Str(s) => put_str(out, s),
        LogData::Set(items) | LogData::Vector(items) => {
            out.extend_from_slice(&(items.len() as i64).to_be_bytes());
            for x in items {
                encode_value(x, out);
            }
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.array()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.array()?))
    }
    fn addr(&mut self, family: u8) -> Option<IpAddr> {
        match family {
            4 => Some(IpAddr::V4(Ipv4Addr::from(self.array::<4>()?))),
            6 => Some(IpAddr::V6(Ipv6Addr::from(self.array::<16>()?))),
            _ => None,
        }
    }
}

/// Why a row did not decode.
#[derive(Debug, PartialEq, Eq)]
pub enum RowError {
    /// The field count could not be read.
    Count,
    /// Field `i` could not be read.
    Field(usize),
}

/// Decodes one row (`Manager::ProcessLogWrite`). Unlike Zeek, which
/// aborts on an unknown address family or a short blob, a malformed blob
/// is only an error.
pub fn decode_row(blob: &[u8]) -> Result<Vec<LogValue>, RowError> {
    let mut r = Reader { buf: blob, pos: 0 };
    let n = r.i32().ok_or(RowError::Count)?;
    let n = usize::try_from(n).unwrap_or(0);
    let mut vals = Vec::with_capacity(n.min(1024));
    for i in 0..n {
        vals.push(decode_value(&mut r, 0).ok_or(RowError::Field(i))?);
    }
    Ok(vals)
}

fn decode_value(r: &mut Reader<'_>, depth: usize) -> Option<LogValue> {
    if depth > 64 {
        return None;
    }
    let ty = tag_of_number(u64::try_from(r.i32()?).ok()?)?;
    let _subtype = r.i32()?;
    if r.u8()? == 0 {
        return Some(LogValue::unset(ty));
    }
    let data = match ty {
        Tag::Bool | Tag::Int => LogData::Int(r.i64()?),
        Tag::Count => LogData::Count(r.u64()?),
        Tag::Port => {
            let n = r.u64()?;
            let p = match r.i32()? {
                0 => Proto::Unknown,
                1 => Proto::Tcp,
                2 => Proto::Udp,
                3 => Proto::Icmp,
                _ => return None,
            };
            LogData::Port(n as u32, p)
        }
        Tag::Addr => {
            let family = r.u8()?;
            LogData::Addr(r.addr(family)?)
        }
        Tag::Subnet => {
            let len = r.u8()?;
            let family = r.u8()?;
            let a = r.addr(family)?;
            let len = if a.is_ipv4() {
                len.wrapping_sub(96)
            } else {
                len
            };
            LogData::Subnet(a, len)
        }
        Tag::Double | Tag::Time | Tag::Interval => LogData::Double(f64::from_bits(r.u64()?)),
        Tag::Enum | Tag::String | Tag::File | Tag::Func => {
            let n = r.i32()?;
            let n = usize::try_from(n).ok()?;
            LogData::Str(r.take(n)?.to_vec())
        }
        Tag::Table | Tag::Vector => {
            let n = usize::try_from(r.i64()?).ok()?;
            // Every value takes at least 9 bytes: no count beyond the blob.
            if n > r.buf.len() {
                return None;
            }
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode_value(r, depth + 1)?);
            }
            if ty == Tag::Table {
                LogData::Set(items)
            } else {
                LogData::Vector(items)
            }
        }
        _ => return None,
    };
    Some(LogValue {
        ty,
        data: Some(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    fn val(ty: Tag, d: LogData) -> LogValue {
        LogValue { ty, data: Some(d) }
    }

    #[test]
    fn captured_values() {
        // Fields of a LogWrite captured from Zeek 5.2.2 (reference/wire/remote-log).
        let cases = [
            (
                val(Tag::Int, LogData::Int(-1)),
                "00 00 00 02 00 00 00 00 01 ff ff ff ff ff ff ff ff",
            ),
            (
                val(Tag::Enum, LogData::Str(b"Test::LOG".to_vec())),
                "00 00 00 09 00 00 00 00 01 00 00 00 09 54 65 73 74 3a 3a 4c 4f 47",
            ),
            (
                val(Tag::Port, LogData::Port(123, Proto::Tcp)),
                "00 00 00 0a 00 00 00 00 01 00 00 00 00 00 00 00 7b 00 00 00 01",
            ),
            (
                val(
                    Tag::Subnet,
                    LogData::Subnet(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0)), 24),
                ),
                "00 00 00 0c 00 00 00 00 01 78 04 0a 00 00 00",
            ),
            (
                val(Tag::Addr, LogData::Addr(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4)))),
                "00 00 00 0b 00 00 00 00 01 04 01 02 03 04",
            ),
            (
                val(Tag::Interval, LogData::Double(100.0)),
                "00 00 00 06 00 00 00 00 01 40 59 00 00 00 00 00 00",
            ),
            (
                val(
                    Tag::Table,
                    LogData::Set(vec![val(Tag::String, LogData::Str(b"AA".to_vec()))]),
                ),
                "00 00 00 0e 00 00 00 00 01 00 00 00 00 00 00 00 01 00 00 00 07 00 00 00 00 01 00 00 00 02 41 41",
            ),
            (
                val(Tag::Vector, LogData::Vector(vec![])),
                "00 00 00 13 00 00 00 00 01 00 00 00 00 00 00 00 00",
            ),
            (LogValue::unset(Tag::String), "00 00 00 07 00 00 00 00 00"),
        ];
        for (v, h) in cases {
            let mut out = Vec::new();
            encode_value(&v, &mut out);
            assert_eq!(out, hex(h), "{v:?}");
            let mut row = 1i32.to_be_bytes().to_vec();
            row.extend_from_slice(&out);
            assert_eq!(decode_row(&row), Ok(vec![v]));
        }
    }

    #[test]
    fn malformed_rows() {
        assert_eq!(decode_row(b""), Err(RowError::Count));
        assert_eq!(
            decode_row(&hex("00 00 00 01 00 00 00 0b 00 00 00 00 01 05")),
            Err(RowError::Field(0))
        );
        assert_eq!(
            decode_row(&hex(
                "00 00 00 01 00 00 00 13 00 00 00 00 01 7f ff ff ff ff ff ff ff"
            )),
            Err(RowError::Field(0))
        );
    }
}
