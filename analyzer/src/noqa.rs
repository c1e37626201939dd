//! Suppression comments.
//!
//! * Python: `# noqa` (every code) or `# noqa: V006, V007` in a comment on the line a
//!   finding is reported on; `# djust: noqa` / `# djust: noqa: V006` anywhere in a
//!   comment of its own suppresses for the whole file (ruff's `# ruff: noqa`).
//! * Templates: `{# noqa #}` or `{# noqa: T002 #}` — a Django comment anywhere in the
//!   template suppresses those codes for the whole file. Comments inside
//!   `{% comment %}` blocks and HTML comments do not count (see `template.rs`).
//!
//! Codes are matched exactly (`V006`), case-insensitively; anything after `noqa`
//! that is not a `:` code list makes the directive blanket, as flake8 and upstream
//! djust treat it.

use crate::rule::Rule;
use djust_runtime::Span;

/// A parsed suppression directive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Noqa {
    /// Suppresses every code.
    All,
    /// Suppresses only these codes (upper-case).
    Codes(Vec<String>),
}

impl Noqa {
    /// True when this directive suppresses `rule`.
    pub fn suppresses(&self, rule: Rule) -> bool {
        match self {
            Noqa::All => true,
            Noqa::Codes(codes) => codes.iter().any(|c| c.eq_ignore_ascii_case(rule.code())),
        }
    }

    /// Merge two directives on the same scope.
    pub fn merge(self, other: Noqa) -> Noqa {
        match (self, other) {
            (Noqa::Codes(mut a), Noqa::Codes(b)) => {
                a.extend(b);
                Noqa::Codes(a)
            }
            _ => Noqa::All,
        }
    }
}

/// Parse the text after the word `noqa` (e.g. `": V006, V007"`, `""`).
fn parse_after_noqa(rest: &str) -> Noqa {
    parse_codes(rest).0
}

/// [`parse_after_noqa`], with the length of `rest` the code list takes (0 for a
/// blanket directive).
fn parse_codes(rest: &str) -> (Noqa, usize) {
    let trimmed = rest.trim_start();
    let Some(list) = trimmed.strip_prefix(':') else {
        return (Noqa::All, 0);
    };
    let list_start = rest.len() - list.len();
    let mut codes = Vec::new();
    let mut end = 0;
    let mut at = 0;
    for token in list.split(|c: char| c == ',' || c.is_whitespace()) {
        let token_start = at;
        at += token.len() + 1;
        if token.is_empty() {
            continue;
        }
        if is_code(token) {
            codes.push(token.to_ascii_uppercase());
            end = token_start + token.len();
        } else {
            break;
        }
    }
    if codes.is_empty() {
        (Noqa::All, 0)
    } else {
        (Noqa::Codes(codes), list_start + end)
    }
}

/// Where a suppression directive is and what it covers, for the unused-`noqa` rule
/// (Q101) and its fix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Directive {
    /// What it suppresses.
    pub noqa: Noqa,
    /// The line it covers (1-based), or `None` for the whole file.
    pub line: Option<usize>,
    /// The directive: `# noqa: V006` from its `#` to the end of its code list, or the
    /// whole `{# noqa: T002 #}` comment.
    pub span: Span,
    /// What removing the whole directive removes: from the whitespace before it to the
    /// end of its comment (a reason written after the codes goes with it).
    pub removal: Span,
    /// Which form it is, to write it back with fewer codes.
    pub form: DirectiveForm,
}

/// The spelling of a [`Directive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DirectiveForm {
    /// `# noqa: …` on a Python line.
    PythonLine,
    /// `# djust: noqa: …` for a Python file.
    PythonFile,
    /// `{# noqa: … #}` in a template.
    Template,
}

impl Directive {
    /// The directive written with only `codes` (non-empty).
    pub fn with_codes(&self, codes: &[String]) -> String {
        let list = codes.join(", ");
        match self.form {
            DirectiveForm::PythonLine => format!("# noqa: {list}"),
            DirectiveForm::PythonFile => format!("# djust: noqa: {list}"),
            DirectiveForm::Template => format!("{{# noqa: {list} #}}"),
        }
    }
}

/// A line-level `# noqa` in the Python comment at `at` (the comment's byte offset in
/// the file, `comment` from its `#` to the end of the line), with its place.
pub fn python_line_directive(comment: &str, at: usize, source: &str, line: usize) -> Option<Directive> {
    for (i, _) in comment.match_indices('#') {
        let after_hash = &comment[i + 1..];
        let section = after_hash.trim_start();
        let Some(rest) = strip_prefix_ignore_case(section, "noqa") else {
            continue;
        };
        if rest
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let (noqa, codes_len) = parse_codes(rest);
        let rest_start = i + 1 + (after_hash.len() - section.len()) + 4;
        let start = at + i;
        let end = at + rest_start + codes_len;
        let ws = source[..start].len() - source[..start].trim_end_matches([' ', '\t']).len();
        return Some(Directive {
            noqa,
            line: Some(line),
            span: Span::new(start, end),
            removal: Span::new(start - ws, at + comment.len()),
            form: DirectiveForm::PythonLine,
        });
    }
    None
}

