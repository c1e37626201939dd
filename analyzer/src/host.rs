//! An in-memory project that is analysed again file by file as it changes: the
//! language server's model of the workspace.
//!
//! [`AnalysisHost::load`] reads the project as `djust check` does (same discovery,
//! same parse, same rules). Afterwards, [`AnalysisHost::set_overlay`] (an editor
//! buffer) and [`AnalysisHost::refresh`] (a file changed on disk) re-analyse only the
//! file that changed; the cross-file rules and the [`ProjectIndex`] are computed again
//! over the kept summaries, which is cheap. A change discovery must see (a new or
//! deleted file, a settings file's `TEMPLATES` `DIRS`) reloads the whole project.

use crate::discovery::{self, Input, Kind};
use crate::pipeline::{
    load, load_project, select, sort_findings, Loaded, LoadedProject, Summaries, Summary, Texts,
};
use crate::workspace::ProjectIndex;
use crate::{project, CheckError, FileId, Finding, Report, Settings, SourceFile};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A loaded project plus the editor buffers that stand in for some of its files.
pub struct AnalysisHost {
    root: PathBuf,
    /// What is checked, relative to `root` (`.` for the language server).
    paths: Vec<PathBuf>,
    settings: Settings,
    loaded: Vec<Loaded>,
    settings_dirs: Vec<PathBuf>,
    by_path: HashMap<PathBuf, FileId>,
    overlays: HashMap<PathBuf, String>,
}

/// What a change cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// One file was analysed again.
    File(FileId),
    /// The project was discovered and loaded again.
    Reload,
    /// Nothing the analysis sees changed (a file outside the project).
    Unchanged,
}

impl AnalysisHost {
    /// Discover and analyse every file under `root` with `settings`.
    ///
    /// # Errors
    /// `root` does not exist or cannot be walked ([`CheckError`]).
    pub fn load(root: &Path, settings: Settings) -> Result<Self, CheckError> {
        Self::load_paths(root, &[PathBuf::from(".")], settings)
    }

    /// Discover and analyse `paths` (relative to `root`, the directory findings are
    /// shown relative to), as `djust check PATHS` run in `root` does.
    ///
    /// # Errors
    /// As [`AnalysisHost::load`].
    pub fn load_paths(root: &Path, paths: &[PathBuf], settings: Settings) -> Result<Self, CheckError> {
        let mut host = AnalysisHost {
            root: root.to_path_buf(),
            paths: paths.to_vec(),
            settings,
            loaded: Vec::new(),
            settings_dirs: Vec::new(),
            by_path: HashMap::new(),
            overlays: HashMap::new(),
        };
        host.reload()?;
        Ok(host)
    }

    /// The project root the host was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Discover and analyse the whole project again; overlays stay in force.
    ///
    /// # Errors
    /// As [`AnalysisHost::load`].
    pub fn reload(&mut self) -> Result<(), CheckError> {
        let overlay: Vec<(PathBuf, String)> = self
            .overlays
            .iter()
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        let LoadedProject {
            loaded,
            settings_dirs,
            ..
        } = load_project(
            &self.paths,
            &self.root,
            &self.settings,
            None,
            &overlay,
            Texts::All,
        )?;
        self.by_path = loaded
            .iter()
            .enumerate()
            .map(|(id, l)| (l.file.abs.to_path_buf(), id))
            .collect();
        self.loaded = loaded;
        self.settings_dirs = settings_dirs;
        Ok(())
    }

    /// Make `abs` read as `text` (an open editor buffer), or as its file on disk again
    /// when `text` is `None` (the buffer was closed).
    ///
    /// # Errors
    /// A reload was needed and failed ([`CheckError`]).
    pub fn set_overlay(&mut self, abs: &Path, text: Option<String>) -> Result<Update, CheckError> {
        match text {
            Some(t) => {
                self.overlays.insert(abs.to_path_buf(), t);
            }
            None => {
                if self.overlays.remove(abs).is_none() {
                    return Ok(Update::Unchanged);
                }
            }
        }
        self.reanalyse(abs)
    }

    /// The file `abs` was created, changed or deleted on disk (or the directory `abs`
    /// appeared or went, renames included: the project is discovered again). An open
    /// buffer wins over the disk until it is closed.
    ///
    /// # Errors
    /// A reload was needed and failed ([`CheckError`]).
    pub fn refresh(&mut self, abs: &Path) -> Result<Update, CheckError> {
        if self.overlays.contains_key(abs) {
            return Ok(Update::Unchanged);
        }
        if abs.file_name().is_some_and(|n| n == "pyproject.toml") {
            self.reload()?;
            return Ok(Update::Reload);
        }
        if abs.is_dir() {
            // A directory appeared (created, or renamed to here): its files are new.
            if !abs.starts_with(&self.root) || self.settings.is_excluded(abs) {
                return Ok(Update::Unchanged);
            }
            self.reload()?;
            return Ok(Update::Reload);
        }
        if !abs.exists() {
            // A file, or a directory of files (removed, or renamed away), is gone.
            if self.by_path.contains_key(abs) || self.by_path.keys().any(|k| k.starts_with(abs)) {
                self.reload()?;
                return Ok(Update::Reload);
            }
            return Ok(Update::Unchanged);
        }
        self.reanalyse(abs)
    }

