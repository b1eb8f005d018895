//! A clone of a store whose master lives on a peer (Broker's
//! `clone_actor.cc`): it attaches with `nack([0])`, takes the master's
//! snapshot from `ack_clone`, applies the master's updates in order, and
//! sends its own writes to the master over a channel of its own (§5.4).

use crate::channel::{Consumer, ConsumerOut, Producer, ProducerOut};
use crate::{ops, Outgoing, StoreError, StoreEvent};
use std::collections::BTreeMap;
use zest_broker::store::{Command, CommandClass, EntityId, InternalCommand};
use zest_broker::{Data, EndpointId};

/// Ticks a clone waits for its master before it gives up (10 s).
pub const MASTER_TIMEOUT_TICKS: u32 = 100;

pub struct Clone {
    pub name: String,
    /// This store actor's entity (the publisher of its writes).
    pub id: EntityId,
    master_topic: Vec<u8>,
    store: BTreeMap<Data, Data>,
    input: Consumer,
    master_id: Option<EntityId>,
    output: Option<Producer>,
    /// Writes made before the master answered.
    stalled: Vec<Command>,
    /// Ticks spent without a master, until one is found.
    waiting_ticks: Option<u32>,
    /// No master was found in time: the clone is gone.
    pub dead: bool,
    /// Changes applied since the owner last took them.
    pub events: Vec<StoreEvent>,
    /// Commands to send since the owner last took them.
    pub outgoing: Vec<Outgoing>,
    /// `put_unique` answers: requester, request id, inserted.
    pub results: Vec<(EntityId, u64, bool)>,
}

impl Clone {
    /// A new clone; it asks for its master at once.
    pub fn new(name: &str, id: EntityId) -> Clone {
        let mut c = Clone {
            name: name.to_owned(),
            id,
            master_topic: zest_broker::store::master_topic(name),
            store: BTreeMap::new(),
            input: Consumer::new(true),
            master_id: None,
            output: None,
            stalled: Vec::new(),
            waiting_ticks: Some(0),
            dead: false,
            events: Vec::new(),
            outgoing: Vec::new(),
            results: Vec::new(),
        };
        c.consumer_out(vec![ConsumerOut::Nack(vec![0])]);
        c
    }

    /// Whether the master's snapshot has arrived (reads are answered).
    pub fn has_master(&self) -> bool {
        self.input.initialized()
    }

    fn master(&self) -> EntityId {
        self.master_id.unwrap_or(EntityId::NIL)
    }

    fn send(&mut self, receiver: EndpointId, cmd: &InternalCommand) {
        self.outgoing.push(Outgoing {
            topic: self.master_topic.clone(),
            receiver,
            payload: cmd.to_bytes(),
        });
    }

    fn control(&mut self, receiver: EntityId, node: EndpointId, command: Command) {
        let cmd = InternalCommand {
            seq: 0,
            sender: self.id,
            receiver,
            command,
        };
        self.send(node, &cmd);
    }

    fn consumer_out(&mut self, out: Vec<ConsumerOut>) {
        for o in out {
            match o {
                ConsumerOut::Consume(c) => self.consume(c.command),
                // The channel was reset: the clone is out of sync.
                ConsumerOut::Nil => {}
                ConsumerOut::Ack(seq) => {
                    let m = self.master();
                    let node = self.input.producer().endpoint;
                    self.control(m, node, Command::CumulativeAck { seq });
                }
                ConsumerOut::Nack(seqs) => {
                    let m = self.master();
                    let node = if self.input.initialized() {
                        m.endpoint
                    } else {
                        EndpointId::NIL
                    };
                    self.control(m, node, Command::Nack { seqs });
                }
            }
        }
    }

