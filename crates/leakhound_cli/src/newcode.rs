//! Adopting leakhound on a repository that already has findings: report only what is new.
//!
//! Two ways, as golangci-lint and ruff offer them. `--new-from-rev REV`,
//! `--new-from-merge-base REF` and `--new-from-patch FILE` keep findings on lines that a diff
//! adds or changes. A baseline file (`--write-baseline`, `--baseline`) lists the fingerprints of
//! accepted findings; a fingerprint hashes the rule, the file and the text of the flagged line,
//! so edits elsewhere in the file do not bring a finding back.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use leakhound_diagnostics::{fingerprints, Diagnostic, SourceLookup};
use serde::{Deserialize, Serialize};

/// The lines a diff adds or changes, per file (absolute, canonical paths).
#[derive(Debug, Default)]
pub struct ChangedLines {
    files: HashMap<PathBuf, Vec<(usize, usize)>>,
}

impl ChangedLines {
    /// What `git diff REV` shows (the working tree against REV, staged or not), plus untracked
    /// files, which are new as a whole.
    pub fn from_rev(rev: &str) -> Result<ChangedLines> {
        let root = git(&["rev-parse", "--show-toplevel"], Path::new("."))?;
        let root = PathBuf::from(root.trim());
        let diff = git(
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--unified=0",
                rev,
                "--",
            ],
            &root,
        )
        .with_context(|| format!("--new-from-rev {rev}"))?;
        let mut changed = ChangedLines::parse(&diff, &root);
        let untracked = git(&["ls-files", "--others", "--exclude-standard", "-z"], &root)?;
        for path in untracked.split('\0').filter(|p| !p.is_empty()) {
            changed.insert(&root.join(path), (1, usize::MAX));
        }
        Ok(changed)
    }

    /// `--new-from-merge-base REF`: changes since the commit where HEAD left REF.
    pub fn from_merge_base(reference: &str) -> Result<ChangedLines> {
        let base = git(&["merge-base", reference, "HEAD"], Path::new("."))
            .with_context(|| format!("--new-from-merge-base {reference}"))?;
        ChangedLines::from_rev(base.trim())
    }

    /// A unified diff read from `path` (`git diff` output: paths relative to the repository
    /// root, or to the current directory outside a repository).
    pub fn from_patch(path: &Path) -> Result<ChangedLines> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the patch", path.display()))?;
        let root = git(&["rev-parse", "--show-toplevel"], Path::new("."))
            .map(|r| PathBuf::from(r.trim()))
            .unwrap_or_else(|_| PathBuf::from("."));
        let changed = ChangedLines::parse(&text, &root);
        if changed.files.is_empty() && !text.trim().is_empty() {
            bail!(
                "{}: not a unified diff (no `+++` file header with `@@` hunks)",
                path.display()
            );
        }
        Ok(changed)
    }

    /// Reads what locates added lines: `+++ b/path` headers, each `@@ -a,b +c,d @@` hunk header
    /// and the hunk's lines, of which only `+` lines count (context lines do not, so a patch
    /// with context reports the same lines as one without).
    fn parse(diff: &str, root: &Path) -> ChangedLines {
        let mut changed = ChangedLines::default();
        let mut current: Option<PathBuf> = None;
        // Within a hunk: the next new-side line number, and the old and new lines left.
        let mut hunk: Option<(usize, usize, usize)> = None;
        for line in diff.lines() {
            if let Some((next, old_left, new_left)) = hunk.as_mut() {
                match line.as_bytes().first() {
                    Some(b'+') => {
                        if let Some(file) = &current {
                            changed.insert(&file.clone(), (*next, *next));
                        }
                        *next += 1;
                        *new_left = new_left.saturating_sub(1);
                    }
                    Some(b'-') => *old_left = old_left.saturating_sub(1),
                    Some(b'\\') => {}
                    _ => {
                        *next += 1;
                        *old_left = old_left.saturating_sub(1);
                        *new_left = new_left.saturating_sub(1);
                    }
                }
                if *old_left == 0 && *new_left == 0 {
                    hunk = None;
                }
            } else if let Some(target) = line.strip_prefix("+++ ") {
                let target = target.split('\t').next().unwrap_or(target);
                current = (target != "/dev/null")
                    .then(|| root.join(target.strip_prefix("b/").unwrap_or(target)));
            } else if let Some(header) = line.strip_prefix("@@ ") {
                hunk = hunk_header(header);
            }
        }
        changed
    }

    fn insert(&mut self, path: &Path, range: (usize, usize)) {
        let key = canonical(path);
        self.files.entry(key).or_default().push(range);
    }

    /// Whether the diff added or changed the line of `d`.
    pub fn contains(&self, d: &Diagnostic) -> bool {
        self.files
            .get(&canonical(Path::new(&d.filename)))
            .is_some_and(|ranges| {
                ranges
                    .iter()
                    .any(|(a, b)| (*a..=*b).contains(&d.location.row))
            })
    }
}

