//! Reference scenarios about `&ordered`, output forms, constructors, `copy()`, set
//! operations, global initialisers with `redef +=`, and the table built-ins: 16, 17, 18, 22
//! and 31.

mod common;

use common::*;
use zest_dict::{ops, Dict};

fn counts(s: &Dict<()>) -> Vec<String> {
    render(s, |k, _| read_count(k).to_string())
}

fn lines(items: &[String]) -> String {
    items.iter().map(|s| format!("{s}\n")).collect()
}

#[test]
fn s16_ordered() {
    let h = btest();
    let mut out = String::new();
    let mut t = Dict::new_ordered();
    let words = [
        "zulu", "alpha", "mike", "bravo", "yankee", "charlie", "x-ray", "delta",
    ];
    for (i, w) in words.iter().enumerate() {
        t.insert(string(&h, w).key_ref(), i as u64);
    }
    let table = |t: &Dict<u64>| braces(&render(t, |k, v| format!("[{}] = {v}", as_str(k))));
    out.push_str(&format!("{}\n", table(&t)));
    del(&mut t, &string(&h, "mike"));
    t.insert(string(&h, "mike").key_ref(), 100);
    t.insert(string(&h, "alpha").key_ref(), 200);
    out.push_str(&format!("{}\n", table(&t)));
    let mut c = t.zeek_copy();
    assert!(c.is_ordered());
    c.insert(string(&h, "new").key_ref(), 1);
    out.push_str(&format!("{}\n", table(&c)));

    let mut s = Dict::new_ordered();
    (1..=20).rev().for_each(|i| add(&mut s, &count(&h, i)));
    out.push_str(&format!("{}\n", braces(&counts(&s))));
    let mut cur = s.cursor();
    while let Some(id) = s.cursor_next(&mut cur) {
        let k = read_count(s.key(id).unwrap());
        if k % 2 == 0 {
            out.push_str(&format!("{k}\n"));
        }
    }
    s.release(cur);
    s.clear();
    assert!(!s.is_ordered());
    (1..=20).rev().for_each(|i| add(&mut s, &count(&h, i)));
    out.push_str(&format!("{}\n", braces(&counts(&s))));
    assert_eq!(out, reference("16-ordered.out"));
}

#[test]
fn s17_output_forms() {
    let h = btest();
    let mut t = Dict::new();
    let mut s = Dict::new();
    for i in 0..12u64 {
        t.insert(string(&h, &format!("k{i}")).key_ref(), i);
        add(&mut s, &count(&h, i * 7));
    }
    let ti = render(&t, |k, v| format!("[{}] = {v}", as_str(k)));
    let si = counts(&s);
    // fmt("%s") / cat() indent with a tab; print then escapes the control characters.
    let tabbed = |items: &[String]| {
        let body: Vec<String> = items.iter().map(|i| format!("\\x0a\\x09{i}")).collect();
        format!("{{{}\\x0a}}", body.join(","))
    };
    let tjson = render(&t, |k, v| format!("\"{}\":{v}", as_str(k))).join(",");
    let mut out = String::new();
    out.push_str(&format!("{}\n{}\n", braces(&ti), braces(&si)));
    out.push_str(&format!("{}\n{}\n", tabbed(&ti), tabbed(&si)));
    out.push_str(&format!("{}\n{}\n", tabbed(&ti), tabbed(&si)));
    out.push_str(&format!("{{{tjson}}}\n[{}]\n", si.join(",")));
    out.push_str(&lines(&render(&t, |k, _| as_str(k))));
    out.push_str(&lines(&si));
    out.push_str(&format!("{}, {}\n", braces(&ti), braces(&si)));

    let mut tt = Dict::new();
    for (n, s, b) in [(1u64, "a", true), (2, "b", false), (3, "c", true)] {
        let k = key(&h, |k| {
            k.write_count(n);
            k.write_string(s.as_bytes());
        });
        tt.insert(k.key_ref(), b);
    }
    let parts = |k: &zest_dict::Key| {
        let mut r = zest_dict::KeyReader::new(k.bytes());
        (
            r.read_count().unwrap(),
            String::from_utf8_lossy(r.read_string().unwrap()).into_owned(),
        )
    };
    let json = render(&tt, |k, v| {
        let (n, s) = parts(k);
        format!("\"[{n},\\\"{s}\\\"]\":{v}")
    });
    out.push_str(&format!("{{{}}}\n", json.join(",")));
    let items = render(&tt, |k, v| {
        let (n, s) = parts(k);
        format!("[{n}, {s}] = {}", if *v { "T" } else { "F" })
    });
    out.push_str(&format!("{}\n", braces(&items)));
    assert_eq!(out, reference("17-output-forms.out"));
}

