//! Reference scenarios with single-type (singleton) keys: 01, 02, 03, 04, 06, 08, 09, 10,
//! 11, 12 and 23. Each test performs the script's dictionary operations and rebuilds the
//! complete stdout, compared byte for byte with Zeek's.

mod common;

use common::*;
use zest_dict::{Dict, KeyHasher, Proto, Seeds};

fn set_of_counts(h: &KeyHasher, keys: impl IntoIterator<Item = u64>) -> Dict<()> {
    let mut s = Dict::new();
    for i in keys {
        add(&mut s, &count(h, i));
    }
    s
}

fn count_items(s: &Dict<()>) -> Vec<String> {
    render(s, |k, _| read_count(k).to_string())
}

fn lines(items: &[String]) -> String {
    items.iter().map(|s| format!("{s}\n")).collect()
}

#[test]
fn s01_set_count_1_20() {
    let s = set_of_counts(&btest(), 1..=20);
    let items = count_items(&s);
    let out = format!("{}\n{}", braces(&items), lines(&items));
    assert_eq!(out, reference("01-set-count-1-20.out"));
}

/// The slot array after each of the 20 inserts, as in the reference model trace.
#[test]
fn s01_trace_slot_arrays() {
    let h = btest();
    let trace = reference("trace-01-set-count-1-20.txt");
    let mut lines = trace.lines();
    let mut s: Dict<()> = Dict::new();
    for i in 1..=20u64 {
        add(&mut s, &count(&h, i));
        let head = lines
            .by_ref()
            .find(|l| l.starts_with("add "))
            .expect("trace entry");
        let slots = lines.next().unwrap().trim();
        let remap = s.remap_end().map_or(-1, |r| r as i64);
        let want_head = format!(
            "add {i:2} -> L={} cap={} remap_end={remap}",
            s.log2_buckets(),
            s.layout().len()
        );
        assert_eq!(head, want_head);
        let got: Vec<String> = s
            .layout()
            .iter()
            .enumerate()
            .map(|(p, slot)| match slot {
                None => format!("{p}:-"),
                Some(info) => {
                    let k = read_count(s.key(info.id).unwrap());
                    format!("{p}:{k}@{}+{}", info.home, info.dist)
                }
            })
            .collect();
        assert_eq!(got.join(" "), slots, "after add {i}");
    }
}

