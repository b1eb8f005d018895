//! The `fmt()` built-in's format interpreter (`src/zeek.bif: fmt, next_fmt, do_fmt`) and the
//! parse-time check of constant format strings (`src/Func.cc: check_built_in_call`).
//!
//! The BiF converts its arguments to [`FmtArg`]s and calls [`fmt`], which appends the result and
//! returns the errors in the order Zeek reports them. Zeek's quirks are kept: a directive is
//! `%[-][0][width][.prec]conv` with `conv` one of `D T d x s e f g`; its text is padded with
//! spaces to the width *after* conversion (the left padding counts bytes only up to the first NUL,
//! like C `strlen`); a width or precision above 128 abandons the directive without consuming
//! its letter, which then shows as literal text; errors leave the text produced so far, except
//! too few / too many arguments, which empty the whole result.

use std::net::IpAddr;

use super::net::{self, Proto};
use super::num::{write_bool, write_count, write_double, write_int};
use super::printf::{self, FloatConv, PrintfSpec};
use super::string::STRING_WITH_NUL;
use super::time::{write_fmt_date, write_fmt_timestamp, write_interval};

/// One argument of `fmt`, classified the way `do_fmt` looks at it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FmtArg<'a> {
    /// `bool`: `%d` → 0/1, `%s` → `T`/`F`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `count`.
    Count(u64),
    /// `enum`: its integer for `%d`/`%x`, its name (`None` = `<undefined>`) for `%s`.
    Enum { value: i64, name: Option<&'a [u8]> },
    /// `port`: the number for `%d`/`%x`, `80/tcp` for `%s`.
    Port { number: u32, proto: Proto },
    /// `double`.
    Double(f64),
    /// `time` (the only type `%D`/`%T` accept).
    Time(f64),
    /// `interval` (seconds).
    Interval(f64),
    /// `string`: copied raw by `%s`.
    Str(&'a [u8]),
    /// `addr`: `%x` gives its hex digits, `%d` is a type error.
    Addr(IpAddr),
    /// `subnet` (network address and width, as for [`net::write_subnet`]). Zeek accepts it for
    /// `%d`/`%x` but has no integer for it: it prints 0 with an internal warning.
    Subnet(IpAddr, u8),
    /// Any other value (record, table, set, vector, pattern, function, file, opaque, type):
    /// its raw-style rendering as `fmt("%s")` / `cat` produce it. Only `%s` accepts it.
    Other(&'a [u8]),
}

impl FmtArg<'_> {
    /// Appends the raw-style rendering (`ODesc` with `RAW_STYLE`), i.e. what `%s` produces.
    pub fn write_raw(&self, out: &mut Vec<u8>) {
        match *self {
            FmtArg::Bool(b) => write_bool(out, b),
            FmtArg::Int(i) => write_int(out, i),
            FmtArg::Count(c) => write_count(out, c),
            FmtArg::Enum { name, .. } => super::string::write_enum(out, name),
            FmtArg::Port { number, proto } => net::write_port(out, number, proto),
            FmtArg::Double(d) | FmtArg::Time(d) => write_double(out, d),
            FmtArg::Interval(d) => write_interval(out, d),
            FmtArg::Str(s) | FmtArg::Other(s) => out.extend_from_slice(s),
            FmtArg::Addr(a) => net::write_addr(out, a),
            FmtArg::Subnet(a, len) => net::write_subnet(out, a, len),
        }
    }
}

/// The errors `fmt` can report; [`FmtErrorKind::message`] is Zeek's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmtErrorKind {
    /// `%d`/`%x` on a type other than bool, enum, int, count, port, subnet (or addr for `%x`).
    BadTypeForDX,
    /// `%e`/`%f`/`%g` on a type other than double, time, interval.
    BadTypeForFloat,
    /// `%D`/`%T` on a non-time.
    BadTypeForDateTime,
    /// A precision on a directive other than `e f g` (reported, then the directive runs).
    PrecisionNonFloat,
    /// Width or precision above 128: the directive is abandoned.
    ExcessiveWidth,
    /// An unknown conversion letter (or none at the end of the string).
    BadFormat,
    /// More directives than arguments (the result is empty).
    TooFewArguments,
    /// More arguments than directives (the result is empty).
    TooManyArguments,
    /// The format string holds a NUL byte: `String::CheckString()` reports it (a plain
    /// `reporter->Error`, text from [`super::string::write_embedded_nul_message`]) and `fmt`
    /// continues with the format `<string-with-NUL>`.
    EmbeddedNul,
    /// `%d`/`%x` of a subnet: `Val::CoerceToInt` emits an *internal warning* and yields 0
    /// (from the upstream source; not observed).
    CoerceToIntWarning,
}

