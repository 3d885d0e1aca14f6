//! The fixture harness, in the style of go/analysis's analysistest: every Go file under
//! `tests/fixtures/` carries its expectations as `// want CODE "message regexp"` comments on the
//! offending line. Every expectation must be reported on its line, and nothing else may be.
//! Each fixture package's findings are also pinned as the `full` output a user reads (help
//! lines, related locations, fix edits) in `tests/snapshots/`.
//!
//! Every rule has a folder named after it (`tests/fixtures/lost-cancel/`); the other folders
//! hold what no one rule is about, under one Go version or timer setting each (`go1.23/`,
//! `asynctimerchan/`, ...). Folders are found by listing the directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leakhound_diagnostics::{render, OutputFormat, RenderContext};
use leakhound_model::gomod::{GoMod, TimerSemantics};
use leakhound_rules::registry::{RuleId, RuleSet, RULES};
use leakhound_rules::{check_package, FileSettings, PackageFile};
use regex::Regex;

struct Expectation {
    code: String,
    message: Option<Regex>,
}

fn expectations(source: &str) -> BTreeMap<usize, Vec<Expectation>> {
    let want = Regex::new(r#"// want ((?:[A-Z]+\d+(?: "(?:[^"\\]|\\.)*")?\s*)+)$"#).unwrap();
    let item = Regex::new(r#"([A-Z]+\d+)(?: "((?:[^"\\]|\\.)*)")?"#).unwrap();
    let mut out = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        if let Some(caps) = want.captures(line) {
            let list = item
                .captures_iter(&caps[1])
                .map(|c| Expectation {
                    code: c[1].to_string(),
                    message: c
                        .get(2)
                        .map(|m| Regex::new(&m.as_str().replace("\\\"", "\"")).unwrap()),
                })
                .collect();
            out.insert(i + 1, list);
        }
    }
    out
}

/// Every rule, preview rules included: fixtures pin what each rule reports.
fn every_rule() -> RuleSet {
    RuleId::ALL.iter().fold(RuleSet::empty(), |mut set, id| {
        set.insert(*id);
        set
    })
}

fn go_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    files
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Checks one package directory against its expectations; returns the problems found.
fn check_dir(dir: &Path, gomod: Option<&GoMod>) -> Vec<String> {
    check_and_render(dir, gomod).0
}

/// The problems found in one package directory, and its findings rendered as `full` output
/// (empty when the directory has no Go file).
fn check_and_render(dir: &Path, gomod: Option<&GoMod>) -> (Vec<String>, String) {
    let files = go_files(dir);
    if files.is_empty() {
        return (vec![], String::new());
    }
    let sources: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let arena = leakhound_syntax::Arena::new();
    let parsed: Vec<_> = sources
        .iter()
        .map(|s| leakhound_syntax::parse_file(s, &arena))
        .collect();
    let directive = parsed
        .iter()
        .find_map(leakhound_rules::asynctimerchan_directive);
    let timers = TimerSemantics::decide(
        gomod.and_then(|m| m.go),
        directive.or(gomod.and_then(|m| m.async_timer_chan)),
    );
    // Paths as the crate sees them, so snapshots read the same on every machine.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    let package: Vec<PackageFile> = names
        .iter()
        .zip(&sources)
        .zip(&parsed)
        .map(|((name, source), parsed)| PackageFile {
            filename: name.clone(),
            source,
            parsed,
            settings: FileSettings {
                rules: every_rule(),
                timers: timers.clone(),
            },
        })
        .collect();
    let mut diagnostics = check_package(&package);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut problems = Vec::new();
    for (name, source) in names.iter().zip(&sources) {
        let mut wanted = expectations(source);
        for d in diagnostics.iter().filter(|d| &d.filename == name) {
            let line = d.location.row;
            let found = wanted.get_mut(&line).and_then(|list| {
                let i = list.iter().position(|e| e.code == d.code)?;
                Some(list.remove(i))
            });
            match found {
                Some(Expectation {
                    message: Some(re), ..
                }) if !re.is_match(&d.message) => problems.push(format!(
                    "{name}:{line}: {} message {:?} does not match /{}/",
                    d.code, d.message, re
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "{name}:{line}:{}: unexpected {} {}",
                    d.location.column, d.code, d.message
                )),
            }
        }
        for (line, left) in wanted {
            for e in left {
                problems.push(format!(
                    "{name}:{line}: expected {} was not reported",
                    e.code
                ));
            }
        }
    }
    let metas: Vec<_> = RULES.iter().map(|r| r.meta()).collect();
    let context = RenderContext {
        rules: &metas,
        tool_version: "fixture",
        color: false,
    };
    let lookup: BTreeMap<String, String> = names.iter().cloned().zip(sources.clone()).collect();
    let mut full = Vec::new();
    render(
        OutputFormat::Full,
        &diagnostics,
        &context,
        &lookup,
        &mut full,
    )
    .unwrap();
    (problems, String::from_utf8(full).unwrap())
}

fn walk(dir: &Path, gomod: Option<GoMod>, problems: &mut Vec<String>, packages: &mut usize) {
    let gomod = match std::fs::read_to_string(dir.join("go.mod")) {
        Ok(text) => Some(GoMod::parse(&text).unwrap()),
        Err(_) => gomod,
    };
    if !go_files(dir).is_empty() {
        *packages += 1;
    }
    let (found, full) = check_and_render(dir, gomod.as_ref());
    problems.extend(found);
    if !full.is_empty() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let name = dir.strip_prefix(&root).unwrap_or(dir).display().to_string();
        insta::assert_snapshot!(format!("full@{}", name.replace('/', "-")), full);
    }
    for sub in subdirs(dir) {
        walk(&sub, gomod.clone(), problems, packages);
    }
}

#[test]
fn fixtures_report_exactly_their_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut problems = Vec::new();
    let mut packages = 0;
    for dir in subdirs(&root) {
        walk(&dir, None, &mut problems, &mut packages);
    }
    assert!(
        packages >= RULES.len(),
        "fixture packages found: {packages}"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The expectations of every Go file under `dir`, its subfolders included.
fn expected_codes(dir: &Path, codes: &mut Vec<String>) {
    for file in go_files(dir) {
        let source = std::fs::read_to_string(file).unwrap();
        codes.extend(
            expectations(&source)
                .into_values()
                .flatten()
                .map(|e| e.code),
        );
    }
    for sub in subdirs(dir) {
        expected_codes(&sub, codes);
    }
}

/// Adding a rule adds its fixture folder: `tests/fixtures/<rule-name>/`, with at least one
/// finding of the rule expected in it.
#[test]
fn every_rule_has_its_fixture_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut missing = Vec::new();
    for rule in RULES {
        let dir = root.join(rule.name);
        if !dir.is_dir() {
            missing.push(format!(
                "{}: no folder tests/fixtures/{}/",
                rule.code, rule.name
            ));
            continue;
        }
        let mut codes = Vec::new();
        expected_codes(&dir, &mut codes);
        if !codes.iter().any(|c| c == rule.code) {
            missing.push(format!(
                "{}: tests/fixtures/{}/ expects no {} finding",
                rule.code, rule.name, rule.code
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_harness_fails_on_a_missing_and_an_unexpected_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.go"),
        "package a\n\nimport \"context\"\n\nfunc f(p context.Context) {\n\tctx, _ := context.WithCancel(p)\n\t_ = ctx\n}\n\nfunc g() {} // want LH201\n",
    )
    .unwrap();
    let problems = check_dir(dir.path(), None);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("unexpected LH201"));
    assert!(problems[1].contains("expected LH201 was not reported"));
}
