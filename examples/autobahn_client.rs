//! The client side of the Autobahn|Testsuite: asks the fuzzing server how many cases there
//! are, runs each one echoing every message back, then asks it to write its reports.
//!
//! `cargo run --release --example autobahn_client -- 127.0.0.1:9002 wsproto`
//! (with `shared/autobahn/run-fuzzingserver 9002 OUTDIR` running; `scripts/conformance`
//! does all of it).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::Request;
use wsproto::handshake::HandshakeLimits;
use wsproto::{Client, ConnectionState, Event, WSConnection};

#[path = "support/echo.rs"]
mod echo;

/// Runs one connection to `target`, echoing; returns the text messages received.
fn run(addr: &str, target: &str) -> io::Result<Vec<String>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let deflate = PerMessageDeflate::new(DeflateConfig::default());
    let mut ws = WSConnection::<Client, _>::with_limits(
        (deflate,),
        echo::LIMITS,
        HandshakeLimits::default(),
    );
    stream.write_all(
        &ws.send(Request::new(addr, target))
            .map_err(io::Error::other)?,
    )?;
    let mut echo = echo::Echo::default();
    let mut texts = Vec::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut out = Vec::new();
    loop {
        let n = stream.read(&mut buf)?;
        ws.receive_data((n > 0).then(|| &buf[..n]))
            .map_err(io::Error::other)?;
        while let Some(event) = ws.next_event() {
            match event {
                Event::RejectConnection(reject) => {
                    return Err(io::Error::other(format!(
                        "rejected with {}",
                        reject.status_code
                    )));
                }
                Event::TextMessage(ref m) if m.message_finished => texts.push(m.data.to_string()),
                _ => {}
            }
            if let Some(reply) = echo.reply(event) {
                let _ = ws.send_into(reply, &mut out);
            }
        }
        if !out.is_empty() {
            stream.write_all(&out)?;
            out.clear();
        }
        if ws.is_failed() {
            echo::linger_close(stream)?;
            return Ok(texts);
        }
        // RFC 6455 §7.1.1: the client waits for the server to close TCP first.
        if ws.state() == ConnectionState::Closed || n == 0 {
            echo::wait_for_eof(&mut stream)?;
            return Ok(texts);
        }
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9002".into());
    let agent = args.next().unwrap_or_else(|| "wsproto".into());
    let count: u32 = run(&addr, "/getCaseCount")?
        .first()
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| io::Error::other("no case count"))?;
    println!("{count} cases");
    for case in 1..=count {
        // Many cases end with a broken connection on purpose: that is not our failure.
        if let Err(error) = run(&addr, &format!("/runCase?case={case}&agent={agent}"))
            && error.kind() != io::ErrorKind::ConnectionReset
        {
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
