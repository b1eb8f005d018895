//! The native peering protocol's frames (`broker-protocol.md` §3.2–§3.5):
//! 4-byte length prefixes, the handshake messages of phases 1–2 and the
//! node messages of phase 3.

use crate::codec::{put_str, put_varbyte, DecodeError, Reader};
use crate::filter::Filter;
use crate::id::EndpointId;
use bytes::{Buf, Bytes, BytesMut};
use std::fmt;

/// `ZEEK` in ASCII.
pub const MAGIC: u32 = 0x5A45_454B;
/// The only handshake protocol version.
pub const PROTOCOL_VERSION: u8 = 1;
/// The TTL Broker puts in every header.
pub const DEFAULT_TTL: u16 = 16;
/// Largest phase-3 frame body accepted (2³¹ − 5).
pub const MAX_FRAME: usize = (1 << 31) - 5;
/// Largest handshake frame body accepted (filters only; Broker has no
/// limit, a bound keeps a peer from making us buffer gigabytes).
pub const MAX_HANDSHAKE_FRAME: usize = 16 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// A frame longer than the phase allows.
    FrameTooLong(usize),
    /// A zero-length frame during the handshake.
    EmptyFrame,
    /// A handshake message with an unknown tag.
    InvalidTag(u8),
    /// A body that does not parse.
    Malformed(DecodeError),
    /// A node-message header violating Broker's constraints.
    BadHeader(&'static str),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::FrameTooLong(n) => write!(f, "frame of {n} bytes too long"),
            WireError::EmptyFrame => f.write_str("empty frame"),
            WireError::InvalidTag(t) => write!(f, "invalid message type tag {t}"),
            WireError::Malformed(e) => write!(f, "failed to parse message: {e}"),
            WireError::BadHeader(w) => write!(f, "invalid node message: {w}"),
        }
    }
}

impl std::error::Error for WireError {}

impl From<DecodeError> for WireError {
    fn from(e: DecodeError) -> Self {
        WireError::Malformed(e)
    }
}

/// Takes one frame body off the front of `buf`: `Ok(None)` while the frame
/// is incomplete. A zero-length frame yields an empty body (phase 3 skips
/// it; the handshake treats it as an error).
pub fn take_frame(buf: &mut BytesMut, max: usize) -> Result<Option<Bytes>, WireError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if len > max {
        return Err(WireError::FrameTooLong(len));
    }
    if buf.len() < 4 + len {
        buf.reserve(4 + len - buf.len());
        return Ok(None);
    }
    buf.advance(4);
    Ok(Some(buf.split_to(len).freeze()))
}

/// Prefixes a body with its length.
pub fn frame(body: &[u8]) -> Bytes {
    let mut v = Vec::with_capacity(body.len() + 4);
    v.extend_from_slice(&(body.len() as u32).to_be_bytes());
    v.extend_from_slice(body);
    Bytes::from(v)
}

// ------------------------------------------------------------------ filters

pub fn put_filter(out: &mut Vec<u8>, f: &Filter) {
    put_varbyte(out, f.0.len());
    for t in &f.0 {
        put_str(out, t);
    }
}

pub fn read_filter(r: &mut Reader<'_>) -> Result<Filter, DecodeError> {
    let n = r.varbyte()?;
    if n > r.buf.len() {
        return Err(DecodeError::Truncated);
    }
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(r.str()?.to_vec());
    }
    Ok(Filter(v))
}

// ------------------------------------------------------------------ handshake

/// A phase-1/2 message (§3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    Hello {
        magic: u32,
        sender: EndpointId,
        min_version: u8,
        max_version: u8,
    },
    Probe {
        magic: u32,
    },
    VersionSelect {
        magic: u32,
        sender: EndpointId,
        version: u8,
    },
    DropConn {
        magic: u32,
        sender: EndpointId,
        code: u8,
        description: Vec<u8>,
    },
    OriginatorSyn(Filter),
    ResponderSynAck(Filter),
    OriginatorAck,
}

impl Handshake {
    pub fn hello(sender: EndpointId) -> Handshake {
        Handshake::Hello {
            magic: MAGIC,
            sender,
            min_version: PROTOCOL_VERSION,
            max_version: PROTOCOL_VERSION,
        }
    }

    pub fn drop_conn(sender: EndpointId, code: u8, text: &str) -> Handshake {
        Handshake::DropConn {
            magic: MAGIC,
            sender,
            code,
            description: text.as_bytes().to_vec(),
        }
    }

