//! `zeek.bif`'s files and directories: `open`, `open_for_append`,
//! `write_file`, `close`, buffering (`set_buf`, `flush_all`), rotation,
//! `file_size`, `file_mode` and the directory operations.
//!
//! A `file` value is a [`FileVal`] (name, OS handle, raw-output flag).
//! Zeek writes files through C stdio (`FILE*`), and stdio's buffering is
//! visible to scripts: `file_size()` of a file that is still open, or a
//! command started by `system()`, sees only what was flushed. Every file
//! opened here therefore gets a [`Stdio`] buffer that follows glibc's
//! rules: fully buffered in blocks of the file's `st_blksize` (at most
//! `BUFSIZ`), line buffered after `set_buf(f, F)`.
//!
//! The open files live in `it.ext` ([`Files`]), which holds a reference to
//! each. A file the script no longer references is closed (flushed) the
//! next time this module runs ([`sweep`]), where Zeek closes it when its
//! last reference goes; [`shutdown`] flushes and closes the rest at the end
//! of the run, and [`flush_all_files`] flushes them for `exit()`.
//!
//! `/dev/stdout` (and `open("-")`) share the `print` statement's stdout
//! buffer (`it.out`) as Zeek's files share its `FILE* stdout`;
//! `/dev/stderr` writes unbuffered to stderr; `/dev/stdin` refuses writes.
//!
//! [`write`] is how `print f, …` must write to a file, see its docs.

use crate::support::builtin_error;
use crate::Bif;
use std::cell::RefCell;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::rc::Rc;
use zest_runtime::interp::QueuedEvent;
use zest_runtime::opaque::FileVal;
use zest_runtime::program::GlobalKind;
use zest_runtime::types::TypeRef;
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "file_mode",
        signature: "function(mode: count): string",
        func: file_mode,
    },
    Bif {
        name: "open",
        signature: "function(f: string): file",
        func: open,
    },
    Bif {
        name: "open_for_append",
        signature: "function(f: string): file",
        func: open_for_append,
    },
    Bif {
        name: "close",
        signature: "function(f: file): bool",
        func: close,
    },
    Bif {
        name: "write_file",
        signature: "function(f: file, data: string): bool",
        func: write_file,
    },
    Bif {
        name: "set_buf",
        signature: "function(f: file, buffered: bool): any",
        func: set_buf,
    },
    Bif {
        name: "flush_all",
        signature: "function(): bool",
        func: flush_all,
    },
    Bif {
        name: "mkdir",
        signature: "function(f: string): bool",
        func: mkdir,
    },
    Bif {
        name: "rmdir",
        signature: "function(d: string): bool",
        func: rmdir,
    },
    Bif {
        name: "unlink",
        signature: "function(f: string): bool",
        func: unlink,
    },
    Bif {
        name: "rename",
        signature: "function(src_f: string, dst_f: string): bool",
        func: rename,
    },
    Bif {
        name: "active_file",
        signature: "function(f: file): bool",
        func: active_file,
    },
    Bif {
        name: "get_file_name",
        signature: "function(f: file): string",
        func: get_file_name,
    },
    Bif {
        name: "rotate_file",
        signature: "function(f: file): rotate_info",
        func: rotate_file,
    },
    Bif {
        name: "rotate_file_by_name",
        signature: "function(f: string): rotate_info",
        func: rotate_file_by_name,
    },
    Bif {
        name: "calc_next_rotate",
        signature: "function(i: interval): interval",
        func: calc_next_rotate,
    },
    Bif {
        name: "file_size",
        signature: "function(f: string): double",
        func: file_size,
    },
    Bif {
        name: "enable_raw_output",
        signature: "function(f: file): any",
        func: enable_raw_output,
    },
];

// ------------------------------------------------------------------ stdio

/// glibc's `BUFSIZ`, the largest buffer `_IO_file_doallocate` picks.
const BUFSIZ: usize = 8192;

