//! The JSON codec of the WebSocket API: Broker 2.5's output byte for byte,
//! CAF's input dialect, round trips, and the errors for bad input.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use zest_broker::json::{self, DecodeError};
use zest_broker::{Address, Data, Port, Protocol, Subnet};

fn addr(s: &str) -> Address {
    Address::from_ip(s.parse::<IpAddr>().unwrap())
}

fn value(d: &Data) -> String {
    String::from_utf8(json::encode_value(d)).unwrap()
}

/// Decodes one value object by wrapping it in a data message.
fn decode(v: &str) -> Result<Data, DecodeError> {
    let inner = v.trim_start_matches('{');
    let text = format!("{{\"topic\": \"/t\", {inner}");
    json::decode_message(text.as_bytes()).map(|(_, d)| d)
}

#[test]
fn every_type_is_written_as_broker_writes_it() {
    let cases: Vec<(Data, &str)> = vec![
        (Data::None, r#"{"@data-type": "none", "data": {}}"#),
        (
            Data::Bool(true),
            r#"{"@data-type": "boolean", "data": true}"#,
        ),
        (Data::Count(42), r#"{"@data-type": "count", "data": 42}"#),
        (
            Data::Integer(-7),
            r#"{"@data-type": "integer", "data": -7}"#,
        ),
        (Data::Real(1.5), r#"{"@data-type": "real", "data": 1.5}"#),
        (Data::Real(5.0), r#"{"@data-type": "real", "data": 5}"#),
        (Data::Real(1e-7), r#"{"@data-type": "real", "data": 0}"#),
        (
            Data::string("a\"b"),
            r#"{"@data-type": "string", "data": "a\"b"}"#,
        ),
        (
            Data::Enum(b"Foo::BAR".to_vec()),
            r#"{"@data-type": "enum-value", "data": "Foo::BAR"}"#,
        ),
        (
            Data::Address(addr("192.168.0.1")),
            r#"{"@data-type": "address", "data": "192.168.0.1"}"#,
        ),
        (
            Data::Address(addr("2001:db8::")),
            r#"{"@data-type": "address", "data": "2001:db8::"}"#,
        ),
        (
            Data::Subnet(Subnet::new(addr("10.1.2.3"), 8)),
            r#"{"@data-type": "subnet", "data": "10.0.0.0/8"}"#,
        ),
        (
            Data::Port(Port {
                number: 80,
                protocol: Protocol::Tcp,
            }),
            r#"{"@data-type": "port", "data": "80/tcp"}"#,
        ),
        (
            Data::Port(Port {
                number: 0,
                protocol: Protocol::Unknown,
            }),
            r#"{"@data-type": "port", "data": "0/?"}"#,
        ),
        (
            Data::Timestamp(1_500_000_000_123_456_789),
            r#"{"@data-type": "timestamp", "data": "2017-07-14T02:40:00.123"}"#,
        ),
        (
            Data::Timespan(1_500_000_000),
            r#"{"@data-type": "timespan", "data": "1.5s"}"#,
        ),
        (
            Data::Timespan(90_000_000_000),
            r#"{"@data-type": "timespan", "data": "1.5min"}"#,
        ),
        (
            Data::Timespan(500_000_000),
            r#"{"@data-type": "timespan", "data": "500ms"}"#,
        ),
        (
            Data::Timespan(0),
            r#"{"@data-type": "timespan", "data": "0s"}"#,
        ),
        (
            Data::Timespan(-5_000),
            r#"{"@data-type": "timespan", "data": "-5000ns"}"#,
        ),
        (
            Data::Vector(vec![]),
            r#"{"@data-type": "vector", "data": []}"#,
        ),
        (
            Data::Set([Data::Count(2), Data::Count(1)].into_iter().collect()),
            r#"{"@data-type": "set", "data": [{"@data-type": "count", "data": 1}, {"@data-type": "count", "data": 2}]}"#,
        ),
        (
            Data::Table(
                [(Data::string("k"), Data::Bool(false))]
                    .into_iter()
                    .collect(),
            ),
            r#"{"@data-type": "table", "data": [{"key": {"@data-type": "string", "data": "k"}, "value": {"@data-type": "boolean", "data": false}}]}"#,
        ),
    ];
    for (d, want) in cases {
        assert_eq!(value(&d), want, "{d:?}");
    }
}

#[test]
fn data_messages_ack_and_errors() {
    let ev = Data::Vector(vec![
        Data::Count(1),
        Data::Count(1),
        Data::Vector(vec![
            Data::string("event_1"),
            Data::Vector(vec![Data::Integer(42), Data::string("test")]),
        ]),
    ]);
    assert_eq!(
        String::from_utf8(json::encode_message(b"/foo/bar", &ev)).unwrap(),
        concat!(
            r#"{"type": "data-message", "topic": "/foo/bar", "@data-type": "vector", "data": ["#,
            r#"{"@data-type": "count", "data": 1}, {"@data-type": "count", "data": 1}, "#,
            r#"{"@data-type": "vector", "data": [{"@data-type": "string", "data": "event_1"}, "#,
            r#"{"@data-type": "vector", "data": [{"@data-type": "integer", "data": 42}, "#,
            r#"{"@data-type": "string", "data": "test"}]}]}]}"#
        )
    );
    assert_eq!(
        String::from_utf8(json::encode_message(b"/test", &Data::Count(1))).unwrap(),
        r#"{"type": "data-message", "topic": "/test", "@data-type": "count", "data": 1}"#
    );
    assert_eq!(
        String::from_utf8(json::render_ack("1f902434-403d-563c-af9e-22c961a0e4e3")).unwrap(),
        r#"{"type": "ack", "endpoint": "1f902434-403d-563c-af9e-22c961a0e4e3", "version": "2.5.0"}"#
    );
    assert_eq!(
        String::from_utf8(json::render_error("deserialization_failed", "x \"y\"")).unwrap(),
        r#"{"type": "error", "code": "deserialization_failed", "context": "x \"y\""}"#
    );
}

#[test]
fn strings_use_cafs_escaping() {
    let d = Data::String(b"\\ \x08 \x0c \n \r \t \x0b \x01 \xff".to_vec());
    let mut want = br#"{"@data-type": "string", "data": "\\ \b \f \n \r \t \v "#.to_vec();
    want.extend_from_slice(b"\x01 \xff\"}");
    assert_eq!(json::encode_value(&d), want);
    // Reading: escapes decode, `\/` becomes `?`, `\u` is not supported.
    assert_eq!(
        decode(r#"{"@data-type": "string", "data": "a\"\\\b\f\n\r\t\/z"}"#).unwrap(),
        Data::String(b"a\"\\\x08\x0c\n\r\t?z".to_vec())
    );
    assert!(matches!(
        decode(r#"{"@data-type": "string", "data": "\u0041"}"#),
        Err(DecodeError::Malformed(_))
    ));
    // Broker's own `\v` does not parse.
    let text = json::encode_message(b"/t", &Data::String(vec![11]));
    assert!(matches!(
        json::decode_message(&text),
        Err(DecodeError::Malformed(_))
    ));
}

#[test]
fn values_are_read_in_every_accepted_form() {
    let ok = |v: &str, want: Data| assert_eq!(decode(v).unwrap(), want, "{v}");
    ok(
        r#"{"@data-type": "none", "data": {"ignored": 1}}"#,
        Data::None,
    );
    ok(
        r#"{"@data-type": "count", "data": 9223372036854775807}"#,
        Data::Count(i64::MAX as u64),
    );
    ok(
        r#"{"@data-type": "integer", "data": -9223372036854775808}"#,
        Data::Integer(i64::MIN),
    );
    ok(r#"{"@data-type": "real", "data": 2.0}"#, Data::Real(2.0));
    ok(r#"{"@data-type": "real", "data": 1e3}"#, Data::Real(1000.0));
    ok(
        r#"{"@data-type": "port", "data": "53/udp"}"#,
        Data::Port(Port {
            number: 53,
            protocol: Protocol::Udp,
        }),
    );
    ok(
        r#"{"@data-type": "port", "data": "7/xyz"}"#,
        Data::Port(Port {
            number: 7,
            protocol: Protocol::Unknown,
        }),
    );
    ok(
        r#"{"@data-type": "subnet", "data": "2001:db8::/32"}"#,
        Data::Subnet(Subnet::new(addr("2001:db8::"), 32)),
    );
    ok(
        r#"{"@data-type": "subnet", "data": "10.0.0.0/40"}"#,
        Data::Subnet(Subnet::new(addr("::"), 0)),
    );
    ok(
        r#"{"@data-type": "timestamp", "data": "1970-01-01T00:00:01.5"}"#,
        Data::Timestamp(1_005_000_000),
    );
    ok(
        r#"{"@data-type": "timespan", "data": "2h"}"#,
        Data::Timespan(7_200_000_000_000),
    );
    ok(
        r#"{"@data-type": "timespan", "data": "1.5ms"}"#,
        Data::Timespan(1_500_000),
    );
    ok(
        r#"{"@data-type": "timespan", "data": "12ns"}"#,
        Data::Timespan(12),
    );
    // Whitespace: space, tab and LF; keys in any order; unknown keys ignored.
    ok(
        "{\"data\":\t[\n{\"data\": 1, \"@data-type\": \"count\"}], \"x\": null, \"@data-type\": \"set\"}",
        Data::Set([Data::Count(1)].into_iter().collect()),
    );
}

#[test]
fn malformed_json_reports_cafs_parser_error() {
    let m = |t: &str| match json::decode_message(t.as_bytes()) {
        Err(DecodeError::Malformed(e)) => e,
        other => panic!("{t}: {other:?}"),
    };
    assert_eq!(m("{"), "caf::pec::unexpected_eof(1, 2)");
    assert_eq!(m("{\"topic\" 1}"), "caf::pec::unexpected_character(1, 10)");
    assert_eq!(m("[1]\r\n"), "caf::pec::trailing_character(1, 4)");
    assert_eq!(
        m("{\n  \"a\": tru}"),
        "caf::pec::unexpected_character(2, 11)"
    );
    assert_eq!(
        m("99999999999999999999"),
        "caf::pec::integer_overflow(1, 19)"
    );
    assert_eq!(m(""), "caf::pec::unexpected_eof(1, 1)");
    let deep = "[".repeat(100_000);
    assert!(m(&deep).starts_with("caf::pec::"));
    assert_eq!(
        DecodeError::Malformed("caf::pec::unexpected_eof(1, 2)".into()).context(3),
        "input #3 contained malformed JSON -> caf::pec::unexpected_eof(1, 2)"
    );
}

#[test]
fn invalid_data_is_refused() {
    let bad = |t: &str| match json::decode_message(t.as_bytes()) {
        Err(DecodeError::Invalid(e)) => e,
        other => panic!("{t}: {other:?}"),
    };
    assert_eq!(
        bad(r#"{"@data-type": "count", "data": 1}"#),
        r#"caf::sec::runtime_error("caf::json_reader", "begin_field", "mandatory field 'ROOT.topic' missing")"#
    );
    assert_eq!(
        bad(r#"{"topic": "/test", "@data-type": "phone", "data": "555-0123"}"#),
        r#"caf::sec::runtime_error("caf::json_reader", "begin_field", "mandatory field 'ROOT.data' missing")"#
    );
    assert_eq!(
        bad(r#"{"topic": "/t", "@data-type": "real", "data": 1}"#),
        r#"caf::sec::runtime_error("caf::json_reader", "value", "ROOT.data", "type clash: expected json::real, got json::integer")"#
    );
    assert!(bad(r#"[1, 2]"#).contains("expected json::object, got json::array"));
    assert!(bad(r#"{"topic": 5, "@data-type": "count", "data": 1}"#).contains("ROOT.topic"));
    for t in [
        r#"{"topic": "/t", "@data-type": "none", "data": null}"#,
        r#"{"topic": "/t", "@data-type": "count", "data": -1}"#,
        r#"{"topic": "/t", "@data-type": "count", "data": 1.0}"#,
        r#"{"topic": "/t", "@data-type": "address", "data": "1.2.3"}"#,
        r#"{"topic": "/t", "@data-type": "timespan", "data": "1d"}"#,
        r#"{"topic": "/t", "@data-type": "timestamp", "data": "2020-01-01 00:00:00"}"#,
        r#"{"topic": "/t", "@data-type": "vector", "data": [1]}"#,
        r#"{"topic": "/t", "@data-type": "vector", "data": {}}"#,
        r#"{"topic": "/t", "@data-type": "table", "data": [{"key": {"@data-type": "count", "data": 1}}]}"#,
        concat!(
            r#"{"topic": "/t", "@data-type": "table", "data": ["#,
            r#"{"key": {"@data-type": "count", "data": 1}, "value": {"@data-type": "none", "data": {}}}, "#,
            r#"{"key": {"@data-type": "count", "data": 1}, "value": {"@data-type": "none", "data": {}}}]}"#
        ),
    ] {
        bad(t);
    }
    let e = bad(
        r#"{"topic": "/t", "@data-type": "vector", "data": [{"@data-type": "nope", "data": 1}]}"#,
    );
    assert!(e.contains("'ROOT.data.data' missing"), "{e}");
}

#[test]
fn the_subscription_array() {
    assert_eq!(
        json::decode_filter(br#"["/a", "/b\/c"]"#),
        Some(vec![b"/a".to_vec(), b"/b?c".to_vec()])
    );
    assert_eq!(json::decode_filter(b"[]"), Some(vec![]));
    assert_eq!(json::decode_filter(br#"["/a", 1]"#), None);
    assert_eq!(json::decode_filter(br#"{"topics": []}"#), None);
    assert_eq!(json::decode_filter(b"[\"/a\"\r\n]"), None);
}

fn arb_data() -> impl Strategy<Value = Data> {
    let leaf = prop_oneof![
        Just(Data::None),
        any::<bool>().prop_map(Data::Bool),
        (0..=i64::MAX as u64).prop_map(Data::Count),
        any::<i64>().prop_map(Data::Integer),
        // Reals that survive six decimals and keep their dot.
        (-1_000_000i64..1_000_000).prop_map(|i| Data::Real(i as f64 + 0.5)),
        // Any bytes but \v, which Broker writes as `\v` and cannot read back.
        proptest::collection::vec(any::<u8>().prop_filter("no \\v", |c| *c != 11), 0..12)
            .prop_map(Data::String),
        "[A-Za-z:_]{1,12}".prop_map(|s| Data::Enum(s.into_bytes())),
        any::<[u8; 16]>().prop_map(|b| Data::Address(Address(b))),
        (any::<[u8; 4]>(), 0u8..=32)
            .prop_map(|(b, l)| Data::Subnet(Subnet::new(Address::from_ip(IpAddr::from(b)), l))),
        (any::<u16>(), 0u8..4).prop_map(|(n, p)| Data::Port(Port {
            number: n,
            protocol: Protocol::from_u8(p).unwrap()
        })),
        (0i64..4_000_000_000_000).prop_map(|ms| Data::Timestamp(ms * 1_000_000)),
        (1i64..1000).prop_map(Data::Timespan),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Data::Vector),
            proptest::collection::btree_set(inner.clone(), 0..4).prop_map(Data::Set),
            proptest::collection::btree_map(inner.clone(), inner, 0..4).prop_map(Data::Table),
        ]
    })
}

proptest! {
    #[test]
    fn round_trip(d in arb_data(), topic in "/[a-z/]{0,10}") {
        let text = json::encode_message(topic.as_bytes(), &d);
        let (t, back) = json::decode_message(&text).unwrap();
        prop_assert_eq!(t, topic.into_bytes());
        prop_assert_eq!(back, d);
    }

    #[test]
    fn output_without_control_bytes_is_standard_json(d in arb_data()) {
        let text = json::encode_message(b"/t", &d);
        if text.iter().all(|c| (0x20..0x80).contains(c)) {
            prop_assert!(serde_json::from_slice::<serde_json::Value>(&text).is_ok());
        }
    }

    #[test]
    fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = json::decode_message(&bytes);
        let _ = json::decode_filter(&bytes);
    }
}

#[test]
fn containers_are_ordered_as_broker_orders_them() {
    let t: BTreeMap<Data, Data> = [(Data::Count(2), Data::None), (Data::Count(1), Data::None)]
        .into_iter()
        .collect();
    let s = value(&Data::Table(t));
    assert!(s.find("\"data\": 1").unwrap() < s.find("\"data\": 2").unwrap());
    let set: BTreeSet<Data> = BTreeSet::new();
    assert_eq!(
        value(&Data::Set(set)),
        r#"{"@data-type": "set", "data": []}"#
    );
}
