//! Template errors: every one carries the template name, 1-based line and column, and
//! the byte span of the offending token, like minijinja's errors.

use crate::span::{LineIndex, Span};
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Django's `TemplateSyntaxError`: raised while compiling, or by a tag at render time
    /// where Django raises it too (e.g. `{% cycle %}` with an undefined name).
    Syntax,
    /// Django's `TemplateDoesNotExist`.
    NotFound,
    /// An `{% extends %}` / `{% include %}` chain that loops or nests too deep.
    Recursion,
    /// A template name that escapes the template directories (`../`, absolute paths).
    SuspiciousName,
    /// Any other failure while rendering (a filter given a value it cannot handle, …).
    Render,
    /// A render failure Django raises as `ValueError`: a `{% for a, b in … %}` item
    /// with another number of values (`"Need 2 values to unpack in for loop; got 3. "`).
    Value,
    /// A render failure Django raises as `AttributeError`: `{% querystring %}` without a
    /// request in the context, or given a value that is not a `QueryDict`.
    Attribute,
    /// A value the template would generate is larger than the engine's
    /// [`EngineOptions::max_generated_size`](super::EngineOptions): `{{ x|rjust:n }}`
    /// with a huge `n`, `{% lorem 10000000000000 w %}`. Django raises `MemoryError`
    /// when such an allocation fails; djust refuses before allocating, so no input can
    /// abort the process.
    Limit,
}

/// A template error with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    /// What kind of error.
    pub kind: ErrorKind,
    /// The message, worded as Django words it.
    pub message: String,
    /// Name of the template (as loaded), if known.
    pub template: Option<String>,
    /// Offending bytes in that template.
    pub span: Option<Span>,
    /// 1-based line of `span.start`.
    pub line: Option<usize>,
    /// 1-based column (characters) of `span.start`.
    pub column: Option<usize>,
}

impl TemplateError {
    /// An error without a location yet.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TemplateError {
            kind,
            message: message.into(),
            template: None,
            span: None,
            line: None,
            column: None,
        }
    }

    /// A syntax error at `span`.
    pub fn syntax(message: impl Into<String>, span: Span) -> Self {
        TemplateError::new(ErrorKind::Syntax, message).at(span)
    }

    /// Attach the offending span (kept if one is already set).
    pub fn at(mut self, span: Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Fill in template name, line and column from `source` (kept if already set).
    pub fn located(self, name: Option<&str>, source: &str) -> Self {
        if self.template.is_some() {
            return self;
        }
        self.located_with(name, source, &LineIndex::new(source))
    }

    /// [`TemplateError::located`] with the source's line index already built (one
    /// index for all of a template's errors, so locating `n` errors is not `O(n²)`).
    pub fn located_with(mut self, name: Option<&str>, source: &str, lines: &LineIndex) -> Self {
        if self.template.is_none() {
            self.template = name.map(str::to_string);
            if let Some(span) = self.span {
                let lc = lines.line_col(source, span.start);
                self.line = Some(lc.line);
                self.column = Some(lc.column);
            }
        }
        self
    }

    /// The [`ErrorKind::Limit`] error for a value of `size` units (bytes or
    /// characters) that `what` would generate, over `limit`.
    pub fn too_large(what: &str, size: u128, limit: usize) -> Self {
        TemplateError::new(
            ErrorKind::Limit,
            format!(
                "{what} would generate {size} characters, more than the engine's limit of {limit} \
                 (the max_generated_size option)"
            ),
        )
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (&self.template, self.line, self.column) {
            (Some(t), Some(l), Some(c)) => write!(f, " (in {t} at {l}:{c})"),
            (None, Some(l), Some(c)) => write!(f, " (at {l}:{c})"),
            (Some(t), _, _) => write!(f, " (in {t})"),
            _ => Ok(()),
        }
    }
}

/// Result type of the template engine.
pub type Result<T> = std::result::Result<T, TemplateError>;
