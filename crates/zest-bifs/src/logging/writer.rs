//! The writer interface: a [`Writer`] is the output-specific part of a log
//! writer (Zeek's `WriterBackend` subclasses: ASCII, None), [`Backend`] is
//! the generic part of `WriterBackend` around it (argument checks, the
//! failed state, buffering), and [`Frontend`] is `WriterFrontend`, the
//! interpreter-side handle the log manager keeps per (writer, path).
//!
//! Everything a backend needs travels as owned data ([`WriterInfo`],
//! [`LogField`], [`LogValue`]) and everything it reports comes back as
//! [`BackendMsg`]s, which the frontend hands to the interpreter (reporter,
//! stdout). Each backend runs on a thread of its own behind a bounded
//! queue (Zeek's `MsgThread`; see [`super::thread`]), with its messages
//! travelling back over a channel; a writer whose output is the process's
//! standard output runs on the interpreter's thread instead, so that its
//! lines keep their order with `print`'s.
//!
//! Upstream: `src/logging/WriterBackend.{h,cc}`,
//! `src/logging/WriterFrontend.{h,cc}`, `src/threading/MsgThread.cc`.

use super::value::{LogField, LogValue};
use std::collections::BTreeMap;

/// `WriterBackend::WriterInfo`: what a writer is told about its output.
#[derive(Clone, Debug, Default)]
pub struct WriterInfo {
    pub path: Vec<u8>,
    /// Seconds after midnight of `log_rotate_base_time`, or -1.
    pub rotation_base: f64,
    pub rotation_interval: f64,
    pub network_time: f64,
    /// The filter's `config` table, sorted by key (a `std::map`).
    pub config: BTreeMap<Vec<u8>, Vec<u8>>,
    pub post_proc_func: Option<String>,
}

/// What a backend reports back to the interpreter.
#[derive(Debug, PartialEq)]
pub enum BackendMsg {
    /// Text the writer writes to the process's standard output through
    /// C++ `std::cout` (shared with script `print`).
    Stdout(Vec<u8>),
    Info(String),
    Warning(String),
    Error(String),
    /// A warning the writer reports through the global reporter itself,
    /// without its name in front.
    PlainWarning(String),
    /// `DisableMessage`: the frontend stops accepting writes.
    Disable,
    /// `RotationFinishedMessage`.
    RotationFinished {
        new_name: Option<Vec<u8>>,
        old_name: Option<Vec<u8>>,
        open: f64,
        close: f64,
        success: bool,
        terminating: bool,
    },
}

/// Messages produced by one backend operation.
pub type Outbox = Vec<BackendMsg>;

/// A rotation of a writer that renames nothing (None, SQLite): it
/// finishes with `/dev/null` as the rotated file, as Zeek's do.
pub fn rotated_to_dev_null(
    info: &WriterInfo,
    open: f64,
    close: f64,
    terminating: bool,
    out: &mut Outbox,
) {
    out.push(BackendMsg::RotationFinished {
        new_name: Some(b"/dev/null".to_vec()),
        old_name: Some(info.path.clone()),
        open,
        close,
        success: true,
        terminating,
    });
}

/// The output-specific part of a writer (`DoInit`, `DoWrite`, …). Each
/// returns false on failure, after putting its error into `out`.
pub trait Writer: Send {
    fn init(&mut self, info: &WriterInfo, fields: &[LogField], out: &mut Outbox) -> bool;
    fn write(
        &mut self,
        info: &WriterInfo,
        fields: &[LogField],
        vals: &[LogValue],
        buffered: bool,
        out: &mut Outbox,
    ) -> bool;
    fn set_buf(&mut self, enabled: bool, out: &mut Outbox) -> bool;
    fn flush(&mut self, network_time: f64, out: &mut Outbox) -> bool;
    /// Renames the current output to `rotated_path` (plus the writer's own
    /// extension) and reports [`BackendMsg::RotationFinished`] exactly once.
    fn rotate(
        &mut self,
        info: &WriterInfo,
        rotated_path: &[u8],
        open: f64,
        close: f64,
        terminating: bool,
        out: &mut Outbox,
    ) -> bool;
    fn finish(&mut self, network_time: f64, out: &mut Outbox) -> bool;
    /// Called when no more work is queued: a writer that buffers its
    /// output writes it out now, so that what it was given becomes
    /// visible while the process runs.
    fn idle(&mut self, _out: &mut Outbox) -> bool {
        true
    }
    /// Whether the output is the process's standard output (shared with
    /// `print`): such a writer runs on the interpreter's thread.
    fn shares_stdout(&self) -> bool {
        false
    }
}

