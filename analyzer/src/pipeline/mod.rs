//! The analysis pipeline, in the order a run goes through it:
//!
//! 1. **loading** ([`load`]): discovery's files are read (or taken from the cache),
//!    decoded and handed to the per-file analysis, in parallel;
//! 2. **per-file analysis** ([`analyse`]): one parse per file, its summary
//!    ([`crate::summary`]) and the per-file rules' findings;
//! 3. **cross-file rules** over the summaries ([`crate::project::cross_file_findings`]);
//! 4. **selection** ([`select`]): rule selection, per-file ignores, `noqa`, the
//!    unused-`noqa` rule, then sorting.
//!
//! [`check`] and its variants run the four phases; the language server's
//! [`crate::host::AnalysisHost`] keeps phase 2's results and re-runs 3 and 4.

pub(crate) mod analyse;
pub(crate) mod load;
pub(crate) mod select;

use crate::config::{Overrides, Settings};
use crate::discovery::{Input, Kind};
use crate::error::CheckError;
use crate::finding::packed::{Head, Packed};
use crate::finding::Finding;
use crate::{cache, project, settings_eval, source, workspace, Report, SourceFile};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub(crate) use analyse::{analyse, Summaries};
pub(crate) use load::{load, load_project, LoadedProject, Texts};
pub(crate) use select::{is_suppressed, select, sort_findings};

/// The phases of a `check` run a process can be told of ([`PHASE_HOOK`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Its files are about to be read and parsed: many short-lived syntax trees.
    Loading,
    /// They are loaded; the cross-file rules and selection follow, with every summary
    /// held.
    CrossFile,
    /// The summaries are freed (each by one of the parallel threads, not always the one
    /// that built it); the report is assembled from the findings.
    Report,
}

/// Called at each [`Phase`] of every `check` run in the process, if set. The `djust`
/// binary tunes its allocator here: freed pages kept for reuse while files are parsed
/// go back to the system once they are loaded (`cli/src/main.rs`; docs/benchmarks.md,
/// "Issue 19: details packed, freed pages returned after loading").
pub static PHASE_HOOK: std::sync::OnceLock<fn(Phase)> = std::sync::OnceLock::new();

/// Called, if set, on a thread that does work no result of the run waits for (the
/// cache's write, [`cache::Persist`]), when it starts: the `djust` binary gives the
/// thread the lowest priority (`cli/src/main.rs`), so that it runs on cores the run
/// leaves idle and does not slow the threads the run waits for.
pub static BACKGROUND_HOOK: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Tell the process's [`PHASE_HOOK`], if any, that a run enters `phase`.
fn enter(phase: Phase) {
    if let Some(hook) = PHASE_HOOK.get() {
        hook(phase);
    }
}

/// A file's summary, by kind.
pub(crate) enum Summary {
    Python(Box<crate::python::PyFile>),
    Template(Box<crate::template::TemplateDoc>),
    None,
}

impl Summary {
    /// A copy in exactly sized allocations (a clone gives each list the capacity of its
    /// length), for the summary a run holds until its cross-file rules are done. Made once
    /// the file's syntax tree is freed, the copy fills the tree's holes in the allocator's
    /// pages, and the original, scattered among the tree's nodes, is freed for the next
    /// file's parse: the held summaries end up on fewer pages (peak memory of a cold run
    /// on the synthetic 40k tree −4%: docs/benchmarks.md, "Issue 19: compacted summaries
    /// and a streamed tail").
    pub(crate) fn compacted(&self) -> Summary {
        match self {
            Summary::Python(p) => Summary::Python(Box::new(p.as_ref().clone())),
            Summary::Template(t) => Summary::Template(Box::new(t.as_ref().clone())),
            Summary::None => Summary::None,
        }
    }
}

pub(crate) struct Loaded {
    pub(crate) file: SourceFile,
    pub(crate) summary: Summary,
    pub(crate) findings: thin_vec::ThinVec<Finding>,
}