impl FmtErrorKind {
    /// Zeek's message text (without the `(call and value)` context the reporter appends).
    pub fn message(self) -> &'static str {
        match self {
            FmtErrorKind::BadTypeForDX => "bad type for %d/%x format",
            FmtErrorKind::BadTypeForFloat => "bad type for floating-point format",
            FmtErrorKind::BadTypeForDateTime => "bad type for Date/Time format",
            FmtErrorKind::PrecisionNonFloat => "precision specified for non-floating point",
            FmtErrorKind::ExcessiveWidth => "excessive field width or precision",
            FmtErrorKind::BadFormat => "bad format",
            FmtErrorKind::TooFewArguments => "too few arguments for format",
            FmtErrorKind::TooManyArguments => "too many arguments for format",
            FmtErrorKind::EmbeddedNul => "string with embedded NUL",
            FmtErrorKind::CoerceToIntWarning => "bad request for CoerceToInt",
        }
    }
}

/// Which value Zeek's `emit_builtin_error(msg, v)` names after the call (`… (fmt(fs, 1.5) and
/// 1.5)`): none, the format string, or an argument (index into `args`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmtCulprit {
    /// `msg (fmt(...))`.
    None,
    /// `msg (fmt(...) and <format string>)`.
    Format,
    /// `msg (fmt(...) and <args[i]>)`.
    Arg(usize),
}

/// One error of a `fmt` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FmtError {
    /// What went wrong.
    pub kind: FmtErrorKind,
    /// Which value the message names.
    pub culprit: FmtCulprit,
}

impl FmtError {
    fn new(kind: FmtErrorKind, culprit: FmtCulprit) -> FmtError {
        FmtError { kind, culprit }
    }
}

