//! The client side of the Autobahn|Testsuite over `wsproto::io::tokio`, as
//! `autobahn_client` is over `io::blocking`: asks the fuzzing server how many cases there
//! are, runs each one echoing every message back, then asks it to write its reports.
//!
//! `cargo run --release --features tokio --example tokio_autobahn_client -- 127.0.0.1:9002`
//! (`scripts/conformance` does all of it).

use tokio::net::TcpStream;
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::Request;
use wsproto::io::tokio::connect;
use wsproto::io::{Config, Error, Message};

#[path = "support/echo.rs"]
mod echo;

/// Runs one connection to `target`, echoing; returns the text messages received.
async fn run(addr: &str, target: &str) -> Result<Vec<String>, Error> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let config = Config::default().with_limits(echo::LIMITS);
    let (mut ws, _) = connect(stream, Request::new(addr, target), (deflate,), config).await?;
    let mut texts = Vec::new();
    while let Some(message) = ws.recv().await {
        match message? {
            Message::Text(text) => {
                texts.push(text.to_string());
                ws.send(Message::Text(text)).await?;
            }
            message @ Message::Binary(_) => ws.send(message).await?,
            _ => {}
        }
    }
    Ok(texts)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9002".into());
    let agent = args.next().unwrap_or_else(|| "wsproto".into());
    let count: u32 = run(&addr, "/getCaseCount")
        .await?
        .first()
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| std::io::Error::other("no case count"))?;
    println!("{count} cases");
    for case in 1..=count {
        // Many cases break the connection on purpose: the report judges that, not us.
        if let Err(error) = run(&addr, &format!("/runCase?case={case}&agent={agent}")).await {
            eprintln!("case {case}: {error}");
        }
        if case % 50 == 0 || case == count {
            println!("  {case}/{count} done");
        }
    }
    run(&addr, &format!("/updateReports?agent={agent}")).await?;
    println!("reports updated");
    Ok(())
}
