//! Per-file analysis (one parse, the summary and the per-file rules), and the
//! project's summaries by kind with the template index, which the cross-file rules read.

use super::{Loaded, Summary};
use crate::config::Settings;
use crate::discovery::{Input, Kind};
use crate::finding::{FileId, Finding};
use crate::{project, python, rules, template, SourceFile};
use djust_runtime::LineIndex;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

pub(crate) fn analyse(
    id: FileId,
    input: Input,
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
            let mut doc = template::summarize(&text);
            for rule in rules::TEMPLATE_RULES {
                rule(id, &doc, &mut findings);
            }
            doc.keep_for_project();
            Summary::Template(Box::new(doc))
        }
    };
    Loaded {
        file: SourceFile::new(&input.display, input.abs, input.kind, text, lines),
        summary,
        findings: findings.into_iter().collect(),
    }
}

/// The loaded files' summaries by kind, and the template index over them: what the
/// cross-file rules and the project index read.
pub(crate) struct Summaries<'a> {
    pub(crate) python: Vec<(FileId, &'a python::PyFile)>,
    pub(crate) templates: Vec<(FileId, &'a template::TemplateDoc)>,
    pub(crate) tindex: project::TemplateIndex,
}

impl<'a> Summaries<'a> {
    pub(crate) fn of(loaded: &'a [Loaded], settings_dirs: &[PathBuf]) -> Self {
        let mut python = Vec::new();
        let mut templates = Vec::new();
        for (id, l) in loaded.iter().enumerate() {
            match &l.summary {
                Summary::Python(p) => python.push((id, p.as_ref())),
                Summary::Template(t) => templates.push((id, &**t)),
                Summary::None => {}
            }
        }
        // Borrowed: a copy of every template's path would be held through the
        // cross-file rules.
        let paths: Vec<(FileId, &Path)> = templates
            .iter()
            .map(|(id, _)| (*id, loaded[*id].file.abs.as_ref()))
            .collect();
        let path_refs: Vec<&Path> = paths.iter().map(|(_, p)| *p).collect();
        let apps: Vec<String> = python
            .iter()
            .flat_map(|(_, p)| p.installed_apps().iter().cloned())
            .collect();
        // Only the modules an app entry can name (each entry's dotted prefixes): a map of
        // every module would be held through the cross-file rules.
        let wanted: HashSet<&str> = apps
            .iter()
            .flat_map(|app| {
                app.match_indices('.')
                    .map(|(i, _)| &app[..i])
                    .chain([app.as_str()])
            })
            .collect();
        let modules: HashMap<&str, &Path> = python
            .iter()
            .filter(|(_, p)| !p.module.is_empty() && wanted.contains(p.module.as_str()))
            .map(|(id, p)| (p.module.as_str(), loaded[*id].file.abs.as_ref()))
            .collect();
        let app_dirs = project::app_dirs(&apps, &modules);
        let dirs = project::template_dirs(settings_dirs, &app_dirs, &path_refs);
        // A monorepo's projects: the directories of its `manage.py` files.
        let roots: Vec<PathBuf> = python
            .iter()
            .map(|(id, _)| loaded[*id].file.abs.as_ref())
            .filter(|p| p.file_name().is_some_and(|n| n == "manage.py"))
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        let mut tindex = project::TemplateIndex::new(&paths, &dirs);
        if roots.len() > 1 {
            // A monorepo: every file is placed in its project.
            let files: Vec<(FileId, &Path)> = loaded
                .iter()
                .enumerate()
                .map(|(id, l)| (id, l.file.abs.as_ref()))
                .collect();
            tindex = tindex.with_projects(&files, &roots);
        }
        Summaries {
            python,
            templates,
            tindex,
        }
    }
}
