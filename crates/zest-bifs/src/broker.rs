//! Broker natives (`comm.bif`, `messaging.bif`, `data.bif`) on Zest's
//! native Broker endpoint (`zest-broker`), and Zeek's message layer:
//! received events, identifier updates and peering statuses become script
//! events when the run loop calls [`poll`].
//!
//! The endpoint (and its thread) starts on the first `listen` or `peer`;
//! until then subscriptions are only recorded, and `node_id()` is already
//! the ID the endpoint will have.

pub mod convert;
pub mod data;
pub mod logs;
pub mod metrics;
pub mod store;

use crate::support::builtin_error;
use crate::Bif;
use convert::{
    data_record, data_to_val, is_data_record_type, lookup_type, record_opaque, val_to_data, Native,
};
use std::time::Duration;
use zest_broker::{
    zeek as zmsg, Config, Data, Endpoint, EndpointId, Inbound, StatusCode, TlsConfig,
};
use zest_runtime::types::{Flavor, Tag, TypeKind, TypeRef};
use zest_runtime::value::{Port, Proto};
use zest_runtime::{CallSite, Interp, RtErr, RtResult, Value};
use zest_syntax::Symbol;

macro_rules! bif {
    ($name:literal, $sig:literal, $f:path) => {
        Bif {
            name: $name,
            signature: $sig,
            func: $f,
        }
    };
}

/// The natives of comm.bif and messaging.bif that `frameworks.rs` does not
/// (yet) register, then data.bif's (implemented in [`data`]).
pub static BIFS: &[Bif] = &[
    bif!(
        "Broker::__listen",
        "function(a: string, p: port, proto: BrokerProtocol): port",
        listen
    ),
    bif!(
        "Broker::__peer",
        "function(a: string, p: port, retry: interval): bool",
        peer
    ),
    bif!(
        "Broker::__peer_no_retry",
        "function(a: string, p: port): bool",
        peer_no_retry
    ),
    bif!(
        "Broker::__unpeer",
        "function(a: string, p: port): bool",
        unpeer
    ),
    bif!("Broker::__peers", "function(): PeerInfos", peers),
    bif!("Broker::__node_id", "function(): string", node_id),
    bif!(
        "Broker::make_event",
        "function(va_args: any): Broker::Event",
        make_event
    ),
    bif!("Broker::publish", "function(va_args: any): bool", publish),
    bif!(
        "Broker::__publish_id",
        "function(topic: string, id: string): bool",
        publish_id
    ),
    bif!(
        "Cluster::publish_rr",
        "function(va_args: any): bool",
        publish_rr
    ),
    bif!(
        "Cluster::publish_hrw",
        "function(va_args: any): bool",
        publish_hrw
    ),
    bif!(
        "Broker::__data",
        "function(d: any): Broker::Data",
        data::data
    ),
    bif!(
        "Broker::__data_type",
        "function(d: Broker::Data): Broker::DataType",
        data::data_type
    ),
    bif!(
        "Broker::__opaque_clone_through_serialization",
        "function(d: any): any",
        data::clone_through_serialization
    ),
    bif!(
        "Broker::__set_create",
        "function(): Broker::Data",
        data::set_create
    ),
    bif!(
        "Broker::__set_clear",
        "function(s: Broker::Data): bool",
        data::set_clear
    ),
    bif!(
        "Broker::__set_size",
        "function(s: Broker::Data): count",
        data::set_size
    ),
    bif!(
        "Broker::__set_contains",
        "function(s: Broker::Data, key: any): bool",
        data::set_contains
    ),
    bif!(
        "Broker::__set_insert",
        "function(s: Broker::Data, key: any): bool",
        data::set_insert
    ),
    bif!(
        "Broker::__set_remove",
        "function(s: Broker::Data, key: any): bool",
        data::set_remove
    ),
    bif!(
        "Broker::__set_iterator",
        "function(s: Broker::Data): opaque of Broker::SetIterator",
        data::set_iterator
    ),
    bif!(
        "Broker::__set_iterator_last",
        "function(it: opaque of Broker::SetIterator): bool",
        data::iterator_last
    ),
    bif!(
        "Broker::__set_iterator_next",
        "function(it: opaque of Broker::SetIterator): bool",
        data::iterator_next
    ),
    bif!(
        "Broker::__set_iterator_value",
        "function(it: opaque of Broker::SetIterator): Broker::Data",
        data::iterator_value
    ),
    bif!(
        "Broker::__table_create",
        "function(): Broker::Data",
        data::table_create
    ),
    bif!(
        "Broker::__table_clear",
        "function(t: Broker::Data): bool",
        data::table_clear
    ),
    bif!(
        "Broker::__table_size",
        "function(t: Broker::Data): count",
        data::table_size
    ),
    bif!(
        "Broker::__table_contains",
        "function(t: Broker::Data, key: any): bool",
        data::table_contains
    ),
    bif!(
        "Broker::__table_insert",
        "function(t: Broker::Data, key: any, val: any): Broker::Data",
        data::table_insert
    ),
    bif!(
        "Broker::__table_remove",
        "function(t: Broker::Data, key: any): Broker::Data",
        data::table_remove
    ),
    bif!(
        "Broker::__table_lookup",
        "function(t: Broker::Data, key: any): Broker::Data",
        data::table_lookup
    ),
    bif!(
        "Broker::__table_iterator",
        "function(t: Broker::Data): opaque of Broker::TableIterator",
        data::table_iterator
    ),
    bif!(
        "Broker::__table_iterator_last",
        "function(it: opaque of Broker::TableIterator): bool",
        data::iterator_last
    ),
    bif!(
        "Broker::__table_iterator_next",
        "function(it: opaque of Broker::TableIterator): bool",
        data::iterator_next
    ),
    bif!(
        "Broker::__table_iterator_value",
        "function(it: opaque of Broker::TableIterator): Broker::TableItem",
        data::table_iterator_value
    ),
    bif!(
        "Broker::__vector_create",
        "function(): Broker::Data",
        data::vector_create
    ),
    bif!(
        "Broker::__vector_clear",
        "function(v: Broker::Data): bool",
        data::vector_clear
    ),
    bif!(
        "Broker::__vector_size",
        "function(v: Broker::Data): count",
        data::vector_size
    ),
    bif!(
        "Broker::__vector_insert",
        "function(v: Broker::Data, idx: count, d: any): bool",
        data::vector_insert
    ),
    bif!(
        "Broker::__vector_replace",
        "function(v: Broker::Data, idx: count, d: any): Broker::Data",
        data::vector_replace
    ),
    bif!(
        "Broker::__vector_remove",
        "function(v: Broker::Data, idx: count): Broker::Data",
        data::vector_remove
    ),
    bif!(
        "Broker::__vector_lookup",
        "function(v: Broker::Data, idx: count): Broker::Data",
        data::vector_lookup
    ),
    bif!(
        "Broker::__vector_iterator",
        "function(v: Broker::Data): opaque of Broker::VectorIterator",
        data::vector_iterator
    ),
    bif!(
        "Broker::__vector_iterator_last",
        "function(it: opaque of Broker::VectorIterator): bool",
        data::iterator_last
    ),
    bif!(
        "Broker::__vector_iterator_next",
        "function(it: opaque of Broker::VectorIterator): bool",
        data::iterator_next
    ),
    bif!(
        "Broker::__vector_iterator_value",
        "function(it: opaque of Broker::VectorIterator): Broker::Data",
        data::iterator_value
    ),
    bif!(
        "Broker::__record_create",
        "function(sz: count): Broker::Data",
        data::record_create
    ),
    bif!(
        "Broker::__record_size",
        "function(r: Broker::Data): count",
        data::record_size
    ),
    bif!(
        "Broker::__record_assign",
        "function(r: Broker::Data, idx: count, d: any): bool",
        data::record_assign
    ),
    bif!(
        "Broker::__record_lookup",
        "function(r: Broker::Data, idx: count): Broker::Data",
        data::record_lookup
    ),
    bif!(
        "Broker::__record_iterator",
        "function(r: Broker::Data): opaque of Broker::RecordIterator",
        data::record_iterator
    ),
    bif!(
        "Broker::__record_iterator_last",
        "function(it: opaque of Broker::RecordIterator): bool",
        data::iterator_last
    ),
    bif!(
        "Broker::__record_iterator_next",
        "function(it: opaque of Broker::RecordIterator): bool",
        data::iterator_next
    ),
    bif!(
        "Broker::__record_iterator_value",
        "function(it: opaque of Broker::RecordIterator): Broker::Data",
        data::iterator_value
    ),
];

