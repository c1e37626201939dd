//! Go to definition: template names to their files, directives to handlers, state
//! names to their assignments, `{% block %}` to the parent's block.

use super::*;

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
