//! `strings.bif`: string processing and manipulation, plus `convert_for_pattern`
//! and `string_to_pattern` from `zeek.bif`.
//!
//! Every function follows Zeek 5.2.2's C++ (`src/strings.bif`, `src/ZeekString.cc`,
//! `src/SmithWaterman.cc`) byte for byte, including its quirks: C `int` truncation of
//! counts, `std::string::substr(start, end)` taking a length, the C locale's character
//! classes, and `CheckString()`'s `<string-with-NUL>` substitute. The byte-level work lives
//! in plain functions (unit-tested below); the BiF wrappers build values and report errors.
//!
//! Where Zeek never returns (it loops forever) the result is documented at the function.

use crate::support::{builtin_error, str_arg};
use crate::Bif;
use std::cell::RefCell;
use std::rc::Rc;
use zest_pattern::Pattern;
use zest_runtime::describe::Style;
use zest_runtime::table::TableVal;
use zest_runtime::types::{Attrs, Field, RecordType, Type, TypeKind, TypeRef};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "levenshtein_distance",
        signature: "function(s1: string, s2: string): count",
        func: levenshtein_distance,
    },
    Bif {
        name: "string_cat",
        signature: "function(va_args: any): string",
        func: string_cat,
    },
    Bif {
        name: "join_string_vec",
        signature: "function(vec: vector of string, sep: string): string",
        func: join_string_vec,
    },
    Bif {
        name: "join_string_set",
        signature: "function(ss: set[string], sep: string): string",
        func: join_string_set,
    },
    Bif {
        name: "edit",
        signature: "function(arg_s: string, arg_edit_char: string): string",
        func: edit,
    },
    Bif {
        name: "sub_bytes",
        signature: "function(s: string, start: count, n: int): string",
        func: sub_bytes,
    },
    Bif {
        name: "split_string",
        signature: "function(str: string, re: pattern): vector of string",
        func: split_string,
    },
    Bif {
        name: "split_string1",
        signature: "function(str: string, re: pattern): vector of string",
        func: split_string1,
    },
    Bif {
        name: "split_string_all",
        signature: "function(str: string, re: pattern): vector of string",
        func: split_string_all,
    },
    Bif {
        name: "split_string_n",
        signature: "function(str: string, re: pattern, incl_sep: bool, max_num_sep: count): vector of string",
        func: split_string_n,
    },
    Bif {
        name: "sub",
        signature: "function(str: string, re: pattern, repl: string): string",
        func: sub,
    },
    Bif {
        name: "gsub",
        signature: "function(str: string, re: pattern, repl: string): string",
        func: gsub,
    },
    Bif {
        name: "strcmp",
        signature: "function(s1: string, s2: string): int",
        func: strcmp,
    },
    Bif {
        name: "strstr",
        signature: "function(big: string, little: string): count",
        func: strstr,
    },
    Bif {
        name: "subst_string",
        signature: "function(s: string, from: string, to: string): string",
        func: subst_string,
    },
    Bif {
        name: "to_lower",
        signature: "function(str: string): string",
        func: to_lower,
    },
    Bif {
        name: "to_upper",
        signature: "function(str: string): string",
        func: to_upper,
    },
    Bif {
        name: "clean",
        signature: "function(str: string): string",
        func: clean,
    },
    Bif {
        name: "to_string_literal",
        signature: "function(str: string): string",
        func: to_string_literal,
    },
    Bif {
        name: "is_ascii",
        signature: "function(str: string): bool",
        func: is_ascii,
    },
    Bif {
        name: "escape_string",
        signature: "function(s: string): string",
        func: escape_string,
    },
    Bif {
        name: "string_to_ascii_hex",
        signature: "function(s: string): string",
        func: string_to_ascii_hex,
    },
    Bif {
        name: "str_smith_waterman",
        signature: "function(s1: string, s2: string, params: record { min_strlen: count &default=3; sw_variant: count &default=0; }): vector of record { str: string; aligns: vector of record { str: string; index: count; }; new: bool; }",
        func: str_smith_waterman,
    },
    Bif {
        name: "str_split_indices",
        signature: "function(s: string, idx: vector of count): vector of string",
        func: str_split_indices,
    },
    Bif {
        name: "strip",
        signature: "function(str: string): string",
        func: strip,
    },
    Bif {
        name: "lstrip",
        signature: "function(str: string, chars: string &default=\" \\t\\n\\r\\v\\f\"): string",
        func: lstrip,
    },
    Bif {
        name: "rstrip",
        signature: "function(str: string, chars: string &default=\" \\t\\n\\r\\v\\f\"): string",
        func: rstrip,
    },
    Bif {
        name: "string_fill",
        signature: "function(len: int, source: string): string",
        func: string_fill,
    },
    Bif {
        name: "safe_shell_quote",
        signature: "function(source: string): string",
        func: safe_shell_quote,
    },
    Bif {
        name: "find_all",
        signature: "function(str: string, re: pattern, max_str_size: int &default=-1): set[string]",
        func: find_all,
    },
    Bif {
        name: "find_all_ordered",
        signature: "function(str: string, re: pattern, max_str_size: int &default=-1): vector of string",
        func: find_all_ordered,
    },
    Bif {
        name: "find_last",
        signature: "function(str: string, re: pattern): string",
        func: find_last,
    },
    Bif {
        name: "hexdump",
        signature: "function(data_str: string): string",
        func: hexdump,
    },
    Bif {
        name: "reverse",
        signature: "function(str: string): string",
        func: reverse,
    },
    Bif {
        name: "count_substr",
        signature: "function(str: string, sub: string): count",
        func: count_substr,
    },
    Bif {
        name: "find_str",
        signature: "function(str: string, sub: string, start: count &default=0, end: int &default=-1, case_sensitive: bool &default=T): int",
        func: find_str,
    },
    Bif {
        name: "rfind_str",
        signature: "function(str: string, sub: string, start: count &default=0, end: int &default=-1, case_sensitive: bool &default=T): int",
        func: rfind_str,
    },
    Bif {
        name: "starts_with",
        signature: "function(str: string, sub: string): bool",
        func: starts_with,
    },
    Bif {
        name: "ends_with",
        signature: "function(str: string, sub: string): bool",
        func: ends_with,
    },
    Bif {
        name: "is_num",
        signature: "function(str: string): bool",
        func: is_num,
    },
    Bif {
        name: "is_alpha",
        signature: "function(str: string): bool",
        func: is_alpha,
    },
    Bif {
        name: "is_alnum",
        signature: "function(str: string): bool",
        func: is_alnum,
    },
    Bif {
        name: "ljust",
        signature: "function(str: string, width: count, fill: string &default=\" \"): string",
        func: ljust,
    },
    Bif {
        name: "rjust",
        signature: "function(str: string, width: count, fill: string &default=\" \"): string",
        func: rjust,
    },
    Bif {
        name: "swap_case",
        signature: "function(str: string): string",
        func: swap_case,
    },
    Bif {
        name: "to_title",
        signature: "function(str: string): string",
        func: to_title,
    },
    Bif {
        name: "zfill",
        signature: "function(str: string, width: count): string",
        func: zfill,
    },
    Bif {
        name: "remove_prefix",
        signature: "function(str: string, sub: string): string",
        func: remove_prefix,
    },
    Bif {
        name: "remove_suffix",
        signature: "function(str: string, sub: string): string",
        func: remove_suffix,
    },
    Bif {
        name: "convert_for_pattern",
        signature: "function(s: string): string",
        func: convert_for_pattern,
    },
    Bif {
        name: "string_to_pattern",
        signature: "function(s: string, convert: bool): pattern",
        func: string_to_pattern,
    },
];

// ------------------------------------------------------------------ value helpers

fn string_val(b: impl Into<Rc<[u8]>>) -> Value {
    Value::String(b.into())
}

fn pat_arg(args: &[Value], i: usize) -> Option<Pattern> {
    match args.get(i) {
        Some(Value::Pattern(p)) => Some(p.clone()),
        _ => None,
    }
}

/// The return type of the BiF `name` as the script declared it (so named types such as
/// `string_vec` are kept once the `.bif.zeek` declarations are loaded).
fn declared_ret(it: &Interp, name: &str) -> Option<TypeRef> {
    let id = it.prog.lookup(Symbol::intern(name))?;
    it.prog
        .globals
        .get(id as usize)?
        .ty
        .as_ref()?
        .func()?
        .ret
        .clone()
}

