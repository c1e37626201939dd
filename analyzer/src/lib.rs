//! # djust-analyzer
//!
//! Static checks over djust LiveView Python files and Django templates, with
//! upstream djust's rule IDs (V006, V007, T002, T005, …), `noqa` suppression,
//! `[tool.djust]` configuration and machine-readable output.
//!
//! Invariants (see `docs/architecture.md`):
//! - the analyzer never executes or imports user code;
//! - every file is read once and parsed once; every rule runs over that one parse;
//! - templates are tokenized by the runtime's lexer ([`djust_runtime::template`]),
//!   the same one the renderer and the language server use;
//! - a file that cannot be read, decoded or parsed yields a finding (E001–E003) and
//!   never stops the run.
//!
//! Entry points: [`check`] for paths on disk, [`check_source`] for one in-memory file.

#![warn(missing_docs)]

pub mod ast_util;
pub mod cache;
pub mod checker;
pub mod config;
pub mod discovery;
pub mod docs;
pub mod error;
pub mod finding;
pub mod fix;
pub mod host;
pub mod knowledge;
pub mod noqa;
pub mod output;
pub mod pipeline;
pub mod project;
pub mod project_settings;
pub mod python;
pub mod python_depth;
mod python_state;
pub mod rule;
pub mod rules;
pub mod settings_eval;
pub mod source;
pub mod summary;
pub mod template;
pub mod workspace;

pub use config::{Overrides, Settings};
pub use error::CheckError;
pub use finding::{FileId, Finding};
pub use pipeline::{check, check_source, check_with_overlay, check_with_settings, project_index};
pub use rule::{Rule, Severity};

use discovery::Kind;
use djust_runtime::{LineCol, LineIndex, Span};
use std::collections::HashMap;
use std::path::PathBuf;

/// A file that was checked.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user (relative to where it was named).
    pub display: PathBuf,
    /// Absolute path.
    pub abs: PathBuf,
    /// Python file or template.
    pub kind: Kind,
    /// The decoded text (invalid UTF-8 replaced by U+FFFD). Empty when the run did not
    /// keep it: a file whose result came from the cache and that has no finding, or any
    /// file of a run whose output prints no source ([`config::Settings::keep_sources`]);
    /// `lines` places findings without it.
    pub text: String,
    /// Line index of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// The display path with `/` separators.
    pub fn display_str(&self) -> String {
        self.display.to_string_lossy().replace('\\', "/")
    }

    /// 1-based start and end of `span`.
    pub fn location(&self, span: Span) -> (LineCol, LineCol) {
        (
            self.lines.line_col(&self.text, span.start),
            self.lines.line_col(&self.text, span.end),
        )
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct Report {
    /// Every file that was checked, by [`FileId`].
    pub files: Vec<SourceFile>,
    /// Findings after selection and suppression, sorted by file, position and code.
    pub findings: Vec<Finding>,
    /// Findings dropped by `noqa` comments.
    pub suppressed: usize,
    /// Lowest severity that fails the run.
    pub fail_on: Severity,
    /// The configuration file used, if any.
    pub config_path: Option<PathBuf>,
}

impl Report {
    /// True when some finding is at or above `fail_on`.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity >= self.fail_on)
    }

    /// The file a finding is in.
    pub fn file(&self, f: &Finding) -> &SourceFile {
        &self.files[f.file]
    }

    /// Number of findings of each rule, most frequent first, then by code.
    pub fn statistics(&self) -> Vec<(Rule, usize)> {
        let mut counts: HashMap<Rule, usize> = HashMap::new();
        for f in &self.findings {
            *counts.entry(f.rule).or_default() += 1;
        }
        let mut v: Vec<(Rule, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}
