//! Tokens of the Zeek 5.2 language, as `src/scan.l` defines them.
//!
//! The raw token set is produced by `logos`; context-dependent scanning
//! (pattern bodies, `!in`, directives that take the rest of a line) is done
//! by [`crate::lexer::Lexer`] on top of it.

use logos::Logos;

/// A raw token. Literal values are decoded later from the token text, so the
/// token itself stays `Copy` and small.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\f\v]+")]
pub enum Tok {
    // ---- trivia that the lexer wrapper handles ----
    #[regex(r"\r?\n")]
    Newline,
    /// `##!` file documentation.
    #[regex(r"##![^\r\n]*", allow_greedy = true)]
    DocFile,
    /// `##<` documentation of the preceding item.
    #[regex(r"##<[^\r\n]*", allow_greedy = true)]
    DocPost,
    /// `##` documentation of the following item.
    #[regex(r"##[^!<\r\n][^\r\n]*", allow_greedy = true)]
    #[token("##")]
    DocPre,
    #[regex(r"#[^#\r\n][^\r\n]*", allow_greedy = true)]
    #[token("#")]
    Comment,

    // ---- literals ----
    #[regex(r"(\[([0-9a-fA-F]+:){7}[0-9a-fA-F]+\]|\[0x[0-9a-fA-F]+[0-9a-fA-F:]*::[0-9a-fA-F:]*\]|\[[0-9a-fA-F:]*::[0-9a-fA-F:]*\]|\[([0-9a-fA-F]+:){6}([0-9]+\.){3}[0-9]+\]|\[[0-9a-fA-F:]*::[0-9a-fA-F:]*([0-9]+\.){3}[0-9]+\])", priority = 5)]
    Ip6,
    #[regex(r"(\[([0-9a-fA-F]+:){7}[0-9a-fA-F]+\]|\[0x[0-9a-fA-F]+[0-9a-fA-F:]*::[0-9a-fA-F:]*\]|\[[0-9a-fA-F:]*::[0-9a-fA-F:]*\]|\[([0-9a-fA-F]+:){6}([0-9]+\.){3}[0-9]+\]|\[[0-9a-fA-F:]*::[0-9a-fA-F:]*([0-9]+\.){3}[0-9]+\])[ \t]*/[ \t]*[0-9]+", priority = 5)]
    Ip6Subnet,
    #[regex(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+", priority = 5)]
    Ip4,
    #[regex(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+[ \t]*/[ \t]*[0-9]+", priority = 5)]
    Ip4Subnet,
    #[regex(r"[0-9]+", priority = 4)]
    Count,
    #[regex(r"([0-9]*\.?[0-9]+|[0-9]+\.?[0-9]*)([eE][-+]?[0-9]+)?", priority = 3)]
    Double,
    #[regex(r"[0-9]+/(tcp|udp|icmp|unknown)")]
    Port,
    #[regex(
        r"([0-9]*\.?[0-9]+|[0-9]+\.?[0-9]*)([eE][-+]?[0-9]+)?[ \t]*(day|hr|min|sec|msec|usec)s?",
        priority = 10
    )]
    Interval,
    #[regex(r"0x[0-9a-fA-F]+")]
    Hex,
    #[regex(r"([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z][A-Za-z0-9\-]*", priority = 1)]
    Hostname,
    #[regex(r#""([^\\\r\n"]|\\[^\r\n])*""#)]
    String,
    #[token("T", priority = 10)]
    True,
    #[token("F", priority = 10)]
    False,

    #[regex(r"[A-Za-z_][A-Za-z_0-9]*(::[A-Za-z_][A-Za-z_0-9]*)*")]
    Id,

    // ---- punctuation ----
    #[token("!")]
    Bang,
    #[token("%")]
    Percent,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token("<")]
    Lt,
    #[token("=")]
    Assign,
    #[token(">")]
    Gt,
    #[token("?")]
    Question,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("~")]
    Tilde,
    #[token("$")]
    Dollar,
    #[token("|")]
    Pipe,
    #[token("&")]
    Amp,
    #[token("^")]
    Caret,
    #[token("--")]
    Decr,
    #[token("++")]
    Incr,
    #[token("+=")]
    AddTo,
    #[token("-=")]
    RemoveFrom,
    #[token("==")]
    Eq,
    #[token("!=")]
    Ne,
    #[token(">=")]
    Ge,
    #[token("<=")]
    Le,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("?$")]
    HasField,
    /// `!in` / `! in` (the wrapper checks the character after it).
    #[regex(r"![ \t]*in")]
    NotIn,

    // ---- keywords ----
    #[token("add")]
    KwAdd,
    #[token("addr")]
    KwAddr,
    #[token("any")]
    KwAny,
    #[token("as")]
    KwAs,
    #[token("bool")]
    KwBool,
    #[token("break")]
    KwBreak,
    #[token("case")]
    KwCase,
    #[token("option")]
    KwOption,
    #[token("const")]
    KwConst,
    #[token("copy")]
    KwCopy,
    #[token("count")]
    KwCount,
    #[token("default")]
    KwDefault,
    #[token("delete")]
    KwDelete,
    #[token("double")]
    KwDouble,
    #[token("else")]
    KwElse,
    #[token("enum")]
    KwEnum,
    #[token("event")]
    KwEvent,
    #[token("export")]
    KwExport,
    #[token("fallthrough")]
    KwFallthrough,
    #[token("file")]
    KwFile,
    #[token("for")]
    KwFor,
    #[token("while")]
    KwWhile,
    #[token("function")]
    KwFunction,
    #[token("global")]
    KwGlobal,
    #[token("hook")]
    KwHook,
    #[token("if")]
    KwIf,
    #[token("in")]
    KwIn,
    #[token("int")]
    KwInt,
    #[token("interval")]
    KwInterval,
    #[token("is")]
    KwIs,
    #[token("list")]
    KwList,
    #[token("local")]
    KwLocal,
    #[token("module")]
    KwModule,
    #[token("next")]
    KwNext,
    #[token("of")]
    KwOf,
    #[token("opaque")]
    KwOpaque,
    #[token("pattern")]
    KwPattern,
    #[token("port")]
    KwPort,
    #[token("print")]
    KwPrint,
    #[token("record")]
    KwRecord,
    #[token("redef")]
    KwRedef,
    #[token("return")]
    KwReturn,
    #[token("schedule")]
    KwSchedule,
    #[token("set")]
    KwSet,
    #[token("string")]
    KwString,
    #[token("subnet")]
    KwSubnet,
    #[token("switch")]
    KwSwitch,
    #[token("table")]
    KwTable,
    #[token("time")]
    KwTime,
    #[token("timeout")]
    KwTimeout,
    #[token("type")]
    KwType,
    #[token("vector")]
    KwVector,
    #[token("when")]
    KwWhen,

    // ---- attributes ----
    #[token("&add_func")]
    AttrAddFunc,
    #[token("&create_expire")]
    AttrCreateExpire,
    #[token("&default")]
    AttrDefault,
    #[token("&delete_func")]
    AttrDelFunc,
    #[token("&deprecated")]
    AttrDeprecated,
    #[token("&raw_output")]
    AttrRawOutput,
    #[token("&error_handler")]
    AttrErrorHandler,
    #[token("&expire_func")]
    AttrExpireFunc,
    #[token("&group")]
    AttrGroup,
    #[token("&log")]
    AttrLog,
    #[token("&optional")]
    AttrOptional,
    #[token("&is_assigned")]
    AttrIsAssigned,
    #[token("&is_used")]
    AttrIsUsed,
    #[token("&priority")]
    AttrPriority,
    #[token("&type_column")]
    AttrTypeColumn,
    #[token("&read_expire")]
    AttrReadExpire,
    #[token("&redef")]
    AttrRedef,
    #[token("&write_expire")]
    AttrWriteExpire,
    #[token("&on_change")]
    AttrOnChange,
    #[token("&broker_store")]
    AttrBrokerStore,
    #[token("&broker_allow_complex_type")]
    AttrBrokerAllowComplex,
    #[token("&backend")]
    AttrBackend,
    #[token("&ordered")]
    AttrOrdered,

    // ---- directives ----
    #[regex(r"@deprecated[^\r\n]*", allow_greedy = true)]
    AtDeprecated,
    #[token("@DEBUG")]
    AtDebug,
    #[token("@DIR")]
    AtDir,
    #[token("@FILENAME")]
    AtFilename,
    #[regex(r"@load[ \t]+[^ \t\r\n]+")]
    AtLoad,
    #[regex(r"@load-sigs[ \t]+[^ \t\r\n]+")]
    AtLoadSigs,
    #[regex(r"@load-plugin[ \t]+[A-Za-z_][A-Za-z_0-9]*(::[A-Za-z_][A-Za-z_0-9]*)*")]
    AtLoadPlugin,
    #[regex(r"@unload[ \t]+[^ \t\r\n]+")]
    AtUnload,
    #[regex(r"@prefixes[ \t]+\+?=[ \t]+[^ \t\r\n]+")]
    AtPrefixes,
    #[token("@if")]
    AtIf,
    #[token("@ifdef")]
    AtIfdef,
    #[token("@ifndef")]
    AtIfndef,
    #[token("@else")]
    AtElse,
    #[token("@endif")]
    AtEndif,

    /// End of input (never produced by logos; added by the wrapper).
    Eof,
    /// A character no rule matches.
    Error,
}

impl Tok {
    /// Whether the token can be used where the grammar expects an identifier
    /// only because it is spelled like one (never: Zeek keywords are reserved).
    pub fn is_keyword(self) -> bool {
        (self as u16) >= (Tok::KwAdd as u16) && (self as u16) <= (Tok::KwWhen as u16)
    }

    /// Whether the token is one of the `&attr` attribute tokens.
    pub fn is_attr(self) -> bool {
        (self as u16) >= (Tok::AttrAddFunc as u16) && (self as u16) <= (Tok::AttrOrdered as u16)
    }
}
