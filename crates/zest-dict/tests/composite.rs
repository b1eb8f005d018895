//! Reference scenarios with composite keys, records and containers as index values: 05, 13,
//! 14, 21 and 32. Containers printed inside keys are rebuilt from the key bytes the way Zeek
//! does (a fresh table filled in serialised order).

mod common;

use common::*;
use zest_dict::{Dict, FuncIds, Key, KeyBuf, KeyHasher, KeyReader, Proto};

fn lines(items: &[String]) -> String {
    items.iter().map(|s| format!("{s}\n")).collect()
}

fn port_text(v: (u16, u64)) -> String {
    let proto = ["unknown", "tcp", "udp", "icmp"][(v.1 >> 16) as usize];
    format!("{}/{proto}", v.0)
}

fn utf8(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn s05_table_count_string_composite() {
    let h = btest();
    let names = ["alpha", "beta", "gamma", "delta", "eps"];
    let mut t = Dict::new();
    let k = |n: u64, s: &str| {
        key(&h, |k| {
            k.write_count(n);
            k.write_string(s.as_bytes());
        })
    };
    for i in 0..20u64 {
        t.insert(k(i, names[(i % 5) as usize]).key_ref(), format!("v{i}"));
    }
    t.insert(k(3, "beta").key_ref(), "extra".to_string());
    let parts = |key: &Key| {
        let mut r = KeyReader::new(key.bytes());
        (r.read_count().unwrap(), utf8(r.read_string().unwrap()))
    };
    let a = render(&t, |key, v| {
        let (n, s) = parts(key);
        format!("[{n}, {s}] = {v}")
    });
    let b = render(&t, |key, v| {
        let (n, s) = parts(key);
        format!("{n}, {s}, {v}")
    });
    let out = format!("{}\n{}\n{}", t.len(), braces(&a), lines(&b));
    assert_eq!(out, reference("05-table-count-string-composite.out"));
}

/// `R($a=a, $b=b, $c=c)` with `c: addr &optional`, as composite items.
fn write_r(k: &mut KeyBuf, a: u64, b: &str, c: Option<&str>) {
    k.write_count(a);
    k.write_string(b.as_bytes());
    k.write_optional_flag(c.is_some());
    if let Some(c) = c {
        k.write_addr(c.parse().unwrap());
    }
}

fn read_r(r: &mut KeyReader<'_>) -> String {
    let a = r.read_count().unwrap();
    let b = utf8(r.read_string().unwrap());
    let c = match r.read_optional_flag().unwrap() {
        true => r.read_addr().unwrap().to_string(),
        false => "<uninitialized>".to_string(),
    };
    format!("[a={a}, b={b}, c={c}]")
}

#[test]
fn s13_record_keys() {
    let h = btest();
    let mut s = Dict::new();
    for i in 0..12u64 {
        let b = format!("s{i}");
        let c = (i % 3 == 0).then_some("10.0.0.1");
        add(&mut s, &key(&h, |k| write_r(k, i, &b, c)));
    }
    let mut t = Dict::new();
    for (a, b, c, n, v) in [
        (1, "x", None, 1, 1),
        (1, "x", None, 2, 2),
        (2, "y", Some("::1"), 1, 3),
        (3, "", None, 7, 4),
    ] {
        let k = key(&h, |k| {
            write_r(k, a, b, c);
            k.write_count(n);
        });
        t.insert(k.key_ref(), v);
    }
    let a = render(&s, |k, _| read_r(&mut KeyReader::new(k.bytes())));
    let b = render(&t, |k, v| {
        let mut r = KeyReader::new(k.bytes());
        let rec = read_r(&mut r);
        format!("[{rec}, {}] = {v}", r.read_count().unwrap())
    });
    assert_eq!(
        format!("{}\n{}\n", braces(&a), braces(&b)),
        reference("13-record-keys.out")
    );
}

/// Writes a `set[count]` as an index value (§3.5).
fn write_count_set(k: &mut KeyBuf, inner: &mut Dict<()>) {
    k.write_table_header(inner.len());
    for id in inner.serialization_order(true) {
        k.write_list_header(1);
        k.write_count(read_count(inner.key(id).unwrap()));
    }
}

/// Reads a serialised `set[count]` back into a fresh set, inserting in serialised order,
/// and prints it the way Zeek prints the rebuilt value.
fn read_count_set(h: &KeyHasher, r: &mut KeyReader<'_>) -> String {
    let n = r.read_table_header().unwrap();
    let mut rebuilt = Dict::new();
    for _ in 0..n {
        assert_eq!(r.read_list_header(), Some(1));
        add(&mut rebuilt, &count(h, r.read_count().unwrap()));
    }
    braces(&render(&rebuilt, |k, _| read_count(k).to_string()))
}

#[test]
fn s14_nested_keys() {
    let h = btest();
    let mut ss = Dict::new();
    for elems in [
        &[1u64, 2, 3][..],
        &[4, 5],
        &[],
        &[10, 20, 30, 40, 50, 60, 70],
        &[3, 2, 1],
    ] {
        let mut inner = Dict::new();
        for &e in elems {
            add(&mut inner, &count(&h, e));
        }
        add(&mut ss, &key(&h, |k| write_count_set(k, &mut inner)));
    }
    let mut st = Dict::new();
    for elems in [
        &[(1u64, "one"), (2, "two")][..],
        &[(2, "two"), (3, "three"), (4, "four")],
    ] {
        let mut inner = Dict::new();
        for &(n, s) in elems {
            inner.insert(count(&h, n).key_ref(), s);
        }
        let k = key(&h, |k| {
            k.write_table_header(inner.len());
            for id in inner.serialization_order(false) {
                k.write_list_header(1);
                k.write_count(read_count(inner.key(id).unwrap()));
                k.write_string(inner.value(id).unwrap().as_bytes());
            }
        });
        add(&mut st, &k);
    }
    let mut sv = Dict::new();
    for elems in [&["a", "b"][..], &["b", "a"], &["hello"], &[]] {
        let k = key(&h, |k| {
            k.write_vector_header(elems.len() as u32);
            for (i, e) in elems.iter().enumerate() {
                k.write_vector_slot(i as u32, true);
                k.write_string(e.as_bytes());
            }
        });
        add(&mut sv, &k);
    }

    let a = render(&ss, |k, _| {
        read_count_set(&h, &mut KeyReader::new(k.bytes()))
    });
    let b = render(&st, |k, _| {
        let mut r = KeyReader::new(k.bytes());
        let n = r.read_table_header().unwrap();
        let mut rebuilt = Dict::new();
        for _ in 0..n {
            assert_eq!(r.read_list_header(), Some(1));
            let key = count(&h, r.read_count().unwrap());
            rebuilt.insert(key.key_ref(), utf8(r.read_string().unwrap()));
        }
        braces(&render(&rebuilt, |k, v| {
            format!("[{}] = {v}", read_count(k))
        }))
    });
    let c = render(&sv, |k, _| {
        let mut r = KeyReader::new(k.bytes());
        let n = r.read_vector_header().unwrap();
        let items: Vec<String> = (0..n)
            .map(|i| {
                assert_eq!(r.read_vector_slot(), Some((i, true)));
                utf8(r.read_string().unwrap())
            })
            .collect();
        format!("[{}]", items.join(", "))
    });
    let out = format!("{}\n{}\n{}\n", braces(&a), braces(&b), braces(&c));
    assert_eq!(out, reference("14-nested-keys.out"));
}

#[test]
fn s21_addr_port_composite() {
    let h = btest();
    let mut t = Dict::new();
    let ap = |a: &str, n: u16, p: Proto| {
        key(&h, |k| {
            k.write_addr(a.parse().unwrap());
            k.write_port(n, p);
        })
    };
    for i in 0..16u16 {
        t.insert(
            ap(&format!("10.0.0.{i}"), 1000 + i, Proto::Tcp).key_ref(),
            u64::from(i),
        );
    }
    t.insert(ap("2001:db8::1", 53, Proto::Udp).key_ref(), 99);
    let mut s = Dict::new();
    use Proto::{Tcp, Udp};
    for (a, b, p, q) in [
        ("10.0.0.1", "10.0.0.2", (1234, Tcp), (80, Tcp)),
        ("10.0.0.2", "10.0.0.1", (80, Tcp), (1234, Tcp)),
        ("10.0.0.1", "10.0.0.2", (1235, Tcp), (80, Tcp)),
        ("::1", "::2", (5353, Udp), (5353, Udp)),
        ("192.168.0.1", "8.8.8.8", (40000, Udp), (53, Udp)),
    ] {
        let k = key(&h, |k| {
            k.write_addr(a.parse().unwrap());
            k.write_addr(b.parse().unwrap());
            k.write_port(p.0, p.1);
            k.write_port(q.0, q.1);
        });
        add(&mut s, &k);
    }
    let a = render(&t, |k, v| {
        let mut r = KeyReader::new(k.bytes());
        let ad = r.read_addr().unwrap();
        format!("[{ad}, {}] = {v}", port_text(r.read_port().unwrap()))
    });
    let b = render(&s, |k, _| {
        let mut r = KeyReader::new(k.bytes());
        let (x, y) = (r.read_addr().unwrap(), r.read_addr().unwrap());
        let (p, q) = (
            port_text(r.read_port().unwrap()),
            port_text(r.read_port().unwrap()),
        );
        format!("[{x}, {y}, {p}, {q}] ")
    });
    assert_eq!(
        format!("{}\n{}\n", braces(&a), braces(&b)),
        reference("21-addr-port-composite.out")
    );
}

fn interval_text(secs: f64) -> String {
    let mins = secs / 60.0;
    if mins == 0.0 {
        "0 secs".to_string()
    } else if mins == 1.0 {
        "1.0 min".to_string()
    } else {
        format!("{mins:?} mins")
    }
}

#[test]
fn s32_composite_layouts() {
    let h = btest();
    let colors = ["RED", "GREEN", "BLUE"];
    let (mut a, mut b, mut c, mut d, mut e) = (
        Dict::new(),
        Dict::new(),
        Dict::new(),
        Dict::new(),
        Dict::new(),
    );
    let (mut f, mut g, mut hs, mut k, mut m) = (
        Dict::new(),
        Dict::new(),
        Dict::new(),
        Dict::new(),
        Dict::new(),
    );
    for i in 0..12u64 {
        let fi = i as f64;
        add(
            &mut a,
            &key(&h, |w| {
                w.write_int(-(i as i64));
                w.write_double(fi * 0.5);
            }),
        );
        add(
            &mut b,
            &key(&h, |w| {
                w.write_bool(i % 2 == 0);
                w.write_enum((i % 3) as i64);
            }),
        );
        add(
            &mut c,
            &key(&h, |w| {
                w.write_subnet(format!("10.0.{i}.0").parse().unwrap(), 24);
                w.write_string(format!("c{i}").as_bytes());
            }),
        );
        add(
            &mut d,
            &key(&h, |w| {
                w.write_string(i.to_string().as_bytes());
                w.write_string(format!("x{}y", i * i).as_bytes());
            }),
        );
        add(
            &mut e,
            &key(&h, |w| {
                w.write_string(format!("e{i}").as_bytes());
                w.write_count(i);
            }),
        );
        add(
            &mut f,
            &key(&h, |w| {
                w.write_addr(format!("0.0.0.{i}").parse().unwrap());
                w.write_subnet(format!("0.{i}.0.0").parse().unwrap(), 16);
            }),
        );
        add(
            &mut g,
            &key(&h, |w| {
                w.write_double(fi * 1.25);
                w.write_double(fi * 60.0);
            }),
        );
        // Outer { o: bool &optional, i: Inner { x: string, y: count &optional }, z: int }
        add(
            &mut hs,
            &key(&h, |w| {
                let even = i % 2 == 0;
                w.write_optional_flag(even);
                if even {
                    w.write_bool(true);
                }
                w.write_string(format!("h{i}").as_bytes());
                w.write_optional_flag(even);
                if even {
                    w.write_count(i);
                }
                w.write_int(if even { i as i64 } else { -(i as i64) });
            }),
        );
        let mut inner = Dict::new();
        add(&mut inner, &count(&h, i));
        add(&mut inner, &count(&h, i + 1));
        add(
            &mut k,
            &key(&h, |w| {
                write_count_set(w, &mut inner);
                w.write_count(i);
            }),
        );
        add(
            &mut m,
            &key(&h, |w| {
                w.write_vector_header(2);
                w.write_vector_slot(0, true);
                w.write_count(i);
                w.write_vector_slot(1, true);
                w.write_count(i * 2);
                w.write_string(format!("m{i}").as_bytes());
            }),
        );
    }
    let tf = |v: bool| if v { "T" } else { "F" };
    let mut blocks = vec![
        render(&a, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            format!(
                "[{}, {:?}] ",
                r.read_int().unwrap(),
                r.read_double().unwrap()
            )
        }),
        render(&b, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let t = tf(r.read_bool().unwrap());
            format!("[{t}, {}] ", colors[r.read_int().unwrap() as usize])
        }),
        render(&c, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let (n, w) = r.read_subnet().unwrap();
            format!("[{n}/{w}, {}] ", utf8(r.read_string().unwrap()))
        }),
        render(&d, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let x = utf8(r.read_string().unwrap());
            format!("[{x}, {}] ", utf8(r.read_string().unwrap()))
        }),
        render(&e, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let x = utf8(r.read_string().unwrap());
            format!("[{x}, {}] ", r.read_count().unwrap())
        }),
        render(&f, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let x = r.read_addr().unwrap();
            let (n, w) = r.read_subnet().unwrap();
            format!("[{x}, {n}/{w}] ")
        }),
        render(&g, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let t = r.read_double().unwrap();
            format!("[{t:?}, {}] ", interval_text(r.read_double().unwrap()))
        }),
        render(&hs, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let uninit = || "<uninitialized>".to_string();
            let o = match r.read_optional_flag().unwrap() {
                true => tf(r.read_bool().unwrap()).to_string(),
                false => uninit(),
            };
            let x = utf8(r.read_string().unwrap());
            let y = match r.read_optional_flag().unwrap() {
                true => r.read_count().unwrap().to_string(),
                false => uninit(),
            };
            format!("[o={o}, i=[x={x}, y={y}], z={}]", r.read_int().unwrap())
        }),
        render(&k, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            let set = read_count_set(&h, &mut r);
            format!("[{set}, {}] ", r.read_count().unwrap())
        }),
        render(&m, |key, _| {
            let mut r = KeyReader::new(key.bytes());
            assert_eq!(r.read_vector_header(), Some(2));
            let _ = r.read_vector_slot();
            let x = r.read_count().unwrap();
            let _ = r.read_vector_slot();
            let y = r.read_count().unwrap();
            format!("[[{x}, {y}], {}] ", utf8(r.read_string().unwrap()))
        }),
    ];
    let mut out: String = blocks
        .drain(..)
        .map(|b| format!("{}\n", braces(&b)))
        .collect();

    // set[function(): count]: ids in first-seen order; each function returns its number.
    let mut ids = FuncIds::new();
    let mut n = Dict::new();
    for fnum in [3u32, 1, 5, 2, 4, 1] {
        let id = ids.id(&fnum);
        add(&mut n, &key(&h, |w| w.write_func(id)));
    }
    for (key, _) in &n {
        let id = KeyReader::new(key.bytes()).read_func().unwrap();
        out.push_str(&format!("{}\n", ids.func(id).unwrap()));
    }
    assert_eq!(out, reference("32-composite-layouts.out"));
}
