//! The binary reader (`input/readers/binary/Binary.cc`): a file's bytes in
//! chunks of `InputBinary::chunk_size`, as one string field.

use super::backend::{Ctx, Mode, Reader};
use super::value::{Data, Val};
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use zest_runtime::types::Tag;

pub struct Binary {
    chunk_size: usize,
    path_prefix: Vec<u8>,
    fname: Vec<u8>,
    file: Option<File>,
    mtime: i64,
    ino: u64,
    firstrun: bool,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn path(b: &[u8]) -> &std::path::Path {
    std::path::Path::new(std::ffi::OsStr::from_bytes(b))
}

impl Binary {
    pub fn new(chunk_size: u64, path_prefix: Vec<u8>) -> Binary {
        Binary {
            chunk_size: if chunk_size == 0 {
                1024
            } else {
                chunk_size as usize
            },
            path_prefix,
            fname: Vec::new(),
            file: None,
            mtime: 0,
            ino: 0,
            firstrun: true,
        }
    }

    fn open_input(&mut self, ctx: &mut Ctx) -> bool {
        match File::open(path(&self.fname)) {
            Ok(f) => {
                self.file = Some(f);
                true
            }
            Err(_) => {
                ctx.error(&format!("Init: cannot open {}", lossy(&self.fname)));
                false
            }
        }
    }

    fn close_input(&mut self, ctx: &mut Ctx) {
        if self.file.take().is_none() {
            ctx.internal_warning(&format!(
                "Trying to close closed file for stream {}",
                lossy(&self.fname)
            ));
        }
    }

    /// -1 on error, 0 when unchanged, 1 when the file changed.
    fn update_modification_time(&mut self, ctx: &mut Ctx) -> i32 {
        let Ok(md) = std::fs::metadata(path(&self.fname)) else {
            ctx.error(&format!("Could not get stat for {}", lossy(&self.fname)));
            return -1;
        };
        if md.ino() == self.ino && md.mtime() == self.mtime {
            return 0;
        }
        self.mtime = md.mtime();
        self.ino = md.ino();
        1
    }

    fn get_chunk(&mut self) -> Option<Vec<u8>> {
        let f = self.file.as_mut()?;
        let mut chunk = vec![0u8; self.chunk_size];
        let mut got = 0;
        while got < chunk.len() {
            match f.read(&mut chunk[got..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        if got == 0 {
            return None;
        }
        chunk.truncate(got);
        Some(chunk)
    }
}

impl Reader for Binary {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool {
        self.file = None;
        self.mtime = 0;
        self.ino = 0;
        self.firstrun = true;
        if ctx.info.source.is_empty() {
            ctx.error("No source path provided");
            return false;
        }
        if ctx.fields.len() != 1 {
            ctx.error("Filter for binary reader contains more than one field. Filters for binary reader must contain exactly one string field. Filter ignored.");
            return false;
        }
        if ctx.fields[0].ty != Tag::String {
            ctx.error("Filter for binary reader contains a non-string field.");
            return false;
        }
        self.fname = ctx.info.source.clone();
        if self.fname.first() != Some(&b'/') && !self.path_prefix.is_empty() {
            let p = &self.path_prefix;
            let mut prefix = match p.iter().rposition(|&c| c != b'/') {
                None => b"/".to_vec(),
                Some(last) => p[..=last].to_vec(),
            };
            prefix.push(b'/');
            prefix.extend_from_slice(&self.fname);
            self.fname = prefix;
        }
        if !self.open_input(ctx) {
            return false;
        }
        if self.update_modification_time(ctx) == -1 {
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
            if mode == Mode::Reread {
                match self.update_modification_time(ctx) {
                    -1 => return false,
                    0 => return true,
                    _ => {}
                }
            }
            if !(mode == Mode::Stream && self.file.is_some()) {
                self.close_input(ctx);
                if !self.open_input(ctx) {
                    return false;
                }
            }
        }
        while let Some(chunk) = self.get_chunk() {
            let vals = vec![Val::new(Tag::String, Data::Bytes(chunk))];
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
    }
}
