//! Byte offsets to line and column numbers.

use crate::ast::offset;

/// The start offset of every line of a source text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Like go/token, a final newline does not start a line: the end of the file is on the
    /// last line, after its newline.
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            memchr::memchr_iter(b'\n', src.as_bytes())
                .filter(|&i| i + 1 < src.len())
                .map(|i| offset(i + 1)),
        );
        LineIndex {
            starts,
            len: offset(src.len()),
        }
    }

    /// 1-based line and 1-based byte column of `offset` (clamped to the end of the text).
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        (line.max(1), (offset - start) as usize + 1)
    }

    /// The byte offset where 1-based `line` starts, if there is such a line.
    pub fn line_start(&self, line: usize) -> Option<u32> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_and_columns() {
        assert_eq!(
            LineIndex::new("a\n").line_col(2),
            (1, 3),
            "EOF after a final newline, as go/token"
        );
        let idx = LineIndex::new("ab\ncd\n\né x");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(1), (1, 2));
        assert_eq!(idx.line_col(2), (1, 3));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(6), (3, 1));
        assert_eq!(idx.line_col(7), (4, 1));
        assert_eq!(idx.line_col(9), (4, 3), "columns count bytes");
        assert_eq!(idx.line_col(1000), (4, 5), "clamped");
        assert_eq!(idx.line_start(2), Some(3));
        assert_eq!(idx.line_start(0), None);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(LineIndex::new("").line_col(0), (1, 1));
    }
}
