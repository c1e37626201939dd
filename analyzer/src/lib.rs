//! # djust-analyzer
//!
//! Static checks over djust LiveView Python files and Django templates, with
//! upstream djust's rule IDs (V006, V007, T002, T005, …), `noqa` suppression,
//! `[tool.djust]` configuration and machine-readable output.
//!
//! Invariants (see `docs/architecture.md`):
//! - the analyzer never executes or imports user code;
//! - every file is read once and parsed once; every rule runs over that one parse;
//! - templates are tokenized by the runtime's lexer ([`djust_runtime::template`]),
//!   the same one the renderer and the language server use;
//! - a file that cannot be read, decoded or parsed yields a finding (E001–E003) and
//!   never stops the run.
//!
//! Entry points: [`check`] for paths on disk, [`check_source`] for one in-memory file.

#![warn(missing_docs)]

pub mod ast_util;
pub mod cache;
pub mod checker;
pub mod config;
pub mod discovery;
pub mod docs;
pub mod error;
pub mod finding;
pub mod fix;
pub mod host;
pub mod html_depth;
pub mod knowledge;
pub mod noqa;
pub mod output;
pub mod project;
pub mod project_settings;
pub mod python;
pub mod python_depth;
mod python_state;
pub mod rule;
pub mod rules;
pub mod settings_eval;
pub mod source;
pub mod template;
pub mod workspace;

pub use config::{Overrides, Settings};
pub use error::CheckError;
pub use finding::{FileId, Finding};
pub use rule::{Rule, Severity};

