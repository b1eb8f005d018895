//! Broker 2.5 data stores for Zest: the memory and SQLite backends (the
//! SQLite schema is Broker's, so database files interoperate), the "add"
//! and "subtract" appliers, a master's semantics for every command
//! (`docs/broker-protocol.md` §5.5, §5.6), and replication between a
//! master and its clones on other endpoints over Broker's store channels
//! (§5.3, §5.4).
//!
//! Everything here is synchronous and knows nothing of the interpreter
//! or the network: the native library drives a [`Master`] or a [`Clone`]
//! with local commands, commands received from peers, the current time
//! and a tick every 100 ms, and takes from it the [`StoreEvent`]s each
//! change produces and the [`Outgoing`] commands to publish.

pub mod backend;
pub mod channel;
pub mod clone;
pub mod ops;

pub use backend::{Backend, BackendKind, SqliteOptions};
use channel::{Consumer, ConsumerOut, Producer, ProducerOut};
pub use clone::Clone;
use std::collections::BTreeMap;
use zest_broker::store::{Command, CommandClass, EntityId, InternalCommand};
use zest_broker::{Data, EndpointId};

/// Why a command or query failed (`broker::ec` names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    NoSuchKey,
    TypeClash,
    BackendFailure(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NoSuchKey => f.write_str("no_such_key"),
            StoreError::TypeClash => f.write_str("type_clash"),
            StoreError::BackendFailure(m) => write!(f, "backend_failure ({m})"),
        }
    }
}

/// One applied change, as Broker publishes it on
/// `<$>/local/data/store-events/NAME` (expiries are relative, in ns), with
/// the store front-end that caused it.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreEvent {
    Insert {
        key: Data,
        value: Data,
        expiry: Option<i64>,
        publisher: EntityId,
    },
    Update {
        key: Data,
        old: Data,
        new: Data,
        expiry: Option<i64>,
        publisher: EntityId,
    },
    Erase {
        key: Data,
        publisher: EntityId,
    },
    Expire {
        key: Data,
        publisher: EntityId,
    },
}

/// A store command to send: the topic, the node-message receiver (nil:
/// by topic) and the encoded `internal_command`.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub topic: Vec<u8>,
    pub receiver: EndpointId,
    pub payload: Vec<u8>,
}

/// The master of one store: its backend, its channel to the clones, one
/// channel from each clone's writer, and what it did.
pub struct Master {
    pub name: String,
    /// This store actor's entity (also the publisher of local changes).
    pub id: EntityId,
    backend: Backend,
    clones_topic: Vec<u8>,
    output: Producer,
    inputs: BTreeMap<EntityId, Consumer>,
    /// `ack_clone` messages sent but not yet acknowledged, by clone.
    open_handshakes: BTreeMap<EntityId, Vec<u8>>,
    /// Changes applied since the owner last took them.
    pub events: Vec<StoreEvent>,
    /// Commands to send since the owner last took them.
    pub outgoing: Vec<Outgoing>,
}

/// Absolute expiry from a relative one.
fn absolute(expiry: Option<i64>, now: i64) -> Option<i64> {
    expiry.map(|e| now.saturating_add(e))
}

impl Master {
    pub fn new(name: &str, backend: Backend, id: EntityId) -> Master {
        Master {
            name: name.to_owned(),
            id,
            backend,
            clones_topic: zest_broker::store::clone_topic(name),
            output: Producer::default(),
            inputs: BTreeMap::new(),
            open_handshakes: BTreeMap::new(),
            events: Vec::new(),
            outgoing: Vec::new(),
        }
    }

    /// Sends an update to every clone (none: nothing is sent).
    fn broadcast(&mut self, command: Command) {
        if self.output.paths().is_empty() {
            return;
        }
        let cmd = InternalCommand {
            seq: self.output.next_seq(),
            sender: self.id,
            receiver: EntityId::NIL,
            command,
        };
        let mut out = Vec::new();
        self.output.produce(cmd, &mut out);
        self.producer_out(out);
    }

    fn send(&mut self, to: EndpointId, cmd: &InternalCommand) {
        self.outgoing.push(Outgoing {
            topic: self.clones_topic.clone(),
            receiver: to,
            payload: cmd.to_bytes(),
        });
    }

