//! Zeek's ASCII formatter, reading side (`threading::formatter::Ascii::
//! ParseValue`, `Formatter::ParseAddr`, `ParseProto`): one field's text
//! to a reader value, with the formatter's warnings.

use super::backend::Ctx;
use super::value::{Data, Val};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use zest_runtime::types::Tag;
use zest_runtime::value::Proto;

/// `SeparatorInfo`.
#[derive(Clone, Debug)]
pub struct Separators {
    pub separator: Vec<u8>,
    pub set_separator: Vec<u8>,
    pub unset_field: Vec<u8>,
    pub empty_field: Vec<u8>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `util::get_unescaped_string`: decodes `\xHH` escapes.
pub fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\'
            && s.get(i + 1) == Some(&b'x')
            && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            && s.get(i + 3).is_some_and(u8::is_ascii_hexdigit)
        {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push((hex(s[i + 2]) << 4) + hex(s[i + 3]));
            i += 4;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// C's `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `util::strstrip`.
pub fn strip(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// A C string's view: up to the first NUL.
fn c_str(s: &[u8]) -> &[u8] {
    s.split(|&c| c == 0).next().unwrap_or(&[])
}

/// The result of `strtoll`/`strtoull`/`strtod`: value, index of the first
/// unparsed byte, and whether `errno` became `ERANGE`.
#[derive(Debug, PartialEq)]
pub struct Parsed<T> {
    pub value: T,
    pub end: usize,
    pub erange: bool,
}

/// Leading whitespace, sign, digits: (negative, digits start, digits end).
fn scan_integer(s: &[u8]) -> Option<(bool, usize, usize)> {
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    (i > start).then_some((neg, start, i))
}

/// `strtoll(s, &end, 10)`.
pub fn strtoll(s: &[u8]) -> Parsed<i64> {
    let s = c_str(s);
    let Some((neg, a, b)) = scan_integer(s) else {
        return Parsed {
            value: 0,
            end: 0,
            erange: false,
        };
    };
    let mut acc: i128 = 0;
    let mut over = false;
    for &c in &s[a..b] {
        acc = acc * 10 + i128::from(c - b'0');
        if acc > i128::from(i64::MAX) + 1 {
            over = true;
            acc = i128::from(i64::MAX) + 1;
        }
    }
    let v = if neg { -acc } else { acc };
    let (value, erange) = if v > i128::from(i64::MAX) {
        (i64::MAX, true)
    } else if v < i128::from(i64::MIN) {
        (i64::MIN, true)
    } else {
        (v as i64, over && v != i128::from(i64::MIN))
    };
    Parsed {
        value,
        end: b,
        erange,
    }
}

/// `strtoull(s, &end, 10)`: a minus sign negates modulo 2^64.
pub fn strtoull(s: &[u8]) -> Parsed<u64> {
    let s = c_str(s);
    let Some((neg, a, b)) = scan_integer(s) else {
        return Parsed {
            value: 0,
            end: 0,
            erange: false,
        };
    };
    let mut acc: u64 = 0;
    let mut over = false;
    for &c in &s[a..b] {
        match acc
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(c - b'0')))
        {
            Some(x) => acc = x,
            None => over = true,
        }
    }
    if over {
        return Parsed {
            value: u64::MAX,
            end: b,
            erange: true,
        };
    }
    Parsed {
        value: if neg { acc.wrapping_neg() } else { acc },
        end: b,
        erange: false,
    }
}

/// `strtol(s, &end, 10)` (a 64-bit `long`).
pub fn strtol(s: &[u8]) -> Parsed<i64> {
    strtoll(s)
}

/// `strtod(s, &end)`: decimal and hexadecimal numbers, `inf`, `nan`.
pub fn strtod(s: &[u8]) -> Parsed<f64> {
    let s = c_str(s);
    let none = Parsed {
        value: 0.0,
        end: 0,
        erange: false,
    };
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let sign_at = i;
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let rest = &s[i..];
    let lower: Vec<u8> = rest.iter().take(8).map(u8::to_ascii_lowercase).collect();
    let signed = |v: f64| if neg { -v } else { v };
    if lower.starts_with(b"inf") {
        let n = if lower.starts_with(b"infinity") { 8 } else { 3 };
        return Parsed {
            value: signed(f64::INFINITY),
            end: i + n,
            erange: false,
        };
    }
    if lower.starts_with(b"nan") {
        let mut end = i + 3;
        if s.get(end) == Some(&b'(') {
            let mut j = end + 1;
            while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'_') {
                j += 1;
            }
            if s.get(j) == Some(&b')') {
                end = j + 1;
            }
        }
        return Parsed {
            value: f64::NAN,
            end,
            erange: false,
        };
    }
    if lower.starts_with(b"0x")
        && (rest
            .get(2)
            .is_some_and(|c| c.is_ascii_hexdigit() || *c == b'.'))
    {
        return strtod_hex(s, i + 2, neg).unwrap_or(Parsed {
            value: signed(0.0),
            end: i + 1,
            erange: false,
        });
    }
    let mut j = i;
    let mut digits = 0;
    let mut nonzero = false;
    while j < s.len() && s[j].is_ascii_digit() {
        nonzero |= s[j] != b'0';
        j += 1;
        digits += 1;
    }
    if j < s.len() && s[j] == b'.' {
        j += 1;
        while j < s.len() && s[j].is_ascii_digit() {
            nonzero |= s[j] != b'0';
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return none;
    }
    if j < s.len() && (s[j] == b'e' || s[j] == b'E') {
        let mut k = j + 1;
        if k < s.len() && (s[k] == b'+' || s[k] == b'-') {
            k += 1;
        }
        let e0 = k;
        while k < s.len() && s[k].is_ascii_digit() {
            k += 1;
        }
        if k > e0 {
            j = k;
        }
    }
    let text = String::from_utf8_lossy(&s[sign_at..j]);
    let value: f64 = text.parse().unwrap_or(0.0);
    let erange = value.is_infinite() || (nonzero && (value == 0.0 || value.is_subnormal()));
    Parsed {
        value,
        end: j,
        erange,
    }
}

fn strtod_hex(s: &[u8], start: usize, neg: bool) -> Option<Parsed<f64>> {
    let mut j = start;
    let mut mant: f64 = 0.0;
    let mut exp: i64 = 0;
    let mut digits = 0;
    while j < s.len() && s[j].is_ascii_hexdigit() {
        mant = mant * 16.0 + f64::from((s[j] as char).to_digit(16)?);
        j += 1;
        digits += 1;
    }
    if j < s.len() && s[j] == b'.' {
        j += 1;
        while j < s.len() && s[j].is_ascii_hexdigit() {
            mant = mant * 16.0 + f64::from((s[j] as char).to_digit(16)?);
            exp -= 4;
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if j < s.len() && (s[j] == b'p' || s[j] == b'P') {
        let p = strtoll(&s[j + 1..]);
        if p.end > 0 && !is_space(s[j + 1]) {
            exp += p.value;
            j += 1 + p.end;
        }
    }
    let v = mant * 2f64.powi(exp.clamp(-2000, 2000) as i32);
    Some(Parsed {
        value: if neg { -v } else { v },
        end: j,
        erange: v.is_infinite() || (mant != 0.0 && v == 0.0),
    })
}

/// `inet_aton`: dotted parts in decimal, octal or hex; 1 to 4 parts.
pub fn inet_aton(s: &[u8]) -> Option<Ipv4Addr> {
    let mut parts: Vec<u64> = Vec::new();
    let mut i = 0;
    loop {
        if i >= s.len() || !s[i].is_ascii_digit() {
            return None;
        }
        let (base, mut j) = if s[i] == b'0' && matches!(s.get(i + 1), Some(b'x' | b'X')) {
            (16, i + 2)
        } else if s[i] == b'0' {
            (8, i)
        } else {
            (10, i)
        };
        let mut v: u64 = 0;
        while j < s.len() {
            let d = match (s[j] as char).to_digit(base) {
                Some(d) => d,
                None => break,
            };
            v = v
                .saturating_mul(u64::from(base))
                .saturating_add(u64::from(d));
            if v > 0xffff_ffff {
                return None;
            }
            j += 1;
        }
        parts.push(v);
        i = j;
        if i < s.len() && s[i] == b'.' {
            if parts.len() >= 4 {
                return None;
            }
            i += 1;
            continue;
        }
        break;
    }
    if i < s.len() && !(s[i] == 0 || (s[i].is_ascii() && is_space(s[i]))) {
        return None;
    }
    let n = parts.len();
    let (last, front) = parts.split_last()?;
    let max_last: u64 = match n {
        1 => 0xffff_ffff,
        2 => 0xff_ffff,
        3 => 0xffff,
        _ => 0xff,
    };
    if *last > max_last || front.iter().any(|&p| p > 0xff) {
        return None;
    }
    let mut v: u64 = *last;
    for (k, p) in front.iter().enumerate() {
        v |= p << (24 - 8 * k);
    }
    Some(Ipv4Addr::from(v as u32))
}

/// `Formatter::ParseAddr`: a bad address is a warning and the zero address.
pub fn parse_addr(ctx: &mut Ctx, s: &[u8]) -> IpAddr {
    if !s.contains(&b':') {
        match inet_aton(s) {
            Some(a) => IpAddr::V4(a),
            None => {
                ctx.warning(&format!("Bad address: {}", lossy(s)));
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            }
        }
    } else {
        let clean = if s.first() == Some(&b'[') && s.last() == Some(&b']') && s.len() >= 2 {
            &s[1..s.len() - 1]
        } else {
            s
        };
        match std::str::from_utf8(clean)
            .ok()
            .and_then(|t| t.parse::<Ipv6Addr>().ok())
        {
            Some(a) => IpAddr::V6(a),
            None => {
                ctx.warning(&format!("Bad address: {}", lossy(clean)));
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            }
        }
    }
}

/// `Formatter::ParseProto`.
pub fn parse_proto(ctx: &mut Ctx, s: &[u8]) -> Proto {
    match s {
        b"unknown" => Proto::Unknown,
        b"tcp" => Proto::Tcp,
        b"udp" => Proto::Udp,
        b"icmp" => Proto::Icmp,
        _ => {
            ctx.warning(&format!(
                "Tried to parse invalid/unknown protocol: {}",
                lossy(s)
            ));
            Proto::Unknown
        }
    }
}

/// `Ascii::CheckNumberError`: true when the number is unusable; warns
/// about trailing text.
fn check_number_error(
    ctx: &mut Ctx,
    text: &[u8],
    end: usize,
    erange: bool,
    nonneg_only: bool,
) -> bool {
    let text = c_str(text);
    let shown = lossy(text);
    if end == 0 && !text.is_empty() {
        ctx.warning(&format!("String '{shown}' contained no parseable number"));
        return true;
    }
    if end == 0 && text.is_empty() {
        ctx.warning("Got empty string for number field");
        return true;
    }
    if end < text.len() {
        ctx.warning(&format!(
            "Number '{shown}' contained non-numeric trailing characters. Ignored trailing characters '{}'",
            lossy(&text[end..])
        ));
    }
    if nonneg_only {
        let mut s = 0;
        while s < end && is_space(text[s]) {
            s += 1;
        }
        if text.get(s) == Some(&b'-') {
            ctx.warning(&format!("Number '{shown}' cannot be negative"));
            return true;
        }
    }
    if erange {
        ctx.warning(&format!("Number '{shown}' out of supported range."));
        return true;
    }
    false
}

/// `Ascii::ParseValue`: `None` when the text cannot be parsed (after a
/// warning).
pub fn parse_value(
    ctx: &mut Ctx,
    seps: &Separators,
    s: &[u8],
    name: &str,
    ty: Tag,
    subtype: Tag,
) -> Option<Val> {
    if !seps.unset_field.is_empty() && s == seps.unset_field.as_slice() {
        return Some(Val::unset(ty));
    }
    let data = match ty {
        Tag::Enum | Tag::String => Data::Bytes(unescape(s)),
        Tag::Bool => {
            let st = strip(s);
            if st == b"T" || st == b"1" {
                Data::Int(1)
            } else if st == b"F" || st == b"0" {
                Data::Int(0)
            } else {
                ctx.warning(&format!(
                    "Field: {name} Invalid value for boolean: {}",
                    lossy(c_str(s))
                ));
                return None;
            }
        }
        Tag::Int => {
            let p = strtoll(s);
            if check_number_error(ctx, s, p.end, p.erange, false) {
                return None;
            }
            Data::Int(p.value)
        }
        Tag::Double | Tag::Time | Tag::Interval => {
            let p = strtod(s);
            if check_number_error(ctx, s, p.end, p.erange, false) {
                return None;
            }
            Data::Double(p.value)
        }
        Tag::Count => {
            let p = strtoull(s);
            if check_number_error(ctx, s, p.end, p.erange, true) {
                return None;
            }
            Data::Count(p.value)
        }
        Tag::Port => {
            let st = strip(s).to_vec();
            let mut proto = Proto::Unknown;
            let pos = st.iter().position(|&c| c == b'/');
            if let Some(p) = pos {
                if st.len() > p + 1 {
                    let pr = &st[p + 1..];
                    match pr.to_ascii_lowercase().as_slice() {
                        b"tcp" => proto = Proto::Tcp,
                        b"udp" => proto = Proto::Udp,
                        b"icmp" => proto = Proto::Icmp,
                        b"unknown" => proto = Proto::Unknown,
                        _ => ctx.warning(&format!(
                            "Port '{}' contained unknown protocol '{}'",
                            lossy(c_str(s)),
                            lossy(c_str(pr))
                        )),
                    }
                }
            }
            let number: &[u8] = match pos {
                Some(p) if p > 0 => &st[..p],
                _ => s,
            };
            let p = strtoull(number);
            if check_number_error(ctx, number, p.end, p.erange, true) {
                return None;
            }
            Data::Port(p.value, proto)
        }
        Tag::Subnet => {
            let un = unescape(s);
            let un = strip(&un).to_vec();
            let Some(pos) = un.iter().position(|&c| c == b'/') else {
                ctx.warning(&format!("Invalid value for subnet: {}", lossy(c_str(s))));
                return None;
            };
            let width_str = &un[pos + 1..];
            let p = strtol(width_str);
            // Zeek checks the width's end against the whole text: only the
            // trailing-text warning and the range check can trigger.
            let rest = c_str(width_str);
            if p.end < rest.len() {
                ctx.warning(&format!(
                    "Number '{}' contained non-numeric trailing characters. Ignored trailing characters '{}'",
                    lossy(c_str(s)),
                    lossy(&rest[p.end..])
                ));
            }
            if p.erange {
                ctx.warning(&format!(
                    "Number '{}' out of supported range.",
                    lossy(c_str(s))
                ));
                return None;
            }
            let width = p.value as u8;
            let addr = parse_addr(ctx, &un[..pos]);
            Data::Subnet(addr, width)
        }
        Tag::Addr => {
            let un = unescape(s);
            Data::Addr(parse_addr(ctx, strip(&un)))
        }
        Tag::Pattern => {
            let candidate = unescape(s);
            if candidate.len() >= 2
                && candidate.first() == Some(&b'/')
                && candidate.last() == Some(&b'/')
            {
                Data::Pattern(candidate[1..candidate.len() - 1].to_vec())
            } else {
                ctx.warning(&format!(
                    "String '{}' contained no parseable pattern.",
                    lossy(c_str(&candidate))
                ));
                return None;
            }
        }
        Tag::Table | Tag::Vector => Data::List(parse_list(ctx, seps, s, name, subtype)?),
        _ => {
            ctx.warning(&format!(
                "unsupported field format {} for {name}",
                super::manager::tag_number(ty)
            ));
            return None;
        }
    };
    Some(Val {
        ty,
        subtype,
        data: Some(data),
        line: -1,
    })
}

/// The elements of a set or vector field.
fn parse_list(
    ctx: &mut Ctx,
    seps: &Separators,
    s: &[u8],
    name: &str,
    subtype: Tag,
) -> Option<Vec<Val>> {
    let sep = seps.set_separator.first().copied().unwrap_or(0);
    let mut length = 1 + s.iter().filter(|&&c| c == sep).count();
    if !seps.empty_field.is_empty() && s == seps.empty_field.as_slice() {
        length = 0;
    }
    if seps.empty_field.is_empty() && s.is_empty() {
        length = 0;
    }
    let mut vals = Vec::new();
    if length == 0 {
        return Some(vals);
    }
    // `getline` on the text: no element after a trailing separator.
    let mut elements: Vec<&[u8]> = s.split(|&c| c == sep).collect();
    if s.is_empty() || s.last() == Some(&sep) {
        elements.pop();
    }
    for element in elements {
        if vals.len() >= length {
            ctx.warning(&format!(
                "Internal error while parsing set. pos {} >= length {length}. Element: {}",
                vals.len(),
                lossy(c_str(element))
            ));
            return None;
        }
        match parse_value(ctx, seps, element, name, subtype, Tag::Error) {
            Some(v) => vals.push(v),
            None => {
                ctx.warning("Error while reading set or vector");
                return None;
            }
        }
    }
    if s.is_empty() || s.last() == Some(&sep) {
        match parse_value(ctx, seps, b"", name, subtype, Tag::Error) {
            Some(v) => vals.push(v),
            None => {
                ctx.warning("Error while trying to add empty set element");
                return None;
            }
        }
    }
    if vals.len() != length {
        ctx.warning(&format!(
            "Internal error while parsing set: did not find all elements: {}",
            lossy(c_str(s))
        ));
        return None;
    }
    Some(vals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx::new(super::super::backend::ReaderInfo {
            source: b"x".to_vec(),
            name: "x".into(),
            mode: super::super::backend::Mode::Manual,
            config: Vec::new(),
        })
    }

    fn seps() -> Separators {
        Separators {
            separator: b"\t".to_vec(),
            set_separator: b",".to_vec(),
            unset_field: b"-".to_vec(),
            empty_field: b"(empty)".to_vec(),
        }
    }

    fn warnings(c: &mut Ctx) -> Vec<String> {
        c.out
            .drain(..)
            .filter_map(|m| match m {
                super::super::backend::Msg::ReaderError(_, s) => Some(s),
                _ => None,
            })
            .collect()
    }

    /// The warnings of input/invalidnumbers and input/port-embedded.
    #[test]
    fn number_warnings_match_zeek() {
        let cases: &[(&[u8], Tag, &[&str], bool)] = &[
            (
                b"12129223372036854775800",
                Tag::Int,
                &["Number '12129223372036854775800' out of supported range."],
                false,
            ),
            (
                b"9223372036854775801TEXTHERE",
                Tag::Int,
                &["Number '9223372036854775801TEXTHERE' contained non-numeric trailing characters. Ignored trailing characters 'TEXTHERE'"],
                true,
            ),
            (
                b"1Justtext",
                Tag::Count,
                &["Number '1Justtext' contained non-numeric trailing characters. Ignored trailing characters 'Justtext'"],
                true,
            ),
            (
                b"Justtext",
                Tag::Int,
                &["String 'Justtext' contained no parseable number"],
                false,
            ),
            (
                b" -18446744073709551612",
                Tag::Count,
                &["Number ' -18446744073709551612' cannot be negative"],
                false,
            ),
            (
                b"50/trash",
                Tag::Port,
                &["Port '50/trash' contained unknown protocol 'trash'"],
                true,
            ),
            (b"-1/tcp", Tag::Port, &["Number '-1' cannot be negative"], false),
            (
                b"127.0.0.1",
                Tag::Subnet,
                &["Invalid value for subnet: 127.0.0.1"],
                false,
            ),
            (b"342.2.3.4", Tag::Addr, &["Bad address: 342.2.3.4"], true),
            (
                b"/cat/sss",
                Tag::Pattern,
                &["String '/cat/sss' contained no parseable pattern."],
                false,
            ),
        ];
        for (text, ty, want, ok) in cases {
            let mut c = ctx();
            let v = parse_value(&mut c, &seps(), text, "f", *ty, Tag::Void);
            assert_eq!(v.is_some(), *ok, "{}", lossy(text));
            assert_eq!(warnings(&mut c), *want, "{}", lossy(text));
        }
    }

    /// Set and vector splitting of input/setspecialcases.
    #[test]
    fn set_special_cases() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"testing,,testing", &[b"testing", b"", b"testing"]),
            (b",testing", &[b"", b"testing"]),
            (b"testing,", &[b"testing", b""]),
            (b",,,", &[b"", b"", b"", b""]),
            (b"", &[b""]),
            (
                b"testing\\x2ctesting\\x2ctesting\\x2c",
                &[b"testing,testing,testing,"],
            ),
        ];
        for (text, want) in cases {
            let mut c = ctx();
            let v = parse_value(&mut c, &seps(), text, "f", Tag::Vector, Tag::String).unwrap();
            let Some(Data::List(items)) = v.data else {
                panic!()
            };
            let got: Vec<Vec<u8>> = items
                .iter()
                .map(|i| match &i.data {
                    Some(Data::Bytes(b)) => b.clone(),
                    _ => panic!(),
                })
                .collect();
            let want: Vec<Vec<u8>> = want.iter().map(|w| w.to_vec()).collect();
            assert_eq!(got, want, "{}", lossy(text));
        }
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(strtoll(b"-42").value, -42);
        assert!(strtoll(b"9223372036854775808").erange);
        assert_eq!(
            strtoull(b"18446744073709551612").value,
            18446744073709551612
        );
        assert_eq!(strtod(b"1315801931.273616").value, 1315801931.273616);
        assert_eq!(strtod(b"100.000000").end, 10);
        assert_eq!(inet_aton(b"1.2.3.4"), Some(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(inet_aton(b"342.2.3.4"), None);
    }
}
