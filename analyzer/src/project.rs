//! The cross-file index: Python modules and their classes, templates and their names,
//! and the rules that need more than one file (V007's decorator resolution, T002).
//!
//! Resolution is static and conservative: names are followed through `import`,
//! `from … import …` (relative too), re-exports, star imports and module attributes
//! across the analysed files. A name that leads outside them resolves to its dotted
//! path (`djust.LiveView`); a name that leads nowhere is *unknown* and is never
//! assumed to be a LiveView or a djust decorator.

use crate::finding::packed::FindingList;
use crate::finding::{FileId, Finding};
use crate::rules::{self, c010, c012, s011, t002, t012, t101, t102, v007, v008};
use crate::summary::python::{Details, PyFile};
use crate::summary::template::{TemplateDoc, TemplateRef};
use rayon::prelude::*;
// Fx hashing: the keys are the project's own names and ids, not attacker-chosen.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

#[cfg(test)]
mod tests {
    use super::relative_name;

    #[test]
    fn relative_names() {
        assert_eq!(
            relative_name("shop/cart/page.html", "./row.html").as_deref(),
            Some("shop/cart/row.html")
        );
        assert_eq!(
            relative_name("shop/cart/page.html", "../base.html").as_deref(),
            Some("shop/base.html")
        );
        assert_eq!(relative_name("page.html", "../x.html"), None);
    }
}

/// What a dotted name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// A class in an analysed file: (index into the project's Python files, class index).
    Class(usize, usize),
    /// An analysed module.
    Module(usize),
    /// A function or variable defined at the top level of an analysed module: (the
    /// module's index, its dotted module name joined with the name).
    Defined(usize, String),
    /// Something outside the analysed files, by full dotted path.
    External(String),
    /// Nothing we can find.
    Unknown,
}

const MAX_DEPTH: usize = 32;

/// The analysed Python files, indexed for name resolution.
pub struct PythonIndex<'a> {
    files: Vec<(FileId, &'a PyFile)>,
    modules: HashMap<&'a str, usize>,
}

