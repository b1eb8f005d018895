//! Lowering a parsed pattern to byte-only regular expressions (`regex-syntax` HIR).
//!
//! Zeek matches a pattern against the symbol string `BOL b1 .. bn EOL` (or a prefix of it),
//! where BOL and EOL are real input symbols consumed by `^`/`$`. Byte-level regex engines have
//! no such symbols, so for every node this module computes four byte languages:
//!
//! | component | words `w` with ...            |
//! |-----------|-------------------------------|
//! | `c00`     | `w` in L(node)                |
//! | `c10`     | `BOL w` in L(node)            |
//! | `c01`     | `w EOL` in L(node)            |
//! | `c11`     | `BOL w EOL` in L(node)        |
//!
//! BOL can only be the first input symbol and EOL only the last, so these four describe the
//! node completely and compose exactly (a `^` that would need a second BOL simply matches
//! nothing, as in Zeek). Zeek always feeds BOL, so a matcher only needs `c10` (a match
//! that stops before EOL) and `c11` (a match that consumed EOL) of the whole pattern.
//! `None` stands for the empty language.

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};

use crate::ir::{Node, SymSet};

/// The four component languages of a node, plus whether `c00` contains the empty word.
#[derive(Clone, Debug)]
pub(crate) struct Comp {
    pub(crate) c00: Option<Hir>,
    pub(crate) c10: Option<Hir>,
    pub(crate) c01: Option<Hir>,
    pub(crate) c11: Option<Hir>,
    pub(crate) nullable: bool,
}

impl Comp {
    /// The components of the empty word.
    fn empty() -> Comp {
        Comp {
            c00: Some(Hir::empty()),
            c10: None,
            c01: None,
            c11: None,
            nullable: true,
        }
    }

    /// The components of one symbol out of a set.
    fn set(set: &SymSet) -> Comp {
        let ranges = set.byte_ranges();
        let c00 = (!ranges.is_empty()).then(|| {
            let cls = ClassBytes::new(ranges.into_iter().map(|(a, b)| ClassBytesRange::new(a, b)));
            Hir::class(Class::Bytes(cls))
        });
        Comp {
            c00,
            c10: set.bol.then(Hir::empty),
            c01: set.eol.then(Hir::empty),
            c11: None,
            nullable: false,
        }
    }

    /// Sequence: `self` then `b`.
    fn then(self, b: Comp) -> Comp {
        let a = self;
        Comp {
            c00: cat(&[&a.c00, &b.c00]),
            c10: alt(vec![cat(&[&a.c10, &b.c00]), when(a.nullable, &b.c10)]),
            c01: alt(vec![cat(&[&a.c00, &b.c01]), when(b.nullable, &a.c01)]),
            c11: alt(vec![
                cat(&[&a.c10, &b.c01]),
                when(a.nullable, &b.c11),
                when(b.nullable, &a.c11),
            ]),
            nullable: a.nullable && b.nullable,
        }
    }

    /// Alternation, componentwise.
    fn or(self, b: Comp) -> Comp {
        Comp {
            c00: alt(vec![self.c00, b.c00]),
            c10: alt(vec![self.c10, b.c10]),
            c01: alt(vec![self.c01, b.c01]),
            c11: alt(vec![self.c11, b.c11]),
            nullable: self.nullable || b.nullable,
        }
    }

    /// `min..=max` repetitions (`max` unbounded if `None`, at least 1 otherwise).
    ///
    /// A word of A{k} has at most one piece holding BOL (the first non-empty one) and one
    /// holding EOL (the last non-empty one); everything between comes from `c00`. If `c00`
    /// holds the empty word, A{n,m} equals A{m} (pieces may be empty); otherwise every piece
    /// is non-empty and the counts are exact.
    fn repeat(self, min: u32, max: Option<u32>) -> Comp {
        let a = self;
        let minus = |m: Option<u32>, k: u32| m.map(|m| m.saturating_sub(k));
        let at_least = |k: u32| max.is_none_or(|m| m >= k);
        let (lo1, lo2) = if a.nullable {
            (0, 0)
        } else {
            (min.max(1) - 1, min.max(2) - 2)
        };
        let mid1 = rep(&a.c00, lo1, minus(max, 1));
        let c10 = cat(&[&a.c10, &mid1]);
        let c01 = cat(&[&mid1, &a.c01]);
        let single = if a.nullable || min <= 1 {
            a.c11.clone()
        } else {
            None
        };
        let double = if at_least(2) {
            let mid2 = rep(&a.c00, lo2, minus(max, 2));
            cat(&[&a.c10, &mid2, &a.c01])
        } else {
            None
        };
        Comp {
            c00: rep(&a.c00, min, max),
            c10,
            c01,
            c11: alt(vec![single, double]),
            nullable: min == 0 || a.nullable,
        }
    }
}

