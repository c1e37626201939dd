//! E002: a file that is not valid UTF-8.

use crate::declare_violation;

declare_violation! {
    /// ## What it does
    /// Reports a Python file or template whose bytes are not valid UTF-8, at the first
    /// invalid byte. The file is still checked, with invalid bytes replaced by `U+FFFD`.
    ///
    /// ## Why is this bad?
    /// Python source and Django templates are UTF-8 by default (`FILE_CHARSET` is gone
    /// since Django 3.1): Django raises `UnicodeDecodeError` when it loads the template.
    ///
    /// ## Example
    /// A template saved as Latin-1 containing `café`.
    ///
    /// ## Fix
    /// Re-save the file as UTF-8 (`iconv -f latin1 -t utf-8`).
    ///
    /// ## Differences from upstream
    /// Upstream reads with `errors="replace"` and says nothing.
    pub struct UndecodableFile {
        code: "E002",
        name: "non-utf8-file",
        severity: Error,
        summary: "File is not valid UTF-8",
    }
}
