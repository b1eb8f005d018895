//! `zeek.bif` conversions and math: `to_*` / `*_to_*`, address and subnet
//! helpers, `strftime`/`strptime`, the math functions, the subnet-table
//! lookups and `anonymize_addr`.
//!
//! Zeek implements these on top of the C library (`strtoll`, `strtod`,
//! `sscanf`, `inet_pton`, `strftime`, `strptime`, `mktime`, libm). Those
//! routines are reproduced here as glibc behaves in the C locale with
//! `TZ=UTC`, because their edge cases are visible from scripts: accepted
//! leading blanks, partial parses, saturation, padding flags. The math
//! functions call Rust's `f64` methods, which lower to the same libm calls.

use crate::support::builtin_error;
use crate::Bif;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Type, TypeKind, TypeRef};
use zest_runtime::value::{Addr, Port, Proto, Subnet};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "enum_to_int",
        signature: "function(e: any): int",
        func: enum_to_int,
    },
    Bif {
        name: "to_int",
        signature: "function(str: string): int",
        func: to_int,
    },
    Bif {
        name: "int_to_count",
        signature: "function(n: int): count",
        func: int_to_count,
    },
    Bif {
        name: "double_to_int",
        signature: "function(d: double): int",
        func: double_to_int,
    },
    Bif {
        name: "double_to_count",
        signature: "function(d: double): count",
        func: double_to_count,
    },
    Bif {
        name: "to_count",
        signature: "function(str: string): count",
        func: to_count,
    },
    Bif {
        name: "interval_to_double",
        signature: "function(i: interval): double",
        func: interval_to_double,
    },
    Bif {
        name: "count_to_double",
        signature: "function(c: count): double",
        func: count_to_double,
    },
    Bif {
        name: "int_to_double",
        signature: "function(i: int): double",
        func: int_to_double,
    },
    Bif {
        name: "time_to_double",
        signature: "function(t: time): double",
        func: time_to_double,
    },
    Bif {
        name: "double_to_time",
        signature: "function(d: double): time",
        func: double_to_time,
    },
    Bif {
        name: "double_to_interval",
        signature: "function(d: double): interval",
        func: double_to_interval,
    },
    Bif {
        name: "port_to_count",
        signature: "function(p: port): count",
        func: port_to_count,
    },
    Bif {
        name: "count_to_port",
        signature: "function(num: count, proto: enum { unknown_transport, tcp, udp, icmp }): port",
        func: count_to_port,
    },
    Bif {
        name: "to_addr",
        signature: "function(ip: string): addr",
        func: to_addr,
    },
    Bif {
        name: "is_valid_ip",
        signature: "function(ip: string): bool",
        func: is_valid_ip,
    },
    Bif {
        name: "to_subnet",
        signature: "function(sn: string): subnet",
        func: to_subnet,
    },
    Bif {
        name: "addr_to_subnet",
        signature: "function(a: addr): subnet",
        func: addr_to_subnet,
    },
    Bif {
        name: "subnet_to_addr",
        signature: "function(sn: subnet): addr",
        func: subnet_to_addr,
    },
    Bif {
        name: "subnet_width",
        signature: "function(sn: subnet): count",
        func: subnet_width,
    },
    Bif {
        name: "to_double",
        signature: "function(str: string): double",
        func: to_double,
    },
    Bif {
        name: "to_port",
        signature: "function(s: string): port",
        func: to_port,
    },
    Bif {
        name: "bytestring_to_double",
        signature: "function(s: string): double",
        func: bytestring_to_double,
    },
    Bif {
        name: "bytestring_to_float",
        signature: "function(s: string): double",
        func: bytestring_to_float,
    },
    Bif {
        name: "bytestring_to_count",
        signature: "function(s: string, is_le: bool &default=F): count",
        func: bytestring_to_count,
    },
    Bif {
        name: "ptr_name_to_addr",
        signature: "function(s: string): addr",
        func: ptr_name_to_addr,
    },
    Bif {
        name: "addr_to_ptr_name",
        signature: "function(a: addr): string",
        func: addr_to_ptr_name,
    },
    Bif {
        name: "bytestring_to_hexstr",
        signature: "function(bytestring: string): string",
        func: bytestring_to_hexstr,
    },
    Bif {
        name: "hexstr_to_bytestring",
        signature: "function(hexstr: string): string",
        func: hexstr_to_bytestring,
    },
    Bif {
        name: "uuid_to_string",
        signature: "function(uuid: string): string",
        func: uuid_to_string,
    },
    Bif {
        name: "strftime",
        signature: "function(fmt: string, d: time): string",
        func: strftime,
    },
    Bif {
        name: "strptime",
        signature: "function(fmt: string, d: string): time",
        func: strptime,
    },
    Bif {
        name: "mask_addr",
        signature: "function(a: addr, top_bits_to_keep: count): subnet",
        func: mask_addr,
    },
    Bif {
        name: "remask_addr",
        signature: "function(a1: addr, a2: addr, top_bits_from_a1: count): addr",
        func: remask_addr,
    },
    Bif {
        name: "is_tcp_port",
        signature: "function(p: port): bool",
        func: is_tcp_port,
    },
    Bif {
        name: "is_udp_port",
        signature: "function(p: port): bool",
        func: is_udp_port,
    },
    Bif {
        name: "is_icmp_port",
        signature: "function(p: port): bool",
        func: is_icmp_port,
    },
    Bif {
        name: "get_port_transport_proto",
        signature: "function(p: port): enum { unknown_transport, tcp, udp, icmp }",
        func: get_port_transport_proto,
    },
    Bif {
        name: "addr_to_counts",
        signature: "function(a: addr): vector of count",
        func: addr_to_counts,
    },
    Bif {
        name: "counts_to_addr",
        signature: "function(v: vector of count): addr",
        func: counts_to_addr,
    },
    Bif {
        name: "floor",
        signature: "function(d: double): double",
        func: floor,
    },
    Bif {
        name: "sqrt",
        signature: "function(x: double): double",
        func: sqrt,
    },
    Bif {
        name: "exp",
        signature: "function(d: double): double",
        func: exp,
    },
    Bif {
        name: "ln",
        signature: "function(d: double): double",
        func: ln,
    },
    Bif {
        name: "pow",
        signature: "function(x: double, y: double): double",
        func: pow,
    },
    Bif {
        name: "haversine_distance",
        signature: "function(lat1: double, long1: double, lat2: double, long2: double): double",
        func: haversine_distance,
    },
    Bif {
        name: "matching_subnets",
        signature: "function(search: subnet, t: any): vector of subnet",
        func: matching_subnets,
    },
    Bif {
        name: "filter_subnet_table",
        signature: "function(search: subnet, t: any): any",
        func: filter_subnet_table,
    },
    Bif {
        name: "check_subnet",
        signature: "function(search: subnet, t: any): bool",
        func: check_subnet,
    },
    Bif {
        name: "compress_path",
        signature: "function(dir: string): string",
        func: compress_path,
    },
    Bif {
        name: "anonymize_addr",
        signature: "function(a: addr, cl: enum { ORIG_ADDR, RESP_ADDR, OTHER_ADDR }): addr",
        func: anonymize_addr,
    },
];

// ===================================================================== helpers

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn bytes_arg(args: &[Value], i: usize) -> &[u8] {
    args.get(i).map_or(b"", Value::as_bytes)
}

fn double_arg(args: &[Value], i: usize) -> f64 {
    args.get(i).map_or(0.0, Value::as_double)
}

fn count_arg(args: &[Value], i: usize) -> u64 {
    args.get(i).map_or(0, Value::as_count)
}

fn addr_arg(args: &[Value], i: usize) -> Addr {
    match args.get(i) {
        Some(Value::Addr(a)) => *a,
        _ => Addr([0; 16]),
    }
}

fn subnet_arg(args: &[Value], i: usize) -> Subnet {
    match args.get(i) {
        Some(Value::Subnet(s)) => *s,
        _ => Subnet {
            prefix: Addr([0; 16]),
            len: 0,
        },
    }
}

fn port_arg(args: &[Value], i: usize) -> Port {
    match args.get(i) {
        Some(Value::Port(p)) => *p,
        _ => Port {
            num: 0,
            proto: Proto::Unknown,
        },
    }
}

fn string_value(b: Vec<u8>) -> Value {
    Value::String(Rc::from(b))
}

/// `String::CheckString()`: the bytes a BiF sees as a C string. A string
/// holding a NUL is reported (`error: string with embedded NUL: "…"`) and
/// replaced by `<string-with-NUL>`.
fn check_string(it: &mut Interp, s: &[u8]) -> Vec<u8> {
    match zest_runtime::render::string::check_string(s) {
        Ok(b) => b.to_vec(),
        Err(subst) => {
            let mut msg = Vec::new();
            zest_runtime::render::string::write_embedded_nul_message(&mut msg, s);
            it.error(None, &String::from_utf8_lossy(&msg));
            subst.to_vec()
        }
    }
}

/// `String::Render()` in its default `EXPANDED_STRING` style: bytes outside
/// 0x20–0x7e become `\xNN`.
fn render_expanded(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    zest_runtime::render::write_print_escaped(&mut out, s);
    out
}

/// The declared return type of the global function `name` (so a returned
/// value carries whatever type the declaration in force gives it).
fn declared_return_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    let ty = it.prog.globals.get(gid as usize)?.ty.as_ref()?;
    ty.func()?.ret.clone()
}

fn vector_type(it: &Interp, fname: &str, elem: &TypeRef) -> TypeRef {
    match declared_return_type(it, fname) {
        Some(t) if matches!(t.kind, TypeKind::Vector(_)) => t,
        _ => Type::new(TypeKind::Vector(elem.clone())),
    }
}

/// `Reporter::Error` with a message assembled from raw bytes.
fn reporter_error(it: &mut Interp, msg: &[u8]) {
    it.error(None, &String::from_utf8_lossy(msg));
}

fn c_isspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Bytes up to (not including) the first NUL: what C string routines see.
fn c_str(s: &[u8]) -> &[u8] {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    &s[..end]
}

/// x86-64 `cvttsd2si`: truncation toward zero; NaN and out-of-range give
/// `i64::MIN` (what a C `(int64_t)` / `(time_t)` cast of a double yields).
fn f64_to_i64_x86(v: f64) -> i64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO63..TWO63).contains(&v) {
        v as i64
    } else {
        i64::MIN
    }
}

/// gcc's x86-64 code for `(uint64_t)double`, including negative, NaN and
/// out-of-range inputs.
fn f64_to_u64_x86(v: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if v < TWO63 {
        f64_to_i64_x86(v) as u64
    } else {
        (f64_to_i64_x86(v - TWO63) as u64) ^ (1 << 63)
    }
}

// ============================================================ C number parsing

/// Digits of a `strtol`-family number: (negative, magnitude saturated at
/// `u64::MAX`, overflowed, end). `end` is 0 when no digits were found.
fn scan_c_integer(s: &[u8]) -> (bool, u64, bool, usize) {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = u64::from(s[i] - b'0');
        match v.checked_mul(10).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return (false, 0, false, 0);
    }
    (neg, if overflow { u64::MAX } else { v }, overflow, i)
}

/// glibc `strtoll(s, &end, 10)`: the value and the number of bytes used.
fn strtoll(s: &[u8]) -> (i64, usize) {
    let (neg, mag, overflow, end) = scan_c_integer(s);
    let v = if neg {
        if overflow || mag > 1u64 << 63 {
            i64::MIN
        } else {
            (mag as i64).wrapping_neg()
        }
    } else if overflow || mag > i64::MAX as u64 {
        i64::MAX
    } else {
        mag as i64
    };
    (v, end)
}

/// glibc `strtoull(s, &end, 10)`: a leading `-` negates modulo 2^64.
fn strtoull(s: &[u8]) -> (u64, usize) {
    let (neg, mag, overflow, end) = scan_c_integer(s);
    let v = if overflow {
        u64::MAX
    } else if neg {
        mag.wrapping_neg()
    } else {
        mag
    };
    (v, end)
}

fn starts_with_ci(s: &[u8], word: &[u8]) -> bool {
    s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word)
}

