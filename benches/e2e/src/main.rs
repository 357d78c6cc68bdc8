//! End-to-end echo benchmark on 127.0.0.1: an echo server built on wsproto's tokio layer and
//! on tokio-tungstenite, fastwebsockets and yawc, each in a child process, driven by one
//! neutral load generator (`load.rs`: the same pre-encoded masked frames for every server).
//!
//! ```sh
//! cargo run --release --manifest-path benches/e2e/Cargo.toml -- run          # throughput
//! cargo run --release --manifest-path benches/e2e/Cargo.toml -- run --quick  # one short pass
//! cargo run --release --manifest-path benches/e2e/Cargo.toml -- memory 10000 # idle memory
//! cargo run --release --manifest-path benches/e2e/Cargo.toml -- run --only wsproto
//! cargo run --release --manifest-path benches/e2e/Cargo.toml -- run --connections 256 --size 1024
//! cargo run --release --manifest-path benches/e2e/Cargo.toml -- memory 10000 --only wsproto
//! cargo run --release --manifest-path benches/e2e/Cargo.toml --features mimalloc -- memory 10000
//! ```
//!
//! `run` reports, per server, connection count and message size: messages per second, the
//! round-trip time's p50 and p99, and the server's CPU time per message (from /proc, as the
//! generator shares the two cores), the median of three runs of 2 s. `memory` opens N
//! connections, echoes one message on each, waits 3 s, and reports the server's resident
//! memory per connection.

mod load;
mod servers;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use servers::Crate;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => {
            let which = Crate::parse(&args[1]).expect("a server name");
            servers::serve(which, args.get(2).map(String::as_str) == Some("deflate"));
        }
        Some("run") => throughput(
            args.iter().any(|a| a == "--quick"),
            only(&args),
            number_after(&args, "--connections"),
            number_after(&args, "--size"),
        ),
        Some("memory") => memory(
            args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000),
            only(&args),
        ),
        _ => eprintln!(
            "usage: e2e run [--quick] [--only NAME] [--connections N] [--size BYTES] \
             | e2e memory [N] [--only NAME]"
        ),
    }
}

/// The number after `flag`, if any.
fn number_after(args: &[String], flag: &str) -> Option<usize> {
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1)?.parse().ok()
}

/// The server named after `--only`, if any.
fn only(args: &[String]) -> Option<Crate> {
    let i = args.iter().position(|a| a == "--only")?;
    Crate::parse(args.get(i + 1)?)
}

/// A server in a child process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(which: Crate, deflate: bool) -> Server {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command.args(["serve", which.name()]).stdout(Stdio::piped());
        if deflate {
            command.arg("deflate");
        }
        let mut child = command.spawn().unwrap();
        let mut port = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut port)
            .unwrap();
        Server {
            addr: format!("127.0.0.1:{}", port.trim()),
            child,
        }
    }

    fn proc_file(&self, name: &str) -> String {
        std::fs::read_to_string(format!("/proc/{}/{name}", self.child.id())).unwrap()
    }

    /// CPU time used so far (user + system), in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = self.proc_file("stat");
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }

    /// Resident memory, in bytes.
    fn rss(&self) -> u64 {
        let kib: u64 = self
            .proc_file("status")
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib << 10
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second, for /proc's CPU times.
fn ticks_per_second() -> u64 {
    let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The servers and variants measured: every crate plain, and those with permessage-deflate.
fn variants() -> Vec<(Crate, bool)> {
    let plain = Crate::ALL.iter().map(|&c| (c, false));
    let deflate = Crate::ALL
        .iter()
        .filter(|c| c.has_deflate())
        .map(|&c| (c, true));
    plain.chain(deflate).collect()
}

#[tokio::main]
async fn throughput(
    quick: bool,
    only: Option<Crate>,
    only_connections: Option<usize>,
    only_size: Option<usize>,
) {
    let (runs, seconds) = if quick { (1, 0.3) } else { (3, 2.0) };
    let all_connections: &[usize] = if quick { &[1, 16] } else { &[1, 16, 256] };
    let connections = only_connections.map_or(all_connections.to_vec(), |n| vec![n]);
    let sizes = only_size.map_or(vec![16, 1024, 64 << 10], |n| vec![n]);
    let ticks = ticks_per_second() as f64;
    println!(
        "| server | deflate | connections | message | messages/s | p50 µs | p99 µs | server CPU µs/message |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (which, deflate) in variants() {
        if only.is_some_and(|only| only != which) {
            continue;
        }
        let server = Server::start(which, deflate);
        eprintln!(
            "server {} (deflate {deflate}): pid {}",
            which.name(),
            server.child.id()
        );
        for &count in &connections {
            for &size in &sizes {
                let frame = load::frame(size, deflate);
                let (mut rates, mut p50s, mut p99s, mut cpus) = (vec![], vec![], vec![], vec![]);
                for _ in 0..runs {
                    let before = server.cpu_ticks();
                    let duration = Duration::from_secs_f64(seconds);
                    let run = load::run(&server.addr, count, &frame, deflate, duration)
                        .await
                        .unwrap_or_else(|e| panic!("{} {count}x{size}: {e}", which.name()));
                    let cpu = (server.cpu_ticks() - before) as f64 / ticks;
                    let n = run.messages.max(1) as f64;
                    rates.push(n / run.elapsed.as_secs_f64());
                    p50s.push(f64::from(run.latencies[run.latencies.len() / 2]));
                    p99s.push(f64::from(run.latencies[run.latencies.len() * 99 / 100]));
                    cpus.push(cpu * 1e6 / n);
                }
                println!(
                    "| {} | {} | {count} | {} | {:.0} | {:.0} | {:.0} | {:.1} |",
                    which.name(),
                    if deflate { "yes" } else { "no" },
                    human(size),
                    median(rates),
                    median(p50s),
                    median(p99s),
                    median(cpus),
                );
            }
        }
    }
}

fn human(size: usize) -> String {
    if size >= 1024 {
        format!("{} KiB", size >> 10)
    } else {
        format!("{size} B")
    }
}

#[tokio::main]
async fn memory(count: usize, only: Option<Crate>) {
    println!("| server | deflate | connections | RSS per connection |");
    println!("|---|---|---|---|");
    for (which, deflate) in variants() {
        if only.is_some_and(|only| only != which) {
            continue;
        }
        let server = Server::start(which, deflate);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = server.rss();
        let frame = load::frame(1024, deflate);
        let mut open = Vec::with_capacity(count);
        let mut buf = Vec::new();
        for _ in 0..count {
            let mut stream = load::open(&server.addr, deflate).await.unwrap();
            load::round_trip(&mut stream, &frame, &mut buf)
                .await
                .unwrap();
            open.push(stream);
        }
        // Idle for longer than wsproto's default `release_idle_memory_after` (1 s): the
        // memory of connections that went quiet, not of ones in use.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let per = server.rss().saturating_sub(before) as f64 / count as f64;
        println!(
            "| {} | {} | {count} | {:.1} KiB |",
            which.name(),
            if deflate { "yes" } else { "no" },
            per / 1024.0
        );
    }
}