    fn control(&mut self, to: EntityId, command: Command) {
        let cmd = InternalCommand {
            seq: 0,
            sender: self.id,
            receiver: to,
            command,
        };
        self.send(to.endpoint, &cmd);
    }

    fn producer_out(&mut self, out: Vec<ProducerOut>) {
        for o in out {
            match o {
                ProducerOut::Broadcast(cmd) => self.send(EndpointId::NIL, &cmd),
                ProducerOut::Send(to, cmd) => self.send(to.endpoint, &cmd),
                ProducerOut::Handshake {
                    to,
                    offset,
                    heartbeat_interval,
                } => {
                    if !self.open_handshakes.contains_key(&to) {
                        let state = self.backend.snapshot().unwrap_or_default();
                        let cmd = InternalCommand {
                            seq: offset,
                            sender: self.id,
                            receiver: to,
                            command: Command::AckClone {
                                offset,
                                heartbeat_interval,
                                state,
                            },
                        };
                        self.open_handshakes.insert(to, cmd.to_bytes());
                    }
                    if let Some(p) = self.open_handshakes.get(&to) {
                        self.outgoing.push(Outgoing {
                            topic: self.clones_topic.clone(),
                            receiver: to.endpoint,
                            payload: p.clone(),
                        });
                    }
                }
                ProducerOut::RetransmitFailed(to, seq) => {
                    self.control(to, Command::RetransmitFailed { seq })
                }
                ProducerOut::Heartbeat(seq) => {
                    self.control(EntityId::NIL, Command::Keepalive { seq })
                }
                ProducerOut::Drop(c) => {
                    self.open_handshakes.remove(&c);
                    self.inputs.remove(&c);
                }
                ProducerOut::HandshakeCompleted(c) => {
                    self.open_handshakes.remove(&c);
                }
            }
        }
    }

    fn consumer_out(&mut self, writer: EntityId, out: Vec<ConsumerOut>, now: i64) {
        for o in out {
            match o {
                ConsumerOut::Consume(c) => {
                    self.apply(c.command, now);
                }
                // A lost write: the master carries on without it.
                ConsumerOut::Nil => {}
                ConsumerOut::Ack(seq) => self.control(writer, Command::CumulativeAck { seq }),
                ConsumerOut::Nack(seqs) => self.control(writer, Command::Nack { seqs }),
            }
        }
    }

    /// A command from a clone (§5.4).
    pub fn dispatch(&mut self, cmd: InternalCommand, now: i64) {
        let sender = cmd.sender;
        match cmd.command.class() {
            CommandClass::Action => {
                let mut out = Vec::new();
                if let Some(c) = self.inputs.get_mut(&sender) {
                    c.handle_event(cmd.seq, cmd, &mut out);
                }
                self.consumer_out(sender, out, now);
            }
            CommandClass::ProducerControl => {
                let mut out = Vec::new();
                if let Some(c) = self.inputs.get_mut(&sender) {
                    match cmd.command {
                        Command::Keepalive { seq } => c.handle_heartbeat(seq),
                        Command::RetransmitFailed { seq } => {
                            c.handle_retransmit_failed(seq, &mut out)
                        }
                        _ => {}
                    }
                } else if let Command::AttachWriter {
                    offset,
                    heartbeat_interval,
                } = cmd.command
                {
                    let mut c = Consumer::new(false);
                    c.set_producer(sender);
                    if c.handle_handshake(offset, heartbeat_interval, &mut out) {
                        self.inputs.insert(sender, c);
                    }
                }
                self.consumer_out(sender, out, now);
            }
            CommandClass::ConsumerControl => {
                let mut out = Vec::new();
                match &cmd.command {
                    Command::CumulativeAck { seq } => {
                        self.output.handle_ack(sender, *seq, &mut out)
                    }
                    Command::Nack { seqs } => self.output.handle_nack(sender, seqs, &mut out),
                    _ => {}
                }
                self.producer_out(out);
            }
        }
    }

    /// One store tick (100 ms): the channels' timers and expiration.
    pub fn tick(&mut self, now: i64) {
        let mut out = Vec::new();
        self.output.tick(&mut out);
        self.producer_out(out);
        let writers: Vec<EntityId> = self.inputs.keys().copied().collect();
        for w in writers {
            let mut out = Vec::new();
            if let Some(c) = self.inputs.get_mut(&w) {
                c.tick(&mut out);
            }
            self.consumer_out(w, out, now);
        }
        self.expire(now);
    }

