//! What CI systems check about the machine formats: the SARIF schema, XML well-formedness and
//! counts, and fingerprints that survive lines moving.
//!
//! `data/sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0 (errata 01) schema, as published in
//! oasis-tcs/sarif-spec at `sarif-2.1/schema/sarif-schema-2.1.0.json`.

mod common;

use std::collections::BTreeMap;

use common::*;
use leakhound_diagnostics::{Diagnostic, OutputFormat, Severity};
use serde_json::Value;

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(out: &str) -> Value {
    let log: Value = serde_json::from_str(out).unwrap();
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    log
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let log = assert_valid_sarif(&render_to_string(OutputFormat::Sarif, &diagnostics()));
    let run = &log["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        rules().len(),
        "every rule, not just those that fired"
    );
    for result in run["results"].as_array().unwrap() {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
        let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location["uriBaseId"], "%SRCROOT%");
        assert!(location["uri"].as_str().unwrap().starts_with("orders/"));
    }
}

#[test]
fn empty_sarif_is_valid_too() {
    let log = assert_valid_sarif(&render_to_string(OutputFormat::Sarif, &[]));
    assert_eq!(log["runs"][0]["results"], Value::Array(vec![]));
}

#[test]
fn sarif_the_schema_rejects_is_caught() {
    // The validator is live: a broken log must fail it.
    let mut log: Value =
        serde_json::from_str(&render_to_string(OutputFormat::Sarif, &diagnostics())).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!sarif_validator().is_valid(&log));
}

#[test]
fn checkstyle_is_well_formed_xml() {
    for diagnostics in [diagnostics(), vec![]] {
        let out = render_to_string(OutputFormat::Checkstyle, &diagnostics);
        let doc = roxmltree::Document::parse(&out).expect("well-formed checkstyle");
        let errors: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("error"))
            .collect();
        assert_eq!(errors.len(), diagnostics.len());
        for (node, d) in errors.iter().zip(&diagnostics) {
            assert_eq!(
                node.attribute("message"),
                Some(d.message.as_str()),
                "escaping round-trips"
            );
            assert_eq!(
                node.attribute("source"),
                Some(format!("leakhound.{}", d.code).as_str())
            );
        }
    }
}

#[test]
fn junit_is_well_formed_with_consistent_counts() {
    for diagnostics in [diagnostics(), vec![]] {
        let out = render_to_string(OutputFormat::Junit, &diagnostics);
        let doc = roxmltree::Document::parse(&out).expect("well-formed junit");
        let root = doc.root_element();
        let cases = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        let failures = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures, diagnostics.len());
        assert_eq!(root.attribute("tests"), Some(cases.to_string().as_str()));
        assert_eq!(
            root.attribute("failures"),
            Some(failures.to_string().as_str())
        );
        for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
            let cases = suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .count();
            let failed = suite
                .descendants()
                .filter(|n| n.has_tag_name("failure"))
                .count();
            assert_eq!(suite.attribute("tests"), Some(cases.to_string().as_str()));
            assert_eq!(
                suite.attribute("failures"),
                Some(failed.to_string().as_str())
            );
        }
    }
}

fn sarif_prints(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>) -> Vec<String> {
    let log: Value = serde_json::from_str(&render_with(
        OutputFormat::Sarif,
        diagnostics,
        sources,
        false,
    ))
    .unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["leakhound/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn codeclimate_prints(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
) -> Vec<String> {
    let issues: Value = serde_json::from_str(&render_with(
        OutputFormat::Codeclimate,
        diagnostics,
        sources,
        false,
    ))
    .unwrap();
    issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fingerprints_survive_a_blank_line_above() {
    let before = diagnostics();
    let shifted_src = WORKER_GO.replacen("func (w *Worker) Run", "\nfunc (w *Worker) Run", 1);
    let mut after = diagnostics();
    for d in after.iter_mut().filter(|d| d.filename == WORKER) {
        d.location.row += 1;
        d.end_location.row += 1;
    }
    let shifted: BTreeMap<String, String> = [
        (WORKER.to_string(), shifted_src),
        (PROCESS.to_string(), PROCESS_GO.to_string()),
    ]
    .into();

    let old = sarif_prints(&before, &sources());
    assert_eq!(old, sarif_prints(&after, &shifted));
    assert_eq!(
        codeclimate_prints(&before, &sources()),
        codeclimate_prints(&after, &shifted)
    );
    assert_eq!(
        old,
        codeclimate_prints(&before, &sources()),
        "one scheme for both formats"
    );

    let mut unique = old.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        old.len(),
        "every finding has its own fingerprint"
    );
}

#[test]
fn identical_findings_on_identical_lines_get_distinct_fingerprints() {
    let src = "package x\n\nfunc f() {\n\tgo leak()\n\tgo leak()\n}\n";
    let sources: BTreeMap<String, String> = [("x.go".to_string(), src.to_string())].into();
    let first = diagnostic(
        ("LH304", "unstoppable-loop", Severity::Error),
        "x.go",
        src,
        "go leak()",
        0,
        "m",
    );
    let second = diagnostic(
        ("LH304", "unstoppable-loop", Severity::Error),
        "x.go",
        src,
        "go leak()",
        1,
        "m",
    );
    let prints = sarif_prints(&[first.clone(), second], &sources);
    assert_ne!(prints[0], prints[1]);
    // ... and the first keeps its fingerprint whether or not the second exists.
    assert_eq!(prints[0], sarif_prints(&[first], &sources)[0]);
}

#[test]
fn absolute_paths_under_the_working_directory_become_relative() {
    let cwd = std::env::current_dir().unwrap();
    let absolute = format!("{}/{WORKER}", cwd.to_str().unwrap().replace('\\', "/"));
    let relative: Vec<_> = diagnostics()
        .into_iter()
        .filter(|d| d.filename == WORKER)
        .collect();
    let mut moved = relative.clone();
    for d in &mut moved {
        d.filename = absolute.clone();
    }
    let sources: BTreeMap<String, String> = [(absolute.clone(), WORKER_GO.to_string())].into();

    let log: Value =
        serde_json::from_str(&render_with(OutputFormat::Sarif, &moved, &sources, false)).unwrap();
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        (location["uri"].as_str(), location["uriBaseId"].as_str()),
        (Some(WORKER), Some("%SRCROOT%"))
    );
    assert_eq!(
        sarif_prints(&moved, &sources),
        sarif_prints(&relative, &self::sources()),
        "fingerprints do not depend on the checkout's location"
    );

    let issues: Value = serde_json::from_str(&render_with(
        OutputFormat::Codeclimate,
        &moved,
        &sources,
        false,
    ))
    .unwrap();
    assert_eq!(issues[0]["location"]["path"], WORKER);
    assert!(render_with(OutputFormat::Github, &moved, &sources, false)
        .contains(&format!("file={WORKER},")));
}
