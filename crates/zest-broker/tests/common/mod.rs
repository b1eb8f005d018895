//! Helpers shared by the integration tests: the shared Zeek material by
//! path, a scripted raw peer speaking the wire protocol over a blocking
//! socket, and waiting for an endpoint's reports.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zest_broker::filter::Filter;
use zest_broker::wire::{frame, Handshake, MAGIC};
use zest_broker::{Endpoint, EndpointId, Inbound, StatusCode};

/// The Zeek 5.2 material: `$ZEEK_DIST`, else `../shared/zeek-5.2` beside
/// the checkout. Read at test time, never copied.
pub fn zeek_dist() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    }
}

pub fn wire_dir() -> PathBuf {
    zeek_dist().join("reference/wire")
}

/// `broker-protocol.md` of the shared material (`docs/` beside the Zeek
/// tree).
pub fn protocol_doc() -> PathBuf {
    zeek_dist().join("../docs/broker-protocol.md")
}

/// Collects an endpoint's reports until `pred` holds for one (10 s at
/// most, then the test fails with what was seen).
pub fn wait_for(ep: &mut Endpoint, pred: impl Fn(&Inbound) -> bool) -> Vec<Inbound> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        while let Some(m) = ep.try_recv() {
            let done = pred(&m);
            seen.push(m);
            if done {
                return seen;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("timed out; seen {seen:?}");
}

pub fn status(code: StatusCode) -> impl Fn(&Inbound) -> bool {
    move |m| matches!(m, Inbound::Status(s) if s.code == code)
}

/// A deterministic xorshift generator (fixed seeds keep failures
/// reproducible).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// Up to `max - 1` random bytes.
    pub fn some_bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max);
        self.bytes(n)
    }

    pub fn id(&mut self) -> EndpointId {
        let mut b = [0u8; 16];
        for x in &mut b {
            *x = self.next() as u8;
        }
        EndpointId(b)
    }
}

/// A scripted peer on a blocking socket.
pub struct RawPeer {
    pub sock: TcpStream,
}

impl RawPeer {
    pub fn new(sock: TcpStream) -> RawPeer {
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        sock.set_nodelay(true).unwrap();
        RawPeer { sock }
    }

    pub fn connect(port: u16) -> RawPeer {
        RawPeer::new(TcpStream::connect(("127.0.0.1", port)).unwrap())
    }

    /// Reads one whole frame (length prefix included); `None` on EOF or
    /// a reset.
    pub fn read_frame(&mut self) -> Option<Vec<u8>> {
        let mut len = [0u8; 4];
        self.sock.read_exact(&mut len).ok()?;
        let n = u32::from_be_bytes(len) as usize;
        let mut f = vec![0u8; 4 + n];
        f[..4].copy_from_slice(&len);
        self.sock.read_exact(&mut f[4..]).ok()?;
        Some(f)
    }

    pub fn read_handshake(&mut self) -> Handshake {
        let f = self.read_frame().expect("a handshake frame");
        Handshake::decode(&f[4..]).expect("a handshake message")
    }

    pub fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.sock.write_all(bytes)
    }

    pub fn send_handshake(&mut self, m: &Handshake) {
        self.send(&frame(&m.encode())).unwrap();
    }

    /// Whether the other side closed the connection (reading until EOF,
    /// discarding what comes).
    pub fn closed_by_peer(&mut self) -> bool {
        let mut b = [0u8; 4096];
        loop {
            match self.sock.read(&mut b) {
                Ok(0) => return true,
                Ok(_) => {}
                Err(e) => {
                    return !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    )
                }
            }
        }
    }

    /// Plays Broker's side as the connector (§3.4) against an endpoint
    /// that accepted: hello, then whichever role the IDs give. Returns
    /// the endpoint's filter.
    pub fn handshake_as_connector(&mut self, own: EndpointId, filter: &Filter) -> Filter {
        self.send_handshake(&Handshake::hello(own));
        assert!(matches!(
            self.read_handshake(),
            Handshake::Probe { magic: MAGIC }
        ));
        match self.read_handshake() {
            Handshake::Hello { sender, .. } => {
                assert!(own < sender, "hello from the smaller ID");
                self.send_handshake(&Handshake::VersionSelect {
                    magic: MAGIC,
                    sender: own,
                    version: 1,
                });
                self.send_handshake(&Handshake::OriginatorSyn(filter.clone()));
                let Handshake::ResponderSynAck(f) = self.read_handshake() else {
                    panic!("expected responder_syn_ack")
                };
                self.send_handshake(&Handshake::OriginatorAck);
                f
            }
            Handshake::VersionSelect { sender, .. } => {
                assert!(sender < own);
                let Handshake::OriginatorSyn(f) = self.read_handshake() else {
                    panic!("expected originator_syn")
                };
                self.send_handshake(&Handshake::ResponderSynAck(filter.clone()));
                assert_eq!(self.read_handshake(), Handshake::OriginatorAck);
                f
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

pub fn filter_of(topics: &[&str]) -> Filter {
    let mut f = Filter::default();
    for t in topics {
        f.add(t.as_bytes());
    }
    f
}
