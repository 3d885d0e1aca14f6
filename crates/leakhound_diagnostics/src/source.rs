//! Source text helpers shared by the renderers: finding a line, converting byte columns, making
//! untrusted text safe to print, and turning filenames into repository-relative paths and URIs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use unicode_width::UnicodeWidthChar;

use crate::{Location, SourceLookup};

/// Line lookup with one index of line starts per file, so many diagnostics in a large file do
/// not each rescan it.
pub(crate) struct Lines<'a> {
    sources: &'a dyn SourceLookup,
    index: HashMap<String, Option<(&'a str, Vec<usize>)>>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(sources: &'a dyn SourceLookup) -> Self {
        Lines {
            sources,
            index: HashMap::new(),
        }
    }

    /// The text of 1-based line `row` of `filename`, without its line ending.
    pub(crate) fn line(&mut self, filename: &str, row: usize) -> Option<&'a str> {
        let sources = self.sources;
        let entry = self.index.entry(filename.to_string()).or_insert_with(|| {
            sources.source(filename).map(|text| {
                let starts = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect();
                (text, starts)
            })
        });
        let (text, starts) = entry.as_ref()?;
        let start = *starts.get(row.checked_sub(1)?)?;
        let end = starts.get(row).map_or(text.len(), |next| next - 1);
        let line = &text[start..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// The byte offset of 1-based byte column `column` in `line`, clamped into the line and moved
/// back onto a character boundary so slicing never panics.
pub(crate) fn byte_offset(line: &str, column: usize) -> usize {
    let mut offset = column.saturating_sub(1).min(line.len());
    while !line.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Converts a 1-based byte column to a 1-based column in Unicode code points, which SARIF,
/// GitHub, Checkstyle and GitLab count in. Without the line, bytes are the best guess (they agree
/// for ASCII). A column past the end (an exclusive end at the end of line) stays past the end.
pub(crate) fn char_column(line: Option<&str>, column: usize) -> usize {
    let Some(line) = line else {
        return column.max(1);
    };
    let offset = byte_offset(line, column);
    let beyond = column.saturating_sub(1).saturating_sub(line.len());
    line[..offset].chars().count() + beyond + 1
}

/// Start and end of a diagnostic's region in code-point columns, looking up both lines.
pub(crate) fn char_region(
    lines: &mut Lines,
    filename: &str,
    start: Location,
    end: Location,
) -> (usize, usize) {
    let start_col = char_column(lines.line(filename, start.row), start.column);
    let end_col = char_column(lines.line(filename, end.row), end.column);
    (start_col, end_col)
}

/// What to print for one character of untrusted text (source lines, messages, paths) on a
/// terminal: control characters and bidirectional overrides must not reach it, or a hostile
/// file could move the cursor, recolour the screen or reorder what the reader sees.
pub(crate) fn safe_char(c: char) -> Option<char> {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// Source line text for display: a tab becomes 4 spaces, other unsafe characters a visible
/// placeholder.
pub(crate) fn display_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\t' => out.push_str("    "),
            _ => out.push(safe_char(c).unwrap_or(c)),
        }
    }
    out
}

/// Columns `text` occupies once passed through [`display_line`].
pub(crate) fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\t' => 4,
            _ if safe_char(c).is_some() => 1,
            _ => c.width().unwrap_or(0),
        })
        .sum()
}

/// One-line text (message, path) for a terminal: line breaks and tabs become spaces, other
/// unsafe characters a visible placeholder.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| safe_char(c).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                _ => safe_char(c).unwrap_or(c),
            })
            .collect(),
    )
}

/// `filename` relative to `base` when it is an absolute path below it; otherwise as given,
/// without a leading `./`. CI systems match findings to files by repository-relative path.
pub(crate) fn relative_path<'a>(filename: &'a str, base: Option<&Path>) -> Cow<'a, str> {
    if let Some(base) = base {
        if let Ok(rest) = Path::new(filename).strip_prefix(base) {
            if let Some(rest) = rest.to_str() {
                return Cow::Owned(rest.replace('\\', "/"));
            }
        }
    }
    let mut name = filename;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    Cow::Borrowed(name)
}

/// Whether `path` is absolute on Unix (`/x`) or Windows (`C:/x`).
pub(crate) fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && (bytes[2] == b'/' || bytes[2] == b'\\'))
}

/// Percent-encodes a path for use in a URI, keeping `/` and RFC 3986 unreserved characters.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn lines_strip_endings_and_tolerate_out_of_range() {
        let sources: BTreeMap<String, String> =
            [("a.go".to_string(), "one\r\ntwo\nthree".to_string())].into();
        let mut lines = Lines::new(&sources);
        assert_eq!(lines.line("a.go", 1), Some("one"));
        assert_eq!(lines.line("a.go", 3), Some("three"));
        assert_eq!(lines.line("a.go", 0), None);
        assert_eq!(lines.line("a.go", 4), None);
        assert_eq!(lines.line("b.go", 1), None);
    }

    #[test]
    fn columns_count_code_points_and_survive_bad_input() {
        assert_eq!(char_column(Some("é := 1"), 3), 2);
        assert_eq!(
            char_column(Some("é := 1"), 2),
            1,
            "inside a character rounds down"
        );
        assert_eq!(
            char_column(Some("ab"), 3),
            3,
            "exclusive end at end of line"
        );
        assert_eq!(char_column(Some("ab"), 99), 99);
        assert_eq!(char_column(None, 0), 1);
    }

    #[test]
    fn unsafe_characters_are_neutralised() {
        assert_eq!(display_line("\tx\u{1b}[31m"), "    x\u{241b}[31m");
        assert_eq!(display_width("\tx\u{1b}"), 6);
        assert_eq!(display_width("世界"), 4, "wide characters take two columns");
        assert_eq!(clean("a\nb\u{202e}c"), "a b\u{fffd}c");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn paths_become_relative_and_uris_encoded() {
        assert_eq!(
            relative_path("/repo/pkg/a.go", Some(Path::new("/repo"))),
            "pkg/a.go"
        );
        assert_eq!(
            relative_path("/elsewhere/a.go", Some(Path::new("/repo"))),
            "/elsewhere/a.go"
        );
        assert_eq!(relative_path("././pkg/a.go", None), "pkg/a.go");
        assert!(is_absolute("/x") && is_absolute("C:/x") && !is_absolute("x/y"));
        assert_eq!(uri_path("my pkg/ä%.go"), "my%20pkg/%C3%A4%25.go");
    }
}
