//! Error recovery for half-typed Python: when rustpython rejects a file, the statements
//! tree-sitter-python marks as broken (`ERROR` and missing nodes) are blanked out and
//! the rest is parsed again, so a file being edited still yields its classes, handlers
//! and state.
//!
//! Blanking keeps every byte offset: each byte of a broken line becomes a space
//! (newlines stay), and a `0` (an expression statement) stands at the line's
//! indentation so the enclosing block is not left empty. Spans in the recovered AST
//! are therefore spans in the original text.

use rustpython_parser::ast::{self, Stmt};
use rustpython_parser::{parse, Mode};
use std::cell::RefCell;

/// How many rounds of blanking are tried before giving up.
const ROUNDS: usize = 6;

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// The statements of `source` with its broken lines blanked, or `None` when no
/// amount of blanking makes it parse.
pub(crate) fn recover(source: &str) -> Option<Vec<Stmt>> {
    let mut text = source.as_bytes().to_vec();
    for _ in 0..ROUNDS {
        // Blanking writes ASCII over whole characters, so the text stays UTF-8.
        let current = String::from_utf8_lossy(&text).into_owned();
        let error_line = match parse(&current, Mode::Module, "<djust>") {
            Ok(ast::Mod::Module(m)) => return Some(m.body),
            Ok(_) => return None,
            Err(e) => line_of(&current, usize::from(e.offset)),
        };
        // An unclosed bracket first (the parser reports it lines later), then what
        // tree-sitter marks as broken, then the line the parser stopped at.
        let all: Vec<&str> = current.lines().collect();
        let mut ranges = unclosed_brackets(&all);
        if ranges.is_empty() {
            ranges = broken_lines(&current)?;
        }
        if ranges.is_empty() {
            // The parser may stop past the end (`def f():` with no body yet): take the
            // last line with code at or before where it stopped.
            let line = (0..=error_line.min(all.len().saturating_sub(1)))
                .rev()
                .find(|&r| !all[r].trim().is_empty())
                .unwrap_or(0);
            ranges = vec![(line, line)];
        }
        let rows: Vec<(usize, usize)> = ranges
            .into_iter()
            .map(|(f, l)| statement_rows(&all, f, l))
            .collect();
        for (first, last) in rows {
            blank_lines(&mut text, first, last);
        }
    }
    None
}

/// Row ranges (0-based, inclusive) of the nodes tree-sitter could not parse.
fn broken_lines(source: &str) -> Option<Vec<(usize, usize)>> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        let parser = slot.as_mut()?;
        let tree = parser.parse(source, None)?;
        let mut out = Vec::new();
        let mut cursor = tree.walk();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.is_error() || node.is_missing() {
                out.push((node.start_position().row, node.end_position().row));
                continue;
            }
            if node.has_error() {
                stack.extend(node.children(&mut cursor));
            }
        }
        Some(out)
    })
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start_matches([' ', '\t']).len()
}

/// Rows `first..=last` widened to whole statements: up over the decorators of a
/// broken `def`, and down over the lines indented deeper than row `first` (the body
/// of a broken `def`, `class` or `if` goes with its header, so no orphaned indented
/// block is left behind).
fn statement_rows(lines: &[&str], mut first: usize, last: usize) -> (usize, usize) {
    let Some(base) = lines.get(first).map(|l| indent(l)) else {
        return (first, last);
    };
    while first > 0 && lines[first - 1].trim_start().starts_with('@') && indent(lines[first - 1]) == base {
        first -= 1;
    }
    (first, with_body(lines, first, last, base))
}

fn with_body(lines: &[&str], first: usize, last: usize, base: usize) -> usize {
    let _ = first;
    let mut end = last;
    for (row, line) in lines.iter().enumerate().skip(last + 1) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if indent(line) <= base {
            break;
        }
        end = row;
    }
    end
}

/// Statement keywords that cannot appear inside brackets: seeing one at the start of
/// a line while a bracket is open means that bracket was never closed.
const STATEMENT_STARTS: &[&str] = &[
    "def ", "class ", "@", "return", "if ", "elif ", "else:", "for ", "while ", "with ", "try:", "except",
    "finally:", "async ", "import ", "from ", "raise", "pass", "break", "continue",
];