/// The write side of a glibc `FILE`: the bytes waiting in its buffer and
/// the state that decides when they go out (`libio/fileops.c`,
/// `genops.c`, `iosetvbuf.c`). Only writing is modelled; the file's own
/// position is the OS handle's.
#[derive(Debug)]
pub struct Stdio {
    /// Bytes between `_IO_write_base` (always the buffer start here) and
    /// `_IO_write_ptr`.
    pend: Vec<u8>,
    /// The buffer size once allocated (`_IO_buf_end - _IO_buf_base`), 0
    /// before.
    cap: usize,
    /// What `_IO_file_doallocate` allocates for this file.
    blksize: usize,
    /// `_IO_write_end - _IO_buf_base`: how far plain copies may fill.
    wend: usize,
    /// `_IO_CURRENTLY_PUTTING`.
    putting: bool,
    /// `_IO_LINE_BUF`.
    line: bool,
}

impl Stdio {
    /// A freshly opened stream whose buffer will be `st_blksize` bytes
    /// (when below `BUFSIZ`, else `BUFSIZ`).
    pub fn new(st_blksize: u64) -> Stdio {
        let blksize = match usize::try_from(st_blksize) {
            Ok(b) if b > 0 && b < BUFSIZ => b,
            _ => BUFSIZ,
        };
        Stdio {
            pend: Vec::new(),
            cap: 0,
            blksize,
            wend: 0,
            putting: false,
            line: false,
        }
    }

    /// `setvbuf(f, NULL, full ? _IOFBF : _IOLBF, 0)`: full buffering
    /// allocates the buffer right away; line buffering only sets the flag.
    pub fn setvbuf(&mut self, full: bool) {
        if full {
            self.line = false;
            if self.cap == 0 {
                self.cap = self.blksize;
            }
        } else {
            self.line = true;
        }
    }

    /// The bytes written but not yet handed to the OS.
    pub fn pending(&self) -> &[u8] {
        &self.pend
    }

    /// `_IO_do_write` of the buffered bytes (nothing, and no reset, when
    /// the buffer is empty).
    fn do_write(&mut self, w: &mut dyn Write) -> bool {
        if self.pend.is_empty() {
            return true;
        }
        let ok = w.write_all(&self.pend).is_ok();
        self.pend.clear();
        self.wend = if self.line { 0 } else { self.cap };
        ok
    }

    /// `_IO_new_file_overflow(f, ch)`; `None` is `EOF` (flush only).
    fn overflow(&mut self, w: &mut dyn Write, ch: Option<u8>) -> bool {
        if !self.putting || self.cap == 0 {
            if self.cap == 0 {
                self.cap = self.blksize;
            }
            self.wend = if self.line { self.pend.len() } else { self.cap };
            self.putting = true;
        }
        let Some(ch) = ch else {
            return self.do_write(w);
        };
        if self.pend.len() == self.cap && !self.do_write(w) {
            return false;
        }
        self.pend.push(ch);
        if self.line && ch == b'\n' {
            return self.do_write(w);
        }
        true
    }

    /// `_IO_default_xsputn`: plain copies while there is room before the
    /// write end, one `overflow` per byte otherwise. Returns how many
    /// bytes were taken.
    fn default_xsputn(&mut self, w: &mut dyn Write, data: &[u8]) -> usize {
        let mut i = 0;
        loop {
            if self.pend.len() < self.wend {
                let c = (self.wend - self.pend.len()).min(data.len() - i);
                self.pend.extend_from_slice(&data[i..i + c]);
                i += c;
            }
            if i == data.len() || !self.overflow(w, Some(data[i])) {
                return i;
            }
            i += 1;
        }
    }

    /// `fwrite(data, len, 1, f) == 1` (`_IO_new_file_xsputn`): whether
    /// every byte was accepted.
    pub fn write(&mut self, w: &mut dyn Write, data: &[u8]) -> bool {
        let mut s = 0;
        let mut to_do = data.len();
        let mut must_flush = false;
        let mut count = 0;
        if self.line && self.putting {
            count = self.cap - self.pend.len();
            if count >= to_do {
                if let Some(p) = data.iter().rposition(|&b| b == b'\n') {
                    count = p + 1;
                    must_flush = true;
                }
            }
        } else if self.wend > self.pend.len() {
            count = self.wend - self.pend.len();
        }
        if count > 0 {
            let c = count.min(to_do);
            self.pend.extend_from_slice(&data[..c]);
            s = c;
            to_do -= c;
        }
        if to_do > 0 || must_flush {
            if !self.overflow(w, None) {
                // `to_do == 0 ? EOF : n - to_do`; fwrite counts EOF as done.
                return to_do == 0;
            }
            let block = self.cap;
            let direct = if block >= 128 {
                to_do - to_do % block
            } else {
                to_do
            };
            if direct > 0 {
                let ok = w.write_all(&data[s..s + direct]).is_ok();
                self.wend = if self.line { 0 } else { self.cap };
                if !ok {
                    return false;
                }
                s += direct;
                to_do -= direct;
            }
            if to_do > 0 {
                to_do -= self.default_xsputn(w, &data[s..]);
            }
        }
        to_do == 0
    }

