//! Reference scenarios where the order depends on the history of operations: deletes,
//! growth, incremental remap, lookups that move entries, live `for` loops, modification
//! during a loop, `clear_table`: 07, 15, 20, 24, 25, 26, 27 and 33.

mod common;

use common::*;
use zest_dict::{Dict, Key, KeyHasher};

fn counts(s: &Dict<()>) -> Vec<String> {
    render(s, |k, _| read_count(k).to_string())
}

fn strings(s: &Dict<()>) -> Vec<String> {
    render(s, |k, _| as_str(k))
}

#[test]
fn s07_insert_delete_reinsert() {
    let h = btest();
    let c = |i| count(&h, i);
    let mut s = Dict::new();
    let mut out = String::new();
    let mut show =
        |tag: &str, s: &Dict<()>| out.push_str(&format!("{}\n", show_line(tag, &counts(s))));
    (1..=50).for_each(|i| add(&mut s, &c(i)));
    show("insert 1..50", &s);
    (2..=50).step_by(2).for_each(|i| del(&mut s, &c(i)));
    show("delete evens", &s);
    (2..=50).step_by(2).for_each(|i| add(&mut s, &c(i)));
    show("re-add evens", &s);
    (1..=25).for_each(|i| del(&mut s, &c(i)));
    show("delete 1..25", &s);
    (100..=130).for_each(|i| add(&mut s, &c(i)));
    show("add 100..130", &s);
    (1..=25).for_each(|i| add(&mut s, &c(i)));
    show("re-add 1..25", &s);
    (1..=130).for_each(|i| del(&mut s, &c(i)));
    show("delete all", &s);
    (1..=5).rev().for_each(|i| add(&mut s, &c(i)));
    show("add 5..1 into emptied set", &s);
    assert_eq!(out, reference("07-insert-delete-reinsert.out"));
}

#[test]
fn s15_lookup_during_remap() {
    let h = btest();
    let c = |i| count(&h, i);
    let (mut a, mut b) = (Dict::new(), Dict::new());
    let mut out = String::new();
    let mut show =
        |tag: &str, s: &Dict<()>| out.push_str(&format!("{}\n", show_line(tag, &counts(s))));
    for i in 1..=53 {
        add(&mut a, &c(i));
        add(&mut b, &c(i));
    }
    show("a after 53 inserts", &a);
    show("b after 53 inserts", &b);
    let hits = (1..=53).rev().filter(|&i| has(&mut b, &c(i))).count();
    show("a untouched", &a);
    show("b after lookups 53..1", &b);
    add(&mut a, &c(54));
    add(&mut b, &c(54));
    show("a after insert 54", &a);
    show("b after insert 54", &b);
    add(&mut a, &c(55));
    add(&mut b, &c(55));
    show("a after insert 55", &a);
    show("b after insert 55", &b);
    let lines: Vec<&str> = out.lines().collect();
    let want = format!(
        "{}\n{hits}\n{}\n",
        lines[..2].join("\n"),
        lines[2..].join("\n")
    );
    assert_eq!(want, reference("15-lookup-during-remap.out"));
}

#[test]
fn s20_clear_and_reuse() {
    let h = btest();
    let w = |p: &str, i: u32| string(&h, &format!("{p}{i}"));
    let (mut a, mut b, mut f) = (Dict::new(), Dict::new(), Dict::new());
    for i in 0..30 {
        add(&mut a, &w("w", i));
        add(&mut b, &w("w", i));
    }
    a.clear();
    (0..30).for_each(|i| del(&mut b, &w("w", i)));
    let mut out = format!("{}, {}\n", a.len(), b.len());
    for i in 0..6 {
        add(&mut a, &w("n", i));
        add(&mut b, &w("n", i));
        add(&mut f, &w("n", i));
    }
    for (tag, s) in [("cleared", &a), ("emptied by delete", &b), ("fresh", &f)] {
        out.push_str(&format!("{tag}: {}\n", strings(s).join(" ")));
    }
    assert_eq!(out, reference("20-clear-and-reuse.out"));
}

#[test]
fn s24_word_count_default() {
    let h = btest();
    let text = "the quick brown fox jumps over the lazy dog and the dog sleeps while the fox runs far away from the old barn where a cat and a cow and a horse live with many more animals such as goats sheep pigs ducks geese chickens turkeys rabbits mice rats owls bats bees ants flies worms snails frogs toads newts lizards snakes";
    let mut t: Dict<u64> = Dict::new();
    for w in text.split(' ') {
        let k = string(&h, w);
        // t[w] += 1 with &default = 0: a lookup, then an insertion.
        let n = t.find(k.key_ref()).copied().unwrap_or(0);
        t.insert(k.key_ref(), n + 1);
    }
    let items = render(&t, |k, v| format!("[{}] = {v}", as_str(k)));
    assert_eq!(
        format!("{}\n{}\n", t.len(), braces(&items)),
        reference("24-word-count-default.out")
    );
}

