//! Data store traffic on the wire (§5.2): entity IDs, the
//! `internal_command` encoding, and the store topics (§5.1).

use crate::codec::{self, DecodeError, Reader};
use crate::data::Data;
use crate::id::EndpointId;

/// The suffix of the topic a store's master subscribes to.
pub const MASTER_SUFFIX: &[u8] = b"/<$>/data/master";
/// The suffix of the topic a store's clones subscribe to.
pub const CLONE_SUFFIX: &[u8] = b"/<$>/data/clone";

/// `N/<$>/data/master`.
pub fn master_topic(name: &str) -> Vec<u8> {
    let mut t = name.as_bytes().to_vec();
    t.extend_from_slice(MASTER_SUFFIX);
    t
}

/// `N/<$>/data/clone`.
pub fn clone_topic(name: &str) -> Vec<u8> {
    let mut t = name.as_bytes().to_vec();
    t.extend_from_slice(CLONE_SUFFIX);
    t
}

/// Splits a store topic into the store name and whether it is the
/// master's topic.
pub fn parse_topic(topic: &[u8]) -> Option<(&[u8], bool)> {
    if let Some(n) = topic.strip_suffix(MASTER_SUFFIX) {
        return Some((n, true));
    }
    topic.strip_suffix(CLONE_SUFFIX).map(|n| (n, false))
}

/// A store actor: its endpoint and an object number on that endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId {
    pub endpoint: EndpointId,
    pub object: u64,
}

impl EntityId {
    pub const NIL: EntityId = EntityId {
        endpoint: EndpointId::NIL,
        object: 0,
    };

    pub fn is_nil(&self) -> bool {
        self.endpoint.is_nil() && self.object == 0
    }

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.endpoint.0);
        out.extend_from_slice(&self.object.to_be_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<EntityId, DecodeError> {
        Ok(EntityId {
            endpoint: EndpointId(r.array()?),
            object: r.u64()?,
        })
    }
}

/// The body of an `internal_command`, by kind (§5.2).
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Put {
        key: Data,
        value: Data,
        expiry: Option<i64>,
        publisher: EntityId,
    },
    PutUnique {
        key: Data,
        value: Data,
        expiry: Option<i64>,
        who: EntityId,
        req_id: u64,
        publisher: EntityId,
    },
    PutUniqueResult {
        inserted: bool,
        who: EntityId,
        req_id: u64,
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
    Add {
        key: Data,
        value: Data,
        init_type: u8,
        expiry: Option<i64>,
        publisher: EntityId,
    },
    Subtract {
        key: Data,
        value: Data,
        expiry: Option<i64>,
        publisher: EntityId,
    },
    Clear {
        publisher: EntityId,
    },
    AttachWriter {
        offset: u64,
        heartbeat_interval: u16,
    },
    Keepalive {
        seq: u64,
    },
    CumulativeAck {
        seq: u64,
    },
    Nack {
        seqs: Vec<u64>,
    },
    AckClone {
        offset: u64,
        heartbeat_interval: u16,
        state: Vec<(Data, Data)>,
    },
    RetransmitFailed {
        seq: u64,
    },
}

/// How a command takes part in a channel (`command_tag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandClass {
    Action,
    ProducerControl,
    ConsumerControl,
}

impl Command {
    pub fn kind(&self) -> u8 {
        match self {
            Command::Put { .. } => 0,
            Command::PutUnique { .. } => 1,
            Command::PutUniqueResult { .. } => 2,
            Command::Erase { .. } => 3,
            Command::Expire { .. } => 4,
            Command::Add { .. } => 5,
            Command::Subtract { .. } => 6,
            Command::Clear { .. } => 7,
            Command::AttachWriter { .. } => 8,
            Command::Keepalive { .. } => 9,
            Command::CumulativeAck { .. } => 10,
            Command::Nack { .. } => 11,
            Command::AckClone { .. } => 12,
            Command::RetransmitFailed { .. } => 13,
        }
    }

    pub fn class(&self) -> CommandClass {
        match self.kind() {
            0..=7 => CommandClass::Action,
            10 | 11 => CommandClass::ConsumerControl,
            _ => CommandClass::ProducerControl,
        }
    }
}

