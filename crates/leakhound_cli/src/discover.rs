//! Finding the `.go` files to check, the way `go` and `gofmt` users expect: `./...` and
//! `dir/...` mean the tree below, `.gitignore` is respected, and `vendor/`, `testdata/` and
//! folders starting with `.` or `_` are skipped unless asked for. A file named explicitly is
//! checked even when the configuration excludes it, unless `--force-exclude` (for pre-commit,
//! which always names files).

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

#[derive(Clone, Copy, Debug, Default)]
pub struct DiscoverOptions {
    pub include_vendor: bool,
    pub include_testdata: bool,
    pub skip_tests: bool,
    pub no_ignore: bool,
    /// Apply `exclude` to files named on the command line too.
    pub force_exclude: bool,
}

/// The files found, and the problems met on the way (each already phrased for the user).
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub errors: Vec<String>,
}

/// Strips Go's `/...` pattern suffix: `./...` is `.`, `pkg/...` is `pkg`.
pub fn normalise_arg(arg: &str) -> PathBuf {
    let trimmed = arg
        .strip_suffix("/...")
        .or_else(|| (arg == "...").then_some("."));
    PathBuf::from(trimmed.unwrap_or(arg))
}

fn skipped_dir(name: &str, opts: &DiscoverOptions) -> bool {
    (name == "vendor" && !opts.include_vendor)
        || (name == "testdata" && !opts.include_testdata)
        || name.starts_with('.')
        || name.starts_with('_')
}

pub fn discover(
    args: &[String],
    opts: &DiscoverOptions,
    excluded: &dyn Fn(&Path) -> bool,
) -> Discovered {
    let mut found = Discovered::default();
    for arg in args {
        let root = normalise_arg(arg);
        let meta = match std::fs::metadata(&root) {
            Ok(meta) => meta,
            Err(err) => {
                found
                    .errors
                    .push(format!("{}: {}", root.display(), describe_io(&err)));
                continue;
            }
        };
        if meta.is_file() {
            if !(opts.force_exclude && excluded(&root)) {
                found.files.push(root);
            }
            continue;
        }
        let opts_copy = *opts;
        let walker = WalkBuilder::new(&root)
            .standard_filters(!opts.no_ignore)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                entry.depth() == 0
                    || !entry.file_type().is_some_and(|t| t.is_dir())
                    || !skipped_dir(&entry.file_name().to_string_lossy(), &opts_copy)
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    let name = entry.file_name().to_string_lossy();
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    if is_dir
                        || !name.ends_with(".go")
                        || name.starts_with('.')
                        || name.starts_with('_')
                    {
                        continue;
                    }
                    if opts.skip_tests && name.ends_with("_test.go") {
                        continue;
                    }
                    if excluded(path) {
                        continue;
                    }
                    found.files.push(clean(path));
                }
                Err(err) => found.errors.push(err.to_string()),
            }
        }
        if !opts.no_ignore {
            found
                .files
                .extend(tracked_but_ignored(&root, opts, excluded));
        }
    }
    found.files.sort();
    found.files.dedup();
    found
}

/// `.gitignore` applies to untracked files only: a file git tracks is part of the repository
/// even when its folder matches a pattern (`/server` ignoring a binary also matches the
/// `server/` source folder). The walker cannot tell, so git lists the tracked `.go` files
/// below `root`; outside a repository there are none.
fn tracked_but_ignored(
    root: &Path,
    opts: &DiscoverOptions,
    excluded: &dyn Fn(&Path) -> bool,
) -> Vec<PathBuf> {
    let Ok(out) = std::process::Command::new("git")
        .args(["ls-files", "-z", "--cached", "--", "*.go"])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|rel| !rel.is_empty())
        .filter(|rel| {
            let rel = Path::new(rel);
            let name = rel.file_name().map_or("".into(), |n| n.to_string_lossy());
            let dirs_ok = rel
                .parent()
                .into_iter()
                .flat_map(Path::components)
                .all(|c| !skipped_dir(&c.as_os_str().to_string_lossy(), opts));
            let skipped_name = name.starts_with('.')
                || name.starts_with('_')
                || (opts.skip_tests && name.ends_with("_test.go"));
            dirs_ok && !skipped_name
        })
        .map(|rel| clean(&root.join(rel)))
        .filter(|path| path.is_file() && !excluded(path))
        .collect()
}

