//! Tests that drive an outside tool (go, git, pre-commit, actionlint, nvim, chromium,
//! prometheus) skip when it is missing, unless `LEAKHOUND_REQUIRE_TOOLS` is set, as `.ci/run`
//! does: there a missing tool fails the test instead.

use std::process::Command;

/// Whether `tool version_arg` runs; when it does not, the caller skips, or this panics under
/// `LEAKHOUND_REQUIRE_TOOLS`.
pub fn have(tool: &str, version_arg: &str) -> bool {
    let ok = Command::new(tool)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var_os("LEAKHOUND_REQUIRE_TOOLS").is_none(),
        "{tool} is required (LEAKHOUND_REQUIRE_TOOLS) but does not run"
    );
    if !ok {
        eprintln!("skipped: {tool} is not installed");
    }
    ok
}