/// glibc `strtod(s, &end)` in the C locale: decimal and hexadecimal forms,
/// `inf`/`infinity`/`nan[(…)]`, correctly rounded.
fn strtod(s: &[u8]) -> (f64, usize) {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let sign = |v: f64| if neg { -v } else { v };
    let rest = &s[i..];
    if starts_with_ci(rest, b"inf") {
        let n = if starts_with_ci(rest, b"infinity") {
            8
        } else {
            3
        };
        return (sign(f64::INFINITY), i + n);
    }
    if starts_with_ci(rest, b"nan") {
        let mut end = i + 3;
        if s.get(end) == Some(&b'(') {
            let mut k = end + 1;
            while k < s.len() && (s[k].is_ascii_alphanumeric() || s[k] == b'_') {
                k += 1;
            }
            if s.get(k) == Some(&b')') {
                end = k + 1;
            }
        }
        return (sign(f64::NAN), end);
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((v, n)) = parse_hex_float(&rest[2..]) {
            return (sign(v), i + 2 + n);
        }
        // "0x" without hex digits: the "0" alone is the number.
        return (sign(0.0), i + 1);
    }
    // Decimal: digits [. digits] [e[sign]digits], at least one digit.
    let mut j = i;
    let mut text = String::new();
    let mut ndigits = 0;
    while j < s.len() && s[j].is_ascii_digit() {
        text.push(s[j] as char);
        j += 1;
        ndigits += 1;
    }
    if j < s.len() && s[j] == b'.' {
        text.push('.');
        j += 1;
        while j < s.len() && s[j].is_ascii_digit() {
            text.push(s[j] as char);
            j += 1;
            ndigits += 1;
        }
    }
    if ndigits == 0 {
        return (0.0, 0);
    }
    if j < s.len() && (s[j] | 0x20) == b'e' {
        let mut k = j + 1;
        let mut esign = "";
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            if s[k] == b'-' {
                esign = "-";
            }
            k += 1;
        }
        if k < s.len() && s[k].is_ascii_digit() {
            // Saturate absurd exponents; the result is 0 or inf either way.
            let mut e: u64 = 0;
            while k < s.len() && s[k].is_ascii_digit() {
                e = (e * 10 + u64::from(s[k] - b'0')).min(1_000_000_000);
                k += 1;
            }
            text.push('e');
            text.push_str(esign);
            text.push_str(&e.to_string());
            j = k;
        }
    }
    let v: f64 = text.parse().unwrap_or(0.0);
    (sign(v), j)
}

/// The part of a hexadecimal float after `0x`: hex digits with an optional
/// point (at least one digit), then an optional binary exponent. Returns the
/// correctly rounded value and the bytes used.
fn parse_hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let hexval = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    let mut mant: u64 = 0;
    let mut exp2: i64 = 0;
    let mut sticky = false;
    let mut ndigits = 0;
    let mut seen_point = false;
    while i < s.len() {
        if let Some(d) = hexval(s[i]) {
            ndigits += 1;
            if mant >> 60 == 0 {
                mant = mant * 16 + u64::from(d);
                if seen_point {
                    exp2 -= 4;
                }
            } else {
                sticky |= d != 0;
                if !seen_point {
                    exp2 += 4;
                }
            }
            i += 1;
        } else if s[i] == b'.' && !seen_point {
            seen_point = true;
            i += 1;
        } else {
            break;
        }
    }
    if ndigits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut k = i + 1;
        let mut eneg = false;
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            eneg = s[k] == b'-';
            k += 1;
        }
        if k < s.len() && s[k].is_ascii_digit() {
            let mut e: i64 = 0;
            while k < s.len() && s[k].is_ascii_digit() {
                e = (e * 10 + i64::from(s[k] - b'0')).min(100_000_000);
                k += 1;
            }
            exp2 += if eneg { -e } else { e };
            i = k;
        }
    }
    Some((compose_binary(mant, exp2, sticky), i))
}

/// `mant * 2^exp2` (plus a sticky bit below `mant`) rounded to nearest-even.
fn compose_binary(mant: u64, exp2: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let shift = mant.leading_zeros();
    let m = u128::from(mant << shift);
    let e = exp2 - i64::from(shift); // value = m * 2^e, m in [2^63, 2^64)
    let top = e + 63; // exponent of the leading bit
    if top > 1023 {
        return f64::INFINITY;
    }
    // Number of low bits of m to drop so the result has the right precision.
    let drop: i64 = if top >= -1022 { 11 } else { 11 + (-1022 - top) };
    let (kept, round_up) = if drop > 64 {
        // The whole value is below half of the smallest subnormal.
        (0u128, false)
    } else {
        let d = drop as u32;
        let kept = m >> d;
        let rem = m & ((1u128 << d) - 1);
        let half = 1u128 << (d - 1);
        let up = rem > half || (rem == half && (sticky || kept & 1 == 1));
        (kept, up)
    };
    let kept = kept + u128::from(round_up);
    let bits: u64 = if top >= -1022 {
        // Normal: kept has 53 bits (or 54 after rounding up).
        let (k, t) = if kept >> 53 != 0 {
            (kept >> 1, top + 1)
        } else {
            (kept, top)
        };
        if t > 1023 {
            return f64::INFINITY;
        }
        (((t + 1023) as u64) << 52) | ((k as u64) & ((1u64 << 52) - 1))
    } else {
        // Subnormal: kept is the raw significand (reaching 2^52 makes it the
        // smallest normal, which the same bit pattern expresses).
        kept as u64
    };
    f64::from_bits(bits)
}

// ================================================================ scanf pieces

/// glibc `sscanf` `%d` at `pos`: blanks skipped, optional sign, digits;
/// the `long` result is stored through an `int`.
fn scan_d(s: &[u8], pos: usize) -> Option<(i32, usize)> {
    let (v, n) = strtoll(&s[pos..]);
    if n == 0 {
        return None;
    }
    Some((v as i32, pos + n))
}

/// A literal format character: must match the next input byte exactly.
fn scan_lit(s: &[u8], pos: usize, c: u8) -> Option<usize> {
    (s.get(pos) == Some(&c)).then_some(pos + 1)
}

/// `%Ns`: blanks skipped, then up to `width` non-blank bytes (at least one).
fn scan_s(s: &[u8], pos: usize, width: usize) -> Option<(&[u8], usize)> {
    let mut i = pos;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let start = i;
    while i < s.len() && i - start < width && !c_isspace(s[i]) {
        i += 1;
    }
    (i > start).then(|| (&s[start..i], i))
}

/// What glibc's `%x` with a field width reads: (value, end), or `Err(true)`
/// when the input ended before a conversion (EOF), `Err(false)` on a
/// matching failure.
fn scan_hex_width(s: &[u8], pos: usize, width: usize) -> Result<(u64, usize), bool> {
    let mut i = pos;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    if i >= s.len() {
        return Err(true);
    }
    let mut w = width;
    let mut neg = false;
    let mut digits: Vec<u8> = Vec::new();
    if s[i] == b'+' || s[i] == b'-' {
        neg = s[i] == b'-';
        i += 1;
        w -= 1;
    }
    if w != 0 && i < s.len() && s[i] == b'0' {
        w -= 1;
        digits.push(b'0');
        i += 1;
        if w != 0 && i < s.len() && (s[i] | 0x20) == b'x' {
            w -= 1;
            i += 1;
        }
    }
    while w != 0 && i < s.len() && s[i].is_ascii_hexdigit() {
        digits.push(s[i]);
        w -= 1;
        i += 1;
    }
    if digits.is_empty() {
        return Err(false);
    }
    let mut v: u64 = 0;
    for d in digits {
        let x = u64::from((d as char).to_digit(16).unwrap_or(0));
        v = v.saturating_mul(16).saturating_add(x);
    }
    Ok((if neg { v.wrapping_neg() } else { v }, i))
}

// ============================================================ address parsing

fn addr_from_v4(v: u32) -> Addr {
    let mut b = [0u8; 16];
    b[10] = 0xff;
    b[11] = 0xff;
    b[12..].copy_from_slice(&v.to_be_bytes());
    Addr(b)
}

fn addr_v4_value(a: Addr) -> u32 {
    u32::from_be_bytes([a.0[12], a.0[13], a.0[14], a.0[15]])
}

/// glibc `inet_pton4` as `inet_pton6` uses it for a trailing dotted quad:
/// exactly four decimal octets, no leading zeros, each at most 255.
fn inet_pton4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &c in s {
        if c.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            let new = cur * 10 + u32::from(c - b'0');
            if new > 255 {
                return None;
            }
            cur = new;
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            out[octets - 1] = cur as u8;
        } else if c == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    (octets >= 4).then_some(out)
}

/// glibc `inet_pton(AF_INET6, …)`.
fn inet_pton6(src: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0;
    if src.is_empty() {
        return None;
    }
    if src[0] == b':' {
        i = 1;
        if src.get(1) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut xdigits = 0;
    let mut val: u32 = 0;
    while i < src.len() {
        let ch = src[i];
        i += 1;
        if let Some(d) = (ch as char).to_digit(16) {
            if xdigits == 4 {
                return None;
            }
            val = (val << 4) | d;
            if val > 0xffff {
                return None;
            }
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == src.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp] = (val >> 8) as u8;
            tmp[tp + 1] = val as u8;
            tp += 2;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(q) = inet_pton4(&src[curtok..]) {
                tmp[tp..tp + 4].copy_from_slice(&q);
                tp += 4;
                xdigits = 0;
                break;
            }
        }
        return None;
    }
    if xdigits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = (val >> 8) as u8;
        tmp[tp + 1] = val as u8;
        tp += 2;
    }
    if let Some(cp) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - cp;
        let moved: Vec<u8> = tmp[cp..tp].to_vec();
        for b in &mut tmp[cp..] {
            *b = 0;
        }
        tmp[16 - n..].copy_from_slice(&moved);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// `IPAddr::ConvertString`: IPv6 through `inet_pton` when the text holds a
/// `:`, otherwise `sscanf("%d.%d.%d.%d%n")` with each part in 0..=255.
pub(crate) fn convert_addr_string(s: &[u8]) -> Option<Addr> {
    let s = c_str(s);
    if s.contains(&b':') {
        return inet_pton6(s).map(Addr);
    }
    let mut pos = 0;
    let mut parts = [0i32; 4];
    for (k, part) in parts.iter_mut().enumerate() {
        if k > 0 {
            pos = scan_lit(s, pos, b'.')?;
        }
        let (v, p) = scan_d(s, pos)?;
        *part = v;
        pos = p;
    }
    if pos != s.len() {
        return None;
    }
    if parts.iter().any(|&p| !(0..=255).contains(&p)) {
        return None;
    }
    let v = parts.iter().fold(0u32, |acc, &p| (acc << 8) | p as u32);
    Some(addr_from_v4(v))
}

/// `IPPrefix(addr, uint8_t length)`: the prefix, or Zeek's error message
/// when the length does not fit the address family (the prefix is then
/// `::/0`).
fn checked_prefix(a: Addr, length: u8) -> Result<Subnet, String> {
    let max = if a.is_v4() { 32 } else { 128 };
    if length > max {
        let fam = if a.is_v4() { "v4" } else { "v6" };
        return Err(format!("Bad IPAddr({fam}) IPPrefix length : {length}"));
    }
    Ok(Subnet::new(a, length))
}

/// `IPAddr::Mask(bits)` of `a1` OR `IPAddr::ReverseMask(bits)` of `a2`;
/// `None` for a bit count outside 0..=128 (both addresses then stay whole).
fn remask(a1: Addr, a2: Addr, bits: i32) -> Option<Addr> {
    let bits = u32::try_from(bits).ok().filter(|&b| b <= 128)?;
    let top = a1.masked(bits);
    let chopped = a2.masked(bits);
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = top.0[i] | (a2.0[i] & !chopped.0[i]);
    }
    Some(Addr(out))
}

/// `IPPrefix::ConvertString`: `ADDR/LEN` with `LEN` read by `atoi` and
/// narrowed to `uint8_t`.
fn convert_prefix_string(s: &[u8]) -> Option<Subnet> {
    let s = c_str(s);
    let slash = s.iter().position(|&b| b == b'/')?;
    let a = convert_addr_string(&s[..slash])?;
    let len = strtoll(&s[slash + 1..]).0 as i32 as u8;
    let max = if a.is_v4() { 32 } else { 128 };
    if len > max {
        return None;
    }
    Some(Subnet::new(a, len))
}