fn vector_of_string(it: &Interp, fname: &str) -> TypeRef {
    declared_ret(it, fname)
        .filter(|t| matches!(t.kind, TypeKind::Vector(_)))
        .unwrap_or_else(|| Type::new(TypeKind::Vector(it.prog.base.string.clone())))
}

fn string_vector<'a>(it: &Interp, fname: &str, items: impl IntoIterator<Item = &'a [u8]>) -> Value {
    let v = Value::new_vector(vector_of_string(it, fname));
    if let Value::Vector(vv) = &v {
        vv.borrow_mut()
            .items
            .extend(items.into_iter().map(|s| Some(Value::str(s))));
    }
    v
}

fn string_set<'a>(it: &Interp, fname: &str, items: impl IntoIterator<Item = &'a [u8]>) -> Value {
    let ty = declared_ret(it, fname)
        .filter(|t| t.is_set())
        .unwrap_or_else(|| {
            Type::new(TypeKind::Table {
                index: vec![it.prog.base.string.clone()],
                yield_: None,
            })
        });
    let mut tv = TableVal::new(ty);
    for s in items {
        tv.insert(vec![Value::str(s)], None);
    }
    Value::Table(Rc::new(RefCell::new(tv)))
}

/// A global's value, if the global exists and is set.
fn global_value(it: &Interp, name: &str) -> Option<Value> {
    let id = it.prog.lookup(Symbol::intern(name))?;
    match &it.prog.globals.get(id as usize)?.value {
        Value::Void => None,
        v => Some(v.clone()),
    }
}

/// `String::CheckString()`: reports `string with embedded NUL` (no location: Zeek's
/// reporter has none at run time) and substitutes `<string-with-NUL>`.
fn check_string<'a>(it: &mut Interp, s: &'a [u8]) -> &'a [u8] {
    match zest_runtime::render::string::check_string(s) {
        Ok(s) => s,
        Err(subst) => {
            let mut msg = Vec::new();
            zest_runtime::render::string::write_embedded_nul_message(&mut msg, s);
            it.error(None, &String::from_utf8_lossy(&msg));
            subst
        }
    }
}

// ------------------------------------------------------------------ byte-level helpers

/// `util::strstr_n`: first occurrence of `little` in `big` (an empty `little` is at 0).
fn strstr_n(big: &[u8], little: &[u8]) -> Option<usize> {
    if little.len() > big.len() {
        return None;
    }
    (0..=big.len() - little.len()).find(|&i| &big[i..i + little.len()] == little)
}

/// `std::string::find(sub, pos)`.
fn cpp_find(s: &[u8], sub: &[u8], pos: usize) -> Option<usize> {
    if pos > s.len() || sub.len() > s.len() - pos {
        return None;
    }
    strstr_n(&s[pos..], sub).map(|i| i + pos)
}

/// `std::string::rfind(sub, pos)`: the last occurrence starting at or before `pos`.
fn cpp_rfind(s: &[u8], sub: &[u8], pos: usize) -> Option<usize> {
    if sub.len() > s.len() {
        return None;
    }
    let last = pos.min(s.len() - sub.len());
    (0..=last).rev().find(|&i| &s[i..i + sub.len()] == sub)
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn levenshtein(s1: &[u8], s2: &[u8]) -> u64 {
    if s1.is_empty() {
        return s2.len() as u64;
    }
    if s2.is_empty() {
        return s1.len() as u64;
    }
    let mut prev: Vec<u64> = (0..=s2.len() as u64).collect();
    let mut cur = vec![0u64; s2.len() + 1];
    for (i, &a) in s1.iter().enumerate() {
        cur[0] = i as u64 + 1;
        for (j, &b) in s2.iter().enumerate() {
            let subst = prev[j] + u64::from(a != b);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(subst);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[s2.len()]
}

/// `edit`: each `edit_c` deletes the byte before it.
fn edit_bytes(s: &[u8], edit_c: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        if b == edit_c {
            out.pop();
        } else {
            out.push(b);
        }
    }
    out
}

/// `String::GetSubstring(int start, int len)`.
fn get_substring(s: &[u8], start: i32, len: i32) -> Option<&[u8]> {
    let n = s.len() as i64;
    let start = i64::from(start);
    if start < 0 || start > n {
        return None;
    }
    let mut len = i64::from(len);
    if len < 0 || len > n - start {
        len = n - start;
    }
    Some(&s[start as usize..(start + len) as usize])
}

/// `sub_bytes(s, start, n)`: 1-based `start` (0 also means the first byte); both numbers
/// pass through a C `int`.
fn sub_bytes_of(s: &[u8], start: u64, n: i64) -> &[u8] {
    let start = if start > 0 { start - 1 } else { start };
    get_substring(s, start as i32, n as i32).unwrap_or(b"")
}

/// `Bstr_cmp`: `memcmp`, then the shorter string is less. Only the sign is pinned down:
/// glibc's `memcmp` returns the difference of the first differing bytes for some lengths
/// and CPUs and just -1/1 for others; this returns the byte difference.
fn bstr_cmp(s1: &[u8], s2: &[u8]) -> i64 {
    let n = s1.len().min(s2.len());
    if let Some(i) = (0..n).find(|&i| s1[i] != s2[i]) {
        return i64::from(s1[i]) - i64::from(s2[i]);
    }
    match s1.len().cmp(&s2.len()) {
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Greater => 1,
    }
}

fn subst_bytes(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return s.to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while rest.len() >= from.len() {
        let Some(j) = strstr_n(rest, from) else { break };
        out.extend_from_slice(&rest[..j]);
        out.extend_from_slice(to);
        rest = &rest[j + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

const ESC_ESC: u8 = 1;
const ESC_QUOT: u8 = 2;
const ESC_HEX: u8 = 4;

/// `String::Render(format)` for the flag combinations the BiFs use.
fn render(s: &[u8], format: u8) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        if b == b'\\' && format & ESC_ESC != 0 {
            out.extend_from_slice(b"\\\\");
        } else if (b == b'\'' || b == b'"') && format & ESC_QUOT != 0 {
            out.extend_from_slice(&[b'\\', b]);
        } else if !(b' '..=126).contains(&b) && format & ESC_HEX != 0 {
            out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]);
        } else {
            out.push(b);
        }
    }
    out
}

fn ascii_hex(s: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    s.iter()
        .flat_map(|&b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .collect()
}

/// `String::Split(indices)`: `None` for no indices.
fn split_indices<'a>(s: &'a [u8], indices: &[i32]) -> Option<Vec<&'a [u8]>> {
    if indices.is_empty() {
        return None;
    }
    let n = s.len() as i64;
    let mut idx: Vec<i32> = std::iter::once(0).chain(indices.iter().copied()).collect();
    for i in &mut idx {
        if i64::from(*i) >= n || *i < 0 {
            *i = 0;
        }
    }
    idx.sort_unstable();
    idx.dedup();
    Some(
        idx.iter()
            .enumerate()
            .map(|(k, &start)| {
                let len = idx.get(k + 1).map_or(-1, |&next| next - start);
                get_substring(s, start, len).unwrap_or(b"")
            })
            .collect(),
    )
}

/// `strip`: C-locale whitespace off both ends.
fn strip_bytes(s: &[u8]) -> &[u8] {
    let Some(first) = s.iter().position(|&b| !is_c_space(b)) else {
        return b"";
    };
    let last = s.iter().rposition(|&b| !is_c_space(b)).unwrap_or(first);
    &s[first..=last]
}

fn lstrip_bytes<'a>(s: &'a [u8], chars: &[u8]) -> &'a [u8] {
    let i = s.iter().position(|b| !chars.contains(b)).unwrap_or(s.len());
    &s[i..]
}

fn rstrip_bytes<'a>(s: &'a [u8], chars: &[u8]) -> &'a [u8] {
    let n = s
        .iter()
        .rposition(|b| !chars.contains(b))
        .map_or(0, |i| i + 1);
    &s[..n]
}

/// `string_fill(len, source)`: `source` repeated to `len` bytes, the last byte NUL.
///
/// Zeek misbehaves outside `len > 0` with a non-empty source: `len == 0` writes before its
/// buffer (result empty), a negative `len` throws `std::bad_array_new_length` (abort), and
/// an empty source loops forever. All three return the empty string here.
fn fill_bytes(len: i64, src: &[u8]) -> Vec<u8> {
    if len <= 0 || src.is_empty() {
        return Vec::new();
    }
    let len = len as usize;
    let mut dst: Vec<u8> = src.iter().copied().cycle().take(len).collect();
    dst[len - 1] = 0;
    dst
}

