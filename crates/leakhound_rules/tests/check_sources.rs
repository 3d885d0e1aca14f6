//! The sources entry point: a package as (path, source) pairs, findings sorted, across files.

use leakhound_model::gomod::{GoVersion, TimerSemantics};
use leakhound_rules::registry::RuleSet;
use leakhound_rules::{check_sources, FileSettings};

#[test]
fn checks_a_package_given_as_sources() {
    let a = "package p\n\nimport \"context\"\n\nfunc f(p context.Context) {\n\tctx, _ := context.WithCancel(p)\n\t_ = ctx\n}\n";
    let b = "package p\n\nfunc g(xs []int) {\n\tfor range xs {\n\t\tdefer println()\n\t}\n}\n";
    let settings = FileSettings {
        rules: RuleSet::all(),
        timers: TimerSemantics::decide(Some(GoVersion::new(1, 22)), None),
    };
    let found = check_sources(&[("b.go", b), ("a.go", a)], &settings);
    let codes: Vec<(&str, &str, usize)> = found
        .iter()
        .map(|d| (d.filename.as_str(), d.code, d.location.row))
        .collect();
    assert_eq!(codes, [("a.go", "LH201", 6), ("b.go", "LH202", 5)]);
}