use discovery::{Input, Kind};
use djust_runtime::{LineCol, LineIndex, Span};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file that was checked.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user (relative to where it was named).
    pub display: PathBuf,
    /// Absolute path.
    pub abs: PathBuf,
    /// Python file or template.
    pub kind: Kind,
    /// The decoded text (invalid UTF-8 replaced by U+FFFD). Empty for a file whose
    /// result came from the cache and that has no finding.
    pub text: String,
    /// Line index of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// The display path with `/` separators.
    pub fn display_str(&self) -> String {
        self.display.to_string_lossy().replace('\\', "/")
    }

    /// 1-based start and end of `span`.
    pub fn location(&self, span: Span) -> (LineCol, LineCol) {
        (
            self.lines.line_col(&self.text, span.start),
            self.lines.line_col(&self.text, span.end),
        )
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct Report {
    /// Every file that was checked, by [`FileId`].
    pub files: Vec<SourceFile>,
    /// Findings after selection and suppression, sorted by file, position and code.
    pub findings: Vec<Finding>,
    /// Findings dropped by `noqa` comments.
    pub suppressed: usize,
    /// Lowest severity that fails the run.
    pub fail_on: Severity,
    /// The configuration file used, if any.
    pub config_path: Option<PathBuf>,
}

impl Report {
    /// True when some finding is at or above `fail_on`.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity >= self.fail_on)
    }

    /// The file a finding is in.
    pub fn file(&self, f: &Finding) -> &SourceFile {
        &self.files[f.file]
    }

    /// Number of findings of each rule, most frequent first, then by code.
    pub fn statistics(&self) -> Vec<(Rule, usize)> {
        let mut counts: HashMap<Rule, usize> = HashMap::new();
        for f in &self.findings {
            *counts.entry(f.rule).or_default() += 1;
        }
        let mut v: Vec<(Rule, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

enum Summary {
    Python(Box<python::PyFile>),
    Template(Box<template::TemplateDoc>),
    None,
}

struct Loaded {
    file: SourceFile,
    summary: Summary,
    findings: Vec<Finding>,
    /// False when `file.text` has not been read (cache hit).
    has_text: bool,
    /// With a cache: what is needed to put the result back.
    cached: Option<CacheInfo>,
}

/// A file's cache key and whether its result was computed this run.
struct CacheInfo {
    stamp: cache::Stamp,
    module: Option<(String, bool)>,
    fresh: bool,
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

/// The loaded files' summaries by kind, and the template index over them: what the
/// cross-file rules and the project index read.
struct Summaries<'a> {
    python: Vec<(FileId, &'a python::PyFile)>,
    templates: Vec<(FileId, &'a template::TemplateDoc)>,
    tindex: project::TemplateIndex,
}

impl<'a> Summaries<'a> {
    fn of(loaded: &'a [Loaded], settings_dirs: &[PathBuf]) -> Self {
        let mut python = Vec::new();
        let mut templates = Vec::new();
        for (id, l) in loaded.iter().enumerate() {
            match &l.summary {
                Summary::Python(p) => python.push((id, p.as_ref())),
                Summary::Template(t) => templates.push((id, &**t)),
                Summary::None => {}
            }
        }
        let paths: Vec<(FileId, PathBuf)> = templates
            .iter()
            .map(|(id, _)| (*id, loaded[*id].file.abs.clone()))
            .collect();
        let path_refs: Vec<&Path> = paths.iter().map(|(_, p)| p.as_path()).collect();
        let modules: HashMap<&str, &Path> = python
            .iter()
            .filter(|(_, p)| !p.module.is_empty())
            .map(|(id, p)| (p.module.as_str(), loaded[*id].file.abs.as_path()))
            .collect();
        let apps: Vec<String> = python
            .iter()
            .flat_map(|(_, p)| p.installed_apps().iter().cloned())
            .collect();
        let app_dirs = project::app_dirs(&apps, &modules);
        let dirs = project::template_dirs(settings_dirs, &app_dirs, &path_refs);
        // A monorepo's projects: the directories of its `manage.py` files.
        let roots: Vec<PathBuf> = python
            .iter()
            .map(|(id, _)| loaded[*id].file.abs.as_path())
            .filter(|p| p.file_name().is_some_and(|n| n == "manage.py"))
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        let files: Vec<(FileId, &Path)> = loaded
            .iter()
            .enumerate()
            .map(|(id, l)| (id, l.file.abs.as_path()))
            .collect();
        let tindex = project::TemplateIndex::new(&paths, &dirs).with_projects(&files, &roots);
        Summaries {
            python,
            templates,
            tindex,
        }
    }
}

/// Every file `check` would read for `paths`, loaded (parsed and summarised, with the
/// per-file findings), plus the template directories that settings files set.
fn load_project(
    paths: &[PathBuf],
    cwd: &Path,
    settings: &Settings,
    cache: Option<&cache::Cache>,
    overlay: &[(PathBuf, String)],
) -> Result<(Vec<Loaded>, Vec<PathBuf>), CheckError> {
    let inputs = discovery::discover(paths, cwd, settings)?;
    let (primary, markup): (Vec<Input>, Vec<Input>) =
        inputs.into_iter().partition(|i| i.kind != Kind::Markup);

    let mut module_cache = HashMap::new();
    let modules: Vec<Option<(String, bool)>> = primary
        .iter()
        .map(|i| (i.kind == Kind::Python).then(|| discovery::module_name(&i.abs, &mut module_cache)))
        .collect();
    let mut loaded: Vec<Loaded> = primary
        .par_iter()
        .zip(modules.par_iter())
        .enumerate()
        .map(|(id, (input, module))| load(id, input, module.clone(), settings, cache, overlay))
        .collect();

    // Settings DIRS make templates of markup files under them, and of files outside
    // the checked paths that templates load.
    let settings_dirs: Vec<PathBuf> = loaded
        .iter()
        .filter_map(|l| match &l.summary {
            Summary::Python(p) => Some(p.template_dirs.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if !settings_dirs.is_empty() {
        let known: std::collections::HashSet<PathBuf> = loaded.iter().map(|l| l.file.abs.clone()).collect();
        let mut extra: Vec<Input> = markup
            .into_iter()
            .filter(|m| settings_dirs.iter().any(|d| m.abs.starts_with(d)))
            .map(|m| Input {
                kind: Kind::Template,
                ..m
            })
            .collect();
        for dir in &settings_dirs {
            if dir.is_dir() && !abs_covered(dir, paths, cwd) {
                let rel = pathdiff(dir, cwd);
                if let Ok(found) = discovery::discover(&[rel], cwd, settings) {
                    extra.extend(
                        found
                            .into_iter()
                            .filter(|i| i.kind != Kind::Python)
                            .map(|i| Input {
                                kind: Kind::Template,
                                ..i
                            }),
                    );
                }
            }
        }
        extra.retain(|i| !known.contains(&i.abs));
        extra.sort();
        extra.dedup_by(|a, b| a.abs == b.abs);
        let base = loaded.len();
        let more: Vec<Loaded> = extra
            .par_iter()
            .enumerate()
            .map(|(k, input)| load(base + k, input, None, settings, cache, overlay))
            .collect();
        loaded.extend(more);
    }

    Ok((loaded, settings_dirs))
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
    let (loaded, settings_dirs) = load_project(paths, cwd, settings, None, &[])?;
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
    let (mut loaded, settings_dirs) = load_project(paths, cwd, settings, cache_store.as_ref(), overlay)?;

    let (mut findings, suppressed) = std::thread::scope(|scope| {
        // The results computed this run go to the cache (encoded in parallel; those that
        // came from it stay as they were) while the cross-file rules run.
        if let Some(c) = cache_store {
            let loaded = &loaded;
            scope.spawn(move || {
                loaded.par_iter().for_each(|l| store(&c, l));
                c.persist();
            });
        }
        let cross = {
            let project = Summaries::of(&loaded, &settings_dirs);
            let index = project::PythonIndex::new(project.python);
            project::cross_file_findings(&index, &project.templates, &project.tindex)
        };
        select(&loaded, cross, settings)
    });
    // Files whose result came from the cache are read now, if they have findings.
    let mut needs_text = vec![false; loaded.len()];
    for f in &findings {
        needs_text[f.file] = !loaded[f.file].has_text;
    }
    for (l, needed) in loaded.iter_mut().zip(needs_text) {
        if needed {
            if let Ok(bytes) = source::read(&l.file.abs) {
                l.file.text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
                    .into_owned();
                l.file.lines = LineIndex::new(&l.file.text);
            }
        }
    }
    let files: Vec<SourceFile> = loaded.into_iter().map(|l| l.file).collect();
    sort_findings(&mut findings, |id| files[id].display.as_path());
    Ok(Report {
        files,
        findings,
        suppressed,
        fail_on: settings.fail_on,
        config_path: settings.config_path.clone(),
    })
}

/// Per-file and cross-file findings after selection, per-file ignores and `noqa`:
/// the findings to report, and how many `noqa` dropped.
fn select(loaded: &[Loaded], cross: Vec<Finding>, settings: &Settings) -> (Vec<Finding>, usize) {
    let mut findings = Vec::new();
    let mut suppressed = 0;
    let all = loaded
        .iter()
        .flat_map(|l| l.findings.iter().cloned())
        .chain(cross);
    // Per file, the suppressed findings' rules and noqa lines (for Q101).
    let mut quiet: HashMap<FileId, Vec<(Rule, Vec<usize>)>> = HashMap::new();
    for f in all {
        let l = &loaded[f.file];
        if !settings.rule_applies(f.rule, &l.file.abs) {
            continue;
        }
        if is_suppressed(&f, &l.summary, &l.file) {
            suppressed += 1;
            let lines = if f.noqa_lines.is_empty() {
                vec![l.file.lines.line_of(f.span.start)]
            } else {
                f.noqa_lines.clone()
            };
            quiet.entry(f.file).or_default().push((f.rule, lines));
            continue;
        }
        findings.push(f);
    }
    // Q101: directives that suppressed nothing, once every other finding is known.
    for (id, l) in loaded.iter().enumerate() {
        let directives = match &l.summary {
            Summary::Python(p) => &p.noqa_directives,
            Summary::Template(t) => &t.noqa_directives,
            Summary::None => continue,
        };
        if directives.is_empty() || !settings.rule_applies(Rule::Q101, &l.file.abs) {
            continue;
        }
        let enabled = |r: Rule| settings.rule_applies(r, &l.file.abs);
        rules::q101::check(
            &rules::q101::FileNoqa {
                file: id,
                directives,
                suppressed: quiet.get(&id).map_or(&[], Vec::as_slice),
                enabled: &enabled,
                external: &settings.external,
            },
            &mut findings,
        );
    }
    (findings, suppressed)
}

/// Sort by file, position and code; drop exact duplicates.
fn sort_findings<'a>(findings: &mut Vec<Finding>, display: impl Fn(FileId) -> &'a Path) {
    findings.sort_by(|a, b| {
        display(a.file)
            .cmp(display(b.file))
            .then(a.span.start.cmp(&b.span.start))
            .then(a.rule.cmp(&b.rule))
    });
    findings
        .dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message);
}

fn abs_covered(dir: &Path, paths: &[PathBuf], cwd: &Path) -> bool {
    paths
        .iter()
        .any(|p| dir.starts_with(settings_eval::normalize(&cwd.join(p))))
}

/// `path` relative to `base` when it lies below it, else `path` itself.
fn pathdiff(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Whether a `noqa` suppresses `f`: the file's, or (Python) one on a line the finding
/// names, by default its first line.
fn is_suppressed(f: &Finding, summary: &Summary, file: &SourceFile) -> bool {
    match summary {
        Summary::Python(p) => {
            let first = [file.lines.line_of(f.span.start)];
            let lines: &[usize] = if f.noqa_lines.is_empty() {
                &first
            } else {
                &f.noqa_lines
            };
            p.file_noqa.as_ref().is_some_and(|n| n.suppresses(f.rule))
                || lines
                    .iter()
                    .any(|line| p.line_noqa.get(line).is_some_and(|n| n.suppresses(f.rule)))
        }
        Summary::Template(t) => t.noqa.as_ref().is_some_and(|n| n.suppresses(f.rule)),
        Summary::None => false,
    }
}

/// Put a result computed this run into the cache (a result that came from it is
/// already there).
fn store(c: &cache::Cache, l: &Loaded) {
    let Some(info) = l.cached.as_ref().filter(|i| i.fresh) else {
        return;
    };
    let summary = match &l.summary {
        Summary::Python(p) => cache::SummaryRef::Python(p),
        Summary::Template(t) => cache::SummaryRef::Template(t),
        Summary::None => return,
    };
    c.put(
        &l.file.abs,
        info.stamp,
        l.file.kind,
        &info.module,
        summary,
        &l.findings,
        &l.file.lines,
    );
}

/// Read, decode and summarise one file (phase 1), or take its result from the cache.
/// Never fails: problems are findings.
fn load(
    id: FileId,
    input: &Input,
    module: Option<(String, bool)>,
    settings: &Settings,
    cache: Option<&cache::Cache>,
    overlay: &[(PathBuf, String)],
) -> Loaded {
    if let Some((_, text)) = overlay.iter().find(|(abs, _)| *abs == input.abs) {
        // An editor buffer or a snippet standing in for the file: never cached.
        return analyse(id, input, text.clone(), module, settings, Vec::new());
    }
    // The stamp is taken before reading, so a change made while we read is seen next
    // time: here when there is an entry to compare, else from the read's own `stat`.
    let stamp = cache
        .filter(|c| c.has(&input.abs))
        .and_then(|_| cache::Stamp::of(&input.abs));
    if let (Some(c), Some(stamp)) = (cache, stamp) {
        if let Some(entry) = c.take(&input.abs, stamp, input.kind, &module) {
            let summary = match entry.summary {
                cache::CachedSummary::Python(p) => Summary::Python(p),
                cache::CachedSummary::Template(t) => Summary::Template(t),
            };
            let findings = entry
                .findings
                .into_iter()
                .map(|mut f| {
                    f.file = id;
                    f
                })
                .collect();
            return Loaded {
                file: SourceFile {
                    display: input.display.clone(),
                    abs: input.abs.clone(),
                    kind: input.kind,
                    text: String::new(),
                    // The cached line index: `noqa` lines and the findings of
                    // cross-file rules are placed before (or without) reading the text.
                    lines: entry.lines,
                },
                summary,
                findings,
                has_text: false,
                cached: Some(CacheInfo {
                    stamp,
                    module,
                    fresh: false,
                }),
            };
        }
    }
    let mut findings = Vec::new();
    let (bytes, stamp) = match source::read_with_metadata(&input.abs) {
        Ok((b, meta)) => (b, stamp.or_else(|| cache.and_then(|_| cache::Stamp::from_metadata(&meta)))),
        Err(e) => {
            let file = SourceFile {
                display: input.display.clone(),
                abs: input.abs.clone(),
                kind: input.kind,
                text: String::new(),
                lines: LineIndex::new(""),
            };
            findings.push(
                Finding::new(Rule::E003, id, Span::empty(0), format!("cannot read file: {e}"))
                    .with_help("make the file readable, or exclude it with `extend-exclude` in [tool.djust]"),
            );
            return Loaded {
                file,
                summary: Summary::None,
                findings,
                has_text: true,
                cached: None,
            };
        }
    };
    let text = decode(id, bytes, &mut findings);
    let mut loaded = analyse(id, input, text, module.clone(), settings, findings);
    loaded.cached = stamp.map(|stamp| CacheInfo {
        stamp,
        module,
        fresh: true,
    });
    loaded
}

/// Decode UTF-8 (a leading BOM is dropped); invalid bytes give one E002 finding at the
/// first bad byte and are replaced by U+FFFD.
fn decode(id: FileId, bytes: Vec<u8>, findings: &mut Vec<Finding>) -> String {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bad = e.as_bytes().get(valid).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            findings.push(
                Finding::new(
                    Rule::E002,
                    id,
                    Span::new(valid, valid + 1),
                    format!("file is not valid UTF-8: invalid byte 0x{bad:02X} at offset {valid}"),
                )
                .with_primary_label("not UTF-8")
                .with_help(
                    "re-save the file as UTF-8; djust checked it with invalid bytes replaced by U+FFFD",
                ),
            );
            text
        }
    }
}

fn analyse(
    id: FileId,
    input: &Input,
    text: String,
    module: Option<(String, bool)>,
    settings: &Settings,
    mut findings: Vec<Finding>,
) -> Loaded {
    let lines = LineIndex::new(&text);
    let summary = match input.kind {
        Kind::Python => {
            let (module, is_package) = module.unwrap_or_default();
            let (summary, mut f) = python::summarize(&python::PyInput {
                file: id,
                source: &text,
                lines: &lines,
                abs_path: &input.abs,
                module,
                is_package,
                extra_factories: &settings.extend_service_factories,
            });
            findings.append(&mut f);
            Summary::Python(Box::new(summary))
        }
        Kind::Template | Kind::Markup => {
            let doc = template::summarize(&text);
            for rule in rules::TEMPLATE_RULES {
                rule(id, &doc, &mut findings);
            }
            Summary::Template(Box::new(doc))
        }
    };
    Loaded {
        file: SourceFile {
            display: input.display.clone(),
            abs: input.abs.clone(),
            kind: input.kind,
            text,
            lines,
        },
        summary,
        findings,
        has_text: true,
        cached: None,
    }
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
    let loaded = analyse(0, &input, text.to_string(), module, settings, Vec::new());
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
        if is_suppressed(&f, &loaded.summary, &loaded.file) {
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
