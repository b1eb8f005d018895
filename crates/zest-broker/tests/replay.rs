//! Conversations replayed against a live endpoint, byte for byte.
//!
//! The captures of real Zeek 5.2.2 nodes (`reference/wire/*/conn1.jsonl`
//! of the shared material, read by path) are replayed in both roles: the
//! endpoint takes one node's ID and subscriptions, a scripted socket plays
//! the other node's frames in the captured order, and every frame the
//! endpoint sends must equal the captured one. Together the two handshake
//! captures cover the four sequences of `broker-protocol.md` §3.4 (either
//! side connecting, either side smaller). Then the spec's error answers
//! (§3.3) and a randomized stream of malformed input, after which the
//! endpoint must still peer normally.

mod common;

use common::*;
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;
use zest_broker::codec::{self, from_hex};
use zest_broker::filter::{prefix_matches, Filter};
use zest_broker::wire::{frame, read_filter, Handshake, MessageType, NodeMessage, MAGIC};
use zest_broker::{Config, Data, Endpoint, EndpointId, Inbound, StatusCode};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    C2s,
    S2c,
}

struct CapturedFrame {
    dir: Dir,
    bytes: Vec<u8>,
    handshake: bool,
}

/// The frames of a capture in the order they were completed on the wire.
fn captured_frames(jsonl: &Path) -> Vec<CapturedFrame> {
    let text =
        std::fs::read_to_string(jsonl).unwrap_or_else(|e| panic!("{}: {e}", jsonl.display()));
    let mut bufs = [Vec::new(), Vec::new()];
    let mut in_handshake = [true, true];
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let dir = if line.contains("\"dir\": \"c2s\"") {
            Dir::C2s
        } else {
            assert!(line.contains("\"dir\": \"s2c\""), "{line}");
            Dir::S2c
        };
        let hex = line
            .split("\"hex\": \"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        let i = dir as usize;
        bufs[i].extend_from_slice(&from_hex(hex));
        loop {
            let b = &bufs[i];
            if b.len() < 4 {
                break;
            }
            let n = 4 + u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            if b.len() < n {
                break;
            }
            let bytes: Vec<u8> = bufs[i].drain(..n).collect();
            let handshake = in_handshake[i];
            if handshake {
                let m = Handshake::decode(&bytes[4..]).expect("handshake frame");
                if matches!(m, Handshake::ResponderSynAck(_) | Handshake::OriginatorAck) {
                    in_handshake[i] = false;
                }
            }
            out.push(CapturedFrame {
                dir,
                bytes,
                handshake,
            });
        }
    }
    assert!(
        bufs.iter().all(Vec::is_empty),
        "{}: partial frame at the end",
        jsonl.display()
    );
    out
}

fn is_store_topic(t: &[u8]) -> bool {
    t.windows(3).any(|w| w == b"<$>")
}

