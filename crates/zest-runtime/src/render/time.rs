//! `time` and `interval` text (`src/Val.cc: Val::ValDescribe, IntervalVal::ValDescribe`) and the
//! calendar texts of `fmt`'s `%D` / `%T` directives (`src/zeek.bif: do_fmt`).
//!
//! A `time` prints exactly like a `double`. An `interval` is broken into day / hr / min / sec /
//! msec parts (each truncated toward zero) and a final, untruncated usec part, every part
//! rendered as a double with its unit word. `%D` / `%T` use the local time zone in Zeek; Zest
//! runs with `TZ=UTC` (as every btest does), so they are computed in UTC here.

use super::num::write_double;
use super::printf::{self, FloatConv, PrintfSpec};

/// Appends a `time` as `print` / `fmt("%s")` / `cat` show it (the double text, see
/// [`write_double`]): `1700000000.123456`, `0.0`, `4.1024448005e+09`.
pub fn write_time(out: &mut Vec<u8>, t: f64) {
    write_double(out, t);
}

/// Appends an `interval` (in seconds) as every text renderer shows it:
/// `0 secs`, `1.0 usec`, `1.0 day 2.0 hrs`, `-1.0 sec -500.0 msecs`, `0.123457 usecs`.
pub fn write_interval(out: &mut Vec<u8>, secs: f64) {
    const UNITS: [(f64, &[u8]); 5] = [
        (86400.0, b"day"),
        (3600.0, b"hr"),
        (60.0, b"min"),
        (1.0, b"sec"),
        (1e-3, b"msec"),
    ];
    if secs == 0.0 {
        out.extend_from_slice(b"0 secs");
        return;
    }
    let mut v = secs;
    let mut did_one = false;
    for (unit, word) in UNITS {
        if !(v >= unit || v <= -unit) {
            continue;
        }
        let num = v / unit;
        let num = if num < 0.0 { num.ceil() } else { num.floor() };
        v -= num * unit;
        write_part(out, &mut did_one, num, word);
    }
    let usecs = v / 1e-6;
    if approx_equal(usecs, 0.0) {
        if !did_one {
            out.extend_from_slice(b"0 secs");
        }
        return;
    }
    write_part(out, &mut did_one, usecs, b"usec");
}

fn write_part(out: &mut Vec<u8>, did_one: &mut bool, n: f64, word: &[u8]) {
    if *did_one {
        out.push(b' ');
    }
    write_double(out, n);
    out.push(b' ');
    out.extend_from_slice(word);
    if !approx_equal(n, 1.0) && !approx_equal(n, -1.0) {
        out.push(b's');
    }
    *did_one = true;
}

/// `IntervalVal::ValDescribe`'s `approx_equal` with its default tolerance 1e-6.
fn approx_equal(a: f64, b: f64) -> bool {
    let v = a - b;
    if v < 0.0 {
        -v < 1e-6
    } else {
        v < 1e-6
    }
}

/// Appends `fmt("%D", t)`: `YYYY-MM-DD-HH:MM:SS` of the time truncated toward zero (UTC).
pub fn write_fmt_date(out: &mut Vec<u8>, t: f64) {
    let tm = civil_utc(cvttsd2si(t));
    write_ymd_hm(out, &tm);
    out.push(b':');
    push2(out, tm.sec);
}

/// Appends `fmt("%T", t)`: `YYYY-MM-DD-HH:MM` (UTC), then `:` and the seconds as C `%012.9f`,
/// computed as Zeek does: `(u % 60) + t - u` with `u` the time converted to `uint64_t`
/// (x86-64 conversion semantics, which is what makes a negative time print
/// `1969-12-31-23:59:-18446744073709551616.000000000`).
pub fn write_fmt_timestamp(out: &mut Vec<u8>, t: f64) {
    let tm = civil_utc(cvttsd2si(t));
    write_ymd_hm(out, &tm);
    let u = double_to_u64_x86(t);
    let secs = ((u % 60) as f64 + t) - u as f64;
    out.push(b':');
    let spec = PrintfSpec {
        left: false,
        zero: true,
        width: 12,
        precision: Some(9),
    };
    printf::write_float(out, secs, FloatConv::F, &spec);
}

