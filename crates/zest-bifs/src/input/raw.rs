//! The raw reader (`input/readers/raw/Raw.cc`): a file or a command's
//! output (source ending in `|`), one string per record separator.
//!
//! A command runs under `/bin/sh -c` in a process group of its own; its
//! output pipes are read by helper threads so that streaming mode never
//! blocks, as Zeek's non-blocking descriptors don't.

use super::backend::{Ctx, Mode, Reader};
use super::value::{Data, Val};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, TryRecvError};
use zest_runtime::types::Tag;

const BLOCK_SIZE: usize = 4096;

/// Where the bytes come from.
enum Input {
    File(File),
    /// A pipe drained by a thread; `None` from the channel is its end.
    Pipe(Receiver<Option<Vec<u8>>>),
}

/// One input with the bytes read but not yet returned.
struct Source {
    input: Input,
    buf: Vec<u8>,
    eof: bool,
}

enum Line {
    Data(Vec<u8>),
    Eof,
    NoData,
}

impl Source {
    fn new(input: Input) -> Source {
        Source {
            input,
            buf: Vec::new(),
            eof: false,
        }
    }

    /// Reads what is there: for a pipe, blocking only when asked to.
    /// Returns false at the end of the input.
    fn fill(&mut self, block: bool) -> Result<bool, std::io::Error> {
        match &mut self.input {
            Input::File(f) => {
                let mut chunk = vec![0u8; BLOCK_SIZE];
                let n = f.read(&mut chunk)?;
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(n > 0)
            }
            Input::Pipe(rx) => {
                let got = if block {
                    rx.recv().ok()
                } else {
                    match rx.try_recv() {
                        Ok(m) => Some(m),
                        Err(TryRecvError::Empty) => return Ok(true),
                        Err(TryRecvError::Disconnected) => None,
                    }
                };
                match got.flatten() {
                    Some(data) => {
                        self.buf.extend_from_slice(&data);
                        Ok(true)
                    }
                    None => Ok(false),
                }
            }
        }
    }

    /// For a pipe whose writer has exited: waits until `deadline` for what
    /// is still on its way (the end of the input normally comes at once).
    fn fill_until_end(&mut self, deadline: std::time::Instant) {
        let Input::Pipe(rx) = &mut self.input else {
            return;
        };
        while !self.eof {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(Some(data)) => self.buf.extend_from_slice(&data),
                Ok(None) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => self.eof = true,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return,
            }
        }
    }

    /// `Raw::GetLine`: the next record, the end of the input, or nothing
    /// ready yet.
    fn get_line(&mut self, sep: &[u8], block: bool) -> Result<Line, std::io::Error> {
        loop {
            if let Some(at) = find(&self.buf, sep) {
                let line = self.buf[..at].to_vec();
                self.buf.drain(..at + sep.len());
                return Ok(Line::Data(line));
            }
            if self.eof {
                // Zeek's FILE stays at its end until the next update.
                return Ok(if self.buf.is_empty() {
                    Line::Eof
                } else {
                    Line::Data(std::mem::take(&mut self.buf))
                });
            }
            let before = self.buf.len();
            let more = self.fill(block)?;
            if !more {
                self.eof = true;
                continue;
            }
            if self.buf.len() == before {
                // A pipe with nothing ready.
                return Ok(Line::NoData);
            }
        }
    }
}

/// `util::strstr_n`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn path(b: &[u8]) -> &std::path::Path {
    std::path::Path::new(std::ffi::OsStr::from_bytes(b))
}

