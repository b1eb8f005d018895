//! One WebSocket client of Broker's JSON API (`broker-protocol.md` §6):
//! the HTTP upgrade on `/v1/messages/json` (TLS first when the endpoint
//! uses it), the subscription array, the ack, then JSON data messages in
//! both directions. The task talks to the endpoint's core over channels:
//! it reports the client once the handshake is done, hands over every
//! decoded data message, and writes what the core queues for it.
//!
//! A client's bad input never reaches the core: malformed or invalid
//! messages are answered with Broker's `error` object and dropped; a
//! binary frame, a frame over [`MAX_MESSAGE`] or a broken connection ends
//! only this client.

use crate::data::Data;
use crate::id::EndpointId;
use crate::json;
use crate::transport::Stream;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use openssl::ssl::SslContext;
use std::net::SocketAddr;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data as OpData, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

/// The only path Broker serves.
pub const PATH: &str = "/v1/messages/json";
/// The largest message (and frame) a client may send.
pub const MAX_MESSAGE: usize = 16 << 20;
/// Upper bound for the upgrade and the subscription message.
pub const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What a client task tells the core.
pub enum ClientEvent {
    /// The handshake is done: `filter` is the client's subscriptions, the
    /// core queues the client's outgoing messages on `tx`.
    Attached {
        conn: u64,
        filter: Vec<Vec<u8>>,
        addr: SocketAddr,
        tx: mpsc::Sender<Bytes>,
    },
    /// A data message the client published.
    Data {
        conn: u64,
        topic: Vec<u8>,
        data: Data,
    },
    /// The client is gone (only sent after `Attached`).
    Closed { conn: u64 },
}

fn outgoing(b: Bytes) -> Message {
    match Utf8Bytes::try_from(b.clone()) {
        Ok(t) => Message::Text(t),
        // Broker writes Zeek strings raw: a text frame that is not UTF-8.
        Err(_) => Message::Frame(Frame::message(b, OpCode::Data(OpData::Text), true)),
    }
}

/// Serves one accepted connection until it ends.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn serve(
    tcp: TcpStream,
    addr: SocketAddr,
    tls: Option<SslContext>,
    own: EndpointId,
    conn: u64,
    buffer: usize,
    events: mpsc::Sender<crate::endpoint::Event>,
) {
    let setup = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
        let stream = Stream::open(tcp, tls.as_ref(), false).await.ok()?;
        // The callback's type is tungstenite's; its error is an HTTP response.
        #[allow(clippy::result_large_err)]
        let check_path = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
            if req.uri().path() == PATH {
                Ok(resp)
            } else {
                let mut r = ErrorResponse::new(Some(format!("invalid path; try {PATH}")));
                *r.status_mut() = StatusCode::BAD_REQUEST;
                Err(r)
            }
        };
        let cfg = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let mut ws = tokio_tungstenite::accept_hdr_async_with_config(stream, check_path, Some(cfg))
            .await
            .ok()?;
        // The first message must be the subscription array.
        let filter = loop {
            match ws.next().await? {
                Ok(Message::Text(t)) => break json::decode_filter(t.as_bytes()),
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                _ => return None,
            }
        };
        let Some(filter) = filter else {
            // "first message must contain a filter": the connection ends.
            let _ = ws.close(None).await;
            return None;
        };
        let ack = Bytes::from(json::render_ack(&own.to_string()));
        ws.send(outgoing(ack)).await.ok()?;
        Some((ws, filter))
    })
    .await;
    let Ok(Some((ws, filter))) = setup else {
        return;
    };
    let (tx, rx) = mpsc::channel(buffer.max(1));
    if events
        .send(crate::endpoint::Event::Ws(ClientEvent::Attached {
            conn,
            filter,
            addr,
            tx: tx.clone(),
        }))
        .await
        .is_err()
    {
        return;
    }
    run(ws, rx, conn, &events).await;
    let _ = events
        .send(crate::endpoint::Event::Ws(ClientEvent::Closed { conn }))
        .await;
}

async fn run(
    mut ws: WebSocketStream<Stream>,
    mut rx: mpsc::Receiver<Bytes>,
    conn: u64,
    events: &mpsc::Sender<crate::endpoint::Event>,
) {
    let mut n: u64 = 0;
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(b) => {
                    if ws.feed(outgoing(b)).await.is_err() {
                        return;
                    }
                    // Write what else is queued in the same flush.
                    while let Ok(b) = rx.try_recv() {
                        if ws.feed(outgoing(b)).await.is_err() {
                            return;
                        }
                    }
                    if ws.flush().await.is_err() {
                        return;
                    }
                }
                // The core dropped us (overflow or shutdown).
                None => {
                    let _ = ws.close(None).await;
                    return;
                }
            },
            m = ws.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    n += 1;
                    match json::decode_message(t.as_bytes()) {
                        Ok((topic, data)) => {
                            let ev = ClientEvent::Data { conn, topic, data };
                            if events.send(crate::endpoint::Event::Ws(ev)).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let err = json::render_error("deserialization_failed", &e.context(n));
                            if ws.send(outgoing(Bytes::from(err))).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                // Binary frames abort the connection, as in Broker.
                Some(Ok(Message::Binary(_) | Message::Close(_)) | Err(_)) | None => {
                    let _ = ws.close(None).await;
                    return;
                }
            }
        }
    }
}
