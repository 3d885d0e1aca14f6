//! `--fix` and `--diff`: apply each file's safe fixes, keep a fix only if the file still parses,
//! and write atomically (a temporary file in the same directory, renamed over the original,
//! with the original's permissions), so an interrupted run never leaves half a file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use leakhound_diagnostics::Diagnostic;
use leakhound_rules::fix::apply_safe_fixes;

pub struct FixOutcome {
    pub fixed: usize,
    /// The files that were (or, with `--diff`, would be) changed.
    pub files: Vec<String>,
    pub errors: Vec<String>,
}

/// Applies (or, with `diff_only`, prints) the safe fixes of `diagnostics`.
pub fn apply(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    diff_only: bool,
    out: &mut dyn Write,
) -> Result<FixOutcome> {
    let mut outcome = FixOutcome {
        fixed: 0,
        files: Vec::new(),
        errors: Vec::new(),
    };
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in diagnostics.iter().enumerate() {
        by_file.entry(d.filename.clone()).or_default().push(i);
    }
    for (filename, indices) in by_file {
        let Some(source) = sources.get(&filename) else {
            continue;
        };
        let file_diagnostics: Vec<Diagnostic> =
            indices.iter().map(|&i| diagnostics[i].clone()).collect();
        let Some(fixed) = apply_safe_fixes(source, &file_diagnostics) else {
            continue;
        };
        let arena = leakhound_syntax::Arena::new();
        let reparsed = leakhound_syntax::parse_file(&fixed.text, &arena);
        if !reparsed.errors.is_empty() {
            outcome.errors.push(format!(
                "{filename}: fixes not applied: the fixed file would not parse"
            ));
            continue;
        }
        if diff_only {
            let diff = similar::TextDiff::from_lines(source.as_str(), fixed.text.as_str());
            write!(
                out,
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{filename}"), &format!("b/{filename}"))
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
