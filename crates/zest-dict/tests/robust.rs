//! Robust iterators (table expiration) have no reference vectors; these tests check the
//! properties Zeek's algorithm has: without modifications it follows the slot order of a
//! plain walk; removing the entry just returned (what expiration does) still visits every
//! entry exactly once; insertions never hide an existing entry; with arbitrary modifications
//! it terminates and returns only live entries (it may return one twice or skip one, see the
//! `robust` module docs). They also check that a live robust iterator suspends the
//! incremental remap like any iterator.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use zest_dict::{Dict, Key, KeyHasher};

/// xorshift64*, for reproducible operation mixes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn h() -> KeyHasher {
    zest_dict::Seeds::zero().hasher()
}

#[test]
fn unmodified_follows_slot_order() {
    let h = h();
    for n in [0u64, 1, 2, 17, 53, 300] {
        let mut s = Dict::new();
        (0..n).for_each(|i| add(&mut s, &count(&h, i * 31 + 7)));
        let walk: Vec<u64> = s.keys().map(read_count).collect();
        let mut got = Vec::new();
        let c = s.robust_cursor();
        while let Some(id) = s.robust_current(&c) {
            got.push(read_count(s.key(id).unwrap()));
            s.robust_advance(&c);
        }
        assert_eq!(got, walk);
        assert!(!s.robust_is_live(&c));
        assert_eq!(
            s.live_iterators(),
            0,
            "completing the walk releases the iterator"
        );
    }
}

/// A random set of counts for `seed`, plus the key pool size and the generator.
fn random_set(h: &KeyHasher, seed: u64) -> (Dict<()>, u64, Rng) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let pool = 20 + rng.next() % 1000;
    let mut s = Dict::new();
    for _ in 0..rng.next() % pool {
        add(&mut s, &count(h, rng.next() % pool));
    }
    (s, pool, rng)
}

/// Walks `s` robustly, calling `step` after each returned entry; returns how often each
/// key was returned. Every returned entry must be live.
fn walk(s: &mut Dict<()>, mut step: impl FnMut(&mut Dict<()>, &Key)) -> HashMap<u64, u32> {
    let mut seen = HashMap::new();
    let c = s.robust_cursor();
    let mut steps = 0;
    while let Some(id) = s.robust_current(&c) {
        let k = s.key(id).expect("a live entry").clone();
        assert!(s.get(k.key_ref()).is_some());
        *seen.entry(read_count(&k)).or_insert(0) += 1;
        step(s, &k);
        s.robust_advance(&c);
        steps += 1;
        assert!(steps < 100_000, "no progress");
    }
    assert!(!s.robust_is_live(&c));
    assert_eq!(
        s.live_iterators(),
        0,
        "completing the walk releases the iterator"
    );
    seen
}

/// Expiration's pattern: sometimes remove the entry just returned.
#[test]
fn removing_the_current_entry_visits_each_once() {
    let h = h();
    for seed in 1..=300 {
        let (mut s, _, mut rng) = random_set(&h, seed);
        let initial: Vec<u64> = s.keys().map(read_count).collect();
        let seen = walk(&mut s, |s, k| {
            if rng.next() % 3 == 0 {
                s.remove(k.key_ref());
            }
        });
        assert_eq!(seen.len(), initial.len(), "seed {seed}");
        assert!(
            initial.iter().all(|v| seen.get(v) == Some(&1)),
            "seed {seed}"
        );
    }
}

#[test]
fn insertions_do_not_hide_existing_entries() {
    let h = h();
    for seed in 1..=300 {
        let (mut s, pool, mut rng) = random_set(&h, seed);
        let initial: HashSet<u64> = s.keys().map(read_count).collect();
        let seen = walk(&mut s, |s, _| {
            for _ in 0..rng.next() % 3 {
                add(s, &count(&h, rng.next() % (2 * pool)));
            }
        });
        assert!(initial.iter().all(|v| seen.contains_key(v)), "seed {seed}");
    }
}

/// Arbitrary insertions and removals: Zeek's algorithm may then return an entry twice or
/// skip one, but it terminates and returns only live entries (checked in `walk`).
#[test]
fn mixed_modifications_return_live_entries() {
    let h = h();
    for seed in 1..=300 {
        let (mut s, pool, mut rng) = random_set(&h, seed);
        walk(&mut s, |s, _| {
            for _ in 0..rng.next() % 4 {
                let k: Key = count(&h, rng.next() % pool);
                if rng.next() % 2 == 0 {
                    add(s, &k);
                } else {
                    s.remove(k.key_ref());
                }
            }
        });
    }
}

#[test]
fn robust_iterator_suspends_remap() {
    let h = h();
    let mut s = Dict::new();
    (1..=53).for_each(|i| add(&mut s, &count(&h, i)));
    assert!(s.remap_end().is_some(), "53 entries leave a remap pending");
    let c = s.robust_cursor();
    let before: Vec<u64> = s.keys().map(read_count).collect();
    (1..=53).for_each(|i| {
        has(&mut s, &count(&h, i));
    });
    add(&mut s, &count(&h, 1)); // existing key: would run a remap step
    assert_eq!(s.keys().map(read_count).collect::<Vec<_>>(), before);
    s.robust_release(c);
    assert_eq!(s.live_iterators(), 0);
    add(&mut s, &count(&h, 1));
    assert_ne!(s.keys().map(read_count).collect::<Vec<_>>(), before);
}

#[test]
fn clear_makes_cursors_inert() {
    let h = h();
    let mut s = Dict::new_ordered();
    (1..=10).for_each(|i| add(&mut s, &count(&h, i)));
    let mut plain = s.cursor();
    let robust = s.robust_cursor();
    assert!(s.cursor_next(&mut plain).is_some());
    s.clear();
    assert_eq!(s.live_iterators(), 0);
    assert_eq!(s.cursor_next(&mut plain), None);
    assert_eq!(s.robust_current(&robust), None);
    s.release(plain);
    s.robust_release(robust);
    assert_eq!(s.live_iterators(), 0);
    assert!(!s.is_ordered());
}