/// The natives that take over `frameworks.rs`'s local bookkeeping once its
/// entries are removed (see [`takeover`]).
pub static TAKEOVER: &[Bif] = &[
    bif!(
        "Broker::__subscribe",
        "function(topic_prefix: string): bool",
        subscribe
    ),
    bif!(
        "Broker::__unsubscribe",
        "function(topic_prefix: string): bool",
        unsubscribe
    ),
    bif!(
        "Broker::__forward",
        "function(topic_prefix: string): bool",
        forward
    ),
    bif!(
        "Broker::__auto_publish",
        "function(topic: string, ev: any): bool",
        auto_publish
    ),
    bif!(
        "Broker::__auto_unpublish",
        "function(topic: string, ev: any): bool",
        auto_unpublish
    ),
    bif!("Broker::__flush_logs", "function(): count", flush_logs),
];

/// Every group of this module: add `broker::takeover()` to `lib.rs`'s
/// list once `frameworks.rs` no longer registers those names.
pub fn takeover() -> &'static [Bif] {
    TAKEOVER
}

/// Counters of `get_broker_stats()`.
#[derive(Default, Clone, Copy, Debug)]
pub struct Stats {
    pub events_incoming: u64,
    pub events_outgoing: u64,
    pub ids_incoming: u64,
    pub ids_outgoing: u64,
    pub logs_incoming: u64,
    pub logs_outgoing: u64,
}

/// Zeek's `Broker::Manager` state.
#[derive(Default)]
pub struct BrokerState {
    id: Option<EndpointId>,
    endpoint: Option<Endpoint>,
    /// Subscriptions in order, replayed into a new endpoint.
    subscriptions: Vec<Vec<u8>>,
    /// Topics of this endpoint's data stores, replayed likewise.
    store_topics: Vec<Vec<u8>>,
    /// `Broker::forward` prefixes.
    forwards: Vec<Vec<u8>>,
    /// Auto-published events: the event's global id and its topics.
    auto_publish: Vec<(u32, Vec<Vec<u8>>)>,
    /// Peers as counted from processed statuses (Zeek's `peer_count`).
    pub peer_count: u64,
    pub bound_port: u16,
    /// Registered as a counting I/O source (after `listen`, or `peer` with
    /// `Broker::peer_counts_as_iosource`): keeps the run loop going.
    pub counting: bool,
    pub stats: Stats,
    shut_down: bool,
    /// Remote logging: buffered LogWrites by stream, and the options read
    /// on first use.
    log_buffers: Vec<logs::LogBuffer>,
    log_options: Option<logs::LogOptions>,
}

