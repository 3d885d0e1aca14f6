//! The exporter against targets that misbehave: each costs one failed probe within the probe
//! timeout, and the exporter keeps answering (a good target probed at the same time succeeds).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use leakhound_exporter::{Config, Exporter};

const TIMEOUT: Duration = Duration::from_millis(800);

fn exporter(max_in_flight: usize) -> SocketAddr {
    let exporter = Exporter::bind(Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        timeout: TIMEOUT,
        max_body: 1 << 20,
        max_in_flight,
        ..Config::default()
    })
    .unwrap();
    let addr = exporter.local_addr();
    // Serves until the test process ends.
    std::thread::spawn(move || exporter.run());
    addr
}

/// A target that answers every connection with `behave`.
fn target(behave: fn(TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || behave(stream));
        }
    });
    addr
}

fn read_request(stream: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
}

fn answer(mut stream: TcpStream, head: &str, body: &[u8]) {
    read_request(&mut stream);
    let _ = write!(
        stream,
        "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
}

const PROFILE: &[u8] = b"goroutine profile: total 3\n\
3 @ 0x1 0x2\n\
#\t0x1\truntime.gopark+0x1\t/go/src/runtime/proc.go:1\n\
#\t0x2\tmain.leak.func1+0x1\t/app/main.go:42\n\n";

fn get(exporter: SocketAddr, path: &str) -> (u16, String) {
    let r = ureq::get(&format!("http://{exporter}{path}"))
        .timeout(Duration::from_secs(10))
        .call();
    match r {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("{path}: {e}"),
    }
}

fn probe(exporter: SocketAddr, target: SocketAddr) -> (Duration, String) {
    let start = Instant::now();
    let (code, body) = get(exporter, &format!("/probe?target={target}"));
    assert_eq!(code, 200, "{body}");
    (start.elapsed(), body)
}

#[test]
fn misbehaving_targets_cost_one_failed_probe() {
    let exporter = exporter(64);
    let good = target(|s| answer(s, "200 OK", PROFILE));
    let unavailable = target(|s| answer(s, "503 Service Unavailable", b"busy"));
    let silent = target(|mut s| {
        read_request(&mut s);
        std::thread::sleep(Duration::from_secs(30));
    });
    let endless = target(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\ngoroutine profile: total 1\n");
        let chunk = vec![b'#'; 64 << 10];
        while s.write_all(&chunk).is_ok() {}
    });
    let trickle = target(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n");
        for _ in 0..300 {
            if s.write_all(b"g").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let garbage = target(|s| answer(s, "200 OK", b"\x00\x01 not a profile <html>"));
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };

    let bad = [
        ("503", unavailable, "http_status"),
        ("silent", silent, "timeout"),
        ("endless body", endless, "too_large"),
        ("trickle", trickle, "timeout"),
        ("garbage", garbage, "not_a_profile"),
        ("dead port", dead, "transport"),
    ];
    std::thread::scope(|s| {
        let handles: Vec<_> = bad
            .iter()
            .map(|(name, addr, _)| (name, s.spawn(move || probe(exporter, *addr))))
            .collect();
        // The good target answers while the bad ones hang.
        let (took, body) = probe(exporter, good);
        assert!(body.contains("leakhound_probe_success 1"), "{body}");
        assert!(
            body.contains(
                r#"leakhound_goroutines{function="main.leak.func1",site="/app/main.go:42",wait="unknown"} 3"#
            ),
            "{body}"
        );
        assert!(took < TIMEOUT, "good probe took {took:?}");
        for (name, h) in handles {
            let (took, body) = h.join().unwrap();
            assert!(body.contains("leakhound_probe_success 0"), "{name}: {body}");
            assert!(!body.contains("leakhound_goroutines{"), "{name}: {body}");
            assert!(
                took < TIMEOUT + Duration::from_millis(700),
                "{name}: took {took:?}"
            );
        }
    });
    let (_, metrics) = get(exporter, "/metrics");
    for (name, _, reason) in &bad {
        assert!(
            metrics.contains(&format!(
                "leakhound_exporter_probe_failures_total{{reason=\"{reason}\"}}"
            )),
            "{name}: {metrics}"
        );
    }
    assert!(
        metrics.contains(r#"leakhound_exporter_probes_total{result="failure"} 6"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("process_resident_memory_bytes"),
        "{metrics}"
    );
}

#[test]
fn bad_requests_are_refused_with_a_message() {
    let exporter = exporter(64);
    assert_eq!(get(exporter, "/probe").0, 400);
    let (code, body) = get(exporter, "/probe?target=file%3A%2F%2F%2Fetc%2Fpasswd");
    assert_eq!(code, 400);
    assert!(body.contains("expected host:port"), "{body}");
    assert_eq!(get(exporter, "/nope").0, 404);
}

#[test]
fn requests_beyond_max_in_flight_get_503_at_once() {
    let exporter = exporter(2);
    let silent = target(|mut s| {
        read_request(&mut s);
        std::thread::sleep(Duration::from_secs(30));
    });
    std::thread::scope(|s| {
        let slow: Vec<_> = (0..2)
            .map(|_| s.spawn(move || probe(exporter, silent)))
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let start = Instant::now();
        let (code, _) = get(exporter, "/metrics");
        assert_eq!(code, 503);
        assert!(start.elapsed() < Duration::from_millis(300));
        for h in slow {
            assert!(h.join().unwrap().1.contains("leakhound_probe_success 0"));
        }
    });
    let (code, metrics) = get(exporter, "/metrics");
    assert_eq!(code, 200);
    assert!(
        metrics.contains("leakhound_exporter_rejected_total 1"),
        "{metrics}"
    );
}

#[test]
fn openmetrics_on_request() {
    let exporter = exporter(64);
    let good = target(|s| answer(s, "200 OK", PROFILE));
    let url = format!("http://{exporter}/probe?target={good}");
    // The Accept header Prometheus sends.
    let r = ureq::get(&url)
        .set(
            "Accept",
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        )
        .call()
        .unwrap();
    assert_eq!(r.content_type(), "application/openmetrics-text");
    let body = r.into_string().unwrap();
    assert!(body.ends_with("leakhound_sites 1\n# EOF\n"), "{body}");
    let r = ureq::get(&url).call().unwrap();
    assert_eq!(r.content_type(), "text/plain");
    assert!(!r.into_string().unwrap().contains("# EOF"));
}
