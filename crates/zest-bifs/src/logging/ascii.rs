//! The ASCII writer (`Log::WRITER_ASCII`): tab-separated text with a
//! `#`-header, TSV, or one JSON object per line.
//!
//! Upstream: `src/logging/writers/ascii/Ascii.cc`,
//! `src/threading/formatters/Ascii.cc` and `JSON.cc`, and the escaping of
//! `src/Desc.cc` (`ODesc::AddBytes` with escaping enabled).

use super::format;
use super::value::{LogData, LogField, LogValue};
use super::writer::{BackendMsg, Outbox, Writer, WriterInfo};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write as _;
use zest_runtime::render;
use zest_runtime::render::json as rj;
use zest_runtime::types::Tag;

/// The `LogAscii::*` script options, read when the writer is created.
#[derive(Clone, Debug, Default)]
pub struct AsciiOptions {
    pub output_to_stdout: bool,
    pub include_meta: bool,
    pub use_json: bool,
    pub enable_utf_8: bool,
    pub gzip_level: i64,
    pub separator: Vec<u8>,
    pub set_separator: Vec<u8>,
    pub empty_field: Vec<u8>,
    pub unset_field: Vec<u8>,
    pub meta_prefix: Vec<u8>,
    /// The `JSON::TimestampFormat` name (`JSON::TS_EPOCH`).
    pub json_timestamps: Vec<u8>,
    pub json_include_unset_fields: bool,
    pub gzip_file_extension: Vec<u8>,
    /// `LogAscii::logdir`, or else `Log::default_logdir`.
    pub logdir: Vec<u8>,
    pub enable_leftover_log_rotation: bool,
    /// `$ZEEK_LOG_SUFFIX`, or `log`.
    pub log_suffix: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimeFormat {
    Epoch,
    Millis,
    Iso8601,
}

enum Formatter {
    Ascii,
    Json {
        timestamps: TimeFormat,
        include_unset: bool,
    },
}

const SHADOW_PREFIX: &[u8] = b".shadow.";

pub struct Ascii {
    o: AsciiOptions,
    tsv: bool,
    init_options: bool,
    formatter: Formatter,
    desc: Desc,
    file: Option<Output>,
    fname: Vec<u8>,
    ascii_done: bool,
    /// The output is the process's standard output (or another `/dev/`
    /// file the process may share).
    to_stdout: bool,
}

/// The open output: a plain file (buffered; written out whenever the
/// writer goes idle, is flushed or unbuffered), or a gzip stream on it.
enum Output {
    Plain(std::io::BufWriter<File>),
    Gzip(GzFile),
}

impl Output {
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Plain(f) => f.write_all(data),
            Output::Gzip(g) => g.write(data),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Plain(f) => f.flush(),
            Output::Gzip(_) => Ok(()),
        }
    }

    fn close(self) -> std::io::Result<()> {
        match self {
            Output::Plain(mut f) => f.flush(),
            Output::Gzip(g) => g.close(),
        }
    }
}

fn bool_option(v: &[u8], name: &str, out: &mut Outbox) -> Option<bool> {
    match v {
        b"T" => Some(true),
        b"F" => Some(false),
        _ => {
            out.push(BackendMsg::Error(format!(
                "invalid value for '{name}', must be a string and either \"T\" or \"F\""
            )));
            None
        }
    }
}

