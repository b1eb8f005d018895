//! The binary encoding of `broker::data` (CAF's `binary_serializer` rules,
//! `broker-protocol.md` §1–§2): big-endian scalars, varbyte lengths,
//! CAF's "pack754" doubles, one tag byte per value.
//!
//! The decoder never panics: truncated input, bad tags, oversized lengths,
//! duplicate table keys and nesting deeper than [`MAX_DEPTH`] are errors.

use crate::data::{Address, Data, Port, Protocol, Subnet};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Deepest nesting the decoder accepts (Broker has no limit; a bound keeps
/// a hostile peer from exhausting the stack).
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Truncated,
    BadTag(u8),
    BadVarbyte,
    BadProtocol(u8),
    DuplicateKey,
    TooDeep,
    TrailingBytes,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("truncated input"),
            DecodeError::BadTag(t) => write!(f, "invalid data tag {t}"),
            DecodeError::BadVarbyte => f.write_str("invalid varbyte length"),
            DecodeError::BadProtocol(p) => write!(f, "invalid port protocol {p}"),
            DecodeError::DuplicateKey => f.write_str("duplicate table key"),
            DecodeError::TooDeep => f.write_str("nesting too deep"),
            DecodeError::TrailingBytes => f.write_str("trailing bytes"),
        }
    }
}

impl std::error::Error for DecodeError {}

// ------------------------------------------------------------------ doubles

/// CAF's pack754 of a double: IEEE bits, except that NaN becomes all ones
/// and the two infinities swap their patterns.
pub fn pack754(x: f64) -> u64 {
    if x.is_nan() {
        u64::MAX
    } else if x == f64::INFINITY {
        0xFFF0_0000_0000_0000
    } else if x == f64::NEG_INFINITY {
        0x7FF0_0000_0000_0000
    } else if x.is_subnormal() {
        pack754_subnormal(x)
    } else {
        x.to_bits()
    }
}

/// CAF's generic pack754 steps for a subnormal: normalize to [1, 2), then
/// add the bias to the (far too small) exponent in unsigned arithmetic,
/// which wraps into the sign and exponent bits. 5e-324 becomes
/// `0xFCD0000000000000`, as the `event-types` capture shows.
fn pack754_subnormal(x: f64) -> u64 {
    let sign = u64::from(x < 0.0);
    let mut fnorm = x.abs();
    let mut shift: i64 = 0;
    while fnorm < 1.0 {
        fnorm *= 2.0;
        shift -= 1;
    }
    let significand = ((fnorm - 1.0) * ((1u64 << 52) as f64 + 0.5)) as u64;
    let exp = (shift + 1023) as u64;
    (sign << 63) | (exp << 52) | significand
}