/// The components of a node.
pub(crate) fn lower(node: &Node) -> Comp {
    match node {
        Node::Empty => Comp::empty(),
        Node::Set(set) => Comp::set(set),
        Node::Concat(items) => concat(items),
        Node::Alt(alts) => {
            let mut it = alts.iter();
            let first = it.next().map_or_else(Comp::empty, lower);
            it.fold(first, |acc, n| acc.or(lower(n)))
        }
        Node::Repeat(sub, min, max) => lower(sub).repeat(*min, *max),
    }
}

/// The components of a concatenation. Runs of anchor-free parts (only
/// `c00`, the usual case: literal text and classes) are joined into one
/// part first, so that a long concatenation is not rebuilt once per part.
fn concat(items: &[Node]) -> Comp {
    let mut acc = Comp::empty();
    let mut run: Vec<Hir> = Vec::new();
    let mut run_nullable = true;
    let mut run_empty = false;
    let flush = |acc: Comp, run: &mut Vec<Hir>, nullable: &mut bool, empty: &mut bool| {
        if run.is_empty() && !*empty {
            return acc;
        }
        let part = Comp {
            c00: (!*empty).then(|| Hir::concat(std::mem::take(run))),
            c10: None,
            c01: None,
            c11: None,
            nullable: *nullable,
        };
        run.clear();
        *nullable = true;
        *empty = false;
        acc.then(part)
    };
    for n in items {
        let c = lower(n);
        if c.c10.is_none() && c.c01.is_none() && c.c11.is_none() {
            match c.c00 {
                Some(h) => run.push(h),
                None => run_empty = true,
            }
            run_nullable &= c.nullable;
        } else {
            acc = flush(acc, &mut run, &mut run_nullable, &mut run_empty);
            acc = acc.then(c);
        }
    }
    flush(acc, &mut run, &mut run_nullable, &mut run_empty)
}

/// Concatenation; empty if any part is.
fn cat(parts: &[&Option<Hir>]) -> Option<Hir> {
    let mut v = Vec::with_capacity(parts.len());
    for p in parts {
        v.push((*p).clone()?);
    }
    Some(Hir::concat(v))
}

/// Union of the non-empty languages.
///
/// Alternatives are flattened and duplicates dropped. This matters for Zeek's nested
/// wrappers (`p = p | q` in a loop, `+=` on a pattern): each `^?( … )$?` level unions the
/// four components of the level below, which are usually the same expressions; without
/// sharing them the size would grow with the cube of the nesting depth.
fn alt(parts: Vec<Option<Hir>>) -> Option<Hir> {
    let mut v: Vec<Hir> = Vec::new();
    let mut push = |h: Hir| {
        if !v.contains(&h) {
            v.push(h);
        }
    };
    for h in parts.into_iter().flatten() {
        if matches!(h.kind(), HirKind::Alternation(_)) {
            if let HirKind::Alternation(subs) = h.into_kind() {
                subs.into_iter().for_each(&mut push);
            }
        } else {
            push(h);
        }
    }
    match v.len() {
        0 => None,
        1 => v.pop(),
        _ => Some(Hir::alternation(v)),
    }
}

/// `h` if the condition holds, else the empty language.
fn when(cond: bool, h: &Option<Hir>) -> Option<Hir> {
    if cond {
        h.clone()
    } else {
        None
    }
}

/// `min..=max` repetitions of `h` (the empty language repeated zero times is the empty word).
fn rep(h: &Option<Hir>, min: u32, max: Option<u32>) -> Option<Hir> {
    if max == Some(0) {
        return Some(Hir::empty());
    }
    let Some(h) = h else {
        return (min == 0).then(Hir::empty);
    };
    if min == 1 && max == Some(1) {
        return Some(h.clone());
    }
    Some(Hir::repetition(Repetition {
        min,
        max,
        greedy: true,
        sub: Box::new(h.clone()),
    }))
}
