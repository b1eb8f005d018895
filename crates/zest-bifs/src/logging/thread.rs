//! `WriterFrontend` and the writer threads (Zeek's `MsgThread` model).
//!
//! A [`Frontend`] is the interpreter's handle of one writer. Its backend
//! runs on a thread of its own: the frontend collects rows into batches
//! (`WriterFrontend::WRITER_BUFFER_SIZE`) and sends them, and every other
//! operation, over a bounded queue. When the queue is full the interpreter
//! waits for the writer to catch up (backpressure: no row is dropped, and
//! the rows in flight stay bounded). The thread answers with
//! [`BackendMsg`]s over a channel of its own, which the frontend collects
//! whenever it is used or polled ([`Frontend::heartbeat`]) and once the
//! thread has ended ([`Frontend::join`]).
//!
//! Every operation is stamped with a number from one process-wide
//! sequence as the interpreter issues it, and so is every message it
//! causes; ordering messages by that number gives the order in which a
//! synchronous writer would have produced them, whatever the threads'
//! timing.
//!
//! A writer whose output is the process's standard output
//! ([`Writer::shares_stdout`]) runs on the interpreter's thread instead:
//! its lines must keep their place among the script's `print`s.
//!
//! The thread writes buffered output out whenever its queue runs empty
//! ([`Writer::idle`]), which plays the part of Zeek's heartbeat flush.
//!
//! Upstream: `src/logging/WriterFrontend.cc`, `src/threading/MsgThread.cc`.

use super::value::{LogField, LogValue};
use super::writer::{Backend, BackendMsg, Outbox};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Messages with the sequence number of the operation that caused them.
pub type Replies = Vec<(u64, BackendMsg)>;

/// `WriterFrontend::WRITER_BUFFER_SIZE`: rows per batch.
pub const BATCH_ROWS: usize = 1000;

/// Batches (or other operations) the queue to a writer thread holds.
pub const QUEUE_LEN: usize = 16;

static SEQ: AtomicU64 = AtomicU64::new(1);

/// The next number of the process-wide operation sequence.
pub fn next_seq() -> u64 {
    SEQ.fetch_add(1, Ordering::Relaxed)
}

fn stamp(seq: u64, msgs: Outbox, out: &mut Replies) {
    out.extend(msgs.into_iter().map(|m| (seq, m)));
}

enum Cmd {
    Init(Vec<LogField>),
    Write(Vec<(u64, Vec<LogValue>)>),
    SetBuf(bool),
    Flush(f64),
    Rotate {
        path: Vec<u8>,
        open: f64,
        close: f64,
        terminating: bool,
    },
    Finish(f64),
    /// Write out what is buffered, then answer.
    Sync(Sender<()>),
}

/// The interpreter's end of a writer thread.
struct Thread {
    /// `None` once the thread was told to finish.
    tx: Option<SyncSender<(u64, Cmd)>>,
    rx: Receiver<(u64, BackendMsg)>,
    handle: Option<JoinHandle<()>>,
    batch: Vec<(u64, Vec<LogValue>)>,
    batch_rows: usize,
    /// Rows sent to the thread and not yet written.
    queued: Arc<AtomicUsize>,
}

impl Thread {
    fn spawn(name: &str, backend: Backend, queue_len: usize, batch_rows: usize) -> Option<Thread> {
        let (tx, cmd_rx) = mpsc::sync_channel(queue_len.max(1));
        let (reply_tx, rx) = mpsc::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let q = queued.clone();
        let handle = std::thread::Builder::new()
            .name(format!("zeek/{name}"))
            .spawn(move || run(backend, &cmd_rx, &reply_tx, &q))
            .ok()?;
        Some(Thread {
            tx: Some(tx),
            rx,
            handle: Some(handle),
            batch: Vec::new(),
            batch_rows: batch_rows.max(1),
            queued,
        })
    }

    /// Queues an operation; waits while the queue is full.
    fn send(&mut self, seq: u64, cmd: Cmd) {
        if let Some(tx) = &self.tx {
            // The thread only ends early by panicking; its rows are lost then.
            let _ = tx.send((seq, cmd));
        }
    }

