//! A native Broker endpoint: listening, peering (handshake §3.4),
//! subscriptions, publishing and forwarding (§3.6–§3.9), on a tokio
//! runtime in a thread of its own.
//!
//! The owner talks to it only through queues: commands go in through an
//! unbounded queue (sending never blocks the owner; the frames of
//! publications are encoded by the owner straight into one buffer the core
//! takes as a whole), and received data, statuses and errors come out
//! through a bounded queue the owner polls with [`Endpoint::try_recv`],
//! taking what waits there in one go. Data messages cross it still
//! encoded and are decoded by `try_recv`, so their values are allocated
//! and freed on the owner's thread. Each side wakes the other only when a
//! queue goes from empty to non-empty. Frames from a peer are read in large
//! chunks and handled in place; those for a peer are appended to one
//! buffer its writer takes as a whole.
//!
//! Overflow policy:
//! - Inbound (to the owner): at most [`Config::inbound_capacity`] items wait
//!   in the queue to the owner (plus the batch the owner took last). When
//!   it is full the core stops taking frames from peers, whose reader tasks
//!   then stop reading their sockets, so TCP pushes back on the senders.
//!   Nothing is dropped and no thread blocks.
//! - Outbound (to one peer): frames wait for a peer's socket in one
//!   buffer, plus the batch being written (what waited when the writer
//!   last took the buffer; it goes out in as few system calls, and TLS
//!   records, as the socket takes). A peer is disconnected (reported as
//!   `peer_lost`, and retried like any lost peering) when more than
//!   [`Config::peer_buffer`] frames wait while its socket has taken
//!   nothing for [`STALL_TIMEOUT`] (a peer that stopped reading), or when
//!   [`HARD_LIMIT_FACTOR`] times that many wait whatever it does. So a
//!   peer that stops reading never stalls the core or the other peers and
//!   never makes memory grow without bound, while a burst the owner
//!   publishes at once (a script putting thousands of keys into a store in
//!   one event) reaches a peer that keeps reading. This is the
//!   `disconnect` overflow policy of later Broker versions
//!   (`broker.peer-buffer-capacity` and `broker.peer-overflow-policy`,
//!   whose defaults are 2048 messages and `disconnect`), measured against
//!   a stalled socket rather than a momentary backlog; Broker 2.5 itself
//!   has no bound.
//!
//! The owner may register a [`Notify`] callback: it runs on the endpoint's
//! thread whenever new items have been queued for the owner, so the owner
//! can sleep until then instead of polling.
//!
//! Connections are plain TCP or TLS as [`Config::tls`] says
//! ([`crate::transport`]).

use crate::codec;
use crate::data::Data;
use crate::filter::{prefix_matches, Filter};
use crate::id::EndpointId;
use crate::json;
use crate::status::{
    ec, EndpointInfo, ErrorReport, NetworkInfo, Status, StatusCode, ERROR_TOPIC, STATUS_TOPIC,
};
use crate::transport::{Stream, TlsConfig};
use crate::websocket::ClientEvent;
use crate::wire::{
    frame, frame_header, put_filter, read_filter, take_frame, Handshake, Header, MessageType,
    WireError, HEADER_LEN, MAGIC, MAX_FRAME, MAX_HANDSHAKE_FRAME, PROTOCOL_VERSION,
};
use bytes::{Bytes, BytesMut};
use openssl::ssl::SslContext;
use std::collections::HashMap;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::io::{ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Notify as Wake};
use tokio::task::JoinHandle;

/// Capacity a buffer keeps between batches (a larger one, grown by a
/// burst of big messages, is given back).
pub const KEEP_BUFFER: usize = 1 << 20;
/// Bytes a peer's reader asks its socket for at least per read.
pub const READ_CHUNK: usize = 64 << 10;
/// Items the core takes from one queue before it lets the other tasks
/// (the peers' writers) run.
const BATCH: usize = 256;
/// How long a peer's socket may take nothing while more than
/// [`Config::peer_buffer`] frames wait for it before the peer is dropped.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(2);
/// Frames (in units of [`Config::peer_buffer`]) waiting for a peer after
/// which it is dropped even if its socket still takes data.
pub const HARD_LIMIT_FACTOR: usize = 16;
/// The topic of control messages (routing updates, pings, pongs).
pub const CONTROL_TOPIC: &[u8] = b"<$>";
/// How long an unpeering waits for the peer's pong (`defaults::unpeer_timeout`).
pub const UNPEER_TIMEOUT: Duration = Duration::from_secs(3);
/// Connect timeout of one attempt.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Upper bound for a whole handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The 11-byte payload of Broker's unpeering ping: `BYE` and the 8 bytes
/// every captured Zeek 5.2 process sent.
pub const BYE: [u8; 11] = *b"BYE\x01\x00\x00\x00\x00\x00\x00\x10";

#[derive(Clone, Debug)]
pub struct Config {
    /// Relay messages received from one peer to others
    /// (`Broker::forward_messages`; Zeek's default is off).
    pub forwarding: bool,
    /// TTL written into headers.
    pub ttl: u16,
    /// Items buffered for the owner before peers are pushed back.
    pub inbound_capacity: usize,
    /// Frames buffered per peer beyond which a peer whose socket takes
    /// nothing (for [`STALL_TIMEOUT`]) is disconnected.
    pub peer_buffer: usize,
    /// TLS settings; `None` speaks plain TCP (`Broker::disable_ssl`).
    pub tls: Option<TlsConfig>,
    /// Called (on the endpoint's thread) after new items were queued for
    /// the owner.
    pub notify: Option<Notify>,
}

/// A wake-up callback for the owner (see [`Config::notify`]).
#[derive(Clone)]
pub struct Notify(pub Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notify")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            forwarding: false,
            ttl: crate::wire::DEFAULT_TTL,
            inbound_capacity: 4096,
            peer_buffer: 2048,
            tls: None,
            notify: None,
        }
    }
}

/// What the endpoint reports to its owner, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    /// A data message on a subscribed topic.
    Data {
        topic: Vec<u8>,
        data: Data,
    },
    Status(Status),
    Error(ErrorReport),
    /// A data store command (§5) on a topic of one of this endpoint's
    /// stores; the payload is an undecoded `internal_command`.
    Command {
        topic: Vec<u8>,
        payload: Bytes,
    },
}

/// One entry of [`Endpoint::peers`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerInfo {
    pub id: EndpointId,
    pub network: NetworkInfo,
}

enum Command {
    Listen(std::net::TcpListener),
    ListenWebSocket(std::net::TcpListener),
    Peer {
        address: String,
        port: u16,
        retry: Duration,
    },
    Unpeer {
        address: String,
        port: u16,
    },
    Subscribe(Vec<u8>),
    Unsubscribe(Vec<u8>),
    /// A data message, its frame already encoded by the owner into
    /// [`Submitted::frames`].
    Publish {
        receiver: EndpointId,
        /// The whole frame, length prefix included.
        frame: Range<usize>,
        /// Where the encoded data starts (the topic ends).
        payload_at: usize,
    },
    SubscribeStore(Vec<u8>),
    StoreMessage {
        topic: Bytes,
        receiver: EndpointId,
        payload: Bytes,
    },
    Shutdown(std::sync::mpsc::Sender<()>),
}

/// What the owner queued for the core since the core last looked.
#[derive(Default)]
struct Submitted {
    cmds: VecDeque<Command>,
    /// The frames of the `Publish` commands, back to back.
    frames: Vec<u8>,
}

/// The queue from the owner to the core.
#[derive(Default)]
struct Submissions {
    q: Mutex<Submitted>,
    /// Notified when the queue becomes non-empty.
    wake: Wake,
    /// The core takes no more commands (shutting down or stopped).
    stopped: AtomicBool,
}

