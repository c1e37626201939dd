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
/// Django's line counting). Line starts are kept as `u16` in a text under 64 KiB
/// (nearly every source file) and as `u32` otherwise: the analyzer holds one index per
/// file of a project until its report is printed. In a text over 4 GiB, the lines that
/// start past 4 GiB are counted with the last one before it. Serialized, the starts
/// are their width and one byte string (each start little-endian, or the packed line
/// lengths), which encodes and decodes as one copy, not a number at a time.
///
/// Columns never read the text: the index keeps where the multi-byte characters are,
/// as runs of same-length characters (a template's `·` is one run of one; a line of
/// Chinese is one run), so [`LineIndex::line_col`] and [`LineIndex::line_col_utf16`]
/// count characters from the index alone and a caller may keep only the index, as
/// `djust check` does when nothing prints source. (Only in a text over 4 GiB, whose
/// multi-byte characters past 4 GiB the index cannot place, are columns counted from
/// the text.)
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineIndex {
    line_starts: Starts,
    len: usize,
    /// Runs of consecutive multi-byte characters of one UTF-8 length, in text order;
    /// when a multi-byte character lies past 4 GiB, last a run of none ([`WideRun::PAST`]:
    /// columns then read the text). A flag beside the runs would take a word of an index
    /// a run holds per file.
    wide: Box<[WideRun]>,
}

/// Consecutive multi-byte characters of the same UTF-8 length (2 to 4 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct WideRun {
    /// Byte offset of the first character.
    start: u32,
    /// How many characters.
    count: u32,
    /// Their UTF-8 length.
    len: u8,
}

impl WideRun {
    /// The last run of an index whose text has a multi-byte character past 4 GiB, which
    /// no run can place.
    const PAST: WideRun = WideRun {
        start: u32::MAX,
        count: 0,
        len: 0,
    };
}

/// The byte offsets where lines start, ascending, the first 0: `u16`s when every one
/// fits (a text under 64 KiB), else `u32`s; or, once [`LineIndex::pack`]ed, the line
/// lengths as LEB128 varints (one byte for a line under 128 bytes), read in order.
#[derive(Debug, Clone)]
enum Starts {
    Short(Box<[u16]>),
    Long(Box<[u32]>),
    Packed(Box<[u8]>),
}

/// The line starts of packed `bytes`: 0, then each start after it.
fn packed_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut at = 0usize;
    let mut rest = bytes;
    std::iter::once(0).chain(std::iter::from_fn(move || {
        let mut delta = 0usize;
        let mut shift = 0u32;
        loop {
            let (&b, tail) = rest.split_first()?;
            rest = tail;
            delta |= usize::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        at = at.saturating_add(delta);
        Some(at)
    }))
}