/// Replays one capture with the endpoint in the role of the server (the
/// node that accepted) or the client.
fn replay(capture: &Path, endpoint_is_server: bool) {
    let frames = captured_frames(&capture.join("conn1.jsonl"));
    let ours = if endpoint_is_server {
        Dir::S2c
    } else {
        Dir::C2s
    };
    let mut id = EndpointId::NIL;
    let mut filter = Filter::default();
    for f in frames.iter().filter(|f| f.dir == ours && f.handshake) {
        match Handshake::decode(&f.bytes[4..]).unwrap() {
            Handshake::Hello { sender, .. } | Handshake::VersionSelect { sender, .. } => {
                id = sender
            }
            Handshake::OriginatorSyn(x) | Handshake::ResponderSynAck(x) => filter = x,
            _ => {}
        }
    }
    assert!(!id.is_nil());
    let mut ep = Endpoint::with_id(id, Config::default()).unwrap();
    let mut data_subs: Vec<Vec<u8>> = Vec::new();
    let mut store_subs: Vec<Vec<u8>> = Vec::new();
    for t in &filter.0 {
        if is_store_topic(t) {
            ep.subscribe_store(t);
            store_subs.push(t.clone());
        } else {
            ep.subscribe(t);
            data_subs.push(t.clone());
        }
    }
    let (mut peer, peer_addr) = if endpoint_is_server {
        let port = ep.listen("127.0.0.1", 0).unwrap();
        let p = RawPeer::connect(port);
        let local = p.sock.local_addr().unwrap();
        (p, (local.ip().to_string(), local.port()))
    } else {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        ep.peer("127.0.0.1", port, Duration::ZERO);
        let (s, _) = l.accept().unwrap();
        (RawPeer::new(s), ("127.0.0.1".to_owned(), port))
    };
    let what = |i: usize| format!("{} frame #{i} ({:?})", capture.display(), frames[i].dir);
    let mut sent_bye = false;
    let mut peered = false;
    for (i, f) in frames.iter().enumerate() {
        if !f.handshake && !peered {
            // As for Zeek, the peering exists for the owner once it saw
            // `peer_added`; published earlier, data would go nowhere.
            wait_for(&mut ep, status(StatusCode::PeerAdded));
            peered = true;
        }
        if f.dir != ours {
            peer.send(&f.bytes).unwrap();
            if f.handshake {
                continue;
            }
            // What the endpoint must hand to its owner.
            let m = NodeMessage::decode(bytes::Bytes::from(f.bytes[4..].to_vec())).unwrap();
            let for_us = m.receiver.is_nil() || m.receiver == id;
            let subscribed = |subs: &[Vec<u8>]| subs.iter().any(|s| prefix_matches(s, &m.topic));
            match m.kind {
                MessageType::Data if for_us && subscribed(&data_subs) => {
                    let want = Inbound::Data {
                        topic: m.topic.to_vec(),
                        data: codec::decode(&m.payload).unwrap(),
                    };
                    let got = wait_for(&mut ep, |x| matches!(x, Inbound::Data { .. }));
                    assert_eq!(got.last(), Some(&want), "{}", what(i));
                }
                MessageType::Command if for_us && subscribed(&store_subs) => {
                    let got = wait_for(&mut ep, |x| matches!(x, Inbound::Command { .. }));
                    match got.last() {
                        Some(Inbound::Command { topic, payload }) => {
                            assert_eq!(&topic[..], &m.topic[..], "{}", what(i));
                            assert_eq!(payload, &m.payload, "{}", what(i));
                        }
                        _ => unreachable!(),
                    }
                }
                _ => {}
            }
            continue;
        }
        if !f.handshake {
            // Make the endpoint send this frame, as its owner would.
            let m = NodeMessage::decode(bytes::Bytes::from(f.bytes[4..].to_vec())).unwrap();
            match m.kind {
                MessageType::Data => {
                    let d = codec::decode(&m.payload).unwrap();
                    ep.publish_to(m.receiver, &m.topic, &d);
                }
                MessageType::Command => {
                    ep.publish_command(&m.topic, m.receiver, m.payload.to_vec());
                }
                MessageType::RoutingUpdate => {
                    let new = read_filter(&mut codec::Reader::new(&m.payload)).unwrap();
                    for t in &new.0 {
                        if !filter.0.contains(t) {
                            if is_store_topic(t) {
                                ep.subscribe_store(t);
                                store_subs.push(t.clone());
                            } else {
                                ep.subscribe(t);
                                data_subs.push(t.clone());
                            }
                        }
                    }
                    filter = new;
                }
                MessageType::Ping => {
                    ep.unpeer(&peer_addr.0, peer_addr.1);
                    sent_bye = true;
                }
                MessageType::Pong => {} // the answer to the peer's ping
            }
        }
        let Some(got) = peer.read_frame() else {
            let mut seen = Vec::new();
            while let Some(x) = ep.try_recv() {
                seen.push(x);
            }
            panic!("{}: connection closed; endpoint reported {seen:?}", what(i));
        };
        if got != f.bytes {
            let show = |b: &[u8]| {
                if f.handshake {
                    format!("{:?}", Handshake::decode(&b[4..]))
                } else {
                    format!(
                        "{:?}",
                        NodeMessage::decode(bytes::Bytes::from(b[4..].to_vec()))
                    )
                }
            };
            panic!(
                "{}:\n got  {}\n want {}",
                what(i),
                show(&got),
                show(&f.bytes)
            );
        }
    }
    if sent_bye {
        wait_for(&mut ep, status(StatusCode::PeerRemoved));
    } else {
        // The captured node closed the connection after the pong.
        drop(peer);
        wait_for(&mut ep, status(StatusCode::PeerLost));
    }
    ep.shutdown();
}