#[test]
fn s25_strings_200_with_deletes() {
    let h = btest();
    let id = |i: u64| string(&h, &format!("id-{:x}", i * 2_654_435_761 % 4_294_967_296));
    let n = |i: u64| string(&h, &format!("n{i}"));
    let mut s = Dict::new();
    let mut out = String::new();
    let mut show =
        |tag: &str, s: &Dict<()>| out.push_str(&format!("{}\n", show_line(tag, &strings(s))));
    (0..200).for_each(|i| add(&mut s, &id(i)));
    show("200 keys", &s);
    (0..200).step_by(7).for_each(|i| del(&mut s, &id(i)));
    show("after deletes", &s);
    for i in 1000..1100 {
        add(&mut s, &n(i));
        if i % 10 == 0 {
            del(&mut s, &n(i - 5));
        }
    }
    show("after more", &s);
    assert_eq!(out, reference("25-strings-200-with-deletes.out"));
}

/// Runs `body` for each entry of a script `for` loop over `d` (a live cursor).
fn for_loop<V>(d: &mut Dict<V>, mut body: impl FnMut(&mut Dict<V>, &Key)) {
    if d.is_empty() {
        return;
    }
    let mut c = d.cursor();
    while let Some(id) = d.cursor_next(&mut c) {
        let k = d.key(id).unwrap().clone();
        body(d, &k);
    }
    d.release(c);
}

#[test]
fn s26_lookup_inside_loop() {
    let h = btest();
    let c = |i| count(&h, i);
    let (mut a, mut b) = (Dict::new(), Dict::new());
    for i in 1..=53 {
        add(&mut a, &c(i));
        add(&mut b, &c(i));
    }
    let mut n = 0;
    for_loop(&mut a, |a, k| {
        if has(a, &c(read_count(k) + 1)) {
            n += 1;
        }
    });
    for_loop(&mut b, |_, _| n += 1);
    for i in 1..=53 {
        if has(&mut b, &c(i + 1)) {
            n += 1;
        }
    }
    let out = format!(
        "{n}\n{}\n{}\n",
        show_line("a (lookups inside loop)", &counts(&a)),
        show_line("b (lookups outside loop)", &counts(&b))
    );
    assert_eq!(out, reference("26-lookup-inside-loop.out"));
}

#[test]
fn s27_modify_during_loop() {
    let h = btest();
    let c = |i| count(&h, i);
    let mut out = String::new();
    let mut warnings = Vec::new();
    let mut s = Dict::new();
    (1..=40).for_each(|i| add(&mut s, &c(i)));
    out.push_str(&format!("{}\n", braces(&counts(&s))));
    for_loop(&mut s, |s, k| {
        let v = read_count(k);
        out.push_str(&format!("visit {v}\n"));
        if v % 3 == 0 && s.remove(k.key_ref()).is_some() && s.has_plain_iterators() {
            warnings.push("line 19: possible loop/iterator invalidation (s[k])");
        }
    });
    out.push_str(&format!("{}\n", braces(&counts(&s))));
    let mut t = Dict::new();
    (1..=20).for_each(|i| add(&mut t, &c(i)));
    for_loop(&mut t, |t, k| {
        let v = read_count(k);
        out.push_str(&format!("visit {v}\n"));
        if v <= 20
            && v % 5 == 0
            && t.insert(c(100 + v).key_ref(), ()).is_none()
            && t.has_plain_iterators()
        {
            warnings.push("line 33: possible loop/iterator invalidation (t[100 + k])");
        }
    });
    out.push_str(&format!("{}\n", braces(&counts(&t))));
    assert_eq!(out, reference("27-modify-during-loop.out"));
    let err: String = warnings
        .iter()
        .map(|w| format!("expression warning in ./27-modify-during-loop.zeek, {w}\n"))
        .collect();
    assert_eq!(err, reference("27-modify-during-loop.err"));
}

fn subnet(h: &KeyHasher, i: u32) -> Key {
    key(h, |k| {
        k.write_subnet(format!("10.0.{i}.0").parse().unwrap(), 24)
    })
}

#[test]
fn s33_subnet_reads_no_move() {
    let h = btest();
    let mut s = Dict::new();
    (0..53).for_each(|i| add(&mut s, &subnet(&h, i)));
    let text = |s: &Dict<()>| {
        render(s, |k, _| {
            let (n, w) = zest_dict::KeyReader::new(k.bytes()).read_subnet().unwrap();
            format!("{n}/{w}")
        })
        .join(" ")
    };
    let mut out = format!("after 53 adds: {}\n", text(&s));
    // Reads of a subnet-indexed table go to Zeek's prefix table, not the dictionary: an
    // exact read is `get`, which moves nothing; `10.0.0.1 in s` is a longest-prefix match
    // outside the dictionary altogether (it hits 10.0.0.0/24).
    let mut hits = 0;
    for i in (0..53).rev() {
        hits += usize::from(s.get(subnet(&h, i).key_ref()).is_some());
        hits += 1;
    }
    out.push_str(&format!("{hits}\nafter 106 reads: {}\n", text(&s)));
    del(&mut s, &subnet(&h, 52));
    out.push_str(&format!("after a delete: {}\n", text(&s)));
    assert_eq!(out, reference("33-subnet-reads-no-move.out"));
}
