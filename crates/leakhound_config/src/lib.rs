//! `leakhound.toml`, shared by `leakhound check` and `leakhound server`: found by walking up from
//! the checked path, so a monorepo can keep one at its root and another in a sub-module.
//!
//! ```toml
//! select = ["LH"]
//! ignore = ["LH202"]
//! exclude = ["gen/**", "**/*_mock.go"]
//! go-version = "1.22"
//!
//! [per-file-ignores]
//! "cmd/**" = ["LH102"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use leakhound_model::gomod::GoVersion;
use leakhound_rules::registry::{self, RuleSet};
use serde::Deserialize;

pub const CONFIG_FILE: &str = "leakhound.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    go_version: Option<String>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<String>>,
}

/// A loaded configuration, with globs relative to the directory that holds the file.
#[derive(Debug)]
pub struct Config {
    pub root: PathBuf,
    pub select: Option<RuleSet>,
    pub ignore: RuleSet,
    pub exclude: GlobSet,
    pub go_version: Option<GoVersion>,
    per_file_ignores: Vec<(GlobSet, RuleSet)>,
}

impl Config {
    /// Finds the nearest `leakhound.toml` at or above `start`.
    pub fn discover(start: &Path) -> Result<Option<Config>> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
            dir = d.parent();
        }
        Ok(None)
    }

    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            // `path:line:column:` as editors and compilers print positions.
            let at = e.span().map_or(String::new(), |span| {
                let start = span.start.min(text.len());
                let line = text[..start].matches('\n').count() + 1;
                let column = start - text[..start].rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("{line}:{column}:")
            });
            anyhow::anyhow!(
                "{}:{at} invalid configuration: {}",
                path.display(),
                e.message()
            )
        })?;
        let context = |what: &str| format!("{}: invalid {what}", path.display());
        let select = raw
            .select
            .as_ref()
            .map(|s| registry::select_all(s.iter().map(String::as_str)))
            .transpose()
            .with_context(|| context("select"))?;
        let ignore = registry::select_all(raw.ignore.iter().flatten().map(String::as_str))
            .with_context(|| context("ignore"))?;
        let exclude = build_globs(&raw.exclude).with_context(|| context("exclude"))?;
        let go_version = raw
            .go_version
            .as_deref()
            .map(str::parse)
            .transpose()
            .with_context(|| context("go-version"))?;
        let mut per_file_ignores = Vec::new();
        for (pattern, selectors) in &raw.per_file_ignores {
            let globs = build_globs(std::slice::from_ref(pattern))
                .with_context(|| context("per-file-ignores pattern"))?;
            let rules = registry::select_all(selectors.iter().map(String::as_str))
                .with_context(|| context("per-file-ignores"))?;
            per_file_ignores.push((globs, rules));
        }
        Ok(Config {
            root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            select,
            ignore,
            exclude,
            go_version,
            per_file_ignores,
        })
    }

    /// The path of `file` relative to the config's directory, the form its globs are written in.
    fn relative(&self, file: &Path) -> Option<PathBuf> {
        let abs = std::path::absolute(file).ok()?;
        abs.strip_prefix(&self.root).ok().map(Path::to_path_buf)
    }

    pub fn is_excluded(&self, file: &Path) -> bool {
        self.relative(file)
            .is_some_and(|rel| self.exclude.is_match(&rel))
    }

    /// Rules switched off for this file by `per-file-ignores`.
    pub fn ignored_for(&self, file: &Path) -> RuleSet {
        let Some(rel) = self.relative(file) else {
            return RuleSet::empty();
        };
        self.per_file_ignores
            .iter()
            .filter(|(globs, _)| globs.is_match(&rel))
            .fold(RuleSet::empty(), |acc, (_, rules)| acc.union(*rules))
    }
}