const CAPTURES: [&str; 5] = [
    "handshake-events",
    "handshake-events/acceptor-smaller",
    "event-types",
    "remote-log",
    "store-clone",
];

#[test]
fn captures_replay_with_the_endpoint_as_server() {
    if !wire_dir().is_dir() {
        eprintln!("no reference/wire at {}; skipped", wire_dir().display());
        return;
    }
    for c in CAPTURES {
        replay(&wire_dir().join(c), true);
    }
}

#[test]
fn captures_replay_with_the_endpoint_as_client() {
    if !wire_dir().is_dir() {
        eprintln!("no reference/wire at {}; skipped", wire_dir().display());
        return;
    }
    for c in CAPTURES {
        replay(&wire_dir().join(c), false);
    }
}

/// The hex examples of `broker-protocol.md`, read from the document: each
/// decodes and re-encodes to the identical bytes (the §3.5 frame, whose
/// payload the document elides, must start with the bytes shown).
#[test]
fn protocol_document_hex_examples() {
    let Ok(doc) = std::fs::read_to_string(protocol_doc()) else {
        eprintln!("no {}; skipped", protocol_doc().display());
        return;
    };
    let is_hex_pair = |w: &str| w.len() == 2 && w.bytes().all(|c| c.is_ascii_hexdigit());
    let mut blocks: Vec<(Vec<u8>, bool)> = Vec::new(); // (bytes, elided)
    let mut in_block = false;
    let mut cur = Vec::new();
    let mut elided = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            if in_block && !cur.is_empty() {
                blocks.push((std::mem::take(&mut cur), elided));
            }
            in_block = !in_block;
            cur.clear();
            elided = false;
            continue;
        }
        if !in_block {
            continue;
        }
        // A dump line: leading hex pairs, then a comment.
        for w in line.split_whitespace() {
            if is_hex_pair(w) {
                cur.extend_from_slice(&from_hex(w));
            } else {
                if w == "…" || w == "..." {
                    elided = true;
                }
                break;
            }
        }
    }
    let mut data_example = None;
    let (mut data_n, mut hello_n, mut frame_n) = (0, 0, 0);
    for (bytes, elided) in &blocks {
        if bytes.len() < 5 {
            continue;
        }
        let framed = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        if !elided && framed + 4 == bytes.len() {
            // A whole handshake frame.
            let m = Handshake::decode(&bytes[4..]).expect("handshake example");
            assert_eq!(frame(&m.encode())[..], bytes[..]);
            hello_n += 1;
        } else if *elided && framed + 4 > bytes.len() {
            frame_n += 1;
            // A node message whose payload is the §2.1 example.
            let head = bytes.clone();
            let payload = data_example.clone().expect("the §2.1 example comes first");
            let sender = EndpointId(head[4..20].try_into().unwrap());
            let receiver = EndpointId(head[20..36].try_into().unwrap());
            let kind = MessageType::from_u8(head[36]).unwrap();
            let ttl = u16::from_be_bytes([head[37], head[38]]);
            let tlen = usize::from(u16::from_be_bytes([head[39], head[40]]));
            let topic = bytes::Bytes::copy_from_slice(&head[41..41 + tlen]);
            let msg = NodeMessage {
                sender,
                receiver,
                kind,
                ttl,
                topic,
                payload: bytes::Bytes::from(payload),
            };
            let f = msg.to_frame();
            assert_eq!(f.len(), framed + 4, "the length the example announces");
            assert_eq!(&f[..head.len()], &head[..], "the bytes shown");
        } else if !elided {
            let d = codec::decode(bytes).expect("data example");
            assert_eq!(codec::to_bytes(&d), *bytes);
            data_example.get_or_insert_with(|| bytes.clone());
            data_n += 1;
        }
    }
    assert!(
        data_n >= 1 && hello_n >= 1 && frame_n >= 1,
        "{data_n} {hello_n} {frame_n}"
    );
}

