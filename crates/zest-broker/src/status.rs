//! Status and error reports (`broker-protocol.md` §7): what an endpoint
//! tells its owner about peerings, with Broker 2.5's exact texts.

use crate::data::{Data, Port, Protocol};
use crate::id::EndpointId;

/// `broker::sc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusCode {
    Unspecified = 0,
    PeerAdded = 1,
    PeerRemoved = 2,
    PeerLost = 3,
    EndpointDiscovered = 4,
    EndpointUnreachable = 5,
}

/// Broker's `network_info`: the address text and port a peering was made
/// with (the string given to `peer`, or the remote IP and port of an
/// accepted connection) and the retry interval in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkInfo {
    pub address: String,
    pub port: u16,
    pub retry_secs: u64,
}

impl NetworkInfo {
    /// `to_string(optional<network_info>)` as Zeek's error events show it:
    /// `*ADDRESS:PORT`.
    pub fn display(&self) -> String {
        format!("*{}:{}", self.address, self.port)
    }
}

/// Broker's `endpoint_info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointInfo {
    pub node: EndpointId,
    pub network: Option<NetworkInfo>,
}

/// A status report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: StatusCode,
    pub context: EndpointInfo,
    pub message: String,
}

/// `broker::ec` values an endpoint reports.
pub mod ec {
    pub const UNSPECIFIED: u8 = 1;
    pub const PEER_INCOMPATIBLE: u8 = 2;
    pub const PEER_INVALID: u8 = 3;
    pub const PEER_UNAVAILABLE: u8 = 4;
    pub const INVALID_MESSAGE: u8 = 20;
    pub const SHUTTING_DOWN: u8 = 28;
    pub const WRONG_MAGIC_NUMBER: u8 = 38;
    pub const REDUNDANT_CONNECTION: u8 = 39;
    pub const LOGIC_ERROR: u8 = 40;
}

/// An error report: a `broker::ec` code, its context and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReport {
    pub code: u8,
    pub context: Option<EndpointInfo>,
    pub message: String,
}

impl ErrorReport {
    /// Zeek's rendering of an error for `Broker::error`'s `msg`:
    /// `(NODE, NETWORK, "MESSAGE")` or `(null)`.
    pub fn zeek_message(&self) -> String {
        let Some(ctx) = &self.context else {
            return "(null)".to_owned();
        };
        let mut s = String::from("(");
        s.push_str(&ctx.node.to_string());
        s.push_str(", ");
        match &ctx.network {
            Some(n) => s.push_str(&n.display()),
            None => s.push_str("null"),
        }
        s.push_str(", \"");
        for c in self.message.chars() {
            match c {
                '\\' => s.push_str("\\\\"),
                '\u{8}' => s.push_str("\\b"),
                '\u{c}' => s.push_str("\\f"),
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '\t' => s.push_str("\\t"),
                '\u{b}' => s.push_str("\\v"),
                '"' => s.push_str("\\\""),
                c => s.push(c),
            }
        }
        s.push_str("\")");
        s
    }
}

/// The names of `broker::ec` values, by number.
pub const EC_NAMES: [&str; 41] = [
    "none",
    "unspecified",
    "peer_incompatible",
    "peer_invalid",
    "peer_unavailable",
    "peer_disconnect_during_handshake",
    "peer_timeout",
    "master_exists",
    "no_such_master",
    "no_such_key",
    "request_timeout",
    "type_clash",
    "invalid_data",
    "backend_failure",
    "stale_data",
    "cannot_open_file",
    "cannot_write_file",
    "invalid_topic_key",
    "end_of_file",
    "invalid_tag",
    "invalid_message",
    "invalid_status",
    "conversion_failed",
    "consumer_exists",
    "connection_timeout",
    "bad_member_function_call",
    "repeated_request_id",
    "broken_clone",
    "shutting_down",
    "invalid_peering_request",
    "repeated_peering_handshake_request",
    "unexpected_handshake_message",
    "invalid_handshake_state",
    "no_path_to_peer",
    "no_connector_available",
    "cannot_open_resource",
    "serialization_failed",
    "deserialization_failed",
    "wrong_magic_number",
    "redundant_connection",
    "logic_error",
];

