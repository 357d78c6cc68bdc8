//! Test support: a self-provisioning Python virtualenv with pinned packages, and a
//! line-delimited JSON client for `tests/python/wsproto_oracle.py` (Python wsproto 1.3.2).
#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use serde_json::Value;

/// Pins known to be installed, as seen by this process; also serialises setup across threads.
static READY: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// The pinned package the oracle script needs.
pub const WSPROTO_PIN: &str = "wsproto==1.3.2";

/// Returns a venv Python (under `<target dir>/py-venv`) with all `packages` pins installed.
pub fn venv_python(packages: &[&str]) -> PathBuf {
    let mut ready = READY.lock().unwrap_or_else(|e| e.into_inner());
    let dir = target_dir().join("py-venv");
    let python = dir.join(if cfg!(windows) {
        r"Scripts\python.exe"
    } else {
        "bin/python"
    });
    if packages.iter().all(|p| ready.contains(*p)) && python.exists() {
        return python;
    }
    fs::create_dir_all(target_dir()).expect("create target dir for the Python venv");
    let lock = File::create(dir.with_extension("lock")).expect("create py-venv.lock");
    #[allow(clippy::incompatible_msrv)] // Test-only code; File::lock needs Rust 1.89.
    lock.lock().expect("lock py-venv.lock"); // Other test processes wait here.
    let marker = dir.join("installed-pins.txt");
    let mut have: BTreeSet<String> = BTreeSet::new();
    if python.exists() {
        let text = fs::read_to_string(&marker).unwrap_or_default();
        have.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    } else {
        let _ = fs::remove_dir_all(&dir); // A half-created venv from an interrupted run.
        let mut venv = Command::new("python3");
        venv.args(["-m", "venv"]).arg(&dir);
        let hint = "install Python 3 with venv (apt-get install python3 python3-venv)";
        run(venv, "python3 -m venv", hint);
    }
    if !packages.iter().all(|p| have.contains(*p)) {
        // Install the union so earlier pins stay in place; pip reports conflicting pins.
        have.extend(packages.iter().map(|p| p.to_string()));
        let mut pip = Command::new(&python);
        pip.args(["-m", "pip", "install", "-q", "--no-input"]);
        pip.args(&have);
        let hint = "check that PyPI is reachable and the pins exist and do not conflict";
        run(pip, &format!("pip install {have:?}"), hint);
        let tmp = marker.with_extension("tmp");
        let list: String = have.iter().map(|p| format!("{p}\n")).collect();
        fs::write(&tmp, list).expect("write venv marker");
        fs::rename(&tmp, &marker).expect("commit venv marker");
    }
    ready.extend(have);
    python
}

/// `$CARGO_TARGET_DIR` (relative paths taken from the manifest dir) or `<manifest>/target`.
fn target_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => manifest.join(dir),
        _ => manifest.join("target"),
    }
}

/// Runs `cmd` to completion, panicking with its output and `hint` if it fails.
fn run(mut cmd: Command, what: &str, hint: &str) {
    match cmd.stdin(Stdio::null()).output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "{what} failed ({}): {hint}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(err) => panic!("cannot run {what}: {err}: {hint}"),
    }
}

/// A running `wsproto_oracle.py` process speaking one JSON object per line.
pub struct Oracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    /// Starts the oracle in the venv (creating it on first use).
    pub fn new() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/python/wsproto_oracle.py"
        );
        let mut child = Command::new(venv_python(&[WSPROTO_PIN]))
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {script}: {err}"));
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("oracle stdout"));
        Oracle {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one case and returns its result.
    pub fn run(&mut self, case: &Value) -> Value {
        let stdin = self
            .stdin
            .as_mut()
            .expect("oracle stdin lost by a panicked run_all");
        if let Err(err) = writeln!(stdin, "{case}").and_then(|()| stdin.flush()) {
            panic!("writing to the oracle failed ({err}); see its stderr above");
        }
        read_result(&mut self.stdout, case)
    }

    /// Runs many cases, writing from a second thread so full pipes cannot deadlock.
    pub fn run_all(&mut self, cases: &[Value]) -> Vec<Value> {
        let mut stdin = self
            .stdin
            .take()
            .expect("oracle stdin lost by a panicked run_all");
        let lines: Vec<String> = cases.iter().map(|case| format!("{case}\n")).collect();
        // Not scoped: if reading panics, Drop kills the child and the writer fails out.
        let writer = std::thread::spawn(move || {
            let mut buf = std::io::BufWriter::new(&mut stdin);
            lines.iter().try_for_each(|l| buf.write_all(l.as_bytes()))?;
            buf.flush()?;
            drop(buf);
            Ok::<_, std::io::Error>(stdin)
        });
        let results = cases
            .iter()
            .map(|case| read_result(&mut self.stdout, case))
            .collect();
        let stdin = writer.join().expect("oracle writer thread");
        self.stdin = Some(stdin.expect("writing to the oracle"));
        results
    }
}

impl Drop for Oracle {
    /// Kills and reaps the Python process.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one result line and checks that its `id` echoes the case's.
fn read_result(stdout: &mut BufReader<ChildStdout>, case: &Value) -> Value {
    let mut line = String::new();
    match stdout.read_line(&mut line) {
        Ok(0) => panic!("oracle exited before answering {case}; see its stderr above"),
        Ok(_) => {}
        Err(err) => panic!("reading from the oracle failed: {err}"),
    }
    let result: Value = serde_json::from_str(&line)
        .unwrap_or_else(|err| panic!("oracle printed non-JSON {line:?}: {err}"));
    let id = |v: &Value| v.get("id").cloned().unwrap_or(Value::Null);
    assert_eq!(id(&result), id(case), "oracle answer out of step: {result}");
    result
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of the hex string `s` (whitespace ignored); panics on malformed input.
pub fn unhex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd-length hex {s:?}");
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok();
            let byte = pair.and_then(|p| u8::from_str_radix(p, 16).ok());
            byte.unwrap_or_else(|| panic!("bad hex {s:?}"))
        })
        .collect()
}
