//! Zeek's message layer on top of `broker::data` (`broker-protocol.md` §4):
//! `[version, type, content]` vectors.

use crate::data::Data;

/// `broker::zeek::ProtocolVersion`.
pub const PROTOCOL_VERSION: u64 = 1;

/// `broker::zeek::Message::Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Invalid = 0,
    Event = 1,
    LogCreate = 2,
    LogWrite = 3,
    IdentifierUpdate = 4,
    Batch = 5,
}

/// The type of a Zeek message: element 1 of the envelope (the version in
/// element 0 is not checked, as in Zeek 5.2). `None` for anything that is
/// not a vector with a count of 0–5 there.
pub fn message_kind(d: &Data) -> Option<MessageKind> {
    let v = d.as_vector()?;
    Some(match v.get(1)?.as_count()? {
        0 => MessageKind::Invalid,
        1 => MessageKind::Event,
        2 => MessageKind::LogCreate,
        3 => MessageKind::LogWrite,
        4 => MessageKind::IdentifierUpdate,
        5 => MessageKind::Batch,
        _ => return None,
    })
}

fn envelope(kind: MessageKind, content: Vec<Data>) -> Data {
    Data::Vector(vec![
        Data::Count(PROTOCOL_VERSION),
        Data::Count(kind as u64),
        Data::Vector(content),
    ])
}

/// `[1, 1, [name, args]]`.
pub fn event(name: &[u8], args: Vec<Data>) -> Data {
    envelope(
        MessageKind::Event,
        vec![Data::string(name), Data::Vector(args)],
    )
}

/// `[1, 4, [id_name, value]]`.
pub fn identifier_update(name: &[u8], value: Data) -> Data {
    envelope(
        MessageKind::IdentifierUpdate,
        vec![Data::string(name), value],
    )
}

/// `[1, 2, [stream, writer, writer_info, fields]]`.
pub fn log_create(stream: &[u8], writer: &[u8], writer_info: Data, fields: Vec<Data>) -> Data {
    envelope(
        MessageKind::LogCreate,
        vec![
            Data::Enum(stream.to_vec()),
            Data::Enum(writer.to_vec()),
            writer_info,
            Data::Vector(fields),
        ],
    )
}

/// `[1, 3, [stream, writer, path, serial_data]]`.
pub fn log_write(stream: &[u8], writer: &[u8], path: &[u8], serial_data: Vec<u8>) -> Data {
    envelope(
        MessageKind::LogWrite,
        vec![
            Data::Enum(stream.to_vec()),
            Data::Enum(writer.to_vec()),
            Data::string(path),
            Data::String(serial_data),
        ],
    )
}

/// `[1, 5, [msg, msg, …]]`.
pub fn batch(msgs: Vec<Data>) -> Data {
    envelope(MessageKind::Batch, msgs)
}

/// The four elements of a LogCreate or LogWrite, if valid (`valid()`:
/// at least four content elements, the first two enum values): stream
/// and writer names, and the other two as they are.
pub fn log_parts(d: &Data) -> Option<(&[u8], &[u8], &Data, &Data)> {
    let c = content(d)?;
    match (c.first()?, c.get(1)?, c.get(2)?, c.get(3)?) {
        (Data::Enum(s), Data::Enum(w), a, b) => Some((s, w, a, b)),
        _ => None,
    }
}

/// The content vector of a message (element 2), if it is a vector.
pub fn content(d: &Data) -> Option<&Vec<Data>> {
    d.as_vector()?.get(2)?.as_vector()
}

/// An Event's name and arguments, if valid (`Event::valid`: content has a
/// string name and a vector of arguments; extra elements are ignored).
pub fn event_parts(d: &Data) -> Option<(&[u8], &Vec<Data>)> {
    let c = content(d)?;
    Some((c.first()?.as_string()?, c.get(1)?.as_vector()?))
}

/// An IdentifierUpdate's name and value, if valid.
pub fn identifier_parts(d: &Data) -> Option<(&[u8], &Data)> {
    let c = content(d)?;
    Some((c.first()?.as_string()?, c.get(1)?))
}

/// The messages of a Batch, if valid.
pub fn batch_parts(d: &Data) -> Option<&Vec<Data>> {
    content(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{decode, from_hex, to_bytes};

    #[test]
    fn event_envelope() {
        let ev = event(b"ping", vec![Data::Count(42), Data::string("hi")]);
        let hex = "0e 03 02 00 00 00 00 00 00 00 01 02 00 00 00 00 00 00 00 01
                   0e 02 05 04 70 69 6e 67 0e 02 02 00 00 00 00 00 00 00 2a 05 02 68 69";
        assert_eq!(to_bytes(&ev), from_hex(hex));
        let d = decode(&from_hex(hex)).unwrap();
        assert_eq!(message_kind(&d), Some(MessageKind::Event));
        let (name, args) = event_parts(&d).unwrap();
        assert_eq!(name, b"ping");
        assert_eq!(args.len(), 2);
    }
}