/// The 128-bit form of a subnet, as Zeek's prefix table keys it.
fn subnet128(s: &Subnet) -> (Addr, u32) {
    (s.prefix, s.len128())
}

// ======================================================================= time

/// `struct tm` as glibc fills it for UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tm {
    sec: i32,
    min: i32,
    hour: i32,
    mday: i32,
    mon: i32,
    /// Years since 1900.
    year: i32,
    wday: i32,
    yday: i32,
    isdst: i32,
    gmtoff: i64,
}

const TM_YEAR_BASE: i64 = 1900;

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

use zest_broker::json::{civil_from_days, days_from_civil};

/// `localtime_r` with `TZ=UTC` (glibc `__offtime`): `None` when the year
/// does not fit `tm_year`.
fn gmtime(t: i64) -> Option<Tm> {
    let days = t.div_euclid(86400);
    let rem = t.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let year = i32::try_from(y - TM_YEAR_BASE).ok()?;
    let yday = days - days_from_civil(y, 1, 1);
    Some(Tm {
        sec: (rem % 60) as i32,
        min: (rem / 60 % 60) as i32,
        hour: (rem / 3600) as i32,
        mday: d as i32,
        mon: (m - 1) as i32,
        year,
        wday: (days + 4).rem_euclid(7) as i32,
        yday: yday as i32,
        isdst: 0,
        gmtoff: 0,
    })
}

/// `mktime` with `TZ=UTC`: normalizes the broken-down fields; -1 when the
/// result cannot be represented.
fn mktime(tm: &Tm) -> i64 {
    let mon = i64::from(tm.mon);
    let year = i64::from(tm.year) + TM_YEAR_BASE + mon.div_euclid(12);
    let mon = mon.rem_euclid(12);
    let days = days_from_civil(year, mon + 1, 1) + i64::from(tm.mday) - 1;
    let t = days * 86400 + i64::from(tm.hour) * 3600 + i64::from(tm.min) * 60 + i64::from(tm.sec);
    if gmtime(t).is_none() {
        return -1;
    }
    t
}

const WEEKDAY_ABBR: [&[u8]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
const WEEKDAY_FULL: [&[u8]; 7] = [
    b"Sunday",
    b"Monday",
    b"Tuesday",
    b"Wednesday",
    b"Thursday",
    b"Friday",
    b"Saturday",
];
const MONTH_ABBR: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const MONTH_FULL: [&[u8]; 12] = [
    b"January",
    b"February",
    b"March",
    b"April",
    b"May",
    b"June",
    b"July",
    b"August",
    b"September",
    b"October",
    b"November",
    b"December",
];

/// ISO 8601 week arithmetic of glibc's strftime: days since the Monday
/// that starts week 1 of the year of `yday`.
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    const BIG_ENOUGH_MULTIPLE_OF_7: i64 = (366 / 7 + 2) * 7;
    yday - (yday - wday + 4 + BIG_ENOUGH_MULTIPLE_OF_7) % 7 + 4 - 1
}

/// `tm_year + 1900` in C `int` arithmetic (it wraps for the largest years
/// `localtime` accepts).
fn c_year(tm: &Tm) -> i32 {
    tm.year.wrapping_add(TM_YEAR_BASE as i32)
}

/// Output state of one `__strftime_internal` run: the bytes so far and the
/// size limit (`maxsize`, result length must stay below it).
struct StrftimeOut {
    buf: Vec<u8>,
    max: usize,
}

/// One conversion's flags, as glibc keeps them.
struct Spec {
    pad: u8,
    width: i64,
    to_upper: bool,
    to_lower: bool,
}

impl StrftimeOut {
    /// glibc's `add`: `n` bytes, padded on the left to `width`; fails when
    /// the result would reach `max`.
    fn add(&mut self, spec: &Spec, bytes: &[u8]) -> Option<()> {
        let n = bytes.len() as i64;
        let delta = spec.width - n;
        let incr = n + delta.max(0);
        if incr as u128 >= (self.max - self.buf.len()) as u128 {
            return None;
        }
        if delta > 0 {
            let fill = if spec.pad == b'0' { b'0' } else { b' ' };
            self.buf.extend(std::iter::repeat_n(fill, delta as usize));
        }
        if spec.to_lower {
            self.buf.extend(bytes.iter().map(u8::to_ascii_lowercase));
        } else if spec.to_upper {
            self.buf.extend(bytes.iter().map(u8::to_ascii_uppercase));
        } else {
            self.buf.extend_from_slice(bytes);
        }
        Some(())
    }

    /// glibc's `do_number` / `do_number_sign_and_padding`.
    fn number(&mut self, spec: &mut Spec, digits: i64, value: i64) -> Option<()> {
        let negative = value < 0;
        let mut text = Vec::new();
        if negative {
            text.push(b'-');
        }
        text.extend_from_slice(value.unsigned_abs().to_string().as_bytes());
        if spec.pad != b'-' {
            let padding = digits - text.len() as i64;
            if padding > 0 {
                let room = i64::try_from(self.max - self.buf.len()).unwrap_or(i64::MAX);
                if spec.pad == b'_' {
                    if padding >= room {
                        return None;
                    }
                    self.buf.extend(std::iter::repeat_n(b' ', padding as usize));
                    spec.width = if spec.width > padding {
                        spec.width - padding
                    } else {
                        0
                    };
                } else {
                    if digits >= room {
                        return None;
                    }
                    if negative {
                        text.remove(0);
                        self.buf.push(b'-');
                    }
                    self.buf.extend(std::iter::repeat_n(b'0', padding as usize));
                    spec.width = 0;
                }
            }
        }
        let plain = Spec {
            pad: spec.pad,
            width: spec.width,
            to_upper: false,
            to_lower: false,
        };
        self.add(&plain, &text)
    }
}

/// glibc `strftime` in the C locale for a UTC `tm` (`%Z` is `UTC`). `None`
/// when the result would not fit in `maxsize` bytes including the NUL.
fn strftime_c(fmt: &[u8], tm: &Tm, maxsize: usize) -> Option<Vec<u8>> {
    let mut out = StrftimeOut {
        buf: Vec::new(),
        max: maxsize,
    };
    let mut f = 0;
    while f < fmt.len() {
        if fmt[f] != b'%' {
            let plain = Spec {
                pad: 0,
                width: -1,
                to_upper: false,
                to_lower: false,
            };
            out.add(&plain, &fmt[f..=f])?;
            f += 1;
            continue;
        }
        let start = f;
        let mut spec = Spec {
            pad: 0,
            width: -1,
            to_upper: false,
            to_lower: false,
        };
        let mut change_case = false;
        f += 1;
        while f < fmt.len() {
            match fmt[f] {
                b'_' | b'-' | b'0' => spec.pad = fmt[f],
                b'^' => spec.to_upper = true,
                b'#' => change_case = true,
                _ => break,
            }
            f += 1;
        }
        if f < fmt.len() && fmt[f].is_ascii_digit() {
            let mut w: i64 = 0;
            while f < fmt.len() && fmt[f].is_ascii_digit() {
                w = (w * 10 + i64::from(fmt[f] - b'0')).min(i64::from(i32::MAX));
                f += 1;
            }
            spec.width = w;
        }
        let modifier = match fmt.get(f) {
            Some(&m @ (b'E' | b'O')) => {
                f += 1;
                m
            }
            _ => 0,
        };
        // At the end of the format, `%` (with its flags) is copied as is.
        let Some(&conv) = fmt.get(f) else {
            out.add(&spec, &fmt[start..])?;
            break;
        };
        let bad = |out: &mut StrftimeOut, spec: &Spec| out.add(spec, &fmt[start..=f]);
        let digits_for = |d: i64, spec: &Spec| d.max(spec.width);
        let hour12 = match tm.hour % 12 {
            0 => 12,
            h => h,
        };
        let mut subfmt: Option<&[u8]> = None;
        match conv {
            b'%' => out.add(&spec, b"%")?,
            b'a' | b'A' => {
                if modifier != 0 {
                    bad(&mut out, &spec)?;
                } else {
                    if change_case {
                        spec.to_upper = true;
                        spec.to_lower = false;
                    }
                    let i = tm.wday.rem_euclid(7) as usize;
                    let name = if conv == b'a' {
                        WEEKDAY_ABBR[i]
                    } else {
                        WEEKDAY_FULL[i]
                    };
                    out.add(&spec, name)?;
                }
            }
            b'b' | b'h' | b'B' => {
                if change_case {
                    spec.to_upper = true;
                    spec.to_lower = false;
                }
                if modifier == b'E' {
                    bad(&mut out, &spec)?;
                } else {
                    let i = tm.mon.rem_euclid(12) as usize;
                    let name = if conv == b'B' {
                        MONTH_FULL[i]
                    } else {
                        MONTH_ABBR[i]
                    };
                    out.add(&spec, name)?;
                }
            }
            b'c' => {
                if modifier == b'O' {
                    bad(&mut out, &spec)?;
                } else {
                    subfmt = Some(b"%a %b %e %H:%M:%S %Y");
                }
            }
            b'C' => {
                let year = c_year(tm);
                let d = digits_for(1, &spec);
                let c = year / 100 - i32::from(year % 100 < 0);
                out.number(&mut spec, d, i64::from(c))?;
            }
            b'x' => {
                if modifier == b'O' {
                    bad(&mut out, &spec)?;
                } else {
                    subfmt = Some(b"%m/%d/%y");
                }
            }
            b'D' => {
                if modifier != 0 {
                    bad(&mut out, &spec)?;
                } else {
                    subfmt = Some(b"%m/%d/%y");
                }
            }
            b'F' => {
                if modifier != 0 {
                    bad(&mut out, &spec)?;
                } else {
                    subfmt = Some(b"%Y-%m-%d");
                }
            }
            b'd' | b'e' | b'H' | b'I' | b'k' | b'l' | b'j' | b'M' | b'm' | b'S' | b'U' | b'W'
            | b'w'
                if modifier == b'E' =>
            {
                bad(&mut out, &spec)?;
            }
            b'd' | b'H' | b'I' | b'j' | b'M' | b'm' | b'S' | b'U' | b'W' | b'w' | b'u' => {
                let (d, v) = match conv {
                    b'd' => (2, tm.mday),
                    b'H' => (2, tm.hour),
                    b'I' => (2, hour12),
                    b'j' => (3, 1 + tm.yday),
                    b'M' => (2, tm.min),
                    b'm' => (2, tm.mon + 1),
                    b'S' => (2, tm.sec),
                    b'U' => (2, (tm.yday - tm.wday + 7) / 7),
                    b'W' => (2, (tm.yday - (tm.wday - 1 + 7) % 7 + 7) / 7),
                    b'w' => (1, tm.wday),
                    _ => (1, (tm.wday - 1 + 7) % 7 + 1), // 'u'
                };
                let d = digits_for(d, &spec);
                out.number(&mut spec, d, i64::from(v))?;
            }
            b'e' | b'k' | b'l' => {
                let v = match conv {
                    b'e' => tm.mday,
                    b'k' => tm.hour,
                    _ => hour12,
                };
                if spec.pad != b'0' && spec.pad != b'-' {
                    spec.pad = b'_';
                }
                let d = digits_for(2, &spec);
                out.number(&mut spec, d, i64::from(v))?;
            }
            b'n' => out.add(&spec, b"\n")?,
            b't' => out.add(&spec, b"\t")?,
            b'P' | b'p' => {
                if conv == b'P' {
                    spec.to_lower = true;
                }
                if change_case {
                    spec.to_upper = false;
                    spec.to_lower = true;
                }
                out.add(&spec, if tm.hour > 11 { b"PM" } else { b"AM" })?;
            }
            b'R' => subfmt = Some(b"%H:%M"),
            b'r' => subfmt = Some(b"%I:%M:%S %p"),
            b'T' => subfmt = Some(b"%H:%M:%S"),
            b'X' => {
                if modifier == b'O' {
                    bad(&mut out, &spec)?;
                } else {
                    subfmt = Some(b"%H:%M:%S");
                }
            }
            b's' => {
                let t = mktime(tm);
                out.number(&mut spec, 1, t)?;
            }
            b'V' | b'g' | b'G' => {
                if modifier == b'E' {
                    bad(&mut out, &spec)?;
                } else {
                    let year = i64::from(tm.year) + TM_YEAR_BASE;
                    let (yday, wday) = (i64::from(tm.yday), i64::from(tm.wday));
                    let mut adjust = 0;
                    let mut days = iso_week_days(yday, wday);
                    if days < 0 {
                        adjust = -1;
                        days = iso_week_days(yday + 365 + i64::from(is_leap(year - 1)), wday);
                    } else {
                        let d = iso_week_days(yday - (365 + i64::from(is_leap(year))), wday);
                        if d >= 0 {
                            adjust = 1;
                            days = d;
                        }
                    }
                    let iso_year = i64::from(c_year(tm).wrapping_add(adjust));
                    let (d, v) = match conv {
                        b'g' => (2, (iso_year % 100 + 100) % 100),
                        b'G' => (1, iso_year),
                        _ => (2, days / 7 + 1),
                    };
                    let d = digits_for(d, &spec);
                    out.number(&mut spec, d, v)?;
                }
            }
            b'Y' => {
                if modifier == b'O' {
                    bad(&mut out, &spec)?;
                } else {
                    let d = digits_for(1, &spec);
                    out.number(&mut spec, d, i64::from(c_year(tm)))?;
                }
            }
            b'y' => {
                let d = digits_for(2, &spec);
                let v = (i64::from(tm.year) % 100 + 100) % 100;
                out.number(&mut spec, d, v)?;
            }
            b'Z' => {
                if change_case {
                    spec.to_upper = false;
                    spec.to_lower = true;
                }
                out.add(&spec, b"UTC")?;
            }
            b'z' => {
                if tm.isdst >= 0 {
                    let mut diff = tm.gmtoff;
                    if diff < 0 {
                        out.add(&spec, b"-")?;
                        diff = -diff;
                    } else {
                        out.add(&spec, b"+")?;
                    }
                    diff /= 60;
                    let d = digits_for(4, &spec);
                    out.number(&mut spec, d, (diff / 60) * 100 + diff % 60)?;
                }
            }
            _ => bad(&mut out, &spec)?,
        }
        if let Some(sub) = subfmt {
            let inner = strftime_c(sub, tm, usize::MAX)?;
            let spec2 = Spec {
                pad: spec.pad,
                width: spec.width,
                to_upper: spec.to_upper,
                to_lower: false,
            };
            out.add(&spec2, &inner)?;
        }
        f += 1;
    }
    Some(out.buf)
}