/// A file-level `# djust: noqa[: codes]` Python comment at `at`, with its place.
pub fn python_file_directive(comment: &str, at: usize, source: &str) -> Option<Directive> {
    let noqa = python_file_noqa(comment)?;
    let codes_len = comment
        .to_ascii_lowercase()
        .find("noqa")
        .map(|n| n + 4 + parse_codes(&comment[n + 4..]).1)
        .unwrap_or(comment.len());
    let ws = source[..at].len() - source[..at].trim_end_matches([' ', '\t']).len();
    Some(Directive {
        noqa,
        line: None,
        span: Span::new(at, at + codes_len),
        removal: Span::new(at - ws, at + comment.len()),
        form: DirectiveForm::PythonFile,
    })
}

/// A template `{# noqa… #}` comment at `span` (content stripped of `{#`/`#}` and
/// whitespace), with its place.
pub fn template_directive(content: &str, span: Span, source: &str) -> Option<Directive> {
    let noqa = template_noqa(content)?;
    let ws = source[..span.start].len() - source[..span.start].trim_end_matches([' ', '\t']).len();
    Some(Directive {
        noqa,
        line: None,
        span,
        removal: Span::new(span.start - ws, span.end),
        form: DirectiveForm::Template,
    })
}

/// `s` without a leading `prefix` matched ASCII-case-insensitively; never splits a
/// multi-byte character.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn is_code(token: &str) -> bool {
    let letters = token.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    letters > 0 && token.len() > letters && token[letters..].chars().all(|c| c.is_ascii_digit())
}

/// Find a line-level `# noqa` in a Python comment (`comment` starts with `#`).
pub fn python_line_noqa(comment: &str) -> Option<Noqa> {
    // A comment may hold several `#` sections: `# type: ignore  # noqa: V006`.
    for (i, _) in comment.match_indices('#') {
        let section = comment[i + 1..].trim_start();
        if let Some(rest) = strip_prefix_ignore_case(section, "noqa") {
            // `# noqa-foo` or `# noqa V006` is blanket; `# noqaX` is not a directive.
            if rest
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
            {
                return Some(parse_after_noqa(rest));
            }
        }
    }
    None
}

/// Find a file-level `# djust: noqa[: codes]` in a Python comment.
pub fn python_file_noqa(comment: &str) -> Option<Noqa> {
    let body = comment.strip_prefix('#')?.trim_start();
    let rest = body.strip_prefix("djust:")?.trim_start();
    strip_prefix_ignore_case(rest, "noqa").map(parse_after_noqa)
}

/// Parse a template `{# … #}` comment's stripped content as a noqa directive.
pub fn template_noqa(content: &str) -> Option<Noqa> {
    if let Some(rest) = strip_prefix_ignore_case(content.trim(), "noqa") {
        if rest
            .chars()
            .next()
            .is_none_or(|ch| ch == ':' || ch.is_whitespace())
        {
            return Some(parse_after_noqa(rest));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_noqa_forms() {
        assert_eq!(python_line_noqa("# noqa"), Some(Noqa::All));
        assert_eq!(python_line_noqa("#noqa"), Some(Noqa::All));
        assert_eq!(
            python_line_noqa("# noqa: V006, v007"),
            Some(Noqa::Codes(vec!["V006".into(), "V007".into()]))
        );
        assert_eq!(
            python_line_noqa("# noqa:V006 because reasons"),
            Some(Noqa::Codes(vec!["V006".into()]))
        );
        assert_eq!(
            python_line_noqa("# type: ignore  # NOQA: T002"),
            Some(Noqa::Codes(vec!["T002".into()]))
        );
        assert_eq!(python_line_noqa("# noqa V006"), Some(Noqa::All));
        assert_eq!(python_line_noqa("# noqab"), None);
        assert_eq!(python_line_noqa("# see noqa docs"), None);
        assert!(!Noqa::Codes(vec!["V007".into()]).suppresses(Rule::V006));
    }

    #[test]
    fn file_level_and_template_forms() {
        assert_eq!(python_file_noqa("# djust: noqa"), Some(Noqa::All));
        assert_eq!(
            python_file_noqa("# djust: noqa: V006"),
            Some(Noqa::Codes(vec!["V006".into()]))
        );
        assert_eq!(python_file_noqa("# noqa"), None);
        assert_eq!(template_noqa("noqa"), Some(Noqa::All));
        assert_eq!(
            template_noqa("noqa: T002"),
            Some(Noqa::Codes(vec!["T002".into()]))
        );
        assert_eq!(
            template_noqa("noqa:T005,T002").map(|n| n.suppresses(Rule::T005)),
            Some(true)
        );
        assert_eq!(template_noqa("noqalike"), None);
        assert_eq!(template_noqa("a noqa"), None);
    }
}