impl Starts {
    fn len(&self) -> usize {
        match self {
            Starts::Short(s) => s.len(),
            Starts::Long(s) => s.len(),
            // One varint ends at each byte without the continuation bit.
            Starts::Packed(b) => 1 + b.iter().filter(|&&b| b & 0x80 == 0).count(),
        }
    }

    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Starts::Short(s) => s.get(i).map(|&v| usize::from(v)),
            Starts::Long(s) => s.get(i).map(|&v| v as usize),
            Starts::Packed(b) => packed_starts(b).nth(i),
        }
    }

    /// The index of the last start at or before `offset`.
    fn line_of(&self, offset: usize) -> usize {
        let found = match self {
            Starts::Short(s) => s.binary_search(&u16::try_from(offset).unwrap_or(u16::MAX)),
            Starts::Long(s) => s.binary_search(&u32::try_from(offset).unwrap_or(u32::MAX)),
            Starts::Packed(b) => {
                return packed_starts(b)
                    .take_while(|&start| start <= offset)
                    .count()
                    .saturating_sub(1)
            }
        };
        match found {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Every start, in order.
    fn iter(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            Starts::Short(s) => Box::new(s.iter().map(|&v| usize::from(v))),
            Starts::Long(s) => Box::new(s.iter().map(|&v| v as usize)),
            Starts::Packed(b) => Box::new(packed_starts(b)),
        }
    }

    /// The packed form of these starts.
    fn packed(&self) -> Starts {
        let mut bytes = Vec::with_capacity(self.len());
        let mut last = 0usize;
        for start in self.iter().skip(1) {
            let mut delta = start.saturating_sub(last);
            last = start;
            while delta >= 0x80 {
                bytes.push((delta & 0x7F) as u8 | 0x80);
                delta >>= 7;
            }
            bytes.push(delta as u8);
        }
        Starts::Packed(bytes.into_boxed_slice())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Starts {
    /// A pair: the width of each start in bytes (2 or 4, little-endian), or 1 for the
    /// packed line lengths; then those bytes, as one byte string. A packed index (what
    /// a `check` run holds, and caches for every file) is written from its own bytes,
    /// with no copy made first (docs/benchmarks.md, issue 19, the first cached run).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let widened: Vec<u8>;
        let (width, bytes): (u8, &[u8]) = match self {
            Starts::Packed(b) => (1, b),
            Starts::Short(s) => {
                widened = s.iter().flat_map(|v| v.to_le_bytes()).collect();
                (2, &widened)
            }
            Starts::Long(s) => {
                widened = s.iter().flat_map(|v| v.to_le_bytes()).collect();
                (4, &widened)
            }
        };
        let mut pair = serializer.serialize_tuple(2)?;
        pair.serialize_element(&width)?;
        pair.serialize_element(serde_bytes::Bytes::new(bytes))?;
        pair.end()
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Starts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Starts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "line starts: a width (2 or 4), then the starts little-endian; or 1, then line lengths",
                )
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Starts, A::Error> {
                use serde::de::Error;
                let width: u8 = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let bytes: serde_bytes::ByteBuf = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(1, &self))?;
                let bytes = bytes.into_vec();
                match width {
                    1 => Ok(Starts::Packed(bytes.into_boxed_slice())),
                    2 if bytes.len() % 2 == 0 => Ok(Starts::Short(
                        bytes
                            .chunks_exact(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect(),
                    )),
                    4 if bytes.len() % 4 == 0 => Ok(Starts::Long(
                        bytes
                            .chunks_exact(4)
                            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect(),
                    )),
                    _ => Err(A::Error::invalid_value(
                        serde::de::Unexpected::Unsigned(u64::from(width)),
                        &self,
                    )),
                }
            }
        }
        deserializer.deserialize_tuple(2, Visit)
    }
}

impl LineIndex {
    /// Index the line starts and multi-byte characters of `source`.
    pub fn new(source: &str) -> Self {
        let bytes = source.as_bytes();
        let line_starts = if u16::try_from(source.len()).is_ok() {
            // Every start is at most the length (a last, empty line after a trailing `\n`).
            let mut starts = Vec::with_capacity(source.len() / 32 + 1);
            starts.push(0);
            starts.extend(memchr::memchr_iter(b'\n', bytes).map_while(|i| u16::try_from(i + 1).ok()));
            Starts::Short(starts.into_boxed_slice())
        } else {
            let mut starts = Vec::with_capacity(source.len() / 32 + 1);
            starts.push(0);
            starts.extend(memchr::memchr_iter(b'\n', bytes).map_while(|i| u32::try_from(i + 1).ok()));
            Starts::Long(starts.into_boxed_slice())
        };
        let mut wide: Vec<WideRun> = Vec::new();
        // The text is UTF-8: a byte under 0x80 is a character, a leading byte gives its
        // character's length, and the continuation bytes are skipped.
        let mut i = next_non_ascii(bytes, 0);
        while let Some(&b) = bytes.get(i) {
            let len: u8 = match b {
                0x00..=0x7F => {
                    i = next_non_ascii(bytes, i);
                    continue;
                }
                0xF0..=0xFF => 4,
                0xE0..=0xEF => 3,
                _ => 2,
            };
            let Ok(at) = u32::try_from(i) else {
                wide.push(WideRun::PAST);
                break;
            };
            match wide.last_mut() {
                Some(run)
                    if run.len == len
                        && u64::from(run.start) + u64::from(run.count) * u64::from(len) == u64::from(at) =>
                {
                    run.count += 1;
                }
                _ => wide.push(WideRun {
                    start: at,
                    count: 1,
                    len,
                }),
            }
            i += usize::from(len);
        }
        LineIndex {
            line_starts,
            len: source.len(),
            wide: wide.into_boxed_slice(),
        }
    }

