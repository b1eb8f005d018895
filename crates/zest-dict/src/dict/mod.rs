//! Zeek's dictionary (spec §4): open addressing with clustered, Robin-Hood-like placement,
//! incremental remapping after growth, and no shrinking.
//!
//! The slot array holds small `(entry id, h32, distance)` triples; keys and values live in a
//! slab indexed by [`EntryId`], so relocations move 12 bytes and ids stay stable while an
//! entry lives. Every observable order (slot walk, robust iterators, `&ordered` list) follows
//! Zeek 5.2.2's `Dict.h` step by step.
//!
//! Submodules: [`iter`] (walks and `for`-loop cursors), [`robust`] (Zeek's robust iterators,
//! used by table expiration), `layout` (the slot-array mechanics).

pub mod iter;
mod layout;
pub mod robust;

use crate::hash::bucket;
use crate::key::{Key, KeyRef};
use robust::RobustState;

/// Moves per incremental remap step (`DICT_REMAP_ENTRIES`).
const REMAP_BUDGET: u32 = 16;
/// Space-distance growth rule: at least this many samples …
const MIN_SPACE_DISTANCE_SAMPLES: u32 = 128;
/// … with an average shift above this …
const SPACE_DISTANCE_THRESHOLD: u64 = 32;
/// … and a load above this percentage.
const MIN_LOAD_FACTOR_100: usize = 25;
/// Load factor percentage for tables with more than 2^3 buckets.
const LOAD_FACTOR_100: usize = 75;
/// Up to 2^3 buckets, a table grows only when it is full.
const THRESHOLD_BITS: u32 = 3;

const EMPTY: u32 = u32::MAX;

/// A stable handle to an entry, valid until that entry is removed or the dictionary cleared.
/// After that it may name another entry; never keep one across a removal you do not control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryId(u32);

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// Slab index, or `EMPTY`.
    id: u32,
    /// Low 32 bits of the key's hash.
    h32: u32,
    /// Distance from the home bucket.
    dist: u32,
}

const EMPTY_SLOT: Slot = Slot {
    id: EMPTY,
    h32: 0,
    dist: 0,
};

struct Entry<V> {
    key: Key,
    value: V,
}

/// Result of a lookup: found at a slot, or where the key would be inserted.
enum Probe {
    Found(usize),
    Missing { pos: usize, dist: u32 },
}

/// A map from [`Key`]s to `V` that iterates exactly like a Zeek 5.2.2 table.
///
/// Use one `Dict` per script-level table or set. Operations mirror Zeek's: [`Dict::insert`]
/// (`add s[k]`, `t[k] = v`), [`Dict::remove`] (`delete`), [`Dict::find`] (`k in t`, `t[k]`;
/// **it can move entries** while a remap is pending), [`Dict::clear`] (`clear_table`). Walk
/// with [`Dict::iter`] for printing and copying, with a [`iter::Cursor`] for script `for`
/// loops (which may modify the table), and with a [`robust::RobustCursor`] for expiration.
///
/// `Dict` deliberately has no `Clone`: Zeek's `copy()` re-inserts in iteration order and can
/// give a different layout; use [`Dict::zeek_copy`].
pub struct Dict<V> {
    log2: u32,
    /// Empty until the first insertion, then `2^log2 + log2` slots.
    slots: Vec<Slot>,
    entries: Vec<Option<Entry<V>>>,
    free: Vec<u32>,
    len: usize,
    /// Highest slot still to be checked by the incremental remap; -1 when none is pending.
    remap_end: isize,
    /// Growths whose remap has not finished.
    remaps: u32,
    sd_sum: i64,
    sd_samples: u32,
    /// Live iterators (cursors and robust cursors).
    iters: u32,
    /// `Some` for `&ordered`: entry ids in insertion order.
    order: Option<Vec<u32>>,
    robust: Vec<RobustState>,
    robust_serial: u32,
    /// Bumped by `clear`, so that cursors of the old contents go inert.
    epoch: u32,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict::new()
    }
}

