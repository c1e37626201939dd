//! The code action "Create template": on a LiveView's `template_name = "app/page.html"`
//! that no template directory holds, create the file with a LiveView root for that
//! view (`dj-root` and `dj-view` on one element), from the same generator and
//! templates as `djust new` ([`djust_scaffold`]). The file goes in the `templates/`
//! directory of the view's app (the nearest directory above the Python file with an
//! `apps.py`), else in the project's `templates/`.

use crate::text::Document;
use crate::world::Snapshot;
use djust_runtime::Span;
use djust_scaffold::templates::Templates;
use std::path::{Path, PathBuf};
use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges,
    OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range, ResourceOp, TextDocumentEdit, TextEdit,
    Url, WorkspaceEdit,
};

/// The "Create template" actions for the `template_name` literals of `doc` (the Python
/// file `path`) on the lines of `range` that name a template the project lacks.
pub fn actions(snap: &Snapshot, doc: &Document, path: &Path, range: Range) -> Vec<CodeAction> {
    let mut out = Vec::new();
    for view in &snap.index.views {
        let (Some(name), None) = (&view.template_name, &view.template_file) else {
            continue;
        };
        if snap.abs(&view.file) != path || snap.templates.contains_key(name) || !safe_name(name) {
            continue;
        }
        let Some(span) = literal(&doc.text, name) else {
            continue;
        };
        let at = doc.range(span);
        // Offered anywhere on the literal's line(s), where the cursor usually is.
        if at.end.line < range.start.line || range.end.line < at.start.line {
            continue;
        }
        let target = app_dir(path, &snap.root).join("templates").join(name);
        if target.exists() {
            continue;
        }
        let Ok(content) =
            djust_scaffold::kinds::blank_template(&Templates::for_project(&snap.root), &view.path)
        else {
            continue;
        };
        let Ok(uri) = Url::from_file_path(&target) else {
            continue;
        };
        let shown = target
            .strip_prefix(&snap.root)
            .unwrap_or(&target)
            .display()
            .to_string();
        out.push(CodeAction {
            title: format!("Create template {shown} for {}", view.class),
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                        edits: vec![OneOf::Left(TextEdit {
                            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
                            new_text: content,
                        })],
                    }),
                ])),
                ..WorkspaceEdit::default()
            }),
            ..CodeAction::default()
        });
    }
    out
}

/// A template name that stays inside the templates directory (no `..`, not absolute).
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The span of the string literal `"name"` (or `'name'`) after `template_name` in `text`.
fn literal(text: &str, name: &str) -> Option<Span> {
    let mut from = 0;
    while let Some(found) = text[from..].find("template_name") {
        let after = from + found + "template_name".len();
        let rest = &text[after..];
        let value = rest
            .trim_start_matches([' ', ':', '=', '\t'])
            .trim_start_matches("str")
            .trim_start();
        let value = value.strip_prefix('=').map(str::trim_start).unwrap_or(value);
        let start = after + (rest.len() - value.len());
        for quote in ['"', '\''] {
            if value.starts_with(&format!("{quote}{name}{quote}")) {
                return Some(Span::new(start, start + name.len() + 2));
            }
        }
        from = after;
    }
    None
}

/// The app directory of `file`: the nearest ancestor under `root` with an `apps.py`,
/// else `root`.
fn app_dir(file: &Path, root: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(root))
        .find(|d| d.join("apps.py").is_file())
        .unwrap_or(root)
        .to_path_buf()
}