/// C's `atoi`: optional blanks and sign, then digits; 0 without any.
fn atoi(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && (s[i] == b' ' || (b'\t'..=b'\r').contains(&s[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut v: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.wrapping_mul(10).wrapping_add(i64::from(s[i] - b'0'));
        i += 1;
    }
    // atoi returns an int.
    let v = if neg { v.wrapping_neg() } else { v };
    i64::from(v as i32)
}

impl Ascii {
    /// The writer with its per-filter options applied (`InitConfigOptions`
    /// happened when `o` was read; this is `InitFilterOptions`).
    pub fn new(o: AsciiOptions, info: &WriterInfo, out: &mut Outbox) -> Ascii {
        let mut w = Ascii {
            o,
            tsv: false,
            init_options: false,
            formatter: Formatter::Ascii,
            desc: Desc::default(),
            file: None,
            fname: Vec::new(),
            ascii_done: false,
            to_stdout: false,
        };
        w.init_options = w.init_filter_options(info, out);
        w.to_stdout = w.o.output_to_stdout || is_special(&info.path);
        w
    }

    fn init_filter_options(&mut self, info: &WriterInfo, out: &mut Outbox) -> bool {
        for (k, v) in &info.config {
            match k.as_slice() {
                b"tsv" => match bool_option(v, "tsv", out) {
                    Some(b) => self.tsv = b,
                    None => return false,
                },
                b"gzip_level" => {
                    self.o.gzip_level = atoi(v);
                    if !(0..=9).contains(&self.o.gzip_level) {
                        out.push(BackendMsg::Error(
                            "invalid value for 'gzip_level', must be a number between 0 and 9."
                                .to_owned(),
                        ));
                        return false;
                    }
                }
                b"use_json" => match bool_option(v, "use_json", out) {
                    Some(b) => self.o.use_json = b,
                    None => return false,
                },
                b"enable_utf_8" => match bool_option(v, "enable_utf_8", out) {
                    Some(b) => self.o.enable_utf_8 = b,
                    None => return false,
                },
                b"output_to_stdout" => match bool_option(v, "output_to_stdout", out) {
                    Some(b) => self.o.output_to_stdout = b,
                    None => return false,
                },
                b"separator" => self.o.separator = cstr(v),
                b"set_separator" => self.o.set_separator = cstr(v),
                b"empty_field" => self.o.empty_field = cstr(v),
                b"unset_field" => self.o.unset_field = cstr(v),
                b"meta_prefix" => self.o.meta_prefix = cstr(v),
                b"json_timestamps" => self.o.json_timestamps = cstr(v),
                b"json_include_unset_fields" => {
                    match bool_option(v, "json_include_unset_fields", out) {
                        Some(b) => self.o.json_include_unset_fields = b,
                        None => return false,
                    }
                }
                b"gzip_file_extension" => self.o.gzip_file_extension = cstr(v),
                b"logdir" => {
                    out.push(BackendMsg::PlainWarning(
                        "Remove in v6.1. Per writer logdir is deprecated.".to_owned(),
                    ));
                    self.o.logdir = cstr(v);
                }
                _ => {}
            }
        }
        self.init_formatter(out)
    }

    fn init_formatter(&mut self, out: &mut Outbox) -> bool {
        self.desc = Desc::default();
        if self.o.use_json {
            let timestamps = match self.o.json_timestamps.as_slice() {
                b"JSON::TS_EPOCH" => TimeFormat::Epoch,
                b"JSON::TS_MILLIS" => TimeFormat::Millis,
                b"JSON::TS_ISO8601" => TimeFormat::Iso8601,
                other => {
                    out.push(BackendMsg::Error(format!(
                        "Invalid JSON timestamp format: {}",
                        String::from_utf8_lossy(other)
                    )));
                    return false;
                }
            };
            self.formatter = Formatter::Json {
                timestamps,
                include_unset: self.o.json_include_unset_fields,
            };
            // JSON implicitly turns off the header meta fields.
            self.o.include_meta = false;
        } else {
            self.desc.utf8 = self.o.enable_utf_8;
            self.desc.escape = true;
            self.desc.escapes.insert(self.o.separator.clone());
            self.formatter = Formatter::Ascii;
        }
        true
    }

    fn ext(&self) -> Vec<u8> {
        let mut ext = b".".to_vec();
        ext.extend_from_slice(&self.o.log_suffix);
        if self.o.gzip_level > 0 {
            ext.push(b'.');
            if self.o.gzip_file_extension.is_empty() {
                ext.extend_from_slice(b"gz");
            } else {
                ext.extend_from_slice(&self.o.gzip_file_extension);
            }
        }
        ext
    }

    fn use_shadow(&self, info: &WriterInfo) -> bool {
        self.o.enable_leftover_log_rotation && info.rotation_interval > 0.0
    }

    fn do_init(&mut self, info: &WriterInfo, fields: &[LogField], out: &mut Outbox) -> bool {
        if !self.init_options {
            return false;
        }
        let path = if self.o.output_to_stdout {
            b"/dev/stdout".to_vec()
        } else {
            info.path.clone()
        };
        self.fname.clone_from(&path);
        if !is_special(&self.fname) {
            let ext = self.ext();
            if self.fname.first() != Some(&b'/') && !self.o.logdir.is_empty() {
                self.fname = path_join(&self.o.logdir, &self.fname);
            }
            self.fname.extend_from_slice(&ext);
            if self.use_shadow(info) && !self.write_shadow(info, &ext, out) {
                return false;
            }
        }
        let name = lossy(&self.fname);
        let file = match std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&name)
        {
            Ok(f) => f,
            Err(e) => {
                out.push(BackendMsg::Error(format!(
                    "cannot open {name}: {}",
                    strerror(&e)
                )));
                self.file = None;
                return false;
            }
        };
        self.file = Some(if self.o.gzip_level > 0 {
            if self.o.gzip_level > 9 {
                out.push(BackendMsg::Error(
                    "invalid value for 'gzip_level', must be a number between 0 and 9.".to_owned(),
                ));
                return false;
            }
            Output::Gzip(GzFile::new(file))
        } else {
            Output::Plain(std::io::BufWriter::with_capacity(1 << 16, file))
        });
        if let Err(e) = self.write_header(&path, fields) {
            out.push(BackendMsg::Error(format!(
                "error writing to {name}: {}",
                strerror(&e)
            )));
            return false;
        }
        true
    }

    /// The `.shadow.` file that lets a later run rotate a leftover log:
    /// the extension and the postprocessor's name, one per line.
    fn write_shadow(&mut self, info: &WriterInfo, ext: &[u8], out: &mut Outbox) -> bool {
        let sfname = prefix_basename_with(&self.fname, SHADOW_PREFIX);
        let tmp = prefix_basename_with(&sfname, b".tmp");
        let mut content = ext.to_vec();
        content.push(b'\n');
        if let Some(p) = &info.post_proc_func {
            content.extend_from_slice(p.as_bytes());
        }
        content.push(b'\n');
        let (tmp_s, sf_s) = (lossy(&tmp), lossy(&sfname));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp_s)
            .and_then(|mut f| {
                f.write_all(&content)?;
                f.sync_all()
            });
        if let Err(e) = written {
            out.push(BackendMsg::Error(format!(
                "cannot open {tmp_s}: {}",
                strerror(&e)
            )));
            return false;
        }
        if let Err(e) = std::fs::rename(&tmp_s, &sf_s) {
            out.push(BackendMsg::Error(format!(
                "Unable to rename {tmp_s} to {sf_s}: {}",
                strerror(&e)
            )));
            let _ = std::fs::remove_file(&tmp_s);
            return false;
        }
        true
    }

    fn flush_file(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }

    fn raw_write(&mut self, data: &[u8]) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.write_all(data),
            None => Err(std::io::Error::from_raw_os_error(9)),
        }
    }

    fn write_header_field(&mut self, key: &str, val: &[u8]) -> std::io::Result<()> {
        let mut s = self.o.meta_prefix.clone();
        s.extend_from_slice(key.as_bytes());
        s.extend_from_slice(&self.o.separator);
        s.extend_from_slice(val);
        s.push(b'\n');
        self.raw_write(&s)
    }

    fn write_header(&mut self, path: &[u8], fields: &[LogField]) -> std::io::Result<()> {
        if !self.o.include_meta {
            return Ok(());
        }
        let mut names = Vec::new();
        let mut types = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                names.extend_from_slice(&self.o.separator);
                types.extend_from_slice(&self.o.separator);
            }
            names.extend_from_slice(&f.name);
            types.extend_from_slice(f.type_name().as_bytes());
        }
        if self.tsv {
            names.push(b'\n');
            return self.raw_write(&names);
        }
        let mut s = self.o.meta_prefix.clone();
        s.extend_from_slice(b"separator ");
        s.extend_from_slice(&escaped_string(&self.o.separator));
        s.push(b'\n');
        self.raw_write(&s)?;
        let set_sep = escaped_string(&self.o.set_separator);
        self.write_header_field("set_separator", &set_sep)?;
        let empty = escaped_string(&self.o.empty_field);
        self.write_header_field("empty_field", &empty)?;
        let unset = escaped_string(&self.o.unset_field);
        self.write_header_field("unset_field", &unset)?;
        self.write_header_field("path", &escaped_string(path))?;
        let stamp = format::header_timestamp(format::now_secs());
        self.write_header_field("open", stamp.as_bytes())?;
        self.write_header_field("fields", &names)?;
        self.write_header_field("types", &types)
    }

    fn close_file(&mut self) {
        if self.file.is_none() {
            return;
        }
        if self.o.include_meta && !self.tsv {
            let stamp = format::header_timestamp(format::now_secs());
            let _ = self.write_header_field("close", stamp.as_bytes());
        }
        if let Some(f) = self.file.take() {
            let _ = f.close();
        }
    }

    /// Renders one row into `self.desc.buf`.
    fn describe_row(&mut self, fields: &[LogField], vals: &[LogValue], errs: &mut Outbox) {
        self.desc.buf.clear();
        match self.formatter {
            Formatter::Ascii => {
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 {
                        self.desc.buf.extend_from_slice(&self.o.separator);
                    }
                    describe_ascii(&mut self.desc, &self.o, v);
                }
            }
            Formatter::Json {
                timestamps,
                include_unset,
            } => {
                let out = &mut self.desc.buf;
                out.push(b'{');
                let mut first = true;
                for (v, f) in vals.iter().zip(fields) {
                    if v.present() || include_unset {
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        rj::write_json_str(out, &f.name);
                        out.push(b':');
                        describe_json(out, v, timestamps, errs);
                    }
                }
                out.push(b'}');
            }
        }
        self.desc.buf.push(b'\n');
    }
}