    fn producer_out(&mut self, out: Vec<ProducerOut>) {
        let m = self.master();
        for o in out {
            match o {
                ProducerOut::Broadcast(cmd) => self.send(EndpointId::NIL, &cmd),
                ProducerOut::Send(dst, mut cmd) => {
                    cmd.receiver = dst;
                    self.send(EndpointId::NIL, &cmd);
                }
                ProducerOut::Handshake {
                    offset,
                    heartbeat_interval,
                    ..
                } => self.control(
                    m,
                    EndpointId::NIL,
                    Command::AttachWriter {
                        offset,
                        heartbeat_interval,
                    },
                ),
                ProducerOut::RetransmitFailed(_, seq) => {
                    self.control(m, EndpointId::NIL, Command::RetransmitFailed { seq })
                }
                ProducerOut::Heartbeat(seq) => {
                    // Until the master acknowledges the writer, the
                    // heartbeat repeats the attach_writer handshake.
                    let pending: Vec<(u64, u16)> = self
                        .output
                        .as_ref()
                        .map(|p| {
                            p.paths()
                                .iter()
                                .filter(|x| x.acked == 0)
                                .map(|x| (x.offset, p.heartbeat_interval()))
                                .collect()
                        })
                        .unwrap_or_default();
                    for (offset, heartbeat_interval) in pending {
                        self.control(
                            m,
                            EndpointId::NIL,
                            Command::AttachWriter {
                                offset,
                                heartbeat_interval,
                            },
                        );
                    }
                    self.control(EntityId::NIL, EndpointId::NIL, Command::Keepalive { seq });
                }
                ProducerOut::Drop(_) | ProducerOut::HandshakeCompleted(_) => {}
            }
        }
    }

    /// A command from the master (§5.4).
    pub fn dispatch(&mut self, cmd: InternalCommand) {
        if self.dead {
            return;
        }
        if self.input.initialized() && cmd.sender != self.input.producer() {
            return;
        }
        let for_me = cmd.receiver == self.id;
        match cmd.command.class() {
            CommandClass::Action => {
                let mut out = Vec::new();
                self.input.handle_event(cmd.seq, cmd, &mut out);
                self.consumer_out(out);
            }
            CommandClass::ProducerControl => {
                if !for_me {
                    return;
                }
                let mut out = Vec::new();
                match cmd.command {
                    Command::AckClone {
                        offset,
                        heartbeat_interval,
                        state,
                    } => {
                        if self.master_id.is_some() {
                            return;
                        }
                        self.master_id = Some(cmd.sender);
                        self.input.set_producer(cmd.sender);
                        if self
                            .input
                            .handle_handshake(offset, heartbeat_interval, &mut out)
                        {
                            self.set_store(state);
                            self.consumer_out(out);
                            self.start_output();
                        }
                        return;
                    }
                    Command::Keepalive { seq } if self.input.initialized() => {
                        self.input.handle_heartbeat(seq);
                    }
                    Command::RetransmitFailed { seq } if self.input.initialized() => {
                        self.input.handle_retransmit_failed(seq, &mut out);
                    }
                    _ => {}
                }
                self.consumer_out(out);
            }
            CommandClass::ConsumerControl => {
                if !for_me {
                    return;
                }
                let mut out = Vec::new();
                let Some(p) = self.output.as_mut() else {
                    return;
                };
                match &cmd.command {
                    Command::CumulativeAck { seq } => p.handle_ack(cmd.sender, *seq, &mut out),
                    Command::Nack { seqs } => p.handle_nack(cmd.sender, seqs, &mut out),
                    _ => {}
                }
                self.producer_out(out);
            }
        }
    }

    /// One store tick (100 ms).
    pub fn tick(&mut self) {
        if self.dead {
            return;
        }
        let mut out = Vec::new();
        self.input.tick(&mut out);
        self.consumer_out(out);
        if let Some(p) = self.output.as_mut() {
            let mut out = Vec::new();
            p.tick(&mut out);
            self.producer_out(out);
        }
        if let Some(w) = self.waiting_ticks {
            if self.has_master() {
                self.waiting_ticks = None;
            } else if w + 1 >= MASTER_TIMEOUT_TICKS {
                self.dead = true;
            } else {
                self.waiting_ticks = Some(w + 1);
            }
        }
    }

