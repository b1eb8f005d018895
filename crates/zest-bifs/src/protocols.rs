//! The script-callable helpers of protocol analyzers that need no traffic:
//! FTP's `PORT`/`EPRT`/`PASV`/`EPSV` argument parsers and formatter
//! (`ftp/functions.bif`), NetBIOS name decoding
//! (`netbios/functions.bif`), HTTP's URI unescaping
//! (`http/functions.bif`), and X.509 host name matching
//! (`x509/functions.bif`).

use crate::conversion::convert_addr_string;
use crate::support::{builtin_error, record, str_arg};
use crate::Bif;
use zest_runtime::value::{Addr, Port, Proto};
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "parse_ftp_port",
        signature: "function(s: string): ftp_port",
        func: parse_ftp_port,
    },
    Bif {
        name: "parse_eftp_port",
        signature: "function(s: string): ftp_port",
        func: parse_eftp_port,
    },
    Bif {
        name: "parse_ftp_pasv",
        signature: "function(str: string): ftp_port",
        func: parse_ftp_pasv,
    },
    Bif {
        name: "parse_ftp_epsv",
        signature: "function(str: string): ftp_port",
        func: parse_ftp_epsv,
    },
    Bif {
        name: "fmt_ftp_port",
        signature: "function(a: addr, p: port): string",
        func: fmt_ftp_port,
    },
    Bif {
        name: "unescape_URI",
        signature: "function(URI: string): string",
        func: unescape_uri,
    },
    Bif {
        name: "decode_netbios_name",
        signature: "function(name: string): string",
        func: decode_netbios_name,
    },
    Bif {
        name: "decode_netbios_name_type",
        signature: "function(name: string): count",
        func: decode_netbios_name_type,
    },
    Bif {
        name: "x509_check_hostname",
        signature: "function(hostname: string, certname: string): bool",
        func: x509_check_hostname,
    },
];

/// The argument as C sees it: up to the first NUL (`CheckString()`).
fn c_str(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())]
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// C's `strtol(s, &end, 10)` saturating to the range of `i64`: the value
/// and the number of bytes consumed (0 if no digits).
fn strtol(s: &[u8]) -> (i64, usize) {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add(i64::from(s[i] - b'0'));
        i += 1;
    }
    if i == start {
        return (0, 0);
    }
    (if neg { -v } else { v }, i)
}

/// `sscanf(s, "%d,%d,%d,%d,%d,%d")`: the six numbers if all converted.
fn scan_six(s: &[u8]) -> Option<[i64; 6]> {
    let mut out = [0i64; 6];
    let mut pos = 0;
    for (k, slot) in out.iter_mut().enumerate() {
        if k > 0 {
            if s.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
        }
        let (v, n) = strtol(&s[pos..]);
        if n == 0 {
            return None;
        }
        // `%d` stores an int: wrap as C's conversion does.
        *slot = i64::from(v as i32);
        pos += n;
    }
    Some(out)
}

fn v4(a: u32) -> Addr {
    Addr::from_ip(std::net::IpAddr::V4(std::net::Ipv4Addr::from(a)))
}

fn tcp(num: u32) -> Value {
    Value::Port(Port {
        num,
        proto: Proto::Tcp,
    })
}

fn ftp_port(it: &Interp, bif: &str, h: Addr, p: u32, valid: bool) -> Value {
    record(
        it,
        bif,
        vec![
            ("h", Value::Addr(h)),
            ("p", tcp(p)),
            ("valid", Value::Bool(valid)),
        ],
    )
}

/// `parse_port` of the FTP analyzer: `h1,h2,h3,h4,p1,p2`.
fn parse_port(it: &Interp, bif: &str, line: Option<&[u8]>) -> Value {
    match line.and_then(scan_six) {
        Some(b) => {
            let mut good = b.iter().all(|&x| (0..=255).contains(&x));
            let n = |i: usize| b[i] as i32 as u32;
            let addr = (n(0) << 24) | (n(1) << 16) | (n(2) << 8) | n(3);
            let mut port = (n(4) << 8) | n(5);
            if port > 65535 {
                port = 0;
                good = false;
            }
            ftp_port(it, bif, v4(addr), port, good)
        }
        None => ftp_port(it, bif, v4(0), 0, false),
    }
}

