//! The JSON side of Broker's WebSocket API (`broker-protocol.md` §6.3–§6.5):
//! `broker::data` in and out of the JSON dialect of CAF's `json_reader` and
//! `json_writer` as Broker 2.5 uses them, the data-message envelope, the
//! subscription array of the handshake, and the ack and error objects.
//!
//! Output is what Broker writes byte for byte: one line, `", "` and `": "`
//! separators, CAF's string escaping (which leaves other control
//! characters raw), reals in `std::to_string` form without trailing zeros,
//! timespans with CAF's unit choice, timestamps as ISO 8601 local time
//! (this runtime's local time is UTC) with milliseconds.
//!
//! Input follows CAF's parser, quirks included: whitespace is space, tab
//! or LF only; no `\uXXXX`; numbers without `.` or exponent are integers;
//! strings keep their escaped form until a value is read. Errors come back
//! as the context text Broker sends in its `error` object.

use crate::data::{Address, Data, Port, Protocol, Subnet};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

/// libbroker's version as the ack reports it.
pub const BROKER_VERSION: &str = "2.5.0";

/// Nesting deeper than this is refused as malformed (CAF would recurse
/// until its stack ends).
pub const MAX_DEPTH: usize = 256;

// ------------------------------------------------------------------ values

/// A parsed JSON value. Strings and keys are the raw text between the
/// quotes, escapes still in place (as CAF keeps them).
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Str(&'a [u8]),
    Array(Vec<Json<'a>>),
    Object(Vec<(&'a [u8], Json<'a>)>),
}

impl<'a> Json<'a> {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "json::null",
            Json::Bool(_) => "json::boolean",
            Json::Int(_) => "json::integer",
            Json::Real(_) => "json::real",
            Json::Str(_) => "json::string",
            Json::Array(_) => "json::array",
            Json::Object(_) => "json::object",
        }
    }

    fn member(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(m) => m.iter().find(|(k, _)| *k == key.as_bytes()).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// CAF's `print_unescaped`: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v`
/// decode, any other escaped character becomes `?`.
pub fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = raw.get(i) else { break };
        i += 1;
        out.push(match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'v' => 11,
            _ => b'?',
        });
    }
    out
}

/// CAF's `print_escaped` into `out`, quotes included.
pub fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            11 => out.extend_from_slice(b"\\v"),
            b'"' => out.extend_from_slice(b"\\\""),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

// ------------------------------------------------------------------ parser

/// A parse error: CAF's `pec` name and the 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub code: &'static str,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "caf::pec::{}({}, {})", self.code, self.line, self.column)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n')
}

impl<'a> Parser<'a> {
    fn fail(&self, code: &'static str) -> ParseError {
        let upto = &self.s[..self.i.min(self.s.len())];
        let line = 1 + upto.iter().filter(|&&c| c == b'\n').count();
        let col_start = upto.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
        ParseError {
            code,
            line,
            column: 1 + self.i - col_start,
        }
    }

