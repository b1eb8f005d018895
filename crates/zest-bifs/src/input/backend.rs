//! The reader side of a stream (`ReaderBackend` on its `MsgThread`).
//!
//! Zeek runs each reader in a thread that takes messages from the main
//! thread (init, update, heartbeat, finish) and sends messages back (rows,
//! end of data, errors, events). Here the reader runs synchronously when
//! the manager hands it its pending messages, and what it sends back is
//! collected in order in [`Ctx::out`], for the manager to process as
//! Zeek's main thread does.

use super::value::{Field, Val};
use std::collections::VecDeque;

/// `ReaderMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Manual,
    Reread,
    Stream,
}

/// `ReaderBackend::ReaderInfo`.
#[derive(Clone, Debug)]
pub struct ReaderInfo {
    pub source: Vec<u8>,
    pub name: String,
    pub mode: Mode,
    /// The per-stream configuration, sorted by key (a `std::map`).
    pub config: Vec<(Vec<u8>, Vec<u8>)>,
}

impl ReaderInfo {
    pub fn config(&self, key: &str) -> Option<&[u8]> {
        self.config
            .iter()
            .find(|(k, _)| k.as_slice() == key.as_bytes())
            .map(|(_, v)| v.as_slice())
    }

    pub fn source_str(&self) -> String {
        String::from_utf8_lossy(&self.source).into_owned()
    }
}

/// Severity of a reader's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
    InternalWarning,
}

/// What a reader sends to the main thread.
#[derive(Debug)]
pub enum Msg {
    Put(Vec<Val>),
    Delete(Vec<Val>),
    Clear,
    SendEntry(Vec<Val>),
    EndCurrentSend,
    EndOfData,
    /// For the stream's error event (`ReaderErrorMessage`).
    ReaderError(Level, String),
    /// For the reporter, with the thread's name in front (`ReporterMessage`).
    Reporter(Level, String),
    /// An event the reader raises itself (`SendEvent`).
    Event(String, Vec<Val>),
    /// The reader failed: the stream is removed (`DisableMessage`).
    Disable,
    /// The reader finished (`ReaderClosedMessage`).
    Closed,
    /// The thread failed and asks to be killed (`KillMeMessage`).
    KillMe,
}

/// A reader's location while it reads (`GetLocationInfo`): file and line.
#[derive(Clone, Debug, Default)]
pub struct Location {
    pub filename: String,
    pub line: i32,
}

/// The state every reader shares (`ReaderBackend`, `MsgThread`).
pub struct Ctx {
    pub info: ReaderInfo,
    pub fields: Vec<Field>,
    pub disabled: bool,
    pub failed: bool,
    pub suppress_warnings: bool,
    pub location: Option<Location>,
    pub out: Vec<Msg>,
}

impl Ctx {
    pub fn new(info: ReaderInfo) -> Ctx {
        Ctx {
            info,
            fields: Vec::new(),
            disabled: true,
            failed: false,
            suppress_warnings: false,
            location: None,
            out: Vec::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.info.mode
    }

    /// `MsgThread::BuildMsgWithLocation`.
    fn with_location(&self, msg: &str) -> String {
        match &self.location {
            Some(l) if l.line == 0 => format!("{}: {msg}", l.filename),
            Some(l) => format!("{}, line {}: {msg}", l.filename, l.line),
            None => msg.to_owned(),
        }
    }

    pub fn info(&mut self, msg: &str) {
        self.out.push(Msg::ReaderError(Level::Info, msg.to_owned()));
        let m = self.with_location(msg);
        self.out.push(Msg::Reporter(Level::Info, m));
    }

    pub fn warning(&mut self, msg: &str) {
        if self.suppress_warnings {
            return;
        }
        self.out
            .push(Msg::ReaderError(Level::Warning, msg.to_owned()));
        let m = self.with_location(msg);
        self.out.push(Msg::Reporter(Level::Warning, m));
    }

    /// An error is fatal for the reader: the stream is removed.
    pub fn error(&mut self, msg: &str) {
        self.out
            .push(Msg::ReaderError(Level::Error, msg.to_owned()));
        let m = self.with_location(msg);
        self.out.push(Msg::Reporter(Level::Error, m));
        self.disable_frontend();
    }

    pub fn internal_warning(&mut self, msg: &str) {
        let m = self.with_location(msg);
        self.out.push(Msg::Reporter(Level::InternalWarning, m));
    }

    /// `ReaderBackend::FailWarn`.
    pub fn fail_warn(&mut self, is_error: bool, msg: &str, suppress_future: bool) {
        if is_error {
            self.error(msg);
        } else {
            if !self.suppress_warnings {
                self.warning(msg);
            }
            if suppress_future {
                self.suppress_warnings = true;
            }
        }
    }

    pub fn stop_warning_suppression(&mut self) {
        self.suppress_warnings = false;
    }

    pub fn disable_frontend(&mut self) {
        if self.disabled {
            return;
        }
        self.disabled = true;
        self.out.push(Msg::Disable);
    }

    pub fn put(&mut self, vals: Vec<Val>) {
        self.out.push(Msg::Put(vals));
    }

    pub fn delete(&mut self, vals: Vec<Val>) {
        self.out.push(Msg::Delete(vals));
    }

    pub fn clear(&mut self) {
        self.out.push(Msg::Clear);
    }

    pub fn send_entry(&mut self, vals: Vec<Val>) {
        self.out.push(Msg::SendEntry(vals));
    }

    pub fn end_current_send(&mut self) {
        self.out.push(Msg::EndCurrentSend);
    }

    pub fn end_of_data(&mut self) {
        self.out.push(Msg::EndOfData);
    }

    pub fn send_event(&mut self, name: &str, vals: Vec<Val>) {
        self.out.push(Msg::Event(name.to_owned(), vals));
    }
}

/// A reader (`ReaderBackend`'s virtual methods).
pub trait Reader {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool;
    fn do_update(&mut self, ctx: &mut Ctx) -> bool;
    fn do_heartbeat(&mut self, ctx: &mut Ctx, network_time: f64, current_time: f64) -> bool;
    fn do_close(&mut self, ctx: &mut Ctx);