impl<V> Dict<V> {
    /// An empty, unordered dictionary (nothing is allocated until the first insertion).
    pub fn new() -> Dict<V> {
        Dict {
            log2: 0,
            slots: Vec::new(),
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
            remap_end: -1,
            remaps: 0,
            sd_sum: 0,
            sd_samples: 0,
            iters: 0,
            order: None,
            robust: Vec::new(),
            robust_serial: 0,
            epoch: 0,
        }
    }

    /// An empty `&ordered` dictionary: iteration follows insertion order (§4.12).
    pub fn new_ordered() -> Dict<V> {
        Dict {
            order: Some(Vec::new()),
            ..Dict::new()
        }
    }

    /// True for an `&ordered` dictionary.
    pub fn is_ordered(&self) -> bool {
        self.order.is_some()
    }

    /// Number of entries (`|t|`).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops everything and starts over as a brand-new **unordered** dictionary, as Zeek's
    /// `clear_table()` does even for `&ordered` tables (§4.11). Outstanding cursors become
    /// inert (they yield nothing and releasing them is a no-op).
    pub fn clear(&mut self) {
        let epoch = self.epoch.wrapping_add(1);
        let serial = self.robust_serial;
        *self = Dict::new();
        self.epoch = epoch;
        self.robust_serial = serial;
    }

    /// Zeek's lookup (`k in t`, reading `t[k]`): returns the value and, while a remap is
    /// pending and no iterator is alive, **moves** a key found at its pre-growth position
    /// (§4.4). Use [`Dict::get`] where Zeek does not consult the dictionary (reads of tables
    /// indexed by a single `subnet` go to a prefix table, §5).
    pub fn find(&mut self, key: KeyRef<'_>) -> Option<&mut V> {
        let id = self.find_entry(key)?;
        self.value_mut(id)
    }

    /// [`Dict::find`] returning the entry's handle.
    pub fn find_entry(&mut self, key: KeyRef<'_>) -> Option<EntryId> {
        match self.probe(key) {
            Some(Probe::Found(p)) => Some(EntryId(self.slots[p].id)),
            _ => None,
        }
    }

    /// [`Dict::find`] as a membership test.
    pub fn contains(&mut self, key: KeyRef<'_>) -> bool {
        self.find_entry(key).is_some()
    }

    /// A lookup with no side effects (never moves anything). This is what Zeek's lookup
    /// amounts to while an iterator on the table is alive.
    pub fn get(&self, key: KeyRef<'_>) -> Option<&V> {
        self.get_entry(key).and_then(|id| self.value(id))
    }

    /// [`Dict::get`] returning the entry's handle.
    pub fn get_entry(&self, key: KeyRef<'_>) -> Option<EntryId> {
        if self.slots.is_empty() {
            return None;
        }
        let h = key.h32();
        if let Ok(p) = self.scan(key, bucket(h, self.log2), self.slots.len()) {
            return Some(EntryId(self.slots[p].id));
        }
        for i in 1..=self.remaps.min(self.log2) {
            let ob = bucket(h, self.log2 - i);
            if (ob as isize) <= self.remap_end {
                if let Ok(p) = self.scan(key, ob, self.remap_end as usize + 1) {
                    return Some(EntryId(self.slots[p].id));
                }
            }
        }
        None
    }

    /// Inserts or replaces (`add s[k]`, `t[k] = v`). A new key may relocate other entries
    /// and grow the table; an existing key keeps its place and only gets the new value. Either
    /// way a pending remap step runs afterwards. Returns the previous value, if any.
    pub fn insert(&mut self, key: KeyRef<'_>, value: V) -> Option<V> {
        self.insert_entry(key, value).1
    }

