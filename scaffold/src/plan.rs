//! The planner: what `djust new` would do to each target, decided before anything is
//! written. A target that exists with other content is a conflict, and a plan with a
//! conflict writes nothing (unless `--force` overwrites or `--skip-existing` skips).
//! Rails prints `create`/`identical`/`conflict` per file; `django-admin startapp`
//! writes until the first conflict. djust plans all, then writes all or nothing
//! ([`crate::write`]).

use djust_analyzer::source::read;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One file the generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenFile {
    /// Path relative to the plan's root, `/`-separated.
    pub path: String,
    /// The whole content.
    pub content: String,
    /// A package marker (`__init__.py`) or placeholder: if it exists, whatever it
    /// holds is kept and it is not a conflict.
    pub keep_existing: bool,
}

/// What happens to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// It does not exist: written.
    Create,
    /// It exists with exactly this content: left alone.
    Identical,
    /// It exists with other content (or is not a file): nothing is written.
    Conflict,
    /// It exists with other content and `--force`: replaced.
    Force,
    /// It exists with other content and `--skip-existing`: left alone.
    Skip,
    /// A package marker that exists: kept.
    Keep,
    /// An existing file edited by `--wire` (the diff is shown).
    Modify,
}

impl Action {
    /// Whether the action writes the file.
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Force | Action::Modify)
    }

    /// The word printed before the path.
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Identical => "identical",
            Action::Conflict => "conflict",
            Action::Force => "force",
            Action::Skip => "skip",
            Action::Keep => "exists",
            Action::Modify => "modify",
        }
    }
}

/// How to treat existing files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnExisting {
    /// Conflicts stop the run (the default).
    #[default]
    Stop,
    /// `--force`: overwrite.
    Force,
    /// `--skip-existing`: leave them.
    Skip,
}

/// One planned target.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// Relative path, `/`-separated.
    pub path: String,
    /// What happens.
    pub action: Action,
    /// Why, for a conflict ("exists with other content", "is a directory").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The content it gets (for `writes()` actions and diffs).
    #[serde(skip)]
    pub content: String,
    /// What it holds now, if it is a readable text file.
    #[serde(skip)]
    pub old: Option<String>,
}

/// The plan for a set of files under `root`.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The directory paths are relative to.
    #[serde(skip)]
    pub root: PathBuf,
    /// Every target, in generation order.
    pub files: Vec<Planned>,
}

impl Plan {
    /// Whether a conflict stops the plan (nothing will be written).
    pub fn blocked(&self) -> bool {
        self.files.iter().any(|f| f.action == Action::Conflict)
    }

    /// The absolute path of a planned file.
    pub fn abs(&self, file: &Planned) -> PathBuf {
        self.root.join(file.path.split('/').collect::<PathBuf>())
    }
}

/// Plan `files` under `root`, then the `edits` (existing files with new content, from
/// `--wire`), treating existing targets as `on_existing` says.
pub fn plan(root: &Path, files: &[GenFile], edits: &[(String, String)], on_existing: OnExisting) -> Plan {
    let mut out = Vec::with_capacity(files.len() + edits.len());
    for f in files {
        let abs = root.join(f.path.split('/').collect::<PathBuf>());
        let (action, reason, old) = decide(root, &abs, f, on_existing);
        out.push(Planned {
            path: f.path.clone(),
            action,
            reason,
            content: f.content.clone(),
            old,
        });
    }
    for (path, content) in edits {
        let abs = root.join(path.split('/').collect::<PathBuf>());
        let old = read(&abs).ok().and_then(|b| String::from_utf8(b).ok());
        let action = if old.as_deref() == Some(content.as_str()) {
            Action::Identical
        } else {
            Action::Modify
        };
        out.push(Planned {
            path: path.clone(),
            action,
            reason: None,
            content: content.clone(),
            old,
        });
    }
    Plan {
        root: root.to_path_buf(),
        files: out,
    }
}

fn decide(
    root: &Path,
    abs: &Path,
    f: &GenFile,
    on_existing: OnExisting,
) -> (Action, Option<String>, Option<String>) {
    // A file where a directory of the path should be blocks it, whatever the mode.
    let mut dir = abs.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) {
            break;
        }
        if let Ok(meta) = std::fs::symlink_metadata(d) {
            if !meta.is_dir() {
                let rel = d.strip_prefix(root).unwrap_or(d).display().to_string();
                return (
                    Action::Conflict,
                    Some(format!("{rel} exists and is not a directory")),
                    None,
                );
            }
        }
        dir = d.parent();
    }
    let meta = match std::fs::symlink_metadata(abs) {
        Ok(m) => m,
        Err(_) => return (Action::Create, None, None),
    };
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return (Action::Conflict, Some(format!("it is {what}")), None);
    }
    if f.keep_existing {
        return (Action::Keep, None, None);
    }
    let old = read(abs).ok().and_then(|b| String::from_utf8(b).ok());
    if old.as_deref() == Some(f.content.as_str()) {
        return (Action::Identical, None, old);
    }
    match on_existing {
        OnExisting::Force => (Action::Force, None, old),
        OnExisting::Skip => (Action::Skip, None, old),
        OnExisting::Stop => (
            Action::Conflict,
            Some("it exists with other content (--force overwrites, --skip-existing keeps it)".into()),
            old,
        ),
    }
}