/// Marks the owner's queue as no longer read when dropped.
struct StopOnDrop(Arc<Submissions>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stopped.store(true, Ordering::Release);
    }
}

/// The queue from the core to the owner.
#[derive(Default)]
struct ToOwner {
    q: Mutex<ToOwnerQ>,
    /// Notified when the owner took items while the core waited for room.
    space: Wake,
}

/// An entry of the queue to the owner.
enum Item {
    Report(Inbound),
    /// A data message on a subscribed topic, still encoded: its topic and
    /// payload are `bytes[at..end]` of the queue, the topic first. The
    /// owner decodes it (where the values are used and freed) and drops a
    /// payload that does not decode.
    Data {
        at: usize,
        topic_len: usize,
        end: usize,
    },
}

#[derive(Default)]
struct ToOwnerQ {
    items: VecDeque<Item>,
    /// The topics and payloads of the `Item::Data` entries.
    bytes: Vec<u8>,
    /// The owner reads no more (shut down).
    closed: bool,
    /// The core waits for room.
    core_waiting: bool,
}

/// The frames waiting for one peer's socket.
#[derive(Default)]
struct PeerOut {
    q: Mutex<OutQ>,
    /// Notified when the buffer becomes non-empty or is closed.
    wake: Wake,
}

#[derive(Default)]
struct OutQ {
    buf: Vec<u8>,
    frames: usize,
    /// No more frames: the writer flushes what waits, then closes.
    closed: bool,
    /// While the writer waits for its socket: when the socket last took
    /// data (or the wait began); `None` while it is not waiting.
    blocked_since: Option<std::time::Instant>,
}

impl PeerOut {
    /// Appends one frame written by `write`; false (nothing appended) when
    /// the peer overflows its buffer of `cap` frames (see the module's
    /// overflow policy).
    fn push_with(&self, cap: usize, write: impl FnOnce(&mut Vec<u8>)) -> bool {
        let Ok(mut q) = self.q.lock() else {
            return false;
        };
        let cap = cap.max(1);
        if q.frames >= cap.saturating_mul(HARD_LIMIT_FACTOR)
            || (q.frames >= cap
                && q.blocked_since
                    .is_some_and(|t| t.elapsed() >= STALL_TIMEOUT))
        {
            return false;
        }
        let was_empty = q.buf.is_empty();
        write(&mut q.buf);
        q.frames += 1;
        drop(q);
        if was_empty {
            self.wake.notify_one();
        }
        true
    }

    fn close(&self) {
        if let Ok(mut q) = self.q.lock() {
            q.closed = true;
        }
        self.wake.notify_one();
    }
}

#[derive(Default)]
struct Shared {
    peers: Vec<PeerInfo>,
}

/// Set when reports were queued for the owner since its last wait.
#[derive(Default)]
struct Ready {
    /// (reports queued, the owner waits)
    flag: Mutex<(bool, bool)>,
    cond: Condvar,
}

impl Ready {
    fn notify(&self) {
        if let Ok(mut f) = self.flag.lock() {
            f.0 = true;
            if f.1 {
                self.cond.notify_one();
            }
        }
    }
}

/// The owner's handle on an endpoint.
pub struct Endpoint {
    id: EndpointId,
    ttl: u16,
    cmd: Arc<Submissions>,
    inbound: Arc<ToOwner>,
    /// The items last taken from `inbound`, in order, and their bytes.
    taken: VecDeque<Item>,
    taken_bytes: Vec<u8>,
    /// Shut down: nothing more is read.
    closed: bool,
    shared: Arc<Mutex<Shared>>,
    ready: Arc<Ready>,
    thread: Option<std::thread::JoinHandle<()>>,
    listening: bool,
}

impl Endpoint {
    /// Starts an endpoint with a fresh random ID on its own thread.
    pub fn new(config: Config) -> std::io::Result<Endpoint> {
        Self::with_id(EndpointId::random()?, config)
    }

