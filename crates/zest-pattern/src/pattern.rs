//! The script-level `pattern` value: Zeek's `RE_Matcher`, a pair of texts and matchers.
//!
//! Every pattern has an *exact* text (used by `==` and by the string BiFs) and an *anywhere*
//! text (used by `in`), each compiled separately (`src/RE.cc`):
//!
//! | built from                   | exact text                      | anywhere text                          |
//! |------------------------------|---------------------------------|----------------------------------------|
//! | literal `/X/`                | `^?(X)$?`                       | `^?(.\|\n)*(X)`                        |
//! | `/X/i`, `/X/s`               | wrapped in `(?i:…)`, `(?s:…)`   | the same                               |
//! | `p1 & p2`, `p1 \| p2`        | `^?((E1)(E2))$?`, `^?((E1)\|(E2))$?` | `^?(.\|\n)*((E1)(E2))` etc.       |
//! | `p += q`                     | `(^?(Eq)$?)\|(^?(Ep)$?)`        | `(^?(.\|\n)*(Eq))\|(^?(.\|\n)*(Ep))`   |
//!
//! where `E1`, `Ep`, ... are the operands' *exact* texts. Zeek compiles the anywhere text
//! first and does not compile the exact one if that fails. A text that fails to compile leaves
//! a matcher without DFA, which Zeek still uses: exact matching then succeeds only on the
//! empty string, anywhere matching always succeeds, and the longest prefix match is empty.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use crate::diag::{Compiled, Diagnostic, PatternError};
use crate::engine::{Engine, Searcher};
use crate::ir::Node;
use crate::parse::{parse, Abort};

/// The modes of a pattern literal (`/…/i`, `/…/s`, `/…/is`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Modes {
    /// `i`: letters match either case (`(?i:…)` around the texts).
    pub case_insensitive: bool,
    /// `s`: `.` also matches a newline (`(?s:…)` around the texts, outside `(?i:…)`).
    pub single_line: bool,
}

/// A compiled Zeek pattern. Cloning is cheap (shared).
#[derive(Clone)]
pub struct Pattern(Arc<Inner>);

struct Inner {
    exact: Matcher,
    anywhere: Matcher,
}

/// One of the two matchers: its text and, if it compiled, its DFA.
///
/// A text that parses is checked at once (that is where Zeek's messages
/// come from), but its DFA is built on first use: most patterns a script
/// library defines are never matched in a given run, and building them
/// all would dominate start-up. Only a pattern whose size estimate comes
/// near the NFA size limit is built at once, so that a build failure
/// still shows as Zeek's `error compiling pattern` where the pattern is
/// defined.
struct Matcher {
    text: Box<[u8]>,
    /// The parsed tree while the DFA is not built yet.
    node: Option<Node>,
    engine: OnceLock<Option<Engine>>,
}

impl Matcher {
    /// Compiles a text like `Specific_RE_Matcher::Compile`, appending Zeek's messages.
    fn compile(text: Vec<u8>, diags: &mut Vec<Diagnostic>) -> Matcher {
        if text.is_empty() {
            // Zeek refuses an empty pattern text without a message.
            return Matcher::uncompiled(text);
        }
        let parsed = parse(&text);
        diags.extend(parsed.diags);
        let engine = OnceLock::new();
        let node = match parsed.node {
            Ok(node) if size_estimate(&node) < EAGER_BUILD_SIZE => Some(node),
            Ok(node) => {
                let _ = engine.set(Engine::build(crate::lower::lower(&node)));
                None
            }
            Err(Abort::Syntax | Abort::BadSymbol) => {
                let _ = engine.set(None);
                None
            }
        };
        if matches!(engine.get(), Some(None)) {
            diags.push(Diagnostic::compile_failed(&text));
        }
        Matcher {
            text: text.into_boxed_slice(),
            node,
            engine,
        }
    }

    fn uncompiled(text: Vec<u8>) -> Matcher {
        Matcher {
            text: text.into_boxed_slice(),
            node: None,
            engine: OnceLock::from(None),
        }
    }

    /// The DFA, built now if it was not yet; `None` if the text did not compile.
    fn engine(&self) -> Option<&Engine> {
        self.engine
            .get_or_init(|| {
                self.node
                    .as_ref()
                    .and_then(|n| Engine::build(crate::lower::lower(n)))
            })
            .as_ref()
    }

    /// Whether the text compiled (a pattern built on demand counts as compiled).
    fn compiled(&self) -> bool {
        self.node.is_some() || matches!(self.engine.get(), Some(Some(_)))
    }
}

/// Text up to the first NUL: Zeek passes pattern texts around as C strings.
fn c_str(text: &[u8]) -> &[u8] {
    match text.iter().position(|&b| b == 0) {
        Some(n) => &text[..n],
        None => text,
    }
}

fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `^?(X)$?` (`AddExactPat` on an empty matcher).
fn exact_wrap(x: &[u8]) -> Vec<u8> {
    join(&[b"^?(", x, b")$?"])
}