    /// `ReaderBackend::Update`: updates unless disabled; a failed update
    /// disables the reader.
    fn update(&mut self, ctx: &mut Ctx) -> bool {
        if ctx.disabled {
            return false;
        }
        if ctx.failed {
            return true;
        }
        if !self.do_update(ctx) {
            ctx.disable_frontend();
        }
        !ctx.disabled
    }
}

/// A message from the main thread to a reader.
#[derive(Debug)]
pub enum InMsg {
    Init,
    Update,
    Heartbeat(f64, f64),
    Finish,
}

/// A reader with its thread state (`MsgThread`).
pub struct Backend {
    pub reader: Box<dyn Reader>,
    pub ctx: Ctx,
    pub inbox: VecDeque<InMsg>,
    /// The finish message was sent (`child_sent_finish`).
    pub sent_finish: bool,
    /// The thread finished (`child_finished`).
    pub finished: bool,
    pub killed: bool,
}

impl Backend {
    pub fn new(reader: Box<dyn Reader>, ctx: Ctx) -> Backend {
        Backend {
            reader,
            ctx,
            inbox: VecDeque::new(),
            sent_finish: false,
            finished: false,
            killed: false,
        }
    }

    /// `MsgThread::SignalStop`: asks the thread to finish.
    pub fn signal_stop(&mut self) {
        if self.finished || self.killed || self.sent_finish {
            return;
        }
        self.sent_finish = true;
        self.inbox.push_back(InMsg::Finish);
    }

    /// `MsgThread::Heartbeat`.
    pub fn heartbeat(&mut self, network_time: f64, current_time: f64) {
        if self.sent_finish || self.finished || self.killed {
            return;
        }
        self.inbox
            .push_back(InMsg::Heartbeat(network_time, current_time));
    }

    pub fn is_idle(&self) -> bool {
        self.inbox.is_empty() || self.finished || self.killed
    }

    /// `MsgThread::Run`: processes the pending messages; returns what the
    /// reader sent back.
    pub fn run(&mut self) -> Vec<Msg> {
        while !(self.finished || self.killed) {
            let Some(m) = self.inbox.pop_front() else {
                break;
            };
            let ok = match m {
                InMsg::Init => self.init(),
                InMsg::Update => self.reader.update(&mut self.ctx),
                InMsg::Heartbeat(nt, ct) => {
                    self.ctx.failed || self.reader.do_heartbeat(&mut self.ctx, nt, ct)
                }
                InMsg::Finish => {
                    self.on_finish();
                    self.finished = true;
                    true
                }
            };
            if !ok {
                self.ctx.error("terminating thread");
                self.ctx.out.push(Msg::KillMe);
                self.ctx.failed = true;
            }
        }
        std::mem::take(&mut self.ctx.out)
    }

    /// `ReaderBackend::Init`.
    fn init(&mut self) -> bool {
        if self.ctx.failed {
            return true;
        }
        self.ctx.disabled = false;
        let ok = self.reader.do_init(&mut self.ctx);
        if !ok {
            self.ctx.error("Init failed");
            self.ctx.disable_frontend();
        }
        ok
    }

    /// `ReaderBackend::OnFinish`.
    fn on_finish(&mut self) {
        if !self.ctx.failed {
            self.reader.do_close(&mut self.ctx);
        }
        self.ctx.disabled = true;
        self.ctx.out.push(Msg::Closed);
    }
}
