//! Remote logging over Broker: a writer that logs remotely announces
//! itself with a LogCreate and sends each row as a LogWrite, buffered per
//! stream and topic and published in Batches; a node that receives them
//! has its logging framework create the writer and write the rows.
//!
//! Upstream: `src/broker/Manager.cc` (`PublishLogCreate`,
//! `PublishLogWrite`, `LogBuffer::Flush`, `FlushLogBuffers`,
//! `ProcessLogCreate`, `ProcessLogWrite`),
//! `src/logging/WriterBackend.cc` (`WriterInfo::ToBroker`/`FromBroker`).

use super::{global_value, state};
use crate::logging::manager as log_mgr;
use crate::logging::serial;
use crate::logging::value::{LogField, LogValue};
use crate::logging::writer::WriterInfo;
use std::collections::BTreeMap;
use zest_broker::{zeek as zmsg, Data, EndpointId};
use zest_runtime::ir::Loc;
use zest_runtime::types::TypeKind;
use zest_runtime::{Interp, Value};

/// `Manager::LogBuffer`: one stream's LogWrites not yet published.
#[derive(Default)]
pub struct LogBuffer {
    message_count: u64,
    /// Pending LogWrites by topic (a `std::map`: topics in byte order;
    /// a topic once used keeps its entry, so later flushes of the stream
    /// publish an empty Batch for it, as Zeek does).
    msgs: BTreeMap<Vec<u8>, Vec<Data>>,
}

/// The options remote logging reads once (Zeek reads them at start-up).
pub struct LogOptions {
    batch_size: u64,
    topic_prefix: Vec<u8>,
    topic_func: Option<Value>,
}

fn options(it: &mut Interp) -> &LogOptions {
    if state(it).log_options.is_none() {
        let batch_size = match global_value(it, "Broker::log_batch_size") {
            Some(Value::Count(n)) => n,
            _ => 400,
        };
        let topic_prefix = match global_value(it, "Broker::default_log_topic_prefix") {
            Some(Value::String(s)) => s.to_vec(),
            _ => b"zeek/logs/".to_vec(),
        };
        let topic_func =
            global_value(it, "Broker::log_topic").filter(|v| matches!(v, Value::Func(_)));
        state(it).log_options = Some(LogOptions {
            batch_size,
            topic_prefix,
            topic_func,
        });
    }
    state(it).log_options.as_ref().expect("set above")
}

/// The name of an enum value (`EnumType::Lookup`).
fn enum_name(v: &Value) -> Option<String> {
    match v {
        Value::Enum(t, i) => match &t.kind {
            TypeKind::Enum(et) => et.name_of(*i).map(|s| s.as_str().to_owned()),
            _ => None,
        },
        _ => None,
    }
}

fn enum_number(v: &Value) -> i64 {
    match v {
        Value::Enum(_, i) => *i,
        _ => 0,
    }
}

/// Whether log messages go out at all: the endpoint runs and has peers.
pub fn can_publish(it: &mut Interp) -> bool {
    let st = state(it);
    !st.shut_down && st.endpoint.is_some() && st.peer_count > 0
}

/// The names of a stream and a writer, or the error Zeek reports.
fn names(it: &mut Interp, stream: &Value, writer: &Value) -> Option<(String, String)> {
    let Some(s) = enum_name(stream) else {
        let msg = format!(
            "Failed to remotely log: stream {} doesn't have name",
            enum_number(stream)
        );
        it.error(None, &msg);
        return None;
    };
    let Some(w) = enum_name(writer) else {
        let msg = format!(
            "Failed to remotely log: writer {} doesn't have name",
            enum_number(writer)
        );
        it.error(None, &msg);
        return None;
    };
    Some((s, w))
}

/// `WriterInfo::ToBroker`.
fn info_to_data(info: &WriterInfo) -> Data {
    let config = info
        .config
        .iter()
        .map(|(k, v)| (Data::String(k.clone()), Data::String(v.clone())))
        .collect();
    Data::Vector(vec![
        Data::String(info.path.clone()),
        Data::Real(info.rotation_base),
        Data::Real(info.rotation_interval),
        Data::Real(info.network_time),
        Data::Table(config),
        Data::string(info.post_proc_func.as_deref().unwrap_or("")),
    ])
}

