//! C `printf` conversions as glibc renders them, for the directives Zeek's `fmt` passes through
//! to `snprintf` (`src/zeek.bif: do_fmt`): `%lld`, `%llu`, `%llx`, `%e`, `%f`, `%g`, each with
//! the `-` / `0` flags, a field width and a precision.
//!
//! Digits come from Rust's exact float formatting (correctly rounded, ties to even on the
//! exact binary value, like glibc); this module only rearranges them into C's layout: `e±XX`
//! exponents with at least two digits, `inf`/`nan` with the sign bit (`-nan`), zero padding
//! after the sign, and the `%g` style selection with trailing-zero removal.

use std::io::Write as _;

/// Flags, width and precision of one C conversion (`%[-][0][width][.precision]conv`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrintfSpec {
    /// `-`: pad on the right with spaces.
    pub left: bool,
    /// `0`: pad with zeros after the sign (ignored with `-`, for non-finite floats, and for
    /// integers with a precision).
    pub zero: bool,
    /// Minimum field width (0 = none).
    pub width: usize,
    /// `.N`; `None` when absent (C defaults: 6 for floats, 1 digit for integers).
    pub precision: Option<usize>,
}

/// The floating-point conversions `fmt` supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatConv {
    /// `%e`: `d.dddddde±XX`.
    E,
    /// `%f`: fixed notation with every integer digit.
    F,
    /// `%g`: `%e` or `%f`, whichever C's rule picks, trailing zeros removed.
    G,
}

/// Appends `v` as C `printf("%<spec>lld", v)`.
pub fn write_signed(out: &mut Vec<u8>, v: i64, spec: &PrintfSpec) {
    write_integer(out, v < 0, v.unsigned_abs(), 10, spec);
}

/// Appends `v` as C `printf("%<spec>llu", v)`.
pub fn write_unsigned(out: &mut Vec<u8>, v: u64, spec: &PrintfSpec) {
    write_integer(out, false, v, 10, spec);
}

/// Appends `v` as C `printf("%<spec>llx", v)` (lowercase; a negative int is passed in as its
/// two's-complement `u64`, as C does).
pub fn write_hex(out: &mut Vec<u8>, v: u64, spec: &PrintfSpec) {
    write_integer(out, false, v, 16, spec);
}

fn write_integer(out: &mut Vec<u8>, neg: bool, mag: u64, radix: u64, spec: &PrintfSpec) {
    let start = out.len();
    if neg {
        out.push(b'-');
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = mag;
    while m != 0 {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(m % radix) as usize];
        m /= radix;
    }
    let digits = &buf[i..];
    // C: the precision is the minimum number of digits; 0 with value 0 prints no digit.
    let min_digits = spec.precision.unwrap_or(1);
    out.resize(out.len() + min_digits.saturating_sub(digits.len()), b'0');
    out.extend_from_slice(digits);
    let zero_ok = spec.precision.is_none();
    pad(out, start, usize::from(neg), spec, zero_ok);
}

/// Appends `v` as C `printf("%<spec><conv>", v)` (glibc text for `inf`, `-inf`, `nan`, `-nan`).
pub fn write_float(out: &mut Vec<u8>, v: f64, conv: FloatConv, spec: &PrintfSpec) {
    let start = out.len();
    let neg = v.is_sign_negative();
    if neg {
        out.push(b'-');
    }
    let finite = v.is_finite();
    if v.is_nan() {
        out.extend_from_slice(b"nan");
    } else if v.is_infinite() {
        out.extend_from_slice(b"inf");
    } else {
        let prec = spec.precision.unwrap_or(6);
        match conv {
            FloatConv::E => write_exp_digits(out, v.abs(), prec),
            FloatConv::F => write_fixed_digits(out, v.abs(), prec),
            FloatConv::G => write_general_digits(out, v.abs(), prec),
        }
    }
    pad(out, start, usize::from(neg), spec, finite);
}

/// Appends C `printf("%.<prec>e", v)` with no width (used by `modp_dtoa2`).
pub(crate) fn write_exp(out: &mut Vec<u8>, v: f64, prec: usize) {
    let spec = PrintfSpec {
        precision: Some(prec),
        ..PrintfSpec::default()
    };
    write_float(out, v, FloatConv::E, &spec);
}

/// Digits of a finite, non-negative `a` in `%.<prec>f` layout.
fn write_fixed_digits(out: &mut Vec<u8>, a: f64, prec: usize) {
    write!(out, "{a:.prec$}").expect("writing to a Vec cannot fail");
}

/// Digits of a finite, non-negative `a` in `%.<prec>e` layout.
fn write_exp_digits(out: &mut Vec<u8>, a: f64, prec: usize) {
    let mantissa_start = out.len();
    write!(out, "{a:.prec$e}").expect("writing to a Vec cannot fail");
    let exp = split_rust_exponent(out, mantissa_start);
    push_c_exponent(out, exp);
}

