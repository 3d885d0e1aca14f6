//! `--src DIR`: find each suspect's first user frame in the checkout, keep the lines around it,
//! and link the static rules that fire at or next to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use leakhound_profile::srclink::{link_findings, match_source, FileFinding};
use leakhound_profile::Analysis;

/// Lines shown around a suspect's line.
const CONTEXT: usize = 3;

pub struct Snippet {
    pub group_id: String,
    pub path: PathBuf,
    /// The line the goroutines are parked at.
    pub line: usize,
    pub lines: Vec<(usize, String)>,
}

pub fn link(analysis: &mut Analysis, dir: &Path) -> Result<Vec<Snippet>> {
    if !dir.is_dir() {
        bail!("--src {}: not a directory", dir.display());
    }
    let files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .map(ignore::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|x| x == "go") && p.is_file())
        .collect();
    let mut findings_cache: HashMap<PathBuf, Vec<FileFinding>> = HashMap::new();
    let mut snippets = Vec::new();
    for group in analysis.groups.iter_mut().filter(|g| g.suspect) {
        let Some(frame) = group.top_user_frame.clone() else {
            continue;
        };
        let Some(path) = match_source(&frame.file, &files) else {
            continue;
        };
        let path = path.to_path_buf();
        let findings = findings_cache.entry(path.clone()).or_insert_with(|| {
            match super::super::check::diagnostics_for_file(&path) {
                Ok(diags) => diags
                    .into_iter()
                    .map(|d| FileFinding {
                        code: d.code.to_string(),
                        name: d.name.to_string(),
                        message: d.message,
                        line: d.location.row,
                    })
                    .collect(),
                Err(err) => {
                    eprintln!(
                        "leakhound: warning: {}: static rules did not run: {err:#}",
                        path.display()
                    );
                    Vec::new()
                }
            }
        });
        link_findings(group, &frame.file, &path, findings);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let line = frame.line as usize;
            let lines = text
                .lines()
                .enumerate()
                .map(|(i, l)| (i + 1, l.to_string()))
                .filter(|(n, _)| n.abs_diff(line) <= CONTEXT)
                .collect();
            snippets.push(Snippet {
                group_id: group.id.clone(),
                path,
                line,
                lines,
            });
        }
    }
    let unexplained = analysis
        .groups
        .iter()
        .filter(|g| g.suspect && g.findings.is_empty() && g.created_by.is_none())
        .count();
    let no_creators = analysis
        .sources
        .iter()
        .any(|s| matches!(s.format, "debug1" | "debug0"));
    if unexplained > 0 && no_creators {
        eprintln!(
            "leakhound: note: {unexplained} suspect(s) have no rule at their line; debug=1 and \
             debug=0 profiles have no `created by` lines, where causes such as a discarded cancel \
             (LH201) sit: one --full (debug=2) sample links them"
        );
    }
    Ok(snippets)
}
