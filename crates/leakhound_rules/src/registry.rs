//! The rule catalog: every rule's code, name, severity and documentation, and the selection
//! language (`LH101`, `after-in-loop`, `LH2`, `ALL`) that `--select`, `--ignore`, the config
//! file and suppression comments share.

use leakhound_diagnostics::{Diagnostic, Location, RuleMeta, Severity};
use leakhound_syntax::ast::Span;
use leakhound_syntax::LineIndex;

use crate::rules;

/// Where a rule's documentation is published; SARIF and JSON link to it.
const DOCS_BASE: &str = "https://leakhound.dev/rules";

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// One line: what the rule finds (SARIF short description, `leakhound rule --all`).
    pub summary: &'static str,
    /// Default severity; some rules lower it by Go version (LH101).
    pub severity: Severity,
    /// The rule file's `//!` documentation, in Markdown.
    pub doc: &'static str,
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

/// Every rule, in catalog order.
pub static RULES: &[&Rule] = &[
    &rules::parse_error::RULE,
    &rules::after_in_loop::RULE,
    &rules::tick_leak::RULE,
    &rules::ticker_not_stopped::RULE,
    &rules::lost_cancel::RULE,
    &rules::defer_in_loop::RULE,
    &rules::abandoned_sender::RULE,
    &rules::range_unclosed::RULE,
    &rules::send_without_cancel::RULE,
    &rules::unstoppable_loop::RULE,
    &rules::producer_no_close::RULE,
    &rules::abandoned_receiver::RULE,
    &rules::missing_unlock::RULE,
    &rules::double_lock::RULE,
    &rules::chan_op_under_lock::RULE,
    &rules::done_skipped::RULE,
    &rules::waitgroup_misuse::RULE,
];

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

pub fn index_of(code: &str) -> Option<usize> {
    RULES.iter().position(|r| r.code == code)
}

/// A set of rules, by their index in [`RULES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RuleSet(u64);

impl RuleSet {
    pub fn all() -> Self {
        RuleSet((1u64 << RULES.len()) - 1)
    }

    pub fn empty() -> Self {
        RuleSet(0)
    }

    pub fn contains(&self, code: &str) -> bool {
        index_of(code).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    pub fn insert(&mut self, code: &str) {
        if let Some(i) = index_of(code) {
            self.0 |= 1 << i;
        }
    }

    pub fn remove(&mut self, code: &str) {
        if let Some(i) = index_of(code) {
            self.0 &= !(1 << i);
        }
    }

    pub fn union(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 | other.0)
    }

    pub fn difference(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 & !other.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = &'static Rule> {
        RULES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, r)| *r)
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
        set.insert(rule.code);
        return Ok(set);
    }
    for rule in RULES {
        if !s.is_empty()
            && rule.code.len() >= s.len()
            && rule.code[..s.len()].eq_ignore_ascii_case(s)
        {
            set.insert(rule.code);
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
    fn selectors() {
        assert!(select("LH101").unwrap().contains("LH101"));
        assert!(select("after-in-loop").unwrap().contains("LH101"));
        assert!(select("lh101").unwrap().contains("LH101"));
        let timers = select("LH1").unwrap();
        assert!(timers.contains("LH102") && timers.contains("LH103") && !timers.contains("LH201"));
        assert!(select("ALL").unwrap().contains("E001"));
        assert!(select("LH9").is_err());
        assert!(select("").is_err());
        let both = select_all(["LH101", "LH2"]).unwrap();
        assert!(both.contains("LH202") && !both.contains("LH102"));
    }
}