    fn reanalyse(&mut self, abs: &Path) -> Result<Update, CheckError> {
        let Some(&id) = self.by_path.get(abs) else {
            // A file discovery has not seen: only a reload decides whether it belongs.
            if !abs.starts_with(&self.root) || !is_analysable(abs) || self.settings.is_excluded(abs) {
                return Ok(Update::Unchanged);
            }
            self.reload()?;
            return Ok(Update::Reload);
        };
        let old = &self.loaded[id];
        let input = Input {
            display: old.file.display().to_path_buf(),
            abs: old.file.abs.to_path_buf(),
            kind: old.file.kind,
        };
        let module = match (&old.summary, input.kind) {
            (Summary::Python(p), _) => Some((p.module.to_string(), p.is_package)),
            (_, Kind::Python) => Some(discovery::module_name(abs, &mut HashMap::new())),
            _ => None,
        };
        let old_dirs = match &old.summary {
            Summary::Python(p) => p.template_dirs().to_vec(),
            _ => Vec::new(),
        };
        let overlay: Vec<(PathBuf, String)> = self
            .overlays
            .get(abs)
            .map(|t| vec![(abs.to_path_buf(), t.clone())])
            .unwrap_or_default();
        let (fresh, _) = load(id, input, module, &self.settings, None, &overlay);
        let new_dirs = match &fresh.summary {
            Summary::Python(p) => p.template_dirs().to_vec(),
            _ => Vec::new(),
        };
        self.loaded[id] = fresh;
        if old_dirs != new_dirs {
            // A settings file changed where templates are looked up.
            self.reload()?;
            return Ok(Update::Reload);
        }
        Ok(Update::File(id))
    }

    /// Analyse the project as it stands (overlays in force): every finding, as `djust
    /// check` would report them with the overlays saved (selected, `noqa`-filtered,
    /// sorted by file and position), the project index and the template names. The
    /// summaries and the template index are built once for all three.
    pub fn analysis(&self) -> Analysis {
        let project = Summaries::of(&self.loaded, &self.settings_dirs);
        let (findings, _) = self.selected(&project);
        let files: Vec<&SourceFile> = self.loaded.iter().map(|l| &l.file).collect();
        let index = crate::workspace::build(&files, &project.python, &project.templates, &project.tindex);
        let mut template_names = project.tindex.names();
        template_names.sort();
        Analysis {
            findings,
            index,
            template_names,
        }
    }

    /// The findings of the project as it stands, as a [`Report`] of `djust check`
    /// (`djust check --watch` prints it). Only the files with findings carry their
    /// text; the others are named without it.
    pub fn report(&self) -> Report {
        let project = Summaries::of(&self.loaded, &self.settings_dirs);
        let (findings, suppressed) = self.selected(&project);
        let with: HashSet<FileId> = findings.iter().map(|f| f.file).collect();
        let files = self
            .loaded
            .iter()
            .enumerate()
            .map(|(id, l)| {
                if with.contains(&id) {
                    l.file.clone()
                } else {
                    SourceFile::new(
                        l.file.display(),
                        l.file.abs.to_path_buf(),
                        l.file.kind,
                        String::new(),
                        djust_runtime::LineIndex::new(""),
                    )
                }
            })
            .collect();
        Report {
            files,
            findings,
            suppressed,
            fail_on: self.settings.fail_on,
            config_path: self.settings.config_path.clone(),
        }
    }

    /// Cross-file rules over `project`, then selection and `noqa`, sorted.
    fn selected(&self, project: &Summaries<'_>) -> (Vec<Finding>, usize) {
        let cross = {
            let index = project::PythonIndex::new(project.python.clone());
            project::cross_file_findings(&index, &project.templates, &project.tindex)
        };
        let (mut findings, suppressed) = select(&self.loaded, cross, &self.settings);
        sort_findings(&mut findings, |id| self.loaded[id].file.display());
        (findings, suppressed)
    }

    /// The file with id `id` (its text as analysed: the overlay when there is one).
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.loaded.get(id).map(|l| &l.file)
    }
}

/// The result of [`AnalysisHost::analysis`].
#[derive(Debug)]
pub struct Analysis {
    /// Findings after selection and `noqa`, sorted by file, position and code.
    pub findings: Vec<Finding>,
    /// The project's LiveViews and templates.
    pub index: ProjectIndex,
    /// Every template name the project's loaders can find, with its file, sorted.
    pub template_names: Vec<(String, FileId)>,
}

fn is_analysable(abs: &Path) -> bool {
    abs.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "py" | "html" | "htm" | "txt"))
}
