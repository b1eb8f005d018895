//! String bytes as the two describe styles render them, plus the small atom texts built from
//! names (`enum`, `pattern`).
//!
//! * Standard style (`print`, reporter messages, strings inside containers and records printed
//!   by `print`): `src/ZeekString.cc: String::Render(EXPANDED_STRING)`: every byte outside
//!   0x20–0x7E becomes `\x` plus two lowercase hex digits; `\`, `"` and `'` are copied as is,
//!   and no quotes are added. Strings inside containers use the very same rule.
//! * Raw style (`fmt("%s")`, `cat`, `cat_sep`, `print_raw`, raw files): bytes copied unchanged.
//!
//! `to_json`'s string escaping lives in [`super::json`].

/// Appends `s` in the standard (`print`) style: `tab\x09here`, `nul\x00byte`, `quote"q`.
pub fn write_print_escaped(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = s;
    while let Some(i) = rest.iter().position(|&b| !(0x20..=0x7e).contains(&b)) {
        out.extend_from_slice(&rest[..i]);
        let b = rest[i];
        out.extend_from_slice(&[
            b'\\',
            b'x',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// Appends `s` in the raw style (`fmt("%s")`, `cat`): the bytes themselves.
pub fn write_raw(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
}

/// Appends an enum value's text: its declared name (with `Module::` when declared inside a
/// module), or `<undefined>` for a number without a name (`src/Val.cc: EnumVal::ValDescribe`).
pub fn write_enum(out: &mut Vec<u8>, name: Option<&[u8]>) {
    out.extend_from_slice(name.unwrap_or(b"<undefined>"));
}

/// Appends a pattern's text: `/` + the stored pattern text + `/` (`PatternVal::ValDescribe`).
/// The stored text already carries Zeek's wrapper (`^?(abc)$?`); it is copied unescaped.
pub fn write_pattern(out: &mut Vec<u8>, stored_text: &[u8]) {
    out.push(b'/');
    out.extend_from_slice(stored_text);
    out.push(b'/');
}

/// What `String::CheckString()` substitutes for a string holding a NUL byte.
pub const STRING_WITH_NUL: &[u8] = b"<string-with-NUL>";

/// `String::CheckString()`: the bytes as the C string Zeek's BiFs see. `Err` means the string
/// has an embedded NUL: Zeek then reports [`write_embedded_nul_message`] as an error and
/// continues with [`STRING_WITH_NUL`] (returned inside the `Err`).
pub fn check_string(s: &[u8]) -> Result<&[u8], &'static [u8]> {
    if s.contains(&0) {
        Err(STRING_WITH_NUL)
    } else {
        Ok(s)
    }
}

/// Appends the message `CheckString()` reports for a string with an embedded NUL:
/// `string with embedded NUL: "<s in print style>"` (from the upstream source; not observed).
pub fn write_embedded_nul_message(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(b"string with embedded NUL: \"");
    write_print_escaped(out, s);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// render/string.zeek values and their `print` lines in render/string.stdout and
    /// render/all-types.stdout.
    #[test]
    fn print_escaping() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "plain"),
            (b"tab\there", "tab\\x09here"),
            (b"nl\nend", "nl\\x0aend"),
            (b"quote\"q and 'single'", "quote\"q and 'single'"),
            (b"back\\slash", "back\\slash"),
            (b"nul\x00byte", "nul\\x00byte"),
            (b"high\xff\x80\x7f", "high\\xff\\x80\\x7f"),
            (
                b"utf8 \xc3\xa9 \xe2\x82\xac",
                "utf8 \\xc3\\xa9 \\xe2\\x82\\xac",
            ),
            (b"\x01\x1f\x20\x7e", "\\x01\\x1f ~"),
            (b"", ""),
            (b"cr\rbell\x07", "cr\\x0dbell\\x07"),
            (b"esc\x1b[0m", "esc\\x1b[0m"),
            (b"literal \\x41 backslash-x", "literal \\x41 backslash-x"),
            (b"tab\there\xff\"q\"\\", "tab\\x09here\\xff\"q\"\\"),
            // `print cat(s3, s6, s7)`: the raw concatenation, escaped again by print.
            (
                b"nl\nendnul\x00bytehigh\xff\x80\x7f",
                "nl\\x0aendnul\\x00bytehigh\\xff\\x80\\x7f",
            ),
        ];
        for &(s, want) in cases {
            let mut out = Vec::new();
            write_print_escaped(&mut out, s);
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    /// render/atoms.stdout and render/string.stdout (cat keeps raw bytes).
    #[test]
    fn raw_enum_pattern() {
        let mut out = Vec::new();
        write_raw(&mut out, b"tab\there\xff");
        out.push(b'|');
        write_enum(&mut out, Some(b"Foo::CIRCLE"));
        out.push(b'|');
        write_enum(&mut out, None);
        out.push(b'|');
        write_pattern(&mut out, b"^?([a-z]+\\/[0-9]?)$?");
        assert_eq!(
            out,
            b"tab\there\xff|Foo::CIRCLE|<undefined>|/^?([a-z]+\\/[0-9]?)$?/"
        );
        assert_eq!(check_string(b"abc%"), Ok(&b"abc%"[..]));
        assert_eq!(check_string(b"a\0b"), Err(STRING_WITH_NUL));
    }
}