fn shell_quote(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len() + 2);
    out.push(b'"');
    for &b in src {
        if matches!(b, b'`' | b'"' | b'\\' | b'$') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// `hexdump`: 16 bytes per 74-column line: 4-digit offset, hex bytes, ASCII column.
fn hexdump_bytes(data: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const LINE_WIDTH: usize = 74;
    let len = (data.len() / 16 + 1) * LINE_WIDTH;
    let mut buf = vec![b' '; len + 1];
    let mut hex = 0;
    let mut ascii = hex + 50;
    let mut x = 0;
    for (off, &b) in data.iter().enumerate() {
        if x == 0 {
            // snprintf("%.4tx") into 5 bytes: at most 4 digits survive.
            let offset = format!("{off:04x}");
            buf[hex..hex + 4].copy_from_slice(&offset.as_bytes()[..4]);
            hex += 6;
            ascii = hex + 50;
        }
        buf[hex] = HEX[usize::from(b >> 4)];
        buf[hex + 1] = HEX[usize::from(b & 15)];
        buf[hex + 2] = b' ';
        hex += 3;
        buf[ascii] = if (0x20..0x7f).contains(&b) { b } else { b'.' };
        ascii += 1;
        if x == 7 {
            buf[hex] = b' ';
            hex += 1;
            buf[ascii] = b' ';
            ascii += 1;
        }
        x += 1;
        if x == 16 {
            x = 0;
            buf[ascii] = b'\n';
            ascii += 1;
            hex = ascii;
        }
    }
    if buf[ascii - 1] != b'\n' {
        buf[ascii] = b'\n';
        ascii += 1;
    }
    buf.truncate(ascii);
    buf
}

/// `count_substr`: non-overlapping occurrences. Zeek loops forever on an empty `sub`; this
/// returns what Python's `str.count` (the model of the Zeek function) gives, `len + 1`.
fn count_substr_of(s: &[u8], sub: &[u8]) -> u64 {
    if sub.is_empty() {
        return s.len() as u64 + 1;
    }
    let mut count = 0;
    let mut pos = cpp_find(s, sub, 0);
    while let Some(p) = pos {
        count += 1;
        pos = cpp_find(s, sub, p + sub.len());
    }
    count
}

/// `do_find_str`: `Err(())` when Zeek reports `end position must be greater than start
/// position` (and returns -1).
fn do_find_str(
    s: &[u8],
    sub: &[u8],
    start: i64,
    end: i64,
    rfind: bool,
    case_sensitive: bool,
) -> Result<i64, ()> {
    let len = s.len() as i64;
    if start > len {
        return Ok(-1);
    }
    if end != -1 && end < start {
        return Err(());
    }
    let end_pos = if end >= 0 && end < len { end } else { len };
    if start < 0 {
        // A count of 2^63 or more: `substr` throws std::out_of_range and Zeek aborts.
        return Ok(-1);
    }
    if end_pos - start + 1 < sub.len() as i64 {
        return Ok(-1);
    }
    // `substr(start, end_pos)`: the second argument is a length.
    let from = start as usize;
    let to = (from + end_pos as usize).min(s.len());
    let (hay, needle) = if case_sensitive {
        (s[from..to].to_vec(), sub.to_vec())
    } else {
        (s[from..to].to_ascii_lowercase(), sub.to_ascii_lowercase())
    };
    let pos = if rfind {
        cpp_rfind(&hay, &needle, usize::MAX)
    } else {
        cpp_find(&hay, &needle, 0)
    };
    Ok(pos.map_or(-1, |p| p as i64 + start))
}

fn ends_with_bytes(s: &[u8], sub: &[u8]) -> bool {
    if sub.len() > s.len() {
        return false;
    }
    cpp_rfind(s, sub, usize::MAX) == Some(s.len() - sub.len())
}

/// `ljust` / `do_rjust`: pad to `width` bytes with `fill`.
fn justify(s: &[u8], width: u64, fill: u8, left: bool) -> Vec<u8> {
    if width <= s.len() as u64 {
        return s.to_vec();
    }
    let pad = vec![fill; (width - s.len() as u64) as usize];
    if left {
        [s, &pad].concat()
    } else {
        [&pad, s].concat()
    }
}

fn swap_case_bytes(s: &[u8]) -> Vec<u8> {
    s.iter()
        .map(|&b| {
            if b.is_ascii_lowercase() {
                b.to_ascii_uppercase()
            } else if b.is_ascii_uppercase() {
                b.to_ascii_lowercase()
            } else {
                b
            }
        })
        .collect()
}

/// `to_title`: upper-cases the first byte of each run of non-space bytes (only `' '`
/// separates words).
fn title_bytes(s: &[u8]) -> Vec<u8> {
    let mut out = s.to_vec();
    let first_not_space = |s: &[u8], from: usize| (from..s.len()).find(|&i| s[i] != b' ');
    let mut pos = first_not_space(&out, 0);
    while let Some(p) = pos {
        out[p] = out[p].to_ascii_uppercase();
        let Some(space) = cpp_find(&out, b" ", p + 1) else {
            break;
        };
        pos = first_not_space(&out, space + 1);
    }
    out
}

/// `remove_prefix`, with Zeek's search for repeated (possibly overlapping) occurrences.
fn remove_prefix_of<'a>(s: &'a [u8], sub: &[u8]) -> &'a [u8] {
    const NPOS: usize = usize::MAX;
    let find = |pos: usize| cpp_find(s, sub, pos).unwrap_or(NPOS);
    if find(0) != 0 {
        return s;
    }
    let mut pos = find(1);
    let mut next = sub.len();
    while pos == next && next < s.len() {
        next += sub.len();
        pos = find(pos.wrapping_add(1));
    }
    &s[next.min(s.len())..]
}

/// `remove_suffix`, with Zeek's unsigned wrap-arounds (`remove_suffix("xab", "ab")` keeps
/// the string). Zeek loops forever on `remove_suffix("", "")`; that returns `""` here.
fn remove_suffix_of<'a>(s: &'a [u8], sub: &[u8]) -> &'a [u8] {
    const NPOS: usize = usize::MAX;
    if s.is_empty() && sub.is_empty() {
        return s;
    }
    let rfind = |pos: usize| cpp_rfind(s, sub, pos).unwrap_or(NPOS);
    let mut pos = rfind(NPOS);
    let mut next = s.len().wrapping_sub(sub.len());
    while pos == next {
        next = next.wrapping_sub(sub.len());
        pos = rfind(pos.wrapping_sub(1));
    }
    &s[..next.wrapping_add(sub.len()).min(s.len())]
}

// ------------------------------------------------------------------ Smith-Waterman

/// One common substring: its bytes, where it starts in the first and second string
/// (Zeek's `BSSAlign` indices, C `int`s), and whether it begins an alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SwSubstring {
    bytes: Vec<u8>,
    index: [i32; 2],
    new: bool,
}

impl SwSubstring {
    /// `Substring::DoesCover`.
    fn covers(&self, other: &SwSubstring) -> bool {
        (0..2).all(|t| {
            let (a, b) = (i64::from(self.index[t]), i64::from(other.index[t]));
            !(a > b || a + (self.bytes.len() as i64) < b + (other.bytes.len() as i64))
        })
    }
}

#[derive(Clone, Copy, Default)]
struct SwNode {
    byte: u8,
    assigned: bool,
    visited: bool,
    score: i32,
    prev: Option<usize>,
}

fn push_substring(result: &mut Vec<SwSubstring>, sub: &[u8], row: i32, col: i32) {
    let mut bytes = sub.to_vec();
    bytes.reverse();
    result.push(SwSubstring {
        bytes,
        index: [row - 1, col - 1],
        new: false,
    });
}

/// `sw_collect_single`: walks back from `start`, cutting at gaps.
fn sw_collect_single(
    result: &mut Vec<SwSubstring>,
    nodes: &mut [SwNode],
    cols: usize,
    start: Option<usize>,
    min_toklen: u32,
) {
    let mut sub: Vec<u8> = Vec::new();
    let (mut row, mut col) = (0i32, 0i32);
    let mut node = start;
    while let Some(k) = node {
        nodes[k].visited = true;
        if nodes[k].assigned {
            row = (k / cols) as i32;
            col = (k % cols) as i32;
            sub.push(nodes[k].byte);
        } else {
            if sub.len() >= min_toklen as usize {
                push_substring(result, &sub, row, col);
            }
            sub.clear();
        }
        node = nodes[k].prev;
    }
    if !sub.is_empty() {
        push_substring(result, &sub, row, col);
    }
    if let Some(last) = result.last_mut() {
        last.new = true;
    }
}