/// The generic part of `WriterBackend`.
pub struct Backend {
    writer: Box<dyn Writer>,
    info: WriterInfo,
    fields: Vec<LogField>,
    buffering: bool,
    /// `MsgThread::Failed()`: an operation failed; later ones do nothing.
    failed: bool,
    finished: bool,
}

impl Backend {
    pub fn new(writer: Box<dyn Writer>, info: WriterInfo) -> Backend {
        Backend {
            writer,
            info,
            fields: Vec::new(),
            buffering: true,
            failed: false,
            finished: false,
        }
    }

    /// An operation failed: the frontend stops taking writes, and the
    /// thread reports that it ends (`MsgThread::Run`); it never finishes
    /// normally, so only dropping the writer closes its output.
    fn fail(&mut self, out: &mut Outbox) -> bool {
        self.failed = true;
        out.push(BackendMsg::Disable);
        out.push(BackendMsg::Error("terminating thread".to_owned()));
        false
    }

    pub fn init(&mut self, fields: Vec<LogField>, out: &mut Outbox) -> bool {
        self.fields = fields;
        if self.failed {
            return true;
        }
        if !self.writer.init(&self.info, &self.fields, out) {
            return self.fail(out);
        }
        true
    }

    pub fn shares_stdout(&self) -> bool {
        self.writer.shares_stdout()
    }

    pub fn idle(&mut self, out: &mut Outbox) -> bool {
        if self.failed || self.finished {
            return true;
        }
        if !self.writer.idle(out) {
            return self.fail(out);
        }
        true
    }

    pub fn write(&mut self, rows: &[Vec<LogValue>], out: &mut Outbox) -> bool {
        for row in rows {
            if row.len() != self.fields.len()
                || row.iter().zip(&self.fields).any(|(v, f)| v.ty != f.ty)
            {
                return self.fail(out);
            }
        }
        if self.failed {
            return true;
        }
        for row in rows {
            if !self
                .writer
                .write(&self.info, &self.fields, row, self.buffering, out)
            {
                return self.fail(out);
            }
        }
        true
    }

    pub fn set_buf(&mut self, enabled: bool, out: &mut Outbox) -> bool {
        if enabled == self.buffering || self.failed {
            return true;
        }
        self.buffering = enabled;
        if !self.writer.set_buf(enabled, out) {
            return self.fail(out);
        }
        true
    }

    pub fn flush(&mut self, network_time: f64, out: &mut Outbox) -> bool {
        if self.failed {
            return true;
        }
        if !self.writer.flush(network_time, out) {
            return self.fail(out);
        }
        true
    }

    pub fn rotate(
        &mut self,
        rotated_path: &[u8],
        open: f64,
        close: f64,
        terminating: bool,
        out: &mut Outbox,
    ) -> bool {
        if self.failed {
            return true;
        }
        if !self
            .writer
            .rotate(&self.info, rotated_path, open, close, terminating, out)
        {
            return self.fail(out);
        }
        true
    }

    /// `OnFinish`: the thread's last operation.
    pub fn finish(&mut self, network_time: f64, out: &mut Outbox) -> bool {
        if self.failed || self.finished {
            return true;
        }
        self.finished = true;
        self.writer.finish(network_time, out)
    }
}

pub use super::thread::{Frontend, Replies};