/// `^?(.|\n)*(X)` (`AddAnywherePat` on an empty matcher).
fn anywhere_wrap(x: &[u8]) -> Vec<u8> {
    join(&[b"^?(.|\\n)*(", x, b")"])
}

fn mode_wrap(prefix: &[u8], x: &[u8]) -> Vec<u8> {
    join(&[prefix, x, b")"])
}

impl Pattern {
    /// A pattern literal `/text/` or `/text/i`: `text` is the raw source between the slashes.
    /// Any message (even one Zeek carries on from) is an error, because Zeek refuses to run a
    /// script whose pattern literal reported anything.
    pub fn new(text: impl AsRef<[u8]>, case_insensitive: bool) -> Result<Pattern, PatternError> {
        let modes = Modes {
            case_insensitive,
            single_line: false,
        };
        Pattern::with_modes(text, modes)
    }

    /// Like [`Pattern::new`] with all literal modes.
    pub fn with_modes(text: impl AsRef<[u8]>, modes: Modes) -> Result<Pattern, PatternError> {
        Pattern::compile(text, modes).into_result()
    }

    /// Builds a pattern from its source text the way Zeek's parser does (`RE_Matcher(text)`,
    /// then `MakeCaseInsensitive`, then `MakeSingleLine`, then `Compile`), reporting every
    /// message instead of failing.
    pub fn compile(text: impl AsRef<[u8]>, modes: Modes) -> Compiled {
        let x = c_str(text.as_ref());
        let mut exact = exact_wrap(x);
        let mut anywhere = anywhere_wrap(x);
        if modes.case_insensitive {
            exact = mode_wrap(b"(?i:", &exact);
            anywhere = mode_wrap(b"(?i:", &anywhere);
        }
        if modes.single_line {
            exact = mode_wrap(b"(?s:", &exact);
            anywhere = mode_wrap(b"(?s:", &anywhere);
        }
        Pattern::build(exact, anywhere)
    }

    /// A pattern from its two stored texts, as Zeek rebuilds one when cloning a value,
    /// recovering a table index, or receiving it over Broker (`RE_Matcher(exact, anywhere)`).
    pub fn from_texts(exact: impl AsRef<[u8]>, anywhere: impl AsRef<[u8]>) -> Compiled {
        Pattern::build(
            c_str(exact.as_ref()).to_vec(),
            c_str(anywhere.as_ref()).to_vec(),
        )
    }

    /// A pattern made of several texts, as Zeek's `RE_Matcher::AddPat` builds one: the first
    /// wrapped as a literal, each further one appended as an alternative
    /// (`(CUR)|(^?(NEW)$?)` and `(CUR)|(^?(.|\n)*(NEW))`). With no texts the pattern is
    /// empty and never compiles (Zeek reports nothing for that).
    pub fn from_pats<T: AsRef<[u8]>>(pats: &[T]) -> Compiled {
        let mut exact = Vec::new();
        let mut anywhere = Vec::new();
        for p in pats {
            let p = c_str(p.as_ref());
            if exact.is_empty() {
                exact = exact_wrap(p);
                anywhere = anywhere_wrap(p);
            } else {
                exact = join(&[b"(", &exact, b")|(^?(", p, b")$?)"]);
                anywhere = join(&[b"(", &anywhere, b")|(^?(.|\\n)*(", p, b"))"]);
            }
        }
        Pattern::build(exact, anywhere)
    }

    /// `string_to_pattern(s, convert)`: the string (escaped first by
    /// [`crate::convert_for_pattern`] if `convert`) becomes a pattern literal's text.
    pub fn from_string(s: &[u8], convert: bool) -> Compiled {
        let text = if convert {
            crate::convert_for_pattern(s)
        } else {
            c_str(s).to_vec()
        };
        Pattern::compile(text, Modes::default())
    }

    /// `p1 & p2`: concatenation (`RE_Matcher_conjunction`).
    pub fn and(&self, other: &Pattern) -> Compiled {
        self.merge(other, b"")
    }

    /// `p1 | p2`: alternation (`RE_Matcher_disjunction`).
    pub fn or(&self, other: &Pattern) -> Compiled {
        self.merge(other, b"|")
    }

    fn merge(&self, other: &Pattern, op: &[u8]) -> Compiled {
        let text = join(&[
            b"(",
            self.exact_text(),
            b")",
            op,
            b"(",
            other.exact_text(),
            b")",
        ]);
        Pattern::compile(text, Modes::default())
    }

    /// The new value of `self` after `self += rhs` (`PatternVal::AddTo`): Zeek starts from
    /// the right-hand side's text and appends this pattern's text as a second alternative.
    pub fn plus_assign(&self, rhs: &Pattern) -> Compiled {
        Pattern::from_pats(&[rhs.exact_text(), self.exact_text()])
    }

    /// Compiles both texts in Zeek's order: anywhere first, exact only if that worked.
    fn build(exact: Vec<u8>, anywhere: Vec<u8>) -> Compiled {
        let mut diagnostics = Vec::new();
        let anywhere = Matcher::compile(anywhere, &mut diagnostics);
        let exact = if anywhere.compiled() {
            Matcher::compile(exact, &mut diagnostics)
        } else {
            Matcher::uncompiled(exact)
        };
        Compiled {
            pattern: Pattern(Arc::new(Inner { exact, anywhere })),
            diagnostics,
        }
    }

