//! `--output-format markdown` for `profile` and `diff`: the suspect with its counts, reasons,
//! rule, stack and source in fenced blocks; markup and backticks from a profile stay text.

use std::path::PathBuf;
use std::process::Command;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../leakhound_profile/tests/corpus")
}

fn markdown(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(args)
        .args(["--output-format", "markdown"])
        .current_dir(corpus())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn series_with_src() {
    let (code, md) = markdown(&[
        "profile",
        "go1.19/abandonedsender/t000s.debug2.txt",
        "go1.19/abandonedsender/t010s.debug2.txt",
        "go1.19/abandonedsender/t020s.debug2.txt",
        "go1.19/abandonedsender/t030s.debug2.txt",
        "--interval",
        "10s",
        "--src",
        "programs/abandonedsender",
    ]);
    assert_eq!(code, 1, "{md}");
    assert!(md.starts_with("# leakhound goroutine report\n"), "{md}");
    assert!(
        md.contains("### 1. main.handleQuote.func1 leakcorpus/abandonedsender/main.go:46"),
        "{md}"
    );
    assert!(md.contains("counts: 0 -> 300 -> 600 -> 900"), "{md}");
    assert!(
        md.contains("- **why: LH301 abandoned-sender** at line 46"),
        "{md}"
    );
    assert!(
        md.contains("```text\n  > main.handleQuote.func1 leakcorpus/abandonedsender/main.go:46\n"),
        "{md}"
    );
    assert!(md.contains("```go\n"), "{md}");
    assert!(
        md.contains(">   46 |         ch <- fetchQuote(n)"),
        "tabs kept as indentation: {md}"
    );
}

#[test]
fn diff_shares_the_renderer() {
    let (code, md) = markdown(&[
        "diff",
        "go1.19/abandonedsender/t000s.debug2.txt",
        "go1.19/abandonedsender/t030s.debug2.txt",
    ]);
    assert_eq!(code, 1, "{md}");
    assert!(md.contains("counts: 0 -> 900"), "{md}");
}

#[test]
fn markup_from_a_profile_stays_text() {
    // A series that grows, so that the hostile group is a suspect with a stack.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = [50, 100, 150]
        .iter()
        .map(|&n| {
            let mut dump = String::new();
            for id in 0..n {
                dump.push_str(&format!(
                    "goroutine {id} [chan send]:\nmain.x<img src=x>|*y*``[z](http://e)()\n\t/app/a.go:7 +0x1\n\n"
                ));
            }
            let f = dir.path().join(format!("evil{n}.txt"));
            std::fs::write(&f, dump).unwrap();
            f.to_str().unwrap().to_string()
        })
        .collect();
    let (_, md) = markdown(&["profile", &files[0], &files[1], &files[2]]);
    assert!(
        md.contains(r"### 1. main.x\<img src=x\>\|\*y\*\`\`\[z\](http://e) /app/a.go:7"),
        "{md}"
    );
    // The stack's fence is longer than the name's run of two backticks.
    assert!(
        md.contains("```text\n  > main.x<img src=x>|*y*``[z](http://e)"),
        "{md}"
    );
}
