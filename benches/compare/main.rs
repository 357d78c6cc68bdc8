//! `cargo bench --bench compare`: the same bytes through wsproto and through the crates
//! users would pick instead, in one process, and one table of throughput and ratios.
//! `cargo bench --bench compare -- --quick` checks every adapter and times each row once.
//!
//! Every adapter must deliver whole messages with masks removed and text validated; its
//! output is compared with the input (and, for text, it must reject invalid UTF-8) before
//! anything is timed.

mod alloc;
mod ceiling;
mod input;
mod memory;
mod sink;
mod streams;
mod with_fastwebsockets;
mod with_tungstenite;
mod with_wsproto;
mod with_yawc;

use std::time::{Duration, Instant};

use bytes::Bytes;

use input::{Rng, Task, Workload};
use sink::Sink;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

type ReceiveFn = fn(&Workload, &[u8], usize, &mut Sink) -> Result<(), String>;
type EncodeFn = fn(&Workload, bool, bool) -> Vec<u8>;

/// How one crate does a workload.
#[derive(Clone, Copy)]
enum Run {
    Receive(ReceiveFn),
    Encode(EncodeFn),
}

/// The crate whose ratios the table reports.
const OURS: &str = "wsproto";

fn entries(task: Task) -> Vec<(&'static str, Run)> {
    match task {
        Task::Receive => vec![
            (OURS, Run::Receive(with_wsproto::receive_borrowed)),
            (
                "wsproto (Bytes per message)",
                Run::Receive(with_wsproto::receive_whole_plain),
            ),
            (
                "wsproto (pieces, app joins)",
                Run::Receive(with_wsproto::receive_pieces_plain),
            ),
            ("tungstenite", Run::Receive(with_tungstenite::receive)),
            ("fastwebsockets", Run::Receive(with_fastwebsockets::receive)),
            ("yawc", Run::Receive(with_yawc::receive)),
            ("ceiling", Run::Receive(ceiling::receive)),
        ],
        Task::EncodeServer => vec![
            (OURS, Run::Encode(with_wsproto::encode_recommended)),
            ("wsproto (buffered)", Run::Encode(with_wsproto::encode)),
            (
                "wsproto (vectored)",
                Run::Encode(with_wsproto::encode_vectored),
            ),
            ("tungstenite", Run::Encode(with_tungstenite::encode)),
            ("fastwebsockets", Run::Encode(with_fastwebsockets::encode)),
            ("ceiling", Run::Encode(ceiling::encode)),
        ],
        Task::EncodeClient => vec![
            (OURS, Run::Encode(with_wsproto::encode)),
            ("tungstenite", Run::Encode(with_tungstenite::encode)),
            ("fastwebsockets", Run::Encode(with_fastwebsockets::encode)),
            ("ceiling", Run::Encode(ceiling::encode)),
        ],
        Task::Compress => vec![
            (
                OURS,
                Run::Encode(|w, _, keep| with_wsproto::compress(w, keep)),
            ),
            (
                "yawc",
                Run::Encode(|w, _, keep| with_yawc::compress(w, keep)),
            ),
            (
                "ceiling",
                Run::Encode(|w, _, keep| ceiling::compress(w, keep)),
            ),
        ],
        Task::Inflate => vec![
            (OURS, Run::Receive(with_wsproto::inflate_whole)),
            (
                "wsproto (pieces, app joins)",
                Run::Receive(with_wsproto::inflate_pieces),
            ),
            ("yawc", Run::Receive(with_yawc::inflate)),
            ("ceiling", Run::Receive(ceiling::inflate_workload)),
        ],
    }
}