/// `sw_collect_multiple`: every non-redundant chain, bottom-right first. As in Zeek, only
/// the first redundancy found between the new chain and the kept ones is acted on.
fn sw_collect_multiple(
    nodes: &mut [SwNode],
    rows: usize,
    cols: usize,
    min_toklen: u32,
) -> Vec<SwSubstring> {
    let mut als: Vec<Option<Vec<SwSubstring>>> = Vec::new();
    for i in (1..rows).rev() {
        for j in (1..cols).rev() {
            let k = i * cols + j;
            if !nodes[k].assigned || nodes[k].visited {
                continue;
            }
            let mut new_al = Vec::new();
            sw_collect_single(&mut new_al, nodes, cols, Some(k), min_toklen);
            let mut keep_new = true;
            'scan: for old in &mut als {
                let Some(old_al) = old else { continue };
                for old_ss in old_al.iter() {
                    for new_ss in &new_al {
                        if old_ss.covers(new_ss) {
                            keep_new = false;
                            break 'scan;
                        }
                        if new_ss.covers(old_ss) {
                            *old = None;
                            break 'scan;
                        }
                    }
                }
            }
            if keep_new {
                als.push(Some(new_al));
            }
        }
    }
    als.into_iter().flatten().flatten().collect()
}

/// `smith_waterman(s1, s2, params)`.
fn smith_waterman(s1: &[u8], s2: &[u8], min_toklen: u32, variant: i32) -> Vec<SwSubstring> {
    // `s->Len() < int(params._min_toklen)`
    let min = i64::from(min_toklen as i32);
    if (s1.len() as i64) < min || (s2.len() as i64) < min {
        return Vec::new();
    }
    let (rows, cols) = (s1.len() + 1, s2.len() + 1);
    let mut nodes = vec![SwNode::default(); rows * cols];
    let mut node_max = None;
    let mut matrix_max = 1;
    for i in 1..rows {
        for j in 1..cols {
            let cur = i * cols + j;
            let tl = (i - 1) * cols + j - 1;
            let l = i * cols + j - 1;
            let t = (i - 1) * cols + j;
            let score_t = nodes[t].score;
            let score_l = nodes[l].score;
            let mut score_tl = nodes[tl].score;
            if s1[i - 1] == s2[j - 1] {
                score_tl += 1;
                if nodes[tl].assigned {
                    score_tl += 99;
                }
                nodes[cur].byte = s1[i - 1];
                nodes[cur].assigned = true;
            }
            let assigned = nodes[cur].assigned;
            let score = if assigned {
                score_tl
            } else {
                score_t.max(score_l).max(score_tl)
            };
            nodes[cur].score = score;
            nodes[cur].prev = Some(if score == score_tl && assigned {
                tl
            } else if score == score_t {
                t
            } else {
                l
            });
            if score > matrix_max {
                node_max = Some(cur);
                matrix_max = score;
            }
        }
    }
    let mut result = Vec::new();
    if variant == 1 {
        result = sw_collect_multiple(&mut nodes, rows, cols, min_toklen);
    } else {
        sw_collect_single(&mut result, &mut nodes, cols, node_max, min_toklen);
    }
    // `SubstringCmp(len1 > len2 ? 0 : 1)` compares with `<=`; reproduce libstdc++'s
    // std::sort exactly.
    let key = usize::from(rows <= cols);
    cxx_sort(&mut result, |a, b| a.index[key] <= b.index[key]);
    result
}

/// libstdc++'s `std::sort` (introsort with threshold 16, median-of-three pivot, heap sort
/// at the depth limit, final insertion sort), step for step, so that a comparator that is
/// not a strict weak order (Smith-Waterman's `<=`) leaves elements where Zeek leaves them.
/// Where such a comparator would make the unguarded scans run off the slice (undefined
/// behaviour in Zeek), the scans stop at its ends.
fn cxx_sort<T: Clone>(v: &mut [T], comp: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    if n == 0 {
        return;
    }
    cxx::introsort(v, 0, n, n.ilog2() * 2, &comp);
    if n > cxx::THRESHOLD {
        cxx::insertion(v, 0, cxx::THRESHOLD, &comp);
        for i in cxx::THRESHOLD..n {
            cxx::unguarded_linear_insert(v, i, &comp);
        }
    } else {
        cxx::insertion(v, 0, n, &comp);
    }
}

/// The pieces of libstdc++'s `bits/stl_algo.h` and `bits/stl_heap.h` that `std::sort` uses.
mod cxx {
    pub const THRESHOLD: usize = 16;

    pub fn insertion<T: Clone>(
        v: &mut [T],
        first: usize,
        last: usize,
        comp: &impl Fn(&T, &T) -> bool,
    ) {
        if first == last {
            return;
        }
        for i in first + 1..last {
            if comp(&v[i], &v[first]) {
                v[first..=i].rotate_right(1);
            } else {
                unguarded_linear_insert(v, i, comp);
            }
        }
    }

    pub fn unguarded_linear_insert<T: Clone>(
        v: &mut [T],
        mut last: usize,
        comp: &impl Fn(&T, &T) -> bool,
    ) {
        let val = v[last].clone();
        while last > 0 && comp(&val, &v[last - 1]) {
            v[last] = v[last - 1].clone();
            last -= 1;
        }
        v[last] = val;
    }

    fn adjust_heap<T: Clone>(
        v: &mut [T],
        first: usize,
        mut hole: usize,
        len: usize,
        value: T,
        comp: &impl Fn(&T, &T) -> bool,
    ) {
        let top = hole;
        let mut second = hole;
        while len > 0 && second < (len - 1) / 2 {
            second = 2 * (second + 1);
            if comp(&v[first + second], &v[first + second - 1]) {
                second -= 1;
            }
            v[first + hole] = v[first + second].clone();
            hole = second;
        }
        if len & 1 == 0 && len >= 2 && second == (len - 2) / 2 {
            second = 2 * (second + 1);
            v[first + hole] = v[first + second - 1].clone();
            hole = second - 1;
        }
        // __push_heap
        while hole > top {
            let parent = (hole - 1) / 2;
            if !comp(&v[first + parent], &value) {
                break;
            }
            v[first + hole] = v[first + parent].clone();
            hole = parent;
        }
        v[first + hole] = value;
    }

    /// `__partial_sort(first, last, last)`: make_heap, then sort_heap.
    fn heap_sort<T: Clone>(v: &mut [T], first: usize, last: usize, comp: &impl Fn(&T, &T) -> bool) {
        let len = last - first;
        if len >= 2 {
            let mut parent = (len - 2) / 2;
            loop {
                let value = v[first + parent].clone();
                adjust_heap(v, first, parent, len, value, comp);
                if parent == 0 {
                    break;
                }
                parent -= 1;
            }
        }
        let mut end = last;
        while end - first > 1 {
            end -= 1;
            let value = v[end].clone();
            v[end] = v[first].clone();
            adjust_heap(v, first, 0, end - first, value, comp);
        }
    }

    fn move_median_to_first<T>(
        v: &mut [T],
        result: usize,
        (a, b, c): (usize, usize, usize),
        comp: &impl Fn(&T, &T) -> bool,
    ) {
        let pick = if comp(&v[a], &v[b]) {
            if comp(&v[b], &v[c]) {
                b
            } else if comp(&v[a], &v[c]) {
                c
            } else {
                a
            }
        } else if comp(&v[a], &v[c]) {
            a
        } else if comp(&v[b], &v[c]) {
            c
        } else {
            b
        };
        v.swap(result, pick);
    }

    fn unguarded_partition<T>(
        v: &mut [T],
        mut first: usize,
        mut last: usize,
        pivot: usize,
        comp: &impl Fn(&T, &T) -> bool,
    ) -> usize {
        let end = last;
        loop {
            while first < end && comp(&v[first], &v[pivot]) {
                first += 1;
            }
            last -= 1;
            while last > 0 && comp(&v[pivot], &v[last]) {
                last -= 1;
            }
            if first >= last {
                return first;
            }
            v.swap(first, last);
            first += 1;
        }
    }

    pub fn introsort<T: Clone>(
        v: &mut [T],
        first: usize,
        mut last: usize,
        mut depth: u32,
        comp: &impl Fn(&T, &T) -> bool,
    ) {
        while last - first > THRESHOLD {
            if depth == 0 {
                heap_sort(v, first, last, comp);
                return;
            }
            depth -= 1;
            let mid = first + (last - first) / 2;
            move_median_to_first(v, first, (first + 1, mid, last - 1), comp);
            let cut = unguarded_partition(v, first + 1, last, first, comp);
            introsort(v, cut, last, depth, comp);
            last = cut;
        }
    }
}