    /// [`Dict::insert`] that also returns the entry's handle.
    pub fn insert_entry(&mut self, key: KeyRef<'_>, value: V) -> (EntryId, Option<V>) {
        if self.slots.is_empty() {
            self.slots = vec![EMPTY_SLOT; capacity_for(self.log2)];
        }
        let result = match self.probe(key) {
            Some(Probe::Found(p)) => {
                let id = self.slots[p].id;
                let slot = self.entries[id as usize].as_mut().expect("live entry");
                (EntryId(id), Some(std::mem::replace(&mut slot.value, value)))
            }
            Some(Probe::Missing { pos, dist }) => {
                (EntryId(self.add_new(key.to_key(), value, pos, dist)), None)
            }
            None => unreachable!("slots were allocated above"),
        };
        if self.remap_end >= 0 {
            self.remap_batch();
        }
        result
    }

    /// Removes a key (`delete t[k]`): a lookup (which may first move the key), then the
    /// backfill of §4.7. Never shrinks and never runs a remap step.
    pub fn remove(&mut self, key: KeyRef<'_>) -> Option<(Key, V)> {
        let Some(Probe::Found(p)) = self.probe(key) else {
            return None;
        };
        let id = self.slots[p].id;
        let last = self.backfill(p);
        self.robust_adjust_on_remove(id, p, last);
        self.len -= 1;
        if let Some(order) = &mut self.order {
            if let Some(i) = order.iter().position(|&x| x == id) {
                order.remove(i);
            }
        }
        let e = self.entries[id as usize].take().expect("live entry");
        self.free.push(id);
        Some((e.key, e.value))
    }

    /// The key of a live entry.
    pub fn key(&self, id: EntryId) -> Option<&Key> {
        self.entries.get(id.0 as usize)?.as_ref().map(|e| &e.key)
    }

    /// The value of a live entry.
    pub fn value(&self, id: EntryId) -> Option<&V> {
        self.entries.get(id.0 as usize)?.as_ref().map(|e| &e.value)
    }

    /// The value of a live entry, mutably (no effect on order).
    pub fn value_mut(&mut self, id: EntryId) -> Option<&mut V> {
        self.entries
            .get_mut(id.0 as usize)?
            .as_mut()
            .map(|e| &mut e.value)
    }

    /// Key and value of a live entry.
    pub fn entry(&self, id: EntryId) -> Option<(&Key, &V)> {
        self.entries
            .get(id.0 as usize)?
            .as_ref()
            .map(|e| (&e.key, &e.value))
    }

    /// The entries in the order Zeek serialises this table when it is used as (part of) an
    /// index of another table (§3.5): ascending by (32-bit hash — or the full hash if that is
    /// 0 —, key length, key bytes).
    ///
    /// `is_set` false means a table: Zeek then looks every element up twice while building
    /// the outer key (once while sizing it, once while writing it), and those lookups can
    /// move entries of this dictionary if it has a pending remap; this method performs them.
    /// For tables indexed by a single `subnet` Zeek's lookups bypass the dictionary: pass
    /// `is_set = true` for those too.
    pub fn serialization_order(&mut self, is_set: bool) -> Vec<EntryId> {
        let mut ids: Vec<EntryId> = self.ids().collect();
        let entries = &self.entries;
        let key_of = |id: &EntryId| &entries[id.0 as usize].as_ref().expect("live entry").key;
        ids.sort_by(|a, b| {
            let (ka, kb) = (key_of(a), key_of(b));
            sort_hash(ka)
                .cmp(&sort_hash(kb))
                .then(ka.bytes().len().cmp(&kb.bytes().len()))
                .then_with(|| ka.bytes().cmp(kb.bytes()))
        });
        if !is_set {
            for _pass in 0..2 {
                for id in &ids {
                    let key = self.key(*id).expect("live entry").clone();
                    self.probe(key.key_ref());
                }
            }
        }
        ids
    }
}

fn capacity_for(log2: u32) -> usize {
    (1usize << log2) + log2 as usize
}

/// The hash Zeek sorts inner tables by: the stored 32 bits, or the full hash if those are 0.
fn sort_hash(k: &Key) -> u64 {
    match k.h32() {
        0 => k.hash(),
        h => u64::from(h),
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