    fn unexpected(&self) -> ParseError {
        if self.i >= self.s.len() {
            self.fail("unexpected_eof")
        } else {
            self.fail("unexpected_character")
        }
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && is_ws(self.s[self.i]) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, lit: &[u8]) -> Result<(), ParseError> {
        for &c in lit {
            if self.peek() != Some(c) {
                return Err(self.unexpected());
            }
            self.i += 1;
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.fail("invalid_state"));
        }
        self.skip_ws();
        let v = match self.peek() {
            Some(b'"') => Json::Str(self.string()?),
            Some(b't') => {
                self.eat(b"true")?;
                Json::Bool(true)
            }
            Some(b'f') => {
                self.eat(b"false")?;
                Json::Bool(false)
            }
            Some(b'n') => {
                self.i += 1;
                match self.peek() {
                    Some(b'u') => {
                        self.eat(b"ull")?;
                        Json::Null
                    }
                    Some(b'a') => {
                        self.eat(b"an")?;
                        Json::Real(f64::NAN)
                    }
                    _ => return Err(self.unexpected()),
                }
            }
            Some(b'+' | b'-' | b'.' | b'0'..=b'9') => self.number()?,
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.skip_ws();
                        if self.peek() != Some(b'"') {
                            return Err(self.unexpected());
                        }
                        let k = self.string()?;
                        self.skip_ws();
                        if self.peek() != Some(b':') {
                            return Err(self.unexpected());
                        }
                        self.i += 1;
                        let v = self.value(depth + 1)?;
                        members.push((k, v));
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.unexpected()),
                        }
                    }
                }
                Json::Object(members)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.unexpected()),
                        }
                    }
                }
                Json::Array(items)
            }
            _ => return Err(self.unexpected()),
        };
        self.skip_ws();
        Ok(v)
    }

    /// A string at `"`: the raw bytes between the quotes.
    fn string(&mut self) -> Result<&'a [u8], ParseError> {
        self.i += 1;
        let start = self.i;
        loop {
            match self.peek() {
                None => return Err(self.fail("unexpected_eof")),
                Some(b'"') => {
                    let raw = &self.s[start..self.i];
                    self.i += 1;
                    return Ok(raw);
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.i += 1;
                        }
                        _ => return Err(self.unexpected()),
                    }
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn number(&mut self) -> Result<Json<'a>, ParseError> {
        let start = self.i;
        let neg = match self.peek() {
            Some(b'-') => {
                self.i += 1;
                true
            }
            Some(b'+') => {
                self.i += 1;
                false
            }
            _ => false,
        };
        let digits_start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let int_digits = self.i - digits_start;
        let mut real = false;
        if self.peek() == Some(b'.') {
            real = true;
            self.i += 1;
            let f = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == f && int_digits == 0 {
                return Err(self.unexpected());
            }
        } else if int_digits == 0 {
            return Err(self.unexpected());
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            real = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let e = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == e {
                return Err(self.unexpected());
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        if real {
            let t = text.strip_prefix('+').unwrap_or(text);
            return t
                .parse::<f64>()
                .map(Json::Real)
                .map_err(|_| self.fail("unexpected_character"));
        }
        let digits = &text[digits_start - start..];
        let mut v: i64 = 0;
        for (k, c) in digits.bytes().enumerate() {
            let d = i64::from(c - b'0');
            v = match v.checked_mul(10).and_then(|v| {
                if neg {
                    v.checked_sub(d)
                } else {
                    v.checked_add(d)
                }
            }) {
                Some(v) => v,
                None => {
                    // CAF stops at the digit that does not fit.
                    self.i = digits_start + k;
                    return Err(self.fail(if neg {
                        "integer_underflow"
                    } else {
                        "integer_overflow"
                    }));
                }
            };
        }
        Ok(Json::Int(v))
    }
}

/// Parses one JSON document in CAF's dialect.
pub fn parse(text: &[u8]) -> Result<Json<'_>, ParseError> {
    let mut p = Parser { s: text, i: 0 };
    let v = p.value(0)?;
    if p.i < text.len() {
        return Err(p.fail("trailing_character"));
    }
    Ok(v)
}

// ------------------------------------------------------------------ decoding

/// A CAF `runtime_error` raised by `caf::json_reader` as `to_string` shows
/// it.
fn reader_error(func: &str, field: Option<&str>, msg: &str) -> String {
    let mut out = String::from("caf::sec::runtime_error(\"caf::json_reader\", ");
    let _ = write!(out, "\"{func}\"");
    if let Some(f) = field {
        let _ = write!(out, ", \"{f}\"");
    }
    let _ = write!(
        out,
        ", \"{}\")",
        msg.replace('\\', "\\\\").replace('"', "\\\"")
    );
    out
}

fn clash(func: &str, field: &str, want: &str, got: &Json<'_>) -> String {
    reader_error(
        func,
        Some(field),
        &format!("type clash: expected {want}, got {}", got.kind()),
    )
}

fn conversion_failed(what: &str) -> String {
    format!("caf::sec::conversion_failed(\"{what}\")")
}