impl Writer for Ascii {
    fn init(&mut self, info: &WriterInfo, fields: &[LogField], out: &mut Outbox) -> bool {
        self.do_init(info, fields, out)
    }

    fn write(
        &mut self,
        info: &WriterInfo,
        fields: &[LogField],
        vals: &[LogValue],
        buffered: bool,
        out: &mut Outbox,
    ) -> bool {
        if self.file.is_none() {
            self.do_init(info, fields, out);
        }
        self.describe_row(fields, vals, out);
        let line = std::mem::take(&mut self.desc.buf);
        let mut bytes: &[u8] = &line;
        let mut res = Ok(());
        if c_strncmp_eq(bytes, &self.o.meta_prefix) {
            // It would look like a header line: escape the first character.
            let hex = [
                b'\\',
                b'x',
                HEX[usize::from(bytes[0] >> 4)],
                HEX[usize::from(bytes[0] & 0xf)],
            ];
            res = self.raw_write(&hex);
            bytes = &bytes[1..];
        }
        if res.is_ok() {
            res = self.raw_write(bytes);
        }
        if res.is_ok() && !buffered {
            res = self.flush_file();
        }
        self.desc.buf = line;
        if let Err(e) = res {
            out.push(BackendMsg::Error(format!(
                "error writing to {}: {}",
                lossy(&self.fname),
                strerror(&e)
            )));
            return false;
        }
        true
    }