impl<'a> PythonIndex<'a> {
    /// Index `files` by module name (the first file wins when two share a name).
    pub fn new(files: Vec<(FileId, &'a PyFile)>) -> Self {
        let mut modules = HashMap::default();
        for (i, (_, f)) in files.iter().enumerate() {
            if !f.module.is_empty() {
                modules.entry(f.module.as_str()).or_insert(i);
            }
        }
        PythonIndex { files, modules }
    }

    /// The indexed files.
    pub fn files(&self) -> &[(FileId, &'a PyFile)] {
        &self.files
    }

    /// The dotted path of class `c` of file `m`, as `dj-view` and `{% live_render %}`
    /// name it: `module.Outer.Inner`.
    pub fn class_path(&self, m: usize, c: usize) -> String {
        let file = self.files[m].1;
        format!("{}.{}", file.module, file.classes[c].qualname())
    }

    /// Resolve an absolute dotted path.
    pub fn resolve_path(&self, path: &str, depth: usize) -> Symbol {
        if depth > MAX_DEPTH {
            return Symbol::Unknown;
        }
        let parts: Vec<&str> = path.split('.').collect();
        for i in (1..=parts.len()).rev() {
            let prefix = parts[..i].join(".");
            if let Some(&m) = self.modules.get(prefix.as_str()) {
                return self.resolve_in_module(m, &parts[i..], depth + 1);
            }
        }
        Symbol::External(path.to_string())
    }

    /// Resolve `rest` inside module `m`.
    fn resolve_in_module(&self, m: usize, rest: &[&str], depth: usize) -> Symbol {
        if depth > MAX_DEPTH {
            return Symbol::Unknown;
        }
        let Some((&name, tail)) = rest.split_first() else {
            return Symbol::Module(m);
        };
        let file = self.files[m].1;
        if let Some(c) = file.top_class(name) {
            return self.nested_class(m, c, tail);
        }
        if tail.is_empty() && file.defined.contains(name) {
            return Symbol::Defined(m, format!("{}.{name}", file.module));
        }
        if let Some(binding) = file.imports.get(name) {
            return self.resolve_path(&join(&binding.path(name), tail), depth + 1);
        }
        let sub = format!("{}.{name}", file.module);
        if let Some(&sm) = self.modules.get(sub.as_str()) {
            return self.resolve_in_module(sm, tail, depth + 1);
        }
        self.via_star_imports(m, rest, depth + 1)
    }

    /// Look `rest` up through file `m`'s `from x import *` statements. A star import
    /// of an analysed module only yields what that module defines; one of an outside
    /// module (`from djust.decorators import *`) yields the outside path.
    fn via_star_imports(&self, m: usize, rest: &[&str], depth: usize) -> Symbol {
        for star in &self.files[m].1.star_imports {
            match self.resolve_path(&join(star, rest), depth) {
                Symbol::Unknown => {}
                Symbol::External(p) if !self.modules.contains_key(star.as_str()) => {
                    return Symbol::External(p)
                }
                Symbol::External(_) => {}
                found => return found,
            }
        }
        Symbol::Unknown
    }

    fn nested_class(&self, m: usize, mut c: usize, tail: &[&str]) -> Symbol {
        let file = self.files[m].1;
        for part in tail {
            match file
                .classes
                .iter()
                .position(|k| k.parent.map(|p| p as usize) == Some(c) && k.name == *part)
            {
                Some(n) => c = n,
                None => return Symbol::Unknown,
            }
        }
        Symbol::Class(m, c)
    }

    /// Resolve a name as written in file `m` (e.g. a base class `views.BaseView`).
    pub fn resolve_written(&self, m: usize, parts: &[&str]) -> Symbol {
        let Some(&head) = parts.first() else {
            return Symbol::Unknown;
        };
        let file = self.files[m].1;
        if file.top_class(head).is_some() || file.defined.contains(head) {
            return self.resolve_in_module(m, parts, 0);
        }
        if let Some(binding) = file.imports.get(head) {
            return self.resolve_path(&join(&binding.path(head), &parts[1..]), 0);
        }
        self.via_star_imports(m, parts, 0)
    }
}

fn join(base: &str, rest: &[&str]) -> String {
    let mut s = base.to_string();
    for r in rest {
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str(r);
    }
    s
}

/// True for djust's own `LiveView` / `LiveComponent` (any `djust.*` module).
fn is_djust_base(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    (path.starts_with("djust.") || path == "djust") && matches!(last, "LiveView" | "LiveComponent")
}

/// True for djust's `LiveComponent` / `Component` (`djust.components`, or re-exported
/// from any `djust.*` module).
fn is_djust_component(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    (path.starts_with("djust.") || path == "djust") && matches!(last, "LiveComponent" | "Component")
}

/// Decides which classes are LiveViews and which are components, with memoisation
/// (the resolver behind [`ClassKinds`]).
struct LiveViews<'i, 'a> {
    index: &'i PythonIndex<'a>,
    /// (file, class) → (is a LiveView, is a component).
    memo: HashMap<(usize, usize), (bool, bool)>,
}

impl<'i, 'a> LiveViews<'i, 'a> {
    fn new(index: &'i PythonIndex<'a>) -> Self {
        LiveViews {
            index,
            memo: HashMap::default(),
        }
    }

    /// Both families of class `c` of file `m`: each base is resolved once for the two.
    fn kinds(&mut self, m: usize, c: usize) -> (bool, bool) {
        self.check(m, c, &mut Vec::new())
    }

    fn check(&mut self, m: usize, c: usize, visiting: &mut Vec<(usize, usize)>) -> (bool, bool) {
        if let Some(&v) = self.memo.get(&(m, c)) {
            return v;
        }
        // The chain being followed (a few classes): a base met again is a cycle.
        if visiting.contains(&(m, c)) {
            return (false, false);
        }
        visiting.push((m, c));
        let class = &self.index.files[m].1.classes[c];
        let (mut liveview, mut component) = (false, false);
        for base in &class.bases {
            let Some(parts) = base.parts() else { continue };
            let last = parts.last().copied().unwrap_or("");
            // A base written `…LiveView` is a LiveView before any resolving.
            liveview |= last.ends_with("LiveView");
            let (l, k) = match self.index.resolve_written_in_scope(m, c, &parts) {
                Symbol::Class(bm, bc) => self.check(bm, bc, visiting),
                // Outside the analysed files: djust's own classes.
                Symbol::External(p) => (is_djust_base(&p), is_djust_component(&p)),
                // Resolving to nothing: only `LiveComponent`, by its name.
                _ => (false, last == "LiveComponent"),
            };
            liveview |= l;
            component |= k;
            if liveview && component {
                break;
            }
        }
        visiting.pop();
        self.memo.insert((m, c), (liveview, component));
        (liveview, component)
    }
}

/// Every class's family (LiveView, component), decided once for the cross-file rules:
/// in parallel over the files, each worker with its own [`LiveViews`] memo.
pub struct ClassKinds {
    /// Per class of every file of the index, in order: (is a LiveView, is a component).
    /// One list for the whole run (a list per file would be one allocation per file,
    /// held through the cross-file rules).
    kinds: Vec<(bool, bool)>,
    /// Where each file's classes start in `kinds`, and (last) its length.
    starts: Vec<usize>,
}

impl ClassKinds {
    /// Classify every class of `index`.
    pub fn of(index: &PythonIndex<'_>) -> ClassKinds {
        let mut starts = Vec::with_capacity(index.files().len() + 1);
        let mut total = 0;
        for (_, file) in index.files() {
            starts.push(total);
            total += file.classes.len();
        }
        starts.push(total);
        let mut kinds = vec![(false, false); total];
        // Each file's slice of `kinds`, filled by whichever worker takes the file.
        let mut slices: Vec<&mut [(bool, bool)]> = Vec::with_capacity(index.files().len());
        let mut rest = kinds.as_mut_slice();
        for (_, file) in index.files() {
            let (head, tail) = rest.split_at_mut(file.classes.len());
            slices.push(head);
            rest = tail;
        }
        slices.into_par_iter().enumerate().for_each_init(
            || LiveViews::new(index),
            |lv, (m, out)| {
                for (c, k) in out.iter_mut().enumerate() {
                    *k = lv.kinds(m, c);
                }
            },
        );
        ClassKinds { kinds, starts }
    }

    fn get(&self, m: usize, c: usize) -> Option<(bool, bool)> {
        let (start, end) = (*self.starts.get(m)?, *self.starts.get(m + 1)?);
        if c >= end - start {
            return None;
        }
        self.kinds.get(start + c).copied()
    }

    /// True when class `c` of file `m` is a LiveView: one of its bases resolves,
    /// transitively, to djust's `LiveView`/`LiveComponent`, or is named `…LiveView`
    /// (false for an index out of range).
    pub fn is_liveview(&self, m: usize, c: usize) -> bool {
        self.get(m, c).is_some_and(|k| k.0)
    }

    /// True when class `c` of file `m` is a component: one of its bases resolves,
    /// transitively, to djust's `LiveComponent` or `Component` (or is written
    /// `LiveComponent` where the import cannot be followed). A component's template
    /// is a fragment of its LiveView's page, so it needs no `dj-root` (T002).
    pub fn is_component(&self, m: usize, c: usize) -> bool {
        self.get(m, c).is_some_and(|k| k.1)
    }
}

impl PythonIndex<'_> {
    /// Class `c` of file `m` and every analysed class it inherits from, transitively,
    /// nearest first (bases that resolve outside the analysed files are skipped).
    pub fn ancestors(&self, m: usize, c: usize) -> Vec<(usize, usize)> {
        self.inheritance(m, c).0
    }

    /// [`PythonIndex::ancestors`], or `None` when a base on the way cannot be read (a
    /// class from an installed package other than djust, or a name that resolves to
    /// nothing): what the class inherits (handlers, a template) is then unknown.
    pub fn readable_ancestors(&self, m: usize, c: usize) -> Option<Vec<(usize, usize)>> {
        let (chain, readable) = self.inheritance(m, c);
        readable.then_some(chain)
    }

    /// The one walk behind both: the chain, and whether every base was readable.
    fn inheritance(&self, m: usize, c: usize) -> (Vec<(usize, usize)>, bool) {
        let mut out = vec![(m, c)];
        let mut readable = true;
        let mut next = 0;
        while next < out.len() && out.len() < 256 {
            let (fm, fc) = out[next];
            next += 1;
            for base in &self.files[fm].1.classes[fc].bases {
                let Some(parts) = base.parts() else {
                    readable = false;
                    continue;
                };
                match self.resolve_written_in_scope(fm, fc, &parts) {
                    Symbol::Class(bm, bc) => {
                        if !out.contains(&(bm, bc)) {
                            out.push((bm, bc));
                        }
                    }
                    Symbol::External(p) if p == "djust" || p.starts_with("djust.") => {}
                    _ if parts.len() == 1 && parts[0] == "object" => {}
                    _ => readable = false,
                }
            }
        }
        (out, readable)
    }

    /// Resolve a base written inside class `c` of file `m`: sibling nested classes
    /// first (for `class Outer: class A: …; class B(A): …`), then module scope.
    fn resolve_written_in_scope(&self, m: usize, c: usize, parts: &[&str]) -> Symbol {
        let file = self.files[m].1;
        if let (Some(parent), Some(head)) = (file.classes[c].parent, parts.first()) {
            if let Some(sib) = file
                .classes
                .iter()
                .position(|k| k.parent == Some(parent) && k.name == *head)
            {
                return self.nested_class(m, sib, &parts[1..]);
            }
        }
        self.resolve_written(m, parts)
    }

    /// True when the decorator path (resolved through file `m`'s imports) is djust's
    /// `event_handler` or `action`. An unbound bare `event_handler`/`action` (code
    /// pasted without its imports) counts too.
    pub fn is_handler_decorator(&self, m: usize, path: &str) -> bool {
        let last = path.rsplit('.').next().unwrap_or(path);
        if !v007::HANDLER_DECORATORS.contains(&last) {
            return false;
        }
        let file = self.files[m].1;
        if !path.contains('.') {
            // Not imported (the local resolver would have expanded it): unbound or local.
            return !file.defined.contains(path) && file.top_class(path).is_none();
        }
        // djust's own source may be among the analysed files (vendored, a monorepo):
        // its decorator is then found defined in `djust.decorators` (or any djust module).
        match self.resolve_path(path, 0) {
            Symbol::External(p) | Symbol::Defined(_, p) => p.starts_with("djust.") || p == "djust",
            _ => false,
        }
    }
}

impl<'a> PythonIndex<'a> {
    /// The names of the event handlers (methods decorated with djust's `event_handler`
    /// or `action`) of the classes of `chain` ([`PythonIndex::readable_ancestors`]),
    /// read from `details` (file index, its details: [`PythonIndex::chain_details`]);
    /// a file missing from it gives none.
    pub fn handler_names(
        &self,
        chain: &[(usize, usize)],
        details: &[(usize, &Details<'_>)],
    ) -> HashSet<String> {
        let mut names = HashSet::default();
        for &(fm, fc) in chain {
            let Some((_, file)) = details.iter().find(|(k, _)| *k == fm) else {
                continue;
            };
            for h in file.handlers().iter().filter(|h| h.class as usize == fc) {
                if h.decorators.iter().any(|d| self.is_handler_decorator(fm, d)) {
                    names.insert(h.name.to_string());
                }
            }
        }
        names
    }

    /// The details ([`PyFile::details`]) of each file `chain` runs through but `skip`,
    /// each decoded once: (file index, details).
    pub fn chain_details(&self, chain: &[(usize, usize)], skip: Option<usize>) -> Vec<(usize, Details<'a>)> {
        let mut out: Vec<(usize, Details<'a>)> = Vec::new();
        for &(m, _) in chain {
            if Some(m) != skip && !out.iter().any(|(k, _)| *k == m) {
                out.push((m, self.files[m].1.details()));
            }
        }
        out
    }

    /// The analysed module a dotted path leads into (its longest prefix that is one):
    /// `(index, module name)`.
    pub fn module_prefix(&self, path: &str) -> Option<(usize, &str)> {
        let parts: Vec<&str> = path.split('.').collect();
        (1..=parts.len()).rev().find_map(|i| {
            let prefix = parts[..i].join(".");
            self.modules
                .get(prefix.as_str())
                .map(|&m| (m, self.files[m].1.module.as_str()))
        })
    }
}

/// The closest of `candidates` to `name` (Levenshtein distance at most a third of the
/// name's length, and at most 3), for a "did you mean".
fn nearest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Template directories and the names templates are loaded by, per project of a
/// monorepo (a project is the directory of a `manage.py`).
///
/// Held through the cross-file rules, so it is kept flat: every name's text in one
/// buffer and one 16-byte entry per (name, template) pair, sorted by name and then
/// Django's search order, binary-searched (a hash map of shared names with a list per
/// name held about three times as much: docs/benchmarks.md, issue 19's memory).
pub struct TemplateIndex {
    /// Every name, back to back.
    text: String,
    /// Every template a name can load: sorted by name, then rank (the template
    /// directory's place in Django's search order), then file.
    entries: Vec<NameEntry>,
    /// Each template's own name (the one of its nearest-ranked directory): `(file,
    /// index into entries)`, sorted by file.
    own: Vec<(u32, u32)>,
    /// The project of each file (template or Python) that is inside one.
    project_of: HashMap<FileId, usize>,
}

/// One name a template loads by: its bytes in [`TemplateIndex::text`], the rank of
/// the directory it is relative to, and the template's file.
#[derive(Debug, Clone, Copy)]
struct NameEntry {
    at: u32,
    len: u32,
    rank: u32,
    file: u32,
}

impl NameEntry {
    /// The name, in the index's `text` (empty if it is not there).
    fn name<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.at as usize..self.at as usize + self.len as usize)
            .unwrap_or("")
    }
}

impl TemplateIndex {
    /// Build from `(file id, absolute path)` pairs of templates and the template
    /// directories in Django's search order (settings `DIRS` first, then the apps'
    /// `templates/` directories). A name, a rank or a file id past `u32::MAX` (a run of
    /// over four billion templates, or 4 GiB of names) is left out.
    pub fn new(templates: &[(FileId, &Path)], dirs: &[PathBuf]) -> Self {
        // Looked up by bytes (a `Path` hashes component by component): the directories
        // are normalised the way `ancestors()` of a normalised path spells them.
        let normal: Vec<PathBuf> = dirs.iter().map(|d| d.components().collect()).collect();
        let rank: HashMap<&std::ffi::OsStr, usize> = normal
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_os_str(), i))
            .collect();
        let mut text = String::new();
        let mut entries: Vec<NameEntry> = Vec::with_capacity(templates.len());
        let mut holders: Vec<(usize, &Path)> = Vec::new();
        for (id, abs) in templates {
            // Every template directory that holds this file: O(depth).
            holders.clear();
            holders.extend(
                abs.ancestors()
                    .skip(1)
                    .filter_map(|a| rank.get(a.as_os_str()).map(|&r| (r, a))),
            );
            for &(r, dir) in &holders {
                let Ok(rel) = abs.strip_prefix(dir) else { continue };
                let name = rel.to_string_lossy().replace('\\', "/");
                let (Ok(at), Ok(len), Ok(rank), Ok(file)) = (
                    u32::try_from(text.len()),
                    u32::try_from(name.len()),
                    u32::try_from(r),
                    u32::try_from(*id),
                ) else {
                    continue;
                };
                text.push_str(&name);
                entries.push(NameEntry { at, len, rank, file });
            }
        }
        entries.sort_unstable_by(|a, b| {
            a.name(&text)
                .cmp(b.name(&text))
                .then(a.rank.cmp(&b.rank))
                .then(a.file.cmp(&b.file))
        });
        entries.dedup_by(|b, a| a.file == b.file && a.name(&text) == b.name(&text));
        entries.shrink_to_fit();
        // Each file's own name: the entry of its best-ranked directory.
        let mut own: Vec<(u32, u32, u32)> = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| u32::try_from(i).ok().map(|i| (e.file, e.rank, i)))
            .collect();
        own.sort_unstable();
        own.dedup_by_key(|(file, _, _)| *file);
        let own = own.into_iter().map(|(file, _, i)| (file, i)).collect();
        TemplateIndex {
            text,
            entries,
            own,
            project_of: HashMap::default(),
        }
    }

    /// Assign files to the projects of a monorepo: `roots` are the directories that
    /// hold a `manage.py`; a file belongs to the deepest one above it. A name is then
    /// resolved among the templates of the asking file's project first.
    pub fn with_projects(mut self, files: &[(FileId, &Path)], roots: &[PathBuf]) -> Self {
        if roots.len() < 2 {
            return self;
        }
        for (id, abs) in files {
            if let Some((i, _)) = roots
                .iter()
                .enumerate()
                .filter(|(_, r)| abs.starts_with(r))
                .max_by_key(|(_, r)| r.components().count())
            {
                self.project_of.insert(*id, i);
            }
        }
        self
    }

    /// The text of `entry`'s name.
    fn name(&self, entry: &NameEntry) -> &str {
        entry.name(&self.text)
    }

    /// Every template `name` loads, best first (Django's search order).
    fn found(&self, name: &str) -> &[NameEntry] {
        let from = self.entries.partition_point(|e| self.name(e) < name);
        let to = from
            + self.entries[from..]
                .iter()
                .take_while(|e| self.name(e) == name)
                .count();
        &self.entries[from..to]
    }

    /// The name a template file loads by (relative to its template directory).
    pub fn name_of(&self, id: FileId) -> Option<&str> {
        let id = u32::try_from(id).ok()?;
        let at = self.own.binary_search_by_key(&id, |(file, _)| *file).ok()?;
        let (_, entry) = self.own.get(at)?;
        self.entries.get(*entry as usize).map(|e| self.name(e))
    }

    /// Every loadable template name with the file it loads.
    pub fn names(&self) -> Vec<(String, FileId)> {
        let mut out: Vec<(String, FileId)> = Vec::new();
        for e in &self.entries {
            let name = self.name(e);
            if out.last().is_some_and(|(last, _)| last == name) {
                continue;
            }
            out.push((name.to_string(), e.file as FileId));
        }
        out
    }

    /// The file a template name loads, as Django's loaders would pick it, for the
    /// file `from` (a template or a Python file: its project's copy first). Relative
    /// names (`./x.html`, `../x.html`) resolve against `from`'s own name.
    pub fn resolve(&self, name: &str, from: Option<FileId>) -> Option<FileId> {
        let found = if name.starts_with("./") || name.starts_with("../") {
            let base = from.and_then(|f| self.name_of(f))?;
            let joined = relative_name(base, name)?;
            self.found(joined.as_str())
        } else {
            self.found(name)
        };
        let project = from.and_then(|f| self.project_of.get(&f));
        project
            .and_then(|p| {
                found
                    .iter()
                    .find(|e| self.project_of.get(&(e.file as FileId)) == Some(p))
            })
            .or_else(|| found.first())
            .map(|e| e.file as FileId)
    }
}