/// Digits of a finite, non-negative `a` in `%.<prec>g` layout (no `#` flag: trailing zeros and
/// a bare point are removed).
fn write_general_digits(out: &mut Vec<u8>, a: f64, prec: usize) {
    let p = prec.max(1);
    let start = out.len();
    write!(out, "{a:.prec$e}", prec = p - 1).expect("writing to a Vec cannot fail");
    let exp = split_rust_exponent(out, start);
    // C: with X the exponent %e would print, use %f with precision P-1-X when P > X >= -4.
    let p_i = i64::try_from(p).unwrap_or(i64::MAX);
    if exp >= -4 && exp < p_i {
        out.truncate(start);
        let frac = usize::try_from(p_i - 1 - exp).expect("non-negative by the branch condition");
        write!(out, "{a:.frac$}").expect("writing to a Vec cannot fail");
        strip_fraction_zeros(out, start);
    } else {
        strip_fraction_zeros(out, start);
        push_c_exponent(out, exp);
    }
}

/// Rust writes `1.5e-7`; cut the `e…` part off `out` and return the exponent.
fn split_rust_exponent(out: &mut Vec<u8>, from: usize) -> i64 {
    let e = out[from..]
        .iter()
        .rposition(|&b| b == b'e')
        .map(|p| p + from)
        .expect("Rust {:e} output has an exponent");
    let mut exp: i64 = 0;
    let mut negative = false;
    for &b in &out[e + 1..] {
        match b {
            b'-' => negative = true,
            b'0'..=b'9' => exp = exp * 10 + i64::from(b - b'0'),
            _ => {}
        }
    }
    out.truncate(e);
    if negative {
        -exp
    } else {
        exp
    }
}

/// C's exponent: `e`, sign, at least two digits.
fn push_c_exponent(out: &mut Vec<u8>, exp: i64) {
    out.push(b'e');
    out.push(if exp < 0 { b'-' } else { b'+' });
    let mag = exp.unsigned_abs();
    if mag < 10 {
        out.push(b'0');
    }
    super::num::write_count(out, mag);
}

/// Removes trailing zeros of a fraction (and the point if nothing is left) in `out[from..]`.
fn strip_fraction_zeros(out: &mut Vec<u8>, from: usize) {
    if !out[from..].contains(&b'.') {
        return;
    }
    while out.last() == Some(&b'0') {
        out.pop();
    }
    if out.last() == Some(&b'.') {
        out.pop();
    }
}

/// Pads the conversion in `out[start..]` to the field width: spaces on the right with `-`,
/// zeros after the `sign_len` sign bytes with `0` (when `zero_ok`), spaces on the left otherwise.
fn pad(out: &mut Vec<u8>, start: usize, sign_len: usize, spec: &PrintfSpec, zero_ok: bool) {
    let len = out.len() - start;
    if spec.width <= len {
        return;
    }
    let n = spec.width - len;
    if spec.left {
        out.resize(out.len() + n, b' ');
    } else if spec.zero && zero_ok {
        let at = start + sign_len;
        out.splice(at..at, std::iter::repeat_n(b'0', n));
    } else {
        out.splice(start..start, std::iter::repeat_n(b' ', n));
    }
}

