//! Fingerprints that identify a finding across commits, for SARIF `partialFingerprints` and
//! GitLab Code Quality. They must not change when unrelated lines move the finding up or down,
//! so they hash what the finding *is* (rule, file, the text of its line) rather than where it is,
//! plus how many identical findings came before it in the file, to keep duplicates apart.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::source::{relative_path, Lines};
use crate::Diagnostic;

/// One fingerprint per diagnostic, in order: 32 hex digits of
/// SHA-256(code, relative path, whitespace-normalised source line, occurrence index).
/// Without the source, the message stands in for the line.
pub(crate) fn fingerprints(
    diagnostics: &[Diagnostic],
    lines: &mut Lines,
    base: Option<&Path>,
) -> Vec<String> {
    let mut seen: HashMap<(&str, String, String), usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let path = relative_path(&d.filename, base).into_owned();
            let text = lines
                .line(&d.filename, d.location.row)
                .unwrap_or(&d.message);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let occurrence = seen
                .entry((d.code, path.clone(), text.clone()))
                .or_default();
            let mut hasher = Sha256::new();
            for part in [d.code, &path, &text, &occurrence.to_string()] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            *occurrence += 1;
            hasher.finalize()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
}