/// Resolve `./x` / `../x` against the directory of template `base`, with the
/// runtime's implementation of Django's rule. `None` when the name climbs above the
/// template root.
pub fn relative_name(base: &str, name: &str) -> Option<String> {
    let joined = djust_runtime::template::parser::join_relative_name(base, name);
    (!joined.starts_with("../") && joined != "..").then_some(joined)
}

/// Template directories in the order Django's loaders search them: settings `DIRS` (as
/// found), then the `templates` directory of each app in `INSTALLED_APPS` order
/// (`app_dirs`: each app's package directory), then every other directory named
/// `templates` that holds a discovered template, sorted (an app the settings do not
/// list, or a project whose settings were not read).
pub fn template_dirs(
    settings_dirs: &[PathBuf],
    app_dirs: &[PathBuf],
    template_paths: &[&Path],
) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    // Each directory once, in the first place it comes (a set: a project has hundreds).
    let mut seen: HashSet<PathBuf> = HashSet::default();
    let mut add = |d: PathBuf| {
        if seen.insert(d.clone()) {
            dirs.push(d);
        }
    };
    for d in settings_dirs {
        add(d.clone());
    }
    for app in app_dirs {
        add(app.join("templates"));
    }
    let mut found: Vec<&Path> = template_paths
        .iter()
        .filter_map(|p| {
            p.ancestors()
                .find(|a| a.file_name().is_some_and(|n| n == "templates"))
        })
        .collect();
    found.sort();
    found.dedup();
    for d in found {
        add(d.to_path_buf());
    }
    dirs
}

