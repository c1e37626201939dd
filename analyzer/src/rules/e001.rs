//! E001: a Python file that does not parse.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::python_depth::TooDeep;
use crate::rule::Rule;
use djust_runtime::Span;
use ruff_python_parser::ParseError;

declare_violation! {
    /// ## What it does
    /// Reports a Python file that the parser cannot read, with the parser's location and
    /// message. The other files are still checked.
    ///
    /// A file that nests deeper than CPython accepts (100 levels of indentation, 201
    /// nested brackets, an expression about 3,000 levels deep such as `a.b.b.b…` or
    /// `- - - x`) is reported here too, at the token that crosses the limit, and is
    /// not analysed further: such a file cannot be imported anyway, and analysing it
    /// could overflow the checker's stack.
    ///
    /// ## Why is this bad?
    /// A file that does not parse cannot be checked, and will fail at import time in
    /// Django as well.
    ///
    /// ## Example
    /// ```python
    /// class BrokenView(LiveView)
    ///     template_name = "broken.html"
    /// ```
    ///
    /// ## Fix
    /// Fix the syntax error (here: the missing `:` after the class header).
    ///
    /// ## Differences from upstream
    /// Upstream skips files that fail `ast.parse` without a word, so a typo hides every
    /// finding in that file. djust reports it.
    pub struct PythonSyntaxError {
        code: "E001",
        name: "python-syntax-error",
        severity: Error,
        summary: "Python file does not parse",
    }
}

/// The E001 finding for a file that nests past a limit of
/// [`crate::python_depth`], at byte `at` (the token that crossed it).
pub fn too_deep(file: FileId, source: &str, kind: TooDeep, at: usize) -> Finding {
    let at = at.min(source.len());
    let end = source[at..]
        .chars()
        .next()
        .map(|c| at + c.len_utf8())
        .unwrap_or(at);
    Finding::new(Rule::E001, file, Span::new(at, end), kind.message())
        .with_primary_label("nested too deeply from here on")
        .with_help(
            "split the expression or the nested blocks into smaller pieces (helper functions, \
             intermediate variables); CPython cannot import this file either",
        )
}

/// The E001 finding for a parse error in `source`.
pub fn finding(file: FileId, source: &str, err: &ParseError) -> Finding {
    let at = usize::from(ruff_text_size::Ranged::start(&err.location)).min(source.len());
    let at = (0..=at).rev().find(|&i| source.is_char_boundary(i)).unwrap_or(0);
    let end = source[at..]
        .chars()
        .next()
        .map(|c| at + c.len_utf8())
        .unwrap_or(at);
    Finding::new(
        Rule::E001,
        file,
        Span::new(at, end),
        format!("SyntaxError: {}", err.error),
    )
    .with_primary_label("here")
    .with_help("fix the syntax error; djust checks what the parser could still read of this file")
}
