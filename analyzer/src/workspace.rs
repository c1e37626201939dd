//! A static map of a project's LiveViews and templates, for tools that answer
//! questions about the workspace (`djust mcp`'s `list_views` and
//! `find_handlers_for_template`; the language server will use it for completion and
//! navigation). Built from the same parse and the same cross-file resolution as
//! `djust check` ([`crate::project_index`]); nothing is imported or run.

use crate::project::{ClassKinds, PythonIndex, TemplateIndex};
use crate::python::{PyFile, StateKind};
use crate::summary::span::CompactSpan;
use crate::summary::template::{TemplateDoc, TemplateRef};
use crate::{FileId, SourceFile};
use serde::Serialize;

/// Every LiveView and template of a project.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProjectIndex {
    /// LiveView classes (not abstract), by file and position.
    pub views: Vec<ViewInfo>,
    /// Templates, by file.
    pub templates: Vec<TemplateInfo>,
}

/// One LiveView class.
#[derive(Debug, Clone, Serialize)]
pub struct ViewInfo {
    /// Import path, `module.Class` (what `dj-view` names).
    pub path: String,
    /// Class name (dotted for nested classes).
    pub class: String,
    /// File, as `djust check` names it.
    pub file: String,
    /// 1-based line of the `class` statement.
    pub line: usize,
    /// `template_name`, from the class or the nearest base that sets it.
    pub template_name: Option<String>,
    /// The file `template_name` loads, when it is in the project.
    pub template_file: Option<String>,
    /// Event handlers (`@event_handler` methods), inherited ones included.
    pub handlers: Vec<HandlerInfo>,
    /// Public state the template can use, inherited names included (nearest
    /// definition wins).
    pub state: Vec<StateInfo>,
}

/// One name of a LiveView's public state.
#[derive(Debug, Clone, Serialize)]
pub struct StateInfo {
    /// The name (`{{ name }}` in the template).
    pub name: String,
    /// `"class_attribute"`, `"instance"` (`self.name = …`) or `"context"`
    /// (`get_context_data`).
    pub kind: &'static str,
    /// The class that defines it (`module.Class`).
    pub defined_in: String,
    /// File, as `djust check` names it.
    pub file: String,
    /// 1-based line of its first assignment.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// An `@event_handler` method.
#[derive(Debug, Clone, Serialize)]
pub struct HandlerInfo {
    /// Method name.
    pub name: String,
    /// The class that defines it (`module.Class`).
    pub defined_in: String,
    /// File and 1-based line of its name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column of its name.
    pub column: usize,
    /// Whether it takes `**kwargs` (V007).
    pub accepts_kwargs: bool,
    /// The signature as written: `save(self, item_id, **kwargs)`.
    pub signature: String,
    /// The docstring, if any.
    pub doc: Option<String>,
}

/// One template.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateInfo {
    /// File, as `djust check` names it.
    pub file: String,
    /// `{% extends %}` target, if any (`None` also for a variable).
    pub extends: Option<String>,
    /// `{% include %}` targets with a literal name.
    pub includes: Vec<String>,
    /// The files of those includes that are in the project, as `djust check` names them.
    pub include_files: Vec<String>,
    /// `dj-view` values in it.
    pub views: Vec<String>,
    /// Directives whose value is a literal handler (or `dj-model` attribute) name.
    pub references: Vec<Reference>,
}

/// A directive naming a handler: `dj-click="save"`.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// The attribute (`dj-click`, `dj-keydown.enter`, `dj-model`).
    pub directive: String,
    /// The handler (or state attribute) it names.
    pub target: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Build the index from loaded files (`files[id]` is file `id`).
