//! The outbound overflow policy: a peer that stops reading is disconnected
//! once its buffer is full, while another peer keeps receiving everything.

mod common;

use common::*;
use std::time::{Duration, Instant};
use zest_broker::{Config, Data, Endpoint, EndpointId, Inbound, StatusCode};

#[test]
fn a_peer_that_stops_reading_is_dropped_and_others_keep_receiving() {
    let mut a = Endpoint::new(Config {
        peer_buffer: 64,
        ..Config::default()
    })
    .unwrap();
    let port = a.listen("127.0.0.1", 0).unwrap();

    // The stalled peer: a scripted socket that completes the handshake
    // and then never reads again.
    let stalled_id = EndpointId([0x01; 16]);
    let mut stalled = RawPeer::connect(port);
    stalled.handshake_as_connector(stalled_id, &filter_of(&["t/"]));
    wait_for(&mut a, status(StatusCode::PeerAdded));

    let mut b = Endpoint::new(Config::default()).unwrap();
    b.subscribe(b"t/");
    b.peer("127.0.0.1", port, Duration::ZERO);
    wait_for(&mut b, status(StatusCode::PeerAdded));
    wait_for(&mut a, status(StatusCode::PeerAdded));
    std::thread::sleep(Duration::from_millis(50));

    // 48 MiB in 16 KiB messages, far more than the stalled peer's socket
    // buffers hold, published in rounds that the reading peer keeps up
    // with.
    const N: u64 = 3072;
    const ROUND: u64 = 16;
    let blob = vec![b'x'; 16 << 10];
    let mut received = 0u64;
    let mut stalled_dropped = false;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut sent = 0;
    while received < N {
        assert!(Instant::now() < deadline, "received only {received}");
        if sent < N && sent < received + 4 * ROUND {
            for _ in 0..ROUND {
                let d = Data::Vector(vec![Data::Count(sent), Data::String(blob.clone())]);
                a.publish(b"t/data", &d);
                sent += 1;
            }
        }
        while let Some(m) = b.try_recv() {
            match m {
                Inbound::Data { data, .. } => match data {
                    Data::Vector(v) => {
                        assert_eq!(v[0], Data::Count(received), "in order, none lost");
                        received += 1;
                    }
                    other => panic!("{other:?}"),
                },
                Inbound::Status(s) if s.code == StatusCode::PeerLost => {
                    panic!("the reading peer was dropped: {s:?}")
                }
                _ => {}
            }
        }
        while let Some(m) = a.try_recv() {
            if let Inbound::Status(s) = m {
                if s.code == StatusCode::PeerLost {
                    assert_eq!(
                        s.context.node, stalled_id,
                        "only the stalled peer is dropped"
                    );
                    stalled_dropped = true;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(stalled_dropped, "the stalled peer is disconnected");
    assert_eq!(a.peers().len(), 1);
    assert_ne!(a.peers()[0].id, stalled_id);
    // What the stalled peer still gets is what was queued: then EOF.
    stalled
        .sock
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(stalled.closed_by_peer());
    b.shutdown();
    a.shutdown();
}

/// A burst the owner publishes at once, many times the peer buffer, all
/// reaches a peer that keeps reading, even one slower than the burst (its
/// owner takes the messages only after a pause, so they wait in the
/// sockets and the sender's queue meanwhile).
#[test]
fn a_burst_reaches_a_reading_peer() {
    let mut a = Endpoint::new(Config {
        peer_buffer: 64,
        ..Config::default()
    })
    .unwrap();
    let port = a.listen("127.0.0.1", 0).unwrap();
    let mut b = Endpoint::new(Config {
        inbound_capacity: 64,
        ..Config::default()
    })
    .unwrap();
    b.subscribe(b"t/");
    b.peer("127.0.0.1", port, Duration::ZERO);
    wait_for(&mut b, status(StatusCode::PeerAdded));
    wait_for(&mut a, status(StatusCode::PeerAdded));
    std::thread::sleep(Duration::from_millis(50));

    // Just below the hard limit (16 x the peer buffer) of 16 KiB frames:
    // far more than the sockets hold, so most of it waits in the queue.
    const N: u64 = 64 * 16 - 1;
    let blob = vec![b'y'; 16 << 10];
    for i in 0..N {
        a.publish(
            b"t/data",
            &Data::Vector(vec![Data::Count(i), Data::String(blob.clone())]),
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    let mut received = 0u64;
    let deadline = Instant::now() + Duration::from_secs(60);
    while received < N {
        assert!(Instant::now() < deadline, "received only {received}");
        while let Some(m) = b.try_recv() {
            match m {
                Inbound::Data {
                    data: Data::Vector(v),
                    ..
                } => {
                    assert_eq!(v[0], Data::Count(received), "in order, none lost");
                    received += 1;
                }
                Inbound::Status(s) if s.code == StatusCode::PeerLost => {
                    panic!("the reading peer was dropped: {s:?}")
                }
                _ => {}
            }
        }
        while let Some(m) = a.try_recv() {
            if let Inbound::Status(s) = m {
                assert_ne!(s.code, StatusCode::PeerLost, "{s:?}");
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    b.shutdown();
    a.shutdown();
}
