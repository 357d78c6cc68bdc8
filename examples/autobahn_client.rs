//! The client side of the Autobahn|Testsuite, over `wsproto::io::blocking`: asks the
//! fuzzing server how many cases there are, runs each one echoing every message back, then
//! asks it to write its reports.
//!
//! `cargo run --release --example autobahn_client -- 127.0.0.1:9002 wsproto`
//! (with `shared/autobahn/run-fuzzingserver 9002 OUTDIR` running; `scripts/conformance`
//! does all of it).

use std::net::TcpStream;

use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::Request;
use wsproto::io::blocking::connect;
use wsproto::io::{Config, Error, Message};

#[path = "support/echo.rs"]
mod echo;

/// Runs one connection to `target`, echoing; returns the text messages received.
fn run(addr: &str, target: &str) -> Result<Vec<String>, Error> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let config = Config::default().with_limits(echo::LIMITS);
    let (mut ws, _) = connect(stream, Request::new(addr, target), (deflate,), config)?;
    let mut texts = Vec::new();
    while let Some(message) = ws.recv() {
        match message? {
            Message::Text(text) => {
                texts.push(text.to_string());
                ws.send(Message::Text(text))?;
            }
            message @ Message::Binary(_) => ws.send(message)?,
            _ => {}
        }
    }
    Ok(texts)
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9002".into());
    let agent = args.next().unwrap_or_else(|| "wsproto".into());
    let count: u32 = run(&addr, "/getCaseCount")?
        .first()
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| std::io::Error::other("no case count"))?;
    println!("{count} cases");
    for case in 1..=count {
        // Many cases break the connection on purpose: the report judges that, not us.
        if let Err(error) = run(&addr, &format!("/runCase?case={case}&agent={agent}")) {
            eprintln!("case {case}: {error}");
        }
        if case % 50 == 0 || case == count {
            println!("  {case}/{count} done");
        }
    }
    run(&addr, &format!("/updateReports?agent={agent}"))?;
    println!("reports updated");
    Ok(())
}
