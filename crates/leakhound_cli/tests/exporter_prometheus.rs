//! The whole alerting loop: a real leaking Go service (`tests/goapps/abandoned`), `leakhound
//! exporter` probing it, and Debian's Prometheus scraping the exporter with the shipped scrape
//! config and rules (their windows shortened to seconds) until `GoroutineLeakGrowing` fires
//! for the leak's line. Bounded: the test gives up after 90 s.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{leakhound, spawn_listening, App};
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get_json(url: &str) -> Option<Value> {
    let body = ureq::get(url)
        .timeout(Duration::from_secs(5))
        .call()
        .ok()?
        .into_string()
        .ok()?;
    serde_json::from_str(&body).ok()
}

/// The shipped rules with their windows cut to what a test can wait for; fails if the rules
/// no longer have the shape the replacements expect.
fn short_rules() -> String {
    let rules =
        std::fs::read_to_string(repo().join("deploy/prometheus/leakhound.rules.yml")).unwrap();
    for long in ["[30m]", "for: 15m"] {
        assert!(rules.contains(long), "rules no longer contain {long}");
    }
    rules
        .replace("[30m]", "[20s]")
        .replace("for: 15m", "for: 3s")
}

/// The shipped scrape config pointed at the test's target and exporter, scraping every second.
fn short_config(target: &str, exporter: &str) -> String {
    let config = std::fs::read_to_string(repo().join("deploy/prometheus/prometheus.yml")).unwrap();
    let replaced = config
        .replace("30s", "1s")
        .replace("scrape_timeout: 10s", "scrape_timeout: 1s")
        .replace(
            "          - orders-1.internal:6060\n          - orders-2.internal:6060\n",
            &format!("          - {target}\n"),
        )
        .replace("127.0.0.1:9464", exporter);
    assert!(
        replaced.contains(target) && replaced.contains(exporter) && !replaced.contains("30s"),
        "the shipped config changed shape:\n{replaced}"
    );
    replaced
}

#[test]
fn prometheus_fires_the_growth_alert_on_a_leaking_service() {
    let bin = tempfile::tempdir().unwrap();
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(bin.path().join("abandoned"))
        .arg("./abandoned")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goapps"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .status()
        .expect("go is needed for this test");
    assert!(status.success());
    let app = common::start(&bin.path().join("abandoned"), "60s", "100s");
    let target = app.addr.trim_start_matches("http://").to_string();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakhound"));
    cmd.args(["exporter", "--listen", "127.0.0.1:0", "--timeout", "2s"]);
    let exporter = spawn_listening(cmd);
    let exporter_addr = exporter.addr.trim_start_matches("http://").to_string();

    // The exporter's site for the leak is the site `leakhound profile` names for the line
    // marked `// leak site`, once the leak has grown.
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goapps/abandoned/main.go"),
    )
    .unwrap();
    let leak_line = source
        .lines()
        .position(|l| l.contains("// leak site"))
        .expect("marker")
        + 1;
    std::thread::sleep(Duration::from_secs(2));
    let (_, profile) = leakhound(&["profile", &target, "--output-format", "json"]);
    let site = profile["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["site"])
        .find(|s| {
            s["line"] == leak_line && s["file"].as_str().unwrap().ends_with("abandoned/main.go")
        })
        .unwrap_or_else(|| panic!("no group at the leak line {leak_line}: {profile}"));
    let site_label = format!("{}:{leak_line}", site["file"].as_str().unwrap());

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leakhound.rules.yml"), short_rules()).unwrap();
    std::fs::write(
        dir.path().join("prometheus.yml"),
        short_config(&target, &exporter_addr),
    )
    .unwrap();
    let port = free_port();
    let prometheus = App {
        child: Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus is needed (Debian package prometheus; .ci/run installs it)"),
        addr: format!("http://127.0.0.1:{port}"),
    };

    let query = format!(
        "{}/api/v1/query?query=ALERTS%7Balertname%3D%22GoroutineLeakGrowing%22%2Calertstate%3D%22firing%22%7D",
        prometheus.addr
    );
    let start = Instant::now();
    let fired = loop {
        if let Some(v) = get_json(&query) {
            let alerts = v["data"]["result"].as_array().cloned().unwrap_or_default();
            if let Some(a) = alerts
                .iter()
                .find(|a| a["metric"]["site"] == site_label.as_str())
            {
                break a.clone();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "no GoroutineLeakGrowing alert for {site_label} within 90 s"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(fired["metric"]["instance"], target.as_str());
    assert_eq!(fired["metric"]["severity"], "warning");
    eprintln!("alert fired after {:?}: {fired}", start.elapsed());

    // The exporter scraped for itself: successful probes, no failures of the live target.
    let metrics = ureq::get(&format!("{}/metrics", exporter.addr))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(
        metrics.contains(r#"leakhound_exporter_probes_total{result="success"}"#),
        "{metrics}"
    );
    drop(prometheus);
    drop(exporter);
    drop(app);
}