/// Parse state of glibc's `__strptime_internal`, shared with recursive
/// invocations.
/// Whether glibc's strptime has seen the input use the locale's own forms.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Decided {
    #[default]
    Not,
    Loc,
    Raw,
}

#[derive(Default)]
struct StrptimeState {
    decided: Decided,
    want_era: bool,
    have_i: bool,
    is_pm: bool,
    century: Option<i32>,
    want_century: bool,
    want_xday: bool,
    have_wday: bool,
    have_yday: bool,
    have_mon: bool,
    have_mday: bool,
    have_uweek: bool,
    have_wweek: bool,
    week_no: i32,
}

/// glibc's `get_number(from, to, n)`: blanks skipped, then up to `n`
/// digits, stopping early once another digit would exceed `to`.
fn get_number(s: &[u8], rp: &mut usize, from: i32, to: i32, n: i32) -> Option<i32> {
    while *rp < s.len() && c_isspace(s[*rp]) {
        *rp += 1;
    }
    if *rp >= s.len() || !s[*rp].is_ascii_digit() {
        return None;
    }
    let mut val: i32 = 0;
    let mut left = n;
    loop {
        val = val * 10 + i32::from(s[*rp] - b'0');
        *rp += 1;
        left -= 1;
        if !(left > 0 && val * 10 <= to && *rp < s.len() && s[*rp].is_ascii_digit()) {
            break;
        }
    }
    (from..=to).contains(&val).then_some(val)
}

/// Case-insensitive prefix match (`strncasecmp`), advancing `rp`.
fn match_string(s: &[u8], rp: &mut usize, word: &[u8]) -> bool {
    if starts_with_ci(&s[*rp..], word) {
        *rp += word.len();
        true
    } else {
        false
    }
}

/// The longest of the full and abbreviated names matching at `rp`.
fn match_name(s: &[u8], rp: &mut usize, full: &[&[u8]], abbr: &[&[u8]]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (cnt, (f, a)) in full.iter().zip(abbr).enumerate() {
        for w in [f, a] {
            if starts_with_ci(&s[*rp..], w) && best.is_none_or(|(_, l)| w.len() > l) {
                best = Some((cnt, w.len()));
            }
        }
    }
    let (cnt, len) = best?;
    *rp += len;
    Some(cnt)
}

/// glibc 2.36's weekday matching. Its second pass over the untranslated
/// names matches an abbreviation on `rp` itself rather than on a copy, so
/// that pass moves the scan position for the later days and, when it is the
/// one that matches, consumes nothing.
fn match_weekday(s: &[u8], rp: &mut usize, st: &mut StrptimeState) -> Option<usize> {
    let mut cur = *rp;
    let mut longest: Option<usize> = None;
    let mut cnt_longest = 0;
    let mut decided_longest = st.decided;
    let beats = |trp: usize, longest: Option<usize>| longest.is_none_or(|l| trp > l);
    for cnt in 0..7 {
        let (full, abbr) = (WEEKDAY_FULL[cnt], WEEKDAY_ABBR[cnt]);
        if st.decided != Decided::Raw {
            for w in [full, abbr] {
                if starts_with_ci(&s[cur..], w) && beats(cur + w.len(), longest) {
                    longest = Some(cur + w.len());
                    cnt_longest = cnt;
                }
            }
        }
        if st.decided != Decided::Loc {
            let took = if starts_with_ci(&s[cur..], full) && beats(cur + full.len(), longest) {
                Some(cur + full.len())
            } else if starts_with_ci(&s[cur..], abbr) {
                let trp = cur;
                cur += abbr.len();
                beats(trp, longest).then_some(trp)
            } else {
                None
            };
            if let Some(t) = took {
                longest = Some(t);
                cnt_longest = cnt;
                decided_longest = Decided::Raw;
            }
        }
    }
    *rp = longest?;
    st.decided = decided_longest;
    Some(cnt_longest)
}

/// One level of glibc `strptime` in the C locale. Returns the position
/// after the parsed input.
fn strptime_internal(
    s: &[u8],
    mut rp: usize,
    fmt: &[u8],
    tm: &mut Tm,
    st: &mut StrptimeState,
) -> Option<usize> {
    let mut f = 0;
    while f < fmt.len() {
        if c_isspace(fmt[f]) {
            while rp < s.len() && c_isspace(s[rp]) {
                rp += 1;
            }
            f += 1;
            continue;
        }
        if fmt[f] != b'%' {
            if s.get(rp) != Some(&fmt[f]) {
                return None;
            }
            rp += 1;
            f += 1;
            continue;
        }
        f += 1;
        while f < fmt.len() && matches!(fmt[f], b'-' | b'_' | b'0' | b'^' | b'#') {
            f += 1;
        }
        while f < fmt.len() && fmt[f].is_ascii_digit() {
            f += 1;
        }
        let mut conv = *fmt.get(f)?;
        f += 1;
        // `E` and `O` select the locale's eras and alternative digits, which
        // the C locale does not have. What remains visible is glibc's
        // bookkeeping of whether the input uses the locale's forms: the
        // first `%O` number decides "locale" (so a second one fails), an
        // era conversion decides "raw" (and `%Ey` first consumes a number).
        let mut modifier = 0;
        if conv == b'E' || conv == b'O' {
            modifier = conv;
            conv = *fmt.get(f)?;
            f += 1;
        }
        if modifier == b'E' {
            match conv {
                b'c' | b'x' | b'X' => {}
                b'C' | b'Y' | b'y' => {
                    if st.decided != Decided::Raw {
                        if conv == b'y' {
                            get_number(s, &mut rp, 0, 9999, 4)?;
                            st.want_era = true;
                            st.want_xday = true;
                            st.want_century = true;
                        }
                        if st.decided == Decided::Loc {
                            return None;
                        }
                        st.decided = Decided::Raw;
                    }
                }
                _ => return None,
            }
        } else if modifier == b'O' {
            match conv {
                b'b' | b'B' | b'h' => {}
                b'd' | b'e' | b'H' | b'I' | b'm' | b'M' | b'S' | b'U' | b'V' | b'W' | b'w'
                | b'y' => match st.decided {
                    Decided::Loc => return None,
                    Decided::Not => st.decided = Decided::Loc,
                    Decided::Raw => {}
                },
                _ => return None,
            }
        }
        let recursive: Option<&[u8]> = match conv {
            b'c' => Some(b"%a %b %e %H:%M:%S %Y"),
            b'D' | b'x' => Some(b"%m/%d/%y"),
            b'F' => Some(b"%Y-%m-%d"),
            b'r' => Some(b"%I:%M:%S %p"),
            b'R' => Some(b"%H:%M"),
            b'T' | b'X' => Some(b"%H:%M:%S"),
            _ => None,
        };
        if let Some(sub) = recursive {
            rp = strptime_internal(s, rp, sub, tm, st)?;
            if matches!(conv, b'c' | b'D' | b'x' | b'F') {
                st.want_xday = true;
            }
            continue;
        }
        match conv {
            b'%' => {
                if s.get(rp) != Some(&b'%') {
                    return None;
                }
                rp += 1;
            }
            b'a' | b'A' => {
                tm.wday = match_weekday(s, &mut rp, st)? as i32;
                st.have_wday = true;
            }
            b'b' | b'B' | b'h' => {
                tm.mon = match_name(s, &mut rp, &MONTH_FULL, &MONTH_ABBR)? as i32;
                st.have_mon = true;
                st.want_xday = true;
            }
            b'C' => {
                st.century = Some(get_number(s, &mut rp, 0, 99, 2)?);
                st.want_xday = true;
            }
            b'd' | b'e' => {
                tm.mday = get_number(s, &mut rp, 1, 31, 2)?;
                st.have_mday = true;
                st.want_xday = true;
            }
            b'k' | b'H' => {
                tm.hour = get_number(s, &mut rp, 0, 23, 2)?;
                st.have_i = false;
            }
            b'l' | b'I' => {
                tm.hour = get_number(s, &mut rp, 1, 12, 2)? % 12;
                st.have_i = true;
            }
            b'j' => {
                tm.yday = get_number(s, &mut rp, 1, 366, 3)? - 1;
                st.have_yday = true;
            }
            b'm' => {
                tm.mon = get_number(s, &mut rp, 1, 12, 2)? - 1;
                st.have_mon = true;
                st.want_xday = true;
            }
            b'M' => tm.min = get_number(s, &mut rp, 0, 59, 2)?,
            b'n' | b't' => {
                while rp < s.len() && c_isspace(s[rp]) {
                    rp += 1;
                }
            }
            b'p' => {
                if match_string(s, &mut rp, b"AM") {
                    st.is_pm = false;
                } else if match_string(s, &mut rp, b"PM") {
                    st.is_pm = true;
                } else {
                    return None;
                }
            }
            b's' => {
                if rp >= s.len() || !s[rp].is_ascii_digit() {
                    return None;
                }
                let mut secs: i64 = 0;
                while rp < s.len() && s[rp].is_ascii_digit() {
                    secs = secs.wrapping_mul(10).wrapping_add(i64::from(s[rp] - b'0'));
                    rp += 1;
                }
                *tm = gmtime(secs)?;
            }
            b'S' => tm.sec = get_number(s, &mut rp, 0, 61, 2)?,
            b'u' => {
                tm.wday = get_number(s, &mut rp, 1, 7, 1)? % 7;
                st.have_wday = true;
            }
            b'g' => {
                get_number(s, &mut rp, 0, 99, 2)?;
            }
            b'G' => {
                if rp >= s.len() || !s[rp].is_ascii_digit() {
                    return None;
                }
                while rp < s.len() && s[rp].is_ascii_digit() {
                    rp += 1;
                }
            }
            b'U' | b'W' => {
                // Each sets only its own flag; `%U` wins when both appear.
                st.week_no = get_number(s, &mut rp, 0, 53, 2)?;
                if conv == b'U' {
                    st.have_uweek = true;
                } else {
                    st.have_wweek = true;
                }
            }
            b'V' => {
                get_number(s, &mut rp, 0, 53, 2)?;
            }
            b'w' => {
                tm.wday = get_number(s, &mut rp, 0, 6, 1)?;
                st.have_wday = true;
            }
            b'y' => {
                let v = get_number(s, &mut rp, 0, 99, 2)?;
                tm.year = if v >= 69 { v } else { v + 100 };
                if modifier != b'O' {
                    st.want_century = true;
                }
                st.want_xday = true;
            }
            b'Y' => {
                tm.year = get_number(s, &mut rp, 0, 9999, 4)? - 1900;
                st.want_century = false;
                st.want_xday = true;
            }
            b'Z' => {
                while rp < s.len() && c_isspace(s[rp]) {
                    rp += 1;
                }
                while rp < s.len() && !c_isspace(s[rp]) {
                    rp += 1;
                }
            }
            b'z' => {
                while rp < s.len() && c_isspace(s[rp]) {
                    rp += 1;
                }
                if s.get(rp) == Some(&b'Z') {
                    rp += 1;
                    tm.gmtoff = 0;
                } else {
                    let neg = match s.get(rp) {
                        Some(b'+') => false,
                        Some(b'-') => true,
                        _ => return None,
                    };
                    rp += 1;
                    let mut n = 0;
                    let mut val: i64 = 0;
                    while n < 4 && rp < s.len() && s[rp].is_ascii_digit() {
                        val = val * 10 + i64::from(s[rp] - b'0');
                        rp += 1;
                        n += 1;
                        if s.get(rp) == Some(&b':')
                            && n == 2
                            && s.get(rp + 1).is_some_and(u8::is_ascii_digit)
                        {
                            rp += 1;
                        }
                    }
                    if n == 2 {
                        val *= 100;
                    } else if n != 4 || val % 100 >= 60 {
                        return None;
                    }
                    let off = (val / 100) * 3600 + (val % 100) * 60;
                    tm.gmtoff = if neg { -off } else { off };
                }
            }
            _ => return None,
        }
    }
    Some(rp)
}

