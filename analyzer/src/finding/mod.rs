//! Findings: what a rule reports, where, and how to fix it.

pub(crate) mod packed;

use crate::rule::{Rule, Severity};
use djust_runtime::Span;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use thin_vec::ThinVec;

/// Index of a file in [`crate::Report::files`].
pub type FileId = usize;

/// A text edit: replace `span` (bytes) with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// Bytes to replace (empty for an insertion).
    pub span: Span,
    /// Replacement text.
    pub content: String,
}

/// How safe it is to apply a [`Fix`] without review (ruff's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps behaviour; can be applied automatically.
    Safe,
    /// May change behaviour; apply after review.
    Unsafe,
}

/// A machine-applicable fix for a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "Add `**kwargs` to the signature".
    pub message: String,
    /// Whether it can be applied automatically.
    pub applicability: Applicability,
    /// The edits, in source order, non-overlapping.
    pub edits: Vec<Edit>,
}

/// A secondary label: another place in the same file that explains the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Bytes the label points at.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// Severity (the rule's default).
    pub severity: Severity,
    /// What is wrong, in one sentence (exactly sized: a run holds every finding until
    /// it prints them, and `format!` leaves up to half a message spare).
    pub message: Box<str>,
    /// How to fix it (most rules' help is a constant: borrowed, not copied per finding).
    pub help: Option<Cow<'static, str>>,
    /// File the finding is in.
    pub file: FileId,
    /// Bytes the finding points at (may be empty for file-level findings).
    pub span: Span,
    /// What the primary span is, in a few words ("stored on `self` here").
    pub label: Option<Cow<'static, str>>,
    /// 0-based lines on which a `# noqa` comment suppresses this finding.
    pub noqa_lines: ThinVec<usize>,
    /// Other places worth pointing at.
    pub labels: ThinVec<Label>,
    /// An automatic fix, when there is one (boxed: most findings have none, and a run
    /// holds every finding until it prints them).
    pub fix: Option<Box<Fix>>,
}

impl Finding {
    /// A finding of `rule` at `span` in `file`, with the rule's default severity.
    pub fn new(rule: Rule, file: FileId, span: impl Into<Span>, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity(),
            message: message.into().into_boxed_str(),
            help: None,
            file,
            span: span.into(),
            label: None,
            noqa_lines: ThinVec::new(),
            labels: ThinVec::new(),
            fix: None,
        }
    }

    /// Attach a help line.
    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Name what the primary span points at.
    pub fn with_primary_label(mut self, label: impl Into<Cow<'static, str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Lines (0-based) whose `# noqa` suppresses this finding.
    pub fn with_noqa_lines(mut self, lines: Vec<usize>) -> Self {
        self.noqa_lines = lines.into();
        self
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: impl Into<Span>, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span: span.into(),
            message: message.into(),
        });
        self
    }

    /// Attach a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(Box::new(fix));
        self
    }
}
