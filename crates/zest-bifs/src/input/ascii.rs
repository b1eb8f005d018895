//! The ASCII reader (`input/readers/ascii/Ascii.cc`): Zeek's own log
//! format, a `#fields` header naming the columns, one row per line.

use super::backend::{Ctx, Location, Mode, Reader};
use super::formatter::{parse_proto, parse_value, Separators};
use super::value::Val;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use zest_runtime::types::Tag;

/// The script-level options of the reader (`InputAscii::*`).
#[derive(Clone, Debug)]
pub struct AsciiConsts {
    pub separator: Vec<u8>,
    pub set_separator: Vec<u8>,
    pub empty_field: Vec<u8>,
    pub unset_field: Vec<u8>,
    pub fail_on_invalid_lines: bool,
    pub fail_on_file_problem: bool,
    pub path_prefix: Vec<u8>,
}

struct FieldMapping {
    name: String,
    ty: Tag,
    subtype: Tag,
    position: i64,
    secondary_position: i64,
    present: bool,
}

pub struct Ascii {
    consts: AsciiConsts,
    seps: Separators,
    fail_on_invalid_lines: bool,
    fail_on_file_problem: bool,
    fname: Vec<u8>,
    file: Option<BufReader<File>>,
    headerline: Vec<u8>,
    columns: Vec<FieldMapping>,
    mtime: i64,
    ino: u64,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn path(b: &[u8]) -> &std::path::Path {
    std::path::Path::new(std::ffi::OsStr::from_bytes(b))
}

/// Splits on one byte as `util::split` does.
pub fn split(s: &[u8], sep: u8) -> Vec<&[u8]> {
    s.split(|&c| c == sep).collect()
}

impl Ascii {
    pub fn new(consts: AsciiConsts) -> Ascii {
        Ascii {
            seps: Separators {
                separator: Vec::new(),
                set_separator: Vec::new(),
                unset_field: Vec::new(),
                empty_field: Vec::new(),
            },
            fail_on_invalid_lines: false,
            fail_on_file_problem: false,
            consts,
            fname: Vec::new(),
            file: None,
            headerline: Vec::new(),
            columns: Vec::new(),
            mtime: 0,
            ino: 0,
        }
    }

    fn sep(&self) -> u8 {
        self.seps.separator.first().copied().unwrap_or(0)
    }

    fn open_file(&mut self, ctx: &mut Ctx) -> bool {
        if self.file.is_some() {
            return true;
        }
        let mut fname = ctx.info.source.clone();
        if fname.first() != Some(&b'/') && !self.consts.path_prefix.is_empty() {
            let p = &self.consts.path_prefix;
            let mut prefix = match p.iter().rposition(|&c| c != b'/') {
                None => b"/".to_vec(),
                Some(last) => p[..=last].to_vec(),
            };
            prefix.push(b'/');
            prefix.extend_from_slice(&fname);
            fname = prefix;
        }
        self.fname = fname;
        let f = File::open(path(&self.fname)).ok().filter(|f| {
            // Like an ifstream, a directory opens but cannot be read.
            f.metadata().is_ok_and(|m| !m.is_dir())
        });
        let Some(f) = f else {
            let msg = format!("Init: cannot open {}", lossy(&self.fname));
            ctx.fail_warn(self.fail_on_file_problem, &msg, true);
            return !self.fail_on_file_problem;
        };
        self.file = Some(BufReader::new(f));
        if !self.read_header(ctx, false) {
            let msg = format!(
                "Init: cannot open {}; problem reading file header",
                lossy(&self.fname)
            );
            ctx.fail_warn(self.fail_on_file_problem, &msg, true);
            self.file = None;
            return !self.fail_on_file_problem;
        }
        if ctx.location.is_none() {
            ctx.location = Some(Location {
                filename: lossy(&self.fname),
                line: 0,
            });
        }
        ctx.stop_warning_suppression();
        true
    }

