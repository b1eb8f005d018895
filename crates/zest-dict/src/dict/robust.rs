//! Zeek's robust iterators (`RobustDictIterator`), which table expiration uses to walk a
//! table a few entries at a time while entries are inserted and removed in between.
//!
//! A robust iterator keeps the next slot to visit plus two lists that the dictionary updates
//! on every insertion and removal: entries inserted behind the iterator's position (returned
//! first, last in first out) and entries already visited that a relocation pushed past it
//! (skipped when reached). It counts as a live iterator, so no remap step or lookup-triggered
//! move happens while it exists.
//!
//! Zeek's bookkeeping is not exact, and neither is this copy of it: an entry that an
//! insertion pushed past the iterator (marked "visited") and that a later removal pulls back
//! is queued again as "inserted" and returned twice; and a removal can make it skip an entry
//! (`HeadOfClusterByPosition` answers the bucket itself when a cluster starts one slot after
//! its bucket). Removing only the entry just returned, as expiration does, visited every
//! entry exactly once in the tests.
//!
//! The spec does not cover these; they follow Zeek 5.2.2's `Dict.h`
//! (`GetNextRobustIteration`, `AdjustOnInsert`, `AdjustOnRemove`). Zeek refuses robust
//! iteration of `&ordered` tables (an internal error); here it walks their slot array.

use super::{Dict, EntryId};

/// A robust iteration over a [`Dict`]; see [`Dict::robust_cursor`].
#[derive(Debug)]
pub struct RobustCursor {
    serial: u32,
    epoch: u32,
}

#[derive(Clone, Debug)]
pub(super) struct RobustState {
    serial: u32,
    /// Next slot to look at; -1 before the first step.
    next: isize,
    /// Entries inserted before `next` while iterating (to be returned, from the back).
    inserted: Vec<u32>,
    /// Visited entries that relocation pushed to `next` or later (to be skipped).
    visited: Vec<u32>,
    /// The current entry; `None` is the end.
    curr: Option<u32>,
}

impl<V> Dict<V> {
    /// Starts a robust iteration and steps to its first entry. It counts as a live iterator
    /// until it reaches the end (it then completes by itself) or is given to
    /// [`Dict::robust_release`].
    pub fn robust_cursor(&mut self) -> RobustCursor {
        self.robust_serial = self.robust_serial.wrapping_add(1);
        let serial = self.robust_serial;
        self.iters += 1;
        self.robust.push(RobustState {
            serial,
            next: -1,
            inserted: Vec::new(),
            visited: Vec::new(),
            curr: None,
        });
        let c = RobustCursor {
            serial,
            epoch: self.epoch,
        };
        self.robust_advance(&c);
        c
    }

    /// The robust iteration's current entry; `None` at the end.
    pub fn robust_current(&self, c: &RobustCursor) -> Option<EntryId> {
        let i = self.robust_index(c)?;
        self.robust[i].curr.map(EntryId)
    }

    /// Steps to the next entry (Zeek's `++it`). Reaching the end completes the iteration.
    pub fn robust_advance(&mut self, c: &RobustCursor) {
        if let Some(i) = self.robust_index(c) {
            let next = self.robust_step(i);
            if let Some(i) = self.robust_index(c) {
                self.robust[i].curr = next;
            }
        }
    }

    /// Abandons a robust iteration (no-op if it already completed).
    pub fn robust_release(&mut self, c: RobustCursor) {
        if let Some(i) = self.robust_index(&c) {
            self.robust_complete(i);
        }
    }

    /// True while the robust iteration has not completed.
    pub fn robust_is_live(&self, c: &RobustCursor) -> bool {
        self.robust_index(c).is_some()
    }

    fn robust_index(&self, c: &RobustCursor) -> Option<usize> {
        if c.epoch != self.epoch {
            return None;
        }
        self.robust.iter().position(|r| r.serial == c.serial)
    }

    fn robust_complete(&mut self, i: usize) {
        self.robust.remove(i);
        self.iters = self.iters.saturating_sub(1);
    }

    /// Next occupied slot after `p` (or the capacity).
    fn next_occupied(&self, p: isize) -> isize {
        let cap = self.cap() as isize;
        let mut p = p + 1;
        while p < cap && !self.occupied(p as usize) {
            p += 1;
        }
        p
    }

    /// `GetNextRobustIteration`.
    fn robust_step(&mut self, i: usize) -> Option<u32> {
        if self.slots.is_empty() {
            self.robust_complete(i);
            return None;
        }
        if let Some(id) = self.robust[i].inserted.pop() {
            return Some(id);
        }
        let cap = self.cap() as isize;
        let mut next = self.robust[i].next;
        if next < 0 {
            next = self.next_occupied(-1);
        }
        if next < cap && !self.occupied(next as usize) {
            next = self.next_occupied(next);
        }
        while next < cap && !self.robust[i].visited.is_empty() {
            let id = self.slots[next as usize].id;
            let visited = &mut self.robust[i].visited;
            match visited.iter().position(|&v| v == id) {
                Some(k) => {
                    visited.remove(k);
                    next = self.next_occupied(next);
                }
                None => break,
            }
        }
        if next >= cap {
            self.robust[i].next = next;
            self.robust_complete(i);
            return None;
        }
        let id = self.slots[next as usize].id;
        self.robust[i].next = self.next_occupied(next);
        Some(id)
    }

    /// `AdjustOnInsert` for every robust iterator: the new entry `id` went to `pos` and the
    /// relocation chain ended at `last`.
    pub(super) fn robust_adjust_on_insert(&mut self, id: u32, pos: usize, last: usize) {
        if self.robust.is_empty() {
            return;
        }
        // Zeek first drops the new entry from both lists; a new key cannot be in them.
        for i in 0..self.robust.len() {
            let next = self.robust[i].next;
            if (pos as isize) < next {
                self.robust[i].inserted.push(id);
                if next <= last as isize {
                    let tail = self.cluster_end(next as usize) - 1;
                    let tid = self.slots[tail].id;
                    self.robust[i].visited.push(tid);
                }
            }
        }
    }

    /// `AdjustOnRemove` for every robust iterator: entry `id` was removed from `pos` and the
    /// backfill emptied slot `last`.
    pub(super) fn robust_adjust_on_remove(&mut self, id: u32, pos: usize, last: usize) {
        if self.robust.is_empty() {
            return;
        }
        let cap = self.cap() as isize;
        for i in 0..self.robust.len() {
            let r = &mut self.robust[i];
            r.inserted.retain(|&x| x != id);
            r.visited.retain(|&x| x != id);
            let mut next = r.next;
            if (pos as isize) < next && next <= last as isize {
                let moved = self.cluster_head(next as usize - 1).max(pos);
                let mid = self.slots[moved].id;
                self.robust[i].inserted.push(mid);
            }
            if next < cap && next >= 0 && !self.occupied(next as usize) {
                next = self.next_occupied(next);
            }
            let next_id = (next >= 0 && next < cap && self.occupied(next as usize))
                .then(|| self.slots[next as usize].id);
            let r = &mut self.robust[i];
            r.next = next;
            if r.curr == Some(id) {
                r.curr = next_id;
            }
        }
    }

    /// `HeadOfClusterByPosition`, including its quirk of answering the bucket itself when the
    /// slot at the bucket holds an entry of another bucket.
    fn cluster_head(&self, p: usize) -> usize {
        let b = self.home(p) as isize;
        let mut i = p as isize;
        while i >= b && self.occupied(i as usize) && self.home(i as usize) as isize == b {
            i -= 1;
        }
        if i == b {
            i as usize
        } else {
            (i + 1) as usize
        }
    }
}
