//! Reading values back out of serialised keys, mirroring [`crate::KeyBuf`].
//!
//! Zeek recovers the index values of an entry from its key bytes (for `for` loop variables,
//! `print`, `table_keys`, …). [`KeyReader`] walks a key with the same alignment rules as the
//! writer; the caller supplies the types. Every read returns `None` when the key is too short.
//!
//! For a singleton key the whole key is the value: a singleton `string` is
//! [`crate::Key::bytes`] itself, a singleton `pattern` is split with
//! [`split_singleton_pattern`]; other singleton types are read with the composite readers.

use std::net::{IpAddr, Ipv6Addr};

/// A cursor over the bytes of a key.
#[derive(Clone, Debug)]
pub struct KeyReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> KeyReader<'a> {
    /// A reader at offset 0.
    pub fn new(bytes: &'a [u8]) -> KeyReader<'a> {
        KeyReader { bytes, pos: 0 }
    }

    /// The current offset.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True when every byte has been read.
    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn align(&mut self, a: usize) {
        self.pos = (self.pos + a - 1) & !(a - 1);
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn take8(&mut self) -> Option<[u8; 8]> {
        self.align(8);
        self.take(8)?.try_into().ok()
    }

    fn take4(&mut self) -> Option<[u8; 4]> {
        self.align(4);
        self.take(4)?.try_into().ok()
    }

    /// A `count`.
    pub fn read_count(&mut self) -> Option<u64> {
        self.take8().map(u64::from_le_bytes)
    }

    /// An `int` (also an enum value).
    pub fn read_int(&mut self) -> Option<i64> {
        self.take8().map(i64::from_le_bytes)
    }

    /// A `bool`.
    pub fn read_bool(&mut self) -> Option<bool> {
        self.read_int().map(|v| v != 0)
    }

    /// A `port`: `(number, proto mask)`, e.g. `(80, 0x10000)` for `80/tcp`.
    pub fn read_port(&mut self) -> Option<(u16, u64)> {
        self.read_count()
            .map(|v| ((v & 0xffff) as u16, v & !0xffff))
    }

    /// A `double`, `time` or `interval`.
    pub fn read_double(&mut self) -> Option<f64> {
        self.take8().map(f64::from_le_bytes)
    }

    /// A `string` in composite form.
    pub fn read_string(&mut self) -> Option<&'a [u8]> {
        let n = u32::from_le_bytes(self.take4()?);
        self.take(n as usize)
    }

    /// An `addr` as its 16 stored bytes.
    pub fn read_addr_bytes(&mut self) -> Option<[u8; 16]> {
        self.align(4);
        self.take(16)?.try_into().ok()
    }

    /// An `addr`; `::ffff:a.b.c.d` comes back as IPv4.
    pub fn read_addr(&mut self) -> Option<IpAddr> {
        self.read_addr_bytes().map(addr_from_bytes)
    }

    /// A `subnet`: the prefix bytes and the width as written.
    pub fn read_subnet_bytes(&mut self) -> Option<([u8; 16], u32)> {
        let p = self.read_addr_bytes()?;
        let w = u32::from_le_bytes(self.take4()?);
        Some((p, w))
    }

    /// A `subnet` as (prefix, width); IPv4 prefixes come back as IPv4 with widths up to 32.
    pub fn read_subnet(&mut self) -> Option<(IpAddr, u32)> {
        self.read_subnet_bytes()
            .map(|(p, w)| (addr_from_bytes(p), w))
    }

    /// A `pattern` in composite form: `(exact text, anywhere text)` without their NULs.
    pub fn read_pattern(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        let l1 = usize::try_from(self.read_count()?).ok()?;
        let l2 = usize::try_from(self.read_count()?).ok()?;
        let exact = self.take(l1)?;
        let anywhere = self.take(l2)?;
        Some((exact.strip_suffix(&[0])?, anywhere.strip_suffix(&[0])?))
    }

    /// A function id.
    pub fn read_func(&mut self) -> Option<u32> {
        self.take4().map(u32::from_le_bytes)
    }

    /// The presence flag of an `&optional` record field.
    pub fn read_optional_flag(&mut self) -> Option<bool> {
        self.take(1).map(|b| b[0] != 0)
    }

    /// The element count of a serialised table or set.
    pub fn read_table_header(&mut self) -> Option<u32> {
        self.take4().map(u32::from_le_bytes)
    }

    /// The part count of one element's index inside a serialised table.
    pub fn read_list_header(&mut self) -> Option<u32> {
        self.take4().map(u32::from_le_bytes)
    }

    /// The length of a serialised vector.
    pub fn read_vector_header(&mut self) -> Option<u32> {
        self.take4().map(u32::from_le_bytes)
    }

    /// One vector slot: `(index, present)`.
    pub fn read_vector_slot(&mut self) -> Option<(u32, bool)> {
        let i = u32::from_le_bytes(self.take4()?);
        let p = self.read_optional_flag()?;
        Some((i, p))
    }
}

/// The address stored as `b` (IPv4 when it has the `::ffff:0:0/96` prefix).
pub fn addr_from_bytes(b: [u8; 16]) -> IpAddr {
    let v6 = Ipv6Addr::from(b);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

/// Splits a singleton `pattern` key into `(exact text, anywhere text)`.
pub fn split_singleton_pattern(key: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = key.strip_suffix(&[0])?;
    let nul = rest.iter().position(|&c| c == 0)?;
    Some((&rest[..nul], &rest[nul + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyBuf, Proto};
    use std::net::Ipv4Addr;

    fn v4(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    #[test]
    fn round_trip() {
        let mut k = KeyBuf::new();
        k.write_bool(true);
        k.write_string(b"xy");
        k.write_optional_flag(true);
        k.write_addr(v4([10, 0, 0, 1]));
        k.write_port(53, Proto::Udp);
        k.write_pattern(b"^?(a)$?", b"^?(.|\\n)*(a)");
        k.write_subnet("2001:db8::".parse().unwrap(), 32);
        k.write_vector_header(1);
        k.write_vector_slot(0, true);
        k.write_double(-0.0);
        let mut r = KeyReader::new(k.bytes());
        assert_eq!(r.read_bool(), Some(true));
        assert_eq!(r.read_string(), Some(&b"xy"[..]));
        assert_eq!(r.read_optional_flag(), Some(true));
        assert_eq!(r.read_addr(), Some(v4([10, 0, 0, 1])));
        assert_eq!(r.read_port(), Some((53, 0x2_0000)));
        assert_eq!(
            r.read_pattern(),
            Some((&b"^?(a)$?"[..], &b"^?(.|\\n)*(a)"[..]))
        );
        assert_eq!(r.read_subnet(), Some(("2001:db8::".parse().unwrap(), 32)));
        assert_eq!(r.read_vector_header(), Some(1));
        assert_eq!(r.read_vector_slot(), Some((0, true)));
        assert_eq!(r.read_double().map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert!(r.at_end());
        assert_eq!(r.read_count(), None);

        let mut s = KeyBuf::new();
        s.write_singleton_pattern(b"e", b"a");
        assert_eq!(
            split_singleton_pattern(s.bytes()),
            Some((&b"e"[..], &b"a"[..]))
        );
    }
}