/// x86-64 `cvttsd2si`: truncation toward zero; NaN and out-of-range give `i64::MIN`.
fn cvttsd2si(v: f64) -> i64 {
    // 2^63 is exactly representable; the valid range is [-2^63, 2^63) (NaN is outside it).
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO63..TWO63).contains(&v) {
        v as i64
    } else {
        i64::MIN
    }
}

/// What gcc's x86-64 code for `(uint64_t)double` yields, including for negative inputs.
fn double_to_u64_x86(v: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if v < TWO63 {
        cvttsd2si(v) as u64
    } else {
        (cvttsd2si(v - TWO63) as u64) ^ (1 << 63)
    }
}

struct Tm {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
}

/// Proleptic Gregorian calendar fields of a Unix time in UTC (days-from-civil inverted).
fn civil_utc(t: i64) -> Tm {
    let days = t.div_euclid(86400);
    let rem = u32::try_from(t.rem_euclid(86400)).expect("0..86400");
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).expect("1..=31");
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).expect("1..=12");
    let year = yoe + era * 400 + i64::from(month <= 2);
    Tm {
        year,
        month,
        day,
        hour: rem / 3600,
        min: rem / 60 % 60,
        sec: rem % 60,
    }
}

/// strftime `%Y-%m-%d-%H:%M`.
fn write_ymd_hm(out: &mut Vec<u8>, tm: &Tm) {
    super::num::write_int(out, tm.year);
    out.push(b'-');
    push2(out, tm.month);
    out.push(b'-');
    push2(out, tm.day);
    out.push(b'-');
    push2(out, tm.hour);
    out.push(b':');
    push2(out, tm.min);
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(v: f64) -> String {
        let mut out = Vec::new();
        write_interval(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    const USEC: f64 = 1e-6;
    const MSEC: f64 = 1e-3;
    const MIN: f64 = 60.0;
    const HR: f64 = 60.0 * 60.0;
    const DAY: f64 = 24.0 * HR;

    /// Inputs are the interval expressions Zeek evaluated (a literal `N unit` is `N * unit`);
    /// outputs from render/interval.stdout, btest core.print-interval, bifs.to_interval.
    #[test]
    fn print_of_intervals() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0 secs"),
            (0.0 * USEC, "0 secs"),
            (-0.0, "0 secs"),
            (1.0 * USEC, "1.0 usec"),
            (2.0 * USEC, "2.0 usecs"),
            (0.5 * USEC, "0.5 usecs"),
            (0.0005 * USEC, "0.0005 usecs"),
            (0.002 * USEC, "0.002 usecs"),
            (1.5 * USEC, "1.5 usecs"),
            (999.0 * USEC, "999.0 usecs"),
            (1000.0 * USEC, "1.0 msec"),
            (1001.0 * USEC, "1.0 msec 1.0 usec"),
            (1.0 * MSEC, "1.0 msec"),
            (1.5 * MSEC, "1.0 msec 500.0 usecs"),
            (999.0 * MSEC, "999.0 msecs"),
            (1000.0 * MSEC, "1.0 sec"),
            (1.0, "1.0 sec"),
            (1.5, "1.0 sec 500.0 msecs"),
            (2.0, "2.0 secs"),
            (59.0, "59.0 secs"),
            (60.0, "1.0 min"),
            (61.0, "1.0 min 1.0 sec"),
            (61.5, "1.0 min 1.0 sec 500.0 msecs"),
            (1.0 * MIN, "1.0 min"),
            (90.0 * MIN, "1.0 hr 30.0 mins"),
            (1.0 * HR, "1.0 hr"),
            (1.5 * HR, "1.0 hr 30.0 mins"),
            (23.0 * HR, "23.0 hrs"),
            (24.0 * HR, "1.0 day"),
            (1.0 * DAY, "1.0 day"),
            (1.0 * DAY + 2.0 * HR, "1.0 day 2.0 hrs"),
            (2.0 * DAY, "2.0 days"),
            (1.5 * DAY, "1.0 day 12.0 hrs"),
            (1000.0 * DAY, "1000.0 days"),
            (
                1.0 * DAY + 1.0 * HR + 1.0 * MIN + 1.0 + 1.0 * MSEC + 1.0 * USEC,
                "1.0 day 1.0 hr 1.0 min 1.0 sec 1.0 msec 0.999997 usecs",
            ),
            (
                3.0 * DAY + 4.0 * HR + 5.0 * MIN + 6.5,
                "3.0 days 4.0 hrs 5.0 mins 6.0 secs 500.0 msecs",
            ),
            (-1.0, "-1.0 sec"),
            (-1.5, "-1.0 sec -500.0 msecs"),
            (-DAY - 2.0 * HR, "-1.0 day -2.0 hrs"),
            (-(1.0 * DAY + 1.0 * USEC), "-1.0 day -0.999993 usecs"),
            (-USEC, "-1.0 usec"),
            (-0.5 * USEC, "-0.5 usecs"),
            (0.1, "100.0 msecs"),
            (0.3, "300.0 msecs"),
            (1.234567, "1.0 sec 234.0 msecs 567.0 usecs"),
            (1.2345678, "1.0 sec 234.0 msecs 567.8 usecs"),
            (1e-7, "0.1 usecs"),
            (1e-9, "0.001 usecs"),
            (1e10, "115740.0 days 17.0 hrs 46.0 mins 40.0 secs"),
            (1e20, "1.157407407407407e+15 days 9.0 hrs 6.0 mins 8.0 secs"),
            (2.0 * HR / 3.0, "40.0 mins"),
            (3723.0, "1.0 hr 2.0 mins 3.0 secs"),
            (1.0000001, "1.0 sec 0.1 usecs"),
            (59.9999999, "59.0 secs 999.0 msecs 999.9 usecs"),
            (0.9999999 * USEC, "1 usec"),
            // bifs.to_interval
            (
                1234563.140,
                "14.0 days 6.0 hrs 56.0 mins 3.0 secs 139.0 msecs 999.999898 usecs",
            ),
            (
                -1234563.14,
                "-14.0 days -6.0 hrs -56.0 mins -3.0 secs -139.0 msecs -999.999898 usecs",
            ),
            (6.0, "6.0 secs"),
            // core.print-interval
            (1.001 * USEC, "1.001 usecs"),
            (1.001 * USEC * 1000.0, "1.0 msec 1.0 usec"),
            (1.1 * USEC * 10000.0, "11.0 msecs"),
            (8.5 * DAY, "8.0 days 12.0 hrs"),
            (7.5 * HR, "7.0 hrs 30.0 mins"),
            (6.5 * MIN, "6.0 mins 30.0 secs"),
            (5.5, "5.0 secs 500.0 msecs"),
            (4.5 * MSEC, "4.0 msecs 500.0 usecs"),
            (3.5 * USEC, "3.5 usecs"),
            (2.0 * DAY + 2.0, "2.0 days 2.0 secs"),
            (12.0 * -HR, "-12.0 hrs"),
            // render/time: t2 - t3
            (
                1700000000.123456 - 1700000000.0,
                "123.0 msecs 456.001282 usecs",
            ),
        ];
        for &(v, want) in cases {
            assert_eq!(interval(v), want, "{v:e}");
        }
        // core.print-interval: repeated multiplication by 10000.
        let want = [
            ("0.123457 usecs", "-0.123457 usecs"),
            ("1.0 msec 234.567891 usecs", "-1.0 msec -234.567891 usecs"),
            (
                "12.0 secs 345.0 msecs 678.912345 usecs",
                "-12.0 secs -345.0 msecs -678.912345 usecs",
            ),
            (
                "1.0 day 10.0 hrs 17.0 mins 36.0 secs 789.0 msecs 123.449984 usecs",
                "-1.0 day -10.0 hrs -17.0 mins -36.0 secs -789.0 msecs -123.449984 usecs",
            ),
        ];
        let mut p = 0.12345678912345 * USEC;
        let mut n = -p;
        for (wp, wn) in want {
            assert_eq!(interval(p), wp);
            assert_eq!(interval(n), wn);
            p *= 10000.0;
            n *= 10000.0;
        }
    }

    /// render/time.stdout
    #[test]
    fn fmt_date_and_timestamp() {
        let mut out = Vec::new();
        write_fmt_date(&mut out, 1700000000.123456);
        out.push(b'|');
        write_fmt_timestamp(&mut out, 1700000000.123456);
        out.push(b'|');
        write_fmt_date(&mut out, 0.0);
        out.push(b'|');
        write_fmt_timestamp(&mut out, -1.25);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2023-11-14-22:13:20|2023-11-14-22:13:20.123456001|1970-01-01-00:00:00|\
             1969-12-31-23:59:-18446744073709551616.000000000"
        );
    }
}
