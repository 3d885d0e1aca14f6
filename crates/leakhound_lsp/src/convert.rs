//! Positions and diagnostics in the protocol's terms. leakhound counts 1-based lines and byte
//! columns; LSP counts 0-based lines and, unless the client accepts UTF-8, UTF-16 code units.

use std::collections::HashMap;

use leakhound_diagnostics::{Diagnostic, Location, Severity};
use leakhound_syntax::LineIndex;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString, Position,
    Range, Url,
};

/// The unit of `Position::character` agreed at initialisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// A text with its line starts, to move between byte offsets and LSP positions.
pub struct Text<'a> {
    text: &'a str,
    lines: LineIndex,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Self {
        Text {
            text,
            lines: LineIndex::new(text),
        }
    }

    fn line_bounds(&self, line: usize) -> Option<(usize, usize)> {
        let start = self.lines.line_start(line)? as usize;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        Some((start, end))
    }

    /// The text of 1-based `line`, without its line ending, and the offset where it starts.
    pub fn line(&self, line: usize) -> Option<(usize, &'a str)> {
        let (start, end) = self.line_bounds(line)?;
        Some((start, self.text[start..end].trim_end_matches('\r')))
    }

    pub fn position(&self, location: Location, encoding: Encoding) -> Position {
        let Some((start, end)) = self.line_bounds(location.row) else {
            return self.position_of(self.text.len(), encoding);
        };
        let mut offset = (start + location.column.saturating_sub(1)).min(end);
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let prefix = &self.text[start..offset];
        Position::new(uinteger(location.row - 1), units(prefix, encoding))
    }

    pub fn position_of(&self, offset: usize, encoding: Encoding) -> Position {
        let (row, column) = self.lines.line_col(uinteger(offset.min(self.text.len())));
        self.position(Location { row, column }, encoding)
    }

    pub fn range(&self, start: usize, end: usize, encoding: Encoding) -> Range {
        Range::new(
            self.position_of(start, encoding),
            self.position_of(end, encoding),
        )
    }

    /// The byte offset of an LSP position; a character past the end of its line means the end
    /// of the line, a line past the end of the text the end of the text.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some((start, end)) = self.line_bounds(position.line as usize + 1) else {
            return self.text.len();
        };
        let mut seen = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if seen >= position.character as usize {
                return start + i;
            }
            seen += match encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        end
    }
}

fn units(s: &str, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Utf8 => uinteger(s.len()),
        Encoding::Utf16 => uinteger(s.encode_utf16().count()),
    }
}

/// A count as the protocol's `uinteger` (`u32`); a document too long for it (the parser refuses
/// sources over `u32::MAX` bytes) ends at the largest position.
fn uinteger(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub fn file_uri(filename: &str) -> Option<Url> {
    Url::from_file_path(filename).ok()
}

/// One finding as the editor shows it. `sources` holds the text of every file of the package,
/// by filename, for the related locations in other files.
pub fn diagnostic(
    d: &Diagnostic,
    text: &Text,
    sources: &HashMap<String, String>,
    encoding: Encoding,
) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related = d
        .related
        .iter()
        .filter_map(|r| {
            let uri = file_uri(&r.filename)?;
            let other = Text::new(sources.get(&r.filename)?);
            Some(DiagnosticRelatedInformation {
                location: lsp_types::Location::new(
                    uri,
                    Range::new(
                        other.position(r.location, encoding),
                        other.position(r.end_location, encoding),
                    ),
                ),
                message: r.message.clone(),
            })
        })
        .collect::<Vec<_>>();
    lsp_types::Diagnostic {
        range: text.range(d.start, d.end, encoding),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: Url::parse(&d.url).ok().map(|href| CodeDescription { href }),
        source: Some("leakhound".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let src = "package p\n// é𝄞x\r\nvar y\n";
        let text = Text::new(src);
        let x = src.find('x').unwrap();
        assert_eq!(text.position_of(x, Encoding::Utf16), Position::new(1, 6));
        assert_eq!(text.position_of(x, Encoding::Utf8), Position::new(1, 9));
        assert_eq!(text.offset(Position::new(1, 6), Encoding::Utf16), x);
        assert_eq!(text.offset(Position::new(1, 9), Encoding::Utf8), x);
        // Past the end of a line or of the text: clamped.
        assert_eq!(
            text.offset(Position::new(1, 99), Encoding::Utf16),
            src.find('\n').unwrap() + 1 + "// é𝄞x\r".len()
        );
        assert_eq!(text.offset(Position::new(9, 0), Encoding::Utf16), src.len());
        assert_eq!(text.line(2), Some((10, "// é𝄞x")));
    }
}
