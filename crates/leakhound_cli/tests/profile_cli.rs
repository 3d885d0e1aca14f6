//! The `profile` and `diff` commands as users run them: snapshots of the terminal table and the
//! JSON object on the corpus, exit codes, and a clear message for every kind of bad source.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../leakhound_profile/tests/corpus/go1.19")
}

fn leakhound(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(args)
        .current_dir(corpus())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn series_table_snapshot() {
    let o = leakhound(&[
        "profile",
        "neverclosed/t000s.debug2.txt",
        "neverclosed/t010s.debug2.txt",
        "neverclosed/t020s.debug2.txt",
        "neverclosed/t030s.debug2.txt",
        "--interval",
        "10s",
    ]);
    insta::assert_snapshot!(text(&o));
}

#[test]
fn single_snapshot_json_snapshot() {
    let o = leakhound(&[
        "profile",
        "healthy/t030s.debug1.txt",
        "--output-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&o.stdout));
}

#[test]
fn diff_exit_codes() {
    let o = leakhound(&[
        "diff",
        "timeafter/t010s.debug0.pb.gz",
        "timeafter/t030s.debug0.pb.gz",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = leakhound(&[
        "diff",
        "healthy/t010s.debug1.txt",
        "healthy/t030s.debug1.txt",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = leakhound(&[
        "diff",
        "timeafter/t010s.debug0.pb.gz",
        "timeafter/t030s.debug0.pb.gz",
        "--fail-on",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0));
    // One snapshot: a suspect, but nothing is known to grow.
    let o = leakhound(&["profile", "timeafter/t030s.debug2.txt"]);
    assert_eq!(o.status.code(), Some(0));
    let o = leakhound(&[
        "profile",
        "timeafter/t030s.debug2.txt",
        "--fail-on",
        "suspect",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn stdin_source() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["profile", "-", "--output-format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let data = std::fs::read(corpus().join("tickerleak/t030s.debug0.pb.gz")).unwrap();
    child.stdin.take().unwrap().write_all(&data).unwrap();
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sources"][0]["format"], "debug0");
    assert_eq!(
        v["groups"][0]["site"]["function"],
        "main.(*session).keepAlive"
    );
}

#[test]
fn hostile_names_cannot_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("evil.txt");
    let mut dump = String::new();
    for id in 0..150 {
        dump.push_str(&format!("goroutine {id} [chan send]:\nmain.evil\x1b]0;pwned\x07\x1b[2J()\n\tapp/\x1b[31mred.go:7 +0x1\n\n"));
    }
    std::fs::write(&f, dump).unwrap();
    let o = leakhound(&["profile", f.to_str().unwrap()]);
    assert!(
        !o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("main.evil\\u{1b}]0;pwned"));
}

fn error_of(args: &[&str]) -> String {
    let o = leakhound(args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "shopping list\n").unwrap();
    let e = error_of(&["profile", notes.to_str().unwrap()]);
    assert!(
        e.contains("notes.txt") && e.contains("not a goroutine profile"),
        "{e}"
    );
    let e = error_of(&["profile", "missing.txt"]);
    assert!(e.contains("missing.txt: no such file"), "{e}");
    let gz = dir.path().join("bad.pb.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let e = error_of(&["profile", gz.to_str().unwrap()]);
    assert!(e.contains("bad.pb.gz") && e.contains("gzip"), "{e}");
}

/// A one-shot HTTP server answering `response` to the first request.
fn serve_once(response: &'static [u8], delay: Duration) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            std::thread::sleep(delay);
            let _ = s.write_all(response);
        }
    });
    addr
}

#[test]
fn bad_endpoints() {
    let down = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let e = error_of(&["profile", &down, "--timeout", "2s"]);
    assert!(e.contains(&down), "{e}");

    let a = serve_once(
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        Duration::ZERO,
    );
    let e = error_of(&["profile", &a]);
    assert!(
        e.contains("HTTP 404") && e.contains("net/http/pprof"),
        "{e}"
    );

    let a = serve_once(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
        Duration::ZERO,
    );
    assert!(error_of(&["profile", &a]).contains("HTTP 500"));

    let a = serve_once(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>hi</html>",
        Duration::ZERO,
    );
    assert!(error_of(&["profile", &a]).contains("answered HTML"));

    let a = serve_once(
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        Duration::from_secs(5),
    );
    let started = std::time::Instant::now();
    let e = error_of(&["profile", &a, "--timeout", "500ms"]);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "timeout not applied"
    );
    assert!(e.contains(&a), "{e}");
}