/// `WriterInfo::FromBroker`.
fn info_from_data(d: &Data) -> Option<WriterInfo> {
    let v = d.as_vector()?;
    let (
        Some(Data::String(path)),
        Some(Data::Real(rotation_base)),
        Some(Data::Real(rotation_interval)),
        Some(Data::Real(network_time)),
        Some(Data::Table(config)),
        Some(Data::String(ppf)),
    ) = (v.first(), v.get(1), v.get(2), v.get(3), v.get(4), v.get(5))
    else {
        return None;
    };
    let mut info = WriterInfo {
        path: cstring(path),
        rotation_base: *rotation_base,
        rotation_interval: *rotation_interval,
        network_time: *network_time,
        config: BTreeMap::new(),
        post_proc_func: None,
    };
    let ppf = cstring(ppf);
    if !ppf.is_empty() {
        info.post_proc_func = Some(String::from_utf8_lossy(&ppf).into_owned());
    }
    for (k, v) in config {
        let (Data::String(k), Data::String(v)) = (k, v) else {
            return None;
        };
        info.config.entry(cstring(k)).or_insert_with(|| cstring(v));
    }
    Some(info)
}

/// A C string's view of bytes: up to the first NUL.
fn cstring(b: &[u8]) -> Vec<u8> {
    b.split(|&c| c == 0).next().unwrap_or(b"").to_vec()
}

/// `Manager::PublishLogCreate`: announces a writer, to one peer or (with
/// `peer` unset) to every peer subscribed to its topic.
pub fn publish_log_create(
    it: &mut Interp,
    stream: &Value,
    writer: &Value,
    info: &WriterInfo,
    fields: &[LogField],
    peer: Option<EndpointId>,
) {
    if !can_publish(it) {
        return;
    }
    let Some((sname, wname)) = names(it, stream, writer) else {
        return;
    };
    let fields = fields.iter().map(serial::field_to_data).collect();
    let msg = zmsg::log_create(
        sname.as_bytes(),
        wname.as_bytes(),
        info_to_data(info),
        fields,
    );
    let mut topic = options(it).topic_prefix.clone();
    topic.extend_from_slice(sname.as_bytes());
    let st = state(it);
    if let Some(ep) = st.endpoint.as_ref() {
        match peer {
            Some(p) => ep.publish_to(p, &topic, &msg),
            None => ep.publish(&topic, &msg),
        }
    }
}

/// `Manager::PublishLogWrite`: buffers one row for the peers; the
/// stream's buffer is published once it holds `Broker::log_batch_size`
/// rows.
pub fn publish_log_write(
    it: &mut Interp,
    stream: &Value,
    writer: &Value,
    path: &[u8],
    vals: &[LogValue],
) {
    if !can_publish(it) {
        return;
    }
    let Some((sname, wname)) = names(it, stream, writer) else {
        return;
    };
    let blob = serial::encode_row(vals);
    let topic = match options(it).topic_func.clone() {
        Some(f) => {
            let mut args = vec![stream.clone(), Value::str(path)];
            match it.call_value(&f, &mut args, Loc::default()) {
                Ok(Value::String(s)) => s.to_vec(),
                _ => {
                    let msg = format!(
                        "Failed to remotely log: log_topic func did not return a value for stream {sname} at path {}",
                        String::from_utf8_lossy(path)
                    );
                    it.error(None, &msg);
                    return;
                }
            }
        }
        None => {
            let mut t = options(it).topic_prefix.clone();
            t.extend_from_slice(sname.as_bytes());
            t
        }
    };
    let msg = zmsg::log_write(sname.as_bytes(), wname.as_bytes(), path, blob);
    let batch_size = options(it).batch_size;
    let idx = usize::try_from(enum_number(stream)).unwrap_or(0);
    let st = state(it);
    if st.log_buffers.len() <= idx {
        st.log_buffers.resize_with(idx + 1, LogBuffer::default);
    }
    let lb = &mut st.log_buffers[idx];
    lb.message_count += 1;
    lb.msgs.entry(topic).or_default().push(msg);
    if lb.message_count >= batch_size {
        let n = flush_buffer(st, idx);
        st.stats.logs_outgoing += n;
    }
}