/// The inverse of [`pack754`]. Exponent 2047 decodes as ±∞ by the sign bit
/// inverted (the all-ones pattern is NaN).
pub fn unpack754(bits: u64) -> f64 {
    if bits == u64::MAX {
        return f64::NAN;
    }
    if (bits >> 52) & 0x7ff == 0x7ff {
        // CAF computes (1+frac)·2^1024, i.e. an infinity; its sign comes
        // from the sign bit, which pack754 wrote inverted.
        return if bits >> 63 == 1 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    f64::from_bits(bits)
}

// ------------------------------------------------------------------ writer

/// Appends a CAF varbyte length (the value truncated to 32 bits).
pub fn put_varbyte(out: &mut Vec<u8>, n: usize) {
    let mut x = n as u32;
    while x > 0x7f {
        out.push((x as u8 & 0x7f) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Appends a `str`: varbyte length and the bytes.
pub fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    put_varbyte(out, s.len());
    out.extend_from_slice(s);
}

/// Appends the encoding of one value.
pub fn encode(d: &Data, out: &mut Vec<u8>) {
    out.push(d.tag());
    match d {
        Data::None => {}
        Data::Bool(b) => out.push(u8::from(*b)),
        Data::Count(c) => out.extend_from_slice(&c.to_be_bytes()),
        Data::Integer(i) | Data::Timestamp(i) | Data::Timespan(i) => {
            out.extend_from_slice(&i.to_be_bytes());
        }
        Data::Real(r) => out.extend_from_slice(&pack754(*r).to_be_bytes()),
        Data::String(s) | Data::Enum(s) => put_str(out, s),
        Data::Address(a) => out.extend_from_slice(&a.0),
        Data::Subnet(s) => {
            out.extend_from_slice(&s.network.0);
            out.push(s.len128);
        }
        Data::Port(p) => {
            out.extend_from_slice(&p.number.to_be_bytes());
            out.push(p.protocol as u8);
        }
        Data::Set(s) => {
            put_varbyte(out, s.len());
            for x in s {
                encode(x, out);
            }
        }
        Data::Table(t) => {
            put_varbyte(out, t.len());
            for (k, v) in t {
                encode(k, out);
                encode(v, out);
            }
        }
        Data::Vector(v) => {
            put_varbyte(out, v.len());
            for x in v {
                encode(x, out);
            }
        }
    }
}

/// The encoding of one value as a new buffer.
pub fn to_bytes(d: &Data) -> Vec<u8> {
    let mut v = Vec::new();
    encode(d, &mut v);
    v
}

// ------------------------------------------------------------------ reader

/// A cursor over input bytes.
pub struct Reader<'a> {
    pub buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A varbyte length: at most 5 bytes, at most `u32::MAX`.
    pub fn varbyte(&mut self) -> Result<usize, DecodeError> {
        let mut x: u64 = 0;
        for i in 0..5 {
            let b = self.u8()?;
            x |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return u32::try_from(x)
                    .map(|v| v as usize)
                    .map_err(|_| DecodeError::BadVarbyte);
            }
        }
        Err(DecodeError::BadVarbyte)
    }

    pub fn str(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.varbyte()?;
        self.bytes(n)
    }

    /// A collection count that cannot exceed the remaining input (every
    /// element takes at least `min` bytes), so no huge allocation happens.
    fn count(&mut self, min: usize) -> Result<usize, DecodeError> {
        let n = self.varbyte()?;
        if n.saturating_mul(min) > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }

    /// One `data` value.
    pub fn data(&mut self) -> Result<Data, DecodeError> {
        self.data_at(0)
    }

    fn data_at(&mut self, depth: usize) -> Result<Data, DecodeError> {
        let mut one = None;
        self.data_into(depth, &mut one)?;
        one.ok_or(DecodeError::Truncated)
    }

    /// Decodes one value into `out`. Every alternative hands its value to
    /// `out` where it is built (a vector's elements go straight into their
    /// slots rather than through a returned temporary).
    fn data_into<S: Sink>(&mut self, depth: usize, out: &mut S) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let tag = self.u8()?;
        match tag {
            0 => out.put(Data::None),
            1 => out.put(Data::Bool(self.u8()? != 0)),
            2 => out.put(Data::Count(self.u64()?)),
            3 => out.put(Data::Integer(self.u64()? as i64)),
            4 => out.put(Data::Real(unpack754(self.u64()?))),
            5 => out.put(Data::String(self.str()?.to_vec())),
            6 => out.put(Data::Address(Address(self.array()?))),
            7 => {
                let network = Address(self.array()?);
                let len128 = self.u8()?;
                out.put(Data::Subnet(Subnet { network, len128 }))
            }
            8 => {
                let number = self.u16()?;
                let p = self.u8()?;
                let protocol = Protocol::from_u8(p).ok_or(DecodeError::BadProtocol(p))?;
                out.put(Data::Port(Port { number, protocol }))
            }
            9 => out.put(Data::Timestamp(self.u64()? as i64)),
            10 => out.put(Data::Timespan(self.u64()? as i64)),
            11 => out.put(Data::Enum(self.str()?.to_vec())),
            12 => {
                let n = self.count(1)?;
                let mut s = BTreeSet::new();
                for _ in 0..n {
                    s.insert(self.data_at(depth + 1)?);
                }
                out.put(Data::Set(s))
            }
            13 => {
                let n = self.count(2)?;
                let mut t = BTreeMap::new();
                for _ in 0..n {
                    let k = self.data_at(depth + 1)?;
                    let v = self.data_at(depth + 1)?;
                    if t.insert(k, v).is_some() {
                        return Err(DecodeError::DuplicateKey);
                    }
                }
                out.put(Data::Table(t))
            }
            14 => {
                let n = self.count(1)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    self.data_into(depth + 1, &mut v)?;
                }
                out.put(Data::Vector(v))
            }
            t => return Err(DecodeError::BadTag(t)),
        }
        Ok(())
    }
}

/// Where [`Reader::data_into`] puts a decoded value.
trait Sink {
    fn put(&mut self, d: Data);
}

impl Sink for Vec<Data> {
    #[inline(always)]
    fn put(&mut self, d: Data) {
        self.push(d);
    }
}

impl Sink for Option<Data> {
    #[inline(always)]
    fn put(&mut self, d: Data) {
        *self = Some(d);
    }
}

