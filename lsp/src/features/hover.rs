//! Hover: rule pages on `# noqa:` codes, tag/filter/directive docs, handler
//! signatures, template names.

use super::*;

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

fn hover_at(value: String, range: Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

/// `Template `name` → `file``, for a hover on a template name.
fn template_hover(snap: &Snapshot, doc: &Document, w: &Word) -> Option<Hover> {
    let file = snap.templates.get(&w.text)?;
    Some(hover_at(
        format!("Template `{}` → `{}`", w.text, shown(snap, file)),
        doc.range(w.span),
    ))
}
