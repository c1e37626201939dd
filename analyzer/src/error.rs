//! Errors that stop a check run before any file is analysed (exit code 2).
//!
//! Per-file problems (a file that does not parse, is not UTF-8 or cannot be read)
//! are *findings* (E001–E003), never errors: one broken file never hides the
//! others.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::path::PathBuf;

/// Why a check could not run.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CheckError {
    /// A path given on the command line does not exist.
    #[error("{}: no such file or directory", path.display())]
    #[diagnostic(
        code(djust::path_not_found),
        help("djust check takes files and directories; check the spelling or run it from the project root")
    )]
    PathNotFound {
        /// The path as given.
        path: PathBuf,
    },

    /// A path given on the command line (or the config file) cannot be read.
    #[error("{}: cannot read: {message}", path.display())]
    #[diagnostic(code(djust::unreadable))]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },

    /// The configuration file is malformed or holds an invalid value.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),

    /// A command-line option has an invalid value.
    #[error("invalid value for {option}: {message}")]
    #[diagnostic(code(djust::usage))]
    InvalidOption {
        /// The option, e.g. `--select`.
        option: String,
        /// What is wrong.
        message: String,
    },
}

/// A malformed configuration file or an invalid value in it, with its location.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{}:{line}:{column}: {message}", path.display())]
#[diagnostic(code(djust::config))]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The file's text, for the snippet.
    #[source_code]
    pub src: NamedSource<String>,
    /// Where.
    #[label("here")]
    pub span: SourceSpan,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
}