    /// The frame body: tag byte and fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Handshake::Hello {
                magic,
                sender,
                min_version,
                max_version,
            } => {
                out.push(6);
                out.extend_from_slice(&magic.to_be_bytes());
                out.extend_from_slice(&sender.0);
                out.push(*min_version);
                out.push(*max_version);
            }
            Handshake::Probe { magic } => {
                out.push(7);
                out.extend_from_slice(&magic.to_be_bytes());
            }
            Handshake::VersionSelect {
                magic,
                sender,
                version,
            } => {
                out.push(8);
                out.extend_from_slice(&magic.to_be_bytes());
                out.extend_from_slice(&sender.0);
                out.push(*version);
            }
            Handshake::DropConn {
                magic,
                sender,
                code,
                description,
            } => {
                out.push(9);
                out.extend_from_slice(&magic.to_be_bytes());
                out.extend_from_slice(&sender.0);
                out.push(*code);
                put_str(&mut out, description);
            }
            Handshake::OriginatorSyn(f) => {
                out.push(10);
                put_filter(&mut out, f);
            }
            Handshake::ResponderSynAck(f) => {
                out.push(11);
                put_filter(&mut out, f);
            }
            Handshake::OriginatorAck => out.push(12),
        }
        out
    }

    /// Parses a frame body. Trailing bytes are ignored, as CAF does.
    pub fn decode(body: &[u8]) -> Result<Handshake, WireError> {
        let mut r = Reader::new(body);
        let tag = r.u8().map_err(|_| WireError::EmptyFrame)?;
        Ok(match tag {
            6 => Handshake::Hello {
                magic: r.u32()?,
                sender: EndpointId(r.array()?),
                min_version: r.u8()?,
                max_version: r.u8()?,
            },
            7 => Handshake::Probe { magic: r.u32()? },
            8 => Handshake::VersionSelect {
                magic: r.u32()?,
                sender: EndpointId(r.array()?),
                version: r.u8()?,
            },
            9 => Handshake::DropConn {
                magic: r.u32()?,
                sender: EndpointId(r.array()?),
                code: r.u8()?,
                description: r.str()?.to_vec(),
            },
            10 => Handshake::OriginatorSyn(read_filter(&mut r)?),
            11 => Handshake::ResponderSynAck(read_filter(&mut r)?),
            12 => Handshake::OriginatorAck,
            t => return Err(WireError::InvalidTag(t)),
        })
    }
}

// ------------------------------------------------------------------ phase 3

/// `packed_message_type` of a node message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Data = 1,
    Command = 2,
    RoutingUpdate = 3,
    Ping = 4,
    Pong = 5,
}

impl MessageType {
    pub fn from_u8(v: u8) -> Option<MessageType> {
        Some(match v {
            1 => MessageType::Data,
            2 => MessageType::Command,
            3 => MessageType::RoutingUpdate,
            4 => MessageType::Ping,
            5 => MessageType::Pong,
            _ => return None,
        })
    }
}

/// Starts a phase-3 frame in `out` (empty): a length prefix to be filled
/// in by [`finish_frame`], then the node-message header. The payload is
/// appended next.
pub fn frame_header(
    out: &mut Vec<u8>,
    sender: EndpointId,
    receiver: EndpointId,
    kind: MessageType,
    ttl: u16,
    topic: &[u8],
) {
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&sender.0);
    out.extend_from_slice(&receiver.0);
    out.push(kind as u8);
    out.extend_from_slice(&ttl.to_be_bytes());
    out.extend_from_slice(&(topic.len() as u16).to_be_bytes());
    out.extend_from_slice(topic);
}

/// Fills in the length prefix of a frame begun with [`frame_header`].
pub fn finish_frame(mut v: Vec<u8>) -> Bytes {
    let body_len = (v.len() - 4) as u32;
    v[..4].copy_from_slice(&body_len.to_be_bytes());
    Bytes::from(v)
}

/// A phase-3 frame (§3.5). The payload stays undecoded here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeMessage {
    pub sender: EndpointId,
    pub receiver: EndpointId,
    pub kind: MessageType,
    pub ttl: u16,
    pub topic: Bytes,
    pub payload: Bytes,
}

impl NodeMessage {
    /// The complete frame, length prefix included.
    pub fn to_frame(&self) -> Bytes {
        let mut v = Vec::with_capacity(4 + 37 + self.topic.len() + self.payload.len());
        frame_header(
            &mut v,
            self.sender,
            self.receiver,
            self.kind,
            self.ttl,
            &self.topic,
        );
        v.extend_from_slice(&self.payload);
        finish_frame(v)
    }

    /// Parses a frame body. Accepts types 1–5 (Broker 2.5 rejects 5, the
    /// pong defect); rejects an empty topic or payload as Broker does.
    pub fn decode(body: Bytes) -> Result<NodeMessage, WireError> {
        let h = Header::parse(&body)?;
        let topic = body.slice(h.topic());
        let payload = body.slice(h.payload(body.len()));
        Ok(NodeMessage {
            sender: h.sender,
            receiver: h.receiver,
            kind: h.kind,
            ttl: h.ttl,
            topic,
            payload,
        })
    }
}

