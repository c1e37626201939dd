//! The language server's features, one file each (rust-analyzer's `ide` layout),
//! computed from the live document text and the last [`Snapshot`]; this module holds
//! what several of them use.

pub mod actions;
pub mod completion;
pub mod definition;
pub mod hover;
pub mod references;
pub mod symbols;

pub use completion::completion;
pub use definition::definition;
pub use hover::hover;
pub use references::references;
pub use symbols::symbols;

use crate::context::{self, PythonSpot, TemplateSpot, Word};
use crate::django;
use crate::text::Document;
use crate::world::Snapshot;
use djust_analyzer::knowledge;
use djust_analyzer::workspace::{HandlerInfo, ViewInfo};
use djust_analyzer::Rule;
use djust_runtime::template::{tokenize, TokenKind};
use djust_runtime::Span;
use std::collections::HashSet;
use std::path::Path;
use tower_lsp::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, DocumentSymbol, Documentation, Hover,
    HoverContents, Location, MarkupContent, MarkupKind, Position, Range, SymbolKind, TextEdit, Url,
};

/// Python file or template.
pub fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

pub(crate) fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

pub(crate) fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: impl Into<String>,
    doc: Option<String>,
    replace: Range,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.into()),
        documentation: doc.map(markdown),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            replace,
            label.to_string(),
        ))),
        ..CompletionItem::default()
    }
}

/// The LiveViews bound to a template, or every LiveView when none is (a component
/// rendered from Python code).
pub(crate) fn views_or_all<'s>(snap: &'s Snapshot, path: &Path) -> Vec<&'s ViewInfo> {
    let bound = snap.views_for(path);
    if bound.is_empty() {
        snap.index.views.iter().collect()
    } else {
        bound
    }
}

pub(crate) fn directive_doc(d: &knowledge::Directive) -> String {
    let mut s = format!(
        "**{}** ({})\n\n{}\n\nValue: {}",
        d.name, d.category, d.description, d.value
    );
    if !d.modifiers.is_empty() {
        s.push_str(&format!("\n\nModifiers: {}", d.modifiers.join(", ")));
    }
    s.push_str(&format!("\n\n```html\n{}\n```", d.example));
    s
}

pub(crate) fn handler_doc(h: &HandlerInfo) -> String {
    let mut s = format!(
        "```python\ndef {}\n```\nDefined in `{}` ({}:{})",
        h.signature, h.defined_in, h.file, h.line
    );
    if let Some(doc) = &h.doc {
        s.push_str("\n\n");
        s.push_str(doc);
    }
    if !h.accepts_kwargs {
        s.push_str("\n\n⚠ takes no `**kwargs` (V007)");
    }
    s
}

/// Handlers called `name` in the LiveViews bound to `path` (else in every LiveView),
/// each definition once.
pub(crate) fn handlers_named<'s>(snap: &'s Snapshot, path: &Path, name: &str) -> Vec<&'s HandlerInfo> {
    let mut seen = HashSet::new();
    views_or_all(snap, path)
        .into_iter()
        .flat_map(|v| v.handlers.iter())
        .filter(|h| h.name == name && seen.insert((h.file.clone(), h.line)))
        .collect()
}

pub(crate) fn location(snap: &Snapshot, file: &str, line: usize, column: usize) -> Option<Location> {
    let uri = Url::from_file_path(snap.abs(file)).ok()?;
    let p = Position::new(line.saturating_sub(1) as u32, column.saturating_sub(1) as u32);
    Some(Location::new(uri, Range::new(p, p)))
}

pub(crate) fn file_location(path: &Path) -> Option<Location> {
    let uri = Url::from_file_path(path).ok()?;
    Some(Location::new(uri, Range::default()))
}

/// `{% block %}`s of the templates `path` extends (nearest parent first), with their
/// file and range. The chain comes from the project index (the analyzer's parse of each
/// template, the open buffer's included).
pub(crate) fn parent_blocks(snap: &Snapshot, path: &Path) -> Vec<(String, std::path::PathBuf, Range)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    seen.insert(path.to_path_buf());
    let mut current = path.to_path_buf();
    for _ in 0..16 {
        let Some(parent_name) = snap
            .index
            .templates
            .iter()
            .find(|t| snap.abs(&t.file) == current)
            .and_then(|t| t.extends.as_deref())
        else {
            break;
        };
        let Some(file) = resolve_template(snap, parent_name, &current) else {
            break;
        };
        if !seen.insert(file.clone()) {
            break;
        }
        // Regular files only, and bounded (a pipe would block the server).
        let Ok(parent_text) = djust_analyzer::source::read_text(std::path::Path::new(file)) else {
            break;
        };
        let pdoc = Document::new(parent_text, 0);
        for b in blocks(&pdoc.text) {
            if !out.iter().any(|(n, _, _): &(String, _, _)| *n == b.name) {
                out.push((b.name, file.clone(), pdoc.range(b.open)));
            }
        }
        current = file.clone();
    }
    out
}

/// The file template name `name` loads when template `from` names it (relative names,
/// `./x.html`, resolve against `from`'s own name).
pub(crate) fn resolve_template<'s>(
    snap: &'s Snapshot,
    name: &str,
    from: &Path,
) -> Option<&'s std::path::PathBuf> {
    if name.starts_with("./") || name.starts_with("../") {
        let base = snap.template_names.get(from)?;
        let joined = djust_analyzer::project::relative_name(base, name)?;
        return snap.templates.get(&joined);
    }
    snap.templates.get(name)
}

/// A `{% block %}` of a template: its name, the opening tag, the whole block, and the
/// blocks nested in it.
#[derive(Debug, Clone)]
pub struct BlockSym {
    /// Block name.
    pub name: String,
    /// `{% block name %}`.
    pub open: Span,
    /// From `{% block %}` to the end of `{% endblock %}` (or the end of the text).
    pub whole: Span,
    /// Nested blocks.
    pub children: Vec<BlockSym>,
}

/// The blocks of `text`, nested.
pub fn blocks(text: &str) -> Vec<BlockSym> {
    let mut stack: Vec<BlockSym> = Vec::new();
    let mut top: Vec<BlockSym> = Vec::new();
    for t in tokenize(text) {
        if t.kind != TokenKind::Block {
            continue;
        }
        match t.tag_name(text) {
            "block" => {
                let name = t
                    .content(text)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                stack.push(BlockSym {
                    name,
                    open: t.span,
                    whole: t.span,
                    children: Vec::new(),
                });
            }
            "endblock" => {
                if let Some(mut b) = stack.pop() {
                    b.whole = Span::new(b.whole.start, t.span.end);
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(b),
                        None => top.push(b),
                    }
                }
            }
            _ => {}
        }
    }
    while let Some(mut b) = stack.pop() {
        b.whole = Span::new(b.whole.start, text.len());
        match stack.last_mut() {
            Some(parent) => parent.children.push(b),
            None => top.push(b),
        }
    }
    top
}

/// A project file as the user sees it: relative to the root.
pub(crate) fn shown(snap: &Snapshot, file: &Path) -> String {
    file.strip_prefix(&snap.root)
        .unwrap_or(file)
        .display()
        .to_string()
}
