//! Applying findings' fixes (`djust check --fix`, `--diff`): ruff's model. Each round
//! checks the project with the files fixed so far as overlays, applies every fix that
//! is allowed (safe ones, and unsafe ones when asked) and does not overlap an earlier
//! edit of the same round, and checks again, until no fix applies or [`MAX_ROUNDS`].
//! Nothing is written here: the caller writes [`Fixed::fixed`] (or prints a diff).

use crate::config::Settings;
use crate::error::CheckError;
use crate::finding::{Applicability, Edit, Finding};
use crate::rule::Rule;
use crate::{check_with_overlay, Report};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Rounds of fixing before giving up (a fix that re-creates its finding).
pub const MAX_ROUNDS: usize = 10;

/// One file the fixes changed.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// Absolute path.
    pub path: PathBuf,
    /// Path as shown to the user.
    pub display: PathBuf,
    /// The text before any fix.
    pub original: String,
    /// The text after every round.
    pub fixed: String,
    /// The fixes applied, in order: rule and the fix's message.
    pub applied: Vec<(Rule, String)>,
}

/// Whether `f`'s fix may be applied.
pub fn allowed(f: &Finding, unsafe_fixes: bool) -> bool {
    f.fix
        .as_ref()
        .is_some_and(|fix| unsafe_fixes || fix.applicability == Applicability::Safe)
}