fn workloads(quick: bool) -> Vec<Workload> {
    let mut rng = Rng::new(0x5eed);
    let mut all = Vec::new();
    let sizes = [16usize, 125, 1 << 10, 16 << 10, 1 << 20];
    let label = |n: usize| match n {
        n if n >= 1 << 20 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    };
    let mut receive = |rng: &mut Rng,
                       name: String,
                       text: bool,
                       len: usize,
                       fragments: usize,
                       make: fn(&mut Rng, usize) -> Vec<u8>| {
        let messages: Vec<Bytes> = (0..input::count_for(len, quick))
            .map(|_| Bytes::from(make(rng, len)))
            .collect();
        let (wire, half_wire) = input::client_wire(rng, &messages, text, fragments);
        all.push(Workload {
            name,
            task: Task::Receive,
            text,
            payload_bytes: messages.iter().map(|m| m.len()).sum(),
            messages,
            wire,
            half_wire,
        });
    };
    for n in sizes {
        receive(
            &mut rng,
            format!("receive binary {}", label(n)),
            false,
            n,
            1,
            input::binary,
        );
    }
    for n in [1 << 10, 16 << 10, 1 << 20] {
        receive(
            &mut rng,
            format!("receive text ASCII {}", label(n)),
            true,
            n,
            1,
            input::ascii,
        );
        receive(
            &mut rng,
            format!("receive text multibyte {}", label(n)),
            true,
            n,
            1,
            input::multibyte,
        );
    }
    receive(
        &mut rng,
        "receive binary 16 KiB in 16 fragments".into(),
        false,
        16 << 10,
        16,
        input::binary,
    );
    receive(
        &mut rng,
        "receive binary 1 MiB in 64 fragments".into(),
        false,
        1 << 20,
        64,
        input::binary,
    );
    receive(
        &mut rng,
        "receive text multibyte 1 MiB in 64 fragments".into(),
        true,
        1 << 20,
        64,
        input::multibyte,
    );
    for (task, role) in [
        (Task::EncodeServer, "server"),
        (Task::EncodeClient, "client"),
    ] {
        for n in sizes {
            let messages: Vec<Bytes> = (0..input::count_for(n, quick))
                .map(|_| Bytes::from(input::binary(&mut rng, n)))
                .collect();
            all.push(Workload {
                name: format!("encode {role} binary {}", label(n)),
                task,
                text: false,
                payload_bytes: messages.iter().map(|m| m.len()).sum(),
                messages,
                wire: Vec::new(),
                half_wire: 0,
            });
        }
    }
    for n in [256, 4 << 10, 64 << 10] {
        let count = input::count_for(n, quick) / 4 + 2;
        let messages: Vec<Bytes> = (0..count)
            .map(|_| Bytes::from(input::json(&mut rng, n)))
            .collect();
        let payload_bytes = messages.iter().map(|m| m.len()).sum();
        all.push(Workload {
            name: format!("deflate compress JSON {}", label(n)),
            task: Task::Compress,
            text: true,
            payload_bytes,
            messages: messages.clone(),
            wire: Vec::new(),
            half_wire: 0,
        });
        let (wire, half_wire) = with_wsproto::compressed_client_wire(&messages);
        all.push(Workload {
            name: format!("deflate inflate JSON {}", label(n)),
            task: Task::Inflate,
            text: true,
            payload_bytes,
            messages,
            wire,
            half_wire,
        });
    }
    all
}

/// Runs one adapter once; returns the messages delivered (or encoded) when `keep`.
fn run_once(
    w: &Workload,
    run: Run,
    wire: &[u8],
    n: usize,
    keep: bool,
) -> Result<Vec<Vec<u8>>, String> {
    match run {
        Run::Receive(f) => {
            let mut sink = Sink::new(keep);
            f(w, wire, n, &mut sink)?;
            if sink.count != n {
                return Err(format!("delivered {} messages, expected {n}", sink.count));
            }
            std::hint::black_box(sink.digest);
            Ok(sink.kept.unwrap_or_default())
        }
        Run::Encode(f) => {
            let out = f(w, w.task == Task::EncodeClient, keep);
            std::hint::black_box(&out);
            if !keep {
                return Ok(Vec::new());
            }
            with_wsproto::decode_encoded(
                &out,
                w.task == Task::EncodeClient,
                w.task == Task::Compress,
            )
        }
    }
}