fn state(it: &mut Interp) -> &mut BrokerState {
    it.ext_mut::<BrokerState>("broker_native")
}

pub(crate) fn global_value(it: &Interp, name: &str) -> Option<Value> {
    let g = it.prog.lookup(Symbol::intern(name))?;
    Some(it.prog.globals[g as usize].value.clone())
}

fn node(it: &mut Interp) -> EndpointId {
    let st = state(it);
    if let Some(id) = st.id {
        return id;
    }
    let id = EndpointId::random().unwrap_or_default();
    st.id = Some(id);
    id
}

/// The endpoint, started on first use.
fn endpoint(it: &mut Interp) -> Option<&mut Endpoint> {
    if state(it).endpoint.is_none() && !state(it).shut_down {
        let text = |it: &Interp, name: &str| match global_value(it, name) {
            Some(Value::String(s)) => String::from_utf8_lossy(&s).into_owned(),
            _ => String::new(),
        };
        let tls = if global_value(it, "Broker::disable_ssl").is_some_and(|v| v.as_bool()) {
            None
        } else {
            Some(TlsConfig {
                certificate: text(it, "Broker::ssl_certificate"),
                key: text(it, "Broker::ssl_keyfile"),
                passphrase: text(it, "Broker::ssl_passphrase"),
                cafile: text(it, "Broker::ssl_cafile"),
                capath: text(it, "Broker::ssl_capath"),
            })
        };
        let cfg = Config {
            forwarding: global_value(it, "Broker::forward_messages").is_some_and(|v| v.as_bool()),
            tls,
            ..Config::default()
        };
        let id = node(it);
        match Endpoint::with_id(id, cfg) {
            Ok(ep) => {
                let st = state(it);
                for s in &st.subscriptions {
                    ep.subscribe(s);
                }
                for s in &st.store_topics {
                    ep.subscribe_store(s);
                }
                st.endpoint = Some(ep);
            }
            Err(e) => {
                it.error(None, &format!("failed to start the Broker endpoint: {e}"));
                return None;
            }
        }
    }
    state(it).endpoint.as_mut()
}

fn is_tcp(v: &Value) -> Option<u16> {
    match v {
        Value::Port(Port {
            num,
            proto: Proto::Tcp,
        }) => Some(*num as u16),
        _ => None,
    }
}