fn escape(s: &[u8]) -> String {
    s.iter()
        .map(|&c| {
            if (0x20..0x7f).contains(&c) {
                (c as char).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect()
}

#[test]
fn s02_set_string_30_words() {
    let h = btest();
    let words = [
        "apple",
        "banana",
        "cherry",
        "date",
        "elderberry",
        "fig",
        "grape",
        "honeydew",
        "kiwi",
        "lemon",
        "mango",
        "nectarine",
        "orange",
        "papaya",
        "quince",
        "raspberry",
        "strawberry",
        "tangerine",
        "ugli",
        "vanilla",
        "watermelon",
        "xigua",
        "yam",
        "zucchini",
        "",
        "a",
        "A",
        "apple pie",
        "long string with spaces and more than thirty-two bytes",
        "\x00\x01bin",
    ];
    let mut s = Dict::new();
    for w in words {
        add(&mut s, &string(&h, w));
    }
    let items = render(&s, |k, _| escape(k.bytes()));
    let out = format!("{}\n{}\n{}", s.len(), braces(&items), lines(&items));
    assert_eq!(out, reference("02-set-string-30-words.out"));
}

#[test]
fn s03_table_string_count_deletes() {
    let h = btest();
    let mut t: Dict<u64> = Dict::new();
    for i in 0..40u64 {
        t.insert(string(&h, &format!("key{i}")).key_ref(), i);
        if i % 3 == 2 {
            del(&mut t, &string(&h, &format!("key{}", i - 1)));
        }
    }
    t.insert(string(&h, "key0").key_ref(), 1000);
    t.insert(string(&h, "key39").key_ref(), 3900);
    let items = render(&t, |k, v| format!("[{}] = {v}", as_str(k)));
    let pairs = render(&t, |k, v| format!("{}, {v}", as_str(k)));
    let out = format!("{}\n{}\n{}", t.len(), braces(&items), lines(&pairs));
    assert_eq!(out, reference("03-table-string-count-deletes.out"));
}

#[test]
fn s04_set_addr() {
    let h = btest();
    let addrs = [
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.3",
        "192.168.1.1",
        "192.168.1.2",
        "127.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "1.2.3.4",
        "::1",
        "2001:db8::1",
        "2001:db8::2",
        "fe80::1",
        "::",
        "::ffff:1.2.3.5",
        "2001:db8:0:0:0:0:0:ff",
        "1.2.3.4",
    ];
    let mut s = Dict::new();
    for a in addrs {
        add(&mut s, &addr(&h, a));
    }
    let items = render(&s, |k, _| addr_text(k.bytes().try_into().unwrap()));
    let out = format!("{}\n{}\n{}", s.len(), braces(&items), lines(&items));
    assert_eq!(out, reference("04-set-addr.out"));
}

#[test]
fn s06_set_count_1000() {
    let s = set_of_counts(&btest(), 1..=1000);
    let out = format!("{}\n{}", s.len(), lines(&count_items(&s)));
    assert_eq!(out, reference("06-set-count-1000.out"));
}

#[test]
fn s08_int_keys() {
    let h = btest();
    let mut s = Dict::new();
    for i in (-10..=10).chain([-9_223_372_036_854_775_807, 9_223_372_036_854_775_807]) {
        add(&mut s, &int(&h, i));
    }
    let mut t = Dict::new();
    for (k, v) in [(-1, "minus one"), (0, "zero"), (1, "one"), (100, "hundred")] {
        t.insert(int(&h, k).key_ref(), v);
    }
    let a = render(&s, |k, _| read_int(k).to_string());
    let b = render(&t, |k, v| format!("[{}] = {v}", read_int(k)));
    assert_eq!(
        format!("{}\n{}\n", braces(&a), braces(&b)),
        reference("08-int-keys.out")
    );
}

fn double_key(h: &KeyHasher, v: f64) -> zest_dict::Key {
    key(h, |k| k.write_double(v))
}

fn read_double(k: &zest_dict::Key) -> f64 {
    f64::from_le_bytes(k.bytes().try_into().unwrap())
}

#[test]
fn s09_double_time_interval() {
    let h = btest();
    let dv = [
        0.0, 1.0, 1.5, -1.5, 2.25, 100.0, 0.1, 3.0, 1e10, -0.0, 7.5, 42.0,
    ];
    let mut d = Dict::new();
    for x in dv {
        add(&mut d, &double_key(&h, x));
    }
    // Zeek prints 1e10 as "1e+10" and both zeros as "0.0"; the rest like Rust's `{:?}`.
    let dtext = |v: f64| match v {
        1e10 => "1e+10".to_string(),
        0.0 => "0.0".to_string(),
        v => format!("{v:?}"),
    };
    let mut t = Dict::new();
    for i in 0..10 {
        add(
            &mut t,
            &double_key(&h, 1_600_000_000.0 + f64::from(i) * 0.5),
        );
    }
    let ivals: [(f64, &str); 10] = [
        (1.0, "1.0 sec"),
        (2.0, "2.0 secs"),
        (60.0, "1.0 min"),
        (3600.0, "1.0 hr"),
        (86400.0, "1.0 day"),
        (0.0, "0 secs"),
        (-5.0, "-5.0 secs"),
        (250.0 * 1e-3, "250.0 msecs"),
        (3.0 * 1e-6, "3.0 usecs"),
        (600.0, "10.0 mins"),
    ];
    let mut iv = Dict::new();
    for (v, _) in ivals {
        add(&mut iv, &double_key(&h, v));
    }
    let ilabel = |v: f64| ivals.iter().find(|(x, _)| *x == v).unwrap().1.to_string();
    let out = format!(
        "{}\n{}{}\n",
        braces(&render(&d, |k, _| dtext(read_double(k)))),
        lines(&render(&t, |k, _| format!("{:?}", read_double(k)))),
        braces(&render(&iv, |k, _| ilabel(read_double(k)))),
    );
    assert_eq!(out, reference("09-double-time-interval.out"));
}

#[test]
fn s10_bool_enum_port() {
    let h = btest();
    let mut b = Dict::new();
    for v in [true, false] {
        add(&mut b, &key(&h, |k| k.write_bool(v)));
    }
    let colors = [
        "RED", "GREEN", "BLUE", "CYAN", "MAGENTA", "YELLOW", "BLACK", "WHITE",
    ];
    let mut c = Dict::new();
    for i in 0..colors.len() {
        add(&mut c, &key(&h, |k| k.write_enum(i as i64)));
    }
    let protos = ["unknown_transport", "tcp", "udp", "icmp"];
    let mut tp = Dict::new();
    for i in 0..protos.len() {
        add(&mut tp, &key(&h, |k| k.write_enum(i as i64)));
    }
    use Proto::*;
    let ports = [
        (80, Tcp),
        (443, Tcp),
        (53, Udp),
        (53, Tcp),
        (22, Tcp),
        (8, Icmp),
        (0, Unknown),
        (123, Udp),
        (8080, Tcp),
        (65535, Tcp),
        (1, Udp),
    ];
    let mut p = Dict::new();
    for (n, pr) in ports {
        add(&mut p, &key(&h, |k| k.write_port(n, pr)));
    }
    let mut pt = Dict::new();
    for (n, pr, name) in [(80, Tcp, "http"), (53, Udp, "dns"), (25, Tcp, "smtp")] {
        pt.insert(key(&h, |k| k.write_port(n, pr)).key_ref(), name);
    }
    let port_text = |v: u64| {
        let proto = ["unknown", "tcp", "udp", "icmp"][(v >> 16) as usize];
        format!("{}/{proto}", v & 0xffff)
    };
    let out = [
        braces(&render(&b, |k, _| {
            (if read_int(k) == 1 { "T" } else { "F" }).to_string()
        })),
        braces(&render(&c, |k, _| colors[read_int(k) as usize].to_string())),
        braces(&render(&tp, |k, _| {
            protos[read_int(k) as usize].to_string()
        })),
        braces(&render(&p, |k, _| port_text(read_count(k)))),
        braces(&render(&pt, |k, v| {
            format!("[{}] = {v}", port_text(read_count(k)))
        })),
    ];
    assert_eq!(lines(&out), reference("10-bool-enum-port.out"));
}

#[test]
fn s11_set_subnet() {
    let h = btest();
    let nets = [
        "10.0.0.0/8",
        "10.1.0.0/16",
        "10.1.2.0/24",
        "192.168.0.0/16",
        "0.0.0.0/0",
        "1.2.3.4/32",
        "2001:db8::/32",
        "::/0",
        "fe80::/10",
        "172.16.0.0/12",
        "10.1.2.3/24",
    ];
    let mut s = Dict::new();
    for n in nets {
        let (a, w) = n.split_once('/').unwrap();
        add(
            &mut s,
            &key(&h, |k| {
                k.write_subnet(a.parse().unwrap(), w.parse().unwrap())
            }),
        );
    }
    let items = render(&s, |k, _| {
        let mut r = zest_dict::KeyReader::new(k.bytes());
        let (a, w) = r.read_subnet().unwrap();
        format!("{a}/{w}")
    });
    assert_eq!(
        format!("{}\n{}", braces(&items), lines(&items)),
        reference("11-set-subnet.out")
    );
}

/// Exact and anywhere texts of `/p/` (or `/p/i`).
fn pattern_texts(p: &str, icase: bool) -> (String, String) {
    let exact = format!("^?({p})$?");
    let anywhere = format!("^?(.|\\n)*({p})");
    if icase {
        (format!("(?i:{exact})"), format!("(?i:{anywhere})"))
    } else {
        (exact, anywhere)
    }
}

#[test]
fn s12_set_pattern() {
    let h = btest();
    let pats = [
        ("foo", false),
        ("bar", false),
        ("a|b", false),
        ("x", true),
        ("[0-9]+", false),
        ("^start", false),
        ("end$", false),
        (".", false),
    ];
    let mut s = Dict::new();
    for (p, i) in pats {
        let (e, a) = pattern_texts(p, i);
        add(
            &mut s,
            &key(&h, |k| {
                k.write_singleton_pattern(e.as_bytes(), a.as_bytes())
            }),
        );
    }
    let mut t = Dict::new();
    for (p, n, v) in [
        ("foo", 1, "a"),
        ("foo", 2, "b"),
        ("bar", 1, "c"),
        ("baz", 9, "d"),
    ] {
        let (e, a) = pattern_texts(p, false);
        let k = key(&h, |k| {
            k.write_pattern(e.as_bytes(), a.as_bytes());
            k.write_count(n);
        });
        t.insert(k.key_ref(), v);
    }
    let a = render(&s, |k, _| {
        let (e, _) = zest_dict::split_singleton_pattern(k.bytes()).unwrap();
        format!("/{}/", String::from_utf8_lossy(e))
    });
    let b = render(&t, |k, v| {
        let mut r = zest_dict::KeyReader::new(k.bytes());
        let (e, _) = r.read_pattern().unwrap();
        let n = r.read_count().unwrap();
        format!("[/{}/, {n}] = {v}", String::from_utf8_lossy(e))
    });
    assert_eq!(
        format!("{}\n{}\n", braces(&a), braces(&b)),
        reference("12-set-pattern.out")
    );
}

#[test]
fn s23_deterministic_d() {
    let h = Seeds::zero().hasher();
    let s = set_of_counts(&h, 1..=20);
    let mut w = Dict::new();
    for x in ["apple", "banana", "cherry", "date", "elderberry", "fig"] {
        add(&mut w, &string(&h, x));
    }
    let out = format!(
        "{}\n{}\n",
        braces(&count_items(&s)),
        braces(&render(&w, |k, _| as_str(k)))
    );
    assert_eq!(out, reference("23-deterministic-D.out"));
}
