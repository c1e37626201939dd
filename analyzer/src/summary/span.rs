//! [`CompactSpan`]: the byte spans summaries keep, in 8 bytes.

use djust_runtime::Span;
use serde::{Deserialize, Serialize};

/// A byte span in 8 bytes: a [`Span`] with 32-bit offsets. Every offset of a checked
/// file fits (a file is at most 32 MiB, [`crate::source::MAX_FILE_SIZE`]); one past
/// 4 GiB (an in-memory buffer) saturates. Summaries keep one per method, piece of
/// state, element and directive, and a run holds every summary until its cross-file
/// rules are done, so they are half a [`Span`]'s size (Ruff's `TextRange` is the same
/// idea). Rules hand them to [`crate::finding::Finding::new`] as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompactSpan {
    start: u32,
    end: u32,
}

impl CompactSpan {
    /// The span as a [`Span`].
    pub fn span(self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }

    /// Offset of the first byte.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// Offset one past the last byte.
    pub fn end(self) -> usize {
        self.end as usize
    }
}

impl From<Span> for CompactSpan {
    fn from(span: Span) -> Self {
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        CompactSpan {
            start: at(span.start),
            end: at(span.end),
        }
    }
}

impl From<CompactSpan> for Span {
    fn from(span: CompactSpan) -> Self {
        span.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compact_span_is_the_span_it_was_made_from() {
        for (start, end) in [(0, 0), (3, 9), (0, u32::MAX as usize)] {
            let span = Span::new(start, end);
            assert_eq!(CompactSpan::from(span).span(), span);
        }
        // Past 4 GiB (only an in-memory buffer can be): saturated, never wrapped.
        let far = CompactSpan::from(Span::new(1 << 33, (1 << 33) + 2));
        assert_eq!((far.start(), far.end()), (u32::MAX as usize, u32::MAX as usize));
        assert_eq!(std::mem::size_of::<CompactSpan>(), 8);
    }
}
