//! Snapshots of every output format for one realistic run, plus the properties CI systems rely
//! on: schema-valid SARIF, well-formed XML, stable fingerprints, and no panics on bad input.

mod common;

use std::collections::BTreeMap;

use common::*;
use leakhound_diagnostics::{Diagnostic, Location, OutputFormat, Severity};

#[test]
fn fixture_positions_are_what_the_snapshots_claim() {
    let diagnostics = diagnostics();
    let codes: Vec<_> = diagnostics
        .iter()
        .map(|d| (d.filename.as_str(), d.location.row, d.code))
        .collect();
    assert_eq!(
        codes,
        [
            (PROCESS, 7, "LH301"),
            (WORKER, 12, "LH101"),
            (WORKER, 21, "LH201"),
            (WORKER, 28, "LH202"),
            (WORKER, 40, "LH101")
        ]
    );
    // The safe fix, applied by hand, gives the code the rule promises.
    let fix = diagnostics[2].fix.as_ref().unwrap();
    let mut text = WORKER_GO.to_string();
    for e in fix.edits.iter().rev() {
        text.replace_range(e.start..e.end, &e.content);
    }
    assert!(text.contains(
        "\ttctx, cancel := context.WithTimeout(ctx, 2*time.Second)\n\tdefer cancel()\n\treturn"
    ));
}

#[test]
fn full() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Full, &diagnostics()));
}

#[test]
fn concise() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Concise, &diagnostics()));
}

#[test]
fn json() {
    let out = render_to_string(OutputFormat::Json, &diagnostics());
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 5);
    insta::assert_snapshot!(out);
}

#[test]
fn github() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Github, &diagnostics()));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Sarif, &diagnostics()));
}

#[test]
fn checkstyle() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Checkstyle, &diagnostics()));
}

#[test]
fn codeclimate() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Codeclimate, &diagnostics()));
}

#[test]
fn junit() {
    insta::assert_snapshot!(render_to_string(OutputFormat::Junit, &diagnostics()));
}

#[test]
fn rdjson() {
    let out = render_to_string(OutputFormat::Rdjson, &diagnostics());
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    let suggestions: Vec<_> = parsed["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.get("suggestions"))
        .collect();
    assert_eq!(
        suggestions.len(),
        1,
        "only the safe LH201 fix becomes a suggestion"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn empty_run_in_every_format() {
    let mut all = String::new();
    for format in OutputFormat::ALL {
        all.push_str(&format!("=== {format} ===\n"));
        all.push_str(&render_to_string(format, &[]));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn full_without_sources_drops_only_the_snippets() {
    let out = render_with(OutputFormat::Full, &diagnostics(), &BTreeMap::new(), false);
    assert!(!out.contains(" | "), "{out}");
    assert!(out.contains("orders/worker.go:21:13: LH201 the cancel func"));
    assert!(out.contains(
        "fix: name the cancel func `cancel` and `defer cancel()` (safe; --fix applies it)"
    ));
    insta::assert_snapshot!(out);
}

#[test]
fn colour_only_when_asked() {
    let plain = render_with(OutputFormat::Full, &diagnostics(), &sources(), false);
    let coloured = render_with(OutputFormat::Full, &diagnostics(), &sources(), true);
    assert!(!plain.contains('\x1b'));
    assert!(coloured.contains("\x1b[1;31mLH201\x1b[0m"));
}

fn hostile() -> (Diagnostic, BTreeMap<String, String>) {
    let src = "package x\n\nvar s = \"\x1b[2J\x1b]0;pwned\x07\u{202e}\" // \x1b[31m\n";
    let mut d = diagnostic(
        ("LH101", "after-in-loop", Severity::Warning),
        "evil\x1b[2J.go",
        src,
        "\"\x1b[2J",
        0,
        "message \x1b[2J with\nbreak",
    );
    d.help = Some("help \x1b]8;;http://x\x07".into());
    (d, [("evil\x1b[2J.go".to_string(), src.to_string())].into())
}

#[test]
fn terminal_escapes_from_files_and_messages_are_neutralised() {
    let (d, sources) = hostile();
    for color in [false, true] {
        let out = render_with(
            OutputFormat::Full,
            std::slice::from_ref(&d),
            &sources,
            color,
        );
        assert!(
            !out.contains("\x1b[2J")
                && !out.contains("\x1b]")
                && !out.contains('\x07')
                && !out.contains('\u{202e}'),
            "{out:?}"
        );
    }
    for format in [OutputFormat::Concise, OutputFormat::Github] {
        let out = render_with(format, std::slice::from_ref(&d), &sources, false);
        assert!(!out.contains('\x1b'), "{format}: {out:?}");
    }
    insta::assert_snapshot!(render_with(OutputFormat::Full, &[d], &sources, false));
}

#[test]
fn no_format_panics_on_positions_that_do_not_fit_the_source() {
    let src = "héllo\n\tworld\n";
    let sources: BTreeMap<String, String> = [("a.go".to_string(), src.to_string())].into();
    let loc = |row, column| Location { row, column };
    let named = [
        (loc(0, 0), loc(0, 0)),
        (loc(1, 3), loc(1, 2)),    // inside `é`, end before start
        (loc(1, 99), loc(1, 200)), // past the end of the line
        (loc(2, 1), loc(9, 9)),    // end past the end of the file
        (loc(50, 1), loc(50, 4)),  // line past the end of the file
        (loc(usize::MAX, usize::MAX), loc(usize::MAX, usize::MAX)),
    ];
    // Every start and end within and just beyond the text, including inside `é`.
    let grid = (0..=4).flat_map(|row| (0..=8).map(move |column| loc(row, column)));
    let grid: Vec<_> = grid.collect();
    let cases = named
        .into_iter()
        .chain(grid.iter().flat_map(|&a| grid.iter().map(move |&b| (a, b))));
    for (location, end_location) in cases {
        let mut d = diagnostic(
            ("LH101", "after-in-loop", Severity::Info),
            "a.go",
            src,
            "hé",
            0,
            "m",
        );
        d.location = location;
        d.end_location = end_location;
        for filename in ["a.go", "missing.go"] {
            d.related.push(leakhound_diagnostics::Related {
                message: "r".into(),
                filename: filename.into(),
                location,
                end_location,
            });
        }
        for format in OutputFormat::ALL {
            render_with(format, std::slice::from_ref(&d), &sources, true);
        }
    }
}

#[test]
fn tabs_widen_to_four_columns_and_carets_follow() {
    let out = render_to_string(OutputFormat::Full, &diagnostics());
    let lines: Vec<_> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("case <-time.After(5 * time.Second):"))
        .unwrap();
    let source_col = lines[i].find("time.After").unwrap();
    let caret_col = lines[i + 1].find('^').unwrap();
    assert_eq!(source_col, caret_col);
    assert_eq!(
        lines[i + 1].matches('^').count(),
        "time.After(5 * time.Second)".len()
    );
}

#[test]
fn format_names_round_trip() {
    for format in OutputFormat::ALL {
        assert_eq!(format.name().parse::<OutputFormat>(), Ok(format));
    }
    assert_eq!(OutputFormat::names().count(), 9);
    let err = "xml".parse::<OutputFormat>().unwrap_err().to_string();
    assert!(
        err.contains("unknown output format `xml`") && err.contains("rdjson"),
        "{err}"
    );
}