    /// `fflush(f)`.
    pub fn flush(&mut self, w: &mut dyn Write) -> bool {
        self.do_write(w)
    }
}

// ------------------------------------------------------------------ open files

/// Where a file's bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// A file of its own: the `FileVal`'s handle, through [`Stdio`].
    Disk,
    /// `/dev/stdin`: writes fail.
    Stdin,
    /// `/dev/stdout`, `open("-")`: the `print` buffer.
    Stdout,
    /// `/dev/stderr`: unbuffered.
    Stderr,
}

#[derive(Debug)]
struct Stream {
    file: Rc<RefCell<FileVal>>,
    /// The path as given (bytes; `FileVal::name` is its lossy text).
    path: Vec<u8>,
    sink: Sink,
    io: Stdio,
    /// `File::open_time`.
    open_time: f64,
    /// `File::buffered` (set by `set_buf`).
    buffered: bool,
}

impl Stream {
    /// Hands the buffered bytes of a disk file to the OS.
    fn flush(&mut self) -> bool {
        if self.sink != Sink::Disk {
            return true;
        }
        let mut fb = self.file.borrow_mut();
        match fb.handle.as_mut() {
            Some(h) => self.io.flush(h),
            None => true,
        }
    }

    /// `fclose`: flushes and drops the handle of a disk file.
    fn close(&mut self) {
        self.flush();
        if self.sink == Sink::Disk {
            self.file.borrow_mut().handle = None;
        }
    }
}

/// The open files (Zeek's `File::open_files`, plus the standard streams
/// opened by name). The `it.ext` key is `"files"`.
#[derive(Debug, Default)]
pub struct Files {
    open: Vec<Stream>,
}

impl Drop for Files {
    /// The C library flushes every stream at exit; this runs when the
    /// interpreter goes away without [`shutdown`].
    fn drop(&mut self) {
        for s in &mut self.open {
            s.close();
        }
    }
}

const KEY: &str = "files";

fn files(it: &mut Interp) -> &mut Files {
    it.ext_mut::<Files>(KEY)
}

fn position(it: &mut Interp, f: &Rc<RefCell<FileVal>>) -> Option<usize> {
    files(it).open.iter().position(|s| Rc::ptr_eq(&s.file, f))
}

/// Closes the files nothing but this module references any more (Zeek
/// closes a file when its last reference goes away).
pub fn sweep(it: &mut Interp) {
    let fs = files(it);
    let mut i = 0;
    while i < fs.open.len() {
        if Rc::strong_count(&fs.open[i].file) == 1 {
            let mut s = fs.open.remove(i);
            s.close();
        } else {
            i += 1;
        }
    }
}

/// Flushes every open file (the C library's `fflush(NULL)`, as `exit()`
/// does before the process ends), and `print`'s stdout buffer.
pub fn flush_all_files(it: &mut Interp) -> bool {
    let mut ok = true;
    for s in &mut files(it).open {
        ok &= s.flush();
    }
    it.flush_stdout();
    ok
}

/// Closes every open file, flushing it (`File::CloseOpenFiles` and the C
/// library's exit). Call once the run is over.
pub fn shutdown(it: &mut Interp) {
    let open = std::mem::take(&mut files(it).open);
    for mut s in open {
        s.close();
    }
    it.flush_stdout();
}

/// `File::IsOpen`.
pub fn is_open(it: &mut Interp, f: &Rc<RefCell<FileVal>>) -> bool {
    match position(it, f) {
        Some(_) => true,
        None => f.borrow().handle.is_some(),
    }
}

