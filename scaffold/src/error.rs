//! What can go wrong, each with what to do about it.

use std::path::PathBuf;

/// An error of the generator. Conflicts are not errors: they are a plan's
/// [`crate::plan::Action::Conflict`] entries, and nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// A name Django (or Python) would refuse.
    #[error("`{name}` is not a valid {kind} name: {reason}. Use {suggestion} instead.")]
    InvalidName {
        /// The name as given.
        name: String,
        /// "project", "app", …
        kind: &'static str,
        /// Why.
        reason: String,
        /// What to use instead.
        suggestion: String,
    },
    /// A `FIELD:TYPE` that cannot be parsed.
    #[error("`{spec}` is not a field: {reason}. Write NAME:TYPE, with TYPE one of str, int, float, bool (e.g. `title:str count:int`).")]
    InvalidField {
        /// The argument.
        spec: String,
        /// Why.
        reason: String,
    },
    /// `new app/view/component` outside a Django project.
    #[error("no Django project here: no manage.py in {dir} or any directory above it. Start one with `djust new project NAME`, or run this command inside your project.")]
    NoProject {
        /// Where the search started.
        dir: PathBuf,
    },
    /// The app to put a view or component in cannot be chosen or found.
    #[error("{0}")]
    App(String),
    /// A project template override that does not render.
    #[error("{path}:{line}: {message}")]
    Template {
        /// The template file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing failed; nothing was left half-written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}