/// The cache key of a result computed this run, which phase 1 puts into the cache once
/// the result is settled ([`load::load`]).
pub(crate) struct CacheInfo {
    pub(crate) stamp: cache::Stamp,
    /// The first names outside the run that dropped class details relied on
    /// ([`crate::summary::python::PyFile::drop_unreadable_class_details`]), stored
    /// with the result.
    pub(crate) outside: Vec<String>,
}

/// Check `paths` (as given on the command line, relative to `cwd`) with the
/// configuration found for them and the command-line `overrides`.
///
/// Errors (exit code 2): a path that does not exist or cannot be read, a malformed
/// configuration file, an invalid option.
pub fn check(paths: &[PathBuf], cwd: &Path, overrides: &Overrides) -> Result<Report, CheckError> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let abs: Vec<PathBuf> = paths
        .iter()
        .map(|p| settings_eval::normalize(&cwd.join(p)))
        .collect();
    for (given, a) in paths.iter().zip(&abs) {
        if !a.exists() {
            return Err(CheckError::PathNotFound { path: given.clone() });
        }
    }
    let settings = Settings::resolve(&abs, cwd, overrides)?;
    check_with_settings(&paths, cwd, &settings)
}

/// The LiveViews and templates under `paths` ([`workspace::ProjectIndex`]), from the
/// same discovery, parse and cross-file resolution as `check`.
///
/// # Errors
/// A path does not exist or cannot be read ([`CheckError`]).
pub fn project_index(
    paths: &[PathBuf],
    cwd: &Path,
    settings: &Settings,
) -> Result<workspace::ProjectIndex, CheckError> {
    let LoadedProject {
        loaded,
        settings_dirs,
        ..
    } = load_project(paths, cwd, settings, None, &[], Texts::All)?;
    let project = Summaries::of(&loaded, &settings_dirs);
    let files: Vec<&SourceFile> = loaded.iter().map(|l| &l.file).collect();
    Ok(workspace::build(
        &files,
        &project.python,
        &project.templates,
        &project.tindex,
    ))
}

/// Check `paths` with already-resolved `settings`.
pub fn check_with_settings(paths: &[PathBuf], cwd: &Path, settings: &Settings) -> Result<Report, CheckError> {
    check_with_overlay(paths, cwd, settings, &[])
}

