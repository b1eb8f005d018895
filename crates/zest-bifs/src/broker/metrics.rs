//! Broker's metrics exporter and Prometheus endpoint: with
//! `Broker::metrics_export_topic` set, the telemetry registry is published
//! there every `Broker::metrics_export_interval`; with
//! `Broker::metrics_port` set, `GET /metrics` over HTTP answers with the
//! local metrics and those imported from `Broker::metrics_import_topics`,
//! each labelled with its endpoint's name.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;
use zest_broker::Data;
use zest_runtime::{Interp, Value};

/// Cap on an HTTP request (Broker's `max_request_size`).
const MAX_REQUEST: usize = 512 * 1024;
const REQUEST_START: &[u8] = b"GET /metrics HTTP/1.";
const TOO_LARGE: &[u8] = b"HTTP/1.1 413 Request Entity Too Large\r\nConnection: Closed\r\n\r\n";
const NOT_SUPPORTED: &[u8] = b"HTTP/1.1 501 Not Implemented\r\nConnection: Closed\r\n\r\n";
const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: Closed\r\n\r\n";

/// A metric's labels, sorted by name.
type Labels = Vec<(Vec<u8>, Vec<u8>)>;

/// One metric family as collected (Broker's `metric_collector`).
struct Family {
    ty: String,
    unit: Vec<u8>,
    helptext: Vec<u8>,
    is_sum: bool,
    /// Labels (with `endpoint`, sorted by name) and the latest value.
    instances: Vec<(Labels, Data)>,
}

#[derive(Default)]
pub struct Metrics {
    interval: f64,
    target: Vec<u8>,
    id: String,
    import: Vec<Vec<u8>>,
    prefixes: Vec<Vec<u8>>,
    next_export: Option<Instant>,
    listen_tried: bool,
    listener: Option<TcpListener>,
    conns: Vec<(TcpStream, Vec<u8>)>,
    /// By prefix, then name.
    families: BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, Family>>,
    last_seen: BTreeMap<String, i64>,
}

const KEY: &str = "broker_metrics";

fn state(it: &mut Interp) -> &mut Metrics {
    it.ext_mut::<Metrics>(KEY)
}

fn strings(v: Option<&Value>) -> Vec<Vec<u8>> {
    match v {
        Some(Value::Vector(v)) => v
            .borrow()
            .items
            .iter()
            .flatten()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        _ => Vec::new(),
    }
}

pub fn set_interval(it: &mut Interp, secs: f64) {
    if secs > 0.0 {
        state(it).interval = secs;
    }
}

pub fn set_target(it: &mut Interp, v: Option<&Value>) {
    let t = v.map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    if !t.is_empty() {
        state(it).target = t;
    }
}

pub fn set_id(it: &mut Interp, v: Option<&Value>) {
    let id = v.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if let Some(id) = id.filter(|s| !s.is_empty()) {
        state(it).id = id;
    }
}

pub fn set_import_topics(it: &mut Interp, v: Option<&Value>) {
    let topics = strings(v);
    for t in &topics {
        super::add_subscription(it, t.clone());
    }
    state(it).import = topics;
}

pub fn set_prefixes(it: &mut Interp, v: Option<&Value>) {
    state(it).prefixes = strings(v);
}

