//! Arbitrary bytes as a peer's stream: split into frames as the endpoint
//! does, each frame decoded as a handshake message and as a node message,
//! and every data payload decoded. Nothing may panic; decoded messages
//! re-encode to the same bytes.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use zest_broker::codec;
use zest_broker::wire::{take_frame, Handshake, MessageType, NodeMessage, MAX_HANDSHAKE_FRAME};

fuzz_target!(|input: &[u8]| {
    let mut buf = BytesMut::from(input);
    while let Ok(Some(body)) = take_frame(&mut buf, MAX_HANDSHAKE_FRAME) {
        if let Ok(m) = Handshake::decode(&body) {
            let again = Handshake::decode(&m.encode()).expect("re-encoded handshake decodes");
            assert_eq!(again, m);
        }
        if let Ok(m) = NodeMessage::decode(body.clone()) {
            assert_eq!(&m.to_frame()[4..], &body[..]);
            if matches!(m.kind, MessageType::Data) {
                // What decodes encodes again, and that decodes (or fails)
                // without panicking: Broker's doubles and sets do not
                // round-trip bit for bit.
                if let Ok(d) = codec::decode(&m.payload) {
                    let _ = codec::decode(&codec::to_bytes(&d));
                }
            }
        }
    }
    let _ = codec::decode(input);
    let _ = NodeMessage::decode(Bytes::copy_from_slice(input));
});