pub(crate) fn build(
    files: &[&SourceFile],
    python: &[(FileId, &PyFile)],
    templates: &[(FileId, &TemplateDoc)],
    tindex: &TemplateIndex,
) -> ProjectIndex {
    let index = PythonIndex::new(python.to_vec());
    let liveviews = ClassKinds::of(&index);
    let display = |id: FileId| files[id].display_str();
    let line_of = |id: FileId, span: CompactSpan| files[id].location(span.span()).0.line;
    let column_of = |id: FileId, span: CompactSpan| files[id].location(span.span()).0.column;
    let mut views = Vec::new();
    for (m, (id, file)) in python.iter().enumerate() {
        for (c, class) in file.classes.iter().enumerate() {
            if class.is_abstract || !liveviews.is_liveview(m, c) {
                continue;
            }
            let chain = index.ancestors(m, c);
            let template_name = chain
                .iter()
                .find_map(|&(fm, fc)| python[fm].1.classes[fc].template_name.as_ref())
                .map(|(name, _)| name.to_string());
            let template_file = template_name
                .as_deref()
                .and_then(|n| tindex.resolve(n, Some(*id)))
                .map(display);
            // Open in the language server's runs; decoded when packed (a `check` run's).
            let details = index.chain_details(&chain, None);
            let details_of = |fm: usize| details.iter().find(|(k, _)| *k == fm).map(|(_, d)| d);
            let mut handlers: Vec<HandlerInfo> = Vec::new();
            for &(fm, fc) in &chain {
                let hid = python[fm].0;
                let Some(hfile) = details_of(fm) else { continue };
                for h in hfile.handlers().iter().filter(|h| h.class as usize == fc) {
                    let is_handler = h.decorators.iter().any(|d| index.is_handler_decorator(fm, d));
                    // The nearest definition wins (a subclass overrides its base).
                    if is_handler && !handlers.iter().any(|x| x.name == h.name) {
                        handlers.push(HandlerInfo {
                            name: h.name.to_string(),
                            defined_in: index.class_path(fm, fc),
                            file: display(hid),
                            line: line_of(hid, h.name_span),
                            column: column_of(hid, h.name_span),
                            accepts_kwargs: h.has_var_keyword,
                            signature: h.docs.as_ref().map(|d| d.signature.clone()).unwrap_or_default(),
                            doc: h.docs.as_ref().and_then(|d| d.doc.clone()),
                        });
                    }
                }
            }
            let mut state: Vec<StateInfo> = Vec::new();
            for &(fm, fc) in &chain {
                let sid = python[fm].0;
                let Some(sfile) = details_of(fm) else { continue };
                for v in sfile.state(fc) {
                    if !state.iter().any(|x| x.name == v.name) && !handlers.iter().any(|h| h.name == v.name) {
                        state.push(StateInfo {
                            name: v.name.to_string(),
                            kind: match v.kind {
                                StateKind::ClassAttribute => "class_attribute",
                                StateKind::Instance => "instance",
                                StateKind::Context => "context",
                            },
                            defined_in: index.class_path(fm, fc),
                            file: display(sid),
                            line: line_of(sid, v.span),
                            column: column_of(sid, v.span),
                        });
                    }
                }
            }
            views.push(ViewInfo {
                path: index.class_path(m, c),
                class: class.qualname().to_string(),
                file: display(*id),
                line: line_of(*id, class.span),
                template_name,
                template_file,
                handlers,
                state,
            });
        }
    }
    let templates = templates
        .iter()
        .map(|(id, doc)| TemplateInfo {
            file: display(*id),
            extends: doc.extends.as_ref().and_then(literal),
            includes: doc.includes.iter().filter_map(literal).collect(),
            include_files: doc
                .includes
                .iter()
                .filter_map(literal)
                .filter_map(|name| tindex.resolve(&name, Some(*id)))
                .map(display)
                .collect(),
            views: doc
                .elements()
                .iter()
                .filter_map(|e| e.view_value().map(str::to_string))
                .collect(),
            references: doc
                .elements()
                .iter()
                .flat_map(|e| e.directives.iter())
                .filter_map(|d| {
                    let target = d.target.as_deref()?.to_string();
                    let (start, _) = files[*id].location(d.span.span());
                    Some(Reference {
                        directive: d.name.to_string(),
                        target,
                        line: start.line,
                        column: start.column,
                    })
                })
                .collect(),
        })
        .collect();
    ProjectIndex { views, templates }
}

fn literal(r: &TemplateRef) -> Option<String> {
    match r {
        TemplateRef::Literal { name, .. } => Some(name.clone()),
        TemplateRef::Dynamic { .. } => None,
    }
}