/// The topics Broker publishes its statuses and errors on (local only).
pub const STATUS_TOPIC: &[u8] = b"<$>/local/data/statuses";
pub const ERROR_TOPIC: &[u8] = b"<$>/local/data/errors";

impl StatusCode {
    pub fn name(self) -> &'static str {
        match self {
            StatusCode::Unspecified => "unspecified",
            StatusCode::PeerAdded => "peer_added",
            StatusCode::PeerRemoved => "peer_removed",
            StatusCode::PeerLost => "peer_lost",
            StatusCode::EndpointDiscovered => "endpoint_discovered",
            StatusCode::EndpointUnreachable => "endpoint_unreachable",
        }
    }
}

impl EndpointInfo {
    /// `vector[node, address, port, retry]` (`none` for what is unknown).
    pub fn to_data(&self) -> Data {
        let node = if self.node.is_nil() {
            Data::None
        } else {
            Data::string(self.node.to_string())
        };
        let mut v = vec![node];
        match &self.network {
            Some(n) => {
                v.push(Data::string(&n.address));
                v.push(Data::Port(Port {
                    number: n.port,
                    protocol: Protocol::Tcp,
                }));
                v.push(Data::Count(n.retry_secs));
            }
            None => v.extend([Data::None, Data::None, Data::None]),
        }
        Data::Vector(v)
    }
}

impl Status {
    /// The `data` form Broker publishes on [`STATUS_TOPIC`].
    pub fn to_data(&self) -> Data {
        let mut v = vec![
            Data::string("status"),
            Data::Enum(self.code.name().as_bytes().to_vec()),
        ];
        if self.code == StatusCode::Unspecified {
            v.extend([Data::None, Data::None]);
        } else {
            v.push(self.context.to_data());
            v.push(Data::string(&self.message));
        }
        Data::Vector(v)
    }
}

impl ErrorReport {
    /// The `data` form Broker publishes on [`ERROR_TOPIC`].
    pub fn to_data(&self) -> Data {
        let name = EC_NAMES
            .get(usize::from(self.code))
            .copied()
            .unwrap_or("unspecified");
        let context = match &self.context {
            Some(c) => Data::Vector(vec![c.to_data(), Data::string(&self.message)]),
            None => Data::Vector(vec![Data::string(&self.message)]),
        };
        Data::Vector(vec![
            Data::string("error"),
            Data::Enum(name.as_bytes().to_vec()),
            context,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `data` forms of §7.3.
    #[test]
    fn data_forms() {
        let net = NetworkInfo {
            address: "127.0.0.1".into(),
            port: 5000,
            retry_secs: 0,
        };
        let s = Status {
            code: StatusCode::PeerLost,
            context: EndpointInfo {
                node: EndpointId::NIL,
                network: Some(net.clone()),
            },
            message: "lost connection to client".into(),
        };
        assert_eq!(
            s.to_data().to_string(),
            "(status, peer_lost, (nil, 127.0.0.1, 5000/tcp, 0), lost connection to client)"
        );
        let e = ErrorReport {
            code: ec::PEER_INVALID,
            context: None,
            message: "x".into(),
        };
        assert_eq!(e.to_data().to_string(), "(error, peer_invalid, (x))");
        assert_eq!(EC_NAMES[usize::from(ec::LOGIC_ERROR)], "logic_error");
        assert_eq!(EC_NAMES[37], "deserialization_failed");
    }

    /// Zeek's `broker.error` baseline.
    #[test]
    fn zeek_error_text() {
        let e = ErrorReport {
            code: ec::PEER_INVALID,
            context: Some(EndpointInfo {
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
}