/// The types of `str_smith_waterman`'s result (`sw_substring_vec`, `sw_substring`,
/// `sw_align_vec`, `sw_align`), taken from its declared return type.
fn sw_result_types(it: &Interp) -> (TypeRef, TypeRef, TypeRef, TypeRef) {
    let from_decl = || -> Option<(TypeRef, TypeRef, TypeRef, TypeRef)> {
        let vec_ty = declared_ret(it, "str_smith_waterman")?;
        let sub_ty = vec_ty.yield_type()?.clone();
        let aligns_ty = sub_ty.record()?.fields.borrow().get(1)?.ty.clone();
        let align_ty = aligns_ty.yield_type()?.clone();
        align_ty.record()?;
        Some((vec_ty, sub_ty, aligns_ty, align_ty))
    };
    from_decl().unwrap_or_else(|| {
        let base = &it.prog.base;
        let field = |name: &str, ty: &TypeRef| Field {
            name: Symbol::intern(name),
            ty: ty.clone(),
            attrs: Attrs::default(),
            default: None,
        };
        let align_ty = Type::new(TypeKind::Record(RecordType {
            fields: RefCell::new(vec![
                field("str", &base.string),
                field("index", &base.count),
            ]),
        }));
        let aligns_ty = Type::new(TypeKind::Vector(align_ty.clone()));
        let sub_ty = Type::new(TypeKind::Record(RecordType {
            fields: RefCell::new(vec![
                field("str", &base.string),
                field("aligns", &aligns_ty),
                field("new", &base.bool_),
            ]),
        }));
        let vec_ty = Type::new(TypeKind::Vector(sub_ty.clone()));
        (vec_ty, sub_ty, aligns_ty, align_ty)
    })
}

/// A count field of a record argument: its value, else its `&default`.
fn record_count_field(v: &Value, idx: usize) -> u64 {
    let Value::Record(r) = v else { return 0 };
    let r = r.borrow();
    if let Some(Some(x)) = r.fields.get(idx) {
        return x.as_count();
    }
    r.ty.record()
        .and_then(|rt| rt.fields.borrow().get(idx).and_then(|f| f.default.clone()))
        .map_or(0, |d| d.as_count())
}

// ------------------------------------------------------------------ weirds

thread_local! {
    static NET_WEIRD_COUNTS: RefCell<std::collections::HashMap<String, u64>> =
        RefCell::new(std::collections::HashMap::new());
}

/// `Reporter::Weird(name, addl)`: `PermitNetWeird`'s sampling (all up to
/// `weird_sampling_threshold`, then every `weird_sampling_rate`-th; names in
/// `weird_sampling_whitelist` always), then a `net_weird(name, addl, "")` event.
fn net_weird(it: &mut Interp, name: &str, addl: &str) {
    let whitelisted = match global_value(it, "weird_sampling_whitelist") {
        Some(Value::Table(t)) => t.borrow().contains_key(&[Value::str(name.as_bytes())]),
        _ => false,
    };
    if !whitelisted {
        let threshold = global_value(it, "weird_sampling_threshold").map_or(1000, |v| v.as_count());
        let rate = global_value(it, "weird_sampling_rate").map_or(1000, |v| v.as_count());
        let count = NET_WEIRD_COUNTS.with(|c| {
            let mut c = c.borrow_mut();
            let n = c.entry(name.to_owned()).or_insert(0);
            *n += 1;
            *n
        });
        let permit = count <= threshold || (rate != 0 && (count - threshold) % rate == 0);
        if !permit {
            return;
        }
    }
    let Some(id) = it.prog.lookup(Symbol::intern("net_weird")) else {
        return;
    };
    let nparams = it.prog.globals[id as usize]
        .ty
        .as_ref()
        .and_then(|t| t.func().map(|f| f.params.len()));
    let Some(nparams) = nparams else { return };
    let mut args = vec![
        Value::str(name.as_bytes()),
        Value::str(addl.as_bytes()),
        Value::str(b""),
    ];
    args.truncate(nparams);
    it.queue_event(id, args);
}

/// `exceeds_max_string_length` of `find_all` / `find_all_ordered` (C `int`s throughout).
fn exceeds_max_string_length(
    it: &mut Interp,
    site: &CallSite<'_>,
    str_len: usize,
    max_size: i64,
) -> bool {
    let mut max = max_size as i32;
    let mut using_constant = false;
    if max < 0 {
        max = global_value(it, "max_find_all_string_length").map_or(10000, |v| v.as_int()) as i32;
        using_constant = true;
    }
    let len = str_len as i32;
    if max > 0 && len > max {
        let mut addl = String::new();
        it.describe_loc(site.loc, &mut addl);
        addl.push_str(&format!(": length {len} exceeded {max}"));
        if using_constant {
            // Zeek's text lacks the closing parenthesis.
            addl.push_str("(from constant max_find_all_string_length");
        }
        net_weird(it, "max_find_all_string_length_exceeded", &addl);
        return true;
    }
    false
}

// ------------------------------------------------------------------ the BiFs

fn levenshtein_distance(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(levenshtein(
        str_arg(args, 0),
        str_arg(args, 1),
    )))
}

fn string_cat(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    if args.iter().any(|a| !matches!(a, Value::String(_))) {
        it.error(None, "string_cat() requires string arguments");
        return Ok(Value::str(b""));
    }
    let out: Vec<u8> = args
        .iter()
        .flat_map(|a| a.as_bytes().iter().copied())
        .collect();
    Ok(string_val(out))
}

fn join_string_vec(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let sep = str_arg(args, 1).to_vec();
    let mut out = Vec::new();
    if let Some(Value::Vector(v)) = args.first() {
        for (i, item) in v.borrow().items.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(&sep);
            }
            // Holes are skipped (the separator is still added).
            if let Some(x) = item {
                it.describe_value(x, &mut out, Style::Raw);
            }
        }
    }
    Ok(string_val(out))
}

fn join_string_set(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let sep = str_arg(args, 1).to_vec();
    let Some(Value::Table(t)) = args.first() else {
        builtin_error(
            it,
            site,
            "join_string_set() requires a string set argument",
            None,
        );
        return Ok(Value::str(b""));
    };
    let keys = t.borrow().keys_vec();
    let mut out = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        for part in key {
            it.describe_value(part, &mut out, Style::Raw);
        }
    }
    Ok(string_val(out))
}

fn edit(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if str_arg(args, 1).len() != 1 {
        let arg = args[1].clone();
        builtin_error(it, site, "not exactly one edit character", Some(&arg));
    }
    // An empty string's first byte is its NUL terminator.
    let edit_c = str_arg(args, 1).first().copied().unwrap_or(0);
    Ok(string_val(edit_bytes(str_arg(args, 0), edit_c)))
}

fn sub_bytes(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let start = args.get(1).map_or(0, Value::as_count);
    let n = args.get(2).map_or(0, Value::as_int);
    Ok(Value::str(sub_bytes_of(str_arg(args, 0), start, n)))
}

fn do_split(it: &Interp, args: &[Value], fname: &str, incl_sep: bool, max_num_sep: u64) -> Value {
    let s = str_arg(args, 0);
    let pieces = match pat_arg(args, 1) {
        Some(p) => p.split(s, incl_sep, max_num_sep),
        None => vec![s],
    };
    string_vector(it, fname, pieces)
}

fn split_string(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(do_split(it, args, "split_string", false, 0))
}

fn split_string1(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(do_split(it, args, "split_string1", false, 1))
}

fn split_string_all(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(do_split(it, args, "split_string_all", true, 0))
}

fn split_string_n(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let incl_sep = args.get(2).is_some_and(Value::as_bool);
    let max = args.get(3).map_or(0, Value::as_count);
    Ok(do_split(it, args, "split_string_n", incl_sep, max))
}

fn replace(args: &[Value], all: bool) -> Value {
    let s = str_arg(args, 0);
    match pat_arg(args, 1) {
        Some(p) => string_val(p.replace(s, str_arg(args, 2), all)),
        None => Value::str(s),
    }
}

fn sub(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(replace(args, false))
}

fn gsub(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(replace(args, true))
}

fn strcmp(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Int(bstr_cmp(str_arg(args, 0), str_arg(args, 1))))
}

fn strstr(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let pos = strstr_n(str_arg(args, 0), str_arg(args, 1));
    Ok(Value::Count(pos.map_or(0, |p| p as u64 + 1)))
}

fn subst_string(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (s, from, to) = (str_arg(args, 0), str_arg(args, 1), str_arg(args, 2));
    Ok(string_val(subst_bytes(s, from, to)))
}