/// Rows from a line that opens a bracket never closed to the line before the next
/// statement: `def broken(self` or `foo(1,` while typing. Strings and comments are
/// skipped; a rough scan is enough, tree-sitter handles the rest.
fn unclosed_brackets(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth: usize = 0;
    let mut opened_at = 0;
    let mut in_triple: Option<&str> = None;
    for (row, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if depth > 0 && in_triple.is_none() && STATEMENT_STARTS.iter().any(|k| t.starts_with(k)) {
            out.push((opened_at, row.saturating_sub(1).max(opened_at)));
            depth = 0;
        }
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if let Some(q) = in_triple {
                match line[i..].find(q) {
                    Some(end) => {
                        i += end + 3;
                        in_triple = None;
                        continue;
                    }
                    None => break,
                }
            }
            match bytes[i] {
                b'#' => break,
                q @ (b'"' | b'\'') => {
                    let triple = if q == b'"' { "\"\"\"" } else { "'''" };
                    if line[i..].starts_with(triple) {
                        in_triple = Some(triple);
                        i += 3;
                        continue;
                    }
                    // A one-line string: skip to its closing quote (or the line end).
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'(' | b'[' | b'{' => {
                    if depth == 0 {
                        opened_at = row;
                    }
                    depth += 1;
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
    }
    if depth > 0 {
        out.push((opened_at, lines.len().saturating_sub(1)));
    }
    out
}

fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Blank rows `first..=last` of `text`, putting a `0` at the first row's indentation.
fn blank_lines(text: &mut [u8], first: usize, last: usize) {
    let mut row = 0;
    let mut at_line_start = true;
    let mut placed = false;
    for b in text.iter_mut() {
        if *b == b'\n' {
            row += 1;
            at_line_start = true;
            continue;
        }
        if row < first || row > last || *b == b'\r' {
            continue;
        }
        let indent = at_line_start && (*b == b' ' || *b == b'\t');
        if !indent {
            at_line_start = false;
            if row == first && !placed {
                *b = b'0';
                placed = true;
                continue;
            }
            *b = b' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(body: &[Stmt]) -> Vec<String> {
        let mut out = Vec::new();
        for s in body {
            if let Stmt::ClassDef(c) = s {
                out.push(c.name.to_string());
                for m in &c.body {
                    if let Stmt::FunctionDef(f) = m {
                        out.push(format!("{}.{}", c.name, f.name));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_half_typed_method_keeps_the_rest_of_the_class() {
        let src = "class V(LiveView):\n    template_name = 'v.html'\n\n    def mount(self, request):\n        self.count = \n\n    @event_handler\n    def inc(self, **kwargs):\n        self.count += 1\n";
        assert!(parse(src, Mode::Module, "<t>").is_err());
        let body = recover(src).unwrap_or_else(|| panic!("not recovered"));
        assert_eq!(names(&body), ["V", "V.mount", "V.inc"]);
    }

    #[test]
    fn a_broken_def_before_another_method_takes_only_itself() {
        let src = "class V(LiveView):\n    def mount(self):\n        self.a = 1\n\n    def broken(self\n        self.x = \n\n    def _refresh(self):\n        rows = f(self.a)\n        self.b = rows\n\n    @event_handler\n    def search(self, **kwargs):\n        pass\n";
        let body = recover(src).unwrap_or_else(|| panic!("not recovered"));
        let n = names(&body);
        assert!(
            n.contains(&"V.mount".to_string()) && n.contains(&"V.search".to_string()),
            "{n:?}"
        );
    }

    #[test]
    fn a_def_without_a_body_yet_at_the_end_of_the_file() {
        let src = "class V(LiveView):\n    @event_handler\n    def a(self, **kw):\n        pass\n\n    @event_handler\n    def b(self, **kw):\n";
        assert!(parse(src, Mode::Module, "<t>").is_err());
        let body = recover(src).unwrap_or_else(|| panic!("not recovered"));
        assert_eq!(names(&body), ["V", "V.a"]);
    }

    #[test]
    fn an_unclosed_call_is_dropped_and_offsets_are_kept() {
        let src = "import x\n\nclass V(LiveView):\n    def a(self):\n        foo(1,\n\n    def b(self, **kw):\n        pass\n";
        let body = recover(src).unwrap_or_else(|| panic!("not recovered"));
        let class = body
            .iter()
            .find_map(|s| match s {
                Stmt::ClassDef(c) => Some(c),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no class"));
        assert_eq!(usize::from(class.range.start()), src.find("class").unwrap_or(0));
        assert!(names(&body).contains(&"V".to_string()));
    }

    #[test]
    fn text_that_is_not_python_at_all_gives_up_or_recovers_without_panicking() {
        for src in [
            "(((((",
            "def",
            "class :\n  ::",
            "\u{feff}é = (",
            "\tif x:\n  y\n \t z",
        ] {
            let _ = recover(src);
        }
    }
}
