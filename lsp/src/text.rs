//! Open documents: text, version, and conversions between LSP positions (0-based line,
//! UTF-16 column, the protocol's default encoding) and byte offsets.

use djust_runtime::{LineIndex, Span};
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// An open editor buffer.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its text.
    pub text: String,
    /// The version the client gave it.
    pub version: i32,
    /// Line index of `text`.
    pub lines: LineIndex,
}

impl Document {
    /// A document with `text` at `version`.
    pub fn new(text: String, version: i32) -> Self {
        let lines = LineIndex::new(&text);
        Document { text, version, lines }
    }

    /// Apply `didChange` events in order: a ranged event replaces that range (a range
    /// past the end is clamped), an event without a range replaces the whole text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = offset(&self.text, &self.lines, range.start);
                    let end = offset(&self.text, &self.lines, range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
                None => self.text = change.text,
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
    }

    /// Byte offset of `pos`.
    pub fn offset(&self, pos: Position) -> usize {
        offset(&self.text, &self.lines, pos)
    }

    /// LSP position of byte `offset`.
    pub fn position(&self, offset: usize) -> Position {
        position(&self.text, &self.lines, offset)
    }

    /// LSP range of `span`.
    pub fn range(&self, span: Span) -> Range {
        range(&self.text, &self.lines, span)
    }
}

/// Byte offset of LSP position `pos` in `text`: a line past the end is the end of the
/// text, a column past the end of its line is the end of that line, and a column in
/// the middle of a surrogate pair rounds down to the character.
pub fn offset(text: &str, lines: &LineIndex, pos: Position) -> usize {
    let line = pos.line as usize;
    if line >= lines.line_count() {
        return text.len();
    }
    let span = lines.line_span(text, line);
    let mut units = 0usize;
    for (i, c) in span.slice(text).char_indices() {
        let next = units + c.len_utf16();
        if next > pos.character as usize {
            return span.start + i;
        }
        units = next;
    }
    span.end
}

/// LSP position of byte `offset` in `text`.
pub fn position(text: &str, lines: &LineIndex, offset: usize) -> Position {
    let (line, col) = lines.line_col_utf16(text, offset);
    Position::new(line as u32, col as u32)
}

/// LSP range of `span` in `text`.
pub fn range(text: &str, lines: &LineIndex, span: Span) -> Range {
    Range::new(position(text, lines, span.start), position(text, lines, span.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: r.map(|(a, b)| Range::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn utf16_columns_round_trip() {
        let doc = Document::new("a😀b\nçx\n".into(), 1);
        // 😀 is two UTF-16 units and four bytes.
        assert_eq!(doc.offset(Position::new(0, 3)), "a😀".len());
        assert_eq!(doc.position("a😀".len()), Position::new(0, 3));
        assert_eq!(doc.offset(Position::new(1, 1)), "a😀b\nç".len());
        // Past the end of the line, past the end of the text.
        assert_eq!(doc.offset(Position::new(0, 99)), "a😀b".len());
        assert_eq!(doc.offset(Position::new(9, 0)), doc.text.len());
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut doc = Document::new("hello\nworld\n".into(), 1);
        doc.apply(
            vec![
                change(Some(((0, 0), (0, 5))), "goodbye"),
                change(Some(((1, 5), (1, 5))), "!"),
                change(Some(((0, 7), (1, 0))), " "),
            ],
            2,
        );
        assert_eq!(doc.text, "goodbye world!\n");
        assert_eq!(doc.version, 2);
        doc.apply(vec![change(None, "new")], 3);
        assert_eq!(doc.text, "new");
    }
}