/// `File::Write(data, len)`: what `write_file` and `print f, …` do.
/// False when the file is not open or the data is empty (Zeek then takes
/// `strlen` of the data and `fwrite`s zero bytes, which reports failure).
///
/// `print f, a, b` (Zeek's `do_print_stmt`) when the first value is a file:
/// nothing at all when [`is_open`] is false; otherwise the other values
/// are described as `print` does — `", "` between them and `"\n"` after —
/// or, when the file has raw output (`FileVal::raw`: `&raw_output`,
/// `enable_raw_output`), as `cat()` does, with no separator and no
/// newline; the bytes go through this function.
pub fn write(it: &mut Interp, f: &Rc<RefCell<FileVal>>, data: &[u8]) -> bool {
    if data.is_empty() {
        return false;
    }
    let Some(i) = position(it, f) else {
        let mut fb = f.borrow_mut();
        return match fb.handle.as_mut() {
            Some(h) => h.write_all(data).is_ok(),
            None => false,
        };
    };
    match files(it).open[i].sink {
        Sink::Disk => {
            let s = &mut files(it).open[i];
            let mut fb = s.file.borrow_mut();
            match fb.handle.as_mut() {
                Some(h) => s.io.write(h, data),
                None => false,
            }
        }
        Sink::Stdin => false,
        Sink::Stdout => it.out.write_all(data).is_ok(),
        Sink::Stderr => std::io::stderr().write_all(data).is_ok(),
    }
}

/// `File::Size`, the value of `|f|`: the file is flushed first; 0 for a
/// file that is not open (Zeek would dereference a null `FILE*`).
pub fn size(it: &mut Interp, f: &Rc<RefCell<FileVal>>) -> f64 {
    use std::os::fd::AsFd;
    let Some(i) = position(it, f) else {
        let fb = f.borrow();
        return fb
            .handle
            .as_ref()
            .and_then(|h| h.metadata().ok())
            .map_or(0.0, |m| m.size() as f64);
    };
    let sink = files(it).open[i].sink;
    let fd = match sink {
        Sink::Disk => {
            let s = &mut files(it).open[i];
            s.flush();
            let fb = s.file.borrow();
            return fb
                .handle
                .as_ref()
                .and_then(|h| h.metadata().ok())
                .map_or(0.0, |m| m.size() as f64);
        }
        Sink::Stdout => {
            it.flush_stdout();
            std::io::stdout().as_fd().try_clone_to_owned()
        }
        Sink::Stderr => std::io::stderr().as_fd().try_clone_to_owned(),
        Sink::Stdin => std::io::stdin().as_fd().try_clone_to_owned(),
    };
    fd.map(std::fs::File::from)
        .and_then(|h| h.metadata())
        .map_or(0.0, |m| m.size() as f64)
}

// ------------------------------------------------------------------ helpers

/// `String::CheckString`: the bytes, or `<string-with-NUL>` after an error
/// when they hold a NUL.
pub(crate) fn check_string(it: &mut Interp, s: &[u8]) -> Vec<u8> {
    match zest_runtime::render::string::check_string(s) {
        Ok(b) => b.to_vec(),
        Err(subst) => {
            let mut msg = Vec::new();
            zest_runtime::render::string::write_embedded_nul_message(&mut msg, s);
            it.error(None, &String::from_utf8_lossy(&msg));
            subst.to_vec()
        }
    }
}

/// `strerror(errno)` of an OS error.
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

fn path(b: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(b))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn file_arg(args: &[Value], i: usize) -> Option<Rc<RefCell<FileVal>>> {
    match args.get(i) {
        Some(Value::File(f)) => Some(f.clone()),
        _ => None,
    }
}

fn str_arg(args: &[Value], i: usize) -> Vec<u8> {
    crate::support::str_arg(args, i).to_vec()
}

/// A type declared in the scripts (`rotate_info`, …).
fn named_type(it: &Interp, name: &str) -> Option<TypeRef> {
    let gid = it.prog.lookup(Symbol::intern(name))?;
    let g = &it.prog.globals[gid as usize];
    if g.kind == GlobalKind::Type {
        g.ty.clone()
    } else {
        None
    }
}

fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `File::Open`'s open time: network time, or the wall clock before there
/// is one.
fn open_time(it: &Interp) -> f64 {
    if it.network_time != 0.0 {
        it.network_time
    } else {
        wall_clock()
    }
}

