//! Counts, ints, bools and doubles as Zeek's readable describers print them
//! (`src/Desc.cc: ODesc::Add(int64_t / uint64_t / double)`, `src/Val.cc: Val::ValDescribe`).
//!
//! Doubles go through `modp_dtoa2` (`src/3rdparty/modp_numtoa.c`) with precision 6: at most six
//! decimals with trailing zeros removed, C `%.16e` with trailing mantissa zeros removed for
//! magnitudes from `INT_MAX` up and for non-zero magnitudes below 10⁻⁶, and then `ODesc` appends
//! `.0` when the value is within 10⁻⁹ of an integer and the text has no exponent.

use super::printf;

/// Appends a `count` in decimal (`18446744073709551615`).
pub fn write_count(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends an `int` in decimal with a `-` sign when negative (`-9223372036854775808`).
pub fn write_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_count(out, v.unsigned_abs());
}

/// Appends a `bool` as every readable renderer shows it: `T` or `F`.
pub fn write_bool(out: &mut Vec<u8>, v: bool) {
    out.push(if v { b'T' } else { b'F' });
}

/// Appends a `double` (or `time`) exactly as `print`, `fmt("%s")` and `cat` show it:
/// `0.0`, `0.333333`, `1000000.0`, `2.147483647e+09`, `9.9999999999999995e-08`, `inf`, `nan`.
pub fn write_double(out: &mut Vec<u8>, v: f64) {
    write_double_prec(out, v, 6);
}

/// `ODesc::Add(double)` with an explicit `modp_dtoa2` precision (6 for readable descriptors,
/// 8 for the non-readable ones Zeek uses internally), including the `.0` suffix rule.
pub fn write_double_prec(out: &mut Vec<u8>, v: f64, prec: i32) {
    let start = out.len();
    write_modp_dtoa2(out, v, prec);
    // ODesc::Add: disambiguate from an integer when |v - nearbyint(v)| < 1e-9.
    let near_int = (v - v.round_ties_even()).abs() < 1e-9;
    if near_int && v.is_finite() && !out[start..].contains(&b'e') {
        out.extend_from_slice(b".0");
    }
}

const POW10: [f64; 10] = [
    1.0,
    10.0,
    100.0,
    1000.0,
    10000.0,
    100000.0,
    1000000.0,
    10000000.0,
    100000000.0,
    1000000000.0,
];
const POW10R: [f64; 10] = [
    1.0,
    0.1,
    0.01,
    0.001,
    0.0001,
    0.00001,
    0.000001,
    0.0000001,
    0.00000001,
    0.000000001,
];