/// The package directories of `apps` (`INSTALLED_APPS` entries: a package, or the
/// dotted path of an `AppConfig` class in it), in order, for the apps among the
/// analysed modules (`modules`: dotted name → its file).
pub fn app_dirs(apps: &[String], modules: &HashMap<&str, &Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for app in apps {
        let parts: Vec<&str> = app.split('.').collect();
        let found = (1..=parts.len()).rev().find_map(|i| {
            let name = parts[..i].join(".");
            modules.get(name.as_str()).copied()
        });
        // `shop` (a package: `shop/__init__.py`) → `shop/`; `shop.apps.ShopConfig` →
        // the directory of `shop/apps.py`, as Django's `AppConfig.path`.
        let Some(path) = found else { continue };
        if let Some(d) = path.parent().map(Path::to_path_buf) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// Run the cross-file rules. `templates` are `(file id, summary)` pairs.
pub fn cross_file_findings(
    index: &PythonIndex<'_>,
    templates: &[(FileId, &TemplateDoc)],
    tindex: &TemplateIndex,
) -> Vec<Finding> {
    cross_file_parts::<Vec<Finding>>(index, templates, tindex).concat()
}

/// [`cross_file_findings`] as it is computed, in order: for each parallel group of
/// rules (V007, V008 and the class rules; T101; T102; T002 and T012) a list per piece
/// its threads took, and one list of the others, each in the form `L` the caller holds
/// (a `check` run: packed, [`crate::finding::packed::Packed`]). A `check` run keeps
/// them apart until its report is assembled: joining a group's lists into one would
/// hold a second copy of its findings while every summary is still alive.
pub(crate) fn cross_file_parts<L: FindingList>(
    index: &PythonIndex<'_>,
    templates: &[(FileId, &TemplateDoc)],
    tindex: &TemplateIndex,
) -> Vec<L> {
    let liveviews = ClassKinds::of(index);
    let mut parts: Vec<L> = Vec::with_capacity(6);
    let mut serial: Vec<Finding> = Vec::new();

    // Which templates LiveViews render; components' templates are fragments, and so
    // are those of LiveViews another template embeds (`{% live_render %}`: the parent
    // supplies the root).
    let embedded: HashSet<&str> = templates
        .iter()
        .flat_map(|(_, d)| d.embeds.iter().map(String::as_str))
        .collect();
    // By (file, class) index: a class's dotted path is written only for a finding.
    let mut template_of: HashMap<FileId, (usize, usize)> = HashMap::default();
    let mut views_of: HashMap<FileId, Vec<(usize, usize)>> = HashMap::default();
    let mut fragments: HashSet<FileId> = HashSet::default();
    for (m, (file_id, file)) in index.files().iter().enumerate() {
        for (c, class) in file.classes.iter().enumerate() {
            let Some((name, _)) = &class.template_name else {
                continue;
            };
            if liveviews.is_component(m, c) || embedded.contains(index.class_path(m, c).as_str()) {
                fragments.extend(tindex.resolve(name, Some(*file_id)));
                continue;
            }
            if !liveviews.is_liveview(m, c) {
                continue;
            }
            if let Some(t) = tindex.resolve(name, Some(*file_id)) {
                if !class.is_abstract {
                    views_of.entry(t).or_default().push((m, c));
                }
                template_of.entry(t).or_insert((m, c));
            }
        }
    }

    // One pass over the Python files, each file's details decoded once, if a rule
    // needs them: V007 (handlers in every non-abstract class), V008 (state set from
    // imported functions, judged by their module's annotations) and the class rules
    // (V001–V004, V010, V013, S005: LiveView classes that are not abstract and not
    // components, whose bases can all be read).
    let class_findings = index.files().par_iter().enumerate().map(|(m, (file_id, file))| {
        let mut out = Vec::new();
        let mut own: Option<Details<'_>> = None;
        if file.has_handlers() || file.has_imported_state_calls() {
            let details = own.insert(file.details());
            out.extend(
                details
                    .handlers()
                    .iter()
                    .filter(|cand| {
                        file.classes
                            .get(cand.class as usize)
                            .is_some_and(|c| !c.is_abstract)
                    })
                    .filter_map(|cand| v007::check(*file_id, cand, &|p| index.is_handler_decorator(m, p))),
            );
            for call in details.imported_state_calls() {
                // Only what the project defines is judged: a function or class of a
                // module outside the checked files (a package, or the rest of a project
                // when one file is checked) cannot be read, and V008 says nothing about
                // it.
                let safe = match index.resolve_path(&call.resolved, 0) {
                    Symbol::Defined(dm, _) => {
                        let name = call.resolved.rsplit('.').next().unwrap_or(&call.resolved);
                        index.files()[dm].1.safe_functions.iter().any(|f| f == name)
                    }
                    Symbol::Class(..) => false,
                    Symbol::Module(_) | Symbol::External(_) | Symbol::Unknown => continue,
                };
                v008::imported(*file_id, call, safe, &mut out);
            }
        }
        for (c, class) in file.classes.iter().enumerate() {
            if class.is_abstract || !liveviews.is_liveview(m, c) || liveviews.is_component(m, c) {
                continue;
            }
            let Some(chain) = index.readable_ancestors(m, c) else {
                continue;
            };
            // Each base as the class's module resolves it, and whether it is a LiveView.
            let bases: Vec<(Option<(usize, usize)>, bool)> = class
                .bases
                .iter()
                .map(|b| match b.parts() {
                    Some(parts) => match index.resolve_written(m, &parts) {
                        Symbol::Class(bm, bc) => (Some((bm, bc)), liveviews.is_liveview(bm, bc)),
                        _ => (None, parts.last().is_some_and(|name| name.ends_with("LiveView"))),
                    },
                    None => (None, false),
                })
                .collect();
            let own = &*own.get_or_insert_with(|| file.details());
            let others = index.chain_details(&chain, Some(m));
            let details: Vec<(usize, &Details<'_>)> = std::iter::once((m, own))
                .chain(others.iter().map(|(k, d)| (*k, d)))
                .collect();
            let ctx = rules::ClassContext {
                file: *file_id,
                module: file,
                class,
                qualname: index.class_path(m, c),
                chain: &chain,
                bases: &bases,
                handlers: index.handler_names(&chain, &details),
                index,
                details: &details,
            };
            for rule in rules::CLASS_RULES {
                rule(&ctx, &mut out);
            }
        }
        out
    });
    parts.extend(gather::<L>(class_findings));

    // The configuration rules, on the settings modules.
    let settings = crate::project_settings::find(index);
    serial.extend(crate::project_settings::findings(&settings));

    // S011 when no settings module configures a CSP; C010 when one runs in production;
    // C012 in layouts.
    let csp = settings.is_empty() || settings.iter().any(s011::configures_csp);
    let production = settings.iter().any(|s| s.production());
    for (id, doc) in templates {
        if !csp {
            s011::check(*id, doc, &mut serial);
        }
        let Some(name) = tindex.name_of(*id) else { continue };
        let base = name.rsplit('/').next().unwrap_or(name);
        if !(base.contains("base") || base.contains("layout")) {
            continue;
        }
        if let (true, Some(span)) = (production, doc.tailwind_cdn) {
            serial.push(c010::finding(*id, span.span(), name));
        }
        if let Some(span) = doc.client_script {
            serial.push(c012::finding(*id, span.span(), name));
        }
    }

    parts.push(L::of(serial));

    // T101: directives naming a handler the template's LiveViews do not have.
    let docs: HashMap<FileId, &TemplateDoc> = templates.iter().map(|(id, d)| (*id, *d)).collect();
    let mut ids: Vec<&FileId> = views_of.keys().collect();
    ids.sort();
    let t101_findings = ids.par_iter().map(|id| {
        let mut out = Vec::new();
        let (Some(doc), Some(views)) = (docs.get(id), views_of.get(id)) else {
            return out;
        };
        let Some(sets) = views
            .iter()
            .map(|(m, c)| {
                index.readable_ancestors(*m, *c).map(|chain| {
                    let decoded = index.chain_details(&chain, None);
                    let details: Vec<(usize, &Details<'_>)> = decoded.iter().map(|(k, d)| (*k, d)).collect();
                    index.handler_names(&chain, &details)
                })
            })
            .collect::<Option<Vec<HashSet<String>>>>()
        else {
            return out;
        };
        let elements = doc.elements();
        for directive in elements.iter().flat_map(|e| e.directives.iter()) {
            let Some(handler) = &directive.target else {
                continue;
            };
            if !t101::names_a_handler(&directive.name) || sets.iter().any(|s| s.contains(handler.as_str())) {
                continue;
            }
            let paths: Vec<String> = views.iter().map(|&(m, c)| index.class_path(m, c)).collect();
            let near = nearest(handler, sets.iter().flatten().map(String::as_str));
            out.push(t101::finding(**id, directive, handler, &paths, near));
        }
        out
    });
    parts.extend(gather::<L>(t101_findings));

    // T102: dj-view naming something that is not a LiveView of the project.
    let t102_findings = templates.par_iter().map(|(id, doc)| {
        let mut out = Vec::new();
        for element in doc.elements().iter() {
            let (Some(span), Some(path)) = (element.view(), element.view_value()) else {
                continue;
            };
            if path.is_empty() || !path.contains('.') || path.contains(['{', '}', ' ']) {
                continue;
            }
            let Some((m, module)) = index.module_prefix(path) else {
                continue;
            };
            let problem = match index.resolve_path(path, 0) {
                Symbol::Class(bm, bc) if liveviews.is_liveview(bm, bc) => continue,
                Symbol::Class(..) => t102::Problem::NotLiveView,
                Symbol::Module(_) => t102::Problem::Module,
                Symbol::Defined(..) => t102::Problem::NotAClass,
                Symbol::Unknown => t102::Problem::Missing,
                Symbol::External(_) => continue,
            };
            let file = index.files()[m].1;
            let classes: Vec<String> = file
                .top_classes()
                .filter(|&(_, c)| liveviews.is_liveview(m, c))
                .map(|(name, _)| format!("{module}.{name}"))
                .collect();
            let near = nearest(path, classes.iter().map(String::as_str));
            out.push(t102::finding(*id, span, path, module, problem, near));
        }
        out
    });
    parts.extend(gather::<L>(t102_findings));

    // T002.
    let mut included = HashSet::default();
    let mut extended = HashSet::default();
    for (id, doc) in templates {
        for r in &doc.includes {
            if let TemplateRef::Literal { name, .. } = r {
                if let Some(t) = tindex.resolve(name, Some(*id)) {
                    included.insert(t);
                }
            }
        }
        if let Some(TemplateRef::Literal { name, .. }) = &doc.extends {
            if let Some(t) = tindex.resolve(name, Some(*id)) {
                extended.insert(t);
            }
        }
    }
    let t002_findings = templates.par_iter().map(|(id, doc)| {
        let mut out = Vec::new();
        let reason = if doc.has_view() {
            t002::RootReason::DjView
        } else if let Some(&(m, c)) = template_of.get(id) {
            t002::RootReason::TemplateName(index.class_path(m, c))
        } else if doc.has_directives()
            && !doc.partial
            && !doc.component
            && !fragments.contains(id)
            && !included.contains(id)
            && !extended.contains(id)
        {
            t002::RootReason::Directives
        } else {
            return out;
        };
        if chain_lacks(*id, &docs, tindex, TemplateDoc::has_root) {
            out.push(t002::finding(*id, doc, &reason));
        }
        // T012: the page names no view at all.
        if !matches!(reason, t002::RootReason::DjView)
            && chain_lacks(*id, &docs, tindex, TemplateDoc::has_view)
        {
            out.push(t012::finding(*id, doc, &reason));
        }
        out
    });
    parts.extend(gather::<L>(t002_findings));
    parts
}

/// A parallel pass's findings (a list per item), as lists of the caller's form: one
/// per piece of the pass a thread took, in order, each built as its findings come (no
/// list of findings is held beside it).
fn gather<L: FindingList>(pass: impl ParallelIterator<Item = Vec<Finding>>) -> Vec<L> {
    pass.fold(L::default, |mut list, found| {
        list.push_all(found);
        list
    })
    .map(|mut list| {
        list.shrink();
        list
    })
    .collect()
}

/// Follow `{% extends %}` from `start`: `true` only when the whole chain is known and
/// no template in it `has` what is looked for (a `dj-root` element, a `dj-view` one).
fn chain_lacks(
    start: FileId,
    docs: &HashMap<FileId, &TemplateDoc>,
    tindex: &TemplateIndex,
    has: impl Fn(&TemplateDoc) -> bool,
) -> bool {
    let mut seen = HashSet::default();
    let mut cur = start;
    loop {
        if !seen.insert(cur) {
            return false;
        }
        let Some(doc) = docs.get(&cur) else { return false };
        if has(doc) {
            return false;
        }
        match &doc.extends {
            None => return true,
            Some(TemplateRef::Dynamic { .. }) => return false,
            Some(TemplateRef::Literal { name, .. }) => match tindex.resolve(name, Some(cur)) {
                Some(parent) => cur = parent,
                None => return false,
            },
        }
    }
}