/// `File::RaiseOpenEvent`: `file_opened(f)`, dispatched at once.
fn raise_open_event(it: &mut Interp, f: &Rc<RefCell<FileVal>>) {
    let Some(gid) = it.prog.lookup(Symbol::intern("file_opened")) else {
        return;
    };
    if it.prog.globals[gid as usize].bodies.is_empty() {
        return;
    }
    it.dispatch(QueuedEvent {
        handler: gid,
        args: vec![Value::File(f.clone())],
        remote: false,
    });
}

/// `new File(name, access)` (`access` "w" or "a"), or the standard stream
/// a name stands for.
fn open_file(it: &mut Interp, name: &[u8], append: bool) -> Value {
    sweep(it);
    let sink = match name {
        b"/dev/stdin" => Some(Sink::Stdin),
        b"/dev/stdout" => Some(Sink::Stdout),
        b"/dev/stderr" => Some(Sink::Stderr),
        _ => None,
    };
    if let Some(sink) = sink {
        return standard_stream(it, name, sink);
    }
    let mut opts = std::fs::OpenOptions::new();
    if append {
        opts.append(true).create(true);
    } else {
        opts.write(true).create(true).truncate(true);
    }
    let f = Rc::new(RefCell::new(FileVal {
        name: text(name),
        handle: None,
        raw: false,
    }));
    match opts.open(path(name)) {
        Ok(h) => {
            let blksize = h.metadata().map_or(0, |m| m.blksize());
            let mut io = Stdio::new(blksize);
            io.setvbuf(true);
            f.borrow_mut().handle = Some(h);
            let ot = open_time(it);
            files(it).open.push(Stream {
                file: f.clone(),
                path: name.to_vec(),
                sink: Sink::Disk,
                io,
                open_time: ot,
                buffered: true,
            });
            raise_open_event(it, &f);
        }
        Err(e) => {
            it.error(
                None,
                &format!("cannot open {}: {}", text(name), strerror(&e)),
            );
        }
    }
    Value::File(f)
}

/// A file on stdin, stdout or stderr: always open, never closed.
fn standard_stream(it: &mut Interp, name: &[u8], sink: Sink) -> Value {
    let f = Rc::new(RefCell::new(FileVal {
        name: text(name),
        handle: None,
        raw: false,
    }));
    files(it).open.push(Stream {
        file: f.clone(),
        path: name.to_vec(),
        sink,
        io: Stdio::new(0),
        open_time: 0.0,
        buffered: true,
    });
    Value::File(f)
}

// ------------------------------------------------------------------ BiFs

/// `file_mode(mode)`: `ls -l`'s permission letters.
pub fn mode_string(mode: u64) -> String {
    let bit = |m: u64, c: char| if mode & m != 0 { c } else { '-' };
    let exec =
        |x: u64, special: u64, on: char, off: char| match (mode & x != 0, mode & special != 0) {
            (false, false) => '-',
            (true, false) => 'x',
            (false, true) => off,
            (true, true) => on,
        };
    let mut s = String::with_capacity(9);
    s.push(bit(0o400, 'r'));
    s.push(bit(0o200, 'w'));
    s.push(exec(0o100, 0o4000, 's', 'S'));
    s.push(bit(0o040, 'r'));
    s.push(bit(0o020, 'w'));
    s.push(exec(0o010, 0o2000, 's', 'S'));
    s.push(bit(0o004, 'r'));
    s.push(bit(0o002, 'w'));
    s.push(exec(0o001, 0o1000, 't', 'T'));
    s
}

fn file_mode(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let mode = args.first().map_or(0, Value::as_count);
    Ok(Value::str(mode_string(mode).as_bytes()))
}

fn open(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = check_string(it, &str_arg(args, 0));
    if name == b"-" {
        sweep(it);
        return Ok(standard_stream(it, b"-", Sink::Stdout));
    }
    Ok(open_file(it, &name, false))
}

fn open_for_append(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = check_string(it, &str_arg(args, 0));
    Ok(open_file(it, &name, true))
}

/// `File::Close`: true for a file already closed, false for the standard
/// streams (which stay open).
fn close(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(args, 0) else {
        return Ok(Value::Bool(false));
    };
    let ok = match position(it, &f) {
        Some(i) => {
            if files(it).open[i].sink == Sink::Disk {
                let mut s = files(it).open.remove(i);
                s.close();
                true
            } else {
                false
            }
        }
        None => {
            f.borrow_mut().handle = None;
            true
        }
    };
    sweep(it);
    Ok(Value::Bool(ok))
}

