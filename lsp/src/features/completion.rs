//! Completion: tags, filters, `{% load %}` libraries, template names, directives,
//! handlers and state in templates; `# noqa:` codes, `template_name` and handler names
//! in Python.

use super::*;

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
            djust_runtime::template::filters::builtins()
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

fn template_names(snap: &Snapshot, doc: &Document, w: &Word) -> Vec<CompletionItem> {
    let r = doc.range(Span::new(w.span.start, w.span.start + w.prefix.len()));
    let mut names: Vec<(&String, &std::path::PathBuf)> = snap.templates.iter().collect();
    names.sort();
    names
        .into_iter()
        .map(|(name, file)| item(name, CompletionItemKind::FILE, shown(snap, file), None, r))
        .collect()
}
