//! Walking a [`Dict`] in Zeek's order.
//!
//! * [`Dict::iter`] (and [`Dict::ids`], [`Dict::keys`], [`Dict::values`]) borrow the
//!   dictionary: for `print`, `fmt`, `cat`, `to_json`, `copy`, set operations, `table_keys`,
//!   `table_values`, … Nothing can change while they run, so they need no bookkeeping.
//! * A [`Cursor`] is a script `for` loop: it counts as a live iterator (which suspends the
//!   incremental remap and lookup-triggered moves, §4.10) and re-reads the live slot array at
//!   every step, so a loop body may insert and delete, with Zeek's results: a delete can make
//!   the loop skip an entry, an insert can make it see one twice (§6.2).
//!
//! An unordered dictionary is walked over its slots from 0 upward; an `&ordered` one over its
//! insertion-order list.
//!
//! Also here: the operations defined as walks (`copy()`, bulk insertion and removal,
//! [`Dict::take_all`]) and read-only diagnostics of the slot array.

use super::{Dict, EntryId, EMPTY};
use crate::key::Key;

/// Borrowing iterator over `(key, value)` in Zeek's order.
pub struct Iter<'a, V> {
    dict: &'a Dict<V>,
    pos: usize,
    remaining: usize,
}

/// Borrowing iterator over entry handles in Zeek's order.
pub struct Ids<'a, V> {
    inner: Iter<'a, V>,
}

impl<'a, V> Iter<'a, V> {
    #[inline]
    fn next_id(&mut self) -> Option<u32> {
        let d = self.dict;
        let id = match &d.order {
            Some(order) => {
                let id = *order.get(self.pos)?;
                self.pos += 1;
                id
            }
            None => loop {
                let s = d.slots.get(self.pos)?;
                self.pos += 1;
                if s.id != EMPTY {
                    break s.id;
                }
            },
        };
        self.remaining = self.remaining.saturating_sub(1);
        Some(id)
    }
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a Key, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let id = self.next_id()?;
        let e = self.dict.entries[id as usize].as_ref().expect("live entry");
        Some((&e.key, &e.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

impl<V> Iterator for Ids<'_, V> {
    type Item = EntryId;

    #[inline]
    fn next(&mut self) -> Option<EntryId> {
        self.inner.next_id().map(EntryId)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<V> ExactSizeIterator for Ids<'_, V> {}

impl<'a, V> IntoIterator for &'a Dict<V> {
    type Item = (&'a Key, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

/// A script `for` loop over a [`Dict`]; see [`Dict::cursor`].
///
/// Not `Clone`: each cursor must be given back exactly once with [`Dict::release`].
#[derive(Debug)]
pub struct Cursor {
    pos: usize,
    /// Zeek's loop compares against the `end()` taken when the loop started.
    end: usize,
    started: bool,
    epoch: u32,
}

/// One slot of [`Dict::layout`]: an occupied slot's entry, home bucket and distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotInfo {
    /// The entry in the slot.
    pub id: EntryId,
    /// The bucket the entry belongs to (slot − distance).
    pub home: usize,
    /// Distance from the home bucket.
    pub dist: u32,
}

impl<V> Dict<V> {
    /// `(key, value)` pairs in Zeek's order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            dict: self,
            pos: 0,
            remaining: self.len,
        }
    }

    /// Entry handles in Zeek's order.
    pub fn ids(&self) -> Ids<'_, V> {
        Ids { inner: self.iter() }
    }

    /// Keys in Zeek's order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Key> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// Values in Zeek's order (`table_values`).
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// Calls `f` on every entry in Zeek's order with mutable access to the value.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&Key, &mut V)) {
        let ids: Vec<EntryId> = self.ids().collect();
        for id in ids {
            if let Some(e) = self.entries[id.0 as usize].as_mut() {
                f(&e.key, &mut e.value);
            }
        }
    }

    /// Starts a script `for` loop. The cursor counts as a live iterator until
    /// [`Dict::release`]: meanwhile no remap step or lookup-triggered move happens. Zeek
    /// creates no iterator for an empty table, so callers should skip the loop when
    /// [`Dict::is_empty`].
    pub fn cursor(&mut self) -> Cursor {
        self.iters += 1;
        let end = match &self.order {
            Some(order) => order.len(),
            None => self.cap(),
        };
        Cursor {
            pos: 0,
            end,
            started: false,
            epoch: self.epoch,
        }
    }

    /// The next entry of a `for` loop: the first call yields the first entry, later calls
    /// first step to the next occupied slot after the current position, re-reading the live
    /// slot array (or insertion-order list). `None` at the end; the cursor must still be
    /// released.
    pub fn cursor_next(&self, c: &mut Cursor) -> Option<EntryId> {
        if c.epoch != self.epoch {
            return None;
        }
        let step = usize::from(c.started);
        c.started = true;
        match &self.order {
            Some(order) => {
                c.pos += step;
                let end = c.end.min(order.len());
                (c.pos < end).then(|| EntryId(order[c.pos]))
            }
            None => {
                if c.pos >= c.end {
                    return None;
                }
                c.pos += step;
                let end = c.end.min(self.cap());
                while c.pos < end && self.slots[c.pos].id == EMPTY {
                    c.pos += 1;
                }
                (c.pos < end).then(|| EntryId(self.slots[c.pos].id))
            }
        }
    }

    /// Ends a `for` loop started with [`Dict::cursor`]. Once the last iterator is gone, the
    /// next insertion resumes a pending remap.
    pub fn release(&mut self, c: Cursor) {
        if c.epoch == self.epoch {
            self.iters = self.iters.saturating_sub(1);
        }
    }

    /// Number of live iterators (cursors and robust cursors).
    pub fn live_iterators(&self) -> usize {
        self.iters as usize
    }

    /// True when a non-robust iterator (a [`Cursor`]) is alive. Zeek then warns
    /// `possible loop/iterator invalidation` for each insertion of a new key and each removal
    /// of an existing one made through script code.
    pub fn has_plain_iterators(&self) -> bool {
        self.iters as usize > self.robust.len()
    }

    /// Zeek's `copy()` of the dictionary: a new one (still `&ordered` if this one is) filled
    /// by inserting every entry in this one's iteration order. The copy can iterate in a
    /// different order (reference vector 18).
    pub fn zeek_copy(&self) -> Dict<V>
    where
        V: Clone,
    {
        let mut d = if self.is_ordered() {
            Dict::new_ordered()
        } else {
            Dict::new()
        };
        d.insert_all(self);
        d
    }

    /// Inserts every entry of `src` in `src`'s iteration order (`a += b`, the second half of
    /// `a | b`, `redef a += {…}` after building the right-hand side). Existing keys get
    /// `src`'s value.
    pub fn insert_all(&mut self, src: &Dict<V>)
    where
        V: Clone,
    {
        for (k, v) in src {
            self.insert(k.key_ref(), v.clone());
        }
    }

    /// Removes every key of `src` in `src`'s iteration order (`a -= b`, the second half of
    /// `a - b`).
    pub fn remove_all<W>(&mut self, src: &Dict<W>) {
        for k in src.keys() {
            self.remove(k.key_ref());
        }
    }

    /// Removes every entry, returning them in iteration order, and leaves a brand-new
    /// unordered dictionary like [`Dict::clear`]. This is what Zeek does to tables built at
    /// parse time whose record index type is later extended by `redef record`: dump in
    /// iteration order, clear, re-insert (with the re-serialised keys) in that order.
    pub fn take_all(&mut self) -> Vec<(Key, V)> {
        let ids: Vec<EntryId> = self.ids().collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = self.entries[id.0 as usize].take() {
                out.push((e.key, e.value));
            }
        }
        self.clear();
        out
    }