/// Runs `fmt(format, args...)`: appends the result to `out` and returns the errors in the
/// order Zeek emits them. On too few or too many arguments nothing is appended. (A call with
/// no argument at all, not even a format, is the BiF's business: it returns `""` silently.)
pub fn fmt(out: &mut Vec<u8>, format: &[u8], args: &[FmtArg<'_>]) -> Vec<FmtError> {
    let mut errors = Vec::new();
    let format = if format.contains(&0) {
        errors.push(FmtError::new(FmtErrorKind::EmbeddedNul, FmtCulprit::Format));
        STRING_WITH_NUL
    } else {
        format
    };
    let start = out.len();
    let mut pos = 0;
    let mut n = 0; // directives started, as `next_fmt` counts them
    loop {
        let Some(p) = format[pos..]
            .iter()
            .position(|&b| b == b'%')
            .map(|p| p + pos)
        else {
            out.extend_from_slice(&format[pos..]);
            break;
        };
        out.extend_from_slice(&format[pos..p]);
        pos = p + 1;
        if format.get(pos) == Some(&b'%') {
            out.push(b'%');
            pos += 1;
            continue;
        }
        n += 1;
        if n > args.len() {
            break;
        }
        do_directive(out, format, &mut pos, &args[n - 1], n - 1, &mut errors);
        if pos >= format.len() {
            break;
        }
    }
    if n < args.len() {
        errors.push(FmtError::new(
            FmtErrorKind::TooManyArguments,
            FmtCulprit::Format,
        ));
        out.truncate(start);
    } else if n > args.len() {
        errors.push(FmtError::new(
            FmtErrorKind::TooFewArguments,
            FmtCulprit::Format,
        ));
        out.truncate(start);
    }
    errors
}

/// `parse_int`: decimal digits into a 64-bit accumulator (wrapping like the C code does in
/// practice), then narrowed to C `int`.
fn parse_int(format: &[u8], pos: &mut usize) -> i32 {
    let mut k: i64 = 0;
    while let Some(&d @ b'0'..=b'9') = format.get(*pos) {
        k = k.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
        *pos += 1;
    }
    k as i32
}

/// `do_fmt`: one directive starting after its `%`; leaves `pos` after its letter (or on the
/// letter when the directive is abandoned for an excessive width).
fn do_directive(
    out: &mut Vec<u8>,
    format: &[u8],
    pos: &mut usize,
    arg: &FmtArg<'_>,
    index: usize,
    errors: &mut Vec<FmtError>,
) {
    let at = |p: usize| format.get(p).copied().unwrap_or(0);
    let mut left = false;
    let mut zero = false;
    let mut width: i32 = -1;
    if at(*pos) == b'-' {
        left = true;
        *pos += 1;
    }
    if at(*pos).is_ascii_digit() {
        if at(*pos) == b'0' {
            zero = true;
            *pos += 1;
        }
        width = parse_int(format, pos);
    }
    let mut precision: i32 = -1;
    if at(*pos) == b'.' {
        *pos += 1;
        precision = parse_int(format, pos);
    }
    if width > 128 || precision > 128 {
        errors.push(FmtError::new(
            FmtErrorKind::ExcessiveWidth,
            FmtCulprit::None,
        ));
        return;
    }
    // The C conversion spec do_fmt builds: '-' wins over '0'; negative values are dropped.
    let spec = PrintfSpec {
        left,
        zero: zero && !left,
        width: usize::try_from(width).unwrap_or(0),
        precision: usize::try_from(precision).ok(),
    };
    let conv = at(*pos);
    if precision >= 0 && !matches!(conv, b'e' | b'f' | b'g') {
        errors.push(FmtError::new(
            FmtErrorKind::PrecisionNonFloat,
            FmtCulprit::None,
        ));
    }
    let culprit = FmtCulprit::Arg(index);
    let s_start = out.len();
    match conv {
        b'D' | b'T' => match *arg {
            FmtArg::Time(t) if conv == b'D' => write_fmt_date(out, t),
            FmtArg::Time(t) => write_fmt_timestamp(out, t),
            _ => errors.push(FmtError::new(FmtErrorKind::BadTypeForDateTime, culprit)),
        },
        b'd' | b'x' => {
            let hex = conv == b'x';
            let write_u = |out: &mut Vec<u8>, u: u64| {
                if hex {
                    printf::write_hex(out, u, &spec);
                } else {
                    printf::write_unsigned(out, u, &spec);
                }
            };
            let write_i = |out: &mut Vec<u8>, i: i64| {
                if hex {
                    printf::write_hex(out, i as u64, &spec);
                } else {
                    printf::write_signed(out, i, &spec);
                }
            };
            match *arg {
                FmtArg::Addr(a) if hex => net::write_addr_hex(out, a),
                FmtArg::Count(c) => write_u(out, c),
                FmtArg::Port { number, .. } => write_u(out, u64::from(number)),
                FmtArg::Int(i) | FmtArg::Enum { value: i, .. } => write_i(out, i),
                FmtArg::Bool(b) => write_i(out, i64::from(b)),
                FmtArg::Subnet(..) => {
                    errors.push(FmtError::new(FmtErrorKind::CoerceToIntWarning, culprit));
                    write_i(out, 0);
                }
                _ => errors.push(FmtError::new(FmtErrorKind::BadTypeForDX, culprit)),
            }
        }
        b's' => arg.write_raw(out),
        b'e' | b'f' | b'g' => {
            let conv = match conv {
                b'e' => FloatConv::E,
                b'f' => FloatConv::F,
                _ => FloatConv::G,
            };
            match *arg {
                FmtArg::Double(v) | FmtArg::Time(v) | FmtArg::Interval(v) => {
                    printf::write_float(out, v, conv, &spec)
                }
                _ => errors.push(FmtError::new(FmtErrorKind::BadTypeForFloat, culprit)),
            }
        }
        _ => errors.push(FmtError::new(FmtErrorKind::BadFormat, FmtCulprit::None)),
    }
    // Zeek's own padding of the converted text; C already padded numbers to the width.
    if width > 0 {
        let width = width.unsigned_abs() as usize;
        if left {
            let len = out.len() - s_start;
            out.resize(out.len() + width.saturating_sub(len), b' ');
        } else {
            let c_len = out[s_start..]
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(out.len() - s_start);
            let n = width.saturating_sub(c_len);
            out.splice(s_start..s_start, std::iter::repeat_n(b' ', n));
        }
    }
    // Past the letter; at the end of the string Zeek reads beyond it (treated as the end).
    *pos += 1;
}

/// Parse-time errors of a `fmt` call whose format string is a constant
/// (`src/Func.cc: check_built_in_call`); each makes the script fail to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstantFormatError {
    /// `format string ends with bare '%'`.
    BareTrailingPercent,
    /// `mismatch between format string to util::fmt() and number of arguments passed`.
    ArgumentCountMismatch,
}

impl ConstantFormatError {
    /// Zeek's message text.
    pub fn message(self) -> &'static str {
        match self {
            ConstantFormatError::BareTrailingPercent => "format string ends with bare '%'",
            ConstantFormatError::ArgumentCountMismatch => {
                "mismatch between format string to util::fmt() and number of arguments passed"
            }
        }
    }
}

/// Checks a constant format string against the number of arguments after it: every `%`
/// followed by anything but `%` counts as one directive and skips that character. A format
/// with a NUL byte is checked as `<string-with-NUL>` (after `CheckString`'s own error).
pub fn check_constant_format(format: &[u8], nargs: usize) -> Result<(), ConstantFormatError> {
    let format = if format.contains(&0) {
        STRING_WITH_NUL
    } else {
        format
    };
    let mut directives = 0;
    let mut it = format.iter();
    while let Some(&b) = it.next() {
        if b != b'%' {
            continue;
        }
        match it.next() {
            None => return Err(ConstantFormatError::BareTrailingPercent),
            Some(b'%') => {}
            Some(_) => directives += 1,
        }
    }
    if directives == nargs {
        Ok(())
    } else {
        Err(ConstantFormatError::ArgumentCountMismatch)
    }
}

#[cfg(test)]
mod tests;