/// `text` with `edits` applied. Edits are taken in order of position; an edit that
/// overlaps one already taken is left for the next round. `None` when an edit falls
/// outside the text or inside a character.
pub fn apply(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in sorted {
        if e.span.start < at {
            continue;
        }
        out.push_str(text.get(at..e.span.start)?);
        text.get(e.span.start..e.span.end)?;
        out.push_str(&e.content);
        at = e.span.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// Two edits touch the same bytes, or insert at the same place.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    (a.span.start < b.span.end && b.span.start < a.span.end) || a.span.start == b.span.start
}

/// Fix `paths` in memory: the files changed and the report of the last check (the
/// findings that remain).
///
/// # Errors
/// As [`crate::check`].
pub fn fix(
    paths: &[PathBuf],
    cwd: &Path,
    settings: &Settings,
    unsafe_fixes: bool,
) -> Result<(Vec<Fixed>, Report), CheckError> {
    let mut files: BTreeMap<PathBuf, Fixed> = BTreeMap::new();
    let mut report = check_with_overlay(paths, cwd, settings, &[])?;
    for _ in 0..MAX_ROUNDS {
        // Fixable findings, by file; one fix per finding, whole fixes only.
        let mut by_file: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
        for f in report.findings.iter().filter(|f| allowed(f, unsafe_fixes)) {
            by_file.entry(f.file).or_default().push(f);
        }
        let mut changed = false;
        for (file, findings) in by_file {
            let source = &report.files[file];
            let mut taken: Vec<&Edit> = Vec::new();
            let mut applied = Vec::new();
            for f in findings {
                let Some(fix) = &f.fix else { continue };
                let clashes = fix.edits.iter().any(|e| taken.iter().any(|t| overlaps(e, t)));
                if clashes {
                    continue;
                }
                taken.extend(fix.edits.iter());
                applied.push((f.rule, fix.message.clone()));
            }
            let Some(text) = apply(&source.text, &taken) else {
                continue;
            };
            if *text == *source.text {
                continue;
            }
            let entry = files.entry(source.abs.to_path_buf()).or_insert_with(|| Fixed {
                path: source.abs.to_path_buf(),
                display: source.display().to_path_buf(),
                original: source.text.to_string(),
                fixed: String::new(),
                applied: Vec::new(),
            });
            entry.fixed = text;
            entry.applied.extend(applied);
            changed = true;
        }
        if !changed {
            break;
        }
        let overlay: Vec<(PathBuf, String)> = files
            .values()
            .map(|f| (f.path.clone(), f.fixed.clone()))
            .collect();
        report = check_with_overlay(paths, cwd, settings, &overlay)?;
    }
    Ok((files.into_values().collect(), report))
}

/// `djust check --add-noqa`: a `noqa` for every finding of `report`, in memory. Python:
/// `  # noqa: CODE` at the end of the finding's line, or `, CODE` added to a `# noqa:`
/// already there. Templates: one `{# noqa: CODES #}` line at the top (template `noqa`
/// is file-wide). A file the edit would break (it no longer parses, or the finding is
/// still reported: its line ends inside a string) is left unchanged. The files changed,
/// with the number of directives added to each.
///
/// # Errors
/// As [`crate::check`].
pub fn add_noqa(
    paths: &[PathBuf],
    cwd: &Path,
    settings: &Settings,
) -> Result<Vec<(Fixed, usize)>, CheckError> {
    let report = check_with_overlay(paths, cwd, settings, &[])?;
    let mut by_file: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.file).or_default().push(f);
    }
    let mut out = Vec::new();
    for (file, findings) in by_file {
        let source = &report.files[file];
        let text = &source.text;
        let python = source.abs.extension().is_some_and(|e| e == "py");
        let (new, added) = if python {
            // Codes per line.
            let mut lines: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
            for f in &findings {
                let line = source.lines.line_of(f.span.start);
                let codes = lines.entry(line).or_default();
                if !codes.contains(&f.rule.code()) {
                    codes.push(f.rule.code());
                }
            }
            let mut edits = Vec::new();
            for (line, codes) in &lines {
                let span = source.lines.line_span(text, *line);
                let content = &text[span.start..span.end];
                let end = span.start + content.trim_end_matches(['\r', '\n']).len();
                let insert = match content.find("# noqa:") {
                    Some(_) => format!(", {}", codes.join(", ")),
                    None => format!("  # noqa: {}", codes.join(", ")),
                };
                edits.push(Edit {
                    span: djust_runtime::Span::empty(end),
                    content: insert,
                });
            }
            let refs: Vec<&Edit> = edits.iter().collect();
            let Some(new) = apply(text, &refs) else { continue };
            (new, lines.values().map(Vec::len).sum())
        } else {
            let mut codes: Vec<&str> = findings.iter().map(|f| f.rule.code()).collect();
            codes.sort_unstable();
            codes.dedup();
            (format!("{{# noqa: {} #}}\n{text}", codes.join(", ")), codes.len())
        };
        out.push((
            Fixed {
                path: source.abs.to_path_buf(),
                display: source.display().to_path_buf(),
                original: text.to_string(),
                fixed: new,
                applied: Vec::new(),
            },
            added,
        ));
    }
    // One check with every edit in place: the edits must keep each file parsing and
    // silence what they were for; a file where a finding remains is left unchanged.
    let overlay: Vec<(PathBuf, String)> = out
        .iter()
        .map(|(f, _)| (f.path.clone(), f.fixed.clone()))
        .collect();
    let after = check_with_overlay(paths, cwd, settings, &overlay)?;
    let broken: Vec<&Path> = after
        .findings
        .iter()
        .map(|f| after.files[f.file].abs.as_ref())
        .collect();
    out.retain(|(f, _)| !broken.contains(&f.path.as_path()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use djust_runtime::Span;

    fn edit(start: usize, end: usize, content: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            content: content.into(),
        }
    }

    #[test]
    fn edits_apply_in_order_and_overlaps_wait() {
        let a = edit(4, 4, "X");
        let b = edit(0, 2, "ab");
        let overlapping = edit(1, 3, "zz");
        assert_eq!(
            apply("0123456", &[&a, &b, &overlapping]).as_deref(),
            Some("ab23X456")
        );
        assert_eq!(apply("é", &[&edit(1, 1, "x")]), None, "inside a character");
        assert_eq!(apply("abc", &[&edit(2, 9, "x")]), None, "past the end");
    }
}
