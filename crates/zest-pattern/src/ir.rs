//! The parsed form of one Zeek regular expression, over Zeek's symbol alphabet.
//!
//! Zeek's matcher (`src/NFA.h`) works on 258 symbols: the 256 byte values plus two
//! pseudo-symbols, `SYM_BOL` (256) and `SYM_EOL` (257). Every match feeds `SYM_BOL` before the
//! first byte (and `SYM_EOL` after the last one when the search reaches the end); `^` and `$`
//! are ordinary transitions on those symbols, not zero-width assertions. The parser keeps that
//! model: a [`SymSet`] may contain the two pseudo-symbols, and [`crate::lower`] turns the tree
//! into byte-only regular expressions.

/// Zeek's symbol number for "beginning of line" (`SYM_BOL`).
pub(crate) const SYM_BOL: i32 = 256;
/// Zeek's symbol number for "end of line" (`SYM_EOL`).
pub(crate) const SYM_EOL: i32 = 257;
/// Zeek's number of real symbols (`NUM_SYM`): bytes plus BOL and EOL.
pub(crate) const NUM_SYM: i32 = 258;
/// Zeek's epsilon pseudo-symbol (`SYM_EPSILON`); a state on it matches nothing.
pub(crate) const SYM_EPSILON: i32 = 259;

/// A set of symbols: any subset of the bytes, plus the BOL/EOL pseudo-symbols.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SymSet {
    bytes: [u64; 4],
    pub(crate) bol: bool,
    pub(crate) eol: bool,
}

impl SymSet {
    /// The set holding one symbol, as Zeek numbers them.
    pub(crate) fn single(sym: i32) -> SymSet {
        let mut s = SymSet::default();
        s.add(sym);
        s
    }

    /// Adds a symbol. Zeek stores a raw source byte as a signed `char`, so negative values are
    /// bytes 128..=255 (Zeek itself indexes its tables out of bounds there; the byte value is
    /// the sensible reading). Values past `SYM_EOL` name no symbol and are dropped.
    pub(crate) fn add(&mut self, sym: i32) {
        match sym {
            -128..=-1 => self.add_byte((sym & 0xff) as u8),
            0..=255 => self.add_byte(sym as u8),
            SYM_BOL => self.bol = true,
            SYM_EOL => self.eol = true,
            _ => {}
        }
    }

    /// Adds one byte.
    pub(crate) fn add_byte(&mut self, b: u8) {
        self.bytes[usize::from(b >> 6)] |= 1u64 << (b & 63);
    }

    /// Whether the byte is in the set.
    pub(crate) fn has_byte(&self, b: u8) -> bool {
        self.bytes[usize::from(b >> 6)] & (1u64 << (b & 63)) != 0
    }

    /// Zeek's `CCL::Negate`: every byte not in the set; never BOL or EOL.
    pub(crate) fn negated(&self) -> SymSet {
        SymSet {
            bytes: self.bytes.map(|w| !w),
            bol: false,
            eol: false,
        }
    }

    /// The byte members as inclusive ranges, ascending.
    pub(crate) fn byte_ranges(&self) -> Vec<(u8, u8)> {
        let mut out = Vec::new();
        let mut start: Option<u8> = None;
        for b in 0..=255u8 {
            match (self.has_byte(b), start) {
                (true, None) => start = Some(b),
                (false, Some(s)) => {
                    out.push((s, b - 1));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, 255));
        }
        out
    }
}

/// One node of a parsed Zeek regular expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// Matches the empty symbol string (Zeek's `EpsilonState` machine).
    Empty,
    /// Matches exactly one symbol out of the set (a character, class, `.`, `^` or `$`).
    Set(SymSet),
    /// The children one after the other.
    Concat(Vec<Node>),
    /// Any one of the children.
    Alt(Vec<Node>),
    /// `min` to `max` (unbounded if `None`) repetitions of the child; `max` is at least 1.
    Repeat(Box<Node>, u32, Option<u32>),
}

impl Node {
    /// A node matching one symbol as Zeek numbers them (`SYM_EPSILON` matches the empty string;
    /// symbols that name nothing match nothing).
    pub(crate) fn symbol(sym: i32) -> Node {
        if sym == SYM_EPSILON {
            Node::Empty
        } else {
            Node::Set(SymSet::single(sym))
        }
    }

    /// `min..=max` repetitions, with `max == Some(0)` meaning the empty string.
    pub(crate) fn repeat(self, min: u32, max: Option<u32>) -> Node {
        if max == Some(0) {
            Node::Empty
        } else {
            Node::Repeat(Box::new(self), min, max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symset_ranges_and_negation() {
        let mut s = SymSet::default();
        for b in [b'a', b'b', b'c', b'x', 255] {
            s.add_byte(b);
        }
        s.add(SYM_BOL);
        assert_eq!(
            s.byte_ranges(),
            vec![(b'a', b'c'), (b'x', b'x'), (255, 255)]
        );
        let n = s.negated();
        assert!(!n.bol && !n.eol);
        assert!(n.has_byte(0) && !n.has_byte(b'b') && n.has_byte(b'd') && !n.has_byte(255));
    }

    #[test]
    fn signed_bytes_map_to_high_bytes() {
        let s = SymSet::single(-61);
        assert_eq!(s.byte_ranges(), vec![(0xc3, 0xc3)]);
        assert_eq!(SymSet::single(300), SymSet::default());
    }
}