    /// The slot array, for diagnostics and tests: `None` for an empty slot.
    pub fn layout(&self) -> Vec<Option<SlotInfo>> {
        self.slots
            .iter()
            .enumerate()
            .map(|(p, s)| {
                (s.id != EMPTY).then(|| SlotInfo {
                    id: EntryId(s.id),
                    home: p - s.dist as usize,
                    dist: s.dist,
                })
            })
            .collect()
    }

    /// log2 of the bucket count (0 for a new table).
    pub fn log2_buckets(&self) -> u32 {
        self.log2
    }

    /// Highest slot still to be remapped, or `None` when no remap is pending.
    pub fn remap_end(&self) -> Option<usize> {
        usize::try_from(self.remap_end).ok()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dict, KeyBuf, KeyHasher};

    fn key(h: &KeyHasher, i: u64) -> crate::Key {
        let mut k = KeyBuf::new();
        k.write_count(i);
        k.to_key(h)
    }

    #[test]
    fn take_all_keeps_iteration_order() {
        let h = KeyHasher::new(7, 9);
        let mut d = Dict::new_ordered();
        for i in [5, 3, 9, 1] {
            d.insert(key(&h, i).key_ref(), i);
        }
        let before: Vec<u64> = d.values().copied().collect();
        let taken: Vec<u64> = d.take_all().into_iter().map(|(_, v)| v).collect();
        assert_eq!(taken, before);
        assert_eq!(taken, [5, 3, 9, 1]);
        assert!(d.is_empty() && !d.is_ordered());
    }

    /// An `&ordered` loop walks the insertion list by position, like Zeek's vector iterator:
    /// deleting the current key makes the loop skip the following one.
    #[test]
    fn ordered_cursor_is_positional() {
        let h = KeyHasher::new(7, 9);
        let mut d = Dict::new_ordered();
        for i in 0..6u64 {
            d.insert(key(&h, i).key_ref(), i);
        }
        let mut seen = Vec::new();
        let mut c = d.cursor();
        while let Some(id) = d.cursor_next(&mut c) {
            let v = *d.value(id).unwrap();
            seen.push(v);
            if v == 2 {
                d.remove(key(&h, v).key_ref());
            }
        }
        d.release(c);
        assert_eq!(seen, [0, 1, 2, 4, 5]);
        assert_eq!(d.live_iterators(), 0);
    }
}
