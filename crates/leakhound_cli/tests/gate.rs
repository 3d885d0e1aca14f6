//! leakhound as a merge gate, end to end: `--fix` over every LH201 shape checked by the Go
//! toolchain, `--new-from-rev` and a baseline on a real git repository, the pre-commit hook run
//! by the real `pre-commit`, the GitHub Action checked by actionlint, shell completions.
//!
//! Tests that need a tool skip when it is missing, unless `LEAKHOUND_REQUIRE_TOOLS` is set (as
//! `.ci/run` sets it after installing them), where a missing tool fails the test.

mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn leakhound_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("leakhound runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// `path:line` of each finding in concise output.
fn finding_lines(concise: &str) -> Vec<String> {
    concise
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ':');
            Some(format!("{}:{}", parts.next()?, parts.next()?))
        })
        .collect()
}

#[test]
fn fix_over_every_lost_cancel_shape_compiles_vets_and_keeps_behaviour() {
    if !tools::have("go", "version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path();
    copy_dir(
        &repo_root().join("crates/leakhound_cli/tests/fixshapes"),
        module,
    );

    let diff = leakhound_in(module, &["check", "--diff"]);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    let patch = text(&diff.stdout);
    assert!(patch.contains("+\tdefer cancel(nil)\n"), "{patch}");
    assert!(patch.contains("+\t\tdefer cancel()\n"), "if-init: {patch}");
    assert!(
        patch.contains("+\tf := func() error { ctx, cancel := context.WithCancel(parent); defer cancel(); return ctx.Err() }\n"),
        "one-line literal: {patch}"
    );

    assert!(
        !patch.contains(" \tregister("),
        "the unsafe fix waits for --unsafe-fixes"
    );
    let unsafe_diff = leakhound_in(module, &["check", "--diff", "--unsafe-fixes"]);
    assert!(
        text(&unsafe_diff.stdout).contains("+\tdefer cancel()\n \tregister("),
        "{}",
        text(&unsafe_diff.stdout)
    );

    let json = leakhound_in(module, &["check", "--output-format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let applicability = |func_line: usize| -> String {
        findings
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["location"]["row"] == func_line)
            .map(|d| {
                d["fix"]["applicability"]
                    .as_str()
                    .unwrap_or("none")
                    .to_string()
            })
            .unwrap_or_else(|| panic!("no finding on line {func_line}"))
    };
    assert_eq!(applicability(15), "safe", "Plain");
    assert_eq!(applicability(72), "display-only", "Returned");
    assert_eq!(applicability(102), "unsafe", "Callback");
    assert_eq!(applicability(108), "display-only", "Loop");

    let fixed = leakhound_in(module, &["check", "--fix", "--output-format", "concise"]);
    assert_eq!(fixed.status.code(), Some(1), "{}", text(&fixed.stderr));
    assert!(
        text(&fixed.stderr).contains("13 fixed"),
        "{}",
        text(&fixed.stderr)
    );
    let remaining = finding_lines(&text(&fixed.stdout));
    assert_eq!(remaining.len(), 8, "{remaining:?}");

    let crlf = std::fs::read_to_string(module.join("crlf.go")).unwrap();
    assert!(crlf.contains("\tdefer cancel()\r\n"), "{crlf:?}");
    assert_eq!(crlf.matches('\n').count(), crlf.matches("\r\n").count());
    // gofmt prints LF only, so the CRLF file is compared in LF form.
    std::fs::write(module.join("crlf.go"), crlf.replace("\r\n", "\n")).unwrap();
    let gofmt = run(module, "gofmt", &["-l", "."]);
    assert!(
        gofmt.status.success() && gofmt.stdout.is_empty(),
        "not gofmt-clean: {}{}",
        text(&gofmt.stdout),
        text(&gofmt.stderr)
    );
    std::fs::write(module.join("crlf.go"), &crlf).unwrap();

    let build = run(module, "go", &["build", "./..."]);
    assert!(build.status.success(), "go build: {}", text(&build.stderr));
    // vet's lostcancel still reports the shapes left for a person, and nothing else.
    let vet = run(module, "go", &["vet", "./..."]);
    let vet_out = text(&vet.stderr);
    let vet_lines: Vec<String> = vet_out
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| finding_lines(l.trim_start_matches("./")).concat())
        .collect();
    assert_eq!(vet_lines, remaining, "go vet: {vet_out}");
    assert!(
        vet_out
            .lines()
            .filter(|l| !l.starts_with('#'))
            .all(|l| l.contains("the cancel function")),
        "go vet: {vet_out}"
    );
    let test = run(module, "go", &["test", "-count=1", "./..."]);
    assert!(
        test.status.success(),
        "go test after --fix: {}{}",
        text(&test.stdout),
        text(&test.stderr)
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

const OLD: &str = "package svc\n\nimport \"context\"\n\nfunc Old(parent context.Context) context.Context {\n\tctx, _ := context.WithCancel(parent)\n\treturn ctx\n}\n";
const NEW: &str = "\nfunc New(parent context.Context) context.Context {\n\tctx, _ := context.WithCancel(parent)\n\treturn ctx\n}\n";

/// A repository with one old finding committed on `main`.
fn legacy_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("go.mod"), "module example.com/svc\n\ngo 1.22\n").unwrap();
    std::fs::write(root.join("svc.go"), OLD).unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "legacy"]);
    dir
}

