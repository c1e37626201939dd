//! Code actions: each published diagnostic's fix and its `noqa` suppression, and
//! "create template" on a `template_name` that names no file.

use crate::create_template;
use crate::text::Document;
use crate::world::{Action, Snapshot};
use std::collections::HashMap;
use std::path::Path;
use tower_lsp::lsp_types::{CodeAction, CodeActionKind, NumberOrString, Range, Url, WorkspaceEdit};

/// The quick fixes for `range` of the document at `uri`: the fixes and `noqa` edits of
/// the diagnostics `published` for it that overlap `range`, then (Python) "create
/// template".
pub fn actions(
    snap: &Snapshot,
    published: &[Action],
    target: Option<(&Document, &Path)>,
    uri: &Url,
    range: Range,
) -> Vec<CodeAction> {
    let overlaps = |r: &Range| !(r.end < range.start || range.end < r.start);
    let mut out = Vec::new();
    for a in published.iter().filter(|a| overlaps(&a.diagnostic.range)) {
        let code = match &a.diagnostic.code {
            Some(NumberOrString::String(c)) => c.clone(),
            _ => String::new(),
        };
        if let Some((title, edits)) = &a.fix {
            out.push(CodeAction {
                title: format!("{title} ({code})"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![a.diagnostic.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits.clone())]))),
                is_preferred: Some(true),
                ..CodeAction::default()
            });
        }
        if let Some(edit) = &a.noqa {
            out.push(CodeAction {
                title: format!("Suppress {code} with a noqa comment"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![a.diagnostic.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    uri.clone(),
                    vec![edit.clone()],
                )]))),
                ..CodeAction::default()
            });
        }
    }
    if let Some((doc, path)) = target {
        if super::is_python(path) {
            out.extend(create_template::actions(snap, doc, path, range));
        }
    }
    out
}
