//! Memory per idle connection of the tokio server (`wsproto::io::tokio`), with and without
//! permessage-deflate: the server runs in a child process; the driver opens N connections,
//! sends one 1 KiB text message on each and reads its echo, then reads the child's resident
//! memory (VmRSS in /proc) and divides what the connections added by N.
//!
//! `cargo bench --manifest-path integrations/Cargo.toml --bench idle_memory [-- N]`
//! (N defaults to 10,000; the driver and the server each need N file descriptors).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use wsproto::deflate::PerMessageDeflate;
use wsproto::events::Request;
use wsproto::io::tokio::{accept, connect};
use wsproto::io::{Config, Message};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return serve(args.get(1).map(String::as_str) == Some("deflate"));
    }
    let count: usize = args
        .iter()
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(10_000);
    println!("| server | connections | RSS before | RSS after | per connection |");
    println!("|---|---|---|---|---|");
    for deflate in [false, true] {
        let (before, after) = measure(deflate, count);
        let per = (after.saturating_sub(before)) as f64 / count as f64;
        let name = if deflate {
            "wsproto tokio, permessage-deflate"
        } else {
            "wsproto tokio"
        };
        println!(
            "| {name} | {count} | {} KiB | {} KiB | {:.1} KiB |",
            before >> 10,
            after >> 10,
            per / 1024.0
        );
    }
}

/// The server: echo on 127.0.0.1, printing its port.
#[tokio::main]
async fn serve(deflate: bool) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", listener.local_addr().unwrap().port());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            if deflate {
                let extension = (PerMessageDeflate::default(),);
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
async fn measure(deflate: bool, count: usize) -> (u64, u64) {
    let exe = std::env::current_exe().unwrap();
    let mut arguments = vec!["serve"];
    if deflate {
        arguments.push("deflate");
    }
    let mut child = Kill(
        Command::new(exe)
            .args(arguments)
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
    tokio::time::sleep(Duration::from_secs(1)).await;
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