fn tcp_port(n: u16) -> Value {
    Value::Port(Port {
        num: u32::from(n),
        proto: Proto::Tcp,
    })
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn str_arg(args: &[Value], i: usize) -> String {
    String::from_utf8_lossy(args.get(i).map_or(b"", Value::as_bytes)).into_owned()
}

// ------------------------------------------------------------------ comm.bif

fn listen(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some(port) = is_tcp(&arg(args, 1)) else {
        builtin_error(it, site, "listen port must use tcp", None);
        return Ok(Value::Port(Port {
            num: 0,
            proto: Proto::Unknown,
        }));
    };
    let addr = str_arg(args, 0);
    let websocket = match arg(args, 2) {
        Value::Enum(t, v) => {
            matches!(&t.kind, TypeKind::Enum(e) if e.name_of(v).is_some_and(|n| n.as_str().ends_with("WEBSOCKET")))
        }
        _ => false,
    };
    let bound = match endpoint(it) {
        Some(ep) if websocket => ep.listen_websocket(&addr, port).unwrap_or(0),
        Some(ep) => match crate::supervisor::inherited_listener(port) {
            Some(l) => ep.listen_on(l).unwrap_or(0),
            None => ep.listen(&addr, port).unwrap_or(0),
        },
        None => 0,
    };
    let st = state(it);
    st.bound_port = bound;
    st.counting = true;
    if bound == 0 {
        let shown = if addr.is_empty() { "INADDR_ANY" } else { &addr };
        let msg = format!("Failed to listen on {shown}:{port}");
        builtin_error(it, site, &msg, None);
    }
    Ok(tcp_port(bound))
}

fn start_peering(it: &mut Interp, args: &[Value], site: &CallSite<'_>, retry: f64) -> RtResult {
    let Some(port) = is_tcp(&arg(args, 1)) else {
        builtin_error(it, site, "remote connection port must use tcp", None);
        return Ok(Value::Bool(false));
    };
    let addr = str_arg(args, 0);
    let mut retry = retry;
    if let Ok(e) = std::env::var("ZEEK_DEFAULT_CONNECT_RETRY") {
        // atoi
        let digits: String = e
            .trim_start()
            .chars()
            .enumerate()
            .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
            .map(|(_, c)| c)
            .collect();
        retry = digits.parse::<i64>().unwrap_or(0) as f64;
    }
    if retry > 0.0 && retry < 1.0 {
        retry = 1.0;
    }
    let secs = if retry > 0.0 { retry as u64 } else { 0 };
    if let Some(ep) = endpoint(it) {
        ep.peer(&addr, port, Duration::from_secs(secs));
    }
    if global_value(it, "Broker::peer_counts_as_iosource").is_none_or(|v| v.as_bool()) {
        state(it).counting = true;
    }
    Ok(Value::Bool(true))
}

fn peer(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let retry = arg(args, 2).as_double();
    start_peering(it, args, site, retry)
}

fn peer_no_retry(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some(port) = is_tcp(&arg(args, 1)) else {
        builtin_error(it, site, "remote connection port must use tcp", None);
        return Ok(Value::Bool(false));
    };
    let addr = str_arg(args, 0);
    if let Some(ep) = endpoint(it) {
        ep.peer(&addr, port, Duration::ZERO);
    }
    if global_value(it, "Broker::peer_counts_as_iosource").is_none_or(|v| v.as_bool()) {
        state(it).counting = true;
    }
    Ok(Value::Bool(true))
}

fn unpeer(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some(port) = is_tcp(&arg(args, 1)) else {
        builtin_error(it, site, "remote connection port must use tcp", None);
        return Ok(Value::Bool(false));
    };
    let addr = str_arg(args, 0);
    if state(it).shut_down {
        return Ok(Value::Bool(true));
    }
    logs::flush_log_buffers(it);
    if let Some(ep) = endpoint(it) {
        ep.unpeer(&addr, port);
    }
    Ok(Value::Bool(true))
}

fn set_field(rec: &Value, i: usize, v: Value) {
    if let Value::Record(r) = rec {
        if let Some(slot) = r.borrow_mut().fields.get_mut(i) {
            *slot = Some(v);
        }
    }
}

fn peers(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let (Some(vt), Some(pi), Some(ei), Some(ni)) = (
        lookup_type(it, "Broker::PeerInfos"),
        lookup_type(it, "Broker::PeerInfo"),
        lookup_type(it, "Broker::EndpointInfo"),
        lookup_type(it, "Broker::NetworkInfo"),
    ) else {
        return Err(RtErr);
    };
    let list = state(it)
        .endpoint
        .as_ref()
        .map(Endpoint::peers)
        .unwrap_or_default();
    let connected = enum_of(it, "Broker::PeerStatus", "Broker::CONNECTED");
    let out = Value::new_vector(vt);
    for p in list {
        let n = Value::new_record(ni.clone());
        set_field(&n, 0, Value::str(p.network.address.as_bytes()));
        set_field(&n, 1, tcp_port(p.network.port));
        let e = Value::new_record(ei.clone());
        set_field(&e, 0, Value::str(p.id.to_string().as_bytes()));
        set_field(&e, 1, n);
        let r = Value::new_record(pi.clone());
        set_field(&r, 0, e);
        if let Some(c) = &connected {
            set_field(&r, 1, c.clone());
        }
        if let Value::Vector(v) = &out {
            v.borrow_mut().items.push(Some(r));
        }
    }
    Ok(out)
}

fn enum_of(it: &Interp, ty: &str, name: &str) -> Option<Value> {
    let t = lookup_type(it, ty)?;
    let v = match &t.kind {
        TypeKind::Enum(e) => e.value_of(Symbol::intern(name))?,
        _ => return None,
    };
    Some(Value::Enum(t, v))
}

fn node_id(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let id = node(it);
    Ok(Value::str(id.to_string().as_bytes()))
}

// ------------------------------------------------------------------ messaging.bif

fn subscribe(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let t = args.first().map_or(Vec::new(), |v| v.as_bytes().to_vec());
    add_subscription(it, t.clone());
    if let Some(rest) = t.strip_prefix(b"zeek/") {
        let mut alt = b"bro/".to_vec();
        alt.extend_from_slice(rest);
        add_subscription(it, alt);
    }
    Ok(Value::Bool(true))
}

fn add_subscription(it: &mut Interp, t: Vec<u8>) {
    let st = state(it);
    if let Some(ep) = st.endpoint.as_ref() {
        ep.subscribe(&t);
    }
    if !st.subscriptions.contains(&t) {
        st.subscriptions.push(t);
    }
}

fn unsubscribe(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let t = args.first().map_or(Vec::new(), |v| v.as_bytes().to_vec());
    let st = state(it);
    if let Some(i) = st.forwards.iter().position(|f| *f == t) {
        st.forwards.remove(i);
    }
    st.subscriptions.retain(|s| *s != t);
    if let Some(ep) = st.endpoint.as_ref() {
        ep.unsubscribe(&t);
    }
    Ok(Value::Bool(true))
}

fn forward(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let t = args.first().map_or(Vec::new(), |v| v.as_bytes().to_vec());
    if state(it).forwards.contains(&t) {
        return Ok(Value::Bool(false));
    }
    subscribe(it, args, site)?;
    state(it).forwards.push(t);
    Ok(Value::Bool(true))
}

/// The global id and type of an event value.
fn event_of(it: &Interp, v: &Value) -> Option<(u32, TypeRef)> {
    let Value::Func(f) = v else { return None };
    if f.ty.func().map(|ft| ft.flavor) != Some(Flavor::Event) {
        return None;
    }
    let g = it.prog.lookup(f.name)?;
    Some((g, f.ty.clone()))
}

fn auto_publish(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let topic = args.first().map_or(Vec::new(), |v| v.as_bytes().to_vec());
    let Some((g, _)) = event_of(it, &arg(args, 1)) else {
        builtin_error(
            it,
            site,
            "Broker::auto_publish must operate on an event",
            None,
        );
        return Ok(Value::Bool(false));
    };
    let st = state(it);
    match st.auto_publish.iter_mut().find(|(e, _)| *e == g) {
        Some((_, topics)) => {
            if !topics.contains(&topic) {
                topics.push(topic);
            }
        }
        None => st.auto_publish.push((g, vec![topic])),
    }
    Ok(Value::Bool(true))
}

fn auto_unpublish(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let topic = args.first().map_or(Vec::new(), |v| v.as_bytes().to_vec());
    let Some((g, _)) = event_of(it, &arg(args, 1)) else {
        builtin_error(
            it,
            site,
            "Broker::auto_event_stop must operate on an event",
            None,
        );
        return Ok(Value::Bool(false));
    };
    for (e, topics) in &mut state(it).auto_publish {
        if *e == g {
            topics.retain(|t| *t != topic);
        }
    }
    Ok(Value::Bool(true))
}

/// `Manager::FlushLogBuffers`.
fn flush_logs(it: &mut Interp, _args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Count(logs::flush_log_buffers(it)))
}