    fn set_buf(&mut self, _enabled: bool, _out: &mut Outbox) -> bool {
        true
    }

    fn flush(&mut self, _network_time: f64, out: &mut Outbox) -> bool {
        self.idle(out)
    }

    fn idle(&mut self, out: &mut Outbox) -> bool {
        if let Err(e) = self.flush_file() {
            out.push(BackendMsg::Error(format!(
                "error writing to {}: {}",
                lossy(&self.fname),
                strerror(&e)
            )));
            return false;
        }
        true
    }

    fn shares_stdout(&self) -> bool {
        self.to_stdout
    }

    fn rotate(
        &mut self,
        info: &WriterInfo,
        rotated_path: &[u8],
        open: f64,
        close: f64,
        terminating: bool,
        out: &mut Outbox,
    ) -> bool {
        let unsuccessful = BackendMsg::RotationFinished {
            new_name: None,
            old_name: None,
            open: 0.0,
            close: 0.0,
            success: false,
            terminating: false,
        };
        // Special files, or no file open: nothing to rotate.
        if self.file.is_none() || is_special(&info.path) {
            out.push(unsuccessful);
            return true;
        }
        self.close_file();
        let mut nname = rotated_path.to_vec();
        nname.extend_from_slice(&self.ext());
        let (from, to) = (lossy(&self.fname), lossy(&nname));
        if let Err(e) = std::fs::rename(&from, &to) {
            out.push(BackendMsg::Error(format!(
                "failed to rename {from} to {to}: {}",
                strerror(&e)
            )));
            out.push(unsuccessful);
            return false;
        }
        if self.use_shadow(info) {
            let sfname = lossy(&prefix_basename_with(&self.fname, SHADOW_PREFIX));
            if let Err(e) = std::fs::remove_file(&sfname) {
                out.push(BackendMsg::Error(format!(
                    "cannot unlink {sfname}: {}",
                    strerror(&e)
                )));
                out.push(unsuccessful);
                return false;
            }
        }
        out.push(BackendMsg::RotationFinished {
            new_name: Some(nname),
            old_name: Some(self.fname.clone()),
            open,
            close,
            success: true,
            terminating,
        });
        true
    }