/// §3.3: the `drop_conn` answers to bad handshakes (sizes as in Broker's
/// own handshake tests), and the endpoint carries on.
#[test]
fn handshake_errors_are_answered_with_drop_conn() {
    let zest = EndpointId([0x80; 16]);
    let mut ep = Endpoint::with_id(zest, Config::default()).unwrap();
    let port = ep.listen("127.0.0.1", 0).unwrap();
    let other = EndpointId([0x10; 16]);
    let expect_drop = |p: &mut RawPeer, code: u8, text: &str, body_len: usize| {
        let f = p.read_frame().expect("drop_conn");
        assert_eq!(f.len() - 4 - 1, body_len, "{text}");
        assert_eq!(
            Handshake::decode(&f[4..]).unwrap(),
            Handshake::drop_conn(zest, code, text)
        );
        assert!(p.closed_by_peer());
    };

    let mut p = RawPeer::connect(port);
    assert!(matches!(p.read_handshake(), Handshake::Probe { .. }));
    p.send_handshake(&Handshake::Hello {
        magic: MAGIC,
        sender: other,
        min_version: 2,
        max_version: 3,
    });
    expect_drop(&mut p, 2, "unsupported versions offered", 50);

    let mut p = RawPeer::connect(port);
    p.read_handshake();
    p.send_handshake(&Handshake::Hello {
        magic: 0x5A45_454C,
        sender: other,
        min_version: 1,
        max_version: 1,
    });
    expect_drop(&mut p, 38, "wrong magic number", 40);

    let mut p = RawPeer::connect(port);
    p.read_handshake();
    p.send(&frame(&[13, 1, 2, 3])).unwrap();
    expect_drop(&mut p, 20, "invalid message type tag", 46);

    // A peering, then a second connection from the same ID: the
    // endpoint is the responder (larger ID) there.
    let mut a = RawPeer::connect(port);
    a.handshake_as_connector(other, &filter_of(&["x/"]));
    wait_for(&mut ep, status(StatusCode::PeerAdded));
    let mut b = RawPeer::connect(port);
    b.read_handshake();
    b.send_handshake(&Handshake::hello(other));
    expect_drop(
        &mut b,
        40,
        "detected redundant connection at the responder",
        68,
    );
    // The first peering is unaffected.
    assert_eq!(ep.peers().len(), 1);
    let m = NodeMessage {
        sender: other,
        receiver: EndpointId::NIL,
        kind: MessageType::Data,
        ttl: 16,
        topic: bytes::Bytes::from_static(b"x/y"),
        payload: bytes::Bytes::from(codec::to_bytes(&Data::Count(5))),
    };
    ep.subscribe(b"x/");
    a.send(&m.to_frame()).unwrap();
    let got = wait_for(&mut ep, |x| matches!(x, Inbound::Data { .. }));
    assert_eq!(
        got.last(),
        Some(&Inbound::Data {
            topic: b"x/y".to_vec(),
            data: Data::Count(5)
        })
    );
    drop(a);
    wait_for(&mut ep, status(StatusCode::PeerLost));
    ep.shutdown();
}

