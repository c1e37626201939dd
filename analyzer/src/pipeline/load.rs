//! Loading: the files of a run, read once (or taken from the cache), decoded, and
//! analysed in parallel; the template directories settings files name are loaded too.

use super::{analyse, CacheInfo, Loaded, Summary};
use crate::config::Settings;
use crate::discovery::{self, Input, Kind};
use crate::error::CheckError;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::{cache, settings_eval, source, SourceFile};
use djust_runtime::{LineIndex, Span};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every file `check` would read for `paths`, loaded (parsed and summarised, with the
/// per-file findings), plus the template directories that settings files set.
/// Which file texts a run keeps once each file is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Texts {
    /// Every text (the language server's host and the project index read them).
    All,
    /// Only the texts of files with per-file findings, of templates with djust
    /// elements (where the cross-file template rules land: reading them again would
    /// cost more than their few kilobytes) and of editor buffers; the others are read
    /// again if a cross-file finding lands on them. A run over 40,000 files does not
    /// hold 40,000 texts.
    WithFindings,
    /// Only editor buffers' texts: the output prints no source
    /// ([`crate::config::Settings::keep_sources`]), and a line index places findings
    /// (line and column) without its text.
    Buffers,
}

/// What a run keeps of a file once it is analysed (phase 1, in the worker that analysed
/// it, so nothing is held longer than needed):
/// - outside [`Texts::All`] (a `check` run), a template's elements and a Python file's
///   details packed ([`TemplateDoc::pack`](crate::summary::template::TemplateDoc::pack),
///   [`PyFile::pack`](crate::summary::python::PyFile::pack)), and not what
///   only the language server reads of a summary ([`PyFile::drop_workspace_details`](crate::summary::python::PyFile)), nor
///   the methods and state of classes whose inheritance the cross-file rules cannot read
///   (`tops`: the first names of the run's modules;
///   [`PyFile::drop_unreadable_class_details`](crate::summary::python::PyFile)). The
///   cache takes the result as kept, with the outside names the drop relied on
///   ([`CacheInfo::outside`], set in `fresh`, the cache key of a result computed this
///   run): only `check` runs use the cache;
/// - the text only as `texts` says, and outside [`Texts::All`] the line index packed
///   ([`LineIndex::pack`]);
/// - a result computed this run as a copy in exactly sized allocations
///   ([`Summary::compacted`]; one taken from the cache is decoded so already).
fn settle(
    mut l: Loaded,
    fresh: Option<&mut CacheInfo>,
    texts: Texts,
    overlay: &[(PathBuf, String)],
    tops: &FxHashSet<String>,
) -> Loaded {
    // Not read means taken from the cache ([`SourceFile::has_text`]): decoded exactly
    // sized.
    let computed = l.file.has_text();
    match (texts, &mut l.summary) {
        (Texts::WithFindings | Texts::Buffers, Summary::Python(p)) => {
            p.drop_workspace_details();
            let outside = p.drop_unreadable_class_details(|first| tops.contains(first));
            if let Some(info) = fresh {
                info.outside = outside;
            }
            p.pack();
        }
        (Texts::WithFindings | Texts::Buffers, Summary::Template(t)) => t.pack(),
        _ => {}
    }
    if texts != Texts::All {
        // Read a few times (where findings land), held until the report is printed.
        l.file.lines.pack();
    }
    let unread = l.findings.is_empty() && !matches!(&l.summary, Summary::Template(t) if t.has_elements());
    let drop = match texts {
        Texts::All => false,
        Texts::WithFindings => unread,
        Texts::Buffers => true,
    };
    if drop && l.file.has_text() && !overlay.iter().any(|(abs, _)| **abs == *l.file.abs) {
        l.file.drop_text();
    }
    if computed {
        // Its syntax tree is freed and what is dropped is gone: what is held is copied
        // exactly sized.
        l.summary = l.summary.compacted();
        l.findings = l.findings.clone();
    }
    l
}