/// The rules a run enables: an explicit `select` (command line, editor settings) replaces the
/// config's `select` and `ignore`; an explicit `ignore` is then taken away.
pub fn effective_rules(
    config: Option<&Config>,
    select: &[String],
    ignore: &[String],
) -> Result<RuleSet> {
    let rules = if !select.is_empty() {
        registry::select_all(select.iter().map(String::as_str))?
    } else {
        let config_select = config.and_then(|c| c.select).unwrap_or_else(RuleSet::all);
        config.map_or(config_select, |c| config_select.difference(c.ignore))
    };
    Ok(rules.difference(registry::select_all(ignore.iter().map(String::as_str))?))
}

fn build_globs(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern).with_context(|| format!("glob {pattern:?}"))?);
        // `dir/**` should also match `dir` itself when a directory is tested.
        if let Some(dir) = pattern.strip_suffix("/**") {
            builder.add(Glob::new(dir)?);
        }
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_config() {
        let c = Config::parse(
            Path::new("/repo/leakhound.toml"),
            "select = [\"LH1\", \"lost-cancel\"]\nignore = [\"LH103\"]\nexclude = [\"gen/**\"]\ngo-version = \"1.22\"\n[per-file-ignores]\n\"cmd/**\" = [\"LH102\"]\n",
        )
        .unwrap();
        let select = c.select.unwrap();
        use registry::RuleId::*;
        assert!(select.contains(AfterInLoop) && select.contains(LostCancel));
        assert!(!select.contains(DeferInLoop));
        assert!(c.ignore.contains(TickerNotStopped));
        assert_eq!(c.go_version, Some(GoVersion::new(1, 22)));
        assert!(c.is_excluded(Path::new("/repo/gen/x.go")));
        assert!(!c.is_excluded(Path::new("/repo/src/x.go")));
        assert!(c
            .ignored_for(Path::new("/repo/cmd/tool/main.go"))
            .contains(TickLeak));
        assert!(c.ignored_for(Path::new("/repo/pkg/a.go")).is_empty());
    }

    #[test]
    fn explicit_selection_replaces_the_configs() {
        let c = Config::parse(
            Path::new("/repo/leakhound.toml"),
            "select = [\"LH2\"]\nignore = [\"LH202\"]\n",
        )
        .unwrap();
        let set = |s: &[&str]| registry::select_all(s.iter().copied()).unwrap();
        assert_eq!(
            effective_rules(Some(&c), &[], &[]).unwrap(),
            set(&["LH2"]).difference(set(&["LH202"]))
        );
        assert_eq!(
            effective_rules(Some(&c), &["LH1".into()], &["LH103".into()]).unwrap(),
            set(&["LH1"]).difference(set(&["LH103"]))
        );
        assert_eq!(effective_rules(None, &[], &[]).unwrap(), RuleSet::all());
        assert!(effective_rules(None, &["LH9".into()], &[]).is_err());
    }

    #[test]
    fn malformed_configs_name_the_file_and_the_problem() {
        let path = Path::new("/repo/leakhound.toml");
        let err = format!(
            "{:#}",
            Config::parse(path, "select = [\"LH101\"").unwrap_err()
        );
        assert!(
            err.starts_with("/repo/leakhound.toml:1:18: invalid configuration"),
            "{err}"
        );
        let err = format!(
            "{:#}",
            Config::parse(path, "ignore = []\nselct = []").unwrap_err()
        );
        assert!(
            err.starts_with("/repo/leakhound.toml:2:1: invalid configuration")
                && err.contains("unknown field"),
            "{err}"
        );
        let err = format!(
            "{:#}",
            Config::parse(path, "select = [\"LH999\"]").unwrap_err()
        );
        assert!(
            err.contains("invalid select") && err.contains("LH999"),
            "{err}"
        );
        let err = format!(
            "{:#}",
            Config::parse(path, "go-version = \"one\"").unwrap_err()
        );
        assert!(err.contains("go-version"), "{err}");
        let err = format!(
            "{:#}",
            Config::parse(path, "exclude = [\"a[\"]").unwrap_err()
        );
        assert!(err.contains("exclude"), "{err}");
    }
}
