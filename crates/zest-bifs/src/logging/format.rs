//! Number and time texts of the log writers.
//!
//! * `time`/`interval` columns: `threading::Formatter::Render(double)`, which
//!   is `modp_dtoa(d, buf, 6)`: always six decimals, C `%.16e` with trailing
//!   mantissa zeros removed from `INT_MAX` up.
//! * `double` columns: `ODesc::Add(d, true)`, which is `modp_dtoa3(d, buf,
//!   350, 6)` (never an exponent: `%.6f` with trailing zeros removed from
//!   `INT_MAX` up) plus `.0` when the value is within 1e-9 of an integer.
//! * The `#open`/`#close` header stamps (`Ascii::Timestamp`) and JSON's
//!   ISO 8601 times (`formatter::JSON::BuildJSON`).
//!
//! Upstream: `src/3rdparty/modp_numtoa.c`, `src/Desc.cc`,
//! `src/threading/Formatter.cc`, `src/logging/writers/ascii/Ascii.cc`,
//! `src/threading/formatters/JSON.cc`.

use zest_runtime::render::num::modp_split_rounded;
use zest_runtime::render::printf::{self, FloatConv, PrintfSpec};

/// `modp_dtoa(value, buf, 6)`.
pub fn write_modp_dtoa(out: &mut Vec<u8>, value: f64) {
    if value.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    let neg = value < 0.0;
    let a = if neg { -value } else { value };
    if a >= f64::from(i32::MAX) {
        write_exp17(out, value);
        return;
    }
    let (whole, frac) = modp_split_rounded(a, 6);
    if neg {
        out.push(b'-');
    }
    zest_runtime::render::write_count(out, u64::from(whole));
    out.push(b'.');
    push_padded(out, frac, 6);
}

/// `ODesc::Add(double, no_exp = true)` of a readable descriptor:
/// `modp_dtoa3(d, buf, 350, 6)`, then `.0` for an integral finite value.
pub fn write_double_noexp(out: &mut Vec<u8>, value: f64) {
    let start = out.len();
    write_modp_dtoa3(out, value);
    let near_int = (value - value.round_ties_even()).abs() < 1e-9;
    if near_int && value.is_finite() && !out[start..].contains(&b'e') {
        out.extend_from_slice(b".0");
    }
}

/// `modp_dtoa3(value, buf, 350, 6)`.
fn write_modp_dtoa3(out: &mut Vec<u8>, value: f64) {
    if value.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    let neg = value < 0.0;
    let a = if neg { -value } else { value };
    if a >= f64::from(i32::MAX) {
        // snprintf("%.6f"), then trailing zeros and a bare point removed.
        let start = out.len();
        let spec = PrintfSpec {
            precision: Some(6),
            ..PrintfSpec::default()
        };
        printf::write_float(out, value, FloatConv::F, &spec);
        if out.len() - start >= 350 {
            // Error or truncated output.
            out.truncate(start);
            out.extend_from_slice(b"NAN");
            return;
        }
        while out.len() > start && out[out.len() - 1] == b'0' {
            out.pop();
        }
        if out.len() > start && out[out.len() - 1] == b'.' {
            out.pop();
        }
        return;
    }
    let (whole, frac) = modp_split_rounded(a, 6);
    if neg {
        out.push(b'-');
    }
    zest_runtime::render::write_count(out, u64::from(whole));
    if frac != 0 {
        let mut f = frac;
        let mut width = 6;
        while f % 10 == 0 {
            width -= 1;
            f /= 10;
        }
        out.push(b'.');
        push_padded(out, f, width);
    }
}

/// The digits of `v`, left-padded with zeros to `width`.
fn push_padded(out: &mut Vec<u8>, v: u32, width: usize) {
    let digits = v.to_string();
    out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
    out.extend_from_slice(digits.as_bytes());
}

/// C `%.16e`, then modp's `sn_strip_trailing_zeros`.
fn write_exp17(out: &mut Vec<u8>, v: f64) {
    let start = out.len();
    let spec = PrintfSpec {
        precision: Some(16),
        ..PrintfSpec::default()
    };
    printf::write_float(out, v, FloatConv::E, &spec);
    let Some(dot) = out[start..]
        .iter()
        .position(|&b| b == b'.')
        .map(|p| p + start)
    else {
        return;
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

/// A double as C++'s `std::ostream << double` shows it (`%g`, precision 6).
pub fn ostream_double(v: f64) -> String {
    let mut out = Vec::new();
    printf::write_float(&mut out, v, FloatConv::G, &PrintfSpec::default());
    String::from_utf8_lossy(&out).into_owned()
}

/// Calendar fields of a Unix time in UTC.
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
}

pub fn civil_utc(t: i64) -> Civil {
    let days = t.div_euclid(86400);
    let rem = t.rem_euclid(86400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        min: (rem / 60 % 60) as u32,
        sec: (rem % 60) as u32,
    }
}

/// `strftime("%Y-%m-%d-%H-%M-%S")` of `localtime(t)`, the `#open`/`#close`
/// stamp. Zest runs with `TZ=UTC`, so local time is UTC.
pub fn header_timestamp(t: i64) -> String {
    let c = civil_utc(t);
    format!(
        "{}-{:02}-{:02}-{:02}-{:02}-{:02}",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    )
}

/// The wall clock in whole seconds (`time(nullptr)`).
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// JSON's `TS_ISO8601` text of a time: `2008-07-09T16:13:30.005432Z`; `None`
/// when `gmtime_r` cannot represent the year.
pub fn iso8601(t: f64) -> Option<String> {
    let secs = t.floor();
    if !secs.is_finite() || secs.abs() > 6.7e16 {
        return None;
    }
    let c = civil_utc(secs as i64);
    // gmtime_r fails when the year does not fit tm_year (an int).
    if c.year - 1900 > i64::from(i32::MAX) || c.year - 1900 < i64::from(i32::MIN) {
        return None;
    }
    let mut s = format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.",
        c.year, c.month, c.day, c.hour, c.min, c.sec
    );
    // modf keeps the sign: frac of -0.4 is -0.4, which becomes 0.6.
    let mut frac = t - t.trunc();
    if frac < 0.0 {
        frac += 1.0;
    }
    let mut digits = Vec::new();
    let spec = PrintfSpec {
        zero: true,
        width: 6,
        precision: Some(0),
        ..PrintfSpec::default()
    };
    printf::write_float(&mut digits, frac.abs() * 1_000_000.0, FloatConv::F, &spec);
    s.push_str(&String::from_utf8_lossy(&digits));
    s.push('Z');
    Some(s)
}