#[cfg(test)]
// The inputs are the literals of Zeek's test scripts (3.14159265, 3.14), not approximations of π.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    fn spec(left: bool, zero: bool, width: usize, precision: Option<usize>) -> PrintfSpec {
        PrintfSpec {
            left,
            zero,
            width,
            precision,
        }
    }

    fn float(v: f64, conv: FloatConv, s: PrintfSpec) -> String {
        let mut out = Vec::new();
        write_float(&mut out, v, conv, &s);
        String::from_utf8(out).unwrap()
    }

    fn int(v: i64, s: PrintfSpec) -> String {
        let mut out = Vec::new();
        write_signed(&mut out, v, &s);
        String::from_utf8(out).unwrap()
    }

    // Expected texts: render/fmt.stdout, btest Baseline/bifs.fmt/out, language.double,
    // render/interval.stdout, render/time.stdout.
    #[test]
    fn floats_from_zeek_fmt() {
        use FloatConv::{E, F, G};
        let none = PrintfSpec::default();
        let pi = 3.14159265;
        let cases: &[(f64, FloatConv, PrintfSpec, &str)] = &[
            (pi, F, none, "3.141593"),
            (pi, F, spec(false, false, 0, Some(2)), "3.14"),
            (2.5, F, spec(false, false, 0, Some(0)), "2"),
            (3.5, F, spec(false, false, 0, Some(0)), "4"),
            (pi, F, spec(false, false, 10, Some(3)), "     3.142"),
            (pi, F, spec(true, false, 10, Some(3)), "3.142     "),
            (-pi, F, spec(false, true, 10, Some(3)), "-00003.142"),
            (12345.678, E, none, "1.234568e+04"),
            (12345.678, E, spec(false, false, 0, Some(3)), "1.235e+04"),
            (12345.678, G, none, "12345.7"),
            (0.0000123, G, none, "1.23e-05"),
            (1e20, G, none, "1e+20"),
            (
                1.0 / 3.0,
                G,
                spec(false, false, 0, Some(10)),
                "0.3333333333",
            ),
            (120.0, F, none, "120.000000"),
            (93600.0, F, none, "93600.000000"),
            (1700000000.123456, F, none, "1700000000.123456"),
            (
                1700000000.123456,
                F,
                spec(false, false, 0, Some(2)),
                "1700000000.12",
            ),
            (f64::INFINITY, F, none, "inf"),
            (f64::from_bits(0xfff8_0000_0000_0000), F, none, "-nan"),
            (f64::NEG_INFINITY, E, none, "-inf"),
            (pi, E, spec(false, false, 10, Some(2)), "  3.14e+00"),
            (pi, E, spec(true, false, 10, Some(2)), "3.14e+00  "),
            (pi, F, spec(false, false, 10, Some(2)), "      3.14"),
            (pi, G, spec(false, false, 10, Some(2)), "       3.1"),
            (-pi, E, spec(false, false, 10, Some(2)), " -3.14e+00"),
            (-pi, F, spec(false, false, 10, Some(2)), "     -3.14"),
            (-pi, G, spec(false, false, 10, Some(2)), "      -3.1"),
            (-pi, E, spec(true, false, 10, Some(2)), "-3.14e+00 "),
            (-pi, F, spec(true, false, 10, Some(2)), "-3.14     "),
            (-pi, G, spec(true, false, 10, Some(2)), "-3.1      "),
            (3.1e+2, E, none, "3.100000e+02"),
            (3.1e+2, F, none, "310.000000"),
            (3.1e+2, G, none, "310"),
            (3.1e+2, E, spec(false, false, 0, Some(3)), "3.100e+02"),
            (3.1e+2, F, spec(false, false, 0, Some(3)), "310.000"),
            (3.1e+2, G, spec(false, false, 0, Some(3)), "310"),
            (3.1e+2, G, spec(false, false, 0, Some(7)), "310"),
            (
                1.7976931348623157e308,
                E,
                spec(false, false, 0, Some(16)),
                "1.7976931348623157e+308",
            ),
        ];
        for &(v, conv, s, want) in cases {
            assert_eq!(float(v, conv, s), want, "{v:?} {conv:?} {s:?}");
        }
        let huge = float(1e300, F, none);
        assert_eq!(
            huge,
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375\
             0804478640437044438328838781769425232353604305756447921847867069828483872009265758037378302\
             3379478809005936895323497079994508111903896764088007465274278014249457925878882005684283811\
             5669472196386865459400540160.000000"
        );
    }

    #[test]
    fn integers_from_zeek_fmt() {
        let none = PrintfSpec::default();
        let cases: &[(i64, PrintfSpec, &str)] = &[
            (42, none, "42"),
            (-42, none, "-42"),
            (i64::MIN, none, "-9223372036854775808"),
            (42, spec(false, false, 5, None), "   42"),
            (42, spec(true, false, 5, None), "42   "),
            (42, spec(false, true, 5, None), "00042"),
            (-42, spec(false, true, 5, None), "-0042"),
            (5, spec(false, false, 0, Some(2)), "05"),
            (-128, spec(false, false, 10, None), "      -128"),
            (-128, spec(true, false, 10, None), "-128      "),
            (128, spec(false, true, 10, None), "0000000128"),
        ];
        for &(v, s, want) in cases {
            assert_eq!(int(v, s), want, "{v} {s:?}");
        }
        let mut out = Vec::new();
        write_unsigned(&mut out, u64::MAX, &none);
        out.push(b'|');
        write_hex(&mut out, 255, &none);
        out.push(b'|');
        write_hex(&mut out, u64::MAX, &none);
        out.push(b'|');
        write_hex(&mut out, 255, &spec(false, true, 8, None));
        out.push(b'|');
        write_hex(&mut out, 160, &spec(false, false, 10, None));
        out.push(b'|');
        write_hex(&mut out, 160, &spec(false, true, 10, None));
        assert_eq!(
            out,
            b"18446744073709551615|ff|ffffffffffffffff|000000ff|        a0|00000000a0"
        );
        let mut out = Vec::new();
        write_signed(&mut out, 5, &spec(false, false, 128, None));
        assert_eq!(out, format!("{}5", " ".repeat(127)).as_bytes());
    }
}
