//! Checking the package of an open file: the editor's unsaved text for open files, the disk for
//! the rest of the directory, so rules that follow calls between files see the whole package.
//! `leakhound.toml` and `go.mod` are read again on every check: they are small, and an edit to
//! either takes effect without a restart.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use leakhound_config::Config;
use leakhound_diagnostics::Diagnostic;
use leakhound_model::gomod::{GoMod, GoVersion, TimerSemantics};
use leakhound_rules::{FileSettings, PackageFile};

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

/// Checks the package in `dir`; `open` holds the editor's text of the open files in it.
pub fn check_dir(dir: &Path, open: &HashMap<PathBuf, String>, settings: &Settings) -> PackageCheck {
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
    let mut files: BTreeMap<PathBuf, String> = BTreeMap::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
                if path.extension().is_some_and(|x| x == "go")
                    && !open.contains_key(&path)
                    && path.is_file()
                {
                    match std::fs::read_to_string(&path) {
                        Ok(text) => {
                            files.insert(path, text);
                        }
                        Err(err) => result.problems.push(format!("{}: {err}", path.display())),
                    }
                }
            }
        }
        Err(err) => result.problems.push(format!(
            "{}: cannot list the directory: {err}",
            dir.display()
        )),
    }
    files.extend(
        open.iter()
            .filter(|(path, _)| path.parent() == Some(dir))
            .map(|(path, text)| (path.clone(), text.clone())),
    );
    // As `leakhound check` does by default: generated and excluded files are not part of it.
    files.retain(|path, text| {
        !leakhound_syntax::is_generated(text)
            && !config.as_ref().is_some_and(|c| c.is_excluded(path))
    });

    let arena = leakhound_syntax::Arena::new();
    let parsed: Vec<_> = files
        .values()
        .map(|text| leakhound_syntax::parse_file(text, &arena))
        .collect();
    let directive = parsed
        .iter()
        .find_map(leakhound_rules::asynctimerchan_directive);
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
        .zip(&parsed)
        .map(|((path, text), parsed)| PackageFile {
            filename: filename(path),
            source: text,
            parsed,
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
    drop(package);
    drop(parsed);
    result.sources = files
        .into_iter()
        .map(|(path, text)| (filename(&path), text))
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