/// `(uint64_t)d` as gcc's x86-64 code computes it (JSON's `TS_MILLIS`).
pub fn double_to_u64_x86(v: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    let cvt = |x: f64| -> i64 {
        if (-TWO63..TWO63).contains(&x) {
            x as i64
        } else {
            i64::MIN
        }
    };
    if v < TWO63 {
        cvt(v) as u64
    } else {
        (cvt(v - TWO63) as u64) ^ (1 << 63)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dtoa(v: f64) -> String {
        let mut o = Vec::new();
        write_modp_dtoa(&mut o, v);
        String::from_utf8(o).unwrap()
    }

    fn noexp(v: f64) -> String {
        let mut o = Vec::new();
        write_double_noexp(&mut o, v);
        String::from_utf8(o).unwrap()
    }

    /// Baseline/scripts.base.frameworks.logging.ascii-timestamps/test.log.
    #[test]
    fn time_columns() {
        let cases: &[(f64, &str)] = &[
            (1234567890.0, "1234567890.000000"),
            (1234567890.01, "1234567890.010000"),
            (1234567890.001, "1234567890.001000"),
            (1234567890.0001, "1234567890.000100"),
            (1234567890.00001, "1234567890.000010"),
            (1234567890.000001, "1234567890.000001"),
            (1234567890.0000001, "1234567890.000000"),
            (2385642157.0, "2.385642157e+09"),
        ];
        for (v, want) in cases {
            assert_eq!(dtoa(*v), *want, "{v}");
        }
    }

    /// Baseline/scripts.base.frameworks.logging.types/ssh.log (`100secs`).
    #[test]
    fn interval_column() {
        assert_eq!(dtoa(100.0), "100.000000");
    }

    /// Baseline/scripts.base.frameworks.logging.ascii-double/test.log. The
    /// inputs are the test script's literals, precision and all.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn double_columns() {
        let dmax = 1.79e308_f64;
        let big = "178999999999999996376899522972626047077637637819240219954027593177370961667659291027329061638406108931437333529420935752785895444161234074984843178962619172326295244262722141766382622299223626438470088150218987997954747866198184686628013966119769261150988554952970462018533787926725176560021258785656871583744.0";
        let cases: &[(f64, String)] = &[
            (2153226000.0, "2153226000.0".into()),
            (2153226000.1, "2153226000.1".into()),
            (2153226000.123456789, "2153226000.123457".into()),
            (1.0, "1.0".into()),
            (1.1, "1.1".into()),
            (1.123456789, "1.123457".into()),
            (-1.123456789, "-1.123457".into()),
            (1.1234, "1.1234".into()),
            (0.1234, "0.1234".into()),
            (5e4, "50000.0".into()),
            (-5e4, "-50000.0".into()),
            (3.14e15, "3140000000000000.0".into()),
            (-3.14e15, "-3140000000000000.0".into()),
            (dmax, big.into()),
            (-dmax, format!("-{big}")),
            (1.23456789e-5, "0.000012".into()),
            (2.23e-308, "0.0".into()),
            (-2.23e-308, "-0.0".into()),
            (f64::INFINITY, "inf".into()),
            (f64::NEG_INFINITY, "-inf".into()),
            (-0.0, "0.0".into()),
            (f64::NAN, "nan".into()),
        ];
        for (v, want) in cases {
            assert_eq!(noexp(*v), *want, "{v}");
        }
    }

    /// Baseline/scripts.base.frameworks.logging.ascii-json-iso-timestamps.
    #[test]
    fn iso_timestamps() {
        let base = 1215620010.0; // 2008-07-09T16:13:30Z
        let cases: &[(f64, &str)] = &[
            (base + 0.00543210, "2008-07-09T16:13:30.005432Z"),
            (533782861.0 + 0.90, "1986-12-01T01:01:01.900000Z"),
            (-0.4, "1969-12-31T23:59:59.600000Z"),
            (-0.5, "1969-12-31T23:59:59.500000Z"),
            (-0.6, "1969-12-31T23:59:59.400000Z"),
            (-1.0, "1969-12-31T23:59:59.000000Z"),
            (-1.4, "1969-12-31T23:59:58.600000Z"),
            (-1.5, "1969-12-31T23:59:58.500000Z"),
            (-1.6, "1969-12-31T23:59:58.400000Z"),
            (-99.0, "1969-12-31T23:58:21.000000Z"),
        ];
        for (v, want) in cases {
            assert_eq!(iso8601(*v).as_deref(), Some(*want), "{v}");
        }
    }

    /// Baseline/scripts.base.frameworks.logging.none-debug/output.
    #[test]
    fn ostream_doubles() {
        assert_eq!(ostream_double(3600.0), "3600");
        assert_eq!(ostream_double(300.0), "300");
    }
}
