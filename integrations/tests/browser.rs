//! A real browser against the chat example's server: headless Chromium (Debian's package,
//! installed when missing) loads a page that echoes text (ASCII, accented, emoji, empty),
//! binary 0..255, 1 MiB of binary and 4 MiB of text through `/echo` with permessage-deflate
//! negotiated, checks every byte, closes with 1000, and posts what it saw back. The test
//! waits for that report in real time (no virtual time: Chromium's timers must not run
//! ahead of the network).
//!
//! Without Chromium and no way to install it, the test says so on stderr and passes,
//! except under CI (`CI` set), where it fails.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

#[allow(dead_code)]
#[path = "../examples/chat.rs"]
mod chat;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The page Chromium runs: every echo checked byte for byte, then the close.
const SELFTEST: &str = r#"<!doctype html>
<meta charset="utf-8"><title>wsproto self-test</title>
<script>
const report = (result) => fetch("/report", { method: "POST", body: JSON.stringify(result) });
const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) % 251);
const cases = [
  ["ascii", "hello, wsproto"],
  ["multibyte", "ünïcödé — ∑ ≠ ∞"],
  ["emoji", "🦀🎉👋🏽"],
  ["empty text", ""],
  ["binary 0..255", new Uint8Array(256).map((_, i) => i)],
  ["binary 1 MiB", big],
  ["text 4 MiB", "wsproto ✓ ".repeat((4 << 20) / 10)],
];
const same = (a, b) => {
  if (typeof a === "string") return a === b;
  const c = new Uint8Array(b);
  return c.length === a.length && c.every((x, i) => x === a[i]);
};
const ws = new WebSocket(`ws://${location.host}/echo`);
ws.binaryType = "arraybuffer";
const results = [];
let next = 0;
const send = () => ws.send(cases[next][1]);
ws.onopen = send;
ws.onmessage = (event) => {
  results.push([cases[next][0], same(cases[next][1], event.data)]);
  next += 1;
  if (next < cases.length) send(); else ws.close(1000, "done");
};
ws.onclose = (event) => report({ results, code: event.code, wasClean: event.wasClean, extensions: ws.extensions });
ws.onerror = () => report({ error: "the WebSocket failed", results });
</script>
"#;

/// Chromium, installed from Debian's packages if missing; `None` if that is impossible.
fn chromium() -> Option<&'static Path> {
    let path = Path::new(CHROMIUM);
    if !path.exists() {
        let installed = Command::new("apt-get")
            .args(["install", "-y", "-q", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status();
        if !matches!(installed, Ok(status) if status.success()) {
            let _ = Command::new("apt-get").args(["update", "-q"]).status();
            let _ = Command::new("apt-get")
                .args(["install", "-y", "-q", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status();
        }
    }
    path.exists().then_some(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_echoes_through_the_server_byte_for_byte() {
    let Some(chromium) = chromium() else {
        let why = "Chromium is not installed and `apt-get install chromium` failed";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("\n*** SKIPPED: {why}; the browser test did not run ***\n");
        return;
    };
    let (reports, mut reported) = mpsc::channel::<String>(1);
    let app = Router::new()
        .route("/selftest", get(|| async { Html(SELFTEST) }))
        .route(
            "/report",
            post(
                |State(reports): State<mpsc::Sender<String>>, body: String| async move {
                    let _ = reports.send(body).await;
                },
            ),
        )
        .with_state(reports)
        .merge(chat::app());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let profile = std::env::temp_dir().join(format!("wsproto-chromium-{}", std::process::id()));
    let mut browser = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("http://{addr}/selftest"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let report = tokio::time::timeout(Duration::from_secs(90), reported.recv()).await;
    let _ = browser.kill().await;
    let _ = std::fs::remove_dir_all(&profile);
    let report = report.expect("no report from the page in 90 s").unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!(report.get("error").is_none(), "{report}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 7, "{report}");
    for result in results {
        assert_eq!(result[1], true, "{} came back different", result[0]);
    }
    assert_eq!(report["code"], 1000, "{report}");
    assert_eq!(report["wasClean"], true, "{report}");
    let extensions = report["extensions"].as_str().unwrap();
    assert!(extensions.starts_with("permessage-deflate"), "{report}");
}
