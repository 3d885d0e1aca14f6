//! Applying fixes to source text. A fix is data (edits with an applicability); this module
//! turns the fixes a run may apply (safe ones, and unsafe ones when asked) into new text,
//! skipping any fix that overlaps one already taken so that two fixes never garble each other.

use leakhound_diagnostics::{Applicability, Diagnostic, Edit};

/// The result of applying the fixes of one file's diagnostics.
#[derive(Debug, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    /// The indices of the diagnostics whose fix was applied.
    pub applied: Vec<usize>,
}

/// Whether a fix of `applicability` may be applied: safe ones always, unsafe ones only when
/// the user asked for them (`--unsafe-fixes`), display-only ones never.
pub fn applies(applicability: Applicability, unsafe_fixes: bool) -> bool {
    match applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
        Applicability::DisplayOnly => false,
    }
}

/// Applies every fix with edits that `applies` and whose edits do not overlap an earlier one.
/// Returns `None` when there is nothing to apply.
pub fn apply_fixes(source: &str, diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Option<Fixed> {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        let Some(fix) = &diagnostic.fix else { continue };
        if !applies(fix.applicability, unsafe_fixes) || fix.edits.is_empty() {
            continue;
        }
        let in_bounds = fix.edits.iter().all(|e| {
            e.start <= e.end
                && e.end <= source.len()
                && source.is_char_boundary(e.start)
                && source.is_char_boundary(e.end)
        });
        let overlaps = fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| overlap(e, t)));
        if in_bounds && !overlaps {
            taken.extend(fix.edits.iter());
            applied.push(index);
        }
    }
    if applied.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| (e.start, e.end));
    let mut text = String::with_capacity(source.len() + 64);
    let mut cursor = 0;
    for edit in taken {
        text.push_str(&source[cursor..edit.start]);
        text.push_str(&edit.content);
        cursor = edit.end;
    }
    text.push_str(&source[cursor..]);
    Some(Fixed { text, applied })
}

/// Two edits conflict when their ranges intersect, or when both insert at the same offset
/// (their order would be arbitrary).
fn overlap(a: &Edit, b: &Edit) -> bool {
    if a.start == a.end && b.start == b.end {
        return a.start == b.start;
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakhound_diagnostics::{Fix, Location, Severity};

    fn edit(start: usize, end: usize, content: &str) -> Edit {
        let loc = Location { row: 1, column: 1 };
        Edit {
            content: content.to_string(),
            location: loc,
            end_location: loc,
            start,
            end,
        }
    }

    fn diag(edits: Vec<Edit>, applicability: Applicability) -> Diagnostic {
        let loc = Location { row: 1, column: 1 };
        Diagnostic {
            code: "LH201",
            name: "lost-cancel",
            severity: Severity::Error,
            message: String::new(),
            help: None,
            filename: "a.go".into(),
            location: loc,
            end_location: loc,
            fix: Some(Fix {
                message: String::new(),
                applicability,
                edits,
            }),
            related: vec![],
            url: String::new(),
            start: 0,
            end: 0,
        }
    }

    #[test]
    fn applies_safe_non_overlapping_fixes_in_order() {
        let src = "ctx, _ := f()\nreturn ctx\n";
        let fixed = apply_fixes(
            src,
            &[
                diag(
                    vec![edit(5, 6, "cancel"), edit(14, 14, "defer cancel()\n")],
                    Applicability::Safe,
                ),
                diag(vec![edit(5, 6, "other")], Applicability::Safe),
                diag(vec![edit(0, 3, "x")], Applicability::Unsafe),
            ],
            false,
        )
        .unwrap();
        assert_eq!(
            fixed.text,
            "ctx, cancel := f()\ndefer cancel()\nreturn ctx\n"
        );
        assert_eq!(fixed.applied, [0]);
    }

    #[test]
    fn unsafe_fixes_only_when_asked() {
        let diagnostics = [diag(vec![edit(0, 1, "y")], Applicability::Unsafe)];
        assert_eq!(apply_fixes("x", &diagnostics, false), None);
        assert_eq!(apply_fixes("x", &diagnostics, true).unwrap().text, "y");
    }

    #[test]
    fn nothing_to_apply() {
        assert_eq!(
            apply_fixes(
                "x",
                &[diag(vec![edit(0, 1, "y")], Applicability::DisplayOnly)],
                true
            ),
            None
        );
        assert_eq!(
            apply_fixes(
                "x",
                &[diag(vec![edit(0, 9, "y")], Applicability::Safe)],
                false
            ),
            None
        );
    }
}
