//! The decoders never panic on arbitrary input, and encoding round-trips.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use zest_broker::codec;
use zest_broker::wire::{take_frame, Handshake, NodeMessage, MAX_FRAME};
use zest_broker::Data;

fn leaf() -> impl Strategy<Value = Data> {
    prop_oneof![
        Just(Data::None),
        any::<bool>().prop_map(Data::Bool),
        any::<u64>().prop_map(Data::Count),
        any::<i64>().prop_map(Data::Integer),
        any::<f64>()
            .prop_filter("subnormals do not round-trip in Broker", |x| !x
                .is_subnormal()
                && !x.is_nan())
            .prop_map(Data::Real),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Data::String),
        any::<i64>().prop_map(Data::Timespan),
        "[A-Za-z:_]{0,20}".prop_map(|s| Data::Enum(s.into_bytes())),
    ]
}

fn data() -> impl Strategy<Value = Data> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Data::Vector),
            proptest::collection::btree_set(inner.clone(), 0..8).prop_map(Data::Set),
            proptest::collection::btree_map(inner.clone(), inner, 0..8).prop_map(Data::Table),
        ]
    })
}

proptest! {
    #[test]
    fn data_round_trips(d in data()) {
        let b = codec::to_bytes(&d);
        prop_assert_eq!(codec::decode(&b).unwrap(), d);
    }

    #[test]
    fn data_decoder_never_panics(b in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = codec::decode(&b);
    }

    #[test]
    fn mutated_encodings_never_panic(d in data(), i in any::<usize>(), x in any::<u8>()) {
        let mut b = codec::to_bytes(&d);
        let n = b.len();
        b[i % n] = x;
        let _ = codec::decode(&b);
        b.truncate(i % n);
        let _ = codec::decode(&b);
    }

    #[test]
    fn frame_decoders_never_panic(b in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut buf = BytesMut::from(&b[..]);
        while let Ok(Some(body)) = take_frame(&mut buf, MAX_FRAME) {
            let _ = Handshake::decode(&body);
            let _ = NodeMessage::decode(body);
        }
        let _ = Handshake::decode(&b);
        let _ = NodeMessage::decode(Bytes::from(b));
    }
}
