//! `--fix` and `--diff`: apply each file's fixes (safe ones, unsafe ones with
//! `--unsafe-fixes`), keep a fix only if the file still parses with it, naming any that does
//! not, and write atomically (a temporary file in the same directory, renamed over the original,
//! with the original's permissions), so an interrupted run never leaves half a file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use leakhound_diagnostics::Diagnostic;
use leakhound_rules::fix::apply_fixes;

pub struct FixOutcome {
    pub fixed: usize,
    /// The files that were (or, with `--diff`, would be) changed.
    pub files: Vec<String>,
    pub errors: Vec<String>,
    /// Fixes left out because the file would not parse with them.
    pub skipped: Vec<String>,
}

/// Applies (or, with `diff_only`, prints) the fixes of `diagnostics`.
pub fn apply(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    diff_only: bool,
    unsafe_fixes: bool,
    out: &mut dyn Write,
) -> Result<FixOutcome> {
    let mut outcome = FixOutcome {
        fixed: 0,
        files: Vec::new(),
        errors: Vec::new(),
        skipped: Vec::new(),
    };
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in diagnostics.iter().enumerate() {
        by_file.entry(d.filename.clone()).or_default().push(i);
    }
    for (filename, indices) in by_file {
        let Some(source) = sources.get(&filename) else {
            continue;
        };
        // Each fix on its own first, so that one bad fix costs only itself.
        let mut usable: Vec<Diagnostic> = Vec::new();
        for &i in &indices {
            let d = &diagnostics[i];
            let Some(alone) = apply_fixes(source, std::slice::from_ref(d), unsafe_fixes) else {
                continue;
            };
            if parses(&alone.text) {
                usable.push(d.clone());
            } else {
                outcome.skipped.push(format!(
                    "{filename}:{}:{}: {} fix skipped: the file would not parse with it",
                    d.location.row, d.location.column, d.code
                ));
            }
        }
        let Some(fixed) = apply_fixes(source, &usable, unsafe_fixes) else {
            continue;
        };
        if !parses(&fixed.text) {
            outcome.skipped.push(format!(
                "{filename}: fixes skipped: each parses alone but not together"
            ));
            continue;
        }
        if diff_only {
            let diff = similar::TextDiff::from_lines(source.as_str(), fixed.text.as_str());
            let shown = diff_path(&filename);
            write!(
                out,
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{shown}"), &format!("b/{shown}"))
            )?;
        } else if let Err(err) = write_atomically(Path::new(&filename), &fixed.text) {
            outcome
                .errors
                .push(format!("{filename}: fixes not written: {err}"));
            continue;
        }
        outcome.fixed += fixed.applied.len();
        outcome.files.push(filename.clone());
    }
    Ok(outcome)
}

fn parses(text: &str) -> bool {
    let arena = leakhound_syntax::Arena::new();
    leakhound_syntax::parse_file(text, &arena).errors.is_empty()
}

/// The path a diff header shows: relative to the current directory when the file is below it,
/// never absolute (`a//tmp/x.go` is a header `git apply` rejects).
fn diff_path(filename: &str) -> String {
    let path = Path::new(filename);
    if path.is_absolute() {
        if let Some(rel) = std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        {
            return rel.to_string_lossy().replace('\\', "/");
        }
    }
    filename.trim_start_matches('/').to_string()
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".leakhound-fix")
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.as_file().set_permissions(permissions)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakhound_diagnostics::{Applicability, Edit, Fix, Location, Severity};

    fn insert(at: usize, row: usize, content: &str) -> Diagnostic {
        let loc = Location { row, column: 1 };
        Diagnostic {
            code: "LH201",
            name: "lost-cancel",
            severity: Severity::Error,
            message: String::new(),
            help: None,
            filename: "a.go".into(),
            location: loc,
            end_location: loc,
            fix: Some(Fix {
                message: String::new(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    content: content.into(),
                    location: loc,
                    end_location: loc,
                    start: at,
                    end: at,
                }],
            }),
            related: vec![],
            url: String::new(),
            start: at,
            end: at,
        }
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_skipped_and_named_and_the_others_applied() {
        let source = "package p\n\nfunc f() {\n}\n\nfunc g() {\n}\n";
        let good = insert(source.find("}\n").unwrap(), 3, "\tprintln()\n");
        let bad = insert(source.rfind("}\n").unwrap(), 6, "\tprintln(\n");
        let sources = BTreeMap::from([("a.go".to_string(), source.to_string())]);
        let mut out = Vec::new();
        let outcome = apply(&[good, bad], &sources, true, false, &mut out).unwrap();
        assert_eq!(outcome.fixed, 1);
        assert_eq!(
            outcome.skipped,
            ["a.go:6:1: LH201 fix skipped: the file would not parse with it"]
        );
        let diff = String::from_utf8(out).unwrap();
        assert!(
            diff.contains("+\tprintln()\n") && !diff.contains("println(\n"),
            "{diff}"
        );
    }
}