fn to_lower(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(str_arg(args, 0).to_ascii_lowercase()))
}

fn to_upper(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(str_arg(args, 0).to_ascii_uppercase()))
}

fn clean(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(render(str_arg(args, 0), ESC_HEX)))
}

fn to_string_literal(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let flags = ESC_ESC | ESC_QUOT | ESC_HEX;
    Ok(string_val(render(str_arg(args, 0), flags)))
}

fn is_ascii(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(str_arg(args, 0).is_ascii()))
}

fn escape_string(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(render(str_arg(args, 0), ESC_HEX | ESC_ESC)))
}

fn string_to_ascii_hex(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(ascii_hex(str_arg(args, 0))))
}

fn str_smith_waterman(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s1 = str_arg(args, 0);
    let s2 = str_arg(args, 1);
    let params = args.get(2).cloned().unwrap_or(Value::Void);
    // `SWParams(unsigned int, SWVariant)`: both counts pass through 32-bit integers.
    let min_toklen = record_count_field(&params, 0) as u32;
    let variant = record_count_field(&params, 1) as i32;
    let subs = smith_waterman(s1, s2, min_toklen, variant);

    let (vec_ty, sub_ty, aligns_ty, align_ty) = sw_result_types(it);
    let result = Value::new_vector(vec_ty);
    let Value::Vector(rv) = &result else {
        return Ok(result);
    };
    for sub in subs {
        let aligns = Value::new_vector(aligns_ty.clone());
        if let Value::Vector(av) = &aligns {
            for (which, s) in [s1, s2].into_iter().enumerate() {
                let align = Value::new_record(align_ty.clone());
                if let Value::Record(r) = &align {
                    let mut r = r.borrow_mut();
                    r.fields[0] = Some(Value::str(s));
                    // An `int` stored into a count field: -1 reads back as 2^64-1.
                    r.fields[1] = Some(Value::Count(i64::from(sub.index[which]) as u64));
                }
                av.borrow_mut().items.push(Some(align));
            }
        }
        let rec = Value::new_record(sub_ty.clone());
        if let Value::Record(r) = &rec {
            let mut r = r.borrow_mut();
            r.fields[0] = Some(string_val(sub.bytes));
            r.fields[1] = Some(aligns);
            r.fields[2] = Some(Value::Bool(sub.new));
        }
        rv.borrow_mut().items.push(Some(rec));
    }
    Ok(result)
}

fn str_split_indices(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0);
    // `IdxVec` holds C `int`s; a hole reads as 0.
    let idx: Vec<i32> = match args.get(1) {
        Some(Value::Vector(v)) => v
            .borrow()
            .items
            .iter()
            .map(|x| x.as_ref().map_or(0, Value::as_count) as i32)
            .collect(),
        _ => Vec::new(),
    };
    let pieces = split_indices(s, &idx).unwrap_or_default();
    Ok(string_vector(it, "str_split_indices", pieces))
}

fn strip(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::str(strip_bytes(str_arg(args, 0))))
}

fn lstrip(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::str(lstrip_bytes(str_arg(args, 0), str_arg(args, 1))))
}

fn rstrip(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::str(rstrip_bytes(str_arg(args, 0), str_arg(args, 1))))
}

fn string_fill(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let len = args.first().map_or(0, Value::as_int);
    Ok(string_val(fill_bytes(len, str_arg(args, 1))))
}

fn safe_shell_quote(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(shell_quote(str_arg(args, 0))))
}

/// The matches of `find_all` / `find_all_ordered`. Where Zeek would loop forever on an
/// empty match, the result holds the matches before it and one empty string (the set Zeek
/// would be left with; its vector would grow without end).
fn find_all_matches<'s>(p: &Pattern, s: &'s [u8]) -> Vec<&'s [u8]> {
    let found = p.find_all(s);
    let mut m = found.matches;
    if found.endless {
        m.push(b"");
    }
    m
}

fn find_all(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0).to_vec();
    let max = args.get(2).map_or(-1, Value::as_int);
    if exceeds_max_string_length(it, site, s.len(), max) {
        return Ok(string_set(it, "find_all", []));
    }
    let matches = pat_arg(args, 1).map_or_else(Vec::new, |p| find_all_matches(&p, &s));
    Ok(string_set(it, "find_all", matches))
}

fn find_all_ordered(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0).to_vec();
    let max = args.get(2).map_or(-1, Value::as_int);
    if exceeds_max_string_length(it, site, s.len(), max) {
        return Ok(string_vector(it, "find_all_ordered", []));
    }
    let matches = pat_arg(args, 1).map_or_else(Vec::new, |p| find_all_matches(&p, &s));
    Ok(string_vector(it, "find_all_ordered", matches))
}

fn find_last(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let s = str_arg(args, 0);
    let m = pat_arg(args, 1).and_then(|p| p.find_last(s).map(<[u8]>::to_vec));
    Ok(string_val(m.unwrap_or_default()))
}

fn hexdump(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(hexdump_bytes(str_arg(args, 0))))
}

fn reverse(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mut s = str_arg(args, 0).to_vec();
    s.reverse();
    Ok(string_val(s))
}

fn count_substr(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let n = count_substr_of(str_arg(args, 0), str_arg(args, 1));
    Ok(Value::Count(n))
}

fn find_str_common(it: &mut Interp, args: &[Value], rfind: bool) -> RtResult {
    let start = args.get(2).map_or(0, Value::as_count) as i64;
    let end = args.get(3).map_or(-1, Value::as_int);
    let cs = args.get(4).is_none_or(Value::as_bool);
    match do_find_str(str_arg(args, 0), str_arg(args, 1), start, end, rfind, cs) {
        Ok(p) => Ok(Value::Int(p)),
        Err(()) => {
            it.error(
                None,
                "find_str: end position must be greater than start position",
            );
            Ok(Value::Int(-1))
        }
    }
}

fn find_str(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    find_str_common(it, args, false)
}

fn rfind_str(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    find_str_common(it, args, true)
}

fn starts_with(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let found = cpp_find(str_arg(args, 0), str_arg(args, 1), 0);
    Ok(Value::Bool(found == Some(0)))
}

fn ends_with(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = ends_with_bytes(str_arg(args, 0), str_arg(args, 1));
    Ok(Value::Bool(r))
}

/// `is_num` / `is_alpha` / `is_alnum`: false for the empty string; otherwise every byte
/// must be in the class. A string with a NUL goes through `CheckString()`, which reports
/// it and yields `<string-with-NUL>`, whose `<` fails every class.
fn char_class(it: &mut Interp, args: &[Value], class: fn(&u8) -> bool) -> RtResult {
    let s = str_arg(args, 0);
    if s.is_empty() {
        return Ok(Value::Bool(false));
    }
    let checked = check_string(it, s);
    if checked.len() != s.len() {
        return Ok(Value::Bool(false));
    }
    Ok(Value::Bool(checked.iter().all(class)))
}

fn is_num(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    char_class(it, args, u8::is_ascii_digit)
}

fn is_alpha(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    char_class(it, args, u8::is_ascii_alphabetic)
}

fn is_alnum(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    char_class(it, args, u8::is_ascii_alphanumeric)
}

/// The fill character: `fill->CheckString()[0]`.
fn fill_char(it: &mut Interp, fill: &[u8]) -> u8 {
    check_string(it, fill).first().copied().unwrap_or(0)
}

/// `ljust` / `rjust` with a fill string that is not one byte: Zeek reports the error and
/// returns no value at all, which skips the enclosing statement silently.
fn bad_fill(it: &mut Interp, name: &str) -> RtResult {
    let msg = format!("Fill string passed to {name}() must be a single character");
    it.error(None, &msg);
    Err(it.no_value())
}

fn ljust(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let fill = str_arg(args, 2).to_vec();
    if fill.len() != 1 {
        return bad_fill(it, "ljust");
    }
    let s = str_arg(args, 0).to_vec();
    let width = args.get(1).map_or(0, Value::as_count);
    if width <= s.len() as u64 {
        return Ok(string_val(s));
    }
    // Only now is the fill character read.
    let c = fill_char(it, &fill);
    Ok(string_val(justify(&s, width, c, true)))
}

fn rjust(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let fill = str_arg(args, 2).to_vec();
    if fill.len() != 1 {
        return bad_fill(it, "rjust");
    }
    // `do_rjust(str, width, fill->CheckString()[0])`: read before the width check.
    let c = fill_char(it, &fill);
    let width = args.get(1).map_or(0, Value::as_count);
    Ok(string_val(justify(str_arg(args, 0), width, c, false)))
}