pub(crate) fn load_project(
    paths: &[PathBuf],
    cwd: &Path,
    settings: &Settings,
    cache: Option<&cache::Cache>,
    overlay: &[(PathBuf, String)],
    texts: Texts,
) -> Result<LoadedProject, CheckError> {
    let inputs = discovery::discover(paths, cwd, settings)?;
    let (primary, markup): (Vec<Input>, Vec<Input>) =
        inputs.into_iter().partition(|i| i.kind != Kind::Markup);

    // The module names first (each worker remembers which directories are packages: one
    // `stat` per directory and worker), so that each file's analysis knows which first
    // names are the run's own modules.
    let modules: Vec<Option<(String, bool)>> = primary
        .par_iter()
        .map_init(HashMap::new, |packages, input| {
            (input.kind == Kind::Python).then(|| discovery::module_name(&input.abs, packages))
        })
        .collect();
    let tops: FxHashSet<String> = modules
        .iter()
        .flatten()
        .filter_map(|(m, _)| m.split('.').next().filter(|first| !first.is_empty()))
        .map(String::from)
        .collect();
    // Each file is loaded and settled by the worker that analysed it; a result computed
    // afresh keeps its cache key, and the cache is written from the settled results
    // while the cross-file rules run.
    let finish = |(l, mut fresh): (Loaded, Option<CacheInfo>)| {
        let l = settle(l, fresh.as_mut(), texts, overlay, &tops);
        (l, fresh)
    };
    // Each input is moved into its file (its absolute path kept, not copied), and what is
    // left of it freed as the file loads: the inputs held beside the loaded files were
    // the end of loading's peak (docs/benchmarks.md, issue 19).
    let all = primary
        .into_par_iter()
        .zip(modules)
        .enumerate()
        .map(|(id, (input, module))| {
            finish(load(
                id,
                input,
                module,
                settings,
                cache.map(|c| (c, &tops)),
                overlay,
            ))
        });
    let (mut loaded, mut fresh) = gather(all, cache.is_some());
    // Settings DIRS make templates of markup files under them, and of files outside
    // the checked paths that templates load.
    let settings_dirs: Vec<PathBuf> = loaded
        .iter()
        .filter_map(|l| match &l.summary {
            Summary::Python(p) => Some(p.template_dirs()),
            _ => None,
        })
        .flatten()
        .cloned()
        .collect();
    if !settings_dirs.is_empty() {
        let known: FxHashSet<&std::ffi::OsStr> = loaded.iter().map(|l| l.file.abs.as_os_str()).collect();
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
        extra.retain(|i| !known.contains(i.abs.as_os_str()));
        extra.sort();
        extra.dedup_by(|a, b| a.abs == b.abs);
        let base = loaded.len();
        let more = extra.into_par_iter().enumerate().map(|(k, input)| {
            finish(load(
                base + k,
                input,
                None,
                settings,
                cache.map(|c| (c, &tops)),
                overlay,
            ))
        });
        let (more, more_fresh) = gather(more, cache.is_some());
        loaded.extend(more);
        fresh.extend(more_fresh);
    }

    Ok(LoadedProject {
        loaded,
        settings_dirs,
        fresh,
    })
}

/// The loaded files, and with a cache (`cached`) each one's cache key; without one, no
/// list of keys (all `None`) is held beside the files.
fn gather(
    all: impl IndexedParallelIterator<Item = (Loaded, Option<CacheInfo>)>,
    cached: bool,
) -> (Vec<Loaded>, Vec<Option<CacheInfo>>) {
    if cached {
        all.unzip()
    } else {
        (all.map(|(l, _)| l).collect(), Vec::new())
    }
}

