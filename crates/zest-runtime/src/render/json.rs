//! The leaves of `to_json` (`src/Val.cc: BuildJSON`): numbers and strings as Zeek's rapidjson
//! writer emits them (compact, no spaces).
//!
//! * Doubles and times: rapidjson's `Writer::Double` (Grisu2 digits, then `Prettify`), with
//!   Zeek's `NullDoubleWriter` turning `inf`/`nan` into `null`; `-0.0` stays `-0.0`.
//! * Strings, enums, files, functions: `util::json_escape_utf8` first — the bytes pass
//!   unchanged unless one invalid byte occurs anywhere, in which case every byte outside
//!   printable ASCII and `\b \f \n \r \t` becomes the text `\xNN` — then rapidjson's escaping
//!   (`"` → `\"`, `\` → `\\`, the five controls by name, other controls `\u00XX`).
//! * Intervals, addresses, subnets, patterns: their raw text with rapidjson's escaping only.

use std::net::IpAddr;

use super::grisu::grisu2;
use super::net::{self, Proto};
use super::num::{write_count, write_int};
use super::time::write_interval;

/// Appends a double (or time) as `to_json` does: `0.0`, `-0.0`, `0.30000000000000004`,
/// `100000000000000000000.0`, `1e21`, `1e-7`, `0.00001`; `null` for infinities and NaN.
pub fn write_json_double(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    if v == 0.0 {
        out.extend_from_slice(if v.is_sign_negative() {
            b"-0.0"
        } else {
            b"0.0"
        });
        return;
    }
    if v < 0.0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let (len, k) = grisu2(v.abs(), &mut digits);
    prettify(out, &digits[..len], k);
}

/// rapidjson `Prettify` with its default `maxDecimalPlaces` (324, so its truncation branches
/// never apply to a double): `digits × 10^k` laid out in fixed or exponent notation.
fn prettify(out: &mut Vec<u8>, digits: &[u8], k: i32) {
    let length = i32::try_from(digits.len()).expect("at most 17 digits");
    let kk = length + k; // 10^(kk-1) <= v < 10^kk
    if (0..=21).contains(&kk) && k >= 0 {
        // 1234e7 -> 12340000000.0
        out.extend_from_slice(digits);
        out.resize(out.len() + k.unsigned_abs() as usize, b'0');
        out.extend_from_slice(b".0");
    } else if 0 < kk && kk <= 21 {
        // 1234e-2 -> 12.34
        let (int, frac) = digits.split_at(kk.unsigned_abs() as usize);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else if -6 < kk && kk <= 0 {
        // 1234e-6 -> 0.001234
        out.extend_from_slice(b"0.");
        out.resize(out.len() + kk.unsigned_abs() as usize, b'0');
        out.extend_from_slice(digits);
    } else {
        // 1e30, 1234e30 -> 1.234e33; the exponent has no '+' and no leading zeros.
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        write_int(out, i64::from(kk - 1));
    }
}

/// Appends `"` + `s` escaped as rapidjson's `Writer::String` does + `"`, without Zeek's UTF-8
/// check: for the raw texts of intervals, addresses, subnets and patterns (`"/^?(a\\/c)$?/"`),
/// and for object keys.
pub fn write_json_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    write_rapidjson_escaped(out, s);
    out.push(b'"');
}

/// Appends a string, enum name, file or function text as `to_json` does: `"caf\xc3\xa9"` stays
/// raw UTF-8, `"nul\\x00byte"`, `"caf\\xc3\\xa9 \\x01"` (one bad byte escapes every non-ASCII
/// byte of the whole string).
pub fn write_json_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    if has_bad_utf8(s) {
        // The escaped form: `\xNN` text, whose backslash rapidjson escapes again.
        let mut rest = s;
        while let Some(i) = rest.iter().position(|&b| !passes_unescaped(b)) {
            write_rapidjson_escaped(out, &rest[..i]);
            let b = rest[i];
            out.extend_from_slice(b"\\\\x");
            out.push(HEX_LOWER[usize::from(b >> 4)]);
            out.push(HEX_LOWER[usize::from(b & 0xf)]);
            rest = &rest[i + 1..];
        }
        write_rapidjson_escaped(out, rest);
    } else {
        write_rapidjson_escaped(out, s);
    }
    out.push(b'"');
}

