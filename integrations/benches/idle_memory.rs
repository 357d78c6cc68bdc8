//! Memory per idle connection of the tokio server (`wsproto::io::tokio`), without
//! permessage-deflate and with it under three settings, and what each setting costs in
//! compression: the server runs in a child process; the driver opens N connections, sends
//! one 1 KiB text message on each and reads its echo, waits 3 s, then reads the child's
//! resident memory (VmRSS in /proc) and divides what the connections added by N. The compression
//! columns are the wire size, against the size uncompressed, of what one connection sends
//! under the setting: 1,000 chat-like JSON messages, and 100 state snapshots of about
//! 8 KiB, each a few fields away from the one before (where a window that reaches back
//! past the last message pays).
//!
//! `cargo bench --manifest-path integrations/Cargo.toml --bench idle_memory [-- N]`
//! (N defaults to 10,000; the driver and the server each need N file descriptors).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::events::Request;
use wsproto::io::tokio::{accept, connect};
use wsproto::io::{Config, Message};
use wsproto::{FrameProtocol, Server};

/// The server's deflate settings compared; `None` is no deflate.
fn settings() -> [(&'static str, Option<DeflateConfig>); 4] {
    let windows = DeflateConfig {
        server_max_window_bits: Some(12),
        client_max_window_bits: Some(12),
        ..DeflateConfig::default()
    };
    let no_takeover = DeflateConfig {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        ..DeflateConfig::default()
    };
    [
        ("no deflate", None),
        (
            "deflate, defaults (15-bit windows, context takeover)",
            Some(DeflateConfig::default()),
        ),
        ("deflate, 12-bit windows both ways", Some(windows)),
        ("deflate, no context takeover both ways", Some(no_takeover)),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        let setting = args
            .get(1)
            .and_then(|i| i.parse::<usize>().ok())
            .unwrap_or(0);
        return serve(settings()[setting].1);
    }
    let count: usize = args
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(10_000);
    println!(
        "| wsproto tokio server | connections | RSS per connection | wire / raw, 1,000 chat messages | wire / raw, 100 snapshots of 8 KiB |"
    );
    println!("|---|---|---|---|---|");
    for (index, (name, config)) in settings().into_iter().enumerate() {
        let (before, after) = measure(index, count);
        let per = (after.saturating_sub(before)) as f64 / count as f64;
        println!(
            "| {name} | {count} | {:.1} KiB | {:.3} | {:.3} |",
            per / 1024.0,
            compression(config, chat_message, 1000),
            compression(config, snapshot, 100),
        );
    }
}

/// A chat-like JSON message, the `i`th of a conversation.
fn chat_message(i: usize) -> String {
    format!(
        r#"{{"type":"message","room":"general","user":"user{}","text":"message {i}: the build on main passed, deploying to staging in {} minutes","ts":{}}}"#,
        i % 17,
        i % 7,
        1_733_011_200 + i * 13
    )
}

/// The `i`th snapshot of a dashboard's state: 80 services, of which a few change each time.
fn snapshot(i: usize) -> String {
    let services: Vec<String> = (0..80)
        .map(|s| {
            let load = (s * 37 + if s % 13 == i % 13 { i * 7 } else { 0 }) % 100;
            format!(
                r#"{{"name":"service-{s:02}","region":"eu-west-{}","status":"{}","load":{load},"replicas":{},"version":"1.{}.{}"}}"#,
                s % 3,
                if load > 90 { "degraded" } else { "ok" },
                1 + s % 5,
                s % 4,
                s % 10
            )
        })
        .collect();
    format!(r#"{{"tick":{i},"services":[{}]}}"#, services.join(","))
}

/// Wire bytes over raw bytes for `count` messages made by `message` that a server sends
/// under `config`, as agreed with a default client.
fn compression(config: Option<DeflateConfig>, message: fn(usize) -> String, count: usize) -> f64 {
    let Some(config) = config else {
        return 1.0;
    };
    let mut offer = String::new();
    wsproto::deflate::client_offer(&DeflateConfig::default(), &mut offer);
    let mut answer = String::new();
    let agreed =
        wsproto::deflate::server_accept(&config, &offer, &mut answer).expect("an agreement");
    let mut server = FrameProtocol::<Server, _>::new((PerMessageDeflate::negotiated(agreed),));
    let (mut raw, mut wire) = (0usize, 0usize);
    for i in 0..count {
        let message = message(i);
        raw += message.len();
        wire += server.send_data(message.as_str(), true).unwrap().len();
    }
    wire as f64 / raw as f64
}

/// The server: echo on 127.0.0.1, printing its port.
#[tokio::main]
async fn serve(deflate: Option<DeflateConfig>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", listener.local_addr().unwrap().port());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            if let Some(config) = deflate {
                let extension = (PerMessageDeflate::new(config),);
                if let Ok(mut ws) = accept(stream, extension, Config::default()).await {
                    wsproto_integrations::echo(&mut ws).await;
                }
            } else if let Ok(mut ws) = accept(stream, (), Config::default()).await {
                wsproto_integrations::echo(&mut ws).await;
            }
        });
    }
}

/// The server's RSS before and after `count` connections, each after one echo.
#[tokio::main]
async fn measure(setting: usize, count: usize) -> (u64, u64) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Kill(
        Command::new(exe)
            .args(["serve", &setting.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = format!("127.0.0.1:{}", line.trim());
    let pid = child.0.id();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss(pid);
    let mut open = Vec::with_capacity(count);
    let text = "x".repeat(1024);
    for _ in 0..count {
        let stream = TcpStream::connect(&addr).await.unwrap();
        let extension = PerMessageDeflate::default();
        let request = Request::new(addr.clone(), "/");
        let (mut ws, _) = connect(stream, request, (extension,), Config::default())
            .await
            .unwrap();
        ws.send(Message::text(text.clone())).await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap().as_text(), Some(&text[..]));
        open.push(ws);
    }
    // Idle for longer than `Config::release_idle_memory_after` (1 s): the memory of
    // connections that went quiet.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss(pid);
    drop(open);
    (before, after)
}

/// Resident memory of a process, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib << 10
}

/// Kills the server when the measurement ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