/// `modp_dtoa2(v, buf, prec)`: the digits without `ODesc`'s `.0` suffix (`1.0` → `1`).
pub fn write_modp_dtoa2(out: &mut Vec<u8>, value: f64, prec: i32) {
    if value.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    // `-0.0 < 0` is false, so negative zero renders like zero.
    let neg = value < 0.0;
    let a = if neg { -value } else { value };
    if a >= f64::from(i32::MAX) {
        write_exp17(out, value);
        return;
    }
    let prec = usize::try_from(prec.clamp(0, 9)).expect("clamped to 0..=9");
    if a != 0.0 && a < POW10R[prec] {
        write_exp17(out, value);
        return;
    }
    let (whole, mut frac) = modp_split_rounded(a, prec);
    // At most INT_MAX: `a < INT_MAX` before rounding.
    let mut whole = whole as i32;
    let mut frac_text: Option<(u32, usize)> = None;
    if prec == 0 {
        let diff = a - f64::from(whole);
        if diff > 0.5 || (diff == 0.5 && whole & 1 == 1) {
            whole += 1;
        }
    } else if frac != 0 {
        let mut count = prec;
        while frac % 10 == 0 {
            count -= 1;
            frac /= 10;
        }
        frac_text = Some((frac, count));
    }
    if neg {
        out.push(b'-');
    }
    write_count(out, u64::from(whole.unsigned_abs()));
    if let Some((frac, width)) = frac_text {
        out.push(b'.');
        // The digits of `frac`, left-padded with zeros to `width` (never truncated).
        let mut buf = [0u8; 10];
        let mut i = buf.len();
        let mut f = frac;
        while f != 0 {
            i -= 1;
            buf[i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        let digits = &buf[i..];
        out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
        out.extend_from_slice(digits);
    }
}

/// C `%.16e` (17 significant digits), then modp's `sn_strip_trailing_zeros`: trailing zeros of
/// the mantissa's fraction go, and the point too when no fraction digit is left.
fn write_exp17(out: &mut Vec<u8>, v: f64) {
    let start = out.len();
    printf::write_exp(out, v, 16);
    let Some(dot) = out[start..]
        .iter()
        .position(|&b| b == b'.')
        .map(|p| p + start)
    else {
        return; // inf / -inf
    };
    let Some(e) = out[dot..].iter().position(|&b| b == b'e').map(|p| p + dot) else {
        return;
    };
    let mut cut = e;
    while out[cut - 1] == b'0' {
        cut -= 1;
    }
    if cut == dot + 1 {
        cut = dot;
    }
    out.drain(cut..e);
}

/// modp's split of `a` (`0 <= a < INT_MAX`) into the integer part and
/// `prec` (at most 9) rounded decimals, with its own round-half rule: an
/// exact half rounds up when the digit is odd or zero, without a carry
/// check. Shared by `%f`-style formatting and the log writers.
pub fn modp_split_rounded(a: f64, prec: usize) -> (u32, u32) {
    // `a < INT_MAX`: the C `(int)` and `(uint32_t)` conversions truncate.
    let mut whole = a as u32;
    let tmp = (a - f64::from(whole)) * POW10[prec];
    let mut frac = tmp as u32;
    let diff = tmp - f64::from(frac);
    if diff > 0.5 {
        frac += 1;
        if f64::from(frac) >= POW10[prec] {
            frac = 0;
            whole += 1;
        }
    } else if diff == 0.5 && (frac == 0 || frac & 1 == 1) {
        frac += 1;
    }
    (whole, frac)
}

#[cfg(test)]
// The inputs are the literals of Zeek's test scripts (3.14159265, 3.14), not approximations of π.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    fn render(v: f64) -> String {
        let mut out = Vec::new();
        write_double(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    /// Inputs are the expressions Zeek evaluated; outputs are Zeek's (render/double.stdout,
    /// btest Baseline/language.double/out, semantics §1.4, bifs.to_double, bifs.to_time).
    #[test]
    fn print_of_doubles() {
        let big = 1e308 * 10.0;
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.5, "0.5"),
            (100.0, "100.0"),
            (1e6, "1000000.0"),
            (12345.6789, "12345.6789"),
            (123456789.123, "123456789.123"),
            (3.14159265358979, "3.141593"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333"),
            (2.0 / 3.0, "0.666667"),
            (0.12345678, "0.123457"),
            (0.9999999, "1"),
            (0.99999949, "0.999999"),
            (999999999.9999999, "1000000000"),
            (1.0000005, "1.000001"),
            (1.0000015, "1.000001"),
            (2.5000005, "2.500001"),
            (0.000001, "0.000001"),
            (0.0000015, "0.000002"),
            (0.0000009, "8.9999999999999996e-07"),
            (5e-7, "4.9999999999999998e-07"),
            (1e-7, "9.9999999999999995e-08"),
            (1.23456789e-7, "1.2345678899999999e-07"),
            (1e-300, "1e-300"),
            (5e-324, "4.9406564584124654e-324"),
            (2147483646.5, "2147483646.5"),
            (2147483647.0, "2.147483647e+09"),
            (2147483648.0, "2.147483648e+09"),
            (1e9, "1000000000.0"),
            (1e10, "1e+10"),
            (1e20, "1e+20"),
            (1e300, "1.0000000000000001e+300"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (12345678901.5, "1.23456789015e+10"),
            (0.1 * 3.0, "0.3"),
            (-0.0, "0.0"),
            (-1e-7, "-9.9999999999999995e-08"),
            (-1e20, "-1e+20"),
            (big, "inf"),
            (-big, "-inf"),
            (f64::from_bits(0xfff8_0000_0000_0000), "nan"),
            (f64::from_bits(0x7ff8_0000_0000_0000), "nan"),
            (1.0000000001, "1.0"),
            (2.9999999999, "3.0"),
            (0.0000014999, "0.000001"),
            (7.0000004, "7"),
            (123.4560000001, "123.456"),
            (18446744073709551615u64 as f64, "1.8446744073709552e+19"),
            // language.double
            (0.0000000000005, "4.9999999999999999e-13"),
            (0.000000000005, "4.9999999999999997e-12"),
            (0.00000000005, "5.0000000000000002e-11"),
            (0.0000000005, "5.0000000000000003e-10"),
            (0.000000005, "5.0000000000000001e-09"),
            (0.00000005, "4.9999999999999998e-08"),
            (0.0000005, "4.9999999999999998e-07"),
            (0.000005, "0.000005"),
            (0.00005, "0.00005"),
            (0.0005, "0.0005"),
            (0.005, "0.005"),
            (0.05, "0.05"),
            (5.0, "5.0"),
            (0.0000000000001, "1e-13"),
            (0.000000000001, "9.9999999999999998e-13"),
            (0.00000000001, "9.9999999999999994e-12"),
            (0.0000000001, "1e-10"),
            (0.000000001, "1.0000000000000001e-09"),
            (0.00000001, "1e-08"),
            (0.0000001, "9.9999999999999995e-08"),
            (0.00001, "0.00001"),
            (0.0001, "0.0001"),
            (0.001, "0.001"),
            (0.01, "0.01"),
            // bifs.to_double / bifs.to_time
            (1e-6, "0.000001"),
            (-60.0, "-60.0"),
            (3600.0, "3600.0"),
            (86400.0, "86400.0"),
            (10000.0, "10000.0"),
            (-41.0, "-41.0"),
            (1234563.14, "1234563.14"),
            (-1234563.14, "-1234563.14"),
            // render/time
            (1700000000.123456, "1700000000.123456"),
            (1700000000.0, "1700000000.0"),
            (1700000000.1234567, "1700000000.123457"),
            (4102444800.5, "4.1024448005e+09"),
            (-1.25, "-1.25"),
            (1700000000.123456 + 86400.0, "1700086400.123456"),
            (1700000000.25, "1700000000.25"),
        ];
        for &(v, want) in cases {
            assert_eq!(render(v), want, "{v:e}");
        }
    }

    #[test]
    fn integers_and_bools() {
        let mut out = Vec::new();
        for v in [0, 1, u64::MAX, 0xff] {
            write_count(&mut out, v);
            out.push(b' ');
        }
        for v in [0, -1, 5, i64::MIN, i64::MAX] {
            write_int(&mut out, v);
            out.push(b' ');
        }
        write_bool(&mut out, true);
        write_bool(&mut out, false);
        // render/atoms.stdout
        assert_eq!(
            out,
            b"0 1 18446744073709551615 255 0 -1 5 -9223372036854775808 9223372036854775807 TF"
        );
    }
}
