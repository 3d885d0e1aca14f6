//! The shipped Prometheus files (`deploy/prometheus/`) with `promtool`: the scrape config and
//! the rules are valid, and the rules' unit tests pass (a growing leak fires, a fixed pool and a
//! fluctuating group do not, a leak that stopped growing is caught by its share).

mod tools;

use std::path::PathBuf;
use std::process::Command;

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/prometheus")
}

fn promtool(args: &[&str]) {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(deploy())
        .output()
        .expect("promtool is needed (Debian package prometheus; .ci/run installs it)");
    assert!(
        out.status.success(),
        "promtool {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn config_and_rules_are_valid() {
    if !tools::have("promtool", "--version") {
        return;
    }
    promtool(&["check", "config", "prometheus.yml"]);
    promtool(&["check", "rules", "leakhound.rules.yml"]);
}

#[test]
fn rule_unit_tests_pass() {
    if !tools::have("promtool", "--version") {
        return;
    }
    promtool(&["test", "rules", "tests/leakhound.rules.test.yml"]);
}