/// Bytes of a node-message header before the topic.
pub const HEADER_LEN: usize = 37;

/// The header of a phase-3 frame body, parsed in place: the topic and
/// payload stay in the body ([`Header::topic`], [`Header::payload`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub sender: EndpointId,
    pub receiver: EndpointId,
    pub kind: MessageType,
    pub ttl: u16,
    pub topic_len: usize,
}

impl Header {
    /// Checks a frame body as [`NodeMessage::decode`] does.
    pub fn parse(body: &[u8]) -> Result<Header, WireError> {
        let mut r = Reader::new(body);
        let sender = EndpointId(r.array()?);
        let receiver = EndpointId(r.array()?);
        let t = r.u8()?;
        let kind = MessageType::from_u8(t).ok_or(WireError::BadHeader("message type"))?;
        let ttl = r.u16()?;
        let topic_len = r.u16()? as usize;
        if topic_len == 0 {
            return Err(WireError::BadHeader("empty topic"));
        }
        if r.buf.len() <= topic_len {
            return Err(WireError::BadHeader("empty payload"));
        }
        Ok(Header {
            sender,
            receiver,
            kind,
            ttl,
            topic_len,
        })
    }

    /// Where the topic is in the body.
    pub fn topic(&self) -> std::ops::Range<usize> {
        HEADER_LEN..HEADER_LEN + self.topic_len
    }

    /// Where the payload is in a body of `body_len` bytes.
    pub fn payload(&self, body_len: usize) -> std::ops::Range<usize> {
        HEADER_LEN + self.topic_len..body_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::from_hex;

    fn id0123() -> EndpointId {
        EndpointId([
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            0xcd, 0xef,
        ])
    }

    /// §3.3's hello example.
    #[test]
    fn spec_hello_frame() {
        let want = from_hex(
            "00 00 00 17 06 5a 45 45 4b 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 01",
        );
        let f = frame(&Handshake::hello(id0123()).encode());
        assert_eq!(&f[..], &want[..]);
        let mut buf = BytesMut::from(&want[..]);
        let body = take_frame(&mut buf, MAX_HANDSHAKE_FRAME).unwrap().unwrap();
        assert_eq!(
            Handshake::decode(&body).unwrap(),
            Handshake::hello(id0123())
        );
        assert!(buf.is_empty());
    }

    /// §3.5's example: the §2.1 event on `zeek/event/test`, 99 bytes.
    #[test]
    fn spec_event_frame() {
        let payload = from_hex(
            "0e 03 02 00 00 00 00 00 00 00 01 02 00 00 00 00 00 00 00 01
             0e 02 05 04 70 69 6e 67 0e 02 02 00 00 00 00 00 00 00 2a 05 02 68 69",
        );
        let msg = NodeMessage {
            sender: id0123(),
            receiver: EndpointId::NIL,
            kind: MessageType::Data,
            ttl: DEFAULT_TTL,
            topic: Bytes::from_static(b"zeek/event/test"),
            payload: Bytes::from(payload),
        };
        let f = msg.to_frame();
        assert_eq!(f.len(), 99);
        let head = from_hex(
            "00 00 00 5f 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef
             00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 10
             00 0f 7a 65 65 6b 2f 65 76 65 6e 74 2f 74 65 73 74 0e 03",
        );
        assert_eq!(&f[..head.len()], &head[..]);
        let mut buf = BytesMut::from(&f[..]);
        let body = take_frame(&mut buf, MAX_FRAME).unwrap().unwrap();
        assert_eq!(NodeMessage::decode(body).unwrap(), msg);
    }

    #[test]
    fn incomplete_and_bad_frames() {
        let mut buf = BytesMut::from(&[0u8, 0, 0, 5, 7][..]);
        assert_eq!(take_frame(&mut buf, MAX_FRAME), Ok(None));
        let mut buf = BytesMut::from(&[0xffu8, 0, 0, 0][..]);
        assert!(take_frame(&mut buf, MAX_FRAME).is_err());
        // Header with an empty topic, and type 6.
        let mut body = vec![0u8; 32];
        body.extend_from_slice(&[1, 0, 16, 0, 0, 0]);
        assert!(NodeMessage::decode(Bytes::from(body.clone())).is_err());
        body[32] = 6;
        assert!(NodeMessage::decode(Bytes::from(body)).is_err());
        assert!(Handshake::decode(&[13]).is_err());
        assert!(Handshake::decode(&[6, 0x5a]).is_err());
    }
}
