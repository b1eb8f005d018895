//! Addresses, subnets and ports (`src/IPAddr.cc: IPAddr::AsString, AsHexString,
//! IPPrefix::AsString`, `src/3rdparty/zeek_inet_ntop.c`, `src/Val.cc: PortVal::ValDescribe`).
//!
//! Zeek keeps every address as 16 bytes; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) *is*
//! IPv4 and prints as a dotted quad. Other IPv6 addresses use Zeek's own formatter: lowercase
//! groups without leading zeros, the first longest run of at least two zero groups as `::`,
//! and the last 32 bits as a dotted quad when the address starts with such a run of exactly six
//! groups (or five followed by `ffff`, or four followed by `ffff:0`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::num::write_count;

/// A port's transport protocol (`TransportProto`), as its text shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    /// `unknown` (`0/unknown`).
    Unknown,
    /// `tcp`.
    Tcp,
    /// `udp`.
    Udp,
    /// `icmp` (the number is the ICMP type or code).
    Icmp,
}

impl Proto {
    /// The protocol word Zeek prints after the `/` and puts in `to_json`'s `"proto"`.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Unknown => "unknown",
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
        }
    }
}

/// Appends a port: number, `/`, protocol (`80/tcp`, `8/icmp`, `0/unknown`).
pub fn write_port(out: &mut Vec<u8>, number: u32, proto: Proto) {
    write_count(out, u64::from(number));
    out.push(b'/');
    out.extend_from_slice(proto.name().as_bytes());
}

/// The IPv4 address Zeek sees in `a`: a V4 address, or a V6 address in `::ffff:0:0/96`.
fn as_v4(a: IpAddr) -> Option<Ipv4Addr> {
    match a {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => {
            let o = v6.octets();
            (o[..10] == [0; 10] && o[10] == 0xff && o[11] == 0xff)
                .then(|| Ipv4Addr::new(o[12], o[13], o[14], o[15]))
        }
    }
}

/// Appends an address as every text renderer shows it: `1.2.3.4`, `::1`, `2001:db8::1`,
/// `::1.2.3.4`, `::ffff:0:1.2.3.4`, `64:ff9b::102:304`; `[::ffff:1.2.3.4]` prints `1.2.3.4`.
pub fn write_addr(out: &mut Vec<u8>, a: IpAddr) {
    match (as_v4(a), a) {
        (Some(v4), _) => write_v4(out, v4.octets()),
        (None, IpAddr::V6(v6)) => write_v6(out, v6),
        (None, IpAddr::V4(_)) => unreachable!("as_v4 accepts every V4 address"),
    }
}

fn write_v4(out: &mut Vec<u8>, o: [u8; 4]) {
    for (i, b) in o.into_iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        write_count(out, u64::from(b));
    }
}

/// `zeek_inet_ntop6`.
fn write_v6(out: &mut Vec<u8>, a: Ipv6Addr) {
    let words = a.segments();
    // The first longest run of zero words, if at least two long.
    let (mut best_base, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let base = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - base > best_len {
                (best_base, best_len) = (base, i - base);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_base = usize::MAX;
    }
    let in_run = |i: usize| best_base != usize::MAX && i >= best_base && i < best_base + best_len;
    for (i, &w) in words.iter().enumerate() {
        if in_run(i) {
            if i == best_base {
                out.push(b':');
            }
            continue;
        }
        if i != 0 {
            out.push(b':');
        }
        // An encapsulated IPv4 address? (The upstream `len == 7` case cannot reach i == 6.)
        let embedded_v4 = i == 6
            && best_base == 0
            && (best_len == 6
                || (best_len == 5 && words[5] == 0xffff)
                || (best_len == 4 && words[4] == 0xffff && words[5] == 0));
        if embedded_v4 {
            let o = a.octets();
            write_v4(out, [o[12], o[13], o[14], o[15]]);
            break;
        }
        write_hex_word(out, w);
    }
    if best_base != usize::MAX && best_base + best_len == 8 {
        out.push(b':');
    }
}

fn write_hex_word(out: &mut Vec<u8>, w: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in [12u16, 8, 4, 0] {
        let d = (w >> shift) & 0xf;
        if d != 0 || started || shift == 0 {
            out.push(HEX[usize::from(d)]);
            started = true;
        }
    }
}

/// Appends `IPAddr::AsHexString()` (`fmt("%x")` of an address): 8 lowercase hex digits for
/// IPv4 (also IPv4-mapped), 32 for IPv6.
pub fn write_addr_hex(out: &mut Vec<u8>, a: IpAddr) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes: &[u8] = match (as_v4(a), a) {
        (Some(v4), _) => &v4.octets(),
        (None, IpAddr::V6(v6)) => &v6.octets(),
        (None, IpAddr::V4(_)) => unreachable!("as_v4 accepts every V4 address"),
    };
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0xf)]);
    }
}