fn swap_case(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(swap_case_bytes(str_arg(args, 0))))
}

fn to_title(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(string_val(title_bytes(str_arg(args, 0))))
}

fn zfill(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let width = args.get(1).map_or(0, Value::as_count);
    Ok(string_val(justify(str_arg(args, 0), width, b'0', false)))
}

fn remove_prefix(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = remove_prefix_of(str_arg(args, 0), str_arg(args, 1));
    Ok(Value::str(r))
}

fn remove_suffix(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = remove_suffix_of(str_arg(args, 0), str_arg(args, 1));
    Ok(Value::str(r))
}

fn convert_for_pattern(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = zest_pattern::convert_for_pattern(str_arg(args, 0));
    Ok(string_val(r))
}

/// `string_to_pattern`: compile errors are reported (without location, as Zeek's reporter
/// has none at run time) and the pattern is returned anyway.
fn string_to_pattern(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let convert = args.get(1).is_some_and(Value::as_bool);
    let compiled = Pattern::from_string(str_arg(args, 0), convert);
    for d in &compiled.diagnostics {
        it.error(None, &String::from_utf8_lossy(&d.message));
    }
    Ok(Value::Pattern(compiled.pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    /// bifs/levenshtein_distance.
    #[test]
    fn levenshtein_cases() {
        let cases: &[(&str, &str, u64)] = &[
            ("this is a string", "this is a tring", 1),
            ("this is a tring", "this is a string", 1),
            ("this is a string", "this is a strings", 1),
            ("this is a strings", "this is a string", 1),
            ("this is a string", "this is a strink", 1),
            ("this is a strink", "this is a string", 1),
            ("this is a strink", "", 16),
            ("", "this is a strink", 16),
            ("", "", 0),
            ("this is a strink", "this is a strink", 0),
            ("kitten", "sitting", 3),
        ];
        for &(a, b, want) in cases {
            assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), want, "{a:?} {b:?}");
        }
    }

    /// bifs/edit and the strings.bif documentation.
    #[test]
    fn edit_cases() {
        assert_eq!(edit_bytes(b"hello there", b'e'), b"llo t");
    }

    /// bifs/reverse (`sub_bytes(s4, 2, 2)`), zeek-semantics.md 4.4 (`sub_bytes("abc", 0, 1)`).
    #[test]
    fn sub_bytes_cases() {
        assert_eq!(sub_bytes_of(b"\xff\x39\x30\xff", 2, 2), b"\x39\x30");
        assert_eq!(sub_bytes_of(b"abc", 0, 1), b"a");
    }

    /// bifs/strcmp: only the signs are specified.
    #[test]
    fn strcmp_cases() {
        assert!(bstr_cmp(b"this", b"testing") > 0);
        assert!(bstr_cmp(b"testing", b"this") < 0);
        assert_eq!(bstr_cmp(b"this", b"this"), 0);
    }

    /// bifs/reverse (`subst_string(reverse(s2), " ", "")`).
    #[test]
    fn subst_cases() {
        assert_eq!(
            subst_bytes(b"ris etov ot esir", b" ", b""),
            b"risetovotesir"
        );
    }

    /// bifs/escape_string; ZeekString.cc's "rendering" unit test.
    #[test]
    fn render_cases() {
        let a = b"Test \0string";
        assert_eq!(s(&render(a, ESC_HEX)), "Test \\x00string");
        assert_eq!(
            s(&render(a, ESC_ESC | ESC_QUOT | ESC_HEX)),
            "Test \\x00string"
        );
        assert_eq!(s(&render(a, ESC_HEX | ESC_ESC)), "Test \\x00string");
        assert_eq!(s(&ascii_hex(a)), "546573742000737472696e67");
        let s1 = b"\\abcd'\"";
        assert_eq!(s(&render(s1, ESC_ESC)), "\\\\abcd'\"");
        assert_eq!(s(&render(s1, ESC_QUOT)), "\\abcd\\'\\\"");
        assert_eq!(
            s(&render(b"\x03\x04\x05\x06\\'", ESC_HEX)),
            "\\x03\\x04\\x05\\x06\\'"
        );
    }

    /// bifs/split_string (`str_split_indices`); ZeekString.cc's "split" unit test.
    #[test]
    fn split_indices_cases() {
        assert_eq!(
            split_indices(b"this is a test", &[3, 6, 13]).unwrap(),
            vec![&b"thi"[..], b"s i", b"s a tes", b"t"]
        );
        assert_eq!(
            split_indices(b"this is a test", &[4, 7, 9, -1, 30]).unwrap(),
            vec![&b"this"[..], b" is", b" a", b" test"]
        );
        assert!(split_indices(b"this is a test", &[]).is_none());
    }

    /// bifs/strip, bifs/lstrip, bifs/rstrip.
    #[test]
    fn strip_cases() {
        assert_eq!(strip_bytes(b"  this is a test "), b"this is a test");
        assert_eq!(strip_bytes(b""), b"");
        assert_eq!(strip_bytes(b" "), b"");
        let ws = b" \t\n\r\x0b\x0c";
        let aring = "\u{e5}".as_bytes();
        let link = b"https://www.zeek.org";
        assert_eq!(lstrip_bytes(link, b"htps:/"), b"www.zeek.org");
        assert_eq!(lstrip_bytes(b"abcdcab", b"abc"), b"dcab");
        assert_eq!(lstrip_bytes(b"", aring), b"");
        assert_eq!(lstrip_bytes(link, b""), link);
        assert_eq!(lstrip_bytes("\u{e5}dog".as_bytes(), aring), b"dog");
        assert_eq!(lstrip_bytes(b"aaa", b"a"), b"");
        assert_eq!(lstrip_bytes(b"\n   testing   ", ws), b"testing   ");
        assert_eq!(rstrip_bytes(link, b"org."), b"https://www.zeek");
        assert_eq!(rstrip_bytes(b"abcdcab", b"abc"), b"abcd");
        assert_eq!(rstrip_bytes(b"", aring), b"");
        assert_eq!(rstrip_bytes(link, b""), link);
        assert_eq!(rstrip_bytes("dog\u{e5}".as_bytes(), aring), b"dog");
        assert_eq!(rstrip_bytes(b"aaa", b"a"), b"");
        assert_eq!(rstrip_bytes(b"   testing   \n", ws), b"   testing");
    }

    /// bifs/string_fill.
    #[test]
    fn fill_cases() {
        assert_eq!(fill_bytes(1, b"test "), b"\0");
        assert_eq!(fill_bytes(2, b"test "), b"t\0");
        assert_eq!(fill_bytes(10, b"test "), b"test test\0");
    }

    /// bifs/safe_shell_quote.
    #[test]
    fn shell_quote_cases() {
        assert_eq!(
            s(&shell_quote(
                b"echo `pwd` ${TEST} > \"my file\"; echo -e \"\\n\""
            )),
            "\"echo \\`pwd\\` \\${TEST} > \\\"my file\\\"; echo -e \\\"\\\\n\\\"\""
        );
    }

    /// bifs/is_ascii, bifs/lowerupper.
    #[test]
    fn ascii_cases() {
        assert!(!b"this is a test\xfe".is_ascii());
        assert!(b"this is a test\x7f".is_ascii());
        assert_eq!(b"this is a Test".to_ascii_lowercase(), b"this is a test");
        assert_eq!(b"this is a Test".to_ascii_uppercase(), b"THIS IS A TEST");
    }

    /// bifs/string_utils.
    #[test]
    fn string_utils_cases() {
        assert_eq!(justify(b"abc", 2, b' ', true), b"abc");
        assert_eq!(justify(b"abc", 3, b' ', true), b"abc");
        assert_eq!(justify(b"abc", 5, b' ', true), b"abc  ");
        assert_eq!(justify(b"abc", 5, b'-', true), b"abc--");
        assert_eq!(justify(b"abc", 2, b' ', false), b"abc");
        assert_eq!(justify(b"abc", 5, b' ', false), b"  abc");
        assert_eq!(justify(b"abc", 5, b'-', false), b"--abc");
        assert_eq!(justify(b"abc", 5, b'0', false), b"00abc");
        assert_eq!(count_substr_of(b"aabbaa", b"aa"), 2);
        assert_eq!(count_substr_of(b"aabbaa", b"bb"), 1);
        assert_eq!(count_substr_of(b"aabbaa", b"cc"), 0);
        assert_eq!(cpp_find(b"abcdefghi", b"abc", 0), Some(0));
        assert_ne!(cpp_find(b"abcdefghi", b"ghi", 0), Some(0));
        assert!(ends_with_bytes(b"abcdefghi", b"ghi"));
        assert!(!ends_with_bytes(b"abcdefghi", b"abc"));
        assert_eq!(swap_case_bytes(b"aBc"), b"AbC");
        assert_eq!(
            title_bytes(b"bro is a very neat ids"),
            b"Bro Is A Very Neat Ids"
        );
        assert_eq!(title_bytes(b"   "), b"   ");
        assert_eq!(title_bytes(b"  a   c  "), b"  A   C  ");
        assert_eq!(remove_prefix_of(b"ananab", b"an"), b"ab");
        assert_eq!(remove_prefix_of(b"anatnab", b"an"), b"atnab");
        assert_eq!(remove_suffix_of(b"banana", b"na"), b"ba");
        assert_eq!(remove_suffix_of(b"bantana", b"na"), b"banta");
        let s3 = b"abcdefghi";
        let find = |sub: &[u8], start, end, rfind| do_find_str(s3, sub, start, end, rfind, true);
        assert_eq!(find(b"abcd", 0, -1, false), Ok(0));
        assert_eq!(find(b"abcd", 1, -1, false), Ok(-1));
        assert_eq!(find(b"abcd", 0, 2, false), Ok(-1));
        assert_eq!(find(b"efg", 0, -1, false), Ok(4));
        assert_eq!(find(b"efg", 2, 6, false), Ok(4));
        assert_eq!(find(b"abcd", 0, -1, true), Ok(0));
        assert_eq!(find(b"abcd", 1, -1, true), Ok(-1));
        assert_eq!(find(b"abcd", 0, 2, true), Ok(-1));
        assert_eq!(find(b"efg", 0, -1, true), Ok(4));
        assert_eq!(find(b"efg", 2, 6, true), Ok(4));
        // bifs/string_utils_errors
        assert_eq!(find(b"efg", 6, 2, false), Err(()));
        assert_eq!(find(b"efg", 6, 2, true), Err(()));
    }

    /// bifs/do_find_str.
    #[test]
    fn find_str_case_cases() {
        let a = b"this is the concatenation of HTTP fields of the fOrM of the website that I am protecting";
        let subs: &[&[u8]] = &[b"form", b"FORM", b"FoRm", b"om0", b"f0rm", b"fOrm", b"fOrM"];
        let insensitive = [48, 48, 48, -1, -1, 48, 48];
        let sensitive = [-1, -1, -1, -1, -1, -1, 48];
        for (i, sub) in subs.iter().enumerate() {
            assert_eq!(do_find_str(a, sub, 0, -1, false, false), Ok(insensitive[i]));
            assert_eq!(do_find_str(a, sub, 0, -1, false, true), Ok(sensitive[i]));
        }
    }

    /// Hand-traced from `hexdump` in strings.bif: 74-column lines, offset, two 8-byte
    /// groups, ASCII column from column 56; an empty input gives 50 blanks.
    #[test]
    fn hexdump_cases() {
        assert_eq!(s(&hexdump_bytes(b"")), format!("{}\n", " ".repeat(50)));
        assert_eq!(
            s(&hexdump_bytes(b"A")),
            format!("0000  41 {}A\n", " ".repeat(47))
        );
        assert_eq!(
            s(&hexdump_bytes(b"0123456789abcdef")),
            "0000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  01234567 89abcdef\n"
        );
        assert_eq!(
            s(&hexdump_bytes(b"0123456789abcdef\x00\x7f")),
            format!(
                "0000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  01234567 89abcdef\n0010  00 7f {}..\n",
                " ".repeat(44)
            )
        );
    }

    /// bifs/find_all, bifs/find_all_ordered, bifs/sub, bifs/split_string and the
    /// strings.bif documentation, through the pattern helpers as these BiFs use them.
    #[test]
    fn pattern_bifs() {
        let p = Pattern::new("hi|es", false).unwrap();
        assert_eq!(
            find_all_matches(&p, b"this is a test"),
            vec![&b"hi"[..], b"es"]
        );
        let w = Pattern::new("[a-z]+", false).unwrap();
        assert_eq!(
            find_all_matches(&w, b"1bar2foo3"),
            vec![&b"bar"[..], b"foo"]
        );
        assert!(find_all_matches(&w, b"1 2 3 4").is_empty());
        let is = Pattern::new("is|ss", false).unwrap();
        assert_eq!(
            is.replace(b"this is a test", b"at", false),
            b"that is a test"
        );
        assert_eq!(
            is.replace(b"this is a test", b"at", true),
            b"that at a test"
        );
        let dash = Pattern::new("(\\-)+", false).unwrap();
        assert_eq!(
            dash.split(b"a-b--cd", true, 0),
            vec![&b"a"[..], b"-", b"b", b"--", b"cd"]
        );
    }

    fn sw(s1: &str, s2: &str, min: u32, mode: i32) -> Vec<String> {
        smith_waterman(s1.as_bytes(), s2.as_bytes(), min, mode)
            .iter()
            .map(|t| {
                let new = if t.new { "T" } else { "F" };
                format!("{} ({}/{}, {new})", s(&t.bytes), t.index[0], t.index[1])
            })
            .collect()
    }

    /// language/smith-waterman-test.
    #[test]
    fn smith_waterman_cases() {
        assert!(sw("abcdefgh", "ijklmnop", 2, 0).is_empty());
        assert_eq!(sw("AAAabcefghij", "lmnopAAAqrst", 2, 0), ["AAA (0/5, T)"]);
        assert_eq!(sw("abcAAAefghij", "lmnopAAAqrst", 2, 0), ["AAA (3/5, T)"]);
        assert_eq!(sw("abcefghijAAA", "lmnopAAAqrst", 2, 0), ["AAA (9/5, T)"]);
        assert_eq!(
            sw("xxxAAAyyy", "AAAaAAAbAAA", 2, 1),
            ["AAA (3/0, T)", "AAA (3/4, T)", "AAA (3/8, T)"]
        );
        assert_eq!(
            sw("AAAaAAAbAAA", "xxxAAAyyy", 2, 1),
            ["AAA (0/3, T)", "AAA (4/3, T)", "AAA (8/3, T)"]
        );
        assert_eq!(
            sw("xxCDyABzCDyABzz", "ABCD", 2, 1),
            ["CD (2/2, T)", "AB (5/0, T)", "CD (8/2, F)", "AB (11/0, T)"]
        );
        assert_eq!(
            sw("ABCD", "xxCDyABzCDyABzz", 2, 1),
            ["CD (2/2, T)", "AB (0/5, T)", "CD (2/8, F)", "AB (0/11, T)"]
        );
        assert_eq!(
            sw(
                "Cache-control: no-cache^M^JAccept:",
                "Accept-: deflate^M^JAccept-: Accept-",
                6,
                1
            ),
            [
                "Accept (27/0, T)",
                "e^M^JAccept (22/15, T)",
                "Accept (27/29, T)"
            ]
        );
        assert_eq!(
            sw("xxAAxxAAxx", "yyyyyAAyyyyy", 2, 1),
            ["AA (2/5, T)", "AA (6/5, T)"]
        );
    }

    /// With a strict order, the std::sort emulation sorts (checked against the standard
    /// library's sort, not against our own output).
    #[test]
    fn cxx_sort_strict() {
        for n in [0usize, 1, 5, 16, 17, 40, 200, 1000] {
            let mut v: Vec<u32> = (0..n as u32).map(|i| (i * 7919 + 13) % 101).collect();
            let mut want = v.clone();
            want.sort_unstable();
            cxx_sort(&mut v, |a, b| a < b);
            assert_eq!(v, want, "n={n}");
        }
        // Depth limit reached: heap sort path.
        let mut v: Vec<u32> = (0..2000).map(|i| (i * 31) % 7).collect();
        let mut want = v.clone();
        want.sort_unstable();
        cxx::introsort(&mut v, 0, 2000, 0, &|a: &u32, b: &u32| a < b);
        cxx::insertion(&mut v, 0, 2000, &|a: &u32, b: &u32| a < b);
        assert_eq!(v, want);
    }

    /// bifs/convert_for_pattern.
    #[test]
    fn convert_cases() {
        assert_eq!(zest_pattern::convert_for_pattern(b"foo"), b"foo");
        assert_eq!(zest_pattern::convert_for_pattern(b""), b"");
        assert_eq!(
            zest_pattern::convert_for_pattern(b"b[a-z]+"),
            b"b\\[a\\-z\\]\\+"
        );
    }
}
