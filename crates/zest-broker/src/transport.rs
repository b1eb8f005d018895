//! The byte stream under a peering (`broker-protocol.md` §3.1): plain TCP
//! (Zeek's `Broker::disable_ssl = T`) or TLS, configured like Broker's
//! `ssl_context_from_cfg`:
//!
//! * without any certificate, key, passphrase or CA setting, anonymous
//!   ECDH: no verification, cipher list `AECDH-AES256-SHA@SECLEVEL=0`,
//!   group P-384 (in practice TLS 1.2 with `ECDH_anon` over secp384r1);
//! * with any of them, authenticated: the certificate chain and key are
//!   loaded, the CAs too, both sides must present a certificate the other
//!   verifies, cipher list `HIGH:!aNULL:!MD5`.
//!
//! The side that opened the TCP connection is the TLS client.

use openssl::pkey::PKey;
use openssl::ssl::{Ssl, SslContext, SslContextBuilder, SslMethod, SslVerifyMode};
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_openssl::SslStream;

/// Broker's `broker.ssl.*` options (Zeek's `Broker::ssl_*`); empty means
/// unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsConfig {
    pub certificate: String,
    pub key: String,
    pub passphrase: String,
    pub cafile: String,
    pub capath: String,
}

impl TlsConfig {
    /// `openssl_options::authentication_enabled`.
    pub fn authentication_enabled(&self) -> bool {
        !(self.certificate.is_empty()
            && self.key.is_empty()
            && self.passphrase.is_empty()
            && self.cafile.is_empty()
            && self.capath.is_empty())
    }

    /// The TLS context for every connection of an endpoint; the error
    /// names what could not be set up (Broker refuses to start then).
    pub fn context(&self) -> Result<SslContext, String> {
        let mut b = SslContextBuilder::new(SslMethod::tls()).map_err(|e| e.to_string())?;
        if self.authentication_enabled() {
            self.load_credentials(&mut b)?;
            b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
            b.set_cipher_list("HIGH:!aNULL:!MD5")
                .map_err(|_| "failed to set cipher list".to_owned())?;
        } else {
            b.set_verify(SslVerifyMode::NONE);
            b.set_groups_list("P-384")
                .map_err(|_| "failed to set ECDH group".to_owned())?;
            b.set_cipher_list("AECDH-AES256-SHA@SECLEVEL=0")
                .map_err(|_| "failed to set anonymous cipher".to_owned())?;
        }
        Ok(b.build())
    }

    fn load_credentials(&self, b: &mut SslContextBuilder) -> Result<(), String> {
        if !self.certificate.is_empty() {
            b.set_certificate_chain_file(&self.certificate)
                .map_err(|_| "failed to load certificate".to_owned())?;
        }
        if !self.key.is_empty() {
            let pem = std::fs::read(&self.key).map_err(|_| "failed to load private key")?;
            let key = if self.passphrase.is_empty() {
                PKey::private_key_from_pem(&pem)
            } else {
                PKey::private_key_from_pem_passphrase(&pem, self.passphrase.as_bytes())
            }
            .map_err(|_| "failed to load private key".to_owned())?;
            b.set_private_key(&key)
                .map_err(|_| "failed to load private key".to_owned())?;
        }
        let cafile = (!self.cafile.is_empty()).then(|| Path::new(&self.cafile));
        let capath = (!self.capath.is_empty()).then(|| Path::new(&self.capath));
        if cafile.is_some() || capath.is_some() {
            b.load_verify_locations(cafile, capath)
                .map_err(|_| "failed to load trusted CA certificates".to_owned())?;
        }
        Ok(())
    }
}

/// A peering's connection, plain or TLS.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<SslStream<TcpStream>>),
}

impl Stream {
    /// Wraps a fresh TCP connection: with a TLS context, runs the TLS
    /// handshake first (as client when `connector`).
    pub async fn open(
        tcp: TcpStream,
        tls: Option<&SslContext>,
        connector: bool,
    ) -> io::Result<Stream> {
        let _ = tcp.set_nodelay(true);
        let Some(ctx) = tls else {
            return Ok(Stream::Plain(tcp));
        };
        let ssl = Ssl::new(ctx).map_err(io::Error::other)?;
        let mut s = Box::new(SslStream::new(ssl, tcp).map_err(io::Error::other)?);
        let r = if connector {
            Pin::new(&mut *s).connect().await
        } else {
            Pin::new(&mut *s).accept().await
        };
        r.map_err(io::Error::other)?;
        Ok(Stream::Tls(s))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts() {
        let anon = TlsConfig::default();
        assert!(!anon.authentication_enabled());
        assert!(anon.context().is_ok());
        let auth = TlsConfig {
            certificate: "/nonexistent/cert.pem".into(),
            ..TlsConfig::default()
        };
        assert!(auth.authentication_enabled());
        assert_eq!(
            auth.context().err().as_deref(),
            Some("failed to load certificate")
        );
    }

    #[test]
    fn anonymous_tls_round_trip() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        rt.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let ctx = TlsConfig::default().context().unwrap();
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            let sctx = ctx.clone();
            let server = tokio::spawn(async move {
                let (tcp, _) = l.accept().await.unwrap();
                let mut s = Stream::open(tcp, Some(&sctx), false).await.unwrap();
                let mut b = [0u8; 4];
                s.read_exact(&mut b).await.unwrap();
                b
            });
            let tcp = TcpStream::connect(addr).await.unwrap();
            let mut c = Stream::open(tcp, Some(&ctx), true).await.unwrap();
            if let Stream::Tls(t) = &c {
                assert_eq!(
                    t.ssl().current_cipher().map(|c| c.name()),
                    Some("AECDH-AES256-SHA")
                );
            }
            c.write_all(b"ZEEK").await.unwrap();
            assert_eq!(&server.await.unwrap(), b"ZEEK");
        });
    }
}
