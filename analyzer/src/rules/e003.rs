//! E003: a file that could not be read.

use crate::declare_violation;

declare_violation! {
    /// ## What it does
    /// Reports a discovered file that could not be read (permissions, a broken link, a
    /// file removed during the run), with the operating system's message. The other
    /// files are still checked.
    ///
    /// ## Why is this bad?
    /// djust cannot tell you anything about a file it cannot read, and neither can Django.
    ///
    /// ## Example
    /// `templates/secret.html` with mode `000`.
    ///
    /// ## Fix
    /// Make the file readable, or exclude it with `extend-exclude` in `[tool.djust]`.
    ///
    /// ## Differences from upstream
    /// Upstream crashes or skips the file.
    pub struct UnreadableFile {
        code: "E003",
        name: "io-error",
        severity: Error,
        summary: "File could not be read",
    }
}