    /// Applies a store command (from the local front-end or a clone's
    /// writer) and broadcasts the result. For `put_unique`, whether it
    /// inserted.
    pub fn apply(&mut self, cmd: Command, now: i64) -> Option<bool> {
        match cmd {
            Command::Put {
                key,
                value,
                expiry,
                publisher,
            } => {
                let old = self.backend.get(&key).ok();
                if self
                    .backend
                    .put(&key, &value, absolute(expiry, now))
                    .is_err()
                {
                    return None;
                }
                self.events.push(match old {
                    Some(old) => StoreEvent::Update {
                        key: key.clone(),
                        old,
                        new: value.clone(),
                        expiry,
                        publisher,
                    },
                    None => StoreEvent::Insert {
                        key: key.clone(),
                        value: value.clone(),
                        expiry,
                        publisher,
                    },
                });
                self.broadcast(Command::Put {
                    key,
                    value,
                    expiry,
                    publisher,
                });
                None
            }
            Command::PutUnique {
                key,
                value,
                expiry,
                who,
                req_id,
                publisher,
            } => {
                let result = |m: &mut Master, inserted: bool| {
                    m.broadcast(Command::PutUniqueResult {
                        inserted,
                        who,
                        req_id,
                        publisher: m.id,
                    });
                    Some(inserted)
                };
                if self.backend.exists(&key).unwrap_or(false) {
                    return result(self, false);
                }
                if self
                    .backend
                    .put(&key, &value, absolute(expiry, now))
                    .is_err()
                {
                    return result(self, false);
                }
                self.events.push(StoreEvent::Insert {
                    key: key.clone(),
                    value: value.clone(),
                    expiry,
                    publisher,
                });
                self.broadcast(Command::Put {
                    key,
                    value,
                    expiry,
                    publisher,
                });
                result(self, true)
            }
            Command::Erase { key, publisher } => {
                if self.backend.exists(&key).unwrap_or(false) && self.backend.erase(&key).is_ok() {
                    self.events.push(StoreEvent::Erase {
                        key: key.clone(),
                        publisher,
                    });
                    self.broadcast(Command::Erase { key, publisher });
                }
                None
            }
            Command::Add {
                key,
                value,
                init_type,
                expiry,
                publisher,
            } => {
                let old = self.backend.get(&key).ok();
                let start = match &old {
                    Some(v) => v.clone(),
                    None => ops::initial_value(init_type)?,
                };
                let new = ops::add(start, &value).ok()?;
                self.backend.put(&key, &new, absolute(expiry, now)).ok()?;
                self.put_event(key, old, new, publisher);
                None
            }
            Command::Subtract {
                key,
                value,
                expiry,
                publisher,
            } => {
                let old = self.backend.get(&key).ok()?;
                let new = ops::subtract(old.clone(), &value).ok()?;
                self.backend.put(&key, &new, absolute(expiry, now)).ok()?;
                self.put_event(key, Some(old), new, publisher);
                None
            }
            Command::Clear { publisher } => {
                let keys = self.backend.keys().unwrap_or_default();
                if self.backend.clear().is_ok() {
                    for key in keys {
                        self.events.push(StoreEvent::Erase { key, publisher });
                    }
                    self.broadcast(Command::Clear { publisher });
                }
                None
            }
            _ => None,
        }
    }

    /// The events and broadcast of an `add` or `subtract`: a `put` of the
    /// new value without expiry.
    fn put_event(&mut self, key: Data, old: Option<Data>, new: Data, publisher: EntityId) {
        self.events.push(match old {
            Some(old) => StoreEvent::Update {
                key: key.clone(),
                old,
                new: new.clone(),
                expiry: None,
                publisher,
            },
            None => StoreEvent::Insert {
                key: key.clone(),
                value: new.clone(),
                expiry: None,
                publisher,
            },
        });
        self.broadcast(Command::Put {
            key,
            value: new,
            expiry: None,
            publisher,
        });
    }

    /// Removes the entries whose expiry lies before `now`.
    pub fn expire(&mut self, now: i64) {
        for key in self.backend.expired(now).unwrap_or_default() {
            if self.backend.erase(&key).is_ok() {
                self.events.push(StoreEvent::Expire {
                    key: key.clone(),
                    publisher: self.id,
                });
                self.broadcast(Command::Expire {
                    key,
                    publisher: self.id,
                });
            }
        }
    }