    fn read_header(&mut self, ctx: &mut Ctx, use_cached: bool) -> bool {
        let line = if use_cached {
            self.headerline.clone()
        } else {
            match self.get_line(ctx) {
                Some(l) => {
                    self.headerline = l.clone();
                    l
                }
                None => {
                    let msg = format!(
                        "Could not read input data file {}; first line could not be read",
                        lossy(&self.fname)
                    );
                    ctx.fail_warn(self.fail_on_file_problem, &msg, true);
                    return false;
                }
            }
        };
        let sep = self.sep();
        let ifields = split(&line, sep);
        self.columns.clear();
        for field in ctx.fields.clone() {
            let Some(index) = ifields.iter().position(|f| *f == field.name.as_bytes()) else {
                if field.optional {
                    self.columns.push(FieldMapping {
                        name: field.name.clone(),
                        ty: field.ty,
                        subtype: field.subtype,
                        position: -1,
                        secondary_position: -1,
                        present: false,
                    });
                    continue;
                }
                let msg = format!(
                    "Did not find requested field {} in input data file {}.",
                    field.name,
                    lossy(&self.fname)
                );
                ctx.fail_warn(self.fail_on_file_problem, &msg, true);
                return false;
            };
            let mut m = FieldMapping {
                name: field.name.clone(),
                ty: field.ty,
                subtype: field.subtype,
                position: index as i64,
                secondary_position: -1,
                present: true,
            };
            if let Some(sec) = field.secondary_name.as_ref().filter(|s| !s.is_empty()) {
                let Some(i2) = ifields.iter().position(|f| *f == sec.as_bytes()) else {
                    let msg = format!(
                        "Could not find requested port type field {sec} in input data file {}.",
                        lossy(&self.fname)
                    );
                    ctx.fail_warn(self.fail_on_file_problem, &msg, true);
                    return false;
                };
                m.secondary_position = i2 as i64;
            }
            self.columns.push(m);
        }
        true
    }

    /// `Ascii::GetLine`: the next line that is not empty and not a comment;
    /// a `#fields` line yields its column names.
    fn get_line(&mut self, ctx: &mut Ctx) -> Option<Vec<u8>> {
        let sep = self.sep();
        let file = self.file.as_mut()?;
        loop {
            let mut line = Vec::new();
            match file.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            if let Some(l) = ctx.location.as_mut() {
                l.line += 1;
            }
            if line.is_empty() {
                continue;
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.first() != Some(&b'#') {
                return Some(line);
            }
            if line.len() > 8 && line.starts_with(b"#fields") && line[7] == sep {
                return Some(line[8..].to_vec());
            }
        }
    }
}

impl Reader for Ascii {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool {
        ctx.stop_warning_suppression();
        self.seps = Separators {
            separator: self.consts.separator.clone(),
            set_separator: self.consts.set_separator.clone(),
            empty_field: self.consts.empty_field.clone(),
            unset_field: self.consts.unset_field.clone(),
        };
        self.fail_on_invalid_lines = self.consts.fail_on_invalid_lines;
        self.fail_on_file_problem = self.consts.fail_on_file_problem;
        for (k, v) in ctx.info.config.clone() {
            match k.as_slice() {
                b"separator" => self.seps.separator = v,
                b"set_separator" => self.seps.set_separator = v,
                b"empty_field" => self.seps.empty_field = v,
                b"unset_field" => self.seps.unset_field = v,
                b"fail_on_invalid_lines" => self.fail_on_invalid_lines = v.starts_with(b"T"),
                b"fail_on_file_problem" => self.fail_on_file_problem = v.starts_with(b"T"),
                _ => {}
            }
        }
        if self.seps.separator.len() != 1 {
            ctx.error("separator length has to be 1. Separator will be truncated.");
        }
        if self.seps.set_separator.len() != 1 {
            ctx.error("set_separator length has to be 1. Separator will be truncated.");
        }
        self.do_update(ctx)
    }