/// `./a/b.go` prints as `a/b.go`, as the go tool prints it.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Words for an I/O error that read well after `path:`.
pub fn describe_io(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file or directory".to_string(),
        PermissionDenied => "permission denied".to_string(),
        _ if err.raw_os_error() == Some(40) => {
            "symlink loop (too many levels of symbolic links)".to_string()
        }
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_patterns() {
        assert_eq!(normalise_arg("./..."), PathBuf::from("."));
        assert_eq!(normalise_arg("..."), PathBuf::from("."));
        assert_eq!(normalise_arg("pkg/..."), PathBuf::from("pkg"));
        assert_eq!(normalise_arg("a.go"), PathBuf::from("a.go"));
    }

    #[test]
    fn skips_vendor_testdata_dot_and_underscore_dirs() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "a.go",
            "a_test.go",
            "vendor/v.go",
            "testdata/t.go",
            ".hidden/h.go",
            "_old/o.go",
            "sub/s.go",
            "sub/readme.md",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "package x\n").unwrap();
        }
        let root = dir.path().to_string_lossy().to_string();
        let names = |d: &Discovered| -> Vec<String> {
            d.files
                .iter()
                .map(|p| {
                    p.strip_prefix(dir.path())
                        .unwrap()
                        .to_string_lossy()
                        .to_string()
                })
                .collect()
        };
        let all = discover(
            std::slice::from_ref(&root),
            &DiscoverOptions::default(),
            &|_| false,
        );
        assert_eq!(names(&all), ["a.go", "a_test.go", "sub/s.go"]);
        let opts = DiscoverOptions {
            include_vendor: true,
            include_testdata: true,
            skip_tests: true,
            no_ignore: false,
            force_exclude: false,
        };
        let more = discover(&[root], &opts, &|_| false);
        assert_eq!(
            names(&more),
            ["a.go", "sub/s.go", "testdata/t.go", "vendor/v.go"]
        );
    }

    #[test]
    fn named_files_obey_exclude_only_with_force_exclude() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gen.go");
        std::fs::write(&file, "package x\n").unwrap();
        let named = [file.to_string_lossy().to_string()];
        let excluded = |p: &Path| p.ends_with("gen.go");
        let plain = discover(&named, &DiscoverOptions::default(), &excluded);
        assert_eq!(plain.files, [file]);
        let forced = DiscoverOptions {
            force_exclude: true,
            ..DiscoverOptions::default()
        };
        assert!(discover(&named, &forced, &excluded).files.is_empty());
    }

    #[test]
    fn tracked_files_in_an_ignored_folder_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let git = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(ok, "git {args:?}");
        };
        std::fs::create_dir_all(root.join("server")).unwrap();
        std::fs::write(root.join("server/main.go"), "package main\n").unwrap();
        std::fs::write(root.join("server/extra.go"), "package main\n").unwrap();
        git(&["init", "-q"]);
        git(&["add", "server/main.go"]);
        // The binary `go build` writes is ignored, and so, by the same pattern, is its folder.
        std::fs::write(root.join(".gitignore"), "server\n").unwrap();
        let found = discover(
            &[root.to_string_lossy().to_string()],
            &DiscoverOptions::default(),
            &|_| false,
        );
        assert_eq!(
            found.files,
            [root.join("server/main.go")],
            "untracked extra.go stays ignored"
        );
    }

    #[test]
    fn missing_paths_are_reported_not_fatal() {
        let found = discover(
            &["/definitely/not/here".to_string()],
            &DiscoverOptions::default(),
            &|_| false,
        );
        assert!(found.files.is_empty());
        assert_eq!(
            found.errors,
            ["/definitely/not/here: no such file or directory"]
        );
    }
}
