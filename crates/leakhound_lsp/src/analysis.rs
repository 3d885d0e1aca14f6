//! Checking the package of an open file: the editor's unsaved text for open files, the disk for
//! the rest of the directory, so rules that follow calls between files see the whole package.
//! `leakhound.toml` and `go.mod` are read again on every check: they are small, and an edit to
//! either takes effect without a restart. Trees are kept between checks ([`Trees`]), so a
//! keystroke re-parses the file it changed, not the package.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use leakhound_config::Config;
use leakhound_diagnostics::Diagnostic;
use leakhound_model::gomod::{GoMod, GoVersion, TimerSemantics};
use leakhound_rules::{FileSettings, PackageFile};
use leakhound_syntax::{Arena, ParsedFile};

/// What the client chose in its initialisation options; see the README.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClientOptions {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub go_version: Option<String>,
    /// How long to wait after a keystroke before checking, in milliseconds.
    pub debounce_ms: Option<u64>,
}

/// The options once validated.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub go_version: Option<GoVersion>,
}

impl Settings {
    /// Invalid parts are dropped with a message, so a typo in an editor's configuration costs
    /// that setting, not the server.
    pub fn from_options(options: &ClientOptions) -> (Settings, Vec<String>) {
        let mut problems = Vec::new();
        let mut selectors = |what: &str, list: &[String]| match leakhound_config::effective_rules(
            None,
            list,
            &[],
        ) {
            Ok(_) => list.to_vec(),
            Err(err) => {
                problems.push(format!("initialization option {what}: {err:#}"));
                Vec::new()
            }
        };
        let select = selectors("select", &options.select);
        let ignore = selectors("ignore", &options.ignore);
        let go_version = options.go_version.as_deref().and_then(|v| match v.parse() {
            Ok(version) => Some(version),
            Err(err) => {
                problems.push(format!("initialization option goVersion: {err}"));
                None
            }
        });
        (
            Settings {
                select,
                ignore,
                go_version,
            },
            problems,
        )
    }
}

/// One package checked.
#[derive(Default)]
pub struct PackageCheck {
    /// Findings by the file they are reported in (its absolute path).
    pub diagnostics: HashMap<String, Vec<Diagnostic>>,
    /// The text of every file checked, by filename, for related locations.
    pub sources: HashMap<String, String>,
    /// Configuration and I/O problems, for the editor's message area.
    pub problems: Vec<String>,
}

pub fn filename(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

struct Owner {
    text: String,
    arena: Arena,
}

self_cell::self_cell!(
    /// A file's text with the tree parsed from it, in its own arena.
    struct Tree {
        owner: Owner,
        #[covariant]
        dependent: ParsedFile,
    }
);

impl Tree {
    fn parse(text: String) -> Tree {
        Tree::new(
            Owner {
                text,
                arena: Arena::new(),
            },
            |o| leakhound_syntax::parse_file(&o.text, &o.arena),
        )
    }

    fn text(&self) -> &str {
        &self.borrow_owner().text
    }
}

/// Where a tree's text came from: a file on disk as it was at its length and modification
/// time, or the editor's buffer (compared by its text).
#[derive(PartialEq, Eq)]
enum Stamp {
    Disk(u64, Option<SystemTime>),
    Open,
}

/// The parsed files of the packages being edited, by path.
#[derive(Default)]
pub struct Trees {
    files: HashMap<PathBuf, (Stamp, Tree)>,
}

impl Trees {
    /// Drops the trees of a package no open file belongs to any more.
    pub fn forget(&mut self, dir: &Path) {
        self.files.retain(|path, _| path.parent() != Some(dir));
    }

    /// Brings the trees of `dir` up to date and returns the paths of its `.go` files.
    fn refresh(
        &mut self,
        dir: &Path,
        open: &HashMap<PathBuf, String>,
        problems: &mut Vec<String>,
    ) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = Vec::new();
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
                    if path.extension() != Some(OsStr::new("go")) || open.contains_key(&path) {
                        continue;
                    }
                    let Ok(meta) = std::fs::metadata(&path) else {
                        continue;
                    };
                    if !meta.is_file() {
                        continue;
                    }
                    let stamp = Stamp::Disk(meta.len(), meta.modified().ok());
                    if !self.files.get(&path).is_some_and(|(s, _)| *s == stamp) {
                        match std::fs::read_to_string(&path) {
                            Ok(text) => {
                                self.files.insert(path.clone(), (stamp, Tree::parse(text)));
                            }
                            Err(err) => {
                                problems.push(format!("{}: {err}", path.display()));
                                self.files.remove(&path);
                                continue;
                            }
                        }
                    }
                    paths.push(path);
                }
            }
            Err(err) => problems.push(format!(
                "{}: cannot list the directory: {err}",
                dir.display()
            )),
        }
        for (path, text) in open.iter().filter(|(p, _)| p.parent() == Some(dir)) {
            let fresh = self
                .files
                .get(path)
                .is_some_and(|(s, tree)| *s == Stamp::Open && tree.text() == text);
            if !fresh {
                self.files
                    .insert(path.clone(), (Stamp::Open, Tree::parse(text.clone())));
            }
            paths.push(path.clone());
        }
        let present: HashSet<&PathBuf> = paths.iter().collect();
        self.files
            .retain(|path, _| path.parent() != Some(dir) || present.contains(path));
        paths.sort();
        paths
    }
}