    fn do_update(&mut self, ctx: &mut Ctx) -> bool {
        if !self.open_file(ctx) {
            return !self.fail_on_file_problem;
        }
        if let Some(l) = ctx.location.as_mut() {
            l.line = 0;
        }
        let mode = ctx.mode();
        let mut reopen = true;
        if mode == Mode::Reread {
            let md = std::fs::metadata(path(&self.fname));
            let Ok(md) = md else {
                let msg = format!("Could not get stat for {}", lossy(&self.fname));
                ctx.fail_warn(self.fail_on_file_problem, &msg, true);
                self.file = None;
                return !self.fail_on_file_problem;
            };
            if md.ino() == self.ino && md.mtime() == self.mtime {
                return true;
            }
            if self.ino != 0 {
                ctx.stop_warning_suppression();
            }
            self.mtime = md.mtime();
            self.ino = md.ino();
        }
        if mode == Mode::Stream && self.file.is_some() {
            if !self.read_header(ctx, true) {
                return !self.fail_on_file_problem;
            }
            reopen = false;
        }
        if reopen {
            self.file = None;
            self.open_file(ctx);
        }
        let sep = self.sep();
        let nfields = ctx.fields.len();
        while let Some(line) = self.get_line(ctx) {
            let stringfields = split(&line, sep);
            let pos = stringfields.len() as i64 - 1;
            let lineno = ctx.location.as_ref().map_or(-1, |l| l.line);
            let mut vals: Vec<Val> = Vec::with_capacity(nfields);
            let mut error = false;
            for i in 0..self.columns.len() {
                let (present, position, secondary, ty, subtype, name) = {
                    let c = &self.columns[i];
                    (
                        c.present,
                        c.position,
                        c.secondary_position,
                        c.ty,
                        c.subtype,
                        c.name.clone(),
                    )
                };
                if !present {
                    let mut v = Val::unset(ty);
                    if ctx.location.is_some() {
                        v.line = lineno;
                    }
                    vals.push(v);
                    continue;
                }
                if position > pos || secondary > pos {
                    let msg = format!(
                        "Not enough fields in line '{}' of {}. Found {pos} fields, want positions {position} and {secondary}",
                        lossy(&line),
                        lossy(&self.fname)
                    );
                    ctx.fail_warn(self.fail_on_invalid_lines, &msg, false);
                    if self.fail_on_invalid_lines {
                        return false;
                    }
                    error = true;
                    break;
                }
                let text = stringfields[position as usize];
                let Some(mut v) = parse_value(ctx, &self.seps, text, &name, ty, subtype) else {
                    let msg = format!(
                        "Could not convert line '{}' of {} to Val. Ignoring line.",
                        lossy(&line),
                        lossy(&self.fname)
                    );
                    ctx.warning(&msg);
                    error = true;
                    break;
                };
                if ctx.location.is_some() {
                    v.line = lineno;
                }
                if secondary != -1 {
                    let proto = parse_proto(ctx, stringfields[secondary as usize]);
                    if let Some(super::value::Data::Port(_, p)) = v.data.as_mut() {
                        *p = proto;
                    }
                }
                vals.push(v);
            }
            if error {
                continue;
            }
            if mode == Mode::Stream {
                ctx.put(vals);
            } else {
                ctx.send_entry(vals);
            }
        }
        if mode != Mode::Stream {
            ctx.end_current_send();
        }
        true
    }

    fn do_heartbeat(&mut self, ctx: &mut Ctx, _nt: f64, _ct: f64) -> bool {
        if !self.open_file(ctx) {
            return !self.fail_on_file_problem;
        }
        match ctx.mode() {
            Mode::Manual => {}
            Mode::Reread | Mode::Stream => {
                self.update(ctx);
            }
        }
        true
    }

    fn do_close(&mut self, ctx: &mut Ctx) {
        ctx.location = None;
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    /// `util::split` on one character (`src/util.h`): every separator
    /// splits, a trailing one leaves an empty last piece.
    #[test]
    fn split_like_zeek() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"", &[b""]),
            (b"a\\tb", &[b"a\\tb"]),
            (b"b\ti\t", &[b"b", b"i", b""]),
            (b"\t", &[b"", b""]),
            (b"a\t\tb", &[b"a", b"", b"b"]),
        ];
        for (s, want) in cases {
            assert_eq!(split(s, b'\t'), *want);
        }
    }
}
