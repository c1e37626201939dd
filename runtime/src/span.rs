//! Byte spans and line/column lookup.
//!
//! Every node the runtime and the analyzer produce carries a [`Span`]: a half-open
//! byte range `start..end` into the UTF-8 source. [`LineIndex`] turns byte
//! offsets into 1-based line and column numbers (columns count Unicode scalar
//! values, as ruff and miette do) and, for editors, into UTF-16 code units.

use std::ops::Range;

/// A half-open byte range `start..end` into a source string.
///
/// Invariant: `start <= end`. Offsets are bytes, not characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes). If `end < start` the span is empty at `start`.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// An empty span at `offset`.
    pub fn empty(offset: usize) -> Self {
        Span::new(offset, offset)
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when `offset` lies inside `start..end` (the end is exclusive).
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The text this span covers in `source`, or `""` when the span is out of bounds
    /// or splits a UTF-8 character.
    pub fn slice<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }

    /// The span as a `Range<usize>`.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column. `column` counts Unicode scalar values from the line start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Maps byte offsets of one source text to lines and columns.
///
/// Built once per file in O(n); each lookup is a binary search over line starts.
/// Lines end at `\n`; a `\r` before it belongs to the line (as in Python's and
/// Django's line counting). Line starts are kept as `u32` (half the memory for the
/// analyzer's tens of thousands of files); in a text over 4 GiB, the lines that start
/// past 4 GiB are counted with the last one before it. In an ASCII text a column is
/// the distance from the line start, so [`LineIndex::line_col`] does not read the text
/// (a caller may keep only the index, as `djust check` does when nothing prints source).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: usize,
    ascii: bool,
}

impl LineIndex {
    /// Index the line starts of `source`.
    pub fn new(source: &str) -> Self {
        let mut line_starts = Vec::with_capacity(source.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map_while(|(i, _)| u32::try_from(i + 1).ok()),
        );
        line_starts.shrink_to_fit();
        LineIndex {
            line_starts,
            len: source.len(),
            ascii: source.is_ascii(),
        }
    }

    /// Whether the text is ASCII: columns then need no text.
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// Number of lines (a trailing newline starts a last, empty line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number that contains byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = u32::try_from(offset.min(self.len)).unwrap_or(u32::MAX);
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts, or the text length past the end.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).map_or(self.len, |&s| s as usize)
    }

    /// Byte span of 0-based `line`, without its line terminator (`\n` or `\r\n`).
    pub fn line_span(&self, source: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.len, |&s| s as usize - 1);
        if end > start && source.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// 1-based line and character column of byte `offset` in `source`.
    ///
    /// An offset inside a multi-byte character is counted as that character. For an
    /// ASCII text (as indexed) `source` is not read and may be empty.
    pub fn line_col(&self, source: &str, offset: usize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        if self.ascii {
            return LineCol {
                line: line + 1,
                column: offset - start.min(offset) + 1,
            };
        }
        let column = source
            .get(start..)
            .map(|rest| {
                rest.char_indices()
                    .take_while(|&(i, _)| start + i < offset)
                    .count()
            })
            .unwrap_or(0);
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// 0-based line and UTF-16 column of byte `offset`, as the Language Server Protocol counts.
    pub fn line_col_utf16(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        if self.ascii {
            return (line, offset - start.min(offset));
        }
        let col = source
            .get(start..)
            .map(|rest| {
                rest.char_indices()
                    .take_while(|&(i, _)| start + i < offset)
                    .map(|(_, c)| c.len_utf16())
                    .sum()
            })
            .unwrap_or(0);
        (line, col)
    }

    /// Byte offset of 1-based `line` and 1-based character `column`, clamped to the line.
    pub fn offset(&self, source: &str, line: usize, column: usize) -> usize {
        let l = line.saturating_sub(1);
        let span = self.line_span(source, l);
        let text = span.slice(source);
        let col = column.saturating_sub(1);
        text.char_indices()
            .nth(col)
            .map(|(i, _)| span.start + i)
            .unwrap_or(span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_columns_need_no_text() {
        let src = "ab\n  x = 1\n";
        let idx = LineIndex::new(src);
        assert!(idx.is_ascii());
        let x = src.find('x').unwrap_or(0);
        assert_eq!(idx.line_col("", x), LineCol { line: 2, column: 3 });
        assert_eq!(idx.line_col("", x), idx.line_col(src, x));
        assert_eq!(idx.line_col_utf16("", x), (1, 2));
        assert!(!LineIndex::new("é").is_ascii());
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = "ab\nçé x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(src, 3), LineCol { line: 2, column: 1 });
        // 'x' sits after two 2-byte characters and a space: byte 8, column 4.
        let x = src.find('x').unwrap_or(0);
        assert_eq!(idx.line_col(src, x), LineCol { line: 2, column: 4 });
        assert_eq!(idx.offset(src, 2, 4), x);
        assert_eq!(idx.line_count(), 3);
    }

    #[test]
    fn line_span_excludes_crlf() {
        let src = "one\r\ntwo";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_span(src, 0).slice(src), "one");
        assert_eq!(idx.line_span(src, 1).slice(src), "two");
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let src = "😀x";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col_utf16(src, 4), (0, 2));
    }
}
