//! Script-level table operations expressed as dictionary operations (spec §5), and the
//! per-table numbering of function values used as keys.
//!
//! | script | here |
//! |---|---|
//! | `copy(t)` | [`Dict::zeek_copy`] |
//! | `a \| b` | [`union`] |
//! | `a & b` | [`intersection`] |
//! | `a - b` | [`difference`] |
//! | `a += b`, `redef a += {…}` | [`Dict::insert_all`] |
//! | `a -= b` | [`Dict::remove_all`] |
//! | `a == b`, `a != b` | [`equal`] |
//! | `a <= b`, `a < b` (`>`/`>=` swap operands) | [`is_subset`] |
//! | `table_keys(t)` | insert `t`'s keys into a new set in `t`'s order |
//!
//! When both operands are the same table, Zeek's lookups run while the walk's iterator is
//! alive and move nothing; callers holding one table twice should use [`Dict::get`] for the
//! probes (e.g. `a == a` is simply true).

use std::collections::HashMap;
use std::hash::Hash;

use crate::dict::Dict;

/// `a | b`: [`Dict::zeek_copy`] of `a`, then `b`'s entries inserted in `b`'s order.
pub fn union<V: Clone>(a: &Dict<V>, b: &Dict<V>) -> Dict<V> {
    let mut r = a.zeek_copy();
    r.insert_all(b);
    r
}

/// `a - b`: [`Dict::zeek_copy`] of `a`, then `b`'s keys removed in `b`'s order.
pub fn difference<V: Clone, W>(a: &Dict<V>, b: &Dict<W>) -> Dict<V> {
    let mut r = a.zeek_copy();
    r.remove_all(b);
    r
}

/// `a & b`: a new **unordered** dictionary; the smaller operand (`b` when the sizes are
/// equal) is walked, each key is looked up in the other one ([`Dict::find`], which may move
/// it), and hits are inserted with the walked operand's value.
pub fn intersection<V: Clone>(a: &mut Dict<V>, b: &mut Dict<V>) -> Dict<V> {
    let (walk, probe) = if b.len() > a.len() {
        (&*a, b)
    } else {
        (&*b, a)
    };
    let mut r = Dict::new();
    for (k, v) in walk {
        if probe.find_entry(k.key_ref()).is_some() {
            r.insert(k.key_ref(), v.clone());
        }
    }
    r
}

/// `a == b`: false if the sizes differ, else each of `a`'s keys is looked up in `b` (which
/// may move it) until the first miss.
pub fn equal<V, W>(a: &Dict<V>, b: &mut Dict<W>) -> bool {
    a.len() == b.len() && a.keys().all(|k| b.find_entry(k.key_ref()).is_some())
}

/// `a <= b`: false if `a` is larger, else each of `a`'s keys is looked up in `b` (which may
/// move it) until the first miss. `a < b` is `a <= b && |a| < |b|` in Zeek's evaluation
/// order: the subset test first.
pub fn is_subset<V, W>(a: &Dict<V>, b: &mut Dict<W>) -> bool {
    a.len() <= b.len() && a.keys().all(|k| b.find_entry(k.key_ref()).is_some())
}

/// The ids Zeek gives function values inside the keys of one table: 0, 1, 2, … in
/// first-seen order, never reused (not even after `clear_table`). `F` is whatever identifies
/// a function in the interpreter. (Function keys are rare, so a std `HashMap` is enough.)
#[derive(Clone, Debug)]
pub struct FuncIds<F> {
    ids: HashMap<F, u32>,
    funcs: Vec<F>,
}

impl<F> Default for FuncIds<F> {
    fn default() -> Self {
        FuncIds {
            ids: HashMap::new(),
            funcs: Vec::new(),
        }
    }
}

impl<F: Clone + Eq + Hash> FuncIds<F> {
    /// An empty numbering.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `f`, assigning the next one on first sight.
    pub fn id(&mut self, f: &F) -> u32 {
        if let Some(&id) = self.ids.get(f) {
            return id;
        }
        let id = u32::try_from(self.funcs.len()).expect("fewer than 2^32 functions");
        self.ids.insert(f.clone(), id);
        self.funcs.push(f.clone());
        id
    }

    /// The function with id `id` (for turning keys back into values).
    pub fn func(&self, id: u32) -> Option<&F> {
        self.funcs.get(id as usize)
    }
}