/// Decodes one value that must fill `buf` exactly.
pub fn decode(buf: &[u8]) -> Result<Data, DecodeError> {
    let mut r = Reader::new(buf);
    let d = r.data()?;
    if !r.is_empty() {
        return Err(DecodeError::TrailingBytes);
    }
    Ok(d)
}

/// Parses a hex dump (`"0e 03 02 …"`, whitespace ignored), for tests.
pub fn from_hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| (c as char).to_digit(16).unwrap_or(0) as u8)
        .collect();
    digits
        .chunks(2)
        .map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varbyte(n: usize) -> Vec<u8> {
        let mut v = Vec::new();
        put_varbyte(&mut v, n);
        v
    }

    /// `broker-protocol.md` §1.2.
    #[test]
    fn varbyte_examples() {
        assert_eq!(varbyte(0), [0x00]);
        assert_eq!(varbyte(127), [0x7f]);
        assert_eq!(varbyte(128), [0x80, 0x01]);
        assert_eq!(varbyte(300), [0xac, 0x02]);
        assert_eq!(Reader::new(&[0xac, 0x02]).varbyte(), Ok(300));
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).varbyte(),
            Err(DecodeError::BadVarbyte)
        );
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x1f]).varbyte(),
            Err(DecodeError::BadVarbyte)
        );
    }

    /// `broker-protocol.md` §1.4 and the `event-types` capture.
    #[test]
    fn pack754_table() {
        assert_eq!(pack754(f64::INFINITY), 0xFFF0_0000_0000_0000);
        assert_eq!(pack754(f64::NEG_INFINITY), 0x7FF0_0000_0000_0000);
        assert_eq!(pack754(f64::NAN), u64::MAX);
        assert_eq!(pack754(-0.0), 0x8000_0000_0000_0000);
        assert_eq!(pack754(0.5), 0x3fe0_0000_0000_0000);
        // The subnormal 5e-324 of the capture, and what it decodes to.
        assert_eq!(pack754(5e-324), 0xFCD0_0000_0000_0000);
        assert_eq!(
            unpack754(0xFCD0_0000_0000_0000).to_bits(),
            0xFCD0_0000_0000_0000
        );
        assert_eq!(unpack754(0xFFF0_0000_0000_0000), f64::INFINITY);
        assert_eq!(unpack754(0x7FF0_0000_0000_0000), f64::NEG_INFINITY);
        assert!(unpack754(u64::MAX).is_nan());
        assert_eq!(unpack754(0x7FF8_0000_0000_0000), f64::NEG_INFINITY);
    }

    /// §2.1's worked example: the Zeek event `ping(42, "hi")`.
    #[test]
    fn spec_event_example() {
        let hex = "0e 03 02 00 00 00 00 00 00 00 01 02 00 00 00 00 00 00 00 01
                   0e 02 05 04 70 69 6e 67 0e 02 02 00 00 00 00 00 00 00 2a 05 02 68 69";
        let bytes = from_hex(hex);
        let d = decode(&bytes).unwrap();
        let want = Data::Vector(vec![
            Data::Count(1),
            Data::Count(1),
            Data::Vector(vec![
                Data::string("ping"),
                Data::Vector(vec![Data::Count(42), Data::string("hi")]),
            ]),
        ]);
        assert_eq!(d, want);
        assert_eq!(to_bytes(&d), bytes);
        assert_eq!(bytes.len(), 43);
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert_eq!(decode(&[]), Err(DecodeError::Truncated));
        assert_eq!(decode(&[15]), Err(DecodeError::BadTag(15)));
        assert_eq!(decode(&[0x80]), Err(DecodeError::BadTag(0x80)));
        assert_eq!(decode(&[8, 0, 80, 4]), Err(DecodeError::BadProtocol(4)));
        assert_eq!(decode(&[0, 0]), Err(DecodeError::TrailingBytes));
        // A table repeating key "a".
        let dup = from_hex("0d 02 05 01 61 00 05 01 61 00");
        assert_eq!(decode(&dup), Err(DecodeError::DuplicateKey));
        // A set repeating an element collapses.
        let set = decode(&from_hex("0c 02 05 01 61 05 01 61")).unwrap();
        assert_eq!(set, Data::Set([Data::string("a")].into()));
        // Huge announced counts fail without allocating.
        assert_eq!(
            decode(&from_hex("0e ff ff ff ff 0f")),
            Err(DecodeError::Truncated)
        );
        let mut deep = vec![];
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x0e, 0x01]);
        }
        deep.push(0);
        assert_eq!(decode(&deep), Err(DecodeError::TooDeep));
    }
}
