//! Document symbols: a template's `{% block %}` tree, a Python file's LiveViews with
//! their handlers.

use super::*;

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