/// Malformed, truncated and random input, in the handshake and after it,
/// from many connections: each bad connection is dropped, the process
/// and the endpoint carry on, and a well-behaved peer still peers and
/// exchanges data afterwards.
#[test]
fn random_input_drops_the_peer_only() {
    let zest = EndpointId([0x77; 16]);
    let mut ep = Endpoint::with_id(zest, Config::default()).unwrap();
    ep.subscribe(b"t/");
    let port = ep.listen("127.0.0.1", 0).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let good = {
        let m = NodeMessage {
            sender: EndpointId([1; 16]),
            receiver: EndpointId::NIL,
            kind: MessageType::Data,
            ttl: 16,
            topic: bytes::Bytes::from_static(b"t/x"),
            payload: bytes::Bytes::from(codec::to_bytes(&zest_broker::zeek::event(
                b"ping",
                vec![Data::string("hi"), Data::Count(1)],
            ))),
        };
        m.to_frame().to_vec()
    };
    let mut handshakes = 0;
    for round in 0..120 {
        let mut p = RawPeer::connect(port);
        p.sock
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut input = match round % 6 {
            // Random bytes straight away.
            0 => {
                let n = 1 + rng.below(300);
                rng.bytes(n)
            }
            // A hello cut short, or mutated.
            1 => {
                let mut h = frame(&Handshake::hello(rng.id()).encode()).to_vec();
                let n = h.len();
                if rng.next() % 2 == 0 {
                    h.truncate(rng.below(n));
                } else {
                    let i = rng.below(n);
                    h[i] = rng.next() as u8;
                }
                h
            }
            // A frame announcing more than it sends, then EOF.
            2 => {
                let mut h = vec![0x00, 0x10, 0x00, 0x00];
                h.extend(rng.some_bytes(64));
                h
            }
            // Phase 3 after a good handshake: mutated and random frames.
            _ => {
                let id = rng.id();
                if id == zest {
                    continue;
                }
                p.sock
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                p.handshake_as_connector(id, &filter_of(&["t/"]));
                handshakes += 1;
                let mut v = Vec::new();
                for _ in 0..1 + rng.below(4) {
                    let mut f = good.clone();
                    match rng.below(5) {
                        0 => {
                            let i = rng.below(f.len());
                            f[i] = rng.next() as u8;
                        }
                        1 => {
                            let n = f.len();
                            f.truncate(4 + rng.below(n - 4));
                            let body = f.len() as u32 - 4;
                            f[..4].copy_from_slice(&body.to_be_bytes());
                        }
                        2 => {
                            let body = rng.some_bytes(80);
                            f = frame(&body).to_vec();
                        }
                        3 => f[4 + 32] = rng.next() as u8, // the message type
                        _ => {}                            // intact
                    }
                    v.extend(f);
                }
                v
            }
        };
        if round % 2 == 1 {
            input.extend(rng.some_bytes(32));
        }
        let _ = p.send(&input);
        drop(p);
        while ep.try_recv().is_some() {}
    }
    assert!(handshakes > 30);
    // Still alive: a real endpoint peers and gets data through.
    let mut other = Endpoint::new(Config::default()).unwrap();
    other.subscribe(b"t/");
    other.peer("127.0.0.1", port, Duration::ZERO);
    wait_for(&mut other, status(StatusCode::PeerAdded));
    std::thread::sleep(Duration::from_millis(50));
    ep.publish(b"t/after", &Data::Bool(true));
    let got = wait_for(&mut other, |x| matches!(x, Inbound::Data { .. }));
    assert_eq!(
        got.last(),
        Some(&Inbound::Data {
            topic: b"t/after".to_vec(),
            data: Data::Bool(true)
        })
    );
    // Every bad peering is gone; only the good one remains.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(ep.peers().len(), 1, "{:?}", ep.peers());
    other.shutdown();
    ep.shutdown();
}