/// Whether `got` may be passed where `want` is expected (Zeek's
/// `same_type`, with `any` matching everything).
fn compatible(got: &TypeRef, want: &TypeRef) -> bool {
    got.tag() == Tag::Any || want.tag() == Tag::Any || zest_runtime::types::same_type(got, want)
}

/// `Manager::MakeEvent`: a `Broker::Event` record; on errors its name is
/// left unset after Zeek's message.
fn build_event(it: &mut Interp, args: &[Value], site: &CallSite<'_>) -> RtResult {
    let (Some(et), Some(dv)) = (
        lookup_type(it, "Broker::Event"),
        lookup_type(it, "Broker::DataVector"),
    ) else {
        return Err(RtErr);
    };
    let rec = Value::new_record(et);
    let vec = Value::new_vector(dv);
    set_field(&rec, 1, vec.clone());
    let Some(first) = args.first() else {
        return Ok(rec);
    };
    let params: Vec<TypeRef> = match (first, event_of(it, first)) {
        (Value::Func(f), Some(_)) => {
            f.ty.func()
                .map(|ft| ft.params.iter().map(|p| p.ty.clone()).collect())
                .unwrap_or_default()
        }
        _ => {
            builtin_error(
                it,
                site,
                "attempt to convert non-event into an event type",
                None,
            );
            return Ok(rec);
        }
    };
    if params.len() != args.len() - 1 {
        let msg = format!(
            "bad # of arguments: got {}, expect {}",
            args.len(),
            params.len() + 1
        );
        builtin_error(it, site, &msg, None);
        return Ok(rec);
    }
    let name = match first {
        Value::Func(f) => f.name.as_str(),
        _ => "",
    };
    set_field(&rec, 0, Value::str(name.as_bytes()));
    for (i, (a, want)) in args[1..].iter().zip(&params).enumerate() {
        let got = a.type_of(&it.prog.base);
        if !compatible(&got, want) {
            clear_field(&rec, 0);
            let msg = format!(
                "event parameter #{} type mismatch, got {}, expect {}",
                i + 1,
                convert::tag_name(got.tag()),
                convert::tag_name(want.tag())
            );
            builtin_error(it, site, &msg, None);
            return Ok(rec);
        }
        let d = if is_data_record_type(&got) {
            Some(a.clone())
        } else {
            val_to_data(it, a).map(|d| data_record(it, Some(d)))
        };
        match d.filter(|r| record_opaque(r).is_some()) {
            Some(r) => {
                if let Value::Vector(v) = &vec {
                    v.borrow_mut().items.push(Some(r));
                }
            }
            None => {
                clear_field(&rec, 0);
                let msg = format!(
                    "failed to convert param #{} of type {} to broker data",
                    i + 1,
                    convert::tag_name(got.tag())
                );
                builtin_error(it, site, &msg, None);
                return Ok(rec);
            }
        }
    }
    Ok(rec)
}

fn clear_field(rec: &Value, i: usize) {
    if let Value::Record(r) = rec {
        if let Some(slot) = r.borrow_mut().fields.get_mut(i) {
            *slot = None;
        }
    }
}

fn make_event(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    build_event(it, args, site)
}

/// The common case of `publish(topic, ev, args...)` without the detour
/// through a `Broker::Event` record: the event's name and its arguments
/// as data, when every argument has the parameter's type and converts.
/// Anything else (`None`) takes `build_event`'s path and its errors.
fn event_args_direct(it: &mut Interp, args: &[Value]) -> Option<(&'static str, Vec<Data>)> {
    let Some(Value::Func(f)) = args.first() else {
        return None;
    };
    let ft = f.ty.func().filter(|ft| ft.flavor == Flavor::Event)?;
    it.prog.lookup(f.name)?;
    if ft.params.len() != args.len() - 1 {
        return None;
    }
    let mut xs = Vec::with_capacity(ft.params.len());
    for (a, p) in args[1..].iter().zip(&ft.params) {
        let got = a.type_of(&it.prog.base);
        if !compatible(&got, &p.ty) || is_data_record_type(&got) {
            return None;
        }
        xs.push(val_to_data(it, a)?);
    }
    Some((f.name.as_str(), xs))
}

/// Publishes an event message when there are peers; `true` either way.
fn publish_event(it: &mut Interp, topic: &[u8], name: &[u8], args: Vec<Data>) -> bool {
    let st = state(it);
    if st.peer_count == 0 {
        return true;
    }
    let Some(ep) = st.endpoint.as_ref() else {
        return true;
    };
    ep.publish(topic, &zmsg::event(name, args));
    st.stats.events_outgoing += 1;
    true
}

