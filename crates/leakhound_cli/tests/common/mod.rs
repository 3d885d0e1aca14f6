//! Helpers shared by the end-to-end tests that run the Go programs of `tests/goapps/`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running program, killed when dropped.
pub struct App {
    pub child: Child,
    pub addr: String,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a built program under a bounded load (`load` and `lifetime` are Go durations) on
/// 127.0.0.1 and reads the address it prints first.
pub fn start(binary: &Path, load: &str, lifetime: &str) -> App {
    let mut cmd = Command::new(binary);
    cmd.args(["-rate", "150", "-load", load, "-lifetime", lifetime]);
    spawn_listening(cmd)
}

/// Spawns `cmd` and reads the `listening on http://ADDR` line it prints first.
pub fn spawn_listening(mut cmd: Command) -> App {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_string();
    App { child, addr }
}

/// Runs leakhound with `args`: its exit status and its standard output read as JSON.
pub fn leakhound(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}
