//! Q101: a `noqa` directive that suppresses nothing.

use crate::declare_violation;
use crate::finding::{Applicability, Edit, FileId, Finding, Fix};
use crate::noqa::{Directive, DirectiveForm, Noqa};
use crate::rule::Rule;

declare_violation! {
    /// ## What it does
    /// Flags the codes of a `# noqa: …`, `# djust: noqa: …` or `{# noqa: … #}` directive
    /// that suppressed no finding in this run, ruff's `RUF100` for djust's codes. Only
    /// codes of djust rules that are enabled for the file and can report in that kind
    /// of file count: a `# noqa: F401` is another tool's, and a code listed in
    /// `external` under `[tool.djust]` is never reported. Blanket directives (`# noqa`)
    /// are other tools' as much as djust's, and are not reported.
    ///
    /// ## Why is this bad?
    /// A directive left behind after the code was fixed hides the next real finding of
    /// that rule on the same line (or, for a template or `# djust: noqa`, in the whole
    /// file).
    ///
    /// ## Example
    /// ```python
    /// self.count = 0  # noqa: V006
    /// ```
    ///
    /// ## Fix
    /// Remove the unused codes, or the directive when none is left (a safe fix:
    /// `djust check --fix`). Codes djust shares with flake8 plugins (flake8-builtins'
    /// `A001`, flake8-quotes' `Q001`…) can be listed in `external = ["A001"]`.
    ///
    /// ## Differences from upstream
    /// Upstream has no such check; this is djust's own (code outside upstream's range).
    pub struct UnusedNoqa {
        code: "Q101",
        name: "unused-noqa",
        severity: Warning,
        summary: "`noqa` directive suppresses nothing",
    }
}

/// Whether djust can report `rule` in a template (else in a Python file; I/O and
/// encoding errors in both).
pub fn reported_in_templates(rule: Rule) -> bool {
    let code = rule.code();
    code.starts_with('T')
        || code.starts_with('Y')
        || matches!(code, "S011" | "C010" | "C012" | "E004" | "E002" | "E003")
}

fn reported_in_python(rule: Rule) -> bool {
    !reported_in_templates(rule) || matches!(rule.code(), "E002" | "E003")
}

/// What the unused-noqa check needs to know about one file.
pub struct FileNoqa<'a> {
    /// The file.
    pub file: FileId,
    /// Its directives.
    pub directives: &'a [Directive],
    /// The findings suppressed in it: rule and the lines a line directive must be on.
    pub suppressed: &'a [(Rule, Vec<usize>)],
    /// Whether a rule is enabled for the file.
    pub enabled: &'a dyn Fn(Rule) -> bool,
    /// Codes other tools own (`external`), upper-case.
    pub external: &'a [String],
}

/// Report the unused codes of each directive of one file.
pub fn check(ctx: &FileNoqa<'_>, out: &mut Vec<Finding>) {
    for d in ctx.directives {
        let Noqa::Codes(codes) = &d.noqa else { continue };
        let template = d.form == DirectiveForm::Template;
        let unused: Vec<&String> = codes
            .iter()
            .filter(|code| {
                let Some(rule) = Rule::ALL.iter().copied().find(|r| r.code() == code.as_str()) else {
                    return false;
                };
                let kind_fits = if template {
                    reported_in_templates(rule)
                } else {
                    reported_in_python(rule)
                };
                rule != Rule::Q101
                    && kind_fits
                    && (ctx.enabled)(rule)
                    && !ctx.external.contains(code)
                    && !ctx
                        .suppressed
                        .iter()
                        .any(|(r, lines)| *r == rule && d.line.is_none_or(|l| lines.contains(&l)))
            })
            .collect();
        if unused.is_empty() {
            continue;
        }
        let kept: Vec<String> = codes.iter().filter(|c| !unused.contains(c)).cloned().collect();
        let edit = if kept.is_empty() {
            Edit {
                span: d.removal,
                content: String::new(),
            }
        } else {
            Edit {
                span: d.span,
                content: d.with_codes(&kept),
            }
        };
        let list = unused.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
        out.push(
            Finding::new(
                Rule::Q101,
                ctx.file,
                d.span,
                format!("Unused noqa directive: nothing here is reported as {list}."),
            )
            .with_primary_label(format!("suppresses nothing: {list}"))
            .with_help(if kept.is_empty() {
                "Remove the directive.".to_string()
            } else {
                format!("Keep only the codes still needed: {}.", d.with_codes(&kept))
            })
            .with_fix(Fix {
                message: if kept.is_empty() {
                    "Remove the unused `noqa` directive".into()
                } else {
                    format!("Remove the unused codes ({list})")
                },
                applicability: Applicability::Safe,
                edits: vec![edit],
            }),
        );
    }
}