fn set_of(h: &zest_dict::KeyHasher, keys: impl IntoIterator<Item = u64>) -> Dict<()> {
    let mut s = Dict::new();
    keys.into_iter().for_each(|i| add(&mut s, &count(h, i)));
    s
}

fn print_set(out: &mut String, s: &Dict<()>) {
    out.push_str(&format!("{}\n", braces(&counts(s))));
}

#[test]
fn s18_constructors_copy_setops() {
    let h = btest();
    let mut out = String::new();
    let mut a = set_of(&h, 11..=25);
    print_set(&mut out, &a);
    let mut a2 = set_of(&h, (11..=25).rev());
    print_set(&mut out, &a2);
    out.push_str(if ops::equal(&a, &mut a2) {
        "T\n"
    } else {
        "F\n"
    });
    let c = a.zeek_copy();
    print_set(&mut out, &c);
    print_set(&mut out, &c.zeek_copy());
    let mut t = Dict::new();
    let names = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    for (i, n) in names.iter().enumerate() {
        t.insert(string(&h, n).key_ref(), i + 1);
    }
    let table = |t: &Dict<usize>| braces(&render(t, |k, v| format!("[{}] = {v}", as_str(k))));
    out.push_str(&format!("{}\n{}\n", table(&t), table(&t.zeek_copy())));
    let mut b = set_of(&h, 20..=30);
    print_set(&mut out, &ops::union(&a, &b));
    print_set(&mut out, &ops::union(&b, &a));
    print_set(&mut out, &ops::intersection(&mut a, &mut b));
    print_set(&mut out, &ops::intersection(&mut b, &mut a));
    print_set(&mut out, &ops::difference(&a, &b));
    print_set(&mut out, &ops::difference(&b, &a));
    let mut u = set_of(&h, 1..=10);
    print_set(&mut out, &u);
    u.insert_all(&b);
    print_set(&mut out, &u);
    u.remove_all(&set_of(&h, 1..=3));
    print_set(&mut out, &u);
    assert_eq!(out, reference("18-constructors-copy-setops.out"));
}

#[test]
fn s22_global_init_redef() {
    let h = btest();
    let strings = |words: &[&str]| {
        let mut s = Dict::new();
        words.iter().for_each(|w| add(&mut s, &string(&h, w)));
        s
    };
    let mut g = strings(&[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ]);
    g.insert_all(&strings(&[
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "twenty-one",
        "twenty-two",
    ]));
    let letters = |r: std::ops::RangeInclusive<u64>| {
        let mut t = Dict::new();
        for i in r {
            t.insert(count(&h, i).key_ref(), char::from(b'a' + (i - 1) as u8));
        }
        t
    };
    let mut gt = letters(1..=9);
    gt.insert_all(&letters(10..=20));
    let cs = set_of(&h, 31..=40);
    let gs2 = set_of(&h, 101..=112);
    let ls = set_of(&h, 101..=112);
    let out = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        braces(&render(&g, |k, _| as_str(k))),
        braces(&render(&gt, |k, v| format!("[{}] = {v}", read_count(k)))),
        braces(&counts(&cs)),
        braces(&counts(&gs2)),
        braces(&counts(&ls)),
    );
    assert_eq!(out, reference("22-global-init-redef.out"));
}

#[test]
fn s31_table_keys_values_join() {
    let h = btest();
    let mut t = Dict::new();
    for i in 0..15u64 {
        t.insert(string(&h, &format!("e{i}")).key_ref(), i);
    }
    // table_keys(): a new set filled in t's iteration order.
    let mut ks = Dict::new();
    for k in t.keys() {
        ks.insert(k.key_ref(), ());
    }
    let kitems = render(&ks, |k, _| as_str(k));
    let values: Vec<String> = t.values().map(u64::to_string).collect();
    let out = format!(
        "{}\n[{}]\n{}\n{}\n{}",
        braces(&render(&t, |k, v| format!("[{}] = {v}", as_str(k)))),
        values.join(", "),
        braces(&kitems),
        kitems.join(","),
        lines(&render(&t, |k, v| format!("{}, {v}", as_str(k)))),
    );
    assert_eq!(out, reference("31-table-keys-values-join.out"));
}
