//! Completion, hover, go-to-definition, references and document symbols, computed from
//! the live document text and the last [`Snapshot`].

use crate::context::{self, PythonSpot, TemplateSpot, Word};
use crate::django;
use crate::text::Document;
use crate::world::Snapshot;
use djust_analyzer::knowledge;
use djust_analyzer::workspace::{HandlerInfo, ViewInfo};
use djust_analyzer::Rule;
use djust_runtime::template::filters::Registry;
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

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

fn item(
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

/// Completion items at `pos` (empty when the cursor is nowhere djust completes).
pub fn completion(snap: &Snapshot, doc: &Document, path: &Path, pos: Position) -> Vec<CompletionItem> {
    let offset = doc.offset(pos);
    if is_python(path) {
        return match context::python_spot(&doc.text, offset) {
            Some(PythonSpot::TemplateName(w)) => template_names(snap, doc, &w),
            _ => Vec::new(),
        };
    }
    let Some(spot) = context::template_spot(&doc.text, offset) else {
        return Vec::new();
    };
    let replace = |w: &Word| doc.range(Span::new(w.span.start, offset.max(w.span.start)));
    match spot {
        TemplateSpot::TagName(w) => {
            let r = replace(&w);
            let mut out: Vec<CompletionItem> = context::open_blocks(&doc.text, offset)
                .into_iter()
                .enumerate()
                .map(|(i, end)| {
                    let mut it = item(end, CompletionItemKind::KEYWORD, "closes the open block", None, r);
                    it.sort_text = Some(format!("0{i:02}"));
                    it
                })
                .collect();
            out.extend(django::offered_tags().map(|t| {
                let mut it = item(
                    t.name,
                    CompletionItemKind::KEYWORD,
                    t.syntax,
                    Some(t.summary.to_string()),
                    r,
                );
                it.sort_text = Some(format!("1{}", t.name));
                it
            }));
            out
        }
        TemplateSpot::Filter(w) => {
            let r = replace(&w);
            Registry::builtins()
                .names()
                .into_iter()
                .map(|f| {
                    item(
                        f,
                        CompletionItemKind::FUNCTION,
                        "filter",
                        django::filter_summary(f).map(str::to_string),
                        r,
                    )
                })
                .collect()
        }
        TemplateSpot::Variable(w) => {
            let r = replace(&w);
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for name in context::loop_variables(&doc.text, offset) {
                if seen.insert(name.clone()) {
                    out.push(item(
                        &name,
                        CompletionItemKind::VARIABLE,
                        "loop variable",
                        None,
                        r,
                    ));
                }
            }
            for view in snap.views_for(path) {
                for s in &view.state {
                    if seen.insert(s.name.clone()) {
                        let detail = format!("{} ({})", s.defined_in, s.kind.replace('_', " "));
                        let mut it = item(&s.name, CompletionItemKind::FIELD, detail, None, r);
                        it.sort_text = Some(format!("0{}", s.name));
                        out.push(it);
                    }
                }
            }
            for (name, what) in django::CONTEXT_GLOBALS {
                if seen.insert(name.to_string()) {
                    let mut it = item(
                        name,
                        CompletionItemKind::VARIABLE,
                        "Django context",
                        Some(what.to_string()),
                        r,
                    );
                    it.sort_text = Some(format!("1{name}"));
                    out.push(it);
                }
            }
            out
        }
        TemplateSpot::TemplateName(w) => template_names(snap, doc, &w),
        TemplateSpot::BlockName(w) => {
            let r = replace(&w);
            parent_blocks(snap, path)
                .into_iter()
                .map(|(name, _, _)| {
                    item(
                        &name,
                        CompletionItemKind::MODULE,
                        "block of the parent template",
                        None,
                        r,
                    )
                })
                .collect()
        }
        TemplateSpot::AttributeName(w) => {
            if !w.prefix.is_empty() && !"dj-".starts_with(&w.prefix) && !w.prefix.starts_with("dj-") {
                return Vec::new();
            }
            let r = replace(&w);
            knowledge::DIRECTIVES
                .iter()
                .map(|d| {
                    let mut it = item(
                        d.name,
                        CompletionItemKind::PROPERTY,
                        d.category,
                        Some(directive_doc(d)),
                        r,
                    );
                    it.filter_text = Some(d.name.to_string());
                    it
                })
                .collect()
        }
        TemplateSpot::Modifier { directive, word } => {
            let r = replace(&word);
            knowledge::directive(&directive)
                .map(|d| {
                    d.modifiers
                        .iter()
                        .map(|m| {
                            item(
                                m,
                                CompletionItemKind::ENUM_MEMBER,
                                format!("{} modifier", d.name),
                                None,
                                r,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        TemplateSpot::AttributeValue { attribute, word } => {
            let r = replace(&word);
            let base = attribute.split('.').next().unwrap_or(&attribute);
            if base == "dj-view" {
                return snap
                    .index
                    .views
                    .iter()
                    .map(|v| {
                        item(
                            &v.path,
                            CompletionItemKind::CLASS,
                            format!("{}:{}", v.file, v.line),
                            None,
                            r,
                        )
                    })
                    .collect();
            }
            if base == "dj-model" {
                let mut seen = HashSet::new();
                return views_or_all(snap, path)
                    .into_iter()
                    .flat_map(|v| v.state.iter().map(move |s| (v, s)))
                    .filter(|(_, s)| seen.insert(s.name.clone()))
                    .map(|(_, s)| item(&s.name, CompletionItemKind::FIELD, s.defined_in.clone(), None, r))
                    .collect();
            }
            if !djust_analyzer::template::is_event_directive(&attribute) {
                return Vec::new();
            }
            let mut seen = HashSet::new();
            views_or_all(snap, path)
                .into_iter()
                .flat_map(|v| v.handlers.iter())
                .filter(|h| seen.insert(h.name.clone()))
                .map(|h| {
                    let mut it = item(
                        &h.name,
                        CompletionItemKind::METHOD,
                        format!("def {}", h.signature),
                        Some(handler_doc(h)),
                        r,
                    );
                    it.sort_text = Some(h.name.clone());
                    it
                })
                .collect()
        }
    }
}

/// The LiveViews bound to a template, or every LiveView when none is (a component
/// rendered from Python code).
fn views_or_all<'s>(snap: &'s Snapshot, path: &Path) -> Vec<&'s ViewInfo> {
    let bound = snap.views_for(path);
    if bound.is_empty() {
        snap.index.views.iter().collect()
    } else {
        bound
    }
}

fn template_names(snap: &Snapshot, doc: &Document, w: &Word) -> Vec<CompletionItem> {
    let r = doc.range(Span::new(w.span.start, w.span.start + w.prefix.len()));
    let mut names: Vec<(&String, &std::path::PathBuf)> = snap.templates.iter().collect();
    names.sort();
    names
        .into_iter()
        .map(|(name, file)| item(name, CompletionItemKind::FILE, shown(snap, file), None, r))
        .collect()
}

fn directive_doc(d: &knowledge::Directive) -> String {
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

fn handler_doc(h: &HandlerInfo) -> String {
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

fn hover_at(value: String, range: Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

/// Documentation for what is under the cursor.
pub fn hover(snap: &Snapshot, doc: &Document, path: &Path, pos: Position) -> Option<Hover> {
    let offset = doc.offset(pos);
    if is_python(path) {
        return match context::python_spot(&doc.text, offset)? {
            PythonSpot::NoqaCode(w) => {
                let rule = Rule::from_code(&w.text)?;
                Some(hover_at(rule.page(), doc.range(w.span)))
            }
            PythonSpot::TemplateName(w) => template_hover(snap, doc, &w),
            PythonSpot::FunctionName(_) => None,
        };
    }
    match context::template_spot(&doc.text, offset)? {
        TemplateSpot::TagName(w) => {
            let t = django::tag(&w.text)?;
            Some(hover_at(
                format!(
                    "**{{% {} %}}** (Django tag)\n\n{}\n\n`{}`",
                    t.name, t.summary, t.syntax
                ),
                doc.range(w.span),
            ))
        }
        TemplateSpot::Filter(w) => {
            let s = django::filter_summary(&w.text)?;
            Some(hover_at(
                format!("**|{}** (Django filter)\n\n{s}", w.text),
                doc.range(w.span),
            ))
        }
        TemplateSpot::Variable(w) => {
            let views = snap.views_for(path);
            let (view, s) = views
                .iter()
                .find_map(|v| v.state.iter().find(|s| s.name == w.text).map(|s| (v, s)))?;
            Some(hover_at(
                format!(
                    "**{}**: state of `{}` ({}, {}:{})",
                    s.name,
                    view.path,
                    s.kind.replace('_', " "),
                    s.file,
                    s.line
                ),
                doc.range(w.span),
            ))
        }
        TemplateSpot::AttributeName(w) => {
            let name = w.text.split('.').next().unwrap_or(&w.text).to_ascii_lowercase();
            let d = knowledge::directive(&name)?;
            Some(hover_at(directive_doc(d), doc.range(w.span)))
        }
        TemplateSpot::AttributeValue { attribute, word } => {
            if djust_analyzer::template::is_event_directive(&attribute) {
                let h = handlers_named(snap, path, word.text.trim()).into_iter().next()?;
                return Some(hover_at(handler_doc(h), doc.range(word.span)));
            }
            if attribute == "dj-view" {
                let v = snap.index.views.iter().find(|v| v.path == word.text.trim())?;
                let handlers: Vec<&str> = v.handlers.iter().map(|h| h.name.as_str()).collect();
                return Some(hover_at(
                    format!(
                        "**{}** ({}:{})\n\ntemplate: `{}`\n\nhandlers: {}",
                        v.path,
                        v.file,
                        v.line,
                        v.template_name.as_deref().unwrap_or("-"),
                        handlers.join(", ")
                    ),
                    doc.range(word.span),
                ));
            }
            None
        }
        TemplateSpot::TemplateName(w) => template_hover(snap, doc, &w),
        TemplateSpot::Modifier { .. } | TemplateSpot::BlockName(_) => None,
    }
}

/// Handlers called `name` in the LiveViews bound to `path` (else in every LiveView),
/// each definition once.
fn handlers_named<'s>(snap: &'s Snapshot, path: &Path, name: &str) -> Vec<&'s HandlerInfo> {
    let mut seen = HashSet::new();
    views_or_all(snap, path)
        .into_iter()
        .flat_map(|v| v.handlers.iter())
        .filter(|h| h.name == name && seen.insert((h.file.clone(), h.line)))
        .collect()
}

fn location(snap: &Snapshot, file: &str, line: usize, column: usize) -> Option<Location> {
    let uri = Url::from_file_path(snap.abs(file)).ok()?;
    let p = Position::new(line.saturating_sub(1) as u32, column.saturating_sub(1) as u32);
    Some(Location::new(uri, Range::new(p, p)))
}

fn file_location(path: &Path) -> Option<Location> {
    let uri = Url::from_file_path(path).ok()?;
    Some(Location::new(uri, Range::default()))
}

/// Where what is under the cursor is defined.
pub fn definition(snap: &Snapshot, doc: &Document, path: &Path, pos: Position) -> Vec<Location> {
    let offset = doc.offset(pos);
    if is_python(path) {
        return match context::python_spot(&doc.text, offset) {
            Some(PythonSpot::TemplateName(w)) => snap
                .templates
                .get(&w.text)
                .and_then(|f| file_location(f))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
    }
    match context::template_spot(&doc.text, offset) {
        Some(TemplateSpot::AttributeValue { attribute, word }) => {
            let name = word.text.trim();
            if attribute == "dj-view" {
                return snap
                    .index
                    .views
                    .iter()
                    .filter(|v| v.path == name)
                    .filter_map(|v| location(snap, &v.file, v.line, 1))
                    .collect();
            }
            if attribute.split('.').next() == Some("dj-model") {
                return views_or_all(snap, path)
                    .into_iter()
                    .flat_map(|v| v.state.iter())
                    .filter(|s| s.name == name)
                    .take(1)
                    .filter_map(|s| location(snap, &s.file, s.line, s.column))
                    .collect();
            }
            handlers_named(snap, path, name)
                .into_iter()
                .filter_map(|h| location(snap, &h.file, h.line, h.column))
                .collect()
        }
        Some(TemplateSpot::TemplateName(w)) => resolve_template(snap, &w.text, path)
            .and_then(|f| file_location(f))
            .into_iter()
            .collect(),
        Some(TemplateSpot::BlockName(w)) => parent_blocks(snap, path)
            .into_iter()
            .filter(|(name, _, _)| *name == w.text)
            .take(1)
            .filter_map(|(_, file, range)| Some(Location::new(Url::from_file_path(file).ok()?, range)))
            .collect(),
        Some(TemplateSpot::Variable(w)) => snap
            .views_for(path)
            .into_iter()
            .flat_map(|v| v.state.iter())
            .filter(|s| s.name == w.text)
            .take(1)
            .filter_map(|s| location(snap, &s.file, s.line, s.column))
            .collect(),
        _ => Vec::new(),
    }
}

/// `{% block %}`s of the templates `path` extends (nearest parent first), with their
/// file and range. The chain comes from the project index (the analyzer's parse of each
/// template, the open buffer's included).
fn parent_blocks(snap: &Snapshot, path: &Path) -> Vec<(String, std::path::PathBuf, Range)> {
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
fn resolve_template<'s>(snap: &'s Snapshot, name: &str, from: &Path) -> Option<&'s std::path::PathBuf> {
    if name.starts_with("./") || name.starts_with("../") {
        let base = snap.template_names.get(from)?;
        let joined = djust_analyzer::project::relative_name(base, name)?;
        return snap.templates.get(&joined);
    }
    snap.templates.get(name)
}

/// `Template `name` → `file``, for a hover on a template name.
fn template_hover(snap: &Snapshot, doc: &Document, w: &Word) -> Option<Hover> {
    let file = snap.templates.get(&w.text)?;
    Some(hover_at(
        format!("Template `{}` → `{}`", w.text, shown(snap, file)),
        doc.range(w.span),
    ))
}

/// A project file as the user sees it: relative to the root.
fn shown(snap: &Snapshot, file: &Path) -> String {
    file.strip_prefix(&snap.root)
        .unwrap_or(file)
        .display()
        .to_string()
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

/// References of the handler under the cursor: every `dj-*` directive naming it in
/// the templates of the LiveViews that have it (plus its definition when
/// `include_declaration`).
pub fn references(
    snap: &Snapshot,
    doc: &Document,
    path: &Path,
    pos: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let offset = doc.offset(pos);
    // The handler, as (name, defining class).
    let target: Option<(String, String)> = if is_python(path) {
        match context::python_spot(&doc.text, offset) {
            Some(PythonSpot::FunctionName(w)) => {
                let line = doc.position(w.span.start).line as usize + 1;
                snap.index
                    .views
                    .iter()
                    .flat_map(|v| v.handlers.iter())
                    .find(|h| h.name == w.text && h.line == line && snap.abs(&h.file) == path)
                    .map(|h| (h.name.clone(), h.defined_in.clone()))
            }
            _ => None,
        }
    } else {
        match context::template_spot(&doc.text, offset) {
            Some(TemplateSpot::AttributeValue { attribute, word })
                if djust_analyzer::template::is_event_directive(&attribute) =>
            {
                handlers_named(snap, path, word.text.trim())
                    .first()
                    .map(|h| (h.name.clone(), h.defined_in.clone()))
            }
            _ => None,
        }
    };
    let Some((name, defined_in)) = target else {
        return Vec::new();
    };
    let views: Vec<usize> = snap
        .index
        .views
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            v.handlers
                .iter()
                .any(|h| h.name == name && h.defined_in == defined_in)
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    if include_declaration {
        if let Some(h) = views
            .first()
            .and_then(|&v| snap.index.views[v].handlers.iter().find(|h| h.name == name))
        {
            out.extend(location(snap, &h.file, h.line, h.column));
        }
    }
    let mut seen = HashSet::new();
    for t in &snap.index.templates {
        let abs = snap.abs(&t.file);
        let bound = snap
            .bound
            .get(&abs)
            .is_some_and(|vs| vs.iter().any(|v| views.contains(v)));
        if !bound {
            continue;
        }
        for r in t
            .references
            .iter()
            .filter(|r| r.target == name && r.directive != "dj-model")
        {
            if seen.insert((t.file.clone(), r.line, r.column)) {
                out.extend(location(snap, &t.file, r.line, r.column));
            }
        }
    }
    out
}

/// Document symbols: a template's blocks; a Python file's LiveViews and their handlers.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be set.
pub fn symbols(snap: &Snapshot, doc: &Document, path: &Path) -> Vec<DocumentSymbol> {
    fn sym(
        name: String,
        detail: Option<String>,
        kind: SymbolKind,
        range: Range,
        sel: Range,
        children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range,
            selection_range: sel,
            children: Some(children),
        }
    }
    if !is_python(path) {
        fn conv(doc: &Document, b: &BlockSym) -> DocumentSymbol {
            sym(
                b.name.clone(),
                Some("block".into()),
                SymbolKind::NAMESPACE,
                doc.range(b.whole),
                doc.range(b.open),
                b.children.iter().map(|c| conv(doc, c)).collect(),
            )
        }
        return blocks(&doc.text).iter().map(|b| conv(doc, b)).collect();
    }
    let mut out = Vec::new();
    for v in snap.index.views.iter().filter(|v| snap.abs(&v.file) == path) {
        let start = doc.lines.line_start(v.line.saturating_sub(1));
        let end = class_end(&doc.text, start);
        let whole = doc.range(Span::new(start, end));
        let line_span = doc.lines.line_span(&doc.text, v.line.saturating_sub(1));
        let children = v
            .handlers
            .iter()
            .filter(|h| snap.abs(&h.file) == path)
            .map(|h| {
                let s = doc.lines.line_span(&doc.text, h.line.saturating_sub(1));
                sym(
                    h.name.clone(),
                    Some(format!("def {}", h.signature)),
                    SymbolKind::METHOD,
                    doc.range(s),
                    doc.range(s),
                    Vec::new(),
                )
            })
            .collect();
        out.push(sym(
            v.class.clone(),
            v.template_name.clone(),
            SymbolKind::CLASS,
            whole,
            doc.range(line_span),
            children,
        ));
    }
    out
}

/// End of the class whose `class` line starts at `start`: the next non-blank,
/// non-comment line indented no deeper, or the end of the text.
fn class_end(text: &str, start: usize) -> usize {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut lines = text[start..].split_inclusive('\n');
    let Some(first) = lines.next() else {
        return text.len();
    };
    let base = indent(first);
    let mut at = start + first.len();
    let mut last_code_end = at;
    for l in lines {
        let t = l.trim();
        if !t.is_empty() && !t.starts_with('#') {
            if indent(l) <= base && !t.starts_with(')') {
                return last_code_end;
            }
            last_code_end = at + l.trim_end().len();
        }
        at += l.len();
    }
    last_code_end.max(start)
}