/// `LogBuffer::Flush`: one Batch per topic; returns the rows flushed.
fn flush_buffer(st: &mut super::BrokerState, idx: usize) -> u64 {
    let Some(ep) = st.endpoint.as_ref().filter(|_| !st.shut_down) else {
        return 0;
    };
    let Some(lb) = st.log_buffers.get_mut(idx) else {
        return 0;
    };
    if lb.message_count == 0 {
        return 0;
    }
    for (topic, pending) in &mut lb.msgs {
        ep.publish(topic, &zmsg::batch(std::mem::take(pending)));
    }
    std::mem::take(&mut lb.message_count)
}

/// `Manager::FlushLogBuffers`: publishes every buffered row now; returns
/// how many there were.
pub fn flush_log_buffers(it: &mut Interp) -> u64 {
    let st = state(it);
    let mut n = 0;
    for idx in 0..st.log_buffers.len() {
        n += flush_buffer(st, idx);
    }
    st.stats.logs_outgoing += n;
    n
}

/// The `Log::ID` or `Log::Writer` value of a name, if this node knows it.
fn enum_value(it: &Interp, ty: &str, name: &[u8]) -> Option<Value> {
    let t = super::lookup_type(it, ty)?;
    let name = std::str::from_utf8(name).ok()?;
    let v = match &t.kind {
        TypeKind::Enum(et) => et.value_of(zest_syntax::Symbol::intern(name))?,
        _ => return None,
    };
    Some(Value::Enum(t, v))
}

/// `Manager::ProcessLogCreate`.
pub fn process_log_create(it: &mut Interp, d: &Data) {
    let Some((stream, writer, info, fields)) = zmsg::log_parts(d) else {
        it.warn(None, &format!("received invalid broker LogCreate: {d}"));
        return;
    };
    let Some(stream_id) = enum_value(it, "Log::ID", stream) else {
        it.warn(None, "failed to unpack remote log stream id");
        return;
    };
    let Some(writer_id) = enum_value(it, "Log::Writer", writer) else {
        it.warn(None, "failed to unpack remote log writer id");
        return;
    };
    let Some(info) = info_from_data(info) else {
        it.warn(None, "failed to unpack remote log writer info");
        return;
    };
    let Some(fields) = fields.as_vector() else {
        it.warn(None, "failed to unpack remote log fields");
        return;
    };
    let mut fs = Vec::with_capacity(fields.len());
    for (i, f) in fields.iter().enumerate() {
        match serial::field_from_data(f) {
            Some(f) => fs.push(f),
            None => {
                it.warn(None, &format!("failed to convert remote log field # {i}"));
                return;
            }
        }
    }
    if !log_mgr::create_writer_for_remote_log(it, &stream_id, &writer_id, info, fs) {
        let mut desc = Vec::new();
        it.describe_value(&stream_id, &mut desc, zest_runtime::describe::Style::Print);
        let msg = format!(
            "failed to create remote log stream for {} locally",
            String::from_utf8_lossy(&desc)
        );
        it.warn(None, &msg);
    }
}

/// `Manager::ProcessLogWrite`.
pub fn process_log_write(it: &mut Interp, d: &Data) {
    let Some((stream, writer, path, blob)) = zmsg::log_parts(d) else {
        it.warn(None, &format!("received invalid broker LogWrite: {d}"));
        return;
    };
    state(it).stats.logs_incoming += 1;
    let sname = String::from_utf8_lossy(stream).into_owned();
    let Some(stream_id) = enum_value(it, "Log::ID", stream) else {
        it.warn(
            None,
            &format!("failed to unpack remote log stream id: {sname}"),
        );
        return;
    };
    let Some(writer_id) = enum_value(it, "Log::Writer", writer) else {
        it.warn(
            None,
            &format!("failed to unpack remote log writer id for stream: {sname}"),
        );
        return;
    };
    let Data::String(path) = path else {
        it.warn(
            None,
            &format!("failed to unpack remote log values (bad path variant) for stream: {sname}"),
        );
        return;
    };
    let Data::String(blob) = blob else {
        it.warn(
            None,
            &format!(
                "failed to unpack remote log values (bad serial_data variant) for stream: {sname}"
            ),
        );
        return;
    };
    let vals = match serial::decode_row(blob) {
        Ok(v) => v,
        Err(serial::RowError::Count) => {
            it.warn(
                None,
                &format!("failed to unserialize remote log num fields for stream: {sname}"),
            );
            return;
        }
        Err(serial::RowError::Field(i)) => {
            it.warn(
                None,
                &format!("failed to unserialize remote log field {i} for stream: {sname}"),
            );
            return;
        }
    };
    log_mgr::write_from_remote(it, &stream_id, &writer_id, path, vals);
}