/// The correctness check: the whole output equals the input, and invalid text is refused.
fn check(w: &Workload, name: &str, run: Run) -> Result<(), String> {
    let got = run_once(w, run, &w.wire, w.messages.len(), true)?;
    if got.len() != w.messages.len() || got.iter().zip(&w.messages).any(|(a, b)| a[..] != b[..]) {
        return Err(format!("{name}: output differs from the input"));
    }
    if let (Run::Receive(f), true) = (run, w.text && w.task == Task::Receive) {
        let mut bad = w.messages[0].to_vec();
        let at = bad.len() / 2;
        bad[at] = 0xff;
        let (wire, _) = input::client_wire(&mut Rng::new(7), &[Bytes::from(bad)], true, 1);
        if f(w, &wire, 1, &mut Sink::new(false)).is_ok() {
            return Err(format!("{name}: accepted invalid UTF-8"));
        }
    }
    Ok(())
}

/// Allocations per message in steady state: a full run minus a run over the first half.
fn allocations_per_message(w: &Workload, run: Run) -> f64 {
    let n = w.messages.len();
    let count = |wire: &[u8], k: usize| {
        let before = alloc::allocations();
        run_once(w, run, wire, k, false).expect("checked");
        alloc::allocations() - before
    };
    match run {
        Run::Receive(_) => {
            let full = count(&w.wire, n);
            let half = count(&w.wire[..w.half_wire], n / 2);
            full.saturating_sub(half) as f64 / (n - n / 2) as f64
        }
        Run::Encode(_) => count(&[], n) as f64 / n as f64,
    }
}

fn time_once(w: &Workload, run: Run) -> Duration {
    let start = Instant::now();
    run_once(w, run, &w.wire, w.messages.len(), false).expect("checked");
    start.elapsed()
}

struct Row {
    workload: String,
    name: &'static str,
    mb_s: f64,
    msg_s: f64,
    allocs: f64,
    ratio: Option<f64>,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 1 } else { 7 };
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for w in workloads(quick) {
        if filter
            .as_ref()
            .is_some_and(|f| !w.name.contains(f.as_str()))
        {
            continue;
        }
        let entries = entries(w.task);
        let mut ok = Vec::new();
        for &(name, run) in &entries {
            match check(&w, name, run) {
                Ok(()) => ok.push((name, run)),
                Err(e) => failures.push(format!("{}: {e}", w.name)),
            }
        }
        let allocs: Vec<f64> = ok
            .iter()
            .map(|&(_, run)| allocations_per_message(&w, run))
            .collect();
        // Interleaved repetitions, so that a noisy moment hits every crate alike.
        let mut times = vec![Vec::new(); ok.len()];
        for _ in 0..reps {
            for (i, &(_, run)) in ok.iter().enumerate() {
                times[i].push(time_once(&w, run));
            }
        }
        let medians: Vec<f64> = times
            .iter_mut()
            .map(|t| {
                t.sort();
                t[t.len() / 2].as_secs_f64()
            })
            .collect();
        let ours = ok.iter().position(|&(n, _)| n == OURS).map(|i| medians[i]);
        for (i, &(name, _)) in ok.iter().enumerate() {
            rows.push(Row {
                workload: w.name.clone(),
                name,
                mb_s: w.payload_bytes as f64 / medians[i] / 1e6,
                msg_s: w.messages.len() as f64 / medians[i],
                allocs: allocs[i],
                ratio: ours.filter(|_| name != OURS).map(|o| medians[i] / o),
            });
        }
        eprintln!("done: {}", w.name);
    }
    println!("| workload | crate | MB/s | messages/s | allocs/msg | ours ÷ this |");
    println!("|---|---|---:|---:|---:|---:|");
    for r in &rows {
        let ratio = r.ratio.map_or("".into(), |x| format!("{x:.2}"));
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.2} | {} |",
            r.workload, r.name, r.mb_s, r.msg_s, r.allocs, ratio
        );
    }
    if filter.is_none() {
        println!();
        memory::report();
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("CHECK FAILED: {f}");
        }
        std::process::exit(1);
    }
    if quick {
        println!("\nquick run: every adapter's output matched its input");
    }
}
