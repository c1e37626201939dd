//! The server's view of the project: an [`AnalysisHost`] owned by one analysis thread,
//! and the [`Snapshot`] it publishes after every change for requests to read.
//!
//! Edits reach the thread as [`Job`]s. It drains every job that is waiting before it
//! analyses, so a burst of keystrokes costs one analysis (the debounce), and the first
//! change after a pause is analysed at once. Requests never wait for analysis: they
//! read the last snapshot and the live document text.

use crate::text;
use djust_analyzer::host::{AnalysisHost, Update};
use djust_analyzer::workspace::ProjectIndex;
use djust_analyzer::{FileId, Finding, Overrides, Settings, Severity};
use djust_runtime::Span;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex, RwLock};
use tower_lsp::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, TextEdit,
    Url,
};
use tower_lsp::Client;

/// A change for the analysis thread.
#[derive(Debug)]
pub enum Job {
    /// An editor buffer's text (`None`: closed, read the disk again).
    Overlay(PathBuf, Option<String>),
    /// A file changed on disk.
    Disk(PathBuf),
    /// Stop the thread.
    Stop,
}

/// What requests read: the project index and template names after the last analysis.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The project root.
    pub root: PathBuf,
    /// LiveViews and templates.
    pub index: ProjectIndex,
    /// Template name → file.
    pub templates: HashMap<String, PathBuf>,
    /// File → the name it is loaded by.
    pub template_names: HashMap<PathBuf, String>,
    /// Template file → indexes into `index.views` of the LiveViews that render it
    /// (their `template_name`, the templates it includes, the templates that extend
    /// it, its `dj-view` elements).
    pub bound: HashMap<PathBuf, Vec<usize>>,
    /// True once the first analysis is done.
    pub ready: bool,
}

impl Snapshot {
    /// Absolute path of a file the index names.
    pub fn abs(&self, file: &str) -> PathBuf {
        self.root.join(file)
    }

    fn build(host: &AnalysisHost, index: ProjectIndex, names: Vec<(String, FileId)>) -> Snapshot {
        let root = host.root().to_path_buf();
        let mut templates = HashMap::new();
        let mut template_names = HashMap::new();
        for (name, id) in names {
            if let Some(f) = host.file(id) {
                template_names
                    .entry(f.abs.to_path_buf())
                    .or_insert_with(|| name.clone());
                templates.insert(name, f.abs.to_path_buf());
            }
        }
        let mut snap = Snapshot {
            root,
            index,
            templates,
            template_names,
            bound: HashMap::new(),
            ready: true,
        };
        snap.bound = snap.bind();
        snap
    }

    fn bind(&self) -> HashMap<PathBuf, Vec<usize>> {
        let by_file: HashMap<PathBuf, usize> = self
            .index
            .templates
            .iter()
            .enumerate()
            .map(|(i, t)| (self.abs(&t.file), i))
            .collect();
        let mut bound: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        for (v, view) in self.index.views.iter().enumerate() {
            let mut seen: HashSet<PathBuf> = HashSet::new();
            let mut todo: Vec<PathBuf> = view.template_file.iter().map(|f| self.abs(f)).collect();
            for t in &self.index.templates {
                if t.views.contains(&view.path) {
                    todo.push(self.abs(&t.file));
                }
            }
            while let Some(file) = todo.pop() {
                if !seen.insert(file.clone()) {
                    continue;
                }
                if let Some(&t) = by_file.get(&file) {
                    let info = &self.index.templates[t];
                    todo.extend(info.include_files.iter().map(|f| self.abs(f)));
                    if let Some(parent) = info.extends.as_ref().and_then(|n| self.templates.get(n)) {
                        todo.push(parent.clone());
                    }
                }
                bound.entry(file).or_default().push(v);
            }
        }
        bound
    }

    /// The LiveViews that render template `abs` (see [`Snapshot::bound`]).
    pub fn views_for(&self, abs: &Path) -> Vec<&djust_analyzer::workspace::ViewInfo> {
        self.bound
            .get(abs)
            .map(|v| v.iter().filter_map(|&i| self.index.views.get(i)).collect())
            .unwrap_or_default()
    }
}

