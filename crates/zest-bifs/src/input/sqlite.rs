//! The SQLite reader (`input/readers/sqlite/SQLite.cc`): the rows of a
//! query (`$config["query"]`) on the database `SOURCE.sqlite`, one field
//! per column of the same name.

use super::backend::{Ctx, Mode, Reader};
use super::formatter::{parse_addr, parse_proto, parse_value, Separators};
use super::value::{Data, Field, Val};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use zest_runtime::types::Tag;

/// The separators the reader parses sets and vectors with.
#[derive(Clone, Debug)]
pub struct SqliteConsts {
    pub set_separator: Vec<u8>,
    pub unset_field: Vec<u8>,
    pub empty_field: Vec<u8>,
}

pub struct Sqlite {
    seps: Separators,
    db: Option<Connection>,
    query: String,
}

/// SQLite's text of a floating-point value (`%!.15g`).
pub fn real_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return "0.0".into();
    }
    let e = format!("{f:.14e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s.to_owned()
        }
    };
    let mut out = if !(-4..15).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mant), exp.abs())
    } else {
        let decimals = (14 - exp).max(0) as usize;
        trim(&format!("{f:.decimals$}"))
    };
    if !out.contains('.') && !out.contains('e') {
        out.push_str(".0");
    } else if let Some(i) = out.find('e') {
        if !out[..i].contains('.') {
            out.insert_str(i, ".0");
        }
    }
    out
}

/// `sqlite3_column_text`.
fn text(v: &ValueRef<'_>) -> Vec<u8> {
    match v {
        ValueRef::Null => Vec::new(),
        ValueRef::Integer(i) => i.to_string().into_bytes(),
        ValueRef::Real(f) => real_text(*f).into_bytes(),
        ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
    }
}

/// `sqlite3_column_double`.
fn double(v: &ValueRef<'_>) -> f64 {
    match v {
        ValueRef::Null => 0.0,
        ValueRef::Integer(i) => *i as f64,
        ValueRef::Real(f) => *f,
        ValueRef::Text(t) | ValueRef::Blob(t) => super::formatter::strtod(t).value,
    }
}

/// `sqlite3_column_int64`.
fn int64(v: &ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => *i,
        ValueRef::Real(f) => *f as i64,
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let d = super::formatter::strtod(t);
            let i = super::formatter::strtoll(t);
            if d.end > i.end {
                d.value as i64
            } else {
                i.value
            }
        }
    }
}

impl Sqlite {
    pub fn new(c: SqliteConsts) -> Sqlite {
        Sqlite {
            seps: Separators {
                separator: Vec::new(),
                set_separator: c.set_separator,
                unset_field: c.unset_field,
                empty_field: c.empty_field,
            },
            db: None,
            query: String::new(),
        }
    }

    /// `SQLite::EntryToVal`: one column of a row.
    fn entry_to_val(
        &self,
        ctx: &mut Ctx,
        field: &Field,
        v: &ValueRef<'_>,
        sub: Option<&ValueRef<'_>>,
    ) -> Option<Val> {
        if matches!(v, ValueRef::Null) {
            let mut u = Val::unset(field.ty);
            u.subtype = field.subtype;
            return Some(u);
        }
        let data = match field.ty {
            Tag::Enum | Tag::String => Data::Bytes(text(v)),
            Tag::Bool => {
                let ValueRef::Integer(i) = v else {
                    ctx.error("Invalid data type for boolean - expected Integer");
                    return None;
                };
                let res = *i as i32;
                if res == 0 || res == 1 {
                    Data::Int(i64::from(res))
                } else {
                    ctx.error(&format!("Invalid value for boolean: {res}"));
                    return None;
                }
            }
            Tag::Int => Data::Int(int64(v)),
            Tag::Double | Tag::Time | Tag::Interval => Data::Double(double(v)),
            Tag::Count => Data::Count(int64(v) as u64),
            Tag::Port => {
                let port = i64::from(int64(v) as i32) as u64;
                let mut proto = zest_runtime::value::Proto::Unknown;
                if let Some(s) = sub {
                    if matches!(s, ValueRef::Null) {
                        ctx.error("Port protocol definition did not contain text");
                    } else {
                        proto = parse_proto(ctx, &text(s));
                    }
                }
                Data::Port(port, proto)
            }
            Tag::Subnet => {
                let s = text(v);
                let slash = s.iter().position(|&c| c == b'/');
                let width_text = match slash {
                    Some(p) => &s[p + 1..],
                    None => &s[..],
                };
                let width = super::formatter::strtol(width_text).value as i32 as u8;
                let addr = match slash {
                    Some(p) => &s[..p],
                    None => &s[..],
                };
                Data::Subnet(parse_addr(ctx, addr), width)
            }
            Tag::Addr => Data::Addr(parse_addr(ctx, &text(v))),
            Tag::Table | Tag::Vector => {
                return parse_value(ctx, &self.seps, &text(v), "", field.ty, field.subtype);
            }
            other => {
                ctx.error(&format!(
                    "unsupported field format {}",
                    super::manager::tag_number(other)
                ));
                return None;
            }
        };
        Some(Val::new(field.ty, data))
    }