/// Check `paths` as if each file of `overlay` (absolute path, text) held that text: the
/// unsaved buffer of an editor, or a snippet an agent wants checked in its place. The
/// rest of the project is read from disk, so cross-file rules see the whole project.
/// An overlay for a file that discovery does not find under `paths` is ignored.
///
/// # Errors
/// As [`check`].
pub fn check_with_overlay(
    paths: &[PathBuf],
    cwd: &Path,
    settings: &Settings,
    overlay: &[(PathBuf, String)],
) -> Result<Report, CheckError> {
    let cache_store = settings
        .cache_dir
        .as_ref()
        .map(|dir| cache::Cache::open(dir, &settings.project_root, &settings.extend_service_factories));
    enter(Phase::Loading);
    let LoadedProject {
        mut loaded,
        settings_dirs,
        fresh,
    } = load_project(
        paths,
        cwd,
        settings,
        cache_store.as_ref(),
        overlay,
        if settings.keep_sources {
            Texts::WithFindings
        } else {
            Texts::Buffers
        },
    )?;

    enter(Phase::CrossFile);
    // The results computed this run are written to the cache while the cross-file rules
    // run, by a thread of the lowest priority (it takes the cores the serial parts of the
    // cross-file phase leave idle; a thread of the run that wakes where it runs still
    // waits for it, so this hides the write only in part), and what is left when they
    // are done is helped with (docs/benchmarks.md, issue 19, the first cached run).
    let persist = cache_store.and_then(|c| {
        cache::Persist::new(c, loaded.len(), |i| {
            load::fresh(loaded.get(i)?, fresh.get(i)?.as_ref()?)
        })
    });
    let selection = std::thread::scope(|scope| {
        if let Some(p) = &persist {
            scope.spawn(move || {
                if let Some(hook) = BACKGROUND_HOOK.get() {
                    hook();
                }
                p.work();
            });
        }
        let cross = {
            let project = Summaries::of(&loaded, &settings_dirs);
            let index = project::PythonIndex::new(project.python);
            project::cross_file_parts::<Packed>(&index, &project.templates, &project.tindex)
        };
        let selected = select::selection(&loaded, cross, settings);
        if let Some(p) = &persist {
            p.work();
        }
        selected
    });
    if let Some(p) = persist {
        p.finish();
    }
    // The summaries (thousands of small trees) are no longer read: they are freed, in
    // parallel by the threads that built most of them, before the report's list is
    // built (the cache has what it needs); the process is told, so that their memory can
    // go back before the list takes more (docs/benchmarks.md, issue 19).
    loaded.par_iter_mut().for_each(|l| l.summary = Summary::None);
    enter(Phase::Report);
    let (mut findings, suppressed) = selection.take(&mut loaded);
    // Files whose text was not kept (a cache hit, or no per-file finding) are read now,
    // in parallel, if they have findings and the output prints source.
    let mut needs_text = vec![false; loaded.len()];
    for f in &findings {
        let l = &loaded[f.file];
        needs_text[f.file] = !l.file.has_text() && settings.keep_sources;
    }
    loaded.par_iter_mut().zip(needs_text).for_each(|(l, needed)| {
        if needed {
            if let Ok(bytes) = source::read(&l.file.abs) {
                let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                    Some(rest) => rest.to_vec(),
                    None => bytes,
                };
                l.file.set_text(
                    String::from_utf8(bytes)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                );
            }
        }
    });
    let files: Vec<SourceFile> = loaded.into_iter().map(|l| l.file).collect();
    sort_findings(&mut findings, |id| files[id].display());
    Ok(Report {
        files,
        findings,
        suppressed,
        fail_on: settings.fail_on,
        config_path: settings.config_path.clone(),
    })
}

/// Check one in-memory file (an editor buffer, an MCP snippet). `filename` decides
/// Python vs template (`.py` → Python, anything else → template); cross-file facts are
/// limited to this file.
pub fn check_source(text: &str, filename: &str, settings: &Settings) -> Report {
    let kind = if filename.ends_with(".py") {
        Kind::Python
    } else {
        Kind::Template
    };
    let input = Input {
        display: PathBuf::from(filename),
        abs: settings.project_root.join(filename),
        kind,
    };
    let module = (kind == Kind::Python).then(|| {
        let stem = Path::new(filename)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("snippet");
        (stem.to_string(), false)
    });
    let loaded = analyse(0, input, text.to_string(), module, settings, Vec::new());
    let cross = match &loaded.summary {
        Summary::Python(p) => {
            let index = project::PythonIndex::new(vec![(0, p.as_ref())]);
            project::cross_file_findings(&index, &[], &project::TemplateIndex::new(&[], &[]))
        }
        Summary::Template(t) => project::cross_file_findings(
            &project::PythonIndex::new(Vec::new()),
            &[(0, t)],
            &project::TemplateIndex::new(&[], &[]),
        ),
        Summary::None => Vec::new(),
    };
    let mut findings = Vec::new();
    let mut suppressed = 0;
    for f in loaded.findings.iter().cloned().chain(cross) {
        if !settings.enabled.contains(&f.rule) {
            continue;
        }
        if is_suppressed(Head::of(&f), &loaded.summary, &loaded.file) {
            suppressed += 1;
            continue;
        }
        findings.push(f);
    }
    findings.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
    Report {
        files: vec![loaded.file],
        findings,
        suppressed,
        fail_on: settings.fail_on,
        config_path: None,
    }
}
