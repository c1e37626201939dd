//! E003: a file that could not be read.

use crate::declare_violation;

declare_violation! {
    /// ## What it does
    /// Reports a discovered file that could not be read (permissions, a broken link, a
    /// file removed during the run), with the operating system's message. The other
    /// files are still checked. A path that is not a regular file (a named pipe, which
    /// would block the run, or a device such as `/dev/zero`, which never ends) is
    /// reported without being opened, and a file over 32 MiB without being read.
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
