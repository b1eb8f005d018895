//! Status and error reports (`broker-protocol.md` §7): what an endpoint
//! tells its owner about peerings, with Broker 2.5's exact texts.

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

#[cfg(test)]
mod tests {
    use super::*;

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