/// Appends `util::json_escape_utf8(s, escape_printable_controls)` itself (before any JSON
/// escaping): `s` unchanged when it is clean, else the `\xNN` form.
pub fn write_json_escape_utf8(out: &mut Vec<u8>, s: &[u8], escape_printable_controls: bool) {
    let passes =
        |b: u8| (0x20..0x7f).contains(&b) || (escape_printable_controls && is_named_control(b));
    if !has_bad_utf8_with(s, escape_printable_controls) {
        out.extend_from_slice(s);
        return;
    }
    for &b in s {
        if passes(b) {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX_LOWER[usize::from(b >> 4)],
                HEX_LOWER[usize::from(b & 0xf)],
            ]);
        }
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// `\b \f \n \r \t`: controls that `json_escape_utf8` lets through for rapidjson to name.
fn is_named_control(b: u8) -> bool {
    matches!(b, 0x08 | 0x0c | b'\n' | b'\r' | b'\t')
}

/// Bytes that `json_escape_utf8` copies even in its escaped form (as `to_json` calls it).
fn passes_unescaped(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || is_named_control(b)
}

fn has_bad_utf8(s: &[u8]) -> bool {
    has_bad_utf8_with(s, true)
}

/// Whether `json_escape_utf8`'s scan finds an invalid byte: a sequence that is not strictly
/// valid UTF-8 (by the lead byte's length), or a code point that is a control (≤ U+001F, U+007F,
/// U+0080–U+009F), private use (U+E000–U+F8FF) or a special (U+FFF0–U+FFFF).
fn has_bad_utf8_with(s: &[u8], escape_printable_controls: bool) -> bool {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if (0x20..0x7f).contains(&b) || (escape_printable_controls && is_named_control(b)) {
            i += 1;
            continue;
        }
        // ConvertUTF's trailingBytesForUTF8 + 1.
        let size = match b {
            0x00..=0xbf => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            0xf8..=0xfb => 5,
            0xfc..=0xff => 6,
        };
        let Some(seq) = s.get(i..i + size) else {
            return true;
        };
        // isLegalUTF8 accepts exactly the strict UTF-8 encodings of one scalar value.
        let Some(c) = std::str::from_utf8(seq).ok().and_then(|t| t.chars().next()) else {
            return true;
        };
        let cp = u32::from(c);
        if cp <= 0x1f
            || cp == 0x7f
            || (0x80..=0x9f).contains(&cp)
            || (0xe000..=0xf8ff).contains(&cp)
            || (0xfff0..=0xffff).contains(&cp)
        {
            return true;
        }
        i += size;
    }
    false
}

/// rapidjson's `WriteString` body: `"` and `\` backslashed, `\b \f \n \r \t` named, other bytes
/// below 0x20 as `\u00XX` (uppercase hex), every other byte (also ≥ 0x80) copied.
fn write_rapidjson_escaped(out: &mut Vec<u8>, s: &[u8]) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = s;
    while let Some(i) = rest
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    {
        out.extend_from_slice(&rest[..i]);
        let b = rest[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 0xf)],
            ]),
        }
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// Appends a bool: `true` / `false`.
pub fn write_json_bool(out: &mut Vec<u8>, v: bool) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
}

/// Appends an int (`-9223372036854775808`).
pub fn write_json_int(out: &mut Vec<u8>, v: i64) {
    write_int(out, v);
}

/// Appends a count (`18446744073709551615`).
pub fn write_json_count(out: &mut Vec<u8>, v: u64) {
    write_count(out, v);
}

/// Appends a port object: `{"port":80,"proto":"tcp"}`.
pub fn write_json_port(out: &mut Vec<u8>, number: u32, proto: Proto) {
    out.extend_from_slice(b"{\"port\":");
    write_count(out, u64::from(number));
    out.extend_from_slice(b",\"proto\":\"");
    out.extend_from_slice(proto.name().as_bytes());
    out.extend_from_slice(b"\"}");
}

/// Appends an interval as its quoted text: `"1.0 day 2.0 hrs 1.0 sec 500.0 msecs"`, `"0 secs"`.
pub fn write_json_interval(out: &mut Vec<u8>, secs: f64) {
    // Interval text is plain ASCII without quotes, backslashes or controls.
    out.push(b'"');
    write_interval(out, secs);
    out.push(b'"');
}

/// Appends an address as its quoted text: `"1.2.3.4"`, `"2001:db8::1"`.
pub fn write_json_addr(out: &mut Vec<u8>, a: IpAddr) {
    out.push(b'"');
    net::write_addr(out, a);
    out.push(b'"');
}

