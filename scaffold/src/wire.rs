//! `--wire`: the edits that connect what was generated, made on the parsed file (never
//! by pattern matching on its text): a route appended to `urlpatterns`, an app to
//! `INSTALLED_APPS`, the imports they need. Each edit inserts text at positions the
//! parser gives and leaves every other byte as it was; an edit that is already there is
//! not made twice. A file that does not parse, or whose list is not a literal the
//! edit can extend, is left alone and the reason says what to add by hand.

use djust_analyzer::ast_util::{span_of, str_const};
use djust_analyzer::python::parse_module;
use ruff_python_ast::{Expr, Stmt};

/// An import a route needs: `from module import name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// `shop.live.counter`.
    pub module: String,
    /// `CounterView`.
    pub name: String,
}

/// `source` with `entry` (`path("x/", X.as_view(), name="x")`) appended to the
/// `urlpatterns = [...]` list (else the first `urlpatterns += [...]`), and `imports`
/// added after the last top-level import. `Err` says why the file cannot be edited.
pub fn add_route(source: &str, entry: &str, imports: &[Import]) -> Result<String, String> {
    let body = parse_module(source).map_err(|e| format!("it does not parse ({e})"))?;
    let list = find_list(&body, "urlpatterns").ok_or(
        "it has no `urlpatterns = [...]` (or `urlpatterns += [...]`) list literal to add the route to",
    )?;
    let mut edits = Vec::new();
    if !list_contains(source, list, entry) {
        edits.push(list_insertion(source, list, entry));
    }
    edits.extend(import_insertions(source, &body, imports));
    Ok(apply_edits(source, edits))
}

/// `source` with `"app"` appended to `INSTALLED_APPS = [...]` (or a tuple), unless it
/// is listed already.
pub fn add_installed_app(source: &str, app: &str) -> Result<String, String> {
    let body = parse_module(source).map_err(|e| format!("it does not parse ({e})"))?;
    let list = find_list(&body, "INSTALLED_APPS")
        .ok_or("it has no `INSTALLED_APPS = [...]` list literal to add the app to")?;
    let elts = elements(list);
    let dotted_config = |s: &str| s.starts_with(&format!("{app}.apps."));
    if elts
        .iter()
        .filter_map(str_const)
        .any(|s| s == app || dotted_config(s))
    {
        return Ok(source.to_string());
    }
    Ok(apply_edits(
        source,
        vec![list_insertion(source, list, &format!("{app:?}"))],
    ))
}

fn elements(list: &Expr) -> &[Expr] {
    match list {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => &[],
    }
}

/// The list (or tuple) literal assigned to `name` at the top level: `name = [...]`,
/// `name: list = [...]`, else the first `name += [...]`.
fn find_list<'a>(body: &'a [Stmt], name: &str) -> Option<&'a Expr> {
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == name);
    let literal = |e: &'a Expr| matches!(e, Expr::List(_) | Expr::Tuple(_)).then_some(e);
    body.iter()
        .find_map(|s| match s {
            Stmt::Assign(a) if a.targets.iter().any(is_name) => literal(&a.value),
            Stmt::AnnAssign(a) if is_name(&a.target) => a.value.as_deref().and_then(literal),
            _ => None,
        })
        .or_else(|| {
            body.iter().find_map(|s| match s {
                Stmt::AugAssign(a) if is_name(&a.target) => literal(&a.value),
                _ => None,
            })
        })
}

/// Whether an element of `list` is, ignoring whitespace, `entry`.
fn list_contains(source: &str, list: &Expr, entry: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let wanted = squash(entry);
    elements(list).iter().any(|e| {
        let span = span_of(e);
        source
            .get(span.start..span.end)
            .is_some_and(|t| squash(t) == wanted)
    })
}

