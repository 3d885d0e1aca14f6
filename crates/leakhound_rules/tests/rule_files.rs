//! The shape of a rule file: it reads the syntax tree, the model, its context, the registry
//! and the shared helpers, never a dispatcher (`channels`, `locks`) or another rule; and every
//! file under `src/rules/` is in the registry.

use std::path::Path;

use regex::Regex;

/// What a rule file may name under `crate::`.
const ALLOWED: &[&str] = &["context", "registry", "helpers", "docs", "PackageFile"];

fn rule_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn rule_files_import_no_dispatcher_and_no_other_rule() {
    let path = Regex::new(r"crate::(\w+)(?:::(\w+))?").unwrap();
    let grouped = Regex::new(r"use crate::\{([^}]*)\}").unwrap();
    let mut problems = Vec::new();
    for (stem, text) in rule_files().iter().filter(|(s, _)| s != "mod") {
        // A rule's own unit tests may reach into it with `super::`.
        let text = text.split("#[cfg(test)]").next().unwrap_or(text);
        if text.contains("super::") {
            problems.push(format!("{stem}.rs reaches its parent with super::"));
        }
        let mut names: Vec<(String, Option<String>)> = path
            .captures_iter(text)
            .map(|c| (c[1].to_string(), c.get(2).map(|m| m.as_str().to_string())))
            .collect();
        for g in grouped.captures_iter(text) {
            for item in g[1].split(',') {
                let item = item.trim();
                let mut parts = item.split("::");
                if let Some(first) = parts.next().filter(|f| !f.is_empty()) {
                    names.push((first.to_string(), parts.next().map(str::to_string)));
                }
            }
        }
        for (module, item) in names {
            let ok = ALLOWED.contains(&module.as_str())
                || (module == "rules" && item.as_deref() == Some("RuleId"));
            if !ok {
                problems.push(format!(
                    "{stem}.rs uses crate::{module}{}",
                    item.map(|i| format!("::{i}")).unwrap_or_default()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_file_is_in_the_registry() {
    let files = rule_files();
    let registry = &files
        .iter()
        .find(|(s, _)| s == "mod")
        .expect("rules/mod.rs")
        .1;
    for (stem, text) in files.iter().filter(|(s, _)| s != "mod") {
        assert!(
            registry.contains(&format!("=> {stem},")),
            "src/rules/{stem}.rs is not in the registry (src/rules/mod.rs)"
        );
        assert!(
            text.contains("pub(crate) const RULE: Rule = Rule {"),
            "src/rules/{stem}.rs declares no RULE"
        );
    }
}