    /// The exact text (`PatternText()`), which is what `print` shows between slashes.
    pub fn exact_text(&self) -> &[u8] {
        &self.0.exact.text
    }

    /// The anywhere text (`AnywherePatternText()`).
    pub fn anywhere_text(&self) -> &[u8] {
        &self.0.anywhere.text
    }

    /// Zeek's rendering: `/` + exact text + `/` (`PatternVal::ValDescribe`).
    pub fn describe(&self) -> Vec<u8> {
        join(&[b"/", self.exact_text(), b"/"])
    }

    /// Whether both matchers compiled. If not, matching follows Zeek's DFA-less matcher.
    pub fn is_usable(&self) -> bool {
        self.0.exact.engine().is_some() && self.0.anywhere.engine().is_some()
    }

    /// `p == s`: the whole string matches (`MatchExactly`).
    pub fn matches_exact(&self, s: &[u8]) -> bool {
        match self.0.exact.engine() {
            Some(e) => e.searcher().match_all(s),
            None => s.is_empty(),
        }
    }

    /// `p in s`: the pattern matches somewhere in `s` (`MatchAnywhere(s) != 0`).
    ///
    /// Zeek checks for a match only after each byte and at the very end, so a pattern that
    /// matches only the empty string before the first byte does not count: `/x?/ in ""` and
    /// `/^/ in "a"` are false.
    pub fn matches_anywhere(&self, s: &[u8]) -> bool {
        self.match_anywhere(s) != 0
    }

    /// Zeek's `MatchAnywhere` value: the end of the shortest match of the anywhere matcher
    /// (at least 1), or 0 if there is none.
    pub fn match_anywhere(&self, s: &[u8]) -> usize {
        match self.0.anywhere.engine() {
            Some(e) => e.searcher().match_first(s),
            None => 1,
        }
    }

    /// Zeek's `MatchPrefix`: the length of the longest prefix of `s` the exact matcher
    /// accepts, `None` if there is none. The matcher sees `s` as a whole line, so `^` matches
    /// at its start and `$` at its end.
    pub fn match_prefix(&self, s: &[u8]) -> Option<usize> {
        self.prefix_matcher().longest(s)
    }

    /// [`Pattern::match_prefix`] on `s[start..]` (empty if `start` is past the end).
    pub fn longest_match_at(&self, s: &[u8], start: usize) -> Option<usize> {
        self.match_prefix(s.get(start..).unwrap_or_default())
    }

    /// A reusable prefix matcher, for many [`PrefixMatcher::longest`] calls with one cache.
    pub fn prefix_matcher(&self) -> PrefixMatcher<'_> {
        PrefixMatcher(self.0.exact.engine().map(Engine::searcher))
    }
}

/// Repeated [`Pattern::match_prefix`] calls sharing one DFA cache.
pub struct PrefixMatcher<'p>(Option<Searcher<'p>>);

impl PrefixMatcher<'_> {
    /// Zeek's `MatchPrefix` on `s` (see [`Pattern::match_prefix`]).
    pub fn longest(&mut self, s: &[u8]) -> Option<usize> {
        match &mut self.0 {
            Some(searcher) => searcher.longest(s),
            None => Some(0),
        }
    }
}

impl fmt::Display for Pattern {
    /// `/TEXT/` as Zeek prints it (invalid UTF-8 shown lossily; use [`Pattern::describe`]
    /// for the exact bytes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.describe()))
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pattern")
            .field("exact", &String::from_utf8_lossy(self.exact_text()))
            .field("anywhere", &String::from_utf8_lossy(self.anywhere_text()))
            .field("usable", &self.is_usable())
            .finish()
    }
}

/// Patterns are equal when both texts are (that is what a table index compares).
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.exact_text() == other.exact_text()
                && self.anywhere_text() == other.anywhere_text())
    }
}

impl Eq for Pattern {}

impl Hash for Pattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.exact_text().hash(state);
        self.anywhere_text().hash(state);
    }
}

impl From<PatternError> for Compiled {
    fn from(e: PatternError) -> Compiled {
        Compiled {
            pattern: e.pattern,
            diagnostics: e.diagnostics,
        }
    }
}

/// Patterns whose [`size_estimate`] reaches this are built when compiled;
/// far below the size at which building fails.
const EAGER_BUILD_SIZE: u64 = 1 << 16;

/// A rough upper bound of the number of NFA states of a tree (repetitions
/// multiply), saturating.
fn size_estimate(node: &Node) -> u64 {
    match node {
        Node::Empty | Node::Set(_) => 1,
        Node::Concat(items) | Node::Alt(items) => items
            .iter()
            .fold(1u64, |acc, n| acc.saturating_add(size_estimate(n))),
        Node::Repeat(sub, min, max) => {
            let copies = u64::from(max.unwrap_or(*min).max(*min)).saturating_add(1);
            size_estimate(sub).saturating_mul(copies).saturating_mul(4)
        }
    }
}
