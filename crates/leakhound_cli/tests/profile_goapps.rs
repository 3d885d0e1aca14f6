//! End to end on real leaking Go services (`tests/goapps/`, one per pattern, plus a healthy
//! control): each runs on 127.0.0.1 with net/http/pprof under a bounded load; leakhound samples
//! it three times in each format and must name the leak site, see it grow, leave the control
//! alone, and with `--src` link the site to the checkout and to the static rule that explains it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::{leakhound, App};
use serde_json::Value;

fn goapps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goapps")
}

/// Builds every program once per test binary.
fn bin_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("go")
            .args(["build", "-o"])
            .arg(dir.path())
            .arg("./...")
            .current_dir(goapps())
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "")
            .status()
            .expect("go is needed for these tests");
        assert!(status.success(), "go build failed");
        dir
    })
    .path()
}

fn start(name: &str) -> App {
    common::start(&bin_dir().join(name), "15s", "30s")
}

/// The line marked `// leak site` in a program's source.
fn leak_line(name: &str) -> u64 {
    let text = std::fs::read_to_string(goapps().join(name).join("main.go")).unwrap();
    text.lines()
        .position(|l| l.contains("// leak site"))
        .expect("marker") as u64
        + 1
}

/// Samples `app` in the three formats at once: debug=1 (default), debug=2 (`--full`), debug=0.
fn sample_all(app: &App, src: &Path) -> Vec<(&'static str, i32, Value)> {
    let src = src.to_str().unwrap().to_string();
    let debug0 = format!("{}/debug/pprof/goroutine?debug=0", app.addr);
    let runs: Vec<(&'static str, Vec<String>)> = vec![
        ("debug1", vec![app.addr.clone()]),
        ("debug2", vec![app.addr.clone(), "--full".into()]),
        ("debug0", vec![debug0]),
    ];
    std::thread::sleep(Duration::from_millis(600));
    std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(format, extra)| {
                let src = src.clone();
                s.spawn(move || {
                    let mut args: Vec<&str> = vec!["profile"];
                    args.extend(extra.iter().map(String::as_str));
                    args.extend([
                        "--every",
                        "1s",
                        "--samples",
                        "3",
                        "--output-format",
                        "json",
                        "--src",
                        &src,
                    ]);
                    let (code, json) = leakhound(&args);
                    (*format, code, json)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn rule_exists(code: &str) -> bool {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["rule", code])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn leaking(name: &str, state: &str, rule: &str) {
    let app = start(name);
    let line = leak_line(name);
    for (format, code, json) in sample_all(&app, &goapps().join(name)) {
        let top = &json["groups"][0];
        let site = &top["site"];
        assert_eq!(top["suspect"], true, "{name} {format}: {top:#}");
        assert!(
            site["file"]
                .as_str()
                .unwrap()
                .ends_with(&format!("goapps/{name}/main.go")),
            "{name} {format}: {site}"
        );
        assert_eq!(site["line"], line, "{name} {format}");
        let counts: Vec<u64> = top["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[1] > w[0]),
            "{name} {format}: {counts:?}"
        );
        assert_eq!(top["monotonic"], true);
        assert!(top["per_minute"].as_f64().unwrap() > 0.0);
        assert_eq!(code, 1, "{name} {format}: --fail-on growing");
        if format == "debug2" {
            assert_eq!(top["state"], state, "{name}");
        }
        let source_file = top["source_file"].as_str().expect("--src matched the file");
        assert!(source_file.ends_with(&format!("{name}/main.go")));
        if rule_exists(rule) {
            let codes: Vec<&str> = top["findings"].as_array().map_or(vec![], |f| {
                f.iter().map(|x| x["code"].as_str().unwrap()).collect()
            });
            assert!(
                codes.contains(&rule),
                "{name} {format}: {rule} not linked, findings {codes:?}"
            );
        } else {
            eprintln!("{name}: rule {rule} is not in this build; only the file match is checked");
        }
    }
}

#[test]
fn timeout_abandoned_sender() {
    leaking("abandoned", "chan send", "LH301");
}

#[test]
fn never_closed_range() {
    leaking("neverclosed", "chan receive", "LH302");
}

#[test]
fn timer_loop_without_exit() {
    leaking("tickerloop", "select", "LH101");
}

#[test]
fn pipeline_send_after_consumer_left() {
    leaking("pipeline", "chan send", "LH303");
}

#[test]
fn healthy_pool_has_no_suspect() {
    let app = start("healthy");
    for (format, code, json) in sample_all(&app, &goapps().join("healthy")) {
        let suspects: Vec<&Value> = json["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["suspect"] == true)
            .collect();
        assert!(suspects.is_empty(), "{format}: {suspects:#?}");
        assert_eq!(code, 0, "{format}");
        let pool = json["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["site"]["function"] == "main.worker")
            .expect("worker pool group");
        assert!(
            pool["counts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| (7..=8).contains(&c.as_u64().unwrap())),
            "{format}: {pool}"
        );
    }
}

/// Lines of the drill marked `// leak NAME` or `// benign NAME`, by name.
fn drill_markers(kind: &str) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(goapps().join("drill/main.go")).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let name = l.split(&format!("// {kind} ")).nth(1)?;
            Some((name.trim().to_string(), i as u64 + 1))
        })
        .collect()
}

fn drill_group(json: &Value, line: u64) -> Option<&Value> {
    json["groups"].as_array().unwrap().iter().find(|g| {
        g["site"]["line"] == line
            && g["site"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("goapps/drill/main.go"))
    })
}

fn finding_codes(g: &Value) -> Vec<String> {
    g["findings"].as_array().map_or(vec![], |f| {
        f.iter()
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect()
    })
}

/// The incident drill (`goapps/drill`): four leaks beside a 200-goroutine pool, a 32-worker
/// pipeline, HTTP connections and a ticker loop, under a bounded load from a second process.
/// A series of six debug=1 samples (with and without `--src`) must flag exactly the four leaks;
/// one debug=2 snapshot must rank all four above every benign group and, with `--src`, link
/// the discarded cancel (LH201) through the creator line that only debug=2 prints.
#[test]
fn drill_four_leaks_beside_benign_pools() {
    let app = common::start(&bin_dir().join("drill"), "20s", "30s");
    let src = goapps().join("drill");
    let src = src.to_str().unwrap();
    let leaks = drill_markers("leak");
    let benign = drill_markers("benign");
    assert_eq!((leaks.len(), benign.len()), (4, 3));
    std::thread::sleep(Duration::from_millis(600));
    let series = |with_src: bool| {
        let mut args = vec![
            "profile",
            &app.addr,
            "--every",
            "1s",
            "--samples",
            "6",
            "--output-format",
            "json",
        ];
        if with_src {
            args.extend(["--src", src]);
        }
        leakhound(&args)
    };
    let (plain, linked, snapshot) = std::thread::scope(|s| {
        let plain = s.spawn(|| series(false));
        let linked = s.spawn(|| series(true));
        let snapshot = s.spawn(|| {
            std::thread::sleep(Duration::from_secs(3));
            leakhound(&[
                "profile",
                &app.addr,
                "--full",
                "--output-format",
                "json",
                "--src",
                src,
            ])
        });
        (
            plain.join().unwrap(),
            linked.join().unwrap(),
            snapshot.join().unwrap(),
        )
    });

    for (what, (code, json)) in [("series", &plain), ("series --src", &linked)] {
        assert_eq!(*code, 1, "{what}: growing suspects fail the run");
        let suspects: Vec<u64> = json["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["suspect"] == true)
            .map(|g| g["site"]["line"].as_u64().unwrap())
            .collect();
        let mut want: Vec<u64> = leaks.iter().map(|(_, l)| *l).collect();
        let mut got = suspects.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{what}: exactly the four leaks are suspects");
        for (name, line) in &leaks {
            let g = drill_group(json, *line).unwrap();
            assert_eq!(g["growing"], true, "{what}: {name} grows: {}", g["counts"]);
        }
        for (name, line) in &benign {
            let g = drill_group(json, *line).unwrap_or_else(|| panic!("{what}: {name} group"));
            assert_eq!(g["suspect"], false, "{what}: {name}: {g:#}");
        }
    }
    // debug=1 has no creator lines: only rules at the parked line itself link.
    let (_, json) = &linked;
    for (name, rule) in [("batch", "LH302"), ("lock", "LH401")] {
        let line = leaks.iter().find(|(n, _)| n == name).unwrap().1;
        let codes = finding_codes(drill_group(json, line).unwrap());
        assert!(codes.iter().any(|c| c == rule), "{name}: {codes:?}");
    }

    let (_, json) = &snapshot;
    assert_eq!(json["sources"][0]["format"], "debug2");
    let leak_scores: Vec<f64> = leaks
        .iter()
        .map(|(name, line)| {
            let g = drill_group(json, *line).unwrap_or_else(|| panic!("snapshot: {name}"));
            assert_eq!(g["suspect"], true, "snapshot: {name}: {g:#}");
            g["score"].as_f64().unwrap()
        })
        .collect();
    for (name, line) in &benign {
        let g = drill_group(json, *line).unwrap();
        assert_eq!(g["suspect"], false, "snapshot: {name}: {g:#}");
        let score = g["score"].as_f64().unwrap();
        assert!(
            leak_scores.iter().all(|&s| s > score),
            "snapshot: {name} ({score}) ranks above a leak ({leak_scores:?})"
        );
    }
    let pool = drill_group(json, benign.iter().find(|(n, _)| n == "pool").unwrap().1).unwrap();
    assert_eq!(pool["counts"][0], 200);
    // Through the creator line: the discarded cancel beside `go watch(...)`, the time.After of
    // the loop that starts Process().
    for (name, rule) in [
        ("watch", "LH201"),
        ("process", "LH101"),
        ("batch", "LH302"),
        ("lock", "LH401"),
    ] {
        let line = leaks.iter().find(|(n, _)| n == name).unwrap().1;
        let codes = finding_codes(drill_group(json, line).unwrap());
        assert!(
            codes.iter().any(|c| c == rule),
            "snapshot: {name}: {codes:?}"
        );
    }
}
