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
use std::path::{Path, PathBuf};

/// A file that was checked.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user: [`SourceFile::display`].
    display: DisplayPath,
    /// Absolute path (exactly sized, like `text`: a run holds one per file).
    pub abs: Box<Path>,
    /// Python file or template.
    pub kind: Kind,
    /// Whether `text` holds the file's text ([`SourceFile::has_text`]).
    has_text: bool,
    /// The decoded text (invalid UTF-8 replaced by U+FFFD). Empty when the run did not
    /// keep it: a file whose result came from the cache and that has no finding, or any
    /// file of a run whose output prints no source ([`config::Settings::keep_sources`]);
    /// `lines` places findings without it.
    pub text: Box<str>,
    /// Line index of `text`.
    pub lines: LineIndex,
}

/// Where a file's display path is kept: as the end of its absolute path, which it is
/// whenever the path named on the command line is relative and plain (`.`, `shop`) or
/// absolute (a run holds one path per file, not two), or on its own.
#[derive(Debug, Clone)]
enum DisplayPath {
    /// The display path is the absolute path from this byte on.
    Suffix(usize),
    /// Anything else (`../shop/x.py`, a name not in the absolute path, a path that is
    /// not UTF-8).
    Own(Box<Path>),
}

impl DisplayPath {
    /// Borrows `display`: the usual file keeps no copy of it.
    fn of(display: &Path, abs: &Path) -> DisplayPath {
        if let (Some(d), Some(a)) = (display.to_str(), abs.to_str()) {
            let start = a
                .len()
                .checked_sub(d.len())
                .filter(|_| !d.is_empty() && a.ends_with(d));
            // The name starts at a component: all of the path, or after a separator.
            if let Some(at) = start.filter(|&at| at == 0 || a[..at].ends_with(std::path::is_separator)) {
                return DisplayPath::Suffix(at);
            }
        }
        DisplayPath::Own(display.into())
    }
}

impl SourceFile {
    /// A file that was read: its display path (as the user named it, relative to where
    /// it was named), absolute path, kind, text and line index.
    pub fn new(display: &Path, abs: PathBuf, kind: Kind, text: String, lines: LineIndex) -> SourceFile {
        SourceFile {
            display: DisplayPath::of(display, &abs),
            abs: abs.into_boxed_path(),
            kind,
            has_text: true,
            text: text.into_boxed_str(),
            lines,
        }
    }

    /// A file whose text was not read (its result came from the cache), with the line
    /// index its findings are placed by.
    pub fn unread(display: &Path, abs: PathBuf, kind: Kind, lines: LineIndex) -> SourceFile {
        SourceFile {
            has_text: false,
            ..SourceFile::new(display, abs, kind, String::new(), lines)
        }
    }

    /// Whether [`SourceFile::text`] holds the file's text: false when it was not read (a
    /// cache hit) or not kept ([`SourceFile::drop_text`]).
    pub fn has_text(&self) -> bool {
        self.has_text
    }

    /// Forget the text (a run that prints no source keeps only the line index).
    pub fn drop_text(&mut self) {
        self.text = Box::default();
        self.has_text = false;
    }

    /// Take `text`, read now, as the file's text, with its line index.
    pub fn set_text(&mut self, text: String) {
        self.lines = LineIndex::new(&text);
        self.text = text.into_boxed_str();
        self.has_text = true;
    }

    /// The path as shown to the user (relative to where it was named: `shop/views.py`).
    pub fn display(&self) -> &Path {
        match &self.display {
            DisplayPath::Suffix(at) => self
                .abs
                .to_str()
                .and_then(|a| a.get(*at..))
                .map_or(self.abs.as_ref(), Path::new),
            DisplayPath::Own(p) => p,
        }
    }

    /// Show the file under another path (`--stdin-filename`'s name).
    pub fn set_display(&mut self, display: &Path) {
        self.display = DisplayPath::of(display, &self.abs);
    }

    /// The display path with `/` separators.
    pub fn display_str(&self) -> String {
        self.display().to_string_lossy().replace('\\', "/")
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
#[cfg(test)]
mod tests {
    use super::*;

    fn shown(display: &str, abs: &str) -> (PathBuf, bool) {
        let file = SourceFile::new(
            Path::new(display),
            PathBuf::from(abs),
            Kind::Python,
            String::new(),
            LineIndex::new(""),
        );
        let shared = matches!(file.display, DisplayPath::Suffix(_));
        (file.display().to_path_buf(), shared)
    }

    /// A file shows the path it was named by: the end of its absolute path when it is
    /// one (no second copy kept), its own copy otherwise; a name that only ends like a
    /// component of the absolute path (`shop/x.py` in `/p/myshop/x.py`) is not taken
    /// from it.
    #[test]
    fn a_file_shows_the_path_it_was_named_by() {
        let cases = [
            ("shop/views.py", "/p/shop/views.py", true),
            ("views.py", "/p/shop/views.py", true),
            ("/p/shop/views.py", "/p/shop/views.py", true),
            ("../other/views.py", "/other/views.py", false),
            ("shop/x.py", "/p/myshop/x.py", false),
            ("snippet.py", "/p/elsewhere.py", false),
        ];
        for (display, abs, shared) in cases {
            assert_eq!(shown(display, abs), (PathBuf::from(display), shared), "{display}");
        }
        let mut file = SourceFile::new(
            Path::new("a.py"),
            PathBuf::from("/p/a.py"),
            Kind::Python,
            String::new(),
            LineIndex::new(""),
        );
        file.set_display(Path::new("-"));
        assert_eq!(file.display(), Path::new("-"));
        assert_eq!(file.display_str(), "-");
    }

    /// The layouts a run holds one of per file, per class, per method or per finding
    /// (docs/benchmarks.md, the memory of `djust check`): a field that grows one of
    /// them fails here, not only in a benchmark.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn what_a_run_holds_per_item_stays_small() {
        use std::mem::size_of;
        use summary::python::{HandlerCandidate, Method, PyClass, PyFile};
        assert!(
            size_of::<pipeline::Loaded>() <= 128,
            "{}",
            size_of::<pipeline::Loaded>()
        );
        assert!(size_of::<SourceFile>() <= 104, "{}", size_of::<SourceFile>());
        assert!(
            size_of::<djust_runtime::LineIndex>() <= 48,
            "{}",
            size_of::<djust_runtime::LineIndex>()
        );
        assert!(size_of::<Finding>() <= 120, "{}", size_of::<Finding>());
        assert!(size_of::<PyFile>() <= 216, "{}", size_of::<PyFile>());
        assert!(size_of::<PyClass>() <= 128, "{}", size_of::<PyClass>());
        assert!(size_of::<Method>() <= 48, "{}", size_of::<Method>());
        assert!(
            size_of::<HandlerCandidate>() <= 72,
            "{}",
            size_of::<HandlerCandidate>()
        );
        assert!(
            size_of::<summary::python::StateVar>() <= 40,
            "{}",
            size_of::<summary::python::StateVar>()
        );
        assert!(
            size_of::<summary::template::Element>() <= 64,
            "{}",
            size_of::<summary::template::Element>()
        );
        assert!(
            size_of::<summary::template::DirectiveAttr>() <= 56,
            "{}",
            size_of::<summary::template::DirectiveAttr>()
        );
    }
}