/// Appends a subnet as its quoted text: `"10.0.0.0/8"` (see [`net::write_subnet`]).
pub fn write_json_subnet(out: &mut Vec<u8>, prefix: IpAddr, len: u8) {
    out.push(b'"');
    net::write_subnet(out, prefix, len);
    out.push(b'"');
}

#[cfg(test)]
// The inputs are the literals of Zeek's test scripts (3.14159265, 3.14), not approximations of π.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    fn double(v: f64) -> String {
        let mut out = Vec::new();
        write_json_double(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    /// render/to_json.stdout, render/time.stdout, render/all-types.stdout,
    /// btest scripts.base.utils.json.
    #[test]
    fn doubles() {
        let big = 1e308 * 10.0;
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (1e-7, "1e-7"),
            (123456789.123, "123456789.123"),
            (1e20, "100000000000000000000.0"),
            (1e21, "1e21"),
            (1e22, "1e22"),
            (1e300, "1e300"),
            (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (5e-324, "5e-324"),
            (0.000001, "0.000001"),
            (1e-5, "0.00001"),
            (big, "null"),
            (big - big, "null"),
            (-big, "null"),
            (1700000000.5, "1700000000.5"),
            (1700000000.123456, "1700000000.123456"),
            (4102444800.5, "4102444800.5"),
            (1700000000.25, "1700000000.25"),
            (3.14, "3.14"),
            (-1.23456789e308, "-1.23456789e308"),
            (9e-308, "9e-308"),
        ];
        for &(v, want) in cases {
            assert_eq!(double(v), want, "{v:e}");
        }
    }

    fn string(s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_json_string(&mut out, s);
        out
    }

    /// render/to_json, render/string, render/all-types (to_json lines), and the log writer's
    /// use of the same escaping in btest scripts.base.frameworks.logging.ascii-json-utf8.
    #[test]
    fn strings() {
        let cases: &[(&[u8], &[u8])] = &[
            (
                b"a\"b\\c/d\n\t\r\x01\x7f\xc3\xa9\xff",
                br#""a\"b\\c/d\n\t\r\\x01\\x7f\\xc3\\xa9\\xff""#,
            ),
            (b"caf\xc3\xa9 \xe2\x82\xac", b"\"caf\xc3\xa9 \xe2\x82\xac\""),
            (b"caf\xc3\xa9 \x01", br#""caf\\xc3\\xa9 \\x01""#),
            (b"\x01 caf\xc3\xa9", br#""\\x01 caf\\xc3\\xa9""#),
            (b"\xee\x80\x80", br#""\\xee\\x80\\x80""#),
            (b"a\x00b", br#""a\\x00b""#),
            (b"plain", br#""plain""#),
            (b"tab\there", br#""tab\there""#),
            (b"nl\nend", br#""nl\nend""#),
            (b"quote\"q and 'single'", br#""quote\"q and 'single'""#),
            (b"back\\slash", br#""back\\slash""#),
            (b"nul\x00byte", br#""nul\\x00byte""#),
            (b"high\xff\x80\x7f", br#""high\\xff\\x80\\x7f""#),
            (
                b"utf8 \xc3\xa9 \xe2\x82\xac",
                b"\"utf8 \xc3\xa9 \xe2\x82\xac\"",
            ),
            (b"\x01\x1f\x20\x7e", br#""\\x01\\x1f ~""#),
            (b"", br#""""#),
            (b"cr\rbell\x07", br#""cr\rbell\\x07""#),
            (b"esc\x1b[0m", br#""esc\\x1b[0m""#),
            (
                b"literal \\x41 backslash-x",
                br#""literal \\x41 backslash-x""#,
            ),
            (b"bad utf8 \xc3\x28 after", br#""bad utf8 \\xc3( after""#),
            (
                b"ok \xc3\xb1 then bad \xff",
                br#""ok \\xc3\\xb1 then bad \\xff""#,
            ),
            (b"/slash/", br#""/slash/""#),
            (b"\x7f del", br#""\\x7f del""#),
            (b"tab\there\xff\"q\"\\", br#""tab\there\\xff\"q\"\\""#),
            (b"GREEN", br#""GREEN""#),
            (b"Log::WRITER_ASCII", br#""Log::WRITER_ASCII""#),
            (b"f\n{ \nreturn (x);\n}", br#""f\n{ \nreturn (x);\n}""#),
            (
                b"file \"x.txt\" of string",
                br#""file \"x.txt\" of string""#,
            ),
            // ascii-json-utf8
            (b"a", br#""a""#),
            (b"\x08\x0c\n\r\t\x00\x15", br#""\b\f\n\r\t\\x00\\x15""#),
            (b"\xc3\xb1", b"\"\xc3\xb1\""),
            (b"\xc3\x28", br#""\\xc3(""#),
            (b"\xc0\x81", br#""\\xc0\\x81""#),
            (b"\xc1\x81", br#""\\xc1\\x81""#),
            (b"\xc2\xcf", br#""\\xc2\\xcf""#),
            (b"\xa0\xa1", br#""\\xa0\\xa1""#),
            (b"\xe2\x82\xa1", b"\"\xe2\x82\xa1\""),
            (b"\xe0\xa3\xa1", b"\"\xe0\xa3\xa1\""),
            (b"\xe0\x80\xa1", br#""\\xe0\\x80\\xa1""#),
            (b"\xe2\x28\xa1", br#""\\xe2(\\xa1""#),
            (b"\xed\xa0\xa1", br#""\\xed\\xa0\\xa1""#),
            (b"\xe2\x82\x28", br#""\\xe2\\x82(""#),
            (b"\xf0\x90\x8c\xbc", b"\"\xf0\x90\x8c\xbc\""),
            (b"\xf1\x80\x8c\xbc", b"\"\xf1\x80\x8c\xbc\""),
            (b"\xf4\x80\x8c\xbc", b"\"\xf4\x80\x8c\xbc\""),
            (b"\xf0\x80\x8c\xbc", br#""\\xf0\\x80\\x8c\\xbc""#),
            (b"\xf2\x28\x8c\xbc", br#""\\xf2(\\x8c\\xbc""#),
            (b"\xf4\x90\x8c\xbc", br#""\\xf4\\x90\\x8c\\xbc""#),
            (b"\xf0\x90\x28\xbc", br#""\\xf0\\x90(\\xbc""#),
            (b"\xf0\x28\x8c\x28", br#""\\xf0(\\x8c(""#),
            (b"\xf4\x80\x8c", br#""\\xf4\\x80\\x8c""#),
            (b"\xf0", br#""\\xf0""#),
        ];
        for &(s, want) in cases {
            assert_eq!(string(s), want, "{}", String::from_utf8_lossy(s));
        }
    }

    /// render/to_json.stdout, render/all-types, scripts.base.utils.json.
    #[test]
    fn raw_texts_and_atoms() {
        let mut out = Vec::new();
        write_json_str(&mut out, b"/^?(a.b\\/c\\.d[0-9]+)$?/");
        out.push(b' ');
        write_json_interval(&mut out, 86400.0 + 7200.0 + 1.5);
        out.push(b' ');
        write_json_interval(&mut out, 0.0);
        out.push(b' ');
        write_json_interval(&mut out, -12.0 * 3600.0);
        out.push(b' ');
        write_json_port(&mut out, 80, Proto::Tcp);
        write_json_port(&mut out, 3, Proto::Icmp);
        write_json_port(&mut out, 0, Proto::Unknown);
        write_json_port(&mut out, 1, Proto::Udp);
        out.push(b' ');
        write_json_addr(&mut out, "2001:db8::1".parse().unwrap());
        write_json_addr(&mut out, "::ffff:123.123.123.123".parse().unwrap());
        write_json_subnet(&mut out, "10.0.0.0".parse().unwrap(), 8);
        write_json_subnet(&mut out, "fe80::".parse().unwrap(), 64);
        out.push(b' ');
        write_json_bool(&mut out, true);
        write_json_bool(&mut out, false);
        write_json_count(&mut out, u64::MAX);
        out.push(b',');
        write_json_int(&mut out, i64::MIN);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""/^?(a.b\\/c\\.d[0-9]+)$?/" "1.0 day 2.0 hrs 1.0 sec 500.0 msecs" "0 secs" "-12.0 hrs" {"port":80,"proto":"tcp"}{"port":3,"proto":"icmp"}{"port":0,"proto":"unknown"}{"port":1,"proto":"udp"} "2001:db8::1""123.123.123.123""10.0.0.0/8""fe80::/64" truefalse18446744073709551615,-9223372036854775808"#
        );
        // A table key built from a port's JSON, as written by writer.Key (render/to_json).
        let mut key = Vec::new();
        write_json_str(&mut key, br#"{"port":80,"proto":"tcp"}"#);
        assert_eq!(key, br#""{\"port\":80,\"proto\":\"tcp\"}""#);
    }
}