/// Whether `topic` is one metrics are imported from.
pub fn is_import_topic(it: &mut Interp, topic: &[u8]) -> bool {
    let st = state(it);
    !st.import.is_empty() && st.import.iter().any(|p| topic.starts_with(p))
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

fn endpoint_name(it: &mut Interp) -> String {
    if state(it).id.is_empty() {
        super::node(it).to_string()
    } else {
        state(it).id.clone()
    }
}

/// The local metrics as Broker's exporter ships them: the endpoint's name
/// and the time, then one row per metric.
fn local_rows(it: &mut Interp) -> Vec<Data> {
    let id = endpoint_name(it);
    let prefixes = state(it).prefixes.clone();
    let mut rows = vec![Data::Vector(vec![
        Data::string(id),
        Data::Timestamp(now_ns()),
    ])];
    rows.extend(crate::telemetry::scrape_rows(it, &prefixes));
    rows
}

/// Takes a metrics message (`metric_collector::insert_or_update`).
pub fn import(it: &mut Interp, d: &Data) {
    let Data::Vector(v) = d else { return };
    let (Some(Data::Vector(meta)), true) = (v.first(), v.len() >= 2) else {
        return;
    };
    let (Some(Data::String(name)), Some(Data::Timestamp(ts))) = (meta.first(), meta.get(1)) else {
        return;
    };
    if meta.len() != 2 {
        return;
    }
    let name = String::from_utf8_lossy(name).into_owned();
    let st = state(it);
    match st.last_seen.get(&name) {
        Some(prev) if *prev >= *ts => return,
        _ => {
            st.last_seen.insert(name.clone(), *ts);
        }
    }
    for row in &v[1..] {
        st.update(&name, row);
    }
}

impl Metrics {
    fn update(&mut self, endpoint: &str, row: &Data) {
        let Data::Vector(r) = row else { return };
        let [Data::String(prefix), Data::String(name), Data::String(ty), Data::String(unit), Data::String(help), Data::Bool(is_sum), Data::Table(labels), value] =
            r.as_slice()
        else {
            return;
        };
        let ty = String::from_utf8_lossy(ty).into_owned();
        if !matches!(ty.as_str(), "counter" | "gauge" | "histogram") {
            return;
        }
        let mut lbls: Labels = vec![(b"endpoint".to_vec(), endpoint.as_bytes().to_vec())];
        for (k, v) in labels {
            let (Data::String(k), Data::String(v)) = (k, v) else {
                return;
            };
            lbls.push((k.clone(), v.clone()));
        }
        lbls.sort_by(|a, b| a.0.cmp(&b.0));
        let fam = self
            .families
            .entry(prefix.clone())
            .or_default()
            .entry(name.clone())
            .or_insert_with(|| Family {
                ty: ty.clone(),
                unit: unit.clone(),
                helptext: help.clone(),
                is_sum: *is_sum,
                instances: Vec::new(),
            });
        if fam.ty != ty {
            return;
        }
        match fam.instances.iter_mut().find(|(l, _)| *l == lbls) {
            Some((_, v)) => *v = value.clone(),
            None => fam.instances.push((lbls, value.clone())),
        }
    }

    /// The collected metrics in Prometheus' text format (CAF's
    /// `collector::prometheus`).
    fn prometheus_text(&self) -> Vec<u8> {
        let ms = now_ns() / 1_000_000;
        let mut out = Vec::new();
        for (prefix, names) in &self.families {
            for (name, f) in names {
                if f.instances.is_empty() {
                    continue;
                }
                let mut full = prefix.clone();
                full.push(b'_');
                full.extend_from_slice(name);
                if f.unit != b"1" {
                    full.push(b'_');
                    full.extend_from_slice(&f.unit);
                }
                if f.is_sum {
                    full.extend_from_slice(b"_total");
                }
                if !f.helptext.is_empty() {
                    out.extend_from_slice(b"# HELP ");
                    out.extend_from_slice(&full);
                    out.push(b' ');
                    out.extend_from_slice(&f.helptext);
                    out.push(b'\n');
                }
                out.extend_from_slice(b"# TYPE ");
                out.extend_from_slice(&full);
                out.push(b' ');
                out.extend_from_slice(f.ty.as_bytes());
                out.push(b'\n');
                for (labels, value) in &f.instances {
                    if let Data::Vector(buckets) = value {
                        sample_histogram(&mut out, &full, labels, buckets, ms);
                    } else {
                        sample(&mut out, &full, b"", labels, None, &number(value), ms);
                    }
                }
            }
        }
        out
    }
}

fn number(d: &Data) -> String {
    match d {
        Data::Integer(i) => i.to_string(),
        Data::Count(c) => c.to_string(),
        Data::Real(r) if r.is_infinite() => if *r > 0.0 { "+Inf" } else { "-Inf" }.to_string(),
        Data::Real(r) => format!("{r}"),
        _ => "0".to_string(),
    }
}

fn sample(
    out: &mut Vec<u8>,
    name: &[u8],
    suffix: &[u8],
    labels: &[(Vec<u8>, Vec<u8>)],
    le: Option<&str>,
    value: &str,
    ms: i64,
) {
    out.extend_from_slice(name);
    out.extend_from_slice(suffix);
    if !labels.is_empty() || le.is_some() {
        out.push(b'{');
        let mut first = true;
        for (k, v) in labels {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(k);
            out.extend_from_slice(b"=\"");
            out.extend_from_slice(v);
            out.push(b'"');
        }
        if let Some(le) = le {
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(b"le=\"");
            out.extend_from_slice(le.as_bytes());
            out.push(b'"');
        }
        out.push(b'}');
    }
    out.push(b' ');
    out.extend_from_slice(value.as_bytes());
    out.push(b' ');
    out.extend_from_slice(ms.to_string().as_bytes());
    out.push(b'\n');
}

fn sample_histogram(
    out: &mut Vec<u8>,
    name: &[u8],
    labels: &[(Vec<u8>, Vec<u8>)],
    buckets: &[Data],
    ms: i64,
) {
    let Some((sum, buckets)) = buckets.split_last() else {
        return;
    };
    let mut total: i64 = 0;
    let n = buckets.len();
    for (i, b) in buckets.iter().enumerate() {
        let Data::Vector(kv) = b else { return };
        let (Some(ub), Some(Data::Integer(c))) = (kv.first(), kv.get(1)) else {
            return;
        };
        total = total.wrapping_add(*c);
        let le = if i + 1 == n {
            "+Inf".to_string()
        } else {
            number(ub)
        };
        sample(
            out,
            name,
            b"_bucket",
            labels,
            Some(&le),
            &total.to_string(),
            ms,
        );
    }
    sample(out, name, b"_sum", labels, None, &number(sum), ms);
    sample(out, name, b"_count", labels, None, &total.to_string(), ms);
}

fn metrics_port(it: &Interp) -> Option<u16> {
    match super::global_value(it, "Broker::metrics_port") {
        Some(v) => super::is_tcp(&v).filter(|p| *p > 0),
        None => None,
    }
}

/// Exports when due, and serves the Prometheus endpoint. Called from the
/// run loop's poll of the Broker endpoint.
pub fn poll(it: &mut Interp) {
    if !state(it).listen_tried {
        state(it).listen_tried = true;
        if let Some(port) = metrics_port(it) {
            match TcpListener::bind(("0.0.0.0", port)) {
                Ok(l) if l.set_nonblocking(true).is_ok() => state(it).listener = Some(l),
                _ => {}
            }
        }
    }
    export(it);
    serve(it);
}

fn export(it: &mut Interp) {
    let st = state(it);
    if st.target.is_empty() {
        return;
    }
    let interval = if st.interval > 0.0 { st.interval } else { 1.0 };
    let now = Instant::now();
    let every = std::time::Duration::from_secs_f64(interval);
    match st.next_export {
        None => {
            st.next_export = Some(now + every);
            return;
        }
        Some(t) if t > now => return,
        Some(t) => {
            let mut next = t + every;
            while next <= now {
                next += every;
            }
            st.next_export = Some(next);
        }
    }
    let target = st.target.clone();
    let rows = local_rows(it);
    if let Some(ep) = super::state(it).endpoint.as_ref() {
        ep.publish(&target, &Data::Vector(rows));
    }
}

fn serve(it: &mut Interp) {
    if state(it).listener.is_none() {
        return;
    }
    loop {
        let accepted = state(it).listener.as_ref().map(TcpListener::accept);
        match accepted {
            Some(Ok((s, _))) => {
                if s.set_nonblocking(true).is_ok() {
                    state(it).conns.push((s, Vec::new()));
                }
            }
            _ => break,
        }
    }
    let mut i = 0;
    while i < state(it).conns.len() {
        let mut buf = [0u8; 1024];
        let (done, reply) = {
            let (s, req) = &mut state(it).conns[i];
            match s.read(&mut buf) {
                Ok(0) => (true, None),
                Ok(n) => {
                    if req.len() + n > MAX_REQUEST {
                        (true, Some(TOO_LARGE.to_vec()))
                    } else {
                        req.extend_from_slice(&buf[..n]);
                        if req.len() < REQUEST_START.len() {
                            (false, None)
                        } else if !req.starts_with(REQUEST_START) {
                            (true, Some(NOT_SUPPORTED.to_vec()))
                        } else {
                            (true, Some(Vec::new()))
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => (false, None),
                Err(_) => (true, None),
            }
        };
        if !done {
            i += 1;
            continue;
        }
        let (mut s, _) = state(it).conns.swap_remove(i);
        if let Some(mut reply) = reply {
            if reply.is_empty() {
                let rows = local_rows(it);
                import(it, &Data::Vector(rows));
                reply = OK.to_vec();
                reply.extend(state(it).prometheus_text());
            }
            let _ = s.set_nonblocking(false);
            let _ = s.set_write_timeout(Some(std::time::Duration::from_secs(1)));
            let _ = s.write_all(&reply);
            let _ = s.flush();
        }
    }
}
