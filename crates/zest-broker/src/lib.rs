//! Broker 2.5 for Zest: the `broker::data` model and its binary encoding,
//! the native peering protocol (frames, handshake, node messages), Zeek's
//! message layer, the encoding of data store commands, and an
//! [`Endpoint`] that listens, peers, subscribes and publishes (data and
//! store commands) on a tokio runtime of its own thread, and serves
//! Broker's WebSocket JSON API to clients.
//!
//! Nothing here knows the interpreter; `zest-bifs` maps Zeek values to
//! [`Data`] and polls the endpoint. The protocol is described in
//! `docs/broker-protocol.md` of the shared material.

pub mod codec;
pub mod data;
pub mod endpoint;
pub mod filter;
pub mod id;
pub mod json;
pub mod status;
pub mod store;
pub mod transport;
pub mod websocket;
pub mod wire;
pub mod zeek;

pub use data::{Address, Data, Port, Protocol, Subnet};
pub use endpoint::{Config, Endpoint, Inbound, Notify, PeerInfo};
pub use id::EndpointId;
pub use status::{EndpointInfo, ErrorReport, NetworkInfo, Status, StatusCode};
pub use transport::TlsConfig;
