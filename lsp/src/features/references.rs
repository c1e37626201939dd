//! Find references: a handler's uses in templates, a template's users.

use super::*;

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