/// glibc's `__mon_yday[leap][i]`: cumulative days before month `i`. glibc
/// indexes it out of bounds for days outside the year (index -1, or past
/// 12 into the leap row and beyond); this reproduces what that memory holds
/// in glibc 2.36 (0 before the table, a number larger than any day after).
fn mon_yday(leap: bool, i: i32) -> i32 {
    const FLAT: [i32; 26] = [
        0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365, // common
        0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366, // leap
    ];
    let idx = i + if leap { 13 } else { 0 };
    match usize::try_from(idx) {
        Ok(k) => FLAT.get(k).copied().unwrap_or(i32::MAX),
        Err(_) => 0,
    }
}

/// The month-and-day fix-up from a day of the year: (month index, day).
fn mon_mday_from_yday(year: i64, yday: i32) -> (i32, i32) {
    let leap = is_leap(year);
    let mut t_mon = 0;
    while mon_yday(leap, t_mon) <= yday {
        t_mon += 1;
    }
    (t_mon - 1, yday - mon_yday(leap, t_mon - 1) + 1)
}

/// glibc's `day_of_the_week`, with its own arithmetic (which is off for
/// years before 1 but is what strptime uses).
fn day_of_the_week(tm: &mut Tm) {
    let corr_year = 1900 + tm.year - i32::from(tm.mon < 2);
    let corr_quad = corr_year / 4;
    let wday = -473 + 365 * (tm.year - 70) + corr_quad
        - ((corr_quad + i32::from(corr_quad < 0)) / 25 - i32::from(corr_quad % 25 < 0))
        + ((corr_quad / 25) / 4)
        + mon_yday(false, tm.mon)
        + tm.mday
        - 1;
    tm.wday = ((wday % 7) + 7) % 7;
}

/// glibc `strptime(input, fmt, tm)`, including its final fix-ups of the
/// fields `mktime` reads. `None` when parsing fails.
fn strptime_c(input: &[u8], fmt: &[u8], tm: &mut Tm) -> Option<()> {
    let mut st = StrptimeState::default();
    let mut t = *tm;
    strptime_internal(input, 0, fmt, &mut t, &mut st)?;
    if st.have_i && st.is_pm {
        t.hour += 12;
    }
    if let Some(c) = st.century {
        if st.want_century {
            t.year = t.year % 100 + (c - 19) * 100;
        } else {
            t.year = (c - 19) * 100;
        }
    }
    if st.want_era && st.want_century && st.century.is_none() && t.year < 69 {
        t.year += 100;
    }
    let year = |t: &Tm| i64::from(t.year) + TM_YEAR_BASE;
    if st.want_xday && !st.have_wday {
        if !(st.have_mon && st.have_mday) && st.have_yday {
            let (mon, mday) = mon_mday_from_yday(year(&t), t.yday);
            if !st.have_mon {
                t.mon = mon;
            }
            if !st.have_mday {
                t.mday = mday;
            }
            st.have_mon = true;
            st.have_mday = true;
        }
        if t.year >= -1900 {
            day_of_the_week(&mut t);
        }
    }
    if (st.have_uweek || st.have_wweek) && st.have_wday {
        let save_wday = t.wday;
        let save_mday = t.mday;
        let save_mon = t.mon;
        let w_offset = i32::from(!st.have_uweek);
        t.mday = 1;
        t.mon = 0;
        day_of_the_week(&mut t);
        if st.have_mday {
            t.mday = save_mday;
        }
        if st.have_mon {
            t.mon = save_mon;
        }
        if !st.have_yday {
            t.yday = (7 - (t.wday - w_offset)) % 7
                + (st.week_no - 1) * 7
                + (save_wday - w_offset + 7) % 7;
        }
        if !st.have_mday || !st.have_mon {
            let (mon, mday) = mon_mday_from_yday(year(&t), t.yday);
            if !st.have_mon {
                t.mon = mon;
            }
            if !st.have_mday {
                t.mday = mday;
            }
        }
        t.wday = save_wday;
    }
    *tm = t;
    Some(())
}

// ================================================================== the BiFs

fn enum_to_int(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    match args.first() {
        Some(Value::Enum(_, v)) => Ok(Value::Int(*v)),
        _ => {
            builtin_error(it, site, "enum_to_int() requires enum value", None);
            Ok(Value::Int(-1))
        }
    }
}

fn to_int(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = check_string(it, bytes_arg(args, 0));
    Ok(Value::Int(strtoll(&s).0))
}

fn int_to_count(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let n = args.first().map_or(0, Value::as_int);
    if n < 0 {
        builtin_error(it, site, "bad conversion to count", Some(&arg(args, 0)));
        return Ok(Value::Count(0));
    }
    Ok(Value::Count(n as u64))
}

fn double_to_int(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Int(f64_to_i64_x86(
        double_arg(args, 0).round_ties_even(),
    )))
}

fn double_to_count(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let d = double_arg(args, 0);
    if d < 0.0 {
        builtin_error(it, site, "bad conversion to count", Some(&arg(args, 0)));
    }
    Ok(Value::Count(f64_to_u64_x86(d.round_ties_even())))
}

fn to_count(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = check_string(it, bytes_arg(args, 0));
    let (u, end) = strtoull(&s);
    if s.is_empty() || end != s.len() {
        builtin_error(it, site, "bad conversion to count", Some(&arg(args, 0)));
        return Ok(Value::Count(0));
    }
    Ok(Value::Count(u))
}

fn interval_to_double(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(double_arg(args, 0)))
}

fn count_to_double(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(count_arg(args, 0) as f64))
}

fn int_to_double(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(args.first().map_or(0, Value::as_int) as f64))
}

fn time_to_double(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(double_arg(args, 0)))
}

fn double_to_time(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Time(double_arg(args, 0)))
}

fn double_to_interval(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Interval(double_arg(args, 0)))
}

fn port_to_count(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(u64::from(port_arg(args, 0).num)))
}

/// `ValManager::Port(num, proto)`: numbers from 65536 on are reported (as a
/// C `%d` of the `uint32_t`) and become port 0.
fn make_port(it: &mut Interp, num: u32, proto: Proto) -> Value {
    let num = if num >= 65536 {
        it.warn(None, &format!("bad port number {}", num as i32));
        0
    } else {
        num
    };
    Value::Port(Port { num, proto })
}

fn proto_of_enum(v: i64) -> Proto {
    match v {
        1 => Proto::Tcp,
        2 => Proto::Udp,
        3 => Proto::Icmp,
        _ => Proto::Unknown,
    }
}

fn count_to_port(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let num = count_arg(args, 0) as u32;
    let proto = match args.get(1) {
        Some(Value::Enum(_, v)) => proto_of_enum(*v),
        Some(v) => proto_of_enum(v.as_int()),
        None => Proto::Unknown,
    };
    Ok(make_port(it, num, proto))
}

fn to_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let text = render_expanded(bytes_arg(args, 0));
    match convert_addr_string(&text) {
        Some(a) => Ok(Value::Addr(a)),
        None => {
            builtin_error(
                it,
                site,
                "failed converting string to IP address",
                Some(&arg(args, 0)),
            );
            Ok(Value::Addr(Addr([0; 16])))
        }
    }
}

fn is_valid_ip(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let text = render_expanded(bytes_arg(args, 0));
    Ok(Value::Bool(convert_addr_string(&text).is_some()))
}

fn to_subnet(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let text = render_expanded(bytes_arg(args, 0));
    match convert_prefix_string(&text) {
        Some(s) => Ok(Value::Subnet(s)),
        None => {
            builtin_error(
                it,
                site,
                "failed converting string to IP prefix",
                Some(&arg(args, 0)),
            );
            Ok(Value::Subnet(Subnet {
                prefix: Addr([0; 16]),
                len: 0,
            }))
        }
    }
}

fn addr_to_subnet(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let a = addr_arg(args, 0);
    let width = if a.is_v4() { 32 } else { 128 };
    Ok(Value::Subnet(Subnet::new(a, width)))
}

fn subnet_to_addr(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Addr(subnet_arg(args, 0).prefix))
}

fn subnet_width(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(u64::from(subnet_arg(args, 0).len)))
}

fn to_double(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = check_string(it, bytes_arg(args, 0));
    let (d, end) = strtod(&s);
    if s.is_empty() || end != s.len() {
        builtin_error(it, site, "bad conversion to double", Some(&arg(args, 0)));
        return Ok(Value::Double(0.0));
    }
    Ok(Value::Double(d))
}

fn to_port(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let raw = bytes_arg(args, 0).to_vec();
    let mut port: i32 = 0;
    if !raw.is_empty() && raw.len() < 10 {
        let s = check_string(it, &raw);
        // strtol cannot overflow on fewer than ten bytes, so errno stays 0.
        let (v, end) = strtoll(&s);
        port = v as i32;
        // `++slash`: one byte after the number (whatever it is) is skipped.
        let rest = c_str(s.get(end + 1..).unwrap_or(b""));
        let proto = match rest {
            b"tcp" => Some(Proto::Tcp),
            b"udp" => Some(Proto::Udp),
            b"icmp" => Some(Proto::Icmp),
            _ => None,
        };
        if let Some(p) = proto {
            return Ok(make_port(it, port as u32, p));
        }
    }
    builtin_error(
        it,
        site,
        "wrong port format, must be /[0-9]{1,5}\\/(tcp|udp|icmp)/",
        None,
    );
    Ok(make_port(it, port as u32, Proto::Unknown))
}

fn bytestring_to_double(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = bytes_arg(args, 0);
    let Ok(b) = <[u8; 8]>::try_from(s) else {
        builtin_error(it, site, "bad conversion to double", None);
        return Ok(Value::Double(0.0));
    };
    Ok(Value::Double(f64::from_be_bytes(b)))
}

fn bytestring_to_float(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = bytes_arg(args, 0);
    let Ok(b) = <[u8; 4]>::try_from(s) else {
        builtin_error(it, site, "bad conversion to float", None);
        return Ok(Value::Double(0.0));
    };
    Ok(Value::Double(f64::from(f32::from_be_bytes(b))))
}

