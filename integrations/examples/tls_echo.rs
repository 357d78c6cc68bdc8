//! A WebSocket over TLS (wss://): a self-signed certificate made at start, a TLS echo
//! server and a TLS client in one process, talking with permessage-deflate. The connection
//! neither knows nor cares that its stream is encrypted: `io::tokio` takes any
//! `AsyncRead + AsyncWrite`.
//!
//! Run with `cargo run --manifest-path integrations/Cargo.toml --example tls_echo`.

use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use wsproto::deflate::PerMessageDeflate;
use wsproto::events::Request;
use wsproto::io::tokio::{accept, connect};
use wsproto::io::{Config, Error, Message};

/// A server and a client configuration sharing one self-signed certificate for `localhost`.
pub fn tls_configs() -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client))
}

/// Accepts TLS connections and echoes every WebSocket message.
pub async fn serve(listener: TcpListener, tls: Arc<ServerConfig>) -> Result<(), Error> {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (stream, _) = listener.accept().await?;
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            let deflate = (PerMessageDeflate::default(),);
            if let Ok(mut ws) = accept(stream, deflate, Config::default()).await {
                wsproto_integrations::echo(&mut ws).await;
            }
        });
    }
}

/// Connects over TLS to `addr` as `localhost`, sends `text` and returns the echo.
pub async fn echo_once(
    addr: std::net::SocketAddr,
    tls: Arc<ClientConfig>,
    text: &str,
) -> Result<Message, Error> {
    let stream = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").expect("a valid name");
    let stream = TlsConnector::from(tls).connect(name, stream).await?;
    let deflate = (PerMessageDeflate::default(),);
    let (mut ws, _) = connect(
        stream,
        Request::new("localhost", "/"),
        deflate,
        Config::default(),
    )
    .await?;
    ws.send(Message::text(text.to_owned())).await?;
    let echo = ws.recv().await.ok_or(Error::AbnormalClosure)??;
    ws.close().await?;
    Ok(echo)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let (server_tls, client_tls) = tls_configs();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener, server_tls));
    let echo = echo_once(addr, client_tls, "hello over wss://").await?;
    println!(
        "wss://localhost:{} echoed {:?}",
        addr.port(),
        echo.as_text().unwrap_or_default()
    );
    Ok(())
}