/// Checks the package in `dir`; `open` holds the editor's text of the open files in it.
pub fn check_dir(
    dir: &Path,
    open: &HashMap<PathBuf, String>,
    settings: &Settings,
    trees: &mut Trees,
) -> PackageCheck {
    let mut result = PackageCheck::default();
    let config = Config::discover(dir).unwrap_or_else(|err| {
        result.problems.push(format!("{err:#}"));
        None
    });
    let rules =
        leakhound_config::effective_rules(config.as_ref(), &settings.select, &settings.ignore)
            .unwrap_or_else(|err| {
                result.problems.push(format!("{err:#}"));
                leakhound_rules::registry::RuleSet::all()
            });
    let paths = trees.refresh(dir, open, &mut result.problems);
    // As `leakhound check` does by default: generated and excluded files are not part of it.
    let files: Vec<(&PathBuf, &Tree)> = paths
        .iter()
        .map(|path| (path, &trees.files[path].1))
        .filter(|(path, tree)| {
            !leakhound_syntax::is_generated(tree.text())
                && !config.as_ref().is_some_and(|c| c.is_excluded(path))
        })
        .collect();
    let directive = files
        .iter()
        .find_map(|(_, tree)| leakhound_rules::asynctimerchan_directive(tree.borrow_dependent()));
    let gomod = find_gomod(dir).unwrap_or_else(|problem| {
        result.problems.push(problem);
        None
    });
    let version = settings
        .go_version
        .or(config.as_ref().and_then(|c| c.go_version))
        .or(gomod.as_ref().and_then(|m| m.go));
    let timers = TimerSemantics::decide(
        version,
        directive.or(gomod.as_ref().and_then(|m| m.async_timer_chan)),
    );
    let package: Vec<PackageFile> = files
        .iter()
        .map(|(path, tree)| PackageFile {
            filename: filename(path),
            source: tree.text(),
            parsed: tree.borrow_dependent(),
            settings: FileSettings {
                rules: config
                    .as_ref()
                    .map_or(rules, |c| rules.difference(c.ignored_for(path))),
                timers: timers.clone(),
            },
        })
        .collect();
    for diagnostic in leakhound_rules::check_package(&package) {
        result
            .diagnostics
            .entry(diagnostic.filename.clone())
            .or_default()
            .push(diagnostic);
    }
    // Kept for the editor: the open files and those that related locations point into.
    let wanted: HashSet<&str> = result
        .diagnostics
        .values()
        .flatten()
        .flat_map(|d| d.related.iter().map(|r| r.filename.as_str()))
        .collect();
    result.sources = package
        .iter()
        .filter(|f| {
            wanted.contains(f.filename.as_str()) || open.contains_key(Path::new(&f.filename))
        })
        .map(|f| (f.filename.clone(), f.source.to_string()))
        .collect();
    result
}

/// The nearest `go.mod` at or above `dir`.
fn find_gomod(dir: &Path) -> Result<Option<GoMod>, String> {
    let Some(path) = dir
        .ancestors()
        .map(|d| d.join("go.mod"))
        .find(|p| p.is_file())
    else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    GoMod::parse(&text)
        .map(Some)
        .map_err(|e| format!("{}: invalid go.mod: {e}", path.display()))
}