/// A quick fix for one published diagnostic.
#[derive(Debug, Clone)]
pub struct Action {
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
    /// The rule's fix, if it has one: title and edits in the same file.
    pub fix: Option<(String, Vec<TextEdit>)>,
    /// The edit that adds a `noqa` comment for the rule.
    pub noqa: Option<TextEdit>,
}

/// State shared between the analysis thread and the request handlers.
#[derive(Default)]
pub struct Shared {
    /// The last snapshot.
    pub snapshot: RwLock<Arc<Snapshot>>,
    /// Quick fixes by document, from the last analysis.
    pub actions: Mutex<HashMap<Url, Vec<Action>>>,
}

impl Shared {
    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
}

/// The analysis thread: load the project at `root`, then apply jobs until `Stop` or
/// until the channel closes.
pub fn run(
    root: PathBuf,
    jobs: Receiver<Job>,
    client: Client,
    rt: tokio::runtime::Handle,
    shared: Arc<Shared>,
) {
    let settings = match Settings::resolve(std::slice::from_ref(&root), &root, &Overrides::default()) {
        Ok(s) => s,
        Err(e) => {
            let msg = format!("djust: configuration error, using defaults: {e}");
            rt.block_on(client.show_message(tower_lsp::lsp_types::MessageType::WARNING, msg));
            Settings::defaults(&root)
        }
    };
    let mut host = match AnalysisHost::load(&root, settings) {
        Ok(h) => h,
        Err(e) => {
            rt.block_on(client.log_message(
                tower_lsp::lsp_types::MessageType::ERROR,
                format!("djust: cannot load the project at {}: {e}", root.display()),
            ));
            return;
        }
    };
    let mut published: HashMap<Url, Vec<Diagnostic>> = HashMap::new();
    let mut pending: Vec<Job> = Vec::new();
    publish(&host, &client, &rt, &shared, &mut published);
    loop {
        if pending.is_empty() {
            match jobs.recv() {
                Ok(j) => pending.push(j),
                Err(_) => return,
            }
        }
        // Take everything that is waiting: one analysis for the whole burst.
        loop {
            match jobs.try_recv() {
                Ok(j) => pending.push(j),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => break,
            }
        }
        let batch = coalesce(std::mem::take(&mut pending));
        let mut stop = false;
        for job in batch {
            let result = match job {
                Job::Overlay(path, text) => host.set_overlay(&path, text),
                Job::Disk(path) => host.refresh(&path),
                Job::Stop => {
                    stop = true;
                    Ok(Update::Unchanged)
                }
            };
            if let Err(e) = result {
                rt.block_on(
                    client.log_message(tower_lsp::lsp_types::MessageType::ERROR, format!("djust: {e}")),
                );
            }
        }
        if stop {
            return;
        }
        publish(&host, &client, &rt, &shared, &mut published);
    }
}

/// Keep only the last overlay of each file; other jobs keep their order.
fn coalesce(jobs: Vec<Job>) -> Vec<Job> {
    let mut last: HashMap<PathBuf, usize> = HashMap::new();
    for (i, j) in jobs.iter().enumerate() {
        if let Job::Overlay(p, _) = j {
            last.insert(p.clone(), i);
        }
    }
    jobs.into_iter()
        .enumerate()
        .filter(|(i, j)| match j {
            Job::Overlay(p, _) => last.get(p) == Some(i),
            _ => true,
        })
        .map(|(_, j)| j)
        .collect()
}