fn spawn_drain<R: Read + Send + 'static>(mut r: R) -> Receiver<Option<Vec<u8>>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut chunk = vec![0u8; BLOCK_SIZE];
        loop {
            match r.read(&mut chunk) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(n) => {
                    if tx.send(Some(chunk[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

pub struct Raw {
    separator: Vec<u8>,
    fname: Vec<u8>,
    execute: bool,
    firstrun: bool,
    mtime: i64,
    ino: u64,
    dev: u64,
    forcekill: bool,
    offset: i64,
    use_stderr: bool,
    stdin_data: Option<Vec<u8>>,
    file: Option<Source>,
    stderr: Option<Source>,
    child: Option<Child>,
}

impl Raw {
    pub fn new(record_separator: Vec<u8>) -> Raw {
        Raw {
            separator: record_separator,
            fname: Vec::new(),
            execute: false,
            firstrun: true,
            mtime: 0,
            ino: 0,
            dev: 0,
            forcekill: false,
            offset: 0,
            use_stderr: false,
            stdin_data: None,
            file: None,
            stderr: None,
            child: None,
        }
    }

    fn execute(&mut self, ctx: &mut Ctx) -> bool {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(std::ffi::OsStr::from_bytes(&self.fname))
            .process_group(0)
            .stdout(Stdio::piped());
        if self.stdin_data.as_ref().is_some_and(|d| !d.is_empty()) {
            cmd.stdin(Stdio::piped());
        }
        if self.use_stderr {
            cmd.stderr(Stdio::piped());
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                ctx.error(&format!(
                    "Could not create child process: {}",
                    e.raw_os_error().unwrap_or(0)
                ));
                return false;
            }
        };
        if let Some(mut stdin) = child.stdin.take() {
            let data = self.stdin_data.clone().unwrap_or_default();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            });
        }
        if let Some(out) = child.stdout.take() {
            self.file = Some(Source::new(Input::Pipe(spawn_drain(out))));
        }
        if let Some(err) = child.stderr.take() {
            self.stderr = Some(Source::new(Input::Pipe(spawn_drain(err))));
        }
        self.child = Some(child);
        true
    }

    fn open_input(&mut self, ctx: &mut Ctx) -> bool {
        if self.execute {
            return self.execute(ctx);
        }
        let f = File::open(path(&self.fname)).ok().filter(|f| {
            // fopen(3) opens a directory; reading it fails at once.
            f.metadata().is_ok_and(|m| !m.is_dir())
        });
        let Some(mut f) = f else {
            if ctx.mode() == Mode::Stream {
                // Wait for the file to appear.
                return true;
            }
            ctx.error(&format!("Init: cannot open {}", lossy(&self.fname)));
            return false;
        };
        if ctx.mode() == Mode::Stream {
            match f.metadata() {
                Ok(md) => {
                    self.ino = md.ino();
                    self.dev = md.dev();
                }
                Err(_) => {
                    ctx.error(&format!("Could not get fstat for {}", lossy(&self.fname)));
                    return false;
                }
            }
        }
        if self.offset != 0 {
            let pos = if self.offset >= 0 {
                SeekFrom::Start(self.offset as u64)
            } else {
                SeekFrom::End(self.offset + 1)
            };
            if let Err(e) = f.seek(pos) {
                ctx.error(&format!("Seek failed in init: {}", strerror(&e)));
            }
        }
        self.file = Some(Source::new(Input::File(f)));
        true
    }

    fn close_input(&mut self, ctx: &mut Ctx) -> bool {
        if self.file.is_none() {
            ctx.internal_warning(&format!(
                "Trying to close closed file for stream {}",
                lossy(&self.fname)
            ));
            return false;
        }
        self.file = None;
        self.stderr = None;
        true
    }

    /// Reads the records of one input; false on a read error.
    fn read_all(&mut self, ctx: &mut Ctx, from_stderr: bool) -> bool {
        let block = ctx.mode() != Mode::Stream;
        loop {
            let src = if from_stderr {
                self.stderr.as_mut()
            } else {
                self.file.as_mut()
            };
            let Some(src) = src else { return true };
            let line = match src.get_line(&self.separator, block) {
                Ok(l) => l,
                Err(e) => {
                    ctx.error(&format!(
                        "Reader encountered unexpected error code {}",
                        e.raw_os_error().unwrap_or(0)
                    ));
                    return false;
                }
            };
            let Line::Data(data) = line else {
                return true;
            };
            let mut vals = vec![Val::new(Tag::String, Data::Bytes(data))];
            if self.use_stderr {
                vals.push(Val::boolean(from_stderr));
            }
            ctx.put(vals);
        }
    }

    fn child_alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    fn signal_group(&self, sig: &str) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill")
                .arg("-s")
                .arg(sig)
                .arg("--")
                .arg(format!("-{}", c.id()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

impl Reader for Raw {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool {
        if ctx.info.source.is_empty() {
            ctx.error("No source path provided");
            return false;
        }
        self.fname = ctx.info.source.clone();
        self.mtime = 0;
        self.ino = 0;
        self.dev = 0;
        self.execute = false;
        self.firstrun = true;
        let mut want_fields = 1;
        if self.fname.last() == Some(&b'|') {
            self.execute = true;
            self.fname.pop();
        }
        if let Some(s) = ctx.info.config("stdin") {
            self.stdin_data = Some(s.to_vec());
        }
        if ctx.info.config("read_stderr").is_some() && self.execute {
            self.use_stderr = true;
            want_fields = 2;
        }
        if ctx.info.config("force_kill").is_some() && self.execute {
            self.forcekill = true;
        }
        let mode = ctx.mode();
        if let Some(o) = ctx.info.config("offset") {
            if !self.execute && (mode == Mode::Stream || mode == Mode::Manual) {
                self.offset = super::formatter::strtoll(o).value;
            } else {
                ctx.error("Offset only is supported for MODE_STREAM and MODE_MANUAL; it is also not supported when executing a command");
                return false;
            }
        }
        let n = ctx.fields.len();
        if n != want_fields {
            ctx.error(&format!("Filter for raw reader contains wrong number of fields -- got {n}, expected {want_fields}. Filters for the raw reader contain one string field when used in normal mode and one string and one bool fields when using execute mode with stderr capturing. Filter ignored."));
            return false;
        }
        if ctx.fields[0].ty != Tag::String {
            ctx.error("First field for raw reader always has to be of type string.");
            return false;
        }
        if self.use_stderr && ctx.fields[1].ty != Tag::Bool {
            ctx.error("Second field for raw reader always has to be of type bool.");
            return false;
        }
        if self.execute && mode == Mode::Reread {
            ctx.error("Rereading only supported for files, not for executables.");
            return false;
        }
        if !self.open_input(ctx) {
            return false;
        }
        self.do_update(ctx);
        true
    }

    fn do_update(&mut self, ctx: &mut Ctx) -> bool {
        let mode = ctx.mode();
        if self.firstrun {
            self.firstrun = false;
        } else {
            match mode {
                Mode::Reread | Mode::Manual => {
                    if mode == Mode::Reread {
                        let Ok(md) = std::fs::metadata(path(&self.fname)) else {
                            ctx.error(&format!("Could not get stat for {}", lossy(&self.fname)));
                            return false;
                        };
                        if md.ino() == self.ino && md.mtime() == self.mtime {
                            return true;
                        }
                        self.mtime = md.mtime();
                        self.ino = md.ino();
                        self.dev = md.dev();
                    }
                    self.close_input(ctx);
                    if !self.open_input(ctx) {
                        return false;
                    }
                }
                Mode::Stream => {
                    if let Some(f) = self.file.as_mut() {
                        f.eof = false;
                    }
                    if !self.execute {
                        if let Ok(md) = std::fs::metadata(path(&self.fname)) {
                            let same =
                                self.file.is_some() && md.ino() == self.ino && md.dev() == self.dev;
                            if !same {
                                if let Ok(f) = File::open(path(&self.fname)) {
                                    match f.metadata() {
                                        Ok(md) => {
                                            self.file = Some(Source::new(Input::File(f)));
                                            self.ino = md.ino();
                                            self.dev = md.dev();
                                            self.offset = 0;
                                        }
                                        Err(_) => {
                                            ctx.error(&format!(
                                                "Could not fstat {}",
                                                lossy(&self.fname)
                                            ));
                                            return false;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if !self.read_all(ctx, false) {
            return false;
        }
        if self.use_stderr {
            if let Some(s) = self.stderr.as_mut() {
                s.eof = false;
            }
            if !self.read_all(ctx, true) {
                return false;
            }
        }
        if mode == Mode::Manual || mode == Mode::Reread {
            ctx.end_current_send();
        }
        if mode == Mode::Manual && self.execute {
            // The output ended because the command is exiting: give it a
            // moment, so that its exit is seen here (Zeek's thread
            // usually gets there after the child is gone).
            for _ in 0..50 {
                if !self.child_alive() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        let status = match self.child.as_mut() {
            Some(c) => match c.try_wait() {
                Ok(Some(st)) => Some(st),
                _ => None,
            },
            None => None,
        };
        if let Some(st) = status {
            self.child = None;
            // The child's last output may still be in transit from the
            // reading thread: deliver it before the exit, as Zeek's reader
            // reads the pipe to its end first.
            let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
            for from_stderr in [false, true] {
                let src = if from_stderr {
                    self.stderr.as_mut()
                } else {
                    self.file.as_mut()
                };
                if let Some(src) = src {
                    src.fill_until_end(deadline);
                    if (!from_stderr || self.use_stderr) && !self.read_all(ctx, from_stderr) {
                        return false;
                    }
                }
            }
            let mut signal = false;
            let code: u64;
            if let Some(c) = st.code() {
                code = c as u64;
                if c != 0 {
                    ctx.error(&format!(
                        "Child process exited with non-zero return code {c}"
                    ));
                }
            } else {
                signal = true;
                let s = st.signal().unwrap_or(0);
                code = s as u64;
                ctx.error(&format!("Child process exited due to signal {s}"));
            }
            let vals = vec![
                Val::string(ctx.info.name.as_bytes()),
                Val::string(&ctx.info.source),
                Val::new(Tag::Count, Data::Count(code)),
                Val::boolean(signal),
            ];
            if mode == Mode::Stream {
                ctx.end_current_send();
            }
            ctx.send_event("InputRaw::process_finished", vals);
            return false;
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

    fn do_close(&mut self, ctx: &mut Ctx) {
        if self.file.is_some() {
            self.close_input(ctx);
        }
        if self.execute && self.child_alive() {
            self.signal_group("TERM");
            if self.forcekill {
                std::thread::sleep(std::time::Duration::from_micros(200));
                if self.child_alive() {
                    self.signal_group("KILL");
                }
            }
        }
    }
}