fn write_file(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(args, 0) else {
        return Ok(Value::Bool(false));
    };
    let data = str_arg(args, 1);
    Ok(Value::Bool(write(it, &f, &data)))
}

/// `File::SetBuf`: a file that is not open keeps its setting.
fn set_buf(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let buffered = args.get(1).is_some_and(Value::as_bool);
    if let Some(f) = file_arg(args, 0) {
        if let Some(i) = position(it, &f) {
            let s = &mut files(it).open[i];
            if s.sink == Sink::Disk {
                s.io.setvbuf(buffered);
            }
            s.buffered = buffered;
        }
    }
    Ok(Value::Bool(true))
}

fn flush_all(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    sweep(it);
    Ok(Value::Bool(flush_all_files(it)))
}

fn mkdir(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = check_string(it, &str_arg(args, 0));
    match std::fs::create_dir(path(&name)) {
        Ok(()) => Ok(Value::Bool(true)),
        Err(e) => {
            if e.kind() == std::io::ErrorKind::AlreadyExists
                && std::fs::metadata(path(&name)).is_ok_and(|m| m.is_dir())
            {
                return Ok(Value::Bool(true));
            }
            let msg = format!(
                "cannot create directory '{}': {}",
                text(&name),
                strerror(&e)
            );
            builtin_error(it, site, &msg, None);
            Ok(Value::Bool(false))
        }
    }
}

fn rmdir(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = check_string(it, &str_arg(args, 0));
    match std::fs::remove_dir(path(&name)) {
        Ok(()) => Ok(Value::Bool(true)),
        Err(e) => {
            let msg = format!(
                "cannot remove directory '{}': {}",
                text(&name),
                strerror(&e)
            );
            builtin_error(it, site, &msg, None);
            Ok(Value::Bool(false))
        }
    }
}

fn unlink(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = check_string(it, &str_arg(args, 0));
    match std::fs::remove_file(path(&name)) {
        Ok(()) => Ok(Value::Bool(true)),
        Err(e) => {
            let msg = format!("cannot unlink file '{}': {}", text(&name), strerror(&e));
            builtin_error(it, site, &msg, None);
            Ok(Value::Bool(false))
        }
    }
}

fn rename(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let src = check_string(it, &str_arg(args, 0));
    let dst = check_string(it, &str_arg(args, 1));
    match std::fs::rename(path(&src), path(&dst)) {
        Ok(()) => Ok(Value::Bool(true)),
        Err(e) => {
            let msg = format!(
                "cannot rename file '{}' to '{}': {}",
                text(&src),
                text(&dst),
                strerror(&e)
            );
            builtin_error(it, site, &msg, None);
            Ok(Value::Bool(false))
        }
    }
}

fn active_file(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(args, 0) else {
        return Ok(Value::Bool(false));
    };
    Ok(Value::Bool(is_open(it, &f)))
}

fn get_file_name(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(f) = file_arg(args, 0) else {
        return Ok(Value::str(b""));
    };
    let name = f.borrow().name.clone();
    Ok(Value::str(name.as_bytes()))
}

/// A `rotate_info` record: old and new name, open and close time.
fn rotate_info(it: &mut Interp, old: &[u8], new: &[u8], open: f64, close: f64) -> Value {
    let Some(ty) = named_type(it, "rotate_info") else {
        return Value::Void;
    };
    let rec = it.default_value(&ty);
    if let Value::Record(r) = &rec {
        let mut rb = r.borrow_mut();
        let vals = [
            Value::str(old),
            Value::str(new),
            Value::Time(open),
            Value::Time(close),
        ];
        for (i, v) in vals.into_iter().enumerate() {
            if let Some(slot) = rb.fields.get_mut(i) {
                *slot = Some(v);
            }
        }
    }
    rec
}

/// The record Zeek returns when a rotation fails.
fn rotate_error(it: &mut Interp) -> Value {
    rotate_info(it, b"", b"", 0.0, 0.0)
}