/// Publish every file's diagnostics that changed, store the quick fixes, and replace
/// the snapshot.
fn publish(
    host: &AnalysisHost,
    client: &Client,
    rt: &tokio::runtime::Handle,
    shared: &Shared,
    published: &mut HashMap<Url, Vec<Diagnostic>>,
) {
    let analysis = host.analysis();
    let findings = analysis.findings;
    let mut by_file: HashMap<Url, Vec<Action>> = HashMap::new();
    for f in &findings {
        let Some(file) = host.file(f.file) else { continue };
        let Ok(uri) = Url::from_file_path(&file.abs) else {
            continue;
        };
        by_file
            .entry(uri.clone())
            .or_default()
            .push(action(f, file, &uri));
    }
    let diags: HashMap<Url, Vec<Diagnostic>> = by_file
        .iter()
        .map(|(u, a)| (u.clone(), a.iter().map(|x| x.diagnostic.clone()).collect()))
        .collect();
    let mut sends = Vec::new();
    for (uri, list) in &diags {
        if published.get(uri) != Some(list) {
            sends.push((uri.clone(), list.clone()));
        }
    }
    for uri in published.keys() {
        if !diags.contains_key(uri) {
            sends.push((uri.clone(), Vec::new()));
        }
    }
    *published = diags;
    if let Ok(mut a) = shared.actions.lock() {
        *a = by_file;
    }
    let snap = Arc::new(Snapshot::build(host, analysis.index, analysis.template_names));
    if let Ok(mut s) = shared.snapshot.write() {
        *s = snap;
    }
    for (uri, list) in sends {
        rt.block_on(client.publish_diagnostics(uri, list, None));
    }
}

/// The diagnostic and quick fixes of finding `f` in `file`.
fn action(f: &Finding, file: &djust_analyzer::SourceFile, uri: &Url) -> Action {
    let range = |span: Span| text::range(&file.text, &file.lines, span);
    let mut message = f.message.to_string();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(l.span)),
            message: l.message.clone(),
        })
        .collect();
    let diagnostic = Diagnostic {
        range: range(f.span),
        severity: Some(match f.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(f.rule.code().to_string())),
        code_description: Url::parse(&f.rule.url())
            .ok()
            .map(|href| tower_lsp::lsp_types::CodeDescription { href }),
        source: Some("djust".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    let fix = f.fix.as_ref().map(|fix| {
        (
            fix.message.clone(),
            fix.edits
                .iter()
                .map(|e| TextEdit::new(range(e.span), e.content.clone()))
                .collect(),
        )
    });
    Action {
        diagnostic,
        fix,
        noqa: noqa_edit(f, file),
    }
}

/// `  # noqa: CODE` at the end of the finding's line (or `, CODE` added to the
/// `noqa` already there) in Python; a `{# noqa: CODE #}` line at the top of a template.
fn noqa_edit(f: &Finding, file: &djust_analyzer::SourceFile) -> Option<TextEdit> {
    let code = f.rule.code();
    if matches!(code, "E001" | "E002" | "E003") {
        return None;
    }
    let is_python = file.abs.extension().is_some_and(|e| e == "py");
    if !is_python {
        let at = text::position(&file.text, &file.lines, 0);
        return Some(TextEdit::new(
            Range::new(at, at),
            format!("{{# noqa: {code} #}}\n"),
        ));
    }
    let line = file.lines.line_of(f.span.start);
    let span = file.lines.line_span(&file.text, line);
    let content = span.slice(&file.text);
    let end = span.start + content.trim_end().len();
    let at = text::position(&file.text, &file.lines, end);
    let lower = content.to_ascii_lowercase();
    let insert = if lower.contains("# noqa:") {
        format!(", {code}")
    } else {
        format!("  # noqa: {code}")
    };
    Some(TextEdit::new(Range::new(at, at), insert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_edits_costs_one_analysis_per_file() {
        let a = PathBuf::from("/p/a.py");
        let b = PathBuf::from("/p/b.html");
        let jobs = vec![
            Job::Overlay(a.clone(), Some("1".into())),
            Job::Overlay(b.clone(), Some("x".into())),
            Job::Disk(PathBuf::from("/p/c.py")),
            Job::Overlay(a.clone(), Some("12".into())),
            Job::Overlay(a.clone(), Some("123".into())),
        ];
        let kept: Vec<String> = coalesce(jobs)
            .into_iter()
            .map(|j| match j {
                Job::Overlay(p, t) => format!("{}={}", p.display(), t.unwrap_or_default()),
                Job::Disk(p) => format!("disk {}", p.display()),
                Job::Stop => "stop".into(),
            })
            .collect();
        assert_eq!(kept, vec!["/p/b.html=x", "disk /p/c.py", "/p/a.py=123"]);
    }
}