    /// Starts an endpoint with the given ID.
    pub fn with_id(id: EndpointId, config: Config) -> std::io::Result<Endpoint> {
        let ttl = config.ttl;
        let cmd = Arc::new(Submissions::default());
        let cmd_rx = cmd.clone();
        let inbound = Arc::new(ToOwner::default());
        let in_tx = inbound.clone();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let tls = match &config.tls {
            Some(t) => Some(t.context().map_err(std::io::Error::other)?),
            None => None,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let sh = shared.clone();
        let ready = Arc::new(Ready::default());
        let rd = ready.clone();
        let thread = std::thread::Builder::new()
            .name("zest-broker".into())
            .stack_size(16 << 20)
            .spawn(move || {
                // However the core ends, the owner's commands are dropped
                // from then on.
                let _stop = StopOnDrop(cmd_rx.clone());
                rt.block_on(async move {
                    let (ev_tx, ev_rx) = mpsc::channel(1024);
                    let core = Core {
                        id,
                        clients: HashMap::new(),
                        tls,
                        cfg: config,
                        filter: Filter::default(),
                        subs: Vec::new(),
                        store_subs: Vec::new(),
                        peers: HashMap::new(),
                        conns: HashMap::new(),
                        pending: HashMap::new(),
                        targets: HashMap::new(),
                        next_conn: 1,
                        next_target: 1,
                        ev_tx,
                        inbound: in_tx,
                        outbox: VecDeque::new(),
                        outbox_bytes: Vec::new(),
                        scratch: Vec::new(),
                        shared: sh,
                        ready: rd,
                        listeners: Vec::new(),
                        finishing: Vec::new(),
                        shutting_down: None,
                    };
                    core.run(cmd_rx, ev_rx).await;
                });
            })?;
        Ok(Endpoint {
            id,
            ttl,
            cmd,
            inbound,
            taken: VecDeque::new(),
            taken_bytes: Vec::new(),
            closed: false,
            shared,
            ready,
            thread: Some(thread),
            listening: false,
        })
    }

    pub fn node_id(&self) -> EndpointId {
        self.id
    }

    /// Queues a command for the core, waking it if the queue was empty;
    /// false when the core takes no more commands.
    fn send(&self, c: Command) -> bool {
        if self.cmd.stopped.load(Ordering::Acquire) {
            return false;
        }
        let Ok(mut q) = self.cmd.q.lock() else {
            return false;
        };
        let was_empty = q.cmds.is_empty();
        q.cmds.push_back(c);
        drop(q);
        if was_empty {
            self.cmd.wake.notify_one();
        }
        true
    }

    /// Binds `address:port` now (an empty address means all interfaces,
    /// port 0 an ephemeral port) and accepts peers from then on. Returns
    /// the bound port.
    pub fn listen(&mut self, address: &str, port: u16) -> std::io::Result<u16> {
        let (l, _) = bind(address, port)?;
        self.listen_on(l)
    }

    /// Accepts peers on a socket that is already listening (bound by
    /// someone else, e.g. a supervisor's stem). Returns its port.
    pub fn listen_on(&mut self, l: std::net::TcpListener) -> std::io::Result<u16> {
        l.set_nonblocking(true)?;
        let bound = l.local_addr()?.port();
        self.send(Command::Listen(l));
        self.listening = true;
        Ok(bound)
    }

    /// Like [`Endpoint::listen`], for clients of the WebSocket JSON API
    /// (`/v1/messages/json`, TLS as for peerings).
    pub fn listen_websocket(&mut self, address: &str, port: u16) -> std::io::Result<u16> {
        let (l, bound) = bind(address, port)?;
        self.send(Command::ListenWebSocket(l));
        self.listening = true;
        Ok(bound)
    }

    pub fn is_listening(&self) -> bool {
        self.listening
    }

    /// Starts peering with `address:port` asynchronously. With a non-zero
    /// `retry`, failed attempts are repeated after `retry`, and a lost
    /// peering is re-established at once.
    pub fn peer(&self, address: &str, port: u16, retry: Duration) {
        self.send(Command::Peer {
            address: address.to_owned(),
            port,
            retry,
        });
    }

    /// Ends the peering recorded with exactly this address text and port.
    pub fn unpeer(&self, address: &str, port: u16) {
        self.send(Command::Unpeer {
            address: address.to_owned(),
            port,
        });
    }

    pub fn subscribe(&self, prefix: &[u8]) {
        self.send(Command::Subscribe(prefix.to_vec()));
    }

    pub fn unsubscribe(&self, prefix: &[u8]) {
        self.send(Command::Unsubscribe(prefix.to_vec()));
    }

    /// Publishes `data` on `topic` to every peer subscribed to it.
    pub fn publish(&self, topic: &[u8], data: &Data) {
        self.publish_to(EndpointId::NIL, topic, data);
    }

    /// Publishes `data` on `topic` to the direct peer `receiver` only
    /// (Broker's `publish(endpoint_info, …)`); a nil receiver publishes to
    /// every peer subscribed to the topic.
    pub fn publish_to(&self, receiver: EndpointId, topic: &[u8], data: &Data) {
        // The frame is encoded here, on the owner's thread, straight into
        // the queue's buffer; the endpoint's thread only routes it.
        if self.cmd.stopped.load(Ordering::Acquire) {
            return;
        }
        let Ok(mut q) = self.cmd.q.lock() else {
            return;
        };
        let was_empty = q.cmds.is_empty();
        let v = &mut q.frames;
        let start = v.len();
        frame_header(v, self.id, receiver, MessageType::Data, self.ttl, topic);
        let payload_at = v.len();
        codec::encode(data, v);
        let end = v.len();
        let body_len = (end - start - 4) as u32;
        v[start..start + 4].copy_from_slice(&body_len.to_be_bytes());
        q.cmds.push_back(Command::Publish {
            receiver,
            frame: start..end,
            payload_at,
        });
        drop(q);
        if was_empty {
            self.cmd.wake.notify_one();
        }
    }

    /// Subscribes a data store's topic (`N/<$>/data/master` or
    /// `…/clone`): it enters the filter peers see, and commands on it are
    /// reported as [`Inbound::Command`].
    pub fn subscribe_store(&self, topic: &[u8]) {
        self.send(Command::SubscribeStore(topic.to_vec()));
    }

    /// Sends an encoded `internal_command` on a store topic: to the peer
    /// `receiver`, or with a nil receiver to every peer whose filter
    /// matches the topic.
    pub fn publish_command(&self, topic: &[u8], receiver: EndpointId, payload: Vec<u8>) {
        self.send(Command::StoreMessage {
            topic: Bytes::copy_from_slice(topic),
            receiver,
            payload: Bytes::from(payload),
        });
    }

    /// The current peers (ordered by ID).
    pub fn peers(&self) -> Vec<PeerInfo> {
        self.shared
            .lock()
            .map(|s| s.peers.clone())
            .unwrap_or_default()
    }

    /// Blocks until reports were queued since the last call, at most `d`.
    pub fn wait(&self, d: Duration) {
        let Ok(mut flag) = self.ready.flag.lock() else {
            return;
        };
        flag.1 = true;
        if let Ok(mut flag) = self.ready.cond.wait_timeout_while(flag, d, |f| !f.0) {
            *flag.0 = (false, false);
        }
    }

    /// The next report, if one is waiting.
    pub fn try_recv(&mut self) -> Option<Inbound> {
        loop {
            match self.taken.pop_front() {
                Some(Item::Report(m)) => return Some(m),
                Some(Item::Data { at, topic_len, end }) => {
                    let b = self.taken_bytes.get(at..end)?;
                    let (topic, payload) = b.split_at(topic_len);
                    // A payload that does not decode is dropped here only.
                    if let Ok(data) = codec::decode(payload) {
                        return Some(Inbound::Data {
                            topic: topic.to_vec(),
                            data,
                        });
                    }
                }
                None => {
                    if self.closed {
                        return None;
                    }
                    // Take everything that waits at once.
                    let mut q = self.inbound.q.lock().ok()?;
                    if q.items.is_empty() {
                        return None;
                    }
                    self.taken_bytes.clear();
                    if self.taken_bytes.capacity() > KEEP_BUFFER {
                        self.taken_bytes = Vec::new();
                    }
                    std::mem::swap(&mut q.items, &mut self.taken);
                    std::mem::swap(&mut q.bytes, &mut self.taken_bytes);
                    let wake = std::mem::take(&mut q.core_waiting);
                    drop(q);
                    if wake {
                        self.inbound.space.notify_one();
                    }
                }
            }
        }
    }

    /// Says BYE to every peer, waits at most [`UNPEER_TIMEOUT`] for them,
    /// and stops the endpoint's thread.
    pub fn shutdown(&mut self) {
        // Nothing more is read: the core must never wait for the owner.
        self.closed = true;
        self.taken = VecDeque::new();
        self.taken_bytes = Vec::new();
        if let Ok(mut q) = self.inbound.q.lock() {
            q.closed = true;
            q.items = VecDeque::new();
            q.bytes = Vec::new();
        }
        self.inbound.space.notify_one();
        let (tx, rx) = std::sync::mpsc::channel();
        if self.send(Command::Shutdown(tx))
            && self.thread.as_ref().is_some_and(|t| !t.is_finished())
        {
            let _ = rx.recv_timeout(UNPEER_TIMEOUT + Duration::from_secs(2));
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn bind(address: &str, port: u16) -> std::io::Result<(std::net::TcpListener, u16)> {
    let host = if address.is_empty() {
        "0.0.0.0"
    } else {
        address
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let l = std::net::TcpListener::bind((host, port))?;
    l.set_nonblocking(true)?;
    let bound = l.local_addr()?.port();
    Ok((l, bound))
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
        }
    }
}

// ------------------------------------------------------------------ core

/// Where an outgoing peering goes, and how to retry.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    id: u64,
    address: String,
    port: u16,
    retry: Duration,
}

impl Target {
    fn network(&self) -> NetworkInfo {
        NetworkInfo {
            address: self.address.clone(),
            port: self.port,
            retry_secs: self.retry.as_secs(),
        }
    }
}

pub(crate) enum Event {
    Accepted(TcpStream, SocketAddr),
    WsAccepted(TcpStream, SocketAddr),
    Ws(ClientEvent),
    Query {
        conn: u64,
        peer: EndpointId,
        originator: bool,
        reply: oneshot::Sender<Result<Filter, (u8, &'static str)>>,
    },
    Done {
        conn: u64,
        peer: EndpointId,
        filter: Filter,
        stream: Stream,
        buf: BytesMut,
        network: NetworkInfo,
        target: Option<Target>,
    },
    Failed {
        conn: u64,
        target: Option<Target>,
        /// The peer dropped us as a redundant connection.
        redundant_from: Option<EndpointId>,
    },
    /// The frames one read of a peer's socket completed, length prefixes
    /// included, each checked with [`Header::parse`] (empty ones too).
    Frames {
        conn: u64,
        chunk: Bytes,
    },
    Closed {
        conn: u64,
    },
    Retry(Target),
    ByeTimeout {
        conn: u64,
    },
}

struct Peer {
    conn: u64,
    out: Arc<PeerOut>,
    filter: Filter,
    network: NetworkInfo,
    target: Option<Target>,
    /// Unpeering: the BYE payload sent, waiting for its pong.
    removing: bool,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

/// An attached WebSocket client: a lightweight peer with an ID of its own.
struct Client {
    id: EndpointId,
    filter: Vec<Vec<u8>>,
    tx: mpsc::Sender<Bytes>,
    network: NetworkInfo,
}

struct Core {
    id: EndpointId,
    /// WebSocket clients by connection.
    clients: HashMap<u64, Client>,
    cfg: Config,
    /// The TLS context of every connection, without `Config::tls` none.
    tls: Option<SslContext>,
    filter: Filter,
    subs: Vec<Vec<u8>>,
    /// Topics of this endpoint's data stores.
    store_subs: Vec<Vec<u8>>,
    peers: HashMap<EndpointId, Peer>,
    conns: HashMap<u64, EndpointId>,
    /// Peers in mid-handshake, by the connection doing it.
    pending: HashMap<EndpointId, u64>,
    /// Outgoing peerings to keep up (for retries and unpeer).
    targets: HashMap<u64, Target>,
    next_conn: u64,
    next_target: u64,
    ev_tx: mpsc::Sender<Event>,
    inbound: Arc<ToOwner>,
    /// Reports for the owner, queued when the current wake-up ends, and
    /// the bytes of their `Item::Data` entries.
    outbox: VecDeque<Item>,
    outbox_bytes: Vec<u8>,
    /// A frame being built (store commands, control messages, forwarding).
    scratch: Vec<u8>,
    shared: Arc<Mutex<Shared>>,
    ready: Arc<Ready>,
    listeners: Vec<JoinHandle<()>>,
    /// Writers of closed peerings, still flushing.
    finishing: Vec<JoinHandle<()>>,
    shutting_down: Option<std::sync::mpsc::Sender<()>>,
}

impl Core {
    async fn run(mut self, cmds: Arc<Submissions>, mut events: mpsc::Receiver<Event>) {
        // The commands taken from the owner's queue, not handled yet.
        let mut taken = Submitted::default();
        // An event received while waiting, handled after the commands.
        let mut next: Option<Event> = None;
        // Items handled since the other tasks last ran.
        let mut budget = 0;
        loop {
            // One wake-up handles the owner's commands first (what the
            // owner did before a peer's message arrived comes first), then
            // the peers' messages, up to BATCH items each, and reports to
            // the owner once.
            let mut work = 0;
            if self.shutting_down.is_none() {
                if taken.cmds.is_empty() {
                    taken.frames.clear();
                    if taken.frames.capacity() > KEEP_BUFFER {
                        taken.frames = Vec::new();
                    }
                    // Everything the owner queued, in one go.
                    if let Ok(mut q) = cmds.q.lock() {
                        if !q.cmds.is_empty() {
                            std::mem::swap(&mut *q, &mut taken);
                        }
                    }
                }
                while work < BATCH && self.shutting_down.is_none() {
                    let Some(c) = taken.cmds.pop_front() else {
                        break;
                    };
                    self.command(c, &taken.frames);
                    work += 1;
                }
            }
            if let Some(e) = next.take() {
                self.event(e);
                work += 1;
            }
            for _ in 0..BATCH {
                let Ok(e) = events.try_recv() else {
                    break;
                };
                self.event(e);
                work += 1;
            }
            if self.shutting_down.is_some() && !cmds.stopped.load(Ordering::Relaxed) {
                // No more commands: what the owner queues now is dropped.
                cmds.stopped.store(true, Ordering::Release);
                taken = Submitted::default();
                if let Ok(mut q) = cmds.q.lock() {
                    *q = Submitted::default();
                }
            }
            self.flush_outbox().await;
            if self.shutting_down.is_some() && self.peers.is_empty() {
                break;
            }
            if work > 0 {
                budget += work;
                if budget >= BATCH {
                    // Let the readers and writers run.
                    budget = 0;
                    tokio::task::yield_now().await;
                }
                continue;
            }
            budget = 0;
            tokio::select! {
                biased;
                _ = cmds.wake.notified(), if self.shutting_down.is_none() => {}
                e = events.recv() => next = e,
            }
        }
        for l in &self.listeners {
            l.abort();
        }
        for w in std::mem::take(&mut self.finishing) {
            let _ = tokio::time::timeout(Duration::from_secs(1), w).await;
        }
        if let Some(done) = self.shutting_down.take() {
            let _ = done.send(());
        }
    }

    /// Moves the outbox to the owner's queue, waiting for room as needed.
    async fn flush_outbox(&mut self) {
        let cap = self.cfg.inbound_capacity.max(1);
        while !self.outbox.is_empty() {
            let full = {
                let Ok(mut q) = self.inbound.q.lock() else {
                    return;
                };
                if q.closed {
                    self.outbox.clear();
                    return;
                }
                let n = cap.saturating_sub(q.items.len()).min(self.outbox.len());
                let q = &mut *q;
                for item in self.outbox.drain(..n) {
                    q.items.push_back(match item {
                        Item::Data { at, topic_len, end } => {
                            let moved = q.bytes.len();
                            q.bytes
                                .extend_from_slice(self.outbox_bytes.get(at..end).unwrap_or(&[]));
                            Item::Data {
                                at: moved,
                                topic_len,
                                end: q.bytes.len(),
                            }
                        }
                        r => r,
                    });
                }
                let full = !self.outbox.is_empty();
                q.core_waiting = full;
                full
            };
            self.wake_owner();
            if full {
                // The owner's queue is full: wait until it takes some.
                self.inbound.space.notified().await;
            }
        }
        self.outbox_bytes.clear();
        if self.outbox.capacity() > BATCH * 16 {
            self.outbox = VecDeque::new();
        }
        if self.outbox_bytes.capacity() > KEEP_BUFFER {
            self.outbox_bytes = Vec::new();
        }
    }

    fn wake_owner(&self) {
        self.ready.notify();
        if let Some(n) = &self.cfg.notify {
            (n.0)();
        }
    }

    fn publish_shared(&self) {
        let mut v: Vec<PeerInfo> = self
            .peers
            .iter()
            .map(|(id, p)| PeerInfo {
                id: *id,
                network: p.network.clone(),
            })
            .collect();
        v.sort_by_key(|p| p.id);
        if let Ok(mut s) = self.shared.lock() {
            s.peers = v;
        }
    }

    fn status(
        &mut self,
        code: StatusCode,
        node: EndpointId,
        network: Option<NetworkInfo>,
        msg: &str,
    ) {
        let s = Status {
            code,
            context: EndpointInfo { node, network },
            message: msg.to_owned(),
        };
        if self.local_subscribers(STATUS_TOPIC) {
            self.deliver_to_clients(STATUS_TOPIC, Some(&s.to_data()), &[], 0);
        }
        self.outbox.push_back(Item::Report(Inbound::Status(s)));
    }

    fn error(&mut self, code: u8, context: Option<EndpointInfo>, msg: &str) {
        let e = ErrorReport {
            code,
            context,
            message: msg.to_owned(),
        };
        if self.local_subscribers(ERROR_TOPIC) {
            self.deliver_to_clients(ERROR_TOPIC, Some(&e.to_data()), &[], 0);
        }
        self.outbox.push_back(Item::Report(Inbound::Error(e)));
    }

    /// Handles one command; `frames` holds the frames of publications.
    fn command(&mut self, c: Command, frames: &[u8]) {
        match c {
            Command::Listen(l) => self.accept_on(l, Event::Accepted),
            Command::ListenWebSocket(l) => self.accept_on(l, Event::WsAccepted),
            Command::Peer {
                address,
                port,
                retry,
            } => {
                let t = Target {
                    id: self.next_target,
                    address,
                    port,
                    retry,
                };
                self.next_target += 1;
                self.targets.insert(t.id, t.clone());
                self.connect(t);
            }
            Command::Unpeer { address, port } => {
                let found = self
                    .peers
                    .iter()
                    .find(|(_, p)| p.network.address == address && p.network.port == port)
                    .map(|(id, _)| *id);
                // Stop retrying that target either way.
                self.targets
                    .retain(|_, t| !(t.address == address && t.port == port));
                match found {
                    Some(id) => self.say_bye(id),
                    None => self.error(
                        ec::PEER_INVALID,
                        Some(EndpointInfo {
                            node: EndpointId::NIL,
                            network: Some(NetworkInfo {
                                address,
                                port,
                                retry_secs: 0,
                            }),
                        }),
                        "cannot unpeer from unknown peer",
                    ),
                }
            }
            Command::Subscribe(p) => {
                if !self.subs.contains(&p) {
                    self.subs.push(p.clone());
                }
                self.add_to_filter(&p);
            }
            Command::SubscribeStore(p) => {
                if !self.store_subs.contains(&p) {
                    self.store_subs.push(p.clone());
                }
                self.add_to_filter(&p);
            }
            Command::StoreMessage {
                topic,
                receiver,
                payload,
            } => {
                let ttl = self.cfg.ttl;
                self.route(receiver, MessageType::Command, ttl, &topic, &payload, None);
            }
            Command::Unsubscribe(p) => self.subs.retain(|s| *s != p),
            Command::Publish {
                receiver,
                frame,
                payload_at,
            } => {
                let (Some(f), Some(topic), Some(payload)) = (
                    frames.get(frame.clone()),
                    frames.get(frame.start + 4 + HEADER_LEN..payload_at),
                    frames.get(payload_at..frame.end),
                ) else {
                    return;
                };
                // Clients see every message whose topic they subscribed,
                // whatever its receiver (§6.6).
                self.deliver_to_clients(topic, None, payload, 0);
                self.route_frame(receiver, topic, None, f)
            }
            Command::Shutdown(done) => self.begin_shutdown(Some(done)),
        }
    }

    fn accept_on(&mut self, l: std::net::TcpListener, ev: fn(TcpStream, SocketAddr) -> Event) {
        if let Ok(l) = tokio::net::TcpListener::from_std(l) {
            let tx = self.ev_tx.clone();
            self.listeners.push(tokio::spawn(async move {
                loop {
                    match l.accept().await {
                        Ok((s, a)) => {
                            if tx.send(ev(s, a)).await.is_err() {
                                return;
                            }
                        }
                        // Out of descriptors and the like: try again soon.
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                }
            }));
        }
    }

    /// Whether a WebSocket client's prefixes reach this node's local
    /// status or error topic (Broker does not keep them from clients).
    fn local_subscribers(&self, topic: &[u8]) -> bool {
        self.clients
            .values()
            .any(|c| c.filter.iter().any(|p| prefix_matches(p, topic)))
    }

    /// Hands a data message to the WebSocket clients subscribed to its
    /// topic (except the one it came from), encoded once for all of them.
    /// `payload` is its binary encoding, decoded only when a client wants it.
    fn deliver_to_clients(&mut self, topic: &[u8], data: Option<&Data>, payload: &[u8], from: u64) {
        if self.clients.is_empty() {
            return;
        }
        let targets: Vec<u64> = self
            .clients
            .iter()
            .filter(|(c, cl)| **c != from && cl.filter.iter().any(|p| prefix_matches(p, topic)))
            .map(|(c, _)| *c)
            .collect();
        if targets.is_empty() {
            return;
        }
        let decoded;
        let data = match data {
            Some(d) => d,
            None => match codec::decode(payload) {
                Ok(d) => {
                    decoded = d;
                    &decoded
                }
                Err(_) => return,
            },
        };
        let text = Bytes::from(json::encode_message(topic, data));
        for c in targets {
            let full = self
                .clients
                .get(&c)
                .is_some_and(|cl| cl.tx.try_send(text.clone()).is_err());
            if full {
                // A client that does not keep up is dropped, like a peer.
                self.client_gone(c);
            }
        }
    }

    fn client_event(&mut self, e: ClientEvent) {
        match e {
            ClientEvent::Attached {
                conn,
                filter,
                addr,
                tx,
            } => {
                if self.shutting_down.is_some() {
                    return;
                }
                let Ok(id) = EndpointId::random() else {
                    return;
                };
                let network = NetworkInfo {
                    address: addr.ip().to_string(),
                    port: addr.port(),
                    retry_secs: 0,
                };
                self.clients.insert(
                    conn,
                    Client {
                        id,
                        filter,
                        tx,
                        network: network.clone(),
                    },
                );
                self.status(
                    StatusCode::EndpointDiscovered,
                    id,
                    None,
                    "found a new client in the network",
                );
                self.status(
                    StatusCode::PeerAdded,
                    id,
                    Some(network),
                    "handshake successful",
                );
            }
            ClientEvent::Data { conn, topic, data } => {
                let Some(sender) = self.clients.get(&conn).map(|c| c.id) else {
                    return;
                };
                if self.subs.iter().any(|s| prefix_matches(s, &topic)) {
                    self.outbox.push_back(Item::Report(Inbound::Data {
                        topic: topic.clone(),
                        data: data.clone(),
                    }));
                }
                self.deliver_to_clients(&topic, Some(&data), &[], conn);
                if self.cfg.forwarding && !self.peers.is_empty() {
                    let ttl = self.cfg.ttl;
                    let payload = codec::to_bytes(&data);
                    self.route(
                        EndpointId::NIL,
                        MessageType::Data,
                        ttl,
                        &topic,
                        &payload,
                        Some(sender),
                    );
                }
            }
            ClientEvent::Closed { conn } => self.client_gone(conn),
        }
    }

    fn client_gone(&mut self, conn: u64) {
        let Some(c) = self.clients.remove(&conn) else {
            return;
        };
        if self.shutting_down.is_some() {
            return;
        }
        self.status(
            StatusCode::PeerLost,
            c.id,
            Some(c.network),
            "lost connection to client",
        );
        self.status(
            StatusCode::EndpointUnreachable,
            c.id,
            None,
            "lost the last path",
        );
    }

    /// Adds a prefix to the filter and tells every peer when it grew.
    fn add_to_filter(&mut self, p: &[u8]) {
        if self.filter.add(p) {
            let mut payload = Vec::new();
            put_filter(&mut payload, &self.filter);
            let payload = Bytes::from(payload);
            let ids: Vec<EndpointId> = self.peers.keys().copied().collect();
            for id in ids {
                self.send_control(id, MessageType::RoutingUpdate, payload.clone());
            }
        }
    }

    fn begin_shutdown(&mut self, done: Option<std::sync::mpsc::Sender<()>>) {
        let (tx, _) = std::sync::mpsc::channel();
        self.shutting_down = Some(done.unwrap_or(tx));
        // Dropping a client's queue makes its task close the connection.
        self.clients.clear();
        self.targets.clear();
        let ids: Vec<EndpointId> = self.peers.keys().copied().collect();
        for id in ids {
            self.say_bye(id);
        }
    }

    /// Sends the unpeering ping and closes after its pong or a timeout.
    fn say_bye(&mut self, id: EndpointId) {
        let Some(p) = self.peers.get_mut(&id) else {
            return;
        };
        if p.removing {
            return;
        }
        p.removing = true;
        let conn = p.conn;
        self.send_control(id, MessageType::Ping, Bytes::from_static(&BYE));
        let tx = self.ev_tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(UNPEER_TIMEOUT).await;
            let _ = tx.send(Event::ByeTimeout { conn }).await;
        });
    }

    fn send_control(&mut self, to: EndpointId, kind: MessageType, payload: Bytes) {
        self.send_control_topic(to, kind, CONTROL_TOPIC, &payload);
    }

    /// Queues a message from this endpoint for the peer `to` (the
    /// receiver in its header).
    fn send_control_topic(
        &mut self,
        to: EndpointId,
        kind: MessageType,
        topic: &[u8],
        payload: &[u8],
    ) {
        let (id, ttl) = (self.id, self.cfg.ttl);
        let Some(p) = self.peers.get(&to) else {
            return;
        };
        let ok = p.out.push_with(self.cfg.peer_buffer, |v| {
            put_frame(v, id, to, kind, ttl, topic, payload);
        });
        if !ok {
            let conn = p.conn;
            self.closed(conn);
        }
    }

    /// Delivers a data or command message to the direct peers it is for
    /// (§3.6), as sent by this endpoint. `from` is the peer it came from
    /// (never sent back there).
    fn route(
        &mut self,
        receiver: EndpointId,
        kind: MessageType,
        ttl: u16,
        topic: &[u8],
        payload: &[u8],
        from: Option<EndpointId>,
    ) {
        if from.is_some() && !self.cfg.forwarding {
            return;
        }
        if !self.peers.iter().any(|(id, p)| {
            Some(*id) != from && (receiver == *id || (receiver.is_nil() && p.filter.matches(topic)))
        }) {
            return;
        }
        let mut f = std::mem::take(&mut self.scratch);
        f.clear();
        put_frame(&mut f, self.id, receiver, kind, ttl, topic, payload);
        self.route_frame(receiver, topic, from, &f);
        self.scratch = f;
    }

    /// Queues an encoded frame for the direct peers a message with this
    /// receiver and topic is for, except `from`. A peer whose buffer is
    /// full is dropped.
    fn route_frame(
        &mut self,
        receiver: EndpointId,
        topic: &[u8],
        from: Option<EndpointId>,
        frame: &[u8],
    ) {
        let cap = self.cfg.peer_buffer;
        let push = |p: &Peer| p.out.push_with(cap, |v| v.extend_from_slice(frame));
        let mut full = Vec::new();
        if receiver.is_nil() {
            for (id, p) in &self.peers {
                if Some(*id) != from && p.filter.matches(topic) && !push(p) {
                    full.push(p.conn);
                }
            }
        } else if Some(receiver) != from {
            if let Some(p) = self.peers.get(&receiver) {
                if !push(p) {
                    full.push(p.conn);
                }
            }
        }
        for conn in full {
            self.closed(conn);
        }
    }

    fn connect(&mut self, t: Target) {
        let conn = self.next_conn;
        self.next_conn += 1;
        let tx = self.ev_tx.clone();
        let own = self.id;
        let tls = self.tls.clone();
        tokio::spawn(async move {
            let stream = match connect_once(&t.address, t.port).await {
                Some(s) => s,
                None => {
                    let _ = tx
                        .send(Event::Failed {
                            conn,
                            target: Some(t),
                            redundant_from: None,
                        })
                        .await;
                    return;
                }
            };
            let network = t.network();
            run_handshake(stream, tls, true, own, conn, tx, network, Some(t)).await;
        });
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Accepted(stream, addr) => {
                if self.shutting_down.is_some() {
                    return;
                }
                let conn = self.next_conn;
                self.next_conn += 1;
                let network = NetworkInfo {
                    address: addr.ip().to_string(),
                    port: addr.port(),
                    retry_secs: 0,
                };
                let tx = self.ev_tx.clone();
                let own = self.id;
                let tls = self.tls.clone();
                tokio::spawn(run_handshake(
                    stream, tls, false, own, conn, tx, network, None,
                ));
            }
            Event::WsAccepted(stream, addr) => {
                if self.shutting_down.is_some() {
                    return;
                }
                let conn = self.next_conn;
                self.next_conn += 1;
                tokio::spawn(crate::websocket::serve(
                    stream,
                    addr,
                    self.tls.clone(),
                    self.id,
                    conn,
                    self.cfg.peer_buffer,
                    self.ev_tx.clone(),
                ));
            }
            Event::Ws(e) => self.client_event(e),
            Event::Query {
                conn,
                peer,
                originator,
                reply,
            } => {
                let r = if self.shutting_down.is_some() {
                    Err((ec::SHUTTING_DOWN, "shutting down"))
                } else if peer == self.id {
                    Err((ec::LOGIC_ERROR, "cannot peer with myself"))
                } else if self.peers.contains_key(&peer)
                    || self.pending.get(&peer).is_some_and(|c| *c != conn)
                {
                    if originator {
                        Err((ec::REDUNDANT_CONNECTION, "redundant connection"))
                    } else {
                        Err((
                            ec::LOGIC_ERROR,
                            "detected redundant connection at the responder",
                        ))
                    }
                } else {
                    self.pending.insert(peer, conn);
                    Ok(self.filter.clone())
                };
                let _ = reply.send(r);
            }
            Event::Done {
                conn,
                peer,
                filter,
                stream,
                buf,
                network,
                target,
            } => {
                if self.pending.get(&peer) == Some(&conn) {
                    self.pending.remove(&peer);
                }
                if self.shutting_down.is_some()
                    || self.peers.contains_key(&peer)
                    || target
                        .as_ref()
                        .is_some_and(|t| !self.targets.contains_key(&t.id))
                {
                    return; // dropping the stream closes it
                }
                self.add_peer(conn, peer, filter, stream, buf, network, target);
            }
            Event::Failed {
                conn,
                target,
                redundant_from,
            } => {
                self.pending.retain(|_, c| *c != conn);
                let Some(t) = target else { return };
                if !self.targets.contains_key(&t.id) {
                    return;
                }
                if let Some(p) = redundant_from {
                    if self.peers.contains_key(&p) || self.pending.contains_key(&p) {
                        return; // the other connection stays
                    }
                }
                self.error(
                    ec::PEER_UNAVAILABLE,
                    Some(EndpointInfo {
                        node: EndpointId::NIL,
                        network: Some(t.network()),
                    }),
                    "unable to connect to remote peer",
                );
                if t.retry.is_zero() {
                    self.targets.remove(&t.id);
                    return;
                }
                let tx = self.ev_tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(t.retry).await;
                    let _ = tx.send(Event::Retry(t)).await;
                });
            }
            Event::Retry(t) => {
                if self.targets.contains_key(&t.id) && self.shutting_down.is_none() {
                    self.connect(t);
                }
            }
            Event::Frames { conn, chunk } => {
                let mut at = 0;
                while let Some(len) = chunk.get(at..at + 4) {
                    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
                    let body = at + 4..at + 4 + len;
                    at = body.end;
                    if len == 0 {
                        continue;
                    }
                    match chunk.get(body.clone()).map(Header::parse) {
                        Some(Ok(h)) => self.frame(conn, &chunk, body, h),
                        // The reader checked every frame.
                        _ => break,
                    }
                }
            }
            Event::Closed { conn } => self.closed(conn),
            Event::ByeTimeout { conn } => {
                if let Some(id) = self.conns.get(&conn).copied() {
                    if self.peers.get(&id).is_some_and(|p| p.removing) {
                        self.closed(conn);
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_peer(
        &mut self,
        conn: u64,
        id: EndpointId,
        filter: Filter,
        stream: Stream,
        buf: BytesMut,
        network: NetworkInfo,
        target: Option<Target>,
    ) {
        let (r, w) = tokio::io::split(stream);
        let out = Arc::new(PeerOut::default());
        let reader = tokio::spawn(read_loop(r, buf, conn, self.ev_tx.clone()));
        let writer = tokio::spawn(write_loop(w, out.clone(), conn, self.ev_tx.clone()));
        self.peers.insert(
            id,
            Peer {
                conn,
                out,
                filter,
                network: network.clone(),
                target,
                removing: false,
                reader,
                writer,
            },
        );
        self.conns.insert(conn, id);
        self.publish_shared();
        self.status(
            StatusCode::EndpointDiscovered,
            id,
            None,
            "found a new peer in the network",
        );
        self.status(
            StatusCode::PeerAdded,
            id,
            Some(network),
            "handshake successful",
        );
    }

    /// A peering ended (EOF, error, BYE answered or timed out, overflow).
    fn closed(&mut self, conn: u64) {
        let Some(id) = self.conns.remove(&conn) else {
            return;
        };
        let Some(p) = self.peers.remove(&id) else {
            return;
        };
        p.reader.abort();
        p.out.close(); // the writer flushes what is queued, then closes
        self.finishing.retain(|w| !w.is_finished());
        self.finishing.push(p.writer);
        self.publish_shared();
        if self.shutting_down.is_some() {
            return;
        }
        if p.removing {
            self.status(
                StatusCode::PeerRemoved,
                id,
                Some(p.network),
                "removed connection to remote peer",
            );
        } else {
            self.status(
                StatusCode::PeerLost,
                id,
                Some(p.network),
                "lost connection to remote peer",
            );
        }
        self.status(
            StatusCode::EndpointUnreachable,
            id,
            None,
            "lost the last path",
        );
        if let Some(t) = p.target {
            if p.removing {
                self.targets.remove(&t.id);
            } else if !t.retry.is_zero() && self.targets.contains_key(&t.id) {
                self.connect(t);
            } else {
                self.targets.remove(&t.id);
            }
        }
    }

    /// Handles one node message: `h` is the header of `chunk[body]`.
    fn frame(&mut self, conn: u64, chunk: &Bytes, body: Range<usize>, h: Header) {
        let Some(from) = self.conns.get(&conn).copied() else {
            return;
        };
        if h.sender == self.id {
            return;
        }
        let topic_at = body.start + HEADER_LEN..body.start + HEADER_LEN + h.topic_len;
        let payload_at = topic_at.end..body.end;
        let (topic, payload) = (&chunk[topic_at], &chunk[payload_at.clone()]);
        let for_us = h.receiver.is_nil() || h.receiver == self.id;
        match h.kind {
            MessageType::Data => {
                if for_us && self.subs.iter().any(|s| prefix_matches(s, topic)) {
                    // The owner decodes it.
                    let at = self.outbox_bytes.len();
                    self.outbox_bytes.extend_from_slice(topic);
                    self.outbox_bytes.extend_from_slice(payload);
                    self.outbox.push_back(Item::Data {
                        at,
                        topic_len: topic.len(),
                        end: self.outbox_bytes.len(),
                    });
                }
                self.deliver_to_clients(topic, None, payload, 0);
                if h.receiver != self.id {
                    self.route(h.receiver, h.kind, h.ttl, topic, payload, Some(from));
                }
            }
            MessageType::Command => {
                if for_us && self.store_subs.iter().any(|s| prefix_matches(s, topic)) {
                    self.outbox.push_back(Item::Report(Inbound::Command {
                        topic: topic.to_vec(),
                        payload: chunk.slice(payload_at),
                    }));
                }
                if h.receiver != self.id {
                    self.route(h.receiver, h.kind, h.ttl, topic, payload, Some(from));
                }
            }
            MessageType::RoutingUpdate => {
                let mut r = codec::Reader::new(payload);
                if let (Ok(f), Some(p)) = (read_filter(&mut r), self.peers.get_mut(&from)) {
                    p.filter = f;
                }
            }
            MessageType::Ping => {
                self.send_control_topic(from, MessageType::Pong, topic, payload);
            }
            MessageType::Pong => {
                if payload == &BYE[..] && self.peers.get(&from).is_some_and(|p| p.removing) {
                    self.closed(conn);
                }
            }
        }
    }
}

/// Appends a complete phase-3 frame, length prefix included.
fn put_frame(
    v: &mut Vec<u8>,
    sender: EndpointId,
    receiver: EndpointId,
    kind: MessageType,
    ttl: u16,
    topic: &[u8],
    payload: &[u8],
) {
    let start = v.len();
    frame_header(v, sender, receiver, kind, ttl, topic);
    v.extend_from_slice(payload);
    let body_len = (v.len() - start - 4) as u32;
    v[start..start + 4].copy_from_slice(&body_len.to_be_bytes());
}

// ------------------------------------------------------------------ I/O tasks

async fn connect_once(address: &str, port: u16) -> Option<TcpStream> {
    let host = address.trim_start_matches('[').trim_end_matches(']');
    let addrs = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host, port)))
        .await
        .ok()?
        .ok()?;
    for a in addrs {
        if let Ok(Ok(s)) = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(a)).await {
            return Some(s);
        }
    }
    None
}

async fn read_loop(r: ReadHalf<Stream>, buf: BytesMut, conn: u64, tx: mpsc::Sender<Event>) {
    read_frames(r, buf, conn, &tx).await;
    let _ = tx.send(Event::Closed { conn }).await;
}

/// Reads a peer's frames until EOF, an error or a malformed frame; every
/// run of complete frames one read finished goes to the core as one
/// event, those before a malformed frame too.
async fn read_frames(
    mut r: ReadHalf<Stream>,
    mut buf: BytesMut,
    conn: u64,
    tx: &mpsc::Sender<Event>,
) -> Option<()> {
    // Where the frames checked so far end in `buf`.
    let mut at = 0;
    loop {
        let mut bad = false;
        let mut want = 0;
        while let Some(len) = buf.get(at..at + 4) {
            let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
            if len > MAX_FRAME {
                bad = true;
                break;
            }
            let Some(body) = buf.get(at + 4..at + 4 + len) else {
                want = at + 4 + len;
                break;
            };
            if len > 0 && Header::parse(body).is_err() {
                bad = true;
                break;
            }
            at += 4 + len;
        }
        if at > 0 {
            let chunk = buf.split_to(at).freeze();
            want = want.saturating_sub(at);
            at = 0;
            tx.send(Event::Frames { conn, chunk }).await.ok()?;
        }
        if bad {
            return None;
        }
        // Room for the rest of a long frame, or for many short ones.
        let room = want.max(buf.len() + READ_CHUNK / 4) - buf.len();
        if buf.capacity() - buf.len() < room {
            buf.reserve(room.max(READ_CHUNK));
        }
        match r.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Notes in `out` when the writer waits for its socket.
fn set_blocked(out: &PeerOut, since: Option<std::time::Instant>) {
    if let Ok(mut q) = out.q.lock() {
        q.blocked_since = since;
    }
}

/// Writes `buf`, noting in `out` each time the socket takes part of it.
async fn write_tracked(
    w: &mut WriteHalf<Stream>,
    mut buf: &[u8],
    out: &PeerOut,
) -> std::io::Result<()> {
    set_blocked(out, Some(std::time::Instant::now()));
    while !buf.is_empty() {
        let n = w.write(buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
        if !buf.is_empty() {
            set_blocked(out, Some(std::time::Instant::now()));
        }
    }
    w.flush().await?;
    set_blocked(out, None);
    Ok(())
}

async fn write_loop(
    mut w: WriteHalf<Stream>,
    out: Arc<PeerOut>,
    conn: u64,
    tx: mpsc::Sender<Event>,
) {
    // Whatever waits goes out together (few system calls, few TLS
    // records); the core meanwhile fills the other buffer.
    let mut batch: Vec<u8> = Vec::new();
    loop {
        let closed = match out.q.lock() {
            Ok(mut q) => {
                std::mem::swap(&mut q.buf, &mut batch);
                q.frames = 0;
                q.closed
            }
            Err(_) => true,
        };
        if batch.is_empty() {
            if closed {
                break;
            }
            out.wake.notified().await;
            continue;
        }
        if write_tracked(&mut w, &batch, &out).await.is_err() {
            let _ = tx.send(Event::Closed { conn }).await;
            return;
        }
        batch.clear();
        if batch.capacity() > KEEP_BUFFER {
            batch = Vec::new();
        }
    }
    let _ = w.shutdown().await;
}

/// Why a handshake stopped.
struct HsFail {
    redundant_from: Option<EndpointId>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
/// What the handshake waits for.
enum HsState {
    Hello,
    HelloOrVersionSelect,
    VersionSelect,
    OriginatorSyn,
    SynAck,
    OriginatorAck,
}

#[allow(clippy::too_many_arguments)]
async fn run_handshake(
    stream: TcpStream,
    tls: Option<SslContext>,
    connector: bool,
    own: EndpointId,
    conn: u64,
    tx: mpsc::Sender<Event>,
    network: NetworkInfo,
    target: Option<Target>,
) {
    let r = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
        // TLS first (a failed TLS handshake fails the peering attempt).
        let stream = Stream::open(stream, tls.as_ref(), connector)
            .await
            .map_err(|_| HsFail {
                redundant_from: None,
            })?;
        handshake(stream, connector, own, conn, &tx).await
    })
    .await
    .unwrap_or(Err(HsFail {
        redundant_from: None,
    }));
    let ev = match r {
        Ok((peer, filter, stream, buf)) => Event::Done {
            conn,
            peer,
            filter,
            stream,
            buf,
            network,
            target,
        },
        Err(f) => Event::Failed {
            conn,
            target,
            redundant_from: f.redundant_from,
        },
    };
    let _ = tx.send(ev).await;
}

async fn send_msgs(s: &mut Stream, msgs: &[Handshake]) -> Result<(), HsFail> {
    let mut out = Vec::new();
    for m in msgs {
        out.extend_from_slice(&frame(&m.encode()));
    }
    s.write_all(&out).await.map_err(|_| HsFail {
        redundant_from: None,
    })
}

async fn drop_conn(s: &mut Stream, own: EndpointId, code: u8, text: &str) -> HsFail {
    let _ = send_msgs(s, &[Handshake::drop_conn(own, code, text)]).await;
    HsFail {
        redundant_from: None,
    }
}

/// Phases 1 and 2 of §3.4 on one connection; returns the peer's ID and
/// filter, the stream and any bytes read past the handshake.
async fn handshake(
    mut s: Stream,
    connector: bool,
    own: EndpointId,
    conn: u64,
    tx: &mpsc::Sender<Event>,
) -> Result<(EndpointId, Filter, Stream, BytesMut), HsFail> {
    let fail = || HsFail {
        redundant_from: None,
    };
    let mut buf = BytesMut::with_capacity(1024);
    if connector {
        send_msgs(&mut s, &[Handshake::hello(own)]).await?;
    } else {
        send_msgs(&mut s, &[Handshake::Probe { magic: MAGIC }]).await?;
    }
    let mut state = if connector {
        HsState::HelloOrVersionSelect
    } else {
        HsState::Hello
    };
    let mut peer = EndpointId::NIL;
    let mut own_filter = Filter::default();
    let mut peer_filter = Filter::default();
    loop {
        let body = loop {
            match take_frame(&mut buf, MAX_HANDSHAKE_FRAME) {
                Ok(Some(b)) => break b,
                Ok(None) => {}
                Err(_) => return Err(fail()),
            }
            match s.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return Err(fail()),
                Ok(_) => {}
            }
        };
        if body.is_empty() {
            return Err(fail());
        }
        let msg = match Handshake::decode(&body) {
            Ok(m) => m,
            Err(WireError::InvalidTag(_)) => {
                return Err(
                    drop_conn(&mut s, own, ec::INVALID_MESSAGE, "invalid message type tag").await,
                )
            }
            Err(_) => {
                return Err(
                    drop_conn(&mut s, own, ec::INVALID_MESSAGE, "failed to parse message").await,
                )
            }
        };
        let phase1 = matches!(
            state,
            HsState::Hello | HsState::HelloOrVersionSelect | HsState::VersionSelect
        );
        match msg {
            Handshake::Probe { .. } if phase1 => {}
            Handshake::DropConn {
                magic,
                sender,
                code,
                ..
            } if phase1 => {
                if magic != MAGIC {
                    return Err(drop_conn(
                        &mut s,
                        own,
                        ec::WRONG_MAGIC_NUMBER,
                        "wrong magic number",
                    )
                    .await);
                }
                return Err(HsFail {
                    redundant_from: (code == ec::REDUNDANT_CONNECTION).then_some(sender),
                });
            }
            Handshake::Hello {
                magic,
                sender,
                min_version,
                max_version,
            } if matches!(state, HsState::Hello | HsState::HelloOrVersionSelect) => {
                if magic != MAGIC {
                    return Err(drop_conn(
                        &mut s,
                        own,
                        ec::WRONG_MAGIC_NUMBER,
                        "wrong magic number",
                    )
                    .await);
                }
                if min_version > PROTOCOL_VERSION || max_version < PROTOCOL_VERSION {
                    return Err(drop_conn(
                        &mut s,
                        own,
                        ec::PEER_INCOMPATIBLE,
                        "unsupported versions offered",
                    )
                    .await);
                }
                let originator = own < sender;
                own_filter = query(&mut s, own, conn, sender, originator, tx).await?;
                peer = sender;
                if originator {
                    send_msgs(
                        &mut s,
                        &[
                            Handshake::VersionSelect {
                                magic: MAGIC,
                                sender: own,
                                version: PROTOCOL_VERSION,
                            },
                            Handshake::OriginatorSyn(own_filter.clone()),
                        ],
                    )
                    .await?;
                    state = HsState::SynAck;
                } else {
                    if state == HsState::Hello {
                        send_msgs(&mut s, &[Handshake::hello(own)]).await?;
                    }
                    state = HsState::VersionSelect;
                }
            }
            Handshake::VersionSelect {
                magic,
                sender,
                version,
            } if matches!(
                state,
                HsState::HelloOrVersionSelect | HsState::VersionSelect
            ) =>
            {
                if magic != MAGIC {
                    return Err(drop_conn(
                        &mut s,
                        own,
                        ec::WRONG_MAGIC_NUMBER,
                        "wrong magic number",
                    )
                    .await);
                }
                if version != PROTOCOL_VERSION {
                    return Err(drop_conn(
                        &mut s,
                        own,
                        ec::PEER_INCOMPATIBLE,
                        "unsupported version selected",
                    )
                    .await);
                }
                if state == HsState::HelloOrVersionSelect {
                    own_filter = query(&mut s, own, conn, sender, false, tx).await?;
                    peer = sender;
                }
                state = HsState::OriginatorSyn;
            }
            Handshake::OriginatorSyn(f) if state == HsState::OriginatorSyn => {
                peer_filter = f;
                send_msgs(&mut s, &[Handshake::ResponderSynAck(own_filter.clone())]).await?;
                state = HsState::OriginatorAck;
            }
            Handshake::ResponderSynAck(f) if state == HsState::SynAck => {
                send_msgs(&mut s, &[Handshake::OriginatorAck]).await?;
                return Ok((peer, f, s, buf));
            }
            Handshake::OriginatorAck if state == HsState::OriginatorAck => {
                return Ok((peer, peer_filter, s, buf));
            }
            _ => return Err(fail()),
        }
    }
}

/// Asks the core whether a peering with `peer` may go on (no duplicate,
/// not ourselves); answers with our current filter.
async fn query(
    s: &mut Stream,
    own: EndpointId,
    conn: u64,
    peer: EndpointId,
    originator: bool,
    tx: &mpsc::Sender<Event>,
) -> Result<Filter, HsFail> {
    let (rtx, rrx) = oneshot::channel();
    tx.send(Event::Query {
        conn,
        peer,
        originator,
        reply: rtx,
    })
    .await
    .map_err(|_| HsFail {
        redundant_from: None,
    })?;
    match rrx.await {
        Ok(Ok(f)) => Ok(f),
        Ok(Err((code, text))) => Err(drop_conn(s, own, code, text).await),
        Err(_) => Err(HsFail {
            redundant_from: None,
        }),
    }
}