/// `util::detail::rotate_file`: moves `name` to
/// `<name>.<pid>.<network time>.tmp` and creates a new empty `name`,
/// returned open for writing. `None` after an error message.
fn rotate_path(it: &mut Interp, name: &[u8]) -> Option<(std::fs::File, Vec<u8>)> {
    let mut newname = name.to_vec();
    newname.extend_from_slice(
        format!(".{}.{:.6}.tmp", std::process::id(), it.network_time).as_bytes(),
    );
    let mut tmpname = newname.clone();
    tmpname.extend_from_slice(b".tmp");
    let newf = match std::fs::File::create(path(&tmpname)) {
        Ok(f) => f,
        Err(e) => {
            it.error(
                None,
                &format!(
                    "rotate_file: can't open {}: {}",
                    text(&tmpname),
                    strerror(&e)
                ),
            );
            return None;
        }
    };
    let moved = std::fs::hard_link(path(name), path(&newname))
        .and_then(|()| std::fs::metadata(path(&newname)).map(|_| ()));
    if let Err(e) = moved {
        it.error(
            None,
            &format!(
                "rotate_file: can't move {} to {}: {}",
                text(name),
                text(&newname),
                strerror(&e)
            ),
        );
        drop(newf);
        let _ = std::fs::remove_file(path(&newname));
        let _ = std::fs::remove_file(path(&tmpname));
        return None;
    }
    let replaced = std::fs::remove_file(path(name))
        .and_then(|()| std::fs::hard_link(path(&tmpname), path(name)))
        .and_then(|()| std::fs::remove_file(path(&tmpname)));
    if let Err(e) = replaced {
        it.error(
            None,
            &format!(
                "rotate_file: can't move {} to {}: {}",
                text(&tmpname),
                text(name),
                strerror(&e)
            ),
        );
        // "hard to fix, but shouldn't happen anyway": Zeek exits.
        flush_all_files(it);
        crate::logging::sync_writers(it);
        std::process::exit(1);
    }
    Some((newf, newname))
}

/// `File::Rotate`: the open file moves aside and the value goes on
/// writing to a new file of the same name.
fn rotate_file(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    sweep(it);
    let Some(f) = file_arg(args, 0) else {
        return Ok(rotate_error(it));
    };
    let Some(i) = position(it, &f) else {
        return Ok(rotate_error(it));
    };
    if files(it).open[i].sink != Sink::Disk {
        return Ok(rotate_error(it));
    }
    let name = files(it).open[i].path.clone();
    let Some((newf, newname)) = rotate_path(it, &name) else {
        return Ok(rotate_error(it));
    };
    let nt = it.network_time;
    let old_open = files(it).open[i].open_time;
    let info = rotate_info(it, &name, &newname, old_open, nt);
    // The old stream is closed (its buffer goes to the rotated file), the
    // new one opened with the file's buffering.
    let ot = open_time(it);
    let s = &mut files(it).open[i];
    s.close();
    let blksize = newf.metadata().map_or(0, |m| m.blksize());
    s.io = Stdio::new(blksize);
    s.io.setvbuf(s.buffered);
    s.open_time = ot;
    s.file.borrow_mut().handle = Some(newf);
    raise_open_event(it, &f);
    Ok(info)
}

fn rotate_file_by_name(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    sweep(it);
    let name = check_string(it, &str_arg(args, 0));
    match rotate_path(it, &name) {
        Some((newf, newname)) => {
            drop(newf);
            let nt = it.network_time;
            Ok(rotate_info(it, &name, &newname, nt, nt))
        }
        None => Ok(rotate_error(it)),
    }
}