/// What [`load_project`] loaded.
pub(crate) struct LoadedProject {
    /// Every file, by [`FileId`].
    pub(crate) loaded: Vec<Loaded>,
    /// The template directories settings files set.
    pub(crate) settings_dirs: Vec<PathBuf>,
    /// With a cache, the cache key of each file whose result was computed this run, by
    /// [`FileId`] (empty without a cache).
    pub(crate) fresh: Vec<Option<CacheInfo>>,
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

/// A result computed this run, as [`settle`] kept it, for the cache to write (a result
/// that came from the cache is already there).
pub(crate) fn fresh<'a>(l: &'a Loaded, info: &'a CacheInfo) -> Option<cache::Fresh<'a>> {
    let summary = match &l.summary {
        Summary::Python(p) => cache::SummaryRef::Python(p),
        Summary::Template(t) => cache::SummaryRef::Template(t),
        Summary::None => return None,
    };
    Some(cache::Fresh {
        abs: &l.file.abs,
        stamp: info.stamp,
        kind: l.file.kind,
        summary,
        findings: &l.findings,
        lines: &l.file.lines,
        outside: &info.outside,
    })
}

/// Read, decode and summarise one file (phase 1), or take its result from the cache
/// (with the first names of the run's modules: a cached result whose class details were
/// dropped for a module outside its run is not used in a run that has that module).
/// With a cache, a result computed afresh comes with its cache key ([`CacheInfo`]): the
/// caller puts it into the cache once it is settled. Never fails: problems are findings.
pub(crate) fn load(
    id: FileId,
    input: Input,
    module: Option<(String, bool)>,
    settings: &Settings,
    cache: Option<(&cache::Cache, &FxHashSet<String>)>,
    overlay: &[(PathBuf, String)],
) -> (Loaded, Option<CacheInfo>) {
    if let Some((_, text)) = overlay.iter().find(|(abs, _)| *abs == input.abs) {
        // An editor buffer or a snippet standing in for the file: never cached.
        return (
            analyse(id, input, text.clone(), module, settings, Vec::new()),
            None,
        );
    }
    // The stamp is taken before reading, so a change made while we read is seen next
    // time: here when there is an entry to compare, else from the read's own `stat`.
    let stamp = cache
        .filter(|(c, _)| c.has(&input.abs))
        .and_then(|_| cache::Stamp::of(&input.abs));
    if let (Some((c, tops)), Some(stamp)) = (cache, stamp) {
        if let Some(entry) = c.take(&input.abs, stamp, input.kind, &module, |first| {
            tops.contains(first)
        }) {
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
            let loaded = Loaded {
                // The cached line index: `noqa` lines and the findings of cross-file
                // rules are placed before (or without) reading the text.
                file: SourceFile::unread(&input.display, input.abs, input.kind, entry.lines),
                summary,
                findings,
            };
            return (loaded, None);
        }
    }
    let mut findings = Vec::new();
    let (bytes, stamp) = match source::read_with_metadata(&input.abs) {
        Ok((b, meta)) => (
            b,
            stamp.or_else(|| cache.and_then(|_| cache::Stamp::from_metadata(&meta))),
        ),
        Err(e) => {
            let file = SourceFile::new(
                &input.display,
                input.abs,
                input.kind,
                String::new(),
                LineIndex::new(""),
            );
            findings.push(
                Finding::new(Rule::E003, id, Span::empty(0), format!("cannot read file: {e}"))
                    .with_help("make the file readable, or exclude it with `extend-exclude` in [tool.djust]"),
            );
            let loaded = Loaded {
                file,
                summary: Summary::None,
                findings: findings.into_iter().collect(),
            };
            return (loaded, None);
        }
    };
    let text = decode(id, bytes, &mut findings);
    let fresh = stamp.map(|stamp| CacheInfo {
        stamp,
        outside: Vec::new(),
    });
    (analyse(id, input, text, module, settings, findings), fresh)
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

#[cfg(test)]
mod tests {
    use super::{settle, Texts};
    use crate::config::Settings;
    use crate::discovery::{Input, Kind};
    use crate::pipeline::{analyse, Loaded, Summary};
    use crate::python::{self, PyFile};
    use djust_runtime::LineIndex;
    use rustc_hash::FxHashSet;
    use std::path::{Path, PathBuf};

    fn loaded(name: &str, kind: Kind, text: &str) -> Loaded {
        let root = Path::new("/project");
        let input = Input {
            display: PathBuf::from(name),
            abs: root.join(name),
            kind,
        };
        let module = (kind == Kind::Python).then(|| ("shop.views".to_string(), false));
        analyse(
            0,
            input,
            text.to_string(),
            module,
            &Settings::defaults(root),
            Vec::new(),
        )
    }

    /// Every list a Python summary holds, and its findings: (what, length, capacity).
    fn python_lists(p: &PyFile, findings: (usize, usize)) -> Vec<(String, usize, usize)> {
        let mut out = vec![
            ("classes".to_string(), p.classes.len(), p.classes.capacity()),
            ("handlers".to_string(), p.handlers.len(), p.handlers.capacity()),
            ("findings".to_string(), findings.0, findings.1),
        ];
        for c in &p.classes {
            out.push((
                format!("{} methods", c.name),
                c.methods.len(),
                c.methods.capacity(),
            ));
            out.push((format!("{} state", c.name), c.state.len(), c.state.capacity()));
            out.push((format!("{} bases", c.name), c.bases.len(), c.bases.capacity()));
        }
        for h in &p.handlers {
            out.push((
                format!("{} noqa lines", h.name),
                h.noqa_lines.len(),
                h.noqa_lines.capacity(),
            ));
        }
        out
    }

    /// A `check` run holds every summary until its cross-file rules are done: what it
    /// holds has no spare capacity (lists grown by pushing keep up to twice what they
    /// hold), for Python files and templates alike.
    #[test]
    fn a_settled_summary_is_exactly_sized() {
        let mut source =
            String::from("from djust import LiveView\nfrom djust.decorators import event_handler\n\n");
        for v in 0..5 {
            source.push_str(&format!(
                "class View{v}(LiveView):\n    template_name = \"v{v}.html\"\n"
            ));
            for a in 0..5 {
                source.push_str(&format!("    attr{a} = {a}\n"));
            }
            source.push_str("    def mount(self, request, **kwargs):\n");
            for a in 0..5 {
                source.push_str(&format!("        self.field{a} = {a}\n"));
            }
            for h in 0..5 {
                source.push_str(&format!(
                    "    @event_handler\n    def handler{h}(self, value=None):\n        pass\n"
                ));
            }
        }
        // The test means something only if the summary as built leaves spare capacity
        // somewhere.
        let index = LineIndex::new(&source);
        let (built, built_findings) = python::summarize(&python::PyInput {
            file: 0,
            source: &source,
            lines: &index,
            abs_path: Path::new("/project/shop/views.py"),
            module: "shop.views".to_string(),
            is_package: false,
            extra_factories: &[],
        });
        let built_lists = python_lists(&built, (built_findings.len(), built_findings.capacity()));
        assert!(
            built_lists.iter().any(|(_, len, cap)| cap > len),
            "{built_lists:?}"
        );
        let tops = FxHashSet::default();
        let views_settled_for = |texts| {
            settle(
                loaded("shop/views.py", Kind::Python, &source),
                None,
                texts,
                &[],
                &tops,
            )
        };
        // A `check` run holds the details packed, and reads them back as built; what
        // it holds open is exactly sized.
        let settled = views_settled_for(Texts::Buffers);
        let Summary::Python(p) = &settled.summary else {
            panic!("not a Python summary")
        };
        assert!(p.packed.is_some() && p.handlers.is_empty());
        // What V007's and V008's pass asks before decoding, answered from the packing.
        assert_eq!(
            (p.has_handlers(), p.has_imported_state_calls()),
            (built.has_handlers(), built.has_imported_state_calls())
        );
        assert!(p.has_handlers());
        let (details, open) = (p.details(), built.details());
        let names = |d: &crate::summary::python::Details<'_>| {
            let mut out: Vec<String> = d.handlers().iter().map(|h| h.name.to_string()).collect();
            for c in 0..built.classes.len() {
                out.extend(d.state(c).iter().map(|s| s.name.to_string()));
                out.extend(d.methods(c).iter().map(|m| m.name.to_string()));
            }
            out
        };
        assert_eq!(names(&details), names(&open));
        assert!(names(&details).len() >= 5 * 16);
        for (what, len, cap) in python_lists(p, (settled.findings.len(), settled.findings.capacity())) {
            assert_eq!(len, cap, "{what}: {len} held, room for {cap}");
        }
        // The language server's run (every text kept) holds them open, exactly sized.
        let settled = views_settled_for(Texts::All);
        let Summary::Python(p) = &settled.summary else {
            panic!("not a Python summary")
        };
        assert!(p.packed.is_none());
        let lists = python_lists(p, (settled.findings.len(), settled.findings.capacity()));
        assert!(lists
            .iter()
            .any(|(what, len, _)| what.ends_with("state") && *len >= 10));
        for (what, len, cap) in &lists {
            assert_eq!(len, cap, "{what}: {len} held, room for {cap}");
        }

        let mut template = String::new();
        for i in 0..20 {
            template.push_str(&format!(
                "<button dj-click=\"save{i}\" dj-keydown.enter=\"go{i}\" dj-blur=\"b{i}\">x</button>\n"
            ));
        }
        let page = || loaded("shop/templates/page.html", Kind::Template, &template);
        let Summary::Template(built) = page().summary else {
            panic!("not a template summary")
        };
        // A `check` run holds the elements packed, and reads them back as built.
        let settled = settle(page(), None, Texts::Buffers, &[], &tops);
        let Summary::Template(t) = &settled.summary else {
            panic!("not a template summary")
        };
        assert!(t.elements.is_empty() && t.packed.is_some());
        assert_eq!(t.elements().as_ref(), built.elements.as_slice());
        // The language server's run (every text kept) holds them open, exactly sized.
        let settled = settle(page(), None, Texts::All, &[], &tops);
        let Summary::Template(t) = &settled.summary else {
            panic!("not a template summary")
        };
        assert!(t.packed.is_none());
        assert_eq!(t.elements.len(), 20);
        assert_eq!(t.elements.capacity(), t.elements.len());
        for e in &t.elements {
            assert_eq!(e.directives.len(), 3);
            assert_eq!(e.directives.capacity(), 3);
        }
    }
}
