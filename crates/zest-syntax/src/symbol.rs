//! Interned identifiers.
//!
//! Every identifier (including qualified ones such as `Log::ID`) is interned
//! once into a process-wide table; a [`Symbol`] is a `u32` index that is
//! compared and hashed as an integer. The strings live for the whole process,
//! which is what a script runtime needs anyway.

use rustc_hash::FxHashMap;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// An interned identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(u32);

struct Interner {
    map: FxHashMap<&'static str, Symbol>,
    strings: Vec<&'static str>,
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| {
        Mutex::new(Interner {
            map: FxHashMap::default(),
            strings: Vec::new(),
        })
    })
}

impl Symbol {
    /// Interns `s`.
    pub fn intern(s: &str) -> Symbol {
        let mut i = interner()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(&sym) = i.map.get(s) {
            return sym;
        }
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        let sym = Symbol(i.strings.len() as u32);
        i.strings.push(leaked);
        i.map.insert(leaked, sym);
        sym
    }

    /// The symbol of `s` if it was interned, without interning it (for
    /// names that come from outside, e.g. the network: interning them
    /// would keep every one for the rest of the process).
    pub fn lookup(s: &str) -> Option<Symbol> {
        let i = interner()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        i.map.get(s).copied()
    }

    /// The interned text.
    pub fn as_str(self) -> &'static str {
        let i = interner()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        i.strings[self.0 as usize]
    }

    /// The raw index, for use as a key in dense tables.
    pub fn index(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Symbol {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
