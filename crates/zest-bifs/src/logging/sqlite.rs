//! The SQLite writer (`Log::WRITER_SQLITE`): one row per write into the
//! table `$config["tablename"]` (else the path) of the database
//! `Log::default_logdir/PATH.sqlite`, created with one column per field.
//!
//! Types map as Zeek's do: `bool`, `int`, `count` and `port` (its number)
//! to `integer` (bound as a 32-bit int, as `sqlite3_bind_int` does),
//! `addr` and `subnet` to `text`, `time`, `interval` and `double` to
//! `double precision`, `string`, `enum`, `file` and `func` to `text`
//! (NULL when empty), sets and vectors to `text`: their elements as the
//! ASCII formatter describes them, joined by `LogSQLite::set_separator`,
//! or `LogSQLite::empty_field` when there are none. Unset values are NULL.
//!
//! Upstream: `src/logging/writers/sqlite/SQLite.cc`.

use super::ascii::{describe_ascii, AsciiOptions, Desc};
use super::value::{LogData, LogField, LogValue};
use super::writer::{BackendMsg, Outbox, Writer, WriterInfo};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use zest_runtime::render;
use zest_runtime::types::Tag;

/// The `LogSQLite::*` constants and `Log::default_logdir`.
#[derive(Clone, Debug, Default)]
pub struct SqliteOptions {
    pub set_separator: Vec<u8>,
    pub unset_field: Vec<u8>,
    pub empty_field: Vec<u8>,
    pub logdir: Vec<u8>,
}

pub struct Sqlite {
    /// The formatter's separators (`SeparatorInfo("", set_separator,
    /// unset_field, empty_field)`).
    fmt: AsciiOptions,
    logdir: Vec<u8>,
    db: Option<Connection>,
    insert: String,
}

impl Sqlite {
    pub fn new(o: SqliteOptions) -> Sqlite {
        let fmt = AsciiOptions {
            set_separator: o.set_separator,
            unset_field: o.unset_field,
            empty_field: o.empty_field,
            ..AsciiOptions::default()
        };
        Sqlite {
            fmt,
            logdir: o.logdir,
            db: None,
            insert: String::new(),
        }
    }

    /// `checkError`: reports a failed call with SQLite's message.
    fn call_failed(out: &mut Outbox, e: &rusqlite::Error) {
        out.push(BackendMsg::Error(format!(
            "SQLite call failed: {}",
            errmsg(e)
        )));
    }

    /// A set's or vector's text: its elements described and joined.
    fn container_text(&self, v: &LogValue) -> Vec<u8> {
        let mut desc = Desc {
            escape: true,
            ..Desc::default()
        };
        describe_ascii(&mut desc, &self.fmt, v);
        desc.buf
    }

    /// `AddParams`: the value bound for one field.
    fn param<'a>(&self, v: &'a LogValue) -> ToSqlOutput<'a> {
        let Some(data) = &v.data else {
            return ToSqlOutput::Owned(SqlValue::Null);
        };
        let int = |i: i64| ToSqlOutput::Owned(SqlValue::Integer(i64::from(i as i32)));
        match data {
            LogData::Int(i) if v.ty == Tag::Bool => int(i64::from(*i != 0)),
            LogData::Int(i) => int(*i),
            LogData::Count(c) => int(*c as i64),
            LogData::Port(p, _) => int(i64::from(*p)),
            LogData::Subnet(a, len) => {
                let mut s = Vec::new();
                render::write_subnet(&mut s, *a, *len);
                ToSqlOutput::Owned(SqlValue::Text(String::from_utf8_lossy(&s).into_owned()))
            }
            LogData::Addr(a) => {
                let mut s = Vec::new();
                render::write_addr(&mut s, *a);
                ToSqlOutput::Owned(SqlValue::Text(String::from_utf8_lossy(&s).into_owned()))
            }
            LogData::Double(d) => ToSqlOutput::Owned(SqlValue::Real(*d)),
            LogData::Str(s) if s.is_empty() => ToSqlOutput::Owned(SqlValue::Null),
            LogData::Str(s) => ToSqlOutput::Borrowed(ValueRef::Text(s)),
            LogData::Set(_) | LogData::Vector(_) => ToSqlOutput::Owned(SqlValue::Text(
                String::from_utf8_lossy(&self.container_text(v)).into_owned(),
            )),
        }
    }
}

/// `sqlite3_errmsg` of a failed call.
fn errmsg(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        rusqlite::Error::SqliteFailure(err, None) => err.to_string(),
        other => other.to_string(),
    }
}

/// `sqlite3_mprintf("%Q", s)`: single-quoted, quotes doubled.
fn quoted(s: &[u8]) -> String {
    let mut q = String::from("'");
    q.push_str(&String::from_utf8_lossy(s).replace('\'', "''"));
    q.push('\'');
    q
}