fn bytestring_to_count(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = bytes_arg(args, 0);
    let is_le = args.get(1).is_some_and(Value::as_bool);
    if s.len() > 8 {
        builtin_error(
            it,
            site,
            "unsupported byte length for bytestring_to_count",
            None,
        );
        return Ok(Value::Count(0));
    }
    Ok(Value::Count(bytes_to_count(s, is_le)))
}

/// Up to eight bytes as an unsigned number, big- or little-endian.
fn bytes_to_count(s: &[u8], is_le: bool) -> u64 {
    if is_le {
        s.iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    } else {
        s.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    }
}

/// The `in-addr.arpa` form: `sscanf("%d.%d.%d.%d.%12s")`.
fn parse_ptr_v4(s: &[u8]) -> Option<u32> {
    let mut pos = 0;
    let mut a = [0i32; 4];
    for (k, part) in a.iter_mut().enumerate() {
        if k > 0 {
            pos = scan_lit(s, pos, b'.')?;
        }
        let (v, p) = scan_d(s, pos)?;
        *part = v;
        pos = p;
    }
    pos = scan_lit(s, pos, b'.')?;
    let (word, _) = scan_s(s, pos, 12)?;
    if word != b"in-addr.arpa" {
        return None;
    }
    let v = a[3].wrapping_shl(24) | a[2].wrapping_shl(16) | a[1].wrapping_shl(8) | a[0];
    Some(v as u32)
}

/// The `ip6.arpa` form: 32 times `%1x.`, then `%8s`.
fn parse_ptr_v6(s: &[u8]) -> Option<[u8; 16]> {
    let mut nibbles = [0u32; 32];
    let mut pos = 0;
    for k in 0..32 {
        let (v, p) = scan_hex_width(s, pos, 1).ok()?;
        nibbles[31 - k] = v as u32;
        pos = scan_lit(s, p, b'.')?;
    }
    let (word, _) = scan_s(s, pos, 8)?;
    if word != b"ip6.arpa" {
        return None;
    }
    let mut out = [0u8; 16];
    for i in 0..4 {
        let mut a: u32 = 0;
        for j in 1..=8 {
            a |= nibbles[8 * i + j - 1].wrapping_shl(32 - 4 * j as u32);
        }
        out[4 * i..4 * i + 4].copy_from_slice(&a.to_be_bytes());
    }
    Some(out)
}

fn ptr_name_to_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let raw = bytes_arg(args, 0).to_vec();
    let s = check_string(it, &raw);
    match parse_ptr_name(raw.len(), c_str(&s)) {
        Ok(a) => Ok(Value::Addr(a)),
        Err(a) => {
            builtin_error(it, site, "bad PTR name", Some(&arg(args, 0)));
            Ok(Value::Addr(a))
        }
    }
}

fn addr_to_ptr_name(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_value(ptr_name(addr_arg(args, 0))))
}

/// `IPAddr::PtrName`.
fn ptr_name(a: Addr) -> Vec<u8> {
    let mut out = Vec::new();
    if a.is_v4() {
        for b in a.0[12..].iter().rev() {
            out.extend_from_slice(b.to_string().as_bytes());
            out.push(b'.');
        }
        out.extend_from_slice(b"in-addr.arpa");
    } else {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for b in a.0.iter().rev() {
            out.push(HEX[usize::from(b & 0xf)]);
            out.push(b'.');
            out.push(HEX[usize::from(b >> 4)]);
            out.push(b'.');
        }
        out.extend_from_slice(b"ip6.arpa");
    }
    out
}

/// `ptr_name_to_addr` without its error report: `Err` carries the address
/// Zeek returns for a bad name.
fn parse_ptr_name(raw_len: usize, s: &[u8]) -> Result<Addr, Addr> {
    if raw_len != 72 {
        parse_ptr_v4(s).map(addr_from_v4).ok_or(addr_from_v4(0))
    } else {
        parse_ptr_v6(s).map(Addr).ok_or(Addr([0; 16]))
    }
}

fn bytestring_to_hexstr(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_value(hex_text(bytes_arg(args, 0))))
}

/// `%.2hhx` of every byte.
fn hex_text(s: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(2 * s.len());
    for &b in s {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 0xf)]);
    }
    out
}

/// `hexstr_to_bytestring`'s decoding of a string of even length `len`
/// (`s` is what `CheckString` gave): `sscanf("%2hhx")` at every even
/// offset. `Err` holds the reporter message.
fn hexstr_decode(s: &[u8], len: usize) -> Result<Vec<u8>, Vec<u8>> {
    let mut out = vec![0u8; len / 2];
    for (i, byte) in out.iter_mut().enumerate() {
        match scan_hex_width(s, (2 * i).min(s.len()), 2) {
            Ok((v, _)) => *byte = v as u8,
            Err(eof) => {
                let mut msg = Vec::new();
                if eof {
                    // errno is whatever an earlier call left; normally 0.
                    msg.extend_from_slice(b"Hex string ");
                    msg.extend_from_slice(s);
                    msg.extend_from_slice(b" contains invalid input: Success");
                } else {
                    msg.extend_from_slice(b"Could not read hex element from input ");
                    msg.extend_from_slice(s);
                }
                return Err(msg);
            }
        }
    }
    Ok(out)
}

fn hexstr_to_bytestring(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let raw = bytes_arg(args, 0).to_vec();
    let s = check_string(it, &raw);
    if raw.len() % 2 != 0 {
        let mut msg = b"Hex string '".to_vec();
        msg.extend_from_slice(c_str(&s));
        msg.extend_from_slice(b"' has invalid length (not divisible by 2)");
        reporter_error(it, &msg);
        return Ok(Value::str(b""));
    }
    match hexstr_decode(c_str(&s), raw.len()) {
        Ok(b) => Ok(string_value(b)),
        Err(msg) => {
            // The message's own `CheckString()` reports an embedded NUL again.
            check_string(it, &raw);
            reporter_error(it, &msg);
            Ok(Value::str(b""))
        }
    }
}

fn uuid_to_string(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_value(uuid_text(bytes_arg(args, 0))))
}

/// The UUID text of 16 bytes; the first three fields are read in host
/// (little-endian) order, as Zeek's struct overlay does.
fn uuid_text(s: &[u8]) -> Vec<u8> {
    if s.len() != 16 {
        return b"<Invalid UUID>".to_vec();
    }
    let time_low = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
    let time_mid = u16::from_le_bytes([s[4], s[5]]);
    let time_hi = u16::from_le_bytes([s[6], s[7]]);
    let mut out = format!(
        "{time_low:08x}-{time_mid:04x}-{time_hi:04x}-{:02x}{:02x}-",
        s[8], s[9]
    );
    for b in &s[10..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out.into_bytes()
}

/// Zeek's `strftime`: `localtime_r` of `time_t(d)`, then a 128-byte
/// `strftime`; an empty or too long result is an error too.
fn zeek_strftime(fmt: &[u8], d: f64) -> Vec<u8> {
    match gmtime(f64_to_i64_x86(d)).and_then(|tm| strftime_c(fmt, &tm, 128)) {
        Some(b) if !b.is_empty() => b,
        _ => b"<strftime error>".to_vec(),
    }
}

/// Zeek's `strptime`: parsing starts from `localtime_r(0)`; the result is
/// `mktime` of the fields. `None` when parsing fails.
fn zeek_strptime(fmt: &[u8], d: &[u8]) -> Option<f64> {
    let mut tm = gmtime(0)?;
    strptime_c(d, fmt, &mut tm)?;
    Some(mktime(&tm) as f64)
}

fn strftime(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let d = double_arg(args, 1);
    // The format is only looked at once `localtime_r` has succeeded.
    if gmtime(f64_to_i64_x86(d)).is_none() {
        return Ok(Value::str(b"<strftime error>"));
    }
    let fmt = check_string(it, bytes_arg(args, 0));
    Ok(string_value(zeek_strftime(c_str(&fmt), d)))
}

fn strptime(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    // Call arguments are evaluated right to left (gcc, x86-64), which
    // orders the embedded-NUL errors of the two strings.
    let fmt = check_string(it, bytes_arg(args, 0));
    let d = check_string(it, bytes_arg(args, 1));
    if let Some(t) = zeek_strptime(c_str(&fmt), c_str(&d)) {
        return Ok(Value::Time(t));
    }
    let d2 = check_string(it, bytes_arg(args, 1));
    let fmt2 = check_string(it, bytes_arg(args, 0));
    let mut msg = b"strptime conversion failed: fmt:".to_vec();
    msg.extend_from_slice(c_str(&fmt2));
    msg.extend_from_slice(b" d:");
    msg.extend_from_slice(c_str(&d2));
    it.warn(None, &String::from_utf8_lossy(&msg));
    Ok(Value::Time(0.0))
}

fn mask_addr(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let a = addr_arg(args, 0);
    // count → int → uint8_t, as the C++ call chain narrows it.
    let bits = count_arg(args, 1) as u8;
    match checked_prefix(a, bits) {
        Ok(sn) => Ok(Value::Subnet(sn)),
        Err(msg) => {
            it.error(None, &msg);
            Ok(Value::Subnet(Subnet {
                prefix: Addr([0; 16]),
                len: 0,
            }))
        }
    }
}

fn remask_addr(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (a1, a2) = (addr_arg(args, 0), addr_arg(args, 1));
    // count → int.
    let bits = count_arg(args, 2) as i32;
    match remask(a1, a2, bits) {
        Some(a) => Ok(Value::Addr(a)),
        None => {
            it.error(None, &format!("Bad IPAddr::Mask value {bits}"));
            it.error(None, &format!("Bad IPAddr::ReverseMask value {bits}"));
            let mut out = a1.0;
            for (o, b) in out.iter_mut().zip(a2.0) {
                *o |= b;
            }
            Ok(Value::Addr(Addr(out)))
        }
    }
}

fn is_tcp_port(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(port_arg(args, 0).proto == Proto::Tcp))
}

fn is_udp_port(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(port_arg(args, 0).proto == Proto::Udp))
}

fn is_icmp_port(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(port_arg(args, 0).proto == Proto::Icmp))
}

/// The `transport_proto` enum type: the global type when one is declared,
/// else the declared return type of `get_port_transport_proto`.
fn transport_proto_type(it: &Interp) -> Option<TypeRef> {
    if let Some(gid) = it.prog.lookup(Symbol::intern("transport_proto")) {
        if let Some(t) = &it.prog.globals[gid as usize].ty {
            if matches!(t.kind, TypeKind::Enum(_)) {
                return Some(t.clone());
            }
        }
    }
    declared_return_type(it, "get_port_transport_proto")
        .filter(|t| matches!(t.kind, TypeKind::Enum(_)))
}

fn get_port_transport_proto(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let v = match port_arg(args, 0).proto {
        Proto::Unknown => 0,
        Proto::Tcp => 1,
        Proto::Udp => 2,
        Proto::Icmp => 3,
    };
    match transport_proto_type(it) {
        Some(t) => Ok(Value::Enum(t, v)),
        None => Err(it.runtime_error(site.loc, "transport_proto type is not declared")),
    }
}

fn addr_to_counts(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let a = addr_arg(args, 0);
    let count = it.prog.base.count.clone();
    let ty = vector_type(it, "addr_to_counts", &count);
    let items = addr_words(a)
        .into_iter()
        .map(|w| Some(Value::Count(u64::from(w))))
        .collect();
    let v = Value::new_vector(ty);
    if let Value::Vector(vv) = &v {
        vv.borrow_mut().items = items;
    }
    Ok(v)
}

/// `IPAddr::GetBytes` in host order: one word for IPv4, four for IPv6.
fn addr_words(a: Addr) -> Vec<u32> {
    let bytes: &[u8] = if a.is_v4() { &a.0[12..] } else { &a.0 };
    bytes
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// `counts_to_addr` of the (truncated) words; `None` for a wrong count.
fn addr_from_words(words: &[u32]) -> Option<Addr> {
    match words {
        [v] => Some(addr_from_v4(*v)),
        [_, _, _, _] => {
            let mut b = [0u8; 16];
            for (i, w) in words.iter().enumerate() {
                b[4 * i..4 * i + 4].copy_from_slice(&w.to_be_bytes());
            }
            Some(Addr(b))
        }
        _ => None,
    }
}

fn counts_to_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let items: Vec<u32> = match args.first() {
        Some(Value::Vector(v)) => v
            .borrow()
            .items
            .iter()
            .map(|x| x.as_ref().map_or(0, Value::as_count) as u32)
            .collect(),
        _ => Vec::new(),
    };
    match addr_from_words(&items) {
        Some(a) => Ok(Value::Addr(a)),
        None => {
            builtin_error(it, site, "invalid vector size", Some(&arg(args, 0)));
            Ok(Value::Addr(Addr([0; 16])))
        }
    }
}

