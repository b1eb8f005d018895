//! Broker 2.5 data stores for Zest: the memory and SQLite backends (the
//! SQLite schema is Broker's, so database files interoperate), the "add"
//! and "subtract" appliers, and a master's semantics for every command
//! (`docs/broker-protocol.md` §5.5, §5.6).
//!
//! Everything here is synchronous and knows nothing of the interpreter:
//! the native library drives a [`Master`] with commands and the current
//! time, and reads the [`StoreEvent`]s each change produces.

pub mod backend;
pub mod ops;

pub use backend::{Backend, BackendKind, SqliteOptions};
use zest_broker::Data;

/// Why a command or query failed (`broker::ec` names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    NoSuchKey,
    TypeClash,
    BackendFailure(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NoSuchKey => f.write_str("no_such_key"),
            StoreError::TypeClash => f.write_str("type_clash"),
            StoreError::BackendFailure(m) => write!(f, "backend_failure ({m})"),
        }
    }
}

/// One applied change, as Broker publishes it on
/// `<$>/local/data/store-events/NAME` (expiries are relative, in ns).
#[derive(Clone, Debug, PartialEq)]
pub enum StoreEvent {
    Insert {
        key: Data,
        value: Data,
        expiry: Option<i64>,
    },
    Update {
        key: Data,
        old: Data,
        new: Data,
        expiry: Option<i64>,
    },
    Erase {
        key: Data,
    },
    Expire {
        key: Data,
    },
}

/// The master of one store: its backend and what it did.
pub struct Master {
    pub name: String,
    backend: Backend,
    /// Changes applied since the owner last took them.
    pub events: Vec<StoreEvent>,
}

/// Absolute expiry from a relative one.
fn absolute(expiry: Option<i64>, now: i64) -> Option<i64> {
    expiry.map(|e| now.saturating_add(e))
}

impl Master {
    pub fn new(name: &str, backend: Backend) -> Master {
        Master {
            name: name.to_owned(),
            backend,
            events: Vec::new(),
        }
    }

    /// `put`: stores the value, with an expiry relative to `now` or none.
    pub fn put(&mut self, key: Data, value: Data, expiry: Option<i64>, now: i64) {
        let old = self.backend.get(&key).ok();
        if self
            .backend
            .put(&key, &value, absolute(expiry, now))
            .is_err()
        {
            return;
        }
        self.events.push(match old {
            Some(old) => StoreEvent::Update {
                key,
                old,
                new: value,
                expiry,
            },
            None => StoreEvent::Insert { key, value, expiry },
        });
    }

    /// `put_unique`: stores only if the key is absent; says whether it did.
    pub fn put_unique(&mut self, key: Data, value: Data, expiry: Option<i64>, now: i64) -> bool {
        if self.backend.exists(&key).unwrap_or(true) {
            return false;
        }
        self.put(key, value, expiry, now);
        true
    }

    pub fn erase(&mut self, key: Data) {
        if self.backend.exists(&key).unwrap_or(false) && self.backend.erase(&key).is_ok() {
            self.events.push(StoreEvent::Erase { key });
        }
    }

    /// `add` with the type a missing value starts as (a `data` tag).
    pub fn add(&mut self, key: Data, value: &Data, init_type: u8, expiry: Option<i64>, now: i64) {
        let old = self.backend.get(&key).ok();
        let start = match &old {
            Some(v) => v.clone(),
            None => match ops::initial_value(init_type) {
                Some(v) => v,
                None => return,
            },
        };
        let Ok(new) = ops::add(start, value) else {
            return;
        };
        if self.backend.put(&key, &new, absolute(expiry, now)).is_err() {
            return;
        }
        self.events.push(match old {
            Some(old) => StoreEvent::Update {
                key,
                old,
                new,
                expiry,
            },
            None => StoreEvent::Insert {
                key,
                value: new,
                expiry,
            },
        });
    }

    /// `subtract`: fails when the key is absent.
    pub fn subtract(&mut self, key: Data, value: &Data, expiry: Option<i64>, now: i64) {
        let Ok(old) = self.backend.get(&key) else {
            return;
        };
        let Ok(new) = ops::subtract(old.clone(), value) else {
            return;
        };
        if self.backend.put(&key, &new, absolute(expiry, now)).is_err() {
            return;
        }
        self.events.push(StoreEvent::Update {
            key,
            old,
            new,
            expiry,
        });
    }

