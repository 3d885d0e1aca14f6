//! Conformance with go/parser. Every fixture under `tests/fixtures` has a `.outline` golden
//! written by `tests/outline/outline.go` (Go 1.27.3's go/parser); the fast tests compare our
//! outline with it, and with a live go/parser when `go` is on PATH. The `#[ignore]`d test
//! compares every file under GOROOT/src (see also `scripts/parser-conformance.sh`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use leakhound_syntax::{outline::outline, parse_file, LineIndex};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            go_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "go") {
            out.push(p);
        }
    }
}

fn rust_outline(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    match std::str::from_utf8(&bytes) {
        Ok(src) => outline(&parse_file(src, &leakhound_syntax::Arena::new())),
        Err(_) => "ERROR\n".to_string(),
    }
}

#[test]
fn fixtures_match_golden_outlines() {
    let mut files = Vec::new();
    go_files(&fixtures_dir(), &mut files);
    assert!(files.len() > 30);
    for f in &files {
        let golden = std::fs::read_to_string(f.with_extension("outline"))
            .unwrap_or_else(|_| panic!("no golden for {}", f.display()));
        assert_eq!(rust_outline(f), golden, "{}", f.display());
    }
}

#[test]
fn error_fixtures_give_go_parser_first_error() {
    let dir = fixtures_dir().join("errors");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    for line in expected.lines() {
        let (file, want) = line.split_once(' ').expect("file and message");
        let src = std::fs::read_to_string(dir.join(file)).expect("read");
        let arena = leakhound_syntax::Arena::new();
        let parsed = parse_file(&src, &arena);
        let err = parsed
            .errors
            .first()
            .unwrap_or_else(|| panic!("{file}: no error"));
        let (l, c) = LineIndex::new(&src).line_col(err.span.start);
        assert_eq!(format!("{l}:{c}: {}", err.message), want, "{file}");
    }
}

/// Builds the Go outline program; `None` when Go is not installed.
fn go_outline_tool() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("outline-go");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/outline");
    let status = Command::new("go")
        .arg("build")
        .arg("-o")
        .arg(&bin)
        .arg(".")
        .current_dir(dir)
        .status()
        .ok()?;
    status.success().then_some(bin)
}

fn go_minor_version() -> u32 {
    let out = Command::new("go")
        .args(["env", "GOVERSION"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    out.trim()
        .strip_prefix("go1.")
        .and_then(|r| r.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// Runs the Go outline program on `files`; returns one outline per file.
fn go_outlines(tool: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run outline-go");
    let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let out = child.wait_with_output().expect("outline-go output");
    writer.join().expect("writer").expect("write list");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut outlines = Vec::new();
    for chunk in text.split("== ").skip(1) {
        outlines.push(
            chunk
                .split_once('\n')
                .map_or(String::new(), |(_, rest)| rest.to_string()),
        );
    }
    outlines
}

#[test]
fn fixtures_match_live_go_parser() {
    let Some(tool) = go_outline_tool() else {
        eprintln!("go not found: skipping the live comparison");
        return;
    };
    let mut files = Vec::new();
    go_files(&fixtures_dir(), &mut files);
    if go_minor_version() < 27 {
        files.retain(|f| !f.components().any(|c| c.as_os_str() == "go1.27"));
    }
    let go = go_outlines(&tool, &files);
    assert_eq!(go.len(), files.len());
    for (f, g) in files.iter().zip(&go) {
        assert_eq!(&rust_outline(f), g, "{}", f.display());
    }
}

/// Files that only Go 1.27's parser accepts (generic methods).
const GO127_ONLY: &[&str] = &["internal/types/testdata/check/typeparams.go"];

#[test]
#[ignore = "parses all of GOROOT/src with both parsers (about a minute)"]
fn goroot_conformance() {
    let tool = go_outline_tool().expect("go is required");
    let root = String::from_utf8(
        Command::new("go")
            .args(["env", "GOROOT"])
            .output()
            .expect("go env")
            .stdout,
    )
    .expect("utf-8");
    let src = Path::new(root.trim()).join("src");
    let mut files = Vec::new();
    go_files(&src, &mut files);
    let go = go_outlines(&tool, &files);
    assert_eq!(go.len(), files.len());
    let old_go = go_minor_version() < 27;
    let mut bad = Vec::new();
    for (f, g) in files.iter().zip(&go) {
        if &rust_outline(f) != g {
            let rel = f
                .strip_prefix(&src)
                .unwrap_or(f)
                .to_string_lossy()
                .to_string();
            if !(old_go && GO127_ONLY.contains(&rel.as_str())) {
                bad.push(rel);
            }
        }
    }
    eprintln!("{} files, {} disagreements", files.len(), bad.len());
    assert!(bad.is_empty(), "disagreements: {bad:?}");
}