/// `publish_event_args`: `args` is either a `Broker::Event` record or an
/// event followed by its arguments.
fn publish_args(it: &mut Interp, topic: &[u8], args: &[Value], site: &CallSite<'_>) -> RtResult {
    if let Some((name, xs)) = event_args_direct(it, args) {
        if state(it).peer_count == 0 {
            return Ok(Value::Bool(true));
        }
        return Ok(Value::Bool(publish_event(it, topic, name.as_bytes(), xs)));
    }
    let ev = match args.first() {
        Some(r @ Value::Record(_)) => r.clone(),
        _ => build_event(it, args, site)?,
    };
    if state(it).peer_count == 0 {
        return Ok(Value::Bool(true));
    }
    let Value::Record(r) = &ev else {
        return Ok(Value::Bool(false));
    };
    let (name, items) = {
        let rb = r.borrow();
        let name = match rb.fields.first() {
            Some(Some(Value::String(s))) => s.to_vec(),
            _ => return Ok(Value::Bool(false)),
        };
        let items: Vec<Value> = match rb.fields.get(1) {
            Some(Some(Value::Vector(v))) => v.borrow().items.iter().flatten().cloned().collect(),
            _ => Vec::new(),
        };
        (name, items)
    };
    let mut xs = Vec::with_capacity(items.len());
    for item in &items {
        let d = record_opaque(item).and_then(|o| match convert::native_mut(it, &o) {
            Some(Native::Data(d)) => Some(d.clone()),
            _ => None,
        });
        xs.push(d.unwrap_or(Data::None));
    }
    Ok(Value::Bool(publish_event(it, topic, &name, xs)))
}

fn publish(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some((topic, rest)) = args.split_first() else {
        return Ok(Value::Bool(false));
    };
    let topic = topic.as_bytes().to_vec();
    publish_args(it, &topic, rest, site)
}

fn cluster_publish(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    topic_fn: &str,
) -> RtResult {
    if args.len() < 2 {
        return Ok(Value::Bool(false));
    }
    let Some(f) = global_value(it, topic_fn) else {
        return Err(it.runtime_error(site.loc, &format!("{topic_fn} is not defined")));
    };
    let mut fargs = vec![args[0].clone(), args[1].clone()];
    let topic = it.call_value(&f, &mut fargs, site.loc)?;
    let topic = topic.as_bytes().to_vec();
    if topic.is_empty() {
        return Ok(Value::Bool(false));
    }
    publish_args(it, &topic, &args[2..], site)
}

fn publish_rr(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    cluster_publish(it, args, site, "Cluster::rr_topic")
}

fn publish_hrw(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    cluster_publish(it, args, site, "Cluster::hrw_topic")
}

fn publish_id(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let topic = args.first().map_or(Vec::new(), |v| v.as_bytes().to_vec());
    let name = str_arg(args, 1);
    if state(it).peer_count == 0 || state(it).endpoint.is_none() {
        return Ok(Value::Bool(true));
    }
    let Some(g) = Symbol::lookup(&name).and_then(|n| it.prog.lookup(n)) else {
        return Ok(Value::Bool(false));
    };
    let v = it.prog.globals[g as usize].value.clone();
    if matches!(v, Value::Void) {
        return Ok(Value::Bool(false));
    }
    let Some(d) = val_to_data(it, &v) else {
        let t = it.prog.globals[g as usize]
            .ty
            .as_ref()
            .map_or("void", |t| convert::tag_name(t.tag()));
        let msg = format!("Failed to publish ID with unsupported type: {name} ({t})");
        it.error(None, &msg);
        return Ok(Value::Bool(false));
    };
    let st = state(it);
    if let Some(ep) = st.endpoint.as_ref() {
        ep.publish(&topic, &zmsg::identifier_update(name.as_bytes(), d));
        st.stats.ids_outgoing += 1;
    }
    Ok(Value::Bool(true))
}

// ------------------------------------------------------------------ run loop

/// Hands every report the endpoint has ready to the script layer: events
/// and identifier updates from peers, and `Broker::peer_added`,
/// `peer_lost`, … and `Broker::error` events. Returns whether Broker is a
/// counting I/O source (after `listen`, or `peer` with
/// `Broker::peer_counts_as_iosource`), i.e. keeps the run loop alive until
/// `terminate()`.
pub fn poll(it: &mut Interp) -> bool {
    while let Some(m) = state(it).endpoint.as_mut().and_then(Endpoint::try_recv) {
        match m {
            Inbound::Data { topic, data } if metrics::is_import_topic(it, &topic) => {
                metrics::import(it, &data);
            }
            Inbound::Data { topic, data } => dispatch_message(it, &topic, &data),
            Inbound::Status(s) => process_status(it, &s),
            Inbound::Error(e) => process_error(it, &e),
            Inbound::Command { topic, payload } => store::dispatch_command(it, &topic, &payload),
        }
    }
    store::poll(it);
    metrics::poll(it);
    state(it).counting
}

/// The run loop's idle wait: returns as soon as the endpoint has something
/// for [`poll`], at the latest after `d`.
pub fn wait(it: &mut Interp, d: Duration) {
    match state(it).endpoint.as_ref() {
        Some(ep) => ep.wait(d),
        None => std::thread::sleep(d),
    }
}

/// Subscribes a data store's topic (now, or when the endpoint starts).
fn subscribe_store(it: &mut Interp, topic: &[u8]) {
    let st = state(it);
    if !st.store_topics.iter().any(|t| t == topic) {
        st.store_topics.push(topic.to_vec());
    }
    if let Some(ep) = st.endpoint.as_ref() {
        ep.subscribe_store(topic);
    }
}

/// Zeek's `Manager::Active`: listening or with peers.
pub fn active(it: &mut Interp) -> bool {
    let st = state(it);
    !st.shut_down && (st.bound_port > 0 || st.peer_count > 0)
}

/// Ends all peerings (BYE to each peer, at most 3 s) and stops the
/// endpoint's thread. Later natives act as if Broker were shut down.
pub fn shutdown(it: &mut Interp) {
    logs::flush_log_buffers(it);
    let st = state(it);
    st.shut_down = true;
    st.counting = false;
    if let Some(mut ep) = st.endpoint.take() {
        ep.shutdown();
    }
}