    /// `checkError`: the message is `sqlite3_errmsg`'s.
    fn check(ctx: &mut Ctx, e: &rusqlite::Error) {
        let msg = match e {
            rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
            rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
            rusqlite::Error::SqliteFailure(f, None) => f.to_string(),
            other => other.to_string(),
        };
        ctx.error(&format!("SQLite call failed: {msg}"));
    }
}

impl Reader for Sqlite {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool {
        if ctx.mode() != Mode::Manual {
            ctx.error("SQLite only supports manual reading mode.");
            return false;
        }
        let mut fullpath = ctx.info.source_str();
        fullpath.push_str(".sqlite");
        let Some(query) = ctx.info.config("query") else {
            ctx.error(&format!(
                "No query specified when setting up SQLite data source {}. Aborting.",
                ctx.info.source_str()
            ));
            return false;
        };
        self.query = String::from_utf8_lossy(query).into_owned();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = match Connection::open_with_flags(&fullpath, flags) {
            Ok(db) => db,
            Err(e) => {
                Self::check(ctx, &e);
                return false;
            }
        };
        if let Err(e) = db.prepare(&self.query) {
            Self::check(ctx, &e);
            return false;
        }
        self.db = Some(db);
        self.do_update(ctx);
        true
    }

    fn do_update(&mut self, ctx: &mut Ctx) -> bool {
        let Some(db) = self.db.as_ref() else {
            return false;
        };
        let mut st = match db.prepare(&self.query) {
            Ok(st) => st,
            Err(e) => {
                Self::check(ctx, &e);
                return false;
            }
        };
        let fields = ctx.fields.clone();
        let n = fields.len();
        let mut mapping: Vec<Option<usize>> = vec![None; n];
        let mut submapping: Vec<Option<usize>> = vec![None; n];
        for i in 0..st.column_count() {
            let name = st.column_name(i).unwrap_or("").to_owned();
            for (j, f) in fields.iter().enumerate() {
                if f.name == name {
                    if mapping[j].is_some() {
                        ctx.error(&format!("SQLite statement returns several columns with name {name}! Cannot decide which to choose, aborting"));
                        return false;
                    }
                    mapping[j] = Some(i);
                }
                if f.secondary_name.as_deref() == Some(name.as_str()) {
                    if submapping[j].is_some() {
                        ctx.error(&format!("SQLite statement returns several columns with name {name}! Cannot decide which to choose, aborting"));
                        return false;
                    }
                    submapping[j] = Some(i);
                }
            }
        }
        for (i, m) in mapping.iter().enumerate() {
            if m.is_none() {
                ctx.error(&format!(
                    "Required field {} not found after SQLite statement",
                    fields[i].name
                ));
                return false;
            }
        }
        let mut rows = st.raw_query();
        loop {
            let row = match rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    Self::check(ctx, &e);
                    return false;
                }
            };
            let mut vals = Vec::with_capacity(n);
            for (j, f) in fields.iter().enumerate() {
                let Some(col) = mapping[j] else { return false };
                let v = row.get_ref(col).unwrap_or(ValueRef::Null);
                let sub = submapping[j].map(|c| row.get_ref(c).unwrap_or(ValueRef::Null));
                match self.entry_to_val(ctx, f, &v, sub.as_ref()) {
                    Some(x) => vals.push(x),
                    None => return false,
                }
            }
            ctx.send_entry(vals);
        }
        ctx.end_current_send();
        true
    }

    fn do_heartbeat(&mut self, _ctx: &mut Ctx, _nt: f64, _ct: f64) -> bool {
        true
    }

    fn do_close(&mut self, _ctx: &mut Ctx) {
        self.db = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's rendering of reals (`%!.15g`), as sqlite3 3.40 shows it for
    /// `SELECT CAST(x AS TEXT)`.
    #[test]
    #[allow(clippy::approx_constant, clippy::excessive_precision)]
    fn real_texts() {
        assert_eq!(real_text(3.14), "3.14");
        assert_eq!(real_text(100.0), "100.0");
        assert_eq!(real_text(1.358_376_849_393_853_9e9), "1358376849.39385");
        assert_eq!(real_text(1e20), "1.0e+20");
        assert_eq!(real_text(0.0001), "0.0001");
        assert_eq!(real_text(1e-5), "1.0e-05");
        assert_eq!(real_text(123_456_789_012_345_678.0), "1.23456789012346e+17");
    }
}