    pub fn get(&self, key: &Data) -> Result<Data, StoreError> {
        self.backend.get(key)
    }

    /// Ends the master without closing its backend (see
    /// [`Backend::abandon`]).
    pub fn abandon(self) {
        self.backend.abandon();
    }

    /// `get(key, aspect)`: an element of a container value.
    pub fn get_index_from_value(&self, key: &Data, index: &Data) -> Result<Data, StoreError> {
        ops::retrieve(&self.backend.get(key)?, index)
    }

    pub fn exists(&self, key: &Data) -> Result<bool, StoreError> {
        self.backend.exists(key)
    }

    /// All keys as a set.
    pub fn keys(&self) -> Result<Data, StoreError> {
        Ok(Data::Set(self.backend.keys()?.into_iter().collect()))
    }

    pub fn size(&self) -> Result<u64, StoreError> {
        self.backend.size()
    }

    /// Every entry (the snapshot a clone receives).
    pub fn snapshot(&self) -> Result<Vec<(Data, Data)>, StoreError> {
        self.backend.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Data {
        Data::string(x)
    }

    const P: EntityId = EntityId {
        endpoint: EndpointId([1; 16]),
        object: 7,
    };

    fn put(m: &mut Master, k: Data, v: Data, expiry: Option<i64>, now: i64) {
        m.apply(
            Command::Put {
                key: k,
                value: v,
                expiry,
                publisher: P,
            },
            now,
        );
    }

    fn add(m: &mut Master, k: Data, v: Data, init_type: u8) {
        m.apply(
            Command::Add {
                key: k,
                value: v,
                init_type,
                expiry: None,
                publisher: P,
            },
            0,
        );
    }

    fn sub(m: &mut Master, k: Data, v: Data) {
        m.apply(
            Command::Subtract {
                key: k,
                value: v,
                expiry: None,
                publisher: P,
            },
            0,
        );
    }

    fn put_unique(m: &mut Master, k: Data, v: Data) -> Option<bool> {
        m.apply(
            Command::PutUnique {
                key: k,
                value: v,
                expiry: None,
                who: P,
                req_id: 1,
                publisher: P,
            },
            0,
        )
    }

    #[test]
    fn master_semantics_in_memory() {
        let mut m = Master::new("t", Backend::memory(), P);
        put(&mut m, s("one"), s("110"), None, 0);
        put(&mut m, s("one"), Data::Count(1), None, 0);
        assert_eq!(m.get(&s("one")), Ok(Data::Count(1)));
        assert_eq!(m.events.len(), 2);
        assert!(matches!(m.events[1], StoreEvent::Update { .. }));
        assert_eq!(put_unique(&mut m, s("one"), Data::Count(5)), Some(false));
        assert_eq!(put_unique(&mut m, s("two"), Data::Count(5)), Some(true));
        add(&mut m, s("c"), Data::Count(3), 2);
        add(&mut m, s("c"), Data::Count(4), 2);
        assert_eq!(m.get(&s("c")), Ok(Data::Count(7)));
        sub(&mut m, s("c"), Data::Count(2));
        assert_eq!(m.get(&s("c")), Ok(Data::Count(5)));
        add(&mut m, s("v"), s("x"), 14);
        add(&mut m, s("v"), s("y"), 14);
        assert_eq!(m.get_index_from_value(&s("v"), &Data::Count(1)), Ok(s("y")));
        sub(&mut m, s("v"), Data::None);
        assert_eq!(m.get(&s("v")), Ok(Data::Vector(vec![s("x")])));
        put(&mut m, s("e"), Data::Count(1), Some(10), 100);
        m.expire(105);
        assert!(m.exists(&s("e")).unwrap());
        m.expire(111);
        assert!(!m.exists(&s("e")).unwrap());
        assert_eq!(m.get(&s("nope")), Err(StoreError::NoSuchKey));
        m.apply(
            Command::Erase {
                key: s("one"),
                publisher: P,
            },
            0,
        );
        assert!(!m.exists(&s("one")).unwrap());
        m.apply(Command::Clear { publisher: P }, 0);
        assert_eq!(m.size(), Ok(0));
        // Without clones nothing is sent.
        assert!(m.outgoing.is_empty());
    }

    /// Moves every pending command between a master and its clones, as
    /// the network would (node receivers are honoured).
    fn pump(m: &mut Master, clones: &mut [&mut Clone], drop_nth: &mut Option<usize>) {
        loop {
            let mut moved = false;
            for o in std::mem::take(&mut m.outgoing) {
                moved = true;
                if let Some(n) = drop_nth {
                    if *n == 0 {
                        *drop_nth = None;
                        continue;
                    }
                    *n -= 1;
                }
                let cmd = InternalCommand::decode(&o.payload).unwrap();
                for c in clones.iter_mut() {
                    if o.receiver.is_nil() || o.receiver == c.id.endpoint {
                        c.dispatch(cmd.clone());
                    }
                }
            }
            for c in clones.iter_mut() {
                for o in std::mem::take(&mut c.outgoing) {
                    moved = true;
                    let cmd = InternalCommand::decode(&o.payload).unwrap();
                    m.dispatch(cmd, 0);
                }
            }
            if !moved {
                return;
            }
        }
    }

    #[test]
    fn master_and_clones() {
        let mid = EntityId {
            endpoint: EndpointId([2; 16]),
            object: 7,
        };
        let mut m = Master::new("test", Backend::memory(), mid);
        put(&mut m, s("one"), s("110"), None, 0);
        let mut c1 = Clone::new("test", P);
        let mut c2 = Clone::new(
            "test",
            EntityId {
                endpoint: EndpointId([3; 16]),
                object: 7,
            },
        );
        // A write made before the master is known waits for it.
        c1.write(Command::Put {
            key: s("early"),
            value: Data::Count(1),
            expiry: None,
            publisher: P,
        });
        let mut none = None;
        pump(&mut m, &mut [&mut c1, &mut c2], &mut none);
        assert!(c1.has_master() && c2.has_master());
        assert_eq!(c1.get(&s("one")), Ok(s("110")));
        assert_eq!(c2.get(&s("early")), Ok(Data::Count(1)));
        assert_eq!(m.get(&s("early")), Ok(Data::Count(1)));
        // An update lost on the way to the clones is recovered by NACK.
        let mut drop = Some(0);
        put(&mut m, s("two"), Data::Count(2), None, 0);
        put(&mut m, s("three"), Data::Count(3), None, 0);
        pump(&mut m, &mut [&mut c1, &mut c2], &mut drop);
        assert_eq!(c1.get(&s("two")), Err(StoreError::NoSuchKey));
        for _ in 0..5 {
            c1.tick();
            c2.tick();
            m.tick(0);
            pump(&mut m, &mut [&mut c1, &mut c2], &mut none);
        }
        assert_eq!(c1.get(&s("two")), Ok(Data::Count(2)));
        assert_eq!(c2.get(&s("three")), Ok(Data::Count(3)));
        // put_unique from a clone.
        c2.write(Command::PutUnique {
            key: s("one"),
            value: Data::Count(9),
            expiry: None,
            who: P,
            req_id: 4,
            publisher: c2.id,
        });
        pump(&mut m, &mut [&mut c1, &mut c2], &mut none);
        assert_eq!(c2.results, vec![(P, 4, false)]);
    }

    #[test]
    fn clone_without_master_gives_up() {
        let mut c = Clone::new("x", P);
        for _ in 0..clone::MASTER_TIMEOUT_TICKS {
            c.tick();
        }
        assert!(c.dead);
    }

    #[test]
    fn sqlite_round_trip() {
        let dir = std::env::temp_dir().join(format!("zest-store-test-{}", std::process::id()));
        let path = dir.join("sub").join("db.sqlite");
        let opts = SqliteOptions {
            path: path.to_string_lossy().into_owned(),
            ..SqliteOptions::default()
        };
        {
            let mut m = Master::new("t", Backend::sqlite(&opts, |_| {}).unwrap(), P);
            put(&mut m, s("a"), Data::Count(1), None, 0);
            put(&mut m, s("b"), Data::Set([s("x")].into()), Some(5), 10);
            add(&mut m, s("b"), s("y"), 12);
        }
        let m = Master::new("t", Backend::sqlite(&opts, |_| {}).unwrap(), P);
        assert_eq!(m.get(&s("a")), Ok(Data::Count(1)));
        assert_eq!(m.get(&s("b")), Ok(Data::Set([s("x"), s("y")].into())));
        assert_eq!(m.size(), Ok(2));
        let _ = std::fs::remove_dir_all(dir);
    }
}