/// Insert `item` as the last element of `list`, on its own line, indented as the
/// elements are (4 spaces in an empty list), with the commas right.
fn list_insertion(source: &str, list: &Expr, item: &str) -> (usize, String) {
    let span = span_of(list);
    let close = span.end.saturating_sub(1); // the `]` or `)`
    let elts = elements(list);
    let Some(last) = elts.last() else {
        let inner = source.get(span.start + 1..close).unwrap_or("");
        let base = line_indent(source, span.start);
        // `[]` or `[\n]`: the item on its own line, then the bracket's own line back.
        let prefix = if inner.contains('\n') { "" } else { "\n" };
        let text = format!(
            "{prefix}{base}    {item},\n{}",
            if inner.contains('\n') { "" } else { base.as_str() }
        );
        let at = if inner.contains('\n') {
            line_start(source, close)
        } else {
            close
        };
        return (at, text);
    };
    let last_end = span_of(last).end;
    let between = source.get(last_end..close).unwrap_or("");
    let has_comma = between.trim_start().starts_with(',');
    let multiline = source.get(span.start..close).is_some_and(|t| t.contains('\n'));
    if multiline {
        let indent = line_indent(source, span_of(last).start);
        let comma_at = if has_comma {
            last_end + between.find(',').unwrap_or(0) + 1
        } else {
            last_end
        };
        // After the last element (and its comma), at the end of that line.
        let line_end = source[comma_at..]
            .find('\n')
            .map(|n| comma_at + n)
            .unwrap_or(comma_at);
        let comma = if has_comma { "" } else { "," };
        if has_comma {
            (line_end, format!("\n{indent}{item},"))
        } else {
            (last_end, format!("{comma}\n{indent}{item},"))
        }
    } else if has_comma {
        let comma_at = last_end + between.find(',').unwrap_or(0) + 1;
        (comma_at, format!(" {item},"))
    } else {
        (last_end, format!(", {item}"))
    }
}

fn line_start(source: &str, at: usize) -> usize {
    source[..at].rfind('\n').map(|n| n + 1).unwrap_or(0)
}

fn line_indent(source: &str, at: usize) -> String {
    let start = line_start(source, at);
    source[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The insertions for the `imports` not already made at the top level: after the last
/// top-level import (else after the module docstring, else at the top).
fn import_insertions(source: &str, body: &[Stmt], imports: &[Import]) -> Vec<(usize, String)> {
    let imported = |imp: &Import| {
        body.iter().any(|s| match s {
            Stmt::ImportFrom(f) => {
                f.level == 0
                    && f.module.as_deref() == Some(imp.module.as_str())
                    && f.names
                        .iter()
                        .any(|a| a.asname.is_none() && a.name.as_str() == imp.name)
            }
            _ => false,
        })
    };
    let mut edits = Vec::new();
    let mut new_lines = String::new();
    for imp in imports.iter().filter(|i| !imported(i)) {
        // `from module import a` already there: extend it (`from module import a, b`).
        let same = body.iter().find_map(|s| match s {
            Stmt::ImportFrom(f)
                if f.level == 0
                    && f.module.as_deref() == Some(imp.module.as_str())
                    && !f.names.iter().any(|a| a.name.as_str() == "*") =>
            {
                f.names.last()
            }
            _ => None,
        });
        match same {
            Some(alias) => edits.push((span_of(alias).end, format!(", {}", imp.name))),
            None => new_lines.push_str(&format!("from {} import {}\n", imp.module, imp.name)),
        }
    }
    if new_lines.is_empty() {
        return edits;
    }
    let after = body
        .iter()
        .rfind(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)))
        .or_else(|| {
            body.first()
                .filter(|s| matches!(s, Stmt::Expr(e) if str_const(&e.value).is_some()))
        });
    match after {
        Some(stmt) => {
            let end = span_of(stmt).end;
            let line_end = source[end..]
                .find('\n')
                .map(|n| end + n + 1)
                .unwrap_or(source.len());
            let text = if line_end == source.len() && !source.ends_with('\n') {
                format!("\n{new_lines}")
            } else if matches!(stmt, Stmt::Expr(_)) {
                // After the docstring: a blank line between.
                format!("\n{new_lines}")
            } else {
                new_lines
            };
            edits.push((line_end, text));
        }
        None => edits.push((0, new_lines)),
    }
    edits
}

/// Apply insertions `(offset, text)`, later offsets first so earlier ones stay valid.
fn apply_edits(source: &str, mut edits: Vec<(usize, String)>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = source.to_string();
    for (at, text) in edits {
        out.insert_str(at.min(out.len()), &text);
    }
    out
}