fn floor(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(double_arg(args, 0).floor()))
}

fn sqrt(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let x = double_arg(args, 0);
    if x < 0.0 {
        it.error(None, "negative sqrt argument");
        return Ok(Value::Double(-1.0));
    }
    Ok(Value::Double(x.sqrt()))
}

fn exp(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(double_arg(args, 0).exp()))
}

fn ln(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(double_arg(args, 0).ln()))
}

fn pow(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(double_arg(args, 0).powf(double_arg(args, 1))))
}

/// Zeek's great-circle distance in miles, with Zeek's own rounded pi.
#[allow(clippy::approx_constant)]
fn haversine(lat1: f64, long1: f64, lat2: f64, long2: f64) -> f64 {
    const PI: f64 = 3.14159;
    const RADIUS: f64 = 3958.8; // Earth's radius in miles.
    let s1 = ((lat2 - lat1) * PI / 360.0).sin();
    let s2 = ((long2 - long1) * PI / 360.0).sin();
    let a = s1 * s1 + (lat1 * PI / 180.0).cos() * (lat2 * PI / 180.0).cos() * s2 * s2;
    2.0 * RADIUS * a.sqrt().asin()
}

fn haversine_distance(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Double(haversine(
        double_arg(args, 0),
        double_arg(args, 1),
        double_arg(args, 2),
        double_arg(args, 3),
    )))
}

/// The table behind a `set[subnet]`/`table[subnet]` argument, or Zeek's
/// error for anything else.
fn subnet_table(it: &mut Interp, args: &[Value], fname: &str) -> Option<Rc<RefCell<TableVal>>> {
    match args.get(1) {
        Some(Value::Table(t)) if t.borrow().is_subnet_indexed() => Some(t.clone()),
        _ => {
            it.error(
                None,
                &format!("{fname} needs to be called on a set[subnet]/table[subnet]."),
            );
            None
        }
    }
}

/// Zeek's prefix-table `FindAll`: the entries whose subnet contains
/// `search`, most specific first.
fn find_all(t: &TableVal, search: &Subnet) -> Vec<(Subnet, Option<Value>)> {
    let (sp, slen) = subnet128(search);
    let mut found: Vec<(u32, Subnet, Option<Value>)> = t
        .entries_vec()
        .into_iter()
        .filter_map(|(key, val)| match key.first() {
            Some(Value::Subnet(s)) => {
                let (p, len) = subnet128(s);
                (len <= slen && sp.masked(len) == p).then_some((len, *s, val))
            }
            _ => None,
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, s, v)| (s, v)).collect()
}

fn matching_subnets(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(t) = subnet_table(it, args, "matching_subnets") else {
        return Ok(Value::Void);
    };
    let search = subnet_arg(args, 0);
    let found = find_all(&t.borrow(), &search);
    let subnet = it.prog.base.subnet.clone();
    let ty = vector_type(it, "matching_subnets", &subnet);
    let v = Value::new_vector(ty);
    if let Value::Vector(vv) = &v {
        vv.borrow_mut().items = found
            .into_iter()
            .map(|(s, _)| Some(Value::Subnet(s)))
            .collect();
    }
    Ok(v)
}

fn filter_subnet_table(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(t) = subnet_table(it, args, "filter_subnet_table") else {
        return Ok(Value::Void);
    };
    let search = subnet_arg(args, 0);
    let (found, ty) = {
        let tb = t.borrow();
        (find_all(&tb, &search), tb.ty.clone())
    };
    let mut nt = TableVal::new(ty);
    for (s, v) in found {
        nt.insert(vec![Value::Subnet(s)], v);
    }
    Ok(Value::Table(Rc::new(RefCell::new(nt))))
}

fn check_subnet(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(t) = subnet_table(it, args, "check_subnet") else {
        return Ok(Value::Void);
    };
    let want = subnet128(&subnet_arg(args, 0));
    let found = t.borrow().keys_vec().iter().any(|k| match k.first() {
        Some(Value::Subnet(s)) => subnet128(s) == want,
        _ => false,
    });
    Ok(Value::Bool(found))
}

fn compress_path(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_value(zest_runtime::loader::normalize_path(
        bytes_arg(args, 0),
    )))
}

thread_local! {
    /// The per-method mappings of Zeek's address anonymizers (index =
    /// method) and the `SEQUENTIALLY_NUMBERED` counter, which starts at 1
    /// and is incremented before use.
    static ANON: RefCell<([HashMap<u32, u32>; 5], u32)> = RefCell::new((Default::default(), 1));
}

/// The value of an optional script global (`Void` when undeclared/unset).
fn global_value(it: &Interp, name: &str) -> Value {
    it.prog
        .lookup(Symbol::intern(name))
        .map_or(Value::Void, |g| it.prog.globals[g as usize].value.clone())
}

/// `hmac_md5` of `util.cc`: MD5 of the input, XORed with the HMAC key
/// (MD5 of the first 64 seed bytes), hashed again.
fn hmac_md5(input: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    let seed = zest_dict::global().bytes();
    let key = Md5::digest(&seed[..seed.len() - 16]);
    let mut d: [u8; 16] = Md5::digest(input).into();
    for (x, k) in d.iter_mut().zip(key.iter()) {
        *x ^= k;
    }
    Md5::digest(d).into()
}

/// `AnonymizeIPAddr_RandomMD5::anonymize` on the host-order address value.
fn anon_random_md5(ip: u32) -> u32 {
    let digest = hmac_md5(&ip.to_be_bytes());
    // The digest's first four bytes form a host-order number that Zeek then
    // hands on as if it were in network order.
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]).swap_bytes()
}

/// `AnonymizeIPAddr_PrefixMD5::anonymize` (Xu et al.'s prefix-preserving
/// scheme) on the host-order address value.
fn anon_prefix_md5(ip: u32) -> u32 {
    let mut output = ip;
    for i in 0..32u32 {
        let prefix = (ip & !(u32::MAX >> i)) | (1 << (31 - i));
        let mut block = [0u8; 8];
        block[..4].copy_from_slice(&(i + 1).to_be_bytes());
        block[4..].copy_from_slice(&prefix.to_be_bytes());
        let digest = hmac_md5(&block);
        output ^= u32::from(digest[0] & 1) << (31 - i);
    }
    output
}

