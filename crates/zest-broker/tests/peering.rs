//! Two endpoints on 127.0.0.1 peer, exchange published data, report
//! statuses with Broker's texts, and unpeer.

use std::time::Duration;
use zest_broker::{Config, Data, Endpoint, EndpointId, Inbound, StatusCode};

mod common;
use common::wait_for;

fn status(code: StatusCode) -> impl Fn(&Inbound) -> bool {
    move |m| matches!(m, Inbound::Status(s) if s.code == code)
}

fn pair(a_id: EndpointId, b_id: EndpointId) {
    let mut a = Endpoint::with_id(a_id, Config::default()).unwrap();
    let mut b = Endpoint::with_id(b_id, Config::default()).unwrap();
    a.subscribe(b"zeek/event/");
    b.subscribe(b"zeek/event/test");
    let port = a.listen("127.0.0.1", 0).unwrap();
    assert_ne!(port, 0);
    b.peer("127.0.0.1", port, Duration::ZERO);

    let seen_a = wait_for(&mut a, status(StatusCode::PeerAdded));
    let seen_b = wait_for(&mut b, status(StatusCode::PeerAdded));
    for (seen, other) in [(&seen_a, b_id), (&seen_b, a_id)] {
        match &seen[..] {
            [Inbound::Status(d), Inbound::Status(p)] => {
                assert_eq!(d.code, StatusCode::EndpointDiscovered);
                assert_eq!(d.message, "found a new peer in the network");
                assert_eq!(d.context.node, other);
                assert!(d.context.network.is_none());
                assert_eq!(p.message, "handshake successful");
                assert_eq!(p.context.network.as_ref().unwrap().address, "127.0.0.1");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(b.peers()[0].network.port, port);
    assert_eq!(a.peers()[0].id, b_id);

    let payload = zest_broker::zeek::event(b"ping", vec![Data::string("hi"), Data::Count(1)]);
    b.publish(b"zeek/event/test", &payload);
    b.publish(b"other/topic", &Data::Count(7)); // a is not subscribed
    let got = wait_for(&mut a, |m| matches!(m, Inbound::Data { .. }));
    assert_eq!(
        got.last(),
        Some(&Inbound::Data {
            topic: b"zeek/event/test".to_vec(),
            data: payload.clone()
        })
    );
    // b subscribes later: a learns it through a routing update.
    b.subscribe(b"late/");
    std::thread::sleep(Duration::from_millis(100));
    a.publish(b"late/x", &Data::Bool(true));
    let got = wait_for(&mut b, |m| matches!(m, Inbound::Data { .. }));
    assert_eq!(
        got.last(),
        Some(&Inbound::Data {
            topic: b"late/x".to_vec(),
            data: Data::Bool(true)
        })
    );

    // b unpeers: BYE, then b sees peer_removed and a peer_lost.
    b.unpeer("127.0.0.1", port);
    let seen = wait_for(&mut b, status(StatusCode::EndpointUnreachable));
    assert!(seen.iter().any(|m| matches!(m, Inbound::Status(s)
        if s.code == StatusCode::PeerRemoved && s.message == "removed connection to remote peer")));
    let seen = wait_for(&mut a, status(StatusCode::EndpointUnreachable));
    assert!(seen.iter().any(|m| matches!(m, Inbound::Status(s)
        if s.code == StatusCode::PeerLost && s.message == "lost connection to remote peer")));
    assert!(a.peers().is_empty() && b.peers().is_empty());

    // Unknown peer.
    b.unpeer("1.2.3.4", 1947);
    let seen = wait_for(&mut b, |m| matches!(m, Inbound::Error(_)));
    match seen.last() {
        Some(Inbound::Error(e)) => assert_eq!(
            e.zeek_message(),
            "(00000000-0000-0000-0000-000000000000, *1.2.3.4:1947, \"cannot unpeer from unknown peer\")"
        ),
        other => panic!("{other:?}"),
    }
    a.shutdown();
    b.shutdown();
}

#[test]
fn connector_smaller_and_acceptor_smaller() {
    let lo = EndpointId([1; 16]);
    let hi = EndpointId([2; 16]);
    pair(lo, hi); // acceptor (a) smaller
    pair(hi, lo); // connector (b) smaller
}

#[test]
fn unreachable_peer_reports_error_and_retries() {
    // Find a free port, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut a = Endpoint::new(Config::default()).unwrap();
    a.peer("127.0.0.1", port, Duration::from_secs(1));
    let seen = wait_for(&mut a, |m| matches!(m, Inbound::Error(_)));
    match seen.last() {
        Some(Inbound::Error(e)) => {
            assert_eq!(e.code, 4);
            assert_eq!(e.message, "unable to connect to remote peer");
        }
        other => panic!("{other:?}"),
    }
    // Now something listens there: the retry finds it.
    let mut b = Endpoint::new(Config::default()).unwrap();
    b.listen("127.0.0.1", port).unwrap();
    wait_for(&mut a, status(StatusCode::PeerAdded));
    wait_for(&mut b, status(StatusCode::PeerAdded));
    // b goes away: a reconnects only if b comes back; it reports peer_lost.
    b.shutdown();
    wait_for(&mut a, status(StatusCode::PeerLost));
    a.shutdown();
}

#[test]
fn redundant_peering_is_refused() {
    let mut a = Endpoint::new(Config::default()).unwrap();
    let mut b = Endpoint::new(Config::default()).unwrap();
    let port = a.listen("127.0.0.1", 0).unwrap();
    b.peer("127.0.0.1", port, Duration::ZERO);
    wait_for(&mut b, status(StatusCode::PeerAdded));
    b.peer("127.0.0.1", port, Duration::ZERO);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(a.peers().len(), 1);
    assert_eq!(b.peers().len(), 1);
    a.shutdown();
    b.shutdown();
}