/// One `internal_command`: sequence number, sender and receiver entities,
/// and the command.
#[derive(Clone, Debug, PartialEq)]
pub struct InternalCommand {
    pub seq: u64,
    pub sender: EntityId,
    pub receiver: EntityId,
    pub command: Command,
}

fn put_opt_span(out: &mut Vec<u8>, e: Option<i64>) {
    match e {
        None => out.push(0),
        Some(ns) => {
            out.push(1);
            out.extend_from_slice(&ns.to_be_bytes());
        }
    }
}

fn read_opt_span(r: &mut Reader<'_>) -> Result<Option<i64>, DecodeError> {
    Ok(match r.u8()? {
        0 => None,
        _ => Some(r.u64()? as i64),
    })
}

impl InternalCommand {
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.seq.to_be_bytes());
        self.sender.put(out);
        self.receiver.put(out);
        out.push(self.command.kind());
        match &self.command {
            Command::Put {
                key,
                value,
                expiry,
                publisher,
            } => {
                codec::encode(key, out);
                codec::encode(value, out);
                put_opt_span(out, *expiry);
                publisher.put(out);
            }
            Command::PutUnique {
                key,
                value,
                expiry,
                who,
                req_id,
                publisher,
            } => {
                codec::encode(key, out);
                codec::encode(value, out);
                put_opt_span(out, *expiry);
                who.put(out);
                out.extend_from_slice(&req_id.to_be_bytes());
                publisher.put(out);
            }
            Command::PutUniqueResult {
                inserted,
                who,
                req_id,
                publisher,
            } => {
                out.push(u8::from(*inserted));
                who.put(out);
                out.extend_from_slice(&req_id.to_be_bytes());
                publisher.put(out);
            }
            Command::Erase { key, publisher } | Command::Expire { key, publisher } => {
                codec::encode(key, out);
                publisher.put(out);
            }
            Command::Add {
                key,
                value,
                init_type,
                expiry,
                publisher,
            } => {
                codec::encode(key, out);
                codec::encode(value, out);
                out.push(*init_type);
                put_opt_span(out, *expiry);
                publisher.put(out);
            }
            Command::Subtract {
                key,
                value,
                expiry,
                publisher,
            } => {
                codec::encode(key, out);
                codec::encode(value, out);
                put_opt_span(out, *expiry);
                publisher.put(out);
            }
            Command::Clear { publisher } => publisher.put(out),
            Command::AttachWriter {
                offset,
                heartbeat_interval,
            } => {
                out.extend_from_slice(&offset.to_be_bytes());
                out.extend_from_slice(&heartbeat_interval.to_be_bytes());
            }
            Command::Keepalive { seq }
            | Command::CumulativeAck { seq }
            | Command::RetransmitFailed { seq } => out.extend_from_slice(&seq.to_be_bytes()),
            Command::Nack { seqs } => {
                codec::put_varbyte(out, seqs.len());
                for s in seqs {
                    out.extend_from_slice(&s.to_be_bytes());
                }
            }
            Command::AckClone {
                offset,
                heartbeat_interval,
                state,
            } => {
                out.extend_from_slice(&offset.to_be_bytes());
                out.extend_from_slice(&heartbeat_interval.to_be_bytes());
                codec::put_varbyte(out, state.len());
                for (k, v) in state {
                    codec::encode(k, out);
                    codec::encode(v, out);
                }
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        self.encode(&mut v);
        v
    }

    /// Decodes a command that must fill `buf` exactly.
    pub fn decode(buf: &[u8]) -> Result<InternalCommand, DecodeError> {
        let mut r = Reader::new(buf);
        let seq = r.u64()?;
        let sender = EntityId::read(&mut r)?;
        let receiver = EntityId::read(&mut r)?;
        let kind = r.u8()?;
        let command = match kind {
            0 => Command::Put {
                key: r.data()?,
                value: r.data()?,
                expiry: read_opt_span(&mut r)?,
                publisher: EntityId::read(&mut r)?,
            },
            1 => Command::PutUnique {
                key: r.data()?,
                value: r.data()?,
                expiry: read_opt_span(&mut r)?,
                who: EntityId::read(&mut r)?,
                req_id: r.u64()?,
                publisher: EntityId::read(&mut r)?,
            },
            2 => Command::PutUniqueResult {
                inserted: r.u8()? != 0,
                who: EntityId::read(&mut r)?,
                req_id: r.u64()?,
                publisher: EntityId::read(&mut r)?,
            },
            3 => Command::Erase {
                key: r.data()?,
                publisher: EntityId::read(&mut r)?,
            },
            4 => Command::Expire {
                key: r.data()?,
                publisher: EntityId::read(&mut r)?,
            },
            5 => {
                let key = r.data()?;
                let value = r.data()?;
                let init_type = r.u8()?;
                if init_type > 14 {
                    return Err(DecodeError::BadTag(init_type));
                }
                Command::Add {
                    key,
                    value,
                    init_type,
                    expiry: read_opt_span(&mut r)?,
                    publisher: EntityId::read(&mut r)?,
                }
            }
            6 => Command::Subtract {
                key: r.data()?,
                value: r.data()?,
                expiry: read_opt_span(&mut r)?,
                publisher: EntityId::read(&mut r)?,
            },
            7 => Command::Clear {
                publisher: EntityId::read(&mut r)?,
            },
            8 => Command::AttachWriter {
                offset: r.u64()?,
                heartbeat_interval: r.u16()?,
            },
            9 => Command::Keepalive { seq: r.u64()? },
            10 => Command::CumulativeAck { seq: r.u64()? },
            11 => {
                let n = r.varbyte()?;
                if n.saturating_mul(8) > r.buf.len() {
                    return Err(DecodeError::Truncated);
                }
                let mut seqs = Vec::with_capacity(n);
                for _ in 0..n {
                    seqs.push(r.u64()?);
                }
                Command::Nack { seqs }
            }
            12 => {
                let offset = r.u64()?;
                let heartbeat_interval = r.u16()?;
                let n = r.varbyte()?;
                if n.saturating_mul(2) > r.buf.len() {
                    return Err(DecodeError::Truncated);
                }
                let mut state = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = r.data()?;
                    let v = r.data()?;
                    if state.iter().any(|(x, _)| *x == k) {
                        return Err(DecodeError::DuplicateKey);
                    }
                    state.push((k, v));
                }
                Command::AckClone {
                    offset,
                    heartbeat_interval,
                    state,
                }
            }
            13 => Command::RetransmitFailed { seq: r.u64()? },
            t => return Err(DecodeError::BadTag(t)),
        };
        if !r.is_empty() {
            return Err(DecodeError::TrailingBytes);
        }
        Ok(InternalCommand {
            seq,
            sender,
            receiver,
            command,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{take_frame, Handshake, MessageType, NodeMessage};
    use bytes::BytesMut;

    /// Every command of a captured Zeek 5.2 master/clone session decodes
    /// and encodes back to the same bytes.
    #[test]
    fn captured_commands_round_trip() {
        let dir = "/work/shared/zeek-5.2/reference/wire/store-clone";
        let mut kinds = std::collections::BTreeSet::new();
        for f in ["conn1.client-to-server.bin", "conn1.server-to-client.bin"] {
            let Ok(bytes) = std::fs::read(format!("{dir}/{f}")) else {
                return; // capture not available here
            };
            let mut buf = BytesMut::from(&bytes[..]);
            while let Ok(Some(body)) = take_frame(&mut buf, 1 << 20) {
                if Handshake::decode(&body).is_ok() {
                    continue;
                }
                let m = NodeMessage::decode(body).expect("node message");
                if m.kind != MessageType::Command {
                    continue;
                }
                assert!(parse_topic(&m.topic).is_some());
                let c = InternalCommand::decode(&m.payload).expect("decodes");
                kinds.insert(c.command.kind());
                if let Command::AckClone { .. } = c.command {
                    continue; // the snapshot's order is the sender's hash order
                }
                assert_eq!(c.to_bytes(), &m.payload[..]);
            }
        }
        if !kinds.is_empty() {
            assert!(kinds.len() >= 10, "{kinds:?}");
        }
    }

    #[test]
    fn topics() {
        assert_eq!(master_topic("test"), b"test/<$>/data/master");
        assert_eq!(
            parse_topic(b"a/b/<$>/data/clone"),
            Some((&b"a/b"[..], false))
        );
        assert_eq!(parse_topic(b"x/<$>/data"), None);
    }
}