/// `parse_eftp` of the FTP analyzer: `<d>proto<d>addr<d>port<d>`.
fn parse_eftp(it: &Interp, bif: &str, line: Option<&[u8]>) -> Value {
    let mut addr = Addr([0; 16]);
    let mut port: i64 = 0;
    let mut good = false;
    if let Some(mut line) = line {
        while let Some((&c, rest)) = line.split_first() {
            if !is_c_space(c) {
                break;
            }
            line = rest;
        }
        if let Some((&delim, rest)) = line.split_first() {
            good = true;
            line = rest;
            let (_proto, n) = strtol(line);
            if line.get(n) != Some(&delim) {
                good = false;
            }
            line = &line[n..];
            if !line.is_empty() {
                line = &line[1..];
            }
            if !line.is_empty() && line[0] != delim {
                let end = match line.iter().position(|&c| c == delim) {
                    Some(e) => e,
                    None => line.len(),
                };
                // Zeek's verdict on a missing closing delimiter is
                // overwritten by the address conversion's.
                match convert_addr_string(&line[..end]) {
                    Some(a) => {
                        addr = a;
                        good = true;
                    }
                    None => good = false,
                }
            }
            if let Some(d) = line.iter().position(|&c| c == delim) {
                line = &line[d + 1..];
                let (p, n) = strtol(line);
                port = p;
                if line.get(n) != Some(&delim) {
                    good = false;
                }
                if !(0..=65535).contains(&port) {
                    port = 0;
                    good = false;
                }
            }
        }
    }
    ftp_port(it, bif, addr, port as u32, good)
}

fn parse_ftp_port(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(parse_port(
        it,
        "parse_ftp_port",
        Some(c_str(str_arg(args, 0))),
    ))
}

fn parse_eftp_port(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(parse_eftp(
        it,
        "parse_eftp_port",
        Some(c_str(str_arg(args, 0))),
    ))
}

fn find(s: &[u8], needle: &[u8]) -> Option<usize> {
    s.windows(needle.len()).position(|w| w == needle)
}

fn parse_ftp_pasv(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = c_str(str_arg(args, 0));
    let line = if let Some(i) = s.iter().position(|&c| c == b'(') {
        Some(&s[i + 1..])
    } else if let Some(i) = find(s, b"PORT") {
        // Zeek skips "PORT" and one more character without looking.
        Some(s.get(i + 5..).unwrap_or_default())
    } else if let Some(i) = s.iter().position(|&c| c == b',') {
        let mut start = i;
        while start > 0 && s[start - 1].is_ascii_digit() {
            start -= 1;
        }
        Some(&s[start..])
    } else {
        None
    };
    Ok(parse_port(it, "parse_ftp_pasv", line))
}

fn parse_ftp_epsv(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = c_str(str_arg(args, 0));
    let line = s.iter().position(|&c| c == b'(').map(|i| &s[i + 1..]);
    Ok(parse_eftp(it, "parse_ftp_epsv", line))
}

fn fmt_ftp_port(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let (Some(Value::Addr(a)), Some(Value::Port(p))) = (args.first(), args.get(1)) else {
        return Ok(Value::str(b""));
    };
    if !a.is_v4() {
        let arg = args[0].clone();
        builtin_error(
            it,
            site,
            "conversion of non-IPv4 address in fmt_ftp_port",
            Some(&arg),
        );
        return Ok(Value::str(b""));
    }
    let b = &a.0[12..];
    let text = format!(
        "{},{},{},{},{},{}",
        b[0],
        b[1],
        b[2],
        b[3],
        p.num >> 8,
        p.num & 0xff
    );
    Ok(Value::str(text.as_bytes()))
}

fn netbios_upper(c: u8) -> u8 {
    c.to_ascii_uppercase()
}

/// HTTP's `unescape_URI`: `%xx` and `%uxxxx` escapes decoded as Zeek's
/// HTTP analyzer does (a doubled `%` drops the first one, a `%` that
/// starts no escape stays as it is).
fn unescape_uri(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::str(&unescape_uri_bytes(str_arg(args, 0))))
}