    fn finish(&mut self, network_time: f64, out: &mut Outbox) -> bool {
        if self.ascii_done {
            return true;
        }
        self.flush(network_time, out);
        self.ascii_done = true;
        self.close_file();
        true
    }
}

impl Drop for Ascii {
    /// A writer whose thread failed never finished: its destructor closes
    /// the file (with the `#close` line).
    fn drop(&mut self) {
        if !self.ascii_done {
            self.close_file();
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A gzip stream written as it goes: a gzip header, the data in stored
/// (uncompressed) deflate blocks, and at close the final block with the
/// CRC-32 and length trailer. Any gzip reader restores the text; the
/// compressed bytes are not zlib's (Zest has no zlib), so the level only
/// switches compression on.
struct GzFile {
    file: File,
    crc: u32,
    len: u32,
    header_done: bool,
}

impl GzFile {
    fn new(file: File) -> GzFile {
        GzFile {
            file,
            crc: 0,
            len: 0,
            header_done: false,
        }
    }

    fn header(&mut self) -> std::io::Result<()> {
        if !self.header_done {
            self.header_done = true;
            // ID1 ID2, deflate, no flags, no mtime, no extra flags, Unix.
            self.file.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])?;
        }
        Ok(())
    }

    fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.header()?;
        self.crc = crc32_update(self.crc, data);
        self.len = self.len.wrapping_add(data.len() as u32);
        let mut buf = Vec::with_capacity(data.len() + 8);
        for chunk in data.chunks(0xffff) {
            let n = chunk.len() as u16;
            // BFINAL=0, BTYPE=00 (stored), then LEN and its complement.
            buf.push(0);
            buf.extend_from_slice(&n.to_le_bytes());
            buf.extend_from_slice(&(!n).to_le_bytes());
            buf.extend_from_slice(chunk);
        }
        self.file.write_all(&buf)
    }

    fn close(mut self) -> std::io::Result<()> {
        self.header()?;
        // The final, empty stored block, then CRC-32 and ISIZE.
        let mut buf = vec![1, 0, 0, 0xff, 0xff];
        buf.extend_from_slice(&self.crc.to_le_bytes());
        buf.extend_from_slice(&self.len.to_le_bytes());
        self.file.write_all(&buf)
    }
}

/// CRC-32 (IEEE 802.3, reflected, as gzip uses it).
fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// `strncmp(line, prefix, prefix.size()) == 0`: compares up to the
/// prefix's length, stopping at a NUL in either.
fn c_strncmp_eq(line: &[u8], prefix: &[u8]) -> bool {
    for (i, &p) in prefix.iter().enumerate() {
        let l = line.get(i).copied().unwrap_or(0);
        if l != p {
            return false;
        }
        if l == 0 {
            return true;
        }
    }
    true
}