/// Appends a subnet: the network address (host bits cleared), `/`, the prefix length.
///
/// `len` counts bits of `prefix`'s own family (0–32 for V4, 0–128 for V6; larger values are
/// clamped). A V6 prefix inside `::ffff:0:0/96` with `len ≥ 96` is IPv4 and prints with
/// `len − 96`, as Zeek does: `[::ffff:1.2.3.0]/120` → `1.2.3.0/24`.
pub fn write_subnet(out: &mut Vec<u8>, prefix: IpAddr, len: u8) {
    let (net, shown) = match prefix {
        IpAddr::V4(v4) => {
            let len = len.min(32);
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            (IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask)), len)
        }
        IpAddr::V6(v6) => {
            let len = len.min(128);
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            let net = IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask));
            // A masked prefix can only still be IPv4-mapped when len >= 96.
            let shown = if as_v4(net).is_some() && len >= 96 {
                len - 96
            } else {
                len
            };
            (net, shown)
        }
    };
    write_addr(out, net);
    out.push(b'/');
    write_count(out, u64::from(shown));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> String {
        let mut out = Vec::new();
        write_addr(&mut out, s.parse().unwrap());
        String::from_utf8(out).unwrap()
    }

    /// Zeek address literals (written as Rust parses them) and Zeek's text for them:
    /// render/atoms, render/addr-v6, btest language.ipv6-literals, bifs.fmt, scripts.base.utils.json.
    #[test]
    fn addresses() {
        let cases: &[(&str, &str)] = &[
            ("1.2.3.4", "1.2.3.4"),
            ("0.0.0.0", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.255"),
            ("::1", "::1"),
            ("::", "::"),
            ("2001:db8::1", "2001:db8::1"),
            ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("fe80::1:2:3:4", "fe80::1:2:3:4"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("::ffff:1.2.3.4", "1.2.3.4"),
            ("::ffff:102:304", "1.2.3.4"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("64:ff9b::1.2.3.4", "64:ff9b::102:304"),
            ("::ffff:10.0.0.1", "10.0.0.1"),
            ("::2", "::2"),
            ("::ffff", "::ffff"),
            ("::1:0", "::0.1.0.0"),
            ("::0.1.0.0", "::0.1.0.0"),
            ("::ffff:0:1.2.3.4", "::ffff:0:1.2.3.4"),
            ("::fffe:1.2.3.4", "::fffe:102:304"),
            ("1::", "1::"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("1:0:0:2:0:0:0:4", "1:0:0:2::4"),
            ("0:0:1:0:0:0:0:1", "0:0:1::1"),
            (
                "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789",
                "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
            ),
            ("fe80::0202:b3ff:fe1e:8329", "fe80::202:b3ff:fe1e:8329"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329"),
            ("::ffff:ffff", "::255.255.255.255"),
            ("::0a0a:ffff", "::10.10.255.255"),
            ("1::1", "1::1"),
            ("1::a", "1::a"),
            ("1::1:1", "1::1:1"),
            ("1::1:a", "1::1:a"),
            ("a::a", "a::a"),
            ("a::1", "a::1"),
            ("a::a:a", "a::a:a"),
            ("a::a:1", "a::a:1"),
            ("a:a::a", "a:a::a"),
            ("aaaa:0::ffff", "aaaa::ffff"),
            ("::ffff:192.168.1.100", "192.168.1.100"),
            ("ffff::192.168.1.100", "ffff::c0a8:164"),
            ("::192.168.1.100", "::192.168.1.100"),
            ("::ffff:0:192.168.1.100", "::ffff:0:192.168.1.100"),
            (
                "805B:2D9D:DC28::FC57:212.200.31.255",
                "805b:2d9d:dc28::fc57:d4c8:1fff",
            ),
            ("aaaa::bbbb", "aaaa::bbbb"),
            (
                "aaaa:bbbb:cccc:dddd:eeee:ffff:1111:2222",
                "aaaa:bbbb:cccc:dddd:eeee:ffff:1111:2222",
            ),
            (
                "aaaa:bbbb:cccc:dddd:eeee:ffff:1:2222",
                "aaaa:bbbb:cccc:dddd:eeee:ffff:1:2222",
            ),
            (
                "aaaa:bbbb:cccc:dddd:eeee:ffff:0:2222",
                "aaaa:bbbb:cccc:dddd:eeee:ffff:0:2222",
            ),
            (
                "aaaa:bbbb:cccc:dddd:eeee:0:0:2222",
                "aaaa:bbbb:cccc:dddd:eeee::2222",
            ),
            ("127.0.0.1", "127.0.0.1"),
            ("fe80:1234::1", "fe80:1234::1"),
            ("ffff:1234::1", "ffff:1234::1"),
            ("::ffff:123.123.123.123", "123.123.123.123"),
        ];
        for &(input, want) in cases {
            assert_eq!(addr(input), want, "{input}");
        }
    }

    /// render/addr-v6 (`fmt("%x", …)`) and btest bifs.fmt (`*%10x*`, flags ignored).
    #[test]
    fn addresses_hex() {
        let mut out = Vec::new();
        for a in [
            "1.2.3.4",
            "2001:db8::1",
            "::ffff:1.2.3.4",
            "127.0.0.1",
            "fe00::1",
        ] {
            write_addr_hex(&mut out, a.parse().unwrap());
            out.push(b' ');
        }
        assert_eq!(out, b"01020304 20010db8000000000000000000000001 01020304 7f000001 fe000000000000000000000000000001 ");
    }

    /// Subnet literals (address, width as written) and Zeek's text: render/atoms,
    /// bifs.fmt, scripts.base.utils.json.
    #[test]
    fn subnets() {
        let cases: &[(&str, u8, &str)] = &[
            ("10.0.0.0", 8, "10.0.0.0/8"),
            ("10.1.2.3", 8, "10.0.0.0/8"),
            ("1.2.3.4", 32, "1.2.3.4/32"),
            ("0.0.0.0", 0, "0.0.0.0/0"),
            ("2001:db8::", 32, "2001:db8::/32"),
            ("::", 0, "::/0"),
            ("::ffff:1.2.3.0", 120, "1.2.3.0/24"),
            ("2001:db8::1", 128, "2001:db8::1/128"),
            ("192.168.1.1", 24, "192.168.1.0/24"),
            ("192.168.1.1", 0, "0.0.0.0/0"),
            ("192.168.0.0", 16, "192.168.0.0/16"),
            ("fe80:1234::", 32, "fe80:1234::/32"),
            ("192.0.0.0", 8, "192.0.0.0/8"),
            ("fe80::", 64, "fe80::/64"),
        ];
        for &(a, len, want) in cases {
            let mut out = Vec::new();
            write_subnet(&mut out, a.parse().unwrap(), len);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{a}/{len}");
        }
    }

    /// render/atoms.stdout, bifs.fmt.
    #[test]
    fn ports() {
        let mut out = Vec::new();
        for (n, p) in [
            (80, Proto::Tcp),
            (53, Proto::Udp),
            (8, Proto::Icmp),
            (0, Proto::Unknown),
            (65535, Proto::Tcp),
            (160, Proto::Tcp),
        ] {
            write_port(&mut out, n, p);
            out.push(b' ');
        }
        assert_eq!(out, b"80/tcp 53/udp 8/icmp 0/unknown 65535/tcp 160/tcp ");
    }
}