    /// A write from the local front-end: goes to the master (buffered
    /// until the master is known). Clones never apply writes themselves.
    pub fn write(&mut self, command: Command) {
        if self.dead {
            return;
        }
        let receiver = self.master();
        let sender = self.id;
        let Some(p) = self.output.as_mut() else {
            self.stalled.push(command);
            return;
        };
        let cmd = InternalCommand {
            seq: p.next_seq(),
            sender,
            receiver,
            command,
        };
        let mut out = Vec::new();
        p.produce(cmd, &mut out);
        self.producer_out(out);
    }

    fn start_output(&mut self) {
        if self.output.is_some() {
            return;
        }
        let mut p = Producer::default();
        let mut out = Vec::new();
        p.add(self.master(), &mut out);
        self.output = Some(p);
        self.producer_out(out);
        for c in std::mem::take(&mut self.stalled) {
            self.write(c);
        }
    }

    fn consume(&mut self, command: Command) {
        match command {
            Command::Put {
                key,
                value,
                expiry,
                publisher,
            } => {
                let ev = match self.store.get(&key) {
                    Some(old) => StoreEvent::Update {
                        key: key.clone(),
                        old: old.clone(),
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
                };
                self.events.push(ev);
                self.store.insert(key, value);
            }
            Command::PutUniqueResult {
                inserted,
                who,
                req_id,
                ..
            } => self.results.push((who, req_id, inserted)),
            Command::Erase { key, publisher } if self.store.remove(&key).is_some() => {
                self.events.push(StoreEvent::Erase { key, publisher });
            }
            Command::Expire { key, publisher } if self.store.remove(&key).is_some() => {
                self.events.push(StoreEvent::Expire { key, publisher });
            }
            Command::Clear { publisher } => {
                for key in std::mem::take(&mut self.store).into_keys() {
                    self.events.push(StoreEvent::Erase { key, publisher });
                }
            }
            _ => {}
        }
    }

    /// The master's snapshot replaces the local state, with events for
    /// every difference.
    fn set_store(&mut self, state: Vec<(Data, Data)>) {
        let publisher = self.input.producer();
        let new: BTreeMap<Data, Data> = state.into_iter().collect();
        if new.is_empty() {
            if !self.store.is_empty() {
                self.consume(Command::Clear { publisher });
            }
            return;
        }
        for (key, old) in &self.store {
            match new.get(key) {
                None => self.events.push(StoreEvent::Erase {
                    key: key.clone(),
                    publisher: EntityId::NIL,
                }),
                Some(v) => self.events.push(StoreEvent::Update {
                    key: key.clone(),
                    old: old.clone(),
                    new: v.clone(),
                    expiry: None,
                    publisher,
                }),
            }
        }
        for (key, value) in &new {
            if !self.store.contains_key(key) {
                self.events.push(StoreEvent::Insert {
                    key: key.clone(),
                    value: value.clone(),
                    expiry: None,
                    publisher,
                });
            }
        }
        self.store = new;
    }

    pub fn get(&self, key: &Data) -> Result<Data, StoreError> {
        self.store.get(key).cloned().ok_or(StoreError::NoSuchKey)
    }

    pub fn get_index_from_value(&self, key: &Data, index: &Data) -> Result<Data, StoreError> {
        ops::retrieve(self.store.get(key).ok_or(StoreError::NoSuchKey)?, index)
    }

    pub fn exists(&self, key: &Data) -> bool {
        self.store.contains_key(key)
    }

    pub fn keys(&self) -> Data {
        Data::Set(self.store.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use zest_broker::wire::{take_frame, Handshake, MessageType, NodeMessage};

    /// The store commands of one direction of a captured session.
    fn commands(path: &str) -> Option<Vec<(EndpointId, Vec<u8>)>> {
        let bytes = std::fs::read(path).ok()?;
        let mut buf = BytesMut::from(&bytes[..]);
        let mut out = Vec::new();
        while let Ok(Some(body)) = take_frame(&mut buf, 1 << 20) {
            if Handshake::decode(&body).is_ok() {
                continue;
            }
            let m = NodeMessage::decode(body).ok()?;
            if m.kind == MessageType::Command {
                out.push((m.receiver, m.payload.to_vec()));
            }
        }
        Some(out)
    }

    /// A Zest clone fed what a Zeek 5.2 master sent answers as the Zeek
    /// clone did, byte for byte, and ends with the same contents.
    #[test]
    fn replays_a_captured_zeek_master() {
        let dir = "/work/shared/zeek-5.2/reference/wire/store-clone";
        let (Some(from_master), Some(from_clone)) = (
            commands(&format!("{dir}/conn1.server-to-client.bin")),
            commands(&format!("{dir}/conn1.client-to-server.bin")),
        ) else {
            return;
        };
        let first = InternalCommand::decode(&from_clone[0].1).unwrap();
        let mut c = Clone::new("test", first.sender);
        // nack([0]) by topic, then (on ack_clone) cumulative_ack(1) to the
        // master and attach_writer by topic.
        let mut sent: Vec<(EndpointId, Vec<u8>)> = std::mem::take(&mut c.outgoing)
            .into_iter()
            .map(|o| (o.receiver, o.payload))
            .collect();
        c.dispatch(InternalCommand::decode(&from_master[0].1).unwrap());
        sent.extend(c.outgoing.drain(..).map(|o| (o.receiver, o.payload)));
        assert_eq!(sent, from_clone[..3].to_vec());
        for (_, p) in &from_master[1..] {
            c.dispatch(InternalCommand::decode(p).unwrap());
        }
        let s = Data::string;
        assert_eq!(c.get(&s("one")), Ok(s("110")));
        assert_eq!(c.get(&s("two")), Err(StoreError::NoSuchKey));
        assert_eq!(c.get(&s("four")), Err(StoreError::NoSuchKey));
        assert_eq!(c.get(&s("temp")), Err(StoreError::NoSuchKey));
        assert_eq!(c.get(&s("counter")), Ok(Data::Count(16)));
        assert_eq!(c.get(&s("six")), Ok(s("666")));
        assert_eq!(c.get(&s("five")), Ok(s("555")));
        assert!(c.has_master());
    }

    /// A Zest master answers a captured Zeek clone's attach as the Zeek
    /// master did.
    #[test]
    fn answers_a_captured_zeek_clone() {
        let dir = "/work/shared/zeek-5.2/reference/wire/store-clone";
        let (Some(from_master), Some(from_clone)) = (
            commands(&format!("{dir}/conn1.server-to-client.bin")),
            commands(&format!("{dir}/conn1.client-to-server.bin")),
        ) else {
            return;
        };
        let ack_clone = InternalCommand::decode(&from_master[0].1).unwrap();
        let Command::AckClone { state, .. } = &ack_clone.command else {
            panic!("not ack_clone");
        };
        let mut m = crate::Master::new("test", crate::Backend::memory(), ack_clone.sender);
        for (k, v) in state {
            m.apply(
                Command::Put {
                    key: k.clone(),
                    value: v.clone(),
                    expiry: None,
                    publisher: m.id,
                },
                0,
            );
        }
        for (_, p) in &from_clone[..3] {
            m.dispatch(InternalCommand::decode(p).unwrap(), 0);
        }
        let out: Vec<_> = m.outgoing.drain(..).collect();
        assert_eq!(out.len(), 2);
        let got = InternalCommand::decode(&out[0].payload).unwrap();
        let (Command::AckClone { state: a, .. }, Command::AckClone { state: b, .. }) =
            (&got.command, &ack_clone.command)
        else {
            panic!("not ack_clone");
        };
        let sorted = |x: &[(Data, Data)]| x.iter().cloned().collect::<BTreeMap<_, _>>();
        assert_eq!(sorted(a), sorted(b));
        assert_eq!(
            (got.seq, got.sender, got.receiver),
            (1, ack_clone.sender, ack_clone.receiver)
        );
        assert_eq!(out[0].receiver, from_master[0].0);
        assert_eq!((out[1].receiver, out[1].payload.clone()), from_master[1]);
    }
}
