//! The goroutineleak profile from a real runtime: Go 1.26 behind
//! `GOEXPERIMENT=goroutineleakprofile` (the default from Go 1.27). CI runs with
//! `GOTOOLCHAIN=local`, so this uses the installed Go and skips, saying so, below 1.26.
//! A site in the profile is a proven leak and ranks first; the timer loop, which keeps being
//! woken, is not in it (the runtime's definition: it can still run).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::App;
use serde_json::Value;

fn go_minor() -> Option<u32> {
    let out = Command::new("go")
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout);
    v.trim()
        .strip_prefix("go1.")?
        .split(['.', '-', 'r'])
        .next()?
        .parse()
        .ok()
}

fn start(dir: &Path, name: &str) -> App {
    common::start(&dir.join(name), "10s", "20s")
}

fn profile(url: &str, full: bool) -> (i32, Value) {
    let mut args = vec!["profile", url, "--output-format", "json"];
    if full {
        args.push("--full");
    }
    common::leakhound(&args)
}

#[test]
fn goroutineleak_profile_proves_the_abandoned_sender() {
    let Some(minor) = go_minor().filter(|&m| m >= 26) else {
        eprintln!("skipped: the installed Go is older than 1.26, it has no goroutineleak profile");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let goapps = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goapps");
    let mut build = Command::new("go");
    build
        .args(["build", "-o"])
        .arg(dir.path())
        .args(["./abandoned", "./tickerloop"])
        .current_dir(&goapps)
        .env("GOTOOLCHAIN", "local");
    if minor == 26 {
        build.env("GOEXPERIMENT", "goroutineleakprofile");
    }
    assert!(build.status().unwrap().success());

    let app = start(dir.path(), "abandoned");
    std::thread::sleep(Duration::from_millis(1500));
    let leak_url = format!("{}/debug/pprof/goroutineleak", app.addr);
    for (query, full, format) in [
        ("", false, "debug1"),
        ("?debug=0", false, "debug0"),
        ("", true, "debug2"),
    ] {
        let (code, v) = profile(&format!("{leak_url}{query}"), full);
        assert_eq!(v["sources"][0]["format"], format);
        let top = &v["groups"][0];
        assert_eq!(top["proven"], true, "{format}: {top:#}");
        assert_eq!(top["score"], 1.0);
        assert_eq!(top["site"]["function"], "main.handle.func1", "{format}");
        assert_eq!(
            code, 1,
            "a proven leak fails --fail-on growing even in one snapshot"
        );
        if format == "debug2" {
            // debug=2 of the leak profile is a full dump; only `(leaked)` goroutines are proven.
            assert_eq!(top["state"], "chan send");
            assert_eq!(
                v["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|g| g["proven"] == true)
                    .count(),
                1
            );
        } else {
            assert_eq!(v["sources"][0]["leak_profile"], true);
        }
    }

    let ticker = start(dir.path(), "tickerloop");
    std::thread::sleep(Duration::from_millis(1500));
    let (_, v) = profile(&format!("{}/debug/pprof/goroutineleak", ticker.addr), false);
    assert!(
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["site"]["function"] != "main.(*session).keepAlive"),
        "a loop woken by its timer is not a proven leak: {v:#}"
    );
}