/// The value object `obj` (`{"@data-type": …, "data": …}`) as `broker::data`;
/// `path` is the field path CAF reports (`ROOT`, `ROOT.data`, …).
fn decode_value(obj: &Json<'_>, path: &str) -> Result<Data, String> {
    let Json::Object(members) = obj else {
        return Err(clash("begin_object", path, "json::object", obj));
    };
    // CAF's field_type: the first string member named `@data-type`.
    let tname = members.iter().find_map(|(k, v)| match v {
        Json::Str(s) if *k == b"@data-type" => Some(*s),
        _ => None,
    });
    let body = members
        .iter()
        .find(|(k, v)| *k == b"data" && !matches!(v, Json::Null))
        .map(|(_, v)| v);
    let missing = || {
        reader_error(
            "begin_field",
            None,
            &format!("mandatory field '{path}.data' missing"),
        )
    };
    let (Some(tname), Some(body)) = (tname, body) else {
        return Err(missing());
    };
    let field = format!("{path}.data");
    let field = field.as_str();
    let text = |v: &Json<'_>| -> Result<Vec<u8>, String> {
        match v {
            Json::Str(s) => Ok(unescape(s)),
            other => Err(clash("value", field, "json::string", other)),
        }
    };
    Ok(match tname {
        b"none" => match body {
            Json::Object(_) => Data::None,
            other => return Err(clash("begin_object", field, "json::object", other)),
        },
        b"boolean" => match body {
            Json::Bool(b) => Data::Bool(*b),
            other => return Err(clash("value", field, "json::boolean", other)),
        },
        b"count" => match body {
            Json::Int(i) if *i >= 0 => Data::Count(*i as u64),
            Json::Int(_) => return Err(reader_error("value", None, "integer out of bounds")),
            other => return Err(clash("value", field, "json::integer", other)),
        },
        b"integer" => match body {
            Json::Int(i) => Data::Integer(*i),
            other => return Err(clash("value", field, "json::integer", other)),
        },
        b"real" => match body {
            Json::Real(r) => Data::Real(*r),
            other => return Err(clash("value", field, "json::real", other)),
        },
        b"string" => Data::String(text(body)?),
        b"enum-value" => Data::Enum(text(body)?),
        b"address" => {
            let s = text(body)?;
            Data::Address(parse_address(&s).ok_or_else(|| conversion_failed("invalid address"))?)
        }
        b"subnet" => Data::Subnet(
            parse_subnet(&text(body)?).ok_or_else(|| conversion_failed("invalid subnet"))?,
        ),
        b"port" => {
            Data::Port(parse_port(&text(body)?).ok_or_else(|| conversion_failed("invalid port"))?)
        }
        b"timestamp" => Data::Timestamp(
            parse_timestamp(&text(body)?).ok_or_else(|| conversion_failed("invalid timestamp"))?,
        ),
        b"timespan" => Data::Timespan(
            parse_timespan(&text(body)?).ok_or_else(|| conversion_failed("invalid timespan"))?,
        ),
        b"set" | b"vector" => {
            let Json::Array(items) = body else {
                return Err(clash("begin_sequence", field, "json::array", body));
            };
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(decode_value(it, field)?);
            }
            if tname == b"set" {
                Data::Set(out.into_iter().collect::<BTreeSet<_>>())
            } else {
                Data::Vector(out)
            }
        }
        b"table" => {
            let Json::Array(items) = body else {
                return Err(clash("begin_sequence", field, "json::array", body));
            };
            let mut out = BTreeMap::new();
            for it in items {
                let Json::Object(_) = it else {
                    return Err(clash("begin_object", field, "json::object", it));
                };
                let entry_field = |name: &str| {
                    it.member(name).ok_or_else(|| {
                        reader_error(
                            "begin_field",
                            None,
                            &format!("mandatory field '{field}.{name}' missing"),
                        )
                    })
                };
                let k = decode_value(entry_field("key")?, &format!("{field}.key"))?;
                let v = decode_value(entry_field("value")?, &format!("{field}.value"))?;
                if out.insert(k, v).is_some() {
                    return Err(conversion_failed("repeated key"));
                }
            }
            Data::Table(out)
        }
        // No such type (CAF's mapper finds no type ID): the variant field
        // counts as absent.
        _ => return Err(missing()),
    })
}

/// A data message a client sent: `(topic, data)`, or the error context
/// after Broker's `input #N contained … -> ` prefix.
#[derive(Debug, PartialEq)]
pub enum DecodeError {
    /// Not JSON at all (Broker: "contained malformed JSON").
    Malformed(String),
    /// JSON, but not a data message (Broker: "contained invalid data").
    Invalid(String),
}

impl DecodeError {
    /// The `context` of Broker's error object for the client's `n`-th
    /// data message.
    pub fn context(&self, n: u64) -> String {
        match self {
            DecodeError::Malformed(e) => format!("input #{n} contained malformed JSON -> {e}"),
            DecodeError::Invalid(e) => format!("input #{n} contained invalid data -> {e}"),
        }
    }
}

