//! `sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every rule of the catalog is listed
//! (so an alert closed because its rule stopped firing still has its documentation), URIs are
//! repository-relative under `%SRCROOT%`, columns are code points (declared in `columnKind`),
//! and `partialFingerprints` keep an alert's identity when lines move.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::fingerprint::fingerprints;
use crate::source::{char_region, is_absolute, relative_path, uri_path, Lines};
use crate::{Diagnostic, RenderContext, RuleMeta, Severity, SourceLookup};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://leakhound.dev";
/// The `partialFingerprints` key; bump the version if the fingerprint scheme ever changes.
const FINGERPRINT_KEY: &str = "leakhound/v1";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'a str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    information_uri: &'a str,
    version: &'a str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    help_uri: &'a str,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    partial_fingerprints: BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: crate::Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

pub(crate) fn render(
    diagnostics: &[Diagnostic],
    ctx: &RenderContext,
    sources: &dyn SourceLookup,
    base: Option<&Path>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut lines = Lines::new(sources);
    let prints = fingerprints(diagnostics, &mut lines, base);
    let results = diagnostics
        .iter()
        .zip(prints)
        .map(|(d, print)| result(d, print, ctx.rules, &mut lines, base))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "leakhound",
                    information_uri: INFORMATION_URI,
                    version: ctx.tool_version,
                    rules: ctx.rules.iter().map(rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &RuleMeta) -> Rule<'_> {
    Rule {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: meta.summary.to_string(),
        },
        full_description: Text {
            text: full_description(meta.doc).unwrap_or_else(|| meta.summary.to_string()),
        },
        help: Help {
            text: meta.doc,
            markdown: meta.doc,
        },
        help_uri: &meta.url,
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            tags: tags(meta.code),
        },
    }
}

/// The first paragraph of the doc's "What it does" section, joined onto one line.
fn full_description(doc: &str) -> Option<String> {
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1)
        .skip_while(|l| l.trim().is_empty());
    let paragraph: Vec<&str> = lines
        .by_ref()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

/// Code scanning filters by tag; the catalog groups rules by the hundreds digit of their code.
fn tags(code: &str) -> Vec<&'static str> {
    let family = match code.get(..3) {
        Some("LH1") => Some("timer"),
        Some("LH2") => Some("context"),
        Some("LH3") => Some("goroutine"),
        Some("LH4") => Some("lock"),
        _ => None,
    };
    family.map_or_else(Vec::new, |family| vec!["reliability", "leak", family])
}

fn artifact(filename: &str, base: Option<&Path>) -> ArtifactLocation {
    let path = relative_path(filename, base);
    if is_absolute(&path) {
        // Outside the checked tree: an absolute file URI, which has no base.
        let uri = match path.as_bytes() {
            [drive, b':', ..] => format!("file:///{}:{}", *drive as char, uri_path(&path[2..])),
            _ => format!("file://{}", uri_path(&path)),
        };
        ArtifactLocation {
            uri,
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: uri_path(&path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn region(
    lines: &mut Lines,
    filename: &str,
    start: crate::Location,
    end: crate::Location,
) -> Region {
    let (start_column, end_column) = char_region(lines, filename, start, end);
    Region {
        start_line: start.row.max(1),
        start_column,
        end_line: end.row.max(start.row).max(1),
        end_column,
    }
}

/// SARIF messages are plain text in which `[text](n)` links to related location `n`; literal
/// brackets are escaped so that message text is never read as a link.
fn escape_message(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

fn result<'a>(
    d: &'a Diagnostic,
    print: String,
    rules: &[RuleMeta],
    lines: &mut Lines,
    base: Option<&Path>,
) -> SarifResult<'a> {
    let mut message = escape_message(&d.message);
    // Code scanning shows related locations only when the message links to them.
    for (i, related) in d.related.iter().enumerate() {
        message.push_str(if i == 0 { " (" } else { "; " });
        message.push_str(&format!(
            "[{}]({})",
            escape_message(&related.message),
            i + 1
        ));
    }
    if !d.related.is_empty() {
        message.push(')');
    }
    let location = SarifLocation {
        id: None,
        physical_location: PhysicalLocation {
            artifact_location: artifact(&d.filename, base),
            region: region(lines, &d.filename, d.location, d.end_location),
        },
        message: None,
    };
    let related_locations = d
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| SarifLocation {
            id: Some(i + 1),
            physical_location: PhysicalLocation {
                artifact_location: artifact(&r.filename, base),
                region: region(lines, &r.filename, r.location, r.end_location),
            },
            message: Some(Text {
                text: escape_message(&r.message),
            }),
        })
        .collect();
    let fixes = d
        .fix
        .iter()
        .filter(|fix| !fix.edits.is_empty())
        .map(|fix| SarifFix {
            description: Text {
                text: escape_message(&fix.message),
            },
            artifact_changes: vec![ArtifactChange {
                artifact_location: artifact(&d.filename, base),
                replacements: fix
                    .edits
                    .iter()
                    .map(|e| Replacement {
                        deleted_region: region(lines, &d.filename, e.location, e.end_location),
                        inserted_content: Text {
                            text: e.content.clone(),
                        },
                    })
                    .collect(),
            }],
            properties: FixProperties {
                applicability: fix.applicability,
            },
        })
        .collect();
    SarifResult {
        rule_id: d.code,
        rule_index: rules.iter().position(|r| r.code == d.code),
        level: level(d.severity),
        message: Text { text: message },
        locations: vec![location],
        related_locations,
        fixes,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, print)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_description_is_the_first_paragraph() {
        let doc =
            "## What it does\nFlags a thing\nthat leaks.\n\nMore.\n\n## Why is this bad?\nBecause.";
        assert_eq!(
            full_description(doc).as_deref(),
            Some("Flags a thing that leaks.")
        );
        assert_eq!(full_description("no sections"), None);
    }

    #[test]
    fn files_outside_the_tree_get_absolute_uris() {
        let a = artifact("/other/x y.go", Some(Path::new("/repo")));
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("file:///other/x%20y.go", None)
        );
        let a = artifact("C:/src/a.go", None);
        assert_eq!(a.uri, "file:///C:/src/a.go");
        let a = artifact("/repo/pkg/a.go", Some(Path::new("/repo")));
        assert_eq!((a.uri.as_str(), a.uri_base_id), ("pkg/a.go", Some(SRCROOT)));
    }

    #[test]
    fn tags_follow_the_catalog_families() {
        assert_eq!(tags("LH301"), ["reliability", "leak", "goroutine"]);
        assert!(tags("E001").is_empty());
    }
}
