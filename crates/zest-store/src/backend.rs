//! Store backends: an in-memory map, and SQLite with Broker 2.5's schema
//! (keys and values in the binary `data` encoding, expiries as absolute
//! nanoseconds since the epoch), so files are shared with Broker.

use crate::StoreError;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use zest_broker::{codec, Data};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Memory,
    Sqlite,
}

/// `Broker::SQLiteOptions` as Broker reads them from `backend_options`.
#[derive(Clone, Debug, Default)]
pub struct SqliteOptions {
    pub path: String,
    /// `PRAGMA synchronous` value (`OFF`, `NORMAL`, `FULL`, `EXTRA`).
    pub synchronous: Option<String>,
    /// `PRAGMA journal_mode` value (`DELETE`, `WAL`).
    pub journal_mode: Option<String>,
    /// Delete a database that fails to open and try once more.
    pub delete_on_failure: bool,
    pub integrity_check: bool,
}

pub enum Backend {
    Memory(BTreeMap<Data, (Data, Option<i64>)>),
    Sqlite(Connection),
}

fn failure(e: impl std::fmt::Display) -> StoreError {
    StoreError::BackendFailure(e.to_string())
}

fn decode(bytes: &[u8]) -> Result<Data, StoreError> {
    codec::decode(bytes).map_err(|e| failure(format!("{e:?}")))
}

impl Backend {
    pub fn memory() -> Backend {
        Backend::Memory(BTreeMap::new())
    }

    /// Opens (creating it and its directories if needed) a SQLite store.
    /// The error text names the path and SQLite's message.
    /// `on_delete` hears of a failure that deleting the file repairs.
    pub fn sqlite(opts: &SqliteOptions, on_delete: impl FnOnce(&str)) -> Result<Backend, String> {
        match open_sqlite(opts) {
            Ok(c) => Ok(Backend::Sqlite(c)),
            Err(e) if opts.delete_on_failure => {
                on_delete(&format!("{}: {e}", opts.path));
                let _ = std::fs::remove_file(&opts.path);
                open_sqlite(opts)
                    .map(Backend::Sqlite)
                    .map_err(|e2| format!("{}: {e}; after deleting the database: {e2}", opts.path))
            }
            Err(e) => Err(format!("{}: {e}", opts.path)),
        }
    }

    /// Leaves an SQLite database as a process that ends without closing
    /// it does (Broker's master outlives Zeek's shutdown): a WAL database
    /// keeps its `-wal` and `-shm` files.
    pub fn abandon(self) {
        if let Backend::Sqlite(c) = self {
            std::mem::forget(c);
        }
    }

    pub fn get(&self, key: &Data) -> Result<Data, StoreError> {
        match self {
            Backend::Memory(m) => m
                .get(key)
                .map(|(v, _)| v.clone())
                .ok_or(StoreError::NoSuchKey),
            Backend::Sqlite(c) => {
                let k = codec::to_bytes(key);
                let v: Option<Vec<u8>> = c
                    .prepare_cached("select value from store where key = ?")
                    .and_then(|mut st| st.query_row([k], |r| r.get(0)).optional())
                    .map_err(failure)?;
                decode(&v.ok_or(StoreError::NoSuchKey)?)
            }
        }
    }

    pub fn exists(&self, key: &Data) -> Result<bool, StoreError> {
        match self {
            Backend::Memory(m) => Ok(m.contains_key(key)),
            Backend::Sqlite(c) => {
                let k = codec::to_bytes(key);
                c.prepare_cached("select 1 from store where key = ?")
                    .and_then(|mut st| st.exists([k]))
                    .map_err(failure)
            }
        }
    }

    /// Stores a value with an absolute expiry (none clears it). On SQLite
    /// this is one statement in autocommit mode, as in Broker: the write
    /// is committed when this returns (durable across a killed process;
    /// across a power loss as `PRAGMA synchronous` decides).
    pub fn put(&mut self, key: &Data, value: &Data, expiry: Option<i64>) -> Result<(), StoreError> {
        match self {
            Backend::Memory(m) => {
                m.insert(key.clone(), (value.clone(), expiry));
                Ok(())
            }
            Backend::Sqlite(c) => {
                let k = codec::to_bytes(key);
                let v = codec::to_bytes(value);
                c.prepare_cached("replace into store(key, value, expiry) values(?, ?, ?)")
                    .and_then(|mut st| st.execute(params![k, v, expiry]))
                    .map(|_| ())
                    .map_err(failure)
            }
        }
    }

