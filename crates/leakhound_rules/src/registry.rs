//! The rule catalog: every rule's code, name, severity and documentation, and the selection
//! language (`LH101`, `after-in-loop`, `LH2`, `ALL`) that `--select`, `--ignore`, the config
//! file and suppression comments share.

use leakhound_diagnostics::{Diagnostic, Location, RuleMeta, Severity};
use leakhound_syntax::ast::Span;
use leakhound_syntax::LineIndex;

use crate::rules;
pub use crate::rules::RuleId;

/// Where a rule's documentation is published; SARIF and JSON link to it.
const DOCS_BASE: &str = "https://leakhound.dev/rules";

/// Whether a rule is on by default and may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Stable,
    /// Reported only when selected by code or name; its findings may still change.
    Preview,
}

/// The analyses of a package a rule reads. The checker computes an analysis only when an
/// enabled rule requires it, so a rule that forgets one here sees nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// The parse itself (syntax errors).
    Syntax,
    /// The file walk: functions, loops, scopes and the references to each local name.
    Walk,
    /// The channel model of each function declaration (`leakhound_model::channels`) and the
    /// package's producer functions.
    Channels,
    /// The lock flow of each function body over its control-flow view, with the package
    /// summaries.
    LockFlow,
    /// The wait-group calls of each function body, with the package summaries.
    WaitGroups,
    /// The channels made in each function and their uses over the control-flow view, with the
    /// package summaries.
    ChannelUses,
    /// The package's semantic model (`leakhound_model::semantic`): types, identities of
    /// locks, wait groups, conds and channels, the call graph and lock effects at any depth.
    Semantic,
}

#[derive(Debug)]
pub struct Rule {
    pub id: RuleId,
    pub code: &'static str,
    pub name: &'static str,
    /// One line: what the rule finds (SARIF short description, `leakhound rule --all`).
    pub summary: &'static str,
    /// Default severity; some rules lower it by Go version (LH101).
    pub severity: Severity,
    /// The rule file's `//!` documentation, in Markdown.
    pub doc: &'static str,
    /// The leakhound version that introduced the rule.
    pub since: &'static str,
    pub status: Status,
    pub requires: &'static [Fact],
}

impl Rule {
    pub fn url(&self) -> String {
        format!("{DOCS_BASE}/{}", self.name)
    }

    /// A finding of this rule at `span` of `filename`, with the rule's severity and no help,
    /// fix or related notes yet: the one constructor every rule pass uses.
    pub(crate) fn at(
        &'static self,
        filename: String,
        lines: &LineIndex,
        span: Span,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message,
            help: None,
            filename,
            location: location(lines, span.start),
            end_location: location(lines, span.end),
            fix: None,
            related: Vec::new(),
            url: self.url(),
            start: span.start as usize,
            end: span.end as usize,
        }
    }

    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            code: self.code,
            name: self.name,
            summary: self.summary,
            doc: self.doc,
            severity: self.severity,
            url: self.url(),
        }
    }
}

/// Every rule, in catalog order (the order of [`RuleId`]).
pub static RULES: &[&Rule] = rules::RULES;

/// The 1-based line and byte column of `offset`.
pub(crate) fn location(lines: &LineIndex, offset: u32) -> Location {
    let (row, column) = lines.line_col(offset);
    Location { row, column }
}

/// Looks a rule up by code or name, case-insensitively.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

const WORDS: usize = RuleId::ALL.len().div_ceil(64);

/// A set of rules: one bit per [`RuleId`], as many words as the catalog needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RuleSet([u64; WORDS]);

impl RuleSet {
    /// Every stable rule: the default selection, and what `ALL` and prefixes select. A
    /// preview rule is selected by its code or name only.
    pub fn all() -> Self {
        RULES
            .iter()
            .filter(|r| r.status == Status::Stable)
            .fold(RuleSet::empty(), |mut set, r| {
                set.insert(r.id);
                set
            })
    }

    pub fn empty() -> Self {
        RuleSet([0; WORDS])
    }

