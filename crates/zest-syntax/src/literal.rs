//! Decoding of literal token text into values, as `scan.l` does it.

use crate::ast::{Literal, Proto};
use crate::error::SyntaxErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `strtoull` with base 10 or 16: saturates at `u64::MAX`.
pub fn parse_unsigned(digits: &str, radix: u32) -> u64 {
    let mut v: u64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        match v
            .checked_mul(u64::from(radix))
            .and_then(|x| x.checked_add(u64::from(d)))
        {
            Some(n) => v = n,
            None => return u64::MAX,
        }
    }
    v
}

/// C's `atof` on the longest numeric prefix.
pub fn atof(text: &str) -> f64 {
    let b = text.as_bytes();
    let mut end = 0;
    while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'.') {
        end += 1;
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut j = end + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            end = j;
        }
    }
    text[..end].parse().unwrap_or(0.0)
}

pub fn interval(text: &str) -> f64 {
    let v = atof(text);
    let unit = text.trim_end_matches('s');
    let mult = if unit.ends_with("msec") {
        1e-3
    } else if unit.ends_with("usec") {
        1e-6
    } else if unit.ends_with("sec") {
        1.0
    } else if unit.ends_with("min") {
        60.0
    } else if unit.ends_with("hr") {
        3600.0
    } else {
        86400.0
    };
    v * mult
}

/// `80/tcp` and friends. On a bad number Zeek reports and uses port 0.
pub fn port(text: &str) -> (Literal, Option<SyntaxErrorKind>) {
    let (num, proto) = text.split_once('/').unwrap_or((text, "unknown"));
    let n = parse_unsigned(num, 10);
    // atoi into a uint32_t
    let p = (n as i64) as u32;
    let (proto, max) = match proto {
        "tcp" => (Proto::Tcp, 65535),
        "udp" => (Proto::Udp, 65535),
        "icmp" => (Proto::Icmp, 255),
        _ => (Proto::Unknown, 255),
    };
    if p > max {
        (
            Literal::Port(0, proto),
            Some(SyntaxErrorKind::BadPort(text.to_owned())),
        )
    } else {
        (Literal::Port(p, proto), None)
    }
}

fn strip_brackets(t: &str) -> &str {
    let t = t.trim();
    let t = t.strip_prefix('[').unwrap_or(t);
    let t = t.strip_suffix(']').unwrap_or(t);
    t.strip_prefix("0x").unwrap_or(t)
}

pub fn ip6(text: &str) -> Result<IpAddr, SyntaxErrorKind> {
    let inner = strip_brackets(text);
    inner
        .parse::<Ipv6Addr>()
        .map(IpAddr::V6)
        .map_err(|_| SyntaxErrorKind::BadAddress(inner.to_owned()))
}

pub fn ip4(text: &str) -> Result<IpAddr, SyntaxErrorKind> {
    text.parse::<Ipv4Addr>()
        .map(IpAddr::V4)
        .map_err(|_| SyntaxErrorKind::BadAddress(text.to_owned()))
}

/// `a.b.c.d/n` or `[v6]/n`. The length of a bracketed address counts from
/// the start of the 128-bit form; of a dotted one, from the start of the
/// IPv4 address. Out-of-range lengths are reported and become 0.
pub fn subnet(text: &str, v6: bool) -> (Literal, Vec<SyntaxErrorKind>) {
    let mut errs = Vec::new();
    let (addr_text, len_text) = text.split_once('/').unwrap_or((text, "0"));
    let len_text = len_text.trim();
    // atoi, then stored in a uint8_t
    let len = (parse_unsigned(len_text, 10) as u8) as u32;
    let addr = if v6 {
        ip6(addr_text.trim())
    } else {
        ip4(addr_text.trim())
    };
    let addr = match addr {
        Ok(a) => a,
        Err(e) => {
            errs.push(e);
            if v6 {
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            }
        }
    };
    let max = match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(a) if a.to_ipv4_mapped().is_some() && !v6 => 32,
        IpAddr::V6(_) => 128,
    };
    let len = if len > max {
        errs.push(SyntaxErrorKind::BadSubnetLength {
            v6,
            len: len.to_string(),
        });
        0
    } else {
        len
    };
    (Literal::Subnet(addr, len), errs)
}

/// The body of a string literal (without quotes) with escapes expanded as
/// `util::detail::expand_escape` does.
pub fn unescape_string(body: &str) -> (Vec<u8>, Vec<SyntaxErrorKind>) {
    let b = body.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut errs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = b[i];
        i += 1;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(7),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match b.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = (v << 3) | u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let hex = |x: u8| (x as char).to_digit(16);
                match b.get(i).and_then(|&x| hex(x)) {
                    None => {
                        errs.push(SyntaxErrorKind::BadHexEscape(
                            String::from_utf8_lossy(&b[i..]).into_owned(),
                        ));
                        out.push(0);
                    }
                    Some(d1) => {
                        i += 1;
                        let mut v = d1;
                        if let Some(d2) = b.get(i).and_then(|&x| hex(x)) {
                            v = (v << 4) | d2;
                            i += 1;
                        }
                        out.push(v as u8);
                    }
                }
            }
            other => out.push(other),
        }
    }
    (out, errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_unsigned("99999999999999999999", 10), u64::MAX);
        assert_eq!(parse_unsigned("ff", 16), 255);
        assert!((interval("5 min") - 300.0).abs() < 1e-9);
        assert!((interval("1.5msecs") - 0.0015).abs() < 1e-12);
        assert!((interval("2days") - 172_800.0).abs() < 1e-9);
    }

    #[test]
    fn escapes() {
        assert_eq!(
            unescape_string(r"a\x0ddir\n\101\\").0,
            b"a\rdir\nA\\".to_vec()
        );
        assert_eq!(unescape_string(r"\x41BC").0, b"ABC".to_vec());
    }

    #[test]
    fn subnets() {
        let (l, e) = subnet("1.2.3.4/33", false);
        assert_eq!(l, Literal::Subnet("1.2.3.4".parse().unwrap(), 0));
        assert_eq!(
            e,
            vec![SyntaxErrorKind::BadSubnetLength {
                v6: false,
                len: "33".into()
            }]
        );
    }
}