    fn flush_batch(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let rows = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_rows));
        self.queued.fetch_add(rows.len(), Ordering::Relaxed);
        let seq = rows.last().map_or(0, |r| r.0);
        self.send(seq, Cmd::Write(rows));
    }

    /// Collects the messages that arrived. True once the thread has ended
    /// and everything it sent is collected.
    fn poll(&mut self, out: &mut Replies) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(m) => out.push(m),
                Err(TryRecvError::Empty) => return false,
                Err(TryRecvError::Disconnected) => return true,
            }
        }
    }

    /// Waits for the thread to end (it must have been told to finish) and
    /// collects everything it sent.
    fn join(&mut self, out: &mut Replies) {
        self.flush_batch();
        self.tx = None;
        while let Ok(m) = self.rx.recv() {
            out.push(m);
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The writer thread's loop (`MsgThread::Run`): runs the operations in
/// order, sends back what they report, and lets the writer write out its
/// buffers whenever nothing is queued.
fn run(
    mut backend: Backend,
    rx: &Receiver<(u64, Cmd)>,
    tx: &Sender<(u64, BackendMsg)>,
    queued: &AtomicUsize,
) {
    let mut out = Outbox::new();
    let mut last_seq = 0;
    loop {
        let (seq, cmd) = match rx.try_recv() {
            Ok(m) => m,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                backend.idle(&mut out);
                send_all(tx, last_seq, &mut out);
                match rx.recv() {
                    Ok(m) => m,
                    Err(_) => break,
                }
            }
        };
        last_seq = seq;
        let mut finish = false;
        match cmd {
            Cmd::Init(fields) => {
                backend.init(fields, &mut out);
            }
            Cmd::Write(rows) => {
                let n = rows.len();
                for (s, row) in rows {
                    backend.write(std::slice::from_ref(&row), &mut out);
                    send_all(tx, s, &mut out);
                }
                queued.fetch_sub(n, Ordering::Relaxed);
            }
            Cmd::SetBuf(enabled) => {
                backend.set_buf(enabled, &mut out);
            }
            Cmd::Flush(nt) => {
                backend.flush(nt, &mut out);
            }
            Cmd::Rotate {
                path,
                open,
                close,
                terminating,
            } => {
                backend.rotate(&path, open, close, terminating, &mut out);
            }
            Cmd::Finish(nt) => {
                backend.finish(nt, &mut out);
                finish = true;
            }
            Cmd::Sync(ack) => {
                backend.idle(&mut out);
                let _ = ack.send(());
            }
        }
        send_all(tx, seq, &mut out);
        if finish {
            break;
        }
    }
    // Dropping the backend closes what a failed writer left open.
    drop(backend);
}

fn send_all(tx: &Sender<(u64, BackendMsg)>, seq: u64, out: &mut Outbox) {
    for m in out.drain(..) {
        let _ = tx.send((seq, m));
    }
}

enum Exec {
    /// No local backend (not logging locally, or an unknown writer).
    None,
    /// On the interpreter's thread.
    Inline(Backend),
    Thread(Thread),
}

/// `WriterFrontend`: the manager's handle of one writer.
pub struct Frontend {
    /// `path/Log::WRITER_X`, the prefix of the writer's messages.
    pub name: String,
    pub disabled: bool,
    buf: bool,
    initialized: bool,
    pub fields: Vec<LogField>,
    exec: Exec,
}

impl Frontend {
    /// The frontend of `backend`, which gets a thread of its own unless
    /// its output is standard output.
    pub fn new(name: String, backend: Option<Backend>) -> Frontend {
        Frontend::with_queue(name, backend, QUEUE_LEN, BATCH_ROWS)
    }

    /// [`Frontend::new`] with a given queue length (in operations) and
    /// batch size (in rows).
    pub fn with_queue(
        name: String,
        backend: Option<Backend>,
        queue_len: usize,
        batch_rows: usize,
    ) -> Frontend {
        let exec = match backend {
            None => Exec::None,
            Some(b) if b.shares_stdout() => Exec::Inline(b),
            Some(b) => match Thread::spawn(&name, b, queue_len, batch_rows) {
                Some(t) => Exec::Thread(t),
                None => Exec::None,
            },
        };
        Frontend {
            name,
            disabled: false,
            buf: true,
            initialized: false,
            fields: Vec::new(),
            exec,
        }
    }

    /// Whether the backend runs on a thread of its own.
    pub fn threaded(&self) -> bool {
        matches!(self.exec, Exec::Thread(_))
    }

    /// Rows handed to the writer thread and not yet written, plus those
    /// waiting in the current batch.
    pub fn queued_rows(&self) -> usize {
        match &self.exec {
            Exec::Thread(t) => t.queued.load(Ordering::Relaxed) + t.batch.len(),
            _ => 0,
        }
    }

    /// Runs `f` on an inline backend with a fresh sequence number.
    fn inline(&mut self, out: &mut Replies, f: impl FnOnce(&mut Backend, &mut Outbox)) {
        if let Exec::Inline(b) = &mut self.exec {
            let mut msgs = Outbox::new();
            f(b, &mut msgs);
            b.idle(&mut msgs);
            stamp(next_seq(), msgs, out);
        }
    }

    pub fn init(&mut self, fields: Vec<LogField>, out: &mut Replies) {
        if self.disabled {
            return;
        }
        self.fields.clone_from(&fields);
        self.initialized = true;
        match &mut self.exec {
            Exec::None => {}
            Exec::Inline(_) => self.inline(out, |b, o| {
                b.init(fields, o);
            }),
            Exec::Thread(t) => t.send(next_seq(), Cmd::Init(fields)),
        }
    }

    /// Writes one row. Returns a warning for a row of the wrong width.
    pub fn write(&mut self, vals: Vec<LogValue>, out: &mut Replies) {
        if self.disabled {
            return;
        }
        if vals.len() != self.fields.len() {
            out.push((
                next_seq(),
                BackendMsg::PlainWarning(format!(
                    "WriterFrontend {} expected {} fields in write, got {}. Skipping line.",
                    self.name,
                    self.fields.len(),
                    vals.len()
                )),
            ));
            return;
        }
        let buf = self.buf;
        match &mut self.exec {
            Exec::None => {}
            Exec::Inline(_) => self.inline(out, |b, o| {
                b.write(std::slice::from_ref(&vals), o);
            }),
            Exec::Thread(t) => {
                t.batch.push((next_seq(), vals));
                if t.batch.len() >= t.batch_rows || !buf {
                    t.flush_batch();
                    t.poll(out);
                }
            }
        }
    }

    pub fn set_buf(&mut self, enabled: bool, out: &mut Replies) {
        if self.disabled {
            return;
        }
        self.buf = enabled;
        match &mut self.exec {
            Exec::None => {}
            Exec::Inline(_) => self.inline(out, |b, o| {
                b.set_buf(enabled, o);
            }),
            Exec::Thread(t) => {
                t.flush_batch();
                t.send(next_seq(), Cmd::SetBuf(enabled));
                t.poll(out);
            }
        }
    }

    pub fn flush(&mut self, network_time: f64, out: &mut Replies) {
        if self.disabled {
            return;
        }
        match &mut self.exec {
            Exec::None => {}
            Exec::Inline(_) => self.inline(out, |b, o| {
                b.flush(network_time, o);
            }),
            Exec::Thread(t) => {
                t.flush_batch();
                t.send(next_seq(), Cmd::Flush(network_time));
                t.poll(out);
            }
        }
    }

    /// Returns false when there is no backend to rotate (the manager then
    /// finishes the rotation as unsuccessful itself).
    pub fn rotate(
        &mut self,
        rotated_path: &[u8],
        open: f64,
        close: f64,
        terminating: bool,
        out: &mut Replies,
    ) -> bool {
        if self.disabled {
            return true;
        }
        match &mut self.exec {
            Exec::None => return false,
            Exec::Inline(_) => self.inline(out, |b, o| {
                b.rotate(rotated_path, open, close, terminating, o);
            }),
            Exec::Thread(t) => {
                t.flush_batch();
                t.send(
                    next_seq(),
                    Cmd::Rotate {
                        path: rotated_path.to_vec(),
                        open,
                        close,
                        terminating,
                    },
                );
                t.poll(out);
            }
        }
        true
    }

    /// Sends the rows batched so far to the thread and collects the
    /// messages that arrived (Zeek's heartbeat: `FlushWriteBuffer`).
    pub fn heartbeat(&mut self, out: &mut Replies) {
        if let Exec::Thread(t) = &mut self.exec {
            if !self.disabled {
                t.flush_batch();
            }
            t.poll(out);
        }
    }

    /// `Stop()`: disables the frontend and tells the backend to finish.
    /// A threaded backend finishes on its own time; [`Frontend::join`]
    /// waits for it, [`Frontend::poll_stopped`] checks on it.
    pub fn stop(&mut self, network_time: f64, out: &mut Replies) {
        let was_disabled = self.disabled;
        self.disabled = true;
        match std::mem::replace(&mut self.exec, Exec::None) {
            Exec::None => {}
            Exec::Inline(mut b) => {
                let mut msgs = Outbox::new();
                b.finish(network_time, &mut msgs);
                stamp(next_seq(), msgs, out);
            }
            Exec::Thread(mut t) => {
                if !was_disabled {
                    t.flush_batch();
                }
                t.send(next_seq(), Cmd::Finish(network_time));
                t.tx = None;
                t.poll(out);
                self.exec = Exec::Thread(t);
            }
        }
    }

    /// Waits until the thread has written out every row it was given
    /// (without finishing it), for a process that ends without shutting
    /// its logs down (`exit()`, a fatal error). A stopped writer's thread
    /// is waited for.
    pub fn sync(&mut self, out: &mut Replies) {
        if let Exec::Thread(t) = &mut self.exec {
            if t.tx.is_none() {
                t.join(out);
                self.exec = Exec::None;
                return;
            }
            t.flush_batch();
            let (ack_tx, ack_rx) = mpsc::channel();
            t.send(next_seq(), Cmd::Sync(ack_tx));
            let _ = ack_rx.recv();
            t.poll(out);
        }
    }

    /// Lets the thread write out every row it was given and leaves it
    /// waiting, never finished, until the process ends: what the writer
    /// reports is dropped.
    pub fn abandon(&mut self) {
        let mut ignored = Replies::new();
        self.sync(&mut ignored);
        self.disabled = true;
        match std::mem::replace(&mut self.exec, Exec::None) {
            Exec::None => {}
            // Dropping either would finish the output (its `#close`).
            Exec::Inline(b) => std::mem::forget(b),
            Exec::Thread(t) => std::mem::forget(t),
        }
    }

    /// After [`Frontend::stop`]: collects what the thread sent; true once
    /// it has ended.
    pub fn poll_stopped(&mut self, out: &mut Replies) -> bool {
        match &mut self.exec {
            Exec::Thread(t) => {
                if t.poll(out) {
                    t.join(out);
                    self.exec = Exec::None;
                    true
                } else {
                    false
                }
            }
            _ => true,
        }
    }

    /// After [`Frontend::stop`]: waits for the thread to end and collects
    /// everything it sent.
    pub fn join(&mut self, out: &mut Replies) {
        if let Exec::Thread(t) = &mut self.exec {
            t.join(out);
        }
        self.exec = Exec::None;
    }
}

impl Drop for Frontend {
    /// A frontend dropped without being stopped still lets its thread
    /// finish the rows it was given.
    fn drop(&mut self) {
        if let Exec::Thread(t) = &mut self.exec {
            if t.tx.is_some() {
                t.flush_batch();
                t.send(next_seq(), Cmd::Finish(0.0));
            }
            let mut ignored = Replies::new();
            t.join(&mut ignored);
        }
    }
}
