//! The config reader (`input/readers/config/Config.cc`): lines of
//! `option-name value` that set script options (through the
//! `InputConfig::new_value` event and the config framework).

use super::backend::{Ctx, Mode, Reader};
use super::formatter::{parse_value, Separators};
use super::value::Val;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use zest_runtime::types::Tag;

/// What the reader knows of an option: its type's tags, or the type's
/// description when the type cannot be read from a file.
#[derive(Clone, Debug)]
pub enum OptionType {
    Ok(Tag, Tag),
    Unsupported(String),
}

#[derive(Clone, Debug)]
pub struct ConfigConsts {
    pub set_separator: Vec<u8>,
    pub empty_field: Vec<u8>,
    pub fail_on_file_problem: bool,
    /// Every option of the script, by full name.
    pub options: BTreeMap<Vec<u8>, OptionType>,
}

pub struct Config {
    consts: ConfigConsts,
    seps: Separators,
    fail_on_file_problem: bool,
    file: Option<BufReader<File>>,
    mtime: i64,
    ino: u64,
    option_values: BTreeMap<Vec<u8>, Vec<u8>>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn path(b: &[u8]) -> &std::path::Path {
    std::path::Path::new(std::ffi::OsStr::from_bytes(b))
}

/// C's `[[:blank:]]`.
fn blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Matches a line against Zeek's pattern
/// `^([^[:blank:]]+)[[:blank:]]+([^[:blank:]](.*[^[:blank:]SEP])?)?[[:blank:]SEP]*$`
/// (POSIX, leftmost-longest): the key and the value, if any.
pub fn split_line(line: &[u8], sep: u8) -> Option<(&[u8], Option<&[u8]>)> {
    let key_end = line.iter().position(|&c| blank(c))?;
    if key_end == 0 {
        return None;
    }
    let mut i = key_end;
    while i < line.len() && blank(line[i]) {
        i += 1;
    }
    let rest = &line[i..];
    if rest.is_empty() {
        return Some((&line[..key_end], None));
    }
    // The value ends at its last byte that is neither blank nor the
    // separator; a single first byte is a value of its own.
    let last = rest
        .iter()
        .rposition(|&c| !blank(c) && c != sep)
        .filter(|&j| j >= 1)
        .unwrap_or(0);
    Some((&line[..key_end], Some(&rest[..=last])))
}

impl Config {
    pub fn new(consts: ConfigConsts) -> Config {
        Config {
            seps: Separators {
                separator: b"\t".to_vec(),
                set_separator: consts.set_separator.clone(),
                unset_field: Vec::new(),
                empty_field: consts.empty_field.clone(),
            },
            fail_on_file_problem: consts.fail_on_file_problem,
            consts,
            file: None,
            mtime: 0,
            ino: 0,
            option_values: BTreeMap::new(),
        }
    }

    fn open_file(&mut self, ctx: &mut Ctx) -> bool {
        if self.file.is_some() {
            return true;
        }
        let f = File::open(path(&ctx.info.source))
            .ok()
            .filter(|f| f.metadata().is_ok_and(|m| !m.is_dir()));
        let Some(f) = f else {
            let msg = format!("Init: cannot open {}", ctx.info.source_str());
            ctx.fail_warn(self.fail_on_file_problem, &msg, true);
            return !self.fail_on_file_problem;
        };
        self.file = Some(BufReader::new(f));
        ctx.stop_warning_suppression();
        true
    }

    fn get_line(&mut self) -> Option<Vec<u8>> {
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
            if line.is_empty() {
                continue;
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.first() != Some(&b'#') {
                return Some(line);
            }
        }
    }
}

impl Reader for Config {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool {
        self.do_update(ctx)
    }

