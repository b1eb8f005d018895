//! Building the exact bytes Zeek hashes for an index (spec §3).
//!
//! A table's index type is a list of one or more types. With **one** type the key is a
//! *singleton*: strings and patterns then use their compact forms
//! ([`KeyBuf::write_singleton_string`], [`KeyBuf::write_singleton_pattern`]); every other type
//! is written exactly as in composite form. With two or more types, and for everything nested
//! in another value (record fields, members of a table used as an index, vector elements), the
//! composite forms (`write_*`) are used.
//!
//! Composite items are aligned: before an item of alignment `a` the buffer is padded with zero
//! bytes to a multiple of `a`. There is no padding at the end.
//!
//! Records are written field by field in declaration order (including fields added by
//! `redef record`): an `&optional` field is preceded by [`KeyBuf::write_optional_flag`], and
//! an unset optional field writes nothing else. A non-optional unset field makes the key
//! invalid (the caller reports the error).
//!
//! Tables and sets used as index values (§3.5): [`KeyBuf::write_table_header`], then for each
//! element in the order of [`crate::Dict::serialization_order`]:
//! [`KeyBuf::write_list_header`] with the number of index parts, each part as a composite
//! item, and for a table (not a set) the element's value as a composite item.
//!
//! Vectors used as index values (§3.6): [`KeyBuf::write_vector_header`], then for every index
//! [`KeyBuf::write_vector_slot`] and, if the element is set, the element. Zeek hashes
//! uninitialised memory when the last element is a hole or when the element's first item has
//! an alignment below 4; such keys have no reproducible order and this writer simply omits the
//! garbage.

use std::net::IpAddr;

use crate::hash::KeyHasher;
use crate::key::{Key, KeyRef};

/// The transport protocol of a `port` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    /// `unknown` (mask 0).
    Unknown,
    /// `tcp` (mask 0x10000).
    Tcp,
    /// `udp` (mask 0x20000).
    Udp,
    /// `icmp` (mask 0x30000).
    Icmp,
}

impl Proto {
    /// The bits Zeek ORs into the port number.
    pub fn mask(self) -> u64 {
        match self {
            Proto::Unknown => 0,
            Proto::Tcp => 0x1_0000,
            Proto::Udp => 0x2_0000,
            Proto::Icmp => 0x3_0000,
        }
    }
}

