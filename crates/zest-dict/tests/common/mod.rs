//! Shared helpers for the reference-scenario tests: locating Zeek's reference output, the
//! btest seed key, key builders, and the small renderers the scenarios need.
//!
//! The reference material is read by path at test time (it must not be copied into the
//! project). It is found under `$ZEST_SHARED_DIR` or, by default, `../../../shared` from
//! this crate (the layout of the Zest workspace).

#![allow(dead_code)] // each test binary uses a different subset

use std::net::IpAddr;
use std::path::PathBuf;

use zest_dict::{Dict, Key, KeyBuf, KeyHasher, Seeds};

pub fn shared_dir() -> PathBuf {
    match std::env::var_os("ZEST_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// A file of `zeek-5.2/reference/ordering/`.
pub fn reference(name: &str) -> String {
    let p = shared_dir().join("zeek-5.2/reference/ordering").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// The hasher of the btest seed file (`zeek-5.2/btest/random.seed`).
pub fn btest() -> KeyHasher {
    let p = shared_dir().join("zeek-5.2/btest/random.seed");
    Seeds::read_file(&p).expect("btest seed file").hasher()
}

/// Builds one key with `f` writing into a fresh buffer.
pub fn key(h: &KeyHasher, f: impl FnOnce(&mut KeyBuf)) -> Key {
    let mut kb = KeyBuf::new();
    f(&mut kb);
    kb.to_key(h)
}

pub fn count(h: &KeyHasher, v: u64) -> Key {
    key(h, |k| k.write_count(v))
}

pub fn int(h: &KeyHasher, v: i64) -> Key {
    key(h, |k| k.write_int(v))
}

pub fn string(h: &KeyHasher, s: &str) -> Key {
    key(h, |k| k.write_singleton_string(s.as_bytes()))
}

pub fn addr(h: &KeyHasher, a: &str) -> Key {
    let a: IpAddr = a.parse().unwrap();
    key(h, |k| k.write_addr(a))
}

/// Adds `k` (a set element).
pub fn add(d: &mut Dict<()>, k: &Key) {
    d.insert(k.key_ref(), ());
}

/// Deletes `k`.
pub fn del<V>(d: &mut Dict<V>, k: &Key) {
    d.remove(k.key_ref());
}

/// `k in d`.
pub fn has<V>(d: &mut Dict<V>, k: &Key) -> bool {
    d.contains(k.key_ref())
}

/// Zeek's `print` of a set or table whose elements render as `items`.
pub fn braces(items: &[String]) -> String {
    format!("{{\n{}\n}}", items.join(",\n"))
}

/// Renders every key of `d` with `f`, in iteration order.
pub fn render<V>(d: &Dict<V>, mut f: impl FnMut(&Key, &V) -> String) -> Vec<String> {
    d.iter().map(|(k, v)| f(k, v)).collect()
}

pub fn read_count(k: &Key) -> u64 {
    u64::from_le_bytes(k.bytes()[..8].try_into().unwrap())
}

pub fn read_int(k: &Key) -> i64 {
    i64::from_le_bytes(k.bytes()[..8].try_into().unwrap())
}

pub fn as_str(k: &Key) -> String {
    String::from_utf8(k.bytes().to_vec()).unwrap()
}

/// The numbers of `local NAME = vector(…);` in a scenario script.
pub fn script_vector(src: &str, name: &str) -> Vec<i64> {
    let start = src
        .find(&format!("local {name} = vector("))
        .expect("vector in script");
    let rest = &src[start..];
    let open = rest.find('(').unwrap();
    let close = rest.find(')').unwrap();
    rest[open + 1..close]
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect()
}

/// The `show()` line the ordering scenarios print: `tag (n): k1 k2 …`.
pub fn show_line(tag: &str, items: &[String]) -> String {
    format!("{tag} ({}): {}", items.len(), items.join(" "))
}

/// Zeek's rendering of an IPv4-or-IPv6 address in a key.
pub fn addr_text(b: [u8; 16]) -> String {
    zest_dict::addr_from_bytes(b).to_string()
}
