//! The mechanics of the slot array, step by step as in Zeek 5.2.2's `Dict.h`: ranged scans
//! (§4.3), lookup across pending remaps (§4.4), the new-key half of insertion (§4.5),
//! placement with relocation (§4.6), backfill on removal (§4.7), growth (§4.8) and the
//! incremental remap (§4.9).

use super::{
    capacity_for, Dict, Entry, Probe, Slot, EMPTY, EMPTY_SLOT, LOAD_FACTOR_100,
    MIN_LOAD_FACTOR_100, MIN_SPACE_DISTANCE_SAMPLES, REMAP_BUDGET, SPACE_DISTANCE_THRESHOLD,
    THRESHOLD_BITS,
};
use crate::hash::bucket;
use crate::key::{Key, KeyRef};

impl<V> Dict<V> {
    pub(super) fn cap(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    pub(super) fn occupied(&self, p: usize) -> bool {
        self.slots[p].id != EMPTY
    }

    #[inline]
    pub(super) fn home(&self, p: usize) -> usize {
        p - self.slots[p].dist as usize
    }

    pub(super) fn threshold(&self) -> usize {
        let cap = self.cap();
        if self.log2 <= THRESHOLD_BITS {
            cap
        } else {
            cap * LOAD_FACTOR_100 / 100
        }
    }

    /// Zeek's ranged lookup: scan from bucket `b` while slots are occupied by entries of
    /// bucket `b` or earlier. `Ok(slot)` when found, else `Err(stop position)`.
    #[inline]
    pub(super) fn scan(&self, key: KeyRef<'_>, b: usize, end: usize) -> Result<usize, usize> {
        let h = key.h32();
        let mut i = b;
        while i < end {
            let s = self.slots[i];
            if s.id == EMPTY {
                break;
            }
            let home = i - s.dist as usize;
            if home > b {
                break;
            }
            if home == b && s.h32 == h {
                let e = self.entries[s.id as usize].as_ref().expect("live entry");
                if e.key.bytes() == key.bytes() {
                    return Ok(i);
                }
            }
            i += 1;
        }
        Err(i)
    }

    /// Zeek's `LookupIndex`: the current size first, then the regions of older sizes not yet
    /// remapped; a key found there is moved to its current bucket unless an iterator is alive.
    /// `None` when nothing is allocated.
    pub(super) fn probe(&mut self, key: KeyRef<'_>) -> Option<Probe> {
        if self.slots.is_empty() {
            return None;
        }
        let h = key.h32();
        let b = bucket(h, self.log2);
        let miss = match self.scan(key, b, self.cap()) {
            Ok(p) => return Some(Probe::Found(p)),
            Err(stop) => Probe::Missing {
                pos: stop,
                dist: (stop - b) as u32,
            },
        };
        for i in 1..=self.remaps.min(self.log2) {
            let ob = bucket(h, self.log2 - i);
            if (ob as isize) <= self.remap_end {
                if let Ok(mut p) = self.scan(key, ob, self.remap_end as usize + 1) {
                    if self.iters == 0 {
                        if let Some(moved) = self.move_to_current(p) {
                            p = moved;
                        }
                    }
                    return Some(Probe::Found(p));
                }
            }
        }
        Some(miss)
    }

    pub(super) fn alloc(&mut self, e: Entry<V>) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.entries[id as usize] = Some(e);
                id
            }
            None => {
                let id = u32::try_from(self.entries.len()).expect("fewer than 2^32 entries");
                assert!(id != EMPTY, "dictionary too large");
                self.entries.push(Some(e));
                id
            }
        }
    }

    /// The "new key" half of Zeek's `Insert`.
    pub(super) fn add_new(&mut self, key: Key, value: V, pos: usize, dist: u32) -> u32 {
        let h32 = key.h32();
        let id = self.alloc(Entry { key, value });
        if let Some(order) = &mut self.order {
            order.push(id);
        }
        let last = self.place(Slot { id, h32, dist }, pos);
        self.sd_sum += (last - pos) as i64;
        self.sd_samples += 1;
        if self.remap_end >= 0 && pos as isize <= self.remap_end && self.remap_end < last as isize {
            self.remap_end = last as isize;
        }
        self.robust_adjust_on_insert(id, pos, last);
        self.len += 1;
        // Grow when over the load threshold, or when inserts shift long runs: more than 128
        // samples since the last growth averaging a shift above 32, at a load above 25%.
        let crowded = self.sd_samples > MIN_SPACE_DISTANCE_SAMPLES
            && self.sd_sum as u64 > u64::from(self.sd_samples) * SPACE_DISTANCE_THRESHOLD
            && self.len > MIN_LOAD_FACTOR_100 * self.cap() / 100;
        if self.len > self.threshold() || crowded {
            self.grow();
        }
        id
    }

    /// One past the last slot of the cluster that slot `p` (occupied) belongs to.
    pub(super) fn cluster_end(&self, p: usize) -> usize {
        let home = self.home(p);
        let mut i = p;
        while i < self.cap() && self.occupied(i) && self.home(i) == home {
            i += 1;
        }
        i
    }

    /// Places `e` at `p`, pushing the first entry of each following cluster to its end
    /// (§4.6). Grows when the chain runs off the table. Returns the last slot written.
    pub(super) fn place(&mut self, mut e: Slot, mut p: usize) -> usize {
        loop {
            if p >= self.cap() {
                debug_assert_eq!(p, self.cap());
                self.grow();
                self.slots[p] = e;
                return p;
            }
            if !self.occupied(p) {
                self.slots[p] = e;
                return p;
            }
            let mut t = self.slots[p];
            let end = self.cluster_end(p);
            t.dist += (end - p) as u32;
            self.slots[p] = e;
            e = t;
            p = end;
        }
    }

    /// Empties slot `p`, pulling back the last entry of each following cluster (§4.7).
    /// Returns the slot finally emptied.
    pub(super) fn backfill(&mut self, mut p: usize) -> usize {
        loop {
            if p + 1 == self.cap() || !self.occupied(p + 1) || self.slots[p + 1].dist == 0 {
                self.slots[p] = EMPTY_SLOT;
                return p;
            }
            let t = self.cluster_end(p + 1) - 1;
            self.slots[p] = self.slots[t];
            self.slots[p].dist -= (t - p) as u32;
            p = t;
        }
    }

    /// §4.8: one more bucket bit; existing entries stay put until remapped.
    pub(super) fn grow(&mut self) {
        let old = self.cap();
        self.log2 += 1;
        self.slots.resize(capacity_for(self.log2), EMPTY_SLOT);
        self.remap_end = old as isize;
        self.remaps += 1;
        self.sd_sum = 0;
        self.sd_samples = 0;
    }

    /// §4.9: up to 16 successful moves, scanning down from `remap_end`.
    pub(super) fn remap_batch(&mut self) {
        if self.iters > 0 {
            return;
        }
        let mut budget = REMAP_BUDGET;
        while self.remap_end >= 0 && budget > 0 {
            let p = self.remap_end as usize;
            if self.occupied(p) && self.move_to_current(p).is_some() {
                budget -= 1;
            } else {
                self.remap_end -= 1;
            }
        }
        if self.remap_end < 0 {
            self.remaps = 0;
        }
    }

    /// Moves the entry at `p` to its bucket for the current size, if it is not there.
    /// Returns its new slot.
    pub(super) fn move_to_current(&mut self, p: usize) -> Option<usize> {
        let e = self.slots[p];
        let want = bucket(e.h32, self.log2);
        if self.home(p) == want {
            return None;
        }
        self.backfill(p);
        let mut q = want;
        while q < self.cap() && self.occupied(q) && self.home(q) <= want {
            q += 1;
        }
        self.place(
            Slot {
                dist: (q - want) as u32,
                ..e
            },
            q,
        );
        Some(q)
    }
}