#[cfg(test)]
mod tests {
    use super::*;
    use zest_runtime::types::Tag;

    fn field(name: &str, ty: Tag, optional: bool) -> LogField {
        LogField {
            name: name.as_bytes().to_vec(),
            ty,
            subtype: Tag::Void,
            optional,
        }
    }

    #[test]
    fn log_create_as_zeek_sends_it() {
        // The LogCreate of broker.log a Zeek 5.2.2 node sent (reference/wire/remote-log).
        let hex = "0e030200000000000000010200000000000000020e040b0b42726f6b65723a3a4c4f470b114c6f673a3a5752495445525f41534349490e06050662726f6b65720400000000000000000400000000000000000441dac34a9bda21b80d0005000e060e05050274730002000000000000000502000000000000000001000e05050274790002000000000000000902000000000000000001000e05050265760002000000000000000702000000000000000001000e05050c706565722e616464726573730002000000000000000702000000000000000001000e05050f706565722e626f756e645f706f72740002000000000000000a02000000000000000001000e0505076d657373616765000200000000000000070200000000000000000101";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let captured = zest_broker::codec::decode(&bytes).unwrap();
        let (_, _, info, _) = zmsg::log_parts(&captured).unwrap();
        let info = info_from_data(info).unwrap();
        assert_eq!(info.path, b"broker");
        let fields = [
            field("ts", Tag::Time, false),
            field("ty", Tag::Enum, false),
            field("ev", Tag::String, false),
            field("peer.address", Tag::String, false),
            field("peer.bound_port", Tag::Port, false),
            field("message", Tag::String, true),
        ];
        let ours = zmsg::log_create(
            b"Broker::LOG",
            b"Log::WRITER_ASCII",
            info_to_data(&info),
            fields.iter().map(serial::field_to_data).collect(),
        );
        assert_eq!(zest_broker::codec::to_bytes(&ours), bytes);
        let back: Vec<LogField> = match zmsg::log_parts(&ours).unwrap().3 {
            Data::Vector(v) => v
                .iter()
                .map(|f| serial::field_from_data(f).unwrap())
                .collect(),
            _ => panic!("fields"),
        };
        assert_eq!(back, fields);
    }

    #[test]
    fn log_write_batch_as_zeek_sends_it() {
        // A Batch of one broker.log LogWrite from the same capture.
        let hex = "0e030200000000000000010200000000000000050e010e030200000000000000010200000000000000030e040b0b42726f6b65723a3a4c4f470b114c6f673a3a5752495445525f4153434949050662726f6b65720593010000000600000005000000000141dac34a9bda21b80000000900000000010000000e42726f6b65723a3a5354415455530000000700000000010000000a706565722d6164646564000000070000000001000000093132372e302e302e310000000a0000000001000000000000792e000000010000000700000000010000001468616e647368616b65207375636365737366756c";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let captured = zest_broker::codec::decode(&bytes).unwrap();
        let msgs = zmsg::batch_parts(&captured).unwrap();
        let (stream, writer, path, blob) = zmsg::log_parts(&msgs[0]).unwrap();
        let (Data::String(path), Data::String(blob)) = (path, blob) else {
            panic!("path and blob");
        };
        let row = serial::decode_row(blob).unwrap();
        assert_eq!(row.len(), 6);
        let ours = zmsg::batch(vec![zmsg::log_write(
            stream,
            writer,
            path,
            serial::encode_row(&row),
        )]);
        assert_eq!(zest_broker::codec::to_bytes(&ours), bytes);
    }
}