/// Decodes a client's data message (`topic`, `@data-type`, `data`; other
/// keys, `type` included, are ignored).
pub fn decode_message(text: &[u8]) -> Result<(Vec<u8>, Data), DecodeError> {
    let v = parse(text).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    let Json::Object(_) = v else {
        return Err(DecodeError::Invalid(clash(
            "begin_object",
            "ROOT",
            "json::object",
            &v,
        )));
    };
    let topic = match v.member("topic") {
        Some(Json::Str(s)) => unescape(s),
        Some(other) => {
            return Err(DecodeError::Invalid(clash(
                "value",
                "ROOT.topic",
                "json::string",
                other,
            )))
        }
        None => {
            return Err(DecodeError::Invalid(reader_error(
                "begin_field",
                None,
                "mandatory field 'ROOT.topic' missing",
            )))
        }
    };
    let data = decode_value(&v, "ROOT").map_err(DecodeError::Invalid)?;
    Ok((topic, data))
}

/// The handshake's subscription list: a JSON array of strings.
pub fn decode_filter(text: &[u8]) -> Option<Vec<Vec<u8>>> {
    match parse(text).ok()? {
        Json::Array(items) => items
            .iter()
            .map(|i| match i {
                Json::Str(s) => Some(unescape(s)),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

// ------------------------------------------------------------------ text forms

fn parse_address(s: &[u8]) -> Option<Address> {
    let s = std::str::from_utf8(s).ok()?;
    s.parse::<IpAddr>().ok().map(Address::from_ip)
}

fn parse_subnet(s: &[u8]) -> Option<Subnet> {
    let s = std::str::from_utf8(s).ok()?;
    let (a, l) = s.split_once('/')?;
    let addr = a.parse::<IpAddr>().ok().map(Address::from_ip)?;
    let len: u32 = l.parse().ok()?;
    Some(Subnet::new(addr, u8::try_from(len).unwrap_or(u8::MAX)))
}

fn parse_port(s: &[u8]) -> Option<Port> {
    let s = std::str::from_utf8(s).ok()?;
    let (n, p) = s.split_once('/')?;
    let number: u16 = n.parse().ok()?;
    let protocol = match p {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        _ => Protocol::Unknown,
    };
    Some(Port { number, protocol })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (`m` 1..=12).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1..=12, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DDThh:mm:ss.mmm` (local time, here UTC); the fraction is an
/// integer number of milliseconds, as CAF reads it.
fn parse_timestamp(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let y: i64 = d.next()?.parse().ok()?;
    let mo: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    let (hms, frac) = time.split_once('.')?;
    let mut t = hms.splitn(3, ':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let sec: i64 = t.next()?.parse().ok()?;
    if !frac.bytes().all(|c| c.is_ascii_digit()) || frac.is_empty() {
        return None;
    }
    let ms: i64 = frac.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&day) {
        return None;
    }
    let secs = days_from_civil(y, mo, day) * 86_400 + h * 3600 + mi * 60 + sec;
    secs.checked_mul(1_000_000_000)?
        .checked_add(ms.checked_mul(1_000_000)?)
}

/// `<number><unit>`, unit `h`, `min`, `s`, `ms`, `us` or `ns`.
fn parse_timespan(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let scale: f64 = match unit {
        "h" => 3_600e9,
        "min" => 60e9,
        "s" => 1e9,
        "ms" => 1e6,
        "us" => 1e3,
        "ns" => 1.0,
        _ => return None,
    };
    // CAF reads a double and converts with duration_cast (truncating).
    let f: f64 = num.parse().ok()?;
    let ns = f * scale;
    if !ns.is_finite() || ns.abs() > 9.2e18 {
        return None;
    }
    Some(ns as i64)
}

/// CAF's `print(double)`: `std::to_string`, trailing zeros and a trailing
/// dot removed.
pub fn real_text(x: f64) -> String {
    let mut s = crate::data::std_to_string_double(x);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// CAF's `print(duration)`.
pub fn timespan_text(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let x = ns as f64;
    for (div, unit) in [
        (3_600e9, "h"),
        (60e9, "min"),
        (1e9, "s"),
        (1e6, "ms"),
        (1e3, "us"),
    ] {
        let v = x / div;
        if v >= 1.0 {
            return format!("{}{unit}", real_text(v));
        }
    }
    format!("{ns}ns")
}

/// CAF's `print(time_point)`: `%FT%T` of local time (UTC here) and the
/// milliseconds.
pub fn timestamp_text(ns: i64) -> String {
    // duration_cast toward zero, as C++ does.
    let secs = ns / 1_000_000_000;
    let ms = (ns / 1_000_000) % 1000;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let ms = if ms > 0 { ms } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// ------------------------------------------------------------------ encoding

/// The JSON name of a value's type.
pub fn type_name(d: &Data) -> &'static str {
    match d {
        Data::None => "none",
        Data::Bool(_) => "boolean",
        Data::Count(_) => "count",
        Data::Integer(_) => "integer",
        Data::Real(_) => "real",
        Data::String(_) => "string",
        Data::Address(_) => "address",
        Data::Subnet(_) => "subnet",
        Data::Port(_) => "port",
        Data::Timestamp(_) => "timestamp",
        Data::Timespan(_) => "timespan",
        Data::Enum(_) => "enum-value",
        Data::Set(_) => "set",
        Data::Table(_) => "table",
        Data::Vector(_) => "vector",
    }
}

fn write_typed(out: &mut Vec<u8>, d: &Data) {
    out.extend_from_slice(b"{\"@data-type\": \"");
    out.extend_from_slice(type_name(d).as_bytes());
    out.extend_from_slice(b"\", \"data\": ");
    write_body(out, d);
    out.push(b'}');
}

fn write_body(out: &mut Vec<u8>, d: &Data) {
    match d {
        Data::None => out.extend_from_slice(b"{}"),
        Data::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Data::Count(c) => out.extend_from_slice(c.to_string().as_bytes()),
        Data::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Data::Real(r) => out.extend_from_slice(real_text(*r).as_bytes()),
        Data::String(s) | Data::Enum(s) => escape_into(out, s),
        Data::Address(a) => escape_into(out, a.to_string().as_bytes()),
        Data::Subnet(s) => escape_into(out, s.to_string().as_bytes()),
        Data::Port(p) => escape_into(out, p.to_string().as_bytes()),
        Data::Timestamp(ns) => escape_into(out, timestamp_text(*ns).as_bytes()),
        Data::Timespan(ns) => escape_into(out, timespan_text(*ns).as_bytes()),
        Data::Set(s) => write_list(out, s.iter()),
        Data::Vector(v) => write_list(out, v.iter()),
        Data::Table(t) => {
            out.push(b'[');
            for (i, (k, v)) in t.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.extend_from_slice(b"{\"key\": ");
                write_typed(out, k);
                out.extend_from_slice(b", \"value\": ");
                write_typed(out, v);
                out.push(b'}');
            }
            out.push(b']');
        }
    }
}

fn write_list<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a Data>) {
    out.push(b'[');
    for (i, d) in items.enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        write_typed(out, d);
    }
    out.push(b']');
}

/// A value object `{"@data-type": …, "data": …}`.
pub fn encode_value(d: &Data) -> Vec<u8> {
    let mut out = Vec::new();
    write_typed(&mut out, d);
    out
}

/// A data message as Broker sends it to clients.
pub fn encode_message(topic: &[u8], d: &Data) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + topic.len());
    out.extend_from_slice(b"{\"type\": \"data-message\", \"topic\": ");
    escape_into(&mut out, topic);
    out.extend_from_slice(b", \"@data-type\": \"");
    out.extend_from_slice(type_name(d).as_bytes());
    out.extend_from_slice(b"\", \"data\": ");
    write_body(&mut out, d);
    out.push(b'}');
    out
}

/// The handshake's ack.
pub fn render_ack(endpoint: &str) -> Vec<u8> {
    let mut out = b"{\"type\": \"ack\", \"endpoint\": ".to_vec();
    escape_into(&mut out, endpoint.as_bytes());
    out.extend_from_slice(b", \"version\": ");
    escape_into(&mut out, BROKER_VERSION.as_bytes());
    out.push(b'}');
    out
}

/// An error object (`code` is a `broker::ec` name).
pub fn render_error(code: &str, context: &str) -> Vec<u8> {
    let mut out = b"{\"type\": \"error\", \"code\": ".to_vec();
    escape_into(&mut out, code.as_bytes());
    out.extend_from_slice(b", \"context\": ");
    escape_into(&mut out, context.as_bytes());
    out.push(b'}');
    out
}