/// `GetTableType`.
fn table_type(t: Tag) -> Option<&'static str> {
    Some(match t {
        Tag::Bool => "boolean",
        Tag::Int | Tag::Count | Tag::Port => "integer",
        Tag::Subnet | Tag::Addr => "text",
        Tag::Time | Tag::Interval | Tag::Double => "double precision",
        Tag::Enum | Tag::String | Tag::File | Tag::Func => "text",
        Tag::Table | Tag::Vector => "text",
        _ => return None,
    })
}

/// `std::filesystem::path(dir) / name`.
fn join_path(dir: &[u8], name: &[u8]) -> Vec<u8> {
    if dir.is_empty() || name.first() == Some(&b'/') {
        return name.to_vec();
    }
    let mut p = dir.to_vec();
    if !p.ends_with(b"/") {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

impl Writer for Sqlite {
    fn init(&mut self, info: &WriterInfo, fields: &[LogField], out: &mut Outbox) -> bool {
        let mut path = join_path(&self.logdir, &info.path);
        path.extend_from_slice(b".sqlite");
        let tablename = match info.config.get(&b"tablename"[..]) {
            Some(t) => String::from_utf8_lossy(t).into_owned(),
            None => {
                let p = String::from_utf8_lossy(&info.path).into_owned();
                out.push(BackendMsg::Info(format!(
                    "tablename configuration option not found. Defaulting to path {p}"
                )));
                p
            }
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = match Connection::open_with_flags(String::from_utf8_lossy(&path).as_ref(), flags) {
            Ok(db) => db,
            Err(e) => {
                Sqlite::call_failed(out, &e);
                return false;
            }
        };
        // Writers of one database run on threads of their own: one waits
        // for another's write to finish instead of failing with "database
        // is locked" (Zeek shares the connections' cache for that).
        let _ = db.busy_timeout(std::time::Duration::from_secs(10));
        let mut create = format!("CREATE TABLE IF NOT EXISTS {tablename} (\n");
        for (i, f) in fields.iter().enumerate() {
            if i != 0 {
                create.push_str(",\n");
            }
            create.push_str(&quoted(&f.name));
            let Some(ty) = table_type(f.ty) else {
                out.push(BackendMsg::Error(format!(
                    "unsupported field format {} ",
                    f.ty as i32
                )));
                return false;
            };
            create.push(' ');
            create.push_str(ty);
        }
        create.push_str("\n);");
        if let Err(e) = db.execute_batch(&create) {
            out.push(BackendMsg::Error(format!(
                "Error executing table creation statement: {}",
                errmsg(&e)
            )));
            return false;
        }
        let mut names = format!("INSERT INTO {tablename} ( ");
        let mut values = String::from("VALUES (");
        for (i, f) in fields.iter().enumerate() {
            if i != 0 {
                names.push_str(", ");
                values.push_str(", ");
            }
            values.push('?');
            names.push_str(&quoted(&f.name));
        }
        values.push_str(");");
        names.push_str(") ");
        self.insert = names + &values;
        if let Err(e) = db.prepare_cached(&self.insert) {
            Sqlite::call_failed(out, &e);
            return false;
        }
        self.db = Some(db);
        true
    }

    fn write(
        &mut self,
        _info: &WriterInfo,
        _fields: &[LogField],
        vals: &[LogValue],
        _buffered: bool,
        out: &mut Outbox,
    ) -> bool {
        let Some(db) = &self.db else {
            return false;
        };
        let mut st = match db.prepare_cached(&self.insert) {
            Ok(st) => st,
            Err(e) => {
                Sqlite::call_failed(out, &e);
                return false;
            }
        };
        for (i, v) in vals.iter().enumerate() {
            if let Err(e) = st.raw_bind_parameter(i + 1, self.param(v)) {
                Sqlite::call_failed(out, &e);
                return false;
            }
        }
        if let Err(e) = st.raw_execute() {
            Sqlite::call_failed(out, &e);
            return false;
        }
        st.clear_bindings();
        true
    }

    fn set_buf(&mut self, _enabled: bool, _out: &mut Outbox) -> bool {
        true
    }

    fn flush(&mut self, _network_time: f64, _out: &mut Outbox) -> bool {
        true
    }

    /// `DoRotate`: nothing is renamed; the rotation finishes with
    /// `/dev/null` as the rotated file.
    fn rotate(
        &mut self,
        info: &WriterInfo,
        _rotated_path: &[u8],
        open: f64,
        close: f64,
        terminating: bool,
        out: &mut Outbox,
    ) -> bool {
        super::writer::rotated_to_dev_null(info, open, close, terminating, out);
        true
    }

    fn finish(&mut self, _network_time: f64, _out: &mut Outbox) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_types() {
        assert_eq!(quoted(b"a'b"), "'a''b'");
        assert_eq!(table_type(Tag::Port), Some("integer"));
        assert_eq!(table_type(Tag::Interval), Some("double precision"));
        assert_eq!(join_path(b"", b"ssh"), b"ssh".to_vec());
        assert_eq!(join_path(b"logs", b"ssh"), b"logs/ssh".to_vec());
        assert_eq!(join_path(b"logs/", b"/tmp/ssh"), b"/tmp/ssh".to_vec());
    }
}
