//! One compiled matcher (Zeek's `Specific_RE_Matcher`) on a regex-automata lazy DFA.
//!
//! The DFA holds two patterns built by [`crate::lower`]: [`OPEN`] is `c10` (BOL consumed, EOL
//! not) and [`CLOSED`] is `c11` (BOL and EOL consumed). It is searched anchored with
//! `MatchKind::All`, stepping byte by byte so that every prefix's status is visible, which is
//! exactly how Zeek walks its own DFA. Matches in regex-automata are reported one byte late:
//! the state after byte `i` says whether the prefix `s[..i]` matched, and the end-of-input
//! transition says whether all of `s` did.
//!
//! Caches live in a [`Pool`], so a search allocates nothing once the calling thread has a cache
//! (the lazy DFA only grows its cache, up to a fixed capacity, then clears it).

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind, PatternID};
use regex_syntax::hir::Hir;

use crate::lower::Comp;

/// Pattern of matches that stop before the end of input (`c10`).
const OPEN: PatternID = PatternID::ZERO;
/// Pattern of matches that consumed Zeek's EOL symbol (`c11`), valid only at the end.
const CLOSED: PatternID = PatternID::new_unchecked(1);

/// Largest NFA we build; bigger patterns (huge `{n,m}` counts) fail to compile.
const NFA_SIZE_LIMIT: usize = 64 << 20;
/// Lazy DFA cache capacity (regex-automata's default), raised if the NFA needs more.
const CACHE_CAPACITY: usize = 2 << 20;

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync>;

/// A compiled matcher.
pub(crate) struct Engine {
    dfa: DFA,
    pool: Pool<Cache, CacheFn>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Builds the matcher of a lowered pattern. Fails only if the pattern is too large.
    pub(crate) fn build(comp: Comp) -> Option<Engine> {
        let open = comp.c10.unwrap_or_else(Hir::fail);
        let closed = comp.c11.unwrap_or_else(Hir::fail);
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
            )
            .build_many_from_hir(&[open, closed])
            .ok()?;
        let config = DFA::config()
            .match_kind(MatchKind::All)
            .minimum_cache_clear_count(None);
        let needed = config.get_minimum_cache_capacity(&nfa).ok()?;
        let config = config.cache_capacity(CACHE_CAPACITY.max(needed.saturating_mul(2)));
        let dfa = DFA::builder().configure(config).build_from_nfa(nfa).ok()?;
        let for_pool = dfa.clone();
        let create: CacheFn = Box::new(move || for_pool.create_cache());
        Some(Engine {
            dfa,
            pool: Pool::new(create),
        })
    }

    /// A searcher holding a cache, for one or many searches.
    pub(crate) fn searcher(&self) -> Searcher<'_> {
        Searcher {
            dfa: &self.dfa,
            cache: self.pool.get(),
        }
    }
}

/// Searches with one borrowed cache.
pub(crate) struct Searcher<'e> {
    dfa: &'e DFA,
    cache: PoolGuard<'e, Cache, CacheFn>,
}

/// The lazy DFA is configured never to give up (no quit bytes, no cache-clear limit), so its
/// fallible calls cannot fail.
const NEVER_FAILS: &str = "lazy DFA without quit bytes or clear limit cannot fail";

impl Searcher<'_> {
    fn start(&mut self) -> LazyStateID {
        let config = start::Config::new().anchored(Anchored::Yes);
        self.dfa
            .start_state(&mut self.cache, &config)
            .expect(NEVER_FAILS)
    }

    fn step(&mut self, sid: LazyStateID, byte: u8) -> LazyStateID {
        self.dfa
            .next_state(&mut self.cache, sid, byte)
            .expect(NEVER_FAILS)
    }

    fn end(&mut self, sid: LazyStateID) -> LazyStateID {
        self.dfa
            .next_eoi_state(&mut self.cache, sid)
            .expect(NEVER_FAILS)
    }

    /// Which of the two patterns a match state holds: `(open, closed)`.
    fn which(&self, sid: LazyStateID) -> (bool, bool) {
        if !sid.is_match() {
            return (false, false);
        }
        let mut open = false;
        let mut closed = false;
        for i in 0..self.dfa.match_len(&self.cache, sid) {
            let pid = self.dfa.match_pattern(&self.cache, sid, i);
            open |= pid == OPEN;
            closed |= pid == CLOSED;
        }
        (open, closed)
    }

    /// Zeek's `Specific_RE_Matcher::MatchAll`: does `BOL s EOL` match?
    pub(crate) fn match_all(&mut self, s: &[u8]) -> bool {
        let mut sid = self.start();
        for &b in s {
            sid = self.step(sid, b);
            if sid.is_dead() {
                return false;
            }
        }
        let sid = self.end(sid);
        self.which(sid).1
    }

    /// Zeek's `Specific_RE_Matcher::Match`: the length of the shortest non-empty prefix that
    /// matches without EOL, else `s.len()` (at least 1) if all of `s` matches with EOL, else 0.
    pub(crate) fn match_first(&mut self, s: &[u8]) -> usize {
        let mut sid = self.start();
        for (i, &b) in s.iter().enumerate() {
            sid = self.step(sid, b);
            if i >= 1 && self.which(sid).0 {
                return i;
            }
            if sid.is_dead() {
                return 0;
            }
        }
        let sid = self.end(sid);
        let (open, closed) = self.which(sid);
        if open && !s.is_empty() {
            s.len()
        } else if closed {
            s.len().max(1)
        } else {
            0
        }
    }

    /// Zeek's `Specific_RE_Matcher::LongestMatch`: the length of the longest matching prefix
    /// (all of `s` if it matches with EOL), `None` if no prefix matches.
    pub(crate) fn longest(&mut self, s: &[u8]) -> Option<usize> {
        let mut sid = self.start();
        let mut last = None;
        for (i, &b) in s.iter().enumerate() {
            sid = self.step(sid, b);
            if self.which(sid).0 {
                last = Some(i);
            }
            if sid.is_dead() {
                return last;
            }
        }
        let sid = self.end(sid);
        let (open, closed) = self.which(sid);
        if open || closed {
            Some(s.len())
        } else {
            last
        }
    }
}