    fn do_update(&mut self, ctx: &mut Ctx) -> bool {
        if !self.open_file(ctx) {
            return !self.fail_on_file_problem;
        }
        let mode = ctx.mode();
        let mut reopen = true;
        if mode == Mode::Reread {
            let Ok(md) = std::fs::metadata(path(&ctx.info.source)) else {
                let msg = format!("Could not get stat for {}", ctx.info.source_str());
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
            reopen = false;
        }
        if reopen {
            self.file = None;
            self.open_file(ctx);
        }
        let mut unseen: HashSet<Vec<u8>> = self.option_values.keys().cloned().collect();
        let sep = self.consts.set_separator.first().copied().unwrap_or(0);
        while let Some(line) = self.get_line() {
            let Some((key, value)) = split_line(&line, sep) else {
                ctx.warning(&format!(
                    "Could not parse '{}'; line has invalid format. Ignoring line.",
                    lossy(&line)
                ));
                continue;
            };
            let key = key.to_vec();
            let value = value.map(<[u8]>::to_vec).unwrap_or_default();
            let (primary, secondary) = match self.consts.options.get(&key) {
                None => {
                    ctx.warning(&format!(
                        "Option '{}' does not exist. Ignoring line.",
                        lossy(&key)
                    ));
                    continue;
                }
                Some(OptionType::Unsupported(d)) => {
                    ctx.warning(&format!(
                        "Option '{}' has type '{d}', which is not supported for file input. Ignoring line.",
                        lossy(&key)
                    ));
                    continue;
                }
                Some(OptionType::Ok(p, s)) => (*p, *s),
            };
            let keyname = lossy(&key);
            let Some(eventval) = parse_value(ctx, &self.seps, &value, &keyname, primary, secondary)
            else {
                ctx.warning(&format!(
                    "Could not convert line '{}' to value. Ignoring line.",
                    lossy(&line)
                ));
                continue;
            };
            if !eventval.present() {
                ctx.warning(&format!(
                    "Line '{}' has no value. Ignoring line.",
                    lossy(&line)
                ));
                continue;
            }
            unseen.remove(&key);
            if self.option_values.get(&key) == Some(&value) {
                continue;
            }
            self.option_values.insert(key.clone(), value.clone());
            let fields = vec![Val::string(&key), Val::string(&value)];
            if mode == Mode::Stream {
                ctx.put(fields);
            } else {
                ctx.send_entry(fields);
            }
            let vals = vec![
                Val::string(ctx.info.name.as_bytes()),
                Val::string(&ctx.info.source),
                Val::string(&key),
                eventval,
            ];
            ctx.send_event("InputConfig::new_value", vals);
        }
        if mode != Mode::Stream {
            ctx.end_current_send();
        }
        for k in unseen {
            self.option_values.remove(&k);
        }
        true
    }

    fn do_heartbeat(&mut self, ctx: &mut Ctx, _nt: f64, _ct: f64) -> bool {
        match ctx.mode() {
            Mode::Manual => {}
            Mode::Reread | Mode::Stream => {
                self.update(ctx);
            }
        }
        true
    }

    fn do_close(&mut self, _ctx: &mut Ctx) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case<'a> = (&'a [u8], u8, Option<(&'a [u8], &'a [u8])>);

    /// Lines of input/config/basic, errors and spaces.
    #[test]
    fn line_format() {
        let cases: &[Case<'_>] = &[
            (b"testbool F", b',', Some((b"testbool", b"F"))),
            (b"testcount    1", b',', Some((b"testcount", b"1"))),
            (b"testint\t\t-1", b',', Some((b"testint", b"-1"))),
            (
                b"testenum Conn::LOG ",
                b',',
                Some((b"testenum", b"Conn::LOG")),
            ),
            (
                b"test_set a\tb\tc\td\terdbeerschnitzel",
                b'\t',
                Some((b"test_set", b"a\tb\tc\td\terdbeerschnitzel")),
            ),
            (
                b"teststring      abc   ",
                b',',
                Some((b"teststring", b"abc")),
            ),
            (
                b"test_set 127.0.0.1,    127.0.0.2,  127.0.0.3 ",
                b',',
                Some((b"test_set", b"127.0.0.1,    127.0.0.2,  127.0.0.3")),
            ),
            (b"testbool A B", b',', Some((b"testbool", b"A B"))),
            (b"testtesttesttesttesttest", b',', None),
        ];
        for (line, sep, want) in cases {
            let got = split_line(line, *sep).map(|(k, v)| (k, v.unwrap_or(b"")));
            assert_eq!(got, *want, "{}", lossy(line));
        }
    }
}