/// `-a,b +c,d @@ ...` as (c, b, d); a missing count is 1.
fn hunk_header(header: &str) -> Option<(usize, usize, usize)> {
    let mut words = header.split(' ');
    let range = |w: Option<&str>, sign: char| -> Option<(usize, usize)> {
        let w = w?.strip_prefix(sign)?;
        let (start, count) = w.split_once(',').unwrap_or((w, "1"));
        Some((start.parse().ok()?, count.parse().ok()?))
    };
    let (_, old_count) = range(words.next(), '-')?;
    let (new_start, new_count) = range(words.next(), '+')?;
    (old_count + new_count > 0).then_some((new_start, old_count, new_count))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn git(args: &[&str], dir: &Path) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("git printed something that is not UTF-8")
}

/// A baseline file: the findings a team accepted when it adopted leakhound.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version; 1.
    version: u32,
    findings: Vec<Accepted>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Accepted {
    fingerprint: String,
    /// For people reading the file; matching uses the fingerprint only.
    code: String,
    path: String,
    line: usize,
    message: String,
}

impl Baseline {
    pub fn of(diagnostics: &[Diagnostic], sources: &dyn SourceLookup) -> Baseline {
        let findings = diagnostics
            .iter()
            .zip(fingerprints(diagnostics, sources))
            .map(|(d, fingerprint)| Accepted {
                fingerprint,
                code: d.code.to_string(),
                path: d.filename.clone(),
                line: d.location.row,
                message: d.message.clone(),
            })
            .collect();
        Baseline {
            version: 1,
            findings,
        }
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(path, text)
            .with_context(|| format!("{}: cannot write the baseline", path.display()))
    }

    pub fn read(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the baseline", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a leakhound baseline", path.display()))?;
        if baseline.version != 1 {
            bail!(
                "{}: baseline version {} is not supported (expected 1)",
                path.display(),
                baseline.version
            );
        }
        Ok(baseline)
    }

    /// Drops the findings the baseline accepted (each entry matches one finding) and returns
    /// how many it dropped.
    pub fn filter(&self, diagnostics: &mut Vec<Diagnostic>, sources: &dyn SourceLookup) -> usize {
        let mut left: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &self.findings {
            *left.entry(f.fingerprint.as_str()).or_default() += 1;
        }
        let prints = fingerprints(diagnostics, sources);
        let before = diagnostics.len();
        let mut keep = prints.iter().map(|p| match left.get_mut(p.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        diagnostics.retain(|_| keep.next().unwrap_or(true));
        before - diagnostics.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_give_the_new_lines() {
        let diff = "diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n@@ -3,0 +4,2 @@ func f() {\n+a\n+b\n@@ -10 +12 @@\n-c\n+d\n@@ -20,3 +21,0 @@\n-e\n-f\n-g\n@@ -30,3 +29,4 @@\n ctx\n-h\n+i\n+j\n ctx\n--- a/gone.go\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n";
        let changed = ChangedLines::parse(diff, Path::new("/r"));
        assert_eq!(
            changed.files.get(Path::new("/r/x.go")),
            Some(&vec![(4, 4), (5, 5), (12, 12), (30, 30), (31, 31)])
        );
        assert_eq!(changed.files.len(), 1);
    }
}