fn unescape_uri_bytes(s: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'%' {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let rest = &s[i + 1..];
        match rest {
            [] => {
                out.push(b'%');
                break;
            }
            [c] => {
                out.extend_from_slice(&[b'%', *c]);
                break;
            }
            // The first of two `%` is dropped; the second starts over.
            [b'%', ..] => i += 1,
            [a, b, ..] if hex(*a).is_some() && hex(*b).is_some() => {
                out.push((hex(*a).unwrap_or(0) << 4) + hex(*b).unwrap_or(0));
                i += 3;
            }
            [b'u', a, b, c, d, ..]
                if rest.len() >= 5 && [a, b, c, d].iter().all(|x| hex(**x).is_some()) =>
            {
                let v = |x: &u8| hex(*x).unwrap_or(0);
                if !(*a == b'0' && *b == b'0') {
                    out.push((v(a) << 4) + v(b));
                }
                out.push((v(c) << 4) + v(d));
                i += 6;
            }
            [c, ..] => {
                out.extend_from_slice(&[b'%', *c]);
                i += 2;
            }
        }
    }
    out
}

fn decode_netbios_name(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0);
    if s.len() != 32 {
        return Ok(Value::str(b""));
    }
    let mut buf = [0u8; 16];
    let mut length = 0;
    for i in 0..16 {
        let c0 = netbios_upper(s[2 * i]);
        let c1 = netbios_upper(s[2 * i + 1]);
        if !(b'A'..=b'P').contains(&c0) || !(b'A'..=b'P').contains(&c1) {
            return Ok(Value::str(b""));
        }
        let b = ((c0 - b'A') << 4) + (c1 - b'A');
        buf[i] = b;
        if b.is_ascii_alphanumeric() || b.is_ascii_punctuation() || b == b' ' || b < 3 {
            length += 1;
        } else {
            break;
        }
    }
    // The 16th byte is the name's type.
    length = length.min(15);
    while length > 0 && matches!(buf[length - 1], b' ' | 0) {
        length -= 1;
    }
    Ok(Value::str(&buf[..length]))
}

fn decode_netbios_name_type(
    _it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let s = str_arg(args, 0);
    if s.len() != 32 || !s.iter().all(|&c| (b'A'..=b'P').contains(&netbios_upper(c))) {
        return Ok(Value::Count(256));
    }
    let c0 = netbios_upper(s[30]);
    let c1 = netbios_upper(s[31]);
    Ok(Value::Count(u64::from(((c0 - b'A') << 4) + (c1 - b'A'))))
}

/// Whether a host name matches a certificate's name, wildcards allowed
/// only as Zeek accepts them: in the leftmost label, not alone in it
/// unless at its end, and only with at least three labels.
fn check_hostname(host: &[u8], cert: &[u8]) -> bool {
    if host == cert {
        return true;
    }
    let Some(wild) = cert.iter().position(|&c| c == b'*') else {
        return false;
    };
    let Some(first) = cert.iter().position(|&c| c == b'.') else {
        return false;
    };
    if !cert[first + 1..].contains(&b'.') || wild + 1 != first {
        return false;
    }
    let Some(host_first) = host.iter().position(|&c| c == b'.') else {
        return false;
    };
    if host[host_first..] != cert[first..] {
        return false;
    }
    wild == 0 || host[..wild.min(host.len())] == cert[..wild]
}

fn x509_check_hostname(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(check_hostname(
        str_arg(args, 0),
        str_arg(args, 1),
    )))
}

#[cfg(test)]
mod tests {
    use super::unescape_uri_bytes;

    #[test]
    fn unescapes_uris_as_zeeks_http_analyzer() {
        assert_eq!(unescape_uri_bytes(b"a%20b%41"), b"a bA");
        assert_eq!(unescape_uri_bytes(b"%%41"), b"A");
        assert_eq!(unescape_uri_bytes(b"%u00AE%u1234"), b"\xae\x12\x34");
        assert_eq!(unescape_uri_bytes(b"%zz"), b"%zz");
        assert_eq!(unescape_uri_bytes(b"x%"), b"x%");
        assert_eq!(unescape_uri_bytes(b"x%4"), b"x%4");
    }
}
