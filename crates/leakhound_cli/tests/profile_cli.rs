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

/// An HTTP server on 127.0.0.1 answering the n-th request (0-based) with `answer(n)`, for as
/// long as the test runs.
fn serve(answer: impl Fn(usize) -> Vec<u8> + Send + 'static) -> String {
    serve_n(usize::MAX, answer)
}

/// The same, gone (port closed, as a killed process) after `limit` requests.
fn serve_n(limit: usize, answer: impl Fn(usize) -> Vec<u8> + Send + 'static) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for (n, stream) in l.incoming().take(limit).enumerate() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(&answer(n));
        }
    });
    addr
}

fn ok_body() -> Vec<u8> {
    let body = std::fs::read(corpus().join("healthy/t010s.debug1.txt")).unwrap();
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend(body);
    r
}

fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[test]
fn failed_samples_are_gaps_in_a_report() {
    // Two good samples, then a service that answers 503 to everything.
    let addr = serve(|n| {
        if n < 2 {
            ok_body()
        } else {
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec()
        }
    });
    let o = leakhound(&[
        "profile",
        &addr,
        "--every",
        "400ms",
        "--samples",
        "4",
        "--output-format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "gaps and no findings: {}",
        text(&o)
    );
    let json = json_of(&o);
    assert_eq!(json["sources"].as_array().unwrap().len(), 2, "{json:#}");
    let gaps = json["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 2);
    assert_eq!(gaps[0]["sample"], 3);
    let error = gaps[0]["error"].as_str().unwrap();
    assert!(
        error.contains("HTTP 503") && error.contains("tries"),
        "{error}"
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("sample 3/4") && stderr.contains("gap"),
        "{stderr}"
    );
    assert!(stderr.contains("2 fetch(es) failed"), "{stderr}");

    // A port nobody answers on: no sample at all is an error, said once.
    let down = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let e = error_of(&["profile", &down, "--every", "300ms", "--samples", "2"]);
    assert!(e.contains("no sample could be read"), "{e}");
    assert!(e.contains("Connection Failed: Connection refused"), "{e}");
    for line in e.lines() {
        assert!(
            line.matches("Connection Failed").count() <= 1,
            "said twice: {line}"
        );
    }
}

#[test]
fn silent_port_and_endless_body_fail_within_bounds() {
    // Accepts, reads the request, never answers.
    let silent = serve(|_| {
        std::thread::sleep(Duration::from_secs(30));
        Vec::new()
    });
    let started = std::time::Instant::now();
    let e = error_of(&["profile", &silent, "--timeout", "500ms"]);
    assert!(started.elapsed() < Duration::from_secs(5), "{e}");
    assert!(e.contains(&silent), "{e}");

    // A chunked body that never ends: cut at --max-body with a message, not read forever.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let endless = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
            while s.write_all(chunk.as_bytes()).is_ok() {}
        }
    });
    let e = error_of(&["profile", &endless, "--max-body", "4MiB"]);
    assert!(e.contains("more than 4 MiB"), "{e}");
}

#[cfg(unix)]
#[test]
fn interrupt_prints_and_writes_the_report_so_far() {
    for signal in ["INT", "TERM"] {
        interrupted_by(signal);
    }
}

#[cfg(unix)]
fn interrupted_by(signal: &str) {
    let addr = serve(|_| ok_body());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let child = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args([
            "watch",
            &addr,
            "--every",
            "200ms",
            "--samples",
            "0",
            "--window",
            "3",
        ])
        .args(["--output-format", "json", "-o"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // The shell's own `kill`: no procps needed on the CI machine.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -{signal} {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("interrupted"), "{signal}: {stderr}");
    assert_eq!(o.status.code(), Some(0), "{signal}: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        json["sources"].as_array().unwrap().len(),
        3,
        "the rolling window keeps the last 3 samples"
    );
    assert!(stderr.matches("sample ").count() >= 4, "{stderr}");
}

#[test]
fn usage_mistakes_are_refused() {
    let e = error_of(&["profile", "healthy/t000s.debug1.txt", "--samples", "3"]);
    assert!(e.contains("--every"), "{e}");
    let e = error_of(&["profile", "healthy/t000s.debug1.txt", "127.0.0.1:9"]);
    assert!(e.contains("cannot be mixed"), "{e}");
}

#[test]
fn replicas_are_summed_per_site_with_their_own_counts() {
    let a = serve(|_| ok_body());
    // The second replica is killed after two samples.
    let b = serve_n(2, |_| ok_body());
    let o = leakhound(&[
        "watch",
        &a,
        &b,
        "--every",
        "400ms",
        "--samples",
        "4",
        "--output-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "gaps, no findings: {}", text(&o));
    let json = json_of(&o);
    let sources = json["sources"].as_array().unwrap();
    assert_eq!(
        sources.len(),
        2,
        "only the samples both replicas answered: {json:#}"
    );
    assert!(sources[0]["name"].as_str().unwrap().contains("2 replicas"));
    let single = json_of(&leakhound(&[
        "profile",
        "healthy/t010s.debug1.txt",
        "--output-format",
        "json",
    ]));
    let total = single["sources"][0]["goroutines"].as_u64().unwrap();
    assert_eq!(sources[0]["goroutines"].as_u64().unwrap(), 2 * total);
    let worker = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["site"]["function"] == "main.worker")
        .unwrap();
    let replicas = worker["replicas"].as_array().unwrap();
    assert_eq!(replicas.len(), 2);
    assert_eq!(replicas[0]["count"], replicas[1]["count"]);
    assert_eq!(
        worker["counts"][0].as_u64().unwrap(),
        2 * replicas[0]["count"].as_u64().unwrap()
    );
    let gaps = json["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    assert!(gaps
        .iter()
        .all(|g| g["source"].as_str().unwrap().contains(&b)));
    assert!(gaps[0]["error"]
        .as_str()
        .unwrap()
        .contains("Connection refused"));
}

#[test]
fn a_large_stable_group_without_ids_asks_for_one_full_snapshot() {
    // The leak of t010s, read twice: debug=1 cannot tell it from a pool.
    let o = leakhound(&[
        "profile",
        "neverclosed/t010s.debug1.txt",
        "neverclosed/t010s.debug1.txt",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("no leak suspects"), "{out}");
    assert!(
        out.contains("note: 1 large group(s) stayed the same size")
            && out.contains("main.sumItems leakcorpus/neverclosed/main.go:50")
            && out.contains("one --full snapshot"),
        "{out}"
    );
    // debug=2 prints ids: the same group is a leak that stopped growing.
    let o = leakhound(&[
        "profile",
        "neverclosed/t010s.debug2.txt",
        "neverclosed/t010s.debug2.txt",
        "--output-format",
        "json",
    ]);
    let json = json_of(&o);
    let top = &json["groups"][0];
    assert_eq!(top["site"]["line"], 50);
    assert_eq!(top["suspect"], true, "{top:#}");
    assert!(top["why"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "created_over_time"));
}