/// Whether `Broker::auto_publish` registered topics for the event.
pub fn is_auto_published(it: &mut Interp, handler: u32) -> bool {
    state(it)
        .auto_publish
        .iter()
        .any(|(g, t)| *g == handler && !t.is_empty())
}

/// Call when an event is dispatched locally (not one that came from
/// Broker): publishes it to the topics `Broker::auto_publish` registered
/// for it (`EventHandler::Call`).
pub fn auto_publish_dispatch(it: &mut Interp, handler: u32, args: &[Value]) {
    let Some(pos) = state(it)
        .auto_publish
        .iter()
        .position(|(g, t)| *g == handler && !t.is_empty())
    else {
        return;
    };
    let mut xs = Vec::with_capacity(args.len());
    for a in args {
        match val_to_data(it, a) {
            Some(d) => xs.push(d),
            None => {
                state(it).auto_publish.remove(pos);
                let name = it.prog.globals[handler as usize].name;
                it.error(
                    None,
                    &format!("failed auto-remote event '{name}', disabled"),
                );
                return;
            }
        }
    }
    let topics = state(it).auto_publish[pos].1.clone();
    let name = it.prog.globals[handler as usize]
        .name
        .as_str()
        .as_bytes()
        .to_vec();
    for t in topics {
        publish_event(it, &t, &name, xs.clone());
    }
}

fn dispatch_message(it: &mut Interp, topic: &[u8], d: &Data) {
    match zmsg::message_kind(d) {
        Some(zmsg::MessageKind::Event) => process_event(it, topic, d),
        Some(zmsg::MessageKind::IdentifierUpdate) => process_id(it, d),
        Some(zmsg::MessageKind::Batch) => match zmsg::batch_parts(d) {
            Some(items) => {
                for m in items {
                    dispatch_message(it, topic, m);
                }
            }
            None => it.warn(None, &format!("received invalid broker Batch: {d}")),
        },
        Some(zmsg::MessageKind::LogCreate) => logs::process_log_create(it, d),
        Some(zmsg::MessageKind::LogWrite) => logs::process_log_write(it, d),
        Some(zmsg::MessageKind::Invalid) => {
            it.warn(None, &format!("received invalid broker message: {d}"));
        }
        None => it.warn(None, &format!("received unknown broker message: {d}")),
    }
}

fn process_event(it: &mut Interp, topic: &[u8], d: &Data) {
    let Some((name, args)) = zmsg::event_parts(d) else {
        it.warn(None, &format!("received invalid broker Event: {d}"));
        return;
    };
    state(it).stats.events_incoming += 1;
    let name = String::from_utf8_lossy(name).into_owned();
    let Some(g) = Symbol::lookup(&name).and_then(|n| it.prog.lookup(n)) else {
        return;
    };
    let Some(ft) = it.prog.globals[g as usize].ty.clone() else {
        return;
    };
    let Some(f) = ft.func().filter(|f| f.flavor == Flavor::Event) else {
        return;
    };
    if state(it).forwards.iter().any(|p| topic.starts_with(p)) {
        return;
    }
    let params: Vec<TypeRef> = f.params.iter().map(|p| p.ty.clone()).collect();
    if params.len() != args.len() {
        let msg = format!(
            "got event message '{name}' with invalid # of args, got {}, expected {}",
            args.len(),
            params.len()
        );
        it.warn(None, &msg);
        return;
    }
    let mut vals = Vec::with_capacity(args.len());
    for (i, (a, t)) in args.iter().zip(&params).enumerate() {
        match data_to_val(it, a, t) {
            Some(v) => vals.push(v),
            None => {
                let expected = convert::tag_name(t.tag());
                let got = a.type_name();
                let addl = match (t.tag(), a) {
                    (Tag::Record, Data::Vector(items)) => {
                        let els: Vec<&str> = items.iter().map(Data::type_name).collect();
                        format!(
                            "got mismatching field types [{}] for record type '{}'",
                            els.join(", "),
                            t.type_name().map_or("", |n| n.as_str())
                        )
                    }
                    _ => format!("got {got}, expected {expected}"),
                };
                it.warn(
                    None,
                    &format!("failed to convert remote event '{name}' arg #{i}, {addl}"),
                );
                if t.tag() == Tag::Func && got == "vector" {
                    it.warn(
                        None,
                        "when sending functions the receiver must have access to a version of that function.\nFor anonymous functions, that function must have the same body.",
                    );
                }
                return;
            }
        }
    }
    it.queue_remote_event(g, vals);
}

fn process_id(it: &mut Interp, d: &Data) {
    let Some((name, value)) = zmsg::identifier_parts(d) else {
        it.warn(
            None,
            &format!("received invalid broker IdentifierUpdate: {d}"),
        );
        return;
    };
    state(it).stats.ids_incoming += 1;
    let name = String::from_utf8_lossy(name).into_owned();
    let Some(g) = Symbol::lookup(&name).and_then(|n| it.prog.lookup(n)) else {
        it.warn(
            None,
            &format!("Received id-update request for unknown id: {name}"),
        );
        return;
    };
    let Some(t) = it.prog.globals[g as usize].ty.clone() else {
        return;
    };
    match data_to_val(it, value, &t) {
        Some(v) => it.prog.globals[g as usize].value = v,
        None => {
            let msg = format!(
                "Failed to receive ID with unsupported type: {name} ({})",
                convert::tag_name(t.tag())
            );
            it.error(None, &msg);
        }
    }
}

