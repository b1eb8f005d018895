//! Raw endpoint throughput between two endpoints over loopback.
//!
//!     cargo run --release -p zest-broker --example broker_throughput -- [N] [--tls]
//!
//! Endpoint A publishes N Zeek events `bench(n: count, t: time)` on
//! `bench/data`; endpoint B, peered over 127.0.0.1 (plain TCP, or
//! Broker's anonymous TLS with `--tls`), receives and decodes them. At
//! most WINDOW events are in flight (a publisher that outruns its peer by
//! more than the peer buffer would have that peer disconnected). Prints
//! events per second and the p50/p99 latency from publishing to the
//! receiving owner, as one line of `key=value` pairs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zest_broker::{zeek, Config, Data, Endpoint, Inbound, Notify, StatusCode, TlsConfig};

const WINDOW: u64 = 1024;

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

fn wait_peer_added(ep: &mut Endpoint) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        while let Some(m) = ep.try_recv() {
            if matches!(m, Inbound::Status(ref s) if s.code == StatusCode::PeerAdded) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("no peering");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tls = args.iter().any(|a| a == "--tls");
    let n: u64 = args
        .iter()
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(200_000);
    let tls_cfg = tls.then(TlsConfig::default);
    let received = Arc::new(AtomicU64::new(0));

    let publisher = std::thread::current();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let recv_count = received.clone();
    let b_tls = tls_cfg.clone();
    // The receiving endpoint and its owner live on their own thread, which
    // the endpoint wakes when data arrive.
    let receiver = std::thread::spawn(move || {
        let mut b = Endpoint::new(Config {
            tls: b_tls,
            notify: Some(Notify(Arc::new({
                let me = std::thread::current();
                move || me.unpark()
            }))),
            ..Config::default()
        })
        .unwrap();
        b.subscribe(b"bench/");
        port_tx.send(b.listen("127.0.0.1", 0).unwrap()).unwrap();
        wait_peer_added(&mut b);
        let mut lat = Vec::with_capacity(n as usize);
        let mut first = None;
        let mut got = 0u64;
        while got < n {
            let mut any = false;
            while let Some(m) = b.try_recv() {
                if let Inbound::Data { data, .. } = m {
                    let t = now_ns();
                    any = true;
                    if let Some((_, args)) = zeek::event_parts(&data) {
                        if let Some(Data::Timestamp(sent)) = args.get(1) {
                            lat.push(t - sent);
                        }
                    }
                    first.get_or_insert_with(Instant::now);
                    got += 1;
                    recv_count.store(got, Ordering::Release);
                }
            }
            if any {
                publisher.unpark();
            } else {
                std::thread::park_timeout(Duration::from_millis(5));
            }
        }
        let secs = first.map(|f| f.elapsed().as_secs_f64()).unwrap_or(0.0);
        (lat, secs, b)
    });
    let port = port_rx.recv().unwrap();

    let mut a = Endpoint::new(Config {
        tls: tls_cfg,
        ..Config::default()
    })
    .unwrap();
    a.peer("127.0.0.1", port, Duration::ZERO);
    wait_peer_added(&mut a);
    std::thread::sleep(Duration::from_millis(100));

    let start = Instant::now();
    let mut sent = 0u64;
    while sent < n {
        let done = received.load(Ordering::Acquire);
        if sent - done >= WINDOW {
            std::thread::park_timeout(Duration::from_millis(1));
            continue;
        }
        let ev = zeek::event(b"bench", vec![Data::Count(sent), Data::Timestamp(now_ns())]);
        a.publish(b"bench/data", &ev);
        sent += 1;
    }
    let (mut lat, recv_secs, mut b) = receiver.join().unwrap();
    let secs = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map(|ns| *ns as f64 / 1e3)
            .unwrap_or(f64::NAN)
    };
    println!(
        "events={n} transport={} seconds={secs:.3} events_per_sec={:.0} recv_events_per_sec={:.0} p50_us={:.1} p99_us={:.1}",
        if tls { "tls" } else { "tcp" },
        n as f64 / secs,
        n as f64 / recv_secs.max(1e-9),
        pct(0.50),
        pct(0.99),
    );
    a.shutdown();
    b.shutdown();
}