/// A C string's view of bytes: up to the first NUL.
fn cstr(v: &[u8]) -> Vec<u8> {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    v[..end].to_vec()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `strerror(errno)` without Rust's ` (os error N)` suffix.
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// `WriterBackend::IsSpecial`: a path under `/dev/`.
pub fn is_special(path: &[u8]) -> bool {
    path.starts_with(b"/dev/")
}

/// `std::filesystem::path(dir) / name` for a relative `name`.
fn path_join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir.to_vec();
    if !p.ends_with(b"/") {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

/// `prefix_basename_with("logs/conn.log", ".shadow.")` is
/// `logs/.shadow.conn.log`.
pub fn prefix_basename_with(path: &[u8], prefix: &[u8]) -> Vec<u8> {
    let (dir, base) = match path.iter().rposition(|&b| b == b'/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => (&b""[..], path),
    };
    let mut p = dir.to_vec();
    p.extend_from_slice(prefix);
    p.extend_from_slice(base);
    p
}

/// `util::get_escaped_string(s, false)`: whitespace, non-ASCII and
/// non-printable bytes as `\xNN`.
pub fn escaped_string(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if c.is_ascii_whitespace() || c == 0x0b || !(0x20..0x7f).contains(&c) {
            push_hex(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

fn push_hex(out: &mut Vec<u8>, c: u8) {
    out.extend_from_slice(&[
        b'\\',
        b'x',
        HEX[usize::from(c >> 4)],
        HEX[usize::from(c & 0xf)],
    ]);
}

/// The escaping part of Zeek's `ODesc` as the ASCII writer sets it up:
/// escaping on, optionally UTF-8 aware, with extra escape sequences (the
/// separator, and the set separator while a container is written). The
/// sequences persist across rows, as the writer's `ODesc` does.
#[derive(Default)]
pub struct Desc {
    pub buf: Vec<u8>,
    pub escape: bool,
    pub utf8: bool,
    pub escapes: BTreeSet<Vec<u8>>,
}

impl Desc {
    /// `ODesc::AddBytes`.
    pub fn add(&mut self, bytes: &[u8]) {
        if !self.escape {
            self.buf.extend_from_slice(bytes);
            return;
        }
        let mut s = bytes;
        while !s.is_empty() {
            match self.first_escape(s) {
                Some((start, len)) => {
                    self.add_unescaped(&s[..start]);
                    for &c in &s[start..start + len] {
                        if c == b'\\' {
                            self.buf.extend_from_slice(b"\\\\");
                        } else {
                            push_hex(&mut self.buf, c);
                        }
                    }
                    s = &s[start + len..];
                }
                None => {
                    self.add_unescaped(s);
                    break;
                }
            }
        }
    }

    fn add_unescaped(&mut self, s: &[u8]) {
        if self.utf8 {
            rj::write_json_escape_utf8(&mut self.buf, s, false);
        } else {
            self.buf.extend_from_slice(s);
        }
    }

    /// `ODesc::FirstEscapeLoc`.
    fn first_escape(&self, s: &[u8]) -> Option<(usize, usize)> {
        for i in 0..s.len() {
            let printable = (0x20..0x7f).contains(&s[i]);
            if !printable && !self.utf8 {
                return Some((i, 1));
            }
            if s[i] == b'\\' {
                return Some((i, 1));
            }
            // `StartsWithEscapeSequence`: the first sequence (in sorted
            // order) that matches decides; an empty one matches with
            // length 0, which means no escape.
            if let Some(e) = self.escapes.iter().find(|e| s[i..].starts_with(e)) {
                if !e.is_empty() {
                    return Some((i, e.len()));
                }
            }
        }
        None
    }
}

/// `formatter::Ascii::Describe` of one value.
pub fn describe_ascii(desc: &mut Desc, o: &AsciiOptions, v: &LogValue) {
    let Some(data) = &v.data else {
        desc.add(&o.unset_field);
        return;
    };
    let mut tmp = Vec::new();
    match data {
        LogData::Int(i) => {
            if v.ty == Tag::Bool {
                desc.add(if *i != 0 { b"T" } else { b"F" });
            } else {
                render::write_int(&mut tmp, *i);
                desc.add(&tmp);
            }
        }
        LogData::Count(c) => {
            render::write_count(&mut tmp, *c);
            desc.add(&tmp);
        }
        LogData::Port(p, _) => {
            render::write_count(&mut tmp, u64::from(*p));
            desc.add(&tmp);
        }
        LogData::Subnet(a, len) => {
            render::write_subnet(&mut tmp, *a, *len);
            desc.add(&tmp);
        }
        LogData::Addr(a) => {
            render::write_addr(&mut tmp, *a);
            desc.add(&tmp);
        }
        LogData::Double(d) => {
            if v.ty == Tag::Double {
                format::write_double_noexp(&mut tmp, *d);
            } else {
                format::write_modp_dtoa(&mut tmp, *d);
            }
            desc.add(&tmp);
        }
        LogData::Str(s) => {
            if s.is_empty() {
                desc.add(&o.empty_field);
            } else if s == &o.unset_field || s == &o.empty_field {
                // Would read back as a reserved value: escape its first byte.
                push_hex(&mut desc.buf, s[0]);
                desc.add(&s[1..]);
            } else {
                desc.add(s);
            }
        }
        LogData::Set(items) | LogData::Vector(items) => {
            if items.is_empty() {
                desc.add(&o.empty_field);
                return;
            }
            desc.escapes.insert(o.set_separator.clone());
            for (j, item) in items.iter().enumerate() {
                if j > 0 {
                    desc.buf.extend_from_slice(&o.set_separator);
                }
                describe_ascii(desc, o, item);
            }
            desc.escapes.remove(&o.set_separator);
        }
    }
}

/// `formatter::JSON::BuildJSON` of one value (without its key).
fn describe_json(out: &mut Vec<u8>, v: &LogValue, ts: TimeFormat, errs: &mut Outbox) {
    let Some(data) = &v.data else {
        out.extend_from_slice(b"null");
        return;
    };
    match data {
        LogData::Int(i) => {
            if v.ty == Tag::Bool {
                rj::write_json_bool(out, *i != 0);
            } else {
                rj::write_json_int(out, *i);
            }
        }
        LogData::Count(c) => rj::write_json_count(out, *c),
        LogData::Port(p, _) => rj::write_json_count(out, u64::from(*p)),
        LogData::Subnet(a, len) => {
            let mut t = Vec::new();
            render::write_subnet(&mut t, *a, *len);
            rj::write_json_str(out, &t);
        }
        LogData::Addr(a) => {
            let mut t = Vec::new();
            render::write_addr(&mut t, *a);
            rj::write_json_str(out, &t);
        }
        LogData::Double(d) => {
            if v.ty == Tag::Time {
                match ts {
                    TimeFormat::Epoch => rj::write_json_double(out, *d),
                    TimeFormat::Millis => {
                        render::write_count(out, format::double_to_u64_x86(*d * 1000.0));
                    }
                    TimeFormat::Iso8601 => {
                        let text = format::iso8601(*d).unwrap_or_else(|| {
                            let mut t = Vec::new();
                            let spec = render::printf::PrintfSpec::default();
                            render::printf::write_float(
                                &mut t,
                                *d,
                                render::printf::FloatConv::F,
                                &spec,
                            );
                            errs.push(BackendMsg::Error(format!(
                                "json formatter: failure getting time: ({})",
                                String::from_utf8_lossy(&t)
                            )));
                            "2000-01-01T00:00:00.000000".to_owned()
                        });
                        rj::write_json_str(out, text.as_bytes());
                    }
                }
            } else {
                rj::write_json_double(out, *d);
            }
        }
        LogData::Str(s) => rj::write_json_string(out, s),
        LogData::Set(items) | LogData::Vector(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                describe_json(out, item, ts, errs);
            }
            out.push(b']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> AsciiOptions {
        AsciiOptions {
            include_meta: true,
            enable_utf_8: true,
            separator: b"\t".to_vec(),
            set_separator: b",".to_vec(),
            empty_field: b"(empty)".to_vec(),
            unset_field: b"-".to_vec(),
            meta_prefix: b"#".to_vec(),
            json_timestamps: b"JSON::TS_EPOCH".to_vec(),
            log_suffix: b"log".to_vec(),
            ..AsciiOptions::default()
        }
    }

    fn ascii_line(o: &AsciiOptions, vals: &[LogValue]) -> Vec<u8> {
        let mut w = Ascii::new(o.clone(), &WriterInfo::default(), &mut Vec::new());
        w.describe_row(&[], vals, &mut Vec::new());
        std::mem::take(&mut w.desc.buf)
    }

    fn s(b: &[u8]) -> LogValue {
        LogValue {
            ty: Tag::String,
            data: Some(LogData::Str(b.to_vec())),
        }
    }

    /// Baseline/scripts.base.frameworks.logging.ascii-escape-binary/test.log
    /// (with `LogAscii::enable_utf_8 = F`).
    #[test]
    fn binary_escaping() {
        let mut o = opts();
        o.enable_utf_8 = false;
        let cases: &[(&[u8], &[u8])] = &[
            (b"AB\0CD\0", b"AB\\x00CD\\x00"),
            (b"AB\xffCD\0", b"AB\\xffCD\\x00"),
            (b"AB\\xffCD\0", b"AB\\\\xffCD\\x00"),
            (b" ", b" "),
            (b"abc\\x00def", b"abc\\\\x00def"),
            (b"abc\0def", b"abc\\x00def"),
            (
                b"foo \xc2\xae bar \\xc2\\xae baz",
                b"foo \\xc2\\xae bar \\\\xc2\\\\xae baz",
            ),
            (b"foo\x00bar\\0baz", b"foo\\x00bar\\\\0baz"),
            (b"foo \x0e bar ^N baz", b"foo \\x0e bar ^N baz"),
        ];
        for (input, want) in cases {
            let mut line = ascii_line(&o, &[s(input)]);
            assert_eq!(line.pop(), Some(b'\n'));
            assert_eq!(
                String::from_utf8_lossy(&line),
                String::from_utf8_lossy(want)
            );
        }
    }

    /// Baselines ascii-utf8-enabled, ascii-utf8-enabled-control-characters.
    #[test]
    fn utf8_escaping() {
        let o = opts();
        let hindi = "दुनिया को नमस्ते".as_bytes();
        let cases: &[(&[u8], &[u8])] = &[
            (b"foo \xc2\xae bar", b"foo \xc2\xae bar"),
            (hindi, hindi),
            ("hello 𠜎".as_bytes(), "hello 𠜎".as_bytes()),
            (b"foo \n\t\0 bar", b"foo \\x0a\\x09\\x00 bar"),
        ];
        for (input, want) in cases {
            let mut line = ascii_line(&o, &[s(input)]);
            line.pop();
            assert_eq!(line, *want);
        }
    }

    /// Baseline ascii-escape (separator `||`) and ascii-escape-notset-str.
    #[test]
    fn reserved_and_separator() {
        let mut o = opts();
        o.separator = b"||".to_vec();
        let mut line = ascii_line(&o, &[s(b"fa||ure"), s(b"UK")]);
        line.pop();
        assert_eq!(line, b"fa\\x7c\\x7cure||UK");
        let o = opts();
        let unset = LogValue::unset(Tag::String);
        let mut line = ascii_line(&o, &[s(b"-"), unset, s(b"")]);
        line.pop();
        assert_eq!(line, b"\\x2d\t-\t(empty)");
    }

    /// Baseline ascii-utf8-enabled-set-separator-escape: the header and the
    /// set element equal to the set separator.
    #[test]
    fn set_separator_escape() {
        let mut o = opts();
        o.set_separator = b"\xc2\xae".to_vec();
        assert_eq!(escaped_string(&o.set_separator), b"\\xc2\\xae");
        let set = LogValue {
            ty: Tag::Table,
            data: Some(LogData::Set(vec![s(b"\xc2\xae")])),
        };
        let mut line = ascii_line(&o, &[set]);
        line.pop();
        assert_eq!(line, b"\\xc2\\xae");
    }

    /// Baseline ascii-json-utf8/ssh.log.
    #[test]
    fn json_strings() {
        let mut o = opts();
        o.use_json = true;
        let cases: &[(&[u8], &[u8])] = &[
            (b"a", br#"{"s":"a"}"#),
            (
                b"\x08\x0c\n\r\t\x00\x15",
                br#"{"s":"\b\f\n\r\t\\x00\\x15"}"#,
            ),
            (b"\xc3\xb1", b"{\"s\":\"\xc3\xb1\"}"),
            (b"\xc3\x28", br#"{"s":"\\xc3("}"#),
            (b"\xe2\x28\xa1", br#"{"s":"\\xe2(\\xa1"}"#),
            (b"\xf0\x90\x8c\xbc", b"{\"s\":\"\xf0\x90\x8c\xbc\"}"),
            (b"\xf0", br#"{"s":"\\xf0"}"#),
        ];
        for (input, want) in cases {
            let mut w = Ascii::new(o.clone(), &WriterInfo::default(), &mut Vec::new());
            let f = LogField {
                name: b"s".to_vec(),
                ty: Tag::String,
                subtype: Tag::Void,
                optional: false,
            };
            w.describe_row(&[f], &[s(input)], &mut Vec::new());
            let mut line = std::mem::take(&mut w.desc.buf);
            line.pop();
            assert_eq!(
                String::from_utf8_lossy(&line),
                String::from_utf8_lossy(want)
            );
        }
    }

    /// The check value of CRC-32 (the CRC of `123456789`).
    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32_update(0, b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn shadow_names() {
        assert_eq!(
            prefix_basename_with(b"a/conn.log", b".shadow."),
            b"a/.shadow.conn.log"
        );
        assert_eq!(
            prefix_basename_with(b"/a/conn.log", b".shadow."),
            b"/a/.shadow.conn.log"
        );
        assert_eq!(
            prefix_basename_with(b"conn.log", b".shadow."),
            b".shadow.conn.log"
        );
    }
}