fn process_status(it: &mut Interp, s: &zest_broker::Status) {
    let ev = match s.code {
        StatusCode::Unspecified => "Broker::status",
        StatusCode::PeerAdded => {
            state(it).peer_count += 1;
            crate::logging::manager::send_all_writers_to(it, s.context.node);
            "Broker::peer_added"
        }
        StatusCode::PeerRemoved => {
            let st = state(it);
            st.peer_count = st.peer_count.saturating_sub(1);
            "Broker::peer_removed"
        }
        StatusCode::PeerLost => {
            let st = state(it);
            st.peer_count = st.peer_count.saturating_sub(1);
            "Broker::peer_lost"
        }
        StatusCode::EndpointDiscovered => "Broker::endpoint_discovered",
        StatusCode::EndpointUnreachable => "Broker::endpoint_unreachable",
    };
    let Some(g) = it.prog.lookup(Symbol::intern(ev)) else {
        return;
    };
    let (Some(ei), Some(ni)) = (
        lookup_type(it, "Broker::EndpointInfo"),
        lookup_type(it, "Broker::NetworkInfo"),
    ) else {
        return;
    };
    let info = Value::new_record(ei);
    set_field(&info, 0, Value::str(s.context.node.to_string().as_bytes()));
    let net = Value::new_record(ni);
    match &s.context.network {
        Some(n) => {
            set_field(&net, 0, Value::str(n.address.as_bytes()));
            set_field(&net, 1, tcp_port(n.port));
        }
        None => {
            set_field(&net, 0, Value::str(b"<unknown>"));
            set_field(&net, 1, tcp_port(0));
        }
    }
    set_field(&info, 1, net);
    it.queue_event(g, vec![info, Value::str(s.message.as_bytes())]);
}

fn process_error(it: &mut Interp, e: &zest_broker::ErrorReport) {
    let Some(g) = it.prog.lookup(Symbol::intern("Broker::error")) else {
        return;
    };
    let Some(t) = lookup_type(it, "Broker::ErrorCode") else {
        return;
    };
    let known = match &t.kind {
        TypeKind::Enum(en) => en.name_of(i64::from(e.code)).is_some(),
        _ => false,
    };
    let code = if known {
        i64::from(e.code)
    } else {
        it.warn(
            None,
            &format!(
                "Unknown Broker error code {}: mapped to unspecified enum value ",
                e.code
            ),
        );
        1
    };
    it.queue_event(
        g,
        vec![
            Value::Enum(t, code),
            Value::str(e.zeek_message().as_bytes()),
        ],
    );
}

/// `get_broker_stats()`'s counters and the peer count.
pub fn stats(it: &mut Interp) -> (u64, Stats) {
    let st = state(it);
    (st.peer_count, st.stats)
}

/// `DataVal::canCastTo` / `castTo` for the runtime's `is`, `as` and type
/// `switch` on a `Broker::Data` record (an `any` received from a peer):
/// the value of type `t` the wrapped data converts to, if any.
pub fn cast_data(it: &mut Interp, v: &Value, t: &TypeRef) -> Option<Value> {
    let Value::Record(r) = v else { return None };
    if !is_data_record_type(&r.borrow().ty) || is_data_record_type(t) {
        return None;
    }
    let o = record_opaque(v)?;
    let d = match convert::native_mut(it, &o)? {
        Native::Data(d) => d.clone(),
        _ => return None,
    };
    data_to_val(it, &d, t)
}

/// `DataVal::ValDescribe` for the runtime's printer: `broker::data{TEXT}`
/// for an `opaque of Broker::Data`, `None` for other values.
pub fn describe_opaque(it: &Interp, v: &Value, out: &mut Vec<u8>) -> bool {
    match convert::native_ref(it, v) {
        Some(Native::Data(d)) => {
            out.extend_from_slice(b"broker::data{");
            out.extend_from_slice(&d.to_text());
            out.push(b'}');
            true
        }
        Some(Native::Store { name, .. }) => {
            out.extend_from_slice(b"broker::store::{");
            out.extend_from_slice(name.as_bytes());
            out.push(b'}');
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use zest_broker::{zeek as zmsg, Data, EndpointId, ErrorReport, NetworkInfo};

    /// Zeek's `broker.error` baseline (`Broker::error`'s message) and the
    /// strings of the status events in Zeek's broker baselines.
    #[test]
    fn zeek_visible_texts() {
        let e = ErrorReport {
            code: 3,
            context: Some(zest_broker::EndpointInfo {
                node: EndpointId::NIL,
                network: Some(NetworkInfo {
                    address: "1.2.3.4".into(),
                    port: 1947,
                    retry_secs: 0,
                }),
            }),
            message: "cannot unpeer from unknown peer".into(),
        };
        assert_eq!(
            e.zeek_message(),
            "(00000000-0000-0000-0000-000000000000, *1.2.3.4:1947, \"cannot unpeer from unknown peer\")"
        );
    }

    /// `broker.opaque` and `broker.remote_event_vector_any` baselines:
    /// the text inside `broker::data{…}`.
    #[test]
    fn data_descriptions() {
        let cases: Vec<(Data, &str)> = vec![
            (
                Data::Set([Data::string("hi"), Data::string("there")].into()),
                "{hi, there}",
            ),
            (Data::string("!"), "!"),
            (Data::Count(30), "30"),
            (Data::Count(3), "3"),
            (Data::string("one"), "one"),
        ];
        for (d, want) in cases {
            assert_eq!(d.to_string(), want);
        }
        let ev = zmsg::event(b"ping", vec![Data::string("my-message"), Data::Count(1)]);
        assert_eq!(ev.to_string(), "(1, 1, (ping, (my-message, 1)))");
    }
}