fn anonymize_addr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let class = match args.get(1) {
        Some(Value::Enum(_, v)) => *v,
        Some(v) => v.as_int(),
        None => 0,
    };
    if !(0..3).contains(&class) {
        builtin_error(
            it,
            site,
            "anonymize_addr(): invalid ip addr anonymization class",
            None,
        );
    }
    let a = addr_arg(args, 0);
    if !a.is_v4() {
        builtin_error(
            it,
            site,
            "anonymize_addr() not supported for IPv6 addresses",
            None,
        );
        return Ok(Value::Void);
    }
    let (preserve, method) = match class {
        0 => ("preserve_orig_addr", "orig_addr_anonymization"),
        1 => ("preserve_resp_addr", "resp_addr_anonymization"),
        _ => ("preserve_other_addr", "other_addr_anonymization"),
    };
    let ip = addr_v4_value(a);
    let preserved = match global_value(it, preserve) {
        Value::Table(t) => t.borrow().contains_key(&[Value::Addr(a)]),
        _ => false,
    };
    let method = match global_value(it, method) {
        Value::Void => 0,
        Value::Enum(_, v) => v,
        v => v.as_int(),
    };
    let new_ip = if preserved || method == 0 {
        ip
    } else {
        let compute: fn(u32, &mut u32) -> u32 = match method {
            1 => |_, seq| {
                *seq = seq.wrapping_add(1);
                *seq
            },
            2 => |ip, _| anon_random_md5(ip),
            4 => |ip, _| anon_prefix_md5(ip),
            3 => {
                return Err(it.runtime_error(
                    site.loc,
                    "anonymize_addr(): PREFIX_PRESERVING_A50 needs Zeek's random number \
                     state, which Zest does not provide here",
                ))
            }
            _ => return Err(it.runtime_error(site.loc, "invalid IP anonymization method")),
        };
        ANON.with(|st| {
            let mut st = st.borrow_mut();
            let (maps, seq) = &mut *st;
            let map = &mut maps[method as usize];
            if let Some(&o) = map.get(&ip) {
                return o;
            }
            let o = compute(ip, seq);
            map.insert(ip, o);
            o
        })
    };
    if let Some(gid) = it.prog.lookup(Symbol::intern("anonymization_mapping")) {
        it.queue_event(gid, vec![Value::Addr(a), Value::Addr(addr_from_v4(new_ip))]);
    }
    Ok(Value::Addr(addr_from_v4(new_ip)))
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // the baselines' inputs include 3.14
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(s: &str) -> Addr {
        Addr::from_ip(s.parse::<IpAddr>().unwrap())
    }

    fn subnet(a: &str, len: u8) -> Subnet {
        Subnet::new(ip(a), len)
    }

    /// bifs/to_int.zeek: `to_int` (strtoll) and `double_to_int` (rint).
    #[test]
    fn to_int_and_double_to_int() {
        for (s, want) in [
            ("1", 1),
            ("-1", -1),
            ("4294967296", 4_294_967_296),
            ("not an int", 0),
        ] {
            assert_eq!(strtoll(s.as_bytes()).0, want, "{s}");
        }
        for (d, want) in [(3.14, 3), (3.9, 4), (-3.14, -3), (-3.9, -4)] {
            assert_eq!(f64_to_i64_x86(f64::round_ties_even(d)), want, "{d}");
        }
    }

    /// bifs/to_count.zeek and zeek-semantics.md §4.4: `to_count`'s accepted
    /// inputs (`None` = "bad conversion to count") and `double_to_count`.
    #[test]
    fn to_count_and_double_to_count() {
        let accepted = |s: &[u8]| {
            let (u, end) = strtoull(s);
            (!s.is_empty() && end == s.len()).then_some(u)
        };
        assert_eq!(accepted(b"7"), Some(7));
        assert_eq!(accepted(b""), None);
        assert_eq!(accepted(b"-5"), Some(18_446_744_073_709_551_611));
        assert_eq!(accepted(b"not a count"), None);
        assert_eq!(accepted(b"xyz"), None);
        assert_eq!(
            accepted(b"9223372036854775808"),
            Some(9_223_372_036_854_775_808)
        );
        for (d, want) in [(3.14, 3), (3.9, 4), (-1.5, 18_446_744_073_709_551_614)] {
            assert_eq!(f64_to_u64_x86(f64::round_ties_even(d)), want, "{d}");
        }
    }

    /// bifs/to_double_from_string.zeek.
    #[test]
    fn to_double_strings() {
        let accepted = |s: &[u8]| {
            let (d, end) = strtod(s);
            (!s.is_empty() && end == s.len()).then_some(d)
        };
        assert_eq!(accepted(b"3.14"), Some(3.14));
        assert_eq!(accepted(b"-3.14"), Some(-3.14));
        assert_eq!(accepted(b"0"), Some(0.0));
        assert_eq!(accepted(b"NotADouble"), None);
        assert_eq!(accepted(b""), None);
    }

    /// bifs/to_addr.zeek.
    #[test]
    fn to_addr_strings() {
        for (s, want) in [
            ("0.0.0.0", Some("0.0.0.0")),
            ("1.2.3.4", Some("1.2.3.4")),
            ("01.02.03.04", Some("1.2.3.4")),
            ("001.002.003.004", Some("1.2.3.4")),
            ("10.20.30.40", Some("10.20.30.40")),
            ("100.200.30.40", Some("100.200.30.40")),
            ("10.0.0.0", Some("10.0.0.0")),
            ("10.00.00.000", Some("10.0.0.0")),
            ("not an IP", None),
        ] {
            let got = convert_addr_string(&render_expanded(s.as_bytes()));
            assert_eq!(got, want.map(ip), "{s}");
        }
    }

    /// bifs/addr_to_ptr_name.zeek, bifs/ptr_name_to_addr.zeek and the
    /// example in zeek.bif's documentation.
    #[test]
    fn ptr_names() {
        let cases = [
            (
                "2607:f8b0:4009:802::1012",
                "2.1.0.1.0.0.0.0.0.0.0.0.0.0.0.0.2.0.8.0.9.0.0.4.0.b.8.f.7.0.6.2.ip6.arpa",
            ),
            ("74.125.225.52", "52.225.125.74.in-addr.arpa"),
            ("192.168.0.1", "1.0.168.192.in-addr.arpa"),
        ];
        for (a, name) in cases {
            assert_eq!(ptr_name(ip(a)), name.as_bytes());
            assert_eq!(parse_ptr_name(name.len(), name.as_bytes()), Ok(ip(a)));
        }
    }

    /// bifs/addr_count_conversion.zeek.
    #[test]
    fn addr_counts() {
        let v6 = ip("2001:0db8:85a3:0000:0000:8a2e:0370:7334");
        assert_eq!(
            addr_words(v6),
            vec![536_939_960, 2_242_052_096, 35374, 57_701_172]
        );
        assert_eq!(addr_from_words(&addr_words(v6)), Some(v6));
        assert_eq!(addr_words(ip("1.2.3.4")), vec![16_909_060]);
        assert_eq!(addr_from_words(&[16_909_060]), Some(ip("1.2.3.4")));
        assert_eq!(addr_from_words(&[1, 2]), None);
    }

    /// bifs/mask_addr.zeek (and zeek.bif's `mask_addr(1.2.3.4, 18)` example).
    #[test]
    fn mask_addr_prefixes() {
        let want = [
            "128.0.0.0",
            "192.0.0.0",
            "224.0.0.0",
            "240.0.0.0",
            "248.0.0.0",
            "252.0.0.0",
            "254.0.0.0",
            "255.0.0.0",
            "255.128.0.0",
            "255.192.0.0",
            "255.224.0.0",
            "255.240.0.0",
            "255.248.0.0",
            "255.252.0.0",
            "255.254.0.0",
            "255.255.0.0",
            "255.255.128.0",
            "255.255.192.0",
            "255.255.224.0",
            "255.255.240.0",
            "255.255.248.0",
            "255.255.252.0",
            "255.255.254.0",
            "255.255.255.0",
            "255.255.255.128",
            "255.255.255.192",
            "255.255.255.224",
            "255.255.255.240",
            "255.255.255.248",
            "255.255.255.252",
            "255.255.255.254",
            "255.255.255.255",
        ];
        for (i, w) in want.iter().enumerate() {
            let len = i as u8 + 1;
            let got = checked_prefix(ip("255.255.255.255"), len).unwrap();
            assert_eq!((got.prefix, got.len), (ip(w), len));
        }
        assert_eq!(
            checked_prefix(ip("1.2.3.4"), 18).unwrap().prefix,
            ip("1.2.0.0")
        );
        assert_eq!(
            checked_prefix(ip("1.2.3.4"), 33),
            Err("Bad IPAddr(v4) IPPrefix length : 33".to_owned())
        );
    }

    /// bifs/remask_addr.zeek.
    #[test]
    fn remask_addr_bits() {
        let want = [
            "127.255.0.0",
            "63.255.0.0",
            "31.255.0.0",
            "15.255.0.0",
            "7.255.0.0",
            "3.255.0.0",
            "1.255.0.0",
            "0.255.0.0",
            "0.127.0.0",
            "0.63.0.0",
            "0.31.0.0",
            "0.15.0.0",
            "0.7.0.0",
            "0.3.0.0",
            "0.1.0.0",
            "0.0.0.0",
            "0.0.128.0",
            "0.0.192.0",
            "0.0.224.0",
            "0.0.240.0",
            "0.0.248.0",
            "0.0.252.0",
            "0.0.254.0",
            "0.0.255.0",
            "0.0.255.128",
            "0.0.255.192",
            "0.0.255.224",
            "0.0.255.240",
            "0.0.255.248",
            "0.0.255.252",
            "0.0.255.254",
            "0.0.255.255",
        ];
        for (i, w) in want.iter().enumerate() {
            let bits = 96 + i as i32 + 1;
            assert_eq!(
                remask(ip("0.0.255.255"), ip("255.255.0.0"), bits),
                Some(ip(w)),
                "{bits}"
            );
        }
        assert_eq!(remask(ip("1.2.3.4"), ip("5.6.7.8"), 129), None);
    }

    /// bifs/bytestring_to_count.zeek.
    #[test]
    fn bytestring_counts() {
        let cases: &[(&[u8], bool, u64)] = &[
            (b"", true, 0),
            (b"", false, 0),
            (b"\xff", true, 255),
            (b"\xff", false, 255),
            (b"\x00", true, 0),
            (b"\x03\xe8", false, 1000),
            (b"\xe8\x03", true, 1000),
            (b"\x30\x39", false, 12345),
            (b"\x39\x30", true, 12345),
            (b"\x00\x00\xff\xff", false, 65535),
            (b"\xff\xff\x00\x00", true, 65535),
            (b"\xff\xff\xff\xff", false, 4_294_967_295),
            (b"\x11\x22\x33\x44", false, 287_454_020),
            (b"\x11\x22\x33\x44", true, 1_144_201_745),
            (b"\x00\x00\x00\xff", false, 255),
            (b"\xff\x00\x00\x00", true, 255),
            (b"\xAA\xBB\xBB\xAA", false, 2_864_429_994),
            (b"\xAA\xBB\xBB\xAA", true, 2_864_429_994),
            (b"\x00\xff\xff", false, 65535),
            (b"\xff\xff\x00", true, 65535),
            (b"\xff\xff\xff", false, 16_777_215),
            (
                b"\xff\xff\xff\xff\xff\xff\xff\xff",
                true,
                18_446_744_073_709_551_615,
            ),
            (
                b"\xff\xff\xff\x00\x00\xff\xff\xff",
                false,
                18_446_742_974_214_701_055,
            ),
            (
                b"\xff\xff\xff\x00\x00\xff\xff\xff",
                true,
                18_446_742_974_214_701_055,
            ),
            (b"\x00\x00\x00\x00\x00\x00\xff\xff", false, 65535),
            (b"\xff\xff\x00\x00\x00\x00\x00\x00", true, 65535),
            (b"\xff\xff\xff\xff\xff", false, 1_099_511_627_775),
            (b"\xff\xff\xff\xff\xff\xff", true, 281_474_976_710_655),
            (
                b"\xff\xff\xff\xff\xff\xff\xff",
                false,
                72_057_594_037_927_935,
            ),
        ];
        for &(s, le, want) in cases {
            assert_eq!(bytes_to_count(s, le), want, "{s:?} {le}");
        }
    }

    /// bifs/bytestring_to_double.zeek and bifs/bytestring_to_float.zeek.
    #[test]
    fn bytestring_floats() {
        assert_eq!(
            f64::from_be_bytes(*b"\x43\x26\x4f\xa0\x71\x30\x80\x00"),
            3.14e15
        );
        assert_eq!(
            f64::from_be_bytes(*b"\xc3\x26\x4f\xa0\x71\x30\x80\x00"),
            -3.14e15
        );
        assert_eq!(
            f64::from(f32::from_be_bytes(*b"\x59\x32\x72\x04")),
            3.139244209995776e15
        );
        assert_eq!(
            f64::from(f32::from_be_bytes(*b"\xff\x80\x00\x00")),
            f64::NEG_INFINITY
        );
    }

    /// bifs/bytestring_to_hexstr.zeek, bifs/hexstr_to_bytestring.zeek.
    #[test]
    fn hex_strings() {
        assert_eq!(hex_text(b"04"), b"3034");
        assert_eq!(hex_text(b""), b"");
        assert_eq!(hex_text(b"\0"), b"00");
        assert_eq!(hexstr_decode(b"3034", 4), Ok(b"04".to_vec()));
        assert_eq!(hexstr_decode(b"", 0), Ok(Vec::new()));
        assert_eq!(hexstr_decode(b"00", 2), Ok(b"\0".to_vec()));
    }

    /// bifs/uuid_to_string.zeek.
    #[test]
    fn uuids() {
        assert_eq!(
            uuid_text(b"\xfe\x80abcdefg0123456"),
            b"626180fe-6463-6665-6730-313233343536"
        );
        assert_eq!(uuid_text(b""), b"<Invalid UUID>");
    }

    /// bifs/strftime.zeek.
    #[test]
    fn strftime_baseline() {
        let f1 = b"%Y-%m-%d %H:%M:%S";
        let f2 = b"%H%M%S %Y%m%d";
        assert_eq!(zeek_strftime(f1, 0.0), b"1970-01-01 00:00:00");
        assert_eq!(zeek_strftime(f2, 0.0), b"000000 19700101");
        assert_eq!(zeek_strftime(f1, 123_456_789.0), b"1973-11-29 21:33:09");
        assert_eq!(zeek_strftime(f2, 123_456_789.0), b"213309 19731129");
    }

    /// bifs/strptime.zeek: the first result is a timestamp (the baseline
    /// masks it); `%m` cannot read "1980-10-24".
    #[test]
    fn strptime_baseline() {
        let t = zeek_strptime(b"%Y-%m-%d", b"2012-10-19").unwrap();
        assert!((1e9..1e10).contains(&t) && t.fract() == 0.0);
        assert_eq!(zeek_strptime(b"%m", b"1980-10-24"), None);
    }

    /// bifs/haversine_distance.zeek (the baseline prints `%.4e`).
    #[test]
    fn haversine_baseline() {
        let cases = [
            ((37.866798, -122.253601, 48.25, 11.65), 5.8481e+03),
            ((48.25, 11.65, 37.866798, -122.253601), 5.8481e+03),
            ((0.0001388889, 0.0, -0.0001388889, 0.0), 1.9193e-02),
            ((38.0, 0.000138999, 38.0, -0.000138999), 1.5136e-02),
            ((38.0, 180.0, 38.0, -179.98333), 9.2419e-01),
            ((45.0, -90.0, -45.0, 90.0), 1.2437e+04),
            ((90.0, 0.0, -90.0, 0.0), 1.2437e+04),
        ];
        for ((a, b, c, d), want) in cases {
            let got = haversine(a, b, c, d);
            assert!(((got - want) / want).abs() < 1e-4, "{got} vs {want}");
        }
    }

    fn subnet_set(items: &[Subnet]) -> TableVal {
        let base = zest_runtime::types::BaseTypes::new();
        let ty = Type::new(TypeKind::Table {
            index: vec![base.subnet.clone()],
            yield_: None,
        });
        let mut t = TableVal::new(ty);
        for s in items {
            t.insert(vec![Value::Subnet(*s)], None);
        }
        t
    }

    /// bifs/matching_subnets.zeek: most specific first.
    #[test]
    fn matching_subnets_order() {
        let t = subnet_set(&[
            subnet("10.0.0.0", 8),
            subnet("10.2.0.0", 16),
            subnet("10.2.0.2", 31),
            subnet("10.1.0.0", 16),
            subnet("10.3.0.0", 16),
            subnet("5.0.0.0", 8),
            subnet("5.5.0.0", 25),
            subnet("5.2.0.0", 32),
            subnet("7.2.0.0", 32),
            subnet("2607:f8b0:4008:807::200e", 64),
            subnet("2607:f8b0:4007:807::200e", 64),
            subnet("2607:f8b0:4007:807::200e", 128),
        ]);
        let found =
            |s: Subnet| -> Vec<Subnet> { find_all(&t, &s).into_iter().map(|(x, _)| x).collect() };
        assert_eq!(
            found(subnet("10.2.0.2", 32)),
            vec![
                subnet("10.2.0.2", 31),
                subnet("10.2.0.0", 16),
                subnet("10.0.0.0", 8)
            ]
        );
        assert_eq!(
            found(subnet("2607:f8b0:4007:807::200e", 128)),
            vec![
                subnet("2607:f8b0:4007:807::200e", 128),
                subnet("2607:f8b0:4007:807::", 64)
            ]
        );
        assert_eq!(found(subnet("128.0.0.1", 32)), vec![]);
        assert_eq!(found(subnet("10.0.0.2", 8)), vec![subnet("10.0.0.0", 8)]);
    }
}