/// glibc `strptime(s, "%H:%M")`: hours and minutes of up to two digits
/// each (leading white space skipped); what follows is ignored.
pub fn parse_hour_minute(s: &[u8]) -> Option<(u32, u32)> {
    fn number(s: &[u8], i: &mut usize, max: u32) -> Option<u32> {
        while *i < s.len() && matches!(s[*i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            *i += 1;
        }
        if *i >= s.len() || !s[*i].is_ascii_digit() {
            return None;
        }
        let mut v = 0;
        let mut digits = 2;
        loop {
            v = v * 10 + u32::from(s[*i] - b'0');
            *i += 1;
            digits -= 1;
            if digits == 0 || v * 10 > max || *i >= s.len() || !s[*i].is_ascii_digit() {
                break;
            }
        }
        (v <= max).then_some(v)
    }
    let mut i = 0;
    let h = number(s, &mut i, 23)?;
    if s.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let m = number(s, &mut i, 59)?;
    Some((h, m))
}

fn calc_next_rotate(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let interval = args.first().map_or(0.0, Value::as_double);
    let base_time = it
        .prog
        .lookup(Symbol::intern("log_rotate_base_time"))
        .map(|g| it.prog.globals[g as usize].value.as_bytes().to_vec())
        .unwrap_or_default();
    let base_time = check_string(it, &base_time);
    let base = if base_time.is_empty() {
        -1.0
    } else {
        match parse_hour_minute(&base_time) {
            Some((h, m)) => f64::from(m * 60 + h * 3600),
            None => {
                it.error(None, "calc_next_rotate(): can't parse rotation base time");
                -1.0
            }
        }
    };
    let nt = it.network_time;
    Ok(Value::Interval(crate::logging::rotation::calc_next_rotate(
        it, nt, interval, base,
    )))
}

fn file_size(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    sweep(it);
    let name = check_string(it, &str_arg(args, 0));
    Ok(Value::Double(match std::fs::metadata(path(&name)) {
        Ok(m) => m.size() as f64,
        Err(_) => -1.0,
    }))
}

/// `File::EnableRawOutput`; returns no value.
fn enable_raw_output(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    if let Some(f) = file_arg(args, 0) {
        f.borrow_mut().raw = true;
    }
    Err(it.no_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ls -l` permission strings for modes (octal), as coreutils and the
    /// `file_mode` documentation show them.
    #[test]
    fn file_modes() {
        let cases: &[(u64, &str)] = &[
            (0o644, "rw-r--r--"),
            (0o755, "rwxr-xr-x"),
            (0o777, "rwxrwxrwx"),
            (0o000, "---------"),
            (0o4755, "rwsr-xr-x"),
            (0o4644, "rwSr--r--"),
            (0o2755, "rwxr-sr-x"),
            (0o1777, "rwxrwxrwt"),
            (0o1776, "rwxrwxrwT"),
        ];
        for (mode, want) in cases {
            assert_eq!(mode_string(*mode), *want, "{mode:o}");
        }
    }

    /// bifs/create_file: a line-buffered file shows its line at once, a
    /// fully buffered one only after a flush (15 bytes each).
    #[test]
    fn stdio_buffering() {
        let mut out = Vec::new();
        let mut io = Stdio::new(4096);
        io.setvbuf(true);
        io.setvbuf(false);
        assert!(io.write(&mut out, b"This is a test\n"));
        assert_eq!(out.len(), 15);

        let mut out = Vec::new();
        let mut io = Stdio::new(4096);
        io.setvbuf(true);
        io.setvbuf(true);
        assert!(io.write(&mut out, b"This is a test\n"));
        assert_eq!(out.len(), 0);
        assert!(io.flush(&mut out));
        assert_eq!(out.len(), 15);
    }

    /// glibc's block handling: a fully buffered stream writes whole blocks
    /// directly and keeps the rest; a full buffer goes out on the next
    /// write.
    #[test]
    fn stdio_blocks() {
        let mut out = Vec::new();
        let mut io = Stdio::new(4096);
        io.setvbuf(true);
        assert!(io.write(&mut out, &[b'a'; 5000]));
        assert_eq!((out.len(), io.pending().len()), (4096, 904));
        assert!(io.write(&mut out, &[b'b'; 3192]));
        assert_eq!((out.len(), io.pending().len()), (4096, 4096));
        assert!(io.write(&mut out, b"c"));
        assert_eq!((out.len(), io.pending().len()), (8192, 1));
    }

    #[test]
    fn hour_minute() {
        assert_eq!(parse_hour_minute(b"00:00"), Some((0, 0)));
        assert_eq!(parse_hour_minute(b"23:59"), Some((23, 59)));
        assert_eq!(parse_hour_minute(b" 1:5"), Some((1, 5)));
        assert_eq!(parse_hour_minute(b"24:00"), None);
        assert_eq!(parse_hour_minute(b"12"), None);
        // glibc's `get_number` stops before a digit that would exceed the
        // maximum: "60" reads as 6 and the rest is ignored.
        assert_eq!(parse_hour_minute(b"12:60"), Some((12, 6)));
    }
}