    /// Keep the line starts as line lengths, one byte for most lines (a quarter to a half
    /// of the room), for an index held long and read a few times: every lookup then
    /// reads the lines before it (O(lines)). `djust check` packs the index of each
    /// file it holds until the report is printed (docs/benchmarks.md, issue 19's
    /// memory). Answers are unchanged.
    pub fn pack(&mut self) {
        if !matches!(self.line_starts, Starts::Packed(_)) {
            self.line_starts = self.line_starts.packed();
        }
    }

    /// Whether the text is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.wide.is_empty()
    }

    /// Whether the runs place every multi-byte character (none lies past 4 GiB).
    fn wide_complete(&self) -> bool {
        self.wide.last() != Some(&WideRun::PAST)
    }

    /// Number of lines (a trailing newline starts a last, empty line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number that contains byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.line_of(offset.min(self.len))
    }

    /// Byte offset where 0-based `line` starts, or the text length past the end.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).unwrap_or(self.len)
    }

    /// Byte span of 0-based `line`, without its line terminator (`\n` or `\r\n`).
    pub fn line_span(&self, source: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self.line_starts.get(line + 1).map_or(self.len, |s| s - 1);
        if end > start && source.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// The characters that start in `start..offset` (a line start and an offset on that
    /// line), counted as characters and as UTF-16 code units, from the index (or from
    /// `source` when the index cannot place them).
    fn count_chars(&self, source: &str, start: usize, offset: usize) -> (usize, usize) {
        if !self.wide_complete() {
            return source
                .get(start..)
                .map(|rest| {
                    rest.char_indices()
                        .take_while(|&(i, _)| start + i < offset)
                        .fold((0, 0), |(n, u), (_, c)| (n + 1, u + c.len_utf16()))
                })
                .unwrap_or((0, 0));
        }
        let mut chars = offset - start;
        let mut utf16 = 0;
        let first = self.wide.partition_point(|r| (r.start as usize) < start);
        for run in self.wide[first..]
            .iter()
            .take_while(|r| (r.start as usize) < offset)
        {
            let len = usize::from(run.len);
            let bytes = (run.count as usize * len).min(offset - run.start as usize);
            // Every character the range reaches into counts once, as a whole.
            let n = bytes.div_ceil(len);
            chars -= bytes - n;
            if len == 4 {
                utf16 += n;
            }
        }
        (chars, chars + utf16)
    }

    /// 1-based line and character column of byte `offset` in `source`.
    ///
    /// An offset inside a multi-byte character is counted as that character. `source`
    /// is not read (it may be empty) unless the text is over 4 GiB.
    pub fn line_col(&self, source: &str, offset: usize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        LineCol {
            line: line + 1,
            column: self.count_chars(source, start, offset).0 + 1,
        }
    }

    /// 0-based line and UTF-16 column of byte `offset`, as the Language Server Protocol
    /// counts. `source` is read only as [`LineIndex::line_col`] reads it.
    pub fn line_col_utf16(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        (line, self.count_chars(source, start, offset).1)
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

/// The offset of the first byte at or after `from` that is not ASCII (`bytes.len()` if
/// none): sixteen bytes at a time, as a line index is built for every file a run reads
/// and most of a file's bytes are ASCII.
fn next_non_ascii(bytes: &[u8], from: usize) -> usize {
    const HIGH: u128 = u128::from_ne_bytes([0x80; 16]);
    let rest = bytes.get(from..).unwrap_or_default();
    let mut at = from;
    for chunk in rest.chunks_exact(16) {
        // `chunks_exact` gives 16 bytes: the fallback is never taken.
        if u128::from_ne_bytes(chunk.try_into().unwrap_or([0x80; 16])) & HIGH != 0 {
            break;
        }
        at += 16;
    }
    bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .position(|b| !b.is_ascii())
        .map_or(bytes.len(), |p| at + p)
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

    /// The characters and UTF-16 units from the start of `offset`'s line to it, counted
    /// by scanning `src` (what the index must agree with).
    fn scanned(src: &str, idx: &LineIndex, offset: usize) -> (usize, usize, usize) {
        let line = idx.line_of(offset);
        let start = idx.line_start(line);
        let (chars, utf16) = src[start..]
            .char_indices()
            .take_while(|&(i, _)| start + i < offset)
            .fold((0, 0), |(n, u), (_, c)| (n + 1, u + c.len_utf16()));
        (line, chars, utf16)
    }

    #[test]
    fn non_ascii_columns_need_no_text() {
        // Runs of 2-, 3- and 4-byte characters, on several lines, and offsets inside
        // characters: the index alone gives what a scan of the text gives.
        let src = "a·b\n日本語 x\n😀😀é\r\n\n·· ·\nplain\n";
        let idx = LineIndex::new(src);
        assert!(!idx.is_ascii());
        for offset in 0..=src.len() + 2 {
            let (line, chars, utf16) = scanned(src, &idx, offset.min(src.len()));
            assert_eq!(
                idx.line_col("", offset),
                LineCol {
                    line: line + 1,
                    column: chars + 1
                },
                "offset {offset}"
            );
            assert_eq!(idx.line_col_utf16("", offset), (line, utf16), "offset {offset}");
        }
    }

    #[test]
    fn an_index_that_cannot_place_a_character_counts_from_the_text() {
        // As the index of a text with a multi-byte character past 4 GiB ends: its runs
        // stop there, and columns are counted from the text, not from the runs.
        let src = "a·b\nx日y\n";
        let mut idx = LineIndex::new(src);
        let mut runs = idx.wide.to_vec();
        runs.truncate(1);
        runs.push(WideRun::PAST);
        idx.wide = runs.into_boxed_slice();
        assert!(!idx.wide_complete() && !idx.is_ascii());
        for offset in 0..=src.len() {
            let (line, chars, utf16) = scanned(src, &idx, offset);
            assert_eq!(
                idx.line_col(src, offset),
                LineCol {
                    line: line + 1,
                    column: chars + 1
                }
            );
            assert_eq!(idx.line_col_utf16(src, offset), (line, utf16), "offset {offset}");
        }
        // The second line's `y`, after a character the runs no longer place.
        assert_eq!(idx.line_col(src, src.len() - 2), LineCol { line: 2, column: 3 });
    }

    proptest::proptest! {
        /// A packed index (lines of any length: one-, two- and three-byte varints, over
        /// 64 KiB too) answers every question as the index it was packed from, and a
        /// packed index survives the cache's encoding.
        #[test]
        fn a_packed_index_answers_as_the_unpacked_one(
            lines in proptest::collection::vec((0usize..300, proptest::bool::ANY), 0..40),
            long in proptest::bool::ANY,
        ) {
            let mut src = String::new();
            for (len, crlf) in &lines {
                src.push_str(&"é".repeat(len / 8));
                src.push_str(&"x".repeat(*len));
                src.push_str(if *crlf { "\r\n" } else { "\n" });
            }
            if long {
                src.push_str(&"y".repeat(70_000));
            }
            let idx = LineIndex::new(&src);
            let mut packed = idx.clone();
            packed.pack();
            proptest::prop_assert!(matches!(packed.line_starts, Starts::Packed(_)));
            proptest::prop_assert_eq!(packed.line_count(), idx.line_count());
            for line in 0..=idx.line_count() + 1 {
                proptest::prop_assert_eq!(packed.line_start(line), idx.line_start(line));
                proptest::prop_assert_eq!(packed.line_span(&src, line), idx.line_span(&src, line));
            }
            let step = (src.len() / 500).max(1);
            for offset in (0..=src.len() + 2).step_by(step) {
                proptest::prop_assert_eq!(packed.line_of(offset), idx.line_of(offset));
                proptest::prop_assert_eq!(packed.line_col("", offset), idx.line_col("", offset));
            }
            #[cfg(feature = "serde")]
            {
                let bytes = serde_json::to_vec(&packed).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                let back: LineIndex = serde_json::from_slice(&bytes).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                proptest::prop_assert_eq!(back.line_count(), idx.line_count());
                for line in 0..idx.line_count() {
                    proptest::prop_assert_eq!(back.line_start(line), idx.line_start(line));
                }
            }
        }

        /// Any text of ASCII (in runs short and long), 2-, 3- and 4-byte characters and
        /// line breaks: the index's columns are those a scan of the text counts, at every
        /// offset.
        #[test]
        fn columns_from_the_index_match_a_scan(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", " ", "\n", "\r", "é", "·", "日", "€", "😀", "𝄞",
                    // Runs of ASCII longer than the sixteen bytes looked at together.
                    "abcdefghijklmnopq", "0123456789abcdef0123456789abcdef\n",
                ]),
                0..64,
            )
        ) {
            let src: String = pieces.concat();
            let idx = LineIndex::new(&src);
            proptest::prop_assert_eq!(idx.is_ascii(), src.is_ascii());
            for offset in 0..=src.len() {
                let (line, chars, utf16) = scanned(&src, &idx, offset);
                proptest::prop_assert_eq!(idx.line_col("", offset).column, chars + 1);
                proptest::prop_assert_eq!(idx.line_col_utf16("", offset), (line, utf16));
            }
        }
    }

    /// The lines a scan of `src` finds: each line's start offset.
    fn scanned_starts(src: &str) -> Vec<usize> {
        std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect()
    }

    /// A text under 64 KiB keeps `u16` starts and one over keeps `u32`s; both place
    /// every offset on the line a scan does (the boundary included: a text of exactly
    /// 65,535 bytes ending in `\n`, whose last line starts at 65,535), and both survive
    /// serialization unchanged.
    #[test]
    fn short_and_long_texts_place_lines_alike() {
        let line = "x".repeat(99) + "\n";
        let exact = "y".repeat(65_534) + "\n";
        for src in [
            line.repeat(10),
            line.repeat(700),
            exact,
            line.repeat(655) + "tail",
        ] {
            let idx = LineIndex::new(&src);
            let short = u16::try_from(src.len()).is_ok();
            assert_eq!(
                matches!(idx.line_starts, Starts::Short(_)),
                short,
                "{}",
                src.len()
            );
            let starts = scanned_starts(&src);
            assert_eq!(idx.line_count(), starts.len());
            #[cfg(feature = "serde")]
            let back: LineIndex = serde_json::from_str(&serde_json::to_string(&idx).unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
            #[cfg(not(feature = "serde"))]
            let back = idx.clone();
            for offset in (0..=src.len()).step_by(37).chain([src.len()]) {
                let line = starts.partition_point(|&s| s <= offset) - 1;
                assert_eq!(idx.line_of(offset), line, "offset {offset}");
                assert_eq!(back.line_of(offset), line, "offset {offset}");
                assert_eq!(idx.line_start(line), starts[line]);
                assert_eq!(back.line_start(line), starts[line]);
            }
        }
    }

    /// Each form of the starts (`u16`, `u32`, packed) survives the cache's encoding
    /// (postcard) unchanged, and a packed index is encoded as its width and its own
    /// bytes: the pair the cache reads back.
    #[cfg(feature = "serde")]
    #[test]
    fn every_form_of_starts_survives_postcard() {
        let text = "ab\nc·d\n".repeat(40) + &"x".repeat(70_000) + "\n\ntail";
        for src in [text[..200].to_string(), text.clone()] {
            let idx = LineIndex::new(&src);
            let mut packed = idx.clone();
            packed.pack();
            for form in [idx.clone(), packed] {
                let bytes = postcard::to_allocvec(&form).unwrap_or_else(|e| panic!("{e}"));
                if let Starts::Packed(own) = &form.line_starts {
                    assert_eq!(bytes[0], 1, "the width of packed starts");
                    assert!(bytes[1..].windows(own.len()).any(|w| w == &own[..]));
                }
                let back: LineIndex = postcard::from_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    std::mem::discriminant(&back.line_starts),
                    std::mem::discriminant(&form.line_starts)
                );
                assert_eq!(back.line_count(), idx.line_count());
                for offset in (0..=src.len()).step_by(97).chain([src.len()]) {
                    assert_eq!(
                        back.line_col("", offset),
                        idx.line_col("", offset),
                        "offset {offset}"
                    );
                }
            }
        }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let src = "😀x";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col_utf16(src, 4), (0, 2));
    }
}