#[test]
fn new_from_rev_and_merge_base_report_only_changed_lines() {
    if !tools::have("git", "--version") {
        return;
    }
    let dir = legacy_repo();
    let root = dir.path();
    let old = leakhound_in(root, &["check", "--new-from-rev", "HEAD"]);
    assert_eq!(old.status.code(), Some(0), "{}", text(&old.stderr));
    assert!(
        text(&old.stderr).contains("1 old hidden"),
        "{}",
        text(&old.stderr)
    );

    // A branch adds a finding above the old one and one in a new, untracked file.
    git(root, &["checkout", "-q", "-b", "feature"]);
    let moved = OLD.replace("func Old", "// Old moved down a line.\nfunc Old");
    std::fs::write(root.join("svc.go"), format!("{moved}{NEW}")).unwrap();
    std::fs::write(
        root.join("extra.go"),
        format!("package svc\n\nimport \"context\"\n{NEW}").replace("New", "Extra"),
    )
    .unwrap();
    let uncommitted = leakhound_in(
        root,
        &[
            "check",
            "--new-from-rev",
            "main",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(uncommitted.status.code(), Some(1));
    assert_eq!(
        finding_lines(&text(&uncommitted.stdout)),
        ["extra.go:6", "svc.go:12"],
        "{}",
        text(&uncommitted.stdout)
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "feature"]);
    let merge_base = leakhound_in(
        root,
        &[
            "check",
            "--new-from-merge-base",
            "main",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(
        finding_lines(&text(&merge_base.stdout)),
        ["extra.go:6", "svc.go:12"]
    );

    let patch = Command::new("git")
        .args(["diff", "main", "HEAD"])
        .current_dir(root)
        .output()
        .unwrap();
    std::fs::write(root.join("change.patch"), &patch.stdout).unwrap();
    let from_patch = leakhound_in(
        root,
        &[
            "check",
            "--new-from-patch",
            "change.patch",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(
        finding_lines(&text(&from_patch.stdout)),
        ["extra.go:6", "svc.go:12"]
    );

    let bad = leakhound_in(root, &["check", "--new-from-rev", "no-such-branch"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("--new-from-rev no-such-branch"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn a_baseline_hides_accepted_findings_even_after_edits_above_them() {
    let dir = legacy_repo();
    let root = dir.path();
    let write = leakhound_in(
        root,
        &["check", "--write-baseline", "leakhound-baseline.json"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    let baseline = std::fs::read_to_string(root.join("leakhound-baseline.json")).unwrap();
    assert!(baseline.contains("\"code\": \"LH201\""), "{baseline}");

    let clean = leakhound_in(root, &["check", "--baseline", "leakhound-baseline.json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));

    // Lines added above move the old finding; a second copy of the function is new.
    let edited = OLD.replace(
        "import \"context\"\n",
        "import \"context\"\n\n// More lines\n// above it.\n",
    );
    std::fs::write(root.join("svc.go"), format!("{edited}{NEW}")).unwrap();
    let after = leakhound_in(
        root,
        &[
            "check",
            "--baseline",
            "leakhound-baseline.json",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(after.status.code(), Some(1));
    assert_eq!(finding_lines(&text(&after.stdout)), ["svc.go:14"]);

    std::fs::write(
        root.join("broken.json"),
        "{\"version\": 1,\n \"findings\": [}",
    )
    .unwrap();
    let broken = leakhound_in(root, &["check", "--baseline", "broken.json"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        text(&broken.stderr).contains("broken.json: not a leakhound baseline"),
        "{}",
        text(&broken.stderr)
    );
}

#[test]
fn the_pre_commit_hook_runs_with_the_real_pre_commit() {
    if !tools::have("pre-commit", "--version") || !tools::have("git", "--version") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // The hook repository: this project's hook manifest, committed.
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(
        repo_root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q", "-b", "main"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&hooks)
        .output()
        .unwrap();
    let rev = text(&rev.stdout).trim().to_string();

    let project = tmp.path().join("project");
    std::fs::create_dir_all(project.join("gen")).unwrap();
    std::fs::write(project.join("go.mod"), "module example.com/p\n\ngo 1.22\n").unwrap();
    std::fs::write(project.join("ok.go"), "package p\n").unwrap();
    std::fs::write(project.join("gen/gen.go"), OLD).unwrap();
    std::fs::write(project.join("leakhound.toml"), "exclude = [\"gen/**\"]\n").unwrap();
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: leakhound\n",
            hooks.display()
        ),
    )
    .unwrap();
    git(&project, &["init", "-q", "-b", "main"]);
    git(&project, &["add", "."]);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_leakhound"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let pre_commit = |args: &[&str]| {
        Command::new("pre-commit")
            .args(args)
            .current_dir(&project)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .output()
            .unwrap()
    };
    // The excluded file is named by pre-commit but not checked (--force-exclude).
    let clean = pre_commit(&["run", "--all-files"]);
    assert!(
        clean.status.success(),
        "{}{}",
        text(&clean.stdout),
        text(&clean.stderr)
    );

    std::fs::write(project.join("leak.go"), OLD.replace("Old", "Leak")).unwrap();
    git(&project, &["add", "leak.go"]);
    let leak = pre_commit(&["run"]);
    assert!(!leak.status.success(), "{}", text(&leak.stdout));
    assert!(
        text(&leak.stdout).contains("leak.go:6:12: LH201"),
        "{}",
        text(&leak.stdout)
    );
}

#[test]
fn the_github_action_and_its_workflow_pass_actionlint() {
    if !tools::have("actionlint", "-version") {
        return;
    }
    // actionlint checks the workflow and, through `uses: ./`, the action's metadata and inputs.
    let out = run(
        &repo_root(),
        "actionlint",
        &[".github/workflows/leakhound.yml"],
    );
    assert!(
        out.status.success(),
        "actionlint: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // The check can fail: an input the action does not declare is reported.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".github/workflows")).unwrap();
    std::fs::copy(
        repo_root().join("action.yml"),
        tmp.path().join("action.yml"),
    )
    .unwrap();
    let workflow =
        std::fs::read_to_string(repo_root().join(".github/workflows/leakhound.yml")).unwrap();
    std::fs::write(
        tmp.path().join(".github/workflows/leakhound.yml"),
        workflow.replace("args:", "arguments:"),
    )
    .unwrap();
    git(tmp.path(), &["init", "-q"]);
    let bad = run(
        tmp.path(),
        "actionlint",
        &[".github/workflows/leakhound.yml"],
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stdout).contains("input \"arguments\" is not defined"),
        "{}",
        text(&bad.stdout)
    );
}

#[test]
fn completions_for_bash_register_the_command() {
    let out = leakhound_in(Path::new("."), &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let script = text(&out.stdout);
    assert!(
        script.contains("--new-from-rev"),
        "the check flags are completed"
    );
    if tools::have("bash", "--version") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.bash"), &script).unwrap();
        let registered = run(
            dir.path(),
            "bash",
            &["-c", "source ./c.bash && complete -p leakhound"],
        );
        assert!(registered.status.success(), "{}", text(&registered.stderr));
    }
    let bad = leakhound_in(Path::new("."), &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

const LOOP_ONLY: &str = "package svc\n\nimport \"context\"\n\nfunc Loop(parent context.Context, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tctx, _ := context.WithCancel(parent)\n\t\t_ = ctx\n\t}\n}\n";

#[test]
fn diff_fails_while_findings_remain_and_its_headers_apply_with_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("go.mod"), "module example.com/svc\n\ngo 1.22\n").unwrap();
    std::fs::write(root.join("loop.go"), LOOP_ONLY).unwrap();
    let nothing_to_fix = leakhound_in(root, &["check", "--diff"]);
    assert_eq!(nothing_to_fix.status.code(), Some(1), "findings remain");
    assert!(nothing_to_fix.stdout.is_empty());
    let exit_zero = leakhound_in(root, &["check", "--diff", "--exit-zero"]);
    assert_eq!(exit_zero.status.code(), Some(0));

    std::fs::write(
        root.join("svc.go"),
        OLD.replace("return ctx\n", "return ctx.Done() == nil\n")
            .replace(") context.Context {", ") bool {"),
    )
    .unwrap();
    let absolute = root.canonicalize().unwrap().join("svc.go");
    let diff = leakhound_in(root, &["check", "--diff", absolute.to_str().unwrap()]);
    assert_eq!(diff.status.code(), Some(1));
    let patch = text(&diff.stdout);
    assert!(patch.starts_with("--- a/svc.go\n+++ b/svc.go\n"), "{patch}");
    if tools::have("git", "--version") {
        std::fs::write(root.join("fix.patch"), &patch).unwrap();
        let apply = run(root, "git", &["apply", "fix.patch"]);
        assert!(apply.status.success(), "git apply: {}", text(&apply.stderr));
        assert!(std::fs::read_to_string(root.join("svc.go"))
            .unwrap()
            .contains("defer cancel()"));
    }
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut many = String::from("package svc\n\nimport \"context\"\n");
    for i in 0..3000 {
        many.push_str(&format!(
            "\nfunc F{i}(p context.Context) {{\n\tc, _ := context.WithCancel(p)\n\t_ = c\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("many.go"), many).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(dir.path())
        .args(["check", "--color", "never"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !text(&out.stderr).contains("Broken pipe"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn terminal_escapes_in_input_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module m\ngo \u{1b}[2J\u{1b}]0;owned\u{7}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.go"), "package m\n").unwrap();
    let out = leakhound_in(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("\\u{1b}[2J"), "{err}");
}

#[test]
fn statistics_and_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("svc")).unwrap();
    std::fs::write(root.join("go.mod"), "module example.com/m\n\ngo 1.22\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(root)
        .args([
            "check",
            "-",
            "--stdin-filename",
            "svc/piped.go",
            "--output-format",
            "concise",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        format!("{OLD}{NEW}").as_bytes(),
    )
    .unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        finding_lines(&text(&out.stdout)),
        ["svc/piped.go:6", "svc/piped.go:11"]
    );
    assert!(!root.join("svc/piped.go").exists());

    std::fs::write(root.join("svc/a.go"), format!("{OLD}{NEW}")).unwrap();
    std::fs::write(
        root.join("svc/loop.go"),
        LOOP_ONLY.replace("package svc", "package svc\n"),
    )
    .unwrap();
    let stats = leakhound_in(root, &["check", "--statistics"]);
    assert_eq!(stats.status.code(), Some(1));
    assert_eq!(text(&stats.stdout), "    3  LH201  lost-cancel\n");
    let json = leakhound_in(root, &["check", "--statistics", "--output-format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows[0]["count"], 3);
    assert_eq!(
        rows[0]["fixable"], 0,
        "returned contexts and a loop: nothing safe to fix"
    );
}

#[test]
fn a_500_branch_else_if_chain_is_checked_not_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from("package p\n\nfunc f(x int) int {\n\tif x == 0 {\n\t\treturn 0\n");
    for i in 1..500 {
        src.push_str(&format!("\t}} else if x == {i} {{\n\t\treturn {i}\n"));
    }
    src.push_str("\t}\n\treturn -1\n}\n");
    std::fs::write(dir.path().join("branches.go"), src).unwrap();
    let out = leakhound_in(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn a_5000_term_operator_chain_is_checked_not_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let chain = " +\n\t\t\"b\"".repeat(4999);
    let src = format!(
        "package p\n\nimport \"context\"\n\nfunc f(ctx context.Context) string {{\n\tctx, _ = context.WithCancel(ctx)\n\ts := \"a\"{chain}\n\treturn s\n}}\n"
    );
    std::fs::write(dir.path().join("chain.go"), src).unwrap();
    let out = leakhound_in(dir.path(), &["check", "--output-format", "concise"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(!stdout.contains("E001"), "{stdout}");
    assert!(
        stdout.contains("chain.go:6:11: LH201"),
        "the rules still run: {stdout}"
    );
}

#[test]
fn a_nolint_naming_no_leakhound_rule_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.go"),
        OLD.replace(
            "context.WithCancel(parent)",
            "context.WithCancel(parent) //nolint:LH210,errcheck",
        ),
    )
    .unwrap();
    let out = leakhound_in(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "the typo suppresses nothing");
    assert!(
        text(&out.stderr)
            .contains("warning: a.go:6: //nolint names LH210, which is no leakhound rule"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !text(&out.stderr).contains("errcheck"),
        "other linters' names are theirs"
    );
}
