//! Linking a group to the checkout: profile paths differ from checkout paths (module paths,
//! GOPATH, `-trimpath`, absolute build paths), so files are matched by the longest common path
//! suffix; static findings at or next to the group's lines explain why goroutines pile up.

use std::path::{Path, PathBuf};

use crate::analysis::{Finding, Group};

/// The candidate sharing the longest run of trailing path components with `profile_path`
/// (the file name at least); `None` when nothing matches or the best match is ambiguous.
pub fn match_source<'a>(profile_path: &str, candidates: &'a [PathBuf]) -> Option<&'a Path> {
    let want: Vec<&str> = profile_path
        .split(['/', '\\'])
        .filter(|c| !c.is_empty())
        .rev()
        .collect();
    let mut best: Option<(usize, &Path)> = None;
    let mut tie = false;
    for c in candidates {
        let have = c.components().rev().filter_map(|x| x.as_os_str().to_str());
        let common = have.zip(&want).take_while(|(a, b)| a == *b).count();
        if common == 0 {
            continue;
        }
        match best {
            Some((n, _)) if common < n => {}
            Some((n, _)) if common == n => tie = true,
            _ => {
                best = Some((common, c));
                tie = false;
            }
        }
    }
    match best {
        Some((_, p)) if !tie => Some(p),
        _ => None,
    }
}

/// How far from a group's line a finding may be and still explain it: a rule may report the
/// `range`, the channel declaration or the timer rather than the parked operation itself.
pub const NEAR_LINES: usize = 3;

/// After the `go` statement that created the group, the lines that decide whether its result is
/// still awaited (the `select` with a timeout that abandons it) explain the leak too.
pub const AFTER_CREATOR_LINES: usize = 6;

/// Findings of one checkout file, as the linker needs them.
#[derive(Clone, Debug)]
pub struct FileFinding {
    pub code: String,
    pub name: String,
    pub message: String,
    pub line: usize,
}

/// Attaches to `group` the findings within [`NEAR_LINES`] of its first user frame, or from
/// [`NEAR_LINES`] before to [`AFTER_CREATOR_LINES`] after its `created by` line, when those lines
/// are in `profile_file` (the path as the profile printed it).
pub fn link_findings(
    group: &mut Group,
    profile_file: &str,
    source_file: &Path,
    findings: &[FileFinding],
) {
    let mut windows = Vec::new();
    if let Some(f) = group
        .top_user_frame
        .as_ref()
        .filter(|f| f.file == profile_file)
    {
        let l = f.line as usize;
        windows.push((l.saturating_sub(NEAR_LINES), l + NEAR_LINES));
    }
    if let Some(c) = group.created_by.as_ref().filter(|c| c.file == profile_file) {
        let l = c.line as usize;
        windows.push((l.saturating_sub(NEAR_LINES), l + AFTER_CREATOR_LINES));
    }
    for f in findings {
        if windows.iter().any(|&(lo, hi)| (lo..=hi).contains(&f.line)) {
            let linked = Finding {
                code: f.code.clone(),
                name: f.name.clone(),
                message: f.message.clone(),
                file: profile_file.to_string(),
                line: f.line,
            };
            if !group.findings.contains(&linked) {
                group.findings.push(linked);
            }
        }
    }
    group
        .findings
        .sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.code.cmp(&b.code)));
    group.source_file = Some(source_file.display().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_suffix_wins() {
        let c = vec![
            PathBuf::from("/src/svc/cmd/main.go"),
            PathBuf::from("/src/svc/orders/process.go"),
            PathBuf::from("/src/svc/billing/process.go"),
        ];
        assert_eq!(
            match_source("github.com/acme/svc/orders/process.go", &c),
            Some(Path::new("/src/svc/orders/process.go"))
        );
        assert_eq!(
            match_source("/home/ci/go/src/svc/orders/process.go", &c),
            Some(Path::new("/src/svc/orders/process.go"))
        );
        assert_eq!(match_source("process.go", &c), None, "ambiguous");
        assert_eq!(match_source("other.go", &c), None);
    }
}
