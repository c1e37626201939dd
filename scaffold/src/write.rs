//! Carrying out a plan: all of it or none of it. Every file is first written to a
//! temporary file in its own directory; only when all are staged are they renamed into
//! place (a rename within a directory is atomic). A file that appeared since the plan
//! was made stops the run, and a failure part-way restores what was there before.

use crate::error::ScaffoldError;
use crate::plan::{Action, Plan};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// What [`apply`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Relative paths written, in plan order.
    pub files: Vec<String>,
}

/// Write every file of `plan` whose action writes. Refuses a blocked plan (nothing
/// is written). On any failure, the files already renamed into place are restored to
/// their previous content (or removed), the directories it created are removed, and
/// the error names the file.
pub fn apply(plan: &Plan) -> Result<Written, ScaffoldError> {
    if plan.blocked() {
        let first = plan.files.iter().find(|f| f.action == Action::Conflict);
        return Err(ScaffoldError::Io {
            path: first.map(|f| plan.abs(f)).unwrap_or_else(|| plan.root.clone()),
            message: "the plan has conflicts; nothing was written".into(),
        });
    }
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut staged: Vec<(usize, NamedTempFile)> = Vec::new();
    let result = stage(plan, &mut created_dirs, &mut staged).and_then(|()| commit(plan, staged));
    match result {
        Ok(files) => Ok(Written { files }),
        Err(e) => {
            for dir in created_dirs.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
            Err(e)
        }
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> ScaffoldError {
    ScaffoldError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn stage(
    plan: &Plan,
    created_dirs: &mut Vec<PathBuf>,
    staged: &mut Vec<(usize, NamedTempFile)>,
) -> Result<(), ScaffoldError> {
    for (i, f) in plan.files.iter().enumerate() {
        if !f.action.writes() {
            continue;
        }
        let abs = plan.abs(f);
        let dir = abs.parent().unwrap_or(&plan.root).to_path_buf();
        create_dirs(&dir, created_dirs)?;
        let mut tmp = NamedTempFile::new_in(&dir).map_err(|e| io(&dir, e))?;
        tmp.write_all(f.content.as_bytes()).map_err(|e| io(&abs, e))?;
        tmp.as_file().sync_all().map_err(|e| io(&abs, e))?;
        if let Ok(meta) = std::fs::metadata(&abs) {
            // Keep the mode of a file that is replaced (an executable manage.py).
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        staged.push((i, tmp));
    }
    Ok(())
}

/// Create `dir` and its missing parents, remembering each one created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), ScaffoldError> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    for d in missing.into_iter().rev() {
        std::fs::create_dir(d).map_err(|e| io(d, e))?;
        created.push(d.to_path_buf());
    }
    Ok(())
}

fn commit(plan: &Plan, staged: Vec<(usize, NamedTempFile)>) -> Result<Vec<String>, ScaffoldError> {
    // (path, previous content or None when it did not exist) of each file in place.
    let mut done: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut written = Vec::new();
    for (i, tmp) in staged {
        let f = &plan.files[i];
        let abs = plan.abs(f);
        let outcome = if f.action == Action::Create {
            // Fails if the file appeared since the plan: never clobber.
            tmp.persist_noclobber(&abs)
                .map(|_| ())
                .map_err(|e| io(&abs, format!("{} (it appeared after the plan was made)", e.error)))
        } else {
            let current = std::fs::read(&abs).ok().and_then(|b| String::from_utf8(b).ok());
            if current != f.old {
                Err(io(&abs, "it changed after the plan was made"))
            } else {
                tmp.persist(&abs).map(|_| ()).map_err(|e| io(&abs, e.error))
            }
        };
        if let Err(e) = outcome {
            roll_back(&done);
            return Err(e);
        }
        let previous = if f.action == Action::Create {
            None
        } else {
            f.old.clone()
        };
        done.push((abs, previous));
        written.push(f.path.clone());
    }
    Ok(written)
}

fn roll_back(done: &[(PathBuf, Option<String>)]) {
    for (path, previous) in done.iter().rev() {
        match previous {
            Some(text) => {
                let _ = std::fs::write(path, text);
            }
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}