/// The 16 bytes Zeek stores for an address: IPv6 in network order, IPv4 as `::ffff:a.b.c.d`.
pub fn addr_bytes(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// A reusable buffer for serialised keys.
#[derive(Clone, Debug, Default)]
pub struct KeyBuf {
    buf: Vec<u8>,
}

impl KeyBuf {
    /// An empty buffer.
    pub fn new() -> KeyBuf {
        KeyBuf {
            buf: Vec::with_capacity(64),
        }
    }

    /// Empties the buffer (keeps its allocation).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The current length (the write offset).
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Hashes the bytes written so far; the result borrows the buffer.
    pub fn key_ref(&self, hasher: &KeyHasher) -> KeyRef<'_> {
        KeyRef::new(&self.buf, hasher)
    }

    /// Hashes the bytes written so far into an owned [`Key`].
    pub fn to_key(&self, hasher: &KeyHasher) -> Key {
        Key::new(&self.buf, hasher)
    }

    #[inline]
    fn align(&mut self, a: usize) {
        let pad = self.buf.len().wrapping_neg() & (a - 1);
        self.buf.resize(self.buf.len() + pad, 0);
    }

    #[inline]
    fn put8(&mut self, v: [u8; 8]) {
        self.align(8);
        self.buf.extend_from_slice(&v);
    }

    #[inline]
    fn put4(&mut self, v: [u8; 4]) {
        self.align(4);
        self.buf.extend_from_slice(&v);
    }

    /// A `count`: align 8, u64.
    pub fn write_count(&mut self, v: u64) {
        self.put8(v.to_le_bytes());
    }

    /// An `int`: align 8, i64.
    pub fn write_int(&mut self, v: i64) {
        self.put8(v.to_le_bytes());
    }

    /// A `bool`: align 8, 0 or 1 as i64.
    pub fn write_bool(&mut self, v: bool) {
        self.write_int(i64::from(v));
    }

    /// An enum value: align 8, its integer value as i64.
    pub fn write_enum(&mut self, v: i64) {
        self.write_int(v);
    }

    /// A `port`: align 8, `number | proto mask` as u64.
    pub fn write_port(&mut self, number: u16, proto: Proto) {
        self.write_count(u64::from(number) | proto.mask());
    }

    /// A `double`, `time` or `interval` (in seconds): align 8, IEEE-754 bits.
    /// `0.0` and `-0.0` are different keys.
    pub fn write_double(&mut self, v: f64) {
        self.put8(v.to_le_bytes());
    }

    /// A `string` in composite form: align 4, i32 length, then the bytes unaligned.
    pub fn write_string(&mut self, s: &[u8]) {
        self.put4(len_i32(s.len()));
        self.buf.extend_from_slice(s);
    }

    /// An `addr`: align 4, 16 bytes (IPv4 as `::ffff:a.b.c.d`).
    pub fn write_addr(&mut self, a: IpAddr) {
        self.write_addr_bytes(addr_bytes(a));
    }

    /// An `addr` given as its 16 stored bytes.
    pub fn write_addr_bytes(&mut self, b: [u8; 16]) {
        self.align(4);
        self.buf.extend_from_slice(&b);
    }

    /// A `subnet`: the prefix masked to `width` bits (IPv4 widths count from 32, IPv6 from
    /// 128), written as an address, then align 4, u32 width.
    pub fn write_subnet(&mut self, prefix: IpAddr, width: u8) {
        let mut b = addr_bytes(prefix);
        let total = match prefix {
            IpAddr::V4(_) => 96 + u32::from(width.min(32)),
            IpAddr::V6(_) => u32::from(width.min(128)),
        };
        for (i, byte) in b.iter_mut().enumerate() {
            let first_bit = i as u32 * 8;
            if first_bit + 8 <= total {
                continue;
            }
            let keep = total.saturating_sub(first_bit);
            *byte &= !(0xffu8.checked_shr(keep).unwrap_or(0));
        }
        self.write_subnet_bytes(b, u32::from(width));
    }

    /// A `subnet` given as its already-masked 16 prefix bytes and the width Zeek reports.
    pub fn write_subnet_bytes(&mut self, prefix: [u8; 16], width: u32) {
        self.write_addr_bytes(prefix);
        self.put4(width.to_le_bytes());
    }

    /// A `pattern` in composite form: align 8, u64 `len(exact)+1`; align 8, u64
    /// `len(anywhere)+1`; then both texts NUL-terminated, unaligned.
    pub fn write_pattern(&mut self, exact: &[u8], anywhere: &[u8]) {
        self.write_count(exact.len() as u64 + 1);
        self.write_count(anywhere.len() as u64 + 1);
        self.push_pattern_texts(exact, anywhere);
    }

    fn push_pattern_texts(&mut self, exact: &[u8], anywhere: &[u8]) {
        self.buf.extend_from_slice(exact);
        self.buf.push(0);
        self.buf.extend_from_slice(anywhere);
        self.buf.push(0);
    }

    /// A function value: align 4, its per-table u32 id (see [`crate::FuncIds`]).
    pub fn write_func(&mut self, id: u32) {
        self.put4(id.to_le_bytes());
    }

    /// The presence flag before an `&optional` record field: one byte, unaligned.
    pub fn write_optional_flag(&mut self, present: bool) {
        self.buf.push(u8::from(present));
    }

    /// The start of a table or set used as an index value: align 4, i32 element count.
    pub fn write_table_header(&mut self, len: usize) {
        self.put4(len_i32(len));
    }

    /// The start of one element's index inside a serialised table: align 4, i32 part count.
    pub fn write_list_header(&mut self, parts: usize) {
        self.put4(len_i32(parts));
    }

    /// The start of a vector used as an index value: align 4, u32 length.
    pub fn write_vector_header(&mut self, len: u32) {
        self.put4(len.to_le_bytes());
    }

    /// Index `i` of a serialised vector: align 4, u32 `i`; then a presence byte, unaligned.
    /// If `present`, the element follows as a composite item.
    pub fn write_vector_slot(&mut self, i: u32, present: bool) {
        self.put4(i.to_le_bytes());
        self.buf.push(u8::from(present));
    }

    /// A whole singleton `string` key: the raw bytes, no length.
    pub fn write_singleton_string(&mut self, s: &[u8]) {
        debug_assert!(self.buf.is_empty(), "a singleton key is the whole key");
        self.buf.extend_from_slice(s);
    }

    /// A whole singleton `pattern` key: exact text, NUL, anywhere text, NUL.
    pub fn write_singleton_pattern(&mut self, exact: &[u8], anywhere: &[u8]) {
        debug_assert!(self.buf.is_empty(), "a singleton key is the whole key");
        self.push_pattern_texts(exact, anywhere);
    }
}

/// Zeek writes lengths and counts as a C `int`; larger values wrap like its cast does.
fn len_i32(n: usize) -> [u8; 4] {
    (n as u32).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_and_subnet_mask() {
        let mut k = KeyBuf::new();
        k.write_string(b"e1");
        k.write_count(1);
        assert_eq!(
            k.bytes(),
            &[2, 0, 0, 0, b'e', b'1', 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        );
        k.clear();
        k.write_subnet("10.1.2.3".parse().unwrap(), 24);
        let mut want = vec![0u8; 10];
        want.extend_from_slice(&[0xff, 0xff, 10, 1, 2, 0, 24, 0, 0, 0]);
        assert_eq!(k.bytes(), &want[..]);
        k.clear();
        k.write_subnet("fe80::1".parse().unwrap(), 10);
        assert_eq!(&k.bytes()[..3], &[0xfe, 0x80, 0]);
        assert_eq!(k.bytes()[15], 0);
        k.clear();
        k.write_subnet("255.255.255.255".parse().unwrap(), 0);
        assert_eq!(&k.bytes()[..16], &addr_bytes("0.0.0.0".parse().unwrap()));
    }
}
