//! Test-only check of the lowering: a direct simulation of Zeek's symbol semantics.
//!
//! The oracle runs the parsed tree on the real symbol string `BOL s EOL` (with BOL/EOL as
//! symbols, exactly like Zeek's DFA) by computing end-position sets, and the tests compare it
//! with the regex-automata matcher built from the lowered components, on random patterns
//! and strings.

use std::collections::BTreeSet;

use crate::engine::Engine;
use crate::ir::{Node, SymSet};
use crate::lower::lower;
use crate::parse::parse;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sym {
    Bol,
    Byte(u8),
    Eol,
}

fn has(set: &SymSet, s: Sym) -> bool {
    match s {
        Sym::Bol => set.bol,
        Sym::Eol => set.eol,
        Sym::Byte(b) => set.has_byte(b),
    }
}

/// End positions of matches of `node` starting at `i`.
fn ends(node: &Node, syms: &[Sym], i: usize) -> BTreeSet<usize> {
    match node {
        Node::Empty => BTreeSet::from([i]),
        Node::Set(set) => match syms.get(i) {
            Some(&s) if has(set, s) => BTreeSet::from([i + 1]),
            _ => BTreeSet::new(),
        },
        Node::Concat(items) => items.iter().fold(BTreeSet::from([i]), |cur, n| {
            cur.iter().flat_map(|&j| ends(n, syms, j)).collect()
        }),
        Node::Alt(alts) => alts.iter().flat_map(|n| ends(n, syms, i)).collect(),
        Node::Repeat(sub, min, max) => {
            let mut out = BTreeSet::new();
            let mut cur = BTreeSet::from([i]);
            let mut k = 0u32;
            let mut seen_after_min: BTreeSet<usize> = BTreeSet::new();
            loop {
                if k >= *min {
                    out.extend(cur.iter().copied());
                    // Unbounded: stop once a level adds nothing new past the minimum.
                    let fresh: BTreeSet<usize> = cur.difference(&seen_after_min).copied().collect();
                    if max.is_none() && fresh.is_empty() {
                        break;
                    }
                    seen_after_min.extend(fresh);
                }
                if max.is_some_and(|m| k >= m) || cur.is_empty() {
                    break;
                }
                cur = cur.iter().flat_map(|&j| ends(sub, syms, j)).collect();
                k += 1;
            }
            out
        }
    }
}

struct Oracle {
    node: Node,
}

impl Oracle {
    fn run(&self, s: &[u8]) -> BTreeSet<usize> {
        let mut syms = vec![Sym::Bol];
        syms.extend(s.iter().map(|&b| Sym::Byte(b)));
        syms.push(Sym::Eol);
        ends(&self.node, &syms, 0)
    }

    fn match_all(&self, s: &[u8]) -> bool {
        self.run(s).contains(&(s.len() + 2))
    }

    fn match_first(&self, s: &[u8]) -> usize {
        let e = self.run(s);
        if let Some(i) = (1..=s.len()).find(|&i| e.contains(&(i + 1))) {
            return i;
        }
        if e.contains(&(s.len() + 2)) {
            s.len().max(1)
        } else {
            0
        }
    }

    fn longest(&self, s: &[u8]) -> Option<usize> {
        let e = self.run(s);
        if e.contains(&(s.len() + 2)) {
            return Some(s.len());
        }
        (0..=s.len()).rev().find(|&i| e.contains(&(i + 1)))
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_pattern(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "a", "b", "A", "^", "$", ".", "(", ")", "|", "*", "+", "?", "{0,2}", "{2}", "{1,}", "[ab]",
        "[^a]", "\\n", "(?i:", "(?s:", "\"a\"", "(^|a)", "($|b)", "^?", "$?", "(^a$)?", "(^$|)",
        "{3}", "(a|)",
    ];
    let len = 1 + rng.below(8);
    (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

fn random_string(rng: &mut Rng) -> Vec<u8> {
    const BYTES: &[u8] = b"abA\n";
    let len = rng.below(6);
    (0..len).map(|_| BYTES[rng.below(BYTES.len())]).collect()
}

#[test]
fn lowering_agrees_with_symbol_semantics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for _ in 0..2500 {
        let text = random_pattern(&mut rng);
        // Wrap like Zeek does, so the wrappers' `^?`/`$?` interact with inner anchors.
        for wrapped in [
            format!("^?({text})$?"),
            format!("^?(.|\\n)*({text})"),
            text.clone(),
        ] {
            let parsed = parse(wrapped.as_bytes());
            let Ok(node) = parsed.node else { continue };
            let engine = Engine::build(lower(&node)).expect("small pattern builds");
            let oracle = Oracle { node };
            let mut searcher = engine.searcher();
            for _ in 0..20 {
                let s = random_string(&mut rng);
                assert_eq!(
                    searcher.match_all(&s),
                    oracle.match_all(&s),
                    "all /{wrapped}/ {s:?}"
                );
                assert_eq!(
                    searcher.match_first(&s),
                    oracle.match_first(&s),
                    "first /{wrapped}/ {s:?}"
                );
                assert_eq!(
                    searcher.longest(&s),
                    oracle.longest(&s),
                    "longest /{wrapped}/ {s:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} checks");
}