    pub fn clear(&mut self) {
        let keys = self.backend.keys().unwrap_or_default();
        if self.backend.clear().is_ok() {
            for key in keys {
                self.events.push(StoreEvent::Erase { key });
            }
        }
    }

    /// Removes the entries whose expiry lies before `now`.
    pub fn expire(&mut self, now: i64) {
        for key in self.backend.expired(now).unwrap_or_default() {
            if self.backend.erase(&key).is_ok() {
                self.events.push(StoreEvent::Expire { key });
            }
        }
    }

    pub fn get(&self, key: &Data) -> Result<Data, StoreError> {
        self.backend.get(key)
    }

    /// Ends the master without closing its backend (see
    /// [`Backend::abandon`]).
    pub fn abandon(self) {
        self.backend.abandon();
    }

    /// `get(key, aspect)`: an element of a container value.
    pub fn get_index_from_value(&self, key: &Data, index: &Data) -> Result<Data, StoreError> {
        ops::retrieve(&self.backend.get(key)?, index)
    }

    pub fn exists(&self, key: &Data) -> Result<bool, StoreError> {
        self.backend.exists(key)
    }

    /// All keys as a set.
    pub fn keys(&self) -> Result<Data, StoreError> {
        Ok(Data::Set(self.backend.keys()?.into_iter().collect()))
    }

    pub fn size(&self) -> Result<u64, StoreError> {
        self.backend.size()
    }

    /// Every entry (the snapshot a clone receives).
    pub fn snapshot(&self) -> Result<Vec<(Data, Data)>, StoreError> {
        self.backend.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Data {
        Data::string(x)
    }

    #[test]
    fn master_semantics_in_memory() {
        let mut m = Master::new("t", Backend::memory());
        m.put(s("one"), s("110"), None, 0);
        m.put(s("one"), Data::Count(1), None, 0);
        assert_eq!(m.get(&s("one")), Ok(Data::Count(1)));
        assert_eq!(m.events.len(), 2);
        assert!(matches!(m.events[1], StoreEvent::Update { .. }));
        assert!(!m.put_unique(s("one"), Data::Count(5), None, 0));
        assert!(m.put_unique(s("two"), Data::Count(5), None, 0));
        m.add(s("c"), &Data::Count(3), 2, None, 0);
        m.add(s("c"), &Data::Count(4), 2, None, 0);
        assert_eq!(m.get(&s("c")), Ok(Data::Count(7)));
        m.subtract(s("c"), &Data::Count(2), None, 0);
        assert_eq!(m.get(&s("c")), Ok(Data::Count(5)));
        m.add(s("v"), &s("x"), 14, None, 0);
        m.add(s("v"), &s("y"), 14, None, 0);
        assert_eq!(m.get_index_from_value(&s("v"), &Data::Count(1)), Ok(s("y")));
        m.subtract(s("v"), &Data::None, None, 0);
        assert_eq!(m.get(&s("v")), Ok(Data::Vector(vec![s("x")])));
        m.put(s("e"), Data::Count(1), Some(10), 100);
        m.expire(105);
        assert!(m.exists(&s("e")).unwrap());
        m.expire(111);
        assert!(!m.exists(&s("e")).unwrap());
        assert_eq!(m.get(&s("nope")), Err(StoreError::NoSuchKey));
        m.erase(s("one"));
        assert!(!m.exists(&s("one")).unwrap());
        m.clear();
        assert_eq!(m.size(), Ok(0));
    }

    #[test]
    fn sqlite_round_trip() {
        let dir = std::env::temp_dir().join(format!("zest-store-test-{}", std::process::id()));
        let path = dir.join("sub").join("db.sqlite");
        let opts = SqliteOptions {
            path: path.to_string_lossy().into_owned(),
            ..SqliteOptions::default()
        };
        {
            let mut m = Master::new("t", Backend::sqlite(&opts, |_| {}).unwrap());
            m.put(s("a"), Data::Count(1), None, 0);
            m.put(s("b"), Data::Set([s("x")].into()), Some(5), 10);
            m.add(s("b"), &s("y"), 12, None, 0);
        }
        let m = Master::new("t", Backend::sqlite(&opts, |_| {}).unwrap());
        assert_eq!(m.get(&s("a")), Ok(Data::Count(1)));
        assert_eq!(m.get(&s("b")), Ok(Data::Set([s("x"), s("y")].into())));
        assert_eq!(m.size(), Ok(2));
        let _ = std::fs::remove_dir_all(dir);
    }
}
