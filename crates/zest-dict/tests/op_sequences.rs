//! Reference scenarios driven by operation vectors read from the scenario scripts
//! (0 add, 1 delete, 2 membership test, 3 print the order): 28 (crafted keys that run into
//! the overflow slots and grow the table from inside an insertion), 29 (the space-distance
//! growth rule) and 30 (1500 pseudo-random operations on strings).

mod common;

use common::*;
use zest_dict::{Dict, Key};

/// Replays `ops` with `keys` on a fresh set; returns the printed lines.
fn replay(ops: &[i64], keys: &[Key], text: impl Fn(&Key) -> String) -> String {
    let mut s = Dict::new();
    let mut out = String::new();
    for (op, k) in ops.iter().zip(keys) {
        match op {
            0 => add(&mut s, k),
            1 => del(&mut s, k),
            2 => {
                has(&mut s, k);
            }
            _ => {
                let items: Vec<String> = s.keys().map(&text).collect();
                out.push_str(&items.join(" "));
                out.push('\n');
            }
        }
    }
    out
}

fn count_scenario(name: &str) {
    let h = btest();
    let src = reference(&format!("{name}.zeek"));
    let ops = script_vector(&src, "ops");
    let keys: Vec<Key> = script_vector(&src, "keys")
        .iter()
        .map(|&k| count(&h, k as u64))
        .collect();
    assert_eq!(ops.len(), keys.len());
    let out = replay(&ops, &keys, |k| read_count(k).to_string());
    assert_eq!(out, reference(&format!("{name}.out")));
}

#[test]
fn s28_collisions_tail() {
    count_scenario("28-collisions-tail");
}

#[test]
fn s29_collisions_space_distance() {
    count_scenario("29-collisions-space-distance");
}

#[test]
fn s30_random_ops_strings() {
    let h = btest();
    let src = reference("30-random-ops-strings.zeek");
    let ops = script_vector(&src, "ops");
    let keys: Vec<Key> = script_vector(&src, "keys")
        .iter()
        .map(|k| string(&h, &format!("s{k}")))
        .collect();
    let out = replay(&ops, &keys, as_str);
    assert_eq!(out, reference("30-random-ops-strings.out"));
}