    pub fn contains(&self, id: RuleId) -> bool {
        let i = id as usize;
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn insert(&mut self, id: RuleId) {
        let i = id as usize;
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub fn remove(&mut self, id: RuleId) {
        let i = id as usize;
        self.0[i / 64] &= !(1 << (i % 64));
    }

    pub fn union(mut self, other: RuleSet) -> RuleSet {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        self
    }

    pub fn difference(mut self, other: RuleSet) -> RuleSet {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a &= !b;
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn iter(self) -> impl Iterator<Item = &'static Rule> {
        RULES.iter().copied().filter(move |r| self.contains(r.id))
    }

    /// Whether some rule of the set requires `fact`.
    pub fn requires(self, fact: Fact) -> bool {
        self.iter().any(|r| r.requires.contains(&fact))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule selector {0:?} (use a code such as LH101, a name such as after-in-loop, a prefix such as LH2, or ALL)")]
pub struct UnknownSelector(pub String);

/// Resolves one selector: `ALL`, an exact code or name, or a code prefix (`LH`, `LH2`, `E`).
pub fn select(selector: &str) -> Result<RuleSet, UnknownSelector> {
    let s = selector.trim();
    let mut set = RuleSet::empty();
    if s.eq_ignore_ascii_case("all") {
        return Ok(RuleSet::all());
    }
    if let Some(rule) = find(s) {
        set.insert(rule.id);
        return Ok(set);
    }
    for rule in RULES {
        if rule.status == Status::Stable
            && !s.is_empty()
            && rule.code.len() >= s.len()
            && rule.code[..s.len()].eq_ignore_ascii_case(s)
        {
            set.insert(rule.id);
        }
    }
    if set.is_empty() {
        Err(UnknownSelector(selector.to_string()))
    } else {
        Ok(set)
    }
}

/// Resolves a list of selectors into one set.
pub fn select_all<'a>(
    selectors: impl IntoIterator<Item = &'a str>,
) -> Result<RuleSet, UnknownSelector> {
    selectors
        .into_iter()
        .try_fold(RuleSet::empty(), |acc, s| Ok(acc.union(select(s)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_documentation_with_the_catalog_sections() {
        for rule in RULES {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Go version notes",
                "## Fix safety",
                "## Related",
            ] {
                assert!(rule.doc.contains(section), "{} lacks {section}", rule.code);
            }
        }
    }

    #[test]
    fn codes_and_names_are_unique() {
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn every_rule_is_registered_under_its_own_id() {
        assert_eq!(RULES.len(), RuleId::ALL.len());
        for (rule, id) in RULES.iter().zip(RuleId::ALL) {
            assert_eq!(rule.id, *id, "{} is registered out of order", rule.code);
            assert!(!rule.requires.is_empty(), "{} requires no fact", rule.code);
            assert!(
                rule.since.split('.').count() == 3,
                "{}: since {:?}",
                rule.code,
                rule.since
            );
        }
    }

    #[test]
    fn selectors() {
        use RuleId::*;
        assert!(select("LH101").unwrap().contains(AfterInLoop));
        assert!(select("after-in-loop").unwrap().contains(AfterInLoop));
        assert!(select("lh101").unwrap().contains(AfterInLoop));
        let timers = select("LH1").unwrap();
        assert!(
            timers.contains(TickLeak)
                && timers.contains(TickerNotStopped)
                && !timers.contains(LostCancel)
        );
        assert!(select("ALL").unwrap().contains(ParseError));
        assert!(select("LH9").is_err());
        assert!(select("").is_err());
        let both = select_all(["LH101", "LH2"]).unwrap();
        assert!(both.contains(DeferInLoop) && !both.contains(TickLeak));
    }

    #[test]
    fn a_set_holds_more_than_one_word_of_rules() {
        let mut set = RuleSet::empty();
        for id in RuleId::ALL {
            set.insert(*id);
        }
        // Every rule: the stable ones (`all`) and the preview ones.
        assert!(RuleSet::all().difference(set).is_empty());
        assert!(set
            .difference(RuleSet::all())
            .iter()
            .all(|r| r.status == Status::Preview));
        set.remove(RuleId::WaitgroupMisuse);
        assert!(!set.contains(RuleId::WaitgroupMisuse) && set.contains(RuleId::ParseError));
        assert_eq!(set.iter().count(), RULES.len() - 1);
    }
}
