//! The byte transcripts of real Zeek 5.2.2 nodes (`reference/wire` of the
//! shared Zeek material, read by path): every frame must decode, and every
//! frame and `data` payload must re-encode to the identical bytes.

use bytes::BytesMut;
use std::path::{Path, PathBuf};
use zest_broker::codec;
use zest_broker::wire::{take_frame, Handshake, MessageType, NodeMessage, MAX_FRAME};
use zest_broker::{zeek, Data};

fn wire_dir() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p).join("reference/wire"),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2/reference/wire")
        }
    }
}

struct Decoded {
    handshake: Vec<Handshake>,
    messages: Vec<NodeMessage>,
}

fn decode_file(path: &Path) -> Decoded {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = BytesMut::from(&bytes[..]);
    let mut out = Decoded {
        handshake: Vec::new(),
        messages: Vec::new(),
    };
    let mut in_handshake = true;
    while let Some(body) = take_frame(&mut buf, MAX_FRAME).expect("frame") {
        if in_handshake {
            let m = Handshake::decode(&body).expect("handshake message");
            assert_eq!(m.encode(), &body[..], "handshake re-encodes");
            in_handshake = !matches!(m, Handshake::ResponderSynAck(_) | Handshake::OriginatorAck);
            out.handshake.push(m);
        } else {
            let m = NodeMessage::decode(body.clone()).expect("node message");
            assert_eq!(&m.to_frame()[4..], &body[..], "node message re-encodes");
            assert_eq!(m.ttl, 16);
            if m.kind == MessageType::Data {
                let d = codec::decode(&m.payload).expect("data payload");
                assert_eq!(codec::to_bytes(&d), &m.payload[..], "data re-encodes");
            }
            out.messages.push(m);
        }
    }
    assert!(buf.is_empty(), "{}: trailing bytes", path.display());
    out
}

fn all_captures() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in [
        "handshake-events",
        "handshake-events/acceptor-smaller",
        "event-types",
        "remote-log",
        "store-clone",
    ] {
        for f in ["conn1.client-to-server.bin", "conn1.server-to-client.bin"] {
            v.push(wire_dir().join(dir).join(f));
        }
    }
    v
}

#[test]
fn every_captured_frame_round_trips() {
    if !wire_dir().is_dir() {
        eprintln!("no reference/wire at {}; skipped", wire_dir().display());
        return;
    }
    let mut frames = 0;
    for p in all_captures() {
        let d = decode_file(&p);
        frames += d.handshake.len() + d.messages.len();
    }
    assert!(frames > 100, "only {frames} frames");
}

#[test]
fn handshake_events_content() {
    if !wire_dir().is_dir() {
        return;
    }
    let c2s = decode_file(&wire_dir().join("handshake-events/conn1.client-to-server.bin"));
    assert_eq!(c2s.handshake.len(), 4);
    match &c2s.handshake[2] {
        Handshake::OriginatorSyn(f) => {
            let want: Vec<&[u8]> = vec![
                b"bro/event/test",
                b"bro/supervisor",
                b"zeek/event/test",
                b"zeek/supervisor",
            ];
            assert_eq!(f.0, want);
        }
        other => panic!("{other:?}"),
    }
    let ev = codec::decode(&c2s.messages[0].payload).unwrap();
    let (name, args) = zeek::event_parts(&ev).unwrap();
    assert_eq!(name, b"ping");
    assert_eq!(args, &vec![Data::string("hello"), Data::Count(1)]);
    let bye = c2s.messages.last().unwrap();
    assert_eq!(bye.kind, MessageType::Ping);
    assert_eq!(&bye.payload[..], &zest_broker::endpoint::BYE[..]);
    assert_eq!(&bye.topic[..], b"<$>");
    let s2c = decode_file(&wire_dir().join("handshake-events/conn1.server-to-client.bin"));
    assert!(matches!(s2c.handshake[0], Handshake::Probe { .. }));
    assert_eq!(s2c.messages.last().unwrap().kind, MessageType::Pong);
}

/// The per-argument test vectors of the `event-types` README.
#[test]
fn event_types_arguments() {
    if !wire_dir().is_dir() {
        return;
    }
    let c2s = decode_file(&wire_dir().join("event-types/conn1.client-to-server.bin"));
    let ev = codec::decode(&c2s.messages[0].payload).unwrap();
    let (name, args) = zeek::event_parts(&ev).unwrap();
    assert_eq!(name, b"all_types");
    assert_eq!(args.len(), 27);
    let text: Vec<String> = args.iter().map(ToString::to_string).collect();
    assert_eq!(text[6], "inf");
    assert_eq!(text[7], "1700000000123456768ns");
    assert_eq!(text[16], "10.1.0.0/16");
    assert_eq!(text[17], "2001:db8::/32");
    assert_eq!(text[20], "{1, 2, 3}");
    assert_eq!(text[21], "{(x, 80/tcp), (y, 53/udp)}");
    assert_eq!(text[25], "(7, nil, (-1, 2), dflt, (5, nil))");
    assert_eq!(text[26], "{1 -> ({a, b}, {}), 2 -> ()}");
    let sd = codec::decode(&c2s.messages[1].payload).unwrap();
    let (_, a) = zeek::event_parts(&sd).unwrap();
    assert_eq!(a[0], Data::Real(f64::NEG_INFINITY));
    assert!(matches!(a[1], Data::Real(x) if x.is_nan()));
    assert_eq!(a[6], Data::Timestamp(-1_500_000_000));
    let ex = codec::decode(&c2s.messages[2].payload).unwrap();
    let (_, a) = zeek::event_parts(&ex).unwrap();
    assert_eq!(a[4], Data::Count(u64::MAX));
    assert_eq!(a[5], Data::Integer(i64::MIN));
    assert_eq!(a[7].as_string().map(<[u8]>::len), Some(129));
}