    pub fn erase(&mut self, key: &Data) -> Result<(), StoreError> {
        match self {
            Backend::Memory(m) => {
                m.remove(key);
                Ok(())
            }
            Backend::Sqlite(c) => {
                let k = codec::to_bytes(key);
                c.prepare_cached("delete from store where key = ?")
                    .and_then(|mut st| st.execute([k]))
                    .map(|_| ())
                    .map_err(failure)
            }
        }
    }

    pub fn clear(&mut self) -> Result<(), StoreError> {
        match self {
            Backend::Memory(m) => {
                m.clear();
                Ok(())
            }
            Backend::Sqlite(c) => c
                .execute("delete from store", [])
                .map(|_| ())
                .map_err(failure),
        }
    }

    /// The keys whose expiry is at or before `now`.
    pub fn expired(&self, now: i64) -> Result<Vec<Data>, StoreError> {
        match self {
            Backend::Memory(m) => Ok(m
                .iter()
                .filter(|(_, (_, e))| e.is_some_and(|e| e <= now))
                .map(|(k, _)| k.clone())
                .collect()),
            Backend::Sqlite(c) => {
                let mut st = c
                    .prepare_cached("select key from store where expiry <= ?")
                    .map_err(failure)?;
                let rows = st
                    .query_map([now], |r| r.get::<_, Vec<u8>>(0))
                    .map_err(failure)?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(decode(&r.map_err(failure)?)?);
                }
                Ok(out)
            }
        }
    }

    pub fn keys(&self) -> Result<Vec<Data>, StoreError> {
        match self {
            Backend::Memory(m) => Ok(m.keys().cloned().collect()),
            Backend::Sqlite(c) => {
                let mut st = c.prepare_cached("select key from store").map_err(failure)?;
                let rows = st
                    .query_map([], |r| r.get::<_, Vec<u8>>(0))
                    .map_err(failure)?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(decode(&r.map_err(failure)?)?);
                }
                Ok(out)
            }
        }
    }

    pub fn size(&self) -> Result<u64, StoreError> {
        match self {
            Backend::Memory(m) => Ok(m.len() as u64),
            Backend::Sqlite(c) => c
                .query_row("select count(*) from store", [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(failure),
        }
    }

    pub fn snapshot(&self) -> Result<Vec<(Data, Data)>, StoreError> {
        match self {
            Backend::Memory(m) => Ok(m.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect()),
            Backend::Sqlite(c) => {
                let mut st = c
                    .prepare_cached("select key, value from store")
                    .map_err(failure)?;
                let rows = st
                    .query_map([], |r| {
                        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
                    })
                    .map_err(failure)?;
                let mut out = Vec::new();
                for r in rows {
                    let (k, v) = r.map_err(failure)?;
                    out.push((decode(&k)?, decode(&v)?));
                }
                Ok(out)
            }
        }
    }
}

/// Broker's `sqlite_backend` start-up: directories, pragmas, integrity
/// check, schema and version row.
fn open_sqlite(opts: &SqliteOptions) -> Result<Connection, String> {
    let path = std::path::Path::new(&opts.path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let c = Connection::open(path).map_err(|e| e.to_string())?;
    let err = |e: rusqlite::Error| e.to_string();
    if opts.integrity_check {
        let r: String = c
            .query_row("pragma integrity_check", [], |r| r.get(0))
            .map_err(err)?;
        if r != "ok" {
            return Err(format!("integrity check failed: {r}"));
        }
    }
    if let Some(s) = &opts.synchronous {
        c.execute_batch(&format!("pragma synchronous={s};"))
            .map_err(err)?;
    }
    if let Some(j) = &opts.journal_mode {
        // journal_mode answers with the new mode.
        let _: String = c
            .query_row(&format!("pragma journal_mode={j}"), [], |r| r.get(0))
            .map_err(err)?;
    }
    c.execute_batch(
        "create table if not exists meta(key text primary key, value text);
         create table if not exists store(key blob primary key, value blob, expiry integer);
         replace into meta(key, value) values('broker_version', '2.5.0');",
    )
    .map_err(err)?;
    Ok(c)
}
